/* Pooling: max_pool{1,2,3}d (+ _with_indices), avg_pool{1,2,3}d,
 * adaptive_avg_pool{1,2,3}d and adaptive_max_pool{1,2,3}d, in torch 1.13's
 * forms: opset 9 (ceil_mode emulated through extra end padding, no
 * dilations), opset 10 (ceil_mode attribute, dilations), opset 11 (avg_pool's
 * Pad takes its pads as an input). */
#include <math.h>
#include <string.h>

#include "symbolic/helpers.h"

#define MAX_SPATIAL 16
#define ISSUES_URL "https://github.com/pytorch/pytorch/issues"

/* "max_pool2d" of "aten::max_pool2d". */
static const char *op_name(ox_sym *g) { return ox_kind_name(g->op); }

/* The N of "...poolNd...". */
static int spatial_rank(ox_sym *g)
{
    const char *p = strstr(g->op, "pool");
    return p && p[4] >= '1' && p[4] <= '3' ? p[4] - '0' : 2;
}

/* torch's _unimplemented(op, msg, value): an error in ONNX export mode,
 * otherwise the node is kept as is. `i` is the input the error is about
 * (-1: none, which makes it an OnnxExporterError). */
static ox_status unimplemented(ox_sym *g, int i, const char *op, const char *msg)
{
    if (g->export_type != ONNXIFY_OPERATOR_EXPORT_ONNX) return ox_keep_node(g);
    if (i < 0)
        return ox_fail(g->ctx, ONNXIFY_ERR_EXPORTER,
                       "Unsupported: ONNX export of operator %s, %s. Please feel free to request support or "
                       "submit a pull request on PyTorch GitHub: " ISSUES_URL,
                       op, msg);
    return ox_sym_error(g, i,
                        "Unsupported: ONNX export of operator %s, %s. Please feel free to request support or "
                        "submit a pull request on PyTorch GitHub: " ISSUES_URL,
                        op, msg);
}

static ox_status blocked(ox_sym *g)
{
    return ox_fail(g->ctx, ONNXIFY_ERR_EXPORTER,
                   "ONNX export failed on %s, which is not implemented for opset %d. Try exporting with other "
                   "opset versions.",
                   op_name(g), g->opset);
}

/* An int list in the arena: a ++ b. */
static int64_t *concat(ox_sym *g, const int64_t *a, int na, const int64_t *b, int nb)
{
    int64_t *r = ox_arena_alloc(g->graph->arena, (size_t)(na + nb + 1) * sizeof(int64_t));
    if (!r) return NULL;
    for (int i = 0; i < na; i++) r[i] = a[i];
    for (int i = 0; i < nb; i++) r[na + i] = b[i];
    return r;
}

static int64_t *filled(ox_sym *g, int64_t v, int n)
{
    int64_t *r = ox_arena_alloc(g->graph->arena, (size_t)(n + 1) * sizeof(int64_t));
    if (!r) return NULL;
    for (int i = 0; i < n; i++) r[i] = v;
    return r;
}

/* torch's get_pool_ceil_padding: extra end padding making a floor-mode pool
 * produce ceil-mode output sizes (needs the input's static spatial sizes). */
static ox_status pool_ceil_padding(ox_sym *g, ox_value *input, const int64_t *kernel, int nk,
                                   const int64_t *stride, int ns, const int64_t *padding, int np,
                                   int64_t **out)
{
    int r = ox_rank(input);
    bool known = r >= np && nk >= np && ns >= np;
    for (int i = 0; known && i < np; i++) known = input->type->dims[r - np + i] >= 0 && stride[i] != 0;
    if (!known) return unimplemented(g, 0, "get_pool_ceil_padding", "input size not accessible");
    int64_t *pc = filled(g, 0, np);
    if (!pc) return OX_NOMEM(g->ctx);
    for (int i = 0; i < np; i++) {
        int64_t dim = input->type->dims[r - np + i], k = kernel[i], s = stride[i], p = padding[i];
        int64_t ceiled = (int64_t)ceil((double)(dim + 2 * p - k) / (double)s) + 1;
        /* the last window must start inside the (left-padded) input */
        if ((ceiled - 1) * s >= dim + p) ceiled--;
        int64_t extra = s == 1 ? 0 : k - (dim + 2 * p - ((ceiled - 1) * s + 1));
        /* never more than kernel - 1 */
        if (extra + 2 * p >= k && extra >= k - 1) extra = k - 1;
        pc[i] = extra;
    }
    *out = pc;
    return OX_OK;
}

