/* flow.c: the lifecycle steps as calls through a check's context (see flow.h). */
#include "hitl/flow.h"

#include "hitl/buf.h"
#include "hitl/json.h"
#include "hitl/url.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define URL_MAX 16384u
#define START_WAIT_CLOSE_DEFAULT_MS 0

/* A stream's request goes through the check's context: recorded, cut by the run's stop. */
static int send_via_ctx(void *user, const hitl_http_request *req, hitl_http_response *resp,
                        hitl_err *err)
{
    return hitl_ctx_http_raw(user, req, resp, err);
}

/* call_once is hitl_flow_call without the patience: one request. */
static int call_once(hitl_check_ctx *ctx, const hitl_call *call, hitl_http_response *resp)
{
    const hitl_target *t = hitl_ctx_target(ctx);
    if (!call->path || call->path[0] != '/') {
        /* hitl_url_path leaves "" for a value it refused (and said why): nothing is sent. */
        memset(resp, 0, sizeof *resp);
        hitl_check_error(ctx, "a request without a path was not sent (a refused value)");
        return HITL_E_ARG;
    }
    hitl_buf url;
    hitl_buf_init(&url, URL_MAX);
    int rc = hitl_target_url(t, call->surface, &url, call->path);
    if (rc) {
        hitl_buf_free(&url);
        memset(resp, 0, sizeof *resp);
        hitl_check_error(ctx, "could not build the URL for %s (longer than %u bytes?)", call->path,
                         URL_MAX);
        return rc;
    }
    const char *headers[40];
    size_t nh = 0;
    char auth[1024];
    if (call->authorization) {
        if (call->authorization[0]) {
            snprintf(auth, sizeof auth, "Authorization: %s", call->authorization);
            headers[nh++] = auth;
        }
    } else if (call->surface == HITL_SURFACE_SERVICE && t->api_key) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", t->api_key);
        headers[nh++] = auth;
    }
    char ctype[256];
    if (call->json) {
        snprintf(ctype, sizeof ctype, "Content-Type: %s",
                 call->content_type ? call->content_type : "application/json");
        headers[nh++] = ctype;
    }
    for (size_t i = 0; i < call->n_headers && nh < sizeof headers / sizeof headers[0]; i++)
        headers[nh++] = call->headers[i];
    hitl_http_request req = {
        .method = call->method ? call->method : (call->json || call->n_parts ? "POST" : "GET"),
        .url = hitl_buf_str(&url),
        .headers = headers,
        .n_headers = nh,
        .body = call->json,
        .body_len = call->json ? (call->json_len ? call->json_len : strlen(call->json)) : 0,
        .parts = call->parts,
        .n_parts = call->n_parts,
        .timeout_ms = call->timeout_ms,
        .source_ip = call->source_ip,
    };
    rc = hitl_ctx_http(ctx, &req, resp);
    hitl_buf_free(&url);
    return rc;
}

#define PATIENT_RETRIES 3

bool hitl_flow_ride_out_429(hitl_check_ctx *ctx, hitl_surface surface, long status, int attempt,
                            long *waited_s)
{
    const hitl_target *t = hitl_ctx_target(ctx);
    long wait_s = (long)t->rate_window_s + 1;
    if (status != 429 || surface != HITL_SURFACE_WEB || attempt >= PATIENT_RETRIES ||
        *waited_s + wait_s > t->max_wait_s)
        return false;
    *waited_s += wait_s;
    hitl_ctx_sleep_ms(ctx, wait_s * 1000L, "the WEB rate-limit window (other checks' requests)");
    return true;
}

int hitl_flow_call(hitl_check_ctx *ctx, const hitl_call *call, hitl_http_response *resp)
{
    long waited_s = 0;
    for (int attempt = 0;; attempt++) {
        int rc = call_once(ctx, call, resp);
        if (rc || call->raw ||
            !hitl_flow_ride_out_429(ctx, call->surface, resp->status, attempt, &waited_s))
            return rc;
        hitl_http_response_free(resp);
    }
}

/* --- starting a run --- */

