/* test_submit.c: the submission builder (submit.c): exact bodies for §7.4's example, for
 * every deliberately invalid variant, and for a valid fill of each Dify form. */
#include "hitl/form.h"
#include "hitl/json.h"
#include "hitl/submit.h"

#include "check_main.h"
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DATA_DIR HITL_SOURCE_DIR "/tests/data/"

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

static hitl_submit *builder(void)
{
    hitl_submit *s = NULL;
    hitl_err err = {0};
    ck_assert_int_eq(hitl_submit_new(&s, 0, &err), HITL_OK);
    return s;
}

static void assert_body(const hitl_submit *s, const char *want)
{
    char *got = NULL;
    hitl_err err = {0};
    ck_assert_int_eq(hitl_submit_to_json(s, &got, &err), HITL_OK);
    ck_assert_str_eq(got, want);
    cJSON *v = cJSON_Parse(got);
    ck_assert_ptr_nonnull(v); /* always valid JSON */
    cJSON_Delete(v);
    free(got);
}

static const hitl_file_ref LOCAL_IMAGE = {HITL_TRANSFER_LOCAL_FILE,
                                          "3c8fa1b2-7d4e-4f9a-b0c1-d2e3f4a5b6c7", NULL, "image"};
static const hitl_file_ref LOCAL_DOC = {HITL_TRANSFER_LOCAL_FILE,
                                        "1a77f0df-c0e6-461c-987c-e72526f341ee", NULL, "document"};
static const hitl_file_ref REMOTE_DOC = {HITL_TRANSFER_REMOTE_URL, NULL,
                                         "https://example.com/report.pdf", "document"};

/* The §7.4 example body, set in the order it lists. */
static hitl_submit *example_7_4(void)
{
    hitl_submit *s = builder();
    hitl_err err = {0};
    ck_assert_int_eq(hitl_submit_set_string(s, "feedback", "Looks good", &err), HITL_OK);
    ck_assert_int_eq(hitl_submit_set_string(s, "priority", "high", &err), HITL_OK);
    ck_assert_int_eq(hitl_submit_set_file(s, "attachment", &LOCAL_IMAGE, &err), HITL_OK);
    ck_assert_int_eq(hitl_submit_add_file_list_item(s, "attachments", &REMOTE_DOC, &err), HITL_OK);
    ck_assert_int_eq(hitl_submit_set_action(s, "approve", &err), HITL_OK);
    ck_assert_int_eq(hitl_submit_set_user(s, "abc-123", &err), HITL_OK);
    return s;
}

#define EX_INPUTS                                                                                  \
    "\"feedback\":\"Looks good\",\"priority\":\"high\",\"attachment\":{\"transfer_method\":"       \
    "\"local_file\",\"upload_file_id\":\"3c8fa1b2-7d4e-4f9a-b0c1-d2e3f4a5b6c7\",\"type\":"         \
    "\"image\"},\"attachments\":[{\"transfer_method\":\"remote_url\",\"url\":"                     \
    "\"https://example.com/report.pdf\",\"type\":\"document\"}]"

START_TEST(section_7_4_example_is_exact)
{
    hitl_submit *s = example_7_4();
    assert_body(s, "{\"inputs\":{" EX_INPUTS "},\"action\":\"approve\",\"user\":\"abc-123\"}");
    hitl_submit_free(s);
}
END_TEST

/* The published v1.15 request body, rebuilt: same JSON value as Dify's docs. */
START_TEST(dify_docs_v1_15_request_body_rebuilt_equal)
{
    hitl_submit *s = builder();
    hitl_err err = {0};
    ck_assert_int_eq(hitl_submit_set_string(s, "feedback", "Looks good to ship", &err), HITL_OK);
    ck_assert_int_eq(hitl_submit_set_string(s, "priority", "high", &err), HITL_OK);
    ck_assert_int_eq(hitl_submit_set_file(s, "attachment", &LOCAL_IMAGE, &err), HITL_OK);
    ck_assert_int_eq(hitl_submit_add_file_list_item(s, "attachments", &LOCAL_DOC, &err), HITL_OK);
    ck_assert_int_eq(hitl_submit_add_file_list_item(s, "attachments", &REMOTE_DOC, &err), HITL_OK);
    ck_assert_int_eq(hitl_submit_set_action(s, "approve", &err), HITL_OK);
    ck_assert_int_eq(hitl_submit_set_user(s, "abc-123", &err), HITL_OK);
    char *got = NULL;
    ck_assert_int_eq(hitl_submit_to_json(s, &got, &err), HITL_OK);
    size_t len = 0;
    char *want = read_file(DATA_DIR "submit/form_submit_request_approve__v1_15.json", &len);
    cJSON *a = cJSON_Parse(got), *b = cJSON_Parse(want);
    ck_assert(cJSON_Compare(a, b, 1));
    cJSON_Delete(a);
    cJSON_Delete(b);
    free(want);
    free(got);
    hitl_submit_free(s);
}
END_TEST

