/* calls.h: the requests the areas share, each patient with the WEB rate limiter
 * (hitl_chk_call_patient): submit, GET the form, issue an upload token, a resume stream read
 * to its end. Internal to harness/src/checks. */
#ifndef HITL_CHECKS_CALLS_H
#define HITL_CHECKS_CALLS_H

#include "hitl/check.h"
#include "hitl/flow.h"
#include "hitl/stream.h"

/* hitl_chk_call_patient is hitl_flow_call that rides out the WEB rate limiter (§8): parallel
 * checks share one client IP, so a 429 web_form_rate_limit_exceeded on a WEB call is other
 * checks' traffic, not this check's finding. It waits one window (rate_window_s + 1 s) and
 * retries, at most 3 times and never past max_wait; SVC calls and other statuses are returned
 * as they are. Returns as hitl_flow_call; |resp| (caller frees) holds the last answer. */
int hitl_chk_call_patient(hitl_check_ctx *ctx, const hitl_call *call, hitl_http_response *resp);

/* POST |body| to /form/human_input/<token> on the check's surface, patiently (above). */
int hitl_chk_submit(hitl_check_ctx *ctx, const char *form_token, const char *body,
                    hitl_http_response *resp);
/* The same with the app key |api_key| on SVC (NULL: the target's; ignored on WEB, which takes
 * no key): the submit of a run started with another app's key (hitl_run.api_key). */
int hitl_chk_submit_as(hitl_check_ctx *ctx, const char *api_key, const char *form_token,
                       const char *body, hitl_http_response *resp);

/* GET /form/human_input/<token> on the check's surface, patiently (hitl_chk_call_patient).
 * Returns as hitl_flow_call; the caller frees |resp|. */
int hitl_chk_get_form(hitl_check_ctx *ctx, const char *form_token, hitl_http_response *resp);

/* POST /form/human_input/<token>/upload-token (WEB, §5), patiently (HITL_E_UNSUPPORTED
 * after hitl_flow_require_upload_routes' SKIP). When |token| is not NULL
 * it gets a malloc'd copy of a string `upload_token` from any 2xx answer (registered as a
 * secret), else NULL: a wrong success status is one check's finding, not every later
 * upload's precondition. Returns as hitl_flow_call; the caller frees |resp|. */
int hitl_chk_upload_token(hitl_check_ctx *ctx, const char *form_token, hitl_http_response *resp,
                          char **token);

/* The precondition form of hitl_chk_upload_token: a malloc'd upload token, or NULL after
 * setting an ERROR that names the answer (or the SKIP of hitl_flow_require_upload_routes). */
char *hitl_chk_issue_upload_token(hitl_check_ctx *ctx, const char *form_token);

/* hitl_chk_resume_sync opens a resume stream and waits for it to end (see
 * hitl_flow_resume_open). |out| is always filled (free with hitl_stream_free); returns
 * non-zero after setting an ERROR when the stream could not be started. */
int hitl_chk_resume_sync(hitl_check_ctx *ctx, const char *run_id, const char *user,
                         const char *query, const char *api_key, const hitl_stream_opts *opts,
                         hitl_stream *out);

#endif
