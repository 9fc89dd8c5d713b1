/* scheduler.c: runs the checks (scheduler.h): a pool of --jobs workers, a thread of its
 * own for each slow check, the exclusive checks alone at the end; the run's stop (deadline
 * watchdog, circuit breaker); and each finished result judged (severity, recorded
 * deviations) and redacted. */
#include "context.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STOP_REASON_MAX 1024u
#define BREAKER_STEPS 8      /* distinct setup steps the circuit breaker tells apart */
#define BREAKER_SIG_MAX 512u /* bytes of a failure's message it compares */

/* --- redaction of a finished result --- */

static void redact_str(hitl_redactor *r, char **s)
{
    if (*s) {
        char *red = hitl_redactor_apply(r, *s);
        free(*s);
        *s = red;
    }
}

static void redact_result(hitl_redactor *red, hitl_result *r)
{
    redact_str(red, &r->reason);
    redact_str(red, &r->expected);
    redact_str(red, &r->actual);
    redact_str(red, &r->notes);
    redact_str(red, &r->judged_code);
    redact_str(red, &r->judged_message);
    for (size_t i = 0; i < r->n_exchanges; i++) {
        hitl_exchange *x = &r->exchanges[i];
        redact_str(red, &x->url);
        redact_str(red, &x->request_headers);
        redact_str(red, &x->request_body);
        redact_str(red, &x->response_headers);
        redact_str(red, &x->response_body);
        redact_str(red, &x->error);
    }
}

/* --- the runner --- */

/* One setup step's run of identical failures (the circuit breaker). */
typedef struct streak {
    char step[64];
    char sig[BREAKER_SIG_MAX]; /* the failure's message, digit runs as '#' */
    int count;
} streak;

struct runner {
    const hitl_target *target;
    hitl_http *http;
    hitl_redactor *redactor;
    const hitl_scheduler_options *opts;
    hitl_results *out;
    pthread_mutex_t lock; /* next-index, callbacks, the breaker, the stop reason */
    size_t next;
    size_t *order; /* indexes into out->items to run in parallel */
    size_t n_order;
    /* The run's stop: set once (deadline or circuit breaker), read by every request of
     * every check (hitl_http_request.run_stop). |stop_reason| is written before it. */
    atomic_int stop;
    char stop_reason[STOP_REASON_MAX];
    streak streaks[BREAKER_STEPS];
    /* The deadline's watchdog waits on |wake| until |deadline| (opts->deadline_at, moved
     * by the exclusive phase's budget) or the run's end. */
    pthread_cond_t wake;
    struct timespec deadline;
    bool finished;
    /* The one-bucket fact (hitl_runner_one_bucket_set): |one_bucket_evidence| is written,
     * under |lock|, before the flag. Once set, every WEB form request of the checks that
     * share the target's buckets goes through |pacer|. */
    double started_at; /* the run's start (CLOCK_MONOTONIC seconds) */
    atomic_bool one_bucket;
    char one_bucket_evidence[1536];
    hitl_pacer pacer;
};

bool hitl_runner_stopped(const runner *rn)
{
    return rn && atomic_load(&rn->stop);
}

/* The flag a check's requests carry: the run's stop. */
const atomic_int *hitl_runner_stop_flag(const runner *rn)
{
    return rn ? &rn->stop : NULL;
}

bool hitl_runner_one_bucket_known(runner *rn, char *evidence, size_t cap)
{
    if (!rn || !atomic_load(&rn->one_bucket))
        return false;
    if (evidence && cap) {
        pthread_mutex_lock(&rn->lock);
        snprintf(evidence, cap, "%s", rn->one_bucket_evidence);
        pthread_mutex_unlock(&rn->lock);
    }
    return true;
}

