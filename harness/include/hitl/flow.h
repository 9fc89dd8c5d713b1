/* flow.h: the lifecycle driver. Each step of the Human Input lifecycle as one call made
 * through a check's context (so it is recorded): start a run and wait for its pause, get
 * the form, issue an upload token, upload local and remote files, submit, and re-join the
 * run's event stream. URLs come from the target (surface bases), credentials from the
 * target (API key, user) or the step (form token, upload token). Every call is bounded by
 * the target's timeouts. Parsing of what comes back uses the parsers (sse, event, form). */
#ifndef HITL_FLOW_H
#define HITL_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hitl/check.h"
#include "hitl/event.h"
#include "hitl/form.h"
#include "hitl/http.h"
#include "hitl/stream.h"
#include "hitl/target.h"

typedef struct hitl_fixture hitl_fixture;

/* The query every Chatflow run hitlcheck starts sends: chatflow-ifelse.yml takes its review
 * branch on "hitlcheck" and renders it into its Answer and its form (§12.9, §12.11). */
#define HITL_FLOW_CHAT_QUERY "hitlcheck conformance run"

/* What a whole run shares with its checks (hitl_scheduler_options.env). */
typedef struct hitl_run_env {
    hitl_fixture *fixture;        /* the remote-URL fixture server, or NULL */
    const char *fixture_base;     /* the URL at which the target reaches the fixture */
    const char *other_app_key;    /* a key of another workflow app on the target, or NULL */
    const char *chat_app_key;     /* a key of a non-workflow (chat) app, or NULL */
    const char *global_app_key;   /* an app whose node timeout outlives the global timeout
                                     (target->global_timeout_s), or NULL: the target's key */
    const char *two_node_app_key; /* an app (same mode) whose workflow has two Human Input
                                     nodes in sequence, or NULL (§9.1.11) */
    /* Variant apps of specs/dify-app/ for the regress checks that need their graph, each in
     * its own mode whatever the target's: a Workflow with two parallel Human Input nodes
     * (workflow-parallel.yml, §12.10) and a Chatflow with IF/ELSE and Answer nodes around one
     * (chatflow-ifelse.yml, §12.11); NULL when not given. */
    const char *parallel_app_key;
    const char *ifelse_app_key;
    const char *const *blocked_extensions; /* the deployment's upload blacklist as the user
                                              named it (lower case, no dot), or NULL */
    size_t n_blocked_extensions;
    const char *source_ip_alt; /* a second local source address (loopback targets), or NULL */
    bool loopback;             /* the target is on 127.0.0.0/8 or ::1 */
    /* The target is known to see each local source address as its own client: nothing
     * stands between the harness and it (the embedded reference server). Elsewhere a proxy
     * may show every source as one address (Docker's userland proxy), which no request can
     * tell from a target that keeps one bucket for everyone. */
    bool sources_seen_as_sent;
} hitl_run_env;

/* One call to the target. Unset fields mean: GET, no body, the surface's usual auth
 * (SVC: the app API key; WEB: none). */
typedef struct hitl_call {
    const char *method;
    hitl_surface surface;
    const char *path;            /* below the surface base: "/form/human_input/<token>" */
    const char *json;            /* a JSON body (Content-Type: application/json) */
    size_t json_len;             /* 0 = strlen(json) */
    const char *content_type;    /* overrides application/json for a raw body */
    const hitl_http_part *parts; /* multipart body */
    size_t n_parts;
    const char *authorization;  /* the whole Authorization value, "" = send none */
    const char *const *headers; /* extra "Name: value" headers */
    size_t n_headers;
    const char *source_ip;
    long timeout_ms; /* 0 = the target's */
    /* See a WEB 429 as it is, without riding out the rate limiter (hitl_flow_call): for the
     * rate-limit checks, whose finding the 429 is. */
    bool raw;
} hitl_call;

/* hitl_flow_probe runs before the checks, outside any check: it makes sure the target
 * answers HTTP at all (any status) and fingerprints the upload layout into t->layout:
 * V2 or V1 by the route that exists (an unauthenticated POST answers anything but 404 or
 * 405), NONE when both answered 404 or 405, UNKNOWN when a probe got no answer. Returns 0,
 * or the transport error. */
