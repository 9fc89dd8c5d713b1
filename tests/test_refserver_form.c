/* test_refserver_form.c: form GET on both surfaces (§4), the after-submit and expiry rules
 * shared by every form endpoint (§7.4, §10). */
#include "refserver_client.h"

#include "check_main.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static rst_server ts;

static void start_with(int64_t ttl_s, int64_t global_s)
{
    hitl_refserver_config cfg;
    rst_config(&cfg);
    if (ttl_s)
        cfg.form_ttl_s = ttl_s;
    if (global_s)
        cfg.global_timeout_s = global_s;
    cfg.resume_delay_ms = 1;
    rst_start(&ts, &cfg);
}

/* keys_exactly asserts the object's keys are exactly |want| (comma-separated, any order). */
static void keys_exactly(const cJSON *o, const char *want)
{
    int n = 0;
    for (const cJSON *c = o->child; c; c = c->next, n++) {
        char pat[80];
        snprintf(pat, sizeof pat, ",%s,", c->string);
        char w[512];
        snprintf(w, sizeof w, ",%s,", want);
        ck_assert_msg(strstr(w, pat) != NULL, "unexpected key %s", c->string);
    }
    int commas = 1;
    for (const char *p = want; *p; p++)
        commas += *p == ',';
    ck_assert_int_eq(n, commas);
}

START_TEST(svc_get_has_exactly_the_documented_keys)
{
    start_with(0, 0);
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    rst_resp r;
    rst_get(&r, rst_url(&ts, "/v1/form/human_input/%s", run.token), RST_AUTH_WF);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(rst_header(&r, "Content-Type"), "application/json");
    cJSON *o = rst_json(&r);
    keys_exactly(o, "form_content,inputs,resolved_default_values,user_actions,expiration_time");
    ck_assert(rst_num(o, "expiration_time") == (double)run.expiration);
    ck_assert_str_eq(rst_str(o, "user_actions.1.id"), "revise");
    ck_assert_str_eq(rst_str(o, "user_actions.1.title"), "Request changes");
    ck_assert_str_eq(rst_str(o, "inputs.1.option_source.value.2"), "high");
    ck_assert(rst_num(o, "inputs.3.number_limits") == 3);
    cJSON_Delete(o);
    rst_resp_free(&r);
    rst_stop(&ts);
}
END_TEST

START_TEST(web_get_adds_site)
{
    start_with(0, 0);
    rst_run run;
    rst_start_run(&ts, RST_CF_KEY, "u1", &run);
    rst_resp r;
    rst_get(&r, rst_url(&ts, "/api/form/human_input/%s", run.token), NULL);
    ck_assert_int_eq(r.status, 200);
    cJSON *o = rst_json(&r);
    keys_exactly(o,
                 "site,form_content,inputs,resolved_default_values,user_actions,expiration_time");
    ck_assert_str_eq(rst_str(o, "site.mode"), "advanced-chat");
    ck_assert_ptr_nonnull(rst_str(o, "site.site.title"));
    ck_assert(cJSON_IsNull(rst_at(o, "site.end_user_id")));
    cJSON_Delete(o);
    rst_resp_free(&r);
    rst_stop(&ts);
}
END_TEST

START_TEST(unknown_token_is_404_on_both_surfaces)
{
    start_with(0, 0);
    rst_resp r;
    rst_get(&r, rst_url(&ts, "/api/form/human_input/nope"), NULL);
    rst_assert_error(&r, 404, "not_found", "Form not found");
    rst_resp_free(&r);
    rst_get(&r, rst_url(&ts, "/v1/form/human_input/nope"), RST_AUTH_WF);
    rst_assert_error(&r, 404, "not_found", "Form not found");
    rst_resp_free(&r);
    rst_post(&r, rst_url(&ts, "/api/form/human_input/nope"), NULL,
             "{\"inputs\":{},\"action\":\"approve\"}");
    rst_assert_error(&r, 404, "not_found", "Form not found");
    rst_resp_free(&r);
    rst_stop(&ts);
}
END_TEST

