/* Python numbers become 0-d tensors (seed: _jit_pass_erase_number_types):
 * int/float/bool constants turn into int64/float64/bool tensor constants,
 * number-typed values are retyped as 0-d tensors, and the conversions between
 * numbers and tensors (aten::Int, prim::NumToTensor, ...) disappear. */
#include <string.h>

#include "passes/passes.h"

static const char *const conversions[] = {
    "aten::Int", "aten::Float", "aten::Bool", "aten::FloatImplicit", "aten::IntImplicit",
    "aten::ScalarImplicit", "prim::NumToTensor",
};

static bool is_conversion(const ox_node *n)
{
    for (size_t i = 0; i < sizeof(conversions) / sizeof(conversions[0]); i++)
        if (ox_node_is(n, conversions[i])) return true;
    return false;
}

static ox_dtype number_dtype(ox_type_kind k)
{
    switch (k) {
    case OX_TYPE_INT: return OX_INT64;
    case OX_TYPE_FLOAT: return OX_DOUBLE;
    case OX_TYPE_BOOL: return OX_BOOL;
    case OX_TYPE_NUMBER: return OX_DOUBLE;
    default: return OX_UNDEFINED;
    }
}

static ox_status retype(ox_graph *g, ox_value *v, bool *changed)
{
    ox_dtype dt = number_dtype(v->type->kind);
    if (dt == OX_UNDEFINED) return OX_OK;
    v->type = ox_type_tensor(g->arena, dt, 0, NULL);
    if (!v->type) return OX_NOMEM(g->ctx);
    *changed = true;
    return OX_OK;
}

static ox_status constant_to_tensor(ox_graph *g, ox_node *n, bool *changed)
{
    ox_value *out = n->outputs[0];
    ox_dtype dt = number_dtype(out->type->kind);
    ox_attr *a = ox_node_attr(n, "value");
    if (dt == OX_UNDEFINED || !a) return OX_OK;
    if (out->type->kind == OX_TYPE_NUMBER) dt = a->kind == OX_ATTR_I ? OX_INT64 : OX_DOUBLE;
    ox_tensor *t = ox_tensor_alloc(g->arena, dt, 0, NULL);
    if (!t) return OX_NOMEM(g->ctx);
    if (a->kind == OX_ATTR_I) ox_tensor_set_i(t, 0, a->v.i);
    else if (a->kind == OX_ATTR_F) ox_tensor_set_f(t, 0, a->v.f);
    else return OX_OK;
    OX_TRY(ox_node_set_t(n, "value", t));
    out->type = ox_type_tensor(g->arena, dt, 0, NULL);
    if (!out->type) return OX_NOMEM(g->ctx);
    *changed = true;
    return OX_OK;
}

static ox_status erase_block(ox_graph *g, ox_block *b, bool *changed)
{
    for (int i = 0; i < ox_block_ninputs(b); i++) OX_TRY(retype(g, ox_block_input(b, i), changed));
    for (ox_node *n = ox_block_first(b); n != b->ret;) {
        ox_node *next = n->next;
        for (int i = 0; i < n->nblocks; i++) OX_TRY(erase_block(g, n->blocks[i], changed));
        if (ox_node_is(n, "prim::Constant") && n->noutputs == 1) {
            OX_TRY(constant_to_tensor(g, n, changed));
        } else if (is_conversion(n) && n->ninputs == 1 && n->noutputs == 1) {
            ox_value_replace_all_uses(n->outputs[0], n->inputs[0]);
            ox_node_destroy(n);
            *changed = true;
        } else {
            for (int i = 0; i < n->noutputs; i++) OX_TRY(retype(g, n->outputs[i], changed));
        }
        n = next;
    }
    return OX_OK;
}

ox_status ox_pass_erase_number_types(ox_graph *g, bool *changed)
{
    bool c = false;
    OX_TRY(erase_block(g, g->top, &c));
    if (changed) *changed = c;
    return OX_OK;
}
