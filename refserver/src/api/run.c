/* run.c: starting a run (E1 POST /v1/workflows/run, E2 POST /v1/chat-messages, §2). Every
 * run of a workflow or chatflow app goes straight to its Human Input node and pauses. */
#include "events.h"
#include "flow.h"
#include "hostile.h"
#include "gates.h"
#include "handlers.h"
#include "request.h"
#include "ids.h"
#include "respond.h"
#include "state.h"
#include "stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SSE_TYPE "text/event-stream; charset=utf-8"

/* chat_reply answers a basic chat app: one message, no workflow (so no run is kept). */
static enum MHD_Result chat_reply(rs_req *r, int streaming)
{
    char task[RS_ID_LEN], msg[RS_ID_LEN], conv[RS_ID_LEN];
    rs_uuid4(task);
    rs_uuid4(msg);
    rs_uuid4(conv);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "event", "message");
    cJSON_AddStringToObject(o, "task_id", task);
    cJSON_AddStringToObject(o, "id", msg);
    cJSON_AddStringToObject(o, "message_id", msg);
    cJSON_AddStringToObject(o, "conversation_id", conv);
    cJSON_AddStringToObject(o, "mode", "chat");
    cJSON_AddStringToObject(o, "answer", "Hello from hitl-refserver.");
    cJSON_AddItemToObject(o, "metadata", cJSON_CreateObject());
    cJSON_AddNumberToObject(o, "created_at", (double)rs_now_s());
    if (!streaming)
        return rs_reply_json(r, 200, o);
    char *txt = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    hitl_buf b;
    hitl_buf_init(&b, 1u << 16);
    hitl_buf_printf(&b, "data: %s\n\n", txt ? txt : "{}");
    hitl_buf_printf(&b,
                    "data: {\"event\":\"message_end\",\"task_id\":\"%s\",\"id\":\"%s\","
                    "\"message_id\":\"%s\",\"conversation_id\":\"%s\",\"metadata\":{}}\n\n",
                    task, msg, msg, conv);
    free(txt);
    enum MHD_Result rc = rs_reply(r, 200, SSE_TYPE, hitl_buf_str(&b), b.len);
    hitl_buf_free(&b);
    return rc;
}

/* new_run creates the run and its form, with the GET bodies cached (the hot path). */
static rs_run *new_run(hitl_refserver *s, int app, const char *user)
{
    rs_run *run = calloc(1, sizeof *run);
    if (!run)
        return NULL;
    rs_uuid4(run->id);
    rs_uuid4(run->task_id);
    rs_uuid4(run->form_id);
    rs_uuid4(run->node_exec_id);
    if (s->cfg.apps[app].mode == HITL_REFSERVER_CHATFLOW) {
        rs_uuid4(run->conversation_id);
        rs_uuid4(run->message_id);
    }
    rs_token_urlsafe(run->token, sizeof run->token, "", 16);
    snprintf(run->user, sizeof run->user, "%s", user);
    run->app = app;
    run->created_at = rs_now_s();
    int64_t ttl = s->cfg.apps[app].form_ttl_s;
    run->expiration_time = run->created_at + (ttl > 0 ? ttl : s->cfg.form_ttl_s);
    run->global_deadline = rs_fault_active(s, RS_F_GLOBAL_TIMEOUT_IGNORED)
                               ? INT64_MAX
                               : run->created_at + s->cfg.global_timeout_s;
    for (int web = 0; web < 2; web++) {
        run->get_body[web] = rs_events_get_body(s, run, web);
        if (!run->get_body[web]) {
            free(run->get_body[0]);
            free(run);
            return NULL;
        }
        run->get_len[web] = strlen(run->get_body[web]);
    }
    return run;
}

static enum MHD_Result stream_reply(rs_req *r, const hitl_buf *frames)
{
    const hitl_refserver_config *cfg = &r->srv->cfg;
    enum MHD_Result rc;
    if (rs_hostile_start(r, hitl_buf_str(frames), frames->len, &rc))
        return rc;
    const char *ctype =
        rs_fault_on(cfg, RS_F_WRONG_CONTENT_TYPE) ? "text/plain; charset=utf-8" : SSE_TYPE;
    if (!rs_fault_on(cfg, RS_F_STREAM_NOT_CLOSED))
        return rs_reply(r, 200, ctype, hitl_buf_str(frames), frames->len);
    /* stream-not-closed: the frames, then pings until the idle timeout. */
    rs_stream_opts o = {.kind = RS_STREAM_LIVE,
                        .pings = 1,
                        .initial = hitl_buf_str(frames),
                        .initial_len = frames->len,
                        .declared_size = MHD_SIZE_UNKNOWN};
    return rs_reply_stream(r, &o, ctype);
}

/* dsl_run_start starts a run of an --app-dsl app: its graph runs up to the pause (flow.h)
 * before the run is shared, so the answer is built from a run no other thread can touch. */
