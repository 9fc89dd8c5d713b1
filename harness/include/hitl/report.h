/* report.h: the file reporters of `hitlcheck run`, a family behind one table
 * (HITL_REPORT_FORMATS below): each turns the results of a run into one format its users'
 * tools read, written into --report-dir. A new format is one file, report_<name>.c defining
 * hitl_report_format_<name>, and one row of the table.
 * Every FAIL/WARN/KNOWN carries a reproducer (hitl_report_reproducer). Reporters only format
 * results; they never touch the network (their library links no transport: harness/
 * CMakeLists.txt). The scheduler already redacted the results; the reporters apply the
 * run's redactor once more at write time, because a secret met by a later check (a token)
 * is known only once the run has ended.
 * Files are written atomically (a temporary file in the same directory, then rename). */
#ifndef HITL_REPORT_H
#define HITL_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "hitl/buf.h"
#include "hitl/result.h"
#include "hitl/err.h"
#include "hitl/redact.h"

/* The version of report.json's layout (specs/report.schema.json): bumped on any change
 * that is not a pure addition. */
#define HITL_REPORT_SCHEMA_VERSION 1

/* A reproducer, a report: caps on what a single artifact may grow to. */
#define HITL_REPORT_MAX (64u * 1024u * 1024u)
#define HITL_REPRODUCER_MAX (256u * 1024u)

/* What a result's baseline entry said (see baseline.h): the result is a failure (a FAIL,
 * or a WARN under --strict) that the baseline expects. */
typedef struct hitl_report_known {
    const char *reason; /* the baseline's reason; NULL when not a listed failure */
} hitl_report_known;

/* The run as a whole. Every pointer is borrowed; any may be NULL except target. */
typedef struct hitl_report_meta {
    const char *target;          /* base URL of the target */
    const char *harness_version; /* HITL_VERSION */
    const char *fingerprint;     /* what the probe found: "upload-layout=v1" */
    const char *app_mode;        /* "workflow" or "chatflow" */
    const char *const *options;  /* the options of the run as given (argv after `run`) */
    size_t n_options;
    /* The shell-quoted options that reach the same target again, for the reproducer's
     * `hitlcheck run … --only ID` line (no --only/--exclude/report options). */
    const char *rerun_args;
    const char *service_base; /* "/v1": tells an API-key Authorization from an upload token */
    bool strict;
    bool secrets_shown;      /* --show-secrets: the report says so */
    time_t started, ended;   /* wall clock, UTC */
    hitl_redactor *redactor; /* re-applied to every string written; NULL: none */
    /* Per result (parallel to res->items, NULL when no baseline): listed failures. */
    const hitl_report_known *known;
    const char *baseline_path; /* --expect FILE, NULL when none */
    const char *profile;       /* --profile: "contract" or "dify"; NULL is contract */
    const char *const *stale;  /* baseline entries that failed the run (human lines) */
    size_t n_stale;
} hitl_report_meta;

/* The formats, in the order they are written: X(name, file, what it holds). */
#define HITL_REPORT_FORMATS(X)                                                                     \
    X(junit, "junit.xml", "JUnit XML, a testsuite per check area")                                 \
    X(json, "report.json", "the whole run (specs/report.schema.json)")                             \
    X(markdown, "summary.md", "a Markdown table for a CI step summary")                            \
    X(sarif, "report.sarif", "SARIF 2.1.0, the security-relevant findings")                        \
    X(html, "report.html", "one self-contained page for a person")

/* A format appends its text to |out| (a caller-owned bounded buffer) and returns 0, or
 * HITL_E_TOO_BIG / HITL_E_NOMEM with |err| set. */
typedef int (*hitl_report_format_fn)(hitl_buf *out, const hitl_results *res,
                                     const hitl_report_meta *m, hitl_err *err);

/* One hitl_report_format_<name> per row (report_<name>.c). */
#define HITL_REPORT_DECLARE(name, file, what)                                                      \
    int hitl_report_format_##name(hitl_buf *out, const hitl_results *res,                          \
                                  const hitl_report_meta *m, hitl_err *err);
HITL_REPORT_FORMATS(HITL_REPORT_DECLARE)
#undef HITL_REPORT_DECLARE

typedef struct hitl_report_format {
    const char *name; /* "junit" */
    const char *file; /* the file it is written to in the report directory: "junit.xml" */
    const char *what; /* one line for --help */
    hitl_report_format_fn format;
} hitl_report_format;

/* The table, HITL_REPORT_FORMATS in order, and its length. */
extern const hitl_report_format hitl_report_formats[];
extern const size_t hitl_report_n_formats;

