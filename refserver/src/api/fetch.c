/* fetch.c: libcurl fetch with an address check on every socket it opens. */
#include "fetch.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

typedef struct fetch_ctx {
    const rs_fetch_opts *o;
    rs_fetch_result *res;
    int blocked, too_big;
    int squid; /* the final response's Server or Via header names squid */
} fetch_ctx;

int rs_fetch_url_ok(const char *url)
{
    CURLU *u = curl_url();
    if (!u)
        return 0;
    int ok = 0;
    char *scheme = NULL, *host = NULL;
    if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
        ok = (strcasecmp(scheme, "http") == 0 || strcasecmp(scheme, "https") == 0) && host[0];
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return ok;
}

static int v4_blocked(uint32_t a, int allow_loopback)
{
    uint8_t b0 = (uint8_t)(a >> 24), b1 = (uint8_t)(a >> 16);
    if (b0 == 127)
        return !allow_loopback;
    return b0 == 0 || b0 == 10 || (b0 == 100 && (b1 & 0xc0) == 64) /* CGNAT */ ||
           (b0 == 169 && b1 == 254) || (b0 == 172 && (b1 & 0xf0) == 16) ||
           (b0 == 192 && b1 == 168) || (b0 == 192 && b1 == 0 && (uint8_t)(a >> 8) == 0) ||
           (b0 == 198 && (b1 & 0xfe) == 18) /* benchmarking */ || b0 >= 224;
}

int rs_fetch_addr_blocked(const struct sockaddr *sa, int allow_loopback)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        return v4_blocked(ntohl(in->sin_addr.s_addr), allow_loopback);
    }
    if (sa->sa_family != AF_INET6)
        return 1;
    const uint8_t *b = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
    static const uint8_t zero[16];
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
    uint32_t v4 = (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 | b[15];
    if (memcmp(b, zero, 15) == 0 && (b[15] == 0 || b[15] == 1)) /* :: and ::1 */
        return b[15] == 1 ? !allow_loopback : 1;
    if (memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0 || memcmp(b, zero, 12) == 0)
        return v4_blocked(v4, allow_loopback); /* v4-mapped, NAT64, v4-compatible */
    return b[0] == 0xff /* multicast */ || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) /* link */ ||
           (b[0] & 0xfe) == 0xfc /* unique local */ ||
           (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) /* site-local */ ||
           (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) /* documentation */;
}

static int allowed_exactly(const fetch_ctx *c, const struct sockaddr *sa)
{
    char ip[INET6_ADDRSTRLEN];
    unsigned port;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        inet_ntop(AF_INET, &in->sin_addr, ip, sizeof ip);
        port = ntohs(in->sin_port);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in = (const struct sockaddr_in6 *)(const void *)sa;
        inet_ntop(AF_INET6, &in->sin6_addr, ip, sizeof ip);
        port = ntohs(in->sin6_port);
    } else {
        return 0;
    }
    for (size_t i = 0; i < c->o->nallow; i++) {
        unsigned char want[16], got[16];
        int fam = strchr(c->o->allow[i].host, ':') ? AF_INET6 : AF_INET;
        if (c->o->allow[i].port == port && fam == sa->sa_family &&
            inet_pton(fam, c->o->allow[i].host, want) == 1 && inet_pton(fam, ip, got) == 1 &&
            memcmp(want, got, fam == AF_INET ? 4 : 16) == 0)
            return 1;
    }
    return 0;
}

static curl_socket_t open_cb(void *clientp, curlsocktype purpose, struct curl_sockaddr *addr)
{
    fetch_ctx *c = clientp;
    if (purpose != CURLSOCKTYPE_IPCXN)
        return CURL_SOCKET_BAD;
    if (!allowed_exactly(c, &addr->addr) &&
        rs_fetch_addr_blocked(&addr->addr, c->o->allow_loopback)) {
        c->blocked = 1;
        return CURL_SOCKET_BAD;
    }
    return socket(addr->family, addr->socktype, addr->protocol);
}

static size_t write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    fetch_ctx *c = userdata;
    size_t n = size * nmemb;
    size_t have = c->res->size < sizeof c->res->body_head - 1 ? (size_t)c->res->size
                                                              : sizeof c->res->body_head - 1;
    size_t take = sizeof c->res->body_head - 1 - have;
    if (take > n)
        take = n;
    memcpy(c->res->body_head + have, ptr, take); /* the array is zeroed: stays terminated */
    c->res->size += n;
    if (c->o->max_bytes && c->res->size > c->o->max_bytes) {
        c->too_big = 1;
        return 0; /* abort the transfer: the cap holds while streaming */
    }
    return n;
}

