/* front.c: the answers and headers of a front end in front of the app (see front.h). */
#include "front.h"

#include "request.h"
#include "respond.h"

#include <stdio.h>
#include <string.h>

/* nginx's own 414 page, as ngx_http_special_response.c writes it (server_tokens off). */
static const char NGINX_414[] = "<html>\r\n"
                                "<head><title>414 Request-URI Too Large</title></head>\r\n"
                                "<body>\r\n"
                                "<center><h1>414 Request-URI Too Large</h1></center>\r\n"
                                "<hr><center>nginx</center>\r\n"
                                "</body>\r\n"
                                "</html>\r\n";

static int front_nginx(const hitl_refserver *s)
{
    return s->cfg.front == HITL_REFSERVER_FRONT_NGINX;
}

/* Adds the length of one query argument, as it was sent ("&k=v"), to *cls. */
static enum MHD_Result add_arg_len(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    size_t *n = cls;
    *n += 2 + strlen(key) + (value ? strlen(value) : 0);
    return MHD_YES;
}

int rs_front_intercept(rs_req *r, const char *url, const char *method)
{
    if (!front_nginx(r->srv))
        return 0;
    /* "METHOD SP request-target SP HTTP/1.1": the decoded path and arguments are no longer
     * than what was sent, so a line judged too long here was too long on the wire. */
    size_t line = strlen(method) + 1 + strlen(url) + 1 + strlen("HTTP/1.1");
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_arg_len, &line);
    if (line <= RS_FRONT_LINE_MAX)
        return 0;
    rs_reply(r, 414, "text/html", NGINX_414, sizeof NGINX_414 - 1);
    return 1;
}

void rs_front_decorate(const hitl_refserver *s, struct MHD_Response *resp)
{
    if (front_nginx(s))
        MHD_add_response_header(resp, "Server", "nginx");
}

int rs_front_client_ip(rs_req *r, char *out, size_t cap)
{
    if (!front_nginx(r->srv))
        return 0;
    /* CF-Connecting-IP passes nginx untouched and wins (extract_remote_ip); else nginx's
     * X-Forwarded-For: the client's own value, ", ", the address nginx saw. */
    const char *cf = rs_header(r, "CF-Connecting-IP");
    const char *xff = rs_header(r, "X-Forwarded-For");
    if (cf && *cf)
        snprintf(out, cap, "%s", cf);
    else if (xff && *xff)
        snprintf(out, cap, "%s, %s", xff, RS_FRONT_GATEWAY_IP);
    else
        snprintf(out, cap, "%s", RS_FRONT_GATEWAY_IP);
    return 1;
}
