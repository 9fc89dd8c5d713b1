/* test_event.c: decoding Dify stream events (event.c). Every frame of every published
 * stream in tests/data/sse decodes to the expected kind and envelope; payload fields,
 * ping, flat error frames, unknown events and malformed frames each have their own case.
 * Frames are split here with a minimal splitter (the files hold only `data:`/`event:`
 * lines and blank-line separators), so this suite does not depend on sse.c. */
#include "hitl/event.h"

#include "check_main.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EVENTS_DIR HITL_SOURCE_DIR "/tests/data/sse/"

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    char *buf = malloc(1 << 20);
    ck_assert_ptr_nonnull(buf);
    *len = fread(buf, 1, (1 << 20) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

typedef struct frame {
    char type[32];
    char *data;
    size_t data_len;
} frame;

/* Splits |text| at blank lines; `event: X` sets the type, `data: X` lines are joined with LF. */
static size_t split_frames(char *text, frame *out, size_t max)
{
    size_t n = 0;
    char *p = text;
    while (*p && n < max) {
        char *end = strstr(p, "\n\n");
        if (!end)
            end = p + strlen(p);
        frame *f = &out[n];
        strcpy(f->type, "message");
        f->data = malloc((size_t)(end - p) + 1);
        f->data_len = 0;
        bool any = false;
        for (char *line = p; line < end;) {
            char *nl = memchr(line, '\n', (size_t)(end - line));
            char *le = nl ? nl : end;
            if (!strncmp(line, "data: ", 6)) {
                if (f->data_len)
                    f->data[f->data_len++] = '\n';
                memcpy(f->data + f->data_len, line + 6, (size_t)(le - line - 6));
                f->data_len += (size_t)(le - line - 6);
                any = true;
            } else if (!strncmp(line, "event: ", 7)) {
                snprintf(f->type, sizeof f->type, "%.*s", (int)(le - line - 7), line + 7);
                any = true;
            }
            line = le + 1;
        }
        f->data[f->data_len] = '\0';
        if (any)
            n++;
        else
            free(f->data);
        p = *end ? end + 2 : end;
    }
    return n;
}

static void decode_ok(const char *type, const char *data, hitl_event *ev)
{
    hitl_err err = {0};
    int rc = hitl_event_decode(type, strlen(type), data, strlen(data), ev, &err);
    ck_assert_msg(rc == HITL_OK, "decode failed (%d): %s", rc, err.msg);
}

/* ---- every published stream ---- */

static const struct stream_case {
    const char *file;
    const char *kinds;     /* comma-separated kind names, in order */
    const char *envelopes; /* per frame: C = Chatflow envelope, t = task_id + workflow_run_id, - */
} STREAMS[] = {
    {"docs_chat_messages_humaninputpause__pr783.sse",
     "workflow_started,human_input_required,workflow_paused", "ttt"},
    {"docs_chat_messages_humaninputpause__v1_14.sse",
     "workflow_started,human_input_required,workflow_paused", "ttt"},
    {"docs_chat_messages_humaninputpause__v1_15.sse",
     "workflow_started,human_input_required,workflow_paused", "CCC"},
    {"docs_chat_messages_streamingresponseagent__v1_16.sse",
     "agent_thought,message_file,agent_message,message_end", "CCC-"},
    {"docs_chat_messages_streamingresponsebasic__v1_14.sse", "message,message_end", "C-"},
    {"docs_chat_messages_streamingresponsebasic__v1_15.sse", "message,message_end", "CC"},
    {"docs_chat_messages_streamingresponseworkflow__v1_14.sse",
     "workflow_started,node_started,message,node_finished,message_end,workflow_finished", "ttCt-t"},
    {"docs_chat_messages_streamingresponseworkflow__v1_15.sse",
     "workflow_started,node_started,reasoning_chunk,reasoning_chunk,message,node_finished,"
     "message_end,workflow_finished",
     "CCCCCCCC"},
    {"docs_workflow_events_resumedrun__v1_15.sse",
     "human_input_form_filled,node_started,reasoning_chunk,reasoning_chunk,text_chunk,"
     "workflow_finished",
     "tttttt"},
    {"docs_workflow_events_resumedrun__v1_15_chatflow.sse",
     "human_input_form_filled,node_started,reasoning_chunk,reasoning_chunk,message,node_finished,"
     "message_end,workflow_finished",
     "CCCCCCCC"},
    {"docs_workflow_events_resumedrun__v1_16.sse",
     "human_input_form_filled,node_started,reasoning_chunk,reasoning_chunk,text_chunk,"
     "workflow_finished",
     "tttttt"},
    {"docs_workflow_events_resumedrunchatflow__v1_16.sse",
     "human_input_form_filled,node_started,reasoning_chunk,reasoning_chunk,message,node_finished,"
     "message_end,workflow_finished",
     "CCCCCCCC"},
    {"docs_workflow_run_humaninputpause__pr783.sse",
     "workflow_started,human_input_required,workflow_paused", "ttt"},
    {"docs_workflow_run_humaninputpause__v1_14.sse",
     "workflow_started,human_input_required,workflow_paused", "ttt"},
    {"docs_workflow_run_streamingresponse__v1_14.sse",
     "workflow_started,node_started,text_chunk,workflow_finished", "tttt"},
    {"docs_workflow_run_streamingresponse__v1_15.sse",
     "workflow_started,node_started,reasoning_chunk,reasoning_chunk,text_chunk,workflow_finished",
     "tttttt"},
};

START_TEST(every_frame_of_published_stream_decodes)
{
    const struct stream_case *c = &STREAMS[_i];
    char path[512];
    snprintf(path, sizeof path, EVENTS_DIR "%s", c->file);
    size_t len = 0;
    char *text = read_file(path, &len);
    frame frames[32];
    size_t n = split_frames(text, frames, 32);
    char kinds[1024] = "", env[64] = "";
    for (size_t i = 0; i < n; i++) {
        hitl_event ev;
        hitl_err err = {0};
        int rc = hitl_event_decode(frames[i].type, strlen(frames[i].type), frames[i].data,
                                   frames[i].data_len, &ev, &err);
        ck_assert_msg(rc == HITL_OK, "%s frame %zu: %s", c->file, i, err.msg);
        ck_assert_int_ne(ev.kind, HITL_EV_UNKNOWN);
        ck_assert_str_eq(hitl_event_kind_name(ev.kind), ev.name);
        strcat(kinds, i ? "," : "");
        strcat(kinds, hitl_event_kind_name(ev.kind));
        strcat(env, hitl_event_is_chatflow(&ev) ? "C"
                    : ev.task_id.state == HITL_JSON_OK && ev.workflow_run_id.state == HITL_JSON_OK
                        ? "t"
                        : "-");
        if (ev.kind == HITL_EV_HUMAN_INPUT_REQUIRED) {
            ck_assert_ptr_nonnull(ev.form);
            ck_assert_msg(ev.form->n_problems == 0, "%s: %s: %s", c->file,
                          ev.form->n_problems ? ev.form->problems[0].path : "",
                          ev.form->n_problems ? ev.form->problems[0].message : "");
            ck_assert_str_eq(ev.form->form_token, "tok_abc123");
        }
        hitl_event_clear(&ev);
        free(frames[i].data);
    }
    ck_assert_str_eq(kinds, c->kinds);
    ck_assert_str_eq(env, c->envelopes);
    free(text);
}
END_TEST

/* ---- envelopes ---- */

static const char REQUIRED_WORKFLOW[] =
    "{\"event\": \"human_input_required\", \"task_id\": \"c3800678\", \"workflow_run_id\": "
    "\"fb47b2e6\", \"data\": {\"form_id\": \"a1b2\", \"form_token\": \"tok_abc123\", \"node_id\": "
    "\"approval_node\", \"node_title\": \"Approval\", \"form_content\": \"Please review the "
    "draft.\", \"inputs\": [{\"type\": \"paragraph\", \"output_variable_name\": \"comment\", "
    "\"default\": null}], \"actions\": [{\"id\": \"approve\", \"title\": \"Approve\", "
    "\"button_style\": \"primary\"}], \"display_in_ui\": false, \"resolved_default_values\": "
    "{\"comment\": \"\"}, \"expiration_time\": 1705494029}}";

START_TEST(workflow_envelope_has_no_chatflow_fields)
{
    hitl_event ev;
    decode_ok("message", REQUIRED_WORKFLOW, &ev);
    ck_assert_int_eq(ev.kind, HITL_EV_HUMAN_INPUT_REQUIRED);
    ck_assert_str_eq(ev.sse_type, "message");
    ck_assert_str_eq(ev.task_id.value, "c3800678");
    ck_assert_str_eq(ev.workflow_run_id.value, "fb47b2e6");
    ck_assert_int_eq(ev.conversation_id.state, HITL_JSON_ABSENT);
    ck_assert_ptr_null(ev.conversation_id.value);
    ck_assert_int_eq(ev.message_id.state, HITL_JSON_ABSENT);
    ck_assert_int_eq(ev.created_at_state, HITL_JSON_ABSENT);
    ck_assert(!hitl_event_is_chatflow(&ev));
    /* Every §2.1 field, typed through the form model. */
    const hitl_form *f = ev.form;
    ck_assert_int_eq(f->kind, HITL_FORM_EVENT);
    ck_assert_str_eq(f->form_id, "a1b2");
    ck_assert_str_eq(f->node_id, "approval_node");
    ck_assert_str_eq(f->node_title, "Approval");
    ck_assert_str_eq(f->form_content, "Please review the draft.");
    ck_assert_uint_eq(f->n_inputs, 1);
    ck_assert_str_eq(f->actions[0].id, "approve");
    ck_assert_int_eq(f->display_in_ui_state, HITL_JSON_OK);
    ck_assert(!f->display_in_ui);
    ck_assert_str_eq(f->form_token, "tok_abc123");
    ck_assert_str_eq(f->default_values[0].name, "comment");
    ck_assert_int_eq(f->expiration_time, 1705494029);
    ck_assert_ptr_nonnull(ev.json);
    ck_assert_ptr_nonnull(cJSON_GetObjectItemCaseSensitive(ev.data, "form_id"));
    hitl_event_clear(&ev);
}
END_TEST

START_TEST(chatflow_envelope_fields_are_typed)
{
    hitl_event ev;
    decode_ok("message",
              "{\"event\": \"node_started\", \"task_id\": \"t\", \"message_id\": \"m\", "
              "\"conversation_id\": \"c\", \"created_at\": 1705407705, \"workflow_run_id\": \"r\", "
              "\"data\": {\"id\": \"ne_2\", \"node_id\": \"node_llm_1\", \"node_type\": \"llm\", "
              "\"title\": \"LLM\", \"index\": 2}}",
              &ev);
    ck_assert(hitl_event_is_chatflow(&ev));
    ck_assert_str_eq(ev.conversation_id.value, "c");
    ck_assert_str_eq(ev.message_id.value, "m");
    ck_assert_int_eq(ev.created_at, 1705407705);
    ck_assert_str_eq(ev.node.id, "ne_2");
    ck_assert_str_eq(ev.node.node_id, "node_llm_1");
    ck_assert_str_eq(ev.node.node_type, "llm");
    ck_assert_str_eq(ev.node.title, "LLM");
    ck_assert_ptr_null(ev.node.status);
    hitl_event_clear(&ev);
}
END_TEST

START_TEST(mistyped_envelope_fields_are_reported_as_such)
{
    hitl_event ev;
    decode_ok("message",
              "{\"event\":\"message\",\"task_id\":7,\"message_id\":null,\"conversation_id\":\"c\","
              "\"created_at\":\"1705407705\",\"workflow_run_id\":[]}",
              &ev);
    ck_assert_int_eq(ev.task_id.state, HITL_JSON_WRONG_TYPE);
    ck_assert_ptr_null(ev.task_id.value);
    ck_assert_int_eq(ev.message_id.state, HITL_JSON_NULL);
    ck_assert_int_eq(ev.workflow_run_id.state, HITL_JSON_WRONG_TYPE);
    ck_assert_int_eq(ev.created_at_state, HITL_JSON_WRONG_TYPE);
    ck_assert(!hitl_event_is_chatflow(&ev));
    hitl_event_clear(&ev);
}
END_TEST

/* ---- payloads ---- */

START_TEST(workflow_paused_with_reasons)
{
    size_t len = 0;
    char *text = read_file(EVENTS_DIR "docs_chat_messages_humaninputpause__v1_15.sse", &len);
    frame frames[8];
    size_t n = split_frames(text, frames, 8);
    ck_assert_uint_eq(n, 3);
    hitl_event ev;
    decode_ok(frames[2].type, frames[2].data, &ev);
    ck_assert_int_eq(ev.kind, HITL_EV_WORKFLOW_PAUSED);
    ck_assert_str_eq(ev.paused.workflow_run_id, "fb47b2e6-5e43-4f90-be01-d5c5a088d156");
    ck_assert_str_eq(ev.paused.status, "paused");
    ck_assert(cJSON_IsObject(ev.paused.outputs));
    ck_assert_ptr_null(ev.paused.outputs->child);
    ck_assert(ev.paused.has_paused_nodes);
    ck_assert_uint_eq(ev.paused.n_paused_nodes, 1);
    ck_assert_str_eq(ev.paused.paused_nodes[0], "approval_node");
    ck_assert_uint_eq(ev.paused.n_reasons, 1);
    const hitl_pause_reason *r = &ev.paused.reasons[0];
    ck_assert_str_eq(r->type, "human_input_required");
    ck_assert_str_eq(r->form_id, "a1b2c3d4-e5f6-7890-abcd-ef1234567890");
    ck_assert_str_eq(r->node_id, "approval_node");
    ck_assert_int_eq(r->form_token.state, HITL_JSON_OK);
    ck_assert_str_eq(r->form_token.value, "tok_abc123");
    ck_assert_int_eq(r->expiration_state, HITL_JSON_OK);
    ck_assert_int_eq(r->expiration_time, 1705494029);
    ck_assert_ptr_nonnull(cJSON_GetObjectItemCaseSensitive(r->json, "inputs"));
    hitl_event_clear(&ev);
    for (size_t i = 0; i < n; i++)
        free(frames[i].data);
    free(text);
}
END_TEST

START_TEST(workflow_paused_short_docs_form_has_no_lists)
{
    hitl_event ev;
    decode_ok("message",
              "{\"event\": \"workflow_paused\", \"task_id\": \"t\", \"workflow_run_id\": \"r\", "
              "\"data\": {\"workflow_run_id\": \"r\", \"status\": \"paused\", \"created_at\": "
              "1705407629, \"elapsed_time\": 0.5}}",
              &ev);
    ck_assert(!ev.paused.has_paused_nodes);
    ck_assert(!ev.paused.has_reasons);
    ck_assert_uint_eq(ev.paused.n_reasons, 0);
    ck_assert_ptr_null(ev.paused.outputs);
    hitl_event_clear(&ev);
}
END_TEST

START_TEST(workflow_paused_reason_with_null_token)
{
    hitl_event ev;
    decode_ok("message",
              "{\"event\":\"workflow_paused\",\"data\":{\"paused_nodes\":[\"a\",3],"
              "\"reasons\":[{\"TYPE\":\"human_input_required\",\"form_id\":\"f\","
              "\"form_token\":null,\"expiration_time\":9007199254740993},7]}}",
              &ev);
    ck_assert_uint_eq(ev.paused.n_paused_nodes, 1);
    ck_assert_uint_eq(ev.paused.n_reasons, 2);
    ck_assert_int_eq(ev.paused.reasons[0].form_token.state, HITL_JSON_NULL);
    ck_assert_int_eq(ev.paused.reasons[0].expiration_state, HITL_JSON_INEXACT);
    ck_assert_ptr_null(ev.paused.reasons[1].type);
    ck_assert(cJSON_IsNumber(ev.paused.reasons[1].json));
    hitl_event_clear(&ev);
}
END_TEST

START_TEST(form_filled_with_and_without_submitted_data)
{
    hitl_event ev;
    decode_ok("message",
              "{\"event\": \"human_input_form_filled\", \"task_id\": \"t\", \"workflow_run_id\": "
              "\"r\", \"data\": {\"node_id\": \"approval_node\", \"node_title\": \"Approval\", "
              "\"rendered_content\": \"Please review the draft.\", \"action_id\": \"approve\", "
              "\"action_text\": \"Approve\", \"submitted_data\": {\"comment\": \"Looks good.\"}}}",
              &ev);
    ck_assert_int_eq(ev.kind, HITL_EV_HUMAN_INPUT_FORM_FILLED);
    ck_assert_str_eq(ev.filled.node_id, "approval_node");
    ck_assert_str_eq(ev.filled.node_title, "Approval");
    ck_assert_str_eq(ev.filled.rendered_content, "Please review the draft.");
    ck_assert_str_eq(ev.filled.action_id, "approve");
    ck_assert_str_eq(ev.filled.action_text, "Approve");
    ck_assert_str_eq(
        cJSON_GetObjectItemCaseSensitive(ev.filled.submitted_data, "comment")->valuestring,
        "Looks good.");
    hitl_event_clear(&ev);
    decode_ok("message", "{\"event\":\"human_input_form_filled\",\"data\":{\"action_id\":\"x\"}}",
              &ev);
    ck_assert_ptr_null(ev.filled.submitted_data);
    ck_assert_ptr_null(ev.filled.action_text);
    hitl_event_clear(&ev);
}
END_TEST

START_TEST(form_timeout_fields)
{
    hitl_event ev;
    decode_ok("message",
              "{\"event\":\"human_input_form_timeout\",\"task_id\":\"t\","
              "\"workflow_run_id\":\"r\",\"data\":{\"node_id\":\"approval_node\","
              "\"node_title\":\"Approval\",\"expiration_time\":1705494029}}",
              &ev);
    ck_assert_int_eq(ev.kind, HITL_EV_HUMAN_INPUT_FORM_TIMEOUT);
    ck_assert_str_eq(ev.timeout.node_id, "approval_node");
    ck_assert_str_eq(ev.timeout.node_title, "Approval");
    ck_assert_int_eq(ev.timeout.expiration_state, HITL_JSON_OK);
    ck_assert_int_eq(ev.timeout.expiration_time, 1705494029);
    hitl_event_clear(&ev);
}
END_TEST

START_TEST(workflow_finished_status_outputs_and_action)
{
    hitl_event ev;
    decode_ok("message",
              "{\"event\": \"workflow_finished\", \"task_id\": \"t\", \"workflow_run_id\": \"r\", "
              "\"data\": {\"id\": \"r\", \"workflow_id\": \"w\", \"status\": \"succeeded\", "
              "\"outputs\": {\"result\": \"Bonjour\"}, \"elapsed_time\": 2.1}}",
              &ev);
    ck_assert_int_eq(ev.kind, HITL_EV_WORKFLOW_FINISHED);
    ck_assert_str_eq(ev.workflow.id, "r");
    ck_assert_str_eq(ev.workflow.workflow_id, "w");
    ck_assert_str_eq(ev.workflow.status, "succeeded");
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(ev.workflow.outputs, "result")->valuestring,
                     "Bonjour");
    ck_assert_ptr_null(ev.workflow.action);
    hitl_event_clear(&ev);
    decode_ok("message",
              "{\"event\":\"workflow_finished\",\"data\":{\"status\":\"stopped\","
              "\"outputs\":{\"action\":\"reject\"}}}",
              &ev);
    ck_assert_str_eq(ev.workflow.status, "stopped");
    ck_assert_str_eq(ev.workflow.action, "reject");
    hitl_event_clear(&ev);
}
END_TEST

