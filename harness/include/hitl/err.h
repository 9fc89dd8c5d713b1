/* err.h: the status codes every hitlcheck function returns, and the caller-owned error
 * struct that carries the one human message describing a failure (curl's failf()). */
#ifndef HITL_ERR_H
#define HITL_ERR_H

#include <stddef.h>

/* 0 is success; every failure is negative. Parsers distinguish "feed me more"
 * (HITL_E_AGAIN) from "bad input" (HITL_E_PARSE), as picohttpparser does. */
typedef enum hitl_status {
    HITL_OK = 0,
    HITL_E_NOMEM = -1,       /* an allocation failed */
    HITL_E_ARG = -2,         /* a caller passed an invalid argument or option */
    HITL_E_TOO_LONG = -3,    /* a line exceeded its cap */
    HITL_E_TOO_BIG = -4,     /* a body, event or buffer exceeded its cap */
    HITL_E_PARSE = -5,       /* malformed input (JSON, SSE field, HTTP) */
    HITL_E_INVALID = -6,     /* well-formed input that breaks the contract (validation) */
    HITL_E_IO = -7,          /* a file or socket operation failed */
    HITL_E_TIMEOUT = -8,     /* a bounded wait ran out */
    HITL_E_NETWORK = -9,     /* the peer could not be reached or broke the connection */
    HITL_E_STATE = -10,      /* the call is not valid in the object's current state */
    HITL_E_AGAIN = -11,      /* incomplete: more input is needed */
    HITL_E_STOPPED = -12,    /* a callback asked to stop */
    HITL_E_UNSUPPORTED = -13 /* the operation is not available in this build or target */
} hitl_status;

#define HITL_ERR_MSG_MAX 512

/* One failure, described once by the place that detected it. Zero-initialise it
 * (`hitl_err err = {0};`) or call hitl_err_clear() before use. */
typedef struct hitl_err {
    int code;                   /* a hitl_status, HITL_OK when no error was set */
    char msg[HITL_ERR_MSG_MAX]; /* NUL-terminated, truncated to fit */
} hitl_err;

/* hitl_err_set records |code| and a printf-style message into |err| (which may be NULL)
 * and returns |code|, so a failing path can write `return hitl_err_set(err, …);`. */
int hitl_err_set(hitl_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* hitl_err_prefix prepends "<prefix>: " to an existing message, for context added on
 * the way up (e.g. a file name in front of a parser's message). Returns err->code. */
int hitl_err_prefix(hitl_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void hitl_err_clear(hitl_err *err);

/* hitl_status_name returns a stable identifier such as "HITL_E_TOO_LONG". */
const char *hitl_status_name(int code);

#endif
