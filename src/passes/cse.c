/* Common-subexpression elimination on the TorchScript graph (seed:
 * _optimize_graph step 8, _jit_pass_cse). Nodes are visited in order; a
 * node equal to an earlier one that dominates it (earlier in the same block,
 * or earlier in an enclosing block before the node owning this block) is
 * removed and its outputs are replaced by the earlier node's, so the first
 * occurrence wins and keeps its scope. Two nodes are equal when they have
 * the same kind, the same input values, the same attributes (by name, kind
 * and value; tensors by dtype, shape and bytes; floats bit for bit) and
 * the same output types. prim::Constant nodes merge like any other node.
 *
 * Never merged, as in torch:
 *   - nodes with side effects (prim::Print, aten::warn, prim::RaiseException,
 *     ...), nodes with no outputs;
 *   - nondeterministic nodes: random sampling (aten::rand*, randn*, randint*,
 *     randperm, bernoulli, multinomial, normal, poisson, ...), dropout in all
 *     its forms unless its `train` input is a constant false;
 *   - nodes with sub-blocks (their blocks are still visited);
 *   - nodes whose inputs or outputs may be written: an alias analysis puts
 *     values that may share memory in one class (views such as view/reshape/
 *     transpose/select/slice and in-place ops return their first input's
 *     memory; lists (of anything: lists are mutable) and tuples hold their
 *     elements; control flow joins everything it touches; once the graph
 *     mutates anything, every op output is assumed to alias its tensor
 *     inputs, so that a view we do not know of cannot hide a write), and a
 *     class is written when an in-place op, a list mutation or an unknown op
 *     (prim::PythonOp, other namespaces) takes it. Torch asks its alias
 *     analysis the same question (AliasDb::hasWriters);
 *   - two nodes whose outputs both alias graph outputs (no new aliasing
 *     among the outputs; here only the known views and containers count).
 *
 * A hash over (kind, input ids, attributes) finds candidates in linear time;
 * entries of a sub-block are dropped when the walk leaves it. */
#include <string.h>

#include "passes/passes.h"

/* ---- what can never merge ---------------------------------------------- */

static const char *const side_effect_kinds[] = {
    "prim::Print",       "aten::warn",      "prim::RaiseException", "prim::AddStatValue", "prim::TimePoint",
    "prim::CallFunction", "prim::CallMethod", "prim::Enter",         "prim::Exit",         "prim::BailOut",
    "prim::IgnoredPythonOp", "prim::SetAttr", "onnx::LocalFunctionDef", "aten::manual_seed", "aten::_assert_async",
};

static const char *const random_kinds[] = {
    "aten::rand",      "aten::rand_like",   "aten::randn",    "aten::randn_like", "aten::randint",
    "aten::randint_like", "aten::randperm", "aten::bernoulli", "aten::multinomial", "aten::normal",
    "aten::poisson",   "aten::binomial",    "aten::uniform",  "aten::exponential", "aten::geometric",
    "aten::cauchy",    "aten::log_normal",  "aten::random",   "aten::rrelu",      "aten::rrelu_with_noise",
    "aten::native_dropout", "aten::_fused_dropout", "aten::_standard_gamma", "aten::_sample_dirichlet",
};

static const char *const dropout_kinds[] = {
    "aten::dropout", "aten::feature_dropout", "aten::alpha_dropout", "aten::feature_alpha_dropout",
};

static bool kind_in(const ox_node *n, const char *const *list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (ox_node_is(n, list[i])) return true;
    return false;
}
#define KIND_IN(n, list) kind_in((n), (list), sizeof(list) / sizeof((list)[0]))

static bool has_side_effects(const ox_node *n) { return KIND_IN(n, side_effect_kinds); }

static bool const_false(const ox_value *v)
{
    if (!ox_node_is(v->node, "prim::Constant")) return false;
    ox_attr *a = ox_node_attr(v->node, "value");
    return a && a->kind == OX_ATTR_I && a->v.i == 0;
}

static bool is_nondeterministic(const ox_node *n)
{
    if (KIND_IN(n, random_kinds)) return true;
    if (KIND_IN(n, dropout_kinds)) return !(n->ninputs == 3 && const_false(n->inputs[2]));
    return false;
}

