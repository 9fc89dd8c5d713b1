/* test_engine.c: the engine: how the scheduler runs checks (engine/scheduler.c) and what
 * the check API records (engine/check.c, expect.c): --jobs bounds the ordinary checks;
 * checks tagged slow (they sleep until a deadline) each run on a thread of their own,
 * all at once whatever --jobs; exclusive ones (ratelimit) run alone after everything else;
 * results keep catalogue order. And what the first failed expectation judged, matched
 * against recorded deviations: KNOWN under the dify profile, a named FAIL under contract. */
#include "hitl/catalog.h"
#include "hitl/deviation.h"
#include "hitl/scheduler.h"
#include "hitl/http.h"
#include "hitl/redact.h"
#include "hitl/target.h"
#include "../harness/src/engine/pacer.h" /* internal: the shared pacer */
#include "refserver/refserver.h"

#include "check_main.h"
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* What the fake checks observe, shared through the engine's env pointer. */
typedef struct observed {
    pthread_mutex_t lock;
    int active, active_slow, active_plain;
    int max_slow, max_plain;
    int active_when_exclusive; /* checks running (itself included) when the exclusive ran */
    int ran;
} observed;

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Enters, holds for |ms|, leaves; |kind| 0 plain, 1 slow, 2 exclusive. */
static void occupy(hitl_check_ctx *ctx, int kind, long ms)
{
    observed *o = hitl_ctx_env(ctx);
    pthread_mutex_lock(&o->lock);
    o->active++;
    o->ran++;
    if (kind == 1 && ++o->active_slow > o->max_slow)
        o->max_slow = o->active_slow;
    if (kind == 0 && ++o->active_plain > o->max_plain)
        o->max_plain = o->active_plain;
    if (kind == 2)
        o->active_when_exclusive = o->active;
    pthread_mutex_unlock(&o->lock);
    sleep_ms(ms);
    pthread_mutex_lock(&o->lock);
    /* What ran beside the exclusive check at any time of it, its end included: a check that
     * started a moment before the others must not read as alone. */
    if (kind == 2 && o->active > o->active_when_exclusive)
        o->active_when_exclusive = o->active;
    o->active--;
    o->active_slow -= kind == 1;
    o->active_plain -= kind == 0;
    pthread_mutex_unlock(&o->lock);
    hitl_check_pass(ctx);
}

static void plain(hitl_check_ctx *ctx)
{
    occupy(ctx, 0, 100);
}

static void slow(hitl_check_ctx *ctx)
{
    occupy(ctx, 1, 600);
}

static void exclusive(hitl_check_ctx *ctx)
{
    occupy(ctx, 2, 300); /* within the slow checks' 600 ms when it runs beside them */
}

/* Seven checks, web only: three slow, three plain, one exclusive (tag ratelimit). */
static const char *DOC =
    "{\"version\":1,\"checks\":["
    "{\"id\":\"expiry.a\",\"tags\":[\"expiry\",\"slow\"],\"title\":\"t\",\"section\":\"§1\","
    "\"severity\":\"MUST\",\"surfaces\":[\"web\"]},"
    "{\"id\":\"form.a\",\"tags\":[\"form\"],\"title\":\"t\",\"section\":\"§1\","
    "\"severity\":\"MUST\",\"surfaces\":[\"web\"]},"
    "{\"id\":\"ratelimit.a\",\"tags\":[\"ratelimit\"],\"title\":\"t\",\"section\":\"§1\","
    "\"severity\":\"MUST\",\"surfaces\":[\"web\"]},"
    "{\"id\":\"expiry.b\",\"tags\":[\"expiry\",\"slow\"],\"title\":\"t\",\"section\":\"§1\","
    "\"severity\":\"MUST\",\"surfaces\":[\"web\"]},"
    "{\"id\":\"form.b\",\"tags\":[\"form\"],\"title\":\"t\",\"section\":\"§1\","
    "\"severity\":\"MUST\",\"surfaces\":[\"web\"]},"
    "{\"id\":\"form.c\",\"tags\":[\"form\"],\"title\":\"t\",\"section\":\"§1\","
    "\"severity\":\"MUST\",\"surfaces\":[\"web\"]},"
    "{\"id\":\"expiry.c\",\"tags\":[\"expiry\",\"slow\"],\"title\":\"t\",\"section\":\"§1\","
    "\"severity\":\"MUST\",\"surfaces\":[\"web\"]}]}";

static const hitl_check_impl IMPLS[] = {
    {"expiry.a", slow}, {"expiry.b", slow}, {"expiry.c", slow},         {"form.a", plain},
    {"form.b", plain},  {"form.c", plain},  {"ratelimit.a", exclusive},
};

