/* fuzz_sse.c: the SSE parser must give the same events whatever the chunking.
 *
 * Each input is parsed three ways: whole, in chunks whose sizes come from a PRNG, and one
 * byte at a time over a window of BYTEWISE_MAX bytes: the whole input when it is no longer,
 * else a window at an offset the seed picks, with the bytes before and after it fed whole.
 * The event sequences (as a hash and a count), the final status, the error message, the
 * event count and the last event ID must all agree, and every event must keep the header's
 * promises (NUL-terminated type and id, no CR/LF in the type, no CR in the data, no
 * CR/LF/NUL in the id, id equal to hitl_sse_last_id).
 * Any disagreement is a crash (__builtin_trap).
 *
 * Input layout. A plain capture is parsed entirely as stream bytes. An input whose last
 * byte is 0xFF (a byte that never occurs in UTF-8 text, so no real capture ends with it)
 * carries a 5-byte trailer instead, which the fuzzer mutates like any other bytes:
 *
 *   <stream bytes> <stop> <caps> <seed lo> <seed hi> 0xFF
 *
 *   stop  if non-zero, a callback asks to stop at the stop-th event or retry
 *   caps  low nibble L, high nibble D: max_line = L ? L*L*8 : 4096,
 *         max_data = D ? D*D*32 : 65536 (small caps make the cap paths reachable)
 *   seed  the chunk-size PRNG seed
 *
 * Without a trailer the caps are 4096 / 65536 and the seed is a hash of the input.
 *
 * Throughput: the byte-at-a-time parse costs a parser call per byte, most of an execution.
 * It covered the whole input up to 8 KiB; the window bounds it at 1 KiB. Inputs up to 1 KiB
 * (most of a run's) are still split at every byte, and in a longer one every byte is still
 * a split point of some execution: the window's offset comes from the seed, which changes
 * with any mutation of the input (or of the trailer's seed bytes), while the PRNG parse
 * splits it everywhere at random. The harness's own per-byte work (the feeding loops, the
 * digest, the seed hash, the event checks) is built without coverage instrumentation
 * (HARNESS): its branches say nothing about the parser and would only give libFuzzer
 * noise. Outcomes live on the stack. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hitl/sse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TRAILER_MARK 0xFF
#define TRAILER_LEN 5
#define DEFAULT_MAX_LINE 4096
#define DEFAULT_MAX_DATA 65536
/* 1-byte feeding costs a parser call per byte, the bulk of an execution: a window bounds it
 * (it was the whole input up to 8 KiB; see the header). */
#define BYTEWISE_MAX 1024

/* The harness's own code: no coverage callbacks (clang's attribute; gcc builds the replay
 * executable, which has none anyway). */
#if defined(__clang__)
#define HARNESS __attribute__((no_sanitize("coverage")))
#else
#define HARNESS
#endif

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

typedef struct digest {
    hitl_sse *p;
    uint64_t hash;
    uint64_t records;
    unsigned stop_at;
} digest;

HARNESS static void mix(digest *d, const void *s, size_t n)
{
    const unsigned char *u = s;
    for (size_t i = 0; i < n; i++) {
        d->hash ^= u[i];
        d->hash *= 0x100000001b3ULL; /* FNV-1a 64 */
    }
}

HARNESS static void mix_u64(digest *d, uint64_t v)
{
    mix(d, &v, sizeof v);
}

/* Counts one record; non-zero (stop) when it is the stop_at-th. */
HARNESS static int counted(digest *d)
{
    d->records++;
    return d->stop_at && d->records == d->stop_at;
}

HARNESS static int on_event(void *user, const hitl_sse_event *ev)
{
    digest *d = user;
    CHECK(ev->type && ev->data && ev->id);
    CHECK(ev->type_len > 0);
    CHECK(ev->type[ev->type_len] == '\0' && ev->id[ev->id_len] == '\0');
    CHECK(!memchr(ev->type, '\r', ev->type_len) && !memchr(ev->type, '\n', ev->type_len));
    CHECK(!memchr(ev->data, '\r', ev->data_len));
    CHECK(!memchr(ev->id, '\r', ev->id_len) && !memchr(ev->id, '\n', ev->id_len) &&
          !memchr(ev->id, '\0', ev->id_len));
    CHECK(strcmp(hitl_sse_last_id(d->p), ev->id) == 0);
    mix_u64(d, 'E');
    mix_u64(d, ev->type_len);
    mix(d, ev->type, ev->type_len);
    mix_u64(d, ev->data_len);
    mix(d, ev->data, ev->data_len);
    mix_u64(d, ev->id_len);
    mix(d, ev->id, ev->id_len);
    return counted(d);
}