START_TEST(svc_get_needs_the_owning_app_key)
{
    start_with(0, 0);
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    rst_resp r;
    rst_get(&r, rst_url(&ts, "/v1/form/human_input/%s", run.token), NULL);
    rst_assert_error(&r, 401, "unauthorized", NULL);
    rst_resp_free(&r);
    rst_get(&r, rst_url(&ts, "/v1/form/human_input/%s", run.token), "Authorization: Bearer x");
    rst_assert_error(&r, 401, "unauthorized", "Access token is invalid");
    rst_resp_free(&r);
    rst_get(&r, rst_url(&ts, "/v1/form/human_input/%s", run.token),
            "Authorization: Bearer " RST_CF_KEY);
    rst_assert_error(&r, 404, "not_found", NULL);
    rst_resp_free(&r);
    rst_post(&r, rst_url(&ts, "/v1/form/human_input/%s", run.token),
             "Authorization: Bearer " RST_CF_KEY,
             "{\"inputs\":{},\"action\":\"approve\",\"user\":\"u1\"}");
    rst_assert_error(&r, 404, "not_found", NULL);
    rst_resp_free(&r);
    rst_stop(&ts);
}
END_TEST

START_TEST(defaults_are_stringified_on_get_only)
{
    char path[] = "/tmp/rst_defaultsXXXXXX";
    int fd = mkstemp(path);
    static const char form[] =
        "{\"form_content\":\"c\",\"inputs\":[{\"type\":\"paragraph\",\"output_variable_name\":"
        "\"name\",\"default\":null}],\"user_actions\":[{\"id\":\"ok\",\"title\":\"OK\"}],"
        "\"resolved_default_values\":{\"name\":\"Alice\",\"age\":30,\"ratio\":0.1,"
        "\"meta\":{\"k\":\"v\",\"l\":[1,\"é\"]},\"flag\":true,\"none\":null}}";
    ck_assert(write(fd, form, sizeof form - 1) == (ssize_t)(sizeof form - 1));
    close(fd);
    hitl_refserver_config cfg;
    rst_config(&cfg);
    snprintf(cfg.form_file, sizeof cfg.form_file, "%s", path);
    rst_start(&ts, &cfg);
    unlink(path);
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    rst_resp r;
    rst_get(&r, rst_url(&ts, "/api/form/human_input/%s", run.token), NULL);
    cJSON *o = rst_json(&r);
    ck_assert_str_eq(rst_str(o, "resolved_default_values.name"), "Alice");
    ck_assert_str_eq(rst_str(o, "resolved_default_values.age"), "30");
    ck_assert_str_eq(rst_str(o, "resolved_default_values.ratio"), "0.1");
    ck_assert_str_eq(rst_str(o, "resolved_default_values.meta"),
                     "{\"k\": \"v\", \"l\": [1, \"é\"]}");
    ck_assert_str_eq(rst_str(o, "resolved_default_values.flag"), "True");
    ck_assert_str_eq(rst_str(o, "resolved_default_values.none"), "");
    cJSON_Delete(o);
    rst_resp_free(&r);
    /* the event passes the raw mapping through */
    rst_post(&r, rst_url(&ts, "/v1/workflows/run"), RST_AUTH_WF,
             "{\"inputs\":{},\"response_mode\":\"streaming\",\"user\":\"u1\"}");
    cJSON *ev = rst_sse_event(r.body, "human_input_required", 0);
    ck_assert(rst_num(ev, "data.resolved_default_values.age") == 30);
    cJSON_Delete(ev);
    rst_resp_free(&r);
    rst_stop(&ts);
}
END_TEST

/* expect_412 asserts the four form endpoints answer 412 |code| with form_id in the message. */
static void expect_412(const rst_run *run, const char *upload_token, const char *code)
{
    char want[128];
    snprintf(want, sizeof want, "form_id=%s", run->form_id);
    rst_resp r;
    const char *urls[] = {rst_url(&ts, "/api/form/human_input/%s", run->token),
                          rst_url(&ts, "/v1/form/human_input/%s", run->token)};
    for (int i = 0; i < 2; i++) {
        rst_get(&r, urls[i], i ? RST_AUTH_WF : NULL);
        rst_assert_error(&r, 412, code, NULL);
        ck_assert_msg(strstr(r.body, want), "no %s in %s", want, r.body);
        rst_resp_free(&r);
    }
    rst_post(&r, urls[0], NULL, "{\"inputs\":{},\"action\":\"approve\"}");
    rst_assert_error(&r, 412, code, NULL);
    rst_resp_free(&r);
    rst_post(&r, urls[1], RST_AUTH_WF, "{\"inputs\":{},\"action\":\"approve\",\"user\":\"u1\"}");
    rst_assert_error(&r, 412, code, NULL);
    rst_resp_free(&r);
    rst_post(&r, rst_url(&ts, "/api/form/human_input/%s/upload-token", run->token), NULL, NULL);
    rst_assert_error(&r, 412, code, NULL);
    rst_resp_free(&r);
    char hdr[160];
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", upload_token);
    rst_part part = {"file", "a.pdf", "xyz", 0, NULL};
    rst_opts o = {.url = rst_url(&ts, "/api/human-input-forms/files"),
                  .headers = hdr,
                  .parts = &part,
                  .nparts = 1};
    rst_do(&o, &r);
    rst_assert_error(&r, 412, code, NULL);
    rst_resp_free(&r);
}

