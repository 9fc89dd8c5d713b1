/* registry.c: every area's table, in catalogue order of areas. */
#include "hitl/checks.h"

#include <string.h>

typedef hitl_check_table (*table_fn)(void);

static const table_fn AREAS[] = {hitl_checks_stream, hitl_checks_form, hitl_checks_upload, hitl_checks_submit, hitl_checks_resume, hitl_checks_errors, hitl_checks_remote, hitl_checks_hostile, hitl_checks_ratelimit, hitl_checks_expiry};

size_t hitl_checks_count(void)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof AREAS / sizeof AREAS[0]; i++)
        n += AREAS[i]().n;
    return n;
}

size_t hitl_checks_copy(hitl_check_impl *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof AREAS / sizeof AREAS[0]; i++) {
        hitl_check_table t = AREAS[i]();
        for (size_t k = 0; k < t.n && n < cap; k++)
            out[n++] = t.items[k];
    }
    return n;
}