void hitl_flow_frame_event(const hitl_stream_frame *f, char *out, size_t cap)
{
    out[0] = '\0';
    if (!strcmp(f->type, "ping")) {
        snprintf(out, cap, "ping");
        return;
    }
    cJSON *root = cJSON_ParseWithLength(f->data, f->data_len);
    const cJSON *ev = cJSON_GetObjectItemCaseSensitive(root, "event");
    if (cJSON_IsString(ev))
        snprintf(out, cap, "%s", ev->valuestring);
    cJSON_Delete(root);
}

void hitl_flow_event_list(const hitl_stream *s, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < s->n_frames && n + 1 < cap; i++) {
        char name[64];
        hitl_flow_frame_event(&s->frames[i], name, sizeof name);
        int w =
            snprintf(out + n, cap - n, "%s%s", i ? ", " : "", name[0] ? name : s->frames[i].type);
        if (w < 0 || (size_t)w >= cap - n) {
            if (cap > 4)
                snprintf(out + cap - 4, 4, "...");
            return;
        }
        n += (size_t)w;
    }
    if (!s->n_frames)
        snprintf(out, cap, "no frames");
}

bool hitl_flow_frame_decode(const hitl_stream *s, size_t i, hitl_event *ev)
{
    memset(ev, 0, sizeof *ev);
    if (i >= s->n_frames)
        return false;
    const hitl_stream_frame *f = &s->frames[i];
    hitl_err err = {0};
    return hitl_event_decode(f->type, strlen(f->type), f->data, f->data_len, ev, &err) == HITL_OK;
}

static bool frame_is(const hitl_stream_frame *f, const char *event)
{
    char name[64];
    hitl_flow_frame_event(f, name, sizeof name);
    return !strcmp(name, event);
}

static bool is_required(void *user, const hitl_stream_frame *f)
{
    (void)user;
    return frame_is(f, "human_input_required");
}

int hitl_flow_resume_sync(hitl_check_ctx *ctx, const char *run_id, const char *user,
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

bool hitl_flow_stop_after_paused(void *user, const hitl_stream_frame *f)
{
    (void)user;
    return frame_is(f, "workflow_paused");
}

/* For starting runs: stop at workflow_paused only once human_input_required was seen, so
 * a server that sends them out of order (§2) still yields the form to judge the order by. */
static bool stop_after_required_and_paused(void *user, const hitl_stream_frame *f)
{
    bool *seen_required = user;
    if (frame_is(f, "human_input_required"))
        *seen_required = true;
    return *seen_required && frame_is(f, "workflow_paused");
}

bool hitl_flow_stop_after_finished(void *user, const hitl_stream_frame *f)
{
    (void)user;
    return frame_is(f, "workflow_finished");
}

static char *json_string_dup(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? strdup(v->valuestring) : NULL;
}

/* Judges a string read from JSON text that held a NUL (|nul|, hitl_json_text_has_nul) or
 * not: 0, or HITL_E_INVALID with the reason (url.h, or the NUL that may have cut it). */
static int judge_value(const char *value, bool nul, hitl_err *err)
{
    if (nul)
        return hitl_err_set(err, HITL_E_INVALID,
                            "comes from JSON text holding a NUL (a raw byte or \\u0000), which "
                            "may have cut it short");
    return hitl_url_value_check(value, err);
}

/* take_url_value reads the string `key` of |obj|, a value that later goes into URLs (a
 * form token, a run id, a task id); |nul| says its JSON text held a NUL. |label|, when set,
 * registers it as a secret first (even a refused one: it still shows in the recorded
 * stream). A value judge_value refuses is not kept: NULL, and run->refused (the first such
 * message) names it. */
static char *take_url_value(hitl_check_ctx *ctx, hitl_run *run, const cJSON *obj, const char *key,
                            const char *label, bool nul)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsString(v))
        return NULL;
    if (label)
        hitl_ctx_secret(ctx, v->valuestring, label);
    hitl_err err = {0};
    if (judge_value(v->valuestring, nul, &err) == HITL_OK)
        return strdup(v->valuestring);
    if (!run->refused) {
        char msg[HITL_ERR_MSG_MAX + 128];
        snprintf(msg, sizeof msg,
                 "human_input_required's %s %s: the target's malformed value, refused (never "
                 "put in a URL, §1.4.6)",
                 key, err.msg);
        run->refused = strdup(msg);
    }
    return NULL;
}

