/* sse.c: the text/event-stream parser, WHATWG HTML "interpreting an event stream".
 *
 * How it works, and why:
 * - Lines are cut straight out of the caller's buffer: a line that starts and ends inside
 *   one feed is parsed in place, with no copy and no allocation. Only the head of a line
 *   that spans feeds is copied into `line`, and completed there. A line that already
 *   passes max_line is refused as its bytes arrive, so a hostile endless line costs at
 *   most max_line bytes of memory.
 * - Line ends are found with memchr, one scan for LF and one for CR, each position cached
 *   until the cursor passes it: every byte is scanned at most once per character even in
 *   a CR-only stream (a fresh memchr per line for the other character would be quadratic).
 * - A CR ends its line at once; `skip_lf` remembers it so that an LF opening the next feed
 *   is taken as the second half of the same CRLF rather than as a blank line.
 * - The BOM is matched byte by byte across feeds; a partial match is held back (at most
 *   two bytes) and replayed as ordinary stream bytes when the next byte breaks it.
 * - The data buffer holds the data lines joined with LF, without the standard's trailing
 *   LF; `has_data` says whether the standard's buffer would be non-empty. That makes
 *   max_data the size of the data as dispatched, and spares a memmove at dispatch.
 * - Buffers are reused across events; one that grew past SSE_RETAIN for a large event is
 *   released after it, so memory on an endless stream stays constant.
 * - Every failure is terminal: `state` becomes SSE_FAILED and later calls get
 *   HITL_E_STATE, so a caller cannot resume from a half-consumed line. */
#include "hitl/sse.h"
#include "hitl/buf.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Capacity a buffer may keep between events; larger ones are freed after use. */
#define SSE_RETAIN ((size_t)64 * 1024)
/* Caps above this are refused: buf.c computes cap + 1 and doubles capacities. */
#define SSE_CAP_LIMIT (SIZE_MAX / 4)

enum sse_state { SSE_OPEN, SSE_FINISHED, SSE_FAILED };

static const char SSE_BOM[3] = {'\xEF', '\xBB', '\xBF'};

struct hitl_sse {
    hitl_sse_config cfg; /* caps with defaults applied */
    hitl_buf line;       /* head of a line spanning feeds; empty between lines */
    hitl_buf data;       /* data lines joined with LF, no trailing LF (see has_data) */
    hitl_buf type;       /* the event type buffer */
    hitl_buf id;         /* the last event ID buffer */
    hitl_buf last_id;    /* the last event ID string, committed at each blank line */
    bool has_data;       /* the standard's data buffer is non-empty */
    bool id_dirty;       /* id changed since it was last committed to last_id */
    bool skip_lf;        /* a CR ended the previous feed: a leading LF completes it */
    bool bom_done;       /* the BOM check at the start of the stream is over */
    bool in_callback;
    unsigned bom_held; /* bytes of a BOM prefix seen but not yet processed (0..2) */
    enum sse_state state;
    int fail_code;     /* the status that made the parser fail */
    uint64_t offset;   /* stream offset of the next byte consume() receives */
    uint64_t line_off; /* stream offset where the line held in `line` starts */
    uint64_t bytes;
    uint64_t events;
};

/* Keep a small allocation for the next event; give a large one back. */
static void recycle(hitl_buf *b)
{
    if (b->cap > SSE_RETAIN)
        hitl_buf_free(b);
    else
        hitl_buf_reset(b);
}

static int nomem(hitl_err *err, const char *what)
{
    return hitl_err_set(err, HITL_E_NOMEM, "out of memory while buffering the SSE %s", what);
}

static int too_long(const hitl_sse *p, uint64_t line_off, hitl_err *err)
{
    return hitl_err_set(err, HITL_E_TOO_LONG,
                        "SSE line starting at byte offset %llu is longer than max_line "
                        "(%zu bytes); raise max_line if the server's events are this large",
                        (unsigned long long)line_off, p->cfg.max_line);
}

/* The standard's "dispatch the event" steps, with step 1 (commit the last event ID
 * string) done before the empty-data check, as the standard orders them. */
