/* stream.h: long-lived SSE responses (resume streams, and start streams that stay open)
 * and the hub that fans a run's events out to the streams subscribed at publish time, like
 * Dify's Redis pub/sub channel: a late subscriber misses what was published before it.
 *
 * A stream with nothing to send suspends its MHD connection (no busy loop); publishing, a
 * ping, a drip tick or the idle timeout resumes it. MHD_resume_connection is always called
 * after the hub lock is released. */
#ifndef RS_STREAM_H
#define RS_STREAM_H

#include <microhttpd.h>
#include <stdint.h>

typedef struct rs_hub rs_hub;

typedef enum rs_stream_kind {
    RS_STREAM_LIVE = 0,    /* queued frames, pings, idle close */
    RS_STREAM_KEEPALIVE,   /* hostile: `: keepalive` comments every 100 ms, forever */
    RS_STREAM_DRIP,        /* hostile: the initial bytes, one every 500 ms, then the end */
    RS_STREAM_STALL,       /* hostile: the initial bytes, then nothing until the idle timeout */
    RS_STREAM_ENDLESS_LINE /* hostile: `data: ` then `x` forever, never a line end */
} rs_stream_kind;

typedef enum rs_publish_close {
    RS_CLOSE_NONE = 0,
    RS_CLOSE_PAUSE, /* the chunk ends with a terminal event (workflow_paused, or a Chatflow's
                       workflow_finished before its message_end): streams that end on one close */
    RS_CLOSE_FINISH /* the chunk ends with workflow_finished: every stream closes */
} rs_publish_close;

typedef struct rs_stream_opts {
    rs_stream_kind kind;
    const char *run_id;  /* subscribe to this run's events; NULL = no subscription */
    int close_on_pause;  /* close after relaying workflow_paused */
    int pings;           /* send keep-alive pings */
    const char *initial; /* bytes queued first (may be NULL) */
    size_t initial_len;
    uint64_t declared_size; /* MHD_SIZE_UNKNOWN, or a Content-Length to declare (stall) */
} rs_stream_opts;

typedef struct rs_hub_config {
    int64_t ping_interval_ms;
    int64_t idle_timeout_ms;
    int ping_with_data; /* ping-with-data fault */
    size_t max_streams;
} rs_hub_config;

int rs_hub_new(const rs_hub_config *cfg, rs_hub **out);
/* Frees the hub; every stream must have been released by MHD (call after MHD_stop_daemon). */
void rs_hub_free(rs_hub *h);

/* rs_hub_open makes a streaming response for |conn| (the access handler queues and
 * destroys it). NULL when max_streams streams are open, the hub is shutting down, or memory
 * ran out. Lock order: the state lock may be held by the caller. */
struct MHD_Response *rs_hub_open(rs_hub *h, struct MHD_Connection *conn, const rs_stream_opts *o);

/* rs_hub_publish appends |text| to every stream subscribed to |run_id| and closes them per
 * |close|. Must be called without the state lock held. */
void rs_hub_publish(rs_hub *h, const char *run_id, const char *text, size_t len,
                    rs_publish_close close);

/* rs_hub_tick sends due pings/keep-alives/drips and closes idle streams; returns the next
 * deadline (monotonic ms) it needs a tick at. */
int64_t rs_hub_tick(rs_hub *h, int64_t now_ms);

/* rs_hub_set_waker registers a function the hub calls when a new stream needs an earlier
 * tick than the clock planned (the clock's kick). */
void rs_hub_set_waker(rs_hub *h, void (*wake)(void *), void *arg);

/* rs_hub_shutdown closes every stream and refuses new ones; call before MHD_stop_daemon. */
void rs_hub_shutdown(rs_hub *h);

#endif
