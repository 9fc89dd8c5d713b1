/* gen_streams.c: writes the input streams of the SSE parser benchmark (bench/run.sh), so
 * that every contender (hitl_sse, eventsource-parser, the memchr ceiling) reads the very
 * same bytes from disk before it starts its clock.
 *
 * Usage: gen_streams OUTDIR
 * Writes OUTDIR/<shape>.sse (the "full" set, timed) and OUTDIR/<shape>-4m.sse (the
 * "small" set, run under callgrind), and OUTDIR/manifest.tsv, one line per file:
 *   set  shape  file  bytes  events  data_bytes  newlines  cap
 * where events and data_bytes are what a conforming parser must report for the whole
 * file, newlines is the count of LF bytes (the memchr contender's check), and cap is the
 * max_line/max_data a parser needs for it (0 = hitl_sse's defaults suffice).
 *
 * Shapes:
 *   dify  ~1 KiB `data:` frames of Dify workflow events, padded to exactly 1024 bytes
 *   tiny  `data: hi\n\n` repeated
 *   long  one `data:` line of 'x' bytes
 * The output is deterministic: the padding comes from a fixed-seed generator. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB ((uint64_t)1 << 20)
#define FRAME_BYTES 1024u /* one Dify frame: "data: " + JSON + "\n\n" */

/* Dify workflow events, the JSON text byte for byte as Dify's API reference publishes it
 * in its example streams, one of each workflow event type, in the order a run that pauses
 * for human input and resumes emits them.
 * Copied here so the bench depends only on the repo. */
static const char *const dify_events[] = {
    "{\"event\": \"workflow_started\", "
    "\"task_id\": \"c3800678-a077-43df-a102-53f23ed20b88\", "
    "\"workflow_run_id\": \"fb47b2e6-5e43-4f90-be01-d5c5a088d156\", "
    "\"data\": {\"id\": \"fb47b2e6-5e43-4f90-be01-d5c5a088d156\", "
    "\"workflow_id\": \"7c3e33d4-2a8b-4e5f-9b1a-d3c6e8f12345\", "
    "\"inputs\": {\"query\": \"Translate this\"}, \"created_at\": 1705407629, "
    "\"reason\": \"initial\"}}",
    "{\"event\": \"node_started\", "
    "\"task_id\": \"c3800678-a077-43df-a102-53f23ed20b88\", "
    "\"message_id\": \"2e4f6a8b-1c3d-5e7f-9a0b-2c4d6e8f0a1b\", "
    "\"conversation_id\": \"9d3a2f1b-6c7d-4e8f-a0b1-c2d3e4f5a6b7\", "
    "\"created_at\": 1705407705, "
    "\"workflow_run_id\": \"fb47b2e6-5e43-4f90-be01-d5c5a088d156\", "
    "\"data\": {\"id\": \"ne_002\", \"node_id\": \"node_llm_1\", \"node_type\": \"llm\", "
    "\"title\": \"LLM\", \"index\": 2, \"created_at\": 1705407705}}",
    "{\"event\": \"text_chunk\", "
    "\"task_id\": \"c3800678-a077-43df-a102-53f23ed20b88\", "
    "\"workflow_run_id\": \"fb47b2e6-5e43-4f90-be01-d5c5a088d156\", "
    "\"data\": {\"text\": \"Bonjour\", \"from_variable_selector\": [\"node_1\", "
    "\"text\"]}}",
    "{\"event\": \"node_finished\", "
    "\"task_id\": \"c3800678-a077-43df-a102-53f23ed20b88\", "
    "\"message_id\": \"2e4f6a8b-1c3d-5e7f-9a0b-2c4d6e8f0a1b\", "
    "\"conversation_id\": \"9d3a2f1b-6c7d-4e8f-a0b1-c2d3e4f5a6b7\", "
    "\"created_at\": 1705407706, "
    "\"workflow_run_id\": \"fb47b2e6-5e43-4f90-be01-d5c5a088d156\", "
    "\"data\": {\"id\": \"ne_002\", \"node_id\": \"node_llm_1\", \"node_type\": \"llm\", "
    "\"title\": \"LLM\", \"index\": 2, \"status\": \"succeeded\", \"elapsed_time\": 1.2, "
    "\"created_at\": 1705407705, \"finished_at\": 1705407706}}",
    "{\"event\": \"human_input_required\", "
    "\"task_id\": \"c3800678-a077-43df-a102-53f23ed20b88\", "
    "\"workflow_run_id\": \"fb47b2e6-5e43-4f90-be01-d5c5a088d156\", "
    "\"data\": {\"form_id\": \"a1b2c3d4-e5f6-7890-abcd-ef1234567890\", "
    "\"form_token\": \"tok_abc123\", \"node_id\": \"approval_node\", "
    "\"node_title\": \"Approval\", \"form_content\": \"Please review the draft.\", "
    "\"inputs\": [{\"type\": \"text_input\", \"output_variable_name\": \"comment\", "
    "\"default\": null}], \"actions\": [{\"id\": \"approve\", \"title\": \"Approve\", "
    "\"button_style\": \"primary\"}], \"display_in_ui\": false, "
    "\"resolved_default_values\": {\"comment\": \"\"}, "
    "\"expiration_time\": 1705494029}}",
    "{\"event\": \"workflow_paused\", "
    "\"task_id\": \"c3800678-a077-43df-a102-53f23ed20b88\", "
    "\"workflow_run_id\": \"fb47b2e6-5e43-4f90-be01-d5c5a088d156\", "
    "\"data\": {\"workflow_run_id\": \"fb47b2e6-5e43-4f90-be01-d5c5a088d156\", "
    "\"status\": \"paused\", \"created_at\": 1705407629, \"elapsed_time\": 0.5}}",
    "{\"event\": \"human_input_form_filled\", "
    "\"task_id\": \"c3800678-a077-43df-a102-53f23ed20b88\", "
    "\"message_id\": \"2e4f6a8b-1c3d-5e7f-9a0b-2c4d6e8f0a1b\", "
    "\"conversation_id\": \"9d3a2f1b-6c7d-4e8f-a0b1-c2d3e4f5a6b7\", "
    "\"created_at\": 1705407705, "
    "\"workflow_run_id\": \"fb47b2e6-5e43-4f90-be01-d5c5a088d156\", "
    "\"data\": {\"node_id\": \"approval_node\", \"node_title\": \"Approval\", "
    "\"rendered_content\": \"Please review the draft.\", \"action_id\": \"approve\", "
    "\"action_text\": \"Approve\", \"submitted_data\": {\"comment\": \"Looks good.\"}}}",
    "{\"event\": \"workflow_finished\", "
    "\"task_id\": \"c3800678-a077-43df-a102-53f23ed20b88\", "
    "\"message_id\": \"2e4f6a8b-1c3d-5e7f-9a0b-2c4d6e8f0a1b\", "
    "\"conversation_id\": \"9d3a2f1b-6c7d-4e8f-a0b1-c2d3e4f5a6b7\", "
    "\"created_at\": 1705407706, "
    "\"workflow_run_id\": \"fb47b2e6-5e43-4f90-be01-d5c5a088d156\", "
    "\"data\": {\"id\": \"fb47b2e6-5e43-4f90-be01-d5c5a088d156\", "
    "\"workflow_id\": \"7c3e33d4-2a8b-4e5f-9b1a-d3c6e8f12345\", "
    "\"status\": \"succeeded\", \"elapsed_time\": 2.1, \"total_tokens\": 42, "
    "\"total_steps\": 2, \"created_at\": 1705407629, \"finished_at\": 1705407706}}",
};
#define N_DIFY_EVENTS (sizeof dify_events / sizeof dify_events[0])

