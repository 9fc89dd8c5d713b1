/* test_refserver_resume.c: the resume stream (§9.1): errors, first ping, the resumed
 * branch after a submit, finished runs, snapshots, pings and idle close, late subscribers,
 * and the timeout sweeper's events (§10). */
#include "refserver_client.h"

#include "check_main.h"
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static rst_server ts;

static void start_cfg(int64_t ttl_s, int64_t global_s, int64_t sweep_ms)
{
    hitl_refserver_config cfg;
    rst_config(&cfg);
    if (ttl_s)
        cfg.form_ttl_s = ttl_s;
    if (global_s)
        cfg.global_timeout_s = global_s;
    if (sweep_ms)
        cfg.sweep_interval_ms = sweep_ms;
    rst_start(&ts, &cfg);
}

static const char *events_url(const rst_run *run, const char *user, const char *extra)
{
    return rst_url(&ts, "/v1/workflow/%s/events?user=%s%s", run->run_id, user, extra);
}

static void resume_async(rst_async *a, const rst_run *run, const char *key, const char *extra)
{
    char hdr[128];
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", key);
    rst_opts o = {.url = events_url(run, "u1", extra), .headers = hdr, .timeout_ms = 6000};
    rst_async_start(a, &o);
    rst_async_answered(a, 4000); /* subscribed before anything is published */
}

/* The event names of an SSE body with keep-alive pings after the first frame left out: a
 * loaded machine may let a ping interval (1 s here) pass before a deadline's event, and those
 * pings are correct; the tests that are not about pings judge the events around them. */
static const char *names_sans_keepalive(const char *body)
{
    static char out[1024];
    const char *names = rst_sse_names(body);
    size_t n = 0;
    out[0] = '\0';
    for (const char *p = names; *p;) {
        size_t len = strcspn(p, ",");
        bool first = n == 0;
        if (first || len != 4 || strncmp(p, "ping", 4) != 0) {
            int w = snprintf(out + n, sizeof out - n, "%s%.*s", first ? "" : ",", (int)len, p);
            if (w < 0 || (size_t)w >= sizeof out - n)
                break;
            n += (size_t)w;
        }
        p += len;
        if (*p == ',')
            p++;
    }
    return out;
}

START_TEST(resumed_branch_after_submit)
{
    start_cfg(0, 0, 0);
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    rst_async a;
    resume_async(&a, &run, RST_WF_KEY, "");
    char inputs[512];
    rst_valid_inputs(&ts, run.token, inputs, sizeof inputs);
    rst_resp r;
    ck_assert_int_eq(rst_submit(&ts, run.token, inputs, "revise", &r), 200);
    rst_resp_free(&r);
    rst_async_join(&a);
    ck_assert_int_eq(a.resp.cc, CURLE_OK); /* closed by the server after workflow_finished */
    ck_assert_str_eq(rst_header(&a.resp, "Content-Type"), "text/event-stream; charset=utf-8");
    ck_assert_str_eq(names_sans_keepalive(a.resp.body),
                     "ping,human_input_form_filled,node_started,node_finished,workflow_finished");
    ck_assert_int_eq(strncmp(a.resp.body, "event: ping\n\n", 13), 0);
    cJSON *filled = rst_sse_event(a.resp.body, "human_input_form_filled", 0);
    ck_assert_str_eq(rst_str(filled, "data.action_id"), "revise");
    ck_assert_str_eq(rst_str(filled, "data.action_text"), "Request changes");
    ck_assert_str_eq(rst_str(filled, "data.submitted_data.feedback"), "Looks good");
    ck_assert_str_eq(rst_str(filled, "data.node_id"), "approval_node");
    cJSON *node = rst_sse_event(a.resp.body, "node_started", 0);
    ck_assert_str_eq(rst_str(node, "data.node_id"), "branch_revise");
    cJSON *fin = rst_sse_event(a.resp.body, "workflow_finished", 0);
    ck_assert_str_eq(rst_str(fin, "data.status"), "succeeded");
    ck_assert_str_eq(rst_str(fin, "data.outputs.action"), "revise");
    cJSON_Delete(filled);
    cJSON_Delete(node);
    cJSON_Delete(fin);
    rst_resp_free(&a.resp);
    /* now finished: exactly one workflow_finished frame */
    rst_get(&r, events_url(&run, "u1", ""), RST_AUTH_WF);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(rst_sse_names(r.body), "workflow_finished");
    ck_assert(rst_sse_well_framed(r.body));
    rst_resp_free(&r);
    rst_stop(&ts);
}
END_TEST

