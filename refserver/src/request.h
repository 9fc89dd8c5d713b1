/* request.h: reading one request: its headers, query, client address and JSON body. Pure
 * accessors over the per-request context (rs.h); what they refuse is answered through
 * respond.h. */
#ifndef RS_REQUEST_H
#define RS_REQUEST_H

#include "rs.h"

/* rs_header returns the first value of request header |name| (case-insensitive), or NULL. */
const char *rs_header(rs_req *r, const char *name);
/* rs_query returns the first value of query argument |name|, or NULL. */
const char *rs_query(rs_req *r, const char *name);
/* rs_client_ip writes the client IP for rate limiting (§8): the peer address, or with
 * --trust-forwarded (or the trust-forwarded fault) CF-Connecting-IP, else the first
 * X-Forwarded-For header value verbatim, else the peer. */
void rs_client_ip(rs_req *r, char *out, size_t cap);
/* rs_parse_body parses the JSON request body as an object: NULL after queueing 413 (too
 * big) or 400 (not a JSON object). The caller deletes the result. */
cJSON *rs_parse_body(rs_req *r);
/* rs_json_str returns |key|'s value when it is a string, else NULL. */
const char *rs_json_str(const cJSON *obj, const char *key);

#endif
