/* expect_body.h: what a check reads from the target's answers: a body or an SSE frame as
 * JSON, an object with exactly the expected keys, the §1.3 error shape, a UUID, an event
 * among a stream's frames. Internal to harness/src/checks. */
#ifndef HITL_CHECKS_EXPECT_BODY_H
#define HITL_CHECKS_EXPECT_BODY_H

#include "hitl/check.h"
#include "hitl/http.h"
#include "hitl/stream.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

/* The response body parsed as JSON (NULL when it is not JSON); free with cJSON_Delete. */
cJSON *hitl_chk_body_json(const hitl_http_response *resp);

/* A frame's data parsed as JSON, NULL when not JSON. */
cJSON *hitl_chk_frame_json(const hitl_stream_frame *f);

/* Expects |obj| to have exactly the keys in |keys| (NULL-terminated); names what is
 * missing and what is extra. |what| names the object in the message. */
bool hitl_chk_expect_keys(hitl_check_ctx *ctx, const cJSON *obj, const char *const *keys,
                          const char *what, const char *section);

/* Expects |resp| to carry a JSON object; returns it (caller frees) or NULL after a FAIL. */
cJSON *hitl_chk_expect_json_object(hitl_check_ctx *ctx, const hitl_http_response *resp,
                                   const char *what);

/* Frame index of the first frame whose event is |event| at or after |from|; SIZE_MAX if none. */
size_t hitl_chk_find_event(const hitl_stream *s, const char *event, size_t from);

/* Expects the §1.3 error shape whatever the code: HTTP |status| (0: any 4xx), a JSON object
 * body (never HTML) with `code` and `message` strings and `status` equal to the HTTP status.
 * |what| names the request in the expectation. */
bool hitl_chk_expect_error_shape(hitl_check_ctx *ctx, const hitl_http_response *resp, long status,
                                 const char *what);

/* True when |s| is a UUID in its canonical 8-4-4-4-12 hexadecimal form. */
bool hitl_chk_is_uuid(const char *s);

#endif
