/* aten::chunk with constant chunks/dim whose list goes straight into a
 * prim::ListUnpack becomes one multi-output prim::ConstantChunk (seed:
 * _jit_pass_canonicalize_graph_fuser_ops). */
#include "passes/passes.h"
#include "passes/rewrite.h"
#include "symbolic/symbolic.h"

static bool is_chunk(const ox_node *n) { return ox_node_is(n, "aten::chunk"); }

static ox_status fuse(ox_graph *g, ox_node *n, bool *changed)
{
    int64_t chunks, dim;
    if (n->ninputs != 3 || !ox_value_const_int(n->inputs[1], &chunks) || !ox_value_const_int(n->inputs[2], &dim))
        return OX_OK;
    ox_node *cc;
    OX_TRY(ox_fuse_list_unpack(g, n, "prim::ConstantChunk", 1, &cc));
    if (!cc) return OX_OK;
    OX_TRY(ox_node_set_i(cc, "chunks", chunks));
    OX_TRY(ox_node_set_i(cc, "dim", dim));
    *changed = true;
    return OX_OK;
}

ox_status ox_pass_canonicalize_fuser_ops(ox_graph *g, bool *changed)
{
    bool c = false;
    OX_TRY(ox_rewrite_matching(g, g->top, is_chunk, fuse, &c));
    if (changed) *changed = c;
    return OX_OK;
}
