/* request.c: reading one request (request.h). */
#include "request.h"

#include "front.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "respond.h"

const char *rs_header(rs_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *rs_query(rs_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

void rs_client_ip(rs_req *r, char *out, size_t cap)
{
    const hitl_refserver_config *cfg = &r->srv->cfg;
    if (rs_front_client_ip(r, out, cap))
        return;
    if (cfg->trust_forwarded || rs_fault_on(cfg, RS_F_TRUST_FORWARDED)) {
        const char *v = rs_header(r, "CF-Connecting-IP");
        if (!v || !*v)
            v = rs_header(r, "X-Forwarded-For");
        if (v && *v) {
            snprintf(out, cap, "%s", v);
            return;
        }
    }
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    out[0] = '\0';
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)cap);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  (socklen_t)cap);
}

cJSON *rs_parse_body(rs_req *r)
{
    if (r->body_too_big) {
        rs_reply_error(r, 413, "request_entity_too_large",
                       "The data value transmitted exceeds the capacity limit.");
        return NULL;
    }
    cJSON *o = cJSON_ParseWithLength(hitl_buf_str(&r->body), r->body.len);
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        rs_reply_bad_json(r, "The request body must be a JSON object.");
        return NULL;
    }
    return o;
}

const char *rs_json_str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}
