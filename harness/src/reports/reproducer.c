/* reproducer.c: the shell snippet that reproduces a finding (see report.h): the exact
 * `hitlcheck run --only` line and the curl commands of the recorded exchanges. */
#include "hitl/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hitl_report_shell_quote(hitl_buf *out, const char *s)
{
    int rc = hitl_buf_append_str(out, "'");
    for (const char *p = s; !rc && *p; p++)
        rc = *p == '\'' ? hitl_buf_append_str(out, "'\\''") : hitl_buf_append(out, p, 1);
    return rc ? rc : hitl_buf_append_str(out, "'");
}

/* The labels the harness itself issues (hitl_redactor_add callers) and their variables. */
static const struct {
    const char *label, *var;
} VARS[] = {{"api-key", "HITLCHECK_API_KEY"},
            /* the other apps' keys (redact.c labels), named as the rerun line names them */
            {"other-api-key", "HITLCHECK_OTHER_API_KEY"},
            {"chat-api-key", "HITLCHECK_CHAT_API_KEY"},
            {"global-api-key", "HITLCHECK_GLOBAL_API_KEY"},
            {"two-node-api-key", "HITLCHECK_TWO_NODE_API_KEY"},
            {"parallel-api-key", "HITLCHECK_PARALLEL_API_KEY"},
            {"ifelse-api-key", "HITLCHECK_IFELSE_API_KEY"},
            {"form-token", "HITL_FORM_TOKEN"},
            /* the second form of a parallel pause (regress.c) */
            {"form-token-2", "HITL_FORM_TOKEN_2"},
            {"upload-token", "HITL_UPLOAD_TOKEN"}};
#define N_VARS (sizeof VARS / sizeof VARS[0])

/* The shell variable that stands for a redacted secret labelled |label| (|len| bytes), or
 * NULL. Only the labels the harness itself issues (hitl_redactor_add callers) map to a
 * variable: "[REDACTED:…]" can also come from a server, and a label taken from it
 * ("[REDACTED:$(cmd)]") must never reach the shell outside single quotes. */
static const char *var_name(const char *label, size_t len)
{
    for (size_t i = 0; i < N_VARS; i++)
        if (strlen(VARS[i].label) == len && !memcmp(label, VARS[i].label, len))
            return VARS[i].var;
    return NULL;
}

/* Appends |s| to a '#' comment line: CR, LF and other control bytes become spaces, so
 * server text (a transport error, a recorded name) cannot end the comment and start a
 * command line of its own. */
static int comment_text(hitl_buf *out, const char *s)
{
    int rc = 0;
    for (const unsigned char *p = (const unsigned char *)s; !rc && *p; p++)
        rc = hitl_buf_append(out, *p < 0x20 || *p == 0x7f ? " " : (const char *)p, 1);
    return rc;
}

/* Appends |text| as one shell word: literal runs single-quoted, each "[REDACTED:label]"
 * as "$VARIABLE", and a bare "[REDACTED]" (a masked Authorization value) as "$|bare|". */
static int shell_word(hitl_buf *out, const char *text, const char *bare)
{
    static const char tag[] = "[REDACTED";
    hitl_buf lit;
    hitl_buf_init(&lit, HITL_REPRODUCER_MAX);
    int rc = 0;
    bool any = false;
    const char *p = text;
    while (!rc && *p) {
        const char *hit = strstr(p, tag);
        const char *close = hit ? strchr(hit, ']') : NULL;
        const char *known = close && hit[sizeof tag - 1] == ':'
                                ? var_name(hit + sizeof tag, (size_t)(close - hit - (sizeof tag)))
                                : NULL;
        bool plain = close && close == hit + sizeof tag - 1 && bare;
        if (!hit || !close) {
            rc = hitl_buf_append_str(&lit, p);
            break;
        }
        if (!known && !plain) {
            /* Not a placeholder the harness issued: literal text, quoted with the rest. */
            rc = hitl_buf_append(&lit, p, (size_t)(close + 1 - p));
            p = close + 1;
            continue;
        }
        rc = hitl_buf_append(&lit, p, (size_t)(hit - p));
        if (!rc && lit.len) {
            rc = hitl_report_shell_quote(out, hitl_buf_str(&lit));
            hitl_buf_reset(&lit);
        }
        if (!rc)
            rc = hitl_buf_printf(out, "\"$%s\"", known ? known : bare);
        any = true;
        p = close + 1;
    }
    if (!rc && (lit.len || !any))
        rc = hitl_report_shell_quote(out, hitl_buf_str(&lit));
    hitl_buf_free(&lit);
    return rc;
}

