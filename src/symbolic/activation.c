/* Activations: relu, relu6, hardtanh, sigmoid, tanh, gelu, silu, mish,
 * leaky_relu, elu, selu, celu, prelu, hardswish, hardsigmoid, softplus,
 * softmax and log_softmax (torch's symbolic_opset8/9/11/12/13/14/20 forms).
 *
 * Before opset 13 ONNX Softmax/LogSoftmax flatten the input to 2-D at
 * `axis`, which equals torch's softmax over `dim` only for the last dim:
 * other dims are transposed to the end and back. */
#include <string.h>

#include "symbolic/families.h"
#include "symbolic/helpers.h"


/* ---- local builders ----------------------------------------------------- */

static uint32_t mark_of(ox_sym *g) { return g->graph->next_node_seq; }

static ox_value *attr_i(ox_value *v, const char *name, int64_t i)
{
    if (!v || ox_node_set_i(v->node, name, i) != OX_OK) return NULL;
    return v;
}

static ox_value *attr_f(ox_value *v, const char *name, double f)
{
    if (!v || ox_node_set_f(v->node, name, f) != OX_OK) return NULL;
    return v;
}

static ox_value *attr_is(ox_value *v, const char *name, const int64_t *is, int n)
{
    if (!v || ox_node_set_is(v->node, name, is, n) != OX_OK) return NULL;
    return v;
}

static ox_value *attr_s(ox_value *v, const char *name, const char *s)
{
    if (!v || ox_node_set_s(v->node, name, s) != OX_OK) return NULL;
    return v;
}

/* A shape-preserving op's result has its input's type (what torch's
 * per-node inference would find), unless typed already. */
static ox_value *same_type(ox_sym *g, ox_value *v, ox_value *like)
{
    if (v && ox_elem_type(v) == OX_UNDEFINED && ox_type_is_tensor(like->type)) {
        ox_type *t = ox_type_copy(g->graph->arena, like->type);
        if (t) v->type = t;
    }
    return v;
}

static ox_value *scalar_const(ox_sym *g, ox_dtype dt, double v)
{
    return ox_const_scalar(g, dt == OX_UNDEFINED || ox_dtype_size(dt) == 0 ? OX_FLOAT : dt, v);
}

/* A dtype argument: given (a constant ScalarType) or None. */
static ox_status dtype_arg(ox_sym *g, int i, bool *given, ox_dtype *dt)
{
    *given = false;
    if (i >= g->nin || ox_arg_is_none(g, i)) return OX_OK;
    int64_t st;
    OX_TRY(ox_arg_int(g, i, &st));
    if (!ox_ew_onnx_dtype(st, dt)) return ox_sym_error(g, i, "dtype %lld has no ONNX equivalent", (long long)st);
    *given = true;
    return OX_OK;
}

/* ---- relu family -------------------------------------------------------- */

static ox_value *relu_of(ox_sym *g, ox_value *x, uint32_t mark)
{
    return same_type(g, ox_ew_float_cast_op(g, "Relu", &x, 1, 14, mark, NULL), x);
}

static ox_status relu(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    return ox_set_out(g, 0, relu_of(g, g->in[0], mark_of(g)));
}

/* Opset 9: Relu, then Clip(max=6). */
static ox_status relu6_9(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    uint32_t mark = mark_of(g);
    ox_value *r = relu_of(g, g->in[0], mark);
    ox_node *n = NULL;
    ox_value *y = r ? ox_ew_float_cast_op(g, "Clip", &r, 1, 12, mark, &n) : NULL;
    return ox_set_out(g, 0, y && ox_node_set_f(n, "max", 6.0) == OX_OK ? y : NULL);
}

/* Opset 11: Relu, then Clip(relu, Cast(0), Cast(6)) with 0-d bounds of the
 * input's dtype (torch's opset-11 clamp casts them once more). */
static ox_status relu6_11(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    uint32_t mark = mark_of(g);
    ox_value *r = relu_of(g, g->in[0], mark);
    if (!r) return ox_set_out(g, 0, NULL);
    ox_dtype dt = ox_elem_type(r);
    ox_value *lo = scalar_const(g, dt, 0.0);
    ox_value *hi = lo ? scalar_const(g, dt, 6.0) : NULL;
    if (dt != OX_UNDEFINED) {
        lo = ox_cast(g, lo, dt);
        hi = lo ? ox_cast(g, hi, dt) : NULL;
    }
    if (!lo || !hi) return ox_set_out(g, 0, NULL);
    ox_value *ins[3] = {r, lo, hi};
    return ox_set_out(g, 0, ox_ew_float_cast_op(g, "Clip", ins, 3, 12, mark, NULL));
}

