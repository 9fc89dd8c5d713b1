/* sse.h: an incremental, push-based parser for text/event-stream, following the WHATWG
 * HTML "interpreting an event stream" rules. Feed it any chunking of the byte stream and
 * it emits exactly the events it would emit for the whole input at once.
 *
 * Memory is bounded: line length and the event's data buffer have hard caps fixed at
 * creation; reaching one is a terminal, named error. Buffers are reused from event to
 * event, and one grown past 64 KiB by a large event is released after that event, so an
 * endless stream runs in constant memory. The parser never prints.
 *
 * Bytes, not text: the standard decodes the stream as UTF-8 (with replacement) before
 * parsing it. This parser works on the raw bytes and hands fields to the consumer
 * undecoded; the consumer decodes them (hitlcheck sse-dump does, with U+FFFD for invalid
 * sequences). The two orders give the same result because every byte the parser acts on
 * (CR, LF, ':', ' ', NUL, the ASCII field names) is ASCII, and a UTF-8 decoder never
 * folds an ASCII byte into a multi-byte sequence: decoding each field separately yields
 * the same characters as decoding the whole stream first. The one piece of decoding the
 * parser does itself is the standard's: a UTF-8 BOM (EF BB BF) at the very start of the
 * stream is skipped, once. */
#ifndef HITL_SSE_H
#define HITL_SSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hitl/err.h"

typedef struct hitl_sse hitl_sse;

/* One dispatched event. Pointers are valid only during the callback. Fields are byte
 * strings with explicit lengths (data may contain NUL bytes). type and id are also
 * NUL-terminated; data is NOT: it may point straight into the buffer passed to
 * hitl_sse_feed (an event of one data line is dispatched without a copy), so read exactly
 * data_len bytes, and copy them to keep them. */
typedef struct hitl_sse_event {
    const char *type; /* the event type; "message" when no `event` field was set */
    size_t type_len;
    const char *data; /* `data` lines joined with LF, the final LF removed; not NUL-terminated */
    size_t data_len;
    const char *id; /* the last event ID at dispatch; "" when none */
    size_t id_len;
} hitl_sse_event;

/* Return 0 to go on; any other value stops parsing: hitl_sse_feed then returns
 * HITL_E_STOPPED and the parser is in its terminal state. A callback must not call
 * hitl_sse_feed or hitl_sse_finish on the same parser (they return HITL_E_STATE). */
typedef int (*hitl_sse_event_fn)(void *user, const hitl_sse_event *ev);
/* Called when a valid `retry` field (one or more ASCII digits, nothing else) is
 * processed. A value above UINT64_MAX is reported as UINT64_MAX. */
typedef int (*hitl_sse_retry_fn)(void *user, uint64_t retry_ms);

typedef struct hitl_sse_config {
    size_t max_line; /* longest line accepted, in bytes, excluding the line end; 0 = default */
    size_t max_data; /* largest data of one event (as dispatched, without the final LF),
                        in bytes; 0 = default */
    hitl_sse_event_fn on_event; /* may be NULL */
    hitl_sse_retry_fn on_retry; /* may be NULL */
    void *user;
    /* Departure from the standard, off by default: also dispatch a block that set an event
     * type but no data (data "", data_len 0), instead of dropping it. Dify's keep-alives are
     * exactly such blocks (`event: ping` and a blank line, §2.3.2/§9.1.1 of the contract), and a
     * conformance harness must see them (first frame, gaps, "pings carry no data"). */
    bool dispatch_typed_empty;
} hitl_sse_config;

#define HITL_SSE_DEFAULT_MAX_LINE (1u << 20)  /* 1 MiB */
#define HITL_SSE_DEFAULT_MAX_DATA (16u << 20) /* 16 MiB */

/* hitl_sse_new allocates a parser into |*out| (free it with hitl_sse_free). The config is
 * copied. Returns 0, HITL_E_NOMEM, or HITL_E_ARG (NULL argument, or a cap above
 * SIZE_MAX / 4). */
int hitl_sse_new(hitl_sse **out, const hitl_sse_config *cfg, hitl_err *err);

/* hitl_sse_feed parses |len| bytes of |buf|, invoking the callbacks for each event
 * completed. It returns 0; HITL_E_TOO_LONG when a line passes max_line; HITL_E_TOO_BIG
 * when an event's data passes max_data; HITL_E_NOMEM; HITL_E_STOPPED when a callback
 * stopped it; HITL_E_STATE when called after any of these or after hitl_sse_finish (the
 * parser stays in its terminal state); HITL_E_ARG for a NULL parser, or a NULL |buf|
 * with |len| > 0 (not terminal). The cap messages name the cap and the stream
 * offset of the offending line, which do not depend on how the stream was chunked.
 * A line is checked against max_line as its bytes arrive, so an endless line fails
 * without being buffered. |buf| is not retained after the call. */
int hitl_sse_feed(hitl_sse *p, const void *buf, size_t len, hitl_err *err);

/* hitl_sse_finish marks the end of the stream. A final line without a line end is
 * discarded, and so is an event not closed by a blank line: the standard's grammar ends
 * every field with a line end and says an incomplete event is not dispatched (a CR as
 * the very last byte is a complete line end). Returns 0, or HITL_E_STATE when the parser
 * was already finished or failed. */
int hitl_sse_finish(hitl_sse *p, hitl_err *err);

/* The standard's "last event ID string": the `id` value in force at the last blank line
 * ("" when none), i.e. what a reconnecting client sends as Last-Event-ID. An `id` line
 * of an event not yet closed by a blank line does not show here yet. Valid until the
 * next feed. */
const char *hitl_sse_last_id(const hitl_sse *p);

/* Bytes passed to hitl_sse_feed before the parser reached its terminal state (the call
 * that reached it included), and events dispatched so far (an event whose callback
 * stopped the parser included). */
uint64_t hitl_sse_bytes(const hitl_sse *p);
uint64_t hitl_sse_events(const hitl_sse *p);

/* Bytes of heap the parser holds right now (its struct and buffer capacities), for tests
 * and monitoring of the constant-memory guarantee. */
size_t hitl_sse_mem(const hitl_sse *p);

void hitl_sse_free(hitl_sse *p);

#endif
