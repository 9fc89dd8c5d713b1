/* test_refserver_behave.c: hitl-refserver's --behave dify (refserver/src/behave.h), each
 * behaviour as genuine Dify has it (docs/profiles.md), and off by default:
 *   inline-remote-head-only   an inline remote_url at submit gets one HEAD; a 404/403 or an
 *                             over-size file is accepted, a 500 or a refused connection is
 *                             still refused with 400 invalid_form_data
 *   svc-non-object-body-500   a Service API submit whose JSON body is not an object answers
 *                             500 {"message":"Internal Server Error","code":"unknown",…}
 *   file-owner-workspace-only a local_file at submit is looked up in the workspace only: a
 *                             file uploaded for another form, by another Service API user or
 *                             through another app is accepted (contract: refused, §7.3.17)
 * The remote files come from the harness's fixture, whose log tells HEAD from GET. */
#include "refserver_client.h"

#include "hitl/fixture.h"

#include "check_main.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static rst_server ts;
static hitl_fixture *fx;

static void start(hitl_refserver_behave behave)
{
    hitl_err err = {0};
    ck_assert_int_eq(hitl_fixture_start("127.0.0.1:0", &fx, &err), HITL_OK);
    hitl_refserver_config cfg;
    rst_config(&cfg);
    rst_allow(&cfg, hitl_fixture_port(fx));
    cfg.file_limit = 16 * 1024; /* huge.pdf (64 MiB) is over it either way */
    cfg.behave = behave;
    rst_start(&ts, &cfg);
}

static void stop(void)
{
    rst_stop(&ts);
    hitl_fixture_stop(fx);
    fx = NULL;
}

/* Submits the built-in form on WEB with `attachment` an inline remote_url of |file| under
 * the fixture nonce |nonce| (a URL of its own when |url| is given); returns the status. */
static long submit_remote(const char *nonce, const char *file, const char *url, rst_resp *r)
{
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    char own[512], inputs[1024];
    if (!url) {
        ck_assert_int_eq(hitl_fixture_url(fx, nonce, file, own, sizeof own, NULL), HITL_OK);
        url = own;
    }
    snprintf(inputs, sizeof inputs,
             "{\"feedback\":\"x\",\"priority\":\"high\",\"attachment\":{\"transfer_method\":"
             "\"remote_url\",\"url\":\"%s\",\"type\":\"document\"},\"attachments\":[]}",
             url);
    return rst_submit(&ts, run.token, inputs, "approve", r);
}

static size_t hits(const char *method, const char *nonce)
{
    char prefix[128];
    snprintf(prefix, sizeof prefix, "/n/%s/", nonce);
    return hitl_fixture_hits_method(fx, method, prefix);
}

START_TEST(dify_inline_remote_non_200_and_size_accepted_after_one_head)
{
    start(HITL_REFSERVER_BEHAVE_DIFY);
    static const struct {
        const char *nonce, *file;
    } accepted[] = {{"m404", "missing.pdf"},
                    {"m403", "forbidden.pdf"},
                    {"mhuge", "huge.pdf"},
                    {"mgood", "good.pdf"}};
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
        rst_resp r;
        ck_assert_msg(submit_remote(accepted[i].nonce, accepted[i].file, NULL, &r) == 200,
                      "%s: HTTP %ld %s", accepted[i].file, r.status, r.body);
        ck_assert_str_eq(r.body, "{}");
        rst_resp_free(&r);
        ck_assert_uint_eq(hits("HEAD", accepted[i].nonce), 1);
        ck_assert_uint_eq(hits("GET", accepted[i].nonce), 0); /* the body is never fetched */
    }
    stop();
}
END_TEST

START_TEST(dify_inline_remote_500_and_refused_still_rejected)
{
    start(HITL_REFSERVER_BEHAVE_DIFY);
    rst_resp r;
    submit_remote("m500", "broken.pdf", NULL, &r);
    rst_assert_error(&r, 400, "invalid_form_data", NULL);
    ck_assert_ptr_nonnull(strstr(r.body, "Reached maximum retries (3) for URL "));
    rst_resp_free(&r);
    submit_remote(NULL, NULL, "http://127.0.0.1:1/doc.pdf", &r); /* refused, and not allowed */
    rst_assert_error(&r, 400, "invalid_form_data", NULL);
    rst_resp_free(&r);
    stop();
}
END_TEST

