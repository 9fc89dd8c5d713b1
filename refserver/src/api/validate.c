/* validate.c: §7.3, after graphon's validate_human_input_submission and Dify's
 * normalize_submission_data / file_factory builders and validation. */
#include "validate.h"

#include "behave.h"
#include "formdef.h"
#include "request.h"
#include "ids.h"
#include "planted_bugs.h"
#include "remote.h"
#include "state.h"

#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct pending_remote {
    const cJSON *field;
    const cJSON *mapping;
    char prefix[160];
} pending_remote;

typedef struct vctx {
    hitl_refserver *s;
    const rs_run *run;
    const rs_submission *sub;
    char *msg;
    size_t cap;
    pending_remote *remotes;
    size_t nremote, capremote;
} vctx;

static int fail(vctx *c, const char *prefix, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(vctx *c, const char *prefix, const char *fmt, ...)
{
    int n = snprintf(c->msg, c->cap, "%s", prefix);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < c->cap)
        vsnprintf(c->msg + n, c->cap - (size_t)n, fmt, ap);
    va_end(ap);
    return HITL_E_INVALID;
}

static int in_str_array(const cJSON *arr, const char *s)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, arr) if (cJSON_IsString(e) && strcmp(e->valuestring, s) == 0) return 1;
    return 0;
}

/* ext_allowed compares |ext| (no dot) with entries written ".pdf" or "pdf", any case. */
static int ext_allowed(const cJSON *arr, const char *ext)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, arr)
    {
        if (!cJSON_IsString(e))
            continue;
        const char *v = e->valuestring[0] == '.' ? e->valuestring + 1 : e->valuestring;
        if (strcasecmp(v, ext) == 0)
            return 1;
    }
    return 0;
}

/* valid_with_config is Dify's is_file_valid_with_config for a HITL file field (no
 * image_config, so images skip the transfer-method check). |type| is the mapping's `type`. */
static int valid_with_config(const cJSON *field, const char *type, const char *ext,
                             const char *method)
{
    const cJSON *types = cJSON_GetObjectItemCaseSensitive(field, "allowed_file_types");
    const cJSON *exts = cJSON_GetObjectItemCaseSensitive(field, "allowed_file_extensions");
    const cJSON *methods = cJSON_GetObjectItemCaseSensitive(field, "allowed_file_upload_methods");
    int custom = strcmp(type, "custom") == 0;
    if (cJSON_GetArraySize(types) > 0 && !in_str_array(types, type) && !custom)
        return 0;
    if (custom && cJSON_IsArray(exts) && !ext_allowed(exts, ext))
        return 0;
    if (strcmp(type, "image") != 0 && cJSON_GetArraySize(methods) > 0 &&
        !in_str_array(methods, method))
        return 0;
    return 1;
}

/* check_type is builders.py's strict type validation, then is_file_valid_with_config.
 * The specified type is the mapping's `type`; a local_file mapping without one specifies
 * "custom" (mapping.get("type", "custom")), a remote_url mapping none. `custom` is not
 * exempt: it must equal the detected type too. The allowed-types check then takes the
 * mapping's `type` ("custom" when absent), not the detected one. */
static int check_type(vctx *c, const cJSON *field, const cJSON *mapping, const char *prefix,
                      const char *detected, const char *ext, const char *name, const char *method)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(mapping, "type");
    int local = strcmp(method, "local_file") == 0;
    const char *specified = NULL;
    if (cJSON_IsString(t))
        specified = t->valuestring;
    else if (t && !cJSON_IsNull(t) && !cJSON_IsFalse(t))
        specified = "?"; /* any other truthy value never equals the detected type */
    else if (!t && local)
        specified = "custom";
    if (specified && *specified && strcmp(specified, detected) != 0 &&
        !rs_fault_active(c->s, RS_F_FILE_TYPE_UNCHECKED))
        return fail(
            c, prefix,
            "Detected file type does not match the specified type. Please verify the file.");
    const char *as = !t ? "custom" : cJSON_IsString(t) ? t->valuestring : "";
    if (!valid_with_config(field, as, ext, method) &&
        !rs_fault_active(c->s, RS_F_FILE_CONFIG_UNCHECKED))
        return fail(c, prefix, "File validation failed for file: %s", name);
    return HITL_OK;
}

/* owned says whether upload |u| may be used in this submit (contract §7.3.17): uploaded
 * through the run's app, and for this very form (a WEB upload, by an upload token of the
 * form) or by the submit's end user (a Service API upload). Genuine Dify filters by the
 * workspace only (api/core/app/file_access/controller.py@477f811e974a02b708a0dbe36a004ff7253c1972:
 * no access scope is bound on the Human Input submit paths), so --behave dify and the
 * file-owner-unchecked fault accept any file of the server's one workspace. */