static int dispatch(hitl_sse *p, uint64_t line_off, hitl_err *err)
{
    if (p->id_dirty) {
        hitl_buf_reset(&p->last_id);
        if (hitl_buf_append(&p->last_id, p->id.ptr ? p->id.ptr : "", p->id.len))
            return nomem(err, "last event ID");
        p->id_dirty = false;
    }
    if (!p->has_data && !(p->cfg.dispatch_typed_empty && p->type.len)) {
        recycle(&p->type);
        return HITL_OK;
    }
    hitl_sse_event ev = {
        .type = p->type.len ? p->type.ptr : "message",
        .type_len = p->type.len ? p->type.len : strlen("message"),
        .data = hitl_buf_str(&p->data),
        .data_len = p->data.len,
        .id = hitl_buf_str(&p->last_id),
        .id_len = p->last_id.len,
    };
    p->events++;
    int stop = 0;
    if (p->cfg.on_event) {
        p->in_callback = true;
        stop = p->cfg.on_event(p->cfg.user, &ev);
        p->in_callback = false;
    }
    recycle(&p->data);
    recycle(&p->type);
    p->has_data = false;
    if (stop)
        return hitl_err_set(err, HITL_E_STOPPED,
                            "the event callback stopped the SSE parser at event %llu (blank "
                            "line at byte offset %llu)",
                            (unsigned long long)p->events, (unsigned long long)line_off);
    return HITL_OK;
}

static int field_data(hitl_sse *p, const char *v, size_t vlen, uint64_t line_off, hitl_err *err)
{
    size_t need = vlen + (p->has_data ? 1 : 0);
    if (need > p->cfg.max_data - p->data.len)
        return hitl_err_set(err, HITL_E_TOO_BIG,
                            "SSE event data would pass max_data (%zu bytes) with the data "
                            "line starting at byte offset %llu; raise max_data if the "
                            "server's events are this large",
                            p->cfg.max_data, (unsigned long long)line_off);
    if ((p->has_data && hitl_buf_append(&p->data, "\n", 1)) || hitl_buf_append(&p->data, v, vlen))
        return nomem(err, "data buffer");
    p->has_data = true;
    return HITL_OK;
}

/* `retry`: only a non-empty run of ASCII digits counts; larger than uint64 saturates
 * (the standard's integer is unbounded; saturating keeps "wait very long"). */
static int field_retry(hitl_sse *p, const char *v, size_t vlen, uint64_t line_off, hitl_err *err)
{
    if (vlen == 0)
        return HITL_OK;
    uint64_t ms = 0;
    for (size_t i = 0; i < vlen; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c < '0' || c > '9')
            return HITL_OK;
        unsigned d = c - '0';
        ms = ms > (UINT64_MAX - d) / 10 ? UINT64_MAX : ms * 10 + d;
    }
    if (p->cfg.on_retry && p->cfg.on_retry(p->cfg.user, ms))
        return hitl_err_set(err, HITL_E_STOPPED,
                            "the retry callback stopped the SSE parser (retry line at byte "
                            "offset %llu)",
                            (unsigned long long)line_off);
    return HITL_OK;
}

/* One complete line, without its line end. |line| may point into the caller's buffer. */
static int process_line(hitl_sse *p, const char *line, size_t len, uint64_t line_off, hitl_err *err)
{
    if (len == 0)
        return dispatch(p, line_off, err);
    if (line[0] == ':')
        return HITL_OK; /* comment */
    const char *colon = memchr(line, ':', len);
    size_t nlen = colon ? (size_t)(colon - line) : len;
    const char *v = colon ? colon + 1 : line + len;
    size_t vlen = colon ? len - nlen - 1 : 0;
    if (vlen && v[0] == ' ') {
        v++;
        vlen--;
    }
    if (nlen == 4 && !memcmp(line, "data", 4))
        return field_data(p, v, vlen, line_off, err);
    if (nlen == 5 && !memcmp(line, "event", 5)) {
        hitl_buf_reset(&p->type);
        return hitl_buf_append(&p->type, v, vlen) ? nomem(err, "event type") : HITL_OK;
    }
    if (nlen == 2 && !memcmp(line, "id", 2)) {
        if (memchr(v, '\0', vlen))
            return HITL_OK; /* the standard ignores an id containing NUL */
        hitl_buf_reset(&p->id);
        if (hitl_buf_append(&p->id, v, vlen))
            return nomem(err, "event ID");
        p->id_dirty = true;
        return HITL_OK;
    }
    if (nlen == 5 && !memcmp(line, "retry", 5))
        return field_retry(p, v, vlen, line_off, err);
    return HITL_OK; /* unknown field */
}

