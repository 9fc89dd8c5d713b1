/* http.c: libcurl transport with timeouts, caps and no redirects (see http.h). */
#include "hitl/http.h"

#include <curl/curl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DEFAULT_TIMEOUT_MS 30000L
#define DEFAULT_MAX_BODY (8u * 1024u * 1024u)
#define CONNECT_TIMEOUT_MS 10000L
#define DEFAULT_EXCHANGE_BODY_MAX (1u * 1024u * 1024u)
#define STATUS_LINE_MAX 256u

struct hitl_http {
    char *proxy;
    char *cacert;
    bool insecure;
    long timeout_ms;
    size_t max_body;
    char **headers;
    size_t n_headers;
    hitl_http_exchange_fn on_exchange;
    void *exchange_user;
    size_t exchange_body_max;
};

/* Per-transfer state shared by the callbacks. */
typedef struct transfer {
    const hitl_http_request *req;
    hitl_http_response *resp;
    size_t max_body;
    size_t header_bytes;
    int cap_hit; /* HITL_E_TOO_BIG reason: 1 body, 2 headers */
    int sink_stopped;
    int idle_expired;
    int deadline_passed;
    int cancelled;
    int run_stopped;
    long idle_ms;
    struct timespec last_byte;
    /* For the exchange hook only (tap set): the head as sent, the start of a streamed
     * body (a stored one is in resp->body already) and the final status line. */
    bool tap;
    hitl_buf sent_head;
    hitl_buf tapped_body;
    char status_line[STATUS_LINE_MAX];
} transfer;

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

int hitl_http_new(hitl_http **out, const hitl_http_config *cfg, hitl_err *err)
{
    *out = NULL;
    hitl_http *c = calloc(1, sizeof *c);
    if (!c)
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory creating the HTTP client");
    c->proxy = dup_or_null(cfg ? cfg->proxy : NULL);
    c->cacert = dup_or_null(cfg ? cfg->cacert : NULL);
    c->insecure = cfg && cfg->insecure;
    c->timeout_ms = cfg && cfg->timeout_ms > 0 ? cfg->timeout_ms : DEFAULT_TIMEOUT_MS;
    c->max_body = cfg && cfg->max_body ? cfg->max_body : DEFAULT_MAX_BODY;
    c->on_exchange = cfg ? cfg->on_exchange : NULL;
    c->exchange_user = cfg ? cfg->exchange_user : NULL;
    c->exchange_body_max =
        cfg && cfg->exchange_body_max ? cfg->exchange_body_max : DEFAULT_EXCHANGE_BODY_MAX;
    if (cfg && cfg->n_headers) {
        c->headers = calloc(cfg->n_headers, sizeof *c->headers);
        if (!c->headers) {
            hitl_http_free(c);
            return hitl_err_set(err, HITL_E_NOMEM, "out of memory copying headers");
        }
        for (size_t i = 0; i < cfg->n_headers; i++) {
            c->headers[i] = strdup(cfg->headers[i]);
            c->n_headers++;
        }
    }
    *out = c;
    return HITL_OK;
}

void hitl_http_free(hitl_http *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_headers; i++)
        free(c->headers[i]);
    free(c->headers);
    free(c->proxy);
    free(c->cacert);
    free(c);
}

static long elapsed_ms(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)((now.tv_sec - since->tv_sec) * 1000L + (now.tv_nsec - since->tv_nsec) / 1000000L);
}

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    transfer *t = userdata;
    size_t n = size * nmemb;
    /* The progress callback runs about once a second when nothing arrives, so it misses
     * gaps shorter than that: a body that drips a byte every 500 ms would never trip a
     * shorter idle timeout. Judge the gap that just ended here too. */
    if (t->idle_ms > 0 && elapsed_ms(&t->last_byte) > t->idle_ms) {
        t->idle_expired = 1;
        return 0;
    }
    clock_gettime(CLOCK_MONOTONIC, &t->last_byte);
    t->resp->body_bytes += n;
    if (t->req->on_body) {
        if (t->tap) { /* the hook sees a streamed body's start; past its cap, only the count */
            size_t room = t->tapped_body.max - t->tapped_body.len;
            hitl_buf_append(&t->tapped_body, ptr, n < room ? n : room);
        }
        if (t->req->on_body(t->req->user, ptr, n)) {
            t->sink_stopped = 1;
            return 0; /* abort the transfer: CURLE_WRITE_ERROR, mapped to "stopped" */
        }
        return n;
    }
    if (n > t->max_body - t->resp->body.len) {
        t->cap_hit = 1;
        return 0;
    }
    if (hitl_buf_append(&t->resp->body, ptr, n)) {
        t->cap_hit = 1;
        return 0;
    }
    return n;
}