/* Reads task_id, run id and the form out of the human_input_required frame. */
static void take_required(hitl_check_ctx *ctx, hitl_run *run, const hitl_stream_frame *f)
{
    cJSON *root = cJSON_ParseWithLength(f->data, f->data_len);
    if (!root)
        return;
    bool nul = hitl_json_text_has_nul(f->data, f->data_len);
    run->task_id = take_url_value(ctx, run, root, "task_id", NULL, nul);
    run->workflow_run_id = take_url_value(ctx, run, root, "workflow_run_id", NULL, nul);
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
    if (cJSON_IsObject(data)) {
        run->form_id = json_string_dup(data, "form_id");
        run->form_token = take_url_value(ctx, run, data, "form_token", "form-token", nul);
        int64_t exp = 0;
        /* Read exactly or not at all: a huge number (1e999) is no time (json.h). */
        if (hitl_json_int64(cJSON_GetObjectItemCaseSensitive(data, "expiration_time"), &exp) ==
            HITL_JSON_OK)
            run->expiration_time = exp;
        hitl_err err = {0};
        hitl_form_from_json(data, HITL_FORM_EVENT, &run->form, &err);
    }
    cJSON_Delete(root);
}

int hitl_flow_start_stream(hitl_check_ctx *ctx, const char *user, long wait_close_ms, hitl_run *run)
{
    return hitl_flow_start_stream_within(ctx, user, hitl_ctx_target(ctx)->max_wait_s * 1000L,
                                         wait_close_ms, run);
}

/* The start of a run with |api_key| (the target's when NULL); see hitl_flow_start_stream. */
static int start_stream_as(hitl_check_ctx *ctx, const char *api_key, hitl_app_mode mode,
                           const char *user, long total_ms, long wait_close_ms, hitl_run *run)
{
    memset(run, 0, sizeof *run);
    run->paused_index = SIZE_MAX;
    run->required_index = SIZE_MAX;
    const hitl_target *t = hitl_ctx_target(ctx);
    run->user = strdup(user ? user : t->user);
    if (api_key && !(run->api_key = strdup(api_key)))
        return HITL_E_NOMEM;
    cJSON *body = cJSON_CreateObject();
    cJSON *inputs = cJSON_Parse(t->inputs_json ? t->inputs_json : "{}");
    cJSON_AddItemToObject(body, "inputs", inputs ? inputs : cJSON_CreateObject());
    cJSON_AddStringToObject(body, "response_mode", "streaming");
    cJSON_AddStringToObject(body, "user", run->user);
    if (mode == HITL_APP_CHATFLOW)
        cJSON_AddStringToObject(body, "query", HITL_FLOW_CHAT_QUERY);
    char *json = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    if (!json)
        return HITL_E_NOMEM;

    hitl_buf url;
    hitl_buf_init(&url, URL_MAX);
    hitl_target_url(t, HITL_SURFACE_SERVICE, &url,
                    mode == HITL_APP_CHATFLOW ? "/chat-messages" : "/workflows/run");
    char auth[1024];
    if (!api_key)
        api_key = t->api_key;
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", api_key ? api_key : "");
    const char *headers[] = {auth, "Content-Type: application/json", "Accept: text/event-stream"};
    hitl_http_request req = {.method = "POST",
                             .url = hitl_buf_str(&url),
                             .headers = headers,
                             .n_headers = 3,
                             .body = json,
                             .body_len = strlen(json)};
    /* human_input_required must come within |total_ms| of the start, whatever else (comment
     * lines, pings) arrives meanwhile (§2.3.6); the pause, and optionally the server's close,
     * within the same time plus |wait_close_ms|. */
    bool seen_required = false;
    hitl_stream_opts so = {.total_ms = total_ms + (wait_close_ms > 0 ? wait_close_ms : 0),
                           .idle_ms = t->timeout_ms,
                           .stop = stop_after_required_and_paused,
                           .user = &seen_required,
                           .close_within_ms = wait_close_ms,
                           .reach = is_required,
                           .reach_ms = total_ms,
                           .reach_what = "human_input_required"};
    hitl_stream_via via = {send_via_ctx, ctx};
    int rc = hitl_stream_run(&via, &req, &so, &run->stream);
    free(json);
    hitl_buf_free(&url);
    for (size_t i = 0; i < run->stream.n_frames; i++) {
        const hitl_stream_frame *f = &run->stream.frames[i];
        if (run->required_index == SIZE_MAX && frame_is(f, "human_input_required")) {
            run->required_index = i;
            take_required(ctx, run, f);
        } else if (run->paused_index == SIZE_MAX && frame_is(f, "workflow_paused")) {
            run->paused_index = i;
        }
    }
    return rc;
}

