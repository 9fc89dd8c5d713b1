/* test_refserver_faults_ops.c: the operational faults (expiry, rate limits, resume
 * streams, error shapes and auth, hostile answers) change behaviour as refserver/FAULTS.md
 * says. Every fault has exactly one row here, in test_refserver_faults_api.c or in
 * test_refserver_faults_hostile.c (tests/refserver_faults_doc.sh checks). */
#include "refserver_faultprobe.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* ---- expiry (TTL 1 s; the sweeper never runs; the fault-off side is test_refserver_form's
 * expired_form_is_412_before_any_sweep) ---- */

static int p_expiry_get(ctx *c)
{
    wait_expired(c);
    rst_resp r;
    rst_get(&r, U(c, "/api/form/human_input/%s", c->run.token), NULL);
    return status_of(&r) == 200;
}

static int p_expiry_submit(ctx *c)
{
    char inputs[512];
    rst_valid_inputs(&c->ts, c->run.token, inputs, sizeof inputs);
    wait_expired(c);
    rst_resp r;
    rst_submit(&c->ts, c->run.token, inputs, "approve", &r);
    return status_of(&r) == 200;
}

static int p_expiry_upload_token(ctx *c)
{
    wait_expired(c);
    rst_resp r;
    rst_post(&r, U(c, "/api/form/human_input/%s/upload-token", c->run.token), NULL, NULL);
    return status_of(&r) == 200;
}

static int p_expiry_upload(ctx *c)
{
    char hdr[256];
    bearer(c, hdr, sizeof hdr, "");
    wait_expired(c);
    rst_resp r;
    return (upload_with(c, hdr, "a.pdf", 4, &r), status_of(&r)) == 201;
}

/* ---- global timeout (1 s, sweeper every 100 ms; node timeout the default 36 h) ---- */

static void t_global1(hitl_refserver_config *cfg)
{
    cfg->global_timeout_s = 1;
    cfg->sweep_interval_ms = 100;
}

/* Past the global deadline (created_at + 1 s, whole seconds) and a few sweeps. */
static void wait_global(void)
{
    rst_sleep_ms(2500);
}

static int p_global_timeout_ignored(ctx *c)
{
    wait_global();
    rst_resp r;
    rst_get(&r, U(c, "/api/form/human_input/%s", c->run.token), NULL);
    return status_of(&r) == 200;
}

/* Building the submission takes an upload token and an upload, which must land while the
 * form is active. With a 1 s global timeout on a whole-second created_at the form may have
 * only milliseconds left (a CI ASan run got 412 at the upload token), so this row gives it
 * 3 s and waits past that deadline after the inputs are built. */
static void t_global3(hitl_refserver_config *cfg)
{
    cfg->global_timeout_s = 3;
    cfg->sweep_interval_ms = 100;
}

static int p_global_timeout_get_only(ctx *c)
{
    char inputs[512];
    rst_valid_inputs(&c->ts, c->run.token, inputs, sizeof inputs);
    rst_sleep_ms(4000); /* the deadline is at most 3 s after the run started */
    rst_resp r;
    long status = rst_submit(&c->ts, c->run.token, inputs, "approve", &r);
    rst_resp_free(&r);
    return status == 200;
}

static int p_global_stop_status(ctx *c)
{
    wait_global();
    rst_resp r;
    resume(c, "u1", &r, 5000);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "workflow_finished"));
    int dev = strstr(r.body, "\"status\":\"stopped\"") == NULL;
    rst_resp_free(&r);
    return dev;
}

/* ---- rate limit (2 per window) ---- */

static long web_get_status(ctx *c, const char *iface, const char *headers)
{
    rst_resp r;
    rst_opts o = {
        .url = U(c, "/api/form/human_input/%s", "nope"), .iface = iface, .headers = headers};
    rst_do(&o, &r);
    return status_of(&r);
}

static int p_no_rate_limit(ctx *c)
{
    for (int i = 0; i < 2; i++)
        web_get_status(c, NULL, NULL);
    return web_get_status(c, NULL, NULL) != 429;
}

