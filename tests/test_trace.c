/* test_trace.c: the --trace HAR writer (trace.c) and the HTTP client's exchange hook that
 * feeds it (http.c): real exchanges against the reference server (a JSON call, an SSE
 * stream, a multipart upload, a refused connection), and hand-built ones for the edges:
 * start-time order, redaction, base64 for bodies that are not UTF-8, the body and total
 * caps, concurrent recording, unwritable paths. Every written file is validated against
 * tests/data/har.schema.json (HAR 1.2's required members). */
#include "hitl/trace.h"
#include "refserver/refserver.h"

#include "json_schema_check.h"

#include "check_main.h"
#include <check.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WF_KEY "app-hitl-workflow"
#define START_BODY "{\"inputs\":{},\"response_mode\":\"streaming\",\"user\":\"test-trace\"}"

/* --- helpers --- */

static char *read_all(FILE *f, size_t *len)
{
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    ck_assert_int_ge(n, 0);
    rewind(f);
    char *s = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    *len = (size_t)n;
    return s;
}

static cJSON *load_schema(void)
{
    FILE *f = fopen(HITL_SOURCE_DIR "/tests/data/har.schema.json", "rb");
    ck_assert_ptr_nonnull(f);
    size_t len;
    char *s = read_all(f, &len);
    fclose(f);
    cJSON *j = cJSON_ParseWithLength(s, len);
    free(s);
    ck_assert_ptr_nonnull(j);
    return j;
}

/* Writes |t| as HAR, checks it against the schema, and returns the text (*text, to free)
 * and the parsed document. */
static cJSON *write_har(hitl_trace *t, hitl_redactor *red, char **text)
{
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    hitl_trace_meta m = {.version = "9.9.9", .title = "http://target", .redactor = red};
    hitl_err err = {0};
    ck_assert_msg(hitl_trace_write_stream(t, f, &m, &err) == 0, "write: %s", err.msg);
    size_t len;
    *text = read_all(f, &len);
    fclose(f);
    cJSON *doc = cJSON_ParseWithLength(*text, len);
    ck_assert_msg(doc != NULL, "not JSON: %.300s", *text);
    cJSON *schema = load_schema();
    char why[1024];
    ck_assert_msg(hitl_json_schema_validate(schema, doc, why, sizeof why) == 0, "HAR: %s", why);
    cJSON_Delete(schema);
    return doc;
}

static cJSON *entries(cJSON *doc)
{
    cJSON *e = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "log"), "entries");
    ck_assert(cJSON_IsArray(e));
    return e;
}

/* The string at a dotted path ("response.content.text"), or NULL. */
static const char *str_at(const cJSON *j, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *tok = strtok(buf, "."); tok && j; tok = strtok(NULL, "."))
        j = cJSON_GetObjectItem(j, tok);
    return cJSON_IsString(j) ? j->valuestring : NULL;
}

static double num_at(const cJSON *j, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *tok = strtok(buf, "."); tok && j; tok = strtok(NULL, "."))
        j = cJSON_GetObjectItem(j, tok);
    ck_assert_msg(cJSON_IsNumber(j), "%s is not a number", path);
    return j->valuedouble;
}

/* A hand-built exchange: |body| is the response body, |head| the request head sent. */
typedef struct fake {
    hitl_http_request req;
    hitl_http_response resp;
    hitl_http_header hdr[2];
    hitl_http_exchange x;
} fake;

