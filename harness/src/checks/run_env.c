/* run_env.c: see run_env.h. */
#include "run_env.h"

#include <time.h>

const hitl_run_env *hitl_chk_env(hitl_check_ctx *ctx)
{
    return hitl_ctx_env(ctx);
}

long long hitl_chk_now(void)
{
    return (long long)time(NULL);
}

const char *hitl_chk_blocked_extension(hitl_check_ctx *ctx)
{
    const hitl_run_env *env = hitl_chk_env(ctx);
    return env && env->n_blocked_extensions ? env->blocked_extensions[0] : NULL;
}