/* The format named |name|, or NULL. */
const hitl_report_format *hitl_report_format_find(const char *name);

/* hitl_report_write formats |f| and writes its file into the existing directory |dir|,
 * atomically (0600 when meta's secrets_shown is set, else 0644). Returns 0, or the
 * format's error, or HITL_E_IO; |err| names the file. */
int hitl_report_write(const char *dir, const hitl_report_format *f, const hitl_results *res,
                      const hitl_report_meta *m, hitl_err *err);

/* hitl_report_prepare_dir creates |dir| (and its parents) when missing and makes sure a
 * file can be created in it. Returns 0, or HITL_E_IO with a message naming |dir|. */
int hitl_report_prepare_dir(const char *dir, hitl_err *err);

/* hitl_report_write_file writes |len| bytes to |dir|/|name| through a temporary file and
 * rename(2), so a reader never sees half a report; the file is 0644. Returns 0 or
 * HITL_E_IO. */
int hitl_report_write_file(const char *dir, const char *name, const char *data, size_t len,
                           hitl_err *err);

/* hitl_report_reproducer appends to |out| a shell snippet that reproduces the FAIL/WARN/KNOWN
 * |r|: the `hitlcheck run … --only <ID> --surface <S>` line, then the curl commands of
 * its recorded exchanges in order. Secrets stay out of it: redacted values become shell
 * variables ($HITLCHECK_API_KEY, $HITL_FORM_TOKEN, $HITL_UPLOAD_TOKEN), captured from
 * the response that issued them when the record shows one. Returns 0 or HITL_E_TOO_BIG. */
int hitl_report_reproducer(hitl_buf *out, const hitl_result *r, const hitl_report_meta *m,
                           hitl_err *err);

/* Appends |s| quoted for a POSIX shell (single quotes; ' as '\''). */
int hitl_report_shell_quote(hitl_buf *out, const char *s);

/* True for a finding SARIF carries: a FAIL/WARN/KNOWN of a check tagged security, auth,
 * ratelimit, remote-url (SSRF) or hostile, or one whose exchanges saw a 5xx. */
bool hitl_report_security_relevant(const hitl_result *r);

/* True when |r| shows a known Dify bug: a regress.* check (contract §12) that FAILed, WARNed
 * or matched a recorded deviation. The summaries list these ("this deployment has the
 * behaviour of dify#39750"). */
bool hitl_report_shows_dify_bug(const hitl_result *r);
/* True when result |i| of |res| shows a Dify bug and no earlier result of the same check does
 * (the summaries list each check once, whatever its surfaces). */
bool hitl_report_lists_dify_bug(const hitl_results *res, size_t i);
/* Appends the Dify issue references of |e|'s title ("dify#39448/#39485, #39750, #40878"),
 * or "a Dify regression" when it names none. 0 or HITL_E_TOO_BIG. */
int hitl_report_dify_issues(hitl_buf *out, const hitl_catalog_entry *e);

/* Internal to the reporters (report_*.c), shared so the logic lives once. */
/* A malloc'd copy of |s| through the meta's redactor ("" for NULL). */
char *hitl_report_redact(const hitl_report_meta *m, const char *s);
/* The area of a check as the catalogue gives it (specs/checks/<area>.json), "" when none:
 * what the reports group by. */
const char *hitl_report_area(const hitl_catalog_entry *e);
/* The length of the first line of |s| (up to CR or LF), cut to at most |max| bytes on a
 * UTF-8 boundary: s[result] != '\0' when anything was left out. */
size_t hitl_report_first_line(const char *s, size_t max);
/* ISO 8601 UTC: "2026-11-25T10:17:52Z". */
void hitl_report_time(time_t t, char *out, size_t cap);
/* The baseline reason for result |i|, or NULL. */
const char *hitl_report_known_reason(const hitl_report_meta *m, size_t i);
/* The profile's name as the reports print it: "contract" unless meta says "dify". */
const char *hitl_report_profile(const hitl_report_meta *m);
/* Appends what the recorded deviation of |r| says (nothing when it matched none), one
 * paragraph: for a KNOWN result "Known deviation <id> of genuine Dify: <observed> Evidence:
 * <path@commit>; …", for a FAIL/WARN "Genuine Dify does this too (recorded deviation <id>,
 * KNOWN under --profile dify): …". Returns 0 or HITL_E_TOO_BIG. */
int hitl_report_deviation_text(hitl_buf *out, const hitl_result *r);

#endif
