/* submit.c: checks of the submit step (§7; §7). Each check starts its own run (forms
 * are one-shot), builds a submission the form accepts (hitl/submit.h), spoils one thing
 * in it and asserts the exact §7.3 answer. A check whose spoiled input kind the form lacks
 * is SKIP (§11.1). */
#include "expect_body.h"
#include "fixture_probe.h"
#include "run_env.h"
#include "valid_submission.h"

#include "hitl/checks.h"
#include "hitl/fixture.h"
#include "hitl/flow.h"
#include "hitl/form.h"
#include "hitl/submit.h"
#include "hitl/target.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BAD_ACTION "hitlcheck_no_action"
#define BAD_OPTION "hitlcheck-not-an-option"
/* A well-formed UUID (version 4) that no target has issued. */
#define UNKNOWN_UUID "6f1d2c3b-4a59-4e68-9d7c-0b1a2f3e4d5c"
#define FILE_LIMIT_MAX 50 /* number_limits above this: the over-limit list is not worth sending */
#define REFUSED_PORT 1    /* tcpmux: nothing listens there on a normal host */

/* A run paused at its form, and a valid submission for that form to spoil (v.sub). */
typedef struct prepared {
    hitl_run run;
    hitl_valid v;
} prepared;

static void prepared_free(prepared *p)
{
    hitl_chk_valid_free(&p->v);
    hitl_run_free(&p->run);
}

/* The first file input |in| got in the valid submission: a ref to spoil. */
static hitl_file_ref valid_ref(const prepared *p, const hitl_form_input *in)
{
    const hitl_valid_input *vi = hitl_chk_valid_files(&p->v, in);
    return vi ? vi->refs[0] : (hitl_file_ref){0};
}

static bool is_file_kind(const hitl_form_input *in)
{
    return in->type == HITL_INPUT_FILE || in->type == HITL_INPUT_FILE_LIST;
}

static bool has_item(const hitl_strlist *l, const char *s)
{
    for (size_t i = 0; i < l->count; i++)
        if (!strcmp(l->items[i], s))
            return true;
    return false;
}

/* Whether |in| takes files sent with |method| (an empty list allows every method). */
static bool allows_method(const hitl_form_input *in, const char *method)
{
    return hitl_submit_allows(&in->allowed_file_upload_methods, method);
}

static bool allows_type(const hitl_form_input *in, const char *type)
{
    return hitl_submit_allows(&in->allowed_file_types, type);
}

/* "Invalid value for file input 'x': " or "…file list input…" (§7.3), into |out|. */
static void file_prefix(const hitl_form_input *in, char *out, size_t cap)
{
    snprintf(out, cap, "Invalid value for %s input '%s': ",
             in->type == HITL_INPUT_FILE_LIST ? "file list" : "file", in->output_variable_name);
}

/* The first named input of |type|, or NULL. */
static const hitl_form_input *first_input(const hitl_form *f, hitl_input_type type)
{
    for (size_t i = 0; i < f->n_inputs; i++)
        if (f->inputs[i].type == type && f->inputs[i].output_variable_name)
            return &f->inputs[i];
    return NULL;
}

static const hitl_form_input *first_file_kind(const hitl_form *f)
{
    for (size_t i = 0; i < f->n_inputs; i++)
        if (is_file_kind(&f->inputs[i]) && f->inputs[i].output_variable_name)
            return &f->inputs[i];
    return NULL;
}

/* The first file-kind input that takes one of the fixture's files (a PDF or a PNG) sent
 * inline as remote_url, or NULL. */
static const hitl_form_input *first_remote_input(const hitl_form *f)
{
    for (size_t i = 0; i < f->n_inputs; i++) {
        const hitl_form_input *in = &f->inputs[i];
        if (is_file_kind(in) && in->output_variable_name && allows_method(in, "remote_url") &&
            (allows_type(in, "document") || allows_type(in, "image")))
            return in;
    }
    return NULL;
}

/* The fixture's file input |in| (from first_remote_input) takes: the PDF, else the PNG. */
static void remote_sample(const hitl_form_input *in, hitl_sample *out)
{
    hitl_chk_sample(allows_type(in, "document") ? "document" : "image", out);
}

/* Checks a step that spoils the valid submission: false (after an ERROR naming |what|) when
 * the builder refused it. */
static bool built(hitl_check_ctx *ctx, int rc, const hitl_err *err, const char *what)
{
    if (rc)
        hitl_check_error(ctx, "precondition: %s failed: %s", what, err->msg);
    return rc == HITL_OK;
}

/* The fixture URL "<base>/n/<check id>-<surface><suffix>/<file>" into |out|; the path
 * prefix the fixture counts, "/n/<check id>-<surface><suffix>/", into |prefix|. */
static void fixture_url(hitl_check_ctx *ctx, const char *suffix, const char *file, char *out,
                        size_t cap, char *prefix, size_t pcap)
{
    const hitl_run_env *env = hitl_chk_env(ctx);
    char nonce[160];
    snprintf(nonce, sizeof nonce, "%s-%s%s", hitl_ctx_id(ctx),
             hitl_surface_name(hitl_ctx_surface(ctx)), suffix);
    snprintf(out, cap, "%s/n/%s/%s", env && env->fixture_base ? env->fixture_base : "", nonce,
             file);
    if (prefix)
        snprintf(prefix, pcap, "/n/%s/", nonce);
}

static bool have_fixture(hitl_check_ctx *ctx)
{
    const hitl_run_env *env = hitl_chk_env(ctx);
    return env && env->fixture && env->fixture_base;
}

/* Starts the run. 0; non-zero after an ERROR (the check just frees and returns). */
static int start(hitl_check_ctx *ctx, prepared *p)
{
    memset(p, 0, sizeof *p);
    return hitl_flow_start(ctx, &p->run) ? HITL_E_STATE : HITL_OK;
}

/* Builds the valid submission of the started run (valid_submission.h). 0; non-zero after a
 * SKIP or ERROR. */
static int build_valid(hitl_check_ctx *ctx, prepared *p)
{
    return hitl_chk_valid_build(ctx, &p->run, NULL, &p->v);
}

/* start + build_valid. */
static int prepare(hitl_check_ctx *ctx, prepared *p)
{
    int rc = start(ctx, p);
    return rc ? rc : build_valid(ctx, p);
}

/* Submits the builder's current body. 0, or non-zero after an ERROR (|resp| then needs no
 * free beyond the usual hitl_http_response_free, which is always safe). */
