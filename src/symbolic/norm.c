/* Normalizations: batch_norm (opset 9 and 14 forms), layer_norm (opset 9
 * decomposition, opset 17 LayerNormalization), native_layer_norm,
 * group_norm and instance_norm, as torch 1.13 lowers them.
 *
 * Training: an op runs in training mode when its own `training` argument says
 * so (torch's check_training_mode only warns when that disagrees with the
 * export mode: the op's flag wins). The Python scalars these lowerings make
 * (2.0, eps) are 0-d double constants, re-typed later by
 * scalar_type_analysis as in torch. */
#include "symbolic/helpers.h"

#define MAX_RANK 32

/* ---- small builders ----------------------------------------------------- */

static void set_type(ox_sym *g, ox_value *v, ox_dtype dtype, int rank, const int64_t *dims)
{
    if (!v) return;
    ox_type *t = ox_type_tensor(g->graph->arena, dtype, rank, dims);
    if (t) v->type = t;
}

/* An elementwise result typed like x (dtype `dtype`). */
static ox_value *like(ox_sym *g, ox_value *v, ox_value *x, ox_dtype dtype)
{
    int r = ox_rank(x);
    set_type(g, v, dtype, r, r > 0 ? x->type->dims : NULL);
    return v;
}

/* The dtype torch reads from input.type().scalarType() for the constants it
 * builds (float when unknown). */
static ox_dtype const_dtype(ox_value *x)
{
    ox_dtype dt = ox_elem_type(x);
    return dt == OX_UNDEFINED ? OX_FLOAT : dt;
}

/* A 1-D constant [v] * n of dtype. */
static ox_value *const_fill(ox_sym *g, ox_dtype dtype, int64_t n, double v)
{
    ox_tensor *t = ox_tensor_alloc(g->graph->arena, dtype, 1, &n);
    if (!t) {
        OX_NOMEM(g->ctx);
        return NULL;
    }
    for (int64_t i = 0; i < n; i++) ox_tensor_set_f(t, i, v);
    return ox_const_tensor(g, t);
}

/* ReduceMean over `axes` (attribute before opset 18, input from 18);
 * keepdims < 0 leaves the attribute out (ONNX default 1), as torch does when
 * it does not pass one. */
static ox_value *reduce_mean(ox_sym *g, ox_value *x, const int64_t *axes, int n, int keepdims)
{
    ox_node *node;
    if (g->opset >= 18) {
        ox_value *ins[2] = {x, ox_const_i64s(g, axes, n)};
        if (!ins[1]) return NULL;
        node = ox_op(g, "ReduceMean", 1, 2, ins);
        if (!node) return NULL;
    } else {
        node = ox_op(g, "ReduceMean", 1, 1, &x);
        if (!node || ox_node_set_is(node, "axes", axes, n) != OX_OK) return NULL;
    }
    if (keepdims >= 0 && ox_node_set_i(node, "keepdims", keepdims) != OX_OK) return NULL;
    return node->outputs[0];
}

/* torch's check_training_mode: a warning when the op's train flag and the
 * export's training mode disagree (PRESERVE never warns). */
static void check_training_mode(ox_sym *g, bool op_train, const char *name)
{
    const onnxify_options *opt = g->ctx->opt;
    if (!opt || opt->training == ONNXIFY_TRAINING_PRESERVE) return;
    onnxify_training_mode op_mode = op_train ? ONNXIFY_TRAINING_TRAIN : ONNXIFY_TRAINING_EVAL;
    if (op_mode == opt->training) return;
    const char *mode = opt->training == ONNXIFY_TRAINING_TRAIN ? "TrainingMode.TRAINING" : "TrainingMode.EVAL";
    const char *flag = op_train ? "train=True" : "train=False";
    ox_warn(g->ctx, "ONNX export mode is set to %s, but operator '%s' is set to %s. Exporting with %s.", mode,
            name, flag, flag);
}

/* ---- batch_norm --------------------------------------------------------- */

