/* events.c: payload builders. */
#include "events.h"

#include "flow.h"
#include "formdef.h"
#include "hostile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_chatflow(const hitl_refserver *s, const rs_run *run)
{
    return s->cfg.apps[run->app].mode == HITL_REFSERVER_CHATFLOW;
}

/* The Human Input node a run waits at: the form's node, or, at the second node of a
 * two-node app, "<node_id>_2" titled "<node_title> (second review)". Both nodes show the
 * same form definition. */
typedef struct hi_node {
    char id[80];
    char title[160];
} hi_node;

/* The form |run| waits at (a DSL app's node's, else the server's --form) and its content. */
static const rs_formdef *form_of(const hitl_refserver *s, const rs_run *run)
{
    return run->form ? run->form : s->form;
}

static const char *content_of(const hitl_refserver *s, const rs_run *run)
{
    return run->content ? run->content : form_of(s, run)->form_content;
}

static hi_node node_at(const hitl_refserver *s, const rs_run *run, int node)
{
    const rs_formdef *f = form_of(s, run);
    hi_node n;
    snprintf(n.id, sizeof n.id, "%s%s", f->node_id, node ? "_2" : "");
    snprintf(n.title, sizeof n.title, "%s%s", f->node_title, node ? " (second review)" : "");
    return n;
}

/* append_frame appends |o| (consumed) as one `data: <json>` frame. */
static int append_frame(cJSON *o, hitl_buf *out)
{
    char *txt = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!txt)
        return HITL_E_NOMEM;
    int rc = hitl_buf_append_str(out, "data: ");
    if (!rc)
        rc = hitl_buf_append_str(out, txt);
    if (!rc)
        rc = hitl_buf_append_str(out, "\n\n");
    free(txt);
    return rc;
}

/* frame appends one `data: {"event",…,"data":data}` frame; |data| is consumed. */
int rs_events_frame(const hitl_refserver *s, const rs_run *run, const char *name, cJSON *data,
                    hitl_buf *out)
{
    cJSON *o = cJSON_CreateObject();
    if (!o || !data) {
        cJSON_Delete(o);
        cJSON_Delete(data);
        return HITL_E_NOMEM;
    }
    cJSON_AddStringToObject(o, "event", name);
    cJSON_AddStringToObject(o, "task_id", run->task_id);
    if (!(is_chatflow(s, run) && rs_fault_active(s, RS_F_CHATFLOW_RUN_ID_MISSING)))
        cJSON_AddStringToObject(o, "workflow_run_id", rs_hostile_event_run_id(s, run->id));
    if (is_chatflow(s, run)) {
        if (!rs_fault_active(s, RS_F_CHATFLOW_ENVELOPE_MISSING)) {
            cJSON_AddStringToObject(o, "conversation_id", run->conversation_id);
            cJSON_AddStringToObject(o, "message_id", run->message_id);
        }
        cJSON_AddNumberToObject(o, "created_at", (double)run->created_at);
    }
    cJSON_AddItemToObject(o, "data", data);
    return append_frame(o, out);
}

/* chat_frame appends one Chatflow chat event (message, message_end, …): the envelope
 * {event, conversation_id, message_id, created_at}, task_id and the event's own fields
 * (|fields|, consumed), and no workflow_run_id (advanced_chat/generate_response_converter.py
 * @00d1c45518c8009543feb726d7de5f78ea02a61b; task_entities.py MessageStreamResponse,
 * MessageEndStreamResponse). */
