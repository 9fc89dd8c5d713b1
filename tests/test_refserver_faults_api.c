/* test_refserver_faults_api.c: the faults of the API surface (events, form GET, upload
 * tokens, upload auth, remote fetches, submit) change behaviour as refserver/FAULTS.md says.
 * Every fault has exactly one row here or in test_refserver_faults_ops.c
 * (tests/refserver_faults_doc.sh checks). */
#include "refserver_faultprobe.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- events ---- */

static int p_event_order(ctx *c)
{
    rst_resp r;
    start_stream(c, RST_WF_KEY, &r, 5000, 0);
    int dev = strcmp(rst_sse_names(r.body),
                     "workflow_started,node_started,workflow_paused,human_input_required") == 0;
    rst_resp_free(&r);
    return dev;
}

static int p_missing_form_token(ctx *c)
{
    cJSON *ev = start_event(c, "human_input_required");
    int dev = rst_at(ev, "data.form_token") == NULL;
    cJSON_Delete(ev);
    return dev;
}

static int p_pause_mismatch(ctx *c)
{
    rst_resp r;
    start_stream(c, RST_WF_KEY, &r, 5000, 0);
    cJSON *req = rst_sse_event(r.body, "human_input_required", 0);
    cJSON *pause = rst_sse_event(r.body, "workflow_paused", 0);
    int dev =
        rst_num(req, "data.expiration_time") != rst_num(pause, "data.reasons.0.expiration_time");
    cJSON_Delete(req);
    cJSON_Delete(pause);
    rst_resp_free(&r);
    return dev;
}

static int p_stream_not_closed(ctx *c)
{
    rst_resp r;
    start_stream(c, RST_WF_KEY, &r, 1200, 0);
    ck_assert_ptr_nonnull(strstr(r.body, "workflow_paused"));
    int dev = r.cc == CURLE_OPERATION_TIMEDOUT;
    rst_resp_free(&r);
    return dev;
}

static int p_chatflow_envelope(ctx *c)
{
    rst_resp r;
    start_stream(c, RST_CF_KEY, &r, 5000, 0);
    cJSON *ev = rst_sse_event(r.body, "human_input_required", 0);
    int dev = !rst_str(ev, "conversation_id") || !rst_str(ev, "message_id");
    cJSON_Delete(ev);
    rst_resp_free(&r);
    return dev;
}

static int p_chatflow_run_id(ctx *c)
{
    rst_resp r;
    start_stream(c, RST_CF_KEY, &r, 5000, 0);
    cJSON *ev = rst_sse_event(r.body, "human_input_required", 0);
    int dev = !rst_str(ev, "workflow_run_id");
    cJSON_Delete(ev);
    rst_resp_free(&r);
    return dev;
}

static int p_outputs_not_empty(ctx *c)
{
    cJSON *ev = start_event(c, "workflow_paused");
    int dev = cJSON_GetArraySize(rst_at(ev, "data.outputs")) != 0;
    cJSON_Delete(ev);
    return dev;
}

static int p_ping_with_data(ctx *c)
{
    rst_resp r;
    resume(c, "u1", &r, 5000);
    int dev = strncmp(r.body, "data: ping\n\n", 12) == 0;
    ck_assert(dev || strncmp(r.body, "event: ping\n\n", 13) == 0);
    rst_resp_free(&r);
    return dev;
}

static int p_wrong_content_type(ctx *c)
{
    rst_resp r;
    start_stream(c, RST_WF_KEY, &r, 5000, 0);
    const char *ct = rst_header(&r, "Content-Type");
    int dev = !ct || strncmp(ct, "text/event-stream", 17) != 0;
    rst_resp_free(&r);
    return dev;
}

/* ---- form GET ---- */

static int p_get_missing_key(ctx *c)
{
    cJSON *o = web_get(c);
    int dev = rst_at(o, "user_actions") == NULL;
    cJSON_Delete(o);
    return dev;
}

static int p_defaults_not_stringified(ctx *c)
{
    cJSON *o = web_get(c);
    int dev = 0;
    for (const cJSON *v = rst_at(o, "resolved_default_values")->child; v; v = v->next)
        dev |= !cJSON_IsString(v);
    cJSON_Delete(o);
    return dev;
}

