/* form.c: parse and validate a Human Input form definition (§2.1, §4.2 of the contract)
 * into the typed hitl_form, and write it back as normalized JSON.
 *
 * The rules follow Dify's pydantic models (graphon `nodes/human_input/entities.py`):
 * keys with a model default may be absent (button_style, default, selector, value, the
 * file lists, number_limits); keys without one are required. */
#include "hitl/form.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACTION_ID_MAX 20
#define ACTION_TITLE_MAX 100
#define SELECTOR_MIN 2 /* graphon SELECTORS_LENGTH */
#define QUOTE_BYTES 60 /* input bytes quoted in a message */
#define QUOTE_BUF 400

static const char *const BUTTON_STYLES[] = {"primary", "default", "accent", "ghost", NULL};
static const char *const FILE_TYPES[] = {"image", "document", "audio", "video", "custom", NULL};
static const char *const UPLOAD_METHODS[] = {"local_file", "remote_url", NULL};
static const char *const SOURCE_TYPES[] = {"constant", "variable", NULL};
static const char ID_PATTERN[] = "^[A-Za-z_][A-Za-z0-9_]*$";

/* The state of one parse: the form being filled, where the walk is, and the first hard
 * failure (only HITL_E_NOMEM), after which every helper is a no-op. */
typedef struct pctx {
    hitl_form *f;
    hitl_json_path path;
    size_t problems_cap;
    int rc;
} pctx;

enum want { W_STRING, W_ARRAY, W_OBJECT, W_BOOL };
static const char *const WANT_NAME[] = {"a string", "an array", "an object", "a boolean"};

static bool has_type(const cJSON *it, enum want w)
{
    switch (w) {
    case W_STRING:
        return cJSON_IsString(it) && it->valuestring;
    case W_ARRAY:
        return cJSON_IsArray(it);
    case W_OBJECT:
        return cJSON_IsObject(it);
    case W_BOOL:
        return cJSON_IsBool(it);
    }
    return false;
}

static bool in_set(const char *s, const char *const *set)
{
    for (; *set; set++)
        if (!strcmp(s, *set))
            return true;
    return false;
}

static const char *quote(const char *s, char *buf)
{
    return hitl_json_excerpt(s, strlen(s), QUOTE_BYTES, buf, QUOTE_BUF);
}

static void problem(pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(pctx *c, const char *fmt, ...)
{
    hitl_form *f = c->f;
    if (c->rc || f->n_problems > HITL_FORM_MAX_PROBLEMS)
        return;
    if (f->n_problems == c->problems_cap) {
        size_t cap = c->problems_cap ? c->problems_cap * 2 : 8;
        hitl_form_problem *p = realloc(f->problems, cap * sizeof *p);
        if (!p) {
            c->rc = HITL_E_NOMEM;
            return;
        }
        f->problems = p;
        c->problems_cap = cap;
    }
    char msg[512];
    const char *path = c->path.buf;
    if (f->n_problems == HITL_FORM_MAX_PROBLEMS) {
        path = "$";
        snprintf(msg, sizeof msg, "more than %d problems; the rest are not listed",
                 HITL_FORM_MAX_PROBLEMS);
    } else {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
    }
    hitl_form_problem *p = &f->problems[f->n_problems];
    p->path = strdup(path);
    p->message = strdup(msg);
    if (!p->path || !p->message) {
        free(p->path);
        free(p->message);
        c->rc = HITL_E_NOMEM;
        return;
    }
    f->n_problems++;
}

/* problem() at <current path>.<key>. */
static void problem_key(pctx *c, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void problem_key(pctx *c, const char *key, const char *fmt, ...)
{
    size_t mark = hitl_json_path_push_key(&c->path, key);
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    problem(c, "%s", msg);
    hitl_json_path_pop(&c->path, mark);
}

static char *dup(pctx *c, const char *s)
{
    if (c->rc)
        return NULL;
    char *d = strdup(s);
    if (!d)
        c->rc = HITL_E_NOMEM;
    return d;
}

static void *alloc_array(pctx *c, size_t n, size_t size)
{
    if (c->rc)
        return NULL;
    void *p = calloc(n ? n : 1, size);
    if (!p)
        c->rc = HITL_E_NOMEM;
    return p;
}

/* Looks |key| up in |obj| and returns it when it has the wanted type. A missing key is
 * reported when |required|; null is returned as NULL silently when |null_ok|; any other
 * type is reported. */
static const cJSON *field(pctx *c, const cJSON *obj, const char *key, enum want w, bool required,
                          bool null_ok)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!it) {
        if (required)
            problem_key(c, key, "required key is missing");
        return NULL;
    }
    if (has_type(it, w))
        return it;
    if (null_ok && cJSON_IsNull(it))
        return NULL;
    problem_key(c, key, "must be %s%s, got %s", WANT_NAME[w], null_ok ? " or null" : "",
                hitl_json_type_name(it));
    return NULL;
}

