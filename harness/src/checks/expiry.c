/* expiry.c: what a form's endpoints answer once its expiration_time — or the global timeout —
 * has passed (§10; §10.2, §10.3, §10.4, §10.5, §10.6, §10.7, §5.6). §10: "GET, POST, upload-token
 * issue, every upload: 412 human_input_form_expired once expiration_time <= now … even before the
 * beat task runs".
 *
 * Every check starts its own run, prepares while the form is still active whatever it will
 * need afterwards (an upload token, a valid submission with its files uploaded), waits for
 * the real expiration_time plus one second of clock slack, and asks at once: the sweeper
 * (every HUMAN_INPUT_TIMEOUT_TASK_INTERVAL minutes on Dify) has then most likely not run, so a
 * 412 proves the synchronous check, not the sweeper's status change. The checks run in
 * parallel, so their waits overlap. A wait longer than --max-wait is a SKIP that names the
 * wait it needed (§11.1): against a real deployment the test app's Human
 * Input node needs a short timeout (docs/expiry.md). */
#include "expect_body.h"
#include "global_timeout.h"
#include "run_env.h"
#include "valid_submission.h"

#include "hitl/checks.h"
#include "hitl/flow.h"
#include "hitl/form.h"
#include "hitl/json.h"
#include "hitl/target.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Clock slack after the deadline: expiration_time is whole seconds and the target's clock
 * may lag ours a little. */
#define EXPIRY_SLACK_MS 1000L

/* What a check prepares while the form is active. */
enum {
    PREP_TOKEN = 1u << 0,      /* an upload token (WEB) */
    PREP_TOKEN_USED = 1u << 1, /* … proven usable by one upload, and wait for its expires_at */
    PREP_BODY = 1u << 2        /* a valid submission, its files uploaded */
};

typedef struct expiry_case {
    hitl_run run;
    char *upload_token;      /* PREP_TOKEN: issued while the form was active */
    long long token_expires; /* its expires_at; 0 when the answer had no integer */
    char *body;              /* PREP_BODY: a valid submission */
    long long deadline;      /* what the wait was for: expiration_time or expires_at */
} expiry_case;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000LL + ts.tv_nsec / 1000000L;
}

static void expiry_close(expiry_case *e)
{
    free(e->upload_token);
    free(e->body);
    hitl_run_free(&e->run);
}

/* True when waiting until |deadline| + slack fits in --max-wait; otherwise SKIPs naming the
 * wait needed (decision 5). |what| names the deadline. */
static bool within_max_wait(hitl_check_ctx *ctx, long long deadline, const char *what)
{
    const hitl_target *t = hitl_ctx_target(ctx);
    long long wait_ms = deadline * 1000LL + EXPIRY_SLACK_MS - now_ms();
    if (wait_ms <= (long long)t->max_wait_s * 1000LL)
        return true;
    long long need_s = (wait_ms + 999) / 1000;
    hitl_check_skip(ctx,
                    "%s (%lld) is %lld s away: checking after it needs --max-wait %lld or more "
                    "(now %ld); point the harness at an app whose Human Input node has a short "
                    "timeout (docs/expiry.md)",
                    what, deadline, need_s - 1, need_s, t->max_wait_s);
    return false;
}

/* The integer `expires_at` of an upload-token answer, 0 when absent or not an integer. */
static long long expires_at_of(const hitl_http_response *resp)
{
    cJSON *root = hitl_chk_body_json(resp);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "expires_at");
    int64_t exact = 0; /* an inf or huge number is no time: never cast (json.h) */
    long long out = hitl_json_int64(v, &exact) == HITL_JSON_OK ? (long long)exact : 0;
    cJSON_Delete(root);
    return out;
}

/* Uploads the sample PDF with |token| (WEB). */
static int upload_sample(hitl_check_ctx *ctx, const char *token, hitl_http_response *resp)
{
    size_t len;
    const char *pdf = hitl_flow_sample_pdf(&len);
    return hitl_flow_upload_local(ctx, token, NULL, "hitlcheck.pdf", "application/pdf", pdf, len,
                                  resp);
}

