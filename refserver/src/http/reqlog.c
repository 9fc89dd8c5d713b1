/* reqlog.c: --request-log (see reqlog.h). */
#include "reqlog.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define LINE_MAX_BYTES (256u * 1024u) /* a 64 KiB path, escaped, fits */

/* Appends |s| to |b| with the bytes reqlog.h names escaped. */
static void escaped(hitl_buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7F || *p == '\\')
            hitl_buf_printf(b, "\\x%02X", *p);
        else
            hitl_buf_append(b, p, 1);
    }
}

static void write_line(hitl_refserver *s, hitl_buf *b)
{
    hitl_buf_append_str(b, "\n");
    pthread_mutex_lock(&s->reqlog_lock);
    if (s->reqlog) {
        fwrite(hitl_buf_str(b), 1, b->len, s->reqlog);
        fflush(s->reqlog);
    }
    pthread_mutex_unlock(&s->reqlog_lock);
}

int rs_reqlog_open(hitl_refserver *s, const char *path, hitl_err *err)
{
    pthread_mutex_init(&s->reqlog_lock, NULL);
    s->reqlog_inited = 1;
    if (!path || !path[0])
        return HITL_OK;
    s->reqlog = fopen(path, "a");
    if (!s->reqlog)
        return hitl_err_set(err, HITL_E_IO, "--request-log: cannot open '%s' for appending", path);
    return HITL_OK;
}

void rs_reqlog_close(hitl_refserver *s)
{
    if (!s->reqlog_inited)
        return;
    if (s->reqlog)
        fclose(s->reqlog);
    s->reqlog = NULL;
    pthread_mutex_destroy(&s->reqlog_lock);
    s->reqlog_inited = 0;
}

void rs_reqlog_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    (void)c;
    (void)socket_context;
    hitl_refserver *s = cls;
    if (!s->reqlog || toe != MHD_CONNECTION_NOTIFY_STARTED)
        return;
    hitl_buf b;
    hitl_buf_init(&b, 16);
    hitl_buf_append_str(&b, "C");
    write_line(s, &b);
    hitl_buf_free(&b);
}

void *rs_reqlog_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)c;
    hitl_refserver *s = cls;
    if (s->reqlog) {
        hitl_buf b;
        hitl_buf_init(&b, LINE_MAX_BYTES);
        hitl_buf_append_str(&b, "U ");
        escaped(&b, uri ? uri : "");
        write_line(s, &b);
        hitl_buf_free(&b);
    }
    return NULL; /* the access handler creates the request context */
}

static enum MHD_Result header_line(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    hitl_refserver *s = cls;
    hitl_buf b;
    hitl_buf_init(&b, LINE_MAX_BYTES);
    hitl_buf_append_str(&b, "H ");
    escaped(&b, key ? key : "");
    hitl_buf_append_str(&b, ": ");
    escaped(&b, value ? value : "");
    write_line(s, &b);
    hitl_buf_free(&b);
    return MHD_YES;
}

void rs_reqlog_headers(hitl_refserver *s, struct MHD_Connection *c)
{
    if (s->reqlog)
        MHD_get_connection_values(c, MHD_HEADER_KIND, header_line, s);
}
