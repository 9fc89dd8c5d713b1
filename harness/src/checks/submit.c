/* submit.c: checks of the submit step (§7; §13 G). Each check starts its own run (forms
 * are one-shot), builds a submission the form accepts (hitl/submit.h), spoils one thing
 * in it and asserts the exact §7.3 answer. A check whose spoiled input kind the form lacks
 * is SKIP (normative decision 4). */
#include "common.h"

#include "hitl/fixture.h"
#include "hitl/submit.h"

#define TEXT_VALUE "hitlcheck conformance"
#define BAD_ACTION "hitlcheck_no_action"
#define BAD_OPTION "hitlcheck-not-an-option"
/* A well-formed UUID (version 4) that no target has issued. */
#define UNKNOWN_UUID "6f1d2c3b-4a59-4e68-9d7c-0b1a2f3e4d5c"
#define FILE_LIMIT_MAX 50 /* number_limits above this: the over-limit list is not worth sending */
#define REFUSED_PORT 1    /* tcpmux: nothing listens there on a normal host */

/* A run paused at its form, and a valid submission for that form to spoil. */
typedef struct prepared {
    hitl_run run;
    hitl_submit *sub;
    hitl_file_ref *refs; /* per form input: the file a file/file-list input got (method 0: none) */
    char **owned;        /* per form input: the string refs[i] points at (id or URL) */
    char *upload_token;  /* WEB: the one upload token the check's uploads use */
} prepared;

static void prepared_free(prepared *p)
{
    if (p->owned)
        for (size_t i = 0; i < p->run.form->n_inputs; i++)
            free(p->owned[i]);
    free(p->owned);
    free(p->refs);
    free(p->upload_token);
    hitl_submit_free(p->sub);
    hitl_run_free(&p->run);
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
    return in->allowed_file_upload_methods.count == 0 ||
           has_item(&in->allowed_file_upload_methods, method);
}

