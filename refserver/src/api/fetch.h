/* fetch.h: SSRF-safe remote fetches with libcurl, standing in for Dify's ssrf_proxy (§6.3).
 * Every address curl is about to connect to (first hop and redirects alike) is checked in
 * CURLOPT_OPENSOCKETFUNCTION: loopback, private, link-local, unspecified, multicast and
 * reserved addresses (IPv4, IPv6, v4-mapped/-compatible and NAT64 forms) are refused before
 * any connection, unless the exact IP:port is in the allow-list. http/https only, at most 3
 * redirects, bounded time and size; the body is counted and discarded.
 * With a proxy (--fetch-proxy, Dify's SSRF_PROXY_HTTP_URL) every request goes through it and
 * the destination check is the proxy's, as in Dify, whose in-process address guard stands
 * aside when a proxy is configured: the only socket opened is the proxy's. A 401/403 whose
 * Server or Via header names squid is the proxy's refusal (RS_FETCH_BLOCKED), as Dify's
 * ssrf_proxy turns it into ToolSSRFError. */
#ifndef RS_FETCH_H
#define RS_FETCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "refserver/refserver.h"

typedef struct rs_fetch_opts {
    const hitl_refserver_allow *allow; /* allow and allow_loopback: unused with a proxy */
    size_t nallow;
    int allow_loopback; /* the ssrf-loopback fault */
    int64_t timeout_ms; /* connect and total */
    uint64_t max_bytes; /* 0 = no limit (bytes are still only counted) */
    int head;           /* send HEAD, not GET: the status and headers only (--behave dify) */
    const char *proxy;  /* "http://HOST:PORT" of the SSRF proxy; NULL or "" = direct */
} rs_fetch_opts;

typedef enum rs_fetch_status {
    RS_FETCH_OK = 0,  /* a response arrived (any HTTP status: see http_code) */
    RS_FETCH_BAD_URL, /* not an http(s) URL with a host */
    RS_FETCH_BLOCKED, /* an address was refused by the SSRF check, or squid answered 401/403 */
    RS_FETCH_TOO_BIG, /* Content-Length or the streamed body passed max_bytes */
    RS_FETCH_NETWORK  /* resolve/connect/timeout/protocol failure, too many redirects */
} rs_fetch_status;

typedef struct rs_fetch_result {
    rs_fetch_status status;
    long http_code;
    uint64_t size; /* body bytes received */
    char content_type[128];
    char filename[256];  /* from Content-Disposition, "" when absent */
    char body_head[128]; /* the body's first bytes, NUL-terminated (a legacy error message
                            quotes them) */
    char error[256];     /* human description when status != OK */
} rs_fetch_result;

/* rs_fetch_url_ok: 1 when |url| parses as http:// or https:// with a host. */
int rs_fetch_url_ok(const char *url);
/* rs_fetch_addr_blocked: 1 when |sa| is in a range the SSRF check refuses. */
int rs_fetch_addr_blocked(const struct sockaddr *sa, int allow_loopback);
/* rs_fetch GETs (or with o->head, HEADs) |url| under |o| and fills |res|. Blocking;
 * thread-safe. */
void rs_fetch(const char *url, const rs_fetch_opts *o, rs_fetch_result *res);
/* rs_fetch_url_name writes the last path segment of |url| (percent-decoded, "" if none). */
void rs_fetch_url_name(const char *url, char *out, size_t cap);

#endif
