/* upload.c: file uploads. WEB (§6): the upload-token ladder (§6.1) decided on the first
 * access-handler call, before any body byte is read; local multipart uploads (§6.2) and
 * remote uploads (§6.3) in the v1 or v2 path layout. SVC (§6.4): POST /v1/files/upload.
 * File bytes are counted and discarded: only metadata is kept. */
#include "filetype.h"
#include "gates.h"
#include "handlers.h"
#include "planted_bugs.h"
#include "request.h"
#include "ids.h"
#include "remote.h"
#include "respond.h"
#include "state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MP_FIELD_MAX 8192
#define MP_SLACK (64u * 1024u)
#define MP_FIELDS 8

struct rs_multipart {
    struct MHD_PostProcessor *pp;
    char fields[MP_FIELDS][64]; /* distinct names of parts carrying a filename */
    int nfields;
    int have_file, in_extra_file;
    char filename[1024];
    char ctype[128];
    uint64_t file_bytes;
    hitl_buf url, user;
    int stopped; /* the body passed its cap, or the parser failed: ignore the rest */
};

static int is_remote_capable(const rs_req *r)
{
    return r->route == RS_R_WEB_REMOTE_V1 || r->route == RS_R_WEB_FILES_V2;
}

/* auth_deferred: faults that move the token check after the body. */
static int auth_deferred(const rs_req *r)
{
    return r->route != RS_R_SVC_UPLOAD &&
           (rs_fault_active(r->srv, RS_F_UPLOAD_AUTH_AFTER_BODY) ||
            (rs_fault_active(r->srv, RS_F_FETCH_BEFORE_AUTH) && is_remote_capable(r)));
}

static uint64_t body_cap(const rs_req *r)
{
    if (rs_fault_active(r->srv, RS_F_UPLOAD_SIZE_UNLIMITED))
        return 0;
    return rs_file_max_limit(&r->srv->cfg) + MP_SLACK;
}

/* upload_auth is the §6.1 ladder; 1 after answering, else the token's run is recorded. */
static int upload_auth(rs_req *r)
{
    hitl_refserver *s = r->srv;
    if (r->upload_authed)
        return 0;
    r->upload_authed = 1;
    const char *h = rs_header(r, "Authorization");
    if (!h) {
        if (rs_fault_active(r->srv, RS_F_UPLOAD_NO_AUTH))
            return 0; /* accepted, unowned */
        rs_reply_error(r, 401, "invalid_upload_token", "Upload token is required.");
        return 1;
    }
    /* Python's str.split(): runs of whitespace separate, ends are trimmed. */
    char parts[3][RS_TOKEN_MAX * 2];
    int n = 0;
    for (const char *p = h; *p && n < 3;) {
        p += strspn(p, " \t\r\n");
        size_t k = strcspn(p, " \t\r\n");
        if (!k)
            break;
        snprintf(parts[n++], sizeof parts[0], "%.*s", (int)k, p);
        p += k;
    }
    if (n != 2 && !(n > 2 && rs_fault_active(r->srv, RS_F_UPLOAD_AUTH_PARTS))) {
        rs_reply_error(r, 401, "invalid_upload_token", "Upload token is required.");
        return 1;
    }
    int scheme_ok = rs_fault_active(r->srv, RS_F_UPLOAD_SCHEME_CASE)
                        ? strcmp(parts[0], "Bearer") == 0
                        : strcasecmp(parts[0], "bearer") == 0;
    if (!scheme_ok || strncmp(parts[1], "hitl_upload_", 12) != 0) {
        rs_reply_error(r, 400, "invalid_upload_token", "Invalid upload token.");
        return 1;
    }
    char form_id[RS_ID_LEN];
    rs_state_lock(&s->state);
    rs_run *run = rs_state_upload_token_run(&s->state, parts[1], form_id);
    if (!run) {
        rs_state_unlock(&s->state);
        unsigned status = rs_fault_active(r->srv, RS_F_UPLOAD_UNKNOWN_401) ? 401 : 403;
        rs_reply_error(r, status, "invalid_upload_token", "Upload token is invalid or expired.");
        return 1;
    }
    rs_run copy = *run;
    rs_state_unlock(&s->state);
    int64_t now = rs_now_s();
    /* A token of an earlier form of the run (a two-node app moved on) belongs to a submitted
     * form. global-timeout-get-only: the upload does not look at the global deadline. */
    int earlier_form = strcmp(form_id, copy.form_id) != 0;
    rs_form_check st = earlier_form ? RS_FORM_IS_SUBMITTED
                       : rs_fault_active(r->srv, RS_F_GLOBAL_TIMEOUT_GET_ONLY)
                           ? rs_form_state_node_only(&copy, now)
                           : rs_form_state(&copy, now);
    if (st == RS_FORM_IS_SUBMITTED) {
        if (rs_fault_active(r->srv, RS_F_UPLOAD_SUBMITTED_403))
            rs_reply_error(r, 403, "invalid_upload_token", "Upload token is invalid or expired.");
        else
            rs_reply_form_submitted(r, form_id);
        return 1;
    }
    if (st == RS_FORM_IS_EXPIRED && !rs_fault_active(r->srv, RS_F_EXPIRY_UPLOAD)) {
        rs_reply_form_expired(r, copy.form_id);
        return 1;
    }
    memcpy(r->upload_run_id, copy.id, sizeof r->upload_run_id);
    memcpy(r->upload_form_id, copy.form_id, sizeof r->upload_form_id);
    r->upload_app = copy.app;
    memcpy(r->upload_owner, copy.user, sizeof r->upload_owner);
    return 0;
}