/* Start or extend the line that continues in the next feed. */
static int hold(hitl_sse *p, const char *s, size_t n, uint64_t off, hitl_err *err)
{
    if (p->line.len == 0)
        p->line_off = off;
    if (n > p->cfg.max_line - p->line.len)
        return too_long(p, p->line_off, err);
    return hitl_buf_append(&p->line, s, n) ? nomem(err, "line buffer") : HITL_OK;
}

/* Split |n| bytes (BOM handling already done) into lines and process them. */
static int consume(hitl_sse *p, const char *buf, size_t n, hitl_err *err)
{
    size_t i = 0;
    /* Cached positions of the next LF and CR at or after i; n means "none left". */
    size_t lf = 0, cr = 0;
    bool lf_known = false, cr_known = false;
    int rc = HITL_OK;

    if (n && p->skip_lf) {
        p->skip_lf = false;
        if (buf[0] == '\n')
            i = 1;
    }
    while (i < n) {
        if (!lf_known || lf < i) {
            const char *q = memchr(buf + i, '\n', n - i);
            lf = q ? (size_t)(q - buf) : n;
            lf_known = true;
        }
        if (!cr_known || cr < i) {
            const char *q = memchr(buf + i, '\r', n - i);
            cr = q ? (size_t)(q - buf) : n;
            cr_known = true;
        }
        size_t eol = lf < cr ? lf : cr;
        if (eol == n) {
            rc = hold(p, buf + i, n - i, p->offset + i, err);
            if (rc == HITL_OK)
                i = n;
            break;
        }
        const char *line = buf + i;
        size_t len = eol - i;
        uint64_t line_off = p->offset + i;
        bool spanned = p->line.len > 0;
        if (spanned) {
            line_off = p->line_off;
            if (len > p->cfg.max_line - p->line.len) {
                rc = too_long(p, line_off, err);
                break;
            }
            if (hitl_buf_append(&p->line, line, len)) {
                rc = nomem(err, "line buffer");
                break;
            }
            line = p->line.ptr;
            len = p->line.len;
        } else if (len > p->cfg.max_line) {
            rc = too_long(p, line_off, err);
            break;
        }
        i = eol + 1;
        if (buf[eol] == '\r') {
            if (i == n)
                p->skip_lf = true;
            else if (buf[i] == '\n')
                i++;
        }
        rc = process_line(p, line, len, line_off, err);
        if (spanned)
            recycle(&p->line);
        if (rc)
            break;
    }
    p->offset += i;
    return rc;
}

/* Skip a UTF-8 BOM at the very start of the stream, however the first bytes are split. */
static int feed_bytes(hitl_sse *p, const char *buf, size_t n, hitl_err *err)
{
    size_t i = 0;
    if (!p->bom_done) {
        while (i < n && p->bom_held < sizeof SSE_BOM && buf[i] == SSE_BOM[p->bom_held]) {
            p->bom_held++;
            i++;
        }
        if (p->bom_held == sizeof SSE_BOM) {
            p->bom_done = true;
            p->bom_held = 0;
            p->offset += sizeof SSE_BOM;
        } else if (i < n) {
            /* Not a BOM after all: the held prefix is ordinary stream bytes. */
            unsigned held = p->bom_held;
            p->bom_done = true;
            p->bom_held = 0;
            int rc = consume(p, SSE_BOM, held, err);
            if (rc)
                return rc;
        } else {
            return HITL_OK; /* everything so far is a BOM prefix: wait for more */
        }
    }
    return consume(p, buf + i, n - i, err);
}

