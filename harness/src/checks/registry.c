/* registry.c: every area's table (checks/areas.h), in registry order. */
#include "areas.h"

#include "hitl/checks.h"

#include <string.h>

#define DECLARE_AREA(sym, name) hitl_check_table hitl_checks_##sym(void);
HITL_CHECK_AREAS(DECLARE_AREA)
#undef DECLARE_AREA

#define AREA_ROW(sym, name) {name, #sym ".c", hitl_checks_##sym},
const hitl_check_area hitl_check_areas[] = {HITL_CHECK_AREAS(AREA_ROW)};
#undef AREA_ROW
const size_t hitl_check_n_areas = sizeof hitl_check_areas / sizeof hitl_check_areas[0];

size_t hitl_checks_count(void)
{
    size_t n = 0;
    for (size_t i = 0; i < hitl_check_n_areas; i++)
        n += hitl_check_areas[i].table().n;
    return n;
}

size_t hitl_checks_copy(hitl_check_impl *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < hitl_check_n_areas; i++) {
        hitl_check_table t = hitl_check_areas[i].table();
        for (size_t k = 0; k < t.n && n < cap; k++)
            out[n++] = t.items[k];
    }
    return n;
}
