/* test_refserver_flow.c: starting runs (§2): stream and blocking payloads, envelopes,
 * request errors, routing, caps. */
#include "refserver_client.h"

#include "check_main.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static rst_server ts;

static void start_default(void)
{
    hitl_refserver_config cfg;
    rst_config(&cfg);
    rst_start(&ts, &cfg);
}

static void stream_run(const char *path, const char *key, const char *extra, rst_resp *r)
{
    char hdr[128], body[256];
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", key);
    snprintf(body, sizeof body, "{\"inputs\":{},\"response_mode\":\"streaming\",\"user\":\"u1\"%s}",
             extra);
    rst_post(r, rst_url(&ts, "%s", path), hdr, body);
}

START_TEST(workflow_stream_pauses_and_ends)
{
    start_default();
    rst_resp r;
    stream_run("/v1/workflows/run", RST_WF_KEY, "", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(r.cc, CURLE_OK); /* the stream ended by itself */
    ck_assert_str_eq(rst_header(&r, "Content-Type"), "text/event-stream; charset=utf-8");
    ck_assert_str_eq(rst_sse_names(r.body),
                     "workflow_started,node_started,human_input_required,workflow_paused");
    ck_assert(rst_sse_well_framed(r.body));
    rst_resp_free(&r);
    rst_stop(&ts);
}
END_TEST

START_TEST(required_event_has_every_field)
{
    start_default();
    rst_resp r;
    stream_run("/v1/workflows/run", RST_WF_KEY, "", &r);
    cJSON *ev = rst_sse_event(r.body, "human_input_required", 0);
    ck_assert_ptr_nonnull(ev);
    ck_assert_ptr_nonnull(rst_str(ev, "task_id"));
    ck_assert_ptr_nonnull(rst_str(ev, "workflow_run_id"));
    static const char *const strs[] = {"form_id", "node_id", "node_title", "form_content",
                                       "form_token"};
    for (size_t i = 0; i < 5; i++) {
        char path[64];
        snprintf(path, sizeof path, "data.%s", strs[i]);
        ck_assert_msg(rst_str(ev, path) && *rst_str(ev, path), "%s missing", path);
    }
    ck_assert(cJSON_IsArray(rst_at(ev, "data.inputs")));
    ck_assert_int_eq(cJSON_GetArraySize(rst_at(ev, "data.inputs")), 4);
    ck_assert(cJSON_IsArray(rst_at(ev, "data.actions")));
    ck_assert(cJSON_IsFalse(rst_at(ev, "data.display_in_ui")));
    ck_assert_str_eq(rst_str(ev, "data.resolved_default_values.feedback"), "");
    double exp = rst_num(ev, "data.expiration_time");
    double want = (double)time(NULL) + 36 * 3600;
    ck_assert_msg(exp > want - 3 && exp < want + 3, "expiration_time %f", exp);
    cJSON_Delete(ev);
    rst_resp_free(&r);
    rst_stop(&ts);
}
END_TEST

START_TEST(paused_reason_matches_required)
{
    start_default();
    rst_resp r;
    stream_run("/v1/workflows/run", RST_WF_KEY, "", &r);
    cJSON *req = rst_sse_event(r.body, "human_input_required", 0);
    cJSON *pause = rst_sse_event(r.body, "workflow_paused", 0);
    ck_assert_ptr_nonnull(pause);
    ck_assert_str_eq(rst_str(pause, "data.reasons.0.TYPE"), "human_input_required");
    ck_assert_str_eq(rst_str(pause, "data.reasons.0.form_id"), rst_str(req, "data.form_id"));
    ck_assert_str_eq(rst_str(pause, "data.reasons.0.form_token"), rst_str(req, "data.form_token"));
    ck_assert(rst_num(pause, "data.reasons.0.expiration_time") ==
              rst_num(req, "data.expiration_time"));
    ck_assert_str_eq(rst_str(pause, "data.status"), "paused");
    ck_assert_str_eq(rst_str(pause, "data.paused_nodes.0"), rst_str(req, "data.node_id"));
    ck_assert_int_eq(cJSON_GetArraySize(rst_at(pause, "data.outputs")), 0);
    ck_assert(cJSON_IsObject(rst_at(pause, "data.outputs")));
    cJSON_Delete(req);
    cJSON_Delete(pause);
    rst_resp_free(&r);
    rst_stop(&ts);
}
END_TEST

/* A Human Input node's timeout is per app (--app MODE:KEY:TTL); the others keep --form-ttl. */
START_TEST(app_ttl_sets_expiration_time)
{
    hitl_refserver_config cfg;
    rst_config(&cfg);
    hitl_err err = {0};
    char *argv[] = {
        "hitl-refserver", "--app", "workflow:app-short", "--app", "workflow:app-long:7200",
        "--form-ttl",     "60"};
    ck_assert_int_eq(hitl_refserver_config_parse(&cfg, 7, argv, &err), 0);
    cfg.port = 0;
    rst_start(&ts, &cfg);
    rst_run shortr, longr;
    rst_start_run(&ts, "app-short", "u1", &shortr);
    rst_start_run(&ts, "app-long", "u1", &longr);
    long long now = (long long)time(NULL);
    ck_assert_msg(shortr.expiration >= now + 57 && shortr.expiration <= now + 60, "%lld",
                  shortr.expiration);
    ck_assert_msg(longr.expiration >= now + 7197 && longr.expiration <= now + 7200, "%lld",
                  longr.expiration);
    rst_stop(&ts);
}
END_TEST

START_TEST(chatflow_envelope_on_every_event)
{
    start_default();
    rst_resp r;
    stream_run("/v1/chat-messages", RST_CF_KEY, ",\"query\":\"hi\"", &r);
    ck_assert_int_eq(r.status, 200);
    const char *names[] = {"workflow_started", "node_started", "human_input_required",
                           "workflow_paused"};
    for (int i = 0; i < 4; i++) {
        cJSON *ev = rst_sse_event(r.body, names[i], 0);
        ck_assert_ptr_nonnull(ev);
        ck_assert_ptr_nonnull(rst_str(ev, "conversation_id"));
        ck_assert_ptr_nonnull(rst_str(ev, "message_id"));
        ck_assert(rst_num(ev, "created_at") > 0);
        ck_assert_ptr_nonnull(rst_str(ev, "workflow_run_id"));
        cJSON_Delete(ev);
    }
    rst_resp_free(&r);
    rst_stop(&ts);
}
END_TEST

START_TEST(blocking_workflow_payload)
{
    start_default();
    rst_resp r;
    rst_post(&r, rst_url(&ts, "/v1/workflows/run"), RST_AUTH_WF,
             "{\"inputs\":{},\"response_mode\":\"blocking\",\"user\":\"u1\"}");
    ck_assert_int_eq(r.status, 200);
    cJSON *o = rst_json(&r);
    ck_assert_str_eq(rst_str(o, "data.status"), "paused");
    ck_assert_str_eq(rst_str(o, "data.id"), rst_str(o, "workflow_run_id"));
    ck_assert(cJSON_IsNull(rst_at(o, "data.finished_at")));
    ck_assert_ptr_nonnull(rst_str(o, "data.paused_nodes.0"));
    ck_assert_ptr_nonnull(rst_str(o, "data.reasons.0.form_id"));
    ck_assert_ptr_nonnull(rst_str(o, "data.reasons.0.form_token"));
    ck_assert(rst_num(o, "data.reasons.0.expiration_time") > time(NULL));
    cJSON_Delete(o);
    rst_resp_free(&r);
    rst_stop(&ts);
}
END_TEST

START_TEST(blocking_chatflow_payload)
{
    start_default();
    rst_resp r;
    rst_post(&r, rst_url(&ts, "/v1/chat-messages"), "Authorization: Bearer " RST_CF_KEY,
             "{\"inputs\":{},\"query\":\"hi\",\"user\":\"u1\"}");
    ck_assert_int_eq(r.status, 200);
    cJSON *o = rst_json(&r);
    ck_assert_str_eq(rst_str(o, "event"), "workflow_paused");
    ck_assert_ptr_nonnull(rst_str(o, "workflow_run_id"));
    ck_assert_ptr_nonnull(rst_str(o, "conversation_id"));
    ck_assert_str_eq(rst_str(o, "answer"), "");
    ck_assert_ptr_nonnull(rst_str(o, "data.reasons.0.form_token"));
    cJSON_Delete(o);
    rst_resp_free(&r);
    rst_stop(&ts);
}
END_TEST

START_TEST(chat_app_answers_a_message)
{
    start_default();
    rst_resp r;
    rst_post(&r, rst_url(&ts, "/v1/chat-messages"), "Authorization: Bearer " RST_CHAT_KEY,
             "{\"inputs\":{},\"query\":\"hi\",\"user\":\"u1\"}");
    ck_assert_int_eq(r.status, 200);
    cJSON *o = rst_json(&r);
    ck_assert_str_eq(rst_str(o, "event"), "message");
    ck_assert_str_eq(rst_str(o, "mode"), "chat");
    cJSON_Delete(o);
    rst_resp_free(&r);
    rst_stop(&ts);
}
END_TEST

typedef struct start_case {
    const char *what, *path, *headers, *body;
    long status;
    const char *code, *message;
} start_case;

static const start_case START_CASES[] = {
    {"no auth", "/v1/workflows/run", NULL, "{\"inputs\":{},\"user\":\"u\"}", 401, "unauthorized",
     "Authorization header must be provided and start with 'Bearer'"},
    {"unknown key", "/v1/workflows/run", "Authorization: Bearer nope",
     "{\"inputs\":{},\"user\":\"u\"}", 401, "unauthorized", "Access token is invalid"},
    {"missing user", "/v1/workflows/run", RST_AUTH_WF, "{\"inputs\":{}}", 400, "invalid_param",
     "Arg user must be provided."},
    {"chatflow key on workflow route", "/v1/workflows/run", "Authorization: Bearer " RST_CF_KEY,
     "{\"inputs\":{},\"user\":\"u\"}", 400, "not_workflow_app",
     "Please check if your app mode matches the right API route."},
    {"chat key on workflow route", "/v1/workflows/run", "Authorization: Bearer " RST_CHAT_KEY,
     "{\"inputs\":{},\"user\":\"u\"}", 400, "not_workflow_app", NULL},
    {"workflow key on chat route", "/v1/chat-messages", RST_AUTH_WF,
     "{\"inputs\":{},\"query\":\"q\",\"user\":\"u\"}", 400, "not_chat_app",
     "Please check if your app mode matches the right API route."},
    {"body not JSON", "/v1/workflows/run", RST_AUTH_WF, "{nope", 400, "invalid_param", NULL},
    {"inputs missing", "/v1/workflows/run", RST_AUTH_WF, "{\"user\":\"u\"}", 400, "invalid_param",
     NULL},
    {"query missing", "/v1/chat-messages", "Authorization: Bearer " RST_CF_KEY,
     "{\"inputs\":{},\"user\":\"u\"}", 400, "invalid_param", NULL},
    {"bad response_mode", "/v1/workflows/run", RST_AUTH_WF,
     "{\"inputs\":{},\"user\":\"u\",\"response_mode\":\"fast\"}", 400, "invalid_param", NULL},
};

START_TEST(start_errors)
{
    const start_case *c = &START_CASES[_i];
    start_default();
    rst_resp r;
    rst_post(&r, rst_url(&ts, "%s", c->path), c->headers, c->body);
    ck_assert_msg(r.status == c->status, "%s: %ld %s", c->what, r.status, r.body);
    rst_assert_error(&r, c->status, c->code, c->message);
    rst_resp_free(&r);
    rst_stop(&ts);
}
END_TEST

START_TEST(unknown_route_and_method_are_json)
{
    start_default();
    rst_resp r;
    rst_get(&r, rst_url(&ts, "/v1/nothing"), NULL);
    rst_assert_error(&r, 404, "not_found", NULL);
    rst_resp_free(&r);
    rst_get(&r, rst_url(&ts, "/v1/workflows/run"), RST_AUTH_WF);
    rst_assert_error(&r, 405, "method_not_allowed", NULL);
    rst_resp_free(&r);
    rst_post(&r, rst_url(&ts, "/v1/workflow/x/events"), RST_AUTH_WF, "{}");
    rst_assert_error(&r, 405, "method_not_allowed", NULL);
    rst_resp_free(&r);
    rst_stop(&ts);
}
END_TEST

START_TEST(huge_token_is_a_json_404)
{
    start_default();
    char *tok = malloc(65537);
    memset(tok, 'A', 65536);
    tok[65536] = '\0';
    rst_resp r;
    rst_get(&r, rst_url(&ts, "/api/form/human_input/%s", tok), NULL);
    rst_assert_error(&r, 404, "not_found", "Form not found");
    rst_resp_free(&r);
    free(tok);
    rst_stop(&ts);
}
END_TEST

START_TEST(live_run_cap_refuses_then_evicts_finished)
{
    hitl_refserver_config cfg;
    rst_config(&cfg);
    cfg.max_runs = 2;
    cfg.resume_delay_ms = 1;
    rst_start(&ts, &cfg);
    rst_run a, b;
    rst_start_run(&ts, RST_WF_KEY, "u1", &a);
    rst_start_run(&ts, RST_WF_KEY, "u1", &b);
    rst_resp r;
    rst_post(&r, rst_url(&ts, "/v1/workflows/run"), RST_AUTH_WF, "{\"inputs\":{},\"user\":\"u1\"}");
    rst_assert_error(&r, 429, "too_many_requests", NULL);
    rst_resp_free(&r);
    char inputs[512];
    rst_valid_inputs(&ts, a.token, inputs, sizeof inputs);
    ck_assert_int_eq(rst_submit(&ts, a.token, inputs, "approve", &r), 200);
    rst_resp_free(&r);
    rst_sleep_ms(200); /* the run finishes once its resumed events are published */
    rst_run c;
    rst_start_run(&ts, RST_WF_KEY, "u1", &c); /* a's finished run was forgotten */
    rst_get(&r, rst_url(&ts, "/api/form/human_input/%s", a.token), NULL);
    rst_assert_error(&r, 404, "not_found", NULL);
    rst_resp_free(&r);
    rst_stop(&ts);
}
END_TEST

START_TEST(form_file_replaces_the_builtin_form)
{
    char path[] = "/tmp/rst_formXXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs(
        "{\"form_content\":\"Pick one\",\"node_id\":\"n1\",\"node_title\":\"Pick\","
        "\"inputs\":[{\"type\":\"paragraph\",\"output_variable_name\":\"note\",\"default\":null}],"
        "\"user_actions\":[{\"id\":\"yes\",\"title\":\"Yes\"}]}",
        f);
    fclose(f);
    hitl_refserver_config cfg;
    rst_config(&cfg);
    snprintf(cfg.form_file, sizeof cfg.form_file, "%s", path);
    rst_start(&ts, &cfg);
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    rst_resp r;
    rst_get(&r, rst_url(&ts, "/v1/form/human_input/%s", run.token), RST_AUTH_WF);
    ck_assert_int_eq(r.status, 200);
    cJSON *o = rst_json(&r);
    ck_assert_str_eq(rst_str(o, "form_content"), "Pick one");
    ck_assert_str_eq(rst_str(o, "user_actions.0.id"), "yes");
    ck_assert_str_eq(rst_str(o, "user_actions.0.button_style"), "default");
    cJSON_Delete(o);
    rst_resp_free(&r);
    ck_assert_int_eq(rst_submit(&ts, run.token, "{\"note\":1}", "yes", &r), 200);
    rst_resp_free(&r);
    rst_stop(&ts);
    unlink(path);
}
END_TEST

