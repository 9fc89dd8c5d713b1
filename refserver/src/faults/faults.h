/* faults.h: the fault switches of hitl-refserver, one X-macro row per fault:
 * X(ENUM, "name", "summary"). The names are a contract (flags, FAULTS.md, tests). */
#ifndef RS_FAULTS_H
#define RS_FAULTS_H

#include <stdint.h>

#include "refserver/refserver.h"

#define RS_FAULT_LIST(X)                                                                           \
    /* events (start stream) */                                                                    \
    X(EVENT_ORDER, "event-order",                                                                  \
      "start stream sends workflow_paused before human_input_required")                            \
    X(EVENT_MISSING_FORM_TOKEN, "event-missing-form-token",                                        \
      "human_input_required data has no form_token key")                                           \
    X(EVENT_PAUSE_MISMATCH, "event-pause-mismatch",                                                \
      "workflow_paused reason's expiration_time differs from human_input_required's")              \
    X(STREAM_NOT_CLOSED, "stream-not-closed",                                                      \
      "start stream stays open after workflow_paused until the idle timeout")                      \
    X(CHATFLOW_ENVELOPE_MISSING, "chatflow-envelope-missing",                                      \
      "chatflow events lack conversation_id and message_id")                                       \
    X(CHATFLOW_RUN_ID_MISSING, "chatflow-run-id-missing",                                          \
      "chatflow workflow, node and human-input events lack workflow_run_id")                       \
    X(SVC_OUTPUTS_NOT_EMPTY, "svc-outputs-not-empty",                                              \
      "workflow_paused.data.outputs is not {} on an SVC-invoked run")                              \
    X(PING_WITH_DATA, "ping-with-data", "keep-alive pings are sent as `data: ping`")               \
    X(WRONG_CONTENT_TYPE, "wrong-content-type", "start stream is served as text/plain")            \
    /* form GET */                                                                                 \
    X(GET_MISSING_KEY, "get-missing-key", "form GET body has no user_actions")                     \
    X(DEFAULTS_NOT_STRINGIFIED, "defaults-not-stringified",                                        \
      "form GET resolved_default_values holds a number")                                           \
    X(UNKNOWN_TOKEN_400, "unknown-token-400", "unknown form token answers 400, not 404")           \
    X(GET_EXPIRATION_MISMATCH, "get-expiration-mismatch",                                          \
      "form GET expiration_time differs from the event's")                                         \
    X(WEB_GET_NO_SITE, "web-get-no-site", "WEB form GET has no site object")                       \
    /* upload token */                                                                             \
    X(UPLOAD_TOKEN_PREFIX, "upload-token-prefix", "upload tokens lack the hitl_upload_ prefix")    \
    X(UPLOAD_TOKEN_REUSED, "upload-token-reused",                                                  \
      "every upload-token call returns the same token")                                            \
    X(UPLOAD_TOKEN_EXPIRY, "upload-token-expiry",                                                  \
      "upload token expires_at is now+3600, not the form's expiration_time")                       \
    X(UPLOAD_TOKEN_201, "upload-token-201", "upload-token answers 201 instead of 200")             \
    /* upload auth */                                                                              \
    X(UPLOAD_NO_AUTH, "upload-no-auth", "uploads without an Authorization header are accepted")    \
    X(UPLOAD_AUTH_PARTS, "upload-auth-parts",                                                      \
      "`Bearer a b` is read as token \"a\" instead of 401")                                        \
    X(UPLOAD_SCHEME_CASE, "upload-scheme-case", "lower-case `bearer` scheme is rejected with 400") \
    X(UPLOAD_UNKNOWN_401, "upload-unknown-401", "unknown upload token answers 401, not 403")       \
    X(UPLOAD_SUBMITTED_403, "upload-submitted-403",                                                \
      "upload token of a submitted form answers 403, not 412")                                     \
    X(UPLOAD_AUTH_AFTER_BODY, "upload-auth-after-body",                                            \
      "upload body size is checked before auth: oversize unauthenticated body gets 413")           \
    X(UPLOAD_SIZE_UNLIMITED, "upload-size-unlimited", "local uploads have no size limit")          \
    X(UPLOAD_FILENAME_UNCHECKED, "upload-filename-unchecked",                                      \
      "filenames with / \\ : * ? \" < > | are accepted")                                           \
    X(UPLOAD_SIZE_WRONG, "upload-size-wrong",                                                      \
      "upload response size is one more than the bytes sent")                                      \
    X(UPLOAD_BLACKLIST_IGNORED, "upload-blacklist-ignored",                                        \
      "local uploads of a blacklisted extension are accepted")                                     \
    X(SVC_UPLOAD_NO_MIME_ACCEPTED, "svc-upload-no-mime-accepted",                                  \
      "a Service API upload whose file part has no Content-Type is accepted")                      \
    /* remote fetches */                                                                           \
    X(SSRF_LOOPBACK, "ssrf-loopback",                                                              \
      "remote fetches reach loopback addresses outside the allow-list")                            \
    X(REMOTE_404_ACCEPTED, "remote-404-accepted", "remote upload of a URL answering 404 gets 201") \
    X(REMOTE_OVERSIZE_ACCEPTED, "remote-oversize-accepted", "remote uploads have no size limit")   \
    X(FETCH_BEFORE_AUTH, "fetch-before-auth",                                                      \
      "remote-upload URL is fetched before the upload token is checked")                           \
    /* submit */                                                                                   \
    X(DOUBLE_SUBMIT, "double-submit", "a second submit of the same form answers 200")              \
    X(INVALID_ACTION_ACCEPTED, "invalid-action-accepted",                                          \
      "an action not in user_actions is accepted")                                                 \
    X(MISSING_INPUTS_ACCEPTED, "missing-inputs-accepted",                                          \
      "submits missing input keys are accepted")                                                   \
    X(REJECTED_SUBMIT_CONSUMES, "rejected-submit-consumes",                                        \
      "a rejected (400) submit still marks the form submitted")                                    \
    X(INLINE_REMOTE_FAILURE_ACCEPTED, "inline-remote-failure-accepted",                            \
      "inline remote_url fetch failures do not reject the submit")                                 \
    X(INLINE_REMOTE_FAILURE_500, "inline-remote-failure-500",                                      \
      "inline remote_url fetch failures are rejected with 500, not 400 invalid_form_data")         \
    X(SUBMIT_BODY_NOT_EMPTY, "submit-body-not-empty", "submit answers {\"result\":\"success\"}")   \
    X(SELECT_UNCHECKED, "select-unchecked", "select values are not checked")                       \
    X(FILE_LIMIT_UNCHECKED, "file-limit-unchecked", "file-list number_limits is not enforced")     \
    X(FILE_TYPE_UNCHECKED, "file-type-unchecked",                                                  \
      "a file mapping's type is not compared with the detected file type")                         \
    X(FILE_CONFIG_UNCHECKED, "file-config-unchecked",                                              \
      "file mappings are not checked against the field's allowed types/extensions/methods")        \
    X(UPLOADS_UNKNOWN_AT_SUBMIT, "uploads-unknown-at-submit",                                      \
      "uploaded files are not found at submit: a valid submission answers 400")                    \
    X(FILE_OWNER_UNCHECKED, "file-owner-unchecked",                                                \
      "a submit accepts a file of another form, another user or another app")                      \
    /* expiry */                                                                                   \
    X(EXPIRY_GET, "expiry-get", "form GET serves expired forms")                                   \
    X(EXPIRY_SUBMIT, "expiry-submit", "submit accepts expired forms")                              \
    X(EXPIRY_UPLOAD_TOKEN, "expiry-upload-token", "upload-token is issued for expired forms")      \
    X(EXPIRY_UPLOAD, "expiry-upload", "uploads are accepted for expired forms")                    \
    X(GLOBAL_TIMEOUT_IGNORED, "global-timeout-ignored",                                            \
      "forms stay open past the global timeout (--global-timeout)")                                \
    X(GLOBAL_STOP_STATUS, "global-stop-status",                                                    \
      "a run stopped by the global timeout finishes with status failed, not stopped")              \
    X(GLOBAL_TIMEOUT_GET_ONLY, "global-timeout-get-only",                                          \
      "only form GET enforces the global timeout: submit, upload-token and uploads ignore it")     \
    /* rate limit */                                                                               \
    X(NO_RATE_LIMIT, "no-rate-limit", "WEB form endpoints are never rate limited")                 \
    X(SHARED_BUCKETS, "shared-buckets", "GET, POST and upload-token share one limiter")            \
    X(COUNT_429S, "count-429s", "429 answers count toward the limit")                              \
    X(GLOBAL_BUCKET, "global-bucket", "one limiter bucket for all client IPs")                     \
    X(TRUST_FORWARDED, "trust-forwarded",                                                          \
      "client IP taken from X-Forwarded-For / CF-Connecting-IP without --trust-forwarded")         \
    /* resume */                                                                                   \
    X(RESUME_WRONG_USER, "resume-wrong-user", "resume stream is served to another user")           \
    X(RESUME_NO_PING, "resume-no-ping", "resume streams send no ping frames")                      \
    X(WRONG_BRANCH, "wrong-branch", "the run resumes along another action's branch")               \
    X(RESUME_FINISHED_REPLAY, "resume-finished-replay",                                            \
      "resume of a finished run streams several frames")                                           \
    X(FILLED_WRONG_ACTION_TEXT, "filled-wrong-action-text",                                        \
      "human_input_form_filled.action_text is the action id, not its title")                       \
    X(FILLED_NO_NODE_FIELDS, "filled-no-node-fields",                                              \
      "human_input_form_filled.data lacks node_id, node_title and rendered_content")               \
    X(CONTINUE_ON_PAUSE_IGNORED, "continue-on-pause-ignored",                                      \
      "resume streams close after workflow_paused even with continue_on_pause=true")               \
    /* errors and auth */                                                                          \
    X(ERROR_NO_STATUS, "error-no-status", "error bodies have no status key")                       \
    X(ERROR_HTML, "error-html", "malformed JSON bodies get an HTML 400 page")                      \
    X(SVC_NO_AUTH, "svc-no-auth", "SVC form endpoints accept requests without an API key")         \
    X(SVC_USER_OPTIONAL, "svc-user-optional", "SVC submit without user is accepted")               \
    X(SVC_SUBMIT_OTHER_APP, "svc-submit-other-app",                                                \
      "SVC submit accepts another app's API key for the form")                                     \
    X(HUGE_TOKEN_500, "huge-token-500",                                                            \
      "a path over 8 KiB (a 64 KiB form token) answers an HTML 500: the app crashes on it")        \
    /* hostile */                                                                                  \
    X(HOSTILE_ENDLESS_STREAM, "hostile-endless-stream",                                            \
      "start stream sends `: keepalive` comments forever, never an event")                         \
    X(HOSTILE_ENDLESS_LINE, "hostile-endless-line",                                                \
      "start stream sends one `data: xxx…` line forever, never a line end")                        \
    X(HOSTILE_SLOW_DRIP, "hostile-slow-drip", "start stream drips one byte every 500 ms")          \
    X(HOSTILE_GZIP_BOMB, "hostile-gzip-bomb",                                                      \
      "form GET answers a ~1 MiB gzip body that inflates to more than 1 GiB")                      \
    X(HOSTILE_HUGE_CONTENT_LENGTH, "hostile-huge-content-length",                                  \
      "form GET declares Content-Length 10000000000, sends a short body, then stalls")             \
    X(HOSTILE_REDIRECT_LOOP, "hostile-redirect-loop", "form GET redirects (302) to itself")        \
    X(HOSTILE_HEADER_FLOOD, "hostile-header-flood", "form GET sends 10,000 headers (~1 MiB)")      \
    X(HOSTILE_MALFORMED_JSON, "hostile-malformed-json", "form GET returns truncated JSON")         \
    X(HOSTILE_TRAVERSAL_TOKEN, "hostile-traversal-token",                                          \
      "events carry form_token `../hostile-escape`")                                               \
    X(HOSTILE_TRAVERSAL_RUN_ID, "hostile-traversal-run-id",                                        \
      "events carry workflow_run_id `../hostile-escape`")                                          \
    X(HOSTILE_CRLF_UPLOAD_TOKEN, "hostile-crlf-upload-token",                                      \
      "upload tokens end in CR LF `X-Hostile-Injected: 1` (a header of their own)")                \
    X(HOSTILE_HTML_FORM, "hostile-html-form", "form GET answers 200 with an HTML sign-in page")    \
    X(HOSTILE_HUGE_FORM, "hostile-huge-form", "form GET answers a 12 MiB JSON body")               \
    X(HOSTILE_HUGE_NUMBERS, "hostile-huge-numbers",                                                \
      "form GET body holds 100,000-digit numbers (expiration_time, a default)")                    \
    X(HOSTILE_RECONNECT, "hostile-reconnect",                                                      \
      "streams open with `retry: 0`; resume streams then close at once, asking for a reconnect")   \
    /* regressions: bugs Dify releases shipped (regress.* checks) */                               \
    X(REGRESS_FIRST_SUBMIT_412, "regress-first-submit-412",                                        \
      "the first submit of a waiting form answers 412 human_input_form_submitted (dify#35703)")    \
    X(REGRESS_GET_LAGS_PAUSE, "regress-get-lags-pause",                                            \
      "form GET answers 404 for about 2 s after the pause (dify#40445)")                           \
    X(REGRESS_RUN_STOPPED, "regress-run-stopped",                                                  \
      "a resumed run ends with workflow_finished status stopped (dify#39750)")                     \
    X(REGRESS_RESUME_NOT_CLOSED, "regress-resume-not-closed",                                      \
      "resume streams stay open after workflow_finished (dify#34631)")                             \
    X(REGRESS_FILLED_MISSING, "regress-filled-missing",                                            \
      "a resumed run sends node_finished, no human_input_form_filled (dify#42062)")                \
    X(REGRESS_REQUIRED_EMPTY, "regress-required-empty",                                            \
      "human_input_required data is {} on the Service API stream (dify#35504)")                    \
    X(REGRESS_TIMEOUT_EVENT_MISSING, "regress-timeout-event-missing",                              \
      "an expired form's run sends node_finished, no human_input_form_timeout (dify#42062)")       \
    X(REGRESS_TIMEOUT_BRANCH_MISSED, "regress-timeout-branch-missed",                              \
      "an expired form's run finishes without taking the __timeout branch (dify#40459)")           \
    X(REGRESS_RESUME_NEW_RUN, "regress-resume-new-run",                                            \
      "a resumed run streams as a new run: workflow_started and another run id (dify#39686)")      \
    X(REGRESS_FORM_UNRENDERED, "regress-form-unrendered",                                          \
      "form GET form_content is the raw template: {{#sys.query#}} left (dify#38604)")              \
    X(REGRESS_PARALLEL_STUCK, "regress-parallel-stuck",                                            \
      "--app-dsl runs: of two parallel forms submitted, the second resume is lost (dify#42103)")   \
    X(REGRESS_ANSWER_LOST, "regress-answer-lost",                                                  \
      "--app-dsl runs: Answer nodes after a resume stream no message events (dify#38432)")

typedef enum rs_fault {
#define RS_FAULT_ENUM(e, n, s) RS_F_##e,
    RS_FAULT_LIST(RS_FAULT_ENUM)
#undef RS_FAULT_ENUM
        RS_F__COUNT
} rs_fault;

_Static_assert(RS_F__COUNT <= 64 * HITL_REFSERVER_FAULT_WORDS, "fault bitset too small");

/* 1 when fault |f| is on in |cfg|. */
static inline int rs_fault_on(const hitl_refserver_config *cfg, rs_fault f)
{
    return (int)((cfg->faults[(unsigned)f / 64] >> ((unsigned)f % 64)) & 1u);
}

#endif
