/* cmd_form_lint.c: `hitlcheck form-lint`: validate a form definition (the GET form
 * response) or a human_input_required event's data against §4.2 of the contract, and
 * print every problem as `path: message`, or the normalized form with --json. */
#include "commands.h"
#include "hitl/buf.h"
#include "hitl/form.h"
#include "hitl/json.h"

#include <errno.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define LINT_MAX_INPUT ((size_t)16 * 1024 * 1024)
#define LINT_CHUNK ((size_t)64 * 1024)

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: hitlcheck form-lint [--kind auto|get|event] [--json] [FILE|-]\n"
            "\n"
            "Validate a Human Input form definition against Dify's form model (§4.2 of\n"
            "hitlcheck's contract, specs/contract.md) and report every problem, one per line:\n"
            "\n"
            "  $.user_actions[1].id: does not match ^[A-Za-z_][A-Za-z0-9_]*$\n"
            "\n"
            "The input is one JSON object, either\n"
            "  get    the body of GET /v1|/api/form/human_input/{form_token}: form_content,\n"
            "         inputs, resolved_default_values (string values), user_actions,\n"
            "         expiration_time, and `site` on the web-app surface; or\n"
            "  event  the `data` of a human_input_required event: form_id, node_id,\n"
            "         node_title, form_content, inputs, actions, display_in_ui, form_token\n"
            "         (string or null), resolved_default_values, expiration_time.\n"
            "A whole human_input_required frame ({\"event\":\"human_input_required\",\n"
            "\"data\":{...}}) is also accepted: its data is validated as `event` and paths\n"
            "start at $.data.\n"
            "\n"
            "Checked: required keys and their types; input types paragraph, select, file,\n"
            "file-list and the older text_input; action ids (pattern, at most 20 characters,\n"
            "unique), titles (at most 100 characters), button_style (primary, default,\n"
            "accent, ghost); unique output_variable_names; option_source and default\n"
            "shapes (a variable default needs a selector of at least 2 elements); file\n"
            "types, upload methods (local_file, remote_url), extensions required with the\n"
            "custom type; number_limits an integer >= 0; integers exact (within 2^53-1).\n"
            "Unknown keys are ignored, as Dify's models ignore them.\n"
            "\n"
            "Reads FILE, or standard input when FILE is absent or '-'; at most %zu bytes.\n"
            "\n"
            "Options:\n"
            "  --kind KIND   auto (default): `event` when the object has `actions` or\n"
            "                `form_id`, else `get`; or force get or event\n"
            "  --json        when valid, print the normalized form (known keys in a fixed\n"
            "                order, model defaults filled in) as one line of JSON\n"
            "  -h, --help    print this help and exit\n"
            "\n"
            "Exit codes: 0 valid; 1 invalid: the problems are printed on standard output,\n"
            "`FILE: message` when the input is no form at all (empty, not JSON, NaN, trailing\n"
            "text, truncated, over the size cap, a top level that is not an object); 2 usage\n"
            "or I/O error (one line on standard error).\n",
            LINT_MAX_INPUT);
}

static int parse_kind(const char *v, hitl_form_kind *out)
{
    if (!strcmp(v, "auto"))
        *out = HITL_FORM_AUTO;
    else if (!strcmp(v, "get"))
        *out = HITL_FORM_GET;
    else if (!strcmp(v, "event"))
        *out = HITL_FORM_EVENT;
    else
        return -1;
    return 0;
}

/* Reads all of |in| into |b| (capped at LINT_MAX_INPUT). Returns 0; 1 after judging an
 * input over the cap (on |out|: it was read, and is no form definition); 2 after an I/O
 * error or running out of memory (on |errout|). */
static int read_all(FILE *in, const char *name, hitl_buf *b, FILE *out, FILE *errout)
{
    char *chunk = malloc(LINT_CHUNK);
    if (!chunk) {
        fprintf(errout, "hitlcheck form-lint: out of memory\n");
        return 2;
    }
    int status = 0;
    for (;;) {
        size_t n = fread(chunk, 1, LINT_CHUNK, in);
        if (n) {
            int rc = hitl_buf_append(b, chunk, n);
            if (rc == HITL_E_TOO_BIG) {
                fprintf(out, "%s: larger than %zu bytes (16 MiB), the cap for a form definition\n",
                        name, LINT_MAX_INPUT);
                status = 1;
                break;
            }
            if (rc) {
                fprintf(errout, "hitlcheck form-lint: out of memory reading %s\n", name);
                status = 2;
                break;
            }
        }
        if (n < LINT_CHUNK) {
            if (ferror(in)) {
                fprintf(errout, "hitlcheck form-lint: cannot read %s: %s\n", name, strerror(errno));
                status = 2;
            }
            break;
        }
    }
    free(chunk);
    return status;
}

