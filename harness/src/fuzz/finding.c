/* finding.c: a finding on disk: <id>.json (what fired, the scenario to replay, the failing
 * request with its secrets replaced by placeholders), <id>.sh (a curl reproducer of the failing
 * request) and its body or file part (<id>.body, <id>.part). Written once per signature: the
 * file is created exclusively, so parallel jobs sharing the folder dedupe too. */
#include "hitl/fuzz_finding.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void hitl_fuzz_signature_id(const char *signature, char out[17])
{
    uint64_t h = 1469598103934665603ull;
    for (const unsigned char *p = (const unsigned char *)signature; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

static char *hex(const void *data, size_t len)
{
    char *s = malloc(len * 2 + 1);
    if (!s)
        return NULL;
    for (size_t i = 0; i < len; i++)
        snprintf(s + 2 * i, 3, "%02x", ((const unsigned char *)data)[i]);
    s[len * 2] = '\0';
    return s;
}

/* A preview a person can read: printable ASCII kept, everything else as \xNN, cut. */
static char *preview(const char *data, size_t len, size_t max)
{
    size_t cap = (len < max ? len : max) * 4 + 16;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    size_t j = 0;
    for (size_t i = 0; i < len && i < max; i++) {
        unsigned char c = (unsigned char)data[i];
        if (c >= 0x20 && c < 0x7f)
            s[j++] = (char)c;
        else
            j += (size_t)snprintf(s + j, cap - j, "\\x%02x", c);
    }
    if (len > max)
        j += (size_t)snprintf(s + j, cap - j, "…(%zu bytes)", len);
    s[j] = '\0';
    return s;
}

static int write_file(const char *path, const void *data, size_t len, int excl, int mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | (excl ? O_EXCL : O_TRUNC), mode);
    if (fd < 0)
        return errno == EEXIST ? 1 : -1;
    const char *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n <= 0) {
            close(fd);
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return close(fd) ? -1 : 0;
}

/* Single-quoted for sh. */
static void sq(hitl_buf *b, const char *s)
{
    hitl_buf_append_str(b, "'");
    for (; s && *s; s++)
        if (*s == '\'')
            hitl_buf_append_str(b, "'\\''");
        else
            hitl_buf_append(b, s, 1);
    hitl_buf_append_str(b, "'");
}

static char *reproducer(const hitl_fuzz_outcome *o, const hitl_fuzz_finding_meta *m, const char *id)
{
    hitl_buf b;
    hitl_buf_init(&b, 1u << 20);
    hitl_buf_printf(
        &b,
        "#!/bin/sh\n"
        "# hitlcheck fuzz finding %s: %s\n"
        "# %s\n"
        "# The failing request alone. To replay the whole scenario (it starts a run for a\n"
        "# live form first): hitlcheck fuzz --replay %s.json [--target URL --api-key KEY]\n"
        "# Set HITL_TARGET (the base URL; found against %s), HITL_API_KEY, and the\n"
        "# tokens the request names: FORM_TOKEN (a live form's), OTHER_FORM_TOKEN,\n"
        "# UPLOAD_TOKEN, OTHER_UPLOAD_TOKEN, RUN_ID, OTHER_FILE_ID.\n"
        "set -eu\n"
        ": \"${HITL_TARGET:?set HITL_TARGET to the target's base URL}\"\n"
        "dir=$(dirname \"$0\")\n"
        "subst() {\n"
        "  sed -e \"s|@FORM_TOKEN@|${FORM_TOKEN:-}|g\" -e "
        "\"s|@OTHER_FORM_TOKEN@|${OTHER_FORM_TOKEN:-}|g\" \\\n"
        "      -e \"s|@UPLOAD_TOKEN@|${UPLOAD_TOKEN:-}|g\" -e "
        "\"s|@OTHER_UPLOAD_TOKEN@|${OTHER_UPLOAD_TOKEN:-}|g\" \\\n"
        "      -e \"s|@API_KEY@|${HITL_API_KEY:-}|g\" -e \"s|@RUN_ID@|${RUN_ID:-}|g\" \\\n"
        "      -e \"s|@OTHER_RUN_ID@|${OTHER_RUN_ID:-}|g\" -e "
        "\"s|@OTHER_FILE_ID@|${OTHER_FILE_ID:-}|g\"\n"
        "}\n",
        id, o->signature, o->detail, id, m->target_label ? m->target_label : "?");
    hitl_buf_append_str(&b, "path=$(printf '%s' ");
    sq(&b, o->path);
    hitl_buf_append_str(&b, " | subst)\n");
    if (o->auth) {
        hitl_buf_append_str(&b, "auth=$(printf '%s' ");
        sq(&b, o->auth);
        hitl_buf_append_str(&b, " | subst)\n");
    }
    hitl_buf_append_str(&b, "send() {\n  ");
    if (o->body)
        hitl_buf_printf(&b, "subst < \"$dir/%s.body\" | ", id);
    hitl_buf_printf(&b, "curl -sS -i --max-time 30 -X %s \"$HITL_TARGET$path\"", o->method);
    if (o->auth)
        hitl_buf_append_str(&b, " -H \"Authorization: $auth\"");
    if (o->body) {
        hitl_buf_append_str(&b, " -H ");
        char ct[300];
        snprintf(ct, sizeof ct, "Content-Type: %s",
                 o->content_type ? o->content_type : "application/json");
        sq(&b, ct);
        hitl_buf_append_str(&b, " --data-binary @-");
    }
    if (o->upload_name) {
        char spec[2048];
        snprintf(spec, sizeof spec, "%s=@%s.part;filename=\"%s\"%s%s", o->upload_name, id,
                 o->upload_filename ? o->upload_filename : "", o->upload_type ? ";type=" : "",
                 o->upload_type ? o->upload_type : "");
        hitl_buf_append_str(&b, " -F ");
        sq(&b, spec);
    }
    hitl_buf_append_str(&b, "\n  echo\n}\ncd \"$dir\"\n");
    if (o->pair)
        hitl_buf_append_str(&b, "send & send & wait\n");
    else
        hitl_buf_append_str(&b, "send\n");
    return hitl_buf_release(&b);
}

int hitl_fuzz_finding_write(const char *dir, const hitl_fuzz_outcome *o, const uint8_t *data,
                            size_t len, const hitl_fuzz_finding_meta *m, char id_out[17],
                            hitl_err *err)
{
    char id[17], path[4096];
    hitl_fuzz_signature_id(o->signature, id);
    if (id_out)
        memcpy(id_out, id, sizeof id);
    cJSON *j = cJSON_CreateObject();
    char *scen_hex = hex(data, len);
    char *scen = hitl_fuzz_describe(data, len);
    cJSON_AddStringToObject(j, "id", id);
    cJSON_AddStringToObject(j, "signature", o->signature);
    cJSON_AddStringToObject(j, "oracle", o->oracle);
    cJSON_AddBoolToObject(j, "security", o->security);
    cJSON_AddStringToObject(j, "detail", o->detail);
    cJSON_AddStringToObject(j, "target", m->target_label ? m->target_label : "");
    cJSON_AddStringToObject(j, "surface", m->web ? "web" : "service");
    cJSON *bugs = cJSON_AddArrayToObject(j, "embedded_bugs");
    for (size_t i = 0; i < m->n_embedded_bugs; i++)
        cJSON_AddItemToArray(bugs, cJSON_CreateString(m->embedded_bugs[i]));
    cJSON_AddStringToObject(j, "scenario_hex", scen_hex ? scen_hex : "");
    cJSON_AddStringToObject(j, "scenario", scen ? scen : "");
    cJSON_AddNumberToObject(j, "op_index", o->op_index);
    cJSON_AddBoolToObject(j, "minimized", m->minimized);
    cJSON_AddNumberToObject(j, "found_after_s", m->found_after_s);
    cJSON_AddNumberToObject(j, "found_after_requests", (double)m->found_after_requests);
    cJSON *rq = cJSON_AddObjectToObject(j, "request");
    cJSON_AddStringToObject(rq, "method", o->method);
    cJSON_AddStringToObject(rq, "path", o->path ? o->path : "");
    if (o->auth)
        cJSON_AddStringToObject(rq, "authorization", o->auth);
    if (o->body) {
        char *pv = preview(o->body, o->body_len, 600);
        cJSON_AddStringToObject(rq, "content_type", o->content_type ? o->content_type : "");
        cJSON_AddStringToObject(rq, "body_preview", pv ? pv : "");
        cJSON_AddNumberToObject(rq, "body_bytes", (double)o->body_len);
        free(pv);
    }
    if (o->upload_name) {
        cJSON *up = cJSON_AddObjectToObject(rq, "upload");
        char *pv = preview(o->upload_filename ? o->upload_filename : "",
                           o->upload_filename ? strlen(o->upload_filename) : 0, 600);
        cJSON_AddStringToObject(up, "part", o->upload_name);
        cJSON_AddStringToObject(up, "filename", pv ? pv : "");
        cJSON_AddNumberToObject(up, "filename_bytes",
                                o->upload_filename ? (double)strlen(o->upload_filename) : 0);
        if (o->upload_type)
            cJSON_AddStringToObject(up, "content_type", o->upload_type);
        cJSON_AddNumberToObject(up, "size", (double)o->upload_size);
        free(pv);
    }
    cJSON_AddBoolToObject(rq, "two_at_once", o->pair);
    cJSON_AddNumberToObject(rq, "status", (double)o->status);
    char *txt = cJSON_Print(j);
    cJSON_Delete(j);
    free(scen_hex);
    free(scen);
    if (!txt)
        return hitl_err_set(err, HITL_E_NOMEM, "out of memory");
    snprintf(path, sizeof path, "%s/%s.json", dir, id);
    int w = write_file(path, txt, strlen(txt), 1, 0644);
    free(txt);
    if (w == 1)
        return HITL_E_STATE; /* already there: another job found it first */
    if (w)
        return hitl_err_set(err, HITL_E_IO, "cannot write %s", path);
    if (o->body) {
        snprintf(path, sizeof path, "%s/%s.body", dir, id);
        write_file(path, o->body, o->body_len, 0, 0644);
    }
    if (o->upload_name && o->upload_data) {
        snprintf(path, sizeof path, "%s/%s.part", dir, id);
        write_file(path, o->upload_data, o->upload_size, 0, 0644);
    }
    char *sh = reproducer(o, m, id);
    if (sh) {
        snprintf(path, sizeof path, "%s/%s.sh", dir, id);
        write_file(path, sh, strlen(sh), 0, 0755);
        free(sh);
    }
    return 0;
}

int hitl_fuzz_finding_load(const char *path, hitl_fuzz_finding *out, hitl_err *err)
{
    memset(out, 0, sizeof *out);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return hitl_err_set(err, HITL_E_IO, "--replay: cannot open '%s'", path);
    char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    cJSON *j = cJSON_ParseWithLength(buf, n);
    const cJSON *hx = cJSON_GetObjectItemCaseSensitive(j, "scenario_hex");
    const cJSON *sig = cJSON_GetObjectItemCaseSensitive(j, "signature");
    if (!cJSON_IsString(hx) || !cJSON_IsString(sig)) {
        cJSON_Delete(j);
        return hitl_err_set(err, HITL_E_PARSE,
                            "--replay: '%s' is not a finding file (no scenario_hex/signature)",
                            path);
    }
    size_t hl = strlen(hx->valuestring);
    for (size_t i = 0; i + 1 < hl && out->len < sizeof out->data; i += 2) {
        unsigned v;
        if (sscanf(hx->valuestring + i, "%2x", &v) != 1)
            break;
        out->data[out->len++] = (uint8_t)v;
    }
    snprintf(out->signature, sizeof out->signature, "%s", sig->valuestring);
    const cJSON *surface = cJSON_GetObjectItemCaseSensitive(j, "surface");
    out->web = cJSON_IsString(surface) && strcmp(surface->valuestring, "web") == 0;
    const cJSON *target = cJSON_GetObjectItemCaseSensitive(j, "target");
    if (cJSON_IsString(target))
        snprintf(out->target, sizeof out->target, "%s", target->valuestring);
    const cJSON *bugs = cJSON_GetObjectItemCaseSensitive(j, "embedded_bugs"), *b;
    cJSON_ArrayForEach(b, bugs) if (cJSON_IsString(b) && out->n_bugs < HITL_FUZZ_MAX_BUGS)
        snprintf(out->bugs[out->n_bugs++], sizeof out->bugs[0], "%s", b->valuestring);
    cJSON_Delete(j);
    return 0;
}