/* ---- deliberately invalid bodies ---- */

typedef struct variant {
    const char *name;
    int (*apply)(hitl_submit *s, hitl_err *err);
    const char *body;
} variant;

static int v_omit_input(hitl_submit *s, hitl_err *e)
{
    return hitl_submit_omit(s, "priority", e);
}
static int v_select_number(hitl_submit *s, hitl_err *e)
{
    return hitl_submit_set_raw_json(s, "priority", "5", e);
}
static int v_omit_action(hitl_submit *s, hitl_err *e)
{
    return hitl_submit_set_action(s, NULL, e);
}
static int v_omit_user(hitl_submit *s, hitl_err *e)
{
    return hitl_submit_set_user(s, NULL, e);
}
static int v_unknown_top_key(hitl_submit *s, hitl_err *e)
{
    return hitl_submit_set_field_raw(s, "extra", "{\"a\":[true,null]}", e);
}
static int v_action_number(hitl_submit *s, hitl_err *e)
{
    return hitl_submit_set_field_raw(s, "action", "1", e);
}
static int v_inputs_string(hitl_submit *s, hitl_err *e)
{
    return hitl_submit_set_field_raw(s, "inputs", "\"feedback=ok\"", e);
}
static int v_omit_inputs(hitl_submit *s, hitl_err *e)
{
    return hitl_submit_omit_field(s, "inputs", e);
}
static int v_file_without_transfer_method(hitl_submit *s, hitl_err *e)
{
    return hitl_submit_set_raw_json(s, "attachment", "{\"upload_file_id\":\"x\"}", e);
}
static int v_file_list_not_list(hitl_submit *s, hitl_err *e)
{
    return hitl_submit_set_raw_json(s, "attachments", "{\"transfer_method\":\"local_file\"}", e);
}
static int v_file_as_list(hitl_submit *s, hitl_err *e)
{
    return hitl_submit_add_file_list_item(s, "attachment", &LOCAL_DOC, e);
}
static int v_extra_input(hitl_submit *s, hitl_err *e)
{
    return hitl_submit_set_string(s, "not_in_form", "", e);
}
static int v_omit_two_inputs(hitl_submit *s, hitl_err *e)
{
    int rc = hitl_submit_omit(s, "feedback", e);
    return rc ? rc : hitl_submit_omit(s, "attachments", e);
}
static int v_reset_inputs_then_set(hitl_submit *s, hitl_err *e)
{
    int rc = hitl_submit_omit_field(s, "inputs", e);
    if (!rc)
        rc = hitl_submit_set_field_raw(s, "inputs", "{}", e);
    return rc ? rc : hitl_submit_set_string(s, "feedback", "again", e);
}
static int v_replace_keeps_place(hitl_submit *s, hitl_err *e)
{
    int rc = hitl_submit_set_string(s, "feedback", "changed", e);
    return rc ? rc : hitl_submit_set_action(s, "reject", e);
}

#define EX_TAIL ",\"action\":\"approve\",\"user\":\"abc-123\"}"
#define ATTACHMENT                                                                                 \
    "\"attachment\":{\"transfer_method\":\"local_file\",\"upload_file_id\":"                       \
    "\"3c8fa1b2-7d4e-4f9a-b0c1-d2e3f4a5b6c7\",\"type\":\"image\"}"
#define ATTACHMENTS                                                                                \
    "\"attachments\":[{\"transfer_method\":\"remote_url\",\"url\":"                                \
    "\"https://example.com/report.pdf\",\"type\":\"document\"}]"

