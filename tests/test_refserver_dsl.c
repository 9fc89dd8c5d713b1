/* test_refserver_dsl.c: --app-dsl runs (refserver/src/model/flow.c): the compiled-in apps of
 * specs/dify-app/ executed from their graphs: parallel Human Input nodes pause together and
 * the run finishes only when both forms are submitted; sequential nodes pause twice with a
 * new form and token; IF/ELSE picks the branch; an Answer after the resume renders the
 * submitted values; the node's timeout is the form's TTL unless --form-ttl is given; the
 * built-in form `default` is workflow.yml's node; a DSL the server cannot run is refused at
 * start, naming the file and the rule. */
#include "refserver_client.h"

#include "check_main.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static rst_server ts;

/* start_with starts a server with the given extra flags (the default apps stay). */
static void start_with(const char *const *flags, int ttl_s)
{
    hitl_refserver_config cfg;
    rst_config(&cfg);
    char *argv[16] = {"hitl-refserver"};
    int argc = 1;
    for (; flags[argc - 1] && argc < 15; argc++)
        argv[argc] = (char *)flags[argc - 1];
    hitl_err err = {0};
    ck_assert_msg(hitl_refserver_config_parse(&cfg, argc, argv, &err) == 0, "%s", err.msg);
    if (ttl_s) {
        cfg.form_ttl_s = ttl_s;
        cfg.form_ttl_set = 1;
        cfg.sweep_interval_ms = 200;
    }
    rst_start(&ts, &cfg);
}

/* run_stream starts a run of app |key| (a Chatflow when |query| is given) in streaming mode. */
static void run_stream(const char *key, const char *query, rst_resp *r)
{
    char hdr[128], body[512];
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", key);
    if (query)
        snprintf(body, sizeof body,
                 "{\"inputs\":{},\"response_mode\":\"streaming\",\"user\":\"u1\",\"query\":\"%s\"}",
                 query);
    else
        snprintf(body, sizeof body,
                 "{\"inputs\":{},\"response_mode\":\"streaming\",\"user\":\"u1\"}");
    rst_post(r, rst_url(&ts, query ? "/v1/chat-messages" : "/v1/workflows/run"), hdr, body);
    ck_assert_msg(r->status == 200, "start: %ld %s", r->status, r->body);
}

/* The n-th human_input_required's form token of |body|, in |out|. */
static void token_of(const char *body, int nth, char *out, size_t cap)
{
    cJSON *ev = rst_sse_event(body, "human_input_required", nth);
    ck_assert_ptr_nonnull(ev);
    snprintf(out, cap, "%s", rst_str(ev, "data.form_token"));
    cJSON_Delete(ev);
}

static void run_id_of(const char *body, char *out, size_t cap)
{
    cJSON *ev = rst_sse_event(body, "workflow_started", 0);
    ck_assert_ptr_nonnull(ev);
    snprintf(out, cap, "%s", rst_str(ev, "workflow_run_id"));
    cJSON_Delete(ev);
}

/* finished_event waits (up to 3 s) for the run to finish and returns its workflow_finished
 * (the resume of a finished run replays it), or NULL when it never finished. */
static cJSON *finished_event(const char *key, const char *run_id)
{
    char hdr[128];
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", key);
    for (int i = 0; i < 30; i++) {
        rst_resp r;
        rst_opts o = {
            .url =
                rst_url(&ts, "/v1/workflow/%s/events?user=u1&include_state_snapshot=true", run_id),
            .headers = hdr,
            .timeout_ms = 2000};
        rst_do(&o, &r);
        cJSON *ev = strstr(r.body ? r.body : "", "workflow_paused")
                        ? NULL
                        : rst_sse_event(r.body, "workflow_finished", 0);
        rst_resp_free(&r);
        if (ev)
            return ev;
        usleep(100 * 1000);
    }
    return NULL;
}

