/* dsl.c: the rules a Dify app DSL meets to be one of hitlcheck's apps (dsl.h). The rules
 * come from Dify's node entities; specs/dify-app/README.md ("The schema") lists each with
 * its source. A rule that is hitlcheck's own (what a conformance run needs, where Dify would
 * accept the file) says so in its message. */
#include "dsl_rules.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const APP_MODES[] = {"workflow", "advanced-chat", NULL};
static const char *const NODE_TYPES[] = {"start", "end", "answer", "human-input", "if-else", NULL};

/* ---- top level ---- */

/* N(.N)* as Dify's packaging.version compares it; *parts gets up to 3 components. */
static bool version_parse(const char *s, long parts[3])
{
    parts[0] = parts[1] = parts[2] = 0;
    int k = 0;
    const char *p = s;
    while (*p) {
        if (*p < '0' || *p > '9' || k >= 3)
            return false;
        char *end;
        parts[k++] = strtol(p, &end, 10);
        p = end;
        if (*p == '.' && p[1])
            p++;
        else if (*p)
            return false;
    }
    return k > 0;
}

static int check_variables_list(vctx *v, const cJSON *wf, const char *key)
{
    const cJSON *a;
    char path[PATH_CAP];
    int rc = dsl_want(v, wf, key, "workflow", 'a', false, &a);
    int i = 0;
    for (const cJSON *x = a ? a->child : NULL; !rc && x; x = x->next, i++) {
        const cJSON *name;
        dsl_pathf(path, sizeof path, "workflow.%s[%d]", key, i);
        rc = cJSON_IsObject(x) ? dsl_want(v, x, "name", path, 's', true, &name)
                               : dsl_fail(v, path, "must be a mapping, not %s", dsl_kind_name(x));
    }
    return rc;
}

static int check_top(vctx *v, const cJSON *dsl)
{
    const cJSON *x, *app, *gr;
    x = dsl_get(dsl, "version");
    if (!x)
        return dsl_fail(v, "version",
                        "missing (Dify then assumes 0.1.0 and warns); write \"0.6.0\"");
    if (!cJSON_IsString(x))
        return dsl_fail(v, "version",
                        "must be a YAML string such as \"0.6.0\", not %s (Dify refuses the import: "
                        "unquoted, 0.6 is a float)",
                        dsl_kind_name(x));
    long ver[3];
    if (!version_parse(x->valuestring, ver))
        return dsl_fail(v, "version", "'%s' is not a version Dify can compare (N.N.N)",
                        x->valuestring);
    if ((v->flags & RS_DSL_STRICT) && (ver[0] > 0 || (ver[0] == 0 && ver[1] > 6)))
        return dsl_fail(v, "version",
                        "'%s' is newer than 0.6.0: releases whose current DSL version is 0.6.0 "
                        "import it only after a confirmation",
                        x->valuestring);
    int rc = dsl_want(v, dsl, "kind", "(top)", 's', false, &x);
    if (rc)
        return rc;
    if (x && strcmp(x->valuestring, "app"))
        return dsl_fail(v, "kind", "'%s' is not 'app'", x->valuestring);
    if ((rc = dsl_want(v, dsl, "app", "(top)", 'o', true, &app)))
        return rc;
    const char *mode;
    if ((rc = dsl_want_enum(v, app, "mode", "app", true, APP_MODES,
                            "an app mode with a workflow graph", &mode)))
        return rc;
    v->chat = !strcmp(mode, "advanced-chat");
    if ((rc = dsl_want(v, app, "name", "app", 's', true, &x)))
        return rc;
    if ((rc = dsl_want(v, dsl, "workflow", "(top)", 'o', true, &v->workflow)))
        return rc;
    if ((rc = dsl_want(v, v->workflow, "features", "workflow", 'o', false, &x)) ||
        (rc = check_variables_list(v, v->workflow, "environment_variables")) ||
        (rc = check_variables_list(v, v->workflow, "conversation_variables")))
        return rc;
    if ((rc = dsl_want(v, v->workflow, "graph", "workflow", 'o', true, &gr)))
        return rc;
    const cJSON *nodes, *edges;
    if ((rc = dsl_want(v, gr, "nodes", "workflow.graph", 'a', true, &nodes)) ||
        (rc = dsl_want(v, gr, "edges", "workflow.graph", 'a', true, &edges)))
        return rc;
    int n = cJSON_GetArraySize(nodes), m = cJSON_GetArraySize(edges);
    if (n < 1 || n > RS_DSL_MAX_NODES)
        return dsl_fail(v, "workflow.graph.nodes", "%d nodes; a DSL here has 1 to %d", n,
                        RS_DSL_MAX_NODES);
    if (m > RS_DSL_MAX_EDGES)
        return dsl_fail(v, "workflow.graph.edges", "%d edges; a DSL here has at most %d", m,
                        RS_DSL_MAX_EDGES);
    return HITL_OK;
}