/* ---- alias classes ----------------------------------------------------- */

static const char *const view_kinds[] = {
    "aten::view",     "aten::view_as",   "aten::reshape",  "aten::reshape_as", "aten::_reshape_alias",
    "aten::transpose", "aten::t",        "aten::permute",  "aten::numpy_T",    "aten::select",
    "aten::slice",    "aten::narrow",    "aten::expand",   "aten::expand_as",  "aten::squeeze",
    "aten::unsqueeze", "aten::flatten",  "aten::unflatten", "aten::as_strided", "aten::unfold",
    "aten::diagonal", "aten::detach",    "aten::alias",    "aten::contiguous", "aten::to",
    "aten::real",     "aten::imag",      "aten::view_as_real", "aten::view_as_complex", "aten::movedim",
    "aten::moveaxis", "aten::swapaxes",  "aten::swapdims", "aten::chunk",      "aten::split",
    "aten::split_with_sizes", "aten::unbind", "aten::unsafe_chunk", "aten::unsafe_split",
    "aten::tensor_split", "aten::__getitem__", "aten::list", "prim::ConstantChunk", "prim::ListUnpack",
    "prim::TupleUnpack", "prim::TupleIndex", "aten::type_as", "prim::data",
};

static const char *const container_kinds[] = {
    "prim::ListConstruct", "prim::TupleConstruct", "prim::DictConstruct",
};

static const char *const list_mutators[] = {
    "aten::append", "aten::insert", "aten::extend", "aten::pop", "aten::clear",
    "aten::remove", "aten::reverse", "aten::sort", "aten::_set_item",
};

static bool is_inplace(const ox_node *n)
{
    const char *k = n->kind;
    if (strncmp(k, "aten::", 6) != 0) return false;
    size_t len = strlen(k);
    return len > 7 && k[len - 1] == '_' && k[len - 2] != '_';
}

static bool is_unknown_op(const ox_node *n)
{
    const char *k = n->kind;
    if (ox_node_is(n, "prim::PythonOp")) return true;
    return strncmp(k, "aten::", 6) != 0 && strncmp(k, "prim::", 6) != 0 && strncmp(k, "onnx::", 6) != 0;
}

/* Tensors and lists can be written (and share memory); tuples and optionals
 * through what they hold. Numbers, strings and None cannot. */
static bool type_mutable(const ox_type *t)
{
    if (!t) return true;
    switch (t->kind) {
    case OX_TYPE_TENSOR:
    case OX_TYPE_LIST: return true;
    case OX_TYPE_TUPLE:
    case OX_TYPE_OPTIONAL:
        if (t->nelems == 0) return true;
        for (int i = 0; i < t->nelems; i++)
            if (type_mutable(t->elems[i])) return true;
        return false;
    default: return false;
    }
}

/* Values that are, or may hold, tensors (an unknown element type may). */
static bool type_holds_tensor(const ox_type *t)
{
    if (!t || t->kind == OX_TYPE_TENSOR) return true;
    if (t->kind != OX_TYPE_LIST && t->kind != OX_TYPE_TUPLE && t->kind != OX_TYPE_OPTIONAL) return false;
    if (t->nelems == 0) return true;
    for (int i = 0; i < t->nelems; i++)
        if (type_holds_tensor(t->elems[i])) return true;
    return false;
}

static bool mutable_value(const ox_value *v) { return type_mutable(v->type); }

typedef struct alias {
    uint32_t *parent;     /* union-find over value ids */
    bool *written;        /* per root */
    bool *graph_output;   /* per root */
    uint32_t nvalues;
} alias;

static uint32_t find(alias *a, uint32_t x)
{
    while (a->parent[x] != x) {
        a->parent[x] = a->parent[a->parent[x]];
        x = a->parent[x];
    }
    return x;
}