/* Reads an integer field exactly (see hitl_json_int64), reporting what is wrong with it. */
static hitl_json_field int_field(pctx *c, const cJSON *obj, const char *key, bool required,
                                 bool null_ok, int64_t *out)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    hitl_json_field r = hitl_json_int64(it, out);
    switch (r) {
    case HITL_JSON_OK:
        break;
    case HITL_JSON_ABSENT:
        if (required)
            problem_key(c, key, "required key is missing");
        break;
    case HITL_JSON_NULL:
        if (!null_ok)
            problem_key(c, key, "must be an integer, got null");
        break;
    case HITL_JSON_WRONG_TYPE:
        problem_key(c, key, "must be an integer%s, got %s", null_ok ? " or null" : "",
                    hitl_json_type_name(it));
        break;
    case HITL_JSON_NOT_INTEGER:
        problem_key(c, key, "must be an integer, got %.15g", it->valuedouble);
        break;
    case HITL_JSON_INEXACT:
        problem_key(c, key,
                    "integer is outside +/-9007199254740991 (2^53-1) and cannot be read exactly");
        break;
    }
    return r;
}

/* The number of entries to read from an array or object at the current path, reporting
 * when the cap cuts it. */
static size_t capped_len(pctx *c, const cJSON *container)
{
    int n = cJSON_GetArraySize(container);
    if (n > HITL_FORM_MAX_ITEMS) {
        problem(c, "has %d entries; only the first %d are read", n, HITL_FORM_MAX_ITEMS);
        return HITL_FORM_MAX_ITEMS;
    }
    return n > 0 ? (size_t)n : 0;
}

/* An optional array of strings (absent = empty, the model default). Elements outside
 * |allowed| (when given) are reported but kept, so the typed form shows what was sent. */
static void read_strlist(pctx *c, const cJSON *obj, const char *key, const char *const *allowed,
                         const char *allowed_text, hitl_strlist *out)
{
    const cJSON *arr = field(c, obj, key, W_ARRAY, false, false);
    if (!arr)
        return;
    size_t mark = hitl_json_path_push_key(&c->path, key);
    size_t n = capped_len(c, arr);
    out->items = alloc_array(c, n, sizeof *out->items);
    size_t i = 0;
    char qb[QUOTE_BUF];
    for (const cJSON *e = arr->child; e && i < n && !c->rc; e = e->next, i++) {
        size_t m = hitl_json_path_push_index(&c->path, i);
        if (!has_type(e, W_STRING)) {
            problem(c, "must be a string, got %s", hitl_json_type_name(e));
        } else {
            if (allowed && !in_set(e->valuestring, allowed))
                problem(c, "%s is not one of %s", quote(e->valuestring, qb), allowed_text);
            char *s = dup(c, e->valuestring);
            if (s)
                out->items[out->count++] = s;
        }
        hitl_json_path_pop(&c->path, m);
    }
    hitl_json_path_pop(&c->path, mark);
}

static bool strlist_has(const hitl_strlist *l, const char *s)
{
    for (size_t i = 0; i < l->count; i++)
        if (!strcmp(l->items[i], s))
            return true;
    return false;
}

/* `type` (required, constant|variable) and `selector` (optional list) of a value source. */
static void read_source_head(pctx *c, const cJSON *o, char **type, hitl_strlist *selector)
{
    char qb[QUOTE_BUF];
    const cJSON *t = field(c, o, "type", W_STRING, true, false);
    if (t) {
        if (in_set(t->valuestring, SOURCE_TYPES))
            *type = dup(c, t->valuestring);
        else
            problem_key(c, "type", "%s is not one of constant, variable",
                        quote(t->valuestring, qb));
    }
    read_strlist(c, o, "selector", NULL, NULL, selector);
}