static int check_nodes(vctx *v)
{
    const cJSON *nodes = dsl_get(dsl_get(v->workflow, "graph"), "nodes");
    graph *g = &v->g;
    int starts = 0, ends = 0, answers = 0, i = 0;
    char path[PATH_CAP], buf[200];
    for (const cJSON *nd = nodes->child; nd; nd = nd->next, i++) {
        const cJSON *id, *pos, *data, *x;
        dsl_pathf(path, sizeof path, "workflow.graph.nodes[%d]", i);
        if (!cJSON_IsObject(nd))
            return dsl_fail(v, path, "must be a mapping, not %s", dsl_kind_name(nd));
        int rc = dsl_want(v, nd, "id", path, 's', true, &id);
        if (rc)
            return rc;
        if (!dsl_node_id_ok(id->valuestring))
            return dsl_fail(v, path,
                            "id '%s' must match [A-Za-z0-9_]{1,50}, so that {{#id.name#}} "
                            "can refer to it",
                            id->valuestring);
        if (dsl_node_index(g, id->valuestring) >= 0)
            return dsl_fail(v, path, "id '%s' is used by an earlier node", id->valuestring);
        dsl_pathf(path, sizeof path, "workflow.graph.nodes[%d](%s)", i, id->valuestring);
        if ((rc = dsl_want(v, nd, "type", path, 's', true, &x)) ||
            (rc = dsl_want(v, nd, "position", path, 'o', true, &pos)) ||
            (rc = dsl_want(v, nd, "data", path, 'o', true, &data)))
            return rc;
        char sub[PATH_CAP];
        dsl_pathf(sub, sizeof sub, "%s.position", path);
        if ((rc = dsl_want(v, pos, "x", sub, 'n', true, &x)) ||
            (rc = dsl_want(v, pos, "y", sub, 'n', true, &x)))
            return rc;
        dsl_pathf(sub, sizeof sub, "%s.data", path);
        if ((rc = dsl_want(v, data, "type", sub, 's', true, &x)))
            return rc;
        const char *type = x->valuestring;
        if (!dsl_one_of(type, NODE_TYPES))
            return dsl_fail(v, sub, "type '%s' is not a node type hitlcheck's apps use (%s)", type,
                            dsl_set_text(NODE_TYPES, buf, sizeof buf));
        if ((rc = dsl_want(v, data, "title", sub, 's', true, &x)))
            return rc;
        g->data[g->n] = data;
        g->id[g->n] = id->valuestring;
        g->type[g->n] = type;
        snprintf(g->path[g->n], sizeof g->path[g->n], "%.95s", sub);
        g->n++;
        if (!strcmp(type, "start")) {
            starts++;
            rc = dsl_check_start(v, data, sub);
        } else if (!strcmp(type, "end")) {
            ends++;
            rc = dsl_check_end(v, data, sub);
        } else if (!strcmp(type, "answer")) {
            answers++;
            rc = dsl_want(v, data, "answer", sub, 's', true, &x);
        } else if (!strcmp(type, "human-input")) {
            rc = dsl_check_human_input(v, data, sub);
        } else {
            rc = dsl_check_if_else(v, data, sub);
        }
        if (rc)
            return rc;
    }
    if (starts != 1)
        return dsl_fail(v, "workflow.graph.nodes", "%d start nodes; an app has exactly one",
                        starts);
    if (v->chat && (ends || !answers))
        return dsl_fail(v, "workflow.graph.nodes",
                        "a Chatflow (advanced-chat) ends in Answer nodes: "
                        "%d end and %d answer nodes",
                        ends, answers);
    if (!v->chat && (answers || !ends))
        return dsl_fail(v, "workflow.graph.nodes",
                        "a Workflow ends in End nodes: %d end and %d answer "
                        "nodes",
                        ends, answers);
    return HITL_OK;
}