static void unite(alias *a, const ox_value *x, const ox_value *y)
{
    if (!mutable_value(x) || !mutable_value(y) || x->id >= a->nvalues || y->id >= a->nvalues) return;
    uint32_t rx = find(a, x->id), ry = find(a, y->id);
    if (rx == ry) return;
    a->parent[ry] = rx;
    a->written[rx] |= a->written[ry];
    a->graph_output[rx] |= a->graph_output[ry];
}

static bool in_class(alias *a, const ox_value *v, const bool *flags)
{
    return mutable_value(v) && v->id < a->nvalues && flags[find(a, v->id)];
}

static void mark(alias *a, const ox_value *v, bool *flags)
{
    if (mutable_value(v) && v->id < a->nvalues) flags[find(a, v->id)] = true;
}

static bool block_mutates(const ox_block *b)
{
    for (ox_node *n = ox_block_first(b); n != b->ret; n = n->next) {
        if (is_inplace(n) || is_unknown_op(n) || KIND_IN(n, list_mutators) || ox_node_is(n, "prim::SetAttr"))
            return true;
        for (int i = 0; i < n->nblocks; i++)
            if (block_mutates(n->blocks[i])) return true;
    }
    return false;
}

/* Everything a node joins: the first value of `vals` with all the others. */
static void unite_all(alias *a, ox_value *first, ox_value *const *vals, int count)
{
    for (int i = 0; i < count; i++) unite(a, first, vals[i]);
}

static void alias_block(alias *a, ox_block *b, bool conservative)
{
    for (ox_node *n = ox_block_first(b); n != b->ret; n = n->next) {
        for (int i = 0; i < n->nblocks; i++) alias_block(a, n->blocks[i], conservative);
        if (n->nblocks) {
            /* control flow: inputs, outputs, block inputs and outputs together */
            ox_value *anchor = NULL;
            for (int i = 0; i < n->ninputs && !anchor; i++)
                if (mutable_value(n->inputs[i])) anchor = n->inputs[i];
            for (int i = 0; i < n->noutputs && !anchor; i++)
                if (mutable_value(n->outputs[i])) anchor = n->outputs[i];
            for (int k = 0; k < n->nblocks && !anchor; k++) {
                ox_block *s = n->blocks[k];
                for (int i = 0; i < ox_block_ninputs(s) && !anchor; i++)
                    if (mutable_value(ox_block_input(s, i))) anchor = ox_block_input(s, i);
                for (int i = 0; i < ox_block_noutputs(s) && !anchor; i++)
                    if (mutable_value(ox_block_output(s, i))) anchor = ox_block_output(s, i);
            }
            if (!anchor) continue;
            unite_all(a, anchor, n->inputs, n->ninputs);
            unite_all(a, anchor, n->outputs, n->noutputs);
            for (int k = 0; k < n->nblocks; k++) {
                ox_block *s = n->blocks[k];
                unite_all(a, anchor, s->param->outputs, s->param->noutputs);
                unite_all(a, anchor, s->ret->inputs, s->ret->ninputs);
            }
            continue;
        }
        bool unknown = is_unknown_op(n), list_mutation = KIND_IN(n, list_mutators);
        if (KIND_IN(n, container_kinds) || unknown) {
            /* a container holds its elements; an unknown op may return anything */
            for (int o = 0; o < n->noutputs; o++) unite_all(a, n->outputs[o], n->inputs, n->ninputs);
        } else if (n->ninputs && (KIND_IN(n, view_kinds) || is_inplace(n) || list_mutation)) {
            /* views and in-place ops return (part of) their first input */
            for (int o = 0; o < n->noutputs; o++) unite(a, n->outputs[o], n->inputs[0]);
            /* what goes into a list is held by it */
            for (int i = 1; list_mutation && i < n->ninputs; i++)
                if (type_holds_tensor(n->inputs[i]->type)) unite(a, n->inputs[0], n->inputs[i]);
        } else if (conservative) {
            /* a view we do not know of: tensors only (an int[] argument is
             * read, never aliased) */
            for (int o = 0; o < n->noutputs; o++)
                for (int i = 0; i < n->ninputs; i++)
                    if (type_holds_tensor(n->outputs[o]->type) && type_holds_tensor(n->inputs[i]->type))
                        unite(a, n->outputs[o], n->inputs[i]);
        }
        if (unknown) {
            for (int i = 0; i < n->ninputs; i++) mark(a, n->inputs[i], a->written);
        } else if ((is_inplace(n) || list_mutation || ox_node_is(n, "prim::SetAttr")) && n->ninputs) {
            mark(a, n->inputs[0], a->written);
        }
    }
}

