/* front.h: what a front end in front of the app does to the traffic, for `--front nginx`:
 * the reference server then answers as Dify's docker deployment does through its nginx
 * (docker/nginx/conf.d/default.conf.template@0296455b4958829c23ae6dd9f849056b94efe8d2 and
 * proxy.conf.template@26c2a2efdf83afedbeb66fdb1c8c88834d2523b7) behind Docker's userland
 * proxy:
 *  - a request line over 8 KiB gets nginx's own HTML 414 page (no large_client_header_buffers
 *    is set, so nginx's default 4 8k applies) and never reaches the app;
 *  - every answer carries `Server: nginx` (nginx hides the upstream's Server header);
 *  - the client address the app sees is the one nginx saw, the Docker bridge gateway, for
 *    every client: nginx passes it as X-Forwarded-For ($proxy_add_x_forwarded_for, appended
 *    to the client's own), and Dify takes the first X-Forwarded-For header line whole
 *    (extract_remote_ip in api/libs/helper.py). */
#ifndef RS_FRONT_H
#define RS_FRONT_H

#include "rs.h"

/* The address Docker's userland proxy connects from: the default bridge's gateway. */
#define RS_FRONT_GATEWAY_IP "172.17.0.1"
/* nginx's large_client_header_buffers default: a request line must fit one 8 KiB buffer. */
#define RS_FRONT_LINE_MAX 8192u

/* rs_front_intercept answers, as the front end, what it would not pass to the app (a
 * request line over RS_FRONT_LINE_MAX). Returns 1 after queueing the answer, else 0.
 * |url| and |method| are MHD's (the path without its query). */
int rs_front_intercept(rs_req *r, const char *url, const char *method);

/* rs_front_decorate adds the front end's headers to an answer about to be queued. */
void rs_front_decorate(const hitl_refserver *s, struct MHD_Response *resp);

/* rs_front_client_ip writes the client IP the app derives behind the front end (see the
 * file comment) into |out|; 0 when there is no front end (the caller then uses its own
 * rules), 1 when written. */
int rs_front_client_ip(rs_req *r, char *out, size_t cap);

#endif
