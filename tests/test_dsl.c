/* test_dsl.c: the Dify app DSL module (dsl.c, dsl_yaml.c): YAML typed as Dify's safe_load
 * types it, the loader's caps, and each validation rule refusing a DSL that breaks it while
 * passing the same DSL unbroken (tests/dsl_files.sh does the same on specs/dify-app/). */
#include "dsl.h"

#include "check_main.h"
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- YAML typing ---- */

struct typing_case {
    const char *yaml; /* the value after "k: " */
    int type;         /* cJSON_String, cJSON_Number, cJSON_True, cJSON_False, cJSON_NULL */
    const char *str;  /* expected string */
    double num;       /* expected number */
};

static const struct typing_case TYPING[] = {
    {"0.6.0", cJSON_String, "0.6.0", 0}, /* a DSL version: a string, as Dify needs */
    {"\"0.6.0\"", cJSON_String, "0.6.0", 0},
    {"0.6", cJSON_Number, NULL, 0.6}, /* a float: Dify refuses it as a version */
    {"'0.6'", cJSON_String, "0.6", 0},
    {"1", cJSON_Number, NULL, 1},
    {"-3", cJSON_Number, NULL, -3},
    {"+7", cJSON_Number, NULL, 7},
    {"1_000", cJSON_Number, NULL, 1000},
    {"0x1F", cJSON_Number, NULL, 31},
    {"017", cJSON_Number, NULL, 15}, /* YAML 1.1 octal */
    {"0b101", cJSON_Number, NULL, 5},
    {"08", cJSON_String, "08", 0}, /* neither octal nor decimal */
    {"1.5e+3", cJSON_Number, NULL, 1500},
    {".5", cJSON_Number, NULL, 0.5},
    {"1.", cJSON_Number, NULL, 1},
    {"1e5", cJSON_String, "1e5", 0}, /* YAML 1.1 floats have a dot */
    {"true", cJSON_True, NULL, 0},
    {"yes", cJSON_True, NULL, 0},
    {"On", cJSON_True, NULL, 0},
    {"False", cJSON_False, NULL, 0},
    {"no", cJSON_False, NULL, 0},
    {"OFF", cJSON_False, NULL, 0},
    {"y", cJSON_String, "y", 0}, /* PyYAML's bools do not include y/n */
    {"'true'", cJSON_String, "true", 0},
    {"~", cJSON_NULL, NULL, 0},
    {"null", cJSON_NULL, NULL, 0},
    {"", cJSON_NULL, NULL, 0},
    {"hello world", cJSON_String, "hello world", 0},
    {"|-\n  two\n  lines", cJSON_String, "two\nlines", 0},
    {"__timeout", cJSON_String, "__timeout", 0},
};

START_TEST(plain_scalars_typed_as_safe_load)
{
    const struct typing_case *c = &TYPING[_i];
    char text[128];
    snprintf(text, sizeof text, "k: %s\n", c->yaml);
    cJSON *doc = NULL;
    hitl_err err = {0};
    ck_assert_msg(rs_dsl_from_yaml(text, strlen(text), &doc, &err) == HITL_OK, "%s: %s", c->yaml,
                  err.msg);
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(doc, "k");
    ck_assert_ptr_nonnull(k);
    ck_assert_msg((k->type & 0xFF) == c->type, "%s: type %d, expected %d", c->yaml, k->type,
                  c->type);
    if (c->str)
        ck_assert_str_eq(k->valuestring, c->str);
    if (c->type == cJSON_Number)
        ck_assert_msg(fabs(k->valuedouble - c->num) < 1e-9, "%s: %g", c->yaml, k->valuedouble);
    cJSON_Delete(doc);
}
END_TEST

static int load(const char *text, hitl_err *err)
{
    cJSON *doc = NULL;
    int rc = rs_dsl_from_yaml(text, strlen(text), &doc, err);
    ck_assert(rc == HITL_OK || doc == NULL);
    cJSON_Delete(doc);
    return rc;
}

