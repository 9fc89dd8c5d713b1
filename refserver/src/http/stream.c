/* stream.c: SSE streams over suspended MHD connections, and the run event hub. */
#include "stream.h"

#include "hitl/buf.h"
#include "hitl/err.h"
#include "rs.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STREAM_QUEUE_MAX (1024 * 1024) /* a client this far behind is dropped */
#define KEEPALIVE_MS 100
#define DRIP_MS 500

typedef struct rs_stream {
    struct rs_stream *prev, *next;
    rs_hub *hub;
    struct MHD_Connection *conn;
    rs_stream_kind kind;
    char run_id[RS_ID_LEN]; /* "" = not subscribed */
    int close_on_pause;
    int pings;
    hitl_buf q; /* bytes not yet handed to MHD, from qoff */
    size_t qoff;
    size_t allowance; /* drip: bytes that may be sent now */
    int suspended, closing, error;
    int64_t last_event_ms, last_write_ms, next_tick_ms;
} rs_stream;

struct rs_hub {
    pthread_mutex_t mu;
    rs_hub_config cfg;
    rs_stream *head;
    size_t count;
    int stopping;
    void (*wake)(void *);
    void *wake_arg;
};

int rs_hub_new(const rs_hub_config *cfg, rs_hub **out)
{
    rs_hub *h = calloc(1, sizeof *h);
    if (!h)
        return HITL_E_NOMEM;
    h->cfg = *cfg;
    pthread_mutex_init(&h->mu, NULL);
    *out = h;
    return HITL_OK;
}

void rs_hub_free(rs_hub *h)
{
    if (!h)
        return;
    pthread_mutex_destroy(&h->mu);
    free(h);
}

void rs_hub_set_waker(rs_hub *h, void (*wake)(void *), void *arg)
{
    pthread_mutex_lock(&h->mu);
    h->wake = wake;
    h->wake_arg = arg;
    pthread_mutex_unlock(&h->mu);
}

/* A growable list of connections to resume once the lock is dropped. */
typedef struct resume_list {
    struct MHD_Connection *inline_buf[16];
    struct MHD_Connection **v;
    size_t n, cap;
} resume_list;

static void rl_init(resume_list *l)
{
    l->v = l->inline_buf;
    l->n = 0;
    l->cap = 16;
}

/* rl_take marks |s| resumed (under the hub lock) and remembers its connection. */
static void rl_take(resume_list *l, rs_stream *s)
{
    if (!s->suspended)
        return;
    if (l->n == l->cap) {
        size_t ncap = l->cap * 2;
        struct MHD_Connection **nv = malloc(ncap * sizeof *nv);
        if (!nv)
            return; /* stays suspended until the next tick retries it */
        memcpy(nv, l->v, l->n * sizeof *nv);
        if (l->v != l->inline_buf)
            free(l->v);
        l->v = nv;
        l->cap = ncap;
    }
    s->suspended = 0;
    l->v[l->n++] = s->conn;
}

/* rl_run resumes every remembered connection: safe unlocked, because only the thread that
 * flipped `suspended` resumes, and a suspended connection cannot be freed meanwhile. */
static void rl_run(resume_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        MHD_resume_connection(l->v[i]);
    if (l->v != l->inline_buf)
        free(l->v);
}

static void enqueue(rs_stream *s, const char *text, size_t len)
{
    if (s->qoff && s->qoff == s->q.len) {
        hitl_buf_reset(&s->q);
        s->qoff = 0;
    }
    if (hitl_buf_append(&s->q, text, len)) {
        s->closing = 1; /* too far behind (or out of memory): drop the client */
        s->error = 1;
    }
}

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    rs_stream *s = cls;
    rs_hub *h = s->hub;
    (void)pos;
    pthread_mutex_lock(&h->mu);
    if (s->kind == RS_STREAM_ENDLESS_LINE && !s->closing) {
        pthread_mutex_unlock(&h->mu);
        size_t n = 0;
        if (pos == 0 && max >= 6) {
            memcpy(buf, "data: ", 6);
            n = 6;
        }
        memset(buf + n, 'x', max - n);
        return (ssize_t)max;
    }
    size_t avail = s->q.len - s->qoff;
    if (s->kind == RS_STREAM_DRIP && avail > s->allowance)
        avail = s->allowance;
    if (avail) {
        size_t n = avail < max ? avail : max;
        memcpy(buf, s->q.ptr + s->qoff, n);
        s->qoff += n;
        if (s->kind == RS_STREAM_DRIP)
            s->allowance -= n;
        pthread_mutex_unlock(&h->mu);
        return (ssize_t)n;
    }
    if (s->closing || (s->kind == RS_STREAM_DRIP && s->qoff == s->q.len)) {
        int error = s->error;
        pthread_mutex_unlock(&h->mu);
        return error ? MHD_CONTENT_READER_END_WITH_ERROR : MHD_CONTENT_READER_END_OF_STREAM;
    }
    /* Nothing to send: park the connection. Suspending under the hub lock means a publisher
     * can never resume a connection that is not suspended yet. */
    s->suspended = 1;
    MHD_suspend_connection(s->conn);
    pthread_mutex_unlock(&h->mu);
    return 0;
}

