/* exchange.c: HTTP through a check's context (check.h): each exchange is recorded on the
 * check's result (bodies cut to a preview, at most HITL_EXCHANGES_PER_CHECK), sent from the
 * check's own source address, named for the --trace hook, and not sent at all once the run
 * has stopped. A WEB form request's 429 that other clients' traffic explains teaches the run
 * that the target has one bucket for all (learn_one_bucket); from then on such requests go
 * through the run's pacer (pacer.h) and a 429 is waited out, not returned. */
#include "context.h"

#include "hitl/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The §8 limiter a request counts against, or -1: a WEB form request (GET or submit of
 * <web base>/form/human_input/<token>, or its /upload-token). */
static int limiter_kind(const hitl_check_ctx *ctx, const hitl_http_request *req)
{
    static const char FORM[] = "/form/human_input/";
    static const char TOKEN[] = "/upload-token";
    const hitl_target *t = ctx->target;
    if (!t->base_url || !t->web_base || !req->url)
        return -1;
    size_t nb = strlen(t->base_url), nw = strlen(t->web_base);
    const char *p = req->url + nb + nw;
    if (strncmp(req->url, t->base_url, nb) || strncmp(req->url + nb, t->web_base, nw) ||
        strncmp(p, FORM, sizeof FORM - 1))
        return -1;
    const char *token = p + sizeof FORM - 1;
    size_t len = strcspn(token, "?#");
    const char *slash = memchr(token, '/', len);
    const char *method = req->method ? req->method : "GET";
    if (!slash)
        return !strcmp(method, "GET")    ? HITL_PACE_GET
               : !strcmp(method, "POST") ? HITL_PACE_SUBMIT
                                         : -1;
    size_t rest = len - (size_t)(slash - token);
    if (!strcmp(method, "POST") && rest == sizeof TOKEN - 1 && !memcmp(slash, TOKEN, rest))
        return HITL_PACE_TOKEN;
    return -1;
}

/* The limiter a request of a check that shares the target's buckets with the others is
 * paced on, or -1. The rate-limit checks (exclusive) spend their buckets themselves and their
 * 429s are their findings: from a source address of their own (|own_source|), or on the
 * buckets they hold (hitl_ctx_limiters_hold), nothing is paced; their other requests (an
 * upload token a rate-limit check needs) share the buckets like any. */
static int pace_kind(const hitl_check_ctx *ctx, int kind, bool own_source)
{
    if (kind < 0 || !ctx->result->entry->exclusive)
        return kind;
    if (own_source || ctx->held & (1u << kind) || !hitl_runner_paced(ctx->rn))
        return -1;
    return kind;
}

/* Notes that the check sent one |kind| request now and returns how many of its own it sent
 * within the last window (this one included). */
static int own_sent_in_window(hitl_check_ctx *ctx, int kind)
{
    double now = hitl_ctx_now_s(), since = now - (double)ctx->target->rate_window_s - 1.0;
    int n = 0;
    pthread_mutex_lock(&ctx->record_lock);
    ctx->own_sent[kind][ctx->own_next[kind]++ % HITL_CTX_OWN_SENT] = now;
    for (size_t i = 0; i < HITL_CTX_OWN_SENT; i++)
        n += ctx->own_sent[kind][i] > since;
    pthread_mutex_unlock(&ctx->record_lock);
    return n;
}

static const char *const PACE_NAME[HITL_PACE_KINDS] = {"form GET", "form submit",
                                                       "upload-token issuance"};

/* A WEB 429 for a request of |kind| from the check's own address (one only it uses) when it
 * had sent no more than rate_max of its own within the window: the target counted other
 * clients' requests in its bucket. Sets the run's one-bucket fact with that evidence. */
static void learn_one_bucket(hitl_check_ctx *ctx, const hitl_http_request *req, int kind, int own)
{
    if (!ctx->source_ip[0] || strcmp(req->source_ip ? req->source_ip : "", ctx->source_ip) ||
        own > ctx->target->rate_max || hitl_runner_one_bucket_known(ctx->rn, NULL, 0))
        return;
    char *why = hitl_ctx_format(
        "the target counts distinct client addresses in one bucket: %s (%s) got HTTP 429 for "
        "a %s from %s, an address only it uses, which had sent %d such request%s within the "
        "%d s window (the limit is %d). A front end that does not pass the client's address "
        "(nginx without `proxy_set_header X-Forwarded-For`, the app keying its limits on the "
        "peer address) makes every client one. The run paced its WEB form requests from then "
        "on (%d per %d s for each limiter, all checks together)",
        ctx->result->entry->id, hitl_surface_name(ctx->result->surface), PACE_NAME[kind],
        ctx->source_ip, own, own == 1 ? "" : "s", ctx->target->rate_window_s, ctx->target->rate_max,
        ctx->target->rate_max, ctx->target->rate_window_s);
    if (why)
        hitl_runner_one_bucket_set(ctx->rn, why);
    free(why);
}