static enum MHD_Result iterator(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *filename, const char *content_type,
                                const char *transfer_encoding, const char *data, uint64_t off,
                                size_t size)
{
    rs_multipart *mp = cls;
    (void)kind;
    (void)transfer_encoding;
    if (!key)
        return MHD_YES;
    if (filename) {
        int known = 0;
        for (int i = 0; i < mp->nfields; i++)
            known |= strcmp(mp->fields[i], key) == 0;
        if (!known && mp->nfields < MP_FIELDS)
            snprintf(mp->fields[mp->nfields++], sizeof mp->fields[0], "%.63s", key);
        if (strcmp(key, "file") != 0)
            return MHD_YES;
        if (off == 0) {
            /* werkzeug's MultiDict: a second part named `file` is not request.files["file"] */
            mp->in_extra_file = mp->have_file;
            if (!mp->have_file) {
                mp->have_file = 1;
                snprintf(mp->filename, sizeof mp->filename, "%s", filename);
                snprintf(mp->ctype, sizeof mp->ctype, "%s", content_type ? content_type : "");
            }
        }
        if (!mp->in_extra_file)
            mp->file_bytes += size;
        return MHD_YES;
    }
    hitl_buf *dst = strcmp(key, "url") == 0    ? &mp->url
                    : strcmp(key, "user") == 0 ? &mp->user
                                               : NULL;
    if (dst && off == 0 && dst->len) /* a repeated field: the first one wins */
        dst = NULL;
    if (dst && size && hitl_buf_append(dst, data, size))
        mp->stopped = 1;
    return MHD_YES;
}

int rs_upload_begin(rs_req *r)
{
    if (r->route == RS_R_SVC_UPLOAD) {
        rs_auth who = rs_auth_app(r);
        if (who.status != RS_AUTH_APP)
            return 1;
        r->upload_app = who.app;
    } else if (!auth_deferred(r) && upload_auth(r)) {
        return 1;
    }
    if (r->route == RS_R_WEB_REMOTE_V1)
        return 0; /* JSON body {"url"}: collected in r->body */
    uint64_t cap = body_cap(r);
    const char *cl = rs_header(r, "Content-Length");
    if (cap && cl && strtoull(cl, NULL, 10) > cap) {
        rs_reply_error(r, 413, "file_too_large", "File size exceeded.");
        return 1;
    }
    r->mp = calloc(1, sizeof *r->mp);
    if (!r->mp)
        return 0; /* answered as no_file_uploaded later */
    hitl_buf_init(&r->mp->url, MP_FIELD_MAX);
    hitl_buf_init(&r->mp->user, MP_FIELD_MAX);
    r->mp->pp = MHD_create_post_processor(r->conn, 64 * 1024, iterator, r->mp);
    return 0;
}

