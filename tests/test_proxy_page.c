/* test_proxy_page.c: proxy_page.c recognises a front end's own error page (nginx's HTML
 * 414, gunicorn's HTML 400, squid, Apache, HAProxy, Cloudflare, Envoy, Go) and never the
 * app's (a JSON body, werkzeug's HTML page, a success); the §1.3 error-shape helpers
 * (hitl_expect_error* in engine/expect.c, hitl_chk_expect_error_shape in checks/expect_body.c) then
 * SKIP naming the front end for a 4xx and keep judging a 5xx. Pins the issue "a 64 KiB path gets
 * nginx's HTML 414 and the check FAILs the app for it". */
#include "hitl/catalog.h"
#include "hitl/scheduler.h"
#include "hitl/proxy_page.h"
#include "hitl/redact.h"
#include "hitl/target.h"

#include "../harness/src/checks/expect_body.h"

#include "check_main.h"
#include <check.h>
#include <stdlib.h>
#include <string.h>

static const char NGINX_414[] =
    "<html>\r\n<head><title>414 Request-URI Too Large</title></head>\r\n"
    "<body>\r\n<center><h1>414 Request-URI Too Large</h1></center>\r\n"
    "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
static const char NGINX_502_VERSION[] =
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n"
    "<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n"
    "<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>\r\n";
static const char NGINX_NO_SIGNATURE[] = "<html><head><title>400 Bad Request</title></head><body>"
                                         "<center><h1>400 Bad Request</h1></center></body></html>";
static const char GUNICORN_400[] =
    "<html>\n  <head>\n    <title>Bad Request</title>\n  </head>\n  <body>\n"
    "    <h1><p>Bad Request</p></h1>\n    Request Line is too large (65560 &gt; 4094)\n"
    "  </body>\n</html>\n";
static const char WERKZEUG_400[] =
    "<!doctype html>\n<html lang=en>\n<title>400 Bad Request</title>\n<h1>Bad Request</h1>\n"
    "<p>The browser (or proxy) sent a request that this server could not understand.</p>\n";
static const char APACHE_414[] =
    "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>414 Request-URI "
    "Too Long</title>\n</head><body>\n<h1>Request-URI Too Long</h1>\n<hr>\n<address>Apache/2.4.57 "
    "(Debian) Server at example.com Port 80</address>\n</body></html>\n";
static const char SQUID_403[] = "<html><body><p>Access control configuration prevents your request."
                                "</p><hr><div id=\"footer\"><p>Generated Sun, 06 Dec 2026 by "
                                "ssrf_proxy (squid/6.6)</p></div></body></html>";
static const char HAPROXY_400[] =
    "<html><body><h1>400 Bad request</h1>\nYour browser sent an invalid request.\n</body></html>\n";
static const char CLOUDFLARE_520[] = "<!DOCTYPE html><html><head><title>example.com | 520: Web "
                                     "server is returning an unknown error</title></head><body>"
                                     "cloudflare ... Cloudflare Ray ID: 8a1b2c3d4e5f</body></html>";
static const char ENVOY_503[] = "upstream connect error or disconnect/reset before headers. reset "
                                "reason: connection failure";
static const char GO_404[] = "404 page not found\n";
static const char JSON_404[] =
    "{\"code\":\"not_found\",\"message\":\"Form not found\",\"status\":404}";

/* A response as the transport fills it (freed with hitl_http_response_free). */
static hitl_http_response make_resp(long status, const char *ctype, const char *server,
                                    const char *extra_name, const char *body)
{
    hitl_http_response r;
    memset(&r, 0, sizeof r);
    r.status = status;
    r.headers = calloc(3, sizeof *r.headers);
    const char *names[3] = {"Content-Type", "Server", extra_name};
    const char *values[3] = {ctype, server, "ERR_ACCESS_DENIED 0"};
    for (size_t i = 0; i < 3; i++)
        if (values[i] && names[i]) {
            r.headers[r.n_headers].name = strdup(names[i]);
            r.headers[r.n_headers].value = strdup(values[i]);
            r.n_headers++;
        }
    hitl_buf_init(&r.body, 1u << 20);
    hitl_buf_append_str(&r.body, body);
    return r;
}