static int post(hitl_check_ctx *ctx, prepared *p, hitl_http_response *resp)
{
    char *body = NULL;
    hitl_err err = {0};
    memset(resp, 0, sizeof *resp);
    if (hitl_submit_to_json(p->v.sub, &body, &err)) {
        hitl_check_error(ctx, "could not print the submission: %s", err.msg);
        return HITL_E_STATE;
    }
    int rc = hitl_flow_submit(ctx, p->run.form_token, body, resp);
    free(body);
    return rc;
}

/* Submits the valid body as a precondition of a later step: 0 after a 200, else ERROR. */
static int post_valid_precondition(hitl_check_ctx *ctx, prepared *p)
{
    char *body = NULL;
    hitl_err err = {0};
    if (hitl_submit_to_json(p->v.sub, &body, &err)) {
        hitl_check_error(ctx, "could not print the submission: %s", err.msg);
        return HITL_E_STATE;
    }
    int rc = hitl_chk_submit_required(ctx, p->run.form_token, body);
    free(body);
    return rc;
}

/* Expects the error body's `message` to be exactly |message| (after hitl_expect_error_msg
 * checked the prefix, this pins the rest: names, their order, no extra text). */
static bool expect_message(hitl_check_ctx *ctx, const hitl_http_response *resp, const char *message,
                           const char *section)
{
    cJSON *root = hitl_chk_body_json(resp);
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "message");
    char exp[512];
    snprintf(exp, sizeof exp, "message \"%s\" (%s)", message, section);
    bool ok = hitl_expect(ctx, cJSON_IsString(m) && !strcmp(m->valuestring, message), exp,
                          "message \"%s\"", cJSON_IsString(m) ? m->valuestring : "(none)");
    cJSON_Delete(root);
    return ok;
}

/* Posts the (spoiled) builder and expects 400 invalid_form_data with |prefix|. */
static void expect_rejected(hitl_check_ctx *ctx, prepared *p, const char *prefix)
{
    hitl_http_response resp;
    if (post(ctx, p, &resp) == HITL_OK)
        hitl_expect_error_msg(ctx, &resp, 400, "invalid_form_data", prefix);
    hitl_http_response_free(&resp);
}

static bool body_is_empty_object(const hitl_http_response *resp)
{
    cJSON *root = hitl_chk_body_json(resp);
    bool ok = cJSON_IsObject(root) && root->child == NULL;
    cJSON_Delete(root);
    return ok;
}

/* --- G49, G50, G53 --- */

/* §7.4.1: "200 body is exactly {}" (CONFIRMED both surfaces). */
static void valid_ok(hitl_check_ctx *ctx)
{
    prepared p;
    if (prepare(ctx, &p) == HITL_OK) {
        hitl_http_response resp;
        if (post(ctx, &p, &resp) == HITL_OK &&
            hitl_expect_status(ctx, &resp, 200, "a valid submit is accepted (§7.4.1)"))
            hitl_expect(ctx, body_is_empty_object(&resp), "the 200 body is exactly {} (§7.4.1)",
                        "body %.200s", hitl_buf_str(&resp.body));
        hitl_http_response_free(&resp);
    }
    prepared_free(&p);
}

/* §7.4.2: "second submit with same token → 412 human_input_form_submitted". */
static void double_submit(hitl_check_ctx *ctx)
{
    prepared p;
    if (prepare(ctx, &p) == HITL_OK && post_valid_precondition(ctx, &p) == HITL_OK) {
        hitl_http_response resp;
        if (post(ctx, &p, &resp) == HITL_OK)
            hitl_expect_error(ctx, &resp, 412, "human_input_form_submitted");
        hitl_http_response_free(&resp);
    }
    prepared_free(&p);
}

/* An action id the form does not have. */
static void unknown_action(const hitl_form *f, char *out, size_t cap)
{
    snprintf(out, cap, "%s", BAD_ACTION);
    for (int k = 0; hitl_form_find_action(f, out) && k < 100; k++)
        snprintf(out, cap, "%s%d", BAD_ACTION, k);
}

/* §7.4.3: "a rejected submit (400) leaves the form unchanged; resubmit with the
 * same token works" (CONFIRMED: validation precedes mark_submitted). */
static void stays_open(hitl_check_ctx *ctx)
{
    prepared p;
    if (prepare(ctx, &p) == HITL_OK) {
        char bad[64];
        hitl_err err = {0};
        unknown_action(p.run.form, bad, sizeof bad);
        hitl_http_response resp = {0};
        if (built(ctx, hitl_submit_set_action(p.v.sub, bad, &err), &err,
                  "setting an unknown action") &&
            post(ctx, &p, &resp) == HITL_OK &&
            hitl_expect_error(ctx, &resp, 400, "invalid_form_data")) {
            hitl_http_response_free(&resp);
            if (built(ctx, hitl_submit_set_action(p.v.sub, p.run.form->actions[0].id, &err), &err,
                      "restoring the action") &&
                post(ctx, &p, &resp) == HITL_OK)
                hitl_expect(ctx, resp.status == 200,
                            "after a rejected submit the corrected one with the same token → 200 "
                            "(§7.4.3)",
                            "HTTP %ld %.200s", resp.status, hitl_buf_str(&resp.body));
        }
        hitl_http_response_free(&resp);
    }
    prepared_free(&p);
}

/* --- G51, G52 --- */

/* §7.3.1: "action not among the form's action ids → Invalid action: <action>". */
static void invalid_action(hitl_check_ctx *ctx)
{
    prepared p;
    if (prepare(ctx, &p) == HITL_OK) {
        char bad[64], prefix[128];
        hitl_err err = {0};
        unknown_action(p.run.form, bad, sizeof bad);
        snprintf(prefix, sizeof prefix, "Invalid action: %s", bad);
        if (built(ctx, hitl_submit_set_action(p.v.sub, bad, &err), &err,
                  "setting an unknown action"))
            expect_rejected(ctx, &p, prefix);
    }
    prepared_free(&p);
}

/* The names of inputs to omit for the missing-inputs checks: one (the first), or two chosen
 * so that definition order differs from alphabetical order when the form allows it (a
 * server that sorts the names then fails). Returns how many it found (0, 1 or 2). */
static size_t pick_missing(const hitl_form *f, size_t want, const hitl_form_input *out[2])
{
    const hitl_form_input *named[256];
    size_t n = 0;
    for (size_t i = 0; i < f->n_inputs && n < 256; i++)
        if (f->inputs[i].output_variable_name)
            named[n++] = &f->inputs[i];
    if (n < want)
        return 0;
    out[0] = named[0];
    if (want == 1)
        return 1;
    out[1] = named[n - 1];
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(named[i]->output_variable_name, named[j]->output_variable_name) > 0) {
                out[0] = named[i];
                out[1] = named[j];
                return 2;
            }
    return 2;
}

