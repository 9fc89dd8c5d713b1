/* dsl_rules.h: what the DSL rule files share (dsl.c: the document, graph and references;
 * dsl_node.c: each node's data; dsl_want.c: field readers). Internal to the DSL module. */
#ifndef RS_DSL_RULES_H
#define RS_DSL_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "dsl.h"

#define TIMEOUT_HANDLE "__timeout" /* graphon human_input_node.py: _TIMEOUT_HANDLE */
#define ELSE_HANDLE "false"        /* graphon if_else_node.py: no case matched */

#define PATH_CAP 256

/* The graph once nodes and edges are read: indices into nodes, so the graph rules and the
 * variable references can walk it. */
typedef struct graph {
    const cJSON *data[RS_DSL_MAX_NODES];
    const char *id[RS_DSL_MAX_NODES];
    const char *type[RS_DSL_MAX_NODES]; /* data.type */
    char path[RS_DSL_MAX_NODES][96];    /* "workflow.graph.nodes[3](approval_node).data" */
    int n;
    int src[RS_DSL_MAX_EDGES], dst[RS_DSL_MAX_EDGES];
    const char *handle[RS_DSL_MAX_EDGES];
    int m;
} graph;

typedef struct vctx {
    hitl_err *err;
    unsigned flags;
    bool chat; /* app.mode is advanced-chat (Chatflow) */
    const cJSON *workflow;
    graph g;
} vctx;

/* dsl_fail records the violation at |path| (HITL_E_INVALID) and returns that code. */
__attribute__((format(printf, 3, 4))) int dsl_fail(vctx *v, const char *path, const char *fmt, ...);
/* snprintf for paths in messages, where truncation only shortens a message. */
__attribute__((format(printf, 3, 4))) const char *dsl_pathf(char *out, size_t cap, const char *fmt,
                                                            ...);
const cJSON *dsl_get(const cJSON *o, const char *key);
/* "a string", "a list"… for messages. */
const char *dsl_kind_name(const cJSON *x);
bool dsl_one_of(const char *s, const char *const *set);
/* |set| as "a, b, c" in |buf|. */
const char *dsl_set_text(const char *const *set, char *buf, size_t cap);
/* ^[A-Za-z_][A-Za-z0-9_]*$ with at most |max| characters (0: no limit). */
bool dsl_identifier(const char *s, size_t max);
/* A node id that {{#id.var#}} can name: [a-zA-Z0-9_]{1,50}. */
bool dsl_node_id_ok(const char *s);
/* 8-4-4-4-12 hex digits. */
bool dsl_uuid_ok(const char *s);
bool dsl_is_int(const cJSON *x);
/* dsl_want reads |o|.|key| of the kind 's' string, 'a' list, 'o' mapping, 'b' boolean or
 * 'n' number into *out (NULL when absent and not |required|); 0 or the violation. */
int dsl_want(vctx *v, const cJSON *o, const char *key, const char *path, char kind, bool required,
             const cJSON **out);
/* A string field that must be one of |set| (|what| names the set in the message). */
int dsl_want_enum(vctx *v, const cJSON *o, const char *key, const char *path, bool required,
                  const char *const *set, const char *what, const char **out);
/* A list of strings, each in |set| when given, with at least |min| items. */
int dsl_want_strings(vctx *v, const cJSON *o, const char *key, const char *path, bool required,
                     size_t min, const char *const *set, const cJSON **out);
bool dsl_strings_contain(const cJSON *a, const char *s);
/* The index of node |id| in |g|, or -1. */
int dsl_node_index(const graph *g, const char *id);

/* Each node type's data rules (dsl_node.c); |path| names the data mapping. */
int dsl_check_start(vctx *v, const cJSON *data, const char *path);
int dsl_check_end(vctx *v, const cJSON *data, const char *path);
int dsl_check_if_else(vctx *v, const cJSON *data, const char *path);
int dsl_check_human_input(vctx *v, const cJSON *data, const char *path);

#endif
