/* resume.c: checks of the resume endpoint, GET /v1/workflow/{workflow_run_id}/events (E6;
 * §9.1, §9.3, §10.8). Resume is a Service API endpoint: every check runs on the
 * service surface and starts its own run.
 *
 * §9.1's timing caveat shapes the checks that watch a run resume: "a subscriber that
 * connects after an event was published misses it". They therefore open the resume stream
 * first, wait for its first frame (the subscription is live), and only then submit. */
#include "expect_body.h"
#include "resume_submit.h"
#include "run_env.h"
#include "valid_submission.h"

#include "hitl/checks.h"
#include "hitl/event.h"
#include "hitl/flow.h"
#include "hitl/form.h"
#include "hitl/target.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How long a live stream may take to send its first frame (Dify: at once). */
#define FIRST_FRAME_MS 10000L
/* Before a submit: how long to wait for that first frame before submitting anyway. Short,
 * so that a server without pings (resume.live.ping-first reports it) still has the stream
 * open when the run resumes (servers may close idle streams: the reference server's
 * --idle-timeout is 10 s in the embedded run). */
#define SUBMIT_AFTER_MS 3000L
/* Keep-alive: "event: ping after 10 s without messages" (§9.1), plus slack for scheduling. */
#define PING_INTERVAL_S 10.0
#define PING_SLACK_S 2.0
/* Keep-alive pings to observe after the first frame: three intervals. */
#define KEEPALIVE_PINGS 3u
/* Three pings within this many seconds arrived in a lump (live_keepalive). */
#define LUMP_S 0.1
/* Open the expiry stream this long before expiration_time (a server may close idle
 * streams: Dify after 300 s, the reference server after its --idle-timeout). */
#define EXPIRY_LEAD_S 3LL

/* A well-formed run id that no target has: UUID v4 syntax, so a database lookup by id
 * answers "not found" rather than a type error. */
static const char UNKNOWN_RUN_ID[] = "00000000-0000-4000-8000-0000000b1e55";

/* --- helpers --- */

static long min_ms(long a, long b)
{
    return a < b ? a : b;
}

static bool stop_after_first(void *user, const hitl_stream_frame *f)
{
    (void)user;
    (void)f;
    return true;
}

static bool is_ping(const hitl_stream_frame *f)
{
    return !strcmp(f->type, "ping");
}

/* A short probe: the answer's status and body, or the stream's first frame. */
static int resume_probe(hitl_check_ctx *ctx, const char *run_id, const char *user,
                        const char *query, const char *api_key, hitl_stream *out)
{
    hitl_stream_opts so = {.total_ms = min_ms(FIRST_FRAME_MS, hitl_ctx_target(ctx)->timeout_ms),
                           .stop = stop_after_first};
    return hitl_flow_resume_sync(ctx, run_id, user, query, api_key, &so, out);
}

/* Expects |s| to be a served event stream: HTTP 200 text/event-stream (§9.1). */
static bool expect_stream(hitl_check_ctx *ctx, const hitl_stream *s, const char *what)
{
    const char *ct = hitl_http_header_get(&s->resp, "Content-Type");
    bool ok = s->resp.status == 200 && ct && !strncmp(ct, "text/event-stream", 17);
    char exp[256];
    snprintf(exp, sizeof exp, "%s: HTTP 200 with Content-Type text/event-stream (§9.1)", what);
    /* No status line at all within the wait: a proxy that holds the stream back (nginx's
     * gzip with proxy_buffering on) sends not even the headers until its buffer fills. */
    bool held = s->resp.status == 0 && s->end == HITL_STREAM_TIMEOUT;
    return hitl_expect(ctx, ok, exp, "HTTP %ld, Content-Type %s (%s%s%s): %.200s%s", s->resp.status,
                       ct ? ct : "(none)", hitl_stream_end_name(s->end), s->error ? ": " : "",
                       s->error ? s->error : "", hitl_buf_str(&s->resp.body),
                       held ? "; no response headers arrived: a proxy in front may hold the "
                              "stream back (nginx: proxy_buffering on with gzip for "
                              "text/event-stream)"
                            : "");
}

/* The action a resume check submits: the second when there are two or more (a server
 * resuming the default branch, or the next one, then differs from the choice), else the
 * only one. */
static const hitl_form_action *chosen_action(hitl_check_ctx *ctx, const hitl_run *run)
{
    const hitl_form *f = run->form;
    if (f->n_actions == 0 || !f->actions[f->n_actions > 1 ? 1 : 0].id) {
        hitl_check_error(ctx, "precondition: the form has no action with an id to submit");
        return NULL;
    }
    if (f->n_actions == 1)
        hitl_check_note(ctx, "the form has one action: a server resuming another branch cannot "
                             "be told apart");
    return &f->actions[f->n_actions > 1 ? 1 : 0];
}

/* --- I73, I74, I75: answering the resume request --- */

/* §9.1.1: "GET /v1/workflow/{workflow_run_id}/events?user=<same user> on a paused run →
 * 200 text/event-stream; first frame is `event: ping`" (§9.1 "First frame: event: ping
 * (emitted as soon as the subscription is live)"); a ping carries no data (§2, A1). */
static void live_ping_first(hitl_check_ctx *ctx)
{
    hitl_run run;
    hitl_stream s = {0};
    if (hitl_flow_start(ctx, &run) == HITL_OK &&
        resume_probe(ctx, run.workflow_run_id, run.user, NULL, NULL, &s) == HITL_OK &&
        expect_stream(ctx, &s, "resume of a paused run by its user") &&
        hitl_expect(ctx, s.n_frames > 0, "a first frame arrives at once (§9.1)",
                    "no frame within %.1f s (%s%s%s)", s.seconds, hitl_stream_end_name(s.end),
                    s.error ? ": " : "", s.error ? s.error : "")) {
        const hitl_stream_frame *f = &s.frames[0];
        if (hitl_expect(ctx, is_ping(f), "the first frame is `event: ping` (§9.1.1)",
                        "first frame: SSE type \"%s\", data \"%.80s\"", f->type, f->data))
            hitl_expect(ctx, f->data_len == 0, "`event: ping` frames carry no data (§2.3.2)",
                        "ping with data \"%.80s\"", f->data);
    }
    hitl_stream_free(&s);
    hitl_run_free(&run);
}

