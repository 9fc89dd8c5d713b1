/* test_fixture.c: the remote-URL fixture server, over loopback with libcurl and raw
 * sockets (for what curl would hide: bytes past a lying Content-Length, a dripping body). */
#include "hitl/fixture.h"

#include <arpa/inet.h>
#include "check_main.h"
#include <check.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SAMPLE_MAX 4096u

/* ---- helpers ------------------------------------------------------------------------- */

static hitl_fixture *start_fixture(void)
{
    hitl_fixture *f = NULL;
    hitl_err err = {0};
    int rc = hitl_fixture_start("127.0.0.1:0", &f, &err);
    ck_assert_msg(rc == 0, "start: %s", err.msg);
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_ne(hitl_fixture_port(f), 0);
    return f;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct fetched {
    CURLcode rc;
    long status;
    char ctype[128];
    long long clen; /* -1 when absent */
    int n_clen;     /* Content-Length headers seen (last response) */
    char location[512];
    char www_auth[256];
    char allow[64];
    unsigned char sample[SAMPLE_MAX]; /* the body's first bytes */
    size_t total;                     /* body bytes received (not stored beyond sample) */
} fetched;

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
    fetched *r = ud;
    size_t len = sz * n;
    if (r->total < SAMPLE_MAX) {
        size_t k = SAMPLE_MAX - r->total < len ? SAMPLE_MAX - r->total : len;
        memcpy(r->sample + r->total, p, k);
    }
    r->total += len;
    return len;
}

static void header_value(const char *line, size_t len, char *out, size_t cap)
{
    const char *colon = memchr(line, ':', len);
    size_t i = (size_t)(colon - line) + 1;
    while (i < len && line[i] == ' ')
        i++;
    size_t end = len;
    while (end > i && (line[end - 1] == '\r' || line[end - 1] == '\n'))
        end--;
    size_t n = end - i < cap - 1 ? end - i : cap - 1;
    memcpy(out, line + i, n);
    out[n] = '\0';
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
    fetched *r = ud;
    size_t len = sz * n;
    if (len > 5 && strncmp(p, "HTTP/", 5) == 0) { /* a new response (redirects) */
        r->n_clen = 0;
        r->clen = -1;
        return len;
    }
    if (!memchr(p, ':', len))
        return len;
    if (strncasecmp(p, "Content-Type:", 13) == 0)
        header_value(p, len, r->ctype, sizeof r->ctype);
    else if (strncasecmp(p, "Content-Length:", 15) == 0) {
        char v[32];
        header_value(p, len, v, sizeof v);
        r->clen = atoll(v);
        r->n_clen++;
    } else if (strncasecmp(p, "Location:", 9) == 0)
        header_value(p, len, r->location, sizeof r->location);
    else if (strncasecmp(p, "WWW-Authenticate:", 17) == 0)
        header_value(p, len, r->www_auth, sizeof r->www_auth);
    else if (strncasecmp(p, "Allow:", 6) == 0)
        header_value(p, len, r->allow, sizeof r->allow);
    return len;
}

/* fetch requests |path| from |f| with |method| ("GET", "HEAD", "POST"); redirects are
 * followed only when |max_redirs| > 0. */
static void fetch_ex(hitl_fixture *f, const char *method, const char *path, long max_redirs,
                     fetched *r)
{
    memset(r, 0, sizeof *r);
    r->clen = -1;
    char url[1024];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", (unsigned)hitl_fixture_port(f), path);
    CURL *c = curl_easy_init();
    ck_assert_ptr_nonnull(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROXY, ""); /* never through an environment proxy */
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 60000L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    else if (strcmp(method, "POST") == 0)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, "x=1");
    if (max_redirs > 0) {
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(c, CURLOPT_MAXREDIRS, max_redirs);
    }
    r->rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_cleanup(c);
}

static void fetch(hitl_fixture *f, const char *method, const char *path, fetched *r)
{
    fetch_ex(f, method, path, 0, r);
}

