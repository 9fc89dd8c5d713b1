/* exchange.c: HTTP through a check's context (check.h): each exchange is recorded on the
 * check's result (bodies cut to a preview, at most HITL_EXCHANGES_PER_CHECK), sent from the
 * check's own source address, named for the --trace hook, and not sent at all once the run
 * has stopped. */
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
    hitl_http_request sourced = *req;
    if (ctx->source_ip[0] && !req->source_ip)
        sourced.source_ip = ctx->source_ip;
    /* Named for the client's exchange hook (--trace): which check, on which surface. */
    sourced.origin_check = ctx->result->entry->id;
    sourced.origin_surface = hitl_surface_name(ctx->result->surface);
    sourced.run_stop = hitl_runner_stop_flag(ctx->rn);
    req = &sourced;
    int rc = hitl_http_do(ctx->http, req, resp, &local);
    if (rc == HITL_E_STOPPED && hitl_runner_stopped(ctx->rn))
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
