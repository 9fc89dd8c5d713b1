/* behave.c: the table behind --behave dify (see behave.h). */
#include "behave.h"

typedef struct behaviour_row {
    const char *name;
    const char *deviations;
    const char *summary;
} behaviour_row;

static const behaviour_row BEHAVIOURS[] = {
#define RS_BEHAVIOUR_ROW(e, n, d, s) {n, d, s},
    RS_BEHAVIOUR_LIST(RS_BEHAVIOUR_ROW)
#undef RS_BEHAVIOUR_ROW
};

size_t hitl_refserver_behaviour_count(void)
{
    return sizeof BEHAVIOURS / sizeof BEHAVIOURS[0];
}

const char *hitl_refserver_behaviour_name(size_t i)
{
    return i < hitl_refserver_behaviour_count() ? BEHAVIOURS[i].name : NULL;
}

const char *hitl_refserver_behaviour_deviations(size_t i)
{
    return i < hitl_refserver_behaviour_count() ? BEHAVIOURS[i].deviations : NULL;
}

const char *hitl_refserver_behaviour_summary(size_t i)
{
    return i < hitl_refserver_behaviour_count() ? BEHAVIOURS[i].summary : NULL;
}
