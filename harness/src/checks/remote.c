/* remote.c: remote-URL failures and SSRF (§6.3, §7.3; §6.3.2-F48, G61; normative
 * decisions 2 and 3). The target fetches from the harness's fixture server (fixture.h):
 * each check names its files with its own nonce (check ID + surface) so the fixture's
 * request log shows whether the target fetched them. The SSRF checks start a second,
 * private fixture on 127.0.0.1 as a canary: the target must refuse it, and the canary's
 * log proves it never connected. Nothing here sends traffic anywhere but the target, the
 * fixture and the canary (loopback); the cloud-metadata probe is opt-in (see below). */
#include "common.h"
#include "valid_submission.h"

#include "hitl/fixture.h"
#include "hitl/proxy_page.h"

/* The cloud-metadata probe sends the target a link-local URL; only a user who asks for it
 * gets it (the tests never set this variable). */
#define METADATA_OPT_IN_ENV "HITLCHECK_SSRF_METADATA_PROBE"
#define METADATA_URL "http://169.254.169.254/latest/meta-data/"
/* What a target that honours HTTP framing stores of lying.pdf (fixture.h). */
#define LYING_DECLARED HITL_FIXTURE_LYING_DECLARED
/* After a refused request, how long a target that fetches asynchronously gets to show it. */
#define LATE_FETCH_MS 500L

/* One accepted answer of a version-dependent mapping (the variants of §6.3 and §8.5). */
typedef struct variant {
    long status;
    const char *code;
    const char *label;  /* "newest", "older" … named in the note */
    const char *prefix; /* the message's start, when the code alone says too little; or NULL */
} variant;

static bool have_fixture(hitl_check_ctx *ctx)
{
    const hitl_run_env *env = hitl_chk_env(ctx);
    return env && env->fixture && env->fixture_base;
}

/* "<check id>-<surface><suffix>" into |out|: the check's own fixture nonce. */
static void nonce_of(hitl_check_ctx *ctx, const char *suffix, char *out, size_t cap)
{
    snprintf(out, cap, "%s-%s%s", hitl_ctx_id(ctx), hitl_surface_name(hitl_ctx_surface(ctx)),
             suffix);
}

/* The fixture URL "<base>/n/<nonce>/<file>" into |out|; the path prefix the fixture
 * counts, "/n/<nonce>/", into |prefix| when not NULL. */
static void fixture_url(hitl_check_ctx *ctx, const char *suffix, const char *file, char *out,
                        size_t cap, char *prefix, size_t pcap)
{
    char nonce[160];
    nonce_of(ctx, suffix, nonce, sizeof nonce);
    snprintf(out, cap, "%s/n/%s/%s", hitl_chk_env(ctx)->fixture_base, nonce, file);
    if (prefix)
        snprintf(prefix, pcap, "/n/%s/", nonce);
}

/* The `code` string of an error body into |out| ("" when absent). */
static void body_code(const hitl_http_response *resp, char *out, size_t cap)
{
    cJSON *root = hitl_chk_body_json(resp);
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(root, "code");
    snprintf(out, cap, "%s", cJSON_IsString(c) ? c->valuestring : "");
    cJSON_Delete(root);
}

/* expect_variant expects |resp| to be one of |v| (status and §1.3 code), notes which one
 * (the variants of §6.3 and §8.5) and checks that variant's error shape. |what| names the request,
 * |section| the clause. Returns true when a variant matched with its shape. */
static bool expect_variant(hitl_check_ctx *ctx, const hitl_http_response *resp, const variant *v,
                           size_t n, const char *what, const char *section)
{
    /* A front end's own page is not the target's answer (proxy_page.h). */
    if (hitl_check_front_page(ctx, resp, what))
        return false;
    char code[96];
    body_code(resp, code, sizeof code);
    for (size_t i = 0; i < n; i++) {
        if (resp->status == v[i].status && !strcmp(code, v[i].code)) {
            hitl_check_note(ctx, "%s: HTTP %ld %s (%s mapping)", what, v[i].status, v[i].code,
                            v[i].label);
            return hitl_expect_error_msg(ctx, resp, v[i].status, v[i].code, v[i].prefix);
        }
    }
    char exp[1536];
    int off = snprintf(exp, sizeof exp, "%s → ", what);
    for (size_t i = 0; i < n && off > 0 && (size_t)off < sizeof exp; i++)
        off += snprintf(exp + off, sizeof exp - (size_t)off, "%sHTTP %ld %s%s%s%s (%s)",
                        i ? " or " : "", v[i].status, v[i].code, v[i].prefix ? " \"" : "",
                        v[i].prefix ? v[i].prefix : "", v[i].prefix ? "…\"" : "", v[i].label);
    if (off > 0 && (size_t)off < sizeof exp)
        snprintf(exp + off, sizeof exp - (size_t)off, " (%s)", section);
    return hitl_expect(ctx, false, exp, "HTTP %ld %.200s", resp->status, hitl_buf_str(&resp->body));
}