static int p_shared_buckets(ctx *c)
{
    for (int i = 0; i < 2; i++)
        web_get_status(c, NULL, NULL);
    rst_resp r;
    rst_post(&r, U(c, "/api/form/human_input/%s", "nope"), NULL,
             "{\"inputs\":{},\"action\":\"a\"}");
    return status_of(&r) == 429;
}

static int p_count_429s(ctx *c)
{
    web_get_status(c, NULL, NULL);
    web_get_status(c, NULL, NULL);
    rst_sleep_ms(500);
    ck_assert_int_eq(web_get_status(c, NULL, NULL), 429);
    ck_assert_int_eq(web_get_status(c, NULL, NULL), 429);
    rst_sleep_ms(600); /* the two counted hits aged out; the 429s only count with the fault */
    return web_get_status(c, NULL, NULL) == 429;
}

static int p_global_bucket(ctx *c)
{
    web_get_status(c, "127.0.0.1", NULL);
    web_get_status(c, "127.0.0.1", NULL);
    return web_get_status(c, "127.0.0.2", NULL) == 429;
}

static int p_trust_forwarded(ctx *c)
{
    web_get_status(c, NULL, "X-Forwarded-For: 198.51.100.1");
    web_get_status(c, NULL, "X-Forwarded-For: 198.51.100.1");
    return web_get_status(c, NULL, "X-Forwarded-For: 198.51.100.2") != 429;
}

/* ---- resume ---- */

static int p_resume_wrong_user(ctx *c)
{
    rst_resp r;
    resume(c, "intruder", &r, 1500);
    return status_of(&r) == 200;
}

static int p_resume_no_ping(ctx *c)
{
    rst_resp r;
    resume(c, "u1", &r, 5000); /* idle close after 1 s, pings every 300 ms */
    ck_assert_int_eq(r.status, 200);
    int dev = strstr(r.body, "ping") == NULL;
    rst_resp_free(&r);
    return dev;
}

static int p_wrong_branch(ctx *c)
{
    rst_resp r;
    resumed_after_submit(c, "approve", &r);
    cJSON *fin = rst_sse_event(r.body, "workflow_finished", 0);
    int dev = strcmp(rst_str(fin, "data.outputs.action"), "approve") != 0;
    cJSON_Delete(fin);
    rst_resp_free(&r);
    return dev;
}

static int p_resume_finished_replay(ctx *c)
{
    ck_assert_int_eq(submit_valid(c, "approve"), 200);
    rst_sleep_ms(200);
    rst_resp r;
    resume(c, "u1", &r, 3000);
    int dev = strcmp(rst_sse_names(r.body), "workflow_finished") != 0;
    rst_resp_free(&r);
    return dev;
}

static int p_filled_wrong_action_text(ctx *c)
{
    rst_resp r;
    resumed_after_submit(c, "revise", &r);
    cJSON *f = rst_sse_event(r.body, "human_input_form_filled", 0);
    int dev = strcmp(rst_str(f, "data.action_text"), "Request changes") != 0;
    cJSON_Delete(f);
    rst_resp_free(&r);
    return dev;
}

static int p_filled_no_node_fields(ctx *c)
{
    rst_resp r;
    resumed_after_submit(c, "approve", &r);
    cJSON *f = rst_sse_event(r.body, "human_input_form_filled", 0);
    ck_assert_ptr_nonnull(f);
    int dev = !rst_str(f, "data.node_id") && !rst_str(f, "data.node_title") &&
              !rst_str(f, "data.rendered_content");
    cJSON_Delete(f);
    rst_resp_free(&r);
    return dev;
}

/* A snapshot resume with continue_on_pause=true replays up to workflow_paused and stays
 * open (the test server closes idle streams after 3 s); the fault closes it at once. */
