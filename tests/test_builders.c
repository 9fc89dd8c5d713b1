/* test_builders.c: every request builder of the lifecycle driver (flow.c) puts a server's
 * value into a request only encoded, or refuses it (url.h): the form paths, the resume path,
 * the event reader that takes form_token, workflow_run_id and task_id, the readers of an
 * upload token (an Authorization header) and of an upload id. The values are issue 10's:
 * `../x`, `a/b`, CR/LF, NUL (as JSON's \u0000), `%2F` and an over-long one. A small server
 * here answers the start with a stream built from the case, and records every request
 * target as it arrived (before decoding), so what went out is seen, not assumed. */
#include "hitl/catalog.h"
#include "hitl/checks.h"
#include "hitl/scheduler.h"
#include "hitl/flow.h"
#include "hitl/http.h"
#include "hitl/target.h"

#include "check_main.h"
#include <check.h>
#include <curl/curl.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* --- a server that streams what the case says and records targets --- */

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static char g_targets[64][1024]; /* raw request targets, the start excluded */
static int g_n_targets;
static char g_stream[8192]; /* the start stream's body */
static int g_429_left;      /* answer that many requests (the start excluded) 429 first */

static void *uri_log(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)c;
    pthread_mutex_lock(&g_lock);
    if (strcmp(uri, "/v1/workflows/run") && g_n_targets < 64)
        snprintf(g_targets[g_n_targets++], sizeof g_targets[0], "%s", uri);
    pthread_mutex_unlock(&g_lock);
    return NULL;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *data_size, void **state)
{
    (void)cls;
    (void)method;
    (void)version;
    (void)data;
    if (!*state) { /* the first call: headers only */
        *state = c;
        return MHD_YES;
    }
    if (*data_size) {
        *data_size = 0;
        return MHD_YES;
    }
    int start = !strcmp(url, "/v1/workflows/run");
    pthread_mutex_lock(&g_lock);
    bool limited = !start && g_429_left > 0;
    g_429_left -= limited;
    pthread_mutex_unlock(&g_lock);
    if (limited) {
        static const char lim[] =
            "{\"code\":\"web_form_rate_limit_exceeded\",\"message\":\"slow\",\"status\":429}";
        struct MHD_Response *r =
            MHD_create_response_from_buffer(sizeof lim - 1, (void *)lim, MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(r, "Content-Type", "application/json");
        enum MHD_Result rc = MHD_queue_response(c, 429, r);
        MHD_destroy_response(r);
        return rc;
    }
    const char *body =
        start ? g_stream : "{\"code\":\"not_found\",\"message\":\"no\",\"status\":404}";
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "Content-Type", start ? "text/event-stream" : "application/json");
    enum MHD_Result rc = MHD_queue_response(c, start ? 200 : 404, r);
    MHD_destroy_response(r);
    return rc;
}

/* The stream: workflow_started, human_input_required, workflow_paused, each JSON value
 * (already JSON text: a string literal with its quotes) as the case gives it. */
static void set_stream(const char *token, const char *run_id, const char *task_id)
{
    long long exp = (long long)time(NULL) + 3600;
    snprintf(g_stream, sizeof g_stream,
             "data: {\"event\":\"workflow_started\",\"task_id\":%s,\"workflow_run_id\":%s,"
             "\"data\":{}}\n\n"
             "data: {\"event\":\"human_input_required\",\"task_id\":%s,\"workflow_run_id\":%s,"
             "\"data\":{\"form_id\":\"f1\",\"node_id\":\"n1\",\"node_title\":\"Review\","
             "\"form_content\":\"Check it\",\"inputs\":[],\"actions\":[{\"id\":\"approve\","
             "\"title\":\"Approve\",\"button_style\":\"primary\"}],\"display_in_ui\":false,"
             "\"form_token\":%s,\"resolved_default_values\":{},\"expiration_time\":%lld}}\n\n"
             "data: {\"event\":\"workflow_paused\",\"task_id\":%s,\"workflow_run_id\":%s,"
             "\"data\":{\"outputs\":{},\"reasons\":[{\"TYPE\":\"human_input_required\","
             "\"form_id\":\"f1\",\"form_token\":%s,\"expiration_time\":%lld}]}}\n\n",
             task_id, run_id, task_id, run_id, token, exp, task_id, run_id, token, exp);
}

/* --- running checks against it --- */

