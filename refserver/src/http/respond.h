/* respond.h: queueing responses: Dify's JSON error body {"code","message","status"} (§1.3)
 * and JSON/text bodies. Each returns the MHD_Result the access handler must return. */
#ifndef RS_RESPOND_H
#define RS_RESPOND_H

#include "rs.h"

/* rs_queue queues |resp| (or holds it while r->defer is set) and destroys our reference. */
enum MHD_Result rs_queue(rs_req *r, unsigned status, struct MHD_Response *resp);
/* rs_reply queues |len| bytes of |body| (copied) with |ctype| (NULL = none). */
enum MHD_Result rs_reply(rs_req *r, unsigned status, const char *ctype, const void *body,
                         size_t len);
struct rs_stream_opts;

/* rs_reply_stream opens a hub stream per |o| and queues it as 200 with |ctype| and
 * Cache-Control: no-cache; 429 too_many_requests when the hub refuses (stream cap). */
enum MHD_Result rs_reply_stream(rs_req *r, const struct rs_stream_opts *o, const char *ctype);
/* rs_reply_json queues |obj| printed compactly and deletes it (NULL → 500). */
enum MHD_Result rs_reply_json(rs_req *r, unsigned status, cJSON *obj);
/* rs_reply_error queues {"code":code,"message":…,"status":status} (error-no-status drops
 * "status"). */
enum MHD_Result rs_reply_error(rs_req *r, unsigned status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* rs_reply_bad_json answers a body that is not JSON: 400 invalid_param, or the HTML page of
 * the error-html fault. */
enum MHD_Result rs_reply_bad_json(rs_req *r, const char *what);
/* Form state errors shared by every form endpoint (§4.1, §7.4). */
enum MHD_Result rs_reply_form_not_found(rs_req *r);
enum MHD_Result rs_reply_form_submitted(rs_req *r, const char *form_id);
enum MHD_Result rs_reply_form_expired(rs_req *r, const char *form_id);
enum MHD_Result rs_reply_rate_limited(rs_req *r);

#endif
