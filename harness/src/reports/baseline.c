/* baseline.c: the --expect baseline of known failures (see baseline.h). */
#include "hitl/baseline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define REASON_MAX 200 /* bytes of an Actual kept as a written entry's reason */

void hitl_baseline_free(hitl_baseline *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n; i++) {
        free(b->items[i].id);
        free(b->items[i].reason);
    }
    free(b->items);
    free(b->path);
    memset(b, 0, sizeof *b);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* Parses one non-comment line (|line| is NUL-terminated, without its newline). */
static int parse_line(hitl_baseline *b, char *line, size_t lineno, hitl_err *err)
{
    char *p = line;
    char *id = p;
    while (*p && !is_space(*p))
        p++;
    char *id_end = p;
    while (is_space(*p))
        p++;
    char *surf = p;
    while (*p && !is_space(*p))
        p++;
    char *surf_end = p;
    while (is_space(*p))
        p++;
    char *reason = p;
    size_t rlen = strlen(reason);
    while (rlen && is_space(reason[rlen - 1]))
        reason[--rlen] = '\0';
    *id_end = '\0';
    *surf_end = '\0';
    int surfaces;
    if (!strcmp(surf, "web"))
        surfaces = HITL_SURFACE_WEB;
    else if (!strcmp(surf, "service"))
        surfaces = HITL_SURFACE_SERVICE;
    else if (!strcmp(surf, "*"))
        surfaces = HITL_SURFACE_WEB | HITL_SURFACE_SERVICE;
    else
        return hitl_err_set(
            err, HITL_E_PARSE,
            "%s:%zu: '%s' is not a surface: write <check-id> <web|service|*> <reason>", b->path,
            lineno, surf);
    if (!rlen)
        return hitl_err_set(
            err, HITL_E_PARSE,
            "%s:%zu: the entry for %s has no reason: say why the failure is accepted", b->path,
            lineno, id);
    for (size_t i = 0; i < b->n; i++)
        if (!strcmp(b->items[i].id, id) && (b->items[i].surfaces & surfaces))
            return hitl_err_set(err, HITL_E_PARSE, "%s:%zu: duplicate of line %zu (%s)", b->path,
                                lineno, b->items[i].line, id);
    if (b->n >= HITL_BASELINE_MAX_ENTRIES)
        return hitl_err_set(err, HITL_E_TOO_BIG, "%s: more than %u entries", b->path,
                            HITL_BASELINE_MAX_ENTRIES);
    hitl_baseline_entry *grown = realloc(b->items, (b->n + 1) * sizeof *grown);
    if (!grown)
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory reading %s", b->path);
    b->items = grown;
    hitl_baseline_entry *e = &grown[b->n];
    memset(e, 0, sizeof *e);
    e->id = strdup(id);
    e->reason = strdup(reason);
    e->surfaces = surfaces;
    e->line = lineno;
    b->n++;
    if (!e->id || !e->reason)
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory reading %s", b->path);
    return HITL_OK;
}

int hitl_baseline_parse(const char *text, size_t len, const char *name, hitl_baseline *out,
                        hitl_err *err)
{
    out->path = strdup(name ? name : "baseline");
    if (!out->path)
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory reading a baseline");
    if (len > HITL_BASELINE_MAX_BYTES)
        return hitl_err_set(err, HITL_E_TOO_BIG, "%s is larger than %u bytes", out->path,
                            HITL_BASELINE_MAX_BYTES);
    size_t lineno = 0;
    for (size_t pos = 0; pos < len;) {
        lineno++;
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
        char *line = strndup(text + pos, n);
        if (!line)
            return hitl_err_set(err, HITL_E_NOMEM, "out of memory reading %s", out->path);
        pos += n + (nl ? 1 : 0);
        if (strlen(line) != n) {
            free(line);
            return hitl_err_set(err, HITL_E_PARSE, "%s:%zu: NUL byte in the line", out->path,
                                lineno);
        }
        /* CRLF line endings (a file edited on Windows): the CR is part of the newline. */
        if (n && line[n - 1] == '\r')
            line[--n] = '\0';
        /* Any other control byte would reach the terminal raw in a message (a lone CR
         * rewrites the line it is printed on): refuse the line without echoing it. */
        for (size_t i = 0; i < n; i++)
            if (((unsigned char)line[i] < 0x20 && line[i] != '\t') || line[i] == 0x7f) {
                unsigned byte = (unsigned char)line[i];
                free(line);
                return hitl_err_set(err, HITL_E_PARSE,
                                    "%s:%zu: control byte 0x%02x at column %zu: use plain text",
                                    out->path, lineno, byte, i + 1);
            }
        char *p = line;
        while (is_space(*p))
            p++;
        int rc = *p && *p != '#' ? parse_line(out, p, lineno, err) : HITL_OK;
        free(line);
        if (rc)
            return rc;
    }
    return HITL_OK;
}

