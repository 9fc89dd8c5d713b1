/* sse.c: the text/event-stream parser, WHATWG HTML "interpreting an event stream".
 *
 * How it works, and why:
 * - Lines are cut straight out of the caller's buffer: a line that starts and ends inside
 *   one feed is parsed in place, with no copy and no allocation. Only the head of a line
 *   that spans feeds is copied into `line`, and completed there. A line that already
 *   passes max_line is refused as its bytes arrive, so a hostile endless line costs at
 *   most max_line bytes of memory.
 * - Line ends are found by one scan for CR and LF together (find_eol: 16 bytes at a time
 *   with SSE2, 8 with SWAR elsewhere), starting at the cursor, so every byte is looked at
 *   once whatever the mix of line ends (a separate search per character would either scan
 *   twice or, without caching, go quadratic on a CR-only stream).
 * - A CR ends its line at once; `skip_lf` remembers it so that an LF opening the next feed
 *   is taken as the second half of the same CRLF rather than as a blank line.
 * - The BOM is matched byte by byte across feeds; a partial match is held back (at most
 *   two bytes) and replayed as ordinary stream bytes when the next byte breaks it.
 * - The data buffer holds the data lines joined with LF, without the standard's trailing
 *   LF; `has_data` says whether the standard's buffer would be non-empty. That makes
 *   max_data the size of the data as dispatched, and spares a memmove at dispatch.
 * - The commonest event, one `data` line and a blank line in the same feed, is dispatched
 *   with its data pointing into the caller's buffer: the first data line of an event is
 *   only remembered (`pend`), and copied into `data` when a second data line comes or the
 *   feed ends. That is why the header does not promise NUL-terminated data.
 * - A spanning line known to be a `data` field (its head starts with "data:" and is long
 *   enough to tell whether one space follows) moves into `data` at once, and its later
 *   bytes are appended there directly (`span_data`), so a long data line is copied once,
 *   not into `line` and then again into `data`. The caps keep their order: max_line is
 *   still checked as bytes arrive, and passing max_data only sets `span_over`, reported
 *   when the line ends, as a line parsed whole would report it.
 * - A 1-byte feed that starts or continues a line is stored by hitl_sse_feed itself,
 *   without the general path's stack frame and checks: the general path leaves `fast_room`,
 *   how many such bytes may go straight into `fast_buf` before a check is due (a buffer to
 *   grow, a cap, the data-field check of a line's head), and 0 whenever the next byte needs
 *   the general path (CR pending, BOM, failure, finish, inside a callback). A byte-wise
 *   reader pays a few comparisons per byte, not a few hundred instructions (which matters
 *   most in a fuzzing build, where every comparison is a callback).
 * - Buffers are reused across events; one that grew past SSE_RETAIN for a large event is
 *   released after it, so memory on an endless stream stays constant.
 * - Every failure is terminal: `state` becomes SSE_FAILED and later calls get
 *   HITL_E_STATE, so a caller cannot resume from a half-consumed line. */
#include "hitl/sse.h"
#include "hitl/buf.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Capacity a buffer may keep between events; larger ones are freed after use. */
#define SSE_RETAIN ((size_t)64 * 1024)
/* Caps above this are refused: buf.c computes cap + 1 and doubles capacities. */
#define SSE_CAP_LIMIT (SIZE_MAX / 4)
/* A held line head this long tells whether it is a data field and where its value starts
 * ("data:" and the optional space). */
#define SSE_DATA_HEAD 6

/* Error paths: kept out of the hot loops. */
#define SSE_COLD __attribute__((cold, noinline))

enum sse_state { SSE_OPEN, SSE_FINISHED, SSE_FAILED };

static const char SSE_BOM[3] = {'\xEF', '\xBB', '\xBF'};
/* CR and LF, for the 1-byte path: one lookup where two comparisons would each cost a
 * callback in a fuzzing build (unsigned char, not bool: UBSan checks each bool loaded). */
static const unsigned char SSE_EOL_BYTE[256] = {['\n'] = 1, ['\r'] = 1};

