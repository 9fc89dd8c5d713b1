/* upload.c: checks of the upload steps: issuing upload tokens (§5; §5), the upload-token
 * ladder of the WEB upload routes (§6.1; §6.1), local uploads on WEB and through the
 * Service API's /files/upload (§6.2, §6.4; §6.2), the upload-path fingerprint (§1.1.1) and
 * the remote upload (§6.3; §6.3.1). A WEB upload needs a live form and a token of it, so
 * those checks start their own run; SVC uploads need only the app key.
 *
 * Well-formed uploads go through hitl_flow_upload_local (libcurl's multipart encoder);
 * the malformed ones (no file part, two file fields, empty or hostile filenames) are
 * written by hand here, because libcurl escapes or refuses exactly what they must send. */
#include "common.h"
#include "valid_submission.h"

#include "hitl/fixture.h"
#include "hitl/json.h"
#include "hitl/proxy_page.h"
#include "hitl/url.h"

/* A token no target issues (token_urlsafe(32) gives 43 characters of [A-Za-z0-9_-]). */
#define UNKNOWN_FORM_TOKEN "hitlcheckUnknownFormToken000000000000000000"
#define UPLOAD_PREFIX "hitl_upload_"
#define UPLOAD_PREFIX_LEN 12
#define UNKNOWN_UPLOAD_AUTH "Bearer hitl_upload_doesnotexist"
/* Over Dify's default 10 MiB image limit (§6.2 UPLOAD_IMAGE_FILE_SIZE_LIMIT), far below any
 * reverse proxy's usual body limit (§6.1.8 needs the app, not the proxy, to answer). */
#define OVER_IMAGE_LIMIT (11u * 1024u * 1024u)
#define MP_BOUNDARY "hitlcheck-7d1a93c0e5b24f68"
#define MP_MAX (1u << 20)
#define AUTH_MAX 1024

static bool is_web(hitl_check_ctx *ctx)
{
    return hitl_ctx_surface(ctx) == HITL_SURFACE_WEB;
}

/* What a check needs to upload on its surface: on WEB a live form and an upload token of
 * it; on SVC nothing (the app key and the target's user). */
typedef struct uploader {
    bool web;
    hitl_run run;
    char *token;
} uploader;

/* 0, or non-zero after an ERROR; uploader_close in every case. */
static int uploader_open(hitl_check_ctx *ctx, uploader *u)
{
    memset(u, 0, sizeof *u);
    u->web = is_web(ctx);
    if (!u->web)
        return HITL_OK;
    if (!hitl_flow_require_upload_routes(ctx))
        return HITL_E_UNSUPPORTED;
    if (hitl_flow_start(ctx, &u->run))
        return HITL_E_STATE;
    u->token = hitl_chk_issue_upload_token(ctx, u->run.form_token);
    return u->token ? HITL_OK : HITL_E_STATE;
}

static void uploader_close(uploader *u)
{
    free(u->token);
    hitl_run_free(&u->run);
}

/* Uploads |len| bytes as |name| with the uploader's credentials, or with |authorization|
 * ("" = no header) on WEB. */
static int upload_as(hitl_check_ctx *ctx, const uploader *u, const char *authorization,
                     const char *name, const char *ctype, const void *data, size_t len,
                     hitl_http_response *resp)
{
    return hitl_flow_upload_local(ctx, u->web ? u->token : NULL, u->web ? authorization : NULL,
                                  name, ctype, data, len, resp);
}

