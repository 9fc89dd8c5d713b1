/* body.c: the submit body of a SUBMIT record, written as JSON text by hand: the hostile forms
 * it needs (duplicate keys, lone surrogate escapes, invalid UTF-8, 255 levels of nesting) are
 * exactly what a JSON library refuses to build. Alongside, what the contract says of it: the
 * reason the target must reject it (§7.2, §7.3), when there is one the harness is sure of. */
#include "fuzz_int.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Hostile strings, as JSON text. */
static const char *const PALETTE[] = {
    "\"\"",
    "\"a\\u0000b\"",
    "\"\\u0000\"",
    "\"x\\ud800y\"",                /* a lone high surrogate */
    "\"\\udc00\"",                  /* a lone low surrogate */
    "\"\\ud83d\\ude00\"",           /* a pair: fine */
    "\"\\u202eevil\"",              /* right-to-left override */
    "\"e\\u0301\\u200b\\ufeff\"",   /* combining mark, zero-width space, BOM */
    "\"\xef\xbc\xa8\xef\xbc\xa9\"", /* fullwidth letters */
    "\"<script>alert(1)</script>\"",
    "\"' OR '1'='1\"",
    "\"../../etc/passwd\"",
    "\"\\n\\r\\t\"",
    "\"{{#$output.feedback#}}\"",
    "\"\xc3\x28\"", /* invalid UTF-8 */
    "\"\\\\\"",
};
#define NPALETTE (sizeof PALETTE / sizeof PALETTE[0])

static const char *const SUFFIXES[] = {" ", "\\u0000", "\\ud800", "x", "\\n", "\xef\xbf\xbf"};
#define NSUFFIXES (sizeof SUFFIXES / sizeof SUFFIXES[0])

static const char *const NUMBERS[] = {"0", "-1", "1e308", "1.5", "123456789012345678901234567890",
                                      "-0"};
static const char *const LITERALS[] = {"true", "false", "null", "{}", "[]", "\"\""};

static const char *const MAPPINGS[] = {
    "{}",
    "{\"transfer_method\":\"local_file\"}",
    "{\"transfer_method\":\"local_file\",\"upload_file_id\":\"not-a-uuid\"}",
    "{\"transfer_method\":\"local_file\",\"upload_file_id\":"
    "\"00000000-0000-4000-8000-000000000000\",\"type\":\"document\"}",
    "{\"transfer_method\":\"bogus\"}",
    "{\"transfer_method\":\"remote_url\"}",
    NULL, /* [this form's mapping] */
    NULL, /* this form's mapping */
};
#define NMAPPINGS (sizeof MAPPINGS / sizeof MAPPINGS[0])

/* The letters of a JSON string value flipped in case (all, or the first only); NULL when
 * |v| is not a string or nothing changed. */
static char *case_flip(const char *v, int all)
{
    cJSON *s = cJSON_Parse(v);
    char *out = NULL;
    if (cJSON_IsString(s)) {
        int changed = 0;
        for (char *p = s->valuestring; *p; p++)
            if (isalpha((unsigned char)*p)) {
                *p = (char)(isupper((unsigned char)*p) ? tolower((unsigned char)*p)
                                                       : toupper((unsigned char)*p));
                changed = 1;
                if (!all)
                    break;
            }
        if (changed)
            out = cJSON_PrintUnformatted(s);
    }
    cJSON_Delete(s);
    return out;
}

typedef struct slot {
    bool edited;
    fz_kind kind;
    uint8_t param;
} slot;

/* put_value writes the value of an edited slot whose valid value is |valid|; |file| says the
 * slot is a file or file-list input (lists repeat a file mapping). */