typedef struct bn_inputs {
    ox_value *input, *weight, *bias, *mean, *var; /* weight..var may be None values */
} bn_inputs;

/* torch's _batchnorm_helper: None weight/bias become ones/zeros of the
 * channel count; without running statistics, the batch's own mean and
 * (biased) variance over all but the channel dim are used. */
static ox_status batchnorm_helper(ox_sym *g, bn_inputs *b)
{
    ox_value *x = b->input;
    int64_t batch = ox_static_dim(x, 0), channels = ox_rank(x) >= 2 ? ox_static_dim(x, 1) : -1;
    ox_dtype dt = const_dtype(x);
    if (ox_value_is_none(b->weight)) {
        if (channels < 0)
            return ox_sym_error(g, 0, "Unsupported: ONNX export of batch_norm for unknown channel size.");
        if (!(b->weight = const_fill(g, dt, channels, 1.0))) return ox_set_out(g, 0, NULL);
    }
    if (ox_value_is_none(b->bias)) {
        if (channels < 0)
            return ox_sym_error(g, 0, "Unsupported: ONNX export of batch_norm for unknown channel size.");
        if (!(b->bias = const_fill(g, dt, channels, 0.0))) return ox_set_out(g, 0, NULL);
    }
    if (!ox_value_is_none(b->mean) && !ox_value_is_none(b->var)) return OX_OK;

    if (batch < 0 || channels < 0)
        return ox_sym_error(g, 0,
                            "Unsupported: ONNX export of batch_norm without running statistics for an input "
                            "of unknown batch or channel size.");
    /* [N, C, *] -> [N, C, L] -> [N, L, C], statistics over (N, L) */
    int64_t shape[3] = {batch, channels, -1};
    static const int64_t perm[3] = {0, 2, 1}, axes[2] = {0, 1};
    ox_value *sv = ox_const_i64s(g, shape, 3);
    ox_value *flat = sv ? ox_reshape(g, x, sv) : NULL;
    ox_value *trans = flat ? ox_op1(g, "Transpose", flat, NULL) : NULL;
    if (!trans || ox_node_set_is(trans->node, "perm", perm, 3) != OX_OK) return ox_set_out(g, 0, NULL);
    ox_value *mean = reduce_mean(g, trans, axes, 2, 0);
    ox_value *t_mean = mean ? reduce_mean(g, trans, axes, 2, 1) : NULL;
    ox_value *diff = t_mean ? ox_op1(g, "Sub", trans, t_mean, NULL) : NULL;
    ox_value *sq = diff ? ox_op1(g, "Mul", diff, diff, NULL) : NULL;
    ox_value *var = sq ? reduce_mean(g, sq, axes, 2, 0) : NULL;
    if (!var) return ox_set_out(g, 0, NULL);
    int64_t c = channels;
    set_type(g, mean, ox_elem_type(x), 1, &c);
    set_type(g, var, ox_elem_type(x), 1, &c);
    b->mean = mean;
    b->var = var;
    return OX_OK;
}

/* BatchNormalization: 1 output in eval; in training 5 before opset 14 (the
 * saved statistics are dead outputs) and 3 with training_mode=1 from 14.
 * `form14` selects torch's opset-14 symbolic. */
static ox_status batch_norm_core(ox_sym *g, bn_inputs *b, bool training, double momentum, double eps,
                                 bool form14, ox_value **out)
{
    check_training_mode(g, training, "batch_norm");
    OX_TRY(batchnorm_helper(g, b));
    int nout = !training ? 1 : form14 ? 3 : 5;
    ox_value *ins[5] = {b->input, b->weight, b->bias, b->mean, b->var};
    ox_node *n = ox_op(g, "BatchNormalization", nout, 5, ins);
    if (!n) return ox_set_out(g, 0, NULL);
    OX_TRY(ox_node_set_f(n, "epsilon", eps));
    OX_TRY(ox_node_set_f(n, "momentum", 1.0 - momentum));
    if (form14) OX_TRY(ox_node_set_i(n, "training_mode", training ? 1 : 0));
    if (training) {
        ox_type *mt = ox_type_copy(g->graph->arena, b->mean->type);
        ox_type *vt = ox_type_copy(g->graph->arena, b->var->type);
        if (mt) n->outputs[1]->type = mt;
        if (vt) n->outputs[2]->type = vt;
        for (int i = 3; i < nout; i++) {
            ox_value *dead = n->outputs[i];
            const char *name =
                ox_arena_printf(g->graph->arena, "batch_norm_dead_output-%s", ox_value_name(dead));
            if (!name) return OX_NOMEM(g->ctx);
            ox_value_set_name(dead, name);
        }
    }
    *out = n->outputs[0];
    return OX_OK;
}

