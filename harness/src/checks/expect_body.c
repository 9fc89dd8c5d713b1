/* expect_body.c: see expect_body.h. */
#include "expect_body.h"

#include "hitl/buf.h"
#include "hitl/flow.h"
#include "hitl/proxy_page.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

cJSON *hitl_chk_body_json(const hitl_http_response *resp)
{
    return cJSON_ParseWithLength(hitl_buf_str(&resp->body), resp->body.len);
}

cJSON *hitl_chk_frame_json(const hitl_stream_frame *f)
{
    return cJSON_ParseWithLength(f->data, f->data_len);
}

static bool in_list(const char *k, const char *const *keys)
{
    for (size_t i = 0; keys[i]; i++)
        if (!strcmp(keys[i], k))
            return true;
    return false;
}

bool hitl_chk_expect_keys(hitl_check_ctx *ctx, const cJSON *obj, const char *const *keys,
                          const char *what, const char *section)
{
    char missing[512] = "", extra[512] = "", expected[1024];
    for (size_t i = 0; keys[i]; i++)
        if (!cJSON_GetObjectItemCaseSensitive(obj, keys[i]))
            snprintf(missing + strlen(missing), sizeof missing - strlen(missing), "%s%s",
                     missing[0] ? ", " : "", keys[i]);
    const cJSON *it;
    cJSON_ArrayForEach(it, obj)
    {
        if (it->string && !in_list(it->string, keys))
            snprintf(extra + strlen(extra), sizeof extra - strlen(extra), "%s%s",
                     extra[0] ? ", " : "", it->string);
    }
    int n = snprintf(expected, sizeof expected, "%s has exactly the keys {", what);
    for (size_t i = 0; keys[i] && n > 0 && (size_t)n < sizeof expected; i++)
        n += snprintf(expected + n, sizeof expected - (size_t)n, "%s%s", i ? ", " : "", keys[i]);
    if (n > 0 && (size_t)n < sizeof expected)
        snprintf(expected + n, sizeof expected - (size_t)n, "} (%s)", section);
    return hitl_expect(ctx, !missing[0] && !extra[0], expected, "missing: %s; extra: %s",
                       missing[0] ? missing : "none", extra[0] ? extra : "none");
}

cJSON *hitl_chk_expect_json_object(hitl_check_ctx *ctx, const hitl_http_response *resp,
                                   const char *what)
{
    cJSON *root = hitl_chk_body_json(resp);
    char expected[256];
    snprintf(expected, sizeof expected, "%s is a JSON object", what);
    if (!hitl_expect(ctx, cJSON_IsObject(root), expected,
                     "body (%zu bytes) is not a JSON object: %.200s", resp->body.len,
                     hitl_buf_str(&resp->body))) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

size_t hitl_chk_find_event(const hitl_stream *s, const char *event, size_t from)
{
    char name[64];
    for (size_t i = from; i < s->n_frames; i++) {
        hitl_flow_frame_event(&s->frames[i], name, sizeof name);
        if (!strcmp(name, event))
            return i;
    }
    return SIZE_MAX;
}

bool hitl_chk_expect_error_shape(hitl_check_ctx *ctx, const hitl_http_response *resp, long status,
                                 const char *what)
{
    char exp[512], status_text[32];
    if (status)
        snprintf(status_text, sizeof status_text, "HTTP %ld", status);
    else
        snprintf(status_text, sizeof status_text, "HTTP 4xx");
    snprintf(exp, sizeof exp,
             "%s: %s with a JSON error body {\"code\": <string>, \"message\": <string>, "
             "\"status\": <the HTTP status>} (§1.3.1, §1.3.3)",
             what, status_text);
    /* A front end's own page is not the app's answer (proxy_page.h). */
    if (hitl_check_front_page(ctx, resp, what))
        return false;
    const char *ct = hitl_http_header_get(resp, "Content-Type");
    const char *body = hitl_buf_str(&resp->body);
    bool status_ok = status ? resp->status == status : resp->status >= 400 && resp->status < 500;
    if (!status_ok)
        return hitl_expect(ctx, false, exp, "HTTP %ld (Content-Type %s): %.200s", resp->status,
                           ct ? ct : "none", body);
    cJSON *root = hitl_chk_body_json(resp);
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(root, "code");
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "message");
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(root, "status");
    bool ok;
    if (!cJSON_IsObject(root))
        ok = hitl_expect(ctx, false, exp,
                         "HTTP %ld, a body that is not a JSON object (Content-Type %s): %.200s",
                         resp->status, ct ? ct : "none", body);
    else if (!cJSON_IsString(c) || !cJSON_IsString(m))
        ok = hitl_expect(ctx, false, exp,
                         "HTTP %ld, `code` or `message` missing or not a string: %.200s",
                         resp->status, body);
    else if (!cJSON_IsNumber(s) || s->valuedouble != (double)resp->status)
        ok = hitl_expect(
            ctx, false, exp, "HTTP %ld, `status` %s: %.200s", resp->status,
            cJSON_IsNumber(s) ? "differs from the HTTP status" : "missing or not a number", body);
    else
        ok = hitl_expect(ctx, true, exp, "ok");
    cJSON_Delete(root);
    return ok;
}

bool hitl_chk_is_uuid(const char *s)
{
    static const int groups[] = {8, 4, 4, 4, 12};
    const char *p = s;
    for (size_t g = 0; g < 5; g++) {
        for (int k = 0; k < groups[g]; k++, p++) {
            char c = *p;
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
                return false;
        }
        if (g < 4 && *p++ != '-')
            return false;
    }
    return *p == '\0';
}