static const variant VARIANTS[] = {
    {"omit_input", v_omit_input,
     "{\"inputs\":{\"feedback\":\"Looks good\"," ATTACHMENT "," ATTACHMENTS "}" EX_TAIL},
    {"select_value_number", v_select_number,
     "{\"inputs\":{\"feedback\":\"Looks good\",\"priority\":5," ATTACHMENT "," ATTACHMENTS
     "}" EX_TAIL},
    {"omit_action", v_omit_action, "{\"inputs\":{" EX_INPUTS "},\"user\":\"abc-123\"}"},
    {"omit_user", v_omit_user, "{\"inputs\":{" EX_INPUTS "},\"action\":\"approve\"}"},
    {"unknown_top_level_key", v_unknown_top_key,
     "{\"inputs\":{" EX_INPUTS "},\"action\":\"approve\",\"user\":\"abc-123\","
     "\"extra\":{\"a\":[true,null]}}"},
    {"action_not_string", v_action_number,
     "{\"inputs\":{" EX_INPUTS "},\"action\":1,\"user\":\"abc-123\"}"},
    {"inputs_not_object", v_inputs_string, "{\"inputs\":\"feedback=ok\"" EX_TAIL},
    {"omit_inputs", v_omit_inputs, "{\"action\":\"approve\",\"user\":\"abc-123\"}"},
    {"file_mapping_without_transfer_method", v_file_without_transfer_method,
     "{\"inputs\":{\"feedback\":\"Looks good\",\"priority\":\"high\",\"attachment\":"
     "{\"upload_file_id\":\"x\"}," ATTACHMENTS "}" EX_TAIL},
    {"file_list_not_a_list", v_file_list_not_list,
     "{\"inputs\":{\"feedback\":\"Looks good\",\"priority\":\"high\"," ATTACHMENT
     ",\"attachments\":{\"transfer_method\":\"local_file\"}}" EX_TAIL},
    {"single_file_sent_as_list", v_file_as_list,
     "{\"inputs\":{\"feedback\":\"Looks good\",\"priority\":\"high\",\"attachment\":["
     "{\"transfer_method\":\"local_file\",\"upload_file_id\":"
     "\"1a77f0df-c0e6-461c-987c-e72526f341ee\",\"type\":\"document\"}]," ATTACHMENTS "}" EX_TAIL},
    {"extra_input_key", v_extra_input, "{\"inputs\":{" EX_INPUTS ",\"not_in_form\":\"\"}" EX_TAIL},
    {"omit_two_inputs", v_omit_two_inputs,
     "{\"inputs\":{\"priority\":\"high\"," ATTACHMENT "}" EX_TAIL},
    {"inputs_reset_goes_back_first", v_reset_inputs_then_set,
     "{\"inputs\":{\"feedback\":\"again\"}" EX_TAIL},
    {"replacing_keeps_the_place", v_replace_keeps_place,
     "{\"inputs\":{\"feedback\":\"changed\",\"priority\":\"high\"," ATTACHMENT "," ATTACHMENTS
     "},\"action\":\"reject\",\"user\":\"abc-123\"}"},
};

/* hitl_submit_body is the tree hitl_submit_to_json prints. */
START_TEST(body_is_the_tree_that_prints)
{
    hitl_submit *s = example_7_4();
    hitl_err err = {0};
    char *got = NULL;
    ck_assert_int_eq(hitl_submit_to_json(s, &got, &err), HITL_OK);
    char *tree = cJSON_PrintUnformatted(hitl_submit_body(s));
    ck_assert_str_eq(tree, got);
    free(tree);
    free(got);
    ck_assert_int_eq(hitl_submit_omit_field(s, "user", &err), HITL_OK);
    ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(hitl_submit_body(s), "user"));
    hitl_submit_free(s);
}
END_TEST

START_TEST(invalid_variant_is_exact)
{
    const variant *v = &VARIANTS[_i];
    hitl_submit *s = example_7_4();
    hitl_err err = {0};
    ck_assert_msg(v->apply(s, &err) == HITL_OK, "%s: %s", v->name, err.msg);
    assert_body(s, v->body);
    hitl_submit_free(s);
}
END_TEST

START_TEST(top_level_order_is_fixed_whatever_the_call_order)
{
    hitl_submit *s = builder();
    hitl_err err = {0};
    ck_assert_int_eq(hitl_submit_set_field_raw(s, "zz", "0", &err), HITL_OK);
    ck_assert_int_eq(hitl_submit_set_user(s, "u", &err), HITL_OK);
    ck_assert_int_eq(hitl_submit_omit_field(s, "inputs", &err), HITL_OK);
    ck_assert_int_eq(hitl_submit_set_action(s, "a", &err), HITL_OK);
    ck_assert_int_eq(hitl_submit_set_field_raw(s, "inputs", "[]", &err), HITL_OK);
    assert_body(s, "{\"inputs\":[],\"action\":\"a\",\"user\":\"u\",\"zz\":0}");
    hitl_submit_free(s);
}
END_TEST