static int chat_frame(const hitl_refserver *s, const rs_run *run, const char *name, cJSON *fields,
                      hitl_buf *out)
{
    cJSON *o = cJSON_CreateObject();
    if (!o || !fields) {
        cJSON_Delete(o);
        cJSON_Delete(fields);
        return HITL_E_NOMEM;
    }
    cJSON_AddStringToObject(o, "event", name);
    if (!rs_fault_active(s, RS_F_CHATFLOW_ENVELOPE_MISSING)) {
        cJSON_AddStringToObject(o, "conversation_id", run->conversation_id);
        cJSON_AddStringToObject(o, "message_id", run->message_id);
    }
    cJSON_AddNumberToObject(o, "created_at", (double)run->created_at);
    cJSON_AddStringToObject(o, "task_id", run->task_id);
    cJSON_AddStringToObject(o, "id", run->message_id);
    for (cJSON *f = fields->child; f;) {
        cJSON *next = f->next;
        cJSON_AddItemToObject(o, f->string, cJSON_DetachItemViaPointer(fields, f));
        f = next;
    }
    cJSON_Delete(fields);
    return append_frame(o, out);
}

int rs_events_message(const hitl_refserver *s, const rs_run *run, const char *answer, hitl_buf *out)
{
    if (!is_chatflow(s, run))
        return HITL_OK;
    cJSON *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "answer", answer);
    cJSON_AddNullToObject(f, "from_variable_selector");
    return chat_frame(s, run, "message", f, out);
}

static cJSON *jdup(const cJSON *v)
{
    return cJSON_Duplicate(v, 1);
}

static cJSON *workflow_started(const hitl_refserver *s, const rs_run *run)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "id", run->id);
    cJSON_AddStringToObject(d, "workflow_id", s->workflow_ids[run->app]);
    cJSON_AddItemToObject(d, "inputs", cJSON_CreateObject());
    cJSON_AddNumberToObject(d, "created_at", (double)run->created_at);
    cJSON_AddStringToObject(d, "reason", "initial");
    return d;
}

cJSON *rs_events_node(const rs_run *run, const char *exec_id, const char *node_id, const char *type,
                      const char *title, int index, const char *status)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "id", exec_id);
    cJSON_AddStringToObject(d, "node_id", node_id);
    cJSON_AddStringToObject(d, "node_type", type);
    cJSON_AddStringToObject(d, "title", title);
    cJSON_AddNumberToObject(d, "index", index);
    cJSON_AddNullToObject(d, "predecessor_node_id");
    cJSON_AddNullToObject(d, "inputs");
    cJSON_AddNumberToObject(d, "created_at", (double)run->created_at);
    if (status) {
        cJSON_AddNullToObject(d, "outputs");
        cJSON_AddStringToObject(d, "status", status);
        cJSON_AddNullToObject(d, "error");
        cJSON_AddNumberToObject(d, "elapsed_time", 0.0);
        if (strcmp(status, "paused") == 0)
            cJSON_AddNullToObject(d, "finished_at");
        else
            cJSON_AddNumberToObject(d, "finished_at", (double)run->finished_at);
    }
    return d;
}

static cJSON *required_data(const hitl_refserver *s, const rs_run *run)
{
    const rs_formdef *f = form_of(s, run);
    hi_node n = node_at(s, run, run->node);
    cJSON *d = cJSON_CreateObject();
    /* regress-required-empty (dify#35504): the workflow_paused reason still has the form. */
    if (rs_fault_active(s, RS_F_REGRESS_REQUIRED_EMPTY))
        return d;
    cJSON_AddStringToObject(d, "form_id", run->form_id);
    cJSON_AddStringToObject(d, "node_id", n.id);
    cJSON_AddStringToObject(d, "node_title", n.title);
    cJSON_AddStringToObject(d, "form_content", content_of(s, run));
    cJSON_AddItemToObject(d, "inputs", jdup(f->inputs));
    cJSON_AddItemToObject(d, "actions", jdup(f->actions));
    cJSON_AddFalseToObject(d, "display_in_ui");
    if (s->cfg.delivery_email) /* no WebApp recipient: no token any API surface serves */
        cJSON_AddNullToObject(d, "form_token");
    else if (!rs_fault_active(s, RS_F_EVENT_MISSING_FORM_TOKEN))
        cJSON_AddStringToObject(d, "form_token", rs_hostile_event_token(s, run->token));
    cJSON_AddItemToObject(d, "resolved_default_values", jdup(f->defaults_raw));
    cJSON_AddNumberToObject(d, "expiration_time", (double)run->expiration_time);
    return d;
}

