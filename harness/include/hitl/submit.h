/* submit.h: building form submission bodies (§7.1 of the contract):
 *   {"inputs": {name: value, ...}, "action": "<action id>", "user": "<end user>"}
 * (`user` on SVC only). Values are strings for paragraph/select, file mappings
 * {"transfer_method":"local_file","upload_file_id":…[,"type":…]} or
 * {"transfer_method":"remote_url","url":…[,"type":…]} for `file`, lists of them for
 * `file-list`.
 *
 * The builder also makes INVALID bodies on purpose, for the conformance suites'
 * bad-input checks: omit an input or a top-level key, put any raw JSON value in place of
 * an input or a top-level key (wrong types, unknown keys, `inputs` not an object).
 *
 * Output order is stable: top-level `inputs`, `action`, `user`, then other keys in the
 * order first set; inputs in the order first set (replacing a value keeps its place).
 * Size is bounded: the content held may not pass the cap given at creation. */
#ifndef HITL_SUBMIT_H
#define HITL_SUBMIT_H

#include <stdbool.h>
#include <stddef.h>
#include "hitl/err.h"
#include "hitl/form.h"

#define HITL_SUBMIT_DEFAULT_MAX (1u << 20) /* bytes of JSON a builder may hold and print */

typedef struct hitl_submit hitl_submit;

typedef enum hitl_transfer_method {
    HITL_TRANSFER_LOCAL_FILE = 1, /* "local_file": an uploaded file's id */
    HITL_TRANSFER_REMOTE_URL = 2  /* "remote_url": fetched by the server at submit */
} hitl_transfer_method;

/* A reference to one file for a file or file-list input. Strings are copied. */
typedef struct hitl_file_ref {
    hitl_transfer_method method;
    const char *upload_file_id; /* local_file: required */
    const char *url;            /* remote_url: required */
    const char *type;           /* optional "image", "document", "audio", "video", "custom";
                                   NULL leaves `type` out (Dify then treats it as custom) */
} hitl_file_ref;

/* hitl_submit_new creates an empty builder: {"inputs":{}}. |max_bytes| caps the JSON it
 * may hold (0 = HITL_SUBMIT_DEFAULT_MAX). Returns 0; HITL_E_ARG when the cap is under 64
 * bytes; HITL_E_NOMEM. Free with hitl_submit_free. */
int hitl_submit_new(hitl_submit **out, size_t max_bytes, hitl_err *err);
void hitl_submit_free(hitl_submit *s);

/* Input setters. Each sets or replaces inputs[|name|]. They return 0; HITL_E_ARG for a
 * NULL name/value or an incomplete file reference; HITL_E_STATE when `inputs` was replaced
 * by a non-object (hitl_submit_set_field_raw); HITL_E_TOO_BIG when the builder's content
 * would pass its cap; HITL_E_NOMEM. On error the builder is unchanged. */
int hitl_submit_set_string(hitl_submit *s, const char *name, const char *value, hitl_err *err);
int hitl_submit_set_file(hitl_submit *s, const char *name, const hitl_file_ref *ref, hitl_err *err);
/* Appends |ref| to the list inputs[|name|], first making it an empty list if it is absent
 * or not a list. |ref| NULL only ensures the (possibly empty) list exists. */
int hitl_submit_add_file_list_item(hitl_submit *s, const char *name, const hitl_file_ref *ref,
                                   hitl_err *err);
/* Sets inputs[|name|] to the JSON value |json| (any type: the way to send a wrong one).
 * HITL_E_PARSE when |json| is not one JSON value. */
int hitl_submit_set_raw_json(hitl_submit *s, const char *name, const char *json, hitl_err *err);
/* Removes inputs[|name|]; absent is not an error (HITL_E_STATE as above). */
int hitl_submit_omit(hitl_submit *s, const char *name, hitl_err *err);

/* Top level. NULL removes the key (omit `action`; WEB bodies have no `user`). */
int hitl_submit_set_action(hitl_submit *s, const char *action, hitl_err *err);
int hitl_submit_set_user(hitl_submit *s, const char *user, hitl_err *err);
/* Sets top-level |key| to the JSON value |json|: an unknown key, `action` as a number,
 * `inputs` as a string… HITL_E_PARSE when |json| is not one JSON value. */
int hitl_submit_set_field_raw(hitl_submit *s, const char *key, const char *json, hitl_err *err);
/* Removes top-level |key| (`inputs` included); absent is not an error. */
int hitl_submit_omit_field(hitl_submit *s, const char *key, hitl_err *err);

/* hitl_submit_to_json prints the body (compact JSON) into a malloc'd string *out (free()
 * it). Returns 0; HITL_E_TOO_BIG when the text would pass the cap; HITL_E_NOMEM. */
int hitl_submit_to_json(const hitl_submit *s, char **out, hitl_err *err);

/* hitl_submit_body is the body as built: a cJSON object owned by the builder, valid until
 * the builder's next call and not to be modified. For reading or comparing bodies without
 * printing and parsing them again (fuzz/fuzz_submit.c compares two builders this way). */
const cJSON *hitl_submit_body(const hitl_submit *s);

/* The files one file or file-list input of the form gets in a valid submission. */
typedef struct hitl_submit_files {
    const char *input;         /* the input's output_variable_name */
    const hitl_file_ref *refs; /* file: exactly one; file-list: at most number_limits (> 0) */
    size_t n_refs;
} hitl_submit_files;

/* What hitl_submit_fill_valid may not invent. */
typedef struct hitl_submit_hints {
    const char *action;             /* the action id to submit; NULL = the form's first action */
    const char *user;               /* SVC: the end-user id; NULL = no `user` key (WEB) */
    const char *text;               /* paragraph/text_input value; NULL = "hitlcheck" */
    const hitl_submit_files *files; /* per file/file-list input, found by name */
    size_t n_files;
} hitl_submit_hints;

/* hitl_submit_fill_valid sets every input of |form| (in form order) to a value Dify
 * accepts (§7.3): |hints->text| for paragraph, text_input and unknown types; the first option
 * of a select; for a file input its one ref, for a file-list its refs as a list (the check
 * layer uploads the files; this assembles JSON only); then the action and user. A ref must
 * be of a kind Dify's strict validation takes (builders.py): a `type` (an untyped local_file
 * counts as custom, an untyped remote_url is checked as custom), a type the input allows
 * (custom instead needs the input to list extensions: its file's extension must be one), and
 * a transfer method the input allows (empty lists allow everything).
 * Returns 0; HITL_E_INVALID when the form itself prevents it (no actions, a select without
 * options); HITL_E_ARG when a file input has no entry in hints->files, the wrong number of
 * refs, or a ref of a type or method the input does not take, or hints->action is not an
 * action of the form; errors of the setters. Inputs already set are replaced; other keys
 * stay. The message names the input. */
int hitl_submit_fill_valid(hitl_submit *s, const hitl_form *form, const hitl_submit_hints *hints,
                           hitl_err *err);

/* hitl_submit_allows: whether a file input's allow-list |l| (allowed_file_types,
 * allowed_file_upload_methods) admits |value|. An empty list admits everything, the node
 * model's default. */
bool hitl_submit_allows(const hitl_strlist *l, const char *value);

/* "local_file" / "remote_url". */
const char *hitl_transfer_method_name(hitl_transfer_method m);

#endif