/* ---- edges and the graph ---- */

/* Appends ", |s|" (or |s| first) to |buf|, truncating at |cap|. */
static void append(char *buf, size_t cap, size_t *o, const char *s)
{
    int n = snprintf(buf + *o, cap - *o, "%s%s", *o ? ", " : "", s);
    if (n > 0)
        *o = *o + (size_t)n < cap ? *o + (size_t)n : cap - 1;
}

/* Whether |h| is a handle that may leave node |i|; |list| gets them all, for messages: a
 * Human Input node's action ids and __timeout, an IF/ELSE's case ids and "false", else
 * "source". */
static bool handle_ok(const vctx *v, int i, const char *h, char *list, size_t cap)
{
    const graph *g = &v->g;
    size_t o = 0;
    bool ok = false;
    const cJSON *items = NULL;
    const char *key = NULL, *last = "source";
    list[0] = '\0';
    if (!strcmp(g->type[i], "human-input")) {
        items = dsl_get(g->data[i], "user_actions");
        key = "id";
        last = TIMEOUT_HANDLE;
    } else if (!strcmp(g->type[i], "if-else")) {
        items = dsl_get(g->data[i], "cases");
        key = "case_id";
        last = ELSE_HANDLE;
    }
    for (const cJSON *x = items ? items->child : NULL; x; x = x->next) {
        const char *id = dsl_get(x, key)->valuestring;
        ok = ok || !strcmp(id, h);
        append(list, cap, &o, id);
    }
    append(list, cap, &o, last);
    return ok || !strcmp(h, last);
}