START_TEST(error_frame_is_flat_without_task_id)
{
    hitl_event ev;
    decode_ok("message",
              "{\"event\":\"error\",\"workflow_run_id\":\"fb47\",\"status\":400,"
              "\"code\":\"invalid_param\",\"message\":\"bad input\"}",
              &ev);
    ck_assert_int_eq(ev.kind, HITL_EV_ERROR);
    ck_assert_int_eq(ev.error.status_state, HITL_JSON_OK);
    ck_assert_int_eq(ev.error.status, 400);
    ck_assert_str_eq(ev.error.code, "invalid_param");
    ck_assert_str_eq(ev.error.message, "bad input");
    ck_assert_int_eq(ev.task_id.state, HITL_JSON_ABSENT);
    ck_assert_str_eq(ev.workflow_run_id.value, "fb47");
    ck_assert_ptr_null(ev.data);
    hitl_event_clear(&ev);
}
END_TEST

START_TEST(ping_is_the_sse_type_with_or_without_data)
{
    hitl_event ev;
    hitl_err err = {0};
    ck_assert_int_eq(hitl_event_decode("ping", 4, NULL, 0, &ev, &err), HITL_OK);
    ck_assert_int_eq(ev.kind, HITL_EV_PING);
    ck_assert_str_eq(ev.name, "ping");
    ck_assert_ptr_null(ev.json);
    hitl_event_clear(&ev);
    ck_assert_int_eq(hitl_event_decode("ping", 4, "not json", 8, &ev, &err), HITL_OK);
    ck_assert_int_eq(ev.kind, HITL_EV_PING);
    hitl_event_clear(&ev);
    /* A JSON frame calling itself "ping" is not the keep-alive: it stays unknown. */
    decode_ok("message", "{\"event\":\"ping\"}", &ev);
    ck_assert_int_eq(ev.kind, HITL_EV_UNKNOWN);
    ck_assert_str_eq(ev.name, "ping");
    hitl_event_clear(&ev);
}
END_TEST