/* hardtanh: Clip with min/max attributes (opset 9) or 0-d constant inputs
 * of the input's dtype (opset 11). */
static ox_status hardtanh_9(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 3));
    double lo, hi;
    OX_TRY(ox_arg_float(g, 1, &lo));
    OX_TRY(ox_arg_float(g, 2, &hi));
    ox_node *n = NULL;
    ox_value *y = ox_ew_float_cast_op(g, "Clip", g->in, 1, 12, mark_of(g), &n);
    if (y && (ox_node_set_f(n, "max", hi) != OX_OK || ox_node_set_f(n, "min", lo) != OX_OK)) y = NULL;
    return ox_set_out(g, 0, y);
}

static ox_status hardtanh_11(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 3));
    double lo, hi;
    OX_TRY(ox_arg_float(g, 1, &lo));
    OX_TRY(ox_arg_float(g, 2, &hi));
    uint32_t mark = mark_of(g);
    ox_dtype dt = ox_elem_type(g->in[0]);
    ox_value *min = scalar_const(g, dt, lo);
    ox_value *max = min ? scalar_const(g, dt, hi) : NULL;
    if (!max) return ox_set_out(g, 0, NULL);
    ox_value *ins[3] = {g->in[0], min, max};
    return ox_set_out(g, 0, ox_ew_float_cast_op(g, "Clip", ins, 3, 12, mark, NULL));
}

static ox_status sigmoid(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    return ox_set_out(g, 0, ox_op_1(g, "Sigmoid", g->in[0]));
}

static ox_status tanh_(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    return ox_set_out(g, 0, ox_op_1(g, "Tanh", g->in[0]));
}

static ox_status selu(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    return ox_set_out(g, 0, ox_op_1(g, "Selu", g->in[0]));
}

/* leaky_relu(x, negative_slope, inplace): LeakyRelu(alpha). */
static ox_status leaky_relu(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    double slope = 0.01;
    if (g->nin > 1) OX_TRY(ox_arg_float(g, 1, &slope));
    return ox_set_out(g, 0, attr_f(ox_op_1(g, "LeakyRelu", g->in[0]), "alpha", slope));
}

/* elu(x, alpha, scale, input_scale): Elu(alpha); ONNX has no scales. */
static ox_status elu(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    double alpha, s;
    if (g->nin > 2 && !ox_arg_is_none(g, 2)) {
        OX_TRY(ox_arg_float(g, 2, &s));
        if (s != 0.0 && s != 1.0) return ox_ew_unimplemented(g, "scale", "does not support scale in Elu", true);
    }
    if (g->nin > 3 && !ox_arg_is_none(g, 3)) {
        OX_TRY(ox_arg_float(g, 3, &s));
        if (s != 0.0 && s != 1.0)
            return ox_ew_unimplemented(g, "input_scale", "does not support input_scale in Elu", true);
    }
    OX_TRY(ox_arg_float(g, 1, &alpha));
    return ox_set_out(g, 0, attr_f(ox_op_1(g, "Elu", g->in[0]), "alpha", alpha));
}

/* celu (opset 12): Celu(alpha); ONNX Celu is float-only, so double goes
 * through float and back. */
static ox_status celu(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    double alpha;
    OX_TRY(ox_arg_float(g, 1, &alpha));
    ox_value *x = g->in[0];
    if (ox_elem_type(x) == OX_DOUBLE) {
        ox_value *y = attr_f(ox_op_1(g, "Celu", ox_cast(g, x, OX_FLOAT)), "alpha", alpha);
        return ox_set_out(g, 0, ox_cast(g, y, OX_DOUBLE));
    }
    return ox_set_out(g, 0, attr_f(ox_op_1(g, "Celu", x), "alpha", alpha));
}

/* prelu: the slope is unsqueezed to broadcast over dims 1..r-2 (x of rank
 * r > 2), squeezed for a 0-d x with a [1] slope. */
