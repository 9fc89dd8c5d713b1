/* buf.c: bounded growable buffer. */
#include "hitl/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hitl_buf_init(hitl_buf *b, size_t max)
{
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

static int reserve(hitl_buf *b, size_t extra)
{
    if (extra > b->max - b->len)
        return HITL_E_TOO_BIG;
    size_t need = b->len + extra;
    if (need <= b->cap && b->ptr)
        return HITL_OK;
    size_t cap = b->cap ? b->cap : (b->max < 64 ? b->max : 64);
    while (cap < need)
        cap = cap > b->max / 2 ? b->max : cap * 2;
    if (cap < need)
        cap = need;
    char *p = realloc(b->ptr, cap + 1);
    if (!p)
        return HITL_E_NOMEM;
    b->ptr = p;
    b->cap = cap;
    return HITL_OK;
}

int hitl_buf_append(hitl_buf *b, const void *data, size_t len)
{
    int rc = reserve(b, len);
    if (rc)
        return rc;
    if (len)
        memcpy(b->ptr + b->len, data, len);
    b->len += len;
    b->ptr[b->len] = '\0';
    return HITL_OK;
}

int hitl_buf_append_str(hitl_buf *b, const char *s)
{
    return hitl_buf_append(b, s, strlen(s));
}

int hitl_buf_printf(hitl_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return HITL_E_ARG;
    int rc = reserve(b, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return HITL_OK;
}

void hitl_buf_reset(hitl_buf *b)
{
    b->len = 0;
    if (b->ptr)
        b->ptr[0] = '\0';
}

char *hitl_buf_release(hitl_buf *b)
{
    char *p = b->ptr;
    if (!p)
        p = calloc(1, 1);
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}

void hitl_buf_free(hitl_buf *b)
{
    free(b->ptr);
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
}

const char *hitl_buf_str(const hitl_buf *b)
{
    return b->ptr ? b->ptr : "";
}
