/* In-place ops (seed: _jit_pass_onnx_remove_inplace_ops_for_onnx).
 *
 * In a traced graph an in-place op on a whole tensor (x.relu_(), x.add_(y))
 * is already functional: the tracer routes every later use of x to the op's
 * output, and the symbolic of the op without its '_' computes that output.
 * What needs torch's full rewrite is a write *into a view* whose effect is
 * seen later through another alias (y[0] += 1 then y is used,
 * y.select(0, 0).copy_(z)): the mutation reaches the base tensor only through
 * aliasing, which ONNX does not have. torch turns those into index_put;
 * onnxify does not do that yet and says so, instead of exporting a model that
 * silently drops the assignment. A write nobody can observe — the base and its
 * other views are not used afterwards, as in LSTMCell's gates.chunk(4)
 * followed by ingate.sigmoid_() — is functional already and passes. */
#include <string.h>

#include "passes/passes.h"

static const char *const view_ops[] = {
    "aten::select",   "aten::slice",    "aten::narrow",   "aten::view",      "aten::view_as",
    "aten::reshape",  "aten::transpose", "aten::t",       "aten::permute",   "aten::unsqueeze",
    "aten::squeeze",  "aten::expand",   "aten::expand_as", "aten::as_strided", "aten::diagonal",
    "aten::unflatten", "aten::flatten", "aten::detach",   "aten::alias",     "aten::__getitem__",
    "aten::unbind",   "aten::split",    "aten::chunk",    "prim::ListUnpack", "prim::ConstantChunk",
};

static bool is_view_op(const ox_node *n)
{
    for (size_t i = 0; i < sizeof(view_ops) / sizeof(view_ops[0]); i++)
        if (ox_node_is(n, view_ops[i])) return true;
    return false;
}

/* aten::add_, aten::copy_, aten::index_put_ (one trailing '_'; not a dunder). */
static bool is_inplace(const ox_node *n)
{
    if (strncmp(n->kind, "aten::", 6) != 0) return false;
    size_t len = strlen(n->kind);
    return len > 7 && n->kind[len - 1] == '_' && n->kind[len - 2] != '_';
}

bool ox_writes_into_view(const ox_node *n)
{
    return is_inplace(n) && n->ninputs > 0 && is_view_op(n->inputs[0]->node);
}

/* The tensor a view reads (its data input; through a ListUnpack, the list's
 * producer's). NULL when `v` is not a view. */
static ox_value *view_source(ox_value *v)
{
    ox_node *p = v->node;
    if (!is_view_op(p) || p->ninputs == 0) return NULL;
    ox_value *src = p->inputs[0];
    if (ox_node_is(p, "prim::ListUnpack")) {
        ox_node *list = src->node;
        return is_view_op(list) && list->ninputs ? list->inputs[0] : NULL;
    }
    return src;
}

/* Outputs of ops that cut a tensor into pieces do not overlap each other. */
static bool splits_into_pieces(const ox_node *n)
{
    return n->noutputs > 1 || ox_node_is(n, "prim::ListUnpack");
}

/* Does `v` alias the memory the write into `target` changes? `v` is the
 * target, one of its bases, or a view reached from such a base through
 * anything but a disjoint sibling piece. */
static bool sees_write(ox_value *v, ox_value *target)
{
    for (int depth = 0; v && depth < 64; depth++) {
        for (ox_value *t = target; t; t = view_source(t))
            if (t == v) return true;
        ox_value *src = view_source(v);
        if (!src) return false;
        if (splits_into_pieces(v->node)) {
            /* a sibling piece: aliases the write only if the target came through the same piece */
            bool same_piece = false;
            for (ox_value *t = target; t; t = view_source(t))
                if (t == v) same_piece = true;
            if (!same_piece) return false;
        }
        v = src;
    }
    return false;
}

/* A write into a view is visible when, after it, a node reads a tensor that
 * shares the written memory (the base, the view itself, or another view). */
static bool write_is_visible(ox_node *n)
{
    ox_value *target = n->inputs[0];
    for (ox_node *m = n->next; m != n->owner->ret; m = m->next)
        for (int i = 0; i < m->ninputs; i++)
            if (sees_write(m->inputs[i], target)) return true;
    for (int i = 0; i < ox_block_noutputs(n->owner); i++)
        if (sees_write(ox_block_output(n->owner, i), target)) return true;
    return false;
}

