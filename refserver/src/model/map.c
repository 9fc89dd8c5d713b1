/* map.c: chained hash map with an insertion-order list (FNV-1a hashing). */
#include "map.h"

#include "hitl/err.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

int rs_map_init(rs_map *m, size_t expected, void (*free_val)(void *))
{
    memset(m, 0, sizeof *m);
    size_t n = 64;
    while (n < expected && n < ((size_t)1 << 24))
        n <<= 1;
    m->buckets = calloc(n, sizeof *m->buckets);
    if (!m->buckets)
        return HITL_E_NOMEM;
    m->nbuckets = n;
    m->free_val = free_val;
    return HITL_OK;
}

void rs_map_free(rs_map *m)
{
    rs_map_entry *e = m->oldest;
    while (e) {
        rs_map_entry *next = e->newer;
        if (m->free_val)
            m->free_val(e->val);
        free(e->key);
        free(e);
        e = next;
    }
    free(m->buckets);
    memset(m, 0, sizeof *m);
}

static rs_map_entry **slot(const rs_map *m, const char *key)
{
    rs_map_entry **p = &m->buckets[hash(key) & (m->nbuckets - 1)];
    while (*p && strcmp((*p)->key, key) != 0)
        p = &(*p)->chain;
    return p;
}

void *rs_map_get(const rs_map *m, const char *key)
{
    rs_map_entry *e = *slot(m, key);
    return e ? e->val : NULL;
}

/* grow doubles the bucket array when the load passes 1; failure is harmless (longer chains). */
static void grow(rs_map *m)
{
    if (m->count < m->nbuckets || m->nbuckets >= ((size_t)1 << 24))
        return;
    size_t n = m->nbuckets * 2;
    rs_map_entry **b = calloc(n, sizeof *b);
    if (!b)
        return;
    for (rs_map_entry *e = m->oldest; e; e = e->newer) {
        rs_map_entry **p = &b[hash(e->key) & (n - 1)];
        e->chain = *p;
        *p = e;
    }
    free(m->buckets);
    m->buckets = b;
    m->nbuckets = n;
}

int rs_map_put(rs_map *m, const char *key, void *val)
{
    rs_map_entry *e = calloc(1, sizeof *e);
    if (!e)
        return HITL_E_NOMEM;
    e->key = strdup(key);
    if (!e->key) {
        free(e);
        return HITL_E_NOMEM;
    }
    e->val = val;
    rs_map_entry **p = &m->buckets[hash(key) & (m->nbuckets - 1)];
    e->chain = *p;
    *p = e;
    e->older = m->newest;
    if (m->newest)
        m->newest->newer = e;
    else
        m->oldest = e;
    m->newest = e;
    m->count++;
    grow(m);
    return HITL_OK;
}

void *rs_map_take(rs_map *m, const char *key)
{
    rs_map_entry **p = slot(m, key);
    rs_map_entry *e = *p;
    if (!e)
        return NULL;
    *p = e->chain;
    if (e->older)
        e->older->newer = e->newer;
    else
        m->oldest = e->newer;
    if (e->newer)
        e->newer->older = e->older;
    else
        m->newest = e->older;
    m->count--;
    void *val = e->val;
    free(e->key);
    free(e);
    return val;
}

int rs_map_del(rs_map *m, const char *key)
{
    if (!*slot(m, key))
        return 0;
    void *val = rs_map_take(m, key);
    if (m->free_val)
        m->free_val(val);
    return 1;
}

rs_map_entry *rs_map_oldest(const rs_map *m)
{
    return m->oldest;
}