static bool is_service_url(const hitl_report_meta *m, const char *url)
{
    if (!m->target || !m->service_base)
        return false;
    size_t n = strlen(m->target);
    return !strncmp(url, m->target, n) &&
           !strncmp(url + n, m->service_base, strlen(m->service_base));
}

/* The secrets a later exchange can capture from a response: label, JSON key, and which
 * occurrence of the key holds it (the second form of a parallel pause is the second
 * form_token of the start stream). */
static const struct {
    const char *label, *key;
    int nth;
} CAPTURES[] = {{"form-token", "form_token", 1},
                {"form-token-2", "form_token", 2},
                {"upload-token", "upload_token", 1}};
#define N_CAPTURES (sizeof CAPTURES / sizeof CAPTURES[0])

static bool uses(const hitl_report_meta *m, const hitl_exchange *x, const char *placeholder)
{
    /* An upload token goes in the Authorization header, which the redactor masks whole
     * ("Bearer [REDACTED]"): on the WEB surface that masked value is the upload token. */
    if (strstr(placeholder, "upload-token") && x->request_headers && !is_service_url(m, x->url) &&
        strstr(x->request_headers, "Bearer [REDACTED]"))
        return true;
    return (x->url && strstr(x->url, placeholder)) ||
           (x->request_headers && strstr(x->request_headers, placeholder)) ||
           (x->request_body && strstr(x->request_body, placeholder));
}

static int add_headers(hitl_buf *out, const hitl_exchange *x, const char *auth_var)
{
    int rc = 0;
    const char *p = x->request_headers ? x->request_headers : "";
    while (!rc && *p) {
        size_t n = strcspn(p, "\n");
        char *line = strndup(p, n);
        if (!line)
            return HITL_E_NOMEM;
        if (*line) {
            rc = hitl_buf_append_str(out, " -H ");
            if (!rc)
                rc = shell_word(out, line, auth_var);
        }
        free(line);
        p += n + (p[n] == '\n');
    }
    return rc;
}

/* A multipart record line "[multipart NAME filename=F: N bytes]" becomes -F NAME=@F; a
 * text field recorded with its value ("[multipart NAME: N bytes] VALUE") becomes
 * --form-string NAME=VALUE (not -F, which would read a value starting with @ or < as a
 * file); one recorded without it, -F NAME=. */
static int add_multipart(hitl_buf *out, const char *body)
{
    int rc = 0;
    const char *p = body;
    while (!rc && (p = strstr(p, "[multipart ")) != NULL) {
        p += strlen("[multipart ");
        size_t n = strcspn(p, ":]\n");
        char *spec = strndup(p, n);
        if (!spec)
            return HITL_E_NOMEM;
        const char *close = p + n + strcspn(p + n, "]\n");
        const char *value = *close == ']' && close[1] == ' ' ? close + 2 : NULL;
        size_t value_len = value ? strcspn(value, "\n") : 0;
        char *fn = strstr(spec, " filename=");
        hitl_buf word;
        hitl_buf_init(&word, 4096);
        const char *flag = " -F ";
        if (fn) {
            *fn = '\0';
            hitl_buf_printf(&word, "%s=@%s", spec, fn + strlen(" filename="));
        } else if (value) {
            flag = " --form-string ";
            hitl_buf_printf(&word, "%s=%.*s", spec, (int)value_len, value);
        } else {
            hitl_buf_printf(&word, "%s=", spec);
        }
        rc = hitl_buf_append_str(out, flag);
        if (!rc)
            rc = shell_word(out, hitl_buf_str(&word), NULL);
        hitl_buf_free(&word);
        free(spec);
        p += n;
    }
    return rc;
}

static bool is_event_stream(const hitl_exchange *x)
{
    return x->response_headers && strstr(x->response_headers, "text/event-stream");
}

/* " | grep -o … | <the |nth| match> | cut …)": the end of a "VAR=$(…" that takes the
 * value of the |nth| JSON string member |key| of what came before the pipe. */
