/* engine.h: runs the selected checks of the catalogue against a target, in parallel
 * (exclusive checks alone, after the others), and collects one result per check and
 * surface. Results carry redacted text only: the redactor is applied when a check ends. */
#ifndef HITL_ENGINE_H
#define HITL_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
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
} hitl_result;

typedef struct hitl_results {
    hitl_result *items;
    size_t n;
    size_t count[HITL_VERDICT_COUNT]; /* indexed by hitl_verdict */
    double seconds;
} hitl_results;

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
/* Sleeps |ms| in short steps, reporting the remaining wait through on_wait. */
void hitl_ctx_sleep_ms(hitl_check_ctx *ctx, long ms, const char *what);

#endif