int hitl_flow_probe(hitl_http *http, hitl_target *t, hitl_err *err);

/* Performs |call|; a transport failure becomes the check's ERROR (see hitl_ctx_http).
 * Every call of the check layer is patient with the WEB rate limiter (§8): parallel checks
 * share one client IP, so a 429 on a WEB call is other checks' traffic, not this check's
 * finding. It waits one window (rate_window_s + 1 s) and retries, at most 3 times and never
 * past max_wait; SVC calls, other statuses and a call marked |raw| are returned as they are.
 * |resp| (caller frees) holds the last answer. */
int hitl_flow_call(hitl_check_ctx *ctx, const hitl_call *call, hitl_http_response *resp);
/* hitl_flow_ride_out_429 is that patience for a check that sends a request of its own
 * (hitl_ctx_http_raw): after attempt |attempt| (0-based) of a request on |surface| answered
 * |status|, it waits one window and returns true when the request is to be sent again;
 * false when not (not a WEB 429, the retries or max_wait spent). |*waited_s| (0 before the
 * first attempt) adds up the waits. */
bool hitl_flow_ride_out_429(hitl_check_ctx *ctx, hitl_surface surface, long status, int attempt,
                            long *waited_s);

/* A run started by hitl_flow_start and paused at its Human Input node. */
typedef struct hitl_run {
    hitl_stream stream; /* the start stream's frames */
    char *task_id;
    char *workflow_run_id;
    char *form_id;
    char *form_token; /* NULL when the event carried null */
    int64_t expiration_time;
    hitl_form *form;       /* typed from human_input_required.data */
    size_t required_index; /* frame index of human_input_required */
    size_t paused_index;   /* frame index of workflow_paused, SIZE_MAX if none */
    char *user;            /* the user the run was started for */
    char *api_key;         /* the app key it was started with; NULL: the target's */
    /* Why a value of human_input_required that goes into URLs (form_token, workflow_run_id,
     * task_id) was refused (url.h: a control byte, '/' or a backslash, a dot segment, over
     * 512 bytes, a NUL in the event), or NULL. A refused value is not kept (its field is
     * NULL); hitl_flow_start then ERRORs with this message. */
    char *refused;
} hitl_run;

/* The setup steps the circuit breaker counts (hitl_check_setup_error, check.h). */
#define HITL_STEP_START "start a run and reach its form"
#define HITL_STEP_UPLOAD_TOKEN "issue an upload token"

/* hitl_flow_start_stream posts the start request (workflow or chat-messages by the
 * target's app mode) in streaming mode and collects frames until workflow_paused (and,
 * when |wait_close_ms| > 0, up to that long more for the server to end the stream).
 * The outcome is in |run|; returns 0, or HITL_E_NOMEM. */
int hitl_flow_start_stream(hitl_check_ctx *ctx, const char *user, long wait_close_ms,
                           hitl_run *run);
/* The same with the wait for the pause bounded by |total_ms| instead of max-wait: for
 * checks that judge the stream's progress itself (hostile targets) and must end sooner. */
int hitl_flow_start_stream_within(hitl_check_ctx *ctx, const char *user, long total_ms,
                                  long wait_close_ms, hitl_run *run);

/* hitl_flow_start is the precondition most checks need: a run paused with a form token
 * and a parsed form. On any failure it sets the check's ERROR (what went wrong at which
 * step: hitl_check_setup_error with HITL_STEP_START, which the circuit breaker counts) and
 * returns non-zero; the check then just returns. */
int hitl_flow_start(hitl_check_ctx *ctx, hitl_run *run);
/* The same for the app of |api_key| (the target's when NULL), e.g. hitl_run_env's
 * global_app_key. The run's form endpoints on SVC then need that key too. */
int hitl_flow_start_as(hitl_check_ctx *ctx, const char *api_key, hitl_run *run);
/* The same in app mode |mode| whatever the target's (a variant app of hitl_run_env). */
int hitl_flow_start_in(hitl_check_ctx *ctx, const char *api_key, hitl_app_mode mode, hitl_run *run);
void hitl_run_free(hitl_run *run);

