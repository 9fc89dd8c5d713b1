/* fixture_probe.c: see fixture_probe.h. */
#include "fixture_probe.h"
#include "run_env.h"

#include "hitl/buf.h"
#include "hitl/fixture.h"
#include "hitl/flow.h"

#include <stdio.h>
#include <stdlib.h>

void hitl_chk_fixture_nonce(hitl_check_ctx *ctx, const char *suffix, char *out, size_t cap)
{
    snprintf(out, cap, "%s-%s%s", hitl_ctx_id(ctx), hitl_surface_name(hitl_ctx_surface(ctx)),
             suffix);
}

void hitl_chk_fixture_url(hitl_check_ctx *ctx, const char *suffix, const char *file, char *out,
                          size_t cap, char *prefix, size_t pcap)
{
    char nonce[160];
    hitl_chk_fixture_nonce(ctx, suffix, nonce, sizeof nonce);
    snprintf(out, cap, "%s/n/%s/%s", hitl_chk_env(ctx)->fixture_base, nonce, file);
    if (prefix)
        snprintf(prefix, pcap, "/n/%s/", nonce);
}

int hitl_chk_require_fixture_fetch(hitl_check_ctx *ctx, const char *form_token,
                                   const char *upload_token)
{
    return hitl_chk_require_fixture_fetch_for(ctx, form_token, upload_token, NULL);
}

int hitl_chk_require_fixture_fetch_for(hitl_check_ctx *ctx, const char *form_token,
                                       const char *upload_token, const char *need)
{
    const hitl_run_env *env = hitl_chk_env(ctx);
    const char *sep = need ? ", but " : "";
    if (!need)
        need = "";
    if (!env || !env->fixture || !env->fixture_base) {
        hitl_check_skip(ctx, "%s%sno fixture server the target can reach (--fixture-url)", need,
                        sep);
        return HITL_E_UNSUPPORTED;
    }
    if (!hitl_flow_require_upload_routes(ctx))
        return HITL_E_UNSUPPORTED;
    char *issued = NULL;
    if (!upload_token) {
        issued = hitl_flow_issue_upload_token(ctx, form_token);
        if (!issued)
            return HITL_E_STATE;
        upload_token = issued;
    }
    char url[1024], prefix[200];
    hitl_chk_fixture_url(ctx, "-reach", "good.pdf", url, sizeof url, prefix, sizeof prefix);
    hitl_http_response resp;
    int rc = hitl_flow_upload_remote(ctx, upload_token, NULL, url, &resp);
    free(issued);
    if (rc) {
        hitl_http_response_free(&resp);
        return rc;
    }
    size_t hits = hitl_fixture_hits(env->fixture, prefix);
    if (resp.status != 201 || hits == 0) {
        hitl_check_skip(ctx,
                        "%s%sprecondition: the target did not fetch the fixture's good file (a "
                        "remote upload of %s answered HTTP %ld %.120s; the fixture saw %zu "
                        "request(s) for it), so %s: make the fixture reachable from the target "
                        "(--fixture-listen on an address the target can reach, --fixture-url "
                        "with the URL the target uses; allow it through the target's SSRF "
                        "proxy)",
                        need, sep, url, resp.status, hitl_buf_str(&resp.body), hits,
                        need[0] ? "no valid value can be sent"
                                : "a refusal of a failing URL would prove nothing");
        hitl_http_response_free(&resp);
        return HITL_E_UNSUPPORTED;
    }
    hitl_check_note(ctx, "precondition: the target fetched the fixture's %s (201)", url);
    hitl_http_response_free(&resp);
    return HITL_OK;
}
