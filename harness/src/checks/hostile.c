/* hostile.c: checks that turn a hostile answer into a precise finding instead of a crash,
 * a hang or unbounded memory. The transport never follows redirects, never inflates a
 * body and caps bodies, headers and time (http.h); the stream caps lines, data, frames
 * and bytes (stream.h). These checks make the request whose answer can be hostile
 * through hitl_ctx_http_raw, so a cap or a timeout is the finding, named as such, not a
 * generic transport ERROR. Each GET is one request on the check's own source address. */
#include "hitl/checks.h"
#include "hitl/flow.h"
#include "hitl/form.h"
#include "hitl/target.h"
#include "hitl/url.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The start stream gets at most this long to reach workflow_paused here (or max-wait when
 * shorter): a hostile stream must end in a finding quickly, not hold a job for minutes. */
#define PROGRESS_TOTAL_MS 15000L
/* A form GET is a small JSON document: this long without a byte in the middle of its body
 * is the stall itself (bounded by --timeout too). */
#define BODY_IDLE_MS 5000L
/* What a sink-read form body may grow to before the check stops reading. */
#define BODY_COUNT_CAP (8u * 1024u * 1024u)

typedef struct form_get_opts {
    const char *extra_header; /* one more "Name: value", or NULL */
    long idle_ms;             /* 0 = none */
    hitl_http_body_fn on_body;
    void *user;
} form_get_opts;

/* form_get_raw GETs the form of |token| on the check's surface (SVC with the app key) with
 * the target's per-request timeout. A transport failure is returned in |err|, not turned
 * into an ERROR. The caller frees |resp| in every case. */
static int form_get_raw(hitl_check_ctx *ctx, const char *token, const form_get_opts *o,
                        hitl_http_response *resp, hitl_err *err)
{
    const hitl_target *t = hitl_ctx_target(ctx);
    hitl_surface surface = hitl_ctx_surface(ctx);
    hitl_buf url;
    hitl_buf_init(&url, 16384);
    memset(resp, 0, sizeof *resp);
    char path[2048];
    hitl_err why = {0};
    int rc = hitl_url_path(path, sizeof path, "/form/human_input/", token, "", &why);
    rc = rc ? rc : hitl_target_url(t, surface, &url, path);
    if (rc) {
        hitl_buf_free(&url);
        return hitl_err_set(err, rc, "could not build the form URL: the form token %s",
                            why.code ? why.msg : "makes it too long");
    }
    const char *headers[2];
    size_t nh = 0;
    char auth[1024];
    if (surface == HITL_SURFACE_SERVICE && t->api_key) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", t->api_key);
        headers[nh++] = auth;
    }
    if (o && o->extra_header)
        headers[nh++] = o->extra_header;
    hitl_http_request req = {.method = "GET",
                             .url = hitl_buf_str(&url),
                             .headers = headers,
                             .n_headers = nh,
                             .timeout_ms = t->timeout_ms,
                             .idle_timeout_ms = o ? o->idle_ms : 0,
                             .on_body = o ? o->on_body : NULL,
                             .user = o ? o->user : NULL};
    rc = hitl_ctx_http_raw(ctx, &req, resp, err);
    hitl_buf_free(&url);
    return rc;
}

/* A transport failure that is not this check's finding: ERROR naming it. */
static void error_transport(hitl_check_ctx *ctx, int rc, const hitl_err *err)
{
    hitl_check_error(ctx, "the form GET failed (%s): %s", hitl_status_name(rc), err->msg);
}

/* §4.1: the form GET answers 200 JSON or a §1.3 error; a 3xx is none of them. A
 * harness-safety rule more than a contract clause (the facts name no redirect rule). hitlcheck
 * never follows a redirect (it could lead off the target's origin or loop), so the 3xx
 * itself is the finding, with its Location. */
static void form_no_redirect(hitl_check_ctx *ctx)
{
    hitl_run run;
    if (hitl_flow_start(ctx, &run) == HITL_OK) {
        hitl_http_response resp;
        hitl_err err = {0};
        int rc = form_get_raw(ctx, run.form_token, NULL, &resp, &err);
        if (rc && (resp.status < 300 || resp.status >= 400)) {
            error_transport(ctx, rc, &err);
        } else {
            const char *loc = hitl_http_header_get(&resp, "Location");
            hitl_expect(ctx, resp.status < 300 || resp.status >= 400,
                        "the form GET answers 200 JSON or a §1.3 error, never a redirect (§4.1; "
                        "harness safety)",
                        "HTTP %ld redirect to Location: %s (reported, not followed)", resp.status,
                        loc ? loc : "(none)");
        }
        hitl_http_response_free(&resp);
    }
    hitl_run_free(&run);
}