static int p_continue_on_pause_ignored(ctx *c)
{
    char url[512];
    snprintf(url, sizeof url,
             "%s/v1/workflow/%s/events?user=u1&include_state_snapshot=true&continue_on_pause=true",
             c->ts.base, c->run.run_id);
    rst_opts o = {.url = url, .headers = RST_AUTH_WF, .timeout_ms = 1500};
    rst_resp r;
    rst_do(&o, &r);
    ck_assert_ptr_nonnull(strstr(r.body, "workflow_paused"));
    int dev = r.cc == CURLE_OK;
    rst_resp_free(&r);
    return dev;
}

/* ---- errors and auth ---- */

static int p_error_no_status(ctx *c)
{
    rst_resp r;
    rst_get(&r, U(c, "/api/form/human_input/%s", "nope"), NULL);
    cJSON *o = rst_json(&r);
    int dev = rst_at(o, "status") == NULL;
    cJSON_Delete(o);
    rst_resp_free(&r);
    return dev;
}

static int p_error_html(ctx *c)
{
    rst_resp r;
    rst_post(&r, U(c, "/api/form/human_input/%s", c->run.token), NULL, "{not json");
    ck_assert_int_eq(r.status, 400);
    const char *ct = rst_header(&r, "Content-Type");
    int dev = ct && strncmp(ct, "text/html", 9) == 0;
    rst_resp_free(&r);
    return dev;
}

static int p_svc_no_auth(ctx *c)
{
    rst_resp r;
    rst_get(&r, U(c, "/v1/form/human_input/%s", c->run.token), NULL);
    return status_of(&r) == 200;
}

static int p_svc_user_optional(ctx *c)
{
    char inputs[512], body[1024];
    rst_valid_inputs(&c->ts, c->run.token, inputs, sizeof inputs);
    snprintf(body, sizeof body, "{\"inputs\":%s,\"action\":\"approve\"}", inputs);
    rst_resp r;
    rst_post(&r, U(c, "/v1/form/human_input/%s", c->run.token), RST_AUTH_WF, body);
    return status_of(&r) == 200;
}

static int p_svc_submit_other_app(ctx *c)
{
    char inputs[512], body[1024];
    rst_valid_inputs(&c->ts, c->run.token, inputs, sizeof inputs);
    snprintf(body, sizeof body, "{\"inputs\":%s,\"action\":\"approve\",\"user\":\"u1\"}", inputs);
    rst_resp r;
    rst_post(&r, U(c, "/v1/form/human_input/%s", c->run.token), "Authorization: Bearer " RST_CF_KEY,
             body);
    return status_of(&r) == 200;
}

static int p_huge_token_500(ctx *c)
{
    char url[10000];
    char *token = malloc(9001);
    memset(token, 'A', 9000);
    token[9000] = '\0';
    snprintf(url, sizeof url, "http://127.0.0.1:%u/api/form/human_input/%s", (unsigned)c->ts.port,
             token);
    free(token);
    rst_resp r;
    rst_get(&r, url, NULL);
    return status_of(&r) == 500;
}

/* ---- hostile ---- */

static int p_endless_stream(ctx *c)
{
    rst_resp r;
    start_stream(c, RST_WF_KEY, &r, 1000, 0);
    int comments = 0;
    for (const char *p = r.body; (p = strstr(p, ": keepalive\n\n")); p++)
        comments++;
    int dev = r.cc == CURLE_OPERATION_TIMEDOUT && comments >= 3 && !strstr(r.body, "data:");
    rst_resp_free(&r);
    return dev;
}

static int p_endless_line(ctx *c)
{
    rst_resp r;
    start_stream(c, RST_WF_KEY, &r, 5000, 1u << 20);
    int dev = r.len >= (1u << 20) - 65536 && strncmp(r.body, "data: xxxx", 10) == 0 &&
              memchr(r.body, '\n', r.len) == NULL;
    rst_resp_free(&r);
    return dev;
}

static int p_slow_drip(ctx *c)
{
    rst_resp r;
    start_stream(c, RST_WF_KEY, &r, 1300, 0);
    int dev = r.cc == CURLE_OPERATION_TIMEDOUT && r.len >= 2 && r.len <= 4;
    rst_resp_free(&r);
    return dev;
}

