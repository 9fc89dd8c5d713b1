/* engine.c: the check context (verdicts, expectations, recorded exchanges) and the
 * parallel runner. */
#include "hitl/engine.h"

#include "hitl/buf.h"
#include "hitl/proxy_page.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MSG_MAX 4096u
#define JUDGED_TEXT_MAX 1024u /* bytes of a judged response's `code` or `message` kept */
#define STOP_REASON_MAX 1024u
#define BREAKER_STEPS 8      /* distinct setup steps the circuit breaker tells apart */
#define BREAKER_SIG_MAX 512u /* bytes of a failure's message it compares */

typedef struct runner runner;

struct hitl_check_ctx {
    runner *rn;
    const hitl_target *target;
    hitl_http *http;
    hitl_redactor *redactor;
    const hitl_engine_options *opts;
    pthread_mutex_t *cb_lock;
    hitl_result *result;
    bool verdict_set;       /* FAIL, SKIP, ERROR or an explicit PASS */
    pthread_mutex_t record_lock; /* a stream thread records exchanges too */
    char source_ip[32];          /* "" unless distinct_sources */
    pthread_t thread;            /* the thread running the check */
    /* The last response that thread received (status, first bytes of the body): what a
     * failed hitl_expect judged when no response was named (see hitl_result.judged_*). */
    long last_status;
    char last_body[HITL_EXCHANGE_PREVIEW];
    size_t last_len;
    /* The run's stop (deadline, circuit breaker) cut one of this check's requests, streams
     * or waits short: whatever it concluded afterwards is not a verdict (run_one). Set by
     * the check's thread or its stream threads. */
    atomic_bool cut;
};

static bool run_stopped(const runner *rn);
static const atomic_int *run_stop_flag(const runner *rn);
static void breaker_feed(runner *rn, const char *step, const char *msg);
static void breaker_reset(runner *rn, const char *step);

/* The response a hitl_expect_* helper is judging right now, on this thread: the first
 * failed expectation records it (judge). NULL outside those helpers. */
static _Thread_local const hitl_http_response *judging;

const char *hitl_verdict_name(hitl_verdict v)
{
    static const char *const names[HITL_VERDICT_COUNT] = {"PASS", "FAIL",  "WARN",
                                                          "SKIP", "ERROR", "KNOWN"};
    return (unsigned)v < HITL_VERDICT_COUNT ? names[v] : "?";
}

const char *hitl_surface_name(hitl_surface s)
{
    return s == HITL_SURFACE_WEB ? "web" : "service";
}

const hitl_target *hitl_ctx_target(const hitl_check_ctx *ctx)
{
    return ctx->target;
}

hitl_surface hitl_ctx_surface(const hitl_check_ctx *ctx)
{
    return ctx->result->surface;
}

const char *hitl_ctx_id(const hitl_check_ctx *ctx)
{
    return ctx->result->entry->id;
}

void *hitl_ctx_env(const hitl_check_ctx *ctx)
{
    return ctx->opts->env;
}

__attribute__((format(printf, 1, 0)))
static char *vformat(const char *fmt, va_list ap)
{
    char *s = malloc(MSG_MAX);
    if (s)
        vsnprintf(s, MSG_MAX, fmt, ap);
    return s;
}

static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = vformat(fmt, ap);
    va_end(ap);
    return s;
}

/* --- verdicts --- */

bool hitl_check_done(const hitl_check_ctx *ctx)
{
    return ctx->verdict_set && ctx->result->reported != HITL_PASS;
}

void hitl_check_pass(hitl_check_ctx *ctx)
{
    if (!ctx->verdict_set) {
        ctx->result->reported = HITL_PASS;
        ctx->verdict_set = true;
    }
}

/* A malloc'd copy of |v|'s string, cut to JUDGED_TEXT_MAX bytes; NULL when no string. */
static char *judged_text(const cJSON *v)
{
    return cJSON_IsString(v) ? strndup(v->valuestring, JUDGED_TEXT_MAX) : NULL;
}

/* Records what the first failed expectation judged: the response being judged on this
 * thread, else the check thread's last response, else none. */
static void judge(hitl_check_ctx *ctx)
{
    hitl_result *r = ctx->result;
    const char *body = NULL;
    size_t len = 0;
    if (judging) {
        r->judged_status = judging->status;
        body = hitl_buf_str(&judging->body);
        len = judging->body.len;
    } else if (pthread_equal(pthread_self(), ctx->thread)) {
        r->judged_status = ctx->last_status;
        body = ctx->last_body;
        len = ctx->last_len;
    }
    cJSON *root = body && len ? cJSON_ParseWithLength(body, len) : NULL;
    if (cJSON_IsObject(root)) {
        r->judged_code = judged_text(cJSON_GetObjectItemCaseSensitive(root, "code"));
        r->judged_message = judged_text(cJSON_GetObjectItemCaseSensitive(root, "message"));
    }
    cJSON_Delete(root);
}

