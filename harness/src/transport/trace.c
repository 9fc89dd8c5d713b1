/* trace.c: the run's HTTP exchanges as a HAR 1.2 file (see trace.h).
 *
 * Recording copies what an ended exchange showed into an entry (bodies cut at body_max);
 * writing happens once, after the run, so the redactor knows every token by then. The
 * JSON is streamed to the file field by field: no whole-document buffer, and memory stays
 * at the kept entries plus one field's redacted copy. */
#include "hitl/trace.h"
#include "hitl/utf8.h"

#include "hitl/buf.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PATH_CAP 4096
#define BOUNDARY_MAX 200

typedef struct header {
    char *name;
    char *value;
} header;

typedef struct part {
    char *name;
    char *filename;
    char *content_type;
    char *text; /* the part's first bytes when they are UTF-8 text; NULL for binary */
    size_t text_len;
    size_t len; /* the part's whole size */
} part;

typedef struct entry {
    uint64_t seq; /* the order exchanges ended in: breaks ties of equal start times */
    struct timespec wall, mono;
    char *check, *surface;
    char *method, *url;
    char *head; /* the request head as sent; NULL when nothing was sent */
    size_t head_len;
    header *asked; /* the request's own headers, kept when nothing was sent */
    size_t n_asked;
    char *body; /* a raw request body's first bytes */
    size_t body_len, body_total;
    bool has_body;
    part *parts;
    size_t n_parts;
    size_t sent_body;
    long status;
    char *status_line;
    header *resp_headers;
    size_t n_resp_headers;
    char *resp_body;
    size_t resp_body_len, resp_body_total;
    bool stopped, headers_capped;
    char *error;
    double seconds;
    double t_dns, t_connect, t_tls, t_pre, t_post, t_first, t_total;
    size_t mem; /* bytes this entry holds, for the total cap */
} entry;

struct hitl_trace {
    pthread_mutex_t lock;
    size_t body_max, total_max, used;
    entry **items;
    size_t n, cap;
    size_t dropped;
    uint64_t next_seq;
    char **mask; /* header names whose values are masked (the -H headers) */
    size_t n_mask;
};

/* --- recording --- */

static void headers_free(header *h, size_t n)
{
    for (size_t i = 0; h && i < n; i++) {
        free(h[i].name);
        free(h[i].value);
    }
    free(h);
}

static void entry_free(entry *e)
{
    if (!e)
        return;
    free(e->check);
    free(e->surface);
    free(e->method);
    free(e->url);
    free(e->head);
    headers_free(e->asked, e->n_asked);
    free(e->body);
    for (size_t i = 0; e->parts && i < e->n_parts; i++) {
        free(e->parts[i].name);
        free(e->parts[i].filename);
        free(e->parts[i].content_type);
        free(e->parts[i].text);
    }
    free(e->parts);
    free(e->status_line);
    headers_free(e->resp_headers, e->n_resp_headers);
    free(e->resp_body);
    free(e->error);
    free(e);
}

/* Copies |len| bytes (NUL-terminated) and counts them against the entry; *ok goes false
 * when memory runs out. NULL in, NULL out. */
static char *keep(entry *e, const char *s, size_t len, bool *ok)
{
    if (!s)
        return NULL;
    char *c = malloc(len + 1);
    if (!c) {
        *ok = false;
        return NULL;
    }
    memcpy(c, s, len);
    c[len] = '\0';
    e->mem += len + 1;
    return c;
}

static char *keep_str(entry *e, const char *s, bool *ok)
{
    return s ? keep(e, s, strlen(s), ok) : NULL;
}

/* True when |len| bytes are UTF-8 text without NUL. With |cut| (the bytes are the start of
 * a longer body), a sequence cut by the end is dropped: *text_len says how many to show. */
static bool utf8_text(const char *s, size_t len, bool cut, size_t *text_len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        if (p[i] == 0)
            return false;
        int n = hitl_utf8_seq(p + i, len - i);
        if (n < 0 && cut)
            break;
        if (n <= 0)
            return false;
        i += (size_t)n;
    }
    *text_len = i;
    return true;
}

static header *keep_asked_headers(entry *e, const hitl_http_request *req, size_t *n, bool *ok)
{
    *n = 0;
    if (!req->n_headers)
        return NULL;
    header *h = calloc(req->n_headers, sizeof *h);
    if (!h) {
        *ok = false;
        return NULL;
    }
    for (size_t i = 0; i < req->n_headers; i++) {
        const char *line = req->headers[i];
        const char *colon = strchr(line, ':');
        if (!colon || !colon[1])
            continue; /* "Name:" removes a default header: nothing is sent */
        const char *v = colon + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        h[*n].name = keep(e, line, (size_t)(colon - line), ok);
        h[*n].value = keep_str(e, v, ok);
        (*n)++;
    }
    e->mem += req->n_headers * sizeof *h;
    return h;
}

