/* hostile.h: the hostile-* faults: answers a client must survive (endless or dripping start
 * streams, a gzip bomb, a lying Content-Length, a redirect loop, a header flood, truncated
 * JSON, an HTML page, a 12 MiB body, 100,000-digit numbers, requests to reconnect) and
 * values that try to steer it (a form token or run id of `../hostile-escape`, an upload
 * token carrying a header line of its own). Which endpoint each affects is listed in
 * FAULTS.md. */
#ifndef RS_HOSTILE_H
#define RS_HOSTILE_H

#include "rs.h"

/* The traversal value of hostile-traversal-token and hostile-traversal-run-id: a client
 * that pastes it into a path requests /hostile-escape… on the target's origin. */
#define RS_HOSTILE_ESCAPE "../hostile-escape"
/* What hostile-crlf-upload-token appends to every upload token. */
#define RS_HOSTILE_INJECTED "\r\nX-Hostile-Injected: 1"

/* The form token and the run id a run's events carry: |real|, or RS_HOSTILE_ESCAPE under
 * the traversal faults. */
const char *rs_hostile_event_token(const hitl_refserver *s, const char *real);
const char *rs_hostile_event_run_id(const hitl_refserver *s, const char *real);

/* rs_hostile_init precomputes what the enabled hostile faults need (the gzip bomb, the huge
 * form body). */
int rs_hostile_init(hitl_refserver *s, hitl_err *err);

/* rs_hostile_start answers a streaming start request the hostile way when a start-stream
 * hostile fault is on: returns 1 and sets *rc, else 0. |frames| are the normal frames. */
int rs_hostile_start(rs_req *r, const char *frames, size_t len, enum MHD_Result *rc);

/* rs_hostile_form_get answers a successful form GET the hostile way when a GET hostile
 * fault is on: returns 1 and sets *rc, else 0. |body| is the normal 200 body. */
int rs_hostile_form_get(rs_req *r, const char *body, size_t len, enum MHD_Result *rc);

/* rs_hostile_resume answers a resume request (of a run the user may see) the hostile way
 * when hostile-reconnect is on: `retry: 0`, then the end of the stream. Returns 1 and sets
 * *rc, else 0. */
int rs_hostile_resume(rs_req *r, enum MHD_Result *rc);

#endif
