/* refserver_client.c: see refserver_client.h. */
#include "refserver_client.h"

#include <check.h>
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

void rst_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

void rst_config(hitl_refserver_config *cfg)
{
    hitl_refserver_config_init(cfg);
    cfg->port = 0;
    cfg->ping_interval_ms = 1000;
    cfg->idle_timeout_ms = 3000;
    cfg->rate_max = 0;
    cfg->fetch_timeout_ms = 2000;
    cfg->threads = 2;
}

void rst_start(rst_server *ts, const hitl_refserver_config *cfg)
{
    hitl_err err = {0};
    memset(ts, 0, sizeof *ts);
    ts->cfg = *cfg;
    int rc = hitl_refserver_start(cfg, &ts->srv, &err);
    ck_assert_msg(rc == 0, "server start failed: %s", err.msg);
    ts->port = hitl_refserver_port(ts->srv);
    snprintf(ts->base, sizeof ts->base, "http://127.0.0.1:%u", (unsigned)ts->port);
}

void rst_stop(rst_server *ts)
{
    hitl_refserver_stop(ts->srv);
    ts->srv = NULL;
}

const char *rst_url(const rst_server *ts, const char *fmt, ...)
{
    static char bufs[16][70000];
    static int next;
    char *b = bufs[next++ % 16];
    int n = snprintf(b, sizeof bufs[0], "%s", ts->base);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b + n, sizeof bufs[0] - (size_t)n, fmt, ap);
    va_end(ap);
    return b;
}

typedef struct sink {
    char *p;
    size_t len, cap, max;
    atomic_int *seen; /* set to 1 on the first bytes, when not NULL */
} sink;

static size_t sink_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
    sink *s = ud;
    size_t n = size * nmemb;
    if (s->seen)
        atomic_store(s->seen, 1);
    if (s->len + n > s->max)
        return 0; /* enough: abort the transfer */
    if (s->len + n + 1 > s->cap) {
        size_t ncap = s->cap ? s->cap : 4096;
        while (ncap < s->len + n + 1)
            ncap *= 2;
        char *np = realloc(s->p, ncap);
        if (!np)
            return 0;
        s->p = np;
        s->cap = ncap;
    }
    memcpy(s->p + s->len, ptr, n);
    s->len += n;
    s->p[s->len] = '\0';
    return n;
}

void rst_do(const rst_opts *o, rst_resp *out)
{
    memset(out, 0, sizeof *out);
    CURL *h = curl_easy_init();
    ck_assert_ptr_nonnull(h);
    sink body = {NULL, 0, 0, o->max_bytes ? o->max_bytes : 8u << 20, NULL};
    sink hdr = {NULL, 0, 0, 64u << 20, o->answered};
    struct curl_slist *hl = NULL;
    char line[512];
    for (const char *p = o->headers; p && *p;) {
        size_t k = strcspn(p, "\n");
        snprintf(line, sizeof line, "%.*s", (int)k, p);
        hl = curl_slist_append(hl, line);
        p += k + (p[k] == '\n');
    }
    curl_easy_setopt(h, CURLOPT_URL, o->url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROXY, "");
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, o->timeout_ms ? o->timeout_ms : 5000L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, sink_write);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &hdr);
    if (o->iface)
        curl_easy_setopt(h, CURLOPT_INTERFACE, o->iface);
    curl_mime *mime = NULL;
    if (o->nparts) {
        mime = curl_mime_init(h);
        for (size_t i = 0; i < o->nparts; i++) {
            curl_mimepart *part = curl_mime_addpart(mime);
            curl_mime_name(part, o->parts[i].name);
            size_t len = o->parts[i].len ? o->parts[i].len : strlen(o->parts[i].data);
            curl_mime_data(part, o->parts[i].data, len);
            if (o->parts[i].filename)
                curl_mime_filename(part, o->parts[i].filename);
            if (o->parts[i].content_type)
                curl_mime_type(part, o->parts[i].content_type);
        }
        curl_easy_setopt(h, CURLOPT_MIMEPOST, mime);
        hl = curl_slist_append(hl, "Expect:");
    } else if (o->body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, o->body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(o->body_len ? o->body_len : strlen(o->body)));
        hl = curl_slist_append(hl, "Content-Type: application/json");
        hl = curl_slist_append(hl, "Expect:");
    }
    if (o->method)
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, o->method);
    if (hl)
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    out->cc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &out->seconds);
    out->body = body.p ? body.p : calloc(1, 1);
    out->len = body.len;
    out->headers = hdr.p ? hdr.p : calloc(1, 1);
    curl_slist_free_all(hl);
    curl_mime_free(mime);
    curl_easy_cleanup(h);
}

