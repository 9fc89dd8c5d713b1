/* stream.c: SSE requests with the parser in the body path (see stream.h). */
#include "hitl/stream.h"

#include "hitl/sse.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_MAX_FRAMES 10000u
#define STREAM_MAX_LINE (1u << 20)
#define STREAM_MAX_DATA (4u << 20)
#define STREAM_MAX_BYTES (64u << 20)
#define STREAM_KEEP_BYTES (16u << 10) /* the start of the stream, kept for the report */

typedef struct collector {
    hitl_stream *out;
    const hitl_stream_opts *opts;
    hitl_sse *parser;
    struct timespec start;
    double last_at;
    size_t max_frames;
    int nomem;
    int overflow; /* frames or bytes cap */
    hitl_err parse_err;
    int parse_rc;
    bool stopped;
    /* When the transfer is aborted: the reach budget's end until the frame arrives, then the
     * close_within_ms deadline once armed (close_armed). */
    struct timespec abort_at;
    bool close_armed;
    bool reached; /* opts->reach saw its frame (or there is none to see) */
    size_t pings;
    void (*on_frame)(void *user, const hitl_stream_frame *f); /* told of every kept frame
                                                                  (an async stream's waiters) */
    void *on_frame_user;
} collector;

/* |t| + |ms| into |out|. */
static void after_ms(const struct timespec *t, long ms, struct timespec *out)
{
    *out = *t;
    out->tv_sec += ms / 1000;
    out->tv_nsec += (ms % 1000) * 1000000L;
    if (out->tv_nsec >= 1000000000L) {
        out->tv_sec++;
        out->tv_nsec -= 1000000000L;
    }
}

static double since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static int on_event(void *user, const hitl_sse_event *ev)
{
    collector *c = user;
    hitl_stream *s = c->out;
    if (s->n_frames >= c->max_frames) {
        c->overflow = 1;
        return 1;
    }
    hitl_stream_frame *grown = realloc(s->frames, (s->n_frames + 1) * sizeof *grown);
    if (!grown) {
        c->nomem = 1;
        return 1;
    }
    s->frames = grown;
    hitl_stream_frame *f = &grown[s->n_frames];
    f->type = strndup(ev->type, ev->type_len);
    f->data = malloc(ev->data_len + 1);
    if (!f->type || !f->data) {
        free(f->type);
        free(f->data);
        c->nomem = 1;
        return 1;
    }
    memcpy(f->data, ev->data, ev->data_len);
    f->data[ev->data_len] = '\0';
    f->data_len = ev->data_len;
    f->at = since(&c->start);
    double gap = f->at - c->last_at;
    if (gap > s->max_gap)
        s->max_gap = gap;
    c->last_at = f->at;
    s->n_frames++;
    if (!strcmp(f->type, "ping"))
        c->pings++;
    if (!c->reached && c->opts->reach(c->opts->user, f)) {
        c->reached = true;
        if (!c->close_armed)
            memset(&c->abort_at, 0, sizeof c->abort_at);
    }
    if (c->on_frame)
        c->on_frame(c->on_frame_user, f);
    if (s->stop_index == SIZE_MAX && c->opts->stop && c->opts->stop(c->opts->user, f)) {
        s->stop_index = s->n_frames - 1;
        if (c->opts->close_within_ms > 0) {
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            after_ms(&now, c->opts->close_within_ms, &c->abort_at);
            c->close_armed = true;
            return 0;
        }
        c->stopped = true;
        return 1;
    }
    return 0;
}

static int on_body(void *user, const char *data, size_t len)
{
    collector *c = user;
    c->out->bytes += len;
    if (c->out->bytes > STREAM_MAX_BYTES) {
        c->overflow = 2;
        return 1;
    }
    /* Only a 2xx body is an event stream; an error body is kept for the report. */
    if (c->out->resp.status == 0 || c->out->resp.status >= 300) {
        return hitl_buf_append(&c->out->resp.body, data, len) ? 1 : 0;
    }
    /* Keep the stream's first bytes too, so the recorded exchange shows them. */
    hitl_buf *keep = &c->out->resp.body;
    size_t room = keep->max - keep->len;
    hitl_buf_append(keep, data, len < room ? len : room);
    int rc = hitl_sse_feed(c->parser, data, len, &c->parse_err);
    if (rc) {
        c->parse_rc = rc;
        return 1;
    }
    return 0;
}