static int owned(const vctx *c, const rs_upload *u)
{
    if (rs_fault_active(c->s, RS_F_FILE_OWNER_UNCHECKED) ||
        rs_behaves(&c->s->cfg, RS_B_FILE_OWNER_WORKSPACE_ONLY))
        return 1;
    if (u->app != c->run->app)
        return 0;
    if (u->form_id[0])
        return strcmp(u->form_id, c->run->form_id) == 0;
    return strcmp(u->owner, c->sub->scope_user) == 0;
}

static int check_local(vctx *c, const cJSON *field, const cJSON *mapping, const char *prefix)
{
    const char *id = rs_json_str(mapping, "upload_file_id");
    if (!id || !*id)
        return fail(c, prefix, "Invalid upload file id");
    if (!rs_is_uuid(id))
        return fail(c, prefix, "Invalid upload file id format");
    rs_upload u;
    int found = 0;
    rs_state_lock(&c->s->state);
    rs_upload *up = rs_state_upload(&c->s->state, id);
    if (up && owned(c, up) && !rs_fault_active(c->s, RS_F_UPLOADS_UNKNOWN_AT_SUBMIT)) {
        u = *up;
        found = 1;
    }
    rs_state_unlock(&c->s->state);
    if (!found)
        return fail(c, prefix, "Invalid upload file");
    return check_type(c, field, mapping, prefix, u.file_type, u.ext, u.name, "local_file");
}

static int queue_remote(vctx *c, const cJSON *field, const cJSON *mapping, const char *prefix)
{
    if (c->nremote == c->capremote) {
        size_t ncap = c->capremote ? c->capremote * 2 : 4;
        pending_remote *n = realloc(c->remotes, ncap * sizeof *n);
        if (!n)
            return fail(c, prefix, "out of memory");
        c->remotes = n;
        c->capremote = ncap;
    }
    pending_remote *p = &c->remotes[c->nremote++];
    p->field = field;
    p->mapping = mapping;
    snprintf(p->prefix, sizeof p->prefix, "%s", prefix);
    return HITL_OK;
}

/* Python truthiness of a JSON value, for builders.py's `if not mapping.get(…)`. */
static int truthy(const cJSON *v)
{
    if (!v || cJSON_IsNull(v) || cJSON_IsFalse(v))
        return 0;
    if (cJSON_IsString(v))
        return v->valuestring[0] != '\0';
    if (cJSON_IsNumber(v))
        return v->valuedouble != 0;
    if (cJSON_IsArray(v) || cJSON_IsObject(v))
        return v->child != NULL;
    return 1;
}

/* The url of a remote mapping: `url`, else `remote_url` (builders.py), NULL when neither is
 * a non-empty string. */
static const char *remote_url_of(const cJSON *mapping)
{
    const char *url = rs_json_str(mapping, "url");
    if (!url || !*url)
        url = rs_json_str(mapping, "remote_url");
    return url && *url ? url : NULL;
}

static int check_mapping(vctx *c, const cJSON *field, const cJSON *mapping, const char *prefix)
{
    const cJSON *tm = cJSON_GetObjectItemCaseSensitive(mapping, "transfer_method");
    if (!truthy(tm))
        return fail(c, prefix, "transfer_method is required in file mapping");
    const char *m = cJSON_IsString(tm) ? tm->valuestring : "";
    if (strcmp(m, "local_file") == 0)
        return check_local(c, field, mapping, prefix);
    if (strcmp(m, "remote_url") == 0) {
        if (!remote_url_of(mapping))
            return fail(c, prefix, "Invalid file url");
        return queue_remote(c, field, mapping, prefix);
    }
    return fail(c, prefix, "'%.100s' is not a valid FileTransferMethod", m);
}

/* usable_item is the builder's _is_valid_mapping: empty mappings, items without a
 * transfer_method, and remote items without a url are dropped silently before validation. */
static int usable_item(const cJSON *m)
{
    const cJSON *tm = cJSON_GetObjectItemCaseSensitive(m, "transfer_method");
    if (!m->child || !truthy(tm))
        return 0;
    return !cJSON_IsString(tm) || strcmp(tm->valuestring, "remote_url") != 0 || remote_url_of(m);
}

