/* String interning: node kinds and attribute names are compared by pointer
 * in hot paths and stored once. Open addressing, grown at 50% load. */
#include <stdlib.h>
#include <string.h>

#include "ir/ir.h"

struct ox_intern {
    const char **slots;
    size_t cap, count;
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static bool rehash(ox_graph *g, size_t cap)
{
    const char **slots = ox_arena_alloc(g->arena, cap * sizeof(*slots));
    if (!slots) return false;
    struct ox_intern *in = g->intern;
    for (size_t i = 0; i < in->cap; i++) {
        const char *s = in->slots[i];
        if (!s) continue;
        size_t j = hash_str(s) & (cap - 1);
        while (slots[j]) j = (j + 1) & (cap - 1);
        slots[j] = s;
    }
    in->slots = slots;
    in->cap = cap;
    return true;
}

const char *ox_intern(ox_graph *g, const char *s)
{
    if (!s) return NULL;
    struct ox_intern *in = g->intern;
    if (!in) {
        in = g->intern = ox_arena_alloc(g->arena, sizeof(*in));
        if (!in || !rehash(g, 256)) return NULL;
    }
    if ((in->count + 1) * 2 > in->cap && !rehash(g, in->cap * 2)) return NULL;
    size_t j = hash_str(s) & (in->cap - 1);
    while (in->slots[j]) {
        if (strcmp(in->slots[j], s) == 0) return in->slots[j];
        j = (j + 1) & (in->cap - 1);
    }
    const char *copy = ox_arena_strdup(g->arena, s);
    if (!copy) return NULL;
    in->slots[j] = copy;
    in->count++;
    return copy;
}