/* A paragraph's `default`: StringSource or null; a variable source needs a selector of at
 * least two elements (graphon `_validate_selector`). */
static void read_default(pctx *c, const cJSON *in, hitl_form_default *d)
{
    const cJSON *o = field(c, in, "default", W_OBJECT, false, true);
    if (!o)
        return;
    size_t mark = hitl_json_path_push_key(&c->path, "default");
    d->present = true;
    read_source_head(c, o, &d->type, &d->selector);
    const cJSON *v = field(c, o, "value", W_STRING, false, false);
    d->value = dup(c, v ? v->valuestring : "");
    if (d->type && !strcmp(d->type, "variable")) {
        const cJSON *sel = cJSON_GetObjectItemCaseSensitive(o, "selector");
        int n = cJSON_IsArray(sel) ? cJSON_GetArraySize(sel) : 0;
        if (n < SELECTOR_MIN)
            problem_key(c, "selector", "a variable selector needs at least %d elements, got %d",
                        SELECTOR_MIN, n);
    }
    hitl_json_path_pop(&c->path, mark);
}

/* A select's `option_source` (StringListSource, required). */
static void read_options(pctx *c, const cJSON *in, hitl_form_options *opts)
{
    const cJSON *o = field(c, in, "option_source", W_OBJECT, true, false);
    if (!o)
        return;
    size_t mark = hitl_json_path_push_key(&c->path, "option_source");
    opts->present = true;
    read_source_head(c, o, &opts->type, &opts->selector);
    read_strlist(c, o, "value", NULL, NULL, &opts->value);
    hitl_json_path_pop(&c->path, mark);
}

static void read_file_config(pctx *c, const cJSON *in, hitl_form_input *x)
{
    read_strlist(c, in, "allowed_file_types", FILE_TYPES, "image, document, audio, video, custom",
                 &x->allowed_file_types);
    read_strlist(c, in, "allowed_file_extensions", NULL, NULL, &x->allowed_file_extensions);
    read_strlist(c, in, "allowed_file_upload_methods", UPLOAD_METHODS, "local_file, remote_url",
                 &x->allowed_file_upload_methods);
    if (strlist_has(&x->allowed_file_types, "custom") && x->allowed_file_extensions.count == 0)
        problem_key(c, "allowed_file_extensions",
                    "must not be empty when allowed_file_types contains \"custom\"");
    if (x->type == HITL_INPUT_FILE_LIST) {
        int64_t n = 0;
        if (int_field(c, in, "number_limits", false, false, &n) == HITL_JSON_OK) {
            if (n < 0)
                problem_key(c, "number_limits", "must be >= 0, got %" PRId64, n);
            x->number_limits = n;
        }
    }
}

static void read_input(pctx *c, const cJSON *it, hitl_form_input *x)
{
    char qb[QUOTE_BUF];
    if (!cJSON_IsObject(it)) {
        problem(c, "must be an object, got %s", hitl_json_type_name(it));
        return;
    }
    const cJSON *t = field(c, it, "type", W_STRING, true, false);
    if (t) {
        x->type_name = dup(c, t->valuestring);
        x->type = hitl_input_type_from_name(t->valuestring);
        if (x->type == HITL_INPUT_UNKNOWN)
            problem_key(c, "type",
                        "unknown input type %s; expected one of paragraph, select, file, "
                        "file-list, text_input",
                        quote(t->valuestring, qb));
    }
    const cJSON *n = field(c, it, "output_variable_name", W_STRING, true, false);
    if (n)
        x->output_variable_name = dup(c, n->valuestring);
    switch (x->type) {
    case HITL_INPUT_PARAGRAPH:
    case HITL_INPUT_TEXT_INPUT:
        read_default(c, it, &x->def);
        break;
    case HITL_INPUT_SELECT:
        read_options(c, it, &x->options);
        break;
    case HITL_INPUT_FILE:
    case HITL_INPUT_FILE_LIST:
        read_file_config(c, it, x);
        break;
    case HITL_INPUT_UNKNOWN:
        break;
    }
}