/* §7.3.2: "any input's output_variable_name key absent from inputs →
 * Missing required inputs: <a>, <b> (definition order, ", "-joined)". */
static void missing_inputs(hitl_check_ctx *ctx, size_t want)
{
    prepared p;
    if (start(ctx, &p) == HITL_OK) {
        const hitl_form_input *omit[2];
        if (pick_missing(p.run.form, want, omit) != want) {
            hitl_check_skip(ctx, "the form has fewer than %zu named inputs", want);
        } else if (build_valid(ctx, &p) == HITL_OK) {
            hitl_err err = {0};
            char message[1024];
            int rc = HITL_OK;
            for (size_t i = 0; i < want && !rc; i++)
                rc = hitl_submit_omit(p.v.sub, omit[i]->output_variable_name, &err);
            snprintf(message, sizeof message, "Missing required inputs: %s%s%s",
                     omit[0]->output_variable_name, want == 2 ? ", " : "",
                     want == 2 ? omit[1]->output_variable_name : "");
            hitl_http_response resp = {0};
            if (built(ctx, rc, &err, "omitting inputs") && post(ctx, &p, &resp) == HITL_OK &&
                hitl_expect_error_msg(ctx, &resp, 400, "invalid_form_data",
                                      "Missing required inputs: "))
                expect_message(ctx, &resp, message, "§7.3.2");
            hitl_http_response_free(&resp);
        }
    }
    prepared_free(&p);
}

static void missing_one(hitl_check_ctx *ctx)
{
    missing_inputs(ctx, 1);
}

static void missing_two(hitl_check_ctx *ctx)
{
    missing_inputs(ctx, 2);
}

/* --- G54: selects --- */

static const hitl_form_input *constant_select(const hitl_form *f)
{
    for (size_t i = 0; i < f->n_inputs; i++) {
        const hitl_form_input *in = &f->inputs[i];
        if (in->type == HITL_INPUT_SELECT && in->output_variable_name && in->options.type &&
            !strcmp(in->options.type, "constant"))
            return in;
    }
    return NULL;
}

/* §7.3.3, §7.3.4: "select value not a string → Invalid value for select input '<name>':
 * expected string" (CONFIRMED newer service). */
static void select_type(hitl_check_ctx *ctx)
{
    prepared p;
    if (start(ctx, &p) == HITL_OK) {
        const hitl_form_input *sel = first_input(p.run.form, HITL_INPUT_SELECT);
        if (!sel) {
            hitl_check_skip(ctx, "the form has no select input");
        } else if (build_valid(ctx, &p) == HITL_OK) {
            hitl_err err = {0};
            char prefix[256];
            snprintf(prefix, sizeof prefix, "Invalid value for select input '%s': expected string",
                     sel->output_variable_name);
            if (built(ctx, hitl_submit_set_raw_json(p.v.sub, sel->output_variable_name, "42", &err),
                      &err, "setting a number as the select's value"))
                expect_rejected(ctx, &p, prefix);
        }
    }
    prepared_free(&p);
}

/* §7.3.3, §7.3.4: "constant-sourced select value not in options → Invalid value for select
 * input '<name>': <value>". Variable-sourced selects are not checked (INFERRED), so only a
 * constant one is used. */
static void select_option(hitl_check_ctx *ctx)
{
    prepared p;
    if (start(ctx, &p) == HITL_OK) {
        const hitl_form_input *sel = constant_select(p.run.form);
        if (!sel) {
            hitl_check_skip(ctx, "the form has no select input with constant options");
        } else if (build_valid(ctx, &p) == HITL_OK) {
            hitl_err err = {0};
            char value[64], prefix[256];
            snprintf(value, sizeof value, "%s", BAD_OPTION);
            for (int k = 0; has_item(&sel->options.value, value) && k < 100; k++)
                snprintf(value, sizeof value, "%s-%d", BAD_OPTION, k);
            snprintf(prefix, sizeof prefix, "Invalid value for select input '%s': %s",
                     sel->output_variable_name, value);
            if (built(ctx, hitl_submit_set_string(p.v.sub, sel->output_variable_name, value, &err),
                      &err, "setting an option the select does not offer"))
                expect_rejected(ctx, &p, prefix);
        }
    }
    prepared_free(&p);
}

/* --- G55-G57, G60: file inputs --- */

/* Starts a run and finds the input the check spoils (|pick| over the form); SKIP with
 * |lack| when there is none. 0 with *in set and the valid body built; non-zero otherwise. */
static int prepare_with(hitl_check_ctx *ctx, prepared *p,
                        const hitl_form_input *(*pick)(const hitl_form *), const char *lack,
                        const hitl_form_input **in)
{
    if (start(ctx, p))
        return HITL_E_STATE;
    *in = pick(p->run.form);
    if (!*in) {
        hitl_check_skip(ctx, "%s", lack);
        return HITL_E_UNSUPPORTED;
    }
    return build_valid(ctx, p);
}

static const hitl_form_input *pick_file(const hitl_form *f)
{
    return first_input(f, HITL_INPUT_FILE);
}

static const hitl_form_input *pick_file_list(const hitl_form *f)
{
    return first_input(f, HITL_INPUT_FILE_LIST);
}

/* The first file-list whose number_limits can be exceeded with a short list. */
static const hitl_form_input *pick_limited_list(const hitl_form *f)
{
    for (size_t i = 0; i < f->n_inputs; i++) {
        const hitl_form_input *in = &f->inputs[i];
        if (in->type == HITL_INPUT_FILE_LIST && in->output_variable_name && in->number_limits > 0 &&
            in->number_limits <= FILE_LIMIT_MAX)
            return in;
    }
    return NULL;
}

/* §7.3.5, §7.3.6: "file value not an object → …: expected mapping" (CONFIRMED). */
static void file_not_mapping(hitl_check_ctx *ctx)
{
    prepared p;
    const hitl_form_input *in;
    if (prepare_with(ctx, &p, pick_file, "the form has no file input", &in) == HITL_OK) {
        hitl_err err = {0};
        char prefix[256];
        file_prefix(in, prefix, sizeof prefix);
        strncat(prefix, "expected mapping", sizeof prefix - strlen(prefix) - 1);
        if (built(ctx,
                  hitl_submit_set_raw_json(p.v.sub, in->output_variable_name,
                                           "\"hitlcheck-not-a-mapping\"", &err),
                  &err, "setting a string as the file's value"))
            expect_rejected(ctx, &p, prefix);
    }
    prepared_free(&p);
}

