/* dsl.h: a Dify app DSL file (the YAML that Studio imports and exports) read into a cJSON
 * tree, and checked against the rules of Dify's node entities that hitlcheck's apps rely on
 * (the list, with the Dify source of each, is in specs/dify-app/README.md, "The schema").
 *
 * The reference server's --app-dsl loader (dsl_app.h compiles a loaded DSL into a runnable
 * app), so that the embedded target and a user's Dify run one app definition; the "dsl" tests
 * use it too (tests/dsl_check.c, tests/test_dsl.c). No printing, no exit(), one message per
 * failure in the caller's hitl_err. */
#ifndef RS_DSL_H
#define RS_DSL_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "hitl/err.h"

#define RS_DSL_MAX_BYTES (1024 * 1024) /* one DSL file (Dify's own cap is 10 MB) */
#define RS_DSL_MAX_DEPTH 64            /* nesting of mappings and sequences */
#define RS_DSL_MAX_VALUES 200000       /* values once YAML aliases are expanded */
#define RS_DSL_MAX_NODES 256           /* graph nodes */
#define RS_DSL_MAX_EDGES 1024          /* graph edges */

/* RS_DSL_STRICT adds the rules for hitlcheck's own files (specs/dify-app/), which must import
 * on every release they name without a confirmation step and leave no branch unconnected:
 * version at most "0.6.0"; action titles of at most 20 characters (the older limit); every
 * action id and "__timeout" of each Human Input node on an edge; no `text_input` inputs and
 * no `__action_value` references (each exists only in some releases). */
enum rs_dsl_flags { RS_DSL_STRICT = 1u << 0 };

/* rs_dsl_from_yaml parses the YAML document |text| (|len| bytes, at most RS_DSL_MAX_BYTES)
 * into *out, a cJSON tree the caller frees with cJSON_Delete. Plain scalars are typed the
 * way Dify's yaml.safe_load (YAML 1.1) types them: null (~, null), booleans (true/false,
 * yes/no, on/off), integers (decimal, 0x hex, 0-prefixed octal, 0b binary, with _) and
 * floats (with a dot: 0.6 is a float, 0.6.0 a string); quoted and block scalars are
 * strings. Returns 0; HITL_E_PARSE for malformed YAML (with its line), a non-mapping
 * document, a non-scalar key or a NUL in a string; HITL_E_INVALID for a key given twice;
 * HITL_E_TOO_BIG past a cap (size, depth, values after alias expansion); HITL_E_NOMEM. */
int rs_dsl_from_yaml(const char *text, size_t len, cJSON **out, hitl_err *err);

/* rs_dsl_validate checks the loaded DSL |dsl| (flags: RS_DSL_STRICT or 0). Returns 0, or
 * HITL_E_INVALID with the first violation: its path in the document (for example
 * "workflow.graph.nodes[1](approval_node).data.user_actions[0].id") and the rule broken. */
int rs_dsl_validate(const cJSON *dsl, unsigned flags, hitl_err *err);

/* rs_dsl_load_file reads |path| (at most RS_DSL_MAX_BYTES), parses and validates it into
 * *out (the caller frees it). Errors as above, prefixed with the path; HITL_E_IO when the
 * file cannot be read. */
int rs_dsl_load_file(const char *path, unsigned flags, cJSON **out, hitl_err *err);

/* The graph node with id |id| ({id, type, position, data}), or NULL. */
const cJSON *rs_dsl_node(const cJSON *dsl, const char *id);

#endif
