/* remote.c: remote-URL failures (§6.3, §7.3; §6.3.2-F48, G61; normative decisions 2 and 3).
 * The target fetches from the harness's fixture server (fixture.h): each check names its
 * files with its own nonce (check ID + surface) so the fixture's request log shows whether
 * the target fetched them (remote_fetch.h). Nothing here sends traffic anywhere but the
 * target and the fixture. */
#include "expect_body.h"
#include "remote_fetch.h"
#include "run_env.h"

#include "hitl/checks.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a target that honours HTTP framing stores of lying.pdf (fixture.h). */
#define LYING_DECLARED HITL_FIXTURE_LYING_DECLARED

/* §6.3 / §6.3.2: "`url` not a valid http(s) URL → 400 invalid_param (pydantic HttpUrl)
 * [v1] | 400 remote_file_invalid_url [newest]"; F42 names ftp://, file:///etc/passwd and
 * http:// (no host). */
static void upload_bad_scheme(hitl_check_ctx *ctx)
{
    hitl_remote_upload_prep p;
    if (hitl_remote_upload_prepare(ctx, &p, false) == HITL_OK) {
        static const hitl_remote_variant v[] = {{400, "remote_file_invalid_url", "newest", NULL},
                                                {400, "invalid_param", "v1 / early v2", NULL}};
        char ftp[1024];
        const char *base = hitl_chk_env(ctx)->fixture_base;
        const char *rest = strstr(base, "://");
        char nonce[160];
        hitl_chk_fixture_nonce(ctx, "", nonce, sizeof nonce);
        snprintf(ftp, sizeof ftp, "ftp://%s/n/%s/good.pdf", rest ? rest + 3 : base, nonce);
        const struct {
            const char *url, *what;
        } cases[] = {{ftp, "a remote upload of an ftp:// URL"},
                     {"file:///etc/passwd", "a remote upload of file:///etc/passwd"},
                     {"http://", "a remote upload of \"http://\" (no host)"}};
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            hitl_http_response resp;
            int rc = hitl_flow_upload_remote(ctx, p.token, NULL, cases[i].url, &resp);
            if (!rc)
                hitl_remote_expect_variant(ctx, &resp, v, 2, cases[i].what, "§6.3.2");
            hitl_http_response_free(&resp);
            if (rc)
                break;
        }
    }
    hitl_remote_upload_prep_free(&p);
}

/* §6.3 / §6.3.3: "404/410 → 404 remote_file_not_found" (newest); "HEAD non-200 → … still
 * non-200 → 400 remote_file_upload_error" (v1 / early v2). Never 201. */
static void upload_not_found(hitl_check_ctx *ctx)
{
    hitl_remote_upload_prep p;
    if (hitl_remote_upload_prepare(ctx, &p, true) == HITL_OK) {
        static const hitl_remote_variant v[] = {
            {404, "remote_file_not_found", "newest", NULL},
            {400, "remote_file_upload_error", "v1 / early v2", "Failed to fetch file from "}};
        hitl_remote_upload_expect(ctx, &p, "", "missing.pdf", v, 2,
                                  "a remote upload of a URL answering 404", "§6.3.3");
    }
    hitl_remote_upload_prep_free(&p);
}

/* §6.3 / §6.3.4: "401/403 → 400 remote_file_access_denied" (newest) or 400
 * remote_file_upload_error (older). Through Dify's squid SSRF proxy (the docker deployment)
 * the origin's 401/403 comes back with `Via: … (squid/…)`, and ssrf_proxy takes a 401/403
 * naming squid in Server or Via for squid's own refusal (a ToolSSRFError): the newest build
 * answers 400 remote_file_url_blocked (RemoteFileService), older ones 400 invalid_param
 * "Access to '<url>' was blocked by SSRF protection…" (ToolSSRFError is a ValueError)
 * (dify-B §4; api/core/helper/ssrf_proxy.py, pooled/squid and pinning versions). The note
 * says which was seen. */
static void upload_access_denied(hitl_check_ctx *ctx)
{
    hitl_remote_upload_prep p;
    if (hitl_remote_upload_prepare(ctx, &p, true) == HITL_OK) {
        static const hitl_remote_variant v[] = {
            {400, "remote_file_access_denied", "newest, fetched directly", NULL},
            {400, "remote_file_url_blocked",
             "newest, through Dify's squid SSRF proxy: a 401/403 with Via: squid is an SSRF block",
             NULL},
            {400, "remote_file_upload_error", "v1 / early v2, fetched directly",
             "Failed to fetch file from "},
            {400, "invalid_param", "v1 / early v2, through Dify's squid SSRF proxy (ToolSSRFError)",
             "Access to '"}};
        size_t nv = sizeof v / sizeof v[0];
        if (hitl_remote_upload_expect(ctx, &p, "", "private.pdf", v, nv,
                                      "a remote upload of a URL answering 401", "§6.3.4"))
            hitl_remote_upload_expect(ctx, &p, "", "forbidden.pdf", v, nv,
                                      "a remote upload of a URL answering 403", "§6.3.4");
    }
    hitl_remote_upload_prep_free(&p);
}

