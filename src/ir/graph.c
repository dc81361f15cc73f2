/* Graphs, blocks, nodes and values: construction, list surgery and use lists. */
#include <stdio.h>
#include <string.h>

#include "ir/ir.h"

#define PARAM_KIND "prim::Param"
#define RETURN_KIND "prim::Return"

static ox_value *value_new(ox_graph *g, ox_node *producer, int offset)
{
    ox_value *v = ox_arena_alloc(g->arena, sizeof(*v));
    if (!v) return NULL;
    v->node = producer;
    v->offset = offset;
    v->id = g->next_value_id++;
    v->type = ox_type_tensor(g->arena, OX_UNDEFINED, -1, NULL);
    return v->type ? v : NULL;
}

static ox_node *node_alloc(ox_graph *g, const char *kind)
{
    ox_node *n = ox_arena_alloc(g->arena, sizeof(*n));
    if (!n) return NULL;
    n->graph = g;
    n->kind = ox_intern(g, kind);
    n->seq = g->next_node_seq++;
    return n->kind ? n : NULL;
}

ox_graph *ox_graph_new(ox_ctx *ctx)
{
    ox_graph *g = ox_arena_alloc(ctx->arena, sizeof(*g));
    if (!g) return NULL;
    g->ctx = ctx;
    g->arena = ctx->arena;
    g->top = ox_block_new(g, NULL);
    return g->top ? g : NULL;
}

ox_block *ox_block_new(ox_graph *g, ox_node *owning_node)
{
    ox_block *b = ox_arena_alloc(g->arena, sizeof(*b));
    if (!b) return NULL;
    b->graph = g;
    b->owning_node = owning_node;
    b->param = node_alloc(g, PARAM_KIND);
    b->ret = node_alloc(g, RETURN_KIND);
    if (!b->param || !b->ret) return NULL;
    b->param->owner = b->ret->owner = b;
    b->ret->next = b->ret->prev = b->ret; /* empty circular list */
    return b;
}

ox_node *ox_block_first(const ox_block *b) { return b->ret->next; }

static bool grow(ox_arena *a, void **arr, int *cap, int need, size_t elem)
{
    if (need <= *cap) return true;
    int ncap = *cap ? *cap * 2 : 4;
    while (ncap < need) ncap *= 2;
    void *p = ox_arena_grow(a, *arr, (size_t)*cap * elem, (size_t)ncap * elem);
    if (!p) return false;
    *arr = p;
    *cap = ncap;
    return true;
}

static ox_value *node_append_output(ox_node *n, ox_graph *g)
{
    if (!grow(g->arena, (void **)&n->outputs, &n->outputs_cap, n->noutputs + 1, sizeof(ox_value *)))
        return NULL;
    ox_value *v = value_new(g, n, n->noutputs);
    if (!v) return NULL;
    n->outputs[n->noutputs++] = v;
    return v;
}

ox_value *ox_block_add_input(ox_block *b, const char *name, ox_type *type)
{
    ox_value *v = node_append_output(b->param, b->graph);
    if (!v) return NULL;
    if (name) ox_value_set_name(v, name);
    if (type) v->type = type;
    return v;
}

void ox_block_insert_input(ox_block *b, int index, ox_value *v)
{
    ox_node *p = b->param;
    /* v was appended by ox_block_add_input; move it to `index`. */
    int from = v->offset;
    if (from == index) return;
    memmove(&p->outputs[index + 1], &p->outputs[index], (size_t)(from - index) * sizeof(ox_value *));
    p->outputs[index] = v;
    for (int i = 0; i < p->noutputs; i++) p->outputs[i]->offset = i;
}

void ox_block_erase_input(ox_block *b, int index) { ox_node_erase_output(b->param, index); }
int ox_block_ninputs(const ox_block *b) { return b->param->noutputs; }
ox_value *ox_block_input(const ox_block *b, int i) { return b->param->outputs[i]; }
int ox_block_noutputs(const ox_block *b) { return b->ret->ninputs; }
ox_value *ox_block_output(const ox_block *b, int i) { return b->ret->inputs[i]; }
ox_status ox_block_add_output(ox_block *b, ox_value *v) { return ox_node_add_input(b->ret, v); }
void ox_block_set_output(ox_block *b, int i, ox_value *v) { ox_node_set_input(b->ret, i, v); }