/* §9.1.2, §9.1.3, §9.1.4 / §9.1: "Run unknown, other app, … or created by a different `user` → 404
 * not_found". */
static void auth_wrong_user(hitl_check_ctx *ctx)
{
    hitl_run run;
    hitl_stream s = {0};
    if (hitl_flow_start(ctx, &run) == HITL_OK) {
        char other[512];
        snprintf(other, sizeof other, "%.400s-hitlcheck-other", run.user);
        if (resume_probe(ctx, run.workflow_run_id, other, NULL, NULL, &s) == HITL_OK)
            hitl_expect_error(ctx, &s.resp, 404, "not_found");
    }
    hitl_stream_free(&s);
    hitl_run_free(&run);
}

static void auth_unknown_run(hitl_check_ctx *ctx)
{
    hitl_stream s = {0};
    if (resume_probe(ctx, UNKNOWN_RUN_ID, hitl_ctx_target(ctx)->user, NULL, NULL, &s) == HITL_OK)
        hitl_expect_error(ctx, &s.resp, 404, "not_found");
    hitl_stream_free(&s);
}

/* §9.1: "`user` (required; missing → 400 invalid_param)". Asked about a live run, so a
 * server that ignores the missing user would serve it. */
static void auth_missing_user(hitl_check_ctx *ctx)
{
    hitl_run run;
    hitl_stream s = {0};
    if (hitl_flow_start(ctx, &run) == HITL_OK &&
        resume_probe(ctx, run.workflow_run_id, NULL, NULL, NULL, &s) == HITL_OK)
        hitl_expect_error(ctx, &s.resp, 400, "invalid_param");
    hitl_stream_free(&s);
    hitl_run_free(&run);
}

/* §9.1: "App mode not workflow/advanced-chat → 400 not_workflow_app … (checked before the
 * lookup)": so any run id will do. */
static void auth_not_workflow_app(hitl_check_ctx *ctx)
{
    const hitl_run_env *env = hitl_chk_env(ctx);
    if (!env || !env->chat_app_key) {
        hitl_check_skip(ctx, "no API key of a chat (non-workflow) app was given");
        return;
    }
    hitl_stream s = {0};
    if (resume_probe(ctx, UNKNOWN_RUN_ID, hitl_ctx_target(ctx)->user, NULL, env->chat_app_key,
                     &s) == HITL_OK)
        hitl_expect_error(ctx, &s.resp, 400, "not_workflow_app");
    hitl_stream_free(&s);
}

/* §9.1.5 (SHOULD): "Using task_id instead of workflow_run_id → 404 when they differ";
 * §9.1: the path value "must be the workflow run id". */
static void id_task_id(hitl_check_ctx *ctx)
{
    hitl_run run;
    hitl_stream s = {0};
    if (hitl_flow_start(ctx, &run) == HITL_OK) {
        if (!run.task_id) {
            hitl_check_skip(ctx, "human_input_required carried no task_id");
        } else if (!strcmp(run.task_id, run.workflow_run_id)) {
            hitl_check_skip(ctx, "the run's task_id equals its workflow_run_id: the ids cannot be "
                                 "told apart");
        } else if (resume_probe(ctx, run.task_id, run.user, NULL, NULL, &s) == HITL_OK) {
            if (s.resp.status == 200)
                hitl_check_note(ctx, "the target accepts the task_id as the resume path value "
                                     "(as well as the workflow_run_id)");
            else
                hitl_check_note(ctx, "the target accepts the workflow_run_id only");
            hitl_expect_error(ctx, &s.resp, 404, "not_found");
        }
    }
    hitl_stream_free(&s);
    hitl_run_free(&run);
}

/* --- I76, I77: after the submit --- */

/* §9.3.1: "After submitting, the resumed stream contains human_input_form_filled with
 * action_id = submitted action and action_text = that action's title, then node events,
 * then workflow_finished, then the stream closes". §9.1 "Closing events: … after relaying
 * workflow_finished". The run must resume along the chosen action's branch: when
 * workflow_finished.data.outputs names the action, it is the chosen one. */