typedef struct err_case {
    const char *key, *user, *run; /* run "" = the real run id */
    long status;
    const char *code, *message;
} err_case;

static const err_case ERR_CASES[] = {
    {RST_WF_KEY, "u2", "", 404, "not_found", "Workflow run not found"},
    {RST_WF_KEY, "u1", "3c8fa1b2-7d4e-4f9a-b0c1-d2e3f4a5b6c7", 404, "not_found",
     "Workflow run not found"},
    {RST_CF_KEY, "u1", "", 404, "not_found", "Workflow run not found"},
    {RST_CHAT_KEY, "u1", "", 400, "not_workflow_app",
     "Please check if your app mode matches the right API route."},
    {RST_WF_KEY, NULL, "", 400, "invalid_param", "Arg user must be provided."},
    {"nope", "u1", "", 401, "unauthorized", NULL},
};

START_TEST(resume_errors)
{
    const err_case *c = &ERR_CASES[_i];
    start_cfg(0, 0, 0);
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    char hdr[128];
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", c->key);
    const char *id = c->run[0] ? c->run : run.run_id;
    rst_resp r;
    if (c->user)
        rst_get(&r, rst_url(&ts, "/v1/workflow/%s/events?user=%s", id, c->user), hdr);
    else
        rst_get(&r, rst_url(&ts, "/v1/workflow/%s/events", id), hdr);
    rst_assert_error(&r, c->status, c->code, c->message);
    rst_resp_free(&r);
    rst_stop(&ts);
}
END_TEST

START_TEST(task_id_is_not_a_run_id)
{
    start_cfg(0, 0, 0);
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    rst_resp r;
    rst_get(&r, rst_url(&ts, "/v1/workflow/%s/events?user=u1", run.task_id), RST_AUTH_WF);
    rst_assert_error(&r, 404, "not_found", NULL);
    rst_resp_free(&r);
    rst_stop(&ts);
}
END_TEST

START_TEST(snapshot_replays_and_closes)
{
    start_cfg(0, 0, 0);
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    rst_resp r;
    rst_get(&r, events_url(&run, "u1", "&include_state_snapshot=TRUE"), RST_AUTH_WF);
    ck_assert_int_eq(r.cc, CURLE_OK);
    ck_assert_str_eq(rst_sse_names(r.body), "workflow_started,node_started,node_finished,"
                                            "human_input_required,workflow_paused");
    cJSON *nf = rst_sse_event(r.body, "node_finished", 0);
    ck_assert_str_eq(rst_str(nf, "data.status"), "paused");
    cJSON *req = rst_sse_event(r.body, "human_input_required", 0);
    ck_assert_str_eq(rst_str(req, "data.form_token"), run.token);
    cJSON_Delete(nf);
    cJSON_Delete(req);
    rst_resp_free(&r);
    rst_stop(&ts);
}
END_TEST

START_TEST(snapshot_flag_1_means_live_stream)
{
    start_cfg(0, 0, 0); /* idle 3 s, pings 1 s */
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    rst_resp r;
    rst_opts o = {.url = events_url(&run, "u1", "&include_state_snapshot=1"),
                  .headers = RST_AUTH_WF,
                  .timeout_ms = 6000};
    rst_do(&o, &r);
    ck_assert_int_eq(r.cc, CURLE_OK); /* closed by the idle timeout, not by our timeout */
    ck_assert_msg(r.seconds > 2.5 && r.seconds < 5, "idle close after %.2f s", r.seconds);
    const char *names = rst_sse_names(r.body);
    ck_assert_msg(strcmp(names, "ping,ping,ping") == 0 || strcmp(names, "ping,ping,ping,ping") == 0,
                  "frames: %s", names);
    rst_resp_free(&r);
    rst_stop(&ts);
}
END_TEST

