/* String -> pointer map in the arena (open addressing). Keys are not copied. */
#ifndef OX_STRMAP_H
#define OX_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"

typedef struct ox_strmap {
    ox_arena *arena;
    const char **keys;
    void **vals;
    size_t cap, count;
} ox_strmap;

void ox_strmap_init(ox_strmap *m, ox_arena *a);
void *ox_strmap_get(const ox_strmap *m, const char *key);
/* Inserts or replaces; false on out-of-memory. */
bool ox_strmap_put(ox_strmap *m, const char *key, void *val);

#endif