/* Reports the second and later holders of an already-seen name, pointing at the first
 * (Dify rejects duplicated output_variable_names and action ids per node). */
static void report_duplicates(pctx *c, const char *list_key, const char *item_key, const char *what,
                              size_t count, const char *(*name_at)(const void *, size_t),
                              const void *arr)
{
    char qb[QUOTE_BUF];
    char list_path[HITL_JSON_PATH_MAX];
    size_t mark = hitl_json_path_push_key(&c->path, list_key);
    memcpy(list_path, c->path.buf, c->path.len + 1);
    for (size_t j = 1; j < count && !c->rc; j++) {
        const char *nj = name_at(arr, j);
        if (!nj)
            continue;
        for (size_t i = 0; i < j; i++) {
            const char *ni = name_at(arr, i);
            if (ni && !strcmp(ni, nj)) {
                size_t m = hitl_json_path_push_index(&c->path, j);
                problem_key(c, item_key, "duplicate %s %s (also at %s[%zu])", what, quote(nj, qb),
                            list_path, i);
                hitl_json_path_pop(&c->path, m);
                break;
            }
        }
    }
    hitl_json_path_pop(&c->path, mark);
}

static const char *input_name(const void *arr, size_t i)
{
    return ((const hitl_form_input *)arr)[i].output_variable_name;
}

static const char *action_id(const void *arr, size_t i)
{
    return ((const hitl_form_action *)arr)[i].id;
}

static void read_inputs(pctx *c, const cJSON *root)
{
    hitl_form *f = c->f;
    const cJSON *arr = field(c, root, "inputs", W_ARRAY, true, false);
    if (!arr)
        return;
    f->has_inputs = true;
    size_t mark = hitl_json_path_push_key(&c->path, "inputs");
    size_t n = capped_len(c, arr);
    f->inputs = alloc_array(c, n, sizeof *f->inputs);
    size_t i = 0;
    for (const cJSON *e = arr->child; e && i < n && !c->rc; e = e->next, i++) {
        size_t m = hitl_json_path_push_index(&c->path, i);
        f->n_inputs++;
        read_input(c, e, &f->inputs[i]);
        hitl_json_path_pop(&c->path, m);
    }
    hitl_json_path_pop(&c->path, mark);
    report_duplicates(c, "inputs", "output_variable_name", "output_variable_name", f->n_inputs,
                      input_name, f->inputs);
}

