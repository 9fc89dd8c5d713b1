/* catalog.c: parsing, binding and selecting the check catalogue. */
#include "hitl/catalog.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char hitl_catalog_json[];
extern const size_t hitl_catalog_json_len;

const char *const HITL_CATALOG_TAGS[] = {
    "lifecycle",  "stream",      "form",      "upload-token", "upload", "remote-url", "submit",
    "resume",     "expiry",      "ratelimit", "auth",         "errors", "security",   "slow",
    "disruptive", "fingerprint", "hostile",   "regress",      NULL};

#define MAX_CATALOG_BYTES (4u * 1024u * 1024u)
#define MAX_ID_LEN HITL_CATALOG_ID_MAX

const char *hitl_surface_name(hitl_surface s)
{
    return s == HITL_SURFACE_WEB ? "web" : "service";
}

const char *hitl_severity_name(hitl_severity s)
{
    return s == HITL_MUST ? "MUST" : "SHOULD";
}

static bool known_tag(const char *t)
{
    for (size_t i = 0; HITL_CATALOG_TAGS[i]; i++)
        if (!strcmp(HITL_CATALOG_TAGS[i], t))
            return true;
    return false;
}

bool hitl_catalog_valid_id(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > MAX_ID_LEN || id[0] == '.' || id[n - 1] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
        if (!ok || (c == '.' && id[i + 1] == '.'))
            return false;
    }
    return true;
}

#define SECTION_SIGN "§" /* two bytes in UTF-8 */

/* Length of the clause ID at |p| ("§7.3.2": § then numbers joined by single dots), or 0
 * when |p| does not start with one. */
static size_t clause_len(const char *p)
{
    size_t n = strlen(SECTION_SIGN);
    if (strncmp(p, SECTION_SIGN, n))
        return 0;
    for (;;) {
        size_t digits = strspn(p + n, "0123456789");
        if (digits == 0 || digits > 3)
            return 0;
        n += digits;
        if (p[n] != '.' || !(p[n + 1] >= '0' && p[n + 1] <= '9'))
            return n;
        n++;
    }
}

bool hitl_catalog_clause_next(const char **cursor, char *id, size_t cap)
{
    if (cap)
        id[0] = '\0';
    const char *p = *cursor + strspn(*cursor, " ");
    size_t n = clause_len(p);
    if (n == 0 || n >= cap || (p[n] != '\0' && p[n] != ','))
        return false;
    /* A comma must be followed by another clause: "§7.3.2," is not a list. */
    const char *next = p + n + (p[n] == ',');
    if (p[n] == ',' && clause_len(next + strspn(next, " ")) == 0)
        return false;
    memcpy(id, p, n);
    id[n] = '\0';
    *cursor = next;
    return true;
}

int hitl_catalog_clause_anchor(const char *clause, char *buf, size_t cap)
{
    size_t n = clause_len(clause);
    if (n == 0 || clause[n] != '\0')
        return HITL_E_INVALID;
    size_t sign = strlen(SECTION_SIGN);
    if (n - sign + 2 > cap) /* "c" + the numbers + NUL */
        return HITL_E_TOO_BIG;
    buf[0] = 'c';
    memcpy(buf + 1, clause + sign, n - sign);
    buf[n - sign + 1] = '\0';
    return HITL_OK;
}

/* A "section" is one or more clause IDs separated by commas: "§7.3.2, §7.4.3". */
static bool valid_clause_list(const char *section)
{
    char id[HITL_CLAUSE_ID_MAX];
    const char *p = section;
    size_t count = 0;
    while (hitl_catalog_clause_next(&p, id, sizeof id))
        count++;
    return count > 0 && *p == '\0';
}

static char *dup_string_field(const cJSON *obj, const char *key, bool required, hitl_err *err,
                              const char *id)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v || cJSON_IsNull(v)) {
        if (required) {
            hitl_err_set(err, HITL_E_INVALID, "catalogue entry %s: missing \"%s\"", id, key);
            return NULL;
        }
        return strdup("");
    }
    if (!cJSON_IsString(v)) {
        hitl_err_set(err, HITL_E_INVALID, "catalogue entry %s: \"%s\" must be a string", id, key);
        return NULL;
    }
    return strdup(v->valuestring);
}

