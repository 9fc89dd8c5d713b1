/* hostile.c: answers that attack the client. */
#include "hostile.h"

#include "respond.h"
#include "stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define BOMB_CHUNK (1024u * 1024u)
#define BOMB_CHUNKS 1100u /* 1100 MiB of zeros: more than 1 GiB inflated */
#define FLOOD_HEADERS 10000
#define HUGE_FORM_BYTES (12u * 1024u * 1024u) /* past the harness's 8 MiB body cap */
#define HUGE_DIGITS 100000u                   /* far past what a double holds (1e308) */
#define RECONNECT "retry: 0\n\n"              /* "reconnect at once" (HTML SSE §9.2.6) */

const char *rs_hostile_event_token(const hitl_refserver *s, const char *real)
{
    return rs_fault_active(s, RS_F_HOSTILE_TRAVERSAL_TOKEN) ? RS_HOSTILE_ESCAPE : real;
}

const char *rs_hostile_event_run_id(const hitl_refserver *s, const char *real)
{
    return rs_fault_active(s, RS_F_HOSTILE_TRAVERSAL_RUN_ID) ? RS_HOSTILE_ESCAPE : real;
}

/* build_huge_form makes a 12 MiB form body: valid JSON whose form_content is 'x' repeated. */
static int build_huge_form(hitl_refserver *s)
{
    static const char head[] = "{\"form_content\":\"";
    static const char tail[] = "\",\"inputs\":[],\"resolved_default_values\":{},"
                               "\"user_actions\":[],\"expiration_time\":0}";
    char *p = malloc(HUGE_FORM_BYTES);
    if (!p)
        return -1;
    size_t fill = HUGE_FORM_BYTES - (sizeof head - 1) - (sizeof tail - 1);
    memcpy(p, head, sizeof head - 1);
    memset(p + sizeof head - 1, 'x', fill);
    memcpy(p + sizeof head - 1 + fill, tail, sizeof tail - 1);
    s->huge_form = p;
    s->huge_form_len = HUGE_FORM_BYTES;
    return 0;
}

static int deflate_into(z_stream *z, const unsigned char *in, size_t n, int flush,
                        unsigned char *out, size_t cap, size_t *outlen)
{
    z->next_in = (unsigned char *)in;
    z->avail_in = (uInt)n;
    z->next_out = out;
    z->avail_out = (uInt)cap;
    int zr = deflate(z, flush);
    if ((zr != Z_OK && zr != Z_STREAM_END) || z->avail_in != 0 || z->avail_out == 0)
        return -1;
    *outlen = cap - z->avail_out;
    return 0;
}

/* build_bomb makes a gzip member inflating to BOMB_CHUNKS MiB of zeros without deflating
 * all of them: after a sync flush the compressed form of one more MiB of zeros, given a
 * window of zeros, is the same bytes every time, so it is computed once and repeated. */