START_TEST(submitted_form_is_412_everywhere)
{
    start_with(0, 0);
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    char tok[128], inputs[512];
    rst_upload_token(&ts, run.token, tok, sizeof tok);
    rst_valid_inputs(&ts, run.token, inputs, sizeof inputs);
    rst_resp r;
    ck_assert_int_eq(rst_submit(&ts, run.token, inputs, "approve", &r), 200);
    rst_resp_free(&r);
    expect_412(&run, tok, "human_input_form_submitted");
    rst_stop(&ts);
}
END_TEST

START_TEST(expired_form_is_412_before_any_sweep)
{
    /* Expiry is whole seconds: a 1 s TTL may leave milliseconds for the upload token. The
     * sweeper runs every 60 s: never during the test. */
    start_with(3, 0);
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    char tok[128];
    rst_upload_token(&ts, run.token, tok, sizeof tok);
    while (time(NULL) < run.expiration)
        rst_sleep_ms(50);
    expect_412(&run, tok, "human_input_form_expired");
    rst_stop(&ts);
}
END_TEST

START_TEST(global_timeout_expires_the_form)
{
    start_with(0, 3); /* 3 s: a 1 s deadline on a whole-second created_at can pass at once */
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    rst_resp r;
    rst_get(&r, rst_url(&ts, "/api/form/human_input/%s", run.token), NULL);
    ck_assert_int_eq(r.status, 200);
    rst_resp_free(&r);
    rst_sleep_ms(3100); /* the deadline is at most 3 s after the run started */
    rst_get(&r, rst_url(&ts, "/api/form/human_input/%s", run.token), NULL);
    rst_assert_error(&r, 412, "human_input_form_expired", NULL);
    rst_resp_free(&r);
    rst_stop(&ts);
}
END_TEST

/* Whether |s| matches ^[A-Za-z_][A-Za-z0-9_]*$ within |max| characters. */
static int is_ident(const char *s, size_t max)
{
    size_t n = strlen(s);
    return n > 0 && n <= max && !(s[0] >= '0' && s[0] <= '9') &&
           strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == n;
}

/* Each built-in form (--form NAME) is served and is one a Dify user could build: ids and
 * names after Dify's patterns, number_limits within WORKFLOW_FILE_UPLOAD_LIMIT (10), a
 * custom-only file input with extensions, and its described shape. */
