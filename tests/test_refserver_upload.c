/* test_refserver_upload.c: upload tokens (§5), the upload auth ladder (§6.1), local (§6.2)
 * and remote (§6.3) uploads in both path layouts, SSRF refusals, SVC uploads (§6.4). */
#include "refserver_client.h"

#include "../refserver/src/api/fetch.h"

#include <arpa/inet.h>
#include "check_main.h"
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static rst_server ts;
static rst_fixture fx;

/* subst copies |pat| into |out| with its first "@" replaced by |val| (test tables use "@"
 * instead of a printf directive so formats stay literal). */
static void subst(char *out, size_t cap, const char *pat, const char *val)
{
    const char *at = strchr(pat, '@');
    if (!at)
        snprintf(out, cap, "%s", pat);
    else
        snprintf(out, cap, "%.*s%s%s", (int)(at - pat), pat, val, at + 1);
}

static void start_cfg(hitl_refserver_config *cfg)
{
    rst_start(&ts, cfg);
}

static void start_default(void)
{
    hitl_refserver_config cfg;
    rst_config(&cfg);
    start_cfg(&cfg);
}

/* post_file uploads |size| bytes named |filename| under field |field| with |auth|. */
static void post_file(rst_resp *r, const char *path, const char *auth, const char *field,
                      const char *filename, size_t size)
{
    char *data = malloc(size + 1);
    memset(data, 'x', size);
    data[size] = '\0';
    rst_part part = {field, filename, data, size, NULL};
    rst_opts o = {.url = rst_url(&ts, "%s", path), .headers = auth, .parts = &part, .nparts = 1};
    if (size == 0)
        part.data = "";
    rst_do(&o, r);
    free(data);
}

