/* valid_submission.c: the valid submission of a form, files included (see
 * valid_submission.h). Dify facts it follows: strict type validation at submit
 * (api/factories/file_factory/builders.py@a6e9316de39e101f3b7e905d938440784a001c13,
 * _resolve_file_type; a local_file mapping without `type` specifies "custom"), the config
 * check on the mapping's type
 * (api/factories/file_factory/validation.py@b29b1f36a5988d8ee7bbee71022b331a80f2342a), and type
 * detection by extension, then MIME type (graphon's standardize_file_type, read via the index: file
 * id 55093356630, commit not given by the index). */
#include "valid_submission.h"
#include "fixture_probe.h"
#include "run_env.h"

#include "hitl/checks.h"
#include "hitl/fixture.h"
#include "hitl/flow.h"
#include "hitl/form.h"
#include "hitl/target.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TEXT_VALUE "hitlcheck conformance"

/* One MPEG-1 Layer III frame of silence: 32 kbit/s, 32 kHz, mono (144 bytes: the header,
 * then all-zero side information and main data, which decode as silence). */
static const unsigned char SAMPLE_MP3[144] = {0xff, 0xfb, 0x18, 0xc0};

/* The smallest well-formed MP4: an `ftyp` box (isom) and a `moov` box holding one movie
 * header (`mvhd`, version 0, timescale 1000, duration 0, identity matrix), no tracks. */