/* Starts a run for a check that needs the fixture server. 0; non-zero after a SKIP (no
 * fixture) or an ERROR. */
static int start_with_fixture(hitl_check_ctx *ctx, hitl_run *run)
{
    if (!have_fixture(ctx)) {
        hitl_check_skip(ctx, "no fixture server the target can reach (--fixture-url)");
        return HITL_E_UNSUPPORTED;
    }
    return hitl_flow_start(ctx, run) ? HITL_E_STATE : HITL_OK;
}

/* --- remote upload (§6.3, WEB) --- */

/* A run paused at its form and an upload token for it: what a remote upload needs. */
typedef struct upload_prep {
    hitl_run run;
    char *token;
} upload_prep;

static void upload_prep_free(upload_prep *p)
{
    free(p->token);
    hitl_run_free(&p->run);
}

/* Starts a run and issues its upload token (§5). With |need_fetch| (a check whose verdict
 * means something only when the target can fetch from the fixture) it also requires that
 * the target fetched the fixture's good file (hitl_chk_require_fixture_fetch). 0; non-zero
 * after a SKIP (no fixture, fixture not reachable) or an ERROR. |p| is always safe to free. */
static int upload_prepare_ex(hitl_check_ctx *ctx, upload_prep *p, bool need_fetch)
{
    memset(p, 0, sizeof *p);
    if (!hitl_flow_require_upload_routes(ctx))
        return HITL_E_UNSUPPORTED;
    int rc = start_with_fixture(ctx, &p->run);
    if (rc)
        return rc;
    p->token = hitl_chk_issue_upload_token(ctx, p->run.form_token);
    if (!p->token)
        return HITL_E_STATE;
    return need_fetch ? hitl_chk_require_fixture_fetch(ctx, p->run.form_token, p->token) : HITL_OK;
}

/* upload_prepare for the checks of a fetch's failure: the fixture must be reachable. */
static int upload_prepare(hitl_check_ctx *ctx, upload_prep *p)
{
    return upload_prepare_ex(ctx, p, true);
}

/* upload_prepare for the checks that need no fetch (a URL refused before any fetch, the SSRF
 * canaries: a target that can reach nothing refuses them correctly too). */
static int upload_prepare_nofetch(hitl_check_ctx *ctx, upload_prep *p)
{
    return upload_prepare_ex(ctx, p, false);
}

/* Remote-uploads the fixture's |file| (under the nonce suffix |suffix|) and expects one of
 * |v|. Returns false when the check should stop (transport ERROR). */
static bool upload_expect(hitl_check_ctx *ctx, const upload_prep *p, const char *suffix,
                          const char *file, const variant *v, size_t n, const char *what,
                          const char *section)
{
    char url[1024];
    fixture_url(ctx, suffix, file, url, sizeof url, NULL, 0);
    hitl_http_response resp;
    int rc = hitl_flow_upload_remote(ctx, p->token, NULL, url, &resp);
    if (!rc)
        expect_variant(ctx, &resp, v, n, what, section);
    hitl_http_response_free(&resp);
    return rc == HITL_OK;
}

/* §6.3 / §6.3.2: "`url` not a valid http(s) URL → 400 invalid_param (pydantic HttpUrl)
 * [v1] | 400 remote_file_invalid_url [newest]"; F42 names ftp://, file:///etc/passwd and
 * http:// (no host). */
static void upload_bad_scheme(hitl_check_ctx *ctx)
{
    upload_prep p;
    if (upload_prepare_nofetch(ctx, &p) == HITL_OK) {
        static const variant v[] = {{400, "remote_file_invalid_url", "newest", NULL},
                                    {400, "invalid_param", "v1 / early v2", NULL}};
        char ftp[1024];
        const char *base = hitl_chk_env(ctx)->fixture_base;
        const char *rest = strstr(base, "://");
        char nonce[160];
        nonce_of(ctx, "", nonce, sizeof nonce);
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
                expect_variant(ctx, &resp, v, 2, cases[i].what, "§6.3.2");
            hitl_http_response_free(&resp);
            if (rc)
                break;
        }
    }
    upload_prep_free(&p);
}

