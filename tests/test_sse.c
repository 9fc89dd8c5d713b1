/* test_sse.c: the SSE parser (harness/src/parsers/sse.c) against the WHATWG HTML "interpreting an
 * event stream" rules, one named case per rule. Every case runs under every chunking of
 * its input (whole, each single split point, each pair of split points, 1-byte chunks) and
 * must give the exact expected record of events, retries, final status and message. */
#include "check_main.h"
#include <check.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hitl/buf.h"
#include "hitl/sse.h"

/* ---- the recorder: a canonical string of everything the parser reported ---------- */

/* "E<len>:<type><len>:<data><len>:<id>;" per event, "R<ms>;" per retry, and at the end
 * "S<status name>". Length prefixes keep data with ';' or NUL unambiguous. */
typedef struct recorder {
    hitl_buf out;
    hitl_sse *p;
    int stop_at; /* stop when the stop_at-th record (event or retry) is reported; 0 never */
    int n;
} recorder;

#define REC_MAX ((size_t)64 << 20)

static void rec_field(hitl_buf *b, const char *s, size_t n)
{
    ck_assert_int_eq(hitl_buf_printf(b, "%zu:", n), 0);
    ck_assert_int_eq(hitl_buf_append(b, s, n), 0);
}

static void rec_event_to(hitl_buf *b, const char *t, size_t tl, const char *d, size_t dl,
                         const char *i, size_t il)
{
    ck_assert_int_eq(hitl_buf_append(b, "E", 1), 0);
    rec_field(b, t, tl);
    rec_field(b, d, dl);
    rec_field(b, i, il);
    ck_assert_int_eq(hitl_buf_append(b, ";", 1), 0);
}

static int rec_event(void *user, const hitl_sse_event *ev)
{
    recorder *r = user;
    /* The header's promises about every event (data is not NUL-terminated). */
    ck_assert_ptr_nonnull(ev->data);
    ck_assert_int_eq(ev->type[ev->type_len], '\0');
    ck_assert_int_eq(ev->id[ev->id_len], '\0');
    ck_assert_uint_gt(ev->type_len, 0);
    ck_assert_str_eq(hitl_sse_last_id(r->p), ev->id);
    rec_event_to(&r->out, ev->type, ev->type_len, ev->data, ev->data_len, ev->id, ev->id_len);
    return ++r->n == r->stop_at;
}

static int rec_retry(void *user, uint64_t ms)
{
    recorder *r = user;
    ck_assert_int_eq(hitl_buf_printf(&r->out, "R%llu;", (unsigned long long)ms), 0);
    return ++r->n == r->stop_at;
}

/* Printable form of a record for failure messages. Returns a static-size string owned by
 * the caller's buffer. */
static const char *escaped(const char *s, size_t n, char *dst, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 5 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7F && c != '\\') {
            dst[k++] = (char)c;
        } else {
            k += (size_t)snprintf(dst + k, cap - k, "\\x%02x", c);
        }
    }
    dst[k < cap ? k : cap - 1] = '\0';
    return dst;
}

/* ---- the case table ------------------------------------------------------------------ */

enum { K_END = 0, K_EVENT, K_RETRY };

typedef struct exp_rec {
    int kind;
    const char *type;
    size_t type_len;
    const char *data;
    size_t data_len;
    const char *id;
    size_t id_len;
    uint64_t retry;
} exp_rec;

#define EV(t, d, i)                                                                                \
    {                                                                                              \
        K_EVENT, t, sizeof(t) - 1, d, sizeof(d) - 1, i, sizeof(i) - 1, 0                           \
    }
#define RETRY(n)                                                                                   \
    {                                                                                              \
        K_RETRY, NULL, 0, NULL, 0, NULL, 0, n                                                      \
    }
#define IN(s) .in = s, .in_len = sizeof(s) - 1
#define MAX_EXP 8

typedef struct sse_case {
    const char *name;
    const char *in;
    size_t in_len;
    exp_rec exp[MAX_EXP];
    int status;             /* of the failing feed, else of finish */
    size_t max_line;        /* 0 = default */
    size_t max_data;        /* 0 = default */
    int stop_at;            /* see recorder */
    const char *last_id;    /* hitl_sse_last_id at the end; NULL = not checked */
    const char *msg_has[2]; /* substrings the error message must contain */
    bool typed_empty;       /* hitl_sse_config.dispatch_typed_empty */
} sse_case;

