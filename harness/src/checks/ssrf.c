/* ssrf.c: SSRF protection (§6.3 "SSRF protection", §6.3.7, §7.3): a remote upload or an
 * inline remote_url pointing at loopback is refused. The checks start a second, private
 * fixture on 127.0.0.1 as a canary: the target must refuse it, and the canary's log proves
 * it never connected. Nothing here sends traffic anywhere but the target and the canary
 * (loopback); the cloud-metadata probe is opt-in (see below). */
#include "expect_body.h"
#include "remote_fetch.h"
#include "run_env.h"

#include "hitl/checks.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The cloud-metadata probe sends the target a link-local URL; only a user who asks for it
 * gets it (the tests never set this variable). */
#define METADATA_OPT_IN_ENV "HITLCHECK_SSRF_METADATA_PROBE"
#define METADATA_URL "http://169.254.169.254/latest/meta-data/"

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
    hitl_chk_fixture_nonce(ctx, "", nonce, sizeof nonce);
    unsigned port = hitl_fixture_port(canary);
    snprintf(urls[0], 256, "http://127.0.0.1:%u/n/%s/good.pdf", port, nonce);
    snprintf(urls[1], 256, "http://localhost:%u/n/%s/good.pdf", port, nonce);
    snprintf(urls[2], 256, "http://[::ffff:127.0.0.1]:%u/n/%s/good.pdf", port, nonce);
}

/* When the canary was reached (it sees requests only on a loopback target), what that means
 * in Dify's deployment, for the operator: the app fetches through its SSRF proxy (squid,
 * docker/ssrf_proxy; SSRF_PROXY_HTTP_URL in its .env), so either that proxy lets private
 * addresses through or the app does not use it. */
static void ssrf_proxy_advice(hitl_check_ctx *ctx)
{
    hitl_check_note(ctx,
                    "the target fetched a loopback URL: in Dify's deployment every remote fetch "
                    "goes through the SSRF proxy (squid, docker/ssrf_proxy), which refuses private "
                    "addresses; so either that proxy lets them through (an `http_access allow` "
                    "before `deny to_private_networks`, SSRF_PROXY_ALLOW_PRIVATE_IPS naming "
                    "them) or the app bypasses it (SSRF_PROXY_HTTP_URL and SSRF_PROXY_HTTPS_URL "
                    "unset in the api service's environment)");
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
    hitl_ctx_sleep_ms(ctx, HITL_REMOTE_LATE_FETCH_MS, "for a late fetch of the canary");
    size_t hits = hitl_fixture_hits(canary, "/");
    char exp[256];
    snprintf(exp, sizeof exp, "the loopback canary saw no request (%s)", section);
    if (!hitl_expect(ctx, hits == 0, exp, "the canary on port %u saw %zu request(s)",
                     (unsigned)hitl_fixture_port(canary), hits))
        ssrf_proxy_advice(ctx);
}

/* §6.3 SSRF / §6.3.7: "URL to loopback/link-local/metadata IP → rejected (400
 * remote_file_url_blocked or remote_file_upload_error, or 502), never 201". */
static void ssrf_remote_loopback(hitl_check_ctx *ctx)
{
    hitl_remote_upload_prep p;
    hitl_fixture *canary = NULL;
    if (hitl_remote_upload_prepare(ctx, &p, false) == HITL_OK && (canary = canary_start(ctx))) {
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
                hitl_remote_body_code(&resp, code, sizeof code);
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
    hitl_remote_upload_prep_free(&p);
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
    hitl_remote_upload_prep p;
    if (hitl_remote_upload_prepare(ctx, &p, false) == HITL_OK) {
        hitl_http_response resp;
        if (hitl_flow_upload_remote(ctx, p.token, NULL, METADATA_URL, &resp) == HITL_OK) {
            char code[96];
            hitl_remote_body_code(&resp, code, sizeof code);
            if (hitl_expect(ctx, resp.status == 400 || resp.status == 502,
                            "a remote upload of " METADATA_URL " is refused: HTTP 400 or 502, "
                            "never 201 (§6.3.7)",
                            "HTTP %ld %.200s", resp.status, hitl_buf_str(&resp.body)))
                hitl_check_note(ctx, "the metadata URL was refused: HTTP %ld %s", resp.status,
                                code);
        }
        hitl_http_response_free(&resp);
    }
    hitl_remote_upload_prep_free(&p);
}

/* §6.3 SSRF protection applies to the submit-time fetch too ("the builder does a HEAD
 * through the SSRF proxy", §7.3): an inline remote_url to a loopback canary is rejected
 * (§7.3.14; a 4xx is 400 invalid_form_data, a proxy failure, §7.3), and the
 * canary sees nothing. No fixture fetch is needed: a target that reaches nothing refuses it
 * correctly too. */
static void ssrf_inline_loopback(hitl_check_ctx *ctx)
{
    hitl_remote_inline_prep p;
    hitl_fixture *canary = NULL;
    if (hitl_remote_inline_prepare(ctx, &p, false) == HITL_OK && (canary = canary_start(ctx))) {
        char urls[3][256];
        canary_urls(ctx, canary, urls);
        bool open = true;
        for (size_t i = 0; i < 3 && open; i++) {
            char what[384];
            snprintf(what, sizeof what, "an inline remote_url to the loopback canary %.255s",
                     urls[i]);
            open = hitl_remote_inline_expect_rejected(ctx, &p, urls[i], what, false);
        }
        /* Even after a FAIL: the canary's log is the evidence of what the target fetched. */
        canary_expect_untouched(ctx, canary, "§6.3 SSRF protection, §7.3");
    }
    hitl_fixture_stop(canary);
    hitl_remote_inline_prep_free(&p);
}

static const hitl_check_impl CHECKS[] = {
    {"ssrf.remote.loopback-canary", ssrf_remote_loopback},
    {"ssrf.remote.metadata", ssrf_remote_metadata},
    {"ssrf.inline.loopback-canary", ssrf_inline_loopback},
};

HITL_CHECK_TABLE(ssrf, CHECKS)