/* hitl_flow_form_path writes "/form/human_input/<form_token, encoded><suffix>" into |out|
 * (url.h). Returns 0, or non-zero after an ERROR naming what is wrong with the token (a
 * malformed value, a path over |cap|): the request is then not sent. */
int hitl_flow_form_path(hitl_check_ctx *ctx, char *out, size_t cap, const char *form_token,
                        const char *suffix);

/* GET the form on the check's surface (SVC with the API key, WEB without). */
int hitl_flow_get_form(hitl_check_ctx *ctx, const char *form_token, hitl_http_response *resp);
/* The same with the app key |api_key| on SVC (NULL: the target's; ignored on WEB): the form
 * of a run started with another app's key (hitl_run.api_key). */
int hitl_flow_get_form_as(hitl_check_ctx *ctx, const char *api_key, const char *form_token,
                          hitl_http_response *resp);
/* POST a submit body on the check's surface. */
int hitl_flow_submit(hitl_check_ctx *ctx, const char *form_token, const char *body,
                     hitl_http_response *resp);
/* The same with the app key |api_key| on SVC (NULL: the target's; ignored on WEB, which takes
 * no key): the submit of a run started with another app's key (hitl_run.api_key). */
int hitl_flow_submit_as(hitl_check_ctx *ctx, const char *api_key, const char *form_token,
                        const char *body, hitl_http_response *resp);
/* hitl_flow_expect_still_open submits |body| (the corrected, valid submission) after
 * rejected ones and expects 200: a rejected submit rejects the whole submission and leaves
 * the form open for a corrected retry (§7.3.14, §7.4). |after| names what was rejected
 * ("the rejections", "another app's refused submit"). True when it held. */
bool hitl_flow_expect_still_open(hitl_check_ctx *ctx, const char *form_token, const char *body,
                                 const char *after);
/* WEB: POST …/upload-token (§5). When |token| is not NULL it gets a malloc'd copy of a usable
 * string `upload_token` from any 2xx answer (hitl_flow_take_upload_token), else NULL: a wrong
 * success status is one check's finding, not every later upload's precondition.
 * HITL_E_UNSUPPORTED (|resp| zeroed) after hitl_flow_require_upload_routes' SKIP; the same
 * holds for the WEB uploads below. */
int hitl_flow_upload_token(hitl_check_ctx *ctx, const char *form_token, hitl_http_response *resp,
                           char **token);
/* The precondition form of hitl_flow_upload_token: a malloc'd upload token, or NULL after
 * an ERROR of the setup step HITL_STEP_UPLOAD_TOKEN that names the answer (or the SKIP of
 * hitl_flow_require_upload_routes). */
char *hitl_flow_issue_upload_token(hitl_check_ctx *ctx, const char *form_token);

/* hitl_flow_take_upload_token reads the `upload_token` string of an upload-token answer
 * into *token (malloc'd; NULL when there is none), registered as a secret. A token
 * hitl_url_value_check refuses (CR, LF or another control byte, which would end the
 * Authorization header it is sent in; a path separator; over 512 bytes) is not kept:
 * HITL_E_INVALID with the reason in |err| (may be NULL), *token NULL. Else 0. */
int hitl_flow_take_upload_token(hitl_check_ctx *ctx, const hitl_http_response *resp, char **token,
                                hitl_err *err);

/* The upload layout of the target (probed once per run, cached in the environment). */
hitl_upload_layout hitl_flow_layout(hitl_check_ctx *ctx);

/* hitl_flow_require_upload_routes is the precondition of everything that issues an upload
 * token or uploads on WEB: false after a SKIP naming the fingerprint when the target has
 * neither upload layout (HITL_LAYOUT_NONE: a build without Human Input uploads, or the
 * routes behind another prefix), so no check FAILs or ERRORs on a 404 of a route the build
 * does not have. hitl_flow_upload_token, the WEB uploads below and the checks' own
 * upload-token requests ask it first. */
bool hitl_flow_require_upload_routes(hitl_check_ctx *ctx);

/* Local upload of |len| bytes as |filename|: WEB with `Authorization: Bearer <upload_token>`
 * on the target's layout, or SVC `/files/upload` with the API key and `user` when
 * upload_token is NULL. |authorization| overrides the header ("" = none). */