static ox_status prelu_common(ox_sym *g, bool opset8)
{
    OX_TRY(ox_need_inputs(g, 2));
    ox_value *self = g->in[0], *w = g->in[1];
    int self_rank = ox_rank(self), w_rank = ox_rank(w);
    if (self_rank > 2) {
        int64_t axes[64];
        int n = 0;
        for (int i = 1; i < self_rank - 1 && n < 64; i++) axes[n++] = i;
        w = ox_unsqueeze(g, w, axes, n);
    } else if (self_rank == 0 && w_rank == 1 && ox_static_dim(w, 0) == 1) {
        int64_t axes[1] = {0};
        w = ox_squeeze(g, w, axes, 1);
        w_rank = 0;
    }
    if (self_rank >= 0 && w_rank >= 0 && self_rank < w_rank)
        return ox_sym_error(g, 0, "rank(x) should be >= rank(slope) but got %d < %d", self_rank, w_rank);
    ox_dtype old = ox_elem_type(self);
    if (opset8 && old != OX_UNDEFINED && old != OX_FLOAT16 && old != OX_FLOAT && old != OX_DOUBLE) {
        ox_value *a = ox_cast(g, self, OX_FLOAT);
        ox_value *b = a ? ox_cast(g, w, OX_FLOAT) : NULL;
        ox_value *y = ox_op_2(g, "PRelu", a, b);
        return ox_set_out(g, 0, ox_cast(g, y, old));
    }
    return ox_set_out(g, 0, ox_op_2(g, "PRelu", self, w));
}

static ox_status prelu_8(ox_sym *g) { return prelu_common(g, true); }
static ox_status prelu_9(ox_sym *g) { return prelu_common(g, false); }

/* ---- gelu, silu, mish, softplus ----------------------------------------- */

static ox_value *const_f64(ox_sym *g, double v)
{
    return ox_const_tensor(g, ox_tensor_scalar_f64(g->graph->arena, v));
}

/* Opset 9: "none" is x * (1 + erf(x / sqrt(2))) * 0.5 and "tanh" is
 * 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3))), in the node
 * order torch emits; the double scalars are re-typed by
 * scalar_type_analysis. */
static ox_status gelu_9(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    ox_value *x = g->in[0];
    const char *approximate = "none";
    if (g->nin > 1 && !ox_arg_is_none(g, 1)) OX_TRY(ox_arg_str(g, 1, &approximate));
    if (!strcmp(approximate, "tanh")) {
        ox_value *cube = ox_op_2(g, "Mul", x, ox_op_2(g, "Mul", x, x));
        ox_value *kappa = cube ? const_f64(g, 0.044715) : NULL;
        ox_value *inner = ox_op_2(g, "Add", x, ox_op_2(g, "Mul", kappa, cube));
        ox_value *beta = inner ? const_f64(g, 0.79788456080286535588) : NULL; /* sqrt(2 / pi) */
        ox_value *t = ox_op_1(g, "Tanh", ox_op_2(g, "Mul", beta, inner));
        ox_value *one = t ? const_f64(g, 1.0) : NULL;
        ox_value *m = ox_op_2(g, "Mul", x, ox_op_2(g, "Add", one, t));
        ox_value *half = m ? const_f64(g, 0.5) : NULL;
        return ox_set_out(g, 0, ox_op_2(g, "Mul", half, m));
    }
    ox_value *sqrt2 = const_f64(g, 1.4142135623730951);
    ox_value *e = ox_op_1(g, "Erf", ox_op_2(g, "Div", x, sqrt2));
    ox_value *one = e ? const_f64(g, 1.0) : NULL;
    ox_value *m = ox_op_2(g, "Mul", x, ox_op_2(g, "Add", e, one));
    ox_value *half = m ? const_f64(g, 0.5) : NULL;
    return ox_set_out(g, 0, ox_op_2(g, "Mul", m, half));
}

/* Opset 20: the Gelu op. */
static ox_status gelu_20(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    const char *approximate = "none";
    if (g->nin > 1 && !ox_arg_is_none(g, 1)) OX_TRY(ox_arg_str(g, 1, &approximate));
    return ox_set_out(g, 0, attr_s(ox_op_1(g, "Gelu", g->in[0]), "approximate", approximate));
}

