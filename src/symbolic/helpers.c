/* Opset-aware building blocks shared by the symbolic families (the
 * counterparts of torch's symbolic_helper: _unsqueeze_helper,
 * _squeeze_helper, _reducesum_helper / the reduce helpers, _slice_helper,
 * Split, Cast, _reshape_helper, _size_helper). Each picks the operand form
 * the target opset wants:
 *
 *   Unsqueeze/Squeeze  axes attribute < 13, axes input >= 13
 *   ReduceSum          axes attribute < 13, axes input >= 13 (+ noop_with_empty_axes=0)
 *   other Reduce*      axes attribute < 18, axes input >= 18
 *   Slice              attributes < 10, inputs >= 10
 *   Split              `split` attribute < 13, input >= 13 (never num_outputs)
 *   Reshape            allowzero=0 from 14
 *
 * Attributes are set in name order, as torch's g.op sorts them.
 * Every function returns NULL when something failed; the failure is parked
 * in g->ctx. A NULL operand is passed through as a failure, so calls chain. */
#include <string.h>

#include "symbolic/helpers.h"

#define INT64_MAX_V ((int64_t)0x7fffffffffffffffLL)

/* A node of kind `op` with `n` inputs (any of them NULL = upstream failure),
 * one output. */
/* Types that torch's per-node shape inference would know and later symbolic
 * code may ask about (dtype checks of intermediates). */
static void type_tensor(ox_sym *g, ox_value *v, ox_dtype dtype, int rank, const int64_t *dims)
{
    if (!v) return;
    ox_type *t = ox_type_tensor(g->graph->arena, dtype, rank, dims);
    if (t) v->type = t;
}

static ox_value *axes_op(ox_sym *g, const char *op, ox_value *x, const int64_t *axes, int n)
{
    if (!x) return NULL;
    if (g->opset >= 13) return ox_op_2(g, op, x, ox_const_i64s(g, axes, n));
    return ox_with_is(ox_op_1(g, op, x), "axes", axes, n);
}

ox_value *ox_unsqueeze(ox_sym *g, ox_value *x, const int64_t *axes, int n)
{
    return axes_op(g, "Unsqueeze", x, axes, n);
}

ox_value *ox_squeeze(ox_sym *g, ox_value *x, const int64_t *axes, int n)
{
    if (n == 0) return ox_op_1(g, "Squeeze", x);
    return axes_op(g, "Squeeze", x, axes, n);
}

ox_value *ox_reduce(ox_sym *g, const char *op, ox_value *x, const int64_t *axes, int n, bool keepdims)
{
    if (!x) return NULL;
    const char *name = strstr(op, "::") ? strstr(op, "::") + 2 : op;
    bool is_sum = strcmp(name, "ReduceSum") == 0;
    bool axes_input = g->opset >= (is_sum ? 13 : 18);
    ox_value *y;
    if (axes_input) {
        y = n > 0 ? ox_op_2(g, op, x, ox_const_i64s(g, axes, n)) : ox_op_1(g, op, x);
        y = ox_with_i(y, "keepdims", keepdims ? 1 : 0);
        if (is_sum) y = ox_with_i(y, "noop_with_empty_axes", 0);
        return y;
    }
    y = ox_op_1(g, op, x);
    if (n > 0) y = ox_with_is(y, "axes", axes, n);
    return ox_with_i(y, "keepdims", keepdims ? 1 : 0);
}

ox_value *ox_slice(ox_sym *g, ox_value *x, const int64_t *axes, const int64_t *starts,
                   const int64_t *ends, const int64_t *steps, int n)
{
    if (!x) return NULL;
    /* A single full-range slice is no slice at all. */
    if (n == 1 && starts[0] == 0 && ends[0] == INT64_MAX_V &&
        (g->opset < 10 || !steps || steps[0] == 1))
        return x;
    if (g->opset < 10) {
        /* Slice-1 has no steps: torch drops them here. */
        /* Attributes in name order, as torch's g.op sorts them. */
        ox_value *y = ox_with_is(ox_op_1(g, "Slice", x), "axes", axes, n);
        y = ox_with_is(y, "ends", ends, n);
        return ox_with_is(y, "starts", starts, n);
    }
    ox_value *a = ox_const_i64s(g, axes, n);
    ox_value *s = ox_const_i64s(g, starts, n);
    ox_value *e = ox_const_i64s(g, ends, n);
    if (!steps) {
        ox_value *in[4] = {x, s, e, a};
        return ox_opn(g, "Slice", 4, in);
    }
    ox_value *st = ox_const_i64s(g, steps, n);
    ox_value *in[5] = {x, s, e, a, st};
    return ox_opn(g, "Slice", 5, in);
}

