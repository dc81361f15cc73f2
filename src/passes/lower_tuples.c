/* Flattens tuples where the graph boundary allows it (seed:
 * _jit_pass_lower_all_tuples): a TupleConstruct returned from the graph
 * becomes its elements as separate outputs, TupleUnpack of a TupleConstruct
 * forwards the elements. */
#include "passes/passes.h"

static ox_status flatten_outputs(ox_graph *g, bool *changed)
{
    ox_block *b = g->top;
    for (int i = 0; i < ox_block_noutputs(b);) {
        ox_value *v = ox_block_output(b, i);
        if (!ox_node_is(v->node, "prim::TupleConstruct")) {
            i++;
            continue;
        }
        /* Rebuild the output list with the tuple's elements spliced in. */
        int n = ox_block_noutputs(b);
        ox_value **outs = ox_arena_alloc(g->arena, (size_t)(n + v->node->ninputs) * sizeof(ox_value *));
        if (!outs) return OX_NOMEM(g->ctx);
        int k = 0;
        for (int j = 0; j < n; j++) {
            ox_value *o = ox_block_output(b, j);
            if (j == i)
                for (int e = 0; e < v->node->ninputs; e++) outs[k++] = v->node->inputs[e];
            else
                outs[k++] = o;
        }
        ox_node_remove_all_inputs(b->ret);
        for (int j = 0; j < k; j++) OX_TRY(ox_block_add_output(b, outs[j]));
        *changed = true;
    }
    return OX_OK;
}

static void forward_unpacks(ox_block *b, bool *changed)
{
    for (ox_node *n = ox_block_first(b); n != b->ret;) {
        ox_node *next = n->next;
        for (int i = 0; i < n->nblocks; i++) forward_unpacks(n->blocks[i], changed);
        if (ox_node_is(n, "prim::TupleUnpack") && n->ninputs == 1 &&
            ox_node_is(n->inputs[0]->node, "prim::TupleConstruct") &&
            n->inputs[0]->node->ninputs == n->noutputs) {
            ox_node *tc = n->inputs[0]->node;
            for (int i = 0; i < n->noutputs; i++) ox_value_replace_all_uses(n->outputs[i], tc->inputs[i]);
            ox_node_destroy(n);
            *changed = true;
        }
        n = next;
    }
}

ox_status ox_pass_lower_tuples(ox_graph *g, bool *changed)
{
    bool c = false;
    OX_TRY(flatten_outputs(g, &c));
    forward_unpacks(g->top, &c);
    if (changed) *changed = c;
    return OX_OK;
}