struct hitl_sse {
    hitl_sse_config cfg; /* caps with defaults applied */
    hitl_buf line;       /* head of a line spanning feeds; empty between lines */
    hitl_buf data;       /* data lines joined with LF, no trailing LF (see has_data) */
    hitl_buf type;       /* the event type buffer */
    hitl_buf id;         /* the last event ID buffer */
    hitl_buf last_id;    /* the last event ID string, committed at each blank line */
    const char *pend;    /* pending: the event's only data so far, in the caller's buffer */
    size_t pend_len;
    size_t span_len; /* span_data: length so far of the spanning line */
    bool pending;    /* pend is set; never true between feeds */
    bool span_data;  /* the spanning line is a data field, its value going into data */
    bool span_over;  /* span_data: the data passed max_data (bytes counted, not kept) */
    bool has_data;   /* the standard's data buffer is non-empty */
    bool id_dirty;   /* id changed since it was last committed to last_id */
    bool skip_lf;    /* a CR ended the previous feed: a leading LF completes it */
    bool bom_done;   /* the BOM check at the start of the stream is over */
    bool in_callback;
    size_t fast_room;   /* 1-byte feeds hitl_sse_feed may store directly (see above) */
    hitl_buf *fast_buf; /* where: `line`, or `data` for span_data */
    unsigned bom_held;  /* bytes of a BOM prefix seen but not yet processed (0..2) */
    enum sse_state state;
    int fail_code;     /* the status that made the parser fail */
    uint64_t offset;   /* stream offset of the next byte consume() receives */
    uint64_t line_off; /* stream offset where the spanning line starts */
    uint64_t bytes;
    uint64_t events;
};

/* Keep a small allocation for the next event; give a large one back. Inline, without
 * buf.c, because it runs for every event. */
static inline void recycle(hitl_buf *b)
{
    if (b->cap > SSE_RETAIN) {
        hitl_buf_free(b);
    } else if (b->len) {
        b->len = 0;
        b->ptr[0] = '\0';
    }
}

/* Offset of the first CR or LF in s[0..n), or n. */
static inline size_t find_eol(const char *s, size_t n)
{
    size_t i = 0;
#if defined(__SSE2__)
    if (n >= 16) {
        const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
#define SSE_EOL16(at)                                                                              \
    _mm_or_si128(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(at)), lf),         \
                 _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(at)), cr))
        /* Short lines first: most lines of most streams end within 16 bytes or so. */
        unsigned m = (unsigned)_mm_movemask_epi8(SSE_EOL16(s));
        if (m)
            return (size_t)__builtin_ctz(m);
        for (i = 16; i + 64 <= n; i += 64) {
            __m128i a = SSE_EOL16(s + i), b = SSE_EOL16(s + i + 16);
            __m128i c = SSE_EOL16(s + i + 32), d = SSE_EOL16(s + i + 48);
            if (!_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d))))
                continue;
            uint64_t mm = (uint64_t)(unsigned)_mm_movemask_epi8(a) |
                          (uint64_t)(unsigned)_mm_movemask_epi8(b) << 16 |
                          (uint64_t)(unsigned)_mm_movemask_epi8(c) << 32 |
                          (uint64_t)(unsigned)_mm_movemask_epi8(d) << 48;
            return i + (size_t)__builtin_ctzll(mm);
        }
        for (; i + 16 <= n; i += 16) {
            m = (unsigned)_mm_movemask_epi8(SSE_EOL16(s + i));
            if (m)
                return i + (size_t)__builtin_ctz(m);
        }
        if (i < n) {
            /* The last 16 bytes again, ignoring those already scanned. */
            m = (unsigned)_mm_movemask_epi8(SSE_EOL16(s + n - 16)) >> (16 - (n - i));
            if (m)
                return i + (size_t)__builtin_ctz(m);
        }
        return n;
#undef SSE_EOL16
    }
#else
    /* SWAR: a word has a CR or LF byte iff one of the XORed words has a zero byte. */
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        uint64_t x = w ^ (ones * '\n'), y = w ^ (ones * '\r');
        if (((x - ones) & ~x & highs) | ((y - ones) & ~y & highs))
            break; /* the byte loop below finds which */
    }
#endif
    for (; i < n; i++)
        if (s[i] == '\n' || s[i] == '\r')
            return i;
    return n;
}

SSE_COLD static int nomem(hitl_err *err, const char *what)
{
    return hitl_err_set(err, HITL_E_NOMEM, "out of memory while buffering the SSE %s", what);
}

SSE_COLD static int too_long(const hitl_sse *p, uint64_t line_off, hitl_err *err)
{
    return hitl_err_set(err, HITL_E_TOO_LONG,
                        "SSE line starting at byte offset %llu is longer than max_line "
                        "(%zu bytes); raise max_line if the server's events are this large",
                        (unsigned long long)line_off, p->cfg.max_line);
}