/* §4.1: 200 JSON, `Content-Type: application/json`; a harness-safety rule (the facts say
 * nothing of Content-Encoding). The request says
 * `Accept-Encoding: identity`, so any other Content-Encoding is one the client did not
 * accept. The body is kept as sent (never inflated: a gzip bomb stays its wire size). */
static void form_no_content_encoding(hitl_check_ctx *ctx)
{
    hitl_run run;
    if (hitl_flow_start(ctx, &run) == HITL_OK) {
        hitl_http_response resp;
        hitl_err err = {0};
        form_get_opts o = {.extra_header = "Accept-Encoding: identity"};
        int rc = form_get_raw(ctx, run.form_token, &o, &resp, &err);
        if (rc) {
            error_transport(ctx, rc, &err);
        } else {
            const char *ce = hitl_http_header_get(&resp, "Content-Encoding");
            const unsigned char *b = (const unsigned char *)resp.body.ptr;
            bool gzip_magic = resp.body.len >= 2 && b[0] == 0x1f && b[1] == 0x8b;
            hitl_expect(
                ctx, !ce || !*ce || !strcasecmp(ce, "identity"),
                "the form body is plain JSON: no Content-Encoding the client did not "
                "accept (request: Accept-Encoding: identity) (§4.1 200 JSON; harness safety)",
                "Content-Encoding: %s; body kept as sent, %zu bytes, not inflated%s", ce ? ce : "",
                resp.body.len, gzip_magic ? " (starts with the gzip magic 1f 8b)" : "");
        }
        hitl_http_response_free(&resp);
    }
    hitl_run_free(&run);
}

/* §4.1: the form GET is one small JSON answer; a harness-safety rule: its header block must
 * fit the harness's caps
 * (256 KiB, 1000 header lines) or the transfer is cut and the cap named. */
static void form_bounded_headers(hitl_check_ctx *ctx)
{
    hitl_run run;
    if (hitl_flow_start(ctx, &run) == HITL_OK) {
        hitl_http_response resp;
        hitl_err err = {0};
        int rc = form_get_raw(ctx, run.form_token, NULL, &resp, &err);
        if (rc && !resp.headers_capped) {
            error_transport(ctx, rc, &err);
        } else {
            hitl_expect(ctx, !resp.headers_capped,
                        "the form GET's response headers fit the harness's caps (256 KiB, "
                        "1000 headers) (§4.1 200 JSON; harness safety)",
                        "the response headers passed the cap (%u bytes or %u headers); the "
                        "transfer was cut after %zu headers (HTTP %ld)",
                        HITL_HTTP_MAX_HEADER_BYTES, HITL_HTTP_MAX_HEADERS, resp.n_headers,
                        resp.status);
        }
        hitl_http_response_free(&resp);
    }
    hitl_run_free(&run);
}

/* §1.4.7: a form GET's body is a few KiB; the transport stores at most 8 MiB (http.h) and
 * stops there, so a body past that (or one announced past it) costs the harness nothing and
 * is the finding, with the cap named. */
static void form_bounded_body(hitl_check_ctx *ctx)
{
    hitl_run run;
    if (hitl_flow_start(ctx, &run) == HITL_OK) {
        hitl_http_response resp;
        hitl_err err = {0};
        int rc = form_get_raw(ctx, run.form_token, NULL, &resp, &err);
        if (rc && (rc != HITL_E_TOO_BIG || resp.headers_capped))
            error_transport(ctx, rc, &err);
        else
            hitl_expect(ctx, rc == HITL_OK,
                        "the form GET's body fits the harness's 8 MiB cap (§1.4.7)",
                        "%s; %zu bytes read before the transfer was cut (HTTP %ld)", err.msg,
                        resp.body_bytes, resp.status);
        hitl_http_response_free(&resp);
    }
    hitl_run_free(&run);
}

/* Counts body bytes without storing them (the declared length may be anything). */
static int count_body(void *user, const char *data, size_t len)
{
    (void)data;
    size_t *n = user;
    *n += len;
    return *n > BODY_COUNT_CAP;
}