__attribute__((format(printf, 3, 0)))
static bool fail_v(hitl_check_ctx *ctx, const char *expected, const char *fmt, va_list ap)
{
    ctx->result->assertions++;
    if (ctx->verdict_set && ctx->result->reported != HITL_PASS)
        return false; /* the first finding is the one reported */
    ctx->result->reported = HITL_FAIL;
    ctx->verdict_set = true;
    ctx->result->expected = strdup(expected);
    ctx->result->actual = vformat(fmt, ap);
    judge(ctx);
    return false;
}

bool hitl_check_fail(hitl_check_ctx *ctx, const char *expected, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_v(ctx, expected, fmt, ap);
    va_end(ap);
    return false;
}

__attribute__((format(printf, 3, 0)))
static void final_v(hitl_check_ctx *ctx, hitl_verdict v, const char *fmt, va_list ap)
{
    if (ctx->verdict_set && ctx->result->reported != HITL_PASS)
        return;
    ctx->result->reported = v;
    ctx->verdict_set = true;
    ctx->result->reason = vformat(fmt, ap);
}

void hitl_check_skip(hitl_check_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    final_v(ctx, HITL_SKIP, fmt, ap);
    va_end(ap);
}

void hitl_check_error(hitl_check_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    final_v(ctx, HITL_ERROR, fmt, ap);
    va_end(ap);
}

void hitl_check_setup_error(hitl_check_ctx *ctx, const char *step, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = vformat(fmt, ap);
    va_end(ap);
    hitl_check_error(ctx, "precondition (%s): %s", step, msg ? msg : "out of memory");
    /* A failure caused by the run's own stop is no evidence about the target. */
    if (msg && !atomic_load(&ctx->cut))
        breaker_feed(ctx->rn, step, msg);
    free(msg);
}

void hitl_check_setup_ok(hitl_check_ctx *ctx, const char *step)
{
    breaker_reset(ctx->rn, step);
}

void hitl_check_note(hitl_check_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *line = vformat(fmt, ap);
    va_end(ap);
    if (!line)
        return;
    char *old = ctx->result->notes;
    ctx->result->notes = old ? format("%s\n%s", old, line) : strdup(line);
    free(old);
    free(line);
}

bool hitl_expect(hitl_check_ctx *ctx, bool cond, const char *expected, const char *fmt, ...)
{
    if (cond) {
        ctx->result->assertions++;
        return true;
    }
    va_list ap;
    va_start(ap, fmt);
    fail_v(ctx, expected, fmt, ap);
    va_end(ap);
    return false;
}

static const char *body_preview(const hitl_http_response *resp, char *out, size_t cap)
{
    size_t n = resp->body.len < cap - 1 ? resp->body.len : cap - 1;
    memcpy(out, hitl_buf_str(&resp->body), n);
    out[n] = '\0';
    return out;
}

bool hitl_expect_status(hitl_check_ctx *ctx, const hitl_http_response *resp, long status)
{
    char exp[64], body[256];
    snprintf(exp, sizeof exp, "HTTP %ld", status);
    const hitl_http_response *outer = judging;
    judging = resp;
    bool ok = hitl_expect(ctx, resp->status == status, exp, "HTTP %ld %s", resp->status,
                          body_preview(resp, body, sizeof body));
    judging = outer;
    return ok;
}

static bool expect_error_msg(hitl_check_ctx *ctx, const hitl_http_response *resp, long status,
                             const char *code, const char *prefix);

bool hitl_expect_error_msg(hitl_check_ctx *ctx, const hitl_http_response *resp, long status,
                           const char *code, const char *prefix)
{
    const hitl_http_response *outer = judging;
    judging = resp;
    bool ok = expect_error_msg(ctx, resp, status, code, prefix);
    judging = outer;
    return ok;
}