static void after_submit_branch(hitl_check_ctx *ctx)
{
    hitl_run run;
    hitl_stream s = {0};
    const hitl_form_action *act = NULL;
    if (hitl_flow_start(ctx, &run) != HITL_OK || !(act = chosen_action(ctx, &run)) ||
        hitl_chk_resume_across_submit(ctx, &run, act->id, &s) != HITL_OK ||
        !expect_stream(ctx, &s, "the resume stream of the paused run")) {
        hitl_stream_free(&s);
        hitl_run_free(&run);
        return;
    }
    char seen[512];
    hitl_flow_event_list(&s, seen, sizeof seen);
    size_t filled = hitl_chk_find_event(&s, "human_input_form_filled", 0);
    size_t fin = hitl_chk_find_event(&s, "workflow_finished", filled == SIZE_MAX ? 0 : filled);
    hitl_event ev;
    memset(&ev, 0, sizeof ev);
    if (hitl_expect(ctx, filled != SIZE_MAX,
                    "the resumed stream carries human_input_form_filled (§9.1, §9.3.1)",
                    "events: %s", seen) &&
        hitl_flow_frame_decode(&s, filled, &ev)) {
        const char *id = ev.filled.action_id, *text = ev.filled.action_text;
        hitl_expect(ctx, id && !strcmp(id, act->id),
                    "human_input_form_filled.data.action_id is the submitted action (§9.1, §9.3.1)",
                    "submitted \"%s\", action_id %s%s%s", act->id, id ? "\"" : "",
                    id ? id : "missing", id ? "\"" : "");
        hitl_expect(ctx, text && act->title && !strcmp(text, act->title),
                    "human_input_form_filled.data.action_text is the action's title (§9.1, §9.3.1)",
                    "title \"%s\", action_text %s%s%s", act->title ? act->title : "(none)",
                    text ? "\"" : "", text ? text : "missing", text ? "\"" : "");
    }
    hitl_event_clear(&ev);
    if (filled != SIZE_MAX &&
        hitl_expect(ctx, fin != SIZE_MAX,
                    "workflow_finished follows human_input_form_filled (§9.1, §9.3.1)",
                    "events: %s", seen)) {
        size_t nodes = 0;
        for (size_t i = filled + 1; i < fin; i++) {
            char name[64];
            hitl_flow_frame_event(&s.frames[i], name, sizeof name);
            if (!strncmp(name, "node_", 5))
                nodes++;
        }
        hitl_expect(ctx, nodes > 0,
                    "node events between human_input_form_filled and workflow_finished (§9.3.1)",
                    "events: %s", seen);
        if (hitl_flow_frame_decode(&s, fin, &ev)) {
            const cJSON *out_action =
                cJSON_GetObjectItemCaseSensitive(ev.workflow.outputs, "action");
            if (out_action)
                hitl_expect(
                    ctx, cJSON_IsString(out_action) && !strcmp(out_action->valuestring, act->id),
                    "the run resumed along the chosen action's branch: "
                    "workflow_finished.data.outputs.action is the submitted action (§7.4, §9.1)",
                    "submitted \"%s\", outputs.action %s%s%s", act->id,
                    cJSON_IsString(out_action) ? "\"" : "",
                    cJSON_IsString(out_action) ? out_action->valuestring : "(not a string)",
                    cJSON_IsString(out_action) ? "\"" : "");
        }
        hitl_event_clear(&ev);
        hitl_expect(ctx, s.end == HITL_STREAM_CLOSED,
                    "the server closes the resume stream after workflow_finished (within 5 s) "
                    "(§9.1, §9.3.1)",
                    "%s",
                    s.still_open ? "the stream was still open 5 s after workflow_finished"
                                 : hitl_stream_end_name(s.end));
    }
    hitl_stream_free(&s);
    hitl_run_free(&run);
}

/* Expects member |key| of |data| (human_input_form_filled.data) to be a string, equal to
 * |want| when that is not NULL (|whose| names where |want| comes from). */
static void expect_filled_string(hitl_check_ctx *ctx, const cJSON *data, const char *key,
                                 const char *want, const char *whose)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(data, key);
    char exp[256];
    snprintf(exp, sizeof exp, "human_input_form_filled.data.%s is a string%s%s (§9.3.2)", key,
             want ? ", " : "", want ? whose : "");
    if (!cJSON_IsString(v) || !want)
        hitl_expect(ctx, cJSON_IsString(v), exp, "`%s` is %s", key, v ? "not a string" : "missing");
    else
        hitl_expect(ctx, !strcmp(v->valuestring, want), exp, "`%s` \"%.120s\", expected \"%.120s\"",
                    key, v->valuestring, want);
}

/* §9.3.2: "human_input_form_filled.data has node_id, node_title, rendered_content, action_id
 * and action_text, all strings" (HumanInputFormFilledResponse.Data in
 * api/core/app/apps/common/workflow_response_converter.py@0296455b4958829c23ae6dd9f849056b94efe8d2).
 * node_id and node_title are those of the node the run paused at (its human_input_required
 * named them), action_id the submitted action and action_text its title. The converter does
 * not send submitted_data (only Dify's 1.16 documentation shows it): not required. */
static void filled_fields(hitl_check_ctx *ctx)
{
    hitl_run run;
    hitl_stream s = {0};
    const hitl_form_action *act = NULL;
    if (hitl_flow_start(ctx, &run) == HITL_OK && (act = chosen_action(ctx, &run)) &&
        hitl_chk_resume_across_submit(ctx, &run, act->id, &s) == HITL_OK &&
        expect_stream(ctx, &s, "the resume stream of the paused run")) {
        char seen[512];
        hitl_flow_event_list(&s, seen, sizeof seen);
        size_t filled = hitl_chk_find_event(&s, "human_input_form_filled", 0);
        hitl_event ev;
        memset(&ev, 0, sizeof ev);
        if (hitl_expect(ctx, filled != SIZE_MAX,
                        "the resumed stream carries human_input_form_filled (§9.3.1)", "events: %s",
                        seen) &&
            hitl_flow_frame_decode(&s, filled, &ev) &&
            hitl_expect(ctx, ev.data != NULL,
                        "human_input_form_filled has a `data` object (§9.3.2)",
                        "no data object: %.200s", s.frames[filled].data)) {
            const hitl_form *f = run.form;
            expect_filled_string(ctx, ev.data, "node_id", f->node_id,
                                 "the paused node's (human_input_required.data.node_id)");
            expect_filled_string(ctx, ev.data, "node_title", f->node_title,
                                 "the paused node's (human_input_required.data.node_title)");
            expect_filled_string(ctx, ev.data, "rendered_content", NULL, NULL);
            expect_filled_string(ctx, ev.data, "action_id", act->id, "the submitted action");
            expect_filled_string(ctx, ev.data, "action_text", act->title,
                                 "the submitted action's title");
            if (!cJSON_GetObjectItemCaseSensitive(ev.data, "submitted_data"))
                hitl_check_note(ctx, "human_input_form_filled carries no submitted_data (as "
                                     "Dify's converter; only its 1.16 documentation shows it)");
        }
        hitl_event_clear(&ev);
    }
    hitl_stream_free(&s);
    hitl_run_free(&run);
}