/* §4.1 answers a small JSON body; HTTP requires a Content-Length to be the body's length.
 * The body is counted, not stored, so a declared 10 GB costs nothing; a declared length
 * that never arrives ends at the idle timeout (5 s, or --timeout when shorter) or when the
 * server closes, and the finding names both numbers. */
static void form_content_length_honest(hitl_check_ctx *ctx)
{
    hitl_run run;
    if (hitl_flow_start(ctx, &run) == HITL_OK) {
        const hitl_target *t = hitl_ctx_target(ctx);
        hitl_http_response resp;
        hitl_err err = {0};
        size_t counted = 0;
        form_get_opts o = {.idle_ms = t->timeout_ms < BODY_IDLE_MS ? t->timeout_ms : BODY_IDLE_MS,
                           .on_body = count_body,
                           .user = &counted};
        int rc = form_get_raw(ctx, run.form_token, &o, &resp, &err);
        const char *cl = hitl_http_header_get(&resp, "Content-Length");
        char *end = NULL;
        unsigned long long declared = cl ? strtoull(cl, &end, 10) : 0;
        bool has_cl = cl && end && end != cl && *end == '\0';
        if (resp.stopped) {
            hitl_check_error(ctx,
                             "the form body passed %u bytes (Content-Length: %s); stopped "
                             "reading",
                             BODY_COUNT_CAP, cl ? cl : "(none)");
        } else if (rc && !has_cl) {
            error_transport(ctx, rc, &err);
        } else {
            hitl_expect(ctx, !has_cl || declared == (unsigned long long)resp.body_bytes,
                        "the form GET's body is as long as its Content-Length (§4.1)",
                        "Content-Length: %llu declared, %zu bytes arrived in %.1f s, then %s",
                        declared, resp.body_bytes, resp.seconds,
                        rc ? err.msg : "the response ended");
        }
        hitl_http_response_free(&resp);
    }
    hitl_run_free(&run);
}

/* json_open_at_end scans |len| bytes of JSON text for nesting only and returns how many
 * objects, arrays and strings are still open at the end (0: the text is closed). cJSON
 * reports where a token that failed began, not that the text ran out: this tells a body
 * cut short from one that is wrong in the middle. */
static size_t json_open_at_end(const char *p, size_t len, bool *in_string)
{
    size_t depth = 0;
    bool str = false, esc = false;
    for (size_t i = 0; i < len; i++) {
        char ch = p[i];
        if (str) {
            if (esc)
                esc = false;
            else if (ch == '\\')
                esc = true;
            else if (ch == '"')
                str = false;
        } else if (ch == '"') {
            str = true;
        } else if (ch == '{' || ch == '[') {
            depth++;
        } else if ((ch == '}' || ch == ']') && depth) {
            depth--;
        }
    }
    *in_string = str;
    return depth + (str ? 1 : 0);
}

/* §4.2: the 200 body is one complete JSON object. The finding says where the
 * parser stopped and whether the body ends with objects or a string still open (cut short)
 * or is wrong in the middle. */
static void form_json_complete(hitl_check_ctx *ctx)
{
    hitl_run run;
    if (hitl_flow_start(ctx, &run) == HITL_OK) {
        hitl_http_response resp;
        hitl_err err = {0};
        int rc = form_get_raw(ctx, run.form_token, NULL, &resp, &err);
        if (rc) {
            error_transport(ctx, rc, &err);
        } else if (resp.status != 200) {
            hitl_check_error(ctx, "precondition: the form GET answered HTTP %ld, not 200",
                             resp.status);
        } else {
            const char *at = NULL;
            cJSON *root = cJSON_ParseWithLengthOpts(resp.body.ptr ? resp.body.ptr : "",
                                                    resp.body.len, &at, false);
            size_t stop = at && resp.body.ptr ? (size_t)(at - resp.body.ptr) : 0;
            const char *cl = hitl_http_header_get(&resp, "Content-Length");
            bool in_str = false;
            const char *b = hitl_buf_str(&resp.body);
            size_t lead = strspn(b, " \t\r\n");
            /* Only text that starts as JSON can be a JSON document cut short. */
            bool json_start = b[lead] == '{' || b[lead] == '[';
            size_t open = root || !json_start ? 0 : json_open_at_end(b, resp.body.len, &in_str);
            char why[128] = "";
            if (open)
                snprintf(why, sizeof why,
                         "; the body ends with %zu object(s)/array(s)%s still "
                         "open: it is cut short",
                         in_str ? open - 1 : open, in_str ? " and a string" : "");
            hitl_expect(ctx, cJSON_IsObject(root),
                        "the form GET's 200 body is one complete JSON object (§4.2)",
                        "%s: %zu bytes (Content-Length: %s), the JSON parser stopped at byte %zu%s",
                        root ? "a JSON value but not an object" : "not valid JSON", resp.body.len,
                        cl ? cl : "none", stop, why);
            cJSON_Delete(root);
        }
        hitl_http_response_free(&resp);
    }
    hitl_run_free(&run);
}

