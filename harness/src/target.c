/* target.c: the target description and URL building. */
#include "hitl/target.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hitl_target_init(hitl_target *t)
{
    memset(t, 0, sizeof *t);
    t->service_base = strdup("/v1");
    t->web_base = strdup("/api");
    t->user = strdup("hitlcheck-user");
    t->inputs_json = strdup("{}");
    t->app_mode = HITL_APP_WORKFLOW;
    t->surfaces = HITL_SURFACE_SERVICE | HITL_SURFACE_WEB;
    t->timeout_ms = 30000;
    t->max_wait_s = 90;
    t->rate_max = 30;
    t->rate_window_s = 60;
}

void hitl_target_free(hitl_target *t)
{
    free(t->base_url);
    free(t->service_base);
    free(t->web_base);
    free(t->api_key);
    free(t->user);
    free(t->inputs_json);
    free(t->fixture_url);
    memset(t, 0, sizeof *t);
}

int hitl_target_url(const hitl_target *t, hitl_surface surface, hitl_buf *out, const char *fmt, ...)
{
    hitl_buf_reset(out);
    const char *base = surface == HITL_SURFACE_WEB ? t->web_base : t->service_base;
    int rc = hitl_buf_printf(out, "%s%s", t->base_url ? t->base_url : "", base ? base : "");
    if (rc)
        return rc;
    char path[8192];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(path, sizeof path, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof path)
        return HITL_E_TOO_BIG;
    return hitl_buf_append(out, path, (size_t)n);
}