static void keep_parts(entry *e, const hitl_http_request *req, size_t body_max, bool *ok)
{
    e->parts = calloc(req->n_parts, sizeof *e->parts);
    if (!e->parts) {
        *ok = false;
        return;
    }
    e->n_parts = req->n_parts;
    e->mem += req->n_parts * sizeof *e->parts;
    size_t budget = body_max; /* for all the parts' text together */
    for (size_t i = 0; i < req->n_parts; i++) {
        const hitl_http_part *p = &req->parts[i];
        part *k = &e->parts[i];
        k->name = keep_str(e, p->name ? p->name : "", ok);
        k->filename = keep_str(e, p->filename, ok);
        k->content_type = keep_str(e, p->content_type, ok);
        k->len = p->data ? p->len : 0;
        size_t n = k->len < budget ? k->len : budget, shown;
        if (k->len && utf8_text(p->data, n, n < k->len, &shown) && (shown || !n)) {
            k->text = keep(e, p->data, shown, ok);
            k->text_len = shown;
            budget -= shown;
        }
    }
}

static header *keep_resp_headers(entry *e, const hitl_http_response *resp, bool *ok)
{
    if (!resp->n_headers)
        return NULL;
    header *h = calloc(resp->n_headers, sizeof *h);
    if (!h) {
        *ok = false;
        return NULL;
    }
    e->mem += resp->n_headers * sizeof *h;
    for (size_t i = 0; i < resp->n_headers; i++) {
        h[i].name = keep_str(e, resp->headers[i].name, ok);
        h[i].value = keep_str(e, resp->headers[i].value, ok);
    }
    e->n_resp_headers = resp->n_headers;
    return h;
}

/* Fills |e| from |x|; false when memory ran out. */
static bool fill(entry *e, const hitl_http_exchange *x, size_t body_max)
{
    const hitl_http_request *req = x->req;
    const hitl_http_response *resp = x->resp;
    bool ok = true;
    e->mem = sizeof *e;
    e->wall = x->started;
    e->mono = x->started_mono;
    e->check = keep_str(e, req->origin_check, &ok);
    e->surface = keep_str(e, req->origin_surface, &ok);
    e->method = keep_str(e, req->method ? req->method : "GET", &ok);
    e->url = keep_str(e, req->url ? req->url : "", &ok);
    if (x->sent_head) {
        e->head = keep(e, x->sent_head, x->sent_head_len, &ok);
        e->head_len = x->sent_head_len;
    } else {
        e->asked = keep_asked_headers(e, req, &e->n_asked, &ok);
    }
    if (req->n_parts) {
        keep_parts(e, req, body_max, &ok);
    } else if (req->body && req->body_len) {
        e->has_body = true;
        e->body_total = req->body_len;
        e->body_len = req->body_len < body_max ? req->body_len : body_max;
        e->body = keep(e, req->body, e->body_len, &ok);
    }
    e->sent_body = x->sent_body_bytes;
    e->status = resp->status;
    e->status_line = keep_str(e, x->status_line, &ok);
    e->resp_headers = keep_resp_headers(e, resp, &ok);
    e->resp_body_total = resp->body_bytes;
    e->resp_body_len = x->body_len < body_max ? x->body_len : body_max;
    e->resp_body = keep(e, x->body ? x->body : "", e->resp_body_len, &ok);
    e->stopped = resp->stopped;
    e->headers_capped = resp->headers_capped;
    e->error = x->err && x->err->code ? keep_str(e, x->err->msg, &ok) : NULL;
    e->seconds = resp->seconds;
    e->t_dns = x->t_dns;
    e->t_connect = x->t_connect;
    e->t_tls = x->t_tls;
    e->t_pre = x->t_pretransfer;
    e->t_post = x->t_posttransfer;
    e->t_first = x->t_first_byte;
    e->t_total = x->t_total;
    return ok;
}

void hitl_trace_record(void *trace, const hitl_http_exchange *x)
{
    hitl_trace *t = trace;
    entry *e = calloc(1, sizeof *e);
    bool ok = e && fill(e, x, t->body_max);
    pthread_mutex_lock(&t->lock);
    if (ok && t->used + e->mem <= t->total_max && t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        entry **grown = realloc(t->items, cap * sizeof *grown);
        if (grown) {
            t->items = grown;
            t->cap = cap;
        }
    }
    if (ok && t->used + e->mem <= t->total_max && t->n < t->cap) {
        e->seq = t->next_seq++;
        t->items[t->n++] = e;
        t->used += e->mem;
        e = NULL;
    } else {
        t->dropped++;
    }
    pthread_mutex_unlock(&t->lock);
    entry_free(e);
}

/* --- the trace object --- */

int hitl_trace_new(hitl_trace **out, const hitl_trace_config *cfg, hitl_err *err)
{
    *out = NULL;
    hitl_trace *t = calloc(1, sizeof *t);
    if (!t)
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory creating the trace");
    pthread_mutex_init(&t->lock, NULL);
    t->body_max = cfg && cfg->body_max ? cfg->body_max : HITL_TRACE_BODY_MAX;
    t->total_max = cfg && cfg->total_max ? cfg->total_max : HITL_TRACE_TOTAL_MAX;
    size_t n_mask = cfg ? cfg->n_mask_headers : 0;
    if (n_mask && !(t->mask = calloc(n_mask, sizeof *t->mask))) {
        hitl_trace_free(t);
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory creating the trace");
    }
    for (size_t i = 0; i < n_mask; i++) {
        const char *name = cfg->mask_headers[i];
        size_t len = strcspn(name, ":"); /* a whole "Name: value" line names its header */
        while (len && (name[len - 1] == ' ' || name[len - 1] == '\t'))
            len--;
        if (!(t->mask[t->n_mask] = strndup(name, len))) {
            hitl_trace_free(t);
            return hitl_err_set(err, HITL_E_NOMEM, "out of memory creating the trace");
        }
        t->n_mask++;
    }
    *out = t;
    return HITL_OK;
}

