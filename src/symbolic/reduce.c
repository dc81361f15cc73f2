/* Reductions: sum, mean, prod, amax, amin, max/min (all three overloads),
 * argmax, argmin, var, std, var_mean, std_mean (torch's symbolic_opset7/9/
 * 12/13/18 forms).
 *
 * sum/mean/prod follow torch's overload-by-argument-count: (self, dtype)
 * reduces everything, (self, dim, keepdim, dtype) reduces dims. Integer
 * inputs other than int64 are reduced in int64, as PyTorch does. ReduceSum
 * takes its axes as an input from opset 13, the other Reduce ops from 18. */
#include <stdio.h>

#include "symbolic/families.h"
#include "symbolic/helpers.h"


/* ---- local builders ----------------------------------------------------- */

static ox_value *attr_i(ox_value *v, const char *name, int64_t i)
{
    if (!v || ox_node_set_i(v->node, name, i) != OX_OK) return NULL;
    return v;
}

static ox_value *attr_is(ox_value *v, const char *name, const int64_t *is, int n)
{
    if (!v || ox_node_set_is(v->node, name, is, n) != OX_OK) return NULL;
    return v;
}

static bool is_fp(ox_value *v) { return ox_dtype_is_floating(ox_elem_type(v)); }

/* torch's _maybe_cast_reduce_op_input: known non-float, non-int64 inputs
 * are reduced in int64. */
static ox_value *maybe_cast_input(ox_sym *g, ox_value *x)
{
    ox_dtype dt = ox_elem_type(x);
    if (x && dt != OX_UNDEFINED && !is_fp(x) && dt != OX_INT64) return ox_cast(g, x, OX_INT64);
    return x;
}

/* torch's _handle_reduce_dim_none: reduce everything; keepdims=1 only for
 * an input with a known zero-size dim. */
static ox_value *reduce_all(ox_sym *g, const char *op, ox_value *x)
{
    int r = ox_rank(x);
    bool empty = false;
    for (int i = 0; i < r; i++) empty |= ox_static_dim(x, i) == 0;
    return attr_i(ox_op_1(g, op, x), "keepdims", empty ? 1 : 0);
}

/* `op` over `axes` given as an attribute, or (opset >= axes_input_opset) as
 * an int64 constant input. */
static ox_value *reduce_axes(ox_sym *g, const char *op, ox_value *x, const int64_t *axes, int n, int64_t keepdims,
                             int axes_input_opset)
{
    if (!x) return NULL;
    if (g->opset >= axes_input_opset) {
        ox_value *a = ox_const_i64s(g, axes, n);
        return attr_i(ox_op_2(g, op, x, a), "keepdims", keepdims);
    }
    return attr_i(attr_is(ox_op_1(g, op, x), "axes", axes, n), "keepdims", keepdims);
}

/* ---- sum, mean, prod ---------------------------------------------------- */

typedef struct reduce_kind {
    const char *onnx_op;      /* ReduceSum */
    const char *name;         /* sum (for messages) */
    bool multi_dim;           /* dim is int[] (prod takes one int) */
    int axes_input_opset;     /* 13 for ReduceSum, 18 for the others */
} reduce_kind;

static const reduce_kind k_sum = {"ReduceSum", "sum", true, 13};
static const reduce_kind k_mean = {"ReduceMean", "mean", true, 18};
static const reduce_kind k_prod = {"ReduceProd", "prod", false, 18};