static enum MHD_Result dsl_run_start(rs_req *r, int app, const char *user, const char *query,
                                     int streaming)
{
    hitl_refserver *s = r->srv;
    rs_run *run = new_run(s, app, user);
    hitl_buf frames;
    hitl_buf_init(&frames, 4u << 20);
    int started = run ? rs_flow_start(s, run, query, &frames) : HITL_E_NOMEM;
    cJSON *blocking = !started && !streaming ? rs_events_blocking(s, run) : NULL;
    enum MHD_Result rc = MHD_NO;
    int added = -1;
    if (started == HITL_E_TOO_BIG) {
        rc = rs_reply_error(r, 500, "internal_server_error",
                            "the app's graph makes more than %d forms or node runs",
                            RS_FLOW_MAX_FORMS);
    } else if (!started) {
        rs_state_lock(&s->state);
        added = rs_state_add_run(&s->state, run, s->cfg.max_runs);
        rs_state_unlock(&s->state);
        run = NULL; /* the state owns it now, or freed it */
        if (added == HITL_E_TOO_BIG)
            rc = rs_reply_error(r, 429, "too_many_requests",
                                "Too many requests. Please try again later.");
        else if (added == 0 && streaming)
            rc = stream_reply(r, &frames);
        else if (added == 0) {
            rc = rs_reply_json(r, 200, blocking);
            blocking = NULL;
        }
    }
    rs_state_free_run(run); /* never shared (NULL once the state has it) */
    cJSON_Delete(blocking);
    hitl_buf_free(&frames);
    return rc;
}

enum MHD_Result rs_run_start(rs_req *r)
{
    hitl_refserver *s = r->srv;
    rs_auth who = rs_auth_app(r);
    if (who.status != RS_AUTH_APP)
        return MHD_YES;
    int app = who.app;
    cJSON *body = rs_parse_body(r);
    if (!body)
        return MHD_YES;
    enum MHD_Result rc;
    const char *user = rs_json_str(body, "user");
    const char *mode = rs_json_str(body, "response_mode");
    const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(body, "inputs");
    hitl_refserver_mode amode = s->cfg.apps[app].mode;
    int chat_route = r->route == RS_R_CHAT_MESSAGES;
    if (!user || !*user) {
        rc = rs_reply_error(r, 400, "invalid_param", "Arg user must be provided.");
    } else if (strlen(user) >= RS_USER_MAX) {
        rc = rs_reply_error(r, 400, "invalid_param", "user must be at most %d characters",
                            RS_USER_MAX - 1);
    } else if (!chat_route && amode != HITL_REFSERVER_WORKFLOW) {
        rc = rs_reply_error(r, 400, "not_workflow_app",
                            "Please check if your app mode matches the right API route.");
    } else if (chat_route && amode == HITL_REFSERVER_WORKFLOW) {
        rc = rs_reply_error(r, 400, "not_chat_app",
                            "Please check if your app mode matches the right API route.");
    } else if (!cJSON_IsObject(inputs)) {
        rc = rs_reply_error(r, 400, "invalid_param", "inputs is required and must be an object");
    } else if (chat_route && !rs_json_str(body, "query")) {
        rc = rs_reply_error(r, 400, "invalid_param", "query is required");
    } else if (mode && strcmp(mode, "streaming") != 0 && strcmp(mode, "blocking") != 0) {
        rc = rs_reply_error(r, 400, "invalid_param",
                            "response_mode must be 'streaming' or 'blocking'");
    } else if (amode == HITL_REFSERVER_CHAT) {
        rc = chat_reply(r, mode && strcmp(mode, "streaming") == 0);
    } else if (s->dsl[app]) {
        rc = dsl_run_start(r, app, user, chat_route ? rs_json_str(body, "query") : NULL,
                           mode && strcmp(mode, "streaming") == 0);
    } else {
        rc = MHD_NO;
        rs_run *run = new_run(s, app, user);
        rs_run copy;
        int added = -1;
        if (run) {
            copy = *run;
            rs_state_lock(&s->state);
            added = rs_state_add_run(&s->state, run, s->cfg.max_runs);
            rs_state_unlock(&s->state);
        }
        if (added == HITL_E_TOO_BIG) {
            rc = rs_reply_error(r, 429, "too_many_requests",
                                "Too many requests. Please try again later.");
        } else if (added == 0 && mode && strcmp(mode, "streaming") == 0) {
            hitl_buf frames;
            hitl_buf_init(&frames, 4u << 20);
            if (rs_events_start(s, &copy, &frames) == 0)
                rc = stream_reply(r, &frames);
            hitl_buf_free(&frames);
        } else if (added == 0) {
            rc = rs_reply_json(r, 200, rs_events_blocking(s, &copy));
        }
    }
    cJSON_Delete(body);
    return rc;
}
