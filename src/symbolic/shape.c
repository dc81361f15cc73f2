/* Shape and layout ops: view/reshape, flatten/unflatten, transpose/permute,
 * squeeze/unsqueeze, cat/stack, expand/repeat, split/chunk/unbind,
 * select/slice/narrow, size/dim/numel, contiguous, type_as, pad (constant,
 * reflect, replicate, circular), meshgrid, pixel_shuffle / pixel_unshuffle.
 *
 * Each symbolic emits what torch's function of the same name emits for the
 * target opset (torch 1.13 for opsets <= 17; aten::unflatten follows the
 * later torch that added it). Multi-output ops (split, unbind, unsafe_chunk)
 * need to know how many pieces the model unpacks: the node's `_outputs`
 * attribute when a list-unpack fusion set it (as torch's preprocessing
 * does), else its output count when it has several tensor outputs.
 * Attributes are set in name order: torch's g.op sorts them. */
#include <stdio.h>
#include <string.h>

#include "symbolic/families.h"
#include "symbolic/helpers.h"

#define I64_MAX ((int64_t)0x7fffffffffffffffLL)
#define MAX_SPLITS 65536 /* pieces of one split: a bound against absurd input */

/* ---- small builders ------------------------------------------------------ */

static ox_value *const1(ox_sym *g, int64_t v) { return ox_const_i64s(g, &v, 1); }

/* int64 [1] filled by ConstantOfShape. */
static ox_value *constant_of_shape_one(ox_sym *g, ox_value *shape)
{
    int64_t one_dim = 1;
    ox_tensor *t = ox_tensor_alloc(g->graph->arena, OX_INT64, 1, &one_dim);
    if (!t) {
        OX_NOMEM(g->ctx);
        return NULL;
    }
    ox_tensor_set_i(t, 0, 1);
    ox_value *v = ox_op_1(g, "ConstantOfShape", shape);
    if (!v || ox_node_set_t(v->node, "value", t) != OX_OK) return NULL;
    return v;
}

/* ---- reading inputs ------------------------------------------------------ */

static bool is_none(ox_sym *g, int i) { return ox_arg_is_none(g, i); }

/* A constant node other than None (torch: an onnx::Constant). */
static bool is_const_value(ox_value *v) { return ox_value_is_constant(v) && !ox_value_is_none(v); }

/* An int list known at export time: a constant, or a ListConstruct of constants. */
static bool const_ints(ox_sym *g, ox_value *v, int64_t **out, int *n)
{
    if (!is_const_value(v) && !ox_node_is(v->node, "prim::ListConstruct")) return false;
    return ox_value_const_ints(g->graph, v, out, n);
}

static bool is_list_construct(ox_value *v) { return ox_node_is(v->node, "prim::ListConstruct"); }

/* Static size of dim d (negative counts from the end), -1 when unknown. */
static int64_t static_dim(ox_value *v, int64_t d)
{
    if (d < -((int64_t)1 << 30) || d > ((int64_t)1 << 30)) return -1;
    return ox_static_dim(v, (int)d);
}

/* A 0-d integer constant (torch's _maybe_get_scalar giving a tensor). */
static bool scalar_const(ox_value *v, int64_t *out)
{
    if (!is_const_value(v)) return false;
    const ox_tensor *t = ox_value_const_tensor(v);
    if (t) {
        if (t->rank != 0 || !t->data) return false;
        *out = ox_tensor_get_i(t, 0);
        return true;
    }
    ox_attr *a = ox_node_attr(v->node, "value");
    if (a && a->kind == OX_ATTR_I) {
        *out = a->v.i;
        return true;
    }
    return false;
}

/* The value of an int[] argument as torch would see it after constant
 * propagation: a constant list is one int64 1-D constant. */
static ox_value *int_list_value(ox_sym *g, ox_value *v)
{
    int64_t *vals;
    int n;
    if (ox_node_is(v->node, "onnx::Constant")) return v;
    if (const_ints(g, v, &vals, &n)) return ox_const_i64s(g, vals, n);
    return v;
}

/* Pieces the model unpacks (torch's _outputs), or -1 when unknown. */
static int unpacked_outputs(ox_sym *g)
{
    ox_attr *a = ox_node_attr(g->node, "_outputs");
    if (a && a->kind == OX_ATTR_I) return a->v.i >= 0 && a->v.i <= MAX_SPLITS ? (int)a->v.i : -1;
    if (g->nout > 1) return g->nout;
    if (g->nout == 1 && g->node->outputs[0]->type && g->node->outputs[0]->type->kind == OX_TYPE_TENSOR)
        return 1;
    return -1;
}

/* ---- errors, torch's wording --------------------------------------------- */

#define ISSUES_URL "https://github.com/pytorch/pytorch/issues"

/* torch's _unimplemented: an error under the ONNX export type, otherwise the
 * node is kept as it is. `with_value` says whether torch names a value. */
static ox_status unimplemented(ox_sym *g, const char *op, const char *msg, bool with_value)
{
    if (g->export_type != ONNXIFY_OPERATOR_EXPORT_ONNX) return ox_keep_node(g);
    if (with_value)
        return ox_sym_error(g, 0,
                            "Unsupported: ONNX export of operator %s, %s. Please feel free to request "
                            "support or submit a pull request on PyTorch GitHub: " ISSUES_URL,
                            op, msg);
    return ox_fail(g->ctx, ONNXIFY_ERR_EXPORTER,
                   "Unsupported: ONNX export of operator %s, %s. Please feel free to request support or "
                   "submit a pull request on PyTorch GitHub: " ISSUES_URL " (%s)",
                   op, msg, ox_node_describe(g->node));
}

static ox_status opset_unsupported_detailed(ox_sym *g, const char *op, int current, int supported,
                                            const char *reason)
{
    return ox_sym_error(g, 0, "Unsupported: ONNX export of %s in opset %d. %s. Please try opset version %d.",
                        op, current, reason, supported);
}

/* Ops torch blocks in opset 7 (symbolic_opset7.block_listed_operators). */
static ox_status blocked(ox_sym *g)
{
    return ox_fail(g->ctx, ONNXIFY_ERR_EXPORTER,
                   "ONNX export failed on %s, which is not implemented for opset %d. Try exporting with "
                   "other opset versions. (%s)",
                   ox_kind_name(g->op), g->opset, ox_node_describe(g->node));
}

/* Stores pieces 0..n-1 as the node's results; the counts must agree. */
static ox_status set_outs(ox_sym *g, ox_value *const *vals, int n)
{
    if (n != g->nout)
        return ox_sym_error(g, 0, "%s produced %d outputs but the node has %d", g->op, n, g->nout);
    for (int i = 0; i < n; i++) OX_TRY(ox_set_out(g, i, vals[i]));
    return OX_OK;
}

static ox_status set_node_outs(ox_sym *g, ox_node *node)
{
    if (!node) return g->ctx->status != OX_OK ? g->ctx->status : OX_NOMEM(g->ctx);
    return set_outs(g, node->outputs, node->noutputs);
}

/* ---- view / reshape ------------------------------------------------------ */

static ox_status reshape(ox_sym *g) { return ox_set_out(g, 0, ox_reshape(g, g->in[0], g->in[1])); }

static ox_status reshape_as(ox_sym *g)
{
    return ox_set_out(g, 0, ox_reshape(g, g->in[0], ox_op_1(g, "Shape", g->in[1])));
}

/* aten::_reshape_from_tensor(self, shape) */
static ox_status reshape_from_tensor(ox_sym *g) { return reshape(g); }

static ox_status shape_as_tensor(ox_sym *g) { return ox_set_out(g, 0, ox_op_1(g, "Shape", g->in[0])); }

/* ---- flatten ------------------------------------------------------------- */

/* Shape -> [shape[:start], -1, shape[end+1:]] -> Reshape. */
static ox_value *flatten_via_reshape(ox_sym *g, ox_value *x, int64_t start, int64_t end, int rank)
{
    ox_value *shape = ox_op_1(g, "Shape", x);
    int64_t axes[1] = {0}, zero[1] = {0}, s1_end[1] = {start};
    ox_value *head = ox_slice(g, shape, axes, zero, s1_end, NULL, 1);
    ox_value *tail = NULL;
    if (end < rank - 1) {
        int64_t s3_start[1] = {end + 1}, s3_end[1] = {rank};
        tail = ox_slice(g, shape, axes, s3_start, s3_end, NULL, 1);
    }
    ox_value *minus_one = const1(g, -1);
    ox_value *concat = tail ? ox_op_3(g, "Concat", head, minus_one, tail) : ox_op_2(g, "Concat", head, minus_one);
    return ox_reshape(g, x, ox_with_i(concat, "axis", 0));
}

static const char *const FLATTEN_RANK_MSG =
    "ONNX and PyTorch use different strategies to split the input. Input rank must be known at export time.";

static ox_status flatten_9(ox_sym *g)
{
    int64_t start, end;
    OX_TRY(ox_arg_int(g, 1, &start));
    OX_TRY(ox_arg_int(g, 2, &end));
    ox_value *x = g->in[0];
    int rank = ox_rank(x);
    if (rank < 0) return unimplemented(g, "dim", FLATTEN_RANK_MSG, true);
    if (end < 0) end += rank;
    /* A 2-D result is ONNX's Flatten. */
    if (start == 1 && end == rank - 1) return ox_set_out(g, 0, ox_with_i(ox_op_1(g, "Flatten", x), "axis", start));
    if (start == 0 && end == rank - 2) return ox_set_out(g, 0, ox_with_i(ox_op_1(g, "Flatten", x), "axis", end + 1));
    return ox_set_out(g, 0, flatten_via_reshape(g, x, start, end, rank));
}

/* Opset 8's Flatten takes floating inputs only: integer inputs of known type
 * go through float and back. */
