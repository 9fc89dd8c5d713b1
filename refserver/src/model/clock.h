/* clock.h: the server's one timer thread. It runs delayed jobs (a submitted run's resumed
 * events, §7.4), drives the stream hub (pings, idle closes, hostile drips) and the
 * timeout sweeper (§10) every sweep interval. */
#ifndef RS_CLOCK_H
#define RS_CLOCK_H

#include <stdint.h>

#include "rs.h"

typedef void (*rs_job_fn)(hitl_refserver *srv, const char *arg);

/* rs_clock_start starts the thread; 0, HITL_E_NOMEM or HITL_E_IO. */
int rs_clock_start(hitl_refserver *srv, rs_clock **out);
/* rs_clock_stop joins the thread; later rs_clock_schedule calls fail and jobs not yet due are
 * dropped. The struct stays valid (other threads may still call in) until rs_clock_free. */
void rs_clock_stop(rs_clock *c);
/* rs_clock_free stops (if needed) and frees. NULL is a no-op. */
void rs_clock_free(rs_clock *c);
/* rs_clock_schedule runs fn(srv, arg) on the clock thread after |delay_ms| (|arg| copied,
 * at most 63 bytes). HITL_E_TOO_BIG when 65536 jobs are pending, HITL_E_STATE once stopped. */
int rs_clock_schedule(rs_clock *c, int64_t delay_ms, rs_job_fn fn, const char *arg);
/* rs_clock_kick wakes the thread to recompute its deadlines (argument: the rs_clock). */
void rs_clock_kick(void *clock);

#endif
