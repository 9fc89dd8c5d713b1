/* faults.c: the fault table behind --fault and --list-faults. */
#include "faults.h"

#include <string.h>

typedef struct fault_row {
    const char *name;
    const char *summary;
} fault_row;

static const fault_row FAULTS[] = {
#define RS_FAULT_ROW(e, n, s) {n, s},
    RS_FAULT_LIST(RS_FAULT_ROW)
#undef RS_FAULT_ROW
};

size_t hitl_refserver_fault_count(void)
{
    return sizeof FAULTS / sizeof FAULTS[0];
}

const char *hitl_refserver_fault_name(size_t i)
{
    return i < hitl_refserver_fault_count() ? FAULTS[i].name : NULL;
}

const char *hitl_refserver_fault_summary(size_t i)
{
    return i < hitl_refserver_fault_count() ? FAULTS[i].summary : NULL;
}

static long fault_index(const char *name)
{
    for (size_t i = 0; i < hitl_refserver_fault_count(); i++)
        if (strcmp(FAULTS[i].name, name) == 0)
            return (long)i;
    return -1;
}

int hitl_refserver_fault_enable(hitl_refserver_config *cfg, const char *name, hitl_err *err)
{
    long i = name ? fault_index(name) : -1;
    if (i < 0)
        return hitl_err_set(err, HITL_E_ARG, "--fault: unknown fault '%s' (see --list-faults)",
                            name ? name : "");
    cfg->faults[(unsigned long)i / 64] |= (uint64_t)1 << ((unsigned long)i % 64);
    return HITL_OK;
}

int hitl_refserver_fault_is_enabled(const hitl_refserver_config *cfg, const char *name)
{
    long i = name ? fault_index(name) : -1;
    return i < 0 ? 0 : rs_fault_on(cfg, (rs_fault)i);
}