START_TEST(upload_token_shape_and_expiry)
{
    start_default();
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    rst_resp r;
    rst_post(&r, rst_url(&ts, "/api/form/human_input/%s/upload-token", run.token), NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    cJSON *o = rst_json(&r);
    const char *tok = rst_str(o, "upload_token");
    ck_assert_ptr_nonnull(tok);
    ck_assert_int_eq(strncmp(tok, "hitl_upload_", 12), 0);
    ck_assert_int_eq(strlen(tok), 12 + 43);
    ck_assert_int_eq(strspn(tok + 12, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                      "0123456789-_"),
                     43);
    ck_assert(rst_num(o, "expires_at") == (double)run.expiration);
    cJSON_Delete(o);
    rst_resp_free(&r);
    rst_post(&r, rst_url(&ts, "/api/form/human_input/nope/upload-token"), NULL, NULL);
    rst_assert_error(&r, 404, "not_found", "Form not found");
    rst_resp_free(&r);
    rst_post(&r, rst_url(&ts, "/v1/form/human_input/%s/upload-token", run.token), RST_AUTH_WF,
             NULL);
    ck_assert_int_eq(r.status, 404); /* no upload-token route on SVC */
    rst_resp_free(&r);
    rst_stop(&ts);
}
END_TEST

START_TEST(each_call_mints_a_new_token_and_all_stay_valid)
{
    start_default();
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    char t1[128], t2[128], id[64];
    rst_upload_token(&ts, run.token, t1, sizeof t1);
    rst_upload_token(&ts, run.token, t2, sizeof t2);
    ck_assert_str_ne(t1, t2);
    rst_upload(&ts, t1, "a.pdf", 10, id, sizeof id);
    rst_upload(&ts, t2, "b.pdf", 10, id, sizeof id);
    rst_upload(&ts, t1, "c.pdf", 10, id, sizeof id);
    rst_stop(&ts);
}
END_TEST

typedef struct auth_case {
    const char *header; /* NULL: none; "@" is replaced by a valid token */
    long status;
    const char *message;
} auth_case;

static const auth_case AUTH_CASES[] = {
    {NULL, 401, "Upload token is required."},
    {"Authorization: Bearer", 401, "Upload token is required."},
    {"Authorization: Bearer a b", 401, "Upload token is required."},
    {"Authorization: Bearer @ extra", 401, "Upload token is required."},
    {"Authorization: Basic @", 400, "Invalid upload token."},
    {"Authorization: Bearer abc", 400, "Invalid upload token."},
    {"Authorization: Bearer hitl_upload_doesnotexist", 403, "Upload token is invalid or expired."},
    {"Authorization: bearer @", 201, NULL},
    {"Authorization: BEARER   @", 201, NULL},
};

START_TEST(upload_auth_ladder)
{
    const auth_case *c = &AUTH_CASES[_i];
    start_default();
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    char tok[128], hdr[256];
    rst_upload_token(&ts, run.token, tok, sizeof tok);
    if (c->header)
        subst(hdr, sizeof hdr, c->header, tok);
    rst_resp r;
    post_file(&r, "/api/human-input-forms/files", c->header ? hdr : NULL, "file", "a.pdf", 5);
    if (c->status == 201)
        ck_assert_msg(r.status == 201, "%s: %ld %s", c->header, r.status, r.body);
    else
        rst_assert_error(&r, c->status, "invalid_upload_token", c->message);
    rst_resp_free(&r);
    rst_stop(&ts);
}
END_TEST

START_TEST(auth_is_checked_before_the_body)
{
    hitl_refserver_config cfg;
    rst_config(&cfg);
    cfg.image_limit = cfg.file_limit = cfg.video_limit = cfg.audio_limit = 1024;
    start_cfg(&cfg);
    rst_resp r;
    /* 1 MiB: over every limit and over limit + slack, unauthenticated */
    post_file(&r, "/api/human-input-forms/files", NULL, "file", "a.pdf", 1u << 20);
    rst_assert_error(&r, 401, "invalid_upload_token", NULL);
    rst_resp_free(&r);
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    char tok[128], hdr[256];
    rst_upload_token(&ts, run.token, tok, sizeof tok);
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", tok);
    post_file(&r, "/api/human-input-forms/files", hdr, "file", "a.pdf", 1u << 20);
    rst_assert_error(&r, 413, "file_too_large", NULL);
    rst_resp_free(&r);
    rst_stop(&ts);
}
END_TEST

typedef struct local_case {
    const char *what;
    const char *field, *filename;
    size_t size;
    long status;
    const char *code;
} local_case;

static const local_case LOCAL_CASES[] = {
    {"plain field, no file", "note", NULL, 3, 400, "no_file_uploaded"},
    {"file part under another name", "upload", "a.pdf", 3, 400, "no_file_uploaded"},
    {"empty filename", "file", "", 3, 400, "filename_not_exists_error"},
    {"slash", "file", "a/b.pdf", 3, 400, "invalid_param"},
    {"backslash", "file", "a\\b.pdf", 3, 400, "invalid_param"},
    {"colon", "file", "a:b.pdf", 3, 400, "invalid_param"},
    {"star", "file", "a*b.pdf", 3, 400, "invalid_param"},
    {"question", "file", "a?b.pdf", 3, 400, "invalid_param"},
    /* a double quote cannot be sent: curl (like browsers) encodes it as %22 in filename="" */
    {"less", "file", "a<b.pdf", 3, 400, "invalid_param"},
    {"greater", "file", "a>b.pdf", 3, 400, "invalid_param"},
    {"pipe", "file", "a|b.pdf", 3, 400, "invalid_param"},
    {"blacklisted", "file", "run.EXE", 3, 400, "file_extension_blocked"},
    {"image over 2K", "file", "p.png", 2049, 413, "file_too_large"},
    {"image at 2K", "file", "p.png", 2048, 201, NULL},
    {"document over 4K", "file", "d.pdf", 4097, 413, "file_too_large"},
    {"document at 4K", "file", "d.pdf", 4096, 201, NULL},
    {"unknown type uses the file limit", "file", "d.bin", 4097, 413, "file_too_large"},
    {"empty file", "file", "e.txt", 0, 201, NULL},
};

START_TEST(local_upload_rules)
{
    const local_case *c = &LOCAL_CASES[_i];
    hitl_refserver_config cfg;
    rst_config(&cfg);
    cfg.image_limit = 2048;
    cfg.file_limit = 4096;
    snprintf(cfg.blacklist[0], sizeof cfg.blacklist[0], "exe");
    cfg.nblacklist = 1;
    start_cfg(&cfg);
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    char tok[128], hdr[256];
    rst_upload_token(&ts, run.token, tok, sizeof tok);
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", tok);
    rst_resp r;
    post_file(&r, "/api/human-input-forms/files", hdr, c->field, c->filename, c->size);
    if (c->status != 201) {
        rst_assert_error(&r, c->status, c->code, NULL);
    } else {
        ck_assert_msg(r.status == 201, "%s: %ld %s", c->what, r.status, r.body);
        cJSON *o = rst_json(&r);
        ck_assert(rst_num(o, "size") == (double)c->size);
        ck_assert_str_eq(rst_str(o, "name"), c->filename);
        ck_assert_int_eq(strlen(rst_str(o, "id")), 36);
        ck_assert(rst_num(o, "created_at") > 0);
        ck_assert_ptr_nonnull(rst_str(o, "mime_type"));
        cJSON_Delete(o);
    }
    rst_resp_free(&r);
    rst_stop(&ts);
}
END_TEST

START_TEST(two_file_fields_are_too_many)
{
    start_default();
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    char tok[128], hdr[256];
    rst_upload_token(&ts, run.token, tok, sizeof tok);
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", tok);
    rst_part parts[] = {{"file", "a.pdf", "aaa", 0, NULL}, {"other", "b.pdf", "bbb", 0, NULL}};
    rst_opts o = {.url = rst_url(&ts, "/api/human-input-forms/files"),
                  .headers = hdr,
                  .parts = parts,
                  .nparts = 2};
    rst_resp r;
    rst_do(&o, &r);
    rst_assert_error(&r, 400, "too_many_files", "Only one file is allowed.");
    rst_resp_free(&r);
    rst_part same[] = {{"file", "a.pdf", "aaa", 0, NULL}, {"file", "b.pdf", "bbbbbb", 0, NULL}};
    o.parts = same;
    rst_do(&o, &r); /* two parts with one name count once; the first is the file */
    ck_assert_int_eq(r.status, 201);
    cJSON *j = rst_json(&r);
    ck_assert_str_eq(rst_str(j, "name"), "a.pdf");
    ck_assert(rst_num(j, "size") == 3);
    cJSON_Delete(j);
    rst_resp_free(&r);
    rst_stop(&ts);
}
END_TEST

START_TEST(v1_layout_paths)
{
    hitl_refserver_config cfg;
    rst_config(&cfg);
    cfg.upload_layout = 1;
    rst_fixture_start(&fx, 16);
    rst_allow(&cfg, fx.port);
    start_cfg(&cfg);
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    char tok[128], hdr[256], id[64];
    rst_upload_token(&ts, run.token, tok, sizeof tok);
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", tok);
    rst_upload(&ts, tok, "a.pdf", 5, id, sizeof id); /* /api/form/human_input/files/upload */
    rst_resp r;
    post_file(&r, "/api/human-input-forms/files", hdr, "file", "a.pdf", 5);
    ck_assert_int_eq(r.status, 404);
    rst_resp_free(&r);
    char body[256];
    snprintf(body, sizeof body, "{\"url\":\"http://127.0.0.1:%u/doc.pdf\"}", (unsigned)fx.port);
    rst_post(&r, rst_url(&ts, "/api/form/human_input/files/remote-upload"), hdr, body);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    cJSON *o = rst_json(&r);
    ck_assert_str_eq(rst_str(o, "name"), "doc.pdf");
    ck_assert(rst_num(o, "size") == 2048);
    ck_assert_ptr_nonnull(rst_str(o, "url"));
    cJSON_Delete(o);
    rst_resp_free(&r);
    rst_post(&r, rst_url(&ts, "/api/form/human_input/files/remote-upload"), hdr, "{}");
    rst_assert_error(&r, 400, "invalid_param", NULL);
    rst_resp_free(&r);
    rst_stop(&ts);
    rst_fixture_stop(&fx);
}
END_TEST

START_TEST(v2_layout_has_no_v1_paths)
{
    start_default();
    rst_resp r;
    post_file(&r, "/api/form/human_input/files/upload", NULL, "file", "a.pdf", 5);
    ck_assert_int_eq(r.status, 404);
    rst_resp_free(&r);
    rst_post(&r, rst_url(&ts, "/api/form/human_input/files/remote-upload"), NULL,
             "{\"url\":\"x\"}");
    ck_assert_int_eq(r.status, 404);
    rst_resp_free(&r);
    rst_stop(&ts);
}
END_TEST

/* One answer: status, code and, when not NULL, the message's start ("%U" stands for the
 * URL uploaded). */
typedef struct remote_answer {
    long status;
    const char *code;
    const char *prefix;
} remote_answer;

/* The remote-upload error table of dify-B §4: the newest build's RemoteFileService mapping
 * and the legacy inline code (v1 and early v2 controllers over the ValueError-based
 * ssrf_proxy), each fetched directly and through Dify's squid SSRF proxy (an origin 401/403
 * then carries Via: squid and is an SSRF block). */
typedef struct remote_case {
    const char *path; /* on the fixture; "!refused" = an allowed port nobody listens on */
    remote_answer newest, legacy, squid, squid_legacy;
} remote_case;

#define OK201                                                                                      \
    {                                                                                              \
        201, NULL, NULL                                                                            \
    }
#define RETRIES "Reached maximum retries (3) for URL %U"
#define FAILED "Failed to fetch file from %U: "
#define BLOCKED "Access to '%U' was blocked by SSRF protection."
static const remote_case REMOTE_CASES[] = {
    {"/doc.pdf", OK201, OK201, OK201, OK201},
    {"/photo.png", OK201, OK201, OK201, OK201},
    {"/missing.pdf",
     {404, "remote_file_not_found", "The remote file was not found."},
     {400, "remote_file_upload_error", FAILED},
     {404, "remote_file_not_found", NULL},
     {400, "remote_file_upload_error", FAILED}},
    {"/forbidden.pdf",
     {400, "remote_file_access_denied", "Access to the remote file was denied."},
     {400, "remote_file_upload_error", FAILED},
     {400, "remote_file_url_blocked", NULL},
     {400, "invalid_param", BLOCKED}},
    {"/broken.pdf",
     {502, "remote_file_unavailable", "The remote file is temporarily unavailable."},
     {400, "invalid_param", RETRIES},
     {502, "remote_file_unavailable", NULL},
     {400, "invalid_param", RETRIES}},
    {"!refused",
     {502, "remote_file_unavailable", NULL},
     {400, "invalid_param", RETRIES},
     {502, "remote_file_unavailable", NULL},
     {400, "invalid_param", RETRIES}},
    {"/big.pdf",
     {413, "file_too_large", NULL},
     {413, "file_too_large", NULL},
     {413, "file_too_large", NULL},
     {413, "file_too_large", NULL}},
    {"/evil.exe",
     {400, "file_extension_blocked", NULL},
     {400, "file_extension_blocked", NULL},
     {400, "file_extension_blocked", NULL},
     {400, "file_extension_blocked", NULL}},
    {"!ftp",
     {400, "remote_file_invalid_url", NULL},
     {400, "invalid_param", NULL},
     {400, "remote_file_invalid_url", NULL},
     {400, "invalid_param", NULL}},
};

/* |legacy|: the legacy mapping; |squid|: fetches through squid. */
static void remote_case_run(int legacy, int squid, const remote_case *c)
{
    hitl_refserver_config cfg;
    rst_config(&cfg);
    cfg.remote_errors_legacy = legacy;
    cfg.remote_via_squid = squid;
    cfg.file_limit = 4096;
    snprintf(cfg.blacklist[0], sizeof cfg.blacklist[0], "exe");
    cfg.nblacklist = 1;
    rst_fixture_start(&fx, 8192);
    rst_allow(&cfg, fx.port);
    uint16_t dead;
    close(rst_listener(&dead)); /* a port that refuses connections */
    rst_allow(&cfg, dead);
    start_cfg(&cfg);
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    char tok[128], hdr[256], url[256];
    rst_upload_token(&ts, run.token, tok, sizeof tok);
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", tok);
    if (strcmp(c->path, "!refused") == 0)
        snprintf(url, sizeof url, "http://127.0.0.1:%u/doc.pdf", (unsigned)dead);
    else if (strcmp(c->path, "!ftp") == 0)
        snprintf(url, sizeof url, "ftp://127.0.0.1:%u/doc.pdf", (unsigned)fx.port);
    else
        snprintf(url, sizeof url, "http://127.0.0.1:%u%s", (unsigned)fx.port, c->path);
    rst_part part = {"url", NULL, url, 0, NULL};
    rst_opts o = {.url = rst_url(&ts, "/api/human-input-forms/files"),
                  .headers = hdr,
                  .parts = &part,
                  .nparts = 1};
    rst_resp r;
    rst_do(&o, &r);
    const remote_answer *want =
        squid ? (legacy ? &c->squid_legacy : &c->squid) : (legacy ? &c->legacy : &c->newest);
    if (want->status == 201) {
        ck_assert_msg(r.status == 201, "%s: %ld %s", c->path, r.status, r.body);
        cJSON *j = rst_json(&r);
        ck_assert_ptr_nonnull(rst_str(j, "url"));
        ck_assert_ptr_nonnull(rst_str(j, "mime_type"));
        cJSON_Delete(j);
    } else {
        rst_assert_error(&r, want->status, want->code, NULL);
        if (want->prefix) {
            char prefix[512];
            const char *at = strstr(want->prefix, "%U");
            if (at)
                snprintf(prefix, sizeof prefix, "%.*s%s%s", (int)(at - want->prefix), want->prefix,
                         url, at + 2);
            else
                snprintf(prefix, sizeof prefix, "%s", want->prefix);
            cJSON *j = rst_json(&r);
            const char *msg = rst_str(j, "message");
            ck_assert_msg(msg && !strncmp(msg, prefix, strlen(prefix)),
                          "%s: message \"%s\", want \"%s…\"", c->path, msg ? msg : "(none)",
                          prefix);
            cJSON_Delete(j);
        }
    }
    rst_resp_free(&r);
    rst_stop(&ts);
    rst_fixture_stop(&fx);
}

START_TEST(remote_upload_newest_mapping)
{
    remote_case_run(0, 0, &REMOTE_CASES[_i]);
}
END_TEST

START_TEST(remote_upload_legacy_mapping)
{
    remote_case_run(1, 0, &REMOTE_CASES[_i]);
}
END_TEST

START_TEST(remote_upload_newest_through_squid)
{
    remote_case_run(0, 1, &REMOTE_CASES[_i]);
}
END_TEST

START_TEST(remote_upload_legacy_through_squid)
{
    remote_case_run(1, 1, &REMOTE_CASES[_i]);
}
END_TEST

START_TEST(ssrf_refused_before_connecting)
{
    hitl_refserver_config cfg;
    rst_config(&cfg);
    rst_fixture_start(&fx, 16);
    rst_allow(&cfg, fx.port); /* the fixture is allowed; the silent listener is not */
    start_cfg(&cfg);
    uint16_t silent;
    int lfd = rst_listener(&silent);
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    char tok[128], hdr[256], url[512];
    rst_upload_token(&ts, run.token, tok, sizeof tok);
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", tok);
    /* Loopback spellings only: if the check ever broke, nothing may leave the machine.
     * Private, link-local and metadata ranges are covered by address_classification. */
    const char *targets[] = {"http://127.0.0.1:@/x.pdf",  "http://localhost:@/x.pdf",
                             "http://[::1]:@/x.pdf",      "http://[::ffff:127.0.0.1]:@/x.pdf",
                             "http://0.0.0.0:@/x.pdf",    "http://127.0.0.2:@/x.pdf",
                             "http://2130706433:@/x.pdf", "REDIRECT"};
    char port[16];
    snprintf(port, sizeof port, "%u", (unsigned)silent);
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        if (strcmp(targets[i], "REDIRECT") == 0) /* allowed first hop, blocked second */
            snprintf(url, sizeof url, "http://127.0.0.1:%u/redirect?to=http://127.0.0.1:%u/x.pdf",
                     (unsigned)fx.port, (unsigned)silent);
        else
            subst(url, sizeof url, targets[i], port);
        rst_part part = {"url", NULL, url, 0, NULL};
        rst_opts o = {.url = rst_url(&ts, "/api/human-input-forms/files"),
                      .headers = hdr,
                      .parts = &part,
                      .nparts = 1};
        rst_resp r;
        rst_do(&o, &r);
        rst_assert_error(&r, 400, "remote_file_url_blocked", NULL);
        rst_resp_free(&r);
    }
    ck_assert_int_eq(rst_fixture_hits(&fx), 1); /* the redirect's first hop only */
    ck_assert_msg(!rst_listener_connected(lfd, 100), "a refused address was connected to");
    close(lfd);
    rst_stop(&ts);
    rst_fixture_stop(&fx);
}
END_TEST

