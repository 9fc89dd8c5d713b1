/* test_engine.c: how the engine schedules checks (engine.c): --jobs bounds the ordinary
 * checks; checks tagged slow (they sleep until a deadline) each run on a thread of their own,
 * all at once whatever --jobs; exclusive ones (ratelimit) run alone after everything else;
 * results keep catalogue order. */
#include "hitl/catalog.h"
#include "hitl/engine.h"
#include "hitl/redact.h"
#include "hitl/target.h"

#include <check.h>
#include <pthread.h>
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
    occupy(ctx, 2, 10);
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
    hitl_engine_options opts = {.jobs = 1, .env = &o};
    hitl_results res;
    ck_assert_int_eq(hitl_engine_run(&cat, selected, &t, NULL, red, &opts, &res, &err), HITL_OK);

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

int main(void)
{
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("schedule");
    tcase_add_test(tc, slow_checks_overlap_beside_the_jobs_pool);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
