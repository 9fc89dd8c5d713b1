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
        if (!strcmp(r->items[i].value, value)) {
            char *again = strdup(label ? label : "secret");
            if (again) { /* the later label names it more exactly (redact.h) */
                free(r->items[i].label);
                r->items[i].label = again;
            }
            goto out;
        }
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

/* The secret whose start the |left| bytes at |p| are (at least 4 bytes of it, not all),
 * or NULL. A preview cut at 4 KiB, or an Actual cut at 256 bytes, can end inside a token;
 * matching whole secrets only, the redactor would let the part before the cut through. */
static const secret *prefix_at(const hitl_redactor *r, const char *p, size_t left)
{
    if (left < 4)
        return NULL;
    for (size_t i = 0; i < r->n; i++) {
        const secret *s = &r->items[i];
        if (left < s->len && !memcmp(p, s->value, left))
            return s;
    }
    return NULL;
}

/* The bytes from |i| to where a text was cut: the next "…" (the mark the engine's
 * previews and the reports put after a cut) or the end of the text. */
static size_t to_cut(const char *text, size_t len, size_t i)
{
    const char *mark = strstr(text + i, "\xE2\x80\xA6");
    return (mark ? (size_t)(mark - text) : len) - i;
}

/* Appends from |p| up to the end of the line, with an Authorization value masked: by the
 * label of the secret of |r| it is, so a reproducer knows which app key was sent. */