static void clear_headers(hitl_http_response *resp)
{
    for (size_t i = 0; i < resp->n_headers; i++) {
        free(resp->headers[i].name);
        free(resp->headers[i].value);
    }
    free(resp->headers);
    resp->headers = NULL;
    resp->n_headers = 0;
}

static size_t on_header(char *buf, size_t size, size_t nitems, void *userdata)
{
    transfer *t = userdata;
    size_t n = size * nitems;
    t->header_bytes += n;
    if (t->header_bytes > HITL_HTTP_MAX_HEADER_BYTES ||
        t->resp->n_headers >= HITL_HTTP_MAX_HEADERS) {
        t->cap_hit = 2;
        t->resp->headers_capped = true;
        return 0;
    }
    clock_gettime(CLOCK_MONOTONIC, &t->last_byte);
    /* A status line starts a new response (after a 100 Continue): keep only the last. */
    if (n >= 5 && !strncmp(buf, "HTTP/", 5)) {
        clear_headers(t->resp);
        if (t->tap) {
            size_t len = n;
            while (len && (buf[len - 1] == '\r' || buf[len - 1] == '\n'))
                len--;
            if (len >= sizeof t->status_line)
                len = sizeof t->status_line - 1;
            memcpy(t->status_line, buf, len);
            t->status_line[len] = '\0';
        }
        /* The status is needed while the body streams (before curl's getinfo can say). */
        const char *sp = memchr(buf, ' ', n);
        if (sp && (size_t)(sp - buf) + 4 <= n) {
            long code = 0;
            for (int i = 1; i <= 3 && sp[i] >= '0' && sp[i] <= '9'; i++)
                code = code * 10 + (sp[i] - '0');
            t->resp->status = code;
        }
        return n;
    }
    const char *colon = memchr(buf, ':', n);
    if (!colon)
        return n;
    size_t name_len = (size_t)(colon - buf);
    const char *v = colon + 1;
    const char *end = buf + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    hitl_http_header *grown =
        realloc(t->resp->headers, (t->resp->n_headers + 1) * sizeof *t->resp->headers);
    if (!grown)
        return 0;
    t->resp->headers = grown;
    hitl_http_header *h = &grown[t->resp->n_headers];
    h->name = strndup(buf, name_len);
    h->value = strndup(v, (size_t)(end - v));
    if (!h->name || !h->value) {
        free(h->name);
        free(h->value);
        return 0;
    }
    t->resp->n_headers++;
    return n;
}

static int on_progress(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    transfer *t = clientp;
    if (t->idle_ms > 0 && elapsed_ms(&t->last_byte) > t->idle_ms) {
        t->idle_expired = 1;
        return 1;
    }
    if (t->req->cancel && atomic_load(t->req->cancel)) {
        t->cancelled = 1;
        return 1;
    }
    if (t->req->run_stop && atomic_load(t->req->run_stop)) {
        t->run_stopped = 1;
        return 1;
    }
    const struct timespec *at = t->req->abort_at;
    if (at && (at->tv_sec || at->tv_nsec) && elapsed_ms(at) > 0) {
        t->deadline_passed = 1;
        return 1;
    }
    return 0;
}