static ox_status alias_init(ox_graph *g, alias *a, bool conservative)
{
    a->nvalues = g->next_value_id;
    size_t n = (size_t)a->nvalues + 1;
    a->parent = ox_arena_alloc_uninit(g->arena, n * sizeof(uint32_t));
    a->written = ox_arena_alloc(g->arena, n);
    a->graph_output = ox_arena_alloc(g->arena, n);
    if (!a->parent || !a->written || !a->graph_output) return OX_NOMEM(g->ctx);
    for (uint32_t i = 0; i < a->nvalues; i++) a->parent[i] = i;
    alias_block(a, g->top, conservative);
    for (int i = 0; i < ox_block_noutputs(g->top); i++) mark(a, ox_block_output(g->top, i), a->graph_output);
    return OX_OK;
}

static bool has_writers(alias *a, const ox_node *n)
{
    for (int i = 0; i < n->ninputs; i++)
        if (in_class(a, n->inputs[i], a->written)) return true;
    for (int i = 0; i < n->noutputs; i++)
        if (in_class(a, n->outputs[i], a->written)) return true;
    return false;
}

static bool aliases_graph_output(alias *a, const ox_node *n)
{
    for (int i = 0; i < n->noutputs; i++)
        if (in_class(a, n->outputs[i], a->graph_output)) return true;
    return false;
}

/* ---- node equality and hashing ----------------------------------------- */

static uint64_t mix(uint64_t h, uint64_t x)
{
    h ^= x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h * 0x100000001b3ull;
}

static uint64_t mix_bytes(uint64_t h, const void *p, size_t len)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < len; i++) h = (h ^ s[i]) * 0x100000001b3ull;
    return h;
}

static uint64_t mix_str(uint64_t h, const char *s) { return s ? mix_bytes(h, s, strlen(s)) : mix(h, 1); }

static uint64_t mix_tensor(uint64_t h, const ox_tensor *t)
{
    if (!t) return mix(h, 2);
    h = mix(h, (uint64_t)t->dtype);
    h = mix(h, (uint64_t)t->rank);
    for (int i = 0; i < t->rank; i++) h = mix(h, (uint64_t)t->dims[i]);
    return t->data ? mix_bytes(h, t->data, t->nbytes) : h;
}

static uint64_t hash_attr(uint64_t h, const ox_attr *a)
{
    h = mix_str(h, a->name);
    h = mix(h, (uint64_t)a->kind);
    switch (a->kind) {
    case OX_ATTR_I: return mix(h, (uint64_t)a->v.i);
    case OX_ATTR_F: return mix_bytes(h, &a->v.f, sizeof(double));
    case OX_ATTR_S: return mix_str(h, a->v.s);
    case OX_ATTR_IS: return mix_bytes(mix(h, (uint64_t)a->n), a->v.is, (size_t)a->n * sizeof(int64_t));
    case OX_ATTR_FS: return mix_bytes(mix(h, (uint64_t)a->n), a->v.fs, (size_t)a->n * sizeof(double));
    case OX_ATTR_SS:
        for (int i = 0; i < a->n; i++) h = mix_str(h, a->v.ss[i]);
        return h;
    case OX_ATTR_T: return mix_tensor(h, a->v.t);
    case OX_ATTR_TS:
        for (int i = 0; i < a->n; i++) h = mix_tensor(h, a->v.ts[i]);
        return h;
    default: return mix(h, (uint64_t)a->n);
    }
}

static uint64_t hash_node(const ox_node *n)
{
    uint64_t h = mix_str(0xcbf29ce484222325ull, n->kind);
    h = mix(h, (uint64_t)n->ninputs);
    for (int i = 0; i < n->ninputs; i++) h = mix(h, n->inputs[i]->id);
    h = mix(h, (uint64_t)n->noutputs);
    /* attributes in name order would need sorting: xor keeps it order-free */
    uint64_t ah = 0;
    for (const ox_attr *a = n->attrs; a; a = a->next) ah ^= hash_attr(0x84222325cbf29ce4ull, a);
    return mix(h, ah);
}