/* Uploads the sample PDF (§6.2.1's "valid file"). */
static int upload_sample(hitl_check_ctx *ctx, const uploader *u, const char *authorization,
                         hitl_http_response *resp)
{
    size_t len;
    const char *pdf = hitl_flow_sample_pdf(&len);
    return upload_as(ctx, u, authorization, "hitlcheck.pdf", "application/pdf", pdf, len, resp);
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
 * uploader's credentials; SVC adds the `user` field (§6.4). */
static int post_multipart(hitl_check_ctx *ctx, const uploader *u, const hitl_http_part *parts,
                          size_t n, hitl_http_response *resp)
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
static bool expect_answer(hitl_check_ctx *ctx, const hitl_http_response *resp, long status,
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
static int64_t int_field(const cJSON *obj, const char *key, bool *ok)
{
    int64_t exact = 0; /* an inf or huge number is no integer: never cast (json.h) */
    *ok = hitl_json_int64(cJSON_GetObjectItemCaseSensitive(obj, key), &exact) == HITL_JSON_OK;
    return *ok ? exact : 0;
}

/* Expects `key` of |obj| to be a string (non-empty when |non_empty|). */
static bool expect_string_field(hitl_check_ctx *ctx, const cJSON *obj, const char *key,
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

/* --- §5: issuing upload tokens --- */

/* The prefix of |token| up to its first '_' (at most 12 characters): enough to show a wrong
 * prefix without printing the secret part. */
static int shown_prefix_len(const char *token)
{
    size_t n = strcspn(token, "_");
    n = token[n] ? n + 1 : n;
    return (int)(n < UPLOAD_PREFIX_LEN ? n : UPLOAD_PREFIX_LEN);
}

/* §5.1: "POST upload-token on an active form → 200 {"upload_token": "hitl_upload_…",
 * "expires_at": int}" — "Note: 200, not 201". */
static void token_issue_ok(hitl_check_ctx *ctx)
{
    hitl_run run;
    if (hitl_flow_start(ctx, &run) == HITL_OK) {
        hitl_http_response resp;
        char *token = NULL;
        if (hitl_chk_upload_token(ctx, run.form_token, &resp, &token) == HITL_OK &&
            hitl_expect(ctx, resp.status == 200, "HTTP 200, not 201 (§5.1)",
                        "HTTP %ld: %.200s", resp.status, hitl_buf_str(&resp.body))) {
            cJSON *root = hitl_chk_expect_json_object(ctx, &resp, "the upload-token answer (§5)");
            const cJSON *tok = cJSON_GetObjectItemCaseSensitive(root, "upload_token");
            if (root &&
                hitl_expect(ctx, cJSON_IsString(tok), "`upload_token` is a string (§5)",
                            "`upload_token` is %s", tok ? "not a string" : "missing") &&
                hitl_expect(ctx, !strncmp(tok->valuestring, UPLOAD_PREFIX, UPLOAD_PREFIX_LEN),
                            "upload_token starts with \"hitl_upload_\" (§5.1)",
                            "upload_token starts \"%.*s…\"", shown_prefix_len(tok->valuestring),
                            tok->valuestring)) {
                hitl_err why = {0}; /* §1.4.6: it goes into an Authorization header */
                hitl_expect(ctx, hitl_url_value_check(tok->valuestring, &why) == HITL_OK,
                            "upload_token is fit for an Authorization header: at most 512 "
                            "bytes, no control byte (CR, LF, NUL), no '/' or '\\' (§1.4.6)",
                            "upload_token %s (refused: never sent)", why.msg);
                size_t rest = strlen(tok->valuestring) - UPLOAD_PREFIX_LEN;
                if (rest != 43)
                    hitl_check_note(ctx,
                                    "the token has %zu characters after the prefix (Dify: "
                                    "token_urlsafe(32), 43)",
                                    rest);
            }
            bool ok;
            int_field(root, "expires_at", &ok);
            if (root)
                hitl_expect(ctx, ok, "`expires_at` is an integer (Unix seconds) (§5.1)",
                            "`expires_at` is %s",
                            cJSON_GetObjectItemCaseSensitive(root, "expires_at") ? "not an integer"
                                                                                 : "missing");
            cJSON_Delete(root);
        }
        free(token);
        hitl_http_response_free(&resp);
    }
    hitl_run_free(&run);
}

/* §5.2: "expires_at is the form's expiration_time (no separate TTL)". */
static void token_issue_expires_at(hitl_check_ctx *ctx)
{
    hitl_run run;
    if (hitl_flow_start(ctx, &run) == HITL_OK) {
        hitl_http_response resp;
        char *token = NULL;
        if (hitl_chk_upload_token(ctx, run.form_token, &resp, &token) == HITL_OK) {
            cJSON *root = hitl_chk_body_json(&resp);
            bool ok;
            int64_t exp = int_field(root, "expires_at", &ok);
            if (!token || !ok)
                hitl_check_error(ctx,
                                 "precondition: issuing an upload token answered HTTP %ld "
                                 "without a token and an integer expires_at: %.200s",
                                 resp.status, hitl_buf_str(&resp.body));
            else
                hitl_expect(ctx, exp == run.expiration_time,
                            "expires_at equals the form's expiration_time (§5.2)",
                            "expires_at %lld, expiration_time %lld (%+lld s)", (long long)exp,
                            (long long)run.expiration_time, (long long)(exp - run.expiration_time));
            cJSON_Delete(root);
        }
        free(token);
        hitl_http_response_free(&resp);
    }
    hitl_run_free(&run);
}

/* Issues two tokens for one live form into |a| and |b|; 0, or non-zero after an ERROR. */
static int two_tokens(hitl_check_ctx *ctx, const hitl_run *run, char **a, char **b)
{
    *a = hitl_chk_issue_upload_token(ctx, run->form_token);
    *b = *a ? hitl_chk_issue_upload_token(ctx, run->form_token) : NULL;
    return *a && *b ? HITL_OK : HITL_E_STATE;
}

/* §5.3: "Two calls return two different tokens (MUST)". */
static void token_issue_unique(hitl_check_ctx *ctx)
{
    hitl_run run;
    char *a = NULL, *b = NULL;
    if (hitl_flow_start(ctx, &run) == HITL_OK && two_tokens(ctx, &run, &a, &b) == HITL_OK)
        hitl_expect(ctx, strcmp(a, b) != 0,
                    "two upload-token calls for one form return two different tokens (§5.3)",
                    "both calls returned the same token");
    free(a);
    free(b);
    hitl_run_free(&run);
}

/* §5.3 "(SHOULD, INFERRED) both remain usable for uploads". */
static void token_issue_both_usable(hitl_check_ctx *ctx)
{
    hitl_run run;
    char *tokens[2] = {NULL, NULL};
    if (hitl_flow_start(ctx, &run) == HITL_OK &&
        two_tokens(ctx, &run, &tokens[0], &tokens[1]) == HITL_OK) {
        for (size_t i = 0; i < 2 && !hitl_check_done(ctx); i++) {
            uploader u = {.web = true, .token = tokens[i]};
            hitl_http_response resp;
            char what[96];
            snprintf(what, sizeof what, "a sample upload with the %s of two tokens",
                     i ? "second" : "first");
            if (upload_sample(ctx, &u, NULL, &resp) == HITL_OK)
                expect_answer(ctx, &resp, 201, NULL, what, "§5.3");
            hitl_http_response_free(&resp);
        }
    }
    free(tokens[0]);
    free(tokens[1]);
    hitl_run_free(&run);
}

/* §5.5: "Unknown form token → 404 not_found". */
static void token_issue_unknown_form(hitl_check_ctx *ctx)
{
    hitl_http_response resp;
    if (hitl_chk_upload_token(ctx, UNKNOWN_FORM_TOKEN, &resp, NULL) == HITL_OK)
        hitl_expect_error(ctx, &resp, 404, "not_found");
    hitl_http_response_free(&resp);
}

/* §5.6: "Submitted form → 412 human_input_form_submitted". */
static void token_issue_after_submit(hitl_check_ctx *ctx)
{
    hitl_run run;
    if (hitl_flow_start(ctx, &run) == HITL_OK &&
        hitl_chk_submit_valid(ctx, &run, NULL) == HITL_OK) {
        hitl_http_response resp;
        char *token = NULL;
        if (hitl_chk_upload_token(ctx, run.form_token, &resp, &token) == HITL_OK)
            expect_answer(ctx, &resp, 412, "human_input_form_submitted",
                          "POST …/upload-token of a submitted form", "§5.6");
        free(token);
        hitl_http_response_free(&resp);
    }
    hitl_run_free(&run);
}

/* §5.7 (SHOULD): "/v1/form/human_input/{t}/upload-token does not exist on SVC
 * (404/405) — flag, don't fail, if a target implements it". A live token, so a target that
 * has the route answers it. */
static void token_svc_absent(hitl_check_ctx *ctx)
{
    hitl_run run;
    if (hitl_flow_start(ctx, &run) == HITL_OK) {
        char path[1024];
        hitl_flow_form_path(ctx, path, sizeof path, run.form_token, "/upload-token");
        hitl_call call = {.method = "POST", .surface = HITL_SURFACE_SERVICE, .path = path};
        hitl_http_response resp;
        if (hitl_flow_call(ctx, &call, &resp) == HITL_OK) {
            hitl_expect(
                ctx, resp.status == 404 || resp.status == 405,
                "POST /v1/form/human_input/{t}/upload-token does not exist: HTTP 404 or 405 "
                "(§5.7)",
                "HTTP %ld: %.200s", resp.status, hitl_buf_str(&resp.body));
            if (resp.status >= 200 && resp.status < 300)
                hitl_check_note(ctx, "the target implements the upload-token route on the Service "
                                     "API (the integration guide's layout, not Dify's source)");
        }
        hitl_http_response_free(&resp);
    }
    hitl_run_free(&run);
}

/* --- §6.1: the upload-token ladder --- */

typedef struct auth_case {
    const char *authorization; /* "%s" is replaced by the live upload token */
    long status;
    const char *what; /* the header as the report shows it (never the token) */
    const char *section;
} auth_case;

/* Uploads the sample once per case with the case's Authorization and expects its answer
 * with code invalid_upload_token (201 with an id for a 201 case). |u| may lack a token when
 * no case uses "%s". Stops at the first failure. */
static void run_auth_cases(hitl_check_ctx *ctx, const uploader *u, const auth_case *cases, size_t n)
{
    if (!hitl_flow_require_upload_routes(ctx))
        return;
    for (size_t i = 0; i < n && !hitl_check_done(ctx); i++) {
        char auth[AUTH_MAX];
        const char *tok = u->token ? u->token : "";
        const char *at = strstr(cases[i].authorization, "%s");
        if (at)
            snprintf(auth, sizeof auth, "%.*s%s%s", (int)(at - cases[i].authorization),
                     cases[i].authorization, tok, at + 2);
        else
            snprintf(auth, sizeof auth, "%s", cases[i].authorization);
        uploader web = {.web = true};
        hitl_http_response resp;
        if (upload_sample(ctx, &web, auth, &resp) == HITL_OK) {
            char what[256];
            snprintf(what, sizeof what, "an upload with %s", cases[i].what);
            if (cases[i].status == 201) {
                if (expect_answer(ctx, &resp, 201, NULL, what, cases[i].section)) {
                    char *id = hitl_flow_upload_id(&resp, NULL);
                    hitl_expect(ctx, id != NULL, "the 201 body has the file's `id` (§6.2)",
                                "no string id: %.200s", hitl_buf_str(&resp.body));
                    free(id);
                }
            } else {
                expect_answer(ctx, &resp, cases[i].status, "invalid_upload_token", what,
                              cases[i].section);
            }
        }
        hitl_http_response_free(&resp);
    }
}

/* Runs |cases| against a live form's token (WEB). */
static void auth_cases_live(hitl_check_ctx *ctx, const auth_case *cases, size_t n)
{
    uploader u;
    if (uploader_open(ctx, &u) == HITL_OK)
        run_auth_cases(ctx, &u, cases, n);
    uploader_close(&u);
}

/* §6.1.1: "No Authorization → 401 invalid_upload_token". */
static void auth_missing(hitl_check_ctx *ctx)
{
    static const auth_case cases[] = {
        {"", 401, "no Authorization header", "§6.1.1"},
    };
    uploader none = {.web = true};
    run_auth_cases(ctx, &none, cases, 1);
}

/* §6.1.2: "Authorization: Bearer (one part) → 401; Bearer a b (three parts) →
 * 401". The live token with an extra word is the case a lenient split would accept. */
static void auth_parts(hitl_check_ctx *ctx)
{
    static const auth_case cases[] = {
        {"Bearer", 401, "`Authorization: Bearer` (one part)", "§6.1.2"},
        {"Bearer %s extra", 401, "`Authorization: Bearer <live upload token> extra` (three parts)",
         "§6.1.2"},
        {"Bearer a b", 401, "`Authorization: Bearer a b` (three parts)", "§6.1.2"},
    };
    auth_cases_live(ctx, cases, sizeof cases / sizeof cases[0]);
}

/* §6.1.3, §6.1.4: "scheme ≠ bearer (case-insensitive) → 400 invalid_upload_token". */
static void auth_scheme(hitl_check_ctx *ctx)
{
    static const auth_case cases[] = {
        {"Basic %s", 400, "`Authorization: Basic <live upload token>`", "§6.1.3, §6.1.4"},
        {"Basic hitl_upload_x", 400, "`Authorization: Basic hitl_upload_x`", "§6.1.3, §6.1.4"},
    };
    auth_cases_live(ctx, cases, sizeof cases / sizeof cases[0]);
}

/* §6.1.3, §6.1.4: "token does not start with hitl_upload_ → 400". */
static void auth_prefix(hitl_check_ctx *ctx)
{
    uploader u;
    if (uploader_open(ctx, &u) == HITL_OK) {
        static const auth_case plain[] = {
            {"Bearer abc", 400, "`Authorization: Bearer abc`", "§6.1.3, §6.1.4"},
        };
        run_auth_cases(ctx, &u, plain, 1);
        /* The live token without its prefix: a server that only looks the rest up accepts it. */
        if (!strncmp(u.token, UPLOAD_PREFIX, UPLOAD_PREFIX_LEN)) {
            uploader stripped = {.web = true, .token = u.token + UPLOAD_PREFIX_LEN};
            static const auth_case cut[] = {
                {"Bearer %s", 400,
                 "`Authorization: Bearer <live upload token without hitl_upload_>`",
                 "§6.1.3, §6.1.4"},
            };
            run_auth_cases(ctx, &stripped, cut, 1);
        }
    }
    uploader_close(&u);
}

/* §6.1.5: "Bearer hitl_upload_doesnotexist → 403 invalid_upload_token". */
static void auth_unknown_token(hitl_check_ctx *ctx)
{
    static const auth_case cases[] = {
        {UNKNOWN_UPLOAD_AUTH, 403, "`Authorization: Bearer hitl_upload_doesnotexist`",
         "§6.1.5"},
    };
    uploader none = {.web = true};
    run_auth_cases(ctx, &none, cases, 1);
}

/* §6.1 row 3 ("`bearer` and `Bearer` both accepted"), §6.1.6. */
static void auth_lowercase_bearer(hitl_check_ctx *ctx)
{
    static const auth_case cases[] = {
        {"bearer %s", 201, "`Authorization: bearer <live upload token>` (lower-case scheme)",
         "§6.1.6"},
    };
    auth_cases_live(ctx, cases, 1);
}

/* §6.1.7: "Token of a form that was since submitted → 412
 * human_input_form_submitted (not 403)". */
static void auth_submitted_form(hitl_check_ctx *ctx)
{
    uploader u;
    if (uploader_open(ctx, &u) == HITL_OK &&
        hitl_chk_submit_valid(ctx, &u.run, u.token) == HITL_OK) {
        hitl_http_response resp;
        if (upload_sample(ctx, &u, NULL, &resp) == HITL_OK)
            expect_answer(ctx, &resp, 412, "human_input_form_submitted",
                          "an upload with the token of a submitted form (not 403)",
                          "§6.1.7");
        hitl_http_response_free(&resp);
    }
    uploader_close(&u);
}

/* A PNG of |len| bytes: the sample's bytes, then zeros (malloc'd; NULL after an ERROR). */
static char *big_png(hitl_check_ctx *ctx, size_t len)
{
    size_t n;
    const char *png = hitl_flow_sample_png(&n);
    char *data = calloc(1, len);
    if (!data) {
        hitl_check_error(ctx, "out of memory for a %zu-byte file", len);
        return NULL;
    }
    memcpy(data, png, n < len ? n : len);
    return data;
}

/* §6.1 ("runs before the body is parsed"), §6.1.8: "an unauthenticated multipart body
 * larger than the app's file limit … gets 401, not 413". */
static void auth_before_body(hitl_check_ctx *ctx)
{
    if (!hitl_flow_require_upload_routes(ctx))
        return;
    char *data = big_png(ctx, OVER_IMAGE_LIMIT);
    if (!data)
        return;
    uploader none = {.web = true};
    hitl_http_response resp;
    if (upload_as(ctx, &none, "", "hitlcheck-big.png", "image/png", data, OVER_IMAGE_LIMIT,
                  &resp) == HITL_OK)
        expect_answer(
            ctx, &resp, 401, "invalid_upload_token",
            "an unauthenticated 11 MiB .png upload (the token is checked before the body: "
            "401, not 413)",
            "§6.1.8");
    hitl_http_response_free(&resp);
    free(data);
}

/* --- §6.2, §6.4: local uploads --- */

/* Expects the FileResponse fields of a 201 local upload of |name| (|len| bytes) (§6.2). */
static void expect_file_response(hitl_check_ctx *ctx, const hitl_http_response *resp,
                                 const char *name, size_t len, const char *ext)
{
    cJSON *root = hitl_chk_expect_json_object(ctx, resp, "the 201 upload body (§6.2)");
    if (!root)
        return;
    const char *sec = "§6.2.1";
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(root, "id");
    hitl_expect(ctx, cJSON_IsString(id) && hitl_chk_is_uuid(id->valuestring),
                "`id` is a UUID string (§6.2.1)", "`id` is %s",
                cJSON_IsString(id) ? id->valuestring
                : id               ? "not a string"
                                   : "missing");
    const cJSON *nm = cJSON_GetObjectItemCaseSensitive(root, "name");
    hitl_expect(ctx, cJSON_IsString(nm) && !strcmp(nm->valuestring, name),
                "`name` is the uploaded filename (§6.2.1)", "`name` is %s",
                cJSON_IsString(nm) ? nm->valuestring
                : nm               ? "not a string"
                                   : "missing");
    bool ok;
    int64_t size = int_field(root, "size", &ok);
    hitl_expect(ctx, ok && size == (int64_t)len, "`size` equals the bytes sent (§6.2.1)",
                ok ? "`size` %lld, %zu bytes sent"
                   : "`size` is not an integer (%lld), %zu bytes sent",
                (long long)size, len);
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(root, "extension");
    hitl_expect(ctx, cJSON_IsString(ex) && !strcmp(ex->valuestring, ext),
                "`extension` is the filename's, without the dot (§6.2.1)",
                "`extension` is %s",
                cJSON_IsString(ex) ? ex->valuestring
                : ex               ? "not a string"
                                   : "missing");
    expect_string_field(ctx, root, "mime_type", true, sec);
    int_field(root, "created_at", &ok);
    hitl_expect(
        ctx, ok, "`created_at` is an integer (Unix seconds) (§6.2.1)", "`created_at` is %s",
        cJSON_GetObjectItemCaseSensitive(root, "created_at") ? "not an integer" : "missing");
    cJSON_Delete(root);
}

/* §6.2, §6.4, §6.2.1: "Valid file → 201 with id (uuid), name, size (= bytes sent),
 * extension, mime_type, created_at". */
static void local_ok(hitl_check_ctx *ctx)
{
    uploader u;
    if (uploader_open(ctx, &u) == HITL_OK) {
        hitl_http_response resp;
        size_t len;
        hitl_flow_sample_pdf(&len);
        if (upload_sample(ctx, &u, NULL, &resp) == HITL_OK &&
            expect_answer(ctx, &resp, 201, NULL, "a valid PDF upload", "§6.2.1"))
            expect_file_response(ctx, &resp, "hitlcheck.pdf", len, "pdf");
        hitl_http_response_free(&resp);
    }
    uploader_close(&u);
}

/* Posts |parts| by hand and expects HTTP 400 |code| (any code when NULL). */
static void local_reject(hitl_check_ctx *ctx, const hitl_http_part *parts, size_t n,
                         const char *code, const char *what, const char *section)
{
    uploader u;
    if (uploader_open(ctx, &u) == HITL_OK) {
        hitl_http_response resp;
        if (post_multipart(ctx, &u, parts, n, &resp) == HITL_OK)
            expect_answer(ctx, &resp, 400, code, what, section);
        hitl_http_response_free(&resp);
    }
    uploader_close(&u);
}

/* §6.2.2, §6.2.3, §6.2.4: "No file part → 400 no_file_uploaded". */
static void local_no_file(hitl_check_ctx *ctx)
{
    const hitl_http_part parts[] = {{.name = "note", .data = "hitlcheck", .len = 9}};
    local_reject(ctx, parts, 1, "no_file_uploaded", "a multipart upload without a `file` part",
                 "§6.2.2, §6.2.3, §6.2.4");
}

/* §6.2.2, §6.2.3, §6.2.4: "two differently named file fields → 400 too_many_files". */
static void local_too_many_files(hitl_check_ctx *ctx)
{
    size_t len;
    const char *pdf = hitl_flow_sample_pdf(&len);
    const hitl_http_part parts[] = {
        {.name = "file",
         .filename = "hitlcheck.pdf",
         .content_type = "application/pdf",
         .data = pdf,
         .len = len},
        {.name = "file2",
         .filename = "hitlcheck-2.pdf",
         .content_type = "application/pdf",
         .data = pdf,
         .len = len},
    };
    local_reject(ctx, parts, 2, "too_many_files",
                 "an upload with two file fields (`file`, `file2`)", "§6.2.2, §6.2.3, §6.2.4");
}

/* §6.2.2, §6.2.3, §6.2.4: "empty filename → 400 filename_not_exists_error". */
static void local_empty_filename(hitl_check_ctx *ctx)
{
    size_t len;
    const char *pdf = hitl_flow_sample_pdf(&len);
    const hitl_http_part parts[] = {
        {.name = "file",
         .filename = "",
         .content_type = "application/pdf",
         .data = pdf,
         .len = len},
    };
    local_reject(ctx, parts, 1, "filename_not_exists_error", "a `file` part with filename=\"\"",
                 "§6.2.2, §6.2.3, §6.2.4");
}

/* §6.2.5: "Filename with / \ : * ? " < > | → 400" (invalid_param per §1.3: a bare
 * ValueError; the status is INFERRED, so the check is SHOULD and only the status and the
 * §1.3 shape are asserted). */
static void local_bad_filename(hitl_check_ctx *ctx)
{
    static const char bad[] = "/\\:*?\"<>|";
    size_t len;
    const char *pdf = hitl_flow_sample_pdf(&len);
    uploader u;
    if (uploader_open(ctx, &u) == HITL_OK) {
        for (size_t i = 0; bad[i] && !hitl_check_done(ctx); i++) {
            char name[32], what[96];
            snprintf(name, sizeof name, "hitl%ccheck.pdf", bad[i]);
            snprintf(what, sizeof what, "an upload named `%s`", name);
            const hitl_http_part part = {.name = "file",
                                         .filename = name,
                                         .content_type = "application/pdf",
                                         .data = pdf,
                                         .len = len};
            hitl_http_response resp;
            if (post_multipart(ctx, &u, &part, 1, &resp) == HITL_OK &&
                expect_answer(ctx, &resp, 400, NULL, what, "§6.2.5") &&
                hitl_chk_expect_error_shape(ctx, &resp, 400, what)) {
                cJSON *root = hitl_chk_body_json(&resp);
                const cJSON *code = cJSON_GetObjectItemCaseSensitive(root, "code");
                if (cJSON_IsString(code) && strcmp(code->valuestring, "invalid_param"))
                    hitl_check_note(ctx, "%s: code \"%s\" (Dify: invalid_param)", what,
                                    code->valuestring);
                cJSON_Delete(root);
            }
            hitl_http_response_free(&resp);
        }
    }
    uploader_close(&u);
}

/* §6.2.6: "11 MB .png with defaults → 413 file_too_large". */
static void local_too_large(hitl_check_ctx *ctx)
{
    uploader u;
    char *data = NULL;
    if (uploader_open(ctx, &u) == HITL_OK && (data = big_png(ctx, OVER_IMAGE_LIMIT))) {
        hitl_http_response resp;
        if (upload_as(ctx, &u, NULL, "hitlcheck-big.png", "image/png", data, OVER_IMAGE_LIMIT,
                      &resp) == HITL_OK)
            expect_answer(ctx, &resp, 413, "file_too_large",
                          "an 11 MiB .png upload (image limit 10 MiB by default)", "§6.2.6");
        hitl_http_response_free(&resp);
    }
    free(data);
    uploader_close(&u);
}

/* §6.2.1 "(= bytes sent)", across multipart buffer boundaries:
 * the sample itself, 64 KiB + 1 and 1 MiB + 3 bytes (the PDF padded with newlines). */
static void local_size_reported(hitl_check_ctx *ctx)
{
    size_t base;
    const char *pdf = hitl_flow_sample_pdf(&base);
    const size_t sizes[] = {base, 65537, 1048579};
    uploader u;
    if (uploader_open(ctx, &u) == HITL_OK) {
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0] && !hitl_check_done(ctx); i++) {
            char *data = malloc(sizes[i]);
            if (!data) {
                hitl_check_error(ctx, "out of memory");
                break;
            }
            memcpy(data, pdf, base);
            memset(data + base, '\n', sizes[i] - base);
            hitl_http_response resp;
            char what[96];
            snprintf(what, sizeof what, "a %zu-byte PDF upload", sizes[i]);
            if (upload_as(ctx, &u, NULL, "hitlcheck-size.pdf", "application/pdf", data, sizes[i],
                          &resp) == HITL_OK &&
                expect_answer(ctx, &resp, 201, NULL, what, "§6.2.1")) {
                cJSON *root = hitl_chk_body_json(&resp);
                bool ok;
                int64_t size = int_field(root, "size", &ok);
                hitl_expect(ctx, ok && size == (int64_t)sizes[i],
                            "the 201 body's `size` equals the bytes sent (§6.2.1)",
                            "`size` %s%lld for %zu bytes sent", ok ? "" : "(not an integer) ",
                            (long long)size, sizes[i]);
                cJSON_Delete(root);
            }
            hitl_http_response_free(&resp);
            free(data);
        }
    }
    uploader_close(&u);
}

/* §6.2.8: "Returned id is accepted as upload_file_id in the same form's submit". */
static void local_id_accepted(hitl_check_ctx *ctx)
{
    hitl_run run;
    if (hitl_flow_start(ctx, &run) == HITL_OK) {
        bool local = false;
        for (size_t i = 0; i < run.form->n_inputs; i++) {
            const hitl_form_input *in = &run.form->inputs[i];
            const hitl_strlist *m = &in->allowed_file_upload_methods;
            bool allows = m->count == 0;
            for (size_t k = 0; k < m->count; k++)
                allows = allows || !strcmp(m->items[k], "local_file");
            if ((in->type == HITL_INPUT_FILE || in->type == HITL_INPUT_FILE_LIST) && allows)
                local = true;
        }
        if (!local) {
            hitl_check_skip(ctx, "the form has no file or file-list input that takes local_file "
                                 "uploads");
        } else {
            char *body = hitl_chk_valid_body(ctx, &run, NULL);
            hitl_http_response resp;
            if (body && hitl_chk_submit(ctx, run.form_token, body, &resp) == HITL_OK) {
                hitl_expect(ctx, resp.status == 200,
                            "a submit whose file inputs carry the ids uploads returned answers 200 "
                            "(§6.2.8)",
                            "HTTP %ld: %.200s", resp.status, hitl_buf_str(&resp.body));
                hitl_http_response_free(&resp);
            }
            free(body);
        }
    }
    hitl_run_free(&run);
}

/* §6.2.7: "A file whose extension the deployment blocks (UPLOAD_FILE_EXTENSION_BLACKLIST):
 * 400 file_extension_blocked" on the WEB route ("The file extension is blocked for security
 * reasons.", the error class's own message); §6.4.3: the Service API does not map the
 * error, so there it is 400 invalid_param "File extension '.<ext>' is not allowed for
 * security reasons". The blacklist is empty by default and no answer shows it beforehand,
 * so only the extensions the user names (--blocked-extension, each of them) are tried. */
static void local_blocked_extension(hitl_check_ctx *ctx)
{
    const hitl_run_env *env = hitl_chk_env(ctx);
    if (!hitl_chk_blocked_extension(ctx)) {
        hitl_check_skip(ctx, "no blocked extension was named: give an entry of the target's "
                             "UPLOAD_FILE_EXTENSION_BLACKLIST as --blocked-extension EXT (Dify "
                             "blocks none by default)");
        return;
    }
    static const char data[] = "hitlcheck: a file with a blocked extension\n";
    uploader u;
    if (uploader_open(ctx, &u) == HITL_OK) {
        for (size_t i = 0; i < env->n_blocked_extensions && !hitl_check_done(ctx); i++) {
            const char *ext = env->blocked_extensions[i];
            char name[64], what[160], message[160];
            snprintf(name, sizeof name, "hitlcheck.%s", ext);
            hitl_http_response resp;
            if (upload_as(ctx, &u, NULL, name, "application/octet-stream", data, sizeof data - 1,
                          &resp) == HITL_OK) {
                if (u.web) {
                    snprintf(what, sizeof what, "a WEB upload of %s (.%s blocked)", name, ext);
                    if (expect_answer(ctx, &resp, 400, "file_extension_blocked", what, "§6.2.7"))
                        hitl_expect_error_msg(
                            ctx, &resp, 400, "file_extension_blocked",
                            "The file extension is blocked for security reasons.");
                } else {
                    snprintf(what, sizeof what, "a Service API upload of %s (.%s blocked)", name,
                             ext);
                    snprintf(message, sizeof message,
                             "File extension '.%s' is not allowed for security reasons", ext);
                    if (expect_answer(ctx, &resp, 400, "invalid_param", what, "§6.4.3"))
                        hitl_expect_error_msg(ctx, &resp, 400, "invalid_param", message);
                }
            }
            hitl_http_response_free(&resp);
        }
    }
    uploader_close(&u);
}

/* §6.4.2: "A file part without a MIME type answers 415 unsupported_file_type" on the
 * Service API: its controller tests `file.mimetype` after the no-file and too-many-files
 * checks and before the filename (the WEB route does not, §6.2.9). The sample PDF, well
 * named, its part sent without any Content-Type header. */
static void svc_no_mime_type(hitl_check_ctx *ctx)
{
    size_t len;
    const char *pdf = hitl_flow_sample_pdf(&len);
    hitl_http_response resp;
    if (hitl_flow_upload_svc_as(ctx, NULL, NULL, "hitlcheck.pdf", NULL, pdf, len, &resp) == HITL_OK)
        expect_answer(ctx, &resp, 415, "unsupported_file_type",
                      "a Service API upload of hitlcheck.pdf whose file part has no Content-Type",
                      "§6.4.2");
    hitl_http_response_free(&resp);
}

/* --- §1.1.1: the upload-path fingerprint --- */

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

/* --- §6.3: remote upload --- */

/* §6.3.1: "Public URL returning 200 → 201 with id, name, size, url (signed),
 * mime_type" — the fixture's good.pdf, and the fixture saw the fetch. */
static void remote_ok(hitl_check_ctx *ctx)
{
    const hitl_run_env *env = hitl_chk_env(ctx);
    if (!env || !env->fixture || !env->fixture_base) {
        hitl_check_skip(ctx, "no fixture server the target can reach (--fixture-url)");
        return;
    }
    uploader u;
    if (uploader_open(ctx, &u) == HITL_OK) {
        char nonce[96], url[1024], prefix[128];
        snprintf(nonce, sizeof nonce, "%s-%s", hitl_ctx_id(ctx),
                 hitl_surface_name(hitl_ctx_surface(ctx)));
        snprintf(url, sizeof url, "%s/n/%s/good.pdf", env->fixture_base, nonce);
        snprintf(prefix, sizeof prefix, "/n/%s/", nonce);
        hitl_http_response resp;
        int rc = hitl_flow_upload_remote(ctx, u.token, NULL, url, &resp);
        if (!rc && resp.status != 201 && hitl_fixture_hits(env->fixture, prefix) == 0) {
            /* The target never reached the fixture: it may be unable to (a remote deployment,
             * Docker, an SSRF proxy blocking the harness's address), which says nothing of
             * its remote upload (§11.1). */
            hitl_check_skip(ctx,
                            "precondition: the target did not fetch the fixture's %s (HTTP %ld "
                            "%.120s; the fixture saw no request): make the fixture reachable "
                            "from the target (--fixture-listen on an address the target can "
                            "reach, --fixture-url with the URL the target uses; allow it "
                            "through the target's SSRF proxy)",
                            url, resp.status, hitl_buf_str(&resp.body));
        } else if (!rc && expect_answer(ctx, &resp, 201, NULL,
                                        "a remote upload of the fixture's good.pdf",
                                        "§6.3.1")) {
            cJSON *root =
                hitl_chk_expect_json_object(ctx, &resp, "the 201 remote-upload body (§6.3)");
            if (root) {
                const char *sec = "§6.3.1";
                expect_string_field(ctx, root, "id", true, sec);
                expect_string_field(ctx, root, "name", true, sec);
                bool ok;
                int64_t size = int_field(root, "size", &ok);
                hitl_expect(ctx, ok && size > 0, "`size` is a positive integer (§6.3.1)",
                            "`size` %s%lld", ok ? "" : "(not an integer) ", (long long)size);
                expect_string_field(ctx, root, "url", true, sec);
                expect_string_field(ctx, root, "mime_type", true, sec);
            }
            cJSON_Delete(root);
            size_t hits = hitl_fixture_hits(env->fixture, prefix);
            hitl_expect(ctx, hits > 0,
                        "the target fetched the URL from the fixture (§6.3.1)",
                        "the fixture saw no request for %sgood.pdf", prefix);
        }
        hitl_http_response_free(&resp);
    }
    uploader_close(&u);
}

static const hitl_check_impl CHECKS[] = {
    {"upload-token.issue.ok", token_issue_ok},
    {"upload-token.issue.expires-at", token_issue_expires_at},
    {"upload-token.issue.unique", token_issue_unique},
    {"upload-token.issue.both-usable", token_issue_both_usable},
    {"upload-token.issue.unknown-form", token_issue_unknown_form},
    {"upload-token.issue.after-submit", token_issue_after_submit},
    {"upload-token.svc.absent", token_svc_absent},
    {"upload.auth.missing", auth_missing},
    {"upload.auth.parts", auth_parts},
    {"upload.auth.scheme", auth_scheme},
    {"upload.auth.prefix", auth_prefix},
    {"upload.auth.unknown-token", auth_unknown_token},
    {"upload.auth.lowercase-bearer", auth_lowercase_bearer},
    {"upload.auth.submitted-form", auth_submitted_form},
    {"upload.auth.before-body", auth_before_body},
    {"upload.local.ok", local_ok},
    {"upload.local.no-file", local_no_file},
    {"upload.local.too-many-files", local_too_many_files},
    {"upload.local.empty-filename", local_empty_filename},
    {"upload.local.bad-filename", local_bad_filename},
    {"upload.local.too-large", local_too_large},
    {"upload.local.size-reported", local_size_reported},
    {"upload.local.id-accepted", local_id_accepted},
    {"upload.local.blocked-extension", local_blocked_extension},
    {"upload.svc.no-mime-type", svc_no_mime_type},
    {"fingerprint.upload-layout", fingerprint_layout},
    {"upload.remote.ok", remote_ok},
};

HITL_CHECK_TABLE(upload, CHECKS)