/* ---- max pooling -------------------------------------------------------- */

typedef struct pool_args {
    int64_t *kernel, *stride, *padding, *dilation;
    int nk, ns, np, nd;
    int64_t ceil_mode;
} pool_args;

/* (input, kernel_size, stride, padding, dilation, ceil_mode) */
static ox_status max_pool_args(ox_sym *g, pool_args *a)
{
    OX_TRY(ox_arg_ints(g, 1, &a->kernel, &a->nk));
    OX_TRY(ox_arg_ints(g, 2, &a->stride, &a->ns));
    OX_TRY(ox_arg_ints(g, 3, &a->padding, &a->np));
    OX_TRY(ox_arg_ints(g, 4, &a->dilation, &a->nd));
    OX_TRY(ox_arg_int(g, 5, &a->ceil_mode));
    if (a->ns == 0) {
        a->stride = a->kernel;
        a->ns = a->nk;
    }
    return OX_OK;
}

static bool all_ones(const int64_t *v, int n)
{
    if (n == 0) return false; /* torch compares set(dilation) with {1} */
    for (int i = 0; i < n; i++)
        if (v[i] != 1) return false;
    return true;
}

/* The indices of a MaxPool relative to each (N, C) plane, as torch returns
 * them: ONNX counts over the whole tensor, so the index of the first element
 * of each plane (read from a 1x1 MaxPool's indices) is subtracted. */
static ox_value *relative_indices(ox_sym *g, ox_value *input, ox_value *indices, int ndims)
{
    ox_node *ref = ox_op(g, "MaxPool", 2, 1, &input);
    int64_t *ones = filled(g, 1, ndims), *zeros = filled(g, 0, ndims), *axes = filled(g, 0, ndims);
    if (!ref || !ones || !zeros || !axes) return NULL;
    for (int i = 0; i < ndims; i++) axes[i] = 2 + i;
    if (ox_node_set_is(ref, "kernel_shape", ones, ndims) != OX_OK ||
        ox_node_set_is(ref, "strides", ones, ndims) != OX_OK)
        return NULL;
    ox_value *first = ox_slice(g, ref->outputs[1], axes, zeros, ones, NULL, ndims);
    return first ? ox_op1(g, "Sub", indices, first, NULL) : NULL;
}

/* Sets the pooled outputs: values, and indices when the op returns them. */
static ox_status finish_max_pool(ox_sym *g, ox_node *n, ox_value *input, bool return_indices, int ndims)
{
    if (!return_indices) return ox_set_out(g, 0, n->outputs[0]);
    ox_value *idx = relative_indices(g, input, n->outputs[1], ndims);
    OX_TRY(ox_set_out(g, 0, n->outputs[0]));
    return ox_set_out(g, 1, idx);
}