static bool expect_error_msg(hitl_check_ctx *ctx, const hitl_http_response *resp, long status,
                             const char *code, const char *prefix)
{
    char exp[512], body[512];
    if (prefix)
        snprintf(exp, sizeof exp,
                 "HTTP %ld with a JSON error body {\"code\": \"%s\", \"message\": \"%s…\", "
                 "\"status\": %ld} (§1.3)", status, code, prefix, status);
    else
        snprintf(exp, sizeof exp,
                 "HTTP %ld with a JSON error body {\"code\": \"%s\", \"message\": <string>, "
                 "\"status\": %ld} (§1.3)", status, code, status);
    body_preview(resp, body, sizeof body);
    /* A front end's own page (nginx's HTML 414 …) is not the app's answer: never judged
     * as its JSON error (proxy_page.h). */
    char what[160];
    snprintf(what, sizeof what, "a request expecting the app's HTTP %ld %.100s", status, code);
    if (hitl_proxy_page_intercepted(ctx, resp, what))
        return false;
    if (resp->status != status)
        return hitl_expect(ctx, false, exp, "HTTP %ld %s", resp->status, body);
    cJSON *root = cJSON_ParseWithLength(hitl_buf_str(&resp->body), resp->body.len);
    bool ok = false;
    if (!cJSON_IsObject(root)) {
        hitl_expect(ctx, false, exp, "HTTP %ld with a body that is not a JSON object: %s",
                    resp->status, body);
        goto out;
    }
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(root, "code");
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "message");
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(root, "status");
    if (!cJSON_IsString(c) || strcmp(c->valuestring, code))
        hitl_expect(ctx, false, exp, "HTTP %ld, code %s: %s", resp->status,
                    cJSON_IsString(c) ? c->valuestring : "(missing or not a string)", body);
    else if (!cJSON_IsString(m))
        hitl_expect(ctx, false, exp, "HTTP %ld, no string `message`: %s", resp->status, body);
    else if (!cJSON_IsNumber(s) || s->valuedouble != (double)status)
        hitl_expect(ctx, false, exp, "HTTP %ld, `status` %s: %s", resp->status,
                    cJSON_IsNumber(s) ? "differs from the HTTP status" : "missing or not a number",
                    body);
    else if (prefix && strncmp(m->valuestring, prefix, strlen(prefix)))
        hitl_expect(ctx, false, exp, "HTTP %ld, message \"%s\"", resp->status, m->valuestring);
    else
        ok = hitl_expect(ctx, true, exp, "ok");
out:
    cJSON_Delete(root);
    return ok;
}

bool hitl_expect_error(hitl_check_ctx *ctx, const hitl_http_response *resp, long status,
                       const char *code)
{
    return hitl_expect_error_msg(ctx, resp, status, code, NULL);
}

/* --- exchanges --- */

static char *preview(const char *data, size_t len)
{
    if (!data)
        return NULL;
    size_t n = len < HITL_EXCHANGE_PREVIEW ? len : HITL_EXCHANGE_PREVIEW;
    char *s = malloc(n + 64);
    if (!s)
        return NULL;
    memcpy(s, data, n);
    /* Keep previews printable text: NUL bytes would cut every later consumer short. */
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\0')
            s[i] = '?';
    if (n < len)
        snprintf(s + n, 64, "… [%zu more bytes]", len - n);
    else
        s[n] = '\0';
    return s;
}

static char *join_request_headers(const hitl_http_request *req)
{
    hitl_buf b;
    hitl_buf_init(&b, 64u * 1024u);
    for (size_t i = 0; i < req->n_headers; i++)
        if (hitl_buf_printf(&b, "%s\n", req->headers[i]))
            break;
    return hitl_buf_release(&b);
}

static char *join_response_headers(const hitl_http_response *resp)
{
    hitl_buf b;
    hitl_buf_init(&b, 64u * 1024u);
    for (size_t i = 0; i < resp->n_headers; i++)
        if (hitl_buf_printf(&b, "%s: %s\n", resp->headers[i].name, resp->headers[i].value))
            break;
    return hitl_buf_release(&b);
}

/* A multipart text value worth recording whole: short, printable ASCII, one line. */
static bool printable_line(const void *data, size_t n)
{
    const unsigned char *s = data;
    if (n > 1024)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x20 || s[i] > 0x7E)
            return false;
    return true;
}

