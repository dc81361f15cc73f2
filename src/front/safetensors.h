/* Safetensors reader. The layout: an 8-byte little-endian header size N, N bytes
 * of JSON header
 *     {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]},
 *      ..., "__metadata__": {"key": "value"}}
 * then the data buffer; offsets are relative to the start of the data buffer.
 *
 * Tensor data is borrowed: `data` points into the caller's buffer, which must
 * outlive the result. It is not necessarily aligned for its dtype (copy with
 * memcpy before reading wider elements). Names, dims and the tensor array live
 * in ctx->arena.
 *
 * Everything is validated; a problem is ONNXIFY_ERR_GRAPH_DESCRIPTION with a
 * message naming the tensor. The header may be padded with trailing spaces, as
 * the format allows. Tensors may share bytes or leave gaps in the data buffer
 * (both are harmless to a reader and are accepted). */
#ifndef OX_SAFETENSORS_H
#define OX_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "ir/dtype.h"
#include "util/ctx.h"

typedef struct ox_st_tensor {
    const char *name;
    ox_dtype dtype;
    int rank;
    const int64_t *dims;   /* rank entries (NULL for rank 0) */
    const uint8_t *data;   /* borrowed: points into the caller's buffer, never copied */
    size_t nbytes;         /* product(dims) * ox_dtype_size(dtype) */
} ox_st_tensor;

/* `tensors` is sorted by name (byte order), which makes lookups a binary
 * search and iteration order independent of the header's key order. */
typedef struct ox_safetensors {
    ox_st_tensor *tensors;
    size_t count;
} ox_safetensors;

/* Parses `len` bytes at `buf`. An empty blob (len 0 or buf NULL) is a valid
 * empty set. On failure *out is empty and the reason is in ctx. */
ox_status ox_safetensors_parse(ox_ctx *ctx, const uint8_t *buf, size_t len, ox_safetensors *out);

/* The tensor called `name`, or NULL. O(log n). */
const ox_st_tensor *ox_safetensors_find(const ox_safetensors *st, const char *name);

#endif