static const sse_case CASES[] = {
    /* BOM (the standard's UTF-8 decode step strips one leading BOM). */
    {.name = "bom_skipped_once",
     IN("\xEF\xBB\xBF"
        "data: a\n\n"),
     .exp = {EV("message", "a", "")}},
    {.name = "bom_only_at_start",
     IN("data: a\n\n\xEF\xBB\xBF"
        "data: b\n\n"),
     .exp = {EV("message", "a", "")}},
    {.name = "second_bom_is_content",
     IN("\xEF\xBB\xBF\xEF\xBB\xBF"
        "data: a\n\n"
        "data: \xEF\xBB\xBFx\n\n"),
     .exp = {EV("message", "\xEF\xBB\xBFx", "")}},
    {.name = "bom_prefix_is_content",
     IN("\xEF\xBB"
        "data: a\n\n\xEF"
        "data: b\n\n"
        "data: c\n\n"),
     .exp = {EV("message", "c", "")}},
    {.name = "bom_prefix_counts_toward_line_cap",
     IN("\xEF\xBB"
        "abc\n"),
     .status = HITL_E_TOO_LONG,
     .max_line = 4,
     .msg_has = {"byte offset 0 ", "max_line (4 bytes)"}},
    {.name = "bom_not_counted_in_line",
     IN("\xEF\xBB\xBF"
        "data\n\nabcde\n"),
     .exp = {EV("message", "", "")},
     .status = HITL_E_TOO_LONG,
     .max_line = 4,
     .msg_has = {"byte offset 9 ", "max_line (4 bytes)"}},
    {.name = "bom_alone", IN("\xEF\xBB\xBF")},

    /* Line ends. */
    {.name = "lf_line_ends",
     IN("data: a\n\ndata: b\n\n"),
     .exp = {EV("message", "a", ""), EV("message", "b", "")}},
    {.name = "crlf_line_ends",
     IN("data: a\r\ndata: b\r\n\r\n"),
     .exp = {EV("message", "a\nb", "")}},
    {.name = "cr_only_line_ends",
     IN("data: a\rdata: b\r\rdata: c\r\r"),
     .exp = {EV("message", "a\nb", ""), EV("message", "c", "")}},
    /* A split between CR and LF must not turn the LF into a blank line (which would
     * dispatch "a" alone and then "b"). */
    {.name = "crlf_split_across_chunks",
     IN("data: a\r\ndata: b\r\n\r\n"),
     .exp = {EV("message", "a\nb", "")}},
    {.name = "mixed_line_ends",
     IN("data: a\r\ndata: b\rdata: c\n\r\n"),
     .exp = {EV("message", "a\nb\nc", "")}},
    {.name = "lf_then_cr_is_two_line_ends",
     IN("data: a\n\rdata: b\n\n"),
     .exp = {EV("message", "a", ""), EV("message", "b", "")}},
    {.name = "cr_at_end_of_stream_ends_line", IN("data: a\r\r"), .exp = {EV("message", "a", "")}},
    {.name = "blank_lines_only", IN("\n\n\r\n\r\r\n")},
    {.name = "empty_stream", .in = "", .in_len = 0},

    /* Comments and field parsing. */
    {.name = "comment_ignored",
     IN(": comment\ndata: a\n:data: b\n: another\n\n"),
     .exp = {EV("message", "a", "")}},
    {.name = "comment_only_block_dispatches_nothing",
     IN(": keep-alive\n\ndata: a\n\n"),
     .exp = {EV("message", "a", "")}},
    {.name = "field_without_colon", IN("data\n\n"), .exp = {EV("message", "", "")}},
    {.name = "field_without_colon_event_is_empty",
     IN("event: x\nevent\ndata: a\n\n"),
     .exp = {EV("message", "a", "")}},
    {.name = "one_leading_space_removed",
     IN("data:  a\ndata: b\n\n"),
     .exp = {EV("message", " a\nb", "")}},
    {.name = "no_space_after_colon", IN("data:a\n\n"), .exp = {EV("message", "a", "")}},
    {.name = "tab_after_colon_kept", IN("data:\ta\n\n"), .exp = {EV("message", "\ta", "")}},
    {.name = "value_keeps_later_colons",
     IN("data: a: b:c\n\n"),
     .exp = {EV("message", "a: b:c", "")}},
    {.name = "trailing_space_kept", IN("data: a \n\n"), .exp = {EV("message", "a ", "")}},
    {.name = "unknown_field_ignored",
     IN("foo: bar\nDATA: x\nData: y\ndata : z\ndatas: w\ndata: a\n\n"),
     .exp = {EV("message", "a", "")}},

    /* The data buffer. */
    {.name = "data_lines_joined_with_lf",
     IN("data: a\ndata:\ndata: b\n\n"),
     .exp = {EV("message", "a\n\nb", "")}},
    {.name = "final_lf_removed_once", IN("data\ndata\n\n"), .exp = {EV("message", "\n", "")}},
    {.name = "empty_data_dispatches_nothing",
     IN("event: x\n\nid: 1\n\ndata: a\n\n"),
     .exp = {EV("message", "a", "1")}},
    /* The opt-in departure: a typed block without data (Dify's `event: ping`). */
    {.name = "typed_empty_dispatches_ping",
     IN("event: ping\n\ndata: a\n\nevent: ping\r\n\r\n"),
     .exp = {EV("ping", "", ""), EV("message", "a", ""), EV("ping", "", "")},
     .typed_empty = true},
    {.name = "typed_empty_untyped_blocks_still_dispatch_nothing",
     IN("id: 1\n\n: c\n\nevent:\n\nevent: x\nevent:\n\ndata: a\n\n"),
     .exp = {EV("message", "a", "1")},
     .typed_empty = true},
    {.name = "typed_empty_keeps_empty_data_line",
     IN("event: ping\ndata:\n\n"),
     .exp = {EV("ping", "", "")},
     .typed_empty = true},
    {.name = "nul_in_data_kept", IN("data: a\0b\n\n"), .exp = {EV("message", "a\0b", "")}},
    {.name = "non_utf8_bytes_passed_through",
     IN("event: \xC3\xA9\ndata: \xFF\xFE\n\n"),
     .exp = {EV("\xC3\xA9", "\xFF\xFE", "")}},

    /* The event type buffer. */
    {.name = "event_type_set", IN("event: add\ndata: 1\n\n"), .exp = {EV("add", "1", "")}},
    {.name = "event_type_resets_after_dispatch",
     IN("event: add\ndata: 1\n\ndata: 2\n\n"),
     .exp = {EV("add", "1", ""), EV("message", "2", "")}},
    {.name = "empty_event_value_means_message",
     IN("event: add\nevent:\ndata: 1\n\n"),
     .exp = {EV("message", "1", "")}},
    {.name = "last_event_field_wins",
     IN("event: a\nevent: b\ndata: x\n\n"),
     .exp = {EV("b", "x", "")}},

    /* The last event ID. */
    {.name = "last_id_persists",
     IN("id: 1\ndata: a\n\ndata: b\n\n"),
     .exp = {EV("message", "a", "1"), EV("message", "b", "1")},
     .last_id = "1"},
    {.name = "id_after_data_applies_to_event",
     IN("data: a\nid: 5\n\n"),
     .exp = {EV("message", "a", "5")},
     .last_id = "5"},
    {.name = "empty_id_resets",
     IN("id: 1\ndata: a\n\nid\ndata: b\n\nid: 2\ndata: c\n\nid:\ndata: d\n\n"),
     .exp = {EV("message", "a", "1"), EV("message", "b", ""), EV("message", "c", "2"),
             EV("message", "d", "")},
     .last_id = ""},
    {.name = "nul_in_id_ignored",
     IN("id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n"),
     .exp = {EV("message", "a", "1"), EV("message", "b", "1")},
     .last_id = "1"},
    {.name = "id_committed_by_empty_dispatch", IN("id: 9\n\n"), .last_id = "9"},
    {.name = "id_of_unclosed_event_not_committed",
     IN("id: 1\ndata: a\n\nid: 2\ndata: b\n"),
     .exp = {EV("message", "a", "1")},
     .last_id = "1"},

    /* retry. */
    {.name = "retry_digits_reported", IN("retry: 1500\nretry:0\n"), .exp = {RETRY(1500), RETRY(0)}},
    {.name = "retry_non_digit_ignored",
     IN("retry: 15a\nretry: -1\nretry: 1.5\nretry: \nretry\nretry:  7\nretry: +3\n")},
    {.name = "retry_overflow_saturates",
     IN("retry: 99999999999999999999\n"),
     .exp = {RETRY(UINT64_MAX)}},
    {.name = "retry_needs_no_blank_line", IN("retry: 5\ndata: a\n"), .exp = {RETRY(5)}},

    /* End of stream. */
    {.name = "unterminated_event_not_dispatched",
     IN("data: a\n\ndata: b\n"),
     .exp = {EV("message", "a", "")}},
    {.name = "unterminated_final_line_discarded",
     IN("data: a\n\nretry: 100"),
     .exp = {EV("message", "a", "")}},

    /* Callbacks. */
    {.name = "callback_stop_returns_stopped",
     IN("data: a\n\ndata: b\n\n"),
     .exp = {EV("message", "a", "")},
     .status = HITL_E_STOPPED,
     .stop_at = 1,
     .msg_has = {"event 1 ", "byte offset 8)"}},
    {.name = "retry_callback_stop_returns_stopped",
     IN("retry: 5\ndata: a\n\n"),
     .exp = {RETRY(5)},
     .status = HITL_E_STOPPED,
     .stop_at = 1,
     .msg_has = {"retry line at byte offset 0"}},

    /* Caps. */
    {.name = "line_cap_exact_fits",
     IN("data: a\r\n\r\n"),
     .exp = {EV("message", "a", "")},
     .max_line = 7},
    {.name = "line_cap_hit",
     IN("data: 12\n\ndata: 123\n\n"),
     .exp = {EV("message", "12", "")},
     .status = HITL_E_TOO_LONG,
     .max_line = 8,
     .msg_has = {"byte offset 10 ", "max_line (8 bytes)"}},
    {.name = "line_cap_hit_without_line_end",
     IN("data: a\n\ndata: abc"),
     .exp = {EV("message", "a", "")},
     .status = HITL_E_TOO_LONG,
     .max_line = 8,
     .msg_has = {"byte offset 9 ", "max_line (8 bytes)"}},
    {.name = "data_cap_exact_fits",
     IN("data: a\ndata: b\n\n"),
     .exp = {EV("message", "a\nb", "")},
     .max_data = 3},
    {.name = "data_cap_hit",
     IN("data: abc\n\ndata: ab\ndata: c\n\n"),
     .exp = {EV("message", "abc", "")},
     .status = HITL_E_TOO_BIG,
     .max_data = 3,
     .msg_has = {"byte offset 20", "max_data (3 bytes)"}},
    {.name = "data_cap_counts_joining_lf",
     IN("data\ndata\ndata\n\n"),
     .status = HITL_E_TOO_BIG,
     .max_data = 1,
     .msg_has = {"byte offset 10", "max_data (1 bytes)"}},
    /* A data line past both caps fails on max_line, as a line parsed whole does, even
     * when its bytes go into the data buffer as they arrive. */
    {.name = "line_cap_checked_before_data_cap",
     IN("data: a\n\ndata: abcdefgh\n\n"),
     .exp = {EV("message", "a", "")},
     .status = HITL_E_TOO_LONG,
     .max_line = 10,
     .max_data = 2,
     .msg_has = {"byte offset 9 ", "max_line (10 bytes)"}},
    /* An unterminated last data line is discarded, even one already past max_data. */
    {.name = "unterminated_data_line_past_data_cap_discarded",
     IN("data: a\n\ndata: x\ndata: abcdef"),
     .exp = {EV("message", "a", "")},
     .max_data = 3},
};

