/* json.c: bounded cJSON parsing, typed getters, JSON paths and quoted excerpts. */
#include "hitl/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- strict syntax scan ----
 * cJSON is lenient where a conformance harness must not be: it takes any byte <= 0x20 as
 * whitespace, raw control bytes inside strings, and numbers such as 01, +1, .5 or 1. (all
 * rejected by RFC 8259 and by Python's json, which Dify's peers use). So every text is first
 * scanned against the RFC grammar, iteratively with a bounded stack that also enforces
 * HITL_JSON_MAX_DEPTH; cJSON then only builds the tree. */

typedef struct scan {
    const char *s;
    size_t len, pos;
    const char *why; /* the first violation, NULL while fine */
    char whybuf[64];
} scan;

static bool at_end(const scan *z)
{
    return z->pos >= z->len;
}

static void skip_ws(scan *z)
{
    while (!at_end(z) && (z->s[z->pos] == ' ' || z->s[z->pos] == '\t' || z->s[z->pos] == '\n' ||
                          z->s[z->pos] == '\r'))
        z->pos++;
}

/* Records the violation; NULL means the text ended where more was needed. */
static bool fail(scan *z, const char *why)
{
    z->why = why ? why : "unexpected end of the text";
    return false;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Length of the run of plain string bytes (not '"', not '\\', not a control byte) at the
 * start of s[0..n). Eight bytes at a time (SWAR): a word holds a stop byte iff one of the
 * three tests below leaves a high bit set; the byte loop then finds which. Strings are most
 * of a JSON text, and this is most of the strict scan's time (and, in a fuzzing build, of
 * its comparison callbacks). */
static size_t plain_run(const char *s, size_t n)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
        if ((((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w)) & highs)
            break;
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\' || c < 0x20)
            break;
    }
    return i;
}

static bool scan_string(scan *z)
{
    z->pos++; /* the opening quote */
    while (!at_end(z)) {
        z->pos += plain_run(z->s + z->pos, z->len - z->pos);
        if (at_end(z))
            break;
        unsigned char c = (unsigned char)z->s[z->pos];
        if (c == '"') {
            z->pos++;
            return true;
        }
        if (c < 0x20) {
            snprintf(z->whybuf, sizeof z->whybuf, "raw control byte 0x%02x inside a string", c);
            return fail(z, z->whybuf);
        }
        if (c == '\\') {
            z->pos++;
            if (at_end(z))
                break;
            char e = z->s[z->pos];
            if (e == 'u') {
                for (int i = 1; i <= 4; i++)
                    if (z->pos + (size_t)i >= z->len || !is_hex(z->s[z->pos + (size_t)i])) {
                        z->pos += (size_t)i;
                        return fail(z, "bad \\u escape in a string");
                    }
                z->pos += 4;
            } else if (!strchr("\"\\/bfnrt", e) || e == '\0') {
                return fail(z, "bad escape in a string");
            }
        }
        z->pos++;
    }
    return fail(z, "unterminated string");
}

static bool scan_digits(scan *z)
{
    if (at_end(z) || !is_digit(z->s[z->pos]))
        return fail(z, "a number needs a digit here");
    while (!at_end(z) && is_digit(z->s[z->pos]))
        z->pos++;
    return true;
}

static bool scan_number(scan *z)
{
    if (z->s[z->pos] == '-')
        z->pos++;
    if (!at_end(z) && z->s[z->pos] == '0') {
        z->pos++;
        if (!at_end(z) && is_digit(z->s[z->pos]))
            return fail(z, "a number may not have a leading zero");
    } else if (!scan_digits(z)) {
        return false;
    }
    if (!at_end(z) && z->s[z->pos] == '.') {
        z->pos++;
        if (!scan_digits(z))
            return false;
    }
    if (!at_end(z) && (z->s[z->pos] == 'e' || z->s[z->pos] == 'E')) {
        z->pos++;
        if (!at_end(z) && (z->s[z->pos] == '+' || z->s[z->pos] == '-'))
            z->pos++;
        if (!scan_digits(z))
            return false;
    }
    return true;
}