/* §6.3 / §6.3.5: a URL answering 500 (every time: retries exhausted) → "other → 502
 * remote_file_unavailable" (newest). ssrf_proxy retries 429/500/502/503/504 and then raises
 * MaxRetriesExceededError; in the v1 and early v2 builds (human_input_file_upload.py
 * @031671ab, @8895ad34, @645159d8) nothing catches it, and being a ValueError there it is
 * answered 400 invalid_param "Reached maximum retries (3) for URL <url>" (dify-B §4). The
 * note says which was seen. */
static void upload_unavailable(hitl_check_ctx *ctx)
{
    hitl_remote_upload_prep p;
    if (hitl_remote_upload_prepare(ctx, &p, true) == HITL_OK) {
        static const hitl_remote_variant v[] = {
            {502, "remote_file_unavailable", "newest", NULL},
            {400, "invalid_param",
             "v1 / early v2: ssrf_proxy's retries exhausted, MaxRetriesExceededError (a "
             "ValueError)",
             "Reached maximum retries ("}};
        hitl_remote_upload_expect(ctx, &p, "", "broken.pdf", v, 2,
                                  "a remote upload of a URL answering 500", "§6.3.5");
    }
    hitl_remote_upload_prep_free(&p);
}

/* The `size` of a 201 upload body, or -1. */
static double body_size(const hitl_http_response *resp)
{
    cJSON *root = hitl_chk_body_json(resp);
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(root, "size");
    double v = cJSON_IsNumber(s) ? s->valuedouble : -1.0;
    cJSON_Delete(root);
    return v;
}

/* §6.3 / §6.3.6: "size over limit (from headers, or while streaming a bounded body) → 413
 * file_too_large" in every version. huge.pdf declares its honest 64 MiB (over every
 * category limit, §6.2). lying.pdf declares 1000 bytes and sends 64 MiB: a target that reads
 * to EOF must stop at its limit (413); one that honours the declared length (HTTP framing)
 * stores exactly those 1000 bytes — what it must never do is store more than it declared. */
static void upload_oversize(hitl_check_ctx *ctx)
{
    hitl_remote_upload_prep p;
    if (hitl_remote_upload_prepare(ctx, &p, true) == HITL_OK) {
        static const hitl_remote_variant v[] = {{413, "file_too_large", "all versions", NULL}};
        if (hitl_remote_upload_expect(ctx, &p, "", "huge.pdf", v, 1,
                                      "a remote upload of a 64 MiB file (honest Content-Length)",
                                      "§6.3.6")) {
            char url[1024];
            hitl_chk_fixture_url(ctx, "", "lying.pdf", url, sizeof url, NULL, 0);
            hitl_http_response resp;
            if (hitl_flow_upload_remote(ctx, p.token, NULL, url, &resp) == HITL_OK) {
                const char *what = "a remote upload of a file declaring Content-Length 1000 and "
                                   "sending 64 MiB";
                if (resp.status == 201) {
                    double size = body_size(&resp);
                    if (hitl_expect(ctx, size == (double)LYING_DECLARED,
                                    "lying.pdf → 413 file_too_large, or 201 storing only the "
                                    "1000 declared bytes (§6.3.6)",
                                    "HTTP 201 with size %.0f", size))
                        hitl_check_note(ctx,
                                        "%s: 201 with the declared 1000 bytes (HTTP "
                                        "framing honoured, the excess discarded)",
                                        what);
                } else {
                    hitl_remote_expect_variant(ctx, &resp, v, 1, what, "§6.3.6");
                }
            }
            hitl_http_response_free(&resp);
        }
    }
    hitl_remote_upload_prep_free(&p);
}

/* §6.3.8 (SHOULD): "A remote file whose extension the deployment blocks answers 400
 * file_extension_blocked, as a local one does (§6.2.7)" (both versions). The blacklist is
 * empty by default, so the extension comes from the user (--blocked-extension: the
 * fixture's evil.<ext>), as for upload.local.blocked-extension. Without one, a local upload
 * of an .exe probes whether the blacklist holds that common entry: 400
 * file_extension_blocked → the remote path must block evil.exe too; 201 → SKIP. */