static int p_unknown_token_400(ctx *c)
{
    rst_resp r;
    rst_get(&r, U(c, "/api/form/human_input/%s", "nope"), NULL);
    return status_of(&r) == 400;
}

static int p_get_expiration_mismatch(ctx *c)
{
    cJSON *o = web_get(c);
    int dev = rst_num(o, "expiration_time") != (double)c->run.expiration;
    cJSON_Delete(o);
    return dev;
}

static int p_web_get_no_site(ctx *c)
{
    cJSON *o = web_get(c);
    int dev = rst_at(o, "site") == NULL;
    cJSON_Delete(o);
    return dev;
}

/* ---- upload token ---- */

static cJSON *token_json(ctx *c, long *status)
{
    rst_resp r;
    rst_post(&r, U(c, "/api/form/human_input/%s/upload-token", c->run.token), NULL, NULL);
    *status = r.status;
    cJSON *o = rst_json(&r);
    rst_resp_free(&r);
    return o;
}

static int p_token_prefix(ctx *c)
{
    long st;
    cJSON *o = token_json(c, &st);
    int dev = strncmp(rst_str(o, "upload_token"), "hitl_upload_", 12) != 0;
    cJSON_Delete(o);
    return dev;
}

static int p_token_reused(ctx *c)
{
    long st;
    cJSON *a = token_json(c, &st), *b = token_json(c, &st);
    int dev = strcmp(rst_str(a, "upload_token"), rst_str(b, "upload_token")) == 0;
    cJSON_Delete(a);
    cJSON_Delete(b);
    return dev;
}

static int p_token_expiry(ctx *c)
{
    long st;
    cJSON *o = token_json(c, &st);
    int dev = rst_num(o, "expires_at") != (double)c->run.expiration;
    cJSON_Delete(o);
    return dev;
}

static int p_token_201(ctx *c)
{
    long st;
    cJSON_Delete(token_json(c, &st));
    return st == 201;
}

/* ---- upload auth ---- */

static int p_upload_no_auth(ctx *c)
{
    rst_resp r;
    return (upload_with(c, NULL, "a.pdf", 4, &r), status_of(&r)) == 201;
}

static int p_upload_auth_parts(ctx *c)
{
    char hdr[256];
    bearer(c, hdr, sizeof hdr, " extra");
    rst_resp r;
    return (upload_with(c, hdr, "a.pdf", 4, &r), status_of(&r)) == 201;
}

static int p_upload_scheme_case(ctx *c)
{
    char tok[128], hdr[256];
    rst_upload_token(&c->ts, c->run.token, tok, sizeof tok);
    snprintf(hdr, sizeof hdr, "Authorization: bearer %s", tok);
    rst_resp r;
    return (upload_with(c, hdr, "a.pdf", 4, &r), status_of(&r)) == 400;
}

static int p_upload_unknown_401(ctx *c)
{
    rst_resp r;
    upload_with(c, "Authorization: Bearer hitl_upload_nope", "a.pdf", 4, &r);
    return status_of(&r) == 401;
}

static int p_upload_submitted_403(ctx *c)
{
    char hdr[256];
    bearer(c, hdr, sizeof hdr, "");
    ck_assert_int_eq(submit_valid(c, "approve"), 200);
    rst_resp r;
    return (upload_with(c, hdr, "a.pdf", 4, &r), status_of(&r)) == 403;
}

static int p_upload_auth_after_body(ctx *c)
{
    rst_resp r;
    long s = (upload_with(c, NULL, "a.pdf", 1u << 20, &r), status_of(&r));
    ck_assert(s == 401 || s == 413);
    return s == 413;
}

static int p_upload_size_unlimited(ctx *c)
{
    char hdr[256];
    bearer(c, hdr, sizeof hdr, "");
    rst_resp r;
    return (upload_with(c, hdr, "a.pdf", 4096, &r), status_of(&r)) == 201;
}

static int p_upload_filename_unchecked(ctx *c)
{
    char hdr[256];
    bearer(c, hdr, sizeof hdr, "");
    rst_resp r;
    return (upload_with(c, hdr, "a:b.pdf", 4, &r), status_of(&r)) == 201;
}

