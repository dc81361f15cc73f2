/* Dead-code elimination (seed: _jit_pass_dce and, after the conversion,
 * _jit_pass_dce_allow_deleting_nodes_with_side_effects): removes nodes none
 * of whose outputs is used, walking each block backwards so chains go at once. */
#include "passes/passes.h"

/* Side effects, as torch's hasSideEffects: printing, raising, function
 * definitions, anything inside a block that has them, and (lacking alias
 * analysis) an in-place aten op writing into a view of another tensor. */
static bool has_side_effects(const ox_node *n)
{
    if (ox_node_is(n, "prim::Print") || ox_node_is(n, "aten::warn") || ox_node_is(n, "prim::RaiseException") ||
        ox_node_is(n, "onnx::LocalFunctionDef") || ox_writes_into_view(n))
        return true;
    for (int b = 0; b < n->nblocks; b++)
        for (const ox_node *m = ox_block_first(n->blocks[b]); m != n->blocks[b]->ret; m = m->next)
            if (has_side_effects(m)) return true;
    return false;
}

static bool dce_block(ox_block *b)
{
    bool changed = false;
    for (ox_node *n = b->ret->prev; n != b->ret;) {
        ox_node *prev = n->prev;
        for (int i = 0; i < n->nblocks; i++) changed |= dce_block(n->blocks[i]);
        bool used = false;
        for (int i = 0; i < n->noutputs && !used; i++) used = n->outputs[i]->nuses > 0;
        if (!used && !has_side_effects(n)) {
            ox_node_destroy(n);
            changed = true;
        }
        n = prev;
    }
    return changed;
}

ox_status ox_pass_dce(ox_graph *g, bool *changed)
{
    bool c = dce_block(g->top);
    if (changed) *changed = c;
    return OX_OK;
}