static int map_curl_error(CURLcode rc, const transfer *t, long timeout_ms, const char *url,
                          const char *curl_msg, hitl_err *err)
{
    if (t->cap_hit == 1)
        return hitl_err_set(err, HITL_E_TOO_BIG,
                            "response body from %s passed the cap of %zu bytes", url, t->max_body);
    if (t->cap_hit == 2)
        return hitl_err_set(err, HITL_E_TOO_BIG,
                            "response headers from %s passed the cap (%u bytes or %u headers)", url,
                            HITL_HTTP_MAX_HEADER_BYTES, HITL_HTTP_MAX_HEADERS);
    if (t->idle_expired)
        return hitl_err_set(err, HITL_E_TIMEOUT, "no data from %s for %ld ms (idle timeout)", url,
                            t->idle_ms);
    if (t->cancelled)
        return hitl_err_set(err, HITL_E_STOPPED, "the transfer from %s was cancelled", url);
    if (t->run_stopped)
        return hitl_err_set(err, HITL_E_STOPPED,
                            "the run was stopped (deadline or circuit breaker) while %s was open",
                            url);
    if (t->deadline_passed)
        return hitl_err_set(err, HITL_E_TIMEOUT, "%s was still open at its deadline", url);
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        return hitl_err_set(err, HITL_E_TIMEOUT, "%s did not complete within %ld ms", url,
                            timeout_ms);
    case CURLE_FILESIZE_EXCEEDED:
        return hitl_err_set(err, HITL_E_TOO_BIG,
                            "%s announced a body larger than the cap of %zu bytes", url,
                            t->max_body);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        return hitl_err_set(err, HITL_E_ARG, "cannot request %s: %s", url, curl_msg);
    /* A private CA or a self-signed certificate is the usual cause on a test deployment:
     * the one line says which option fixes it. */
    case CURLE_PEER_FAILED_VERIFICATION:
        return hitl_err_set(err, HITL_E_NETWORK,
                            "the TLS certificate of %s was not verified (%s): pass --cacert FILE "
                            "with the CA that issued it (or --insecure to skip verification)",
                            url, curl_msg);
    case CURLE_SSL_CACERT_BADFILE:
        return hitl_err_set(err, HITL_E_ARG,
                            "the CA bundle to verify %s could not be loaded (%s): check the "
                            "--cacert FILE (a PEM file of CA certificates)",
                            url, curl_msg);
    default:
        return hitl_err_set(err, HITL_E_NETWORK, "request to %s failed: %s", url, curl_msg);
    }
}

/* libcurl's debug callback, set only for the exchange hook: keeps the request head as
 * sent (a proxy's CONNECT head comes first and is replaced by the request's own). */
static int on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *userp)
{
    (void)h;
    transfer *t = userp;
    if (type != CURLINFO_HEADER_OUT)
        return 0;
    hitl_buf *head = &t->sent_head;
    if (head->len >= 4 && !memcmp(head->ptr + head->len - 4, "\r\n\r\n", 4))
        hitl_buf_reset(head);
    size_t room = head->max - head->len;
    hitl_buf_append(head, data, size < room ? size : room);
    return 0;
}

static double info_seconds(CURL *h, CURLINFO what)
{
    curl_off_t us = 0;
    if (curl_easy_getinfo(h, what, &us) != CURLE_OK || us < 0)
        return 0;
    return (double)us / 1e6;
}

/* Tells the client's exchange hook of the ended transfer. */
static void tell_hook(const hitl_http *c, CURL *h, const transfer *t, const struct timespec *wall,
                      const struct timespec *mono, const hitl_err *err)
{
    const hitl_http_response *resp = t->resp;
    hitl_http_exchange x = {
        .req = t->req, .resp = resp, .err = err, .started = *wall, .started_mono = *mono};
    if (t->sent_head.len) {
        x.sent_head = hitl_buf_str(&t->sent_head);
        x.sent_head_len = t->sent_head.len;
    }
    curl_off_t up = 0;
    if (curl_easy_getinfo(h, CURLINFO_SIZE_UPLOAD_T, &up) == CURLE_OK && up > 0)
        x.sent_body_bytes = (size_t)up;
    x.status_line = t->status_line[0] ? t->status_line : NULL;
    if (t->req->on_body) {
        x.body = hitl_buf_str(&t->tapped_body);
        x.body_len = t->tapped_body.len;
    } else {
        x.body = hitl_buf_str(&resp->body);
        x.body_len = resp->body.len < c->exchange_body_max ? resp->body.len : c->exchange_body_max;
    }
    x.t_dns = info_seconds(h, CURLINFO_NAMELOOKUP_TIME_T);
    x.t_connect = info_seconds(h, CURLINFO_CONNECT_TIME_T);
    x.t_tls = info_seconds(h, CURLINFO_APPCONNECT_TIME_T);
    x.t_pretransfer = info_seconds(h, CURLINFO_PRETRANSFER_TIME_T);
#if LIBCURL_VERSION_NUM >= 0x080a00
    x.t_posttransfer = info_seconds(h, CURLINFO_POSTTRANSFER_TIME_T);
#endif
    x.t_first_byte = info_seconds(h, CURLINFO_STARTTRANSFER_TIME_T);
    x.t_total = info_seconds(h, CURLINFO_TOTAL_TIME_T);
    c->on_exchange(c->exchange_user, &x);
}