/* stream_run is hitl_stream_run that also tells |on_frame| of each frame as it arrives. */
static int stream_run(const hitl_stream_via *via, const hitl_http_request *req,
                      const hitl_stream_opts *opts, hitl_stream *out,
                      void (*on_frame)(void *, const hitl_stream_frame *), void *on_frame_user)
{
    memset(out, 0, sizeof *out);
    collector c = {.out = out, .opts = opts, .on_frame = on_frame, .on_frame_user = on_frame_user};
    c.max_frames = opts->max_frames ? opts->max_frames : DEFAULT_MAX_FRAMES;
    /* Pings are `event: ping` blocks without data: keep them as frames (see sse.h). */
    hitl_sse_config cfg = {.max_line = STREAM_MAX_LINE,
                           .max_data = STREAM_MAX_DATA,
                           .on_event = on_event,
                           .user = &c,
                           .dispatch_typed_empty = true};
    hitl_err err = {0};
    if (hitl_sse_new(&c.parser, &cfg, &err))
        return HITL_E_NOMEM;
    hitl_http_request r = *req;
    r.on_body = on_body;
    r.user = &c;
    r.timeout_ms = opts->total_ms;
    r.idle_timeout_ms = opts->idle_ms;
    r.max_body = STREAM_KEEP_BYTES;
    r.abort_at = &c.abort_at;
    /* As a browser's EventSource does: a proxy that compresses the stream (nginx's gzip for
     * text/event-stream) then does so here too, and what that does to the frames' timing
     * shows (resume.live.*). The caps count decoded bytes. */
    if (!r.accept_encoding)
        r.accept_encoding = "";
    out->stop_index = SIZE_MAX;
    clock_gettime(CLOCK_MONOTONIC, &c.start);
    c.reached = opts->reach == NULL;
    long reach_ms = opts->reach_ms > 0 ? opts->reach_ms : opts->total_ms;
    if (!c.reached)
        after_ms(&c.start, reach_ms, &c.abort_at);

    /* The status is known before the body only through the response, which hitl_http_do
     * fills as headers arrive: on_body reads out->resp, so run into it directly. */
    hitl_err herr = {0};
    int rc = via->send(via->user, &r, &out->resp, &herr);
    out->seconds = since(&c.start);
    if (rc == HITL_OK && !c.stopped && c.parse_rc == 0 && !c.overflow && !c.nomem)
        hitl_sse_finish(c.parser, &c.parse_err);

    if (c.nomem) {
        out->end = HITL_STREAM_FAILED;
        out->error = strdup("out of memory collecting frames");
    } else if (c.overflow == 1) {
        out->end = HITL_STREAM_OVERFLOW;
        out->error = strdup("the stream passed the harness's cap on frames");
    } else if (c.overflow == 2) {
        out->end = HITL_STREAM_OVERFLOW;
        out->error = strdup("the stream passed the harness's cap of 64 MiB");
    } else if (c.parse_rc == HITL_E_TOO_LONG || c.parse_rc == HITL_E_TOO_BIG) {
        out->end = HITL_STREAM_OVERFLOW;
        out->error = strdup(c.parse_err.msg);
    } else if (c.stopped || rc == HITL_E_STOPPED) {
        out->end = HITL_STREAM_STOPPED;
    } else if (rc == HITL_E_TIMEOUT && !c.reached) {
        out->end = HITL_STREAM_TIMEOUT;
        char msg[320];
        snprintf(msg, sizeof msg,
                 "no %s within %ld ms of the start (comment lines and pings do not extend it): "
                 "%zu frames (%zu pings), %zu bytes arrived",
                 opts->reach_what ? opts->reach_what : "awaited frame", reach_ms, out->n_frames,
                 c.pings, out->bytes);
        out->error = strdup(msg);
    } else if (rc == HITL_E_TIMEOUT) {
        out->end = HITL_STREAM_TIMEOUT;
        out->still_open = c.close_armed;
        out->error =
            strdup(out->still_open ? "the server had not ended the stream in time" : herr.msg);
    } else if (rc) {
        out->end = HITL_STREAM_FAILED;
        out->error = strdup(herr.msg);
    } else if (out->resp.status < 200 || out->resp.status >= 300) {
        out->end = HITL_STREAM_FAILED;
        char msg[96];
        snprintf(msg, sizeof msg, "the server answered HTTP %ld instead of a stream",
                 out->resp.status);
        out->error = strdup(msg);
    } else {
        out->end = HITL_STREAM_CLOSED;
    }
    hitl_sse_free(c.parser);
    return HITL_OK;
}

