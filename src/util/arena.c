/* Bump allocator over a list of chunks; big requests get a chunk of their own. */
#include "util/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OX_ARENA_CHUNK (64 * 1024)
#define OX_ARENA_ALIGN 16

typedef struct ox_chunk {
    struct ox_chunk *next;
    size_t size, used;
    _Alignas(OX_ARENA_ALIGN) unsigned char data[];
} ox_chunk;

struct ox_arena {
    ox_chunk *head;
    size_t total;
};

ox_arena *ox_arena_new(void) { return calloc(1, sizeof(ox_arena)); }

void ox_arena_free(ox_arena *a)
{
    if (!a) return;
    for (ox_chunk *c = a->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(a);
}

void *ox_arena_alloc(ox_arena *a, size_t size)
{
    void *p = ox_arena_alloc_uninit(a, size);
    if (p) memset(p, 0, size);
    return p;
}

void *ox_arena_alloc_uninit(ox_arena *a, size_t size)
{
    size = (size + OX_ARENA_ALIGN - 1) & ~(size_t)(OX_ARENA_ALIGN - 1);
    if (size == 0) size = OX_ARENA_ALIGN;
    ox_chunk *c = a->head;
    if (!c || c->size - c->used < size) {
        size_t cap = size > OX_ARENA_CHUNK / 4 ? size : OX_ARENA_CHUNK;
        ox_chunk *n = malloc(sizeof(ox_chunk) + cap);
        if (!n) return NULL;
        n->size = cap;
        n->used = 0;
        if (c && cap == size) {
            /* A dedicated chunk goes behind the current one so the current
             * chunk's free space stays usable. */
            n->next = c->next;
            c->next = n;
        } else {
            n->next = c;
            a->head = n;
        }
        c = n;
    }
    void *p = c->data + c->used;
    c->used += size;
    a->total += size;
    return p;
}

void *ox_arena_grow(ox_arena *a, void *old, size_t old_size, size_t size)
{
    void *p = ox_arena_alloc(a, size);
    if (p && old) memcpy(p, old, old_size < size ? old_size : size);
    return p;
}

char *ox_arena_strndup(ox_arena *a, const char *s, size_t n)
{
    char *p = ox_arena_alloc(a, n + 1);
    if (p) memcpy(p, s, n);
    return p;
}

char *ox_arena_strdup(ox_arena *a, const char *s)
{
    return s ? ox_arena_strndup(a, s, strlen(s)) : NULL;
}

char *ox_arena_printf(ox_arena *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = n < 0 ? NULL : ox_arena_alloc(a, (size_t)n + 1);
    if (p) vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

size_t ox_arena_used(const ox_arena *a) { return a->total; }
