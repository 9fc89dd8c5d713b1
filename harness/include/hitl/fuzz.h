/* fuzz.h: coverage-guided security fuzzing of a deployment's Human Input endpoints (`hitlcheck
 * fuzz`, fuzz/fuzz_server.c). A fuzz input is a scenario: up to HITL_FUZZ_MAX_OPS records of
 * HITL_FUZZ_RECORD bytes, each decoded (structure-aware, never raw bytes on the wire) into one
 * operation on a live form: get it, issue an upload token, upload (multipart with mutated
 * names, types, parts, sizes), submit (a valid submission with up to four typed edits: hostile
 * and huge values, deep nesting, odd Unicode, NUL and lone surrogate escapes, duplicate keys,
 * another form's file), two valid submits at once, re-join the run's events. Records are
 * fixed-size so that a scenario minimizes by dropping records and zeroing bytes (0 = "as the
 * valid submission has it").
 *
 * A session (hitl_fuzz) keeps a pool of live forms: the current one, which the scenario's ops
 * address, and a neighbour of another end user whose token, upload token and file are what
 * "another form's" means. A valid submit consumes the current form; the next scenario starts
 * a run for a new one. Each answer is judged by the oracles (a 5xx, no answer in time, a
 * dropped connection, a 4xx body not in the error shape, an invariant broken) and reduced to
 * response features (operation × status × error code × message template) that the caller
 * feeds to libFuzzer as extra counters (hitl_fuzz_features). */
#ifndef HITL_FUZZ_H
#define HITL_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hitl/err.h"

#define HITL_FUZZ_RECORD 16u
#define HITL_FUZZ_MAX_OPS 8u
#define HITL_FUZZ_MAX_INPUT (HITL_FUZZ_RECORD * HITL_FUZZ_MAX_OPS)
#define HITL_FUZZ_FEATURES 8192u /* the extra-counter array's size */

typedef struct hitl_fuzz hitl_fuzz;

typedef struct hitl_fuzz_target {
    const char *base_url; /* scheme://host[:port], no trailing slash */
    const char *api_key;  /* the Service API app key (runs start with it; SVC form calls) */
    const char *user;     /* the end user of the current forms; NULL = "hitlcheck-fuzz" */
    bool web;             /* fuzz the WEB form endpoints instead of the Service API's */
    long timeout_ms;      /* per request; 0 = 5000 */
    unsigned rate_max;    /* WEB: at most this many requests per rate_window_s; 0 = no limit */
    unsigned rate_window_s;
    /* --profile dify: genuine Dify accepts a file of another form at submit (the recorded
     * deviation file-owner.other-form-accepted): such a 200 is then no finding. */
    bool other_form_files_accepted;
} hitl_fuzz_target;

/* What one scenario found: the first oracle that fired (found), else nothing. */
typedef struct hitl_fuzz_outcome {
    bool found;
    char oracle[48];     /* "server-error", "dropped-connection", "invariant", … */
    char signature[160]; /* what dedupes findings: oracle/op/status/code or invariant name */
    char detail[512];    /* one line for a person, secrets redacted */
    bool security;       /* a security oracle (SARIF results): leaks, auth, invariants */
    unsigned op_index;   /* the record that fired */
    /* The failing request, secrets replaced by placeholders (@FORM_TOKEN@, @OTHER_FORM_TOKEN@,
     * @UPLOAD_TOKEN@, @OTHER_UPLOAD_TOKEN@, @API_KEY@, @RUN_ID@), for the curl reproducer. */
    char method[8];
    char *path;         /* below the base URL; malloc'd */
    char *auth;         /* the Authorization value or NULL; malloc'd */
    char *content_type; /* NULL for none; malloc'd */
    char *body;         /* JSON body (malloc'd, body_len bytes) or NULL */
    size_t body_len;
    char *upload_name; /* multipart: the file part's name, file name and type; malloc'd */
    char *upload_filename;
    char *upload_type;
    char *upload_data; /* the file part's bytes (upload_size of them); malloc'd */
    size_t upload_size;
    bool pair;   /* two requests at once */
    long status; /* the answer's status; 0 = none */
} hitl_fuzz_outcome;

void hitl_fuzz_outcome_clear(hitl_fuzz_outcome *o);

typedef struct hitl_fuzz_stats {
    uint64_t requests;     /* requests sent, pool upkeep included */
    uint64_t scenarios;    /* scenarios executed */
    uint64_t forms_used;   /* runs started for forms (current and neighbour) */
    uint64_t setup_errors; /* pool upkeep that failed (a run that did not pause, …) */
    unsigned features;     /* distinct response features seen */
} hitl_fuzz_stats;

/* hitl_fuzz_new prepares a session against |t| (strings copied). The caller must have called
 * curl_global_init(). Nothing is sent yet. */
int hitl_fuzz_new(hitl_fuzz **out, const hitl_fuzz_target *t, hitl_err *err);
void hitl_fuzz_free(hitl_fuzz *f);

/* hitl_fuzz_prepare starts the pool (two runs, their forms, upload tokens and files). Returns
 * 0; HITL_E_NETWORK when the target does not answer at all (unreachable); another error
 * naming the setup step that failed. */
int hitl_fuzz_prepare(hitl_fuzz *f, hitl_err *err);

/* hitl_fuzz_exec runs the scenario |data| (|len| bytes, cut at HITL_FUZZ_MAX_INPUT) and
 * fills |out| (clear it with hitl_fuzz_outcome_clear). Returns 0, or a setup error (the pool
 * could not get a live form). Response features go to hitl_fuzz_features. */
int hitl_fuzz_exec(hitl_fuzz *f, const uint8_t *data, size_t len, hitl_fuzz_outcome *out,
                   hitl_err *err);

/* The session's counters so far. */
void hitl_fuzz_stats_get(const hitl_fuzz *f, hitl_fuzz_stats *out);

/* hitl_fuzz_describe writes a one-line-per-record description of scenario |data| into a
 * malloc'd string (for finding files). NULL when out of memory. */
char *hitl_fuzz_describe(const uint8_t *data, size_t len);

/* The seeds: scenarios made of the conformance checks' own valid and invalid requests (a valid
 * submission, an invalid action, a missing input, a select value outside its options, another
 * form's file, an upload without a token, …). |i| < hitl_fuzz_seed_count(); writes at most
 * |cap| bytes and returns the length. */
size_t hitl_fuzz_seed_count(void);
size_t hitl_fuzz_seed(size_t i, uint8_t *out, size_t cap);
const char *hitl_fuzz_seed_name(size_t i);

/* The response features: an array of HITL_FUZZ_FEATURES counters placed in the
 * __libfuzzer_extra_counters section, so libFuzzer (when linked) counts them as coverage. */
extern uint8_t hitl_fuzz_features[HITL_FUZZ_FEATURES];

#endif
