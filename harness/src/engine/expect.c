/* expect.c: the expectations of the check API (check.h) and the FAIL they end in: the
 * first failed expectation fixes the verdict and records what it judged (the response, its
 * JSON error `code` and `message`), which the scheduler matches with the recorded
 * deviations. */
#include "context.h"

#include "hitl/buf.h"
#include "hitl/proxy_page.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JUDGED_TEXT_MAX 1024u /* bytes of a judged response's `code` or `message` kept */

/* The response a hitl_expect_* helper is judging right now, on this thread: the first
 * failed expectation records it (judge). NULL outside those helpers. */
static _Thread_local const hitl_http_response *judging;

/* A malloc'd copy of |v|'s string, cut to JUDGED_TEXT_MAX bytes; NULL when no string. */
static char *judged_text(const cJSON *v)
{
    return cJSON_IsString(v) ? strndup(v->valuestring, JUDGED_TEXT_MAX) : NULL;
}

/* Records what the first failed expectation judged: the response being judged on this
 * thread, else the check thread's last response, else none. */
static void judge(hitl_check_ctx *ctx)
{
    hitl_result *r = ctx->result;
    const char *body = NULL;
    size_t len = 0;
    if (judging) {
        r->judged_status = judging->status;
        body = hitl_buf_str(&judging->body);
        len = judging->body.len;
    } else if (pthread_equal(pthread_self(), ctx->thread)) {
        r->judged_status = ctx->last_status;
        body = ctx->last_body;
        len = ctx->last_len;
    }
    cJSON *root = body && len ? cJSON_ParseWithLength(body, len) : NULL;
    if (cJSON_IsObject(root)) {
        r->judged_code = judged_text(cJSON_GetObjectItemCaseSensitive(root, "code"));
        r->judged_message = judged_text(cJSON_GetObjectItemCaseSensitive(root, "message"));
    }
    cJSON_Delete(root);
}

__attribute__((format(printf, 3, 0))) static bool fail_v(hitl_check_ctx *ctx, const char *expected,
                                                         const char *fmt, va_list ap)
{
    ctx->result->assertions++;
    if (ctx->verdict_set && ctx->result->reported != HITL_PASS)
        return false; /* the first finding is the one reported */
    ctx->result->reported = HITL_FAIL;
    ctx->verdict_set = true;
    ctx->result->expected = strdup(expected);
    ctx->result->actual = hitl_ctx_vformat(fmt, ap);
    judge(ctx);
    return false;
}

bool hitl_check_fail(hitl_check_ctx *ctx, const char *expected, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_v(ctx, expected, fmt, ap);
    va_end(ap);
    return false;
}

bool hitl_expect(hitl_check_ctx *ctx, bool cond, const char *expected, const char *fmt, ...)
{
    if (cond) {
        ctx->result->assertions++;
        return true;
    }
    va_list ap;
    va_start(ap, fmt);
    fail_v(ctx, expected, fmt, ap);
    va_end(ap);
    return false;
}

static const char *body_preview(const hitl_http_response *resp, char *out, size_t cap)
{
    size_t n = resp->body.len < cap - 1 ? resp->body.len : cap - 1;
    memcpy(out, hitl_buf_str(&resp->body), n);
    out[n] = '\0';
    return out;
}

bool hitl_expect_status(hitl_check_ctx *ctx, const hitl_http_response *resp, long status,
                        const char *reason)
{
    char exp[512], body[256];
    snprintf(exp, sizeof exp, "HTTP %ld: %s", status, reason ? reason : "(no reason given)");
    const hitl_http_response *outer = judging;
    judging = resp;
    bool ok = hitl_expect(ctx, resp->status == status, exp, "HTTP %ld %s", resp->status,
                          body_preview(resp, body, sizeof body));
    judging = outer;
    return ok;
}

static bool expect_error_msg(hitl_check_ctx *ctx, const hitl_http_response *resp, long status,
                             const char *code, const char *prefix);