/* §7.3: a file-list value that is not a list. Dify validates it with pydantic's
 * TypeAdapter(Sequence[Mapping[str, Any]]) first (human_input_service.py,
 * _normalize_file_list_value), so the message is "Invalid value for file list input '<name>': "
 * followed by pydantic's text, which varies with the pydantic version: only the prefix is
 * asserted. A single mapping, the likeliest mistake, stands in for the list. */
static void file_list_not_list(hitl_check_ctx *ctx)
{
    prepared p;
    const hitl_form_input *in;
    if (prepare_with(ctx, &p, pick_file_list, "the form has no file-list input", &in) == HITL_OK) {
        hitl_err err = {0};
        char prefix[256];
        hitl_file_ref ref = valid_ref(&p, in);
        if (built(ctx, hitl_submit_set_file(p.v.sub, in->output_variable_name, &ref, &err), &err,
                  "putting one mapping in place of the file list")) {
            file_prefix(in, prefix, sizeof prefix);
            expect_rejected(ctx, &p, prefix);
        }
    }
    prepared_free(&p);
}

/* Puts |ref| as the value of file-kind input |in|: the mapping itself, or a one-item list.
 * False after an ERROR (the builder refused). */
static bool set_file_value(hitl_check_ctx *ctx, prepared *p, const hitl_form_input *in,
                           const hitl_file_ref *ref)
{
    hitl_err err = {0};
    int rc;
    if (in->type == HITL_INPUT_FILE) {
        rc = hitl_submit_set_file(p->v.sub, in->output_variable_name, ref, &err);
    } else {
        rc = hitl_submit_set_raw_json(p->v.sub, in->output_variable_name, "[]", &err);
        if (!rc)
            rc = hitl_submit_add_file_list_item(p->v.sub, in->output_variable_name, ref, &err);
    }
    return built(ctx, rc, &err, "setting the file input's value");
}

/* §7.3.8, §7.3.9: "local_file with a non-uuid id → …: Invalid upload file id format"
 * (CONFIRMED builder). */
static void upload_id_format(hitl_check_ctx *ctx)
{
    prepared p;
    const hitl_form_input *in;
    if (prepare_with(ctx, &p, first_file_kind, "the form has no file or file-list input", &in) ==
        HITL_OK) {
        hitl_file_ref ref = {HITL_TRANSFER_LOCAL_FILE, "hitlcheck-not-a-uuid", NULL,
                             valid_ref(&p, in).type};
        char prefix[256];
        if (set_file_value(ctx, &p, in, &ref)) {
            file_prefix(in, prefix, sizeof prefix);
            strncat(prefix, "Invalid upload file id format", sizeof prefix - strlen(prefix) - 1);
            expect_rejected(ctx, &p, prefix);
        }
    }
    prepared_free(&p);
}

/* §7.3.8, §7.3.9: "a uuid not found in tenant → …: Invalid upload file" (CONFIRMED
 * builder); the whole message is pinned so "…id format" does not pass for it. */
static void upload_id_unknown(hitl_check_ctx *ctx)
{
    prepared p;
    const hitl_form_input *in;
    if (prepare_with(ctx, &p, first_file_kind, "the form has no file or file-list input", &in) ==
        HITL_OK) {
        hitl_file_ref ref = {HITL_TRANSFER_LOCAL_FILE, UNKNOWN_UUID, NULL, valid_ref(&p, in).type};
        char prefix[256];
        if (set_file_value(ctx, &p, in, &ref)) {
            file_prefix(in, prefix, sizeof prefix);
            strncat(prefix, "Invalid upload file", sizeof prefix - strlen(prefix) - 1);
            hitl_http_response resp;
            if (post(ctx, &p, &resp) == HITL_OK &&
                hitl_expect_error_msg(ctx, &resp, 400, "invalid_form_data", prefix))
                expect_message(ctx, &resp, prefix, "§7.3.8, §7.3.9");
            hitl_http_response_free(&resp);
        }
    }
    prepared_free(&p);
}

/* §7.3: "`type` that contradicts the uploaded file (e.g. "type":"image" for a PDF)
 * → 400 Detected file type does not match…" (CONFIRMED: builders.py _resolve_file_type under
 * strict_type_validation, which a Human Input submit always uses). The input's valid file
 * (uploaded, or the fixture's copy inline: a remote_url mapping that names a `type` is held
 * to it too) keeps everything but its `type`, which claims another type than the detected
 * one. The mismatch is raised before the allowed-types check, so the claimed type need not
 * be one the input allows. */
static void file_type_mismatch(hitl_check_ctx *ctx)
{
    prepared p;
    const hitl_form_input *in;
    if (prepare_with(ctx, &p, first_file_kind, "the form has no file or file-list input", &in) ==
        HITL_OK) {
        char prefix[256];
        hitl_file_ref ref = valid_ref(&p, in);
        ref.type = strcmp(ref.type, "image") ? "image" : "document";
        if (set_file_value(ctx, &p, in, &ref)) {
            file_prefix(in, prefix, sizeof prefix);
            strncat(prefix,
                    "Detected file type does not match the specified type. Please verify the "
                    "file.",
                    sizeof prefix - strlen(prefix) - 1);
            expect_rejected(ctx, &p, prefix);
        }
    }
    prepared_free(&p);
}

/* A file input and a file of a type it does not allow, which hitlcheck can send it. */
typedef struct disallowed {
    const hitl_form_input *in;
    hitl_sample sample;
    hitl_transfer_method method;
} disallowed;

/* The first file-kind input with a sample type it does not allow, sent by local_file; with
 * |remote| also by remote_url (the fixture has a PDF and a PNG). False when none. */
static bool find_disallowed(const hitl_form *f, bool remote, disallowed *out)
{
    static const char *const types[] = {"document", "image", "audio", "video"};
    for (size_t i = 0; i < f->n_inputs; i++) {
        const hitl_form_input *in = &f->inputs[i];
        if (!is_file_kind(in) || !in->output_variable_name || in->allowed_file_types.count == 0)
            continue;
        bool local = allows_method(in, "local_file");
        bool by_url = remote && allows_method(in, "remote_url");
        for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
            if (allows_type(in, types[t]))
                continue;
            hitl_chk_sample(types[t], &out->sample);
            if (local || (by_url && out->sample.fixture_file)) {
                out->in = in;
                out->method = local ? HITL_TRANSFER_LOCAL_FILE : HITL_TRANSFER_REMOTE_URL;
                return true;
            }
        }
    }
    return false;
}