START_TEST(slow_checks_overlap_beside_the_jobs_pool)
{
    hitl_catalog cat;
    hitl_err err = {0};
    ck_assert_int_eq(hitl_catalog_parse(DOC, strlen(DOC), &cat, &err), HITL_OK);
    ck_assert_int_eq(hitl_catalog_bind(&cat, IMPLS, sizeof IMPLS / sizeof IMPLS[0], &err), HITL_OK);
    bool selected[7];
    for (size_t i = 0; i < cat.n; i++)
        selected[i] = true;
    hitl_target t;
    hitl_target_init(&t);
    t.surfaces = HITL_SURFACE_WEB;
    hitl_redactor *red = NULL;
    ck_assert_int_eq(hitl_redactor_new(&red, true, &err), HITL_OK);
    observed o = {.lock = PTHREAD_MUTEX_INITIALIZER};
    hitl_scheduler_options opts = {.jobs = 1, .env = &o};
    hitl_results res;
    ck_assert_int_eq(hitl_scheduler_run(&cat, selected, &t, NULL, red, &opts, &res, &err), HITL_OK);

    ck_assert_int_eq(o.ran, 7);
    ck_assert_int_eq(res.count[HITL_PASS], 7);
    ck_assert_int_eq(o.max_plain, 1);             /* --jobs 1: one ordinary check at a time */
    ck_assert_int_eq(o.max_slow, 3);              /* the slow ones all at once */
    ck_assert_int_eq(o.active_when_exclusive, 1); /* alone */
    for (size_t i = 0; i < res.n; i++)            /* catalogue order */
        ck_assert_ptr_eq(res.items[i].entry, &cat.entries[i]);

    hitl_results_free(&res);
    hitl_redactor_free(red);
    hitl_target_free(&t);
    hitl_catalog_free(&cat);
}
END_TEST

/* With the source addresses verified distinct, the exclusive (rate-limit) checks run beside
 * the rest, overlapping the slow checks' waits; the critical path is the check that ended
 * last. With the one-bucket fact learnt before the run (every WEB form request paced) they
 * run once the pool is done, together and beside the slow checks still asleep, holding the
 * buckets they fill (check.h, hitl_ctx_limiters_hold), and the fact is the run's. */
START_TEST(exclusive_checks_overlap_when_sources_are_distinct)
{
    hitl_catalog cat;
    hitl_err err = {0};
    ck_assert_int_eq(hitl_catalog_parse(DOC, strlen(DOC), &cat, &err), HITL_OK);
    ck_assert_int_eq(hitl_catalog_bind(&cat, IMPLS, sizeof IMPLS / sizeof IMPLS[0], &err), HITL_OK);
    bool selected[7];
    for (size_t i = 0; i < cat.n; i++)
        selected[i] = true;
    hitl_target t;
    hitl_target_init(&t);
    t.surfaces = HITL_SURFACE_WEB;
    hitl_redactor *red = NULL;
    ck_assert_int_eq(hitl_redactor_new(&red, true, &err), HITL_OK);
    for (int one_bucket = 0; one_bucket < 2; one_bucket++) {
        observed o = {.lock = PTHREAD_MUTEX_INITIALIZER};
        hitl_scheduler_options opts = {.jobs = 1,
                                       .env = &o,
                                       .exclusive_concurrent = true,
                                       .one_bucket = one_bucket ? "the target counts x" : NULL};
        hitl_results res;
        ck_assert_int_eq(hitl_scheduler_run(&cat, selected, &t, NULL, red, &opts, &res, &err),
                         HITL_OK);
        ck_assert_int_eq(res.count[HITL_PASS], 7);
        ck_assert_int_gt(o.active_when_exclusive, 1); /* beside the slow ones */
        if (one_bucket) {
            ck_assert_str_eq(res.one_bucket, "the target counts x");
        } else {
            ck_assert_ptr_null(res.one_bucket);
            /* The overlap is proven by the count above; a time bound only catches a hang (a
             * loaded CI machine must not fail a structural test on seconds). */
            ck_assert_msg(res.seconds < 30.0, "%.2f s", res.seconds);
        }
        ck_assert_ptr_nonnull(res.critical);
        double last = 0;
        for (size_t i = 0; i < res.n; i++)
            last = res.items[i].ended_at > last ? res.items[i].ended_at : last;
        ck_assert(res.critical->ended_at == last);
        hitl_results_free(&res);
    }
    hitl_redactor_free(red);
    hitl_target_free(&t);
    hitl_catalog_free(&cat);
}
END_TEST

/* The shared pacer: at most max requests of a kind per window (+1 s margin), the kinds
 * apart; a filled kind waits a whole window. */
