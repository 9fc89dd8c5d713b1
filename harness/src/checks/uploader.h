/* uploader.h: uploading files in a check, on its surface: on WEB through a live form and
 * an upload token of it, on SVC with the app key (§6). Shared by the upload-token and
 * upload areas (internal to harness/src/checks).
 *
 * Well-formed uploads go through hitl_flow_upload_local (libcurl's multipart encoder);
 * the malformed ones (no file part, two file fields, empty or hostile filenames) are
 * written by hand (hitl_uploader_post_parts), because libcurl escapes or refuses exactly
 * what they must send. */
#ifndef HITL_CHECKS_UPLOADER_H
#define HITL_CHECKS_UPLOADER_H

#include "hitl/flow.h"

#include <stdint.h>

/* What every upload token starts with (§5.1). */
#define HITL_UPLOAD_PREFIX "hitl_upload_"
#define HITL_UPLOAD_PREFIX_LEN 12

/* What a check needs to upload on its surface: on WEB a live form and an upload token of
 * it; on SVC nothing (the app key and the target's user). */
typedef struct hitl_uploader {
    bool web;
    hitl_run run;
    char *token;
} hitl_uploader;

/* 0, or non-zero after an ERROR (or the SKIP of hitl_flow_require_upload_routes);
 * hitl_uploader_close in every case. */
int hitl_uploader_open(hitl_check_ctx *ctx, hitl_uploader *u);
void hitl_uploader_close(hitl_uploader *u);

/* Uploads |len| bytes as |name| with the uploader's credentials, or with |authorization|
 * ("" = no header) on WEB. */
int hitl_uploader_send(hitl_check_ctx *ctx, const hitl_uploader *u, const char *authorization,
                       const char *name, const char *ctype, const void *data, size_t len,
                       hitl_http_response *resp);
/* Uploads the sample PDF (§6.2.1's "valid file"). */
int hitl_uploader_send_sample(hitl_check_ctx *ctx, const hitl_uploader *u,
                              const char *authorization, hitl_http_response *resp);

/* POSTs a hand-written multipart/form-data body of |parts| (a part is a file when its
 * filename is not NULL, "" included) to the surface's local-upload route with the
 * uploader's credentials; SVC adds the `user` field (§6.4). */
int hitl_uploader_post_parts(hitl_check_ctx *ctx, const hitl_uploader *u,
                             const hitl_http_part *parts, size_t n, hitl_http_response *resp);

/* Expects HTTP |status| for the request |what| (named in the expectation, with the clause
 * |section|), then the §1.3 error body with |code| (none when NULL). A front end's own page
 * is not the target's answer (hitl_check_front_page). */
bool hitl_uploader_expect_answer(hitl_check_ctx *ctx, const hitl_http_response *resp, long status,
                                 const char *code, const char *what, const char *section);

/* The number `key` of |obj| when it is an integer; |*ok| says whether it was. */
int64_t hitl_uploader_int_field(const cJSON *obj, const char *key, bool *ok);

/* Expects `key` of |obj| to be a string (non-empty when |non_empty|). */
bool hitl_uploader_expect_string_field(hitl_check_ctx *ctx, const cJSON *obj, const char *key,
                                       bool non_empty, const char *section);

#endif