/* Python's type name of a JSON value, as pydantic reports `input_type`. */
static const char *py_type(const cJSON *v)
{
    if (cJSON_IsString(v))
        return "str";
    if (cJSON_IsObject(v))
        return "dict";
    if (cJSON_IsArray(v))
        return "list";
    if (cJSON_IsBool(v))
        return "bool";
    if (cJSON_IsNumber(v)) /* no cast: a double beyond long long's range would be undefined */
        return isfinite(v->valuedouble) && v->valuedouble == floor(v->valuedouble) ? "int"
                                                                                   : "float";
    return "NoneType";
}

/* A file-list value that is not a list of mappings fails pydantic's
 * TypeAdapter(Sequence[Mapping[str, Any]]) before any file check (human_input_service.py,
 * _normalize_file_list_value). Dify appends pydantic's text to the prefix; only the prefix is
 * stable across pydantic versions, so this text is pydantic-like, not pydantic's own. */
#define PYDANTIC_SEQ_TITLE                                                                         \
    "1 validation error for json-or-python[json=list[dict[str,any]],python=chain[is-instance["     \
    "Sequence],function-wrap[sequence_validator()]]]"
static int fail_not_list(vctx *c, const char *prefix, const cJSON *v)
{
    if (cJSON_IsString(v))
        return fail(c, prefix,
                    PYDANTIC_SEQ_TITLE "\n  'str' instances are not allowed as a Sequence value "
                                       "[type=sequence_str, input_type=str]");
    return fail(c, prefix,
                PYDANTIC_SEQ_TITLE "\n  Input should be an instance of Sequence "
                                   "[type=is_instance_of, input_type=%s]",
                py_type(v));
}

static int fail_not_mapping_item(vctx *c, const char *prefix, int index, const cJSON *item)
{
    return fail(c, prefix,
                "1 validation error for list[Mapping[str, Any]]\n%d\n  Input should be a valid "
                "dictionary [type=dict_type, input_type=%s]",
                index, py_type(item));
}

static int check_field(vctx *c, const cJSON *field, const cJSON *v)
{
    const char *type = rs_json_str(field, "type");
    const char *name = rs_json_str(field, "output_variable_name");
    char prefix[160];
    if (strcmp(type, "select") == 0) {
        snprintf(prefix, sizeof prefix, "Invalid value for select input '%s': ", name);
        if (rs_fault_active(c->s, RS_F_SELECT_UNCHECKED))
            return HITL_OK;
        if (!cJSON_IsString(v))
            return fail(c, prefix, "expected string");
        const cJSON *src = cJSON_GetObjectItemCaseSensitive(field, "option_source");
        const char *st = rs_json_str(src, "type");
        if (st && strcmp(st, "constant") == 0 &&
            !in_str_array(cJSON_GetObjectItemCaseSensitive(src, "value"), v->valuestring) &&
            !rs_bugs_select_case_match(&c->s->cfg, cJSON_GetObjectItemCaseSensitive(src, "value"),
                                       v->valuestring))
            return fail(c, prefix, "%.200s", v->valuestring);
        return HITL_OK;
    }
    if (strcmp(type, "file") == 0) {
        snprintf(prefix, sizeof prefix, "Invalid value for file input '%s': ", name);
        if (!cJSON_IsObject(v))
            return fail(c, prefix, "expected mapping");
        return check_mapping(c, field, v, prefix);
    }
    if (strcmp(type, "file-list") == 0) {
        snprintf(prefix, sizeof prefix, "Invalid value for file list input '%s': ", name);
        if (!cJSON_IsArray(v))
            return fail_not_list(c, prefix, v);
        const cJSON *it;
        int usable = 0, index = 0;
        cJSON_ArrayForEach(it, v)
        {
            if (!cJSON_IsObject(it))
                return fail_not_mapping_item(c, prefix, index, it);
            index++;
        }
        /* build_from_mappings: drop the unusable items, build the rest, then count. */
        cJSON_ArrayForEach(it, v)
        {
            if (usable_item(it)) {
                usable++;
                int rc = check_mapping(c, field, it, prefix);
                if (rc)
                    return rc;
            }
        }
        int limit = cJSON_GetObjectItemCaseSensitive(field, "number_limits")->valueint;
        if (limit > 0 && usable > limit && !rs_fault_active(c->s, RS_F_FILE_LIMIT_UNCHECKED))
            return fail(c, prefix, "Number of files exceeds the maximum limit %d", limit);
    }
    return HITL_OK; /* paragraph / text_input: any JSON value */
}

