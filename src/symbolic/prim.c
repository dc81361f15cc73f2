/* prim:: nodes: constants, lists and tuples. Lists and tuples mostly stay as
 * they are (torch's symbolics return None for them); the onnx peephole pass
 * erases them once their consumers are converted. */
#include "symbolic/families.h"

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

const ox_symbolic_entry ox_symbolics_prim[] = {
    {"prim::Constant", 9, constant},
    {"prim::ListConstruct", 9, keep},
    {"prim::ListUnpack", 9, list_unpack},
    {"prim::TupleConstruct", 9, keep},
    {"prim::TupleUnpack", 9, tuple_unpack},
    {0},
};
