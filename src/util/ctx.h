/* The export context: the arena, the parked error, logging and the options
 * every stage reads. One per export; passed to every fallible call. */
#ifndef OX_CTX_H
#define OX_CTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "onnxify.h"
#include "util/arena.h"

typedef onnxify_status ox_status;
#define OX_OK ONNXIFY_OK

typedef struct ox_ctx {
    ox_arena *arena;
    ox_status status;        /* first failure, sticky */
    char *message;           /* its text (malloc'ed, outlives the arena) */
    onnxify_log_fn log;
    void *log_user;
    int opset;               /* target opset of this export */
    uint64_t *warned;        /* hashes of the warnings already logged (each shows once) */
    size_t nwarned, warned_cap;
    const onnxify_options *opt;
} ox_ctx;

void ox_ctx_init(ox_ctx *ctx, ox_arena *arena);
/* Parks `code` and the formatted message unless a failure is already parked
 * (the first one wins, later ones add context through ox_fail_prefix). */
ox_status ox_fail(ox_ctx *ctx, ox_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prepends context ("in pass 'cse': ") to the parked message. */
void ox_fail_prefix(ox_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Logs a warning once per export, as Python's warnings do for a repeated
 * warning (a symbolic warns for every node it converts). */
void ox_warn(ox_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ox_info(ox_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Drops the parked failure (used when a fallback handles it). */
void ox_clear_error(ox_ctx *ctx);
void ox_ctx_release(ox_ctx *ctx);

#define OX_NOMEM(ctx) ox_fail((ctx), ONNXIFY_ERR_OUT_OF_MEMORY, "out of memory")
/* Evaluate a status expression; return it from the caller when it failed. */
#define OX_TRY(expr)                                 \
    do {                                             \
        ox_status ox_try_s_ = (expr);                \
        if (ox_try_s_ != OX_OK) return ox_try_s_;    \
    } while (0)

#endif
