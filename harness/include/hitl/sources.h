/* sources.h: whether a loopback target counts the harness's source addresses apart (each
 * its own §8 rate-limit bucket), verified before the run: then the rate-limit checks, which
 * each send from fresh addresses of their own, may run concurrently with each other and
 * with the rest of the run (scheduler.h: exclusive_concurrent) instead of alone at the end.
 * Behind Docker's userland proxy, or a front end that does not pass the client's address,
 * every source is one client, and they must not. */
#ifndef HITL_SOURCES_H
#define HITL_SOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include "hitl/http.h"
#include "hitl/target.h"

/* hitl_sources_verify exhausts the form-GET bucket of one unused loopback address (rate_max
 * GETs of an unknown token, which §8.4 counts, and one more that must be 429) and sends one
 * GET from a second unused address, which must not be 429. Returns true when the target
 * told the two apart; false when it did not, or when the probe proves nothing (no 429 for
 * the burst: an older build counting same-second requests once; a transport error), with
 * one line saying why in |why| (|cap| bytes). Only for an IPv4 loopback |t|; sends about
 * rate_max + 2 requests, in a burst. */
bool hitl_sources_verify(hitl_http *http, const hitl_target *t, char *why, size_t cap);

#endif
