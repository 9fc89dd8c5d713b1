/* state.h: runs (each with its one form), upload tokens and uploads, under one mutex.
 * Every lookup returns a pointer that is valid only while the caller holds the lock. */
#ifndef RS_STATE_H
#define RS_STATE_H

#include "rs.h"

int rs_state_init(rs_state *st);
void rs_state_free(rs_state *st);
void rs_state_lock(rs_state *st);
void rs_state_unlock(rs_state *st);

/* rs_state_add_run takes ownership of |run| (heap). At |max_runs| the oldest finished run is
 * forgotten; when every run is live it returns HITL_E_TOO_BIG (and frees |run|). Locked. */
int rs_state_add_run(rs_state *st, rs_run *run, size_t max_runs);
rs_run *rs_state_run(rs_state *st, const char *run_id);
/* rs_state_free_run frees a run that was never added (its peers and flow too). */
void rs_state_free_run(rs_run *run);
rs_run *rs_state_run_by_token(rs_state *st, const char *form_token);

/* rs_state_add_form_token makes |token| find |run| too: a two-node app's second form.
 * Locked. 0 or HITL_E_NOMEM. */
int rs_state_add_form_token(rs_state *st, const char *token, rs_run *run);

/* rs_state_add_upload_token records |token| → (|run_id|, |form_id|), forgetting the oldest
 * token at |max|. Locked. 0 or HITL_E_NOMEM. */
int rs_state_add_upload_token(rs_state *st, const char *token, const char *run_id,
                              const char *form_id, size_t max);
/* The run an upload token belongs to (NULL when unknown or the run is gone); |form_id| gets
 * the form it was issued for (the run's current one, or an earlier one of a two-node app).
 * Locked. */
rs_run *rs_state_upload_token_run(rs_state *st, const char *token, char form_id[RS_ID_LEN]);

/* rs_state_add_upload takes ownership of |u| (heap), forgetting the oldest upload at |max|.
 * Locked. 0 or HITL_E_NOMEM (|u| freed). */
int rs_state_add_upload(rs_state *st, rs_upload *u, size_t max);
rs_upload *rs_state_upload(rs_state *st, const char *id);

typedef enum rs_form_check {
    RS_FORM_ACTIVE = 0,
    RS_FORM_IS_SUBMITTED,
    RS_FORM_IS_EXPIRED
} rs_form_check;

/* rs_form_state applies Dify's ensure_form_active order: submitted first, then expired
 * (status timeout/expired, expiration_time <= now, or the global deadline passed). */
rs_form_check rs_form_state(const rs_run *run, int64_t now_s);
/* The same without the global deadline (for the global-timeout-get-only fault). */
rs_form_check rs_form_state_node_only(const rs_run *run, int64_t now_s);

#endif
