/* run_env.h: what the whole run shares with a check (the run environment of flow.h: the
 * fixture server, --blocked-extension…), the wall clock, and how long the target may take to
 * end a stream or sweep an expired form. Internal to harness/src/checks. */
#ifndef HITL_CHECKS_RUN_ENV_H
#define HITL_CHECKS_RUN_ENV_H

#include "hitl/check.h"
#include "hitl/flow.h"

/* The server ends a stream "after relaying workflow_finished or workflow_paused" (§2, §9.1):
 * how long the harness gives it to actually close. */
#define HITL_CHK_CLOSE_GRACE_MS 5000L
/* The timeout sweeper runs every HUMAN_INPUT_TIMEOUT_TASK_INTERVAL minutes (default 1, §10):
 * the longest its outcome (human_input_form_timeout, a stopped run) may lag a deadline, plus
 * slack. */
#define HITL_CHK_SWEEP_ALLOWANCE_S 65LL

/* The run environment. */
const hitl_run_env *hitl_chk_env(hitl_check_ctx *ctx);

/* Seconds since the epoch (wall clock), for expiration comparisons. */
long long hitl_chk_now(void);

/* The first extension of the target's upload blacklist the user named (--blocked-extension;
 * lower case, no dot), or NULL when none was named. */
const char *hitl_chk_blocked_extension(hitl_check_ctx *ctx);

#endif