static void record_locked(hitl_check_ctx *ctx, const hitl_http_request *req,
                          const hitl_http_response *resp, const hitl_err *err)
{
    hitl_result *r = ctx->result;
    if (r->n_exchanges >= HITL_EXCHANGES_PER_CHECK) {
        r->dropped_exchanges++;
        return;
    }
    hitl_exchange *grown = realloc(r->exchanges, (r->n_exchanges + 1) * sizeof *grown);
    if (!grown)
        return;
    r->exchanges = grown;
    hitl_exchange *x = &grown[r->n_exchanges++];
    memset(x, 0, sizeof *x);
    x->method = strdup(req->method ? req->method : "GET");
    x->url = strdup(req->url);
    x->request_headers = join_request_headers(req);
    if (req->n_parts) {
        hitl_buf b;
        hitl_buf_init(&b, HITL_EXCHANGE_PREVIEW);
        for (size_t i = 0; i < req->n_parts; i++) {
            const hitl_http_part *pt = &req->parts[i];
            hitl_buf_printf(&b, "[multipart %s%s%s: %zu bytes]", pt->name,
                            pt->filename ? " filename=" : "", pt->filename ? pt->filename : "",
                            pt->len);
            /* A short text field (user, url) is kept after the bracket, so a reproducer can
             * send it again; file contents never are. */
            if (!pt->filename && printable_line(pt->data, pt->len))
                hitl_buf_printf(&b, " %.*s", (int)pt->len, (const char *)pt->data);
            hitl_buf_append_str(&b, "\n");
        }
        x->request_body = hitl_buf_release(&b);
    } else {
        x->request_body = preview(req->body, req->body_len);
    }
    x->status = resp->status;
    x->response_headers = join_response_headers(resp);
    x->response_body = preview(hitl_buf_str(&resp->body), resp->body.len);
    x->response_bytes = resp->body_bytes;
    x->seconds = resp->seconds;
    x->error = err && err->code ? strdup(err->msg) : NULL;
}

static void record(hitl_check_ctx *ctx, const hitl_http_request *req,
                   const hitl_http_response *resp, const hitl_err *err)
{
    pthread_mutex_lock(&ctx->record_lock);
    record_locked(ctx, req, resp, err);
    pthread_mutex_unlock(&ctx->record_lock);
}

int hitl_ctx_http_raw(hitl_check_ctx *ctx, const hitl_http_request *req, hitl_http_response *resp,
                      hitl_err *err)
{
    hitl_err local = {0};
    if (run_stopped(ctx->rn)) {
        /* Nothing more goes out once the run has stopped. */
        memset(resp, 0, sizeof *resp);
        atomic_store(&ctx->cut, true);
        return hitl_err_set(err, HITL_E_STOPPED, "the run had stopped: %s %s not sent",
                            req->method ? req->method : "GET", req->url);
    }
    hitl_http_request sourced = *req;
    if (ctx->source_ip[0] && !req->source_ip)
        sourced.source_ip = ctx->source_ip;
    /* Named for the client's exchange hook (--trace): which check, on which surface. */
    sourced.origin_check = ctx->result->entry->id;
    sourced.origin_surface = hitl_surface_name(ctx->result->surface);
    sourced.run_stop = run_stop_flag(ctx->rn);
    req = &sourced;
    int rc = hitl_http_do(ctx->http, req, resp, &local);
    if (rc == HITL_E_STOPPED && run_stopped(ctx->rn))
        atomic_store(&ctx->cut, true);
    record(ctx, req, resp, rc ? &local : NULL);
    if (pthread_equal(pthread_self(), ctx->thread)) {
        ctx->last_status = rc ? 0 : resp->status;
        ctx->last_len = 0;
        if (!rc) {
            size_t n =
                resp->body.len < sizeof ctx->last_body ? resp->body.len : sizeof ctx->last_body;
            memcpy(ctx->last_body, hitl_buf_str(&resp->body), n);
            ctx->last_len = n;
        }
    }
    if (rc && err)
        *err = local;
    return rc;
}

int hitl_ctx_http(hitl_check_ctx *ctx, const hitl_http_request *req, hitl_http_response *resp)
{
    hitl_err err = {0};
    int rc = hitl_ctx_http_raw(ctx, req, resp, &err);
    if (rc)
        hitl_check_error(ctx, "%s %s: %s", req->method ? req->method : "GET", req->url, err.msg);
    return rc;
}