typedef struct bench {
    struct MHD_Daemon *d;
    char base[64];
    hitl_http *http;
} bench;

static void bench_start(bench *b)
{
    pthread_mutex_lock(&g_lock);
    g_n_targets = 0;
    pthread_mutex_unlock(&g_lock);
    b->d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD, 0, NULL, NULL, answer, NULL,
                            MHD_OPTION_URI_LOG_CALLBACK, uri_log, NULL, MHD_OPTION_END);
    ck_assert_ptr_nonnull(b->d);
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(b->d, MHD_DAEMON_INFO_BIND_PORT);
    snprintf(b->base, sizeof b->base, "http://127.0.0.1:%u", (unsigned)di->port);
    hitl_err err = {0};
    hitl_http_config hc = {.timeout_ms = 5000};
    ck_assert_int_eq(hitl_http_new(&b->http, &hc, &err), 0);
}

static void bench_stop(bench *b)
{
    hitl_http_free(b->http);
    MHD_stop_daemon(b->d);
}

/* Runs the catalogue |doc| bound to |impls| (or, doc NULL, the built-in checks named by
 * |only|) against the bench; the caller frees |res| and |cat|. */
static void bench_run(bench *b, const char *doc, const hitl_check_impl *impls, size_t n_impls,
                      const char *only, hitl_catalog *cat, hitl_results *res)
{
    hitl_err err = {0};
    hitl_check_impl all[256];
    if (doc) {
        ck_assert_int_eq(hitl_catalog_parse(doc, strlen(doc), cat, &err), 0);
    } else {
        ck_assert_int_eq(hitl_catalog_load_builtin(cat, &err), 0);
        n_impls = hitl_checks_copy(all, 256);
        impls = all;
    }
    ck_assert_msg(hitl_catalog_bind(cat, impls, n_impls, &err) == 0, "%s", err.msg);
    bool selected[512];
    ck_assert_uint_le(cat->n, 512);
    const char *sel[1] = {only};
    ck_assert_int_eq(
        hitl_catalog_select(cat, only ? sel : NULL, only ? 1 : 0, NULL, 0, selected, &err), 0);
    hitl_target t;
    hitl_target_init(&t);
    free(t.base_url);
    t.base_url = strdup(b->base);
    t.api_key = strdup("app-key");
    t.max_wait_s = 5;
    t.rate_window_s = 1; /* a 429 is ridden out in 2 s steps, at most twice within max_wait */
    t.timeout_ms = 5000;
    t.layout = HITL_LAYOUT_V2;
    hitl_scheduler_options opts = {.jobs = 1};
    ck_assert_int_eq(hitl_scheduler_run(cat, selected, &t, b->http, NULL, &opts, res, &err), 0);
    hitl_target_free(&t);
}

static int targets_now(void)
{
    pthread_mutex_lock(&g_lock);
    int n = g_n_targets;
    pthread_mutex_unlock(&g_lock);
    return n;
}

/* --- the cases --- */

/* A value as a C string (for the path builders) and as JSON text (for the readers), what
 * becomes of it: refused (with |why| in the message) or sent encoded as |encoded|. */
typedef struct value_case {
    const char *value; /* NULL: only JSON can hold it (NUL) */
    const char *json;
    const char *encoded; /* NULL: refused */
    const char *why;
} value_case;

/* 600 bytes: over the 512 a URL value may have. */
#define LONG_600                                                                                   \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
    "aaaaaaaa"                                                                                     \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
    "aaaaaaaa"                                                                                     \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
    "aaaaaaaa"                                                                                     \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
    "aaaaaaaa"                                                                                     \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
    "aaaaaaaa"                                                                                     \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
    "aaaaaaaa"

static const value_case VALUES[] = {
    {"../x", "\"../x\"", NULL, "'/' at byte 2"},
    {"a/b", "\"a/b\"", NULL, "'/' at byte 1"},
    {"tok\r\nX-Hostile-Injected: 1", "\"tok\\r\\nX-Hostile-Injected: 1\"", NULL,
     "control byte 0x0D"},
    {NULL, "\"tok\\u0000/../x\"", NULL, "NUL"},
    {"%2F", "\"%2F\"", "%252F", NULL},
    {LONG_600, "\"" LONG_600 "\"", NULL, "600 bytes long"},
    {"a b", "\"a b\"", "a%20b", NULL},
};
#define N_VALUES (int)(sizeof VALUES / sizeof VALUES[0])

