/* formdef.h: the Human Input node every run pauses at: content, inputs and actions
 * (§4.2): one of the built-in forms or loaded from a file (--form NAME|FILE). Immutable once
 * loaded; shared by threads. */
#ifndef RS_FORMDEF_H
#define RS_FORMDEF_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "hitl/buf.h"
#include "hitl/err.h"

struct rs_formdef {
    char node_id[64];
    char node_title[128];
    char *form_content;
    cJSON *inputs;       /* array of input configs, as served */
    cJSON *actions;      /* array of {id, title, button_style} */
    cJSON *defaults_raw; /* resolved_default_values as the event carries them */
    cJSON *defaults_str; /* the same, stringified as GET serves them (§4.3) */
};
typedef struct rs_formdef rs_formdef;

/* rs_formdef_parse reads a definition {form_content, inputs, user_actions[, node_id,
 * node_title, resolved_default_values]} with light validation. The caller frees *out. */
int rs_formdef_parse(const char *json, size_t len, rs_formdef **out, hitl_err *err);
/* rs_formdef_builtin is the built-in form "default": paragraph feedback, select priority,
 * file attachment, file-list attachments, actions approve/revise. */
int rs_formdef_builtin(rs_formdef **out, hitl_err *err);
/* rs_formdef_load loads |spec|: the built-in form of that name (hitl_refserver_form_name;
 * a name wins over a file of the same name, so write ./NAME for such a file), else the
 * file at that path (at most 1 MiB). Returns 0, or the parse/IO error naming |spec|. */
int rs_formdef_load(const char *spec, rs_formdef **out, hitl_err *err);
void rs_formdef_free(rs_formdef *f);
/* The action with |id|, or NULL. */
const cJSON *rs_formdef_action(const rs_formdef *f, const char *id);
/* rs_py_str appends |v| the way Dify's stringify_form_default_values renders it: None → "",
 * str as is, bool True/False, dict/list as json.dumps (", " and ": ", no ASCII escaping). */
int rs_py_str(hitl_buf *b, const cJSON *v);

#endif