static void fake_init(fake *f, const char *url, long mono_ms, const char *body, size_t body_len)
{
    memset(f, 0, sizeof *f);
    f->req.method = "GET";
    f->req.url = url;
    f->resp.status = 200;
    f->hdr[0].name = "Content-Type";
    f->hdr[0].value = "application/json";
    f->resp.headers = f->hdr;
    f->resp.n_headers = 1;
    f->resp.body_bytes = body_len;
    f->x.req = &f->req;
    f->x.resp = &f->resp;
    f->x.started.tv_sec = 1795603965 + mono_ms / 1000;
    f->x.started.tv_nsec = (mono_ms % 1000) * 1000000L;
    f->x.started_mono.tv_sec = 100 + mono_ms / 1000;
    f->x.started_mono.tv_nsec = (mono_ms % 1000) * 1000000L;
    f->x.status_line = "HTTP/1.1 200 OK";
    f->x.sent_head = "GET /x HTTP/1.1\r\nHost: target\r\nAccept: */*\r\n\r\n";
    f->x.sent_head_len = strlen(f->x.sent_head);
    f->x.body = body;
    f->x.body_len = body_len;
    f->x.t_dns = 0.001;
    f->x.t_connect = 0.002;
    f->x.t_pretransfer = 0.003;
    f->x.t_first_byte = 0.010;
    f->x.t_total = 0.012;
}

static hitl_trace *new_trace(size_t body_max, size_t total_max)
{
    hitl_trace *t;
    hitl_err err = {0};
    const char *mask[] = {"X-Api-Key: whatever"};
    hitl_trace_config cfg = {
        .body_max = body_max, .total_max = total_max, .mask_headers = mask, .n_mask_headers = 1};
    ck_assert_int_eq(hitl_trace_new(&t, &cfg, &err), 0);
    return t;
}

/* --- real exchanges through the client's hook --- */

typedef struct server {
    hitl_refserver *srv;
    char base[64];
    hitl_http *http;
    hitl_trace *trace;
} server;

static void server_start(server *s)
{
    hitl_refserver_config cfg;
    hitl_err err = {0};
    hitl_refserver_config_init(&cfg);
    cfg.port = 0;
    cfg.rate_max = 0;
    cfg.threads = 2;
    ck_assert_msg(hitl_refserver_start(&cfg, &s->srv, &err) == 0, "start: %s", err.msg);
    snprintf(s->base, sizeof s->base, "http://127.0.0.1:%u", (unsigned)hitl_refserver_port(s->srv));
    s->trace = new_trace(0, 0);
    hitl_http_config hc = {
        .timeout_ms = 10000, .on_exchange = hitl_trace_record, .exchange_user = s->trace};
    ck_assert_int_eq(hitl_http_new(&s->http, &hc, &err), 0);
}

static void server_stop(server *s)
{
    hitl_http_free(s->http);
    hitl_refserver_stop(s->srv);
    hitl_trace_free(s->trace);
}

typedef struct sink {
    char data[65536];
    size_t len;
} sink;

static int to_sink(void *user, const char *data, size_t len)
{
    sink *k = user;
    size_t room = sizeof k->data - 1 - k->len;
    memcpy(k->data + k->len, data, len < room ? len : room);
    k->len += len < room ? len : room;
    k->data[k->len] = '\0';
    return 0;
}

/* Runs the start stream (SSE, streamed to a sink), then a form GET, a multipart POST and a
 * refused connection; returns the form token the stream issued, in |token|. */