START_TEST(malformed_yaml_names_its_line)
{
    hitl_err err = {0};
    ck_assert_int_eq(load("a: 1\nb: [1, 2\n", &err), HITL_E_PARSE);
    ck_assert_ptr_nonnull(strstr(err.msg, "line 3"));
}
END_TEST

START_TEST(document_must_be_a_mapping)
{
    hitl_err err = {0};
    ck_assert_int_eq(load("- a\n- b\n", &err), HITL_E_PARSE);
    ck_assert_ptr_nonnull(strstr(err.msg, "not a mapping"));
    ck_assert_int_eq(load("", &err), HITL_E_PARSE);
}
END_TEST

START_TEST(key_given_twice_is_refused)
{
    hitl_err err = {0};
    ck_assert_int_eq(load("a: 1\nb: 2\na: 3\n", &err), HITL_E_INVALID);
    ck_assert_ptr_nonnull(strstr(err.msg, "line 3: the key 'a' appears twice"));
}
END_TEST

START_TEST(non_scalar_key_is_refused)
{
    hitl_err err = {0};
    ck_assert_int_eq(load("? [a, b]\n: 1\n", &err), HITL_E_PARSE);
    ck_assert_ptr_nonnull(strstr(err.msg, "not a string"));
}
END_TEST

START_TEST(nul_in_a_string_is_refused)
{
    hitl_err err = {0};
    ck_assert_int_eq(load("a: \"x\\0y\"\n", &err), HITL_E_PARSE);
    ck_assert_ptr_nonnull(strstr(err.msg, "NUL"));
}
END_TEST

/* Ten levels of ten aliases would expand to 10^10 values. */
START_TEST(alias_bomb_stops_at_the_value_cap)
{
    char text[4096];
    size_t o = (size_t)snprintf(text, sizeof text, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i <= 10; i++)
        o += (size_t)snprintf(text + o, sizeof text - o,
                              "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, "
                              "*a%d]\n",
                              i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1,
                              i - 1);
    hitl_err err = {0};
    ck_assert_int_eq(load(text, &err), HITL_E_TOO_BIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "aliases"));
}
END_TEST

START_TEST(alias_inside_itself_stops_at_the_depth_cap)
{
    hitl_err err = {0};
    int rc = load("a: &x [1, *x]\n", &err);
    /* libyaml registers the anchor before its items, so the alias is a cycle. */
    ck_assert_int_eq(rc, HITL_E_TOO_BIG);
}
END_TEST

START_TEST(nesting_stops_at_the_depth_cap)
{
    char text[512] = "a: ";
    for (int i = 0; i < RS_DSL_MAX_DEPTH + 5; i++)
        strcat(text, "[");
    for (int i = 0; i < RS_DSL_MAX_DEPTH + 5; i++)
        strcat(text, "]");
    strcat(text, "\n");
    hitl_err err = {0};
    ck_assert_int_eq(load(text, &err), HITL_E_TOO_BIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "deeper"));
}
END_TEST

START_TEST(size_cap_is_checked_before_parsing)
{
    static const char text[] = "a: 1\n";
    cJSON *doc = NULL;
    hitl_err err = {0};
    ck_assert_int_eq(rs_dsl_from_yaml(text, (size_t)RS_DSL_MAX_BYTES + 1, &doc, &err),
                     HITL_E_TOO_BIG);
    ck_assert_ptr_null(doc);
}
END_TEST

/* ---- validation ---- */