/* Opset 9: no dilations; ceil_mode as extra end padding. */
static ox_status max_pool_9_core(ox_sym *g, ox_value *input, const pool_args *a, bool return_indices)
{
    if (!all_ones(a->dilation, a->nd)) return unimplemented(g, 0, op_name(g), "dilation");
    int64_t *pads;
    if (a->ceil_mode) {
        int64_t *pc;
        OX_TRY(pool_ceil_padding(g, input, a->kernel, a->nk, a->stride, a->ns, a->padding, a->np, &pc));
        if (g->clone) return OX_OK;
        for (int i = 0; i < a->np; i++) pc[i] += a->padding[i];
        pads = concat(g, a->padding, a->np, pc, a->np);
    } else {
        pads = concat(g, a->padding, a->np, a->padding, a->np);
    }
    if (!pads) return OX_NOMEM(g->ctx);
    ox_node *n = ox_op(g, "MaxPool", return_indices ? 2 : 1, 1, &input);
    if (!n) return ox_set_out(g, 0, NULL);
    OX_TRY(ox_node_set_is(n, "kernel_shape", a->kernel, a->nk));
    OX_TRY(ox_node_set_is(n, "pads", pads, 2 * a->np));
    OX_TRY(ox_node_set_is(n, "strides", a->stride, a->ns));
    return finish_max_pool(g, n, input, return_indices, spatial_rank(g));
}

static ox_status max_pool_9(ox_sym *g, bool return_indices)
{
    pool_args a = {0};
    OX_TRY(max_pool_args(g, &a));
    return max_pool_9_core(g, g->in[0], &a, return_indices);
}

/* Opset 10: ceil_mode attribute; dilations when not all 1. */
static ox_status max_pool_10(ox_sym *g, bool return_indices)
{
    pool_args a = {0};
    OX_TRY(max_pool_args(g, &a));
    ox_value *input = g->in[0];
    int64_t *pads = concat(g, a.padding, a.np, a.padding, a.np);
    if (!pads) return OX_NOMEM(g->ctx);
    ox_node *n = ox_op(g, "MaxPool", return_indices ? 2 : 1, 1, &input);
    if (!n) return ox_set_out(g, 0, NULL);
    OX_TRY(ox_node_set_i(n, "ceil_mode", a.ceil_mode));
    if (!all_ones(a.dilation, a.nd)) OX_TRY(ox_node_set_is(n, "dilations", a.dilation, a.nd));
    OX_TRY(ox_node_set_is(n, "kernel_shape", a.kernel, a.nk));
    OX_TRY(ox_node_set_is(n, "pads", pads, 2 * a.np));
    OX_TRY(ox_node_set_is(n, "strides", a.stride, a.ns));
    return finish_max_pool(g, n, input, return_indices, spatial_rank(g));
}

static ox_status max_pool9(ox_sym *g) { return max_pool_9(g, false); }
static ox_status max_pool10(ox_sym *g) { return max_pool_10(g, false); }
static ox_status max_pool_with_indices9(ox_sym *g) { return max_pool_9(g, true); }
static ox_status max_pool_with_indices10(ox_sym *g) { return max_pool_10(g, true); }

/* ---- average pooling ---------------------------------------------------- */

/* (input, kernel_size, stride, padding, ceil_mode, count_include_pad,
 *  divisor_override?) */
static ox_status avg_pool_args(ox_sym *g, pool_args *a, int64_t *count_include_pad)
{
    OX_TRY(ox_arg_ints(g, 1, &a->kernel, &a->nk));
    OX_TRY(ox_arg_ints(g, 2, &a->stride, &a->ns));
    OX_TRY(ox_arg_ints(g, 3, &a->padding, &a->np));
    OX_TRY(ox_arg_int(g, 4, &a->ceil_mode));
    OX_TRY(ox_arg_int(g, 5, count_include_pad));
    if (a->ns == 0) {
        a->stride = a->kernel;
        a->ns = a->nk;
    }
    /* torch rejects a divisor_override that does not come from a prim::Constant
     * (only None does, once constants are converted) */
    if (!ox_arg_is_none(g, 6) && !ox_node_is(g->in[6]->node, "prim::Constant")) {
        OX_TRY(unimplemented(g, -1, op_name(g), "divisor_override"));
        g->clone = false; /* torch goes on when the export type tolerates it */
    }
    return OX_OK;
}