START_TEST(pacer_keeps_each_kind_within_its_window)
{
    hitl_pacer p;
    hitl_pacer_init(&p, 3, 4); /* 3 per 4 s: slots 5 s apart per ring position */
    double now = 100.0;
    for (int i = 0; i < 3; i++)
        ck_assert(hitl_pacer_reserve(&p, HITL_PACE_GET, now) == now);
    ck_assert(hitl_pacer_reserve(&p, HITL_PACE_GET, now) == now + 5.0);
    ck_assert(hitl_pacer_reserve(&p, HITL_PACE_SUBMIT, now) == now); /* its own bucket */
    hitl_pacer_fill(&p, HITL_PACE_TOKEN, 200.0);
    ck_assert(hitl_pacer_reserve(&p, HITL_PACE_TOKEN, 200.0) == 205.0);
    ck_assert(hitl_pacer_reserve(&p, HITL_PACE_SUBMIT, 200.0) == 200.0); /* untouched */
    hitl_pacer_fill(&p, -1, 300.0);
    ck_assert(hitl_pacer_reserve(&p, HITL_PACE_SUBMIT, 301.0) == 305.0);
    hitl_pacer_destroy(&p);
}
END_TEST

/* Holds (one source address, the rate-limit checks beside the rest): a held kind makes
 * the others' requests wait and counts them, no new hold is granted while one waits, a
 * holder's noted requests keep the window, and a published full GET bucket can be joined
 * only while it stays full and no new hold of GET was granted. */
START_TEST(pacer_holds_buckets_for_one_check)
{
    hitl_pacer p;
    hitl_pacer_init(&p, 3, 4); /* window_s 5 */
    ck_assert(hitl_pacer_hold(&p, 1u << HITL_PACE_GET, 0.0));
    ck_assert(!hitl_pacer_hold(&p, 1u << HITL_PACE_GET, 0.0));                 /* one holder */
    ck_assert(hitl_pacer_hold(&p, 1u << HITL_PACE_TOKEN, 0.0));                /* another kind */
    ck_assert(hitl_pacer_reserve_or_wait(&p, HITL_PACE_GET, 10.0, false) < 0); /* waits */
    ck_assert(hitl_pacer_reserve_or_wait(&p, HITL_PACE_SUBMIT, 10.0, false) == 10.0);
    hitl_pacer_note(&p, HITL_PACE_GET, 11.0);
    hitl_pacer_note(&p, HITL_PACE_GET, 12.0);
    ck_assert(hitl_pacer_empty_at(&p, 1u << HITL_PACE_GET) == 17.0);
    ck_assert(hitl_pacer_empty_at(&p, 1u << HITL_PACE_SUBMIT) == 15.0);
    hitl_pacer_release(&p, 1u << HITL_PACE_GET);
    ck_assert(!hitl_pacer_hold(&p, 1u << HITL_PACE_GET, 0.0)); /* a request still waits */
    /* The waiter's slot: the third of 3 per window, then it is uncounted. */
    ck_assert(hitl_pacer_reserve_or_wait(&p, HITL_PACE_GET, 13.0, true) == 13.0);
    ck_assert(hitl_pacer_reserve_or_wait(&p, HITL_PACE_GET, 13.0, false) == 16.0);
    ck_assert(hitl_pacer_hold(&p, 1u << HITL_PACE_GET, 0.0));

    /* The full GET bucket: published by its holder, joined while surely full (first +
     * window 4 s, less 1 s); no new hold of GET while it can be joined, and the next hold
     * closes it. */
    double first, full;
    char by[32];
    hitl_pacer_publish_full_get(&p, 20.0, 22.0, "ratelimit.get.limit");
    ck_assert(hitl_pacer_join_full_get(&p, 22.5, 0.4, &first, &full, by, sizeof by));
    ck_assert(first == 20.0 && full == 22.0 && !strcmp(by, "ratelimit.get.limit"));
    ck_assert(!hitl_pacer_join_full_get(&p, 22.5, 1.0, &first, &full, by, sizeof by));
    hitl_pacer_release(&p, 1u << HITL_PACE_GET);                /* the joiner */
    hitl_pacer_release(&p, 1u << HITL_PACE_GET);                /* the filler */
    ck_assert(!hitl_pacer_hold(&p, 1u << HITL_PACE_GET, 22.9)); /* still joinable */
    ck_assert(hitl_pacer_hold(&p, 1u << HITL_PACE_GET, 23.0));
    ck_assert(!hitl_pacer_join_full_get(&p, 20.5, 0.1, &first, &full, by, sizeof by));
    hitl_pacer_destroy(&p);
}
END_TEST

/* --- the judged response and the recorded deviations (KNOWN) --- */

