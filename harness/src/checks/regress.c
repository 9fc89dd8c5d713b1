/* regress.c: the regression area, one check per bug class Dify users reported against the
 * Human Input API (contract §12). Each check names the Dify issue(s) in its catalogue title
 * and in its expectation, so a FAIL reads "this deployment has the behaviour of dify#N".
 * The checks run on the service surface and start their own runs. */
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

/* dify#40445: how long after a refused GET the form is asked for again. A form that is
 * there by then was only late: the race the issue describes. */
#define GET_RETRY_MS 3000L

/* Starts a run (the start stream ends at the pause, as Dify's does) and resumes it across a
 * valid submit: the resume stream is opened first and joined after a 200 submit, until
 * workflow_finished and then HITL_CHK_CLOSE_GRACE_MS for the server to close it. 0 with
 * |run| and |out| filled (free both in every case); non-zero after an ERROR or SKIP. */
static int resumed_run(hitl_check_ctx *ctx, hitl_run *run, hitl_stream *out)
{
    memset(out, 0, sizeof *out);
    if (hitl_flow_start(ctx, run) != HITL_OK)
        return HITL_E_STATE;
    int rc = hitl_chk_resume_across_submit(ctx, run, NULL, out);
    if (rc)
        return rc;
    if (out->resp.status != 200) {
        hitl_check_error(ctx, "precondition: the resume request answered HTTP %ld (§9.1)",
                         out->resp.status);
        return HITL_E_STATE;
    }
    return HITL_OK;
}

/* --- §12.1: a first submit is never "already submitted" (dify#35703) --- */

static void first_submit_not_412(hitl_check_ctx *ctx)
{
    hitl_run run;
    char *body = NULL;
    if (hitl_flow_start(ctx, &run) == HITL_OK &&
        (body = hitl_chk_valid_body(ctx, &run, &(hitl_valid_opts){0}))) {
        hitl_http_response resp;
        if (hitl_flow_submit(ctx, run.form_token, body, &resp) == HITL_OK) {
            if (hitl_expect(ctx, resp.status != 412,
                            "the first submit of a fresh form is not refused as already "
                            "submitted (§12.1; dify#35703)",
                            "HTTP 412: %.200s", hitl_buf_str(&resp.body)))
                hitl_expect_status(ctx, &resp, 200,
                                   "the first valid submit is accepted (§7.4.1, §12.1)");
        }
        hitl_http_response_free(&resp); /* filled on a transport error too */
    }
    free(body);
    hitl_run_free(&run);
}

/* --- §12.2: the form is readable as soon as the pause is announced (dify#40445) --- */

static void get_after_pause(hitl_check_ctx *ctx)
{
    hitl_run run;
    if (hitl_flow_start(ctx, &run) != HITL_OK) {
        hitl_run_free(&run);
        return;
    }
    if (!run.form_token) {
        hitl_check_skip(ctx, "human_input_required carried no form_token (no WebApp delivery)");
        hitl_run_free(&run);
        return;
    }
    hitl_http_response first;
    if (hitl_flow_get_form(ctx, run.form_token, &first) == HITL_OK) {
        if (first.status != 200) {
            hitl_ctx_sleep_ms(ctx, GET_RETRY_MS, "the form GET retry");
            hitl_http_response later;
            long later_status = 0;
            if (hitl_flow_get_form(ctx, run.form_token, &later) == HITL_OK)
                later_status = later.status;
            hitl_http_response_free(&later);
            hitl_expect(ctx, false,
                        "the form GET right after human_input_required answers 200 (§4.1.1, "
                        "§12.2; dify#40445)",
                        "HTTP %ld at once%s (%.120s)", first.status,
                        later_status == 200 ? ", HTTP 200 3 s later: the pause record lagged "
                                              "behind the event"
                                            : ", and still not 200 3 s later",
                        hitl_buf_str(&first.body));
        } else {
            hitl_expect_status(ctx, &first, 200,
                               "the form GET right after the pause answers the form (§12.2)");
        }
    }
    hitl_http_response_free(&first); /* filled on a transport error too */
    hitl_run_free(&run);
}

/* --- §12.3: the resumed run succeeds (dify#39448, #39750, #40878) --- */