/* Raw sockets, for what an HTTP client would normalise away. */
static int raw_connect(const char *ip, uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    ck_assert_int_eq(inet_pton(AF_INET, ip, &sa.sin_addr), 1);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int raw_get(hitl_fixture *f, const char *path)
{
    int fd = raw_connect("127.0.0.1", hitl_fixture_port(f));
    ck_assert_int_ge(fd, 0);
    char req[512];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", path);
    ck_assert_int_eq(send(fd, req, (size_t)n, MSG_NOSIGNAL), n);
    return fd;
}

/* raw_read reads into |buf| until |deadline|: >0 bytes, 0 at EOF, -1 on error, -2 when
 * the deadline passed with nothing to read. */
static ssize_t raw_read(int fd, void *buf, size_t cap, double deadline)
{
    double left = deadline - now_s();
    if (left <= 0)
        return -2;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int pr = poll(&p, 1, (int)(left * 1000) + 1);
    if (pr == 0)
        return -2;
    if (pr < 0)
        return -1;
    return recv(fd, buf, cap, 0);
}

typedef struct raw_head {
    char text[8192];    /* the header block, NUL-terminated */
    size_t body_in_buf; /* body bytes that arrived with the headers */
} raw_head;

/* raw_read_head reads the response head (up to the blank line). */
static void raw_read_head(int fd, raw_head *h, double deadline)
{
    size_t len = 0;
    memset(h, 0, sizeof *h);
    for (;;) {
        ck_assert_msg(len < sizeof h->text - 1, "response head longer than 8 KiB");
        ssize_t n = raw_read(fd, h->text + len, sizeof h->text - 1 - len, deadline);
        ck_assert_msg(n > 0, "no complete response head (read returned %zd)", n);
        len += (size_t)n;
        h->text[len] = '\0';
        char *end = strstr(h->text, "\r\n\r\n");
        if (end) {
            h->body_in_buf = len - (size_t)(end + 4 - h->text);
            end[2] = '\0';
            return;
        }
    }
}

/* count_header counts header lines named |name| (case-insensitive) and copies the last
 * value. */
static int count_header(const raw_head *h, const char *name, char *val, size_t cap)
{
    int count = 0;
    size_t nl = strlen(name);
    const char *line = strstr(h->text, "\r\n");
    while (line && line[2]) {
        line += 2;
        if (strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
            count++;
            const char *v = line + nl + 1;
            while (*v == ' ')
                v++;
            size_t k = strcspn(v, "\r");
            if (val) {
                k = k < cap - 1 ? k : cap - 1;
                memcpy(val, v, k);
                val[k] = '\0';
            }
        }
        line = strstr(line, "\r\n");
    }
    return count;
}

/* ---- every file: status, headers, body ------------------------------------------------ */

typedef struct file_case {
    const char *file;
    long status;
    const char *ctype;
    long long size;
    const char *prefix; /* the body starts with these bytes */
    size_t prefix_len;
} file_case;

#define PFX(s) (s), (sizeof(s) - 1)
static const file_case file_cases[] = {
    {"good.pdf", 200, "application/pdf", 455, PFX("%PDF-1.4\n1 0 obj\n")},
    {"good.png", 200, "image/png", 70, PFX("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR")},
    {"missing.pdf", 404, "text/plain", 10, PFX("not found\n")},
    {"private.pdf", 401, "text/plain", 24, PFX("authentication required\n")},
    {"forbidden.pdf", 403, "text/plain", 10, PFX("forbidden\n")},
    {"broken.pdf", 500, "text/plain", 22, PFX("internal server error\n")},
    {"huge.pdf", 200, "application/pdf", 64ll * 1024 * 1024, PFX("%PDF-1.4\n%hitlcheck")},
    {"evil.exe", 200, "application/octet-stream", 57, PFX("MZ\x90\0\x03\0\0\0")},
    /* the same under any blacklisted extension a user names (--blocked-extension) */
    {"evil.bat", 200, "application/octet-stream", 57, PFX("MZ\x90\0\x03\0\0\0")},
    {"evil.php5", 200, "application/octet-stream", 57, PFX("MZ\x90\0\x03\0\0\0")},
    {"wrong-type.png", 200, "text/html; charset=utf-8", 143,
     PFX("<!DOCTYPE html>\n<html><head><title>not a PNG</title>")},
    {"loop.pdf", 302, "text/plain", 22, PFX("redirecting to itself\n")},
};
#define N_FILE_CASES (int)(sizeof file_cases / sizeof file_cases[0])

START_TEST(file_get_status_type_length_body)
{
    const file_case *fc = &file_cases[_i];
    hitl_fixture *f = start_fixture();
    char path[128];
    snprintf(path, sizeof path, "/n/tbl/%s", fc->file);
    fetched r;
    fetch(f, "GET", path, &r);
    ck_assert_msg(r.rc == CURLE_OK, "%s: curl %s", fc->file, curl_easy_strerror(r.rc));
    ck_assert_int_eq(r.status, fc->status);
    ck_assert_str_eq(r.ctype, fc->ctype);
    ck_assert_int_eq(r.n_clen, 1);
    ck_assert_int_eq(r.clen, fc->size);
    ck_assert_uint_eq(r.total, (size_t)fc->size);
    ck_assert_mem_eq(r.sample, fc->prefix, fc->prefix_len);
    hitl_fixture_stop(f);
}
END_TEST

/* Dify does HEAD first (§6.3, §7.3): same status and headers, no body. */
START_TEST(file_head_matches_get_without_body)
{
    const file_case *fc = &file_cases[_i];
    hitl_fixture *f = start_fixture();
    char path[128];
    snprintf(path, sizeof path, "/n/tbl/%s", fc->file);
    fetched r;
    fetch(f, "HEAD", path, &r);
    ck_assert_msg(r.rc == CURLE_OK, "%s: curl %s", fc->file, curl_easy_strerror(r.rc));
    ck_assert_int_eq(r.status, fc->status);
    ck_assert_str_eq(r.ctype, fc->ctype);
    ck_assert_int_eq(r.clen, fc->size);
    ck_assert_uint_eq(r.total, 0);
    ck_assert_uint_eq(hitl_fixture_hits_method(f, "HEAD", path), 1);
    ck_assert_uint_eq(hitl_fixture_hits_method(f, "GET", path), 0);
    hitl_fixture_stop(f);
}
END_TEST

START_TEST(private_pdf_asks_for_credentials)
{
    hitl_fixture *f = start_fixture();
    fetched r;
    fetch(f, "GET", "/n/a/private.pdf", &r);
    ck_assert_int_eq(r.status, 401);
    ck_assert_str_eq(r.www_auth, "Basic realm=\"hitlcheck fixture\"");
    hitl_fixture_stop(f);
}
END_TEST

/* The PDF must be one a strict parser accepts: every xref offset lands on its object. */
START_TEST(good_pdf_xref_offsets_exact)
{
    hitl_fixture *f = start_fixture();
    fetched r;
    fetch(f, "GET", "/n/x/good.pdf", &r);
    ck_assert_int_eq(r.status, 200);
    char pdf[SAMPLE_MAX + 1];
    ck_assert_uint_lt(r.total, SAMPLE_MAX);
    memcpy(pdf, r.sample, r.total);
    pdf[r.total] = '\0';
    ck_assert_str_eq(pdf + r.total - 6, "%%EOF\n");
    const char *sx = strstr(pdf, "startxref\n");
    ck_assert_ptr_nonnull(sx);
    long xref = atol(sx + 10);
    ck_assert_int_gt(xref, 0);
    ck_assert_int_lt(xref, (long)r.total);
    ck_assert_int_eq(strncmp(pdf + xref, "xref\n0 5\n", 9), 0);
    const char *entry = pdf + xref + 9 + 20; /* entries are 20 bytes; skip object 0 */
    for (int obj = 1; obj <= 4; obj++, entry += 20) {
        long off = atol(entry);
        char want[16];
        int n = snprintf(want, sizeof want, "%d 0 obj\n", obj);
        ck_assert_msg(off > 0 && off < xref && strncmp(pdf + off, want, (size_t)n) == 0,
                      "object %d: xref offset %ld does not point at '%d 0 obj'", obj, off, obj);
        ck_assert_int_eq(strncmp(entry + 10, " 00000 n \n", 10), 0);
    }
    hitl_fixture_stop(f);
}
END_TEST

static uint32_t crc32_of(const unsigned char *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return c ^ 0xffffffffu;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

START_TEST(good_png_chunks_and_crcs_valid)
{
    hitl_fixture *f = start_fixture();
    fetched r;
    fetch(f, "GET", "/n/x/good.png", &r);
    ck_assert_int_eq(r.status, 200);
    const unsigned char *p = r.sample;
    size_t n = r.total, off = 8;
    ck_assert_mem_eq(p, "\x89PNG\r\n\x1a\n", 8);
    const char *want[] = {"IHDR", "IDAT", "IEND"};
    for (int i = 0; i < 3; i++) {
        ck_assert_uint_le(off + 12, n);
        uint32_t len = be32(p + off);
        ck_assert_uint_le(off + 12 + len, n);
        ck_assert_mem_eq(p + off + 4, want[i], 4);
        ck_assert_msg(crc32_of(p + off + 4, 4 + len) == be32(p + off + 8 + len),
                      "%s chunk CRC mismatch", want[i]);
        if (i == 0) {
            ck_assert_uint_eq(len, 13);
            ck_assert_uint_eq(be32(p + off + 8), 1);  /* width */
            ck_assert_uint_eq(be32(p + off + 12), 1); /* height */
        }
        off += 12 + len;
    }
    ck_assert_uint_eq(off, n); /* nothing after IEND */
    hitl_fixture_stop(f);
}
END_TEST

/* huge.pdf: every byte past the PDF-looking head is filler; the body is generated, and
 * its length is exactly what it declared (the table case checks the count). */
static size_t count_non_filler(char *p, size_t sz, size_t n, void *ud)
{
    size_t *state = ud; /* [0]: bytes so far, [1]: bad filler bytes */
    const size_t head = sizeof "%PDF-1.4\n%hitlcheck fixture filler\n" - 1;
    for (size_t i = 0; i < sz * n; i++, state[0]++)
        if (state[0] >= head && p[i] != '0')
            state[1]++;
    return sz * n;
}

START_TEST(huge_pdf_body_is_generated_filler)
{
    hitl_fixture *f = start_fixture();
    char url[256];
    hitl_err err = {0};
    ck_assert_int_eq(hitl_fixture_url(f, "huge", "huge.pdf", url, sizeof url, &err), 0);
    size_t state[2] = {0, 0};
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, count_non_filler);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, state);
    ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
    curl_easy_cleanup(c);
    ck_assert_uint_eq(state[0], HITL_FIXTURE_HUGE_SIZE);
    ck_assert_uint_eq(state[1], 0);
    hitl_fixture_stop(f);
}
END_TEST

