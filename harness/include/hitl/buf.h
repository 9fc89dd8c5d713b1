/* buf.h: a growable byte buffer with a hard maximum size set at creation (curl's dynbuf).
 * Hitting the maximum is a named error (HITL_E_TOO_BIG), never an unbounded realloc.
 * The contents are always NUL-terminated (the terminator is not counted in len). */
#ifndef HITL_BUF_H
#define HITL_BUF_H

#include <stddef.h>
#include "hitl/err.h"

typedef struct hitl_buf {
    char *ptr;  /* NULL until the first append */
    size_t len; /* bytes in use */
    size_t cap; /* bytes allocated, excluding the NUL */
    size_t max; /* the most len may ever be */
} hitl_buf;

/* hitl_buf_init prepares |b| to hold at most |max| bytes; it allocates nothing. */
void hitl_buf_init(hitl_buf *b, size_t max);
/* hitl_buf_append copies |len| bytes; HITL_E_TOO_BIG if the result would pass max
 * (|b| is left unchanged), HITL_E_NOMEM if allocation fails. */
int hitl_buf_append(hitl_buf *b, const void *data, size_t len);
int hitl_buf_append_str(hitl_buf *b, const char *s);
int hitl_buf_printf(hitl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* hitl_buf_reset empties |b| and keeps its allocation for reuse. */
void hitl_buf_reset(hitl_buf *b);
/* hitl_buf_release hands ownership of the contents to the caller (free() them) and
 * leaves |b| empty; returns an allocated empty string when nothing was appended. */
char *hitl_buf_release(hitl_buf *b);
void hitl_buf_free(hitl_buf *b);
/* "" when empty, never NULL. */
const char *hitl_buf_str(const hitl_buf *b);

#endif
