/* resume_submit.h: the §9.1 resume sequence across a valid submit, shared by the resume and
 * regress areas. Internal to harness/src/checks. */
#ifndef HITL_CHECKS_RESUME_SUBMIT_H
#define HITL_CHECKS_RESUME_SUBMIT_H

#include "hitl/check.h"
#include "hitl/flow.h"
#include "hitl/stream.h"

/* hitl_chk_resume_across_submit is the §9.1 resume sequence: open the resume stream of |run|, wait
 * for its first frame, submit a valid submission with |action| on the Service API as the
 * run's user, and collect the stream until workflow_finished (after which the server must
 * close it within HITL_CHK_CLOSE_GRACE_MS). The submit's answer is judged before the stream
 * is joined: a submit that is not 200 cancels the stream and is an ERROR at once, naming the
 * answer (a stream waiting for a resume that cannot come would only time out). Returns 0
 * with |out| filled (free it in every case), or non-zero after a SKIP (no valid submission
 * exists for the form) or an ERROR (a precondition failed). */
int hitl_chk_resume_across_submit(hitl_check_ctx *ctx, const hitl_run *run, const char *action,
                                  hitl_stream *out);

#endif