void hitl_trace_free(hitl_trace *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        entry_free(t->items[i]);
    free(t->items);
    for (size_t i = 0; i < t->n_mask; i++)
        free(t->mask[i]);
    free(t->mask);
    pthread_mutex_destroy(&t->lock);
    free(t);
}

size_t hitl_trace_count(hitl_trace *t)
{
    pthread_mutex_lock(&t->lock);
    size_t n = t->n;
    pthread_mutex_unlock(&t->lock);
    return n;
}

size_t hitl_trace_dropped(hitl_trace *t)
{
    pthread_mutex_lock(&t->lock);
    size_t n = t->dropped;
    pthread_mutex_unlock(&t->lock);
    return n;
}

/* --- JSON output --- */

typedef struct writer {
    FILE *f;
    const hitl_trace *t;
    hitl_redactor *red; /* NULL when nothing is redacted */
    bool nomem;
} writer;

/* Writes |len| bytes as a JSON string; bytes that are not UTF-8 become U+FFFD. */
static void jstr(writer *w, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    FILE *f = w->f;
    putc('"', f);
    size_t i = 0;
    while (i < len) {
        size_t run = i;
        while (run < len && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\')
            run++;
        if (run > i) {
            fwrite(p + i, 1, run - i, f);
            i = run;
            continue;
        }
        unsigned char c = p[i];
        if (c >= 0x80) {
            int n = hitl_utf8_seq(p + i, len - i);
            if (n > 0) {
                fwrite(p + i, 1, (size_t)n, f);
                i += (size_t)n;
            } else {
                fputs("\\ufffd", f);
                i++;
            }
            continue;
        }
        switch (c) {
        case '"':
            fputs("\\\"", f);
            break;
        case '\\':
            fputs("\\\\", f);
            break;
        case '\n':
            fputs("\\n", f);
            break;
        case '\r':
            fputs("\\r", f);
            break;
        case '\t':
            fputs("\\t", f);
            break;
        default:
            fputs("\\u00", f);
            putc(hex[c >> 4], f);
            putc(hex[c & 15], f);
        }
        i++;
    }
    putc('"', f);
}

static void jcstr(writer *w, const char *s)
{
    jstr(w, s, strlen(s));
}

/* A malloc'd redacted copy of |len| bytes; NULs are allowed: each NUL-free run is
 * redacted on its own. NULL when memory runs out. */
static char *redact_bytes(writer *w, const char *s, size_t len, size_t *out_len)
{
    if (!w->red) {
        char *c = malloc(len + 1);
        if (c) {
            memcpy(c, s, len);
            c[len] = '\0';
            *out_len = len;
        }
        return c;
    }
    hitl_buf b;
    /* A label may be longer than the secret it replaces; 8x bounds it (secrets ≥ 4 bytes). */
    hitl_buf_init(&b, len * 8 + 64);
    size_t i = 0;
    int rc = HITL_OK;
    while (!rc && i <= len) {
        size_t seg = strnlen(s + i, len - i);
        char *plain = strndup(s + i, seg);
        char *red = plain ? hitl_redactor_apply(w->red, plain) : NULL;
        rc = red ? hitl_buf_append_str(&b, red) : HITL_E_NOMEM;
        free(plain);
        free(red);
        i += seg;
        if (i >= len)
            break;
        rc = rc ? rc : hitl_buf_append(&b, "", 1); /* the NUL itself */
        i++;
    }
    if (rc) {
        hitl_buf_free(&b);
        return NULL;
    }
    *out_len = b.len;
    return hitl_buf_release(&b);
}

/* Writes |len| bytes of the run's text, redacted, as a JSON string. */
static void jtext(writer *w, const char *s, size_t len)
{
    size_t n;
    char *red = redact_bytes(w, s, len, &n);
    if (!red) {
        w->nomem = true;
        fputs("\"\"", w->f);
        return;
    }
    jstr(w, red, n);
    free(red);
}

static void jctext(writer *w, const char *s)
{
    jtext(w, s ? s : "", s ? strlen(s) : 0);
}

static void jbase64(writer *w, const unsigned char *p, size_t len)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char out[4];
    putc('"', w->f);
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < len)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < len)
            v |= p[i + 2];
        out[0] = tab[(v >> 18) & 63];
        out[1] = tab[(v >> 12) & 63];
        out[2] = i + 1 < len ? tab[(v >> 6) & 63] : '=';
        out[3] = i + 2 < len ? tab[v & 63] : '=';
        fwrite(out, 1, 4, w->f);
    }
    putc('"', w->f);
}