void rs_upload_feed(rs_req *r, const char *data, size_t len)
{
    if (r->route == RS_R_WEB_REMOTE_V1) {
        if (!r->body_too_big && hitl_buf_append(&r->body, data, len))
            r->body_too_big = 1;
        return;
    }
    rs_multipart *mp = r->mp;
    if (!mp || mp->stopped)
        return;
    uint64_t cap = body_cap(r);
    if (cap && r->body_seen > cap) {
        r->body_too_big = 1;
        mp->stopped = 1;
        return;
    }
    if (mp->pp && MHD_post_process(mp->pp, data, len) != MHD_YES)
        mp->stopped = 1;
}

void rs_upload_req_free(rs_req *r)
{
    if (!r->mp)
        return;
    if (r->mp->pp)
        MHD_destroy_post_processor(r->mp->pp);
    hitl_buf_free(&r->mp->url);
    hitl_buf_free(&r->mp->user);
    free(r->mp);
    r->mp = NULL;
}

/* owner_uuid gives an end user a stable uuid-shaped id for created_by. */
static void owner_uuid(const char *owner, char out[RS_ID_LEN])
{
    uint64_t h1 = 1469598103934665603ull, h2 = 0x9e3779b97f4a7c15ull;
    for (const unsigned char *p = (const unsigned char *)owner; *p; p++) {
        h1 = (h1 ^ *p) * 1099511628211ull;
        h2 = (h2 ^ *p) * 0x100000001b3ull + 0x7f4a7c15ull;
    }
    snprintf(out, RS_ID_LEN, "%08x-%04x-4%03x-a%03x-%012llx", (unsigned)(h1 >> 32),
             (unsigned)(h1 >> 16) & 0xffffu, (unsigned)h1 & 0xfffu, (unsigned)(h2 >> 52) & 0xfffu,
             (unsigned long long)(h2 & 0xffffffffffffull));
}

/* record stores the upload and answers 201 with FileResponse (local) or FileWithSignedUrl
 * (remote, |url| non-NULL). */
static enum MHD_Result record(rs_req *r, const char *owner, const char *name, const char *ext,
                              const char *mime, uint64_t size, const char *url)
{
    hitl_refserver *s = r->srv;
    rs_upload *u = calloc(1, sizeof *u);
    if (!u)
        return MHD_NO;
    rs_uuid4(u->id);
    snprintf(u->name, sizeof u->name, "%s", name);
    snprintf(u->ext, sizeof u->ext, "%s", ext);
    snprintf(u->mime, sizeof u->mime, "%s", mime);
    snprintf(u->file_type, sizeof u->file_type, "%s", rs_file_standardize(ext, mime));
    snprintf(u->owner, sizeof u->owner, "%s", owner);
    if (r->route != RS_R_SVC_UPLOAD)
        snprintf(u->form_id, sizeof u->form_id, "%s", r->upload_form_id);
    if (url)
        snprintf(u->source_url, sizeof u->source_url, "%s", url);
    u->app = r->upload_app;
    u->size = size + (rs_fault_active(r->srv, RS_F_UPLOAD_SIZE_WRONG) ? 1 : 0);
    u->created_at = rs_now_s();
    rs_upload copy = *u;
    rs_state_lock(&s->state);
    int rc = rs_state_add_upload(&s->state, u, s->cfg.max_uploads);
    rs_state_unlock(&s->state);
    if (rc)
        return MHD_NO;
    char by[RS_ID_LEN];
    owner_uuid(copy.owner, by);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", copy.id);
    cJSON_AddStringToObject(o, "name", copy.name);
    cJSON_AddNumberToObject(o, "size", (double)copy.size);
    cJSON_AddStringToObject(o, "extension", copy.ext);
    if (url) {
        char signed_url[256];
        char nonce[24];
        rs_token_urlsafe(nonce, sizeof nonce, "", 8);
        snprintf(signed_url, sizeof signed_url,
                 "http://%s:%u/files/%s/file-preview?timestamp=%lld&nonce=%s&sign=unsigned",
                 s->cfg.listen, (unsigned)s->port, copy.id, (long long)copy.created_at, nonce);
        cJSON_AddStringToObject(o, "url", signed_url);
    }
    cJSON_AddStringToObject(o, "mime_type", copy.mime);
    cJSON_AddStringToObject(o, "created_by", by);
    cJSON_AddNumberToObject(o, "created_at", (double)copy.created_at);
    if (!url) {
        char key[320];
        snprintf(key, sizeof key, "upload_files/%s/%s.%s", s->tenant_id, copy.id, copy.ext);
        cJSON_AddNullToObject(o, "preview_url");
        cJSON_AddNullToObject(o, "source_url");
        cJSON_AddNullToObject(o, "original_url");
        cJSON_AddStringToObject(o, "user_id", by);
        cJSON_AddStringToObject(o, "tenant_id", s->tenant_id);
        cJSON_AddNullToObject(o, "conversation_id");
        cJSON_AddStringToObject(o, "file_key", key);
    }
    return rs_reply_json(r, 201, o);
}