bool hitl_expect_error_msg(hitl_check_ctx *ctx, const hitl_http_response *resp, long status,
                           const char *code, const char *prefix)
{
    const hitl_http_response *outer = judging;
    judging = resp;
    bool ok = expect_error_msg(ctx, resp, status, code, prefix);
    judging = outer;
    return ok;
}

static bool expect_error_msg(hitl_check_ctx *ctx, const hitl_http_response *resp, long status,
                             const char *code, const char *prefix)
{
    char exp[512], body[512];
    if (prefix)
        snprintf(exp, sizeof exp,
                 "HTTP %ld with a JSON error body {\"code\": \"%s\", \"message\": \"%s…\", "
                 "\"status\": %ld} (§1.3)",
                 status, code, prefix, status);
    else
        snprintf(exp, sizeof exp,
                 "HTTP %ld with a JSON error body {\"code\": \"%s\", \"message\": <string>, "
                 "\"status\": %ld} (§1.3)",
                 status, code, status);
    body_preview(resp, body, sizeof body);
    /* A front end's own page (nginx's HTML 414 …) is not the app's answer: never judged
     * as its JSON error (proxy_page.h). */
    char what[160];
    snprintf(what, sizeof what, "a request expecting the app's HTTP %ld %.100s", status, code);
    if (hitl_check_front_page(ctx, resp, what))
        return false;
    if (resp->status != status)
        return hitl_expect(ctx, false, exp, "HTTP %ld %s", resp->status, body);
    cJSON *root = cJSON_ParseWithLength(hitl_buf_str(&resp->body), resp->body.len);
    bool ok = false;
    if (!cJSON_IsObject(root)) {
        hitl_expect(ctx, false, exp, "HTTP %ld with a body that is not a JSON object: %s",
                    resp->status, body);
        goto out;
    }
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(root, "code");
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "message");
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(root, "status");
    if (!cJSON_IsString(c) || strcmp(c->valuestring, code))
        hitl_expect(ctx, false, exp, "HTTP %ld, code %s: %s", resp->status,
                    cJSON_IsString(c) ? c->valuestring : "(missing or not a string)", body);
    else if (!cJSON_IsString(m))
        hitl_expect(ctx, false, exp, "HTTP %ld, no string `message`: %s", resp->status, body);
    else if (!cJSON_IsNumber(s) || s->valuedouble != (double)status)
        hitl_expect(ctx, false, exp, "HTTP %ld, `status` %s: %s", resp->status,
                    cJSON_IsNumber(s) ? "differs from the HTTP status" : "missing or not a number",
                    body);
    else if (prefix && strncmp(m->valuestring, prefix, strlen(prefix)))
        hitl_expect(ctx, false, exp, "HTTP %ld, message \"%s\"", resp->status, m->valuestring);
    else
        ok = hitl_expect(ctx, true, exp, "ok");
out:
    cJSON_Delete(root);
    return ok;
}

bool hitl_expect_error(hitl_check_ctx *ctx, const hitl_http_response *resp, long status,
                       const char *code)
{
    return hitl_expect_error_msg(ctx, resp, status, code, NULL);
}

/* --- a front end's page instead of the app's answer (proxy_page.h) --- */

bool hitl_check_front_page(hitl_check_ctx *ctx, const hitl_http_response *resp, const char *what)
{
    hitl_proxy_page page;
    if (!hitl_proxy_page_detect(resp, &page))
        return false;
    char said[512];
    hitl_proxy_page_describe(resp, &page, said, sizeof said);
    if (resp->status >= 500) {
        hitl_check_note(ctx, "%s: %s: the front end reports that the app behind it failed", what,
                        said);
        return false;
    }
    hitl_check_skip(ctx,
                    "%s: %s: the front end refused the request before the app saw it, so the "
                    "app's answer (§1.3) could not be judged; reach the app without that front "
                    "end, or with limits that let the request through",
                    what, said);
    return true;
}
