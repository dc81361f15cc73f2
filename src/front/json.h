/* A strict JSON (RFC 8259) reader producing a DOM in the context's arena.
 *
 * Strict means: no comments, no trailing commas, no NaN/Infinity, no leading
 * zeros, no control characters in strings, UTF-8 validated, duplicate object
 * keys rejected, nesting limited to OX_JSON_MAX_DEPTH arrays/objects, numbers
 * beyond the range of a double rejected. A leading UTF-8 byte order mark is
 * skipped. The parser is iterative (no recursion) and linear in the input.
 *
 * Every failure is ONNXIFY_ERR_GRAPH_DESCRIPTION (or ONNXIFY_ERR_OUT_OF_MEMORY)
 * parked in the context with a message such as
 *     invalid JSON at line 3, column 14: expected ',' or '}'
 * Lines and columns are 1-based; columns count bytes, not characters.
 */
#ifndef OX_JSON_H
#define OX_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/ctx.h"

/* Arrays and objects nested deeper than this are an error. */
#define OX_JSON_MAX_DEPTH 512

typedef enum {
    OX_JSON_NULL,
    OX_JSON_BOOL,
    OX_JSON_NUMBER,
    OX_JSON_STRING,
    OX_JSON_ARRAY,
    OX_JSON_OBJECT
} ox_json_kind;

typedef struct ox_json {
    ox_json_kind kind;
    bool boolean;
    double number;            /* every number (-0 stays -0) */
    bool is_int;              /* the literal is an integer (no '.', 'e') that fits int64 */
    int64_t integer;          /* exact when is_int */
    const char *string;       /* NUL-terminated UTF-8, escapes decoded; NULL unless STRING */
    size_t string_len;        /* bytes, without the NUL (strings never hold a NUL: \u0000 is rejected) */
    struct ox_json **items;   /* array elements, or object member values, in document order */
    const char **keys;        /* object member keys (same index as items); NULL for arrays */
    size_t count;             /* number of items (0 for scalars and empty containers) */
    int line, column;         /* 1-based position of the value's first character */
} ox_json;

/* Parses `len` bytes of `text` (need not be NUL-terminated; NULL with len 0
 * is empty input, which is an error). On success *out is the root value, all
 * memory in ctx->arena; on failure *out is NULL and the reason is in ctx. */
ox_status ox_json_parse(ox_ctx *ctx, const char *text, size_t len, ox_json **out);

/* The value of member `key` of `object`; NULL if absent or `object` is not an
 * object (or NULL). Linear in the number of members. */
const ox_json *ox_json_get(const ox_json *object, const char *key);

/* "null", "boolean", "number", "string", "array", "object" ("unknown" otherwise). */
const char *ox_json_kind_name(ox_json_kind k);

/* Compact JSON text of a parsed value (into the arena); NULL on nomem. */
const char *ox_json_to_text(ox_arena *a, const ox_json *v);

#endif