/* "2026-11-25T10:17:52.123Z" */
static void jtime(writer *w, const struct timespec *ts)
{
    struct tm tm;
    char s[40] = "1970-01-01T00:00:00";
    time_t sec = ts->tv_sec;
    if (gmtime_r(&sec, &tm))
        strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(w->f, "\"%s.%03ldZ\"", s, ts->tv_nsec / 1000000L);
}

static void jms(writer *w, double ms)
{
    if (ms < 0)
        fputs("-1", w->f);
    else
        fprintf(w->f, "%.3f", ms);
}

/* --- headers --- */

static bool is_auth_header(const char *name, size_t len)
{
    return (len == 13 && !strncasecmp(name, "authorization", 13)) ||
           (len == 19 && !strncasecmp(name, "proxy-authorization", 19));
}

static bool masked_header(const hitl_trace *t, const char *name, size_t len)
{
    if (is_auth_header(name, len) || (len == 6 && !strncasecmp(name, "cookie", 6)) ||
        (len == 10 && !strncasecmp(name, "set-cookie", 10)))
        return true;
    for (size_t i = 0; i < t->n_mask; i++)
        if (strlen(t->mask[i]) == len && !strncasecmp(t->mask[i], name, len))
            return true;
    return false;
}

/* {"name": …, "value": …}: a credential header's value is masked (an Authorization keeps
 * its scheme word, so a reader still sees Bearer vs Basic), and every value redacted. */
static void jheader(writer *w, const char *name, size_t nlen, const char *value, size_t vlen)
{
    fputs("{\"name\": ", w->f);
    jtext(w, name, nlen);
    fputs(", \"value\": ", w->f);
    if (w->red && masked_header(w->t, name, nlen)) {
        size_t scheme = 0;
        if (is_auth_header(name, nlen))
            while (scheme < vlen && value[scheme] != ' ')
                scheme++;
        char masked[64] = "[REDACTED]";
        if (scheme && scheme < vlen && scheme <= 32) /* a scheme word, then the credentials */
            snprintf(masked, sizeof masked, "%.*s [REDACTED]", (int)scheme, value);
        jcstr(w, masked);
    } else {
        jtext(w, value, vlen);
    }
    putc('}', w->f);
}

/* The value of header |name| in a "Name: value\r\n" head, or in a header array. */
static bool head_find(const char *head, size_t len, const char *name, const char **v, size_t *vlen)
{
    size_t nlen = strlen(name);
    const char *p = memchr(head, '\n', len);
    const char *end = head + len;
    while (p && p + 1 < end) {
        const char *line = p + 1;
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        if (!eol)
            eol = end;
        if ((size_t)(eol - line) > nlen && !strncasecmp(line, name, nlen) && line[nlen] == ':') {
            const char *s = line + nlen + 1, *e = eol;
            while (s < e && (*s == ' ' || *s == '\t'))
                s++;
            while (e > s && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
                e--;
            *v = s;
            *vlen = (size_t)(e - s);
            return true;
        }
        p = eol < end ? eol : NULL;
    }
    return false;
}

static const char *headers_find(const header *h, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcasecmp(h[i].name, name))
            return h[i].value;
    return NULL;
}

/* The request's Content-Type: as sent, else as asked; NULL when none. */
static const char *request_type(const entry *e, size_t *len)
{
    const char *v;
    if (e->head && head_find(e->head, e->head_len, "content-type", &v, len))
        return v;
    v = headers_find(e->asked, e->n_asked, "content-type");
    if (v)
        *len = strlen(v);
    return v;
}

static void request_headers(writer *w, const entry *e)
{
    fputs("\"headers\": [", w->f);
    bool first = true;
    if (e->head) {
        const char *end = e->head + e->head_len;
        const char *line = memchr(e->head, '\n', e->head_len); /* past the request line */
        while (line && ++line < end) {
            const char *eol = memchr(line, '\n', (size_t)(end - line));
            const char *stop = eol ? eol : end;
            while (stop > line && (stop[-1] == '\r'))
                stop--;
            const char *colon = memchr(line, ':', (size_t)(stop - line));
            if (colon) {
                const char *v = colon + 1;
                while (v < stop && (*v == ' ' || *v == '\t'))
                    v++;
                fputs(first ? "" : ", ", w->f);
                jheader(w, line, (size_t)(colon - line), v, (size_t)(stop - v));
                first = false;
            }
            line = eol;
        }
    } else {
        for (size_t i = 0; i < e->n_asked; i++) {
            fputs(first ? "" : ", ", w->f);
            jheader(w, e->asked[i].name, strlen(e->asked[i].name), e->asked[i].value,
                    strlen(e->asked[i].value));
            first = false;
        }
    }
    fputs("]", w->f);
}

/* --- entries --- */

/* The request line's last word: "HTTP/1.1". */
static void request_version(writer *w, const entry *e)
{
    if (!e->head) {
        jcstr(w, "");
        return;
    }
    size_t n = strcspn(e->head, "\r\n");
    const char *sp = e->head + n;
    while (sp > e->head && sp[-1] != ' ')
        sp--;
    jstr(w, sp, (size_t)(e->head + n - sp));
}