/* Three checks, web and service: "errors.a" (MUST), "errors.b" (SHOULD), "errors.c" (MUST). */
static const char *DEV_CAT =
    "{\"version\":1,\"checks\":["
    "{\"id\":\"errors.a\",\"tags\":[\"errors\"],\"title\":\"t\",\"section\":\"§1\","
    "\"severity\":\"MUST\",\"surfaces\":[\"web\",\"service\"]},"
    "{\"id\":\"errors.b\",\"tags\":[\"errors\"],\"title\":\"t\",\"section\":\"§1\","
    "\"severity\":\"SHOULD\",\"surfaces\":[\"web\",\"service\"]},"
    "{\"id\":\"errors.c\",\"tags\":[\"errors\"],\"title\":\"t\",\"section\":\"§1\","
    "\"severity\":\"MUST\",\"surfaces\":[\"web\",\"service\"]}]}";

/* errors.a's deviation is on the service surface only; errors.b's on both. */
static const char *DEVS =
    "{\"version\":1,\"deviations\":["
    "{\"id\":\"x.array-500\",\"check\":\"errors.a\",\"surfaces\":[\"service\"],"
    "\"match\":{\"status\":500,\"code\":\"unknown\",\"message_prefix\":\"Internal\","
    "\"expected_contains\":\"an array body\"},\"observed\":\"500\","
    "\"evidence\":[\"api/w.py@0055b983dc32deacc31351c13a555055ffc9b844\"],\"versions\":[\"v\"]},"
    "{\"id\":\"x.not-found\",\"check\":\"errors.b\",\"surfaces\":[\"web\",\"service\"],"
    "\"match\":{\"status\":404,\"code\":\"not_found\",\"expected_contains\":\"case b\"},"
    "\"observed\":\"404\",\"evidence\":[\"api/w.py@0055b983dc32deacc31351c13a555055ffc9b844\"],"
    "\"versions\":[\"v\"]}]}";

/* The body errors.a's response carries, set per test. */
static const char *a_body;

/* Judges a hand-made response with hitl_expect_error: the response is named. */
static void check_a(hitl_check_ctx *ctx)
{
    hitl_http_response resp;
    memset(&resp, 0, sizeof resp);
    resp.status = 500;
    hitl_buf_init(&resp.body, 4096);
    hitl_buf_append_str(&resp.body, a_body);
    hitl_expect(ctx, true, "the target answered", "ok");
    if (hitl_expect(ctx, true, "the first case holds", "ok"))
        hitl_expect_error(ctx, &resp, 400, "invalid_param"); /* "an array body" is in no text */
    hitl_http_response_free(&resp);
}

/* Requests an unknown form through the context, then fails a plain hitl_expect: the
 * judged response is the last one this thread received. */
static void check_b(hitl_check_ctx *ctx)
{
    const char *base = hitl_ctx_env(ctx);
    char url[256];
    snprintf(url, sizeof url, "%s/api/form/human_input/no-such-token", base);
    hitl_http_request req = {.method = "GET", .url = url};
    hitl_http_response resp;
    if (hitl_ctx_http(ctx, &req, &resp) == 0)
        hitl_expect(ctx, resp.status == 200, "case b: the form answers 200", "HTTP %ld",
                    resp.status);
    hitl_http_response_free(&resp);
}

/* Receives the refserver's 404 for an unknown form, then judges another, hand-made
 * response with hitl_expect_status: the named response is the judged one, not the last
 * one received. */
static void check_c(hitl_check_ctx *ctx)
{
    char url[256];
    snprintf(url, sizeof url, "%s/api/form/human_input/no-such-token",
             (const char *)hitl_ctx_env(ctx));
    hitl_http_request req = {.method = "GET", .url = url};
    hitl_http_response got, made;
    if (hitl_ctx_http(ctx, &req, &got) == 0) {
        memset(&made, 0, sizeof made);
        made.status = 503;
        hitl_buf_init(&made.body, 4096);
        hitl_buf_append_str(&made.body, "{\"code\":\"busy\",\"message\":\"later\"}");
        hitl_expect_status(ctx, &made, 200, "the made-up answer is a success (test)");
        hitl_http_response_free(&made);
    }
    hitl_http_response_free(&got);
}

static const hitl_check_impl DEV_IMPLS[] = {
    {"errors.a", check_a}, {"errors.b", check_b}, {"errors.c", check_c}};

typedef struct dev_run {
    hitl_catalog cat;
    hitl_deviations devs;
    hitl_results res;
    hitl_refserver *srv;
} dev_run;

