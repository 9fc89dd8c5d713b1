/* http.h: the harness's HTTP transport over libcurl. Every request has a total timeout,
 * an optional idle timeout (no byte for N ms), a cap on the stored body and on response
 * headers; redirects are never followed (a 3xx is reported as it is, so nothing leaves
 * the target's origin) and bodies are never decompressed (a gzip bomb stays small).
 * Nothing a server sent can split a request: a header line holding a control byte (CR,
 * LF, NUL, …), or a URL holding a control byte or a space, is refused before libcurl sees
 * it (HITL_E_ARG naming the header; its value is not shown). A connection is used for one
 * request and closed: the harness never reconnects by itself, whatever a server says.
 * Each request uses its own curl handle, so a client may be shared by threads.
 * The caller must have called curl_global_init() once, before any thread starts. */
#ifndef HITL_HTTP_H
#define HITL_HTTP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "hitl/buf.h"
#include "hitl/err.h"

typedef struct hitl_http hitl_http;
typedef struct hitl_http_exchange hitl_http_exchange;

/* The exchange hook (hitl_http_config.on_exchange): told of every exchange once it has
 * ended, answered or not, on the thread that made it; it must be thread-safe. |x| and all
 * it points to are borrowed for the call. The trace (trace.h) is one. */
typedef void (*hitl_http_exchange_fn)(void *user, const hitl_http_exchange *x);

typedef struct hitl_http_config {
    const char *proxy;          /* NULL: none (libcurl's proxy environment is ignored) */
    bool insecure;              /* skip TLS verification (off by default) */
    const char *cacert;         /* CA bundle file, NULL for the system's */
    long timeout_ms;            /* default total timeout per request; 0 = 30 s */
    size_t max_body;            /* default cap on a stored body; 0 = 8 MiB */
    const char *const *headers; /* extra "Name: value" headers sent on every request */
    size_t n_headers;
    hitl_http_exchange_fn on_exchange; /* NULL: none */
    void *exchange_user;
    size_t exchange_body_max; /* response body bytes the hook sees; 0 = 1 MiB */
} hitl_http_config;

/* One part of a multipart/form-data body: a file when filename is not NULL. */
typedef struct hitl_http_part {
    const char *name;
    const char *filename;
    const char *content_type; /* NULL: libcurl's default (guessed from the filename) */
    const void *data;
    size_t len;
    /* true: the part carries no Content-Type header at all (content_type is ignored), as a
     * client that knows no type sends it. name and filename must then hold no `"`, `\`,
     * CR or LF (hitl_http_do answers HITL_E_ARG), since they are written as given. */
    bool no_content_type;
} hitl_http_part;

/* A streaming sink: receives body bytes as they arrive. Return 0 to go on, non-zero to
 * stop the transfer early (hitl_http_do then returns HITL_OK with resp->stopped set). */
typedef int (*hitl_http_body_fn)(void *user, const char *data, size_t len);

typedef struct hitl_http_request {
    const char *method; /* "GET", "POST", … */
    const char *url;
    const char *const *headers; /* "Name: value"; "Name:" removes a default header */
    size_t n_headers;
    const char *body; /* raw body (with Content-Type in headers), or NULL */
    size_t body_len;
    const hitl_http_part *parts; /* multipart body, used when n_parts > 0 */
    size_t n_parts;
    long timeout_ms;           /* total; 0 = the client's default */
    long idle_timeout_ms;      /* abort when no byte arrives for this long; 0 = off */
    size_t max_body;           /* stored-body cap; 0 = the client's default */
    hitl_http_body_fn on_body; /* when set, body bytes go here and are not stored */
    void *user;
    const char *source_ip; /* local address to send from (per-IP checks), or NULL */
    /* When set and non-zero (CLOCK_MONOTONIC), the transfer is aborted with HITL_E_TIMEOUT
     * once that time passes. The body sink may set it during the transfer (a deadline
     * that starts with some event). */
    const struct timespec *abort_at;
    /* When set, another thread may store a non-zero value to end the transfer: it is then
     * aborted with HITL_E_STOPPED at the next progress callback (libcurl calls it about once
     * a second while waiting). A stream the caller no longer needs ends without its wait. */
    const atomic_int *cancel;
    /* The same for the whole run (the engine's deadline and circuit breaker): when it holds
     * a non-zero value the transfer ends with HITL_E_STOPPED, "the run was stopped". */
    const atomic_int *run_stop;
    /* Who made the request, for the exchange hook only (the engine sets the check ID and
     * "web"/"service"); NULL for the harness's own requests (the probe). */
    const char *origin_check;
    const char *origin_surface;
    /* When set, the Accept-Encoding the request offers ("" = every encoding libcurl decodes),
     * and the body is decoded before the sink or the store sees it, so every cap applies to
     * decoded bytes. NULL: no Accept-Encoding header, the body as it came. */
    const char *accept_encoding;
} hitl_http_request;