void hitl_runner_one_bucket_set(runner *rn, const char *evidence)
{
    if (!rn)
        return;
    pthread_mutex_lock(&rn->lock);
    bool first = !atomic_load(&rn->one_bucket);
    if (first) {
        snprintf(rn->one_bucket_evidence, sizeof rn->one_bucket_evidence, "%s", evidence);
        atomic_store(&rn->one_bucket, true);
    }
    pthread_mutex_unlock(&rn->lock);
    /* What was sent before the fact was known may fill the bucket for a window yet. */
    if (first)
        hitl_pacer_fill(&rn->pacer, -1, hitl_ctx_now_s());
}

hitl_pacer *hitl_runner_pacer(runner *rn)
{
    return rn ? &rn->pacer : NULL;
}

bool hitl_runner_paced(runner *rn)
{
    return rn && (rn->opts->pace_web || atomic_load(&rn->one_bucket));
}

/* Stops the run with |reason| (the first stop wins). Called with rn->lock held. */
static void stop_locked(runner *rn, const char *reason)
{
    if (atomic_load(&rn->stop))
        return;
    snprintf(rn->stop_reason, sizeof rn->stop_reason, "%s", reason);
    atomic_store(&rn->stop, 1);
}

/* |msg| with every run of digits as one '#': "after 12 frames" and "after 13 frames" are
 * the same failure. */
static void signature(const char *msg, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = msg; *p && n + 1 < cap; p++) {
        if (isdigit((unsigned char)*p)) {
            if (n == 0 || out[n - 1] != '#')
                out[n++] = '#';
            continue;
        }
        out[n++] = *p;
    }
    out[n] = '\0';
}

static streak *streak_of(runner *rn, const char *step)
{
    streak *free_slot = NULL;
    for (size_t i = 0; i < BREAKER_STEPS; i++) {
        if (!strcmp(rn->streaks[i].step, step))
            return &rn->streaks[i];
        if (!free_slot && !rn->streaks[i].step[0])
            free_slot = &rn->streaks[i];
    }
    if (free_slot) {
        snprintf(free_slot->step, sizeof free_slot->step, "%s", step);
        free_slot->count = 0;
        free_slot->sig[0] = '\0';
    }
    return free_slot;
}

void hitl_runner_breaker_feed(runner *rn, const char *step, const char *msg)
{
    if (!rn)
        return;
    char sig[BREAKER_SIG_MAX];
    signature(msg, sig, sizeof sig);
    pthread_mutex_lock(&rn->lock);
    streak *st = streak_of(rn, step);
    if (st) {
        if (st->count > 0 && !strcmp(st->sig, sig)) {
            st->count++;
        } else {
            st->count = 1;
            snprintf(st->sig, sizeof st->sig, "%s", sig);
        }
        if (st->count >= HITL_SCHEDULER_BREAKER_N) {
            char reason[STOP_REASON_MAX];
            snprintf(reason, sizeof reason,
                     "circuit breaker: the setup step \"%s\" failed the same way for %d checks "
                     "in a row: %.700s",
                     step, st->count, msg);
            stop_locked(rn, reason);
            pthread_cond_broadcast(&rn->wake);
        }
    }
    pthread_mutex_unlock(&rn->lock);
}

void hitl_runner_breaker_reset(runner *rn, const char *step)
{
    if (!rn)
        return;
    pthread_mutex_lock(&rn->lock);
    streak *st = streak_of(rn, step);
    if (st)
        st->count = 0;
    pthread_mutex_unlock(&rn->lock);
}

/* The deadline's watchdog: stops the run when opts->deadline_at passes first. */
static void *watchdog(void *arg)
{
    runner *rn = arg;
    pthread_mutex_lock(&rn->lock);
    while (!rn->finished && !atomic_load(&rn->stop)) {
        /* Woken early when the deadline moved (the exclusive phase) or the run ended. */
        if (pthread_cond_timedwait(&rn->wake, &rn->lock, &rn->deadline) == ETIMEDOUT &&
            !rn->finished &&
            hitl_ctx_now_s() >= (double)rn->deadline.tv_sec + (double)rn->deadline.tv_nsec / 1e9) {
            char reason[STOP_REASON_MAX];
            snprintf(reason, sizeof reason, "run deadline reached (%s)",
                     rn->opts->deadline_what ? rn->opts->deadline_what : "--deadline");
            stop_locked(rn, reason);
        }
    }
    pthread_mutex_unlock(&rn->lock);
    return NULL;
}