/* A stream frame whose JSON `event` is |user| (a const char *). */
static bool frame_named(void *user, const hitl_stream_frame *f)
{
    char name[64];
    hitl_flow_frame_event(f, name, sizeof name);
    return !strcmp(name, (const char *)user);
}

/* The run at a two-node app's second form: what hitl_chk_valid_body needs, from the second
 * human_input_required's |json| (a frame's data) and the first run. 0; non-zero after a
 * FAIL (no form token or form in the event) or an ERROR. |out| is the caller's to
 * hitl_run_free in every case. */
static int second_form(hitl_check_ctx *ctx, const hitl_run *first, const char *json, hitl_run *out)
{
    memset(out, 0, sizeof *out);
    out->paused_index = out->required_index = SIZE_MAX;
    cJSON *root = cJSON_Parse(json);
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
    const cJSON *tok = cJSON_GetObjectItemCaseSensitive(data, "form_token");
    hitl_err err = {0};
    int rc = HITL_OK;
    if (!hitl_expect(ctx, cJSON_IsString(tok) && tok->valuestring[0],
                     "the second pause's human_input_required carries a form_token (§9.1.11)",
                     "form_token %s", !data ? "(no data object)" : "missing or not a string")) {
        rc = HITL_E_INVALID;
    } else {
        hitl_ctx_secret(ctx, tok->valuestring, "form-token");
        if (hitl_form_from_json(data, HITL_FORM_EVENT, &out->form, &err) != HITL_OK ||
            !(out->form_token = strdup(tok->valuestring)) ||
            !(out->workflow_run_id = strdup(first->workflow_run_id)) ||
            !(out->user = strdup(first->user)) ||
            (first->api_key && !(out->api_key = strdup(first->api_key)))) {
            hitl_check_error(ctx, "precondition: reading the second pause's form failed: %s",
                             err.msg[0] ? err.msg : "out of memory");
            rc = HITL_E_STATE;
        }
    }
    cJSON_Delete(root);
    return rc;
}

/* Submits |body| for |run| with its app key as a precondition (§9.1.11's two submits); 0
 * after a 200, else an ERROR naming |which| and the answer. */
static int submit_for(hitl_check_ctx *ctx, const hitl_run *run, const char *body, const char *which)
{
    hitl_http_response resp;
    int rc = hitl_flow_submit_as(ctx, run->api_key, run->form_token, body, &resp);
    if (!rc && resp.status != 200) {
        hitl_check_error(ctx,
                         "precondition: the valid submit of the %s form answered HTTP %ld, "
                         "not 200 (§7.4): %.200s",
                         which, resp.status, hitl_buf_str(&resp.body));
        rc = HITL_E_STATE;
    }
    hitl_http_response_free(&resp);
    return rc;
}

/* §9.1.11: "With continue_on_pause=true no event closes the stream — neither
 * workflow_paused nor workflow_finished; … A run that pauses twice shows both
 * workflow_paused events on one stream" (api/controllers/service_api/app/workflow_events.py
 * @04fe43090300a66bd76391e92e948dd35ccde320: terminal_events=[]; the unit test
 * test_workflow_events_continue_on_pause_keeps_stream_open). A run of an app whose workflow
 * has two Human Input nodes in sequence (--two-node-api-key): the stream opened with
 * continue_on_pause=true before the first submit shows, after it, the second node's
 * human_input_required (a new form token) and workflow_paused; it stays open, and after the
 * second form's submit the same connection carries workflow_finished. Closing it after
 * workflow_finished is the run's channel closing, also allowed. */
static void continue_two_pauses(hitl_check_ctx *ctx)
{
    const hitl_target *t = hitl_ctx_target(ctx);
    const char *key = hitl_chk_env(ctx)->two_node_app_key;
    if (!key) {
        hitl_check_skip(ctx, "no app with two Human Input nodes in sequence was given: pass the "
                             "key of an app (mode as --app-mode) whose workflow pauses at two "
                             "WebApp-delivered Human Input nodes, one after the other, as "
                             "--two-node-api-key KEY");
        return;
    }
    hitl_run run, second;
    memset(&second, 0, sizeof second);
    char *body = NULL, *required = NULL;
    hitl_stream_async *a = NULL;
    hitl_stream s = {0};
    if (hitl_flow_start_as(ctx, key, &run) || !(body = hitl_chk_valid_body(ctx, &run, NULL)))
        goto out;
    hitl_stream_opts so = {.total_ms = t->max_wait_s * 1000L + 2 * t->timeout_ms,
                           .stop = hitl_flow_stop_after_finished};
    int rc = hitl_flow_resume_open(ctx, run.workflow_run_id, run.user, "continue_on_pause=true",
                                   key, &so, &a);
    if (rc) {
        hitl_check_error(ctx, "could not open the resume stream (%s)", hitl_status_name(rc));
        goto out;
    }
    long wait_ms = min_ms(SUBMIT_AFTER_MS, t->timeout_ms);
    if (hitl_stream_wait_frames(a, 1, wait_ms) == 0)
        hitl_check_note(ctx,
                        "the resume stream sent no frame within %.1f s of opening (no ping); "
                        "submitted anyway",
                        (double)wait_ms / 1000.0);
    if (submit_for(ctx, &run, body, "first"))
        goto out;
    long pause_ms = t->max_wait_s * 1000L;
    size_t req =
        hitl_stream_wait_match(a, 0, frame_named, "human_input_required", pause_ms, &required);
    size_t paused = req == SIZE_MAX ? SIZE_MAX
                                    : hitl_stream_wait_match(a, req + 1, frame_named,
                                                             "workflow_paused", pause_ms, NULL);
    if (paused == SIZE_MAX)
        goto judge; /* joined and judged below: the second pause never came */
    if (second_form(ctx, &run, required, &second))
        goto out;
    if (!hitl_expect(ctx, strcmp(second.form_token, run.form_token) != 0,
                     "the second pause comes with a new form token, not the first form's "
                     "(§9.1.11)",
                     "the second human_input_required repeats the first form's token"))
        goto out;
    free(body);
    if (!(body = hitl_chk_valid_body(ctx, &second, NULL)) ||
        submit_for(ctx, &second, body, "second"))
        goto out;
judge:
    if (paused == SIZE_MAX)
        hitl_stream_cancel(a); /* nothing more to wait for */
    hitl_stream_join(a, &s);
    a = NULL;
    if (!expect_stream(ctx, &s, "the resume stream with continue_on_pause=true"))
        goto out;
    char seen[768];
    hitl_flow_event_list(&s, seen, sizeof seen);
    if (!hitl_expect(ctx, paused != SIZE_MAX,
                     "after the first submit the stream shows the second Human Input node's "
                     "human_input_required, then workflow_paused (§9.1.11)",
                     "events: %s (%s)", seen, hitl_stream_end_name(s.end)))
        goto out;
    size_t fin = hitl_chk_find_event(&s, "workflow_finished", paused + 1);
    double gap = paused < s.n_frames ? s.seconds - s.frames[paused].at : 0;
    hitl_expect(ctx, fin != SIZE_MAX,
                "the stream stays open after workflow_paused: the second submit's "
                "workflow_finished arrives on the same connection (§9.1.11)",
                "events: %s; the stream %s %.1f s after workflow_paused", seen,
                s.end == HITL_STREAM_CLOSED ? "was closed by the server" : "ended",
                fin == SIZE_MAX ? gap : 0.0);
out:
    if (a) {
        hitl_stream_cancel(a);
        hitl_stream_join(a, &s);
    }
    hitl_stream_free(&s);
    free(required);
    free(body);
    hitl_run_free(&second);
    hitl_run_free(&run);
}

