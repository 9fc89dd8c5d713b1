/* pacer.h: the run's shared pacing of WEB form requests once the target is known to count
 * every client address in one bucket (the "one bucket" fact, scheduler.c): at most |max|
 * requests of each limited kind (§8: the form GET, the submit, the upload-token issuance,
 * three buckets) per window across the whole run, all checks and jobs. A request reserves
 * the next free slot and its sender sleeps until then. Internal to harness/src/engine. */
#ifndef HITL_ENGINE_PACER_H
#define HITL_ENGINE_PACER_H

#include <pthread.h>
#include <stdbool.h>

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
    /* Holds (below): how many rate-limit checks hold each limiter's bucket, and how many
     * paced requests wait for it to be given back (no new hold is granted while one waits:
     * the rest of the run is not starved by hold after hold). */
    int holders[HITL_PACE_KINDS];
    int waiting[HITL_PACE_KINDS];
    /* The full GET bucket one rate-limit check filled (hitl_pacer_publish_full_get): the
     * time before its first request and after its limited one; |open| while others may
     * join it (until a new hold of the GET bucket is granted). */
    bool full_open;
    double full_first, full_at;
    char full_by[96];
} hitl_pacer;

void hitl_pacer_init(hitl_pacer *p, int rate_max, int rate_window_s);
void hitl_pacer_destroy(hitl_pacer *p);
/* hitl_pacer_reserve takes the next slot of |kind| at or after |now| (CLOCK_MONOTONIC
 * seconds) and returns its time: the caller sends then, not before. */
double hitl_pacer_reserve(hitl_pacer *p, hitl_pace_kind kind, double now);

/* Holds. On one source address the rate-limit checks run beside the rest of the run and
 * fill the target's buckets themselves: a check holds the buckets it fills, and every
 * other request of those kinds waits until it gives them back.
 *
 * hitl_pacer_reserve_or_wait is hitl_pacer_reserve when |kind| is not held; while it is, it
 * returns -1 and counts the caller as waiting (|was_waiting|: the caller's previous answer
 * was -1, it is counted already; it is uncounted when a slot is given).
 * hitl_pacer_hold grants the buckets of the kinds in |mask| (bit 1 << kind) to one check:
 * true when none is held or waited for, nor (for GET) a published full GET bucket can still
 * be joined (a hold of the GET bucket then closes it), else false: the caller tries again
 * later; |now| as for hitl_pacer_reserve.
 * hitl_pacer_note records one request the holder sent at |at|, so the window the pacer
 * keeps stays true (a 429 is not noted: §8, rejected requests are not counted).
 * hitl_pacer_empty_at returns when every request taken so far of the kinds in |mask| is
 * a window old: their buckets are empty then. hitl_pacer_release gives the kinds back.
 *
 * hitl_pacer_publish_full_get says the holder of the GET bucket has just filled it with
 * paced requests (the first sent at |first|) and seen the next one limited at |full|;
 * hitl_pacer_join_full_get joins that full bucket (a hold shared with its filler) when it
 * is open and stays surely full for |need_s| more seconds from |now| (until |first| plus
 * the window, less the margin), and copies its times and filler's name. */
double hitl_pacer_reserve_or_wait(hitl_pacer *p, hitl_pace_kind kind, double now, bool was_waiting);
bool hitl_pacer_hold(hitl_pacer *p, unsigned mask, double now);
void hitl_pacer_note(hitl_pacer *p, hitl_pace_kind kind, double at);
double hitl_pacer_empty_at(hitl_pacer *p, unsigned mask);
void hitl_pacer_release(hitl_pacer *p, unsigned mask);
/* hitl_pacer_room_at returns when one more request of each kind in |mask| fits in its
 * bucket: when the oldest of the last |max| taken is a window old (0: there is room now, as
 * far as the run has sent). */
double hitl_pacer_room_at(hitl_pacer *p, unsigned mask);
/* Whether any check holds |kind|'s bucket. */
bool hitl_pacer_held(hitl_pacer *p, hitl_pace_kind kind);
void hitl_pacer_publish_full_get(hitl_pacer *p, double first, double full, const char *by);
bool hitl_pacer_join_full_get(hitl_pacer *p, double now, double need_s, double *first, double *full,
                              char *by, size_t by_cap);
/* hitl_pacer_fill marks every slot of |kind| (-1: of every kind) taken at |now|: the
 * target's bucket is (or may be) full, so the next request of that kind waits a whole
 * window. Used when the fact is learnt and after any 429 the pacing did not prevent. */
void hitl_pacer_fill(hitl_pacer *p, int kind, double now);

#endif
