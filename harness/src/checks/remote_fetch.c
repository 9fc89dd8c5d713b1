/* remote_fetch.c: what the remote and SSRF checks share (remote_fetch.h). */
#include "remote_fetch.h"
#include "expect_body.h"
#include "fixture_probe.h"
#include "run_env.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool have_fixture(hitl_check_ctx *ctx)
{
    const hitl_run_env *env = hitl_chk_env(ctx);
    return env && env->fixture && env->fixture_base;
}

/* The `code` string of an error body into |out| ("" when absent). */
void hitl_remote_body_code(const hitl_http_response *resp, char *out, size_t cap)
{
    cJSON *root = hitl_chk_body_json(resp);
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(root, "code");
    snprintf(out, cap, "%s", cJSON_IsString(c) ? c->valuestring : "");
    cJSON_Delete(root);
}

/* hitl_remote_expect_variant expects |resp| to be one of |v| (status and §1.3 code), notes which
 * one (the variants of §6.3 and §8.5) and checks that variant's error shape. |what| names the
 * request, |section| the clause. Returns true when a hitl_remote_variant matched with its shape. */
bool hitl_remote_expect_variant(hitl_check_ctx *ctx, const hitl_http_response *resp,
                                const hitl_remote_variant *v, size_t n, const char *what,
                                const char *section)
{
    /* A front end's own page is not the target's answer (proxy_page.h). */
    if (hitl_check_front_page(ctx, resp, what))
        return false;
    char code[96];
    hitl_remote_body_code(resp, code, sizeof code);
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

void hitl_remote_upload_prep_free(hitl_remote_upload_prep *p)
{
    free(p->token);
    hitl_run_free(&p->run);
}

/* Starts a run and issues its upload token (§5). With |need_fetch| (a check whose verdict
 * means something only when the target can fetch from the fixture) it also requires that
 * the target fetched the fixture's good file (hitl_chk_require_fixture_fetch). 0; non-zero
 * after a SKIP (no fixture, fixture not reachable) or an ERROR. |p| is always safe to free. */
int hitl_remote_upload_prepare(hitl_check_ctx *ctx, hitl_remote_upload_prep *p, bool need_fetch)
{
    memset(p, 0, sizeof *p);
    if (!hitl_flow_require_upload_routes(ctx))
        return HITL_E_UNSUPPORTED;
    int rc = start_with_fixture(ctx, &p->run);
    if (rc)
        return rc;
    p->token = hitl_flow_issue_upload_token(ctx, p->run.form_token);
    if (!p->token)
        return HITL_E_STATE;
    return need_fetch ? hitl_chk_require_fixture_fetch(ctx, p->run.form_token, p->token) : HITL_OK;
}

/* Remote-uploads the fixture's |file| (under the nonce suffix |suffix|) and expects one of
 * |v|. Returns false when the check should stop (transport ERROR). */
bool hitl_remote_upload_expect(hitl_check_ctx *ctx, const hitl_remote_upload_prep *p,
                               const char *suffix, const char *file, const hitl_remote_variant *v,
                               size_t n, const char *what, const char *section)
{
    char url[1024];
    hitl_chk_fixture_url(ctx, suffix, file, url, sizeof url, NULL, 0);
    hitl_http_response resp;
    int rc = hitl_flow_upload_remote(ctx, p->token, NULL, url, &resp);
    if (!rc)
        hitl_remote_expect_variant(ctx, &resp, v, n, what, section);
    hitl_http_response_free(&resp);
    return rc == HITL_OK;
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

void hitl_remote_inline_prep_free(hitl_remote_inline_prep *p)
{
    free(p->valid);
    hitl_run_free(&p->run);
}

/* 0; non-zero after a SKIP (no fixture, no remote-capable input, with |need_fetch| a fixture
 * the target did not fetch from: hitl_chk_require_fixture_fetch) or an ERROR. */
int hitl_remote_inline_prepare(hitl_check_ctx *ctx, hitl_remote_inline_prep *p, bool need_fetch)
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
static char *with_inline_url(hitl_check_ctx *ctx, const hitl_remote_inline_prep *p, const char *url)
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
bool hitl_remote_inline_expect_rejected(hitl_check_ctx *ctx, const hitl_remote_inline_prep *p,
                                        const char *url, const char *what, bool exact)
{
    char *body = with_inline_url(ctx, p, url);
    if (!body)
        return false;
    hitl_http_response resp;
    int rc = hitl_flow_submit(ctx, p->run.form_token, body, &resp);
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
            snprintf(exp, sizeof exp, "%s rejects the whole submission: not a 2xx (§7.3.14, §7.3)",
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
