/* event.h: decoding one dispatched SSE event of a Dify stream (§2, §9 of the contract)
 * into a typed hitl_event.
 *
 * A JSON frame is `data: <json>` whose object names its kind in "event"; a ping is the SSE
 * type "ping" with no data. The decoder types the envelope (event, task_id,
 * workflow_run_id and the Chatflow fields conversation_id, message_id, created_at, each
 * with what was found, so a check can verify §2.3.5) and the payloads the Human Input
 * lifecycle depends on. It never judges a frame beyond what decoding needs: a missing or
 * mistyped payload field is a NULL/absent typed field for the checks to report, and an
 * event name it does not know is HITL_EV_UNKNOWN, kept. Only a frame that is not a JSON
 * object with a string "event" is an error.
 *
 * A hitl_event is filled by hitl_event_decode and emptied by hitl_event_clear; its fields
 * are for reading. All `const char *` and `const cJSON *` fields point into ev->json and
 * live until hitl_event_clear. */
#ifndef HITL_EVENT_H
#define HITL_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hitl/err.h"
#include "hitl/form.h"
#include "hitl/json.h"

#define HITL_EVENT_MAX_DATA (16u << 20) /* largest frame data decoded, as the SSE parser's cap */
#define HITL_EVENT_MAX_LIST 1000        /* paused_nodes / reasons read from one frame */
#define HITL_EVENT_SSE_TYPE_MAX 64      /* bytes of the SSE type kept (truncated beyond) */

typedef enum hitl_event_kind {
    HITL_EV_UNKNOWN = 0, /* an "event" name not listed here; see ev->name */
    HITL_EV_PING,        /* SSE type "ping" */
    /* Workflow events (§2). */
    HITL_EV_WORKFLOW_STARTED,
    HITL_EV_WORKFLOW_FINISHED,
    HITL_EV_WORKFLOW_PAUSED,
    HITL_EV_NODE_STARTED,
    HITL_EV_NODE_FINISHED,
    HITL_EV_NODE_RETRY,
    HITL_EV_ITERATION_STARTED,
    HITL_EV_ITERATION_NEXT,
    HITL_EV_ITERATION_COMPLETED,
    HITL_EV_LOOP_STARTED,
    HITL_EV_LOOP_NEXT,
    HITL_EV_LOOP_COMPLETED,
    HITL_EV_REASONING_CHUNK,
    HITL_EV_TEXT_CHUNK,
    HITL_EV_TTS_MESSAGE,
    HITL_EV_TTS_MESSAGE_END,
    HITL_EV_AGENT_LOG,
    HITL_EV_HUMAN_INPUT_REQUIRED,
    HITL_EV_HUMAN_INPUT_FORM_FILLED,
    HITL_EV_HUMAN_INPUT_FORM_TIMEOUT,
    HITL_EV_ERROR,
    /* Chatflow / chat app events. */
    HITL_EV_MESSAGE,
    HITL_EV_MESSAGE_END,
    HITL_EV_MESSAGE_FILE,
    HITL_EV_MESSAGE_REPLACE,
    HITL_EV_AGENT_THOUGHT,
    HITL_EV_AGENT_MESSAGE
} hitl_event_kind;

/* An envelope string: the value when state is HITL_JSON_OK, else NULL. */
typedef struct hitl_event_str {
    hitl_json_field state;
    const char *value;
} hitl_event_str;

/* One entry of workflow_paused.data.reasons (§2.2). */
typedef struct hitl_pause_reason {
    const cJSON *json; /* the whole reason object (or whatever the array held) */
    const char *type;  /* "TYPE", e.g. "human_input_required" */
    const char *form_id;
    const char *node_id;
    hitl_event_str form_token;        /* string, null (surface got no token) or absent */
    hitl_json_field expiration_state; /* HITL_JSON_OK: expiration_time is valid */
    int64_t expiration_time;
} hitl_pause_reason;

