/* refserver_faultprobe.h: the machinery of the fault suites (test_refserver_faults_*.c):
 * a probe context (server, fixture, one paused run), request helpers the probes share, the
 * config tweaks, and the suite runner. A probe returns 1 when it observes its fault's
 * deviation. Each row runs with the fault on (must see 1) and, unless marked slow, off
 * (must see 0), so a probe that cannot tell the difference fails. */
#ifndef REFSERVER_FAULTPROBE_H
#define REFSERVER_FAULTPROBE_H

#include "refserver_client.h"

typedef struct ctx {
    rst_server ts;
    rst_fixture fx;
    rst_run run;
} ctx;

typedef void (*tweak_fn)(hitl_refserver_config *cfg);
typedef int (*probe_fn)(ctx *c);

typedef struct fault_row {
    const char *name;
    tweak_fn tweak;
    probe_fn probe;
    int slow; /* 1: skip the fault-off control (covered by another suite, or costly) */
} fault_row;

#define U(c, fmt, arg) rst_url(&(c)->ts, fmt, arg)

/* status_of frees |r| and returns its status. */
long status_of(rst_resp *r);
/* start_stream POSTs a streaming start with app |key| (workflow or chatflow). */
void start_stream(ctx *c, const char *key, rst_resp *r, long timeout_ms, size_t max);
/* start_event returns the first start-stream event called |name| (asserted present). */
cJSON *start_event(ctx *c, const char *name);
/* web_get returns the WEB form GET body of the context's run (asserted 200). */
cJSON *web_get(ctx *c);
/* upload_with uploads |size| bytes as |filename| on the v2 path with |auth|. */
long upload_with(ctx *c, const char *auth, const char *filename, size_t size, rst_resp *r);
/* bearer writes "Authorization: Bearer <fresh upload token><suffix>" into |hdr|. */
void bearer(ctx *c, char *hdr, size_t cap, const char *suffix);
/* remote_upload uploads the fixture URL |path| on the v2 path with |auth|. */
long remote_upload(ctx *c, const char *auth, const char *path, rst_resp *r);
/* submit_valid uploads a file and submits valid inputs with |action|; returns the status. */
long submit_valid(ctx *c, const char *action);
/* submit_changed submits valid inputs with |key| replaced by |json| (removed if NULL). */
long submit_changed(ctx *c, const char *key, const char *json, const char *action);
/* resume GETs the run's resume stream as |user|. */
void resume(ctx *c, const char *user, rst_resp *r, long timeout_ms);
/* resumed_after_submit returns the resume stream of the run submitted with |action|. */
void resumed_after_submit(ctx *c, const char *action, rst_resp *out);
/* wait_expired sleeps until the run's expiration_time has passed. */
void wait_expired(ctx *c);

/* Config tweaks. */
void t_none(hitl_refserver_config *cfg);
void t_ttl1(hitl_refserver_config *cfg); /* form TTL 1 s */
/* form TTL 3 s: expiry is whole seconds, so a 1 s TTL can leave the form only milliseconds;
 * probes that upload before the expiry need the margin. */
void t_ttl3(hitl_refserver_config *cfg);
void t_ttl2_sweep(hitl_refserver_config *cfg);       /* form TTL 2 s, timeout sweep 200 ms */
void t_rate2(hitl_refserver_config *cfg);            /* 2 per 60 s */
void t_rate2_1s(hitl_refserver_config *cfg);         /* 2 per 1 s */
void t_small_limits(hitl_refserver_config *cfg);     /* every size limit 1 KiB */
void t_fast_idle(hitl_refserver_config *cfg);        /* pings 300 ms, idle close 1 s */
void t_v1(hitl_refserver_config *cfg);               /* v1 upload paths */
void t_no_fixture_allow(hitl_refserver_config *cfg); /* the fixture is not allow-listed */

/* rsf_main runs |rows| as a Check suite named |name|; returns the process exit code. */
int rsf_main(const char *name, const fault_row *rows, int nrows);

#endif
