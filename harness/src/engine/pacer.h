/* pacer.h: the run's shared pacing of WEB form requests once the target is known to count
 * every client address in one bucket (the "one bucket" fact, scheduler.c): at most |max|
 * requests of each limited kind (§8: the form GET, the submit, the upload-token issuance,
 * three buckets) per window across the whole run, all checks and jobs. A request reserves
 * the next free slot and its sender sleeps until then. Internal to harness/src/engine. */
#ifndef HITL_ENGINE_PACER_H
#define HITL_ENGINE_PACER_H

#include <pthread.h>

/* The limiters of §8, one bucket each per client address. */
typedef enum hitl_pace_kind {
    HITL_PACE_GET,    /* GET  /form/human_input/<token> */
    HITL_PACE_SUBMIT, /* POST /form/human_input/<token> */
    HITL_PACE_TOKEN,  /* POST /form/human_input/<token>/upload-token */
    HITL_PACE_KINDS
} hitl_pace_kind;

/* The slots remembered per kind: a limit above this is paced at this many per window
 * (slower than the target allows, never faster). */
#define HITL_PACER_SLOTS 256

typedef struct hitl_pacer {
    pthread_mutex_t lock;
    double window_s; /* the target's window plus a margin for the time a request travels */
    int max;         /* requests per window and kind, 1 … HITL_PACER_SLOTS */
    /* The send times of each kind's last |max| requests (a ring; 0: free). */
    double sent[HITL_PACE_KINDS][HITL_PACER_SLOTS];
    int next[HITL_PACE_KINDS];
} hitl_pacer;

void hitl_pacer_init(hitl_pacer *p, int rate_max, int rate_window_s);
void hitl_pacer_destroy(hitl_pacer *p);
/* hitl_pacer_reserve takes the next slot of |kind| at or after |now| (CLOCK_MONOTONIC
 * seconds) and returns its time: the caller sends then, not before. */
double hitl_pacer_reserve(hitl_pacer *p, hitl_pace_kind kind, double now);
/* hitl_pacer_fill marks every slot of |kind| (-1: of every kind) taken at |now|: the
 * target's bucket is (or may be) full, so the next request of that kind waits a whole
 * window. Used when the fact is learnt and after any 429 the pacing did not prevent. */
void hitl_pacer_fill(hitl_pacer *p, int kind, double now);

#endif
