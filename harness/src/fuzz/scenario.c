/* scenario.c: fuzz input → scenario records, their description, and the seeds. */
#include "fuzz_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first byte of a record picks its operation with these weights (out of 32): submits
 * most, since most of the contract's rules are about them; the resume stream least, since
 * each one waits for its stream. */
static fz_op op_of(uint8_t b)
{
    unsigned v = b % 32u;
    if (v < 6)
        return FZ_GET;
    if (v < 9)
        return FZ_UPLOAD_TOKEN;
    if (v < 15)
        return FZ_UPLOAD;
    if (v < 28)
        return FZ_SUBMIT;
    if (v < 31)
        return FZ_SUBMIT_PAIR;
    return FZ_RESUME;
}

void fz_decode(const uint8_t *data, size_t len, fz_scenario *sc)
{
    memset(sc, 0, sizeof *sc);
    if (len > HITL_FUZZ_MAX_INPUT)
        len = HITL_FUZZ_MAX_INPUT;
    size_t n = (len + HITL_FUZZ_RECORD - 1) / HITL_FUZZ_RECORD;
    if (n == 0)
        n = 1;
    for (size_t i = 0; i < n; i++) {
        uint8_t raw[HITL_FUZZ_RECORD] = {0};
        size_t off = i * HITL_FUZZ_RECORD;
        size_t take = len > off ? len - off : 0;
        if (take > HITL_FUZZ_RECORD)
            take = HITL_FUZZ_RECORD;
        if (take)
            memcpy(raw, data + off, take);
        sc->rec[i].op = op_of(raw[0]);
        sc->rec[i].tok = raw[1];
        memcpy(sc->rec[i].p, raw + 2, sizeof sc->rec[i].p);
    }
    sc->n = (unsigned)n;
}

const char *fz_op_name(fz_op op)
{
    static const char *const NAMES[] = {"get",    "upload-token", "upload",
                                        "submit", "submit-pair",  "resume"};
    return op < FZ_OP__COUNT ? NAMES[op] : "?";
}

const char *fz_kind_name(fz_kind k)
{
    static const char *const NAMES[] = {"valid",  "omit",    "palette", "case", "suffix",
                                        "number", "literal", "repeat",  "nest", "duplicate",
                                        "huge",   "other",   "mapping"};
    return k < FZ_K__COUNT ? NAMES[k] : "?";
}

char *hitl_fuzz_describe(const uint8_t *data, size_t len)
{
    fz_scenario sc;
    fz_decode(data, len, &sc);
    hitl_buf b;
    hitl_buf_init(&b, 64 * 1024);
    for (unsigned i = 0; i < sc.n; i++) {
        const fz_rec *r = &sc.rec[i];
        hitl_buf_printf(&b, "%u: %s token-mutation %u/%u", i, fz_op_name(r->op), r->tok & 7u,
                        r->tok >> 3);
        if (r->op == FZ_SUBMIT) {
            hitl_buf_printf(&b, " action-mode %u user-mode %u edits", r->p[0] % 8u, r->p[1] % 5u);
            for (unsigned e = 0; e < FZ_EDITS; e++) {
                const uint8_t *ed = r->p + 2 + 3 * e;
                if (ed[0])
                    hitl_buf_printf(&b, " [target %u %s %u]", ed[0],
                                    fz_kind_name((fz_kind)(ed[1] % FZ_K__COUNT)), ed[2]);
            }
        } else if (r->op == FZ_UPLOAD) {
            hitl_buf_printf(&b, " auth %u name %u/%u type %u size %u/%u parts %u", r->p[0] % 8u,
                            r->p[1] % 10u, r->p[2], r->p[3] % 5u, r->p[4] % 3u, r->p[5],
                            r->p[6] % 5u);
        }
        hitl_buf_append_str(&b, "\n");
    }
    char *s = hitl_buf_release(&b);
    return s ? s : strdup("");
}

/* The seeds, one scenario each, spelled as record bytes. The first byte's operation: 0 GET,
 * 6 upload-token, 9 upload, 15 submit, 28 submit-pair, 31 resume. A submit's bytes after the
 * token byte: action mode, user mode, then edits (target = input index + 1, kind, param) in
 * the default form's order: 1 feedback, 2 priority, 3 attachment, 4 attachments. */
typedef struct seed {
    const char *name;
    uint8_t bytes[HITL_FUZZ_RECORD * 2];
    size_t len;
} seed;

#define R16(...)                                                                                   \
    {                                                                                              \
        __VA_ARGS__                                                                                \
    }
static const seed SEEDS[] = {
    {"valid-submission", R16(15, 0), 16},
    {"get-form", R16(0, 0), 16},
    {"invalid-action", R16(15, 0, 5), 16},
    {"action-case", R16(15, 0, 2), 16},
    {"missing-input", R16(15, 0, 0, 0, 1, FZ_K_OMIT, 0), 16},
    {"select-outside-options", R16(15, 0, 0, 0, 2, FZ_K_PALETTE, 3), 16},
    {"select-wrong-type", R16(15, 0, 0, 0, 2, FZ_K_NUMBER, 1), 16},
    {"other-form-file", R16(15, 0, 0, 0, 3, FZ_K_OTHER, 0), 16},
    {"file-list-too-long", R16(15, 0, 0, 0, 4, FZ_K_REPEAT, 4), 16},
    {"paragraph-unicode", R16(15, 0, 0, 0, 1, FZ_K_PALETTE, 7), 16},
    {"inputs-not-object", R16(15, 0, 0, 0, 6, FZ_K_LITERAL, 4), 16},
    {"unknown-token", R16(0, 5 | (2 << 3)), 16},
    {"upload-valid", R16(6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0), 32},
    {"upload-no-token", R16(9, 0, 1), 16},
    {"upload-bad-name", R16(9, 0, 0, 2), 16},
    {"double-submit", R16(15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 15, 0), 32},
    {"submit-pair", R16(28, 0), 16},
};

size_t hitl_fuzz_seed_count(void)
{
    return sizeof SEEDS / sizeof SEEDS[0];
}

const char *hitl_fuzz_seed_name(size_t i)
{
    return i < hitl_fuzz_seed_count() ? SEEDS[i].name : NULL;
}

size_t hitl_fuzz_seed(size_t i, uint8_t *out, size_t cap)
{
    if (i >= hitl_fuzz_seed_count())
        return 0;
    size_t n = SEEDS[i].len < cap ? SEEDS[i].len : cap;
    memcpy(out, SEEDS[i].bytes, n);
    return n;
}