/* §9.1.6: "Finished run → exactly one data: frame with event:"workflow_finished" and the
 * stream closes" (§9.1 "Run finished (finished_at set) → 200 text/event-stream with exactly
 * one frame"). The run is finished by submitting, seen finished on the live stream. */
static void finished_single_frame(hitl_check_ctx *ctx)
{
    hitl_run run;
    hitl_stream live = {0}, s = {0};
    if (hitl_flow_start(ctx, &run) != HITL_OK ||
        hitl_chk_resume_across_submit(ctx, &run, NULL, &live) != HITL_OK) {
        hitl_stream_free(&live);
        hitl_run_free(&run);
        return;
    }
    if (hitl_chk_find_event(&live, "workflow_finished", 0) == SIZE_MAX) {
        char seen[512];
        hitl_flow_event_list(&live, seen, sizeof seen);
        hitl_check_error(ctx,
                         "precondition: the live resume stream showed no workflow_finished "
                         "after the submit (%s; events: %s)",
                         hitl_stream_end_name(live.end), seen);
    } else {
        hitl_stream_opts so = {.total_ms =
                                   min_ms(FIRST_FRAME_MS, hitl_ctx_target(ctx)->timeout_ms) +
                                   HITL_CHK_CLOSE_GRACE_MS,
                               .stop = hitl_flow_stop_after_finished,
                               .close_within_ms = HITL_CHK_CLOSE_GRACE_MS};
        if (hitl_flow_resume_sync(ctx, run.workflow_run_id, run.user, NULL, NULL, &so, &s) ==
                HITL_OK &&
            expect_stream(ctx, &s, "resume of a finished run")) {
            size_t data_frames = 0;
            for (size_t i = 0; i < s.n_frames; i++)
                data_frames += !is_ping(&s.frames[i]);
            size_t fin = hitl_chk_find_event(&s, "workflow_finished", 0);
            char seen[512];
            hitl_flow_event_list(&s, seen, sizeof seen);
            hitl_expect(ctx, data_frames == 1 && fin != SIZE_MAX,
                        "exactly one data frame, workflow_finished (§9.1.6)", "%zu data frames: %s",
                        data_frames, seen);
            hitl_expect(ctx, s.end == HITL_STREAM_CLOSED,
                        "the stream then closes (within 5 s) (§9.1.6)", "%s",
                        s.still_open ? "still open 5 s after workflow_finished"
                                     : hitl_stream_end_name(s.end));
        }
    }
    hitl_stream_free(&s);
    hitl_stream_free(&live);
    hitl_run_free(&run);
}

/* --- I78, I79: snapshot mode --- */

/* §9.1.7: "include_state_snapshot=true on a paused run → workflow_started, node events,
 * human_input_required (with a form_token), workflow_paused, then close" (§9.1 "Snapshot
 * mode … closes on pause unless continue_on_pause"). Pings are not counted. */