/* §6.3 / §6.3.3: "404/410 → 404 remote_file_not_found" (newest); "HEAD non-200 → … still
 * non-200 → 400 remote_file_upload_error" (v1 / early v2). Never 201. */
static void upload_not_found(hitl_check_ctx *ctx)
{
    upload_prep p;
    if (upload_prepare(ctx, &p) == HITL_OK) {
        static const variant v[] = {
            {404, "remote_file_not_found", "newest", NULL},
            {400, "remote_file_upload_error", "v1 / early v2", "Failed to fetch file from "}};
        upload_expect(ctx, &p, "", "missing.pdf", v, 2, "a remote upload of a URL answering 404",
                      "§6.3.3");
    }
    upload_prep_free(&p);
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
    upload_prep p;
    if (upload_prepare(ctx, &p) == HITL_OK) {
        static const variant v[] = {
            {400, "remote_file_access_denied", "newest, fetched directly", NULL},
            {400, "remote_file_url_blocked",
             "newest, through Dify's squid SSRF proxy: a 401/403 with Via: squid is an SSRF block",
             NULL},
            {400, "remote_file_upload_error", "v1 / early v2, fetched directly",
             "Failed to fetch file from "},
            {400, "invalid_param", "v1 / early v2, through Dify's squid SSRF proxy (ToolSSRFError)",
             "Access to '"}};
        size_t nv = sizeof v / sizeof v[0];
        if (upload_expect(ctx, &p, "", "private.pdf", v, nv,
                          "a remote upload of a URL answering 401", "§6.3.4"))
            upload_expect(ctx, &p, "", "forbidden.pdf", v, nv,
                          "a remote upload of a URL answering 403", "§6.3.4");
    }
    upload_prep_free(&p);
}

/* §6.3 / §6.3.5: a URL answering 500 (every time: retries exhausted) → "other → 502
 * remote_file_unavailable" (newest). ssrf_proxy retries 429/500/502/503/504 and then raises
 * MaxRetriesExceededError; in the v1 and early v2 builds (human_input_file_upload.py
 * @031671ab, @8895ad34, @645159d8) nothing catches it, and being a ValueError there it is
 * answered 400 invalid_param "Reached maximum retries (3) for URL <url>" (dify-B §4). The
 * note says which was seen. */
static void upload_unavailable(hitl_check_ctx *ctx)
{
    upload_prep p;
    if (upload_prepare(ctx, &p) == HITL_OK) {
        static const variant v[] = {
            {502, "remote_file_unavailable", "newest", NULL},
            {400, "invalid_param",
             "v1 / early v2: ssrf_proxy's retries exhausted, MaxRetriesExceededError (a "
             "ValueError)",
             "Reached maximum retries ("}};
        upload_expect(ctx, &p, "", "broken.pdf", v, 2, "a remote upload of a URL answering 500",
                      "§6.3.5");
    }
    upload_prep_free(&p);
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
    upload_prep p;
    if (upload_prepare(ctx, &p) == HITL_OK) {
        static const variant v[] = {{413, "file_too_large", "all versions", NULL}};
        if (upload_expect(ctx, &p, "", "huge.pdf", v, 1,
                          "a remote upload of a 64 MiB file (honest Content-Length)",
                          "§6.3.6")) {
            char url[1024];
            fixture_url(ctx, "", "lying.pdf", url, sizeof url, NULL, 0);
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
                    expect_variant(ctx, &resp, v, 1, what, "§6.3.6");
                }
            }
            hitl_http_response_free(&resp);
        }
    }
    upload_prep_free(&p);
}

/* §6.3.8 (SHOULD): "A remote file whose extension the deployment blocks answers 400
 * file_extension_blocked, as a local one does (§6.2.7)" (both versions). The blacklist is
 * empty by default, so the extension comes from the user (--blocked-extension: the
 * fixture's evil.<ext>), as for upload.local.blocked-extension. Without one, a local upload
 * of an .exe probes whether the blacklist holds that common entry: 400
 * file_extension_blocked → the remote path must block evil.exe too; 201 → SKIP. */