/* ---- the rewrite into index_put ------------------------------------------
 *
 * A write `n` into V = base.slice(...).select(...)... (a chain of aten::slice
 * and aten::select with constant dims, all in n's block, on a base of that
 * block) becomes, as in torch:
 *   new  = the op without '_' on V (aten::fill, aten::add, ...), or copy_'s src
 *   vals = aten::expand_as(new, V)
 *   out  = aten::index_put(base, [i_0, ..., i_{K-1}], vals, false)
 * with one int64 index per base dim up to the last sliced/selected one:
 * arange(base.size(d))[start:end:step] for a slice (and for a dim the chain
 * skips, the whole arange), [index] for a select, viewed as [-1, 1, ..., 1]
 * (K-d entries) so that they broadcast to the view's shape. Later readers of
 * the base (and of V, and of n's output) then read the new value. */

#define MAX_CHAIN 64

typedef struct rw {
    ox_graph *g;
    ox_node *pos;        /* new nodes go before it */
    const char *why;     /* the reason a write cannot be rewritten */
} rw;

static bool const_int_value(const ox_value *v, int64_t *out)
{
    if (!ox_node_is(v->node, "prim::Constant") || v->type->kind != OX_TYPE_INT) return false;
    ox_attr *a = ox_node_attr(v->node, "value");
    if (!a || a->kind != OX_ATTR_I) return false;
    *out = a->v.i;
    return true;
}

static ox_value *new_out(rw *r, const char *kind, ox_type *type, int nin, ox_value *const *in)
{
    ox_node *m = ox_node_new(r->g, kind, 1);
    if (!m) return NULL;
    for (int i = 0; i < nin; i++)
        if (ox_node_add_input(m, in[i]) != OX_OK) return NULL;
    if (type) m->outputs[0]->type = type;
    ox_node_copy_metadata(m, r->pos);
    ox_node_insert_before(m, r->pos);
    return m->outputs[0];
}

static ox_value *const_int(rw *r, int64_t v)
{
    ox_type *t = ox_type_new(r->g->arena, OX_TYPE_INT);
    ox_value *c = t ? new_out(r, "prim::Constant", t, 0, NULL) : NULL;
    if (!c || ox_node_set_i(c->node, "value", v) != OX_OK) return NULL;
    return c;
}

static ox_value *const_none(rw *r)
{
    ox_type *t = ox_type_new(r->g->arena, OX_TYPE_NONE);
    return t ? new_out(r, "prim::Constant", t, 0, NULL) : NULL;
}

static ox_value *const_bool(rw *r, bool v)
{
    ox_type *t = ox_type_new(r->g->arena, OX_TYPE_BOOL);
    ox_value *c = t ? new_out(r, "prim::Constant", t, 0, NULL) : NULL;
    if (!c || ox_node_set_i(c->node, "value", v) != OX_OK) return NULL;
    return c;
}

static ox_type *long_type(rw *r, int rank, const int64_t *dims)
{
    return ox_type_tensor(r->g->arena, OX_INT64, rank, dims);
}

static int64_t static_size(const ox_value *v, int d)
{
    const ox_type *t = v->type;
    if (!ox_type_is_tensor(t) || t->rank <= d || !t->dims) return OX_DIM_UNKNOWN;
    return t->dims[d];
}

/* Python's slice length, or unknown. */
static int64_t slice_len(int64_t size, const ox_value *s, const ox_value *e, const ox_value *st)
{
    int64_t start = 0, end = INT64_MAX, step = 1;
    if (size < 0) return OX_DIM_UNKNOWN;
    if (!ox_value_is_none(s) && !const_int_value(s, &start)) return OX_DIM_UNKNOWN;
    if (!ox_value_is_none(e) && !const_int_value(e, &end)) return OX_DIM_UNKNOWN;
    if (!ox_value_is_none(st) && !const_int_value(st, &step)) return OX_DIM_UNKNOWN;
    if (step <= 0) return OX_DIM_UNKNOWN;
    if (start < 0) start += size;
    if (end < 0) end += size;
    start = start < 0 ? 0 : start > size ? size : start;
    end = end < 0 ? 0 : end > size ? size : end;
    return end <= start ? 0 : (end - start + step - 1) / step;
}

