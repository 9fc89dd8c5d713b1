/* engine.h: runs the selected checks of the catalogue against a target, in parallel
 * (exclusive checks alone, after the others), and collects one result per check and
 * surface. Results carry redacted text only: the redactor is applied when a check ends. */
#ifndef HITL_ENGINE_H
#define HITL_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "hitl/catalog.h"
#include "hitl/check.h"
#include "hitl/deviation.h"
#include "hitl/http.h"
#include "hitl/redact.h"
#include "hitl/target.h"

/* One recorded HTTP exchange, bodies cut to a preview. */
typedef struct hitl_exchange {
    char *method;
    char *url;
    char *request_headers;   /* "Name: value\n" lines */
    char *request_body;      /* preview; NULL when none */
    long status;             /* 0 when no response */
    char *response_headers;
    char *response_body;     /* preview */
    size_t response_bytes;   /* the whole body's size */
    double seconds;
    char *error;             /* transport error, NULL when a response arrived */
} hitl_exchange;

#define HITL_EXCHANGE_PREVIEW 4096u
#define HITL_EXCHANGES_PER_CHECK 24u

typedef struct hitl_result {
    const hitl_catalog_entry *entry;
    hitl_surface surface;
    hitl_verdict verdict;       /* after severity: a SHOULD check's FAIL is WARN unless strict;
                                 * KNOWN under --profile dify when |deviation| is set */
    hitl_verdict reported;      /* what the check itself said */
    char *reason;               /* SKIP or ERROR reason; NULL otherwise */
    char *expected;             /* FAIL/WARN */
    char *actual;
    char *notes;                /* NULL when none */
    hitl_exchange *exchanges;
    size_t n_exchanges;
    size_t dropped_exchanges;
    size_t assertions;
    double seconds;
    /* What the first failed expectation judged: the response given to hitl_expect_status,
     * hitl_expect_error or hitl_expect_error_msg, else the last one the check's own thread
     * received (status 0 when none). Its JSON error body's `code` and `message`, NULL when
     * absent. Matched against the recorded deviations. */
    long judged_status;
    char *judged_code;
    char *judged_message;
    /* The recorded deviation of genuine Dify that this FAIL/WARN matches exactly, else NULL.
     * It points into the options' deviations, which must outlive the results. */
    const hitl_deviation *deviation;
    /* The run stopped (deadline, circuit breaker) before this check started: it is an ERROR
     * whose reason says why, and the console does not list it one by one. */
    bool not_run;
} hitl_result;

typedef struct hitl_results {
    hitl_result *items;
    size_t n;
    size_t count[HITL_VERDICT_COUNT]; /* indexed by hitl_verdict */
    double seconds;
    /* Why the run stopped before its end, redacted: "run deadline reached (…)" or the
     * circuit breaker's reason; NULL when every check ran. */
    char *stopped;
    size_t not_run;             /* checks that never started (hitl_result.not_run) */
} hitl_results;

/* The circuit breaker's threshold: a setup step failing the same way for this many checks
 * in a row stops the run. One failure can be a blip and two can be two checks of the first
 * parallel wave meeting the same blip; a third identical one, with no success of the step
 * between, means every later check would fail the same way: with --jobs 4 the run then
 * stops within its first wave of checks instead of repeating the failure ~150 times. */
#define HITL_ENGINE_BREAKER_N 3

typedef struct hitl_engine_options {
    int jobs;                   /* parallel workers, ≥ 1 */
    bool strict;
    void *env;                  /* shared services for checks (fixture server…): hitl_ctx_env */
    /* Send each check's requests from its own loopback address (127.0.0.10 …), so that a
     * loopback target's per-IP rate limits (§8) see each check as its own client and
     * parallel checks do not exhaust each other's budget. Only for loopback targets. */
    bool distinct_sources;
    /* What a FAIL/WARN that matches one of |deviations| (may be NULL) becomes: under
     * HITL_PROFILE_DIFY the verdict KNOWN, under HITL_PROFILE_CONTRACT it stays and only
     * names the deviation (hitl_result.deviation). */
    hitl_profile profile;
    const hitl_deviations *deviations;
    /* The run's deadline on CLOCK_MONOTONIC ({0, 0}: none). When it passes, the requests,
     * streams and waits of the running checks are cancelled (within about a second, through
     * the transport's progress callback), those checks and the ones not yet started end in
     * ERROR "run deadline reached (<deadline_what>)", and hitl_results.stopped says so.
     * With exclusive_check_s > 0 the exclusive phase (rate limits, run last and one check
     * at a time) gets its own budget when it starts: the deadline moves to at least
     * now + exclusive_check_s per exclusive check, so the phase's waits, which depend on the
     * target's rate-limit window rather than on --max-wait, are never cut by a deadline
     * sized for the rest. */
    struct timespec deadline_at;
    long exclusive_check_s;
    const char *deadline_what; /* names the budget in the message: "--deadline 50 s" */
    /* Progress callbacks; the engine serialises them. Any may be NULL. */
    void (*on_start)(void *user, const hitl_result *r);
    void (*on_done)(void *user, const hitl_result *r);
    void (*on_wait)(void *user, const hitl_result *r, double seconds_left, const char *what);
    void *user;
} hitl_engine_options;

int hitl_engine_run(const hitl_catalog *cat, const bool *selected, const hitl_target *target,
                    hitl_http *http, hitl_redactor *redactor, const hitl_engine_options *opts,
                    hitl_results *out, hitl_err *err);
void hitl_results_free(hitl_results *res);

/* The shared services pointer given in the options. */
void *hitl_ctx_env(const hitl_check_ctx *ctx);
/* Sleeps |ms| in short steps, reporting the remaining wait through on_wait; returns early
 * when the run stops (deadline, circuit breaker). */
void hitl_ctx_sleep_ms(hitl_check_ctx *ctx, long ms, const char *what);

#endif
