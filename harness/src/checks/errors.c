/* errors.c: error-shape invariants (§1.3; §1.3.1, §1.3.3) on hostile requests — unknown, huge
 * and non-UTF-8 form tokens, malformed JSON bodies — and Service API authentication
 * (§4.1 order 0). Every error body must be {"code": <string>, "message": <string>,
 * "status": <the HTTP status>}, never HTML, never a 5xx. */
#include "expect_body.h"
#include "valid_submission.h"

#include "hitl/checks.h"
#include "hitl/flow.h"
#include "hitl/form.h"
#include "hitl/proxy_page.h"
#include "hitl/target.h"
#include "hitl/url.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A token no target issues: token_urlsafe(32) output is 43 characters of [A-Za-z0-9_-]. */
#define UNKNOWN_TOKEN "hitlcheck_unknown_form_token_000000000000000"
#define HUGE_TOKEN_LEN (64u * 1024u)
#define HUGE_URL_MAX (HUGE_TOKEN_LEN + 4096u)

/* A submit body that is valid in form for |ctx|'s surface (SVC adds `user`, §7.1), with an
 * empty `inputs`: for requests whose token, not body, is under test. Malloc'd. */
static char *token_probe_body(hitl_check_ctx *ctx)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddObjectToObject(o, "inputs");
    cJSON_AddStringToObject(o, "action", "approve");
    if (hitl_ctx_surface(ctx) == HITL_SURFACE_SERVICE)
        cJSON_AddStringToObject(o, "user", hitl_ctx_target(ctx)->user);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* The form endpoints of the check's surface for |token| (already URL-safe): GET and POST
 * /form/human_input/<token>, and on WEB POST …/upload-token (§1.2 E3/E4, E7-E9). */
typedef struct endpoint {
    const char *method;
    const char *suffix;
    bool body;
    bool web_only;
} endpoint;

static const endpoint FORM_ENDPOINTS[] = {
    {"GET", "", false, false},
    {"POST", "", true, false},
    {"POST", "/upload-token", false, true},
};

/* Calls every form endpoint with |token| (the harness's own, already URL-safe or raw on
 * purpose) and expects 404 not_found (§4.1, §1.3). */
static void expect_not_found_everywhere(hitl_check_ctx *ctx, const char *token)
{
    bool web = hitl_ctx_surface(ctx) == HITL_SURFACE_WEB;
    char *body = token_probe_body(ctx);
    for (size_t i = 0; i < sizeof FORM_ENDPOINTS / sizeof FORM_ENDPOINTS[0]; i++) {
        const endpoint *e = &FORM_ENDPOINTS[i];
        if (e->web_only && !web)
            continue;
        char path[512];
        /* The harness's own probe tokens, sent as written (%FF%FE must stay raw). */
        if (hitl_url_path_harness_raw(path, sizeof path, "/form/human_input/", token, e->suffix))
            path[0] = '\0'; /* hitl_flow_call refuses it */
        hitl_call call = {.method = e->method,
                          .surface = hitl_ctx_surface(ctx),
                          .path = path,
                          .json = e->body ? body : NULL};
        hitl_http_response resp;
        if (hitl_flow_call(ctx, &call, &resp) == HITL_OK)
            hitl_expect_error(ctx, &resp, 404, "not_found");
        hitl_http_response_free(&resp);
        if (hitl_check_done(ctx))
            break;
    }
    free(body);
}

/* §1.3, §4.1 ("token unknown → 404 not_found 'Form not found'"), §1.3.1: on every form
 * endpoint of the surface. */
static void unknown_token(hitl_check_ctx *ctx)
{
    expect_not_found_everywhere(ctx, UNKNOWN_TOKEN);
}

/* §1.3.3: "non-UTF-8 bytes in the token" — %FF%FE decodes to bytes that are no UTF-8 and
 * no token: 404 not_found with the §1.3 body, like any unknown token. */
static void non_utf8_token(hitl_check_ctx *ctx)
{
    expect_not_found_everywhere(ctx, "%FF%FEhitlcheck");
}

/* §1.3.3: malformed JSON bodies get a JSON 400, never an HTML page or a 5xx. The token is
 * a live form's, so the body is the only thing wrong. */