START_TEST(bad_form_file_fails_start)
{
    static const char *const bad[] = {
        "[1]",
        "{\"form_content\":\"x\",\"inputs\":[],\"user_actions\":[]}",
        "{\"form_content\":\"x\",\"inputs\":[{\"type\":\"color\",\"output_variable_name\":\"a\"}],"
        "\"user_actions\":[{\"id\":\"ok\",\"title\":\"OK\"}]}",
        "{\"form_content\":\"x\",\"inputs\":[],\"user_actions\":[{\"id\":\"1bad\",\"title\":\"B\"}]"
        "}",
        "{\"form_content\":\"x\",\"inputs\":[],\"user_actions\":[{\"id\":\"ok\",\"title\":\"B\","
        "\"button_style\":\"neon\"}]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char path[] = "/tmp/rst_badformXXXXXX";
        int fd = mkstemp(path);
        ck_assert(write(fd, bad[i], strlen(bad[i])) == (ssize_t)strlen(bad[i]));
        close(fd);
        hitl_refserver_config cfg;
        rst_config(&cfg);
        snprintf(cfg.form_file, sizeof cfg.form_file, "%s", path);
        hitl_refserver *s = NULL;
        hitl_err err = {0};
        ck_assert_msg(hitl_refserver_start(&cfg, &s, &err) != 0, "form %zu accepted", i);
        ck_assert_ptr_null(s);
        ck_assert_msg(strstr(err.msg, "--form") != NULL, "message: %s", err.msg);
        unlink(path);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("refserver_flow");
    TCase *tc = tcase_create("flow");
    tcase_add_test(tc, workflow_stream_pauses_and_ends);
    tcase_add_test(tc, required_event_has_every_field);
    tcase_add_test(tc, paused_reason_matches_required);
    tcase_add_test(tc, app_ttl_sets_expiration_time);
    tcase_add_test(tc, chatflow_envelope_on_every_event);
    tcase_add_test(tc, blocking_workflow_payload);
    tcase_add_test(tc, blocking_chatflow_payload);
    tcase_add_test(tc, chat_app_answers_a_message);
    tcase_add_loop_test(tc, start_errors, 0, (int)(sizeof START_CASES / sizeof START_CASES[0]));
    tcase_add_test(tc, unknown_route_and_method_are_json);
    tcase_add_test(tc, huge_token_is_a_json_404);
    tcase_add_test(tc, live_run_cap_refuses_then_evicts_finished);
    tcase_add_test(tc, form_file_replaces_the_builtin_form);
    tcase_add_test(tc, bad_form_file_fails_start);
    suite_add_tcase(s, tc);
    return s;
}

HITL_CHECK_MAIN(suite)