START_TEST(parallel_nodes_pause_together_and_finish_when_both_submitted)
{
    start_with((const char *const[]){"--app-dsl", "P=builtin:workflow-parallel", NULL}, 0);
    rst_resp r;
    run_stream("P", NULL, &r);
    ck_assert_str_eq(rst_sse_names(r.body),
                     "workflow_started,node_started,node_finished,node_started,"
                     "human_input_required,node_started,human_input_required,workflow_paused");
    cJSON *paused = rst_sse_event(r.body, "workflow_paused", 0);
    ck_assert_int_eq(cJSON_GetArraySize(rst_at(paused, "data.reasons")), 2);
    ck_assert_str_eq(rst_str(paused, "data.paused_nodes.0"), "review_a");
    ck_assert_str_eq(rst_str(paused, "data.paused_nodes.1"), "review_b");
    cJSON_Delete(paused);
    char a[128], b[128], run[64];
    token_of(r.body, 0, a, sizeof a);
    token_of(r.body, 1, b, sizeof b);
    run_id_of(r.body, run, sizeof run);
    ck_assert_str_ne(a, b);
    rst_resp_free(&r);

    rst_resp s;
    /* The state snapshot of the paused run shows both forms too (§9.1). */
    rst_opts so = {
        .url = rst_url(&ts, "/v1/workflow/%s/events?user=u1&include_state_snapshot=true", run),
        .headers = "Authorization: Bearer P"};
    rst_do(&so, &s);
    paused = rst_sse_event(s.body, "workflow_paused", 0);
    ck_assert_ptr_nonnull(paused);
    ck_assert_int_eq(cJSON_GetArraySize(rst_at(paused, "data.reasons")), 2);
    cJSON_Delete(paused);
    rst_resp_free(&s);
    ck_assert_int_eq(rst_submit(&ts, a, "{\"feedback\":\"A\"}", "approve", &s), 200);
    rst_resp_free(&s);
    usleep(300 * 1000);
    /* One form left: the run is paused, not finished, and B's form still answers. */
    rst_get(&s, rst_url(&ts, "/api/form/human_input/%s", b), NULL);
    ck_assert_int_eq(s.status, 200);
    rst_resp_free(&s);
    rst_get(&s, rst_url(&ts, "/api/form/human_input/%s", a), NULL);
    ck_assert_int_eq(s.status, 412);
    rst_resp_free(&s);
    ck_assert_int_eq(rst_submit(&ts, b, "{\"feedback\":\"B\"}", "revise", &s), 200);
    rst_resp_free(&s);
    cJSON *fin = finished_event("P", run);
    ck_assert_msg(fin != NULL, "the run did not finish after both submits");
    ck_assert_str_eq(rst_str(fin, "data.status"), "succeeded");
    ck_assert_str_eq(rst_str(fin, "data.outputs.a_action"), "approve");
    ck_assert_str_eq(rst_str(fin, "data.outputs.b_action"), "revise");
    cJSON_Delete(fin);
    rst_stop(&ts);
}
END_TEST

