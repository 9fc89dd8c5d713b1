/* routes.h: the route table: which path and method reach which handler. */
#ifndef RS_ROUTES_H
#define RS_ROUTES_H

#include <stdbool.h>
#include <stddef.h>

#include "handlers.h"

typedef struct rs_route_def {
    rs_route route;
    /* The path: exact, or with one `{}` that matches one non-empty path segment (the form
     * token or run id, handed to the handler as rs_req.param). */
    const char *pattern;
    rs_handler get;  /* GET and HEAD; NULL: 405 */
    rs_handler post; /* NULL: 405 */
    /* A multipart upload: auth before the body (rs_upload_begin), the body streamed to
     * rs_upload_feed instead of collected. */
    bool upload;
    /* Which --upload-layout serves it: 0 every layout, 1 or 2 that one only, 3 v1 or v2 (not
     * `none`, a build before Human Input uploads). */
    int layouts;
} rs_route_def;

/* rs_route_find returns the route |url| names under |upload_layout| (0 none, 1, 2), or NULL;
 * |param| and |plen| get the `{}` segment (pointing into |url|), or NULL and 0. */
const rs_route_def *rs_route_find(const char *url, int upload_layout, const char **param,
                                  size_t *plen);

#endif
