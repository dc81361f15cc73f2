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

static void vlog(ox_ctx *ctx, onnxify_log_level level, const char *fmt, va_list ap)
{
    if (!ctx->log) return;
    char *s = vformat(fmt, ap);
    if (s) ctx->log(ctx->log_user, level, s);
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

void ox_ctx_release(ox_ctx *ctx) { ox_clear_error(ctx); }