/* arange(base.size(d)) as int64. */
static ox_value *dim_arange(rw *r, ox_value *base, int d)
{
    ox_value *dv = const_int(r, d);
    ox_type *it = ox_type_new(r->g->arena, OX_TYPE_INT);
    if (!dv || !it) return NULL;
    ox_value *in[2] = {base, dv};
    ox_value *size = new_out(r, "aten::size", it, 2, in);
    ox_value *dtype = const_int(r, 4); /* torch.long */
    ox_value *none = const_none(r);
    if (!size || !dtype || !none) return NULL;
    int64_t n = static_size(base, d);
    ox_value *ain[5] = {size, dtype, none, none, none};
    return new_out(r, "aten::arange", long_type(r, 1, &n), 5, ain);
}

/* The chain of slice/select nodes from the write's target back to its base
 * (chain[0] produces the target). false (with r->why) when it is not one. */
static bool collect_chain(rw *r, ox_node *n, ox_node **chain, int *len, ox_value **base)
{
    ox_value *v = n->inputs[0];
    *len = 0;
    while (ox_node_is(v->node, "aten::slice") || ox_node_is(v->node, "aten::select")) {
        ox_node *c = v->node;
        int64_t dim;
        bool slice = ox_node_is(c, "aten::slice");
        if (c->ninputs != (slice ? 5 : 3) || c->noutputs != 1 || !const_int_value(c->inputs[1], &dim)) {
            r->why = "a view with a non-constant dim or an unknown overload";
            return false;
        }
        if (!slice) {
            int64_t k;
            if (!const_int_value(c->inputs[2], &k)) {
                r->why = "an aten::select with a non-constant index";
                return false;
            }
        }
        if (c->owner != n->owner) {
            r->why = "a view taken in another block";
            return false;
        }
        if (*len == MAX_CHAIN) {
            r->why = "a chain of views too long";
            return false;
        }
        chain[(*len)++] = c;
        v = c->inputs[0];
    }
    if (*len == 0 || is_view_op(v->node)) {
        r->why = "a view other than aten::slice / aten::select (reshape, transpose, expand, ...)";
        return false;
    }
    ox_block *home = v->node->owner;
    if (v->node == n->owner->param) home = n->owner;
    if (home != n->owner) {
        r->why = "a tensor of an enclosing block (threading the new value through If/Loop blocks)";
        return false;
    }
    if (ox_type_rank(v->type) < 0) {
        r->why = "a tensor of unknown rank";
        return false;
    }
    *base = v;
    return true;
}

/* The ancestor of `m` (itself, or a node owning the block it is in) that lies
 * in block `b`; NULL when none does. */
static ox_node *ancestor_in(ox_node *m, ox_block *b)
{
    while (m && m->owner != b) m = m->owner ? m->owner->owning_node : NULL;
    return m;
}

/* Does `m` (a user, possibly nested, possibly b's return node) come after `pos` in pos's block? */
static bool comes_after(ox_node *m, ox_node *pos)
{
    ox_node *a = ancestor_in(m, pos->owner);
    if (!a) return false;
    if (a == pos->owner->ret) return true;
    for (ox_node *k = pos->next; k != pos->owner->ret; k = k->next)
        if (k == a) return true;
    return false;
}

static ox_status replace_uses_after(ox_graph *g, ox_value *v, ox_value *with, ox_node *pos)
{
    if (v->nuses == 0) return OX_OK;
    ox_use *uses = ox_arena_alloc(g->arena, (size_t)v->nuses * sizeof *uses);
    if (!uses) return OX_NOMEM(g->ctx);
    int nu = v->nuses;
    memcpy(uses, v->uses, (size_t)nu * sizeof *uses);
    for (int i = 0; i < nu; i++)
        if (uses[i].user != pos && comes_after(uses[i].user, pos)) ox_node_set_input(uses[i].user, uses[i].index, with);
    return OX_OK;
}

/* Nothing after `n` may read a view of the base made before `n` other than
 * the target itself (it would still hold the old values). */
static bool stale_view_read_later(ox_node *n, ox_value *base, ox_block *b)
{
    ox_value *target = n->inputs[0];
    for (ox_node *m = b == n->owner ? n->next : ox_block_first(b); m != b->ret; m = m->next) {
        for (int i = 0; i < m->nblocks; i++)
            if (stale_view_read_later(n, base, m->blocks[i])) return true;
        for (int i = 0; i < m->ninputs; i++) {
            ox_value *u = m->inputs[i];
            if (u == base || u == target || u == n->outputs[0] || !sees_write(u, target)) continue;
            if (!comes_after(u->node, n)) return true;
        }
    }
    for (int i = 0; i < ox_block_noutputs(b); i++) {
        ox_value *u = ox_block_output(b, i);
        if (u == base || u == target || u == n->outputs[0] || !sees_write(u, target)) continue;
        if (!comes_after(u->node, n)) return true;
    }
    return false;
}