static void entry_free(hitl_catalog_entry *e)
{
    free(e->id);
    free(e->area);
    free(e->title);
    free(e->section);
    free(e->precondition);
    for (size_t i = 0; i < e->n_tags; i++)
        free(e->tags[i]);
    free(e->tags);
}

static int parse_entry(const cJSON *obj, size_t index, hitl_catalog_entry *e, hitl_err *err)
{
    char where[32];
    snprintf(where, sizeof where, "#%zu", index);
    const cJSON *idv = cJSON_GetObjectItemCaseSensitive(obj, "id");
    if (!cJSON_IsString(idv) || !hitl_catalog_valid_id(idv->valuestring))
        return hitl_err_set(err, HITL_E_INVALID,
                            "catalogue entry %s: \"id\" must be lower-case dotted words "
                            "(a-z 0-9 - .), at most %d characters",
                            where, MAX_ID_LEN);
    e->id = strdup(idv->valuestring);
    if (!(e->title = dup_string_field(obj, "title", true, err, e->id)) ||
        !(e->section = dup_string_field(obj, "section", true, err, e->id)) ||
        !(e->precondition = dup_string_field(obj, "precondition", false, err, e->id)))
        return err ? err->code : HITL_E_INVALID;
    if (!valid_clause_list(e->section))
        return hitl_err_set(err, HITL_E_INVALID,
                            "catalogue entry %s: \"section\" must list the contract clauses it "
                            "enforces, e.g. \"§7.3.2, §7.4.3\" (" HITL_CONTRACT_PATH
                            "), not \"%s\"",
                            e->id, e->section);

    const cJSON *sev = cJSON_GetObjectItemCaseSensitive(obj, "severity");
    if (cJSON_IsString(sev) && !strcmp(sev->valuestring, "MUST"))
        e->severity = HITL_MUST;
    else if (cJSON_IsString(sev) && !strcmp(sev->valuestring, "SHOULD"))
        e->severity = HITL_SHOULD;
    else
        return hitl_err_set(err, HITL_E_INVALID,
                            "catalogue entry %s: \"severity\" must be \"MUST\" or \"SHOULD\"",
                            e->id);

    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(obj, "tags");
    if (!cJSON_IsArray(tags) || cJSON_GetArraySize(tags) == 0)
        return hitl_err_set(err, HITL_E_INVALID,
                            "catalogue entry %s: \"tags\" must be a non-empty array", e->id);
    e->tags = calloc((size_t)cJSON_GetArraySize(tags), sizeof *e->tags);
    if (!e->tags)
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory");
    const cJSON *t;
    cJSON_ArrayForEach(t, tags)
    {
        if (!cJSON_IsString(t) || !known_tag(t->valuestring))
            return hitl_err_set(err, HITL_E_INVALID, "catalogue entry %s: unknown tag %s", e->id,
                                cJSON_IsString(t) ? t->valuestring : "(not a string)");
        e->tags[e->n_tags++] = strdup(t->valuestring);
        if (!strcmp(t->valuestring, "ratelimit") || !strcmp(t->valuestring, "disruptive"))
            e->exclusive = true;
    }

    const cJSON *surf = cJSON_GetObjectItemCaseSensitive(obj, "surfaces");
    if (!cJSON_IsArray(surf) || cJSON_GetArraySize(surf) == 0)
        return hitl_err_set(err, HITL_E_INVALID,
                            "catalogue entry %s: \"surfaces\" must be a non-empty array", e->id);
    cJSON_ArrayForEach(t, surf)
    {
        if (cJSON_IsString(t) && !strcmp(t->valuestring, "web"))
            e->surfaces |= HITL_SURFACE_WEB;
        else if (cJSON_IsString(t) && !strcmp(t->valuestring, "service"))
            e->surfaces |= HITL_SURFACE_SERVICE;
        else
            return hitl_err_set(err, HITL_E_INVALID,
                                "catalogue entry %s: surfaces are \"web\" or \"service\"", e->id);
    }
    return HITL_OK;
}

