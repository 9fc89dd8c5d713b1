/* checks.h: the registry of check implementations, one table per area file in
 * harness/src/checks/. Metadata (title, §, severity, tags) lives in the catalogue. */
#ifndef HITL_CHECKS_H
#define HITL_CHECKS_H

#include <stddef.h>
#include "hitl/check.h"

/* How many implementations there are, and a copy of them into |out| (room for |cap|);
 * returns the number copied. */
size_t hitl_checks_count(void);
size_t hitl_checks_copy(hitl_check_impl *out, size_t cap);

/* The area tables (each checks/<area>.c defines one). */
typedef struct hitl_check_table {
    const hitl_check_impl *items;
    size_t n;
} hitl_check_table;

hitl_check_table hitl_checks_stream(void);
hitl_check_table hitl_checks_form(void);
hitl_check_table hitl_checks_upload(void);
hitl_check_table hitl_checks_submit(void);
hitl_check_table hitl_checks_resume(void);
hitl_check_table hitl_checks_errors(void);
hitl_check_table hitl_checks_hostile(void);
hitl_check_table hitl_checks_remote(void);
hitl_check_table hitl_checks_expiry(void);
hitl_check_table hitl_checks_ratelimit(void);

#define HITL_CHECK_TABLE(area, array)                                                              \
    hitl_check_table hitl_checks_##area(void)                                                      \
    {                                                                                              \
        hitl_check_table t = {array, sizeof array / sizeof array[0]};                              \
        return t;                                                                                  \
    }

#endif