/* p_gzip_bomb inflates the whole body (zlib checks CRC and length) and counts the output. */
static int p_gzip_bomb(ctx *c)
{
    rst_resp r;
    rst_opts o = {
        .url = U(c, "/api/form/human_input/%s", c->run.token), .raw = 1, .timeout_ms = 5000};
    rst_do(&o, &r);
    const char *ce = rst_header(&r, "Content-Encoding");
    int dev = 0;
    if (ce && strcmp(ce, "gzip") == 0) {
        ck_assert_msg(r.len < (2u << 20), "bomb body is %zu bytes", r.len);
        z_stream z = {0};
        ck_assert_int_eq(inflateInit2(&z, 16 + 15), Z_OK);
        static unsigned char out[1u << 18];
        unsigned long long total = 0;
        int zr = Z_OK;
        z.next_in = (unsigned char *)r.body;
        z.avail_in = (uInt)r.len;
        while (zr == Z_OK) {
            z.next_out = out;
            z.avail_out = sizeof out;
            zr = inflate(&z, Z_NO_FLUSH);
            total += sizeof out - z.avail_out;
        }
        inflateEnd(&z);
        dev = zr == Z_STREAM_END && total > (1ull << 30);
    }
    rst_resp_free(&r);
    return dev;
}

static int p_huge_content_length(ctx *c)
{
    rst_resp r;
    rst_opts o = {.url = U(c, "/api/form/human_input/%s", c->run.token), .timeout_ms = 1200};
    rst_do(&o, &r);
    const char *cl = rst_header(&r, "Content-Length");
    int dev = cl && strcmp(cl, "10000000000") == 0 && r.cc == CURLE_OPERATION_TIMEDOUT &&
              r.len > 0 && r.len < 10000;
    rst_resp_free(&r);
    return dev;
}

static int p_redirect_loop(ctx *c)
{
    rst_resp r;
    rst_get(&r, U(c, "/api/form/human_input/%s", c->run.token), NULL);
    const char *loc = rst_header(&r, "Location");
    char want[256];
    snprintf(want, sizeof want, "/api/form/human_input/%s", c->run.token);
    int dev = r.status == 302 && loc && strcmp(loc, want) == 0;
    rst_resp_free(&r);
    return dev;
}

/* libcurl itself refuses more than 300 KiB of response headers, so the flood is read raw. */
static int p_header_flood(ctx *c)
{
    char req[256];
    snprintf(req, sizeof req,
             "GET /api/form/human_input/%s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
             c->run.token);
    size_t cap = 4u << 20;
    char *buf = malloc(cap + 1);
    size_t n = rst_raw_request(c->ts.port, req, buf, cap, 5000);
    buf[n] = '\0';
    char *end = strstr(buf, "\r\n\r\n");
    ck_assert_ptr_nonnull(end);
    *end = '\0';
    int floods = 0;
    for (const char *p = buf; (p = strstr(p, "X-Flood-")); p++)
        floods++;
    int dev = floods >= 10000 && strlen(buf) > 900000;
    free(buf);
    return dev;
}

static int p_malformed_json(ctx *c)
{
    rst_resp r;
    rst_get(&r, U(c, "/api/form/human_input/%s", c->run.token), NULL);
    ck_assert_int_eq(r.status, 200);
    cJSON *o = cJSON_Parse(r.body);
    int dev = o == NULL;
    cJSON_Delete(o);
    rst_resp_free(&r);
    return dev;
}

/* --- regressions (dify issues) --- */

static int p_regress_first_submit_412(ctx *c)
{
    return submit_valid(c, "approve") == 412;
}

/* The context's run paused a moment ago: its form GET comes well within 2 s. */
static int p_regress_get_lags_pause(ctx *c)
{
    rst_resp r;
    rst_get(&r, U(c, "/api/form/human_input/%s", c->run.token), NULL);
    return status_of(&r) == 404;
}

static int p_regress_run_stopped(ctx *c)
{
    rst_resp r;
    resumed_after_submit(c, "approve", &r);
    cJSON *fin = rst_sse_event(r.body, "workflow_finished", 0);
    ck_assert_ptr_nonnull(fin);
    int dev = strcmp(rst_str(fin, "data.status"), "stopped") == 0;
    cJSON_Delete(fin);
    rst_resp_free(&r);
    return dev;
}