static void real_exchanges(server *s, char *token, size_t cap)
{
    char url[256];
    hitl_err err = {0};
    hitl_http_response resp;
    snprintf(url, sizeof url, "%s/v1/workflows/run", s->base);
    static const char auth[] = "Authorization: Bearer " WF_KEY;
    const char *h[] = {auth, "Content-Type: application/json", "Accept: text/event-stream"};
    static sink k;
    k.len = 0;
    hitl_http_request req = {.method = "POST",
                             .url = url,
                             .headers = h,
                             .n_headers = 3,
                             .body = START_BODY,
                             .body_len = strlen(START_BODY),
                             .on_body = to_sink,
                             .user = &k,
                             .origin_check = "stream.start.ok",
                             .origin_surface = "service"};
    ck_assert_msg(hitl_http_do(s->http, &req, &resp, &err) == 0, "stream: %s", err.msg);
    hitl_http_response_free(&resp);
    const char *p = strstr(k.data, "\"form_token\":\"");
    ck_assert_ptr_nonnull(p);
    p += strlen("\"form_token\":\"");
    snprintf(token, cap, "%.*s", (int)strcspn(p, "\""), p);

    snprintf(url, sizeof url, "%s/api/form/human_input/%s?lang=en&x", s->base, token);
    hitl_http_request get = {
        .method = "GET", .url = url, .origin_check = "form.get.ok-keys", .origin_surface = "web"};
    ck_assert_int_eq(hitl_http_do(s->http, &get, &resp, &err), 0);
    hitl_http_response_free(&resp);

    static const unsigned char png[] = {0x89, 'P', 'N', 'G', 0, 0xff, 1, 2};
    hitl_http_part parts[] = {{.name = "file",
                               .filename = "a.png",
                               .content_type = "image/png",
                               .data = png,
                               .len = sizeof png},
                              {.name = "user", .data = "test-trace", .len = 10}};
    snprintf(url, sizeof url, "%s/api/form/human_input/files/upload", s->base);
    hitl_http_request up = {.method = "POST", .url = url, .parts = parts, .n_parts = 2};
    ck_assert_int_eq(hitl_http_do(s->http, &up, &resp, &err), 0);
    hitl_http_response_free(&resp);

    hitl_http_request refused = {.method = "GET", .url = "http://127.0.0.1:1/refused"};
    ck_assert_int_ne(hitl_http_do(s->http, &refused, &resp, NULL), 0);
    hitl_http_response_free(&resp);
}

START_TEST(real_exchanges_make_a_valid_har)
{
    server s;
    server_start(&s);
    char token[128];
    real_exchanges(&s, token, sizeof token);
    ck_assert_uint_eq(hitl_trace_count(s.trace), 4);
    char *text;
    cJSON *doc = write_har(s.trace, NULL, &text);
    const cJSON *log = cJSON_GetObjectItem(doc, "log");
    ck_assert_str_eq(str_at(log, "version"), "1.2");
    ck_assert_str_eq(str_at(log, "creator.name"), "hitlcheck");
    ck_assert_str_eq(str_at(log, "creator.version"), "9.9.9");
    cJSON *es = entries(doc);
    ck_assert_int_eq(cJSON_GetArraySize(es), 4);

    /* The stream: request with its body and sent headers, the SSE bytes as text. */
    const cJSON *sse = cJSON_GetArrayItem(es, 0);
    ck_assert_str_eq(str_at(sse, "request.method"), "POST");
    ck_assert_str_eq(str_at(sse, "request.httpVersion"), "HTTP/1.1");
    ck_assert_str_eq(str_at(sse, "request.postData.mimeType"), "application/json");
    ck_assert_str_eq(str_at(sse, "request.postData.text"), START_BODY);
    ck_assert_ptr_nonnull(strstr(str_at(sse, "response.content.mimeType"), "text/event-stream"));
    ck_assert_ptr_nonnull(
        strstr(str_at(sse, "response.content.text"), "data: {\"event\":\"human_input_required\""));
    ck_assert_str_eq(str_at(sse, "response.statusText"), "OK");
    ck_assert_str_eq(str_at(sse, "_hitlcheck.check"), "stream.start.ok");
    ck_assert_str_eq(str_at(sse, "_hitlcheck.surface"), "service");
    ck_assert_str_eq(str_at(sse, "_resourceType"), "eventsource");
    const cJSON *hdrs = cJSON_GetObjectItem(cJSON_GetObjectItem(sse, "request"), "headers");
    bool host = false, auth = false;
    const cJSON *hd;
    cJSON_ArrayForEach(hd, hdrs)
    {
        host |= !strcmp(str_at(hd, "name"), "Host");
        auth |= !strcmp(str_at(hd, "name"), "Authorization") &&
                !strcmp(str_at(hd, "value"), "Bearer " WF_KEY); /* not redacted: no redactor */
    }
    ck_assert(host && auth);
    double sum = 0;
    static const char *const parts[] = {"dns", "connect", "send", "wait", "receive"};
    for (size_t i = 0; i < 5; i++) {
        char path[32];
        snprintf(path, sizeof path, "timings.%s", parts[i]);
        double v = num_at(sse, path);
        sum += v > 0 ? v : 0;
    }
    ck_assert_double_eq_tol(num_at(sse, "time"), sum, 0.01);

    /* The GET: its query string; the upload: params and a note for binary bytes. */
    const cJSON *get = cJSON_GetArrayItem(es, 1);
    const cJSON *qs = cJSON_GetObjectItem(cJSON_GetObjectItem(get, "request"), "queryString");
    ck_assert_int_eq(cJSON_GetArraySize(qs), 2);
    ck_assert_str_eq(str_at(cJSON_GetArrayItem(qs, 0), "name"), "lang");
    ck_assert_str_eq(str_at(cJSON_GetArrayItem(qs, 0), "value"), "en");
    ck_assert_str_eq(str_at(get, "_hitlcheck.surface"), "web");
    const cJSON *up = cJSON_GetArrayItem(es, 2);
    ck_assert_ptr_nonnull(
        strstr(str_at(up, "request.postData.mimeType"), "multipart/form-data; boundary="));
    const char *body = str_at(up, "request.postData.text");
    ck_assert_ptr_nonnull(strstr(body, "filename=\"a.png\""));
    ck_assert_ptr_nonnull(strstr(body, "[8 bytes of binary data not shown]"));
    ck_assert_ptr_nonnull(strstr(body, "name=\"user\"\r\n\r\ntest-trace\r\n"));
    const cJSON *params = cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(up, "request"), "postData"), "params");
    ck_assert_str_eq(str_at(cJSON_GetArrayItem(params, 0), "fileName"), "a.png");
    ck_assert_str_eq(str_at(cJSON_GetArrayItem(params, 1), "value"), "test-trace");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(up, "_hitlcheck"), "check")));

    /* The refused connection: status 0, what happened, nothing sent. */
    const cJSON *refused = cJSON_GetArrayItem(es, 3);
    ck_assert_int_eq((int)num_at(refused, "response.status"), 0);
    ck_assert_ptr_nonnull(strstr(str_at(refused, "response._error"), "127.0.0.1"));
    ck_assert_ptr_nonnull(strstr(str_at(refused, "comment"), "no complete response"));
    ck_assert_ptr_nonnull(strstr(str_at(refused, "request.comment"), "nothing was sent"));
    ck_assert(num_at(refused, "timings.wait") >= 0 && num_at(refused, "timings.receive") >= 0);
    cJSON_Delete(doc);
    free(text);
    server_stop(&s);
}
END_TEST

