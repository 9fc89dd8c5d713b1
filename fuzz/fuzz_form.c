/* fuzz_form.c: the form parser/validator must never crash, and its normalized output must
 * be a fixed point: parse → serialize → parse (same kind) → serialize gives the same bytes.
 *
 * The whole input is the JSON text. It is read three ways: auto-detected kind, then forced
 * GET and forced event data, so both rule sets see every input. Any broken promise is a
 * crash (__builtin_trap):
 *   - only non-JSON or non-object input is a hard error, with a message;
 *   - every problem has a path starting with '$' and one-line path and message;
 *   - serialization round-trips byte for byte, and a valid form normalizes to a valid form;
 *   - the normalized text is strict JSON (hitl_json_parse accepts it);
 *   - find_input/find_action find each named input and action. */
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

static void one_kind(const uint8_t *data, size_t size, hitl_form_kind kind)
{
    hitl_form *f = NULL;
    hitl_err err = {0};
    int rc = hitl_form_parse((const char *)data, size, MAX_INPUT, kind, &f, &err);
    if (rc) {
        CHECK(rc == HITL_E_PARSE || rc == HITL_E_INVALID || rc == HITL_E_NOMEM);
        CHECK(f == NULL && err.msg[0] != '\0');
        return;
    }
    CHECK(f->kind == HITL_FORM_GET || f->kind == HITL_FORM_EVENT);
    CHECK(kind == HITL_FORM_AUTO || f->kind == kind);
    CHECK(f->n_inputs <= HITL_FORM_MAX_ITEMS && f->n_actions <= HITL_FORM_MAX_ITEMS);
    check_problems(f);
    check_lookups(f);

    char *a = NULL, *b = NULL;
    CHECK(hitl_form_to_json(f, false, &a, &err) == HITL_OK);
    cJSON *strict = NULL;
    CHECK(hitl_json_parse(a, strlen(a), SIZE_MAX, &strict, &err) == HITL_OK);
    cJSON_Delete(strict);

    hitl_form *g = NULL;
    CHECK(hitl_form_parse(a, strlen(a), SIZE_MAX, f->kind, &g, &err) == HITL_OK);
    CHECK(g->kind == f->kind && g->n_inputs == f->n_inputs && g->n_actions == f->n_actions);
    CHECK(!hitl_form_is_valid(f) || hitl_form_is_valid(g));
    check_problems(g);
    CHECK(hitl_form_to_json(g, false, &b, &err) == HITL_OK);
    CHECK(strcmp(a, b) == 0);

    char *pretty = NULL;
    CHECK(hitl_form_to_json(g, true, &pretty, &err) == HITL_OK);
    free(pretty);
    free(a);
    free(b);
    hitl_form_free(g);
    hitl_form_free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    one_kind(data, size, HITL_FORM_AUTO);
    one_kind(data, size, HITL_FORM_GET);
    one_kind(data, size, HITL_FORM_EVENT);
    return 0;
}