START_TEST(snapshot_with_continue_stays_open_until_finished)
{
    start_cfg(0, 0, 0);
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    rst_async a;
    resume_async(&a, &run, RST_WF_KEY, "&include_state_snapshot=true&continue_on_pause=true");
    char inputs[512];
    rst_valid_inputs(&ts, run.token, inputs, sizeof inputs);
    rst_resp r;
    ck_assert_int_eq(rst_submit(&ts, run.token, inputs, "approve", &r), 200);
    rst_resp_free(&r);
    rst_async_join(&a);
    ck_assert_int_eq(a.resp.cc, CURLE_OK);
    ck_assert_str_eq(rst_sse_names(a.resp.body),
                     "workflow_started,node_started,node_finished,human_input_required,"
                     "workflow_paused,human_input_form_filled,node_started,node_finished,"
                     "workflow_finished");
    rst_resp_free(&a.resp);
    rst_stop(&ts);
}
END_TEST

/* A two-node app (--app MODE:KEY:two-node): the first form's submit pauses the run again
 * at the second Human Input node with a new form and token. A continue_on_pause stream sees
 * both forms through to workflow_finished (contract §9.1.11); a plain one ends on the second
 * workflow_paused. The first form stays submitted (412), its upload tokens too, and its file
 * belongs to it, not to the second form (§7.3.17). */
START_TEST(two_node_app_pauses_again_with_a_new_form)
{
    hitl_refserver_config cfg;
    rst_config(&cfg);
    hitl_refserver_app *app = &cfg.apps[cfg.napps++];
    memset(app, 0, sizeof *app);
    app->mode = HITL_REFSERVER_WORKFLOW;
    snprintf(app->key, sizeof app->key, "app-two");
    app->two_nodes = 1;
    rst_start(&ts, &cfg);
    rst_run run;
    rst_start_run(&ts, "app-two", "u1", &run);
    char first_upload[128], inputs[512];
    rst_upload_token(&ts, run.token, first_upload, sizeof first_upload);
    rst_valid_inputs(&ts, run.token, inputs, sizeof inputs);
    rst_async cont, plain;
    resume_async(&cont, &run, "app-two", "&continue_on_pause=true");
    resume_async(&plain, &run, "app-two", "");
    rst_resp r;
    ck_assert_int_eq(rst_submit(&ts, run.token, inputs, "approve", &r), 200);
    rst_resp_free(&r);
    rst_async_join(&plain);
    ck_assert_int_eq(plain.resp.cc, CURLE_OK);
    ck_assert_str_eq(names_sans_keepalive(plain.resp.body),
                     "ping,human_input_form_filled,node_started,node_finished,node_started,"
                     "human_input_required,workflow_paused");
    cJSON *filled = rst_sse_event(plain.resp.body, "human_input_form_filled", 0);
    cJSON *req = rst_sse_event(plain.resp.body, "human_input_required", 0);
    char token2[128], node1[80];
    snprintf(node1, sizeof node1, "%s", rst_str(filled, "data.node_id"));
    snprintf(token2, sizeof token2, "%s", rst_str(req, "data.form_token"));
    ck_assert_str_ne(token2, run.token);
    ck_assert_str_ne(rst_str(req, "data.form_id"), run.form_id);
    char node2[96];
    snprintf(node2, sizeof node2, "%s_2", node1);
    ck_assert_str_eq(rst_str(req, "data.node_id"), node2);
    cJSON_Delete(filled);
    cJSON_Delete(req);
    rst_resp_free(&plain.resp);
    /* The first form is submitted: its token and its upload tokens answer 412. */
    rst_get(&r, rst_url(&ts, "/api/form/human_input/%s", run.token), NULL);
    rst_assert_error(&r, 412, "human_input_form_submitted", NULL);
    ck_assert_ptr_nonnull(strstr(r.body, run.form_id));
    rst_resp_free(&r);
    rst_submit(&ts, run.token, inputs, "approve", &r);
    rst_assert_error(&r, 412, "human_input_form_submitted", NULL);
    rst_resp_free(&r);
    char hdr[256];
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", first_upload);
    rst_part part = {"file", "late.pdf", "%PDF", 0, NULL};
    rst_opts o = {.url = rst_url(&ts, "%s", rst_upload_path(&ts)),
                  .headers = hdr,
                  .parts = &part,
                  .nparts = 1};
    rst_do(&o, &r);
    rst_assert_error(&r, 412, "human_input_form_submitted", NULL);
    rst_resp_free(&r);
    /* The second form waits: its GET answers; the first form's file is not its own. */
    rst_get(&r, rst_url(&ts, "/api/form/human_input/%s", token2), NULL);
    ck_assert_int_eq(r.status, 200);
    rst_resp_free(&r);
    rst_submit(&ts, token2, inputs, "approve", &r);
    rst_assert_error(&r, 400, "invalid_form_data",
                     "Invalid value for file input 'attachment': Invalid upload file");
    rst_resp_free(&r);
    char inputs2[512];
    rst_valid_inputs(&ts, token2, inputs2, sizeof inputs2);
    ck_assert_int_eq(rst_submit(&ts, token2, inputs2, "revise", &r), 200);
    rst_resp_free(&r);
    rst_async_join(&cont);
    ck_assert_int_eq(cont.resp.cc, CURLE_OK);
    ck_assert_str_eq(names_sans_keepalive(cont.resp.body),
                     "ping,human_input_form_filled,node_started,node_finished,node_started,"
                     "human_input_required,workflow_paused,human_input_form_filled,node_started,"
                     "node_finished,workflow_finished");
    cJSON *second = rst_sse_event(cont.resp.body, "human_input_form_filled", 1);
    ck_assert_str_eq(rst_str(second, "data.node_id"), node2);
    ck_assert_str_eq(rst_str(second, "data.action_id"), "revise");
    cJSON_Delete(second);
    rst_resp_free(&cont.resp);
    /* Finished: one workflow_finished. */
    rst_get(&r, events_url(&run, "u1", ""), "Authorization: Bearer app-two");
    ck_assert_str_eq(rst_sse_names(r.body), "workflow_finished");
    rst_resp_free(&r);
    rst_stop(&ts);
}
END_TEST

