/* Canonical value numbers (seed: _jit_pass_canonicalize, right after the
 * conversion): every value is numbered in graph order — block inputs, then
 * each node's outputs — and unnamed values take their number as name. Values
 * created by later passes are numbered after these, in creation order (see
 * friendly_names.c). This is why torch's numeric names (onnx::Conv_193, the
 * output "191") are small and deterministic. */
#include "passes/passes.h"

static void number_block(ox_graph *g, ox_block *b, uint32_t *k)
{
    for (int i = 0; i < ox_block_ninputs(b); i++, (*k)++) {
        ox_value *v = ox_block_input(b, i);
        if (!ox_value_has_name(v)) v->name = ox_arena_printf(g->arena, "%u", *k);
    }
    for (ox_node *n = ox_block_first(b); n != b->ret; n = n->next) {
        for (int i = 0; i < n->noutputs; i++, (*k)++) {
            ox_value *v = n->outputs[i];
            if (!ox_value_has_name(v)) v->name = ox_arena_printf(g->arena, "%u", *k);
        }
        for (int i = 0; i < n->nblocks; i++) number_block(g, n->blocks[i], k);
    }
}

ox_status ox_pass_canonicalize(ox_graph *g, bool *changed)
{
    uint32_t k = 0;
    number_block(g, g->top, &k);
    g->next_number = k;
    if (changed) *changed = true;
    return OX_OK;
}
