/* report.c: what every file reporter shares (see report.h): the report directory,
 * atomic writes, redaction at write time, and the small formatting helpers. */
#include "hitl/report.h"
#include "hitl/utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PATH_CAP 4096

char *hitl_report_redact(const hitl_report_meta *m, const char *s)
{
    if (!s)
        return strdup("");
    char *red = m && m->redactor ? hitl_redactor_apply(m->redactor, s) : strdup(s);
    if (!red)
        return NULL;
    /* Every format a report is written in must be UTF-8, and a server's bytes need not be
     * (cJSON would copy them as they are into an unreadable report.json). */
    char *text = hitl_utf8_sanitize(red, strlen(red));
    free(red);
    return text;
}

const char *hitl_report_area(const hitl_catalog_entry *e)
{
    return e->area ? e->area : "";
}

bool hitl_report_shows_dify_bug(const hitl_result *r)
{
    const hitl_catalog_entry *e = r->entry;
    return e && e->area && !strcmp(e->area, "regress") &&
           (r->verdict == HITL_FAIL || r->verdict == HITL_WARN || r->verdict == HITL_KNOWN);
}

bool hitl_report_lists_dify_bug(const hitl_results *res, size_t i)
{
    if (!hitl_report_shows_dify_bug(&res->items[i]))
        return false;
    for (size_t k = 0; k < i; k++) /* one line per check, not per surface */
        if (res->items[k].entry == res->items[i].entry &&
            hitl_report_shows_dify_bug(&res->items[k]))
            return false;
    return true;
}

int hitl_report_dify_issues(hitl_buf *out, const hitl_catalog_entry *e)
{
    const char *p = e && e->title ? strstr(e->title, "dify#") : NULL;
    if (!p)
        return hitl_buf_append_str(out, "a Dify regression");
    /* "dify#39448/#39485, #39750, #40878; 1.16.0" → up to ')' or ';', or a ", " that is
     * not followed by another "#n". */
    size_t n = 0;
    while (p[n] && p[n] != ')' && p[n] != ';' &&
           !(p[n] == ',' && p[n + 1] == ' ' && p[n + 2] != '#'))
        n++;
    return hitl_buf_append(out, p, n);
}

void hitl_report_time(time_t t, char *out, size_t cap)
{
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(out, cap, "1970-01-01T00:00:00Z");
}

const char *hitl_report_known_reason(const hitl_report_meta *m, size_t i)
{
    return m && m->known ? m->known[i].reason : NULL;
}

const char *hitl_report_profile(const hitl_report_meta *m)
{
    return m && m->profile && !strcmp(m->profile, "dify") ? "dify" : "contract";
}

int hitl_report_deviation_text(hitl_buf *out, const hitl_result *r)
{
    const hitl_deviation *d = r->deviation;
    if (!d)
        return HITL_OK;
    int rc = r->verdict == HITL_KNOWN
                 ? hitl_buf_printf(out, "Known deviation %s of genuine Dify: ", d->id)
                 : hitl_buf_printf(out,
                                   "Genuine Dify does this too (recorded deviation %s, KNOWN "
                                   "under --profile dify): ",
                                   d->id);
    rc = rc ? rc : hitl_buf_printf(out, "%s Evidence: ", d->observed);
    for (size_t i = 0; !rc && i < d->n_evidence; i++)
        rc = hitl_buf_printf(out, "%s%s", i ? "; " : "", d->evidence[i]);
    return rc ? rc : hitl_buf_append_str(out, ".");
}

bool hitl_report_security_relevant(const hitl_result *r)
{
    static const char *const tags[] = {"security", "auth", "ratelimit", "remote-url", "hostile"};
    if (r->verdict != HITL_FAIL && r->verdict != HITL_WARN && r->verdict != HITL_KNOWN)
        return false;
    for (size_t i = 0; i < r->entry->n_tags; i++)
        for (size_t k = 0; k < sizeof tags / sizeof tags[0]; k++)
            if (!strcmp(r->entry->tags[i], tags[k]))
                return true;
    /* A 5xx is the server failing on what the check sent: on hostile input that is a
     * robustness (denial-of-service) finding whatever the check's area. */
    for (size_t i = 0; i < r->n_exchanges; i++)
        if (r->exchanges[i].status >= 500 && r->exchanges[i].status <= 599)
            return true;
    return false;
}