/* ---- lying.pdf ------------------------------------------------------------------------- */

/* On the wire: one Content-Length: 1000, no chunked framing, Connection: close, then
 * 64 MiB of body until EOF. */
START_TEST(lying_pdf_declares_1000_then_sends_64mib)
{
    hitl_fixture *f = start_fixture();
    int fd = raw_get(f, "/n/lie/lying.pdf");
    double deadline = now_s() + 60;
    raw_head h;
    raw_read_head(fd, &h, deadline);
    ck_assert_msg(strncmp(h.text, "HTTP/1.1 200 ", 13) == 0, "status line: %.40s", h.text);
    char v[128];
    ck_assert_int_eq(count_header(&h, "Content-Length", v, sizeof v), 1);
    ck_assert_str_eq(v, "1000");
    ck_assert_int_eq(count_header(&h, "Transfer-Encoding", NULL, 0), 0);
    ck_assert_int_eq(count_header(&h, "Connection", v, sizeof v), 1);
    ck_assert_str_eq(v, "close");
    ck_assert_int_eq(count_header(&h, "Content-Type", v, sizeof v), 1);
    ck_assert_str_eq(v, "application/pdf");
    size_t body = h.body_in_buf;
    static char buf[1 << 16];
    ssize_t n;
    while ((n = raw_read(fd, buf, sizeof buf, deadline)) > 0)
        body += (size_t)n;
    ck_assert_msg(n == 0, "the body did not end with a close (read returned %zd)", n);
    ck_assert_uint_eq(body, HITL_FIXTURE_LYING_SIZE);
    close(fd);
    hitl_fixture_stop(f);
}
END_TEST

