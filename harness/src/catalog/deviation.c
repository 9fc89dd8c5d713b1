/* deviation.c: profiles and the recorded deviations of genuine Dify (see deviation.h). */
#include "hitl/deviation.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char hitl_deviations_json[];
extern const size_t hitl_deviations_json_len;

#define MAX_DEVIATIONS_BYTES (1024u * 1024u)
#define COMMIT_HEX 40

const char *hitl_profile_name(hitl_profile p)
{
    return p == HITL_PROFILE_DIFY ? "dify" : "contract";
}

int hitl_profile_parse(const char *name, hitl_profile *out)
{
    if (name && !strcmp(name, "contract"))
        *out = HITL_PROFILE_CONTRACT;
    else if (name && !strcmp(name, "dify"))
        *out = HITL_PROFILE_DIFY;
    else
        return HITL_E_ARG;
    return HITL_OK;
}

static void deviation_free(hitl_deviation *d)
{
    free(d->id);
    free(d->check);
    free(d->match.code);
    free(d->match.message_prefix);
    free(d->match.expected_contains);
    free(d->match.actual_contains);
    free(d->observed);
    for (size_t i = 0; i < d->n_evidence; i++)
        free(d->evidence[i]);
    free(d->evidence);
    for (size_t i = 0; i < d->n_versions; i++)
        free(d->versions[i]);
    free(d->versions);
    free(d->note);
}

void hitl_deviations_free(hitl_deviations *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        deviation_free(&d->items[i]);
    free(d->items);
    d->items = NULL;
    d->n = 0;
}

/* "path@<40 lower-case hex>", or, for a file the search index gave without its commit,
 * "path (index file id N, commit not given by the index)". */
static bool valid_evidence(const char *s)
{
    const char *at = strrchr(s, '@');
    if (at && at > s && !strchr(s, ' ') && strlen(at + 1) == COMMIT_HEX) {
        for (const char *p = at + 1; *p; p++)
            if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
                return false;
        return true;
    }
    const char *sp = strchr(s, ' ');
    return sp && sp > s && !strncmp(sp, " (index file id ", 16) &&
           strstr(sp, ", commit not given by the index)") != NULL;
}

/* Copies the string member |key| of |obj| into |*dst|: a non-empty string when |required|,
 * else a string or absent (NULL, or "" when |empty_when_absent|). */
static int take_str(const cJSON *obj, const char *key, bool required, bool empty_when_absent,
                    char **dst, const char *where, hitl_err *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v && !required) {
        *dst = empty_when_absent ? strdup("") : NULL;
        return empty_when_absent && !*dst ? hitl_err_set(err, HITL_E_NOMEM, "out of memory")
                                          : HITL_OK;
    }
    if (!cJSON_IsString(v) || (required && !*v->valuestring))
        return hitl_err_set(err, HITL_E_INVALID, "deviation %s: \"%s\" must be a %sstring", where,
                            key, required ? "non-empty " : "");
    *dst = strdup(v->valuestring);
    return *dst ? HITL_OK : hitl_err_set(err, HITL_E_NOMEM, "out of memory");
}

/* A non-empty array of non-empty strings into |*items|/|*n|. */
static int take_list(const cJSON *obj, const char *key, char ***items, size_t *n, const char *where,
                     hitl_err *err)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0)
        return hitl_err_set(err, HITL_E_INVALID,
                            "deviation %s: \"%s\" must be a non-empty array of strings", where,
                            key);
    *items = calloc((size_t)cJSON_GetArraySize(arr), sizeof **items);
    if (!*items)
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory");
    const cJSON *v;
    cJSON_ArrayForEach(v, arr)
    {
        if (!cJSON_IsString(v) || !*v->valuestring)
            return hitl_err_set(err, HITL_E_INVALID,
                                "deviation %s: \"%s\" must be a non-empty array of strings", where,
                                key);
        if (!((*items)[(*n)++] = strdup(v->valuestring)))
            return hitl_err_set(err, HITL_E_NOMEM, "out of memory");
    }
    return HITL_OK;
}