/* The API key, the form token (never registered: found in the stream by the trace) and
 * the Authorization header are not in a redacted file; with redaction off they are, and
 * the log says so. */
START_TEST(real_secrets_are_redacted)
{
    server s;
    server_start(&s);
    char token[128];
    real_exchanges(&s, token, sizeof token);
    ck_assert_uint_ge(strlen(token), 16);
    hitl_redactor *red;
    hitl_err err = {0};
    ck_assert_int_eq(hitl_redactor_new(&red, true, &err), 0);
    hitl_redactor_add(red, WF_KEY, "api-key");
    char *text;
    cJSON *doc = write_har(s.trace, red, &text);
    ck_assert_msg(!strstr(text, WF_KEY), "API key in the trace");
    ck_assert_msg(!strstr(text, token), "form token in the trace");
    ck_assert_ptr_nonnull(strstr(text, "Bearer [REDACTED]"));
    ck_assert_ptr_nonnull(strstr(text, "[REDACTED:form-token]"));
    ck_assert_ptr_nonnull(strstr(str_at(cJSON_GetObjectItem(doc, "log"), "comment"), "redacted"));
    cJSON_Delete(doc);
    free(text);
    hitl_redactor_free(red);

    ck_assert_int_eq(hitl_redactor_new(&red, false, &err), 0); /* --show-secrets */
    hitl_redactor_add(red, WF_KEY, "api-key");
    doc = write_har(s.trace, red, &text);
    ck_assert_ptr_nonnull(strstr(text, WF_KEY));
    ck_assert_ptr_nonnull(strstr(text, token));
    ck_assert_ptr_nonnull(
        strstr(str_at(cJSON_GetObjectItem(doc, "log"), "comment"), "SECRETS ARE SHOWN"));
    cJSON_Delete(doc);
    free(text);
    hitl_redactor_free(red);
    server_stop(&s);
}
END_TEST