/* aten::batch_norm(input, weight, bias, running_mean, running_var, training,
 *                  momentum, eps, cudnn_enabled) */
static ox_status batch_norm(ox_sym *g, bool form14)
{
    if (g->nin < 8) return ox_sym_error(g, -1, "aten::batch_norm expects 9 inputs, got %d", g->nin);
    int64_t training;
    double momentum, eps;
    OX_TRY(ox_arg_int(g, 5, &training));
    OX_TRY(ox_arg_float(g, 6, &momentum));
    OX_TRY(ox_arg_float(g, 7, &eps));
    bn_inputs b = {g->in[0], g->in[1], g->in[2], g->in[3], g->in[4]};
    ox_value *y = NULL;
    OX_TRY(batch_norm_core(g, &b, training != 0, momentum, eps, form14, &y));
    return ox_set_out(g, 0, y);
}

static ox_status batch_norm9(ox_sym *g) { return batch_norm(g, false); }
static ox_status batch_norm14(ox_sym *g) { return batch_norm(g, true); }

/* ---- layer_norm --------------------------------------------------------- */

typedef struct ln_result {
    ox_value *normalized, *mean, *denominator;
} ln_result;

/* torch's opset-9 native_layer_norm decomposition over the last n dims:
 * (x - mean) / sqrt(mean((x - mean)^2) + eps) * weight + bias. */
static ox_status layer_norm_decomposed(ox_sym *g, ox_value *x, int n, ox_value *weight, ox_value *bias,
                                       double eps, ln_result *res)
{
    if (n <= 0 || n > MAX_RANK)
        return ox_sym_error(g, 1, "Unsupported: ONNX export of layer_norm with normalized_shape of length %d",
                            n);
    int64_t axes[MAX_RANK];
    for (int i = 0; i < n; i++) axes[i] = i - n;
    ox_dtype dt = ox_elem_type(x);
    bool fp = ox_dtype_is_floating(dt);

    ox_value *two = ox_const_scalar(g, OX_DOUBLE, 2.0);
    ox_value *eps_c = two ? ox_const_scalar(g, OX_DOUBLE, eps) : NULL;
    ox_value *mean = eps_c ? reduce_mean(g, x, axes, n, -1) : NULL;
    if (!mean) return ox_set_out(g, 0, NULL);
    int r = ox_rank(x);
    if (r >= n && r <= MAX_RANK) {
        int64_t dims[MAX_RANK];
        for (int i = 0; i < r; i++) dims[i] = i >= r - n ? 1 : x->type->dims[i];
        set_type(g, mean, dt, r, dims);
    }
    ox_value *num = like(g, ox_op1(g, "Sub", x, mean, NULL), x, dt);
    if (!num) return ox_set_out(g, 0, NULL);
    /* torch's pow: a non-floating base is computed in float */
    ox_dtype pdt = fp ? dt : OX_FLOAT;
    ox_value *base = fp ? num : like(g, ox_cast(g, num, OX_FLOAT), x, OX_FLOAT);
    ox_value *sq = base ? like(g, ox_op1(g, "Pow", base, two, NULL), x, pdt) : NULL;
    ox_value *var = sq ? reduce_mean(g, sq, axes, n, -1) : NULL;
    if (var) set_type(g, var, pdt, mean->type->rank, mean->type->rank > 0 ? mean->type->dims : NULL);
    ox_value *sum = var ? like(g, ox_op1(g, "Add", var, eps_c, NULL), var, pdt) : NULL;
    ox_value *den = sum ? like(g, ox_op1(g, "Sqrt", sum, NULL), var, pdt) : NULL;
    ox_value *y = den ? like(g, ox_op1(g, "Div", num, den, NULL), x, dt) : NULL;
    if (y && !ox_value_is_none(weight)) y = like(g, ox_op1(g, "Mul", y, weight, NULL), x, dt);
    if (y && !ox_value_is_none(bias)) y = like(g, ox_op1(g, "Add", y, bias, NULL), x, dt);
    if (!y) return ox_set_out(g, 0, NULL);
    res->normalized = y;
    res->mean = mean;
    res->denominator = den;
    return OX_OK;
}