static void upload_blocked_extension(hitl_check_ctx *ctx)
{
    upload_prep p;
    const char *named = hitl_chk_blocked_extension(ctx);
    if (upload_prepare(ctx, &p) == HITL_OK) {
        bool blocked = named != NULL;
        if (!named) {
            static const char mz[] = "MZ\x90\0hitlcheck: not a real executable\n";
            hitl_http_response local;
            int rc = hitl_flow_upload_local(ctx, p.token, NULL, "hitlcheck.exe",
                                            "application/octet-stream", mz, sizeof mz - 1, &local);
            char code[96];
            body_code(&local, code, sizeof code);
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
            static const variant v[] = {{400, "file_extension_blocked", "all versions", NULL}};
            upload_expect(ctx, &p, "", file, v, 1, what, "§6.3.8");
        }
    }
    upload_prep_free(&p);
}

/* §6.3 has no rule for a body whose Content-Type contradicts its extension (wrong-type.png
 * is text/html): the answer may be a 201 (the type is judged later, at submit, §7.3) or a
 * §1.3 4xx error, or 502 remote_file_invalid_response ("bad metadata", newest) — never a
 * crash or another 5xx. The note records what the target stored. */
static void upload_wrong_type(hitl_check_ctx *ctx)
{
    upload_prep p;
    if (upload_prepare(ctx, &p) == HITL_OK) {
        char url[1024];
        fixture_url(ctx, "", "wrong-type.png", url, sizeof url, NULL, 0);
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
                static const variant v[] = {{502, "remote_file_invalid_response", "newest", NULL}};
                expect_variant(ctx, &resp, v, 1,
                               "a remote .png served as text/html, refused as bad metadata",
                               "§6.3");
            } else {
                char code[96];
                body_code(&resp, code, sizeof code);
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
    upload_prep_free(&p);
}

/* §6.1 / §6.3 / §6.1.8: "The token is validated before any outbound request" (CONFIRMED
 * test_remote_upload_validates_token_before_fetching_remote_url). An unknown token → 403
 * invalid_upload_token, a missing header → 401, and the fixture sees no request. */
static void upload_bad_token_no_fetch(hitl_check_ctx *ctx)
{
    /* "No fetch" proves something only of a target that can fetch the fixture's URLs. */
    upload_prep p;
    int prc = upload_prepare(ctx, &p);
    upload_prep_free(&p);
    if (prc)
        return;
    char url[1024], prefix[256];
    fixture_url(ctx, "", "good.pdf", url, sizeof url, prefix, sizeof prefix);
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
        hitl_ctx_sleep_ms(ctx, LATE_FETCH_MS, "for a late fetch of the refused URL");
        size_t hits = hitl_fixture_hits(hitl_chk_env(ctx)->fixture, prefix);
        hitl_expect(ctx, hits == 0,
                    "the target fetched nothing for the refused uploads: the token is checked "
                    "before any outbound request (§6.3, §6.1.8)",
                    "the fixture saw %zu request(s) for %s", hits, prefix);
    }
}

/* --- SSRF (§6.3 "SSRF protection", §6.3.7) --- */

/* The canary: a private fixture on 127.0.0.1, a port no allow-list names. NULL after an
 * ERROR. */
static hitl_fixture *canary_start(hitl_check_ctx *ctx)
{
    hitl_fixture *c = NULL;
    hitl_err err = {0};
    if (hitl_fixture_start("127.0.0.1:0", &c, &err)) {
        hitl_check_error(ctx, "could not start the SSRF canary on 127.0.0.1: %s", err.msg);
        return NULL;
    }
    return c;
}

/* The loopback spellings of the canary: the literal, the name, the v4-mapped IPv6 form. */
static void canary_urls(hitl_check_ctx *ctx, const hitl_fixture *canary, char urls[3][256])
{
    char nonce[160];
    nonce_of(ctx, "", nonce, sizeof nonce);
    unsigned port = hitl_fixture_port(canary);
    snprintf(urls[0], 256, "http://127.0.0.1:%u/n/%s/good.pdf", port, nonce);
    snprintf(urls[1], 256, "http://localhost:%u/n/%s/good.pdf", port, nonce);
    snprintf(urls[2], 256, "http://[::ffff:127.0.0.1]:%u/n/%s/good.pdf", port, nonce);
}

