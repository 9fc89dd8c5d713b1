/* dsl_want.c: the small readers and matchers the DSL rules share (dsl_rules.h): typed field
 * access that names what is missing or mistyped, identifier and UUID shapes, and the one
 * failure message with its document path. */
#include "dsl_rules.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int dsl_fail(vctx *v, const char *path, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return hitl_err_set(v->err, HITL_E_INVALID, "%s: %s", path, msg);
}

/* snprintf for paths in messages, where truncation only shortens a message. */
const char *dsl_pathf(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, cap, fmt, ap);
    va_end(ap);
    return out;
}

const cJSON *dsl_get(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

const char *dsl_kind_name(const cJSON *x)
{
    if (cJSON_IsNull(x))
        return "null";
    if (cJSON_IsBool(x))
        return "a boolean";
    if (cJSON_IsNumber(x))
        return "a number";
    if (cJSON_IsString(x))
        return "a string";
    if (cJSON_IsArray(x))
        return "a list";
    return "a mapping";
}

bool dsl_one_of(const char *s, const char *const *set)
{
    for (; *set; set++)
        if (!strcmp(s, *set))
            return true;
    return false;
}

/* "a, b, c" for messages. */
const char *dsl_set_text(const char *const *set, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = '\0';
    for (; *set && o < cap; set++)
        o += (size_t)snprintf(buf + o, cap - o, "%s%s", o ? ", " : "", *set);
    return buf;
}

/* word_chars: |s| is 1 to |max| (0: any number of) characters of [A-Za-z0-9_]. */
static bool word_chars(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (!n || (max && n > max))
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9')))
            return false;
    }
    return true;
}

/* ^[A-Za-z_][A-Za-z0-9_]*$ with at most |max| characters (0: no limit). */
bool dsl_identifier(const char *s, size_t max)
{
    return word_chars(s, max) && !(s[0] >= '0' && s[0] <= '9');
}

/* A node id that {{#id.var#}} can name: [a-zA-Z0-9_]{1,50} (the template pattern's node part). */
bool dsl_node_id_ok(const char *s)
{
    return word_chars(s, 50);
}

bool dsl_uuid_ok(const char *s)
{
    if (strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        char c = s[i];
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (dash ? c != '-' : !hex)
            return false;
    }
    return true;
}

bool dsl_is_int(const cJSON *x)
{
    return cJSON_IsNumber(x) && isfinite(x->valuedouble) && x->valuedouble == floor(x->valuedouble);
}

/* want: |o|.|key| of the kind 's' string, 'a' list, 'o' mapping, 'b' boolean, 'n' number;
 * *out = NULL when it is absent and not |required|. */
int dsl_want(vctx *v, const cJSON *o, const char *key, const char *path, char kind, bool required,
             const cJSON **out)
{
    static const char *const kinds[] = {"s",         "a string", "a",         "a list", "o",
                                        "a mapping", "b",        "a boolean", "n",      "a number"};
    const cJSON *x = dsl_get(o, key);
    *out = NULL;
    if (!x)
        return required ? dsl_fail(v, path, "missing %s", key) : HITL_OK;
    bool ok = kind == 's'   ? cJSON_IsString(x)
              : kind == 'a' ? cJSON_IsArray(x)
              : kind == 'o' ? cJSON_IsObject(x)
              : kind == 'b' ? cJSON_IsBool(x)
                            : cJSON_IsNumber(x);
    if (!ok) {
        const char *expected = "?";
        for (size_t i = 0; i + 1 < sizeof kinds / sizeof kinds[0]; i += 2)
            if (kinds[i][0] == kind)
                expected = kinds[i + 1];
        return dsl_fail(v, path, "%s must be %s, not %s", key, expected, dsl_kind_name(x));
    }
    *out = x;
    return HITL_OK;
}

/* A string field that must be one of |set|. */
int dsl_want_enum(vctx *v, const cJSON *o, const char *key, const char *path, bool required,
                  const char *const *set, const char *what, const char **out)
{
    const cJSON *x;
    int rc = dsl_want(v, o, key, path, 's', required, &x);
    if (rc)
        return rc;
    if (out)
        *out = x ? x->valuestring : NULL;
    char buf[200];
    if (x && !dsl_one_of(x->valuestring, set))
        return dsl_fail(v, path, "%s '%s' is not %s (one of %s)", key, x->valuestring, what,
                        dsl_set_text(set, buf, sizeof buf));
    return HITL_OK;
}

/* A list of strings, each in |set| when |set| is given; at least |min| items. */
int dsl_want_strings(vctx *v, const cJSON *o, const char *key, const char *path, bool required,
                     size_t min, const char *const *set, const cJSON **out)
{
    const cJSON *a;
    if (out)
        *out = NULL;
    int rc = dsl_want(v, o, key, path, 'a', required, &a);
    if (rc || !a)
        return rc;
    if ((size_t)cJSON_GetArraySize(a) < min)
        return dsl_fail(v, path, "%s needs at least %zu item%s", key, min, min == 1 ? "" : "s");
    char buf[200];
    int i = 0;
    for (const cJSON *s = a->child; s; s = s->next, i++) {
        if (!cJSON_IsString(s))
            return dsl_fail(v, path, "%s[%d] must be a string, not %s", key, i, dsl_kind_name(s));
        if (set && !dsl_one_of(s->valuestring, set))
            return dsl_fail(v, path, "%s[%d] '%s' is not one of %s", key, i, s->valuestring,
                            dsl_set_text(set, buf, sizeof buf));
    }
    if (out)
        *out = a;
    return HITL_OK;
}

bool dsl_strings_contain(const cJSON *a, const char *s)
{
    for (const cJSON *x = a ? a->child : NULL; x; x = x->next)
        if (cJSON_IsString(x) && !strcmp(x->valuestring, s))
            return true;
    return false;
}

int dsl_node_index(const graph *g, const char *id)
{
    for (int i = 0; i < g->n; i++)
        if (!strcmp(g->id[i], id))
            return i;
    return -1;
}
