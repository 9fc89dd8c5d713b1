/* sse_bench.c: throughput of hitl_sse, and of a plain memchr line scan (the ceiling any
 * SSE parser is held against), over the streams gen_streams wrote. Run by bench/run.sh;
 * not a test.
 *
 * Usage: sse_bench -m MANIFEST [-s SET] [-S SHAPE] [-r RUNS] [-w WARMUP] [-c CHUNKS]
 *                  [-o CONTENDERS]
 *   -m  manifest.tsv written by gen_streams
 *   -s  which set of the manifest to run: full (default) or small
 *   -S  run only this shape (dify, tiny, long); default all
 *   -r  timed runs per measurement (default 5); -w untimed warm-up runs (default 1)
 *   -c  comma-separated chunk sizes in bytes, 0 = the whole buffer in one call
 *       (default 4096,1,0)
 *   -o  comma-separated contenders: hitl, memchr (default both)
 *
 * Each input file is read into memory once, before any clock starts. Every run checks
 * its result against the manifest (events and summed data length for hitl_sse, LF count
 * for memchr) and the program fails if one is wrong, so a fast wrong parser cannot post
 * a number. Output, one TSV line per measurement on stdout:
 *   contender shape chunk runs median_mbps min_mbps max_mbps bytes_fed bytes capped
 * MB/s are 10^6 bytes per second. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hitl/sse.h"

#define MAX_RUNS 100
#define MAX_CHUNKS 8

typedef struct stream {
    char set[16], shape[16], file[4096];
    uint64_t bytes, events, data_bytes, newlines, cap;
    unsigned char *buf;
} stream;

typedef struct counts {
    uint64_t events, data_bytes;
} counts;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Counting every event and its data length keeps the compiler from discarding the
 * parse, and lets each run be checked against the manifest. */
static int count_event(void *user, const hitl_sse_event *ev)
{
    counts *c = user;
    c->events++;
    c->data_bytes += ev->data_len;
    return 0;
}

/* The timed section of one hitl_sse run: feed |len| bytes in |chunk|-byte calls (0 =
 * one call), then finish. noinline so callgrind's --toggle-collect can name it and the
 * instruction count covers exactly what the clock covers. Returns 0 or the hitl status. */
__attribute__((noinline)) static int hitl_parse(hitl_sse *p, const unsigned char *buf, size_t len,
                                                size_t chunk, hitl_err *err)
{
    if (chunk == 0 || chunk > len)
        chunk = len;
    for (size_t off = 0; off < len; off += chunk) {
        size_t n = len - off < chunk ? len - off : chunk;
        int rc = hitl_sse_feed(p, buf + off, n, err);
        if (rc)
            return rc;
    }
    return hitl_sse_finish(p, err);
}

/* One timed hitl_sse run; returns seconds, or a negative value after printing why the
 * run failed or gave the wrong answer. */
static double run_hitl(const stream *s, size_t chunk)
{
    counts c = {0, 0};
    hitl_sse_config cfg = {0};
    cfg.max_line = (size_t)s->cap; /* 0 keeps the defaults */
    cfg.max_data = (size_t)s->cap;
    cfg.on_event = count_event;
    cfg.user = &c;
    hitl_err err = {0};
    hitl_sse *p = NULL;
    if (hitl_sse_new(&p, &cfg, &err)) {
        fprintf(stderr, "sse_bench: hitl_sse_new: %s\n", err.msg);
        return -1;
    }
    double t0 = now_s();
    int rc = hitl_parse(p, s->buf, (size_t)s->bytes, chunk, &err);
    double t1 = now_s();
    hitl_sse_free(p);
    if (rc) {
        fprintf(stderr, "sse_bench: %s, chunk %zu: hitl_sse failed: %s (%s)\n", s->shape, chunk,
                hitl_status_name(rc), err.msg);
        return -1;
    }
    if (c.events != s->events || c.data_bytes != s->data_bytes) {
        fprintf(stderr,
                "sse_bench: %s, chunk %zu: hitl_sse reported %" PRIu64 " events / %" PRIu64
                " data bytes, expected %" PRIu64 " / %" PRIu64 "\n",
                s->shape, chunk, c.events, c.data_bytes, s->events, s->data_bytes);
        return -1;
    }
    return t1 - t0;
}

/* The ceiling: count LF bytes with memchr, chunk by chunk, as the cheapest possible line
 * splitter would. */
__attribute__((noinline)) static uint64_t memchr_scan(const unsigned char *buf, size_t len,
                                                      size_t chunk)
{
    uint64_t n = 0;
    if (chunk == 0 || chunk > len)
        chunk = len;
    for (size_t off = 0; off < len; off += chunk) {
        const unsigned char *p = buf + off;
        const unsigned char *end = p + (len - off < chunk ? len - off : chunk);
        const unsigned char *q;
        while (p < end && (q = memchr(p, '\n', (size_t)(end - p))) != NULL) {
            n++;
            p = q + 1;
        }
    }
    return n;
}