/* --- hand-built exchanges --- */

START_TEST(entries_in_start_order)
{
    hitl_trace *t = new_trace(0, 0);
    static const long starts[] = {300, 100, 200, 100};
    static const char *const urls[] = {"http://t/c", "http://t/a", "http://t/b", "http://t/a2"};
    for (size_t i = 0; i < 4; i++) { /* ended in this order */
        fake f;
        fake_init(&f, urls[i], starts[i], "{}", 2);
        hitl_trace_record(t, &f.x);
    }
    char *text;
    cJSON *doc = write_har(t, NULL, &text);
    cJSON *es = entries(doc);
    static const char *const want[] = {"http://t/a", "http://t/a2", "http://t/b", "http://t/c"};
    for (int i = 0; i < 4; i++)
        ck_assert_str_eq(str_at(cJSON_GetArrayItem(es, i), "request.url"), want[i]);
    ck_assert_str_eq(str_at(cJSON_GetArrayItem(es, 0), "startedDateTime"),
                     "2026-11-25T10:52:45.100Z");
    cJSON_Delete(doc);
    free(text);
    hitl_trace_free(t);
}
END_TEST

/* A token in the URL, a body and headers; a -H header's value; an upload token issued in a
 * response and never registered. */
START_TEST(hand_built_secrets_are_redacted)
{
    hitl_trace *t = new_trace(0, 0);
    hitl_redactor *red;
    hitl_err err = {0};
    ck_assert_int_eq(hitl_redactor_new(&red, true, &err), 0);
    hitl_redactor_add(red, "FORMTOKEN1234567890abc", "form-token");
    const char *resp =
        "{\"upload_token\": \"hitl_upload_SECRETSECRET\", \"x\": \"FORMTOKEN1234567890abc\"}";
    fake f;
    fake_init(&f, "http://t/api/form/human_input/FORMTOKEN1234567890abc?t=FORMTOKEN1234567890abc",
              0, resp, strlen(resp));
    f.x.sent_head = "POST /x HTTP/1.1\r\nHost: t\r\nAuthorization: Basic dXNlcjpwYXNz\r\n"
                    "X-Api-Key: gateway-secret\r\nCookie: s=1\r\n\r\n";
    f.x.sent_head_len = strlen(f.x.sent_head);
    f.req.method = "POST";
    f.req.body = "{\"token\":\"FORMTOKEN1234567890abc\"}";
    f.req.body_len = strlen(f.req.body);
    hitl_trace_record(t, &f.x);
    fake later; /* the upload token reappears in a later request's URL */
    fake_init(&later, "http://t/upload?token=hitl_upload_SECRETSECRET", 5, "{}", 2);
    hitl_trace_record(t, &later.x);
    char *text;
    cJSON *doc = write_har(t, red, &text);
    ck_assert_msg(!strstr(text, "FORMTOKEN1234567890abc"), "form token: %s", text);
    ck_assert_msg(!strstr(text, "hitl_upload_SECRETSECRET"), "upload token: %s", text);
    ck_assert_msg(!strstr(text, "dXNlcjpwYXNz"), "Authorization value: %s", text);
    ck_assert_msg(!strstr(text, "gateway-secret"), "-H header value: %s", text);
    ck_assert_ptr_nonnull(strstr(text, "\"value\": \"Basic [REDACTED]\""));
    ck_assert_ptr_nonnull(strstr(text, "[REDACTED:upload-token]"));
    const cJSON *e = cJSON_GetArrayItem(entries(doc), 0);
    ck_assert_str_eq(str_at(e, "request.url"),
                     "http://t/api/form/human_input/[REDACTED:form-token]?t=[REDACTED:form-token]");
    cJSON_Delete(doc);
    free(text);
    hitl_redactor_free(red);
    hitl_trace_free(t);
}
END_TEST