int hitl_flow_start_stream_within(hitl_check_ctx *ctx, const char *user, long total_ms,
                                  long wait_close_ms, hitl_run *run)
{
    return start_stream_as(ctx, NULL, hitl_ctx_target(ctx)->app_mode, user, total_ms, wait_close_ms,
                           run);
}

int hitl_flow_start(hitl_check_ctx *ctx, hitl_run *run)
{
    return hitl_flow_start_as(ctx, NULL, run);
}

int hitl_flow_start_as(hitl_check_ctx *ctx, const char *api_key, hitl_run *run)
{
    return hitl_flow_start_in(ctx, api_key, hitl_ctx_target(ctx)->app_mode, run);
}

int hitl_flow_start_in(hitl_check_ctx *ctx, const char *api_key, hitl_app_mode mode, hitl_run *run)
{
    int rc =
        start_stream_as(ctx, api_key, mode, NULL, hitl_ctx_target(ctx)->max_wait_s * 1000L, 0, run);
    if (rc) {
        hitl_check_setup_error(ctx, HITL_STEP_START, "could not start a run (%s)",
                               hitl_status_name(rc));
        return rc;
    }
    const hitl_stream *s = &run->stream;
    if (run->refused) {
        hitl_check_setup_error(ctx, HITL_STEP_START, "%s", run->refused);
        return HITL_E_INVALID;
    }
    if (s->end == HITL_STREAM_FAILED || s->end == HITL_STREAM_TIMEOUT ||
        s->end == HITL_STREAM_OVERFLOW) {
        hitl_check_setup_error(ctx, HITL_STEP_START,
                               "the start stream ended (%s) before the pause: %s",
                               hitl_stream_end_name(s->end), s->error ? s->error : "");
        return HITL_E_STATE;
    }
    if (run->required_index == SIZE_MAX) {
        hitl_check_setup_error(ctx, HITL_STEP_START,
                               "the start stream (%zu frames) had no human_input_required event",
                               s->n_frames);
        return HITL_E_STATE;
    }
    if (!run->form_token || !run->form || !run->workflow_run_id) {
        hitl_check_setup_error(ctx, HITL_STEP_START,
                               "human_input_required lacked a form_token, a parsable form or a "
                               "workflow_run_id");
        return HITL_E_STATE;
    }
    hitl_check_setup_ok(ctx, HITL_STEP_START);
    return HITL_OK;
}

void hitl_run_free(hitl_run *run)
{
    hitl_stream_free(&run->stream);
    free(run->task_id);
    free(run->workflow_run_id);
    free(run->form_id);
    free(run->form_token);
    free(run->refused);
    free(run->user);
    free(run->api_key);
    if (run->form)
        hitl_form_free(run->form);
    memset(run, 0, sizeof *run);
}

/* --- form, submit --- */

int hitl_flow_form_path(hitl_check_ctx *ctx, char *out, size_t cap, const char *form_token,
                        const char *suffix)
{
    hitl_err err = {0};
    int rc = hitl_url_path(out, cap, "/form/human_input/", form_token, suffix, &err);
    if (rc)
        hitl_check_error(ctx,
                         "the form token %s: the request /form/human_input/<form-token>%s "
                         "was not sent",
                         err.msg, suffix ? suffix : "");
    return rc;
}

int hitl_flow_get_form(hitl_check_ctx *ctx, const char *form_token, hitl_http_response *resp)
{
    return hitl_flow_get_form_as(ctx, NULL, form_token, resp);
}