static void dev_run_start(dev_run *dr, hitl_profile profile)
{
    hitl_err err = {0};
    ck_assert_int_eq(hitl_catalog_parse(DEV_CAT, strlen(DEV_CAT), &dr->cat, &err), HITL_OK);
    ck_assert_int_eq(hitl_catalog_bind(&dr->cat, DEV_IMPLS, 3, &err), HITL_OK);
    ck_assert_msg(hitl_deviations_parse(DEVS, strlen(DEVS), &dr->devs, &err) == HITL_OK, "%s",
                  err.msg);
    hitl_refserver_config cfg;
    hitl_refserver_config_init(&cfg);
    cfg.port = 0;
    ck_assert_int_eq(hitl_refserver_start(&cfg, &dr->srv, &err), HITL_OK);
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%u", (unsigned)hitl_refserver_port(dr->srv));
    hitl_http *http = NULL;
    hitl_http_config hc = {.timeout_ms = 5000};
    ck_assert_int_eq(hitl_http_new(&http, &hc, &err), HITL_OK);
    hitl_target t;
    hitl_target_init(&t);
    hitl_redactor *red = NULL;
    ck_assert_int_eq(hitl_redactor_new(&red, true, &err), HITL_OK);
    bool selected[3] = {true, true, true};
    hitl_scheduler_options opts = {
        .jobs = 2, .env = base, .profile = profile, .deviations = &dr->devs};
    ck_assert_int_eq(hitl_scheduler_run(&dr->cat, selected, &t, http, red, &opts, &dr->res, &err),
                     HITL_OK);
    hitl_redactor_free(red);
    hitl_target_free(&t);
    hitl_http_free(http);
}

static void dev_run_free(dev_run *dr)
{
    hitl_results_free(&dr->res);
    hitl_deviations_free(&dr->devs);
    hitl_catalog_free(&dr->cat);
    hitl_refserver_stop(dr->srv);
}

/* Results in catalogue order: a[service], a[web], b[service], b[web]. */
START_TEST(dify_profile_turns_exact_matches_known)
{
    a_body = "{\"message\":\"Internal Server Error\",\"code\":\"unknown\",\"status\":500}";
    dev_run dr;
    dev_run_start(&dr, HITL_PROFILE_DIFY);
    hitl_result *r = dr.res.items;
    /* What the first failed expectation judged is kept. */
    ck_assert_int_eq(r[0].judged_status, 500);
    ck_assert_str_eq(r[0].judged_code, "unknown");
    ck_assert_str_eq(r[0].judged_message, "Internal Server Error");
    /* errors.a's Expected does not hold "an array body": no match, FAIL on both surfaces. */
    ck_assert_int_eq(r[0].verdict, HITL_FAIL);
    ck_assert_ptr_null(r[0].deviation);
    /* errors.b judged the refserver's 404 through the context (plain hitl_expect). */
    for (size_t i = 2; i < 4; i++) {
        ck_assert_int_eq(r[i].judged_status, 404);
        ck_assert_str_eq(r[i].judged_code, "not_found");
        ck_assert_int_eq(r[i].reported, HITL_FAIL);
        ck_assert_int_eq(r[i].verdict, HITL_KNOWN); /* a SHOULD check's WARN, excused */
        ck_assert_str_eq(r[i].deviation->id, "x.not-found");
    }
    /* errors.c judged the 503 it named, though the 404 came last over the wire. */
    for (size_t i = 4; i < 6; i++) {
        ck_assert_int_eq(r[i].judged_status, 503);
        ck_assert_str_eq(r[i].judged_code, "busy");
        ck_assert_str_eq(r[i].judged_message, "later");
    }
    ck_assert_uint_eq(dr.res.count[HITL_KNOWN], 2);
    ck_assert_uint_eq(dr.res.count[HITL_FAIL], 4);
    ck_assert_uint_eq(dr.res.count[HITL_WARN], 0);
    dev_run_free(&dr);
}
END_TEST

