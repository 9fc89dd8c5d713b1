/* fuzz_submit.c: whatever the form and whatever the sequence of builder calls, the
 * submission builder must print strict, bounded JSON, and never crash or leak.
 *
 * Input layout: <json> [0x00 <ops>]. The JSON part is used twice:
 *   1. as a form (auto kind): hitl_submit_fill_valid fills a builder from it;
 *   2. as a submission body (seeds: Dify's published request bodies): its top-level keys
 *      and inputs are replayed into a fresh builder, which must print the same members.
 * The ops part drives builder 1 byte by byte: op = b % 11, then a length byte and that many
 * bytes of name, then (for ops with a value) a length byte and the value bytes.
 *
 * Promises (a broken one is __builtin_trap): every successful hitl_submit_to_json is strict
 * JSON (hitl_json_parse) no longer than the builder's cap; a failed setter leaves the
 * printed body unchanged; the replayed body has the original's members. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hitl/form.h"
#include "hitl/json.h"
#include "hitl/submit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT (256u * 1024u)
#define BUILDER_CAP 4096u

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

static const hitl_file_ref REFS[] = {
    {HITL_TRANSFER_LOCAL_FILE, "1a77f0df-c0e6-461c-987c-e72526f341ee", NULL, "document"},
    {HITL_TRANSFER_REMOTE_URL, NULL, "https://example.com/report.pdf", NULL},
};
/* Typed refs for hitl_submit_fill_valid, which refuses an untyped file. */
static const hitl_file_ref FILL_REFS[] = {
    {HITL_TRANSFER_LOCAL_FILE, "1a77f0df-c0e6-461c-987c-e72526f341ee", NULL, "document"},
    {HITL_TRANSFER_REMOTE_URL, NULL, "https://example.com/photo.png", "image"},
};

/* The printed body, NULL when printing hit the cap. With |strict|, the text must also be a
 * strict JSON object (the costly part: the op loop asks for it now and then, and at the end). */
static char *print_checked(const hitl_submit *s, size_t cap, bool strict)
{
    char *out = NULL;
    hitl_err err = {0};
    int rc = hitl_submit_to_json(s, &out, &err);
    if (rc) {
        CHECK(rc == HITL_E_TOO_BIG && out == NULL);
        return NULL;
    }
    size_t len = strlen(out);
    CHECK(len <= cap);
    if (strict) {
        cJSON *v = NULL;
        CHECK(hitl_json_parse(out, len, SIZE_MAX, &v, &err) == HITL_OK);
        CHECK(cJSON_IsObject(v));
        cJSON_Delete(v);
    }
    return out;
}

/* A bounded NUL-terminated string taken from the ops stream; NULL when it ran out. */
static const char *take(const uint8_t **p, const uint8_t *end, char *buf)
{
    if (*p >= end)
        return NULL;
    size_t n = **p;
    (*p)++;
    if (n > (size_t)(end - *p))
        n = (size_t)(end - *p);
    memcpy(buf, *p, n);
    buf[n] = '\0';
    *p += n;
    return buf;
}

static void run_ops(hitl_submit *s, const uint8_t *p, const uint8_t *end)
{
    char name[256], value[256];
    /* The body after one call is the body before the next: print each state once. */
    char *before = print_checked(s, BUILDER_CAP, true);
    unsigned count = 0;
    while (p < end) {
        uint8_t op = *p++ % 11;
        const char *n = take(&p, end, name);
        if (!n)
            break;
        const char *v = op < 8 ? take(&p, end, value) : NULL;
        hitl_err err = {0};
        hitl_file_ref ref = REFS[op & 1];
        int rc = HITL_OK;
        switch (op) {
        case 0:
            rc = v ? hitl_submit_set_string(s, n, v, &err) : HITL_E_ARG;
            break;
        case 1:
            rc = v ? hitl_submit_set_raw_json(s, n, v, &err) : HITL_E_ARG;
            break;
        case 2:
            rc = hitl_submit_set_action(s, v, &err);
            break;
        case 3:
            rc = hitl_submit_set_user(s, v, &err);
            break;
        case 4:
            rc = v ? hitl_submit_set_field_raw(s, n, v, &err) : HITL_E_ARG;
            break;
        case 5:
        case 6:
            ref.type = v;
            rc = hitl_submit_set_file(s, n, &ref, &err);
            break;
        case 7:
            rc = hitl_submit_add_file_list_item(s, n, v ? &ref : NULL, &err);
            break;
        case 8:
            rc = hitl_submit_omit(s, n, &err);
            break;
        case 9:
            rc = hitl_submit_omit_field(s, n, &err);
            break;
        case 10:
            rc = hitl_submit_add_file_list_item(s, n, &REFS[0], &err);
            break;
        }
        char *after = print_checked(s, BUILDER_CAP, ++count % 8 == 0 || p >= end);
        if (rc) {
            CHECK(err.msg[0] != '\0' || rc == HITL_E_ARG);
            /* A refused call changes nothing. */
            CHECK((before == NULL) == (after == NULL));
            CHECK(!before || !strcmp(before, after));
        }
        free(before);
        before = after;
    }
    free(before);
}