int hitl_flow_get_form_as(hitl_check_ctx *ctx, const char *api_key, const char *form_token,
                          hitl_http_response *resp)
{
    char path[URL_MAX], auth[1024];
    if (hitl_flow_form_path(ctx, path, sizeof path, form_token, "")) {
        memset(resp, 0, sizeof *resp);
        return HITL_E_INVALID;
    }
    bool svc_key = api_key && hitl_ctx_surface(ctx) == HITL_SURFACE_SERVICE;
    if (svc_key)
        snprintf(auth, sizeof auth, "Bearer %s", api_key);
    hitl_call call = {
        .surface = hitl_ctx_surface(ctx), .path = path, .authorization = svc_key ? auth : NULL};
    return hitl_flow_call(ctx, &call, resp);
}

int hitl_flow_submit(hitl_check_ctx *ctx, const char *form_token, const char *body,
                     hitl_http_response *resp)
{
    return hitl_flow_submit_as(ctx, NULL, form_token, body, resp);
}

int hitl_flow_submit_as(hitl_check_ctx *ctx, const char *api_key, const char *form_token,
                        const char *body, hitl_http_response *resp)
{
    char path[URL_MAX], auth[1024];
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
    return hitl_flow_call(ctx, &call, resp);
}

bool hitl_flow_expect_still_open(hitl_check_ctx *ctx, const char *form_token, const char *body,
                                 const char *after)
{
    hitl_http_response resp;
    bool ok = false;
    if (hitl_flow_submit(ctx, form_token, body, &resp) == HITL_OK) {
        char exp[512];
        snprintf(exp, sizeof exp,
                 "after %s, the form is still open: the corrected submit → 200 (§7.3.14, §7.4)",
                 after);
        ok = hitl_expect(ctx, resp.status == 200, exp, "HTTP %ld %.200s", resp.status,
                         hitl_buf_str(&resp.body));
    }
    hitl_http_response_free(&resp);
    return ok;
}

/* --- upload token and uploads --- */

/* hitl_flow_upload_token with the reason a malformed token was refused in |why|. */
static int upload_token_why(hitl_check_ctx *ctx, const char *form_token, hitl_http_response *resp,
                            char **token, hitl_err *why)
{
    if (token)
        *token = NULL;
    if (!hitl_flow_require_upload_routes(ctx)) {
        memset(resp, 0, sizeof *resp);
        return HITL_E_UNSUPPORTED;
    }
    char path[URL_MAX];
    if (hitl_flow_form_path(ctx, path, sizeof path, form_token, "/upload-token")) {
        memset(resp, 0, sizeof *resp);
        return HITL_E_INVALID;
    }
    hitl_call call = {.method = "POST", .surface = HITL_SURFACE_WEB, .path = path};
    int rc = hitl_flow_call(ctx, &call, resp);
    if (rc || !token || resp->status < 200 || resp->status > 299)
        return rc;
    hitl_flow_take_upload_token(ctx, resp, token, why);
    return HITL_OK;
}

int hitl_flow_upload_token(hitl_check_ctx *ctx, const char *form_token, hitl_http_response *resp,
                           char **token)
{
    return upload_token_why(ctx, form_token, resp, token, NULL);
}

char *hitl_flow_issue_upload_token(hitl_check_ctx *ctx, const char *form_token)
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

int hitl_flow_take_upload_token(hitl_check_ctx *ctx, const hitl_http_response *resp, char **token,
                                hitl_err *err)
{
    *token = NULL;
    cJSON *root = cJSON_ParseWithLength(hitl_buf_str(&resp->body), resp->body.len);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "upload_token");
    int rc = HITL_OK;
    if (cJSON_IsString(v) && v->valuestring[0]) {
        /* A secret whatever its shape: the refused one shows in the recorded answer too. */
        hitl_ctx_secret(ctx, v->valuestring, "upload-token");
        hitl_err why = {0};
        if (judge_value(v->valuestring, hitl_json_text_has_nul(resp->body.ptr, resp->body.len),
                        &why) == HITL_OK)
            *token = strdup(v->valuestring);
        else
            rc = hitl_err_set(err, HITL_E_INVALID,
                              "the upload-token answer's upload_token %s: the target's malformed "
                              "value, refused (never put in an Authorization header, §1.4.6)",
                              why.msg);
    }
    cJSON_Delete(root);
    return rc;
}