static void upload_blocked_extension(hitl_check_ctx *ctx)
{
    hitl_remote_upload_prep p;
    const char *named = hitl_chk_blocked_extension(ctx);
    if (hitl_remote_upload_prepare(ctx, &p, true) == HITL_OK) {
        bool blocked = named != NULL;
        if (!named) {
            static const char mz[] = "MZ\x90\0hitlcheck: not a real executable\n";
            hitl_http_response local;
            int rc = hitl_flow_upload_local(ctx, p.token, NULL, "hitlcheck.exe",
                                            "application/octet-stream", mz, sizeof mz - 1, &local);
            char code[96];
            hitl_remote_body_code(&local, code, sizeof code);
            blocked = !rc && local.status == 400 && !strcmp(code, "file_extension_blocked");
            if (!rc && local.status == 201)
                hitl_check_skip(ctx, "no blocked extension was named (--blocked-extension EXT), "
                                     "and the target does not blacklist .exe (a local upload of "
                                     "hitlcheck.exe answered 201): UPLOAD_FILE_EXTENSION_BLACKLIST "
                                     "is empty or lacks exe");
            else if (!rc && !blocked)
                hitl_check_skip(ctx,
                                "no blocked extension was named (--blocked-extension EXT), and a "
                                "local upload of hitlcheck.exe answered HTTP %ld %s, neither 201 "
                                "nor 400 file_extension_blocked: the blacklist is unknown",
                                local.status, code);
            hitl_http_response_free(&local);
            if (blocked)
                hitl_check_note(ctx, "the target blacklists .exe (local upload: 400 "
                                     "file_extension_blocked)");
        }
        if (blocked) {
            char file[32], what[96];
            snprintf(file, sizeof file, "evil.%s", named ? named : "exe");
            snprintf(what, sizeof what, "a remote upload of a blacklisted .%s",
                     named ? named : "exe");
            static const hitl_remote_variant v[] = {
                {400, "file_extension_blocked", "all versions", NULL}};
            hitl_remote_upload_expect(ctx, &p, "", file, v, 1, what, "§6.3.8");
        }
    }
    hitl_remote_upload_prep_free(&p);
}

/* §6.3 has no rule for a body whose Content-Type contradicts its extension (wrong-type.png
 * is text/html): the answer may be a 201 (the type is judged later, at submit, §7.3) or a
 * §1.3 4xx error, or 502 remote_file_invalid_response ("bad metadata", newest) — never a
 * crash or another 5xx. The note records what the target stored. */
static void upload_wrong_type(hitl_check_ctx *ctx)
{
    hitl_remote_upload_prep p;
    if (hitl_remote_upload_prepare(ctx, &p, true) == HITL_OK) {
        char url[1024];
        hitl_chk_fixture_url(ctx, "", "wrong-type.png", url, sizeof url, NULL, 0);
        hitl_http_response resp;
        if (hitl_flow_upload_remote(ctx, p.token, NULL, url, &resp) == HITL_OK) {
            if (resp.status == 201) {
                cJSON *root = hitl_chk_expect_json_object(ctx, &resp, "the 201 upload body");
                const cJSON *ext = cJSON_GetObjectItemCaseSensitive(root, "extension");
                const cJSON *mime = cJSON_GetObjectItemCaseSensitive(root, "mime_type");
                if (root && hitl_expect(ctx, cJSON_IsString(ext) && cJSON_IsString(mime),
                                        "a 201 body names the stored extension and mime_type "
                                        "(§6.3 FileWithSignedUrl)",
                                        "%.200s", hitl_buf_str(&resp.body)))
                    hitl_check_note(ctx,
                                    "wrong-type.png (text/html body) accepted: stored as "
                                    "extension \"%s\", mime_type \"%s\"",
                                    ext->valuestring, mime->valuestring);
                cJSON_Delete(root);
            } else if (resp.status == 502) {
                static const hitl_remote_variant v[] = {
                    {502, "remote_file_invalid_response", "newest", NULL}};
                hitl_remote_expect_variant(
                    ctx, &resp, v, 1, "a remote .png served as text/html, refused as bad metadata",
                    "§6.3");
            } else {
                char code[96];
                hitl_remote_body_code(&resp, code, sizeof code);
                if (hitl_chk_expect_error_shape(ctx, &resp, 0,
                                                "a remote .png served as text/html (§6.3: "
                                                "201, a 4xx §1.3 error or 502 "
                                                "remote_file_invalid_response)"))
                    hitl_check_note(ctx, "wrong-type.png (text/html body) refused: HTTP %ld %s",
                                    resp.status, code);
            }
        }
        hitl_http_response_free(&resp);
    }
    hitl_remote_upload_prep_free(&p);
}

/* §6.1 / §6.3 / §6.1.8: "The token is validated before any outbound request" (CONFIRMED
 * test_remote_upload_validates_token_before_fetching_remote_url). An unknown token → 403
 * invalid_upload_token, a missing header → 401, and the fixture sees no request. */