/* reason is the node's pause reason enriched with form_token and expiration_time (§2.2). */
static cJSON *reason(const hitl_refserver *s, const rs_run *run)
{
    const rs_formdef *f = form_of(s, run);
    hi_node n = node_at(s, run, run->node);
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "TYPE", "human_input_required");
    cJSON_AddStringToObject(r, "form_id", run->form_id);
    cJSON_AddStringToObject(r, "form_content", content_of(s, run));
    cJSON_AddItemToObject(r, "inputs", jdup(f->inputs));
    cJSON_AddItemToObject(r, "actions", jdup(f->actions));
    cJSON_AddStringToObject(r, "node_id", n.id);
    cJSON_AddStringToObject(r, "node_title", n.title);
    cJSON_AddItemToObject(r, "resolved_default_values", jdup(f->defaults_raw));
    if (s->cfg.delivery_email)
        cJSON_AddNullToObject(r, "form_token");
    else
        cJSON_AddStringToObject(r, "form_token", rs_hostile_event_token(s, run->token));
    int64_t exp = run->expiration_time + (rs_fault_active(s, RS_F_EVENT_PAUSE_MISMATCH) ? 60 : 0);
    cJSON_AddNumberToObject(r, "expiration_time", (double)exp);
    return r;
}

static cJSON *outputs_paused(const hitl_refserver *s)
{
    cJSON *o = cJSON_CreateObject();
    if (rs_fault_active(s, RS_F_SVC_OUTPUTS_NOT_EMPTY))
        cJSON_AddStringToObject(o, "draft", "Hello");
    return o;
}

/* add_paused lists the nodes the run waits at with their reasons: the one form, or every
 * waiting form of a DSL run (any of its records: parallel nodes pause together). */
static void add_paused(const hitl_refserver *s, const rs_run *run, cJSON *nodes, cJSON *reasons)
{
    if (run->first) /* a DSL run's later record: the pause is the whole run's */
        run = run->first;
    if (!run->flow) {
        cJSON_AddItemToArray(nodes, cJSON_CreateString(node_at(s, run, run->node).id));
        cJSON_AddItemToArray(reasons, reason(s, run));
        return;
    }
    for (const rs_run *rec = run; rec; rec = rec->peer)
        if (rec->form && rec->form_status == RS_FORM_WAITING) {
            cJSON_AddItemToArray(nodes, cJSON_CreateString(node_at(s, rec, 0).id));
            cJSON_AddItemToArray(reasons, reason(s, rec));
        }
}

static cJSON *paused_data(const hitl_refserver *s, const rs_run *run)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "workflow_run_id", rs_hostile_event_run_id(s, run->id));
    cJSON *nodes = cJSON_AddArrayToObject(d, "paused_nodes");
    cJSON *reasons = cJSON_AddArrayToObject(d, "reasons");
    add_paused(s, run, nodes, reasons);
    cJSON_AddItemToObject(d, "outputs", outputs_paused(s));
    cJSON_AddStringToObject(d, "status", "paused");
    cJSON_AddNumberToObject(d, "created_at", (double)run->created_at);
    cJSON_AddNumberToObject(d, "elapsed_time", 0.05);
    cJSON_AddNumberToObject(d, "total_tokens", 0);
    cJSON_AddNumberToObject(d, "total_steps", 1);
    return d;
}

static int pause_frames(const hitl_refserver *s, const rs_run *run, hitl_buf *out, int swap)
{
    int rc;
    if (swap) {
        rc = rs_events_frame(s, run, "workflow_paused", paused_data(s, run), out);
        return rc ? rc
                  : rs_events_frame(s, run, "human_input_required", required_data(s, run), out);
    }
    rc = rs_events_frame(s, run, "human_input_required", required_data(s, run), out);
    return rc ? rc : rs_events_frame(s, run, "workflow_paused", paused_data(s, run), out);
}

