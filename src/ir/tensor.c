/* Constant tensor data: creation, element access across dtypes, equality. */
#include <math.h>
#include <string.h>

#include "ir/ir.h"

ox_tensor *ox_tensor_new(ox_arena *a, ox_dtype dtype, int rank, const int64_t *dims)
{
    ox_tensor *t = ox_arena_alloc(a, sizeof(*t));
    if (!t) return NULL;
    t->dtype = dtype;
    t->rank = rank;
    if (rank > 0) {
        t->dims = ox_arena_alloc(a, (size_t)rank * sizeof(int64_t));
        if (!t->dims) return NULL;
        memcpy(t->dims, dims, (size_t)rank * sizeof(int64_t));
    }
    return t;
}

int64_t ox_tensor_numel(const ox_tensor *t)
{
    int64_t n = 1;
    for (int i = 0; i < t->rank; i++) n *= t->dims[i];
    return n;
}

static ox_tensor *tensor_alloc(ox_arena *a, ox_dtype dtype, int rank, const int64_t *dims, bool zero)
{
    ox_tensor *t = ox_tensor_new(a, dtype, rank, dims);
    if (!t) return NULL;
    uint64_t n = 1;
    for (int i = 0; i < rank; i++) {
        if (dims[i] < 0 || (dims[i] && n > UINT64_MAX / 64 / (uint64_t)dims[i])) return NULL;
        n *= (uint64_t)dims[i];
    }
    t->nbytes = (size_t)(n * ox_dtype_size(dtype));
    void *data = zero ? ox_arena_alloc(a, t->nbytes) : ox_arena_alloc_uninit(a, t->nbytes);
    if (!data) return NULL;
    t->data = data;
    return t;
}

ox_tensor *ox_tensor_alloc(ox_arena *a, ox_dtype dtype, int rank, const int64_t *dims)
{
    return tensor_alloc(a, dtype, rank, dims, true);
}

ox_tensor *ox_tensor_alloc_uninit(ox_arena *a, ox_dtype dtype, int rank, const int64_t *dims)
{
    return tensor_alloc(a, dtype, rank, dims, false);
}

ox_tensor *ox_tensor_scalar_i64(ox_arena *a, int64_t v)
{
    ox_tensor *t = ox_tensor_alloc(a, OX_INT64, 0, NULL);
    if (t) memcpy((void *)t->data, &v, 8);
    return t;
}

ox_tensor *ox_tensor_scalar_f32(ox_arena *a, float v)
{
    ox_tensor *t = ox_tensor_alloc(a, OX_FLOAT, 0, NULL);
    if (t) memcpy((void *)t->data, &v, 4);
    return t;
}

ox_tensor *ox_tensor_scalar_f64(ox_arena *a, double v)
{
    ox_tensor *t = ox_tensor_alloc(a, OX_DOUBLE, 0, NULL);
    if (t) memcpy((void *)t->data, &v, 8);
    return t;
}

ox_tensor *ox_tensor_i64s(ox_arena *a, const int64_t *v, int n)
{
    int64_t dim = n;
    ox_tensor *t = ox_tensor_alloc(a, OX_INT64, 1, &dim);
    if (t && n) memcpy((void *)t->data, v, (size_t)n * 8);
    return t;
}

static float half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
    float f;
    if (exp == 0) {
        f = ldexpf((float)man, -24);
        return sign ? -f : f;
    }
    if (exp == 31) {
        uint32_t bits = sign | 0x7f800000u | (man << 13);
        memcpy(&f, &bits, 4);
        return f;
    }
    uint32_t bits = sign | ((exp + 112) << 23) | (man << 13);
    memcpy(&f, &bits, 4);
    return f;
}

static uint16_t float_to_half(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000;
    int32_t exp = (int32_t)((x >> 23) & 0xff) - 127 + 15;
    uint32_t man = x & 0x7fffff;
    if (((x >> 23) & 0xff) == 0xff) return (uint16_t)(sign | 0x7c00 | (man ? 0x200 : 0));
    if (exp >= 31) return (uint16_t)(sign | 0x7c00);
    if (exp <= 0) {
        if (exp < -10) return (uint16_t)sign;
        man |= 0x800000;
        uint32_t shift = (uint32_t)(14 - exp);
        uint32_t half = man >> shift;
        uint32_t rem = man & ((1u << shift) - 1), mid = 1u << (shift - 1);
        if (rem > mid || (rem == mid && (half & 1))) half++;
        return (uint16_t)(sign | half);
    }
    uint32_t half = sign | ((uint32_t)exp << 10) | (man >> 13);
    uint32_t rem = man & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (half & 1))) half++;
    return (uint16_t)half;
}