static int p_upload_size_wrong(ctx *c)
{
    char hdr[256];
    bearer(c, hdr, sizeof hdr, "");
    rst_resp r;
    ck_assert_int_eq(upload_with(c, hdr, "a.pdf", 10, &r), 201);
    cJSON *o = rst_json(&r);
    int dev = rst_num(o, "size") != 10;
    cJSON_Delete(o);
    rst_resp_free(&r);
    return dev;
}

static void t_blacklist_exe(hitl_refserver_config *cfg)
{
    snprintf(cfg->blacklist[0], sizeof cfg->blacklist[0], "exe");
    cfg->nblacklist = 1;
}

static int p_upload_blacklist_ignored(ctx *c)
{
    char hdr[256];
    bearer(c, hdr, sizeof hdr, "");
    rst_resp r;
    upload_with(c, hdr, "tool.exe", 16, &r);
    return status_of(&r) == 201;
}

/* A /v1/files/upload whose file part has no Content-Type header at all (written by hand:
 * libcurl types every part it names). */
static int p_svc_upload_no_mime_accepted(ctx *c)
{
    static const char body[] =
        "--hitlb\r\n"
        "Content-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n"
        "\r\n%PDF-1.4 hitlcheck\r\n"
        "--hitlb\r\n"
        "Content-Disposition: form-data; name=\"user\"\r\n\r\nu1\r\n"
        "--hitlb--\r\n";
    rst_opts o = {.method = "POST",
                  .url = rst_url(&c->ts, "/v1/files/upload"),
                  .headers = RST_AUTH_WF "\nContent-Type: multipart/form-data; boundary=hitlb",
                  .body = body};
    rst_resp r;
    rst_do(&o, &r);
    return status_of(&r) == 201;
}

/* ---- remote fetches ---- */

static int p_ssrf_loopback(ctx *c)
{
    char hdr[256];
    bearer(c, hdr, sizeof hdr, "");
    rst_resp r;
    long s = (remote_upload(c, hdr, "/doc.pdf", &r), status_of(&r));
    ck_assert(s == 201 || s == 400);
    return rst_fixture_hits(&c->fx) > 0 && s == 201;
}

static int p_remote_404_accepted(ctx *c)
{
    char hdr[256];
    bearer(c, hdr, sizeof hdr, "");
    rst_resp r;
    return (remote_upload(c, hdr, "/missing.pdf", &r), status_of(&r)) == 201;
}

static int p_remote_oversize_accepted(ctx *c)
{
    char hdr[256];
    bearer(c, hdr, sizeof hdr, "");
    rst_resp r;
    return (remote_upload(c, hdr, "/big.pdf", &r), status_of(&r)) == 201;
}

static int p_fetch_before_auth(ctx *c)
{
    char body[256];
    snprintf(body, sizeof body, "{\"url\":\"http://127.0.0.1:%u/doc.pdf\"}", (unsigned)c->fx.port);
    rst_resp r;
    rst_post(&r, rst_url(&c->ts, "/api/form/human_input/files/remote-upload"),
             "Authorization: Bearer hitl_upload_nope", body);
    ck_assert_int_eq(status_of(&r), 403);
    return rst_fixture_hits(&c->fx) > 0;
}

/* ---- submit ---- */

static int p_double_submit(ctx *c)
{
    char inputs[512];
    rst_valid_inputs(&c->ts, c->run.token, inputs, sizeof inputs);
    rst_resp r;
    rst_submit(&c->ts, c->run.token, inputs, "approve", &r);
    ck_assert_int_eq(status_of(&r), 200);
    rst_submit(&c->ts, c->run.token, inputs, "approve", &r);
    return status_of(&r) == 200;
}

static int p_invalid_action_accepted(ctx *c)
{
    return submit_valid(c, "bogus") == 200;
}

static int p_missing_inputs_accepted(ctx *c)
{
    return submit_changed(c, "feedback", NULL, "approve") == 200;
}