#define NCASES (sizeof CASES / sizeof CASES[0])

static void expected_record(const sse_case *c, hitl_buf *b)
{
    for (size_t i = 0; i < MAX_EXP && c->exp[i].kind != K_END; i++) {
        const exp_rec *e = &c->exp[i];
        if (e->kind == K_EVENT)
            rec_event_to(b, e->type, e->type_len, e->data, e->data_len, e->id, e->id_len);
        else
            ck_assert_int_eq(hitl_buf_printf(b, "R%llu;", (unsigned long long)e->retry), 0);
    }
    ck_assert_int_eq(hitl_buf_printf(b, "S%s", hitl_status_name(c->status)), 0);
}

/* Feeds |in| cut at the ascending offsets |cuts| (each piece may be empty), then finishes.
 * Appends the record to |out| and checks the terminal-state rules on the way. */
static void run_chunked(const sse_case *c, const char *in, size_t n, const size_t *cuts,
                        size_t ncuts, hitl_buf *out, hitl_err *err)
{
    recorder r = {.stop_at = c->stop_at};
    r.out = *out;
    hitl_sse_config cfg = {.max_line = c->max_line,
                           .max_data = c->max_data,
                           .on_event = rec_event,
                           .on_retry = rec_retry,
                           .user = &r,
                           .dispatch_typed_empty = c->typed_empty};
    ck_assert_int_eq(hitl_sse_new(&r.p, &cfg, err), 0);
    int rc = 0;
    size_t at = 0;
    for (size_t k = 0; k <= ncuts && !rc; k++) {
        size_t to = k < ncuts ? cuts[k] : n;
        rc = hitl_sse_feed(r.p, in + at, to - at, err);
        at = to;
    }
    if (rc) {
        hitl_err again = {0};
        ck_assert_int_eq(hitl_sse_feed(r.p, "\n\n", 2, &again), HITL_E_STATE);
        ck_assert_int_eq(hitl_sse_finish(r.p, &again), HITL_E_STATE);
    } else {
        rc = hitl_sse_finish(r.p, err);
        hitl_err again = {0};
        ck_assert_int_eq(hitl_sse_feed(r.p, "data: z\n\n", 9, &again), HITL_E_STATE);
    }
    if (c->last_id)
        ck_assert_str_eq(hitl_sse_last_id(r.p), c->last_id);
    hitl_sse_free(r.p);
    ck_assert_int_eq(hitl_buf_printf(&r.out, "S%s", hitl_status_name(rc)), 0);
    *out = r.out;
}