START_TEST(invalid_token_never_fetches)
{
    hitl_refserver_config cfg;
    rst_config(&cfg);
    rst_fixture_start(&fx, 16);
    rst_allow(&cfg, fx.port);
    cfg.upload_layout = 1;
    start_cfg(&cfg);
    char body[256];
    snprintf(body, sizeof body, "{\"url\":\"http://127.0.0.1:%u/doc.pdf\"}", (unsigned)fx.port);
    rst_resp r;
    rst_post(&r, rst_url(&ts, "/api/form/human_input/files/remote-upload"),
             "Authorization: Bearer hitl_upload_nope", body);
    rst_assert_error(&r, 403, "invalid_upload_token", NULL);
    rst_resp_free(&r);
    ck_assert_int_eq(rst_fixture_hits(&fx), 0);
    rst_stop(&ts);
    rst_fixture_stop(&fx);
}
END_TEST

/* --fetch-proxy: every fetch goes to the proxy (the fixture plays squid), the refserver's own
 * address check stands aside (127.0.0.1:1 would be refused and unreachable without it), an
 * environment no_proxy does not route around it, and a 401/403 naming squid in Server or Via
 * is remote_file_url_blocked while an origin's plain 403 stays remote_file_access_denied. */
typedef struct proxy_case {
    const char *path;
    long status;
    const char *code; /* NULL = 201 */
} proxy_case;

