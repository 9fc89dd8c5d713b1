/* refserver_faultprobe.c: see refserver_faultprobe.h. */
#include "refserver_faultprobe.h"

#include "check_main.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

long status_of(rst_resp *r)
{
    long s = r->status;
    rst_resp_free(r);
    return s;
}

void start_stream(ctx *c, const char *key, rst_resp *r, long timeout_ms, size_t max)
{
    int chat = strcmp(key, RST_CF_KEY) == 0;
    char hdr[128];
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", key);
    rst_opts o = {.url = rst_url(&c->ts, "%s", chat ? "/v1/chat-messages" : "/v1/workflows/run"),
                  .headers = hdr,
                  .body = chat ? "{\"inputs\":{},\"query\":\"q\",\"response_mode\":\"streaming\","
                                 "\"user\":\"u1\"}"
                               : "{\"inputs\":{},\"response_mode\":\"streaming\",\"user\":\"u1\"}",
                  .timeout_ms = timeout_ms,
                  .max_bytes = max};
    rst_do(&o, r);
}

cJSON *start_event(ctx *c, const char *name)
{
    rst_resp r;
    start_stream(c, RST_WF_KEY, &r, 5000, 0);
    cJSON *ev = rst_sse_event(r.body, name, 0);
    rst_resp_free(&r);
    ck_assert_ptr_nonnull(ev);
    return ev;
}

cJSON *web_get(ctx *c)
{
    rst_resp r;
    rst_get(&r, U(c, "/api/form/human_input/%s", c->run.token), NULL);
    ck_assert_int_eq(r.status, 200);
    cJSON *o = rst_json(&r);
    rst_resp_free(&r);
    return o;
}

long upload_with(ctx *c, const char *auth, const char *filename, size_t size, rst_resp *r)
{
    char *data = malloc(size + 1);
    memset(data, 'x', size);
    data[size] = '\0';
    rst_part part = {"file", filename, data, size, NULL};
    rst_opts o = {.url = rst_url(&c->ts, "/api/human-input-forms/files"),
                  .headers = auth,
                  .parts = &part,
                  .nparts = 1};
    rst_do(&o, r);
    free(data);
    return r->status;
}

void bearer(ctx *c, char *hdr, size_t cap, const char *suffix)
{
    char tok[128];
    rst_upload_token(&c->ts, c->run.token, tok, sizeof tok);
    snprintf(hdr, cap, "Authorization: Bearer %s%s", tok, suffix);
}