SSE_COLD static int too_big(const hitl_sse *p, uint64_t line_off, hitl_err *err)
{
    return hitl_err_set(err, HITL_E_TOO_BIG,
                        "SSE event data would pass max_data (%zu bytes) with the data "
                        "line starting at byte offset %llu; raise max_data if the "
                        "server's events are this large",
                        p->cfg.max_data, (unsigned long long)line_off);
}

/* Copy pending data (still in the caller's buffer) into `data`, which is empty then. */
static int flush_pending(hitl_sse *p, hitl_err *err)
{
    p->pending = false;
    if (hitl_buf_append(&p->data, p->pend, p->pend_len))
        return nomem(err, "data buffer");
    return HITL_OK;
}

/* Step 1 of dispatch: commit the last event ID string. */
SSE_COLD static int commit_id(hitl_sse *p, hitl_err *err)
{
    hitl_buf_reset(&p->last_id);
    if (hitl_buf_append(&p->last_id, p->id.ptr ? p->id.ptr : "", p->id.len))
        return nomem(err, "last event ID");
    p->id_dirty = false;
    return HITL_OK;
}

SSE_COLD static int stopped(const hitl_sse *p, uint64_t line_off, hitl_err *err)
{
    return hitl_err_set(err, HITL_E_STOPPED,
                        "the event callback stopped the SSE parser at event %llu (blank "
                        "line at byte offset %llu)",
                        (unsigned long long)p->events, (unsigned long long)line_off);
}

/* The standard's "dispatch the event" steps, with step 1 (commit the last event ID
 * string) done before the empty-data check, as the standard orders them. Inline: it runs
 * once per event, and the rare parts are out of line. */
