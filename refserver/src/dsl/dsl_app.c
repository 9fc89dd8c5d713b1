/* dsl_app.c: a validated DSL compiled for the reference server (dsl_app.h). */
#include "dsl_app.h"

#include "dsl.h"
#include "formdef.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUILTIN_PREFIX "builtin:"

static const cJSON *get(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

static const char *str_or(const cJSON *o, const char *key, const char *dflt)
{
    const cJSON *x = get(o, key);
    return cJSON_IsString(x) ? x->valuestring : dflt;
}

void rs_dsl_app_free(rs_dsl_app *app)
{
    if (!app)
        return;
    for (int i = 0; i < app->nnodes; i++) {
        rs_dsl_step *n = &app->nodes[i];
        rs_formdef_free(n->form);
        free(n->answer);
        cJSON_Delete(n->outputs);
        for (int c = 0; c < n->ncases; c++) {
            for (int k = 0; k < n->cases[c].ncond; k++)
                free(n->cases[c].conds[k].value);
            free(n->cases[c].conds);
        }
        free(n->cases);
    }
    free(app->nodes);
    free(app->edges);
    free(app);
}

int rs_dsl_app_node(const rs_dsl_app *app, const char *id)
{
    for (int i = 0; i < app->nnodes; i++)
        if (!strcmp(app->nodes[i].id, id))
            return i;
    return -1;
}

/* build_form turns the node's data into the formdef the server serves: the same inputs and
 * user_actions, form_content as written (placeholders of other nodes are rendered per run). */
static int build_form(rs_dsl_step *n, const cJSON *data, hitl_err *err)
{
    cJSON *def = cJSON_CreateObject();
    if (!def)
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory");
    cJSON_AddStringToObject(def, "node_id", n->id);
    cJSON_AddStringToObject(def, "node_title", n->title);
    cJSON_AddStringToObject(def, "form_content", str_or(data, "form_content", ""));
    const cJSON *inputs = get(data, "inputs");
    cJSON_AddItemToObject(def, "inputs", inputs ? cJSON_Duplicate(inputs, 1) : cJSON_CreateArray());
    cJSON_AddItemToObject(def, "user_actions", cJSON_Duplicate(get(data, "user_actions"), 1));
    char *text = cJSON_PrintUnformatted(def);
    cJSON_Delete(def);
    if (!text)
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory");
    int rc = rs_formdef_parse(text, strlen(text), &n->form, err);
    free(text);
    if (rc)
        hitl_err_prefix(err, "node %s: its form", n->id);
    const cJSON *t = get(data, "timeout");
    const char *unit = str_or(data, "timeout_unit", "hour");
    if (!rc && cJSON_IsNumber(t) && t->valuedouble >= 1)
        n->timeout_s = (int64_t)t->valuedouble * (strcmp(unit, "day") ? 3600 : 86400);
    return rc;
}

static int op_of(const char *s, rs_dsl_op *op)
{
    static const struct {
        const char *name;
        rs_dsl_op op;
    } OPS[] = {{"contains", RS_OP_CONTAINS},
               {"not contains", RS_OP_NOT_CONTAINS},
               {"is", RS_OP_IS},
               {"is not", RS_OP_IS_NOT},
               {"empty", RS_OP_EMPTY},
               {"not empty", RS_OP_NOT_EMPTY}};
    for (size_t i = 0; i < sizeof OPS / sizeof OPS[0]; i++)
        if (!strcmp(s, OPS[i].name)) {
            *op = OPS[i].op;
            return 0;
        }
    return -1;
}

static int build_cases(rs_dsl_step *n, const cJSON *data, hitl_err *err)
{
    const cJSON *cases = get(data, "cases");
    n->ncases = cJSON_GetArraySize(cases);
    n->cases = calloc((size_t)n->ncases + 1, sizeof *n->cases);
    if (!n->cases)
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory");
    int i = 0;
    for (const cJSON *c = cases->child; c; c = c->next, i++) {
        rs_dsl_case *k = &n->cases[i];
        snprintf(k->case_id, sizeof k->case_id, "%s", str_or(c, "case_id", ""));
        k->all = strcmp(str_or(c, "logical_operator", "and"), "or") != 0;
        const cJSON *conds = get(c, "conditions");
        k->conds = calloc((size_t)cJSON_GetArraySize(conds) + 1, sizeof *k->conds);
        if (!k->conds)
            return hitl_err_set(err, HITL_E_NOMEM, "out of memory");
        int j = 0;
        for (const cJSON *x = conds->child; x; x = x->next, j++) {
            rs_dsl_cond *d = &k->conds[j];
            const cJSON *sel = get(x, "variable_selector");
            const char *opname = str_or(x, "comparison_operator", "");
            if (op_of(opname, &d->op))
                return hitl_err_set(err, HITL_E_INVALID,
                                    "node %s: cases[%d].conditions[%d]: comparison_operator "
                                    "'%s' is not one the reference server evaluates (contains, "
                                    "not contains, is, is not, empty, not empty)",
                                    n->id, i, j, opname);
            if (cJSON_GetArraySize(sel) != 2)
                return hitl_err_set(err, HITL_E_INVALID,
                                    "node %s: cases[%d].conditions[%d]: the reference server "
                                    "evaluates [node, variable] selectors only",
                                    n->id, i, j);
            snprintf(d->node, sizeof d->node, "%s", cJSON_GetArrayItem(sel, 0)->valuestring);
            snprintf(d->var, sizeof d->var, "%s", cJSON_GetArrayItem(sel, 1)->valuestring);
            const cJSON *val = get(x, "value");
            if (val && !cJSON_IsString(val) && !cJSON_IsNull(val))
                return hitl_err_set(err, HITL_E_INVALID,
                                    "node %s: cases[%d].conditions[%d]: value must be a string "
                                    "(the reference server compares strings only)",
                                    n->id, i, j);
            d->value = strdup(cJSON_IsString(val) ? val->valuestring : "");
            if (!d->value)
                return hitl_err_set(err, HITL_E_NOMEM, "out of memory");
            k->ncond = j + 1;
        }
    }
    return HITL_OK;
}

static int build_node(rs_dsl_step *n, const cJSON *node, hitl_err *err)
{
    static const struct {
        const char *type;
        rs_dsl_kind kind;
    } KINDS[] = {{"start", RS_DSL_START},
                 {"end", RS_DSL_END},
                 {"answer", RS_DSL_ANSWER},
                 {"human-input", RS_DSL_HUMAN_INPUT},
                 {"if-else", RS_DSL_IF_ELSE}};
    const cJSON *data = get(node, "data");
    const char *type = str_or(data, "type", "");
    snprintf(n->id, sizeof n->id, "%s", str_or(node, "id", ""));
    snprintf(n->title, sizeof n->title, "%s", str_or(data, "title", n->id));
    n->type = NULL;
    for (size_t i = 0; i < sizeof KINDS / sizeof KINDS[0]; i++)
        if (!strcmp(type, KINDS[i].type)) {
            n->type = KINDS[i].type;
            n->kind = KINDS[i].kind;
        }
    if (!n->type)
        return hitl_err_set(err, HITL_E_INVALID,
                            "node %s: type '%s' is not one the reference server executes", n->id,
                            type);
    switch (n->kind) {
    case RS_DSL_HUMAN_INPUT:
        return build_form(n, data, err);
    case RS_DSL_ANSWER:
        n->answer = strdup(str_or(data, "answer", ""));
        return n->answer ? HITL_OK : hitl_err_set(err, HITL_E_NOMEM, "out of memory");
    case RS_DSL_END:
        n->outputs = cJSON_Duplicate(get(data, "outputs"), 1);
        if (!n->outputs)
            n->outputs = cJSON_CreateArray();
        return n->outputs ? HITL_OK : hitl_err_set(err, HITL_E_NOMEM, "out of memory");
    case RS_DSL_IF_ELSE:
        return build_cases(n, data, err);
    case RS_DSL_START:
        break;
    }
    return HITL_OK;
}

/* refuse_joins refuses a node that edges from two different nodes reach. flow.c runs every
 * branch on its own and has no join: where Dify waits for both parallel branches and runs
 * the node once, this server would run it twice. Edges from one node (an IF/ELSE's cases, a
 * Human Input's actions) are one branch each, so they may meet. */
static int refuse_joins(const rs_dsl_app *app, hitl_err *err)
{
    for (int j = 0; j < app->nedges; j++)
        for (int k = 0; k < j; k++) {
            const rs_dsl_edge *a = &app->edges[k], *b = &app->edges[j];
            if (a->dst == b->dst && a->src != b->src)
                return hitl_err_set(err, HITL_E_INVALID,
                                    "node %s is reached from node %s and from node %s: the "
                                    "reference server does not join branches (it would run "
                                    "the node once per branch); give each branch its own "
                                    "End or Answer node",
                                    app->nodes[b->dst].id, app->nodes[a->src].id,
                                    app->nodes[b->src].id);
        }
    return HITL_OK;
}

int rs_dsl_app_build(const cJSON *dsl, rs_dsl_app **out, hitl_err *err)
{
    *out = NULL;
    const cJSON *graph = get(get(dsl, "workflow"), "graph");
    const cJSON *nodes = get(graph, "nodes"), *edges = get(graph, "edges");
    rs_dsl_app *app = calloc(1, sizeof *app);
    if (!app)
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory");
    app->chat = !strcmp(str_or(get(dsl, "app"), "mode", ""), "advanced-chat");
    snprintf(app->name, sizeof app->name, "%s", str_or(get(dsl, "app"), "name", ""));
    app->nodes = calloc((size_t)cJSON_GetArraySize(nodes) + 1, sizeof *app->nodes);
    app->edges = calloc((size_t)cJSON_GetArraySize(edges) + 1, sizeof *app->edges);
    int rc = app->nodes && app->edges ? HITL_OK : hitl_err_set(err, HITL_E_NOMEM, "out of memory");
    app->start = -1;
    for (const cJSON *n = nodes ? nodes->child : NULL; n && !rc; n = n->next) {
        rs_dsl_step *node = &app->nodes[app->nnodes++];
        rc = build_node(node, n, err);
        if (!rc && node->kind == RS_DSL_START)
            app->start = app->nnodes - 1;
    }
    for (const cJSON *e = edges ? edges->child : NULL; e && !rc; e = e->next) {
        rs_dsl_edge *edge = &app->edges[app->nedges];
        edge->src = rs_dsl_app_node(app, str_or(e, "source", ""));
        edge->dst = rs_dsl_app_node(app, str_or(e, "target", ""));
        snprintf(edge->handle, sizeof edge->handle, "%s", str_or(e, "sourceHandle", "source"));
        if (edge->src < 0 || edge->dst < 0)
            rc = hitl_err_set(err, HITL_E_INVALID, "edge %s joins a node that is not in the graph",
                              str_or(e, "id", "?"));
        app->nedges++;
    }
    if (!rc && app->start < 0)
        rc = hitl_err_set(err, HITL_E_INVALID, "the graph has no Start node");
    if (!rc)
        rc = refuse_joins(app, err);
    if (rc) {
        rs_dsl_app_free(app);
        return rc;
    }
    *out = app;
    return HITL_OK;
}

/* line_of_id is the line of |text| that gives a graph element the id |id| (`id: <id>`, as
 * a node or an edge writes it), or 0. */
static size_t line_of_id(const char *text, size_t len, const char *id)
{
    size_t line = 1, idlen = strlen(id);
    for (const char *p = text, *end = text + len; p < end; line++) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *q = p, *stop = eol ? eol : end;
        while (q < stop && (*q == ' ' || *q == '-'))
            q++;
        if (stop - q > 3 && !strncmp(q, "id:", 3)) {
            q += 3;
            while (q < stop && *q == ' ')
                q++;
            int quoted = q < stop && (*q == '\'' || *q == '"');
            q += quoted;
            if ((size_t)(stop - q) >= idlen && !strncmp(q, id, idlen) &&
                (q + idlen == stop || q[idlen] == ' ' || q[idlen] == '\r' ||
                 (quoted && (q[idlen] == '\'' || q[idlen] == '"'))))
                return line;
        }
        if (!eol)
            break;
        p = eol + 1;
    }
    return 0;
}

