/* test_refserver_faults_hostile.c: the hostile faults that try to steer a client (values
 * for its URLs and headers, HTML and oversized bodies, numbers no double holds, requests to
 * reconnect) change behaviour as refserver/FAULTS.md says, and not without the fault. The
 * older hostile faults (streams, bombs, floods) are in test_refserver_faults_ops.c; every
 * fault has exactly one row in the fault suites (tests/refserver_faults_doc.sh checks). */
#include "refserver_faultprobe.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ESCAPE "../hostile-escape"

/* The form token of the start stream's human_input_required event. */
static int p_traversal_token(ctx *c)
{
    cJSON *ev = start_event(c, "human_input_required");
    const char *tok = rst_str(ev, "data.form_token");
    int dev = tok && strcmp(tok, ESCAPE) == 0;
    cJSON_Delete(ev);
    return dev;
}

static int p_traversal_run_id(ctx *c)
{
    cJSON *ev = start_event(c, "workflow_started");
    const char *id = rst_str(ev, "workflow_run_id");
    int dev = id && strcmp(id, ESCAPE) == 0;
    cJSON_Delete(ev);
    return dev;
}

static int p_crlf_upload_token(ctx *c)
{
    rst_resp r;
    rst_post(&r, U(c, "/api/form/human_input/%s/upload-token", c->run.token), NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    cJSON *o = rst_json(&r);
    const char *tok = rst_str(o, "upload_token");
    static const char tail[] = "\r\nX-Hostile-Injected: 1";
    size_t n = tok ? strlen(tok) : 0;
    int dev = n > sizeof tail - 1 && strcmp(tok + n - (sizeof tail - 1), tail) == 0 &&
              strncmp(tok, "hitl_upload_", 12) == 0;
    cJSON_Delete(o);
    rst_resp_free(&r);
    return dev;
}

static int p_html_form(ctx *c)
{
    rst_resp r;
    rst_get(&r, U(c, "/api/form/human_input/%s", c->run.token), NULL);
    const char *ct = rst_header(&r, "Content-Type");
    int dev = r.status == 200 && ct && strncmp(ct, "text/html", 9) == 0 &&
              strncmp(r.body, "<!DOCTYPE html>", 15) == 0;
    rst_resp_free(&r);
    return dev;
}

static int p_huge_form(ctx *c)
{
    rst_resp r;
    rst_opts o = {.url = U(c, "/v1/form/human_input/%s", c->run.token),
                  .headers = RST_AUTH_WF,
                  .max_bytes = 16u << 20,
                  .timeout_ms = 10000};
    rst_do(&o, &r);
    cJSON *j = rst_json(&r);
    int dev = r.status == 200 && r.len >= (12u << 20) && cJSON_IsObject(j);
    cJSON_Delete(j);
    rst_resp_free(&r);
    return dev;
}

/* A run of at least 100,000 digits after "expiration_time": and in the defaults. */
static int p_huge_numbers(ctx *c)
{
    rst_resp r;
    rst_get(&r, U(c, "/api/form/human_input/%s", c->run.token), NULL);
    const char *e = strstr(r.body, "\"expiration_time\":");
    const char *d = strstr(r.body, "\"hostile_number\":-");
    int dev = r.status == 200 && e && d &&
              strspn(e + strlen("\"expiration_time\":"), "0123456789") >= 100000 &&
              strspn(d + strlen("\"hostile_number\":-"), "0123456789") >= 100000;
    rst_resp_free(&r);
    return dev;
}

/* The start stream opens with `retry: 0`; the resume stream is only that, ended at once. */
static int p_reconnect(ctx *c)
{
    rst_resp s, r;
    start_stream(c, RST_WF_KEY, &s, 5000, 0);
    resume(c, "u1", &r, 3000);
    int dev = strncmp(s.body, "retry: 0\n\n", 10) == 0 && r.status == 200 && r.cc == CURLE_OK &&
              strcmp(r.body, "retry: 0\n\n") == 0;
    rst_resp_free(&s);
    rst_resp_free(&r);
    return dev;
}

static const fault_row ROWS[] = {
    {"hostile-traversal-token", t_none, p_traversal_token, 0},
    {"hostile-traversal-run-id", t_none, p_traversal_run_id, 0},
    {"hostile-crlf-upload-token", t_none, p_crlf_upload_token, 0},
    {"hostile-html-form", t_none, p_html_form, 0},
    {"hostile-huge-form", t_none, p_huge_form, 0},
    {"hostile-huge-numbers", t_none, p_huge_numbers, 0},
    {"hostile-reconnect", t_none, p_reconnect, 0},
};

int main(void)
{
    return rsf_main("refserver_faults_hostile", ROWS, (int)(sizeof ROWS / sizeof ROWS[0]));
}