static ox_status silu(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    return ox_set_out(g, 0, ox_op_2(g, "Mul", g->in[0], ox_op_1(g, "Sigmoid", g->in[0])));
}

static ox_status mish(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    ox_value *x = g->in[0];
    return ox_set_out(g, 0, ox_op_2(g, "Mul", x, ox_op_1(g, "Tanh", ox_op_1(g, "Softplus", x))));
}

/* softplus(x, beta, threshold): Softplus(x * beta) / beta unless beta is 1;
 * ONNX Softplus has no threshold. */
static ox_status softplus(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    ox_value *x = g->in[0], *beta = g->in[1];
    double b;
    if (ox_node_is(beta->node, "onnx::Constant") && ox_value_const_float(beta, &b) && b == 1.0)
        return ox_set_out(g, 0, ox_op_1(g, "Softplus", x));
    return ox_set_out(g, 0, ox_op_2(g, "Div", ox_op_1(g, "Softplus", ox_op_2(g, "Mul", x, beta)), beta));
}

/* ---- hardswish, hardsigmoid --------------------------------------------- */

static ox_value *hardsigmoid_of(ox_sym *g, ox_value *x)
{
    return attr_f(ox_op_1(g, "HardSigmoid", x), "alpha", 1.0 / 6.0);
}

static ox_status hardsigmoid(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    return ox_set_out(g, 0, hardsigmoid_of(g, g->in[0]));
}

static ox_status hardswish_9(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    return ox_set_out(g, 0, ox_op_2(g, "Mul", g->in[0], hardsigmoid_of(g, g->in[0])));
}

static ox_status hardswish_14(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    return ox_set_out(g, 0, ox_op_1(g, "HardSwish", g->in[0]));
}

/* ---- softmax, log_softmax ----------------------------------------------- */

static ox_value *transpose(ox_sym *g, ox_value *x, const int64_t *perm, int n)
{
    return attr_is(ox_op_1(g, "Transpose", x), "perm", perm, n);
}

/* Opset < 13: the op over the last axis, dim transposed there and back;
 * the result is cast to `dtype` when given. */
static ox_value *softmax_last_axis(ox_sym *g, const char *op, ox_value *x, int64_t dim, int rank, bool cast,
                                   ox_dtype dt)
{
    if (dim < 0) dim += rank;
    if (dim < 0 || dim >= rank) {
        ox_sym_error(g, 1, "Dimension out of range (expected to be in range of [%d, %d], but got %lld)", -rank,
                     rank - 1, (long long)(dim < 0 ? dim - rank : dim));
        return NULL;
    }
    bool transposed = rank != dim + 1;
    int64_t perm[64];
    if (transposed) {
        if (rank > 64) {
            ox_sym_error(g, 0, "%s: rank %d is too large", op, rank);
            return NULL;
        }
        for (int i = 0; i < rank; i++) perm[i] = i;
        perm[dim] = rank - 1;
        perm[rank - 1] = dim;
        x = transpose(g, x, perm, rank);
        dim = rank - 1;
    }
    ox_value *y = attr_i(ox_op_1(g, op, x), "axis", dim);
    if (cast) y = ox_cast(g, y, dt);
    if (transposed) y = transpose(g, y, perm, rank);
    return y;
}

static ox_status softmax_9(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    int64_t dim;
    OX_TRY(ox_arg_int(g, 1, &dim));
    bool cast;
    ox_dtype dt = OX_UNDEFINED;
    OX_TRY(dtype_arg(g, 2, &cast, &dt));
    ox_value *x = g->in[0];
    int rank = ox_rank(x);
    if (rank >= 0) return ox_set_out(g, 0, softmax_last_axis(g, "Softmax", x, dim, rank, cast, dt));
    /* Unknown rank: exp(x - max) / sum(exp(x - max)) over dim. */
    int64_t axes[1] = {dim};
    ox_value *mx = attr_i(attr_is(ox_op_1(g, "ReduceMax", x), "axes", axes, 1), "keepdims", 1);
    ox_value *e = ox_op_1(g, "Exp", ox_op_2(g, "Sub", x, mx));
    ox_value *sum = ox_reduce(g, "ReduceSum", e, axes, 1, true);
    ox_value *y = ox_op_2(g, "Div", e, sum);
    if (cast) y = ox_cast(g, y, dt);
    return ox_set_out(g, 0, y);
}