static void check_chunking(const sse_case *c, const hitl_buf *want, const size_t *cuts,
                           size_t ncuts, const char *how)
{
    hitl_buf got;
    hitl_buf_init(&got, REC_MAX);
    hitl_err err = {0};
    run_chunked(c, c->in, c->in_len, cuts, ncuts, &got, &err);
    if (got.len != want->len || memcmp(got.ptr, want->ptr, got.len) != 0) {
        char a[2048], b[2048];
        ck_abort_msg("%s, %s (cuts %zu,%zu): got %s, want %s", c->name, how,
                     ncuts > 0 ? cuts[0] : 0, ncuts > 1 ? cuts[1] : 0,
                     escaped(got.ptr, got.len, a, sizeof a),
                     escaped(want->ptr, want->len, b, sizeof b));
    }
    for (size_t i = 0; i < 2 && c->msg_has[i]; i++)
        ck_assert_msg(strstr(err.msg, c->msg_has[i]) != NULL, "%s, %s: message '%s' lacks '%s'",
                      c->name, how, err.msg, c->msg_has[i]);
    hitl_buf_free(&got);
}

/* Inputs up to this long also run with every pair of split points. */
#define PAIR_SPLIT_MAX 160

START_TEST(whatwg_case)
{
    const sse_case *c = &CASES[_i];
    size_t n = c->in_len;
    hitl_buf want;
    hitl_buf_init(&want, REC_MAX);
    expected_record(c, &want);

    check_chunking(c, &want, NULL, 0, "whole");
    for (size_t i = 0; i <= n; i++)
        check_chunking(c, &want, (size_t[]){i}, 1, "one split");
    size_t *bytes = malloc((n + 1) * sizeof *bytes);
    ck_assert_ptr_nonnull(bytes);
    for (size_t i = 0; i < n; i++)
        bytes[i] = i + 1;
    check_chunking(c, &want, bytes, n ? n - 1 : 0, "1-byte chunks");
    free(bytes);
    hitl_buf_free(&want);
}
END_TEST

