/* formdef.c: the form definition, its light validation and §4.3 stringification. */
#include "formdef.h"

#include "refserver/refserver.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The built-in forms (--form NAME). Each is a form a Dify user could build in the Human
 * Input node's editor: node ids are the editor's millisecond timestamps (the default keeps
 * its historical "approval_node"), names and action ids match ^[A-Za-z_][A-Za-z0-9_]*$,
 * number_limits stays within WORKFLOW_FILE_UPLOAD_LIMIT (10), and a custom-only file input
 * names its extensions (the editor requires them). */
/* One JSON form per string, laid out by its structure, not by clang-format. */
/* clang-format off */
#define FILE_BOTH "\"allowed_file_upload_methods\":[\"local_file\",\"remote_url\"]"
#define FILE_LOCAL "\"allowed_file_upload_methods\":[\"local_file\"]"
#define FILE_REMOTE "\"allowed_file_upload_methods\":[\"remote_url\"]"
#define NO_EXTS "\"allowed_file_extensions\":[]"
#define DOC_IMAGE "\"allowed_file_types\":[\"document\",\"image\"]"
#define APPROVE_REVISE                                                                             \
    "\"user_actions\":["                                                                           \
    "{\"id\":\"approve\",\"title\":\"Approve\",\"button_style\":\"primary\"},"                     \
    "{\"id\":\"revise\",\"title\":\"Request changes\",\"button_style\":\"default\"}]"
#define PARAGRAPH(name)                                                                            \
    "{\"type\":\"paragraph\",\"output_variable_name\":\"" name "\","                               \
    "\"default\":{\"type\":\"constant\",\"selector\":[],\"value\":\"\"}}"
#define PRIORITY                                                                                   \
    "{\"type\":\"select\",\"output_variable_name\":\"priority\","                                  \
    "\"option_source\":{\"type\":\"constant\",\"selector\":[],\"value\":[\"low\",\"medium\","      \
    "\"high\"]}}"

/* "default" is specs/dify-app/workflow.yml's Human Input node, field for field (the
 * test_refserver_dsl case default_form_is_the_workflow_dsl_node holds them in step), so the
 * built-in run pauses at the form a user imports into their Dify. */
static const char FORM_DEFAULT[] =
    "{\"node_id\":\"approval_node\",\"node_title\":\"Approval\","
    "\"form_content\":\"Please review the draft, set a priority, and confirm or request changes."
    "\\n\\n{{#$output.feedback#}}\\n\\n{{#$output.priority#}}\\n\\n{{#$output.attachment#}}"
    "\\n\\n{{#$output.attachments#}}\","
    "\"inputs\":[" PARAGRAPH("feedback") "," PRIORITY ","
    "{\"type\":\"file\",\"output_variable_name\":\"attachment\"," DOC_IMAGE
    "," NO_EXTS "," FILE_BOTH "},"
    "{\"type\":\"file-list\",\"output_variable_name\":\"attachments\"," DOC_IMAGE
    "," NO_EXTS "," FILE_BOTH ",\"number_limits\":3}]," APPROVE_REVISE "}";

static const char FORM_IMAGE_ONLY[] =
    "{\"node_id\":\"1747816321418\",\"node_title\":\"Human Input\","
    "\"form_content\":\"Attach a screenshot of the problem and describe it.\\n\\n"
    "{{#$output.comment#}}\","
    "\"inputs\":[" PARAGRAPH("comment") ","
    "{\"type\":\"file\",\"output_variable_name\":\"screenshot\","
    "\"allowed_file_types\":[\"image\"]," NO_EXTS "," FILE_BOTH "}]," APPROVE_REVISE "}";

static const char FORM_REMOTE_ONLY[] =
    "{\"node_id\":\"1747816402771\",\"node_title\":\"Human Input\","
    "\"form_content\":\"Link the signed contract and any annexes.\\n\\n{{#$output.notes#}}\","
    "\"inputs\":[" PARAGRAPH("notes") ","
    "{\"type\":\"file\",\"output_variable_name\":\"contract\"," DOC_IMAGE "," NO_EXTS
    "," FILE_REMOTE "},"
    "{\"type\":\"file-list\",\"output_variable_name\":\"annexes\"," DOC_IMAGE
    "," NO_EXTS "," FILE_REMOTE ",\"number_limits\":2}]," APPROVE_REVISE "}";

