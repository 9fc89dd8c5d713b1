/* resume_submit.c: the §9.1 resume sequence across a valid submit (resume_submit.h). */
#include "resume_submit.h"

#include "run_env.h"
#include "valid_submission.h"

#include "hitl/flow.h"
#include "hitl/target.h"

#include <stdlib.h>
#include <string.h>

/* How long the resume stream may take to send its first frame before the submit goes
 * anyway: the submit must not race the stream's opening. */
#define SUBMIT_AFTER_MS 3000L

int hitl_chk_resume_across_submit(hitl_check_ctx *ctx, const hitl_run *run, const char *action,
                                  hitl_stream *out)
{
    const hitl_target *t = hitl_ctx_target(ctx);
    memset(out, 0, sizeof *out);
    /* Uploads first: they must not be what the stream waits on. */
    const hitl_valid_opts vo = {.action = action};
    char *body = hitl_chk_valid_body(ctx, run, &vo);
    if (!body)
        return HITL_E_STATE;
    hitl_stream_opts so = {.total_ms = t->max_wait_s * 1000L + HITL_CHK_CLOSE_GRACE_MS,
                           .stop = hitl_flow_stop_after_finished,
                           .close_within_ms = HITL_CHK_CLOSE_GRACE_MS};
    hitl_stream_async *a = NULL;
    int rc = hitl_flow_resume_open(ctx, run->workflow_run_id, run->user, NULL, NULL, &so, &a);
    if (rc) {
        free(body);
        hitl_check_error(ctx, "could not open the resume stream (%s)", hitl_status_name(rc));
        return rc;
    }
    long wait_ms = (SUBMIT_AFTER_MS < t->timeout_ms ? SUBMIT_AFTER_MS : t->timeout_ms);
    if (hitl_stream_wait_frames(a, 1, wait_ms) == 0)
        hitl_check_note(ctx,
                        "the resume stream sent no frame within %.1f s of opening (no ping); "
                        "submitted anyway",
                        (double)wait_ms / 1000.0);
    hitl_http_response resp;
    rc = hitl_flow_submit(ctx, run->form_token, body, &resp);
    free(body);
    if (rc || resp.status != 200) {
        if (!rc)
            hitl_check_error(ctx,
                             "precondition: the valid submit answered HTTP %ld, not 200 (§7.4): "
                             "%.200s",
                             resp.status, hitl_buf_str(&resp.body));
        hitl_http_response_free(&resp);
        hitl_stream_cancel(a);
        hitl_stream_join(a, out);
        return rc ? rc : HITL_E_STATE;
    }
    hitl_http_response_free(&resp);
    int jrc = hitl_stream_join(a, out);
    if (jrc)
        hitl_check_error(ctx, "collecting the resume stream failed (%s)", hitl_status_name(jrc));
    return jrc;
}