hitl_upload_layout hitl_flow_layout(hitl_check_ctx *ctx)
{
    const hitl_target *t = hitl_ctx_target(ctx);
    if (t->layout != HITL_LAYOUT_UNKNOWN)
        return t->layout;
    /* Not yet fingerprinted: probe the v2 path without a token. An existing route answers
     * 401 invalid_upload_token (the auth ladder runs before anything else, §6.1). */
    hitl_call call = {.method = "POST",
                      .surface = HITL_SURFACE_WEB,
                      .path = "/human-input-forms/files",
                      .authorization = ""};
    hitl_http_response resp;
    hitl_upload_layout layout = HITL_LAYOUT_V1;
    if (hitl_flow_call(ctx, &call, &resp) == HITL_OK && resp.status != 404 && resp.status != 405)
        layout = HITL_LAYOUT_V2;
    hitl_http_response_free(&resp);
    return layout;
}

bool hitl_flow_require_upload_routes(hitl_check_ctx *ctx)
{
    if (hitl_flow_layout(ctx) != HITL_LAYOUT_NONE)
        return true;
    const char *web = hitl_ctx_target(ctx)->web_base;
    hitl_check_skip(ctx,
                    "the target has no Human Input upload route (fingerprint.upload-layout: POST "
                    "%s/human-input-forms/files and POST %s/form/human_input/files/upload both "
                    "answered 404 or 405): a build without Human Input file uploads, or the "
                    "routes behind another prefix (--web-base); no upload-token or upload check "
                    "applies",
                    web, web);
    return false;
}

static void bearer(char *out, size_t cap, const char *token, const char *authorization)
{
    if (authorization)
        snprintf(out, cap, "%s", authorization);
    else
        snprintf(out, cap, "Bearer %s", token ? token : "");
}

static int upload_local(hitl_check_ctx *ctx, bool raw, const char *upload_token,
                        const char *authorization, const char *filename, const char *content_type,
                        const void *data, size_t len, hitl_http_response *resp)
{
    const hitl_target *t = hitl_ctx_target(ctx);
    hitl_http_part parts[2] = {
        {.name = "file",
         .filename = filename,
         .content_type = content_type,
         .data = data,
         .len = len},
        {.name = "user", .data = t->user, .len = strlen(t->user)},
    };
    char auth[2048];
    if (!upload_token && !authorization) {
        hitl_call call = {.method = "POST",
                          .surface = HITL_SURFACE_SERVICE,
                          .path = "/files/upload",
                          .parts = parts,
                          .n_parts = 2,
                          .raw = raw};
        return hitl_flow_call(ctx, &call, resp);
    }
    if (!hitl_flow_require_upload_routes(ctx)) {
        memset(resp, 0, sizeof *resp);
        return HITL_E_UNSUPPORTED;
    }
    bearer(auth, sizeof auth, upload_token, authorization);
    bool v2 = hitl_flow_layout(ctx) == HITL_LAYOUT_V2;
    hitl_call call = {.method = "POST",
                      .surface = HITL_SURFACE_WEB,
                      .path = v2 ? "/human-input-forms/files" : "/form/human_input/files/upload",
                      .parts = parts,
                      .n_parts = 1,
                      .authorization = auth,
                      .raw = raw};
    return hitl_flow_call(ctx, &call, resp);
}

int hitl_flow_upload_local(hitl_check_ctx *ctx, const char *upload_token, const char *authorization,
                           const char *filename, const char *content_type, const void *data,
                           size_t len, hitl_http_response *resp)
{
    return upload_local(ctx, false, upload_token, authorization, filename, content_type, data, len,
                        resp);
}

int hitl_flow_upload_local_raw(hitl_check_ctx *ctx, const char *upload_token,
                               const char *authorization, const char *filename,
                               const char *content_type, const void *data, size_t len,
                               hitl_http_response *resp)
{
    return upload_local(ctx, true, upload_token, authorization, filename, content_type, data, len,
                        resp);
}

