/* dsl_node.c: the rules for each node's data (dsl_rules.h): Start, End, IF/ELSE, and the
 * Human Input node's delivery methods, inputs, placeholders, actions and timeout. The
 * sources are listed in specs/dify-app/README.md, "The schema". */
#include "dsl_rules.h"

#include <stdio.h>
#include <string.h>

static const char *const INPUT_TYPES[] = {"paragraph", "select",     "file",
                                          "file-list", "text_input", NULL};
static const char *const VALUE_SOURCES[] = {"constant", "variable", NULL};
static const char *const FILE_TYPES[] = {"image", "document", "audio", "video", "custom", NULL};
static const char *const UPLOAD_METHODS[] = {"local_file", "remote_url", NULL};
static const char *const BUTTON_STYLES[] = {"primary", "default", "accent", "ghost", NULL};
static const char *const TIMEOUT_UNITS[] = {"hour", "day", NULL};
static const char *const DELIVERY_TYPES[] = {"webapp", "email", NULL};
static const char *const LOGICAL_OPS[] = {"and", "or", NULL};
static const char *const START_VAR_TYPES[] = {
    "text-input", "select",    "paragraph", "number",      "external_data_tool",
    "file",       "file-list", "checkbox",  "json_object", NULL};

/* A {type: constant|variable, selector, value} source (paragraph default, select options). */
static int check_source(vctx *v, const cJSON *src, const char *path, bool list_value)
{
    const char *type;
    const cJSON *sel, *val;
    int rc = dsl_want_enum(v, src, "type", path, true, VALUE_SOURCES, "a value source", &type);
    if (!rc)
        rc = dsl_want_strings(v, src, "selector", path, false, 0, NULL, &sel);
    if (!rc && list_value)
        rc = dsl_want_strings(v, src, "value", path, false, 0, NULL, &val);
    if (!rc && !list_value)
        rc = dsl_want(v, src, "value", path, 's', false, &val);
    if (rc)
        return rc;
    if (!strcmp(type, "variable") && cJSON_GetArraySize(dsl_get(src, "selector")) < 2)
        return dsl_fail(v, path,
                        "a variable source needs a selector of at least 2 items (node, name)");
    if (!strcmp(type, "constant") && list_value && cJSON_GetArraySize(dsl_get(src, "value")) < 1)
        return dsl_fail(v, path,
                        "a constant select needs at least one option (hitlcheck: no value "
                        "could be submitted otherwise)");
    return HITL_OK;
}

static int check_file_input(vctx *v, const cJSON *in, const char *path, bool list)
{
    const cJSON *types, *exts, *x;
    int rc = dsl_want_strings(v, in, "allowed_file_types", path, true, 1, FILE_TYPES, &types);
    if (!rc)
        rc = dsl_want_strings(v, in, "allowed_file_extensions", path, false, 0, NULL, &exts);
    if (!rc)
        rc = dsl_want_strings(v, in, "allowed_file_upload_methods", path, true, 1, UPLOAD_METHODS,
                              &x);
    if (rc)
        return rc;
    if (dsl_strings_contain(types, "custom") && cJSON_GetArraySize(exts) < 1)
        return dsl_fail(v, path,
                        "allowed_file_extensions must name the extensions when "
                        "allowed_file_types has custom");
    if (list) {
        if ((rc = dsl_want(v, in, "number_limits", path, 'n', false, &x)))
            return rc;
        if (x && (!dsl_is_int(x) || x->valuedouble < 0))
            return dsl_fail(v, path, "number_limits must be an integer >= 0");
    }
    return HITL_OK;
}