static void read_action(pctx *c, const cJSON *it, hitl_form_action *a)
{
    char qb[QUOTE_BUF];
    if (!cJSON_IsObject(it)) {
        problem(c, "must be an object, got %s", hitl_json_type_name(it));
        return;
    }
    const cJSON *id = field(c, it, "id", W_STRING, true, false);
    if (id) {
        a->id = dup(c, id->valuestring);
        const char *s = id->valuestring;
        bool ok = (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_';
        for (const char *p = s; ok && *p; p++)
            ok = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                 *p == '_';
        if (!ok)
            problem_key(c, "id", "does not match %s", ID_PATTERN);
        size_t len = hitl_json_utf8_len(s);
        if (len > ACTION_ID_MAX)
            problem_key(c, "id", "is %zu characters long; at most %d allowed", len, ACTION_ID_MAX);
    }
    const cJSON *title = field(c, it, "title", W_STRING, true, false);
    if (title) {
        a->title = dup(c, title->valuestring);
        size_t len = hitl_json_utf8_len(title->valuestring);
        if (len > ACTION_TITLE_MAX)
            problem_key(c, "title", "is %zu characters long; at most %d allowed", len,
                        ACTION_TITLE_MAX);
    }
    const cJSON *bs = cJSON_GetObjectItemCaseSensitive(it, "button_style");
    if (!bs) {
        a->button_style = dup(c, "default");
    } else if (!has_type(bs, W_STRING)) {
        problem_key(c, "button_style", "must be a string, got %s", hitl_json_type_name(bs));
    } else {
        a->button_style = dup(c, bs->valuestring);
        if (!in_set(bs->valuestring, BUTTON_STYLES))
            problem_key(c, "button_style", "%s is not one of primary, default, accent, ghost",
                        quote(bs->valuestring, qb));
    }
}

static void read_actions(pctx *c, const cJSON *root, const char *key)
{
    hitl_form *f = c->f;
    const cJSON *arr = field(c, root, key, W_ARRAY, true, false);
    if (!arr)
        return;
    f->has_actions = true;
    size_t mark = hitl_json_path_push_key(&c->path, key);
    size_t n = capped_len(c, arr);
    f->actions = alloc_array(c, n, sizeof *f->actions);
    size_t i = 0;
    for (const cJSON *e = arr->child; e && i < n && !c->rc; e = e->next, i++) {
        size_t m = hitl_json_path_push_index(&c->path, i);
        f->n_actions++;
        read_action(c, e, &f->actions[i]);
        hitl_json_path_pop(&c->path, m);
    }
    hitl_json_path_pop(&c->path, mark);
    report_duplicates(c, key, "id", "action id", f->n_actions, action_id, f->actions);
}

/* resolved_default_values: GET values must be strings (§4.3 stringification); the event
 * passes the node's mapping through, so any JSON value is kept there. */
static void read_default_values(pctx *c, const cJSON *root)
{
    hitl_form *f = c->f;
    const cJSON *obj = field(c, root, "resolved_default_values", W_OBJECT, true, false);
    if (!obj)
        return;
    f->has_default_values = true;
    size_t mark = hitl_json_path_push_key(&c->path, "resolved_default_values");
    size_t n = capped_len(c, obj);
    f->default_values = alloc_array(c, n, sizeof *f->default_values);
    size_t i = 0;
    for (const cJSON *e = obj->child; e && i < n && !c->rc; e = e->next, i++) {
        hitl_form_value *v = &f->default_values[f->n_default_values];
        v->name = dup(c, e->string ? e->string : "");
        if (has_type(e, W_STRING)) {
            v->value = dup(c, e->valuestring);
        } else {
            if (f->kind == HITL_FORM_GET)
                problem_key(c, e->string ? e->string : "",
                            "must be a string (GET stringifies default values), got %s",
                            hitl_json_type_name(e));
            v->is_json = true;
            v->value = c->rc ? NULL : cJSON_PrintUnformatted(e);
            if (!v->value)
                c->rc = HITL_E_NOMEM;
        }
        f->n_default_values++;
    }
    hitl_json_path_pop(&c->path, mark);
}

static void read_string(pctx *c, const cJSON *root, const char *key, char **out)
{
    const cJSON *s = field(c, root, key, W_STRING, true, false);
    if (s)
        *out = dup(c, s->valuestring);
}

static void read_get(pctx *c, const cJSON *root)
{
    hitl_form *f = c->f;
    read_string(c, root, "form_content", &f->form_content);
    read_inputs(c, root);
    read_default_values(c, root);
    read_actions(c, root, "user_actions");
    /* The SVC response model allows a null expiration_time (§4.2). */
    f->expiration_state = int_field(c, root, "expiration_time", true, true, &f->expiration_time);
    const cJSON *site = field(c, root, "site", W_OBJECT, false, false);
    if (site && !c->rc) {
        f->site_json = cJSON_PrintUnformatted(site);
        if (!f->site_json)
            c->rc = HITL_E_NOMEM;
    }
}

static void read_event(pctx *c, const cJSON *root)
{
    hitl_form *f = c->f;
    read_string(c, root, "form_id", &f->form_id);
    read_string(c, root, "node_id", &f->node_id);
    read_string(c, root, "node_title", &f->node_title);
    read_string(c, root, "form_content", &f->form_content);
    read_inputs(c, root);
    read_actions(c, root, "actions");
    const cJSON *d = field(c, root, "display_in_ui", W_BOOL, true, false);
    f->display_in_ui_state = d ? HITL_JSON_OK : HITL_JSON_ABSENT;
    if (d)
        f->display_in_ui = cJSON_IsTrue(d);
    const cJSON *tok = cJSON_GetObjectItemCaseSensitive(root, "form_token");
    const cJSON *ts = field(c, root, "form_token", W_STRING, true, true);
    if (ts) {
        f->form_token_state = HITL_JSON_OK;
        f->form_token = dup(c, ts->valuestring);
    } else {
        f->form_token_state = !tok                ? HITL_JSON_ABSENT
                              : cJSON_IsNull(tok) ? HITL_JSON_NULL
                                                  : HITL_JSON_WRONG_TYPE;
    }
    read_default_values(c, root);
    f->expiration_state = int_field(c, root, "expiration_time", true, false, &f->expiration_time);
}

hitl_form_kind hitl_form_detect_kind(const cJSON *root)
{
    if (cJSON_GetObjectItemCaseSensitive(root, "actions") ||
        cJSON_GetObjectItemCaseSensitive(root, "form_id"))
        return HITL_FORM_EVENT;
    return HITL_FORM_GET;
}

int hitl_form_from_json(const cJSON *root, hitl_form_kind kind, hitl_form **out, hitl_err *err)
{
    *out = NULL;
    if (!cJSON_IsObject(root))
        return hitl_err_set(err, HITL_E_INVALID, "a form definition must be a JSON object, got %s",
                            hitl_json_type_name(root));
    if (kind != HITL_FORM_GET && kind != HITL_FORM_EVENT && kind != HITL_FORM_AUTO)
        return hitl_err_set(err, HITL_E_ARG, "unknown form kind %d", (int)kind);
    hitl_form *f = calloc(1, sizeof *f);
    if (!f)
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory allocating a form");
    f->kind = kind == HITL_FORM_AUTO ? hitl_form_detect_kind(root) : kind;
    f->expiration_state = HITL_JSON_ABSENT;
    f->display_in_ui_state = HITL_JSON_ABSENT;
    f->form_token_state = HITL_JSON_ABSENT;
    pctx c = {.f = f};
    hitl_json_path_init(&c.path);
    if (f->kind == HITL_FORM_GET)
        read_get(&c, root);
    else
        read_event(&c, root);
    if (c.rc) {
        hitl_form_free(f);
        return hitl_err_set(err, c.rc, "out of memory while reading a form definition");
    }
    *out = f;
    return HITL_OK;
}

int hitl_form_parse(const char *text, size_t len, size_t max_len, hitl_form_kind kind,
                    hitl_form **out, hitl_err *err)
{
    *out = NULL;
    cJSON *root = NULL;
    int rc = hitl_json_parse(text, len, max_len, &root, err);
    if (rc)
        return rc;
    rc = hitl_form_from_json(root, kind, out, err);
    cJSON_Delete(root);
    return rc;
}

static void strlist_free(hitl_strlist *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
}

void hitl_form_free(hitl_form *f)
{
    if (!f)
        return;
    free(f->form_content);
    for (size_t i = 0; i < f->n_inputs; i++) {
        hitl_form_input *x = &f->inputs[i];
        free(x->type_name);
        free(x->output_variable_name);
        free(x->def.type);
        strlist_free(&x->def.selector);
        free(x->def.value);
        free(x->options.type);
        strlist_free(&x->options.selector);
        strlist_free(&x->options.value);
        strlist_free(&x->allowed_file_types);
        strlist_free(&x->allowed_file_extensions);
        strlist_free(&x->allowed_file_upload_methods);
    }
    free(f->inputs);
    for (size_t i = 0; i < f->n_actions; i++) {
        free(f->actions[i].id);
        free(f->actions[i].title);
        free(f->actions[i].button_style);
    }
    free(f->actions);
    for (size_t i = 0; i < f->n_default_values; i++) {
        free(f->default_values[i].name);
        free(f->default_values[i].value);
    }
    free(f->default_values);
    free(f->site_json);
    free(f->form_id);
    free(f->node_id);
    free(f->node_title);
    free(f->form_token);
    for (size_t i = 0; i < f->n_problems; i++) {
        free(f->problems[i].path);
        free(f->problems[i].message);
    }
    free(f->problems);
    free(f);
}

const hitl_form_input *hitl_form_find_input(const hitl_form *f, const char *name)
{
    for (size_t i = 0; i < f->n_inputs; i++)
        if (f->inputs[i].output_variable_name && !strcmp(f->inputs[i].output_variable_name, name))
            return &f->inputs[i];
    return NULL;
}

const hitl_form_action *hitl_form_find_action(const hitl_form *f, const char *id)
{
    for (size_t i = 0; i < f->n_actions; i++)
        if (f->actions[i].id && !strcmp(f->actions[i].id, id))
            return &f->actions[i];
    return NULL;
}

/* ---- serialization ---- */

/* Builders that remember the first allocation failure in |ok| so the caller checks once.
 * Keys are literals or strings of the form, which outlive the tree hitl_form_to_json builds
 * and deletes: cJSON_AddItemToObjectCS borrows them instead of copying each one. */
static void put(cJSON *o, const char *key, cJSON *v, bool *ok)
{
    if (!v || !cJSON_AddItemToObjectCS(o, key, v)) {
        cJSON_Delete(v);
        *ok = false;
    }
}

static void put_str(cJSON *o, const char *key, const char *s, bool *ok)
{
    if (s)
        put(o, key, cJSON_CreateString(s), ok);
}

static void put_int(cJSON *o, const char *key, int64_t v, bool *ok)
{
    char b[32];
    snprintf(b, sizeof b, "%" PRId64, v); /* raw: exact, unlike a double */
    put(o, key, cJSON_CreateRaw(b), ok);
}

static void put_strlist(cJSON *o, const char *key, const hitl_strlist *l, bool *ok)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < l->count; i++) {
        cJSON *s = cJSON_CreateString(l->items[i]);
        if (!s || !cJSON_AddItemToArray(a, s)) {
            cJSON_Delete(s);
            *ok = false;
        }
    }
    put(o, key, a, ok);
}