static void release(void *cls)
{
    rs_stream *s = cls;
    rs_hub *h = s->hub;
    pthread_mutex_lock(&h->mu);
    if (s->prev)
        s->prev->next = s->next;
    else
        h->head = s->next;
    if (s->next)
        s->next->prev = s->prev;
    h->count--;
    pthread_mutex_unlock(&h->mu);
    hitl_buf_free(&s->q);
    free(s);
}

struct MHD_Response *rs_hub_open(rs_hub *h, struct MHD_Connection *conn, const rs_stream_opts *o)
{
    rs_stream *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->hub = h;
    s->conn = conn;
    s->kind = o->kind;
    s->close_on_pause = o->close_on_pause;
    s->pings = o->pings;
    if (o->run_id)
        snprintf(s->run_id, sizeof s->run_id, "%s", o->run_id);
    hitl_buf_init(&s->q, STREAM_QUEUE_MAX);
    if (o->initial_len && hitl_buf_append(&s->q, o->initial, o->initial_len)) {
        free(s);
        return NULL;
    }
    int64_t now = rs_now_ms();
    s->last_event_ms = s->last_write_ms = now;
    s->next_tick_ms = now + (o->kind == RS_STREAM_DRIP ? DRIP_MS : KEEPALIVE_MS);
    if (o->kind == RS_STREAM_DRIP)
        s->allowance = 1;
    pthread_mutex_lock(&h->mu);
    if (h->stopping || h->count >= h->cfg.max_streams) {
        pthread_mutex_unlock(&h->mu);
        hitl_buf_free(&s->q);
        free(s);
        return NULL;
    }
    s->next = h->head;
    if (h->head)
        h->head->prev = s;
    h->head = s;
    h->count++;
    void (*wake)(void *) = h->wake;
    void *wake_arg = h->wake_arg;
    pthread_mutex_unlock(&h->mu);
    /* From here release() owns |s|: it unlinks and frees it. */
    struct MHD_Response *resp =
        MHD_create_response_from_callback(o->declared_size, 16 * 1024, reader, s, release);
    if (!resp) {
        release(s);
        return NULL;
    }
    if (wake)
        wake(wake_arg);
    return resp;
}

void rs_hub_publish(rs_hub *h, const char *run_id, const char *text, size_t len,
                    rs_publish_close close)
{
    resume_list l;
    rl_init(&l);
    int64_t now = rs_now_ms();
    pthread_mutex_lock(&h->mu);
    for (rs_stream *s = h->head; s; s = s->next) {
        if (s->closing || strcmp(s->run_id, run_id) != 0)
            continue;
        enqueue(s, text, len);
        s->last_event_ms = s->last_write_ms = now;
        if (close == RS_CLOSE_FINISH || (close == RS_CLOSE_PAUSE && s->close_on_pause))
            s->closing = 1;
        rl_take(&l, s);
    }
    pthread_mutex_unlock(&h->mu);
    rl_run(&l);
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

int64_t rs_hub_tick(rs_hub *h, int64_t now)
{
    static const char ping[] = "event: ping\n\n";
    static const char ping_data[] = "data: ping\n\n";
    static const char keepalive[] = ": keepalive\n\n";
    resume_list l;
    rl_init(&l);
    int64_t next = now + 60000;
    pthread_mutex_lock(&h->mu);
    for (rs_stream *s = h->head; s; s = s->next) {
        if (s->closing) {
            rl_take(&l, s);
            continue;
        }
        switch (s->kind) {
        case RS_STREAM_LIVE:
        case RS_STREAM_STALL:
            if (now - s->last_event_ms >= h->cfg.idle_timeout_ms) {
                s->closing = 1;
                s->error = s->kind == RS_STREAM_STALL;
                rl_take(&l, s);
                continue;
            }
            next = min64(next, s->last_event_ms + h->cfg.idle_timeout_ms);
            if (s->kind == RS_STREAM_LIVE && s->pings) {
                if (now - s->last_write_ms >= h->cfg.ping_interval_ms) {
                    if (h->cfg.ping_with_data)
                        enqueue(s, ping_data, sizeof ping_data - 1);
                    else
                        enqueue(s, ping, sizeof ping - 1);
                    s->last_write_ms = now;
                    rl_take(&l, s);
                }
                next = min64(next, s->last_write_ms + h->cfg.ping_interval_ms);
            }
            break;
        case RS_STREAM_KEEPALIVE:
        case RS_STREAM_DRIP:
            if (now >= s->next_tick_ms) {
                if (s->kind == RS_STREAM_KEEPALIVE) {
                    if (s->q.len - s->qoff < 4096) /* a client not reading gets no more */
                        enqueue(s, keepalive, sizeof keepalive - 1);
                } else {
                    s->allowance++;
                }
                s->next_tick_ms = now + (s->kind == RS_STREAM_DRIP ? DRIP_MS : KEEPALIVE_MS);
                rl_take(&l, s);
            }
            next = min64(next, s->next_tick_ms);
            break;
        case RS_STREAM_ENDLESS_LINE:
            break;
        }
    }
    pthread_mutex_unlock(&h->mu);
    rl_run(&l);
    return next;
}

void rs_hub_shutdown(rs_hub *h)
{
    resume_list l;
    rl_init(&l);
    pthread_mutex_lock(&h->mu);
    h->stopping = 1;
    for (rs_stream *s = h->head; s; s = s->next) {
        s->closing = 1;
        s->error = 1;
        rl_take(&l, s);
    }
    pthread_mutex_unlock(&h->mu);
    rl_run(&l);
}
