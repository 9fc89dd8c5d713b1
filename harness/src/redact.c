/* redact.c: replacing secrets in text (see redact.h). */
#include "hitl/redact.h"

#include "hitl/buf.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_SECRETS 4096
#define MAX_TEXT (64u * 1024u * 1024u)

typedef struct secret {
    char *value;
    size_t len;
    char *label;
} secret;

struct hitl_redactor {
    pthread_mutex_t lock;
    bool enabled;
    secret *items;
    size_t n, cap;
};

int hitl_redactor_new(hitl_redactor **out, bool enabled, hitl_err *err)
{
    hitl_redactor *r = calloc(1, sizeof *r);
    if (!r)
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory creating the redactor");
    pthread_mutex_init(&r->lock, NULL);
    r->enabled = enabled;
    *out = r;
    return HITL_OK;
}

void hitl_redactor_free(hitl_redactor *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        free(r->items[i].value);
        free(r->items[i].label);
    }
    free(r->items);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

bool hitl_redactor_enabled(const hitl_redactor *r)
{
    return r && r->enabled;
}

void hitl_redactor_add(hitl_redactor *r, const char *value, const char *label)
{
    if (!r || !value || strlen(value) < 4)
        return;
    pthread_mutex_lock(&r->lock);
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->items[i].value, value))
            goto out;
    if (r->n == r->cap && r->cap < MAX_SECRETS) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        secret *grown = realloc(r->items, cap * sizeof *grown);
        if (!grown)
            goto out;
        r->items = grown;
        r->cap = cap;
    }
    if (r->n < r->cap) {
        secret *s = &r->items[r->n];
        s->value = strdup(value);
        s->label = strdup(label ? label : "secret");
        if (s->value && s->label) {
            s->len = strlen(value);
            r->n++;
        } else {
            free(s->value);
            free(s->label);
        }
    }
out:
    pthread_mutex_unlock(&r->lock);
}

/* Longest secret that starts at |p|, so a token that contains another is removed whole. */
static const secret *match_at(const hitl_redactor *r, const char *p, size_t left)
{
    const secret *best = NULL;
    for (size_t i = 0; i < r->n; i++) {
        const secret *s = &r->items[i];
        if (s->len <= left && (!best || s->len > best->len) && !memcmp(p, s->value, s->len))
            best = s;
    }
    return best;
}

/* Appends from |p| up to the end of the line, with an Authorization value masked. */
static size_t mask_authorization(hitl_buf *out, const char *p, size_t left)
{
    static const char name[] = "authorization:";
    if (left < sizeof name - 1 || strncasecmp(p, name, sizeof name - 1))
        return 0;
    size_t n = sizeof name - 1;
    hitl_buf_append(out, p, n);
    while (n < left && p[n] == ' ')
        n++;
    /* Keep the scheme word so a reader still sees Bearer vs Basic. */
    size_t scheme = n;
    while (scheme < left && p[scheme] != ' ' && p[scheme] != '\r' && p[scheme] != '\n')
        scheme++;
    size_t end = scheme;
    while (end < left && p[end] != '\r' && p[end] != '\n')
        end++;
    hitl_buf_append(out, " ", 1);
    if (end > scheme) {
        hitl_buf_append(out, p + n, scheme - n);
        hitl_buf_append_str(out, " [REDACTED]");
    } else {
        hitl_buf_append_str(out, "[REDACTED]");
    }
    return end;
}

char *hitl_redactor_apply(hitl_redactor *r, const char *text)
{
    if (!text)
        return NULL;
    if (!r || !r->enabled)
        return strdup(text);
    hitl_buf out;
    hitl_buf_init(&out, MAX_TEXT);
    size_t len = strlen(text);
    pthread_mutex_lock(&r->lock);
    bool line_start = true;
    for (size_t i = 0; i < len;) {
        if (line_start) {
            size_t used = mask_authorization(&out, text + i, len - i);
            if (used) {
                i += used;
                line_start = false;
                continue;
            }
        }
        const secret *s = match_at(r, text + i, len - i);
        if (s) {
            hitl_buf_printf(&out, "[REDACTED:%s]", s->label);
            i += s->len;
            line_start = false;
            continue;
        }
        line_start = text[i] == '\n';
        if (hitl_buf_append(&out, text + i, 1))
            break;
        i++;
    }
    pthread_mutex_unlock(&r->lock);
    return hitl_buf_release(&out);
}