static ox_status flatten_8(ox_sym *g)
{
    int64_t start, end;
    OX_TRY(ox_arg_int(g, 1, &start));
    OX_TRY(ox_arg_int(g, 2, &end));
    ox_value *x = g->in[0];
    int rank = ox_rank(x);
    if (rank < 0) return flatten_9(g);
    if (end < 0) end += rank;
    int64_t axis;
    if (start == 1 && end == rank - 1) axis = start;
    else if (start == 0 && end == rank - 2) axis = end + 1;
    else return flatten_9(g);
    ox_dtype dt = ox_elem_type(x);
    if (dt == OX_UNDEFINED) {
        ox_warn(g->ctx, "aten::flatten in opset 8: the input's element type is unknown; ONNX Flatten-1 "
                        "accepts floating types only, so the model may be wrong for integer inputs");
        return ox_set_out(g, 0, ox_with_i(ox_op_1(g, "Flatten", x), "axis", axis));
    }
    bool floating = dt == OX_FLOAT16 || dt == OX_FLOAT || dt == OX_DOUBLE;
    if (floating) return ox_set_out(g, 0, ox_with_i(ox_op_1(g, "Flatten", x), "axis", axis));
    ox_value *y = ox_with_i(ox_op_1(g, "Flatten", ox_cast(g, x, OX_FLOAT)), "axis", axis);
    return ox_set_out(g, 0, ox_cast(g, y, dt));
}

static ox_status flatten_11(ox_sym *g)
{
    int64_t start, end;
    OX_TRY(ox_arg_int(g, 1, &start));
    OX_TRY(ox_arg_int(g, 2, &end));
    ox_value *x = g->in[0];
    int rank = ox_rank(x);
    if (rank == 1) return ox_set_out(g, 0, x);
    if (start == 1) {
        if (end == -1 || (rank >= 0 && end == rank - 1))
            return ox_set_out(g, 0, ox_with_i(ox_op_1(g, "Flatten", x), "axis", start));
    } else if (start == 0) {
        if (end == -2 || (rank >= 0 && end == rank - 2))
            return ox_set_out(g, 0, ox_with_i(ox_op_1(g, "Flatten", x), "axis", end + 1));
    }
    if (rank < 0) return unimplemented(g, "dim", FLATTEN_RANK_MSG, false);
    if (end < 0) end += rank;
    return ox_set_out(g, 0, flatten_via_reshape(g, x, start, end, rank));
}

/* aten::unflatten(self, int dim, int[] sizes), opset 13: the new shape is
 * shape[:dim] ++ sizes ++ shape[dim+1:], with dim taken modulo the rank at
 * run time. */
static ox_status unflatten_13(ox_sym *g)
{
    ox_value *x = g->in[0], *dim = g->in[1];
    int rank = ox_rank(x);
    if (rank < 0) return unimplemented(g, "dim", FLATTEN_RANK_MSG, false);
    ox_value *sizes = int_list_value(g, g->in[2]);
    ox_value *rank_c = const1(g, rank);
    ox_value *d = ox_op_2(g, "Mod", ox_op_2(g, "Add", rank_c, dim), rank_c);
    ox_value *shape = ox_op_1(g, "Shape", x);
    ox_value *head_start = const1(g, 0);
    ox_value *head_end = ox_op_2(g, "Reshape", d, const1(g, 1));
    ox_value *head = ox_op_3(g, "Slice", shape, head_start, head_end);
    ox_value *d_plus_one = ox_op_2(g, "Add", d, const1(g, 1));
    ox_value *tail_start = ox_op_2(g, "Reshape", d_plus_one, const1(g, 1));
    ox_value *tail_end = const1(g, I64_MAX);
    ox_value *tail = ox_op_3(g, "Slice", shape, tail_start, tail_end);
    ox_value *final_shape = ox_with_i(ox_op_3(g, "Concat", head, sizes, tail), "axis", 0);
    return ox_set_out(g, 0, ox_reshape(g, x, final_shape));
}

/* ---- transpose / permute ------------------------------------------------- */

static ox_status transpose(ox_sym *g)
{
    int64_t d0, d1;
    OX_TRY(ox_arg_int(g, 1, &d0));
    OX_TRY(ox_arg_int(g, 2, &d1));
    ox_value *x = g->in[0];
    if (d0 == d1) return ox_set_out(g, 0, x);
    int rank = ox_rank(x);
    if (rank < 0) return ox_sym_error(g, 0, "Unsupported: ONNX export of transpose for tensor of unknown rank.");
    int64_t a = ox_norm_dim(d0, rank), b = ox_norm_dim(d1, rank);
    if (a < 0 || b < 0)
        return ox_sym_error(g, 0, "transpose: dimension out of range (%lld, %lld for rank %d)", (long long)d0,
                            (long long)d1, rank);
    int64_t *perm = ox_arena_alloc(g->graph->arena, (size_t)(rank + 1) * sizeof(int64_t));
    if (!perm) return OX_NOMEM(g->ctx);
    for (int i = 0; i < rank; i++) perm[i] = i;
    perm[a] = b;
    perm[b] = a;
    return ox_set_out(g, 0, ox_with_is(ox_op_1(g, "Transpose", x), "perm", perm, rank));
}

static ox_status t(ox_sym *g)
{
    static const int64_t perm[2] = {1, 0};
    return ox_set_out(g, 0, ox_with_is(ox_op_1(g, "Transpose", g->in[0]), "perm", perm, 2));
}

static ox_status numpy_T(ox_sym *g)
{
    int rank = ox_rank(g->in[0]);
    if (rank < 0) return ox_sym_error(g, 0, "Unsupported: ONNX export of numpy_T for tensor of unknown rank.");
    int64_t *perm = ox_arena_alloc(g->graph->arena, (size_t)(rank + 1) * sizeof(int64_t));
    if (!perm) return OX_NOMEM(g->ctx);
    for (int i = 0; i < rank; i++) perm[i] = rank - 1 - i;
    return ox_set_out(g, 0, ox_with_is(ox_op_1(g, "Transpose", g->in[0]), "perm", perm, rank));
}

static ox_status permute(ox_sym *g)
{
    int64_t *dims;
    int n;
    OX_TRY(ox_arg_ints(g, 1, &dims, &n));
    bool identity = true;
    for (int i = 0; i < n; i++) identity = identity && dims[i] == i;
    if (identity) return ox_set_out(g, 0, g->in[0]);
    return ox_set_out(g, 0, ox_with_is(ox_op_1(g, "Transpose", g->in[0]), "perm", dims, n));
}

/* aten::contiguous(self, memory_format): a no-op; torch refuses memory
 * formats past channels_last (enum value > 2). */
static ox_status contiguous(ox_sym *g)
{
    if (g->nin > 1 && !is_none(g, 1)) {
        int64_t fmt;
        OX_TRY(ox_arg_int(g, 1, &fmt));
        if (fmt > 2) return ox_sym_error(g, 0, "onnx memory_format support is not implemented");
    }
    return ox_set_out(g, 0, g->in[0]);
}

/* ---- size / dim / numel -------------------------------------------------- */

/* opset 9's select(shape, 0, index) as _size_helper uses it: a negative
 * constant index slices, a non-negative one gathers a fresh 0-d constant. */
static ox_value *select_from_shape(ox_sym *g, ox_value *shape, ox_value *index)
{
    int64_t i;
    if (scalar_const(index, &i)) {
        int64_t axes[1] = {0};
        if (i < 0) {
            int64_t starts[1] = {i}, ends[1] = {i == -1 ? I64_MAX : i + 1};
            return ox_squeeze(g, ox_slice(g, shape, axes, starts, ends, NULL, 1), axes, 1);
        }
        index = ox_const_i64(g, i);
    }
    return ox_with_i(ox_op_2(g, "Gather", shape, index), "axis", 0);
}

static ox_status size_9(ox_sym *g)
{
    ox_value *x = g->in[0];
    if (g->nin < 2 || is_none(g, 1)) return ox_set_out(g, 0, ox_op_1(g, "Shape", x));
    ox_value *dim = g->in[1];
    int64_t d;
    int rank = ox_rank(x);
    if (scalar_const(dim, &d) && d < 0 && rank >= 0) {
        ox_value *shape = ox_op_1(g, "Shape", x);
        return ox_set_out(g, 0, ox_with_i(ox_op_2(g, "Gather", shape, ox_const_i64(g, d + rank)), "axis", 0));
    }
    return ox_set_out(g, 0, select_from_shape(g, ox_op_1(g, "Shape", x), dim));
}

static ox_status size_11(ox_sym *g)
{
    ox_value *x = g->in[0];
    if (g->nin < 2 || is_none(g, 1)) return ox_set_out(g, 0, ox_op_1(g, "Shape", x));
    return ox_set_out(g, 0, select_from_shape(g, ox_op_1(g, "Shape", x), g->in[1]));
}

static ox_status dim(ox_sym *g) { return ox_set_out(g, 0, ox_op_1(g, "Size", ox_op_1(g, "Shape", g->in[0]))); }

static ox_status numel(ox_sym *g)
{
    return ox_set_out(g, 0, ox_with_i(ox_op_1(g, "ReduceProd", ox_op_1(g, "Shape", g->in[0])), "keepdims", 0));
}

/* ---- squeeze / unsqueeze ------------------------------------------------- */

static ox_status squeeze_9(ox_sym *g)
{
    ox_value *x = g->in[0];
    if (g->nin < 2 || is_none(g, 1)) return ox_set_out(g, 0, ox_op_1(g, "Squeeze", x));
    int64_t d;
    OX_TRY(ox_arg_int(g, 1, &d));
    int rank = ox_rank(x);
    if (d < 0) {
        if (rank < 0) return unimplemented(g, "squeeze", "negative axis with unknown input rank", true);
        ox_warn(g->ctx,
                "aten::squeeze: the negative axis %lld becomes %lld for the input rank %d seen at export time; "
                "an input of another rank will give wrong results",
                (long long)d, (long long)(d + rank), rank);
        d += rank;
    }
    int64_t size = static_dim(x, d);
    if (size < 0) {
        ox_warn(g->ctx,
                "aten::squeeze on dimension %lld of unknown size: the ONNX model fails at run time if that size "
                "is not 1 (opset 11 and later can export a conditional squeeze)",
                (long long)d);
    } else if (size > 1) {
        ox_warn(g->ctx,
                "aten::squeeze on dimension %lld of size %lld at export time: exported without a Squeeze; use "
                "opset 11 or later for inputs of varying shape",
                (long long)d, (long long)size);
        return ox_set_out(g, 0, x);
    } else {
        ox_warn(g->ctx,
                "aten::squeeze on dimension %lld: the exported Squeeze assumes that size stays 1; use opset 11 "
                "or later for inputs of varying shape",
                (long long)d);
    }
    return ox_set_out(g, 0, ox_squeeze(g, x, &d, 1));
}

