/* fuzz_int.h: what the files of the fuzz layer share: the decoded scenario records and the
 * submit-body writer. */
#ifndef HITL_FUZZ_INT_H
#define HITL_FUZZ_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hitl/buf.h"
#include "hitl/form.h"
#include "hitl/fuzz.h"

typedef enum fz_op {
    FZ_GET = 0,      /* GET the form */
    FZ_UPLOAD_TOKEN, /* WEB: POST …/upload-token */
    FZ_UPLOAD,       /* a local upload, multipart mutated */
    FZ_SUBMIT,       /* a submit: the valid submission with edits */
    FZ_SUBMIT_PAIR,  /* two valid submits at once */
    FZ_RESUME,       /* GET /workflow/<run>/events, briefly */
    FZ_OP__COUNT
} fz_op;

/* One record: its operation, the token mutation byte and the operation's parameter bytes. */
typedef struct fz_rec {
    fz_op op;
    uint8_t tok;
    uint8_t p[HITL_FUZZ_RECORD - 2];
} fz_rec;

typedef struct fz_scenario {
    fz_rec rec[HITL_FUZZ_MAX_OPS];
    unsigned n;
} fz_scenario;

/* Decodes |data| into |sc|: one record per HITL_FUZZ_RECORD bytes, a short last one padded
 * with zeros; an empty input is one record of zeros (a GET of the form). */
void fz_decode(const uint8_t *data, size_t len, fz_scenario *sc);
const char *fz_op_name(fz_op op);

/* A submit edit: three bytes of a SUBMIT record (target, kind, param). */
#define FZ_EDITS 4
typedef enum fz_kind {
    FZ_K_VALID = 0, /* the valid value */
    FZ_K_OMIT,      /* the key left out */
    FZ_K_PALETTE,   /* a hostile string: NUL, lone surrogates, odd Unicode, … */
    FZ_K_CASE,      /* the valid string with its letters' case flipped */
    FZ_K_SUFFIX,    /* the valid string with something appended */
    FZ_K_NUMBER,    /* a number */
    FZ_K_LITERAL,   /* true, false, null, {}, [], "" */
    FZ_K_REPEAT,    /* a list of N copies (of a file mapping for file inputs) */
    FZ_K_NEST,      /* the valid value inside D arrays */
    FZ_K_DUPLICATE, /* the key twice: a hostile string and the valid value */
    FZ_K_HUGE,      /* a string of param KiB */
    FZ_K_OTHER,     /* another form's file (file inputs), another option (select) */
    FZ_K_MAPPING,   /* an odd file mapping */
    FZ_K__COUNT
} fz_kind;
const char *fz_kind_name(fz_kind k);

/* What the submit writer needs of the session: the form, each input's valid JSON value,
 * the valid file mapping of this form and one of the neighbour's. */
typedef struct fz_submit_ctx {
    const hitl_form *form;
    char **valid;                   /* per input: its valid value as compact JSON */
    const char *file_mapping;       /* a valid mapping of this form's file, JSON */
    const char *other_mapping;      /* the same for the neighbour's file */
    const char *action;             /* the first action's id */
    const char *other_action;       /* another action of the form, or the same */
    const char *user;               /* NULL on WEB */
    bool other_form_files_accepted; /* a recorded deviation of the profile (fuzz.h) */
} fz_submit_ctx;

/* fz_submit_write writes the body of SUBMIT record |r| into |out| and, when the contract
 * says the target must reject it, a reason into |reject| (else ""). |kinds| gets a bit per
 * edit kind used. Returns 0 or HITL_E_TOO_BIG / HITL_E_NOMEM. */
int fz_submit_write(const fz_submit_ctx *c, const fz_rec *r, hitl_buf *out, char *reject,
                    size_t reject_cap, uint32_t *kinds);

#endif
