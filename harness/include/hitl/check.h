/* check.h: what a conformance check sees. A check is a function that drives the target
 * through the lifecycle helpers (flow.h), asserts on what it sees with the hitl_expect_*
 * helpers, and ends with a verdict. Every HTTP exchange it makes through the context is
 * recorded, so a FAIL can show the exchange that proves it.
 *
 * Verdict rules: a check that asserted nothing and set no verdict is an ERROR (a test
 * that cannot fail is a defect). The first failed expectation fixes the verdict to FAIL
 * (the scheduler turns FAIL into WARN for SHOULD-level checks unless --strict); later
 * expectations are still evaluated but only the first Expected/Actual is reported. */
#ifndef HITL_CHECK_H
#define HITL_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hitl/catalog.h"
#include "hitl/err.h"
#include "hitl/http.h"

typedef struct hitl_target hitl_target;

/* --- what the check can read --- */
const hitl_target *hitl_ctx_target(const hitl_check_ctx *ctx);
hitl_surface hitl_ctx_surface(const hitl_check_ctx *ctx);
const char *hitl_ctx_id(const hitl_check_ctx *ctx);
/* The shared services of the run (hitl_scheduler_options.env: flow.h's hitl_run_env). */
void *hitl_ctx_env(const hitl_check_ctx *ctx);
/* Sleeps |ms| in short steps, reporting the remaining wait through the scheduler's on_wait;
 * returns early when the run stops (deadline, circuit breaker). */
void hitl_ctx_sleep_ms(hitl_check_ctx *ctx, long ms, const char *what);

/* The run-wide fact "the target counts distinct client addresses in one bucket" (a front
 * end that does not pass the client's address: every client is the front end's address).
 * The engine learns it from a WEB form request's 429 that the check's own traffic does not
 * explain; a check that sees two verified-distinct sources counted together says so with
 * hitl_ctx_one_bucket_found (|fmt|: the evidence, a sentence that starts with "the target
 * counts distinct client addresses in one bucket"). It is said once for the run (the
 * summary, report.json's one_bucket), and from then on every WEB form request of the checks
 * that share the target's buckets is paced across the run (rate_max per window for each
 * limiter) and a 429 of theirs waited out. hitl_ctx_one_bucket returns whether it is known
 * and copies the evidence into |evidence| (|cap| bytes; may be NULL). */