static int capture_pipe(hitl_buf *out, const char *key, int nth)
{
    if (nth > 1)
        return hitl_buf_printf(
            out, " | grep -o '\"%s\": *\"[^\"]*\"' | sed -n '%dp' | cut -d '\"' -f 4)", key, nth);
    return hitl_buf_printf(out, " | grep -o '\"%s\": *\"[^\"]*\"' | head -n 1 | cut -d '\"' -f 4)",
                           key);
}

/* One curl line for |x|, with its outcome as a comment. With |capture_var| the line is
 * "VAR=$(curl …)": piped through capture_pipe(|capture_key|, |capture_nth|), or the whole
 * response kept when |capture_key| is NULL (several tokens are taken from it). */
static int add_exchange(hitl_buf *out, const hitl_report_meta *m, const hitl_exchange *x,
                        const char *capture_var, const char *capture_key, int capture_nth)
{
    const char *auth_var = is_service_url(m, x->url) ? "HITLCHECK_API_KEY" : "HITL_UPLOAD_TOKEN";
    bool multipart = x->request_body && !strncmp(x->request_body, "[multipart ", 11);
    const char *more = x->request_body ? strstr(x->request_body, "… [") : NULL;
    int rc = 0;
    if (more && !multipart)
        rc = hitl_buf_printf(out, "# the request body was longer than its record: this sends "
                                  "the recorded part\n");
    if (!rc && multipart)
        rc = hitl_buf_printf(out, "# file contents are not recorded: put files of the recorded "
                                  "names and sizes here\n");
    if (!rc && capture_var)
        rc = hitl_buf_printf(out, "%s=$(", capture_var);
    if (!rc)
        rc = hitl_buf_printf(out, "curl -sS %s-X %s ", capture_var ? "" : "-i ",
                             x->method ? x->method : "GET");
    if (!rc && is_event_stream(x))
        rc = hitl_buf_append_str(out, "-N --max-time 60 ");
    if (!rc)
        rc = shell_word(out, x->url ? x->url : "", auth_var);
    if (!rc)
        rc = add_headers(out, x, auth_var);
    if (!rc && multipart)
        rc = add_multipart(out, x->request_body);
    else if (!rc && x->request_body) {
        rc = hitl_buf_append_str(out, " --data-binary ");
        if (!rc)
            rc = shell_word(out, x->request_body, auth_var);
    }
    if (!rc && capture_var)
        rc = capture_key ? capture_pipe(out, capture_key, capture_nth)
                         : hitl_buf_append_str(out, ")");
    if (!rc)
        rc = hitl_buf_append_str(out, "\n");
    if (!rc && x->error) {
        rc = hitl_buf_append_str(out, "#   -> no complete response: ");
        rc = rc ? rc : comment_text(out, x->error);
        rc = rc ? rc : hitl_buf_append_str(out, "\n");
    } else if (!rc)
        rc = hitl_buf_printf(out, "#   -> HTTP %ld, %zu bytes\n", x->status, x->response_bytes);
    return rc;
}

/* "# The exchanges that show it (export <the key variables they send> first; …)". The
 * target's key counts when a service request sends a bare masked Authorization (it stands
 * for $HITLCHECK_API_KEY), and is named when no key is seen at all. */
static int export_line(hitl_buf *out, const hitl_result *r, const hitl_report_meta *m)
{
    hitl_buf vars;
    hitl_buf_init(&vars, 1024);
    int rc = 0;
    for (size_t k = 0; !rc && k < N_VARS; k++) {
        size_t n = strlen(VARS[k].label);
        if (n < 7 || strcmp(VARS[k].label + n - 7, "api-key"))
            continue; /* a token: captured, or exported by the reader as the line shows */
        char ph[64];
        snprintf(ph, sizeof ph, "[REDACTED:%s]", VARS[k].label);
        bool used = false;
        for (size_t i = 0; !used && i < r->n_exchanges; i++) {
            const hitl_exchange *x = &r->exchanges[i];
            used = uses(m, x, ph) ||
                   (!strcmp(VARS[k].label, "api-key") && is_service_url(m, x->url) &&
                    x->request_headers && strstr(x->request_headers, "Bearer [REDACTED]"));
        }
        if (used)
            rc = hitl_buf_printf(&vars, "%s%s", vars.len ? " " : "", VARS[k].var);
    }
    if (!rc)
        rc = hitl_buf_printf(out,
                             "# The exchanges that show it (export %s first; tokens are captured "
                             "on the way):\n",
                             vars.len ? hitl_buf_str(&vars) : "HITLCHECK_API_KEY");
    hitl_buf_free(&vars);
    return rc;
}