/* A FAIL/WARN whose judged response matches a recorded deviation of its check and surface
 * names it; under the dify profile it is KNOWN (genuine Dify does exactly this). Matched
 * before redaction: the texts are the ones the deviation was written from. */
static void apply_deviations(const hitl_scheduler_options *opts, hitl_result *r)
{
    if (r->verdict != HITL_FAIL && r->verdict != HITL_WARN)
        return;
    hitl_deviation_subject s = {.check = r->entry->id,
                                .surface = r->surface,
                                .status = r->judged_status,
                                .code = r->judged_code,
                                .message = r->judged_message,
                                .expected = r->expected,
                                .actual = r->actual};
    r->deviation = hitl_deviations_match(opts->deviations, &s);
    if (r->deviation && opts->profile == HITL_PROFILE_DIFY)
        r->verdict = HITL_KNOWN;
}

/* Ends |r| unrun: the run stopped before it started. */
static void skip_stopped(runner *rn, hitl_result *r)
{
    pthread_mutex_lock(&rn->lock);
    char *reason = hitl_ctx_format("%s; this check was not started", rn->stop_reason);
    r->verdict = r->reported = HITL_ERROR;
    r->reason = hitl_redactor_apply(rn->redactor, reason ? reason : "the run stopped");
    free(reason);
    r->not_run = true;
    rn->out->not_run++;
    rn->out->count[HITL_ERROR]++;
    if (rn->opts->on_done)
        rn->opts->on_done(rn->opts->user, r);
    pthread_mutex_unlock(&rn->lock);
}

/* A check the run's stop cut short: its own conclusion (often a FAIL or an ERROR made of
 * the cancelled request) is kept as a note; the verdict is the stop's ERROR. */
static void cut_short(runner *rn, hitl_result *r)
{
    pthread_mutex_lock(&rn->lock);
    char *reason = hitl_ctx_format("%s; this check was cancelled while it ran", rn->stop_reason);
    pthread_mutex_unlock(&rn->lock);
    char *had = NULL;
    if (r->reported == HITL_FAIL)
        had = hitl_ctx_format("before it was cancelled the check had found: expected %s; actual %s",
                              r->expected ? r->expected : "", r->actual ? r->actual : "");
    else if (r->reason)
        had = hitl_ctx_format("before it was cancelled the check had ended: %s", r->reason);
    free(r->reason);
    free(r->expected);
    free(r->actual);
    r->expected = r->actual = NULL;
    r->reason = reason;
    r->reported = HITL_ERROR;
    if (had && r->notes) {
        char *both = hitl_ctx_format("%s\n%s", r->notes, had);
        free(r->notes);
        free(had);
        r->notes = both;
    } else if (had) {
        r->notes = had;
    }
}