START_TEST(input_setters_refuse_when_inputs_is_not_an_object)
{
    hitl_submit *s = builder();
    hitl_err err = {0};
    ck_assert_int_eq(hitl_submit_set_field_raw(s, "inputs", "\"x\"", &err), HITL_OK);
    ck_assert_int_eq(hitl_submit_set_string(s, "a", "b", &err), HITL_E_STATE);
    ck_assert_str_eq(err.msg, "the submission's `inputs` is string, not an object; set it back "
                              "with hitl_submit_set_field_raw(s, \"inputs\", \"{}\") before "
                              "setting inputs");
    ck_assert_int_eq(hitl_submit_omit_field(s, "inputs", &err), HITL_OK);
    ck_assert_int_eq(hitl_submit_omit(s, "a", &err), HITL_E_STATE);
    ck_assert_str_eq(err.msg, "the submission's `inputs` is omitted, not an object; set it back "
                              "with hitl_submit_set_field_raw(s, \"inputs\", \"{}\") before "
                              "setting inputs");
    assert_body(s, "{}");
    hitl_submit_free(s);
}
END_TEST

START_TEST(bad_arguments_are_named_errors)
{
    hitl_submit *s = builder();
    hitl_err err = {0};
    hitl_file_ref no_id = {HITL_TRANSFER_LOCAL_FILE, NULL, "https://x", NULL};
    hitl_file_ref no_url = {HITL_TRANSFER_REMOTE_URL, "id", NULL, NULL};
    hitl_file_ref bad = {(hitl_transfer_method)9, "id", "u", NULL};
    ck_assert_int_eq(hitl_submit_set_file(s, "f", &no_id, &err), HITL_E_ARG);
    ck_assert_str_eq(err.msg, "a local_file file reference needs `upload_file_id`");
    ck_assert_int_eq(hitl_submit_add_file_list_item(s, "f", &no_url, &err), HITL_E_ARG);
    ck_assert_str_eq(err.msg, "a remote_url file reference needs `url`");
    ck_assert_int_eq(hitl_submit_set_file(s, "f", &bad, &err), HITL_E_ARG);
    ck_assert_int_eq(hitl_submit_set_string(s, NULL, "x", &err), HITL_E_ARG);
    ck_assert_int_eq(hitl_submit_set_string(s, "x", NULL, &err), HITL_E_ARG);
    ck_assert_int_eq(hitl_submit_set_raw_json(s, "x", "{bad", &err), HITL_E_PARSE);
    ck_assert_str_eq(
        err.msg,
        "raw JSON for a submission value: not valid JSON: expected a string key at byte 1 of 4");
    ck_assert_int_eq(hitl_submit_set_field_raw(s, "x", "1 2", &err), HITL_E_PARSE);
    assert_body(s, "{\"inputs\":{}}"); /* nothing was changed by the failures */
    hitl_submit *t = NULL;
    ck_assert_int_eq(hitl_submit_new(&t, 10, &err), HITL_E_ARG);
    ck_assert_ptr_null(t);
    hitl_submit_free(s);
}
END_TEST

