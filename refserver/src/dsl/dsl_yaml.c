/* dsl_yaml.c: a DSL file's YAML into cJSON, typed as Dify's yaml.safe_load types it (dsl.h).
 * Dify reads a DSL with PyYAML's safe_load (api/services/app_dsl_service.py@
 * 017dca475b3769f4625976512a8542c63dd656ea), a YAML 1.1 resolver: that is why `version: 0.6`
 * is a float there (and refused) while `version: 0.6.0` is a string. */
#include "dsl.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct conv {
    yaml_document_t *doc;
    size_t values; /* counted per visit, so aliases count each time they expand */
    hitl_err *err;
};

static size_t line_of(const yaml_node_t *n)
{
    return n->start_mark.line + 1;
}

static bool is_one_of(const char *s, size_t n, const char *const *set)
{
    for (; *set; set++)
        if (strlen(*set) == n && !memcmp(*set, s, n))
            return true;
    return false;
}

/* Copies |s| (|n| bytes) without the '_' digit separators YAML 1.1 allows; false when it
 * does not fit |cap|. */
static bool strip_underscores(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '_')
            continue;
        if (o + 1 >= cap)
            return false;
        out[o++] = s[i];
    }
    out[o] = '\0';
    return true;
}

static bool all_in(const char *s, size_t n, const char *chars)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] != '_' && !strchr(chars, s[i]))
            return false;
    return true;
}

/* PyYAML's int forms (sexagesimal 1:30 excepted): [-+]?0b[01_]+, [-+]?0[0-7_]+,
 * [-+]?(0|[1-9][0-9_]*), [-+]?0x[0-9a-fA-F_]+. Sets *v and returns true on a match. */