/* Without --behave dify the guide holds: the file is fetched and a 404 rejects the submit. */
START_TEST(contract_inline_remote_404_rejected)
{
    start(HITL_REFSERVER_BEHAVE_CONTRACT);
    rst_resp r;
    submit_remote("c404", "missing.pdf", NULL, &r);
    rst_assert_error(&r, 400, "invalid_form_data", NULL);
    rst_resp_free(&r);
    ck_assert_uint_eq(hits("GET", "c404"), 1);
    stop();
}
END_TEST

static void svc_submit(const char *token, const char *body, const char *headers, rst_resp *r)
{
    rst_post(r, rst_url(&ts, "/v1/form/human_input/%s", token), headers, body);
}

START_TEST(dify_svc_non_object_body_answers_500_unknown)
{
    start(HITL_REFSERVER_BEHAVE_DIFY);
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    static const char *const bodies[] = {"[\"inputs\", \"action\"]", "\"text\"", "3", "null"};
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        rst_resp r;
        svc_submit(run.token, bodies[i], RST_AUTH_WF "\nContent-Type: application/json", &r);
        ck_assert_int_eq(r.status, 500);
        ck_assert_str_eq(
            r.body, "{\"message\":\"Internal Server Error\",\"code\":\"unknown\",\"status\":500}");
        rst_resp_free(&r);
    }
    rst_resp r;
    /* The API key is checked first, as validate_app_token does. */
    svc_submit(run.token, "[1]", "Content-Type: application/json", &r);
    ck_assert_int_eq(r.status, 401);
    rst_resp_free(&r);
    /* Not JSON at all: Flask's get_json() refuses it with a 400 before any .get. */
    svc_submit(run.token, "{\"inputs\": ", RST_AUTH_WF "\nContent-Type: application/json", &r);
    ck_assert_int_eq(r.status, 400);
    rst_resp_free(&r);
    /* The web surface validates the body first: 400 invalid_param. */
    rst_post(&r, rst_url(&ts, "/api/form/human_input/%s", run.token), NULL, "[1]");
    rst_assert_error(&r, 400, "invalid_param", NULL);
    rst_resp_free(&r);
    /* The form is still open: nothing was consumed. */
    char inputs[512];
    rst_valid_inputs(&ts, run.token, inputs, sizeof inputs);
    ck_assert_int_eq(rst_submit(&ts, run.token, inputs, "approve", &r), 200);
    rst_resp_free(&r);
    stop();
}
END_TEST

START_TEST(contract_svc_array_body_answers_400)
{
    start(HITL_REFSERVER_BEHAVE_CONTRACT);
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    rst_resp r;
    svc_submit(run.token, "[1]", RST_AUTH_WF "\nContent-Type: application/json", &r);
    rst_assert_error(&r, 400, "invalid_param", NULL);
    rst_resp_free(&r);
    stop();
}
END_TEST

/* Uploads a small PDF through the Service API as |user| with app key |key|; its id in |id|. */
static void svc_upload(const char *key, const char *user, char *id, size_t cap)
{
    char hdr[128];
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", key);
    rst_part parts[] = {{"user", NULL, user, 0, NULL}, {"file", "x.pdf", "%PDF-1.4", 0, NULL}};
    rst_opts o = {
        .url = rst_url(&ts, "/v1/files/upload"), .headers = hdr, .parts = parts, .nparts = 2};
    rst_resp r;
    rst_do(&o, &r);
    ck_assert_int_eq(r.status, 201);
    cJSON *j = rst_json(&r);
    snprintf(id, cap, "%s", rst_str(j, "id"));
    cJSON_Delete(j);
    rst_resp_free(&r);
}

/* Submits the built-in form of |token| on the Service API as u1, `attachment` the file |id|;
 * returns the status. */
static long svc_submit_file(const char *token, const char *id, rst_resp *r)
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"inputs\":{\"feedback\":\"\",\"priority\":\"low\",\"attachment\":"
             "{\"transfer_method\":\"local_file\",\"upload_file_id\":\"%s\",\"type\":"
             "\"document\"},\"attachments\":[]},\"action\":\"approve\",\"user\":\"u1\"}",
             id);
    svc_submit(token, body, RST_AUTH_WF "\nContent-Type: application/json", r);
    return r->status;
}

/* The three files of someone else a form may be offered (contract §7.3.17): |want| is the
 * status each submit must get, and a refusal is Dify's "Invalid upload file". */