int hitl_stream_run(const hitl_stream_via *via, const hitl_http_request *req,
                    const hitl_stream_opts *opts, hitl_stream *out)
{
    return stream_run(via, req, opts, out, NULL, NULL);
}

void hitl_stream_free(hitl_stream *s)
{
    for (size_t i = 0; i < s->n_frames; i++) {
        free(s->frames[i].type);
        free(s->frames[i].data);
    }
    free(s->frames);
    free(s->error);
    hitl_http_response_free(&s->resp);
    memset(s, 0, sizeof *s);
}

const char *hitl_stream_end_name(hitl_stream_end e)
{
    static const char *const names[] = {"closed", "stopped", "timeout", "overflow", "failed"};
    return (unsigned)e < 5 ? names[e] : "?";
}

/* --- on a thread --- */

struct hitl_stream_async {
    pthread_t thread;
    hitl_stream_via via;
    hitl_http_request req;
    char *url, *body;
    char **headers;
    hitl_stream_opts opts;
    hitl_stream result;
    int rc;
    /* Progress for hitl_stream_wait_frames: the thread's frame count and its end. */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t seen;
    bool done;
    atomic_int cancel; /* hitl_stream_cancel: read by the transfer's progress callback */
    /* A copy of each frame for hitl_stream_wait_match (the thread's own array moves as it
     * grows): |n_mirror| of them, under |mu|; |mirror_lost| once a copy failed. */
    hitl_stream_frame *mirror;
    size_t n_mirror;
    bool mirror_lost;
};

/* Appends a copy of |f| to the mirror; false when memory ran out. Under a->mu. */
static bool mirror_frame(hitl_stream_async *a, const hitl_stream_frame *f)
{
    hitl_stream_frame *grown = realloc(a->mirror, (a->n_mirror + 1) * sizeof *grown);
    if (!grown)
        return false;
    a->mirror = grown;
    hitl_stream_frame *m = &grown[a->n_mirror];
    *m = *f;
    m->type = strdup(f->type);
    m->data = malloc(f->data_len + 1);
    if (!m->type || !m->data) {
        free(m->type);
        free(m->data);
        return false;
    }
    memcpy(m->data, f->data, f->data_len + 1);
    a->n_mirror++;
    return true;
}

static void async_frame(void *user, const hitl_stream_frame *f)
{
    hitl_stream_async *a = user;
    pthread_mutex_lock(&a->mu);
    a->seen++;
    if (!a->mirror_lost && !mirror_frame(a, f))
        a->mirror_lost = true;
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
}

static void *stream_thread(void *arg)
{
    hitl_stream_async *a = arg;
    a->rc = stream_run(&a->via, &a->req, &a->opts, &a->result, async_frame, a);
    pthread_mutex_lock(&a->mu);
    a->done = true;
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
    return NULL;
}

