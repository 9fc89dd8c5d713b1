/* test_http.c: the transport's caps against the reference server's hostile faults, started
 * in-process on loopback: a body past its cap is HITL_E_TOO_BIG, a stalled or dripping body
 * ends at the idle or total timeout, a redirect is returned (never followed), a header flood
 * hits the header cap, a gzip body is returned as sent (never inflated). */
#include "hitl/http.h"
#include "refserver/refserver.h"

#include "check_main.h"
#include <check.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WF_AUTH "Authorization: Bearer app-hitl-workflow"
#define START_BODY "{\"inputs\":{},\"response_mode\":\"streaming\",\"user\":\"test-http\"}"

typedef struct server {
    hitl_refserver *srv;
    char base[64];
    hitl_http *http;
} server;

/* Starts the server with |fault| on (NULL: clean) and a client. */
static void server_start(server *s, const char *fault)
{
    hitl_refserver_config cfg;
    hitl_err err = {0};
    hitl_refserver_config_init(&cfg);
    cfg.port = 0;
    cfg.rate_max = 0;
    cfg.threads = 2;
    cfg.ping_interval_ms = 1000;
    cfg.idle_timeout_ms = 3000;
    if (fault)
        ck_assert_int_eq(hitl_refserver_fault_enable(&cfg, fault, &err), 0);
    ck_assert_msg(hitl_refserver_start(&cfg, &s->srv, &err) == 0, "start: %s", err.msg);
    snprintf(s->base, sizeof s->base, "http://127.0.0.1:%u", (unsigned)hitl_refserver_port(s->srv));
    hitl_http_config hc = {.timeout_ms = 10000};
    ck_assert_int_eq(hitl_http_new(&s->http, &hc, &err), 0);
}

static void server_stop(server *s)
{
    hitl_http_free(s->http);
    hitl_refserver_stop(s->srv);
}

/* Starts a run (the form faults leave the start stream alone) and returns the form GET URL
 * of its token on the service surface, in |url|. */
static void form_url(server *s, char *url, size_t cap)
{
    char start[128];
    snprintf(start, sizeof start, "%s/v1/workflows/run", s->base);
    const char *h[] = {WF_AUTH, "Content-Type: application/json"};
    hitl_http_request req = {.method = "POST",
                             .url = start,
                             .headers = h,
                             .n_headers = 2,
                             .body = START_BODY,
                             .body_len = strlen(START_BODY)};
    hitl_http_response resp;
    hitl_err err = {0};
    ck_assert_msg(hitl_http_do(s->http, &req, &resp, &err) == 0, "start: %s", err.msg);
    ck_assert_int_eq(resp.status, 200);
    const char *k = strstr(hitl_buf_str(&resp.body), "\"form_token\":\"");
    ck_assert_ptr_nonnull(k);
    k += strlen("\"form_token\":\"");
    const char *e = strchr(k, '"');
    ck_assert_ptr_nonnull(e);
    snprintf(url, cap, "%s/v1/form/human_input/%.*s", s->base, (int)(e - k), k);
    hitl_http_response_free(&resp);
}

static int count_bytes(void *user, const char *data, size_t len)
{
    (void)data;
    *(size_t *)user += len;
    return 0;
}

/* One form GET under |fault| with the request's knobs; returns hitl_http_do's status. */
typedef struct get_case {
    const char *fault;
    size_t max_body;
    long timeout_ms;
    long idle_ms;
    int sink;
} get_case;

static int form_get(const get_case *c, hitl_http_response *resp, hitl_err *err, size_t *sunk,
                    char *url, size_t url_cap)
{
    server s;
    server_start(&s, c->fault);
    form_url(&s, url, url_cap);
    const char *h[] = {WF_AUTH};
    hitl_http_request req = {.method = "GET",
                             .url = url,
                             .headers = h,
                             .n_headers = 1,
                             .max_body = c->max_body,
                             .timeout_ms = c->timeout_ms,
                             .idle_timeout_ms = c->idle_ms,
                             .on_body = c->sink ? count_bytes : NULL,
                             .user = sunk};
    int rc = hitl_http_do(s.http, &req, resp, err);
    server_stop(&s);
    return rc;
}

