/* upload_token.c: checks of issuing upload tokens (§5): the token's shape and expiry, two
 * tokens of one form, an unknown or submitted form, and the route's absence on the
 * Service API. Each starts its own run (a token needs a live form). */
#include "expect_body.h"
#include "uploader.h"
#include "valid_submission.h"

#include "hitl/checks.h"
#include "hitl/url.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A token no target issues (token_urlsafe(32) gives 43 characters of [A-Za-z0-9_-]). */
#define UNKNOWN_FORM_TOKEN "hitlcheckUnknownFormToken000000000000000000"

/* --- §5: issuing upload tokens --- */

/* The prefix of |token| up to its first '_' (at most 12 characters): enough to show a wrong
 * prefix without printing the secret part. */
static int shown_prefix_len(const char *token)
{
    size_t n = strcspn(token, "_");
    n = token[n] ? n + 1 : n;
    return (int)(n < HITL_UPLOAD_PREFIX_LEN ? n : HITL_UPLOAD_PREFIX_LEN);
}

/* §5.1: "POST upload-token on an active form → 200 {"upload_token": "hitl_upload_…",
 * "expires_at": int}" — "Note: 200, not 201". */
static void token_issue_ok(hitl_check_ctx *ctx)
{
    hitl_run run;
    if (hitl_flow_start(ctx, &run) == HITL_OK) {
        hitl_http_response resp;
        char *token = NULL;
        if (hitl_flow_upload_token(ctx, run.form_token, &resp, &token) == HITL_OK &&
            hitl_expect(ctx, resp.status == 200, "HTTP 200, not 201 (§5.1)", "HTTP %ld: %.200s",
                        resp.status, hitl_buf_str(&resp.body))) {
            cJSON *root = hitl_chk_expect_json_object(ctx, &resp, "the upload-token answer (§5)");
            const cJSON *tok = cJSON_GetObjectItemCaseSensitive(root, "upload_token");
            if (root &&
                hitl_expect(ctx, cJSON_IsString(tok), "`upload_token` is a string (§5)",
                            "`upload_token` is %s", tok ? "not a string" : "missing") &&
                hitl_expect(ctx,
                            !strncmp(tok->valuestring, HITL_UPLOAD_PREFIX, HITL_UPLOAD_PREFIX_LEN),
                            "upload_token starts with \"hitl_upload_\" (§5.1)",
                            "upload_token starts \"%.*s…\"", shown_prefix_len(tok->valuestring),
                            tok->valuestring)) {
                hitl_err why = {0}; /* §1.4.6: it goes into an Authorization header */
                hitl_expect(ctx, hitl_url_value_check(tok->valuestring, &why) == HITL_OK,
                            "upload_token is fit for an Authorization header: at most 512 "
                            "bytes, no control byte (CR, LF, NUL), no '/' or '\\' (§1.4.6)",
                            "upload_token %s (refused: never sent)", why.msg);
                size_t rest = strlen(tok->valuestring) - HITL_UPLOAD_PREFIX_LEN;
                if (rest != 43)
                    hitl_check_note(ctx,
                                    "the token has %zu characters after the prefix (Dify: "
                                    "token_urlsafe(32), 43)",
                                    rest);
            }
            bool ok;
            hitl_uploader_int_field(root, "expires_at", &ok);
            if (root)
                hitl_expect(ctx, ok, "`expires_at` is an integer (Unix seconds) (§5.1)",
                            "`expires_at` is %s",
                            cJSON_GetObjectItemCaseSensitive(root, "expires_at") ? "not an integer"
                                                                                 : "missing");
            cJSON_Delete(root);
        }
        free(token);
        hitl_http_response_free(&resp);
    }
    hitl_run_free(&run);
}

/* §5.2: "expires_at is the form's expiration_time (no separate TTL)". */
static void token_issue_expires_at(hitl_check_ctx *ctx)
{
    hitl_run run;
    if (hitl_flow_start(ctx, &run) == HITL_OK) {
        hitl_http_response resp;
        char *token = NULL;
        if (hitl_flow_upload_token(ctx, run.form_token, &resp, &token) == HITL_OK) {
            cJSON *root = hitl_chk_body_json(&resp);
            bool ok;
            int64_t exp = hitl_uploader_int_field(root, "expires_at", &ok);
            if (!token || !ok)
                hitl_check_error(ctx,
                                 "precondition: issuing an upload token answered HTTP %ld "
                                 "without a token and an integer expires_at: %.200s",
                                 resp.status, hitl_buf_str(&resp.body));
            else
                hitl_expect(ctx, exp == run.expiration_time,
                            "expires_at equals the form's expiration_time (§5.2)",
                            "expires_at %lld, expiration_time %lld (%+lld s)", (long long)exp,
                            (long long)run.expiration_time, (long long)(exp - run.expiration_time));
            cJSON_Delete(root);
        }
        free(token);
        hitl_http_response_free(&resp);
    }
    hitl_run_free(&run);
}