void hitl_ctx_secret(hitl_check_ctx *ctx, const char *value, const char *label)
{
    hitl_redactor_add(ctx->redactor, value, label);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void hitl_ctx_sleep_ms(hitl_check_ctx *ctx, long ms, const char *what)
{
    double end = now_s() + (double)ms / 1000.0;
    for (;;) {
        double left = end - now_s();
        if (left <= 0)
            break;
        if (run_stopped(ctx->rn)) {
            atomic_store(&ctx->cut, true);
            break;
        }
        if (ctx->opts->on_wait) {
            pthread_mutex_lock(ctx->cb_lock);
            ctx->opts->on_wait(ctx->opts->user, ctx->result, left, what);
            pthread_mutex_unlock(ctx->cb_lock);
        }
        double step = left < 0.5 ? left : 0.5;
        struct timespec ts = {(time_t)step, (long)((step - (double)(time_t)step) * 1e9)};
        nanosleep(&ts, NULL);
    }
}

/* --- redaction of a finished result --- */

static void redact_str(hitl_redactor *r, char **s)
{
    if (*s) {
        char *red = hitl_redactor_apply(r, *s);
        free(*s);
        *s = red;
    }
}

static void redact_result(hitl_redactor *red, hitl_result *r)
{
    redact_str(red, &r->reason);
    redact_str(red, &r->expected);
    redact_str(red, &r->actual);
    redact_str(red, &r->notes);
    redact_str(red, &r->judged_code);
    redact_str(red, &r->judged_message);
    for (size_t i = 0; i < r->n_exchanges; i++) {
        hitl_exchange *x = &r->exchanges[i];
        redact_str(red, &x->url);
        redact_str(red, &x->request_headers);
        redact_str(red, &x->request_body);
        redact_str(red, &x->response_headers);
        redact_str(red, &x->response_body);
        redact_str(red, &x->error);
    }
}

/* --- the runner --- */

/* One setup step's run of identical failures (the circuit breaker). */
typedef struct streak {
    char step[64];
    char sig[BREAKER_SIG_MAX]; /* the failure's message, digit runs as '#' */
    int count;
} streak;

struct runner {
    const hitl_target *target;
    hitl_http *http;
    hitl_redactor *redactor;
    const hitl_engine_options *opts;
    hitl_results *out;
    pthread_mutex_t lock;       /* next-index, callbacks, the breaker, the stop reason */
    size_t next;
    size_t *order;              /* indexes into out->items to run in parallel */
    size_t n_order;
    /* The run's stop: set once (deadline or circuit breaker), read by every request of
     * every check (hitl_http_request.run_stop). |stop_reason| is written before it. */
    atomic_int stop;
    char stop_reason[STOP_REASON_MAX];
    streak streaks[BREAKER_STEPS];
    /* The deadline's watchdog waits on |wake| until |deadline| (opts->deadline_at, moved
     * by the exclusive phase's budget) or the run's end. */
    pthread_cond_t wake;
    struct timespec deadline;
    bool finished;
};

static bool run_stopped(const runner *rn)
{
    return rn && atomic_load(&rn->stop);
}

/* The flag a check's requests carry: the run's stop. */
static const atomic_int *run_stop_flag(const runner *rn)
{
    return rn ? &rn->stop : NULL;
}

/* Stops the run with |reason| (the first stop wins). Called with rn->lock held. */
static void stop_locked(runner *rn, const char *reason)
{
    if (atomic_load(&rn->stop))
        return;
    snprintf(rn->stop_reason, sizeof rn->stop_reason, "%s", reason);
    atomic_store(&rn->stop, 1);
}

/* |msg| with every run of digits as one '#': "after 12 frames" and "after 13 frames" are
 * the same failure. */
static void signature(const char *msg, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = msg; *p && n + 1 < cap; p++) {
        if (isdigit((unsigned char)*p)) {
            if (n == 0 || out[n - 1] != '#')
                out[n++] = '#';
            continue;
        }
        out[n++] = *p;
    }
    out[n] = '\0';
}

static streak *streak_of(runner *rn, const char *step)
{
    streak *free_slot = NULL;
    for (size_t i = 0; i < BREAKER_STEPS; i++) {
        if (!strcmp(rn->streaks[i].step, step))
            return &rn->streaks[i];
        if (!free_slot && !rn->streaks[i].step[0])
            free_slot = &rn->streaks[i];
    }
    if (free_slot) {
        snprintf(free_slot->step, sizeof free_slot->step, "%s", step);
        free_slot->count = 0;
        free_slot->sig[0] = '\0';
    }
    return free_slot;
}

static void breaker_feed(runner *rn, const char *step, const char *msg)
{
    if (!rn)
        return;
    char sig[BREAKER_SIG_MAX];
    signature(msg, sig, sizeof sig);
    pthread_mutex_lock(&rn->lock);
    streak *st = streak_of(rn, step);
    if (st) {
        if (st->count > 0 && !strcmp(st->sig, sig)) {
            st->count++;
        } else {
            st->count = 1;
            snprintf(st->sig, sizeof st->sig, "%s", sig);
        }
        if (st->count >= HITL_ENGINE_BREAKER_N) {
            char reason[STOP_REASON_MAX];
            snprintf(reason, sizeof reason,
                     "circuit breaker: the setup step \"%s\" failed the same way for %d checks "
                     "in a row: %.700s",
                     step, st->count, msg);
            stop_locked(rn, reason);
            pthread_cond_broadcast(&rn->wake);
        }
    }
    pthread_mutex_unlock(&rn->lock);
}

