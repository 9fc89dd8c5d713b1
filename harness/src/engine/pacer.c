/* pacer.c: the shared pacing of WEB form requests (pacer.h). */
#include "pacer.h"

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

double hitl_pacer_reserve(hitl_pacer *p, hitl_pace_kind kind, double now)
{
    pthread_mutex_lock(&p->lock);
    /* The oldest of the last |max| slots: once it is a window old, one more fits. */
    int i = p->next[kind];
    double oldest = p->sent[kind][i];
    double at = oldest > 0 && oldest + p->window_s > now ? oldest + p->window_s : now;
    p->sent[kind][i] = at;
    p->next[kind] = (i + 1) % p->max;
    pthread_mutex_unlock(&p->lock);
    return at;
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