static int parse_match(const cJSON *obj, hitl_deviation *d, hitl_err *err)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, "match");
    if (!cJSON_IsObject(m))
        return hitl_err_set(err, HITL_E_INVALID, "deviation %s: \"match\" must be an object",
                            d->id);
    static const char *const known[] = {"status", "code", "message_prefix", "expected_contains",
                                        "actual_contains"};
    const cJSON *f;
    cJSON_ArrayForEach(f, m)
    {
        bool ok = false;
        for (size_t i = 0; i < sizeof known / sizeof known[0] && !ok; i++)
            ok = !strcmp(f->string, known[i]);
        /* A misspelt constraint would silently match more than intended. */
        if (!ok)
            return hitl_err_set(err, HITL_E_INVALID, "deviation %s: unknown match field \"%s\"",
                                d->id, f->string);
    }
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(m, "status");
    if (!cJSON_IsNumber(st) || st->valuedouble < 100 || st->valuedouble > 599 ||
        st->valuedouble != (double)st->valueint)
        return hitl_err_set(err, HITL_E_INVALID,
                            "deviation %s: match \"status\" must be an HTTP status (100-599)",
                            d->id);
    d->match.status = st->valueint;
    int rc = take_str(m, "code", false, false, &d->match.code, d->id, err);
    rc =
        rc ? rc : take_str(m, "message_prefix", false, false, &d->match.message_prefix, d->id, err);
    rc = rc ? rc
            : take_str(m, "expected_contains", false, false, &d->match.expected_contains, d->id,
                       err);
    rc = rc ? rc
            : take_str(m, "actual_contains", false, false, &d->match.actual_contains, d->id, err);
    if (rc)
        return rc;
    bool texts = (d->match.expected_contains && *d->match.expected_contains) ||
                 (d->match.actual_contains && *d->match.actual_contains);
    if (!texts)
        return hitl_err_set(err, HITL_E_INVALID,
                            "deviation %s: match needs \"expected_contains\" or "
                            "\"actual_contains\" (a status alone would excuse every case of "
                            "the check)",
                            d->id);
    return HITL_OK;
}

static int parse_surfaces(const cJSON *obj, hitl_deviation *d, hitl_err *err)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, "surfaces");
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0)
        return hitl_err_set(err, HITL_E_INVALID,
                            "deviation %s: \"surfaces\" must be a non-empty array", d->id);
    const cJSON *v;
    cJSON_ArrayForEach(v, arr)
    {
        if (cJSON_IsString(v) && !strcmp(v->valuestring, "web"))
            d->surfaces |= HITL_SURFACE_WEB;
        else if (cJSON_IsString(v) && !strcmp(v->valuestring, "service"))
            d->surfaces |= HITL_SURFACE_SERVICE;
        else
            return hitl_err_set(err, HITL_E_INVALID,
                                "deviation %s: surfaces are \"web\" or \"service\"", d->id);
    }
    return HITL_OK;
}

static int parse_entry(const cJSON *obj, size_t index, hitl_deviation *d, hitl_err *err)
{
    if (!cJSON_IsObject(obj))
        return hitl_err_set(err, HITL_E_INVALID, "deviation #%zu is not an object", index);
    const cJSON *idv = cJSON_GetObjectItemCaseSensitive(obj, "id");
    if (!cJSON_IsString(idv) || !hitl_catalog_valid_id(idv->valuestring))
        return hitl_err_set(err, HITL_E_INVALID,
                            "deviation #%zu: \"id\" must be lower-case dotted words (a-z 0-9 - "
                            ".), at most %d characters",
                            index, HITL_CATALOG_ID_MAX);
    if (!(d->id = strdup(idv->valuestring)))
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory");
    int rc = take_str(obj, "check", true, false, &d->check, d->id, err);
    rc = rc ? rc : parse_surfaces(obj, d, err);
    rc = rc ? rc : parse_match(obj, d, err);
    rc = rc ? rc : take_str(obj, "observed", true, false, &d->observed, d->id, err);
    rc = rc ? rc : take_list(obj, "evidence", &d->evidence, &d->n_evidence, d->id, err);
    rc = rc ? rc : take_list(obj, "versions", &d->versions, &d->n_versions, d->id, err);
    rc = rc ? rc : take_str(obj, "note", false, true, &d->note, d->id, err);
    for (size_t i = 0; !rc && i < d->n_evidence; i++)
        if (!valid_evidence(d->evidence[i]))
            rc = hitl_err_set(err, HITL_E_INVALID,
                              "deviation %s: evidence \"%s\" is not path@<40-hex commit> (or "
                              "\"path (index file id N, commit not given by the index)\")",
                              d->id, d->evidence[i]);
    return rc;
}