typedef struct hitl_event {
    hitl_event_kind kind;
    char sse_type[HITL_EVENT_SSE_TYPE_MAX]; /* SSE event type as dispatched ("message" for
                                               JSON frames), NUL-terminated, maybe cut */
    const char *name;                       /* the "event" value; "ping" for ping frames */
    cJSON *json;                            /* the parsed frame (owned); NULL for ping */
    const cJSON *data;                      /* json["data"] when it is an object, else NULL */

    /* Envelope (§2: Workflow; Chatflow adds conversation_id, message_id, created_at). */
    hitl_event_str task_id;
    hitl_event_str workflow_run_id;
    hitl_event_str conversation_id;
    hitl_event_str message_id;
    hitl_json_field created_at_state;
    int64_t created_at;

    /* HITL_EV_HUMAN_INPUT_REQUIRED: data parsed as event-kind form (every §2.1 field and
     * its problems); NULL when data is not an object. Owned by the event. */
    hitl_form *form;

    /* HITL_EV_WORKFLOW_PAUSED (§2.2). */
    struct {
        const char *workflow_run_id, *status;
        const cJSON *outputs;      /* NULL when absent */
        const char **paused_nodes; /* string elements of paused_nodes */
        size_t n_paused_nodes;
        hitl_pause_reason *reasons;
        size_t n_reasons;
        bool has_paused_nodes, has_reasons; /* the arrays were present */
    } paused;

    /* HITL_EV_HUMAN_INPUT_FORM_FILLED (§9.1). */
    struct {
        const char *node_id, *node_title, *rendered_content, *action_id, *action_text;
        const cJSON *submitted_data; /* 1.16+; NULL when absent */
    } filled;

    /* HITL_EV_HUMAN_INPUT_FORM_TIMEOUT (§10). */
    struct {
        const char *node_id, *node_title;
        hitl_json_field expiration_state;
        int64_t expiration_time;
    } timeout;

    /* HITL_EV_WORKFLOW_STARTED / HITL_EV_WORKFLOW_FINISHED. */
    struct {
        const char *id, *workflow_id, *status; /* status: finished only */
        const cJSON *outputs;                  /* finished only; NULL when absent */
        const char *action;                    /* finished: outputs.action when a string */
    } workflow;

    /* HITL_EV_NODE_STARTED / HITL_EV_NODE_FINISHED. */
    struct {
        const char *id, *node_id, *node_type, *title, *status; /* status: finished only */
    } node;

    /* HITL_EV_ERROR: flat {event, workflow_run_id?, status, code, message}, no data. */
    struct {
        hitl_json_field status_state;
        int64_t status;
        const char *code, *message;
    } error;
} hitl_event;

/* hitl_event_decode decodes one dispatched SSE event: its type (|type_len| bytes) and data
 * (|data_len| bytes; neither need be NUL-terminated). SSE type "ping" gives HITL_EV_PING
 * whatever the data. Any other type is decoded from its data.
 * Returns 0 with |ev| filled; HITL_E_PARSE when the data is not JSON; HITL_E_INVALID when it
 * is not an object or has no string "event"; HITL_E_TOO_BIG past HITL_EVENT_MAX_DATA;
 * HITL_E_NOMEM. The error message names the frame: its SSE type and the first 60 bytes of
 * its data. |ev| is always left in a state hitl_event_clear accepts (cleared on error). */
int hitl_event_decode(const char *sse_type, size_t type_len, const char *data, size_t data_len,
                      hitl_event *ev, hitl_err *err);

/* Frees what |ev| owns and zeroes it. Safe on a zeroed or already cleared event. */
void hitl_event_clear(hitl_event *ev);

/* "workflow_started", …; "ping"; "unknown" for HITL_EV_UNKNOWN. */
const char *hitl_event_kind_name(hitl_event_kind kind);
/* The kind for an "event" value; HITL_EV_UNKNOWN when not listed. */
hitl_event_kind hitl_event_kind_from_name(const char *name);

/* True when the frame carried all three Chatflow envelope fields (§2) with their types. */
bool hitl_event_is_chatflow(const hitl_event *ev);

#endif
