/* fuzz_event.c: decoding one dispatched SSE event must never crash, leak or read past the
 * data, whatever the type and data bytes.
 *
 * Input layout: the first byte chooses the SSE type, the rest is the event's data.
 *   0x00-0xEF  one of TYPES[b % N] ("message" most often, "ping", odd ones)
 *   0xF0-0xFF  a type of (b & 0x0F) bytes taken from the input, then the data
 * Seeds are Dify's published frames with a leading 0x00.
 *
 * Promises checked (a broken one is __builtin_trap): a failed decode leaves a cleared event
 * and a message naming the frame; a decoded event has a name consistent with its kind, its
 * typed strings are readable (ASan catches dangling pointers), a human_input_required with
 * object data carries a form whose normalization round-trips, and clearing twice is safe. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hitl/event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

static const char *const TYPES[] = {"message", "message", "message", "ping",
                                    "error",   "",        "PING",    "message\r"};

static volatile size_t sink;

static void touch(const char *s)
{
    if (s)
        sink += strlen(s);
}

static void touch_str(hitl_event_str s)
{
    CHECK((s.state == HITL_JSON_OK) == (s.value != NULL));
    touch(s.value);
}

static void check_event(const hitl_event *ev)
{
    CHECK(ev->name != NULL);
    if (ev->kind == HITL_EV_PING) {
        CHECK(ev->json == NULL && !strcmp(ev->name, "ping"));
        return;
    }
    CHECK(cJSON_IsObject(ev->json));
    CHECK(ev->kind == hitl_event_kind_from_name(ev->name));
    touch_str(ev->task_id);
    touch_str(ev->workflow_run_id);
    touch_str(ev->conversation_id);
    touch_str(ev->message_id);
    sink += hitl_event_is_chatflow(ev);
    touch(ev->paused.workflow_run_id);
    touch(ev->paused.status);
    CHECK(ev->paused.n_paused_nodes <= HITL_EVENT_MAX_LIST);
    CHECK(ev->paused.n_reasons <= HITL_EVENT_MAX_LIST);
    for (size_t i = 0; i < ev->paused.n_paused_nodes; i++)
        touch(ev->paused.paused_nodes[i]);
    for (size_t i = 0; i < ev->paused.n_reasons; i++) {
        touch(ev->paused.reasons[i].type);
        touch(ev->paused.reasons[i].form_id);
        touch_str(ev->paused.reasons[i].form_token);
    }
    touch(ev->filled.action_id);
    touch(ev->filled.action_text);
    touch(ev->timeout.node_id);
    touch(ev->workflow.status);
    touch(ev->workflow.action);
    touch(ev->node.node_id);
    touch(ev->error.code);
    touch(ev->error.message);
    if (ev->kind == HITL_EV_HUMAN_INPUT_REQUIRED && ev->data) {
        CHECK(ev->form != NULL && ev->form->kind == HITL_FORM_EVENT);
        char *a = NULL, *b = NULL;
        hitl_err err = {0};
        CHECK(hitl_form_to_json(ev->form, false, &a, &err) == HITL_OK);
        hitl_form *g = NULL;
        CHECK(hitl_form_parse(a, strlen(a), SIZE_MAX, HITL_FORM_EVENT, &g, &err) == HITL_OK);
        CHECK(hitl_form_to_json(g, false, &b, &err) == HITL_OK);
        CHECK(!strcmp(a, b));
        hitl_form_free(g);
        free(a);
        free(b);
    } else {
        CHECK(ev->form == NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > HITL_EVENT_MAX_DATA)
        return 0;
    const char *type;
    size_t type_len;
    const uint8_t *rest = data + 1;
    size_t rest_len = size - 1;
    if (data[0] >= 0xF0) {
        type_len = data[0] & 0x0F;
        if (type_len > rest_len)
            type_len = rest_len;
        type = (const char *)rest;
        rest += type_len;
        rest_len -= type_len;
    } else {
        type = TYPES[data[0] % (sizeof TYPES / sizeof TYPES[0])];
        type_len = strlen(type);
    }
    /* An exact-size copy, so reading one byte past the data is caught by ASan. */
    char *copy = malloc(rest_len ? rest_len : 1);
    if (!copy)
        return 0;
    if (rest_len)
        memcpy(copy, rest, rest_len);

    hitl_event ev;
    hitl_err err = {0};
    int rc = hitl_event_decode(type, type_len, rest_len ? copy : NULL, rest_len, &ev, &err);
    if (rc) {
        CHECK(rc == HITL_E_PARSE || rc == HITL_E_INVALID || rc == HITL_E_NOMEM);
        CHECK(!strncmp(err.msg, "SSE event (type ", 16));
        CHECK(ev.json == NULL && ev.form == NULL && ev.kind == HITL_EV_UNKNOWN);
    } else {
        check_event(&ev);
    }
    hitl_event_clear(&ev);
    hitl_event_clear(&ev);
    free(copy);
    return 0;
}