static int build_bomb(hitl_refserver *s)
{
    unsigned char *zeros = calloc(1, BOMB_CHUNK);
    unsigned char *a = malloc(BOMB_CHUNK), *b = malloc(BOMB_CHUNK), *c = malloc(4096);
    size_t alen = 0, blen = 0, clen = 0;
    int rc = -1;
    z_stream z;
    memset(&z, 0, sizeof z);
    if (!zeros || !a || !b || !c ||
        deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        goto out;
    if (deflate_into(&z, zeros, BOMB_CHUNK, Z_SYNC_FLUSH, a, BOMB_CHUNK, &alen) ||
        deflate_into(&z, zeros, BOMB_CHUNK, Z_SYNC_FLUSH, b, BOMB_CHUNK, &blen) ||
        deflate_into(&z, NULL, 0, Z_FINISH, c, 4096, &clen)) {
        deflateEnd(&z);
        goto out;
    }
    deflateEnd(&z);
    uLong crc1 = crc32(0, zeros, BOMB_CHUNK), crc = crc1;
    for (unsigned i = 1; i < BOMB_CHUNKS; i++)
        crc = crc32_combine(crc, crc1, BOMB_CHUNK);
    uint32_t isize = (uint32_t)((uint64_t)BOMB_CHUNKS * BOMB_CHUNK); /* mod 2^32 */
    size_t total = 10 + alen + (BOMB_CHUNKS - 1) * blen + clen + 8;
    unsigned char *p = malloc(total);
    if (!p)
        goto out;
    static const unsigned char hdr[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3};
    size_t o = 0;
    memcpy(p, hdr, 10);
    o += 10;
    memcpy(p + o, a, alen);
    o += alen;
    for (unsigned i = 1; i < BOMB_CHUNKS; i++, o += blen)
        memcpy(p + o, b, blen);
    memcpy(p + o, c, clen);
    o += clen;
    for (int i = 0; i < 4; i++)
        p[o++] = (unsigned char)(crc >> (8 * i));
    for (int i = 0; i < 4; i++)
        p[o++] = (unsigned char)(isize >> (8 * i));
    s->gzip_bomb = p;
    s->gzip_bomb_len = o;
    rc = 0;
out:
    free(zeros);
    free(a);
    free(b);
    free(c);
    return rc;
}

int rs_hostile_init(hitl_refserver *s, hitl_err *err)
{
    if (rs_fault_active(s, RS_F_HOSTILE_GZIP_BOMB) && build_bomb(s))
        return hitl_err_set(err, HITL_E_NOMEM, "hostile-gzip-bomb: cannot build the gzip body");
    if (rs_fault_active(s, RS_F_HOSTILE_HUGE_FORM) && build_huge_form(s))
        return hitl_err_set(err, HITL_E_NOMEM, "hostile-huge-form: cannot build the body");
    return HITL_OK;
}

int rs_hostile_start(rs_req *r, const char *frames, size_t len, enum MHD_Result *rc)
{
    const hitl_refserver_config *cfg = &r->srv->cfg;
    rs_stream_opts o = {.declared_size = MHD_SIZE_UNKNOWN};
    if (rs_fault_on(cfg, RS_F_HOSTILE_ENDLESS_STREAM))
        o.kind = RS_STREAM_KEEPALIVE;
    else if (rs_fault_on(cfg, RS_F_HOSTILE_ENDLESS_LINE))
        o.kind = RS_STREAM_ENDLESS_LINE;
    else if (rs_fault_on(cfg, RS_F_HOSTILE_SLOW_DRIP)) {
        o.kind = RS_STREAM_DRIP;
        o.initial = frames;
        o.initial_len = len;
    } else if (rs_fault_on(cfg, RS_F_HOSTILE_RECONNECT)) {
        /* The normal frames after `retry: 0`: a client may not take it as a reason to open
         * the stream again once it has ended. */
        hitl_buf b;
        hitl_buf_init(&b, len + sizeof RECONNECT);
        int ok = !hitl_buf_append_str(&b, RECONNECT) && !hitl_buf_append(&b, frames, len);
        *rc = ok ? rs_reply(r, 200, "text/event-stream; charset=utf-8", hitl_buf_str(&b), b.len)
                 : MHD_NO;
        hitl_buf_free(&b);
        return 1;
    } else
        return 0;
    *rc = rs_reply_stream(r, &o, "text/event-stream; charset=utf-8");
    return 1;
}

int rs_hostile_resume(rs_req *r, enum MHD_Result *rc)
{
    if (!rs_fault_active(r->srv, RS_F_HOSTILE_RECONNECT))
        return 0;
    *rc = rs_reply(r, 200, "text/event-stream; charset=utf-8", RECONNECT, sizeof RECONNECT - 1);
    return 1;
}

/* huge_numbers answers |body| (the normal GET body) with 100,000-digit numbers: as its
 * expiration_time and as one more resolved default. */
static enum MHD_Result huge_numbers(rs_req *r, const char *body, size_t len)
{
    static const char exp_key[] = "\"expiration_time\":";
    static const char defaults_key[] = "\"resolved_default_values\":{";
    const char *e = strstr(body, exp_key);
    const char *d = strstr(body, defaults_key);
    if (!e || !d || d > e) /* the body's order is fixed (events.c); be safe all the same */
        return rs_reply(r, 200, "application/json", body, len);
    char *digits = malloc(HUGE_DIGITS + 1);
    if (!digits)
        return MHD_NO;
    memset(digits, '9', HUGE_DIGITS);
    digits[HUGE_DIGITS] = '\0';
    const char *after_d = d + sizeof defaults_key - 1;
    const char *after_e = e + sizeof exp_key - 1;
    size_t num = strspn(after_e, "0123456789");
    hitl_buf b;
    hitl_buf_init(&b, len + 3 * HUGE_DIGITS);
    int rc = hitl_buf_append(&b, body, (size_t)(after_d - body));
    rc = rc ? rc
            : hitl_buf_printf(&b, "\"hostile_number\":-%s%s", digits, *after_d == '}' ? "" : ",");
    rc = rc ? rc : hitl_buf_append(&b, after_d, (size_t)(after_e - after_d));
    rc = rc ? rc : hitl_buf_append_str(&b, digits);
    rc = rc ? rc : hitl_buf_append_str(&b, after_e + num);
    free(digits);
    enum MHD_Result res =
        rc ? MHD_NO : rs_reply(r, 200, "application/json", hitl_buf_str(&b), b.len);
    hitl_buf_free(&b);
    return res;
}

static const char HTML_PAGE[] =
    "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>\n"
    "<h1>Sign in to continue</h1>\n<form method=\"post\" action=\"/login\">"
    "<input name=\"user\"><input name=\"password\" type=\"password\">"
    "<button>Sign in</button></form>\n</body></html>\n";

static enum MHD_Result flood(rs_req *r, const char *body, size_t len)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    char name[32], value[96];
    memset(value, 'a', sizeof value - 1);
    value[sizeof value - 1] = '\0';
    for (int i = 0; i < FLOOD_HEADERS; i++) {
        snprintf(name, sizeof name, "X-Flood-%05d", i);
        MHD_add_response_header(resp, name, value);
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    return rs_queue(r, 200, resp);
}

int rs_hostile_form_get(rs_req *r, const char *body, size_t len, enum MHD_Result *rc)
{
    hitl_refserver *s = r->srv;
    const hitl_refserver_config *cfg = &s->cfg;
    if (rs_fault_on(cfg, RS_F_HOSTILE_GZIP_BOMB) && s->gzip_bomb) {
        struct MHD_Response *resp =
            MHD_create_response_from_buffer(s->gzip_bomb_len, s->gzip_bomb, MHD_RESPMEM_PERSISTENT);
        if (!resp) {
            *rc = MHD_NO;
            return 1;
        }
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
        *rc = rs_queue(r, 200, resp);
        return 1;
    }
    if (rs_fault_on(cfg, RS_F_HOSTILE_HUGE_CONTENT_LENGTH)) {
        rs_stream_opts o = {.kind = RS_STREAM_STALL,
                            .initial = body,
                            .initial_len = len / 2,
                            .declared_size = 10000000000ull};
        *rc = rs_reply_stream(r, &o, "application/json");
        return 1;
    }
    if (rs_fault_on(cfg, RS_F_HOSTILE_REDIRECT_LOOP)) {
        char loc[512];
        snprintf(loc, sizeof loc, "%s%s",
                 r->route == RS_R_WEB_FORM ? "/api/form/human_input/" : "/v1/form/human_input/",
                 r->param);
        struct MHD_Response *resp =
            MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        if (!resp) {
            *rc = MHD_NO;
            return 1;
        }
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, loc);
        *rc = rs_queue(r, 302, resp);
        return 1;
    }
    if (rs_fault_on(cfg, RS_F_HOSTILE_HEADER_FLOOD)) {
        *rc = flood(r, body, len);
        return 1;
    }
    if (rs_fault_on(cfg, RS_F_HOSTILE_MALFORMED_JSON)) {
        *rc = rs_reply(r, 200, "application/json", body, len / 2);
        return 1;
    }
    if (rs_fault_on(cfg, RS_F_HOSTILE_HTML_FORM)) {
        *rc = rs_reply(r, 200, "text/html; charset=utf-8", HTML_PAGE, sizeof HTML_PAGE - 1);
        return 1;
    }
    if (rs_fault_on(cfg, RS_F_HOSTILE_HUGE_FORM) && s->huge_form) {
        struct MHD_Response *resp =
            MHD_create_response_from_buffer(s->huge_form_len, s->huge_form, MHD_RESPMEM_PERSISTENT);
        if (!resp) {
            *rc = MHD_NO;
            return 1;
        }
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
        *rc = rs_queue(r, 200, resp);
        return 1;
    }
    if (rs_fault_on(cfg, RS_F_HOSTILE_HUGE_NUMBERS)) {
        *rc = huge_numbers(r, body, len);
        return 1;
    }
    return 0;
}
