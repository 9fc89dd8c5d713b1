/* fingerprint.c: the upload-path fingerprint (§1.1.1): which of the two upload layouts
 * the target serves, probed with unauthenticated POSTs. */
#include "hitl/checks.h"
#include "hitl/flow.h"
#include "hitl/form.h"
#include "hitl/target.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long probe(hitl_check_ctx *ctx, const char *path)
{
    hitl_call call = {
        .method = "POST", .surface = HITL_SURFACE_WEB, .path = path, .authorization = ""};
    hitl_http_response resp;
    long status = hitl_flow_call(ctx, &call, &resp) == HITL_OK ? resp.status : -1;
    hitl_http_response_free(&resp);
    return status;
}

static bool route_exists(long status)
{
    return status > 0 && status != 404 && status != 405;
}

/* §1.1 version map, §6.2, §1.1.1: "exactly one of {/api/form/human_input/files/upload,
 * /api/human-input-forms/files} exists; record which (version fingerprint)". Unauthenticated
 * POSTs: an existing route answers the §6.1 ladder's 401. */
static void fingerprint_layout(hitl_check_ctx *ctx)
{
    long v1 = probe(ctx, "/form/human_input/files/upload");
    long v1_remote = v1 < 0 ? -1 : probe(ctx, "/form/human_input/files/remote-upload");
    long v2 = v1_remote < 0 ? -1 : probe(ctx, "/human-input-forms/files");
    if (hitl_check_done(ctx))
        return;
    bool has1 = route_exists(v1), has2 = route_exists(v2);
    if (!has1 && !has2 && v1 > 0 && v2 > 0) {
        /* Builds before Human Input file inputs have neither route (nor the upload-token
         * route); a deployment may also serve them under another prefix. Neither is a
         * finding of the build: the upload checks SKIP with this reason. */
        const char *web = hitl_ctx_target(ctx)->web_base;
        hitl_check_skip(ctx,
                        "neither upload layout exists: POST %s/form/human_input/files/upload "
                        "answered HTTP %ld, POST %s/human-input-forms/files HTTP %ld: a build "
                        "without Human Input file uploads, or the routes behind another prefix "
                        "(--web-base); every upload-token and upload check SKIPs",
                        web, v1, web, v2);
        return;
    }
    if (has1 && !has2)
        hitl_check_note(ctx,
                        "upload layout v1: /api/form/human_input/files/upload (HTTP %ld) and "
                        "…/files/remote-upload (HTTP %ld%s)",
                        v1, v1_remote, route_exists(v1_remote) ? "" : ": missing");
    else if (has2 && !has1)
        hitl_check_note(ctx, "upload layout v2: /api/human-input-forms/files (HTTP %ld)", v2);
    hitl_expect(ctx, has1 != has2,
                "exactly one upload layout exists: v1 /api/form/human_input/files/upload or v2 "
                "/api/human-input-forms/files (§1.1.1)",
                "%s: v1 answered HTTP %ld, v2 HTTP %ld", has1 ? "both exist" : "neither exists", v1,
                v2);
}

static const hitl_check_impl CHECKS[] = {
    {"fingerprint.upload-layout", fingerprint_layout},
};

HITL_CHECK_TABLE(fingerprint, CHECKS)