/* A client that trusts the header reads 1000 bytes and stops: the lie is what a size
 * check done on Content-Length alone would believe. */
START_TEST(lying_pdf_fools_a_length_trusting_client)
{
    hitl_fixture *f = start_fixture();
    fetched r;
    fetch(f, "GET", "/n/lie/lying.pdf", &r);
    ck_assert_msg(r.rc == CURLE_OK, "curl %s", curl_easy_strerror(r.rc));
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(r.clen, HITL_FIXTURE_LYING_DECLARED);
    ck_assert_uint_eq(r.total, HITL_FIXTURE_LYING_DECLARED);
    ck_assert_mem_eq(r.sample, "%PDF-1.4\n", 9);
    fetch(f, "HEAD", "/n/lie/lying.pdf", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(r.n_clen, 1);
    ck_assert_int_eq(r.clen, HITL_FIXTURE_LYING_DECLARED);
    ck_assert_uint_eq(r.total, 0);
    hitl_fixture_stop(f);
}
END_TEST

/* ---- slow.pdf ---------------------------------------------------------------------------- */

static size_t wait_active(hitl_fixture *f, size_t want, double secs)
{
    double until = now_s() + secs;
    size_t n;
    while ((n = hitl_fixture_active(f)) != want && now_s() < until)
        usleep(50 * 1000);
    return n;
}

START_TEST(slow_pdf_drips_one_byte_per_second)
{
    hitl_fixture *f = start_fixture();
    int fd = raw_get(f, "/n/slow/slow.pdf");
    double t0 = now_s();
    raw_head h;
    raw_read_head(fd, &h, t0 + 5);
    char v[64];
    ck_assert_int_eq(count_header(&h, "Content-Length", v, sizeof v), 1);
    ck_assert_str_eq(v, "600");
    size_t body = h.body_in_buf;
    char buf[64];
    ssize_t n;
    while ((n = raw_read(fd, buf, sizeof buf, t0 + 2.5)) > 0)
        body += (size_t)n;
    ck_assert_int_eq(n, -2); /* still open, still dripping */
    ck_assert_msg(body >= 2 && body <= 4, "%zu bytes in 2.5 s, expected 2..4 at 1 byte/s", body);
    ck_assert_uint_eq(hitl_fixture_active(f), 1);
    close(fd); /* the client goes away: the fixture must notice and drop the drip */
    ck_assert_uint_eq(wait_active(f, 0, 5.0), 0);
    hitl_fixture_stop(f);
}
END_TEST

START_TEST(stop_is_prompt_with_a_slow_client_connected)
{
    hitl_fixture *f = start_fixture();
    int fd = raw_get(f, "/n/slow/slow.pdf");
    raw_head h;
    raw_read_head(fd, &h, now_s() + 5);
    ck_assert_uint_eq(wait_active(f, 1, 2.0), 1);
    usleep(300 * 1000); /* the reader is now asleep between bytes */
    double t0 = now_s();
    hitl_fixture_stop(f);
    double took = now_s() - t0;
    /* The contract is "well under 2 s"; 0.5 s also catches a stop that fails to wake the
     * sleeping reader (it would wait out the rest of its second, ~0.7 s here). */
    ck_assert_msg(took < 0.5, "hitl_fixture_stop took %.2f s with a slow.pdf client", took);
    /* The client sees the connection end, not a hang. */
    char buf[64];
    ssize_t n;
    double until = now_s() + 2.0;
    while ((n = raw_read(fd, buf, sizeof buf, until)) > 0) {
    }
    ck_assert_msg(n == 0 || n == -1, "connection still open after stop (read returned %zd)", n);
    close(fd);
}
END_TEST

/* ---- loop.pdf, other methods, unknown paths ---------------------------------------------- */

START_TEST(loop_pdf_redirects_to_itself)
{
    hitl_fixture *f = start_fixture();
    fetched r;
    fetch(f, "GET", "/n/loop/loop.pdf", &r);
    ck_assert_int_eq(r.status, 302);
    ck_assert_str_eq(r.location, "/n/loop/loop.pdf");
    /* A client following redirects gives up after its limit: 1 + 3 requests. */
    fetch_ex(f, "GET", "/n/loop2/loop.pdf", 3, &r);
    ck_assert_int_eq(r.rc, CURLE_TOO_MANY_REDIRECTS);
    ck_assert_uint_eq(hitl_fixture_hits(f, "/n/loop2/loop.pdf"), 4);
    hitl_fixture_stop(f);
}
END_TEST

START_TEST(post_gets_405_with_allow)
{
    hitl_fixture *f = start_fixture();
    fetched r;
    fetch(f, "POST", "/n/m/good.pdf", &r);
    ck_assert_int_eq(r.status, 405);
    ck_assert_str_eq(r.allow, "GET, HEAD");
    ck_assert_uint_eq(hitl_fixture_hits_method(f, "POST", "/n/m/"), 1);
    hitl_fixture_stop(f);
}
END_TEST

static const struct {
    const char *path;
    long status;
} route_cases[] = {
    {"/", 404},
    {"/good.pdf", 404},
    {"/n/", 404},
    {"/n/abc", 404},
    {"/n/abc/", 404},
    {"/n/abc/nope.pdf", 404},
    {"/n/abc/good.pdfx", 404},
    {"/n/abc/good.pdf/", 404},
    {"/n/abc/evil.", 404},
    {"/n/abc/evil.EXE", 404},
    {"/n/abc/evil.a.b", 404},
    {"/n/abc/evil.abcdefghijklmnop", 404},
    {"/n/abc/GOOD.PDF", 404},
    {"/n//good.pdf", 404},
    {"/n/a/b/good.pdf", 404},
    {"/n/a!b/good.pdf", 404},
    {"/n/a%2Fb/good.pdf", 404},
    {"/n/../good.pdf", 404},
    {"/n/./good.pdf", 404},
    {"/x/abc/good.pdf", 404},
    {"/N/abc/good.pdf", 404},
    {"/n/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx/good.pdf", 404}, /* 65 */
    {"/n/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx/good.pdf", 200},  /* 64 */
    {"/n/submit.inline-remote.ok-web-base/good.pdf", 200},
    {"/n/A-z_0.9/good.png", 200},
    {"/n/q/good.pdf?token=abc", 200},
};

START_TEST(routes_only_nonce_and_known_file)
{
    hitl_fixture *f = start_fixture();
    for (size_t i = 0; i < sizeof route_cases / sizeof route_cases[0]; i++) {
        fetched r;
        fetch(f, "GET", route_cases[i].path, &r);
        ck_assert_msg(r.rc == CURLE_OK && r.status == route_cases[i].status,
                      "%s: got %ld (curl %d), expected %ld", route_cases[i].path, r.status,
                      (int)r.rc, route_cases[i].status);
    }
    /* Every request is logged, served or not; the query string is not part of the path. */
    ck_assert_uint_eq(hitl_fixture_hits(f, "/"), sizeof route_cases / sizeof route_cases[0]);
    ck_assert_uint_eq(hitl_fixture_hits(f, "/n/q/good.pdf"), 1);
    ck_assert_uint_eq(hitl_fixture_hits(f, "/n/q/good.pdf?"), 0);
    ck_assert_uint_eq(hitl_fixture_hits(f, "/n/abc/"), 9);
    hitl_fixture_stop(f);
}
END_TEST

/* ---- the request log --------------------------------------------------------------------- */

START_TEST(hits_counted_per_nonce)
{
    hitl_fixture *f = start_fixture();
    fetched r;
    fetch(f, "HEAD", "/n/alpha/good.pdf", &r);
    fetch(f, "GET", "/n/alpha/good.pdf", &r);
    fetch(f, "GET", "/n/alpha/missing.pdf", &r);
    fetch(f, "GET", "/n/beta/good.png", &r);
    ck_assert_uint_eq(hitl_fixture_hits(f, "/n/alpha/"), 3);
    ck_assert_uint_eq(hitl_fixture_hits(f, "/n/beta/"), 1);
    ck_assert_uint_eq(hitl_fixture_hits(f, "/n/alpha/good.pdf"), 2);
    ck_assert_uint_eq(hitl_fixture_hits_method(f, "HEAD", "/n/alpha/"), 1);
    ck_assert_uint_eq(hitl_fixture_hits_method(f, "GET", "/n/alpha/"), 2);
    ck_assert_uint_eq(hitl_fixture_hits(f, "/n/gamma/"), 0);
    ck_assert_uint_eq(hitl_fixture_hits(f, "/n/"), 4);
    ck_assert_uint_eq(hitl_fixture_hits(f, ""), 4);
    ck_assert_uint_eq(hitl_fixture_hits(NULL, "/n/"), 0);
    hitl_fixture_stop(f);
}
END_TEST

/* The log is a ring of HITL_FIXTURE_LOG_MAX: the oldest requests drop out, memory stays
 * bounded. One keep-alive connection carries all the requests. */
START_TEST(log_ring_keeps_the_last_entries)
{
    hitl_fixture *f = start_fixture();
    char url_old[256], url_new[256];
    hitl_err err = {0};
    ck_assert_int_eq(hitl_fixture_url(f, "old", "missing.pdf", url_old, sizeof url_old, &err), 0);
    ck_assert_int_eq(hitl_fixture_url(f, "new", "missing.pdf", url_new, sizeof url_new, &err), 0);
    CURL *c = curl_easy_init();
    fetched r;
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
    for (unsigned i = 0; i < 10 + HITL_FIXTURE_LOG_MAX; i++) {
        curl_easy_setopt(c, CURLOPT_URL, i < 10 ? url_old : url_new);
        ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
    }
    curl_easy_cleanup(c);
    ck_assert_uint_eq(hitl_fixture_hits(f, "/n/old/"), 0);
    ck_assert_uint_eq(hitl_fixture_hits(f, "/n/new/"), HITL_FIXTURE_LOG_MAX);
    hitl_fixture_stop(f);
}
END_TEST

/* Paths longer than the log keeps are logged truncated, never overflowing an entry. */
START_TEST(long_path_logged_truncated)
{
    hitl_fixture *f = start_fixture();
    char path[1200] = "/n/long/";
    memset(path + 8, 'p', 1000);
    path[1008] = '\0';
    fetched r;
    fetch(f, "GET", path, &r);
    ck_assert_int_eq(r.status, 404);
    path[HITL_FIXTURE_PATH_MAX - 1] = '\0';
    ck_assert_uint_eq(hitl_fixture_hits(f, path), 1);
    path[HITL_FIXTURE_PATH_MAX - 1] = 'p';
    path[HITL_FIXTURE_PATH_MAX] = '\0';
    ck_assert_uint_eq(hitl_fixture_hits(f, path), 0);
    hitl_fixture_stop(f);
}
END_TEST

/* ---- start, address, URLs ----------------------------------------------------------------- */

static const char *const bad_listens[] = {
    "",
    "127.0.0.1",
    "127.0.0.1:",
    "127.0.0.1:65536",
    "127.0.0.1:-1",
    "127.0.0.1:8x",
    "127.0.0.1:000080",
    "localhost:0",
    ":0",
    "::1:0",
    "[::1]",
    "[::1]0",
    "[]:0",
    "[127.0.0.1]:0",
    "[::1:0",
    "1.2.3:0",
    "999.0.0.1:0",
    " 127.0.0.1:0",
    "fe80::1%lo:0",
};

START_TEST(start_rejects_malformed_listen_address)
{
    hitl_fixture *f = (hitl_fixture *)&f; /* must be reset to NULL */
    hitl_err err = {0};
    int rc = hitl_fixture_start(bad_listens[_i], &f, &err);
    ck_assert_msg(rc == HITL_E_ARG, "'%s': rc %d", bad_listens[_i], rc);
    ck_assert_ptr_null(f);
    ck_assert_int_eq(err.code, HITL_E_ARG);
    ck_assert_msg(strstr(err.msg, "fixture listen address") != NULL, "message: %s", err.msg);
}
END_TEST

START_TEST(start_reports_port_in_use)
{
    hitl_fixture *a = start_fixture(), *b = NULL;
    char addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%u", (unsigned)hitl_fixture_port(a));
    hitl_err err = {0};
    ck_assert_int_eq(hitl_fixture_start(addr, &b, &err), HITL_E_IO);
    ck_assert_ptr_null(b);
    ck_assert_msg(strstr(err.msg, addr) != NULL, "message lacks the address: %s", err.msg);
    hitl_fixture_stop(a);
}
END_TEST

/* Bound to exactly 127.0.0.1: the same port on another loopback address refuses. */
START_TEST(binds_only_the_given_address)
{
    hitl_fixture *f = start_fixture();
    int fd = raw_connect("127.0.0.2", hitl_fixture_port(f));
    int e = errno;
    if (fd >= 0)
        close(fd);
    ck_assert_msg(fd < 0 && e == ECONNREFUSED, "127.0.0.2 reached the fixture bound to 127.0.0.1");
    fd = raw_connect("127.0.0.1", hitl_fixture_port(f));
    ck_assert_int_ge(fd, 0);
    close(fd);
    hitl_fixture_stop(f);
}
END_TEST

START_TEST(url_built_from_listen_host_and_port)
{
    hitl_fixture *f = start_fixture();
    char url[128], want[128];
    hitl_err err = {0};
    ck_assert_int_eq(hitl_fixture_url(f, "chk.a-1_b", "good.pdf", url, sizeof url, &err), 0);
    snprintf(want, sizeof want, "http://127.0.0.1:%u/n/chk.a-1_b/good.pdf",
             (unsigned)hitl_fixture_port(f));
    ck_assert_str_eq(url, want);
    ck_assert_int_eq(hitl_fixture_url(f, "a/b", "good.pdf", url, sizeof url, &err), HITL_E_ARG);
    ck_assert_int_eq(hitl_fixture_url(f, "", "good.pdf", url, sizeof url, &err), HITL_E_ARG);
    ck_assert_int_eq(hitl_fixture_url(f, "..", "good.pdf", url, sizeof url, &err), HITL_E_ARG);
    ck_assert_int_eq(hitl_fixture_url(f, "ok", "a/good.pdf", url, sizeof url, &err), HITL_E_ARG);
    ck_assert_int_eq(hitl_fixture_url(f, "ok", "", url, sizeof url, &err), HITL_E_ARG);
    ck_assert_int_eq(hitl_fixture_url(f, "ok", "good.pdf", url, strlen(want) - 8, &err),
                     HITL_E_TOO_LONG);
    ck_assert_str_eq(url, "");
    char nonce[HITL_FIXTURE_NONCE_MAX + 2];
    memset(nonce, 'n', sizeof nonce - 1);
    nonce[sizeof nonce - 1] = '\0';
    ck_assert_int_eq(hitl_fixture_url(f, nonce, "good.pdf", url, sizeof url, &err), HITL_E_ARG);
    nonce[HITL_FIXTURE_NONCE_MAX] = '\0';
    ck_assert_int_eq(hitl_fixture_url(f, nonce, "good.pdf", url, sizeof url, &err), 0);
    hitl_fixture_stop(f);
}
END_TEST

START_TEST(stop_null_is_noop)
{
    hitl_fixture_stop(NULL);
    ck_assert_uint_eq(hitl_fixture_port(NULL), 0);
    ck_assert_uint_eq(hitl_fixture_active(NULL), 0);
}
END_TEST

static Suite *fixture_suite(void)
{
    Suite *s = suite_create("fixture");
    TCase *tc = tcase_create("files");
    tcase_add_loop_test(tc, file_get_status_type_length_body, 0, N_FILE_CASES);
    tcase_add_loop_test(tc, file_head_matches_get_without_body, 0, N_FILE_CASES);
    tcase_add_test(tc, private_pdf_asks_for_credentials);
    tcase_add_test(tc, good_pdf_xref_offsets_exact);
    tcase_add_test(tc, good_png_chunks_and_crcs_valid);
    tcase_add_test(tc, huge_pdf_body_is_generated_filler);
    tcase_add_test(tc, lying_pdf_declares_1000_then_sends_64mib);
    tcase_add_test(tc, lying_pdf_fools_a_length_trusting_client);
    tcase_add_test(tc, loop_pdf_redirects_to_itself);
    tcase_add_test(tc, post_gets_405_with_allow);
    tcase_add_test(tc, routes_only_nonce_and_known_file);
    suite_add_tcase(s, tc);

    tc = tcase_create("slow");
    tcase_add_test(tc, slow_pdf_drips_one_byte_per_second);
    tcase_add_test(tc, stop_is_prompt_with_a_slow_client_connected);
    suite_add_tcase(s, tc);

    tc = tcase_create("log");
    tcase_add_test(tc, hits_counted_per_nonce);
    tcase_add_test(tc, log_ring_keeps_the_last_entries);
    tcase_add_test(tc, long_path_logged_truncated);
    suite_add_tcase(s, tc);

    tc = tcase_create("lifecycle");
    tcase_add_loop_test(tc, start_rejects_malformed_listen_address, 0,
                        (int)(sizeof bad_listens / sizeof bad_listens[0]));
    tcase_add_test(tc, start_reports_port_in_use);
    tcase_add_test(tc, binds_only_the_given_address);
    tcase_add_test(tc, url_built_from_listen_host_and_port);
    tcase_add_test(tc, stop_null_is_noop);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = hitl_check_run(fixture_suite());
    curl_global_cleanup();
    return rc;
}