int hitl_http_header_line_check(const char *line, hitl_err *err)
{
    size_t name_len = strcspn(line, ":");
    for (size_t i = 0; line[i]; i++) {
        unsigned char ch = (unsigned char)line[i];
        if ((ch < 0x20 && ch != '\t') || ch == 0x7F) {
            /* The name as far as it is printable; the value never. */
            size_t shown = 0;
            while (shown < name_len && shown < 64 && (unsigned char)line[shown] >= 0x20 &&
                   (unsigned char)line[shown] != 0x7F)
                shown++;
            return hitl_err_set(err, HITL_E_ARG,
                                "the request header %.*s%s holds the control byte 0x%02X at byte "
                                "%zu (CR, LF or NUL would end the line and let the rest become "
                                "headers of its own): the request was not sent (value not shown)",
                                (int)shown, line, shown < name_len ? "…" : "", ch, i);
        }
    }
    return HITL_OK;
}

/* The URL libcurl is given: no control byte and no space (every value in it was encoded,
 * url.h; this is the last line of defence). */
static int url_check(const char *url, hitl_err *err)
{
    for (size_t i = 0; url[i]; i++) {
        unsigned char ch = (unsigned char)url[i];
        if (ch <= 0x20 || ch == 0x7F)
            return hitl_err_set(err, HITL_E_ARG,
                                "the request URL holds the byte 0x%02X at byte %zu (a control "
                                "byte or a space would end the request line): not sent",
                                ch, i);
    }
    return HITL_OK;
}

/* untyped_part gives |part| the Content-Disposition of |p| as its own header. libcurl types
 * every part it names from the filename (a .pdf becomes application/pdf) and offers no way
 * to send none; a part that carries its own Content-Disposition and has no libcurl filename
 * gets no Content-Type at all. The values are written as given, so a quote, backslash or
 * line break in them is refused rather than escaped. */
static int untyped_part(curl_mimepart *part, const hitl_http_part *p, hitl_err *err)
{
    const char *name = p->name ? p->name : "";
    const char *file = p->filename;
    if (strpbrk(name, "\"\\\r\n") || (file && strpbrk(file, "\"\\\r\n")))
        return hitl_err_set(err, HITL_E_ARG,
                            "an untyped multipart part's name or filename holds a quote, "
                            "backslash or line break");
    size_t cap = strlen(name) + (file ? strlen(file) : 0) + 64;
    char *cd = malloc(cap);
    if (!cd)
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory building multipart body");
    snprintf(cd, cap, "Content-Disposition: form-data; name=\"%s\"%s%s%s", name,
             file ? "; filename=\"" : "", file ? file : "", file ? "\"" : "");
    struct curl_slist *own = curl_slist_append(NULL, cd);
    free(cd);
    if (!own || curl_mime_headers(part, own, 1) != CURLE_OK) {
        curl_slist_free_all(own);
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory building multipart body");
    }
    return HITL_OK;
}

/* Applies the request's method, headers and body to |h|; returns the lists to free. */
static int setup_request(CURL *h, const hitl_http *c, const hitl_http_request *req,
                         struct curl_slist **hdrs, curl_mime **mime, hitl_err *err)
{
    /* Every line is judged before libcurl holds any of them. */
    for (size_t i = 0; i < c->n_headers; i++)
        if (hitl_http_header_line_check(c->headers[i], err))
            return HITL_E_ARG;
    for (size_t i = 0; i < req->n_headers; i++)
        if (hitl_http_header_line_check(req->headers[i], err))
            return HITL_E_ARG;
    if (url_check(req->url, err))
        return HITL_E_ARG;
    for (size_t i = 0; i < c->n_headers; i++)
        *hdrs = curl_slist_append(*hdrs, c->headers[i]);
    for (size_t i = 0; i < req->n_headers; i++)
        *hdrs = curl_slist_append(*hdrs, req->headers[i]);
    /* libcurl would otherwise send "Expect: 100-continue" on large bodies and wait. */
    *hdrs = curl_slist_append(*hdrs, "Expect:");
    if (!*hdrs)
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory building headers");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, *hdrs);

