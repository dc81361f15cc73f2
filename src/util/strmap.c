#include "util/strmap.h"

#include <stdint.h>
#include <string.h>

void ox_strmap_init(ox_strmap *m, ox_arena *a)
{
    memset(m, 0, sizeof(*m));
    m->arena = a;
}

static uint64_t hash_key(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

void *ox_strmap_get(const ox_strmap *m, const char *key)
{
    if (!m->cap) return NULL;
    for (size_t i = hash_key(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->keys[i]) return NULL;
        if (strcmp(m->keys[i], key) == 0) return m->vals[i];
    }
}

static bool resize(ox_strmap *m, size_t cap)
{
    const char **keys = ox_arena_alloc(m->arena, cap * sizeof(*keys));
    void **vals = ox_arena_alloc(m->arena, cap * sizeof(*vals));
    if (!keys || !vals) return false;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i]) continue;
        size_t j = hash_key(m->keys[i]) & (cap - 1);
        while (keys[j]) j = (j + 1) & (cap - 1);
        keys[j] = m->keys[i];
        vals[j] = m->vals[i];
    }
    m->keys = keys;
    m->vals = vals;
    m->cap = cap;
    return true;
}

bool ox_strmap_put(ox_strmap *m, const char *key, void *val)
{
    if ((m->count + 1) * 2 > m->cap && !resize(m, m->cap ? m->cap * 2 : 64)) return false;
    size_t i = hash_key(key) & (m->cap - 1);
    while (m->keys[i]) {
        if (strcmp(m->keys[i], key) == 0) {
            m->vals[i] = val;
            return true;
        }
        i = (i + 1) & (m->cap - 1);
    }
    m->keys[i] = key;
    m->vals[i] = val;
    m->count++;
    return true;
}