static int check_edges(vctx *v)
{
    const cJSON *edges = dsl_get(dsl_get(v->workflow, "graph"), "edges");
    graph *g = &v->g;
    char path[PATH_CAP], list[300];
    int j = 0;
    for (const cJSON *e = edges->child; e; e = e->next, j++) {
        const cJSON *id, *src, *dst, *handle, *th, *x, *data;
        dsl_pathf(path, sizeof path, "workflow.graph.edges[%d]", j);
        if (!cJSON_IsObject(e))
            return dsl_fail(v, path, "must be a mapping, not %s", dsl_kind_name(e));
        int rc = dsl_want(v, e, "id", path, 's', true, &id);
        if (rc)
            return rc;
        for (const cJSON *b = edges->child; b != e; b = b->next)
            if (!strcmp(dsl_get(b, "id")->valuestring, id->valuestring))
                return dsl_fail(v, path, "id '%s' is used by an earlier edge", id->valuestring);
        dsl_pathf(path, sizeof path, "workflow.graph.edges[%d](%s)", j, id->valuestring);
        if ((rc = dsl_want(v, e, "source", path, 's', true, &src)) ||
            (rc = dsl_want(v, e, "target", path, 's', true, &dst)) ||
            (rc = dsl_want(v, e, "sourceHandle", path, 's', true, &handle)) ||
            (rc = dsl_want(v, e, "targetHandle", path, 's', false, &th)) ||
            (rc = dsl_want(v, e, "type", path, 's', false, &x)) ||
            (rc = dsl_want(v, e, "data", path, 'o', false, &data)))
            return rc;
        if (th && strcmp(th->valuestring, "target"))
            return dsl_fail(v, path, "targetHandle '%s' is not 'target'", th->valuestring);
        int s = dsl_node_index(g, src->valuestring), t = dsl_node_index(g, dst->valuestring);
        if (s < 0)
            return dsl_fail(v, path, "source '%s' is not a node", src->valuestring);
        if (t < 0)
            return dsl_fail(v, path, "target '%s' is not a node", dst->valuestring);
        if (s == t)
            return dsl_fail(v, path, "an edge from a node to itself");
        if (!strcmp(g->type[t], "start"))
            return dsl_fail(v, path, "no edge may enter the start node");
        if (!strcmp(g->type[s], "end"))
            return dsl_fail(v, path, "an End node ends its branch: no edge may leave %s", g->id[s]);
        if (!handle_ok(v, s, handle->valuestring, list, sizeof list))
            return dsl_fail(v, path, "sourceHandle '%s' is not a handle of %s %s (%s)",
                            handle->valuestring, g->type[s], g->id[s], list);
        if (data) {
            if ((rc = dsl_want(v, data, "sourceType", path, 's', false, &x)))
                return rc;
            if (x && strcmp(x->valuestring, g->type[s]))
                return dsl_fail(v, path, "data.sourceType '%s' is not %s's type '%s'",
                                x->valuestring, g->id[s], g->type[s]);
            if ((rc = dsl_want(v, data, "targetType", path, 's', false, &x)))
                return rc;
            if (x && strcmp(x->valuestring, g->type[t]))
                return dsl_fail(v, path, "data.targetType '%s' is not %s's type '%s'",
                                x->valuestring, g->id[t], g->type[t]);
        }
        for (int k = 0; k < g->m; k++)
            if (g->src[k] == s && g->dst[k] == t && !strcmp(g->handle[k], handle->valuestring))
                return dsl_fail(v, path, "the same connection as an earlier edge");
        g->src[g->m] = s;
        g->dst[g->m] = t;
        g->handle[g->m] = handle->valuestring;
        g->m++;
    }
    return HITL_OK;
}

/* Whether node |to| can be reached from node |from| along edges (|from| itself excluded). */
static bool reaches(const graph *g, int from, int to)
{
    bool seen[RS_DSL_MAX_NODES] = {false};
    int stack[RS_DSL_MAX_NODES], top = 0;
    stack[top++] = from;
    seen[from] = true;
    while (top) {
        int i = stack[--top];
        for (int k = 0; k < g->m; k++) {
            if (g->src[k] != i)
                continue;
            if (g->dst[k] == to)
                return true;
            if (!seen[g->dst[k]]) {
                seen[g->dst[k]] = true;
                stack[top++] = g->dst[k];
            }
        }
    }
    return false;
}

static bool has_edge(const graph *g, int i, const char *handle)
{
    for (int k = 0; k < g->m; k++)
        if (g->src[k] == i && !strcmp(g->handle[k], handle))
            return true;
    return false;
}

/* Reachability and cycles first (the most basic faults), then dead ends, then (strict)
 * unconnected branches, so a message names the fault behind the others. */