static void snapshot_replay(hitl_check_ctx *ctx)
{
    hitl_run run;
    hitl_stream s = {0};
    hitl_stream_opts so = {.total_ms = min_ms(FIRST_FRAME_MS, hitl_ctx_target(ctx)->timeout_ms) +
                                       HITL_CHK_CLOSE_GRACE_MS,
                           .stop = hitl_flow_stop_after_paused,
                           .close_within_ms = HITL_CHK_CLOSE_GRACE_MS};
    if (hitl_flow_start(ctx, &run) == HITL_OK &&
        hitl_flow_resume_sync(ctx, run.workflow_run_id, run.user, "include_state_snapshot=true",
                              NULL, &so, &s) == HITL_OK &&
        expect_stream(ctx, &s, "resume with include_state_snapshot=true")) {
        char seen[512];
        hitl_flow_event_list(&s, seen, sizeof seen);
        size_t first = SIZE_MAX;
        for (size_t i = 0; i < s.n_frames && first == SIZE_MAX; i++)
            if (!is_ping(&s.frames[i]))
                first = i;
        size_t started = hitl_chk_find_event(&s, "workflow_started", 0);
        size_t required = hitl_chk_find_event(&s, "human_input_required", 0);
        size_t paused =
            hitl_chk_find_event(&s, "workflow_paused", required == SIZE_MAX ? 0 : required);
        size_t nodes = 0;
        for (size_t i = started + 1; started != SIZE_MAX && i < required && i < s.n_frames; i++) {
            char name[64];
            hitl_flow_frame_event(&s.frames[i], name, sizeof name);
            if (!strncmp(name, "node_", 5))
                nodes++;
        }
        const char *exp = "the replay: workflow_started, node events, human_input_required, "
                          "workflow_paused, in that order (§9.1.7)";
        if (hitl_expect(ctx, first != SIZE_MAX && first == started, exp, "events: %s", seen) &&
            hitl_expect(ctx, required != SIZE_MAX && nodes > 0 && paused != SIZE_MAX, exp,
                        "events: %s", seen)) {
            hitl_event ev;
            if (hitl_flow_frame_decode(&s, required, &ev) && ev.form && ev.form->form_token)
                hitl_ctx_secret(ctx, ev.form->form_token, "form-token");
            hitl_expect(ctx, ev.form && ev.form->form_token && ev.form->form_token[0],
                        "the replayed human_input_required carries a form_token (§9.1.7)",
                        "form_token %s", !ev.form ? "(no data object)" : "missing or not a string");
            hitl_event_clear(&ev);
            hitl_expect(ctx, s.end == HITL_STREAM_CLOSED,
                        "the snapshot stream closes after workflow_paused (within 5 s) (§9.1.7)",
                        "%s",
                        s.still_open ? "still open 5 s after workflow_paused"
                                     : hitl_stream_end_name(s.end));
        }
    }
    hitl_stream_free(&s);
    hitl_run_free(&run);
}

/* §9.1.8 (SHOULD): "include_state_snapshot=1 behaves like false (only the literal true,
 * case-insensitive, enables it)"; §9.1 "`true` only when the lower-cased value equals
 * "true"". A live stream starts with a ping; a replay with workflow_started. */
static void snapshot_literal_true(hitl_check_ctx *ctx)
{
    hitl_run run;
    hitl_stream s = {0};
    if (hitl_flow_start(ctx, &run) == HITL_OK &&
        resume_probe(ctx, run.workflow_run_id, run.user, "include_state_snapshot=1", NULL, &s) ==
            HITL_OK &&
        expect_stream(ctx, &s, "resume with include_state_snapshot=1")) {
        char seen[256];
        hitl_flow_event_list(&s, seen, sizeof seen);
        hitl_expect(
            ctx,
            s.n_frames > 0 && is_ping(&s.frames[0]) &&
                hitl_chk_find_event(&s, "workflow_started", 0) == SIZE_MAX,
            "include_state_snapshot=1 is not `true`: no replay, the first frame is the live "
            "stream's `event: ping` (§9.1.8)",
            "first frames: %s", seen);
    }
    hitl_stream_free(&s);
    hitl_run_free(&run);
}

/* --- I81, I82 --- */

typedef struct ping_counter {
    size_t pings;
} ping_counter;

/* Stops after the first frame and KEEPALIVE_PINGS more pings (runs on the stream thread;
 * the counter is read after the join). */
static bool stop_after_keepalives(void *user, const hitl_stream_frame *f)
{
    ping_counter *c = user;
    if (is_ping(f))
        c->pings++;
    return c->pings > KEEPALIVE_PINGS;
}

/* §9.1.9 (SHOULD): "No frame gap exceeds ~10 s (pings) while the run waits"; §9.1
 * "Keep-alive: event: ping after 10 s without messages". The stream is watched until three
 * keep-alive pings arrived (so the length follows the target's observed interval: ~30 s on
 * Dify, ~3 s on a server pinging every second), at most 3 × (10 s + slack) and max-wait.
 * Every frame meanwhile is a ping without data. */