static void finished_succeeded(hitl_check_ctx *ctx)
{
    hitl_run run;
    hitl_stream s;
    if (resumed_run(ctx, &run, &s) == HITL_OK) {
        char seen[512];
        hitl_flow_event_list(&s, seen, sizeof seen);
        size_t fin = hitl_chk_find_event(&s, "workflow_finished", 0);
        hitl_event ev;
        memset(&ev, 0, sizeof ev); /* cleared below even when no workflow_finished came */
        if (hitl_expect(ctx, fin != SIZE_MAX,
                        "the resumed run reaches workflow_finished (§9.3.1, §12.3)", "events: %s",
                        seen) &&
            hitl_flow_frame_decode(&s, fin, &ev)) {
            const char *st = ev.workflow.status;
            hitl_expect(ctx, st && !strcmp(st, "succeeded"),
                        "after a valid submit the run ends workflow_finished status succeeded, "
                        "never stopped, though its start stream closed at the pause (§12.3; "
                        "dify#39448, #39750, #40878)",
                        "status %s%s%s", st ? "\"" : "", st ? st : "missing", st ? "\"" : "");
        }
        hitl_event_clear(&ev);
    }
    hitl_stream_free(&s);
    hitl_run_free(&run);
}

/* --- §12.4: the resume stream ends after workflow_finished (dify#34631) --- */

static void resume_closes(hitl_check_ctx *ctx)
{
    hitl_run run;
    hitl_stream s;
    if (resumed_run(ctx, &run, &s) == HITL_OK) {
        char seen[512];
        hitl_flow_event_list(&s, seen, sizeof seen);
        if (hitl_expect(ctx, hitl_chk_find_event(&s, "workflow_finished", 0) != SIZE_MAX,
                        "the resumed run reaches workflow_finished (§9.3.1, §12.4)", "events: %s",
                        seen))
            hitl_expect(ctx, s.end == HITL_STREAM_CLOSED,
                        "the server closes the resume stream within 5 s of workflow_finished, "
                        "so a client leaves its loading state (§9.1.10, §12.4; dify#34631)",
                        "%s",
                        s.still_open ? "the stream was still open 5 s after workflow_finished"
                                     : hitl_stream_end_name(s.end));
    }
    hitl_stream_free(&s);
    hitl_run_free(&run);
}

/* --- §12.5: human_input_form_filled before the node finishes (dify#42062, #42082) --- */

/* The index of the first node_finished of node |node_id| in |s| from |from|, or SIZE_MAX. */
static size_t node_finished_of(const hitl_stream *s, const char *node_id, size_t from)
{
    for (size_t i = hitl_chk_find_event(s, "node_finished", from); i != SIZE_MAX;
         i = hitl_chk_find_event(s, "node_finished", i + 1)) {
        hitl_event ev;
        bool same = false;
        if (hitl_flow_frame_decode(s, i, &ev) && ev.data) {
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(ev.data, "node_id");
            same = cJSON_IsString(id) && node_id && !strcmp(id->valuestring, node_id);
        }
        hitl_event_clear(&ev);
        if (same)
            return i;
    }
    return SIZE_MAX;
}

static void filled_before_node_finished(hitl_check_ctx *ctx)
{
    hitl_run run;
    hitl_stream s;
    if (resumed_run(ctx, &run, &s) == HITL_OK) {
        char seen[512];
        hitl_flow_event_list(&s, seen, sizeof seen);
        size_t filled = hitl_chk_find_event(&s, "human_input_form_filled", 0);
        size_t node_done = node_finished_of(&s, run.form->node_id, 0);
        if (hitl_expect(ctx, filled != SIZE_MAX,
                        "the resumed stream carries human_input_form_filled (§9.3.1, §12.5; "
                        "dify#42062, fixed by #42082)",
                        "events: %s", seen))
            hitl_expect(ctx, node_done == SIZE_MAX || filled < node_done,
                        "human_input_form_filled comes before the Human Input node's "
                        "node_finished (§12.5; dify#42082)",
                        "events: %s", seen);
    }
    hitl_stream_free(&s);
    hitl_run_free(&run);
}

/* --- §12.6: human_input_required complete on the Service API (dify#35504) --- */

