/* IR graph -> ModelProto bytes (seed: torch's C++ GraphEncoder, export.cpp,
 * reached from _export via graph._export_onnx).
 *
 * Order of work, as in the encoder:
 *   1. ir_version from the opset table, reject an unsupported opset;
 *   2. validate: no aten::/prim:: node may remain in ONNX mode (None
 *      constants excepted), no prim::PythonOp unless ONNX_FALLTHROUGH;
 *   3. the 2 GiB guard on the raw tensor bytes (length prefixes are 32-bit);
 *   4. build the protobuf-c structs in the arena: header, graph (inputs,
 *      outputs, nodes, initializers, value_info), opset imports;
 *   5. exact packed size, the 2 GiB guard again, one pack into `out`.
 * Tensor payloads are never copied before step 5: TensorProto.raw_data points
 * at the tensor's own bytes and protobuf-c's pack_to_buffer hands that pointer
 * straight to our sink, which appends into a buffer reserved at the exact
 * final size. */
#include "onnx/serialize.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx.pb-c.h"
#include "onnx/checker.h"

/* ---- ox_buffer ----------------------------------------------------------- */

void ox_buffer_init(ox_buffer *b) { memset(b, 0, sizeof(*b)); }

bool ox_buffer_reserve(ox_buffer *b, size_t extra)
{
    if (b->failed) return false;
    if (extra <= b->cap - b->len) return true;
    if (extra > SIZE_MAX - b->len) {
        b->failed = true;
        return false;
    }
    /* at least double (amortized appends), but exactly `need` when that is
     * more: the serializer reserves the final size once and gets no slack */
    size_t need = b->len + extra;
    size_t cap = b->cap <= SIZE_MAX / 2 ? b->cap * 2 : SIZE_MAX;
    if (cap < need) cap = need;
    uint8_t *p = realloc(b->data, cap);
    if (!p) {
        b->failed = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void ox_buffer_append(ox_buffer *b, const void *data, size_t n)
{
    if (n == 0 || !ox_buffer_reserve(b, n)) return;
    memcpy(b->data + b->len, data, n);
    b->len += n;
}

void ox_buffer_reset(ox_buffer *b)
{
    b->len = 0;
    b->failed = false;
    b->nsegs = 0;
    b->total = 0;
}

void ox_buffer_free(ox_buffer *b)
{
    free(b->data);
    free(b->segs);
    ox_buffer_init(b);
}

static bool push_segment(ox_buffer *b, const uint8_t *ptr, size_t offset, size_t len)
{
    if (b->failed) return false;
    if (b->nsegs == b->segs_cap) {
        size_t cap = b->segs_cap ? b->segs_cap * 2 : 64;
        ox_segment *p = realloc(b->segs, cap * sizeof(*p));
        if (!p) {
            b->failed = true;
            return false;
        }
        b->segs = p;
        b->segs_cap = cap;
    }
    b->segs[b->nsegs++] = (ox_segment){ptr, offset, len};
    return true;
}

/* Chunked append: borrow big pieces, copy small ones (merged with the
 * previous copied segment when adjacent). */
static void chunked_append(ox_buffer *b, const uint8_t *data, size_t n)
{
    if (n == 0) return;
    b->total += n;
    if (n >= OX_BORROW_MIN) {
        push_segment(b, data, 0, n);
        return;
    }
    size_t at = b->len;
    ox_buffer_append(b, data, n);
    if (b->failed) return;
    ox_segment *last = b->nsegs ? &b->segs[b->nsegs - 1] : NULL;
    if (last && !last->ptr && last->offset + last->len == at) last->len += n;
    else push_segment(b, NULL, at, n);
}

const uint8_t *ox_buffer_segment(const ox_buffer *b, size_t i, size_t *len)
{
    *len = b->segs[i].len;
    return b->segs[i].ptr ? b->segs[i].ptr : b->data + b->segs[i].offset;
}

uint8_t *ox_buffer_take(ox_buffer *b, size_t *len)
{
    uint8_t *p = NULL;
    if (!b->failed && b->len) {
        p = b->data;
        if (len) *len = b->len;
        b->data = NULL;
    } else if (len) {
        *len = 0;
    }
    ox_buffer_free(b);
    return p;
}

/* The protobuf-c sink: every piece of the message, including the caller's own
 * pointers for bytes fields (the weights), goes straight into the buffer. */
typedef struct buffer_sink {
    ProtobufCBuffer base;
    ox_buffer *out;
} buffer_sink;

static void sink_append(ProtobufCBuffer *base, size_t len, const uint8_t *data)
{
    buffer_sink *s = (buffer_sink *)base;
    if (s->out->chunked) chunked_append(s->out, data, len);
    else ox_buffer_append(s->out, data, len);
}

/* ---- options and the opset table ---------------------------------------- */

void ox_serialize_options_init(ox_serialize_options *o)
{
    memset(o, 0, sizeof(*o));
    o->strip_doc = true;
}

/* torch's kOpsetVersionToIRVersion up to opset 20; beyond it, the IR version
 * ONNX itself released with each opset (onnx/helper.py VERSION_TABLE:
 * 1.16 -> IR 10 / opset 21, 1.17 -> 10 / 22, 1.18 -> 11 / 23). 0 = invalid
 * (torch's table has holes at opsets 2-4). */
static const int8_t k_ir_for_opset[] = {
    /* 0 */ 0, 3, 0, 0, 0, 3, 3, 3, 3, 4,
    /* 10 */ 5, 6, 7, 7, 7, 8, 8, 8, 8, 9,
    /* 20 */ 9, 10, 10, 11,
};

int64_t ox_ir_version_for_opset(int opset)
{
    if (opset < 0 || (size_t)opset >= sizeof(k_ir_for_opset)) return 0;
    return k_ir_for_opset[opset];
}

/* ---- the encoder --------------------------------------------------------- */

/* Nesting cap for sub-graphs and types: recursion depth stays bounded whatever
 * the input (a deep stack would trap a WASM instance). */
#define MAX_DEPTH 16

/* The 2 GiB protobuf limit (torch: INT_MAX). */
#define PROTO_LIMIT ((uint64_t)INT32_MAX)

typedef struct enc {
    ox_graph *g;
    ox_ctx *ctx;
    ox_arena *a;
    const ox_export_settings *s;
    bool strip_doc;
    bool write_inits;          /* export_params: parameters become initializers */
    int nsub;                  /* sub-graphs named so far ("sub_graph", "sub_graph1", ...) */
    const char **domains;      /* non-ONNX domains used by encoded nodes (unique) */
    int ndomains, domains_cap;
} enc;

#define NEW(e, ptr, initfn)                                   \
    do {                                                      \
        (ptr) = ox_arena_alloc((e)->a, sizeof(*(ptr)));       \
        if (!(ptr)) return OX_NOMEM((e)->ctx);                \
        initfn(ptr);                                          \
    } while (0)

#define NEW_ARRAY(e, ptr, count)                                         \
    do {                                                                 \
        size_t n_ = (size_t)(count);                                     \
        (ptr) = NULL;                                                    \
        if (n_) {                                                        \
            if (n_ > SIZE_MAX / sizeof(*(ptr))) return OX_NOMEM((e)->ctx); \
            (ptr) = ox_arena_alloc((e)->a, n_ * sizeof(*(ptr)));         \
            if (!(ptr)) return OX_NOMEM((e)->ctx);                       \
        }                                                                \
    } while (0)

static bool ns_is(const char *kind, const char *ns)
{
    size_t n = strlen(ns);
    return strncmp(kind, ns, n) == 0 && kind[n] == ':' && kind[n + 1] == ':';
}

/* A None constant: prim::Constant whose single output is None. torch skips
 * these when encoding and writes "" for every use (an omitted input). */
static bool is_none_constant(const ox_node *n)
{
    return ox_node_is(n, "prim::Constant") && n->noutputs == 1 && ox_value_is_none(n->outputs[0]);
}

/* NodeProto.domain of a kind: "" for onnx:: (and kinds without namespace),
 * torch's domainString() for aten/_caffe2, else the namespace itself. */
static ox_status node_domain(enc *e, const char *kind, const char **out)
{
    const char *sep = strstr(kind, "::");
    *out = "";
    if (!sep || ns_is(kind, "onnx")) return OX_OK;
    if (ns_is(kind, "aten")) {
        *out = "org.pytorch.aten";
    } else if (ns_is(kind, "_caffe2")) {
        *out = "org.pytorch._caffe2";
    } else {
        *out = ox_arena_strndup(e->a, kind, (size_t)(sep - kind));
        if (!*out) return OX_NOMEM(e->ctx);
    }
    return OX_OK;
}

static ox_status note_domain(enc *e, const char *domain)
{
    for (int i = 0; i < e->ndomains; i++)
        if (strcmp(e->domains[i], domain) == 0) return OX_OK;
    if (e->ndomains == e->domains_cap) {
        int cap = e->domains_cap ? e->domains_cap * 2 : 8;
        void *p = ox_arena_grow(e->a, e->domains, (size_t)e->domains_cap * sizeof(*e->domains),
                                (size_t)cap * sizeof(*e->domains));
        if (!p) return OX_NOMEM(e->ctx);
        e->domains = p;
        e->domains_cap = cap;
    }
    e->domains[e->ndomains++] = domain;
    return OX_OK;
}

static ox_status value_name(enc *e, ox_value *v, char **out)
{
    const char *s = ox_value_name(v);
    if (!s) return OX_NOMEM(e->ctx);
    *out = (char *)s;
    return OX_OK;
}

/* ---- step 2: validation (torch's validateGraph) ------------------------- */

static ox_status validate_block(enc *e, ox_block *b, int depth)
{
    if (depth > MAX_DEPTH)
        return ox_fail(e->ctx, ONNXIFY_ERR_EXPORTER,
                       "sub-graphs nested deeper than %d levels cannot be serialized", MAX_DEPTH);
    onnxify_operator_export_type et = e->s->export_type;
    for (ox_node *n = ox_block_first(b); n != b->ret; n = n->next) {
        if (is_none_constant(n)) continue;
        if (ox_node_is(n, "prim::PythonOp") && et != ONNXIFY_OPERATOR_EXPORT_ONNX_FALLTHROUGH) {
            ox_attr *name = ox_node_attr(n, "name");
            return ox_fail(e->ctx, ONNXIFY_ERR_EXPORTER,
                           "ONNX export failed: Couldn't export Python operator %s\n\n%s",
                           name && name->kind == OX_ATTR_S ? name->v.s : n->kind,
                           ox_node_describe(n));
        }
        if (et == ONNXIFY_OPERATOR_EXPORT_ONNX &&
            (ns_is(n->kind, "aten") || ns_is(n->kind, "prim") || ns_is(n->kind, "attr")))
            return ox_fail(e->ctx, ONNXIFY_ERR_EXPORTER, "Couldn't export operator %s\n\n%s",
                           n->kind, ox_node_describe(n));
        if (ox_node_is(n, "onnx::LocalFunctionDef"))
            return ox_fail(e->ctx, ONNXIFY_ERR_EXPORTER,
                           "%s: local functions (export_modules_as_functions) are not "
                           "serialized yet",
                           ox_node_describe(n));
        bool control_flow = ox_node_is(n, "onnx::If") || ox_node_is(n, "onnx::Loop");
        if (n->nblocks && ns_is(n->kind, "onnx") && !control_flow)
            return ox_fail(e->ctx, ONNXIFY_ERR_EXPORTER,
                           "%s has %d sub-block(s), but only onnx::If and onnx::Loop carry "
                           "sub-graphs in ONNX",
                           ox_node_describe(n), n->nblocks);
        if (ox_node_is(n, "onnx::If") && n->nblocks != 2 && n->nblocks != 0)
            return ox_fail(e->ctx, ONNXIFY_ERR_EXPORTER, "%s needs 2 blocks, has %d",
                           ox_node_describe(n), n->nblocks);
        if (ox_node_is(n, "onnx::Loop") && n->nblocks != 1 && n->nblocks != 0)
            return ox_fail(e->ctx, ONNXIFY_ERR_EXPORTER, "%s needs 1 block, has %d",
                           ox_node_describe(n), n->nblocks);
        for (int k = 0; k < n->nblocks; k++) OX_TRY(validate_block(e, n->blocks[k], depth + 1));
        for (ox_attr *a = n->attrs; a; a = a->next) {
            if (a->kind == OX_ATTR_G) OX_TRY(validate_block(e, a->v.g, depth + 1));
            if (a->kind == OX_ATTR_GS)
                for (int k = 0; k < a->n; k++) OX_TRY(validate_block(e, a->v.gs[k], depth + 1));
        }
    }
    return OX_OK;
}

/* ---- step 3: tensor checks and the size estimate ------------------------ */

/* Where a tensor sits, for error messages: an initializer or a node attribute. */
typedef struct tensor_site {
    const char *init_name;
    ox_node *node;
    const char *attr;
} tensor_site;

static ox_status tensor_error(enc *e, const tensor_site *at, const char *problem)
{
    if (at->init_name)
        return ox_fail(e->ctx, ONNXIFY_ERR_EXPORTER, "initializer '%s': %s", at->init_name,
                       problem);
    return ox_fail(e->ctx, ONNXIFY_ERR_EXPORTER, "attribute '%s' of %s: %s", at->attr,
                   ox_node_describe(at->node), problem);
}

/* Checks that a tensor can be written as raw_data and adds its bytes to *total. */
static ox_status check_tensor(enc *e, const ox_tensor *t, const tensor_site *at, uint64_t *total)
{
    char msg[160];
    if (!t) return tensor_error(e, at, "missing tensor");
    size_t esize = ox_dtype_size(t->dtype);
    if (esize == 0) {
        snprintf(msg, sizeof msg, "tensors of dtype %d cannot be written as raw data",
                 (int)t->dtype);
        return tensor_error(e, at, msg);
    }
    if (t->rank < 0 || (t->rank > 0 && !t->dims))
        return tensor_error(e, at, "tensor of unknown rank");
    uint64_t numel = 1;
    for (int i = 0; i < t->rank; i++) {
        int64_t d = t->dims[i];
        if (d < 0) {
            snprintf(msg, sizeof msg, "negative dimension %lld", (long long)d);
            return tensor_error(e, at, msg);
        }
        if (d && numel > UINT64_MAX / 16 / (uint64_t)d)
            return tensor_error(e, at, "tensor size overflows");
        numel *= (uint64_t)d;
    }
    if (numel * esize != (uint64_t)t->nbytes) {
        snprintf(msg, sizeof msg, "tensor data has %llu bytes, its shape and dtype need %llu",
                 (unsigned long long)t->nbytes, (unsigned long long)(numel * esize));
        return tensor_error(e, at, msg);
    }
    if (t->nbytes && !t->data) return tensor_error(e, at, "tensor has no data");
    *total += t->nbytes;
    return OX_OK;
}

static ox_status fail_too_large(enc *e)
{
    return ox_fail(e->ctx, ONNXIFY_ERR_EXPORTER,
                   "The serialized model is larger than the 2GiB limit imposed by the protobuf "
                   "library. Therefore the output file must be a file path, so that the ONNX "
                   "external data can be written to the same directory. Please specify the "
                   "output file name. (onnxify does not write external data yet.)");
}

static ox_status measure_block(enc *e, ox_block *b, uint64_t *total)
{
    for (ox_node *n = ox_block_first(b); n != b->ret; n = n->next) {
        if (is_none_constant(n)) continue;
        for (ox_attr *a = n->attrs; a; a = a->next) {
            tensor_site at = {.node = n, .attr = a->name};
            if (a->kind == OX_ATTR_T) OX_TRY(check_tensor(e, a->v.t, &at, total));
            if (a->kind == OX_ATTR_TS)
                for (int k = 0; k < a->n; k++) OX_TRY(check_tensor(e, a->v.ts[k], &at, total));
            if (a->kind == OX_ATTR_G) OX_TRY(measure_block(e, a->v.g, total));
            if (a->kind == OX_ATTR_GS)
                for (int k = 0; k < a->n; k++) OX_TRY(measure_block(e, a->v.gs[k], total));
        }
        for (int k = 0; k < n->nblocks; k++) OX_TRY(measure_block(e, n->blocks[k], total));
    }
    return OX_OK;
}

static ox_status measure_model(enc *e, uint64_t *total)
{
    ox_block *top = e->g->top;
    *total = 0;
    if (e->write_inits) {
        for (int i = 0; i < ox_block_ninputs(top); i++) {
            ox_value *v = ox_block_input(top, i);
            if (!v->init) continue;
            char *name = NULL;
            OX_TRY(value_name(e, v, &name));
            tensor_site at = {.init_name = name};
            OX_TRY(check_tensor(e, v->init, &at, total));
        }
    }
    OX_TRY(measure_block(e, top, total));
    return *total > PROTO_LIMIT ? fail_too_large(e) : OX_OK;
}

/* ---- tensors ------------------------------------------------------------- */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
/* ONNX raw_data is little-endian: big-endian hosts write a swapped copy (the
 * only case where weight bytes are copied before packing). */
static ox_status little_endian_bytes(enc *e, const ox_tensor *t, const uint8_t **out)
{
    size_t unit = ox_dtype_size(t->dtype);
    if (t->dtype == OX_COMPLEX64 || t->dtype == OX_COMPLEX128) unit /= 2;
    *out = t->data;
    if (unit <= 1 || !t->nbytes) return OX_OK;
    uint8_t *p = ox_arena_alloc(e->a, t->nbytes);
    if (!p) return OX_NOMEM(e->ctx);
    const uint8_t *src = t->data;
    for (size_t i = 0; i < t->nbytes; i += unit)
        for (size_t k = 0; k < unit; k++) p[i + k] = src[i + unit - 1 - k];
    *out = p;
    return OX_OK;
}
#else
static ox_status little_endian_bytes(enc *e, const ox_tensor *t, const uint8_t **out)
{
    (void)e;
    *out = t->data;
    return OX_OK;
}
#endif

/* dims + data_type + raw_data, pointing at the tensor's own bytes. */
static ox_status enc_tensor(enc *e, const ox_tensor *t, const char *name, Onnx__TensorProto **out)
{
    Onnx__TensorProto *p;
    NEW(e, p, onnx__tensor_proto__init);
    p->n_dims = (size_t)t->rank;
    p->dims = t->rank ? t->dims : NULL;
    p->has_data_type = 1;
    p->data_type = (int32_t)t->dtype;
    p->name = (char *)name;
    const uint8_t *bytes;
    OX_TRY(little_endian_bytes(e, t, &bytes));
    p->has_raw_data = 1;
    p->raw_data.len = t->nbytes;
    p->raw_data.data = (uint8_t *)bytes;
    *out = p;
    return OX_OK;
}

/* ---- value types --------------------------------------------------------- */

/* torch's generated dim_param: <producer op_type><value name>_dim_<axis>, the
 * prefix empty for block inputs. */
static ox_status generated_dim_name(enc *e, ox_value *v, int axis, char **out)
{
    char *name = NULL;
    OX_TRY(value_name(e, v, &name));
    const char *prefix = ox_node_is(v->node, "prim::Param") ? "" : ox_kind_name(v->node->kind);
    *out = ox_arena_printf(e->a, "%s%s_dim_%d", prefix, name, axis);
    return *out ? OX_OK : OX_NOMEM(e->ctx);
}

static ox_status enc_tensor_type(enc *e, ox_dtype dtype, const ox_type *t, ox_value *v,
                                 Onnx__TypeProto **out)
{
    Onnx__TypeProto *tp;
    Onnx__TypeProto__Tensor *tt;
    NEW(e, tp, onnx__type_proto__init);
    NEW(e, tt, onnx__type_proto__tensor__init);
    tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    tp->tensor_type = tt;
    if (dtype != OX_UNDEFINED) {
        tt->has_elem_type = 1;
        tt->elem_type = (int32_t)dtype;
    }
    *out = tp;
    if (!t || t->rank < 0) return OX_OK;

    Onnx__TensorShapeProto *shape;
    NEW(e, shape, onnx__tensor_shape_proto__init);
    NEW_ARRAY(e, shape->dim, t->rank);
    shape->n_dim = (size_t)t->rank;
    for (int i = 0; i < t->rank; i++) {
        Onnx__TensorShapeProto__Dimension *d;
        NEW(e, d, onnx__tensor_shape_proto__dimension__init);
        const char *dname = t->dim_names ? t->dim_names[i] : NULL;
        int64_t size = t->dims ? t->dims[i] : OX_DIM_UNKNOWN;
        if (dname && *dname) {
            d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
            d->dim_param = (char *)dname;
        } else if (size >= 0) {
            d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
            d->dim_value = size;
        } else if (v) {
            d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
            OX_TRY(generated_dim_name(e, v, i, &d->dim_param));
        }
        shape->dim[i] = d;
    }
    tt->shape = shape;
    return OX_OK;
}

/* The TypeProto of an IR type; *out = NULL when ONNX has no form for it
 * (torch then leaves ValueInfoProto.type unset). `v` names generated dims;
 * NULL inside sequences (torch leaves unknown element dims empty). */
static ox_status enc_type(enc *e, const ox_type *t, ox_value *v, int depth, Onnx__TypeProto **out)
{
    *out = NULL;
    if (!t) return OX_OK;
    if (depth > MAX_DEPTH)
        return ox_fail(e->ctx, ONNXIFY_ERR_EXPORTER, "type nested deeper than %d levels",
                       MAX_DEPTH);
    switch (t->kind) {
    case OX_TYPE_TENSOR: return enc_tensor_type(e, t->dtype, t, v, out);
    case OX_TYPE_INT: return enc_tensor_type(e, OX_INT64, NULL, NULL, out);
    case OX_TYPE_FLOAT: return enc_tensor_type(e, OX_FLOAT, NULL, NULL, out);
    case OX_TYPE_BOOL: return enc_tensor_type(e, OX_BOOL, NULL, NULL, out);
    case OX_TYPE_LIST:
    case OX_TYPE_OPTIONAL: {
        if (t->nelems < 1 || !t->elems) return OX_OK;
        Onnx__TypeProto *elem;
        bool list = t->kind == OX_TYPE_LIST;
        OX_TRY(enc_type(e, t->elems[0], list ? NULL : v, depth + 1, &elem));
        if (!elem) return OX_OK;
        Onnx__TypeProto *tp;
        NEW(e, tp, onnx__type_proto__init);
        if (list) {
            Onnx__TypeProto__Sequence *seq;
            NEW(e, seq, onnx__type_proto__sequence__init);
            seq->elem_type = elem;
            tp->value_case = ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE;
            tp->sequence_type = seq;
        } else {
            Onnx__TypeProto__Optional *opt;
            NEW(e, opt, onnx__type_proto__optional__init);
            opt->elem_type = elem;
            tp->value_case = ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE;
            tp->optional_type = opt;
        }
        *out = tp;
        return OX_OK;
    }
    default: return OX_OK;
    }
}

static ox_status enc_value_info(enc *e, ox_value *v, Onnx__ValueInfoProto **out)
{
    Onnx__ValueInfoProto *vi;
    NEW(e, vi, onnx__value_info_proto__init);
    OX_TRY(value_name(e, v, &vi->name));
    OX_TRY(enc_type(e, v->type, v, 0, &vi->type));
    *out = vi;
    return OX_OK;
}

/* ---- graphs, nodes, attributes ----------------------------------------- */

static ox_status enc_graph(enc *e, ox_block *b, int depth, Onnx__GraphProto **out);

static ox_status enc_attr(enc *e, const ox_attr *a, int depth, Onnx__AttributeProto **out)
{
    Onnx__AttributeProto *p;
    NEW(e, p, onnx__attribute_proto__init);
    p->name = (char *)a->name;
    p->has_type = 1;
    int n = a->n > 0 ? a->n : 0;
    switch (a->kind) {
    case OX_ATTR_F:
        p->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
        p->has_f = 1;
        p->f = (float)a->v.f;
        break;
    case OX_ATTR_FS:
        p->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS;
        NEW_ARRAY(e, p->floats, n);
        for (int i = 0; i < n; i++) p->floats[i] = (float)a->v.fs[i];
        p->n_floats = (size_t)n;
        break;
    case OX_ATTR_I:
        p->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
        p->has_i = 1;
        p->i = a->v.i;
        break;
    case OX_ATTR_IS:
        p->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
        p->ints = n ? a->v.is : NULL;
        p->n_ints = (size_t)n;
        break;
    case OX_ATTR_S:
        p->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING;
        p->has_s = 1;
        p->s.data = (uint8_t *)(a->v.s ? a->v.s : "");
        p->s.len = strlen((const char *)p->s.data);
        break;
    case OX_ATTR_SS:
        p->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS;
        NEW_ARRAY(e, p->strings, n);
        for (int i = 0; i < n; i++) {
            const char *s = a->v.ss[i] ? a->v.ss[i] : "";
            p->strings[i].data = (uint8_t *)s;
            p->strings[i].len = strlen(s);
        }
        p->n_strings = (size_t)n;
        break;
    case OX_ATTR_T:
        p->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR;
        OX_TRY(enc_tensor(e, a->v.t, NULL, &p->t));
        break;
    case OX_ATTR_TS:
        p->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSORS;
        NEW_ARRAY(e, p->tensors, n);
        for (int i = 0; i < n; i++) OX_TRY(enc_tensor(e, a->v.ts[i], NULL, &p->tensors[i]));
        p->n_tensors = (size_t)n;
        break;
    case OX_ATTR_G:
        p->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH;
        OX_TRY(enc_graph(e, a->v.g, depth + 1, &p->g));
        break;
    case OX_ATTR_GS:
        p->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPHS;
        NEW_ARRAY(e, p->graphs, n);
        for (int i = 0; i < n; i++) OX_TRY(enc_graph(e, a->v.gs[i], depth + 1, &p->graphs[i]));
        p->n_graphs = (size_t)n;
        break;
    default:
        return ox_fail(e->ctx, ONNXIFY_ERR_INTERNAL, "attribute '%s' has an unknown kind %d",
                       a->name, (int)a->kind);
    }
    *out = p;
    return OX_OK;
}

/* A GRAPH attribute made from a node's block (If branches, Loop body). */
static ox_status enc_block_attr(enc *e, const char *name, ox_block *b, int depth,
                                Onnx__AttributeProto **out)
{
    Onnx__AttributeProto *p;
    NEW(e, p, onnx__attribute_proto__init);
    p->name = (char *)name;
    p->has_type = 1;
    p->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH;
    OX_TRY(enc_graph(e, b, depth + 1, &p->g));
    *out = p;
    return OX_OK;
}

static ox_status enc_node(enc *e, ox_node *n, int depth, Onnx__NodeProto **out)
{
    Onnx__NodeProto *p;
    NEW(e, p, onnx__node_proto__init);

    NEW_ARRAY(e, p->input, n->ninputs);
    for (int i = 0; i < n->ninputs; i++) {
        ox_value *v = n->inputs[i];
        if (ox_value_is_none(v)) p->input[i] = "";
        else OX_TRY(value_name(e, v, &p->input[i]));
    }
    p->n_input = (size_t)n->ninputs;
    NEW_ARRAY(e, p->output, n->noutputs);
    for (int i = 0; i < n->noutputs; i++) OX_TRY(value_name(e, n->outputs[i], &p->output[i]));
    p->n_output = (size_t)n->noutputs;

    if (n->name && *n->name) p->name = (char *)n->name;
    p->op_type = (char *)ox_kind_name(n->kind);
    const char *domain;
    OX_TRY(node_domain(e, n->kind, &domain));
    if (*domain) {
        p->domain = (char *)domain;
        OX_TRY(note_domain(e, domain));
    }
    if (!e->strip_doc && n->source && *n->source) p->doc_string = (char *)n->source;

    /* Attributes in IR order (the naming pass's "onnx_name" is not one), then
     * the blocks of If/Loop as GRAPH attributes, as torch's EncodeNode does. */
    int nattr = 0;
    for (ox_attr *a = n->attrs; a; a = a->next)
        if (strcmp(a->name, "onnx_name") != 0) nattr++;
    bool is_if = ox_node_is(n, "onnx::If") && n->nblocks == 2;
    bool is_loop = ox_node_is(n, "onnx::Loop") && n->nblocks == 1;
    int nblock_attrs = is_if ? 2 : is_loop ? 1 : 0;
    NEW_ARRAY(e, p->attribute, nattr + nblock_attrs);
    size_t k = 0;
    for (ox_attr *a = n->attrs; a; a = a->next)
        if (strcmp(a->name, "onnx_name") != 0) OX_TRY(enc_attr(e, a, depth, &p->attribute[k++]));
    if (is_if) {
        OX_TRY(enc_block_attr(e, "then_branch", n->blocks[0], depth, &p->attribute[k++]));
        OX_TRY(enc_block_attr(e, "else_branch", n->blocks[1], depth, &p->attribute[k++]));
    } else if (is_loop) {
        OX_TRY(enc_block_attr(e, "body", n->blocks[0], depth, &p->attribute[k++]));
    }
    p->n_attribute = k;
    *out = p;
    return OX_OK;
}

/* value_info is written (main graph only) for outputs of nodes whose kind is
 * neither onnx:: nor aten:: — custom-domain ops, whose types ONNX shape
 * inference cannot recover — except graph outputs. */
static bool wants_value_info(const ox_node *n, const ox_value *v)
{
    return !ns_is(n->kind, "onnx") && !ns_is(n->kind, "aten") && !ox_value_is_graph_output(v);
}

static bool is_initializer(enc *e, const ox_value *v) { return e->write_inits && v->init; }

/* Encodes a block as a GraphProto: name, inputs, outputs, nodes, and for the
 * top block initializers and value_info. Sub-graphs list all their inputs. */
static ox_status enc_graph(enc *e, ox_block *b, int depth, Onnx__GraphProto **out)
{
    bool top = b == e->g->top;
    if (depth > MAX_DEPTH)
        return ox_fail(e->ctx, ONNXIFY_ERR_EXPORTER,
                       "sub-graphs nested deeper than %d levels cannot be serialized", MAX_DEPTH);
    Onnx__GraphProto *gp;
    NEW(e, gp, onnx__graph_proto__init);
    if (top) {
        gp->name = "main_graph";
    } else {
        gp->name = e->nsub ? ox_arena_printf(e->a, "sub_graph%d", e->nsub) : "sub_graph";
        if (!gp->name) return OX_NOMEM(e->ctx);
        e->nsub++;
    }

    /* inputs */
    int nin = ox_block_ninputs(b);
    bool keep = !top || e->s->keep_initializers_as_inputs;
    NEW_ARRAY(e, gp->input, nin);
    for (int i = 0; i < nin; i++) {
        ox_value *v = ox_block_input(b, i);
        if (keep || !is_initializer(e, v)) OX_TRY(enc_value_info(e, v, &gp->input[gp->n_input++]));
    }

    /* outputs */
    int nout = ox_block_noutputs(b);
    NEW_ARRAY(e, gp->output, nout);
    for (int i = 0; i < nout; i++)
        OX_TRY(enc_value_info(e, ox_block_output(b, i), &gp->output[gp->n_output++]));

    /* nodes (None constants are not written; their uses become "") */
    size_t nnodes = 0, ninfo = 0;
    for (ox_node *n = ox_block_first(b); n != b->ret; n = n->next) {
        if (is_none_constant(n)) continue;
        nnodes++;
        if (top)
            for (int i = 0; i < n->noutputs; i++) ninfo += wants_value_info(n, n->outputs[i]);
    }
    NEW_ARRAY(e, gp->node, nnodes);
    for (ox_node *n = ox_block_first(b); n != b->ret; n = n->next)
        if (!is_none_constant(n)) OX_TRY(enc_node(e, n, depth, &gp->node[gp->n_node++]));

    if (top) {
        /* initializers, in graph-input order */
        size_t ninit = 0;
        for (int i = 0; i < nin; i++) ninit += is_initializer(e, ox_block_input(b, i));
        NEW_ARRAY(e, gp->initializer, ninit);
        for (int i = 0; i < nin; i++) {
            ox_value *v = ox_block_input(b, i);
            if (!is_initializer(e, v)) continue;
            char *name = NULL;
            OX_TRY(value_name(e, v, &name));
            OX_TRY(enc_tensor(e, v->init, name, &gp->initializer[gp->n_initializer++]));
        }
        NEW_ARRAY(e, gp->value_info, ninfo);
        for (ox_node *n = ox_block_first(b); n != b->ret; n = n->next) {
            if (is_none_constant(n)) continue;
            for (int i = 0; i < n->noutputs; i++)
                if (wants_value_info(n, n->outputs[i]))
                    OX_TRY(enc_value_info(e, n->outputs[i], &gp->value_info[gp->n_value_info++]));
        }
    }
    *out = gp;
    return OX_OK;
}

/* ---- the model ------------------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const ox_custom_opset *find_custom(const ox_serialize_options *o, const char *domain)
{
    for (size_t i = 0; i < o->n_custom_opsets; i++)
        if (o->custom_opsets[i].domain && strcmp(o->custom_opsets[i].domain, domain) == 0)
            return &o->custom_opsets[i];
    return NULL;
}

/* opset_import: ("", opset) first, then each used non-ONNX domain in sorted
 * order, at its custom version or 1. Unused custom domains: a warning. */
static ox_status enc_opsets(enc *e, const ox_serialize_options *o, Onnx__ModelProto *m)
{
    if (e->ndomains > 1) qsort(e->domains, (size_t)e->ndomains, sizeof(*e->domains), cmp_str);
    NEW_ARRAY(e, m->opset_import, e->ndomains + 1);
    for (int i = 0; i <= e->ndomains; i++) {
        Onnx__OperatorSetIdProto *op;
        NEW(e, op, onnx__operator_set_id_proto__init);
        op->has_version = 1;
        if (i == 0) {
            /* the default domain: left unset, as torch writes it */
            op->domain = NULL;
            op->version = e->s->opset;
        } else {
            const ox_custom_opset *c = find_custom(o, e->domains[i - 1]);
            op->domain = (char *)e->domains[i - 1];
            op->version = c ? c->version : 1;
        }
        m->opset_import[m->n_opset_import++] = op;
    }
    for (size_t i = 0; i < o->n_custom_opsets; i++) {
        const char *d = o->custom_opsets[i].domain;
        bool used = false;
        for (int k = 0; d && k < e->ndomains && !used; k++) used = strcmp(e->domains[k], d) == 0;
        if (!used)
            ox_warn(e->ctx,
                    "Custom opset domain: '%s' provided is not used in the model. Please verify "
                    "custom opset domain names.",
                    d ? d : "");
    }
    return OX_OK;
}

static ox_status serialize(enc *e, const ox_serialize_options *o, ox_buffer *out)
{
    const ox_export_settings *s = e->s;
    int64_t ir_version = ox_ir_version_for_opset(s->opset);
    if (!ir_version)
        return ox_fail(e->ctx, ONNXIFY_ERR_INVALID_ARGUMENT, "Unsupported onnx_opset_version: %d",
                       s->opset);
    OX_TRY(validate_block(e, e->g->top, 0));
    uint64_t raw_bytes;
    OX_TRY(measure_model(e, &raw_bytes));

    Onnx__ModelProto model;
    onnx__model_proto__init(&model);
    model.has_ir_version = 1;
    model.ir_version = ir_version;
    model.producer_name = (char *)(o->producer_name ? o->producer_name : "onnxify");
    model.producer_version = (char *)(o->producer_version ? o->producer_version : ONNXIFY_VERSION);
    OX_TRY(enc_graph(e, e->g->top, 0, &model.graph));
    OX_TRY(enc_opsets(e, o, &model));
    if (o->check) OX_TRY(ox_check_model_proto(&model, e->ctx));

    size_t size = onnx__model_proto__get_packed_size(&model);
    if ((uint64_t)size > PROTO_LIMIT) return fail_too_large(e);
    if (!out->chunked && !ox_buffer_reserve(out, size)) return OX_NOMEM(e->ctx);
    buffer_sink sink = {.base = {.append = sink_append}, .out = out};
    size_t written = onnx__model_proto__pack_to_buffer(&model, &sink.base);
    if (out->failed) return OX_NOMEM(e->ctx);
    size_t got = out->chunked ? out->total : out->len;
    if (written != size || got != size)
        return ox_fail(e->ctx, ONNXIFY_ERR_INTERNAL, "serializer wrote %zu bytes, expected %zu", got, size);
    return OX_OK;
}

ox_status ox_serialize_model(ox_graph *g, const ox_export_settings *s,
                             const ox_serialize_options *o, ox_buffer *out)
{
    if (out) ox_buffer_reset(out);
    if (!g || !g->ctx) return ONNXIFY_ERR_INVALID_ARGUMENT;
    if (!s || !out)
        return ox_fail(g->ctx, ONNXIFY_ERR_INVALID_ARGUMENT,
                       "ox_serialize_model: settings and output buffer are required");
    ox_serialize_options defaults;
    if (!o) {
        ox_serialize_options_init(&defaults);
        defaults.strip_doc = !s->verbose;
        o = &defaults;
    }
    enc e = {
        .g = g,
        .ctx = g->ctx,
        .a = g->arena,
        .s = s,
        .strip_doc = o->strip_doc,
        .write_inits = s->export_params,
    };
    ox_status st = serialize(&e, o, out);
    if (st != OX_OK) ox_buffer_reset(out);
    return st;
}
