/* context.h: the check context (struct hitl_check_ctx), shared inside the engine by the
 * check API (check.c: context and verdicts; expect.c: expectations and FAIL; exchange.c:
 * HTTP through the context, recorded) and the scheduler that makes one per check and
 * surface (scheduler.c). Internal to harness/src/engine. */
#ifndef HITL_ENGINE_CONTEXT_H
#define HITL_ENGINE_CONTEXT_H

#include "hitl/check.h"
#include "hitl/result.h"
#include "hitl/scheduler.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

/* The scheduler's state for one run (scheduler.c). */
typedef struct runner runner;

struct hitl_check_ctx {
    runner *rn;                  /* the scheduler running the check */
    const hitl_target *target;
    hitl_http *http;
    hitl_redactor *redactor;
    const hitl_scheduler_options *opts;
    pthread_mutex_t *cb_lock;
    hitl_result *result;
    bool verdict_set;       /* FAIL, SKIP, ERROR or an explicit PASS */
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
};

/* What the check API asks of the scheduler that runs the check (scheduler.c). */
/* True once the run has stopped (deadline, circuit breaker); false for a NULL |rn|. */
bool hitl_runner_stopped(const runner *rn);
/* The flag a check's requests carry (hitl_http_request.run_stop): the run's stop. */
const atomic_int *hitl_runner_stop_flag(const runner *rn);
/* The circuit breaker (hitl_check_setup_error, hitl_check_setup_ok). */
void hitl_runner_breaker_feed(runner *rn, const char *step, const char *msg);
void hitl_runner_breaker_reset(runner *rn, const char *step);

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
