/* test_refserver_submit.c: submit (§7): body errors, validation messages and order (§7.3),
 * after-submit rules (§7.4), inline remote_url fetches (§7.3.14). */
#include "refserver_client.h"

#include "check_main.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static rst_server ts;
static rst_fixture fx;

static void start_default(void)
{
    hitl_refserver_config cfg;
    rst_config(&cfg);
    rst_fixture_start(&fx, 64 * 1024);
    rst_allow(&cfg, fx.port);
    cfg.file_limit = 16 * 1024;
    rst_start(&ts, &cfg);
}

static void stop_all(void)
{
    rst_stop(&ts);
    rst_fixture_stop(&fx);
}

START_TEST(valid_submit_answers_empty_object_once)
{
    start_default();
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    char inputs[512];
    rst_valid_inputs(&ts, run.token, inputs, sizeof inputs);
    rst_resp r;
    ck_assert_int_eq(rst_submit(&ts, run.token, inputs, "approve", &r), 200);
    ck_assert_str_eq(r.body, "{}");
    rst_resp_free(&r);
    rst_submit(&ts, run.token, inputs, "approve", &r);
    rst_assert_error(&r, 412, "human_input_form_submitted", NULL);
    rst_resp_free(&r);
    stop_all();
}
END_TEST

/* Each case replaces the value of one key (or the action) in a valid submission. "@ID" in a
 * value is replaced by a real upload id of a PDF uploaded for the form, "@LOG" by that of a
 * .log file (detected type custom), "@FX" by the fixture's base URL. */
typedef struct val_case {
    const char *key;   /* NULL: change the action; "-k1,k2": drop keys */
    const char *value; /* JSON text, or the action */
    const char *message;
} val_case;

