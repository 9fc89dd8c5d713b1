/* url.h: how a value gets into a request URL. A value a server sent (a form token, a
 * workflow run id, a task id, an upload file id, anything read from an event or a response)
 * is never pasted into a path or query: it is judged first (hitl_url_value_check) where it
 * is read from the server, and percent-encoded as one path segment or query value
 * (hitl_url_encode) by every request builder, through hitl_url_path. A hostile value then
 * can neither leave its segment ("../x", "a/b"; a literal "%2F" stays literal) nor end the
 * request line (CR, LF), and the API key a Service API request carries never travels to a
 * path the server chose.
 *
 * The one exception are the harness's own hostile probes (a 64 KiB token, a token of bytes
 * that are not UTF-8): they must reach the target as written, and go through
 * hitl_url_path_harness_raw, whose name says that nothing from a server may pass there. */
#ifndef HITL_URL_H
#define HITL_URL_H

#include <stddef.h>
#include "hitl/buf.h"
#include "hitl/err.h"

/* The longest value accepted from a server for a URL or a header. Dify's values are 36
 * (a uuid4 run id or file id) to 55 bytes (`hitl_upload_` + token_urlsafe(32)); 512 is ten
 * times that, and a path holding two such values, encoded (3 bytes per byte at worst),
 * stays far below the 8 KiB request line Dify's nginx front accepts. A longer value is no
 * identifier of this API but an attempt to fill the request line. */
#define HITL_URL_VALUE_MAX 512u

/* hitl_url_value_check judges |value|, read from a server, before any use in a URL or a
 * header. Returns 0, or HITL_E_INVALID with a message in |err| (which may be NULL) that
 * says what is wrong and where, without quoting the value (it may be a secret): NULL or
 * empty, the dot segments "." and "..", a byte below 0x20 or 0x7F (CR, LF, NUL, …), '/' or
 * '\', or more than HITL_URL_VALUE_MAX bytes. The caller prefixes the value's name
 * ("human_input_required's form_token: …"). */
int hitl_url_value_check(const char *value, hitl_err *err);

/* hitl_url_encode appends |value| to |out| percent-encoded as one path segment or query
 * value: every byte outside RFC 3986's unreserved set (A-Z a-z 0-9 - . _ ~) becomes %XX.
 * It judges nothing: the caller has (hitl_url_value_check) or chose the value itself.
 * Returns 0, or HITL_E_TOO_BIG / HITL_E_NOMEM from |out|. */
int hitl_url_encode(hitl_buf *out, const char *value);

/* hitl_url_path writes "<prefix><value, checked and encoded><suffix>" into |out| (|cap|
 * bytes, NUL-terminated): "/form/human_input/" + token + "/upload-token". |prefix| and
 * |suffix| are the harness's literal path parts. Returns 0; HITL_E_INVALID (hitl_url_value_check's
 * message) when |value| may not be used; HITL_E_TOO_BIG when the path does not fit. */
int hitl_url_path(char *out, size_t cap, const char *prefix, const char *value, const char *suffix,
                  hitl_err *err);

/* hitl_url_path_harness_raw writes "<prefix><raw><suffix>" as it stands: ONLY for a value
 * the harness chose to send raw (the hostile probes of errors.c), NEVER for anything a
 * server sent. Returns 0, or HITL_E_TOO_BIG. */
int hitl_url_path_harness_raw(char *out, size_t cap, const char *prefix, const char *raw,
                              const char *suffix);

#endif
