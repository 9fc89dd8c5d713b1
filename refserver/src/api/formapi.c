/* formapi.c: the form endpoints: GET (E3 SVC, E7 WEB, §4), submit (E4, E8, §7) and the
 * upload-token issue (E9, §5). The order of checks follows §4.1, §5 and §7.2. */
#include "behave.h"
#include "clock.h"
#include "formdef.h"
#include "hostile.h"
#include "gates.h"
#include "handlers.h"
#include "request.h"
#include "ids.h"
#include "lifecycle.h"
#include "planted_bugs.h"
#include "respond.h"
#include "state.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* form_auth authenticates a form request: a web request acts for any app (the token is
 * the credential); an SVC one for its key's app, or for any app when svc-no-auth let it
 * through without Authorization. */
static rs_auth form_auth(rs_req *r, int web)
{
    if (web)
        return (rs_auth){.status = RS_AUTH_ANY_APP, .app = -1};
    if (rs_fault_active(r->srv, RS_F_SVC_NO_AUTH) && !rs_header(r, "Authorization"))
        return (rs_auth){.status = RS_AUTH_ANY_APP, .app = -1};
    return rs_auth_app(r);
}

/* form_gate answers the lookup/state errors shared by GET and POST; returns the live run
 * (state lock held) or NULL after answering (lock released). */
static rs_run *form_gate(rs_req *r, const rs_auth *who, rs_fault expiry_fault)
{
    hitl_refserver *s = r->srv;
    rs_state_lock(&s->state);
    rs_run *run = rs_state_run_by_token(&s->state, r->param);
    if (!run || !rs_auth_owns(who, run->app)) {
        rs_state_unlock(&s->state);
        if (!rs_bugs_form_not_found(r))
            rs_reply_form_not_found(r);
        return NULL;
    }
    /* The first form of a two-node app's run, submitted: the run waits at its second. */
    int earlier_form = strcmp(r->param, run->token) != 0;
    int form_route = r->route == RS_R_SVC_FORM || r->route == RS_R_WEB_FORM;
    /* regress-get-lags-pause (dify#40445): the form record is not readable yet. */
    if (form_route && !r->is_post && rs_fault_active(s, RS_F_REGRESS_GET_LAGS_PAUSE) &&
        rs_now_s() - run->created_at < 2) {
        rs_state_unlock(&s->state);
        rs_reply_form_not_found(r);
        return NULL;
    }
    /* global-timeout-get-only: only the GET looks at the global deadline. */
    int node_only = r->is_post && rs_fault_active(s, RS_F_GLOBAL_TIMEOUT_GET_ONLY);
    int64_t now = rs_now_s();
    rs_form_check st = earlier_form ? RS_FORM_IS_SUBMITTED
                       : node_only  ? rs_form_state_node_only(run, now)
                                    : rs_form_state(run, now);
    char form_id[RS_ID_LEN];
    memcpy(form_id, earlier_form ? run->first_form_id : run->form_id, sizeof form_id);
    if (st == RS_FORM_IS_SUBMITTED && r->is_post && r->route != RS_R_WEB_UPLOAD_TOKEN &&
        rs_fault_active(s, RS_F_DOUBLE_SUBMIT)) {
        rs_state_unlock(&s->state);
        rs_reply(r, 200, "application/json", "{}", 2);
        return NULL;
    }
    if (st == RS_FORM_IS_SUBMITTED) {
        rs_state_unlock(&s->state);
        rs_reply_form_submitted(r, form_id);
        return NULL;
    }
    if (st == RS_FORM_IS_EXPIRED && !rs_fault_active(s, expiry_fault)) {
        rs_state_unlock(&s->state);
        rs_reply_form_expired(r, form_id);
        return NULL;
    }
    /* regress-first-submit-412 (dify#35703): a waiting form's submit is refused as done. */
    if (form_route && r->is_post && rs_fault_active(s, RS_F_REGRESS_FIRST_SUBMIT_412)) {
        rs_state_unlock(&s->state);
        rs_reply_form_submitted(r, form_id);
        return NULL;
    }
    return run;
}

enum MHD_Result rs_form_get(rs_req *r)
{
    hitl_refserver *s = r->srv;
    int web = r->route == RS_R_WEB_FORM;
    rs_auth who = form_auth(r, web);
    if (who.status == RS_AUTH_REFUSED)
        return MHD_YES;
    if (web && rs_web_limited(r, RS_RL_GET))
        return MHD_YES;
    rs_run *run = form_gate(r, &who, RS_F_EXPIRY_GET);
    if (!run)
        return MHD_YES;
    size_t len = run->get_len[web];
    char *body = malloc(len + 1);
    if (body)
        memcpy(body, run->get_body[web], len + 1);
    rs_state_unlock(&s->state);
    if (!body)
        return MHD_NO;
    enum MHD_Result rc;
    if (!rs_hostile_form_get(r, body, len, &rc)) {
        struct MHD_Response *resp =
            MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
        if (!resp) {
            free(body);
            return MHD_NO;
        }
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
        rc = rs_queue(r, 200, resp);
        return rc;
    }
    free(body);
    return rc;
}