/* (input, normalized_shape, weight, bias, eps[, cudnn_enable]) */
static ox_status layer_norm_args(ox_sym *g, int *n, double *eps)
{
    if (g->nin < 5) return ox_sym_error(g, -1, "%s expects at least 5 inputs, got %d", g->op, g->nin);
    int64_t *shape;
    OX_TRY(ox_arg_ints(g, 1, &shape, n));
    return ox_arg_float(g, 4, eps);
}

static ox_status layer_norm9(ox_sym *g)
{
    int n;
    double eps;
    OX_TRY(layer_norm_args(g, &n, &eps));
    ln_result r;
    OX_TRY(layer_norm_decomposed(g, g->in[0], n, g->in[2], g->in[3], eps, &r));
    return ox_set_out(g, 0, r.normalized);
}

/* Opset 17: LayerNormalization(axis = -len(normalized_shape)); a None
 * weight or bias stays an omitted input, as in torch. */
static ox_status layer_norm17(ox_sym *g)
{
    int n;
    double eps;
    OX_TRY(layer_norm_args(g, &n, &eps));
    ox_value *ins[3] = {g->in[0], g->in[2], g->in[3]};
    ox_node *node = ox_op(g, "LayerNormalization", 1, 3, ins);
    if (!node) return ox_set_out(g, 0, NULL);
    OX_TRY(ox_node_set_i(node, "axis", -n));
    OX_TRY(ox_node_set_f(node, "epsilon", eps));
    return ox_set_out(g, 0, node->outputs[0]);
}

/* aten::native_layer_norm -> (normalized, mean, 1 / sqrt(var + eps)) */
static ox_status native_layer_norm(ox_sym *g)
{
    int n;
    double eps;
    OX_TRY(layer_norm_args(g, &n, &eps));
    ln_result r;
    OX_TRY(layer_norm_decomposed(g, g->in[0], n, g->in[2], g->in[3], eps, &r));
    ox_value *den = r.denominator;
    /* torch's reciprocal casts non-floating inputs to float */
    if (!ox_dtype_is_floating(ox_elem_type(den))) den = ox_cast(g, den, OX_FLOAT);
    ox_value *rden = den ? ox_op1(g, "Reciprocal", den, NULL) : NULL;
    OX_TRY(ox_set_out(g, 0, r.normalized));
    if (g->nout > 1) OX_TRY(ox_set_out(g, 1, r.mean));
    if (g->nout > 2) return ox_set_out(g, 2, rden);
    return rden ? OX_OK : ox_set_out(g, 0, NULL);
}

/* ---- group_norm(input, num_groups, weight, bias, eps, cudnn_enabled) ----- */

/* Normalizes [N, G, -1] with InstanceNormalization (unit scale, zero shift),
 * restores the input shape, then applies weight and bias per channel. */