static const char BASE[] =
    "version: \"0.6.0\"\n"
    "kind: app\n"
    "app: {name: t, mode: workflow}\n"
    "workflow:\n"
    "  graph:\n"
    "    nodes:\n"
    "      - {id: start, type: custom, position: {x: 0, y: 0}, data: {type: start, title: Start, "
    "variables: []}}\n"
    "      - id: review\n"
    "        type: custom\n"
    "        position: {x: 300, y: 0}\n"
    "        data:\n"
    "          type: human-input\n"
    "          title: Review\n"
    "          delivery_methods: [{id: 5b0f3c2e-8d41-4c7a-9e3b-2f6a1d0c9e77, type: webapp, "
    "enabled: true, config: {}}]\n"
    "          form_content: \"Check.\\n{{#$output.feedback#}}\"\n"
    "          inputs: [{type: paragraph, output_variable_name: feedback}]\n"
    "          user_actions: [{id: approve, title: Approve, button_style: primary}, "
    "{id: revise, title: Revise, button_style: default}]\n"
    "          timeout: 1\n"
    "          timeout_unit: hour\n"
    "      - {id: end_ok, type: custom, position: {x: 600, y: 0}, data: {type: end, title: Done, "
    "outputs: [{variable: action, value_selector: [review, __action_id]}, "
    "{variable: feedback, value_selector: [review, feedback]}]}}\n"
    "    edges:\n"
    "      - {id: e0, source: start, sourceHandle: source, target: review, targetHandle: "
    "target}\n"
    "      - {id: e1, source: review, sourceHandle: approve, target: end_ok}\n"
    "      - {id: e2, source: review, sourceHandle: revise, target: end_ok}\n"
    "      - {id: e3, source: review, sourceHandle: __timeout, target: end_ok}\n";

struct rule_case {
    const char *name;
    const char *from, *to; /* BASE with the first |from| replaced by |to| */
    const char *strict;    /* expected message part with RS_DSL_STRICT, NULL: passes */
    const char *lax;       /* expected message part without it, NULL: passes */
};