int rs_events_start(const hitl_refserver *s, const rs_run *run, hitl_buf *out)
{
    hi_node n = node_at(s, run, run->node);
    int rc = rs_events_frame(s, run, "workflow_started", workflow_started(s, run), out);
    /* A Chatflow's Answer node ahead of the Human Input node streams its text first. */
    if (!rc)
        rc = rs_events_message(s, run, "A person will review this request.", out);
    if (!rc)
        rc = rs_events_frame(
            s, run, "node_started",
            rs_events_node(run, run->node_exec_id, n.id, "human-input", n.title, 1, NULL), out);
    return rc ? rc : pause_frames(s, run, out, rs_fault_active(s, RS_F_EVENT_ORDER));
}

/* The exec id of a two-node run's first Human Input node once the run has moved on: the
 * current node's exec id with a marker, stable per run. */
static void first_exec_id(const rs_run *run, char out[RS_ID_LEN])
{
    snprintf(out, RS_ID_LEN, "%s", run->node_exec_id);
    out[0] = 'f';
}

int rs_events_snapshot(const hitl_refserver *s, const rs_run *run, hitl_buf *out)
{
    hi_node n = node_at(s, run, run->node);
    int index = run->node ? 3 : 1;
    int rc = rs_events_frame(s, run, "workflow_started", workflow_started(s, run), out);
    if (!rc && run->node) { /* the first Human Input node and its branch, done */
        hi_node first = node_at(s, run, 0);
        char exec_id[RS_ID_LEN];
        first_exec_id(run, exec_id);
        rc = rs_events_frame(
            s, run, "node_started",
            rs_events_node(run, exec_id, first.id, "human-input", first.title, 1, NULL), out);
        if (!rc)
            rc = rs_events_frame(
                s, run, "node_finished",
                rs_events_node(run, exec_id, first.id, "human-input", first.title, 1, "succeeded"),
                out);
    }
    if (!rc)
        rc = rs_events_frame(
            s, run, "node_started",
            rs_events_node(run, run->node_exec_id, n.id, "human-input", n.title, index, NULL), out);
    if (!rc)
        rc = rs_events_frame(
            s, run, "node_finished",
            rs_events_node(run, run->node_exec_id, n.id, "human-input", n.title, index, "paused"),
            out);
    return rc ? rc : pause_frames(s, run, out, 0);
}

static cJSON *finished_data(const hitl_refserver *s, const rs_run *run)
{
    cJSON *d = cJSON_CreateObject();
    int stopped = run->run_status == RS_RUN_STOPPED;
    cJSON_AddStringToObject(d, "id", run->id);
    cJSON_AddStringToObject(d, "workflow_id", s->workflow_ids[run->app]);
    /* regress-run-stopped (dify#39750): the resumed run is aborted as if its client left. */
    const char *status = !stopped                                      ? "succeeded"
                         : rs_fault_active(s, RS_F_GLOBAL_STOP_STATUS) ? "failed"
                                                                       : "stopped";
    if (!stopped && rs_fault_active(s, RS_F_REGRESS_RUN_STOPPED))
        status = "stopped";
    cJSON_AddStringToObject(d, "status", status);
    cJSON *outputs = cJSON_AddObjectToObject(d, "outputs");
    /* regress-timeout-branch-missed (dify#40459): no edge matched the timeout handle, so no
     * branch node ran and nothing was output. */
    int branch_missed =
        !strcmp(run->action, "__timeout") && rs_fault_active(s, RS_F_REGRESS_TIMEOUT_BRANCH_MISSED);
    if (!stopped && run->flow) /* a DSL run: what its End nodes output */
        rs_flow_outputs(run->flow, outputs);
    else if (!stopped && !branch_missed)
        cJSON_AddStringToObject(outputs, "action", run->action);
    if (stopped) {
        char err[200];
        snprintf(err, sizeof err, "Human input global timeout at node %s",
                 node_at(s, run, run->node).id);
        cJSON_AddStringToObject(d, "error", err);
    } else {
        cJSON_AddNullToObject(d, "error");
    }
    cJSON_AddNumberToObject(d, "elapsed_time", (double)(run->finished_at - run->created_at));
    cJSON_AddNumberToObject(d, "total_tokens", 0);
    cJSON_AddNumberToObject(d, "total_steps", stopped ? 1 : 2);
    cJSON_AddNumberToObject(d, "created_at", (double)run->created_at);
    cJSON_AddNumberToObject(d, "finished_at", (double)run->finished_at);
    return d;
}

