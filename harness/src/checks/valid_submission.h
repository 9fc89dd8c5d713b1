/* valid_submission.h: the one valid submission every check area builds (§7.1, §7.3),
 * derived from the form the target presents. This layer gets the files: for each file or
 * file-list input a sample of a type the input allows (hitlcheck has a PDF, a PNG, an MP3, an
 * MP4, and a custom file named with one of the input's extensions), by a transfer method it
 * allows — uploaded (local_file: WEB with an upload token, SVC through /files/upload) when
 * it takes local_file, else the fixture's copy inline (remote_url) once the target has been
 * seen to fetch the fixture — typed with the type Dify detects for it (its strict validation
 * rejects any other, an untyped local file included). hitl_submit_fill_valid (parser layer)
 * then assembles the JSON.
 *
 * Outcomes: where no valid value exists (a select without options, a type hitlcheck has no
 * sample for, a remote-only input without a fixture the target reaches) the check is SKIP
 * naming the input and why; a failed setup step (issuing an upload token, an upload the
 * target refuses, the builder) is ERROR naming the step. Internal to harness/src/checks. */
#ifndef HITL_CHECKS_VALID_SUBMISSION_H
#define HITL_CHECKS_VALID_SUBMISSION_H

#include "hitl/check.h"
#include "hitl/flow.h"
#include "hitl/form.h"
#include "hitl/submit.h"

#include <stdbool.h>
#include <stddef.h>

/* Files a file-list gets in the valid submission (fewer when its number_limits is smaller). */
#define HITL_VALID_LIST_FILES 2

/* A file hitlcheck can send, with the type Dify's standardize_file_type detects for it. */
typedef struct hitl_sample {
    const char *type;  /* "document", "image", "audio", "video" or "custom" */
    char filename[48]; /* "hitlcheck.pdf"; a custom sample takes the input's extension */
    const char *mime;  /* the Content-Type it is uploaded with */
    const void *data;
    size_t len;
    const char *fixture_file; /* the fixture's copy ("good.pdf"), NULL when it has none */
} hitl_sample;

/* hitl_chk_sample fills |out| with the built-in sample of |type| ("document", "image",
 * "audio", "video"; not "custom", whose name depends on the input). Returns false for a type
 * hitlcheck has no fixed sample of. */
bool hitl_chk_sample(const char *type, hitl_sample *out);

/* The files one file or file-list input got. */
typedef struct hitl_valid_input {
    const hitl_form_input *in;
    hitl_sample sample;                        /* what each of its files is */
    hitl_file_ref refs[HITL_VALID_LIST_FILES]; /* a file input: refs[0] only */
    char *owned[HITL_VALID_LIST_FILES];        /* the id or URL each ref points at */
    size_t n_refs;
} hitl_valid_input;

/* A valid submission of a run's form and what it took to build it. */
typedef struct hitl_valid {
    hitl_submit *sub;        /* the body: print it, or spoil one thing in it */
    hitl_valid_input *files; /* one per file or file-list input, in form order */
    size_t n_files;
    char *upload_token;   /* WEB: the token the uploads used (the caller's or issued) */
    bool fixture_fetched; /* the target was seen to fetch the fixture (remote_url used) */
} hitl_valid;

typedef struct hitl_valid_opts {
    const char *action;       /* the action to submit; NULL = the form's first */
    const char *upload_token; /* WEB: a token of the form for the uploads; NULL = issue one
                                 when an upload is needed (copied either way) */
} hitl_valid_opts;

/* hitl_chk_valid_build builds the valid submission of |run|'s form for the check's surface
 * (|opts| NULL = defaults). Returns 0 with |out| filled; non-zero after a SKIP or an ERROR.
 * |out| is the caller's to hitl_chk_valid_free in every case. */
int hitl_chk_valid_build(hitl_check_ctx *ctx, const hitl_run *run, const hitl_valid_opts *opts,
                         hitl_valid *out);
void hitl_chk_valid_free(hitl_valid *v);

/* The files input |in| got, NULL for an input that is not a file or file-list. */
const hitl_valid_input *hitl_chk_valid_files(const hitl_valid *v, const hitl_form_input *in);

/* hitl_chk_valid_body is hitl_chk_valid_build printed: a malloc'd JSON body, or NULL after
 * a SKIP or an ERROR. */
char *hitl_chk_valid_body(hitl_check_ctx *ctx, const hitl_run *run, const hitl_valid_opts *opts);

/* hitl_chk_submit_valid submits the valid body (|upload_token| as in hitl_valid_opts) on the
 * check's surface, patiently, as a precondition of a later step. Returns 0 after a 200;
 * non-zero after a SKIP, or an ERROR naming the answer. */
int hitl_chk_submit_valid(hitl_check_ctx *ctx, const hitl_run *run, const char *upload_token);

/* hitl_chk_submit_required submits |body| (a valid submission) for |form_token| patiently,
 * as a precondition of a later step. Returns 0 after a 200; non-zero after an ERROR naming
 * the answer. */
int hitl_chk_submit_required(hitl_check_ctx *ctx, const char *form_token, const char *body);

/* hitl_chk_upload_file uploads |sample| for the check's surface (WEB with |upload_token|,
 * SVC through /files/upload with the app key |run| was started with, the target's when it
 * has none) and returns the file's id (malloc'd), or NULL after an ERROR naming |what| (the
 * setup step) and the answer. */
char *hitl_chk_upload_file(hitl_check_ctx *ctx, const hitl_run *run, const char *upload_token,
                           const hitl_sample *sample, const char *what);

#endif