static int p_rejected_submit_consumes(ctx *c)
{
    char inputs[512];
    rst_valid_inputs(&c->ts, c->run.token, inputs, sizeof inputs);
    rst_resp r;
    rst_submit(&c->ts, c->run.token, inputs, "bogus", &r);
    ck_assert_int_eq(status_of(&r), 400);
    rst_submit(&c->ts, c->run.token, inputs, "approve", &r);
    return status_of(&r) == 412;
}

static int p_inline_remote_failure_accepted(ctx *c)
{
    char v[256];
    snprintf(v, sizeof v,
             "{\"transfer_method\":\"remote_url\",\"url\":\"http://127.0.0.1:%u/missing.pdf\","
             "\"type\":\"document\"}",
             (unsigned)c->fx.port);
    return submit_changed(c, "attachment", v, "approve") == 200;
}

static int p_inline_remote_failure_500(ctx *c)
{
    char v[256];
    snprintf(v, sizeof v,
             "{\"transfer_method\":\"remote_url\",\"url\":\"http://127.0.0.1:%u/missing.pdf\","
             "\"type\":\"document\"}",
             (unsigned)c->fx.port);
    return submit_changed(c, "attachment", v, "approve") == 500;
}

static int p_submit_body_not_empty(ctx *c)
{
    char inputs[512];
    rst_valid_inputs(&c->ts, c->run.token, inputs, sizeof inputs);
    rst_resp r;
    ck_assert_int_eq(rst_submit(&c->ts, c->run.token, inputs, "approve", &r), 200);
    int dev = strcmp(r.body, "{}") != 0;
    rst_resp_free(&r);
    return dev;
}

static int p_select_unchecked(ctx *c)
{
    return submit_changed(c, "priority", "\"urgent\"", "approve") == 200;
}

static int p_file_limit_unchecked(ctx *c)
{
    char inputs[512], list[1024];
    rst_valid_inputs(&c->ts, c->run.token, inputs, sizeof inputs);
    cJSON *in = cJSON_Parse(inputs);
    char *one = cJSON_PrintUnformatted(rst_at(in, "attachment"));
    snprintf(list, sizeof list, "[%s,%s,%s,%s]", one, one, one, one);
    free(one);
    cJSON_Delete(in);
    return submit_changed(c, "attachments", list, "approve") == 200;
}

/* The valid attachment (a local PDF, "document") with its `type` replaced by |type|. */
static int submit_attachment_typed(ctx *c, const char *type)
{
    char inputs[512], v[256];
    rst_valid_inputs(&c->ts, c->run.token, inputs, sizeof inputs);
    cJSON *in = cJSON_Parse(inputs);
    snprintf(
        v, sizeof v,
        "{\"transfer_method\":\"local_file\",\"upload_file_id\":\"%s\",\"type\":\"%s\"}",
        cJSON_GetObjectItemCaseSensitive(rst_at(in, "attachment"), "upload_file_id")->valuestring,
        type);
    cJSON_Delete(in);
    return submit_changed(c, "attachment", v, "approve") == 200;
}

static int p_file_type_unchecked(ctx *c)
{
    return submit_attachment_typed(c, "image");
}

static int p_file_config_unchecked(ctx *c)
{
    /* An MP3 typed with its detected type, audio, which the default form's attachment
     * (document, image) does not allow. */
    char tok[128], id[64], v[256];
    rst_upload_token(&c->ts, c->run.token, tok, sizeof tok);
    rst_upload(&c->ts, tok, "memo.mp3", 64, id, sizeof id);
    snprintf(v, sizeof v,
             "{\"transfer_method\":\"local_file\",\"upload_file_id\":\"%s\",\"type\":\"audio\"}",
             id);
    return submit_changed(c, "attachment", v, "approve") == 200;
}

static int p_uploads_unknown_at_submit(ctx *c)
{
    char inputs[512];
    rst_valid_inputs(&c->ts, c->run.token, inputs, sizeof inputs);
    rst_resp r;
    long status = rst_submit(&c->ts, c->run.token, inputs, "approve", &r);
    rst_resp_free(&r);
    return status != 200;
}