/* Issues the upload token (and, for PREP_TOKEN_USED, its expires_at and one accepted
 * upload). 0, or non-zero after an ERROR. */
static int prepare_token(hitl_check_ctx *ctx, unsigned prep, expiry_case *e)
{
    hitl_http_response resp;
    int rc = hitl_flow_upload_token(ctx, e->run.form_token, &resp, &e->upload_token);
    if (!rc) {
        e->token_expires = expires_at_of(&resp);
        if (!e->upload_token || ((prep & PREP_TOKEN_USED) && e->token_expires <= 0)) {
            hitl_check_error(ctx,
                             "precondition: issuing an upload token on the active form answered "
                             "HTTP %ld without %s: %.200s",
                             resp.status,
                             e->upload_token ? "an integer expires_at" : "an upload_token",
                             hitl_buf_str(&resp.body));
            rc = HITL_E_STATE;
        }
    }
    hitl_http_response_free(&resp);
    if (rc || !(prep & PREP_TOKEN_USED))
        return rc;
    rc = upload_sample(ctx, e->upload_token, &resp);
    if (!rc && (resp.status < 200 || resp.status > 299)) {
        hitl_check_error(ctx,
                         "precondition: an upload with the fresh token, before its expires_at, "
                         "answered HTTP %ld, not 201: %.200s",
                         resp.status, hitl_buf_str(&resp.body));
        rc = HITL_E_STATE;
    }
    hitl_http_response_free(&resp);
    return rc;
}

/* expiry_reach starts a run, prepares what |prep| names while the form is active, and waits
 * until its deadline (the form's expiration_time; the token's expires_at with
 * PREP_TOKEN_USED) has passed by the slack. Returns 0 with |e| ready, or non-zero after an
 * ERROR or a SKIP. |e| is the caller's to expiry_close in every case. */
static int expiry_reach(hitl_check_ctx *ctx, unsigned prep, expiry_case *e)
{
    memset(e, 0, sizeof *e);
    if (hitl_flow_start(ctx, &e->run))
        return HITL_E_STATE;
    if (e->run.expiration_time <= 0) {
        hitl_check_error(ctx, "precondition: human_input_required had no expiration_time");
        return HITL_E_STATE;
    }
    /* Skip before preparing anything when the form outlives max-wait. */
    if (!within_max_wait(ctx, (long long)e->run.expiration_time, "the form's expiration_time"))
        return HITL_E_UNSUPPORTED;
    if ((prep & (PREP_TOKEN | PREP_TOKEN_USED)) && prepare_token(ctx, prep, e))
        return HITL_E_STATE;
    if (prep & PREP_BODY) {
        const hitl_valid_opts vo = {.upload_token = e->upload_token};
        e->body = hitl_chk_valid_body(ctx, &e->run, &vo);
        if (!e->body)
            return HITL_E_STATE; /* SKIP or ERROR already set */
    }
    e->deadline = (prep & PREP_TOKEN_USED) ? e->token_expires : (long long)e->run.expiration_time;
    if ((prep & PREP_TOKEN_USED) &&
        !within_max_wait(ctx, e->deadline, "the upload token's expires_at"))
        return HITL_E_UNSUPPORTED;
    long long wait_ms = e->deadline * 1000LL + EXPIRY_SLACK_MS - now_ms();
    if (wait_ms > 0)
        hitl_ctx_sleep_ms(ctx, (long)wait_ms,
                          (prep & PREP_TOKEN_USED) ? "the upload token's expires_at (+1 s)"
                                                   : "the form's expiration_time (+1 s)");
    return HITL_OK;
}

/* Seconds between the deadline and now, for the report. */
static double past_deadline_s(const expiry_case *e)
{
    return (double)(now_ms() - e->deadline * 1000LL) / 1000.0;
}

/* A WEB 429 right after the expiry leaves nothing to judge: riding out the window would let
 * a sweeper run first and blur "immediately". True (after an ERROR) in that case. */