START_TEST(clean_form_get_is_plain_and_small)
{
    get_case c = {0};
    hitl_http_response resp;
    hitl_err err = {0};
    char url[512];
    ck_assert_int_eq(form_get(&c, &resp, &err, NULL, url, sizeof url), 0);
    ck_assert_int_eq(resp.status, 200);
    ck_assert(!resp.headers_capped);
    ck_assert_ptr_null(hitl_http_header_get(&resp, "Content-Encoding"));
    ck_assert_uint_gt(resp.body.len, 0);
    ck_assert_uint_eq(resp.body.len, resp.body_bytes);
    ck_assert_int_eq(resp.body.ptr[0], '{');
    hitl_http_response_free(&resp);
}
END_TEST

START_TEST(body_past_cap_is_too_big)
{
    get_case c = {.max_body = 64};
    hitl_http_response resp;
    hitl_err err = {0};
    char url[512];
    ck_assert_int_eq(form_get(&c, &resp, &err, NULL, url, sizeof url), HITL_E_TOO_BIG);
    ck_assert_uint_le(resp.body.len, 64);
    ck_assert_ptr_nonnull(strstr(err.msg, "cap of 64 bytes"));
    hitl_http_response_free(&resp);
}
END_TEST

/* hostile-huge-content-length declares 10^10 bytes: refused from the header, at once. */
START_TEST(huge_content_length_is_too_big_at_once)
{
    get_case c = {.fault = "hostile-huge-content-length"};
    hitl_http_response resp;
    hitl_err err = {0};
    char url[512];
    ck_assert_int_eq(form_get(&c, &resp, &err, NULL, url, sizeof url), HITL_E_TOO_BIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "announced a body larger than the cap of 8388608"));
    ck_assert_double_lt(resp.seconds, 2.0);
    ck_assert_uint_eq(resp.body.len, 0);
    hitl_http_response_free(&resp);
}
END_TEST

/* The same read through a sink (no cap from the header): half the body, then the stall
 * ends at the idle timeout, long before the total one. */
START_TEST(stalled_body_ends_at_idle_timeout)
{
    get_case c = {
        .fault = "hostile-huge-content-length", .timeout_ms = 8000, .idle_ms = 500, .sink = 1};
    hitl_http_response resp;
    hitl_err err = {0};
    size_t sunk = 0;
    char url[512];
    ck_assert_int_eq(form_get(&c, &resp, &err, &sunk, url, sizeof url), HITL_E_TIMEOUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "for 500 ms (idle timeout)"));
    ck_assert_int_eq(resp.status, 200);
    ck_assert_uint_gt(sunk, 0);
    ck_assert_uint_eq(sunk, resp.body_bytes);
    ck_assert_double_lt(resp.seconds, 3.0);
    hitl_http_response_free(&resp);
}
END_TEST

START_TEST(redirect_is_returned_not_followed)
{
    get_case c = {.fault = "hostile-redirect-loop"};
    hitl_http_response resp;
    hitl_err err = {0};
    char url[512];
    ck_assert_int_eq(form_get(&c, &resp, &err, NULL, url, sizeof url), 0);
    ck_assert_int_eq(resp.status, 302);
    const char *loc = hitl_http_header_get(&resp, "Location");
    ck_assert_ptr_nonnull(loc);
    /* Location is the request's own path: following it would loop. */
    ck_assert_str_eq(loc, strstr(url + strlen("http://"), "/v1/"));
    ck_assert_uint_eq(resp.body_bytes, 0);
    hitl_http_response_free(&resp);
}
END_TEST

START_TEST(header_flood_hits_header_cap)
{
    get_case c = {.fault = "hostile-header-flood"};
    hitl_http_response resp;
    hitl_err err = {0};
    char url[512];
    ck_assert_int_eq(form_get(&c, &resp, &err, NULL, url, sizeof url), HITL_E_TOO_BIG);
    ck_assert(resp.headers_capped);
    ck_assert_uint_eq(resp.n_headers, HITL_HTTP_MAX_HEADERS);
    ck_assert_ptr_nonnull(strstr(err.msg, "response headers"));
    ck_assert_uint_eq(resp.body.len, 0);
    hitl_http_response_free(&resp);
}
END_TEST

