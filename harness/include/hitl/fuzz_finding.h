/* fuzz_finding.h: findings of `hitlcheck fuzz` on disk (finding.c) and the campaign that
 * finds them under libFuzzer (campaign.c, library hitl_fuzz_driver). */
#ifndef HITL_FUZZ_FINDING_H
#define HITL_FUZZ_FINDING_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "hitl/buf.h"
#include "hitl/fuzz.h"

#define HITL_FUZZ_MAX_BUGS 16

/* What a finding file records besides the outcome. */
typedef struct hitl_fuzz_finding_meta {
    const char *target_label;         /* "embedded" or the target URL (no credentials) */
    bool web;                         /* the surface fuzzed */
    const char *const *embedded_bugs; /* the embedded server's planted bugs, for --replay */
    size_t n_embedded_bugs;
    bool minimized;
    double found_after_s;
    uint64_t found_after_requests;
} hitl_fuzz_finding_meta;

/* The 16 hex digits naming a signature (the finding's file name). */
void hitl_fuzz_signature_id(const char *signature, char out[17]);

/* hitl_fuzz_finding_write writes <dir>/<id>.json, .sh and .body/.part. Returns 0;
 * HITL_E_STATE when that signature's file exists already (found before, maybe by another
 * job); HITL_E_IO / HITL_E_NOMEM. |id_out| (may be NULL) gets the id. */
int hitl_fuzz_finding_write(const char *dir, const hitl_fuzz_outcome *o, const uint8_t *data,
                            size_t len, const hitl_fuzz_finding_meta *m, char id_out[17],
                            hitl_err *err);

/* A finding file read back for --replay. */
typedef struct hitl_fuzz_finding {
    uint8_t data[HITL_FUZZ_MAX_INPUT];
    size_t len;
    char signature[160];
    char target[512];
    bool web;
    char bugs[HITL_FUZZ_MAX_BUGS][64];
    size_t n_bugs;
} hitl_fuzz_finding;

int hitl_fuzz_finding_load(const char *path, hitl_fuzz_finding *out, hitl_err *err);

/* ---- the campaign (hitl_fuzz_driver: links libFuzzer's runtime) --------------------------- */

typedef struct hitl_fuzz_campaign {
    hitl_fuzz *session;
    const char *findings_dir;
    hitl_fuzz_finding_meta meta; /* target, surface, bugs (the rest is filled per finding) */
    double duration_s;           /* stop after this long; 0 = until max_requests */
    uint64_t max_requests;       /* stop after this many requests; 0 = no cap */
    FILE *progress;              /* the progress line every progress_every_s; NULL = none */
    double progress_every_s;
    const char *progress_prefix; /* "" or "[job 2] " */
    bool minimize;               /* shrink each new finding's scenario before writing it */
    bool stop_on_finding;        /* end the campaign at its first finding */
    /* Called once when the campaign ends (time or requests spent): it must end the process
     * (_exit), since libFuzzer's loop never returns to its caller. */
    void (*on_done)(struct hitl_fuzz_campaign *c, void *user);
    /* Called with each progress line (may be NULL): the caller keeps its stats on disk, so
     * a campaign that dies still reports what it did. */
    void (*on_progress)(struct hitl_fuzz_campaign *c, void *user);
    void *user;
    /* Filled while running. */
    uint64_t findings;
    uint64_t setup_failures_in_a_row;
    double elapsed_s;
} hitl_fuzz_campaign;

/* hitl_fuzz_campaign_run hands libFuzzer's argv (|argc|, |argv|: argv[0] then libFuzzer
 * flags and corpus folders) to LLVMFuzzerRunDriver with a callback that runs one scenario per
 * input. Does not return while the campaign runs: it ends through c->on_done. Returns only
 * when libFuzzer itself stops early (its own exit code). */
int hitl_fuzz_campaign_run(hitl_fuzz_campaign *c, int argc, char **argv);

#endif