static bool scan_literal(scan *z, const char *word)
{
    size_t n = strlen(word);
    if (z->len - z->pos < n || memcmp(z->s + z->pos, word, n) != 0)
        return fail(z, "unexpected character");
    z->pos += n;
    return true;
}

/* One JSON value, then only whitespace. Containers are tracked on a bounded stack. */
static bool scan_text(scan *z)
{
    enum { S_VALUE, S_KEY, S_AFTER } state = S_VALUE;
    char stack[HITL_JSON_MAX_DEPTH];
    size_t depth = 0;
    skip_ws(z);
    for (;;) {
        if (state == S_AFTER)
            skip_ws(z);
        if (state == S_AFTER && depth == 0)
            return at_end(z) || fail(z, "unexpected data after the value");
        if (at_end(z))
            return fail(z, NULL);
        char c = z->s[z->pos];
        if (state == S_KEY) {
            if (c != '"')
                return fail(z, "expected a string key");
            if (!scan_string(z))
                return false;
            skip_ws(z);
            if (at_end(z) || z->s[z->pos] != ':')
                return fail(z, "expected ':'");
            z->pos++;
            skip_ws(z);
            state = S_VALUE;
        } else if (state == S_AFTER) {
            char top = stack[depth - 1];
            if (c == (top == '{' ? '}' : ']')) {
                z->pos++;
                depth--;
            } else if (c == ',') {
                z->pos++;
                skip_ws(z);
                state = top == '{' ? S_KEY : S_VALUE;
            } else {
                return fail(z, top == '{' ? "expected ',' or '}'" : "expected ',' or ']'");
            }
        } else if (c == '{' || c == '[') {
            if (depth == HITL_JSON_MAX_DEPTH) {
                snprintf(z->whybuf, sizeof z->whybuf, "nesting deeper than %d levels",
                         HITL_JSON_MAX_DEPTH);
                return fail(z, z->whybuf);
            }
            stack[depth++] = c;
            z->pos++;
            skip_ws(z);
            if (!at_end(z) && z->s[z->pos] == (c == '{' ? '}' : ']')) {
                z->pos++;
                depth--;
                state = S_AFTER;
            } else {
                state = c == '{' ? S_KEY : S_VALUE;
            }
        } else {
            bool ok = c == '"'                  ? scan_string(z)
                      : c == '-' || is_digit(c) ? scan_number(z)
                      : c == 't'                ? scan_literal(z, "true")
                      : c == 'f'                ? scan_literal(z, "false")
                                                : scan_literal(z, "null");
            if (!ok)
                return false;
            state = S_AFTER;
        }
    }
}

int hitl_json_check(const char *text, size_t len, size_t max_len, hitl_err *err)
{
    if (len > max_len)
        return hitl_err_set(err, HITL_E_TOO_BIG,
                            "JSON text is %zu bytes, over the %zu-byte cap; refusing to parse it",
                            len, max_len);
    scan z = {.s = text, .len = len};
    skip_ws(&z);
    if (at_end(&z))
        return hitl_err_set(err, HITL_E_PARSE, "not valid JSON: the text is empty");
    z.pos = 0;
    if (!scan_text(&z))
        return hitl_err_set(err, HITL_E_PARSE, "not valid JSON: %s at byte %zu of %zu", z.why,
                            z.pos, len);
    return HITL_OK;
}

int hitl_json_parse(const char *text, size_t len, size_t max_len, cJSON **out, hitl_err *err)
{
    *out = NULL;
    int rc = hitl_json_check(text, len, max_len, err);
    if (rc)
        return rc;
    /* A private NUL-terminated copy: cJSON is handed a buffer it cannot read past even if
     * one of its length checks were off, and the caller's text need not be terminated. */
    char *copy = malloc(len + 1);
    if (!copy)
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory copying %zu bytes of JSON", len);
    memcpy(copy, text, len);
    copy[len] = '\0';
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(copy, len, &end, 0);
    size_t pos = end ? (size_t)(end - copy) : 0;
    free(copy);
    if (!root)
        /* Valid JSON cJSON cannot hold: it reads at most 63 characters of a number. */
        return hitl_err_set(err, HITL_E_PARSE,
                            "valid JSON that cJSON cannot read (a number longer than 63 "
                            "characters?) at byte %zu of %zu",
                            pos, len);
    *out = root;
    return HITL_OK;
}