ox_node *ox_split(ox_sym *g, ox_value *x, int64_t axis, const int64_t *sizes, int n)
{
    if (!x) return NULL;
    ox_node *node;
    if (g->opset >= 13) {
        ox_value *in[2] = {x, ox_const_i64s(g, sizes, n)};
        if (!in[1]) return NULL;
        node = ox_op(g, "Split", n, 2, in);
        if (!node) return NULL;
    } else {
        node = ox_op(g, "Split", n, 1, &x);
        if (!node || ox_node_set_i(node, "axis", axis) != OX_OK) return NULL;
        return ox_node_set_is(node, "split", sizes, n) == OX_OK ? node : NULL;
    }
    return ox_node_set_i(node, "axis", axis) == OX_OK ? node : NULL;
}

ox_value *ox_cast(ox_sym *g, ox_value *x, ox_dtype to)
{
    if (!x) return NULL;
    ox_value *y = ox_with_i(ox_op_1(g, "Cast", x), "to", (int64_t)to);
    if (y && ox_type_is_tensor(x->type)) {
        ox_type *t = ox_type_copy(g->graph->arena, x->type);
        if (t) {
            t->dtype = to;
            y->type = t;
        }
    }
    return y;
}

/* An int64 1-D constant the caller has just built for this use: torch
 * would copy it right here and drop the unused original, so it can serve. */
static bool fresh_shape_constant(ox_sym *g, ox_value *v)
{
    if (!ox_node_is(v->node, "onnx::Constant") || v->nuses != 0 || v->node->next != g->block->ret) return false;
    /* an argument of the node (a converted prim::Constant list) is not the caller's */
    for (int i = 0; i < g->nin; i++)
        if (g->in[i] == v) return false;
    const ox_tensor *t = ox_value_const_tensor(v);
    return t && t->dtype == OX_INT64 && t->rank == 1;
}

/* torch's _reshape_helper: a constant shape becomes a fresh int64 constant;
 * anything else is passed as it is, a ListConstruct too, even when its
 * elements have become constants (torch reads only onnx::Constant here; the
 * ONNX peephole turns the list into Concat(Unsqueeze(...))). allowzero is
 * always 0 (set from opset 14). */
ox_value *ox_reshape(ox_sym *g, ox_value *x, ox_value *shape)
{
    if (!x || !shape) return NULL;
    int64_t *vals;
    int n;
    if (fresh_shape_constant(g, shape)) {
        /* use it as it is */
    } else if (ox_value_is_constant(shape) && !ox_value_is_none(shape) &&
               ox_value_const_ints(g->graph, shape, &vals, &n)) {
        shape = ox_const_i64s(g, vals, n);
    }
    ox_value *y = ox_op_2(g, "Reshape", x, shape);
    if (g->opset >= 14) y = ox_with_i(y, "allowzero", 0);
    return y;
}

/* torch's _size_helper with a constant dim: Shape, then opset 9's select on
 * the shape vector, which gathers a non-negative index and takes a
 * Slice + Squeeze for a negative one (whatever the target opset). */
ox_value *ox_size_of(ox_sym *g, ox_value *x, int64_t dim)
{
    if (!x) return NULL;
    ox_value *shape = ox_op_1(g, "Shape", x);
    int r = ox_rank(x);
    if (shape) {
        int64_t len = r;
        type_tensor(g, shape, OX_INT64, 1, r >= 0 ? &len : NULL);
    }
    ox_value *y;
    if (dim >= 0) {
        y = ox_with_i(ox_op_2(g, "Gather", shape, ox_const_i64(g, dim)), "axis", 0);
    } else {
        int64_t axes[1] = {0}, starts[1] = {dim}, ends[1] = {dim == -1 ? INT64_MAX_V : dim + 1};
        y = ox_squeeze(g, ox_slice(g, shape, axes, starts, ends, NULL, 1), axes, 1);
    }
    type_tensor(g, y, OX_INT64, 0, NULL);
    return y;
}

int64_t ox_norm_dim(int64_t dim, int r)
{
    if (r < 0) return -1;
    if (dim < 0) dim += r;
    return dim >= 0 && dim < r ? dim : -1;
}