/* Adds the entries of one area document {"version", "area", "checks": [...]}. */
static int parse_doc(const cJSON *doc, hitl_catalog *out, size_t cap, hitl_err *err)
{
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(doc, "version");
    const cJSON *checks = cJSON_GetObjectItemCaseSensitive(doc, "checks");
    if (!cJSON_IsNumber(ver) || !cJSON_IsArray(checks))
        return hitl_err_set(err, HITL_E_INVALID,
                            "catalogue document needs \"version\" (number) and \"checks\" (array)");
    if (ver->valueint != 1)
        return hitl_err_set(err, HITL_E_INVALID, "catalogue version %d is not supported (1 is)",
                            ver->valueint);
    out->version = ver->valueint;
    const cJSON *area = cJSON_GetObjectItemCaseSensitive(doc, "area");
    if (area && !(cJSON_IsString(area) && hitl_catalog_valid_id(area->valuestring) &&
                  !strchr(area->valuestring, '.')))
        return hitl_err_set(err, HITL_E_INVALID,
                            "catalogue document: \"area\" must be one lower-case word "
                            "(a-z 0-9 -), the first word of each of its check IDs");
    const cJSON *c;
    cJSON_ArrayForEach(c, checks)
    {
        if (out->n >= cap)
            return hitl_err_set(err, HITL_E_INVALID, "catalogue miscounted");
        hitl_catalog_entry *e = &out->entries[out->n++];
        int rc = parse_entry(c, out->n - 1, e, err);
        if (rc)
            return rc;
        /* The area is the ID's first word: reports group by it, the code lives in
         * checks/<area>.c, and a selector "upload-token" names exactly that file's checks. */
        size_t first = strcspn(e->id, ".");
        if (area &&
            (strlen(area->valuestring) != first || strncmp(area->valuestring, e->id, first)))
            return hitl_err_set(err, HITL_E_INVALID,
                                "catalogue entry %s is in the document of area \"%s\": an ID "
                                "starts with its area (specs/checks/<area>.json)",
                                e->id, area->valuestring);
        if (!(e->area = strndup(e->id, first)))
            return hitl_err_set(err, HITL_E_NOMEM, "out of memory");
        for (size_t i = 0; i + 1 < out->n; i++)
            if (!strcmp(out->entries[i].id, e->id))
                return hitl_err_set(err, HITL_E_INVALID, "catalogue lists %s twice", e->id);
    }
    return HITL_OK;
}

static size_t count_entries(const cJSON *root)
{
    if (cJSON_IsObject(root))
        return (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(root, "checks"));
    size_t n = 0;
    const cJSON *doc;
    cJSON_ArrayForEach(doc, root) n +=
        (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "checks"));
    return n;
}

int hitl_catalog_parse(const char *json, size_t len, hitl_catalog *out, hitl_err *err)
{
    memset(out, 0, sizeof *out);
    if (len > MAX_CATALOG_BYTES)
        return hitl_err_set(err, HITL_E_TOO_BIG, "catalogue larger than %u bytes",
                            MAX_CATALOG_BYTES);
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!root)
        return hitl_err_set(err, HITL_E_PARSE, "catalogue is not valid JSON");
    int rc = HITL_OK;
    if (!cJSON_IsObject(root) && !cJSON_IsArray(root)) {
        rc = hitl_err_set(err, HITL_E_INVALID, "catalogue must be a document or an array of them");
        goto out;
    }
    size_t cap = count_entries(root);
    out->entries = calloc(cap ? cap : 1, sizeof *out->entries);
    if (!out->entries) {
        rc = hitl_err_set(err, HITL_E_NOMEM, "out of memory");
        goto out;
    }
    if (cJSON_IsObject(root)) {
        rc = parse_doc(root, out, cap, err);
    } else {
        const cJSON *doc;
        cJSON_ArrayForEach(doc, root)
        {
            if ((rc = parse_doc(doc, out, cap, err)))
                break;
        }
    }
