/* calls.c: see calls.h. */
#include "calls.h"

#include "hitl/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATIENT_RETRIES 3

int hitl_chk_call_patient(hitl_check_ctx *ctx, const hitl_call *call, hitl_http_response *resp)
{
    const hitl_target *t = hitl_ctx_target(ctx);
    long waited_s = 0;
    for (int attempt = 0;; attempt++) {
        int rc = hitl_flow_call(ctx, call, resp);
        if (rc || resp->status != 429 || call->surface != HITL_SURFACE_WEB ||
            attempt == PATIENT_RETRIES)
            return rc;
        long wait_s = (long)t->rate_window_s + 1;
        if (waited_s + wait_s > t->max_wait_s)
            return rc;
        hitl_http_response_free(resp);
        waited_s += wait_s;
        hitl_ctx_sleep_ms(ctx, wait_s * 1000L, "the WEB rate-limit window (other checks' requests)");
    }
}

int hitl_chk_submit(hitl_check_ctx *ctx, const char *form_token, const char *body,
                    hitl_http_response *resp)
{
    return hitl_chk_submit_as(ctx, NULL, form_token, body, resp);
}

int hitl_chk_submit_as(hitl_check_ctx *ctx, const char *api_key, const char *form_token,
                       const char *body, hitl_http_response *resp)
{
    char path[2048], auth[1024];
    if (hitl_flow_form_path(ctx, path, sizeof path, form_token, "")) {
        memset(resp, 0, sizeof *resp);
        return HITL_E_INVALID;
    }
    bool svc_key = api_key && hitl_ctx_surface(ctx) == HITL_SURFACE_SERVICE;
    if (svc_key)
        snprintf(auth, sizeof auth, "Bearer %s", api_key);
    hitl_call call = {.method = "POST",
                      .surface = hitl_ctx_surface(ctx),
                      .path = path,
                      .json = body,
                      .authorization = svc_key ? auth : NULL};
    return hitl_chk_call_patient(ctx, &call, resp);
}

int hitl_chk_get_form(hitl_check_ctx *ctx, const char *form_token, hitl_http_response *resp)
{
    char path[2048];
    if (hitl_flow_form_path(ctx, path, sizeof path, form_token, "")) {
        memset(resp, 0, sizeof *resp);
        return HITL_E_INVALID;
    }
    hitl_call call = {.method = "GET", .surface = hitl_ctx_surface(ctx), .path = path};
    return hitl_chk_call_patient(ctx, &call, resp);
}

/* hitl_chk_upload_token with the reason a malformed token was refused in |why|. */
static int upload_token_why(hitl_check_ctx *ctx, const char *form_token, hitl_http_response *resp,
                            char **token, hitl_err *why)
{
    if (token)
        *token = NULL;
    if (!hitl_flow_require_upload_routes(ctx)) {
        memset(resp, 0, sizeof *resp);
        return HITL_E_UNSUPPORTED;
    }
    char path[2048];
    if (hitl_flow_form_path(ctx, path, sizeof path, form_token, "/upload-token")) {
        memset(resp, 0, sizeof *resp);
        return HITL_E_INVALID;
    }
    hitl_call call = {.method = "POST", .surface = HITL_SURFACE_WEB, .path = path};
    int rc = hitl_chk_call_patient(ctx, &call, resp);
    if (rc || !token || resp->status < 200 || resp->status > 299)
        return rc;
    hitl_flow_take_upload_token(ctx, resp, token, why);
    return HITL_OK;
}

int hitl_chk_upload_token(hitl_check_ctx *ctx, const char *form_token, hitl_http_response *resp,
                          char **token)
{
    return upload_token_why(ctx, form_token, resp, token, NULL);
}

char *hitl_chk_issue_upload_token(hitl_check_ctx *ctx, const char *form_token)
{
    hitl_http_response resp;
    char *token = NULL;
    hitl_err why = {0};
    int rc = upload_token_why(ctx, form_token, &resp, &token, &why);
    if (rc == HITL_OK && why.code)
        hitl_check_setup_error(ctx, HITL_STEP_UPLOAD_TOKEN, "%s", why.msg);
    else if (rc == HITL_OK && !token)
        hitl_check_setup_error(ctx, HITL_STEP_UPLOAD_TOKEN,
                               "issuing an upload token answered HTTP %ld, not 200 with an "
                               "upload_token: %.200s",
                               resp.status, hitl_buf_str(&resp.body));
    else if (token)
        hitl_check_setup_ok(ctx, HITL_STEP_UPLOAD_TOKEN);
    hitl_http_response_free(&resp);
    return token;
}

int hitl_chk_resume_sync(hitl_check_ctx *ctx, const char *run_id, const char *user,
                         const char *query, const char *api_key, const hitl_stream_opts *opts,
                         hitl_stream *out)
{
    hitl_stream_async *a = NULL;
    int rc = hitl_flow_resume_open(ctx, run_id, user, query, api_key, opts, &a);
    if (rc) {
        memset(out, 0, sizeof *out);
        hitl_check_error(ctx, "could not open the resume stream (%s)", hitl_status_name(rc));
        return rc;
    }
    return hitl_stream_join(a, out);
}
