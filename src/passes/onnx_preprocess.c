/* Before the conversion (seed: _jit_pass_onnx_preprocess): ops that return a
 * Tensor[] unpacked right away by a prim::ListUnpack become one node with
 * one output per element, and an int attribute `_outputs` with their count,
 * so their symbolics can emit a multi-output ONNX op (Split, ...). */
#include "passes/passes.h"
#include "passes/rewrite.h"

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
    ox_node *m;
    OX_TRY(ox_fuse_list_unpack(g, n, n->kind, n->ninputs, &m));
    if (!m) return OX_OK;
    OX_TRY(ox_node_set_i(m, "_outputs", m->noutputs));
    *changed = true;
    return OX_OK;
}

ox_status ox_pass_onnx_preprocess(ox_graph *g, bool *changed)
{
    bool c = false;
    OX_TRY(ox_rewrite_matching(g, g->top, is_list_op, fuse, &c));
    if (changed) *changed = c;
    return OX_OK;
}