static const proxy_case PROXY_CASES[] = {
    {"/doc.pdf", 201, NULL},
    {"/squid-denied.pdf", 400, "remote_file_url_blocked"},
    {"/squid-via-403.pdf", 400, "remote_file_url_blocked"},
    {"/forbidden.pdf", 400, "remote_file_access_denied"},
    {"/missing.pdf", 404, "remote_file_not_found"},
};

START_TEST(fetch_proxy_carries_every_fetch)
{
    const proxy_case *c = &PROXY_CASES[_i];
    setenv("no_proxy", "127.0.0.1,localhost", 1);
    setenv("NO_PROXY", "127.0.0.1,localhost", 1);
    hitl_refserver_config cfg;
    rst_config(&cfg);
    rst_fixture_start(&fx, 16);
    snprintf(cfg.fetch_proxy, sizeof cfg.fetch_proxy, "http://127.0.0.1:%u", (unsigned)fx.port);
    start_cfg(&cfg);
    rst_run run;
    rst_start_run(&ts, RST_WF_KEY, "u1", &run);
    char tok[128], hdr[256], url[256];
    rst_upload_token(&ts, run.token, tok, sizeof tok);
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", tok);
    snprintf(url, sizeof url, "http://127.0.0.1:1%s", c->path);
    rst_part part = {"url", NULL, url, 0, NULL};
    rst_opts o = {.url = rst_url(&ts, "/api/human-input-forms/files"),
                  .headers = hdr,
                  .parts = &part,
                  .nparts = 1};
    rst_resp r;
    rst_do(&o, &r);
    if (c->code)
        rst_assert_error(&r, c->status, c->code, NULL);
    else
        ck_assert_msg(r.status == 201, "%s: %ld %s", c->path, r.status, r.body);
    rst_resp_free(&r);
    ck_assert_int_eq(rst_fixture_proxied(&fx), 1);
    ck_assert_int_eq(rst_fixture_hits(&fx), 1);
    rst_stop(&ts);
    rst_fixture_stop(&fx);
}
END_TEST