static enum MHD_Result too_large(rs_req *r)
{
    return rs_reply_error(r, 413, "file_too_large", "File size exceeded.");
}

/* local_too_big: the local upload's body passed its cap, or its file passed the limit of
 * its extension's category (§6.2). */
static int local_too_big(const rs_req *r)
{
    if (r->body_too_big)
        return 1;
    if (!r->mp || !r->mp->have_file || rs_fault_active(r->srv, RS_F_UPLOAD_SIZE_UNLIMITED))
        return 0;
    char ext[32];
    rs_file_ext(r->mp->filename, ext, sizeof ext);
    return r->mp->file_bytes > rs_file_limit(&r->srv->cfg, ext);
}

static enum MHD_Result local(rs_req *r)
{
    const hitl_refserver_config *cfg = &r->srv->cfg;
    rs_multipart *mp = r->mp;
    int svc = r->route == RS_R_SVC_UPLOAD;
    if (r->body_too_big)
        return too_large(r);
    if (svc && (!mp || !mp->user.len))
        return rs_reply_error(r, 400, "invalid_param", "Arg user must be provided.");
    if (svc && mp->user.len >= RS_USER_MAX)
        return rs_reply_error(r, 400, "invalid_param", "user must be at most %d characters",
                              RS_USER_MAX - 1);
    if (!mp || !mp->have_file)
        return rs_reply_error(r, 400, "no_file_uploaded", "Please upload your file.");
    if (mp->nfields > 1)
        return rs_reply_error(r, 400, "too_many_files", "Only one file is allowed.");
    /* The Service API refuses a file part without a MIME type before it looks at the name
     * (api/controllers/service_api/app/file.py, index file id 54898991934: `if not
     * file.mimetype: raise UnsupportedFileTypeError()`); the WEB route has no such check. */
    if (svc && !mp->ctype[0] && !rs_fault_active(r->srv, RS_F_SVC_UPLOAD_NO_MIME_ACCEPTED))
        return rs_reply_error(r, 415, "unsupported_file_type", "File type not allowed.");
    if (!mp->filename[0])
        return rs_reply_error(r, 400, "filename_not_exists_error",
                              "The specified filename does not exist.");
    if (rs_bugs_drop_filename(cfg, mp->filename))
        return MHD_NO; /* the planted bug: the connection is dropped, nothing answered */
    if (rs_file_name_invalid(mp->filename) &&
        !rs_fault_active(r->srv, RS_F_UPLOAD_FILENAME_UNCHECKED))
        return rs_reply_error(r, 400, "invalid_param", "Filename contains invalid characters");
    char ext[32];
    rs_file_ext(mp->filename, ext, sizeof ext);
    if (rs_file_blacklisted(cfg, ext) && !rs_fault_active(r->srv, RS_F_UPLOAD_BLACKLIST_IGNORED)) {
        if (svc)
            return rs_reply_error(r, 400, "invalid_param",
                                  "File extension '.%s' is not allowed for security reasons", ext);
        return rs_reply_error(r, 400, "file_extension_blocked",
                              "The file extension is blocked for security reasons.");
    }
    if (mp->file_bytes > rs_file_limit(cfg, ext) &&
        !rs_fault_active(r->srv, RS_F_UPLOAD_SIZE_UNLIMITED))
        return too_large(r);
    char name[256];
    if (strlen(mp->filename) > 200) /* FileService truncates long names, keeping the extension */
        snprintf(name, sizeof name, "%.*s.%s", 200 - (int)strlen(ext) - 1, mp->filename, ext);
    else
        snprintf(name, sizeof name, "%.255s", mp->filename);
    const char *mime = mp->ctype[0] ? mp->ctype : rs_file_mime(ext);
    return record(r, svc ? hitl_buf_str(&mp->user) : r->upload_owner, name, ext, mime,
                  mp->file_bytes, NULL);
}