static void breaker_reset(runner *rn, const char *step)
{
    if (!rn)
        return;
    pthread_mutex_lock(&rn->lock);
    streak *st = streak_of(rn, step);
    if (st)
        st->count = 0;
    pthread_mutex_unlock(&rn->lock);
}

/* The deadline's watchdog: stops the run when opts->deadline_at passes first. */
static void *watchdog(void *arg)
{
    runner *rn = arg;
    pthread_mutex_lock(&rn->lock);
    while (!rn->finished && !atomic_load(&rn->stop)) {
        /* Woken early when the deadline moved (the exclusive phase) or the run ended. */
        if (pthread_cond_timedwait(&rn->wake, &rn->lock, &rn->deadline) == ETIMEDOUT &&
            !rn->finished && now_s() >= (double)rn->deadline.tv_sec +
                                            (double)rn->deadline.tv_nsec / 1e9) {
            char reason[STOP_REASON_MAX];
            snprintf(reason, sizeof reason, "run deadline reached (%s)",
                     rn->opts->deadline_what ? rn->opts->deadline_what : "--deadline");
            stop_locked(rn, reason);
        }
    }
    pthread_mutex_unlock(&rn->lock);
    return NULL;
}

/* A FAIL/WARN whose judged response matches a recorded deviation of its check and surface
 * names it; under the dify profile it is KNOWN (genuine Dify does exactly this). Matched
 * before redaction: the texts are the ones the deviation was written from. */
static void apply_deviations(const hitl_engine_options *opts, hitl_result *r)
{
    if (r->verdict != HITL_FAIL && r->verdict != HITL_WARN)
        return;
    hitl_deviation_subject s = {.check = r->entry->id,
                                .surface = r->surface,
                                .status = r->judged_status,
                                .code = r->judged_code,
                                .message = r->judged_message,
                                .expected = r->expected,
                                .actual = r->actual};
    r->deviation = hitl_deviations_match(opts->deviations, &s);
    if (r->deviation && opts->profile == HITL_PROFILE_DIFY)
        r->verdict = HITL_KNOWN;
}

/* Ends |r| unrun: the run stopped before it started. */
static void skip_stopped(runner *rn, hitl_result *r)
{
    pthread_mutex_lock(&rn->lock);
    char *reason = format("%s; this check was not started", rn->stop_reason);
    r->verdict = r->reported = HITL_ERROR;
    r->reason = hitl_redactor_apply(rn->redactor, reason ? reason : "the run stopped");
    free(reason);
    r->not_run = true;
    rn->out->not_run++;
    rn->out->count[HITL_ERROR]++;
    if (rn->opts->on_done)
        rn->opts->on_done(rn->opts->user, r);
    pthread_mutex_unlock(&rn->lock);
}

/* A check the run's stop cut short: its own conclusion (often a FAIL or an ERROR made of
 * the cancelled request) is kept as a note; the verdict is the stop's ERROR. */
static void cut_short(runner *rn, hitl_result *r)
{
    pthread_mutex_lock(&rn->lock);
    char *reason = format("%s; this check was cancelled while it ran", rn->stop_reason);
    pthread_mutex_unlock(&rn->lock);
    char *had = NULL;
    if (r->reported == HITL_FAIL)
        had = format("before it was cancelled the check had found: expected %s; actual %s",
                     r->expected ? r->expected : "", r->actual ? r->actual : "");
    else if (r->reason)
        had = format("before it was cancelled the check had ended: %s", r->reason);
    free(r->reason);
    free(r->expected);
    free(r->actual);
    r->expected = r->actual = NULL;
    r->reason = reason;
    r->reported = HITL_ERROR;
    if (had && r->notes) {
        char *both = format("%s\n%s", r->notes, had);
        free(r->notes);
        free(had);
        r->notes = both;
    } else if (had) {
        r->notes = had;
    }
}

