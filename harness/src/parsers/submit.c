/* submit.c: the submission body builder (§7.1), valid and deliberately invalid. The body
 * is kept as a cJSON tree whose top level holds the known keys first, in the order
 * inputs, action, user, then any other key; its estimated printed size is tracked so the
 * cap holds while the body is built, not only when it is printed. */
#include "hitl/submit.h"

#include <stdlib.h>
#include <string.h>
#include "hitl/json.h"

#define SUBMIT_MAX_MEMBERS 4096 /* keys per object, items per file list */

struct hitl_submit {
    cJSON *root;
    size_t max_bytes;
    size_t bytes; /* estimated compact size of root (escapes not counted) */
};

static const char *const TOP_ORDER[] = {"inputs", "action", "user"};

/* Estimated compact JSON size of |v|. Values come from this builder or hitl_json_parse,
 * so the recursion is at most HITL_JSON_MAX_DEPTH deep. */
static size_t est(const cJSON *v)
{
    if (cJSON_IsString(v))
        return (v->valuestring ? strlen(v->valuestring) : 0) + 2;
    if (cJSON_IsRaw(v))
        return v->valuestring ? strlen(v->valuestring) : 0;
    if (cJSON_IsNumber(v))
        return 24;
    if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
        size_t n = 2;
        for (const cJSON *c = v->child; c; c = c->next)
            n += est(c) + 1 + (c->string ? strlen(c->string) + 3 : 0);
        return n;
    }
    return 5; /* true, false, null */
}

static size_t member_est(const char *key, const cJSON *v)
{
    return strlen(key) + 4 + est(v);
}

int hitl_submit_new(hitl_submit **out, size_t max_bytes, hitl_err *err)
{
    *out = NULL;
    if (max_bytes && max_bytes < 64)
        return hitl_err_set(err, HITL_E_ARG, "a submission cap of %zu bytes is too small (min 64)",
                            max_bytes);
    hitl_submit *s = calloc(1, sizeof *s);
    cJSON *root = cJSON_CreateObject();
    if (!s || !root || !cJSON_AddObjectToObject(root, "inputs")) {
        free(s);
        cJSON_Delete(root);
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory creating a submission builder");
    }
    s->root = root;
    s->max_bytes = max_bytes ? max_bytes : HITL_SUBMIT_DEFAULT_MAX;
    s->bytes = est(root);
    *out = s;
    return HITL_OK;
}

void hitl_submit_free(hitl_submit *s)
{
    if (!s)
        return;
    cJSON_Delete(s->root);
    free(s);
}

/* Where a new top-level |key| goes: after the known keys that precede it, or at the end. */
static int top_index(const hitl_submit *s, const char *key)
{
    int idx = 0;
    for (size_t i = 0; i < sizeof TOP_ORDER / sizeof TOP_ORDER[0]; i++) {
        if (!strcmp(TOP_ORDER[i], key))
            return idx;
        if (cJSON_GetObjectItemCaseSensitive(s->root, TOP_ORDER[i]))
            idx++;
    }
    return -1;
}

/* Puts |v| (owned: deleted on failure) at |key| of |obj|, in place when the key exists,
 * else at index |at| (-1 = append). */
static int put_member(hitl_submit *s, cJSON *obj, const char *key, cJSON *v, int at, hitl_err *err)
{
    if (!v)
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory building a submission");
    cJSON *old = cJSON_GetObjectItemCaseSensitive(obj, key);
    size_t add = member_est(key, v);
    size_t sub = old ? member_est(key, old) : 0;
    if (s->bytes - sub > s->max_bytes - add || add > s->max_bytes) {
        cJSON_Delete(v);
        return hitl_err_set(err, HITL_E_TOO_BIG,
                            "setting \"%.40s\" would make the submission pass its %zu-byte cap",
                            key, s->max_bytes);
    }
    if (old) {
        if (!cJSON_ReplaceItemInObjectCaseSensitive(obj, key, v)) {
            cJSON_Delete(v);
            return hitl_err_set(err, HITL_E_NOMEM, "out of memory building a submission");
        }
    } else {
        if (cJSON_GetArraySize(obj) >= SUBMIT_MAX_MEMBERS) {
            cJSON_Delete(v);
            return hitl_err_set(err, HITL_E_TOO_BIG, "a submission object may hold at most %d keys",
                                SUBMIT_MAX_MEMBERS);
        }
        if (!cJSON_AddItemToObject(obj, key, v)) {
            cJSON_Delete(v);
            return hitl_err_set(err, HITL_E_NOMEM, "out of memory building a submission");
        }
        /* Rotate the members after |at| behind the new one. (Not cJSON_InsertItemInArray:
         * Debian's patched 1.7.15 refuses to insert into the middle of a list.) */
        for (int n = at >= 0 ? cJSON_GetArraySize(obj) - 1 - at : 0; n > 0; n--) {
            cJSON *moved = cJSON_DetachItemViaPointer(obj, cJSON_GetArrayItem(obj, at));
            cJSON_AddItemToArray(obj, moved);
        }
    }
    s->bytes = s->bytes - sub + add;
    return HITL_OK;
}

