/* trace.h: `hitlcheck run --trace FILE`: every HTTP exchange of a run as an HTTP Archive
 * (HAR 1.2), the file browsers' developer tools import ("Import HAR…"), SSE bodies
 * included.
 *
 * The trace is the HTTP client's exchange hook (hitl_http_config.on_exchange): the one
 * place every request of the run passes through (checks, flows, streams, the probe). It
 * collects the exchanges as they end, from any thread, under its own lock; the file is
 * written once the run has ended, because the redactor learns form and upload tokens
 * during the run and a token met late must be removed from earlier exchanges too.
 *
 * Memory is bounded: each body is kept up to body_max bytes, and all entries together up
 * to total_max; exchanges past that are only counted (log.comment says how many). */
#ifndef HITL_TRACE_H
#define HITL_TRACE_H

#include <stdio.h>
#include <stddef.h>
#include "hitl/err.h"
#include "hitl/http.h"
#include "hitl/redact.h"

#define HITL_TRACE_BODY_MAX (1u * 1024u * 1024u)
#define HITL_TRACE_TOTAL_MAX (64u * 1024u * 1024u)

typedef struct hitl_trace hitl_trace;

typedef struct hitl_trace_config {
    size_t body_max;  /* bytes kept of each request and response body; 0 = HITL_TRACE_BODY_MAX
                       * (give the client the same as exchange_body_max) */
    size_t total_max; /* bytes kept for all entries; 0 = HITL_TRACE_TOTAL_MAX */
    /* Names of headers whose values are masked when redacting, besides Authorization,
     * Proxy-Authorization, Cookie and Set-Cookie (the -H headers, which may carry
     * credentials). Copied. */
    const char *const *mask_headers;
    size_t n_mask_headers;
} hitl_trace_config;

/* What the written file says about the run. Every pointer is borrowed; any may be NULL. */
typedef struct hitl_trace_meta {
    const char *version; /* creator.version (HITL_VERSION) */
    const char *title;   /* the page's title: the target */
    /* Applied to every string written, and credential header values are masked. NULL or
     * disabled (--show-secrets): nothing is redacted and log.comment says so. */
    hitl_redactor *redactor;
} hitl_trace_meta;

int hitl_trace_new(hitl_trace **out, const hitl_trace_config *cfg, hitl_err *err);
void hitl_trace_free(hitl_trace *t);

/* hitl_trace_record is an hitl_http_exchange_fn: |trace| is the hitl_trace. It copies
 * what it keeps of |x| (bodies up to body_max) and never fails: an exchange it cannot
 * keep (memory, the total cap) is counted. Thread-safe. */
void hitl_trace_record(void *trace, const hitl_http_exchange *x);

/* Exchanges kept, and those counted only (past the total cap, or out of memory). */
size_t hitl_trace_count(hitl_trace *t);
size_t hitl_trace_dropped(hitl_trace *t);

/* hitl_trace_check_path makes sure |path| can be written: not a directory, and a file can
 * be created next to it. For `run` to fail before any check runs. Returns 0, or
 * HITL_E_IO with a message naming |path|. */
int hitl_trace_check_path(const char *path, hitl_err *err);

/* hitl_trace_write_stream writes the HAR document to |f|, entries in start-time order.
 * Returns 0, or HITL_E_IO when |f| reports a write error. */
int hitl_trace_write_stream(hitl_trace *t, FILE *f, const hitl_trace_meta *m, hitl_err *err);

/* hitl_trace_write writes it to |path| atomically (a temporary file in the same directory,
 * then rename), so a reader never sees half a trace. Returns 0 or HITL_E_IO. */
int hitl_trace_write(hitl_trace *t, const char *path, const hitl_trace_meta *m, hitl_err *err);

#endif