static double run_memchr(const stream *s, size_t chunk)
{
    double t0 = now_s();
    uint64_t n = memchr_scan(s->buf, (size_t)s->bytes, chunk);
    double t1 = now_s();
    if (n != s->newlines) {
        fprintf(stderr,
                "sse_bench: %s, chunk %zu: memchr found %" PRIu64 " LFs, expected %" PRIu64 "\n",
                s->shape, chunk, n, s->newlines);
        return -1;
    }
    return t1 - t0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef double (*run_fn)(const stream *, size_t);

/* Warm-up runs, then |runs| timed runs; prints the TSV line. Returns 0 or -1. */
static int measure(const char *name, run_fn fn, const stream *s, size_t chunk, int runs, int warmup)
{
    double mbps[MAX_RUNS];
    for (int i = 0; i < warmup; i++)
        if (fn(s, chunk) < 0)
            return -1;
    for (int i = 0; i < runs; i++) {
        double t = fn(s, chunk);
        if (t < 0)
            return -1;
        /* A run too quick for the clock would divide by zero; one tick is the floor. */
        mbps[i] = (double)s->bytes / 1e6 / (t > 1e-9 ? t : 1e-9);
    }
    qsort(mbps, (size_t)runs, sizeof mbps[0], cmp_double);
    double median = runs % 2 ? mbps[runs / 2] : (mbps[runs / 2 - 1] + mbps[runs / 2]) / 2;
    printf("%s\t%s\t%zu\t%d\t%.1f\t%.1f\t%.1f\t%" PRIu64 "\t%" PRIu64 "\t0\n", name, s->shape,
           chunk, runs, median, mbps[0], mbps[runs - 1], s->bytes, s->bytes);
    fflush(stdout);
    return 0;
}

static int load(stream *s)
{
    FILE *f = fopen(s->file, "rb");
    if (!f) {
        fprintf(stderr, "sse_bench: %s: %s\n", s->file, strerror(errno));
        return -1;
    }
    s->buf = malloc(s->bytes ? (size_t)s->bytes : 1);
    size_t got = s->buf ? fread(s->buf, 1, (size_t)s->bytes, f) : 0;
    int extra = fgetc(f);
    fclose(f);
    if (!s->buf || got != s->bytes || extra != EOF) {
        fprintf(stderr,
                "sse_bench: %s: size differs from the manifest's %" PRIu64
                " bytes (regenerate with gen_streams)\n",
                s->file, s->bytes);
        return -1;
    }
    return 0;
}

/* Parses "4096,1,0" into |out|; returns the count, or -1. */
static int parse_chunks(const char *arg, size_t *out)
{
    int n = 0;
    const char *p = arg;
    while (*p) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(p, &end, 10);
        if (end == p || errno || n == MAX_CHUNKS || (*end && *end != ','))
            return -1;
        out[n++] = (size_t)v;
        p = *end ? end + 1 : end;
    }
    return n;
}

static int has_word(const char *list, const char *word)
{
    size_t wl = strlen(word);
    for (const char *p = list; *p;) {
        const char *comma = strchr(p, ',');
        size_t l = comma ? (size_t)(comma - p) : strlen(p);
        if (l == wl && memcmp(p, word, wl) == 0)
            return 1;
        p += l + (comma ? 1 : 0);
    }
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: sse_bench -m MANIFEST [-s full|small] [-S SHAPE] [-r RUNS] "
                    "[-w WARMUP] [-c CHUNKS] [-o hitl,memchr]\n");
}

int main(int argc, char **argv)
{
    const char *manifest = NULL, *set = "full", *only_shape = NULL, *contenders = "hitl,memchr";
    int runs = 5, warmup = 1, nchunks;
    size_t chunks[MAX_CHUNKS];
    nchunks = parse_chunks("4096,1,0", chunks);
    int opt;
    while ((opt = getopt(argc, argv, "m:s:S:r:w:c:o:")) != -1) {
        switch (opt) {
        case 'm':
            manifest = optarg;
            break;
        case 's':
            set = optarg;
            break;
        case 'S':
            only_shape = optarg;
            break;
        case 'r':
            runs = atoi(optarg);
            break;
        case 'w':
            warmup = atoi(optarg);
            break;
        case 'c':
            nchunks = parse_chunks(optarg, chunks);
            break;
        case 'o':
            contenders = optarg;
            break;
        default:
            usage();
            return 2;
        }
    }
    if (!manifest || runs < 1 || runs > MAX_RUNS || warmup < 0 || nchunks < 1) {
        usage();
        return 2;
    }
    FILE *mf = fopen(manifest, "r");
    if (!mf) {
        fprintf(stderr, "sse_bench: %s: %s\n", manifest, strerror(errno));
        return 1;
    }
    char line[8192];
    int rc = 0, matched = 0;
    if (!fgets(line, sizeof line, mf)) /* the header */
        rc = 1;
    while (rc == 0 && fgets(line, sizeof line, mf)) {
        stream s;
        memset(&s, 0, sizeof s);
        if (sscanf(line,
                   "%15s %15s %4095s %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64,
                   s.set, s.shape, s.file, &s.bytes, &s.events, &s.data_bytes, &s.newlines,
                   &s.cap) != 8) {
            fprintf(stderr, "sse_bench: %s: malformed line: %s", manifest, line);
            rc = 1;
            break;
        }
        if (strcmp(s.set, set) != 0 || (only_shape && strcmp(s.shape, only_shape) != 0))
            continue;
        matched++;
        if (load(&s)) {
            rc = 1;
            break;
        }
        for (int i = 0; i < nchunks && rc == 0; i++) {
            if (has_word(contenders, "hitl") &&
                measure("hitl_sse", run_hitl, &s, chunks[i], runs, warmup))
                rc = 1;
            if (rc == 0 && has_word(contenders, "memchr") &&
                measure("memchr", run_memchr, &s, chunks[i], runs, warmup))
                rc = 1;
        }
        free(s.buf);
    }
    fclose(mf);
    if (rc == 0 && matched == 0) {
        fprintf(stderr, "sse_bench: no stream of set '%s'%s%s in %s\n", set,
                only_shape ? " and shape " : "", only_shape ? only_shape : "", manifest);
        rc = 1;
    }
    return rc;
}