static void print_problem(FILE *out, const char *prefix, const char *path, const char *msg)
{
    /* Paths are relative to the validated object; under a frame they sit below $.data. */
    if (prefix)
        fprintf(out, "%s%s: %s\n", prefix, path + 1, msg);
    else
        fprintf(out, "%s: %s\n", path, msg);
}

static int lint(const cJSON *root, hitl_form_kind kind, bool json, const char *name, FILE *out,
                FILE *errout)
{
    const cJSON *target = root;
    const char *prefix = NULL;
    const char *ev = NULL;
    if (kind != HITL_FORM_GET && hitl_json_get_string(root, "event", &ev) == HITL_JSON_OK &&
        !strcmp(ev, "human_input_required")) {
        target = cJSON_GetObjectItemCaseSensitive(root, "data");
        prefix = "$.data";
        kind = HITL_FORM_EVENT;
        if (!cJSON_IsObject(target)) {
            char msg[64];
            snprintf(msg, sizeof msg, "must be an object, got %s", hitl_json_type_name(target));
            print_problem(out, prefix, "$", target ? msg : "required key is missing");
            return 1;
        }
    }
    hitl_form *f = NULL;
    hitl_err err = {0};
    if (hitl_form_from_json(target, kind, &f, &err)) {
        fprintf(errout, "hitlcheck form-lint: %s: %s\n", name, err.msg);
        return 2;
    }
    int status = 0;
    if (!hitl_form_is_valid(f)) {
        for (size_t i = 0; i < f->n_problems; i++)
            print_problem(out, prefix, f->problems[i].path, f->problems[i].message);
        status = 1;
    } else if (json) {
        char *text = NULL;
        if (hitl_form_to_json(f, false, &text, &err)) {
            fprintf(errout, "hitlcheck form-lint: %s\n", err.msg);
            status = 2;
        } else {
            fprintf(out, "%s\n", text);
            free(text);
        }
    }
    hitl_form_free(f);
    return status;
}

int hitl_cmd_form_lint(int argc, char **argv, FILE *out, FILE *errout)
{
    hitl_form_kind kind = HITL_FORM_AUTO;
    bool json = false, opts_done = false;
    const char *path = NULL;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!opts_done && a[0] == '-' && a[1] != '\0') {
            if (!strcmp(a, "--")) {
                opts_done = true;
            } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
                usage(out);
                return 0;
            } else if (!strcmp(a, "--json")) {
                json = true;
            } else if (!strcmp(a, "--kind") || !strncmp(a, "--kind=", 7)) {
                const char *v = a[6] == '=' ? a + 7 : (i + 1 < argc ? argv[++i] : NULL);
                if (!v || parse_kind(v, &kind)) {
                    fprintf(errout,
                            "hitlcheck form-lint: --kind needs auto, get or event, got '%s'\n",
                            v ? v : "nothing");
                    return 2;
                }
            } else {
                fprintf(errout,
                        "hitlcheck form-lint: unknown option '%s'; run `hitlcheck form-lint "
                        "--help`\n",
                        a);
                return 2;
            }
            continue;
        }
        if (path) {
            fprintf(errout,
                    "hitlcheck form-lint: one input at a time, got '%s' and '%s'; run "
                    "`hitlcheck form-lint --help`\n",
                    path, a);
            return 2;
        }
        path = a;
    }

    bool use_stdin = !path || !strcmp(path, "-");
    const char *name = use_stdin ? "<stdin>" : path;
    FILE *in = use_stdin ? stdin : fopen(path, "rb");
    if (!in) {
        fprintf(errout, "hitlcheck form-lint: cannot open '%s': %s\n", path, strerror(errno));
        return 2;
    }
    hitl_buf b;
    hitl_buf_init(&b, LINT_MAX_INPUT);
    int status = read_all(in, name, &b, out, errout);
    if (!use_stdin)
        fclose(in);
    if (status == 0) {
        cJSON *root = NULL;
        hitl_err err = {0};
        /* Text that is no JSON object is a judgement of the input (exit 1, on stdout
         * with the other problems), not a failure of the tool; only running out of memory
         * is the tool's. */
        int rc = hitl_json_parse(hitl_buf_str(&b), b.len, LINT_MAX_INPUT, &root, &err);
        if (rc == HITL_E_NOMEM) {
            fprintf(errout, "hitlcheck form-lint: %s: %s\n", name, err.msg);
            status = 2;
        } else if (rc) {
            fprintf(out, "%s: %s\n", name, err.msg);
            status = 1;
        } else if (!cJSON_IsObject(root)) {
            fprintf(out, "%s: a form definition must be a JSON object, got %s\n", name,
                    hitl_json_type_name(root));
            status = 1;
        } else {
            status = lint(root, kind, json, name, out, errout);
        }
        cJSON_Delete(root);
    }
    hitl_buf_free(&b);
    return status;
}