/* Squeeze whose axes are a runtime tensor (opset >= 13 only). */
static ox_value *squeeze_dynamic(ox_sym *g, ox_value *x, ox_value *axes)
{
    if (g->opset < 13) {
        ox_sym_error(g, 0, "Opset version must be >= 13 for Squeeze with dynamic axes.");
        return NULL;
    }
    int r = ox_rank(axes);
    if (r > 1) {
        ox_sym_error(g, 0, "For Squeeze axses as input, the axes rank must be one in ONNX spec.");
        return NULL;
    }
    if (r == 0) {
        int64_t zero = 0;
        axes = ox_unsqueeze(g, axes, &zero, 1);
    }
    return ox_op_2(g, "Squeeze", x, axes);
}

/* Appends `build` output into a fresh sub-block of `node`. */
static ox_block *begin_block(ox_sym *g, ox_node *node, ox_block **saved)
{
    ox_block *b = ox_node_add_block(node);
    if (!b) {
        OX_NOMEM(g->ctx);
        return NULL;
    }
    *saved = g->block;
    g->block = b;
    return b;
}

static ox_status end_block(ox_sym *g, ox_block *b, ox_block *saved, ox_value *out)
{
    g->block = saved;
    if (!out) return g->ctx->status != OX_OK ? g->ctx->status : OX_NOMEM(g->ctx);
    return ox_block_add_output(b, out);
}

static ox_status squeeze_11(ox_sym *g)
{
    ox_value *x = g->in[0];
    if (g->nin < 2 || is_none(g, 1)) return ox_set_out(g, 0, ox_op_1(g, "Squeeze", x));
    if (!is_const_value(g->in[1])) return ox_set_out(g, 0, squeeze_dynamic(g, x, g->in[1]));
    int64_t d;
    OX_TRY(ox_arg_int(g, 1, &d));
    int rank = ox_rank(x);
    int64_t adjusted = d < 0 && rank >= 0 ? d + rank : d;
    int64_t size = rank >= 0 && adjusted >= 0 ? static_dim(x, adjusted) : -1;
    if ((d < 0 && rank < 0) || size < 0) {
        /* Unknown size: squeeze only when it is 1 at run time. */
        ox_value *dim_c = const1(g, d);
        ox_value *size_v = ox_with_i(ox_op_2(g, "Gather", ox_op_1(g, "Shape", x), dim_c), "axis", 0);
        ox_value *cond = ox_op_2(g, "Equal", size_v, const1(g, 1));
        if (!cond) return g->ctx->status;
        ox_node *if_node = ox_op(g, "If", 1, 1, &cond);
        if (!if_node) return g->ctx->status;
        ox_block *saved;
        ox_block *then_b = begin_block(g, if_node, &saved);
        if (!then_b) return g->ctx->status;
        OX_TRY(end_block(g, then_b, saved, ox_squeeze(g, x, &d, 1)));
        ox_block *else_b = begin_block(g, if_node, &saved);
        if (!else_b) return g->ctx->status;
        OX_TRY(end_block(g, else_b, saved, ox_op_1(g, "Identity", x)));
        return ox_set_out(g, 0, if_node->outputs[0]);
    }
    if (size > 1) {
        ox_warn(g->ctx,
                "aten::squeeze on dimension %lld of size %lld at export time: exported without a Squeeze; "
                "export with dynamic_axes if the input shape varies",
                (long long)adjusted, (long long)size);
        return ox_set_out(g, 0, x);
    }
    return ox_set_out(g, 0, ox_squeeze(g, x, &adjusted, 1));
}

static ox_status unsqueeze_9(ox_sym *g)
{
    int64_t d;
    OX_TRY(ox_arg_int(g, 1, &d));
    ox_value *x = g->in[0];
    if (d < 0) {
        int rank = ox_rank(x);
        if (rank < 0) return unimplemented(g, "unsqueeze", "negative axis with unknown input rank", true);
        ox_warn(g->ctx,
                "aten::unsqueeze: the negative axis %lld becomes %lld for the input rank %d seen at export "
                "time; an input of another rank will give wrong results",
                (long long)d, (long long)(d + rank + 1), rank);
        d += rank + 1;
    }
    return ox_set_out(g, 0, ox_unsqueeze(g, x, &d, 1));
}

static ox_status unsqueeze_11(ox_sym *g)
{
    ox_value *x = g->in[0];
    int64_t d;
    if (is_const_value(g->in[1])) {
        OX_TRY(ox_arg_int(g, 1, &d));
        return ox_set_out(g, 0, ox_unsqueeze(g, x, &d, 1));
    }
    if (g->opset < 13) return ox_sym_error(g, 0, "Opset version must be >= 13 for Unsqueeze with dynamic axes.");
    return ox_set_out(g, 0, ox_op_2(g, "Unsqueeze", x, g->in[1]));
}

/* ---- cat / stack --------------------------------------------------------- */

static ox_status cat_9(ox_sym *g)
{
    ox_value **items;
    int n;
    int64_t d;
    OX_TRY(ox_arg_list(g, 0, &items, &n));
    OX_TRY(ox_arg_int(g, 1, &d));
    return ox_set_out(g, 0, ox_with_i(ox_opn(g, "Concat", n, items), "axis", d));
}

static ox_status cat_11(ox_sym *g)
{
    if (is_list_construct(g->in[0])) return cat_9(g);
    int64_t d;
    OX_TRY(ox_arg_int(g, 1, &d));
    return ox_set_out(g, 0, ox_with_i(ox_op_1(g, "ConcatFromSequence", g->in[0]), "axis", d));
}

static ox_status stack_9(ox_sym *g)
{
    ox_value **items;
    int n;
    int64_t d;
    OX_TRY(ox_arg_list(g, 0, &items, &n));
    OX_TRY(ox_arg_int(g, 1, &d));
    ox_value **u = ox_arena_alloc(g->graph->arena, (size_t)(n + 1) * sizeof(ox_value *));
    if (!u) return OX_NOMEM(g->ctx);
    for (int i = 0; i < n; i++) u[i] = ox_unsqueeze(g, items[i], &d, 1);
    return ox_set_out(g, 0, ox_with_i(ox_opn(g, "Concat", n, u), "axis", d));
}

static ox_status stack_11(ox_sym *g)
{
    if (is_list_construct(g->in[0])) return stack_9(g);
    int64_t d;
    OX_TRY(ox_arg_int(g, 1, &d));
    ox_value *y = ox_with_i(ox_op_1(g, "ConcatFromSequence", g->in[0]), "axis", d);
    return ox_set_out(g, 0, ox_with_i(y, "new_axis", 1));
}

/* ---- expand / repeat ----------------------------------------------------- */

/* opset 9's expand: a constant size is an int64 constant, a ListConstruct is
 * stacked into a 1-D tensor; -1 entries become 1 (Expand broadcasts both
 * ways, so 1 keeps the input's size). */
static ox_value *expand_to(ox_sym *g, ox_value *x, ox_value *size)
{
    int64_t *vals;
    int n;
    /* torch's _maybe_get_const: a constant only; a ListConstruct is stacked even
     * when its elements have become constants */
    if (is_const_value(size) && const_ints(g, size, &vals, &n)) {
        size = ox_const_i64s(g, vals, n);
    } else if (is_list_construct(size)) {
        ox_node *list = size->node;
        int64_t zero = 0;
        ox_value **u = ox_arena_alloc(g->graph->arena, (size_t)(list->ninputs + 1) * sizeof(ox_value *));
        if (!u) {
            OX_NOMEM(g->ctx);
            return NULL;
        }
        for (int i = 0; i < list->ninputs; i++) u[i] = ox_unsqueeze(g, list->inputs[i], &zero, 1);
        ox_value *stacked = ox_with_i(ox_opn(g, "Concat", list->ninputs, u), "axis", 0);
        size = ox_reshape(g, stacked, const1(g, -1));
    }
    ox_value *ones = constant_of_shape_one(g, ox_op_1(g, "Shape", size));
    ox_value *neg_ones = ox_op_2(g, "Mul", ones, ox_const_i64(g, -1));
    ox_value *cond = ox_op_2(g, "Equal", size, neg_ones);
    if (cond) cond->type = ox_type_tensor(g->graph->arena, OX_BOOL, 1, NULL);
    ox_value *fixed = ox_op_3(g, "Where", cond, ones, size);
    return ox_op_2(g, "Expand", x, fixed);
}

static ox_status expand_9(ox_sym *g) { return ox_set_out(g, 0, expand_to(g, g->in[0], g->in[1])); }

static ox_status blocked_7(ox_sym *g) { return blocked(g); }

/* A constant `self` is first reduced over every dim along which it does not
 * vary (torch folds it to that smaller constant; Expand broadcasts it back). */
