#include "passes/rewrite.h"

static ox_status collect(ox_graph *g, ox_block *b, ox_node_pred pred, ox_node ***out, int *n, int *cap)
{
    for (ox_node *x = ox_block_first(b); x != b->ret; x = x->next) {
        for (int i = 0; i < x->nblocks; i++) OX_TRY(collect(g, x->blocks[i], pred, out, n, cap));
        if (!pred(x)) continue;
        if (*n == *cap) {
            int ncap = *cap ? *cap * 2 : 16;
            ox_node **p = ox_arena_grow(g->arena, *out, (size_t)*cap * sizeof(**out), (size_t)ncap * sizeof(**out));
            if (!p) return OX_NOMEM(g->ctx);
            *out = p;
            *cap = ncap;
        }
        (*out)[(*n)++] = x;
    }
    return OX_OK;
}

ox_status ox_rewrite_matching(ox_graph *g, ox_block *b, ox_node_pred pred, ox_node_rewrite fn, bool *changed)
{
    ox_node **found = NULL;
    int n = 0, cap = 0;
    OX_TRY(collect(g, b, pred, &found, &n, &cap));
    for (int i = 0; i < n; i++) OX_TRY(fn(g, found[i], changed));
    return OX_OK;
}

ox_status ox_fuse_list_unpack(ox_graph *g, ox_node *n, const char *kind, int ninputs, ox_node **fused)
{
    *fused = NULL;
    if (n->noutputs != 1 || ninputs > n->ninputs) return OX_OK;
    ox_value *list = n->outputs[0];
    if (list->nuses != 1 || !ox_node_is(list->uses[0].user, "prim::ListUnpack")) return OX_OK;
    ox_node *unpack = list->uses[0].user;
    ox_node *m = ox_node_new(g, kind, unpack->noutputs);
    if (!m) return OX_NOMEM(g->ctx);
    ox_node_copy_metadata(m, n);
    for (int i = 0; i < ninputs; i++) OX_TRY(ox_node_add_input(m, n->inputs[i]));
    OX_TRY(ox_node_copy_attrs(m, n));
    ox_node_insert_before(m, unpack);
    for (int i = 0; i < unpack->noutputs; i++) {
        ox_value *o = unpack->outputs[i];
        m->outputs[i]->type = o->type;
        if (o->name) ox_value_set_name(m->outputs[i], o->name);
        ox_value_replace_all_uses(o, m->outputs[i]);
    }
    ox_node_destroy(unpack);
    ox_node_destroy(n);
    *fused = m;
    return OX_OK;
}