static const val_case VAL_CASES[] = {
    {NULL, "delete", "Invalid action: delete"},
    {"-feedback", NULL, "Missing required inputs: feedback"},
    {"-attachments,priority", NULL, "Missing required inputs: priority, attachments"},
    {"priority", "3", "Invalid value for select input 'priority': expected string"},
    {"priority", "\"urgent\"", "Invalid value for select input 'priority': urgent"},
    {"attachment", "[]", "Invalid value for file input 'attachment': expected mapping"},
    /* a file list that is not a list of mappings fails pydantic first: the stable prefix, then
     * pydantic's text (pydantic-like here) */
    {"attachments", "{}",
     "Invalid value for file list input 'attachments': 1 validation error for "
     "json-or-python[json=list[dict[str,any]],python=chain[is-instance[Sequence],function-wrap["
     "sequence_validator()]]]\n  Input should be an instance of Sequence [type=is_instance_of, "
     "input_type=dict]"},
    {"attachments", "\"abc\"",
     "Invalid value for file list input 'attachments': 1 validation error for "
     "json-or-python[json=list[dict[str,any]],python=chain[is-instance[Sequence],function-wrap["
     "sequence_validator()]]]\n  'str' instances are not allowed as a Sequence value "
     "[type=sequence_str, input_type=str]"},
    {"attachments", "[{},1]",
     "Invalid value for file list input 'attachments': 1 validation error for "
     "list[Mapping[str, Any]]\n1\n  Input should be a valid dictionary [type=dict_type, "
     "input_type=int]"},
    {"attachment", "{\"upload_file_id\":\"@ID\"}",
     "Invalid value for file input 'attachment': transfer_method is required in file mapping"},
    {"attachment", "{\"transfer_method\":\"carrier_pigeon\"}",
     "Invalid value for file input 'attachment': 'carrier_pigeon' is not a valid "
     "FileTransferMethod"},
    {"attachment", "{\"transfer_method\":\"local_file\"}",
     "Invalid value for file input 'attachment': Invalid upload file id"},
    {"attachment", "{\"transfer_method\":\"local_file\",\"upload_file_id\":\"12345\"}",
     "Invalid value for file input 'attachment': Invalid upload file id format"},
    {"attachment",
     "{\"transfer_method\":\"local_file\",\"upload_file_id\":\"3c8fa1b2-7d4e-4f9a-b0c1-"
     "d2e3f4a5b6c7\"}",
     "Invalid value for file input 'attachment': Invalid upload file"},
    {"attachment",
     "{\"transfer_method\":\"local_file\",\"upload_file_id\":\"@ID\",\"type\":\"image\"}",
     "Invalid value for file input 'attachment': Detected file type does not match the specified "
     "type. Please verify the file."},
    /* strict type validation: a local_file mapping without `type` specifies custom, which a
     * PDF (detected: document) contradicts; custom is not exempt */
    {"attachment", "{\"transfer_method\":\"local_file\",\"upload_file_id\":\"@ID\"}",
     "Invalid value for file input 'attachment': Detected file type does not match the specified "
     "type. Please verify the file."},
    {"attachment",
     "{\"transfer_method\":\"local_file\",\"upload_file_id\":\"@ID\",\"type\":\"custom\"}",
     "Invalid value for file input 'attachment': Detected file type does not match the specified "
     "type. Please verify the file."},
    {"attachment", "{\"transfer_method\":\"\",\"upload_file_id\":\"@ID\"}",
     "Invalid value for file input 'attachment': transfer_method is required in file mapping"},
    /* the detected type, correctly given, that the input does not allow */
    {"attachment",
     "{\"transfer_method\":\"local_file\",\"upload_file_id\":\"@LOG\",\"type\":"
     "\"custom\"}",
     "Invalid value for file input 'attachment': File validation failed for file: notes.log"},
    {"attachment", "{\"transfer_method\":\"remote_url\"}",
     "Invalid value for file input 'attachment': Invalid file url"},
    {"attachments",
     "[{\"transfer_method\":\"local_file\",\"upload_file_id\":\"@ID\",\"type\":\"document\"},"
     "{\"transfer_method\":\"local_file\",\"upload_file_id\":\"@ID\",\"type\":\"document\"},"
     "{\"transfer_method\":\"local_file\",\"upload_file_id\":\"@ID\",\"type\":\"document\"},"
     "{\"transfer_method\":\"local_file\",\"upload_file_id\":\"@ID\",\"type\":\"document\"}]",
     "Invalid value for file list input 'attachments': Number of files exceeds the maximum limit "
     "3"},
    /* inline remote files are fetched; any failure rejects the submission */
    {"attachment",
     "{\"transfer_method\":\"remote_url\",\"url\":\"@FX/missing.pdf\",\"type\":\"document\"}",
     "Invalid value for file input 'attachment': Failed to fetch file from @FX/missing.pdf: HTTP "
     "404"},
    {"attachment",
     "{\"transfer_method\":\"remote_url\",\"url\":\"@FX/big.pdf\",\"type\":\"document\"}",
     "Invalid value for file input 'attachment': File size exceeded."},
    {"attachment",
     "{\"transfer_method\":\"remote_url\",\"url\":\"@FX/photo.png\",\"type\":\"document\"}",
     "Invalid value for file input 'attachment': Detected file type does not match the specified "
     "type. Please verify the file."},
    {"attachment",
     "{\"transfer_method\":\"remote_url\",\"url\":\"@FX/evil.exe\",\"type\":\"custom\"}",
     "Invalid value for file input 'attachment': File validation failed for file: evil.exe"},
    /* remote_url without `type`: no strict error, but the allowed-types check takes it as
     * custom, whose extension the input does not list */
    {"attachment", "{\"transfer_method\":\"remote_url\",\"url\":\"@FX/doc.pdf\"}",
     "Invalid value for file input 'attachment': File validation failed for file: doc.pdf"},
    {"attachment",
     "{\"transfer_method\":\"remote_url\",\"url\":\"http://127.0.0.1:1/"
     "a.pdf\",\"type\":\"document\"}",
     "Invalid value for file input 'attachment': Failed to fetch file from "
     "http://127.0.0.1:1/a.pdf: "
     "the address is not allowed"},
};

