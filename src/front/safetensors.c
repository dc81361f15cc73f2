/* Safetensors reader: validate the header with the JSON reader, borrow the data. */
#include "front/safetensors.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "front/json.h"

/* Tensor names quoted in messages are cut to this many bytes. */
#define MAX_QUOTED 200

#define FAIL(ctx, ...) ox_fail((ctx), ONNXIFY_ERR_GRAPH_DESCRIPTION, __VA_ARGS__)

static uint64_t read_u64le(const uint8_t *b)
{
    uint64_t v = 0;
    for (int k = 7; k >= 0; k--) v = (v << 8) | b[k];
    return v;
}

/* "[2, 3]", cut with "...]" when long. */
static const char *shape_text(char *buf, size_t size, const int64_t *dims, int rank)
{
    size_t used = (size_t)snprintf(buf, size, "[");
    for (int k = 0; k <= rank; k++) {
        int w = k == rank ? snprintf(buf + used, size - used, "]")
                          : snprintf(buf + used, size - used, "%s%lld", k ? ", " : "", (long long)dims[k]);
        if (w < 0 || (size_t)w >= size - used) {
            memcpy(buf + size - 5, "...]", 5);
            break;
        }
        used += (size_t)w;
    }
    return buf;
}

/* What a JSON value is, for messages: "-3", "1.5", "1000 (not written as an integer)", "a string". */
static const char *value_text(char *buf, size_t size, const ox_json *v)
{
    if (v->kind != OX_JSON_NUMBER)
        snprintf(buf, size, "a%s %s", v->kind == OX_JSON_ARRAY || v->kind == OX_JSON_OBJECT ? "n" : "",
                 ox_json_kind_name(v->kind));
    else if (v->is_int)
        snprintf(buf, size, "%lld", (long long)v->integer);
    else if (v->number > -9.2e18 && v->number < 9.2e18 && (double)(long long)v->number == v->number)
        snprintf(buf, size, "%.17g (not written as an integer)", v->number);
    else if (v->number <= -9.2e18 || v->number >= 9.2e18)
        snprintf(buf, size, "%.17g (beyond int64)", v->number);
    else
        snprintf(buf, size, "%.17g", v->number);
    return buf;
}

static ox_status read_tensor(ox_ctx *ctx, const char *name, const ox_json *desc, const uint8_t *data,
                             uint64_t data_len, ox_st_tensor *t)
{
    int nl = (int)(strlen(name) < MAX_QUOTED ? strlen(name) : MAX_QUOTED);
    const char *cut = strlen(name) > MAX_QUOTED ? "..." : "";
    char vbuf[64], sbuf[160];

    t->name = name;
    if (desc->kind != OX_JSON_OBJECT)
        return FAIL(ctx, "safetensors tensor \"%.*s%s\": expected an object, found %s", nl, name, cut,
                    value_text(vbuf, sizeof vbuf, desc));

    const ox_json *dtype = ox_json_get(desc, "dtype");
    if (!dtype || dtype->kind != OX_JSON_STRING)
        return FAIL(ctx, "safetensors tensor \"%.*s%s\": \"dtype\" is %s, expected a string", nl, name, cut,
                    dtype ? value_text(vbuf, sizeof vbuf, dtype) : "missing");
    if (!ox_dtype_from_safetensors(dtype->string, dtype->string_len, &t->dtype))
        return FAIL(ctx, "safetensors tensor \"%.*s%s\": unknown dtype \"%.40s\"", nl, name, cut, dtype->string);

    const ox_json *shape = ox_json_get(desc, "shape");
    if (!shape || shape->kind != OX_JSON_ARRAY)
        return FAIL(ctx, "safetensors tensor \"%.*s%s\": \"shape\" is %s, expected an array", nl, name, cut,
                    shape ? value_text(vbuf, sizeof vbuf, shape) : "missing");
    if (shape->count > INT_MAX)
        return FAIL(ctx, "safetensors tensor \"%.*s%s\": too many dimensions", nl, name, cut);
    t->rank = (int)shape->count;
    int64_t *dims = NULL;
    if (t->rank) {
        dims = ox_arena_alloc(ctx->arena, shape->count * sizeof(int64_t));
        if (!dims) return OX_NOMEM(ctx);
    }
    uint64_t numel = 1;
    bool overflow = false, empty = false;
    for (size_t k = 0; k < shape->count; k++) {
        const ox_json *d = shape->items[k];
        if (d->kind != OX_JSON_NUMBER || !d->is_int || d->integer < 0)
            return FAIL(ctx, "safetensors tensor \"%.*s%s\": shape[%zu] is %s, expected a non-negative integer",
                        nl, name, cut, k, value_text(vbuf, sizeof vbuf, d));
        dims[k] = d->integer;
        uint64_t dim = (uint64_t)d->integer;
        if (dim == 0) empty = true;
        else if (numel > UINT64_MAX / dim) overflow = true;
        else numel *= dim;
    }
    t->dims = dims;
    size_t esize = ox_dtype_size(t->dtype);
    uint64_t need = 0;
    if (!empty) {
        if (overflow || numel > UINT64_MAX / esize)
            return FAIL(ctx, "safetensors tensor \"%.*s%s\": shape %s is too large", nl, name, cut,
                        shape_text(sbuf, sizeof sbuf, dims, t->rank));
        need = numel * esize;
    }

    const ox_json *off = ox_json_get(desc, "data_offsets");
    if (!off || off->kind != OX_JSON_ARRAY || off->count != 2)
        return FAIL(ctx, "safetensors tensor \"%.*s%s\": \"data_offsets\" is %s, expected [begin, end]", nl, name,
                    cut, off ? (off->kind == OX_JSON_ARRAY ? "an array of the wrong length" : value_text(vbuf, sizeof vbuf, off))
                             : "missing");
    for (size_t k = 0; k < 2; k++) {
        const ox_json *o = off->items[k];
        if (o->kind != OX_JSON_NUMBER || !o->is_int || o->integer < 0)
            return FAIL(ctx, "safetensors tensor \"%.*s%s\": data_offsets[%zu] is %s, expected a non-negative integer",
                        nl, name, cut, k, value_text(vbuf, sizeof vbuf, o));
    }
    uint64_t begin = (uint64_t)off->items[0]->integer, end = (uint64_t)off->items[1]->integer;
    if (end < begin)
        return FAIL(ctx, "safetensors tensor \"%.*s%s\": data_offsets [%llu, %llu]: end is before begin", nl, name,
                    cut, (unsigned long long)begin, (unsigned long long)end);
    if (end > data_len)
        return FAIL(ctx, "safetensors tensor \"%.*s%s\": data_offsets [%llu, %llu] lie outside the data buffer of %llu bytes",
                    nl, name, cut, (unsigned long long)begin, (unsigned long long)end, (unsigned long long)data_len);
    if (end - begin != need)
        return FAIL(ctx, "safetensors tensor \"%.*s%s\": holds %llu bytes but dtype %s and shape %s need %llu", nl,
                    name, cut, (unsigned long long)(end - begin), dtype->string,
                    shape_text(sbuf, sizeof sbuf, dims, t->rank), (unsigned long long)need);
    t->data = data + (size_t)begin;
    t->nbytes = (size_t)need;
    return OX_OK;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const ox_st_tensor *)a)->name, ((const ox_st_tensor *)b)->name);
}