int hitl_baseline_load(const char *path, hitl_baseline *out, hitl_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return hitl_err_set(err, HITL_E_IO, "cannot read the baseline '%s': %s", path,
                            strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f); /* Linux opens a directory for reading; reading it fails (EISDIR) */
        return hitl_err_set(err, HITL_E_IO, "cannot read the baseline '%s': %s", path,
                            strerror(EISDIR));
    }
    hitl_buf b;
    hitl_buf_init(&b, HITL_BASELINE_MAX_BYTES);
    char chunk[4096];
    size_t n;
    int rc = HITL_OK;
    while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = hitl_buf_append(&b, chunk, n);
    int read_errno = ferror(f) ? errno : 0;
    bool failed = ferror(f);
    fclose(f);
    if (rc == HITL_E_TOO_BIG)
        rc = hitl_err_set(err, rc, "the baseline '%s' is larger than %u bytes", path,
                          HITL_BASELINE_MAX_BYTES);
    else if (rc)
        rc = hitl_err_set(err, rc, "out of memory reading '%s'", path);
    else if (failed)
        rc = hitl_err_set(err, HITL_E_IO, "cannot read the baseline '%s': %s", path,
                          strerror(read_errno ? read_errno : EIO));
    if (!rc)
        rc = hitl_baseline_parse(hitl_buf_str(&b), b.len, path, out, err);
    hitl_buf_free(&b);
    return rc;
}

int hitl_baseline_check_catalog(const hitl_baseline *b, const hitl_catalog *cat, hitl_err *err)
{
    for (size_t i = 0; i < b->n; i++) {
        const hitl_baseline_entry *e = &b->items[i];
        const hitl_catalog_entry *c = hitl_catalog_find(cat, e->id);
        if (!c)
            return hitl_err_set(err, HITL_E_INVALID,
                                "%s:%zu: '%s' names no check (`hitlcheck list` shows them): "
                                "remove or rename the entry",
                                b->path, e->line, e->id);
        if (!(c->surfaces & e->surfaces))
            return hitl_err_set(err, HITL_E_INVALID, "%s:%zu: %s has no such surface", b->path,
                                e->line, e->id);
    }
    return HITL_OK;
}

bool hitl_baseline_is_failure(const hitl_result *r, bool strict)
{
    return r->verdict == HITL_FAIL || (strict && r->verdict == HITL_WARN);
}

size_t hitl_baseline_apply(hitl_baseline *b, const hitl_results *res, bool strict,
                           hitl_report_known *known)
{
    for (size_t i = 0; i < res->n; i++)
        known[i].reason = NULL;
    size_t stale = 0;
    for (size_t k = 0; k < b->n; k++) {
        hitl_baseline_entry *e = &b->items[k];
        bool passed = false, fails = false;
        for (size_t i = 0; i < res->n; i++) {
            const hitl_result *r = &res->items[i];
            if (strcmp(r->entry->id, e->id) || !(r->surface & e->surfaces))
                continue;
            /* A WARN outside --strict is the same fault, only not failing: it holds. So
             * does a KNOWN one (the same response, a recorded deviation of genuine Dify
             * under --profile dify): the entry is not stale, only not needed there. */
            if (hitl_baseline_is_failure(r, strict) || r->verdict == HITL_WARN ||
                r->verdict == HITL_KNOWN) {
                fails = true;
                if (hitl_baseline_is_failure(r, strict) && !known[i].reason)
                    known[i].reason = e->reason;
            } else if (r->verdict == HITL_PASS) {
                passed = true;
            }
        }
        e->state = fails    ? HITL_BASELINE_HOLDS
                   : passed ? HITL_BASELINE_FIXED
                            : HITL_BASELINE_NOT_RUN;
        stale += e->state == HITL_BASELINE_FIXED;
    }
    return stale;
}