static void drop_member(hitl_submit *s, cJSON *obj, const char *key)
{
    cJSON *old = cJSON_DetachItemFromObjectCaseSensitive(obj, key);
    if (old) {
        s->bytes -= member_est(key, old);
        cJSON_Delete(old);
    }
}

static int inputs_obj(hitl_submit *s, cJSON **out, hitl_err *err)
{
    cJSON *in = cJSON_GetObjectItemCaseSensitive(s->root, "inputs");
    if (!cJSON_IsObject(in))
        return hitl_err_set(
            err, HITL_E_STATE,
            "the submission's `inputs` is %s, not an object; set it back with "
            "hitl_submit_set_field_raw(s, \"inputs\", \"{}\") before setting inputs",
            in ? hitl_json_type_name(in) : "omitted");
    *out = in;
    return HITL_OK;
}

static int check_name(const char *name, const void *value, hitl_err *err)
{
    if (!name || !value)
        return hitl_err_set(err, HITL_E_ARG, "a submission key and its value must not be NULL");
    return HITL_OK;
}

int hitl_submit_set_string(hitl_submit *s, const char *name, const char *value, hitl_err *err)
{
    cJSON *in = NULL;
    int rc = check_name(name, value, err);
    if (!rc)
        rc = inputs_obj(s, &in, err);
    if (rc)
        return rc;
    return put_member(s, in, name, cJSON_CreateString(value), -1, err);
}

const char *hitl_transfer_method_name(hitl_transfer_method m)
{
    switch (m) {
    case HITL_TRANSFER_LOCAL_FILE:
        return "local_file";
    case HITL_TRANSFER_REMOTE_URL:
        return "remote_url";
    }
    return "unknown";
}

/* Puts |v| under |key|, a string literal: cJSON borrows the key rather than copying it
 * (cJSON_AddItemToObjectCS), one allocation less per member of every file mapping. Deletes
 * |v| and returns false when it cannot. */
static bool put_literal_key(cJSON *o, const char *key, cJSON *v)
{
    if (v && cJSON_AddItemToObjectCS(o, key, v))
        return true;
    cJSON_Delete(v);
    return false;
}

/* The §7.1 file mapping, keys in the order of Dify's examples. */
static int file_mapping(const hitl_file_ref *ref, cJSON **out, hitl_err *err)
{
    *out = NULL;
    if (!ref)
        return hitl_err_set(err, HITL_E_ARG, "a file reference must not be NULL");
    const char *key = NULL, *val = NULL;
    if (ref->method == HITL_TRANSFER_LOCAL_FILE) {
        key = "upload_file_id";
        val = ref->upload_file_id;
    } else if (ref->method == HITL_TRANSFER_REMOTE_URL) {
        key = "url";
        val = ref->url;
    } else {
        return hitl_err_set(err, HITL_E_ARG,
                            "unknown transfer method %d; use HITL_TRANSFER_LOCAL_FILE or "
                            "HITL_TRANSFER_REMOTE_URL (or hitl_submit_set_raw_json for a bad one)",
                            (int)ref->method);
    }
    if (!val)
        return hitl_err_set(err, HITL_E_ARG, "a %s file reference needs `%s`",
                            hitl_transfer_method_name(ref->method), key);
    /* The method's name is a literal too: referenced, not copied. */
    cJSON *m = cJSON_CreateObject();
    if (!m ||
        !put_literal_key(m, "transfer_method",
                         cJSON_CreateStringReference(hitl_transfer_method_name(ref->method))) ||
        !put_literal_key(m, key, cJSON_CreateString(val)) ||
        (ref->type && !put_literal_key(m, "type", cJSON_CreateString(ref->type)))) {
        cJSON_Delete(m);
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory building a file mapping");
    }
    *out = m;
    return HITL_OK;
}

int hitl_submit_set_file(hitl_submit *s, const char *name, const hitl_file_ref *ref, hitl_err *err)
{
    cJSON *in = NULL, *m = NULL;
    int rc = check_name(name, ref, err);
    if (!rc)
        rc = inputs_obj(s, &in, err);
    if (!rc)
        rc = file_mapping(ref, &m, err);
    if (rc)
        return rc;
    return put_member(s, in, name, m, -1, err);
}