double ox_tensor_get_f(const ox_tensor *t, int64_t i)
{
    const unsigned char *p = (const unsigned char *)t->data + (size_t)i * ox_dtype_size(t->dtype);
    switch (t->dtype) {
    case OX_FLOAT: { float v; memcpy(&v, p, 4); return v; }
    case OX_DOUBLE: { double v; memcpy(&v, p, 8); return v; }
    case OX_FLOAT16: { uint16_t v; memcpy(&v, p, 2); return half_to_float(v); }
    case OX_BFLOAT16: {
        uint16_t v; memcpy(&v, p, 2);
        uint32_t bits = (uint32_t)v << 16; float f; memcpy(&f, &bits, 4); return f;
    }
    case OX_COMPLEX64: { float v; memcpy(&v, p, 4); return v; }   /* the real part */
    case OX_COMPLEX128: { double v; memcpy(&v, p, 8); return v; }
    case OX_STRING: case OX_UNDEFINED: return 0;
    default: return (double)ox_tensor_get_i(t, i);
    }
}

int64_t ox_tensor_get_i(const ox_tensor *t, int64_t i)
{
    const unsigned char *p = (const unsigned char *)t->data + (size_t)i * ox_dtype_size(t->dtype);
    switch (t->dtype) {
    case OX_INT64: { int64_t v; memcpy(&v, p, 8); return v; }
    case OX_INT32: { int32_t v; memcpy(&v, p, 4); return v; }
    case OX_INT16: { int16_t v; memcpy(&v, p, 2); return v; }
    case OX_INT8: { int8_t v; memcpy(&v, p, 1); return v; }
    case OX_UINT8: case OX_BOOL: return *p;
    case OX_UINT16: { uint16_t v; memcpy(&v, p, 2); return v; }
    case OX_UINT32: { uint32_t v; memcpy(&v, p, 4); return v; }
    case OX_UINT64: { uint64_t v; memcpy(&v, p, 8); return (int64_t)v; }
    default: {
        double d = ox_tensor_get_f(t, i);
        if (d != d) return 0;
        if (d >= 9.2e18) return INT64_MAX;
        if (d <= -9.2e18) return INT64_MIN;
        return (int64_t)d;
    }
    }
}

void ox_tensor_set_f(ox_tensor *t, int64_t i, double v)
{
    unsigned char *p = (unsigned char *)t->data + (size_t)i * ox_dtype_size(t->dtype);
    switch (t->dtype) {
    case OX_FLOAT: { float f = (float)v; memcpy(p, &f, 4); return; }
    case OX_DOUBLE: memcpy(p, &v, 8); return;
    case OX_FLOAT16: { uint16_t h = float_to_half((float)v); memcpy(p, &h, 2); return; }
    case OX_BFLOAT16: {
        float f = (float)v; uint32_t bits; memcpy(&bits, &f, 4);
        bits += 0x7fff + ((bits >> 16) & 1); /* round to nearest even */
        uint16_t h = (uint16_t)(bits >> 16); memcpy(p, &h, 2); return;
    }
    case OX_BOOL: *p = v != 0; return;
    default: {
        int64_t x;
        if (v != v) x = 0;
        else if (v >= 9.2e18) x = INT64_MAX;
        else if (v <= -9.2e18) x = INT64_MIN;
        else x = (int64_t)v;
        ox_tensor_set_i(t, i, x);
    }
    }
}

void ox_tensor_set_i(ox_tensor *t, int64_t i, int64_t v)
{
    unsigned char *p = (unsigned char *)t->data + (size_t)i * ox_dtype_size(t->dtype);
    switch (t->dtype) {
    case OX_INT64: memcpy(p, &v, 8); return;
    case OX_INT32: { int32_t x = (int32_t)v; memcpy(p, &x, 4); return; }
    case OX_INT16: { int16_t x = (int16_t)v; memcpy(p, &x, 2); return; }
    case OX_INT8: { int8_t x = (int8_t)v; memcpy(p, &x, 1); return; }
    case OX_UINT8: *p = (uint8_t)v; return;
    case OX_BOOL: *p = v != 0; return;
    case OX_UINT16: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); return; }
    case OX_UINT32: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); return; }
    case OX_UINT64: { uint64_t x = (uint64_t)v; memcpy(p, &x, 8); return; }
    default: ox_tensor_set_f(t, i, (double)v);
    }
}

bool ox_tensor_equal(const ox_tensor *a, const ox_tensor *b)
{
    if (a->dtype != b->dtype || a->rank != b->rank || a->nbytes != b->nbytes) return false;
    for (int i = 0; i < a->rank; i++)
        if (a->dims[i] != b->dims[i]) return false;
    return a->data == b->data || memcmp(a->data, b->data, a->nbytes) == 0;
}