/* branch_frames appends node_started/node_finished of the node the action leads to. */
static int branch_frames(const hitl_refserver *s, const rs_run *run, const char *branch,
                         hitl_buf *out)
{
    char node_id[64], title[80], exec_id[RS_ID_LEN];
    snprintf(node_id, sizeof node_id, "branch_%s", branch);
    snprintf(title, sizeof title, "Branch %s", branch);
    /* A stable per-run id for the branch execution: the node exec id with a marker. */
    snprintf(exec_id, sizeof exec_id, "%s", run->node_exec_id);
    exec_id[0] = 'b';
    int rc = rs_events_frame(
        s, run, "node_started",
        rs_events_node(run, exec_id, node_id, "template-transform", title, 2, NULL), out);
    return rc ? rc
              : rs_events_frame(s, run, "node_finished",
                                rs_events_node(run, exec_id, node_id, "template-transform", title,
                                               2, "succeeded"),
                                out);
}

/* The title of action |action_id| of the form, "" when it has none. */
static const char *action_title(const hitl_refserver *s, const rs_run *run, const char *action_id)
{
    const cJSON *act = rs_formdef_action(form_of(s, run), action_id);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(act, "title");
    return cJSON_IsString(t) ? t->valuestring : "";
}

int rs_events_filled(const hitl_refserver *s, const rs_run *run, const char *action_id,
                     const cJSON *submitted, hitl_buf *out)
{
    hi_node n = node_at(s, run, run->node);
    cJSON *d = cJSON_CreateObject();
    if (!rs_fault_active(s, RS_F_FILLED_NO_NODE_FIELDS)) {
        cJSON_AddStringToObject(d, "node_id", n.id);
        cJSON_AddStringToObject(d, "node_title", n.title);
        cJSON_AddStringToObject(d, "rendered_content", content_of(s, run));
    }
    cJSON_AddStringToObject(d, "action_id", action_id);
    cJSON_AddStringToObject(d, "action_text",
                            rs_fault_active(s, RS_F_FILLED_WRONG_ACTION_TEXT)
                                ? action_id
                                : action_title(s, run, action_id));
    cJSON_AddItemToObject(d, "submitted_data", submitted ? jdup(submitted) : cJSON_CreateObject());
    return rs_events_frame(s, run, "human_input_form_filled", d, out);
}

int rs_events_repaused(const hitl_refserver *s, const rs_run *first, const rs_run *next,
                       const cJSON *submitted, hitl_buf *out)
{
    hi_node n = node_at(s, next, next->node);
    int rc = rs_events_filled(s, first, first->submitted_action, submitted, out);
    if (!rc)
        rc = branch_frames(s, first, first->action, out);
    if (!rc)
        rc = rs_events_frame(
            s, next, "node_started",
            rs_events_node(next, next->node_exec_id, n.id, "human-input", n.title, 3, NULL), out);
    return rc ? rc : pause_frames(s, next, out, 0);
}

