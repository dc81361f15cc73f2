/* Convolutions: aten::_convolution and its front doors (convolution,
 * conv1d/2d/3d, conv_transpose1d/2d/3d, conv_tbc) become one Conv or
 * ConvTranspose whose kernel_shape is read from the weight's static shape;
 * aten::_convolution_mode (string padding) uses auto_pad. All at opset 9. */
#include <string.h>

#include "symbolic/helpers.h"

#define MAX_SPATIAL 16

static ox_status unknown_kernel(ox_sym *g)
{
    return ox_sym_error(g, 0, "Unsupported: ONNX export of convolution for kernel of unknown shape.");
}

/* kernel_shape = weight.shape[2:], all statically known. */
static ox_status kernel_shape(ox_sym *g, ox_value *w, int64_t *ks, int *nks)
{
    int r = ox_rank(w);
    if (r < 0) return unknown_kernel(g);
    *nks = r > 2 ? r - 2 : 0;
    if (*nks > MAX_SPATIAL) return unknown_kernel(g);
    for (int i = 0; i < *nks; i++) {
        ks[i] = w->type->dims[i + 2];
        if (ks[i] < 0) return unknown_kernel(g);
    }
    return OX_OK;
}

typedef struct conv_args {
    ox_value *input, *weight, *bias; /* bias: NULL or a None value = no bias */
    int64_t *stride, *padding, *dilation, *output_padding;
    int nstride, npadding, ndilation, noutput_padding;
    bool transposed;
    int64_t groups;
} conv_args;

static bool has_bias(const conv_args *a) { return a->bias && !ox_value_is_none(a->bias); }

/* ONNX's Conv bias must be 1-D; any other bias (rank unknown included) is
 * added after the convolution, as torch does. */
static ox_value *finish_bias(ox_sym *g, const conv_args *a, ox_node *conv)
{
    if (!conv) return NULL;
    ox_value *y = conv->outputs[0];
    if (has_bias(a) && ox_rank(a->bias) != 1) return ox_op1(g, "Add", y, a->bias, NULL);
    return y;
}

static ox_node *conv_node(ox_sym *g, const char *op, const conv_args *a)
{
    ox_value *ins[3] = {a->input, a->weight, a->bias};
    int nin = has_bias(a) && ox_rank(a->bias) == 1 ? 3 : 2;
    return ox_op(g, op, 1, nin, ins);
}

/* torch's _convolution symbolic. Attributes in torch's (sorted) order. */
static ox_status convolution_core(ox_sym *g, const conv_args *a)
{
    int64_t ks[MAX_SPATIAL];
    int nks;
    OX_TRY(kernel_shape(g, a->weight, ks, &nks));

    bool any_output_padding = false;
    for (int i = 0; i < a->noutput_padding; i++) any_output_padding |= a->output_padding[i] != 0;
    if (any_output_padding && (!a->transposed || a->nstride != a->noutput_padding))
        return ox_sym_error(g, 0,
                            "Unsupported: ONNX export of convolution with output_padding %s",
                            a->transposed ? "of a different length than stride" : "when not transposed");

    /* torch only supports symmetric padding: ONNX pads are begin + end. */
    int64_t *pads = ox_arena_alloc(g->graph->arena, (size_t)(2 * a->npadding + 1) * sizeof(int64_t));
    if (!pads) return OX_NOMEM(g->ctx);
    for (int i = 0; i < a->npadding; i++) pads[i] = pads[i + a->npadding] = a->padding[i];

    ox_node *n = conv_node(g, a->transposed ? "ConvTranspose" : "Conv", a);
    if (!n) return ox_set_out(g, 0, NULL);
    OX_TRY(ox_node_set_is(n, "dilations", a->dilation, a->ndilation));
    OX_TRY(ox_node_set_i(n, "group", a->groups));
    OX_TRY(ox_node_set_is(n, "kernel_shape", ks, nks));
    if (any_output_padding) OX_TRY(ox_node_set_is(n, "output_padding", a->output_padding, a->noutput_padding));
    OX_TRY(ox_node_set_is(n, "pads", pads, 2 * a->npadding));
    OX_TRY(ox_node_set_is(n, "strides", a->stride, a->nstride));
    return ox_set_out(g, 0, finish_bias(g, a, n));
}

/* Reads input/weight/bias and the stride/padding/dilation lists at the given
 * argument positions. */
static ox_status common_args(ox_sym *g, conv_args *a, int stride_i, int padding_i, int dilation_i)
{
    if (g->nin < 3) return ox_sym_error(g, -1, "%s expects at least 3 inputs, got %d", g->op, g->nin);
    a->input = g->in[0];
    a->weight = g->in[1];
    a->bias = g->in[2];
    OX_TRY(ox_arg_ints(g, stride_i, &a->stride, &a->nstride));
    if (padding_i >= 0) OX_TRY(ox_arg_ints(g, padding_i, &a->padding, &a->npadding));
    OX_TRY(ox_arg_ints(g, dilation_i, &a->dilation, &a->ndilation));
    return OX_OK;
}

/* aten::_convolution(input, weight, bias, stride, padding, dilation, transposed,
 *                    output_padding, groups, benchmark, deterministic,
 *                    cudnn_enabled, allow_tf32) */
static ox_status _convolution(ox_sym *g)
{
    conv_args a = {0};
    OX_TRY(common_args(g, &a, 3, 4, 5));
    bool transposed;
    OX_TRY(ox_arg_bool(g, 6, &transposed));
    a.transposed = transposed;
    OX_TRY(ox_arg_ints(g, 7, &a.output_padding, &a.noutput_padding));
    OX_TRY(ox_arg_int(g, 8, &a.groups));
    /* benchmark, deterministic, cudnn_enabled, allow_tf32: parsed as ints, unused. */
    for (int i = 9; i < g->nin && i < 13; i++) {
        int64_t unused;
        OX_TRY(ox_arg_int(g, i, &unused));
    }
    return convolution_core(g, &a);
}