static ox_status softmax_13(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    int64_t dim;
    OX_TRY(ox_arg_int(g, 1, &dim));
    bool cast;
    ox_dtype dt = OX_UNDEFINED;
    OX_TRY(dtype_arg(g, 2, &cast, &dt));
    ox_value *y = attr_i(ox_op_1(g, "Softmax", g->in[0]), "axis", dim);
    return ox_set_out(g, 0, cast ? ox_cast(g, y, dt) : y);
}

static ox_value *log_softmax_9_of(ox_sym *g, ox_value *x, int64_t dim, bool cast, ox_dtype dt)
{
    int rank = ox_rank(x);
    if (rank < 0) {
        ox_ew_unimplemented(g, "dim",
                            "ONNX and PyTorch use different strategies to split the input. Input rank must be "
                            "known at export time.",
                            false);
        return NULL;
    }
    return softmax_last_axis(g, "LogSoftmax", x, dim, rank, cast, dt);
}

static ox_status log_softmax_9(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    int64_t dim;
    OX_TRY(ox_arg_int(g, 1, &dim));
    bool cast;
    ox_dtype dt = OX_UNDEFINED;
    OX_TRY(dtype_arg(g, 2, &cast, &dt));
    if (ox_rank(g->in[0]) < 0 && g->export_type != ONNXIFY_OPERATOR_EXPORT_ONNX)
        return ox_keep_node(g);
    return ox_set_out(g, 0, log_softmax_9_of(g, g->in[0], dim, cast, dt));
}

static ox_status log_softmax_13(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    int64_t dim;
    OX_TRY(ox_arg_int(g, 1, &dim));
    bool cast;
    ox_dtype dt = OX_UNDEFINED;
    OX_TRY(dtype_arg(g, 2, &cast, &dt));
    ox_value *y = attr_i(ox_op_1(g, "LogSoftmax", g->in[0]), "axis", dim);
    return ox_set_out(g, 0, cast ? ox_cast(g, y, dt) : y);
}

/* _log_softmax(x, dim, half_to_float): opset 9's log_softmax at every
 * opset, a half input cast to float first when asked. */
static ox_status log_softmax_internal(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 3));
    int64_t dim;
    bool half_to_float;
    OX_TRY(ox_arg_int(g, 1, &dim));
    OX_TRY(ox_arg_bool(g, 2, &half_to_float));
    ox_value *x = g->in[0];
    if (half_to_float && ox_elem_type(x) == OX_FLOAT16) x = ox_cast(g, x, OX_FLOAT);
    if (x && ox_rank(x) < 0 && g->export_type != ONNXIFY_OPERATOR_EXPORT_ONNX) return ox_keep_node(g);
    return ox_set_out(g, 0, x ? log_softmax_9_of(g, x, dim, false, OX_UNDEFINED) : NULL);
}

const ox_symbolic_entry ox_symbolics_activation[] = {
    {"aten::relu", 9, relu},
    {"aten::relu6", 9, relu6_9},
    {"aten::relu6", 11, relu6_11},
    {"aten::hardtanh", 9, hardtanh_9},
    {"aten::hardtanh", 11, hardtanh_11},
    {"aten::sigmoid", 9, sigmoid},
    {"aten::tanh", 9, tanh_},
    {"aten::gelu", 9, gelu_9},
    {"aten::gelu", 20, gelu_20},
    {"aten::silu", 9, silu},
    {"aten::mish", 9, mish},
    {"aten::leaky_relu", 9, leaky_relu},
    {"aten::elu", 9, elu},
    {"aten::selu", 9, selu},
    {"aten::celu", 12, celu},
    {"aten::prelu", 8, prelu_8},
    {"aten::prelu", 9, prelu_9},
    {"aten::hardswish", 9, hardswish_9},
    {"aten::hardswish", 14, hardswish_14},
    {"aten::hardsigmoid", 9, hardsigmoid},
    {"aten::softplus", 9, softplus},
    {"aten::softmax", 9, softmax_9},
    {"aten::softmax", 13, softmax_13},
    {"aten::log_softmax", 9, log_softmax_9},
    {"aten::log_softmax", 13, log_softmax_13},
    {"aten::_log_softmax", 9, log_softmax_internal},
    {0},
};