static ox_value *collapse_constant(ox_sym *g, ox_value *self)
{
    if (!ox_node_is(self->node, "onnx::Constant")) return self;
    const ox_tensor *t = ox_value_const_tensor(self);
    if (!t || !t->data || t->rank <= 0 || t->dtype == OX_STRING) return self;
    int r = t->rank;
    int64_t numel = ox_tensor_numel(t);
    if (numel <= 0) return self;
    bool *drop = ox_arena_alloc(g->graph->arena, (size_t)r * sizeof(bool));
    int64_t *strides = ox_arena_alloc(g->graph->arena, (size_t)r * sizeof(int64_t));
    if (!drop || !strides) {
        OX_NOMEM(g->ctx);
        return NULL;
    }
    int64_t stride = 1;
    for (int d = r - 1; d >= 0; d--) {
        strides[d] = stride;
        stride *= t->dims[d];
    }
    int ndrop = 0;
    for (int d = 0; d < r; d++) {
        /* Along d, every element must equal the mean of its line. */
        bool same = true;
        for (int64_t i = 0; i < numel && same; i++) {
            if ((i / strides[d]) % t->dims[d] != 0) continue; /* first element of each line */
            double sum = 0;
            for (int64_t k = 0; k < t->dims[d]; k++) sum += ox_tensor_get_f(t, i + k * strides[d]);
            double mean = sum / (double)t->dims[d];
            for (int64_t k = 0; k < t->dims[d] && same; k++) same = ox_tensor_get_f(t, i + k * strides[d]) == mean;
        }
        drop[d] = same;
        ndrop += same;
    }
    if (!ndrop) return self;
    int64_t *dims = ox_arena_alloc(g->graph->arena, (size_t)(r + 1) * sizeof(int64_t));
    if (!dims) {
        OX_NOMEM(g->ctx);
        return NULL;
    }
    int nr = 0;
    for (int d = 0; d < r; d++)
        if (!drop[d]) dims[nr++] = t->dims[d];
    ox_tensor *out = ox_tensor_alloc(g->graph->arena, t->dtype, nr, dims);
    if (!out) {
        OX_NOMEM(g->ctx);
        return NULL;
    }
    int64_t onumel = ox_tensor_numel(out);
    for (int64_t j = 0; j < onumel; j++) {
        /* Position j in the kept dims; index 0 along the dropped ones. */
        int64_t rem = j, src = 0;
        for (int d = r - 1, k = nr - 1; d >= 0; d--) {
            if (drop[d]) continue;
            src += (rem % dims[k]) * strides[d];
            rem /= dims[k];
            k--;
        }
        if (ox_dtype_is_floating(t->dtype)) ox_tensor_set_f(out, j, ox_tensor_get_f(t, src));
        else ox_tensor_set_i(out, j, ox_tensor_get_i(t, src));
    }
    return ox_const_tensor(g, out);
}

static ox_status expand_as(ox_sym *g)
{
    ox_value *self = collapse_constant(g, g->in[0]);
    return ox_set_out(g, 0, ox_op_2(g, "Expand", self, ox_op_1(g, "Shape", g->in[1])));
}

static ox_status repeat_9(ox_sym *g)
{
    ox_value *repeats = int_list_value(g, g->in[1]);
    ox_value *ones = constant_of_shape_one(g, ox_op_1(g, "Shape", repeats));
    ox_value *expanded = ox_op_2(g, "Expand", g->in[0], ones);
    return ox_set_out(g, 0, ox_op_2(g, "Tile", expanded, repeats));
}

/* Opset 8: Tile only; a static input gets leading 1s when repeats is longer. */
static ox_status repeat_8(ox_sym *g)
{
    ox_value *x = g->in[0];
    ox_value *repeats = int_list_value(g, g->in[1]);
    if (!repeats) return g->ctx->status;
    int64_t *vals;
    int count;
    if (is_list_construct(repeats)) count = repeats->node->ninputs;
    else if (!const_ints(g, repeats, &vals, &count))
        return ox_sym_error(g, 1, "aten::repeat in opset 8 needs the number of repeats at export time");
    int rank = ox_rank(x);
    if (rank >= 0 && ox_type_is_static(x->type) && count > rank) {
        int diff = count - rank;
        int64_t *shape = ox_arena_alloc(g->graph->arena, (size_t)count * sizeof(int64_t));
        if (!shape) return OX_NOMEM(g->ctx);
        for (int i = 0; i < diff; i++) shape[i] = 1;
        for (int i = 0; i < rank; i++) shape[diff + i] = x->type->dims[i];
        x = ox_reshape(g, x, ox_const_i64s(g, shape, count));
    }
    return ox_set_out(g, 0, ox_op_2(g, "Tile", x, repeats));
}

/* ---- split / chunk / unbind ---------------------------------------------- */

/* Sizes of `size` cut into pieces of `piece` (the last one shorter). */
static int64_t *even_splits(ox_sym *g, int64_t size, int64_t piece, int *n)
{
    if (piece <= 0 || size < 0) {
        ox_sym_error(g, 0, "%s: cannot split a dimension of size %lld into pieces of %lld", g->op,
                     (long long)size, (long long)piece);
        return NULL;
    }
    int64_t count = size / piece + (size % piece ? 1 : 0);
    if (count > MAX_SPLITS) {
        ox_sym_error(g, 0, "%s: too many pieces (%lld)", g->op, (long long)count);
        return NULL;
    }
    int64_t *s = ox_arena_alloc(g->graph->arena, (size_t)(count + 1) * sizeof(int64_t));
    if (!s) {
        OX_NOMEM(g->ctx);
        return NULL;
    }
    for (int64_t i = 0; i < size / piece; i++) s[i] = piece;
    if (size % piece) s[count - 1] = size % piece;
    *n = (int)count;
    return s;
}

/* Split with the `split` attribute (opsets < 13), `nout` pieces. */
static ox_node *split_attr(ox_sym *g, ox_value *x, int64_t axis, const int64_t *sizes, int n, int nout)
{
    ox_node *node = ox_op(g, "Split", nout, 1, &x);
    if (!node || ox_node_set_i(node, "axis", axis) != OX_OK || ox_node_set_is(node, "split", sizes, n) != OX_OK)
        return NULL;
    return node;
}

/* Split with the sizes as an input (opset 13). */
static ox_node *split_input(ox_sym *g, ox_value *x, int64_t axis, ox_value *sizes, int nout)
{
    ox_value *in[2] = {x, sizes};
    if (!sizes) return NULL;
    ox_node *node = ox_op(g, "Split", nout, 2, in);
    if (!node || ox_node_set_i(node, "axis", axis) != OX_OK) return NULL;
    return node;
}

/* The size argument of split: a list (split_with_sizes) or one int. */
static bool split_arg_is_list(ox_value *v)
{
    if (is_list_construct(v)) return true;
    const ox_tensor *t = ox_value_const_tensor(v);
    if (t) return t->rank > 0;
    ox_attr *a = ox_node_attr(v->node, "value");
    return a && a->kind == OX_ATTR_IS;
}

/* Statically known pieces for split(self, split_size, dim) with `outputs`
 * pieces unpacked: the sizes, or NULL with the error parked. */
static int64_t *static_split_sizes(ox_sym *g, int64_t d, int outputs, int *n)
{
    ox_value *arg = g->in[1];
    int64_t *sizes;
    if (split_arg_is_list(arg)) {
        if (ox_arg_ints(g, 1, &sizes, n) != OX_OK) return NULL;
        return sizes;
    }
    int64_t piece;
    if (ox_arg_int(g, 1, &piece) != OX_OK) return NULL;
    int64_t size = static_dim(g->in[0], d);
    if (size < 0) {
        if (piece <= 0 || piece > I64_MAX / (outputs ? outputs : 1)) {
            ox_sym_error(g, 1, "%s: bad split size %lld", g->op, (long long)piece);
            return NULL;
        }
        size = piece * outputs;
    }
    return even_splits(g, size, piece, n);
}

/* The split size is known at export time and so is the number of pieces. */
static bool split_is_static(ox_sym *g, int outputs)
{
    if (outputs < 0) return false;
    ox_value *v = g->in[1];
    int64_t *vals;
    int n;
    return is_const_value(v) || const_ints(g, v, &vals, &n);
}

static ox_status split_9(ox_sym *g)
{
    int outputs = unpacked_outputs(g);
    int64_t d;
    OX_TRY(ox_arg_int(g, 2, &d));
    if (!split_is_static(g, outputs))
        return opset_unsupported_detailed(g, "split", 9, 11, "Dynamic number of outputs not supported");
    int n;
    int64_t *sizes = static_split_sizes(g, d, outputs, &n);
    if (!sizes) return g->ctx->status;
    return set_node_outs(g, split_attr(g, g->in[0], d, sizes, n, outputs));
}

static ox_status split_with_sizes_9(ox_sym *g)
{
    int outputs = unpacked_outputs(g);
    int64_t *sizes, d;
    int n;
    OX_TRY(ox_arg_ints(g, 1, &sizes, &n));
    OX_TRY(ox_arg_int(g, 2, &d));
    if (outputs < 0)
        return opset_unsupported_detailed(g, "split_with_sizes", 9, 11, "Dynamic number of outputs not supported");
    return set_node_outs(g, split_attr(g, g->in[0], d, sizes, n, outputs));
}

/* Opsets 11 and 13 with sizes only known at run time: a sequence, or one
 * Slice per piece when the list length matches, else SequenceAt per piece. */
static ox_status split_dynamic(ox_sym *g, int64_t d, int outputs)
{
    ox_value *x = g->in[0], *sizes = int_list_value(g, g->in[1]);
    if (!sizes) return g->ctx->status;
    if (outputs < 0) return ox_set_out(g, 0, ox_with_i(ox_op_2(g, "SplitToSequence", x, sizes), "axis", d));
    ox_value **res = ox_arena_alloc(g->graph->arena, (size_t)(outputs + 1) * sizeof(ox_value *));
    if (!res) return OX_NOMEM(g->ctx);
    if (is_list_construct(sizes) && sizes->node->ninputs == outputs) {
        ox_node *list = sizes->node;
        int64_t zero = 0;
        ox_value **pieces = ox_arena_alloc(g->graph->arena, (size_t)(outputs + 1) * sizeof(ox_value *));
        if (!pieces) return OX_NOMEM(g->ctx);
        for (int i = 0; i < outputs; i++) pieces[i] = ox_unsqueeze(g, list->inputs[i], &zero, 1);
        ox_value *start = const1(g, 0);
        ox_value *axis = const1(g, d);
        for (int i = 0; i < outputs; i++) {
            ox_value *end = ox_op_2(g, "Add", start, pieces[i]);
            res[i] = ox_op_4(g, "Slice", x, start, end, axis);
            start = end;
        }
        return set_outs(g, res, outputs);
    }
    ox_value *seq = ox_with_i(ox_op_2(g, "SplitToSequence", x, sizes), "axis", d);
    for (int i = 0; i < outputs; i++) res[i] = ox_op_2(g, "SequenceAt", seq, const1(g, i));
    return set_outs(g, res, outputs);
}

static ox_status split_11(ox_sym *g)
{
    int outputs = unpacked_outputs(g);
    int64_t d;
    OX_TRY(ox_arg_int(g, 2, &d));
    if (!split_is_static(g, outputs)) return split_dynamic(g, d, outputs);
    return split_9(g);
}

