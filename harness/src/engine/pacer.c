/* pacer.c: the shared pacing of WEB form requests (pacer.h). */
#include "pacer.h"

#include <stdio.h>
#include <string.h>

/* Dify counts a request when it arrives (§8: a sliding window of arrival times); the pacer
 * knows when it was sent. One second apart from the window covers the travel time and a
 * target that counts whole seconds. */
#define PACER_MARGIN_S 1.0

void hitl_pacer_init(hitl_pacer *p, int rate_max, int rate_window_s)
{
    memset(p, 0, sizeof *p);
    pthread_mutex_init(&p->lock, NULL);
    p->max = rate_max < 1 ? 1 : rate_max > HITL_PACER_SLOTS ? HITL_PACER_SLOTS : rate_max;
    p->window_s = (rate_window_s > 0 ? (double)rate_window_s : 0.0) + PACER_MARGIN_S;
}

void hitl_pacer_destroy(hitl_pacer *p)
{
    pthread_mutex_destroy(&p->lock);
}

/* Takes the next slot of |kind| (p->lock held). */
static double reserve_locked(hitl_pacer *p, hitl_pace_kind kind, double now)
{
    /* The oldest of the last |max| slots: once it is a window old, one more fits. */
    int i = p->next[kind];
    double oldest = p->sent[kind][i];
    double at = oldest > 0 && oldest + p->window_s > now ? oldest + p->window_s : now;
    p->sent[kind][i] = at;
    p->next[kind] = (i + 1) % p->max;
    return at;
}

double hitl_pacer_reserve(hitl_pacer *p, hitl_pace_kind kind, double now)
{
    pthread_mutex_lock(&p->lock);
    double at = reserve_locked(p, kind, now);
    pthread_mutex_unlock(&p->lock);
    return at;
}

double hitl_pacer_reserve_or_wait(hitl_pacer *p, hitl_pace_kind kind, double now, bool was_waiting)
{
    pthread_mutex_lock(&p->lock);
    double at = -1.0;
    if (p->holders[kind] > 0) {
        if (!was_waiting)
            p->waiting[kind]++;
    } else {
        if (was_waiting && p->waiting[kind] > 0)
            p->waiting[kind]--;
        at = reserve_locked(p, kind, now);
    }
    pthread_mutex_unlock(&p->lock);
    return at;
}

/* Whether the published full GET bucket can still be joined at |now| (p->lock held): the
 * target stamped the fill's requests no earlier than they were sent, so until its first +
 * the window (window_s less the margin) every one of them is still counted. */
static bool full_joinable(const hitl_pacer *p, double now)
{
    return p->full_open && now < p->full_first + p->window_s - 2.0 * PACER_MARGIN_S;
}

bool hitl_pacer_hold(hitl_pacer *p, unsigned mask, double now)
{
    pthread_mutex_lock(&p->lock);
    bool free_all = true;
    for (int k = 0; k < HITL_PACE_KINDS; k++)
        if (mask & (1u << k) && (p->holders[k] > 0 || p->waiting[k] > 0))
            free_all = false;
    /* A new filler of the GET bucket waits while a full one can still be joined: it would
     * wait for the bucket to empty anyway, which is later. */
    if (mask & (1u << HITL_PACE_GET) && full_joinable(p, now))
        free_all = false;
    for (int k = 0; k < HITL_PACE_KINDS && free_all; k++)
        if (mask & (1u << k))
            p->holders[k]++;
    if (free_all && mask & (1u << HITL_PACE_GET))
        p->full_open = false; /* a new filler: the old full bucket is no more to be had */
    pthread_mutex_unlock(&p->lock);
    return free_all;
}

void hitl_pacer_note(hitl_pacer *p, hitl_pace_kind kind, double at)
{
    pthread_mutex_lock(&p->lock);
    p->sent[kind][p->next[kind]] = at;
    p->next[kind] = (p->next[kind] + 1) % p->max;
    pthread_mutex_unlock(&p->lock);
}

double hitl_pacer_empty_at(hitl_pacer *p, unsigned mask)
{
    pthread_mutex_lock(&p->lock);
    double at = 0;
    for (int k = 0; k < HITL_PACE_KINDS; k++)
        for (int i = 0; i < p->max && mask & (1u << k); i++)
            if (p->sent[k][i] > 0 && p->sent[k][i] + p->window_s > at)
                at = p->sent[k][i] + p->window_s;
    pthread_mutex_unlock(&p->lock);
    return at;
}

void hitl_pacer_release(hitl_pacer *p, unsigned mask)
{
    pthread_mutex_lock(&p->lock);
    for (int k = 0; k < HITL_PACE_KINDS; k++)
        if (mask & (1u << k) && p->holders[k] > 0)
            p->holders[k]--;
    pthread_mutex_unlock(&p->lock);
}

double hitl_pacer_room_at(hitl_pacer *p, unsigned mask)
{
    pthread_mutex_lock(&p->lock);
    double at = 0;
    for (int k = 0; k < HITL_PACE_KINDS; k++) {
        double oldest = p->sent[k][p->next[k]]; /* the ring's next slot: the oldest kept */
        if (mask & (1u << k) && oldest > 0 && oldest + p->window_s > at)
            at = oldest + p->window_s;
    }
    pthread_mutex_unlock(&p->lock);
    return at;
}

bool hitl_pacer_held(hitl_pacer *p, hitl_pace_kind kind)
{
    pthread_mutex_lock(&p->lock);
    bool held = p->holders[kind] > 0;
    pthread_mutex_unlock(&p->lock);
    return held;
}

void hitl_pacer_publish_full_get(hitl_pacer *p, double first, double full, const char *by)
{
    pthread_mutex_lock(&p->lock);
    p->full_open = true;
    p->full_first = first;
    p->full_at = full;
    snprintf(p->full_by, sizeof p->full_by, "%s", by ? by : "");
    pthread_mutex_unlock(&p->lock);
}

bool hitl_pacer_join_full_get(hitl_pacer *p, double now, double need_s, double *first, double *full,
                              char *by, size_t by_cap)
{
    pthread_mutex_lock(&p->lock);
    bool ok = full_joinable(p, now + need_s);
    if (ok) {
        p->holders[HITL_PACE_GET]++;
        *first = p->full_first;
        *full = p->full_at;
        snprintf(by, by_cap, "%s", p->full_by);
    }
    pthread_mutex_unlock(&p->lock);
    return ok;
}

void hitl_pacer_fill(hitl_pacer *p, int kind, double now)
{
    pthread_mutex_lock(&p->lock);
    for (int k = kind < 0 ? 0 : kind; k < (kind < 0 ? HITL_PACE_KINDS : kind + 1); k++)
        for (int i = 0; i < p->max; i++)
            if (p->sent[k][i] < now)
                p->sent[k][i] = now;
    pthread_mutex_unlock(&p->lock);
}