START_TEST(unknown_event_is_kept_with_its_name)
{
    hitl_event ev;
    decode_ok("message", "{\"event\":\"workflow_teleported\",\"task_id\":\"t\",\"data\":{\"x\":1}}",
              &ev);
    ck_assert_int_eq(ev.kind, HITL_EV_UNKNOWN);
    ck_assert_str_eq(ev.name, "workflow_teleported");
    ck_assert_str_eq(ev.task_id.value, "t");
    ck_assert_ptr_nonnull(ev.data);
    hitl_event_clear(&ev);
    /* A non-default SSE type is recorded, the data still decoded. */
    decode_ok("custom", "{\"event\":\"text_chunk\",\"data\":{\"text\":\"hi\"}}", &ev);
    ck_assert_int_eq(ev.kind, HITL_EV_TEXT_CHUNK);
    ck_assert_str_eq(ev.sse_type, "custom");
    hitl_event_clear(&ev);
}
END_TEST

START_TEST(human_input_required_with_bad_data_keeps_problems)
{
    hitl_event ev;
    decode_ok("message", "{\"event\":\"human_input_required\",\"data\":{\"form_id\":1}}", &ev);
    ck_assert_ptr_nonnull(ev.form);
    ck_assert_uint_eq(ev.form->n_problems, 10);
    ck_assert_str_eq(ev.form->problems[0].path, "$.form_id");
    ck_assert_str_eq(ev.form->problems[0].message, "must be a string, got number");
    hitl_event_clear(&ev);
    decode_ok("message", "{\"event\":\"human_input_required\",\"data\":[1]}", &ev);
    ck_assert_ptr_null(ev.form);
    ck_assert_ptr_null(ev.data);
    hitl_event_clear(&ev);
}
END_TEST

