#include "ir/dtype.h"

#include <string.h>

static const struct {
    ox_dtype t;
    const char *name, *st;
    size_t size;
} table[] = {
    {OX_FLOAT, "float32", "F32", 4},    {OX_DOUBLE, "float64", "F64", 8},
    {OX_FLOAT16, "float16", "F16", 2},  {OX_BFLOAT16, "bfloat16", "BF16", 2},
    {OX_INT64, "int64", "I64", 8},      {OX_INT32, "int32", "I32", 4},
    {OX_INT16, "int16", "I16", 2},      {OX_INT8, "int8", "I8", 1},
    {OX_UINT8, "uint8", "U8", 1},       {OX_BOOL, "bool", "BOOL", 1},
    {OX_UINT16, "uint16", "U16", 2},    {OX_UINT32, "uint32", "U32", 4},
    {OX_UINT64, "uint64", "U64", 8},    {OX_COMPLEX64, "complex64", "C64", 8},
    {OX_COMPLEX128, "complex128", "C128", 16},
};
#define N_TYPES (sizeof(table) / sizeof(table[0]))

size_t ox_dtype_size(ox_dtype t)
{
    for (size_t i = 0; i < N_TYPES; i++)
        if (table[i].t == t) return table[i].size;
    return 0;
}

const char *ox_dtype_name(ox_dtype t)
{
    for (size_t i = 0; i < N_TYPES; i++)
        if (table[i].t == t) return table[i].name;
    return NULL;
}

bool ox_dtype_from_name(const char *name, ox_dtype *out)
{
    for (size_t i = 0; i < N_TYPES; i++)
        if (strcmp(table[i].name, name) == 0) {
            *out = table[i].t;
            return true;
        }
    return false;
}

bool ox_dtype_from_safetensors(const char *name, size_t len, ox_dtype *out)
{
    for (size_t i = 0; i < N_TYPES; i++)
        if (strlen(table[i].st) == len && memcmp(table[i].st, name, len) == 0) {
            *out = table[i].t;
            return true;
        }
    return false;
}

bool ox_dtype_is_floating(ox_dtype t)
{
    return t == OX_FLOAT || t == OX_DOUBLE || t == OX_FLOAT16 || t == OX_BFLOAT16;
}

bool ox_dtype_is_integral(ox_dtype t)
{
    switch (t) {
    case OX_UINT8: case OX_INT8: case OX_UINT16: case OX_INT16: case OX_INT32:
    case OX_INT64: case OX_UINT32: case OX_UINT64:
        return true;
    default:
        return false;
    }
}

bool ox_dtype_is_real(ox_dtype t)
{
    return t != OX_STRING && t != OX_COMPLEX64 && t != OX_COMPLEX128 && ox_dtype_size(t) > 0;
}