static const char *functional_kind(ox_graph *g, const char *kind)
{
    size_t len = strlen(kind);
    char *k = ox_arena_alloc(g->arena, len);
    if (!k) return NULL;
    memcpy(k, kind, len - 1);
    k[len - 1] = '\0';
    return ox_intern(g, k);
}

/* Rewrites the write `n`; *done = false (r->why set) when it cannot. */
static ox_status rewrite_write(rw *r, ox_node *n, bool *done)
{
    ox_graph *g = r->g;
    ox_node *chain[MAX_CHAIN];
    int len;
    ox_value *base;
    *done = false;
    if (n->noutputs != 1) {
        r->why = "an in-place op with several outputs";
        return OX_OK;
    }
    if (!collect_chain(r, n, chain, &len, &base)) return OX_OK;
    if (stale_view_read_later(n, base, n->owner)) {
        r->why = "another view of the same tensor, taken before the write, is read after it";
        return OX_OK;
    }
    bool copy = ox_node_is(n, "aten::copy_");
    if (copy && n->ninputs < 2) {
        r->why = "an aten::copy_ without a source";
        return OX_OK;
    }

    /* the index per base dim */
    ox_value *idx[MAX_CHAIN];
    int64_t ilen[MAX_CHAIN];
    int cur = 0, offset = 0;
    int base_rank = ox_type_rank(base->type);
    r->pos = n;
    for (int c = len - 1; c >= 0; c--) {
        ox_node *v = chain[c];
        int64_t d = 0;
        const_int_value(v->inputs[1], &d);
        int in_rank = ox_type_rank(v->inputs[0]->type);
        if (d < 0) {
            if (in_rank < 0) {
                r->why = "a view with a negative dim of a tensor of unknown rank";
                return OX_OK;
            }
            d += in_rank;
        }
        d += offset;
        if (d < cur || d >= base_rank || d >= MAX_CHAIN) {
            r->why = "a view with a dim out of range";
            return OX_OK;
        }
        while (cur < d) {
            idx[cur] = dim_arange(r, base, cur);
            if (!idx[cur]) return OX_NOMEM(g->ctx);
            ilen[cur] = static_size(base, cur);
            cur++;
        }
        if (ox_node_is(v, "aten::slice")) {
            ox_value *ar = dim_arange(r, base, (int)d);
            ox_value *zero = const_int(r, 0);
            if (!ar || !zero) return OX_NOMEM(g->ctx);
            ilen[cur] = slice_len(static_size(base, (int)d), v->inputs[2], v->inputs[3], v->inputs[4]);
            ox_value *in[5] = {ar, zero, v->inputs[2], v->inputs[3], v->inputs[4]};
            idx[cur] = new_out(r, "aten::slice", long_type(r, 1, &ilen[cur]), 5, in);
        } else {
            int64_t k, size = static_size(base, (int)d);
            const_int_value(v->inputs[2], &k);
            if (k < 0 && size >= 0) k += size;
            ox_tensor *t = ox_tensor_i64s(g->arena, &k, 1);
            ilen[cur] = 1;
            idx[cur] = t ? new_out(r, "prim::Constant", long_type(r, 1, &ilen[cur]), 0, NULL) : NULL;
            if (idx[cur] && ox_node_set_t(idx[cur]->node, "value", t) != OX_OK) return OX_NOMEM(g->ctx);
            offset++;
        }
        if (!idx[cur]) return OX_NOMEM(g->ctx);
        cur++;
    }
    int K = cur;
    for (int i = 0; i < K; i++) {
        int rank = K - i;
        if (rank == 1) continue;
        ox_value *items[MAX_CHAIN];
        int64_t dims[MAX_CHAIN];
        for (int j = 0; j < rank; j++) {
            items[j] = const_int(r, j == 0 ? -1 : 1);
            if (!items[j]) return OX_NOMEM(g->ctx);
            dims[j] = j == 0 ? ilen[i] : 1;
        }
        ox_type *lt = ox_type_new(g->arena, OX_TYPE_LIST);
        ox_type **el = ox_arena_alloc(g->arena, sizeof *el);
        if (!lt || !el || !(el[0] = ox_type_new(g->arena, OX_TYPE_INT))) return OX_NOMEM(g->ctx);
        lt->elems = el;
        lt->nelems = 1;
        ox_value *shape = new_out(r, "prim::ListConstruct", lt, rank, items);
        ox_value *in[2] = {idx[i], shape};
        idx[i] = shape ? new_out(r, "aten::view", long_type(r, rank, dims), 2, in) : NULL;
        if (!idx[i]) return OX_NOMEM(g->ctx);
    }

    /* the written values */
    ox_value *target = n->inputs[0], *fresh;
    if (copy) {
        fresh = n->inputs[1];
    } else {
        const char *kind = functional_kind(g, n->kind);
        ox_type *t = kind ? ox_type_copy(g->arena, n->outputs[0]->type) : NULL;
        fresh = t ? new_out(r, kind, t, n->ninputs, n->inputs) : NULL;
        if (!fresh) return OX_NOMEM(g->ctx);
        ox_node_copy_attrs(fresh->node, n);
        fresh->node->overload = n->overload;
    }
    ox_type *et = ox_type_copy(g->arena, target->type);
    if (!et) return OX_NOMEM(g->ctx);
    if (ox_type_is_tensor(fresh->type) && fresh->type->dtype != OX_UNDEFINED) et->dtype = fresh->type->dtype;
    ox_value *ein[2] = {fresh, target};
    ox_value *vals = new_out(r, "aten::expand_as", et, 2, ein);
    if (!vals) return OX_NOMEM(g->ctx);

    ox_type *lt = ox_type_new(g->arena, OX_TYPE_LIST);
    ox_type **el = ox_arena_alloc(g->arena, sizeof *el);
    if (!lt || !el || !(el[0] = ox_type_new(g->arena, OX_TYPE_TENSOR))) return OX_NOMEM(g->ctx);
    el[0]->dtype = OX_INT64;
    el[0]->rank = -1;
    lt->elems = el;
    lt->nelems = 1;
    ox_value *list = new_out(r, "prim::ListConstruct", lt, K, idx);
    ox_value *acc = const_bool(r, false);
    ox_type *bt = ox_type_copy(g->arena, base->type);
    if (!list || !acc || !bt) return OX_NOMEM(g->ctx);
    ox_value *pin[4] = {base, list, vals, acc};
    ox_value *out = new_out(r, "aten::index_put", bt, 4, pin);
    if (!out) return OX_NOMEM(g->ctx);

    /* later readers see the new values */
    ox_value *as_target = copy ? vals : fresh;
    OX_TRY(replace_uses_after(g, base, out, n));
    OX_TRY(replace_uses_after(g, target, as_target, n));
    ox_value_replace_all_uses(n->outputs[0], as_target);
    ox_node_destroy(n);
    *done = true;
    return OX_OK;
}

