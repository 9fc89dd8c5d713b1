/* upload.c: checks of uploading files: the upload-token ladder of the WEB upload routes
 * (§6.1), local uploads on WEB and through the Service API's /files/upload (§6.2, §6.4)
 * and the remote upload (§6.3.1). A WEB upload needs a live form and a token of it, so
 * those checks start their own run (uploader.h); SVC uploads need only the app key. */
#include "expect_body.h"
#include "fixture_probe.h"
#include "run_env.h"
#include "uploader.h"
#include "valid_submission.h"

#include "hitl/checks.h"
#include "hitl/fixture.h"
#include "hitl/json.h"
#include "hitl/proxy_page.h"
#include "hitl/url.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNKNOWN_UPLOAD_AUTH "Bearer hitl_upload_doesnotexist"
/* Over Dify's default 10 MiB image limit (§6.2 UPLOAD_IMAGE_FILE_SIZE_LIMIT), far below any
 * reverse proxy's usual body limit (§6.1.8 needs the app, not the proxy, to answer). */
#define OVER_IMAGE_LIMIT (11u * 1024u * 1024u)
#define AUTH_MAX 1024

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
static void run_auth_cases(hitl_check_ctx *ctx, const hitl_uploader *u, const auth_case *cases,
                           size_t n)
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
        hitl_uploader web = {.web = true};
        hitl_http_response resp;
        if (hitl_uploader_send_sample(ctx, &web, auth, &resp) == HITL_OK) {
            char what[256];
            snprintf(what, sizeof what, "an upload with %s", cases[i].what);
            if (cases[i].status == 201) {
                if (hitl_uploader_expect_answer(ctx, &resp, 201, NULL, what, cases[i].section)) {
                    char *id = hitl_flow_upload_id(&resp, NULL);
                    hitl_expect(ctx, id != NULL, "the 201 body has the file's `id` (§6.2)",
                                "no string id: %.200s", hitl_buf_str(&resp.body));
                    free(id);
                }
            } else {
                hitl_uploader_expect_answer(ctx, &resp, cases[i].status, "invalid_upload_token",
                                            what, cases[i].section);
            }
        }
        hitl_http_response_free(&resp);
    }
}

/* Runs |cases| against a live form's token (WEB). */
static void auth_cases_live(hitl_check_ctx *ctx, const auth_case *cases, size_t n)
{
    hitl_uploader u;
    if (hitl_uploader_open(ctx, &u) == HITL_OK)
        run_auth_cases(ctx, &u, cases, n);
    hitl_uploader_close(&u);
}

/* §6.1.1: "No Authorization → 401 invalid_upload_token". */
static void auth_missing(hitl_check_ctx *ctx)
{
    static const auth_case cases[] = {
        {"", 401, "no Authorization header", "§6.1.1"},
    };
    hitl_uploader none = {.web = true};
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
    hitl_uploader u;
    if (hitl_uploader_open(ctx, &u) == HITL_OK) {
        static const auth_case plain[] = {
            {"Bearer abc", 400, "`Authorization: Bearer abc`", "§6.1.3, §6.1.4"},
        };
        run_auth_cases(ctx, &u, plain, 1);
        /* The live token without its prefix: a server that only looks the rest up accepts it. */
        if (!strncmp(u.token, HITL_UPLOAD_PREFIX, HITL_UPLOAD_PREFIX_LEN)) {
            hitl_uploader stripped = {.web = true, .token = u.token + HITL_UPLOAD_PREFIX_LEN};
            static const auth_case cut[] = {
                {"Bearer %s", 400,
                 "`Authorization: Bearer <live upload token without hitl_upload_>`",
                 "§6.1.3, §6.1.4"},
            };
            run_auth_cases(ctx, &stripped, cut, 1);
        }
    }
    hitl_uploader_close(&u);
}