static void required_complete(hitl_check_ctx *ctx)
{
    hitl_run run;
    hitl_flow_start_stream(ctx, NULL, 0, &run);
    if (run.required_index == SIZE_MAX) {
        hitl_check_error(ctx, "precondition: the start stream had no human_input_required (%s%s%s)",
                         hitl_stream_end_name(run.stream.end), run.stream.error ? ": " : "",
                         run.stream.error ? run.stream.error : "");
        hitl_run_free(&run);
        return;
    }
    cJSON *root = hitl_chk_frame_json(&run.stream.frames[run.required_index]);
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "data");
    static const char *const keys[] = {"form_id", "form_content", "inputs",
                                       "actions", "form_token",   "expiration_time"};
    char missing[160] = "";
    size_t n = 0;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, keys[i]);
        bool ok = !strcmp(keys[i], "form_token") ? cJSON_IsString(v) || cJSON_IsNull(v)
                  : !strcmp(keys[i], "inputs")   ? cJSON_IsArray(v)
                  : !strcmp(keys[i], "actions")  ? cJSON_IsArray(v) && cJSON_GetArraySize(v) > 0
                  : !strcmp(keys[i], "expiration_time") ? cJSON_IsNumber(v)
                                                        : cJSON_IsString(v);
        if (!ok)
            n += (size_t)snprintf(missing + n, sizeof missing - n, "%s%s", n ? ", " : "", keys[i]);
        if (n >= sizeof missing)
            n = sizeof missing - 1;
    }
    hitl_expect(ctx, cJSON_IsObject(d) && !missing[0],
                "human_input_required.data on the Service API stream carries form_id, "
                "form_content, inputs, actions, form_token and expiration_time (§2.1.1, §12.6; "
                "dify#35504)",
                "%s%s%s", !cJSON_IsObject(d) ? "no data object" : "missing or mistyped: ",
                cJSON_IsObject(d) ? missing : "",
                cJSON_IsObject(d) && !cJSON_GetArraySize(d) ? " (data is {})" : "");
    cJSON_Delete(root);
    hitl_run_free(&run);
}

/* --- §12.5 (timeout path), §12.7: the run across its form's expiry --- */

/* What the resume stream showed across a form's expiry. */
typedef struct expiry_seen {
    bool timeout_event; /* human_input_form_timeout */
    bool finished;      /* workflow_finished */
    bool timeout_first; /* the timeout event came before workflow_finished */
    cJSON *outputs;     /* workflow_finished.data.outputs (a copy), or NULL */
    char status[24];    /* workflow_finished.data.status */
    char events[512];   /* the events of the last stream */
} expiry_seen;

/* Opens the resume stream of |run| shortly before its expiration_time and keeps it open
 * (reopened when the server closes it idle) until workflow_finished, at most a sweeper
 * interval after the expiry. 0 with |seen| filled; non-zero after a SKIP (max-wait too
 * short) or an ERROR. */
static int across_expiry(hitl_check_ctx *ctx, const hitl_run *run, expiry_seen *seen)
{
    const hitl_target *t = hitl_ctx_target(ctx);
    memset(seen, 0, sizeof *seen);
    long long now = hitl_chk_now(), exp = (long long)run->expiration_time;
    long long give_up = now + t->max_wait_s;
    if (exp <= 0) {
        hitl_check_error(ctx, "precondition: human_input_required had no expiration_time");
        return HITL_E_STATE;
    }
    if (exp + 2 > give_up) {
        hitl_check_skip(ctx,
                        "the form expires in %lld s: watching its timeout needs --max-wait %lld "
                        "or more (up to %lld with a 60 s sweeper)",
                        exp - now, exp - now + 2, exp - now + HITL_CHK_SWEEP_ALLOWANCE_S);
        return HITL_E_STATE;
    }
    if (give_up > exp + HITL_CHK_SWEEP_ALLOWANCE_S)
        give_up = exp + HITL_CHK_SWEEP_ALLOWANCE_S;
    if (exp - 3 > now)
        hitl_ctx_sleep_ms(ctx, (long)(exp - 3 - now) * 1000L, "the form's expiration_time");
    while (!seen->finished && (now = hitl_chk_now()) < give_up && !hitl_check_done(ctx)) {
        hitl_stream s;
        hitl_stream_opts so = {.total_ms = (long)(give_up - now) * 1000L,
                               .stop = hitl_flow_stop_after_finished};
        int rc = hitl_flow_resume_sync(ctx, run->workflow_run_id, run->user, NULL, NULL, &so, &s);
        if (rc || s.resp.status != 200) {
            if (!rc)
                hitl_check_error(ctx, "precondition: the resume request answered HTTP %ld (§9.1)",
                                 s.resp.status);
            hitl_stream_free(&s);
            return rc ? rc : HITL_E_STATE;
        }
        hitl_flow_event_list(&s, seen->events, sizeof seen->events);
        for (size_t i = 0; i < s.n_frames && !seen->finished; i++) {
            hitl_event ev;
            if (!hitl_flow_frame_decode(&s, i, &ev))
                continue;
            if (ev.kind == HITL_EV_HUMAN_INPUT_FORM_TIMEOUT)
                seen->timeout_event = true;
            if (ev.kind == HITL_EV_WORKFLOW_FINISHED) {
                seen->finished = true;
                seen->timeout_first = seen->timeout_event;
                snprintf(seen->status, sizeof seen->status, "%s",
                         ev.workflow.status ? ev.workflow.status : "");
                seen->outputs = cJSON_Duplicate(ev.workflow.outputs, 1);
            }
            hitl_event_clear(&ev);
        }
        bool closed = s.end == HITL_STREAM_CLOSED;
        hitl_stream_free(&s);
        if (!closed)
            break;
    }
    if (!seen->finished && !hitl_check_done(ctx)) {
        if (hitl_chk_now() < exp + HITL_CHK_SWEEP_ALLOWANCE_S)
            hitl_check_skip(ctx,
                            "no workflow_finished within --max-wait (%ld s); a sweeper may take up "
                            "to 60 s after the expiry",
                            t->max_wait_s);
        else
            hitl_expect(ctx, false,
                        "the run finishes within 65 s of its form's expiration_time (§10.8)",
                        "no workflow_finished; events: %s", seen->events);
        return HITL_E_STATE;
    }
    return hitl_check_done(ctx) ? HITL_E_STATE : HITL_OK;
}

