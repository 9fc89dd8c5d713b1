/* context.h: the check context (struct hitl_check_ctx), shared inside the engine by the
 * check API (check.c: context and verdicts; expect.c: expectations and FAIL; exchange.c:
 * HTTP through the context, recorded) and the scheduler that makes one per check and
 * surface (scheduler.c). Internal to harness/src/engine. */
#ifndef HITL_ENGINE_CONTEXT_H
#define HITL_ENGINE_CONTEXT_H

#include "hitl/check.h"
#include "hitl/result.h"
#include "hitl/scheduler.h"
#include "pacer.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

/* The scheduler's state for one run (scheduler.c). */
typedef struct runner runner;

struct hitl_check_ctx {
    runner *rn; /* the scheduler running the check */
    const hitl_target *target;
    hitl_http *http;
    hitl_redactor *redactor;
    const hitl_scheduler_options *opts;
    pthread_mutex_t *cb_lock;
    hitl_result *result;
    bool verdict_set;            /* FAIL, SKIP, ERROR or an explicit PASS */
    pthread_mutex_t record_lock; /* a stream thread records exchanges too */
    char source_ip[32];          /* "" unless distinct_sources */
    pthread_t thread;            /* the thread running the check */
    /* The last response that thread received (status, first bytes of the body): what a
     * failed hitl_expect judged when no response was named (see hitl_result.judged_*). */
    long last_status;
    char last_body[HITL_EXCHANGE_PREVIEW];
    size_t last_len;
    /* The run's stop (deadline, circuit breaker) cut one of this check's requests, streams
     * or waits short: whatever it concluded afterwards is not a verdict (run_one). Set by
     * the check's thread or its stream threads. */
    atomic_bool cut;
    /* When this check sent its own WEB form requests of each kind (a ring of the last
     * OWN_SENT, under record_lock): a 429 for fewer than rate_max of its own within a
     * window, from an address only it uses, is another client's traffic counted with its
     * own, the evidence of the one-bucket fact (exchange.c). */
#define HITL_CTX_OWN_SENT 64
    double own_sent[HITL_PACE_KINDS][HITL_CTX_OWN_SENT];
    unsigned own_next[HITL_PACE_KINDS];
    /* The limiters' buckets this check holds (hitl_ctx_limiters_hold: bit 1 << kind),
     * given back when it ends (scheduler.c). Its requests of those kinds are not paced and
     * their 429s are its findings; they are noted in the pacer. Check thread only. */
    unsigned held;
};

/* What the check API asks of the scheduler that runs the check (scheduler.c). */
/* True once the run has stopped (deadline, circuit breaker); false for a NULL |rn|. */
bool hitl_runner_stopped(const runner *rn);
/* The flag a check's requests carry (hitl_http_request.run_stop): the run's stop. */
const atomic_int *hitl_runner_stop_flag(const runner *rn);
/* The circuit breaker (hitl_check_setup_error, hitl_check_setup_ok). */
void hitl_runner_breaker_feed(runner *rn, const char *step, const char *msg);
void hitl_runner_breaker_reset(runner *rn, const char *step);
/* The run-wide fact "the target counts distinct client addresses in one bucket"
 * (hitl_ctx_one_bucket, check.h). _known copies the evidence into |evidence| (|cap| > 0;
 * may be NULL) and returns true once the fact is set; _set sets it once (the first
 * evidence is kept) and fills the pacer, so the next paced request of each kind waits a
 * whole window; false for a NULL |rn|. */
bool hitl_runner_one_bucket_known(runner *rn, char *evidence, size_t cap);
void hitl_runner_one_bucket_set(runner *rn, const char *evidence);
/* The run's pacer of WEB form requests (pacer.h), for a one-bucket target. */
hitl_pacer *hitl_runner_pacer(runner *rn);
/* Whether WEB form requests are paced: the one-bucket fact, or one source address
 * (hitl_scheduler_options.pace_web). */
bool hitl_runner_paced(runner *rn);

/* A malloc'd message of at most 4 KiB, NULL when out of memory (check.c). */
char *hitl_ctx_vformat(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
char *hitl_ctx_format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Seconds on CLOCK_MONOTONIC. */
static inline double hitl_ctx_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