static const char FORM_LOCAL_ONLY[] =
    "{\"node_id\":\"1747816457302\",\"node_title\":\"Human Input\","
    "\"form_content\":\"Upload the invoice and its receipts.\\n\\n{{#$output.feedback#}}\","
    "\"inputs\":[" PARAGRAPH("feedback") "," PRIORITY ","
    "{\"type\":\"file\",\"output_variable_name\":\"invoice\"," DOC_IMAGE "," NO_EXTS
    "," FILE_LOCAL "},"
    "{\"type\":\"file-list\",\"output_variable_name\":\"receipts\"," DOC_IMAGE
    "," NO_EXTS "," FILE_LOCAL ",\"number_limits\":3}]," APPROVE_REVISE "}";

static const char FORM_NO_FILES[] =
    "{\"node_id\":\"1747816503954\",\"node_title\":\"Human Input\","
    "\"form_content\":\"Set a priority and leave feedback.\\n\\n{{#$output.feedback#}}\","
    "\"inputs\":[" PARAGRAPH("feedback") "," PRIORITY "]," APPROVE_REVISE "}";

static const char FORM_PARAGRAPH[] =
    "{\"node_id\":\"1747816550127\",\"node_title\":\"Human Input\","
    "\"form_content\":\"Any comments before we publish?\\n\\n{{#$output.comment#}}\","
    "\"inputs\":[" PARAGRAPH("comment") "],"
    "\"user_actions\":[{\"id\":\"publish\",\"title\":\"Publish\",\"button_style\":\"primary\"}]}";

static const char FORM_FILE_LIST[] =
    "{\"node_id\":\"1747816598846\",\"node_title\":\"Human Input\","
    "\"form_content\":\"Upload the supporting documents.\","
    "\"inputs\":[{\"type\":\"file-list\",\"output_variable_name\":\"documents\"," DOC_IMAGE
    "," NO_EXTS "," FILE_BOTH ",\"number_limits\":5}],"
    "\"user_actions\":[{\"id\":\"submit\",\"title\":\"Submit\",\"button_style\":\"primary\"}]}";

/* Every input type and every file type (custom by extension), each file type alone in its
 * input so that each sample is used; one image input takes remote_url only. 3 actions. */
static const char FORM_LARGE[] =
    "{\"node_id\":\"1747816642590\",\"node_title\":\"Incident review\","
    "\"form_content\":\"Review the incident report.\\n\\nSummary: {{#$output.summary#}}\\n\\n"
    "Notes: {{#$output.notes#}}\","
    "\"inputs\":[" PARAGRAPH("summary") ","
    "{\"type\":\"paragraph\",\"output_variable_name\":\"notes\","
    "\"default\":{\"type\":\"constant\",\"selector\":[],\"value\":\"No further notes.\"}},"
    "{\"type\":\"select\",\"output_variable_name\":\"severity\","
    "\"option_source\":{\"type\":\"constant\",\"selector\":[],\"value\":[\"sev1\",\"sev2\",\"sev3\"]}},"
    "{\"type\":\"file\",\"output_variable_name\":\"report\","
    "\"allowed_file_types\":[\"document\"]," NO_EXTS "," FILE_BOTH "},"
    "{\"type\":\"file\",\"output_variable_name\":\"cover_image\","
    "\"allowed_file_types\":[\"image\"]," NO_EXTS "," FILE_REMOTE "},"
    "{\"type\":\"file\",\"output_variable_name\":\"voice_memo\","
    "\"allowed_file_types\":[\"audio\"]," NO_EXTS "," FILE_LOCAL "},"
    "{\"type\":\"file-list\",\"output_variable_name\":\"recordings\","
    "\"allowed_file_types\":[\"video\"]," NO_EXTS "," FILE_BOTH ",\"number_limits\":10},"
    "{\"type\":\"file-list\",\"output_variable_name\":\"logs\","
    "\"allowed_file_types\":[\"custom\"],\"allowed_file_extensions\":[\".log\"]"
    "," FILE_LOCAL ",\"number_limits\":2}],"
    "\"user_actions\":["
    "{\"id\":\"approve\",\"title\":\"Approve\",\"button_style\":\"primary\"},"
    "{\"id\":\"escalate\",\"title\":\"Escalate\",\"button_style\":\"accent\"},"
    "{\"id\":\"reject\",\"title\":\"Reject\",\"button_style\":\"ghost\"}]}";