START_TEST(cap_refuses_growth_and_leaves_builder_unchanged)
{
    hitl_submit *s = NULL;
    hitl_err err = {0};
    ck_assert_int_eq(hitl_submit_new(&s, 100, &err), HITL_OK);
    char big[101];
    memset(big, 'x', 100);
    big[100] = '\0';
    ck_assert_int_eq(hitl_submit_set_string(s, "a", "short", &err), HITL_OK);
    ck_assert_int_eq(hitl_submit_set_string(s, "b", big, &err), HITL_E_TOO_BIG);
    ck_assert_str_eq(err.msg, "setting \"b\" would make the submission pass its 100-byte cap");
    ck_assert_int_eq(hitl_submit_set_string(s, "a", big, &err), HITL_E_TOO_BIG);
    assert_body(s, "{\"inputs\":{\"a\":\"short\"}}");
    /* Items of a list count too. */
    for (int i = 0; i < 10; i++) {
        int rc = hitl_submit_add_file_list_item(s, "l", &LOCAL_DOC, &err);
        if (rc) {
            ck_assert_int_eq(rc, HITL_E_TOO_BIG);
            break;
        }
        ck_assert_int_lt(i, 1);
    }
    /* Escapes can make the printed text longer than the estimate: the print is checked. */
    hitl_submit_free(s);
    ck_assert_int_eq(hitl_submit_new(&s, 100, &err), HITL_OK);
    char ctl[61];
    memset(ctl, '\x01', 60);
    ctl[60] = '\0';
    ck_assert_int_eq(hitl_submit_set_string(s, "c", ctl, &err), HITL_OK);
    char *out = NULL;
    ck_assert_int_eq(hitl_submit_to_json(s, &out, &err), HITL_E_TOO_BIG);
    ck_assert_ptr_null(out);
    ck_assert_str_eq(err.msg, "the submission prints as 379 bytes, over its 100-byte cap");
    hitl_submit_free(s);
}
END_TEST

START_TEST(hostile_strings_still_give_valid_json)
{
    hitl_submit *s = builder();
    hitl_err err = {0};
    ck_assert_int_eq(hitl_submit_set_string(s, "q\"\\\n", "\"}{\x1f\xc3\xa9", &err), HITL_OK);
    ck_assert_int_eq(hitl_submit_set_action(s, "a\"b", &err), HITL_OK);
    assert_body(s,
                "{\"inputs\":{\"q\\\"\\\\\\n\":\"\\\"}{\\u001f\xc3\xa9\"},\"action\":\"a\\\"b\"}");
    hitl_submit_free(s);
}
END_TEST

/* ---- valid fills of Dify's forms ---- */

static hitl_form *load_form(const char *file)
{
    char path[512];
    snprintf(path, sizeof path, DATA_DIR "form/%s", file);
    size_t len = 0;
    char *text = read_file(path, &len);
    hitl_form *f = NULL;
    hitl_err err = {0};
    ck_assert_int_eq(hitl_form_parse(text, len, HITL_FORM_MAX_BYTES, HITL_FORM_AUTO, &f, &err),
                     HITL_OK);
    free(text);
    return f;
}

static const hitl_file_ref TWO_REFS[] = {
    {HITL_TRANSFER_LOCAL_FILE, "3c8fa1b2-7d4e-4f9a-b0c1-d2e3f4a5b6c7", NULL, "image"},
    {HITL_TRANSFER_REMOTE_URL, NULL, "https://example.com/report.pdf", "document"},
};
/* The v1.15 docs form: `attachment` (file) and `attachments` (file-list, number_limits 5). */
static const hitl_submit_files V115_FILES[] = {
    {"attachment", TWO_REFS, 1},
    {"attachments", TWO_REFS, 2},
};
static const hitl_submit_files V115_ONE_LIST_ITEM[] = {
    {"attachment", TWO_REFS, 1},
    {"attachments", TWO_REFS + 1, 1},
};

