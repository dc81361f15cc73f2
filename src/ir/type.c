#include <string.h>

#include "ir/ir.h"

ox_type *ox_type_new(ox_arena *a, ox_type_kind kind)
{
    ox_type *t = ox_arena_alloc(a, sizeof(*t));
    if (!t) return NULL;
    t->kind = kind;
    t->rank = -1;
    return t;
}

ox_type *ox_type_tensor(ox_arena *a, ox_dtype dtype, int rank, const int64_t *dims)
{
    ox_type *t = ox_type_new(a, OX_TYPE_TENSOR);
    if (!t) return NULL;
    t->dtype = dtype;
    t->rank = rank;
    if (rank > 0) {
        t->dims = ox_arena_alloc(a, (size_t)rank * sizeof(int64_t));
        if (!t->dims) return NULL;
        for (int i = 0; i < rank; i++) t->dims[i] = dims ? dims[i] : OX_DIM_UNKNOWN;
    }
    return t;
}

ox_type *ox_type_copy(ox_arena *a, const ox_type *src)
{
    if (!src) return NULL;
    ox_type *t = ox_arena_alloc(a, sizeof(*t));
    if (!t) return NULL;
    *t = *src;
    if (src->rank > 0) {
        t->dims = ox_arena_alloc(a, (size_t)src->rank * sizeof(int64_t));
        if (!t->dims) return NULL;
        memcpy(t->dims, src->dims, (size_t)src->rank * sizeof(int64_t));
        if (src->dim_names) {
            t->dim_names = ox_arena_alloc(a, (size_t)src->rank * sizeof(char *));
            if (!t->dim_names) return NULL;
            memcpy(t->dim_names, src->dim_names, (size_t)src->rank * sizeof(char *));
        }
    }
    if (src->nelems) {
        t->elems = ox_arena_alloc(a, (size_t)src->nelems * sizeof(ox_type *));
        if (!t->elems) return NULL;
        for (int i = 0; i < src->nelems; i++) t->elems[i] = ox_type_copy(a, src->elems[i]);
    }
    return t;
}

const char *ox_type_kind_name(ox_type_kind k)
{
    static const char *names[] = {"tensor", "int",    "float",       "bool", "str",
                                  "none",   "device", "number",      "layout",
                                  "dtype_value", "list", "tuple", "optional"};
    return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

bool ox_type_is_tensor(const ox_type *t) { return t && t->kind == OX_TYPE_TENSOR; }

int ox_type_rank(const ox_type *t) { return ox_type_is_tensor(t) ? t->rank : -1; }

bool ox_type_is_static(const ox_type *t)
{
    if (!ox_type_is_tensor(t) || t->rank < 0) return false;
    for (int i = 0; i < t->rank; i++)
        if (t->dims[i] < 0) return false;
    return true;
}

int64_t ox_type_numel(const ox_type *t)
{
    if (!ox_type_is_static(t)) return -1;
    int64_t n = 1;
    for (int i = 0; i < t->rank; i++) n *= t->dims[i];
    return n;
}
