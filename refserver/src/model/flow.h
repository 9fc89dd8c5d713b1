/* flow.h: a run of an --app-dsl app, executed from its graph (dsl_app.h): Start, IF/ELSE,
 * Answer (a Chatflow `message`), End (the workflow's outputs) and Human Input nodes, which
 * pause the run with their own form. Two nodes reached together (parallel branches) pause
 * together: one workflow_paused lists both forms, each with its own token, and the run goes
 * on when each is submitted (or timed out) and finishes when no branch is left.
 *
 * A run is one rs_run record per form it has shown: the first record (in the state's run map,
 * holding the rs_flow) and its |peer| chain (reached by token only). Each record keeps the
 * run's ids, so every existing endpoint serves a DSL form unchanged. Runs of the built-in flow
 * (no DSL) never come here. */
#ifndef RS_FLOW_H
#define RS_FLOW_H

#include "hitl/buf.h"
#include "rs.h"

#define RS_FLOW_MAX_FORMS 32   /* form records per run: a graph with more refuses the run */
#define RS_FLOW_MAX_STEPS 1024 /* node executions per run: a loop cannot run for ever */

void rs_flow_free(rs_flow *f);

/* rs_flow_start executes the new run |run| (not yet in the state) of a DSL app from its
 * Start node, appending the start stream's frames to |out|: workflow_started, each node's
 * events, then workflow_paused at the Human Input nodes reached (the first uses |run|'s form
 * fields, others become its peers), or workflow_finished (and a Chatflow's message_end)
 * when none is. |query| is sys.query (a Chatflow's query; NULL for a Workflow). */
int rs_flow_start(hitl_refserver *s, rs_run *run, const char *query, hitl_buf *out);

/* rs_flow_resume (the clock job after a submit to a form of run |run_id|) goes on from each
 * submitted form along the edge whose sourceHandle is the action, and publishes the events. */
void rs_flow_resume(hitl_refserver *s, const char *run_id);

/* 1 when a waiting form of |run| (its first record; state lock held) is past its node
 * timeout or the global deadline at |now|. */
int rs_flow_due(const hitl_refserver *s, const rs_run *run, int64_t now);

/* rs_flow_sweep times out the due forms of run |run_id|: a node timeout follows the
 * `__timeout` edge; the global deadline stops the run. Publishes the events. */
void rs_flow_sweep(hitl_refserver *s, const char *run_id);

/* Adds the outputs the run's End nodes produced to |outputs|, and `answer` (the Answer nodes'
 * texts joined) once an Answer node ran. */
void rs_flow_outputs(const rs_flow *f, cJSON *outputs);

/* The text the run's Answer nodes streamed so far, joined ("" when none). */
const char *rs_flow_answer(const rs_flow *f);

/* The first record of |run|'s chain whose form waits, or |run| when none does. */
const rs_run *rs_flow_waiting(const rs_run *run);

#endif