int hitl_deviations_parse(const char *json, size_t len, hitl_deviations *out, hitl_err *err)
{
    memset(out, 0, sizeof *out);
    if (len > MAX_DEVIATIONS_BYTES)
        return hitl_err_set(err, HITL_E_TOO_BIG, "the deviations are larger than %u bytes",
                            MAX_DEVIATIONS_BYTES);
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!root)
        return hitl_err_set(err, HITL_E_PARSE, "the deviations are not valid JSON");
    int rc = HITL_OK;
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "version");
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "deviations");
    if (!cJSON_IsObject(root) || !cJSON_IsNumber(ver) || !cJSON_IsArray(list)) {
        rc = hitl_err_set(err, HITL_E_INVALID,
                          "the deviations document needs \"version\" (number) and "
                          "\"deviations\" (array)");
        goto out;
    }
    if (ver->valueint != 1) {
        rc = hitl_err_set(err, HITL_E_INVALID, "deviations version %d is not supported (1 is)",
                          ver->valueint);
        goto out;
    }
    size_t cap = (size_t)cJSON_GetArraySize(list);
    out->items = calloc(cap ? cap : 1, sizeof *out->items);
    if (!out->items) {
        rc = hitl_err_set(err, HITL_E_NOMEM, "out of memory");
        goto out;
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, list)
    {
        hitl_deviation *d = &out->items[out->n++];
        if ((rc = parse_entry(e, out->n - 1, d, err)))
            break;
        for (size_t i = 0; i + 1 < out->n; i++)
            if (!strcmp(out->items[i].id, d->id)) {
                rc = hitl_err_set(err, HITL_E_INVALID, "deviation %s is recorded twice", d->id);
                break;
            }
        if (rc)
            break;
    }
out:
    cJSON_Delete(root);
    if (rc)
        hitl_deviations_free(out);
    return rc;
}

int hitl_deviations_load_builtin(hitl_deviations *out, hitl_err *err)
{
    int rc = hitl_deviations_parse(hitl_deviations_json, hitl_deviations_json_len, out, err);
    if (rc)
        hitl_err_prefix(err, "specs/deviations.json");
    return rc;
}

int hitl_deviations_check_catalog(const hitl_deviations *d, const hitl_catalog *cat, hitl_err *err)
{
    for (size_t i = 0; i < d->n; i++) {
        const hitl_deviation *v = &d->items[i];
        const hitl_catalog_entry *e = hitl_catalog_find(cat, v->check);
        if (!e)
            return hitl_err_set(err, HITL_E_INVALID,
                                "deviation %s names check %s, which the catalogue does not hold",
                                v->id, v->check);
        if ((v->surfaces & e->surfaces) != v->surfaces)
            return hitl_err_set(err, HITL_E_INVALID,
                                "deviation %s names a surface check %s does not have", v->id,
                                v->check);
    }
    return HITL_OK;
}

static bool contains(const char *hay, const char *needle)
{
    return !needle || (hay && strstr(hay, needle));
}

static bool matches(const hitl_deviation *d, const hitl_deviation_subject *s)
{
    const hitl_deviation_match *m = &d->match;
    return !strcmp(d->check, s->check) && (d->surfaces & (int)s->surface) &&
           s->status == m->status && (!m->code || (s->code && !strcmp(s->code, m->code))) &&
           (!m->message_prefix ||
            (s->message && !strncmp(s->message, m->message_prefix, strlen(m->message_prefix)))) &&
           contains(s->expected, m->expected_contains) && contains(s->actual, m->actual_contains);
}

const hitl_deviation *hitl_deviations_match(const hitl_deviations *d,
                                            const hitl_deviation_subject *s)
{
    for (size_t i = 0; d && s->check && i < d->n; i++)
        if (matches(&d->items[i], s))
            return &d->items[i];
    return NULL;
}

const hitl_deviation *hitl_deviations_find(const hitl_deviations *d, const char *id)
{
    for (size_t i = 0; d && id && i < d->n; i++)
        if (!strcmp(d->items[i].id, id))
            return &d->items[i];
    return NULL;
}
