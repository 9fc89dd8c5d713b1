/* uploader.c: uploading files in a check (uploader.h). */
#include "uploader.h"

#include "hitl/json.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MP_BOUNDARY "hitlcheck-7d1a93c0e5b24f68"
#define MP_MAX (1u << 20)
#define AUTH_MAX 1024

static bool is_web(hitl_check_ctx *ctx)
{
    return hitl_ctx_surface(ctx) == HITL_SURFACE_WEB;
}

/* 0, or non-zero after an ERROR; uploader_close in every case. */
int hitl_uploader_open(hitl_check_ctx *ctx, hitl_uploader *u)
{
    memset(u, 0, sizeof *u);
    u->web = is_web(ctx);
    if (!u->web)
        return HITL_OK;
    if (!hitl_flow_require_upload_routes(ctx))
        return HITL_E_UNSUPPORTED;
    if (hitl_flow_start(ctx, &u->run))
        return HITL_E_STATE;
    u->token = hitl_flow_issue_upload_token(ctx, u->run.form_token);
    return u->token ? HITL_OK : HITL_E_STATE;
}

void hitl_uploader_close(hitl_uploader *u)
{
    free(u->token);
    hitl_run_free(&u->run);
}

/* Uploads |len| bytes as |name| with the hitl_uploader's credentials, or with |authorization|
 * ("" = no header) on WEB. */
int hitl_uploader_send(hitl_check_ctx *ctx, const hitl_uploader *u, const char *authorization,
                       const char *name, const char *ctype, const void *data, size_t len,
                       hitl_http_response *resp)
{
    return hitl_flow_upload_local(ctx, u->web ? u->token : NULL, u->web ? authorization : NULL,
                                  name, ctype, data, len, resp);
}

/* Uploads the sample PDF (§6.2.1's "valid file"). */
int hitl_uploader_send_sample(hitl_check_ctx *ctx, const hitl_uploader *u,
                              const char *authorization, hitl_http_response *resp)
{
    size_t len;
    const char *pdf = hitl_flow_sample_pdf(&len);
    return hitl_uploader_send(ctx, u, authorization, "hitlcheck.pdf", "application/pdf", pdf, len,
                              resp);
}

/* The local-upload path of the check's surface and the target's layout (§1.2). */
static const char *local_path(hitl_check_ctx *ctx)
{
    if (!is_web(ctx))
        return "/files/upload";
    return hitl_flow_layout(ctx) == HITL_LAYOUT_V2 ? "/human-input-forms/files"
                                                   : "/form/human_input/files/upload";
}

/* Writes |s| as a quoted-string value: `"` and `\` backslash-escaped, as Werkzeug's
 * parse_options_header reads them back. */
static int put_quoted(hitl_buf *b, const char *s)
{
    int rc = hitl_buf_append_str(b, "\"");
    for (const char *p = s; *p && !rc; p++)
        rc = (*p == '"' || *p == '\\') ? hitl_buf_printf(b, "\\%c", *p) : hitl_buf_append(b, p, 1);
    return rc ? rc : hitl_buf_append_str(b, "\"");
}

/* POSTs a hand-written multipart/form-data body of |parts| (a part is a file when its
 * filename is not NULL, "" included) to the surface's local-upload route with the
 * hitl_uploader's credentials; SVC adds the `user` field (§6.4). */
int hitl_uploader_post_parts(hitl_check_ctx *ctx, const hitl_uploader *u,
                             const hitl_http_part *parts, size_t n, hitl_http_response *resp)
{
    const hitl_target *t = hitl_ctx_target(ctx);
    hitl_buf b;
    hitl_buf_init(&b, MP_MAX);
    int rc = HITL_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        rc = hitl_buf_printf(&b, "--%s\r\nContent-Disposition: form-data; name=\"%s\"", MP_BOUNDARY,
                             parts[i].name);
        if (!rc && parts[i].filename)
            rc = hitl_buf_append_str(&b, "; filename=") || put_quoted(&b, parts[i].filename);
        if (!rc && parts[i].content_type)
            rc = hitl_buf_printf(&b, "\r\nContent-Type: %s", parts[i].content_type);
        if (!rc)
            rc = hitl_buf_append_str(&b, "\r\n\r\n") ||
                 hitl_buf_append(&b, parts[i].data, parts[i].len) ||
                 hitl_buf_append_str(&b, "\r\n");
    }
    if (!rc && !u->web)
        rc = hitl_buf_printf(&b,
                             "--%s\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\n%s\r\n",
                             MP_BOUNDARY, t->user);
    if (!rc)
        rc = hitl_buf_printf(&b, "--%s--\r\n", MP_BOUNDARY);
    if (rc) {
        hitl_buf_free(&b);
        memset(resp, 0, sizeof *resp);
        hitl_check_error(ctx, "could not build the multipart body (over %u bytes?)", MP_MAX);
        return HITL_E_TOO_BIG;
    }
    char auth[AUTH_MAX];
    snprintf(auth, sizeof auth, "Bearer %s", u->token ? u->token : "");
    hitl_call call = {.method = "POST",
                      .surface = hitl_ctx_surface(ctx),
                      .path = local_path(ctx),
                      .json = hitl_buf_str(&b),
                      .json_len = b.len,
                      .content_type = "multipart/form-data; boundary=" MP_BOUNDARY,
                      .authorization = u->web ? auth : NULL};
    rc = hitl_flow_call(ctx, &call, resp);
    hitl_buf_free(&b);
    return rc;
}

/* Expects HTTP |status| for the request |what| (named in the expectation), then the §1.3
 * error body with |code|. */
bool hitl_uploader_expect_answer(hitl_check_ctx *ctx, const hitl_http_response *resp, long status,
                                 const char *code, const char *what, const char *section)
{
    char exp[512];
    snprintf(exp, sizeof exp, "%s → HTTP %ld%s%s (%s)", what, status, code ? " " : "",
             code ? code : "", section);
    /* A front end's own page (a proxy's 413 for the body, …) is not the target's answer. */
    if (hitl_check_front_page(ctx, resp, what))
        return false;
    if (!hitl_expect(ctx, resp->status == status, exp, "HTTP %ld: %.200s", resp->status,
                     hitl_buf_str(&resp->body)))
        return false;
    return code ? hitl_expect_error(ctx, resp, status, code) : true;
}

/* The number `key` of |obj| when it is an integer; |*ok| says whether it was. */
int64_t hitl_uploader_int_field(const cJSON *obj, const char *key, bool *ok)
{
    int64_t exact = 0; /* an inf or huge number is no integer: never cast (json.h) */
    *ok = hitl_json_int64(cJSON_GetObjectItemCaseSensitive(obj, key), &exact) == HITL_JSON_OK;
    return *ok ? exact : 0;
}

/* Expects `key` of |obj| to be a string (non-empty when |non_empty|). */
bool hitl_uploader_expect_string_field(hitl_check_ctx *ctx, const cJSON *obj, const char *key,
                                       bool non_empty, const char *section)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char exp[256];
    snprintf(exp, sizeof exp, "`%s` is a %sstring (%s)", key, non_empty ? "non-empty " : "",
             section);
    return hitl_expect(ctx, cJSON_IsString(v) && (!non_empty || v->valuestring[0]), exp,
                       "`%s` is %s", key,
                       !v                  ? "missing"
                       : cJSON_IsString(v) ? "empty"
                                           : "not a string");
}
