#include "util/ctx.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ox_ctx_init(ox_ctx *ctx, ox_arena *arena)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->arena = arena;
    ctx->opset = ONNXIFY_DEFAULT_OPSET;
}

static char *vformat(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    char *s = n < 0 ? NULL : malloc((size_t)n + 1);
    if (s) vsnprintf(s, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return s;
}

ox_status ox_fail(ox_ctx *ctx, ox_status code, const char *fmt, ...)
{
    if (ctx->status != OX_OK) return ctx->status;
    va_list ap;
    va_start(ap, fmt);
    ctx->message = vformat(fmt, ap);
    va_end(ap);
    ctx->status = code;
    return code;
}

void ox_fail_prefix(ox_ctx *ctx, const char *fmt, ...)
{
    if (ctx->status == OX_OK) return;
    va_list ap;
    va_start(ap, fmt);
    char *prefix = vformat(fmt, ap);
    va_end(ap);
    if (!prefix) return;
    const char *old = ctx->message ? ctx->message : "";
    char *joined = malloc(strlen(prefix) + strlen(old) + 1);
    if (joined) {
        strcpy(joined, prefix);
        strcat(joined, old);
        free(ctx->message);
        ctx->message = joined;
    }
    free(prefix);
}

static uint64_t hash_text(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* True the first time `s` is seen in this export (and remembers it). */
static bool first_time(ox_ctx *ctx, const char *s)
{
    uint64_t h = hash_text(s);
    for (size_t i = 0; i < ctx->nwarned; i++)
        if (ctx->warned[i] == h) return false;
    if (ctx->nwarned == ctx->warned_cap) {
        size_t cap = ctx->warned_cap ? ctx->warned_cap * 2 : 16;
        uint64_t *p = realloc(ctx->warned, cap * sizeof(*p));
        if (!p) return true; /* cannot remember: log it anyway */
        ctx->warned = p;
        ctx->warned_cap = cap;
    }
    ctx->warned[ctx->nwarned++] = h;
    return true;
}

static void vlog(ox_ctx *ctx, onnxify_log_level level, const char *fmt, va_list ap)
{
    if (!ctx->log) return;
    char *s = vformat(fmt, ap);
    if (s && (level != ONNXIFY_LOG_WARNING || first_time(ctx, s))) ctx->log(ctx->log_user, level, s);
    free(s);
}

void ox_warn(ox_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(ctx, ONNXIFY_LOG_WARNING, fmt, ap);
    va_end(ap);
}

void ox_info(ox_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(ctx, ONNXIFY_LOG_INFO, fmt, ap);
    va_end(ap);
}

void ox_clear_error(ox_ctx *ctx)
{
    free(ctx->message);
    ctx->message = NULL;
    ctx->status = OX_OK;
}

void ox_ctx_release(ox_ctx *ctx)
{
    ox_clear_error(ctx);
    free(ctx->warned);
    ctx->warned = NULL;
    ctx->nwarned = ctx->warned_cap = 0;
}