/* Bodies that are not UTF-8 text (bad bytes, a NUL) are base64; a multi-byte character
 * cut by the body cap does not make a text body binary. */
static const struct {
    const char *body;
    size_t len;
    size_t body_max;
    const char *text;
    const char *encoding;
} BODY_CASES[] = {
    {"\xff\xfe"
     "abc",
     5, 0, "//5hYmM=", "base64"},
    {"a\0b", 3, 0, "YQBi", "base64"},
    {"caf\xc3\xa9 ok", 8, 0, "caf\xc3\xa9 ok", NULL},
    {"\xed\xa0\x80", 3, 0, "7aCA", "base64"}, /* a UTF-16 surrogate is not UTF-8 */
    {"ab\xc3\xa9", 4, 3, "ab", NULL},         /* é cut in half by the cap */
};

START_TEST(non_utf8_bodies_are_base64)
{
    hitl_trace *t = new_trace(BODY_CASES[_i].body_max, 0);
    fake f;
    fake_init(&f, "http://t/x", 0, BODY_CASES[_i].body, BODY_CASES[_i].len);
    hitl_trace_record(t, &f.x);
    char *text;
    cJSON *doc = write_har(t, NULL, &text);
    const cJSON *e = cJSON_GetArrayItem(entries(doc), 0);
    ck_assert_str_eq(str_at(e, "response.content.text"), BODY_CASES[_i].text);
    const char *enc = str_at(e, "response.content.encoding");
    if (BODY_CASES[_i].encoding)
        ck_assert_str_eq(enc, BODY_CASES[_i].encoding);
    else
        ck_assert_ptr_null(enc);
    ck_assert_int_eq((int)num_at(e, "response.content.size"), (int)BODY_CASES[_i].len);
    cJSON_Delete(doc);
    free(text);
    hitl_trace_free(t);
}
END_TEST

START_TEST(body_cap_truncates_with_a_comment)
{
    hitl_trace *t = new_trace(16, 0);
    char body[100];
    memset(body, 'x', sizeof body);
    fake f;
    fake_init(&f, "http://t/x", 0, body, sizeof body);
    f.req.method = "POST";
    f.req.body = body;
    f.req.body_len = sizeof body;
    hitl_trace_record(t, &f.x);
    char *text;
    cJSON *doc = write_har(t, NULL, &text);
    const cJSON *e = cJSON_GetArrayItem(entries(doc), 0);
    ck_assert_str_eq(str_at(e, "response.content.text"), "xxxxxxxxxxxxxxxx");
    ck_assert_str_eq(str_at(e, "response.content.comment"), "truncated after 16 bytes (of 100)");
    ck_assert_int_eq((int)num_at(e, "response.content.size"), 100);
    ck_assert_str_eq(str_at(e, "request.postData.text"), "xxxxxxxxxxxxxxxx");
    ck_assert_str_eq(str_at(e, "request.postData.comment"), "truncated after 16 bytes (of 100)");
    cJSON_Delete(doc);
    free(text);
    hitl_trace_free(t);
}
END_TEST

/* Past the total cap, exchanges are counted, not kept, and the log says how many. */
START_TEST(total_cap_counts_the_rest)
{
    hitl_trace *t = new_trace(0, 4096);
    char body[1000];
    memset(body, 'y', sizeof body);
    for (long i = 0; i < 10; i++) {
        fake f;
        fake_init(&f, "http://t/x", i, body, sizeof body);
        hitl_trace_record(t, &f.x);
    }
    size_t kept = hitl_trace_count(t), dropped = hitl_trace_dropped(t);
    ck_assert_uint_gt(kept, 0);
    ck_assert_uint_lt(kept, 4);
    ck_assert_uint_eq(kept + dropped, 10);
    char *text;
    cJSON *doc = write_har(t, NULL, &text);
    ck_assert_int_eq(cJSON_GetArraySize(entries(doc)), (int)kept);
    char want[128];
    snprintf(want, sizeof want,
             "%zu more exchanges ended after the trace reached its cap of 4096 bytes", dropped);
    ck_assert_ptr_nonnull(strstr(str_at(cJSON_GetObjectItem(doc, "log"), "comment"), want));
    cJSON_Delete(doc);
    free(text);
    hitl_trace_free(t);
}
END_TEST

