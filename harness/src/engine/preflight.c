/* preflight.c: one run before the checks (see preflight.h). */
#include "hitl/preflight.h"

#include "hitl/buf.h"
#include "hitl/sse.h"
#include "hitl/url.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HEAD_MAX (8u * 1024u)      /* body bytes kept for excerpts and error codes */
#define LINE_MAX_BYTES (16u << 20) /* a Dify form event may be several MiB */
#define FORM_GET_TIMEOUT_MS 10000L /* the form GET needs only its status line and headers */
#define URL_CAP 2048u
#define SHOWN_URL 160            /* characters of a URL quoted in a message */
#define LATE_FORM_RETRY_MS 3000L /* a form GET answered 404 is asked again after this */

/* What a `form_token` key held. */
typedef enum tok_state { TOK_MISSING = 0, TOK_NULL, TOK_STRING } tok_state;

/* What the start stream showed, collected as it arrives. */
typedef struct start_watch {
    const hitl_http_response *resp; /* filled by the transport as headers arrive */
    hitl_sse *parser;
    int parse_rc;
    hitl_buf head;            /* the body's first bytes */
    struct timespec abort_at; /* the first-event deadline; zeroed once an event arrived */
    size_t events;            /* SSE events, pings included */
    size_t json_events;
    bool required, paused, finished, failed, reason_hitl;
    tok_state required_tok, reason_tok;
    char token[HITL_URL_VALUE_MAX + 1];
    char refused[HITL_ERR_MSG_MAX]; /* why a form_token was refused (url.h), or "" */
    char ended_by[32];              /* the event that finished the run without a pause */
    char error[200];                /* an `error` event's message */
    char first_event[32];
} start_watch;

static void copy_str(char *out, size_t cap, const cJSON *v)
{
    snprintf(out, cap, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

/* Notes a `form_token` value: the first string wins. One that may not go into a URL
 * (url.h) is not kept; |refused| says why. */
static tok_state take_token(start_watch *w, const cJSON *obj)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "form_token");
    if (cJSON_IsString(v) && v->valuestring[0]) {
        hitl_err why = {0};
        if (hitl_url_value_check(v->valuestring, &why)) {
            if (!w->refused[0])
                snprintf(w->refused, sizeof w->refused, "%s", why.msg);
        } else if (!w->token[0]) {
            snprintf(w->token, sizeof w->token, "%s", v->valuestring);
        }
        return TOK_STRING;
    }
    return cJSON_IsNull(v) ? TOK_NULL : TOK_MISSING;
}

static int on_event(void *user, const hitl_sse_event *ev)
{
    start_watch *w = user;
    w->events++;
    memset(&w->abort_at, 0, sizeof w->abort_at); /* the stream is alive */
    if (ev->type_len == 4 && !memcmp(ev->type, "ping", 4))
        return 0;
    cJSON *root = cJSON_ParseWithLength(ev->data, ev->data_len);
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(root, "event");
    if (!cJSON_IsString(name)) {
        cJSON_Delete(root);
        return 0;
    }
    const char *n = name->valuestring;
    if (!w->json_events++)
        snprintf(w->first_event, sizeof w->first_event, "%s", n);
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
    if (!strcmp(n, "human_input_required")) {
        w->required = true;
        w->required_tok = take_token(w, data);
    } else if (!strcmp(n, "workflow_paused")) {
        w->paused = true;
        const cJSON *r;
        cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(data, "reasons"))
        {
            const cJSON *type = cJSON_GetObjectItemCaseSensitive(r, "TYPE");
            if (!(cJSON_IsString(type) && !strcmp(type->valuestring, "human_input_required")) &&
                !cJSON_GetObjectItemCaseSensitive(r, "form_token"))
                continue;
            w->reason_hitl = true;
            tok_state s = take_token(w, r);
            if (s > w->reason_tok)
                w->reason_tok = s;
        }
    } else if (!w->paused && (!strcmp(n, "workflow_finished") || !strcmp(n, "message_end"))) {
        w->finished = true;
        snprintf(w->ended_by, sizeof w->ended_by, "%s", n);
    } else if (!w->paused && !strcmp(n, "error")) {
        w->failed = true;
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "message");
        copy_str(w->error, sizeof w->error, m);
    }
    cJSON_Delete(root);
    return w->paused || w->finished || w->failed ? 1 : 0;
}