/* queryString from the (redacted) URL: name=value pairs as they appear, not decoded. */
static void query_string(writer *w, const char *url)
{
    fputs("\"queryString\": [", w->f);
    const char *q = strchr(url, '?');
    if (q) {
        q++;
        size_t qlen = strcspn(q, "#");
        const char *end = q + qlen;
        bool first = true;
        while (q < end) {
            const char *amp = memchr(q, '&', (size_t)(end - q));
            const char *stop = amp ? amp : end;
            if (stop > q) {
                const char *eq = memchr(q, '=', (size_t)(stop - q));
                fputs(first ? "{\"name\": " : ", {\"name\": ", w->f);
                jstr(w, q, (size_t)((eq ? eq : stop) - q));
                fputs(", \"value\": ", w->f);
                if (eq)
                    jstr(w, eq + 1, (size_t)(stop - eq - 1));
                else
                    jcstr(w, "");
                putc('}', w->f);
                first = false;
            }
            q = stop + 1;
        }
    }
    fputs("]", w->f);
}

/* A body's "text" (with "encoding": "base64" when it is not UTF-8 text) and a comment
 * saying it was cut. Redaction runs on the bytes, before either. */
static void body_text(writer *w, const char *data, size_t len, size_t total, const char *enc_key,
                      bool *binary)
{
    size_t n = len;
    char *red = redact_bytes(w, data, len, &n);
    if (!red) {
        w->nomem = true;
        fputs("\"text\": \"\"", w->f);
        return;
    }
    size_t shown;
    *binary = !utf8_text(red, n, len < total, &shown);
    if (*binary) {
        fputs("\"text\": ", w->f);
        jbase64(w, (const unsigned char *)red, n);
        fprintf(w->f, ", \"%s\": \"base64\"", enc_key);
    } else {
        fputs("\"text\": ", w->f);
        jstr(w, red, shown);
    }
    free(red);
    if (len < total)
        fprintf(w->f, ", \"comment\": \"truncated after %zu bytes (of %zu)\"", len, total);
}

static void post_data(writer *w, const entry *e)
{
    size_t tlen = 0;
    const char *type = request_type(e, &tlen);
    if (e->n_parts) {
        /* The text is rebuilt from the parts (libcurl encodes them as it sends), with the
         * boundary that was sent; a binary part's bytes are a note. */
        char boundary[BOUNDARY_MAX + 1] = "hitlcheck-boundary";
        const char *b = type ? strstr(type, "boundary=") : NULL;
        if (b && b < type + tlen) {
            b += 9;
            size_t blen = strcspn(b, ";\r\n ");
            if (blen > BOUNDARY_MAX)
                blen = BOUNDARY_MAX;
            memcpy(boundary, b, blen);
            boundary[blen] = '\0';
        }
        fputs(", \"postData\": {\"mimeType\": ", w->f);
        if (type)
            jtext(w, type, tlen);
        else
            jcstr(w, "multipart/form-data");
        fputs(", \"params\": [", w->f);
        hitl_buf text;
        hitl_buf_init(&text, w->t->body_max + e->n_parts * 1024u + 1024u);
        for (size_t i = 0; i < e->n_parts; i++) {
            const part *p = &e->parts[i];
            fputs(i ? ", {\"name\": " : "{\"name\": ", w->f);
            jctext(w, p->name);
            if (p->filename) {
                fputs(", \"fileName\": ", w->f);
                jctext(w, p->filename);
            }
            if (p->content_type) {
                fputs(", \"contentType\": ", w->f);
                jctext(w, p->content_type);
            }
            if (!p->filename && p->text && p->text_len == p->len) {
                fputs(", \"value\": ", w->f);
                jtext(w, p->text, p->text_len);
            }
            putc('}', w->f);
            hitl_buf_printf(&text, "--%s\r\nContent-Disposition: form-data; name=\"%s\"", boundary,
                            p->name);
            if (p->filename)
                hitl_buf_printf(&text, "; filename=\"%s\"", p->filename);
            if (p->content_type)
                hitl_buf_printf(&text, "\r\nContent-Type: %s", p->content_type);
            hitl_buf_append_str(&text, "\r\n\r\n");
            if (p->text) {
                hitl_buf_append(&text, p->text, p->text_len);
                if (p->text_len < p->len)
                    hitl_buf_printf(&text, "[… %zu more bytes not shown]", p->len - p->text_len);
            } else if (p->len) {
                hitl_buf_printf(&text, "[%zu bytes of binary data not shown]", p->len);
            }
            hitl_buf_append_str(&text, "\r\n");
        }
        hitl_buf_printf(&text, "--%s--\r\n", boundary);
        fputs("], \"text\": ", w->f);
        jtext(w, hitl_buf_str(&text), text.len);
        hitl_buf_free(&text);
        fputs(", \"comment\": \"multipart body rebuilt from its parts; binary contents are "
              "replaced by a note\"}",
              w->f);
        return;
    }
    if (!e->has_body)
        return;
    fputs(", \"postData\": {\"mimeType\": ", w->f);
    if (type)
        jtext(w, type, tlen);
    else
        jcstr(w, "application/octet-stream");
    fputs(", ", w->f);
    bool binary;
    body_text(w, e->body, e->body_len, e->body_total, "_encoding", &binary);
    putc('}', w->f);
}