static ox_status check_block(ox_graph *g, ox_block *b, bool *changed)
{
    for (ox_node *n = ox_block_first(b), *next; n != b->ret; n = next) {
        next = n->next;
        for (int i = 0; i < n->nblocks; i++) OX_TRY(check_block(g, n->blocks[i], changed));
        if (!ox_writes_into_view(n) || !write_is_visible(n)) continue;
        rw r = {.g = g, .why = "an unsupported view"};
        bool done;
        const char *desc = ox_node_describe(n), *kind = n->kind, *view = n->inputs[0]->node->kind;
        OX_TRY(rewrite_write(&r, n, &done));
        if (done) {
            if (changed) *changed = true;
            continue;
        }
        return ox_fail(g->ctx, ONNXIFY_ERR_EXPORTER,
                       "in-place %s writes into a view (the output of %s) of another tensor: onnxify does not "
                       "yet rewrite such assignments into index_put as torch's "
                       "_jit_pass_onnx_remove_inplace_ops_for_onnx does when the write goes through %s. Write the "
                       "assignment out of place (e.g. torch.cat / torch.where) to export this model. (%s)",
                       kind, view, r.why, desc);
    }
    return OX_OK;
}

ox_status ox_pass_remove_inplace_ops(ox_graph *g, bool *changed)
{
    if (changed) *changed = false;
    return check_block(g, g->top, changed);
}