typedef struct addr_case {
    const char *ip;
    int blocked;
} addr_case;

static const addr_case ADDRS[] = {
    {"127.0.0.1", 1},
    {"127.255.0.9", 1},
    {"10.1.2.3", 1},
    {"172.16.0.1", 1},
    {"172.31.255.255", 1},
    {"172.32.0.1", 0},
    {"192.168.0.1", 1},
    {"169.254.169.254", 1},
    {"0.0.0.0", 1},
    {"100.64.0.1", 1},
    {"224.0.0.1", 1},
    {"255.255.255.255", 1},
    {"8.8.8.8", 0},
    {"93.184.216.34", 0},
    {"::1", 1},
    {"::", 1},
    {"fe80::1", 1},
    {"fc00::1", 1},
    {"fd12::1", 1},
    {"ff02::1", 1},
    {"::ffff:127.0.0.1", 1},
    {"::ffff:10.0.0.1", 1},
    {"::ffff:8.8.8.8", 0},
    {"64:ff9b::a00:1", 1},
    {"::127.0.0.1", 1},
    {"2606:4700::1111", 0},
    {"2001:db8::1", 1},
};

START_TEST(address_classification)
{
    const addr_case *c = &ADDRS[_i];
    struct sockaddr_storage ss = {0};
    if (strchr(c->ip, ':')) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        ck_assert_int_eq(inet_pton(AF_INET6, c->ip, &s6->sin6_addr), 1);
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        s4->sin_family = AF_INET;
        ck_assert_int_eq(inet_pton(AF_INET, c->ip, &s4->sin_addr), 1);
    }
    ck_assert_msg(rs_fetch_addr_blocked((struct sockaddr *)&ss, 0) == c->blocked, "%s", c->ip);
}
END_TEST