static int on_body(void *user, const char *data, size_t len)
{
    start_watch *w = user;
    size_t room = w->head.max - w->head.len;
    hitl_buf_append(&w->head, data, len < room ? len : room);
    if (w->resp->status < 200 || w->resp->status > 299)
        return w->head.len >= w->head.max; /* an error body: its head is enough */
    int rc = hitl_sse_feed(w->parser, data, len, NULL);
    if (rc) {
        if (rc != HITL_E_STOPPED) /* on_event ended it: the run paused, finished or failed */
            w->parse_rc = rc;
        return 1;
    }
    return 0;
}

/* The form GET's sink: the first chunk is kept, then the transfer stops. */
static int head_sink(void *user, const char *data, size_t len)
{
    hitl_buf *head = user;
    size_t room = head->max - head->len;
    hitl_buf_append(head, data, len < room ? len : room);
    return 1;
}

/* |text| as a short quoted excerpt: whitespace runs become one space, control bytes '?',
 * cut on a UTF-8 boundary with "…". */
static void excerpt(const char *text, size_t len, char *out, size_t cap)
{
    size_t n = 0, limit = HITL_PREFLIGHT_EXCERPT < cap - 8 ? HITL_PREFLIGHT_EXCERPT : cap - 8;
    bool space = false, cut = false;
    out[n++] = '"';
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            space = n > 1;
            continue;
        }
        if (n - 1 + (space ? 1 : 0) >= limit) {
            cut = true;
            break;
        }
        if (space)
            out[n++] = ' ';
        space = false;
        out[n++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    while (cut && n > 1 && ((unsigned char)out[n - 1] & 0xC0) == 0x80)
        n--; /* a multi-byte character cut short */
    if (cut && n > 1 && ((unsigned char)out[n - 1] & 0xC0) == 0xC0)
        n--;
    out[n] = '\0';
    snprintf(out + n, cap - n, "%s\"", cut ? "…" : "");
}

/* "HTTP 404 (text/html, "<html>…")" for an answer and its kept head. */
static void describe(const hitl_http_response *resp, const hitl_buf *head, char *out, size_t cap)
{
    const char *ct = hitl_http_header_get(resp, "Content-Type");
    char ex[HITL_PREFLIGHT_EXCERPT + 16];
    excerpt(hitl_buf_str(head), head->len, ex, sizeof ex);
    snprintf(out, cap, "HTTP %ld (%.60s, %s)", resp->status, ct ? ct : "no Content-Type",
             head->len ? ex : "empty body");
}

/* The `code` of a JSON error body, "" when none. */
static void json_code(const hitl_buf *head, char *out, size_t cap)
{
    cJSON *root = cJSON_ParseWithLength(hitl_buf_str(head), head->len);
    copy_str(out, cap, cJSON_GetObjectItemCaseSensitive(root, "code"));
    cJSON_Delete(root);
}

static bool is_json_type(const hitl_http_response *resp)
{
    const char *ct = hitl_http_header_get(resp, "Content-Type");
    return ct && strstr(ct, "json");
}

/* A 404 or 405 that is not JSON came from something other than the API (the web front end, a
 * proxy's own page): behind a front proxy, the likely cause is a missing route for the base
 * path (Dify's nginx has one `location` per API prefix, docker/nginx/conf.d/). Fills |out| with
 * that advice (starting with "; "), or "" when the answer is JSON. */
static void route_advice(const hitl_http_response *resp, const char *base, char *out, size_t cap)
{
    out[0] = '\0';
    if ((resp->status == 404 || resp->status == 405) && !is_json_type(resp))
        snprintf(out, cap,
                 "; not the API's JSON: a proxy in front must route %.60s to the API service "
                 "(Dify's nginx: `location %.60s`)",
                 base, base);
}

/* The advice for a start request that did not answer 200: which options to change. */
static const char *start_advice(long status, const char *code)
{
    if (status == 401 || status == 403)
        return "the Service API refused the app key; check --api-key (the app's Service API "
               "key)";
    if (status >= 300 && status < 400)
        return "a redirect: check --target (scheme, host and port of the deployment)";
    if (status == 404 || status == 405)
        return "no Service API there; check --target (the deployment's base URL, without a "
               "path) and --service-base";
    if (!strcmp(code, "not_workflow_app") || !strcmp(code, "not_chat_app"))
        return "the app's mode does not match the route; check --app-mode (workflow for "
               "/workflows/run, chatflow for /chat-messages) and --api-key";
    if (!strcmp(code, "app_unavailable"))
        return "the app is not available (unpublished or misconfigured); check --api-key";
    if (status == 400 || status == 422)
        return "the run was refused; check --inputs (the app's start variables) and "
               "--app-mode";
    return "the target could not start a run; check --target, --service-base, --api-key, "
           "--app-mode and --inputs";
}