/* clang-format on */

typedef struct form_variant {
    const char *name;
    const char *summary;
    const char *json;
    size_t len;
} form_variant;

#define VARIANT(name, summary, text)                                                               \
    {                                                                                              \
        name, summary, text, sizeof text - 1                                                       \
    }
static const form_variant VARIANTS[] = {
    VARIANT("default",
            "paragraph, select, file and file-list (document/image, both methods); 2 actions",
            FORM_DEFAULT),
    VARIANT("image-only", "a paragraph and one file input that takes images only", FORM_IMAGE_ONLY),
    VARIANT("remote-only", "a paragraph, a file and a file-list that take remote_url only",
            FORM_REMOTE_ONLY),
    VARIANT("local-only", "paragraph, select, a file and a file-list that take local_file only",
            FORM_LOCAL_ONLY),
    VARIANT("no-files", "a paragraph and a select, no file inputs", FORM_NO_FILES),
    VARIANT("paragraph", "a single paragraph; 1 action", FORM_PARAGRAPH),
    VARIANT("file-list", "a single file-list (number_limits 5); 1 action", FORM_FILE_LIST),
    VARIANT("large",
            "8 inputs: 2 paragraphs, a select, document, image (remote_url only) and audio "
            "files, video and custom (.log) lists; 3 actions",
            FORM_LARGE),
};

size_t hitl_refserver_form_count(void)
{
    return sizeof VARIANTS / sizeof VARIANTS[0];
}

const char *hitl_refserver_form_name(size_t i)
{
    return i < hitl_refserver_form_count() ? VARIANTS[i].name : NULL;
}

const char *hitl_refserver_form_summary(size_t i)
{
    return i < hitl_refserver_form_count() ? VARIANTS[i].summary : NULL;
}

void rs_formdef_free(rs_formdef *f)
{
    if (!f)
        return;
    free(f->form_content);
    cJSON_Delete(f->inputs);
    cJSON_Delete(f->actions);
    cJSON_Delete(f->defaults_raw);
    cJSON_Delete(f->defaults_str);
    free(f);
}

/* ident checks ^[A-Za-z_][A-Za-z0-9_]*$ with at most |max| chars. */
static int ident(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max || (s[0] >= '0' && s[0] <= '9'))
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_'))
            return 0;
    }
    return 1;
}

static int str_array(const cJSON *a)
{
    if (!cJSON_IsArray(a))
        return 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, a) if (!cJSON_IsString(e)) return 0;
    return 1;
}

static int check_input(const cJSON *in, size_t idx, hitl_err *err)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(in, "type");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(in, "output_variable_name");
    if (!cJSON_IsObject(in) || !cJSON_IsString(type) || !cJSON_IsString(name) ||
        !ident(name->valuestring, 30))
        return hitl_err_set(err, HITL_E_INVALID,
                            "inputs[%zu]: needs string type and an output_variable_name matching "
                            "[A-Za-z_][A-Za-z0-9_]{0,29}",
                            idx);
    const char *t = type->valuestring;
    if (strcmp(t, "paragraph") == 0 || strcmp(t, "text_input") == 0)
        return HITL_OK;
    if (strcmp(t, "select") == 0) {
        const cJSON *src = cJSON_GetObjectItemCaseSensitive(in, "option_source");
        if (!cJSON_IsObject(src) || !str_array(cJSON_GetObjectItemCaseSensitive(src, "value")))
            return hitl_err_set(err, HITL_E_INVALID,
                                "inputs[%zu]: select needs option_source.value (string array)",
                                idx);
        return HITL_OK;
    }
    if (strcmp(t, "file") == 0 || strcmp(t, "file-list") == 0) {
        static const char *const keys[] = {"allowed_file_types", "allowed_file_extensions",
                                           "allowed_file_upload_methods"};
        for (size_t k = 0; k < 3; k++)
            if (!str_array(cJSON_GetObjectItemCaseSensitive(in, keys[k])))
                return hitl_err_set(err, HITL_E_INVALID, "inputs[%zu]: %s must be a string array",
                                    idx, keys[k]);
        if (t[4] == '-') {
            const cJSON *n = cJSON_GetObjectItemCaseSensitive(in, "number_limits");
            if (!cJSON_IsNumber(n) || n->valuedouble < 0 || n->valuedouble != floor(n->valuedouble))
                return hitl_err_set(err, HITL_E_INVALID,
                                    "inputs[%zu]: file-list needs an integer number_limits >= 0",
                                    idx);
        }
        return HITL_OK;
    }
    return hitl_err_set(err, HITL_E_INVALID,
                        "inputs[%zu]: type '%s' is not paragraph, text_input, select, file or "
                        "file-list",
                        idx, t);
}

