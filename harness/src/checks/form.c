/* form.c: checks of the form GET step (§4; §4). Each check starts its own run (a
 * submitted form cannot be read again) and reads the form with the token the start stream
 * gave, on the surface the engine runs it for: SVC `GET /v1/form/human_input/{t}` with the
 * app key, WEB `GET /api/form/human_input/{t}` without auth (its rate limiter is ridden out
 * by hitl_flow_call, patient by default). */
#include "expect_body.h"
#include "run_env.h"
#include "valid_submission.h"

#include "hitl/checks.h"
#include "hitl/flow.h"
#include "hitl/form.h"
#include "hitl/json.h"
#include "hitl/target.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A token no target issues: token_urlsafe(32) output is 43 characters of [A-Za-z0-9_-]. */
#define UNKNOWN_TOKEN "hitlcheckUnknownFormToken000000000000000000"
#define NOT_A_KEY "Bearer app-hitlcheck-not-a-key"

static bool is_web(hitl_check_ctx *ctx)
{
    return hitl_ctx_surface(ctx) == HITL_SURFACE_WEB;
}

/* Starts a run and GETs its form: the 200 body as a JSON object, or NULL after an ERROR
 * (the run could not start) or a FAIL (the GET did not answer 200 with a JSON object).
 * |run| is always to be freed; |resp| (may be NULL) receives the answer, else it is freed. */
static cJSON *get_live_form(hitl_check_ctx *ctx, hitl_run *run, hitl_http_response *resp)
{
    hitl_http_response local;
    hitl_http_response *r = resp ? resp : &local;
    memset(r, 0, sizeof *r);
    cJSON *root = NULL;
    if (hitl_flow_start(ctx, run) == HITL_OK &&
        hitl_flow_get_form(ctx, run->form_token, r) == HITL_OK &&
        hitl_expect_status(ctx, r, 200, "the GET of an open form answers it (§4.1.1)"))
        root = hitl_chk_expect_json_object(ctx, r, "the form GET body (§4.2)");
    if (!resp)
        hitl_http_response_free(&local);
    return root;
}

/* §4.2.1: "GET with a valid token → 200; keys exactly {form_content, inputs,
 * resolved_default_values, user_actions, expiration_time} (SVC) or those plus `site`
 * (Web)", served as application/json (§4.1). */
static void get_ok_keys(hitl_check_ctx *ctx)
{
    static const char *const svc_keys[] = {
        "form_content", "inputs",          "resolved_default_values",
        "user_actions", "expiration_time", NULL};
    static const char *const web_keys[] = {
        "form_content", "inputs", "resolved_default_values", "user_actions", "expiration_time",
        "site",         NULL};
    hitl_run run;
    hitl_http_response resp;
    cJSON *root = get_live_form(ctx, &run, &resp);
    if (root) {
        const char *ct = hitl_http_header_get(&resp, "Content-Type");
        hitl_expect(ctx, ct && !strncmp(ct, "application/json", 16),
                    "Content-Type: application/json (§4.1)", "Content-Type: %s",
                    ct ? ct : "(none)");
        hitl_chk_expect_keys(ctx, root, is_web(ctx) ? web_keys : svc_keys, "the form GET body",
                             is_web(ctx) ? "§4.2.1: WEB adds `site`" : "§4.2.1");
    }
    cJSON_Delete(root);
    hitl_http_response_free(&resp);
    hitl_run_free(&run);
}

/* §4.3.1: "resolved_default_values values are all strings" (None → "", dict/list →
 * json.dumps, anything else → str()). */
static void get_defaults_stringified(hitl_check_ctx *ctx)
{
    hitl_run run;
    cJSON *root = get_live_form(ctx, &run, NULL);
    const cJSON *rdv = cJSON_GetObjectItemCaseSensitive(root, "resolved_default_values");
    if (root && hitl_expect(ctx, cJSON_IsObject(rdv), "resolved_default_values is an object (§4.2)",
                            "resolved_default_values is %s", rdv ? "not an object" : "missing")) {
        const cJSON *v;
        size_t n = 0;
        cJSON_ArrayForEach(v, rdv)
        {
            n++;
            char *text = cJSON_PrintUnformatted(v);
            bool ok = hitl_expect(ctx, cJSON_IsString(v),
                                  "every resolved_default_values value is a string (§4.3.1)",
                                  "resolved_default_values.%s is %.120s",
                                  v->string ? v->string : "?", text ? text : "not a string");
            free(text);
            if (!ok)
                break;
        }
        if (n == 0)
            hitl_check_note(ctx,
                            "the form has no default values: only the object's type was checked");
    }
    cJSON_Delete(root);
    hitl_run_free(&run);
}

