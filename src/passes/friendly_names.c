/* Value names as torch leaves them (seed: _jit_pass_canonicalize then
 * _apply_friendly_debug_names): every value is numbered in graph order, and
 * an unnamed value consumed by a node is called "<consumer kind>_<number>"
 * after its first consumer (onnx::Conv_12); values only returned keep the
 * bare number. */
#include "passes/passes.h"

static void number_block(ox_graph *g, ox_block *b, uint32_t *k)
{
    for (int i = 0; i < ox_block_ninputs(b); i++) {
        ox_value *v = ox_block_input(b, i);
        if (!ox_value_has_name(v)) v->name = ox_arena_printf(g->arena, "%u", *k);
        (*k)++;
    }
    for (ox_node *n = ox_block_first(b); n != b->ret; n = n->next) {
        for (int i = 0; i < n->nblocks; i++) number_block(g, n->blocks[i], k);
        for (int i = 0; i < n->noutputs; i++) {
            ox_value *v = n->outputs[i];
            if (!ox_value_has_name(v)) v->name = ox_arena_printf(g->arena, "%u", *k);
            (*k)++;
        }
    }
}

static bool rename_block(ox_graph *g, ox_block *b)
{
    bool changed = false;
    for (ox_node *n = ox_block_first(b); n != b->ret; n = n->next) {
        for (int i = 0; i < n->ninputs; i++) {
            ox_value *v = n->inputs[i];
            if (ox_value_has_name(v)) continue;
            v->name = ox_arena_printf(g->arena, "%s_%s", n->kind, v->name ? v->name : "0");
            changed = true;
        }
        for (int i = 0; i < n->nblocks; i++) changed |= rename_block(g, n->blocks[i]);
    }
    return changed;
}

ox_status ox_pass_friendly_names(ox_graph *g, bool *changed)
{
    uint32_t k = 0;
    number_block(g, g->top, &k);
    bool c = rename_block(g, g->top);
    if (changed) *changed = c;
    return OX_OK;
}