static int put_value(const fz_submit_ctx *c, hitl_buf *b, const slot *s, const char *valid,
                     bool file)
{
    uint8_t p = s->param;
    switch (s->kind) {
    case FZ_K_PALETTE:
    case FZ_K_DUPLICATE:
        return hitl_buf_append_str(b, PALETTE[p % NPALETTE]);
    case FZ_K_CASE: {
        char *f = case_flip(valid, p & 1);
        int rc = hitl_buf_append_str(b, f ? f : valid);
        free(f);
        return rc;
    }
    case FZ_K_SUFFIX: {
        size_t n = strlen(valid);
        if (n < 2 || valid[0] != '"')
            return hitl_buf_append_str(b, valid);
        int rc = hitl_buf_append(b, valid, n - 1);
        if (!rc)
            rc = hitl_buf_printf(b, "%s\"", SUFFIXES[p % NSUFFIXES]);
        return rc;
    }
    case FZ_K_NUMBER:
        return hitl_buf_append_str(b, NUMBERS[p % (sizeof NUMBERS / sizeof NUMBERS[0])]);
    case FZ_K_LITERAL:
        return hitl_buf_append_str(b, LITERALS[p % (sizeof LITERALS / sizeof LITERALS[0])]);
    case FZ_K_REPEAT: {
        unsigned n = p % 41u;
        const char *item = file && c->file_mapping ? c->file_mapping : valid;
        int rc = hitl_buf_append_str(b, "[");
        for (unsigned i = 0; !rc && i < n; i++)
            rc = hitl_buf_printf(b, "%s%s", i ? "," : "", item);
        return rc ? rc : hitl_buf_append_str(b, "]");
    }
    case FZ_K_NEST: {
        int rc = 0;
        for (unsigned i = 0; !rc && i < p; i++)
            rc = hitl_buf_append_str(b, "[");
        if (!rc)
            rc = hitl_buf_append_str(b, valid);
        for (unsigned i = 0; !rc && i < p; i++)
            rc = hitl_buf_append_str(b, "]");
        return rc;
    }
    case FZ_K_HUGE: {
        int rc = hitl_buf_append_str(b, "\"");
        for (unsigned i = 0; !rc && i < (unsigned)p * 1024u; i++)
            rc = hitl_buf_append(b, "A", 1);
        return rc ? rc : hitl_buf_append_str(b, "\"");
    }
    case FZ_K_MAPPING: {
        const char *m = MAPPINGS[p % NMAPPINGS];
        if (m)
            return hitl_buf_append_str(b, m);
        const char *fm = c->file_mapping ? c->file_mapping : "{}";
        return p % NMAPPINGS == 6 ? hitl_buf_printf(b, "[%s]", fm) : hitl_buf_append_str(b, fm);
    }
    case FZ_K_OTHER:
    case FZ_K_VALID:
    case FZ_K_OMIT:
    case FZ_K__COUNT:
        break;
    }
    return hitl_buf_append_str(b, valid);
}

/* The value an OTHER edit puts in input |in|: the neighbour's file, another option, or the
 * valid value. */
static char *other_value(const fz_submit_ctx *c, const hitl_form_input *in, const char *valid,
                         uint8_t p)
{
    char *out = NULL;
    if (in->type == HITL_INPUT_FILE && c->other_mapping)
        out = strdup(c->other_mapping);
    else if (in->type == HITL_INPUT_FILE_LIST && c->other_mapping) {
        size_t n = strlen(c->other_mapping) + 3;
        out = malloc(n);
        if (out)
            snprintf(out, n, "[%s]", c->other_mapping);
    } else if (in->type == HITL_INPUT_SELECT && in->options.value.count) {
        cJSON *s = cJSON_CreateString(in->options.value.items[p % in->options.value.count]);
        out = s ? cJSON_PrintUnformatted(s) : NULL;
        cJSON_Delete(s);
    }
    return out ? out : strdup(valid);
}

static void reason(char *reject, size_t cap, const char *why)
{
    if (!reject[0])
        snprintf(reject, cap, "%s", why);
}

/* What the contract says of an edit of input |in|: the reason a target must reject it, or
 * NULL when the harness cannot be sure (duplicates, paragraphs take any value, …). */
static const char *input_reject(const fz_submit_ctx *c, const hitl_form_input *in, const slot *s,
                                const char *valid)
{
    if (s->kind == FZ_K_OMIT)
        return "a required input is missing";
    bool select_checked = in->type == HITL_INPUT_SELECT && in->options.type &&
                          strcmp(in->options.type, "constant") == 0;
    if (select_checked) {
        switch (s->kind) {
        case FZ_K_SUFFIX:
            /* "low\u0000": a C server's JSON library may cut the value at the NUL and see
             * "low"; whether that is a bug depends on the language, not the contract. */
            return s->param % NSUFFIXES == 1 ? NULL : "a select value outside its options";
        case FZ_K_PALETTE:
        case FZ_K_NUMBER:
        case FZ_K_LITERAL:
        case FZ_K_REPEAT:
        case FZ_K_HUGE:
        case FZ_K_MAPPING:
            return "a select value outside its options";
        case FZ_K_CASE: {
            char *f = case_flip(valid, s->param & 1);
            bool changed = f && strcmp(f, valid) != 0;
            free(f);
            return changed ? "a select value outside its options (differs only in case)" : NULL;
        }
        case FZ_K_NEST:
            return s->param ? "a select value outside its options" : NULL;
        default:
            return NULL;
        }
    }
    if (in->type == HITL_INPUT_FILE || in->type == HITL_INPUT_FILE_LIST) {
        if (s->kind == FZ_K_OTHER)
            return c->other_form_files_accepted ? NULL : "an upload_file_id of another form";
        if (s->kind == FZ_K_MAPPING &&
            (s->param % NMAPPINGS < 6 ||
             (in->type == HITL_INPUT_FILE_LIST && s->param % NMAPPINGS == 7)))
            return "an invalid file mapping";
    }
    return NULL;
}