static bool allows_type(const hitl_form_input *in, const char *type)
{
    return in->allowed_file_types.count == 0 || has_item(&in->allowed_file_types, type);
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

/* The first file-kind input that takes a PDF sent inline as remote_url, or NULL. */
static const hitl_form_input *first_remote_input(const hitl_form *f)
{
    for (size_t i = 0; i < f->n_inputs; i++) {
        const hitl_form_input *in = &f->inputs[i];
        if (is_file_kind(in) && in->output_variable_name && allows_method(in, "remote_url") &&
            allows_type(in, "document"))
            return in;
    }
    return NULL;
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

/* Issues the check's WEB upload token once (patient with the rate limiter). 0, or non-zero
 * after an ERROR. */
static int upload_token(hitl_check_ctx *ctx, prepared *p)
{
    if (p->upload_token)
        return HITL_OK;
    char path[1024];
    snprintf(path, sizeof path, "/form/human_input/%s/upload-token", p->run.form_token);
    hitl_call call = {.method = "POST", .surface = HITL_SURFACE_WEB, .path = path};
    hitl_http_response resp;
    int rc = hitl_chk_call_patient(ctx, &call, &resp);
    if (!rc) {
        cJSON *root = hitl_chk_body_json(&resp);
        const cJSON *tok = cJSON_GetObjectItemCaseSensitive(root, "upload_token");
        if (resp.status == 200 && cJSON_IsString(tok)) {
            p->upload_token = strdup(tok->valuestring);
            hitl_ctx_secret(ctx, tok->valuestring, "upload-token");
        }
        if (!p->upload_token) {
            hitl_check_error(ctx,
                             "precondition: issuing an upload token answered HTTP %ld, not 200 "
                             "with an upload_token",
                             resp.status);
            rc = HITL_E_STATE;
        }
        cJSON_Delete(root);
    }
    hitl_http_response_free(&resp);
    return rc;
}

/* Uploads a sample (PDF, or PNG when |png|) for the check's surface; the id, or NULL after
 * an ERROR. */
static char *upload(hitl_check_ctx *ctx, prepared *p, bool png)
{
    bool web = hitl_ctx_surface(ctx) == HITL_SURFACE_WEB;
    if (web && upload_token(ctx, p))
        return NULL;
    size_t len;
    const char *data = png ? hitl_flow_sample_png(&len) : hitl_flow_sample_pdf(&len);
    hitl_http_response resp;
    char *id = NULL;
    if (hitl_flow_upload_local(
            ctx, web ? p->upload_token : NULL, NULL, png ? "hitlcheck.png" : "hitlcheck.pdf",
            png ? "image/png" : "application/pdf", data, len, &resp) == HITL_OK) {
        id = hitl_flow_upload_id(&resp);
        if (!id)
            hitl_check_error(ctx,
                             "precondition: uploading a sample %s answered HTTP %ld, not 201 "
                             "with an id",
                             png ? "PNG" : "PDF", resp.status);
    }
    hitl_http_response_free(&resp);
    return id;
}

/* Prepares the file reference input |i| gets in the valid submission: a sample the input's
 * allowed types take (PDF as document, else PNG as image), uploaded when local_file is
 * allowed, else the fixture's copy sent inline. 0; non-zero after a SKIP or ERROR. */
static int prepare_file(hitl_check_ctx *ctx, prepared *p, size_t i)
{
    const hitl_form_input *in = &p->run.form->inputs[i];
    bool png;
    if (allows_type(in, "document"))
        png = false;
    else if (allows_type(in, "image"))
        png = true;
    else {
        hitl_check_skip(ctx,
                        "file input '%s' takes none of the types hitlcheck has a sample of "
                        "(document, image)",
                        in->output_variable_name);
        return HITL_E_UNSUPPORTED;
    }
    hitl_file_ref *r = &p->refs[i];
    r->type = png ? "image" : "document";
    if (allows_method(in, "local_file")) {
        r->method = HITL_TRANSFER_LOCAL_FILE;
        p->owned[i] = upload(ctx, p, png);
        r->upload_file_id = p->owned[i];
        return p->owned[i] ? HITL_OK : HITL_E_STATE;
    }
    if (allows_method(in, "remote_url") && have_fixture(ctx)) {
        char url[1024];
        fixture_url(ctx, "-base", png ? "good.png" : "good.pdf", url, sizeof url, NULL, 0);
        r->method = HITL_TRANSFER_REMOTE_URL;
        p->owned[i] = strdup(url);
        r->url = p->owned[i];
        return p->owned[i] ? HITL_OK : HITL_E_NOMEM;
    }
    hitl_check_skip(ctx,
                    "file input '%s' allows neither local_file nor (without a fixture server) "
                    "remote_url",
                    in->output_variable_name);
    return HITL_E_UNSUPPORTED;
}

/* Starts the run. 0; non-zero after an ERROR (the check just frees and returns). */
static int start(hitl_check_ctx *ctx, prepared *p)
{
    memset(p, 0, sizeof *p);
    if (hitl_flow_start(ctx, &p->run))
        return HITL_E_STATE;
    size_t n = p->run.form->n_inputs;
    p->refs = calloc(n ? n : 1, sizeof *p->refs);
    p->owned = calloc(n ? n : 1, sizeof *p->owned);
    if (!p->refs || !p->owned) {
        hitl_check_error(ctx, "out of memory");
        return HITL_E_NOMEM;
    }
    return HITL_OK;
}

/* Builds the valid submission for the started run: every input filled (§7.3), the form's
 * first action, and on SVC the run's user (§7.1). 0; non-zero after a SKIP or ERROR. */
static int build_valid(hitl_check_ctx *ctx, prepared *p)
{
    const hitl_form *f = p->run.form;
    hitl_err err = {0};
    int rc = hitl_submit_new(&p->sub, 0, &err);
    for (size_t i = 0; i < f->n_inputs && !rc; i++) {
        const hitl_form_input *in = &f->inputs[i];
        if (!in->output_variable_name)
            continue;
        if (in->type == HITL_INPUT_SELECT) {
            if (in->options.value.count == 0) {
                hitl_check_skip(ctx,
                                "select input '%s' offers no options, so no valid value exists",
                                in->output_variable_name);
                return HITL_E_UNSUPPORTED;
            }
            rc = hitl_submit_set_string(p->sub, in->output_variable_name,
                                        in->options.value.items[0], &err);
        } else if (is_file_kind(in)) {
            if ((rc = prepare_file(ctx, p, i)))
                return rc;
            if (in->type == HITL_INPUT_FILE)
                rc = hitl_submit_set_file(p->sub, in->output_variable_name, &p->refs[i], &err);
            else
                rc = hitl_submit_add_file_list_item(p->sub, in->output_variable_name, &p->refs[i],
                                                    &err);
        } else {
            rc = hitl_submit_set_string(p->sub, in->output_variable_name, TEXT_VALUE, &err);
        }
    }
    if (!rc && (f->n_actions == 0 || !f->actions[0].id)) {
        hitl_check_error(ctx, "precondition: the form has no usable action to submit");
        return HITL_E_STATE;
    }
    if (!rc)
        rc = hitl_submit_set_action(p->sub, f->actions[0].id, &err);
    if (!rc && hitl_ctx_surface(ctx) == HITL_SURFACE_SERVICE)
        rc = hitl_submit_set_user(p->sub, p->run.user, &err);
    if (rc)
        hitl_check_error(ctx, "precondition: could not build a valid submission: %s", err.msg);
    return rc;
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
    if (hitl_submit_to_json(p->sub, &body, &err)) {
        hitl_check_error(ctx, "could not print the submission: %s", err.msg);
        return HITL_E_STATE;
    }
    int rc = hitl_chk_submit(ctx, p->run.form_token, body, resp);
    free(body);
    return rc;
}

/* Submits the valid body as a precondition of a later step: 0 after a 200, else ERROR. */
static int post_valid_precondition(hitl_check_ctx *ctx, prepared *p)
{
    hitl_http_response resp;
    int rc = post(ctx, p, &resp);
    if (!rc && resp.status != 200) {
        hitl_check_error(ctx,
                         "precondition: the valid submission answered HTTP %ld, not 200: %.200s",
                         resp.status, hitl_buf_str(&resp.body));
        rc = HITL_E_STATE;
    }
    hitl_http_response_free(&resp);
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

/* §7.4, §13 G49: "200 body is exactly {}" (CONFIRMED both surfaces). */
static void valid_ok(hitl_check_ctx *ctx)
{
    prepared p;
    if (prepare(ctx, &p) == HITL_OK) {
        hitl_http_response resp;
        if (post(ctx, &p, &resp) == HITL_OK && hitl_expect_status(ctx, &resp, 200))
            hitl_expect(ctx, body_is_empty_object(&resp),
                        "the 200 body is exactly {} (§7.4, §13 G49)", "body %.200s",
                        hitl_buf_str(&resp.body));
        hitl_http_response_free(&resp);
    }
    prepared_free(&p);
}

/* §7.4, §13 G50: "second submit with same token → 412 human_input_form_submitted". */
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

/* §7.4, §13 G53: "a rejected submit (400) leaves the form unchanged; resubmit with the
 * same token works" (CONFIRMED: validation precedes mark_submitted). */
static void stays_open(hitl_check_ctx *ctx)
{
    prepared p;
    if (prepare(ctx, &p) == HITL_OK) {
        char bad[64];
        hitl_err err = {0};
        unknown_action(p.run.form, bad, sizeof bad);
        hitl_submit_set_action(p.sub, bad, &err);
        hitl_http_response resp;
        if (post(ctx, &p, &resp) == HITL_OK &&
            hitl_expect_error(ctx, &resp, 400, "invalid_form_data")) {
            hitl_http_response_free(&resp);
            hitl_submit_set_action(p.sub, p.run.form->actions[0].id, &err);
            if (post(ctx, &p, &resp) == HITL_OK)
                hitl_expect(ctx, resp.status == 200,
                            "after a rejected submit the corrected one with the same token → 200 "
                            "(§7.4, §13 G53)",
                            "HTTP %ld %.200s", resp.status, hitl_buf_str(&resp.body));
        }
        hitl_http_response_free(&resp);
    }
    prepared_free(&p);
}

/* --- G51, G52 --- */

/* §7.3, §13 G51: "action not among the form's action ids → Invalid action: <action>". */
static void invalid_action(hitl_check_ctx *ctx)
{
    prepared p;
    if (prepare(ctx, &p) == HITL_OK) {
        char bad[64], prefix[128];
        hitl_err err = {0};
        unknown_action(p.run.form, bad, sizeof bad);
        hitl_submit_set_action(p.sub, bad, &err);
        snprintf(prefix, sizeof prefix, "Invalid action: %s", bad);
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

/* §7.3, §13 G52: "any input's output_variable_name key absent from inputs →
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
            for (size_t i = 0; i < want; i++)
                hitl_submit_omit(p.sub, omit[i]->output_variable_name, &err);
            snprintf(message, sizeof message, "Missing required inputs: %s%s%s",
                     omit[0]->output_variable_name, want == 2 ? ", " : "",
                     want == 2 ? omit[1]->output_variable_name : "");
            hitl_http_response resp;
            if (post(ctx, &p, &resp) == HITL_OK &&
                hitl_expect_error_msg(ctx, &resp, 400, "invalid_form_data",
                                      "Missing required inputs: "))
                expect_message(ctx, &resp, message, "§7.3, §13 G52");
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

/* §7.3, §13 G54: "select value not a string → Invalid value for select input '<name>':
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
            hitl_submit_set_raw_json(p.sub, sel->output_variable_name, "42", &err);
            snprintf(prefix, sizeof prefix, "Invalid value for select input '%s': expected string",
                     sel->output_variable_name);
            expect_rejected(ctx, &p, prefix);
        }
    }
    prepared_free(&p);
}

/* §7.3, §13 G54: "constant-sourced select value not in options → Invalid value for select
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
            hitl_submit_set_string(p.sub, sel->output_variable_name, value, &err);
            snprintf(prefix, sizeof prefix, "Invalid value for select input '%s': %s",
                     sel->output_variable_name, value);
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

/* §7.3, §13 G55: "file value not an object → …: expected mapping" (CONFIRMED). */
static void file_not_mapping(hitl_check_ctx *ctx)
{
    prepared p;
    const hitl_form_input *in;
    if (prepare_with(ctx, &p, pick_file, "the form has no file input", &in) == HITL_OK) {
        hitl_err err = {0};
        char prefix[256];
        hitl_submit_set_raw_json(p.sub, in->output_variable_name, "\"hitlcheck-not-a-mapping\"",
                                 &err);
        file_prefix(in, prefix, sizeof prefix);
        strncat(prefix, "expected mapping", sizeof prefix - strlen(prefix) - 1);
        expect_rejected(ctx, &p, prefix);
    }
    prepared_free(&p);
}

/* §7.3, §13 G55: "file-list value not a list → …: expected list" (CONFIRMED). A single
 * mapping, the likeliest mistake, stands in for the list. */
static void file_list_not_list(hitl_check_ctx *ctx)
{
    prepared p;
    const hitl_form_input *in;
    if (prepare_with(ctx, &p, pick_file_list, "the form has no file-list input", &in) == HITL_OK) {
        hitl_err err = {0};
        char prefix[256];
        const hitl_file_ref *ref = &p.refs[in - p.run.form->inputs];
        hitl_submit_set_file(p.sub, in->output_variable_name, ref, &err);
        file_prefix(in, prefix, sizeof prefix);
        strncat(prefix, "expected list", sizeof prefix - strlen(prefix) - 1);
        hitl_http_response resp;
        if (post(ctx, &p, &resp) == HITL_OK &&
            hitl_expect_error_msg(ctx, &resp, 400, "invalid_form_data", prefix))
            expect_message(ctx, &resp, prefix, "§7.3, §13 G55");
        hitl_http_response_free(&resp);
    }
    prepared_free(&p);
}

/* Puts |ref| as the value of file-kind input |in|: the mapping itself, or a one-item list. */
static void set_file_value(prepared *p, const hitl_form_input *in, const hitl_file_ref *ref)
{
    hitl_err err = {0};
    if (in->type == HITL_INPUT_FILE) {
        hitl_submit_set_file(p->sub, in->output_variable_name, ref, &err);
    } else {
        hitl_submit_set_raw_json(p->sub, in->output_variable_name, "[]", &err);
        hitl_submit_add_file_list_item(p->sub, in->output_variable_name, ref, &err);
    }
}

/* §7.3, §13 G56: "local_file with a non-uuid id → …: Invalid upload file id format"
 * (CONFIRMED builder). */
static void upload_id_format(hitl_check_ctx *ctx)
{
    prepared p;
    const hitl_form_input *in;
    if (prepare_with(ctx, &p, first_file_kind, "the form has no file or file-list input", &in) ==
        HITL_OK) {
        hitl_file_ref ref = {HITL_TRANSFER_LOCAL_FILE, "hitlcheck-not-a-uuid", NULL, "document"};
        char prefix[256];
        set_file_value(&p, in, &ref);
        file_prefix(in, prefix, sizeof prefix);
        strncat(prefix, "Invalid upload file id format", sizeof prefix - strlen(prefix) - 1);
        expect_rejected(ctx, &p, prefix);
    }
    prepared_free(&p);
}

/* §7.3, §13 G56: "a uuid not found in tenant → …: Invalid upload file" (CONFIRMED
 * builder); the whole message is pinned so "…id format" does not pass for it. */
static void upload_id_unknown(hitl_check_ctx *ctx)
{
    prepared p;
    const hitl_form_input *in;
    if (prepare_with(ctx, &p, first_file_kind, "the form has no file or file-list input", &in) ==
        HITL_OK) {
        hitl_file_ref ref = {HITL_TRANSFER_LOCAL_FILE, UNKNOWN_UUID, NULL, "document"};
        char prefix[256];
        set_file_value(&p, in, &ref);
        file_prefix(in, prefix, sizeof prefix);
        strncat(prefix, "Invalid upload file", sizeof prefix - strlen(prefix) - 1);
        hitl_http_response resp;
        if (post(ctx, &p, &resp) == HITL_OK &&
            hitl_expect_error_msg(ctx, &resp, 400, "invalid_form_data", prefix))
            expect_message(ctx, &resp, prefix, "§7.3, §13 G56");
        hitl_http_response_free(&resp);
    }
    prepared_free(&p);
}

/* The valid local upload of file-kind input |in| as a mapping to spoil, in *|ref|; false
 * after a SKIP (the input's valid value is not a local upload). */
static bool local_ref(hitl_check_ctx *ctx, const prepared *p, const hitl_form_input *in,
                      hitl_file_ref *ref)
{
    *ref = p->refs[in - p->run.form->inputs];
    if (ref->method != HITL_TRANSFER_LOCAL_FILE) {
        hitl_check_skip(ctx, "file input '%s' does not take a local upload (local_file), the "
                             "file whose detected type the check needs",
                        in->output_variable_name);
        return false;
    }
    return true;
}

/* §7.3, §13 G58: "`type` that contradicts the uploaded file (e.g. "type":"image" for a PDF)
 * → 400 Detected file type does not match…" (CONFIRMED). The sample's detected type is
 * "document" (PDF) or "image" (PNG); the mapping claims the other. */
static void file_type_mismatch(hitl_check_ctx *ctx)
{
    prepared p;
    const hitl_form_input *in;
    hitl_file_ref ref;
    if (prepare_with(ctx, &p, first_file_kind, "the form has no file or file-list input", &in) ==
            HITL_OK &&
        local_ref(ctx, &p, in, &ref)) {
        char prefix[256];
        ref.type = strcmp(ref.type, "image") ? "image" : "document";
        set_file_value(&p, in, &ref);
        file_prefix(in, prefix, sizeof prefix);
        strncat(prefix, "Detected file type does not match the specified type",
                sizeof prefix - strlen(prefix) - 1);
        expect_rejected(ctx, &p, prefix);
    }
    prepared_free(&p);
}

static bool strlist_has_ext(const hitl_strlist *l, const char *ext)
{
    for (size_t i = 0; i < l->count; i++) {
        const char *v = l->items[i][0] == '.' ? l->items[i] + 1 : l->items[i];
        if (!strcasecmp(v, ext))
            return true;
    }
    return false;
}

/* §7.3, §13 G59: "Extension/type not allowed by the field config … → 400 File validation
 * failed for file: …" (CONFIRMED validation logic). The mapping claims `"type":"custom"`,
 * which the field takes only for an extension in allowed_file_extensions: the sample's
 * extension (pdf/png) must not be there. A field without the key (None) takes any custom
 * file; hitlcheck cannot tell it from [] and the check would then see a 200. */
static void file_not_allowed(hitl_check_ctx *ctx)
{
    prepared p;
    const hitl_form_input *in;
    hitl_file_ref ref;
    if (prepare_with(ctx, &p, first_file_kind, "the form has no file or file-list input", &in) ==
            HITL_OK &&
        local_ref(ctx, &p, in, &ref)) {
        const char *ext = strcmp(ref.type, "image") ? "pdf" : "png";
        if (strlist_has_ext(&in->allowed_file_extensions, ext) ||
            allows_type(in, "custom")) {
            hitl_check_skip(ctx,
                            "file input '%s' allows the extension .%s or the type custom: "
                            "no disallowed upload to send",
                            in->output_variable_name, ext);
        } else {
            char prefix[256];
            ref.type = "custom";
            set_file_value(&p, in, &ref);
            file_prefix(in, prefix, sizeof prefix);
            strncat(prefix, "File validation failed for file: ",
                    sizeof prefix - strlen(prefix) - 1);
            expect_rejected(ctx, &p, prefix);
        }
    }
    prepared_free(&p);
}

/* §7.3, §13 G57: "mapping without transfer_method → Invalid value for file input '<name>':
 * transfer_method is required in file mapping" (single file field: a file-list drops such
 * items silently). */
static void no_transfer_method(hitl_check_ctx *ctx)
{
    prepared p;
    const hitl_form_input *in;
    if (prepare_with(ctx, &p, pick_file, "the form has no file input", &in) == HITL_OK) {
        hitl_err err = {0};
        char value[256], prefix[256];
        const hitl_file_ref *ref = &p.refs[in - p.run.form->inputs];
        snprintf(value, sizeof value, "{\"upload_file_id\":\"%s\",\"type\":\"%s\"}",
                 ref->method == HITL_TRANSFER_LOCAL_FILE ? ref->upload_file_id : UNKNOWN_UUID,
                 ref->type);
        hitl_submit_set_raw_json(p.sub, in->output_variable_name, value, &err);
        file_prefix(in, prefix, sizeof prefix);
        strncat(prefix, "transfer_method is required in file mapping",
                sizeof prefix - strlen(prefix) - 1);
        expect_rejected(ctx, &p, prefix);
    }
    prepared_free(&p);
}

/* §7.3, §13 G60: "more files than number_limits → Invalid value for file list input
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
        const hitl_file_ref *ref = &p.refs[in - p.run.form->inputs];
        hitl_submit_set_raw_json(p.sub, in->output_variable_name, "[]", &err);
        for (int64_t k = 0; k <= in->number_limits; k++)
            hitl_submit_add_file_list_item(p.sub, in->output_variable_name, ref, &err);
        file_prefix(in, prefix, sizeof prefix);
        snprintf(prefix + strlen(prefix), sizeof prefix - strlen(prefix),
                 "Number of files exceeds the maximum limit %lld", (long long)in->number_limits);
        expect_rejected(ctx, &p, prefix);
    }
    prepared_free(&p);
}

/* --- inline remote_url (§7.3, normative decision 2) --- */

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
                          "the form has no file input that takes a document by remote_url", in);
    if (rc)
        return rc;
    /* A refusal (or a 200) means something only when the target can fetch the fixture's
     * files at all: a remote deployment, Docker or an SSRF proxy may block them. */
    if (!p->upload_token && upload_token(ctx, p))
        return HITL_E_STATE;
    return hitl_chk_require_fixture_fetch(ctx, p->run.form_token, p->upload_token);
}

/* §7.3: "Inline remote_url at submit time: the builder does a HEAD through the SSRF
 * proxy"; §7.4 example: an inline remote_url document → 200 {}. */
static void inline_remote_ok(hitl_check_ctx *ctx)
{
    prepared p;
    const hitl_form_input *in;
    if (prepare_remote(ctx, &p, &in) == HITL_OK) {
        char url[1024], prefix[256];
        fixture_url(ctx, "", "good.pdf", url, sizeof url, prefix, sizeof prefix);
        hitl_file_ref ref = {HITL_TRANSFER_REMOTE_URL, NULL, url, "document"};
        set_file_value(&p, in, &ref);
        hitl_http_response resp;
        if (post(ctx, &p, &resp) == HITL_OK &&
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

/* §13 G61 and normative decision 2: "any size, type or fetch failure of an inline remote URL
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
        hitl_file_ref ref = {HITL_TRANSFER_REMOTE_URL, NULL, NULL, "document"};
        bool open = true;
        for (size_t i = 0; i < sizeof cases / sizeof cases[0] && open; i++) {
            ref.url = cases[i].url;
            set_file_value(&p, in, &ref);
            hitl_http_response resp;
            if (post(ctx, &p, &resp)) {
                open = false;
            } else {
                char exp[512];
                snprintf(exp, sizeof exp,
                         "%s rejects the whole submission: HTTP 400 invalid_form_data "
                         "(normative decision 2, §13 G61)",
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
            set_file_value(&p, in, &p.refs[in - p.run.form->inputs]);
            hitl_http_response resp;
            if (post(ctx, &p, &resp) == HITL_OK)
                hitl_expect(ctx, resp.status == 200,
                            "the form stays open after the rejections: the corrected submit → 200 "
                            "(normative decision 2, §7.4)",
                            "HTTP %ld %.200s", resp.status, hitl_buf_str(&resp.body));
            hitl_http_response_free(&resp);
        }
    }
    prepared_free(&p);
}

/* --- the body itself (§7.1) --- */

/* §7.1, §13 G63: "user required (validate_app_token(fetch_from=JSON, required=True))";
 * "Missing user on SVC → 400 invalid_param" (DOCS). */
static void svc_user_required(hitl_check_ctx *ctx)
{
    prepared p;
    if (prepare(ctx, &p) == HITL_OK) {
        hitl_err err = {0};
        hitl_submit_set_user(p.sub, NULL, &err);
        hitl_http_response resp;
        if (post(ctx, &p, &resp) == HITL_OK)
            hitl_expect_error(ctx, &resp, 400, "invalid_param");
        hitl_http_response_free(&resp);
    }
    prepared_free(&p);
}

/* §4.1 order 2 (the same gate for POST, §7.2), §13 G63: "SVC submit of a form from another
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
        if (hitl_submit_to_json(p.sub, &body, &err)) {
            hitl_check_error(ctx, "could not print the submission: %s", err.msg);
        } else {
            snprintf(auth, sizeof auth, "Bearer %s", env->other_app_key);
            snprintf(path, sizeof path, "/form/human_input/%s", p.run.form_token);
            hitl_call call = {.method = "POST", .surface = HITL_SURFACE_SERVICE, .path = path,
                              .json = body, .authorization = auth};
            hitl_http_response resp;
            if (hitl_flow_call(ctx, &call, &resp) == HITL_OK &&
                hitl_expect_error(ctx, &resp, 404, "not_found")) {
                hitl_http_response r2;
                if (hitl_chk_submit(ctx, p.run.form_token, body, &r2) == HITL_OK)
                    hitl_expect(ctx, r2.status == 200,
                                "after another app's refused submit, the form is still open: "
                                "the run's own key submits it → 200 (§7.4)",
                                "HTTP %ld %.200s", r2.status, hitl_buf_str(&r2.body));
                hitl_http_response_free(&r2);
            }
            hitl_http_response_free(&resp);
        }
        free(body);
    }
    prepared_free(&p);
}

/* §7.1, §13 G64 (+ K86/K87): a body that is not JSON, `inputs` that is not an object, and a
 * missing `action` → 400 with the §1.3 error body (the code, invalid_param, is INFERRED and
 * not asserted). Each body is otherwise the valid submission. */
static void invalid_body(hitl_check_ctx *ctx)
{
    prepared p;
    if (prepare(ctx, &p) == HITL_OK) {
        hitl_err err = {0};
        char *no_action = NULL, *bad_inputs = NULL;
        hitl_submit_set_action(p.sub, NULL, &err);
        hitl_submit_to_json(p.sub, &no_action, &err);
        hitl_submit_set_action(p.sub, p.run.form->actions[0].id, &err);
        hitl_submit_set_field_raw(p.sub, "inputs", "\"hitlcheck-not-an-object\"", &err);
        hitl_submit_to_json(p.sub, &bad_inputs, &err);
        const struct {
            const char *body, *what;
        } cases[] = {
            {"{\"inputs\": {\"hitlcheck\": ", "a submit body that is not JSON (truncated)"},
            {bad_inputs, "a submit body whose `inputs` is a string"},
            {no_action, "a submit body without `action`"},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0] && !hitl_check_done(ctx); i++) {
            if (!cases[i].body) {
                hitl_check_error(ctx, "out of memory printing a submission");
                break;
            }
            hitl_http_response resp;
            if (hitl_chk_submit(ctx, p.run.form_token, cases[i].body, &resp) == HITL_OK)
                hitl_chk_expect_error_shape(ctx, &resp, 400, cases[i].what);
            hitl_http_response_free(&resp);
        }
        free(no_action);
        free(bad_inputs);
    }
    prepared_free(&p);
}

/* §7.1, §13 G65: WEB "no user; submission_end_user_id = None" — a `user` sent anyway is an
 * unknown field and ignored (pydantic default, INFERRED). */
static void web_user_ignored(hitl_check_ctx *ctx)
{
    prepared p;
    if (prepare(ctx, &p) == HITL_OK) {
        hitl_err err = {0};
        hitl_submit_set_user(p.sub, "hitlcheck-someone-else", &err);
        hitl_http_response resp;
        if (post(ctx, &p, &resp) == HITL_OK)
            hitl_expect(ctx, resp.status == 200,
                        "a WEB submit with a `user` field is accepted, the field ignored → 200 "
                        "(§7.1, §13 G65)",
                        "HTTP %ld %.200s", resp.status, hitl_buf_str(&resp.body));
        hitl_http_response_free(&resp);
    }
    prepared_free(&p);
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
};

HITL_CHECK_TABLE(submit, CHECKS)