static int check_input(vctx *v, const cJSON *in, const char *path)
{
    const char *type;
    const cJSON *name, *x;
    char buf[200];
    if (!cJSON_IsObject(in))
        return dsl_fail(v, path, "must be a mapping, not %s", dsl_kind_name(in));
    int rc = dsl_want(v, in, "type", path, 's', true, &x);
    if (rc)
        return rc;
    type = x->valuestring;
    if (!dsl_one_of(type, INPUT_TYPES))
        return dsl_fail(v, path, "unknown input type '%s' (one of %s)", type,
                        dsl_set_text(INPUT_TYPES, buf, sizeof buf));
    if (!strcmp(type, "text_input") && (v->flags & RS_DSL_STRICT))
        return dsl_fail(v, path, "text_input exists only in Dify 1.13 and 1.14; use paragraph");
    if ((rc = dsl_want(v, in, "output_variable_name", path, 's', true, &name)))
        return rc;
    /* The form shows an input where {{#$output.NAME#}} stands, and that pattern allows
     * [a-zA-Z_][a-zA-Z0-9_]{0,29}: a longer or odd name could never be placed. */
    if (!dsl_identifier(name->valuestring, 30))
        return dsl_fail(v, path, "output_variable_name '%s' must match [A-Za-z_][A-Za-z0-9_]{0,29}",
                        name->valuestring);
    if (!strcmp(type, "paragraph") || !strcmp(type, "text_input")) {
        x = dsl_get(in, "default");
        if (x && !cJSON_IsNull(x)) {
            char sub[PATH_CAP];
            dsl_pathf(sub, sizeof sub, "%s.default", path);
            if (!cJSON_IsObject(x))
                return dsl_fail(v, sub, "must be a mapping or null, not %s", dsl_kind_name(x));
            return check_source(v, x, sub, false);
        }
        return HITL_OK;
    }
    if (!strcmp(type, "select")) {
        char sub[PATH_CAP];
        if ((rc = dsl_want(v, in, "option_source", path, 'o', true, &x)))
            return rc;
        dsl_pathf(sub, sizeof sub, "%s.option_source", path);
        return check_source(v, x, sub, true);
    }
    return check_file_input(v, in, path, !strcmp(type, "file-list"));
}

/* The names in {{#$output.NAME#}} placeholders of |content| each name an input of |inputs|,
 * and each input has one: the form shows an input where its placeholder stands. */
static int check_placeholders(vctx *v, const char *content, const cJSON *inputs, const char *path)
{
    static const char open[] = "{{#$output.";
    for (const char *p = strstr(content, open); p; p = strstr(p + 1, open)) {
        const char *name = p + sizeof open - 1, *end = strstr(name, "#}}");
        char buf[64];
        size_t n = end ? (size_t)(end - name) : 0;
        if (!end || n == 0 || n >= sizeof buf)
            return dsl_fail(v, path, "form_content has a malformed {{#$output.…#}} placeholder");
        memcpy(buf, name, n);
        buf[n] = '\0';
        bool found = false;
        for (const cJSON *in = inputs->child; in && !found; in = in->next)
            found = !strcmp(dsl_get(in, "output_variable_name")->valuestring, buf);
        if (!found)
            return dsl_fail(
                v, path, "form_content shows {{#$output.%s#}}, but no input is named %s", buf, buf);
    }
    for (const cJSON *in = inputs->child; in; in = in->next) {
        char want_text[64];
        snprintf(want_text, sizeof want_text, "{{#$output.%s#}}",
                 dsl_get(in, "output_variable_name")->valuestring);
        if (!strstr(content, want_text))
            return dsl_fail(v, path,
                            "form_content has no %s: the WebApp shows an input only where its "
                            "placeholder stands",
                            want_text);
    }
    return HITL_OK;
}

static int check_delivery(vctx *v, const cJSON *methods, const char *path)
{
    int webapp = 0, i = 0;
    char sub[PATH_CAP];
    for (const cJSON *dm = methods->child; dm; dm = dm->next, i++) {
        const char *type;
        const cJSON *x, *cfg;
        dsl_pathf(sub, sizeof sub, "%s.delivery_methods[%d]", path, i);
        if (!cJSON_IsObject(dm))
            return dsl_fail(v, sub, "must be a mapping, not %s", dsl_kind_name(dm));
        int rc =
            dsl_want_enum(v, dm, "type", sub, true, DELIVERY_TYPES, "a delivery method", &type);
        if (!rc)
            rc = dsl_want(v, dm, "id", sub, 's', false, &x);
        if (rc)
            return rc;
        if (x && !dsl_uuid_ok(x->valuestring))
            return dsl_fail(v, sub, "id '%s' is not a UUID (Dify's field is uuid.UUID)",
                            x->valuestring);
        if ((rc = dsl_want(v, dm, "enabled", sub, 'b', false, &x)) ||
            (rc = dsl_want(v, dm, "config", sub, 'o', !strcmp(type, "email"), &cfg)))
            return rc;
        bool enabled = !x || cJSON_IsTrue(x);
        if (!strcmp(type, "email")) {
            char csub[PATH_CAP];
            dsl_pathf(csub, sizeof csub, "%s.config", sub);
            if ((rc = dsl_want(v, cfg, "recipients", csub, 'o', true, &x)) ||
                (rc = dsl_want(v, cfg, "subject", csub, 's', true, &x)) ||
                (rc = dsl_want(v, cfg, "body", csub, 's', true, &x)))
                return rc;
            if (!strstr(x->valuestring, "{{#url#}}"))
                return dsl_fail(v, csub,
                                "body must contain {{#url#}}, the form's link (the editor's "
                                "rule)");
        }
        if (enabled && !strcmp(type, "webapp"))
            webapp++;
    }
    if (!webapp)
        return dsl_fail(v, path,
                        "no enabled webapp delivery method: hitlcheck drives the form "
                        "through its form_token, which only WebApp delivery issues");
    return HITL_OK;
}

