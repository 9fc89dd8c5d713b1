/* http.h: the request-level helpers every endpoint module uses (implemented in server.c),
 * and the handlers server.c dispatches to (one module per endpoint family). */
#ifndef RS_HTTP_H
#define RS_HTTP_H

#include "rs.h"

/* rs_header returns the first value of request header |name| (case-insensitive), or NULL. */
const char *rs_header(rs_req *r, const char *name);
/* rs_query returns the first value of query argument |name|, or NULL. */
const char *rs_query(rs_req *r, const char *name);
/* rs_client_ip writes the client IP for rate limiting (§8): the peer address, or with
 * --trust-forwarded (or the trust-forwarded fault) CF-Connecting-IP, else the first
 * X-Forwarded-For header value verbatim, else the peer. */
void rs_client_ip(rs_req *r, char *out, size_t cap);
/* rs_auth_app checks `Authorization: Bearer <app key>` (§4.1 order 0). Returns the app
 * index, or -1 after queueing 401 `unauthorized`. */
int rs_auth_app(rs_req *r);
/* rs_web_limited applies WEB limiter |bucket| (RS_RL_*) to this request's client; 1 when it
 * queued a 429. The faults no-rate-limit, shared-buckets, count-429s, global-bucket and
 * trust-forwarded act here. */
int rs_web_limited(rs_req *r, int bucket);
/* rs_parse_body parses the JSON request body as an object: NULL after queueing 413 (too
 * big) or 400 (not a JSON object). The caller deletes the result. */
cJSON *rs_parse_body(rs_req *r);
/* rs_json_str returns |key|'s value when it is a string, else NULL. */
const char *rs_json_str(const cJSON *obj, const char *key);

/* Endpoint handlers, called once the request body (if any) has been received. */
enum MHD_Result rs_run_start(rs_req *r);         /* run.c: E1, E2 */
enum MHD_Result rs_form_get(rs_req *r);          /* formapi.c: E3, E7 */
enum MHD_Result rs_form_submit(rs_req *r);       /* formapi.c: E4, E8 */
enum MHD_Result rs_form_upload_token(rs_req *r); /* formapi.c: E9 */
enum MHD_Result rs_resume(rs_req *r);            /* resume.c: E6 */

/* upload.c: E5, E10a/b, E11. rs_upload_begin runs on the first call, before any body byte
 * (§6.1: auth before the body); it returns 1 when it queued a response. */
int rs_upload_begin(rs_req *r);
void rs_upload_feed(rs_req *r, const char *data, size_t len);
enum MHD_Result rs_upload_finish(rs_req *r);
void rs_upload_req_free(rs_req *r);

#endif