START_TEST(known_needs_the_surface_code_and_message)
{
    /* errors.a's deviation holds once the expectation's text names the case. */
    static const struct {
        const char *body;
        bool known_on_service;
    } cases[] = {
        {"{\"message\":\"Internal Server Error\",\"code\":\"unknown\",\"status\":500}", true},
        {"{\"message\":\"Internal Server Error\",\"code\":\"internal\",\"status\":500}", false},
        {"{\"message\":\"Oops\",\"code\":\"unknown\",\"status\":500}", false},
        {"<html>500</html>", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        a_body = cases[i].body;
        dev_run dr;
        dev_run_start(&dr, HITL_PROFILE_DIFY);
        /* The Expected of hitl_expect_error names no case: put the text where the
         * deviation looks, as a check's own expectation would. */
        hitl_result *r = dr.res.items;
        hitl_deviation_subject sub = {.check = "errors.a",
                                      .status = r[0].judged_status,
                                      .code = r[0].judged_code,
                                      .message = r[0].judged_message,
                                      .expected = "an array body: HTTP 400"};
        sub.surface = HITL_SURFACE_SERVICE;
        ck_assert_msg((hitl_deviations_match(&dr.devs, &sub) != NULL) == cases[i].known_on_service,
                      "case %zu", i);
        sub.surface = HITL_SURFACE_WEB; /* recorded on the service surface only */
        ck_assert_ptr_null(hitl_deviations_match(&dr.devs, &sub));
        dev_run_free(&dr);
    }
}
END_TEST

START_TEST(contract_profile_keeps_fail_and_names_the_deviation)
{
    a_body = "{}";
    dev_run dr;
    dev_run_start(&dr, HITL_PROFILE_CONTRACT);
    hitl_result *r = dr.res.items;
    ck_assert_int_eq(r[0].judged_status, 500);
    ck_assert_ptr_null(r[0].judged_code); /* no `code` in the body */
    for (size_t i = 2; i < 4; i++) {
        ck_assert_int_eq(r[i].verdict, HITL_WARN); /* SHOULD, not --strict */
        ck_assert_ptr_nonnull(r[i].deviation);
        ck_assert_str_eq(r[i].deviation->id, "x.not-found");
    }
    ck_assert_uint_eq(dr.res.count[HITL_KNOWN], 0);
    ck_assert_str_eq(hitl_verdict_name(HITL_KNOWN), "KNOWN");
    ck_assert_str_eq(hitl_verdict_name((hitl_verdict)HITL_VERDICT_COUNT), "?");
    dev_run_free(&dr);
}
END_TEST

/* --- run bounds: the deadline and the circuit breaker --- */

/* Six web checks: form.a … form.f; ratelimit.z is exclusive. */
static const char *BOUND_CAT =
    "{\"version\":1,\"checks\":["
    "{\"id\":\"form.a\",\"tags\":[\"form\"],\"title\":\"t\",\"section\":\"§1\","
    "\"severity\":\"MUST\",\"surfaces\":[\"web\"]},"
    "{\"id\":\"form.b\",\"tags\":[\"form\"],\"title\":\"t\",\"section\":\"§1\","
    "\"severity\":\"MUST\",\"surfaces\":[\"web\"]},"
    "{\"id\":\"form.c\",\"tags\":[\"form\"],\"title\":\"t\",\"section\":\"§1\","
    "\"severity\":\"MUST\",\"surfaces\":[\"web\"]},"
    "{\"id\":\"form.d\",\"tags\":[\"form\"],\"title\":\"t\",\"section\":\"§1\","
    "\"severity\":\"MUST\",\"surfaces\":[\"web\"]},"
    "{\"id\":\"form.e\",\"tags\":[\"form\"],\"title\":\"t\",\"section\":\"§1\","
    "\"severity\":\"MUST\",\"surfaces\":[\"web\"]},"
    "{\"id\":\"form.f\",\"tags\":[\"form\"],\"title\":\"t\",\"section\":\"§1\","
    "\"severity\":\"MUST\",\"surfaces\":[\"web\"]},"
    "{\"id\":\"ratelimit.z\",\"tags\":[\"ratelimit\"],\"title\":\"t\",\"section\":\"§1\","
    "\"severity\":\"MUST\",\"surfaces\":[\"web\"]}]}";

/* What the bound checks do, set per test. */
static const char *g_stream_url; /* an endless start stream (hostile-endless-stream) */
static long g_sleep_ms;          /* how long each plain check waits */
static long g_exclusive_ms;      /* how long the exclusive check waits */
static int g_failures;           /* setup failures so far (the message's number) */
static const char *g_pattern;    /* the setup outcome per check: 'f' fail, 'o' ok, 'x' other */
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

/* Waits g_sleep_ms, or reads an endless stream for a minute when g_stream_url is set. */
static void bound_wait(hitl_check_ctx *ctx)
{
    if (g_stream_url) {
        const char *h[] = {"Authorization: Bearer app-hitl-workflow",
                           "Content-Type: application/json"};
        static const char body[] = "{\"inputs\":{},\"response_mode\":\"streaming\",\"user\":\"u\"}";
        hitl_http_request req = {.method = "POST",
                                 .url = g_stream_url,
                                 .headers = h,
                                 .n_headers = 2,
                                 .body = body,
                                 .body_len = sizeof body - 1,
                                 .timeout_ms = 60000};
        hitl_http_response resp;
        if (hitl_ctx_http(ctx, &req, &resp) == 0)
            hitl_expect(ctx, true, "answered", "ok");
        hitl_http_response_free(&resp);
        return;
    }
    hitl_ctx_sleep_ms(ctx, g_sleep_ms, "a test wait");
    hitl_check_pass(ctx);
}

/* Takes the next setup outcome of g_pattern: a failure whose message differs only in a
 * number, a success, or a different failure. */
static void bound_setup(hitl_check_ctx *ctx)
{
    pthread_mutex_lock(&g_lock);
    char what = g_pattern[g_failures % (int)strlen(g_pattern)];
    int n = ++g_failures;
    pthread_mutex_unlock(&g_lock);
    if (what == 'o') {
        hitl_check_setup_ok(ctx, "start a run");
        hitl_check_pass(ctx);
    } else if (what == 'x') {
        hitl_check_setup_error(ctx, "start a run", "the stream answered HTTP 5%02d", n);
    } else {
        hitl_check_setup_error(ctx, "start a run", "the stream ended after %d frames", n);
    }
}

static void bound_exclusive(hitl_check_ctx *ctx)
{
    hitl_ctx_sleep_ms(ctx, g_exclusive_ms, "a test wait");
    hitl_check_pass(ctx);
}

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs BOUND_CAT with |plain| as every form check, --jobs |jobs|, a deadline |deadline_ms|
 * from now (0: none) and |exclusive_s| per exclusive check; returns the wall time. */
static double bound_run(void (*plain_fn)(hitl_check_ctx *), int jobs, long deadline_ms,
                        long exclusive_s, hitl_results *res)
{
    hitl_check_impl impls[] = {{"form.a", plain_fn},
                               {"form.b", plain_fn},
                               {"form.c", plain_fn},
                               {"form.d", plain_fn},
                               {"form.e", plain_fn},
                               {"form.f", plain_fn},
                               {"ratelimit.z", bound_exclusive}};
    hitl_catalog cat;
    hitl_err err = {0};
    ck_assert_int_eq(hitl_catalog_parse(BOUND_CAT, strlen(BOUND_CAT), &cat, &err), HITL_OK);
    ck_assert_int_eq(hitl_catalog_bind(&cat, impls, 7, &err), HITL_OK);
    bool selected[7] = {true, true, true, true, true, true, true};
    hitl_target t;
    hitl_target_init(&t);
    t.surfaces = HITL_SURFACE_WEB;
    hitl_http *http = NULL;
    hitl_http_config hc = {.timeout_ms = 60000};
    ck_assert_int_eq(hitl_http_new(&http, &hc, &err), HITL_OK);
    hitl_scheduler_options opts = {
        .jobs = jobs, .exclusive_check_s = exclusive_s, .deadline_what = "--deadline test"};
    double start = mono_now();
    if (deadline_ms) {
        clock_gettime(CLOCK_MONOTONIC, &opts.deadline_at);
        opts.deadline_at.tv_sec += deadline_ms / 1000;
        opts.deadline_at.tv_nsec += (deadline_ms % 1000) * 1000000L;
        if (opts.deadline_at.tv_nsec >= 1000000000L) {
            opts.deadline_at.tv_sec++;
            opts.deadline_at.tv_nsec -= 1000000000L;
        }
    }
    g_failures = 0;
    ck_assert_int_eq(hitl_scheduler_run(&cat, selected, &t, http, NULL, &opts, res, &err), HITL_OK);
    double took = mono_now() - start;
    hitl_http_free(http);
    hitl_target_free(&t);
    /* The results point into the catalogue, freed here: the callers read reasons only. */
    for (size_t i = 0; i < res->n; i++)
        res->items[i].entry = NULL;
    hitl_catalog_free(&cat);
    return took;
}

static size_t reasons_with(const hitl_results *res, const char *part)
{
    size_t n = 0;
    for (size_t i = 0; i < res->n; i++)
        n += res->items[i].reason && strstr(res->items[i].reason, part) != NULL;
    return n;
}

/* The deadline cuts a request held by an endless stream (the transport's progress callback)
 * and a long wait within about a second, and the checks not yet started end in ERROR. */
START_TEST(deadline_cancels_running_checks_and_the_rest)
{
    hitl_refserver_config cfg;
    hitl_refserver_config_init(&cfg);
    cfg.port = 0;
    hitl_err err = {0};
    ck_assert_int_eq(hitl_refserver_fault_enable(&cfg, "hostile-endless-stream", &err), 0);
    hitl_refserver *srv = NULL;
    ck_assert_int_eq(hitl_refserver_start(&cfg, &srv, &err), HITL_OK);
    char url[96];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/v1/workflows/run",
             (unsigned)hitl_refserver_port(srv));
    g_stream_url = url;
    hitl_results res;
    double took = bound_run(bound_wait, 2, 1500, 0, &res);
    hitl_refserver_stop(srv);
    g_stream_url = NULL;
    ck_assert_msg(took < 4.0, "the run took %.1f s past a 1.5 s deadline", took);
    ck_assert_ptr_nonnull(res.stopped);
    ck_assert_ptr_nonnull(strstr(res.stopped, "run deadline reached (--deadline test)"));
    ck_assert_int_eq(res.count[HITL_ERROR], 7);
    ck_assert_uint_eq(res.not_run, 5);
    ck_assert_uint_eq(reasons_with(&res, "was cancelled while it ran"), 2);
    ck_assert_uint_eq(reasons_with(&res, "was not started"), 5);
    hitl_results_free(&res);
}
END_TEST

