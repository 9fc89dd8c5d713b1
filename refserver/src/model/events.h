/* events.h: the JSON bodies of a run: SSE event frames (§2, §9), the blocking pause
 * payload, and the form GET bodies (§4.2). The fault switches that change a payload are
 * applied here, in one place each. All take a copy of the run (no lock needed). */
#ifndef RS_EVENTS_H
#define RS_EVENTS_H

#include "hitl/buf.h"
#include "rs.h"

/* Each rs_events_* stream builder appends `data: <json>\n\n` frames to |out| and returns
 * 0 or a hitl_status. */

/* workflow_started, (Chatflow) a message of the Answer node before the Human Input node,
 * node_started, human_input_required, workflow_paused (§2). */
int rs_events_start(const hitl_refserver *s, const rs_run *run, hitl_buf *out);
/* include_state_snapshot replay: workflow_started, node_started, node_finished (paused),
 * human_input_required, workflow_paused (§9.1). */
int rs_events_snapshot(const hitl_refserver *s, const rs_run *run, hitl_buf *out);
/* After a submit: human_input_form_filled, node_started/node_finished of branch_<action>,
 * (Chatflow) the branch's message, workflow_finished (outputs {"action": <action>}).
 * |submitted| is borrowed. */
int rs_events_resumed(const hitl_refserver *s, const rs_run *run, const char *action_id,
                      const cJSON *submitted, hitl_buf *out);
/* After the first form of a two-node app's run was submitted: human_input_form_filled of
 * the first node (|first|: the run as it waited there, with its submitted_action and
 * branch), that branch's node events, node_started of the second Human Input node, its
 * human_input_required (|next|: the run as it now waits, new form and token) and
 * workflow_paused. |submitted| is borrowed. */
int rs_events_repaused(const hitl_refserver *s, const rs_run *first, const rs_run *next,
                       const cJSON *submitted, hitl_buf *out);
/* After a submit's workflow_finished, a Chatflow's message_end (nothing for a Workflow app):
 * Dify's pipeline yields workflow_finished first and message_end after it, so a resume
 * stream that ends on workflow_finished (continue_on_pause not true) never carries it. */
int rs_events_message_end(const hitl_refserver *s, const rs_run *run, hitl_buf *out);
/* After a node timeout: human_input_form_timeout then workflow_finished (__timeout). */
int rs_events_timeout(const hitl_refserver *s, const rs_run *run, hitl_buf *out);
/* One workflow_finished frame (status succeeded with outputs.action, or stopped). */
int rs_events_workflow_finished(const hitl_refserver *s, const rs_run *run, hitl_buf *out);
/* The frame(s) a resume of a finished run serves: one workflow_finished (§9.1). */
int rs_events_finished(const hitl_refserver *s, const rs_run *run, hitl_buf *out);

/* The pieces a DSL run's events are made of (flow.c), each in the shape the built-in flow
 * uses. rs_events_frame appends {event: |name|, task_id, workflow_run_id[, Chatflow
 * envelope], data: |data|} (|data| consumed). rs_events_node builds node_started's data, or
 * node_finished's when |status| is given. rs_events_message appends a Chatflow `message`
 * (nothing for a Workflow app). rs_events_required/_paused/_started/_filled append
 * human_input_required (the form |run| waits at), workflow_paused (|run| the run's first
 * record: every waiting form of a DSL run), workflow_started, human_input_form_filled. */
int rs_events_frame(const hitl_refserver *s, const rs_run *run, const char *name, cJSON *data,
                    hitl_buf *out);
cJSON *rs_events_node(const rs_run *run, const char *exec_id, const char *node_id, const char *type,
                      const char *title, int index, const char *status);
int rs_events_message(const hitl_refserver *s, const rs_run *run, const char *answer,
                      hitl_buf *out);
int rs_events_required(const hitl_refserver *s, const rs_run *run, hitl_buf *out);
int rs_events_paused(const hitl_refserver *s, const rs_run *run, hitl_buf *out);
int rs_events_started(const hitl_refserver *s, const rs_run *run, hitl_buf *out);
int rs_events_filled(const hitl_refserver *s, const rs_run *run, const char *action_id,
                     const cJSON *submitted, hitl_buf *out);

/* The blocking-mode body of a paused run (§2, Workflow and Chatflow variants). */
cJSON *rs_events_blocking(const hitl_refserver *s, const rs_run *run);
/* The form GET body; |web| adds `site` (§4.2). Returns a malloc'd string or NULL. */
char *rs_events_get_body(const hitl_refserver *s, const rs_run *run, int web);

#endif
