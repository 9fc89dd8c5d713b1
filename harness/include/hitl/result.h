/* result.h: what a check found on one surface (hitl_result), with the HTTP exchanges that
 * show it, and a whole run's results (hitl_results). The scheduler (scheduler.h) fills
 * them; the reporters (report.h) and the baseline (baseline.h) only read them, so they need
 * the results without the engine that made them. Results carry redacted text only: the
 * redactor is applied when a check ends. Every string is owned by the hitl_results that
 * holds it (hitl_results_free). */
#ifndef HITL_RESULT_H
#define HITL_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include "hitl/catalog.h"
#include "hitl/deviation.h"

typedef enum hitl_verdict {
    HITL_PASS,
    HITL_FAIL,
    HITL_WARN,
    HITL_SKIP,
    HITL_ERROR,
    /* Set only by the scheduler, never by a check: under --profile dify, a FAIL/WARN whose
     * judged response matches a recorded deviation of genuine Dify exactly (deviation.h).
     * It is reported with the deviation's evidence and does not fail the run. */
    HITL_KNOWN
} hitl_verdict;

#define HITL_VERDICT_COUNT 6 /* the size of a table indexed by hitl_verdict */

const char *hitl_verdict_name(hitl_verdict v);

/* One recorded HTTP exchange, bodies cut to a preview. */
typedef struct hitl_exchange {
    char *method;
    char *url;
    char *request_headers; /* "Name: value\n" lines */
    char *request_body;    /* preview; NULL when none */
    long status;           /* 0 when no response */
    char *response_headers;
    char *response_body;   /* preview */
    size_t response_bytes; /* the whole body's size */
    double seconds;
    char *error; /* transport error, NULL when a response arrived */
} hitl_exchange;

#define HITL_EXCHANGE_PREVIEW 4096u
#define HITL_EXCHANGES_PER_CHECK 24u

typedef struct hitl_result {
    const hitl_catalog_entry *entry;
    hitl_surface surface;
    hitl_verdict verdict;  /* after severity: a SHOULD check's FAIL is WARN unless strict;
                            * KNOWN under --profile dify when |deviation| is set */
    hitl_verdict reported; /* what the check itself said */
    char *reason;          /* SKIP or ERROR reason; NULL otherwise */
    char *expected;        /* FAIL/WARN */
    char *actual;
    char *notes; /* NULL when none */
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
     * It points into the run's deviations, which must outlive the results. */
    const hitl_deviation *deviation;
    /* The run stopped (deadline, circuit breaker) before this check started: it is an ERROR
     * whose reason says why, and the console does not list it one by one. */
    bool not_run;
    /* When it ended, in seconds from the run's start, and its waits (hitl_ctx_sleep_ms): all
     * of them, and the longest single one and what it waited for ("" when none): what the
     * critical path (hitl_results.critical) is made of. */
    double ended_at;
    double waited_s;
    double longest_wait_s;
    char longest_wait[160];
} hitl_result;

typedef struct hitl_results {
    hitl_result *items;
    size_t n;
    size_t count[HITL_VERDICT_COUNT]; /* indexed by hitl_verdict */
    double seconds;
    /* Why the run stopped before its end, redacted: "run deadline reached (…)" or the
     * circuit breaker's reason; NULL when every check ran. */
    char *stopped;
    size_t not_run; /* checks that never started (hitl_result.not_run) */
    /* The run-wide fact "the target counts distinct client addresses in one bucket", with
     * its evidence, redacted (hitl_ctx_one_bucket, check.h); NULL when not learnt. Said
     * once for the run: the console's summary and report.json's one_bucket. */
    char *one_bucket;
    /* The critical path: the check that ended last, which bounded the run's wall time (its
     * longest wait says what it waited for); NULL when no check ran. Points into |items|. */
    const hitl_result *critical;
} hitl_results;

void hitl_results_free(hitl_results *res);

#endif