static ox_status reduce_with_dtype(ox_sym *g, const reduce_kind *k)
{
    if (g->nin != 2 && g->nin != 4) {
        char msg[64];
        snprintf(msg, sizeof msg, "with %d arguments", g->nin);
        return ox_ew_unimplemented(g, "aten::reduce", msg, false);
    }
    int dtype_index = g->nin - 1;
    ox_value *x = g->in[0], *dtype = g->in[dtype_index];
    ox_dtype to = OX_UNDEFINED;
    if (ox_node_is(dtype->node, "onnx::Constant")) {
        int64_t st;
        OX_TRY(ox_arg_int(g, dtype_index, &st));
        if (!ox_ew_onnx_dtype(st, &to))
            return ox_sym_error(g, dtype_index, "dtype %lld has no ONNX equivalent", (long long)st);
        x = ox_cast(g, x, to);
    } else if (!ox_node_is(dtype->node, "prim::Constant")) {
        return ox_ew_unimplemented(g, k->name, "dtype", true);
    }
    x = maybe_cast_input(g, x);
    ox_value *y;
    if (g->nin == 2) {
        y = x ? reduce_all(g, k->onnx_op, x) : NULL;
    } else {
        int64_t keepdim;
        OX_TRY(ox_arg_int(g, 2, &keepdim));
        if (!x) return ox_set_out(g, 0, NULL);
        if (k->axes_input_opset == 13 && g->opset >= 13) {
            /* torch passes the dim value through as the axes input. */
            y = attr_i(ox_op_2(g, k->onnx_op, x, g->in[1]), "keepdims", keepdim);
        } else if (ox_arg_is_none(g, 1)) {
            y = reduce_all(g, k->onnx_op, x);
        } else {
            int64_t *dims, one;
            int n;
            if (k->multi_dim) {
                OX_TRY(ox_arg_ints(g, 1, &dims, &n));
            } else {
                OX_TRY(ox_arg_int(g, 1, &one));
                dims = &one;
                n = 1;
            }
            y = n == 0 ? reduce_all(g, k->onnx_op, x)
                       : reduce_axes(g, k->onnx_op, x, dims, n, keepdim, k->axes_input_opset);
        }
    }
    /* A dtype the reduction did not keep (int32 reduced in int64) is restored. */
    if (y && to != OX_UNDEFINED && ox_elem_type(x) != to) y = ox_cast(g, y, to);
    return ox_set_out(g, 0, y);
}

static ox_status sum(ox_sym *g) { return reduce_with_dtype(g, &k_sum); }
static ox_status mean(ox_sym *g) { return reduce_with_dtype(g, &k_mean); }
static ox_status prod(ox_sym *g) { return reduce_with_dtype(g, &k_prod); }

/* ---- amax, amin --------------------------------------------------------- */

static ox_status amax_amin(ox_sym *g, const char *op)
{
    OX_TRY(ox_need_inputs(g, 3));
    int64_t *dims, keepdim;
    int n;
    OX_TRY(ox_arg_ints(g, 1, &dims, &n));
    OX_TRY(ox_arg_int(g, 2, &keepdim));
    if (n == 0) {
        /* An empty dim list reduces everything. */
        if (g->opset >= 18) {
            ox_value *a = ox_const_i64s(g, dims, 0);
            return ox_set_out(g, 0, attr_i(ox_op_2(g, op, g->in[0], a), "keepdims", keepdim));
        }
        return ox_set_out(g, 0, attr_i(attr_is(ox_op_1(g, op, g->in[0]), "axes", dims, 0), "keepdims", keepdim));
    }
    return ox_set_out(g, 0, reduce_axes(g, op, g->in[0], dims, n, keepdim, 18));
}

static ox_status amax(ox_sym *g) { return amax_amin(g, "ReduceMax"); }
static ox_status amin(ox_sym *g) { return amax_amin(g, "ReduceMin"); }

/* ---- max, min ------------------------------------------------------------ */

/* torch.max/min: (x) reduces everything, (x, other) is elementwise, (x, dim,
 * keepdim) returns values and indices. */
static ox_status max_min(ox_sym *g, bool is_max)
{
    OX_TRY(ox_need_inputs(g, 1));
    const char *reduce = is_max ? "ReduceMax" : "ReduceMin";
    if (g->nin == 1) return ox_set_out(g, 0, attr_i(ox_op_1(g, reduce, g->in[0]), "keepdims", 0));
    if (g->nin == 2)
        return ox_set_out(g, 0, ox_ew_float_cast_op(g, is_max ? "Max" : "Min", g->in, 2, 12,
                                                    g->graph->next_node_seq, NULL));
    int64_t dim, keepdim;
    OX_TRY(ox_arg_int(g, 2, &keepdim));
    OX_TRY(ox_arg_int(g, 1, &dim));
    ox_value *values = reduce_axes(g, reduce, g->in[0], &dim, 1, keepdim, 18);
    ox_value *indices = values ? ox_op_1(g, is_max ? "ArgMax" : "ArgMin", g->in[0]) : NULL;
    indices = attr_i(attr_i(indices, "axis", dim), "keepdims", keepdim);
    OX_TRY(ox_set_out(g, 0, values));
    if (g->nout > 1) return ox_set_out(g, 1, indices);
    return indices ? OX_OK : ox_set_out(g, 0, NULL);
}

