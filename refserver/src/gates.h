/* gates.h: the checks a request passes before its endpoint's work: the app's API key
 * (service API) and the WEB rate limiters. */
#ifndef RS_GATES_H
#define RS_GATES_H

#include <stdbool.h>

#include "rs.h"

/* Who a service-API request acts for. */
typedef enum rs_auth_status {
    RS_AUTH_REFUSED, /* a 401 was queued */
    RS_AUTH_APP,     /* the key of app |app| */
    RS_AUTH_ANY_APP  /* no app check applies (web routes; the svc-no-auth fault) */
} rs_auth_status;

typedef struct rs_auth {
    rs_auth_status status;
    int app; /* index into cfg.apps when status is RS_AUTH_APP */
} rs_auth;

/* rs_auth_app checks `Authorization: Bearer <app key>` (§4.1 order 0): RS_AUTH_APP with the
 * app's index, or RS_AUTH_REFUSED after queueing 401 `unauthorized`. */
rs_auth rs_auth_app(rs_req *r);
/* rs_auth_owns says whether |who| may act on a run of app |app|. */
bool rs_auth_owns(const rs_auth *who, int app);
/* rs_web_limited applies WEB limiter |bucket| (RS_RL_*) to this request's client; true when it
 * queued a 429. The faults no-rate-limit, shared-buckets, count-429s, global-bucket and
 * trust-forwarded act here. */
bool rs_web_limited(rs_req *r, int bucket);

#endif
