/* refserver_client.h: test helpers for the hitl-refserver suites: an in-process server with
 * short timers, libcurl requests over loopback, SSE frame splitting, a loopback fixture
 * server for remote fetches, and a silent listener that must never see a connection.
 * Helpers ck_assert on setup failures, so a broken fixture fails the test that uses it. */
#ifndef REFSERVER_CLIENT_H
#define REFSERVER_CLIENT_H

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "refserver/refserver.h"

#define RST_WF_KEY "app-hitl-workflow"
#define RST_CF_KEY "app-hitl-chatflow"
#define RST_CHAT_KEY "app-hitl-chat"
#define RST_AUTH_WF "Authorization: Bearer " RST_WF_KEY

typedef struct rst_resp {
    long status;
    char *body; /* NUL-terminated, |len| bytes */
    size_t len;
    char *headers;  /* the raw header block(s), NUL-terminated */
    CURLcode cc;    /* CURLE_OK when the transfer ended normally */
    double seconds; /* wall time of the transfer */
} rst_resp;

typedef struct rst_part {
    const char *name;
    const char *filename; /* NULL = plain field */
    const char *data;
    size_t len;               /* 0 = strlen(data) */
    const char *content_type; /* NULL: libcurl's guess from the filename (none for .exe) */
} rst_part;

typedef struct rst_opts {
    const char *method; /* default GET, or POST when body/parts are set */
    const char *url;
    const char *headers; /* header lines separated by '\n' */
    const char *body;
    size_t body_len; /* 0 = strlen(body) */
    const rst_part *parts;
    size_t nparts;
    const char *iface;    /* CURLOPT_INTERFACE, e.g. "127.0.0.2" */
    long timeout_ms;      /* default 5000 */
    size_t max_bytes;     /* stop after this many body bytes (default 8 MiB) */
    int raw;              /* 1: no automatic decompression */
    atomic_int *answered; /* set to 1 when the status line arrives (rst_async_answered) */
} rst_opts;

typedef struct rst_server {
    hitl_refserver *srv;
    hitl_refserver_config cfg;
    uint16_t port;
    char base[64]; /* http://127.0.0.1:PORT */
} rst_server;

typedef struct rst_run {
    char run_id[64], task_id[64], form_id[64], token[128];
    long long expiration;
} rst_run;

/* rst_config fills |cfg| with test defaults: ephemeral port, 1 s pings, 3 s idle, 60 s
 * sweeps, rate limit off (tests of the limiter turn it on). */
void rst_config(hitl_refserver_config *cfg);
void rst_start(rst_server *ts, const hitl_refserver_config *cfg);
void rst_stop(rst_server *ts);
/* rst_url formats base + path into one of 16 rotating static buffers. */
const char *rst_url(const rst_server *ts, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void rst_do(const rst_opts *o, rst_resp *out);
void rst_get(rst_resp *out, const char *url, const char *headers);
void rst_post(rst_resp *out, const char *url, const char *headers, const char *body);
void rst_resp_free(rst_resp *r);
/* rst_json parses the body (ck_assert that it is JSON); the caller deletes it. */
cJSON *rst_json(const rst_resp *r);
/* rst_str / rst_num read a (dotted) path such as "data.reasons.0.form_id"; NULL/-1 if absent. */
const char *rst_str(const cJSON *o, const char *path);
double rst_num(const cJSON *o, const char *path);
const cJSON *rst_at(const cJSON *o, const char *path);
/* rst_assert_error asserts status, code and (when non-NULL) message of an error response. */
void rst_assert_error(const rst_resp *r, long status, const char *code, const char *message);
/* rst_header returns the value of response header |name| (static buffer) or NULL. */
const char *rst_header(const rst_resp *r, const char *name);

/* Runs, tokens, uploads (each asserts success). */
void rst_start_run(const rst_server *ts, const char *key, const char *user, rst_run *out);
void rst_upload_token(const rst_server *ts, const char *form_token, char *out, size_t cap);
void rst_upload(const rst_server *ts, const char *upload_token, const char *filename, size_t size,
                char *id_out, size_t cap);
const char *rst_upload_path(const rst_server *ts);
/* rst_submit POSTs {"inputs":inputs,"action":action} on WEB and returns the status. */
long rst_submit(const rst_server *ts, const char *token, const char *inputs, const char *action,
                rst_resp *out);
/* rst_valid_inputs uploads a small PDF with a fresh upload token of |form_token| and writes
 * a complete valid inputs object for the built-in form into |out|. */
void rst_valid_inputs(const rst_server *ts, const char *form_token, char *out, size_t cap);

/* SSE: rst_sse_names writes the comma-joined event names of |body| ("ping" for
 * `event: ping`, the JSON `event` for data frames, "data:<text>" for non-JSON data) into
 * a static buffer. rst_sse_event returns the n-th frame (0-based) named |name|, parsed. */
const char *rst_sse_names(const char *body);
cJSON *rst_sse_event(const char *body, const char *name, int nth);
/* rst_sse_well_framed: 1 when every frame is `data: <json>\n\n` or `event: ping\n\n`. */
int rst_sse_well_framed(const char *body);

/* A request on its own thread (for streams read while the test acts). */
typedef struct rst_async {
    pthread_t th;
    rst_opts o;
    char url[1024];
    char headers[512];
    rst_resp resp;
    atomic_int answered;
} rst_async;
void rst_async_start(rst_async *a, const rst_opts *o);
/* rst_async_answered waits (at most |timeout_ms|) until the server has answered the request's
 * status line. The reference server subscribes a resume stream before it answers, so after
 * this a publish reaches the stream; a fixed sleep was not enough on a loaded ASan run. */
void rst_async_answered(rst_async *a, long timeout_ms);
void rst_async_join(rst_async *a);

/* The loopback fixture for remote fetches. Paths: /doc.pdf (200, 2 KiB PDF), /photo.png
 * (200 image/png), /report (200 application/pdf, no extension in the URL), /evil.exe (200),
 * /big.pdf (200, big_size bytes), /missing.pdf (404), /forbidden.pdf (403), /broken.pdf
 * (500), /redirect?to=URL (302 to URL), /squid-denied.pdf (403, Server: squid/5.7),
 * /squid-via-403.pdf (403, Via: … (squid/5.7)). hits counts requests. As a forward proxy
 * (absolute-form targets) it serves the same paths; proxied counts those requests. */
typedef struct rst_fixture {
    void *daemon;
    uint16_t port;
    size_t big_size;
    int hits;
    int proxied;
    pthread_mutex_t mu;
} rst_fixture;
void rst_fixture_start(rst_fixture *f, size_t big_size);
void rst_fixture_stop(rst_fixture *f);
int rst_fixture_hits(rst_fixture *f);
int rst_fixture_proxied(rst_fixture *f);

/* A listening socket nobody should ever connect to. */
int rst_listener(uint16_t *port);
/* 1 when a connection is waiting on the listener (waits up to |wait_ms|). */
int rst_listener_connected(int fd, int wait_ms);

/* rst_raw_request sends |request| verbatim to 127.0.0.1:|port| and reads the answer until
 * the peer closes, |cap| bytes arrive, or |timeout_ms| passes; returns the bytes read. */
size_t rst_raw_request(uint16_t port, const char *request, char *out, size_t cap, long timeout_ms);

/* rst_allow_fixture adds the fixture's port to cfg's fetch allow-list. */
void rst_allow(hitl_refserver_config *cfg, uint16_t port);
/* Sleeps |ms| milliseconds. */
void rst_sleep_ms(long ms);

#endif