int hitl_flow_upload_svc_as(hitl_check_ctx *ctx, const char *api_key, const char *user,
                            const char *filename, const char *content_type, const void *data,
                            size_t len, hitl_http_response *resp)
{
    const hitl_target *t = hitl_ctx_target(ctx);
    if (!user)
        user = t->user;
    hitl_http_part parts[2] = {
        {.name = "file",
         .filename = filename,
         .content_type = content_type,
         .data = data,
         .len = len,
         .no_content_type = content_type == NULL},
        {.name = "user", .data = user, .len = strlen(user)},
    };
    char auth[1024];
    snprintf(auth, sizeof auth, "Bearer %s", api_key ? api_key : (t->api_key ? t->api_key : ""));
    hitl_call call = {.method = "POST",
                      .surface = HITL_SURFACE_SERVICE,
                      .path = "/files/upload",
                      .parts = parts,
                      .n_parts = 2,
                      .authorization = auth};
    return hitl_flow_call(ctx, &call, resp);
}

int hitl_flow_upload_remote(hitl_check_ctx *ctx, const char *upload_token,
                            const char *authorization, const char *url, hitl_http_response *resp)
{
    char auth[2048];
    if (!hitl_flow_require_upload_routes(ctx)) {
        memset(resp, 0, sizeof *resp);
        return HITL_E_UNSUPPORTED;
    }
    bearer(auth, sizeof auth, upload_token, authorization);
    if (hitl_flow_layout(ctx) == HITL_LAYOUT_V2) {
        hitl_http_part part = {.name = "url", .data = url, .len = strlen(url)};
        hitl_call call = {.method = "POST",
                          .surface = HITL_SURFACE_WEB,
                          .path = "/human-input-forms/files",
                          .parts = &part,
                          .n_parts = 1,
                          .authorization = auth};
        return hitl_flow_call(ctx, &call, resp);
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "url", url);
    char *json = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    hitl_call call = {.method = "POST",
                      .surface = HITL_SURFACE_WEB,
                      .path = "/form/human_input/files/remote-upload",
                      .json = json,
                      .authorization = auth};
    int rc = hitl_flow_call(ctx, &call, resp);
    free(json);
    return rc;
}

char *hitl_flow_upload_id(const hitl_http_response *resp, hitl_err *err)
{
    if (resp->status != 201)
        return NULL;
    cJSON *root = cJSON_ParseWithLength(hitl_buf_str(&resp->body), resp->body.len);
    char *id = json_string_dup(root, "id");
    cJSON_Delete(root);
    hitl_err why = {0};
    if (id && judge_value(id, hitl_json_text_has_nul(resp->body.ptr, resp->body.len), &why)) {
        hitl_err_set(err, HITL_E_INVALID,
                     "the upload answer's id %s: the target's malformed value, refused (§1.4.6)",
                     why.msg);
        free(id);
        return NULL;
    }
    return id;
}

/* --- resume --- */

int hitl_flow_resume_start(hitl_check_ctx *ctx, const char *run_id, const char *user,
                           const char *query, long total_ms, hitl_stream_stop_fn stop,
                           void *stop_user, hitl_stream_async **out)
{
    hitl_stream_opts so = {.total_ms = total_ms, .stop = stop, .user = stop_user};
    return hitl_flow_resume_open(ctx, run_id, user, query, NULL, &so, out);
}