/* mkdir -p: each missing component in turn. */
static int mkdirs(const char *dir)
{
    char path[PATH_CAP];
    size_t len = strlen(dir);
    if (len == 0 || len >= sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(path, dir, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        char saved = path[i];
        path[i] = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return -1;
        path[i] = saved;
    }
    struct stat st;
    if (stat(dir, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

int hitl_report_prepare_dir(const char *dir, hitl_err *err)
{
    if (!dir || !*dir)
        return hitl_err_set(err, HITL_E_ARG,
                            "the report directory is empty: give --report-dir DIR");
    if (mkdirs(dir) != 0)
        return hitl_err_set(err, HITL_E_IO, "cannot create the report directory '%s': %s", dir,
                            strerror(errno));
    /* Writable? Creating the reports' own kind of temporary file says so for certain. */
    char probe[PATH_CAP];
    if (snprintf(probe, sizeof probe, "%s/.hitlcheck-probe.XXXXXX", dir) >= (int)sizeof probe)
        return hitl_err_set(err, HITL_E_IO, "the report directory path '%s' is too long", dir);
    int fd = mkstemp(probe);
    if (fd < 0)
        return hitl_err_set(err, HITL_E_IO, "cannot write in the report directory '%s': %s", dir,
                            strerror(errno));
    close(fd);
    unlink(probe);
    return HITL_OK;
}

/* Writes as hitl_report_write_file does, the file getting |mode|. */
static int write_file_mode(const char *dir, const char *name, const char *data, size_t len,
                           mode_t mode, hitl_err *err)
{
    char final[PATH_CAP], tmp[PATH_CAP];
    if (snprintf(final, sizeof final, "%s/%s", dir, name) >= (int)sizeof final ||
        snprintf(tmp, sizeof tmp, "%s/.%s.XXXXXX", dir, name) >= (int)sizeof tmp)
        return hitl_err_set(err, HITL_E_IO, "the report path '%s/%s' is too long", dir, name);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return hitl_err_set(err, HITL_E_IO, "cannot create a file in '%s' for %s: %s", dir, name,
                            strerror(errno));
    /* mkstemp makes the file 0600; reports are meant to be read by CI tooling (one with
     * the secrets shown stays its owner's, as the trace does). */
    if (mode != 0600)
        (void)fchmod(fd, mode);
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, data + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = errno;
            close(fd);
            unlink(tmp);
            return hitl_err_set(err, HITL_E_IO, "cannot write %s: %s", final, strerror(e));
        }
        done += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        int e = errno;
        unlink(tmp);
        return hitl_err_set(err, HITL_E_IO, "cannot write %s: %s", final, strerror(e));
    }
    if (rename(tmp, final) != 0) {
        int e = errno;
        unlink(tmp);
        return hitl_err_set(err, HITL_E_IO, "cannot rename into %s: %s", final, strerror(e));
    }
    return HITL_OK;
}

int hitl_report_write_file(const char *dir, const char *name, const char *data, size_t len,
                           hitl_err *err)
{
    return write_file_mode(dir, name, data, len, 0644, err);
}

#define HITL_REPORT_ROW(name, file, what) {#name, file, what, hitl_report_format_##name},
const hitl_report_format hitl_report_formats[] = {HITL_REPORT_FORMATS(HITL_REPORT_ROW)};
#undef HITL_REPORT_ROW
const size_t hitl_report_n_formats = sizeof hitl_report_formats / sizeof hitl_report_formats[0];

const hitl_report_format *hitl_report_format_find(const char *name)
{
    for (size_t i = 0; name && i < hitl_report_n_formats; i++)
        if (!strcmp(hitl_report_formats[i].name, name))
            return &hitl_report_formats[i];
    return NULL;
}

int hitl_report_write(const char *dir, const hitl_report_format *f, const hitl_results *res,
                      const hitl_report_meta *m, hitl_err *err)
{
    hitl_buf b;
    hitl_buf_init(&b, HITL_REPORT_MAX);
    int rc = f->format(&b, res, m, err);
    if (!rc)
        rc = write_file_mode(dir, f->file, hitl_buf_str(&b), b.len,
                             m && m->secrets_shown ? 0600 : 0644, err);
    hitl_buf_free(&b);
    if (rc)
        hitl_err_prefix(err, "%s", f->file);
    return rc;
}

size_t hitl_report_first_line(const char *s, size_t max)
{
    size_t n = strcspn(s, "\r\n");
    if (n > max) {
        n = max;
        while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    return n;
}