static bool rate_limited(hitl_check_ctx *ctx, const hitl_http_response *resp)
{
    if (resp->status != 429 || hitl_ctx_surface(ctx) != HITL_SURFACE_WEB)
        return false;
    hitl_check_error(ctx, "the WEB rate limiter answered 429 right after the expiry (§8), so the "
                          "expired-form answer could not be seen; rerun with fewer --jobs or a "
                          "dedicated client IP");
    return true;
}

/* The request judged right after a deadline, seeing a 429 as it is (hitl_call.raw; see
 * rate_limited): |method| on the form |form_token| + |suffix|, on |surface|. */
static int expired_call(hitl_check_ctx *ctx, const char *method, hitl_surface surface,
                        const char *form_token, const char *suffix, const char *body,
                        hitl_http_response *resp)
{
    char path[2048];
    if (hitl_flow_form_path(ctx, path, sizeof path, form_token, suffix)) {
        memset(resp, 0, sizeof *resp);
        return HITL_E_INVALID;
    }
    hitl_call call = {
        .method = method, .surface = surface, .path = path, .json = body, .raw = true};
    return hitl_flow_call(ctx, &call, resp);
}

/* POST …/upload-token for an expired form, raw as above; a token wrongly issued is kept in
 * |*token| only so that it is registered and redacted. */
static int expired_upload_token(hitl_check_ctx *ctx, const char *form_token,
                                hitl_http_response *resp, char **token)
{
    *token = NULL;
    if (!hitl_flow_require_upload_routes(ctx)) {
        memset(resp, 0, sizeof *resp);
        return HITL_E_UNSUPPORTED;
    }
    int rc = expired_call(ctx, "POST", HITL_SURFACE_WEB, form_token, "/upload-token", NULL, resp);
    if (!rc && resp->status >= 200 && resp->status <= 299)
        hitl_flow_take_upload_token(ctx, resp, token, NULL);
    return rc;
}

/* Expects HTTP 412 with code human_input_form_expired (then the rest of the §1.3 shape),
 * asked |past| s after |deadline| ("expiration_time") had passed. |what| names the request
 * and its clause, e.g. "GET of the expired form (§4.1, §10.2)"; |cite| the rule's. */
static void expect_expired_after(hitl_check_ctx *ctx, const hitl_http_response *resp, double past,
                                 const char *what, const char *deadline, const char *cite)
{
    if (rate_limited(ctx, resp))
        return;
    cJSON *root = hitl_chk_body_json(resp);
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(root, "code");
    bool expired = resp->status == 412 && cJSON_IsString(code) &&
                   !strcmp(code->valuestring, "human_input_form_expired");
    cJSON_Delete(root);
    char exp[512];
    snprintf(exp, sizeof exp,
             "%s: HTTP 412 human_input_form_expired as soon as %s has passed, before any "
             "sweeper (%s)",
             what, deadline, cite);
    if (hitl_expect(ctx, expired, exp, "HTTP %ld %.200s (asked %.1f s after %s)", resp->status,
                    hitl_buf_str(&resp->body), past,
                    strcmp(deadline, "expiration_time") ? deadline : "expiry"))
        hitl_expect_error(ctx, resp, 412, "human_input_form_expired");
}

/* The node timeout's form of the above (§10.2, §10.3, §10.4, §10.5). */
static void expect_expired(hitl_check_ctx *ctx, const hitl_http_response *resp, double past,
                           const char *what)
{
    expect_expired_after(ctx, resp, past, what, "expiration_time", "§10.2, §10.3, §10.4, §10.5");
}

/* §4.1 order 5, §10.2, §10.3, §10.4, §10.5: "Expired form … → 412 human_input_form_expired, even
 * before the sweeper runs." (SVC and WEB) */
static void form_get(hitl_check_ctx *ctx)
{
    expiry_case e;
    if (expiry_reach(ctx, 0, &e) == HITL_OK) {
        double past = past_deadline_s(&e);
        hitl_http_response resp;
        if (expired_call(ctx, "GET", hitl_ctx_surface(ctx), e.run.form_token, "", NULL, &resp) ==
            HITL_OK)
            expect_expired(ctx, &resp, past, "GET of the expired form (§4.1, §10.2)");
        hitl_http_response_free(&resp);
    }
    expiry_close(&e);
}

