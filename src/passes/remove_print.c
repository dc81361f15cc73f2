/* Drops prim::Print and aten::warn nodes (seed: _jit_pass_onnx_remove_print);
 * their now-unused constant inputs go with the next DCE. */
#include "passes/passes.h"

static void remove_in(ox_block *b, bool *changed)
{
    for (ox_node *n = ox_block_first(b); n != b->ret;) {
        ox_node *next = n->next;
        for (int i = 0; i < n->nblocks; i++) remove_in(n->blocks[i], changed);
        if ((ox_node_is(n, "prim::Print") || ox_node_is(n, "aten::warn"))) {
            bool used = false;
            for (int i = 0; i < n->noutputs; i++) used |= n->outputs[i]->nuses > 0;
            if (!used) {
                ox_node_destroy(n);
                *changed = true;
            }
        }
        n = next;
    }
}

ox_status ox_pass_remove_print(ox_graph *g, bool *changed)
{
    bool c = false;
    remove_in(g->top, &c);
    if (changed) *changed = c;
    return OX_OK;
}
