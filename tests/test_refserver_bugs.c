/* test_refserver_bugs.c: the planted bugs (refserver/src/faults/planted_bugs.h). Each is shown off
 * by default (the trigger is answered as the contract says) and on with --bug NAME (the trigger
 * shows the bug's symptom, and an ordinary request still does not). */
#include "refserver/planted_bugs.h"
#include "refserver_client.h"

#include "check_main.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static rst_server ts;

static void start_with(const char *bug)
{
    hitl_refserver_config cfg;
    rst_config(&cfg);
    if (bug) {
        hitl_err err = {0};
        ck_assert_int_eq(hitl_refserver_bug_enable(&cfg, bug, &err), 0);
    }
    rst_start(&ts, &cfg);
}

/* A valid inputs object with |key| replaced by the JSON text |value|. */
static void inputs_with(const rst_run *run, const char *key, const char *value, char *out,
                        size_t cap)
{
    char valid[512];
    rst_valid_inputs(&ts, run->token, valid, sizeof valid);
    cJSON *o = cJSON_Parse(valid);
    ck_assert_ptr_nonnull(o);
    if (key) {
        /* feedback's value goes in as text: cJSON would cut a \u0000 and refuses a lone
         * surrogate */
        cJSON *v = strcmp(key, "feedback") ? cJSON_Parse(value) : NULL;
        if (v) {
            cJSON_ReplaceItemInObjectCaseSensitive(o, key, v);
            char *txt = cJSON_PrintUnformatted(o);
            snprintf(out, cap, "%s", txt);
            free(txt);
        } else {
            char *txt = cJSON_PrintUnformatted(o);
            char *at = strstr(txt, "\"Looks good\"");
            ck_assert_ptr_nonnull(at);
            snprintf(out, cap, "%.*s%s%s", (int)(at - txt), txt, value,
                     at + strlen("\"Looks good\""));
            free(txt);
        }
    } else {
        char *txt = cJSON_PrintUnformatted(o);
        snprintf(out, cap, "%s", txt);
        free(txt);
    }
    cJSON_Delete(o);
}

static long submit_inputs(const char *key, const char *value)
{
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    char inputs[8192];
    inputs_with(&run, key, value, inputs, sizeof inputs);
    rst_resp r;
    long st = rst_submit(&ts, run.token, inputs, "approve", &r);
    rst_resp_free(&r);
    return st;
}

START_TEST(list_names_every_bug_and_off_by_default)
{
    hitl_refserver_config cfg;
    hitl_refserver_config_init(&cfg);
    ck_assert_uint_eq(hitl_refserver_bug_count(), 7);
    for (size_t i = 0; i < hitl_refserver_bug_count(); i++) {
        ck_assert_ptr_nonnull(hitl_refserver_bug_summary(i));
        ck_assert_int_eq(hitl_refserver_bug_is_enabled(&cfg, hitl_refserver_bug_name(i)), 0);
    }
    ck_assert_ptr_null(hitl_refserver_bug_name(hitl_refserver_bug_count()));
    hitl_err err = {0};
    ck_assert_int_eq(hitl_refserver_bug_enable(&cfg, "no-such-bug", &err), HITL_E_ARG);
    ck_assert_ptr_nonnull(strstr(err.msg, "--list-bugs"));
    char *argv[] = {"hitl-refserver", "--bug", "submit-race", "--bug=deep-json-500"};
    ck_assert_int_eq(hitl_refserver_config_parse(&cfg, 4, argv, &err), 0);
    ck_assert_int_eq(hitl_refserver_bug_is_enabled(&cfg, "submit-race"), 1);
    ck_assert_int_eq(hitl_refserver_bug_is_enabled(&cfg, "deep-json-500"), 1);
    ck_assert_int_eq(hitl_refserver_bug_is_enabled(&cfg, "paragraph-nul-500"), 0);
    char *list[] = {"hitl-refserver", "--list-bugs"};
    ck_assert_int_eq(hitl_refserver_config_parse(&cfg, 2, list, &err), 0);
    ck_assert_int_eq(cfg.action, HITL_REFSERVER_LIST_BUGS);
}
END_TEST

START_TEST(paragraph_nul_and_lone_surrogate)
{
    for (int on = 0; on < 2; on++) {
        start_with(on ? "paragraph-nul-500" : NULL);
        ck_assert_int_eq(submit_inputs("feedback", "\"a\\u0000b\""), (on ? 500 : 200));
        ck_assert_int_eq(submit_inputs("feedback", "\"x\\ud800y\""), (on ? 500 : 400));
        ck_assert_int_eq(submit_inputs("feedback", "\"x\\uDC01\""), (on ? 500 : 400));
        /* a paired surrogate and the same escapes in the select are not the bug's */
        ck_assert_int_eq(submit_inputs("feedback", "\"\\ud83d\\ude00\""), 200);
        ck_assert_int_eq(submit_inputs("priority", "\"a\\u0000b\""), 400);
        rst_stop(&ts);
    }
}
END_TEST

START_TEST(file_list_over_20)
{
    char list[4096] = "[";
    for (int i = 0; i < 21; i++)
        strcat(list, i ? ",{}" : "{}");
    strcat(list, "]");
    for (int on = 0; on < 2; on++) {
        start_with(on ? "file-list-over-20-500" : NULL);
        ck_assert_int_eq(submit_inputs("attachments", list), (on ? 500 : 200));
        ck_assert_int_eq(submit_inputs("attachments", "[{},{},{}]"), 200);
        rst_stop(&ts);
    }
}
END_TEST

