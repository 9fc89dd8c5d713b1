/* fuzz_form.c: the form parser/validator must never crash, and its normalized output must
 * be a fixed point: parse → serialize → parse (same kind) → serialize gives the same bytes.
 *
 * The whole input is the JSON text. It is parsed once (hitl_json_parse: hitl_form_parse is
 * that call followed by hitl_form_from_json) and the tree is read as a form twice: with the
 * auto-detected kind, then forced to the other kind, so both rule sets see every input.
 * (Forcing the detected kind as well would repeat the auto run: hitl_form_from_json with
 * AUTO only resolves the kind with hitl_form_detect_kind, checked here, and then does what
 * the forced call does, on the same tree.) Any broken promise is a crash (__builtin_trap):
 *   - only non-JSON or non-object input is a hard error, with a message; hitl_form_parse
 *     refuses non-JSON text with the status and message of hitl_json_parse;
 *   - every problem has a path starting with '$' and one-line path and message;
 *   - serialization round-trips byte for byte, and a valid form normalizes to a valid form;
 *   - the normalized text is strict JSON (hitl_json_parse accepts it), and its tree is the
 *     one read back as a form;
 *   - find_input/find_action find each named input and action.
 *
 * Throughput: each JSON text is parsed once per role (input, normalized text), never twice
 * for the same bytes; under ASan the cost of an execution is mostly its allocations. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hitl/form.h"
#include "hitl/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT (1u << 20)

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

static void check_problems(const hitl_form *f)
{
    CHECK(f->n_problems <= HITL_FORM_MAX_PROBLEMS + 1);
    for (size_t i = 0; i < f->n_problems; i++) {
        const hitl_form_problem *p = &f->problems[i];
        CHECK(p->path && p->path[0] == '$' && p->message && p->message[0]);
        CHECK(!strchr(p->path, '\n') && !strchr(p->message, '\n'));
    }
}

static void check_lookups(const hitl_form *f)
{
    for (size_t i = 0; i < f->n_inputs; i++) {
        const char *n = f->inputs[i].output_variable_name;
        if (n) {
            const hitl_form_input *x = hitl_form_find_input(f, n);
            CHECK(x && x->output_variable_name && !strcmp(x->output_variable_name, n));
        }
    }
    for (size_t i = 0; i < f->n_actions; i++) {
        const char *id = f->actions[i].id;
        if (id) {
            const hitl_form_action *a = hitl_form_find_action(f, id);
            CHECK(a && a->id && !strcmp(a->id, id));
        }
    }
}

/* Reads |root| as a form of |kind| and checks the model and its normalization. |pretty|:
 * also print the normalized form indented (once per input: the tree it prints is built by
 * the same code as the compact one). */
static void one_kind(const cJSON *root, hitl_form_kind kind, bool pretty)
{
    hitl_form *f = NULL;
    hitl_err err = {0};
    int rc = hitl_form_from_json(root, kind, &f, &err);
    if (rc) {
        CHECK(rc == HITL_E_INVALID || rc == HITL_E_NOMEM);
        CHECK(!cJSON_IsObject(root) || rc == HITL_E_NOMEM);
        CHECK(f == NULL && err.msg[0] != '\0');
        return;
    }
    CHECK(cJSON_IsObject(root));
    CHECK(f->kind == HITL_FORM_GET || f->kind == HITL_FORM_EVENT);
    CHECK(f->kind == (kind == HITL_FORM_AUTO ? hitl_form_detect_kind(root) : kind));
    CHECK(f->n_inputs <= HITL_FORM_MAX_ITEMS && f->n_actions <= HITL_FORM_MAX_ITEMS);
    check_problems(f);
    check_lookups(f);

    char *a = NULL, *b = NULL;
    CHECK(hitl_form_to_json(f, false, &a, &err) == HITL_OK);
    cJSON *strict = NULL;
    CHECK(hitl_json_parse(a, strlen(a), SIZE_MAX, &strict, &err) == HITL_OK);

    hitl_form *g = NULL;
    CHECK(hitl_form_from_json(strict, f->kind, &g, &err) == HITL_OK);
    cJSON_Delete(strict);
    CHECK(g->kind == f->kind && g->n_inputs == f->n_inputs && g->n_actions == f->n_actions);
    CHECK(!hitl_form_is_valid(f) || hitl_form_is_valid(g));
    check_problems(g);
    CHECK(hitl_form_to_json(g, false, &b, &err) == HITL_OK);
    CHECK(strcmp(a, b) == 0);

    if (pretty) {
        char *indented = NULL;
        CHECK(hitl_form_to_json(g, true, &indented, &err) == HITL_OK);
        free(indented);
    }
    free(a);
    free(b);
    hitl_form_free(g);
    hitl_form_free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    cJSON *root = NULL;
    hitl_err err = {0};
    int rc = hitl_json_parse((const char *)data, size, MAX_INPUT, &root, &err);
    if (rc) {
        CHECK(rc == HITL_E_PARSE || rc == HITL_E_NOMEM);
        CHECK(err.msg[0] != '\0');
        /* Cheap: the syntax scan refuses most such texts before anything is allocated. */
        hitl_form *f = NULL;
        hitl_err again = {0};
        CHECK(hitl_form_parse((const char *)data, size, MAX_INPUT, HITL_FORM_AUTO, &f, &again) ==
              rc);
        CHECK(f == NULL && !strcmp(again.msg, err.msg));
        return 0;
    }
    hitl_form_kind detected = hitl_form_detect_kind(root);
    one_kind(root, HITL_FORM_AUTO, true);
    one_kind(root, detected == HITL_FORM_GET ? HITL_FORM_EVENT : HITL_FORM_GET, false);
    cJSON_Delete(root);
    return 0;
}