/* ((0, 0) + padding) * 2: ONNX Pad's begins then ends over all dims. */
static int64_t *pad_all_dims(ox_sym *g, const pool_args *a)
{
    int64_t *half = ox_arena_alloc(g->graph->arena, (size_t)(a->np + 3) * sizeof(int64_t));
    if (!half) return NULL;
    half[0] = half[1] = 0;
    for (int i = 0; i < a->np; i++) half[2 + i] = a->padding[i];
    return concat(g, half, a->np + 2, half, a->np + 2);
}

/* Types the Pad output from its input (spatial dims grow by 2 * padding), so
 * that the ceil-mode padding can still read static sizes. */
static void type_padded(ox_sym *g, ox_value *padded, ox_value *input, const pool_args *a)
{
    int r = ox_rank(input);
    if (r < 0 || r > MAX_SPATIAL + 2) return;
    int64_t dims[MAX_SPATIAL + 2];
    for (int i = 0; i < r; i++) {
        int64_t d = input->type->dims[i];
        int sp = i - (r - a->np);
        dims[i] = d >= 0 && sp >= 0 ? d + 2 * a->padding[sp] : d;
    }
    ox_type *t = ox_type_tensor(g->graph->arena, ox_elem_type(input), r, dims);
    if (t) padded->type = t;
}

static bool is_fp(ox_dtype t) { return ox_dtype_is_floating(t); }

static ox_value *average_pool(ox_sym *g, ox_value *input, const pool_args *a, const int64_t *pads,
                              bool ceil_attr)
{
    ox_node *n = ox_op(g, "AveragePool", 1, 1, &input);
    if (!n) return NULL;
    if (ceil_attr && ox_node_set_i(n, "ceil_mode", a->ceil_mode) != OX_OK) return NULL;
    if (ox_node_set_is(n, "kernel_shape", a->kernel, a->nk) != OX_OK ||
        ox_node_set_is(n, "pads", pads, 2 * a->np) != OX_OK ||
        ox_node_set_is(n, "strides", a->stride, a->ns) != OX_OK)
        return NULL;
    return n->outputs[0];
}

/* Opset 9: count_include_pad pads explicitly (Pad attribute form), ceil_mode
 * becomes extra end padding computed from the (padded) input's sizes. */
static ox_status avg_pool9(ox_sym *g)
{
    pool_args a = {0};
    int64_t count_include_pad;
    OX_TRY(avg_pool_args(g, &a, &count_include_pad));
    ox_value *input = g->in[0];
    int64_t *adjusted = a.padding;
    if (count_include_pad) {
        int64_t *pads = pad_all_dims(g, &a);
        ox_value *padded = pads ? ox_op1(g, "Pad", input, NULL) : NULL;
        if (!padded) return ox_set_out(g, 0, NULL);
        OX_TRY(ox_node_set_s(padded->node, "mode", "constant"));
        OX_TRY(ox_node_set_is(padded->node, "pads", pads, 2 * (a.np + 2)));
        OX_TRY(ox_node_set_f(padded->node, "value", 0.0));
        type_padded(g, padded, input, &a);
        input = padded;
        adjusted = filled(g, 0, a.np);
        if (!adjusted) return OX_NOMEM(g->ctx);
    }
    int64_t *pads;
    if (a.ceil_mode) {
        int64_t *pc;
        OX_TRY(pool_ceil_padding(g, input, a.kernel, a.nk, a.stride, a.ns, a.padding, a.np, &pc));
        if (g->clone) return OX_OK;
        for (int i = 0; i < a.np; i++) pc[i] += adjusted[i];
        pads = concat(g, adjusted, a.np, pc, a.np);
    } else {
        pads = concat(g, adjusted, a.np, adjusted, a.np);
    }
    if (!pads) return OX_NOMEM(g->ctx);
    return ox_set_out(g, 0, average_pool(g, input, &a, pads, false));
}