static int check_graph(vctx *v)
{
    const graph *g = &v->g;
    int start = -1;
    for (int i = 0; i < g->n; i++)
        if (!strcmp(g->type[i], "start"))
            start = i;
    for (int i = 0; i < g->n; i++) {
        if (i != start && !reaches(g, start, i))
            return dsl_fail(v, g->path[i], "not reachable from the start node %s", g->id[start]);
        if (reaches(g, i, i))
            return dsl_fail(v, g->path[i], "on a cycle: the edges lead from %s back to it",
                            g->id[i]);
    }
    for (int i = 0; i < g->n; i++) {
        bool terminal = !strcmp(g->type[i], "end") || !strcmp(g->type[i], "answer");
        bool leaves = false;
        for (int k = 0; k < g->m && !leaves; k++)
            leaves = g->src[k] == i;
        if (!terminal && !leaves)
            return dsl_fail(v, g->path[i], "leads nowhere: no edge leaves %s", g->id[i]);
    }
    if (!(v->flags & RS_DSL_STRICT))
        return HITL_OK;
    /* hitlcheck's own apps connect every branch, so each outcome shows in the output. */
    for (int i = 0; i < g->n; i++) {
        if (!strcmp(g->type[i], "human-input")) {
            for (const cJSON *a = dsl_get(g->data[i], "user_actions")->child; a; a = a->next)
                if (!has_edge(g, i, dsl_get(a, "id")->valuestring))
                    return dsl_fail(v, g->path[i], "no edge leaves %s by its action '%s'", g->id[i],
                                    dsl_get(a, "id")->valuestring);
            if (!has_edge(g, i, TIMEOUT_HANDLE))
                return dsl_fail(v, g->path[i], "no edge leaves %s by %s (its timeout branch)",
                                g->id[i], TIMEOUT_HANDLE);
        } else if (!strcmp(g->type[i], "if-else")) {
            for (const cJSON *c = dsl_get(g->data[i], "cases")->child; c; c = c->next)
                if (!has_edge(g, i, dsl_get(c, "case_id")->valuestring))
                    return dsl_fail(v, g->path[i], "no edge leaves %s by its case '%s'", g->id[i],
                                    dsl_get(c, "case_id")->valuestring);
            if (!has_edge(g, i, ELSE_HANDLE))
                return dsl_fail(v, g->path[i], "no edge leaves %s by '%s' (its ELSE branch)",
                                g->id[i], ELSE_HANDLE);
        }
    }
    return HITL_OK;
}

/* ---- variable references ---- */

static bool named_in(const cJSON *list, const char *key, const char *name)
{
    for (const cJSON *x = list ? list->child : NULL; x; x = x->next) {
        const cJSON *n = dsl_get(x, key);
        if (cJSON_IsString(n) && !strcmp(n->valuestring, name))
            return true;
    }
    return false;
}

/* Whether node |j| outputs the variable |var|. */
static int check_output_of(vctx *v, int j, const char *var, const char *path, const char *ref)
{
    const graph *g = &v->g;
    const char *type = g->type[j];
    if (!strcmp(type, "human-input")) {
        if (!strcmp(var, "__action_id") || !strcmp(var, "__rendered_content") ||
            named_in(dsl_get(g->data[j], "inputs"), "output_variable_name", var))
            return HITL_OK;
        if (!strcmp(var, "__action_value"))
            return (v->flags & RS_DSL_STRICT)
                       ? dsl_fail(v, path,
                                  "%s: __action_value exists only in later releases; use "
                                  "__action_id",
                                  ref)
                       : HITL_OK;
        return dsl_fail(v, path,
                        "%s: %s has no output '%s' (its inputs' names, __action_id, "
                        "__rendered_content)",
                        ref, g->id[j], var);
    }
    if (!strcmp(type, "start")) {
        if (named_in(dsl_get(g->data[j], "variables"), "variable", var))
            return HITL_OK;
        return dsl_fail(v, path, "%s: the start node has no variable '%s'", ref, var);
    }
    if (!strcmp(type, "if-else"))
        return (!strcmp(var, "result") || !strcmp(var, "selected_case_id"))
                   ? HITL_OK
                   : dsl_fail(v, path, "%s: %s outputs only result and selected_case_id", ref,
                              g->id[j]);
    if (!strcmp(type, "answer"))
        return !strcmp(var, "answer")
                   ? HITL_OK
                   : dsl_fail(v, path, "%s: %s outputs only answer", ref, g->id[j]);
    return dsl_fail(v, path, "%s: an End node's outputs are not variables", ref);
}