/* hostile-gzip-bomb: ~1.1 MiB on the wire, 1100 MiB inflated. Returned as sent. */
START_TEST(gzip_body_returned_raw)
{
    get_case c = {.fault = "hostile-gzip-bomb"};
    hitl_http_response resp;
    hitl_err err = {0};
    char url[512];
    ck_assert_int_eq(form_get(&c, &resp, &err, NULL, url, sizeof url), 0);
    ck_assert_int_eq(resp.status, 200);
    ck_assert_str_eq(hitl_http_header_get(&resp, "Content-Encoding"), "gzip");
    ck_assert_uint_eq(resp.body.len, resp.body_bytes);
    ck_assert_uint_gt(resp.body.len, 1024u * 1024u);
    ck_assert_uint_lt(resp.body.len, 2u * 1024u * 1024u);
    ck_assert_uint_eq((unsigned char)resp.body.ptr[0], 0x1f);
    ck_assert_uint_eq((unsigned char)resp.body.ptr[1], 0x8b);
    hitl_http_response_free(&resp);
}
END_TEST

/* With a cap below the compressed size the bomb is refused before it is even stored. */
START_TEST(gzip_body_past_cap_is_too_big)
{
    get_case c = {.fault = "hostile-gzip-bomb", .max_body = 64u * 1024u};
    hitl_http_response resp;
    hitl_err err = {0};
    char url[512];
    ck_assert_int_eq(form_get(&c, &resp, &err, NULL, url, sizeof url), HITL_E_TOO_BIG);
    ck_assert_uint_le(resp.body.len, 64u * 1024u);
    hitl_http_response_free(&resp);
}
END_TEST

START_TEST(truncated_json_returned_as_is)
{
    get_case clean = {0}, cut = {.fault = "hostile-malformed-json"};
    hitl_http_response a, b;
    hitl_err err = {0};
    char url[512];
    ck_assert_int_eq(form_get(&clean, &a, &err, NULL, url, sizeof url), 0);
    ck_assert_int_eq(form_get(&cut, &b, &err, NULL, url, sizeof url), 0);
    ck_assert_int_eq(b.status, 200);
    ck_assert_uint_eq(b.body.len, a.body.len / 2);
    /* Two servers: only the start is certainly the same bytes (ids and times differ). */
    ck_assert_int_eq(memcmp(a.body.ptr, b.body.ptr, 16), 0);
    char cl[32];
    snprintf(cl, sizeof cl, "%zu", b.body.len);
    ck_assert_str_eq(hitl_http_header_get(&b, "Content-Length"), cl);
    hitl_http_response_free(&a);
    hitl_http_response_free(&b);
}
END_TEST

/* The stream faults: the start request itself, read through a sink. */
typedef struct stream_case {
    const char *fault;
    long timeout_ms;
    long idle_ms;
    int want;
    const char *msg; /* a piece of the error message */
} stream_case;

static const stream_case STREAM_CASES[] = {
    /* Comments every 100 ms keep the idle timer quiet: the total timeout ends it. */
    {"hostile-endless-stream", 1500, 1000, HITL_E_TIMEOUT, "did not complete within 1500 ms"},
    /* One byte every 500 ms: an idle timeout below that ends it. */
    {"hostile-slow-drip", 8000, 250, HITL_E_TIMEOUT, "for 250 ms (idle timeout)"},
    {"hostile-slow-drip", 1500, 0, HITL_E_TIMEOUT, "did not complete within 1500 ms"},
};

START_TEST(hostile_stream_ends_at_its_timeout)
{
    const stream_case *c = &STREAM_CASES[_i];
    server s;
    server_start(&s, c->fault);
    char url[128];
    snprintf(url, sizeof url, "%s/v1/workflows/run", s.base);
    const char *h[] = {WF_AUTH, "Content-Type: application/json"};
    size_t sunk = 0;
    hitl_http_request req = {.method = "POST",
                             .url = url,
                             .headers = h,
                             .n_headers = 2,
                             .body = START_BODY,
                             .body_len = strlen(START_BODY),
                             .timeout_ms = c->timeout_ms,
                             .idle_timeout_ms = c->idle_ms,
                             .on_body = count_bytes,
                             .user = &sunk};
    hitl_http_response resp;
    hitl_err err = {0};
    ck_assert_int_eq(hitl_http_do(s.http, &req, &resp, &err), c->want);
    ck_assert_msg(strstr(err.msg, c->msg), "%s: \"%s\" lacks \"%s\"", c->fault, err.msg, c->msg);
    ck_assert_int_eq(resp.status, 200);
    ck_assert_double_lt(resp.seconds, (double)c->timeout_ms / 1000.0 + 1.0);
    hitl_http_response_free(&resp);
    server_stop(&s);
}
END_TEST