static bool str_eq(const char *a, const char *b) { return a == b || (a && b && strcmp(a, b) == 0); }

static bool tensor_eq(const ox_tensor *a, const ox_tensor *b)
{
    if (a == b) return true;
    if (!a || !b || a->dtype != b->dtype || a->rank != b->rank || a->nbytes != b->nbytes) return false;
    for (int i = 0; i < a->rank; i++)
        if (a->dims[i] != b->dims[i]) return false;
    if (a->data == b->data) return true;
    if (!a->data || !b->data) return false;
    return memcmp(a->data, b->data, a->nbytes) == 0;
}

static bool attr_eq(const ox_attr *a, const ox_attr *b)
{
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case OX_ATTR_I: return a->v.i == b->v.i;
    case OX_ATTR_F: return memcmp(&a->v.f, &b->v.f, sizeof(double)) == 0;
    case OX_ATTR_S: return str_eq(a->v.s, b->v.s);
    case OX_ATTR_T: return tensor_eq(a->v.t, b->v.t);
    case OX_ATTR_G: return a->v.g == b->v.g;
    default: break;
    }
    if (a->n != b->n) return false;
    for (int i = 0; i < a->n; i++) {
        bool same;
        switch (a->kind) {
        case OX_ATTR_IS: same = a->v.is[i] == b->v.is[i]; break;
        case OX_ATTR_FS: same = memcmp(&a->v.fs[i], &b->v.fs[i], sizeof(double)) == 0; break;
        case OX_ATTR_SS: same = str_eq(a->v.ss[i], b->v.ss[i]); break;
        case OX_ATTR_TS: same = tensor_eq(a->v.ts[i], b->v.ts[i]); break;
        default: same = a->v.gs[i] == b->v.gs[i]; break;
        }
        if (!same) return false;
    }
    return true;
}

static bool attrs_eq(const ox_node *x, const ox_node *y)
{
    int nx = 0, ny = 0;
    for (const ox_attr *a = x->attrs; a; a = a->next) nx++;
    for (const ox_attr *a = y->attrs; a; a = a->next) ny++;
    if (nx != ny) return false;
    for (const ox_attr *a = x->attrs; a; a = a->next) {
        const ox_attr *b = ox_node_attr(y, a->name);
        if (!b || !attr_eq(a, b)) return false;
    }
    return true;
}

static bool type_eq(const ox_type *a, const ox_type *b)
{
    if (a == b) return true;
    if (!a || !b || a->kind != b->kind || a->nelems != b->nelems) return false;
    if (a->kind == OX_TYPE_TENSOR) {
        if (a->dtype != b->dtype || a->rank != b->rank || a->requires_grad != b->requires_grad) return false;
        for (int i = 0; i < a->rank; i++) {
            int64_t da = a->dims ? a->dims[i] : OX_DIM_UNKNOWN, db = b->dims ? b->dims[i] : OX_DIM_UNKNOWN;
            const char *na = a->dim_names ? a->dim_names[i] : NULL, *nb = b->dim_names ? b->dim_names[i] : NULL;
            if (da != db || !str_eq(na, nb)) return false;
        }
    }
    for (int i = 0; i < a->nelems; i++)
        if (!type_eq(a->elems[i], b->elems[i])) return false;
    return true;
}

static bool nodes_eq(const ox_node *x, const ox_node *y)
{
    if (!str_eq(x->kind, y->kind) || x->ninputs != y->ninputs || x->noutputs != y->noutputs || x->nblocks ||
        y->nblocks)
        return false;
    for (int i = 0; i < x->ninputs; i++)
        if (x->inputs[i] != y->inputs[i]) return false;
    for (int i = 0; i < x->noutputs; i++)
        if (!type_eq(x->outputs[i]->type, y->outputs[i]->type)) return false;
    return attrs_eq(x, y);
}

/* ---- the scoped table -------------------------------------------------- */