static ox_status split_13(ox_sym *g)
{
    int outputs = unpacked_outputs(g);
    int64_t d;
    OX_TRY(ox_arg_int(g, 2, &d));
    if (!split_is_static(g, outputs)) return split_dynamic(g, d, outputs);
    if (split_arg_is_list(g->in[1]))
        return set_node_outs(g, split_input(g, g->in[0], d, int_list_value(g, g->in[1]), outputs));
    int n;
    int64_t *sizes = static_split_sizes(g, d, outputs, &n);
    if (!sizes) return g->ctx->status;
    return set_node_outs(g, split_input(g, g->in[0], d, ox_const_i64s(g, sizes, n), outputs));
}

/* aten::unsafe_chunk(self, int chunks, int dim) */
static ox_status unsafe_chunk_common(ox_sym *g, bool input_form)
{
    int outputs = unpacked_outputs(g);
    int64_t chunks, d;
    OX_TRY(ox_arg_int(g, 1, &chunks));
    OX_TRY(ox_arg_int(g, 2, &d));
    ox_value *x = g->in[0];
    if (outputs < 0) {
        if (!input_form)
            return opset_unsupported_detailed(g, "unsafe_chunk", 9, 11, "Dynamic number of outputs not supported");
        ox_value *seq = ox_op_2(g, "SplitToSequence", x, ox_const_i64(g, 1));
        return ox_set_out(g, 0, ox_with_i(ox_with_i(seq, "axis", d), "keepdims", 0));
    }
    int64_t size = static_dim(x, d);
    if (size < 0) return unimplemented(g, "unsafe_chunk", "unknown dimension size", !input_form);
    if (chunks <= 0) return ox_sym_error(g, 1, "unsafe_chunk: chunks must be positive");
    int n;
    int64_t *sizes = even_splits(g, size, (size + chunks - 1) / chunks, &n);
    if (!sizes) return g->ctx->status;
    if (input_form) return set_node_outs(g, split_input(g, x, d, ox_const_i64s(g, sizes, n), outputs));
    return set_node_outs(g, split_attr(g, x, d, sizes, n, outputs));
}

static ox_status unsafe_chunk_9(ox_sym *g) { return unsafe_chunk_common(g, false); }
static ox_status unsafe_chunk_13(ox_sym *g) { return unsafe_chunk_common(g, true); }

/* prim::ConstantSplit[split_size, dim](self): pieces from the static size. */
static ox_status constant_split_pieces(ox_sym *g, int64_t piece, int64_t d, const char *what)
{
    ox_value *x = g->in[0];
    int64_t size = static_dim(x, d);
    if (size < 0) return unimplemented(g, what, "unknown dimension size", true);
    int n;
    int64_t *sizes = even_splits(g, size, piece, &n);
    if (!sizes) return g->ctx->status;
    return set_node_outs(g, split_attr(g, x, d, sizes, n, n));
}

static bool node_int_attr(ox_sym *g, const char *name, int64_t *out)
{
    ox_attr *a = ox_node_attr(g->node, name);
    if (!a || a->kind != OX_ATTR_I) return false;
    *out = a->v.i;
    return true;
}

static ox_status constant_split_9(ox_sym *g)
{
    int64_t piece, d;
    if (!node_int_attr(g, "split_size", &piece) || !node_int_attr(g, "dim", &d))
        return ox_sym_error(g, 0, "prim::ConstantSplit needs int attributes split_size and dim");
    return constant_split_pieces(g, piece, d, "prim::ConstantSplit");
}

static ox_status constant_chunk_9(ox_sym *g)
{
    int64_t chunks, d;
    if (!node_int_attr(g, "chunks", &chunks) || !node_int_attr(g, "dim", &d))
        return ox_sym_error(g, 0, "prim::ConstantChunk needs int attributes chunks and dim");
    int64_t size = static_dim(g->in[0], d);
    if (size < 0) return unimplemented(g, "prim::ConstantChunk", "unknown dimension size", true);
    if (chunks <= 0) return ox_sym_error(g, 0, "prim::ConstantChunk: chunks must be positive");
    return constant_split_pieces(g, (size + chunks - 1) / chunks, d, "prim::ConstantChunk");
}

/* Opset 11: chunk i is x[i*c : (i+1)*c] along dim with c = ceil(size/chunks)
 * computed at run time. */
static ox_status constant_chunk_11(ox_sym *g)
{
    int64_t chunks, d;
    if (!node_int_attr(g, "chunks", &chunks) || !node_int_attr(g, "dim", &d))
        return ox_sym_error(g, 0, "prim::ConstantChunk needs int attributes chunks and dim");
    if (chunks <= 0 || chunks > MAX_SPLITS) return ox_sym_error(g, 0, "prim::ConstantChunk: bad chunks %lld", (long long)chunks);
    ox_value *x = g->in[0];
    ox_value *shape = ox_op_1(g, "Shape", x);
    ox_value *axis = const1(g, d);
    ox_value *dim_size = ox_with_i(ox_op_2(g, "Gather", shape, axis), "axis", 0);
    ox_value *start = const1(g, 0);
    ox_value *chunk_count = const1(g, chunks);
    ox_value *shifted = ox_op_2(g, "Add", dim_size, const1(g, chunks - 1));
    ox_value *chunk_len = ox_op_2(g, "Div", shifted, chunk_count);
    ox_value **res = ox_arena_alloc(g->graph->arena, (size_t)(chunks + 1) * sizeof(ox_value *));
    if (!res) return OX_NOMEM(g->ctx);
    for (int64_t i = 0; i < chunks; i++) {
        ox_value *end = ox_op_2(g, "Mul", chunk_len, const1(g, i + 1));
        res[i] = ox_op_4(g, "Slice", x, start, end, axis);
        start = end;
    }
    return set_outs(g, res, (int)chunks);
}

/* aten::chunk(self, chunks, dim) with a runtime list result (opset 11):
 * sizes [c, c, ..., size - c*(chunks-1)] with c = ceil(size/chunks), then
 * SplitToSequence. */
static ox_status chunk_11(ox_sym *g)
{
    ox_value *x = g->in[0], *chunks = g->in[1], *dimv = g->in[2];
    int64_t d;
    OX_TRY(ox_arg_int(g, 2, &d));
    ox_value *dim_size = ox_with_i(ox_op_2(g, "Gather", ox_op_1(g, "Shape", x), dimv), "axis", 0);
    ox_value *chunks_m1 = ox_op_2(g, "Sub", chunks, const1(g, 1));
    ox_value *chunk_len = ox_op_2(g, "Div", ox_op_2(g, "Add", dim_size, chunks_m1), chunks);
    ox_value *head = expand_to(g, chunk_len, chunks_m1);
    ox_value *last = ox_op_2(g, "Sub", dim_size, ox_op_2(g, "Mul", chunk_len, chunks_m1));
    ox_value *sizes = ox_with_i(ox_op_2(g, "Concat", head, last), "axis", 0);
    ox_value *seq = ox_with_i(ox_op_2(g, "SplitToSequence", x, sizes), "axis", d);
    if (g->nout != 1) return ox_sym_error(g, 0, "aten::chunk gives one list, the node has %d outputs", g->nout);
    return ox_set_out(g, 0, seq);
}

static ox_status unbind_9(ox_sym *g)
{
    int outputs = unpacked_outputs(g);
    int64_t d;
    OX_TRY(ox_arg_int(g, 1, &d));
    if (outputs < 0) return opset_unsupported_detailed(g, "unbind", 9, 11, "Dynamic number of outputs not supported");
    if (outputs > MAX_SPLITS) return ox_sym_error(g, 0, "unbind: too many outputs");
    int64_t *ones = ox_arena_alloc(g->graph->arena, (size_t)(outputs + 1) * sizeof(int64_t));
    ox_value **res = ox_arena_alloc(g->graph->arena, (size_t)(outputs + 1) * sizeof(ox_value *));
    if (!ones || !res) return OX_NOMEM(g->ctx);
    for (int i = 0; i < outputs; i++) ones[i] = 1;
    ox_node *split = split_attr(g, g->in[0], d, ones, outputs, outputs);
    if (!split) return g->ctx->status;
    for (int i = 0; i < outputs; i++) res[i] = ox_squeeze(g, split->outputs[i], &d, 1);
    return set_outs(g, res, outputs);
}

static ox_status unbind_sequence(ox_sym *g, int64_t d)
{
    ox_value *seq = ox_op_2(g, "SplitToSequence", g->in[0], ox_const_i64(g, 1));
    return ox_set_out(g, 0, ox_with_i(ox_with_i(seq, "axis", d), "keepdims", 0));
}

static ox_status unbind_11(ox_sym *g)
{
    int64_t d;
    OX_TRY(ox_arg_int(g, 1, &d));
    if (unpacked_outputs(g) < 0) return unbind_sequence(g, d);
    return unbind_9(g);
}

static ox_status unbind_13(ox_sym *g)
{
    int outputs = unpacked_outputs(g);
    int64_t d;
    OX_TRY(ox_arg_int(g, 1, &d));
    if (outputs < 0) return unbind_sequence(g, d);
    if (outputs > MAX_SPLITS) return ox_sym_error(g, 0, "unbind: too many outputs");
    int64_t *ones = ox_arena_alloc(g->graph->arena, (size_t)(outputs + 1) * sizeof(int64_t));
    ox_value **res = ox_arena_alloc(g->graph->arena, (size_t)(outputs + 1) * sizeof(ox_value *));
    if (!ones || !res) return OX_NOMEM(g->ctx);
    for (int i = 0; i < outputs; i++) ones[i] = 1;
    ox_node *split = split_input(g, g->in[0], d, ox_const_i64s(g, ones, outputs), outputs);
    if (!split) return g->ctx->status;
    for (int i = 0; i < outputs; i++) res[i] = ox_op_2(g, "Squeeze", split->outputs[i], const1(g, d));
    return set_outs(g, res, outputs);
}

/* ---- select / slice / narrow --------------------------------------------- */