static ox_status max(ox_sym *g) { return max_min(g, true); }
static ox_status min(ox_sym *g) { return max_min(g, false); }

/* Opset 7: binary Max/Min do not broadcast. */
static ox_status max_min_7(ox_sym *g, bool is_max)
{
    if (g->nin == 2)
        ox_warn(g->ctx,
                "Multidirectional broadcasting is not supported in opset 7. This might cause the onnx model to be "
                "incorrect, if inputs to %s operators have different shapes",
                is_max ? "max" : "min");
    return max_min(g, is_max);
}

static ox_status max_7(ox_sym *g) { return max_min_7(g, true); }
static ox_status min_7(ox_sym *g) { return max_min_7(g, false); }

/* ---- argmax, argmin ----------------------------------------------------- */

/* dim=None flattens first (and reshapes to all-ones dims for keepdim);
 * opset 12 adds select_last_index=0. */
static ox_status arg_max_min(ox_sym *g, const char *op)
{
    OX_TRY(ox_need_inputs(g, 3));
    bool keepdim;
    OX_TRY(ox_arg_bool(g, 2, &keepdim));
    ox_value *x = g->in[0], *y;
    if (ox_arg_is_none(g, 1)) {
        int64_t minus_one = -1;
        ox_value *flat = ox_reshape(g, x, ox_const_i64s(g, &minus_one, 1));
        y = attr_i(attr_i(ox_op_1(g, op, flat), "axis", 0), "keepdims", 0);
        if (g->opset >= 12) y = attr_i(y, "select_last_index", 0);
        if (keepdim && y) {
            ox_value *shape = ox_op_1(g, "Shape", x);
            ox_value *shape_shape = ox_op_1(g, "Shape", shape);
            int64_t one = 1;
            ox_tensor *t = ox_tensor_alloc(g->graph->arena, OX_INT64, 1, &one);
            if (!t) return OX_NOMEM(g->ctx);
            ox_tensor_set_i(t, 0, 1);
            ox_value *new_shape = ox_op_1(g, "ConstantOfShape", shape_shape);
            if (new_shape && ox_node_set_t(new_shape->node, "value", t) != OX_OK) new_shape = NULL;
            y = ox_op_2(g, "Reshape", y, new_shape);
        }
        return ox_set_out(g, 0, y);
    }
    int64_t dim;
    OX_TRY(ox_arg_int(g, 1, &dim));
    y = attr_i(attr_i(ox_op_1(g, op, x), "axis", dim), "keepdims", keepdim ? 1 : 0);
    if (g->opset >= 12) y = attr_i(y, "select_last_index", 0);
    return ox_set_out(g, 0, y);
}

static ox_status argmax(ox_sym *g) { return arg_max_min(g, "ArgMax"); }
static ox_status argmin(ox_sym *g) { return arg_max_min(g, "ArgMin"); }

/* ---- var, std ----------------------------------------------------------- */

/* torch's _var_mean: mean and variance over dims (None: everything),
 * corrected by N / (N - correction) unless correction is 0. The overloads
 * (self, unbiased) and (self, dim, unbiased|correction, keepdim) meet here. */
