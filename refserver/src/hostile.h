/* hostile.h: the hostile-* faults: answers a client must survive (endless or dripping start
 * streams, a gzip bomb, a lying Content-Length, a redirect loop, a header flood, truncated
 * JSON). Which endpoint each affects is listed in FAULTS.md. */
#ifndef RS_HOSTILE_H
#define RS_HOSTILE_H

#include "rs.h"

/* rs_hostile_init precomputes what the enabled hostile faults need (the gzip bomb). */
int rs_hostile_init(hitl_refserver *s, hitl_err *err);

/* rs_hostile_start answers a streaming start request the hostile way when a start-stream
 * hostile fault is on: returns 1 and sets *rc, else 0. |frames| are the normal frames. */
int rs_hostile_start(rs_req *r, const char *frames, size_t len, enum MHD_Result *rc);

/* rs_hostile_form_get answers a successful form GET the hostile way when a GET hostile
 * fault is on: returns 1 and sets *rc, else 0. |body| is the normal 200 body. */
int rs_hostile_form_get(rs_req *r, const char *body, size_t len, enum MHD_Result *rc);

#endif
