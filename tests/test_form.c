/* test_form.c: the typed form, its validator and serializer (form.c), and the JSON
 * helpers they stand on (json.c). Every validation rule has its own case with the exact
 * path and message it must produce. */
#include "hitl/form.h"
#include "hitl/json.h"

#include "check_main.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DATA_DIR HITL_SOURCE_DIR "/tests/data/form/"

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    char *buf = malloc(1 << 20);
    ck_assert_ptr_nonnull(buf);
    *len = fread(buf, 1, (1 << 20) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

/* "path: message" lines joined with "\n": what form-lint prints, compared whole. */
static char *problems_text(const hitl_form *f)
{
    size_t cap = 1, used = 0;
    for (size_t i = 0; i < f->n_problems; i++)
        cap += strlen(f->problems[i].path) + strlen(f->problems[i].message) + 3;
    char *s = malloc(cap);
    ck_assert_ptr_nonnull(s);
    s[0] = '\0';
    for (size_t i = 0; i < f->n_problems; i++)
        used += (size_t)snprintf(s + used, cap - used, "%s%s: %s", i ? "\n" : "",
                                 f->problems[i].path, f->problems[i].message);
    return s;
}

static hitl_form *parse_ok(const char *json, hitl_form_kind kind)
{
    hitl_form *f = NULL;
    hitl_err err = {0};
    int rc = hitl_form_parse(json, strlen(json), HITL_FORM_MAX_BYTES, kind, &f, &err);
    ck_assert_msg(rc == HITL_OK, "parse failed (%d): %s", rc, err.msg);
    ck_assert_ptr_nonnull(f);
    return f;
}

/* Serialize, parse the result with the same kind, serialize again: the bytes must match. */
static void assert_round_trip(const hitl_form *f)
{
    char *a = NULL, *b = NULL;
    hitl_err err = {0};
    ck_assert_int_eq(hitl_form_to_json(f, false, &a, &err), HITL_OK);
    hitl_form *g = parse_ok(a, f->kind);
    ck_assert_int_eq(hitl_form_to_json(g, false, &b, &err), HITL_OK);
    ck_assert_str_eq(a, b);
    ck_assert_int_eq(g->kind, f->kind);
    ck_assert_uint_eq(g->n_inputs, f->n_inputs);
    ck_assert_uint_eq(g->n_actions, f->n_actions);
    free(a);
    free(b);
    hitl_form_free(g);
}

/* ---- Dify's own forms ---- */

static const char *const DIFY_FORMS[] = {
    "dify_test_web_get_form_backstage_empty.json",
    "dify_test_web_get_form_includes_site.json",
    "dify_test_web_get_form_runtime_select.json",
    "docs_get_form__pr783.json",
    "docs_get_form__v1_14.json",
    "docs_get_form__v1_15.json",
    "docs_guide_get_form__v1_16.json",
};

START_TEST(dify_form_is_valid_and_round_trips)
{
    char path[512];
    snprintf(path, sizeof path, DATA_DIR "%s", DIFY_FORMS[_i]);
    size_t len = 0;
    char *text = read_file(path, &len);
    hitl_form *f = NULL;
    hitl_err err = {0};
    ck_assert_int_eq(hitl_form_parse(text, len, HITL_FORM_MAX_BYTES, HITL_FORM_AUTO, &f, &err),
                     HITL_OK);
    char *probs = problems_text(f);
    ck_assert_msg(f->n_problems == 0, "%s: %s", DIFY_FORMS[_i], probs);
    ck_assert_int_eq(f->kind, HITL_FORM_GET);
    ck_assert_int_eq(f->expiration_state, HITL_JSON_OK);
    ck_assert_ptr_nonnull(f->form_content);
    assert_round_trip(f);
    free(probs);
    hitl_form_free(f);
    free(text);
}
END_TEST

START_TEST(svc_mock_without_input_type_is_invalid_at_that_path)
{
    size_t len = 0;
    char *text = read_file(DATA_DIR "unclassified_dify_test_svc_get_success_mock.json", &len);
    hitl_form *f = parse_ok(text, HITL_FORM_AUTO);
    char *probs = problems_text(f);
    ck_assert_str_eq(probs, "$.inputs[0].type: required key is missing");
    /* An absent button_style is the model default, not a problem. */
    ck_assert_str_eq(f->actions[0].button_style, "default");
    ck_assert_int_eq(f->inputs[0].type, HITL_INPUT_UNKNOWN);
    ck_assert_str_eq(f->inputs[0].output_variable_name, "name");
    free(probs);
    hitl_form_free(f);
    free(text);
}
END_TEST

START_TEST(web_form_keeps_site_and_string_defaults)
{
    size_t len = 0;
    char *text = read_file(DATA_DIR "dify_test_web_get_form_includes_site.json", &len);
    hitl_form *f = parse_ok(text, HITL_FORM_GET);
    ck_assert_ptr_nonnull(f->site_json);
    ck_assert_ptr_nonnull(
        strstr(f->site_json, "\"app_id\":\"7d2c4a51-3b8e-4f6a-9c1d-2e5f7a9b0c13\""));
    ck_assert_uint_eq(f->n_default_values, 3);
    ck_assert_str_eq(f->default_values[2].name, "meta");
    ck_assert_str_eq(f->default_values[2].value, "{\"k\": \"v\"}");
    ck_assert(!f->default_values[2].is_json);
    ck_assert_int_eq(f->expiration_time, 4070908800LL);
    hitl_form_free(f);
    free(text);
}
END_TEST

/* ---- §4.4's example ---- */

static const char EXAMPLE_4_4[] =
    "{\"form_content\":\"Please review the draft and set a priority.\",\n"
    " \"inputs\":[\n"
    "  {\"type\":\"paragraph\",\"output_variable_name\":\"feedback\",\"default\":{\"type\":"
    "\"constant\",\"selector\":[],\"value\":\"\"}},\n"
    "  {\"type\":\"select\",\"output_variable_name\":\"priority\",\"option_source\":{\"type\":"
    "\"constant\",\"selector\":[],\"value\":[\"low\",\"medium\",\"high\"]}},\n"
    "  {\"type\":\"file\",\"output_variable_name\":\"attachment\",\"allowed_file_types\":"
    "[\"image\",\"document\"],\"allowed_file_extensions\":[],\"allowed_file_upload_methods\":"
    "[\"local_file\",\"remote_url\"]},\n"
    "  {\"type\":\"file-list\",\"output_variable_name\":\"attachments\",\"allowed_file_types\":"
    "[\"document\"],\"allowed_file_extensions\":[],\"allowed_file_upload_methods\":"
    "[\"local_file\"],\"number_limits\":5}],\n"
    " \"resolved_default_values\":{\"feedback\":\"\"},\n"
    " \"user_actions\":[{\"id\":\"approve\",\"title\":\"Approve\",\"button_style\":\"primary\"},"
    "{\"id\":\"reject\",\"title\":\"Request changes\",\"button_style\":\"default\"}],\n"
    " \"expiration_time\":1745510400}";

START_TEST(section_4_4_example_types_every_field)
{
    hitl_form *f = parse_ok(EXAMPLE_4_4, HITL_FORM_AUTO);
    ck_assert_uint_eq(f->n_problems, 0);
    ck_assert_int_eq(f->kind, HITL_FORM_GET);
    ck_assert_str_eq(f->form_content, "Please review the draft and set a priority.");
    ck_assert_uint_eq(f->n_inputs, 4);
    const hitl_form_input *p = &f->inputs[0], *s = &f->inputs[1], *fi = &f->inputs[2],
                          *fl = &f->inputs[3];
    ck_assert_int_eq(p->type, HITL_INPUT_PARAGRAPH);
    ck_assert(p->def.present);
    ck_assert_str_eq(p->def.type, "constant");
    ck_assert_uint_eq(p->def.selector.count, 0);
    ck_assert_str_eq(p->def.value, "");
    ck_assert_int_eq(s->type, HITL_INPUT_SELECT);
    ck_assert_str_eq(s->options.type, "constant");
    ck_assert_uint_eq(s->options.value.count, 3);
    ck_assert_str_eq(s->options.value.items[2], "high");
    ck_assert_int_eq(fi->type, HITL_INPUT_FILE);
    ck_assert_uint_eq(fi->allowed_file_types.count, 2);
    ck_assert_str_eq(fi->allowed_file_upload_methods.items[1], "remote_url");
    ck_assert_int_eq(fl->type, HITL_INPUT_FILE_LIST);
    ck_assert_str_eq(fl->type_name, "file-list");
    ck_assert_int_eq(fl->number_limits, 5);
    ck_assert_uint_eq(f->n_actions, 2);
    ck_assert_str_eq(f->actions[1].title, "Request changes");
    ck_assert_int_eq(f->expiration_time, 1745510400);
    ck_assert_ptr_null(f->site_json);
    ck_assert_ptr_eq(hitl_form_find_input(f, "priority"), s);
    ck_assert_ptr_null(hitl_form_find_input(f, "Priority"));
    ck_assert_ptr_eq(hitl_form_find_action(f, "reject"), &f->actions[1]);
    ck_assert_ptr_null(hitl_form_find_action(f, "delete"));
    hitl_form_free(f);
}
END_TEST

START_TEST(section_4_4_example_normalizes_to_exact_json)
{
    hitl_form *f = parse_ok(EXAMPLE_4_4, HITL_FORM_AUTO);
    char *out = NULL;
    hitl_err err = {0};
    ck_assert_int_eq(hitl_form_to_json(f, false, &out, &err), HITL_OK);
    ck_assert_str_eq(
        out,
        "{\"form_content\":\"Please review the draft and set a priority.\",\"inputs\":["
        "{\"type\":\"paragraph\",\"output_variable_name\":\"feedback\",\"default\":{\"type\":"
        "\"constant\",\"selector\":[],\"value\":\"\"}},"
        "{\"type\":\"select\",\"output_variable_name\":\"priority\",\"option_source\":{\"type\":"
        "\"constant\",\"selector\":[],\"value\":[\"low\",\"medium\",\"high\"]}},"
        "{\"type\":\"file\",\"output_variable_name\":\"attachment\",\"allowed_file_types\":"
        "[\"image\",\"document\"],\"allowed_file_extensions\":[],\"allowed_file_upload_methods\":"
        "[\"local_file\",\"remote_url\"]},"
        "{\"type\":\"file-list\",\"output_variable_name\":\"attachments\",\"allowed_file_types\":"
        "[\"document\"],\"allowed_file_extensions\":[],\"allowed_file_upload_methods\":"
        "[\"local_file\"],\"number_limits\":5}],"
        "\"resolved_default_values\":{\"feedback\":\"\"},"
        "\"user_actions\":[{\"id\":\"approve\",\"title\":\"Approve\",\"button_style\":\"primary\"},"
        "{\"id\":\"reject\",\"title\":\"Request changes\",\"button_style\":\"default\"}],"
        "\"expiration_time\":1745510400}");
    free(out);
    hitl_form_free(f);
}
END_TEST

START_TEST(normalization_fills_model_defaults_and_drops_extra_keys)
{
    hitl_form *f = parse_ok("{\"form_content\":\"c\",\"extra\":1,\"inputs\":["
                            "{\"type\":\"paragraph\",\"output_variable_name\":\"p\",\"zzz\":1},"
                            "{\"type\":\"file\",\"output_variable_name\":\"f\",\"default\":null},"
                            "{\"type\":\"file-list\",\"output_variable_name\":\"l\"},"
                            "{\"type\":\"paragraph\",\"output_variable_name\":\"q\",\"default\":"
                            "{\"type\":\"variable\",\"selector\":[\"a\",\"b\"]}}],"
                            "\"resolved_default_values\":{},"
                            "\"user_actions\":[{\"id\":\"go\",\"title\":\"Go\"}],"
                            "\"expiration_time\":null}",
                            HITL_FORM_GET);
    ck_assert_uint_eq(f->n_problems, 0);
    ck_assert_int_eq(f->expiration_state, HITL_JSON_NULL);
    char *out = NULL;
    hitl_err err = {0};
    ck_assert_int_eq(hitl_form_to_json(f, false, &out, &err), HITL_OK);
    ck_assert_str_eq(
        out, "{\"form_content\":\"c\",\"inputs\":["
             "{\"type\":\"paragraph\",\"output_variable_name\":\"p\",\"default\":null},"
             "{\"type\":\"file\",\"output_variable_name\":\"f\",\"allowed_file_types\":[],"
             "\"allowed_file_extensions\":[],\"allowed_file_upload_methods\":[]},"
             "{\"type\":\"file-list\",\"output_variable_name\":\"l\",\"allowed_file_types\":[],"
             "\"allowed_file_extensions\":[],\"allowed_file_upload_methods\":[],"
             "\"number_limits\":0},"
             "{\"type\":\"paragraph\",\"output_variable_name\":\"q\",\"default\":{\"type\":"
             "\"variable\",\"selector\":[\"a\",\"b\"],\"value\":\"\"}}],"
             "\"resolved_default_values\":{},"
             "\"user_actions\":[{\"id\":\"go\",\"title\":\"Go\",\"button_style\":\"default\"}],"
             "\"expiration_time\":null}");
    free(out);
    hitl_form_free(f);
}
END_TEST

/* ---- every validation rule: input, kind, exact problems ---- */

typedef struct invalid_case {
    const char *name;
    hitl_form_kind kind;
    const char *json;
    const char *problems; /* "" = valid */
} invalid_case;

/* A valid GET form with one slot replaced: prefix + INPUTS + middle + ACTIONS + suffix. */
#define GET_FORM(inputs, actions)                                                                  \
    "{\"form_content\":\"c\",\"inputs\":[" inputs "],\"resolved_default_values\":{},"              \
    "\"user_actions\":[" actions "],\"expiration_time\":1745510400}"
#define OK_ACTION "{\"id\":\"approve\",\"title\":\"Approve\",\"button_style\":\"primary\"}"
#define PARA(name) "{\"type\":\"paragraph\",\"output_variable_name\":\"" name "\",\"default\":null}"
#define EVENT_FORM(tail)                                                                           \
    "{\"form_id\":\"f\",\"node_id\":\"n\",\"node_title\":\"t\",\"form_content\":\"c\","            \
    "\"inputs\":[],\"actions\":[" OK_ACTION "],\"display_in_ui\":false," tail "}"

static const invalid_case CASES[] = {
    /* top level, GET */
    {"get_empty_object", HITL_FORM_GET, "{}",
     "$.form_content: required key is missing\n$.inputs: required key is missing\n"
     "$.resolved_default_values: required key is missing\n$.user_actions: required key is missing\n"
     "$.expiration_time: required key is missing"},
    {"form_content_not_string", HITL_FORM_GET,
     "{\"form_content\":[],\"inputs\":[],\"resolved_default_values\":{},\"user_actions\":[],"
     "\"expiration_time\":1}",
     "$.form_content: must be a string, got array"},
    {"inputs_not_array", HITL_FORM_GET,
     "{\"form_content\":\"\",\"inputs\":{},\"resolved_default_values\":{},\"user_actions\":[],"
     "\"expiration_time\":1}",
     "$.inputs: must be an array, got object"},
    {"user_actions_null", HITL_FORM_GET,
     "{\"form_content\":\"\",\"inputs\":[],\"resolved_default_values\":{},\"user_actions\":null,"
     "\"expiration_time\":1}",
     "$.user_actions: must be an array, got null"},
    {"site_not_object", HITL_FORM_GET,
     "{\"form_content\":\"\",\"inputs\":[],\"resolved_default_values\":{},\"user_actions\":[],"
     "\"expiration_time\":1,\"site\":\"x\"}",
     "$.site: must be an object, got string"},
    {"get_expiration_null_allowed", HITL_FORM_GET,
     "{\"form_content\":\"\",\"inputs\":[],\"resolved_default_values\":{},\"user_actions\":[],"
     "\"expiration_time\":null}",
     ""},
    {"expiration_string", HITL_FORM_GET,
     "{\"form_content\":\"\",\"inputs\":[],\"resolved_default_values\":{},\"user_actions\":[],"
     "\"expiration_time\":\"1745510400\"}",
     "$.expiration_time: must be an integer or null, got string"},
    {"expiration_fraction", HITL_FORM_GET,
     "{\"form_content\":\"\",\"inputs\":[],\"resolved_default_values\":{},\"user_actions\":[],"
     "\"expiration_time\":1745510400.5}",
     "$.expiration_time: must be an integer, got 1745510400.5"},
    {"expiration_2_53_plus_1_not_rounded", HITL_FORM_GET,
     "{\"form_content\":\"\",\"inputs\":[],\"resolved_default_values\":{},\"user_actions\":[],"
     "\"expiration_time\":9007199254740993}",
     "$.expiration_time: integer is outside +/-9007199254740991 (2^53-1) and cannot be read "
     "exactly"},
    {"expiration_2_53_minus_1_exact", HITL_FORM_GET,
     "{\"form_content\":\"\",\"inputs\":[],\"resolved_default_values\":{},\"user_actions\":[],"
     "\"expiration_time\":9007199254740991}",
     ""},
    {"defaults_not_object", HITL_FORM_GET,
     "{\"form_content\":\"\",\"inputs\":[],\"resolved_default_values\":[],\"user_actions\":[],"
     "\"expiration_time\":1}",
     "$.resolved_default_values: must be an object, got array"},
    {"get_default_value_not_string", HITL_FORM_GET,
     "{\"form_content\":\"\",\"inputs\":[],\"resolved_default_values\":{\"age\":30,"
     "\"odd key\":null,\"ok\":\"x\"},\"user_actions\":[],\"expiration_time\":1}",
     "$.resolved_default_values.age: must be a string (GET stringifies default values), got "
     "number\n"
     "$.resolved_default_values[\"odd key\"]: must be a string (GET stringifies default values), "
     "got null"},
    /* inputs */
    {"input_not_object", HITL_FORM_GET, GET_FORM("\"paragraph\"", OK_ACTION),
     "$.inputs[0]: must be an object, got string"},
    {"input_type_missing", HITL_FORM_GET, GET_FORM("{\"output_variable_name\":\"a\"}", OK_ACTION),
     "$.inputs[0].type: required key is missing"},
    {"input_type_not_string", HITL_FORM_GET,
     GET_FORM("{\"type\":1,\"output_variable_name\":\"a\"}", OK_ACTION),
     "$.inputs[0].type: must be a string, got number"},
    {"input_type_unknown", HITL_FORM_GET,
     GET_FORM("{\"type\":\"slider\",\"output_variable_name\":\"a\"}", OK_ACTION),
     "$.inputs[0].type: unknown input type \"slider\"; expected one of paragraph, select, file, "
     "file-list, text_input"},
    {"text_input_accepted_as_old_type", HITL_FORM_GET,
     GET_FORM("{\"type\":\"text_input\",\"output_variable_name\":\"a\",\"default\":null}",
              OK_ACTION),
     ""},
    {"output_variable_name_missing", HITL_FORM_GET, GET_FORM("{\"type\":\"paragraph\"}", OK_ACTION),
     "$.inputs[0].output_variable_name: required key is missing"},
    {"output_variable_name_duplicated", HITL_FORM_GET,
     GET_FORM(PARA("a") "," PARA("b") "," PARA("a"), OK_ACTION),
     "$.inputs[2].output_variable_name: duplicate output_variable_name \"a\" (also at "
     "$.inputs[0])"},
    {"paragraph_default_not_object", HITL_FORM_GET,
     GET_FORM("{\"type\":\"paragraph\",\"output_variable_name\":\"a\",\"default\":\"x\"}",
              OK_ACTION),
     "$.inputs[0].default: must be an object or null, got string"},
    {"default_type_missing", HITL_FORM_GET,
     GET_FORM("{\"type\":\"paragraph\",\"output_variable_name\":\"a\",\"default\":{}}", OK_ACTION),
     "$.inputs[0].default.type: required key is missing"},
    {"default_type_invalid", HITL_FORM_GET,
     GET_FORM("{\"type\":\"paragraph\",\"output_variable_name\":\"a\",\"default\":{\"type\":"
              "\"literal\"}}",
              OK_ACTION),
     "$.inputs[0].default.type: \"literal\" is not one of constant, variable"},
    {"default_variable_selector_too_short", HITL_FORM_GET,
     GET_FORM("{\"type\":\"paragraph\",\"output_variable_name\":\"a\",\"default\":{\"type\":"
              "\"variable\",\"selector\":[\"node\"]}}",
              OK_ACTION),
     "$.inputs[0].default.selector: a variable selector needs at least 2 elements, got 1"},
    {"default_variable_selector_absent", HITL_FORM_GET,
     GET_FORM("{\"type\":\"paragraph\",\"output_variable_name\":\"a\",\"default\":{\"type\":"
              "\"variable\"}}",
              OK_ACTION),
     "$.inputs[0].default.selector: a variable selector needs at least 2 elements, got 0"},
    {"default_selector_element_not_string", HITL_FORM_GET,
     GET_FORM("{\"type\":\"paragraph\",\"output_variable_name\":\"a\",\"default\":{\"type\":"
              "\"constant\",\"selector\":[\"n\",2]}}",
              OK_ACTION),
     "$.inputs[0].default.selector[1]: must be a string, got number"},
    {"default_value_not_string", HITL_FORM_GET,
     GET_FORM("{\"type\":\"paragraph\",\"output_variable_name\":\"a\",\"default\":{\"type\":"
              "\"constant\",\"value\":5}}",
              OK_ACTION),
     "$.inputs[0].default.value: must be a string, got number"},
    {"select_option_source_missing", HITL_FORM_GET,
     GET_FORM("{\"type\":\"select\",\"output_variable_name\":\"s\"}", OK_ACTION),
     "$.inputs[0].option_source: required key is missing"},
    {"select_option_source_null", HITL_FORM_GET,
     GET_FORM("{\"type\":\"select\",\"output_variable_name\":\"s\",\"option_source\":null}",
              OK_ACTION),
     "$.inputs[0].option_source: must be an object, got null"},
    {"select_option_type_invalid", HITL_FORM_GET,
     GET_FORM("{\"type\":\"select\",\"output_variable_name\":\"s\",\"option_source\":{\"type\":"
              "\"list\",\"value\":[\"a\"]}}",
              OK_ACTION),
     "$.inputs[0].option_source.type: \"list\" is not one of constant, variable"},
    {"select_option_value_not_array", HITL_FORM_GET,
     GET_FORM("{\"type\":\"select\",\"output_variable_name\":\"s\",\"option_source\":{\"type\":"
              "\"constant\",\"value\":\"a,b\"}}",
              OK_ACTION),
     "$.inputs[0].option_source.value: must be an array, got string"},
    {"select_option_value_element_not_string", HITL_FORM_GET,
     GET_FORM("{\"type\":\"select\",\"output_variable_name\":\"s\",\"option_source\":{\"type\":"
              "\"constant\",\"value\":[\"a\",true]}}",
              OK_ACTION),
     "$.inputs[0].option_source.value[1]: must be a string, got boolean"},
    {"select_variable_source_short_selector_allowed", HITL_FORM_GET,
     GET_FORM("{\"type\":\"select\",\"output_variable_name\":\"s\",\"option_source\":{\"type\":"
              "\"variable\",\"selector\":[\"x\"],\"value\":[]}}",
              OK_ACTION),
     ""},
    {"file_type_unknown", HITL_FORM_GET,
     GET_FORM("{\"type\":\"file\",\"output_variable_name\":\"f\",\"allowed_file_types\":"
              "[\"image\",\"exe\"]}",
              OK_ACTION),
     "$.inputs[0].allowed_file_types[1]: \"exe\" is not one of image, document, audio, video, "
     "custom"},
    {"file_upload_method_unknown", HITL_FORM_GET,
     GET_FORM("{\"type\":\"file\",\"output_variable_name\":\"f\",\"allowed_file_upload_methods\":"
              "[\"tool_file\"]}",
              OK_ACTION),
     "$.inputs[0].allowed_file_upload_methods[0]: \"tool_file\" is not one of local_file, "
     "remote_url"},
    {"file_lists_not_arrays", HITL_FORM_GET,
     GET_FORM("{\"type\":\"file\",\"output_variable_name\":\"f\",\"allowed_file_types\":\"image\","
              "\"allowed_file_extensions\":null,\"allowed_file_upload_methods\":{}}",
              OK_ACTION),
     "$.inputs[0].allowed_file_types: must be an array, got string\n"
     "$.inputs[0].allowed_file_extensions: must be an array, got null\n"
     "$.inputs[0].allowed_file_upload_methods: must be an array, got object"},
    {"file_custom_type_without_extensions", HITL_FORM_GET,
     GET_FORM("{\"type\":\"file\",\"output_variable_name\":\"f\",\"allowed_file_types\":"
              "[\"custom\"],\"allowed_file_extensions\":[]}",
              OK_ACTION),
     "$.inputs[0].allowed_file_extensions: must not be empty when allowed_file_types contains "
     "\"custom\""},
    {"file_custom_type_with_extensions", HITL_FORM_GET,
     GET_FORM("{\"type\":\"file-list\",\"output_variable_name\":\"f\",\"allowed_file_types\":"
              "[\"custom\"],\"allowed_file_extensions\":[\".md\"]}",
              OK_ACTION),
     ""},
    {"file_list_number_limits_negative", HITL_FORM_GET,
     GET_FORM("{\"type\":\"file-list\",\"output_variable_name\":\"l\",\"number_limits\":-1}",
              OK_ACTION),
     "$.inputs[0].number_limits: must be >= 0, got -1"},
    {"file_list_number_limits_fraction", HITL_FORM_GET,
     GET_FORM("{\"type\":\"file-list\",\"output_variable_name\":\"l\",\"number_limits\":1.5}",
              OK_ACTION),
     "$.inputs[0].number_limits: must be an integer, got 1.5"},
    {"file_list_number_limits_string", HITL_FORM_GET,
     GET_FORM("{\"type\":\"file-list\",\"output_variable_name\":\"l\",\"number_limits\":\"5\"}",
              OK_ACTION),
     "$.inputs[0].number_limits: must be an integer, got string"},
    {"file_list_number_limits_null", HITL_FORM_GET,
     GET_FORM("{\"type\":\"file-list\",\"output_variable_name\":\"l\",\"number_limits\":null}",
              OK_ACTION),
     "$.inputs[0].number_limits: must be an integer, got null"},
    {"file_list_number_limits_zero", HITL_FORM_GET,
     GET_FORM("{\"type\":\"file-list\",\"output_variable_name\":\"l\",\"number_limits\":0}",
              OK_ACTION),
     ""},
    /* actions */
    {"action_not_object", HITL_FORM_GET, GET_FORM("", "[]"),
     "$.user_actions[0]: must be an object, got array"},
    {"action_id_and_title_missing", HITL_FORM_GET, GET_FORM("", "{}"),
     "$.user_actions[0].id: required key is missing\n$.user_actions[0].title: required key is "
     "missing"},
    {"action_id_not_string", HITL_FORM_GET, GET_FORM("", "{\"id\":7,\"title\":\"Seven\"}"),
     "$.user_actions[0].id: must be a string, got number"},
    {"action_id_starts_with_digit", HITL_FORM_GET, GET_FORM("", "{\"id\":\"1st\",\"title\":\"x\"}"),
     "$.user_actions[0].id: does not match ^[A-Za-z_][A-Za-z0-9_]*$"},
    {"action_id_with_hyphen", HITL_FORM_GET, GET_FORM("", "{\"id\":\"go-on\",\"title\":\"x\"}"),
     "$.user_actions[0].id: does not match ^[A-Za-z_][A-Za-z0-9_]*$"},
    {"action_id_empty", HITL_FORM_GET, GET_FORM("", "{\"id\":\"\",\"title\":\"x\"}"),
     "$.user_actions[0].id: does not match ^[A-Za-z_][A-Za-z0-9_]*$"},
    {"action_id_21_chars", HITL_FORM_GET,
     GET_FORM("", "{\"id\":\"abcdefghij_klmnopqrst\",\"title\":\"x\"}"),
     "$.user_actions[0].id: is 21 characters long; at most 20 allowed"},
    {"action_id_20_chars", HITL_FORM_GET,
     GET_FORM("", "{\"id\":\"abcdefghij_klmnopqrs\",\"title\":\"x\"}"), ""},
    {"action_title_101_chars", HITL_FORM_GET,
     GET_FORM("", "{\"id\":\"a\",\"title\":\"0123456789012345678901234567890123456789012345678901"
                  "2345678901234567890123456789012345678901234567890\"}"),
     "$.user_actions[0].title: is 101 characters long; at most 100 allowed"},
    {"action_title_100_two_byte_chars", HITL_FORM_GET,
     GET_FORM("", "{\"id\":\"a\",\"title\":\""
                  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                  "\"}"),
     ""},
    {"action_button_style_unknown", HITL_FORM_GET,
     GET_FORM("", "{\"id\":\"a\",\"title\":\"x\",\"button_style\":\"danger\"}"),
     "$.user_actions[0].button_style: \"danger\" is not one of primary, default, accent, ghost"},
    {"action_button_style_null", HITL_FORM_GET,
     GET_FORM("", "{\"id\":\"a\",\"title\":\"x\",\"button_style\":null}"),
     "$.user_actions[0].button_style: must be a string, got null"},
    {"action_id_duplicated", HITL_FORM_GET,
     GET_FORM("", OK_ACTION ",{\"id\":\"approve\",\"title\":\"Again\"}"),
     "$.user_actions[1].id: duplicate action id \"approve\" (also at $.user_actions[0])"},
    {"action_id_quoted_safely_in_message", HITL_FORM_GET,
     GET_FORM("",
              "{\"id\":\"a\\\"b\\nc\",\"title\":\"x\"},{\"id\":\"a\\\"b\\nc\",\"title\":\"y\"}"),
     "$.user_actions[0].id: does not match ^[A-Za-z_][A-Za-z0-9_]*$\n"
     "$.user_actions[1].id: does not match ^[A-Za-z_][A-Za-z0-9_]*$\n"
     "$.user_actions[1].id: duplicate action id \"a\\\"b\\nc\" (also at $.user_actions[0])"},
    /* event data */
    {"event_empty_object", HITL_FORM_EVENT, "{}",
     "$.form_id: required key is missing\n$.node_id: required key is missing\n"
     "$.node_title: required key is missing\n$.form_content: required key is missing\n"
     "$.inputs: required key is missing\n$.actions: required key is missing\n"
     "$.display_in_ui: required key is missing\n$.form_token: required key is missing\n"
     "$.resolved_default_values: required key is missing\n$.expiration_time: required key is "
     "missing"},
    {"event_valid_with_null_token_and_json_defaults", HITL_FORM_EVENT,
     EVENT_FORM("\"form_token\":null,\"resolved_default_values\":{\"n\":3,\"m\":{\"k\":[1]}},"
                "\"expiration_time\":1705494029"),
     ""},
    {"event_display_in_ui_not_bool", HITL_FORM_EVENT,
     "{\"form_id\":\"f\",\"node_id\":\"n\",\"node_title\":\"t\",\"form_content\":\"c\","
     "\"inputs\":[],\"actions\":[],\"display_in_ui\":0,\"form_token\":\"x\","
     "\"resolved_default_values\":{},\"expiration_time\":1}",
     "$.display_in_ui: must be a boolean, got number"},
    {"event_form_token_not_string", HITL_FORM_EVENT,
     EVENT_FORM("\"form_token\":12,\"resolved_default_values\":{},\"expiration_time\":1"),
     "$.form_token: must be a string or null, got number"},
    {"event_expiration_null", HITL_FORM_EVENT,
     EVENT_FORM("\"form_token\":\"x\",\"resolved_default_values\":{},\"expiration_time\":null"),
     "$.expiration_time: must be an integer, got null"},
    {"event_ids_not_strings", HITL_FORM_EVENT,
     "{\"form_id\":1,\"node_id\":null,\"node_title\":[],\"form_content\":\"c\",\"inputs\":[],"
     "\"actions\":[],\"display_in_ui\":true,\"form_token\":\"x\",\"resolved_default_values\":{},"
     "\"expiration_time\":1}",
     "$.form_id: must be a string, got number\n$.node_id: must be a string, got null\n"
     "$.node_title: must be a string, got array"},
    {"event_action_rules_apply_under_actions", HITL_FORM_EVENT,
     "{\"form_id\":\"f\",\"node_id\":\"n\",\"node_title\":\"t\",\"form_content\":\"c\","
     "\"inputs\":[],\"actions\":[{\"id\":\"ok\",\"title\":\"OK\",\"button_style\":\"big\"}],"
     "\"display_in_ui\":true,\"form_token\":\"x\",\"resolved_default_values\":{},"
     "\"expiration_time\":1}",
     "$.actions[0].button_style: \"big\" is not one of primary, default, accent, ghost"},
};

START_TEST(validation_case)
{
    const invalid_case *tc = &CASES[_i];
    hitl_form *f = parse_ok(tc->json, tc->kind);
    char *probs = problems_text(f);
    ck_assert_msg(!strcmp(probs, tc->problems), "case %s:\n got: %s\nwant: %s", tc->name, probs,
                  tc->problems);
    ck_assert_int_eq(hitl_form_is_valid(f), tc->problems[0] == '\0');
    assert_round_trip(f);
    free(probs);
    hitl_form_free(f);
}
END_TEST

/* ---- kinds ---- */

START_TEST(auto_kind_follows_the_keys)
{
    static const struct {
        const char *json;
        hitl_form_kind kind;
    } K[] = {
        {"{\"user_actions\":[]}", HITL_FORM_GET},
        {"{\"actions\":[]}", HITL_FORM_EVENT},
        {"{\"form_id\":\"x\"}", HITL_FORM_EVENT},
        {"{\"actions\":[],\"user_actions\":[]}", HITL_FORM_EVENT},
        {"{}", HITL_FORM_GET},
    };
    for (size_t i = 0; i < sizeof K / sizeof K[0]; i++) {
        hitl_form *f = parse_ok(K[i].json, HITL_FORM_AUTO);
        ck_assert_msg(f->kind == K[i].kind, "%s gave %s", K[i].json, hitl_form_kind_name(f->kind));
        hitl_form_free(f);
    }
}
END_TEST

START_TEST(event_data_from_dify_stream_types_event_fields)
{
    static const char data[] =
        "{\"form_id\": \"a1b2c3d4-e5f6-7890-abcd-ef1234567890\", \"form_token\": \"tok_abc123\", "
        "\"node_id\": \"approval_node\", \"node_title\": \"Approval\", \"form_content\": "
        "\"Please review the draft.\", \"inputs\": [{\"type\": \"paragraph\", "
        "\"output_variable_name\": \"comment\", \"default\": null}], \"actions\": [{\"id\": "
        "\"approve\", \"title\": \"Approve\", \"button_style\": \"primary\"}], \"display_in_ui\": "
        "false, \"resolved_default_values\": {\"comment\": \"\"}, \"expiration_time\": "
        "1705494029}";
    hitl_form *f = parse_ok(data, HITL_FORM_AUTO);
    ck_assert_uint_eq(f->n_problems, 0);
    ck_assert_int_eq(f->kind, HITL_FORM_EVENT);
    ck_assert_str_eq(f->form_id, "a1b2c3d4-e5f6-7890-abcd-ef1234567890");
    ck_assert_str_eq(f->node_id, "approval_node");
    ck_assert_str_eq(f->node_title, "Approval");
    ck_assert_int_eq(f->form_token_state, HITL_JSON_OK);
    ck_assert_str_eq(f->form_token, "tok_abc123");
    ck_assert_int_eq(f->display_in_ui_state, HITL_JSON_OK);
    ck_assert(!f->display_in_ui);
    ck_assert_uint_eq(f->n_actions, 1);
    ck_assert(!f->inputs[0].def.present);
    ck_assert_int_eq(f->expiration_time, 1705494029);
    char *out = NULL;
    hitl_err err = {0};
    ck_assert_int_eq(hitl_form_to_json(f, false, &out, &err), HITL_OK);
    ck_assert_str_eq(out, "{\"form_id\":\"a1b2c3d4-e5f6-7890-abcd-ef1234567890\",\"node_id\":"
                          "\"approval_node\",\"node_title\":\"Approval\",\"form_content\":"
                          "\"Please review the draft.\",\"inputs\":[{\"type\":\"paragraph\","
                          "\"output_variable_name\":\"comment\",\"default\":null}],\"actions\":"
                          "[{\"id\":\"approve\",\"title\":\"Approve\",\"button_style\":"
                          "\"primary\"}],\"display_in_ui\":false,\"form_token\":\"tok_abc123\","
                          "\"resolved_default_values\":{\"comment\":\"\"},\"expiration_time\":"
                          "1705494029}");
    free(out);
    hitl_form_free(f);
}
END_TEST

START_TEST(event_non_string_defaults_kept_as_json_text)
{
    hitl_form *f =
        parse_ok(EVENT_FORM("\"form_token\":null,\"resolved_default_values\":{\"s\":\"x\",\"n\":30,"
                            "\"m\":{\"k\": \"v\"},\"z\":null},\"expiration_time\":1"),
                 HITL_FORM_EVENT);
    ck_assert_uint_eq(f->n_problems, 0);
    ck_assert_int_eq(f->form_token_state, HITL_JSON_NULL);
    ck_assert_ptr_null(f->form_token);
    ck_assert_uint_eq(f->n_default_values, 4);
    ck_assert(!f->default_values[0].is_json);
    ck_assert_str_eq(f->default_values[1].value, "30");
    ck_assert(f->default_values[1].is_json);
    ck_assert_str_eq(f->default_values[2].value, "{\"k\":\"v\"}");
    ck_assert_str_eq(f->default_values[3].value, "null");
    hitl_form_free(f);
}
END_TEST

/* ---- hard errors and caps ---- */

START_TEST(hard_errors_are_only_non_json_and_non_objects)
{
    static const struct {
        const char *text;
        int rc;
        const char *msg;
    } E[] = {
        {"", HITL_E_PARSE, "not valid JSON: the text is empty"},
        {"  \n", HITL_E_PARSE, "not valid JSON: the text is empty"},
        {"{\"form_content\":", HITL_E_PARSE,
         "not valid JSON: unexpected end of the text at byte 16 of 16"},
        {"{} {}", HITL_E_PARSE, "not valid JSON: unexpected data after the value at byte 3 of 5"},
        {"[]", HITL_E_INVALID, "a form definition must be a JSON object, got array"},
        {"null", HITL_E_INVALID, "a form definition must be a JSON object, got null"},
        {"\"form\"", HITL_E_INVALID, "a form definition must be a JSON object, got string"},
    };
    for (size_t i = 0; i < sizeof E / sizeof E[0]; i++) {
        hitl_form *f = (hitl_form *)1;
        hitl_err err = {0};
        int rc = hitl_form_parse(E[i].text, strlen(E[i].text), 1024, HITL_FORM_AUTO, &f, &err);
        ck_assert_msg(rc == E[i].rc, "'%s' gave %d", E[i].text, rc);
        ck_assert_ptr_null(f);
        ck_assert_str_eq(err.msg, E[i].msg);
    }
}
END_TEST

START_TEST(input_over_cap_is_too_big)
{
    hitl_form *f = NULL;
    hitl_err err = {0};
    const char *t = "{\"form_content\":\"0123456789\"}";
    ck_assert_int_eq(hitl_form_parse(t, strlen(t), 10, HITL_FORM_GET, &f, &err), HITL_E_TOO_BIG);
    ck_assert_str_eq(err.msg, "JSON text is 29 bytes, over the 10-byte cap; refusing to parse it");
    ck_assert_int_eq(hitl_form_parse(t, strlen(t), strlen(t), HITL_FORM_GET, &f, &err), HITL_OK);
    hitl_form_free(f);
}
END_TEST

/* {"x":[[...]]} nested |depth| levels deep in all. */
static char *nested(size_t depth, size_t *len)
{
    char *t = malloc(2 * depth + 16);
    size_t n = 0;
    memcpy(t, "{\"x\":", 5);
    n = 5;
    for (size_t i = 1; i < depth; i++)
        t[n++] = '[';
    for (size_t i = 1; i < depth; i++)
        t[n++] = ']';
    t[n++] = '}';
    *len = n;
    return t;
}

START_TEST(nesting_past_limit_is_a_named_parse_error)
{
    size_t n = 0;
    char *t = nested(HITL_JSON_MAX_DEPTH + 1, &n);
    hitl_form *f = NULL;
    hitl_err err = {0};
    ck_assert_int_eq(hitl_form_parse(t, n, 1 << 20, HITL_FORM_GET, &f, &err), HITL_E_PARSE);
    ck_assert_str_eq(err.msg, "not valid JSON: nesting deeper than 512 levels at byte 516 of 1030");
    free(t);
    /* At the limit it parses; deep junk under an unknown key is ignored like any extra key. */
    t = nested(HITL_JSON_MAX_DEPTH, &n);
    ck_assert_int_eq(hitl_form_parse(t, n, 1 << 20, HITL_FORM_GET, &f, &err), HITL_OK);
    ck_assert_str_eq(f->problems[0].path, "$.form_content");
    hitl_form_free(f);
    free(t);
}
END_TEST

START_TEST(more_than_cap_inputs_read_first_thousand_and_say_so)
{
    size_t n = HITL_FORM_MAX_ITEMS + 1;
    char *t = malloc(n * 64 + 256);
    size_t k = (size_t)sprintf(t, "{\"form_content\":\"\",\"inputs\":[");
    for (size_t i = 0; i < n; i++)
        k += (size_t)sprintf(t + k, "%s{\"type\":\"paragraph\",\"output_variable_name\":\"v%zu\"}",
                             i ? "," : "", i);
    k += (size_t)sprintf(t + k, "],\"resolved_default_values\":{},\"user_actions\":[],"
                                "\"expiration_time\":1}");
    hitl_form *f = parse_ok(t, HITL_FORM_GET);
    char *probs = problems_text(f);
    ck_assert_str_eq(probs, "$.inputs: has 1001 entries; only the first 1000 are read");
    ck_assert_uint_eq(f->n_inputs, HITL_FORM_MAX_ITEMS);
    ck_assert_str_eq(f->inputs[999].output_variable_name, "v999");
    assert_round_trip(f);
    free(probs);
    hitl_form_free(f);
    free(t);
}
END_TEST

START_TEST(problem_list_is_capped_with_a_final_note)
{
    /* 1000 inputs with two problems each. */
    size_t n = HITL_FORM_MAX_ITEMS;
    char *t = malloc(n * 8 + 256);
    size_t k = (size_t)sprintf(t, "{\"form_content\":\"\",\"inputs\":[");
    for (size_t i = 0; i < n; i++)
        k += (size_t)sprintf(t + k, "%s{}", i ? "," : "");
    sprintf(t + k, "],\"resolved_default_values\":{},\"user_actions\":[],\"expiration_time\":1}");
    hitl_form *f = parse_ok(t, HITL_FORM_GET);
    ck_assert_uint_eq(f->n_problems, HITL_FORM_MAX_PROBLEMS + 1);
    ck_assert_str_eq(f->problems[0].path, "$.inputs[0].type");
    ck_assert_str_eq(f->problems[HITL_FORM_MAX_PROBLEMS - 1].path,
                     "$.inputs[499].output_variable_name");
    ck_assert_str_eq(f->problems[HITL_FORM_MAX_PROBLEMS].path, "$");
    ck_assert_str_eq(f->problems[HITL_FORM_MAX_PROBLEMS].message,
                     "more than 1000 problems; the rest are not listed");
    hitl_form_free(f);
    free(t);
}
END_TEST

START_TEST(input_type_names_round_trip)
{
    for (int t = HITL_INPUT_PARAGRAPH; t <= HITL_INPUT_TEXT_INPUT; t++)
        ck_assert_int_eq(hitl_input_type_from_name(hitl_input_type_name((hitl_input_type)t)), t);
    ck_assert_str_eq(hitl_input_type_name(HITL_INPUT_FILE_LIST), "file-list");
    ck_assert_int_eq(hitl_input_type_from_name("File"), HITL_INPUT_UNKNOWN);
    ck_assert_str_eq(hitl_input_type_name(HITL_INPUT_UNKNOWN), "unknown");
    /* graphon's StrEnum spelling of the same type is read as file-list, printed canonically. */
    ck_assert_int_eq(hitl_input_type_from_name("file_list"), HITL_INPUT_FILE_LIST);
}
END_TEST

/* A form whose file-list input is spelled "file_list" (graphon's FormInputType value) is a
 * valid form with a file-list input, not an unknown type. */
START_TEST(file_list_underscore_spelling_is_a_file_list)
{
    const char *json =
        "{\"form_content\":\"x\",\"inputs\":[{\"type\":\"file_list\","
        "\"output_variable_name\":\"files\",\"allowed_file_types\":[\"document\"],"
        "\"allowed_file_extensions\":[],\"allowed_file_upload_methods\":[\"local_file\"],"
        "\"number_limits\":3}],\"resolved_default_values\":{},\"user_actions\":[{\"id\":"
        "\"approve\",\"title\":\"Approve\",\"button_style\":\"primary\"}],"
        "\"expiration_time\":1745510400}";
    hitl_form *f = NULL;
    hitl_err err = {0};
    ck_assert_int_eq(
        hitl_form_parse(json, strlen(json), HITL_FORM_MAX_BYTES, HITL_FORM_GET, &f, &err), HITL_OK);
    ck_assert_uint_eq(f->n_problems, 0);
    ck_assert_int_eq(f->inputs[0].type, HITL_INPUT_FILE_LIST);
    ck_assert_int_eq(f->inputs[0].number_limits, 3);
    hitl_form_free(f);
}
END_TEST

/* ---- json.c helpers ---- */

START_TEST(int64_reads_are_exact_or_refused)
{
    static const struct {
        const char *json;
        hitl_json_field want;
        int64_t value;
    } I[] = {
        {"9007199254740991", HITL_JSON_OK, 9007199254740991LL},
        {"-9007199254740991", HITL_JSON_OK, -9007199254740991LL},
        {"9007199254740992", HITL_JSON_INEXACT, 0},
        {"9007199254740993", HITL_JSON_INEXACT, 0},
        {"1e300", HITL_JSON_INEXACT, 0},
        {"1.25", HITL_JSON_NOT_INTEGER, 0},
        {"5.0", HITL_JSON_OK, 5},
        {"null", HITL_JSON_NULL, 0},
        {"\"5\"", HITL_JSON_WRONG_TYPE, 0},
    };
    for (size_t i = 0; i < sizeof I / sizeof I[0]; i++) {
        cJSON *v = NULL;
        hitl_err err = {0};
        ck_assert_int_eq(hitl_json_parse(I[i].json, strlen(I[i].json), 100, &v, &err), HITL_OK);
        int64_t got = 0;
        ck_assert_msg(hitl_json_int64(v, &got) == I[i].want, "%s", I[i].json);
        ck_assert_msg(got == I[i].value, "%s read as %lld", I[i].json, (long long)got);
        cJSON_Delete(v);
    }
    ck_assert_int_eq(hitl_json_int64(NULL, NULL), HITL_JSON_ABSENT);
}
END_TEST

/* cJSON alone accepts each of these; RFC 8259 (and Python's json) does not. */
START_TEST(parse_is_strict_rfc8259)
{
    static const struct {
        const char *text;
        const char *msg; /* NULL = valid */
    } S[] = {
        {"01", "not valid JSON: a number may not have a leading zero at byte 1 of 2"},
        {"+1", "not valid JSON: unexpected character at byte 0 of 2"},
        {".5", "not valid JSON: unexpected character at byte 0 of 2"},
        {"1.", "not valid JSON: a number needs a digit here at byte 2 of 2"},
        {"1.e5", "not valid JSON: a number needs a digit here at byte 2 of 4"},
        {"1e", "not valid JSON: a number needs a digit here at byte 2 of 2"},
        {"-", "not valid JSON: a number needs a digit here at byte 1 of 1"},
        {"\x01{}", "not valid JSON: unexpected character at byte 0 of 3"},
        {"{}\x01", "not valid JSON: unexpected data after the value at byte 2 of 3"},
        {"[1,\x0b2]", "not valid JSON: unexpected character at byte 3 of 5"},
        {"\"a\nb\"", "not valid JSON: raw control byte 0x0a inside a string at byte 2 of 5"},
        {"\"\\x\"", "not valid JSON: bad escape in a string at byte 2 of 4"},
        {"\"\\u12g4\"", "not valid JSON: bad \\u escape in a string at byte 5 of 8"},
        {"[1,]", "not valid JSON: unexpected character at byte 3 of 4"},
        {"{\"a\":1,}", "not valid JSON: expected a string key at byte 7 of 8"},
        {"{1:2}", "not valid JSON: expected a string key at byte 1 of 5"},
        {"{\"a\" 1}", "not valid JSON: expected ':' at byte 5 of 7"},
        {"[1 2]", "not valid JSON: expected ',' or ']' at byte 3 of 5"},
        {"{\"a\":1 \"b\":2}", "not valid JSON: expected ',' or '}' at byte 7 of 13"},
        {"tru", "not valid JSON: unexpected character at byte 0 of 3"},
        {"nulll", "not valid JSON: unexpected data after the value at byte 4 of 5"},
        {"NaN", "not valid JSON: unexpected character at byte 0 of 3"},
        {"\"abc", "not valid JSON: unterminated string at byte 4 of 4"},
        {"-0", NULL},
        {"1e+5", NULL},
        {"0.5E-3", NULL},
        {"\"\\u00e9\\/\\b\"", NULL},
        {" \t\n\r[1, {\"a\": [true, false, null]}]\r\n ", NULL},
        {"\"\xc3\xa9\"", NULL},
    };
    for (size_t i = 0; i < sizeof S / sizeof S[0]; i++) {
        cJSON *v = NULL;
        hitl_err err = {0}, scan_err = {0};
        int rc = hitl_json_parse(S[i].text, strlen(S[i].text), 100, &v, &err);
        /* The scan alone gives the same verdict and message. */
        ck_assert_int_eq(hitl_json_check(S[i].text, strlen(S[i].text), 100, &scan_err), rc);
        if (!S[i].msg) {
            ck_assert_msg(rc == HITL_OK, "'%s': %s", S[i].text, err.msg);
            cJSON_Delete(v);
        } else {
            ck_assert_msg(rc == HITL_E_PARSE, "'%s' accepted", S[i].text);
            ck_assert_ptr_null(v);
            ck_assert_str_eq(err.msg, S[i].msg);
            ck_assert_str_eq(scan_err.msg, S[i].msg);
        }
    }
}
END_TEST

/* The scan skips plain string bytes eight at a time: a stop byte ('"', '\\' or a control
 * byte) is found at every offset within and across those words. */
START_TEST(string_scan_finds_stop_bytes_at_every_offset)
{
    char text[64];
    for (size_t at = 0; at < 40; at++) {
        memset(text, 'a', sizeof text);
        text[0] = '"';
        text[1 + at] = '\x01';
        text[50] = '"';
        hitl_err err = {0};
        char want[96];
        snprintf(want, sizeof want,
                 "not valid JSON: raw control byte 0x01 inside a string at byte %zu of 51", 1 + at);
        ck_assert_int_eq(hitl_json_check(text, 51, 100, &err), HITL_E_PARSE);
        ck_assert_str_eq(err.msg, want);
        ck_assert_int_eq(hitl_json_check(text, 51, 50, &err), HITL_E_TOO_BIG);
        text[1 + at] = '"'; /* the string ends there: what follows is not JSON */
        ck_assert_int_eq(hitl_json_check(text, 51, 100, &err), HITL_E_PARSE);
        ck_assert_ptr_nonnull(strstr(err.msg, "unexpected data after the value"));
        text[1 + at] = '\\';
        text[2 + at] = 'n'; /* an escape, then plain bytes to the closing quote */
        ck_assert_int_eq(hitl_json_check(text, 51, 100, &err), HITL_OK);
    }
}
END_TEST

START_TEST(typed_getters_say_what_they_found)
{
    cJSON *o = NULL;
    hitl_err err = {0};
    const char *t = "{\"s\":\"x\",\"n\":null,\"b\":true,\"a\":[],\"o\":{},\"S\":1}";
    ck_assert_int_eq(hitl_json_parse(t, strlen(t), 1000, &o, &err), HITL_OK);
    const char *s = NULL;
    bool b = false;
    const cJSON *it = NULL;
    ck_assert_int_eq(hitl_json_get_string(o, "s", &s), HITL_JSON_OK);
    ck_assert_str_eq(s, "x");
    ck_assert_int_eq(hitl_json_get_string(o, "n", &s), HITL_JSON_NULL);
    ck_assert_int_eq(hitl_json_get_string(o, "b", &s), HITL_JSON_WRONG_TYPE);
    ck_assert_int_eq(hitl_json_get_string(o, "missing", &s), HITL_JSON_ABSENT);
    ck_assert_int_eq(hitl_json_get_bool(o, "b", &b), HITL_JSON_OK);
    ck_assert(b);
    ck_assert_int_eq(hitl_json_get_array(o, "a", &it), HITL_JSON_OK);
    ck_assert_int_eq(hitl_json_get_object(o, "a", &it), HITL_JSON_WRONG_TYPE);
    ck_assert_int_eq(hitl_json_get_object(o, "o", &it), HITL_JSON_OK);
    /* Case-sensitive: "S" is not "s". */
    int64_t v = 0;
    ck_assert_int_eq(hitl_json_get_int64(o, "S", &v), HITL_JSON_OK);
    ck_assert_int_eq(v, 1);
    ck_assert_int_eq(hitl_json_get_string(o->child, "s", &s), HITL_JSON_ABSENT); /* not an object */
    cJSON_Delete(o);
}
END_TEST

START_TEST(paths_quote_odd_keys_and_stay_bounded)
{
    hitl_json_path p;
    hitl_json_path_init(&p);
    size_t m0 = hitl_json_path_push_key(&p, "inputs");
    size_t m1 = hitl_json_path_push_index(&p, 12);
    hitl_json_path_push_key(&p, "a b\"c");
    ck_assert_str_eq(p.buf, "$.inputs[12][\"a b\\\"c\"]");
    hitl_json_path_pop(&p, m1);
    ck_assert_str_eq(p.buf, "$.inputs");
    hitl_json_path_pop(&p, m0);
    ck_assert_str_eq(p.buf, "$");
    for (int i = 0; i < 100; i++)
        hitl_json_path_push_key(&p, "abcdefgh");
    ck_assert_uint_lt(strlen(p.buf), HITL_JSON_PATH_MAX);
    ck_assert_str_eq(p.buf + strlen(p.buf) - 3, "...");
}
END_TEST

START_TEST(excerpt_escapes_and_never_splits_utf8)
{
    char out[64];
    ck_assert_str_eq(hitl_json_excerpt("a\"b\\c\n\x01", 7, 60, out, sizeof out),
                     "\"a\\\"b\\\\c\\n\\u0001\"");
    /* "é" is two bytes; a 3-byte cap must not keep half of the second one. */
    ck_assert_str_eq(hitl_json_excerpt("\xc3\xa9\xc3\xa9", 4, 3, out, sizeof out),
                     "\"\xc3\xa9\"...");
    ck_assert_str_eq(hitl_json_excerpt("ab\0cd", 5, 60, out, sizeof out), "\"ab\\u0000cd\"");
    char small[12];
    ck_assert_str_eq(hitl_json_excerpt("abcdefghijkl", 12, 60, small, sizeof small), "\"a\"...");
}
END_TEST

static Suite *form_suite(void)
{
    Suite *s = suite_create("form");
    TCase *tc = tcase_create("dify");
    tcase_add_loop_test(tc, dify_form_is_valid_and_round_trips, 0,
                        (int)(sizeof DIFY_FORMS / sizeof DIFY_FORMS[0]));
    tcase_add_test(tc, svc_mock_without_input_type_is_invalid_at_that_path);
    tcase_add_test(tc, web_form_keeps_site_and_string_defaults);
    tcase_add_test(tc, section_4_4_example_types_every_field);
    tcase_add_test(tc, section_4_4_example_normalizes_to_exact_json);
    tcase_add_test(tc, normalization_fills_model_defaults_and_drops_extra_keys);
    suite_add_tcase(s, tc);

    tc = tcase_create("rules");
    tcase_add_loop_test(tc, validation_case, 0, (int)(sizeof CASES / sizeof CASES[0]));
    tcase_add_test(tc, auto_kind_follows_the_keys);
    tcase_add_test(tc, event_data_from_dify_stream_types_event_fields);
    tcase_add_test(tc, event_non_string_defaults_kept_as_json_text);
    tcase_add_test(tc, input_type_names_round_trip);
    tcase_add_test(tc, file_list_underscore_spelling_is_a_file_list);
    suite_add_tcase(s, tc);

    tc = tcase_create("limits");
    tcase_add_test(tc, hard_errors_are_only_non_json_and_non_objects);
    tcase_add_test(tc, input_over_cap_is_too_big);
    tcase_add_test(tc, nesting_past_limit_is_a_named_parse_error);
    tcase_add_test(tc, more_than_cap_inputs_read_first_thousand_and_say_so);
    tcase_add_test(tc, problem_list_is_capped_with_a_final_note);
    suite_add_tcase(s, tc);

    tc = tcase_create("json");
    tcase_add_test(tc, int64_reads_are_exact_or_refused);
    tcase_add_test(tc, parse_is_strict_rfc8259);
    tcase_add_test(tc, string_scan_finds_stop_bytes_at_every_offset);
    tcase_add_test(tc, typed_getters_say_what_they_found);
    tcase_add_test(tc, paths_quote_odd_keys_and_stay_bounded);
    tcase_add_test(tc, excerpt_escapes_and_never_splits_utf8);
    suite_add_tcase(s, tc);
    return s;
}

HITL_CHECK_MAIN(form_suite)