/* Why no input of |f| rejects a sample hitlcheck can send: each file input, its types and
 * methods. */
static void skip_all_allowed(hitl_check_ctx *ctx, const hitl_form *f)
{
    char list[1024] = "";
    size_t n = 0;
    for (size_t i = 0; i < f->n_inputs && n < sizeof list; i++) {
        const hitl_form_input *in = &f->inputs[i];
        if (!is_file_kind(in) || !in->output_variable_name)
            continue;
        n += (size_t)snprintf(list + n, sizeof list - n, "%sfile input '%s' takes ", n ? "; " : "",
                              in->output_variable_name);
        for (size_t k = 0; k < in->allowed_file_types.count && n < sizeof list; k++)
            n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", k ? ", " : "",
                                  in->allowed_file_types.items[k]);
        if (n < sizeof list)
            n += (size_t)snprintf(list + n, sizeof list - n, "%s%s",
                                  in->allowed_file_types.count ? "" : "any type",
                                  allows_method(in, "local_file") ? "" : " by remote_url only");
    }
    if (!list[0])
        hitl_check_skip(ctx, "the form has no file or file-list input");
    else
        hitl_check_skip(ctx,
                        "no file input rejects a type hitlcheck can send it (a PDF, PNG, MP3 or "
                        "MP4 by local_file; a PDF or PNG by remote_url): %s",
                        list);
}

/* §7.3: "a file the field's config does not allow → 400 File validation failed for
 * file: …" (CONFIRMED: builders.py build_from_mapping, is_file_valid_with_config). A file of
 * a type the input does not allow, given with its detected type (any other type fails the
 * strict type check first, submit.invalid.file-type-mismatch): a PDF as "document" for an
 * image-only input, a PNG as "image" for a document-only one, an MP3 or MP4. */
static void file_not_allowed(hitl_check_ctx *ctx)
{
    prepared p;
    disallowed d;
    char *owned = NULL;
    if (start(ctx, &p) != HITL_OK) {
        /* ERROR already set */
    } else if (!find_disallowed(p.run.form, false, &d) && !find_disallowed(p.run.form, true, &d)) {
        skip_all_allowed(ctx, p.run.form);
    } else if (build_valid(ctx, &p) == HITL_OK) {
        hitl_file_ref ref = {d.method, NULL, NULL, d.sample.type};
        char url[1024], need[256];
        if (d.method == HITL_TRANSFER_LOCAL_FILE) {
            if (hitl_ctx_surface(ctx) == HITL_SURFACE_WEB && !p.v.upload_token)
                p.v.upload_token = hitl_flow_issue_upload_token(ctx, p.run.form_token);
            if (hitl_ctx_surface(ctx) == HITL_SURFACE_SERVICE || p.v.upload_token)
                owned = hitl_chk_upload_file(ctx, &p.run, p.v.upload_token, &d.sample,
                                             "the file of a type the input does not allow");
            ref.upload_file_id = owned;
        } else {
            snprintf(need, sizeof need,
                     "file input '%s' takes a file of a type it does not allow only by "
                     "remote_url",
                     d.in->output_variable_name);
            if (p.v.fixture_fetched ||
                hitl_chk_require_fixture_fetch_for(ctx, p.run.form_token, p.v.upload_token, need) ==
                    HITL_OK) {
                fixture_url(ctx, "-notallowed", d.sample.fixture_file, url, sizeof url, NULL, 0);
                ref.url = url;
            }
        }
        char prefix[256];
        if ((ref.upload_file_id || ref.url) && set_file_value(ctx, &p, d.in, &ref)) {
            file_prefix(d.in, prefix, sizeof prefix);
            strncat(prefix,
                    "File validation failed for file: ", sizeof prefix - strlen(prefix) - 1);
            expect_rejected(ctx, &p, prefix);
        }
    }
    free(owned);
    prepared_free(&p);
}

/* §7.3.7: "mapping without transfer_method → Invalid value for file input '<name>':
 * transfer_method is required in file mapping" (single file field: a file-list drops such
 * items silently). */
static void no_transfer_method(hitl_check_ctx *ctx)
{
    prepared p;
    const hitl_form_input *in;
    if (prepare_with(ctx, &p, pick_file, "the form has no file input", &in) == HITL_OK) {
        hitl_err err = {0};
        char value[512], prefix[256];
        hitl_file_ref ref = valid_ref(&p, in);
        if (ref.method == HITL_TRANSFER_LOCAL_FILE)
            snprintf(value, sizeof value, "{\"upload_file_id\":\"%s\",\"type\":\"%s\"}",
                     ref.upload_file_id, ref.type);
        else
            snprintf(value, sizeof value, "{\"url\":\"%s\",\"type\":\"%s\"}", ref.url, ref.type);
        if (built(ctx, hitl_submit_set_raw_json(p.v.sub, in->output_variable_name, value, &err),
                  &err, "dropping the mapping's transfer_method")) {
            file_prefix(in, prefix, sizeof prefix);
            strncat(prefix, "transfer_method is required in file mapping",
                    sizeof prefix - strlen(prefix) - 1);
            expect_rejected(ctx, &p, prefix);
        }
    }
    prepared_free(&p);
}

/* §7.3.12: "more files than number_limits → Invalid value for file list input
 * '<name>': Number of files exceeds the maximum limit <n>" (CONFIRMED builder). The items
 * are all valid (the same sample), so the count is the only fault: Dify builds the files
 * before it counts them. */
static void file_limit(hitl_check_ctx *ctx)
{
    prepared p;
    const hitl_form_input *in;
    if (prepare_with(ctx, &p, pick_limited_list,
                     "the form has no file-list input with number_limits between 1 and 50",
                     &in) == HITL_OK) {
        hitl_err err = {0};
        char prefix[256];
        hitl_file_ref ref = valid_ref(&p, in);
        int rc = hitl_submit_set_raw_json(p.v.sub, in->output_variable_name, "[]", &err);
        for (int64_t k = 0; k <= in->number_limits && !rc; k++)
            rc = hitl_submit_add_file_list_item(p.v.sub, in->output_variable_name, &ref, &err);
        if (built(ctx, rc, &err, "listing one file more than number_limits")) {
            file_prefix(in, prefix, sizeof prefix);
            snprintf(prefix + strlen(prefix), sizeof prefix - strlen(prefix),
                     "Number of files exceeds the maximum limit %lld",
                     (long long)in->number_limits);
            expect_rejected(ctx, &p, prefix);
        }
    }
    prepared_free(&p);
}