/* After the probes: the canary must have seen nothing. Only a loopback target shares the
 * harness's loopback; elsewhere the note says the canary proves nothing. */
static void canary_expect_untouched(hitl_check_ctx *ctx, hitl_fixture *canary, const char *section)
{
    const hitl_run_env *env = hitl_chk_env(ctx);
    if (env && !env->loopback) {
        hitl_check_note(ctx, "the target is not on this host's loopback: the canary cannot see "
                             "its requests, only the refusals were checked");
        return;
    }
    hitl_ctx_sleep_ms(ctx, LATE_FETCH_MS, "for a late fetch of the canary");
    size_t hits = hitl_fixture_hits(canary, "/");
    char exp[256];
    snprintf(exp, sizeof exp, "the loopback canary saw no request (%s)", section);
    hitl_expect(ctx, hits == 0, exp, "the canary on port %u saw %zu request(s)",
                (unsigned)hitl_fixture_port(canary), hits);
}

/* §6.3 SSRF / §6.3.7: "URL to loopback/link-local/metadata IP → rejected (400
 * remote_file_url_blocked or remote_file_upload_error, or 502), never 201". */
static void ssrf_remote_loopback(hitl_check_ctx *ctx)
{
    upload_prep p;
    hitl_fixture *canary = NULL;
    if (upload_prepare_nofetch(ctx, &p) == HITL_OK && (canary = canary_start(ctx))) {
        char urls[3][256];
        canary_urls(ctx, canary, urls);
        bool sent = false;
        for (size_t i = 0; i < 3; i++) {
            hitl_http_response resp;
            int rc = hitl_flow_upload_remote(ctx, p.token, NULL, urls[i], &resp);
            if (!rc) {
                sent = true;
                char exp[512], code[96];
                snprintf(
                    exp, sizeof exp,
                    "a remote upload of %.255s is refused: HTTP 400 or 502, never 201 (§6.3 SSRF "
                    "protection, §6.3.7)",
                    urls[i]);
                body_code(&resp, code, sizeof code);
                if (hitl_expect(ctx, resp.status == 400 || resp.status == 502, exp,
                                "HTTP %ld %.200s", resp.status, hitl_buf_str(&resp.body)) &&
                    hitl_chk_expect_error_shape(ctx, &resp, resp.status, "the SSRF refusal"))
                    hitl_check_note(ctx, "%s refused: HTTP %ld %s", urls[i], resp.status, code);
            }
            hitl_http_response_free(&resp);
            if (rc)
                break;
        }
        if (sent)
            canary_expect_untouched(ctx, canary, "§6.3.7");
    }
    hitl_fixture_stop(canary);
    upload_prep_free(&p);
}

/* §6.3.7 names 169.254.169.254. Sending a target a cloud-metadata URL is a probe a user
 * must ask for: without HITLCHECK_SSRF_METADATA_PROBE=1 the check is SKIP ("opt-in"). */
static void ssrf_remote_metadata(hitl_check_ctx *ctx)
{
    const char *opt = getenv(METADATA_OPT_IN_ENV);
    if (!opt || strcmp(opt, "1")) {
        hitl_check_skip(ctx, "opt-in: set %s=1 to send the target a cloud-metadata URL (%s)",
                        METADATA_OPT_IN_ENV, METADATA_URL);
        return;
    }
    upload_prep p;
    if (upload_prepare_nofetch(ctx, &p) == HITL_OK) {
        hitl_http_response resp;
        if (hitl_flow_upload_remote(ctx, p.token, NULL, METADATA_URL, &resp) == HITL_OK) {
            char code[96];
            body_code(&resp, code, sizeof code);
            if (hitl_expect(ctx, resp.status == 400 || resp.status == 502,
                            "a remote upload of " METADATA_URL " is refused: HTTP 400 or 502, "
                            "never 201 (§6.3.7)",
                            "HTTP %ld %.200s", resp.status, hitl_buf_str(&resp.body)))
                hitl_check_note(ctx, "the metadata URL was refused: HTTP %ld %s", resp.status,
                                code);
        }
        hitl_http_response_free(&resp);
    }
    upload_prep_free(&p);
}

/* --- inline remote_url in a submit (§7.3.14) --- */

static bool has_item(const hitl_strlist *l, const char *s)
{
    for (size_t i = 0; i < l->count; i++)
        if (!strcmp(l->items[i], s))
            return true;
    return false;
}