/* Opsets 10 and 11: ceil_mode attribute. The explicit Pad takes attributes
 * at 10 (with a float round trip for non-floating inputs) and an int64 pads
 * input from 11. */
static ox_status avg_pool_10_11(ox_sym *g, bool pads_input)
{
    pool_args a = {0};
    int64_t count_include_pad;
    OX_TRY(avg_pool_args(g, &a, &count_include_pad));
    ox_value *input = g->in[0];
    int64_t *padding = a.padding;
    if (count_include_pad) {
        int64_t *pads = pad_all_dims(g, &a);
        if (!pads) return OX_NOMEM(g->ctx);
        ox_value *padded;
        if (pads_input) {
            ox_value *pv = ox_const_i64s(g, pads, 2 * (a.np + 2));
            padded = pv ? ox_op1(g, "Pad", input, pv, NULL) : NULL;
            if (!padded) return ox_set_out(g, 0, NULL);
            OX_TRY(ox_node_set_s(padded->node, "mode", "constant"));
        } else {
            ox_dtype dt = ox_elem_type(input);
            bool cast = dt != OX_UNDEFINED && !is_fp(dt);
            ox_value *x = input;
            if (cast && ox_type_is_static(input->type)) x = ox_cast(g, input, OX_FLOAT);
            padded = x ? ox_op1(g, "Pad", x, NULL) : NULL;
            if (!padded) return ox_set_out(g, 0, NULL);
            OX_TRY(ox_node_set_s(padded->node, "mode", "constant"));
            OX_TRY(ox_node_set_is(padded->node, "pads", pads, 2 * (a.np + 2)));
            OX_TRY(ox_node_set_f(padded->node, "value", 0.0));
            if (cast) padded = ox_cast(g, padded, dt);
            if (!padded) return ox_set_out(g, 0, NULL);
        }
        input = padded;
        padding = filled(g, 0, a.np);
        if (!padding) return OX_NOMEM(g->ctx);
    }
    int64_t *pads = concat(g, padding, a.np, padding, a.np);
    if (!pads) return OX_NOMEM(g->ctx);
    return ox_set_out(g, 0, average_pool(g, input, &a, pads, true));
}

static ox_status avg_pool10(ox_sym *g) { return avg_pool_10_11(g, false); }
static ox_status avg_pool11(ox_sym *g) { return avg_pool_10_11(g, true); }

/* ---- adaptive pooling --------------------------------------------------- */

/* (input, output_size): output 1s -> GlobalAveragePool; otherwise, when the
 * static spatial sizes are multiples of output_size, a pool with
 * kernel = stride = size / output_size (max: opset 9's max_pool_with_indices,
 * at every opset, as torch does). */
