/* Friendly value names (seed: _apply_friendly_debug_names): an unnamed value
 * consumed by a node is called "<consumer kind>_<number>" after its first
 * consumer in graph order (onnx::Conv_193); values only returned keep the
 * bare number. Values created after canonicalization get their numbers here,
 * in creation order. */
#include <stdlib.h>

#include "passes/passes.h"

typedef struct collector {
    ox_value **vals;
    int n, cap;
} collector;

static bool collect(ox_graph *g, collector *c, ox_value *v)
{
    if (v->name) return true;
    if (c->n == c->cap) {
        int cap = c->cap ? c->cap * 2 : 64;
        ox_value **p = ox_arena_grow(g->arena, c->vals, (size_t)c->cap * sizeof(*p), (size_t)cap * sizeof(*p));
        if (!p) return false;
        c->vals = p;
        c->cap = cap;
    }
    c->vals[c->n++] = v;
    return true;
}

static bool collect_block(ox_graph *g, collector *c, ox_block *b)
{
    for (int i = 0; i < ox_block_ninputs(b); i++)
        if (!collect(g, c, ox_block_input(b, i))) return false;
    for (ox_node *n = ox_block_first(b); n != b->ret; n = n->next) {
        for (int i = 0; i < n->noutputs; i++)
            if (!collect(g, c, n->outputs[i])) return false;
        for (int i = 0; i < n->nblocks; i++)
            if (!collect_block(g, c, n->blocks[i])) return false;
    }
    return true;
}

static int by_id(const void *a, const void *b)
{
    uint32_t x = (*(ox_value *const *)a)->id, y = (*(ox_value *const *)b)->id;
    return x < y ? -1 : x > y;
}

static bool rename_block(ox_graph *g, ox_block *b)
{
    bool changed = false;
    for (ox_node *n = ox_block_first(b); n != b->ret; n = n->next) {
        for (int i = 0; i < n->ninputs; i++) {
            ox_value *v = n->inputs[i];
            if (ox_value_has_name(v)) continue;
            v->name = ox_arena_printf(g->arena, "%s_%s", n->kind, v->name);
            changed = true;
        }
    }
    return changed;
}

ox_status ox_pass_friendly_names(ox_graph *g, bool *changed)
{
    collector c = {0};
    if (!collect_block(g, &c, g->top)) return OX_NOMEM(g->ctx);
    if (c.n) qsort(c.vals, (size_t)c.n, sizeof(*c.vals), by_id);
    for (int i = 0; i < c.n; i++)
        if (!(c.vals[i]->name = ox_arena_printf(g->arena, "%u", g->next_number++))) return OX_NOMEM(g->ctx);
    bool renamed = rename_block(g, g->top); /* torch renames for the top block's nodes only */
    if (changed) *changed = renamed || c.n > 0;
    return OX_OK;
}
