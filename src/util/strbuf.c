#include "util/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void ox_sb_init(ox_strbuf *sb, ox_arena *a)
{
    memset(sb, 0, sizeof(*sb));
    sb->arena = a;
}

static bool reserve(ox_strbuf *sb, size_t extra)
{
    if (sb->failed) return false;
    if (sb->len + extra + 1 <= sb->cap) return true;
    size_t cap = sb->cap ? sb->cap * 2 : 64;
    while (cap < sb->len + extra + 1) cap *= 2;
    char *p = ox_arena_grow(sb->arena, sb->data, sb->len, cap);
    if (!p) {
        sb->failed = true;
        return false;
    }
    sb->data = p;
    sb->cap = cap;
    return true;
}

void ox_sb_appendn(ox_strbuf *sb, const char *s, size_t n)
{
    if (!reserve(sb, n)) return;
    memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = 0;
}

void ox_sb_append(ox_strbuf *sb, const char *s) { ox_sb_appendn(sb, s, strlen(s)); }

void ox_sb_printf(ox_strbuf *sb, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n >= 0 && reserve(sb, (size_t)n)) {
        vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap2);
        sb->len += (size_t)n;
    }
    va_end(ap2);
}

const char *ox_sb_str(ox_strbuf *sb)
{
    if (sb->failed) return NULL;
    return sb->data ? sb->data : "";
}
