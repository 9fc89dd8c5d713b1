/* json_schema_check.c: a small JSON Schema validator for the subset that
 * specs/report.schema.json uses, so tests validate report.json without python in the
 * CI dependency list. Supported: $ref (local "#/$defs/<name>"), type (a name or a list),
 * enum, const, required, properties, additionalProperties (false), items, minimum,
 * maximum, pattern (POSIX extended regex, which the schema's patterns are written in).
 * Any other keyword is refused, so the schema cannot silently outgrow the checker.
 *
 * Built twice: into test_report (hitl_json_schema_validate) and, with
 * JSON_SCHEMA_CHECK_MAIN, as the `json_schema_check SCHEMA FILE…` tool of the CLI tests. */
#include "json_schema_check.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

static int fail(char *why, size_t cap, const char *path, const char *msg, const char *detail)
{
    snprintf(why, cap, "%s: %s%s%s", *path ? path : "(root)", msg, detail ? " " : "",
             detail ? detail : "");
    return -1;
}

static bool type_is(const cJSON *v, const char *t)
{
    if (!strcmp(t, "object"))
        return cJSON_IsObject(v);
    if (!strcmp(t, "array"))
        return cJSON_IsArray(v);
    if (!strcmp(t, "string"))
        return cJSON_IsString(v);
    if (!strcmp(t, "boolean"))
        return cJSON_IsBool(v);
    if (!strcmp(t, "null"))
        return cJSON_IsNull(v);
    if (!strcmp(t, "number"))
        return cJSON_IsNumber(v);
    if (!strcmp(t, "integer"))
        return cJSON_IsNumber(v) && v->valuedouble == (double)(long long)v->valuedouble;
    return false;
}

static int validate(const cJSON *root, const cJSON *s, const cJSON *v, const char *path, int depth,
                    char *why, size_t cap);

static int check_keyword(const cJSON *root, const cJSON *s, const cJSON *kw, const cJSON *v,
                         const char *path, int depth, char *why, size_t cap)
{
    const char *k = kw->string;
    if (!strcmp(k, "$schema") || !strcmp(k, "$id") || !strcmp(k, "title") ||
        !strcmp(k, "description") || !strcmp(k, "$defs"))
        return 0;
    if (!strcmp(k, "$ref")) {
        const char *prefix = "#/$defs/";
        if (!cJSON_IsString(kw) || strncmp(kw->valuestring, prefix, strlen(prefix)))
            return fail(why, cap, path, "unsupported $ref",
                        cJSON_IsString(kw) ? kw->valuestring : "");
        const cJSON *target = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(root, "$defs"), kw->valuestring + strlen(prefix));
        if (!target)
            return fail(why, cap, path, "dangling $ref", kw->valuestring);
        return validate(root, target, v, path, depth + 1, why, cap);
    }
    if (!strcmp(k, "type")) {
        if (cJSON_IsString(kw))
            return type_is(v, kw->valuestring)
                       ? 0
                       : fail(why, cap, path, "is not of type", kw->valuestring);
        const cJSON *t;
        cJSON_ArrayForEach(t, kw)
        {
            if (cJSON_IsString(t) && type_is(v, t->valuestring))
                return 0;
        }
        return fail(why, cap, path, "is of none of the allowed types", NULL);
    }
    if (!strcmp(k, "enum")) {
        const cJSON *e;
        cJSON_ArrayForEach(e, kw)
        {
            if (cJSON_Compare(e, v, true))
                return 0;
        }
        char *got = cJSON_PrintUnformatted(v);
        int rc = fail(why, cap, path, "is not one of the enum values:", got);
        free(got);
        return rc;
    }
    if (!strcmp(k, "const"))
        return cJSON_Compare(kw, v, true) ? 0 : fail(why, cap, path, "differs from const", NULL);
    if (!strcmp(k, "required")) {
        if (!cJSON_IsObject(v))
            return 0;
        const cJSON *r;
        cJSON_ArrayForEach(r, kw)
        {
            if (!cJSON_GetObjectItemCaseSensitive(v, r->valuestring))
                return fail(why, cap, path, "lacks the required member", r->valuestring);
        }
        return 0;
    }
    if (!strcmp(k, "properties")) {
        if (!cJSON_IsObject(v))
            return 0;
        const cJSON *p;
        cJSON_ArrayForEach(p, kw)
        {
            const cJSON *m = cJSON_GetObjectItemCaseSensitive(v, p->string);
            char sub[512];
            snprintf(sub, sizeof sub, "%s.%s", path, p->string);
            if (m && validate(root, p, m, sub, depth + 1, why, cap))
                return -1;
        }
        return 0;
    }
    if (!strcmp(k, "additionalProperties")) {
        if (!cJSON_IsFalse(kw))
            return fail(why, cap, path, "the checker supports only additionalProperties: false",
                        NULL);
        if (!cJSON_IsObject(v))
            return 0;
        const cJSON *props = cJSON_GetObjectItemCaseSensitive(s, "properties");
        const cJSON *m;
        cJSON_ArrayForEach(m, v)
        {
            if (!cJSON_GetObjectItemCaseSensitive(props, m->string))
                return fail(why, cap, path, "has a member the schema does not allow:", m->string);
        }
        return 0;
    }
    if (!strcmp(k, "items")) {
        if (!cJSON_IsArray(v))
            return 0;
        int i = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, v)
        {
            char sub[512];
            snprintf(sub, sizeof sub, "%s[%d]", path, i++);
            if (validate(root, kw, e, sub, depth + 1, why, cap))
                return -1;
        }
        return 0;
    }
    if (!strcmp(k, "minimum") || !strcmp(k, "maximum")) {
        if (!cJSON_IsNumber(v))
            return 0;
        bool ok =
            k[1] == 'i' ? v->valuedouble >= kw->valuedouble : v->valuedouble <= kw->valuedouble;
        return ok ? 0 : fail(why, cap, path, "is out of range:", k);
    }
    if (!strcmp(k, "pattern")) {
        if (!cJSON_IsString(v))
            return 0;
        regex_t re;
        if (regcomp(&re, kw->valuestring, REG_EXTENDED | REG_NOSUB))
            return fail(why, cap, path, "the schema's pattern does not compile:", kw->valuestring);
        int m = regexec(&re, v->valuestring, 0, NULL, 0);
        regfree(&re);
        return m == 0 ? 0 : fail(why, cap, path, "does not match", kw->valuestring);
    }
    return fail(why, cap, path, "the checker does not support the keyword", k);
}