static ox_status group_norm(ox_sym *g)
{
    if (g->nin < 5) return ox_sym_error(g, -1, "aten::group_norm expects 6 inputs, got %d", g->nin);
    int64_t groups;
    double eps;
    OX_TRY(ox_arg_int(g, 1, &groups));
    OX_TRY(ox_arg_float(g, 4, &eps));
    ox_value *x = g->in[0], *weight = g->in[2], *bias = g->in[3];
    int64_t channels = ox_rank(x) >= 2 ? ox_static_dim(x, 1) : -1;
    if (groups <= 0 || (channels >= 0 && channels % groups != 0))
        return ox_sym_error(g, 1, "group_norm: the channel size %lld is not divisible by num_groups %lld",
                            (long long)channels, (long long)groups);
    int r = ox_rank(x);
    if (r < 0) {
        if (g->export_type != ONNXIFY_OPERATOR_EXPORT_ONNX) return ox_keep_node(g);
        return ox_sym_error(g, 0,
                            "Unsupported: ONNX export of operator group_norm, unknown input rank. Please feel "
                            "free to request support or submit a pull request on PyTorch GitHub: "
                            "https://github.com/pytorch/pytorch/issues");
    }
    ox_dtype dt = const_dtype(x);
    int64_t shape[3] = {0, groups, -1};
    ox_value *sv = ox_const_i64s(g, shape, 3);
    ox_value *grouped = sv ? ox_reshape(g, x, sv) : NULL;
    ox_value *ones = grouped ? const_fill(g, dt, groups, 1.0) : NULL;
    ox_value *zeros = ones ? const_fill(g, dt, groups, 0.0) : NULL;
    ox_value *normed = zeros ? ox_op1(g, "InstanceNormalization", grouped, ones, zeros, NULL) : NULL;
    if (!normed) return ox_set_out(g, 0, NULL);
    OX_TRY(ox_node_set_f(normed->node, "epsilon", eps));
    ox_value *shp = ox_op1(g, "Shape", x, NULL);
    ox_value *norm = shp ? ox_reshape(g, normed, shp) : NULL;
    if (!norm) return ox_set_out(g, 0, NULL);

    if (ox_value_is_none(weight) && !(weight = const_fill(g, dt, 1, 1.0))) return ox_set_out(g, 0, NULL);
    if (ox_value_is_none(bias) && !(bias = const_fill(g, dt, 1, 0.0))) return ox_set_out(g, 0, NULL);
    /* weight and bias are [C]: unsqueeze to [C, 1, ...] against [N, C, ...] */
    int naxes = r > 2 ? r - 2 : 0;
    int64_t axes[MAX_RANK];
    if (naxes > MAX_RANK) return ox_sym_error(g, 0, "group_norm: input rank %d is too large", r);
    for (int i = 0; i < naxes; i++) axes[i] = 1 + i;
    ox_value *w = ox_unsqueeze(g, weight, axes, naxes);
    ox_value *scaled = w ? ox_op1(g, "Mul", norm, w, NULL) : NULL;
    ox_value *b = scaled ? ox_unsqueeze(g, bias, axes, naxes) : NULL;
    return ox_set_out(g, 0, b ? ox_op1(g, "Add", scaled, b, NULL) : NULL);
}

/* ---- instance_norm ------------------------------------------------------ */

/* torch's repeat(x, [n]) of a 1-D x: Expand to ones-like(repeats), Tile. */
static ox_value *repeat_n(ox_sym *g, ox_value *x, int64_t n)
{
    ox_value *reps = ox_const_i64s(g, &n, 1);
    ox_value *shape = reps ? ox_op1(g, "Shape", reps, NULL) : NULL;
    ox_value *ones = shape ? ox_op1(g, "ConstantOfShape", shape, NULL) : NULL;
    if (!ones) return NULL;
    int64_t one_len = 1;
    ox_tensor *one = ox_tensor_alloc(g->graph->arena, OX_INT64, 1, &one_len);
    if (!one) {
        OX_NOMEM(g->ctx);
        return NULL;
    }
    ox_tensor_set_i(one, 0, 1);
    if (ox_node_set_t(ones->node, "value", one) != OX_OK) return NULL;
    ox_value *expanded = ox_op1(g, "Expand", x, ones, NULL);
    return expanded ? ox_op1(g, "Tile", expanded, reps, NULL) : NULL;
}