typedef struct hitl_http_header {
    char *name;
    char *value;
} hitl_http_header;

typedef struct hitl_http_response {
    long status;               /* 0 when no response arrived */
    hitl_http_header *headers; /* of the final response */
    size_t n_headers;
    hitl_buf body;       /* the stored body (empty when streamed) */
    size_t body_bytes;   /* bytes received, stored or streamed */
    double seconds;      /* wall time of the exchange */
    bool stopped;        /* the sink stopped the transfer */
    bool headers_capped; /* the header caps below ended the transfer */
} hitl_http_response;

#define HITL_HTTP_MAX_HEADER_BYTES (256u * 1024u)
#define HITL_HTTP_MAX_HEADERS 1000u

/* One ended exchange, as the exchange hook sees it. */
struct hitl_http_exchange {
    const hitl_http_request *req;
    const hitl_http_response *resp; /* status 0: no response arrived */
    const hitl_err *err;            /* the transport error; NULL when a response arrived */
    struct timespec started;        /* CLOCK_REALTIME at the start (for display) */
    struct timespec started_mono;   /* CLOCK_MONOTONIC at the start (for ordering) */
    /* The request head as libcurl sent it ("POST /v1/x HTTP/1.1\r\nHost: …\r\n\r\n"):
     * every header, the client's and libcurl's included; NULL when nothing was sent. */
    const char *sent_head;
    size_t sent_head_len;
    size_t sent_body_bytes;  /* request body bytes sent */
    const char *status_line; /* the last status line, no CRLF; NULL when none came */
    /* The response body's first bytes (at most exchange_body_max), stored or streamed to
     * the request's sink alike; resp->body_bytes is the whole count. */
    const char *body;
    size_t body_len;
    /* Seconds from the start to the end of each phase, as libcurl measured them; 0 when
     * the phase was not reached (or, t_posttransfer, libcurl cannot tell: before 8.10). */
    double t_dns, t_connect, t_tls, t_pretransfer, t_posttransfer, t_first_byte, t_total;
};

int hitl_http_new(hitl_http **out, const hitl_http_config *cfg, hitl_err *err);
void hitl_http_free(hitl_http *client);

/* hitl_http_do performs |req| and fills |resp| (call hitl_http_response_free after, in
 * every case). Returns 0 when a response was received (any status); HITL_E_TIMEOUT when
 * the total or idle timeout ran out; HITL_E_TOO_BIG when the body or headers passed
 * their caps; HITL_E_NETWORK when the connection failed; HITL_E_STOPPED when |cancel| or
 * |run_stop| ended it; HITL_E_ARG for a bad request (a header line or URL that
 * hitl_http_header_line_check / the URL check refuse: nothing is sent).
 * On error |resp| still holds what arrived (status, headers, partial body). */
int hitl_http_do(hitl_http *client, const hitl_http_request *req, hitl_http_response *resp,
                 hitl_err *err);

void hitl_http_response_free(hitl_http_response *resp);

/* hitl_http_header_line_check judges one "Name: value" request header line: 0, or
 * HITL_E_ARG with a message naming the header (never its value, which may be a secret)
 * when the line holds a byte below 0x20 other than a tab, or 0x7F: CR and LF would end the
 * line and start another one of the server's choosing, NUL would cut it. */
int hitl_http_header_line_check(const char *line, hitl_err *err);

/* Case-insensitive header lookup in a response; NULL when absent. */
const char *hitl_http_header_get(const hitl_http_response *resp, const char *name);

#endif