/* §12.5 on the timeout path: human_input_form_timeout before workflow_finished (dify#42062). */
static void timeout_event(hitl_check_ctx *ctx)
{
    hitl_run run;
    expiry_seen seen = {0};
    if (hitl_flow_start(ctx, &run) == HITL_OK && across_expiry(ctx, &run, &seen) == HITL_OK)
        hitl_expect(ctx, seen.timeout_first,
                    "the run whose form expired streams human_input_form_timeout before "
                    "workflow_finished (§10.8, §12.5; dify#42062, fixed by #42082)",
                    "%s; events: %s",
                    seen.timeout_event ? "after workflow_finished" : "no human_input_form_timeout",
                    seen.events);
    cJSON_Delete(seen.outputs);
    hitl_run_free(&run);
}

/* True when |id| is one of the form's action ids. */
static bool is_action(const hitl_form *f, const char *id)
{
    for (size_t i = 0; f && i < f->n_actions; i++)
        if (f->actions[i].id && !strcmp(f->actions[i].id, id))
            return true;
    return false;
}

/* §12.7: the `__timeout` branch runs (dify#40459). The conformance app's timeout branch
 * outputs `action` (Workflow End: the node's __action_id, "" on expiry) or answers
 * "action: __timeout" (Chatflow); a run whose timeout edge was not taken has no branch
 * output. */
static void timeout_branch(hitl_check_ctx *ctx)
{
    hitl_run run;
    expiry_seen seen = {0};
    if (hitl_flow_start(ctx, &run) == HITL_OK && across_expiry(ctx, &run, &seen) == HITL_OK) {
        const cJSON *action = cJSON_GetObjectItemCaseSensitive(seen.outputs, "action");
        const cJSON *answer = cJSON_GetObjectItemCaseSensitive(seen.outputs, "answer");
        /* The approve/revise Ends output the inputs too (`rendered`, `feedback`). */
        bool by_action = cJSON_IsString(action) && !is_action(run.form, action->valuestring) &&
                         !cJSON_GetObjectItemCaseSensitive(seen.outputs, "rendered");
        bool by_answer = cJSON_IsString(answer) && strstr(answer->valuestring, "__timeout");
        char *printed = seen.outputs ? cJSON_PrintUnformatted(seen.outputs) : NULL;
        hitl_expect(ctx, by_action || by_answer,
                    "after its form expired the run takes the `__timeout` branch: "
                    "workflow_finished.data.outputs holds that branch's output (`action` not "
                    "an action id, or an answer naming __timeout) (§10.8, §12.7; dify#40459)",
                    "status %s, outputs %.200s", seen.status[0] ? seen.status : "?",
                    printed ? printed : "missing");
        free(printed);
    }
    cJSON_Delete(seen.outputs);
    hitl_run_free(&run);
}

/* --- §12.8: one start, one run (dify#39686) --- */

/* The node ids the start stream of |run| saw finish before the pause, "|a|b|" in |out|. */
static void finished_before_pause(const hitl_run *run, char *out, size_t cap)
{
    snprintf(out, cap, "|");
    for (size_t i = 0; i < run->stream.n_frames; i++) {
        hitl_event ev;
        if (hitl_flow_frame_decode(&run->stream, i, &ev) && ev.kind == HITL_EV_NODE_FINISHED &&
            ev.data) {
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(ev.data, "node_id");
            size_t n = strlen(out);
            if (cJSON_IsString(id) && n + strlen(id->valuestring) + 2 < cap)
                snprintf(out + n, cap - n, "%s|", id->valuestring);
        }
        hitl_event_clear(&ev);
    }
}

