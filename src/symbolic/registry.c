/* Dispatch by registry key and opset, as torch's registry does:
 * target >= 9: the highest registered opset <= target;
 * target 7/8: the lowest registered opset v with target <= v <= 9. */
#include <string.h>

#include "symbolic/families.h"

static const ox_symbolic_entry *const families[] = {
    ox_symbolics_prim,  ox_symbolics_elementwise, ox_symbolics_activation, ox_symbolics_linear,
    ox_symbolics_conv,  ox_symbolics_pool,        ox_symbolics_norm,       ox_symbolics_shape,
    ox_symbolics_dropout, ox_symbolics_reduce,
    ox_symbolics_tensor, ox_symbolics_indexing, ox_symbolics_rnn,
    ox_symbolics_resize,
};
#define N_FAMILIES (sizeof(families) / sizeof(families[0]))

ox_symbolic_fn ox_symbolic_lookup(const char *name, int opset)
{
    const ox_symbolic_entry *best = NULL;
    for (size_t f = 0; f < N_FAMILIES; f++)
        for (const ox_symbolic_entry *e = families[f]; e->name; e++) {
            if (strcmp(e->name, name) != 0) continue;
            if (opset >= 9) {
                if (e->opset <= opset && (!best || e->opset > best->opset)) best = e;
            } else if (e->opset >= opset && e->opset <= 9 && (!best || e->opset < best->opset)) {
                best = e;
            }
        }
    return best ? best->fn : NULL;
}

int ox_symbolic_first_opset(const char *name)
{
    int first = 0;
    for (size_t f = 0; f < N_FAMILIES; f++)
        for (const ox_symbolic_entry *e = families[f]; e->name; e++)
            if (strcmp(e->name, name) == 0 && (!first || e->opset < first)) first = e->opset;
    return first;
}

const char *ox_symbolic_key(ox_arena *a, const char *kind)
{
    size_t n = strlen(kind);
    if (n > 0 && kind[n - 1] == '_') return ox_arena_strndup(a, kind, n - 1);
    return kind;
}
