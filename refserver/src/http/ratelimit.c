/* ratelimit.c: sliding-window limiter over a bounded set of keys. Each key keeps a ring of
 * hit times, grown on demand up to |max| entries, so memory is O(keys × hits in window). */
#include "ratelimit.h"

#include "hitl/err.h"
#include "map.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct bucket {
    int64_t *ts; /* ring of hit times, oldest at head */
    size_t head, count, cap;
} bucket;

struct rs_ratelimit {
    pthread_mutex_t mu;
    unsigned max;
    int64_t window_ms;
    size_t max_keys;
    rs_map keys; /* key → bucket */
};

static void bucket_free(void *p)
{
    bucket *b = p;
    if (b)
        free(b->ts);
    free(b);
}

int rs_ratelimit_new(unsigned max, int64_t window_ms, size_t max_keys, rs_ratelimit **out)
{
    *out = NULL;
    rs_ratelimit *rl = calloc(1, sizeof *rl);
    if (!rl)
        return HITL_E_NOMEM;
    rl->max = max ? max : 1;
    rl->window_ms = window_ms;
    rl->max_keys = max_keys ? max_keys : 1;
    if (rs_map_init(&rl->keys, 1024, bucket_free)) {
        free(rl);
        return HITL_E_NOMEM;
    }
    pthread_mutex_init(&rl->mu, NULL);
    *out = rl;
    return HITL_OK;
}

void rs_ratelimit_free(rs_ratelimit *rl)
{
    if (!rl)
        return;
    rs_map_free(&rl->keys);
    pthread_mutex_destroy(&rl->mu);
    free(rl);
}

/* expire drops hits at or before now − window (Redis ZREMRANGEBYSCORE 0 now−window). */
static void expire(bucket *b, int64_t now_ms, int64_t window_ms)
{
    while (b->count && b->ts[b->head] <= now_ms - window_ms) {
        b->head = (b->head + 1) % b->cap;
        b->count--;
    }
}

/* push records |t|; when the ring is full (only with count_limited) the oldest is replaced. */
static int push(bucket *b, int64_t t, unsigned max)
{
    if (b->count == b->cap && b->cap < max) {
        size_t ncap = b->cap ? b->cap * 2 : 4;
        if (ncap > max)
            ncap = max;
        int64_t *n = malloc(ncap * sizeof *n);
        if (!n)
            return HITL_E_NOMEM;
        for (size_t i = 0; i < b->count; i++)
            n[i] = b->ts[(b->head + i) % b->cap];
        free(b->ts);
        b->ts = n;
        b->head = 0;
        b->cap = ncap;
    }
    if (b->count == b->cap) {
        b->ts[b->head] = t;
        b->head = (b->head + 1) % b->cap;
        return HITL_OK;
    }
    b->ts[(b->head + b->count) % b->cap] = t;
    b->count++;
    return HITL_OK;
}

/* make_room forgets idle keys, then the oldest keys, until one more fits. */
static void make_room(rs_ratelimit *rl, int64_t now_ms)
{
    rs_map_entry *e = rs_map_oldest(&rl->keys);
    while (e && rl->keys.count >= rl->max_keys) {
        rs_map_entry *next = e->newer;
        bucket *b = e->val;
        expire(b, now_ms, rl->window_ms);
        if (b->count == 0)
            rs_map_del(&rl->keys, e->key);
        e = next;
    }
    while (rl->keys.count >= rl->max_keys && rs_map_oldest(&rl->keys))
        rs_map_del(&rl->keys, rs_map_oldest(&rl->keys)->key);
}

int rs_ratelimit_hit(rs_ratelimit *rl, const char *key, int64_t now_ms, int count_limited)
{
    pthread_mutex_lock(&rl->mu);
    bucket *b = rs_map_get(&rl->keys, key);
    if (!b) {
        make_room(rl, now_ms);
        b = calloc(1, sizeof *b);
        if (!b || rs_map_put(&rl->keys, key, b)) {
            free(b);
            pthread_mutex_unlock(&rl->mu);
            return 0; /* out of memory: fail open rather than lock everyone out */
        }
    }
    expire(b, now_ms, rl->window_ms);
    int limited = b->count >= rl->max;
    if (!limited || count_limited)
        push(b, now_ms, rl->max);
    pthread_mutex_unlock(&rl->mu);
    return limited;
}
