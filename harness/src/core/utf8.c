/* utf8.c: UTF-8 validation (see utf8.h). */
#include "hitl/utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int hitl_utf8_seq(const unsigned char *p, size_t left)
{
    unsigned c = p[0];
    if (c < 0x80)
        return 1;
    int n;
    unsigned min;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, min = 0x10000;
    else
        return 0;
    unsigned cp = c & (0x3fu >> (n - 1));
    for (int i = 1; i < n; i++) {
        if ((size_t)i >= left)
            return -1;
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3fu);
        /* Overlong, surrogate or past U+10FFFF: decidable after the second byte, so a
         * truncated sequence is only "cut short" when it could still become valid. */
        if (i == 1 && n > 2) {
            unsigned top = cp << (6 * (n - 2));
            if (top < min || (top >= 0xd800 && top <= 0xdfff) || top > 0x10ffff)
                return 0;
        }
    }
    if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
        return 0;
    return n;
}

char *hitl_utf8_sanitize(const char *s, size_t len)
{
    /* Each invalid byte grows to 3: the worst case is all of them. */
    if (len > (SIZE_MAX - 1) / 3)
        return NULL;
    char *out = malloc(len * 3 + 1);
    if (!out)
        return NULL;
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        int n = hitl_utf8_seq(p + i, len - i);
        if (n > 0) {
            memcpy(out + o, p + i, (size_t)n);
            o += (size_t)n;
            i += (size_t)n;
        } else {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        }
    }
    out[o] = '\0';
    return out;
}