static cJSON *input_json(const hitl_form_input *x, bool *ok)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) {
        *ok = false;
        return NULL;
    }
    put_str(o, "type", x->type_name, ok);
    put_str(o, "output_variable_name", x->output_variable_name, ok);
    switch (x->type) {
    case HITL_INPUT_PARAGRAPH:
    case HITL_INPUT_TEXT_INPUT:
        if (x->def.present) {
            cJSON *d = cJSON_CreateObject();
            if (d) {
                put_str(d, "type", x->def.type, ok);
                put_strlist(d, "selector", &x->def.selector, ok);
                put_str(d, "value", x->def.value ? x->def.value : "", ok);
            }
            put(o, "default", d, ok);
        } else {
            put(o, "default", cJSON_CreateNull(), ok);
        }
        break;
    case HITL_INPUT_SELECT:
        if (x->options.present) {
            cJSON *s = cJSON_CreateObject();
            if (s) {
                put_str(s, "type", x->options.type, ok);
                put_strlist(s, "selector", &x->options.selector, ok);
                put_strlist(s, "value", &x->options.value, ok);
            }
            put(o, "option_source", s, ok);
        }
        break;
    case HITL_INPUT_FILE:
    case HITL_INPUT_FILE_LIST:
        put_strlist(o, "allowed_file_types", &x->allowed_file_types, ok);
        put_strlist(o, "allowed_file_extensions", &x->allowed_file_extensions, ok);
        put_strlist(o, "allowed_file_upload_methods", &x->allowed_file_upload_methods, ok);
        if (x->type == HITL_INPUT_FILE_LIST)
            put_int(o, "number_limits", x->number_limits, ok);
        break;
    case HITL_INPUT_UNKNOWN:
        break;
    }
    return o;
}

