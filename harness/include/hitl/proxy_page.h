/* proxy_page.h: recognising an error page that a front end wrote itself — a reverse proxy
 * (nginx in Dify's docker deployment), a load balancer, a CDN or the WSGI server (gunicorn)
 * — instead of the app behind it. Such a page is not the app's §1.3 JSON error: nginx
 * answers a request line over 8 KiB with its own HTML 414 before the app sees the request
 * (Dify's docker/nginx sets no large_client_header_buffers, so nginx's default 4 8k
 * applies), gunicorn alone an HTML 400. A check that judges an error body asks here first,
 * so that the front end's page is never judged as the app's answer.
 *
 * The recognition reads the body, not the Server header: behind nginx every answer, the
 * app's own included, carries `Server: nginx` (nginx hides the upstream's), so only the
 * page itself tells the front end's from the app's. A JSON body is never a front end's
 * page; an HTML page without a front end's signature (werkzeug's, for one) stays the
 * app's. A check asks through the check API (hitl_check_front_page, check.h). */
#ifndef HITL_PROXY_PAGE_H
#define HITL_PROXY_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include "hitl/http.h"

typedef struct hitl_proxy_page {
    char front[32];       /* the front end's name: "nginx", "gunicorn", "Apache", … */
    const char *evidence; /* what gave it away (static text) */
} hitl_proxy_page;

/* hitl_proxy_page_detect returns true when |resp| is an error answer (HTTP 400 or more)
 * whose body is a front end's own page (see the file comment), and then fills |out| (may
 * be NULL). Reads at most the first 4 KiB of the body; never fails. */
bool hitl_proxy_page_detect(const hitl_http_response *resp, hitl_proxy_page *out);

/* hitl_proxy_page_describe writes one sentence about |resp|, a page |page| recognised, into
 * |out| (always NUL-terminated): "the front end (nginx) answered HTTP 414 with its own page
 * (<evidence>; Server: nginx), not the app". */
void hitl_proxy_page_describe(const hitl_http_response *resp, const hitl_proxy_page *page,
                              char *out, size_t cap);

#endif