/* --- inline remote_url (§7.3.14) --- */

/* Starts a run whose form has a file input taking an inline remote PDF and a target that
 * fetches the fixture's files (hitl_chk_require_fixture_fetch); SKIP otherwise. */
static int prepare_remote(hitl_check_ctx *ctx, prepared *p, const hitl_form_input **in)
{
    if (!have_fixture(ctx)) {
        memset(p, 0, sizeof *p);
        hitl_check_skip(ctx, "no fixture server the target can reach (--fixture-url)");
        return HITL_E_UNSUPPORTED;
    }
    int rc = prepare_with(ctx, p, first_remote_input,
                          "the form has no file input that takes a document or an image by "
                          "remote_url",
                          in);
    if (rc || p->v.fixture_fetched)
        return rc;
    /* A refusal (or a 200) means something only when the target can fetch the fixture's
     * files at all: a remote deployment, Docker or an SSRF proxy may block them. */
    return hitl_chk_require_fixture_fetch(ctx, p->run.form_token, p->v.upload_token);
}

/* §7.3: "Inline remote_url at submit time: the builder does a HEAD through the SSRF
 * proxy"; §7.4 example: an inline remote_url document → 200 {}. */
static void inline_remote_ok(hitl_check_ctx *ctx)
{
    prepared p;
    const hitl_form_input *in;
    if (prepare_remote(ctx, &p, &in) == HITL_OK) {
        char url[1024], prefix[256];
        hitl_sample sample;
        remote_sample(in, &sample);
        fixture_url(ctx, "", sample.fixture_file, url, sizeof url, prefix, sizeof prefix);
        hitl_file_ref ref = {HITL_TRANSFER_REMOTE_URL, NULL, url, sample.type};
        hitl_http_response resp = {0};
        if (set_file_value(ctx, &p, in, &ref) && post(ctx, &p, &resp) == HITL_OK &&
            hitl_expect(
                ctx, resp.status == 200,
                "a submission with an inline remote_url the target can fetch → 200 (§7.3, §7.4)",
                "HTTP %ld %.200s", resp.status, hitl_buf_str(&resp.body))) {
            size_t hits = hitl_fixture_hits(hitl_chk_env(ctx)->fixture, prefix);
            hitl_expect(ctx, hits > 0,
                        "the target fetched the inline remote_url (HEAD or GET) while validating "
                        "the submit (§7.3)",
                        "the fixture saw no request for %s", prefix);
        }
        hitl_http_response_free(&resp);
    }
    prepared_free(&p);
}

/* §7.3.14, §7.3.15 and §7.3.14: "any size, type or fetch failure of an inline remote URL
 * rejects the entire submission, and the form stays open for a corrected retry" — a MUST
 * here even where Dify's source (§7.3, G62) accepts a non-200 HEAD. Two failures: the
 * fixture's 404, and a refused connection (on a loopback target the fetch allow-list refuses
 * any loopback port but the fixture's: an SSRF refusal, also a rejection). */
static void inline_remote_unreachable(hitl_check_ctx *ctx)
{
    prepared p;
    const hitl_form_input *in;
    if (prepare_remote(ctx, &p, &in) == HITL_OK) {
        const hitl_run_env *env = hitl_chk_env(ctx);
        char missing[1024], refused[256];
        fixture_url(ctx, "", "missing.pdf", missing, sizeof missing, NULL, 0);
        unsigned port =
            hitl_fixture_port(env->fixture) == REFUSED_PORT ? REFUSED_PORT + 1 : REFUSED_PORT;
        snprintf(refused, sizeof refused, "http://127.0.0.1:%u/n/%s/good.pdf", port,
                 hitl_ctx_id(ctx));
        const struct {
            const char *url, *what;
        } cases[] = {
            {missing, "an inline remote_url answering 404"},
            {refused,
             "an inline remote_url whose host refuses the connection (127.0.0.1, a closed port)"},
        };
        hitl_sample sample;
        remote_sample(in, &sample);
        hitl_file_ref ref = {HITL_TRANSFER_REMOTE_URL, NULL, NULL, sample.type};
        bool open = true;
        for (size_t i = 0; i < sizeof cases / sizeof cases[0] && open; i++) {
            ref.url = cases[i].url;
            hitl_http_response resp = {0};
            if (!set_file_value(ctx, &p, in, &ref) || post(ctx, &p, &resp)) {
                open = false;
            } else {
                char exp[512];
                snprintf(exp, sizeof exp,
                         "%s rejects the whole submission: HTTP 400 invalid_form_data "
                         "(§7.3.14, §7.3.14, §7.3.15)",
                         cases[i].what);
                open = hitl_expect(ctx, resp.status == 400, exp, "HTTP %ld %.200s", resp.status,
                                   hitl_buf_str(&resp.body)) &&
                       hitl_expect_error(ctx, &resp, 400, "invalid_form_data");
                if (resp.status == 200)
                    hitl_check_note(ctx,
                                    "the target accepted %s; Dify's source (§7.3) accepts a "
                                    "non-200 HEAD too, but hitlcheck's contract (normative "
                                    "decision 2, the integration guide) requires rejection",
                                    cases[i].what);
            }
            hitl_http_response_free(&resp);
        }
        if (open) {
            /* The corrected retry: the valid body again (its file for this input restored). */
            hitl_file_ref valid = valid_ref(&p, in);
            char *body = NULL;
            hitl_err err = {0};
            if (set_file_value(ctx, &p, in, &valid)) {
                if (hitl_submit_to_json(p.v.sub, &body, &err))
                    hitl_check_error(ctx, "could not print the submission: %s", err.msg);
                else
                    hitl_flow_expect_still_open(ctx, p.run.form_token, body, "the rejections");
            }
            free(body);
        }
    }
    prepared_free(&p);
}

/* --- the body itself (§7.1) --- */

/* §7.1.1, §7.2.1: "user required (validate_app_token(fetch_from=JSON, required=True))";
 * "Missing user on SVC → 400 invalid_param" (DOCS). */
static void svc_user_required(hitl_check_ctx *ctx)
{
    prepared p;
    if (prepare(ctx, &p) == HITL_OK) {
        hitl_err err = {0};
        hitl_http_response resp = {0};
        if (built(ctx, hitl_submit_set_user(p.v.sub, NULL, &err), &err, "omitting `user`") &&
            post(ctx, &p, &resp) == HITL_OK)
            hitl_expect_error(ctx, &resp, 400, "invalid_param");
        hitl_http_response_free(&resp);
    }
    prepared_free(&p);
}