static ox_status select_9(ox_sym *g)
{
    int64_t d, i;
    OX_TRY(ox_arg_int(g, 1, &d));
    ox_value *x = g->in[0], *index = g->in[2];
    if (scalar_const(index, &i)) {
        if (i < 0) {
            int64_t starts[1] = {i}, ends[1] = {i == -1 ? I64_MAX : i + 1};
            return ox_set_out(g, 0, ox_squeeze(g, ox_slice(g, x, &d, starts, ends, NULL, 1), &d, 1));
        }
        index = ox_const_i64(g, i);
    }
    return ox_set_out(g, 0, ox_with_i(ox_op_2(g, "Gather", x, index), "axis", d));
}

/* Opset 11's Gather takes negative indices. */
static ox_status select_11(ox_sym *g)
{
    int64_t d;
    OX_TRY(ox_arg_int(g, 1, &d));
    return ox_set_out(g, 0, ox_with_i(ox_op_2(g, "Gather", g->in[0], g->in[2]), "axis", d));
}

/* Slice-10 with start/end/axis as runtime scalars (unsqueezed to 1-D). */
static ox_value *slice_dynamic(ox_sym *g, ox_value *x, ox_value *axis, ox_value *start, ox_value *end,
                               const int64_t *step)
{
    int64_t zero = 0;
    ox_value *s = ox_unsqueeze(g, start, &zero, 1);
    ox_value *e = ox_unsqueeze(g, end, &zero, 1);
    ox_value *a = ox_unsqueeze(g, axis, &zero, 1);
    if (!step) return ox_op_4(g, "Slice", x, s, e, a);
    ox_value *in[5] = {x, s, e, a, ox_const_i64s(g, step, 1)};
    return ox_opn(g, "Slice", 5, in);
}

/* aten::slice(self, dim, start, end, step) or the list form (self, start, end, step). */
static ox_status slice_9(ox_sym *g)
{
    int base;
    if (g->nin == 5) base = 2;
    else if (g->nin == 4) base = 1;
    else {
        char msg[64];
        snprintf(msg, sizeof msg, "with %d arguments", g->nin - 1);
        return unimplemented(g, "aten::slice", msg, false);
    }
    ox_value *x = g->in[0];
    if (g->nin == 5) {
        int64_t step;
        OX_TRY(ox_arg_int(g, base + 2, &step));
        if (step != 1) return ox_sym_error(g, 0, "step!=1 is currently not supported");
    }
    ox_value *startv = g->in[base], *endv = g->in[base + 1];
    bool start_none = ox_value_is_none(startv), end_none = ox_value_is_none(endv);
    bool dynamic = g->nin == 5 && ((!start_none && !is_const_value(startv)) || (!end_none && !is_const_value(endv)) ||
                                   !is_const_value(g->in[1]));
    if (dynamic) {
        if (g->export_type == ONNXIFY_OPERATOR_EXPORT_ONNX)
            return ox_sym_error(g, 0,
                                "Unsupported: ONNX export of Slice with dynamic inputs. DynamicSlice is a "
                                "deprecated experimental op. Please use statically allocated variables or "
                                "export to a higher opset version.");
        int64_t zero = 0;
        ox_value *s = ox_unsqueeze(g, startv, &zero, 1);
        ox_value *e = ox_unsqueeze(g, endv, &zero, 1);
        ox_value *a = ox_unsqueeze(g, g->in[1], &zero, 1);
        return ox_set_out(g, 0, ox_op_4(g, "DynamicSlice", x, s, e, a));
    }
    int64_t d = 0, start = 0, end = I64_MAX;
    if (!start_none) OX_TRY(ox_arg_int(g, base, &start));
    if (!end_none) OX_TRY(ox_arg_int(g, base + 1, &end));
    if (g->nin == 5) OX_TRY(ox_arg_int(g, 1, &d));
    return ox_set_out(g, 0, ox_slice(g, x, &d, &start, &end, NULL, 1));
}

static ox_status slice_10(ox_sym *g)
{
    int base;
    if (g->nin == 5) base = 2;
    else if (g->nin == 4) base = 1;
    else return ox_sym_error(g, 0, "Unknown aten::slice signature");
    ox_value *x = g->in[0], *startv = g->in[base], *endv = g->in[base + 1];
    bool dim_is_int = g->nin == 4;
    bool start_none = ox_value_is_none(startv), end_none = ox_value_is_none(endv);
    int64_t step;
    OX_TRY(ox_arg_int(g, base + 2, &step));
    bool dynamic = (!start_none && !is_const_value(startv)) || (!end_none && !is_const_value(endv)) ||
                   (!dim_is_int && !is_const_value(g->in[1]));
    if (dynamic) {
        ox_value *s = start_none ? ox_const_i64(g, 0) : startv;
        ox_value *e = end_none ? ox_const_i64(g, I64_MAX) : endv;
        ox_value *a = dim_is_int ? ox_const_i64(g, 0) : g->in[1];
        return ox_set_out(g, 0, slice_dynamic(g, x, a, s, e, &step));
    }
    int64_t d = 0, start = 0, end = I64_MAX;
    if (!start_none) OX_TRY(ox_arg_int(g, base, &start));
    if (!end_none) OX_TRY(ox_arg_int(g, base + 1, &end));
    if (!dim_is_int) OX_TRY(ox_arg_int(g, 1, &d));
    return ox_set_out(g, 0, ox_slice(g, x, &d, &start, &end, &step, 1));
}

static ox_status narrow_9(ox_sym *g)
{
    int64_t d, start, length;
    OX_TRY(ox_arg_int(g, 1, &d));
    OX_TRY(ox_arg_int(g, 2, &start));
    OX_TRY(ox_arg_int(g, 3, &length));
    int64_t end = start + length;
    return ox_set_out(g, 0, ox_slice(g, g->in[0], &d, &start, &end, NULL, 1));
}

static ox_status narrow_11(ox_sym *g)
{
    ox_value *end = ox_op_2(g, "Add", g->in[2], g->in[3]);
    return ox_set_out(g, 0, slice_dynamic(g, g->in[0], g->in[1], g->in[2], end, NULL));
}

/* ---- type_as ------------------------------------------------------------- */

static ox_status type_as(ox_sym *g)
{
    ox_dtype self_dt = ox_elem_type(g->in[0]), other_dt = ox_elem_type(g->in[1]);
    if (self_dt != OX_UNDEFINED && self_dt == other_dt) return ox_set_out(g, 0, g->in[0]);
    if (other_dt != OX_UNDEFINED) return ox_set_out(g, 0, ox_cast(g, g->in[0], other_dt));
    return ox_sym_error(g, 1,
                        "Unsupported: ONNX export of type_as for tensor of unknown dtype. Please check if "
                        "the dtype of the parameter passed to the type_as function is correct.");
}

/* ---- pad ----------------------------------------------------------------- */

/* aten::pad(self, int[] pad, str mode, float? value) and the per-mode ops
 * constant_pad_nd(self, pad, value), reflection_pad{1,2,3}d(self, pad),
 * replication_pad{1,2,3}d(self, pad). torch's `pad` lists (begin, end)
 * pairs from the last dim backwards; ONNX's Pad wants every begin, then
 * every end, from the first dim. Before opset 11 the pads are an attribute
 * (so they must be known at export time); from 11 they are computed in the
 * graph (opset 11's _prepare_onnx_paddings), which also serves runtime
 * sizes. */

#define PAD_MAX_VALUES 4096 /* pad entries: a bound against absurd input */

/* opset 9's _prepare_onnx_paddings on a known list, Python slicing included:
 * zeros appended up to 2*rank entries, then entries len-2, len-4, ... (the
 * begins) followed by len-1, len-3, ... (the ends). */
static int64_t *onnx_paddings_9(ox_sym *g, const int64_t *pad, int n, int rank, int *nout)
{
    int len = n > 2 * rank ? n : 2 * rank;
    int64_t *full = ox_arena_alloc(g->graph->arena, (size_t)(len + 1) * sizeof(int64_t));
    int64_t *out = ox_arena_alloc(g->graph->arena, (size_t)(len + 1) * sizeof(int64_t));
    if (!full || !out) {
        OX_NOMEM(g->ctx);
        return NULL;
    }
    for (int i = 0; i < len; i++) full[i] = i < n ? pad[i] : 0;
    int k = 0;
    for (int i = len - 2; i >= 0; i -= 2) out[k++] = full[i];
    for (int i = len - 1; i >= 0; i -= 2) out[k++] = full[i];
    *nout = k;
    return out;
}

/* opset 9's _convert_padding_node: the pad sizes, which must be constants. */
static ox_status pad_sizes_9(ox_sym *g, int64_t **pad, int *n)
{
    if (!const_ints(g, g->in[1], pad, n))
        return opset_unsupported_detailed(g, "Pad", 9, 11, "The sizes of the padding must be constant");
    if (*n > PAD_MAX_VALUES) return ox_sym_error(g, 1, "pad: %d padding values", *n);
    return OX_OK;
}

/* Pad with attributes (mode, pads[, value]); integer inputs go through float
 * (torch's _op_with_optional_float_cast, opset_before=11). */
static ox_status pad_attr_form(ox_sym *g, const char *mode, bool has_value, double value)
{
    uint32_t mark = g->graph->next_node_seq;
    int64_t *pad;
    int n;
    OX_TRY(pad_sizes_9(g, &pad, &n));
    int rank = ox_rank(g->in[0]);
    if (rank < 0) return ox_sym_error(g, 0, "Unsupported: ONNX export of Pad of an input of unknown rank");
    int np;
    int64_t *pads = onnx_paddings_9(g, pad, n, rank, &np);
    if (!pads) return g->ctx->status;
    ox_node *node = NULL;
    ox_value *y = ox_ew_float_cast_op(g, "Pad", &g->in[0], 1, 11, mark, &node);
    if (!y) return g->ctx->status;
    if (ox_node_set_s(node, "mode", mode) != OX_OK || ox_node_set_is(node, "pads", pads, np) != OX_OK ||
        (has_value && ox_node_set_f(node, "value", value) != OX_OK))
        return OX_NOMEM(g->ctx);
    return ox_set_out(g, 0, y);
}

/* The pad value of constant mode (argument `vi`): None leaves Pad's default 0. */
static ox_status constant_pad_9(ox_sym *g, int vi)
{
    double value = 0;
    bool has_value = vi < g->nin && !is_none(g, vi);
    if (has_value) {
        if (!ox_arg_is_const(g, vi))
            return opset_unsupported_detailed(g, "Pad", 9, 11, "The value for the padding must be constant");
        OX_TRY(ox_arg_float(g, vi, &value));
    }
    return pad_attr_form(g, "constant", has_value, value);
}

