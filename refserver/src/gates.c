/* gates.c: the app key and the WEB rate limiters (gates.h). */
#include "gates.h"

#include "ratelimit.h"
#include "request.h"
#include "respond.h"

#include <stdio.h>
#include <string.h>

rs_auth rs_auth_app(rs_req *r)
{
    const hitl_refserver_config *cfg = &r->srv->cfg;
    const char *h = rs_header(r, "Authorization");
    if (!h || strncmp(h, "Bearer ", 7) != 0) {
        rs_reply_error(r, 401, "unauthorized",
                       "Authorization header must be provided and start with 'Bearer'");
        return (rs_auth){.status = RS_AUTH_REFUSED, .app = -1};
    }
    const char *key = h + 7;
    while (*key == ' ')
        key++;
    for (size_t i = 0; i < cfg->napps; i++)
        if (strcmp(cfg->apps[i].key, key) == 0)
            return (rs_auth){.status = RS_AUTH_APP, .app = (int)i};
    rs_reply_error(r, 401, "unauthorized", "Access token is invalid");
    return (rs_auth){.status = RS_AUTH_REFUSED, .app = -1};
}

bool rs_auth_owns(const rs_auth *who, int app)
{
    return who->status == RS_AUTH_ANY_APP || (who->status == RS_AUTH_APP && who->app == app);
}

bool rs_web_limited(rs_req *r, int bucket)
{
    hitl_refserver *s = r->srv;
    const hitl_refserver_config *cfg = &s->cfg;
    if (cfg->rate_max == 0 || rs_fault_on(cfg, RS_F_NO_RATE_LIMIT))
        return false;
    if (rs_fault_on(cfg, RS_F_SHARED_BUCKETS))
        bucket = RS_RL_GET;
    char ip[256];
    if (rs_fault_on(cfg, RS_F_GLOBAL_BUCKET))
        snprintf(ip, sizeof ip, "*");
    else
        rs_client_ip(r, ip, sizeof ip);
    if (!rs_ratelimit_hit(s->rl[bucket], ip, rs_now_ms(), rs_fault_on(cfg, RS_F_COUNT_429S)))
        return false;
    rs_reply_rate_limited(r);
    return true;
}
