/* stream.c: checks of the start stream and the human_input_required event (§2, §3;
 * §2). Each starts its own run through the Service API. */
#include "expect_body.h"
#include "run_env.h"

#include "hitl/checks.h"
#include "hitl/flow.h"
#include "hitl/form.h"
#include "hitl/json.h"
#include "hitl/target.h"
#include "hitl/url.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* §1.4.6: a value the client sends back in a URL is one short segment. Expects the string
 * |v| (named |what|) to pass hitl_url_value_check; |nul| says its JSON text held a NUL,
 * which may have cut it short. */
static bool expect_url_safe(hitl_check_ctx *ctx, const cJSON *v, bool nul, const char *what)
{
    if (!cJSON_IsString(v))
        return true; /* its type is another expectation's */
    hitl_err why = {0};
    if (nul)
        hitl_err_set(&why, HITL_E_INVALID,
                     "comes from an event holding a NUL (a raw byte or "
                     "\\u0000), which may have cut it short");
    else
        hitl_url_value_check(v->valuestring, &why);
    char exp[256];
    snprintf(exp, sizeof exp,
             "%s is a value a client can send back in a URL: at most %u bytes, no control "
             "byte, no '/' or '\\', not a dot segment (§1.4.6)",
             what, HITL_URL_VALUE_MAX);
    return hitl_expect(ctx, why.code == HITL_OK, exp, "%s %s (refused: never put in a URL)", what,
                       why.msg);
}

/* §2.3.1: the start stream is text/event-stream. */
static void content_type(hitl_check_ctx *ctx)
{
    hitl_run run;
    if (hitl_flow_start(ctx, &run) == HITL_OK) {
        const char *ct = hitl_http_header_get(&run.stream.resp, "Content-Type");
        hitl_expect(ctx, ct && !strncmp(ct, "text/event-stream", 17),
                    "Content-Type: text/event-stream (§2)", "Content-Type: %s", ct ? ct : "(none)");
    }
    hitl_run_free(&run);
}

/* §2.3.2: JSON events are `data: <json>` frames with no `event:` field; pings are
 * `event: ping` frames with no data. */
static void frame_format(hitl_check_ctx *ctx)
{
    hitl_run run;
    if (hitl_flow_start(ctx, &run) == HITL_OK) {
        for (size_t i = 0; i < run.stream.n_frames; i++) {
            const hitl_stream_frame *f = &run.stream.frames[i];
            if (!strcmp(f->type, "ping")) {
                if (!hitl_expect(ctx, f->data_len == 0, "`event: ping` frames carry no data (§2)",
                                 "frame %zu: ping with data \"%.80s\"", i, f->data))
                    break;
                continue;
            }
            cJSON *j = hitl_chk_frame_json(f);
            bool ok =
                hitl_expect(ctx, !strcmp(f->type, "message") && cJSON_IsObject(j),
                            "every other frame is `data: <JSON object>` with no event field (§2)",
                            "frame %zu: event type \"%s\", data \"%.120s\"", i, f->type, f->data);
            cJSON_Delete(j);
            if (!ok)
                break;
        }
    }
    hitl_run_free(&run);
}

/* §2.3.3, §2.3.4: human_input_required, then workflow_paused, and the stream then ends. */
static void pause_order(hitl_check_ctx *ctx)
{
    hitl_run run;
    if (hitl_flow_start(ctx, &run) == HITL_OK) {
        hitl_expect(ctx, run.paused_index != SIZE_MAX && run.paused_index > run.required_index,
                    "human_input_required, then workflow_paused (§2)",
                    "human_input_required at frame %zu, workflow_paused at %s", run.required_index,
                    run.paused_index == SIZE_MAX ? "none" : "an earlier frame");
    }
    hitl_run_free(&run);
}

