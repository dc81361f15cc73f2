/* Removes top-level inputs nobody uses: unused parameters and, as torch does,
 * unused user inputs too (seed: _jit_pass_onnx_eliminate_unused_items). */
#include "passes/passes.h"

ox_status ox_pass_eliminate_unused_items(ox_graph *g, bool *changed)
{
    bool c = false;
    for (int i = ox_block_ninputs(g->top) - 1; i >= 0; i--)
        if (ox_block_input(g->top, i)->nuses == 0) {
            ox_block_erase_input(g->top, i);
            c = true;
        }
    if (changed) *changed = c;
    return OX_OK;
}