typedef struct entry {
    ox_node *node;
    uint64_t hash;
    int next;             /* next entry in the bucket, -1 at the end */
} entry;

typedef struct cse {
    ox_graph *g;
    alias alias;          /* for writes: conservative once the graph mutates anything */
    alias outputs;        /* for aliasing of graph outputs: known views and containers only */
    int *heads;
    uint64_t mask;
    entry *entries;
    int n, cap;
    bool changed;
} cse;

static int count_nodes(const ox_block *b)
{
    int c = 0;
    for (ox_node *n = ox_block_first(b); n != b->ret; n = n->next) {
        c++;
        for (int i = 0; i < n->nblocks; i++) c += count_nodes(n->blocks[i]);
    }
    return c;
}

static ox_status table_init(cse *c)
{
    int nodes = count_nodes(c->g->top);
    uint64_t buckets = 16;
    while (buckets < (uint64_t)nodes * 2) buckets *= 2;
    c->heads = ox_arena_alloc_uninit(c->g->arena, buckets * sizeof(int));
    c->cap = nodes + 1;
    c->entries = ox_arena_alloc_uninit(c->g->arena, (size_t)c->cap * sizeof(entry));
    if (!c->heads || !c->entries) return OX_NOMEM(c->g->ctx);
    for (uint64_t i = 0; i < buckets; i++) c->heads[i] = -1;
    c->mask = buckets - 1;
    return OX_OK;
}

static ox_node *table_find(cse *c, const ox_node *n, uint64_t h)
{
    for (int i = c->heads[h & c->mask]; i >= 0; i = c->entries[i].next)
        if (c->entries[i].hash == h && nodes_eq(c->entries[i].node, n)) return c->entries[i].node;
    return NULL;
}

static void table_push(cse *c, ox_node *n, uint64_t h)
{
    if (c->n == c->cap) return; /* cannot happen: one entry per node at most */
    int i = c->n++;
    c->entries[i] = (entry){n, h, c->heads[h & c->mask]};
    c->heads[h & c->mask] = i;
}

/* Drops the entries added since `mark` (the latest entry of a bucket is its head). */
static void table_pop(cse *c, int mark)
{
    while (c->n > mark) {
        entry *e = &c->entries[--c->n];
        c->heads[e->hash & c->mask] = e->next;
    }
}

/* ---- the walk ---------------------------------------------------------- */

static void merge(cse *c, ox_node *n, ox_node *into)
{
    for (int i = 0; i < n->noutputs; i++) {
        unite(&c->alias, into->outputs[i], n->outputs[i]);
        unite(&c->outputs, into->outputs[i], n->outputs[i]);
        ox_value_replace_all_uses(n->outputs[i], into->outputs[i]);
    }
    ox_node_destroy(n);
    c->changed = true;
}

static void cse_block(cse *c, ox_block *b)
{
    int mark = c->n;
    for (ox_node *n = ox_block_first(b); n != b->ret;) {
        ox_node *next = n->next;
        if (has_side_effects(n) || is_nondeterministic(n) || has_writers(&c->alias, n)) {
            n = next;
            continue;
        }
        if (n->nblocks) {
            for (int i = 0; i < n->nblocks; i++) cse_block(c, n->blocks[i]);
            n = next;
            continue;
        }
        if (n->noutputs == 0) {
            n = next;
            continue;
        }
        uint64_t h = hash_node(n);
        ox_node *earlier = table_find(c, n, h);
        if (!earlier) table_push(c, n, h);
        else if (!(aliases_graph_output(&c->outputs, n) && aliases_graph_output(&c->outputs, earlier)))
            merge(c, n, earlier);
        n = next;
    }
    table_pop(c, mark);
}

ox_status ox_pass_cse(ox_graph *g, bool *changed)
{
    cse c = {.g = g};
    OX_TRY(alias_init(g, &c.alias, block_mutates(g->top)));
    OX_TRY(alias_init(g, &c.outputs, false));
    OX_TRY(table_init(&c));
    cse_block(&c, g->top);
    if (changed) *changed = c.changed;
    return OX_OK;
}