static const value_case *g_case;

static const char *ONE_WEB =
    "{\"version\":1,\"checks\":[{\"id\":\"form.x\",\"tags\":[\"form\"],\"title\":\"t\","
    "\"section\":\"§1\",\"severity\":\"MUST\",\"surfaces\":[\"web\"]}]}";
static const char *ONE_SVC =
    "{\"version\":1,\"checks\":[{\"id\":\"resume.x\",\"tags\":[\"resume\"],\"title\":\"t\","
    "\"section\":\"§1\",\"severity\":\"MUST\",\"surfaces\":[\"service\"]}]}";

/* GET, POST and POST …/upload-token of the form whose token is the case's value. */
static void form_builders(hitl_check_ctx *ctx)
{
    hitl_http_response resp;
    int rc = hitl_flow_get_form(ctx, g_case->value, &resp);
    hitl_http_response_free(&resp);
    if (rc != HITL_OK)
        return; /* refused: the ERROR says why, and nothing was sent */
    hitl_flow_submit(ctx, g_case->value, "{}", &resp);
    hitl_http_response_free(&resp);
    char *tok = NULL;
    hitl_flow_upload_token(ctx, g_case->value, &resp, &tok);
    hitl_http_response_free(&resp);
    free(tok);
    hitl_check_pass(ctx);
}

static long g_patient_status, g_raw_status;

/* A WEB GET of the form through the check layer's one verb (patient), then a raw one. */
static void patience_check(hitl_check_ctx *ctx)
{
    hitl_http_response resp;
    if (hitl_flow_get_form(ctx, "tok", &resp) == HITL_OK)
        g_patient_status = resp.status;
    hitl_http_response_free(&resp);
    pthread_mutex_lock(&g_lock);
    g_429_left = 1;
    pthread_mutex_unlock(&g_lock);
    hitl_call call = {
        .method = "GET", .surface = HITL_SURFACE_WEB, .path = "/form/human_input/tok", .raw = true};
    if (hitl_flow_call(ctx, &call, &resp) == HITL_OK)
        g_raw_status = resp.status;
    hitl_http_response_free(&resp);
    hitl_check_pass(ctx);
}

/* Every check-layer call rides out the WEB rate limiter (other checks' traffic on the shared
 * client IP): two 429s, then the answer; a call marked raw (the rate-limit checks') sees the
 * 429 itself. */
START_TEST(web_calls_ride_out_429_unless_raw)
{
    bench b;
    bench_start(&b);
    pthread_mutex_lock(&g_lock);
    g_429_left = 2;
    pthread_mutex_unlock(&g_lock);
    g_patient_status = g_raw_status = 0;
    hitl_check_impl impl[] = {{"form.x", patience_check}};
    hitl_catalog cat;
    hitl_results res;
    bench_run(&b, ONE_WEB, impl, 1, NULL, &cat, &res);
    bench_stop(&b);
    ck_assert_int_eq(res.items[0].verdict, HITL_PASS);
    ck_assert_int_eq(g_patient_status, 404);
    ck_assert_int_eq(g_raw_status, 429);
    ck_assert_int_eq(targets_now(), 4); /* 429, 429, 404; then the raw 429 */
    hitl_results_free(&res);
    hitl_catalog_free(&cat);
}
END_TEST

START_TEST(form_path_builders_encode_or_refuse)
{
    g_case = &VALUES[_i];
    if (!g_case->value)
        return; /* a C string cannot hold a NUL: the readers' cases below */
    bench b;
    bench_start(&b);
    hitl_check_impl impl[] = {{"form.x", form_builders}};
    hitl_catalog cat;
    hitl_results res;
    bench_run(&b, ONE_WEB, impl, 1, NULL, &cat, &res);
    bench_stop(&b);
    const hitl_result *r = &res.items[0];
    if (g_case->encoded) {
        ck_assert_int_eq(r->verdict, HITL_PASS);
        ck_assert_int_eq(targets_now(), 3);
        char want[256];
        snprintf(want, sizeof want, "/api/form/human_input/%s", g_case->encoded);
        ck_assert_str_eq(g_targets[0], want);
        ck_assert_str_eq(g_targets[1], want);
        snprintf(want, sizeof want, "/api/form/human_input/%s/upload-token", g_case->encoded);
        ck_assert_str_eq(g_targets[2], want);
    } else {
        ck_assert_int_eq(r->verdict, HITL_ERROR);
        ck_assert_msg(strstr(r->reason, g_case->why), "%s", r->reason);
        ck_assert_ptr_nonnull(strstr(r->reason, "the form token"));
        ck_assert_int_eq(targets_now(), 0); /* nothing went out */
    }
    hitl_results_free(&res);
    hitl_catalog_free(&cat);
}
END_TEST