START_TEST(late_subscriber_misses_events)
{
    start_cfg(0, 0, 0);
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    char inputs[512];
    rst_valid_inputs(&ts, run.token, inputs, sizeof inputs);
    rst_resp r;
    ck_assert_int_eq(rst_submit(&ts, run.token, inputs, "approve", &r), 200);
    rst_resp_free(&r);
    rst_sleep_ms(300);
    rst_get(&r, events_url(&run, "u1", ""), RST_AUTH_WF);
    ck_assert_str_eq(rst_sse_names(r.body), "workflow_finished");
    rst_resp_free(&r);
    rst_stop(&ts);
}
END_TEST

/* Two Chatflow subscribers get the same events. The branch's Answer node streams a
 * `message` before workflow_finished; message_end follows workflow_finished (dify-B §1), so
 * only a continue_on_pause subscriber, which no event ends, sees it. Chat events carry the
 * conversation envelope and no workflow_run_id; workflow events carry both. */
START_TEST(two_subscribers_both_get_the_events)
{
    start_cfg(0, 0, 0);
    rst_run run;
    rst_start_run(&ts, RST_CF_KEY, "u1", &run);
    rst_async a, b;
    resume_async(&a, &run, RST_CF_KEY, "");
    resume_async(&b, &run, RST_CF_KEY, "&continue_on_pause=true");
    char inputs[512];
    rst_valid_inputs(&ts, run.token, inputs, sizeof inputs);
    rst_resp r;
    ck_assert_int_eq(rst_submit(&ts, run.token, inputs, "approve", &r), 200);
    rst_resp_free(&r);
    rst_async_join(&a);
    rst_async_join(&b);
    ck_assert_str_eq(names_sans_keepalive(a.resp.body),
                     "ping,human_input_form_filled,node_started,node_finished,message,"
                     "workflow_finished");
    ck_assert_str_eq(names_sans_keepalive(b.resp.body),
                     "ping,human_input_form_filled,node_started,node_finished,message,"
                     "workflow_finished,message_end");
    cJSON *fin = rst_sse_event(a.resp.body, "workflow_finished", 0);
    ck_assert_ptr_nonnull(rst_str(fin, "conversation_id")); /* chatflow envelope */
    ck_assert_ptr_nonnull(rst_str(fin, "workflow_run_id"));
    cJSON_Delete(fin);
    const char *chat[] = {"message", "message_end"};
    for (size_t i = 0; i < 2; i++) {
        cJSON *ev = rst_sse_event(b.resp.body, chat[i], 0);
        ck_assert_ptr_nonnull(rst_str(ev, "conversation_id"));
        ck_assert_ptr_nonnull(rst_str(ev, "message_id"));
        ck_assert_ptr_nonnull(rst_str(ev, "task_id"));
        ck_assert_ptr_nonnull(cJSON_GetObjectItemCaseSensitive(ev, "created_at"));
        ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(ev, "workflow_run_id"));
        cJSON_Delete(ev);
    }
    rst_resp_free(&a.resp);
    rst_resp_free(&b.resp);
    rst_stop(&ts);
}
END_TEST