START_TEST(deadline_wakes_a_long_wait)
{
    g_sleep_ms = 60000;
    hitl_results res;
    double took = bound_run(bound_wait, 1, 800, 0, &res);
    ck_assert_msg(took < 3.0, "the run took %.1f s past a 0.8 s deadline", took);
    ck_assert_uint_eq(reasons_with(&res, "was cancelled while it ran"), 1);
    ck_assert_uint_eq(res.not_run, 6);
    hitl_results_free(&res);
}
END_TEST

/* Three failures of one step that differ only in a number stop the run. */
START_TEST(breaker_stops_after_three_identical_setup_failures)
{
    g_pattern = "f";
    hitl_results res;
    bound_run(bound_setup, 1, 0, 0, &res);
    ck_assert_ptr_nonnull(res.stopped);
    ck_assert_ptr_nonnull(strstr(res.stopped, "circuit breaker: the setup step \"start a run\" "
                                              "failed the same way for 3 checks in a row"));
    ck_assert_int_eq(g_failures, 3);   /* nothing ran after the third */
    ck_assert_uint_eq(res.not_run, 4); /* form.d-f and the exclusive one */
    ck_assert_uint_eq(reasons_with(&res, "precondition (start a run): the stream ended after"), 3);
    hitl_results_free(&res);
}
END_TEST