static inline int dispatch(hitl_sse *p, uint64_t line_off, hitl_err *err)
{
    if (p->id_dirty && commit_id(p, err))
        return HITL_E_NOMEM;
    if (!p->has_data && !(p->cfg.dispatch_typed_empty && p->type.len)) {
        recycle(&p->type);
        return HITL_OK;
    }
    hitl_sse_event ev = {
        .type = p->type.len ? p->type.ptr : "message",
        .type_len = p->type.len ? p->type.len : strlen("message"),
        .data = p->pending    ? p->pend
                : p->data.ptr ? p->data.ptr
                              : "",
        .data_len = p->pending ? p->pend_len : p->data.len,
        .id = p->last_id.ptr ? p->last_id.ptr : "",
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
    p->pending = false;
    return stop ? stopped(p, line_off, err) : HITL_OK;
}

/* A data line's value. |in_place|: |v| lies in the caller's buffer of the current feed,
 * so the first data line of an event may stay there (see `pend`). */
static int field_data(hitl_sse *p, const char *v, size_t vlen, uint64_t line_off, bool in_place,
                      hitl_err *err)
{
    if (!p->has_data && in_place) {
        /* data is empty here: has_data is false only before an event's first data line */
        if (vlen > p->cfg.max_data)
            return too_big(p, line_off, err);
        p->pend = v;
        p->pend_len = vlen;
        p->pending = true;
        p->has_data = true;
        return HITL_OK;
    }
    if (p->pending && flush_pending(p, err))
        return HITL_E_NOMEM;
    size_t need = vlen + (p->has_data ? 1 : 0);
    if (need > p->cfg.max_data - p->data.len)
        return too_big(p, line_off, err);
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

/* One complete line, without its line end. |in_place|: |line| is in the caller's buffer. */
static int process_line(hitl_sse *p, const char *line, size_t len, uint64_t line_off, bool in_place,
                        hitl_err *err)
{
    if (len == 0)
        return dispatch(p, line_off, err);
    if (len >= 5 && !memcmp(line, "data:", 5)) { /* the commonest line, checked first */
        const char *v = line + 5;
        size_t vlen = len - 5;
        if (vlen && v[0] == ' ') {
            v++;
            vlen--;
        }
        return field_data(p, v, vlen, line_off, in_place, err);
    }
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
        return field_data(p, v, vlen, line_off, in_place, err);
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

/* Append |n| bytes of a spanning data line's value to `data`; |lf| first adds the joining
 * LF. Past max_data nothing more is kept: the line fails with HITL_E_TOO_BIG when it ends
 * (only then, so that max_line, checked first, and an unterminated last line behave as
 * they do for a line parsed whole). */
static int span_keep(hitl_sse *p, bool lf, const char *s, size_t n, hitl_err *err)
{
    if (p->span_over)
        return HITL_OK;
    if (n + (lf ? 1 : 0) > p->cfg.max_data - p->data.len) {
        p->span_over = true;
        return HITL_OK;
    }
    if ((lf && hitl_buf_append(&p->data, "\n", 1)) || hitl_buf_append(&p->data, s, n))
        return nomem(err, "data buffer");
    return HITL_OK;
}

/* More bytes of a spanning data line (span_data), checked against max_line. */
static int span_more(hitl_sse *p, const char *s, size_t n, hitl_err *err)
{
    if (n > p->cfg.max_line - p->span_len)
        return too_long(p, p->line_off, err);
    p->span_len += n;
    return span_keep(p, false, s, n, err);
}

/* The held head of a line is a data field: move its value into `data` and switch the
 * line to span_data. */
static int start_span_data(hitl_sse *p, hitl_err *err)
{
    if (p->pending && flush_pending(p, err))
        return HITL_E_NOMEM;
    size_t skip = p->line.ptr[5] == ' ' ? 6 : 5;
    bool lf = p->has_data;
    p->span_data = true;
    p->span_over = false;
    p->span_len = p->line.len;
    p->has_data = true;
    int rc = span_keep(p, lf, p->line.ptr + skip, p->line.len - skip, err);
    recycle(&p->line);
    return rc;
}

/* Start or extend the line that continues in the next feed. */
static int hold(hitl_sse *p, const char *s, size_t n, uint64_t off, hitl_err *err)
{
    if (p->span_data)
        return span_more(p, s, n, err);
    if (p->line.len == 0)
        p->line_off = off;
    if (n > p->cfg.max_line - p->line.len)
        return too_long(p, p->line_off, err);
    if (p->line.len < SSE_DATA_HEAD && n >= SSE_DATA_HEAD - p->line.len) {
        /* The head is complete with these bytes: hold only up to it, and if it is a data
         * field send the rest straight into `data` (a long data line then never grows
         * `line`). */
        size_t k = SSE_DATA_HEAD - p->line.len;
        if (hitl_buf_append(&p->line, s, k))
            return nomem(err, "line buffer");
        if (!memcmp(p->line.ptr, "data:", 5)) {
            int rc = start_span_data(p, err);
            return rc ? rc : span_more(p, s + k, n - k, err);
        }
        s += k;
        n -= k;
    }
    return hitl_buf_append(&p->line, s, n) ? nomem(err, "line buffer") : HITL_OK;
}

/* The spanning line ends with |n| more bytes: complete and process it. */
static int end_span(hitl_sse *p, const char *s, size_t n, hitl_err *err)
{
    if (p->span_data) {
        int rc = span_more(p, s, n, err);
        p->span_data = false;
        if (rc)
            return rc;
        return p->span_over ? too_big(p, p->line_off, err) : HITL_OK;
    }
    if (n > p->cfg.max_line - p->line.len)
        return too_long(p, p->line_off, err);
    if (hitl_buf_append(&p->line, s, n))
        return nomem(err, "line buffer");
    int rc = process_line(p, p->line.ptr, p->line.len, p->line_off, false, err);
    recycle(&p->line);
    return rc;
}

/* Split |n| bytes (BOM handling already done) into lines and process them. */
static int consume(hitl_sse *p, const char *buf, size_t n, hitl_err *err)
{
    size_t i = 0;
    int rc = HITL_OK;

    if (n && p->skip_lf) {
        p->skip_lf = false;
        if (buf[0] == '\n')
            i = 1;
    }
    if (i < n && (p->line.len || p->span_data)) {
        size_t eol = i + find_eol(buf + i, n - i);
        if (eol == n) {
            rc = hold(p, buf + i, n - i, p->offset + i, err);
            i = n;
            goto out;
        }
        rc = end_span(p, buf + i, eol - i, err);
        i = eol + 1;
        if (buf[eol] == '\r') {
            if (i == n)
                p->skip_lf = true;
            else if (buf[i] == '\n')
                i++;
        }
        if (rc)
            goto out;
    }
    while (i < n) {
        size_t len = find_eol(buf + i, n - i);
        if (len == n - i) {
            rc = hold(p, buf + i, len, p->offset + i, err);
            i = n;
            break;
        }
        const char *line = buf + i;
        uint64_t line_off = p->offset + i;
        if (len > p->cfg.max_line) {
            rc = too_long(p, line_off, err);
            break;
        }
        size_t eol = i + len;
        i = eol + 1;
        if (buf[eol] == '\r') {
            if (i == n)
                p->skip_lf = true;
            else if (buf[i] == '\n')
                i++;
        }
        /* The two commonest lines, inline: the blank line, and an event's first data line
         * (kept in place, as field_data would). Everything else: process_line. */
        if (len == 0) {
            rc = dispatch(p, line_off, err);
        } else if (!p->has_data && len >= 5 && !memcmp(line, "data:", 5)) {
            size_t skip = len > 5 && line[5] == ' ' ? 6 : 5;
            if (len - skip > p->cfg.max_data) {
                rc = too_big(p, line_off, err);
            } else {
                p->pend = line + skip;
                p->pend_len = len - skip;
                p->pending = true;
                p->has_data = true;
            }
        } else {
            rc = process_line(p, line, len, line_off, true, err);
        }
        if (rc)
            break;
    }
out:
    /* |buf| is not ours past this call: pending data moves into `data` now (after an
     * error the parser is terminal and the data is never dispatched). */
    if (p->pending) {
        if (rc)
            p->pending = false;
        else
            rc = flush_pending(p, err);
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

static inline size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* How many 1-byte feeds of non-line-end bytes may go straight into a buffer from here:
 * bytes that start or continue a line, up to the byte completing the line's head (it goes
 * the general way, which checks for a data field) and up to every cap; bytes of a data line
 * being spanned (span_data) while they are kept. 0 when the next byte needs the general
 * path. Run at the end of every general feed. */
static void set_fast_room(hitl_sse *p)
{
    p->fast_room = 0;
    if (p->state != SSE_OPEN || !p->bom_done || p->skip_lf)
        return;
    if (p->span_data) {
        if (p->span_over || p->span_len >= p->cfg.max_line || p->data.len >= p->cfg.max_data)
            return;
        p->fast_buf = &p->data;
        p->fast_room = min_size(min_size(p->cfg.max_line - p->span_len, p->data.cap - p->data.len),
                                p->cfg.max_data - p->data.len);
        return;
    }
    size_t len = p->line.len, limit = min_size(p->line.cap, p->cfg.max_line);
    if (len < SSE_DATA_HEAD)
        limit = min_size(limit, SSE_DATA_HEAD - 1);
    if (len >= limit)
        return;
    if (len == 0)
        p->line_off = p->offset; /* the next byte starts a line, as hold() would note */
    p->fast_buf = &p->line;
    p->fast_room = limit - len;
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

/* hitl_sse_feed without the 1-byte fast path; out of line so that the fast path needs
 * no stack frame. */
__attribute__((noinline)) static int feed_general(hitl_sse *p, const void *buf, size_t len,
                                                  hitl_err *err)
{
    int rc = check_callable(p, "hitl_sse_feed", err);
    if (rc)
        return rc;
    if (!buf && len)
        return hitl_err_set(err, HITL_E_ARG, "hitl_sse_feed: buf is NULL but len is %zu", len);
    p->fast_room = 0; /* callbacks may feed: they must get the general path's refusal */
    p->bytes += len;
    rc = feed_bytes(p, buf, len, err);
    if (rc) {
        p->state = SSE_FAILED;
        p->fail_code = rc;
    }
    set_fast_room(p);
    return rc;
}

int hitl_sse_feed(hitl_sse *p, const void *buf, size_t len, hitl_err *err)
{
    /* One byte per call (a client reading a socket byte-wise) would otherwise pay the whole
     * general path for every byte. */
    if (len == 1 && p && p->fast_room && buf) {
        char c = *(const char *)buf;
        if (!SSE_EOL_BYTE[(unsigned char)c]) {
            hitl_buf *b = p->fast_buf;
            b->ptr[b->len++] = c;
            b->ptr[b->len] = '\0';
            p->fast_room--;
            p->span_len += p->span_data; /* span_len counts only while span_data */
            p->bytes++;
            p->offset++;
            return HITL_OK;
        }
    }
    return feed_general(p, buf, len, err);
}

int hitl_sse_finish(hitl_sse *p, hitl_err *err)
{
    int rc = check_callable(p, "hitl_sse_finish", err);
    if (rc)
        return rc;
    /* A held BOM prefix, a partial line and an open event are all unterminated: dropped. */
    p->state = SSE_FINISHED;
    p->fast_room = 0;
    hitl_buf_free(&p->line);
    hitl_buf_free(&p->data);
    hitl_buf_free(&p->type);
    p->has_data = false;
    p->pending = false;
    p->span_data = false;
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
