/* validate.h: submit validation (§7.3), with Dify's exact invalid_form_data messages. */
#ifndef RS_VALIDATE_H
#define RS_VALIDATE_H

#include "rs.h"

/* The fault inline-remote-failure-500's answer to an inline fetch failure: a server error. */
#define RS_VALIDATE_SERVER_ERROR HITL_E_NETWORK

typedef struct rs_submission {
    const cJSON *inputs;    /* the submitted `inputs` object */
    const char *action;     /* the submitted `action` */
    const char *scope_user; /* local_file uploads must belong to this end user */
} rs_submission;

/* rs_validate_submit checks |sub| against the form of |run| (a copy). Order: field checks in
 * definition order (select, file mapping, local upload lookups, number_limits, type and
 * extension), then `Invalid action`, then `Missing required inputs`, then the inline
 * remote_url fetches (last, so a submission that is already invalid fetches nothing); any
 * fetch failure, non-200, over-size or disallowed type rejects the submission (normative
 * decision 2). Returns 0, or HITL_E_INVALID with the message in |msg|, or (fault
 * inline-remote-failure-500 only) RS_VALIDATE_SERVER_ERROR for a fetch's failure, which the
 * caller answers with a 500. Takes the state lock briefly; never called with it held. */
int rs_validate_submit(hitl_refserver *s, const rs_run *run, const rs_submission *sub, char *msg,
                       size_t cap);

#endif
