/* ratelimit.h: per-key sliding-window limiter, Dify's `RateLimiter` (§8): on each check
 * entries older than the window are dropped; the key is limited when it holds `max`
 * entries; an allowed request adds one entry. Thread-safe (own mutex). */
#ifndef RS_RATELIMIT_H
#define RS_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

typedef struct rs_ratelimit rs_ratelimit;

/* rs_ratelimit_new makes a limiter of |max| (>0) hits per |window_ms| over at most |max_keys|
 * keys (the oldest idle key is forgotten first). 0 or HITL_E_NOMEM. */
int rs_ratelimit_new(unsigned max, int64_t window_ms, size_t max_keys, rs_ratelimit **out);
void rs_ratelimit_free(rs_ratelimit *rl);

/* rs_ratelimit_hit checks |key| at |now_ms|: returns 1 when limited (nothing recorded unless
 * |count_limited|, Dify's rule is that 429s do not count), else records the hit and returns 0. */
int rs_ratelimit_hit(rs_ratelimit *rl, const char *key, int64_t now_ms, int count_limited);

#endif