static size_t mask_authorization(const hitl_redactor *r, hitl_buf *out, const char *p, size_t left)
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
        size_t cred = scheme + 1;
        const secret *s = cred < end ? match_at(r, p + cred, end - cred) : NULL;
        if (s && s->len == end - cred)
            hitl_buf_printf(out, " [REDACTED:%s]", s->label);
        else
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
    size_t cut = to_cut(text, len, 0); /* the next cut point, as an offset */
    for (size_t i = 0; i < len;) {
        if (cut < i)
            cut = i + to_cut(text, len, i);
        if (line_start) {
            size_t used = mask_authorization(r, &out, text + i, len - i);
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
        s = prefix_at(r, text + i, cut - i);
        if (s) {
            hitl_buf_printf(&out, "[REDACTED:%s]", s->label);
            i = cut;
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

/* --- the options of a run, as a report shows them --- */

typedef enum { MASK_HEADER, MASK_VALUE, MASK_USERINFO, MASK_PASSWORD } mask_kind;

/* The options of `hitlcheck run` whose values may carry credentials. */
static const struct {
    const char *name;
    mask_kind kind;
    const char *label;
} SENSITIVE[] = {
    /* Each app key its own label: a reproducer names the variable of the key a request
     * sent (HITLCHECK_PARALLEL_API_KEY…), as the rerun line does. */
    {"header", MASK_HEADER, "header"},
    {"api-key", MASK_VALUE, "api-key"},
    {"other-api-key", MASK_VALUE, "other-api-key"},
    {"chat-api-key", MASK_VALUE, "chat-api-key"},
    {"proxy", MASK_USERINFO, "proxy-password"},
    {"target", MASK_PASSWORD, "password"},
    {"fixture-url", MASK_PASSWORD, "password"},
    {"global-timeout-key", MASK_VALUE, "global-api-key"},
    {"two-node-api-key", MASK_VALUE, "two-node-api-key"},
    {"parallel-api-key", MASK_VALUE, "parallel-api-key"},
    {"ifelse-api-key", MASK_VALUE, "ifelse-api-key"},
};
#define N_SENSITIVE (sizeof SENSITIVE / sizeof SENSITIVE[0])

/* The sensitive option that "--|name|" (|len| bytes) names, or -1. getopt_long takes any
 * unambiguous prefix ("--hea" for --header): a prefix counts, and a match too many
 * (an ambiguous prefix, which getopt refuses anyway) only masks more. */
static int sensitive_long(const char *name, size_t len)
{
    if (!len)
        return -1;
    for (size_t i = 0; i < N_SENSITIVE; i++)
        if (len <= strlen(SENSITIVE[i].name) && !strncmp(name, SENSITIVE[i].name, len))
            return (int)i;
    return -1;
}

/* Headers whose values are never credentials. Their values are still masked in the
 * options shown, but not registered as secrets: registering "application/json" or "https"
 * would mask those words in every exchange of every report. Any other header may carry a
 * gateway's credential, so it is registered. */
static bool header_is_harmless(const char *name, size_t len)
{
    static const char *const HARMLESS[] = {
        "accept",      "accept-language", "cache-control", "content-type",     "host",
        "origin",      "referer",         "user-agent",    "x-forwarded-host", "x-forwarded-proto",
        "x-request-id"};
    while (len && (name[len - 1] == ' ' || name[len - 1] == '\t'))
        len--;
    for (size_t i = 0; i < sizeof HARMLESS / sizeof HARMLESS[0]; i++)
        if (strlen(HARMLESS[i]) == len && !strncasecmp(name, HARMLESS[i], len))
            return true;
    return false;
}

/* Appends |prefix| (|plen| bytes), then |value| masked as |kind| says, to |out|, and
 * registers the secret part of |value| with |r| under |label|. */
static int mask_value(hitl_buf *out, hitl_redactor *r, const char *prefix, size_t plen,
                      const char *value, mask_kind kind, const char *label)
{
    int rc = hitl_buf_append(out, prefix, plen);
    if (rc)
        return rc;
    const char *colon = NULL, *auth = NULL, *at = NULL;
    switch (kind) {
    case MASK_HEADER:
        colon = strchr(value, ':');
        if (!colon)
            return hitl_buf_append_str(out, "[REDACTED]");
        {
            bool harmless = header_is_harmless(value, (size_t)(colon - value));
            for (const char *v = colon + 1; *v == ' ' || *v == '\t'; v++)
                colon = v;
            if (r && !harmless)
                hitl_redactor_add(r, colon + 1, label);
        }
        rc = hitl_buf_append(out, value, (size_t)(colon + 1 - value));
        return rc ? rc : hitl_buf_append_str(out, colon[1] ? "[REDACTED]" : "");
    case MASK_VALUE:
        if (r)
            hitl_redactor_add(r, value, label);
        return hitl_buf_append_str(out, "[REDACTED]");
    case MASK_USERINFO:
    case MASK_PASSWORD:
        auth = strstr(value, "://");
        auth = auth ? auth + 3 : value;
        at = strrchr(auth, '@');
        if (!at)
            return hitl_buf_append_str(out, value);
        colon = memchr(auth, ':', (size_t)(at - auth));
        if (kind == MASK_PASSWORD && !colon)
            return hitl_buf_append_str(out, value); /* a user name alone */
        {
            const char *pw = colon ? colon + 1 : auth;
            char *copy = strndup(pw, (size_t)(at - pw));
            if (!copy)
                return HITL_E_NOMEM;
            if (r)
                hitl_redactor_add(r, copy, label);
            free(copy);
        }
        rc = hitl_buf_append(out, value,
                             (size_t)((kind == MASK_PASSWORD ? colon + 1 : auth) - value));
        rc = rc ? rc : hitl_buf_append_str(out, "[REDACTED]");
        return rc ? rc : hitl_buf_append_str(out, at);
    }
    return HITL_OK;
}

static int mask_arg(hitl_buf *b, hitl_redactor *r, const char *const *argv, size_t n, size_t *i)
{
    const char *a = argv[*i];
    if (a[0] == '-' && a[1] == '-' && a[2]) {
        const char *eq = strchr(a + 2, '=');
        size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
        int s = sensitive_long(a + 2, len);
        if (s < 0)
            return hitl_buf_append_str(b, a);
        if (eq)
            return mask_value(b, r, a, (size_t)(eq + 1 - a), eq + 1, SENSITIVE[s].kind,
                              SENSITIVE[s].label);
        int rc = hitl_buf_append_str(b, a);
        if (rc || *i + 1 >= n)
            return rc;
        /* The value is the next argument: it gets its own slot. */
        return -1 - s;
    }
    if (a[0] == '-' && a[1] != '-') {
        /* A cluster of short options: -v, -q, -h take no value; -H takes the rest of the
         * cluster ("-HName: v") or the next argument. */
        const char *h = strchr(a + 1, 'H');
        if (!h)
            return hitl_buf_append_str(b, a);
        if (h[1])
            return mask_value(b, r, a, (size_t)(h + 1 - a), h + 1, MASK_HEADER, "header");
        int rc = hitl_buf_append_str(b, a);
        return rc ? rc : (*i + 1 < n ? -1 : 0);
    }
    return hitl_buf_append_str(b, a);
}

char **hitl_redact_argv(hitl_redactor *r, const char *const *argv, size_t n)
{
    char **out = calloc(n ? n : 1, sizeof *out);
    if (!out)
        return NULL;
    bool rest = false; /* after "--": operands, nothing to mask */
    for (size_t i = 0; i < n; i++) {
        hitl_buf b;
        hitl_buf_init(&b, MAX_TEXT);
        int rc = rest ? hitl_buf_append_str(&b, argv[i]) : mask_arg(&b, r, argv, n, &i);
        rest = rest || !strcmp(argv[i], "--");
        if (rc < 0) {
            /* The next argument is the value of sensitive option -1 - rc. */
            out[i] = hitl_buf_release(&b);
            if (!out[i])
                goto fail;
            i++;
            hitl_buf_init(&b, MAX_TEXT);
            rc = mask_value(&b, r, "", 0, argv[i], SENSITIVE[-1 - rc].kind,
                            SENSITIVE[-1 - rc].label);
        }
        out[i] = rc ? NULL : hitl_buf_release(&b);
        if (rc)
            hitl_buf_free(&b);
        if (!out[i])
            goto fail;
    }
    return out;
fail:
    hitl_redact_argv_free(out, n);
    return NULL;
}

void hitl_redact_argv_free(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}
