/* planted_bugs.c: the planted bugs of planted_bugs.h, behind --bug and --list-bugs. */
#include "planted_bugs.h"

#include "formdef.h"
#include "request.h"
#include "respond.h"
#include "refserver/planted_bugs.h"
#include "state.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

typedef struct bug_row {
    const char *name;
    const char *summary;
} bug_row;

static const bug_row BUGS[] = {
#define RS_BUG_ROW(e, n, s) {n, s},
    RS_BUG_LIST(RS_BUG_ROW)
#undef RS_BUG_ROW
};

size_t hitl_refserver_bug_count(void)
{
    return sizeof BUGS / sizeof BUGS[0];
}

const char *hitl_refserver_bug_name(size_t i)
{
    return i < hitl_refserver_bug_count() ? BUGS[i].name : NULL;
}

const char *hitl_refserver_bug_summary(size_t i)
{
    return i < hitl_refserver_bug_count() ? BUGS[i].summary : NULL;
}

static long bug_index(const char *name)
{
    for (size_t i = 0; name && i < hitl_refserver_bug_count(); i++)
        if (strcmp(BUGS[i].name, name) == 0)
            return (long)i;
    return -1;
}

int hitl_refserver_bug_enable(hitl_refserver_config *cfg, const char *name, hitl_err *err)
{
    long i = bug_index(name);
    if (i < 0)
        return hitl_err_set(err, HITL_E_ARG, "--bug: unknown planted bug '%s' (see --list-bugs)",
                            name ? name : "");
    cfg->bugs |= (uint64_t)1 << (unsigned long)i;
    return HITL_OK;
}

int hitl_refserver_bug_is_enabled(const hitl_refserver_config *cfg, const char *name)
{
    long i = bug_index(name);
    return i < 0 ? 0 : rs_bug_on(cfg, (rs_bug)i);
}