static hitl_json_field lookup(const cJSON *obj, const char *key, const cJSON **item)
{
    if (!cJSON_IsObject(obj))
        return HITL_JSON_ABSENT;
    *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!*item)
        return HITL_JSON_ABSENT;
    if (cJSON_IsNull(*item))
        return HITL_JSON_NULL;
    return HITL_JSON_OK;
}

hitl_json_field hitl_json_get_string(const cJSON *obj, const char *key, const char **out)
{
    const cJSON *it = NULL;
    hitl_json_field r = lookup(obj, key, &it);
    if (r != HITL_JSON_OK)
        return r;
    if (!cJSON_IsString(it) || !it->valuestring)
        return HITL_JSON_WRONG_TYPE;
    *out = it->valuestring;
    return HITL_JSON_OK;
}

hitl_json_field hitl_json_get_bool(const cJSON *obj, const char *key, bool *out)
{
    const cJSON *it = NULL;
    hitl_json_field r = lookup(obj, key, &it);
    if (r != HITL_JSON_OK)
        return r;
    if (!cJSON_IsBool(it))
        return HITL_JSON_WRONG_TYPE;
    *out = cJSON_IsTrue(it);
    return HITL_JSON_OK;
}

hitl_json_field hitl_json_get_int64(const cJSON *obj, const char *key, int64_t *out)
{
    const cJSON *it = NULL;
    hitl_json_field r = lookup(obj, key, &it);
    if (r != HITL_JSON_OK)
        return r;
    return hitl_json_int64(it, out);
}

hitl_json_field hitl_json_get_object(const cJSON *obj, const char *key, const cJSON **out)
{
    const cJSON *it = NULL;
    hitl_json_field r = lookup(obj, key, &it);
    if (r != HITL_JSON_OK)
        return r;
    if (!cJSON_IsObject(it))
        return HITL_JSON_WRONG_TYPE;
    *out = it;
    return HITL_JSON_OK;
}

hitl_json_field hitl_json_get_array(const cJSON *obj, const char *key, const cJSON **out)
{
    const cJSON *it = NULL;
    hitl_json_field r = lookup(obj, key, &it);
    if (r != HITL_JSON_OK)
        return r;
    if (!cJSON_IsArray(it))
        return HITL_JSON_WRONG_TYPE;
    *out = it;
    return HITL_JSON_OK;
}

hitl_json_field hitl_json_int64(const cJSON *item, int64_t *out)
{
    if (!item)
        return HITL_JSON_ABSENT;
    if (cJSON_IsNull(item))
        return HITL_JSON_NULL;
    if (!cJSON_IsNumber(item))
        return HITL_JSON_WRONG_TYPE;
    double d = item->valuedouble;
    if (!isfinite(d))
        return HITL_JSON_NOT_INTEGER;
    /* 2^53 - 1: beyond it neighbouring integers share a double, so the literal may differ. */
    const double safe = 9007199254740991.0;
    if (d > safe || d < -safe)
        return HITL_JSON_INEXACT;
    int64_t v = (int64_t)d;
    if ((double)v != d)
        return HITL_JSON_NOT_INTEGER;
    *out = v;
    return HITL_JSON_OK;
}

bool hitl_json_text_has_nul(const char *text, size_t len)
{
    if (!text)
        return false;
    if (memchr(text, '\0', len))
        return true;
    for (size_t i = 0; i + 6 <= len; i++)
        if (text[i] == '\\' && text[i + 1] == 'u' && !memcmp(text + i + 2, "0000", 4))
            return true;
    return false;
}