/* Every pair of split points of every case: cubic, so its own test case (whatwg_two_splits),
 * tagged `exhaustive`: the valgrind run leaves it out, its one-split and 1-byte feeds cross
 * every offset already. */
START_TEST(whatwg_pairs)
{
    const sse_case *c = &CASES[_i];
    size_t n = c->in_len;
    hitl_buf want;
    hitl_buf_init(&want, REC_MAX);
    expected_record(c, &want);
    ck_assert_uint_le(n, PAIR_SPLIT_MAX);
    for (size_t i = 0; i <= n; i++)
        for (size_t j = i; j <= n; j++)
            check_chunking(c, &want, (size_t[]){i, j}, 2, "two splits");
    hitl_buf_free(&want);
}
END_TEST

/* ---- beyond the table ---------------------------------------------------------------- */

static int count_event(void *user, const hitl_sse_event *ev)
{
    (void)ev;
    (*(uint64_t *)user)++;
    return 0;
}

/* The constant-memory promise: 100k events, some of them 200 KiB, fed in chunks that cut
 * lines; the parser's heap must stay below a fixed bound whatever came before. */
START_TEST(memory_constant_on_endless_stream)
{
    uint64_t seen = 0;
    hitl_sse_config cfg = {.on_event = count_event, .user = &seen};
    hitl_sse *p = NULL;
    hitl_err err = {0};
    ck_assert_int_eq(hitl_sse_new(&p, &cfg, &err), 0);

    hitl_buf block, big;
    hitl_buf_init(&block, (size_t)1 << 20);
    hitl_buf_init(&big, (size_t)1 << 20);
    for (int i = 0; i < 1000; i++)
        ck_assert_int_eq(hitl_buf_printf(&block,
                                         "id: %d\r\nevent: node_started\r\ndata: "
                                         "{\"event\": \"node_started\", \"n\": %d}\r\n\r\n",
                                         i, i),
                         0);
    ck_assert_int_eq(hitl_buf_append_str(&big, "data: "), 0);
    for (int i = 0; i < 200 * 1024 / 8; i++)
        ck_assert_int_eq(hitl_buf_append(&big, "01234567", 8), 0);
    ck_assert_int_eq(hitl_buf_append_str(&big, "\n\n"), 0);

    /* Five buffers of at most 64 KiB kept each, plus the struct. */
    const size_t bound = 5 * ((size_t)64 * 1024 + 1) + 1024;
    size_t after_warmup = 0;
    for (int round = 0; round < 100; round++) {
        const hitl_buf *src = round % 10 == 5 ? &big : &block;
        for (int rep = 0; rep < (src == &big ? 2 : 1); rep++) {
            for (size_t at = 0; at < src->len; at += 777) {
                size_t len = src->len - at < 777 ? src->len - at : 777;
                ck_assert_int_eq(hitl_sse_feed(p, src->ptr + at, len, &err), 0);
            }
        }
        if (src == &big)
            ck_assert_int_eq(hitl_sse_feed(p, block.ptr, block.len, &err), 0);
        size_t mem = hitl_sse_mem(p);
        ck_assert_uint_le(mem, bound);
        if (round == 0)
            after_warmup = mem;
        else
            ck_assert_uint_le(mem, after_warmup);
    }
    ck_assert_int_eq(hitl_sse_finish(p, &err), 0);
    ck_assert_uint_eq(seen, 100 * 1000 + 10 * 2);
    ck_assert_uint_eq(hitl_sse_events(p), seen);
    ck_assert_uint_eq(hitl_sse_bytes(p), 100 * block.len + 10 * (2 * big.len));
    ck_assert_str_eq(hitl_sse_last_id(p), "999");
    hitl_sse_free(p);
    hitl_buf_free(&block);
    hitl_buf_free(&big);
}
END_TEST