int hitl_baseline_format(hitl_buf *out, const hitl_results *res, bool strict, hitl_redactor *red,
                         hitl_err *err)
{
    int rc =
        hitl_buf_append_str(out, "# hitlcheck known failures (hitlcheck run --expect FILE)\n"
                                 "# <check-id> <web|service|*> <why the failure is accepted>\n");
    for (size_t i = 0; !rc && i < res->n; i++) {
        const hitl_result *r = &res->items[i];
        if (!hitl_baseline_is_failure(r, strict))
            continue;
        char *actual = red ? hitl_redactor_apply(red, r->actual ? r->actual : "")
                           : strdup(r->actual ? r->actual : "");
        if (!actual)
            return hitl_err_set(err, HITL_E_NOMEM, "out of memory writing the baseline");
        size_t n = strcspn(actual, "\r\n");
        if (n > REASON_MAX) {
            n = REASON_MAX;
            while (n && ((unsigned char)actual[n] & 0xC0) == 0x80)
                n--;
        }
        actual[n] = '\0';
        rc = hitl_buf_printf(out, "%s %s %s\n", r->entry->id, hitl_surface_name(r->surface),
                             *actual ? actual : "(no Actual recorded)");
        free(actual);
    }
    if (rc)
        return hitl_err_set(err, rc, "the baseline would pass %u bytes", HITL_BASELINE_MAX_BYTES);
    return HITL_OK;
}

/* Splits |path| into its directory (|dir|, |cap| bytes) and file name: the temporary file
 * must be on the same filesystem as the target for rename(2) to be atomic. Returns the
 * name, or NULL (with |err| set) when |path| names no file. */
static const char *split_path(const char *path, char *dir, size_t cap, hitl_err *err)
{
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    size_t dlen = slash ? (size_t)(slash - path) : 1;
    if (!*name || dlen >= cap) {
        hitl_err_set(err, HITL_E_ARG, "--write-expect '%s' is not a file name", path);
        return NULL;
    }
    if (!slash)
        snprintf(dir, cap, ".");
    else if (dlen == 0)
        snprintf(dir, cap, "/");
    else {
        memcpy(dir, path, dlen);
        dir[dlen] = '\0';
    }
    return name;
}

int hitl_baseline_check_path(const char *path, hitl_err *err)
{
    char dir[4096], probe[4200];
    const char *name = split_path(path, dir, sizeof dir, err);
    if (!name)
        return HITL_E_ARG;
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return hitl_err_set(err, HITL_E_IO, "cannot write the known failures to '%s': %s", path,
                            strerror(EISDIR));
    /* The file is written as a temporary next to it, then renamed: that must work. */
    snprintf(probe, sizeof probe, "%s/.%s.XXXXXX", dir, name);
    int fd = mkstemp(probe);
    if (fd < 0)
        return hitl_err_set(err, HITL_E_IO, "cannot write the known failures to '%s': %s", path,
                            strerror(errno));
    close(fd);
    unlink(probe);
    return HITL_OK;
}

int hitl_baseline_write(const char *path, const hitl_results *res, bool strict, hitl_redactor *red,
                        hitl_err *err)
{
    hitl_buf b;
    hitl_buf_init(&b, HITL_BASELINE_MAX_BYTES);
    int rc = hitl_baseline_format(&b, res, strict, red, err);
    if (!rc) {
        char dir[4096];
        const char *name = split_path(path, dir, sizeof dir, err);
        rc = name ? hitl_report_write_file(dir, name, hitl_buf_str(&b), b.len, err) : HITL_E_ARG;
    }
    hitl_buf_free(&b);
    return rc;
}
