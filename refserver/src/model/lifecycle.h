/* lifecycle.h: what happens to a run after its pause: the resumed branch after a submit
 * (§7.4, §9.1) and the timeout sweeper (§10). Both decide under the state lock and publish
 * to the hub after dropping it. */
#ifndef RS_LIFECYCLE_H
#define RS_LIFECYCLE_H

#include "rs.h"

/* rs_lifecycle_resume_job (a clock job, arg = run id) finishes a submitted run and
 * publishes human_input_form_filled, the branch's node events and workflow_finished. */
void rs_lifecycle_resume_job(hitl_refserver *s, const char *run_id);

/* rs_lifecycle_sweep marks every waiting form past its deadline: node timeout → form
 * `timeout`, human_input_form_timeout + workflow_finished (outputs.action "__timeout");
 * global timeout → form `expired`, run stopped, workflow_finished (status "stopped"). */
void rs_lifecycle_sweep(hitl_refserver *s);

#endif
