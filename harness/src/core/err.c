/* err.c: filling the caller-owned error struct. */
#include "hitl/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int hitl_err_set(hitl_err *err, int code, const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

int hitl_err_prefix(hitl_err *err, const char *fmt, ...)
{
    if (!err)
        return HITL_OK;
    char prefix[HITL_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    /* Build "prefix: msg" in a larger buffer, then truncate into err->msg. */
    char joined[2 * HITL_ERR_MSG_MAX + 2];
    snprintf(joined, sizeof joined, "%s: %s", prefix, err->msg);
    size_t n = strlen(joined);
    if (n >= sizeof err->msg)
        n = sizeof err->msg - 1; /* truncation is intended: the message stays bounded */
    memcpy(err->msg, joined, n);
    err->msg[n] = '\0';
    return err->code;
}

void hitl_err_clear(hitl_err *err)
{
    if (err) {
        err->code = HITL_OK;
        err->msg[0] = '\0';
    }
}

const char *hitl_status_name(int code)
{
    switch ((hitl_status)code) {
    case HITL_OK:
        return "HITL_OK";
    case HITL_E_NOMEM:
        return "HITL_E_NOMEM";
    case HITL_E_ARG:
        return "HITL_E_ARG";
    case HITL_E_TOO_LONG:
        return "HITL_E_TOO_LONG";
    case HITL_E_TOO_BIG:
        return "HITL_E_TOO_BIG";
    case HITL_E_PARSE:
        return "HITL_E_PARSE";
    case HITL_E_INVALID:
        return "HITL_E_INVALID";
    case HITL_E_IO:
        return "HITL_E_IO";
    case HITL_E_TIMEOUT:
        return "HITL_E_TIMEOUT";
    case HITL_E_NETWORK:
        return "HITL_E_NETWORK";
    case HITL_E_STATE:
        return "HITL_E_STATE";
    case HITL_E_AGAIN:
        return "HITL_E_AGAIN";
    case HITL_E_STOPPED:
        return "HITL_E_STOPPED";
    case HITL_E_UNSUPPORTED:
        return "HITL_E_UNSUPPORTED";
    }
    return "HITL_E_UNKNOWN";
}
