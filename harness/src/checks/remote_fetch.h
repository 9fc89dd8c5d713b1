/* remote_fetch.h: what the remote-URL checks (remote.c) and the SSRF checks (ssrf.c) share:
 * the check's own nonce in the fixture's URLs (so the fixture's request log shows whether
 * the target fetched them), a run prepared for a remote upload (§6.3) or for an inline
 * remote_url in a submit (§7.3.14), and the version-dependent answers they accept.
 * Internal to harness/src/checks. */
#ifndef HITL_CHECKS_REMOTE_FETCH_H
#define HITL_CHECKS_REMOTE_FETCH_H

#include "fixture_probe.h"
#include "hitl/flow.h"
#include "valid_submission.h"

#include "hitl/fixture.h"

/* After a refused request, how long a target that fetches asynchronously gets to show it. */
#define HITL_REMOTE_LATE_FETCH_MS 500L

/* One accepted answer of a version-dependent mapping (the variants of §6.3 and §8.5). */
typedef struct hitl_remote_variant {
    long status;
    const char *code;
    const char *label;  /* "newest", "older" … named in the note */
    const char *prefix; /* the message's start, when the code alone says too little; or NULL */
} hitl_remote_variant;

/* The `code` string of an error body into |out| ("" when absent). */
void hitl_remote_body_code(const hitl_http_response *resp, char *out, size_t cap);
/* Expects |resp| to be one of |v| (status and §1.3 code), notes which one and checks that
 * variant's error shape. |what| names the request, |section| the clause. Returns true when
 * a variant matched with its shape. */
bool hitl_remote_expect_variant(hitl_check_ctx *ctx, const hitl_http_response *resp,
                                const hitl_remote_variant *v, size_t n, const char *what,
                                const char *section);

/* A run paused at its form and an upload token for it: what a remote upload needs. */
typedef struct hitl_remote_upload_prep {
    hitl_run run;
    char *token;
} hitl_remote_upload_prep;

/* Starts a run and issues its upload token (§5). With |need_fetch| (a check whose verdict
 * means something only when the target can fetch from the fixture) it also requires that
 * the target fetched the fixture's good file (hitl_chk_require_fixture_fetch); without it
 * (a URL refused before any fetch, the SSRF canaries: a target that can reach nothing
 * refuses them correctly too) it does not. 0; non-zero after a SKIP (no fixture, fixture
 * not reachable) or an ERROR. |p| is always safe to free. */
int hitl_remote_upload_prepare(hitl_check_ctx *ctx, hitl_remote_upload_prep *p, bool need_fetch);
void hitl_remote_upload_prep_free(hitl_remote_upload_prep *p);
/* Remote-uploads the fixture's |file| (under the nonce suffix |suffix|) and expects one of
 * |v|. Returns false when the check should stop (transport ERROR). */
bool hitl_remote_upload_expect(hitl_check_ctx *ctx, const hitl_remote_upload_prep *p,
                               const char *suffix, const char *file, const hitl_remote_variant *v,
                               size_t n, const char *what, const char *section);

/* A run, its remote-capable input and a valid body to spoil. */
typedef struct hitl_remote_inline_prep {
    hitl_run run;
    const hitl_form_input *in;
    char *valid; /* the valid submission (JSON) */
} hitl_remote_inline_prep;

/* 0; non-zero after a SKIP (no fixture, no remote-capable input, with |need_fetch| a fixture
 * the target did not fetch from: hitl_chk_require_fixture_fetch) or an ERROR. */
int hitl_remote_inline_prepare(hitl_check_ctx *ctx, hitl_remote_inline_prep *p, bool need_fetch);
void hitl_remote_inline_prep_free(hitl_remote_inline_prep *p);
/* Submits the valid body with |url| inline and expects it rejected (§7.3.14, MUST): never a
 * 2xx; with |exact| a 400 invalid_form_data and nothing else (§7.3.15 SHOULD). Returns false
 * when the check should stop (the form may be consumed, or a transport ERROR). */
bool hitl_remote_inline_expect_rejected(hitl_check_ctx *ctx, const hitl_remote_inline_prep *p,
                                        const char *url, const char *what, bool exact);

#endif