static void put_inputs(cJSON *root, const hitl_form *f, bool *ok)
{
    if (!f->has_inputs)
        return;
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < f->n_inputs; i++) {
        cJSON *x = input_json(&f->inputs[i], ok);
        if (!x || !cJSON_AddItemToArray(a, x)) {
            cJSON_Delete(x);
            *ok = false;
        }
    }
    put(root, "inputs", a, ok);
}

static void put_actions(cJSON *root, const char *key, const hitl_form *f, bool *ok)
{
    if (!f->has_actions)
        return;
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < f->n_actions; i++) {
        const hitl_form_action *x = &f->actions[i];
        cJSON *o = cJSON_CreateObject();
        if (o) {
            put_str(o, "id", x->id, ok);
            put_str(o, "title", x->title, ok);
            /* A mistyped button_style was reported; the model default stands in for it. */
            put_str(o, "button_style", x->button_style ? x->button_style : "default", ok);
        }
        if (!o || !cJSON_AddItemToArray(a, o)) {
            cJSON_Delete(o);
            *ok = false;
        }
    }
    put(root, key, a, ok);
}

static void put_default_values(cJSON *root, const hitl_form *f, bool *ok)
{
    if (!f->has_default_values)
        return;
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; o && i < f->n_default_values; i++) {
        const hitl_form_value *v = &f->default_values[i];
        put(o, v->name, v->is_json ? cJSON_CreateRaw(v->value) : cJSON_CreateString(v->value), ok);
    }
    put(root, "resolved_default_values", o, ok);
}