/* Waits for the pacer's next slot of |kind| when the run knows the target has one bucket, or
 * the harness has one address. */
static void pace(hitl_check_ctx *ctx, int kind)
{
    if (kind < 0 || !hitl_runner_paced(ctx->rn))
        return;
    double at;
    bool waited = false;
    /* While a rate-limit check holds the bucket (hitl_ctx_limiters_hold), wait for it. */
    while ((at = hitl_pacer_reserve_or_wait(hitl_runner_pacer(ctx->rn), (hitl_pace_kind)kind,
                                            hitl_ctx_now_s(), waited)) < 0) {
        waited = true;
        if (hitl_runner_stopped(ctx->rn))
            return;
        hitl_ctx_sleep_ms(ctx, 250,
                          "a rate-limit check holds this WEB form limiter (one source address)");
    }
    double left = at - hitl_ctx_now_s();
    if (left > 0)
        hitl_ctx_sleep_ms(ctx, (long)(left * 1000.0) + 1,
                          "the shared pace of WEB form requests (one bucket for all clients)");
}

/* Retries of a paced request that was 429 all the same (sent before the fact was learnt, or
 * the bucket filled by what was in flight then): each waits a whole window through the
 * refilled pacer. */
#define PACED_RETRIES 2

static int send_recorded(hitl_check_ctx *ctx, const hitl_http_request *req,
                         hitl_http_response *resp, hitl_err *local)
{
    int rc = hitl_http_do(ctx->http, req, resp, local);
    if (rc == HITL_E_STOPPED && hitl_runner_stopped(ctx->rn))
        atomic_store(&ctx->cut, true);
    record(ctx, req, resp, rc ? local : NULL);
    return rc;
}

int hitl_ctx_http_raw(hitl_check_ctx *ctx, const hitl_http_request *req, hitl_http_response *resp,
                      hitl_err *err)
{
    hitl_err local = {0};
    if (hitl_runner_stopped(ctx->rn)) {
        /* Nothing more goes out once the run has stopped. */
        memset(resp, 0, sizeof *resp);
        atomic_store(&ctx->cut, true);
        return hitl_err_set(err, HITL_E_STOPPED, "the run had stopped: %s %s not sent",
                            req->method ? req->method : "GET", req->url);
    }
    const char *orig_source = req->source_ip;
    hitl_http_request sourced = *req;
    if (ctx->source_ip[0] && !req->source_ip)
        sourced.source_ip = ctx->source_ip;
    /* Named for the client's exchange hook (--trace): which check, on which surface. */
    sourced.origin_check = ctx->result->entry->id;
    sourced.origin_surface = hitl_surface_name(ctx->result->surface);
    sourced.run_stop = hitl_runner_stop_flag(ctx->rn);
    req = &sourced;
    int limiter = limiter_kind(ctx, req);
    int kind = pace_kind(ctx, limiter, orig_source != NULL);
    /* A held bucket's requests are noted in the pacer (a 429 is not counted, §8), so the
     * others' next requests of that kind wait until they are a window old. */
    bool noted = limiter >= 0 && ctx->held & (1u << limiter);
    int rc;
    for (int attempt = 0;; attempt++) {
        pace(ctx, kind);
        double sent_at = hitl_ctx_now_s();
        rc = send_recorded(ctx, req, resp, &local);
        if (noted && (rc || resp->status != 429))
            hitl_pacer_note(hitl_runner_pacer(ctx->rn), (hitl_pace_kind)limiter, sent_at);
        if (rc || kind < 0)
            break;
        int own = own_sent_in_window(ctx, kind);
        if (resp->status != 429)
            break;
        learn_one_bucket(ctx, req, kind, own);
        /* With one bucket for all, a 429 is the other checks' traffic, never this check's
         * finding: the bucket is full, wait a window through the pacer and send again. */
        if (attempt >= PACED_RETRIES || !hitl_runner_paced(ctx->rn) || hitl_runner_stopped(ctx->rn))
            break;
        hitl_pacer_fill(hitl_runner_pacer(ctx->rn), kind, hitl_ctx_now_s());
        hitl_http_response_free(resp);
    }
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
