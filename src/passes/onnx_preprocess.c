/* Before the conversion (seed: _jit_pass_onnx_preprocess): ops that return a
 * Tensor[] unpacked right away by a prim::ListUnpack become one node with
 * one output per element, and an int attribute `_outputs` with their count,
 * so their symbolics can emit a multi-output ONNX op (Split, ...). */
#include "passes/passes.h"

static const char *const list_ops[] = {
    "aten::split",       "aten::split_with_sizes", "aten::unsafe_split", "aten::unsafe_split_with_sizes",
    "aten::unbind",      "aten::unsafe_chunk",     "aten::where",        "aten::nonzero_numpy",
};

static bool is_list_op(const ox_node *n)
{
    for (size_t i = 0; i < sizeof(list_ops) / sizeof(list_ops[0]); i++)
        if (ox_node_is(n, list_ops[i])) return true;
    return false;
}

static ox_status fuse(ox_graph *g, ox_node *n, bool *changed)
{
    if (n->noutputs != 1) return OX_OK;
    ox_value *list = n->outputs[0];
    if (list->nuses != 1 || !ox_node_is(list->uses[0].user, "prim::ListUnpack")) return OX_OK;
    ox_node *unpack = list->uses[0].user;
    ox_node *m = ox_node_new(g, n->kind, unpack->noutputs);
    if (!m) return OX_NOMEM(g->ctx);
    ox_node_copy_metadata(m, n);
    for (int i = 0; i < n->ninputs; i++) OX_TRY(ox_node_add_input(m, n->inputs[i]));
    OX_TRY(ox_node_copy_attrs(m, n));
    OX_TRY(ox_node_set_i(m, "_outputs", unpack->noutputs));
    ox_node_insert_before(m, unpack);
    for (int i = 0; i < unpack->noutputs; i++) {
        ox_value *o = unpack->outputs[i];
        m->outputs[i]->type = o->type;
        if (o->name) ox_value_set_name(m->outputs[i], o->name);
        ox_value_replace_all_uses(o, m->outputs[i]);
    }
    ox_node_destroy(unpack);
    ox_node_destroy(n);
    *changed = true;
    return OX_OK;
}

static ox_status walk(ox_graph *g, ox_block *b, bool *changed)
{
    int count = 0;
    for (ox_node *n = ox_block_first(b); n != b->ret; n = n->next) {
        for (int i = 0; i < n->nblocks; i++) OX_TRY(walk(g, n->blocks[i], changed));
        count += is_list_op(n);
    }
    if (!count) return OX_OK;
    /* Collected first: fusing removes nodes further down the list. */
    ox_node **found = ox_arena_alloc(g->arena, (size_t)count * sizeof(ox_node *));
    if (!found) return OX_NOMEM(g->ctx);
    int k = 0;
    for (ox_node *n = ox_block_first(b); n != b->ret; n = n->next)
        if (is_list_op(n)) found[k++] = n;
    for (int i = 0; i < count; i++) OX_TRY(fuse(g, found[i], changed));
    return OX_OK;
}

ox_status ox_pass_onnx_preprocess(ox_graph *g, bool *changed)
{
    bool c = false;
    OX_TRY(walk(g, g->top, &c));
    if (changed) *changed = c;
    return OX_OK;
}