/* The resume stream carries workflow_finished and stays open until the test server's 3 s
 * idle close (or the 5 s timeout); without the fault it ends with the finish, at once. */
static int p_regress_resume_not_closed(ctx *c)
{
    rst_resp r;
    resumed_after_submit(c, "approve", &r);
    ck_assert_ptr_nonnull(strstr(r.body, "workflow_finished"));
    int dev = r.seconds > 2.5;
    rst_resp_free(&r);
    return dev;
}

static int p_regress_filled_missing(ctx *c)
{
    rst_resp r;
    resumed_after_submit(c, "approve", &r);
    ck_assert_ptr_nonnull(strstr(r.body, "workflow_finished"));
    int dev = strstr(r.body, "human_input_form_filled") == NULL;
    rst_resp_free(&r);
    return dev;
}

static int p_regress_required_empty(ctx *c)
{
    cJSON *ev = start_event(c, "human_input_required");
    int dev = cJSON_GetArraySize(cJSON_GetObjectItem(ev, "data")) == 0;
    cJSON_Delete(ev);
    return dev;
}

/* The resume stream of the context's run (TTL 1 s) across its expiry. */
static void resumed_across_expiry(ctx *c, rst_resp *out)
{
    char url[512];
    snprintf(url, sizeof url, "%s/v1/workflow/%s/events?user=u1", c->ts.base, c->run.run_id);
    rst_opts o = {.url = url, .headers = RST_AUTH_WF, .timeout_ms = 8000};
    rst_do(&o, out);
    ck_assert_ptr_nonnull(strstr(out->body, "workflow_finished"));
}

static int p_regress_timeout_event_missing(ctx *c)
{
    rst_resp r;
    resumed_across_expiry(c, &r);
    int dev = strstr(r.body, "human_input_form_timeout") == NULL;
    rst_resp_free(&r);
    return dev;
}

static int p_regress_timeout_branch_missed(ctx *c)
{
    rst_resp r;
    resumed_across_expiry(c, &r);
    cJSON *fin = rst_sse_event(r.body, "workflow_finished", 0);
    ck_assert_ptr_nonnull(fin);
    int dev = rst_str(fin, "data.outputs.action") == NULL;
    cJSON_Delete(fin);
    rst_resp_free(&r);
    return dev;
}

static int p_regress_resume_new_run(ctx *c)
{
    rst_resp r;
    resumed_after_submit(c, "approve", &r);
    cJSON *fin = rst_sse_event(r.body, "workflow_finished", 0);
    ck_assert_ptr_nonnull(fin);
    int dev = strcmp(rst_str(fin, "workflow_run_id"), c->run.run_id) != 0 &&
              strstr(r.body, "workflow_started") != NULL;
    cJSON_Delete(fin);
    rst_resp_free(&r);
    return dev;
}

/* The variant apps of specs/dify-app/, run from their compiled-in DSL (--app-dsl). */
static void t_dsl(hitl_refserver_config *cfg)
{
    static const char *const apps[][2] = {{"app-parallel", "builtin:workflow-parallel"},
                                          {"app-ifelse", "builtin:chatflow-ifelse"}};
    for (size_t i = 0; i < 2; i++) {
        hitl_refserver_app *a = &cfg->apps[cfg->napps++];
        memset(a, 0, sizeof *a);
        snprintf(a->key, sizeof a->key, "%s", apps[i][0]);
        snprintf(a->dsl, sizeof a->dsl, "%s", apps[i][1]);
    }
}

/* A run of a variant app (a Chatflow when |query| is given): its start stream in |r|. */
static void dsl_start(ctx *c, const char *key, const char *query, rst_resp *r)
{
    char hdr[128], body[256];
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", key);
    snprintf(body, sizeof body,
             "{\"inputs\":{},\"response_mode\":\"streaming\",\"user\":\"u1\"%s%s%s}",
             query ? ",\"query\":\"" : "", query ? query : "", query ? "\"" : "");
    rst_post(r, U(c, "%s", query ? "/v1/chat-messages" : "/v1/workflows/run"), hdr, body);
    ck_assert_int_eq(r->status, 200);
}

