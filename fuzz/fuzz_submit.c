/* fuzz_submit.c: whatever the form and whatever the sequence of builder calls, the
 * submission builder must print strict, bounded JSON, and never crash or leak.
 *
 * Input layout: <json> [0x00 <ops>]. The JSON part is used twice:
 *   1. as a form (auto kind): hitl_submit_fill_valid fills a builder from it;
 *   2. as a submission body (seeds: Dify's published request bodies): its top-level keys
 *      and inputs are replayed into a fresh builder, which must print the same members.
 *      A form definition (`inputs` and its actions both arrays) is not replayed.
 * The ops part then drives the filled builder: op = b % 11, then a length byte and that many
 * bytes of name, then (for ops with a value) a length byte and the value bytes. At most
 * MAX_OPS ops are decoded; the rest of the input is ignored.
 *
 * Promises (a broken one is __builtin_trap): hitl_submit_to_json prints strict JSON
 * (hitl_json_check) no longer than the builder's cap, or refuses with HITL_E_TOO_BIG; a
 * refused setter leaves the body unchanged; a setter the builder accepted is accepted again
 * by a builder in the same state (same call, same result); the replayed body has the
 * original's members; a valid form's fill names every input and the action.
 *
 * Throughput: under ASan an execution costs mostly its allocations and its passes over JSON
 * text, so each text is parsed and each state printed only where a promise needs it:
 *   - the JSON part is parsed once and read with hitl_form_from_json (hitl_form_parse is
 *     that parse followed by that call); the fill check reads the builder's tree
 *     (hitl_submit_body), and the replay check the tree of the strict parse of its output;
 *   - the ops loop no longer prints every state to have the one before a refused call: a
 *     shadow builder receives the accepted calls only, so it holds that state, and the two
 *     bodies are compared as trees (hitl_submit_body), without printing;
 *   - one state per input is printed and checked strictly, the last one: the filled state
 *     without ops, else the state the ops leave (the old code also printed the filled state
 *     three times and every 8th state): the state after any op k is the last state of the
 *     same input cut after op k, an input libFuzzer's truncations produce, so every state is
 *     still printed by some input. The check is the strict scan alone (hitl_json_check):
 *     the old one also had cJSON build the tree again, which nobody read;
 *   - MAX_OPS bounds the ops per input (the old loop took as many as the input held, up to
 *     a thousand short ops, each printing a body near the cap); an op adds up to ~520 bytes,
 *     so 16 ops fill the cap several times over, and longer sequences only repeat what a
 *     shorter one reaches;
 *   - BUILDER_CAP is 1 KiB (it was 4 KiB): a printed state costs several callbacks per
 *     byte, and nothing in the builder depends on the cap's size; 2 to 4 ops of 255-byte
 *     values reach it, every seed form fills in under 420 bytes, and bodies of any size go
 *     through the replay builder, whose cap is MAX_INPUT * 8;
 *   - replaying a whole form as a body repeated, on the costliest inputs, only the raw
 *     top-level setters that mutated bodies and op 4 reach anyway. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hitl/form.h"
#include "hitl/json.h"
#include "hitl/submit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT (256u * 1024u)
#define BUILDER_CAP 1024u
#define MAX_OPS 16u

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

/* The printed body, NULL when printing hit the cap. With |tree| (the costly part: the op
 * loop asks for it now and then, and at the end), the text must also be a strict JSON
 * object, whose parse is stored in *tree for the caller (NULL with the body). */
static char *print_checked(const hitl_submit *s, size_t cap, cJSON **tree)
{
    char *out = NULL;
    hitl_err err = {0};
    if (tree)
        *tree = NULL;
    int rc = hitl_submit_to_json(s, &out, &err);
    if (rc) {
        CHECK(rc == HITL_E_TOO_BIG && out == NULL);
        return NULL;
    }
    size_t len = strlen(out);
    CHECK(len <= cap);
    if (tree) {
        CHECK(hitl_json_parse(out, len, SIZE_MAX, tree, &err) == HITL_OK);
        CHECK(cJSON_IsObject(*tree));
    }
    return out;
}