bool hitl_ctx_one_bucket(hitl_check_ctx *ctx, char *evidence, size_t cap);
void hitl_ctx_one_bucket_found(hitl_check_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The §8 limiters of the WEB form endpoints, as bits (hitl_ctx_limiters_hold). */
#define HITL_LIMITER_GET 1u    /* GET  /form/human_input/<token> */
#define HITL_LIMITER_SUBMIT 2u /* POST /form/human_input/<token> */
#define HITL_LIMITER_TOKEN 4u  /* POST /form/human_input/<token>/upload-token */

/* For the rate-limit checks on a run that paces WEB form requests (one source address, or
 * one bucket for every client), where they run beside the rest of the run.
 * hitl_ctx_limiters_hold makes the check the holder of the buckets in |hold| (the other
 * checks' requests of those kinds wait until it ends; its own are not paced and their 429s
 * are its findings) and then waits until the buckets in |empty| are empty (every request
 * taken of those kinds a window old; |what| names the wait). Returns false when the run
 * does not pace (the check waits a whole window itself), true otherwise (the run's stop
 * ends the waits early).
 * hitl_ctx_full_get_publish says the check, holding the GET bucket, has just filled it with
 * rate_max paced GETs of a real form (the first sent at |first_s|, CLOCK_MONOTONIC seconds)
 * and seen the next one limited at |full_s|. hitl_ctx_full_get_join waits for whichever
 * comes first: a published full bucket that stays full for |need_s| more seconds, which it
 * joins (a hold shared with its filler; true, with its times and filler's check ID in |by|,
 * |by_cap| bytes), or the hold of the buckets in |hold| (false: the check fills one itself,
 * as it does when the run does not pace). */
bool hitl_ctx_limiters_hold(hitl_check_ctx *ctx, unsigned hold, unsigned empty, const char *what);
/* hitl_ctx_limiter_hold_room holds the one bucket |limiter| (a HITL_LIMITER_* bit) as
 * hitl_ctx_limiters_hold does, then waits until one more request of it, sent |in_s| seconds
 * later, fits in the bucket (served, not 429): for a check that needs one request of that
 * kind served at the end of a step, without holding the bucket through the rest of its
 * run. Returns false when the run does not pace. */
bool hitl_ctx_limiter_hold_room(hitl_check_ctx *ctx, unsigned limiter, double in_s,
                                const char *what);
/* Gives back the buckets in |mask| the check holds (or shares: a joined full GET bucket). */
void hitl_ctx_limiters_release(hitl_check_ctx *ctx, unsigned mask);
void hitl_ctx_full_get_publish(hitl_check_ctx *ctx, double first_s, double full_s);
bool hitl_ctx_full_get_join(hitl_check_ctx *ctx, unsigned hold, double need_s, double *first_s,
                            double *full_s, char *by, size_t by_cap);

/* --- HTTP through the context (recorded as exchanges) --- */
/* hitl_ctx_http performs a request and records the exchange. On a transport failure it
 * sets the verdict to ERROR with the transport's message and returns the status code,
 * so a check can `if (hitl_ctx_http(…)) return;`. The caller frees |resp|. */
int hitl_ctx_http(hitl_check_ctx *ctx, const hitl_http_request *req, hitl_http_response *resp);
/* Like hitl_ctx_http, but a transport failure is returned, not turned into ERROR: for
 * checks where a timeout or cap is itself the finding (hostile targets). */
int hitl_ctx_http_raw(hitl_check_ctx *ctx, const hitl_http_request *req, hitl_http_response *resp,
                      hitl_err *err);

/* Registers a secret found during the check (a form token, an upload token) so every
 * output redacts it. |label| names it in the redacted text: "form-token". */
void hitl_ctx_secret(hitl_check_ctx *ctx, const char *value, const char *label);

/* --- verdicts --- */
void hitl_check_pass(hitl_check_ctx *ctx);
/* FAIL with what the contract expects and what was seen. Returns false for chaining. */
bool hitl_check_fail(hitl_check_ctx *ctx, const char *expected, const char *actual_fmt, ...)
    __attribute__((format(printf, 3, 4)));
void hitl_check_skip(hitl_check_ctx *ctx, const char *reason_fmt, ...)
    __attribute__((format(printf, 2, 3)));
void hitl_check_error(hitl_check_ctx *ctx, const char *reason_fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* hitl_check_setup_error is hitl_check_error for a setup step that checks share (|step|,
 * e.g. HITL_STEP_START of flow.h): the reason reads "precondition (<step>): <message>".
 * The scheduler's circuit breaker counts it: when the same step fails the same way (the same
 * message, numbers aside) for HITL_SCHEDULER_BREAKER_N checks in a row, with no success of
 * that step between them, the run stops (scheduler.h) instead of repeating the failure for
 * every check. */
void hitl_check_setup_error(hitl_check_ctx *ctx, const char *step, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* hitl_check_setup_ok tells the circuit breaker that |step| succeeded: its count starts
 * over. */
void hitl_check_setup_ok(hitl_check_ctx *ctx, const char *step);
/* A note shown with the result whatever the verdict (e.g. which variant was seen). */
void hitl_check_note(hitl_check_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* True once the verdict is final (FAIL, SKIP or ERROR): the check may stop. */
bool hitl_check_done(const hitl_check_ctx *ctx);

/* hitl_check_front_page is for a check that expected the app's own answer to the request
 * |what| names. When |resp| is a front end's own page (proxy_page.h) it says so on |ctx|: a
 * 4xx is SKIP (the front end refused the request before the app saw it: nothing of the app
 * was judged), and true is returned, so the caller judges nothing more of |resp|; a 5xx gets
 * a note (the front end reports that the app behind it failed: still the target's finding,
 * which the caller's expectation records) and false is returned, as for any answer that is
 * not a front end's page. */
bool hitl_check_front_page(hitl_check_ctx *ctx, const hitl_http_response *resp, const char *what);

/* --- expectations: each returns true when it holds, and records a PASS-able assertion ---
 * The first failed one also records the response it judged (status, JSON `code` and
 * `message`, hitl_result.judged_*): the one hitl_expect_status / _error / _error_msg were
 * given, else the last response the check's own thread received. The scheduler compares it
 * with the recorded deviations of genuine Dify (deviation.h). */
bool hitl_expect(hitl_check_ctx *ctx, bool cond, const char *expected, const char *actual_fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* HTTP |status|; |reason| says what that status proves, with its clause ("the form GET
 * answers the form (§4.2)"): the expectation reads "HTTP 200: <reason>". */
bool hitl_expect_status(hitl_check_ctx *ctx, const hitl_http_response *resp, long status,
                        const char *reason);
/* The error body of §1.3: JSON with `code` (string) equal to |code|, `message` (string) and
 * `status` (int) equal to the HTTP status |status|. */
bool hitl_expect_error(hitl_check_ctx *ctx, const hitl_http_response *resp, long status,
                       const char *code);
/* Like hitl_expect_error, and the message starts with |prefix|. */
bool hitl_expect_error_msg(hitl_check_ctx *ctx, const hitl_http_response *resp, long status,
                           const char *code, const char *prefix);

#endif