    if (req->n_parts) {
        *mime = curl_mime_init(h);
        for (size_t i = 0; i < req->n_parts && *mime; i++) {
            const hitl_http_part *p = &req->parts[i];
            curl_mimepart *part = curl_mime_addpart(*mime);
            if (!part)
                return hitl_err_set(err, HITL_E_NOMEM, "out of memory building multipart body");
            curl_mime_data(part, p->data ? p->data : "", p->len);
            if (p->no_content_type) {
                int rc = untyped_part(part, p, err);
                if (rc)
                    return rc;
                continue;
            }
            curl_mime_name(part, p->name);
            if (p->filename)
                curl_mime_filename(part, p->filename);
            if (p->content_type)
                curl_mime_type(part, p->content_type);
        }
        curl_easy_setopt(h, CURLOPT_MIMEPOST, *mime);
    } else if (req->body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body);
    }
    const char *method = req->method ? req->method : "GET";
    if (!strcmp(method, "GET") && !req->body && !req->n_parts)
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    else if (!strcmp(method, "POST") && !req->body && !req->n_parts) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
    } else if (!strcmp(method, "HEAD"))
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    if (strcmp(method, "GET") && strcmp(method, "POST") && strcmp(method, "HEAD"))
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    return HITL_OK;
}

int hitl_http_do(hitl_http *c, const hitl_http_request *req, hitl_http_response *resp,
                 hitl_err *err)
{
    memset(resp, 0, sizeof *resp);
    transfer t = {.req = req, .resp = resp, .tap = c->on_exchange != NULL};
    t.max_body = req->max_body ? req->max_body : c->max_body;
    t.idle_ms = req->idle_timeout_ms;
    hitl_buf_init(&resp->body, t.max_body);
    hitl_buf_init(&t.sent_head, HITL_HTTP_MAX_HEADER_BYTES);
    hitl_buf_init(&t.tapped_body, c->exchange_body_max);
    if (!req->url)
        return hitl_err_set(err, HITL_E_ARG, "request without a URL");
    long timeout_ms = req->timeout_ms > 0 ? req->timeout_ms : c->timeout_ms;

    CURL *h = curl_easy_init();
    if (!h)
        return hitl_err_set(err, HITL_E_NOMEM, "could not create a curl handle");
    struct curl_slist *hdrs = NULL;
    curl_mime *mime = NULL;
    char curl_msg[CURL_ERROR_SIZE] = "";
    int rc = setup_request(h, c, req, &hdrs, &mime, err);
    if (rc)
        goto done;

    curl_easy_setopt(h, CURLOPT_URL, req->url);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_msg);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     timeout_ms < CONNECT_TIMEOUT_MS ? timeout_ms : CONNECT_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "hitlcheck");
    if (req->accept_encoding)
        curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, req->accept_encoding);
    if (!req->on_body)
        curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)t.max_body);
    /* An explicit empty proxy also stops libcurl reading http_proxy from the environment. */
    curl_easy_setopt(h, CURLOPT_PROXY, c->proxy ? c->proxy : "");
    if (c->cacert)
        curl_easy_setopt(h, CURLOPT_CAINFO, c->cacert);
    if (c->insecure) {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (req->source_ip)
        curl_easy_setopt(h, CURLOPT_INTERFACE, req->source_ip);
    if (t.tap) {
        /* With a debug callback, VERBOSE output goes to it only: nothing is printed. */
        curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
        curl_easy_setopt(h, CURLOPT_DEBUGDATA, &t);
        curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
    }

    struct timespec start, wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    clock_gettime(CLOCK_MONOTONIC, &start);
    t.last_byte = start;
    hitl_err failure = {0};
    CURLcode cc = curl_easy_perform(h);
    resp->seconds = (double)elapsed_ms(&start) / 1000.0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
    if (cc == CURLE_OK) {
        rc = HITL_OK;
    } else if (t.sink_stopped) {
        resp->stopped = true;
        rc = HITL_OK;
    } else {
        /* Into a local first: the hook needs the message even when the caller passed no err. */
        rc = map_curl_error(cc, &t, timeout_ms, req->url,
                            curl_msg[0] ? curl_msg : curl_easy_strerror(cc), &failure);
        if (err)
            *err = failure;
    }
    if (t.tap)
        tell_hook(c, h, &t, &wall, &start, rc ? &failure : NULL);
done:
    curl_easy_cleanup(h);
    curl_mime_free(mime);
    curl_slist_free_all(hdrs);
    hitl_buf_free(&t.sent_head);
    hitl_buf_free(&t.tapped_body);
    return rc;
}

void hitl_http_response_free(hitl_http_response *resp)
{
    if (!resp)
        return;
    clear_headers(resp);
    hitl_buf_free(&resp->body);
}

const char *hitl_http_header_get(const hitl_http_response *resp, const char *name)
{
    for (size_t i = 0; i < resp->n_headers; i++)
        if (!strcasecmp(resp->headers[i].name, name))
            return resp->headers[i].value;
    return NULL;
}
