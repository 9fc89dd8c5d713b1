/* event.c: one SSE event of a Dify stream → hitl_event (§2, §9 of the contract). */
#include "hitl/event.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXCERPT_BYTES 60

static const struct {
    hitl_event_kind kind;
    const char *name;
} KINDS[] = {
    {HITL_EV_PING, "ping"},
    {HITL_EV_WORKFLOW_STARTED, "workflow_started"},
    {HITL_EV_WORKFLOW_FINISHED, "workflow_finished"},
    {HITL_EV_WORKFLOW_PAUSED, "workflow_paused"},
    {HITL_EV_NODE_STARTED, "node_started"},
    {HITL_EV_NODE_FINISHED, "node_finished"},
    {HITL_EV_NODE_RETRY, "node_retry"},
    {HITL_EV_ITERATION_STARTED, "iteration_started"},
    {HITL_EV_ITERATION_NEXT, "iteration_next"},
    {HITL_EV_ITERATION_COMPLETED, "iteration_completed"},
    {HITL_EV_LOOP_STARTED, "loop_started"},
    {HITL_EV_LOOP_NEXT, "loop_next"},
    {HITL_EV_LOOP_COMPLETED, "loop_completed"},
    {HITL_EV_REASONING_CHUNK, "reasoning_chunk"},
    {HITL_EV_TEXT_CHUNK, "text_chunk"},
    {HITL_EV_TTS_MESSAGE, "tts_message"},
    {HITL_EV_TTS_MESSAGE_END, "tts_message_end"},
    {HITL_EV_AGENT_LOG, "agent_log"},
    {HITL_EV_HUMAN_INPUT_REQUIRED, "human_input_required"},
    {HITL_EV_HUMAN_INPUT_FORM_FILLED, "human_input_form_filled"},
    {HITL_EV_HUMAN_INPUT_FORM_TIMEOUT, "human_input_form_timeout"},
    {HITL_EV_ERROR, "error"},
    {HITL_EV_MESSAGE, "message"},
    {HITL_EV_MESSAGE_END, "message_end"},
    {HITL_EV_MESSAGE_FILE, "message_file"},
    {HITL_EV_MESSAGE_REPLACE, "message_replace"},
    {HITL_EV_AGENT_THOUGHT, "agent_thought"},
    {HITL_EV_AGENT_MESSAGE, "agent_message"},
};

const char *hitl_event_kind_name(hitl_event_kind kind)
{
    for (size_t i = 0; i < sizeof KINDS / sizeof KINDS[0]; i++)
        if (KINDS[i].kind == kind)
            return KINDS[i].name;
    return "unknown";
}

hitl_event_kind hitl_event_kind_from_name(const char *name)
{
    /* "ping" is an SSE type, never a JSON frame's "event": such a frame stays UNKNOWN. */
    for (size_t i = 1; i < sizeof KINDS / sizeof KINDS[0]; i++)
        if (!strcmp(KINDS[i].name, name))
            return KINDS[i].kind;
    return HITL_EV_UNKNOWN;
}

void hitl_event_clear(hitl_event *ev)
{
    if (!ev)
        return;
    cJSON_Delete(ev->json);
    hitl_form_free(ev->form);
    free(ev->paused.paused_nodes);
    free(ev->paused.reasons);
    memset(ev, 0, sizeof *ev);
}

/* Sets err to "<what> in SSE event (type "<t>", data "<first bytes>"): <detail>" so a
 * failure can be traced to the frame that caused it. */
static int frame_error(hitl_err *err, int code, const hitl_event *ev, const char *data,
                       size_t data_len, const char *detail)
{
    char qt[HITL_EVENT_SSE_TYPE_MAX * 6 + 16], qd[EXCERPT_BYTES * 6 + 16];
    hitl_json_excerpt(ev->sse_type, strlen(ev->sse_type), HITL_EVENT_SSE_TYPE_MAX, qt, sizeof qt);
    hitl_json_excerpt(data, data_len, EXCERPT_BYTES, qd, sizeof qd);
    return hitl_err_set(err, code, "SSE event (type %s, data %s): %s", qt, qd, detail);
}

