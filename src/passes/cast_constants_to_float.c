/* Opsets below 9 (seed: _model_to_graph step 13, after
 * eliminate_unused_items, _jit_pass_onnx_cast_all_constant_to_floating):
 * ONNX's Constant then only holds float16/float/double tensors, so every
 * onnx::Constant (in all blocks) of another element type is rewritten as a
 * floating constant plus an onnx::Cast back to the original type, inserted
 * right after it, which takes over all its uses (graph outputs included).
 * As in torch: uint8, int8, int16, int32 and bool values become float,
 * int64 values become double (so large int64 values round the way torch's
 * do); float16/float/double constants are left alone; any other element
 * type (complex, string, bfloat16, unsigned 16/32/64-bit) is an error. The
 * Cast copies the constant's scope and source and has the constant's
 * original type. Unlike torch, a user-given output name on the constant
 * moves to the Cast, whose output is now the graph output. */
#include "passes/passes.h"

static ox_status cast_constant(ox_graph *g, ox_node *n, bool *changed)
{
    ox_attr *a = ox_node_attr(n, "value");
    if (n->noutputs != 1 || !a || a->kind != OX_ATTR_T || !a->v.t) return OX_OK;
    const ox_tensor *t = a->v.t;
    ox_dtype to;
    switch (t->dtype) {
    case OX_FLOAT:
    case OX_DOUBLE:
    case OX_FLOAT16:
        return OX_OK;
    case OX_UINT8:
    case OX_INT8:
    case OX_INT16:
    case OX_INT32:
    case OX_BOOL:
        to = OX_FLOAT;
        break;
    case OX_INT64:
        to = OX_DOUBLE;
        break;
    default:
        return ox_fail(g->ctx, ONNXIFY_ERR_EXPORTER, "Unsupported types: complex, string (%s constant in %s)",
                       ox_dtype_name(t->dtype) ? ox_dtype_name(t->dtype) : "unknown", ox_node_describe(n));
    }
    int64_t count = ox_tensor_numel(t);
    if (count < 0 || (count > 0 && (!t->data || t->nbytes < (size_t)count * ox_dtype_size(t->dtype))))
        return ox_fail(g->ctx, ONNXIFY_ERR_EXPORTER, "constant without data in %s", ox_node_describe(n));
    ox_tensor *f = ox_tensor_alloc(g->arena, to, t->rank, t->dims);
    if (!f) return OX_NOMEM(g->ctx);
    for (int64_t i = 0; i < count; i++) ox_tensor_set_f(f, i, (double)ox_tensor_get_i(t, i));
    f->name = t->name;

    ox_value *out = n->outputs[0];
    ox_type *original = ox_type_tensor(g->arena, t->dtype, t->rank, t->dims);
    ox_type *floating = ox_type_tensor(g->arena, to, t->rank, t->dims);
    ox_node *cast = ox_node_new(g, "onnx::Cast", 1);
    if (!original || !floating || !cast) return OX_NOMEM(g->ctx);
    OX_TRY(ox_node_set_t(n, "value", f));
    OX_TRY(ox_node_set_i(cast, "to", (int64_t)t->dtype));
    ox_node_copy_metadata(cast, n);
    ox_node_insert_after(cast, n);
    cast->outputs[0]->type = original;
    bool named_output = ox_value_is_graph_output(out) && ox_value_has_name(out);
    ox_value_replace_all_uses(out, cast->outputs[0]);
    OX_TRY(ox_node_add_input(cast, out));
    out->type = floating;
    if (named_output) {
        cast->outputs[0]->name = out->name;
        out->name = NULL;
    }
    *changed = true;
    return OX_OK;
}

static ox_status cast_block(ox_graph *g, ox_block *b, bool *changed)
{
    for (ox_node *n = ox_block_first(b); n != b->ret;) {
        ox_node *next = n->next; /* skips the Cast inserted after n */
        for (int i = 0; i < n->nblocks; i++) OX_TRY(cast_block(g, n->blocks[i], changed));
        if (ox_node_is(n, "onnx::Constant")) OX_TRY(cast_constant(g, n, changed));
        n = next;
    }
    return OX_OK;
}

ox_status ox_pass_cast_all_constant_to_floating(ox_graph *g, bool *changed)
{
    bool c = false;
    OX_TRY(cast_block(g, g->top, &c));
    if (changed) *changed = c;
    return OX_OK;
}
