/* Parameters that are the same tensor (same storage) — or, outside training,
 * equal in dtype, shape and values — are kept once (seed:
 * _jit_pass_onnx_deduplicate_initializers). A duplicate's uses go to an
 * onnx::Identity of the kept parameter, placed at the top of the graph, whose
 * output keeps the duplicate's name. The first parameter in input order wins. */
#include "passes/passes.h"

static bool same_storage(const ox_tensor *a, const ox_tensor *b)
{
    if (a->data != b->data || a->dtype != b->dtype || a->rank != b->rank) return false;
    for (int i = 0; i < a->rank; i++)
        if (a->dims[i] != b->dims[i]) return false;
    return true;
}

/* One sweep: each parameter `same` calls equal to an earlier one is replaced
 * by an Identity of that one, prepended to the graph (as torch does, so the
 * last replaced comes first). */
static ox_status sweep(ox_graph *g, bool (*same)(const ox_tensor *, const ox_tensor *), bool *changed)
{
    ox_block *b = g->top;
    for (int i = 0; i < ox_block_ninputs(b); i++) {
        ox_value *dup = ox_block_input(b, i);
        if (!dup->init) continue;
        ox_value *kept = NULL;
        for (int j = 0; j < i && !kept; j++) {
            ox_value *cand = ox_block_input(b, j);
            if (cand->init && same(cand->init, dup->init)) kept = cand;
        }
        if (!kept) continue;
        ox_node *id = ox_node_new(g, "onnx::Identity", 1);
        if (!id) return OX_NOMEM(g->ctx);
        OX_TRY(ox_node_add_input(id, kept));
        id->outputs[0]->type = dup->type;
        id->outputs[0]->name = dup->name;
        ox_block_prepend(b, id);
        ox_value_replace_all_uses(dup, id->outputs[0]);
        ox_block_erase_input(b, i);
        i--;
        *changed = true;
    }
    return OX_OK;
}

/* Storage sharing is always a duplicate; equal values only outside training. */
ox_status ox_pass_deduplicate_initializers(ox_graph *g, bool training, bool *changed)
{
    bool c = false;
    OX_TRY(sweep(g, same_storage, &c));
    if (!training) OX_TRY(sweep(g, ox_tensor_equal, &c));
    if (changed) *changed = c;
    return OX_OK;
}