const char *hitl_json_type_name(const cJSON *item)
{
    if (!item)
        return "nothing";
    if (cJSON_IsString(item))
        return "string";
    if (cJSON_IsNumber(item))
        return "number";
    if (cJSON_IsBool(item))
        return "boolean";
    if (cJSON_IsNull(item))
        return "null";
    if (cJSON_IsArray(item))
        return "array";
    if (cJSON_IsObject(item))
        return "object";
    return "raw";
}

/* ---- paths ---- */

void hitl_json_path_init(hitl_json_path *p)
{
    p->buf[0] = '$';
    p->buf[1] = '\0';
    p->len = 1;
}

/* Appends what fits, keeping room for "..." and the NUL; a cut path ends in "...". */
static void path_append(hitl_json_path *p, const char *s, size_t n)
{
    const size_t limit = HITL_JSON_PATH_MAX - 4;
    if (p->len >= limit)
        return;
    size_t fit = n < limit - p->len ? n : limit - p->len;
    memcpy(p->buf + p->len, s, fit);
    p->len += fit;
    if (fit < n) {
        memcpy(p->buf + p->len, "...", 3);
        p->len += 3;
    }
    p->buf[p->len] = '\0';
}

static bool is_identifier(const char *s)
{
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
        return false;
    for (s++; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return false;
    return true;
}

size_t hitl_json_path_push_key(hitl_json_path *p, const char *key)
{
    size_t mark = p->len;
    size_t n = strlen(key);
    if (is_identifier(key) && n <= 64) {
        path_append(p, ".", 1);
        path_append(p, key, n);
    } else {
        char q[200];
        hitl_json_excerpt(key, n, 40, q, sizeof q);
        path_append(p, "[", 1);
        path_append(p, q, strlen(q));
        path_append(p, "]", 1);
    }
    return mark;
}

size_t hitl_json_path_push_index(hitl_json_path *p, size_t index)
{
    size_t mark = p->len;
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "[%zu]", index);
    path_append(p, tmp, (size_t)n);
    return mark;
}

void hitl_json_path_pop(hitl_json_path *p, size_t mark)
{
    if (mark < p->len) {
        p->len = mark;
        p->buf[mark] = '\0';
    }
}

/* ---- excerpts ---- */

const char *hitl_json_excerpt(const char *s, size_t len, size_t max_bytes, char *out,
                              size_t out_size)
{
    static const char hex[] = "0123456789abcdef";
    if (out_size < 8) {
        if (out_size)
            out[0] = '\0';
        return out;
    }
    size_t take = len < max_bytes ? len : max_bytes;
    /* Never end inside a UTF-8 sequence: back up over continuation bytes at the cut. */
    if (take < len)
        while (take > 0 && ((unsigned char)s[take] & 0xC0) == 0x80)
            take--;
    bool cut = take < len;
    size_t o = 0;
    out[o++] = '"';
    for (size_t i = 0; i < take; i++) {
        /* Worst case per byte is 6 ("\u00XX"), then the closing quote, "..." and NUL. */
        if (o + 6 + 5 > out_size) {
            cut = true;
            while (o > 1 && ((unsigned char)out[o - 1] & 0xC0) == 0x80)
                o--;
            if (o > 1 && ((unsigned char)out[o - 1] & 0xC0) == 0xC0)
                o--;
            break;
        }
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c == '\n') {
            out[o++] = '\\';
            out[o++] = 'n';
        } else if (c == '\t') {
            out[o++] = '\\';
            out[o++] = 't';
        } else if (c == '\r') {
            out[o++] = '\\';
            out[o++] = 'r';
        } else if (c < 0x20 || c == 0x7f) {
            memcpy(out + o, "\\u00", 4);
            o += 4;
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        } else {
            out[o++] = (char)c;
        }
    }
    out[o++] = '"';
    if (cut) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
    return out;
}

size_t hitl_json_utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}