static void live_keepalive(hitl_check_ctx *ctx)
{
    const hitl_target *t = hitl_ctx_target(ctx);
    hitl_run run;
    hitl_stream s = {0};
    ping_counter pc = {0};
    long watch_ms = min_ms((long)((KEEPALIVE_PINGS * (PING_INTERVAL_S + PING_SLACK_S)) * 1000.0),
                           t->max_wait_s * 1000L);
    hitl_stream_opts so = {.total_ms = watch_ms, .stop = stop_after_keepalives, .user = &pc};
    if (hitl_flow_start(ctx, &run) == HITL_OK &&
        hitl_flow_resume_sync(ctx, run.workflow_run_id, run.user, NULL, NULL, &so, &s) == HITL_OK &&
        expect_stream(ctx, &s, "resume of a paused run")) {
        double max_gap = 0, last = 0;
        size_t at = 0;
        bool bad_ping = false, only_pings = true;
        for (size_t i = 0; i < s.n_frames && !bad_ping; i++) {
            const hitl_stream_frame *f = &s.frames[i];
            only_pings = only_pings && is_ping(f);
            if (f->at - last > max_gap) {
                max_gap = f->at - last;
                at = i;
            }
            last = f->at;
            if ((is_ping(f) && f->data_len) || (!is_ping(f) && !strcmp(f->data, "ping")))
                bad_ping =
                    !hitl_expect(ctx, false,
                                 "keep-alive pings are `event: ping` with no data "
                                 "(§2.3.2)",
                                 "frame %zu: SSE type \"%s\", data \"%.80s\"", i, f->type, f->data);
        }
        /* Silence at the end counts too, unless the stop function ended the stream. */
        if (s.end != HITL_STREAM_STOPPED && s.seconds - last > max_gap) {
            max_gap = s.seconds - last;
            at = s.n_frames;
        }
        /* A stream that ends before the watch did, while the run is still paused, was closed
         * by the server or by a proxy in front of it: behind nginx, a proxy_read_timeout
         * shorter than the ping interval closes every quiet stream (Dify's nginx:
         * NGINX_PROXY_READ_TIMEOUT, 3600s by default). A run that moved on (any frame other
         * than a ping: its form timed out, say) may end its stream. */
        bool early_end = only_pings && (s.end == HITL_STREAM_CLOSED || s.end == HITL_STREAM_FAILED);
        if (!bad_ping && early_end)
            bad_ping = !hitl_expect(
                ctx, false, "the resume stream stays open while the run waits (§9.1.9)",
                "the stream ended (%s%s%.200s) after %.1f s and %zu frame(s) (%zu ping(s)) while "
                "the run was still paused: the client sees its stream drop. Behind a proxy, its "
                "read timeout is the likely cause: it must exceed the 10 s ping interval (nginx: "
                "proxy_read_timeout, NGINX_PROXY_READ_TIMEOUT in Dify's docker/.env, default "
                "3600s)",
                hitl_stream_end_name(s.end), s.error ? ": " : "", s.error ? s.error : "", s.seconds,
                s.n_frames, pc.pings);
        if (!bad_ping && hitl_expect(ctx, s.n_frames > 0, "pings while the run waits (§9.1.9)",
                                     "no frame at all in %.1f s (stream %s)", s.seconds,
                                     hitl_stream_end_name(s.end)))
            hitl_expect(
                ctx, max_gap <= PING_INTERVAL_S + PING_SLACK_S,
                "no gap between frames longer than the 10 s ping interval (+2 s slack) while "
                "the run waits (§9.1.9)",
                "%.1f s of silence before %s%zu", max_gap,
                at < s.n_frames ? "frame " : "the end of the watch, after frame ",
                at < s.n_frames ? at : s.n_frames);
        /* Pings are sent one interval apart: three arriving within 100 ms of each other were
         * held back on the way and delivered in a lump (a proxy that buffers or compresses the
         * stream; the client sees nothing meanwhile). */
        for (size_t i = 2; !bad_ping && i < s.n_frames; i++) {
            const hitl_stream_frame *f = s.frames;
            if (is_ping(&f[i]) && is_ping(&f[i - 1]) && is_ping(&f[i - 2]) &&
                f[i].at - f[i - 2].at < LUMP_S) {
                const char *enc = hitl_http_header_get(&s.resp, "Content-Encoding");
                bad_ping = !hitl_expect(
                    ctx, false,
                    "frames arrive as the server sends them, one ping interval apart (§9.1.9)",
                    "pings %zu to %zu arrived in a lump within %.0f ms, %.1f s after the stream "
                    "opened (Content-Encoding: %s): something between the server and the client "
                    "holds the stream back. Behind nginx: proxy_buffering on together with gzip "
                    "for text/event-stream (gzip_types); Dify's proxy.conf has proxy_buffering "
                    "off, and browsers ask for gzip as this request did",
                    i - 2, i, (f[i].at - f[i - 2].at) * 1000.0, f[i - 2].at, enc ? enc : "none");
            }
        }
        if (pc.pings > 1)
            hitl_check_note(ctx, "%zu pings in %.1f s: about one every %.1f s", pc.pings, s.seconds,
                            (s.frames[s.n_frames - 1].at - s.frames[0].at) /
                                (double)(pc.pings - 1));
    }
    hitl_stream_free(&s);
    hitl_run_free(&run);
}

/* §9.1.12: "Same path works for a Chatflow app; frames carry conversation_id/message_id"
 * (§9.1 "Envelope: Workflow vs Chatflow differ only in envelope (Chatflow adds
 * conversation_id, message_id, created_at)"). The resumed frames belong to the run's
 * conversation: the one its start stream named. */
static void chatflow_envelope(hitl_check_ctx *ctx)
{
    if (hitl_ctx_target(ctx)->app_mode != HITL_APP_CHATFLOW) {
        hitl_check_skip(ctx, "the target is a Workflow app (--app-mode workflow)");
        return;
    }
    hitl_run run;
    hitl_stream s = {0};
    if (hitl_flow_start(ctx, &run) == HITL_OK &&
        hitl_chk_resume_across_submit(ctx, &run, NULL, &s) == HITL_OK &&
        expect_stream(ctx, &s, "the resume stream of the paused run")) {
        hitl_event start;
        char conv[256] = "";
        if (hitl_flow_frame_decode(&run.stream, run.required_index, &start) &&
            start.conversation_id.value)
            snprintf(conv, sizeof conv, "%s", start.conversation_id.value);
        hitl_event_clear(&start);
        size_t checked = 0;
        for (size_t i = 0; i < s.n_frames && !hitl_check_done(ctx); i++) {
            hitl_event ev;
            if (is_ping(&s.frames[i]) || !hitl_flow_frame_decode(&s, i, &ev)) {
                if (!is_ping(&s.frames[i]))
                    hitl_expect(ctx, false, "every resumed frame is a JSON event (§2)",
                                "frame %zu: \"%.80s\"", i, s.frames[i].data);
                continue;
            }
            checked++;
            const char *c = ev.conversation_id.value, *m = ev.message_id.value;
            if (hitl_expect(ctx, c && m,
                            "every resumed Chatflow event has top-level conversation_id and "
                            "message_id strings (§9.1.12)",
                            "frame %zu (%s): conversation_id %s, message_id %s", i, ev.name,
                            c ? "present" : "missing", m ? "present" : "missing") &&
                conv[0])
                hitl_expect(ctx, !strcmp(c, conv),
                            "resumed events carry the run's conversation_id (that of its start "
                            "stream) (§9.1)",
                            "frame %zu (%s): conversation_id \"%s\", start stream \"%s\"", i,
                            ev.name, c, conv);
            hitl_event_clear(&ev);
        }
        hitl_expect(ctx, checked > 0, "the resumed stream carries events (§9.1)", "only pings");
    }
    hitl_stream_free(&s);
    hitl_run_free(&run);
}

/* --- J84: the timeout event --- */

