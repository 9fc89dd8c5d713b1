/* form.h: the typed Human Input form and its validator.
 *
 * One model for both places a form definition appears (§4.2 of the contract):
 *   - the GET form response (E3 SVC; E7 WEB adds `site`), actions under `user_actions`;
 *   - the `data` object of a `human_input_required` event (§2.1), actions under `actions`,
 *     plus form_id, node_id, node_title, display_in_ui and form_token (string or null).
 *
 * Parsing is also validation: the parser never stops at a problem; it records every one
 * as {path, message} (e.g. `$.user_actions[1].id` / `does not match ^[A-Za-z_][A-Za-z0-9_]*$`)
 * and keeps whatever is usable. Only input that is not JSON, or not a JSON object, is a
 * hard error. Extra keys are ignored, as Dify's pydantic models ignore them.
 *
 * A hitl_form is built only by hitl_form_parse/hitl_form_from_json and freed by
 * hitl_form_free; its fields are public for reading and must not be modified. */
#ifndef HITL_FORM_H
#define HITL_FORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hitl/err.h"
#include "hitl/json.h"

/* Caps that bound memory for hostile input; hitting one is itself a reported problem. */
#define HITL_FORM_MAX_ITEMS 1000    /* entries read from any one array or object */
#define HITL_FORM_MAX_PROBLEMS 1000 /* problems listed (one more says the rest were cut) */
#define HITL_FORM_MAX_BYTES (16u << 20)

typedef enum hitl_form_kind {
    HITL_FORM_AUTO = 0, /* parse only: event data if `actions` or `form_id` is present, else GET */
    HITL_FORM_GET,      /* the GET form response, SVC or WEB */
    HITL_FORM_EVENT     /* the `data` of a human_input_required event */
} hitl_form_kind;

typedef enum hitl_input_type {
    HITL_INPUT_UNKNOWN = 0, /* missing, not a string, or a name hitlcheck does not know */
    HITL_INPUT_PARAGRAPH,   /* "paragraph" */
    HITL_INPUT_SELECT,      /* "select" (1.15+) */
    HITL_INPUT_FILE,        /* "file" (1.15+) */
    HITL_INPUT_FILE_LIST,   /* "file-list" (1.15+) */
    HITL_INPUT_TEXT_INPUT   /* "text_input" (1.13-1.14 only) */
} hitl_input_type;

typedef struct hitl_strlist {
    char **items; /* the string elements in order; non-strings are skipped (and reported) */
    size_t count;
} hitl_strlist;

/* A paragraph's `default` (Dify's StringSource). */
typedef struct hitl_form_default {
    bool present;          /* false when `default` is absent or null */
    char *type;            /* "constant" or "variable"; NULL when missing or invalid */
    hitl_strlist selector; /* empty when absent */
    char *value;           /* "" when absent */
} hitl_form_default;

/* A select's `option_source` (Dify's StringListSource). */
typedef struct hitl_form_options {
    bool present; /* false when missing or not an object */
    char *type;   /* "constant" or "variable"; NULL when missing or invalid */
    hitl_strlist selector;
    hitl_strlist value; /* the options */
} hitl_form_options;

typedef struct hitl_form_input {
    hitl_input_type type;
    char *type_name;                 /* the `type` string as sent; NULL when missing/not a string */
    char *output_variable_name;      /* NULL when missing or not a string */
    hitl_form_default def;           /* paragraph and text_input */
    hitl_form_options options;       /* select */
    hitl_strlist allowed_file_types; /* file and file-list */
    hitl_strlist allowed_file_extensions;
    hitl_strlist allowed_file_upload_methods;
    int64_t number_limits; /* file-list; 0 (the model default) = no count limit */
} hitl_form_input;

typedef struct hitl_form_action {
    char *id;           /* NULL when missing or not a string */
    char *title;        /* NULL when missing or not a string */
    char *button_style; /* "default" when absent (the model default); NULL when invalid type */
} hitl_form_action;