/* §4.2.2: the GET's expiration_time (int Unix seconds) equals the event's. */
static void get_expiration_matches(hitl_check_ctx *ctx)
{
    hitl_run run;
    cJSON *root = get_live_form(ctx, &run, NULL);
    if (root) {
        const cJSON *exp = cJSON_GetObjectItemCaseSensitive(root, "expiration_time");
        /* Read exactly or not at all: a 100,000-digit number is inf, no time (json.h). */
        int64_t get_exp = 0;
        bool is_int = hitl_json_int64(exp, &get_exp) == HITL_JSON_OK;
        if (hitl_expect(ctx, is_int, "expiration_time is an integer (Unix seconds) (§4.2)",
                        "expiration_time is %s",
                        !exp                         ? "missing"
                        : !cJSON_IsNumber(exp)       ? "not a number"
                        : isfinite(exp->valuedouble) ? "not an exact integer"
                                                     : "a number too large for any time"))
            hitl_expect(ctx, get_exp == run.expiration_time,
                        "the GET's expiration_time equals human_input_required's (§4.2.2)",
                        "GET %lld, event %lld (%+lld s)", (long long)get_exp,
                        (long long)run.expiration_time, (long long)(get_exp - run.expiration_time));
    }
    cJSON_Delete(root);
    hitl_run_free(&run);
}

/* §4.2.3: the form definition validates as a GET body: input shapes (paragraph
 * `default`, select `option_source`, the file `allowed_*` lists, file-list `number_limits`),
 * action ids and lengths, button styles, unique names. */
static void get_definition_valid(hitl_check_ctx *ctx)
{
    hitl_run run;
    hitl_http_response resp;
    cJSON *root = get_live_form(ctx, &run, &resp);
    if (root) {
        hitl_form *f = NULL;
        hitl_err err = {0};
        if (hitl_form_parse(hitl_buf_str(&resp.body), resp.body.len, HITL_FORM_MAX_BYTES,
                            HITL_FORM_GET, &f, &err)) {
            hitl_expect(ctx, false, "the form GET body parses as a form (§4.2)", "%s", err.msg);
        } else {
            char first[768] = "";
            for (size_t i = 0; i < f->n_problems && i < 3; i++)
                snprintf(first + strlen(first), sizeof first - strlen(first), "%s%s: %s",
                         i ? "; " : "", f->problems[i].path, f->problems[i].message);
            hitl_expect(ctx, f->n_problems == 0,
                        "the form definition passes §4.2 (input shapes, action id pattern and "
                        "length, button_style, unique names) (§4.2.3)",
                        "%zu problem%s: %s", f->n_problems, f->n_problems == 1 ? "" : "s", first);
            hitl_form_free(f);
        }
    }
    cJSON_Delete(root);
    hitl_http_response_free(&resp);
    hitl_run_free(&run);
}

/* §4.1.2: "Unknown token → 404 not_found, message "Form not found"". */
static void get_unknown_token(hitl_check_ctx *ctx)
{
    hitl_http_response resp;
    if (hitl_flow_get_form(ctx, UNKNOWN_TOKEN, &resp) == HITL_OK &&
        hitl_expect_error_msg(ctx, &resp, 404, "not_found", "Form not found")) {
        cJSON *root = hitl_chk_body_json(&resp);
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "message");
        hitl_expect(ctx, cJSON_IsString(m) && !strcmp(m->valuestring, "Form not found"),
                    "message exactly \"Form not found\" (§4.1.2)", "message \"%s\"",
                    cJSON_IsString(m) ? m->valuestring : "");
        cJSON_Delete(root);
    }
    hitl_http_response_free(&resp);
}

/* SVC GET of a live form with the Authorization value |authorization| ("" = none). */
static int svc_get_with(hitl_check_ctx *ctx, const hitl_run *run, const char *authorization,
                        hitl_http_response *resp)
{
    char path[1024];
    hitl_flow_form_path(ctx, path, sizeof path, run->form_token, ""); /* "" when refused */
    hitl_call call = {.method = "GET",
                      .surface = HITL_SURFACE_SERVICE,
                      .path = path,
                      .authorization = authorization};
    return hitl_flow_call(ctx, &call, resp);
}