static void dsl_token(const char *body, int nth, char *out, size_t cap)
{
    cJSON *ev = rst_sse_event(body, "human_input_required", nth);
    ck_assert_ptr_nonnull(ev);
    snprintf(out, cap, "%s", rst_str(ev, "data.form_token"));
    cJSON_Delete(ev);
}

/* dsl_resumed submits |tokens| back to back with a continue_on_pause resume stream open
 * (ended by message_end, a finish, or |timeout_ms|) and returns the stream in |out|. */
static void dsl_resumed(ctx *c, const char *key, const char *start_body, char tokens[][128], int n,
                        long timeout_ms, rst_resp *out)
{
    cJSON *ev = rst_sse_event(start_body, "workflow_started", 0);
    char url[512], hdr[128];
    snprintf(url, sizeof url, "%s/v1/workflow/%s/events?user=u1&continue_on_pause=true", c->ts.base,
             rst_str(ev, "workflow_run_id"));
    cJSON_Delete(ev);
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", key);
    rst_async a;
    rst_opts o = {.url = url, .headers = hdr, .timeout_ms = timeout_ms};
    rst_async_start(&a, &o);
    rst_async_answered(&a, 4000);
    for (int i = 0; i < n; i++) {
        rst_resp s;
        ck_assert_int_eq(rst_submit(&c->ts, tokens[i], "{\"feedback\":\"ok\"}", "approve", &s),
                         200);
        rst_resp_free(&s);
    }
    rst_async_join(&a);
    *out = a.resp;
}

/* The built-in form (it names no other variable) ends with an LLM draft's placeholder, and
 * chatflow-ifelse.yml's form keeps {{#sys.query#}} raw instead of the run's query. */
static int p_regress_form_unrendered(ctx *c)
{
    cJSON *o = web_get(c);
    int builtin_raw = strstr(rst_str(o, "form_content"), "{{#llm_node.text#}}") != NULL;
    cJSON_Delete(o);
    rst_resp r, g;
    dsl_start(c, "app-ifelse", "a hitlcheck query", &r);
    char token[128];
    dsl_token(r.body, 0, token, sizeof token);
    rst_get(&g, U(c, "/api/form/human_input/%s", token), NULL);
    ck_assert_int_eq(g.status, 200);
    o = rst_json(&g);
    const char *content = rst_str(o, "form_content") ? rst_str(o, "form_content") : "";
    int query_raw = strstr(content, "{{#sys.query#}}") && !strstr(content, "a hitlcheck query");
    cJSON_Delete(o);
    rst_resp_free(&g);
    rst_resp_free(&r);
    return builtin_raw && query_raw;
}

/* Both parallel forms submitted: no workflow_finished within 2 s (the stream stays open). */
static int p_regress_parallel_stuck(ctx *c)
{
    rst_resp r, s;
    dsl_start(c, "app-parallel", NULL, &r);
    char tokens[2][128];
    dsl_token(r.body, 0, tokens[0], sizeof tokens[0]);
    dsl_token(r.body, 1, tokens[1], sizeof tokens[1]);
    dsl_resumed(c, "app-parallel", r.body, tokens, 2, 2000, &s);
    int dev = strstr(s.body ? s.body : "", "workflow_finished") == NULL;
    rst_resp_free(&r);
    rst_resp_free(&s);
    return dev;
}

/* The approve branch's Answer runs after the resume: no message event on the stream. */
static int p_regress_answer_lost(ctx *c)
{
    rst_resp r, s;
    dsl_start(c, "app-ifelse", "a hitlcheck query", &r);
    char tokens[1][128];
    dsl_token(r.body, 0, tokens[0], sizeof tokens[0]);
    dsl_resumed(c, "app-ifelse", r.body, tokens, 1, 3000, &s);
    ck_assert_ptr_nonnull(strstr(s.body, "message_end"));
    cJSON *msg = rst_sse_event(s.body, "message", 0);
    int dev = msg == NULL;
    cJSON_Delete(msg);
    rst_resp_free(&r);
    rst_resp_free(&s);
    return dev;
}