static void closes_after_pause(hitl_check_ctx *ctx)
{
    hitl_run run;
    hitl_flow_start_stream(ctx, NULL, HITL_CHK_CLOSE_GRACE_MS, &run);
    if (run.paused_index == SIZE_MAX) {
        hitl_check_error(ctx, "precondition: the start stream had no workflow_paused (%s: %s)",
                         hitl_stream_end_name(run.stream.end),
                         run.stream.error ? run.stream.error : "");
    } else {
        bool extra = false;
        for (size_t i = run.paused_index + 1; i < run.stream.n_frames; i++)
            if (strcmp(run.stream.frames[i].type, "ping"))
                extra = true;
        hitl_expect(
            ctx, run.stream.end == HITL_STREAM_CLOSED && !extra,
            "the start stream ends after workflow_paused (within 5 s, no further events) (§2)",
            "%s",
            run.stream.still_open ? "the stream was still open 5 s after workflow_paused"
            : extra               ? "events followed workflow_paused"
                                  : hitl_stream_end_name(run.stream.end));
    }
    hitl_run_free(&run);
}

static const cJSON *data_of(const cJSON *root)
{
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "data");
    return cJSON_IsObject(d) ? d : NULL;
}

/* §2.1.1: every field of human_input_required.data with its type. */
/* Starts a run without requiring a usable token: for checks of the event itself. */
static int start_for_event(hitl_check_ctx *ctx, hitl_run *run)
{
    hitl_flow_start_stream(ctx, NULL, 0, run);
    if (run->required_index != SIZE_MAX)
        return HITL_OK;
    hitl_check_error(ctx, "precondition: the start stream had no human_input_required (%s%s%s)",
                     hitl_stream_end_name(run->stream.end), run->stream.error ? ": " : "",
                     run->stream.error ? run->stream.error : "");
    return HITL_E_STATE;
}

static void required_fields(hitl_check_ctx *ctx)
{
    hitl_run run;
    if (start_for_event(ctx, &run) == HITL_OK) {
        cJSON *root = hitl_chk_frame_json(&run.stream.frames[run.required_index]);
        const cJSON *d = data_of(root);
        struct {
            const char *key;
            cJSON_bool (*is)(const cJSON *);
            const char *type;
        } fields[] = {{"form_id", cJSON_IsString, "string"},
                      {"node_id", cJSON_IsString, "string"},
                      {"node_title", cJSON_IsString, "string"},
                      {"form_content", cJSON_IsString, "string"},
                      {"inputs", cJSON_IsArray, "array"},
                      {"actions", cJSON_IsArray, "array"},
                      {"display_in_ui", cJSON_IsBool, "boolean"},
                      {"resolved_default_values", cJSON_IsObject, "object"},
                      {"expiration_time", cJSON_IsNumber, "integer"}};
        if (hitl_expect(ctx, d != NULL, "human_input_required has a `data` object (§2.1)",
                        "no data object")) {
            for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
                const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, fields[i].key);
                char exp[128];
                snprintf(exp, sizeof exp, "data.%s is a %s (§2.1)", fields[i].key, fields[i].type);
                hitl_expect(ctx, v && fields[i].is(v), exp, "data.%s is %s", fields[i].key,
                            !v ? "missing" : "of another type");
            }
            const cJSON *tok = cJSON_GetObjectItemCaseSensitive(d, "form_token");
            hitl_expect(ctx, cJSON_IsString(tok) || cJSON_IsNull(tok),
                        "data.form_token is a string or null (§2.1)", "data.form_token is %s",
                        tok ? "of another type" : "missing");
            const hitl_stream_frame *f = &run.stream.frames[run.required_index];
            expect_url_safe(ctx, tok, hitl_json_text_has_nul(f->data, f->data_len),
                            "data.form_token");
            const cJSON *exp = cJSON_GetObjectItemCaseSensitive(d, "expiration_time");
            if (cJSON_IsNumber(exp))
                hitl_expect(ctx, exp->valuedouble > (double)hitl_chk_now(),
                            "data.expiration_time lies in the future (§2.1.1)",
                            "expiration_time %.0f, now %lld", exp->valuedouble, hitl_chk_now());
        }
        cJSON_Delete(root);
    }
    hitl_run_free(&run);
}