/* submit_body_error checks the payload model (§7.1): inputs object, action string, and
 * on SVC a user. Returns 1 after answering 400 invalid_param. */
static int submit_body_error(rs_req *r, const cJSON *body, int web)
{
    const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(body, "inputs");
    const char *user = rs_json_str(body, "user");
    if (!web && !rs_fault_active(r->srv, RS_F_SVC_USER_OPTIONAL) && (!user || !*user)) {
        rs_reply_error(r, 400, "invalid_param", "Arg user must be provided.");
        return 1;
    }
    if (!web && user && strlen(user) >= RS_USER_MAX) {
        rs_reply_error(r, 400, "invalid_param", "user must be at most %d characters",
                       RS_USER_MAX - 1);
        return 1;
    }
    if (!cJSON_IsObject(inputs)) {
        rs_reply_error(r, 400, "invalid_param",
                       inputs ? "inputs: Input should be a valid dictionary"
                              : "inputs: Field required");
        return 1;
    }
    const cJSON *action = cJSON_GetObjectItemCaseSensitive(body, "action");
    if (!cJSON_IsString(action)) {
        rs_reply_error(r, 400, "invalid_param",
                       action ? "action: Input should be a valid string"
                              : "action: Field required");
        return 1;
    }
    return 0;
}

/* mark_submitted flips the form |form_id| of the run record |token| finds to submitted (and,
 * when |resume|, the record to resuming with its branch), re-checking under the lock that
 * nobody submitted meanwhile (nor moved a two-node run on to its next form). By token, not
 * by run id: a DSL run waiting at parallel nodes has one record per form (flow.h). 0, or 1
 * when the form was no longer waiting. */
static int mark_submitted(hitl_refserver *s, const char *token, const char *form_id,
                          const char *action, const cJSON *inputs, int resume)
{
    rs_state_lock(&s->state);
    rs_run *run = rs_state_run_by_token(&s->state, token);
    int lost = !run || run->form_status != RS_FORM_WAITING || strcmp(run->form_id, form_id) != 0;
    if (!lost) {
        run->form_status = RS_FORM_SUBMITTED;
        if (resume) {
            run->run_status = RS_RUN_RESUMING;
            snprintf(run->submitted_action, sizeof run->submitted_action, "%s", action);
            const char *branch = action;
            if (rs_fault_active(s, RS_F_WRONG_BRANCH)) {
                /* the next action in the list, wrapping: another branch than the one chosen */
                const cJSON *acts = (run->form ? run->form : s->form)->actions, *a;
                cJSON_ArrayForEach(a, acts) if (strcmp(rs_json_str(a, "id"), action) == 0) break;
                const cJSON *other = a && a->next ? a->next : acts->child;
                branch = rs_json_str(other, "id");
            }
            snprintf(run->action, sizeof run->action, "%s", branch);
            free(run->submitted);
            run->submitted = cJSON_PrintUnformatted(inputs);
        }
    }
    rs_state_unlock(&s->state);
    return lost;
}

/* --behave dify (deviation svc-submit.non-object-body-500): genuine Dify's
 * validate_app_token reads the end user with request.get_json().get("user") before the
 * body is validated, so a JSON body that is an array, a string, a number or null raises
 * AttributeError and the generic handler answers 500. 1 when it answered (|rc| set). */
static int svc_non_object_500(rs_req *r, enum MHD_Result *rc)
{
    static const char body[] =
        "{\"message\":\"Internal Server Error\",\"code\":\"unknown\",\"status\":500}";
    if (r->body_too_big)
        return 0;
    cJSON *o = cJSON_ParseWithLength(hitl_buf_str(&r->body), r->body.len);
    int non_object = o && !cJSON_IsObject(o);
    cJSON_Delete(o);
    if (non_object)
        *rc = rs_reply(r, 500, "application/json", body, sizeof body - 1);
    return non_object;
}