/* A success of the step, or a different failure, starts the count over. */
START_TEST(breaker_needs_the_same_failure_in_a_row)
{
    static const char *const patterns[] = {"ffo", "ffx"};
    for (size_t i = 0; i < 2; i++) {
        g_pattern = patterns[i];
        hitl_results res;
        bound_run(bound_setup, 1, 0, 0, &res);
        ck_assert_msg(res.stopped == NULL, "pattern %s stopped: %s", patterns[i], res.stopped);
        ck_assert_int_eq(g_failures, 6);
        ck_assert_uint_eq(res.not_run, 0);
        hitl_results_free(&res);
    }
}
END_TEST

/* The rate-limit phase gets its own budget: an exclusive check that outlasts the first
 * deadline still passes; without the budget it is cut. */
START_TEST(exclusive_phase_gets_its_own_budget)
{
    g_sleep_ms = 10;
    g_exclusive_ms = 1500;
    hitl_results res;
    bound_run(bound_wait, 4, 1000, 3, &res);
    ck_assert_ptr_null(res.stopped);
    ck_assert_int_eq(res.count[HITL_PASS], 7);
    hitl_results_free(&res);
    bound_run(bound_wait, 4, 1000, 0, &res);
    ck_assert_ptr_nonnull(res.stopped);
    ck_assert_int_eq(res.count[HITL_PASS], 6);
    ck_assert_uint_eq(reasons_with(&res, "was cancelled while it ran"), 1);
    hitl_results_free(&res);
}
END_TEST

static Suite *engine_suite(void)
{
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("schedule");
    tcase_add_test(tc, slow_checks_overlap_beside_the_jobs_pool);
    tcase_add_test(tc, exclusive_checks_overlap_when_sources_are_distinct);
    tcase_add_test(tc, pacer_keeps_each_kind_within_its_window);
    tcase_add_test(tc, pacer_holds_buckets_for_one_check);
    suite_add_tcase(s, tc);
    tc = tcase_create("bounds");
    tcase_add_test(tc, deadline_cancels_running_checks_and_the_rest);
    tcase_add_test(tc, deadline_wakes_a_long_wait);
    tcase_add_test(tc, breaker_stops_after_three_identical_setup_failures);
    tcase_add_test(tc, breaker_needs_the_same_failure_in_a_row);
    tcase_add_test(tc, exclusive_phase_gets_its_own_budget);
    suite_add_tcase(s, tc);
    tc = tcase_create("deviations");
    tcase_add_test(tc, dify_profile_turns_exact_matches_known);
    tcase_add_test(tc, known_needs_the_surface_code_and_message);
    tcase_add_test(tc, contract_profile_keeps_fail_and_names_the_deviation);
    suite_add_tcase(s, tc);
    return s;
}

HITL_CHECK_MAIN(engine_suite)