static const char *str(const cJSON *obj, const char *key)
{
    const char *s = NULL;
    hitl_json_get_string(obj, key, &s);
    return s;
}

static const cJSON *member(const cJSON *obj, const char *key)
{
    return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

static hitl_event_str env_str(const cJSON *obj, const char *key)
{
    hitl_event_str r = {HITL_JSON_ABSENT, NULL};
    r.state = hitl_json_get_string(obj, key, &r.value);
    if (r.state != HITL_JSON_OK)
        r.value = NULL;
    return r;
}

static int decode_paused(hitl_event *ev)
{
    const cJSON *d = ev->data;
    ev->paused.workflow_run_id = str(d, "workflow_run_id");
    ev->paused.status = str(d, "status");
    ev->paused.outputs = member(d, "outputs");
    const cJSON *nodes = NULL, *reasons = NULL;
    if (hitl_json_get_array(d, "paused_nodes", &nodes) == HITL_JSON_OK) {
        ev->paused.has_paused_nodes = true;
        int n = cJSON_GetArraySize(nodes);
        size_t cap = n > HITL_EVENT_MAX_LIST ? HITL_EVENT_MAX_LIST : (size_t)n;
        ev->paused.paused_nodes = calloc(cap ? cap : 1, sizeof *ev->paused.paused_nodes);
        if (!ev->paused.paused_nodes)
            return HITL_E_NOMEM;
        for (const cJSON *e = nodes->child; e && ev->paused.n_paused_nodes < cap; e = e->next)
            if (cJSON_IsString(e) && e->valuestring)
                ev->paused.paused_nodes[ev->paused.n_paused_nodes++] = e->valuestring;
    }
    if (hitl_json_get_array(d, "reasons", &reasons) == HITL_JSON_OK) {
        ev->paused.has_reasons = true;
        int n = cJSON_GetArraySize(reasons);
        size_t cap = n > HITL_EVENT_MAX_LIST ? HITL_EVENT_MAX_LIST : (size_t)n;
        ev->paused.reasons = calloc(cap ? cap : 1, sizeof *ev->paused.reasons);
        if (!ev->paused.reasons)
            return HITL_E_NOMEM;
        for (const cJSON *e = reasons->child; e && ev->paused.n_reasons < cap; e = e->next) {
            hitl_pause_reason *r = &ev->paused.reasons[ev->paused.n_reasons++];
            r->json = e;
            r->type = str(e, "TYPE");
            r->form_id = str(e, "form_id");
            r->node_id = str(e, "node_id");
            r->form_token = env_str(e, "form_token");
            r->expiration_state = hitl_json_get_int64(e, "expiration_time", &r->expiration_time);
        }
    }
    return HITL_OK;
}

static int decode_payload(hitl_event *ev, hitl_err *err)
{
    const cJSON *d = ev->data;
    switch (ev->kind) {
    case HITL_EV_HUMAN_INPUT_REQUIRED:
        if (d) {
            int rc = hitl_form_from_json(d, HITL_FORM_EVENT, &ev->form, err);
            if (rc)
                return rc;
        }
        return HITL_OK;
    case HITL_EV_WORKFLOW_PAUSED:
        return decode_paused(ev);
    case HITL_EV_HUMAN_INPUT_FORM_FILLED:
        ev->filled.node_id = str(d, "node_id");
        ev->filled.node_title = str(d, "node_title");
        ev->filled.rendered_content = str(d, "rendered_content");
        ev->filled.action_id = str(d, "action_id");
        ev->filled.action_text = str(d, "action_text");
        ev->filled.submitted_data = member(d, "submitted_data");
        return HITL_OK;
    case HITL_EV_HUMAN_INPUT_FORM_TIMEOUT:
        ev->timeout.node_id = str(d, "node_id");
        ev->timeout.node_title = str(d, "node_title");
        ev->timeout.expiration_state =
            hitl_json_get_int64(d, "expiration_time", &ev->timeout.expiration_time);
        return HITL_OK;
    case HITL_EV_WORKFLOW_STARTED:
    case HITL_EV_WORKFLOW_FINISHED:
        ev->workflow.id = str(d, "id");
        ev->workflow.workflow_id = str(d, "workflow_id");
        if (ev->kind == HITL_EV_WORKFLOW_FINISHED) {
            ev->workflow.status = str(d, "status");
            ev->workflow.outputs = member(d, "outputs");
            ev->workflow.action = str(ev->workflow.outputs, "action");
        }
        return HITL_OK;
    case HITL_EV_NODE_STARTED:
    case HITL_EV_NODE_FINISHED:
        ev->node.id = str(d, "id");
        ev->node.node_id = str(d, "node_id");
        ev->node.node_type = str(d, "node_type");
        ev->node.title = str(d, "title");
        if (ev->kind == HITL_EV_NODE_FINISHED)
            ev->node.status = str(d, "status");
        return HITL_OK;
    case HITL_EV_ERROR:
        /* Error frames are flat (§2): the fields sit beside "event", not under "data". */
        ev->error.status_state = hitl_json_get_int64(ev->json, "status", &ev->error.status);
        ev->error.code = str(ev->json, "code");
        ev->error.message = str(ev->json, "message");
        return HITL_OK;
    default:
        return HITL_OK;
    }
}

int hitl_event_decode(const char *sse_type, size_t type_len, const char *data, size_t data_len,
                      hitl_event *ev, hitl_err *err)
{
    memset(ev, 0, sizeof *ev);
    if (!sse_type)
        type_len = 0;
    if (!data)
        data_len = 0;
    size_t keep = type_len < sizeof ev->sse_type - 1 ? type_len : sizeof ev->sse_type - 1;
    if (keep)
        memcpy(ev->sse_type, sse_type, keep);
    ev->sse_type[keep] = '\0';

    if (type_len == 4 && !memcmp(sse_type, "ping", 4)) {
        ev->kind = HITL_EV_PING;
        ev->name = "ping";
        return HITL_OK;
    }
    hitl_err inner = {0};
    int rc = hitl_json_parse(data ? data : "", data_len, HITL_EVENT_MAX_DATA, &ev->json, &inner);
    if (rc) {
        frame_error(err, rc, ev, data, data_len, inner.msg);
        hitl_event_clear(ev);
        return rc;
    }
    if (!cJSON_IsObject(ev->json)) {
        char detail[96];
        snprintf(detail, sizeof detail, "the data is a JSON %s, not an object",
                 hitl_json_type_name(ev->json));
        frame_error(err, HITL_E_INVALID, ev, data, data_len, detail);
        hitl_event_clear(ev);
        return HITL_E_INVALID;
    }
    ev->name = str(ev->json, "event");
    if (!ev->name) {
        const cJSON *e = member(ev->json, "event");
        char detail[96];
        snprintf(detail, sizeof detail, "the object has %s \"event\"%s", e ? "a non-string" : "no",
                 e ? "" : " key");
        frame_error(err, HITL_E_INVALID, ev, data, data_len, detail);
        hitl_event_clear(ev);
        return HITL_E_INVALID;
    }
    ev->kind = hitl_event_kind_from_name(ev->name);
    const cJSON *d = member(ev->json, "data");
    ev->data = cJSON_IsObject(d) ? d : NULL;
    ev->task_id = env_str(ev->json, "task_id");
    ev->workflow_run_id = env_str(ev->json, "workflow_run_id");
    ev->conversation_id = env_str(ev->json, "conversation_id");
    ev->message_id = env_str(ev->json, "message_id");
    ev->created_at_state = hitl_json_get_int64(ev->json, "created_at", &ev->created_at);

    rc = decode_payload(ev, &inner);
    if (rc) {
        frame_error(err, rc, ev, data, data_len,
                    rc == HITL_E_NOMEM ? "out of memory decoding the frame" : inner.msg);
        hitl_event_clear(ev);
        return rc;
    }
    return HITL_OK;
}

bool hitl_event_is_chatflow(const hitl_event *ev)
{
    return ev->conversation_id.state == HITL_JSON_OK && ev->message_id.state == HITL_JSON_OK &&
           ev->created_at_state == HITL_JSON_OK;
}
