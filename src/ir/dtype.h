/* Element types, numbered as ONNX's TensorProto.DataType so that they are
 * written to the model unchanged. */
#ifndef OX_DTYPE_H
#define OX_DTYPE_H

#include <stdbool.h>
#include <stddef.h>

typedef enum ox_dtype {
    OX_UNDEFINED = 0,
    OX_FLOAT = 1,
    OX_UINT8 = 2,
    OX_INT8 = 3,
    OX_UINT16 = 4,
    OX_INT16 = 5,
    OX_INT32 = 6,
    OX_INT64 = 7,
    OX_STRING = 8,
    OX_BOOL = 9,
    OX_FLOAT16 = 10,
    OX_DOUBLE = 11,
    OX_UINT32 = 12,
    OX_UINT64 = 13,
    OX_COMPLEX64 = 14,
    OX_COMPLEX128 = 15,
    OX_BFLOAT16 = 16
} ox_dtype;

/* Bytes per element; 0 for UNDEFINED and STRING. */
size_t ox_dtype_size(ox_dtype t);
/* Graph-description names: "float32", "int64", ...; NULL when unknown. */
const char *ox_dtype_name(ox_dtype t);
bool ox_dtype_from_name(const char *name, ox_dtype *out);
/* Safetensors names: "F32", "I64", ... */
bool ox_dtype_from_safetensors(const char *name, size_t len, ox_dtype *out);
bool ox_dtype_is_floating(ox_dtype t);
bool ox_dtype_is_integral(ox_dtype t); /* signed and unsigned ints, not bool */
/* Values read as real numbers: every sized type but strings and complex. */
bool ox_dtype_is_real(ox_dtype t);

#endif
