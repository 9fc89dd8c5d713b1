/* clock.c: timer thread on a monotonic condition variable. */
#include "clock.h"

#include "lifecycle.h"
#include "stream.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_JOBS 65536

typedef struct job {
    struct job *next;
    int64_t due_ms;
    rs_job_fn fn;
    char arg[64];
} job;

struct rs_clock {
    hitl_refserver *srv;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop, kicked;
    job *jobs; /* sorted by due_ms */
    size_t njobs;
};

int64_t rs_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t rs_now_s(void)
{
    return (int64_t)time(NULL);
}

static void *run(void *arg)
{
    rs_clock *c = arg;
    int64_t next_sweep = rs_now_ms() + c->srv->cfg.sweep_interval_ms;
    pthread_mutex_lock(&c->mu);
    while (!c->stop) {
        int64_t now = rs_now_ms();
        job *due = NULL, **tail = &due;
        while (c->jobs && c->jobs->due_ms <= now) {
            job *j = c->jobs;
            c->jobs = j->next;
            c->njobs--;
            j->next = NULL;
            *tail = j;
            tail = &j->next;
        }
        pthread_mutex_unlock(&c->mu);
        while (due) {
            job *j = due;
            due = j->next;
            j->fn(c->srv, j->arg);
            free(j);
        }
        if (now >= next_sweep) {
            rs_lifecycle_sweep(c->srv);
            next_sweep = now + c->srv->cfg.sweep_interval_ms;
        }
        int64_t deadline = rs_hub_tick(c->srv->hub, now);
        if (next_sweep < deadline)
            deadline = next_sweep;
        pthread_mutex_lock(&c->mu);
        if (c->jobs && c->jobs->due_ms < deadline)
            deadline = c->jobs->due_ms;
        if (!c->kicked && !c->stop && deadline > rs_now_ms()) {
            struct timespec ts = {.tv_sec = (time_t)(deadline / 1000),
                                  .tv_nsec = (long)(deadline % 1000) * 1000000};
            pthread_cond_timedwait(&c->cv, &c->mu, &ts);
        }
        c->kicked = 0;
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

int rs_clock_start(hitl_refserver *srv, rs_clock **out)
{
    *out = NULL;
    rs_clock *c = calloc(1, sizeof *c);
    if (!c)
        return HITL_E_NOMEM;
    c->srv = srv;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&c->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&c->mu, NULL);
    if (pthread_create(&c->th, NULL, run, c) != 0) {
        pthread_cond_destroy(&c->cv);
        pthread_mutex_destroy(&c->mu);
        free(c);
        return HITL_E_IO;
    }
    *out = c;
    return HITL_OK;
}

void rs_clock_stop(rs_clock *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    int was = c->stop;
    c->stop = 1;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
    if (!was)
        pthread_join(c->th, NULL);
}

void rs_clock_free(rs_clock *c)
{
    if (!c)
        return;
    rs_clock_stop(c);
    while (c->jobs) {
        job *j = c->jobs;
        c->jobs = j->next;
        free(j);
    }
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

int rs_clock_schedule(rs_clock *c, int64_t delay_ms, rs_job_fn fn, const char *arg)
{
    job *j = calloc(1, sizeof *j);
    if (!j)
        return HITL_E_NOMEM;
    j->due_ms = rs_now_ms() + delay_ms;
    j->fn = fn;
    snprintf(j->arg, sizeof j->arg, "%s", arg);
    pthread_mutex_lock(&c->mu);
    if (c->stop || c->njobs >= MAX_JOBS) {
        pthread_mutex_unlock(&c->mu);
        free(j);
        return HITL_E_TOO_BIG;
    }
    job **p = &c->jobs;
    while (*p && (*p)->due_ms <= j->due_ms)
        p = &(*p)->next;
    j->next = *p;
    *p = j;
    c->njobs++;
    c->kicked = 1;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
    return HITL_OK;
}

void rs_clock_kick(void *clock)
{
    rs_clock *c = clock;
    pthread_mutex_lock(&c->mu);
    c->kicked = 1;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
}