static const struct fill_case {
    const char *form;
    hitl_submit_hints hints;
    int rc;
    const char *body_or_msg;
} FILLS[] = {
    {"docs_get_form__v1_15.json",
     {NULL, "abc-123", NULL, V115_ONE_LIST_ITEM, 2},
     HITL_OK,
     "{\"inputs\":{\"feedback\":\"hitlcheck\",\"priority\":\"low\",\"attachment\":"
     "{\"transfer_method\":\"local_file\",\"upload_file_id\":"
     "\"3c8fa1b2-7d4e-4f9a-b0c1-d2e3f4a5b6c7\",\"type\":\"image\"},\"attachments\":["
     "{\"transfer_method\":\"remote_url\",\"url\":\"https://example.com/report.pdf\",\"type\":"
     "\"document\"}]},\"action\":\"approve\",\"user\":\"abc-123\"}"},
    {"docs_get_form__v1_15.json",
     {"reject", NULL, "Looks good", V115_FILES, 2},
     HITL_OK,
     "{\"inputs\":{\"feedback\":\"Looks good\",\"priority\":\"low\",\"attachment\":"
     "{\"transfer_method\":\"local_file\",\"upload_file_id\":"
     "\"3c8fa1b2-7d4e-4f9a-b0c1-d2e3f4a5b6c7\",\"type\":\"image\"},\"attachments\":["
     "{\"transfer_method\":\"local_file\",\"upload_file_id\":"
     "\"3c8fa1b2-7d4e-4f9a-b0c1-d2e3f4a5b6c7\",\"type\":\"image\"},{\"transfer_method\":"
     "\"remote_url\",\"url\":\"https://example.com/report.pdf\",\"type\":\"document\"}]},"
     "\"action\":\"reject\"}"},
    {"docs_get_form__v1_15.json",
     {NULL, NULL, NULL, NULL, 0},
     HITL_E_ARG,
     "file input 'attachment' needs its files in hints->files (the check layer uploads them)"},
    {"docs_get_form__v1_15.json",
     {NULL, NULL, NULL, V115_FILES, 1},
     HITL_E_ARG,
     "file-list input 'attachments' needs its files in hints->files (the check layer uploads "
     "them)"},
    {"docs_guide_get_form__v1_16.json",
     {NULL, NULL, NULL, V115_FILES + 1, 1},
     HITL_OK,
     "{\"inputs\":{\"feedback\":\"hitlcheck\",\"attachments\":[{\"transfer_method\":"
     "\"local_file\",\"upload_file_id\":\"3c8fa1b2-7d4e-4f9a-b0c1-d2e3f4a5b6c7\",\"type\":"
     "\"image\"},{\"transfer_method\":\"remote_url\",\"url\":\"https://example.com/report.pdf\","
     "\"type\":\"document\"}]},\"action\":\"approve\"}"},
    {"docs_get_form__v1_14.json",
     {NULL, "abc-123", NULL, NULL, 0},
     HITL_OK,
     "{\"inputs\":{\"comment\":\"hitlcheck\"},\"action\":\"approve\",\"user\":\"abc-123\"}"},
    {"docs_get_form__pr783.json",
     {"nope", NULL, NULL, NULL, 0},
     HITL_E_ARG,
     "hints->action \"nope\" is not an action of the form"},
    {"dify_test_web_get_form_includes_site.json",
     {NULL, NULL, NULL, NULL, 0},
     HITL_OK,
     "{\"inputs\":{\"name\":\"hitlcheck\"},\"action\":\"approve\"}"},
    {"dify_test_web_get_form_runtime_select.json",
     {NULL, NULL, NULL, NULL, 0},
     HITL_E_INVALID,
     "the form has no actions, so no valid submission"},
    {"dify_test_web_get_form_backstage_empty.json",
     {NULL, NULL, NULL, NULL, 0},
     HITL_E_INVALID,
     "the form has no actions, so no valid submission"},
};

START_TEST(fill_valid_for_dify_form)
{
    const struct fill_case *c = &FILLS[_i];
    hitl_form *f = load_form(c->form);
    hitl_submit *s = builder();
    hitl_err err = {0};
    int rc = hitl_submit_fill_valid(s, f, &c->hints, &err);
    ck_assert_msg(rc == c->rc, "%s: rc %d (%s)", c->form, rc, err.msg);
    if (rc)
        ck_assert_str_eq(err.msg, c->body_or_msg);
    else
        assert_body(s, c->body_or_msg);
    hitl_submit_free(s);
    hitl_form_free(f);
}
END_TEST

static hitl_form *form_from(const char *json)
{
    hitl_form *f = NULL;
    hitl_err err = {0};
    ck_assert_int_eq(hitl_form_parse(json, strlen(json), 1 << 20, HITL_FORM_GET, &f, &err),
                     HITL_OK);
    return f;
}

/* A form with a remote-only image file `r`, a local-only document list `l` (number_limits 2)
 * and a custom-only list `c` (extensions .log). */
static const char LIMITS_FORM[] =
    "{\"form_content\":\"\",\"inputs\":["
    "{\"type\":\"file\",\"output_variable_name\":\"r\",\"allowed_file_types\":[\"image\"],"
    "\"allowed_file_extensions\":[],\"allowed_file_upload_methods\":[\"remote_url\"]},"
    "{\"type\":\"file-list\",\"output_variable_name\":\"l\",\"allowed_file_types\":"
    "[\"document\"],\"allowed_file_extensions\":[],\"allowed_file_upload_methods\":"
    "[\"local_file\"],\"number_limits\":2},"
    "{\"type\":\"file-list\",\"output_variable_name\":\"c\",\"allowed_file_types\":[\"custom\"],"
    "\"allowed_file_extensions\":[\".log\"],\"allowed_file_upload_methods\":[],"
    "\"number_limits\":0}],"
    "\"resolved_default_values\":{},\"user_actions\":[{\"id\":\"ok\",\"title\":\"OK\"}],"
    "\"expiration_time\":1}";