/* opset 11's _prepare_onnx_paddings: the same reordering in the graph.
 * [pad..., 0 * (2*rank - len(pad))] -> Reshape [-1, 2] -> reversed rows ->
 * Transpose -> Reshape [-1] -> int64. */
static ox_value *onnx_paddings_11(ox_sym *g, ox_value *input, ox_value *pad)
{
    /* a runtime int[] that is not a ListConstruct: a sequence of scalars */
    if (!is_list_construct(pad) && pad->type && pad->type->kind == OX_TYPE_LIST && pad->type->nelems > 0 &&
        (pad->type->elems[0]->kind == OX_TYPE_INT || pad->type->elems[0]->kind == OX_TYPE_FLOAT))
        pad = ox_with_i(ox_with_i(ox_op_1(g, "ConcatFromSequence", pad), "axis", 0), "new_axis", 1);
    ox_value *index = const1(g, 0);
    ox_value *pad_len = ox_with_i(ox_op_2(g, "Gather", ox_op_1(g, "Shape", pad), index), "axis", 0);
    int rank = ox_rank(input);
    ox_value *r = rank >= 0 ? ox_const_i64(g, rank) : ox_op_1(g, "Size", ox_op_1(g, "Shape", input));
    ox_value *extension = ox_op_2(g, "Sub", ox_op_2(g, "Mul", r, ox_const_i64(g, 2)), pad_len);
    pad = ox_cast(g, pad, OX_INT64);
    ox_value *zeros = ox_op_1(g, "ConstantOfShape", extension);
    if (zeros) {
        int64_t one = 1;
        ox_tensor *t = ox_tensor_alloc(g->graph->arena, OX_INT64, 1, &one);
        if (!t) {
            OX_NOMEM(g->ctx);
            return NULL;
        }
        ox_tensor_set_i(t, 0, 0);
        if (ox_node_set_t(zeros->node, "value", t) != OX_OK) return NULL;
    }
    ox_value *paddings = ox_with_i(ox_op_2(g, "Concat", pad, zeros), "axis", 0);
    int64_t pairs[2] = {-1, 2};
    paddings = ox_reshape(g, paddings, ox_const_i64s(g, pairs, 2));
    /* opset 10's flip(paddings, [0]) */
    int64_t axes[1] = {0}, starts[1] = {-1}, ends[1] = {-I64_MAX}, steps[1] = {-1};
    paddings = ox_slice(g, paddings, axes, starts, ends, steps, 1);
    int64_t perm[2] = {1, 0};
    paddings = ox_with_is(ox_op_1(g, "Transpose", paddings), "perm", perm, 2);
    paddings = ox_reshape(g, paddings, const1(g, -1));
    return ox_cast(g, paddings, OX_INT64);
}

static ox_status pad_input_form(ox_sym *g, const char *mode)
{
    ox_value *pads = onnx_paddings_11(g, g->in[0], g->in[1]);
    return ox_set_out(g, 0, ox_with_s(ox_op_2(g, "Pad", g->in[0], pads), "mode", mode));
}

/* Opset 11's constant_pad_nd: a constant 0-d value becomes a constant of the
 * input's dtype (torch's _if_scalar_type_as); None stays an omitted input. */
static ox_status constant_pad_11(ox_sym *g, int vi)
{
    ox_value *x = g->in[0];
    ox_value *value = vi < g->nin ? g->in[vi] : ox_none(g);
    ox_value *pads = onnx_paddings_11(g, x, g->in[1]);
    if (!pads) return g->ctx->status;
    const ox_tensor *vt;
    if (value && is_const_value(value) && (vt = ox_value_const_tensor(value)) && vt->rank == 0 && vt->data) {
        ox_dtype dt = ox_elem_type(x) != OX_UNDEFINED ? ox_elem_type(x) : vt->dtype;
        double f = ox_tensor_get_f(vt, 0);
        value = ox_dtype_is_floating(dt) || dt == OX_BOOL ? ox_const_scalar(g, dt, f)
                                                          : ox_const_scalar(g, dt, (double)ox_tensor_get_i(vt, 0));
    }
    ox_value *in[3] = {x, pads, value};
    return ox_set_out(g, 0, ox_with_s(ox_opn(g, "Pad", 3, in), "mode", "constant"));
}

/* opset 9's _pad_circular (used by every opset): per padded dim, pieces
 * sliced off the input concatenated around it. torch 1.13 takes them as
 * below (the "left" piece is x[-(p+1):-1] with p from the dim's end pad),
 * which differs from eager circular padding; onnxify follows torch. */
static ox_status pad_circular(ox_sym *g)
{
    int64_t *pad;
    int n;
    OX_TRY(pad_sizes_9(g, &pad, &n));
    if (n % 2 != 0) return ox_sym_error(g, 1, "circular padding needs an even number of padding values, got %d", n);
    ox_value *cur = g->in[0];
    for (int idx = 0; idx < n / 2; idx++) {
        int64_t pad_l = pad[n - (2 * idx + 1)], pad_r = pad[n - (2 * idx + 2)];
        int64_t axis[1] = {2 + idx};
        ox_value *pieces[3];
        int k = 0;
        if (pad_l > 0) {
            int64_t s[1] = {-(pad_l + 1)}, e[1] = {-1};
            pieces[k++] = ox_slice(g, cur, axis, s, e, NULL, 1);
        }
        if (pad_l < 0 || pad_r < 0) {
            int64_t s[1] = {pad_l < 0 ? -pad_l : 0}, e[1] = {-(1 + (pad_r < 0 ? -pad_r : 0))};
            pieces[k++] = ox_slice(g, cur, axis, s, e, NULL, 1);
        } else {
            pieces[k++] = cur;
        }
        if (pad_r > 0) {
            int64_t s[1] = {0}, e[1] = {pad_r};
            pieces[k++] = ox_slice(g, cur, axis, s, e, NULL, 1);
        }
        cur = ox_with_i(ox_opn(g, "Concat", k, pieces), "axis", 2 + idx);
        if (!cur) return g->ctx->status;
    }
    return ox_set_out(g, 0, cur);
}

static ox_status constant_pad_nd_9(ox_sym *g) { return constant_pad_9(g, 2); }
static ox_status constant_pad_nd_11(ox_sym *g) { return constant_pad_11(g, 2); }
static ox_status reflection_pad_9(ox_sym *g) { return pad_attr_form(g, "reflect", false, 0); }
static ox_status reflection_pad_11(ox_sym *g) { return pad_input_form(g, "reflect"); }
static ox_status replication_pad_9(ox_sym *g) { return pad_attr_form(g, "edge", false, 0); }
static ox_status replication_pad_11(ox_sym *g) { return pad_input_form(g, "edge"); }

static ox_status pad_common(ox_sym *g, bool input_form)
{
    const char *mode;
    OX_TRY(ox_arg_str(g, 2, &mode));
    if (!strcmp(mode, "replicate")) return input_form ? replication_pad_11(g) : replication_pad_9(g);
    if (!strcmp(mode, "reflect")) return input_form ? reflection_pad_11(g) : reflection_pad_9(g);
    if (!strcmp(mode, "constant")) return input_form ? constant_pad_11(g, 3) : constant_pad_9(g, 3);
    if (!strcmp(mode, "circular")) return pad_circular(g);
    return ox_sym_error(g, 0, "Unrecognized padding mode %s", mode);
}

static ox_status pad_9(ox_sym *g) { return pad_common(g, false); }
static ox_status pad_11(ox_sym *g) { return pad_common(g, true); }

/* ---- meshgrid, pixel_shuffle, pixel_unshuffle ------------------------------ */

#define MESH_MAX 64

/* aten::meshgrid(tensors[, indexing]): each tensor flattened, reshaped to
 * 1 everywhere but its own dim, and expanded to the joint shape; a
 * prim::ListConstruct of the results (the model's ListUnpack takes them).
 * indexing 'xy' swaps the first two tensors and the first two results
 * (torch 1.13's symbolic means to, but fails on it). */
static ox_status meshgrid(ox_sym *g)
{
    const char *indexing = "ij";
    if (g->nin >= 2 && !is_none(g, 1)) OX_TRY(ox_arg_str(g, 1, &indexing));
    if (strcmp(indexing, "ij") != 0 && strcmp(indexing, "xy") != 0)
        return ox_sym_error(g, 0, "Unsupported indexing: %s", indexing);
    if (!is_list_construct(g->in[0]))
        return ox_sym_error(g, 0, "ONNX symbolic expected node type prim::ListConstruct, got '%s'.",
                            g->in[0]->node->kind);
    ox_node *list = g->in[0]->node;
    int n = list->ninputs;
    if (n < 1 || n > MESH_MAX) return ox_sym_error(g, 0, "meshgrid of %d tensors is not supported", n);
    bool xy = strcmp(indexing, "xy") == 0 && n >= 2;
    ox_value *ts[MESH_MAX], *shapes[MESH_MAX], *outs[MESH_MAX];
    for (int i = 0; i < n; i++) ts[i] = list->inputs[i];
    if (xy) {
        ox_value *t0 = ts[0];
        ts[0] = ts[1];
        ts[1] = t0;
    }
    for (int i = 0; i < n; i++) ts[i] = ox_reshape(g, ts[i], const1(g, -1));
    for (int i = 0; i < n; i++) shapes[i] = ox_op_1(g, "Shape", ts[i]);
    ox_value *out_shape = ox_with_i(ox_opn(g, "Concat", n, shapes), "axis", 0);
    for (int i = 0; i < n; i++) {
        ox_value *one = const1(g, 1), *shape_i[MESH_MAX];
        for (int j = 0; j < n; j++) shape_i[j] = j == i ? shapes[i] : one;
        ox_value *reshaped = ox_reshape(g, ts[i], ox_with_i(ox_opn(g, "Concat", n, shape_i), "axis", 0));
        outs[i] = ox_op_2(g, "Expand", reshaped, out_shape);
        if (!outs[i]) return ox_set_out(g, 0, NULL);
    }
    if (xy) {
        ox_value *o0 = outs[0];
        outs[0] = outs[1];
        outs[1] = o0;
    }
    /* The results are the model's tensors (torch gives them the types of the
     * ListUnpack outputs): the input dtypes, the joint static shape. */
    int64_t dims[MESH_MAX];
    for (int i = 0; i < n; i++) {
        ox_value *t = list->inputs[xy && i < 2 ? 1 - i : i];
        dims[i] = ox_type_is_static(t->type) ? ox_type_numel(t->type) : OX_DIM_UNKNOWN;
    }
    for (int i = 0; i < n; i++) {
        ox_type *t = ox_type_tensor(g->graph->arena, ox_elem_type(list->inputs[i]), n, dims);
        if (!t) return OX_NOMEM(g->ctx);
        outs[i]->type = t;
    }
    ox_node *l = ox_op(g, "prim::ListConstruct", 1, n, outs);
    return ox_set_out(g, 0, l ? l->outputs[0] : NULL);
}

