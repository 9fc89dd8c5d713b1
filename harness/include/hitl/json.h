/* json.h: small shared helpers over cJSON for the form, submit and event modules:
 * bounded parsing, case-sensitive typed getters that say why a value is unusable, exact
 * int64 reads, JSON paths for problem messages ($.inputs[2].type) and short quoted
 * excerpts of hostile strings for messages. */
#ifndef HITL_JSON_H
#define HITL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "hitl/err.h"

/* Deepest nesting accepted. cJSON alone stops at CJSON_NESTING_LIMIT (1000) with a bare
 * syntax error; a lower limit, checked by the syntax scan, names the cause and keeps the
 * recursion of cJSON_Print/cJSON_Delete/cJSON_Duplicate over hostile input shallow. */
#define HITL_JSON_MAX_DEPTH 512

/* hitl_json_parse parses |len| bytes of |text| (need not be NUL-terminated) as exactly one
 * JSON value; whitespace may follow it, nothing else. The text must be strict RFC 8259
 * JSON, as Python's json reads it: cJSON's leniencies (control bytes as whitespace, raw
 * control bytes in strings, numbers like 01, +1, .5, 1.) are rejected by a syntax scan
 * before cJSON builds the tree. Returns 0 and sets *out (free it with cJSON_Delete);
 * HITL_E_TOO_BIG when len > max_len; HITL_E_PARSE for empty text, a syntax violation or
 * nesting deeper than HITL_JSON_MAX_DEPTH (the message names what and the byte offset);
 * HITL_E_NOMEM. */
int hitl_json_parse(const char *text, size_t len, size_t max_len, cJSON **out, hitl_err *err);

/* hitl_json_check is hitl_json_parse without building the value: whether |len| bytes of
 * |text| are exactly one strict JSON value, by the same syntax scan, with the same statuses
 * and messages (0, HITL_E_TOO_BIG, HITL_E_PARSE). For text whose tree nobody reads. */
int hitl_json_check(const char *text, size_t len, size_t max_len, hitl_err *err);

/* What a typed lookup found. */
typedef enum hitl_json_field {
    HITL_JSON_OK = 0,      /* present with the requested type */
    HITL_JSON_ABSENT,      /* no such key (or the container is not an object) */
    HITL_JSON_NULL,        /* present, JSON null */
    HITL_JSON_WRONG_TYPE,  /* present with another JSON type */
    HITL_JSON_NOT_INTEGER, /* a number with a fractional part, or not finite */
    HITL_JSON_INEXACT      /* an integer outside ±(2^53-1): it may have been rounded */
} hitl_json_field;

/* The getters look |key| up case-sensitively (cJSON_GetObjectItemCaseSensitive: with
 * duplicate keys the first one wins). On HITL_JSON_OK they store the value in *out;
 * otherwise *out is left untouched. Returned strings and items belong to |obj|. */
hitl_json_field hitl_json_get_string(const cJSON *obj, const char *key, const char **out);
hitl_json_field hitl_json_get_bool(const cJSON *obj, const char *key, bool *out);
hitl_json_field hitl_json_get_int64(const cJSON *obj, const char *key, int64_t *out);
hitl_json_field hitl_json_get_object(const cJSON *obj, const char *key, const cJSON **out);
hitl_json_field hitl_json_get_array(const cJSON *obj, const char *key, const cJSON **out);

/* hitl_json_int64 reads a number item as an exact integer. cJSON keeps only the double,
 * so exactness is decided on the double: it must be integral and within ±(2^53-1), the
 * range where every integer is a double and no other literal rounds onto it. A literal
 * such as 9007199254740993 therefore reads as HITL_JSON_INEXACT, never as a silently
 * rounded value. Integral spellings like 5.0 or 5e0 are accepted as 5 (the text is gone). */
hitl_json_field hitl_json_int64(const cJSON *item, int64_t *out);

/* hitl_json_text_has_nul: whether |len| bytes of JSON text hold a NUL, as a raw byte or as
 * the escape \u0000. cJSON decodes either into a NUL that ends the C string where
 * it stands, so a string value read from such text may be cut short: a reader that passes
 * the value on (into a URL, a header) refuses it instead of using the cut value. */
bool hitl_json_text_has_nul(const char *text, size_t len);

/* "string", "number", "boolean", "null", "array", "object", or "nothing" for NULL. */
const char *hitl_json_type_name(const cJSON *item);

/* A JSON path for messages, built as the validator walks: "$", "$.inputs", "$.inputs[2]",
 * "$.resolved_default_values[\"odd key\"]". Bounded: a path that would pass the buffer
 * is cut and ends in "...". Push returns a mark that pop restores. */
#define HITL_JSON_PATH_MAX 256
typedef struct hitl_json_path {
    char buf[HITL_JSON_PATH_MAX];
    size_t len;
} hitl_json_path;

void hitl_json_path_init(hitl_json_path *p);
size_t hitl_json_path_push_key(hitl_json_path *p, const char *key);
size_t hitl_json_path_push_index(hitl_json_path *p, size_t index);
void hitl_json_path_pop(hitl_json_path *p, size_t mark);

/* hitl_json_excerpt writes |s| (|len| bytes, may hold NUL or invalid UTF-8) as a quoted,
 * JSON-escaped, one-line string into |out| (always NUL-terminated), keeping at most
 * |max_bytes| input bytes and adding "..." after the quote when it cut; it never cuts
 * inside a UTF-8 sequence. Returns |out|, so it can be used as a printf argument. */
const char *hitl_json_excerpt(const char *s, size_t len, size_t max_bytes, char *out,
                              size_t out_size);

/* Number of UTF-8 code points in |s| (what Python's len() counts for valid UTF-8;
 * continuation bytes are not counted). */
size_t hitl_json_utf8_len(const char *s);

#endif