/* The table: each page, whether it is a front end's, and whose. */
static const struct {
    const char *name;
    long status;
    const char *ctype, *server, *extra, *body;
    bool front;
    const char *who;
} CASES[] = {
    {"nginx_414", 414, "text/html", "nginx", NULL, NGINX_414, true, "nginx"},
    {"nginx_502_with_version", 502, "text/html", "nginx/1.25.3", NULL, NGINX_502_VERSION, true,
     "nginx"},
    {"nginx_template_without_signature", 400, "text/html", NULL, NULL, NGINX_NO_SIGNATURE, true,
     "nginx"},
    {"gunicorn_400_no_server_header", 400, "text/html", NULL, NULL, GUNICORN_400, true, "gunicorn"},
    {"apache_414", 414, "text/html; charset=iso-8859-1", "Apache", NULL, APACHE_414, true,
     "Apache"},
    {"squid_403_by_body", 403, "text/html", "squid/6.6", NULL, SQUID_403, true, "squid"},
    {"squid_403_by_header", 403, "text/html", NULL, "X-Squid-Error", "<html></html>", true,
     "squid"},
    {"haproxy_400", 400, "text/html", NULL, NULL, HAPROXY_400, true, "HAProxy"},
    {"cloudflare_520", 520, "text/html", "cloudflare", NULL, CLOUDFLARE_520, true, "Cloudflare"},
    {"envoy_503", 503, "text/plain", "envoy", NULL, ENVOY_503, true, "Envoy"},
    {"go_404", 404, "text/plain; charset=utf-8", NULL, NULL, GO_404, true, "a Go proxy (Traefik?)"},
    /* The app's own answers are never a front end's page, whatever the Server header says:
     * behind nginx every answer carries Server: nginx. */
    {"json_404_behind_nginx", 404, "application/json", "nginx", NULL, JSON_404, false, NULL},
    {"werkzeug_html_400_behind_nginx", 400, "text/html", "nginx", NULL, WERKZEUG_400, false, NULL},
    {"nginx_page_with_status_200", 200, "text/html", "nginx", NULL, NGINX_414, false, NULL},
    {"empty_502", 502, NULL, "nginx", NULL, "", false, NULL},
};

START_TEST(detects_by_page)
{
    hitl_http_response r = make_resp(CASES[_i].status, CASES[_i].ctype, CASES[_i].server,
                                     CASES[_i].extra, CASES[_i].body);
    hitl_proxy_page page;
    bool front = hitl_proxy_page_detect(&r, &page);
    ck_assert_msg(front == CASES[_i].front, "%s: detected %d", CASES[_i].name, front);
    if (front) {
        ck_assert_str_eq(page.front, CASES[_i].who);
        char said[512];
        hitl_proxy_page_describe(&r, &page, said, sizeof said);
        ck_assert_msg(strstr(said, CASES[_i].who) && strstr(said, "not the app"), "%s", said);
    }
    hitl_http_response_free(&r);
}
END_TEST

/* A signature past the first 4 KiB is not looked for (the scan is bounded). */
START_TEST(scan_is_bounded)
{
    char *body = malloc(8192);
    memset(body, ' ', 8191);
    memcpy(body + 6000, "<hr><center>nginx</center>", 26);
    body[8191] = '\0';
    hitl_http_response r = make_resp(414, "text/html", "nginx", NULL, body);
    ck_assert(!hitl_proxy_page_detect(&r, NULL));
    hitl_http_response_free(&r);
    free(body);
}
END_TEST

/* --- the error-shape helpers, through the engine --- */

static void expect_error_nginx_414(hitl_check_ctx *ctx)
{
    hitl_http_response r = make_resp(414, "text/html", "nginx", NULL, NGINX_414);
    hitl_expect_error(ctx, &r, 404, "not_found");
    hitl_http_response_free(&r);
}

static void expect_error_werkzeug(hitl_check_ctx *ctx)
{
    hitl_http_response r = make_resp(400, "text/html", "nginx", NULL, WERKZEUG_400);
    hitl_expect_error(ctx, &r, 400, "invalid_param");
    hitl_http_response_free(&r);
}

static void expect_error_nginx_502(hitl_check_ctx *ctx)
{
    hitl_http_response r = make_resp(502, "text/html", "nginx", NULL, NGINX_502_VERSION);
    hitl_expect_error_msg(ctx, &r, 404, "not_found", "Form not found");
    hitl_http_response_free(&r);
}

static void expect_error_json(hitl_check_ctx *ctx)
{
    hitl_http_response r = make_resp(404, "application/json", "nginx", NULL, JSON_404);
    hitl_expect_error(ctx, &r, 404, "not_found");
    hitl_http_response_free(&r);
}