/* An endless line must fail at max_line without being buffered past it. */
START_TEST(endless_line_fails_at_cap)
{
    hitl_sse_config cfg = {.max_line = 100000};
    hitl_sse *p = NULL;
    hitl_err err = {0};
    ck_assert_int_eq(hitl_sse_new(&p, &cfg, &err), 0);
    char chunk[1000];
    memset(chunk, 'x', sizeof chunk);
    int rc = 0;
    int fed = 0;
    while (!rc && fed < 1000) {
        rc = hitl_sse_feed(p, chunk, sizeof chunk, &err);
        fed++;
        ck_assert_uint_le(hitl_sse_mem(p), 2 * 100000 + 4096);
    }
    ck_assert_int_eq(rc, HITL_E_TOO_LONG);
    ck_assert_int_eq(fed, 101);
    ck_assert_ptr_nonnull(strstr(err.msg, "byte offset 0 "));
    hitl_sse_free(p);
}
END_TEST

static int reenter(void *user, const hitl_sse_event *ev)
{
    (void)ev;
    hitl_sse *p = *(hitl_sse **)user;
    hitl_err err = {0};
    ck_assert_int_eq(hitl_sse_feed(p, "data: x\n\n", 9, &err), HITL_E_STATE);
    ck_assert_int_eq(hitl_sse_finish(p, &err), HITL_E_STATE);
    ck_assert_ptr_nonnull(strstr(err.msg, "inside an SSE callback"));
    return 0;
}

START_TEST(feed_from_callback_refused)
{
    hitl_sse *p = NULL;
    hitl_sse_config cfg = {.on_event = reenter, .user = &p};
    hitl_err err = {0};
    ck_assert_int_eq(hitl_sse_new(&p, &cfg, &err), 0);
    ck_assert_int_eq(hitl_sse_feed(p, "data: a\n\ndata: b\n\n", 18, &err), 0);
    ck_assert_uint_eq(hitl_sse_events(p), 2);
    ck_assert_int_eq(hitl_sse_finish(p, &err), 0);
    hitl_sse_free(p);
}
END_TEST

static int reenter_one_byte(void *user, const hitl_sse_event *ev)
{
    (void)ev;
    hitl_sse *p = *(hitl_sse **)user;
    hitl_err err = {0};
    ck_assert_int_eq(hitl_sse_feed(p, "x", 1, &err), HITL_E_STATE);
    ck_assert_ptr_nonnull(strstr(err.msg, "inside an SSE callback"));
    return 0;
}

/* The 1-byte fast path must refuse a callback's feed too. The event's last line arrives a
 * byte at a time (so the fast path has room to store bytes when the callback runs), and its
 * end with the blank line in one feed. */
START_TEST(one_byte_feed_from_callback_refused)
{
    hitl_sse *p = NULL;
    hitl_sse_config cfg = {.on_event = reenter_one_byte, .user = &p};
    hitl_err err = {0};
    ck_assert_int_eq(hitl_sse_new(&p, &cfg, &err), 0);
    for (const char *c = "data: 1234567"; *c; c++)
        ck_assert_int_eq(hitl_sse_feed(p, c, 1, &err), 0);
    ck_assert_int_eq(hitl_sse_feed(p, "\n\n", 2, &err), 0);
    ck_assert_uint_eq(hitl_sse_events(p), 1);
    ck_assert_int_eq(hitl_sse_finish(p, &err), 0);
    hitl_sse_free(p);
}
END_TEST