START_TEST(sequential_nodes_pause_twice_with_a_new_token)
{
    start_with((const char *const[]){"--app-dsl", "S=builtin:chatflow-sequential", NULL}, 0);
    rst_resp r;
    run_stream("S", "check", &r);
    char first[128], run[64];
    token_of(r.body, 0, first, sizeof first);
    run_id_of(r.body, run, sizeof run);
    rst_resp_free(&r);
    /* The resumed events, on a stream that stays open across the second pause. */
    rst_async live;
    rst_opts o = {.url = rst_url(&ts, "/v1/workflow/%s/events?user=u1&continue_on_pause=true", run),
                  .headers = "Authorization: Bearer S",
                  .timeout_ms = 5000};
    rst_async_start(&live, &o);
    rst_async_answered(&live, 4000);
    rst_resp s;
    ck_assert_int_eq(rst_submit(&ts, first, "{\"feedback\":\"one\"}", "approve", &s), 200);
    rst_resp_free(&s);
    usleep(300 * 1000);
    rst_resp snap;
    rst_opts so = {
        .url = rst_url(&ts, "/v1/workflow/%s/events?user=u1&include_state_snapshot=true", run),
        .headers = "Authorization: Bearer S"};
    rst_do(&so, &snap);
    char second[128];
    token_of(snap.body, 0, second, sizeof second);
    rst_resp_free(&snap);
    ck_assert_str_ne(first, second);
    ck_assert_int_eq(rst_submit(&ts, first, "{\"feedback\":\"x\"}", "approve", &s), 412);
    rst_resp_free(&s);
    ck_assert_int_eq(rst_submit(&ts, second, "{\"feedback\":\"two\"}", "revise", &s), 200);
    rst_resp_free(&s);
    rst_async_join(&live);
    const char *names = rst_sse_names(live.resp.body);
    ck_assert_msg(strstr(names, "human_input_form_filled,node_finished,node_started,"
                                "human_input_required,workflow_paused,human_input_form_filled"),
                  "events: %s", names);
    cJSON *msg = rst_sse_event(live.resp.body, "message", 0);
    ck_assert_ptr_nonnull(msg);
    ck_assert_str_eq(rst_str(msg, "answer"), "first: approve one\nsecond: revise two");
    cJSON_Delete(msg);
    ck_assert_ptr_nonnull(strstr(names, "workflow_finished,message_end"));
    rst_resp_free(&live.resp);
    rst_stop(&ts);
}
END_TEST

START_TEST(ifelse_branch_and_answer_after_resume)
{
    start_with((const char *const[]){"--app-dsl", "C=builtin:chatflow-ifelse", NULL}, 0);
    rst_resp r;
    run_stream("C", "not this one", &r); /* the ELSE branch: no pause at all */
    ck_assert_ptr_null(strstr(r.body, "human_input_required"));
    cJSON *msg = rst_sse_event(r.body, "message", 0);
    ck_assert_str_eq(rst_str(msg, "answer"), "Not a hitlcheck query: not this one");
    cJSON_Delete(msg);
    ck_assert_ptr_nonnull(strstr(rst_sse_names(r.body), "workflow_finished,message_end"));
    rst_resp_free(&r);
    /* The same in blocking mode: the message with the whole answer. */
    rst_post(&r, rst_url(&ts, "/v1/chat-messages"), "Authorization: Bearer C",
             "{\"inputs\":{},\"response_mode\":\"blocking\",\"user\":\"u1\",\"query\":\"no\"}");
    ck_assert_int_eq(r.status, 200);
    cJSON *blk = rst_json(&r);
    ck_assert_str_eq(rst_str(blk, "event"), "message");
    ck_assert_str_eq(rst_str(blk, "answer"), "Not a hitlcheck query: no");
    cJSON_Delete(blk);
    rst_resp_free(&r);

    run_stream("C", "a hitlcheck query", &r);
    msg = rst_sse_event(r.body, "message", 0); /* the Answer before the pause */
    ck_assert_str_eq(rst_str(msg, "answer"), "Reviewing: a hitlcheck query");
    cJSON_Delete(msg);
    cJSON *req = rst_sse_event(r.body, "human_input_required", 0);
    ck_assert_ptr_nonnull(strstr(rst_str(req, "data.form_content"), "\"a hitlcheck query\""));
    ck_assert_ptr_nonnull(strstr(rst_str(req, "data.form_content"), "{{#$output.feedback#}}"));
    cJSON_Delete(req);
    char tok[128], run[64];
    token_of(r.body, 0, tok, sizeof tok);
    run_id_of(r.body, run, sizeof run);
    rst_resp_free(&r);
    rst_async live;
    rst_opts o = {.url = rst_url(&ts, "/v1/workflow/%s/events?user=u1&continue_on_pause=true", run),
                  .headers = "Authorization: Bearer C",
                  .timeout_ms = 5000};
    rst_async_start(&live, &o);
    rst_async_answered(&live, 4000);
    rst_resp s;
    ck_assert_int_eq(rst_submit(&ts, tok, "{\"feedback\":\"fine\"}", "approve", &s), 200);
    rst_resp_free(&s);
    rst_async_join(&live);
    msg = rst_sse_event(live.resp.body, "message", 0);
    ck_assert_ptr_nonnull(msg);
    ck_assert_str_eq(rst_str(msg, "answer"), "action: approve\nfeedback: fine");
    cJSON_Delete(msg);
    /* The run's outputs keep every Answer node's text, the one before the pause first. */
    cJSON *fin = rst_sse_event(live.resp.body, "workflow_finished", 0);
    ck_assert_ptr_nonnull(fin);
    ck_assert_str_eq(rst_str(fin, "data.outputs.answer"),
                     "Reviewing: a hitlcheck queryaction: approve\nfeedback: fine");
    cJSON_Delete(fin);
    const char *names = rst_sse_names(live.resp.body);
    size_t n = strlen(names);
    ck_assert_msg(n > 11 && !strcmp(names + n - 11, "message_end"), "events: %s", names);
    rst_resp_free(&live.resp);
    rst_stop(&ts);
}
END_TEST

