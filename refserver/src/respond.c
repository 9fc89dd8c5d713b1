/* respond.c: response helpers. Error bodies are built with cJSON so every message is
 * escaped correctly whatever bytes a client put in it. */
#include "respond.h"

#include "front.h"
#include "stream.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum MHD_Result rs_queue(rs_req *r, unsigned status, struct MHD_Response *resp)
{
    r->answered = 1;
    rs_front_decorate(r->srv, resp);
    if (r->defer && !r->deferred) {
        r->deferred = resp;
        r->deferred_status = status;
        return MHD_YES;
    }
    enum MHD_Result rc = MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
    return rc;
}

enum MHD_Result rs_reply(rs_req *r, unsigned status, const char *ctype, const void *body,
                         size_t len)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    if (ctype)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    return rs_queue(r, status, resp);
}

enum MHD_Result rs_reply_stream(rs_req *r, const rs_stream_opts *o, const char *ctype)
{
    struct MHD_Response *resp = rs_hub_open(r->srv->hub, r->conn, o);
    if (!resp)
        return rs_reply_error(r, 429, "too_many_requests",
                              "Too many requests. Please try again later.");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    return rs_queue(r, 200, resp);
}

enum MHD_Result rs_reply_json(rs_req *r, unsigned status, cJSON *obj)
{
    char *txt = obj ? cJSON_PrintUnformatted(obj) : NULL;
    cJSON_Delete(obj);
    if (!txt) {
        static const char oom[] = "{\"code\":\"internal_server_error\",\"message\":\"Internal "
                                  "Server Error.\",\"status\":500}";
        return rs_reply(r, 500, "application/json", oom, sizeof oom - 1);
    }
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(txt), txt, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(txt);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    return rs_queue(r, status, resp);
}

enum MHD_Result rs_reply_error(rs_req *r, unsigned status, const char *code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cJSON *o = cJSON_CreateObject();
    if (o) {
        cJSON_AddStringToObject(o, "code", code);
        cJSON_AddStringToObject(o, "message", msg);
        if (!rs_fault_active(r->srv, RS_F_ERROR_NO_STATUS))
            cJSON_AddNumberToObject(o, "status", status);
    }
    enum MHD_Result rc = rs_reply_json(r, status, o);
    return rc;
}

enum MHD_Result rs_reply_bad_json(rs_req *r, const char *what)
{
    if (rs_fault_active(r->srv, RS_F_ERROR_HTML)) {
        static const char page[] =
            "<!doctype html>\n<html lang=en>\n<title>400 Bad Request</title>\n"
            "<h1>Bad Request</h1>\n<p>The browser (or proxy) sent a request that this server "
            "could not understand.</p>\n";
        return rs_reply(r, 400, "text/html; charset=utf-8", page, sizeof page - 1);
    }
    return rs_reply_error(r, 400, "invalid_param", "%s", what);
}

enum MHD_Result rs_reply_form_not_found(rs_req *r)
{
    if (rs_fault_active(r->srv, RS_F_UNKNOWN_TOKEN_400))
        return rs_reply_error(r, 400, "invalid_param", "Invalid form token");
    return rs_reply_error(r, 404, "not_found", "Form not found");
}

enum MHD_Result rs_reply_form_submitted(rs_req *r, const char *form_id)
{
    return rs_reply_error(r, 412, "human_input_form_submitted",
                          "This form has already been submitted by another user, form_id=%s",
                          form_id);
}

enum MHD_Result rs_reply_form_expired(rs_req *r, const char *form_id)
{
    return rs_reply_error(r, 412, "human_input_form_expired", "This form has expired, form_id=%s",
                          form_id);
}

enum MHD_Result rs_reply_rate_limited(rs_req *r)
{
    return rs_reply_error(r, 429, "web_form_rate_limit_exceeded",
                          "Too many form requests. Please try again later.");
}
