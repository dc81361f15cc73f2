/* The light model checker (see checker.h for what it checks). Names are
 * tracked in string maps living in a private arena, one per graph, chained
 * to the enclosing graph's map for sub-graph lookups. */
#include "onnx/checker.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "onnx.pb-c.h"
#include "util/strmap.h"

/* Protobuf message nesting accepted before unpacking: protobuf-c's unpacker
 * recurses once per level with a sizeable frame and has no limit of its own;
 * in WASM a blown stack traps the instance. A model with sub-graphs nested 16
 * deep (the serializer's own cap) stays well below this. */
#define MAX_PROTO_DEPTH 100
/* Graph nesting (If/Loop bodies inside bodies ...). */
#define MAX_GRAPH_DEPTH 32

typedef struct scope {
    ox_strmap names;           /* values visible in this graph */
    const struct scope *parent;
} scope;

typedef struct checker {
    ox_ctx *ctx;
    ox_arena *a;
    const Onnx__ModelProto *m;
} checker;

static ox_status fail(checker *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static ox_status fail(checker *c, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!c->ctx) return ONNXIFY_ERR_CHECKER;
    return ox_fail(c->ctx, ONNXIFY_ERR_CHECKER, "ONNX checker: %s", msg);
}

static ox_status nomem(checker *c)
{
    return c->ctx ? OX_NOMEM(c->ctx) : ONNXIFY_ERR_OUT_OF_MEMORY;
}

static const char *str(const char *s) { return s ? s : ""; }

/* ---- nesting pre-scan on the wire format --------------------------------- */

static bool read_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    uint64_t r = 0;
    for (int shift = 0; shift < 64 && *p < end; shift += 7) {
        uint8_t b = *(*p)++;
        r |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = r;
            return true;
        }
    }
    return false;
}

typedef enum { SCAN_OK, SCAN_TOO_DEEP, SCAN_MALFORMED } scan_result;

/* Walks the wire format of a message of type `d`, descending into known
 * message-typed fields only, and reports nesting above MAX_PROTO_DEPTH. */
static scan_result scan(const ProtobufCMessageDescriptor *d, const uint8_t *p, const uint8_t *end,
                        int depth)
{
    if (depth > MAX_PROTO_DEPTH) return SCAN_TOO_DEEP;
    while (p < end) {
        uint64_t key, v;
        if (!read_varint(&p, end, &key)) return SCAN_MALFORMED;
        switch (key & 7) {
        case 0:
            if (!read_varint(&p, end, &v)) return SCAN_MALFORMED;
            break;
        case 1:
            if (end - p < 8) return SCAN_MALFORMED;
            p += 8;
            break;
        case 5:
            if (end - p < 4) return SCAN_MALFORMED;
            p += 4;
            break;
        case 2: {
            if (!read_varint(&p, end, &v) || v > (uint64_t)(end - p)) return SCAN_MALFORMED;
            uint64_t id = key >> 3;
            const ProtobufCFieldDescriptor *f =
                id <= UINT32_MAX ? protobuf_c_message_descriptor_get_field(d, (unsigned)id) : NULL;
            if (f && f->type == PROTOBUF_C_TYPE_MESSAGE) {
                scan_result r = scan(f->descriptor, p, p + v, depth + 1);
                if (r != SCAN_OK) return r;
            }
            p += v;
            break;
        }
        default: return SCAN_MALFORMED; /* groups (3, 4) and invalid wire types */
        }
    }
    return SCAN_OK;
}

/* ---- names --------------------------------------------------------------- */

static bool scope_has(const scope *s, const char *name)
{
    for (; s; s = s->parent)
        if (ox_strmap_get(&s->names, name)) return true;
    return false;
}

static ox_status scope_add(checker *c, scope *s, const char *name)
{
    return ox_strmap_put(&s->names, name, (void *)name) ? OX_OK : nomem(c);
}

/* "node '/conv/Conv' (Conv, #3 of graph 'main_graph')" */
static const char *node_text(checker *c, const Onnx__NodeProto *n, size_t index,
                             const Onnx__GraphProto *g)
{
    const char *s;
    if (n->name && *n->name)
        s = ox_arena_printf(c->a, "node '%s' (%s, #%zu of graph '%s')", n->name, str(n->op_type),
                            index, str(g->name));
    else
        s = ox_arena_printf(c->a, "node #%zu (%s) of graph '%s'", index, str(n->op_type),
                            str(g->name));
    return s ? s : "node";
}

/* ---- tensors ------------------------------------------------------------- */