/* The first file or file-list input taking a document by remote_url (empty lists allow
 * all), or NULL. */
static const hitl_form_input *remote_input(const hitl_form *f)
{
    for (size_t i = 0; i < f->n_inputs; i++) {
        const hitl_form_input *in = &f->inputs[i];
        if ((in->type == HITL_INPUT_FILE || in->type == HITL_INPUT_FILE_LIST) &&
            in->output_variable_name &&
            (in->allowed_file_upload_methods.count == 0 ||
             has_item(&in->allowed_file_upload_methods, "remote_url")) &&
            (in->allowed_file_types.count == 0 || has_item(&in->allowed_file_types, "document")))
            return in;
    }
    return NULL;
}

/* A run, its remote-capable input and a valid body to spoil. */
typedef struct inline_prep {
    hitl_run run;
    const hitl_form_input *in;
    char *valid; /* the valid submission (JSON) */
} inline_prep;

static void inline_prep_free(inline_prep *p)
{
    free(p->valid);
    hitl_run_free(&p->run);
}

/* 0; non-zero after a SKIP (no fixture, no remote-capable input, with |need_fetch| a fixture
 * the target did not fetch from: hitl_chk_require_fixture_fetch) or an ERROR. */
static int inline_prepare(hitl_check_ctx *ctx, inline_prep *p, bool need_fetch)
{
    memset(p, 0, sizeof *p);
    int rc = start_with_fixture(ctx, &p->run);
    if (rc)
        return rc;
    if (!(p->in = remote_input(p->run.form))) {
        hitl_check_skip(ctx, "the form has no file input that takes a document by remote_url");
        return HITL_E_UNSUPPORTED;
    }
    if (need_fetch && hitl_chk_require_fixture_fetch(ctx, p->run.form_token, NULL))
        return HITL_E_UNSUPPORTED;
    p->valid = hitl_chk_valid_body(ctx, &p->run, NULL);
    return p->valid ? HITL_OK : HITL_E_STATE;
}

/* The valid body with the remote-capable input's value replaced by an inline remote_url
 * mapping of |url| (a one-item list for a file list). Malloc'd JSON, or NULL (ERROR set). */
static char *with_inline_url(hitl_check_ctx *ctx, const inline_prep *p, const char *url)
{
    cJSON *root = cJSON_Parse(p->valid);
    cJSON *inputs = cJSON_GetObjectItemCaseSensitive(root, "inputs");
    cJSON *m = cJSON_CreateObject();
    char *out = NULL;
    if (cJSON_IsObject(inputs) && m &&
        cJSON_AddStringToObject(m, "transfer_method", "remote_url") &&
        cJSON_AddStringToObject(m, "url", url) && cJSON_AddStringToObject(m, "type", "document")) {
        cJSON *v = m;
        if (p->in->type == HITL_INPUT_FILE_LIST) {
            v = cJSON_CreateArray();
            if (v)
                cJSON_AddItemToArray(v, m);
        }
        m = NULL;
        if (v) {
            cJSON_DeleteItemFromObjectCaseSensitive(inputs, p->in->output_variable_name);
            cJSON_AddItemToObject(inputs, p->in->output_variable_name, v);
            out = cJSON_PrintUnformatted(root);
        }
    }
    cJSON_Delete(m);
    cJSON_Delete(root);
    if (!out)
        hitl_check_error(ctx, "could not build the inline remote_url submission");
    return out;
}

/* Submits the valid body with |url| inline and expects it rejected (§7.3.14,
 * MUST): never a 2xx. How it is rejected is a second question: §7.3.15 say 400
 * invalid_form_data, but G61 is a SHOULD and some Dify builds answer 500 for a failing fetch.
 * With |exact| false (the MUST checks) a 4xx must be 400 invalid_form_data (a client error
 * with another code contradicts §7.3) and a 5xx is noted; with |exact| true (the SHOULD check
 * remote.inline.failures-code) a 5xx fails too (a WARN, the check being SHOULD). Returns false
 * when the check should stop (the form may be consumed, or a transport ERROR). */