/* §7.2 "submitted (412) → expired (412) → normalize + validate", §10.2, §10.3, §10.4, §10.5: a
 * submission that would be valid (built, files uploaded, while the form was active) is refused 412
 * once the form has expired. (SVC and WEB) */
static void form_submit(hitl_check_ctx *ctx)
{
    expiry_case e;
    if (expiry_reach(ctx, PREP_BODY, &e) == HITL_OK) {
        double past = past_deadline_s(&e);
        hitl_http_response resp;
        if (expired_call(ctx, "POST", hitl_ctx_surface(ctx), e.run.form_token, "", e.body, &resp) ==
            HITL_OK)
            expect_expired(
                ctx, &resp, past,
                "a valid submission of the expired form (§7.2, §10.2, §10.3, §10.4, §10.5)");
        hitl_http_response_free(&resp);
    }
    expiry_close(&e);
}

/* §5 row 4 "form expired → 412 human_input_form_expired", §5.6, §10.2, §10.3, §10.4, §10.5: no
 * upload token is issued for an expired form. (WEB only: the route exists only there, §5) */
static void upload_token_issue(hitl_check_ctx *ctx)
{
    expiry_case e;
    if (expiry_reach(ctx, 0, &e) == HITL_OK) {
        double past = past_deadline_s(&e);
        hitl_http_response resp;
        char *token = NULL; /* only so a wrongly issued token is registered and redacted */
        if (expired_upload_token(ctx, e.run.form_token, &resp, &token) == HITL_OK)
            expect_expired(ctx, &resp, past,
                           "issuing an upload token for the expired form (§10.4)");
        free(token);
        hitl_http_response_free(&resp);
    }
    expiry_close(&e);
}

/* §6.1 "token's form expired / timed out / past global deadline → 412
 * human_input_form_expired", §10.5, §10.2, §10.3, §10.4: a token issued while the form was active,
 * used after the expiry, gets 412 — not 403 invalid_upload_token, and no upload. (WEB) */
static void upload_after(hitl_check_ctx *ctx)
{
    expiry_case e;
    if (expiry_reach(ctx, PREP_TOKEN, &e) == HITL_OK) {
        double past = past_deadline_s(&e);
        hitl_http_response resp;
        if (upload_sample(ctx, e.upload_token, &resp) == HITL_OK)
            expect_expired(ctx, &resp, past,
                           "an upload with a token issued before the expiry (§6.1, §10.5; "
                           "not 403)");
        hitl_http_response_free(&resp);
    }
    expiry_close(&e);
}

/* §5 "TTL: expires_at = the form's expiration_time", §6.1: the token's advertised lifetime
 * is honoured — a token that uploaded fine while the form was active is refused once its
 * own expires_at has passed. (That expires_at equals expiration_time is §5.2, checked by
 * upload-token.issue.expires-at; the exact 412 by expiry.upload.after.) (WEB) */
static void token_refused_after_expires_at(hitl_check_ctx *ctx)
{
    expiry_case e;
    if (expiry_reach(ctx, PREP_TOKEN | PREP_TOKEN_USED, &e) == HITL_OK) {
        double past = past_deadline_s(&e);
        hitl_http_response resp;
        if (upload_sample(ctx, e.upload_token, &resp) == HITL_OK && !rate_limited(ctx, &resp)) {
            cJSON *root = hitl_chk_body_json(&resp);
            const cJSON *code = cJSON_GetObjectItemCaseSensitive(root, "code");
            if (hitl_expect(ctx, resp.status >= 400 && resp.status < 500,
                            "an upload with a token past its expires_at is refused with a 4xx "
                            "(§6.1: 412 human_input_form_expired), the token having uploaded "
                            "before (§5 TTL)",
                            "HTTP %ld %.200s (asked %.1f s after expires_at %lld)", resp.status,
                            hitl_buf_str(&resp.body), past, e.deadline) &&
                hitl_chk_expect_error_shape(ctx, &resp, 0, "the refused upload") &&
                cJSON_IsString(code))
                hitl_check_note(ctx, "refused with HTTP %ld %s", resp.status, code->valuestring);
            cJSON_Delete(root);
        }
        hitl_http_response_free(&resp);
    }
    expiry_close(&e);
}