static void malformed_json(hitl_check_ctx *ctx)
{
    hitl_run run;
    if (hitl_flow_start(ctx, &run) == HITL_OK) {
        const struct {
            const char *body, *what;
        } cases[] = {
            {"{\"inputs\": {\"feedback\": \"x\"}, \"action\": ", "a truncated JSON submit body"},
            {"inputs=x&action=approve", "a submit body that is not JSON at all"},
            {"[\"inputs\", \"action\"]", "a JSON array as the submit body"},
            {"{\"inputs\": {}, \"action\": \"\xff\xfe\"}",
             "a JSON submit body with non-UTF-8 bytes"},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0] && !hitl_check_done(ctx); i++) {
            hitl_http_response resp;
            if (hitl_flow_submit(ctx, run.form_token, cases[i].body, &resp) == HITL_OK)
                hitl_chk_expect_error_shape(ctx, &resp, 400, cases[i].what);
            hitl_http_response_free(&resp);
        }
    }
    hitl_run_free(&run);
}

/* Performs |method| on /form/human_input/<64 KiB token> outside hitl_flow_call (whose path
 * cap is smaller), waiting out the WEB limiter as hitl_flow_call does. A transport
 * failure (a hang, a dropped connection) is returned with |terr| filled, not made an ERROR:
 * for this request it is the finding. */
static int huge_call(hitl_check_ctx *ctx, const char *method, const char *token,
                     hitl_http_response *resp, hitl_err *terr)
{
    const hitl_target *t = hitl_ctx_target(ctx);
    bool svc = hitl_ctx_surface(ctx) == HITL_SURFACE_SERVICE;
    hitl_buf url;
    hitl_buf_init(&url, HUGE_URL_MAX);
    memset(resp, 0, sizeof *resp);
    /* The harness's own 64 KiB token, sent raw on purpose (url.h). */
    char *path = malloc(HUGE_URL_MAX);
    if (!path || hitl_url_path_harness_raw(path, HUGE_URL_MAX, "/form/human_input/", token, "") ||
        hitl_target_url(t, hitl_ctx_surface(ctx), &url, path)) {
        free(path);
        hitl_buf_free(&url);
        hitl_check_error(ctx, "could not build a %u-byte URL", HUGE_URL_MAX);
        return HITL_E_ARG;
    }
    free(path);
    char auth[1024];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", t->api_key ? t->api_key : "");
    const char *headers[2];
    size_t nh = 0;
    if (svc && t->api_key)
        headers[nh++] = auth;
    bool post = !strcmp(method, "POST");
    char *body = post ? token_probe_body(ctx) : NULL;
    if (post)
        headers[nh++] = "Content-Type: application/json";
    hitl_http_request req = {.method = method,
                             .url = hitl_buf_str(&url),
                             .headers = headers,
                             .n_headers = nh,
                             .body = body,
                             .body_len = body ? strlen(body) : 0};
    int rc;
    long waited_s = 0;
    for (int attempt = 0;; attempt++) {
        hitl_err_clear(terr);
        rc = hitl_ctx_http_raw(ctx, &req, resp, terr);
        if (rc ||
            !hitl_flow_ride_out_429(ctx, hitl_ctx_surface(ctx), resp->status, attempt, &waited_s))
            break;
        hitl_http_response_free(resp);
    }
    hitl_buf_free(&url);
    free(body);
    return rc;
}

/* The statuses with which an HTTP layer refuses a request line it will not read: 400
 * (gunicorn's limit_request_line), 414 URI Too Long, 431 Request Header Fields Too Large. */
static bool line_refused_status(long status)
{
    return status == 400 || status == 414 || status == 431;
}

/* Judges one answer to a 64 KiB token (see huge_token). */
static void judge_huge(hitl_check_ctx *ctx, const hitl_http_response *resp, const char *what)
{
    char exp[384];
    snprintf(exp, sizeof exp,
             "%s: a 4xx answer, from the app or from a front end refusing the request line "
             "(never a 5xx, a hang or a dropped connection) (§1.3.3)",
             what);
    const char *ct = hitl_http_header_get(resp, "Content-Type");
    if (!hitl_expect(ctx, resp->status >= 400 && resp->status < 500, exp,
                     "HTTP %ld (Content-Type %s): %.200s", resp->status, ct ? ct : "none",
                     hitl_buf_str(&resp->body)))
        return;
    hitl_proxy_page page;
    if (hitl_proxy_page_detect(resp, &page)) {
        char said[512];
        hitl_proxy_page_describe(resp, &page, said, sizeof said);
        hitl_check_note(ctx, "%s: %s: conformant, the request line was refused before the app",
                        what, said);
        return;
    }
    cJSON *root = hitl_chk_body_json(resp);
    bool json = cJSON_IsObject(root);
    cJSON_Delete(root);
    if (line_refused_status(resp->status) && !json) {
        hitl_check_note(ctx,
                        "%s: HTTP %ld from the HTTP layer (Content-Type %s): the request "
                        "line was refused before the app",
                        what, resp->status, ct ? ct : "none");
        return;
    }
    /* The app answered (its 404 for an unknown token, or its own JSON 4xx): §1.3 holds. */
    hitl_chk_expect_error_shape(ctx, resp, resp->status, what);
    if (resp->status != 404)
        hitl_check_note(ctx, "%s answered HTTP %ld", what, resp->status);
}