START_TEST(node_timeout_is_the_ttl_unless_form_ttl_given)
{
    start_with((const char *const[]){"--app-dsl", "W=builtin:workflow", NULL}, 0);
    rst_resp r;
    run_stream("W", NULL, &r);
    cJSON *req = rst_sse_event(r.body, "human_input_required", 0);
    long long left = (long long)rst_num(req, "data.expiration_time") - (long long)time(NULL);
    ck_assert_msg(left > 3590 && left <= 3600, "expiration in %lld s, not the node's 1 hour", left);
    cJSON_Delete(req);
    rst_resp_free(&r);
    rst_stop(&ts);

    /* --form-ttl 1: the form expires, and the run takes the __timeout edge to its End. */
    start_with((const char *const[]){"--app-dsl", "W=builtin:workflow", NULL}, 1);
    run_stream("W", NULL, &r);
    char run[64];
    run_id_of(r.body, run, sizeof run);
    rst_resp_free(&r);
    sleep(2);
    cJSON *fin = finished_event("W", run);
    ck_assert_msg(fin != NULL, "no workflow_finished after the node timeout");
    ck_assert_str_eq(rst_str(fin, "data.status"), "succeeded");
    /* The timeout branch's End outputs __action_id, which Dify sets to "" on a timeout. */
    ck_assert_str_eq(rst_str(fin, "data.outputs.action"), "");
    cJSON_Delete(fin);
    rst_stop(&ts);
}
END_TEST

/* The built-in form `default` (the form every built-in run pauses at) is workflow.yml's
 * Human Input node: same content, inputs and actions. */