HARNESS static int on_retry(void *user, uint64_t ms)
{
    digest *d = user;
    mix_u64(d, 'R');
    mix_u64(d, ms);
    return counted(d);
}

typedef struct outcome {
    digest d;
    int rc;
    hitl_err err;
} outcome;

HARNESS static uint32_t xorshift(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

/* mode 0: whole; 1: PRNG chunks (some empty); 2: one byte at a time over the window. */
HARNESS static void parse(outcome *o, const uint8_t *s, size_t n, const hitl_sse_config *base,
                          unsigned stop_at, int mode, uint32_t seed)
{
    memset(o, 0, sizeof *o);
    o->d.hash = 0xcbf29ce484222325ULL;
    o->d.stop_at = stop_at;
    hitl_sse_config cfg = *base;
    cfg.user = &o->d;
    if (hitl_sse_new(&o->d.p, &cfg, &o->err))
        __builtin_trap();
    size_t at = 0;
    uint32_t rng = seed ? seed : 0x9e3779b9u;
    int rc = 0;
    if (mode == 2) {
        size_t start = n > BYTEWISE_MAX ? seed % (n - BYTEWISE_MAX + 1) : 0;
        if (start) {
            rc = hitl_sse_feed(o->d.p, s, start, &o->err);
            at = start;
        }
        for (; !rc && at < n && at < start + BYTEWISE_MAX; at++)
            rc = hitl_sse_feed(o->d.p, s + at, 1, &o->err);
        /* the rest, if any, in one feed below */
    }
    while (!rc && at < n) {
        size_t len = n - at;
        if (mode == 1) {
            uint32_t r = xorshift(&rng);
            size_t pick;
            switch (r & 3) {
            case 0:
                pick = (r >> 8) % 2;
                break; /* 0 or 1: empty feeds too */
            case 1:
                pick = 1 + (r >> 8) % 8;
                break;
            case 2:
                pick = 1 + (r >> 8) % 64;
                break;
            default:
                pick = 1 + (r >> 8) % 1024;
                break;
            }
            if (pick < len)
                len = pick;
        }
        rc = hitl_sse_feed(o->d.p, s + at, len, &o->err);
        at += len;
    }
    if (!rc)
        rc = hitl_sse_finish(o->d.p, &o->err);
    else
        CHECK(hitl_sse_feed(o->d.p, "\n\n", 2, NULL) == HITL_E_STATE);
    CHECK(hitl_sse_finish(o->d.p, NULL) == HITL_E_STATE);
    CHECK(rc == HITL_OK || rc == HITL_E_TOO_LONG || rc == HITL_E_TOO_BIG || rc == HITL_E_STOPPED ||
          rc == HITL_E_NOMEM);
    o->rc = rc;
}

HARNESS static void same(const outcome *a, const outcome *b)
{
    CHECK(a->rc == b->rc);
    CHECK(a->d.hash == b->d.hash && a->d.records == b->d.records);
    CHECK(hitl_sse_events(a->d.p) == hitl_sse_events(b->d.p));
    CHECK(strcmp(hitl_sse_last_id(a->d.p), hitl_sse_last_id(b->d.p)) == 0);
    if (a->rc)
        CHECK(strcmp(a->err.msg, b->err.msg) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hitl_sse_config cfg = {.max_line = DEFAULT_MAX_LINE,
                           .max_data = DEFAULT_MAX_DATA,
                           .on_event = on_event,
                           .on_retry = on_retry};
    unsigned stop_at = 0;
    uint32_t seed;
    size_t n = size;
    if (size >= TRAILER_LEN && data[size - 1] == TRAILER_MARK) {
        const uint8_t *t = data + size - TRAILER_LEN;
        n = size - TRAILER_LEN;
        stop_at = t[0];
        unsigned l = t[1] & 0x0Fu, d = t[1] >> 4;
        cfg.max_line = l ? (size_t)l * l * 8 : DEFAULT_MAX_LINE;
        cfg.max_data = d ? (size_t)d * d * 32 : DEFAULT_MAX_DATA;
        seed = (uint32_t)t[2] | (uint32_t)t[3] << 8;
    } else {
        digest h = {.hash = 0xcbf29ce484222325ULL};
        mix(&h, data, size);
        seed = (uint32_t)(h.hash ^ h.hash >> 32);
    }

    outcome o[3];
    parse(&o[0], data, n, &cfg, stop_at, 0, seed);
    parse(&o[1], data, n, &cfg, stop_at, 1, seed);
    same(&o[0], &o[1]);
    parse(&o[2], data, n, &cfg, stop_at, 2, seed);
    same(&o[0], &o[2]);
    hitl_sse_free(o[2].d.p);
    hitl_sse_free(o[0].d.p);
    hitl_sse_free(o[1].d.p);
    return 0;
}
