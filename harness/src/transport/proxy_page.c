/* proxy_page.c: recognising a front end's own error page (see proxy_page.h). */
#include "hitl/proxy_page.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* The body prefix searched: every front end's error page puts its signature in its first
 * few hundred bytes. */
#define SCAN_MAX 4096u

/* A signature found in a page's body. |front| NULL: the name follows the needle (nginx's
 * template ends `<hr><center>NAME</center>` for nginx, OpenResty, Tengine, AWS ELB). */
typedef struct signature {
    const char *needle;
    const char *also; /* a second needle that must be there too, or NULL */
    const char *front;
    const char *evidence;
} signature;

static const signature SIGNATURES[] = {
    {"<hr><center>", NULL, NULL, "an HTML page signed <hr><center>…</center> (nginx's template)"},
    {"<center><h1>", "</h1></center>", "nginx",
     "an HTML page in nginx's template (<center><h1>…</h1></center>)"},
    {"<h1><p>", "</p></h1>", "gunicorn", "gunicorn's HTML error template (<h1><p>…</p></h1>)"},
    {"<address>Apache", NULL, "Apache", "an HTML page signed <address>Apache…</address>"},
    {"Generated ", "squid/", "squid", "squid's error page (Generated … by … (squid/…))"},
    {"Your browser sent an invalid request", NULL, "HAProxy", "HAProxy's 400 page"},
    {"No server is available to handle this request", NULL, "HAProxy", "HAProxy's 503 page"},
    {"The server didn't respond in time", NULL, "HAProxy", "HAProxy's 504 page"},
    {"cloudflare", "Ray ID", "Cloudflare", "Cloudflare's error page (a Ray ID)"},
    {"upstream connect error or disconnect/reset before headers", NULL, "Envoy",
     "Envoy's upstream error text"},
    {"no healthy upstream", NULL, "Envoy", "Envoy's upstream error text"},
};

/* Case-insensitive search of |needle| in the |len| bytes at |hay| (NULs allowed). */
static const char *find_ci(const char *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; n && i + n <= len; i++) {
        size_t k = 0;
        while (k < n && tolower((unsigned char)hay[i + k]) == tolower((unsigned char)needle[k]))
            k++;
        if (k == n)
            return hay + i;
    }
    return NULL;
}

/* The name after nginx's `<hr><center>`: letters, digits, '-', '_' and '.', up to the
 * version's '/' ("nginx/1.25.3" → "nginx"). */
static void name_after(const char *p, const char *end, char *out, size_t cap)
{
    size_t n = 0;
    while (p < end && n + 1 < cap &&
           (isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.'))
        out[n++] = *p++;
    out[n] = '\0';
}

static bool is_json_object(const hitl_http_response *resp)
{
    cJSON *root = cJSON_ParseWithLength(hitl_buf_str(&resp->body), resp->body.len);
    bool obj = cJSON_IsObject(root);
    cJSON_Delete(root);
    return obj;
}

bool hitl_proxy_page_detect(const hitl_http_response *resp, hitl_proxy_page *out)
{
    if (resp->status < 400 || is_json_object(resp))
        return false;
    const char *body = hitl_buf_str(&resp->body);
    size_t len = resp->body.len < SCAN_MAX ? resp->body.len : SCAN_MAX;
    hitl_proxy_page page = {.front = "", .evidence = NULL};
    if (hitl_http_header_get(resp, "X-Squid-Error")) {
        snprintf(page.front, sizeof page.front, "squid");
        page.evidence = "an X-Squid-Error header";
    }
    for (size_t i = 0; !page.evidence && i < sizeof SIGNATURES / sizeof SIGNATURES[0]; i++) {
        const signature *s = &SIGNATURES[i];
        const char *at = find_ci(body, len, s->needle);
        if (!at || (s->also && !find_ci(body, len, s->also)))
            continue;
        if (s->front)
            snprintf(page.front, sizeof page.front, "%s", s->front);
        else
            name_after(at + strlen(s->needle), body + len, page.front, sizeof page.front);
        if (!page.front[0])
            snprintf(page.front, sizeof page.front, "a front end");
        page.evidence = s->evidence;
    }
    /* Go's net/http 404 text, which Traefik and other Go proxies answer for a route they do
     * not know: the whole body, nothing else. */
    if (!page.evidence && resp->body.len == 19 && !memcmp(body, "404 page not found\n", 19)) {
        snprintf(page.front, sizeof page.front, "a Go proxy (Traefik?)");
        page.evidence = "Go's net/http \"404 page not found\" text";
    }
    if (!page.evidence)
        return false;
    if (out)
        *out = page;
    return true;
}

void hitl_proxy_page_describe(const hitl_http_response *resp, const hitl_proxy_page *page,
                              char *out, size_t cap)
{
    const char *server = hitl_http_header_get(resp, "Server");
    const char *ct = hitl_http_header_get(resp, "Content-Type");
    snprintf(out, cap,
             "the front end (%s) answered HTTP %ld with its own page (%s; Content-Type %.60s; "
             "Server %.60s), not the app",
             page->front, resp->status, page->evidence, ct ? ct : "none", server ? server : "none");
}