/* Issues two tokens for one live form into |a| and |b|; 0, or non-zero after an ERROR. */
static int two_tokens(hitl_check_ctx *ctx, const hitl_run *run, char **a, char **b)
{
    *a = hitl_flow_issue_upload_token(ctx, run->form_token);
    *b = *a ? hitl_flow_issue_upload_token(ctx, run->form_token) : NULL;
    return *a && *b ? HITL_OK : HITL_E_STATE;
}

/* §5.3: "Two calls return two different tokens (MUST)". */
static void token_issue_unique(hitl_check_ctx *ctx)
{
    hitl_run run;
    char *a = NULL, *b = NULL;
    if (hitl_flow_start(ctx, &run) == HITL_OK && two_tokens(ctx, &run, &a, &b) == HITL_OK)
        hitl_expect(ctx, strcmp(a, b) != 0,
                    "two upload-token calls for one form return two different tokens (§5.3)",
                    "both calls returned the same token");
    free(a);
    free(b);
    hitl_run_free(&run);
}

/* §5.3 "(SHOULD, INFERRED) both remain usable for uploads". */
static void token_issue_both_usable(hitl_check_ctx *ctx)
{
    hitl_run run;
    char *tokens[2] = {NULL, NULL};
    if (hitl_flow_start(ctx, &run) == HITL_OK &&
        two_tokens(ctx, &run, &tokens[0], &tokens[1]) == HITL_OK) {
        for (size_t i = 0; i < 2 && !hitl_check_done(ctx); i++) {
            hitl_uploader u = {.web = true, .token = tokens[i]};
            hitl_http_response resp;
            char what[96];
            snprintf(what, sizeof what, "a sample upload with the %s of two tokens",
                     i ? "second" : "first");
            if (hitl_uploader_send_sample(ctx, &u, NULL, &resp) == HITL_OK)
                hitl_uploader_expect_answer(ctx, &resp, 201, NULL, what, "§5.3");
            hitl_http_response_free(&resp);
        }
    }
    free(tokens[0]);
    free(tokens[1]);
    hitl_run_free(&run);
}

/* §5.5: "Unknown form token → 404 not_found". */
static void token_issue_unknown_form(hitl_check_ctx *ctx)
{
    hitl_http_response resp;
    if (hitl_flow_upload_token(ctx, UNKNOWN_FORM_TOKEN, &resp, NULL) == HITL_OK)
        hitl_expect_error(ctx, &resp, 404, "not_found");
    hitl_http_response_free(&resp);
}

/* §5.6: "Submitted form → 412 human_input_form_submitted". */
static void token_issue_after_submit(hitl_check_ctx *ctx)
{
    hitl_run run;
    if (hitl_flow_start(ctx, &run) == HITL_OK &&
        hitl_chk_submit_valid(ctx, &run, NULL) == HITL_OK) {
        hitl_http_response resp;
        char *token = NULL;
        if (hitl_flow_upload_token(ctx, run.form_token, &resp, &token) == HITL_OK)
            hitl_uploader_expect_answer(ctx, &resp, 412, "human_input_form_submitted",
                                        "POST …/upload-token of a submitted form", "§5.6");
        free(token);
        hitl_http_response_free(&resp);
    }
    hitl_run_free(&run);
}

/* §5.7 (SHOULD): "/v1/form/human_input/{t}/upload-token does not exist on SVC
 * (404/405) — flag, don't fail, if a target implements it". A live token, so a target that
 * has the route answers it. */
static void token_svc_absent(hitl_check_ctx *ctx)
{
    hitl_run run;
    if (hitl_flow_start(ctx, &run) == HITL_OK) {
        char path[1024];
        hitl_flow_form_path(ctx, path, sizeof path, run.form_token, "/upload-token");
        hitl_call call = {.method = "POST", .surface = HITL_SURFACE_SERVICE, .path = path};
        hitl_http_response resp;
        if (hitl_flow_call(ctx, &call, &resp) == HITL_OK) {
            hitl_expect(
                ctx, resp.status == 404 || resp.status == 405,
                "POST /v1/form/human_input/{t}/upload-token does not exist: HTTP 404 or 405 "
                "(§5.7)",
                "HTTP %ld: %.200s", resp.status, hitl_buf_str(&resp.body));
            if (resp.status >= 200 && resp.status < 300)
                hitl_check_note(ctx, "the target implements the upload-token route on the Service "
                                     "API (the integration guide's layout, not Dify's source)");
        }
        hitl_http_response_free(&resp);
    }
    hitl_run_free(&run);
}

static const hitl_check_impl CHECKS[] = {
    {"upload-token.issue.ok", token_issue_ok},
    {"upload-token.issue.expires-at", token_issue_expires_at},
    {"upload-token.issue.unique", token_issue_unique},
    {"upload-token.issue.both-usable", token_issue_both_usable},
    {"upload-token.issue.unknown-form", token_issue_unknown_form},
    {"upload-token.issue.after-submit", token_issue_after_submit},
    {"upload-token.svc.absent", token_svc_absent},
};

HITL_CHECK_TABLE(upload_token, CHECKS)