/* aten::convolution(input, weight, bias, stride, padding, dilation, transposed,
 *                   output_padding, groups) */
static ox_status convolution(ox_sym *g)
{
    conv_args a = {0};
    OX_TRY(common_args(g, &a, 3, 4, 5));
    bool transposed;
    OX_TRY(ox_arg_bool(g, 6, &transposed));
    a.transposed = transposed;
    OX_TRY(ox_arg_ints(g, 7, &a.output_padding, &a.noutput_padding));
    OX_TRY(ox_arg_int(g, 8, &a.groups));
    return convolution_core(g, &a);
}

/* aten::conv{1,2,3}d(input, weight, bias, stride, padding, dilation, groups) */
static ox_status conv_nd(ox_sym *g)
{
    conv_args a = {0};
    OX_TRY(common_args(g, &a, 3, 4, 5));
    OX_TRY(ox_arg_int(g, 6, &a.groups));
    return convolution_core(g, &a);
}

/* aten::conv_transpose{1,2,3}d(input, weight, bias, stride, padding,
 *                              output_padding, groups, dilation) */
static ox_status conv_transpose_nd(ox_sym *g)
{
    conv_args a = {0};
    OX_TRY(common_args(g, &a, 3, 4, 7));
    OX_TRY(ox_arg_ints(g, 5, &a.output_padding, &a.noutput_padding));
    OX_TRY(ox_arg_int(g, 6, &a.groups));
    a.transposed = true;
    return convolution_core(g, &a);
}

/* aten::_convolution_mode(input, weight, bias, stride, padding: str, dilation,
 * groups): "valid" -> auto_pad VALID, "same" -> SAME_UPPER. */
static ox_status _convolution_mode(ox_sym *g)
{
    conv_args a = {0};
    OX_TRY(common_args(g, &a, 3, -1, 5));
    const char *padding;
    OX_TRY(ox_arg_str(g, 4, &padding));
    OX_TRY(ox_arg_int(g, 6, &a.groups));
    int64_t ks[MAX_SPATIAL];
    int nks;
    OX_TRY(kernel_shape(g, a.weight, ks, &nks));
    const char *auto_pad = padding;
    if (!strcmp(padding, "valid")) auto_pad = "VALID";
    else if (!strcmp(padding, "same")) auto_pad = "SAME_UPPER";

    ox_node *n = conv_node(g, "Conv", &a);
    if (!n) return ox_set_out(g, 0, NULL);
    OX_TRY(ox_node_set_s(n, "auto_pad", auto_pad));
    OX_TRY(ox_node_set_is(n, "dilations", a.dilation, a.ndilation));
    OX_TRY(ox_node_set_i(n, "group", a.groups));
    OX_TRY(ox_node_set_is(n, "kernel_shape", ks, nks));
    OX_TRY(ox_node_set_is(n, "strides", a.stride, a.nstride));
    return ox_set_out(g, 0, finish_bias(g, &a, n));
}

/* Transpose typed from x (so that a transposed weight keeps a static shape). */
static ox_value *transpose(ox_sym *g, ox_value *x, const int64_t *perm, int n)
{
    ox_value *y = ox_op1(g, "Transpose", x, NULL);
    if (!y || ox_node_set_is(y->node, "perm", perm, n) != OX_OK) return NULL;
    if (ox_rank(x) == n) {
        int64_t dims[MAX_SPATIAL];
        for (int i = 0; i < n; i++) dims[i] = x->type->dims[perm[i]];
        ox_type *t = ox_type_tensor(g->graph->arena, ox_elem_type(x), n, dims);
        if (t) y->type = t;
    }
    return y;
}

/* aten::conv_tbc(input (time, batch, in), weight (width, in, out), bias, pad):
 * a conv1d between transposes. */
static ox_status conv_tbc(ox_sym *g)
{
    if (g->nin < 4) return ox_sym_error(g, -1, "aten::conv_tbc expects 4 inputs, got %d", g->nin);
    int64_t pad;
    OX_TRY(ox_arg_int(g, 3, &pad));
    static const int64_t in_perm[3] = {1, 2, 0}, w_perm[3] = {2, 1, 0}, out_perm[3] = {2, 0, 1};
    int64_t one = 1;
    conv_args a = {0};
    a.input = transpose(g, g->in[0], in_perm, 3);
    a.weight = a.input ? transpose(g, g->in[1], w_perm, 3) : NULL;
    if (!a.weight) return ox_set_out(g, 0, NULL);
    a.bias = g->in[2];
    a.stride = a.dilation = &one;
    a.padding = &pad;
    a.nstride = a.npadding = a.ndilation = 1;
    a.groups = 1;
    OX_TRY(convolution_core(g, &a));
    return ox_set_out(g, 0, transpose(g, g->out[0], out_perm, 3));
}

const ox_symbolic_entry ox_symbolics_conv[] = {
    {"aten::_convolution", 9, _convolution},
    {"aten::_convolution_mode", 9, _convolution_mode},
    {"aten::convolution", 9, convolution},
    {"aten::conv1d", 9, conv_nd},
    {"aten::conv2d", 9, conv_nd},
    {"aten::conv3d", 9, conv_nd},
    {"aten::conv_transpose1d", 9, conv_transpose_nd},
    {"aten::conv_transpose2d", 9, conv_transpose_nd},
    {"aten::conv_transpose3d", 9, conv_transpose_nd},
    {"aten::conv_tbc", 9, conv_tbc},
    {0},
};