/* §6.1.5: "Bearer hitl_upload_doesnotexist → 403 invalid_upload_token". */
static void auth_unknown_token(hitl_check_ctx *ctx)
{
    static const auth_case cases[] = {
        {UNKNOWN_UPLOAD_AUTH, 403, "`Authorization: Bearer hitl_upload_doesnotexist`", "§6.1.5"},
    };
    hitl_uploader none = {.web = true};
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
    hitl_uploader u;
    if (hitl_uploader_open(ctx, &u) == HITL_OK &&
        hitl_chk_submit_valid(ctx, &u.run, u.token) == HITL_OK) {
        hitl_http_response resp;
        if (hitl_uploader_send_sample(ctx, &u, NULL, &resp) == HITL_OK)
            hitl_uploader_expect_answer(ctx, &resp, 412, "human_input_form_submitted",
                                        "an upload with the token of a submitted form (not 403)",
                                        "§6.1.7");
        hitl_http_response_free(&resp);
    }
    hitl_uploader_close(&u);
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
    hitl_uploader none = {.web = true};
    hitl_http_response resp;
    if (hitl_uploader_send(ctx, &none, "", "hitlcheck-big.png", "image/png", data, OVER_IMAGE_LIMIT,
                           &resp) == HITL_OK)
        hitl_uploader_expect_answer(
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
    int64_t size = hitl_uploader_int_field(root, "size", &ok);
    hitl_expect(ctx, ok && size == (int64_t)len, "`size` equals the bytes sent (§6.2.1)",
                ok ? "`size` %lld, %zu bytes sent"
                   : "`size` is not an integer (%lld), %zu bytes sent",
                (long long)size, len);
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(root, "extension");
    hitl_expect(ctx, cJSON_IsString(ex) && !strcmp(ex->valuestring, ext),
                "`extension` is the filename's, without the dot (§6.2.1)", "`extension` is %s",
                cJSON_IsString(ex) ? ex->valuestring
                : ex               ? "not a string"
                                   : "missing");
    hitl_uploader_expect_string_field(ctx, root, "mime_type", true, sec);
    hitl_uploader_int_field(root, "created_at", &ok);
    hitl_expect(ctx, ok, "`created_at` is an integer (Unix seconds) (§6.2.1)", "`created_at` is %s",
                cJSON_GetObjectItemCaseSensitive(root, "created_at") ? "not an integer"
                                                                     : "missing");
    cJSON_Delete(root);
}

/* §6.2, §6.4, §6.2.1: "Valid file → 201 with id (uuid), name, size (= bytes sent),
 * extension, mime_type, created_at". */
static void local_ok(hitl_check_ctx *ctx)
{
    hitl_uploader u;
    if (hitl_uploader_open(ctx, &u) == HITL_OK) {
        hitl_http_response resp;
        size_t len;
        hitl_flow_sample_pdf(&len);
        if (hitl_uploader_send_sample(ctx, &u, NULL, &resp) == HITL_OK &&
            hitl_uploader_expect_answer(ctx, &resp, 201, NULL, "a valid PDF upload", "§6.2.1"))
            expect_file_response(ctx, &resp, "hitlcheck.pdf", len, "pdf");
        hitl_http_response_free(&resp);
    }
    hitl_uploader_close(&u);
}

/* Posts |parts| by hand and expects HTTP 400 |code| (any code when NULL). */
static void local_reject(hitl_check_ctx *ctx, const hitl_http_part *parts, size_t n,
                         const char *code, const char *what, const char *section)
{
    hitl_uploader u;
    if (hitl_uploader_open(ctx, &u) == HITL_OK) {
        hitl_http_response resp;
        if (hitl_uploader_post_parts(ctx, &u, parts, n, &resp) == HITL_OK)
            hitl_uploader_expect_answer(ctx, &resp, 400, code, what, section);
        hitl_http_response_free(&resp);
    }
    hitl_uploader_close(&u);
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
    hitl_uploader u;
    if (hitl_uploader_open(ctx, &u) == HITL_OK) {
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
            if (hitl_uploader_post_parts(ctx, &u, &part, 1, &resp) == HITL_OK &&
                hitl_uploader_expect_answer(ctx, &resp, 400, NULL, what, "§6.2.5") &&
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
    hitl_uploader_close(&u);
}

/* §6.2.6: "11 MB .png with defaults → 413 file_too_large". */
static void local_too_large(hitl_check_ctx *ctx)
{
    hitl_uploader u;
    char *data = NULL;
    if (hitl_uploader_open(ctx, &u) == HITL_OK && (data = big_png(ctx, OVER_IMAGE_LIMIT))) {
        hitl_http_response resp;
        if (hitl_uploader_send(ctx, &u, NULL, "hitlcheck-big.png", "image/png", data,
                               OVER_IMAGE_LIMIT, &resp) == HITL_OK)
            hitl_uploader_expect_answer(ctx, &resp, 413, "file_too_large",
                                        "an 11 MiB .png upload (image limit 10 MiB by default)",
                                        "§6.2.6");
        hitl_http_response_free(&resp);
    }
    free(data);
    hitl_uploader_close(&u);
}

/* §6.2.1 "(= bytes sent)", across multipart buffer boundaries:
 * the sample itself, 64 KiB + 1 and 1 MiB + 3 bytes (the PDF padded with newlines). */
static void local_size_reported(hitl_check_ctx *ctx)
{
    size_t base;
    const char *pdf = hitl_flow_sample_pdf(&base);
    const size_t sizes[] = {base, 65537, 1048579};
    hitl_uploader u;
    if (hitl_uploader_open(ctx, &u) == HITL_OK) {
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
            if (hitl_uploader_send(ctx, &u, NULL, "hitlcheck-size.pdf", "application/pdf", data,
                                   sizes[i], &resp) == HITL_OK &&
                hitl_uploader_expect_answer(ctx, &resp, 201, NULL, what, "§6.2.1")) {
                cJSON *root = hitl_chk_body_json(&resp);
                bool ok;
                int64_t size = hitl_uploader_int_field(root, "size", &ok);
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
    hitl_uploader_close(&u);
}

/* Just under Dify's default limit for documents (§6.2.6: UPLOAD_FILE_SIZE_LIMIT, 15 MB): an
 * upload the app accepts. A front proxy whose body limit is smaller (nginx's
 * client_max_body_size) refuses it with its own 413 page before the app sees it (§6.2.10). */
#define UNDER_DOCUMENT_LIMIT (15u * 1024u * 1024u - 64u * 1024u)

/* §6.2.10: what the app accepts, the deployment's front end lets through. */
static void local_under_limit(hitl_check_ctx *ctx)
{
    size_t base;
    const char *pdf = hitl_flow_sample_pdf(&base);
    hitl_uploader u;
    char *data = NULL;
    if (hitl_uploader_open(ctx, &u) == HITL_OK && !(data = malloc(UNDER_DOCUMENT_LIMIT)))
        hitl_check_error(ctx, "out of memory");
    if (data) {
        memcpy(data, pdf, base);
        memset(data + base, '\n', UNDER_DOCUMENT_LIMIT - base);
        char what[128];
        snprintf(what, sizeof what,
                 "a %u-byte PDF upload (under Dify's 15 MB document limit, §6.2.6)",
                 UNDER_DOCUMENT_LIMIT);
        hitl_http_response resp;
        if (hitl_uploader_send(ctx, &u, NULL, "hitlcheck-under-limit.pdf", "application/pdf", data,
                               UNDER_DOCUMENT_LIMIT, &resp) == HITL_OK) {
            hitl_proxy_page page;
            if (resp.status == 413 && hitl_proxy_page_detect(&resp, &page)) {
                char said[512], exp[256];
                hitl_proxy_page_describe(&resp, &page, said, sizeof said);
                snprintf(exp, sizeof exp, "%s reaches the app and answers 201 (§6.2.10)", what);
                hitl_expect(ctx, false, exp,
                            "%s: the front end's request-body limit is below the app's upload "
                            "limit, so uploads the app accepts never reach it; raise the front "
                            "end's limit to at least the app's largest (nginx: "
                            "client_max_body_size, NGINX_CLIENT_MAX_BODY_SIZE in Dify's "
                            "docker/.env, default 100M)",
                            said);
            } else if (resp.status == 413) {
                hitl_check_skip(ctx,
                                "%s: the app itself answered 413 (%.120s): its document limit "
                                "(UPLOAD_FILE_SIZE_LIMIT) is set below Dify's default 15 MB, so "
                                "this size does not tell whether a front end would let through "
                                "what the app accepts",
                                what, hitl_buf_str(&resp.body));
            } else {
                hitl_uploader_expect_answer(ctx, &resp, 201, NULL, what, "§6.2.10");
            }
        }
        hitl_http_response_free(&resp);
    }
    free(data);
    hitl_uploader_close(&u);
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
            if (body && hitl_flow_submit(ctx, run.form_token, body, &resp) == HITL_OK) {
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
    hitl_uploader u;
    if (hitl_uploader_open(ctx, &u) == HITL_OK) {
        for (size_t i = 0; i < env->n_blocked_extensions && !hitl_check_done(ctx); i++) {
            const char *ext = env->blocked_extensions[i];
            char name[64], what[160], message[160];
            snprintf(name, sizeof name, "hitlcheck.%s", ext);
            hitl_http_response resp;
            if (hitl_uploader_send(ctx, &u, NULL, name, "application/octet-stream", data,
                                   sizeof data - 1, &resp) == HITL_OK) {
                if (u.web) {
                    snprintf(what, sizeof what, "a WEB upload of %s (.%s blocked)", name, ext);
                    if (hitl_uploader_expect_answer(ctx, &resp, 400, "file_extension_blocked", what,
                                                    "§6.2.7"))
                        hitl_expect_error_msg(
                            ctx, &resp, 400, "file_extension_blocked",
                            "The file extension is blocked for security reasons.");
                } else {
                    snprintf(what, sizeof what, "a Service API upload of %s (.%s blocked)", name,
                             ext);
                    snprintf(message, sizeof message,
                             "File extension '.%s' is not allowed for security reasons", ext);
                    if (hitl_uploader_expect_answer(ctx, &resp, 400, "invalid_param", what,
                                                    "§6.4.3"))
                        hitl_expect_error_msg(ctx, &resp, 400, "invalid_param", message);
                }
            }
            hitl_http_response_free(&resp);
        }
    }
    hitl_uploader_close(&u);
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
        hitl_uploader_expect_answer(
            ctx, &resp, 415, "unsupported_file_type",
            "a Service API upload of hitlcheck.pdf whose file part has no Content-Type", "§6.4.2");
    hitl_http_response_free(&resp);
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
    hitl_uploader u;
    if (hitl_uploader_open(ctx, &u) == HITL_OK) {
        char url[1024], prefix[200];
        hitl_chk_fixture_url(ctx, "", "good.pdf", url, sizeof url, prefix, sizeof prefix);
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
        } else if (!rc && hitl_uploader_expect_answer(ctx, &resp, 201, NULL,
                                                      "a remote upload of the fixture's good.pdf",
                                                      "§6.3.1")) {
            cJSON *root =
                hitl_chk_expect_json_object(ctx, &resp, "the 201 remote-upload body (§6.3)");
            if (root) {
                const char *sec = "§6.3.1";
                hitl_uploader_expect_string_field(ctx, root, "id", true, sec);
                hitl_uploader_expect_string_field(ctx, root, "name", true, sec);
                bool ok;
                int64_t size = hitl_uploader_int_field(root, "size", &ok);
                hitl_expect(ctx, ok && size > 0, "`size` is a positive integer (§6.3.1)",
                            "`size` %s%lld", ok ? "" : "(not an integer) ", (long long)size);
                hitl_uploader_expect_string_field(ctx, root, "url", true, sec);
                hitl_uploader_expect_string_field(ctx, root, "mime_type", true, sec);
            }
            cJSON_Delete(root);
            size_t hits = hitl_fixture_hits(env->fixture, prefix);
            hitl_expect(ctx, hits > 0, "the target fetched the URL from the fixture (§6.3.1)",
                        "the fixture saw no request for %sgood.pdf", prefix);
        }
        hitl_http_response_free(&resp);
    }
    hitl_uploader_close(&u);
}

static const hitl_check_impl CHECKS[] = {
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
    {"upload.local.under-limit", local_under_limit},
    {"upload.local.id-accepted", local_id_accepted},
    {"upload.local.blocked-extension", local_blocked_extension},
    {"upload.svc.no-mime-type", svc_no_mime_type},
    {"upload.remote.ok", remote_ok},
};

HITL_CHECK_TABLE(upload, CHECKS)
