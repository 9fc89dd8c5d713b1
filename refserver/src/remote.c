/* remote.c: remote file retrieval and metadata. */
#include "remote.h"

#include "filetype.h"

#include <stdio.h>
#include <string.h>

/* describe derives the name, extension, MIME type, category and limit of what |out->f|
 * fetched from |url|. */
static void describe(const hitl_refserver_config *cfg, const char *url, rs_remote_file *out)
{
    char url_name[256];
    rs_fetch_url_name(url, url_name, sizeof url_name);
    snprintf(out->name, sizeof out->name, "%s",
             out->f.filename[0] ? out->f.filename : (url_name[0] ? url_name : "file"));
    snprintf(out->mime, sizeof out->mime, "%s", out->f.content_type);
    out->mime[strcspn(out->mime, "; ")] = '\0';
    rs_file_ext(out->name, out->ext, sizeof out->ext);
    if (!out->ext[0] && out->mime[0]) {
        const char *e = rs_file_ext_of_mime(out->mime);
        if (e && strlen(out->name) + strlen(e) + 2 <= sizeof out->name) {
            snprintf(out->ext, sizeof out->ext, "%.31s", e);
            size_t n = strlen(out->name);
            snprintf(out->name + n, sizeof out->name - n, ".%s", e);
        }
    }
    if (!out->mime[0])
        snprintf(out->mime, sizeof out->mime, "%s", rs_file_mime(out->ext));
    out->type = rs_file_type(out->ext);
    if (strcmp(out->type, "custom") == 0 && !out->ext[0])
        out->type = rs_file_type_of_mime(out->mime);
    out->limit = rs_file_limit(cfg, out->ext);
}

static rs_fetch_opts fetch_opts(const hitl_refserver_config *cfg, uint64_t max_bytes, int head)
{
    rs_fetch_opts o = {
        cfg->fetch_allow,      cfg->nfetch_allow, rs_fault_on(cfg, RS_F_SSRF_LOOPBACK),
        cfg->fetch_timeout_ms, max_bytes,         head, cfg->fetch_proxy};
    return o;
}

void rs_remote_get(const hitl_refserver *s, const char *url, int unlimited, rs_remote_file *out)
{
    const hitl_refserver_config *cfg = &s->cfg;
    memset(out, 0, sizeof *out);
    char url_name[256], ext[32];
    rs_fetch_url_name(url, url_name, sizeof url_name);
    rs_file_ext(url_name, ext, sizeof ext);
    rs_fetch_opts o = fetch_opts(
        cfg, unlimited ? 0 : (ext[0] ? rs_file_limit(cfg, ext) : rs_file_max_limit(cfg)), 0);
    rs_fetch(url, &o, &out->f);
    describe(cfg, url, out);
}

void rs_remote_head(const hitl_refserver *s, const char *url, rs_remote_file *out)
{
    const hitl_refserver_config *cfg = &s->cfg;
    memset(out, 0, sizeof *out);
    rs_fetch_opts o = fetch_opts(cfg, 0, 1);
    rs_fetch(url, &o, &out->f);
    long code = out->f.http_code;
    if (out->f.status == RS_FETCH_OK && (code == 405 || code == 501)) {
        /* HEAD unsupported: Dify's newest builds ask again with a GET for the headers. */
        o.head = 0;
        rs_fetch(url, &o, &out->f);
        code = out->f.http_code;
    }
    if (out->f.status == RS_FETCH_OK && code != 200) {
        /* Any other answer is ignored: the name and type come from the URL alone. */
        out->f.content_type[0] = '\0';
        out->f.filename[0] = '\0';
    }
    describe(cfg, url, out);
}
