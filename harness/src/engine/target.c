/* target.c: the target description and URL building. */
#include "hitl/target.h"

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

long hitl_target_rate_pace_ms(const hitl_target *t)
{
    return (long)t->rate_max * 1100L + 2000L <= (long)t->rate_window_s * 1000L ? 1100L : 0L;
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

int hitl_target_url(const hitl_target *t, hitl_surface surface, hitl_buf *out, const char *path)
{
    hitl_buf_reset(out);
    const char *base = surface == HITL_SURFACE_WEB ? t->web_base : t->service_base;
    int rc = hitl_buf_append_str(out, t->base_url ? t->base_url : "");
    rc = rc ? rc : hitl_buf_append_str(out, base ? base : "");
    return rc ? rc : hitl_buf_append_str(out, path ? path : "");
}