static int validate(const cJSON *root, const cJSON *s, const cJSON *v, const char *path, int depth,
                    char *why, size_t cap)
{
    if (depth > MAX_DEPTH)
        return fail(why, cap, path, "schema nesting too deep ($ref loop?)", NULL);
    if (!cJSON_IsObject(s))
        return fail(why, cap, path, "schema is not an object", NULL);
    const cJSON *kw;
    cJSON_ArrayForEach(kw, s)
    {
        if (check_keyword(root, s, kw, v, path, depth, why, cap))
            return -1;
    }
    return 0;
}

int hitl_json_schema_validate(const cJSON *schema, const cJSON *doc, char *why, size_t cap)
{
    why[0] = '\0';
    return validate(schema, schema, doc, "", 0, why, cap);
}

#ifdef JSON_SCHEMA_CHECK_MAIN
static cJSON *load(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *text = NULL;
    size_t len = 0, cap = 0;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            char *g = realloc(text, cap);
            if (!g) {
                free(text);
                fclose(f);
                return NULL;
            }
            text = g;
        }
        memcpy(text + len, chunk, n);
        len += n;
    }
    fclose(f);
    cJSON *j = text ? cJSON_ParseWithLength(text, len) : NULL;
    free(text);
    return j;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: json_schema_check SCHEMA FILE...\n");
        return 2;
    }
    cJSON *schema = load(argv[1]);
    if (!schema) {
        fprintf(stderr, "json_schema_check: cannot read or parse %s\n", argv[1]);
        return 2;
    }
    int bad = 0;
    for (int i = 2; i < argc; i++) {
        cJSON *doc = load(argv[i]);
        char why[1024];
        if (!doc) {
            fprintf(stderr, "%s: not JSON\n", argv[i]);
            bad = 1;
        } else if (hitl_json_schema_validate(schema, doc, why, sizeof why)) {
            fprintf(stderr, "%s: %s\n", argv[i], why);
            bad = 1;
        }
        cJSON_Delete(doc);
    }
    cJSON_Delete(schema);
    return bad;
}
#endif