static int check_actions(vctx *v, const cJSON *actions, const char *path)
{
    int i = 0;
    char sub[PATH_CAP];
    if (cJSON_GetArraySize(actions) < 1)
        return dsl_fail(v, path, "user_actions needs at least one action (the editor's rule)");
    for (const cJSON *a = actions->child; a; a = a->next, i++) {
        const cJSON *id, *title;
        dsl_pathf(sub, sizeof sub, "%s.user_actions[%d]", path, i);
        if (!cJSON_IsObject(a))
            return dsl_fail(v, sub, "must be a mapping, not %s", dsl_kind_name(a));
        int rc = dsl_want(v, a, "id", sub, 's', true, &id);
        if (!rc)
            rc = dsl_want(v, a, "title", sub, 's', true, &title);
        if (!rc)
            rc = dsl_want_enum(v, a, "button_style", sub, false, BUTTON_STYLES, "a button style",
                               NULL);
        if (rc)
            return rc;
        if (!dsl_identifier(id->valuestring, 20))
            return dsl_fail(
                v, sub,
                "id '%s' is not a valid action id: it must match ^[A-Za-z_][A-Za-z0-9_]*$ "
                "and have at most 20 characters",
                id->valuestring);
        if (!strcmp(id->valuestring, TIMEOUT_HANDLE))
            return dsl_fail(v, sub, "id '%s' is the timeout branch's handle; choose another",
                            TIMEOUT_HANDLE);
        for (const cJSON *b = actions->child; b != a; b = b->next)
            if (!strcmp(dsl_get(b, "id")->valuestring, id->valuestring))
                return dsl_fail(v, sub, "id '%s' is used by an earlier action", id->valuestring);
        size_t max = (v->flags & RS_DSL_STRICT) ? 20 : 100;
        if (!title->valuestring[0] || strlen(title->valuestring) > max)
            return dsl_fail(v, sub, "title must have 1 to %zu characters%s", max,
                            max == 20 ? " (the limit of older releases)" : "");
    }
    return HITL_OK;
}

int dsl_check_human_input(vctx *v, const cJSON *data, const char *path)
{
    const cJSON *methods, *content, *inputs, *actions, *x;
    int rc = dsl_want(v, data, "delivery_methods", path, 'a', true, &methods);
    if (!rc)
        rc = check_delivery(v, methods, path);
    if (!rc)
        rc = dsl_want(v, data, "form_content", path, 's', true, &content);
    if (!rc)
        rc = dsl_want(v, data, "inputs", path, 'a', true, &inputs);
    if (rc)
        return rc;
    int i = 0;
    char sub[PATH_CAP];
    for (const cJSON *in = inputs->child; in; in = in->next, i++) {
        dsl_pathf(sub, sizeof sub, "%s.inputs[%d]", path, i);
        if ((rc = check_input(v, in, sub)))
            return rc;
        const char *name = dsl_get(in, "output_variable_name")->valuestring;
        for (const cJSON *b = inputs->child; b != in; b = b->next)
            if (!strcmp(dsl_get(b, "output_variable_name")->valuestring, name))
                return dsl_fail(v, sub, "output_variable_name '%s' is used by an earlier input",
                                name);
    }
    if ((rc = check_placeholders(v, content->valuestring, inputs, path)))
        return rc;
    if ((rc = dsl_want(v, data, "user_actions", path, 'a', true, &actions)) ||
        (rc = check_actions(v, actions, path)))
        return rc;
    if ((rc = dsl_want(v, data, "timeout", path, 'n', false, &x)))
        return rc;
    if (x && (!dsl_is_int(x) || x->valuedouble < 1))
        return dsl_fail(v, path,
                        "timeout must be a whole number >= 1 (with timeout_unit hour or day)");
    return dsl_want_enum(v, data, "timeout_unit", path, false, TIMEOUT_UNITS, "a timeout unit",
                         NULL);
}

