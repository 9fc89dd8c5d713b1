/* common.c: helpers shared by the check areas. */
#include "common.h"

#include "hitl/fixture.h"
#include "hitl/proxy_page.h"

#include <time.h>

cJSON *hitl_chk_body_json(const hitl_http_response *resp)
{
    return cJSON_ParseWithLength(hitl_buf_str(&resp->body), resp->body.len);
}

cJSON *hitl_chk_frame_json(const hitl_stream_frame *f)
{
    return cJSON_ParseWithLength(f->data, f->data_len);
}

const hitl_run_env *hitl_chk_env(hitl_check_ctx *ctx)
{
    return hitl_ctx_env(ctx);
}

long long hitl_chk_now(void)
{
    return (long long)time(NULL);
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
    if (!hitl_expect(ctx, cJSON_IsObject(root), expected, "body (%zu bytes) is not a JSON object: %.200s",
                     resp->body.len, hitl_buf_str(&resp->body))) {
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
        ok = hitl_expect(ctx, false, exp, "HTTP %ld, a body that is not a JSON object (Content-Type %s): %.200s",
                         resp->status, ct ? ct : "none", body);
    else if (!cJSON_IsString(c) || !cJSON_IsString(m))
        ok = hitl_expect(ctx, false, exp, "HTTP %ld, `code` or `message` missing or not a string: %.200s",
                         resp->status, body);
    else if (!cJSON_IsNumber(s) || s->valuedouble != (double)resp->status)
        ok = hitl_expect(ctx, false, exp, "HTTP %ld, `status` %s: %.200s", resp->status,
                         cJSON_IsNumber(s) ? "differs from the HTTP status" : "missing or not a number",
                         body);
    else
        ok = hitl_expect(ctx, true, exp, "ok");
    cJSON_Delete(root);
    return ok;
}

/* --- added for the form and upload areas --- */

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

int hitl_chk_require_fixture_fetch(hitl_check_ctx *ctx, const char *form_token,
                                   const char *upload_token)
{
    return hitl_chk_require_fixture_fetch_for(ctx, form_token, upload_token, NULL);
}

int hitl_chk_require_fixture_fetch_for(hitl_check_ctx *ctx, const char *form_token,
                                       const char *upload_token, const char *need)
{
    const hitl_run_env *env = hitl_chk_env(ctx);
    const char *sep = need ? ", but " : "";
    if (!need)
        need = "";
    if (!env || !env->fixture || !env->fixture_base) {
        hitl_check_skip(ctx, "%s%sno fixture server the target can reach (--fixture-url)", need,
                        sep);
        return HITL_E_UNSUPPORTED;
    }
    if (!hitl_flow_require_upload_routes(ctx))
        return HITL_E_UNSUPPORTED;
    char *issued = NULL;
    if (!upload_token) {
        issued = hitl_chk_issue_upload_token(ctx, form_token);
        if (!issued)
            return HITL_E_STATE;
        upload_token = issued;
    }
    char nonce[160], url[1024], prefix[200];
    snprintf(nonce, sizeof nonce, "%s-%s-reach", hitl_ctx_id(ctx),
             hitl_surface_name(hitl_ctx_surface(ctx)));
    snprintf(url, sizeof url, "%s/n/%s/good.pdf", env->fixture_base, nonce);
    snprintf(prefix, sizeof prefix, "/n/%s/", nonce);
    hitl_http_response resp;
    int rc = hitl_flow_upload_remote(ctx, upload_token, NULL, url, &resp);
    free(issued);
    if (rc) {
        hitl_http_response_free(&resp);
        return rc;
    }
    size_t hits = hitl_fixture_hits(env->fixture, prefix);
    if (resp.status != 201 || hits == 0) {
        hitl_check_skip(ctx,
                        "%s%sprecondition: the target did not fetch the fixture's good file (a "
                        "remote upload of %s answered HTTP %ld %.120s; the fixture saw %zu "
                        "request(s) for it), so %s: make the fixture reachable from the target "
                        "(--fixture-listen on an address the target can reach, --fixture-url "
                        "with the URL the target uses; allow it through the target's SSRF "
                        "proxy)",
                        need, sep, url, resp.status, hitl_buf_str(&resp.body), hits,
                        need[0] ? "no valid value can be sent"
                                : "a refusal of a failing URL would prove nothing");
        hitl_http_response_free(&resp);
        return HITL_E_UNSUPPORTED;
    }
    hitl_check_note(ctx, "precondition: the target fetched the fixture's %s (201)", url);
    hitl_http_response_free(&resp);
    return HITL_OK;
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

/* --- the global timeout (§10) --- */

int hitl_chk_await_global_timeout(hitl_check_ctx *ctx, hitl_run *run, long long *deadline)
{
    int rc = hitl_chk_global_start(ctx, run, deadline);
    if (!rc)
        hitl_chk_global_wait(ctx, *deadline);
    return rc;
}

void hitl_chk_global_wait(hitl_check_ctx *ctx, long long deadline)
{
    long long now = hitl_chk_now();
    if (deadline + 1 > now)
        hitl_ctx_sleep_ms(ctx, (long)(deadline + 1 - now) * 1000L,
                          "the run's global timeout (+1 s)");
}

int hitl_chk_global_start(hitl_check_ctx *ctx, hitl_run *run, long long *deadline)
{
    const hitl_target *t = hitl_ctx_target(ctx);
    const char *key = hitl_chk_env(ctx)->global_app_key;
    memset(run, 0, sizeof *run);
    if (t->global_timeout_s <= 0) {
        hitl_check_skip(ctx, "the target's HUMAN_INPUT_GLOBAL_TIMEOUT_SECONDS is not known: give "
                             "it as --global-timeout S (set low on a test deployment, "
                             "docs/expiry.md)");
        return HITL_E_UNSUPPORTED;
    }
    if (hitl_flow_start_as(ctx, key, run))
        return HITL_E_STATE;
    /* The run was created before its first event reached us: counting from now is late,
     * never early, so the deadline has surely passed when the wait ends. */
    long long now = hitl_chk_now();
    *deadline = now + t->global_timeout_s;
    if (run->expiration_time > 0 && run->expiration_time <= *deadline) {
        hitl_check_skip(ctx,
                        "the app's node timeout ends the form first (expiration_time %lld, "
                        "global deadline about %lld): point --global-timeout-key at an app "
                        "whose Human Input node timeout is longer than --global-timeout %ld",
                        (long long)run->expiration_time, *deadline, t->global_timeout_s);
        return HITL_E_UNSUPPORTED;
    }
    if (t->global_timeout_s + 1 > t->max_wait_s) {
        hitl_check_skip(ctx,
                        "waiting for the global timeout (%ld s) needs --max-wait %ld or more "
                        "(now %ld)",
                        t->global_timeout_s, t->global_timeout_s + 1, t->max_wait_s);
        return HITL_E_UNSUPPORTED;
    }
    return HITL_OK;
}

void hitl_chk_global_auth(hitl_check_ctx *ctx, char *out, size_t cap)
{
    const char *key = hitl_chk_env(ctx)->global_app_key;
    if (!key)
        key = hitl_ctx_target(ctx)->api_key;
    snprintf(out, cap, "Bearer %s", key ? key : "");
}

const char *hitl_chk_blocked_extension(hitl_check_ctx *ctx)
{
    const hitl_run_env *env = hitl_chk_env(ctx);
    return env && env->n_blocked_extensions ? env->blocked_extensions[0] : NULL;
}