/* Lines a server's bytes could have built, and what the transport must say of them. */
typedef struct header_case {
    const char *line;
    const char *name_shown; /* the header named in the message */
    const char *hidden;     /* a part of the value that must not be shown */
} header_case;

static const header_case HEADER_CASES[] = {
    {"Authorization: Bearer hitl_upload_a\r\nX-Hostile-Injected: 1", "Authorization",
     "hitl_upload_a"},
    {"Authorization: Bearer tok\nX-Hostile-Injected: 1", "Authorization", "X-Hostile"},
    {"X-Echo: abc\rdef", "X-Echo", "abcdef"},
    {"X-Echo: ab\x7f", "X-Echo", "ab"},
    {"X-Echo: a\x01b", "X-Echo", "a\x01b"},
};

/* A header line with CR, LF or another control byte is refused before libcurl sees it:
 * HITL_E_ARG naming the header, not its value, and nothing reaches the server (its request
 * log stays empty). A tab stays allowed. */
START_TEST(header_line_with_control_bytes_is_refused)
{
    const header_case *c = &HEADER_CASES[_i];
    char log[] = "/tmp/hitl-test-http-XXXXXX";
    int fd = mkstemp(log);
    ck_assert_int_ge(fd, 0);
    close(fd);
    hitl_refserver_config cfg;
    hitl_err err = {0};
    hitl_refserver_config_init(&cfg);
    cfg.port = 0;
    snprintf(cfg.request_log, sizeof cfg.request_log, "%s", log);
    server s;
    ck_assert_int_eq(hitl_refserver_start(&cfg, &s.srv, &err), 0);
    snprintf(s.base, sizeof s.base, "http://127.0.0.1:%u", (unsigned)hitl_refserver_port(s.srv));
    hitl_http_config hc = {.timeout_ms = 5000};
    ck_assert_int_eq(hitl_http_new(&s.http, &hc, &err), 0);
    char url[128];
    snprintf(url, sizeof url, "%s/api/form/human_input/abc", s.base);
    const char *h[] = {c->line};
    hitl_http_request req = {.method = "GET", .url = url, .headers = h, .n_headers = 1};
    hitl_http_response resp;
    ck_assert_int_eq(hitl_http_do(s.http, &req, &resp, &err), HITL_E_ARG);
    ck_assert_msg(strstr(err.msg, c->name_shown), "\"%s\" lacks %s", err.msg, c->name_shown);
    ck_assert_msg(!strstr(err.msg, c->hidden), "\"%s\" shows the value", err.msg);
    ck_assert_int_eq(resp.status, 0);
    hitl_http_response_free(&resp);
    /* A tab is fine: the same request goes out. */
    const char *ok[] = {"X-Echo: a\tb"};
    req.headers = ok;
    ck_assert_int_eq(hitl_http_do(s.http, &req, &resp, &err), 0);
    ck_assert_int_eq(resp.status, 404);
    hitl_http_response_free(&resp);
    server_stop(&s);
    FILE *f = fopen(log, "r");
    ck_assert_ptr_nonnull(f);
    char line[512];
    int targets = 0, injected = 0;
    while (fgets(line, sizeof line, f)) {
        targets += !strncmp(line, "U ", 2);
        injected += strstr(line, "Hostile") != NULL || strstr(line, "def") != NULL;
    }
    fclose(f);
    unlink(log);
    ck_assert_int_eq(targets, 1); /* only the request with the tab */
    ck_assert_int_eq(injected, 0);
}
END_TEST

/* A URL with a space or a control byte never becomes a request line. */
START_TEST(url_with_control_bytes_is_refused)
{
    static const char *const urls[] = {"http://127.0.0.1:9/a b", "http://127.0.0.1:9/a\r\nX: 1",
                                       "http://127.0.0.1:9/a\x7f"};
    hitl_http *http = NULL;
    hitl_err err = {0};
    hitl_http_config hc = {.timeout_ms = 2000};
    ck_assert_int_eq(hitl_http_new(&http, &hc, &err), 0);
    for (size_t i = 0; i < 3; i++) {
        hitl_http_request req = {.method = "GET", .url = urls[i]};
        hitl_http_response resp;
        ck_assert_int_eq(hitl_http_do(http, &req, &resp, &err), HITL_E_ARG);
        ck_assert_ptr_nonnull(strstr(err.msg, "the request URL holds the byte"));
        hitl_http_response_free(&resp);
    }
    hitl_http_free(http);
}
END_TEST