/* §10 "Synchronous checks: … 412 human_input_form_expired once expiration_time <= now (UTC,
 * naive) or global deadline passed, even before the beat task runs"; §4.1 order 4
 * "created_at + HUMAN_INPUT_GLOBAL_TIMEOUT_SECONDS <= now". The form of a run on an app whose
 * node timeout is longer than the global timeout is refused once the global deadline has
 * passed. (SVC and WEB; SVC with the global-timeout app's key) */
static void global_form_get(hitl_check_ctx *ctx)
{
    hitl_run run;
    long long deadline = 0;
    if (hitl_chk_await_global_timeout(ctx, &run, &deadline) == HITL_OK) {
        char path[1024], auth[256];
        hitl_flow_form_path(ctx, path, sizeof path, run.form_token, ""); /* "" when refused */
        hitl_chk_global_auth(ctx, auth, sizeof auth);
        bool svc = hitl_ctx_surface(ctx) == HITL_SURFACE_SERVICE;
        hitl_call call = {
            .surface = hitl_ctx_surface(ctx), .path = path, .authorization = svc ? auth : NULL};
        hitl_http_response resp;
        if (hitl_flow_call(ctx, &call, &resp) == HITL_OK)
            expect_expired_after(ctx, &resp, (double)(hitl_chk_now() - deadline),
                                 "GET of a form past the global timeout, its node timeout "
                                 "still ahead (§4.1)",
                                 "the global deadline", "§10 global cap");
        hitl_http_response_free(&resp);
    }
    hitl_run_free(&run);
}

/* global_reach is expiry_reach for the global cap (§10.7): it starts a run on the
 * global-timeout app (hitl_chk_global_start: SKIP without --global-timeout, or when the
 * app's node timeout ends the form first, or the wait is over --max-wait), prepares what
 * |prep| names (PREP_TOKEN, PREP_BODY; files uploaded with that app's key on SVC) while the
 * form is active, and waits until the global deadline has passed by a second. Returns 0
 * with |e| ready (e->deadline the global deadline), or non-zero after an ERROR or a SKIP.
 * |e| is the caller's to expiry_close in every case. */
static int global_reach(hitl_check_ctx *ctx, unsigned prep, expiry_case *e)
{
    memset(e, 0, sizeof *e);
    long long deadline = 0;
    if (hitl_chk_global_start(ctx, &e->run, &deadline))
        return HITL_E_STATE;
    if ((prep & PREP_TOKEN) && prepare_token(ctx, PREP_TOKEN, e))
        return HITL_E_STATE;
    if (prep & PREP_BODY) {
        const hitl_valid_opts vo = {.upload_token = e->upload_token};
        e->body = hitl_chk_valid_body(ctx, &e->run, &vo);
        if (!e->body)
            return HITL_E_STATE; /* SKIP or ERROR already set */
    }
    e->deadline = deadline;
    hitl_chk_global_wait(ctx, deadline);
    return HITL_OK;
}

/* The global cap's form of expect_expired (§10.7). */
static void expect_globally_expired(hitl_check_ctx *ctx, const hitl_http_response *resp,
                                    const expiry_case *e, const char *what)
{
    expect_expired_after(ctx, resp, (double)(hitl_chk_now() - e->deadline), what,
                         "the global deadline", "§10.7");
}

/* §10.7: "Past the global cap, a submit, an upload-token issue and an upload answer 412
 * human_input_form_expired too" (ensure_form_active includes created_at +
 * HUMAN_INPUT_GLOBAL_TIMEOUT_SECONDS on the submit path, and the upload service's
 * _ensure_form_model_active on the other two). A submission that would be valid, built
 * and its files uploaded while the form was active, is refused once the global deadline
 * has passed, the node timeout still ahead. (SVC with the global-timeout app's key, and
 * WEB) */