static const struct rule_case RULES[] = {
    {"wrong handle", "sourceHandle: revise", "sourceHandle: reject",
     "sourceHandle 'reject' is not a handle of human-input review (approve, revise, __timeout)",
     "is not a handle"},
    {"bad action id", "{id: revise,", "{id: 9revise,", "'9revise' is not a valid action id",
     "not a valid action id"},
    {"action id too long", "{id: revise,", "{id: revise_revise_revise_,", "not a valid action id",
     "not a valid action id"},
    {"action id is the timeout handle", "{id: revise,", "{id: __timeout,",
     "the timeout branch's handle", "timeout branch's handle"},
    {"duplicate action id", "{id: revise,", "{id: approve,", "used by an earlier action",
     "used by an earlier action"},
    {"unknown input type", "type: paragraph", "type: textarea", "unknown input type 'textarea'",
     "unknown input type"},
    {"missing form_content", "          form_content: \"Check.\\n{{#$output.feedback#}}\"\n", "",
     "missing form_content", "missing form_content"},
    {"missing app mode", "mode: workflow", "modus: workflow", "app: missing mode", "missing mode"},
    {"version a float", "version: \"0.6.0\"", "version: 0.6", "must be a YAML string",
     "must be a YAML string"},
    {"version newer than 0.6.0", "version: \"0.6.0\"", "version: \"0.7.0\"", "newer than 0.6.0",
     NULL},
    {"button style", "button_style: primary", "button_style: danger",
     "button_style 'danger' is not a button style", "not a button style"},
    {"timeout unit", "timeout_unit: hour", "timeout_unit: minute",
     "timeout_unit 'minute' is not a timeout unit", "not a timeout unit"},
    {"timeout zero", "timeout: 1", "timeout: 0", "timeout must be", "timeout must be"},
    {"delivery id not a UUID", "id: 5b0f3c2e-8d41-4c7a-9e3b-2f6a1d0c9e77", "id: webapp-method",
     "is not a UUID", "is not a UUID"},
    {"webapp disabled", "enabled: true", "enabled: false", "no enabled webapp delivery",
     "no enabled webapp delivery"},
    {"placeholder missing", "Check.\\n{{#$output.feedback#}}", "Check.",
     "form_content has no {{#$output.feedback#}}", "has no {{#$output.feedback#}}"},
    {"placeholder without input", "Check.\\n", "Check {{#$output.other#}}\\n",
     "no input is named other", "no input is named other"},
    {"title over 20 (strict only)", "title: Revise,", "title: Revise after a second look,",
     "title must have 1 to 20 characters", NULL},
    {"timeout branch unconnected (strict only)",
     "      - {id: e3, source: review, sourceHandle: __timeout, target: end_ok}\n", "",
     "no edge leaves review by __timeout", NULL},
    {"reference to a missing output", "[review, feedback]", "[review, feedbak]",
     "review has no output 'feedbak'", "has no output 'feedbak'"},
    {"__action_value (strict only)", "[review, feedback]", "[review, __action_value]",
     "__action_value exists only in later releases", NULL},
    {"reference to a missing node", "[review, feedback]", "[reviewer, feedback]",
     "no node 'reviewer'", "no node 'reviewer'"},
    {"edge to a missing node", "sourceHandle: approve, target: end_ok",
     "sourceHandle: approve, target: end_no", "target 'end_no' is not a node", "is not a node"},
    {"unreachable node", "{id: e0, source: start, sourceHandle: source, target: review,",
     "{id: e0, source: start, sourceHandle: source, target: end_ok,", "not reachable",
     "not reachable"},
    {"edge to itself", "sourceHandle: revise, target: end_ok",
     "sourceHandle: revise, target: review", "from a node to itself", "to itself"},
    {"answer in a workflow", "type: end,", "type: answer, answer: x,", "a Workflow ends in End",
     "ends in End"},
    {"sys.query in a workflow", "Check.\\n", "Check {{#sys.query#}}.\\n",
     "sys.query exists only in a Chatflow", "only in a Chatflow"},
    {"if-else handle on a start node", "sourceHandle: source,", "sourceHandle: 'true',",
     "not a handle of start start (source)", "not a handle"},
    {"unknown node type", "type: end,", "type: llm,", "'llm' is not a node type",
     "not a node type"},
    {"file input without upload methods", "{type: paragraph, output_variable_name: feedback}",
     "{type: file, output_variable_name: feedback, allowed_file_types: [document]}",
     "missing allowed_file_upload_methods", "missing allowed_file_upload_methods"},
    {"file-list with a bad type", "{type: paragraph, output_variable_name: feedback}",
     "{type: file-list, output_variable_name: feedback, allowed_file_types: [pdf], "
     "allowed_file_upload_methods: [local_file]}",
     "allowed_file_types[0] 'pdf' is not one of", "is not one of"},
    {"custom file type without extensions", "{type: paragraph, output_variable_name: feedback}",
     "{type: file, output_variable_name: feedback, allowed_file_types: [custom], "
     "allowed_file_upload_methods: [local_file]}",
     "allowed_file_extensions must name", "allowed_file_extensions must name"},
    {"select without options", "{type: paragraph, output_variable_name: feedback}",
     "{type: select, output_variable_name: feedback, option_source: {type: constant, value: []}}",
     "at least one option", "at least one option"},
    {"text_input (strict only)", "type: paragraph", "type: text_input",
     "text_input exists only in Dify 1.13 and 1.14", NULL},
    {"node id with a dash", "id: end_ok", "id: end-ok", "must match [A-Za-z0-9_]{1,50}",
     "must match"},
};