/* Bits per element of a TensorProto.DataType; 0 = unknown or STRING. */
static int dtype_bits(int32_t t)
{
    switch (t) {
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT:
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT32:
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT32: return 32;
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT8:
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT8:
    case ONNX__TENSOR_PROTO__DATA_TYPE__BOOL:
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT8E4M3FN:
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT8E4M3FNUZ:
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT8E5M2:
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT8E5M2FNUZ:
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT8E8M0: return 8;
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT16:
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT16:
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16:
    case ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16: return 16;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT64:
    case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE:
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT64:
    case ONNX__TENSOR_PROTO__DATA_TYPE__COMPLEX64: return 64;
    case ONNX__TENSOR_PROTO__DATA_TYPE__COMPLEX128: return 128;
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT4:
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT4:
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT4E2M1: return 4;
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT2:
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT2: return 2;
    default: return 0;
    }
}

/* Which typed field holds a data type, and how many entries `numel`
 * elements take there. */
typedef enum { F_NONE, F_FLOAT, F_INT32, F_STRING, F_INT64, F_DOUBLE, F_UINT64 } typed_field;

static typed_field typed_field_of(int32_t t, uint64_t numel, uint64_t *count)
{
    int bits = dtype_bits(t);
    *count = numel;
    switch (t) {
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT: return F_FLOAT;
    case ONNX__TENSOR_PROTO__DATA_TYPE__COMPLEX64: *count = 2 * numel; return F_FLOAT;
    case ONNX__TENSOR_PROTO__DATA_TYPE__STRING: return F_STRING;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT64: return F_INT64;
    case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE: return F_DOUBLE;
    case ONNX__TENSOR_PROTO__DATA_TYPE__COMPLEX128: *count = 2 * numel; return F_DOUBLE;
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT32:
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT64: return F_UINT64;
    default:
        if (!bits) return F_NONE;
        if (bits < 8) *count = (numel * (uint64_t)bits + 7) / 8; /* packed, one byte each */
        return F_INT32;
    }
}

static ox_status check_tensor(checker *c, const Onnx__TensorProto *t, const char *where)
{
    const char *name = t->name && *t->name ? t->name : "";
    if (!t->has_data_type || t->data_type == ONNX__TENSOR_PROTO__DATA_TYPE__UNDEFINED)
        return fail(c, "tensor '%s' of %s has no data type", name, where);
    if (!dtype_bits(t->data_type) && t->data_type != ONNX__TENSOR_PROTO__DATA_TYPE__STRING)
        return fail(c, "tensor '%s' of %s has an unknown data type %" PRId32, name, where,
                    t->data_type);
    uint64_t numel = 1;
    for (size_t i = 0; i < t->n_dims; i++) {
        if (t->dims[i] < 0)
            return fail(c, "tensor '%s' of %s has a negative dimension %" PRId64, name, where,
                        t->dims[i]);
        if (t->dims[i] && numel > (UINT64_MAX / 256) / (uint64_t)t->dims[i])
            return fail(c, "tensor '%s' of %s is too large", name, where);
        numel *= (uint64_t)t->dims[i];
    }
    if (t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) {
        if (!t->n_external_data)
            return fail(c, "tensor '%s' of %s has external data without a location", name, where);
        return OX_OK;
    }

    uint64_t count;
    typed_field want = typed_field_of(t->data_type, numel, &count);
    int fields = (t->has_raw_data ? 1 : 0) + (t->n_float_data > 0) + (t->n_int32_data > 0) +
                 (t->n_string_data > 0) + (t->n_int64_data > 0) + (t->n_double_data > 0) +
                 (t->n_uint64_data > 0);
    if (fields > 1)
        return fail(c, "tensor '%s' of %s stores its data in more than one field", name, where);
    if (fields == 0) {
        if (numel == 0) return OX_OK;
        return fail(c, "tensor '%s' of %s has %" PRIu64 " elements but no data", name, where,
                    numel);
    }
    if (t->has_raw_data) {
        if (t->data_type == ONNX__TENSOR_PROTO__DATA_TYPE__STRING)
            return fail(c, "tensor '%s' of %s: STRING data cannot be in raw_data", name, where);
        uint64_t bytes = (numel * (uint64_t)dtype_bits(t->data_type) + 7) / 8;
        if ((uint64_t)t->raw_data.len != bytes)
            return fail(c,
                        "tensor '%s' of %s: raw_data has %zu bytes, dims x data type need "
                        "%" PRIu64,
                        name, where, t->raw_data.len, bytes);
        return OX_OK;
    }
    size_t have = 0;
    typed_field used = F_NONE;
    if (t->n_float_data) used = F_FLOAT, have = t->n_float_data;
    if (t->n_int32_data) used = F_INT32, have = t->n_int32_data;
    if (t->n_string_data) used = F_STRING, have = t->n_string_data;
    if (t->n_int64_data) used = F_INT64, have = t->n_int64_data;
    if (t->n_double_data) used = F_DOUBLE, have = t->n_double_data;
    if (t->n_uint64_data) used = F_UINT64, have = t->n_uint64_data;
    if (used != want)
        return fail(c, "tensor '%s' of %s stores data type %" PRId32 " in the wrong field", name,
                    where, t->data_type);
    if ((uint64_t)have != count)
        return fail(c, "tensor '%s' of %s has %zu data entries, dims x data type need %" PRIu64,
                    name, where, have, count);
    return OX_OK;
}

