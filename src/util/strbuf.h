/* A growable string in the arena, with a sticky out-of-memory flag. */
#ifndef OX_STRBUF_H
#define OX_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"

typedef struct ox_strbuf {
    ox_arena *arena;
    char *data;
    size_t len, cap;
    bool failed;
} ox_strbuf;

void ox_sb_init(ox_strbuf *sb, ox_arena *a);
void ox_sb_append(ox_strbuf *sb, const char *s);
void ox_sb_appendn(ox_strbuf *sb, const char *s, size_t n);
void ox_sb_printf(ox_strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The NUL-terminated text ("" when empty), or NULL after a failed allocation. */
const char *ox_sb_str(ox_strbuf *sb);

#endif