START_TEST(bad_arguments_refused)
{
    hitl_sse *p = NULL;
    hitl_err err = {0};
    hitl_sse_config cfg = {0};
    ck_assert_int_eq(hitl_sse_new(NULL, &cfg, &err), HITL_E_ARG);
    ck_assert_int_eq(hitl_sse_new(&p, NULL, &err), HITL_E_ARG);
    cfg.max_data = SIZE_MAX;
    ck_assert_int_eq(hitl_sse_new(&p, &cfg, &err), HITL_E_ARG);
    ck_assert_ptr_null(p);
    ck_assert_ptr_nonnull(strstr(err.msg, "max_data"));
    cfg.max_data = 0;
    ck_assert_int_eq(hitl_sse_new(&p, &cfg, &err), 0);
    ck_assert_int_eq(hitl_sse_feed(p, NULL, 1, &err), HITL_E_ARG);
    ck_assert_int_eq(hitl_sse_feed(p, NULL, 0, &err), 0); /* not terminal: still usable */
    ck_assert_int_eq(hitl_sse_feed(NULL, "x", 1, &err), HITL_E_ARG);
    ck_assert_int_eq(hitl_sse_finish(p, &err), 0);
    ck_assert_int_eq(hitl_sse_finish(p, &err), HITL_E_STATE);
    ck_assert_ptr_nonnull(strstr(err.msg, "after hitl_sse_finish"));
    hitl_sse_free(p);
    hitl_sse_free(NULL);
}
END_TEST

START_TEST(terminal_state_names_first_error)
{
    hitl_sse_config cfg = {.max_line = 4};
    hitl_sse *p = NULL;
    hitl_err err = {0};
    ck_assert_int_eq(hitl_sse_new(&p, &cfg, &err), 0);
    ck_assert_int_eq(hitl_sse_feed(p, "data: x\n\n", 9, &err), HITL_E_TOO_LONG);
    ck_assert_int_eq(hitl_sse_feed(p, "\n", 1, &err), HITL_E_STATE);
    ck_assert_ptr_nonnull(strstr(err.msg, "HITL_E_TOO_LONG"));
    ck_assert_uint_eq(hitl_sse_bytes(p), 9);
    hitl_sse_free(p);
}
END_TEST

/* ---- Dify's published streams ---------------------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    hitl_buf b;
    hitl_buf_init(&b, (size_t)16 << 20);
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        ck_assert_int_eq(hitl_buf_append(&b, tmp, n), 0);
    fclose(f);
    *len = b.len;
    return hitl_buf_release(&b);
}

/* Lines of an .expected.jsonl that are events (not {"retry": …}). */
static size_t expected_events(const char *jsonl, size_t len)
{
    size_t count = 0;
    const char *s = jsonl, *end = jsonl + len;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        if (!strncmp(s, "{\"type\": ", 9))
            count++;
        s = nl ? nl + 1 : end;
    }
    return count;
}

typedef struct dify_rec {
    recorder r;
    int dify; /* a Dify capture: every event is a JSON object frame of type message */
} dify_rec;

/* Whether s[0..n) contains |needle| (event data is not NUL-terminated: no strstr). */
static bool has_bytes(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (!memcmp(s + i, needle, k))
            return true;
    return false;
}

static int dify_event(void *user, const hitl_sse_event *ev)
{
    dify_rec *d = user;
    if (d->dify) {
        ck_assert_str_eq(ev->type, "message");
        ck_assert_uint_gt(ev->data_len, 2);
        ck_assert_int_eq(ev->data[0], '{');
        ck_assert_int_eq(ev->data[ev->data_len - 1], '}');
        ck_assert(has_bytes(ev->data, ev->data_len, "\"event\": \""));
    }
    return rec_event(&d->r, ev);
}

static void parse_file(const char *in, size_t n, size_t step, size_t split, int dify, hitl_buf *out,
                       uint64_t *events)
{
    dify_rec d = {.dify = dify};
    d.r.out = *out;
    hitl_sse_config cfg = {.on_event = dify_event, .on_retry = rec_retry, .user = &d};
    hitl_err err = {0};
    ck_assert_int_eq(hitl_sse_new(&d.r.p, &cfg, &err), 0);
    if (step) {
        for (size_t at = 0; at < n; at += step)
            ck_assert_int_eq(hitl_sse_feed(d.r.p, in + at, n - at < step ? n - at : step, &err), 0);
    } else {
        ck_assert_int_eq(hitl_sse_feed(d.r.p, in, split, &err), 0);
        ck_assert_int_eq(hitl_sse_feed(d.r.p, in + split, n - split, &err), 0);
    }
    ck_assert_int_eq(hitl_sse_finish(d.r.p, &err), 0);
    *events = hitl_sse_events(d.r.p);
    hitl_sse_free(d.r.p);
    *out = d.r.out;
}