int hitl_flow_resume_open(hitl_check_ctx *ctx, const char *run_id, const char *user,
                          const char *query, const char *api_key, const hitl_stream_opts *opts,
                          hitl_stream_async **out)
{
    const hitl_target *t = hitl_ctx_target(ctx);
    if (!api_key)
        api_key = t->api_key;
    /* /workflow/<run id>/events?user=<user>&<query>: the run id (the server's) judged and
     * encoded, the user (--user, the harness's) encoded, the query the caller's own. */
    hitl_buf path;
    hitl_buf_init(&path, URL_MAX);
    char seg[URL_MAX];
    hitl_err err = {0};
    int rc = hitl_url_path(seg, sizeof seg, "/workflow/", run_id, "/events", &err);
    if (rc) {
        hitl_buf_free(&path);
        hitl_check_error(ctx,
                         "the run id %s: the resume request /workflow/<run-id>/events was "
                         "not sent",
                         err.msg);
        return rc;
    }
    rc = hitl_buf_append_str(&path, seg);
    if (!rc && (user || query))
        rc = hitl_buf_append_str(&path, "?");
    if (!rc && user) {
        rc = hitl_buf_append_str(&path, "user=");
        rc = rc ? rc : hitl_url_encode(&path, user);
    }
    if (!rc && user && query)
        rc = hitl_buf_append_str(&path, "&");
    if (!rc && query)
        rc = hitl_buf_append_str(&path, query);
    hitl_buf url;
    hitl_buf_init(&url, URL_MAX);
    rc = rc ? rc : hitl_target_url(t, HITL_SURFACE_SERVICE, &url, hitl_buf_str(&path));
    hitl_buf_free(&path);
    if (rc) {
        hitl_buf_free(&url);
        hitl_check_error(ctx, "the resume URL is longer than %u bytes", URL_MAX);
        return rc;
    }
    char auth[1024];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", api_key ? api_key : "");
    const char *headers[] = {auth, "Accept: text/event-stream"};
    hitl_http_request req = {
        .method = "GET", .url = hitl_buf_str(&url), .headers = headers, .n_headers = 2};
    hitl_stream_via via = {send_via_ctx, ctx};
    rc = hitl_stream_start(&via, &req, opts, out);
    hitl_buf_free(&url);
    return rc;
}

/* --- sample files --- */

/* A minimal valid PDF (one empty page). */
static const char SAMPLE_PDF[] = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
                                 "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
                                 "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 72 72]>>endobj\n"
                                 "trailer<</Root 1 0 R>>\n%%EOF\n";

/* A 1x1 PNG. */
static const unsigned char SAMPLE_PNG[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
    0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00,
    0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78,
    0x9c, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00,
    0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

const char *hitl_flow_sample_pdf(size_t *len)
{
    *len = sizeof SAMPLE_PDF - 1;
    return SAMPLE_PDF;
}

const char *hitl_flow_sample_png(size_t *len)
{
    *len = sizeof SAMPLE_PNG;
    return (const char *)SAMPLE_PNG;
}

/* --- before the checks --- */

static long probe_status(hitl_http *http, const char *url, const char *method, long timeout_ms,
                         hitl_err *err)
{
    hitl_http_request req = {.method = method, .url = url, .timeout_ms = timeout_ms};
    hitl_http_response resp;
    int rc = hitl_http_do(http, &req, &resp, err);
    long status = rc ? -1 : resp.status;
    hitl_http_response_free(&resp);
    return status;
}

int hitl_flow_probe(hitl_http *http, hitl_target *t, hitl_err *err)
{
    hitl_buf url;
    hitl_buf_init(&url, URL_MAX);
    hitl_target_url(t, HITL_SURFACE_SERVICE, &url, "/");
    long st = probe_status(http, hitl_buf_str(&url), "GET", t->timeout_ms, err);
    int rc = HITL_OK;
    if (st < 0) {
        rc = err ? err->code : HITL_E_NETWORK;
        goto out;
    }
    if (t->layout == HITL_LAYOUT_UNKNOWN) {
        /* An existing upload route answers an unauthenticated POST with 401 (§6.1). */
        hitl_target_url(t, HITL_SURFACE_WEB, &url, "/human-input-forms/files");
        long v2 = probe_status(http, hitl_buf_str(&url), "POST", t->timeout_ms, NULL);
        hitl_target_url(t, HITL_SURFACE_WEB, &url, "/form/human_input/files/upload");
        long v1 = probe_status(http, hitl_buf_str(&url), "POST", t->timeout_ms, NULL);
        if (v2 > 0 && v2 != 404 && v2 != 405)
            t->layout = HITL_LAYOUT_V2;
        else if (v1 > 0 && v1 != 404 && v1 != 405)
            t->layout = HITL_LAYOUT_V1;
        else if (v1 > 0 && v2 > 0)
            t->layout = HITL_LAYOUT_NONE; /* both answered, neither exists */
    }
out:
    hitl_buf_free(&url);
    return rc;
}