/* ---- malformed frames: errors that name the frame ---- */

static const struct bad_frame {
    const char *name;
    const char *type;
    const char *data;
    int rc;
    const char *msg;
} BAD[] = {
    {"truncated_json", "message", "{\"event\": \"workflow_started\", \"task_id\": \"c38",
     HITL_E_PARSE,
     "SSE event (type \"message\", data \"{\\\"event\\\": \\\"workflow_started\\\", "
     "\\\"task_id\\\": "
     "\\\"c38\"): not valid JSON: unterminated string at byte 45 of 45"},
    {"long_data_cut_at_60_bytes", "message",
     "{\"event\": \"workflow_started\", \"task_id\": \"c3800678-a077-43df-a102-53f23ed20b88\"",
     HITL_E_PARSE,
     "SSE event (type \"message\", data \"{\\\"event\\\": \\\"workflow_started\\\", "
     "\\\"task_id\\\": "
     "\\\"c3800678-a077-43df\"...): not valid JSON: unexpected end of the text at byte 79 of 79"},
    {"empty_data", "message", "", HITL_E_PARSE,
     "SSE event (type \"message\", data \"\"): not valid JSON: the text is empty"},
    {"not_an_object", "message", "[\"event\"]", HITL_E_INVALID,
     "SSE event (type \"message\", data \"[\\\"event\\\"]\"): the data is a JSON array, not an "
     "object"},
    {"no_event_key", "message", "{\"data\":{}}", HITL_E_INVALID,
     "SSE event (type \"message\", data \"{\\\"data\\\":{}}\"): the object has no \"event\" key"},
    {"event_not_string", "message", "{\"event\":3}", HITL_E_INVALID,
     "SSE event (type \"message\", data \"{\\\"event\\\":3}\"): the object has a non-string "
     "\"event\""},
    {"trailing_second_object", "message", "{\"event\":\"ping\"}\n{\"event\":\"x\"}", HITL_E_PARSE,
     "SSE event (type \"message\", data "
     "\"{\\\"event\\\":\\\"ping\\\"}\\n{\\\"event\\\":\\\"x\\\"}\"): "
     "not valid JSON: unexpected data after the value at byte 17 of 30"},
    {"control_bytes_escaped_in_message", "we\nird", "\x01{", HITL_E_PARSE,
     "SSE event (type \"we\\nird\", data \"\\u0001{\"): not valid JSON: unexpected character at "
     "byte 0 of 2"},
};