int hitl_submit_add_file_list_item(hitl_submit *s, const char *name, const hitl_file_ref *ref,
                                   hitl_err *err)
{
    cJSON *in = NULL, *m = NULL;
    int rc = check_name(name, "", err);
    if (!rc)
        rc = inputs_obj(s, &in, err);
    if (!rc && ref)
        rc = file_mapping(ref, &m, err);
    if (rc)
        return rc;
    cJSON *list = cJSON_GetObjectItemCaseSensitive(in, name);
    if (!cJSON_IsArray(list)) {
        cJSON *fresh = cJSON_CreateArray();
        if (fresh && m && !cJSON_AddItemToArray(fresh, m)) {
            cJSON_Delete(fresh);
            fresh = NULL;
        } else if (!fresh) {
            cJSON_Delete(m);
        }
        return put_member(s, in, name, fresh, -1, err);
    }
    if (!m)
        return HITL_OK;
    size_t add = est(m) + 1;
    if (cJSON_GetArraySize(list) >= SUBMIT_MAX_MEMBERS || add > s->max_bytes - s->bytes ||
        add > s->max_bytes) {
        cJSON_Delete(m);
        return hitl_err_set(err, HITL_E_TOO_BIG,
                            "adding to file list \"%.40s\" would pass the submission's caps "
                            "(%d items, %zu bytes)",
                            name, SUBMIT_MAX_MEMBERS, s->max_bytes);
    }
    if (!cJSON_AddItemToArray(list, m)) {
        cJSON_Delete(m);
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory building a file list");
    }
    s->bytes += add;
    return HITL_OK;
}

static int parse_value(const hitl_submit *s, const char *json, cJSON **out, hitl_err *err)
{
    int rc = hitl_json_parse(json, strlen(json), s->max_bytes, out, err);
    if (rc)
        hitl_err_prefix(err, "raw JSON for a submission value");
    return rc;
}

int hitl_submit_set_raw_json(hitl_submit *s, const char *name, const char *json, hitl_err *err)
{
    cJSON *in = NULL, *v = NULL;
    int rc = check_name(name, json, err);
    if (!rc)
        rc = inputs_obj(s, &in, err);
    if (!rc)
        rc = parse_value(s, json, &v, err);
    if (rc)
        return rc;
    return put_member(s, in, name, v, -1, err);
}

int hitl_submit_omit(hitl_submit *s, const char *name, hitl_err *err)
{
    cJSON *in = NULL;
    int rc = check_name(name, "", err);
    if (!rc)
        rc = inputs_obj(s, &in, err);
    if (rc)
        return rc;
    drop_member(s, in, name);
    return HITL_OK;
}

static int set_top(hitl_submit *s, const char *key, cJSON *v, hitl_err *err)
{
    return put_member(s, s->root, key, v, top_index(s, key), err);
}

int hitl_submit_set_action(hitl_submit *s, const char *action, hitl_err *err)
{
    if (!action)
        return hitl_submit_omit_field(s, "action", err);
    return set_top(s, "action", cJSON_CreateString(action), err);
}

int hitl_submit_set_user(hitl_submit *s, const char *user, hitl_err *err)
{
    if (!user)
        return hitl_submit_omit_field(s, "user", err);
    return set_top(s, "user", cJSON_CreateString(user), err);
}

int hitl_submit_set_field_raw(hitl_submit *s, const char *key, const char *json, hitl_err *err)
{
    cJSON *v = NULL;
    int rc = check_name(key, json, err);
    if (!rc)
        rc = parse_value(s, json, &v, err);
    if (rc)
        return rc;
    return set_top(s, key, v, err);
}

int hitl_submit_omit_field(hitl_submit *s, const char *key, hitl_err *err)
{
    int rc = check_name(key, "", err);
    if (rc)
        return rc;
    drop_member(s, s->root, key);
    return HITL_OK;
}

int hitl_submit_to_json(const hitl_submit *s, char **out, hitl_err *err)
{
    *out = NULL;
    char *text = cJSON_PrintUnformatted(s->root);
    if (!text)
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory printing a submission");
    size_t len = strlen(text);
    if (len > s->max_bytes) {
        free(text);
        return hitl_err_set(err, HITL_E_TOO_BIG,
                            "the submission prints as %zu bytes, over its %zu-byte cap", len,
                            s->max_bytes);
    }
    *out = text;
    return HITL_OK;
}

const cJSON *hitl_submit_body(const hitl_submit *s)
{
    return s->root;
}

/* ---- a valid submission for a form ---- */

bool hitl_submit_allows(const hitl_strlist *l, const char *s)
{
    if (l->count == 0)
        return true;
    for (size_t i = 0; i < l->count; i++)
        if (l->items[i] && !strcmp(l->items[i], s))
            return true;
    return false;
}

/* Whether input |x| takes |r| as a valid file (is_file_valid_with_config, with the type the
 * check layer detected): 0, or HITL_E_ARG naming what it does not take. */
