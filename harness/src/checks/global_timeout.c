/* global_timeout.c: see global_timeout.h. */
#include "global_timeout.h"
#include "run_env.h"

#include <stdio.h>
#include <string.h>

int hitl_chk_await_global_timeout(hitl_check_ctx *ctx, hitl_run *run, long long *deadline)
{
    int rc = hitl_chk_global_start(ctx, run, deadline);
    if (!rc)
        hitl_chk_global_wait(ctx, *deadline);
    return rc;
}

void hitl_chk_global_wait(hitl_check_ctx *ctx, long long deadline)
{
    long long now = hitl_chk_now();
    if (deadline + 1 > now)
        hitl_ctx_sleep_ms(ctx, (long)(deadline + 1 - now) * 1000L,
                          "the run's global timeout (+1 s)");
}

int hitl_chk_global_start(hitl_check_ctx *ctx, hitl_run *run, long long *deadline)
{
    const hitl_target *t = hitl_ctx_target(ctx);
    const char *key = hitl_chk_env(ctx)->global_app_key;
    memset(run, 0, sizeof *run);
    if (t->global_timeout_s <= 0) {
        hitl_check_skip(ctx, "the target's HUMAN_INPUT_GLOBAL_TIMEOUT_SECONDS is not known: give "
                             "it as --global-timeout S (set low on a test deployment, "
                             "docs/expiry.md)");
        return HITL_E_UNSUPPORTED;
    }
    if (hitl_flow_start_as(ctx, key, run))
        return HITL_E_STATE;
    /* The run was created before its first event reached us: counting from now is late,
     * never early, so the deadline has surely passed when the wait ends. */
    long long now = hitl_chk_now();
    *deadline = now + t->global_timeout_s;
    if (run->expiration_time > 0 && run->expiration_time <= *deadline) {
        hitl_check_skip(ctx,
                        "the app's node timeout ends the form first (expiration_time %lld, "
                        "global deadline about %lld): point --global-timeout-key at an app "
                        "whose Human Input node timeout is longer than --global-timeout %ld",
                        (long long)run->expiration_time, *deadline, t->global_timeout_s);
        return HITL_E_UNSUPPORTED;
    }
    if (t->global_timeout_s + 1 > t->max_wait_s) {
        hitl_check_skip(ctx,
                        "waiting for the global timeout (%ld s) needs --max-wait %ld or more "
                        "(now %ld)",
                        t->global_timeout_s, t->global_timeout_s + 1, t->max_wait_s);
        return HITL_E_UNSUPPORTED;
    }
    return HITL_OK;
}

void hitl_chk_global_auth(hitl_check_ctx *ctx, char *out, size_t cap)
{
    const char *key = hitl_chk_env(ctx)->global_app_key;
    if (!key)
        key = hitl_ctx_target(ctx)->api_key;
    snprintf(out, cap, "Bearer %s", key ? key : "");
}