static void one_run(hitl_check_ctx *ctx)
{
    hitl_run run;
    hitl_stream s;
    if (resumed_run(ctx, &run, &s) == HITL_OK) {
        char seen[512], before[1024];
        hitl_flow_event_list(&s, seen, sizeof seen);
        finished_before_pause(&run, before, sizeof before);
        size_t other_id = SIZE_MAX, restart = SIZE_MAX, rerun = SIZE_MAX;
        char other[128] = "", rerun_node[128] = "";
        for (size_t i = 0; i < s.n_frames; i++) {
            hitl_event ev;
            if (!hitl_flow_frame_decode(&s, i, &ev))
                continue;
            const char *id = ev.workflow_run_id.value;
            if (id && strcmp(id, run.workflow_run_id) && other_id == SIZE_MAX) {
                other_id = i;
                snprintf(other, sizeof other, "%.100s", id);
            }
            if (ev.kind == HITL_EV_WORKFLOW_STARTED && restart == SIZE_MAX)
                restart = i;
            const cJSON *node = ev.kind == HITL_EV_NODE_STARTED && ev.data
                                    ? cJSON_GetObjectItemCaseSensitive(ev.data, "node_id")
                                    : NULL;
            if (cJSON_IsString(node) && rerun == SIZE_MAX) {
                char key[140];
                snprintf(key, sizeof key, "|%.120s|", node->valuestring);
                if (strstr(before, key)) {
                    rerun = i;
                    snprintf(rerun_node, sizeof rerun_node, "%.120s", node->valuestring);
                }
            }
            hitl_event_clear(&ev);
        }
        hitl_expect(ctx, other_id == SIZE_MAX,
                    "every resumed event carries the paused run's workflow_run_id (§9.1, §12.8; "
                    "dify#39686)",
                    "frame %zu carries workflow_run_id \"%s\", the run is \"%s\"", other_id, other,
                    run.workflow_run_id);
        /* Whether a resumed run streams workflow_started again is not settled from Dify's
         * source here: only a second run id (above) or a re-run node counts. */
        if (restart != SIZE_MAX)
            hitl_check_note(ctx, "the resume stream carries workflow_started (frame %zu)", restart);
        hitl_expect(ctx, rerun == SIZE_MAX,
                    "the resume continues the run, it does not start it over: no node that "
                    "finished before the pause runs again (§12.8; dify#39686)",
                    "a pre-pause node started again; events: %s", seen);
        if (rerun != SIZE_MAX)
            hitl_check_note(ctx, "node %s finished before the pause and started again", rerun_node);
    }
    hitl_stream_free(&s);
    hitl_run_free(&run);
}

/* --- §12.9: the form GET's form_content is rendered (dify#38604, #41016) --- */

/* The first placeholder of |text| that is not {{#$output.<name>#}}, into |out| ("" if none). */
static void foreign_placeholder(const char *text, char *out, size_t cap)
{
    out[0] = '\0';
    for (const char *p = strstr(text, "{{#"); p; p = strstr(p + 3, "{{#")) {
        const char *end = strstr(p + 3, "#}}");
        if (!end)
            return;
        if (strncmp(p + 3, "$output.", 8) != 0) {
            snprintf(out, cap, "%.*s", (int)(end + 3 - p < 120 ? end + 3 - p : 120), p);
            return;
        }
    }
}

/* On chatflow-ifelse.yml the form names {{#sys.query#}}: rendered, it holds the query. */
#define RENDERED_QUERY "{{#sys.query#}}"

/* form_content_rendered runs on the app of --ifelse-api-key when given (the embedded target
 * always has it): its form_content names another node's variable, {{#sys.query#}}, so a raw
 * form is told from a rendered one by the query's text. Without it the check runs on the
 * target's app, whose form may name no other variable: then it only sees a placeholder
 * that is left. */
static void form_content_rendered(hitl_check_ctx *ctx)
{
    const char *key = hitl_chk_env(ctx)->ifelse_app_key;
    hitl_run run;
    int rc =
        key ? hitl_flow_start_in(ctx, key, HITL_APP_CHATFLOW, &run) : hitl_flow_start(ctx, &run);
    if (rc == HITL_OK) {
        hitl_http_response resp;
        if (!run.form_token) {
            hitl_check_skip(ctx, "human_input_required carried no form_token (no WebApp delivery)");
        } else {
            if (hitl_flow_get_form_as(ctx, key, run.form_token, &resp) == HITL_OK &&
                hitl_expect_status(ctx, &resp, 200, "the form GET answers the form (§4.1.1)")) {
                cJSON *o = cJSON_Parse(hitl_buf_str(&resp.body));
                const cJSON *fc = cJSON_GetObjectItemCaseSensitive(o, "form_content");
                char bad[128];
                if (hitl_expect(ctx, cJSON_IsString(fc), "the form GET has form_content (§4.2.1)",
                                "form_content is %s", fc ? "not a string" : "missing")) {
                    foreign_placeholder(fc->valuestring, bad, sizeof bad);
                    hitl_expect(ctx, !bad[0],
                                "the form GET's form_content is rendered: no placeholder but "
                                "{{#$output.<name>#}} is left (§12.9; dify#38604, #41016)",
                                "form_content holds %s", bad);
                    if (key)
                        hitl_expect(ctx, strstr(fc->valuestring, HITL_FLOW_CHAT_QUERY) != NULL,
                                    "the form GET's form_content holds the run's query where "
                                    "chatflow-ifelse.yml's form names " RENDERED_QUERY
                                    " (§12.9; dify#38604)",
                                    "form_content \"%.200s\" lacks the query \"%s\"",
                                    fc->valuestring, HITL_FLOW_CHAT_QUERY);
                }
                cJSON_Delete(o);
            }
            hitl_http_response_free(&resp); /* filled on a transport error too */
        }
    }
    hitl_run_free(&run);
}