/* §10.8: "Within ~HUMAN_INPUT_TIMEOUT_TASK_INTERVAL (+ slack) after expiry, the resumed
 * stream shows human_input_form_timeout with expiration_time, then the timeout branch
 * runs"; §10 "Node timeout outcome: … stream shows human_input_form_timeout". The stream is
 * opened shortly before the expiry and kept open across it (reopened if the server closes
 * it idle). A missing event is FAIL only once a whole sweeper interval has passed; a
 * max-wait that ends sooner makes the check SKIP with the wait it needed (decision 5). */
static void timeout_event(hitl_check_ctx *ctx)
{
    const hitl_target *t = hitl_ctx_target(ctx);
    hitl_run run;
    if (hitl_flow_start(ctx, &run) != HITL_OK) {
        hitl_run_free(&run);
        return;
    }
    long long now = hitl_chk_now(), exp = (long long)run.expiration_time;
    const long long begun = now;
    long long give_up = now + t->max_wait_s;
    if (exp <= 0) {
        hitl_check_error(ctx, "precondition: human_input_required had no expiration_time");
    } else if (exp + 2 > give_up) {
        hitl_check_skip(ctx,
                        "the form expires in %lld s (expiration_time %lld): waiting for its "
                        "timeout event needs --max-wait %lld or more (up to %lld with a 60 s "
                        "sweeper)",
                        exp - now, exp, exp - now + 2, exp - now + HITL_CHK_SWEEP_ALLOWANCE_S);
    } else {
        if (give_up > exp + HITL_CHK_SWEEP_ALLOWANCE_S)
            give_up = exp + HITL_CHK_SWEEP_ALLOWANCE_S;
        if (exp - EXPIRY_LEAD_S > now)
            hitl_ctx_sleep_ms(ctx, (long)(exp - EXPIRY_LEAD_S - now) * 1000L,
                              "the form's expiration_time");
        bool timed_out = false, finished = false, ok_stream = true;
        int reopens = 0;
        size_t events = 0;
        while (!finished && ok_stream && (now = hitl_chk_now()) < give_up &&
               !hitl_check_done(ctx)) {
            hitl_stream s;
            hitl_stream_opts so = {.total_ms = (long)(give_up - now) * 1000L,
                                   .stop = hitl_flow_stop_after_finished};
            if (hitl_flow_resume_sync(ctx, run.workflow_run_id, run.user, NULL, NULL, &so, &s) !=
                HITL_OK) {
                hitl_stream_free(&s);
                break;
            }
            ok_stream = expect_stream(ctx, &s,
                                      reopens ? "the reopened resume stream"
                                              : "the resume stream of the waiting run");
            for (size_t i = 0; ok_stream && i < s.n_frames && !finished; i++) {
                hitl_event ev;
                if (is_ping(&s.frames[i]) || !hitl_flow_frame_decode(&s, i, &ev))
                    continue;
                events++;
                if (ev.kind == HITL_EV_HUMAN_INPUT_FORM_TIMEOUT && !timed_out) {
                    timed_out = true;
                    hitl_expect(ctx,
                                ev.timeout.expiration_state == HITL_JSON_OK &&
                                    ev.timeout.expiration_time == run.expiration_time,
                                "human_input_form_timeout.data.expiration_time is the form's "
                                "(§10.8)",
                                "%s%lld, form %lld",
                                ev.timeout.expiration_state == HITL_JSON_OK
                                    ? ""
                                    : "missing or not an integer: ",
                                (long long)ev.timeout.expiration_time, exp);
                } else if (ev.kind == HITL_EV_WORKFLOW_FINISHED) {
                    finished = true;
                    hitl_expect(ctx, timed_out,
                                "human_input_form_timeout precedes workflow_finished (§10.8)",
                                "workflow_finished (status %s) without human_input_form_timeout",
                                ev.workflow.status ? ev.workflow.status : "?");
                }
                hitl_event_clear(&ev);
            }
            if (!finished && s.end == HITL_STREAM_CLOSED)
                reopens++;
            hitl_stream_free(&s);
        }
        if (reopens)
            hitl_check_note(ctx,
                            "the server closed the idle resume stream %d time(s); it was "
                            "reopened",
                            reopens);
        if (ok_stream && !finished && !hitl_check_done(ctx)) {
            if (hitl_chk_now() < exp + HITL_CHK_SWEEP_ALLOWANCE_S)
                hitl_check_skip(ctx,
                                "no %s within --max-wait (%ld s); a sweeper may take up to "
                                "60 s after the expiry: needs --max-wait %lld",
                                timed_out ? "workflow_finished after the timeout event"
                                          : "human_input_form_timeout",
                                t->max_wait_s, exp - begun + HITL_CHK_SWEEP_ALLOWANCE_S);
            else
                hitl_expect(ctx, false,
                            "human_input_form_timeout, then workflow_finished, within 65 s of "
                            "expiration_time (§10.8)",
                            "%s (%zu events)",
                            timed_out ? "no workflow_finished after the timeout"
                                      : "no human_input_form_timeout",
                            events);
        }
    }
    hitl_run_free(&run);
}

static const hitl_check_impl CHECKS[] = {
    {"resume.live.ping-first", live_ping_first},
    {"resume.auth.wrong-user", auth_wrong_user},
    {"resume.auth.unknown-run", auth_unknown_run},
    {"resume.auth.missing-user", auth_missing_user},
    {"resume.auth.not-workflow-app", auth_not_workflow_app},
    {"resume.id.task-id", id_task_id},
    {"resume.after-submit.branch", after_submit_branch},
    {"resume.filled.fields", filled_fields},
    {"resume.continue-on-pause.two-pauses", continue_two_pauses},
    {"resume.finished.single-frame", finished_single_frame},
    {"resume.snapshot.replay", snapshot_replay},
    {"resume.snapshot.literal-true", snapshot_literal_true},
    {"resume.live.keepalive", live_keepalive},
    {"resume.chatflow.envelope", chatflow_envelope},
    {"resume.timeout.event", timeout_event},
};

HITL_CHECK_TABLE(resume, CHECKS)