/* §1.3.3: "No endpoint returns a stack trace or HTML for … huge tokens (e.g. 64 KiB path
 * segment); expected 4xx". In a deployment the request line rarely reaches the app: Dify's
 * docker nginx sets no large_client_header_buffers (docker/nginx/conf.d/
 * default.conf.template@0296455b4958829c23ae6dd9f849056b94efe8d2), so nginx's default 4 8k
 * answers a line over 8 KiB with its own HTML 414; gunicorn alone answers an HTML 400
 * (limit_request_line 4094). A 4xx from the HTTP layer or a front end is conformant; a 5xx,
 * a hang or a dropped connection is the finding; when the app answers itself (404 for the
 * unknown token), its body is the §1.3 JSON. */
static void huge_token(hitl_check_ctx *ctx)
{
    char *token = malloc(HUGE_TOKEN_LEN + 1);
    if (!token) {
        hitl_check_error(ctx, "out of memory");
        return;
    }
    memset(token, 'A', HUGE_TOKEN_LEN);
    token[HUGE_TOKEN_LEN] = '\0';
    static const char *const methods[] = {"GET", "POST"};
    for (size_t i = 0; i < 2 && !hitl_check_done(ctx); i++) {
        hitl_http_response resp;
        hitl_err terr = {0};
        char what[128];
        snprintf(what, sizeof what, "%s /form/human_input/<64 KiB token>", methods[i]);
        int rc = huge_call(ctx, methods[i], token, &resp, &terr);
        if (rc == HITL_OK)
            judge_huge(ctx, &resp, what);
        else if (rc != HITL_E_ARG)
            hitl_check_fail(ctx, "a 4xx answer, never a hang or a dropped connection (§1.3.3)",
                            "%s: no answer: %s", what, terr.msg);
        hitl_http_response_free(&resp);
    }
    free(token);
}

/* §4.1 order 0: "missing/invalid API key → 401 unauthorized" (§1.2 E4: app API key). The
 * body is a valid submission of a live form, so a server that skips authentication accepts
 * it (200). The code is recorded, not asserted (CONFIRMED only in an old wraps.py). */
static void svc_auth(hitl_check_ctx *ctx)
{
    hitl_run run;
    if (hitl_flow_start(ctx, &run) == HITL_OK) {
        char *body = hitl_chk_valid_body(ctx, &run, NULL);
        const struct {
            const char *authorization, *what;
        } cases[] = {
            {"", "an SVC submit without Authorization"},
            {"Bearer app-hitlcheck-not-a-key", "an SVC submit with an unknown API key"},
        };
        char path[1024];
        hitl_flow_form_path(ctx, path, sizeof path, run.form_token, ""); /* "" when refused */
        for (size_t i = 0; body && i < sizeof cases / sizeof cases[0] && !hitl_check_done(ctx);
             i++) {
            hitl_call call = {.method = "POST",
                              .surface = HITL_SURFACE_SERVICE,
                              .path = path,
                              .json = body,
                              .authorization = cases[i].authorization};
            hitl_http_response resp;
            if (hitl_flow_call(ctx, &call, &resp) == HITL_OK &&
                hitl_chk_expect_error_shape(ctx, &resp, 401, cases[i].what)) {
                cJSON *root = hitl_chk_body_json(&resp);
                const cJSON *code = cJSON_GetObjectItemCaseSensitive(root, "code");
                if (cJSON_IsString(code) && strcmp(code->valuestring, "unauthorized"))
                    hitl_check_note(ctx, "%s: code \"%s\" (older Dify: \"unauthorized\")",
                                    cases[i].what, code->valuestring);
                cJSON_Delete(root);
            }
            hitl_http_response_free(&resp);
        }
        free(body);
    }
    hitl_run_free(&run);
}

static const hitl_check_impl CHECKS[] = {
    {"errors.shape.unknown-token", unknown_token},
    {"errors.body.malformed-json", malformed_json},
    {"errors.path.huge-token", huge_token},
    {"errors.path.non-utf8-token", non_utf8_token},
    {"errors.svc.auth", svc_auth},
};

HITL_CHECK_TABLE(errors, CHECKS)