static void run_one(runner *rn, hitl_result *r, size_t index)
{
    if (run_stopped(rn)) {
        skip_stopped(rn, r);
        return;
    }
    if (rn->opts->on_start) {
        pthread_mutex_lock(&rn->lock);
        rn->opts->on_start(rn->opts->user, r);
        pthread_mutex_unlock(&rn->lock);
    }
    hitl_check_ctx ctx = {.rn = rn,
                          .target = rn->target,
                          .http = rn->http,
                          .redactor = rn->redactor,
                          .opts = rn->opts,
                          .cb_lock = &rn->lock,
                          .result = r,
                          .thread = pthread_self()};
    pthread_mutex_init(&ctx.record_lock, NULL);
    atomic_init(&ctx.cut, false);
    if (rn->opts->distinct_sources) /* 127.0.0.10 … 127.0.0.249; .2 stays free for per-IP checks */
        snprintf(ctx.source_ip, sizeof ctx.source_ip, "127.0.0.%zu", 10 + index % 240);
    double start = now_s();
    if (!(ctx.target->surfaces & (int)r->surface)) {
        hitl_check_skip(&ctx, "surface %s not selected (--surface)", hitl_surface_name(r->surface));
    } else {
        r->entry->impl->run(&ctx);
        if (!ctx.verdict_set) {
            if (r->assertions > 0)
                hitl_check_pass(&ctx);
            else
                hitl_check_error(&ctx, "the check ended without asserting anything (harness bug)");
        }
    }
    r->seconds = now_s() - start;
    pthread_mutex_destroy(&ctx.record_lock);
    if (atomic_load(&ctx.cut))
        cut_short(rn, r);
    r->verdict = r->reported;
    if (r->reported == HITL_FAIL && r->entry->severity == HITL_SHOULD && !rn->target->strict)
        r->verdict = HITL_WARN;
    apply_deviations(rn->opts, r);
    redact_result(rn->redactor, r);
    pthread_mutex_lock(&rn->lock);
    rn->out->count[r->verdict]++;
    if (rn->opts->on_done)
        rn->opts->on_done(rn->opts->user, r);
    pthread_mutex_unlock(&rn->lock);
}

static void *worker(void *arg)
{
    runner *rn = arg;
    for (;;) {
        pthread_mutex_lock(&rn->lock);
        size_t i = rn->next < rn->n_order ? rn->order[rn->next++] : SIZE_MAX;
        pthread_mutex_unlock(&rn->lock);
        if (i == SIZE_MAX)
            return NULL;
        run_one(rn, &rn->out->items[i], i);
    }
}

/* A slow check on a thread of its own (see hitl_engine_run). */
#define MAX_SLEEPERS 64
typedef struct sleeper {
    runner *rn;
    size_t index;
    pthread_t thread;
    bool started;
} sleeper;

static void *sleeper_main(void *arg)
{
    sleeper *sl = arg;
    run_one(sl->rn, &sl->rn->out->items[sl->index], sl->index);
    return NULL;
}

static bool is_slow(const hitl_catalog_entry *e)
{
    for (size_t t = 0; t < e->n_tags; t++)
        if (!strcmp(e->tags[t], "slow"))
            return true;
    return false;
}

static int build_instances(const hitl_catalog *cat, const bool *selected, hitl_results *out,
                           hitl_err *err)
{
    size_t n = 0;
    for (size_t i = 0; i < cat->n; i++)
        if (selected[i])
            n += (cat->entries[i].surfaces & HITL_SURFACE_SERVICE ? 1 : 0) +
                 (cat->entries[i].surfaces & HITL_SURFACE_WEB ? 1 : 0);
    out->items = calloc(n ? n : 1, sizeof *out->items);
    if (!out->items)
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory");
    for (size_t i = 0; i < cat->n; i++) {
        if (!selected[i])
            continue;
        static const hitl_surface order[] = {HITL_SURFACE_SERVICE, HITL_SURFACE_WEB};
        for (size_t s = 0; s < 2; s++)
            if (cat->entries[i].surfaces & (int)order[s]) {
                hitl_result *r = &out->items[out->n++];
                r->entry = &cat->entries[i];
                r->surface = order[s];
            }
    }
    return HITL_OK;
}

