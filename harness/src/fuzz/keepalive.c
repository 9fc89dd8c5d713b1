/* keepalive.c: the fuzz session's HTTP client: one libcurl handle kept per thread, so that
 * requests to the one origin reuse their connection. The harness's transport (http.h) opens a
 * connection per request on purpose (a conformance trace must show each exchange alone), which
 * caps a campaign near 700 requests/s on loopback; a fuzzer needs several thousand. The rules
 * of http.h hold here too: no redirect followed (nothing leaves the origin), no decompression,
 * a total timeout and a body cap on every request, a header line with a control byte refused
 * (hitl_http_header_line_check), and the answer filled into a hitl_http_response that
 * hitl_http_response_free frees. A candidate for the transport layer ("a session"). */
#include "keepalive.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

struct fz_http {
    CURL *h;
};

int fz_http_new(fz_http **out, hitl_err *err)
{
    *out = calloc(1, sizeof **out);
    if (!*out || !((*out)->h = curl_easy_init())) {
        free(*out);
        *out = NULL;
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory (libcurl handle)");
    }
    return 0;
}

void fz_http_free(fz_http *c)
{
    if (!c)
        return;
    curl_easy_cleanup(c->h);
    free(c);
}

typedef struct xfer {
    const hitl_http_request *req;
    bool stopped;
    hitl_http_response *resp;
    size_t max_body;
    bool too_big;
    size_t header_bytes;
} xfer;

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *user)
{
    xfer *x = user;
    size_t n = size * nmemb;
    x->resp->body_bytes += n;
    if (x->req->on_body && x->req->on_body(x->req->user, ptr, n)) {
        x->stopped = true;
        return 0;
    }
    if (n > x->max_body - x->resp->body.len || hitl_buf_append(&x->resp->body, ptr, n)) {
        x->too_big = true;
        return 0;
    }
    return n;
}

static size_t on_header(char *buf, size_t size, size_t nitems, void *user)
{
    xfer *x = user;
    hitl_http_response *r = x->resp;
    size_t n = size * nitems;
    x->header_bytes += n;
    if (x->header_bytes > HITL_HTTP_MAX_HEADER_BYTES)
        return 0;
    if (n >= 5 && !memcmp(buf, "HTTP/", 5)) { /* a new response (100 Continue, then the final) */
        for (size_t i = 0; i < r->n_headers; i++) {
            free(r->headers[i].name);
            free(r->headers[i].value);
        }
        r->n_headers = 0;
        return n;
    }
    const char *colon = memchr(buf, ':', n);
    if (!colon || r->n_headers >= 200)
        return n;
    hitl_http_header *nh = realloc(r->headers, (r->n_headers + 1) * sizeof *nh);
    if (!nh)
        return 0;
    r->headers = nh;
    const char *v = colon + 1, *end = buf + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    nh[r->n_headers].name = strndup(buf, (size_t)(colon - buf));
    nh[r->n_headers].value = strndup(v, (size_t)(end - v));
    if (!nh[r->n_headers].name || !nh[r->n_headers].value) {
        free(nh[r->n_headers].name);
        free(nh[r->n_headers].value);
        return 0;
    }
    r->n_headers++;
    return n;
}

int fz_http_do(fz_http *c, const hitl_http_request *req, hitl_http_response *resp, hitl_err *err)
{
    memset(resp, 0, sizeof *resp);
    size_t max_body = req->max_body ? req->max_body : (8u << 20);
    hitl_buf_init(&resp->body, max_body);
    for (const char *p = req->url; *p; p++)
        if ((unsigned char)*p <= 0x20 || *p == 0x7f)
            return hitl_err_set(err, HITL_E_ARG, "a URL with a control byte or a space");
    struct curl_slist *hdrs = NULL;
    for (size_t i = 0; i < req->n_headers; i++) {
        if (hitl_http_header_line_check(req->headers[i], err)) {
            curl_slist_free_all(hdrs);
            return HITL_E_ARG;
        }
        hdrs = curl_slist_append(hdrs, req->headers[i]);
    }
    /* No 100-continue round trip for bodies over 1 KiB. */
    hdrs = curl_slist_append(hdrs, "Expect:");
    CURL *h = c->h;
    curl_easy_reset(h);
    curl_mime *mime = NULL;
    if (req->n_parts) {
        mime = curl_mime_init(h);
        for (size_t i = 0; i < req->n_parts; i++) {
            const hitl_http_part *p = &req->parts[i];
            curl_mimepart *mp = curl_mime_addpart(mime);
            curl_mime_name(mp, p->name);
            curl_mime_data(mp, p->data ? p->data : "", p->len);
            if (p->filename)
                curl_mime_filename(mp, p->filename);
            if (p->content_type && !p->no_content_type)
                curl_mime_type(mp, p->content_type);
        }
        curl_easy_setopt(h, CURLOPT_MIMEPOST, mime);
    } else if (req->body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body);
    } else if (!strcmp(req->method, "POST")) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    if (strcmp(req->method, "GET") && strcmp(req->method, "POST"))
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
    xfer x = {req, false, resp, max_body, false, 0};
    long timeout = req->timeout_ms ? req->timeout_ms : 5000;
    curl_easy_setopt(h, CURLOPT_URL, req->url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "hitlcheck-fuzz");
    curl_easy_setopt(h, CURLOPT_PROXY, "");
    char msg[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, msg);
    CURLcode cc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
    curl_slist_free_all(hdrs);
    curl_mime_free(mime);
    resp->stopped = x.stopped;
    if (cc == CURLE_OK || x.stopped)
        return 0;
    if (x.too_big)
        return hitl_err_set(err, HITL_E_TOO_BIG, "the answer passed %zu bytes", max_body);
    if (cc == CURLE_OPERATION_TIMEDOUT)
        return hitl_err_set(err, HITL_E_TIMEOUT, "no answer within %ld ms", timeout);
    return hitl_err_set(err, HITL_E_NETWORK, "%s", msg[0] ? msg : curl_easy_strerror(cc));
}