static int check_action(const cJSON *a, size_t idx, hitl_err *err)
{
    static const char *const styles[] = {"primary", "default", "accent", "ghost"};
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(a, "id");
    const cJSON *title = cJSON_GetObjectItemCaseSensitive(a, "title");
    const cJSON *style = cJSON_GetObjectItemCaseSensitive(a, "button_style");
    if (!cJSON_IsObject(a) || !cJSON_IsString(id) || !ident(id->valuestring, 20) ||
        !cJSON_IsString(title) || strlen(title->valuestring) > 100)
        return hitl_err_set(err, HITL_E_INVALID,
                            "user_actions[%zu]: needs an id matching ^[A-Za-z_][A-Za-z0-9_]*$ "
                            "(<= 20 chars) and a title (<= 100 chars)",
                            idx);
    if (!style) {
        cJSON_AddStringToObject((cJSON *)a, "button_style", "default");
        return HITL_OK;
    }
    for (size_t i = 0; i < 4; i++)
        if (cJSON_IsString(style) && strcmp(style->valuestring, styles[i]) == 0)
            return HITL_OK;
    return hitl_err_set(err, HITL_E_INVALID,
                        "user_actions[%zu]: button_style must be primary, default, accent or ghost",
                        idx);
}

/* unique fails when two objects of |arr| share the string |key|. */
static int unique(const cJSON *arr, const char *key, const char *what, hitl_err *err)
{
    for (const cJSON *a = arr->child; a; a = a->next)
        for (const cJSON *b = a->next; b; b = b->next)
            if (strcmp(cJSON_GetObjectItemCaseSensitive(a, key)->valuestring,
                       cJSON_GetObjectItemCaseSensitive(b, key)->valuestring) == 0)
                return hitl_err_set(err, HITL_E_INVALID, "%s '%s' appears twice", what,
                                    cJSON_GetObjectItemCaseSensitive(a, key)->valuestring);
    return HITL_OK;
}

/* derive_defaults builds resolved_default_values from paragraph defaults when the file
 * gives none: constant → its value, variable → "" (this server has no variables). */
static cJSON *derive_defaults(const cJSON *inputs)
{
    cJSON *d = cJSON_CreateObject();
    const cJSON *in;
    cJSON_ArrayForEach(in, inputs)
    {
        const cJSON *def = cJSON_GetObjectItemCaseSensitive(in, "default");
        if (!cJSON_IsObject(def))
            continue;
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(def, "type");
        const cJSON *value = cJSON_GetObjectItemCaseSensitive(def, "value");
        const char *name =
            cJSON_GetObjectItemCaseSensitive(in, "output_variable_name")->valuestring;
        if (cJSON_IsString(type) && strcmp(type->valuestring, "constant") == 0 && value)
            cJSON_AddItemToObject(d, name, cJSON_Duplicate(value, 1));
        else
            cJSON_AddStringToObject(d, name, "");
    }
    return d;
}