/* A file uploaded for another form (a second run's), submitted in this run's form. */
static int p_file_owner_unchecked(ctx *c)
{
    rst_run other;
    rst_start_run(&c->ts, RST_WF_KEY, "u1", &other);
    char inputs[512];
    rst_valid_inputs(&c->ts, other.token, inputs, sizeof inputs);
    rst_resp r;
    long status = rst_submit(&c->ts, c->run.token, inputs, "approve", &r);
    rst_resp_free(&r);
    return status == 200;
}

static const fault_row ROWS[] = {
    {"event-order", t_none, p_event_order, 0},
    {"event-missing-form-token", t_none, p_missing_form_token, 0},
    {"event-pause-mismatch", t_none, p_pause_mismatch, 0},
    {"stream-not-closed", t_none, p_stream_not_closed, 0},
    {"chatflow-envelope-missing", t_none, p_chatflow_envelope, 0},
    {"chatflow-run-id-missing", t_none, p_chatflow_run_id, 0},
    {"svc-outputs-not-empty", t_none, p_outputs_not_empty, 0},
    {"ping-with-data", t_fast_idle, p_ping_with_data, 0},
    {"wrong-content-type", t_none, p_wrong_content_type, 0},
    {"get-missing-key", t_none, p_get_missing_key, 0},
    {"defaults-not-stringified", t_none, p_defaults_not_stringified, 0},
    {"unknown-token-400", t_none, p_unknown_token_400, 0},
    {"get-expiration-mismatch", t_none, p_get_expiration_mismatch, 0},
    {"web-get-no-site", t_none, p_web_get_no_site, 0},
    {"upload-token-prefix", t_none, p_token_prefix, 0},
    {"upload-token-reused", t_none, p_token_reused, 0},
    {"upload-token-expiry", t_none, p_token_expiry, 0},
    {"upload-token-201", t_none, p_token_201, 0},
    {"upload-no-auth", t_none, p_upload_no_auth, 0},
    {"upload-auth-parts", t_none, p_upload_auth_parts, 0},
    {"upload-scheme-case", t_none, p_upload_scheme_case, 0},
    {"upload-unknown-401", t_none, p_upload_unknown_401, 0},
    {"upload-submitted-403", t_none, p_upload_submitted_403, 0},
    {"upload-auth-after-body", t_small_limits, p_upload_auth_after_body, 0},
    {"upload-size-unlimited", t_small_limits, p_upload_size_unlimited, 0},
    {"upload-filename-unchecked", t_none, p_upload_filename_unchecked, 0},
    {"upload-size-wrong", t_none, p_upload_size_wrong, 0},
    {"upload-blacklist-ignored", t_blacklist_exe, p_upload_blacklist_ignored, 0},
    {"svc-upload-no-mime-accepted", t_none, p_svc_upload_no_mime_accepted, 0},
    {"ssrf-loopback", t_no_fixture_allow, p_ssrf_loopback, 0},
    {"remote-404-accepted", t_none, p_remote_404_accepted, 0},
    {"remote-oversize-accepted", t_small_limits, p_remote_oversize_accepted, 0},
    {"fetch-before-auth", t_v1, p_fetch_before_auth, 0},
    {"double-submit", t_none, p_double_submit, 0},
    {"invalid-action-accepted", t_none, p_invalid_action_accepted, 0},
    {"missing-inputs-accepted", t_none, p_missing_inputs_accepted, 0},
    {"rejected-submit-consumes", t_none, p_rejected_submit_consumes, 0},
    {"inline-remote-failure-accepted", t_none, p_inline_remote_failure_accepted, 0},
    {"inline-remote-failure-500", t_none, p_inline_remote_failure_500, 0},
    {"submit-body-not-empty", t_none, p_submit_body_not_empty, 0},
    {"select-unchecked", t_none, p_select_unchecked, 0},
    {"file-limit-unchecked", t_none, p_file_limit_unchecked, 0},
    {"file-type-unchecked", t_none, p_file_type_unchecked, 0},
    {"file-config-unchecked", t_none, p_file_config_unchecked, 0},
    {"uploads-unknown-at-submit", t_none, p_uploads_unknown_at_submit, 0},
    {"file-owner-unchecked", t_none, p_file_owner_unchecked, 0},
};

int main(void)
{
    return rsf_main("refserver_faults_api", ROWS, (int)(sizeof ROWS / sizeof ROWS[0]));
}