/* aten::instance_norm(input, weight, bias, running_mean, running_var,
 *                     use_input_stats, momentum, eps, cudnn_enabled):
 * InstanceNormalization, or with running statistics a batch_norm (opset-9
 * form) over [1, N*C, ...] with the per-channel tensors tiled N times. */
static ox_status instance_norm(ox_sym *g)
{
    if (g->nin < 8) return ox_sym_error(g, -1, "aten::instance_norm expects 9 inputs, got %d", g->nin);
    bool use_input_stats;
    double momentum, eps;
    OX_TRY(ox_arg_bool(g, 5, &use_input_stats));
    OX_TRY(ox_arg_float(g, 6, &momentum));
    OX_TRY(ox_arg_float(g, 7, &eps));
    check_training_mode(g, use_input_stats, "instance_norm");
    ox_value *x = g->in[0], *weight = g->in[1], *bias = g->in[2];
    int64_t channels = ox_rank(x) >= 2 ? ox_static_dim(x, 1) : -1;
    ox_dtype dt = const_dtype(x);
    if (ox_value_is_none(weight)) {
        if (channels < 0)
            return ox_sym_error(g, 0, "Unsupported: ONNX export of instance_norm for unknown channel size.");
        if (!(weight = const_fill(g, dt, channels, 1.0))) return ox_set_out(g, 0, NULL);
    }
    if (ox_value_is_none(bias)) {
        if (channels < 0)
            return ox_sym_error(g, 0, "Unsupported: ONNX export of instance_norm for unknown channel size.");
        if (!(bias = const_fill(g, dt, channels, 0.0))) return ox_set_out(g, 0, NULL);
    }
    if (ox_value_is_none(g->in[3]) || ox_value_is_none(g->in[4])) {
        ox_value *y = ox_op1(g, "InstanceNormalization", x, weight, bias, NULL);
        if (y) OX_TRY(ox_node_set_f(y->node, "epsilon", eps));
        return ox_set_out(g, 0, y);
    }

    int r = ox_rank(x);
    int64_t n = ox_static_dim(x, 0);
    if (r < 2 || n < 0)
        return ox_sym_error(g, 0, "Unsupported: ONNX export of instance_norm training for unknown batch size.");
    if (!ox_type_is_static(x->type) || r > MAX_RANK)
        return ox_sym_error(g, 0, "Unsupported: ONNX export of instance_norm with running statistics for an "
                                  "input of unknown shape.");
    int64_t reshaped[MAX_RANK];
    for (int i = 0; i < r; i++) reshaped[i] = x->type->dims[i];
    reshaped[0] = 1;
    reshaped[1] = n * x->type->dims[1];

    bn_inputs b = {0};
    b.weight = repeat_n(g, weight, n);
    b.bias = b.weight ? repeat_n(g, bias, n) : NULL;
    b.mean = b.bias ? repeat_n(g, g->in[3], n) : NULL;
    b.var = b.mean ? repeat_n(g, g->in[4], n) : NULL;
    ox_value *rs = b.var ? ox_const_i64s(g, reshaped, r) : NULL;
    b.input = rs ? ox_op1(g, "Reshape", x, rs, NULL) : NULL;
    if (!b.input) return ox_set_out(g, 0, NULL);
    set_type(g, b.input, ox_elem_type(x), r, reshaped);
    ox_value *y = NULL;
    OX_TRY(batch_norm_core(g, &b, use_input_stats, momentum, eps, false, &y));
    ox_value *back = ox_const_i64s(g, x->type->dims, r);
    return ox_set_out(g, 0, back ? ox_reshape(g, y, back) : NULL);
}

const ox_symbolic_entry ox_symbolics_norm[] = {
    {"aten::batch_norm", 9, batch_norm9},
    {"aten::batch_norm", 14, batch_norm14},
    {"aten::layer_norm", 9, layer_norm9},
    {"aten::layer_norm", 17, layer_norm17},
    {"aten::native_layer_norm", 9, native_layer_norm},
    {"aten::group_norm", 9, group_norm},
    {"aten::instance_norm", 9, instance_norm},
    {0},
};