/* One Service API upload of a small PDF whose file part is |part| (name "file"); returns
 * hitl_http_do's status with the answer in |resp|. */
static int svc_upload(server *s, hitl_http_part part, hitl_http_response *resp, hitl_err *err)
{
    char url[128];
    snprintf(url, sizeof url, "%s/v1/files/upload", s->base);
    static const char pdf[] = "%PDF-1.4\n%hitlcheck\n";
    part.name = "file";
    part.data = pdf;
    part.len = sizeof pdf - 1;
    hitl_http_part parts[] = {part, {.name = "user", .data = "test-http", .len = 9}};
    const char *h[] = {WF_AUTH};
    hitl_http_request req = {
        .method = "POST", .url = url, .headers = h, .n_headers = 1, .parts = parts, .n_parts = 2};
    return hitl_http_do(s->http, &req, resp, err);
}

/* A part with no_content_type goes without any Content-Type header, where libcurl would
 * type a .pdf part application/pdf: the reference server's Service API upload refuses such
 * a part with 415 (contract §6.4.2) and takes the typed one (201). Names it cannot write
 * as given are refused before sending. */
START_TEST(multipart_part_without_content_type)
{
    server s;
    server_start(&s, NULL);
    hitl_http_response resp;
    hitl_err err = {0};
    ck_assert_int_eq(
        svc_upload(&s, (hitl_http_part){.filename = "a.pdf", .no_content_type = true}, &resp, &err),
        HITL_OK);
    ck_assert_int_eq(resp.status, 415);
    ck_assert_ptr_nonnull(strstr(hitl_buf_str(&resp.body), "unsupported_file_type"));
    hitl_http_response_free(&resp);
    ck_assert_int_eq(svc_upload(&s, (hitl_http_part){.filename = "a.pdf"}, &resp, &err), HITL_OK);
    ck_assert_int_eq(resp.status, 201);
    ck_assert_ptr_nonnull(strstr(hitl_buf_str(&resp.body), "\"mime_type\":\"application/pdf\""));
    hitl_http_response_free(&resp);
    /* content_type is ignored when no_content_type is set. */
    ck_assert_int_eq(svc_upload(&s,
                                (hitl_http_part){.filename = "a.pdf",
                                                 .content_type = "application/pdf",
                                                 .no_content_type = true},
                                &resp, &err),
                     HITL_OK);
    ck_assert_int_eq(resp.status, 415);
    hitl_http_response_free(&resp);
    ck_assert_int_eq(svc_upload(&s,
                                (hitl_http_part){.filename = "a\".pdf", .no_content_type = true},
                                &resp, &err),
                     HITL_E_ARG);
    hitl_http_response_free(&resp);
    server_stop(&s);
}
END_TEST

static Suite *http_suite(void)
{
    Suite *s = suite_create("http");
    TCase *tc = tcase_create("hostile");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, clean_form_get_is_plain_and_small);
    tcase_add_loop_test(tc, header_line_with_control_bytes_is_refused, 0,
                        (int)(sizeof HEADER_CASES / sizeof HEADER_CASES[0]));
    tcase_add_test(tc, url_with_control_bytes_is_refused);
    tcase_add_test(tc, multipart_part_without_content_type);
    tcase_add_test(tc, body_past_cap_is_too_big);
    tcase_add_test(tc, huge_content_length_is_too_big_at_once);
    tcase_add_test(tc, stalled_body_ends_at_idle_timeout);
    tcase_add_test(tc, redirect_is_returned_not_followed);
    tcase_add_test(tc, header_flood_hits_header_cap);
    tcase_add_test(tc, gzip_body_returned_raw);
    tcase_add_test(tc, gzip_body_past_cap_is_too_big);
    tcase_add_test(tc, truncated_json_returned_as_is);
    tcase_add_loop_test(tc, hostile_stream_ends_at_its_timeout, 0,
                        (int)(sizeof STREAM_CASES / sizeof STREAM_CASES[0]));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = hitl_check_run(http_suite());
    curl_global_cleanup();
    return rc;
}