/* |url| shortened for a message. */
static const char *shown(const char *url, char *out, size_t cap)
{
    size_t n = strlen(url);
    if (n <= SHOWN_URL)
        return url;
    snprintf(out, cap, "%.*s…", SHOWN_URL, url);
    return out;
}

static int note_set(char *note, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int note_set(char *note, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(note, cap, fmt, ap);
    va_end(ap);
    return HITL_OK;
}

/* GETs the form of |token| on |surface| and judges only whether the form is there. 0 (with
 * |note| set when the answer could not be judged), or HITL_E_INVALID with |err|. */
static int probe_form(hitl_http *http, const hitl_target *t, hitl_surface surface,
                      const char *token, char *note, size_t note_cap, hitl_err *err)
{
    bool svc = surface == HITL_SURFACE_SERVICE;
    hitl_buf url, shown_url;
    hitl_buf_init(&url, URL_CAP);
    hitl_buf_init(&shown_url, URL_CAP);
    char path[URL_CAP];
    int rc = hitl_url_path(path, sizeof path, "/form/human_input/", token, "", NULL);
    rc = rc ? rc : hitl_target_url(t, surface, &url, path);
    rc = rc ? rc : hitl_target_url(t, surface, &shown_url, "/form/human_input/<form-token>");
    if (rc) {
        hitl_buf_free(&url);
        hitl_buf_free(&shown_url);
        return hitl_err_set(err, HITL_E_INVALID,
                            "the form URL under --%s-base is longer than %u bytes; check it",
                            svc ? "service" : "web", URL_CAP);
    }
    char auth[1024];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", t->api_key ? t->api_key : "");
    const char *headers[1] = {auth};
    hitl_http_response resp;
    memset(&resp, 0, sizeof resp);
    hitl_buf head;
    hitl_buf_init(&head, 2048);
    /* Only the status, the headers and the first bytes matter: the rest of the body (a
     * hostile one, a stall) is the checks' to judge. */
    hitl_http_request req = {
        .method = "GET",
        .url = hitl_buf_str(&url),
        .headers = headers,
        .n_headers = svc && t->api_key ? 1 : 0,
        .timeout_ms = t->timeout_ms < FORM_GET_TIMEOUT_MS ? t->timeout_ms : FORM_GET_TIMEOUT_MS,
        .on_body = head_sink,
        .user = &head};
    hitl_err herr = {0};
    int hrc = hitl_http_do(http, &req, &resp, &herr);
    /* A 404 may be a form that is not readable yet (dify#40445: the pause record lags the
     * event): asked again once, a late form is the regress check's finding, not a wrong
     * base URL. */
    long first_status = resp.status;
    if (hrc == HITL_OK && resp.status == 404) {
        struct timespec ts = {.tv_sec = LATE_FORM_RETRY_MS / 1000};
        nanosleep(&ts, NULL);
        hitl_http_response_free(&resp);
        memset(&resp, 0, sizeof resp);
        hitl_buf_reset(&head);
        memset(&herr, 0, sizeof herr);
        hrc = hitl_http_do(http, &req, &resp, &herr);
    }
    char what[400], sbuf[SHOWN_URL + 8];
    const char *surl = shown(hitl_buf_str(&shown_url), sbuf, sizeof sbuf);
    const char *option = svc ? "--service-base" : "--web-base";
    rc = HITL_OK;
    if (resp.status == 0 || hrc != HITL_OK) {
        /* No answer, or one the transport gave up on (a header flood, a stall before the
         * body): a question for the checks, not of the configuration. */
        note_set(note, note_cap,
                 "preflight: GET %s (the run's own form) ended without a usable answer (%s): "
                 "the checks judge it",
                 surl, hrc ? herr.msg : "no status");
    } else if (resp.status == 404 || resp.status == 405) {
        describe(&resp, &head, what, sizeof what);
        char route[256];
        route_advice(&resp, svc ? t->service_base : t->web_base, route, sizeof route);
        rc = hitl_err_set(
            err, HITL_E_INVALID,
            "GET %s answered %s for the form of the run it just paused: no form API "
            "there; check %s (now %s)%s%s",
            surl, what, option, svc ? t->service_base : t->web_base,
            svc ? ", or choose --surface web when only the WebApp delivers the form" : "", route);
    } else if (resp.status == 401 || (svc && resp.status == 403)) {
        describe(&resp, &head, what, sizeof what);
        rc = hitl_err_set(err, HITL_E_INVALID,
                          "GET %s answered %s: the form API refused the request; check %s", surl,
                          what, svc ? "--api-key" : "--web-base, or choose --surface service");
    } else if (resp.status == 403) {
        describe(&resp, &head, what, sizeof what);
        rc = hitl_err_set(err, HITL_E_INVALID,
                          "GET %s answered %s: the app's WebApp is disabled (no site); enable it, "
                          "or choose --surface service",
                          surl, what);
    } else if (resp.status >= 200 && resp.status < 300 && !is_json_type(&resp)) {
        describe(&resp, &head, what, sizeof what);
        rc = hitl_err_set(err, HITL_E_INVALID,
                          "GET %s answered %s, not the form's JSON: something else serves that "
                          "path; check %s (now %s)",
                          surl, what, option, svc ? t->service_base : t->web_base);
    } else if (first_status == 404) {
        note_set(note, note_cap,
                 "preflight: GET %s answered 404 right after the pause and HTTP %ld %d s later: "
                 "the form was late (regress.get-after-pause.no-delay; dify#40445)",
                 surl, resp.status, (int)(LATE_FORM_RETRY_MS / 1000));
    }
    hitl_buf_free(&head);
    hitl_http_response_free(&resp);
    hitl_buf_free(&url);
    hitl_buf_free(&shown_url);
    return rc;
}

/* The start request's body, malloc'd (NULL on memory). */
static char *start_body(const hitl_target *t)
{
    cJSON *body = cJSON_CreateObject();
    cJSON *inputs = cJSON_Parse(t->inputs_json ? t->inputs_json : "{}");
    cJSON_AddItemToObject(body, "inputs", inputs ? inputs : cJSON_CreateObject());
    cJSON_AddStringToObject(body, "response_mode", "streaming");
    cJSON_AddStringToObject(body, "user", t->user ? t->user : "hitlcheck-user");
    if (t->app_mode == HITL_APP_CHATFLOW)
        cJSON_AddStringToObject(body, "query", "hitlcheck preflight");
    char *json = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    return json;
}

/* Judges the start stream of |w| (|hrc| the transport's answer). 0 with |token_out| set
 * (a form token), 0 with |note| set (could not judge), or HITL_E_INVALID. */
static int judge_start(const hitl_target *t, const char *method, const char *surl,
                       const hitl_http_response *resp, const start_watch *w, int hrc,
                       const hitl_err *herr, char *note, size_t note_cap, hitl_err *err)
{
    char what[400];
    if (resp->status == 0)
        return hitl_err_set(err, HITL_E_INVALID,
                            "%s %s got no answer: %s; check --target (scheme, host and port of "
                            "the deployment)",
                            method, surl, herr->msg[0] ? herr->msg : hitl_status_name(hrc));
    if (resp->status < 200 || resp->status > 299) {
        char code[64];
        json_code(&w->head, code, sizeof code);
        describe(resp, &w->head, what, sizeof what);
        const char *loc = hitl_http_header_get(resp, "Location");
        char route[256];
        route_advice(resp, t->service_base, route, sizeof route);
        return hitl_err_set(err, HITL_E_INVALID, "%s %s answered %s%s%.80s: %s%s", method, surl,
                            what, loc ? ", Location " : "", loc ? loc : "",
                            start_advice(resp->status, code), route);
    }
    if (w->failed)
        return hitl_err_set(err, HITL_E_INVALID,
                            "%s %s: the run failed with an `error` event (\"%s\") before pausing; "
                            "check --inputs (the app's start variables) and --api-key",
                            method, surl, w->error);
    if (w->finished)
        return hitl_err_set(err, HITL_E_INVALID,
                            "%s %s: the run ended (%s) without pausing at a Human Input node; "
                            "check --api-key (an app whose workflow has a Human Input node) and "
                            "--inputs (the path that reaches it)",
                            method, surl, w->ended_by);
    if (!w->paused) {
        if (w->json_events == 0 && hrc == HITL_OK && w->parse_rc == 0) {
            describe(resp, &w->head, what, sizeof what);
            return hitl_err_set(err, HITL_E_INVALID,
                                "%s %s answered %s and no event stream: not the Service API's "
                                "run endpoint; check --target and --service-base (now %s)",
                                method, surl, what, t->service_base);
        }
        if (hrc == HITL_OK && w->parse_rc == 0)
            return hitl_err_set(err, HITL_E_INVALID,
                                "%s %s: the stream ended after %zu events (the first %s) without "
                                "workflow_paused; check --api-key (an app with a Human Input "
                                "node) and --inputs",
                                method, surl, w->json_events, w->first_event);
        note_set(note, note_cap,
                 "preflight: the start stream could not be judged (%zu events, %s); the checks "
                 "judge it",
                 w->json_events,
                 w->parse_rc ? "a line or event over the preflight's cap"
                 : hrc == HITL_E_TIMEOUT && w->events == 0
                     ? "no event within the first-event window"
                 : herr->msg[0] ? herr->msg
                                : hitl_status_name(hrc));
        return HITL_OK;
    }
    if (w->refused[0])
        return hitl_err_set(err, HITL_E_INVALID,
                            "%s %s: the run paused, but its form_token %s: a malformed value, "
                            "refused; hitlcheck puts no server value it has not checked into a "
                            "URL (§1.4.6)",
                            method, surl, w->refused);
    if (w->token[0])
        return HITL_OK;
    if (w->required_tok == TOK_NULL || w->reason_tok == TOK_NULL)
        return hitl_err_set(err, HITL_E_INVALID,
                            "%s %s: the run paused at a Human Input node, but with form_token "
                            "null: its form is delivered by e-mail only, which no API surface "
                            "serves; add WebApp delivery to the node, or choose another app "
                            "(--api-key)",
                            method, surl);
    if (!w->required && !w->reason_hitl)
        return hitl_err_set(err, HITL_E_INVALID,
                            "%s %s: the run paused, but not at a Human Input node (no "
                            "human_input_required event or reason); check --api-key and --inputs",
                            method, surl);
    note_set(note, note_cap,
             "preflight: the run paused without a form_token key; the checks "
             "judge the events");
    return HITL_OK;
}

int hitl_preflight_run(hitl_http *http, const hitl_target *t, hitl_redactor *red, char *note,
                       size_t note_cap, hitl_err *err)
{
    note[0] = '\0';
    const char *path = t->app_mode == HITL_APP_CHATFLOW ? "/chat-messages" : "/workflows/run";
    hitl_buf url;
    hitl_buf_init(&url, URL_CAP);
    if (hitl_target_url(t, HITL_SURFACE_SERVICE, &url, path)) {
        hitl_buf_free(&url);
        return hitl_err_set(err, HITL_E_INVALID,
                            "--target and --service-base make a URL over %u "
                            "bytes; check them",
                            URL_CAP);
    }
    char *json = start_body(t);
    if (!json) {
        hitl_buf_free(&url);
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory building the preflight run");
    }
    hitl_http_response resp;
    memset(&resp, 0, sizeof resp);
    start_watch w = {.resp = &resp};
    hitl_buf_init(&w.head, HEAD_MAX);
    hitl_sse_config sc = {.max_line = LINE_MAX_BYTES,
                          .max_data = LINE_MAX_BYTES,
                          .on_event = on_event,
                          .user = &w,
                          .dispatch_typed_empty = true};
    if (hitl_sse_new(&w.parser, &sc, err)) {
        free(json);
        hitl_buf_free(&url);
        hitl_buf_free(&w.head);
        return HITL_E_NOMEM;
    }
    clock_gettime(CLOCK_MONOTONIC, &w.abort_at);
    w.abort_at.tv_sec += HITL_PREFLIGHT_FIRST_EVENT_MS / 1000;
    char auth[1024];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", t->api_key ? t->api_key : "");
    const char *headers[] = {auth, "Content-Type: application/json", "Accept: text/event-stream"};
    hitl_http_request req = {.method = "POST",
                             .url = hitl_buf_str(&url),
                             .headers = headers,
                             .n_headers = 3,
                             .body = json,
                             .body_len = strlen(json),
                             .timeout_ms = t->max_wait_s * 1000L,
                             .idle_timeout_ms = t->timeout_ms,
                             .on_body = on_body,
                             .user = &w,
                             .abort_at = &w.abort_at};
    hitl_err herr = {0};
    int hrc = hitl_http_do(http, &req, &resp, &herr);
    if (w.token[0])
        hitl_redactor_add(red, w.token, "form-token");
    char sbuf[SHOWN_URL + 8];
    int rc = judge_start(t, "POST", shown(hitl_buf_str(&url), sbuf, sizeof sbuf), &resp, &w, hrc,
                         &herr, note, note_cap, err);
    static const hitl_surface order[] = {HITL_SURFACE_SERVICE, HITL_SURFACE_WEB};
    for (size_t i = 0; !rc && w.token[0] && i < 2; i++)
        if (t->surfaces & order[i])
            rc = probe_form(http, t, order[i], w.token, note, note_cap, err);
    hitl_sse_free(w.parser);
    hitl_buf_free(&w.head);
    hitl_http_response_free(&resp);
    hitl_buf_free(&url);
    free(json);
    return rc;
}