static const fault_row ROWS[] = {
    {"expiry-get", t_ttl1, p_expiry_get, 1},
    {"expiry-submit", t_ttl3, p_expiry_submit, 1},
    {"expiry-upload-token", t_ttl1, p_expiry_upload_token, 1},
    {"expiry-upload", t_ttl3, p_expiry_upload, 1},
    {"global-timeout-ignored", t_global1, p_global_timeout_ignored, 0},
    {"global-stop-status", t_global1, p_global_stop_status, 0},
    {"global-timeout-get-only", t_global3, p_global_timeout_get_only, 0},
    {"no-rate-limit", t_rate2, p_no_rate_limit, 0},
    {"shared-buckets", t_rate2, p_shared_buckets, 0},
    {"count-429s", t_rate2_1s, p_count_429s, 0},
    {"global-bucket", t_rate2, p_global_bucket, 0},
    {"trust-forwarded", t_rate2, p_trust_forwarded, 0},
    {"resume-wrong-user", t_fast_idle, p_resume_wrong_user, 0},
    {"resume-no-ping", t_fast_idle, p_resume_no_ping, 0},
    {"wrong-branch", t_none, p_wrong_branch, 0},
    {"resume-finished-replay", t_none, p_resume_finished_replay, 0},
    {"filled-wrong-action-text", t_none, p_filled_wrong_action_text, 0},
    {"filled-no-node-fields", t_none, p_filled_no_node_fields, 0},
    {"continue-on-pause-ignored", t_none, p_continue_on_pause_ignored, 0},
    {"error-no-status", t_none, p_error_no_status, 0},
    {"error-html", t_none, p_error_html, 0},
    {"svc-no-auth", t_none, p_svc_no_auth, 0},
    {"svc-user-optional", t_none, p_svc_user_optional, 0},
    {"svc-submit-other-app", t_none, p_svc_submit_other_app, 0},
    {"huge-token-500", t_none, p_huge_token_500, 0},
    {"hostile-endless-stream", t_none, p_endless_stream, 0},
    {"hostile-endless-line", t_none, p_endless_line, 0},
    {"hostile-slow-drip", t_none, p_slow_drip, 0},
    {"hostile-gzip-bomb", t_none, p_gzip_bomb, 0},
    {"hostile-huge-content-length", t_none, p_huge_content_length, 0},
    {"hostile-redirect-loop", t_none, p_redirect_loop, 0},
    {"hostile-header-flood", t_none, p_header_flood, 0},
    {"hostile-malformed-json", t_none, p_malformed_json, 0},
    {"regress-first-submit-412", t_none, p_regress_first_submit_412, 0},
    {"regress-get-lags-pause", t_none, p_regress_get_lags_pause, 0},
    {"regress-run-stopped", t_none, p_regress_run_stopped, 0},
    {"regress-resume-not-closed", t_none, p_regress_resume_not_closed, 0},
    {"regress-filled-missing", t_none, p_regress_filled_missing, 0},
    {"regress-required-empty", t_none, p_regress_required_empty, 0},
    {"regress-timeout-event-missing", t_ttl2_sweep, p_regress_timeout_event_missing, 0},
    {"regress-timeout-branch-missed", t_ttl2_sweep, p_regress_timeout_branch_missed, 0},
    {"regress-resume-new-run", t_none, p_regress_resume_new_run, 0},
    {"regress-form-unrendered", t_dsl, p_regress_form_unrendered, 0},
    {"regress-parallel-stuck", t_dsl, p_regress_parallel_stuck, 0},
    {"regress-answer-lost", t_dsl, p_regress_answer_lost, 0},
};

int main(void)
{
    return rsf_main("refserver_faults_ops", ROWS, (int)(sizeof ROWS / sizeof ROWS[0]));
}