START_TEST(svc_files_upload)
{
    hitl_refserver_config cfg;
    rst_config(&cfg);
    snprintf(cfg.blacklist[0], sizeof cfg.blacklist[0], "exe");
    cfg.nblacklist = 1;
    start_cfg(&cfg);
    rst_resp r;
    post_file(&r, "/v1/files/upload", NULL, "file", "a.pdf", 5);
    rst_assert_error(&r, 401, "unauthorized", NULL);
    rst_resp_free(&r);
    post_file(&r, "/v1/files/upload", RST_AUTH_WF, "file", "a.pdf", 5);
    rst_assert_error(&r, 400, "invalid_param", "Arg user must be provided.");
    rst_resp_free(&r);
    /* libcurl guesses no type for .exe: the part goes without Content-Type, which the
     * Service API refuses (415) before it looks at the name (contract §6.4.2). */
    rst_part parts[] = {{"user", NULL, "u1", 0, NULL}, {"file", "a.exe", "MZ", 0, NULL}};
    rst_opts o = {.url = rst_url(&ts, "/v1/files/upload"),
                  .headers = RST_AUTH_WF,
                  .parts = parts,
                  .nparts = 2};
    rst_do(&o, &r);
    rst_assert_error(&r, 415, "unsupported_file_type", "File type not allowed.");
    rst_resp_free(&r);
    /* Typed, the blacklisted extension is refused as invalid_param (contract §6.4.3). */
    parts[1].content_type = "application/octet-stream";
    rst_do(&o, &r);
    rst_assert_error(&r, 400, "invalid_param",
                     "File extension '.exe' is not allowed for security reasons");
    rst_resp_free(&r);
    parts[1].content_type = NULL;
    parts[1].filename = "a.pdf";
    rst_do(&o, &r);
    ck_assert_int_eq(r.status, 201);
    cJSON *j = rst_json(&r);
    ck_assert(rst_num(j, "size") == 2);
    ck_assert_str_eq(rst_str(j, "extension"), "pdf");
    ck_assert_str_eq(rst_str(j, "mime_type"), "application/pdf");
    cJSON_Delete(j);
    rst_resp_free(&r);
    rst_stop(&ts);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("refserver_upload");
    TCase *tc = tcase_create("upload");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, upload_token_shape_and_expiry);
    tcase_add_test(tc, each_call_mints_a_new_token_and_all_stay_valid);
    tcase_add_loop_test(tc, upload_auth_ladder, 0, (int)(sizeof AUTH_CASES / sizeof AUTH_CASES[0]));
    tcase_add_test(tc, auth_is_checked_before_the_body);
    tcase_add_loop_test(tc, local_upload_rules, 0,
                        (int)(sizeof LOCAL_CASES / sizeof LOCAL_CASES[0]));
    tcase_add_test(tc, two_file_fields_are_too_many);
    tcase_add_test(tc, v1_layout_paths);
    tcase_add_test(tc, v2_layout_has_no_v1_paths);
    tcase_add_loop_test(tc, remote_upload_newest_mapping, 0,
                        (int)(sizeof REMOTE_CASES / sizeof REMOTE_CASES[0]));
    tcase_add_loop_test(tc, remote_upload_legacy_mapping, 0,
                        (int)(sizeof REMOTE_CASES / sizeof REMOTE_CASES[0]));
    tcase_add_loop_test(tc, remote_upload_newest_through_squid, 0,
                        (int)(sizeof REMOTE_CASES / sizeof REMOTE_CASES[0]));
    tcase_add_loop_test(tc, remote_upload_legacy_through_squid, 0,
                        (int)(sizeof REMOTE_CASES / sizeof REMOTE_CASES[0]));
    tcase_add_test(tc, ssrf_refused_before_connecting);
    tcase_add_test(tc, invalid_token_never_fetches);
    tcase_add_loop_test(tc, fetch_proxy_carries_every_fetch, 0,
                        (int)(sizeof PROXY_CASES / sizeof PROXY_CASES[0]));
    tcase_add_loop_test(tc, address_classification, 0, (int)(sizeof ADDRS / sizeof ADDRS[0]));
    tcase_add_test(tc, svc_files_upload);
    suite_add_tcase(s, tc);
    return s;
}

HITL_CHECK_MAIN(suite)