/* The padding field appended to each event; the JSON stays valid. */
#define PAD_OPEN ", \"padding\": \""
#define PAD_CLOSE "\"}"

typedef struct out_file {
    FILE *f;
    const char *path;
    uint64_t bytes;
} out_file;

static int out_write(out_file *o, const void *p, size_t n)
{
    if (fwrite(p, 1, n, o->f) != n) {
        fprintf(stderr, "gen_streams: write %s: %s\n", o->path, strerror(errno));
        return -1;
    }
    o->bytes += n;
    return 0;
}

/* A fixed-seed xorshift, so every run writes the same bytes. */
static uint32_t next_rand(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

/* One Dify frame of exactly FRAME_BYTES into |frame|; returns the data length (the
 * JSON text), or 0 if the event does not fit (a programming error, checked in main). */
static size_t dify_frame(char *frame, size_t idx, uint32_t *seed)
{
    /* Printable ASCII without '"' and '\\', so the padding needs no JSON escaping
     * and UTF-16 length equals byte length for the JavaScript contender's check. */
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                   "0123456789 .,;:-_/()[]{}<>!?=+*&%$#@ ";
    const char *ev = dify_events[idx % N_DIFY_EVENTS];
    size_t ev_len = strlen(ev) - 1; /* without the closing brace */
    size_t fixed = 6 + ev_len + strlen(PAD_OPEN) + strlen(PAD_CLOSE) + 2;
    if (fixed >= FRAME_BYTES)
        return 0;
    size_t pad = FRAME_BYTES - fixed;
    char *p = frame;
    memcpy(p, "data: ", 6);
    p += 6;
    memcpy(p, ev, ev_len);
    p += ev_len;
    memcpy(p, PAD_OPEN, strlen(PAD_OPEN));
    p += strlen(PAD_OPEN);
    for (size_t i = 0; i < pad; i++)
        *p++ = alphabet[next_rand(seed) % (sizeof alphabet - 1)];
    memcpy(p, PAD_CLOSE, strlen(PAD_CLOSE));
    p += strlen(PAD_CLOSE);
    memcpy(p, "\n\n", 2);
    return FRAME_BYTES - 8;
}

typedef struct stream_info {
    uint64_t events, data_bytes, newlines, cap;
} stream_info;

static int gen_dify(out_file *o, uint64_t target, stream_info *si)
{
    char frame[FRAME_BYTES];
    uint32_t seed = 0x2545F491u;
    uint64_t n = target / FRAME_BYTES;
    for (uint64_t i = 0; i < n; i++) {
        size_t data_len = dify_frame(frame, (size_t)(i % N_DIFY_EVENTS), &seed);
        if (data_len == 0) {
            fprintf(stderr, "gen_streams: a Dify event is longer than %u bytes\n", FRAME_BYTES);
            return -1;
        }
        if (out_write(o, frame, sizeof frame))
            return -1;
        si->data_bytes += data_len;
    }
    si->events = n;
    si->newlines = 2 * n;
    return 0;
}

static int gen_tiny(out_file *o, uint64_t target, stream_info *si)
{
    static const char ev[] = "data: hi\n\n";
    enum { EV_LEN = sizeof ev - 1, PER_BLOCK = 4096 };
    char block[EV_LEN * PER_BLOCK];
    for (size_t i = 0; i < PER_BLOCK; i++)
        memcpy(block + i * EV_LEN, ev, EV_LEN);
    uint64_t n = target / EV_LEN;
    for (uint64_t done = 0; done < n;) {
        uint64_t k = n - done < PER_BLOCK ? n - done : PER_BLOCK;
        if (out_write(o, block, (size_t)k * EV_LEN))
            return -1;
        done += k;
    }
    si->events = n;
    si->data_bytes = 2 * n;
    si->newlines = 2 * n;
    return 0;
}

static int gen_long(out_file *o, uint64_t data_len, stream_info *si)
{
    char block[64 * 1024];
    memset(block, 'x', sizeof block);
    if (out_write(o, "data: ", 6))
        return -1;
    for (uint64_t done = 0; done < data_len;) {
        uint64_t k = data_len - done < sizeof block ? data_len - done : sizeof block;
        if (out_write(o, block, (size_t)k))
            return -1;
        done += k;
    }
    if (out_write(o, "\n\n", 2))
        return -1;
    si->events = 1;
    si->data_bytes = data_len;
    si->newlines = 2;
    /* The one line is 6 + data_len bytes long: the parser's caps must cover it. */
    si->cap = data_len + 6;
    return 0;
}

typedef int (*gen_fn)(out_file *, uint64_t, stream_info *);

/* One stream per line, as a table. */
/* clang-format off */
static const struct {
    const char *set, *shape, *suffix;
    gen_fn gen;
    uint64_t size; /* target file size; for "long", the data length */
} streams[] = {
    {"full",  "dify", "",    gen_dify, 32 * MIB},
    {"full",  "tiny", "",    gen_tiny, 32 * MIB},
    {"full",  "long", "",    gen_long, 64 * MIB},
    {"small", "dify", "-4m", gen_dify, 4 * MIB},
    {"small", "tiny", "-4m", gen_tiny, 4 * MIB},
    {"small", "long", "-4m", gen_long, 4 * MIB},
};
/* clang-format on */

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_streams OUTDIR\n");
        return 2;
    }
    const char *dir = argv[1];
    char path[4096], manifest_path[4096];
    if (snprintf(manifest_path, sizeof manifest_path, "%s/manifest.tsv", dir) >=
        (int)sizeof manifest_path) {
        fprintf(stderr, "gen_streams: OUTDIR too long\n");
        return 2;
    }
    FILE *mf = fopen(manifest_path, "w");
    if (!mf) {
        fprintf(stderr, "gen_streams: %s: %s\n", manifest_path, strerror(errno));
        return 1;
    }
    fprintf(mf, "set\tshape\tfile\tbytes\tevents\tdata_bytes\tnewlines\tcap\n");
    int rc = 0;
    for (size_t i = 0; i < sizeof streams / sizeof streams[0] && rc == 0; i++) {
        if (snprintf(path, sizeof path, "%s/%s%s.sse", dir, streams[i].shape, streams[i].suffix) >=
            (int)sizeof path) {
            fprintf(stderr, "gen_streams: OUTDIR too long\n");
            rc = 2;
            break;
        }
        out_file o = {fopen(path, "wb"), path, 0};
        if (!o.f) {
            fprintf(stderr, "gen_streams: %s: %s\n", path, strerror(errno));
            rc = 1;
            break;
        }
        stream_info si = {0, 0, 0, 0};
        if (streams[i].gen(&o, streams[i].size, &si))
            rc = 1;
        if (fclose(o.f) != 0 && rc == 0) {
            fprintf(stderr, "gen_streams: close %s: %s\n", path, strerror(errno));
            rc = 1;
        }
        if (rc == 0)
            fprintf(mf,
                    "%s\t%s\t%s\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\n",
                    streams[i].set, streams[i].shape, path, o.bytes, si.events, si.data_bytes,
                    si.newlines, si.cap);
    }
    if (fclose(mf) != 0 && rc == 0) {
        fprintf(stderr, "gen_streams: close %s: %s\n", manifest_path, strerror(errno));
        rc = 1;
    }
    return rc;
}
