/* aten::chunk with constant chunks/dim whose list goes straight into a
 * prim::ListUnpack becomes one multi-output prim::ConstantChunk (seed:
 * _jit_pass_canonicalize_graph_fuser_ops). */
#include "passes/passes.h"
#include "symbolic/symbolic.h"

static ox_status fuse(ox_graph *g, ox_node *n, bool *changed)
{
    int64_t chunks, dim;
    if (n->ninputs != 3 || n->noutputs != 1 || !ox_value_const_int(n->inputs[1], &chunks) ||
        !ox_value_const_int(n->inputs[2], &dim))
        return OX_OK;
    ox_value *list = n->outputs[0];
    if (list->nuses != 1 || !ox_node_is(list->uses[0].user, "prim::ListUnpack")) return OX_OK;
    ox_node *unpack = list->uses[0].user;
    ox_node *cc = ox_node_new(g, "prim::ConstantChunk", unpack->noutputs);
    if (!cc) return OX_NOMEM(g->ctx);
    ox_node_copy_metadata(cc, n);
    OX_TRY(ox_node_add_input(cc, n->inputs[0]));
    OX_TRY(ox_node_set_i(cc, "chunks", chunks));
    OX_TRY(ox_node_set_i(cc, "dim", dim));
    ox_node_insert_before(cc, unpack);
    for (int i = 0; i < unpack->noutputs; i++) {
        ox_value *o = unpack->outputs[i];
        cc->outputs[i]->type = o->type;
        if (o->name) ox_value_set_name(cc->outputs[i], o->name);
        ox_value_replace_all_uses(o, cc->outputs[i]);
    }
    ox_node_destroy(unpack);
    ox_node_destroy(n);
    *changed = true;
    return OX_OK;
}

/* Chunk nodes are collected first: fusing removes nodes further down the list. */
static ox_status walk(ox_graph *g, ox_block *b, bool *changed)
{
    int count = 0;
    for (ox_node *n = ox_block_first(b); n != b->ret; n = n->next) {
        for (int i = 0; i < n->nblocks; i++) OX_TRY(walk(g, n->blocks[i], changed));
        count += ox_node_is(n, "aten::chunk");
    }
    if (!count) return OX_OK;
    ox_node **chunks = ox_arena_alloc(g->arena, (size_t)count * sizeof(ox_node *));
    if (!chunks) return OX_NOMEM(g->ctx);
    int k = 0;
    for (ox_node *n = ox_block_first(b); n != b->ret; n = n->next)
        if (ox_node_is(n, "aten::chunk")) chunks[k++] = n;
    for (int i = 0; i < count; i++) OX_TRY(fuse(g, chunks[i], changed));
    return OX_OK;
}

ox_status ox_pass_canonicalize_fuser_ops(ox_graph *g, bool *changed)
{
    bool c = false;
    OX_TRY(walk(g, g->top, &c));
    if (changed) *changed = c;
    return OX_OK;
}