ox_status ox_safetensors_parse(ox_ctx *ctx, const uint8_t *buf, size_t len, ox_safetensors *out)
{
    if (!out) return ox_fail(ctx, ONNXIFY_ERR_INTERNAL, "ox_safetensors_parse: no output");
    out->tensors = NULL;
    out->count = 0;
    if (!buf || len == 0) return OX_OK;

    if (len < 8)
        return FAIL(ctx, "truncated safetensors: %zu bytes, too short for the 8-byte header size", len);
    uint64_t hlen = read_u64le(buf);
    if (hlen > (uint64_t)(len - 8))
        return FAIL(ctx, "truncated safetensors: the header size says %llu bytes but only %zu follow",
                    (unsigned long long)hlen, len - 8);

    ox_json *header;
    if (ox_json_parse(ctx, (const char *)buf + 8, (size_t)hlen, &header) != OX_OK) {
        ox_fail_prefix(ctx, "safetensors header: ");
        return ctx->status;
    }
    if (header->kind != OX_JSON_OBJECT)
        return FAIL(ctx, "safetensors header: expected a JSON object, found %s", ox_json_kind_name(header->kind));

    const uint8_t *data = buf + 8 + hlen;
    uint64_t data_len = (uint64_t)(len - 8) - hlen;
    size_t n = 0;
    for (size_t k = 0; k < header->count; k++)
        if (strcmp(header->keys[k], "__metadata__") != 0) n++;

    ox_st_tensor *tensors = NULL;
    if (n) {
        tensors = ox_arena_alloc(ctx->arena, n * sizeof *tensors);
        if (!tensors) return OX_NOMEM(ctx);
    }
    size_t t = 0;
    for (size_t k = 0; k < header->count; k++) {
        const ox_json *v = header->items[k];
        if (strcmp(header->keys[k], "__metadata__") == 0) {
            if (v->kind != OX_JSON_OBJECT)
                return FAIL(ctx, "safetensors header: \"__metadata__\" is a%s %s, expected an object",
                            v->kind == OX_JSON_ARRAY ? "n" : "", ox_json_kind_name(v->kind));
            continue;
        }
        OX_TRY(read_tensor(ctx, header->keys[k], v, data, data_len, &tensors[t++]));
    }
    if (n > 1) qsort(tensors, n, sizeof *tensors, by_name);
    out->tensors = tensors;
    out->count = n;
    return OX_OK;
}

const ox_st_tensor *ox_safetensors_find(const ox_safetensors *st, const char *name)
{
    if (!st || !name) return NULL;
    size_t lo = 0, hi = st->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(st->tensors[mid].name, name);
        if (c == 0) return &st->tensors[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}
