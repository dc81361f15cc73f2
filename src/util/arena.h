/* One arena per export: everything the IR, the readers and the passes allocate
 * lives here and is released at once by ox_arena_free. No per-object free. */
#ifndef OX_ARENA_H
#define OX_ARENA_H

#include <stddef.h>

typedef struct ox_arena ox_arena;

ox_arena *ox_arena_new(void);
void ox_arena_free(ox_arena *a);

/* Zeroed, 16-byte aligned. NULL only when memory is exhausted. */
void *ox_arena_alloc(ox_arena *a, size_t size);
/* The same without zeroing, for buffers the caller fills completely. */
void *ox_arena_alloc_uninit(ox_arena *a, size_t size);
/* Copies `size` bytes from `old` (size `old_size`) into a new block of `size`. */
void *ox_arena_grow(ox_arena *a, void *old, size_t old_size, size_t size);
char *ox_arena_strdup(ox_arena *a, const char *s);
char *ox_arena_strndup(ox_arena *a, const char *s, size_t n);
/* printf into the arena. */
char *ox_arena_printf(ox_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Bytes handed out so far (for memory reports). */
size_t ox_arena_used(const ox_arena *a);

#endif