static void someone_elses_files(long want)
{
    const char *refused = "Invalid value for file input 'attachment': Invalid upload file";
    rst_resp r;
    /* Uploaded with an upload token of another run's form (same app, same user). */
    rst_run mine, other;
    rst_start_run(&ts, RST_WF_KEY, "u1", &mine);
    rst_start_run(&ts, RST_WF_KEY, "u1", &other);
    char inputs[512];
    rst_valid_inputs(&ts, other.token, inputs, sizeof inputs);
    rst_submit(&ts, mine.token, inputs, "approve", &r);
    if (want == 200)
        ck_assert_int_eq(r.status, 200);
    else
        rst_assert_error(&r, 400, "invalid_form_data", refused);
    rst_resp_free(&r);
    /* Uploaded through the Service API by another end user. */
    char id[64];
    rst_start_run(&ts, RST_WF_KEY, "u1", &mine);
    svc_upload(RST_WF_KEY, "u2", id, sizeof id);
    svc_submit_file(mine.token, id, &r);
    if (want == 200)
        ck_assert_int_eq(r.status, 200);
    else
        rst_assert_error(&r, 400, "invalid_form_data", refused);
    rst_resp_free(&r);
    /* Uploaded through another app (the Chatflow app's key), same user. */
    rst_start_run(&ts, RST_WF_KEY, "u1", &mine);
    svc_upload(RST_CF_KEY, "u1", id, sizeof id);
    svc_submit_file(mine.token, id, &r);
    if (want == 200)
        ck_assert_int_eq(r.status, 200);
    else
        rst_assert_error(&r, 400, "invalid_form_data", refused);
    rst_resp_free(&r);
}

START_TEST(dify_file_of_another_form_user_or_app_accepted)
{
    start(HITL_REFSERVER_BEHAVE_DIFY);
    someone_elses_files(200);
    /* An id the workspace does not have is still refused. */
    rst_run run;
    rst_resp r;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    svc_submit_file(run.token, "6f1d2c3b-4a59-4e68-9d7c-0b1a2f3e4d5c", &r);
    rst_assert_error(&r, 400, "invalid_form_data",
                     "Invalid value for file input 'attachment': Invalid upload file");
    rst_resp_free(&r);
    stop();
}
END_TEST

START_TEST(contract_file_of_another_form_user_or_app_refused)
{
    start(HITL_REFSERVER_BEHAVE_CONTRACT);
    someone_elses_files(400);
    /* One's own file, uploaded for the form, is accepted. */
    rst_run run;
    rst_resp r;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    char inputs[512];
    rst_valid_inputs(&ts, run.token, inputs, sizeof inputs);
    ck_assert_int_eq(rst_submit(&ts, run.token, inputs, "approve", &r), 200);
    rst_resp_free(&r);
    stop();
}
END_TEST

START_TEST(behave_flag_parses)
{
    static const struct {
        const char *value;
        int rc;
        hitl_refserver_behave behave;
    } cases[] = {{"dify", HITL_OK, HITL_REFSERVER_BEHAVE_DIFY},
                 {"contract", HITL_OK, HITL_REFSERVER_BEHAVE_CONTRACT},
                 {"Dify", HITL_E_ARG, HITL_REFSERVER_BEHAVE_CONTRACT},
                 {"", HITL_E_ARG, HITL_REFSERVER_BEHAVE_CONTRACT}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hitl_refserver_config cfg;
        hitl_refserver_config_init(&cfg);
        ck_assert_int_eq(cfg.behave, HITL_REFSERVER_BEHAVE_CONTRACT); /* the default */
        char *argv[] = {"hitl-refserver", "--behave", (char *)cases[i].value};
        hitl_err err = {0};
        ck_assert_int_eq(hitl_refserver_config_parse(&cfg, 3, argv, &err), cases[i].rc);
        ck_assert_int_eq(cfg.behave, cases[i].behave);
        if (cases[i].rc)
            ck_assert_ptr_nonnull(strstr(err.msg, "--behave"));
    }
    ck_assert_ptr_nonnull(strstr(hitl_refserver_usage(), "--behave contract|dify"));
}
END_TEST

static Suite *refserver_behave_suite(void)
{
    Suite *s = suite_create("refserver_behave");
    TCase *tc = tcase_create("behave");
    tcase_add_test(tc, dify_inline_remote_non_200_and_size_accepted_after_one_head);
    tcase_add_test(tc, dify_inline_remote_500_and_refused_still_rejected);
    tcase_add_test(tc, contract_inline_remote_404_rejected);
    tcase_add_test(tc, dify_svc_non_object_body_answers_500_unknown);
    tcase_add_test(tc, contract_svc_array_body_answers_400);
    tcase_add_test(tc, dify_file_of_another_form_user_or_app_accepted);
    tcase_add_test(tc, contract_file_of_another_form_user_or_app_refused);
    tcase_add_test(tc, behave_flag_parses);
    suite_add_tcase(s, tc);
    return s;
}

HITL_CHECK_MAIN(refserver_behave_suite)