static void run_one(runner *rn, hitl_result *r, size_t index)
{
    if (hitl_runner_stopped(rn)) {
        skip_stopped(rn, r);
        return;
    }
    if (rn->opts->on_start) {
        pthread_mutex_lock(&rn->lock);
        rn->opts->on_start(rn->opts->user, r);
        pthread_mutex_unlock(&rn->lock);
    }
    hitl_check_ctx ctx = {.rn = rn,
                          .target = rn->target,
                          .http = rn->http,
                          .redactor = rn->redactor,
                          .opts = rn->opts,
                          .cb_lock = &rn->lock,
                          .result = r,
                          .thread = pthread_self()};
    pthread_mutex_init(&ctx.record_lock, NULL);
    atomic_init(&ctx.cut, false);
    if (rn->opts->distinct_sources) /* 127.0.0.10 … 127.0.0.249; .2 stays free for per-IP checks */
        snprintf(ctx.source_ip, sizeof ctx.source_ip, "127.0.0.%zu", 10 + index % 240);
    double start = hitl_ctx_now_s();
    if (!(ctx.target->surfaces & (int)r->surface)) {
        hitl_check_skip(&ctx, "surface %s not selected (--surface)", hitl_surface_name(r->surface));
    } else {
        r->entry->impl->run(&ctx);
        if (!ctx.verdict_set) {
            if (r->assertions > 0)
                hitl_check_pass(&ctx);
            else
                hitl_check_error(&ctx, "the check ended without asserting anything (harness bug)");
        }
    }
    if (ctx.held) /* the buckets it held are the others' again */
        hitl_pacer_release(&rn->pacer, ctx.held);
    r->seconds = hitl_ctx_now_s() - start;
    r->ended_at = hitl_ctx_now_s() - rn->started_at;
    pthread_mutex_destroy(&ctx.record_lock);
    if (atomic_load(&ctx.cut))
        cut_short(rn, r);
    r->verdict = r->reported;
    if (r->reported == HITL_FAIL && r->entry->severity == HITL_SHOULD && !rn->target->strict)
        r->verdict = HITL_WARN;
    apply_deviations(rn->opts, r);
    redact_result(rn->redactor, r);
    pthread_mutex_lock(&rn->lock);
    rn->out->count[r->verdict]++;
    if (rn->opts->on_done)
        rn->opts->on_done(rn->opts->user, r);
    pthread_mutex_unlock(&rn->lock);
}

static void *worker(void *arg)
{
    runner *rn = arg;
    for (;;) {
        pthread_mutex_lock(&rn->lock);
        size_t i = rn->next < rn->n_order ? rn->order[rn->next++] : SIZE_MAX;
        pthread_mutex_unlock(&rn->lock);
        if (i == SIZE_MAX)
            return NULL;
        run_one(rn, &rn->out->items[i], i);
    }
}

/* A slow check on a thread of its own (see hitl_scheduler_run). */
#define MAX_SLEEPERS 64
typedef struct sleeper {
    runner *rn;
    size_t index;
    pthread_t thread;
    bool started;
} sleeper;

static void *sleeper_main(void *arg)
{
    sleeper *sl = arg;
    run_one(sl->rn, &sl->rn->out->items[sl->index], sl->index);
    return NULL;
}

static bool is_slow(const hitl_catalog_entry *e)
{
    for (size_t t = 0; t < e->n_tags; t++)
        if (!strcmp(e->tags[t], "slow"))
            return true;
    return false;
}

/* Moves the run's deadline to at least now + |seconds| (the exclusive checks' budget,
 * hitl_scheduler_options.exclusive_check_s); nothing without a deadline or a budget. */
static void extend_deadline(runner *rn, long seconds)
{
    if (seconds <= 0 || (!rn->opts->deadline_at.tv_sec && !rn->opts->deadline_at.tv_nsec))
        return;
    struct timespec ext;
    clock_gettime(CLOCK_MONOTONIC, &ext);
    ext.tv_sec += (time_t)seconds;
    pthread_mutex_lock(&rn->lock);
    if (ext.tv_sec > rn->deadline.tv_sec)
        rn->deadline = ext;
    pthread_cond_broadcast(&rn->wake);
    pthread_mutex_unlock(&rn->lock);
}

static int build_instances(const hitl_catalog *cat, const bool *selected, hitl_results *out,
                           hitl_err *err)
{
    size_t n = 0;
    for (size_t i = 0; i < cat->n; i++)
        if (selected[i])
            n += (cat->entries[i].surfaces & HITL_SURFACE_SERVICE ? 1 : 0) +
                 (cat->entries[i].surfaces & HITL_SURFACE_WEB ? 1 : 0);
    out->items = calloc(n ? n : 1, sizeof *out->items);
    if (!out->items)
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory");
    for (size_t i = 0; i < cat->n; i++) {
        if (!selected[i])
            continue;
        static const hitl_surface order[] = {HITL_SURFACE_SERVICE, HITL_SURFACE_WEB};
        for (size_t s = 0; s < 2; s++)
            if (cat->entries[i].surfaces & (int)order[s]) {
                hitl_result *r = &out->items[out->n++];
                r->entry = &cat->entries[i];
                r->surface = order[s];
            }
    }
    return HITL_OK;
}