/* §4.1 order 0, §1.2.2, §4.1.3: "missing/invalid API key → 401 unauthorized". The token is a live
 * form's, so the key is the only thing wrong. */
static void svc_key_case(hitl_check_ctx *ctx, const char *authorization)
{
    hitl_run run;
    if (hitl_flow_start(ctx, &run) == HITL_OK) {
        hitl_http_response resp;
        if (svc_get_with(ctx, &run, authorization, &resp) == HITL_OK)
            hitl_expect_error(ctx, &resp, 401, "unauthorized");
        hitl_http_response_free(&resp);
    }
    hitl_run_free(&run);
}

static void get_svc_no_key(hitl_check_ctx *ctx)
{
    svc_key_case(ctx, "");
}

static void get_svc_bad_key(hitl_check_ctx *ctx)
{
    svc_key_case(ctx, NOT_A_KEY);
}

/* §4.1 order 2, §1.2.2, §4.1.3: "API key of another app → 404 not_found". */
static void get_other_app(hitl_check_ctx *ctx)
{
    const hitl_run_env *env = hitl_chk_env(ctx);
    if (!env || !env->other_app_key) {
        hitl_check_skip(ctx, "no API key of another app was given (--other-api-key)");
        return;
    }
    hitl_run run;
    if (hitl_flow_start(ctx, &run) == HITL_OK) {
        char auth[1024];
        snprintf(auth, sizeof auth, "Bearer %s", env->other_app_key);
        hitl_http_response resp;
        if (svc_get_with(ctx, &run, auth, &resp) == HITL_OK)
            hitl_expect_error(ctx, &resp, 404, "not_found");
        hitl_http_response_free(&resp);
    }
    hitl_run_free(&run);
}

/* §4.1.4: "Submitted form → 412 human_input_form_submitted, message contains
 * form_id=<form_id>". */
static void get_after_submit(hitl_check_ctx *ctx)
{
    hitl_run run;
    if (hitl_flow_start(ctx, &run) == HITL_OK &&
        hitl_chk_submit_valid(ctx, &run, NULL) == HITL_OK) {
        hitl_http_response resp;
        if (hitl_flow_get_form(ctx, run.form_token, &resp) == HITL_OK &&
            hitl_expect_error(ctx, &resp, 412, "human_input_form_submitted")) {
            cJSON *root = hitl_chk_body_json(&resp);
            const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "message");
            char needle[160];
            snprintf(needle, sizeof needle, "form_id=%s", run.form_id ? run.form_id : "");
            hitl_expect(ctx, cJSON_IsString(m) && run.form_id && strstr(m->valuestring, needle),
                        "the message contains form_id=<the event's form_id> (§1.3, §4.1.4)",
                        "message \"%s\", form_id %s", cJSON_IsString(m) ? m->valuestring : "",
                        run.form_id ? run.form_id : "(none in the event)");
            cJSON_Delete(root);
        }
        hitl_http_response_free(&resp);
    }
    hitl_run_free(&run);
}

/* §4.1 (WEB "otherwise → 200 JSON plus a `site` object"), §4.2: `site` is an object. */
static void get_web_site(hitl_check_ctx *ctx)
{
    hitl_run run;
    cJSON *root = get_live_form(ctx, &run, NULL);
    if (root) {
        const cJSON *site = cJSON_GetObjectItemCaseSensitive(root, "site");
        hitl_expect(ctx, cJSON_IsObject(site), "the WEB form GET has a `site` object (§4.1, §4.2)",
                    "site is %s", site ? "not an object" : "missing");
        const cJSON *inner = cJSON_GetObjectItemCaseSensitive(site, "site");
        if (cJSON_IsObject(site) && !cJSON_IsObject(inner))
            hitl_check_note(ctx, "site has no inner `site` object (Dify's WEB test has site.site)");
    }
    cJSON_Delete(root);
    hitl_run_free(&run);
}

static const hitl_check_impl CHECKS[] = {
    {"form.get.ok-keys", get_ok_keys},
    {"form.get.defaults-stringified", get_defaults_stringified},
    {"form.get.expiration-matches", get_expiration_matches},
    {"form.get.definition-valid", get_definition_valid},
    {"form.get.unknown-token", get_unknown_token},
    {"form.get.svc-no-key", get_svc_no_key},
    {"form.get.svc-bad-key", get_svc_bad_key},
    {"form.get.other-app", get_other_app},
    {"form.get.after-submit", get_after_submit},
    {"form.get.web-site", get_web_site},
};

HITL_CHECK_TABLE(form, CHECKS)