/* One reference |scope|.|var| (a selector's first two items) made from node |i|. */
static int check_ref(vctx *v, int i, const char *scope, const char *var, const char *path,
                     const char *ref)
{
    if (!strcmp(scope, "sys")) {
        if (!v->chat && (!strcmp(var, "query") || !strcmp(var, "conversation_id") ||
                         !strcmp(var, "dialogue_count")))
            return dsl_fail(v, path, "%s: sys.%s exists only in a Chatflow", ref, var);
        return HITL_OK;
    }
    if (!strcmp(scope, "env"))
        return named_in(dsl_get(v->workflow, "environment_variables"), "name", var)
                   ? HITL_OK
                   : dsl_fail(v, path, "%s: no environment variable '%s'", ref, var);
    if (!strcmp(scope, "conversation"))
        return v->chat && named_in(dsl_get(v->workflow, "conversation_variables"), "name", var)
                   ? HITL_OK
                   : dsl_fail(v, path, "%s: no conversation variable '%s'", ref, var);
    int j = dsl_node_index(&v->g, scope);
    if (j < 0)
        return dsl_fail(v, path, "%s: no node '%s'", ref, scope);
    if (!reaches(&v->g, j, i))
        return dsl_fail(v, path,
                        "%s: %s does not run before %s, so its variables are not set there", ref,
                        scope, v->g.id[i]);
    return check_output_of(v, j, var, path, ref);
}

static int check_selector(vctx *v, int i, const cJSON *sel, const char *path)
{
    if (!sel || cJSON_GetArraySize(sel) < 2)
        return HITL_OK; /* shapes were checked with the node */
    char ref[160];
    snprintf(ref, sizeof ref, "[%s, %s]", sel->child->valuestring, sel->child->next->valuestring);
    return check_ref(v, i, sel->child->valuestring, sel->child->next->valuestring, path, ref);
}

/* Each {{#node.var#}} of |text|. Dify's pattern is {{#[a-zA-Z0-9_]{1,50}(.[a-zA-Z_]
 * [a-zA-Z0-9_]{0,29}){1,10}#}}; text that does not match stays literal there, which in a
 * DSL is a typo, so it is refused. {{#$output.x#}} is a Human Input form's own placeholder. */
static int check_template(vctx *v, int i, const char *text, const char *path, bool form)
{
    for (const char *p = strstr(text, "{{#"); p; p = strstr(p + 3, "{{#")) {
        const char *in = p + 3, *end = strstr(in, "#}}");
        char ref[200], scope[64], var[64];
        size_t n = end ? (size_t)(end - in) : 0;
        if (!end || n == 0 || n >= 120)
            return dsl_fail(v, path, "an unterminated or overlong {{#…#}} reference");
        snprintf(ref, sizeof ref, "{{#%.*s#}}", (int)n, in);
        if (form && !strncmp(in, "$output.", 8))
            continue;
        if (!form && !strncmp(in, "$output.", 8))
            return dsl_fail(v, path, "%s: $output placeholders belong in a Human Input form", ref);
        if (!strncmp(in, "url#}}", 6))
            continue; /* an e-mail body's link; checked with the delivery method */
        const char *dot = memchr(in, '.', n);
        size_t sn = dot ? (size_t)(dot - in) : n;
        const char *vs = dot ? dot + 1 : NULL;
        size_t vn = dot ? strcspn(vs, ".#") : 0;
        if (!dot || sn == 0 || sn > 50 || vn == 0 || vn > 30)
            return dsl_fail(
                v, path, "%s is not a variable reference Dify recognises ({{#node.name#}})", ref);
        snprintf(scope, sizeof scope, "%.*s", (int)sn, in);
        snprintf(var, sizeof var, "%.*s", (int)vn, vs);
        if (!dsl_node_id_ok(scope) || !dsl_identifier(var, 30))
            return dsl_fail(
                v, path, "%s is not a variable reference Dify recognises ({{#node.name#}})", ref);
        int rc = check_ref(v, i, scope, var, path, ref);
        if (rc)
            return rc;
    }
    return HITL_OK;
}