/* Whether a Chatflow event carries workflow_run_id: the workflow, node, iteration, loop
 * and human-input events do; the chat events (message, message_end, message_replace,
 * message_file, tts_*), like error, do not (dify-B §1:
 * api/core/app/apps/advanced_chat/generate_response_converter.py
 * @00d1c45518c8009543feb726d7de5f78ea02a61b builds {event, conversation_id, message_id,
 * created_at} + the response's own fields; api/core/app/entities/task_entities.py
 * @0d0cc912ce163437c04f4cf636cf2ae7aa5b60d8: MessageStreamResponse and its siblings have no
 * workflow_run_id). */
static bool chatflow_has_run_id(const char *event)
{
    static const char *const prefixes[] = {"workflow_", "node_", "iteration_", "loop_",
                                           "human_input_"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (!strncmp(event, prefixes[i], strlen(prefixes[i])))
            return true;
    return false;
}

/* §2.3.5: the envelope of every event of the start stream. A Workflow event has `event`,
 * `task_id` and `workflow_run_id`. A Chatflow event has `event`, `conversation_id`,
 * `message_id` and `created_at`, `task_id`, and `workflow_run_id` only when it is a
 * workflow, node or human-input event (chatflow_has_run_id). An error frame has no
 * task_id (§2). §1.4.6: `task_id` and `workflow_run_id`, which a client puts into the
 * resume URL, are values fit for one. */
static void envelope_fields(hitl_check_ctx *ctx)
{
    hitl_run run;
    bool chat = hitl_ctx_target(ctx)->app_mode == HITL_APP_CHATFLOW;
    if (start_for_event(ctx, &run) == HITL_OK) {
        for (size_t i = 0; i < run.stream.n_frames && !hitl_check_done(ctx); i++) {
            const hitl_stream_frame *f = &run.stream.frames[i];
            if (!strcmp(f->type, "ping"))
                continue;
            cJSON *j = hitl_chk_frame_json(f);
            const cJSON *ev = cJSON_GetObjectItemCaseSensitive(j, "event");
            const char *name = cJSON_IsString(ev) ? ev->valuestring : "";
            bool is_error = !strcmp(name, "error");
            const char *need[6];
            size_t n_need = 0;
            need[n_need++] = "event";
            if (!is_error)
                need[n_need++] = "task_id";
            if (chat) {
                need[n_need++] = "conversation_id";
                need[n_need++] = "message_id";
                need[n_need++] = "created_at";
                if (chatflow_has_run_id(name))
                    need[n_need++] = "workflow_run_id";
            } else if (!is_error) {
                need[n_need++] = "workflow_run_id";
            }
            for (size_t k = 0; k < n_need; k++) {
                char exp[256];
                const char *kind = !chat ? "Workflow"
                                   : strcmp(need[k], "workflow_run_id")
                                       ? "Chatflow"
                                       : "Chatflow workflow, node or human-input";
                snprintf(exp, sizeof exp, "every %s event has top-level `%s` (§2.3.5)", kind,
                         need[k]);
                if (!hitl_expect(ctx, cJSON_GetObjectItemCaseSensitive(j, need[k]) != NULL, exp,
                                 "frame %zu (%s) has no `%s`", i, name[0] ? name : "?", need[k]))
                    break;
            }
            bool nul = hitl_json_text_has_nul(f->data, f->data_len);
            static const char *const ids[] = {"task_id", "workflow_run_id"};
            for (size_t k = 0; k < 2 && !hitl_check_done(ctx); k++) {
                char what[96];
                snprintf(what, sizeof what, "frame %zu (%s): `%s`", i, name[0] ? name : "?",
                         ids[k]);
                expect_url_safe(ctx, cJSON_GetObjectItemCaseSensitive(j, ids[k]), nul, what);
            }
            cJSON_Delete(j);
        }
    }
    hitl_run_free(&run);
}

/* §2.2.1: the pause reason repeats the form's id, token and expiration. */
static void paused_reasons(hitl_check_ctx *ctx)
{
    hitl_run run;
    if (hitl_flow_start(ctx, &run) == HITL_OK) {
        if (run.paused_index == SIZE_MAX) {
            hitl_check_fail(ctx, "workflow_paused follows human_input_required (§2)",
                            "no workflow_paused");
        } else {
            cJSON *root = hitl_chk_frame_json(&run.stream.frames[run.paused_index]);
            const cJSON *reasons = cJSON_GetObjectItemCaseSensitive(data_of(root), "reasons");
            const cJSON *match = NULL, *r;
            cJSON_ArrayForEach(r, reasons)
            {
                const cJSON *type = cJSON_GetObjectItemCaseSensitive(r, "TYPE");
                const cJSON *fid = cJSON_GetObjectItemCaseSensitive(r, "form_id");
                if (cJSON_IsString(type) && !strcmp(type->valuestring, "human_input_required") &&
                    cJSON_IsString(fid) && run.form_id && !strcmp(fid->valuestring, run.form_id))
                    match = r;
            }
            if (hitl_expect(
                    ctx, match != NULL,
                    "workflow_paused.data.reasons has a human_input_required reason with the "
                    "event's form_id (§2.2.1)",
                    "no such reason among %d", cJSON_GetArraySize(reasons))) {
                const cJSON *tok = cJSON_GetObjectItemCaseSensitive(match, "form_token");
                const cJSON *exp = cJSON_GetObjectItemCaseSensitive(match, "expiration_time");
                hitl_expect(ctx, cJSON_IsString(tok) && !strcmp(tok->valuestring, run.form_token),
                            "the reason's form_token equals the event's (§2.2.1)", "form_token %s",
                            cJSON_IsString(tok) ? tok->valuestring : "missing");
                int64_t rexp = 0;
                hitl_expect(
                    ctx, hitl_json_int64(exp, &rexp) == HITL_JSON_OK && rexp == run.expiration_time,
                    "the reason's expiration_time equals the event's (§2.2.1)",
                    "expiration_time %.0f, event %lld",
                    cJSON_IsNumber(exp) ? exp->valuedouble : -1.0, (long long)run.expiration_time);
            }
            cJSON_Delete(root);
        }
    }
    hitl_run_free(&run);
}

/* §2.2.2: a run invoked through the Service API pauses with outputs == {}. */
static void paused_outputs_empty(hitl_check_ctx *ctx)
{
    hitl_run run;
    if (hitl_flow_start(ctx, &run) == HITL_OK && run.paused_index != SIZE_MAX) {
        cJSON *root = hitl_chk_frame_json(&run.stream.frames[run.paused_index]);
        const cJSON *outputs = cJSON_GetObjectItemCaseSensitive(data_of(root), "outputs");
        if (!outputs)
            hitl_check_skip(ctx, "workflow_paused.data has no `outputs` (the docs' short Workflow "
                                 "example omits it)");
        else
            hitl_expect(ctx, cJSON_IsObject(outputs) && outputs->child == NULL,
                        "workflow_paused.data.outputs == {} on a Service API run (§2.2.2)",
                        "outputs is %s",
                        cJSON_IsObject(outputs) ? "a non-empty object" : "not an object");
        cJSON_Delete(root);
    } else if (!hitl_check_done(ctx)) {
        hitl_check_fail(ctx, "workflow_paused follows human_input_required (§2)",
                        "no workflow_paused");
    }
    hitl_run_free(&run);
}

/* §2.1.2 (and §4.2): the event's form validates: action ids, button styles, inputs. */
static void required_form_valid(hitl_check_ctx *ctx)
{
    hitl_run run;
    if (hitl_flow_start(ctx, &run) == HITL_OK) {
        const hitl_form *f = run.form;
        hitl_expect(ctx, f->n_problems == 0,
                    "the event's form passes §4.2 (action id pattern and length, button_style, "
                    "input shapes, unique names)",
                    "%zu problems; first: %s: %s", f->n_problems,
                    f->n_problems ? f->problems[0].path : "",
                    f->n_problems ? f->problems[0].message : "");
    }
    hitl_run_free(&run);
}

/* §2.2.3 (SHOULD): blocking mode returns the pause. */
static void blocking_paused(hitl_check_ctx *ctx)
{
    const hitl_target *t = hitl_ctx_target(ctx);
    cJSON *body = cJSON_CreateObject();
    cJSON *inputs = cJSON_Parse(t->inputs_json);
    cJSON_AddItemToObject(body, "inputs", inputs ? inputs : cJSON_CreateObject());
    cJSON_AddStringToObject(body, "response_mode", "blocking");
    cJSON_AddStringToObject(body, "user", t->user);
    bool chat = t->app_mode == HITL_APP_CHATFLOW;
    if (chat)
        cJSON_AddStringToObject(body, "query", HITL_FLOW_CHAT_QUERY);
    char *json = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    hitl_call call = {.method = "POST",
                      .surface = HITL_SURFACE_SERVICE,
                      .path = chat ? "/chat-messages" : "/workflows/run",
                      .json = json,
                      .timeout_ms = t->max_wait_s * 1000L};
    hitl_http_response resp;
    if (hitl_flow_call(ctx, &call, &resp) == HITL_OK &&
        hitl_expect_status(ctx, &resp, 200,
                           "a blocking-mode run answers when it pauses (§2.2.3)")) {
        cJSON *root = hitl_chk_expect_json_object(ctx, &resp, "the blocking response");
        const cJSON *d = data_of(root);
        if (chat) {
            const cJSON *ev = cJSON_GetObjectItemCaseSensitive(root, "event");
            hitl_expect(
                ctx, cJSON_IsString(ev) && !strcmp(ev->valuestring, "workflow_paused") && d,
                "Chatflow blocking answer: event \"workflow_paused\" with data.reasons (§2)",
                "event %s", cJSON_IsString(ev) ? ev->valuestring : "missing");
        } else if (root) {
            const cJSON *st = cJSON_GetObjectItemCaseSensitive(d, "status");
            const cJSON *pn = cJSON_GetObjectItemCaseSensitive(d, "paused_nodes");
            hitl_expect(
                ctx, cJSON_IsString(st) && !strcmp(st->valuestring, "paused") && cJSON_IsArray(pn),
                "Workflow blocking answer: data.status \"paused\" and data.paused_nodes (§2.2.3)",
                "data.status %s", cJSON_IsString(st) ? st->valuestring : "missing");
        }
        const cJSON *reasons = cJSON_GetObjectItemCaseSensitive(d, "reasons");
        const cJSON *r0 = cJSON_GetArrayItem(reasons, 0);
        hitl_expect(ctx, cJSON_IsString(cJSON_GetObjectItemCaseSensitive(r0, "form_id")),
                    "data.reasons[0].form_id is a string (§2.2.3)", "reasons[0] %s",
                    r0 ? "has no string form_id" : "is missing");
        const cJSON *tok = cJSON_GetObjectItemCaseSensitive(r0, "form_token");
        if (cJSON_IsString(tok))
            hitl_ctx_secret(ctx, tok->valuestring, "form-token");
        cJSON_Delete(root);
    }
    hitl_http_response_free(&resp);
    free(json);
}

static const hitl_check_impl CHECKS[] = {
    {"stream.start.content-type", content_type},
    {"stream.start.frame-format", frame_format},
    {"stream.pause.order", pause_order},
    {"stream.pause.closes", closes_after_pause},
    {"stream.required.fields", required_fields},
    {"stream.required.form-valid", required_form_valid},
    {"stream.envelope.fields", envelope_fields},
    {"stream.paused.reasons", paused_reasons},
    {"stream.paused.outputs-empty", paused_outputs_empty},
    {"stream.blocking.paused", blocking_paused},
};

HITL_CHECK_TABLE(stream, CHECKS)