int rs_formdef_parse(const char *json, size_t len, rs_formdef **out, hitl_err *err)
{
    *out = NULL;
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return hitl_err_set(err, HITL_E_PARSE, "form definition is not a JSON object");
    }
    int rc = HITL_OK;
    rs_formdef *f = calloc(1, sizeof *f);
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(root, "form_content");
    cJSON *inputs = cJSON_DetachItemFromObjectCaseSensitive(root, "inputs");
    cJSON *actions = cJSON_DetachItemFromObjectCaseSensitive(root, "user_actions");
    cJSON *defaults = cJSON_DetachItemFromObjectCaseSensitive(root, "resolved_default_values");
    const cJSON *node_id = cJSON_GetObjectItemCaseSensitive(root, "node_id");
    const cJSON *node_title = cJSON_GetObjectItemCaseSensitive(root, "node_title");
    if (!f) {
        rc = hitl_err_set(err, HITL_E_NOMEM, "out of memory loading the form");
        goto done;
    }
    f->inputs = inputs;
    f->actions = actions;
    f->defaults_raw = defaults;
    if (!cJSON_IsString(content) || !cJSON_IsArray(inputs) || !cJSON_IsArray(actions) ||
        cJSON_GetArraySize(actions) == 0) {
        rc = hitl_err_set(err, HITL_E_INVALID,
                          "form definition needs form_content (string), inputs (array) and "
                          "user_actions (non-empty array)");
        goto done;
    }
    if (defaults && !cJSON_IsObject(defaults)) {
        rc = hitl_err_set(err, HITL_E_INVALID, "resolved_default_values must be an object");
        goto done;
    }
    size_t i = 0;
    for (const cJSON *in = inputs->child; in && !rc; in = in->next)
        rc = check_input(in, i++, err);
    i = 0;
    for (const cJSON *a = actions->child; a && !rc; a = a->next)
        rc = check_action(a, i++, err);
    if (!rc)
        rc = unique(inputs, "output_variable_name", "output_variable_name", err);
    if (!rc)
        rc = unique(actions, "id", "action id", err);
    if (rc)
        goto done;
    snprintf(f->node_id, sizeof f->node_id, "%s",
             cJSON_IsString(node_id) ? node_id->valuestring : "approval_node");
    snprintf(f->node_title, sizeof f->node_title, "%s",
             cJSON_IsString(node_title) ? node_title->valuestring : "Approval");
    f->form_content = strdup(content->valuestring);
    if (!f->defaults_raw)
        f->defaults_raw = derive_defaults(inputs);
    f->defaults_str = cJSON_CreateObject();
    if (!f->form_content || !f->defaults_raw || !f->defaults_str) {
        rc = hitl_err_set(err, HITL_E_NOMEM, "out of memory loading the form");
        goto done;
    }
    for (const cJSON *d = f->defaults_raw->child; d; d = d->next) {
        hitl_buf b;
        hitl_buf_init(&b, 1024 * 1024);
        if (rs_py_str(&b, d)) {
            hitl_buf_free(&b);
            rc = hitl_err_set(err, HITL_E_TOO_BIG, "resolved_default_values['%s'] is too big",
                              d->string);
            goto done;
        }
        cJSON_AddStringToObject(f->defaults_str, d->string, hitl_buf_str(&b));
        hitl_buf_free(&b);
    }
done:
    cJSON_Delete(root);
    if (rc) {
        rs_formdef_free(f);
        return rc;
    }
    *out = f;
    return HITL_OK;
}

int rs_formdef_builtin(rs_formdef **out, hitl_err *err)
{
    return rs_formdef_parse(FORM_DEFAULT, sizeof FORM_DEFAULT - 1, out, err);
}