long remote_upload(ctx *c, const char *auth, const char *path, rst_resp *r)
{
    char url[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", (unsigned)c->fx.port, path);
    rst_part part = {"url", NULL, url, 0, NULL};
    rst_opts o = {.url = rst_url(&c->ts, "/api/human-input-forms/files"),
                  .headers = auth,
                  .parts = &part,
                  .nparts = 1};
    rst_do(&o, r);
    return r->status;
}

long submit_valid(ctx *c, const char *action)
{
    char inputs[512];
    rst_valid_inputs(&c->ts, c->run.token, inputs, sizeof inputs);
    rst_resp r;
    rst_submit(&c->ts, c->run.token, inputs, action, &r);
    return status_of(&r);
}

long submit_changed(ctx *c, const char *key, const char *json, const char *action)
{
    char inputs[512];
    rst_valid_inputs(&c->ts, c->run.token, inputs, sizeof inputs);
    cJSON *in = cJSON_Parse(inputs);
    if (json)
        cJSON_ReplaceItemInObject(in, key, cJSON_Parse(json));
    else if (key)
        cJSON_DeleteItemFromObject(in, key);
    char *txt = cJSON_PrintUnformatted(in);
    rst_resp r;
    rst_submit(&c->ts, c->run.token, txt, action, &r);
    free(txt);
    cJSON_Delete(in);
    return status_of(&r);
}

void resume(ctx *c, const char *user, rst_resp *r, long timeout_ms)
{
    char url[512];
    snprintf(url, sizeof url, "%s/v1/workflow/%s/events?user=%s", c->ts.base, c->run.run_id, user);
    rst_opts o = {.url = url, .headers = RST_AUTH_WF, .timeout_ms = timeout_ms};
    rst_do(&o, r);
}

void resumed_after_submit(ctx *c, const char *action, rst_resp *out)
{
    char url[512];
    snprintf(url, sizeof url, "%s/v1/workflow/%s/events?user=u1", c->ts.base, c->run.run_id);
    rst_async a;
    rst_opts o = {.url = url, .headers = RST_AUTH_WF, .timeout_ms = 5000};
    rst_async_start(&a, &o);
    rst_async_answered(&a, 4000); /* subscribed before the submit publishes */
    ck_assert_int_eq(submit_valid(c, action), 200);
    rst_async_join(&a);
    *out = a.resp;
}

void wait_expired(ctx *c)
{
    while (time(NULL) < c->run.expiration)
        rst_sleep_ms(50);
}

void t_none(hitl_refserver_config *cfg)
{
    (void)cfg;
}

void t_ttl1(hitl_refserver_config *cfg)
{
    cfg->form_ttl_s = 1;
}

void t_ttl3(hitl_refserver_config *cfg)
{
    cfg->form_ttl_s = 3;
}

void t_ttl2_sweep(hitl_refserver_config *cfg)
{
    cfg->form_ttl_s = 2; /* whole seconds: 1 s could expire before the probe's stream subscribes */
    cfg->sweep_interval_ms = 200;
}

void t_rate2(hitl_refserver_config *cfg)
{
    cfg->rate_max = 2;
    cfg->rate_window_s = 60;
}

void t_rate2_1s(hitl_refserver_config *cfg)
{
    cfg->rate_max = 2;
    cfg->rate_window_s = 1;
}

void t_small_limits(hitl_refserver_config *cfg)
{
    cfg->image_limit = cfg->file_limit = cfg->video_limit = cfg->audio_limit = 1024;
}

void t_fast_idle(hitl_refserver_config *cfg)
{
    cfg->ping_interval_ms = 300;
    cfg->idle_timeout_ms = 1000;
}

void t_v1(hitl_refserver_config *cfg)
{
    cfg->upload_layout = 1;
}

void t_no_fixture_allow(hitl_refserver_config *cfg)
{
    cfg->nfetch_allow = 0; /* the fixture is loopback and not allowed */
}

static const fault_row *g_rows;

/* run_probe starts a server (with the fault when |on|), a fixture it may fetch from, and a
 * run, then returns what the probe saw. */
static int run_probe(const fault_row *row, int on)
{
    ctx c;
    hitl_refserver_config cfg;
    rst_config(&cfg);
    cfg.resume_delay_ms = 1;
    rst_fixture_start(&c.fx, 8192);
    rst_allow(&cfg, c.fx.port);
    row->tweak(&cfg);
    hitl_err err = {0};
    if (on)
        ck_assert_msg(hitl_refserver_fault_enable(&cfg, row->name, &err) == 0, "%s", err.msg);
    rst_start(&c.ts, &cfg);
    rst_start_run(&c.ts, RST_WF_KEY, "u1", &c.run);
    int seen = row->probe(&c);
    rst_stop(&c.ts);
    rst_fixture_stop(&c.fx);
    return seen;
}

START_TEST(fault_changes_behaviour)
{
    const fault_row *row = &g_rows[_i];
    ck_assert_msg(run_probe(row, 1) == 1, "%s: deviation not observed with the fault on",
                  row->name);
}
END_TEST

START_TEST(probe_is_quiet_without_the_fault)
{
    const fault_row *row = &g_rows[_i];
    if (row->slow)
        return;
    ck_assert_msg(run_probe(row, 0) == 0, "%s: deviation observed with the fault off", row->name);
}
END_TEST

START_TEST(rows_name_real_faults)
{
    const fault_row *row = &g_rows[_i];
    hitl_refserver_config cfg;
    hitl_refserver_config_init(&cfg);
    ck_assert_msg(hitl_refserver_fault_enable(&cfg, row->name, NULL) == 0, "%s", row->name);
}
END_TEST

int rsf_main(const char *name, const fault_row *rows, int nrows)
{
    g_rows = rows;
    Suite *s = suite_create(name);
    TCase *tc = tcase_create("faults");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, rows_name_real_faults, 0, nrows);
    tcase_add_loop_test(tc, fault_changes_behaviour, 0, nrows);
    tcase_add_loop_test(tc, probe_is_quiet_without_the_fault, 0, nrows);
    suite_add_tcase(s, tc);
    return hitl_check_run(s);
}