/* names_squid: 1 when |value| holds "squid" in any case (Dify lowercases Server and Via and
 * looks for the word: ssrf_proxy.py, "squid" in server_header or via_header). */
static int names_squid(const char *value)
{
    for (const char *p = value; *p; p++)
        if (strncasecmp(p, "squid", 5) == 0)
            return 1;
    return 0;
}

/* header_cb keeps the filename of the final response's Content-Disposition, and whether its
 * Server or Via header names squid. */
static size_t header_cb(char *buf, size_t size, size_t nitems, void *userdata)
{
    fetch_ctx *c = userdata;
    size_t n = size * nitems;
    char line[512];
    size_t l = n < sizeof line - 1 ? n : sizeof line - 1;
    memcpy(line, buf, l);
    line[l] = '\0';
    if (strncasecmp(line, "HTTP/", 5) == 0) {
        c->res->filename[0] = '\0';
        c->squid = 0;
        return n;
    }
    if (strncasecmp(line, "Server:", 7) == 0 || strncasecmp(line, "Via:", 4) == 0) {
        c->squid |= names_squid(line + (line[0] == 'V' || line[0] == 'v' ? 4 : 7));
        return n;
    }
    if (strncasecmp(line, "Content-Disposition:", 20) != 0)
        return n;
    char *f = strstr(line, "filename=");
    if (!f)
        return n;
    f += 9;
    if (*f == '"')
        f++;
    size_t k = strcspn(f, "\";\r\n");
    if (k >= sizeof c->res->filename)
        k = sizeof c->res->filename - 1;
    memcpy(c->res->filename, f, k);
    c->res->filename[k] = '\0';
    return n;
}

void rs_fetch(const char *url, const rs_fetch_opts *o, rs_fetch_result *res)
{
    memset(res, 0, sizeof *res);
    if (!rs_fetch_url_ok(url)) {
        res->status = RS_FETCH_BAD_URL;
        snprintf(res->error, sizeof res->error, "not an http(s) URL");
        return;
    }
    CURL *h = curl_easy_init();
    if (!h) {
        res->status = RS_FETCH_NETWORK;
        snprintf(res->error, sizeof res->error, "out of memory");
        return;
    }
    fetch_ctx c = {o, res, 0, 0, 0};
    int proxied = o->proxy && o->proxy[0];
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    /* The proxy given, or none: never one from the environment (http_proxy), and no
     * no_proxy list from the environment that would send a request around the proxy. */
    curl_easy_setopt(h, CURLOPT_PROXY, proxied ? o->proxy : "");
    curl_easy_setopt(h, CURLOPT_NOPROXY, "");
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 3L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)o->timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)o->timeout_ms);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "hitl-refserver");
    if (!proxied) { /* behind a proxy, the proxy judges the destination */
        curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_cb);
        curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &c);
    }
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &c);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &c);
    if (o->head)
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    else if (o->max_bytes)
        curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_bytes);
    CURLcode cc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &res->http_code);
    char *ct = NULL;
    if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
        snprintf(res->content_type, sizeof res->content_type, "%s", ct);
    if (c.blocked) {
        res->status = RS_FETCH_BLOCKED;
        snprintf(res->error, sizeof res->error, "the address is not allowed");
    } else if (cc == CURLE_OK && c.squid && (res->http_code == 401 || res->http_code == 403)) {
        res->status = RS_FETCH_BLOCKED;
        snprintf(res->error, sizeof res->error, "blocked by the SSRF proxy (HTTP %ld from squid)",
                 res->http_code);
    } else if (c.too_big || cc == CURLE_FILESIZE_EXCEEDED) {
        res->status = RS_FETCH_TOO_BIG;
        snprintf(res->error, sizeof res->error, "file size exceeded");
    } else if (cc != CURLE_OK) {
        res->status = RS_FETCH_NETWORK;
        snprintf(res->error, sizeof res->error, "%s", curl_easy_strerror(cc));
    }
    curl_easy_cleanup(h);
}

void rs_fetch_url_name(const char *url, char *out, size_t cap)
{
    out[0] = '\0';
    CURLU *u = curl_url();
    char *path = NULL;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PATH, &path, CURLU_URLDECODE) == CURLUE_OK) {
        const char *slash = strrchr(path, '/');
        snprintf(out, cap, "%s", slash ? slash + 1 : path);
    }
    curl_free(path);
    curl_url_cleanup(u);
}
