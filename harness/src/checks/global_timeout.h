/* global_timeout.h: the precondition of the global-timeout checks (§10 "Global cap"): a run
 * started on the global-timeout app and the wait past its global deadline. Internal to
 * harness/src/checks. */
#ifndef HITL_CHECKS_GLOBAL_TIMEOUT_H
#define HITL_CHECKS_GLOBAL_TIMEOUT_H

#include "hitl/check.h"
#include "hitl/flow.h"

#include <stddef.h>

/* hitl_chk_await_global_timeout is the precondition of the global-timeout checks (§10
 * "Global cap", §10.9): it starts a run on hitl_run_env.global_app_key (the target's app
 * when NULL), and waits until the global deadline — the run's start plus
 * --global-timeout — has passed by one second. SKIP (decision 5) when --global-timeout was
 * not given, when the app's node timeout (expiration_time) ends the form first, or when the
 * wait exceeds --max-wait. Returns 0 with |run| paused past its global deadline (*deadline,
 * epoch seconds); non-zero after a SKIP or an ERROR. |run| is the caller's to free always. */
int hitl_chk_await_global_timeout(hitl_check_ctx *ctx, hitl_run *run, long long *deadline);
/* Its two halves, for a check that prepares while the form is still active (§10.7):
 * hitl_chk_global_start starts the run and SKIPs as above, without waiting (0 with |run|
 * paused and *deadline set; non-zero after a SKIP or an ERROR; |run| is the caller's to
 * free always); hitl_chk_global_wait then sleeps until |deadline| + 1 s. */
int hitl_chk_global_start(hitl_check_ctx *ctx, hitl_run *run, long long *deadline);
void hitl_chk_global_wait(hitl_check_ctx *ctx, long long deadline);

/* The Authorization value ("Bearer <key>") of the global-timeout app, for its SVC calls. */
void hitl_chk_global_auth(hitl_check_ctx *ctx, char *out, size_t cap);

#endif