static void async_free(hitl_stream_async *a)
{
    for (size_t i = 0; i < a->n_mirror; i++) {
        free(a->mirror[i].type);
        free(a->mirror[i].data);
    }
    free(a->mirror);
    pthread_cond_destroy(&a->cv);
    pthread_mutex_destroy(&a->mu);
    free(a->url);
    free(a->body);
    for (size_t i = 0; i < a->req.n_headers; i++)
        free(a->headers[i]);
    free(a->headers);
    free(a);
}

int hitl_stream_start(const hitl_stream_via *via, const hitl_http_request *req,
                      const hitl_stream_opts *opts, hitl_stream_async **out)
{
    hitl_stream_async *a = calloc(1, sizeof *a);
    if (!a)
        return HITL_E_NOMEM;
    /* The waiters' clock is monotonic, like every other deadline of the harness. */
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&a->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&a->mu, NULL);
    a->via = *via;
    a->opts = *opts;
    a->req = *req;
    a->url = strdup(req->url);
    a->req.url = a->url;
    if (req->body) {
        a->body = malloc(req->body_len + 1);
        if (a->body) {
            memcpy(a->body, req->body, req->body_len);
            a->body[req->body_len] = '\0';
        }
        a->req.body = a->body;
    }
    a->headers = calloc(req->n_headers ? req->n_headers : 1, sizeof *a->headers);
    for (size_t i = 0; a->headers && i < req->n_headers; i++)
        a->headers[i] = strdup(req->headers[i]);
    a->req.headers = (const char *const *)a->headers;
    a->req.parts = NULL;
    a->req.n_parts = 0;
    atomic_init(&a->cancel, 0);
    a->req.cancel = &a->cancel;
    if (!a->url || !a->headers || (req->body && !a->body) ||
        pthread_create(&a->thread, NULL, stream_thread, a) != 0) {
        a->req.n_headers = a->headers ? req->n_headers : 0;
        async_free(a);
        return HITL_E_NOMEM;
    }
    *out = a;
    return HITL_OK;
}

size_t hitl_stream_wait_frames(hitl_stream_async *a, size_t n, long timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&a->mu);
    while (a->seen < n && !a->done)
        if (pthread_cond_timedwait(&a->cv, &a->mu, &until) != 0)
            break; /* ETIMEDOUT (nothing else is possible with a valid deadline) */
    size_t seen = a->seen;
    pthread_mutex_unlock(&a->mu);
    return seen;
}

/* The monotonic time |timeout_ms| from now. */
static struct timespec deadline_in(long timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    return until;
}

size_t hitl_stream_wait_match(hitl_stream_async *a, size_t from, hitl_stream_stop_fn match,
                              void *user, long timeout_ms, char **data)
{
    struct timespec until = deadline_in(timeout_ms);
    size_t found = SIZE_MAX, next = from;
    if (data)
        *data = NULL;
    pthread_mutex_lock(&a->mu);
    for (;;) {
        for (; next < a->n_mirror && found == SIZE_MAX; next++)
            if (match(user, &a->mirror[next]))
                found = next;
        if (found != SIZE_MAX || a->done || a->mirror_lost)
            break;
        if (pthread_cond_timedwait(&a->cv, &a->mu, &until) != 0)
            break; /* ETIMEDOUT */
    }
    if (found != SIZE_MAX && data)
        *data = strdup(a->mirror[found].data);
    pthread_mutex_unlock(&a->mu);
    return found;
}

bool hitl_stream_ended(hitl_stream_async *a)
{
    pthread_mutex_lock(&a->mu);
    bool done = a->done;
    pthread_mutex_unlock(&a->mu);
    return done;
}

void hitl_stream_cancel(hitl_stream_async *a)
{
    atomic_store(&a->cancel, 1);
}

int hitl_stream_join(hitl_stream_async *a, hitl_stream *out)
{
    pthread_join(a->thread, NULL);
    *out = a->result;
    int rc = a->rc;
    async_free(a);
    return rc;
}