/* §4.1 order 2 (the same gate for POST, §7.2), §7.1.1, §7.2.1: "SVC submit of a form from another
 * app → 404". The valid submission with another app's API key (--other-api-key) → 404
 * not_found; the form is untouched: the same submission with the run's own key → 200. */
static void svc_other_app(hitl_check_ctx *ctx)
{
    const hitl_run_env *env = hitl_chk_env(ctx);
    if (!env || !env->other_app_key) {
        hitl_check_skip(ctx, "no API key of another app was given (--other-api-key)");
        return;
    }
    prepared p;
    if (prepare(ctx, &p) == HITL_OK) {
        char *body = NULL, auth[1024], path[1024];
        hitl_err err = {0};
        if (hitl_submit_to_json(p.v.sub, &body, &err)) {
            hitl_check_error(ctx, "could not print the submission: %s", err.msg);
        } else {
            snprintf(auth, sizeof auth, "Bearer %s", env->other_app_key);
            hitl_flow_form_path(ctx, path, sizeof path, p.run.form_token, "");
            hitl_call call = {.method = "POST",
                              .surface = HITL_SURFACE_SERVICE,
                              .path = path,
                              .json = body,
                              .authorization = auth};
            hitl_http_response resp;
            if (hitl_flow_call(ctx, &call, &resp) == HITL_OK &&
                hitl_expect_error(ctx, &resp, 404, "not_found")) {
                hitl_flow_expect_still_open(ctx, p.run.form_token, body,
                                            "another app's refused submit");
            }
            hitl_http_response_free(&resp);
        }
        free(body);
    }
    prepared_free(&p);
}

/* §7.1.2 (+ K86/K87): a body that is not JSON, `inputs` that is not an object, and a
 * missing `action` → 400 with the §1.3 error body (the code, invalid_param, is INFERRED and
 * not asserted). Each body is otherwise the valid submission. */
static void invalid_body(hitl_check_ctx *ctx)
{
    prepared p;
    if (prepare(ctx, &p) == HITL_OK) {
        hitl_err err = {0};
        char *no_action = NULL, *bad_inputs = NULL;
        int rc = hitl_submit_set_action(p.v.sub, NULL, &err);
        if (!rc)
            rc = hitl_submit_to_json(p.v.sub, &no_action, &err);
        if (!rc)
            rc = hitl_submit_set_action(p.v.sub, p.run.form->actions[0].id, &err);
        if (!rc)
            rc = hitl_submit_set_field_raw(p.v.sub, "inputs", "\"hitlcheck-not-an-object\"", &err);
        if (!rc)
            rc = hitl_submit_to_json(p.v.sub, &bad_inputs, &err);
        built(ctx, rc, &err, "building the malformed bodies");
        const struct {
            const char *body, *what;
        } cases[] = {
            {"{\"inputs\": {\"hitlcheck\": ", "a submit body that is not JSON (truncated)"},
            {bad_inputs, "a submit body whose `inputs` is a string"},
            {no_action, "a submit body without `action`"},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0] && !hitl_check_done(ctx); i++) {
            hitl_http_response resp;
            if (hitl_flow_submit(ctx, p.run.form_token, cases[i].body, &resp) == HITL_OK)
                hitl_chk_expect_error_shape(ctx, &resp, 400, cases[i].what);
            hitl_http_response_free(&resp);
        }
        free(no_action);
        free(bad_inputs);
    }
    prepared_free(&p);
}

/* §7.1.3: WEB "no user; submission_end_user_id = None" — a `user` sent anyway is an
 * unknown field and ignored (pydantic default, INFERRED). */
static void web_user_ignored(hitl_check_ctx *ctx)
{
    prepared p;
    if (prepare(ctx, &p) == HITL_OK) {
        hitl_err err = {0};
        hitl_http_response resp = {0};
        if (built(ctx, hitl_submit_set_user(p.v.sub, "hitlcheck-someone-else", &err), &err,
                  "adding `user`") &&
            post(ctx, &p, &resp) == HITL_OK)
            hitl_expect(ctx, resp.status == 200,
                        "a WEB submit with a `user` field is accepted, the field ignored → 200 "
                        "(§7.1.3)",
                        "HTTP %ld %.200s", resp.status, hitl_buf_str(&resp.body));
        hitl_http_response_free(&resp);
    }
    prepared_free(&p);
}

/* --- file ownership (§7.3.17) --- */

/* Whose file a file-ownership check submits. */
typedef enum owner_case {
    OWNER_OTHER_FORM, /* uploaded with an upload token of another form (a second run's) */
    OWNER_OTHER_USER, /* uploaded through the Service API by another end user */
    OWNER_OTHER_APP   /* uploaded through the Service API with another app's key */
} owner_case;

/* The first file-kind input that takes local_file uploads, or NULL. */
static const hitl_form_input *first_local_input(const hitl_form *f)
{
    for (size_t i = 0; i < f->n_inputs; i++)
        if (is_file_kind(&f->inputs[i]) && f->inputs[i].output_variable_name &&
            allows_method(&f->inputs[i], "local_file"))
            return &f->inputs[i];
    return NULL;
}

/* The id of the file uploaded from the response |resp| of the setup step |what|, malloc'd;
 * NULL after an ERROR naming the answer. */
static char *foreign_id(hitl_check_ctx *ctx, const hitl_http_response *resp, const char *what)
{
    char *id = hitl_flow_upload_id(resp, NULL);
    if (!id)
        hitl_check_error(ctx, "precondition: %s answered HTTP %ld, not 201 with an id: %.200s",
                         what, resp->status, hitl_buf_str(&resp->body));
    return id;
}

/* Uploads |sample| so that it belongs to someone else than the submit of |p| (|which|):
 * the file's id (malloc'd), or NULL after a SKIP or an ERROR. |what| gets the file's
 * description for the messages. */