START_TEST(builtin_forms_are_forms_dify_could_serve)
{
    const char *name = hitl_refserver_form_name((size_t)_i);
    ck_assert_ptr_nonnull(name);
    ck_assert(strlen(hitl_refserver_form_summary((size_t)_i)) > 10);
    hitl_refserver_config cfg;
    rst_config(&cfg);
    snprintf(cfg.form_file, sizeof cfg.form_file, "%s", name);
    rst_start(&ts, &cfg);
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    rst_resp r;
    rst_get(&r, rst_url(&ts, "/v1/form/human_input/%s", run.token), RST_AUTH_WF);
    ck_assert_int_eq(r.status, 200);
    cJSON *o = rst_json(&r);
    const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(o, "inputs");
    const cJSON *actions = cJSON_GetObjectItemCaseSensitive(o, "user_actions");
    int n_in = cJSON_GetArraySize(inputs), n_act = cJSON_GetArraySize(actions);
    int files = 0, lists = 0, selects = 0, paragraphs = 0;
    char types[128] = "";
    const cJSON *in;
    cJSON_ArrayForEach(in, inputs)
    {
        const char *type = rst_str(in, "type");
        ck_assert_msg(is_ident(rst_str(in, "output_variable_name"), 30), "%s", name);
        files += !strcmp(type, "file");
        lists += !strcmp(type, "file-list");
        selects += !strcmp(type, "select");
        paragraphs += !strcmp(type, "paragraph");
        if (!strcmp(type, "file-list"))
            ck_assert(rst_num(in, "number_limits") >= 1 && rst_num(in, "number_limits") <= 10);
        const cJSON *ft = cJSON_GetObjectItemCaseSensitive(in, "allowed_file_types"), *t;
        cJSON_ArrayForEach(t, ft)
        {
            strncat(types, t->valuestring, sizeof types - strlen(types) - 2);
            strcat(types, ",");
        }
        if (cJSON_GetArraySize(ft) == 1 && !strcmp(ft->child->valuestring, "custom"))
            ck_assert_int_gt(
                cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(in, "allowed_file_extensions")),
                0);
    }
    const cJSON *a;
    cJSON_ArrayForEach(a, actions) ck_assert(is_ident(rst_str(a, "id"), 20));
    ck_assert_int_ge(n_in, 1);
    ck_assert_int_ge(n_act, 1);
    if (!strcmp(name, "large")) {
        ck_assert_int_eq(n_in, 8);
        ck_assert_int_eq(n_act, 3);
        ck_assert(files && lists && selects && paragraphs);
        static const char *const all[] = {"image,", "document,", "audio,", "video,", "custom,"};
        for (size_t k = 0; k < 5; k++)
            ck_assert_msg(strstr(types, all[k]), "large lacks %s", all[k]);
    } else if (!strcmp(name, "no-files") || !strcmp(name, "paragraph")) {
        ck_assert_int_eq(files + lists, 0);
        ck_assert_int_eq(n_in, name[0] == 'p' ? 1 : 2);
    } else if (!strcmp(name, "file-list")) {
        ck_assert(n_in == 1 && lists == 1);
    } else if (!strcmp(name, "image-only")) {
        ck_assert_int_eq(files + lists, 1);
        ck_assert_str_eq(types, "image,");
    }
    if (!strcmp(name, "remote-only") || !strcmp(name, "local-only")) {
        const char *only = name[0] == 'r' ? "remote_url" : "local_file";
        ck_assert_int_gt(files + lists, 0);
        cJSON_ArrayForEach(in, inputs)
        {
            const cJSON *m = cJSON_GetObjectItemCaseSensitive(in, "allowed_file_upload_methods");
            if (m) {
                ck_assert_int_eq(cJSON_GetArraySize(m), 1);
                ck_assert_str_eq(m->child->valuestring, only);
            }
        }
    }
    cJSON_Delete(o);
    rst_resp_free(&r);
    rst_stop(&ts);
}
END_TEST

START_TEST(unknown_form_name_fails_start_naming_it)
{
    hitl_refserver_config cfg;
    rst_config(&cfg);
    snprintf(cfg.form_file, sizeof cfg.form_file, "%s", "no-such-form");
    hitl_refserver *s = NULL;
    hitl_err err = {0};
    ck_assert_int_ne(hitl_refserver_start(&cfg, &s, &err), 0);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(err.msg, "'no-such-form'") && strstr(err.msg, "--list-forms"), "%s",
                  err.msg);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("refserver_form");
    TCase *tc = tcase_create("form");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, svc_get_has_exactly_the_documented_keys);
    tcase_add_test(tc, web_get_adds_site);
    tcase_add_test(tc, unknown_token_is_404_on_both_surfaces);
    tcase_add_test(tc, svc_get_needs_the_owning_app_key);
    tcase_add_test(tc, defaults_are_stringified_on_get_only);
    tcase_add_test(tc, submitted_form_is_412_everywhere);
    tcase_add_test(tc, expired_form_is_412_before_any_sweep);
    tcase_add_test(tc, global_timeout_expires_the_form);
    tcase_add_loop_test(tc, builtin_forms_are_forms_dify_could_serve, 0,
                        (int)hitl_refserver_form_count());
    tcase_add_test(tc, unknown_form_name_fails_start_naming_it);
    suite_add_tcase(s, tc);
    return s;
}

HITL_CHECK_MAIN(suite)