static int ref_fits(const hitl_form_input *x, const hitl_file_ref *r, hitl_err *err)
{
    const char *name = x->output_variable_name;
    const char *method = hitl_transfer_method_name(r->method);
    if (!hitl_submit_allows(&x->allowed_file_upload_methods, method))
        return hitl_err_set(err, HITL_E_ARG, "input '%s' does not take files by %s", name, method);
    if (!r->type)
        return hitl_err_set(err, HITL_E_ARG,
                            "a file for input '%s' has no `type`: Dify's strict type validation "
                            "rejects it (give the detected type)",
                            name);
    if (!strcmp(r->type, "custom") ? x->allowed_file_extensions.count == 0
                                   : !hitl_submit_allows(&x->allowed_file_types, r->type))
        return hitl_err_set(err, HITL_E_ARG, "input '%s' does not take %s files", name,
                            !strcmp(r->type, "custom") ? "custom (it lists no extensions)"
                                                       : r->type);
    return HITL_OK;
}

static const hitl_submit_files *files_of(const hitl_submit_hints *h, const char *name)
{
    for (size_t i = 0; i < h->n_files; i++)
        if (h->files[i].input && !strcmp(h->files[i].input, name))
            return &h->files[i];
    return NULL;
}

static int fill_files(hitl_submit *s, const hitl_form_input *x, const hitl_submit_hints *h,
                      hitl_err *err)
{
    const char *name = x->output_variable_name;
    bool list = x->type == HITL_INPUT_FILE_LIST;
    const hitl_submit_files *f = files_of(h, name);
    if (!f)
        return hitl_err_set(err, HITL_E_ARG,
                            "file%s input '%s' needs its files in hints->files (the check layer "
                            "uploads them)",
                            list ? "-list" : "", name);
    if (!list && f->n_refs != 1)
        return hitl_err_set(err, HITL_E_ARG, "file input '%s' takes exactly one file, not %zu",
                            name, f->n_refs);
    if (list && x->number_limits > 0 && (uint64_t)f->n_refs > (uint64_t)x->number_limits)
        return hitl_err_set(err, HITL_E_ARG,
                            "file-list input '%s' takes at most %lld files (number_limits), not "
                            "%zu",
                            name, (long long)x->number_limits, f->n_refs);
    for (size_t i = 0; i < f->n_refs; i++) {
        int rc = ref_fits(x, &f->refs[i], err);
        if (rc)
            return rc;
    }
    if (!list)
        return hitl_submit_set_file(s, name, &f->refs[0], err);
    /* Start from an empty list so a refill replaces the old items. */
    int rc = hitl_submit_set_raw_json(s, name, "[]", err);
    for (size_t i = 0; i < f->n_refs && !rc; i++)
        rc = hitl_submit_add_file_list_item(s, name, &f->refs[i], err);
    return rc;
}

int hitl_submit_fill_valid(hitl_submit *s, const hitl_form *form, const hitl_submit_hints *hints,
                           hitl_err *err)
{
    static const hitl_submit_hints none = {0};
    const hitl_submit_hints *h = hints ? hints : &none;
    /* The action first: it is cheap to check and no input can make up for its lack. */
    const char *action = h->action;
    if (action && !hitl_form_find_action(form, action))
        return hitl_err_set(err, HITL_E_ARG, "hints->action \"%.40s\" is not an action of the form",
                            action);
    for (size_t i = 0; !action && i < form->n_actions; i++)
        action = form->actions[i].id;
    if (!action)
        return hitl_err_set(err, HITL_E_INVALID, "the form has no actions, so no valid submission");
    int rc = HITL_OK;
    for (size_t i = 0; i < form->n_inputs && !rc; i++) {
        const hitl_form_input *x = &form->inputs[i];
        if (!x->output_variable_name)
            continue;
        switch (x->type) {
        case HITL_INPUT_SELECT:
            if (x->options.value.count == 0)
                return hitl_err_set(err, HITL_E_INVALID,
                                    "select input '%s' offers no options (a variable source the "
                                    "server did not resolve?); no valid value exists",
                                    x->output_variable_name);
            rc = hitl_submit_set_string(s, x->output_variable_name, x->options.value.items[0], err);
            break;
        case HITL_INPUT_FILE:
        case HITL_INPUT_FILE_LIST:
            rc = fill_files(s, x, h, err);
            break;
        case HITL_INPUT_PARAGRAPH:
        case HITL_INPUT_TEXT_INPUT:
        case HITL_INPUT_UNKNOWN:
            rc = hitl_submit_set_string(s, x->output_variable_name, h->text ? h->text : "hitlcheck",
                                        err);
            break;
        }
    }
    if (rc)
        return rc;
    rc = hitl_submit_set_action(s, action, err);
    if (!rc && h->user)
        rc = hitl_submit_set_user(s, h->user, err);
    return rc;
}