static char *replace_once(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    ck_assert_msg(at != NULL, "the case's text '%s' is not in the base DSL", from);
    size_t n = strlen(text) - strlen(from) + strlen(to) + 1;
    char *out = malloc(n);
    ck_assert_ptr_nonnull(out);
    snprintf(out, n, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    return out;
}

static void expect(const char *text, unsigned flags, const char *want, const char *name)
{
    cJSON *doc = NULL;
    hitl_err err = {0};
    int rc = rs_dsl_from_yaml(text, strlen(text), &doc, &err);
    ck_assert_msg(rc == HITL_OK, "%s: the YAML does not load: %s", name, err.msg);
    rc = rs_dsl_validate(doc, flags, &err);
    cJSON_Delete(doc);
    if (!want) {
        ck_assert_msg(rc == HITL_OK, "%s (%s): refused: %s", name, flags ? "strict" : "lax",
                      err.msg);
        return;
    }
    ck_assert_msg(rc == HITL_E_INVALID, "%s (%s): accepted", name, flags ? "strict" : "lax");
    ck_assert_msg(strstr(err.msg, want) != NULL, "%s (%s): '%s' does not say '%s'", name,
                  flags ? "strict" : "lax", err.msg, want);
}

START_TEST(base_dsl_passes)
{
    expect(BASE, RS_DSL_STRICT, NULL, "base");
    expect(BASE, 0, NULL, "base");
}
END_TEST

START_TEST(each_rule_refuses_what_breaks_it)
{
    const struct rule_case *c = &RULES[_i];
    char *text = replace_once(BASE, c->from, c->to);
    expect(text, RS_DSL_STRICT, c->strict, c->name);
    expect(text, 0, c->lax, c->name);
    free(text);
}
END_TEST

START_TEST(first_violation_names_its_path)
{
    char *text = replace_once(BASE, "{id: revise,", "{id: 9revise,");
    cJSON *doc = NULL;
    hitl_err err = {0};
    ck_assert_int_eq(rs_dsl_from_yaml(text, strlen(text), &doc, &err), HITL_OK);
    ck_assert_int_eq(rs_dsl_validate(doc, 0, &err), HITL_E_INVALID);
    ck_assert_ptr_nonnull(
        strstr(err.msg, "workflow.graph.nodes[1](review).data.user_actions[1]: "));
    cJSON_Delete(doc);
    free(text);
}
END_TEST

START_TEST(node_lookup)
{
    cJSON *doc = NULL;
    hitl_err err = {0};
    ck_assert_int_eq(rs_dsl_from_yaml(BASE, strlen(BASE), &doc, &err), HITL_OK);
    const cJSON *n = rs_dsl_node(doc, "review");
    ck_assert_ptr_nonnull(n);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(n, "id")->valuestring, "review");
    ck_assert_ptr_null(rs_dsl_node(doc, "nope"));
    cJSON_Delete(doc);
}
END_TEST

static Suite *dsl_suite(void)
{
    Suite *s = suite_create("dsl");
    TCase *t = tcase_create("yaml");
    tcase_add_loop_test(t, plain_scalars_typed_as_safe_load, 0,
                        (int)(sizeof TYPING / sizeof TYPING[0]));
    tcase_add_test(t, malformed_yaml_names_its_line);
    tcase_add_test(t, document_must_be_a_mapping);
    tcase_add_test(t, key_given_twice_is_refused);
    tcase_add_test(t, non_scalar_key_is_refused);
    tcase_add_test(t, nul_in_a_string_is_refused);
    tcase_add_test(t, alias_bomb_stops_at_the_value_cap);
    tcase_add_test(t, alias_inside_itself_stops_at_the_depth_cap);
    tcase_add_test(t, nesting_stops_at_the_depth_cap);
    tcase_add_test(t, size_cap_is_checked_before_parsing);
    suite_add_tcase(s, t);
    t = tcase_create("rules");
    tcase_add_test(t, base_dsl_passes);
    tcase_add_loop_test(t, each_rule_refuses_what_breaks_it, 0,
                        (int)(sizeof RULES / sizeof RULES[0]));
    tcase_add_test(t, first_violation_names_its_path);
    tcase_add_test(t, node_lookup);
    suite_add_tcase(s, t);
    return s;
}

HITL_CHECK_MAIN(dsl_suite)