/* ---- graphs -------------------------------------------------------------- */

static bool is_default_domain(const char *d) { return !d || !*d || strcmp(d, "ai.onnx") == 0; }

static bool domain_imported(const Onnx__ModelProto *m, const char *domain)
{
    for (size_t i = 0; i < m->n_opset_import; i++) {
        const char *d = m->opset_import[i]->domain;
        if (is_default_domain(domain) ? is_default_domain(d) : strcmp(str(d), domain) == 0)
            return true;
    }
    return false;
}

static ox_status check_graph(checker *c, const Onnx__GraphProto *g, const scope *parent,
                             int depth);

static ox_status check_node(checker *c, const Onnx__GraphProto *g, size_t index, scope *sc,
                            ox_strmap *node_names, int depth)
{
    const Onnx__NodeProto *n = g->node[index];
    const char *what = node_text(c, n, index, g);
    if (!n->op_type || !*n->op_type) return fail(c, "%s has an empty op_type", what);
    if (n->name && *n->name) {
        if (ox_strmap_get(node_names, n->name))
            return fail(c, "%s: node name '%s' is used by more than one node", what, n->name);
        if (!ox_strmap_put(node_names, n->name, (void *)n->name)) return nomem(c);
    }
    if (!domain_imported(c->m, n->domain))
        return fail(c, "%s: no opset import for domain '%s'", what, str(n->domain));
    for (size_t i = 0; i < n->n_input; i++) {
        const char *in = str(n->input[i]);
        if (*in && !scope_has(sc, in))
            return fail(c,
                        "%s: input '%s' is not a graph input, an initializer or an output of "
                        "an earlier node (nodes must be topologically sorted)",
                        what, in);
    }
    /* attributes (sub-graphs see everything defined before this node) */
    ox_strmap attr_names;
    ox_strmap_init(&attr_names, c->a);
    for (size_t i = 0; i < n->n_attribute; i++) {
        const Onnx__AttributeProto *a = n->attribute[i];
        if (!a->name || !*a->name) return fail(c, "%s has an attribute without a name", what);
        if (ox_strmap_get(&attr_names, a->name))
            return fail(c, "%s has attribute '%s' more than once", what, a->name);
        if (!ox_strmap_put(&attr_names, a->name, (void *)a->name)) return nomem(c);
        if (!a->has_type || a->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__UNDEFINED) {
            if (a->ref_attr_name) continue;
            return fail(c, "%s: attribute '%s' has no type", what, a->name);
        }
        const char *where = ox_arena_printf(c->a, "attribute '%s' of %s", a->name, what);
        if (!where) return nomem(c);
        switch (a->type) {
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR:
            if (!a->t) return fail(c, "%s: attribute '%s' has no tensor", what, a->name);
            OX_TRY(check_tensor(c, a->t, where));
            break;
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSORS:
            for (size_t k = 0; k < a->n_tensors; k++) OX_TRY(check_tensor(c, a->tensors[k], where));
            break;
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH:
            if (!a->g) return fail(c, "%s: attribute '%s' has no graph", what, a->name);
            OX_TRY(check_graph(c, a->g, sc, depth + 1));
            break;
        case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPHS:
            for (size_t k = 0; k < a->n_graphs; k++) OX_TRY(check_graph(c, a->graphs[k], sc, depth + 1));
            break;
        default: break;
        }
    }
    for (size_t i = 0; i < n->n_output; i++) {
        const char *out = str(n->output[i]);
        if (!*out) continue; /* an omitted optional output */
        if (scope_has(sc, out))
            return fail(c,
                        "%s: output '%s' is already defined (a graph must be in single static "
                        "assignment form)",
                        what, out);
        OX_TRY(scope_add(c, sc, out));
    }
    return OX_OK;
}