/* True when the kept start of the stream is nothing but SSE comment lines (`: …`). */
static bool only_comments(const hitl_buf *kept)
{
    bool any = false;
    size_t i = 0;
    while (i < kept->len) {
        const char *line = kept->ptr + i;
        const char *nl = memchr(line, '\n', kept->len - i);
        size_t n = nl ? (size_t)(nl - line) : kept->len - i;
        if (n && line[n - 1] == '\r')
            n--;
        if (n) {
            if (line[0] != ':')
                return false;
            any = true;
        }
        i += (nl ? (size_t)(nl - line) + 1 : kept->len - i);
    }
    return any;
}

/* §2: the start stream is a finite sequence of events that reaches workflow_paused. Here it
 * gets min(max-wait, 15 s) and the stream's caps (line 1 MiB, data 4 MiB, 10000 frames,
 * 64 MiB). A cap passed is a FAIL naming the cap. Running out of time is an ERROR (a slow
 * workflow is not by itself a violation) that says what arrived: only comments, or a drip
 * of a few bytes a second. */
static void stream_makes_progress(hitl_check_ctx *ctx)
{
    const hitl_target *t = hitl_ctx_target(ctx);
    long total_ms =
        t->max_wait_s * 1000L < PROGRESS_TOTAL_MS ? t->max_wait_s * 1000L : PROGRESS_TOTAL_MS;
    hitl_run run;
    int rc = hitl_flow_start_stream_within(ctx, NULL, total_ms, 0, &run);
    const hitl_stream *s = &run.stream;
    if (rc) {
        hitl_check_error(ctx, "could not start a run (%s)", hitl_status_name(rc));
    } else if (run.paused_index != SIZE_MAX) {
        hitl_expect(ctx, true, "the start stream reaches workflow_paused (§2)", "reached");
    } else if (s->end == HITL_STREAM_OVERFLOW) {
        hitl_check_fail(ctx,
                        "the start stream reaches workflow_paused within the harness's caps: "
                        "line 1 MiB, data 4 MiB, 10000 frames, 64 MiB (§2)",
                        "after %zu events and %zu bytes in %.1f s: %s", s->n_frames, s->bytes,
                        s->seconds, s->error ? s->error : "a cap was passed");
    } else if (s->end == HITL_STREAM_TIMEOUT) {
        double rate = s->seconds > 0 ? (double)s->bytes / s->seconds : 0;
        const char *what = s->n_frames == 0 && only_comments(&s->resp.body)
                               ? "; only SSE comment lines, never an event"
                           : rate < 64 ? "; a drip of a few bytes a second"
                                       : "";
        hitl_check_error(ctx,
                         "the start stream had no workflow_paused within %ld s (%s): %zu "
                         "events, %zu bytes (%.1f bytes/s)%s",
                         total_ms / 1000, s->error ? s->error : "timeout", s->n_frames, s->bytes,
                         rate, what);
    } else if (s->end == HITL_STREAM_CLOSED) {
        hitl_check_fail(ctx, "the start stream reaches workflow_paused before it ends (§2)",
                        "the stream ended after %zu events and %zu bytes without workflow_paused",
                        s->n_frames, s->bytes);
    } else {
        hitl_check_error(ctx, "the start stream ended (%s) before workflow_paused: %s",
                         hitl_stream_end_name(s->end), s->error ? s->error : "");
    }
    hitl_run_free(&run);
}

static const hitl_check_impl CHECKS[] = {
    {"hostile.form.no-redirect", form_no_redirect},
    {"hostile.form.no-content-encoding", form_no_content_encoding},
    {"hostile.form.bounded-headers", form_bounded_headers},
    {"hostile.form.content-length-honest", form_content_length_honest},
    {"hostile.form.json-complete", form_json_complete},
    {"hostile.form.bounded-body", form_bounded_body},
    {"hostile.stream.makes-progress", stream_makes_progress},
};
HITL_CHECK_TABLE(hostile, CHECKS)