static void put_expiration(cJSON *root, const hitl_form *f, bool *ok)
{
    if (f->expiration_state == HITL_JSON_OK)
        put_int(root, "expiration_time", f->expiration_time, ok);
    else if (f->expiration_state == HITL_JSON_NULL && f->kind == HITL_FORM_GET)
        put(root, "expiration_time", cJSON_CreateNull(), ok);
}

int hitl_form_to_json(const hitl_form *f, bool pretty, char **out, hitl_err *err)
{
    *out = NULL;
    bool ok = true;
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory serializing a form");
    if (f->kind == HITL_FORM_EVENT) {
        put_str(root, "form_id", f->form_id, &ok);
        put_str(root, "node_id", f->node_id, &ok);
        put_str(root, "node_title", f->node_title, &ok);
        put_str(root, "form_content", f->form_content, &ok);
        put_inputs(root, f, &ok);
        put_actions(root, "actions", f, &ok);
        if (f->display_in_ui_state == HITL_JSON_OK)
            put(root, "display_in_ui", cJSON_CreateBool(f->display_in_ui), &ok);
        if (f->form_token_state == HITL_JSON_OK)
            put_str(root, "form_token", f->form_token, &ok);
        else if (f->form_token_state == HITL_JSON_NULL)
            put(root, "form_token", cJSON_CreateNull(), &ok);
        put_default_values(root, f, &ok);
        put_expiration(root, f, &ok);
    } else {
        put_str(root, "form_content", f->form_content, &ok);
        put_inputs(root, f, &ok);
        put_default_values(root, f, &ok);
        put_actions(root, "user_actions", f, &ok);
        put_expiration(root, f, &ok);
        if (f->site_json)
            put(root, "site", cJSON_CreateRaw(f->site_json), &ok);
    }
    char *s = ok ? (pretty ? cJSON_Print(root) : cJSON_PrintUnformatted(root)) : NULL;
    cJSON_Delete(root);
    if (!s)
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory serializing a form");
    *out = s;
    return HITL_OK;
}

/* ---- names ---- */

static const struct {
    hitl_input_type type;
    const char *name;
} INPUT_TYPES[] = {
    {HITL_INPUT_PARAGRAPH, "paragraph"},
    {HITL_INPUT_SELECT, "select"},
    {HITL_INPUT_FILE, "file"},
    {HITL_INPUT_FILE_LIST, "file-list"},
    {HITL_INPUT_TEXT_INPUT, "text_input"},
    /* Spelling variant: graphon's FormInputType declares FILE_LIST = enum.auto() in a StrEnum
     * (src/graphon/nodes/human_input/enums.py@251e26550bb6020c25f911b550dc512d4c47e60f), whose
     * value is "file_list", while Dify's docs and editor send "file-list". A build may serve
     * either; the name functions give the documented spelling back. */
    {HITL_INPUT_FILE_LIST, "file_list"},
};

const char *hitl_input_type_name(hitl_input_type t)
{
    for (size_t i = 0; i < sizeof INPUT_TYPES / sizeof INPUT_TYPES[0]; i++)
        if (INPUT_TYPES[i].type == t)
            return INPUT_TYPES[i].name;
    return "unknown";
}

hitl_input_type hitl_input_type_from_name(const char *name)
{
    for (size_t i = 0; i < sizeof INPUT_TYPES / sizeof INPUT_TYPES[0]; i++)
        if (!strcmp(INPUT_TYPES[i].name, name))
            return INPUT_TYPES[i].type;
    return HITL_INPUT_UNKNOWN;
}

const char *hitl_form_kind_name(hitl_form_kind k)
{
    switch (k) {
    case HITL_FORM_AUTO:
        return "auto";
    case HITL_FORM_GET:
        return "get";
    case HITL_FORM_EVENT:
        return "event";
    }
    return "unknown";
}
