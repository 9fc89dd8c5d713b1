/* test_refserver_ratelimit.c: the WEB form limiters (§8): the sliding window itself (unit,
 * with made-up times), then over HTTP: the 429 body, independent buckets, 404s counted,
 * 429s and malformed POSTs not counted, per-IP isolation, forwarded headers, SVC and
 * uploads unlimited. */
#include "refserver_client.h"

#include "../refserver/src/ratelimit.h"

#include "check_main.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static rst_server ts;

START_TEST(window_unit)
{
    rs_ratelimit *rl;
    ck_assert_int_eq(rs_ratelimit_new(2, 1000, 16, &rl), 0);
    /* same millisecond: every request counts (no same-second collapse) */
    ck_assert_int_eq(rs_ratelimit_hit(rl, "a", 0, 0), 0);
    ck_assert_int_eq(rs_ratelimit_hit(rl, "a", 0, 0), 0);
    ck_assert_int_eq(rs_ratelimit_hit(rl, "a", 0, 0), 1);
    ck_assert_int_eq(rs_ratelimit_hit(rl, "b", 0, 0), 0); /* keys are independent */
    ck_assert_int_eq(rs_ratelimit_hit(rl, "a", 999, 0), 1);
    ck_assert_int_eq(rs_ratelimit_hit(rl, "a", 1000, 0), 0); /* both hits at 0 aged out */
    ck_assert_int_eq(rs_ratelimit_hit(rl, "a", 1001, 0), 0);
    ck_assert_int_eq(rs_ratelimit_hit(rl, "a", 1002, 0), 1);
    rs_ratelimit_free(rl);
    /* counting 429s (the count-429s fault) keeps a busy client locked out */
    ck_assert_int_eq(rs_ratelimit_new(2, 1000, 16, &rl), 0);
    rs_ratelimit_hit(rl, "a", 0, 1);
    rs_ratelimit_hit(rl, "a", 0, 1);
    ck_assert_int_eq(rs_ratelimit_hit(rl, "a", 500, 1), 1);
    ck_assert_int_eq(rs_ratelimit_hit(rl, "a", 600, 1), 1);
    ck_assert_int_eq(rs_ratelimit_hit(rl, "a", 1000, 1), 1); /* the 429s at 500/600 count */
    rs_ratelimit_free(rl);
}
END_TEST

START_TEST(key_cap_forgets_idle_keys_first)
{
    rs_ratelimit *rl;
    ck_assert_int_eq(rs_ratelimit_new(1, 1000, 2, &rl), 0);
    rs_ratelimit_hit(rl, "old", 0, 0);
    rs_ratelimit_hit(rl, "busy", 1500, 0);
    rs_ratelimit_hit(rl, "new", 1600, 0);                       /* "old" is idle: forgotten */
    ck_assert_int_eq(rs_ratelimit_hit(rl, "busy", 1700, 0), 1); /* still remembered */
    rs_ratelimit_free(rl);
}
END_TEST

static void start_limited(unsigned max, unsigned window_s, int trust)
{
    hitl_refserver_config cfg;
    rst_config(&cfg);
    cfg.rate_max = max;
    cfg.rate_window_s = window_s;
    cfg.trust_forwarded = trust;
    rst_start(&ts, &cfg);
}

static long get_from(const char *path, const char *iface, const char *headers)
{
    rst_resp r;
    rst_opts o = {.url = rst_url(&ts, "%s", path), .iface = iface, .headers = headers};
    rst_do(&o, &r);
    long s = r.status;
    if (s == 429) {
        rst_assert_error(&r, 429, "web_form_rate_limit_exceeded",
                         "Too many form requests. Please try again later.");
        ck_assert_ptr_null(rst_header(&r, "Retry-After"));
    }
    rst_resp_free(&r);
    return s;
}

static long post_to(const char *path, const char *body)
{
    rst_resp r;
    rst_post(&r, rst_url(&ts, "%s", path), NULL, body);
    long s = r.status;
    rst_resp_free(&r);
    return s;
}

START_TEST(limit_counts_404s_and_answers_429)
{
    start_limited(3, 60, 0);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(get_from("/api/form/human_input/nope", NULL, NULL), 404);
    ck_assert_int_eq(get_from("/api/form/human_input/nope", NULL, NULL), 429);
    rst_stop(&ts);
}
END_TEST

START_TEST(buckets_are_independent)
{
    start_limited(2, 60, 0);
    get_from("/api/form/human_input/nope", NULL, NULL);
    get_from("/api/form/human_input/nope", NULL, NULL);
    ck_assert_int_eq(get_from("/api/form/human_input/nope", NULL, NULL), 429);
    const char *body = "{\"inputs\":{},\"action\":\"approve\"}";
    ck_assert_int_eq(post_to("/api/form/human_input/nope", body), 404);
    ck_assert_int_eq(post_to("/api/form/human_input/nope", body), 404);
    ck_assert_int_eq(post_to("/api/form/human_input/nope", body), 429);
    ck_assert_int_eq(post_to("/api/form/human_input/nope/upload-token", NULL), 404);
    ck_assert_int_eq(post_to("/api/form/human_input/nope/upload-token", NULL), 404);
    ck_assert_int_eq(post_to("/api/form/human_input/nope/upload-token", NULL), 429);
    rst_stop(&ts);
}
END_TEST