/* print_checked for a state whose tree nobody reads: the text must be a strict JSON object,
 * which the syntax scan alone settles (hitl_json_check: hitl_json_parse without building the
 * value; cJSON's own reading of the text could only fail, after the scan, on a number longer
 * than cJSON's printer ever writes). */
static char *print_strict(const hitl_submit *s, size_t cap)
{
    char *out = print_checked(s, cap, NULL);
    if (out) {
        hitl_err err = {0};
        CHECK(hitl_json_check(out, strlen(out), SIZE_MAX, &err) == HITL_OK);
        CHECK(out[0] == '{'); /* one strict value that opens with '{' is an object */
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

/* One builder call of the ops stream on |s|; HITL_E_ARG without a call when the stream ended
 * before the value the op needs. */
static int apply_op(hitl_submit *s, uint8_t op, const char *n, const char *v, hitl_err *err)
{
    hitl_file_ref ref = REFS[op & 1];
    switch (op) {
    case 0:
        return v ? hitl_submit_set_string(s, n, v, err) : HITL_E_ARG;
    case 1:
        return v ? hitl_submit_set_raw_json(s, n, v, err) : HITL_E_ARG;
    case 2:
        return hitl_submit_set_action(s, v, err);
    case 3:
        return hitl_submit_set_user(s, v, err);
    case 4:
        return v ? hitl_submit_set_field_raw(s, n, v, err) : HITL_E_ARG;
    case 5:
    case 6:
        ref.type = v;
        return hitl_submit_set_file(s, n, &ref, err);
    case 7:
        return hitl_submit_add_file_list_item(s, n, v ? &ref : NULL, err);
    case 8:
        return hitl_submit_omit(s, n, err);
    case 9:
        return hitl_submit_omit_field(s, n, err);
    default:
        return hitl_submit_add_file_list_item(s, n, &REFS[0], err);
    }
}

/* Whether two bodies are the same tree: same types, keys, strings and numbers (bit for bit),
 * children in the same order. Equal trees print the same, so this is at least as strict as
 * comparing printed bodies, and allocates nothing. Depth is bounded by hitl_json_parse. */
static bool same_tree(const cJSON *a, const cJSON *b)
{
    for (; a && b; a = a->next, b = b->next) {
        if ((a->type & 0xFF) != (b->type & 0xFF) || (a->string == NULL) != (b->string == NULL) ||
            (a->string && strcmp(a->string, b->string)) ||
            (a->valuestring == NULL) != (b->valuestring == NULL) ||
            (a->valuestring && strcmp(a->valuestring, b->valuestring)) ||
            memcmp(&a->valuedouble, &b->valuedouble, sizeof a->valuedouble) ||
            a->valueint != b->valueint || !same_tree(a->child, b->child))
            return false;
    }
    return a == b; /* both lists ended */
}

/* |s| and |shadow| are builders in the same state. The ops are applied to |s|, and those it
 * accepts to |shadow| too (which must accept them as well: same call, same state). So after
 * a refused call |shadow| holds the state |s| had before it, and "a refused call changes
 * nothing" is: their bodies are the same tree. The state the ops leave is printed and
 * parsed strictly (see the header). */
static void run_ops(hitl_submit *s, hitl_submit *shadow, const uint8_t *p, const uint8_t *end)
{
    char name[256], value[256];
    for (unsigned count = 0; p < end && count < MAX_OPS; count++) {
        uint8_t op = *p++ % 11;
        const char *n = take(&p, end, name);
        if (!n)
            break;
        const char *v = op < 8 ? take(&p, end, value) : NULL;
        hitl_err err = {0};
        int rc = apply_op(s, op, n, v, &err);
        if (rc) {
            CHECK(err.msg[0] != '\0' || rc == HITL_E_ARG);
            /* A refused call changes nothing. */
            CHECK(same_tree(hitl_submit_body(s), hitl_submit_body(shadow)));
        } else {
            hitl_err again = {0};
            CHECK(apply_op(shadow, op, n, v, &again) == HITL_OK);
        }
    }
    CHECK(same_tree(hitl_submit_body(s), hitl_submit_body(shadow)));
    free(print_strict(s, BUILDER_CAP));
}

static bool has_duplicate_keys(const cJSON *obj)
{
    for (const cJSON *a = obj ? obj->child : NULL; a; a = a->next)
        for (const cJSON *b = a->next; b; b = b->next)
            if (a->string && b->string && !strcmp(a->string, b->string))
                return true;
    return false;
}

#define REPLAY_MAX_MEMBERS 64

/* Replays a submission body into a builder; the output must carry the same members. */
static void replay_body(const cJSON *body)
{
    const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(body, "inputs");
    if (!cJSON_IsObject(body) || cJSON_GetArraySize(body) > REPLAY_MAX_MEMBERS ||
        has_duplicate_keys(body) ||
        (cJSON_IsObject(inputs) &&
         (has_duplicate_keys(inputs) || cJSON_GetArraySize(inputs) > REPLAY_MAX_MEMBERS)))
        return;
    hitl_submit *s = NULL;
    hitl_err err = {0};
    CHECK(hitl_submit_new(&s, MAX_INPUT * 8, &err) == HITL_OK);
    /* Each member as printed to be set: what the output must print it as. */
    char *want[REPLAY_MAX_MEMBERS] = {0};
    size_t n = 0;
    bool ok = true;
    for (const cJSON *m = body->child; m && ok; m = m->next) {
        char *text = want[n++] = cJSON_PrintUnformatted(m);
        if (!text) {
            ok = false;
            break;
        }
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
    }
    cJSON *got = NULL;
    char *out = ok ? print_checked(s, MAX_INPUT * 8, &got) : NULL;
    if (out) {
        CHECK(cJSON_GetArraySize(got) ==
              cJSON_GetArraySize(body) +
                  (cJSON_GetObjectItemCaseSensitive(body, "inputs") ? 0 : 1));
        size_t i = 0;
        for (const cJSON *m = body->child; m; m = m->next, i++) {
            char *have = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(got, m->string));
            CHECK(have && !strcmp(want[i], have));
            free(have);
        }
        cJSON_Delete(got);
        free(out);
    }
    for (size_t i = 0; i < n; i++)
        free(want[i]);
    hitl_submit_free(s);
}

/* Fills |s| from |form| (see the layout above); the status of hitl_submit_fill_valid. */
static int fill(hitl_submit *s, const hitl_form *form)
{
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
    hitl_err err = {0};
    int rc = hitl_submit_fill_valid(s, form, &h, &err);
    CHECK(rc == HITL_OK || rc == HITL_E_INVALID || rc == HITL_E_ARG || rc == HITL_E_TOO_BIG);
    free(files);
    return rc;
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

    cJSON *root = NULL;
    hitl_form *form = NULL;
    int fill_rc = HITL_E_ARG;
    if (hitl_json_parse((const char *)data, json_len, MAX_INPUT, &root, &err) == HITL_OK &&
        hitl_form_from_json(root, HITL_FORM_AUTO, &form, &err) == HITL_OK)
        fill_rc = fill(s, form);
    if (fill_rc == HITL_OK && hitl_form_is_valid(form)) {
        /* A valid fill names every input and the action. */
        const cJSON *body = hitl_submit_body(s);
        const cJSON *in = cJSON_GetObjectItemCaseSensitive(body, "inputs");
        for (size_t i = 0; i < form->n_inputs; i++)
            CHECK(cJSON_GetObjectItemCaseSensitive(in, form->inputs[i].output_variable_name));
        CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(body, "action")));
    }
    /* The filled state (or the fresh builder's) is printed strictly here when no ops follow;
     * otherwise the state the ops leave is (see the header). */
    if (!nul)
        free(print_strict(s, BUILDER_CAP));

    /* A form definition is no submission body (see the header). */
    if (root && !(form && form->has_inputs && form->has_actions))
        replay_body(root);
    cJSON_Delete(root);

    if (nul) {
        /* The shadow builder starts in the same state: the same fill of the same form. */
        hitl_submit *shadow = NULL;
        CHECK(hitl_submit_new(&shadow, BUILDER_CAP, &err) == HITL_OK);
        if (form)
            CHECK(fill(shadow, form) == fill_rc);
        CHECK(same_tree(hitl_submit_body(s), hitl_submit_body(shadow)));
        run_ops(s, shadow, nul + 1, data + size);
        hitl_submit_free(shadow);
    }
    hitl_form_free(form);
    hitl_submit_free(s);
    return 0;
}