static void resume_builder(hitl_check_ctx *ctx)
{
    hitl_stream_opts so = {.total_ms = 2000};
    hitl_stream_async *a = NULL;
    if (hitl_flow_resume_open(ctx, g_case->value, "user 1", NULL, NULL, &so, &a) == HITL_OK) {
        hitl_stream s;
        hitl_stream_join(a, &s);
        hitl_stream_free(&s);
        hitl_check_pass(ctx);
    }
}

START_TEST(resume_path_builder_encodes_or_refuses)
{
    g_case = &VALUES[_i];
    if (!g_case->value)
        return;
    bench b;
    bench_start(&b);
    hitl_check_impl impl[] = {{"resume.x", resume_builder}};
    hitl_catalog cat;
    hitl_results res;
    bench_run(&b, ONE_SVC, impl, 1, NULL, &cat, &res);
    bench_stop(&b);
    const hitl_result *r = &res.items[0];
    if (g_case->encoded) {
        ck_assert_int_eq(r->verdict, HITL_PASS);
        ck_assert_int_eq(targets_now(), 1);
        char want[256];
        snprintf(want, sizeof want, "/v1/workflow/%s/events?user=user%%201", g_case->encoded);
        ck_assert_str_eq(g_targets[0], want);
    } else {
        ck_assert_int_eq(r->verdict, HITL_ERROR);
        ck_assert_msg(strstr(r->reason, g_case->why), "%s", r->reason);
        ck_assert_int_eq(targets_now(), 0);
    }
    hitl_results_free(&res);
    hitl_catalog_free(&cat);
}
END_TEST

/* The event reader: each of form_token, workflow_run_id and task_id in turn carries the
 * case's value; hitl_flow_start refuses it (an ERROR naming the field and the defect, the
 * circuit breaker's step) or takes it, and nothing but the start goes out either way. */
static void event_reader(hitl_check_ctx *ctx)
{
    hitl_run run;
    if (hitl_flow_start(ctx, &run) == HITL_OK)
        hitl_check_pass(ctx);
    hitl_run_free(&run);
}

START_TEST(event_reader_refuses_values_for_urls)
{
    static const char *const fields[] = {"form_token", "workflow_run_id", "task_id"};
    g_case = &VALUES[_i];
    for (int f = 0; f < 3; f++) {
        set_stream(f == 0 ? g_case->json : "\"tok-1\"", f == 1 ? g_case->json : "\"run-1\"",
                   f == 2 ? g_case->json : "\"task-1\"");
        bench b;
        bench_start(&b);
        hitl_check_impl impl[] = {{"form.x", event_reader}};
        hitl_catalog cat;
        hitl_results res;
        bench_run(&b, ONE_WEB, impl, 1, NULL, &cat, &res);
        bench_stop(&b);
        const hitl_result *r = &res.items[0];
        if (g_case->encoded) {
            ck_assert_int_eq(r->verdict, HITL_PASS);
        } else {
            ck_assert_int_eq(r->verdict, HITL_ERROR);
            /* A NUL anywhere in the event refuses every value read from it: the first
             * one read (task_id) is named. */
            char want[96];
            snprintf(want, sizeof want, "human_input_required's %s",
                     g_case->value ? fields[f] : "task_id");
            ck_assert_msg(strstr(r->reason, want) && strstr(r->reason, g_case->why) &&
                              strstr(r->reason, "precondition (" HITL_STEP_START ")"),
                          "%s: %s", fields[f], r->reason);
        }
        ck_assert_int_eq(targets_now(), 0);
        hitl_results_free(&res);
        hitl_catalog_free(&cat);
    }
}
END_TEST

/* The readers of an upload-token answer (its token goes into an Authorization header) and of
 * an upload answer (its id into a submit). */
static int g_token_rc, g_token_set, g_id_set;
static char g_token_why[HITL_ERR_MSG_MAX], g_id_why[HITL_ERR_MSG_MAX];