START_TEST(rejected_requests_do_not_extend_the_window)
{
    start_limited(2, 1, 0);
    get_from("/api/form/human_input/nope", NULL, NULL);
    get_from("/api/form/human_input/nope", NULL, NULL);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(get_from("/api/form/human_input/nope", NULL, NULL), 429);
    rst_sleep_ms(1100);
    ck_assert_int_eq(get_from("/api/form/human_input/nope", NULL, NULL), 404);
    rst_stop(&ts);
}
END_TEST

START_TEST(malformed_posts_are_not_counted)
{
    start_limited(2, 60, 0);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(post_to("/api/form/human_input/nope", "{bad"), 400);
    ck_assert_int_eq(post_to("/api/form/human_input/nope", "{\"inputs\":{},\"action\":\"a\"}"),
                     404);
    rst_stop(&ts);
}
END_TEST

START_TEST(client_ips_are_isolated)
{
    start_limited(2, 60, 0);
    get_from("/api/form/human_input/nope", "127.0.0.1", NULL);
    get_from("/api/form/human_input/nope", "127.0.0.1", NULL);
    ck_assert_int_eq(get_from("/api/form/human_input/nope", "127.0.0.1", NULL), 429);
    ck_assert_int_eq(get_from("/api/form/human_input/nope", "127.0.0.2", NULL), 404);
    /* forwarded headers are ignored without --trust-forwarded */
    ck_assert_int_eq(
        get_from("/api/form/human_input/nope", "127.0.0.1", "X-Forwarded-For: 203.0.113.9"), 429);
    rst_stop(&ts);
}
END_TEST

START_TEST(trusted_forwarded_headers_pick_the_bucket)
{
    start_limited(1, 60, 1);
    ck_assert_int_eq(get_from("/api/form/human_input/nope", NULL, "X-Forwarded-For: 198.51.100.1"),
                     404);
    ck_assert_int_eq(get_from("/api/form/human_input/nope", NULL, "X-Forwarded-For: 198.51.100.1"),
                     429);
    ck_assert_int_eq(get_from("/api/form/human_input/nope", NULL, "X-Forwarded-For: 198.51.100.2"),
                     404);
    /* CF-Connecting-IP wins over X-Forwarded-For */
    ck_assert_int_eq(get_from("/api/form/human_input/nope", NULL,
                              "CF-Connecting-IP: 198.51.100.1\nX-Forwarded-For: 198.51.100.3"),
                     429);
    /* a comma list in one header is one key, verbatim */
    ck_assert_int_eq(
        get_from("/api/form/human_input/nope", NULL, "X-Forwarded-For: 198.51.100.1, 10.0.0.1"),
        404);
    ck_assert_int_eq(get_from("/api/form/human_input/nope", NULL, NULL), 404); /* peer */
    rst_stop(&ts);
}
END_TEST

START_TEST(svc_and_uploads_are_not_limited)
{
    start_limited(1, 60, 0);
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    for (int i = 0; i < 5; i++) {
        char path[256];
        snprintf(path, sizeof path, "/v1/form/human_input/%s", run.token);
        ck_assert_int_eq(get_from(path, NULL, RST_AUTH_WF), 200);
    }
    char tok[128], id[64];
    rst_upload_token(&ts, run.token, tok, sizeof tok);
    for (int i = 0; i < 5; i++)
        rst_upload(&ts, tok, "a.pdf", 3, id, sizeof id);
    rst_stop(&ts);
}
END_TEST

START_TEST(rate_limit_zero_is_off)
{
    start_limited(0, 1, 0);
    for (int i = 0; i < 50; i++)
        ck_assert_int_eq(get_from("/api/form/human_input/nope", NULL, NULL), 404);
    rst_stop(&ts);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("refserver_ratelimit");
    TCase *tc = tcase_create("ratelimit");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, window_unit);
    tcase_add_test(tc, key_cap_forgets_idle_keys_first);
    tcase_add_test(tc, limit_counts_404s_and_answers_429);
    tcase_add_test(tc, buckets_are_independent);
    tcase_add_test(tc, rejected_requests_do_not_extend_the_window);
    tcase_add_test(tc, malformed_posts_are_not_counted);
    tcase_add_test(tc, client_ips_are_isolated);
    tcase_add_test(tc, trusted_forwarded_headers_pick_the_bucket);
    tcase_add_test(tc, svc_and_uploads_are_not_limited);
    tcase_add_test(tc, rate_limit_zero_is_off);
    suite_add_tcase(s, tc);
    return s;
}

HITL_CHECK_MAIN(suite)