/* An entry's timings in milliseconds; time is their sum (ssl is part of connect). */
typedef struct har_timings {
    double dns, connect, ssl, send, wait, receive, time;
} har_timings;

/* HAR timings from libcurl's phase ends: each phase is the time from the previous reached
 * end to its own, so the parts add up to the entry's time. What was not reached is -1
 * (dns, connect, ssl) or 0 (send, wait, receive, which HAR requires). */
static har_timings timings(const entry *e)
{
    double total = e->t_total > 0 ? e->t_total : e->seconds;
    double last = 0, dns = -1, connect = -1, ssl = -1, send = 0, wait = 0, receive = 0;
    if (e->t_dns > 0) {
        dns = e->t_dns;
        last = e->t_dns;
    }
    if (e->t_connect >= last && e->t_connect > 0) {
        double conn_end = e->t_tls >= e->t_connect && e->t_tls > 0 ? e->t_tls : e->t_connect;
        connect = conn_end - last;
        if (conn_end > e->t_connect)
            ssl = conn_end - e->t_connect;
        last = conn_end;
    }
    if (!e->head && !e->t_first) {
        /* Nothing was sent: the time went on reaching the server. */
        double rest = total > last ? total - last : 0;
        connect = connect < 0 ? rest : connect + rest;
    } else {
        double sent_at = e->t_post >= last && e->t_post > 0 ? e->t_post
                         : e->t_pre >= last                 ? e->t_pre
                                                            : last;
        send = sent_at - last;
        last = sent_at;
        if (e->t_first >= last && e->t_first > 0) {
            wait = e->t_first - last;
            receive = total > e->t_first ? total - e->t_first : 0;
        } else {
            wait = total > last ? total - last : 0;
        }
    }
    har_timings h = {.dns = dns < 0 ? -1 : dns * 1000,
                     .connect = connect < 0 ? -1 : connect * 1000,
                     .ssl = ssl < 0 ? -1 : ssl * 1000,
                     .send = send * 1000,
                     .wait = wait * 1000,
                     .receive = receive * 1000};
    h.time =
        (h.dns > 0 ? h.dns : 0) + (h.connect > 0 ? h.connect : 0) + h.send + h.wait + h.receive;
    return h;
}

static void write_timings(writer *w, const har_timings *h)
{
    fputs("\"timings\": {\"blocked\": -1, \"dns\": ", w->f);
    jms(w, h->dns);
    fputs(", \"connect\": ", w->f);
    jms(w, h->connect);
    fputs(", \"ssl\": ", w->f);
    jms(w, h->ssl);
    fputs(", \"send\": ", w->f);
    jms(w, h->send);
    fputs(", \"wait\": ", w->f);
    jms(w, h->wait);
    fputs(", \"receive\": ", w->f);
    jms(w, h->receive);
    fputs("}", w->f);
}

static void response(writer *w, const entry *e)
{
    const char *sl = e->status_line ? e->status_line : "";
    size_t vlen = strcspn(sl, " ");
    const char *text = sl + vlen;
    while (*text == ' ')
        text++;
    text += strspn(text, "0123456789");
    while (*text == ' ')
        text++;
    fprintf(w->f, "\"response\": {\"status\": %ld, \"statusText\": ", e->status);
    jtext(w, text, strlen(text));
    fputs(", \"httpVersion\": ", w->f);
    jstr(w, sl, vlen);
    fputs(", \"cookies\": [], \"headers\": [", w->f);
    for (size_t i = 0; i < e->n_resp_headers; i++) {
        fputs(i ? ", " : "", w->f);
        jheader(w, e->resp_headers[i].name, strlen(e->resp_headers[i].name),
                e->resp_headers[i].value, strlen(e->resp_headers[i].value));
    }
    const char *type = headers_find(e->resp_headers, e->n_resp_headers, "content-type");
    fprintf(w->f, "], \"content\": {\"size\": %zu, \"mimeType\": ", e->resp_body_total);
    jctext(w, type ? type : "");
    fputs(", ", w->f);
    bool binary;
    body_text(w, e->resp_body, e->resp_body_len, e->resp_body_total, "encoding", &binary);
    if (e->stopped && e->resp_body_len >= e->resp_body_total)
        fprintf(w->f,
                ", \"comment\": \"the harness closed the transfer after %zu bytes: it had "
                "seen what it needed\"",
                e->resp_body_total);
    fputs("}, \"redirectURL\": ", w->f);
    const char *loc = e->status >= 300 && e->status < 400
                          ? headers_find(e->resp_headers, e->n_resp_headers, "location")
                          : NULL;
    jctext(w, loc ? loc : "");
    fprintf(w->f, ", \"headersSize\": -1, \"bodySize\": %zu", e->resp_body_total);
    if (e->error) {
        fputs(", \"_error\": ", w->f); /* where Chrome's own HAR files say it */
        jctext(w, e->error);
    } else if (e->headers_capped) {
        fputs(", \"comment\": \"the response headers passed the harness's cap\"", w->f);
    }
    putc('}', w->f);
}