ox_node *ox_node_new(ox_graph *g, const char *kind, int noutputs)
{
    ox_node *n = node_alloc(g, kind);
    if (!n) return NULL;
    for (int i = 0; i < noutputs; i++)
        if (!node_append_output(n, g)) return NULL;
    return n;
}

static void link_before(ox_node *n, ox_node *pos)
{
    n->owner = pos->owner;
    n->next = pos;
    n->prev = pos->prev;
    pos->prev->next = n;
    pos->prev = n;
}

void ox_node_insert_before(ox_node *n, ox_node *pos) { link_before(n, pos); }
void ox_node_insert_after(ox_node *n, ox_node *pos) { link_before(n, pos->next); }
void ox_block_append(ox_block *b, ox_node *n) { link_before(n, b->ret); }
void ox_block_prepend(ox_block *b, ox_node *n) { link_before(n, b->ret->next); }

/* ---- uses ---- */

static bool use_add(ox_graph *g, ox_value *v, ox_node *user, int index)
{
    if (!grow(g->arena, (void **)&v->uses, &v->uses_cap, v->nuses + 1, sizeof(ox_use))) return false;
    v->uses[v->nuses++] = (ox_use){user, index};
    return true;
}

static void use_remove(ox_value *v, ox_node *user, int index)
{
    for (int i = 0; i < v->nuses; i++)
        if (v->uses[i].user == user && v->uses[i].index == index) {
            memmove(&v->uses[i], &v->uses[i + 1], (size_t)(v->nuses - i - 1) * sizeof(ox_use));
            v->nuses--;
            return;
        }
}

static void use_reindex(ox_value *v, ox_node *user, int from, int to)
{
    for (int i = 0; i < v->nuses; i++)
        if (v->uses[i].user == user && v->uses[i].index == from) {
            v->uses[i].index = to;
            return;
        }
}

static ox_graph *node_graph(ox_node *n, ox_value *v) { return n->graph; }

ox_status ox_node_add_input(ox_node *n, ox_value *v)
{
    ox_graph *g = node_graph(n, v);
    if (!grow(g->arena, (void **)&n->inputs, &n->inputs_cap, n->ninputs + 1, sizeof(ox_value *)) ||
        !use_add(g, v, n, n->ninputs))
        return OX_NOMEM(g->ctx);
    n->inputs[n->ninputs++] = v;
    return OX_OK;
}

void ox_node_set_input(ox_node *n, int i, ox_value *v)
{
    ox_value *old = n->inputs[i];
    if (old == v) return;
    use_remove(old, n, i);
    n->inputs[i] = v;
    if (!use_add(node_graph(n, v), v, n, i)) ox_fail(node_graph(n, v)->ctx, ONNXIFY_ERR_OUT_OF_MEMORY, "out of memory");
}

void ox_node_remove_input(ox_node *n, int i)
{
    use_remove(n->inputs[i], n, i);
    for (int j = i + 1; j < n->ninputs; j++) {
        use_reindex(n->inputs[j], n, j, j - 1);
        n->inputs[j - 1] = n->inputs[j];
    }
    n->ninputs--;
}

void ox_node_remove_all_inputs(ox_node *n)
{
    for (int i = 0; i < n->ninputs; i++) use_remove(n->inputs[i], n, i);
    n->ninputs = 0;
}

ox_value *ox_node_add_output(ox_node *n)
{
    return node_append_output(n, n->graph);
}

void ox_node_erase_output(ox_node *n, int i)
{
    memmove(&n->outputs[i], &n->outputs[i + 1], (size_t)(n->noutputs - i - 1) * sizeof(ox_value *));
    n->noutputs--;
    for (int j = i; j < n->noutputs; j++) n->outputs[j]->offset = j;
}