static bool plain_int(const char *s, size_t n, double *v)
{
    size_t i = (n && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
    int base = 10;
    size_t digits = i;
    if (n - i >= 2 && s[i] == '0' && s[i + 1] == 'b' && all_in(s + i + 2, n - i - 2, "01")) {
        base = 2;
        digits = i + 2;
    } else if (n - i >= 2 && s[i] == '0' && s[i + 1] == 'x' &&
               all_in(s + i + 2, n - i - 2, "0123456789abcdefABCDEF")) {
        base = 16;
        digits = i + 2;
    } else if (n - i >= 2 && s[i] == '0' && all_in(s + i + 1, n - i - 1, "01234567")) {
        base = 8;
        digits = i + 1;
    } else if (n - i == 1 && s[i] == '0') {
        base = 10;
    } else if (n - i >= 1 && s[i] >= '1' && s[i] <= '9' && all_in(s + i, n - i, "0123456789")) {
        base = 10;
    } else {
        return false;
    }
    char buf[80];
    if (!strip_underscores(s + digits, n - digits, buf, sizeof buf) || !buf[0])
        return false;
    errno = 0;
    unsigned long long u = strtoull(buf, NULL, base);
    double d = errno == ERANGE ? (double)1e308 : (double)u;
    *v = (i && s[0] == '-') ? -d : d;
    return true;
}

/* PyYAML's float forms: [-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)?, [-+]?\.[0-9_]+(...)?,
 * [-+]?\.inf and \.nan in three spellings. A float always has a dot. */
static bool plain_float(const char *s, size_t n, double *v)
{
    static const char *const inf[] = {".inf", ".Inf", ".INF", NULL};
    static const char *const nan[] = {".nan", ".NaN", ".NAN", NULL};
    size_t i = (n && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
    if (is_one_of(s + i, n - i, inf)) {
        *v = (i && s[0] == '-') ? -HUGE_VAL : HUGE_VAL;
        return true;
    }
    if (!i && is_one_of(s, n, nan)) {
        *v = 0.0; /* cJSON cannot hold NaN; no DSL rule reads a number's value beyond type */
        return true;
    }
    size_t p = i, int_digits = 0, frac_digits = 0;
    if (p < n && s[p] >= '0' && s[p] <= '9') {
        while (p < n && ((s[p] >= '0' && s[p] <= '9') || s[p] == '_'))
            p++, int_digits++;
    }
    if (p >= n || s[p] != '.')
        return false;
    p++;
    while (p < n && ((s[p] >= '0' && s[p] <= '9') || s[p] == '_'))
        p++, frac_digits++;
    if (!int_digits && !frac_digits)
        return false;
    if (p < n && (s[p] == 'e' || s[p] == 'E')) {
        p++;
        if (p >= n || (s[p] != '-' && s[p] != '+'))
            return false;
        p++;
        size_t exp_digits = 0;
        while (p < n && s[p] >= '0' && s[p] <= '9')
            p++, exp_digits++;
        if (!exp_digits)
            return false;
    }
    if (p != n)
        return false;
    char buf[128];
    if (!strip_underscores(s, n, buf, sizeof buf))
        return false;
    *v = strtod(buf, NULL);
    return true;
}

static int scalar(struct conv *c, const yaml_node_t *n, cJSON **out)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const trues[] = {"true", "True", "TRUE", "yes", "Yes",
                                        "YES",  "on",   "On",   "ON",  NULL};
    static const char *const falses[] = {"false", "False", "FALSE", "no",  "No",
                                         "NO",    "off",   "Off",   "OFF", NULL};
    const char *s = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;
    if (memchr(s, '\0', len))
        return hitl_err_set(c->err, HITL_E_PARSE, "line %zu: a NUL character in a scalar",
                            line_of(n));
    double num;
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        *out = cJSON_CreateString(s);
    else if (is_one_of(s, len, nulls))
        *out = cJSON_CreateNull();
    else if (is_one_of(s, len, trues))
        *out = cJSON_CreateTrue();
    else if (is_one_of(s, len, falses))
        *out = cJSON_CreateFalse();
    else if (plain_int(s, len, &num) || plain_float(s, len, &num))
        *out = cJSON_CreateNumber(num);
    else
        *out = cJSON_CreateString(s);
    return *out ? HITL_OK : hitl_err_set(c->err, HITL_E_NOMEM, "out of memory");
}

static int convert(struct conv *c, yaml_node_t *n, int depth, cJSON **out);

static int sequence(struct conv *c, yaml_node_t *n, int depth, cJSON **out)
{
    cJSON *arr = cJSON_CreateArray();
    if (!arr)
        return hitl_err_set(c->err, HITL_E_NOMEM, "out of memory");
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++) {
        cJSON *item = NULL;
        int rc = convert(c, yaml_document_get_node(c->doc, *it), depth + 1, &item);
        if (rc) {
            cJSON_Delete(arr);
            return rc;
        }
        cJSON_AddItemToArray(arr, item);
    }
    *out = arr;
    return HITL_OK;
}

static int mapping(struct conv *c, yaml_node_t *n, int depth, cJSON **out)
{
    cJSON *obj = cJSON_CreateObject();
    if (!obj)
        return hitl_err_set(c->err, HITL_E_NOMEM, "out of memory");
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        int rc = HITL_OK;
        if (!k || k->type != YAML_SCALAR_NODE ||
            memchr(k->data.scalar.value, '\0', k->data.scalar.length))
            rc = hitl_err_set(c->err, HITL_E_PARSE, "line %zu: a mapping key that is not a string",
                              k ? line_of(k) : line_of(n));
        const char *key = rc ? NULL : (const char *)k->data.scalar.value;
        /* PyYAML keeps the last of two equal keys; a DSL that says a thing twice is a mistake
         * worth naming, so it is refused here. */
        if (!rc && cJSON_GetObjectItemCaseSensitive(obj, key))
            rc = hitl_err_set(c->err, HITL_E_INVALID, "line %zu: the key '%s' appears twice",
                              line_of(k), key);
        cJSON *val = NULL;
        if (!rc)
            rc = convert(c, yaml_document_get_node(c->doc, p->value), depth + 1, &val);
        if (rc) {
            cJSON_Delete(obj);
            return rc;
        }
        cJSON_AddItemToObject(obj, key, val);
    }
    *out = obj;
    return HITL_OK;
}

