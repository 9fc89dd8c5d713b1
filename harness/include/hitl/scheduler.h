/* scheduler.h: runs the selected checks of the catalogue against a target, in parallel
 * (slow checks each on a thread of their own; exclusive checks alone, after the others, or
 * beside them when exclusive_concurrent),
 * and collects one result per check and surface (result.h). Results carry redacted text
 * only: the redactor is applied when a check ends. A check runs through the check API
 * (check.h), which the scheduler gives it one context of. */
#ifndef HITL_SCHEDULER_H
#define HITL_SCHEDULER_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "hitl/catalog.h"
#include "hitl/check.h"
#include "hitl/deviation.h"
#include "hitl/http.h"
#include "hitl/redact.h"
#include "hitl/result.h"
#include "hitl/target.h"

/* The circuit breaker's threshold: a setup step failing the same way for this many checks
 * in a row stops the run. One failure can be a blip and two can be two checks of the first
 * parallel wave meeting the same blip; a third identical one, with no success of the step
 * between, means every later check would fail the same way: with --jobs 4 the run then
 * stops within its first wave of checks instead of repeating the failure ~150 times. */
#define HITL_SCHEDULER_BREAKER_N 3

typedef struct hitl_scheduler_options {
    int jobs; /* parallel workers, ≥ 1 */
    bool strict;
    void *env; /* shared services for checks (fixture server…): hitl_ctx_env */
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
    /* The exclusive checks each on a thread of their own from the start, beside the rest,
     * instead of alone one after another at the end: for a loopback target whose source
     * addresses were verified to be distinct clients (sources.h), where each rate-limit
     * check's fresh addresses are buckets nothing else touches. Their budget
     * (exclusive_check_s, once: they overlap) then starts with the run. Ignored when
     * |one_bucket| is set. With |one_bucket| or |pace_web| they run beside the rest as
     * well, each holding the buckets it fills (check.h, hitl_ctx_limiters_hold), with a
     * budget of exclusive_check_s per exclusive check from the start (they queue for the
     * buckets). */
    bool exclusive_concurrent;
    /* The one-bucket fact learnt before the run (its evidence; NULL: not learnt): the run
     * paces its WEB form requests from the start (check.h, hitl_ctx_one_bucket). */
    const char *one_bucket;
    /* The harness reaches the target from one address (not on 127.x): every check is the
     * same client, one bucket by construction. Every WEB form request of the checks that
     * share it is paced from the start (as with one_bucket, without saying a fact about the
     * target), instead of meeting 429s and waiting them out. */
    bool pace_web;
    /* Progress callbacks; the engine serialises them. Any may be NULL. */
    void (*on_start)(void *user, const hitl_result *r);
    void (*on_done)(void *user, const hitl_result *r);
    void (*on_wait)(void *user, const hitl_result *r, double seconds_left, const char *what);
    void *user;
} hitl_scheduler_options;

/* hitl_scheduler_run runs every selected entry of |cat| (each bound to its implementation)
 * on each of its surfaces and fills |out| (free with hitl_results_free), in catalogue order.
 * Returns 0, or HITL_E_STATE when a selected entry has no implementation, or HITL_E_NOMEM;
 * a stopped run still returns 0 (hitl_results.stopped says why). */
int hitl_scheduler_run(const hitl_catalog *cat, const bool *selected, const hitl_target *target,
                       hitl_http *http, hitl_redactor *redactor, const hitl_scheduler_options *opts,
                       hitl_results *out, hitl_err *err);

#endif