static enum MHD_Result remote(rs_req *r, const char *url)
{
    const hitl_refserver_config *cfg = &r->srv->cfg;
    int legacy = cfg->remote_errors_legacy;
    if (!rs_fetch_url_ok(url))
        return legacy ? rs_reply_error(r, 400, "invalid_param", "url: Input should be a valid URL")
                      : rs_reply_error(r, 400, "remote_file_invalid_url",
                                       "The remote file URL is invalid.");
    rs_remote_file rf;
    rs_remote_get(r->srv, url, rs_fault_active(r->srv, RS_F_REMOTE_OVERSIZE_ACCEPTED), &rf);
    if (auth_deferred(r) && upload_auth(r)) /* fetch-before-auth: the fetch already happened */
        return MHD_YES;
    rs_remote_outcome outcome = rs_remote_outcome_of(r->srv, &rf);
    if (outcome == RS_REMOTE_TOO_BIG)
        return too_large(r);
    /* remote-404-accepted: any answer that arrived is taken for the file. */
    if (outcome != RS_REMOTE_OK &&
        !(rf.f.status == RS_FETCH_OK && rs_fault_active(r->srv, RS_F_REMOTE_404_ACCEPTED))) {
        rs_remote_error e;
        rs_remote_error_of(r->srv, outcome, url, &rf, &e);
        return rs_reply_error(r, e.status, e.code, "%s", e.message);
    }
    if (strpbrk(rf.name, "/\\"))
        return legacy ? rs_reply_error(r, 400, "remote_file_upload_error",
                                       "Failed to fetch file from %.300s: bad filename", url)
                      : rs_reply_error(r, 502, "remote_file_invalid_response",
                                       "The remote file response is invalid.");
    if (rs_file_blacklisted(cfg, rf.ext))
        return rs_reply_error(r, 400, "file_extension_blocked",
                              "The file extension is blocked for security reasons.");
    if (rf.f.size > rf.limit && !rs_fault_active(r->srv, RS_F_REMOTE_OVERSIZE_ACCEPTED))
        return too_large(r);
    return record(r, r->upload_owner, rf.name, rf.ext, rf.mime, rf.f.size, url);
}

enum MHD_Result rs_upload_finish(rs_req *r)
{
    if (r->route == RS_R_WEB_REMOTE_V1) {
        if (rs_fault_active(r->srv, RS_F_UPLOAD_AUTH_AFTER_BODY) && upload_auth(r))
            return MHD_YES;
        cJSON *body = rs_parse_body(r);
        if (!body)
            return MHD_YES;
        const char *url = rs_json_str(body, "url");
        enum MHD_Result rc =
            url ? remote(r, url) : rs_reply_error(r, 400, "invalid_param", "url: Field required");
        cJSON_Delete(body);
        return rc;
    }
    int remote_v2 = r->route == RS_R_WEB_FILES_V2 && r->mp && r->mp->url.len;
    /* upload-auth-after-body: the body is judged first, its size against the file's own
     * category limit included, so an oversize unauthenticated file gets 413 (contract §6.1.8). */
    if (rs_fault_active(r->srv, RS_F_UPLOAD_AUTH_AFTER_BODY) && !remote_v2 && local_too_big(r))
        return too_large(r);
    /* upload-auth-after-body checks every upload here; fetch-before-auth only remote ones. */
    if (auth_deferred(r) && (rs_fault_active(r->srv, RS_F_UPLOAD_AUTH_AFTER_BODY) || !remote_v2) &&
        upload_auth(r))
        return MHD_YES;
    if (remote_v2)
        return remote(r, hitl_buf_str(&r->mp->url));
    return local(r);
}