static void shape_gunicorn(hitl_check_ctx *ctx)
{
    hitl_http_response r = make_resp(400, "text/html", NULL, NULL, GUNICORN_400);
    hitl_chk_expect_error_shape(ctx, &r, 400, "a malformed body");
    hitl_http_response_free(&r);
}

static void shape_werkzeug(hitl_check_ctx *ctx)
{
    hitl_http_response r = make_resp(400, "text/html", "nginx", NULL, WERKZEUG_400);
    hitl_chk_expect_error_shape(ctx, &r, 400, "a malformed body");
    hitl_http_response_free(&r);
}

#define ENTRY(id)                                                                                  \
    "{\"id\":\"" id "\",\"tags\":[\"errors\"],\"title\":\"t\",\"section\":\"§1.3\","              \
    "\"severity\":\"MUST\",\"surfaces\":[\"web\"]}"
static const char *DOC =
    "{\"version\":1,\"checks\":[" ENTRY("errors.a") "," ENTRY("errors.b") "," ENTRY(
        "errors.c") "," ENTRY("errors.d") "," ENTRY("errors.e") "," ENTRY("errors.f") "]}";

static const hitl_check_impl IMPLS[] = {
    {"errors.a", expect_error_nginx_414}, {"errors.b", expect_error_werkzeug},
    {"errors.c", expect_error_nginx_502}, {"errors.d", expect_error_json},
    {"errors.e", shape_gunicorn},         {"errors.f", shape_werkzeug},
};

START_TEST(error_helpers_skip_front_end_4xx_and_judge_the_rest)
{
    hitl_catalog cat;
    hitl_err err = {0};
    ck_assert_int_eq(hitl_catalog_parse(DOC, strlen(DOC), &cat, &err), HITL_OK);
    ck_assert_int_eq(hitl_catalog_bind(&cat, IMPLS, sizeof IMPLS / sizeof IMPLS[0], &err), HITL_OK);
    bool selected[6] = {true, true, true, true, true, true};
    hitl_target t;
    hitl_target_init(&t);
    t.surfaces = HITL_SURFACE_WEB;
    hitl_redactor *red = NULL;
    ck_assert_int_eq(hitl_redactor_new(&red, true, &err), HITL_OK);
    hitl_scheduler_options opts = {.jobs = 1};
    hitl_results res;
    ck_assert_int_eq(hitl_scheduler_run(&cat, selected, &t, NULL, red, &opts, &res, &err), HITL_OK);
    ck_assert_int_eq(res.n, 6);
    const hitl_result *a = &res.items[0], *b = &res.items[1], *c = &res.items[2],
                      *d = &res.items[3], *e = &res.items[4], *f = &res.items[5];
    /* nginx's 414 where the app's 404 was expected: SKIP naming nginx, not FAIL. */
    ck_assert_int_eq(a->reported, HITL_SKIP);
    ck_assert_ptr_nonnull(strstr(a->reason, "front end (nginx)"));
    /* The app's own HTML page is still the app's answer: FAIL. */
    ck_assert_int_eq(b->reported, HITL_FAIL);
    /* A front end's 5xx says the app failed: FAIL, with a note naming the front end. */
    ck_assert_int_eq(c->reported, HITL_FAIL);
    ck_assert_ptr_nonnull(c->notes);
    ck_assert_ptr_nonnull(strstr(c->notes, "app behind it failed"));
    ck_assert_int_eq(d->reported, HITL_PASS);
    ck_assert_int_eq(e->reported, HITL_SKIP);
    ck_assert_ptr_nonnull(strstr(e->reason, "front end (gunicorn)"));
    ck_assert_int_eq(f->reported, HITL_FAIL);
    hitl_results_free(&res);
    hitl_redactor_free(red);
    hitl_target_free(&t);
    hitl_catalog_free(&cat);
}
END_TEST

static Suite *proxy_page_suite(void)
{
    Suite *s = suite_create("proxy_page");
    TCase *tc = tcase_create("detect");
    tcase_add_loop_test(tc, detects_by_page, 0, (int)(sizeof CASES / sizeof CASES[0]));
    tcase_add_test(tc, scan_is_bounded);
    suite_add_tcase(s, tc);
    TCase *th = tcase_create("helpers");
    tcase_add_test(th, error_helpers_skip_front_end_4xx_and_judge_the_rest);
    suite_add_tcase(s, th);
    return s;
}

HITL_CHECK_MAIN(proxy_page_suite)