static ox_status check_graph(checker *c, const Onnx__GraphProto *g, const scope *parent,
                             int depth)
{
    if (depth > MAX_GRAPH_DEPTH)
        return fail(c, "graph '%s' is nested deeper than %d levels", str(g->name), MAX_GRAPH_DEPTH);
    scope sc = {.parent = parent};
    ox_strmap_init(&sc.names, c->a);
    const char *gname = str(g->name);

    for (size_t i = 0; i < g->n_input; i++) {
        const char *in = str(g->input[i]->name);
        if (!*in) return fail(c, "graph '%s': input #%zu has no name", gname, i);
        if (ox_strmap_get(&sc.names, in))
            return fail(c, "graph '%s': input name '%s' is used more than once", gname, in);
        OX_TRY(scope_add(c, &sc, in));
    }
    ox_strmap inits;
    ox_strmap_init(&inits, c->a);
    int64_t ir = c->m->ir_version;
    for (size_t i = 0; i < g->n_initializer; i++) {
        const Onnx__TensorProto *t = g->initializer[i];
        const char *name = str(t->name);
        if (!*name) return fail(c, "graph '%s': initializer #%zu has no name", gname, i);
        if (ox_strmap_get(&inits, name))
            return fail(c, "graph '%s': initializer name '%s' is used more than once", gname,
                        name);
        if (!ox_strmap_put(&inits, name, (void *)name)) return nomem(c);
        bool is_input = ox_strmap_get(&sc.names, name) != NULL;
        if (ir < 4 && !is_input)
            return fail(c,
                        "graph '%s': initializer '%s' is not a graph input (required below IR "
                        "version 4)",
                        gname, name);
        const char *where = ox_arena_printf(c->a, "initializer '%s' of graph '%s'", name, gname);
        if (!where) return nomem(c);
        OX_TRY(check_tensor(c, t, where));
        if (!is_input) OX_TRY(scope_add(c, &sc, name));
    }

    ox_strmap node_names;
    ox_strmap_init(&node_names, c->a);
    for (size_t i = 0; i < g->n_node; i++) OX_TRY(check_node(c, g, i, &sc, &node_names, depth));

    for (size_t i = 0; i < g->n_output; i++) {
        const char *out = str(g->output[i]->name);
        if (!*out) return fail(c, "graph '%s': output #%zu has no name", gname, i);
        if (!scope_has(&sc, out))
            return fail(c,
                        "graph '%s': output '%s' is not produced by any node, graph input or "
                        "initializer",
                        gname, out);
    }
    return OX_OK;
}

/* ---- the model ------------------------------------------------------------ */

static ox_status check_model(checker *c)
{
    const Onnx__ModelProto *m = c->m;
    if (!m->has_ir_version || m->ir_version < 1)
        return fail(c, "the model has no ir_version");
    if (!m->n_opset_import) return fail(c, "the model has no opset_import");
    bool has_default = false;
    for (size_t i = 0; i < m->n_opset_import; i++) {
        const Onnx__OperatorSetIdProto *op = m->opset_import[i];
        if (!op->has_version || op->version < 1)
            return fail(c, "opset_import of domain '%s' has no version", str(op->domain));
        if (is_default_domain(op->domain)) has_default = true;
        for (size_t k = 0; k < i; k++)
            if (strcmp(str(m->opset_import[k]->domain), str(op->domain)) == 0)
                return fail(c, "opset_import lists domain '%s' more than once", str(op->domain));
    }
    if (!has_default) return fail(c, "opset_import has no entry for the default ONNX domain");
    if (!m->graph) return fail(c, "the model has no graph");
    return check_graph(c, m->graph, NULL, 0);
}

ox_status ox_check_model_proto(const struct Onnx__ModelProto *m, ox_ctx *ctx)
{
    checker c = {.ctx = ctx, .m = m};
    if (!m) return fail(&c, "no model");
    c.a = ox_arena_new();
    ox_status st = c.a ? check_model(&c) : nomem(&c);
    ox_arena_free(c.a);
    return st;
}

ox_status ox_check_model(const uint8_t *bytes, size_t len, ox_ctx *ctx)
{
    checker c = {.ctx = ctx};
    if (!bytes && len) return fail(&c, "no model bytes");
    static const uint8_t empty[1];
    if (!bytes) bytes = empty;

    scan_result r = scan(&onnx__model_proto__descriptor, bytes, bytes + len, 0);
    if (r == SCAN_TOO_DEEP)
        return fail(&c, "the model nests messages deeper than %d levels", MAX_PROTO_DEPTH);
    if (r == SCAN_MALFORMED) return fail(&c, "the bytes are not a valid ModelProto");

    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, bytes);
    if (!m) return fail(&c, "the bytes are not a valid ModelProto");
    ox_status st = ox_check_model_proto(m, ctx);
    onnx__model_proto__free_unpacked(m, NULL);
    return st;
}