/* replace_all returns a malloc'd copy of |s| with every |from| replaced by |to|. */
static char *replace_all(const char *s, const char *from, const char *to)
{
    size_t cap = strlen(s) * 2 + 4096, o = 0;
    char *out = malloc(cap);
    for (const char *p = s; *p;) {
        if (strncmp(p, from, strlen(from)) == 0) {
            o += (size_t)snprintf(out + o, cap - o, "%s", to);
            p += strlen(from);
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    return out;
}

static char *expand(const char *s, const char *id, const char *log_id)
{
    char fxbase[64];
    snprintf(fxbase, sizeof fxbase, "http://127.0.0.1:%u", (unsigned)fx.port);
    char *a = replace_all(s, "@ID", id);
    char *b = replace_all(a, "@FX", fxbase);
    char *c = replace_all(b, "@LOG", log_id);
    free(a);
    free(b);
    return c;
}

START_TEST(validation_messages)
{
    const val_case *c = &VAL_CASES[_i];
    start_default();
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    char inputs[512];
    rst_valid_inputs(&ts, run.token, inputs, sizeof inputs);
    cJSON *in = cJSON_Parse(inputs);
    const char *id = rst_str(in, "attachment.upload_file_id");
    char log_id[64] = "";
    if (c->value && strstr(c->value, "@LOG")) {
        char tok[128];
        rst_upload_token(&ts, run.token, tok, sizeof tok);
        rst_upload(&ts, tok, "notes.log", 32, log_id, sizeof log_id);
    }
    const char *action = "approve";
    if (!c->key) {
        action = c->value;
    } else if (c->key[0] == '-') {
        char keys[128];
        snprintf(keys, sizeof keys, "%s", c->key + 1);
        for (char *k = strtok(keys, ","); k; k = strtok(NULL, ","))
            cJSON_DeleteItemFromObject(in, k);
    } else {
        char *v = expand(c->value, id, log_id);
        cJSON_ReplaceItemInObject(in, c->key, cJSON_Parse(v));
        free(v);
    }
    char *txt = cJSON_PrintUnformatted(in);
    char *want = expand(c->message, id, log_id);
    rst_resp r;
    rst_submit(&ts, run.token, txt, action, &r);
    rst_assert_error(&r, 400, "invalid_form_data", want);
    rst_resp_free(&r);
    /* a rejected submit leaves the form open: the valid submission still goes through */
    ck_assert_int_eq(rst_submit(&ts, run.token, inputs, "approve", &r), 200);
    rst_resp_free(&r);
    free(want);
    free(txt);
    cJSON_Delete(in);
    stop_all();
}
END_TEST

START_TEST(inline_remote_success_and_list_items_without_method_dropped)
{
    start_default();
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    char inputs[1024];
    snprintf(inputs, sizeof inputs,
             "{\"feedback\":\"\",\"priority\":\"low\",\"attachment\":{\"transfer_method\":"
             "\"remote_url\",\"url\":\"http://127.0.0.1:%u/report\",\"type\":\"document\"},"
             "\"attachments\":[{\"url\":\"x\"},{},{\"transfer_method\":\"\"},"
             "{\"transfer_method\":\"remote_url\",\"type\":\"document\"},"
             "{\"transfer_method\":\"remote_url\",\"url\":"
             "\"http://127.0.0.1:%u/photo.png\",\"type\":\"image\"}]}",
             (unsigned)fx.port, (unsigned)fx.port);
    rst_resp r;
    ck_assert_msg(rst_submit(&ts, run.token, inputs, "revise", &r) == 200, "%s", r.body);
    rst_resp_free(&r);
    ck_assert_int_eq(rst_fixture_hits(&fx), 2);
    stop_all();
}
END_TEST

typedef struct body_case {
    const char *body;
    int svc;
    long status;
    const char *code, *message;
} body_case;

static const body_case BODY_CASES[] = {
    {"{nope", 0, 400, "invalid_param", NULL},
    {"[1,2]", 0, 400, "invalid_param", NULL},
    {"{\"inputs\":[],\"action\":\"approve\"}", 0, 400, "invalid_param", NULL},
    {"{\"action\":\"approve\"}", 0, 400, "invalid_param", NULL},
    {"{\"inputs\":{}}", 0, 400, "invalid_param", NULL},
    {"{\"inputs\":{},\"action\":7}", 0, 400, "invalid_param", NULL},
    {"{\"inputs\":{},\"action\":\"approve\"}", 1, 400, "invalid_param",
     "Arg user must be provided."},
    {"{\"inputs\":{},\"action\":\"approve\",\"user\":\"\"}", 1, 400, "invalid_param",
     "Arg user must be provided."},
};

START_TEST(body_errors)
{
    const body_case *c = &BODY_CASES[_i];
    start_default();
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    rst_resp r;
    rst_post(&r, rst_url(&ts, "/%s/form/human_input/%s", c->svc ? "v1" : "api", run.token),
             c->svc ? RST_AUTH_WF : NULL, c->body);
    rst_assert_error(&r, c->status, c->code, c->message);
    rst_resp_free(&r);
    stop_all();
}
END_TEST

START_TEST(svc_submit_and_web_ignores_user)
{
    start_default();
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    char inputs[512], body[1024];
    rst_valid_inputs(&ts, run.token, inputs, sizeof inputs);
    snprintf(body, sizeof body, "{\"inputs\":%s,\"action\":\"approve\",\"user\":\"u1\"}", inputs);
    rst_resp r;
    rst_post(&r, rst_url(&ts, "/v1/form/human_input/%s", run.token), RST_AUTH_WF, body);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "{}");
    rst_resp_free(&r);
    rst_run run2;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run2);
    rst_valid_inputs(&ts, run2.token, inputs, sizeof inputs);
    snprintf(body, sizeof body, "{\"inputs\":%s,\"action\":\"approve\",\"user\":\"someone\"}",
             inputs);
    rst_post(&r, rst_url(&ts, "/api/form/human_input/%s", run2.token), NULL, body);
    ck_assert_int_eq(r.status, 200);
    rst_resp_free(&r);
    stop_all();
}
END_TEST