int hitl_engine_run(const hitl_catalog *cat, const bool *selected, const hitl_target *target,
                    hitl_http *http, hitl_redactor *redactor, const hitl_engine_options *opts,
                    hitl_results *out, hitl_err *err)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < cat->n; i++)
        if (selected[i] && !cat->entries[i].impl)
            return hitl_err_set(err, HITL_E_STATE, "check %s has no implementation bound",
                                cat->entries[i].id);
    int rc = build_instances(cat, selected, out, err);
    if (rc)
        return rc;
    runner rn = {.target = target, .http = http, .redactor = redactor, .opts = opts, .out = out};
    pthread_mutex_init(&rn.lock, NULL);
    atomic_init(&rn.stop, 0);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* deadline_at is monotonic */
    pthread_cond_init(&rn.wake, &ca);
    pthread_condattr_destroy(&ca);
    rn.order = calloc(out->n ? out->n : 1, sizeof *rn.order);
    if (!rn.order) {
        pthread_cond_destroy(&rn.wake);
        pthread_mutex_destroy(&rn.lock);
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory");
    }
    rn.deadline = opts->deadline_at;
    pthread_t dog;
    bool dog_started = (opts->deadline_at.tv_sec || opts->deadline_at.tv_nsec) &&
                       pthread_create(&dog, NULL, watchdog, &rn) == 0;
    /* Checks tagged slow spend their time asleep until a deadline (a form's expiry: an hour
     * or more on a real deployment). Each gets a thread of its own beside the --jobs pool,
     * so that their waits overlap each other and the rest of the run instead of queueing
     * in batches of --jobs. The rest go to the pool; results keep catalogue order. */
    sleeper sleepers[MAX_SLEEPERS];
    size_t n_sleepers = 0;
    for (size_t i = 0; i < out->n; i++) {
        if (out->items[i].entry->exclusive)
            continue;
        if (is_slow(out->items[i].entry) && n_sleepers < MAX_SLEEPERS)
            sleepers[n_sleepers++] = (sleeper){.rn = &rn, .index = i};
        else
            rn.order[rn.n_order++] = i;
    }
    double start = now_s();

    for (size_t k = 0; k < n_sleepers; k++)
        sleepers[k].started = pthread_create(&sleepers[k].thread, NULL, sleeper_main,
                                             &sleepers[k]) == 0;
    int jobs = opts->jobs < 1 ? 1 : opts->jobs > 64 ? 64 : opts->jobs;
    pthread_t threads[64];
    int started = 0;
    for (int j = 0; j < jobs; j++)
        if (pthread_create(&threads[started], NULL, worker, &rn) == 0)
            started++;
    if (started == 0)
        worker(&rn);
    for (int j = 0; j < started; j++)
        pthread_join(threads[j], NULL);
    for (size_t k = 0; k < n_sleepers; k++) {
        if (sleepers[k].started)
            pthread_join(sleepers[k].thread, NULL);
        else /* no thread to be had: run it here, late but run */
            run_one(&rn, &out->items[sleepers[k].index], sleepers[k].index);
    }

    /* Exclusive checks (rate limits, disruptive ones) run alone, one after another, within a
     * budget of their own (hitl_engine_options.exclusive_check_s). */
    size_t n_exclusive = 0;
    for (size_t i = 0; i < out->n; i++)
        n_exclusive += out->items[i].entry->exclusive;
    if (dog_started && opts->exclusive_check_s > 0 && n_exclusive) {
        struct timespec ext;
        clock_gettime(CLOCK_MONOTONIC, &ext);
        ext.tv_sec += (time_t)(opts->exclusive_check_s * (long)n_exclusive);
        pthread_mutex_lock(&rn.lock);
        if (ext.tv_sec > rn.deadline.tv_sec)
            rn.deadline = ext;
        pthread_cond_broadcast(&rn.wake);
        pthread_mutex_unlock(&rn.lock);
    }
    for (size_t i = 0; i < out->n; i++)
        if (out->items[i].entry->exclusive)
            run_one(&rn, &out->items[i], i);
    out->seconds = now_s() - start;
    pthread_mutex_lock(&rn.lock);
    rn.finished = true;
    pthread_cond_broadcast(&rn.wake);
    pthread_mutex_unlock(&rn.lock);
    if (dog_started)
        pthread_join(dog, NULL);
    if (atomic_load(&rn.stop))
        out->stopped = hitl_redactor_apply(redactor, rn.stop_reason);
    free(rn.order);
    pthread_cond_destroy(&rn.wake);
    pthread_mutex_destroy(&rn.lock);
    return HITL_OK;
}

void hitl_results_free(hitl_results *res)
{
    for (size_t i = 0; i < res->n; i++) {
        hitl_result *r = &res->items[i];
        free(r->reason);
        free(r->expected);
        free(r->actual);
        free(r->notes);
        free(r->judged_code);
        free(r->judged_message);
        for (size_t k = 0; k < r->n_exchanges; k++) {
            hitl_exchange *x = &r->exchanges[k];
            free(x->method);
            free(x->url);
            free(x->request_headers);
            free(x->request_body);
            free(x->response_headers);
            free(x->response_body);
            free(x->error);
        }
        free(r->exchanges);
    }
    free(res->items);
    free(res->stopped);
    memset(res, 0, sizeof *res);
}