/* Each captured stream of tests/data/sse parsed whole gives its .expected.jsonl's events; then
 * the same record under other feeds: SPLITS_CHUNKS: 1-, 2-, 3- and 7-byte chunks;
 * SPLITS_EVERY: two feeds cut at every byte offset (quadratic: its own case, tagged
 * `exhaustive`, which the valgrind run leaves out: each offset is a 1-byte chunk's boundary). */
enum splits { SPLITS_CHUNKS, SPLITS_EVERY };

static void dify_streams_check(enum splits splits)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/tests/data/sse", HITL_SOURCE_DIR);
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "cannot open %s", dir);
    struct dirent *e;
    int files = 0, dify_files = 0;
    while ((e = readdir(d))) {
        size_t nl = strlen(e->d_name);
        if (nl < 5 || strcmp(e->d_name + nl - 4, ".sse") != 0)
            continue;
        char path[2048], exp_path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        snprintf(exp_path, sizeof exp_path, "%s/%.*s.expected.jsonl", dir, (int)(nl - 4),
                 e->d_name);
        size_t n, elen;
        char *in = slurp(path, &n);
        char *exp = slurp(exp_path, &elen);
        int dify = !strncmp(e->d_name, "docs_", 5);
        size_t want = expected_events(exp, elen);

        hitl_buf whole;
        hitl_buf_init(&whole, REC_MAX);
        uint64_t got = 0;
        parse_file(in, n, n ? n : 1, 0, dify, &whole, &got);
        ck_assert_msg(got == want, "%s: %llu events, expected %zu", e->d_name,
                      (unsigned long long)got, want);
        if (dify)
            ck_assert_uint_gt(got, 0);
        size_t steps[] = {1, 2, 3, 7};
        size_t nsteps = sizeof steps / sizeof steps[0];
        size_t from = splits == SPLITS_CHUNKS ? 0 : nsteps;
        size_t to = splits == SPLITS_CHUNKS ? nsteps : nsteps + n + 1;
        for (size_t k = from; k < to; k++) {
            hitl_buf other;
            hitl_buf_init(&other, REC_MAX);
            parse_file(in, n, k < nsteps ? steps[k] : 0, k < nsteps ? 0 : k - nsteps, dify, &other,
                       &got);
            ck_assert_msg(other.len == whole.len && !memcmp(other.ptr, whole.ptr, whole.len),
                          "%s: chunking %zu changed the events", e->d_name, k);
            hitl_buf_free(&other);
        }
        hitl_buf_free(&whole);
        free(in);
        free(exp);
        files++;
        dify_files += dify;
    }
    closedir(d);
    ck_assert_int_ge(dify_files, 16);
    ck_assert_int_gt(files, dify_files);
}

START_TEST(dify_streams_parse)
{
    dify_streams_check(SPLITS_CHUNKS);
}
END_TEST

START_TEST(dify_streams_every_split)
{
    dify_streams_check(SPLITS_EVERY);
}
END_TEST

static Suite *sse_suite(void)
{
    Suite *s = suite_create("sse");
    for (size_t i = 0; i < NCASES; i++) {
        TCase *tc = tcase_create(CASES[i].name);
        tcase_add_loop_test(tc, whatwg_case, (int)i, (int)i + 1);
        suite_add_tcase(s, tc);
    }
    /* The exhaustive cases take seconds alone: a longer bound than the default 30 s, so that a
     * busy machine does not turn their slowness into a failure (they are bounded, not timed). */
    TCase *tc = tcase_create("whatwg_two_splits");
    tcase_set_tags(tc, "exhaustive");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, whatwg_pairs, 0, (int)NCASES);
    suite_add_tcase(s, tc);
    tc = tcase_create("limits_and_state");
    tcase_add_test(tc, memory_constant_on_endless_stream);
    tcase_add_test(tc, endless_line_fails_at_cap);
    tcase_add_test(tc, feed_from_callback_refused);
    tcase_add_test(tc, one_byte_feed_from_callback_refused);
    tcase_add_test(tc, bad_arguments_refused);
    tcase_add_test(tc, terminal_state_names_first_error);
    suite_add_tcase(s, tc);
    tc = tcase_create("dify_streams");
    tcase_add_test(tc, dify_streams_parse);
    suite_add_tcase(s, tc);
    tc = tcase_create("dify_streams_splits");
    tcase_set_tags(tc, "exhaustive");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, dify_streams_every_split);
    suite_add_tcase(s, tc);
    return s;
}

HITL_CHECK_MAIN(sse_suite)