int rs_events_resumed(const hitl_refserver *s, const rs_run *live, const char *action_id,
                      const cJSON *submitted, hitl_buf *out)
{
    const char *title = action_title(s, live, action_id);
    int rc = HITL_OK;
    /* regress-resume-new-run (dify#39686): the resume is streamed as a second run, with its
     * own run id, that starts over (workflow_started). */
    rs_run other;
    const rs_run *run = live;
    if (rs_fault_active(s, RS_F_REGRESS_RESUME_NEW_RUN)) {
        other = *live;
        other.id[0] = other.id[0] == 'f' ? 'e' : 'f';
        run = &other;
        rc = rs_events_frame(s, run, "workflow_started", workflow_started(s, run), out);
        if (rc)
            return rc;
    }
    if (rs_fault_active(s, RS_F_REGRESS_FILLED_MISSING)) { /* dify#42062: plain node success */
        hi_node n = node_at(s, run, run->node);
        rc = rs_events_frame(
            s, run, "node_finished",
            rs_events_node(run, run->node_exec_id, n.id, "human-input", n.title, 1, "succeeded"),
            out);
    } else {
        rc = rs_events_filled(s, run, action_id, submitted, out);
    }
    if (!rc)
        rc = branch_frames(s, run, run->action, out);
    if (!rc) { /* the branch's Answer node (Chatflow) */
        char answer[160];
        snprintf(answer, sizeof answer, "Reviewed: %s.", title);
        rc = rs_events_message(s, run, answer, out);
    }
    return rc ? rc : rs_events_frame(s, run, "workflow_finished", finished_data(s, run), out);
}

int rs_events_message_end(const hitl_refserver *s, const rs_run *run, hitl_buf *out)
{
    if (!is_chatflow(s, run))
        return HITL_OK;
    cJSON *f = cJSON_CreateObject();
    cJSON_AddItemToObject(f, "metadata", cJSON_CreateObject());
    cJSON_AddNullToObject(f, "files");
    return chat_frame(s, run, "message_end", f, out);
}

int rs_events_timeout(const hitl_refserver *s, const rs_run *run, hitl_buf *out)
{
    hi_node n = node_at(s, run, run->node);
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "node_id", n.id);
    cJSON_AddStringToObject(d, "node_title", n.title);
    cJSON_AddNumberToObject(d, "expiration_time", (double)run->expiration_time);
    int rc;
    if (rs_fault_active(s, RS_F_REGRESS_TIMEOUT_EVENT_MISSING)) { /* dify#42062 */
        cJSON_Delete(d);
        rc = rs_events_frame(
            s, run, "node_finished",
            rs_events_node(run, run->node_exec_id, n.id, "human-input", n.title, 1, "succeeded"),
            out);
    } else {
        rc = rs_events_frame(s, run, "human_input_form_timeout", d, out);
    }
    return rc ? rc : rs_events_frame(s, run, "workflow_finished", finished_data(s, run), out);
}

int rs_events_required(const hitl_refserver *s, const rs_run *run, hitl_buf *out)
{
    return rs_events_frame(s, run, "human_input_required", required_data(s, run), out);
}

int rs_events_paused(const hitl_refserver *s, const rs_run *run, hitl_buf *out)
{
    return rs_events_frame(s, run, "workflow_paused", paused_data(s, run), out);
}

int rs_events_started(const hitl_refserver *s, const rs_run *run, hitl_buf *out)
{
    return rs_events_frame(s, run, "workflow_started", workflow_started(s, run), out);
}

int rs_events_workflow_finished(const hitl_refserver *s, const rs_run *run, hitl_buf *out)
{
    return rs_events_frame(s, run, "workflow_finished", finished_data(s, run), out);
}

int rs_events_finished(const hitl_refserver *s, const rs_run *run, hitl_buf *out)
{
    if (rs_fault_active(s, RS_F_RESUME_FINISHED_REPLAY)) {
        int rc = rs_events_frame(s, run, "workflow_started", workflow_started(s, run), out);
        if (!rc && run->run_status == RS_RUN_SUCCEEDED)
            rc = branch_frames(s, run, run->action, out);
        if (rc)
            return rc;
    }
    return rs_events_frame(s, run, "workflow_finished", finished_data(s, run), out);
}