out:
    cJSON_Delete(root);
    if (rc)
        hitl_catalog_free(out);
    return rc;
}

int hitl_catalog_load_builtin(hitl_catalog *out, hitl_err *err)
{
    return hitl_catalog_parse(hitl_catalog_json, hitl_catalog_json_len, out, err);
}

void hitl_catalog_free(hitl_catalog *cat)
{
    for (size_t i = 0; i < cat->n; i++)
        entry_free(&cat->entries[i]);
    free(cat->entries);
    cat->entries = NULL;
    cat->n = 0;
}

const hitl_catalog_entry *hitl_catalog_find(const hitl_catalog *cat, const char *id)
{
    for (size_t i = 0; i < cat->n; i++)
        if (!strcmp(cat->entries[i].id, id))
            return &cat->entries[i];
    return NULL;
}

int hitl_catalog_bind(hitl_catalog *cat, const hitl_check_impl *impls, size_t n_impls,
                      hitl_err *err)
{
    for (size_t i = 0; i < n_impls; i++) {
        hitl_catalog_entry *e = (hitl_catalog_entry *)hitl_catalog_find(cat, impls[i].id);
        if (!e)
            return hitl_err_set(
                err, HITL_E_INVALID,
                "check %s is implemented but not in the catalogue (specs/checks.json)",
                impls[i].id);
        if (e->impl)
            return hitl_err_set(err, HITL_E_INVALID, "check %s is implemented twice", impls[i].id);
        e->impl = &impls[i];
    }
    for (size_t i = 0; i < cat->n; i++)
        if (!cat->entries[i].impl)
            return hitl_err_set(err, HITL_E_INVALID,
                                "check %s is in the catalogue but has no implementation",
                                cat->entries[i].id);
    return HITL_OK;
}

bool hitl_catalog_matches(const hitl_catalog_entry *e, const char *sel)
{
    size_t n = strlen(sel);
    if (n == 0)
        return false;
    if (!strncmp(e->id, sel, n) && (e->id[n] == '\0' || e->id[n] == '.' || sel[n - 1] == '.'))
        return true;
    for (size_t i = 0; i < e->n_tags; i++)
        if (!strcmp(e->tags[i], sel))
            return true;
    return false;
}

static int check_selectors(const hitl_catalog *cat, const char *const *sels, size_t n,
                           const char *flag, hitl_err *err)
{
    for (size_t s = 0; s < n; s++) {
        bool any = false;
        for (size_t i = 0; i < cat->n && !any; i++)
            any = hitl_catalog_matches(&cat->entries[i], sels[s]);
        if (!any)
            return hitl_err_set(err, HITL_E_ARG,
                                "%s '%s' names no check ID, ID prefix or tag; "
                                "`hitlcheck list` shows them",
                                flag, sels[s]);
    }
    return HITL_OK;
}

int hitl_catalog_select(const hitl_catalog *cat, const char *const *only, size_t n_only,
                        const char *const *exclude, size_t n_exclude, bool *selected, hitl_err *err)
{
    int rc = check_selectors(cat, only, n_only, "--only", err);
    if (!rc)
        rc = check_selectors(cat, exclude, n_exclude, "--exclude", err);
    if (rc)
        return rc;
    size_t count = 0;
    for (size_t i = 0; i < cat->n; i++) {
        bool in = n_only == 0;
        for (size_t s = 0; s < n_only && !in; s++)
            in = hitl_catalog_matches(&cat->entries[i], only[s]);
        for (size_t s = 0; s < n_exclude && in; s++)
            in = !hitl_catalog_matches(&cat->entries[i], exclude[s]);
        selected[i] = in;
        count += in;
    }
    if (count == 0)
        return hitl_err_set(err, HITL_E_ARG,
                            "the selection (--only/--exclude) leaves no check to run");
    return HITL_OK;
}