enum MHD_Result rs_form_submit(rs_req *r)
{
    hitl_refserver *s = r->srv;
    int web = r->route == RS_R_WEB_FORM;
    rs_auth who = form_auth(r, web);
    if (who.status == RS_AUTH_REFUSED)
        return MHD_YES;
    if (!web && rs_fault_active(s, RS_F_SVC_SUBMIT_OTHER_APP))
        who.status = RS_AUTH_ANY_APP; /* the fault: any app's key submits any form */
    enum MHD_Result answered;
    if (!web && rs_behaves(&s->cfg, RS_B_SVC_NON_OBJECT_BODY_500) &&
        svc_non_object_500(r, &answered))
        return answered;
    if (rs_bugs_submit_raw(r, &answered))
        return answered;
    cJSON *body = rs_parse_body(r);
    if (!body)
        return MHD_YES;
    if (submit_body_error(r, body, web) || (web && rs_web_limited(r, RS_RL_POST))) {
        cJSON_Delete(body);
        return MHD_YES;
    }
    rs_run *live = form_gate(r, &who, RS_F_EXPIRY_SUBMIT);
    if (!live) {
        cJSON_Delete(body);
        return MHD_YES;
    }
    rs_run run = *live;
    rs_state_unlock(&s->state);

    const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(body, "inputs");
    const char *action = rs_json_str(body, "action");
    const char *user = rs_json_str(body, "user");
    rs_submission sub = {inputs, action, web || !user ? run.user : user};
    char msg[1024];
    enum MHD_Result rc;
    if (rs_bugs_submit_parsed(r, inputs, &rc)) {
        cJSON_Delete(body);
        return rc;
    }
    int lost = 0;
    int vrc = rs_validate_submit(s, &run, &sub, msg, sizeof msg);
    if (vrc) {
        if (rs_fault_active(s, RS_F_REJECTED_SUBMIT_CONSUMES))
            mark_submitted(s, r->param, run.form_id, action, inputs, 0);
        if (vrc == RS_VALIDATE_SERVER_ERROR)
            rc = rs_reply_error(r, 500, "internal_server_error", "%s", msg);
        else
            rc = rs_reply_error(r, 400, "invalid_form_data", "%s", msg);
    } else if ((lost = mark_submitted(s, r->param, run.form_id, action, inputs, 1)) &&
               !rs_bug_on(&s->cfg, RS_BUG_SUBMIT_RACE)) {
        rc = rs_reply_form_submitted(r, run.form_id);
    } else {
        if (!lost &&
            rs_clock_schedule(s->clock, s->cfg.resume_delay_ms, rs_lifecycle_resume_job, run.id))
            rs_lifecycle_resume_job(s, run.id); /* the clock is full or stopping: publish now */
        if (rs_fault_active(s, RS_F_SUBMIT_BODY_NOT_EMPTY))
            rc = rs_reply(r, 200, "application/json", "{\"result\":\"success\"}", 20);
        else
            rc = rs_reply(r, 200, "application/json", "{}", 2);
    }
    cJSON_Delete(body);
    return rc;
}

enum MHD_Result rs_form_upload_token(rs_req *r)
{
    hitl_refserver *s = r->srv;
    const hitl_refserver_config *cfg = &s->cfg;
    if (rs_web_limited(r, RS_RL_TOKEN))
        return MHD_YES;
    rs_auth web = form_auth(r, 1);
    rs_run *run = form_gate(r, &web, RS_F_EXPIRY_UPLOAD_TOKEN);
    if (!run)
        return MHD_YES;
    char token[RS_TOKEN_MAX];
    if (rs_fault_on(cfg, RS_F_UPLOAD_TOKEN_REUSED) && run->last_upload_token[0])
        memcpy(token, run->last_upload_token, sizeof token);
    else
        rs_token_urlsafe(token, sizeof token,
                         rs_fault_on(cfg, RS_F_UPLOAD_TOKEN_PREFIX) ? "upl_" : "hitl_upload_", 32);
    int64_t expires =
        rs_fault_on(cfg, RS_F_UPLOAD_TOKEN_EXPIRY) ? rs_now_s() + 3600 : run->expiration_time;
    int rc =
        rs_state_add_upload_token(&s->state, token, run->id, run->form_id, cfg->max_upload_tokens);
    if (!rc)
        memcpy(run->last_upload_token, token, sizeof token);
    rs_state_unlock(&s->state);
    if (rc)
        return MHD_NO;
    cJSON *o = cJSON_CreateObject();
    char shown[RS_TOKEN_MAX + sizeof RS_HOSTILE_INJECTED];
    snprintf(shown, sizeof shown, "%s%s", token,
             rs_fault_on(cfg, RS_F_HOSTILE_CRLF_UPLOAD_TOKEN) ? RS_HOSTILE_INJECTED : "");
    cJSON_AddStringToObject(o, "upload_token", shown);
    cJSON_AddNumberToObject(o, "expires_at", (double)expires);
    return rs_reply_json(r, rs_fault_on(cfg, RS_F_UPLOAD_TOKEN_201) ? 201 : 200, o);
}
