/* cmd_sse_dump.c: `hitlcheck sse-dump`: parse a raw text/event-stream and print every
 * dispatched event as one JSON object per line.
 *
 * The output format is a contract (the .expected.jsonl files in tests/data/sse are
 * byte-exact): each line is what Python's json.dumps(obj) prints with default settings, so
 * a Python reference and this tool can be diffed. That is why the JSON writer is here and not
 * cJSON: cJSON prints "key":"value" without spaces and leaves non-ASCII unescaped, while
 * json.dumps uses ", " and ": " and ensure_ascii (\uXXXX, lowercase hex, surrogate pairs).
 * Field bytes are decoded as UTF-8 first, invalid sequences becoming U+FFFD one per
 * maximal subpart (the WHATWG Encoding decoder), as a browser's EventSource would. */
#include "commands.h"
#include "hitl/sse.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DUMP_CHUNK ((size_t)64 * 1024)
/* Caps larger than this are refused by hitl_sse_new; keep the flag check in step. */
#define DUMP_CAP_MAX (SIZE_MAX / 4)
/* sse-dump's own defaults, above the parser's (1 MiB lines): a Dify form with large
 * content and defaults is one `data:` line of several MiB, and it must dump without
 * flags. 32 MiB each accepts a 16 MiB line or event with room to spare; the memory is
 * bounded all the same (at most one line and one event's data are held). */
#define DUMP_DEFAULT_MAX_LINE ((size_t)32 << 20)
#define DUMP_DEFAULT_MAX_DATA ((size_t)32 << 20)

/* A small output staging buffer: escaping writes many tiny pieces, fwrite a few big ones. */
typedef struct jout {
    FILE *f;
    size_t n;
    char b[4096];
} jout;

static void jflush(jout *o)
{
    if (o->n)
        fwrite(o->b, 1, o->n, o->f);
    o->n = 0;
}

static void jput(jout *o, const char *s, size_t n)
{
    if (n > sizeof o->b - o->n) {
        jflush(o);
        if (n > sizeof o->b) {
            fwrite(s, 1, n, o->f);
            return;
        }
    }
    memcpy(o->b + o->n, s, n);
    o->n += n;
}

static void jputs(jout *o, const char *s)
{
    jput(o, s, strlen(s));
}

/* One code point as json.dumps(ensure_ascii=True) writes it inside a string. */
static void put_codepoint(jout *o, uint32_t cp)
{
    char tmp[16];
    switch (cp) {
    case '"':
        jput(o, "\\\"", 2);
        return;
    case '\\':
        jput(o, "\\\\", 2);
        return;
    case '\n':
        jput(o, "\\n", 2);
        return;
    case '\r':
        jput(o, "\\r", 2);
        return;
    case '\t':
        jput(o, "\\t", 2);
        return;
    case '\b':
        jput(o, "\\b", 2);
        return;
    case '\f':
        jput(o, "\\f", 2);
        return;
    default:
        break;
    }
    if (cp >= 0x20 && cp <= 0x7E) {
        tmp[0] = (char)cp;
        jput(o, tmp, 1);
    } else if (cp < 0x10000) {
        jput(o, tmp, (size_t)snprintf(tmp, sizeof tmp, "\\u%04x", (unsigned)cp));
    } else {
        uint32_t v = cp - 0x10000;
        unsigned hi = 0xD800 + (unsigned)(v >> 10), lo = 0xDC00 + (unsigned)(v & 0x3FF);
        jput(o, tmp, (size_t)snprintf(tmp, sizeof tmp, "\\u%04x\\u%04x", hi, lo));
    }
}

/* Writes |s| as a JSON string, decoding it as UTF-8 with the WHATWG decoder's rules: a
 * byte that cannot continue the current sequence ends it with one U+FFFD and is then
 * looked at again as the start of a new one (so "maximal subparts" each become one
 * U+FFFD), and a sequence cut off by the end of the field becomes one U+FFFD. */