static void upload_bad_token_no_fetch(hitl_check_ctx *ctx)
{
    /* "No fetch" proves something only of a target that can fetch the fixture's URLs. */
    hitl_remote_upload_prep p;
    int prc = hitl_remote_upload_prepare(ctx, &p, true);
    hitl_remote_upload_prep_free(&p);
    if (prc)
        return;
    char url[1024], prefix[256];
    hitl_chk_fixture_url(ctx, "", "good.pdf", url, sizeof url, prefix, sizeof prefix);
    const struct {
        const char *auth;
        long status;
        const char *what;
    } cases[] = {
        {"Bearer hitl_upload_hitlcheck-unknown-0000", 403,
         "a remote upload with an unknown upload token"},
        {"", 401, "a remote upload without Authorization"},
    };
    bool sent = false;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hitl_http_response resp;
        int rc = hitl_flow_upload_remote(ctx, NULL, cases[i].auth, url, &resp);
        if (!rc) {
            sent = true;
            char exp[256];
            snprintf(exp, sizeof exp, "%s → HTTP %ld invalid_upload_token (§6.1)", cases[i].what,
                     cases[i].status);
            if (hitl_expect(ctx, resp.status == cases[i].status, exp, "HTTP %ld %.200s",
                            resp.status, hitl_buf_str(&resp.body)))
                hitl_expect_error(ctx, &resp, cases[i].status, "invalid_upload_token");
        }
        hitl_http_response_free(&resp);
        if (rc)
            return;
    }
    if (sent) {
        hitl_ctx_sleep_ms(ctx, HITL_REMOTE_LATE_FETCH_MS, "for a late fetch of the refused URL");
        size_t hits = hitl_fixture_hits(hitl_chk_env(ctx)->fixture, prefix);
        hitl_expect(ctx, hits == 0,
                    "the target fetched nothing for the refused uploads: the token is checked "
                    "before any outbound request (§6.3, §6.1.8)",
                    "the fixture saw %zu request(s) for %s", hits, prefix);
    }
}

/* The cases of remote.inline.failures and remote.inline.failures-code; for the former
 * (|exact| false) then the corrected submit → 200 (the form stayed open). */
static void inline_failures_run(hitl_check_ctx *ctx, bool exact)
{
    hitl_remote_inline_prep p;
    if (hitl_remote_inline_prepare(ctx, &p, true) == HITL_OK) {
        const struct {
            const char *file, *what;
        } cases[] = {
            {"broken.pdf", "an inline remote_url answering 500"},
            {"forbidden.pdf", "an inline remote_url answering 403"},
            {"huge.pdf", "an inline remote_url of a 64 MiB file (over the size limit)"},
            {"evil.exe", "an inline remote_url of an .exe for a document input (a type the "
                         "input does not take)"},
        };
        bool open = true;
        for (size_t i = 0; i < sizeof cases / sizeof cases[0] && open; i++) {
            char url[1024];
            hitl_chk_fixture_url(ctx, "", cases[i].file, url, sizeof url, NULL, 0);
            open = hitl_remote_inline_expect_rejected(ctx, &p, url, cases[i].what, exact);
        }
        /* The form staying open is remote.inline.failures' MUST; the -code check judges
         * only how each rejection is answered. */
        if (open && !exact)
            hitl_flow_expect_still_open(ctx, p.run.form_token, p.valid, "the rejections");
    }
    hitl_remote_inline_prep_free(&p);
}

/* §7.3.14: "any size, type or fetch failure of an inline remote URL rejects
 * the entire submission, and the form stays open for a corrected retry" (MUST, even where a
 * Dify build is more lenient, §7.3). submit.inline-remote.unreachable covers a 404 and a
 * refused port; this covers a 500, 401/403, an over-size file and a type the input does not
 * take (evil.exe for a document input), then the corrected submit → 200. */
static void inline_failures(hitl_check_ctx *ctx)
{
    inline_failures_run(ctx, false);
}

/* §7.3.14, §7.3.15 (SHOULD): the rejections above are 400 invalid_form_data, not a 5xx. */
static void inline_failures_code(hitl_check_ctx *ctx)
{
    inline_failures_run(ctx, true);
}

static const hitl_check_impl CHECKS[] = {
    {"remote.upload.bad-scheme", upload_bad_scheme},
    {"remote.upload.not-found", upload_not_found},
    {"remote.upload.access-denied", upload_access_denied},
    {"remote.upload.unavailable", upload_unavailable},
    {"remote.upload.oversize", upload_oversize},
    {"remote.upload.blocked-extension", upload_blocked_extension},
    {"remote.upload.wrong-type", upload_wrong_type},
    {"remote.upload.bad-token-no-fetch", upload_bad_token_no_fetch},
    {"remote.inline.failures", inline_failures},
    {"remote.inline.failures-code", inline_failures_code},
};

HITL_CHECK_TABLE(remote, CHECKS)