void rst_get(rst_resp *out, const char *url, const char *headers)
{
    rst_opts o = {.url = url, .headers = headers};
    rst_do(&o, out);
}

void rst_post(rst_resp *out, const char *url, const char *headers, const char *body)
{
    rst_opts o = {.method = "POST", .url = url, .headers = headers, .body = body ? body : ""};
    if (!body || !*body) {
        o.body = "";
        o.body_len = 0;
    }
    rst_do(&o, out);
}

void rst_resp_free(rst_resp *r)
{
    free(r->body);
    free(r->headers);
    memset(r, 0, sizeof *r);
}

cJSON *rst_json(const rst_resp *r)
{
    cJSON *o = cJSON_Parse(r->body);
    ck_assert_msg(o != NULL, "response is not JSON: %.300s", r->body);
    return o;
}

const cJSON *rst_at(const cJSON *o, const char *path)
{
    char key[128];
    const char *p = path;
    while (o && *p) {
        size_t k = strcspn(p, ".");
        snprintf(key, sizeof key, "%.*s", (int)k, p);
        if (cJSON_IsArray(o) && key[0] >= '0' && key[0] <= '9')
            o = cJSON_GetArrayItem(o, atoi(key));
        else
            o = cJSON_GetObjectItemCaseSensitive(o, key);
        p += k + (p[k] == '.');
    }
    return o;
}