static int write_action(const fz_submit_ctx *c, const fz_rec *r, const slot *as, hitl_buf *b,
                        char *reject, size_t cap)
{
    if (as->edited) {
        if (as->kind == FZ_K_OMIT) {
            reason(reject, cap, "the action is missing");
            return 0;
        }
        char valid[160];
        snprintf(valid, sizeof valid, "\"%s\"", c->action);
        if (as->kind == FZ_K_OTHER) {
            return hitl_buf_printf(b, ",\"action\":\"%s\"", c->other_action);
        }
        if (as->kind == FZ_K_DUPLICATE) {
            int rc = hitl_buf_append_str(b, ",\"action\":");
            rc = rc ? rc : put_value(c, b, as, valid, false);
            return rc ? rc : hitl_buf_printf(b, ",\"action\":%s", valid);
        }
        int rc = hitl_buf_append_str(b, ",\"action\":");
        rc = rc ? rc : put_value(c, b, as, valid, false);
        bool nul_suffix = as->kind == FZ_K_SUFFIX && as->param % NSUFFIXES == 1; /* see above */
        if (as->kind != FZ_K_VALID && !(as->kind == FZ_K_NEST && as->param == 0) && !nul_suffix) {
            char *f = as->kind == FZ_K_CASE ? case_flip(valid, as->param & 1) : NULL;
            if (as->kind != FZ_K_CASE || f)
                reason(reject, cap, "an action not among the form's actions");
            free(f);
        }
        return rc;
    }
    switch (r->p[0] % 8u) {
    case 1:
        return hitl_buf_printf(b, ",\"action\":\"%s\"", c->other_action);
    case 2: {
        char valid[160];
        snprintf(valid, sizeof valid, "\"%s\"", c->action);
        char *f = case_flip(valid, 1);
        int rc = hitl_buf_printf(b, ",\"action\":%s", f ? f : valid);
        if (f)
            reason(reject, cap, "an action not among the form's actions");
        free(f);
        return rc;
    }
    case 3:
        reason(reject, cap, "the action is missing");
        return 0;
    case 4:
        reason(reject, cap, "an action that is not a string");
        return hitl_buf_append_str(b, ",\"action\":1");
    case 5:
        reason(reject, cap, "an action not among the form's actions");
        return hitl_buf_append_str(b, ",\"action\":\"delete\"");
    case 6:
        reason(reject, cap, "an action not among the form's actions");
        return hitl_buf_append_str(b, ",\"action\":\"\"");
    case 7: /* no claim: a NUL-cut "approve" is a language's matter (see input_reject) */
        return hitl_buf_printf(b, ",\"action\":\"%s\\u0000\"", c->action);
    default:
        return hitl_buf_printf(b, ",\"action\":\"%s\"", c->action);
    }
}

static int write_user(const fz_submit_ctx *c, const fz_rec *r, hitl_buf *b, char *reject,
                      size_t cap)
{
    if (!c->user)
        return 0;
    switch (r->p[1] % 5u) {
    case 1:
        reason(reject, cap, "the Service API user is missing");
        return 0;
    case 2:
        return hitl_buf_printf(b, ",\"user\":\"%s-other\"", c->user);
    case 3: {
        int rc = hitl_buf_append_str(b, ",\"user\":\"");
        for (int i = 0; !rc && i < 300; i++)
            rc = hitl_buf_append(b, "u", 1);
        return rc ? rc : hitl_buf_append_str(b, "\"");
    }
    case 4:
        return hitl_buf_append_str(b, ",\"user\":7");
    default:
        return hitl_buf_printf(b, ",\"user\":\"%s\"", c->user);
    }
}