typedef struct worker_arg {
    hitl_trace *t;
    int id;
} worker_arg;

static void *record_many(void *arg)
{
    worker_arg *a = arg;
    for (long i = 0; i < 200; i++) {
        fake f;
        fake_init(&f, "http://t/x", i * 8 + a->id, "{}", 2);
        hitl_trace_record(a->t, &f.x);
    }
    return NULL;
}

/* Checks record from their own threads (--jobs). */
START_TEST(parallel_recording)
{
    hitl_trace *t = new_trace(0, 0);
    pthread_t th[8];
    worker_arg args[8];
    for (int i = 0; i < 8; i++) {
        args[i] = (worker_arg){t, i};
        ck_assert_int_eq(pthread_create(&th[i], NULL, record_many, &args[i]), 0);
    }
    for (int i = 0; i < 8; i++)
        pthread_join(th[i], NULL);
    ck_assert_uint_eq(hitl_trace_count(t), 1600);
    char *text;
    cJSON *doc = write_har(t, NULL, &text);
    const cJSON *e;
    const char *prev = "";
    cJSON_ArrayForEach(e, entries(doc))
    {
        const char *at = str_at(e, "startedDateTime");
        ck_assert_int_le(strcmp(prev, at), 0);
        prev = at;
    }
    cJSON_Delete(doc);
    free(text);
    hitl_trace_free(t);
}
END_TEST

/* --- the file --- */

START_TEST(unwritable_paths_are_refused)
{
    hitl_err err = {0};
    ck_assert_int_eq(hitl_trace_check_path("/nonexistent-dir/trace.har", &err), HITL_E_IO);
    ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent-dir/trace.har"));
    char dir[] = "/tmp/test_trace.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(hitl_trace_check_path(dir, &err), HITL_E_IO);
    ck_assert_ptr_nonnull(strstr(err.msg, "is a directory"));
    char path[64];
    snprintf(path, sizeof path, "%s/", dir);
    ck_assert_int_eq(hitl_trace_check_path(path, &err), HITL_E_IO);

    /* A writable path: checked, then written atomically, no temporary file left. */
    snprintf(path, sizeof path, "%s/trace.har", dir);
    ck_assert_int_eq(hitl_trace_check_path(path, &err), 0);
    hitl_trace *t = new_trace(0, 0);
    fake f;
    fake_init(&f, "http://t/x", 0, "{}", 2);
    hitl_trace_record(t, &f.x);
    hitl_trace_meta m = {.version = "1"};
    ck_assert_msg(hitl_trace_write(t, path, &m, &err) == 0, "%s", err.msg);
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int files = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
            ck_assert_str_eq(de->d_name, "trace.har");
            files++;
        }
    closedir(d);
    ck_assert_int_eq(files, 1);
    hitl_trace_free(t);
    unlink(path);
    rmdir(dir);
}
END_TEST

static Suite *trace_suite(void)
{
    Suite *s = suite_create("trace");
    TCase *real = tcase_create("real");
    tcase_set_timeout(real, 60);
    tcase_add_test(real, real_exchanges_make_a_valid_har);
    tcase_add_test(real, real_secrets_are_redacted);
    suite_add_tcase(s, real);
    TCase *tc = tcase_create("built");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, entries_in_start_order);
    tcase_add_test(tc, hand_built_secrets_are_redacted);
    tcase_add_loop_test(tc, non_utf8_bodies_are_base64, 0,
                        (int)(sizeof BODY_CASES / sizeof BODY_CASES[0]));
    tcase_add_test(tc, body_cap_truncates_with_a_comment);
    tcase_add_test(tc, total_cap_counts_the_rest);
    tcase_add_test(tc, parallel_recording);
    tcase_add_test(tc, unwritable_paths_are_refused);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = hitl_check_run(trace_suite());
    curl_global_cleanup();
    return rc;
}