START_TEST(default_form_is_the_workflow_dsl_node)
{
    start_with((const char *const[]){"--app-dsl", "W=builtin:workflow", NULL}, 0);
    rst_resp a, b;
    run_stream("W", NULL, &a);
    run_stream(RST_WF_KEY, NULL, &b);
    cJSON *da = rst_sse_event(a.body, "human_input_required", 0);
    cJSON *db = rst_sse_event(b.body, "human_input_required", 0);
    static const char *const keys[] = {"data.form_content", "data.inputs",
                                       "data.actions",      "data.node_id",
                                       "data.node_title",   "data.resolved_default_values"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        ck_assert_msg(cJSON_Compare(rst_at(da, keys[i]), rst_at(db, keys[i]), 1), "%s differs",
                      keys[i]);
    cJSON_Delete(da);
    cJSON_Delete(db);
    rst_resp_free(&a);
    rst_resp_free(&b);
    rst_stop(&ts);
}
END_TEST

/* start_error starts a server with --app-dsl K=|path| and returns its error message. */
static void start_error(const char *path, char *msg, size_t cap)
{
    hitl_refserver_config cfg;
    rst_config(&cfg);
    char spec[512];
    snprintf(spec, sizeof spec, "K=%s", path);
    char *argv[] = {"hitl-refserver", "--app-dsl", spec};
    hitl_err err = {0};
    ck_assert_int_eq(hitl_refserver_config_parse(&cfg, 3, argv, &err), 0);
    hitl_refserver *srv = NULL;
    ck_assert_int_ne(hitl_refserver_start(&cfg, &srv, &err), 0);
    ck_assert_ptr_null(srv);
    snprintf(msg, cap, "%s", err.msg);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* The first approve edge of review_b, pointed at review_a's End (the same length). */
#define JOIN_FROM "sourceHandle: approve\n        target: end_b"
#define JOIN_TO "sourceHandle: approve\n        target: end_a"

START_TEST(a_dsl_it_cannot_run_is_refused_at_start)
{
    char msg[1024], path[] = "/tmp/hitl_dsl_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    write_file(path, "version: \"0.6.0\"\nkind: app\napp: {name: x, mode: workflow}\n"
                     "workflow:\n  graph:\n    nodes: [\n");
    start_error(path, msg, sizeof msg);
    ck_assert_msg(strstr(msg, path) && strstr(msg, "line"), "%s", msg);
    /* chatflow-ifelse.yml with an IF/ELSE operator the server does not evaluate. */
    FILE *in = fopen(HITL_SOURCE_DIR "/specs/dify-app/chatflow-ifelse.yml", "r");
    ck_assert_ptr_nonnull(in);
    static char text[65536];
    size_t n = fread(text, 1, sizeof text - 1, in);
    fclose(in);
    text[n] = '\0';
    char *op = strstr(text, "comparison_operator: contains");
    ck_assert_ptr_nonnull(op);
    memcpy(op + strlen("comparison_operator: "), "\"≥\"   ", 8); /* as long as contains */
    write_file(path, text);
    start_error(path, msg, sizeof msg);
    int line = 1; /* the line of `- id: route`, which the message must name */
    for (const char *c = text; c < strstr(text, "- id: route\n"); c++)
        line += *c == '\n';
    char want[64];
    snprintf(want, sizeof want, "line %d: node route", line);
    ck_assert_msg(strstr(msg, path) && strstr(msg, want) && strstr(msg, "comparison_operator"),
                  "%s", msg);
    /* workflow-parallel.yml with its second branch's End replaced by an edge to the first's:
     * a join, which the server would run twice, is refused naming the node and its line. */
    in = fopen(HITL_SOURCE_DIR "/specs/dify-app/workflow-parallel.yml", "r");
    ck_assert_ptr_nonnull(in);
    n = fread(text, 1, sizeof text - 1, in);
    fclose(in);
    text[n] = '\0';
    char *join = strstr(text, JOIN_FROM);
    ck_assert_ptr_nonnull(join);
    memcpy(join, JOIN_TO, strlen(JOIN_TO));
    write_file(path, text);
    start_error(path, msg, sizeof msg);
    ck_assert_msg(strstr(msg, path) && strstr(msg, "does not join branches") &&
                      strstr(msg, "line "),
                  "%s", msg);
    start_error("builtin:no-such-app", msg, sizeof msg);
    ck_assert_msg(strstr(msg, "no such built-in app"), "%s", msg);
    start_error("/nonexistent/app.yml", msg, sizeof msg);
    ck_assert_msg(strstr(msg, "/nonexistent/app.yml"), "%s", msg);
    unlink(path);
}
END_TEST

static Suite *dsl_suite(void)
{
    Suite *s = suite_create("refserver_dsl");
    TCase *tc = tcase_create("dsl");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, parallel_nodes_pause_together_and_finish_when_both_submitted);
    tcase_add_test(tc, sequential_nodes_pause_twice_with_a_new_token);
    tcase_add_test(tc, ifelse_branch_and_answer_after_resume);
    tcase_add_test(tc, node_timeout_is_the_ttl_unless_form_ttl_given);
    tcase_add_test(tc, default_form_is_the_workflow_dsl_node);
    tcase_add_test(tc, a_dsl_it_cannot_run_is_refused_at_start);
    suite_add_tcase(s, tc);
    return s;
}

HITL_CHECK_MAIN(dsl_suite)
