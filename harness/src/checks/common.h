/* common.h: helpers the check areas share (internal to harness/src/checks). */
#ifndef HITL_CHECKS_COMMON_H
#define HITL_CHECKS_COMMON_H

#include "hitl/check.h"
#include "hitl/checks.h"
#include "hitl/flow.h"
#include "hitl/form.h"
#include "hitl/stream.h"
#include "hitl/target.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The server ends a stream "after relaying workflow_finished or workflow_paused" (§2, §9.1):
 * how long the harness gives it to actually close. */
#define HITL_CHK_CLOSE_GRACE_MS 5000L
/* The timeout sweeper runs every HUMAN_INPUT_TIMEOUT_TASK_INTERVAL minutes (default 1, §10):
 * the longest its outcome (human_input_form_timeout, a stopped run) may lag a deadline, plus
 * slack. */
#define HITL_CHK_SWEEP_ALLOWANCE_S 65LL

/* The response body parsed as JSON (NULL when it is not JSON); free with cJSON_Delete. */
cJSON *hitl_chk_body_json(const hitl_http_response *resp);

/* A frame's data parsed as JSON, NULL when not JSON. */
cJSON *hitl_chk_frame_json(const hitl_stream_frame *f);

/* Expects |obj| to have exactly the keys in |keys| (NULL-terminated); names what is
 * missing and what is extra. |what| names the object in the message. */
bool hitl_chk_expect_keys(hitl_check_ctx *ctx, const cJSON *obj, const char *const *keys,
                          const char *what, const char *section);

/* Expects |resp| to carry a JSON object; returns it (caller frees) or NULL after a FAIL. */
cJSON *hitl_chk_expect_json_object(hitl_check_ctx *ctx, const hitl_http_response *resp,
                                   const char *what);

/* Frame index of the first frame whose event is |event| at or after |from|; SIZE_MAX if none. */
size_t hitl_chk_find_event(const hitl_stream *s, const char *event, size_t from);

/* The run environment. */
const hitl_run_env *hitl_chk_env(hitl_check_ctx *ctx);

/* Seconds since the epoch (wall clock), for expiration comparisons. */
long long hitl_chk_now(void);

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

/* Expects the §1.3 error shape whatever the code: HTTP |status| (0: any 4xx), a JSON object
 * body (never HTML) with `code` and `message` strings and `status` equal to the HTTP status.
 * |what| names the request in the expectation. */
bool hitl_chk_expect_error_shape(hitl_check_ctx *ctx, const hitl_http_response *resp, long status,
                                 const char *what);

/* --- added for the form and upload areas --- */

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

/* hitl_chk_require_fixture_fetch is the precondition of every check that needs the target
 * to fetch from the harness's fixture (§6.3, §7.3): a remote upload of the fixture's good.pdf
 * through the WEB upload-token path of |form_token| (the form token works on the WEB
 * endpoints for a Service API check too) answers 201 AND the fixture saw the fetch. Without
 * that, a refusal of a failing URL proves nothing (the target may refuse every fixture URL:
 * a remote deployment, Docker, an SSRF proxy blocking the harness's address), so the check
 * is SKIP naming the fixture URL and --fixture-url/--fixture-listen (§11.1).
 * |upload_token| is the form's WEB upload token, or NULL to issue one. Each check probes
 * for itself (the run environment is shared read-only by parallel checks). Returns 0; non-zero
 * after a SKIP (no fixture, not reached) or an ERROR. */
int hitl_chk_require_fixture_fetch(hitl_check_ctx *ctx, const char *form_token,
                                   const char *upload_token);
/* The same for a check that needs the fetch for a reason of its own: |need| (e.g. "file
 * input 'x' takes only remote_url, …") opens the SKIP reason; NULL = the plain precondition. */
int hitl_chk_require_fixture_fetch_for(hitl_check_ctx *ctx, const char *form_token,
                                       const char *upload_token, const char *need);

/* hitl_chk_resume_sync opens a resume stream and waits for it to end (see
 * hitl_flow_resume_open). |out| is always filled (free with hitl_stream_free); returns
 * non-zero after setting an ERROR when the stream could not be started. */
int hitl_chk_resume_sync(hitl_check_ctx *ctx, const char *run_id, const char *user,
                         const char *query, const char *api_key, const hitl_stream_opts *opts,
                         hitl_stream *out);

/* hitl_chk_await_global_timeout is the precondition of the global-timeout checks (§10
 * "Global cap", §10.9): it starts a run on hitl_run_env.global_app_key (the target's app
 * when NULL), and waits until the global deadline — the run's start plus
 * --global-timeout — has passed by one second. SKIP (decision 5) when --global-timeout was
 * not given, when the app's node timeout (expiration_time) ends the form first, or when the
 * wait exceeds --max-wait. Returns 0 with |run| paused past its global deadline (*deadline,
 * epoch seconds); non-zero after a SKIP or an ERROR. |run| is the caller's to free always. */
int hitl_chk_await_global_timeout(hitl_check_ctx *ctx, hitl_run *run, long long *deadline);
/* Its two halves, for a check that prepares while the form is still active (§10.7):
 * hitl_chk_global_start starts the run and SKIPs as above, without waiting (0 with |run|
 * paused and *deadline set; non-zero after a SKIP or an ERROR; |run| is the caller's to
 * free always); hitl_chk_global_wait then sleeps until |deadline| + 1 s. */
int hitl_chk_global_start(hitl_check_ctx *ctx, hitl_run *run, long long *deadline);
void hitl_chk_global_wait(hitl_check_ctx *ctx, long long deadline);

/* The Authorization value ("Bearer <key>") of the global-timeout app, for its SVC calls. */
void hitl_chk_global_auth(hitl_check_ctx *ctx, char *out, size_t cap);

/* The first extension of the target's upload blacklist the user named (--blocked-extension;
 * lower case, no dot), or NULL when none was named. */
const char *hitl_chk_blocked_extension(hitl_check_ctx *ctx);

/* True when |s| is a UUID in its canonical 8-4-4-4-12 hexadecimal form. */
bool hitl_chk_is_uuid(const char *s);

#endif