START_TEST(malformed_frame_error_names_the_frame)
{
    const struct bad_frame *b = &BAD[_i];
    hitl_event ev;
    hitl_err err = {0};
    int rc = hitl_event_decode(b->type, strlen(b->type), b->data, strlen(b->data), &ev, &err);
    ck_assert_msg(rc == b->rc, "%s: rc %d", b->name, rc);
    ck_assert_str_eq(err.msg, b->msg);
    ck_assert_ptr_null(ev.json);
    ck_assert_int_eq(ev.kind, HITL_EV_UNKNOWN);
    hitl_event_clear(&ev); /* safe on a failed decode */
}
END_TEST

START_TEST(nul_bytes_in_data_are_bounded_by_length)
{
    static const char data[] = "{\"event\":\"message\"}\0garbage";
    hitl_event ev;
    hitl_err err = {0};
    ck_assert_int_eq(hitl_event_decode("message", 7, data, sizeof data - 1, &ev, &err),
                     HITL_E_PARSE);
    ck_assert_ptr_nonnull(strstr(err.msg, "unexpected data after the value at byte 19 of 27"));
    ck_assert_int_eq(hitl_event_decode("message", 7, data, 19, &ev, &err), HITL_OK);
    ck_assert_int_eq(ev.kind, HITL_EV_MESSAGE);
    hitl_event_clear(&ev);
    hitl_event_clear(&ev);
}
END_TEST