static void global_form_submit(hitl_check_ctx *ctx)
{
    expiry_case e;
    if (global_reach(ctx, PREP_BODY, &e) == HITL_OK) {
        hitl_http_response resp;
        if (hitl_flow_submit_as(ctx, e.run.api_key, e.run.form_token, e.body, &resp) == HITL_OK)
            expect_globally_expired(ctx, &resp, &e,
                                    "a valid submission of a form past the global timeout, its "
                                    "node timeout still ahead (§7.2, §10.7)");
        hitl_http_response_free(&resp);
    }
    expiry_close(&e);
}

/* §10.7: no upload token is issued for a form past the global cap. (WEB: the route exists
 * only there, §5) */
static void global_upload_token(hitl_check_ctx *ctx)
{
    expiry_case e;
    if (global_reach(ctx, 0, &e) == HITL_OK) {
        hitl_http_response resp;
        char *token = NULL; /* only so a wrongly issued token is registered and redacted */
        if (expired_upload_token(ctx, e.run.form_token, &resp, &token) == HITL_OK)
            expect_globally_expired(ctx, &resp, &e,
                                    "issuing an upload token for a form past the global "
                                    "timeout (§5, §10.7)");
        free(token);
        hitl_http_response_free(&resp);
    }
    expiry_close(&e);
}

/* §10.7, §6.1: an upload with a token issued while the form was active is refused 412 once
 * the form is past the global cap (validate_upload_token applies the same active check; not
 * 403). (WEB) */
static void global_upload(hitl_check_ctx *ctx)
{
    expiry_case e;
    if (global_reach(ctx, PREP_TOKEN, &e) == HITL_OK) {
        hitl_http_response resp;
        if (upload_sample(ctx, e.upload_token, &resp) == HITL_OK)
            expect_globally_expired(ctx, &resp, &e,
                                    "an upload with a token issued before the global timeout "
                                    "(§6.1, §10.7; not 403)");
        hitl_http_response_free(&resp);
    }
    expiry_close(&e);
}

/* Opens the resume stream of |run| (with the global-timeout app's key) until a
 * workflow_finished, |total_ms| at most. 0 with |s| filled (caller frees); non-zero after
 * an ERROR. */
static int resume_global(hitl_check_ctx *ctx, const hitl_run *run, long total_ms, hitl_stream *s)
{
    hitl_stream_opts so = {.total_ms = total_ms,
                           .stop = hitl_flow_stop_after_finished,
                           .close_within_ms = HITL_CHK_CLOSE_GRACE_MS};
    int rc = hitl_flow_resume_sync(ctx, run->workflow_run_id, run->user, NULL,
                                   hitl_chk_env(ctx)->global_app_key, &so, s);
    if (rc)
        return rc;
    if (s->end == HITL_STREAM_FAILED) {
        hitl_check_error(ctx, "the resume stream of the run failed: HTTP %ld %s", s->resp.status,
                         s->error ? s->error : "");
        return HITL_E_STATE;
    }
    return HITL_OK;
}

/* Index of |s|'s first workflow_finished frame, SIZE_MAX if none; |data| counts the
 * frames that are not pings. */
static size_t finished_frame(const hitl_stream *s, size_t *data)
{
    size_t fin = SIZE_MAX;
    *data = 0;
    for (size_t i = 0; i < s->n_frames; i++) {
        char name[64];
        hitl_flow_frame_event(&s->frames[i], name, sizeof name);
        if (strcmp(name, "ping") != 0)
            (*data)++;
        if (fin == SIZE_MAX && !strcmp(name, "workflow_finished"))
            fin = i;
    }
    return fin;
}

/* Judges the resume of the run once it has finished: "one workflow_finished with
 * status:"stopped"" and the stream closes (§10 global timeout outcome, §9.1, §10.9). */