static bool inline_expect_rejected(hitl_check_ctx *ctx, const inline_prep *p, const char *url,
                                   const char *what, bool exact)
{
    char *body = with_inline_url(ctx, p, url);
    if (!body)
        return false;
    hitl_http_response resp;
    int rc = hitl_chk_submit(ctx, p->run.form_token, body, &resp);
    bool ok = false;
    if (!rc) {
        char exp[512];
        if (exact) {
            snprintf(exp, sizeof exp,
                     "%s is refused as HTTP 400 invalid_form_data, not a server error (§7.3, "
                     "§7.3.14, §7.3.15 SHOULD)",
                     what);
            ok = hitl_expect(ctx, resp.status == 400, exp, "HTTP %ld %.200s", resp.status,
                             hitl_buf_str(&resp.body)) &&
                 hitl_expect_error(ctx, &resp, 400, "invalid_form_data");
            /* A 5xx still rejected the submission: go on with the other cases. */
            ok = ok || resp.status >= 500;
        } else {
            snprintf(exp, sizeof exp,
                     "%s rejects the whole submission: not a 2xx (§7.3.14, §7.3)",
                     what);
            ok = hitl_expect(ctx, resp.status < 200 || resp.status > 299, exp, "HTTP %ld %.200s",
                             resp.status, hitl_buf_str(&resp.body));
            if (ok && resp.status >= 400 && resp.status <= 499)
                ok = hitl_expect_error(ctx, &resp, 400, "invalid_form_data");
            else if (ok)
                hitl_check_note(ctx,
                                "%s was rejected with HTTP %ld, not 400 invalid_form_data (§7.3.15 "
                                "is a SHOULD: remote.inline.failures-code reports it)",
                                what, resp.status);
        }
        if (resp.status == 200)
            hitl_check_note(ctx,
                            "the target accepted %s; a lenient Dify build (§7.3) may, but "
                            "hitlcheck's contract (§7.3.14) requires rejection",
                            what);
    }
    hitl_http_response_free(&resp);
    free(body);
    return ok;
}

/* The cases of remote.inline.failures and remote.inline.failures-code; for the former
 * (|exact| false) then the corrected submit → 200 (the form stayed open). */
static void inline_failures_run(hitl_check_ctx *ctx, bool exact)
{
    inline_prep p;
    if (inline_prepare(ctx, &p, true) == HITL_OK) {
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
            fixture_url(ctx, "", cases[i].file, url, sizeof url, NULL, 0);
            open = inline_expect_rejected(ctx, &p, url, cases[i].what, exact);
        }
        /* The form staying open is remote.inline.failures' MUST; the -code check judges
         * only how each rejection is answered. */
        if (open && !exact) {
            hitl_http_response resp;
            if (hitl_chk_submit(ctx, p.run.form_token, p.valid, &resp) == HITL_OK)
                hitl_expect(ctx, resp.status == 200,
                            "the form stays open after the rejections: the corrected submit → "
                            "200 (§7.3.14, §7.4)",
                            "HTTP %ld %.200s", resp.status, hitl_buf_str(&resp.body));
            hitl_http_response_free(&resp);
        }
    }
    inline_prep_free(&p);
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

/* §6.3 SSRF protection applies to the submit-time fetch too ("the builder does a HEAD
 * through the SSRF proxy", §7.3): an inline remote_url to a loopback canary is rejected
 * (§7.3.14; a 4xx is 400 invalid_form_data, a proxy failure, §7.3), and the
 * canary sees nothing. No fixture fetch is needed: a target that reaches nothing refuses it
 * correctly too. */
static void ssrf_inline_loopback(hitl_check_ctx *ctx)
{
    inline_prep p;
    hitl_fixture *canary = NULL;
    if (inline_prepare(ctx, &p, false) == HITL_OK && (canary = canary_start(ctx))) {
        char urls[3][256];
        canary_urls(ctx, canary, urls);
        bool open = true;
        for (size_t i = 0; i < 3 && open; i++) {
            char what[384];
            snprintf(what, sizeof what, "an inline remote_url to the loopback canary %.255s",
                     urls[i]);
            open = inline_expect_rejected(ctx, &p, urls[i], what, false);
        }
        /* Even after a FAIL: the canary's log is the evidence of what the target fetched. */
        canary_expect_untouched(ctx, canary, "§6.3 SSRF protection, §7.3");
    }
    hitl_fixture_stop(canary);
    inline_prep_free(&p);
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
    {"ssrf.remote.loopback-canary", ssrf_remote_loopback},
    {"ssrf.remote.metadata", ssrf_remote_metadata},
    {"ssrf.inline.loopback-canary", ssrf_inline_loopback},
};

HITL_CHECK_TABLE(remote, CHECKS)
