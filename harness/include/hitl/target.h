/* target.h: the server under test and how to reach it: base URL, the two API bases,
 * credentials, the app mode, and the limits a run honours. Filled from the CLI flags
 * (or by the embedded run from the reference server it starts). */
#ifndef HITL_TARGET_H
#define HITL_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include "hitl/buf.h"
#include "hitl/catalog.h"
#include "hitl/err.h"

typedef enum hitl_app_mode { HITL_APP_WORKFLOW, HITL_APP_CHATFLOW } hitl_app_mode;

typedef enum hitl_upload_layout {
    HITL_LAYOUT_UNKNOWN = 0,
    HITL_LAYOUT_V1,  /* /api/form/human_input/files/upload + …/files/remote-upload */
    HITL_LAYOUT_V2,  /* /api/human-input-forms/files */
    HITL_LAYOUT_NONE /* fingerprinted: neither route answers (404/405): a build without Human
                        Input uploads, or the routes behind another prefix */
} hitl_upload_layout;

typedef struct hitl_target hitl_target;

struct hitl_target {
    char *base_url;     /* scheme://host[:port], no trailing slash */
    char *service_base; /* "/v1" */
    char *web_base;     /* "/api" */
    char *api_key;      /* the app's API key (secret) */
    hitl_app_mode app_mode;
    int surfaces;          /* bitset of hitl_surface */
    char *user;            /* the end-user id for SVC calls */
    char *inputs_json;     /* the run's `inputs` object, "{}" by default */
    long timeout_ms;       /* per request */
    long max_wait_s;       /* the longest a check may wait (expiry, windows, streams) */
    int rate_max;          /* expected WEB rate limit: rate_max requests … */
    int rate_window_s;     /* … per rate_window_s seconds */
    long global_timeout_s; /* the target's HUMAN_INPUT_GLOBAL_TIMEOUT_SECONDS; 0 = not given */
    bool strict;
    hitl_upload_layout layout; /* detected by the fingerprint; UNKNOWN before */
    char *fixture_url;         /* base URL at which the target can reach the fixture server */
    const char *source_ip_alt; /* a second loopback source address for per-IP checks, or NULL */
};

/* hitl_target_rate_pace_ms is how far apart the rate-limit checks send the requests that
 * fill a bucket: 1100 ms (each in a wall-clock second of its own, §8.1) when rate_max of
 * them and one more fit the window with 2 s to spare, else 0 (a burst). */
long hitl_target_rate_pace_ms(const hitl_target *t);

void hitl_target_init(hitl_target *t);
void hitl_target_free(hitl_target *t);

/* hitl_target_url writes "<base_url><surface base><path>" into |out| (a caller-owned
 * bounded buffer, reset first). |path| starts with '/' and is used as it stands: a path that
 * holds a value from a server is built by hitl_url_path (url.h), which encodes it. Returns
 * 0, or HITL_E_TOO_BIG when the URL passes |out|'s cap. */
int hitl_target_url(const hitl_target *t, hitl_surface surface, hitl_buf *out, const char *path);

#endif