/* Deadlines are whole seconds, so a 1 s TTL or global timeout could pass before the stream
 * subscribes; 2 s leaves at least one. */
START_TEST(node_timeout_runs_the_timeout_branch)
{
    start_cfg(2, 0, 200);
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    rst_async a;
    resume_async(&a, &run, RST_WF_KEY, "");
    rst_async_join(&a);
    ck_assert_str_eq(names_sans_keepalive(a.resp.body),
                     "ping,human_input_form_timeout,workflow_finished");
    cJSON *to = rst_sse_event(a.resp.body, "human_input_form_timeout", 0);
    ck_assert(rst_num(to, "data.expiration_time") == (double)run.expiration);
    cJSON *fin = rst_sse_event(a.resp.body, "workflow_finished", 0);
    ck_assert_str_eq(rst_str(fin, "data.outputs.action"), "__timeout");
    cJSON_Delete(to);
    cJSON_Delete(fin);
    rst_resp_free(&a.resp);
    rst_resp r;
    rst_get(&r, rst_url(&ts, "/api/form/human_input/%s", run.token), NULL);
    rst_assert_error(&r, 412, "human_input_form_expired", NULL);
    rst_resp_free(&r);
    rst_stop(&ts);
}
END_TEST

START_TEST(global_timeout_stops_the_run)
{
    start_cfg(0, 2, 200);
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    rst_async a;
    resume_async(&a, &run, RST_WF_KEY, "");
    rst_async_join(&a);
    ck_assert_str_eq(names_sans_keepalive(a.resp.body), "ping,workflow_finished");
    cJSON *fin = rst_sse_event(a.resp.body, "workflow_finished", 0);
    ck_assert_str_eq(rst_str(fin, "data.status"), "stopped");
    cJSON_Delete(fin);
    rst_resp_free(&a.resp);
    rst_resp r;
    rst_get(&r, events_url(&run, "u1", ""), RST_AUTH_WF);
    ck_assert_str_eq(rst_sse_names(r.body), "workflow_finished");
    ck_assert_ptr_nonnull(strstr(r.body, "\"status\":\"stopped\""));
    rst_resp_free(&r);
    rst_stop(&ts);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("refserver_resume");
    TCase *tc = tcase_create("resume");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, resumed_branch_after_submit);
    tcase_add_loop_test(tc, resume_errors, 0, (int)(sizeof ERR_CASES / sizeof ERR_CASES[0]));
    tcase_add_test(tc, task_id_is_not_a_run_id);
    tcase_add_test(tc, snapshot_replays_and_closes);
    tcase_add_test(tc, snapshot_flag_1_means_live_stream);
    tcase_add_test(tc, snapshot_with_continue_stays_open_until_finished);
    tcase_add_test(tc, two_node_app_pauses_again_with_a_new_form);
    tcase_add_test(tc, late_subscriber_misses_events);
    tcase_add_test(tc, two_subscribers_both_get_the_events);
    tcase_add_test(tc, node_timeout_runs_the_timeout_branch);
    tcase_add_test(tc, global_timeout_stops_the_run);
    suite_add_tcase(s, tc);
    return s;
}

HITL_CHECK_MAIN(suite)