START_TEST(kind_names_round_trip)
{
    for (int k = HITL_EV_WORKFLOW_STARTED; k <= HITL_EV_AGENT_MESSAGE; k++)
        ck_assert_int_eq(hitl_event_kind_from_name(hitl_event_kind_name((hitl_event_kind)k)), k);
    ck_assert_str_eq(hitl_event_kind_name(HITL_EV_PING), "ping");
    ck_assert_str_eq(hitl_event_kind_name(HITL_EV_UNKNOWN), "unknown");
    ck_assert_int_eq(hitl_event_kind_from_name("Workflow_Started"), HITL_EV_UNKNOWN);
}
END_TEST

static Suite *event_suite(void)
{
    Suite *s = suite_create("event");
    TCase *tc = tcase_create("published");
    tcase_add_loop_test(tc, every_frame_of_published_stream_decodes, 0,
                        (int)(sizeof STREAMS / sizeof STREAMS[0]));
    suite_add_tcase(s, tc);

    tc = tcase_create("envelope");
    tcase_add_test(tc, workflow_envelope_has_no_chatflow_fields);
    tcase_add_test(tc, chatflow_envelope_fields_are_typed);
    tcase_add_test(tc, mistyped_envelope_fields_are_reported_as_such);
    suite_add_tcase(s, tc);

    tc = tcase_create("payload");
    tcase_add_test(tc, workflow_paused_with_reasons);
    tcase_add_test(tc, workflow_paused_short_docs_form_has_no_lists);
    tcase_add_test(tc, workflow_paused_reason_with_null_token);
    tcase_add_test(tc, form_filled_with_and_without_submitted_data);
    tcase_add_test(tc, form_timeout_fields);
    tcase_add_test(tc, workflow_finished_status_outputs_and_action);
    tcase_add_test(tc, error_frame_is_flat_without_task_id);
    tcase_add_test(tc, ping_is_the_sse_type_with_or_without_data);
    tcase_add_test(tc, unknown_event_is_kept_with_its_name);
    tcase_add_test(tc, human_input_required_with_bad_data_keeps_problems);
    tcase_add_test(tc, kind_names_round_trip);
    suite_add_tcase(s, tc);

    tc = tcase_create("malformed");
    tcase_add_loop_test(tc, malformed_frame_error_names_the_frame, 0,
                        (int)(sizeof BAD / sizeof BAD[0]));
    tcase_add_test(tc, nul_bytes_in_data_are_bounded_by_length);
    suite_add_tcase(s, tc);
    return s;
}

HITL_CHECK_MAIN(event_suite)