static bool has_duplicate_keys(const cJSON *obj)
{
    for (const cJSON *a = obj ? obj->child : NULL; a; a = a->next)
        for (const cJSON *b = a->next; b; b = b->next)
            if (a->string && b->string && !strcmp(a->string, b->string))
                return true;
    return false;
}

/* Replays a submission body into a builder; the output must carry the same members. */
static void replay_body(const cJSON *body)
{
    const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(body, "inputs");
    if (!cJSON_IsObject(body) || cJSON_GetArraySize(body) > 64 || has_duplicate_keys(body) ||
        (cJSON_IsObject(inputs) && (has_duplicate_keys(inputs) || cJSON_GetArraySize(inputs) > 64)))
        return;
    hitl_submit *s = NULL;
    hitl_err err = {0};
    CHECK(hitl_submit_new(&s, MAX_INPUT * 8, &err) == HITL_OK);
    bool ok = true;
    for (const cJSON *m = body->child; m && ok; m = m->next) {
        char *text = cJSON_PrintUnformatted(m);
        if (!text)
            break;
        if (!strcmp(m->string, "inputs") && cJSON_IsObject(m)) {
            for (const cJSON *i = m->child; i && ok; i = i->next) {
                char *it = cJSON_PrintUnformatted(i);
                ok = it && hitl_submit_set_raw_json(s, i->string, it, &err) == HITL_OK;
                free(it);
            }
            if (!m->child)
                ok = hitl_submit_set_field_raw(s, "inputs", "{}", &err) == HITL_OK;
        } else {
            ok = hitl_submit_set_field_raw(s, m->string, text, &err) == HITL_OK;
        }
        free(text);
    }
    char *out = ok ? print_checked(s, MAX_INPUT * 8, true) : NULL;
    if (out) {
        cJSON *got = cJSON_Parse(out);
        CHECK(got && cJSON_GetArraySize(got) ==
                         cJSON_GetArraySize(body) +
                             (cJSON_GetObjectItemCaseSensitive(body, "inputs") ? 0 : 1));
        for (const cJSON *m = body->child; m; m = m->next) {
            const cJSON *g = cJSON_GetObjectItemCaseSensitive(got, m->string);
            char *want = cJSON_PrintUnformatted(m), *have = cJSON_PrintUnformatted(g);
            CHECK(want && have && !strcmp(want, have));
            free(want);
            free(have);
        }
        cJSON_Delete(got);
        free(out);
    }
    hitl_submit_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    const uint8_t *nul = memchr(data, 0, size);
    size_t json_len = nul ? (size_t)(nul - data) : size;

    hitl_submit *s = NULL;
    hitl_err err = {0};
    CHECK(hitl_submit_new(&s, BUILDER_CAP, &err) == HITL_OK);

    hitl_form *form = NULL;
    if (hitl_form_parse((const char *)data, json_len, MAX_INPUT, HITL_FORM_AUTO, &form, &err) ==
        HITL_OK) {
        /* Each file input gets FILL_REFS[0], each file-list both (fewer under number_limits). */
        hitl_submit_files *files = calloc(form->n_inputs ? form->n_inputs : 1, sizeof *files);
        CHECK(files != NULL);
        for (size_t i = 0; i < form->n_inputs; i++) {
            const hitl_form_input *x = &form->inputs[i];
            size_t n = x->type == HITL_INPUT_FILE_LIST ? 2 : 1;
            if (x->type == HITL_INPUT_FILE_LIST && x->number_limits == 1)
                n = 1;
            files[i] = (hitl_submit_files){x->output_variable_name, FILL_REFS, n};
        }
        hitl_submit_hints h = {NULL, "abc-123", NULL, files, form->n_inputs};
        if (form->n_actions && form->actions[form->n_actions - 1].id)
            h.action = form->actions[form->n_actions - 1].id;
        int rc = hitl_submit_fill_valid(s, form, &h, &err);
        CHECK(rc == HITL_OK || rc == HITL_E_INVALID || rc == HITL_E_ARG || rc == HITL_E_TOO_BIG);
        if (rc == HITL_OK && hitl_form_is_valid(form)) {
            /* A valid fill names every input and the action. */
            char *out = print_checked(s, BUILDER_CAP, true);
            if (out) {
                cJSON *v = cJSON_Parse(out);
                const cJSON *in = cJSON_GetObjectItemCaseSensitive(v, "inputs");
                for (size_t i = 0; i < form->n_inputs; i++)
                    CHECK(
                        cJSON_GetObjectItemCaseSensitive(in, form->inputs[i].output_variable_name));
                CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(v, "action")));
                cJSON_Delete(v);
                free(out);
            }
        }
        free(files);
        hitl_form_free(form);
    }
    free(print_checked(s, BUILDER_CAP, true));

    cJSON *body = NULL;
    if (hitl_json_parse((const char *)data, json_len, MAX_INPUT, &body, &err) == HITL_OK) {
        replay_body(body);
        cJSON_Delete(body);
    }

    if (nul)
        run_ops(s, nul + 1, data + size);
    hitl_submit_free(s);
    return 0;
}