/* --- §12.10, §12.11: the variant apps of specs/dify-app/ --- */

/* How long a variant run may take from its submits to the end it is judged by. */
#define VARIANT_BOUND_MS 15000L
/* The feedback the variant checks submit, which chatflow-ifelse.yml's Answer renders. */
#define VARIANT_FEEDBACK "hitlcheck answer check"

/* variant_key returns the variant app's key, or NULL after a SKIP naming the file to import
 * and the option to give its key with. */
static const char *variant_key(hitl_check_ctx *ctx, const char *key, const char *file,
                               const char *option)
{
    if (!key)
        hitl_check_skip(ctx,
                        "no variant app: import specs/dify-app/%s into the target, publish it, "
                        "and give its API key with %s KEY",
                        file, option);
    return key;
}

/* frame_json parses frame |i| of |s| (NULL when it is no JSON object; caller deletes). */
static cJSON *frame_json(const hitl_stream *s, size_t i)
{
    const hitl_stream_frame *f = &s->frames[i];
    cJSON *o = cJSON_ParseWithLength(f->data, f->data_len);
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static const char *jstr(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* variant_body is the submission for a variant app's form (human_input_required |data|):
 * VARIANT_FEEDBACK in each paragraph, action |action| (NULL: the form's first), the run's
 * user. NULL when the form has another kind of input: not the variant app's form. */
static char *variant_body(const cJSON *data, const char *action, const char *user)
{
    const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(data, "inputs"), *in;
    const cJSON *actions = cJSON_GetObjectItemCaseSensitive(data, "actions");
    const char *first = jstr(cJSON_GetArrayItem(actions, 0), "id");
    if (!first || !cJSON_IsArray(inputs))
        return NULL;
    cJSON *body = cJSON_CreateObject();
    cJSON *values = cJSON_AddObjectToObject(body, "inputs");
    cJSON_ArrayForEach(in, inputs)
    {
        const char *type = jstr(in, "type"), *name = jstr(in, "output_variable_name");
        if (!type || !name || strcmp(type, "paragraph")) {
            cJSON_Delete(body);
            return NULL;
        }
        cJSON_AddStringToObject(values, name, VARIANT_FEEDBACK);
    }
    cJSON_AddStringToObject(body, "action", action ? action : first);
    cJSON_AddStringToObject(body, "user", user);
    char *text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    return text;
}

static bool stop_after_message_end(void *user, const hitl_stream_frame *f)
{
    (void)user;
    char name[32];
    hitl_flow_frame_event(f, name, sizeof name);
    return !strcmp(name, "message_end");
}

/* variant_resume opens the run's resume stream with continue_on_pause=true (it goes on across
 * a pause, §9.1.11), waits for its first frame, sends each of the |n| submissions back to
 * back (the quick succession of dify#42103), and collects the stream until |stop| or
 * VARIANT_BOUND_MS. 0 with |out| filled (free it in every case), or non-zero after an ERROR. */
static int variant_resume(hitl_check_ctx *ctx, const char *key, const hitl_run *run,
                          char *const *tokens, char *const *bodies, size_t n,
                          hitl_stream_stop_fn stop, hitl_stream *out)
{
    memset(out, 0, sizeof *out);
    hitl_stream_opts so = {.total_ms = VARIANT_BOUND_MS, .stop = stop};
    hitl_stream_async *a = NULL;
    int rc = hitl_flow_resume_open(ctx, run->workflow_run_id, run->user, "continue_on_pause=true",
                                   key, &so, &a);
    if (rc) {
        hitl_check_error(ctx, "could not open the resume stream (%s)", hitl_status_name(rc));
        return rc;
    }
    hitl_stream_wait_frames(a, 1, 3000L);
    for (size_t i = 0; i < n && !rc; i++) {
        hitl_http_response resp;
        rc = hitl_flow_submit_as(ctx, key, tokens[i], bodies[i], &resp);
        if (!rc && resp.status != 200) {
            hitl_check_error(ctx,
                             "precondition: the valid submit of form %zu answered HTTP %ld, not "
                             "200 (§7.4): %.200s",
                             i + 1, resp.status, hitl_buf_str(&resp.body));
            rc = HITL_E_STATE;
        }
        hitl_http_response_free(&resp);
    }
    if (rc)
        hitl_stream_cancel(a);
    int jrc = hitl_stream_join(a, out);
    if (!rc && jrc)
        hitl_check_error(ctx, "collecting the resume stream failed (%s)", hitl_status_name(jrc));
    return rc ? rc : jrc;
}

/* The status of the first workflow_finished of |s| from frame |from| into |out| ("" when
 * none); its index, or SIZE_MAX. */
static size_t finished_status(const hitl_stream *s, char *out, size_t cap)
{
    out[0] = '\0';
    size_t fin = hitl_chk_find_event(s, "workflow_finished", 0);
    if (fin == SIZE_MAX)
        return fin;
    cJSON *o = frame_json(s, fin);
    const char *st = jstr(cJSON_GetObjectItemCaseSensitive(o, "data"), "status");
    snprintf(out, cap, "%s", st ? st : "missing");
    cJSON_Delete(o);
    return fin;
}

static void parallel_both_complete(hitl_check_ctx *ctx)
{
    const char *key = variant_key(ctx, hitl_chk_env(ctx)->parallel_app_key, "workflow-parallel.yml",
                                  "--parallel-api-key");
    hitl_run run;
    if (!key || hitl_flow_start_in(ctx, key, HITL_APP_WORKFLOW, &run) != HITL_OK) {
        if (key)
            hitl_run_free(&run);
        return;
    }
    char *tokens[2] = {NULL, NULL}, *bodies[2] = {NULL, NULL};
    size_t n = 0, forms = 0;
    for (size_t i = 0; i < run.stream.n_frames; i++) {
        cJSON *o = frame_json(&run.stream, i);
        const cJSON *data = cJSON_GetObjectItemCaseSensitive(o, "data");
        const char *token = jstr(data, "form_token");
        if (o && !strcmp(jstr(o, "event") ? jstr(o, "event") : "", "human_input_required")) {
            forms++;
            char *body = variant_body(data, NULL, run.user);
            if (n < 2 && token && body) {
                /* The second form its own label: a reproducer captures it as
                 * $HITL_FORM_TOKEN_2, not as a second $HITL_FORM_TOKEN. */
                hitl_ctx_secret(ctx, token, n ? "form-token-2" : "form-token");
                tokens[n] = strdup(token);
                bodies[n++] = body;
            } else {
                free(body);
            }
        }
        cJSON_Delete(o);
    }
    if (n < 2) {
        hitl_check_error(ctx,
                         "precondition: the app of --parallel-api-key paused at %zu form(s) with "
                         "a token and paragraph inputs only, not two: is it "
                         "specs/dify-app/workflow-parallel.yml?",
                         forms);
    } else {
        hitl_stream s;
        if (variant_resume(ctx, key, &run, tokens, bodies, 2, hitl_flow_stop_after_finished, &s) ==
            HITL_OK) {
            char seen[512], st[32];
            hitl_flow_event_list(&s, seen, sizeof seen);
            size_t fin = finished_status(&s, st, sizeof st);
            if (hitl_expect(ctx, fin != SIZE_MAX,
                            "with both of two parallel Human Input forms submitted, the run "
                            "reaches workflow_finished within 15 s, never left paused (§12.10; "
                            "dify#42103, #42107)",
                            "no workflow_finished (the stream %s, bound %.0f s); events: %s",
                            hitl_stream_end_name(s.end), VARIANT_BOUND_MS / 1000.0, seen))
                hitl_expect(ctx, !strcmp(st, "succeeded"),
                            "the run of two parallel submitted forms ends status succeeded "
                            "(§12.10; dify#42103)",
                            "status \"%s\"", st);
        }
        hitl_stream_free(&s);
    }
    for (size_t i = 0; i < n; i++) {
        free(tokens[i]);
        free(bodies[i]);
    }
    hitl_run_free(&run);
}

/* The `answer`s of the message events of |s| in [from, to), joined, into |out|; the number
 * of message events. */
static size_t answers_between(const hitl_stream *s, size_t from, size_t to, hitl_buf *out)
{
    size_t n = 0;
    for (size_t i = from; i < to && i < s->n_frames; i++) {
        cJSON *o = frame_json(s, i);
        const char *ev = jstr(o, "event"), *answer = jstr(o, "answer");
        if (ev && !strcmp(ev, "message") && answer) {
            hitl_buf_append_str(out, answer);
            n++;
        }
        cJSON_Delete(o);
    }
    return n;
}

static void answer_after_resume(hitl_check_ctx *ctx)
{
    const char *key = variant_key(ctx, hitl_chk_env(ctx)->ifelse_app_key, "chatflow-ifelse.yml",
                                  "--ifelse-api-key");
    hitl_run run;
    if (!key || hitl_flow_start_in(ctx, key, HITL_APP_CHATFLOW, &run) != HITL_OK) {
        if (key)
            hitl_run_free(&run);
        return;
    }
    /* chatflow-ifelse.yml: the query holds "hitlcheck", so the IF branch streams the Answer
     * "Reviewing: {{#sys.query#}}" before the pause and, after the approve, the Answer
     * "action: {{#approval_node.__action_id#}}\nfeedback: {{#approval_node.feedback#}}". */
    static const char intro[] = "Reviewing: " HITL_FLOW_CHAT_QUERY;
    static const char after[] = "action: approve\nfeedback: " VARIANT_FEEDBACK;
    hitl_buf before;
    hitl_buf_init(&before, 1u << 20);
    answers_between(&run.stream, 0, run.stream.n_frames, &before);
    hitl_expect(ctx, !strcmp(hitl_buf_str(&before), intro),
                "the Answer before the Human Input node streams its text before the pause "
                "(§12.11; dify#38525)",
                "the start stream's message events say \"%.200s\", the Answer renders \"%s\"",
                hitl_buf_str(&before), intro);
    hitl_buf_free(&before);
    cJSON *req = frame_json(&run.stream, run.required_index);
    char *body = variant_body(cJSON_GetObjectItemCaseSensitive(req, "data"), "approve", run.user);
    cJSON_Delete(req);
    if (!body) {
        hitl_check_error(ctx, "precondition: the form of the app of --ifelse-api-key has inputs "
                              "other than paragraphs: is it specs/dify-app/chatflow-ifelse.yml?");
        hitl_run_free(&run);
        return;
    }
    hitl_stream s;
    char *tokens[1] = {run.form_token}, *bodies[1] = {body};
    if (variant_resume(ctx, key, &run, tokens, bodies, 1, stop_after_message_end, &s) == 0) {
        char seen[512], st[32];
        hitl_flow_event_list(&s, seen, sizeof seen);
        size_t fin = finished_status(&s, st, sizeof st);
        size_t end = hitl_chk_find_event(&s, "message_end", 0);
        hitl_buf text;
        hitl_buf_init(&text, 1u << 20);
        size_t n = answers_between(&s, 0, end == SIZE_MAX ? s.n_frames : end, &text);
        if (hitl_expect(ctx, n > 0,
                        "after the resume the Answer node's text streams as message events "
                        "(§12.11; dify#38525, #38432)",
                        "no message event after the submit; events: %s", seen) &&
            hitl_expect(ctx, end != SIZE_MAX,
                        "message_end follows the resumed answer (§12.11; dify#38432)",
                        "no message_end (the stream %s, bound %.0f s); events: %s",
                        hitl_stream_end_name(s.end), VARIANT_BOUND_MS / 1000.0, seen))
            hitl_expect(ctx, !strcmp(hitl_buf_str(&text), after),
                        "the resumed answer is what the Answer node renders with the submitted "
                        "values (§12.11; dify#38432)",
                        "message events say \"%.200s\", the Answer renders \"%s\"",
                        hitl_buf_str(&text), after);
        hitl_expect(ctx, fin != SIZE_MAX && !strcmp(st, "succeeded"),
                    "the resumed Chatflow run ends workflow_finished status succeeded (§12.11)",
                    "%s%s; events: %s", fin == SIZE_MAX ? "no workflow_finished" : "status ",
                    fin == SIZE_MAX ? "" : st, seen);
        hitl_buf_free(&text);
    }
    hitl_stream_free(&s);
    free(body);
    hitl_run_free(&run);
}

static const hitl_check_impl CHECKS[] = {
    {"regress.first-submit.not-412", first_submit_not_412},
    {"regress.get-after-pause.no-delay", get_after_pause},
    {"regress.resumed.succeeded", finished_succeeded},
    {"regress.resume-stream.closes", resume_closes},
    {"regress.filled.before-node-finished", filled_before_node_finished},
    {"regress.required.complete", required_complete},
    {"regress.timeout.event", timeout_event},
    {"regress.timeout.branch", timeout_branch},
    {"regress.one-run.original-id", one_run},
    {"regress.form-content.rendered", form_content_rendered},
    {"regress.parallel.both-complete", parallel_both_complete},
    {"regress.chatflow.answer-after-resume", answer_after_resume},
};

HITL_CHECK_TABLE(regress, CHECKS)