const char *rst_str(const cJSON *o, const char *path)
{
    const cJSON *v = rst_at(o, path);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

double rst_num(const cJSON *o, const char *path)
{
    const cJSON *v = rst_at(o, path);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

void rst_assert_error(const rst_resp *r, long status, const char *code, const char *message)
{
    ck_assert_msg(r->status == status, "status %ld, want %ld: %.300s", r->status, status, r->body);
    cJSON *o = rst_json(r);
    ck_assert_str_eq(rst_str(o, "code") ? rst_str(o, "code") : "(none)", code);
    ck_assert_msg(rst_num(o, "status") == (double)status, "body status mismatch: %s", r->body);
    if (message)
        ck_assert_str_eq(rst_str(o, "message") ? rst_str(o, "message") : "(none)", message);
    cJSON_Delete(o);
}

const char *rst_header(const rst_resp *r, const char *name)
{
    static char val[1024];
    size_t n = strlen(name);
    for (const char *p = r->headers; p && *p;) {
        size_t k = strcspn(p, "\r\n");
        if (k > n && strncasecmp(p, name, n) == 0 && p[n] == ':') {
            const char *v = p + n + 1;
            while (*v == ' ')
                v++;
            snprintf(val, sizeof val, "%.*s", (int)(k - (size_t)(v - p)), v);
            return val;
        }
        p += k;
        while (*p == '\r' || *p == '\n')
            p++;
    }
    return NULL;
}

void rst_start_run(const rst_server *ts, const char *key, const char *user, rst_run *out)
{
    char hdr[256], body[512];
    int chat = strcmp(key, RST_CF_KEY) == 0;
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", key);
    snprintf(body, sizeof body, "{\"inputs\":{},\"response_mode\":\"blocking\",\"user\":\"%s\"%s}",
             user, chat ? ",\"query\":\"hi\"" : "");
    rst_resp r;
    rst_post(&r, rst_url(ts, chat ? "/v1/chat-messages" : "/v1/workflows/run"), hdr, body);
    ck_assert_msg(r.status == 200, "start run: %ld %s", r.status, r.body);
    cJSON *o = rst_json(&r);
    const cJSON *reason = rst_at(o, "data.reasons.0");
    memset(out, 0, sizeof *out);
    snprintf(out->run_id, sizeof out->run_id, "%s", rst_str(o, "workflow_run_id"));
    snprintf(out->task_id, sizeof out->task_id, "%s", rst_str(o, "task_id"));
    snprintf(out->form_id, sizeof out->form_id, "%s", rst_str(reason, "form_id"));
    snprintf(out->token, sizeof out->token, "%s", rst_str(reason, "form_token"));
    out->expiration = (long long)rst_num(reason, "expiration_time");
    cJSON_Delete(o);
    rst_resp_free(&r);
}

void rst_upload_token(const rst_server *ts, const char *form_token, char *out, size_t cap)
{
    rst_resp r;
    rst_post(&r, rst_url(ts, "/api/form/human_input/%s/upload-token", form_token), NULL, NULL);
    ck_assert_msg(r.status == 200, "upload-token: %ld %s", r.status, r.body);
    cJSON *o = rst_json(&r);
    snprintf(out, cap, "%s", rst_str(o, "upload_token"));
    cJSON_Delete(o);
    rst_resp_free(&r);
}

const char *rst_upload_path(const rst_server *ts)
{
    return ts->cfg.upload_layout == 1 ? "/api/form/human_input/files/upload"
                                      : "/api/human-input-forms/files";
}

void rst_upload(const rst_server *ts, const char *upload_token, const char *filename, size_t size,
                char *id_out, size_t cap)
{
    char *data = malloc(size + 1);
    ck_assert_ptr_nonnull(data);
    memset(data, 'x', size);
    data[size] = '\0';
    char hdr[256];
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", upload_token);
    rst_part part = {"file", filename, data, size ? size : 0, NULL};
    rst_opts o = {
        .url = rst_url(ts, "%s", rst_upload_path(ts)), .headers = hdr, .parts = &part, .nparts = 1};
    if (size == 0)
        part.data = "";
    rst_resp r;
    rst_do(&o, &r);
    free(data);
    ck_assert_msg(r.status == 201, "upload: %ld %s", r.status, r.body);
    cJSON *j = rst_json(&r);
    snprintf(id_out, cap, "%s", rst_str(j, "id"));
    cJSON_Delete(j);
    rst_resp_free(&r);
}

void rst_valid_inputs(const rst_server *ts, const char *form_token, char *out, size_t cap)
{
    char tok[128], id[64];
    rst_upload_token(ts, form_token, tok, sizeof tok);
    rst_upload(ts, tok, "draft.pdf", 64, id, sizeof id);
    snprintf(out, cap,
             "{\"feedback\":\"Looks good\",\"priority\":\"high\",\"attachment\":"
             "{\"transfer_method\":\"local_file\",\"upload_file_id\":\"%s\",\"type\":\"document\"},"
             "\"attachments\":[]}",
             id);
}

long rst_submit(const rst_server *ts, const char *token, const char *inputs, const char *action,
                rst_resp *out)
{
    size_t n = strlen(inputs) + strlen(action) + 64;
    char *body = malloc(n);
    snprintf(body, n, "{\"inputs\":%s,\"action\":\"%s\"}", inputs, action);
    rst_post(out, rst_url(ts, "/api/form/human_input/%s", token), NULL, body);
    free(body);
    return out->status;
}

/* next_frame splits the next "\n\n"-terminated frame off *p into |frame|. */
static int next_frame(const char **p, char **frame)
{
    const char *s = *p;
    if (!*s)
        return 0;
    const char *end = strstr(s, "\n\n");
    size_t n = end ? (size_t)(end - s) : strlen(s);
    *frame = strndup(s, n);
    *p = end ? end + 2 : s + n;
    return 1;
}

const char *rst_sse_names(const char *body)
{
    static char out[8192];
    out[0] = '\0';
    const char *p = body;
    char *fr;
    while (next_frame(&p, &fr)) {
        char name[256] = "";
        if (strncmp(fr, "event: ", 7) == 0) {
            snprintf(name, sizeof name, "%.200s", fr + 7);
        } else if (strncmp(fr, "data: ", 6) == 0) {
            cJSON *o = cJSON_Parse(fr + 6);
            const char *ev = o ? rst_str(o, "event") : NULL;
            if (ev)
                snprintf(name, sizeof name, "%s", ev);
            else
                snprintf(name, sizeof name, "data:%.40s", fr + 6);
            cJSON_Delete(o);
        } else {
            snprintf(name, sizeof name, "raw:%.40s", fr);
        }
        if (out[0])
            strncat(out, ",", sizeof out - strlen(out) - 1);
        strncat(out, name, sizeof out - strlen(out) - 1);
        free(fr);
    }
    return out;
}

cJSON *rst_sse_event(const char *body, const char *name, int nth)
{
    const char *p = body;
    char *fr;
    while (next_frame(&p, &fr)) {
        cJSON *o = strncmp(fr, "data: ", 6) == 0 ? cJSON_Parse(fr + 6) : NULL;
        free(fr);
        const char *ev = o ? rst_str(o, "event") : NULL;
        if (ev && strcmp(ev, name) == 0 && nth-- == 0)
            return o;
        cJSON_Delete(o);
    }
    return NULL;
}

int rst_sse_well_framed(const char *body)
{
    const char *p = body;
    if (!*p)
        return 0;
    while (*p) {
        const char *end = strstr(p, "\n\n");
        if (!end)
            return 0;
        size_t n = (size_t)(end - p);
        if (n == 11 && strncmp(p, "event: ping", 11) == 0) {
            p = end + 2;
            continue;
        }
        if (strncmp(p, "data: ", 6) != 0 || memchr(p, '\n', n))
            return 0;
        char *js = strndup(p + 6, n - 6);
        cJSON *o = cJSON_Parse(js);
        free(js);
        if (!cJSON_IsObject(o)) {
            cJSON_Delete(o);
            return 0;
        }
        cJSON_Delete(o);
        p = end + 2;
    }
    return 1;
}

static void *async_main(void *arg)
{
    rst_async *a = arg;
    rst_do(&a->o, &a->resp);
    return NULL;
}

void rst_async_start(rst_async *a, const rst_opts *o)
{
    a->o = *o;
    atomic_init(&a->answered, 0);
    a->o.answered = &a->answered;
    snprintf(a->url, sizeof a->url, "%s", o->url);
    a->o.url = a->url;
    if (o->headers) {
        snprintf(a->headers, sizeof a->headers, "%s", o->headers);
        a->o.headers = a->headers;
    }
    ck_assert_int_eq(pthread_create(&a->th, NULL, async_main, a), 0);
}

void rst_async_answered(rst_async *a, long timeout_ms)
{
    for (long waited = 0; !atomic_load(&a->answered) && waited < timeout_ms; waited += 10)
        rst_sleep_ms(10);
    ck_assert_msg(atomic_load(&a->answered), "%s: no answer within %ld ms", a->url, timeout_ms);
}

void rst_async_join(rst_async *a)
{
    pthread_join(a->th, NULL);
}

/* ---- fixture ---- */

static enum MHD_Result fixture_cb(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *data_size, void **con_cls)
{
    rst_fixture *f = cls;
    (void)method;
    (void)version;
    (void)data;
    (void)data_size;
    if (!*con_cls) {
        *con_cls = f;
        return MHD_YES;
    }
    /* As a forward proxy (--fetch-proxy) the fixture gets absolute-form targets: serve the
     * path as if it were the origin, and count the request as proxied. */
    int proxied = strncmp(url, "http://", 7) == 0;
    if (proxied) {
        const char *path = strchr(url + 7, '/');
        url = path ? path : "/";
    }
    pthread_mutex_lock(&f->mu);
    f->hits++;
    f->proxied += proxied;
    pthread_mutex_unlock(&f->mu);
    static char pdf[2048];
    if (!pdf[0]) {
        memset(pdf, ' ', sizeof pdf);
        memcpy(pdf, "%PDF-1.4", 8);
    }
    unsigned status = 200;
    const char *ctype = "application/pdf";
    size_t len = sizeof pdf;
    const char *location = NULL;
    char *big = NULL;
    if (strcmp(url, "/photo.png") == 0)
        ctype = "image/png";
    else if (strcmp(url, "/evil.exe") == 0)
        ctype = "application/octet-stream";
    else if (strcmp(url, "/big.pdf") == 0) {
        big = calloc(1, f->big_size);
        len = f->big_size;
    } else if (strcmp(url, "/missing.pdf") == 0)
        status = 404;
    else if (strcmp(url, "/forbidden.pdf") == 0)
        status = 403;
    else if (strcmp(url, "/broken.pdf") == 0)
        status = 500;
    else if (strcmp(url, "/squid-denied.pdf") == 0 || strcmp(url, "/squid-via-403.pdf") == 0)
        status = 403;
    else if (strcmp(url, "/redirect") == 0) {
        status = 302;
        location = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "to");
        len = 0;
    } else if (strcmp(url, "/doc.pdf") != 0 && strcmp(url, "/report") != 0)
        status = 404;
    struct MHD_Response *resp =
        big ? MHD_create_response_from_buffer(len, big, MHD_RESPMEM_MUST_FREE)
            : MHD_create_response_from_buffer(status == 200 ? len : 0, pdf, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(resp, "Content-Type", ctype);
    if (location)
        MHD_add_response_header(resp, "Location", location);
    if (strcmp(url, "/squid-denied.pdf") == 0) /* squid's own denial */
        MHD_add_response_header(resp, "Server", "squid/5.7");
    if (strcmp(url, "/squid-via-403.pdf") == 0) /* an origin's 403 relayed by squid */
        MHD_add_response_header(resp, "Via", "1.1 proxyhost (squid/5.7)");
    enum MHD_Result rc = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return rc;
}

void rst_fixture_start(rst_fixture *f, size_t big_size)
{
    memset(f, 0, sizeof *f);
    pthread_mutex_init(&f->mu, NULL);
    f->big_size = big_size ? big_size : 1;
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d =
        MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, NULL, NULL, fixture_cb,
                         f, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_END);
    ck_assert_ptr_nonnull(d);
    f->daemon = d;
    f->port = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port;
}

void rst_fixture_stop(rst_fixture *f)
{
    MHD_stop_daemon(f->daemon);
    pthread_mutex_destroy(&f->mu);
}

int rst_fixture_proxied(rst_fixture *f)
{
    pthread_mutex_lock(&f->mu);
    int n = f->proxied;
    pthread_mutex_unlock(&f->mu);
    return n;
}

int rst_fixture_hits(rst_fixture *f)
{
    pthread_mutex_lock(&f->mu);
    int n = f->hits;
    pthread_mutex_unlock(&f->mu);
    return n;
}

int rst_listener(uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    ck_assert_int_eq(listen(fd, 8), 0);
    socklen_t sl = sizeof sa;
    getsockname(fd, (struct sockaddr *)&sa, &sl);
    *port = ntohs(sa.sin_port);
    return fd;
}

int rst_listener_connected(int fd, int wait_ms)
{
    struct pollfd p = {fd, POLLIN, 0};
    return poll(&p, 1, wait_ms) > 0;
}

void rst_allow(hitl_refserver_config *cfg, uint16_t port)
{
    hitl_refserver_allow *a = &cfg->fetch_allow[cfg->nfetch_allow++];
    snprintf(a->host, sizeof a->host, "127.0.0.1");
    a->port = port;
}

size_t rst_raw_request(uint16_t port, const char *request, char *out, size_t cap, long timeout_ms)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons(port);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    ck_assert(write(fd, request, strlen(request)) == (ssize_t)strlen(request));
    size_t got = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (got < cap) {
        clock_gettime(CLOCK_MONOTONIC, &t1);
        long left =
            timeout_ms - ((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
        struct pollfd p = {fd, POLLIN, 0};
        if (left <= 0 || poll(&p, 1, (int)left) <= 0)
            break;
        ssize_t n = read(fd, out + got, cap - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    return got;
}
