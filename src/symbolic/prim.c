/* prim:: nodes: constants, lists and tuples. Lists and tuples mostly stay as
 * they are (torch's symbolics return None for them); the onnx peephole pass
 * erases them once their consumers are converted. Also aten::list (the list
 * itself), prim::device (kept) and prim::dtype (a constant). */
#include <stdio.h>

#include "symbolic/families.h"
#include "symbolic/helpers.h"

/* prim::Constant: tensors and int/float lists become onnx::Constant; None,
 * strings and devices stay prim::Constant (None encodes as an omitted input). */
static ox_status constant(ox_sym *g)
{
    ox_attr *a = ox_node_attr(g->node, "value");
    if (!a) return ox_keep_node(g);
    ox_arena *arena = g->graph->arena;
    switch (a->kind) {
    case OX_ATTR_T:
        return ox_set_out(g, 0, ox_const_tensor(g, a->v.t));
    case OX_ATTR_IS:
        return ox_set_out(g, 0, ox_const_i64s(g, a->v.is, a->n));
    case OX_ATTR_FS: {
        int64_t n = a->n;
        ox_tensor *t = ox_tensor_alloc(arena, OX_FLOAT, 1, &n);
        if (!t) return OX_NOMEM(g->ctx);
        for (int i = 0; i < a->n; i++) ox_tensor_set_f(t, i, a->v.fs[i]);
        return ox_set_out(g, 0, ox_const_tensor(g, t));
    }
    case OX_ATTR_I: {
        /* Only reached for constants erase_number_types did not see (blocks). */
        ox_type_kind k = g->node->outputs[0]->type ? g->node->outputs[0]->type->kind : OX_TYPE_INT;
        ox_tensor *t = ox_tensor_alloc(arena, k == OX_TYPE_BOOL ? OX_BOOL : OX_INT64, 0, NULL);
        if (!t) return OX_NOMEM(g->ctx);
        ox_tensor_set_i(t, 0, a->v.i);
        return ox_set_out(g, 0, ox_const_tensor(g, t));
    }
    case OX_ATTR_F:
        return ox_set_out(g, 0, ox_const_tensor(g, ox_tensor_scalar_f64(arena, a->v.f)));
    default:
        return ox_keep_node(g);
    }
}

static ox_status keep(ox_sym *g) { return ox_keep_node(g); }

/* prim::ListUnpack of a ListConstruct forwards the elements. */
static ox_status list_unpack(ox_sym *g)
{
    ox_node *src = g->in[0]->node;
    if (ox_node_is(src, "prim::ListConstruct") && src->ninputs == g->nout) {
        for (int i = 0; i < g->nout; i++) OX_TRY(ox_set_out(g, i, src->inputs[i]));
        return OX_OK;
    }
    return ox_keep_node(g);
}

/* prim::TupleUnpack of a TupleConstruct forwards the elements. */
static ox_status tuple_unpack(ox_sym *g)
{
    ox_node *src = g->in[0]->node;
    if (ox_node_is(src, "prim::TupleConstruct") && src->ninputs == g->nout) {
        for (int i = 0; i < g->nout; i++) OX_TRY(ox_set_out(g, i, src->inputs[i]));
        return OX_OK;
    }
    return ox_keep_node(g);
}

/* aten::list(l): the list itself. */
static ox_status list_(ox_sym *g) { return ox_set_out(g, 0, g->in[0]); }

/* TorchScript's name of a type kind, for messages. */
static const char *torch_kind_name(const ox_type *t)
{
    if (!t) return "AnyType";
    switch (t->kind) {
    case OX_TYPE_TENSOR: return "TensorType";
    case OX_TYPE_INT: return "IntType";
    case OX_TYPE_FLOAT: return "FloatType";
    case OX_TYPE_BOOL: return "BoolType";
    case OX_TYPE_STR: return "StringType";
    case OX_TYPE_NONE: return "NoneType";
    case OX_TYPE_DEVICE: return "DeviceObjType";
    case OX_TYPE_NUMBER: return "NumberType";
    case OX_TYPE_LAYOUT: return "LayoutType";
    case OX_TYPE_DTYPE: return "ScalarTypeType";
    case OX_TYPE_LIST: return "ListType";
    case OX_TYPE_TUPLE: return "TupleType";
    case OX_TYPE_OPTIONAL: return "OptionalType";
    }
    return "AnyType";
}

/* prim::device (x.device): kept when it gives a Device (ONNX has no devices;
 * its users, aten::to or eq of devices, drop it). */
static ox_status device(ox_sym *g)
{
    const ox_type *t = g->nout ? g->node->outputs[0]->type : NULL;
    if (t && t->kind == OX_TYPE_DEVICE) return ox_keep_node(g);
    char msg[96];
    snprintf(msg, sizeof msg, "output type should be 'DeviceObjType', not '%s'", torch_kind_name(t));
    return ox_ew_unimplemented(g, "prim::device", msg, true);
}

/* prim::dtype (x.dtype): the ScalarType number of x's dtype as an int64
 * constant (Float when unknown). */
static ox_status dtype(ox_sym *g)
{
    static const struct { ox_dtype dt; int64_t st; } map[] = {
        {OX_UINT8, 0}, {OX_INT8, 1},       {OX_INT16, 2},      {OX_INT32, 3},     {OX_INT64, 4},
        {OX_FLOAT16, 5}, {OX_FLOAT, 6},    {OX_DOUBLE, 7},     {OX_COMPLEX64, 9}, {OX_COMPLEX128, 10},
        {OX_BOOL, 11}, {OX_BFLOAT16, 15},
    };
    ox_dtype dt = g->nin ? ox_elem_type(g->in[0]) : OX_UNDEFINED;
    int64_t st = 6;
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (map[i].dt == dt) st = map[i].st;
    return ox_set_out(g, 0, ox_const_i64(g, st));
}

const ox_symbolic_entry ox_symbolics_prim[] = {
    {"prim::Constant", 9, constant},
    {"prim::ListConstruct", 9, keep},
    {"prim::ListUnpack", 9, list_unpack},
    {"prim::TupleConstruct", 9, keep},
    {"prim::TupleUnpack", 9, tuple_unpack},
    {"aten::list", 9, list_},
    {"prim::device", 9, device},
    {"prim::dtype", 9, dtype},
    {0},
};