static int convert(struct conv *c, yaml_node_t *n, int depth, cJSON **out)
{
    *out = NULL;
    if (!n)
        return hitl_err_set(c->err, HITL_E_PARSE, "a YAML node refers to nothing");
    /* An anchor on a collection can be aliased inside itself (&a [*a]): the depth cap ends
     * that recursion; the value count ends alias bombs that expand without nesting deep. */
    if (depth > RS_DSL_MAX_DEPTH)
        return hitl_err_set(c->err, HITL_E_TOO_BIG,
                            "line %zu: nested deeper than %d levels (or an alias inside itself)",
                            line_of(n), RS_DSL_MAX_DEPTH);
    if (++c->values > RS_DSL_MAX_VALUES)
        return hitl_err_set(c->err, HITL_E_TOO_BIG,
                            "line %zu: more than %d values once aliases are expanded", line_of(n),
                            RS_DSL_MAX_VALUES);
    switch (n->type) {
    case YAML_SCALAR_NODE:
        return scalar(c, n, out);
    case YAML_SEQUENCE_NODE:
        return sequence(c, n, depth, out);
    case YAML_MAPPING_NODE:
        return mapping(c, n, depth, out);
    default:
        return hitl_err_set(c->err, HITL_E_PARSE, "line %zu: an empty YAML node", line_of(n));
    }
}

int rs_dsl_from_yaml(const char *text, size_t len, cJSON **out, hitl_err *err)
{
    if (!text || !out)
        return hitl_err_set(err, HITL_E_ARG, "rs_dsl_from_yaml: no text or no output");
    *out = NULL;
    if (len > RS_DSL_MAX_BYTES)
        return hitl_err_set(err, HITL_E_TOO_BIG, "%zu bytes, more than the %d a DSL may have", len,
                            RS_DSL_MAX_BYTES);
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser))
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        int rc = hitl_err_set(err, parser.error == YAML_MEMORY_ERROR ? HITL_E_NOMEM : HITL_E_PARSE,
                              "line %zu, column %zu: %s%s%s", parser.problem_mark.line + 1,
                              parser.problem_mark.column + 1,
                              parser.problem ? parser.problem : "malformed YAML",
                              parser.context ? " " : "", parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        return rc;
    }
    int rc = HITL_OK;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root || root->type != YAML_MAPPING_NODE) {
        rc = hitl_err_set(err, HITL_E_PARSE,
                          "the document is not a mapping (Dify: \"content "
                          "must be a mapping\")");
    } else {
        struct conv c = {.doc = &doc, .values = 0, .err = err};
        rc = convert(&c, root, 0, out);
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return rc;
}

int rs_dsl_load_file(const char *path, unsigned flags, cJSON **out, hitl_err *err)
{
    if (!path || !out)
        return hitl_err_set(err, HITL_E_ARG, "rs_dsl_load_file: no path or no output");
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return hitl_err_set(err, HITL_E_IO, "%s: cannot open: %s", path, strerror(errno));
    char *text = malloc((size_t)RS_DSL_MAX_BYTES + 1);
    if (!text) {
        fclose(f);
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory");
    }
    size_t len = fread(text, 1, (size_t)RS_DSL_MAX_BYTES + 1, f);
    /* Read and size errors name the path themselves; parse and rule errors get it after. */
    int rc = ferror(f) ? hitl_err_set(err, HITL_E_IO, "%s: read error", path) : HITL_OK;
    fclose(f);
    if (!rc && len > RS_DSL_MAX_BYTES)
        rc = hitl_err_set(err, HITL_E_TOO_BIG, "%s: larger than %d bytes", path, RS_DSL_MAX_BYTES);
    bool named = rc != HITL_OK;
    cJSON *dsl = NULL;
    if (!rc)
        rc = rs_dsl_from_yaml(text, len, &dsl, err);
    free(text);
    if (!rc)
        rc = rs_dsl_validate(dsl, flags, err);
    if (rc) {
        cJSON_Delete(dsl);
        if (!named)
            hitl_err_prefix(err, "%s", path);
        return rc;
    }
    *out = dsl;
    return HITL_OK;
}