/* The factor of pixel_(un)shuffle: a constant int > 0. */
static ox_status shuffle_factor(ox_sym *g, int64_t *f)
{
    OX_TRY(ox_arg_int(g, 1, f));
    if (*f <= 0 || *f > ((int64_t)1 << 20))
        return ox_sym_error(g, 1, "Unsupported: ONNX export of %s with factor %lld", ox_kind_name(g->op),
                            (long long)*f);
    return OX_OK;
}

/* Reshape to a constant shape (allowzero 0 from opset 14). */
static ox_value *reshape_to(ox_sym *g, ox_value *x, const int64_t *shape, int n)
{
    return x ? ox_reshape(g, x, ox_const_i64s(g, shape, n)) : NULL;
}

/* Opset 9: Reshape / Transpose / Reshape with the static sizes, or, when a
 * size past the batch is unknown, a chain of 0/-1 reshapes. */
static ox_status pixel_shuffle_9(ox_sym *g)
{
    int64_t f;
    OX_TRY(shuffle_factor(g, &f));
    ox_value *x = g->in[0];
    if (ox_rank(x) != 4) return unimplemented(g, "pixel_shuffle", "only support 4d input", true);
    int64_t c = ox_static_dim(x, 1), h = ox_static_dim(x, 2), w = ox_static_dim(x, 3);
    static const int64_t perm[6] = {0, 1, 4, 2, 5, 3};
    if (c < 0 || h < 0 || w < 0) {
        const int64_t axes[2] = {2, 3}, s1[6] = {0, -1, f, f, 0, 0}, s2[6] = {0, 0, -1, 1, 0, 0},
                      s3[6] = {0, 0, 0, 0, -1, 1}, sq[2] = {3, 5};
        ox_value *v = reshape_to(g, ox_unsqueeze(g, x, axes, 2), s1, 6);
        v = ox_with_is(ox_op_1(g, "Transpose", v), "perm", perm, 6);
        v = reshape_to(g, reshape_to(g, v, s2, 6), s3, 6);
        return ox_set_out(g, 0, ox_squeeze(g, v, sq, 2));
    }
    int64_t oc = c / f / f;
    const int64_t s1[6] = {-1, oc, f, f, h, w}, s2[4] = {-1, oc, h * f, w * f};
    ox_value *v = ox_with_is(ox_op_1(g, "Transpose", reshape_to(g, x, s1, 6)), "perm", perm, 6);
    return ox_set_out(g, 0, reshape_to(g, v, s2, 4));
}

/* Opset 11: DepthToSpace in CRD mode. */
static ox_status pixel_shuffle_11(ox_sym *g)
{
    int64_t f;
    OX_TRY(shuffle_factor(g, &f));
    int r = ox_rank(g->in[0]);
    if (r >= 0 && r != 4) return unimplemented(g, "pixel_shuffle", "only support 4d input", false);
    ox_value *y = ox_with_i(ox_op_1(g, "DepthToSpace", g->in[0]), "blocksize", f);
    return ox_set_out(g, 0, ox_with_s(y, "mode", "CRD"));
}

/* pixel_unshuffle (every opset): Reshape / Transpose / Reshape. torch's
 * message names pixel_shuffle. */
static ox_status pixel_unshuffle(ox_sym *g)
{
    int64_t f;
    OX_TRY(shuffle_factor(g, &f));
    ox_value *x = g->in[0];
    if (ox_rank(x) != 4) return unimplemented(g, "pixel_shuffle", "only support 4d input", true);
    int64_t c = ox_static_dim(x, 1), h = ox_static_dim(x, 2), w = ox_static_dim(x, 3);
    static const int64_t perm[6] = {0, 1, 3, 5, 2, 4};
    if (c < 0 || h < 0 || w < 0) {
        const int64_t axes[1] = {3}, s1[5] = {0, 0, -1, f, 0}, s2[6] = {0, 0, 0, 0, -1, f},
                      s3[6] = {0, -1, 1, 1, 0, 0}, sq[2] = {2, 3};
        ox_value *v = reshape_to(g, reshape_to(g, ox_unsqueeze(g, x, axes, 1), s1, 5), s2, 6);
        v = ox_with_is(ox_op_1(g, "Transpose", v), "perm", perm, 6);
        return ox_set_out(g, 0, ox_squeeze(g, reshape_to(g, v, s3, 6), sq, 2));
    }
    const int64_t s1[6] = {-1, c, h / f, f, w / f, f}, s2[4] = {-1, c * f * f, h / f, w / f};
    ox_value *v = ox_with_is(ox_op_1(g, "Transpose", reshape_to(g, x, s1, 6)), "perm", perm, 6);
    return ox_set_out(g, 0, reshape_to(g, v, s2, 4));
}

/* ---- the table ----------------------------------------------------------- */

const ox_symbolic_entry ox_symbolics_shape[] = {
    {"aten::view", 9, reshape},
    {"aten::reshape", 9, reshape},
    {"aten::reshape", 14, reshape},
    {"aten::view_as", 9, reshape_as},
    {"aten::reshape_as", 9, reshape_as},
    {"aten::_reshape_from_tensor", 9, reshape_from_tensor},
    {"aten::_shape_as_tensor", 9, shape_as_tensor},
    {"aten::flatten", 8, flatten_8},
    {"aten::flatten", 9, flatten_9},
    {"aten::flatten", 11, flatten_11},
    {"aten::unflatten", 13, unflatten_13},
    {"aten::transpose", 9, transpose},
    {"aten::t", 9, t},
    {"aten::numpy_T", 9, numpy_T},
    {"aten::permute", 9, permute},
    {"aten::contiguous", 9, contiguous},
    {"aten::size", 9, size_9},
    {"aten::size", 11, size_11},
    {"aten::dim", 9, dim},
    {"aten::numel", 9, numel},
    {"aten::squeeze", 9, squeeze_9},
    {"aten::squeeze", 11, squeeze_11},
    {"aten::unsqueeze", 9, unsqueeze_9},
    {"aten::unsqueeze", 11, unsqueeze_11},
    {"aten::cat", 9, cat_9},
    {"aten::cat", 11, cat_11},
    {"aten::stack", 9, stack_9},
    {"aten::stack", 11, stack_11},
    {"aten::expand", 7, blocked_7},
    {"aten::expand", 9, expand_9},
    {"aten::expand_as", 7, blocked_7},
    {"aten::expand_as", 9, expand_as},
    {"aten::repeat", 8, repeat_8},
    {"aten::repeat", 9, repeat_9},
    {"aten::split", 9, split_9},
    {"aten::split", 11, split_11},
    {"aten::split", 13, split_13},
    {"aten::split_with_sizes", 9, split_with_sizes_9},
    {"aten::split_with_sizes", 11, split_11},
    {"aten::split_with_sizes", 13, split_13},
    {"aten::unsafe_split", 9, split_9},
    {"aten::unsafe_split", 13, split_13},
    {"aten::unsafe_split_with_sizes", 9, split_with_sizes_9},
    {"aten::unsafe_split_with_sizes", 13, split_13},
    {"aten::unsafe_chunk", 9, unsafe_chunk_9},
    {"aten::unsafe_chunk", 13, unsafe_chunk_13},
    {"aten::chunk", 11, chunk_11},
    {"prim::ConstantChunk", 9, constant_chunk_9},
    {"prim::ConstantChunk", 11, constant_chunk_11},
    {"prim::ConstantSplit", 9, constant_split_9},
    {"aten::unbind", 9, unbind_9},
    {"aten::unbind", 11, unbind_11},
    {"aten::unbind", 13, unbind_13},
    {"aten::select", 9, select_9},
    {"aten::select", 11, select_11},
    {"aten::slice", 9, slice_9},
    {"aten::slice", 10, slice_10},
    {"aten::narrow", 9, narrow_9},
    {"aten::narrow", 11, narrow_11},
    {"aten::type_as", 9, type_as},
    {"aten::pad", 9, pad_9},
    {"aten::pad", 11, pad_11},
    {"aten::constant_pad_nd", 9, constant_pad_nd_9},
    {"aten::constant_pad_nd", 11, constant_pad_nd_11},
    {"aten::reflection_pad1d", 9, reflection_pad_9},
    {"aten::reflection_pad1d", 11, reflection_pad_11},
    {"aten::reflection_pad2d", 9, reflection_pad_9},
    {"aten::reflection_pad2d", 11, reflection_pad_11},
    {"aten::reflection_pad3d", 9, reflection_pad_9},
    {"aten::reflection_pad3d", 11, reflection_pad_11},
    {"aten::replication_pad1d", 9, replication_pad_9},
    {"aten::replication_pad1d", 11, replication_pad_11},
    {"aten::replication_pad2d", 9, replication_pad_9},
    {"aten::replication_pad2d", 11, replication_pad_11},
    {"aten::replication_pad3d", 9, replication_pad_9},
    {"aten::replication_pad3d", 11, replication_pad_11},
    {"aten::_pad_circular", 9, pad_circular},
    {"aten::meshgrid", 7, blocked_7},
    {"aten::meshgrid", 9, meshgrid},
    {"aten::pixel_shuffle", 9, pixel_shuffle_9},
    {"aten::pixel_shuffle", 11, pixel_shuffle_11},
    {"aten::pixel_unshuffle", 9, pixel_unshuffle},
    {0},
};