/* One resolved_default_values entry. GET stringifies every value (§4.3); the event may
 * carry other JSON values, which are kept as their compact JSON text with is_json set. */
typedef struct hitl_form_value {
    char *name;
    char *value;
    bool is_json;
} hitl_form_value;

typedef struct hitl_form_problem {
    char *path;    /* "$.user_actions[1].id" */
    char *message; /* "does not match ^[A-Za-z_][A-Za-z0-9_]*$" (one line, no newline) */
} hitl_form_problem;

typedef struct hitl_form {
    hitl_form_kind kind; /* GET or EVENT, never AUTO */

    char *form_content;                               /* NULL when missing or not a string */
    bool has_inputs, has_actions, has_default_values; /* the key was there with the right type */
    hitl_form_input *inputs;
    size_t n_inputs;
    hitl_form_action *actions; /* `user_actions` (GET) or `actions` (event) */
    size_t n_actions;
    hitl_form_value *default_values;
    size_t n_default_values;
    hitl_json_field expiration_state; /* HITL_JSON_OK: expiration_time holds the value */
    int64_t expiration_time;          /* Unix seconds */

    char *site_json; /* GET from WEB: the `site` object as compact JSON; NULL when absent */

    /* Event data only. */
    char *form_id, *node_id, *node_title;
    hitl_json_field display_in_ui_state;
    bool display_in_ui;
    hitl_json_field form_token_state; /* HITL_JSON_OK (string) or HITL_JSON_NULL are valid */
    char *form_token;                 /* NULL unless a string */

    hitl_form_problem *problems;
    size_t n_problems;
} hitl_form;

/* hitl_form_parse parses |len| bytes of JSON text as a form of |kind|. Returns 0 and sets
 * *out (free with hitl_form_free) whether or not the form has problems; HITL_E_TOO_BIG when
 * len > max_len; HITL_E_PARSE when the text is not JSON; HITL_E_INVALID when it is JSON but
 * not an object; HITL_E_NOMEM. On error *out is NULL. */
int hitl_form_parse(const char *text, size_t len, size_t max_len, hitl_form_kind kind,
                    hitl_form **out, hitl_err *err);

/* hitl_form_from_json is hitl_form_parse over an already parsed value (|root| stays the
 * caller's; the form copies what it keeps). */
int hitl_form_from_json(const cJSON *root, hitl_form_kind kind, hitl_form **out, hitl_err *err);

/* The kind AUTO resolves to for |root|. */
hitl_form_kind hitl_form_detect_kind(const cJSON *root);

void hitl_form_free(hitl_form *f);

static inline bool hitl_form_is_valid(const hitl_form *f)
{
    return f->n_problems == 0;
}

/* The input whose output_variable_name is |name| (the first, if duplicated), or NULL. */
const hitl_form_input *hitl_form_find_input(const hitl_form *f, const char *name);
/* The action whose id is |id| (the first, if duplicated), or NULL. */
const hitl_form_action *hitl_form_find_action(const hitl_form *f, const char *id);

/* hitl_form_to_json writes the normalized form: known keys only, in a fixed order, model
 * defaults filled in (button_style "default", paragraph default null, file lists [],
 * number_limits 0), each key present only when the parsed form had it usable. Event kind
 * uses `actions`, GET `user_actions`. Parsing the output with the same kind gives a form
 * that serializes to the same bytes. Returns 0 and a malloc'd string in *out; HITL_E_NOMEM. */
int hitl_form_to_json(const hitl_form *f, bool pretty, char **out, hitl_err *err);

/* "paragraph", "select", "file", "file-list", "text_input"; "unknown". */
const char *hitl_input_type_name(hitl_input_type t);
hitl_input_type hitl_input_type_from_name(const char *name);
/* "auto", "get", "event". */
const char *hitl_form_kind_name(hitl_form_kind k);

#endif