/* with_line prefixes a rule's message with the line of the element it names: "node <id>:"
 * (dsl_app.c) or "...(<id>)..." (dsl.c's paths), so a bad file reads FILE: line N: rule. */
static void with_line(const char *text, size_t len, hitl_err *err)
{
    char id[128] = "";
    const char *open = strrchr(err->msg, '(');
    if (!strncmp(err->msg, "node ", 5))
        sscanf(err->msg + 5, "%127[A-Za-z0-9_]", id);
    else if (open && strchr(open, ')'))
        sscanf(open + 1, "%127[^)]", id);
    size_t line = id[0] ? line_of_id(text, len, id) : 0;
    if (line)
        hitl_err_prefix(err, "line %zu", line);
}

/* read_spec reads a builtin's text or a file's (at most RS_DSL_MAX_BYTES) into *text. */
static int read_spec(const char *spec, char **text, size_t *len, hitl_err *err)
{
    *text = NULL;
    if (!strncmp(spec, BUILTIN_PREFIX, strlen(BUILTIN_PREFIX))) {
        const char *name = spec + strlen(BUILTIN_PREFIX);
        size_t n = rs_dsl_builtin_count();
        for (size_t i = 0; i < n; i++)
            if (!strcmp(rs_dsl_builtin_name(i), name)) {
                const char *t = rs_dsl_builtin_text(i, len);
                *text = malloc(*len + 1);
                if (!*text)
                    return hitl_err_set(err, HITL_E_NOMEM, "out of memory");
                memcpy(*text, t, *len + 1);
                return HITL_OK;
            }
        char names[512] = "";
        for (size_t k = 0, o = 0; k < n && o < sizeof names; k++)
            o += (size_t)snprintf(names + o, sizeof names - o, "%s%s", k ? ", " : "",
                                  rs_dsl_builtin_name(k));
        return hitl_err_set(err, HITL_E_ARG, "%s: no such built-in app (built in: %s)", spec,
                            names);
    }
    FILE *f = fopen(spec, "rb");
    if (!f)
        return hitl_err_set(err, HITL_E_IO, "%s: cannot open: %s", spec, strerror(errno));
    *text = malloc((size_t)RS_DSL_MAX_BYTES + 1);
    if (!*text) {
        fclose(f);
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory");
    }
    *len = fread(*text, 1, (size_t)RS_DSL_MAX_BYTES + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || *len > RS_DSL_MAX_BYTES) {
        free(*text);
        *text = NULL;
        return bad ? hitl_err_set(err, HITL_E_IO, "%s: read error", spec)
                   : hitl_err_set(err, HITL_E_TOO_BIG, "%s: larger than %d bytes", spec,
                                  RS_DSL_MAX_BYTES);
    }
    (*text)[*len] = '\0';
    return HITL_OK;
}

int rs_dsl_app_load(const char *spec, rs_dsl_app **out, hitl_err *err)
{
    cJSON *dsl = NULL;
    char *text;
    size_t len = 0;
    *out = NULL;
    int rc = read_spec(spec, &text, &len, err);
    if (rc)
        return rc;                               /* the message names |spec| */
    rc = rs_dsl_from_yaml(text, len, &dsl, err); /* its messages give the line */
    if (!rc && (rc = rs_dsl_validate(dsl, 0, err)) == HITL_OK)
        rc = rs_dsl_app_build(dsl, out, err);
    if (rc && dsl)
        with_line(text, len, err);
    if (rc)
        hitl_err_prefix(err, "%s", spec);
    cJSON_Delete(dsl);
    free(text);
    return rc;
}