static enum MHD_Result crash_500(rs_req *r)
{
    /* What a Flask app's unhandled exception looks like through Dify's error handler. */
    static const char body[] =
        "{\"message\":\"Internal Server Error\",\"code\":\"unknown\",\"status\":500}";
    return rs_reply(r, 500, "application/json", body, sizeof body - 1);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The code unit of a `\uXXXX` escape at |p| (|end| bounds it), or -1. */
static long u_escape(const char *p, const char *end)
{
    if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
        return -1;
    long v = 0;
    for (int i = 2; i < 6; i++) {
        int h = hexval(p[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* odd_string: the JSON string starting after the quote at |p| holds a \u0000 or a lone
 * surrogate escape. The text is hostile: every read is bounded by |end|. */
static int odd_string(const char *p, const char *end)
{
    while (p < end && *p != '"') {
        if (*p != '\\') {
            p++;
            continue;
        }
        long u = u_escape(p, end);
        if (u < 0) {
            p += 2; /* any other escape: two characters */
            continue;
        }
        if (u == 0 || (u >= 0xDC00 && u <= 0xDFFF))
            return 1;
        if (u >= 0xD800 && u <= 0xDBFF) {
            long lo = u_escape(p + 6, end);
            if (lo < 0xDC00 || lo > 0xDFFF)
                return 1;
            p += 12;
            continue;
        }
        p += 6;
    }
    return 0;
}

/* paragraph_odd: some `"<name>": "<string>"` in |body| names a paragraph of the form and its
 * string holds a NUL or lone surrogate escape (the text as sent: the JSON parser refuses lone
 * surrogates, so the bug lives before it, as in a server that pre-scans the raw body). */
static int paragraph_odd(const rs_formdef *f, const char *body, size_t len)
{
    const char *end = body + len;
    const cJSON *field;
    cJSON_ArrayForEach(field, f->inputs)
    {
        const char *type = rs_json_str(field, "type");
        const char *name = rs_json_str(field, "output_variable_name");
        if (!type || !name || (strcmp(type, "paragraph") && strcmp(type, "text_input")))
            continue;
        size_t nlen = strlen(name);
        for (const char *p = body; p + nlen + 2 <= end; p++) {
            if (p[0] != '"' || memcmp(p + 1, name, nlen) != 0 || p[nlen + 1] != '"')
                continue;
            const char *q = p + nlen + 2;
            while (q < end && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n'))
                q++;
            if (q >= end || *q != ':')
                continue;
            q++;
            while (q < end && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n'))
                q++;
            if (q < end && *q == '"' && odd_string(q + 1, end))
                return 1;
        }
    }
    return 0;
}

/* The deepest nesting of arrays and objects in |body|, strings skipped. */
static int too_deep(const char *body, size_t len, int limit)
{
    int depth = 0, in_str = 0;
    for (size_t i = 0; i < len; i++) {
        char c = body[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '{' || c == '[') {
            if (++depth > limit)
                return 1;
        } else if ((c == '}' || c == ']') && depth > 0) {
            depth--;
        }
    }
    return 0;
}

int rs_bugs_submit_raw(rs_req *r, enum MHD_Result *rc)
{
    const hitl_refserver_config *cfg = &r->srv->cfg;
    if (!cfg->bugs || r->body_too_big)
        return 0;
    const char *body = hitl_buf_str(&r->body);
    size_t len = r->body.len;
    if ((rs_bug_on(cfg, RS_BUG_PARAGRAPH_NUL_500) && paragraph_odd(r->srv->form, body, len)) ||
        (rs_bug_on(cfg, RS_BUG_DEEP_JSON_500) && too_deep(body, len, 64))) {
        *rc = crash_500(r);
        return 1;
    }
    return 0;
}

int rs_bugs_submit_parsed(rs_req *r, const cJSON *inputs, enum MHD_Result *rc)
{
    const hitl_refserver_config *cfg = &r->srv->cfg;
    if (!cfg->bugs)
        return 0;
    if (rs_bug_on(cfg, RS_BUG_FILE_LIST_OVER_20_500)) {
        const cJSON *field;
        cJSON_ArrayForEach(field, r->srv->form->inputs)
        {
            const char *type = rs_json_str(field, "type");
            const char *name = rs_json_str(field, "output_variable_name");
            if (!type || !name || strcmp(type, "file-list") != 0)
                continue;
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(inputs, name);
            if (cJSON_IsArray(v) && cJSON_GetArraySize(v) > 20) {
                *rc = crash_500(r);
                return 1;
            }
        }
    }
    if (rs_bug_on(cfg, RS_BUG_SUBMIT_RACE)) {
        struct timespec slow = {0, 2 * 1000 * 1000}; /* a slow validation: the race's window */
        nanosleep(&slow, NULL);
    }
    return 0;
}

int rs_bugs_select_case_match(const hitl_refserver_config *cfg, const cJSON *options,
                              const char *value)
{
    if (!rs_bug_on(cfg, RS_BUG_SELECT_CASE_INSENSITIVE) || !value)
        return 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, options) if (cJSON_IsString(e) &&
                                       strcasecmp(e->valuestring, value) == 0) return 1;
    return 0;
}

int rs_bugs_drop_filename(const hitl_refserver_config *cfg, const char *filename)
{
    return rs_bug_on(cfg, RS_BUG_LONG_FILENAME_DROP) && filename && strlen(filename) > 255;
}

int rs_bugs_form_not_found(rs_req *r)
{
    hitl_refserver *s = r->srv;
    if (!rs_bug_on(&s->cfg, RS_BUG_ERROR_ECHOES_TOKEN) || !r->param)
        return 0;
    size_t plen = strlen(r->param);
    char near[RS_TOKEN_MAX] = "";
    rs_state_lock(&s->state);
    /* The newest forms first, a bounded walk: a "did you mean" over recent tokens. */
    size_t seen = 0;
    for (const rs_map_entry *e = s->state.runs_by_token.newest; e && seen < 256;
         e = e->older, seen++)
        if (plen >= 16 && strlen(e->key) == plen && memcmp(e->key, r->param, 16) == 0 &&
            strcmp(e->key, r->param) != 0) {
            snprintf(near, sizeof near, "%s", e->key);
            break;
        }
    rs_state_unlock(&s->state);
    if (!near[0])
        return 0;
    rs_reply_error(r, 404, "not_found", "Form not found. Did you mean %s?", near);
    return 1;
}
