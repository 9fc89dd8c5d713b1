/* map.h: a string-keyed hash map that also remembers insertion order, so the owner can
 * forget its oldest entries when a cap is reached. Not thread-safe: the owner locks. */
#ifndef RS_MAP_H
#define RS_MAP_H

#include <stddef.h>

typedef struct rs_map_entry {
    char *key;
    void *val;
    struct rs_map_entry *chain;         /* next in the bucket */
    struct rs_map_entry *older, *newer; /* insertion order */
} rs_map_entry;

typedef struct rs_map {
    rs_map_entry **buckets;
    size_t nbuckets; /* a power of two */
    size_t count;
    rs_map_entry *oldest, *newest;
    void (*free_val)(void *); /* called on values removed by rs_map_del/rs_map_free */
} rs_map;

/* rs_map_init prepares an empty map for about |expected| entries. 0 or HITL_E_NOMEM. */
int rs_map_init(rs_map *m, size_t expected, void (*free_val)(void *));
void rs_map_free(rs_map *m);
/* The value for |key|, or NULL. */
void *rs_map_get(const rs_map *m, const char *key);
/* rs_map_put inserts |key| (copied) → |val| as the newest entry; |key| must not be present.
 * Returns 0 or HITL_E_NOMEM (then |val| is not owned by the map). */
int rs_map_put(rs_map *m, const char *key, void *val);
/* rs_map_del removes |key| and frees its value with free_val; 1 if found. */
int rs_map_del(rs_map *m, const char *key);
/* rs_map_take removes |key| without freeing its value and returns the value (or NULL). */
void *rs_map_take(rs_map *m, const char *key);
/* The oldest entry (insertion order), or NULL; iterate with e->newer. */
rs_map_entry *rs_map_oldest(const rs_map *m);

#endif