#define UUID_A "3c8fa1b2-7d4e-4f9a-b0c1-d2e3f4a5b6c7"
static const hitl_file_ref R_IMAGE = {HITL_TRANSFER_REMOTE_URL, NULL, "https://x/a.png", "image"};
static const hitl_file_ref L_DOCS[] = {{HITL_TRANSFER_LOCAL_FILE, UUID_A, NULL, "document"},
                                       {HITL_TRANSFER_LOCAL_FILE, UUID_A, NULL, "document"},
                                       {HITL_TRANSFER_LOCAL_FILE, UUID_A, NULL, "document"}};
static const hitl_file_ref C_LOG = {HITL_TRANSFER_LOCAL_FILE, UUID_A, NULL, "custom"};

/* Fills LIMITS_FORM with r, l (|n_l| items from L_DOCS) and c set to the given refs. */
static int fill_limits(hitl_submit *s, const hitl_form *f, const hitl_file_ref *r, size_t n_l,
                       const hitl_file_ref *c, hitl_err *err)
{
    const hitl_submit_files files[] = {{"r", r, 1}, {"l", L_DOCS, n_l}, {"c", c, 1}};
    const hitl_submit_hints h = {.files = files, .n_files = 3};
    return hitl_submit_fill_valid(s, f, &h, err);
}

START_TEST(fill_puts_each_inputs_files_and_refills_in_place)
{
    hitl_form *f = form_from(LIMITS_FORM);
    hitl_submit *s = builder();
    hitl_err err = {0};
    ck_assert_int_eq(fill_limits(s, f, &R_IMAGE, 2, &C_LOG, &err), HITL_OK);
    assert_body(s, "{\"inputs\":{\"r\":{\"transfer_method\":\"remote_url\",\"url\":"
                   "\"https://x/a.png\",\"type\":\"image\"},\"l\":["
                   "{\"transfer_method\":\"local_file\",\"upload_file_id\":\"" UUID_A "\","
                   "\"type\":\"document\"},{\"transfer_method\":\"local_file\","
                   "\"upload_file_id\":\"" UUID_A "\",\"type\":\"document\"}],\"c\":["
                   "{\"transfer_method\":\"local_file\",\"upload_file_id\":\"" UUID_A "\","
                   "\"type\":\"custom\"}]},\"action\":\"ok\"}");
    /* Refill replaces the list, it does not append to it. */
    ck_assert_int_eq(fill_limits(s, f, &R_IMAGE, 1, &C_LOG, &err), HITL_OK);
    char *out = NULL;
    ck_assert_int_eq(hitl_submit_to_json(s, &out, &err), HITL_OK);
    cJSON *v = cJSON_Parse(out);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(v, "inputs"), "l")),
                     1);
    cJSON_Delete(v);
    free(out);
    hitl_submit_free(s);
    hitl_form_free(f);
}
END_TEST

/* Refs Dify's strict validation or the input's config would reject are the caller's bug:
 * HITL_E_ARG naming the input, never a body that a correct server answers 400. */
static const struct bad_fill {
    const hitl_file_ref r;
    size_t n_l;
    const hitl_file_ref c;
    const char *msg;
} BAD_FILLS[] = {
    {{HITL_TRANSFER_LOCAL_FILE, UUID_A, NULL, "image"},
     1,
     {HITL_TRANSFER_LOCAL_FILE, UUID_A, NULL, "custom"},
     "input 'r' does not take files by local_file"},
    {{HITL_TRANSFER_REMOTE_URL, NULL, "https://x/a.pdf", "document"},
     1,
     {HITL_TRANSFER_LOCAL_FILE, UUID_A, NULL, "custom"},
     "input 'r' does not take document files"},
    {{HITL_TRANSFER_REMOTE_URL, NULL, "https://x/a.png", NULL},
     1,
     {HITL_TRANSFER_LOCAL_FILE, UUID_A, NULL, "custom"},
     "a file for input 'r' has no `type`: Dify's strict type validation rejects it (give the "
     "detected type)"},
    {{HITL_TRANSFER_REMOTE_URL, NULL, "https://x/a.png", "image"},
     3,
     {HITL_TRANSFER_LOCAL_FILE, UUID_A, NULL, "custom"},
     "file-list input 'l' takes at most 2 files (number_limits), not 3"},
    {{HITL_TRANSFER_REMOTE_URL, NULL, "https://x/a.png", "image"},
     1,
     {HITL_TRANSFER_LOCAL_FILE, UUID_A, NULL, "document"},
     "input 'c' does not take document files"},
    {{HITL_TRANSFER_REMOTE_URL, NULL, "https://x/a.png", "custom"},
     1,
     {HITL_TRANSFER_LOCAL_FILE, UUID_A, NULL, "custom"},
     "input 'r' does not take custom (it lists no extensions) files"},
};