int fz_submit_write(const fz_submit_ctx *c, const fz_rec *r, hitl_buf *out, char *reject,
                    size_t reject_cap, uint32_t *kinds)
{
    size_t n = c->form->n_inputs;
    /* Slots: each input, an unknown extra input, the whole `inputs` value, the action. */
    size_t nslots = n + 3;
    slot *slots = calloc(nslots, sizeof *slots);
    if (!slots)
        return HITL_E_NOMEM;
    reject[0] = '\0';
    *kinds = 0;
    for (unsigned e = 0; e < FZ_EDITS; e++) {
        const uint8_t *ed = r->p + 2 + 3 * e;
        if (!ed[0])
            continue;
        slot *s = &slots[(ed[0] - 1u) % nslots];
        s->edited = true;
        s->kind = (fz_kind)(ed[1] % FZ_K__COUNT);
        s->param = ed[2];
        *kinds |= 1u << s->kind;
    }
    int rc = hitl_buf_append_str(out, "{\"inputs\":");
    const slot *inputs_slot = &slots[n + 1];
    bool inputs_literal = inputs_slot->edited && inputs_slot->kind != FZ_K_VALID &&
                          inputs_slot->kind != FZ_K_DUPLICATE && inputs_slot->kind != FZ_K_OTHER;
    if (inputs_literal) {
        /* `inputs` itself replaced: everything but an object (or an object without the
         * inputs) is rejected (§7.2). */
        if (inputs_slot->kind == FZ_K_NEST && inputs_slot->param == 0) {
            inputs_literal = false;
        } else if (inputs_slot->kind != FZ_K_CASE && inputs_slot->kind != FZ_K_SUFFIX) {
            reason(reject, reject_cap, "inputs is not an object of the form's inputs");
            if (inputs_slot->kind == FZ_K_OMIT) {
                /* no `inputs` key at all: another key holds the object's place */
                hitl_buf_reset(out);
                rc = hitl_buf_append_str(out, "{\"inputs_missing\":true");
            } else if (inputs_slot->kind == FZ_K_NEST) {
                inputs_literal = false; /* written below, around the object */
            } else {
                rc = rc ? rc : put_value(c, out, inputs_slot, "{}", false);
            }
        } else {
            inputs_literal = false;
        }
    }
    if (!inputs_literal) {
        unsigned depth =
            inputs_slot->edited && inputs_slot->kind == FZ_K_NEST ? inputs_slot->param : 0;
        if (!rc && inputs_slot->edited && inputs_slot->kind == FZ_K_DUPLICATE) {
            /* `inputs` twice: a hostile value first, then the object (parsers keep either) */
            rc = hitl_buf_append_str(out, PALETTE[inputs_slot->param % NPALETTE]);
            rc = rc ? rc : hitl_buf_append_str(out, ",\"inputs\":");
        }
        for (unsigned i = 0; !rc && i < depth; i++)
            rc = hitl_buf_append_str(out, "[");
        rc = rc ? rc : hitl_buf_append_str(out, "{");
        bool first = true;
        for (size_t i = 0; !rc && i < n; i++) {
            const hitl_form_input *in = &c->form->inputs[i];
            const char *name = in->output_variable_name ? in->output_variable_name : "";
            const slot *s = &slots[i];
            const char *valid = c->valid[i] ? c->valid[i] : "\"\"";
            bool file = in->type == HITL_INPUT_FILE || in->type == HITL_INPUT_FILE_LIST;
            if (s->edited) {
                const char *why = input_reject(c, in, s, valid);
                if (why)
                    reason(reject, reject_cap, why);
            }
            if (s->edited && s->kind == FZ_K_OMIT)
                continue;
            cJSON *key = cJSON_CreateString(name);
            char *qname = key ? cJSON_PrintUnformatted(key) : NULL;
            cJSON_Delete(key);
            if (!qname) {
                rc = HITL_E_NOMEM;
                break;
            }
            rc = hitl_buf_printf(out, "%s%s:", first ? "" : ",", qname);
            first = false;
            if (!rc && s->edited && s->kind == FZ_K_DUPLICATE) {
                bool valid_first = s->param & 0x80;
                slot pal = {true, FZ_K_PALETTE, s->param};
                if (valid_first)
                    rc = hitl_buf_append_str(out, valid);
                else
                    rc = put_value(c, out, &pal, valid, file);
                rc = rc ? rc : hitl_buf_printf(out, ",%s:", qname);
                if (!rc && valid_first)
                    rc = put_value(c, out, &pal, valid, file);
                else if (!rc)
                    rc = hitl_buf_append_str(out, valid);
            } else if (!rc && s->edited && s->kind == FZ_K_OTHER) {
                char *o = other_value(c, in, valid, s->param);
                rc = o ? hitl_buf_append_str(out, o) : HITL_E_NOMEM;
                free(o);
            } else if (!rc && s->edited) {
                rc = put_value(c, out, s, valid, file);
            } else if (!rc) {
                rc = hitl_buf_append_str(out, valid);
            }
            free(qname);
        }
        const slot *extra = &slots[n];
        if (!rc && extra->edited && extra->kind != FZ_K_OMIT) {
            rc = hitl_buf_printf(out, "%s\"hitlcheck_fuzz_extra\":", first ? "" : ",");
            rc = rc ? rc : put_value(c, out, extra, "\"extra\"", false);
        }
        rc = rc ? rc : hitl_buf_append_str(out, "}");
        for (unsigned i = 0; !rc && i < depth; i++)
            rc = hitl_buf_append_str(out, "]");
    }
    rc = rc ? rc : write_action(c, r, &slots[n + 2], out, reject, reject_cap);
    rc = rc ? rc : write_user(c, r, out, reject, reject_cap);
    rc = rc ? rc : hitl_buf_append_str(out, "}");
    free(slots);
    return rc;
}