int hitl_flow_upload_local(hitl_check_ctx *ctx, const char *upload_token, const char *authorization,
                           const char *filename, const char *content_type, const void *data,
                           size_t len, hitl_http_response *resp);
/* The same seeing a 429 as it is (hitl_call.raw): for the rate-limit check that WEB uploads
 * are never limited. */
int hitl_flow_upload_local_raw(hitl_check_ctx *ctx, const char *upload_token,
                               const char *authorization, const char *filename,
                               const char *content_type, const void *data, size_t len,
                               hitl_http_response *resp);
/* Service API upload (/files/upload) of |len| bytes as |filename| with the app key
 * |api_key| (NULL: the target's) for the end user |user| (NULL: the target's): a file of a
 * run of another app, or, on purpose, of another app or user than the submit's (§7.3.17).
 * |content_type| NULL sends the file part without any Content-Type (§6.4.2). */
int hitl_flow_upload_svc_as(hitl_check_ctx *ctx, const char *api_key, const char *user,
                            const char *filename, const char *content_type, const void *data,
                            size_t len, hitl_http_response *resp);
/* Remote upload of |url| (WEB only), on the target's layout. */
int hitl_flow_upload_remote(hitl_check_ctx *ctx, const char *upload_token,
                            const char *authorization, const char *url, hitl_http_response *resp);

/* The `id` of a 201 upload answer, malloc'd, or NULL: none, or an id hitl_url_value_check
 * refuses (then |err|, which may be NULL, says why). */
char *hitl_flow_upload_id(const hitl_http_response *resp, hitl_err *err);

/* Opens GET /workflow/{id}/events?user=…&<query> on its own thread (SVC). The run id is
 * judged and encoded (url.h; a refused one is an ERROR and nothing is sent), the user
 * encoded, |query| (the harness's own, e.g. "include_state_snapshot=true") appended as is. */
int hitl_flow_resume_start(hitl_check_ctx *ctx, const char *run_id, const char *user,
                           const char *query, long total_ms, hitl_stream_stop_fn stop,
                           void *stop_user, hitl_stream_async **out);
/* The same with the stream's options in full (|opts|: total_ms required; stop,
 * close_within_ms, idle_ms… as hitl_stream_run) and the app key |api_key| (NULL: the
 * target's; another app's key for the app-mode and ownership checks of §9.1). */
int hitl_flow_resume_open(hitl_check_ctx *ctx, const char *run_id, const char *user,
                          const char *query, const char *api_key, const hitl_stream_opts *opts,
                          hitl_stream_async **out);

/* hitl_flow_resume_sync opens a resume stream and waits for it to end (see
 * hitl_flow_resume_open). |out| is always filled (free with hitl_stream_free); returns
 * non-zero after setting an ERROR when the stream could not be started. */
int hitl_flow_resume_sync(hitl_check_ctx *ctx, const char *run_id, const char *user,
                          const char *query, const char *api_key, const hitl_stream_opts *opts,
                          hitl_stream *out);

/* Stop functions for streams. */
bool hitl_flow_stop_after_paused(void *user, const hitl_stream_frame *f);
bool hitl_flow_stop_after_finished(void *user, const hitl_stream_frame *f);

/* The `event` name of a frame's JSON data ("ping" for an SSE `ping` event), written into
 * |out|; "" when the data is not a JSON object with a string `event`. */
void hitl_flow_frame_event(const hitl_stream_frame *f, char *out, size_t cap);

/* The event names of |s|'s frames, "ping, human_input_form_filled, …" (a frame without one
 * by its SSE type), into |out| (always NUL-terminated, cut with "..."); "no frames" when empty. */
void hitl_flow_event_list(const hitl_stream *s, char *out, size_t cap);

/* Frame |i| of |s| decoded into |ev| (zeroed first; free it with hitl_event_free in every
 * case); false when there is no frame |i| or it is no event. */
bool hitl_flow_frame_decode(const hitl_stream *s, size_t i, hitl_event *ev);

/* A file the fixture/uploads use: a small valid PDF and PNG, built in. */
const char *hitl_flow_sample_pdf(size_t *len);
const char *hitl_flow_sample_png(size_t *len);

#endif
