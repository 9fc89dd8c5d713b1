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

_Static_assert(HITL_LIMITER_GET == 1u << HITL_PACE_GET &&
                   HITL_LIMITER_SUBMIT == 1u << HITL_PACE_SUBMIT &&
                   HITL_LIMITER_TOKEN == 1u << HITL_PACE_TOKEN,
               "check.h's limiter bits are the pacer's kinds");

#define HOLD_POLL_MS 250L
#define JOIN_DEFER_POLLS 4 /* 1 s */
#define HOLD_WAIT "another rate-limit check holds the WEB form limiter (one source address)"

bool hitl_ctx_limiters_hold(hitl_check_ctx *ctx, unsigned hold, unsigned empty, const char *what)
{
    if (!hitl_runner_paced(ctx->rn))
        return false;
    hitl_pacer *p = hitl_runner_pacer(ctx->rn);
    unsigned need = hold & ~ctx->held;
    while (need && !hitl_runner_stopped(ctx->rn) && !hitl_pacer_hold(p, need, hitl_ctx_now_s()))
        hitl_ctx_sleep_ms(ctx, HOLD_POLL_MS, HOLD_WAIT);
    if (hitl_runner_stopped(ctx->rn)) {
        atomic_store(&ctx->cut, true);
        return true;
    }
    ctx->held |= need;
    double left = hitl_pacer_empty_at(p, empty) - hitl_ctx_now_s();
    if (left > 0)
        hitl_ctx_sleep_ms(ctx, (long)(left * 1000.0) + 1, what);
    return true;
}

bool hitl_ctx_limiter_hold_room(hitl_check_ctx *ctx, unsigned limiter, double in_s,
                                const char *what)
{
    if (!hitl_ctx_limiters_hold(ctx, limiter, 0, what))
        return false;
    double left =
        hitl_pacer_room_at(hitl_runner_pacer(ctx->rn), limiter) - (hitl_ctx_now_s() + in_s);
    if (left > 0 && !hitl_runner_stopped(ctx->rn))
        hitl_ctx_sleep_ms(ctx, (long)(left * 1000.0) + 1, what);
    return true;
}

void hitl_ctx_limiters_release(hitl_check_ctx *ctx, unsigned mask)
{
    mask &= ctx->held;
    if (mask)
        hitl_pacer_release(hitl_runner_pacer(ctx->rn), mask);
    ctx->held &= ~mask;
}

void hitl_ctx_full_get_publish(hitl_check_ctx *ctx, double first_s, double full_s)
{
    if (ctx->held & HITL_LIMITER_GET)
        hitl_pacer_publish_full_get(hitl_runner_pacer(ctx->rn), first_s, full_s,
                                    ctx->result->entry->id);
}

bool hitl_ctx_full_get_join(hitl_check_ctx *ctx, unsigned hold, double need_s, double *first_s,
                            double *full_s, char *by, size_t by_cap)
{
    if (!hitl_runner_paced(ctx->rn) || ctx->held & HITL_LIMITER_GET)
        return false;
    hitl_pacer *p = hitl_runner_pacer(ctx->rn);
    /* Whichever comes first: a full bucket to join (another check filled it), or the hold
     * of the buckets to fill one itself; the latter not at once, so that a check that fills
     * one anyway (ratelimit.get.limit, its subject) goes first when both start together. */
    for (int polls = 0;; polls++) {
        if (hitl_pacer_join_full_get(p, hitl_ctx_now_s(), need_s, first_s, full_s, by, by_cap)) {
            ctx->held |= HITL_LIMITER_GET;
            return true;
        }
        if (hitl_runner_stopped(ctx->rn))
            return false;
        unsigned need = hold & ~ctx->held;
        if (polls >= JOIN_DEFER_POLLS && (!need || hitl_pacer_hold(p, need, hitl_ctx_now_s()))) {
            ctx->held |= need;
            return false;
        }
        hitl_ctx_sleep_ms(ctx, HOLD_POLL_MS, HOLD_WAIT);
    }
}