static int reproducer(hitl_buf *out, const hitl_result *r, const hitl_report_meta *m)
{
    hitl_report_meta none = {0};
    if (!m)
        m = &none;
    int rc = hitl_buf_printf(out, "# Reproduce %s [%s] (%s):\nhitlcheck run ", r->entry->id,
                             hitl_surface_name(r->surface), r->entry->section);
    if (!rc && m->rerun_args && *m->rerun_args)
        rc = hitl_buf_printf(out, "%s ", m->rerun_args);
    if (!rc)
        rc = hitl_buf_printf(out, "--surface %s --only %s\n", hitl_surface_name(r->surface),
                             r->entry->id);
    if (!rc && r->n_exchanges)
        rc = export_line(out, r, m);
    bool defined[N_CAPTURES] = {false};
    for (size_t i = 0; !rc && i < r->n_exchanges; i++) {
        const hitl_exchange *x = &r->exchanges[i];
        size_t caps[N_CAPTURES], n_caps = 0;
        /* Capture a token from this response when the record shows it issued here and a
         * later request sends it: the snippet then runs as it stands. */
        for (size_t c = 0; c < N_CAPTURES; c++) {
            char ph[64];
            snprintf(ph, sizeof ph, "[REDACTED:%s]", CAPTURES[c].label);
            if (defined[c] || !x->response_body || !strstr(x->response_body, ph))
                continue;
            for (size_t k = i + 1; k < r->n_exchanges; k++)
                if (uses(m, &r->exchanges[k], ph)) {
                    caps[n_caps++] = c;
                    defined[c] = true;
                    break;
                }
        }
        if (n_caps == 1) {
            size_t c = caps[0];
            rc = add_exchange(out, m, x, var_name(CAPTURES[c].label, strlen(CAPTURES[c].label)),
                              CAPTURES[c].key, CAPTURES[c].nth);
            continue;
        }
        /* Two tokens from one response (both forms of a parallel pause): keep it whole and
         * take each from it. */
        rc = add_exchange(out, m, x, n_caps ? "HITL_RESPONSE" : NULL, NULL, 0);
        for (size_t j = 0; !rc && j < n_caps; j++) {
            size_t c = caps[j];
            rc = hitl_buf_printf(out, "%s=$(printf '%%s\\n' \"$HITL_RESPONSE\"",
                                 var_name(CAPTURES[c].label, strlen(CAPTURES[c].label)));
            rc = rc ? rc : capture_pipe(out, CAPTURES[c].key, CAPTURES[c].nth);
            rc = rc ? rc : hitl_buf_append_str(out, "\n");
        }
    }
    if (!rc && r->dropped_exchanges)
        rc = hitl_buf_printf(out, "# (%zu later exchanges were not recorded)\n",
                             r->dropped_exchanges);
    return rc;
}

/* The reproducer is built within its own cap, HITL_REPRODUCER_MAX less room for a note:
 * one too large (a huge --inputs in the hitlcheck line and in each request body) is cut
 * after its last whole line, with a comment saying so, and never costs the reports. */
int hitl_report_reproducer(hitl_buf *out, const hitl_result *r, const hitl_report_meta *m,
                           hitl_err *err)
{
    hitl_buf rep;
    hitl_buf_init(&rep, HITL_REPRODUCER_MAX - 256);
    int rc = reproducer(&rep, r, m);
    const char *text = hitl_buf_str(&rep);
    if (rc == HITL_E_TOO_BIG) {
        const char *last = strrchr(text, '\n');
        rc = hitl_buf_append(out, text, last ? (size_t)(last + 1 - text) : 0);
        if (!rc)
            rc = hitl_buf_printf(out, "# (cut here: the reproducer would pass %u bytes)\n",
                                 HITL_REPRODUCER_MAX - 256);
    } else if (!rc) {
        rc = hitl_buf_append(out, text, rep.len);
    }
    hitl_buf_free(&rep);
    if (rc)
        return hitl_err_set(err, rc, "the reproducer of %s does not fit its report", r->entry->id);
    return HITL_OK;
}