static int check_refs(vctx *v)
{
    const graph *g = &v->g;
    char path[PATH_CAP];
    for (int i = 0; i < g->n; i++) {
        const cJSON *data = g->data[i];
        const char *type = g->type[i];
        int rc = HITL_OK, k = 0;
        if (!strcmp(type, "answer")) {
            dsl_pathf(path, sizeof path, "%s.answer", g->path[i]);
            rc = check_template(v, i, dsl_get(data, "answer")->valuestring, path, false);
        } else if (!strcmp(type, "end")) {
            for (const cJSON *o = dsl_get(data, "outputs")->child; !rc && o; o = o->next, k++) {
                dsl_pathf(path, sizeof path, "%s.outputs[%d].value_selector", g->path[i], k);
                rc = check_selector(v, i, dsl_get(o, "value_selector"), path);
            }
        } else if (!strcmp(type, "human-input")) {
            dsl_pathf(path, sizeof path, "%s.form_content", g->path[i]);
            rc = check_template(v, i, dsl_get(data, "form_content")->valuestring, path, true);
            for (const cJSON *in = dsl_get(data, "inputs")->child; !rc && in; in = in->next, k++) {
                const cJSON *src = dsl_get(in, "default");
                if (!cJSON_IsObject(src))
                    src = dsl_get(in, "option_source");
                if (!cJSON_IsObject(src) || !cJSON_IsString(dsl_get(src, "type")) ||
                    strcmp(dsl_get(src, "type")->valuestring, "variable"))
                    continue;
                dsl_pathf(path, sizeof path, "%s.inputs[%d]", g->path[i], k);
                rc = check_selector(v, i, dsl_get(src, "selector"), path);
            }
        } else if (!strcmp(type, "if-else")) {
            for (const cJSON *c = dsl_get(data, "cases")->child; !rc && c; c = c->next, k++) {
                int j = 0;
                for (const cJSON *cond = dsl_get(c, "conditions")->child; !rc && cond;
                     cond = cond->next, j++) {
                    dsl_pathf(path, sizeof path, "%s.cases[%d].conditions[%d]", g->path[i], k, j);
                    rc = check_selector(v, i, dsl_get(cond, "variable_selector"), path);
                }
            }
        }
        if (rc)
            return rc;
    }
    return HITL_OK;
}

int rs_dsl_validate(const cJSON *dsl, unsigned flags, hitl_err *err)
{
    if (!cJSON_IsObject(dsl))
        return hitl_err_set(err, HITL_E_ARG, "rs_dsl_validate: the DSL is not a mapping");
    vctx *v = calloc(1, sizeof *v);
    if (!v)
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory");
    v->err = err;
    v->flags = flags;
    int rc = check_top(v, dsl);
    if (!rc)
        rc = check_nodes(v);
    if (!rc)
        rc = check_edges(v);
    if (!rc)
        rc = check_graph(v);
    if (!rc)
        rc = check_refs(v);
    free(v);
    return rc;
}

const cJSON *rs_dsl_node(const cJSON *dsl, const char *id)
{
    const cJSON *nodes = dsl_get(dsl_get(dsl_get(dsl, "workflow"), "graph"), "nodes");
    for (const cJSON *n = nodes ? nodes->child : NULL; n && id; n = n->next) {
        const cJSON *x = dsl_get(n, "id");
        if (cJSON_IsString(x) && !strcmp(x->valuestring, id))
            return n;
    }
    return NULL;
}
