/* utf8.h: UTF-8 validation for text that came off the network and goes into a format that
 * must be UTF-8 (JSON, XML, HTML, HAR). RFC 3629: no overlong forms, no surrogates,
 * nothing past U+10FFFF. */
#ifndef HITL_UTF8_H
#define HITL_UTF8_H

#include <stddef.h>

/* The length of the UTF-8 sequence at |p| (|left| >= 1 bytes available): n > 0 when it is
 * a valid sequence (1 for ASCII), 0 when invalid, -1 when the |left| bytes are the start of
 * a valid sequence cut short. */
int hitl_utf8_seq(const unsigned char *p, size_t left);

/* A malloc'd, NUL-terminated copy of |len| bytes of |s| in which every invalid byte (and
 * a sequence cut short at the end) is U+FFFD; NULL when out of memory. NUL bytes are kept
 * as they are, so a caller that reads it as a C string sees it end there. */
char *hitl_utf8_sanitize(const char *s, size_t len);

#endif