/* blocking_finished is the blocking answer of a DSL run that finished without a pause (an
 * IF/ELSE branch with no Human Input node): a Chatflow's message with the whole answer, or a
 * Workflow's run with its outputs. */
static cJSON *blocking_finished(const hitl_refserver *s, const rs_run *run)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "task_id", run->task_id);
    if (!is_chatflow(s, run)) {
        cJSON_AddStringToObject(o, "workflow_run_id", run->id);
        cJSON_AddItemToObject(o, "data", finished_data(s, run));
        return o;
    }
    cJSON_AddStringToObject(o, "event", "message");
    cJSON_AddStringToObject(o, "id", run->message_id);
    cJSON_AddStringToObject(o, "message_id", run->message_id);
    cJSON_AddStringToObject(o, "conversation_id", run->conversation_id);
    cJSON_AddStringToObject(o, "mode", "advanced-chat");
    cJSON_AddStringToObject(o, "answer", rs_flow_answer(run->flow));
    cJSON_AddItemToObject(o, "metadata", cJSON_CreateObject());
    cJSON_AddNumberToObject(o, "created_at", (double)run->created_at);
    return o;
}

cJSON *rs_events_blocking(const hitl_refserver *s, const rs_run *run)
{
    if (run->flow && run->run_status == RS_RUN_SUCCEEDED)
        return blocking_finished(s, run);
    cJSON *o = cJSON_CreateObject();
    if (is_chatflow(s, run)) {
        cJSON_AddStringToObject(o, "event", "workflow_paused");
        cJSON_AddStringToObject(o, "task_id", run->task_id);
        cJSON_AddStringToObject(o, "id", run->message_id);
        cJSON_AddStringToObject(o, "message_id", run->message_id);
        cJSON_AddStringToObject(o, "conversation_id", run->conversation_id);
        cJSON_AddStringToObject(o, "mode", "advanced-chat");
        cJSON_AddStringToObject(o, "answer", "");
        cJSON_AddItemToObject(o, "metadata", cJSON_CreateObject());
        cJSON_AddNumberToObject(o, "created_at", (double)run->created_at);
        cJSON_AddStringToObject(o, "workflow_run_id", rs_hostile_event_run_id(s, run->id));
        cJSON_AddItemToObject(o, "data", paused_data(s, run));
        return o;
    }
    cJSON_AddStringToObject(o, "task_id", run->task_id);
    cJSON_AddStringToObject(o, "workflow_run_id", rs_hostile_event_run_id(s, run->id));
    cJSON *d = cJSON_AddObjectToObject(o, "data");
    cJSON_AddStringToObject(d, "id", run->id);
    cJSON_AddStringToObject(d, "workflow_id", s->workflow_ids[run->app]);
    cJSON_AddStringToObject(d, "status", "paused");
    cJSON_AddItemToObject(d, "outputs", outputs_paused(s));
    cJSON_AddNullToObject(d, "error");
    cJSON_AddNumberToObject(d, "elapsed_time", 0.05);
    cJSON_AddNumberToObject(d, "total_tokens", 0);
    cJSON_AddNumberToObject(d, "total_steps", 1);
    cJSON_AddNumberToObject(d, "created_at", (double)run->created_at);
    cJSON_AddNullToObject(d, "finished_at");
    cJSON *nodes = cJSON_AddArrayToObject(d, "paused_nodes");
    cJSON *reasons = cJSON_AddArrayToObject(d, "reasons");
    add_paused(s, run, nodes, reasons);
    return o;
}

