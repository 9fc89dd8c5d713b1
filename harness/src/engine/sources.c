/* sources.c: are the harness's loopback source addresses distinct clients (sources.h)? */
#include "hitl/sources.h"

#include "hitl/buf.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define URL_MAX 2048u

/* One GET of an unknown form token from |src|: its status, or 0 on a transport error. */
static long get_unknown(hitl_http *http, const hitl_target *t, const char *src, unsigned n)
{
    char path[96];
    snprintf(path, sizeof path, "/form/human_input/hitlsrcverify%010u", n);
    hitl_buf url;
    hitl_buf_init(&url, URL_MAX);
    long status = 0;
    if (!hitl_target_url(t, HITL_SURFACE_WEB, &url, path)) {
        hitl_http_request req = {.method = "GET",
                                 .url = hitl_buf_str(&url),
                                 .timeout_ms = t->timeout_ms,
                                 .source_ip = src,
                                 .origin_check = "sources-verify",
                                 .origin_surface = "web"};
        hitl_http_response resp;
        hitl_err err = {0};
        if (!hitl_http_do(http, &req, &resp, &err))
            status = resp.status;
        hitl_http_response_free(&resp);
    }
    hitl_buf_free(&url);
    return status;
}

bool hitl_sources_verify(hitl_http *http, const hitl_target *t, char *why, size_t cap)
{
    /* 127.0.1.k and 127.0.2.k: neither the checks' own 127.0.0.x nor the rate-limit checks'
     * 127.<1…200>.<check>.<n>; k follows the clock, so that a rerun within one window finds
     * empty buckets. */
    unsigned k = 1u + (unsigned)(time(NULL) % 250);
    char a[32], b[32];
    snprintf(a, sizeof a, "127.0.1.%u", k);
    snprintf(b, sizeof b, "127.0.2.%u", k);
    int max = t->rate_max > 0 ? t->rate_max : 1;
    for (int i = 0; i <= max; i++) {
        long s = get_unknown(http, t, a, (unsigned)i);
        if (!s || (s == 429) != (i == max)) {
            snprintf(why, cap,
                     "not verified: form GET %d of %d from %s answered %s%ld (the next needs "
                     "a 429 exactly after %d)",
                     i + 1, max + 1, a, s ? "HTTP " : "no answer, ", s, max);
            return false;
        }
    }
    long s = get_unknown(http, t, b, (unsigned)max + 1);
    if (s == 429 || !s) {
        snprintf(why, cap, "%s: with %s's GET bucket exhausted, a GET from %s answered %s%ld",
                 s ? "one bucket" : "not verified", a, b, s ? "HTTP " : "no answer, ", s);
        return false;
    }
    snprintf(why, cap, "verified: with %s's GET bucket exhausted, a GET from %s answered HTTP %ld",
             a, b, s);
    return true;
}