static void upload_readers(hitl_check_ctx *ctx)
{
    hitl_http_response resp;
    memset(&resp, 0, sizeof resp);
    resp.status = 200;
    hitl_buf_init(&resp.body, 8192);
    hitl_buf_printf(&resp.body, "{\"upload_token\":%s,\"expires_at\":1}", g_case->json);
    char *tok = NULL;
    hitl_err err = {0};
    g_token_rc = hitl_flow_take_upload_token(ctx, &resp, &tok, &err);
    g_token_set = tok != NULL;
    snprintf(g_token_why, sizeof g_token_why, "%s", err.msg);
    free(tok);
    hitl_buf_reset(&resp.body);
    resp.status = 201;
    hitl_buf_printf(&resp.body, "{\"id\":%s,\"name\":\"a.pdf\"}", g_case->json);
    hitl_err_clear(&err);
    char *id = hitl_flow_upload_id(&resp, &err);
    g_id_set = id != NULL;
    snprintf(g_id_why, sizeof g_id_why, "%s", err.msg);
    free(id);
    hitl_http_response_free(&resp);
    hitl_check_pass(ctx);
}

START_TEST(upload_readers_refuse_values_for_headers)
{
    g_case = &VALUES[_i];
    bench b;
    bench_start(&b);
    hitl_check_impl impl[] = {{"form.x", upload_readers}};
    hitl_catalog cat;
    hitl_results res;
    bench_run(&b, ONE_WEB, impl, 1, NULL, &cat, &res);
    bench_stop(&b);
    if (g_case->encoded) {
        ck_assert_int_eq(g_token_rc, HITL_OK);
        ck_assert(g_token_set && g_id_set);
    } else {
        ck_assert_int_eq(g_token_rc, HITL_E_INVALID);
        ck_assert(!g_token_set && !g_id_set);
        ck_assert_msg(strstr(g_token_why, "upload_token") && strstr(g_token_why, g_case->why), "%s",
                      g_token_why);
        ck_assert_msg(strstr(g_id_why, "id") && strstr(g_id_why, g_case->why), "%s", g_id_why);
    }
    hitl_results_free(&res);
    hitl_catalog_free(&cat);
}
END_TEST

/* The event's own checks judge the malformed value: a FAIL citing §1.4.6 (these checks
 * read the stream without hitl_flow_start's precondition). */
START_TEST(stream_checks_fail_a_malformed_value)
{
    static const char *const only[] = {"stream.required.fields", "stream.envelope.fields"};
    set_stream("\"../hostile-escape\"", "\"run\\r\\n1\"", "\"task-1\"");
    for (int i = 0; i < 2; i++) {
        bench b;
        bench_start(&b);
        hitl_catalog cat;
        hitl_results res;
        bench_run(&b, NULL, NULL, 0, only[i], &cat, &res);
        bench_stop(&b);
        ck_assert_uint_eq(res.n, 1);
        const hitl_result *r = &res.items[0];
        ck_assert_msg(r->verdict == HITL_FAIL, "%s: %s", only[i], hitl_verdict_name(r->verdict));
        ck_assert_ptr_nonnull(strstr(r->expected, "§1.4.6"));
        ck_assert_ptr_nonnull(strstr(r->actual, i == 0 ? "'/' at byte 2" : "control byte 0x0D"));
        ck_assert_int_eq(targets_now(), 0);
        hitl_results_free(&res);
        hitl_catalog_free(&cat);
    }
}
END_TEST

static Suite *builders_suite(void)
{
    Suite *s = suite_create("builders");
    TCase *tc = tcase_create("builders");
    tcase_set_timeout(tc, 30);
    set_stream("\"tok-1\"", "\"run-1\"", "\"task-1\"");
    tcase_add_loop_test(tc, form_path_builders_encode_or_refuse, 0, N_VALUES);
    tcase_add_loop_test(tc, resume_path_builder_encodes_or_refuses, 0, N_VALUES);
    tcase_add_loop_test(tc, event_reader_refuses_values_for_urls, 0, N_VALUES);
    tcase_add_loop_test(tc, upload_readers_refuse_values_for_headers, 0, N_VALUES);
    tcase_add_test(tc, stream_checks_fail_a_malformed_value);
    tcase_add_test(tc, web_calls_ride_out_429_unless_raw);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = hitl_check_run(builders_suite());
    curl_global_cleanup();
    return rc;
}