static void write_entry(writer *w, const entry *e)
{
    FILE *f = w->f;
    fputs("{\"pageref\": \"run\", \"startedDateTime\": ", f);
    jtime(w, &e->wall);
    har_timings tm = timings(e);
    fputs(", \"time\": ", f);
    jms(w, tm.time);
    fputs(", \"request\": {\"method\": ", f);
    jctext(w, e->method);
    fputs(", \"url\": ", f);
    size_t ulen = 0;
    char *url = redact_bytes(w, e->url, strlen(e->url), &ulen);
    jcstr(w, url ? url : "");
    fputs(", \"httpVersion\": ", f);
    request_version(w, e);
    fputs(", \"cookies\": [], ", f);
    request_headers(w, e);
    fputs(", ", f);
    query_string(w, url ? url : "");
    free(url);
    post_data(w, e);
    if (e->head)
        fprintf(f, ", \"headersSize\": %zu, \"bodySize\": %zu", e->head_len, e->sent_body);
    else
        fputs(", \"headersSize\": -1, \"bodySize\": -1", f);
    if (!e->head)
        fputs(", \"comment\": \"nothing was sent: the headers are the ones the request asked "
              "for\"",
              f);
    fputs("}, ", f);
    response(w, e);
    fputs(", \"cache\": {}, ", f);
    write_timings(w, &tm);
    fputs(", \"_resourceType\": ", f);
    const char *type = headers_find(e->resp_headers, e->n_resp_headers, "content-type");
    jcstr(w, type && !strncasecmp(type, "text/event-stream", 17) ? "eventsource" : "fetch");
    fputs(", \"_hitlcheck\": {\"check\": ", f);
    if (e->check)
        jcstr(w, e->check);
    else
        fputs("null", f);
    fputs(", \"surface\": ", f);
    if (e->surface)
        jcstr(w, e->surface);
    else
        fputs("null", f);
    putc('}', f);
    if (e->error) {
        fputs(", \"comment\": ", f);
        char msg[HITL_ERR_MSG_MAX + 64];
        snprintf(msg, sizeof msg, "no complete response: %s", e->error);
        jctext(w, msg);
    }
    putc('}', f);
}

/* The tokens a response issued ("form_token": "…", "upload_token": "…" members, in JSON
 * bodies and SSE events alike) are added to the redactor: a check that met a token without
 * registering it (hitl_ctx_secret) must not leak it through the trace, which keeps far
 * more of each body than the reports do. */
static const char *find(const char *p, const char *end, const char *needle, size_t n)
{
    while ((size_t)(end - p) >= n) {
        const char *c = memchr(p, needle[0], (size_t)(end - p) - n + 1);
        if (!c)
            return NULL;
        if (!memcmp(c, needle, n))
            return c;
        p = c + 1;
    }
    return NULL;
}

static void learn_tokens(hitl_redactor *red, const entry *e)
{
    static const struct {
        const char *key;
        const char *label;
    } members[] = {{"\"form_token\"", "form-token"}, {"\"upload_token\"", "upload-token"}};
    const char *end = e->resp_body + e->resp_body_len;
    for (size_t m = 0; m < sizeof members / sizeof members[0]; m++) {
        size_t klen = strlen(members[m].key);
        const char *p = e->resp_body;
        while ((p = find(p, end, members[m].key, klen)) != NULL) {
            p += klen;
            while (p < end && (*p == ' ' || *p == '\t' || *p == ':'))
                p++;
            if (p >= end || *p != '"')
                continue;
            const char *v = ++p;
            while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p > ' ')
                p++;
            if (p < end && *p == '"' && p - v < 1024) {
                char token[1024];
                memcpy(token, v, (size_t)(p - v));
                token[p - v] = '\0';
                hitl_redactor_add(red, token, members[m].label);
            }
        }
    }
}

