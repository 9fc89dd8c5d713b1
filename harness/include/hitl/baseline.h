/* baseline.h: the --expect baseline of known failures. A plain text file, one entry a
 * line (LF or CRLF endings):
 *     <check-id> <surface> <reason…>
 * where surface is web, service or * (both), and the reason (required) says why the
 * failure is accepted; blank lines and lines starting with '#' are ignored.
 * A FAIL listed in the baseline does not fail the run. An entry whose check now passes
 * is stale and fails the run (so the baseline only ever shrinks); an entry naming no
 * check of the catalogue is a configuration error. --write-expect writes the current
 * failures in the same format. */
#ifndef HITL_BASELINE_H
#define HITL_BASELINE_H

#include <stdbool.h>
#include <stddef.h>
#include "hitl/buf.h"
#include "hitl/catalog.h"
#include "hitl/result.h"
#include "hitl/err.h"
#include "hitl/report.h"

#define HITL_BASELINE_MAX_BYTES (1024u * 1024u)
#define HITL_BASELINE_MAX_ENTRIES 4096u

typedef enum hitl_baseline_state {
    HITL_BASELINE_NOT_RUN, /* its check did not run here, or ended SKIP/ERROR */
    HITL_BASELINE_HOLDS,   /* its check still fails: the failure is expected */
    HITL_BASELINE_FIXED    /* its check ran and passed: the entry is stale */
} hitl_baseline_state;

typedef struct hitl_baseline_entry {
    char *id;
    int surfaces; /* bitset of hitl_surface; both for '*' */
    char *reason;
    size_t line; /* 1-based, for messages */
    hitl_baseline_state state;
} hitl_baseline_entry;

typedef struct hitl_baseline {
    hitl_baseline_entry *items;
    size_t n;
    char *path; /* the file's name, for messages */
} hitl_baseline;

/* hitl_baseline_parse reads |len| bytes of |text| (named |name| in messages) into |out|
 * (zeroed by the caller; free with hitl_baseline_free, also after an error). Returns 0,
 * HITL_E_PARSE naming the line, HITL_E_TOO_BIG or HITL_E_NOMEM. */
int hitl_baseline_parse(const char *text, size_t len, const char *name, hitl_baseline *out,
                        hitl_err *err);
/* hitl_baseline_load reads and parses the file |path|; HITL_E_IO when it cannot be read. */
int hitl_baseline_load(const char *path, hitl_baseline *out, hitl_err *err);
void hitl_baseline_free(hitl_baseline *b);

/* hitl_baseline_check_catalog fails (HITL_E_INVALID, naming file, line and ID) when an
 * entry names no check of |cat|, or a surface the check does not have. */
int hitl_baseline_check_catalog(const hitl_baseline *b, const hitl_catalog *cat, hitl_err *err);

/* True when |r| fails the run: a FAIL, or a WARN when |strict| (a KNOWN never does). */
bool hitl_baseline_is_failure(const hitl_result *r, bool strict);

/* hitl_baseline_apply sets each entry's state from |res|, and known[i].reason for each
 * failing result i that an entry lists (|known| has res->n items, caller-owned; reasons
 * point into |b|). A failure is a FAIL, or a WARN when |strict|. Returns the number of
 * stale (FIXED) entries. */
size_t hitl_baseline_apply(hitl_baseline *b, const hitl_results *res, bool strict,
                           hitl_report_known *known);

/* hitl_baseline_format appends the failures of |res| (as above) in the file format, the
 * reason being the first line of each Actual (already redacted by the scheduler; |red| is
 * applied again when not NULL). Returns 0 or HITL_E_TOO_BIG. */
int hitl_baseline_format(hitl_buf *out, const hitl_results *res, bool strict, hitl_redactor *red,
                         hitl_err *err);
/* hitl_baseline_check_path returns 0 when the --write-expect file |path| can be written
 * (a temporary file can be made next to it, and it is no directory), or HITL_E_ARG /
 * HITL_E_IO with a message naming it: checked before any check runs. */
int hitl_baseline_check_path(const char *path, hitl_err *err);

/* Formats and writes the file |path| atomically. */
int hitl_baseline_write(const char *path, const hitl_results *res, bool strict, hitl_redactor *red,
                        hitl_err *err);

#endif
