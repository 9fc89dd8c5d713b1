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
        cfg->fetch_timeout_ms, max_bytes,         head,
        cfg->fetch_proxy};
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

rs_remote_outcome rs_remote_outcome_of(const hitl_refserver *s, const rs_remote_file *rf)
{
    switch (rf->f.status) {
    case RS_FETCH_TOO_BIG:
        return RS_REMOTE_TOO_BIG;
    case RS_FETCH_BLOCKED:
    case RS_FETCH_BAD_URL:
        return RS_REMOTE_BLOCKED;
    case RS_FETCH_NETWORK: /* httpx.RequestError: retried like a 5xx */
        return RS_REMOTE_RETRIES;
    case RS_FETCH_OK:
        break;
    }
    long code = rf->f.http_code;
    switch (code) {
    case 200:
        return RS_REMOTE_OK;
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
        return RS_REMOTE_RETRIES;
    case 404:
    case 410:
        return RS_REMOTE_NOT_FOUND;
    case 401:
    case 403:
        /* Through squid the answer carries `Via: 1.1 … (squid/…)`, which ssrf_proxy takes
         * for squid's own refusal. */
        return s->cfg.remote_via_squid ? RS_REMOTE_SQUID_DENIED : RS_REMOTE_DENIED;
    default:
        return RS_REMOTE_OTHER_STATUS;
    }
}

/* The body as Python's resp.text shows it in a message: printable ASCII, the rest '?'. */
static void body_text(const rs_remote_file *rf, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = rf->f.body_head; *p && n + 1 < cap; p++)
        out[n++] = (*p >= 0x20 && *p < 0x7f) || *p == '\n' ? *p : '?';
    out[n] = '\0';
}

void rs_remote_error_of(const hitl_refserver *s, rs_remote_outcome outcome, const char *url,
                        const rs_remote_file *rf, rs_remote_error *out)
{
    int legacy = s->cfg.remote_errors_legacy;
    char text[sizeof rf->f.body_head];
    switch (outcome) {
    case RS_REMOTE_BLOCKED:
    case RS_REMOTE_SQUID_DENIED:
        out->status = 400;
        out->code = legacy ? "invalid_param" : "remote_file_url_blocked";
        if (legacy)
            snprintf(out->message, sizeof out->message,
                     "Access to '%.300s' was blocked by SSRF protection. The URL may point to a "
                     "private or local network address.",
                     url);
        else
            snprintf(out->message, sizeof out->message, "The remote file URL is blocked.");
        return;
    case RS_REMOTE_RETRIES:
        out->status = legacy ? 400 : 502;
        out->code = legacy ? "invalid_param" : "remote_file_unavailable";
        if (legacy)
            snprintf(out->message, sizeof out->message,
                     "Reached maximum retries (3) for URL %.300s", url);
        else
            snprintf(out->message, sizeof out->message,
                     "The remote file is temporarily unavailable.");
        return;
    case RS_REMOTE_NOT_FOUND:
    case RS_REMOTE_DENIED:
    case RS_REMOTE_OTHER_STATUS:
        if (legacy) {
            body_text(rf, text, sizeof text);
            out->status = 400;
            out->code = "remote_file_upload_error";
            snprintf(out->message, sizeof out->message, "Failed to fetch file from %.300s: %s", url,
                     text);
            return;
        }
        out->status = outcome == RS_REMOTE_NOT_FOUND ? 404
                      : outcome == RS_REMOTE_DENIED  ? 400
                                                     : 502;
        out->code = outcome == RS_REMOTE_NOT_FOUND ? "remote_file_not_found"
                    : outcome == RS_REMOTE_DENIED  ? "remote_file_access_denied"
                                                   : "remote_file_unavailable";
        snprintf(out->message, sizeof out->message, "%s",
                 outcome == RS_REMOTE_NOT_FOUND ? "The remote file was not found."
                 : outcome == RS_REMOTE_DENIED  ? "Access to the remote file was denied."
                                                : "The remote file is temporarily unavailable.");
        return;
    case RS_REMOTE_OK:
    case RS_REMOTE_TOO_BIG:
        break;
    }
    out->status = 500;
    out->code = "internal_server_error";
    snprintf(out->message, sizeof out->message, "not a remote-fetch failure");
}