int hitl_scheduler_run(const hitl_catalog *cat, const bool *selected, const hitl_target *target,
                       hitl_http *http, hitl_redactor *redactor, const hitl_scheduler_options *opts,
                       hitl_results *out, hitl_err *err)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < cat->n; i++)
        if (selected[i] && !cat->entries[i].impl)
            return hitl_err_set(err, HITL_E_STATE, "check %s has no implementation bound",
                                cat->entries[i].id);
    int rc = build_instances(cat, selected, out, err);
    if (rc)
        return rc;
    runner rn = {.target = target, .http = http, .redactor = redactor, .opts = opts, .out = out};
    pthread_mutex_init(&rn.lock, NULL);
    atomic_init(&rn.stop, 0);
    atomic_init(&rn.one_bucket, false);
    hitl_pacer_init(&rn.pacer, target->rate_max, target->rate_window_s);
    if (opts->one_bucket) { /* learnt before the run (hitl_sources_verify): its GET bucket */
        snprintf(rn.one_bucket_evidence, sizeof rn.one_bucket_evidence, "%s", opts->one_bucket);
        atomic_store(&rn.one_bucket, true);
        hitl_pacer_fill(&rn.pacer, HITL_PACE_GET, hitl_ctx_now_s());
    }
    if (opts->pace_web && !opts->one_bucket) /* the preflight's requests, just sent, count */
        for (int k = 0; k < HITL_PACE_KINDS; k++)
            hitl_pacer_note(&rn.pacer, (hitl_pace_kind)k, hitl_ctx_now_s());
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* deadline_at is monotonic */
    pthread_cond_init(&rn.wake, &ca);
    pthread_condattr_destroy(&ca);
    rn.order = calloc(out->n ? out->n : 1, sizeof *rn.order);
    if (!rn.order) {
        pthread_cond_destroy(&rn.wake);
        pthread_mutex_destroy(&rn.lock);
        hitl_pacer_destroy(&rn.pacer);
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory");
    }
    rn.deadline = opts->deadline_at;
    pthread_t dog;
    bool dog_started = (opts->deadline_at.tv_sec || opts->deadline_at.tv_nsec) &&
                       pthread_create(&dog, NULL, watchdog, &rn) == 0;
    /* Checks tagged slow spend their time asleep until a deadline (a form's expiry: an hour
     * or more on a real deployment). Each gets a thread of its own beside the --jobs pool,
     * so that their waits overlap each other and the rest of the run instead of queueing
     * in batches of --jobs. The rest go to the pool; results keep catalogue order. */
    sleeper sleepers[MAX_SLEEPERS];
    size_t n_sleepers = 0;
    /* With source addresses verified distinct (exclusive_concurrent), the rate-limit checks
     * are sleepers too: each spends its time outwaiting windows in buckets of its own. */
    bool concurrent = opts->exclusive_concurrent && !opts->one_bucket;
    /* Paced from the start (one source address, or one bucket for all), they run together
     * once the pool is done, beside the slow checks still asleep: each holds the buckets it
     * fills (hitl_ctx_limiters_hold) while any other request of those kinds waits, and those
     * that need a full GET bucket share one fill (hitl_ctx_full_get_join), instead of one
     * after another with a window each. Not from the start: a check of the pool whose form
     * request waited for a rate-limit check's hold (up to a window and a fill) could see its
     * form expire meanwhile. */
    bool held = !concurrent && (opts->pace_web || opts->one_bucket);
    for (size_t i = 0; i < out->n; i++) {
        if (out->items[i].entry->exclusive && !concurrent)
            continue;
        if ((is_slow(out->items[i].entry) || out->items[i].entry->exclusive) &&
            n_sleepers < MAX_SLEEPERS)
            sleepers[n_sleepers++] = (sleeper){.rn = &rn, .index = i};
        else
            rn.order[rn.n_order++] = i;
    }
    double start = hitl_ctx_now_s();
    rn.started_at = start;
    size_t n_exclusive = 0;
    for (size_t i = 0; i < out->n; i++)
        n_exclusive += out->items[i].entry->exclusive;
    /* The exclusive checks' budget (exclusive_check_s): from the start when they run
     * concurrently (one budget for all of them), else when their phase starts (below). */
    if (concurrent && n_exclusive)
        extend_deadline(&rn, opts->exclusive_check_s);

    for (size_t k = 0; k < n_sleepers; k++)
        sleepers[k].started =
            pthread_create(&sleepers[k].thread, NULL, sleeper_main, &sleepers[k]) == 0;
    int jobs = opts->jobs < 1 ? 1 : opts->jobs > 64 ? 64 : opts->jobs;
    pthread_t threads[64];
    int started = 0;
    for (int j = 0; j < jobs; j++)
        if (pthread_create(&threads[started], NULL, worker, &rn) == 0)
            started++;
    if (started == 0)
        worker(&rn);
    for (int j = 0; j < started; j++)
        pthread_join(threads[j], NULL);
    sleeper held_group[MAX_SLEEPERS];
    size_t n_held = 0;
    if (held && n_exclusive) {
        extend_deadline(&rn, opts->exclusive_check_s * (long)n_exclusive);
        for (size_t i = 0; i < out->n && n_held < MAX_SLEEPERS; i++)
            if (out->items[i].entry->exclusive) {
                held_group[n_held] = (sleeper){.rn = &rn, .index = i};
                held_group[n_held].started = pthread_create(&held_group[n_held].thread, NULL,
                                                            sleeper_main, &held_group[n_held]) == 0;
                n_held++;
            }
    }
    for (size_t k = 0; k < n_held; k++) {
        if (held_group[k].started)
            pthread_join(held_group[k].thread, NULL);
        else
            run_one(&rn, &out->items[held_group[k].index], held_group[k].index);
    }
    for (size_t k = 0; k < n_sleepers; k++) {
        if (sleepers[k].started)
            pthread_join(sleepers[k].thread, NULL);
        else /* no thread to be had: run it here, late but run */
            run_one(&rn, &out->items[sleepers[k].index], sleepers[k].index);
    }

    /* Exclusive checks (rate limits, disruptive ones) run alone, one after another, within a
     * budget of their own (hitl_scheduler_options.exclusive_check_s). */
    if (!concurrent && !held && n_exclusive) {
        extend_deadline(&rn, opts->exclusive_check_s * (long)n_exclusive);
        for (size_t i = 0; i < out->n; i++)
            if (out->items[i].entry->exclusive)
                run_one(&rn, &out->items[i], i);
    }
    out->seconds = hitl_ctx_now_s() - start;
    for (size_t i = 0; i < out->n; i++)
        if (!out->items[i].not_run &&
            (!out->critical || out->items[i].ended_at > out->critical->ended_at))
            out->critical = &out->items[i];
    pthread_mutex_lock(&rn.lock);
    rn.finished = true;
    pthread_cond_broadcast(&rn.wake);
    pthread_mutex_unlock(&rn.lock);
    if (dog_started)
        pthread_join(dog, NULL);
    if (atomic_load(&rn.stop))
        out->stopped = hitl_redactor_apply(redactor, rn.stop_reason);
    if (atomic_load(&rn.one_bucket))
        out->one_bucket = hitl_redactor_apply(redactor, rn.one_bucket_evidence);
    hitl_pacer_destroy(&rn.pacer);
    free(rn.order);
    pthread_cond_destroy(&rn.wake);
    pthread_mutex_destroy(&rn.lock);
    return HITL_OK;
}