static void put_json_string(jout *o, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    uint32_t cp = 0;
    unsigned needed = 0, seen = 0;
    unsigned char lower = 0x80, upper = 0xBF;

    jput(o, "\"", 1);
    size_t i = 0;
    while (i < n) {
        unsigned char b = u[i];
        if (needed == 0) {
            i++;
            if (b < 0x80) {
                put_codepoint(o, b);
            } else if (b >= 0xC2 && b <= 0xDF) {
                needed = 1;
                cp = b & 0x1Fu;
            } else if (b >= 0xE0 && b <= 0xEF) {
                if (b == 0xE0)
                    lower = 0xA0;
                if (b == 0xED)
                    upper = 0x9F; /* no UTF-16 surrogates */
                needed = 2;
                cp = b & 0x0Fu;
            } else if (b >= 0xF0 && b <= 0xF4) {
                if (b == 0xF0)
                    lower = 0x90;
                if (b == 0xF4)
                    upper = 0x8F; /* nothing above U+10FFFF */
                needed = 3;
                cp = b & 0x07u;
            } else {
                put_codepoint(o, 0xFFFD);
            }
            continue;
        }
        if (b < lower || b > upper) {
            /* Not a continuation: the sequence so far is one maximal subpart. */
            put_codepoint(o, 0xFFFD);
            needed = seen = 0;
            lower = 0x80;
            upper = 0xBF;
            continue; /* look at b again */
        }
        i++;
        lower = 0x80;
        upper = 0xBF;
        cp = (cp << 6) | (b & 0x3Fu);
        if (++seen == needed) {
            put_codepoint(o, cp);
            needed = seen = 0;
        }
    }
    if (needed)
        put_codepoint(o, 0xFFFD);
    jput(o, "\"", 1);
}

static int on_event(void *user, const hitl_sse_event *ev)
{
    jout *o = user;
    jputs(o, "{\"type\": ");
    put_json_string(o, ev->type, ev->type_len);
    jputs(o, ", \"data\": ");
    put_json_string(o, ev->data, ev->data_len);
    jputs(o, ", \"id\": ");
    put_json_string(o, ev->id, ev->id_len);
    jputs(o, "}\n");
    return ferror(o->f) ? 1 : 0; /* stop early when the output is gone (EPIPE, full disk) */
}

static int on_retry(void *user, uint64_t ms)
{
    jout *o = user;
    char tmp[48];
    jput(o, tmp, (size_t)snprintf(tmp, sizeof tmp, "{\"retry\": %llu}\n", (unsigned long long)ms));
    return ferror(o->f) ? 1 : 0;
}

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: hitlcheck sse-dump [--max-line BYTES] [--max-data BYTES] [FILE|-]\n"
            "\n"
            "Parse a raw text/event-stream (the bytes of an HTTP response body) with the\n"
            "WHATWG HTML event-stream rules and print each dispatched event as one JSON\n"
            "object per line, formatted exactly as Python's json.dumps() prints it:\n"
            "\n"
            "  {\"type\": \"message\", \"data\": \"...\", \"id\": \"\"}\n"
            "\n"
            "  type  the `event` field, \"message\" when none was set\n"
            "  data  the `data` lines joined with LF (no final LF)\n"
            "  id    the last event ID in force at dispatch (\"\" when none)\n"
            "\n"
            "A valid `retry` field prints {\"retry\": N} (N above 2^64-1 prints as 2^64-1).\n"
            "Fields are decoded as UTF-8 with"
            " invalid sequences replaced by U+FFFD; non-ASCII is\n"
            "written as \\uXXXX. An event not closed by a blank line at the end of the input\n"
            "is not printed.\n"
            "\n"
            "Reads FILE, or standard input when FILE is absent or '-'. Events are printed as\n"
            "they arrive, so a live stream can be watched:\n"
            "  curl -sN -H 'Authorization: Bearer KEY' URL | hitlcheck sse-dump\n"
            "\n"
            "Options:\n"
            "  --max-line BYTES  longest line accepted, line end excluded (default %zu,\n"
            "                    32 MiB); lower or raise it\n"
            "  --max-data BYTES  largest data of one event (default %zu, 32 MiB)\n"
            "  -h, --help        print this help and exit\n"
            "\n"
            "Exit codes: 0 the whole input was parsed; 1 the input could not be read or\n"
            "passed a cap (the events before the failure are printed); 2 usage error.\n",
            DUMP_DEFAULT_MAX_LINE, DUMP_DEFAULT_MAX_DATA);
}

