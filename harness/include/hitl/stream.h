/* stream.h: an SSE request: the HTTP response body is fed to the SSE
 * parser as it arrives and each dispatched event is kept as a frame with its arrival
 * time. Bounded: frame count, line and data caps, total bytes, total and idle time.
 * A stop function may end the stream early (after the frame it is shown). A stream can
 * also run on its own thread (open before a submit, join after: §9.1, a late subscriber
 * misses events). */
#ifndef HITL_STREAM_H
#define HITL_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include "hitl/err.h"
#include "hitl/http.h"

typedef struct hitl_stream_frame {
    char *type; /* SSE event type ("message" when none) */
    char *data; /* NUL-terminated; data_len may be shorter if data holds NULs */
    size_t data_len;
    double at; /* seconds since the request started */
} hitl_stream_frame;

typedef enum hitl_stream_end {
    HITL_STREAM_CLOSED = 0, /* the server ended the response */
    HITL_STREAM_STOPPED,    /* the stop function ended it */
    HITL_STREAM_TIMEOUT,    /* total or idle time ran out */
    HITL_STREAM_OVERFLOW,   /* a cap (line, data, frames, bytes) was hit */
    HITL_STREAM_FAILED      /* transport failure or a non-2xx answer */
} hitl_stream_end;

typedef struct hitl_stream {
    hitl_http_response resp; /* status and headers; the body is not stored */
    hitl_stream_frame *frames;
    size_t n_frames;
    hitl_stream_end end;
    char *error; /* what ended it, for TIMEOUT/OVERFLOW/FAILED */
    double seconds;
    double max_gap; /* the longest silence between frames (or start and first) */
    size_t bytes;
    bool still_open;   /* close_within_ms passed with the stream still open */
    size_t stop_index; /* the frame |stop| chose, SIZE_MAX when none */
} hitl_stream;

/* Return true to stop the stream after |f| (which is kept). */
typedef bool (*hitl_stream_stop_fn)(void *user, const hitl_stream_frame *f);

typedef struct hitl_stream_opts {
    long total_ms;     /* the whole stream; required */
    long idle_ms;      /* no byte for this long ends it; 0 = off */
    size_t max_frames; /* 0 = 10000 */
    hitl_stream_stop_fn stop;
    void *user;
    /* With close_within_ms > 0 a true from |stop| does not stop the stream: the server
     * must then end it within that many ms (out->end CLOSED), else out->end is TIMEOUT
     * with `still_open` set. For "the stream ends after workflow_paused" (§2). */
    long close_within_ms;
    /* The budget for reaching a frame: with |reach| set, a frame for which it is true must
     * arrive within reach_ms of the start (0: total_ms). The budget is counted from the
     * start, so comment lines and pings, which keep an idle timeout at bay, do not extend it
     * (§2.3.6). Past it the stream ends TIMEOUT and out->error says so, with what arrived
     * instead (frames, pings, bytes). |reach_what| names the frame ("human_input_required"). */
    hitl_stream_stop_fn reach;
    long reach_ms;
    const char *reach_what;
} hitl_stream_opts;

/* How a stream's request is sent: |send| performs |req| as hitl_http_do does (filling |resp|
 * as the headers arrive, handing the body to req->on_body), with |user| as its first
 * argument, and returns as hitl_http_do. The engine sends through a check's context, so the
 * exchange is recorded (flow.c); anything else may send with hitl_http_do itself. */
typedef int (*hitl_stream_send_fn)(void *user, const hitl_http_request *req,
                                   hitl_http_response *resp, hitl_err *err);
typedef struct hitl_stream_via {
    hitl_stream_send_fn send;
    void *user;
} hitl_stream_via;

/* hitl_stream_run performs |req| (its on_body/timeouts are overwritten) through |via| and
 * fills |out| (free with hitl_stream_free, in every case). The outcome is in out->end; the
 * return value is 0 except for HITL_E_NOMEM or a bad request (HITL_E_ARG). */
int hitl_stream_run(const hitl_stream_via *via, const hitl_http_request *req,
                    const hitl_stream_opts *opts, hitl_stream *out);

/* The same on a new thread: start, then join to get the result. The request's strings
 * are copied. */
typedef struct hitl_stream_async hitl_stream_async;
int hitl_stream_start(const hitl_stream_via *via, const hitl_http_request *req,
                      const hitl_stream_opts *opts, hitl_stream_async **out);
/* hitl_stream_wait_frames waits until the stream of |a| has received at least |n| frames,
 * has ended, or |timeout_ms| passed, whichever comes first, and returns the number of
 * frames received so far. For "subscribe, see the first frame, then act" (§9.1: the
 * subscription is live once the first ping arrived). Call it before hitl_stream_join. */
size_t hitl_stream_wait_frames(hitl_stream_async *a, size_t n, long timeout_ms);
/* hitl_stream_wait_match waits until the stream of |a| has received a frame, at index
 * |from| or later, for which |match| returns true, or has ended, or |timeout_ms| passed,
 * whichever comes first; the stream goes on either way. It returns that frame's index, or
 * SIZE_MAX. |match| runs on the caller's thread, on a copy of each frame (once per call).
 * With |data| non-NULL, *data gets a malloc'd copy of the matching frame's data, NULL when
 * none matched. For "see the second pause on the same stream, then act" (§9.1.11). Call it
 * before hitl_stream_join. */
size_t hitl_stream_wait_match(hitl_stream_async *a, size_t from, hitl_stream_stop_fn match,
                              void *user, long timeout_ms, char **data);
/* True once the stream of |a| has ended (closed, stopped, timed out or failed); it must
 * still be joined. */
bool hitl_stream_ended(hitl_stream_async *a);
/* hitl_stream_cancel asks the stream of |a| to end early (within about a second; its end
 * is then HITL_STREAM_STOPPED): for a caller that learnt it no longer needs it, e.g. a
 * resume stream after the submit it waits on was refused. Safe from any thread before
 * hitl_stream_join. */
void hitl_stream_cancel(hitl_stream_async *a);
/* Waits for the stream to end (bounded by its total_ms) and moves the result to |out|. */
int hitl_stream_join(hitl_stream_async *a, hitl_stream *out);

void hitl_stream_free(hitl_stream *s);
const char *hitl_stream_end_name(hitl_stream_end e);

#endif