static void judge_stopped_replay(hitl_check_ctx *ctx, const hitl_run *run)
{
    hitl_stream s;
    if (resume_global(ctx, run, hitl_ctx_target(ctx)->timeout_ms + HITL_CHK_CLOSE_GRACE_MS, &s) ==
        HITL_OK) {
        size_t data = 0, fin = finished_frame(&s, &data);
        cJSON *root = fin == SIZE_MAX ? NULL : hitl_chk_frame_json(&s.frames[fin]);
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "data");
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(d, "status");
        const char *status = cJSON_IsString(st) ? st->valuestring : "(none)";
        hitl_expect(ctx, fin != SIZE_MAX && data == 1,
                    "the resume of a run stopped by the global timeout is one data frame, "
                    "workflow_finished (§9.1, §10.9)",
                    "%zu data frames, %s", data,
                    fin == SIZE_MAX ? "no workflow_finished" : "workflow_finished among them");
        if (fin != SIZE_MAX)
            hitl_expect(ctx, !strcmp(status, "stopped"),
                        "workflow_finished.data.status is \"stopped\" after the global timeout "
                        "(§10 \"run status stopped\", §10.9)",
                        "status %.60s", status);
        hitl_expect(ctx, s.end == HITL_STREAM_CLOSED, "the stream then closes (§9.1, §10.9)", "%s",
                    s.still_open ? "still open 5 s after workflow_finished"
                                 : hitl_stream_end_name(s.end));
        cJSON_Delete(root);
    }
    hitl_stream_free(&s);
}

/* §10.9 (SHOULD): "With HUMAN_INPUT_GLOBAL_TIMEOUT_SECONDS set low, after the sweeper runs
 * the run is stopped and resume returns one workflow_finished with status:"stopped"" (§10
 * "Global timeout outcome"). The resume stream is polled from the global deadline until the
 * run has finished (at most a sweeper interval); then a fresh resume is judged. A run still
 * waiting when --max-wait ends before a whole sweeper interval is a SKIP naming the wait. */
static void global_stopped(hitl_check_ctx *ctx)
{
    const hitl_target *t = hitl_ctx_target(ctx);
    hitl_run run;
    long long deadline = 0;
    if (hitl_chk_await_global_timeout(ctx, &run, &deadline) == HITL_OK) {
        long long give_up = deadline + HITL_CHK_SWEEP_ALLOWANCE_S, now;
        if (give_up > deadline - t->global_timeout_s + t->max_wait_s)
            give_up = deadline - t->global_timeout_s + t->max_wait_s;
        bool finished = false;
        while (!finished && (now = hitl_chk_now()) < give_up && !hitl_check_done(ctx)) {
            hitl_stream s;
            if (resume_global(ctx, &run, (long)(give_up - now) * 1000L, &s) != HITL_OK) {
                hitl_stream_free(&s);
                break;
            }
            size_t data;
            finished = finished_frame(&s, &data) != SIZE_MAX;
            bool closed = s.end == HITL_STREAM_CLOSED;
            hitl_stream_free(&s);
            if (!finished && closed) /* an idle close: ask again a little later */
                hitl_ctx_sleep_ms(ctx, 1000L, "the sweeper");
        }
        if (finished)
            judge_stopped_replay(ctx, &run);
        else if (!hitl_check_done(ctx) && hitl_chk_now() < deadline + HITL_CHK_SWEEP_ALLOWANCE_S)
            hitl_check_skip(ctx,
                            "the run had not finished by the end of --max-wait (%ld s); a "
                            "sweeper may take up to 60 s after the global timeout: needs "
                            "--max-wait %lld",
                            t->max_wait_s, t->global_timeout_s + HITL_CHK_SWEEP_ALLOWANCE_S);
        else if (!hitl_check_done(ctx))
            hitl_expect(ctx, false,
                        "the run is stopped (workflow_finished) within 65 s of the global "
                        "deadline (§10.9)",
                        "no workflow_finished on the resume stream %lld s after it",
                        hitl_chk_now() - deadline);
    }
    hitl_run_free(&run);
}

static const hitl_check_impl CHECKS[] = {
    {"expiry.form.get", form_get},
    {"expiry.form.submit", form_submit},
    {"expiry.upload-token.issue", upload_token_issue},
    {"expiry.upload.after", upload_after},
    {"expiry.upload-token.refused-after-expires-at", token_refused_after_expires_at},
    {"expiry.global.form-get", global_form_get},
    {"expiry.global.form-submit", global_form_submit},
    {"expiry.global.upload-token", global_upload_token},
    {"expiry.global.upload", global_upload},
    {"expiry.global.stopped", global_stopped},
};

HITL_CHECK_TABLE(expiry, CHECKS)