START_TEST(svc_upload_belongs_to_its_user)
{
    start_default();
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    rst_part parts[] = {{"user", NULL, "u2", 0, NULL}, {"file", "x.pdf", "%PDF", 0, NULL}};
    rst_opts o = {.url = rst_url(&ts, "/v1/files/upload"),
                  .headers = RST_AUTH_WF,
                  .parts = parts,
                  .nparts = 2};
    rst_resp r;
    rst_do(&o, &r);
    ck_assert_int_eq(r.status, 201);
    cJSON *j = rst_json(&r);
    char id[64];
    snprintf(id, sizeof id, "%s", rst_str(j, "id"));
    cJSON_Delete(j);
    rst_resp_free(&r);
    char body[1024];
#define SUBMIT_AS                                                                                  \
    "{\"inputs\":{\"feedback\":\"\",\"priority\":\"low\",\"attachment\":"                          \
    "{\"transfer_method\":\"local_file\",\"upload_file_id\":\"%s\",\"type\":"                      \
    "\"document\"},\"attachments\":[]},\"action\":\"approve\",\"user\":\"%s\"}"
    snprintf(body, sizeof body, SUBMIT_AS, id, "u1"); /* u2's file, submitted as u1 */
    rst_post(&r, rst_url(&ts, "/v1/form/human_input/%s", run.token), RST_AUTH_WF, body);
    rst_assert_error(&r, 400, "invalid_form_data",
                     "Invalid value for file input 'attachment': Invalid upload file");
    rst_resp_free(&r);
    snprintf(body, sizeof body, SUBMIT_AS, id, "u2");
    rst_post(&r, rst_url(&ts, "/v1/form/human_input/%s", run.token), RST_AUTH_WF, body);
    ck_assert_msg(r.status == 200, "%s", r.body);
    rst_resp_free(&r);
    stop_all();
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("refserver_submit");
    TCase *tc = tcase_create("submit");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, valid_submit_answers_empty_object_once);
    tcase_add_loop_test(tc, validation_messages, 0, (int)(sizeof VAL_CASES / sizeof VAL_CASES[0]));
    tcase_add_test(tc, inline_remote_success_and_list_items_without_method_dropped);
    tcase_add_loop_test(tc, body_errors, 0, (int)(sizeof BODY_CASES / sizeof BODY_CASES[0]));
    tcase_add_test(tc, svc_submit_and_web_ignores_user);
    tcase_add_test(tc, svc_upload_belongs_to_its_user);
    suite_add_tcase(s, tc);
    return s;
}

HITL_CHECK_MAIN(suite)
