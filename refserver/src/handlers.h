/* handlers.h: the endpoint handlers the route table (routes.c) dispatches to, one module
 * per endpoint family. Each is called once the request body (if any) has been received. */
#ifndef RS_HANDLERS_H
#define RS_HANDLERS_H

#include "rs.h"

typedef enum MHD_Result (*rs_handler)(rs_req *r);

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