static const unsigned char SAMPLE_MP4[] = {
    /* ftyp */
    0x00, 0x00, 0x00, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0x00, 0x00, 0x02, 0x00, 'i',
    's', 'o', 'm', 'm', 'p', '4', '1',
    /* moov */
    0x00, 0x00, 0x00, 0x74, 'm', 'o', 'o', 'v',
    /* mvhd: size, type, version/flags, creation, modification, timescale, duration */
    0x00, 0x00, 0x00, 0x6c, 'm', 'v', 'h', 'd', 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x00,
    /* rate 1.0, volume 1.0, 10 reserved bytes */
    0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* matrix: identity */
    0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x40, 0x00, 0x00, 0x00,
    /* pre_defined (24 bytes), next_track_ID 1 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01};

static const char SAMPLE_CUSTOM[] = "hitlcheck sample of a custom file type\n";

/* Extensions some Dify version maps to image, video, audio or document (api/constants,
 * IMAGE/VIDEO/AUDIO/DOCUMENT_EXTENSIONS, every version seen: webm and mpga moved between
 * audio and video). A custom sample must not use one: its detected type would not be custom. */
static const char *const TYPED_EXTENSIONS[] = {
    "jpg",  "jpeg", "png", "webp", "gif", "svg",  "mp4", "mov", "mpeg",
    "webm", "mpga", "mp3", "m4a",  "wav", "amr",  "ogg", "txt", "markdown",
    "md",   "mdx",  "pdf", "html", "htm", "xlsx", "xls", "vtt", "properties",
    "doc",  "docx", "csv", "eml",  "msg", "pptx", "ppt", "xml", "epub"};

/* The sample types in the order they are tried for an input. */
static const char *const SAMPLE_TYPES[] = {"document", "image", "audio", "video"};

bool hitl_chk_sample(const char *type, hitl_sample *out)
{
    memset(out, 0, sizeof *out);
    out->type = type;
    if (!strcmp(type, "document")) {
        snprintf(out->filename, sizeof out->filename, "hitlcheck.pdf");
        out->mime = "application/pdf";
        out->data = hitl_flow_sample_pdf(&out->len);
        out->fixture_file = "good.pdf";
    } else if (!strcmp(type, "image")) {
        snprintf(out->filename, sizeof out->filename, "hitlcheck.png");
        out->mime = "image/png";
        out->data = hitl_flow_sample_png(&out->len);
        out->fixture_file = "good.png";
    } else if (!strcmp(type, "audio")) {
        snprintf(out->filename, sizeof out->filename, "hitlcheck.mp3");
        out->mime = "audio/mpeg";
        out->data = SAMPLE_MP3;
        out->len = sizeof SAMPLE_MP3;
    } else if (!strcmp(type, "video")) {
        snprintf(out->filename, sizeof out->filename, "hitlcheck.mp4");
        out->mime = "video/mp4";
        out->data = SAMPLE_MP4;
        out->len = sizeof SAMPLE_MP4;
    } else {
        return false;
    }
    return true;
}

/* Whether Dify would detect a file named "x<ext>" as custom, and stores its extension as
 * written: a dot, then 1-15 lower-case letters or digits that no version maps to a type.
 * (Dify compares ".<stored extension>", lower case, with the list entries as written.) */
static bool custom_extension(const char *ext)
{
    size_t n = ext ? strlen(ext) : 0;
    if (n < 2 || n > 16 || ext[0] != '.' ||
        strspn(ext + 1, "abcdefghijklmnopqrstuvwxyz0123456789") != n - 1)
        return false;
    for (size_t i = 0; i < sizeof TYPED_EXTENSIONS / sizeof TYPED_EXTENSIONS[0]; i++)
        if (!strcasecmp(ext + 1, TYPED_EXTENSIONS[i]))
            return false;
    return true;
}

/* The custom sample for |in|: named with the first of its extensions a custom file can
 * have, sent as application/octet-stream (a text/ type would be detected as document).
 * False when it lists none. */
static bool custom_sample(const hitl_form_input *in, hitl_sample *out)
{
    const hitl_strlist *e = &in->allowed_file_extensions;
    for (size_t i = 0; i < e->count; i++)
        if (custom_extension(e->items[i])) {
            memset(out, 0, sizeof *out);
            out->type = "custom";
            snprintf(out->filename, sizeof out->filename, "hitlcheck%s", e->items[i]);
            out->mime = "application/octet-stream";
            out->data = SAMPLE_CUSTOM;
            out->len = sizeof SAMPLE_CUSTOM - 1;
            return true;
        }
    return false;
}

/* |l| as "[a, b]" into |out|. */
static void list_text(const hitl_strlist *l, char *out, size_t cap)
{
    size_t n = (size_t)snprintf(out, cap, "[");
    for (size_t i = 0; i < l->count && n < cap; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? ", " : "", l->items[i]);
    if (n < cap)
        snprintf(out + n, cap - n, "]");
}

/* Chooses the sample and transfer method of input |in| (see the header). False after
 * writing into |why| why no valid file exists for it. */
static bool pick_sample(const hitl_form_input *in, hitl_sample *s, hitl_transfer_method *m,
                        char *why, size_t cap)
{
    const char *name = in->output_variable_name;
    bool local = hitl_submit_allows(&in->allowed_file_upload_methods, "local_file");
    bool remote = hitl_submit_allows(&in->allowed_file_upload_methods, "remote_url");
    char types[256], exts[256], methods[256];
    list_text(&in->allowed_file_types, types, sizeof types);
    list_text(&in->allowed_file_extensions, exts, sizeof exts);
    list_text(&in->allowed_file_upload_methods, methods, sizeof methods);
    if (!local && !remote) {
        snprintf(why, cap,
                 "file input '%s' takes neither local_file nor remote_url "
                 "(allowed_file_upload_methods %s), so hitlcheck cannot send it a file",
                 name, methods);
        return false;
    }
    for (size_t i = 0; i < sizeof SAMPLE_TYPES / sizeof SAMPLE_TYPES[0]; i++) {
        if (!hitl_submit_allows(&in->allowed_file_types, SAMPLE_TYPES[i]))
            continue;
        hitl_chk_sample(SAMPLE_TYPES[i], s);
        if (local || s->fixture_file) {
            *m = local ? HITL_TRANSFER_LOCAL_FILE : HITL_TRANSFER_REMOTE_URL;
            return true;
        }
    }
    /* Dify exempts custom from the allowed-types check; the extension decides. */
    if (local && custom_sample(in, s)) {
        *m = HITL_TRANSFER_LOCAL_FILE;
        return true;
    }
    if (!local)
        snprintf(why, cap,
                 "file input '%s' takes only remote_url, and the fixture serves no file of a "
                 "type it allows (allowed_file_types %s; the fixture has a PDF and a PNG)",
                 name, types);
    else
        snprintf(why, cap,
                 "file input '%s' allows only types hitlcheck has no sample of "
                 "(allowed_file_types %s, allowed_file_extensions %s; hitlcheck sends a PDF, a "
                 "PNG, an MP3, an MP4, or a custom file named with a lower-case extension of the "
                 "input that Dify maps to no type)",
                 name, types, exts);
    return false;
}

/* The remote_url precondition of |in|: the fixture exists and the target fetched from it
 * (once per build). 0; non-zero after a SKIP naming the input, or an ERROR. */
static int require_fixture(hitl_check_ctx *ctx, const hitl_run *run, const hitl_form_input *in,
                           hitl_valid *v)
{
    if (v->fixture_fetched)
        return HITL_OK;
    char need[256];
    snprintf(need, sizeof need,
             "file input '%s' takes only remote_url, so its valid value is the fixture's file "
             "inline",
             in->output_variable_name);
    int rc = hitl_chk_require_fixture_fetch_for(ctx, run->form_token, v->upload_token, need);
    v->fixture_fetched = rc == HITL_OK;
    return rc;
}

char *hitl_chk_upload_file(hitl_check_ctx *ctx, const hitl_run *run, const char *upload_token,
                           const hitl_sample *sample, const char *what)
{
    bool web = hitl_ctx_surface(ctx) == HITL_SURFACE_WEB;
    hitl_http_response resp;
    char *id = NULL;
    int rc = web ? hitl_flow_upload_local(ctx, upload_token, NULL, sample->filename, sample->mime,
                                          sample->data, sample->len, &resp)
                 : hitl_flow_upload_svc_as(ctx, run ? run->api_key : NULL, NULL, sample->filename,
                                           sample->mime, sample->data, sample->len, &resp);
    if (rc == HITL_OK) {
        hitl_err why = {0};
        id = hitl_flow_upload_id(&resp, &why);
        if (why.code)
            hitl_check_error(ctx, "precondition: %s: uploading %s (%s): %s", what, sample->filename,
                             sample->mime, why.msg);
        else if (!id)
            hitl_check_error(ctx,
                             "precondition: %s: uploading %s (%s) answered HTTP %ld, not 201 "
                             "with an id: %.200s",
                             what, sample->filename, sample->mime, resp.status,
                             hitl_buf_str(&resp.body));
    }
    hitl_http_response_free(&resp);
    return id;
}

/* Gets the files of input |in| into |vi|. 0; non-zero after a SKIP or an ERROR. */
static int fill_input(hitl_check_ctx *ctx, const hitl_run *run, const hitl_form_input *in,
                      hitl_valid *v, hitl_valid_input *vi)
{
    char why[768];
    hitl_transfer_method m;
    vi->in = in;
    if (!pick_sample(in, &vi->sample, &m, why, sizeof why)) {
        hitl_check_skip(ctx, "%s", why);
        return HITL_E_UNSUPPORTED;
    }
    size_t n = 1;
    if (in->type == HITL_INPUT_FILE_LIST)
        n = in->number_limits > 0 && in->number_limits < HITL_VALID_LIST_FILES
                ? (size_t)in->number_limits
                : HITL_VALID_LIST_FILES;
    if (m == HITL_TRANSFER_REMOTE_URL) {
        int rc = require_fixture(ctx, run, in, v);
        if (rc)
            return rc;
    } else if (hitl_ctx_surface(ctx) == HITL_SURFACE_WEB && !v->upload_token) {
        v->upload_token = hitl_flow_issue_upload_token(ctx, run->form_token);
        if (!v->upload_token)
            return HITL_E_STATE;
    }
    char what[160];
    snprintf(what, sizeof what, "the valid submission's file for input '%s'",
             in->output_variable_name);
    for (size_t i = 0; i < n; i++) {
        hitl_file_ref *r = &vi->refs[i];
        r->method = m;
        r->type = vi->sample.type;
        if (m == HITL_TRANSFER_LOCAL_FILE) {
            vi->owned[i] = hitl_chk_upload_file(ctx, run, v->upload_token, &vi->sample, what);
            if (!vi->owned[i])
                return HITL_E_STATE;
            r->upload_file_id = vi->owned[i];
        } else {
            char url[1024];
            snprintf(url, sizeof url, "%s/n/%s-%s-valid/%s", hitl_chk_env(ctx)->fixture_base,
                     hitl_ctx_id(ctx), hitl_surface_name(hitl_ctx_surface(ctx)),
                     vi->sample.fixture_file);
            if (!(vi->owned[i] = strdup(url))) {
                hitl_check_error(ctx, "out of memory building the valid submission");
                return HITL_E_NOMEM;
            }
            r->url = vi->owned[i];
        }
        vi->n_refs = i + 1;
    }
    return HITL_OK;
}

static bool is_file_kind(const hitl_form_input *in)
{
    return (in->type == HITL_INPUT_FILE || in->type == HITL_INPUT_FILE_LIST) &&
           in->output_variable_name;
}

int hitl_chk_valid_build(hitl_check_ctx *ctx, const hitl_run *run, const hitl_valid_opts *opts,
                         hitl_valid *out)
{
    static const hitl_valid_opts defaults = {0};
    const hitl_form *f = run->form;
    memset(out, 0, sizeof *out);
    if (!opts)
        opts = &defaults;
    /* What no upload can fix comes first, so that nothing is uploaded in vain. */
    for (size_t i = 0; i < f->n_inputs; i++)
        if (f->inputs[i].type == HITL_INPUT_SELECT && f->inputs[i].output_variable_name &&
            f->inputs[i].options.value.count == 0) {
            hitl_check_skip(ctx,
                            "select input '%s' offers no options (a variable source the target "
                            "did not resolve?), so no valid submission exists",
                            f->inputs[i].output_variable_name);
            return HITL_E_UNSUPPORTED;
        }
    size_t n = 0;
    for (size_t i = 0; i < f->n_inputs; i++)
        n += is_file_kind(&f->inputs[i]);
    out->files = calloc(n ? n : 1, sizeof *out->files);
    hitl_submit_files *hints_files = calloc(n ? n : 1, sizeof *hints_files);
    if (!out->files || !hints_files ||
        (opts->upload_token && !(out->upload_token = strdup(opts->upload_token)))) {
        free(hints_files);
        hitl_check_error(ctx, "out of memory building the valid submission");
        return HITL_E_NOMEM;
    }
    int rc = HITL_OK;
    for (size_t i = 0; i < f->n_inputs && !rc; i++) {
        if (!is_file_kind(&f->inputs[i]))
            continue;
        hitl_valid_input *vi = &out->files[out->n_files++];
        rc = fill_input(ctx, run, &f->inputs[i], out, vi);
        hints_files[out->n_files - 1] =
            (hitl_submit_files){vi->in->output_variable_name, vi->refs, vi->n_refs};
    }
    if (!rc) {
        bool svc = hitl_ctx_surface(ctx) == HITL_SURFACE_SERVICE;
        hitl_submit_hints hints = {
            .action = opts->action,
            .user = svc ? (run->user ? run->user : hitl_ctx_target(ctx)->user) : NULL,
            .text = TEXT_VALUE,
            .files = hints_files,
            .n_files = out->n_files,
        };
        hitl_err err = {0};
        rc = hitl_submit_new(&out->sub, 0, &err);
        if (!rc)
            rc = hitl_submit_fill_valid(out->sub, f, &hints, &err);
        if (rc == HITL_E_INVALID)
            hitl_check_skip(ctx, "no valid submission exists for the form: %s", err.msg);
        else if (rc)
            hitl_check_error(ctx, "precondition: assembling the valid submission failed: %s",
                             err.msg);
    }
    free(hints_files);
    return rc;
}

void hitl_chk_valid_free(hitl_valid *v)
{
    for (size_t i = 0; v->files && i < v->n_files; i++)
        for (size_t k = 0; k < HITL_VALID_LIST_FILES; k++)
            free(v->files[i].owned[k]);
    free(v->files);
    free(v->upload_token);
    hitl_submit_free(v->sub);
    memset(v, 0, sizeof *v);
}

const hitl_valid_input *hitl_chk_valid_files(const hitl_valid *v, const hitl_form_input *in)
{
    for (size_t i = 0; i < v->n_files; i++)
        if (v->files[i].in == in)
            return &v->files[i];
    return NULL;
}

char *hitl_chk_valid_body(hitl_check_ctx *ctx, const hitl_run *run, const hitl_valid_opts *opts)
{
    hitl_valid v;
    char *body = NULL;
    if (hitl_chk_valid_build(ctx, run, opts, &v) == HITL_OK) {
        hitl_err err = {0};
        if (hitl_submit_to_json(v.sub, &body, &err))
            hitl_check_error(ctx, "precondition: printing the valid submission failed: %s",
                             err.msg);
    }
    hitl_chk_valid_free(&v);
    return body;
}

/* hitl_chk_submit_required with the app key |api_key| (NULL: the target's) on SVC. */
static int submit_required_as(hitl_check_ctx *ctx, const char *api_key, const char *form_token,
                              const char *body)
{
    hitl_http_response resp;
    int rc = hitl_flow_submit_as(ctx, api_key, form_token, body, &resp);
    if (!rc && resp.status != 200) {
        hitl_check_error(ctx,
                         "precondition: the valid submission answered HTTP %ld, not 200: %.200s",
                         resp.status, hitl_buf_str(&resp.body));
        rc = HITL_E_STATE;
    }
    hitl_http_response_free(&resp);
    return rc;
}

int hitl_chk_submit_valid(hitl_check_ctx *ctx, const hitl_run *run, const char *upload_token)
{
    const hitl_valid_opts opts = {.upload_token = upload_token};
    char *body = hitl_chk_valid_body(ctx, run, &opts);
    if (!body)
        return HITL_E_STATE;
    int rc = submit_required_as(ctx, run->api_key, run->form_token, body);
    free(body);
    return rc;
}

int hitl_chk_submit_required(hitl_check_ctx *ctx, const char *form_token, const char *body)
{
    return submit_required_as(ctx, NULL, form_token, body);
}