static ox_status var_mean_of(ox_sym *g, ox_value **var_out, ox_value **mean_out)
{
    OX_TRY(ox_need_inputs(g, 2));
    ox_value *x = g->in[0];
    int64_t *dims = NULL, correction = 1, keepdim = 0;
    int n = 0;
    bool all = true;
    int corr_index = 1;
    if (g->nin >= 4) {
        corr_index = 2;
        if (!ox_arg_is_none(g, 1)) {
            OX_TRY(ox_arg_ints(g, 1, &dims, &n));
            all = false;
        }
        OX_TRY(ox_arg_int(g, 3, &keepdim));
    } else if (g->nin != 2) {
        return ox_sym_error(g, -1, "%s: unexpected number of inputs %d", g->node->kind, g->nin);
    }
    if (!ox_arg_is_none(g, corr_index)) OX_TRY(ox_arg_int(g, corr_index, &correction));

    bool axes_input = g->opset >= 18;
    ox_value *axes = NULL, *mean, *t_mean, *count;
    if (all) {
        mean = attr_i(ox_op_1(g, "ReduceMean", x), "keepdims", 0);
        t_mean = mean;
        count = attr_i(ox_op_1(g, "ReduceProd", ox_op_1(g, "Shape", x)), "keepdims", 0);
    } else {
        if (axes_input) {
            axes = ox_const_i64s(g, dims, n);
            mean = attr_i(ox_op_2(g, "ReduceMean", x, axes), "keepdims", keepdim);
            t_mean = attr_i(ox_op_2(g, "ReduceMean", x, axes), "keepdims", 1);
        } else {
            mean = attr_i(attr_is(ox_op_1(g, "ReduceMean", x), "axes", dims, n), "keepdims", keepdim);
            t_mean = attr_i(attr_is(ox_op_1(g, "ReduceMean", x), "axes", dims, n), "keepdims", 1);
        }
        ox_value *shape = ox_op_1(g, "Shape", x);
        ox_value *idx = shape ? ox_const_i64s(g, dims, n) : NULL;
        ox_value *sizes = attr_i(ox_op_2(g, "Gather", shape, idx), "axis", 0);
        count = attr_i(ox_op_1(g, "ReduceProd", sizes), "keepdims", 0);
    }
    ox_value *diff = ox_op_2(g, "Sub", x, t_mean);
    ox_value *sq = ox_op_2(g, "Mul", diff, diff);
    ox_value *var;
    int64_t keep_var = all ? 0 : keepdim;
    if (all) var = attr_i(ox_op_1(g, "ReduceMean", sq), "keepdims", keep_var);
    else if (axes_input) var = attr_i(ox_op_2(g, "ReduceMean", sq, axes), "keepdims", keep_var);
    else var = attr_i(attr_is(ox_op_1(g, "ReduceMean", sq), "axes", dims, n), "keepdims", keep_var);
    if (correction != 0 && var) {
        count = ox_cast(g, count, OX_FLOAT);
        ox_value *c = count ? ox_const_f32(g, (float)correction) : NULL;
        ox_value *scaled = ox_op_2(g, "Mul", var, count);
        var = ox_op_2(g, "Div", scaled, ox_op_2(g, "Sub", count, c));
    }
    if (!var || !mean) return ox_set_out(g, 0, NULL);
    *var_out = var;
    *mean_out = mean;
    return OX_OK;
}

static ox_status var(ox_sym *g)
{
    ox_value *v, *m;
    OX_TRY(var_mean_of(g, &v, &m));
    return ox_set_out(g, 0, v);
}

static ox_status std_(ox_sym *g)
{
    ox_value *v, *m;
    OX_TRY(var_mean_of(g, &v, &m));
    return ox_set_out(g, 0, ox_op_1(g, "Sqrt", v));
}

static ox_status var_mean(ox_sym *g)
{
    ox_value *v, *m;
    OX_TRY(var_mean_of(g, &v, &m));
    OX_TRY(ox_set_out(g, 0, v));
    return g->nout > 1 ? ox_set_out(g, 1, m) : OX_OK;
}

static ox_status std_mean(ox_sym *g)
{
    ox_value *v, *m;
    OX_TRY(var_mean_of(g, &v, &m));
    OX_TRY(ox_set_out(g, 0, ox_op_1(g, "Sqrt", v)));
    return g->nout > 1 ? ox_set_out(g, 1, m) : OX_OK;
}

const ox_symbolic_entry ox_symbolics_reduce[] = {
    {"aten::sum", 9, sum},
    {"aten::sum", 13, sum},
    {"aten::mean", 9, mean},
    {"aten::mean", 18, mean},
    {"aten::prod", 9, prod},
    {"aten::prod", 18, prod},
    {"aten::amax", 9, amax},
    {"aten::amax", 18, amax},
    {"aten::amin", 9, amin},
    {"aten::amin", 18, amin},
    {"aten::max", 7, max_7},
    {"aten::max", 9, max},
    {"aten::max", 18, max},
    {"aten::min", 7, min_7},
    {"aten::min", 9, min},
    {"aten::min", 18, min},
    {"aten::argmax", 9, argmax},
    {"aten::argmax", 12, argmax},
    {"aten::argmin", 9, argmin},
    {"aten::argmin", 12, argmin},
    {"aten::var", 9, var},
    {"aten::std", 9, std_},
    {"aten::var_mean", 9, var_mean},
    {"aten::var_mean", 18, var_mean},
    {"aten::std_mean", 9, std_mean},
    {0},
};