static ox_status adaptive_pool(ox_sym *g, bool is_max)
{
    int64_t *out;
    int nout;
    if (!ox_value_const_ints(g->graph, g->in[1], &out, &nout))
        return ox_sym_error(g, 0,
                            "Unsupported: ONNX export of operator adaptive pooling, since output_size is not "
                            "constant.. Please feel free to request support or submit a pull request on "
                            "PyTorch GitHub: " ISSUES_URL);
    bool ones = true;
    for (int i = 0; i < nout; i++) ones &= out[i] == 1;
    ox_value *input = g->in[0];
    if (ones && !is_max) return ox_set_out(g, 0, ox_op1(g, "GlobalAveragePool", input, NULL));

    int r = ox_rank(input);
    int nd = r > 2 ? r - 2 : 0;
    bool known = r >= 0;
    for (int i = 0; known && i < nd; i++) known = input->type->dims[2 + i] >= 0;
    bool divisible = known && nout >= nd;
    for (int i = 0; divisible && i < nd; i++)
        divisible = out[i] > 0 && input->type->dims[2 + i] % out[i] == 0;
    if (!divisible) {
        /* GlobalMaxPool has no indices: that output is left unproduced */
        if (ones) return ox_set_out(g, 0, ox_op1(g, "GlobalMaxPool", input, NULL));
        if (!known) return unimplemented(g, 0, op_name(g), "input size not accessible");
        return unimplemented(g, 1, op_name(g), "output size that are not factor of input size");
    }
    int64_t *k = filled(g, 0, nd);
    if (!k) return OX_NOMEM(g->ctx);
    for (int i = 0; i < nd; i++) k[i] = input->type->dims[2 + i] / out[i];
    if (is_max) {
        pool_args a = {.kernel = k, .stride = k, .nk = nd, .ns = nd, .np = nd, .nd = nd};
        a.padding = filled(g, 0, nd);
        a.dilation = filled(g, 1, nd);
        if (!a.padding || !a.dilation) return OX_NOMEM(g->ctx);
        return max_pool_9_core(g, input, &a, g->nout > 1);
    }
    ox_node *n = ox_op(g, "AveragePool", 1, 1, &input);
    if (!n) return ox_set_out(g, 0, NULL);
    OX_TRY(ox_node_set_is(n, "kernel_shape", k, nd));
    OX_TRY(ox_node_set_is(n, "strides", k, nd));
    return ox_set_out(g, 0, n->outputs[0]);
}

static ox_status adaptive_avg_pool(ox_sym *g) { return adaptive_pool(g, false); }
static ox_status adaptive_max_pool(ox_sym *g) { return adaptive_pool(g, true); }

const ox_symbolic_entry ox_symbolics_pool[] = {
    {"aten::max_pool1d", 9, max_pool9},   {"aten::max_pool1d", 10, max_pool10},
    {"aten::max_pool2d", 9, max_pool9},   {"aten::max_pool2d", 10, max_pool10},
    {"aten::max_pool3d", 9, max_pool9},   {"aten::max_pool3d", 10, max_pool10},
    {"aten::max_pool1d_with_indices", 7, blocked},
    {"aten::max_pool1d_with_indices", 9, max_pool_with_indices9},
    {"aten::max_pool1d_with_indices", 10, max_pool_with_indices10},
    {"aten::max_pool2d_with_indices", 7, blocked},
    {"aten::max_pool2d_with_indices", 9, max_pool_with_indices9},
    {"aten::max_pool2d_with_indices", 10, max_pool_with_indices10},
    {"aten::max_pool3d_with_indices", 7, blocked},
    {"aten::max_pool3d_with_indices", 9, max_pool_with_indices9},
    {"aten::max_pool3d_with_indices", 10, max_pool_with_indices10},
    {"aten::avg_pool1d", 9, avg_pool9},   {"aten::avg_pool1d", 10, avg_pool10},
    {"aten::avg_pool1d", 11, avg_pool11},
    {"aten::avg_pool2d", 9, avg_pool9},   {"aten::avg_pool2d", 10, avg_pool10},
    {"aten::avg_pool2d", 11, avg_pool11},
    {"aten::avg_pool3d", 9, avg_pool9},   {"aten::avg_pool3d", 10, avg_pool10},
    {"aten::avg_pool3d", 11, avg_pool11},
    {"aten::adaptive_avg_pool1d", 9, adaptive_avg_pool},
    {"aten::adaptive_avg_pool2d", 9, adaptive_avg_pool},
    {"aten::adaptive_avg_pool3d", 9, adaptive_avg_pool},
    {"aten::adaptive_max_pool1d", 7, blocked},
    {"aten::adaptive_max_pool1d", 9, adaptive_max_pool},
    {"aten::adaptive_max_pool2d", 7, blocked},
    {"aten::adaptive_max_pool2d", 9, adaptive_max_pool},
    {"aten::adaptive_max_pool3d", 7, blocked},
    {"aten::adaptive_max_pool3d", 9, adaptive_max_pool},
    {0},
};