START_TEST(select_case)
{
    for (int on = 0; on < 2; on++) {
        start_with(on ? "select-case-insensitive" : NULL);
        ck_assert_int_eq(submit_inputs("priority", "\"HIGH\""), (on ? 200 : 400));
        ck_assert_int_eq(submit_inputs("priority", "\"highest\""), 400);
        rst_stop(&ts);
    }
}
END_TEST

START_TEST(deep_json)
{
    char deep[512] = "", shallow[512] = "";
    for (int i = 0; i < 70; i++)
        strcat(deep, "[");
    for (int i = 0; i < 70; i++)
        strcat(deep, "]");
    for (int i = 0; i < 50; i++)
        strcat(shallow, "[");
    for (int i = 0; i < 50; i++)
        strcat(shallow, "]");
    for (int on = 0; on < 2; on++) {
        start_with(on ? "deep-json-500" : NULL);
        ck_assert_int_eq(submit_inputs("feedback", deep), (on ? 500 : 200));
        ck_assert_int_eq(submit_inputs("feedback", shallow), 200);
        rst_stop(&ts);
    }
}
END_TEST

START_TEST(long_filename_drop)
{
    char name[300];
    memset(name, 'a', 256);
    strcpy(name + 256, ".pdf");
    for (int on = 0; on < 2; on++) {
        start_with(on ? "long-filename-drop" : NULL);
        rst_run run;
        rst_start_run(&ts, RST_WF_KEY, "u1", &run);
        char tok[128], auth[200];
        rst_upload_token(&ts, run.token, tok, sizeof tok);
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
        rst_part part = {"file", name, "%PDF-1.4\n", 0, "application/pdf"};
        rst_opts o = {.url = rst_url(&ts, "%s", rst_upload_path(&ts)),
                      .headers = auth,
                      .parts = &part,
                      .nparts = 1};
        rst_resp r;
        rst_do(&o, &r);
        if (on) {
            ck_assert_int_eq(r.status, 0);
            ck_assert_int_ne(r.cc, CURLE_OK);
        } else {
            ck_assert_int_eq(r.status, 201);
        }
        rst_resp_free(&r);
        part.filename = "short.pdf"; /* a name of 255 bytes or less is served */
        rst_do(&o, &r);
        ck_assert_int_eq(r.status, 201);
        rst_resp_free(&r);
        rst_stop(&ts);
    }
}
END_TEST

START_TEST(error_echoes_token)
{
    for (int on = 0; on < 2; on++) {
        start_with(on ? "error-echoes-token" : NULL);
        rst_run a, b;
        rst_start_run(&ts, RST_WF_KEY, "u1", &a);
        rst_start_run(&ts, RST_WF_KEY, "u2", &b);
        char near[128];
        snprintf(near, sizeof near, "%s", b.token);
        size_t n = strlen(near);
        near[n - 1] = near[n - 1] == 'A' ? 'B' : 'A';
        rst_resp r;
        rst_get(&r, rst_url(&ts, "/api/form/human_input/%s", near), NULL);
        ck_assert_int_eq(r.status, 404);
        ck_assert_int_eq(strstr(r.body, b.token) != NULL, on);
        rst_resp_free(&r);
        rst_get(&r, rst_url(&ts, "/api/form/human_input/unknown-token"), NULL);
        ck_assert_int_eq(r.status, 404);
        ck_assert_ptr_null(strstr(r.body, a.token));
        ck_assert_ptr_null(strstr(r.body, b.token));
        rst_resp_free(&r);
        rst_stop(&ts);
    }
}
END_TEST

typedef struct race_arg {
    const char *token;
    const char *inputs;
    long status;
} race_arg;

static void *race_submit(void *p)
{
    race_arg *a = p;
    rst_resp r;
    a->status = rst_submit(&ts, a->token, a->inputs, "approve", &r);
    rst_resp_free(&r);
    return NULL;
}

START_TEST(submit_race)
{
    for (int on = 0; on < 2; on++) {
        start_with(on ? "submit-race" : NULL);
        int both = 0;
        for (int round = 0; round < 10; round++) {
            rst_run run;
            rst_start_run(&ts, RST_WF_KEY, "u1", &run);
            char inputs[512];
            rst_valid_inputs(&ts, run.token, inputs, sizeof inputs);
            race_arg x = {run.token, inputs, 0}, y = {run.token, inputs, 0};
            pthread_t t1, t2;
            pthread_create(&t1, NULL, race_submit, &x);
            pthread_create(&t2, NULL, race_submit, &y);
            pthread_join(t1, NULL);
            pthread_join(t2, NULL);
            ck_assert(x.status == 200 || y.status == 200);
            both += x.status == 200 && y.status == 200;
        }
        if (on)
            ck_assert_int_gt(both, 0);
        else
            ck_assert_int_eq(both, 0);
        rst_stop(&ts);
    }
}
END_TEST

static Suite *refserver_bugs_suite(void)
{
    Suite *s = suite_create("refserver_bugs");
    TCase *tc = tcase_create("bugs");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, list_names_every_bug_and_off_by_default);
    tcase_add_test(tc, paragraph_nul_and_lone_surrogate);
    tcase_add_test(tc, file_list_over_20);
    tcase_add_test(tc, select_case);
    tcase_add_test(tc, deep_json);
    tcase_add_test(tc, long_filename_drop);
    tcase_add_test(tc, error_echoes_token);
    tcase_add_test(tc, submit_race);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = hitl_check_run(refserver_bugs_suite());
    curl_global_cleanup();
    return rc;
}