/* site mirrors the `site` object Dify's WEB GET test asserts (§4.2). */
static cJSON *site(const hitl_refserver *s, const rs_run *run)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "app_id", s->app_ids[run->app]);
    cJSON_AddStringToObject(o, "mode", is_chatflow(s, run) ? "advanced-chat" : "workflow");
    cJSON_AddNullToObject(o, "end_user_id");
    cJSON_AddTrueToObject(o, "enable_site");
    cJSON *st = cJSON_AddObjectToObject(o, "site");
    cJSON_AddStringToObject(st, "title", "hitl-refserver");
    cJSON_AddStringToObject(st, "chat_color_theme", "light");
    cJSON_AddFalseToObject(st, "chat_color_theme_inverted");
    cJSON_AddStringToObject(st, "icon_type", "emoji");
    cJSON_AddStringToObject(st, "icon", "robot");
    cJSON_AddStringToObject(st, "icon_background", "#fff");
    cJSON_AddNullToObject(st, "icon_url");
    cJSON_AddStringToObject(st, "description", "Reference server for the Human Input API");
    cJSON_AddNullToObject(st, "copyright");
    cJSON_AddNullToObject(st, "privacy_policy");
    cJSON_AddStringToObject(st, "input_placeholder", "");
    cJSON_AddStringToObject(st, "custom_disclaimer", "");
    cJSON_AddStringToObject(st, "default_language", "en-US");
    cJSON_AddFalseToObject(st, "prompt_public");
    cJSON_AddTrueToObject(st, "show_workflow_steps");
    cJSON_AddFalseToObject(st, "use_icon_as_answer_icon");
    cJSON_AddNullToObject(o, "model_config");
    cJSON_AddStringToObject(o, "plan", "basic");
    cJSON_AddFalseToObject(o, "can_replace_logo");
    cJSON *cc = cJSON_AddObjectToObject(o, "custom_config");
    cJSON_AddFalseToObject(cc, "remove_webapp_brand");
    cJSON_AddNullToObject(cc, "replace_webapp_logo");
    return o;
}

char *rs_events_get_body(const hitl_refserver *s, const rs_run *run, int web)
{
    const rs_formdef *f = form_of(s, run);
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    if (web && !rs_fault_active(s, RS_F_WEB_GET_NO_SITE))
        cJSON_AddItemToObject(o, "site", site(s, run));
    if (rs_fault_active(s, RS_F_REGRESS_FORM_UNRENDERED)) { /* dify#38604: the raw template */
        /* A DSL form that names another node's variable (chatflow-ifelse.yml's
         * {{#sys.query#}}) keeps it raw; one that names none (the built-in form) gets an LLM
         * draft's placeholder, so the check's placeholder test has something to see. */
        const char *tmpl = form_of(s, run)->form_content;
        char raw[4096];
        if (strcmp(tmpl, content_of(s, run)))
            snprintf(raw, sizeof raw, "%s", tmpl);
        else
            snprintf(raw, sizeof raw, "%s\n\nDraft: {{#llm_node.text#}}", tmpl);
        cJSON_AddStringToObject(o, "form_content", raw);
    } else {
        cJSON_AddStringToObject(o, "form_content", content_of(s, run));
    }
    cJSON_AddItemToObject(o, "inputs", jdup(f->inputs));
    cJSON *defaults = jdup(f->defaults_str);
    if (rs_fault_active(s, RS_F_DEFAULTS_NOT_STRINGIFIED))
        cJSON_AddNumberToObject(defaults, "retries", 3);
    cJSON_AddItemToObject(o, "resolved_default_values", defaults);
    if (!rs_fault_active(s, RS_F_GET_MISSING_KEY))
        cJSON_AddItemToObject(o, "user_actions", jdup(f->actions));
    int64_t exp =
        run->expiration_time + (rs_fault_active(s, RS_F_GET_EXPIRATION_MISMATCH) ? 3600 : 0);
    cJSON_AddNumberToObject(o, "expiration_time", (double)exp);
    char *txt = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return txt;
}
