/* planted_bugs.h: the planted bugs of hitl-refserver (--bug NAME, --list-bugs): defects of the
 * kinds a fuzzer exists to find, separate from the conformance faults and off by default.
 * `hitlcheck fuzz --embedded-bug NAME` turns one on in its embedded server; the table is
 * refserver/src/faults/planted_bugs.h. */
#ifndef HITL_REFSERVER_PLANTED_BUGS_H
#define HITL_REFSERVER_PLANTED_BUGS_H

#include <stddef.h>

#include "refserver/refserver.h"

/* Turns on planted bug |name|; HITL_E_ARG for an unknown name. */
int hitl_refserver_bug_enable(hitl_refserver_config *cfg, const char *name, hitl_err *err);
/* 1 when planted bug |name| is on in |cfg|, 0 otherwise (also for unknown names). */
int hitl_refserver_bug_is_enabled(const hitl_refserver_config *cfg, const char *name);
size_t hitl_refserver_bug_count(void);
/* Name and one-line summary of bug |i| (< count); NULL when out of range. */
const char *hitl_refserver_bug_name(size_t i);
const char *hitl_refserver_bug_summary(size_t i);

#endif