/* load_file reads |path| (at most 1 MiB) and parses it. */
static int load_file(const char *path, rs_formdef **out, hitl_err *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return hitl_err_set(err, HITL_E_IO,
                            "--form: '%s' is neither a built-in form (--list-forms) nor a "
                            "readable file",
                            path);
    hitl_buf b;
    hitl_buf_init(&b, 1024 * 1024);
    char chunk[8192];
    size_t n;
    int rc = HITL_OK;
    while (!rc && (n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        rc = hitl_buf_append(&b, chunk, n);
    fclose(fp);
    if (rc) {
        hitl_buf_free(&b);
        return hitl_err_set(err, rc, "--form: '%s' is larger than 1 MiB", path);
    }
    rc = rs_formdef_parse(hitl_buf_str(&b), b.len, out, err);
    hitl_buf_free(&b);
    if (rc)
        hitl_err_prefix(err, "--form %s", path);
    return rc;
}

int rs_formdef_load(const char *spec, rs_formdef **out, hitl_err *err)
{
    for (size_t i = 0; i < hitl_refserver_form_count(); i++)
        if (strcmp(spec, VARIANTS[i].name) == 0) {
            int rc = rs_formdef_parse(VARIANTS[i].json, VARIANTS[i].len, out, err);
            if (rc)
                hitl_err_prefix(err, "built-in form %s", spec);
            return rc;
        }
    return load_file(spec, out, err);
}

const cJSON *rs_formdef_action(const rs_formdef *f, const char *id)
{
    const cJSON *a;
    cJSON_ArrayForEach(a, f->actions)
    {
        const cJSON *aid = cJSON_GetObjectItemCaseSensitive(a, "id");
        if (strcmp(aid->valuestring, id) == 0)
            return a;
    }
    return NULL;
}

/* py_json appends json.dumps(v, ensure_ascii=False) with Python's default separators. */
static int py_json(hitl_buf *b, const cJSON *v, int depth)
{
    int rc = HITL_OK;
    if (depth > 64)
        return HITL_E_TOO_BIG;
    if (cJSON_IsNull(v))
        return hitl_buf_append_str(b, "null");
    if (cJSON_IsTrue(v))
        return hitl_buf_append_str(b, "true");
    if (cJSON_IsFalse(v))
        return hitl_buf_append_str(b, "false");
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d == floor(d) && fabs(d) < 1e15)
            return hitl_buf_printf(b, "%.0f", d);
        char tmp[40];
        for (int prec = 15; prec <= 17; prec++) { /* shortest round-trip, like Python's repr */
            snprintf(tmp, sizeof tmp, "%.*g", prec, d);
            if (strtod(tmp, NULL) == d)
                break;
        }
        return hitl_buf_append_str(b, tmp);
    }
    if (cJSON_IsString(v)) {
        rc = hitl_buf_append_str(b, "\"");
        for (const unsigned char *p = (const unsigned char *)v->valuestring; *p && !rc; p++) {
            switch (*p) {
            case '"':
                rc = hitl_buf_append_str(b, "\\\"");
                break;
            case '\\':
                rc = hitl_buf_append_str(b, "\\\\");
                break;
            case '\n':
                rc = hitl_buf_append_str(b, "\\n");
                break;
            case '\r':
                rc = hitl_buf_append_str(b, "\\r");
                break;
            case '\t':
                rc = hitl_buf_append_str(b, "\\t");
                break;
            case '\b':
                rc = hitl_buf_append_str(b, "\\b");
                break;
            case '\f':
                rc = hitl_buf_append_str(b, "\\f");
                break;
            default:
                rc = *p < 0x20 ? hitl_buf_printf(b, "\\u%04x", *p) : hitl_buf_append(b, p, 1);
            }
        }
        return rc ? rc : hitl_buf_append_str(b, "\"");
    }
    int obj = cJSON_IsObject(v);
    rc = hitl_buf_append_str(b, obj ? "{" : "[");
    for (const cJSON *c = v->child; c && !rc; c = c->next) {
        if (c != v->child)
            rc = hitl_buf_append_str(b, ", ");
        if (obj && !rc) {
            cJSON key = {0};
            key.type = cJSON_String;
            key.valuestring = c->string;
            rc = py_json(b, &key, depth + 1);
            if (!rc)
                rc = hitl_buf_append_str(b, ": ");
        }
        if (!rc)
            rc = py_json(b, c, depth + 1);
    }
    return rc ? rc : hitl_buf_append_str(b, obj ? "}" : "]");
}

int rs_py_str(hitl_buf *b, const cJSON *v)
{
    if (cJSON_IsNull(v))
        return HITL_OK;
    if (cJSON_IsString(v))
        return hitl_buf_append_str(b, v->valuestring);
    if (cJSON_IsTrue(v))
        return hitl_buf_append_str(b, "True");
    if (cJSON_IsFalse(v))
        return hitl_buf_append_str(b, "False");
    return py_json(b, v, 0);
}
