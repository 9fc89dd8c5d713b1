/* check.c: the check context's reads and verdicts (check.h): PASS, SKIP, ERROR, the
 * setup steps the circuit breaker counts, notes, and waits that end with the run. FAIL and
 * the expectations are expect.c's; HTTP through the context is exchange.c's. */
#include "context.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MSG_MAX 4096u

const hitl_target *hitl_ctx_target(const hitl_check_ctx *ctx)
{
    return ctx->target;
}

hitl_surface hitl_ctx_surface(const hitl_check_ctx *ctx)
{
    return ctx->result->surface;
}

const char *hitl_ctx_id(const hitl_check_ctx *ctx)
{
    return ctx->result->entry->id;
}

void *hitl_ctx_env(const hitl_check_ctx *ctx)
{
    return ctx->opts->env;
}

char *hitl_ctx_vformat(const char *fmt, va_list ap)
{
    char *s = malloc(MSG_MAX);
    if (s)
        vsnprintf(s, MSG_MAX, fmt, ap);
    return s;
}

char *hitl_ctx_format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = hitl_ctx_vformat(fmt, ap);
    va_end(ap);
    return s;
}

/* --- verdicts --- */

bool hitl_check_done(const hitl_check_ctx *ctx)
{
    return ctx->verdict_set && ctx->result->reported != HITL_PASS;
}

void hitl_check_pass(hitl_check_ctx *ctx)
{
    if (!ctx->verdict_set) {
        ctx->result->reported = HITL_PASS;
        ctx->verdict_set = true;
    }
}

__attribute__((format(printf, 3, 0))) static void final_v(hitl_check_ctx *ctx, hitl_verdict v,
                                                          const char *fmt, va_list ap)
{
    if (ctx->verdict_set && ctx->result->reported != HITL_PASS)
        return;
    ctx->result->reported = v;
    ctx->verdict_set = true;
    ctx->result->reason = hitl_ctx_vformat(fmt, ap);
}

void hitl_check_skip(hitl_check_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    final_v(ctx, HITL_SKIP, fmt, ap);
    va_end(ap);
}

void hitl_check_error(hitl_check_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    final_v(ctx, HITL_ERROR, fmt, ap);
    va_end(ap);
}

void hitl_check_setup_error(hitl_check_ctx *ctx, const char *step, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = hitl_ctx_vformat(fmt, ap);
    va_end(ap);
    hitl_check_error(ctx, "precondition (%s): %s", step, msg ? msg : "out of memory");
    /* A failure caused by the run's own stop is no evidence about the target. */
    if (msg && !atomic_load(&ctx->cut))
        hitl_runner_breaker_feed(ctx->rn, step, msg);
    free(msg);
}

void hitl_check_setup_ok(hitl_check_ctx *ctx, const char *step)
{
    hitl_runner_breaker_reset(ctx->rn, step);
}

void hitl_check_note(hitl_check_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *line = hitl_ctx_vformat(fmt, ap);
    va_end(ap);
    if (!line)
        return;
    char *old = ctx->result->notes;
    ctx->result->notes = old ? hitl_ctx_format("%s\n%s", old, line) : strdup(line);
    free(old);
    free(line);
}

void hitl_ctx_secret(hitl_check_ctx *ctx, const char *value, const char *label)
{
    hitl_redactor_add(ctx->redactor, value, label);
}

bool hitl_ctx_one_bucket(hitl_check_ctx *ctx, char *evidence, size_t cap)
{
    return hitl_runner_one_bucket_known(ctx->rn, evidence, cap);
}

void hitl_ctx_one_bucket_found(hitl_check_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *why = hitl_ctx_vformat(fmt, ap);
    va_end(ap);
    if (why)
        hitl_runner_one_bucket_set(ctx->rn, why);
    free(why);
}

void hitl_ctx_sleep_ms(hitl_check_ctx *ctx, long ms, const char *what)
{
    double begin = hitl_ctx_now_s(), end = begin + (double)ms / 1000.0;
    hitl_result *r = ctx->result;
    /* The check's waits, for the critical path (hitl_result.longest_wait). */
    pthread_mutex_lock(&ctx->record_lock);
    if ((double)ms / 1000.0 > r->longest_wait_s) {
        r->longest_wait_s = (double)ms / 1000.0;
        snprintf(r->longest_wait, sizeof r->longest_wait, "%s", what ? what : "a wait");
    }
    pthread_mutex_unlock(&ctx->record_lock);
    for (;;) {
        double left = end - hitl_ctx_now_s();
        if (left <= 0)
            break;
        if (hitl_runner_stopped(ctx->rn)) {
            atomic_store(&ctx->cut, true);
            break;
        }
        if (ctx->opts->on_wait) {
            pthread_mutex_lock(ctx->cb_lock);
            ctx->opts->on_wait(ctx->opts->user, ctx->result, left, what);
            pthread_mutex_unlock(ctx->cb_lock);
        }
        double step = left < 0.5 ? left : 0.5;
        struct timespec ts = {(time_t)step, (long)((step - (double)(time_t)step) * 1e9)};
        nanosleep(&ts, NULL);
    }
    pthread_mutex_lock(&ctx->record_lock);
    r->waited_s += hitl_ctx_now_s() - begin;
    pthread_mutex_unlock(&ctx->record_lock);
}