START_TEST(fill_refuses_refs_the_input_does_not_take)
{
    const struct bad_fill *b = &BAD_FILLS[_i];
    hitl_form *f = form_from(LIMITS_FORM);
    hitl_submit *s = builder();
    hitl_err err = {0};
    ck_assert_int_eq(fill_limits(s, f, &b->r, b->n_l, &b->c, &err), HITL_E_ARG);
    ck_assert_str_eq(err.msg, b->msg);
    hitl_submit_free(s);
    hitl_form_free(f);
}
END_TEST

START_TEST(empty_allow_list_admits_everything)
{
    char *items[] = {"local_file", "remote_url"};
    hitl_strlist none = {NULL, 0}, two = {items, 2};
    ck_assert(hitl_submit_allows(&none, "tool_file"));
    ck_assert(hitl_submit_allows(&two, "remote_url"));
    ck_assert(!hitl_submit_allows(&two, "tool_file"));
    ck_assert(!hitl_submit_allows(&two, "Local_file"));
}
END_TEST

START_TEST(fill_refuses_select_without_options)
{
    hitl_form *f = form_from("{\"form_content\":\"\",\"inputs\":[{\"type\":\"select\","
                             "\"output_variable_name\":\"d\",\"option_source\":{\"type\":"
                             "\"variable\",\"selector\":[\"a\",\"b\"],\"value\":[]}}],"
                             "\"resolved_default_values\":{},\"user_actions\":[{\"id\":\"ok\","
                             "\"title\":\"OK\"}],\"expiration_time\":1}");
    hitl_submit *s = builder();
    hitl_err err = {0};
    ck_assert_int_eq(hitl_submit_fill_valid(s, f, NULL, &err), HITL_E_INVALID);
    ck_assert_str_eq(err.msg, "select input 'd' offers no options (a variable source the server "
                              "did not resolve?); no valid value exists");
    hitl_submit_free(s);
    hitl_form_free(f);
}
END_TEST

static Suite *submit_suite(void)
{
    Suite *s = suite_create("submit");
    TCase *tc = tcase_create("build");
    tcase_add_test(tc, section_7_4_example_is_exact);
    tcase_add_test(tc, body_is_the_tree_that_prints);
    tcase_add_test(tc, dify_docs_v1_15_request_body_rebuilt_equal);
    tcase_add_test(tc, top_level_order_is_fixed_whatever_the_call_order);
    tcase_add_test(tc, hostile_strings_still_give_valid_json);
    suite_add_tcase(s, tc);

    tc = tcase_create("invalid");
    tcase_add_loop_test(tc, invalid_variant_is_exact, 0,
                        (int)(sizeof VARIANTS / sizeof VARIANTS[0]));
    tcase_add_test(tc, input_setters_refuse_when_inputs_is_not_an_object);
    tcase_add_test(tc, bad_arguments_are_named_errors);
    tcase_add_test(tc, cap_refuses_growth_and_leaves_builder_unchanged);
    suite_add_tcase(s, tc);

    tc = tcase_create("fill");
    tcase_add_loop_test(tc, fill_valid_for_dify_form, 0, (int)(sizeof FILLS / sizeof FILLS[0]));
    tcase_add_test(tc, fill_puts_each_inputs_files_and_refills_in_place);
    tcase_add_loop_test(tc, fill_refuses_refs_the_input_does_not_take, 0,
                        (int)(sizeof BAD_FILLS / sizeof BAD_FILLS[0]));
    tcase_add_test(tc, fill_refuses_select_without_options);
    tcase_add_test(tc, empty_allow_list_admits_everything);
    suite_add_tcase(s, tc);
    return s;
}

HITL_CHECK_MAIN(submit_suite)