ox_value *ox_node_output(const ox_node *n) { return n->noutputs ? n->outputs[0] : NULL; }

ox_block *ox_node_add_block(ox_node *n)
{
    ox_graph *g = n->graph;
    ox_block *b = ox_block_new(g, n);
    if (!b) return NULL;
    ox_block **blocks = ox_arena_grow(g->arena, n->blocks, (size_t)n->nblocks * sizeof(ox_block *),
                                      (size_t)(n->nblocks + 1) * sizeof(ox_block *));
    if (!blocks) return NULL;
    blocks[n->nblocks++] = b;
    n->blocks = blocks;
    return b;
}

void ox_node_copy_metadata(ox_node *n, const ox_node *from)
{
    n->scope = from->scope;
    n->scope_inst = from->scope_inst;
    n->overload = from->overload;
    n->source = from->source;
}

void ox_node_destroy(ox_node *n)
{
    ox_node_remove_all_inputs(n);
    for (int b = 0; b < n->nblocks; b++) {
        ox_block *blk = n->blocks[b];
        for (ox_node *c = blk->ret->prev; c != blk->ret;) {
            ox_node *prev = c->prev;
            ox_node_destroy(c);
            c = prev;
        }
        ox_node_remove_all_inputs(blk->ret);
    }
    if (n->prev) {
        n->prev->next = n->next;
        n->next->prev = n->prev;
    }
    n->prev = n->next = NULL;
}

bool ox_node_is(const ox_node *n, const char *kind) { return strcmp(n->kind, kind) == 0; }

const char *ox_kind_name(const char *kind)
{
    const char *p = strstr(kind, "::");
    return p ? p + 2 : kind;
}

const char *ox_kind_ns(const char *kind, char *buf, size_t bufsize)
{
    const char *p = strstr(kind, "::");
    size_t n = p ? (size_t)(p - kind) : 0;
    if (n >= bufsize) n = bufsize - 1;
    memcpy(buf, kind, n);
    buf[n] = 0;
    return buf;
}

/* ---- values ---- */

const char *ox_value_name(ox_value *v)
{
    /* Not stored: an unnamed value stays unnamed for the naming passes. */
    if (!v->name) {
        const char *id = ox_arena_printf(v->node->graph->arena, "%u", v->id);
        return id ? id : "?";
    }
    return v->name;
}

bool ox_value_has_name(const ox_value *v)
{
    if (!v->name || !*v->name) return false;
    for (const char *p = v->name; *p; p++)
        if (*p < '0' || *p > '9') return true;
    return false;
}

void ox_value_set_name(ox_value *v, const char *name)
{
    v->name = ox_arena_strdup(v->node->graph->arena, name);
}

void ox_value_replace_all_uses(ox_value *v, ox_value *with)
{
    while (v->nuses) {
        ox_use u = v->uses[v->nuses - 1];
        ox_node_set_input(u.user, u.index, with);
    }
}

bool ox_value_is_graph_input(const ox_value *v)
{
    const ox_block *b = v->node->owner;
    return b && !b->owning_node && v->node == b->param;
}

bool ox_value_is_graph_output(const ox_value *v)
{
    for (int i = 0; i < v->nuses; i++) {
        const ox_node *u = v->uses[i].user;
        if (u->owner && u == u->owner->ret && !u->owner->owning_node) return true;
    }
    return false;
}

bool ox_value_is_constant(const ox_value *v)
{
    return ox_node_is(v->node, "prim::Constant") || ox_node_is(v->node, "onnx::Constant");
}

bool ox_value_is_none(const ox_value *v)
{
    if (v->type && v->type->kind == OX_TYPE_NONE) return true;
    return ox_node_is(v->node, "prim::Constant") && !v->node->attrs;
}

const ox_tensor *ox_value_const_tensor(const ox_value *v)
{
    if (v->init) return v->init;
    if (!ox_value_is_constant(v)) return NULL;
    ox_attr *a = ox_node_attr(v->node, "value");
    return a && a->kind == OX_ATTR_T ? a->v.t : NULL;
}