static int check_callable(hitl_sse *p, const char *fn, hitl_err *err)
{
    if (!p)
        return hitl_err_set(err, HITL_E_ARG, "%s: the parser is NULL", fn);
    if (p->in_callback)
        return hitl_err_set(err, HITL_E_STATE, "%s called from inside an SSE callback", fn);
    if (p->state == SSE_FINISHED)
        return hitl_err_set(err, HITL_E_STATE, "%s called after hitl_sse_finish", fn);
    if (p->state == SSE_FAILED)
        return hitl_err_set(err, HITL_E_STATE,
                            "%s called on an SSE parser that already failed with %s", fn,
                            hitl_status_name(p->fail_code));
    return HITL_OK;
}

int hitl_sse_new(hitl_sse **out, const hitl_sse_config *cfg, hitl_err *err)
{
    if (!out || !cfg)
        return hitl_err_set(err, HITL_E_ARG, "hitl_sse_new: out and cfg must not be NULL");
    *out = NULL;
    if (cfg->max_line > SSE_CAP_LIMIT || cfg->max_data > SSE_CAP_LIMIT)
        return hitl_err_set(err, HITL_E_ARG,
                            "hitl_sse_new: max_line (%zu) and max_data (%zu) must be at most "
                            "%zu",
                            cfg->max_line, cfg->max_data, (size_t)SSE_CAP_LIMIT);
    hitl_sse *p = calloc(1, sizeof *p);
    if (!p)
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory allocating an SSE parser");
    p->cfg = *cfg;
    if (!p->cfg.max_line)
        p->cfg.max_line = HITL_SSE_DEFAULT_MAX_LINE;
    if (!p->cfg.max_data)
        p->cfg.max_data = HITL_SSE_DEFAULT_MAX_DATA;
    hitl_buf_init(&p->line, p->cfg.max_line);
    hitl_buf_init(&p->data, p->cfg.max_data);
    /* A field value is part of one line, so max_line bounds these too. */
    hitl_buf_init(&p->type, p->cfg.max_line);
    hitl_buf_init(&p->id, p->cfg.max_line);
    hitl_buf_init(&p->last_id, p->cfg.max_line);
    p->state = SSE_OPEN;
    *out = p;
    return HITL_OK;
}

int hitl_sse_feed(hitl_sse *p, const void *buf, size_t len, hitl_err *err)
{
    int rc = check_callable(p, "hitl_sse_feed", err);
    if (rc)
        return rc;
    if (!buf && len)
        return hitl_err_set(err, HITL_E_ARG, "hitl_sse_feed: buf is NULL but len is %zu", len);
    p->bytes += len;
    rc = feed_bytes(p, buf, len, err);
    if (rc) {
        p->state = SSE_FAILED;
        p->fail_code = rc;
    }
    return rc;
}

int hitl_sse_finish(hitl_sse *p, hitl_err *err)
{
    int rc = check_callable(p, "hitl_sse_finish", err);
    if (rc)
        return rc;
    /* A held BOM prefix, a partial line and an open event are all unterminated: dropped. */
    p->state = SSE_FINISHED;
    hitl_buf_free(&p->line);
    hitl_buf_free(&p->data);
    hitl_buf_free(&p->type);
    p->has_data = false;
    p->bom_held = 0;
    return HITL_OK;
}

const char *hitl_sse_last_id(const hitl_sse *p)
{
    return p ? hitl_buf_str(&p->last_id) : "";
}

uint64_t hitl_sse_bytes(const hitl_sse *p)
{
    return p ? p->bytes : 0;
}

uint64_t hitl_sse_events(const hitl_sse *p)
{
    return p ? p->events : 0;
}

static size_t buf_mem(const hitl_buf *b)
{
    return b->ptr ? b->cap + 1 : 0;
}

size_t hitl_sse_mem(const hitl_sse *p)
{
    if (!p)
        return 0;
    return sizeof *p + buf_mem(&p->line) + buf_mem(&p->data) + buf_mem(&p->type) + buf_mem(&p->id) +
           buf_mem(&p->last_id);
}

void hitl_sse_free(hitl_sse *p)
{
    if (!p)
        return;
    hitl_buf_free(&p->line);
    hitl_buf_free(&p->data);
    hitl_buf_free(&p->type);
    hitl_buf_free(&p->id);
    hitl_buf_free(&p->last_id);
    free(p);
}