int dsl_check_if_else(vctx *v, const cJSON *data, const char *path)
{
    const cJSON *cases;
    char sub[PATH_CAP], csub[PATH_CAP];
    int rc = dsl_want(v, data, "cases", path, 'a', true, &cases);
    if (rc)
        return rc;
    if (cJSON_GetArraySize(cases) < 1)
        return dsl_fail(v, path, "cases needs at least one case");
    int i = 0;
    for (const cJSON *c = cases->child; c; c = c->next, i++) {
        const cJSON *id, *conds;
        dsl_pathf(sub, sizeof sub, "%s.cases[%d]", path, i);
        if (!cJSON_IsObject(c))
            return dsl_fail(v, sub, "must be a mapping, not %s", dsl_kind_name(c));
        if ((rc = dsl_want(v, c, "case_id", sub, 's', true, &id)) ||
            (rc = dsl_want_enum(v, c, "logical_operator", sub, true, LOGICAL_OPS,
                                "a logical operator", NULL)) ||
            (rc = dsl_want(v, c, "conditions", sub, 'a', true, &conds)))
            return rc;
        if (!id->valuestring[0] || !strcmp(id->valuestring, ELSE_HANDLE))
            return dsl_fail(v, sub, "case_id must be non-empty and not '%s' (the ELSE branch)",
                            ELSE_HANDLE);
        for (const cJSON *b = cases->child; b != c; b = b->next)
            if (!strcmp(dsl_get(b, "case_id")->valuestring, id->valuestring))
                return dsl_fail(v, sub, "case_id '%s' is used by an earlier case", id->valuestring);
        if (cJSON_GetArraySize(conds) < 1)
            return dsl_fail(v, sub, "conditions needs at least one condition");
        int j = 0;
        for (const cJSON *cond = conds->child; cond; cond = cond->next, j++) {
            const cJSON *op;
            dsl_pathf(csub, sizeof csub, "%s.conditions[%d]", sub, j);
            if (!cJSON_IsObject(cond))
                return dsl_fail(v, csub, "must be a mapping, not %s", dsl_kind_name(cond));
            if ((rc = dsl_want_strings(v, cond, "variable_selector", csub, true, 2, NULL, NULL)) ||
                (rc = dsl_want(v, cond, "comparison_operator", csub, 's', true, &op)))
                return rc;
            if (!op->valuestring[0])
                return dsl_fail(v, csub, "comparison_operator is empty");
        }
    }
    return HITL_OK;
}

int dsl_check_start(vctx *v, const cJSON *data, const char *path)
{
    const cJSON *vars;
    char sub[PATH_CAP];
    int rc = dsl_want(v, data, "variables", path, 'a', false, &vars);
    int i = 0;
    for (const cJSON *x = vars ? vars->child : NULL; !rc && x; x = x->next, i++) {
        const cJSON *name;
        dsl_pathf(sub, sizeof sub, "%s.variables[%d]", path, i);
        if (!cJSON_IsObject(x))
            return dsl_fail(v, sub, "must be a mapping, not %s", dsl_kind_name(x));
        rc = dsl_want(v, x, "variable", sub, 's', true, &name);
        if (!rc && !dsl_identifier(name->valuestring, 0))
            rc = dsl_fail(v, sub, "variable '%s' is not an identifier", name->valuestring);
        if (!rc)
            rc = dsl_want_enum(v, x, "type", sub, true, START_VAR_TYPES, "a start variable type",
                               NULL);
    }
    return rc;
}

int dsl_check_end(vctx *v, const cJSON *data, const char *path)
{
    const cJSON *outs;
    char sub[PATH_CAP];
    int rc = dsl_want(v, data, "outputs", path, 'a', true, &outs);
    int i = 0;
    for (const cJSON *o = outs ? outs->child : NULL; !rc && o; o = o->next, i++) {
        const cJSON *name, *x;
        dsl_pathf(sub, sizeof sub, "%s.outputs[%d]", path, i);
        if (!cJSON_IsObject(o))
            return dsl_fail(v, sub, "must be a mapping, not %s", dsl_kind_name(o));
        if ((rc = dsl_want(v, o, "variable", sub, 's', true, &name)) ||
            (rc = dsl_want_strings(v, o, "value_selector", sub, true, 2, NULL, NULL)) ||
            (rc = dsl_want(v, o, "value_type", sub, 's', false, &x)))
            return rc;
        if (!dsl_identifier(name->valuestring, 0))
            return dsl_fail(v, sub, "variable '%s' is not an identifier", name->valuestring);
        for (const cJSON *b = outs->child; b != o; b = b->next)
            if (!strcmp(dsl_get(b, "variable")->valuestring, name->valuestring))
                return dsl_fail(v, sub, "variable '%s' is output twice", name->valuestring);
    }
    return rc;
}
