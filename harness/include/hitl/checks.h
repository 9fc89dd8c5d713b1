/* checks.h: the registry of check implementations, one table per area file in
 * harness/src/checks/ (one row per area: checks/areas.h). Metadata (title, §, severity,
 * tags) lives in the catalogue. */
#ifndef HITL_CHECKS_H
#define HITL_CHECKS_H

#include <stddef.h>
#include "hitl/check.h"

/* How many implementations there are, and a copy of them into |out| (room for |cap|);
 * returns the number copied. */
size_t hitl_checks_count(void);
size_t hitl_checks_copy(hitl_check_impl *out, size_t cap);

/* One area's implementations (each checks/<area>.c defines its table with
 * HITL_CHECK_TABLE). */
typedef struct hitl_check_table {
    const hitl_check_impl *items;
    size_t n;
} hitl_check_table;

/* The registry of areas (the rows of checks/areas.h), in registry order. */
typedef struct hitl_check_area {
    const char *name;   /* "upload-token": specs/checks/<name>.json, its IDs' first word */
    const char *source; /* "upload_token.c": the file under harness/src/checks/ */
    hitl_check_table (*table)(void);
} hitl_check_area;

extern const hitl_check_area hitl_check_areas[];
extern const size_t hitl_check_n_areas;

#define HITL_CHECK_TABLE(area, array)                                                              \
    hitl_check_table hitl_checks_##area(void);                                                     \
    hitl_check_table hitl_checks_##area(void)                                                      \
    {                                                                                              \
        hitl_check_table t = {array, sizeof array / sizeof array[0]};                              \
        return t;                                                                                  \
    }

#endif