/* The fetch's own failures (unreachable, non-200, too big); 0 when the file arrived. */
static int check_fetch(vctx *c, const pending_remote *p, const char *url, const rs_remote_file *rf)
{
    switch (rf->f.status) {
    case RS_FETCH_OK:
        break;
    case RS_FETCH_BAD_URL:
        return fail(c, p->prefix, "Invalid file url");
    case RS_FETCH_TOO_BIG:
        return fail(c, p->prefix, "File size exceeded.");
    case RS_FETCH_BLOCKED:
    case RS_FETCH_NETWORK:
        return fail(c, p->prefix, "Failed to fetch file from %.300s: %s", url, rf->f.error);
    }
    if (rf->f.http_code != 200)
        return fail(c, p->prefix, "Failed to fetch file from %.300s: HTTP %ld", url,
                    rf->f.http_code);
    if (rf->f.size > rf->limit)
        return fail(c, p->prefix, "File size exceeded.");
    return HITL_OK;
}

/* The failures genuine Dify refuses after its submit-time HEAD (--behave dify): the SSRF
 * proxy's own (a blocked address, a failed connection) and the statuses it retries until
 * MaxRetriesExceededError, a ValueError answered 400 invalid_form_data. Every other status
 * is accepted, whatever the file's size (deviations inline-remote-url.*). The retries
 * themselves are not replayed: one answer stands for them. */
static int check_head(vctx *c, const pending_remote *p, const char *url, const rs_remote_file *rf)
{
    static const long retried[] = {429, 500, 502, 503, 504};
    if (rf->f.status != RS_FETCH_OK)
        return check_fetch(c, p, url, rf);
    for (size_t i = 0; i < sizeof retried / sizeof retried[0]; i++)
        if (rf->f.http_code == retried[i])
            return fail(c, p->prefix, "Reached maximum retries (3) for URL %.300s", url);
    return HITL_OK;
}

static int check_remote(vctx *c, const pending_remote *p)
{
    const char *url = remote_url_of(p->mapping);
    rs_remote_file rf;
    int head_only = rs_behaves(&c->s->cfg, RS_B_INLINE_REMOTE_HEAD_ONLY);
    if (head_only)
        rs_remote_head(c->s, url, &rf);
    else
        rs_remote_get(c->s, url, 0, &rf);
    if (rs_fault_active(c->s, RS_F_INLINE_REMOTE_FAILURE_ACCEPTED))
        return HITL_OK;
    if (head_only ? check_head(c, p, url, &rf) : check_fetch(c, p, url, &rf))
        /* The fault: the fetch's failure escapes as a server error (some Dify builds). */
        return rs_fault_active(c->s, RS_F_INLINE_REMOTE_FAILURE_500) ? RS_VALIDATE_SERVER_ERROR
                                                                     : HITL_E_INVALID;
    return check_type(c, p->field, p->mapping, p->prefix, rf.type, rf.ext, rf.name, "remote_url");
}

static int validate(vctx *c)
{
    const rs_formdef *f = c->run->form ? c->run->form : c->s->form;
    const cJSON *field;
    cJSON_ArrayForEach(field, f->inputs)
    {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(
            c->sub->inputs, rs_json_str(field, "output_variable_name"));
        int rc = v ? check_field(c, field, v) : HITL_OK;
        if (rc)
            return rc;
    }
    if (!rs_formdef_action(f, c->sub->action) &&
        !rs_fault_active(c->s, RS_F_INVALID_ACTION_ACCEPTED))
        return fail(c, "Invalid action: ", "%.200s", c->sub->action);
    if (!rs_fault_active(c->s, RS_F_MISSING_INPUTS_ACCEPTED)) {
        hitl_buf missing;
        hitl_buf_init(&missing, 65536);
        cJSON_ArrayForEach(field, f->inputs)
        {
            const char *name = rs_json_str(field, "output_variable_name");
            if (!cJSON_GetObjectItemCaseSensitive(c->sub->inputs, name)) {
                if (missing.len)
                    hitl_buf_append_str(&missing, ", ");
                hitl_buf_append_str(&missing, name);
            }
        }
        int rc = missing.len ? fail(c, "Missing required inputs: ", "%s", hitl_buf_str(&missing))
                             : HITL_OK;
        hitl_buf_free(&missing);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < c->nremote; i++) {
        int rc = check_remote(c, &c->remotes[i]);
        if (rc)
            return rc;
    }
    return HITL_OK;
}

int rs_validate_submit(hitl_refserver *s, const rs_run *run, const rs_submission *sub, char *msg,
                       size_t cap)
{
    vctx c = {s, run, sub, msg, cap, NULL, 0, 0};
    msg[0] = '\0';
    int rc = validate(&c);
    free(c.remotes);
    return rc;
}
