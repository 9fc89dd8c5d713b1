/* url.c: judging and percent-encoding values that go into URLs (see url.h). */
#include "hitl/url.h"

#include <stdio.h>
#include <string.h>

int hitl_url_value_check(const char *value, hitl_err *err)
{
    if (!value || !value[0])
        return hitl_err_set(err, HITL_E_INVALID, "%s", value ? "is empty" : "is missing");
    size_t n = strlen(value);
    if (n > HITL_URL_VALUE_MAX)
        return hitl_err_set(err, HITL_E_INVALID,
                            "is %zu bytes long, over the %u a URL value may "
                            "have",
                            n, HITL_URL_VALUE_MAX);
    if (!strcmp(value, ".") || !strcmp(value, ".."))
        return hitl_err_set(err, HITL_E_INVALID,
                            "is the dot segment \"%s\", which a URL resolves to another path",
                            value);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)value[i];
        if (c < 0x20 || c == 0x7F)
            return hitl_err_set(err, HITL_E_INVALID,
                                "holds the control byte 0x%02X at byte %zu of %zu (CR, LF and "
                                "NUL could end a request line or header)",
                                c, i, n);
        if (c == '/' || c == '\\')
            return hitl_err_set(err, HITL_E_INVALID,
                                "holds '%c' at byte %zu of %zu: a path separator, which would "
                                "make it more than one path segment",
                                c, i, n);
    }
    return HITL_OK;
}

static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

int hitl_url_encode(hitl_buf *out, const char *value)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        int rc;
        if (unreserved(*p)) {
            rc = hitl_buf_append(out, p, 1);
        } else {
            char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            rc = hitl_buf_append(out, esc, 3);
        }
        if (rc)
            return rc;
    }
    return HITL_OK;
}

/* Copies |b| (NUL-terminated) into |out|; HITL_E_TOO_BIG when it does not fit. */
static int copy_out(char *out, size_t cap, const hitl_buf *b)
{
    if (b->len >= cap)
        return HITL_E_TOO_BIG;
    memcpy(out, hitl_buf_str(b), b->len + 1);
    return HITL_OK;
}

int hitl_url_path(char *out, size_t cap, const char *prefix, const char *value, const char *suffix,
                  hitl_err *err)
{
    if (cap)
        out[0] = '\0';
    int rc = hitl_url_value_check(value, err);
    if (rc)
        return rc;
    hitl_buf b;
    hitl_buf_init(&b, cap);
    rc = hitl_buf_append_str(&b, prefix ? prefix : "");
    rc = rc ? rc : hitl_url_encode(&b, value);
    rc = rc ? rc : hitl_buf_append_str(&b, suffix ? suffix : "");
    rc = rc ? rc : copy_out(out, cap, &b);
    hitl_buf_free(&b);
    if (rc == HITL_E_TOO_BIG)
        return hitl_err_set(err, rc, "makes a path longer than %zu bytes", cap ? cap - 1 : 0);
    return rc ? hitl_err_set(err, rc, "out of memory building a path") : HITL_OK;
}

int hitl_url_path_harness_raw(char *out, size_t cap, const char *prefix, const char *raw,
                              const char *suffix)
{
    int n =
        snprintf(out, cap, "%s%s%s", prefix ? prefix : "", raw ? raw : "", suffix ? suffix : "");
    return n < 0 || (size_t)n >= cap ? HITL_E_TOO_BIG : HITL_OK;
}