static char *upload_foreign(hitl_check_ctx *ctx, const prepared *p, owner_case which,
                            const hitl_sample *sample, char *what, size_t cap)
{
    hitl_http_response resp = {0};
    char *id = NULL;
    if (which == OWNER_OTHER_FORM) {
        /* A second run of the same app and user: its form, its upload token (WEB routes,
         * whatever the surface of the submit). */
        snprintf(what, cap,
                 "a file uploaded for another form (with an upload token of a "
                 "second run's form)");
        hitl_run other;
        char *token = NULL;
        if (hitl_flow_start_as(ctx, p->run.api_key, &other) == HITL_OK &&
            (token = hitl_flow_issue_upload_token(ctx, other.form_token)) &&
            hitl_flow_upload_local(ctx, token, NULL, sample->filename, sample->mime, sample->data,
                                   sample->len, &resp) == HITL_OK)
            id = foreign_id(ctx, &resp, "uploading the file for the second run's form");
        free(token);
        hitl_run_free(&other);
    } else if (which == OWNER_OTHER_USER) {
        char user[300];
        snprintf(user, sizeof user, "%.200s-hitlcheck-other", p->run.user);
        snprintf(what, cap,
                 "a file another end user uploaded (a Service API upload whose "
                 "`user` is not the submit's)");
        if (hitl_flow_upload_svc_as(ctx, p->run.api_key, user, sample->filename, sample->mime,
                                    sample->data, sample->len, &resp) == HITL_OK)
            id = foreign_id(ctx, &resp, "uploading the file as another user");
    } else {
        const char *other = hitl_chk_env(ctx)->other_app_key;
        if (!other) {
            hitl_check_skip(ctx, "no API key of another app on the target was given "
                                 "(--other-api-key)");
            return NULL;
        }
        snprintf(what, cap,
                 "a file uploaded through another app (the Service API upload with "
                 "--other-api-key, same `user`)");
        if (hitl_flow_upload_svc_as(ctx, other, p->run.user, sample->filename, sample->mime,
                                    sample->data, sample->len, &resp) == HITL_OK)
            id = foreign_id(ctx, &resp, "uploading the file through the other app");
    }
    hitl_http_response_free(&resp);
    return id;
}

/* §7.3.17 (SHOULD, security): "A local_file is accepted only in a submit of the form it was
 * uploaded for (WEB), or by the user that uploaded it (SVC) … Accepting a file of another
 * form or app is reported as a SECURITY warning." The valid submission, with the file of
 * its first local_file input replaced by the same sample uploaded for someone else
 * (|which|); everything else about the file is right, so ownership is the only fault. What
 * the target did is always noted. Genuine Dify looks the id up in the form's workspace only
 * (api/core/app/file_access/controller.py@477f811e974a02b708a0dbe36a004ff7253c1972: no
 * access scope is bound on the submit paths) and accepts all three: recorded deviations
 * file-owner.*. */
static void file_owner(hitl_check_ctx *ctx, owner_case which)
{
    prepared p;
    const hitl_form_input *in;
    char *id = NULL, what[256];
    if (prepare_with(ctx, &p, first_local_input,
                     "the form has no file or file-list input that takes local_file uploads",
                     &in) != HITL_OK)
        goto out;
    const hitl_valid_input *vi = hitl_chk_valid_files(&p.v, in);
    if (!vi || !vi->n_refs || vi->refs[0].method != HITL_TRANSFER_LOCAL_FILE) {
        hitl_check_error(ctx,
                         "precondition: the valid submission sent input '%s' no uploaded "
                         "file",
                         in->output_variable_name);
        goto out;
    }
    if (!(id = upload_foreign(ctx, &p, which, &vi->sample, what, sizeof what)))
        goto out;
    hitl_file_ref ref = vi->refs[0];
    ref.upload_file_id = id;
    hitl_http_response resp = {0};
    if (set_file_value(ctx, &p, in, &ref) && post(ctx, &p, &resp) == HITL_OK) {
        bool accepted = resp.status >= 200 && resp.status < 300;
        cJSON *root = hitl_chk_body_json(&resp);
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(root, "code");
        hitl_check_note(ctx, "the target %s %s in input '%s': HTTP %ld%s%s",
                        accepted ? "ACCEPTED" : "refused", what, in->output_variable_name,
                        resp.status, cJSON_IsString(code) ? " " : "",
                        cJSON_IsString(code) ? code->valuestring : "");
        cJSON_Delete(root);
        char exp[512];
        snprintf(exp, sizeof exp,
                 "a submit naming %s as upload_file_id is refused with a 4xx, not accepted "
                 "(§7.3.17, SECURITY)",
                 what);
        if (hitl_expect(ctx, resp.status >= 400 && resp.status < 500, exp, "HTTP %ld%s: %.200s",
                        resp.status,
                        accepted ? " (the file was accepted: the form took another's file)" : "",
                        hitl_buf_str(&resp.body)))
            hitl_chk_expect_error_shape(ctx, &resp, 0, "the refused submit");
    }
    hitl_http_response_free(&resp);
out:
    free(id);
    prepared_free(&p);
}

static void file_owner_other_form(hitl_check_ctx *ctx)
{
    file_owner(ctx, OWNER_OTHER_FORM);
}

static void file_owner_other_user(hitl_check_ctx *ctx)
{
    file_owner(ctx, OWNER_OTHER_USER);
}

static void file_owner_other_app(hitl_check_ctx *ctx)
{
    file_owner(ctx, OWNER_OTHER_APP);
}

static const hitl_check_impl CHECKS[] = {
    {"submit.valid.ok", valid_ok},
    {"submit.after.double-submit", double_submit},
    {"submit.invalid.action", invalid_action},
    {"submit.invalid.missing-one", missing_one},
    {"submit.invalid.missing-two", missing_two},
    {"submit.invalid.stays-open", stays_open},
    {"submit.invalid.select-type", select_type},
    {"submit.invalid.select-option", select_option},
    {"submit.invalid.file-not-mapping", file_not_mapping},
    {"submit.invalid.file-list-not-list", file_list_not_list},
    {"submit.invalid.upload-id-format", upload_id_format},
    {"submit.invalid.file-type-mismatch", file_type_mismatch},
    {"submit.invalid.file-not-allowed", file_not_allowed},
    {"submit.invalid.upload-id-unknown", upload_id_unknown},
    {"submit.invalid.no-transfer-method", no_transfer_method},
    {"submit.invalid.file-limit", file_limit},
    {"submit.inline-remote.ok", inline_remote_ok},
    {"submit.inline-remote.unreachable", inline_remote_unreachable},
    {"submit.svc.user-required", svc_user_required},
    {"submit.svc.other-app", svc_other_app},
    {"submit.invalid.body", invalid_body},
    {"submit.web.user-ignored", web_user_ignored},
    {"submit.file-owner.other-form", file_owner_other_form},
    {"submit.file-owner.other-user", file_owner_other_user},
    {"submit.file-owner.other-app", file_owner_other_app},
};

HITL_CHECK_TABLE(submit, CHECKS)