static int by_start(const void *a, const void *b)
{
    const entry *x = *(entry *const *)a, *y = *(entry *const *)b;
    if (x->mono.tv_sec != y->mono.tv_sec)
        return x->mono.tv_sec < y->mono.tv_sec ? -1 : 1;
    if (x->mono.tv_nsec != y->mono.tv_nsec)
        return x->mono.tv_nsec < y->mono.tv_nsec ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int hitl_trace_write_stream(hitl_trace *t, FILE *f, const hitl_trace_meta *m, hitl_err *err)
{
    hitl_redactor *red = m ? m->redactor : NULL;
    writer w = {.f = f, .t = t, .red = hitl_redactor_enabled(red) ? red : NULL};
    pthread_mutex_lock(&t->lock);
    qsort(t->items, t->n, sizeof *t->items, by_start);
    for (size_t i = 0; w.red && i < t->n; i++)
        learn_tokens(w.red, t->items[i]);
    char comment[512];
    int len = snprintf(comment, sizeof comment, "hitlcheck run --trace: %zu HTTP exchange%s. %s",
                       t->n, t->n == 1 ? "" : "s",
                       w.red ? "Secrets are redacted (API keys, form and upload tokens, "
                               "credential headers)."
                             : "SECRETS ARE SHOWN (--show-secrets): do not publish this file.");
    if (t->dropped && len > 0 && (size_t)len < sizeof comment)
        snprintf(comment + len, sizeof comment - (size_t)len,
                 " %zu more exchanges ended after the trace reached its cap of %zu bytes: they "
                 "are only counted.",
                 t->dropped, t->total_max);
    fputs(
        "{\"log\": {\n\"version\": \"1.2\",\n\"creator\": {\"name\": \"hitlcheck\", \"version\": ",
        f);
    jcstr(&w, m && m->version ? m->version : "unknown");
    fputs("},\n\"comment\": ", f);
    jcstr(&w, comment);
    fputs(",\n\"pages\": [{\"id\": \"run\", \"startedDateTime\": ", f);
    struct timespec first;
    if (t->n)
        first = t->items[0]->wall;
    else
        clock_gettime(CLOCK_REALTIME, &first);
    jtime(&w, &first);
    fputs(", \"title\": ", f);
    jctext(&w, m && m->title ? m->title : "hitlcheck run");
    fputs(", \"pageTimings\": {\"onContentLoad\": -1, \"onLoad\": -1}}],\n\"entries\": [", f);
    for (size_t i = 0; i < t->n; i++) {
        fputs(i ? ",\n" : "\n", f);
        write_entry(&w, t->items[i]);
    }
    fputs("\n]}}\n", f);
    pthread_mutex_unlock(&t->lock);
    if (w.nomem)
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory writing the trace");
    if (fflush(f) != 0 || ferror(f))
        return hitl_err_set(err, HITL_E_IO, "cannot write the trace: %s", strerror(errno));
    return HITL_OK;
}

/* Splits |path| into its directory ("." for a bare name) and its last component. */
static int split_path(const char *path, char *dir, char *base, hitl_err *err)
{
    size_t len = strlen(path);
    if (!len || path[len - 1] == '/')
        return hitl_err_set(err, HITL_E_IO, "--trace '%s' must name a file", path);
    if (len >= PATH_CAP)
        return hitl_err_set(err, HITL_E_IO, "--trace '%.64s…' is too long", path);
    const char *slash = strrchr(path, '/');
    if (!slash) {
        snprintf(dir, PATH_CAP, ".");
        snprintf(base, PATH_CAP, "%s", path);
    } else {
        size_t dlen = slash == path ? 1 : (size_t)(slash - path);
        memcpy(dir, path, dlen);
        dir[dlen] = '\0';
        snprintf(base, PATH_CAP, "%s", slash + 1);
    }
    return HITL_OK;
}

/* Creates the temporary file next to |path|; returns its descriptor or -1 with |err| set. */
static int make_temp(const char *path, char *tmp, hitl_err *err)
{
    char dir[PATH_CAP], base[PATH_CAP];
    if (split_path(path, dir, base, err))
        return -1;
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        hitl_err_set(err, HITL_E_IO, "cannot write the trace to '%s': it is a directory", path);
        return -1;
    }
    if (snprintf(tmp, PATH_CAP, "%s/.%s.XXXXXX", dir, base) >= PATH_CAP) {
        hitl_err_set(err, HITL_E_IO, "--trace '%.64s…' is too long", path);
        return -1;
    }
    int fd = mkstemp(tmp);
    if (fd < 0)
        hitl_err_set(err, HITL_E_IO,
                     "cannot write the trace to '%s': cannot create a file in '%s': %s", path, dir,
                     strerror(errno));
    return fd;
}

int hitl_trace_check_path(const char *path, hitl_err *err)
{
    char tmp[PATH_CAP];
    int fd = make_temp(path, tmp, err);
    if (fd < 0)
        return HITL_E_IO;
    close(fd);
    unlink(tmp);
    return HITL_OK;
}

int hitl_trace_write(hitl_trace *t, const char *path, const hitl_trace_meta *m, hitl_err *err)
{
    char tmp[PATH_CAP];
    int fd = make_temp(path, tmp, err);
    if (fd < 0)
        return HITL_E_IO;
    /* mkstemp makes the file 0600; a redacted trace is meant to be shared like the reports,
     * one with the secrets shown stays private. */
    if (m && hitl_redactor_enabled(m->redactor))
        (void)fchmod(fd, 0644);
    FILE *f = fdopen(fd, "w");
    if (!f) {
        int e = errno;
        close(fd);
        unlink(tmp);
        return hitl_err_set(err, HITL_E_IO, "cannot write %s: %s", path, strerror(e));
    }
    int rc = hitl_trace_write_stream(t, f, m, err);
    if (!rc && (fflush(f) != 0 || fsync(fileno(f)) != 0))
        rc = hitl_err_set(err, HITL_E_IO, "cannot write %s: %s", path, strerror(errno));
    if (fclose(f) != 0 && !rc)
        rc = hitl_err_set(err, HITL_E_IO, "cannot write %s: %s", path, strerror(errno));
    if (!rc && rename(tmp, path) != 0)
        rc = hitl_err_set(err, HITL_E_IO, "cannot rename into %s: %s", path, strerror(errno));
    if (rc)
        unlink(tmp);
    return rc;
}