/* A cap flag's value: decimal digits only, at least 1, at most DUMP_CAP_MAX. */
static bool parse_cap(const char *s, size_t *out)
{
    if (!*s)
        return false;
    size_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        size_t d = (size_t)(*s - '0');
        if (v > (DUMP_CAP_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (v == 0)
        return false;
    *out = v;
    return true;
}

/* Recognises `--name VALUE` and `--name=VALUE`. Returns 1 when argv[*i] is that flag (and
 * advances *i past a separate value), 0 when it is not, -1 on a bad or missing value. */
static int cap_flag(const char *name, int argc, char **argv, int *i, size_t *out, FILE *errout)
{
    const char *a = argv[*i];
    size_t nl = strlen(name);
    const char *val;
    if (strncmp(a, name, nl) != 0)
        return 0;
    if (a[nl] == '=') {
        val = a + nl + 1;
    } else if (a[nl] == '\0') {
        if (*i + 1 >= argc) {
            fprintf(errout, "hitlcheck sse-dump: %s needs a value (a number of bytes)\n", name);
            return -1;
        }
        val = argv[++*i];
    } else {
        return 0;
    }
    if (!parse_cap(val, out)) {
        fprintf(errout,
                "hitlcheck sse-dump: %s needs a positive integer number of bytes (at most "
                "%zu), got '%s'\n",
                name, (size_t)DUMP_CAP_MAX, val);
        return -1;
    }
    return 1;
}

int hitl_cmd_sse_dump(int argc, char **argv, FILE *out, FILE *errout)
{
    hitl_sse_config cfg = {.max_line = DUMP_DEFAULT_MAX_LINE, .max_data = DUMP_DEFAULT_MAX_DATA};
    const char *path = NULL;
    bool opts_done = false;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!opts_done && a[0] == '-' && a[1] != '\0') {
            if (!strcmp(a, "--")) {
                opts_done = true;
                continue;
            }
            if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
                usage(out);
                return 0;
            }
            int r = cap_flag("--max-line", argc, argv, &i, &cfg.max_line, errout);
            if (r == 0)
                r = cap_flag("--max-data", argc, argv, &i, &cfg.max_data, errout);
            if (r < 0)
                return 2;
            if (r == 0) {
                fprintf(errout,
                        "hitlcheck sse-dump: unknown option '%s'; run `hitlcheck sse-dump "
                        "--help`\n",
                        a);
                return 2;
            }
            continue;
        }
        if (path) {
            fprintf(errout,
                    "hitlcheck sse-dump: one input at a time, got '%s' and '%s'; run "
                    "`hitlcheck sse-dump --help`\n",
                    path, a);
            return 2;
        }
        path = a;
    }

    bool use_stdin = !path || !strcmp(path, "-");
    const char *name = use_stdin ? "<stdin>" : path;
    int fd = use_stdin ? STDIN_FILENO : open(path, O_RDONLY);
    if (fd < 0) {
        fprintf(errout, "hitlcheck sse-dump: cannot open '%s': %s\n", path, strerror(errno));
        return 1;
    }
    char *chunk = malloc(DUMP_CHUNK);
    jout *o = malloc(sizeof *o);
    hitl_sse *p = NULL;
    hitl_err err = {0};
    int status = 1;
    if (!chunk || !o) {
        fprintf(errout, "hitlcheck sse-dump: out of memory\n");
        goto done;
    }
    o->f = out;
    o->n = 0;
    cfg.on_event = on_event;
    cfg.on_retry = on_retry;
    cfg.user = o;
    if (hitl_sse_new(&p, &cfg, &err)) {
        fprintf(errout, "hitlcheck sse-dump: %s\n", err.msg);
        goto done;
    }
    /* read(2), not fread: on a pipe from a live stream (curl -N … | hitlcheck sse-dump)
     * each event is printed as soon as it arrives instead of after 64 KiB. */
    int rc = 0;
    for (;;) {
        ssize_t n = read(fd, chunk, DUMP_CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            jflush(o);
            fflush(out);
            fprintf(errout, "hitlcheck sse-dump: cannot read '%s': %s\n", name, strerror(errno));
            goto done;
        }
        if (n == 0)
            break;
        rc = hitl_sse_feed(p, chunk, (size_t)n, &err);
        jflush(o);
        if (rc || fflush(out) != 0)
            break;
    }
    if (!rc)
        rc = hitl_sse_finish(p, &err);
    jflush(o);
    if (fflush(out) != 0 || ferror(out))
        fprintf(errout, "hitlcheck sse-dump: cannot write the output: %s\n", strerror(errno));
    else if (rc)
        fprintf(errout, "hitlcheck sse-dump: %s: %s\n", name, err.msg);
    else
        status = 0;
done:
    hitl_sse_free(p);
    free(o);
    free(chunk);
    if (!use_stdin)
        close(fd);
    return status;
}
