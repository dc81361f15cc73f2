/* Indexing ops: index_select, gather, scatter, scatter_add, embedding,
 * index (advanced indexing), masked_select, masked_scatter, index_put,
 * index_fill, index_copy, take, topk, sort, argsort, nonzero, cumsum, flip,
 * roll, tril, triu.
 *
 * Each symbolic emits what torch's function of the same name emits for the
 * target opset (torch 1.13 for opsets <= 17):
 *
 *   gather        9: OneHot along dim, Mul, ReduceSum;  11: GatherElements
 *   scatter       9: Scatter;  11: ScatterElements (a scalar src is expanded)
 *   scatter_add   9: scatter into zeros, then Add;  16: ScatterElements[add]
 *   index         Gather for one index, a flattened Gather for several,
 *                 NonZero for masks (11: GatherND for a single mask)
 *   topk / sort   9: TopK with k as attribute; 10: k as input; 11: largest
 *   cumsum        11: CumSum (opset 9 and 10 refuse it)
 *   flip          10: Slice with step -1;  roll: two Slices and a Concat
 *
 * Torch's own quirks are kept where they decide the ONNX (sort ignores
 * `descending` in opset 9; index_fill with a negative dim unsqueezes every
 * axis). Intermediate values get the types torch's per-node shape inference
 * would give them where a later decision reads them (int64 NonZero results,
 * the dtype of a reshaped index). Attributes are set in name order. */
#include <stdio.h>
#include <string.h>

#include "symbolic/families.h"
#include "symbolic/helpers.h"

#define I64_MAX ((int64_t)0x7fffffffffffffffLL)
#define MAX_INDICES 64 /* tensors in one index list: a bound against absurd input */

/* ---- small builders ------------------------------------------------------ */

/* The type torch's per-node shape inference gives an intermediate. */
static ox_value *typed(ox_sym *g, ox_value *v, ox_dtype dtype, int rank)
{
    if (!v) return NULL;
    ox_type *t = ox_type_tensor(g->graph->arena, dtype, rank, NULL);
    if (t) v->type = t;
    return v;
}

static ox_value *const1(ox_sym *g, int64_t v) { return ox_const_i64s(g, &v, 1); }

static ox_value **alloc_values(ox_sym *g, int n)
{
    ox_value **v = ox_arena_alloc(g->graph->arena, (size_t)(n + 1) * sizeof(ox_value *));
    if (!v) OX_NOMEM(g->ctx);
    return v;
}

static int64_t *alloc_ints(ox_sym *g, int n)
{
    int64_t *v = ox_arena_alloc(g->graph->arena, (size_t)(n + 1) * sizeof(int64_t));
    if (!v) OX_NOMEM(g->ctx);
    return v;
}

/* ---- reading inputs ------------------------------------------------------ */

/* The tensor of an onnx::Constant with data, else NULL. */
static const ox_tensor *onnx_const_tensor(ox_value *v)
{
    if (!ox_node_is(v->node, "onnx::Constant")) return NULL;
    const ox_tensor *t = ox_value_const_tensor(v);
    return t && t->data && ox_dtype_is_real(t->dtype) ? t : NULL;
}

/* torch's _maybe_get_scalar: a 0-d constant, else NULL. */
static const ox_tensor *const_scalar(ox_value *v)
{
    const ox_tensor *t = onnx_const_tensor(v);
    return t && t->rank == 0 ? t : NULL;
}

static bool is_mask(ox_value *v)
{
    ox_dtype t = ox_elem_type(v);
    return !ox_value_is_none(v) && (t == OX_BOOL || t == OX_UINT8);
}

/* Static size of dim d the way Python indexes a sizes list (negative from
 * the end); -1 when unknown or out of range. */
static int64_t static_dim(ox_value *v, int64_t d)
{
    int r = ox_rank(v);
    if (r < 0 || d < -r || d >= r) return -1;
    return ox_static_dim(v, (int)d);
}

/* ---- errors, torch's wording --------------------------------------------- */

static ox_status blocked_8(ox_sym *g)
{
    return ox_fail(g->ctx, ONNXIFY_ERR_EXPORTER,
                   "ONNX export failed on %s, which is not implemented for opset %d. Try exporting with other "
                   "opset versions. (%s)",
                   ox_kind_name(g->op), g->opset, ox_node_describe(g->node));
}

/* torch's _unimplemented(op, msg[, value]) */
static ox_status unimplemented(ox_sym *g, const char *op, const char *msg, bool with_value)
{
    return ox_ew_unimplemented(g, op, msg, with_value);
}

/* torch's _onnx_opset_unsupported(op, current, supported, value): the
 * current opset is the one the symbolic was written for. */
static ox_status opset_unsupported(ox_sym *g, const char *op, int current, int supported)
{
    return ox_sym_error(g, 0, "Unsupported: ONNX export of %s in opset %d. Please try opset version %d.", op, current,
                        supported);
}

/* ---- shared pieces -------------------------------------------------------- */

/* opset 9's nonzero: NonZero, transposed to [count, rank]. */
static ox_value *nonzero_t(ox_sym *g, ox_value *x)
{
    static const int64_t perm[2] = {1, 0};
    ox_value *nz = typed(g, ox_op_1(g, "NonZero", x), OX_INT64, 2);
    return typed(g, ox_with_is(ox_op_1(g, "Transpose", nz), "perm", perm, 2), OX_INT64, 2);
}

/* A fresh 0-d constant holding `t` converted to `dtype` (torch turning a
 * scalar into the tensor's type), or a copy of it when dtype is unknown. */
static ox_value *scalar_as(ox_sym *g, const ox_tensor *t, ox_dtype dtype)
{
    if (dtype == OX_UNDEFINED || dtype == t->dtype || ox_dtype_size(dtype) == 0 || dtype == OX_COMPLEX64 ||
        dtype == OX_COMPLEX128)
        return ox_const_tensor(g, (ox_tensor *)t);
    ox_tensor *c = ox_tensor_alloc(g->graph->arena, dtype, 0, NULL);
    if (!c) {
        OX_NOMEM(g->ctx);
        return NULL;
    }
    if (ox_dtype_is_floating(t->dtype)) ox_tensor_set_f(c, 0, ox_tensor_get_f(t, 0));
    else ox_tensor_set_i(c, 0, ox_tensor_get_i(t, 0));
    return ox_const_tensor(g, c);
}

/* The size opset 9's expand(x, size) expands to for a runtime size: -1
 * entries become 1 (ConstantOfShape of ones, Equal, Where). */
static ox_value *expand_size(ox_sym *g, ox_value *size)
{
    int64_t one = 1;
    ox_tensor *t = ox_tensor_alloc(g->graph->arena, OX_INT64, 1, &one);
    if (!t) {
        OX_NOMEM(g->ctx);
        return NULL;
    }
    ox_tensor_set_i(t, 0, 1);
    ox_value *ones = ox_with_t(ox_op_1(g, "ConstantOfShape", ox_op_1(g, "Shape", size)), "value", t);
    ox_value *neg_ones = ox_op_2(g, "Mul", ones, ox_const_i64(g, -1));
    ox_value *cond = typed(g, ox_op_2(g, "Equal", size, neg_ones), OX_BOOL, 1);
    return ox_op_3(g, "Where", cond, ones, size);
}

static ox_value *expand_dyn(ox_sym *g, ox_value *x, ox_value *size)
{
    return ox_op_2(g, "Expand", x, expand_size(g, size));
}

/* opset 9's expand_as(x, other) for a runtime x: Expand(x, Shape(other)). */
static ox_value *expand_as(ox_sym *g, ox_value *x, ox_value *other)
{
    return ox_op_2(g, "Expand", x, ox_op_1(g, "Shape", other));
}

/* torch's _select_helper: Gather along dim; a 0-d constant index becomes a
 * [1] constant, another 0-d index is reshaped to [1] (when `reshape`), and an
 * index that is not int64/int32 is cast to int64. */
static ox_value *select_index(ox_sym *g, ox_value *self, int64_t dim, ox_value *index, bool reshape)
{
    if (!index) return NULL;
    const ox_tensor *c = const_scalar(index);
    ox_dtype dt;
    if (c) {
        index = const1(g, ox_tensor_get_i(c, 0));
        dt = OX_INT64;
    } else {
        dt = ox_elem_type(index);
        if (reshape && ox_rank(index) == 0) index = typed(g, ox_reshape(g, index, const1(g, 1)), dt, 1);
    }
    if (dt != OX_INT64 && dt != OX_INT32) index = ox_cast(g, index, OX_INT64);
    return ox_with_i(ox_op_2(g, "Gather", self, index), "axis", dim);
}

/* ---- index_select / gather / embedding / take ---------------------------- */

static ox_status index_select(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 3));
    int64_t dim;
    OX_TRY(ox_arg_int(g, 1, &dim));
    return ox_set_out(g, 0, select_index(g, g->in[0], dim, g->in[2], true));
}

static bool sparse_grad(ox_sym *g)
{
    int64_t v;
    return g->nin > 3 && ox_node_is(g->in[3]->node, "onnx::Constant") && ox_value_const_int(g->in[3], &v) && v;
}

/* Opsets 9 and 10: sum over dim of self * one_hot(index). */
static ox_status gather_9(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 3));
    int64_t dim;
    OX_TRY(ox_arg_int(g, 1, &dim));
    ox_value *self = g->in[0], *index = g->in[2];
    if (sparse_grad(g)) return unimplemented(g, "gather", "sparse_grad == True", true);
    ox_dtype dt = ox_elem_type(self);
    if (dt == OX_UNDEFINED) return ox_sym_error(g, 0, "gather: the input's dtype is unknown");
    static const int64_t zero_one[2] = {0, 1};
    ox_value *values = ox_const_i64s(g, zero_one, 2);
    /* depth = self.size(dim), as opset 9's size computes it */
    ox_value *depth;
    int rank = ox_rank(self);
    if (dim < 0 && rank >= 0) {
        ox_value *shape = ox_op_1(g, "Shape", self);
        depth = ox_with_i(ox_op_2(g, "Gather", shape, ox_const_i64(g, dim + rank)), "axis", 0);
    } else {
        ox_value *d = const1(g, dim);
        ox_value *shape = ox_op_1(g, "Shape", self);
        depth = ox_with_i(ox_op_2(g, "Gather", shape, d), "axis", 0);
    }
    ox_value *onehot = ox_with_i(ox_op_3(g, "OneHot", index, depth, values), "axis", dim);
    ox_value *mask = ox_cast(g, onehot, dt);
    int64_t after = dim + 1;
    ox_value *mul = ox_op_2(g, "Mul", ox_unsqueeze(g, self, &after, 1), mask);
    return ox_set_out(g, 0, ox_reduce(g, "ReduceSum", mul, &dim, 1, false));
}

static ox_status gather_11(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 3));
    int64_t dim;
    OX_TRY(ox_arg_int(g, 1, &dim));
    if (sparse_grad(g)) return unimplemented(g, "gather", "sparse_grad == True", false);
    return ox_set_out(g, 0, ox_with_i(ox_op_2(g, "GatherElements", g->in[0], g->in[2]), "axis", dim));
}

/* embedding(weight, indices, padding_idx, scale_grad_by_freq, sparse) */
static ox_status embedding(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    int64_t padding_idx = -1;
    bool scale = false;
    if (g->nin > 2) OX_TRY(ox_arg_int(g, 2, &padding_idx));
    if (g->nin > 3) OX_TRY(ox_arg_bool(g, 3, &scale));
    if (scale && g->training)
        return ox_sym_error(g, 0,
                            "Unsupported: ONNX export of embedding with scale_grad_by_freq=True for training mode. "
                            "ONNX does not support scaling the gradients.");
    if (padding_idx >= 0 && g->training)
        ox_warn(g->ctx, "Warning: ONNX export of embedding with padding_idx >= 0 for training mode. ONNX does not "
                        "support not updating the embedding vector at padding_idx during training.");
    return ox_set_out(g, 0, ox_op_2(g, "Gather", g->in[0], g->in[1]));
}

/* take(self, index): the flattened input gathered, shaped like index. */
static ox_status take(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    ox_value *flat = ox_reshape(g, g->in[0], const1(g, -1));
    ox_value *out = select_index(g, flat, 0, g->in[1], true);
    return ox_set_out(g, 0, ox_reshape(g, out, ox_op_1(g, "Shape", g->in[1])));
}

/* ---- scatter / scatter_add ----------------------------------------------- */

/* Scatter (opsets < 11) or ScatterElements of src into self along dim; a
 * 0-d constant src is cast to self's type if needed and expanded to the
 * index's shape. */
static ox_value *scatter_value(ox_sym *g, ox_value *self, int64_t dim, ox_value *index, ox_value *src)
{
    const char *op = g->opset >= 11 ? "ScatterElements" : "Scatter";
    const ox_tensor *c = const_scalar(src);
    if (c) {
        ox_dtype self_dt = ox_elem_type(self);
        if (self_dt != c->dtype) {
            if (self_dt == OX_UNDEFINED) {
                ox_sym_error(g, 0, "%s: the input's dtype is unknown", g->op);
                return NULL;
            }
            src = ox_cast(g, ox_const_tensor(g, (ox_tensor *)c), self_dt);
            src = expand_as(g, src, index);
        } else {
            ox_value *shape = ox_op_1(g, "Shape", index);
            src = ox_op_2(g, "Expand", ox_const_tensor(g, (ox_tensor *)c), shape);
        }
    }
    return ox_with_i(ox_op_3(g, op, self, index, src), "axis", dim);
}

static ox_status scatter(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 4));
    int64_t dim;
    OX_TRY(ox_arg_int(g, 1, &dim));
    return ox_set_out(g, 0, scatter_value(g, g->in[0], dim, g->in[2], g->in[3]));
}

/* Opsets 9-15: src scattered into zeros (a constant when self's shape is
 * static), added to self. NULL with the error set when it cannot be. */
static ox_value *scatter_add_value(ox_sym *g, ox_value *self, int64_t dim, ox_value *index, ox_value *src)
{
    ox_dtype dt = ox_elem_type(self);
    if (dt == OX_UNDEFINED) {
        unimplemented(g, "scatter_add", "input dtype not accessible", true);
        return NULL;
    }
    if (dt == OX_COMPLEX64 || dt == OX_COMPLEX128 || ox_dtype_size(dt) == 0) {
        ox_sym_error(g, 0, "scatter_add: dtype %s cannot be exported", ox_ew_torch_type_name(dt));
        return NULL;
    }
    ox_value *zeros;
    int rank = ox_rank(self);
    if (rank > 0 && ox_type_is_static(self->type)) {
        ox_tensor *t = ox_tensor_alloc(g->graph->arena, dt, rank, self->type->dims);
        if (!t) {
            OX_NOMEM(g->ctx);
            return NULL;
        }
        zeros = ox_const_tensor(g, t);
    } else {
        int64_t one = 1;
        ox_tensor *t = ox_tensor_alloc(g->graph->arena, dt, 1, &one);
        if (!t) {
            OX_NOMEM(g->ctx);
            return NULL;
        }
        zeros = ox_with_t(ox_op_1(g, "ConstantOfShape", ox_op_1(g, "Shape", self)), "value", t);
    }
    zeros = typed(g, zeros, dt, rank);
    ox_value *scattered = scatter_value(g, zeros, dim, index, src);
    return ox_op_2(g, "Add", self, scattered);
}

static ox_status scatter_add_9(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 4));
    int64_t dim;
    OX_TRY(ox_arg_int(g, 1, &dim));
    return ox_set_out(g, 0, scatter_add_value(g, g->in[0], dim, g->in[2], g->in[3]));
}

/* index_add(self, dim, index, source, alpha): source (unsqueezed to self's
 * rank) expanded to self's shape with 1 along dim, the index unsqueezed and
 * expanded like it, then opset 9's scatter_add (Scatter or ScatterElements,
 * and Add) at every opset. */
static ox_status index_add(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 4));
    ox_warn(g->ctx, "Warning: ONNX export does not support duplicated values in 'index' field, this will cause the "
                    "ONNX model to be incorrect.");
    ox_value *self = g->in[0], *index = g->in[2], *other = g->in[3];
    if (g->nin > 4 && !ox_value_is_none(g->in[4])) {
        const ox_tensor *a = const_scalar(g->in[4]);
        if (!a || ox_tensor_get_f(a, 0) != 1) return unimplemented(g, "index_add", "alpha != 1", true);
    }
    int64_t dim;
    if (!ox_value_is_constant(g->in[1]) || !ox_value_const_int(g->in[1], &dim))
        return ox_sym_error(g, 0, "ONNX export does NOT support exporting 'index_add_()' function with unknown 'dim' value.");
    int rank = ox_rank(self), orank = ox_rank(other);
    if (rank < 0 || orank < 0)
        return ox_sym_error(g, 0,
                            "ONNX export does NOT support exporting 'index_add_()' function while the rank of self "
                            "tensor or tensor to be added is unknown.");
    if (rank > 64 || orank > rank) return ox_sym_error(g, 3, "index_add: source of rank %d for self of rank %d", orank, rank);
    /* source's sizes once unsqueezed at the end up to self's rank */
    int64_t osizes[65];
    for (int i = 0; i < rank; i++) osizes[i] = i < orank ? ox_static_dim(other, i) : 1;
    for (int r = orank; r < rank; r++) {
        int64_t at = r;
        other = ox_unsqueeze(g, other, &at, 1);
    }
    int64_t d = dim < 0 ? dim + rank : dim;
    if (d >= 0 && d < rank) {
        int64_t os = osizes[d], ss = ox_static_dim(self, (int)d);
        if (os >= 0 && ss >= 0 && os > ss)
            return ox_sym_error(g, 0, "ONNX export does not support exporting 'index_add_()' function with duplicated "
                                      "values in 'index' parameter yet.");
    }
    int64_t *axes = alloc_ints(g, rank), *starts = alloc_ints(g, rank), *ends = alloc_ints(g, rank);
    if (!axes || !starts || !ends) return g->ctx->status;
    for (int i = 0; i < rank; i++) {
        axes[i] = i;
        starts[i] = 0;
        ends[i] = i != dim ? I64_MAX : 1;
    }
    ox_value *like = ox_slice(g, self, axes, starts, ends, NULL, rank);
    other = expand_as(g, other, like);
    int irank = ox_rank(index);
    int64_t zero = 0;
    for (int64_t i = 0; i < dim; i++) {
        index = ox_unsqueeze(g, index, &zero, 1);
        if (irank >= 0) irank++;
    }
    for (int64_t i = 0; i < rank - dim - 1; i++) {
        if (irank < 0) return ox_sym_error(g, 2, "index_add: the index's rank is unknown");
        int64_t at = irank++;
        index = ox_unsqueeze(g, index, &at, 1);
    }
    return ox_set_out(g, 0, scatter_add_value(g, self, dim, expand_as(g, index, other), other));
}

/* A type's sizes as Python prints torch's varyingSizes(): "[2, None]", or "None". */
static const char *sizes_text(ox_sym *g, ox_value *v)
{
    int r = ox_rank(v);
    if (r < 0) return "None";
    size_t cap = 2 + (size_t)r * 24;
    char *s = ox_arena_alloc(g->graph->arena, cap);
    if (!s) return "?";
    size_t len = 0;
    s[len++] = '[';
    for (int i = 0; i < r && len < cap; i++) {
        int64_t d = ox_static_dim(v, i);
        if (d >= 0) len += (size_t)snprintf(s + len, cap - len, "%s%lld", i ? ", " : "", (long long)d);
        else len += (size_t)snprintf(s + len, cap - len, "%sNone", i ? ", " : "");
    }
    if (len + 2 > cap) len = cap - 2;
    s[len++] = ']';
    s[len] = 0;
    return s;
}

static bool same_sizes(ox_value *a, ox_value *b)
{
    int r = ox_rank(a);
    if (r != ox_rank(b)) return false;
    for (int i = 0; i < r; i++)
        if (ox_static_dim(a, i) != ox_static_dim(b, i)) return false;
    return true;
}

static ox_status scatter_add_16(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 4));
    int64_t dim;
    OX_TRY(ox_arg_int(g, 1, &dim));
    ox_value *self = g->in[0], *index = g->in[2], *src = g->in[3];
    if (!same_sizes(src, index)) {
        char msg[256];
        snprintf(msg, sizeof msg, "`index` (%s) should have the same dimensionality as `src` (%s)",
                 sizes_text(g, index), sizes_text(g, src));
        return unimplemented(g, "scatter_add", msg, false);
    }
    const ox_tensor *c = const_scalar(src);
    if (c) {
        ox_dtype self_dt = ox_elem_type(self);
        if (self_dt != c->dtype) {
            if (self_dt == OX_UNDEFINED) return ox_sym_error(g, 0, "scatter_add: the input's dtype is unknown");
            src = ox_cast(g, ox_const_tensor(g, (ox_tensor *)c), self_dt);
        }
    }
    ox_value *y = ox_with_i(ox_op_3(g, "ScatterElements", self, index, src), "axis", dim);
    return ox_set_out(g, 0, ox_with_s(y, "reduction", "add"));
}

/* ---- index --------------------------------------------------------------- */

/* The index tensors of aten::index / index_put: a ListConstruct's elements
 * (None for ":"), or the one value. */
static ox_status index_list(ox_sym *g, int i, ox_value ***out, int *n)
{
    ox_value *v = g->in[i];
    if (ox_node_is(v->node, "prim::ListConstruct")) {
        *n = v->node->ninputs;
        if (*n > MAX_INDICES) return ox_sym_error(g, i, "%s: too many indices (%d)", g->op, *n);
        *out = alloc_values(g, *n);
        if (!*out) return g->ctx->status;
        memcpy(*out, v->node->inputs, (size_t)*n * sizeof(ox_value *));
        return OX_OK;
    }
    *out = alloc_values(g, 1);
    if (!*out) return g->ctx->status;
    (*out)[0] = v;
    *n = 1;
    return OX_OK;
}

/* A bool/uint8 mask becomes the int64 positions of its nonzero elements. */
static ox_value *mask_to_index(ox_sym *g, ox_value *index)
{
    if (!is_mask(index)) return index;
    ox_warn(g->ctx, "Exporting aten::index operator with indices of type Byte. Only 1-D indices are supported. In any "
                    "other case, this will produce an incorrect ONNX graph.");
    int64_t one = 1;
    return typed(g, ox_squeeze(g, nonzero_t(g, index), &one, 1), OX_INT64, 1);
}

/* Several advanced indices: the indexed axes are moved to the front and
 * flattened into one, the indices combined into one flat index, gathered,
 * and the result reshaped (and transposed back when the indexed axes were
 * consecutive). */
static ox_value *index_advanced(ox_sym *g, ox_value *self, ox_value **idx, const int *adv, int count)
{
    int rank = ox_rank(self);
    ox_warn(g->ctx,
            "Exporting aten::index operator of advanced indexing in opset %d is achieved by combination of "
            "multiple ONNX operators, including Reshape, Transpose, Concat, and Gather. If indices include "
            "negative values, the exported graph will produce incorrect results.",
            g->opset);
    bool *is_adv = ox_arena_alloc(g->graph->arena, (size_t)rank + 1);
    ox_value **dims = alloc_values(g, rank);
    int64_t *perm = alloc_ints(g, rank);
    ox_value **parts = alloc_values(g, rank + 2);
    if (!is_adv || !dims || !perm || !parts) return NULL;
    memset(is_adv, 0, (size_t)rank + 1);
    for (int i = 0; i < count; i++) is_adv[adv[i]] = true;

    ox_value *shape = typed(g, ox_op_1(g, "Shape", self), OX_INT64, 1);
    for (int d = 0; d < rank; d++) dims[d] = ox_with_i(ox_op_2(g, "Gather", shape, const1(g, d)), "axis", 0);
    int np = 0;
    for (int i = 0; i < count; i++) perm[np++] = adv[i];
    for (int d = 0; d < rank; d++)
        if (!is_adv[d]) perm[np++] = d;
    ox_value *x = ox_with_is(ox_op_1(g, "Transpose", self), "perm", perm, rank);
    x = ox_with_i(ox_op_1(g, "Flatten", x), "axis", count);

    /* flat index = sum of idx_i * prod(sizes of the later indexed axes) */
    ox_value *cum = idx[adv[count - 1]];
    ox_value *mult = dims[adv[count - 1]];
    bool all_long = ox_elem_type(cum) == OX_INT64;
    for (int i = count - 2; i >= 0; i--) {
        ox_value *term = ox_op_2(g, "Mul", idx[adv[i]], mult);
        cum = ox_op_2(g, "Add", cum, term);
        mult = ox_op_2(g, "Mul", mult, dims[adv[i]]);
        all_long = all_long && ox_elem_type(idx[adv[i]]) == OX_INT64;
    }
    cum = typed(g, cum, all_long ? OX_INT64 : OX_UNDEFINED, 1);
    x = select_index(g, x, 0, cum, true);
    ox_value *cum_shape = ox_op_1(g, "Shape", cum);

    bool consecutive = adv[count - 1] - adv[0] == count - 1;
    int nparts = 0;
    if (consecutive) {
        parts[nparts++] = const1(g, -1);
        for (int d = 0; d < rank; d++)
            if (!is_adv[d]) parts[nparts++] = dims[d];
        ox_value *folded = ox_with_i(ox_opn(g, "Concat", nparts, parts), "axis", 0);
        x = ox_reshape(g, x, folded);
        int n = 0;
        for (int d = 1; d <= adv[0]; d++) perm[n++] = d;
        perm[n++] = 0;
        for (int d = adv[0] + 1; d <= rank - count; d++) perm[n++] = d;
        x = ox_with_is(ox_op_1(g, "Transpose", x), "perm", perm, n);
        nparts = 0;
        for (int d = 0; d < adv[0]; d++) parts[nparts++] = dims[d];
        parts[nparts++] = cum_shape;
        for (int d = adv[0]; d < rank; d++)
            if (!is_adv[d]) parts[nparts++] = dims[d];
    } else {
        parts[nparts++] = cum_shape;
        for (int d = 0; d < rank; d++)
            if (!is_adv[d]) parts[nparts++] = dims[d];
    }
    ox_value *final_shape = ox_with_i(ox_opn(g, "Concat", nparts, parts), "axis", 0);
    return ox_reshape(g, x, final_shape);
}

static ox_status index_9(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    ox_value **idx = NULL;
    int n = 0;
    OX_TRY(index_list(g, 1, &idx, &n));
    for (int i = 0; i < n; i++) idx[i] = mask_to_index(g, idx[i]);
    if (g->ctx->status != OX_OK) return g->ctx->status;
    for (int i = 0; i < n; i++)
        if (!idx[i]) return g->ctx->status != OX_OK ? g->ctx->status : OX_NOMEM(g->ctx);
    ox_value *self = g->in[0];
    if (n == 1) return ox_set_out(g, 0, select_index(g, self, 0, idx[0], false));
    int adv[MAX_INDICES], count = 0;
    for (int i = 0; i < n; i++)
        if (!ox_value_is_none(idx[i])) adv[count++] = i;
    if (count == 0) return ox_set_out(g, 0, self);
    if (count == 1) return ox_set_out(g, 0, select_index(g, self, adv[0], idx[adv[0]], true));
    int rank = ox_rank(self);
    if (rank < 0)
        return unimplemented(g, "aten::index",
                             "operator of advanced indexing on tensor of unknown rank. Try turning on shape "
                             "inference during export: torch.onnx._export(..., onnx_shape_inference=True).",
                             true);
    if (adv[count - 1] >= rank) return ox_sym_error(g, 1, "aten::index: too many indices for a tensor of rank %d", rank);
    return ox_set_out(g, 0, index_advanced(g, self, idx, adv, count));
}

/* Opset 11: a single mask is GatherND over its nonzero positions. */
static ox_status index_11(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    ox_value **idx = NULL;
    int n = 0;
    OX_TRY(index_list(g, 1, &idx, &n));
    if (n == 1 && is_mask(idx[0])) return ox_set_out(g, 0, ox_op_2(g, "GatherND", g->in[0], nonzero_t(g, idx[0])));
    return index_9(g);
}

/* masked_select(self, mask): GatherND at the positions of the broadcast mask. */
static ox_status masked_select(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    ox_value *index = nonzero_t(g, expand_as(g, g->in[1], g->in[0]));
    return ox_set_out(g, 0, ox_op_2(g, "GatherND", g->in[0], index));
}

/* masked_scatter(self, mask, source): the first count(mask) elements of the
 * flattened source, written at the mask's positions (ScatterND). */
static ox_value *masked_scatter_value(ox_sym *g, ox_value *self, ox_value *mask, ox_value *source)
{
    ox_value *index = nonzero_t(g, expand_as(g, mask, self));
    ox_value *flat = ox_reshape(g, source, const1(g, -1));
    ox_value *index_shape = ox_op_1(g, "Shape", index);
    ox_value *count = ox_with_i(ox_op_2(g, "Gather", index_shape, ox_const_i64(g, 0)), "axis", 0);
    ox_value *starts = const1(g, 0);
    int64_t zero = 0;
    ox_value *ends = ox_unsqueeze(g, count, &zero, 1);
    ox_value *axes = const1(g, 0);
    ox_value *head = ox_op_4(g, "Slice", flat, starts, ends, axes);
    return ox_op_3(g, "ScatterND", self, index, head);
}

static ox_status masked_scatter(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 3));
    return ox_set_out(g, 0, masked_scatter_value(g, g->in[0], g->in[1], g->in[2]));
}

/* ---- index_put ----------------------------------------------------------- */

static ox_status accumulate_arg(ox_sym *g, bool *acc)
{
    *acc = false;
    if (g->nin > 3 && !ox_value_is_none(g->in[3])) return ox_arg_bool(g, 3, acc);
    return OX_OK;
}

/* Opset 9: only an empty index list. */
static ox_status index_put_9(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 3));
    ox_value **idx = NULL;
    int n = 0;
    bool acc;
    OX_TRY(index_list(g, 1, &idx, &n));
    OX_TRY(accumulate_arg(g, &acc));
    if (n == 0) return ox_set_out(g, 0, acc ? ox_op_2(g, "Add", g->in[0], g->in[2]) : g->in[2]);
    return opset_unsupported(g, "index_put", 9, 11);
}

/* opset 9's masked_fill with a 0-d value: Where(bool mask, value, self). */
static ox_value *masked_fill_value(ox_sym *g, ox_value *self, ox_value *mask, ox_value *value)
{
    ox_value *m = ox_cast(g, mask, OX_BOOL);
    const ox_tensor *c = const_scalar(value);
    if (c) value = scalar_as(g, c, ox_elem_type(self));
    return ox_op_3(g, "Where", m, value, self);
}

/* Opset 11: ScatterND at the stacked indices; a single mask is masked_fill
 * (0-d values) or masked_scatter. */
static ox_status index_put_11(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 3));
    ox_value **idx = NULL;
    int n = 0;
    bool acc;
    OX_TRY(index_list(g, 1, &idx, &n));
    OX_TRY(accumulate_arg(g, &acc));
    ox_value *self = g->in[0], *values = g->in[2];
    if (n == 0) return ox_set_out(g, 0, values);
    int64_t last = -1;
    ox_value *index, *bshape;
    if (n > 1) {
        for (int i = 0; i < n; i++)
            if (ox_elem_type(idx[i]) == OX_BOOL) idx[i] = ox_op_1(g, "NonZero", idx[i]);
        index = idx[0];
        for (int i = 1; i < n; i++) index = ox_op_2(g, "Add", index, idx[i]);
        bshape = ox_op_1(g, "Shape", index);
        ox_value **cols = alloc_values(g, n);
        if (!cols) return g->ctx->status;
        for (int i = 0; i < n; i++) cols[i] = ox_unsqueeze(g, expand_dyn(g, idx[i], bshape), &last, 1);
        index = ox_with_i(ox_opn(g, "Concat", n, cols), "axis", -1);
    } else {
        index = idx[0];
        if (ox_elem_type(index) == OX_BOOL) {
            if (ox_rank(values) == 0) return ox_set_out(g, 0, masked_fill_value(g, self, index, values));
            return ox_set_out(g, 0, masked_scatter_value(g, self, index, values));
        }
        bshape = ox_op_1(g, "Shape", index);
        index = ox_unsqueeze(g, index, &last, 1);
    }
    int64_t axes[1] = {0}, starts[1] = {n}, ends[1] = {I64_MAX};
    ox_value *sub_shape = ox_slice(g, ox_op_1(g, "Shape", self), axes, starts, ends, NULL, 1);
    ox_value *values_shape = ox_with_i(ox_op_2(g, "Concat", bshape, sub_shape), "axis", 0);
    ox_dtype vdt = ox_elem_type(values);
    if (ox_rank(values) == 0) values = expand_dyn(g, values, values_shape);
    values = typed(g, ox_reshape(g, values, values_shape), vdt, -1);
    ox_dtype dt = ox_elem_type(self);
    if (dt == OX_UNDEFINED) return ox_sym_error(g, 0, "index_put: the input's dtype is unknown");
    if (dt != vdt) values = ox_cast(g, values, dt);
    if (!acc) return ox_set_out(g, 0, ox_op_3(g, "ScatterND", self, index, values));
    if (dt == OX_COMPLEX64 || dt == OX_COMPLEX128 || ox_dtype_size(dt) == 0)
        return ox_sym_error(g, 0, "index_put: dtype %s cannot be accumulated", ox_ew_torch_type_name(dt));
    int64_t one = 1;
    ox_tensor *zero = ox_tensor_alloc(g->graph->arena, dt, 1, &one);
    if (!zero) return OX_NOMEM(g->ctx);
    ox_value *zeros = ox_with_t(ox_op_1(g, "ConstantOfShape", ox_op_1(g, "Shape", self)), "value", zero);
    ox_value *scattered = ox_op_3(g, "ScatterND", zeros, index, values);
    return ox_set_out(g, 0, ox_op_2(g, "Add", self, scattered));
}

/* ---- index_fill / index_copy --------------------------------------------- */

/* torch's _index_fill_reshape_helper: the index unsqueezed to self's rank
 * and expanded to self's shape with size(index) along dim. Returns the
 * expanded index; *shape_out is the shape it was expanded to. */
static ox_value *index_fill_index(ox_sym *g, ox_value **shape_out)
{
    ox_value *self = g->in[0], *dimv = g->in[1], *index = g->in[2];
    int rank = ox_rank(self);
    if (rank < 0) {
        unimplemented(g, "index_fill", "input rank not accesible", false);
        return NULL;
    }
    int64_t dim;
    if (ox_arg_int(g, 1, &dim) != OX_OK) return NULL;
    int64_t *axes = alloc_ints(g, rank);
    if (!axes) return NULL;
    int n = 0;
    for (int i = 0; i < rank; i++)
        if (i != dim) axes[n++] = i;
    ox_value *unsqueezed = ox_unsqueeze(g, index, axes, n);
    int64_t zero = 0;
    ox_value *self_shape = ox_op_1(g, "Shape", self);
    ox_value *at = ox_unsqueeze(g, dimv, &zero, 1);
    ox_value *index_shape = typed(g, ox_op_1(g, "Shape", index), OX_INT64, 1);
    ox_value *shape = scatter_value(g, self_shape, 0, at, index_shape);
    *shape_out = shape;
    return expand_dyn(g, unsqueezed, shape);
}

static ox_status index_fill(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 4));
    int64_t dim;
    OX_TRY(ox_arg_int(g, 1, &dim));
    ox_value *shape = NULL;
    ox_value *index = index_fill_index(g, &shape);
    if (!index) return g->ctx->status != OX_OK ? g->ctx->status : OX_NOMEM(g->ctx);
    /* a constant value is made (in self's type) when Expand takes it */
    ox_value *size = expand_size(g, shape);
    ox_value *value = g->in[3];
    const ox_tensor *c = const_scalar(value);
    if (c && size) value = scalar_as(g, c, ox_elem_type(g->in[0]));
    ox_value *expanded = ox_op_2(g, "Expand", value, size);
    return ox_set_out(g, 0, scatter_value(g, g->in[0], dim, index, expanded));
}

static ox_status index_copy(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 4));
    int64_t dim;
    OX_TRY(ox_arg_int(g, 1, &dim));
    ox_value *shape = NULL;
    ox_value *index = index_fill_index(g, &shape);
    if (!index) return g->ctx->status != OX_OK ? g->ctx->status : OX_NOMEM(g->ctx);
    return ox_set_out(g, 0, scatter_value(g, g->in[0], dim, index, g->in[3]));
}

/* ---- topk / sort / argsort ----------------------------------------------- */

static ox_status set_pair(ox_sym *g, ox_node *topk)
{
    if (!topk) return g->ctx->status != OX_OK ? g->ctx->status : OX_NOMEM(g->ctx);
    if (g->nout != 2) return ox_sym_error(g, 0, "%s gives 2 outputs, the node has %d", g->op, g->nout);
    OX_TRY(ox_set_out(g, 0, topk->outputs[0]));
    return ox_set_out(g, 1, topk->outputs[1]);
}

/* TopK with two outputs; k is an input from opset 10 (NULL before). */
static ox_node *topk_node(ox_sym *g, ox_value *x, ox_value *k, bool k_input)
{
    ox_value *in[2] = {x, k};
    if (!x || (k_input && !k)) return NULL;
    return ox_op(g, "TopK", 2, k_input ? 2 : 1, in);
}

static ox_node *attrs(ox_node *n, int64_t axis, int64_t k, int largest, int sorted)
{
    if (!n) return NULL;
    if (ox_node_set_i(n, "axis", axis) != OX_OK) return NULL;
    if (k >= 0 && ox_node_set_i(n, "k", k) != OX_OK) return NULL;
    if (largest >= 0 && ox_node_set_i(n, "largest", largest) != OX_OK) return NULL;
    if (sorted >= 0 && ox_node_set_i(n, "sorted", sorted) != OX_OK) return NULL;
    return n;
}

/* topk(self, k, dim, largest, sorted): opset 9, k an attribute. */
static ox_status topk_9(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 5));
    int64_t k, dim, largest, sorted;
    OX_TRY(ox_arg_int(g, 1, &k));
    OX_TRY(ox_arg_int(g, 2, &dim));
    OX_TRY(ox_arg_int(g, 3, &largest));
    OX_TRY(ox_arg_int(g, 4, &sorted));
    if (g->nin > 5) return unimplemented(g, "TopK", "Out parameter is not supported for topk", true);
    if (!largest) return unimplemented(g, "TopK", "Ascending TopK is not supported", true);
    return set_pair(g, attrs(topk_node(g, g->in[0], NULL, false), dim, k, -1, -1));
}

/* Opset 10: k an input (reshaped to [1], int64); 11 adds largest/sorted. */
static ox_status topk_10(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 5));
    int64_t dim, largest, sorted;
    OX_TRY(ox_arg_int(g, 2, &dim));
    OX_TRY(ox_arg_int(g, 3, &largest));
    OX_TRY(ox_arg_int(g, 4, &sorted));
    if (g->nin > 5) return unimplemented(g, "TopK", "Out parameter is not supported", false);
    ox_dtype kt = ox_elem_type(g->in[1]);
    ox_value *k = typed(g, ox_reshape(g, g->in[1], const1(g, 1)), kt, 1);
    if (kt != OX_INT64) k = ox_cast(g, k, OX_INT64);
    if (g->opset <= 10) {
        if (!largest) return unimplemented(g, "TopK", "Ascending is not supported", false);
        return set_pair(g, attrs(topk_node(g, g->in[0], k, true), dim, -1, -1, -1));
    }
    return set_pair(g, attrs(topk_node(g, g->in[0], k, true), dim, -1, largest ? 1 : 0, sorted ? 1 : 0));
}

/* sort(self, dim, descending), opset 9: TopK over the whole (static) dim;
 * torch does not look at `descending` here. */
static ox_status sort_9(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 3));
    int64_t dim, descending;
    OX_TRY(ox_arg_int(g, 1, &dim));
    OX_TRY(ox_arg_int(g, 2, &descending));
    (void)descending;
    if (g->nin > 3) return unimplemented(g, "Sort", "Out parameter is not supported for sort", true);
    int64_t size = static_dim(g->in[0], dim);
    if (size < 0) return unimplemented(g, "Sort", "input size not accessible", true);
    return set_pair(g, attrs(topk_node(g, g->in[0], NULL, false), dim, size, -1, -1));
}

/* torch's _sort_helper: k = size(dim) at run time. */
static ox_node *sort_topk(ox_sym *g, int64_t dim, bool descending, ox_status *st)
{
    ox_value *shape = ox_op_1(g, "Shape", g->in[0]);
    ox_value *size = ox_op_2(g, "Gather", shape, const1(g, dim));
    if (g->opset <= 10) {
        if (!descending) {
            *st = unimplemented(g, "Sort", "Ascending is not supported", false);
            return NULL;
        }
        return attrs(topk_node(g, g->in[0], size, true), dim, -1, -1, -1);
    }
    return attrs(topk_node(g, g->in[0], size, true), dim, -1, descending ? 1 : 0, -1);
}

static ox_status sort_10(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 3));
    int64_t dim, descending;
    OX_TRY(ox_arg_int(g, 1, &dim));
    OX_TRY(ox_arg_int(g, 2, &descending));
    if (g->nin > 3) return unimplemented(g, "Sort", "Out parameter is not supported", false);
    ox_status st = OX_OK;
    ox_node *n = sort_topk(g, dim, descending != 0, &st);
    if (st != OX_OK) return st;
    return set_pair(g, n);
}

static ox_status argsort_11(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 3));
    int64_t dim, descending;
    OX_TRY(ox_arg_int(g, 1, &dim));
    OX_TRY(ox_arg_int(g, 2, &descending));
    if (g->nin > 3) return unimplemented(g, "Sort", "Out parameter is not supported", false);
    ox_status st = OX_OK;
    ox_node *n = sort_topk(g, dim, descending != 0, &st);
    if (st != OX_OK) return st;
    if (!n) return g->ctx->status != OX_OK ? g->ctx->status : OX_NOMEM(g->ctx);
    return ox_set_out(g, 0, n->outputs[1]);
}

/* ---- nonzero / cumsum / flip / roll / tril / triu ------------------------ */

static ox_status nonzero(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    return ox_set_out(g, 0, nonzero_t(g, g->in[0]));
}

static ox_status cumsum_9(ox_sym *g) { return opset_unsupported(g, "cumsum", 9, 11); }

/* cumsum(self, dim, dtype): CumSum with an int32 axis; a given dtype casts first. */
static ox_status cumsum_11(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    int64_t dim;
    OX_TRY(ox_arg_int(g, 1, &dim));
    ox_tensor *axis = ox_tensor_alloc(g->graph->arena, OX_INT32, 0, NULL);
    if (!axis) return OX_NOMEM(g->ctx);
    ox_tensor_set_i(axis, 0, dim);
    ox_value *axis_v = ox_const_tensor(g, axis);
    ox_value *x = g->in[0];
    if (g->nin > 2 && ox_node_is(g->in[2]->node, "onnx::Constant")) {
        int64_t st;
        ox_dtype dt;
        if (!ox_value_const_int(g->in[2], &st) || !ox_ew_onnx_dtype(st, &dt))
            return ox_sym_error(g, 2, "cumsum: the dtype argument is not a ScalarType");
        x = ox_cast(g, x, dt);
    }
    return ox_set_out(g, 0, ox_op_2(g, "CumSum", x, axis_v));
}

/* flip(self, dims): Slice from -1 down to the start with step -1. */
static ox_status flip_10(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    int64_t *dims;
    int n;
    OX_TRY(ox_arg_ints(g, 1, &dims, &n));
    int64_t *starts = alloc_ints(g, n), *ends = alloc_ints(g, n), *steps = alloc_ints(g, n);
    if (!starts || !ends || !steps) return g->ctx->status;
    for (int i = 0; i < n; i++) {
        starts[i] = -1;
        ends[i] = -I64_MAX;
        steps[i] = -1;
    }
    return ox_set_out(g, 0, ox_slice(g, g->in[0], dims, starts, ends, steps, n));
}

/* roll(self, shifts, dims): per dim, Concat(x[-s:], x[:-s]). */
static ox_status roll(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 3));
    int64_t *shifts, *dims;
    int ns, nd;
    OX_TRY(ox_arg_ints(g, 1, &shifts, &ns));
    OX_TRY(ox_arg_ints(g, 2, &dims, &nd));
    if (ns != nd) return ox_sym_error(g, 1, "roll: %d shifts for %d dims", ns, nd);
    ox_value *x = g->in[0];
    for (int i = 0; i < ns; i++) {
        if (shifts[i] == INT64_MIN) return ox_sym_error(g, 1, "roll: shift out of range");
        int64_t axes[1] = {dims[i]}, s1[1] = {-shifts[i]}, e1[1] = {I64_MAX}, s2[1] = {0}, e2[1] = {-shifts[i]};
        ox_value *tail = ox_slice(g, x, axes, s1, e1, NULL, 1);
        ox_value *head = ox_slice(g, x, axes, s2, e2, NULL, 1);
        x = ox_with_i(ox_op_2(g, "Concat", tail, head), "axis", dims[i]);
    }
    return ox_set_out(g, 0, x);
}

static ox_status trilu(ox_sym *g, int upper)
{
    if (g->nin < 2) return ox_sym_error(g, 0, "%s expects (self, diagonal)", g->op);
    return ox_set_out(g, 0, ox_with_i(ox_op_2(g, "Trilu", g->in[0], g->in[1]), "upper", upper));
}

static ox_status tril_14(ox_sym *g) { return trilu(g, 0); }
static ox_status triu_14(ox_sym *g) { return trilu(g, 1); }

/* ---- repeat_interleave --------------------------------------------------- */

/* Static sizes of v like torch's varyingSizes(): -1 for an unknown dim;
 * NULL (rank -1) when the rank is unknown. */
static int64_t *sizes_of(ox_sym *g, ox_value *v, int *rank)
{
    *rank = ox_rank(v);
    if (*rank < 0) return NULL;
    int64_t *s = alloc_ints(g, *rank);
    if (!s) return NULL;
    for (int i = 0; i < *rank; i++) s[i] = ox_static_dim(v, i);
    return s;
}

static ox_status opset_unsupported_detailed(ox_sym *g, const char *op, int current, int supported, const char *reason)
{
    return ox_sym_error(g, 0, "Unsupported: ONNX export of %s in opset %d. %s. Please try opset version %d.", op,
                        current, reason, supported);
}

/* repeat_interleave(self, repeats, dim, output_size) with the size along
 * dim and the number of repeats known at export time (torch's opset 9 form,
 * which opset 13 keeps for that case): self and repeats are split into
 * single slices, each slice is expanded by its repeat count, and the pieces
 * are concatenated. Without dim the input is flattened first. Like torch,
 * a negative dim is used as given. */
static ox_status repeat_interleave(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    ox_value *self = g->in[0], *repeats = g->in[1], *input = self;
    int64_t dim = 0;
    if (g->nin < 3 || ox_value_is_none(g->in[2])) {
        input = ox_reshape(g, self, const1(g, -1));
        if (!input) return g->ctx->status;
        int64_t numel = ox_type_numel(self->type);
        input = typed(g, input, ox_elem_type(self), 1);
        if (numel >= 0 && ox_type_is_tensor(input->type)) input->type->dims[0] = numel;
    } else {
        OX_TRY(ox_arg_int(g, 2, &dim));
    }
    int rrank, irank;
    int64_t *rsizes = sizes_of(g, repeats, &rrank);
    int64_t *isizes = sizes_of(g, input, &irank);
    if (g->ctx->status != OX_OK) return g->ctx->status;
    if (rrank < 0) return ox_sym_error(g, 0, "Unsupported: ONNX export of repeat_interleave for unknown repeats rank.");
    if (irank < 0) return ox_sym_error(g, 0, "Unsupported: ONNX export of repeat_interleave for unknown input size.");
    int64_t d = dim < 0 ? dim + irank : dim; /* Python indexing of the sizes list */
    if (d < 0 || d >= irank) return ox_sym_error(g, 2, "repeat_interleave: dim %lld out of range", (long long)dim);
    /* opset 13 normalizes a negative dim (torch adds the rank in place, to
     * the constant itself); opset 9 keeps it as given */
    if (g->opset >= 13) dim = d;
    int64_t size = isizes[d];
    int64_t reps;
    if (rrank == 0 || (rrank == 1 && rsizes[0] == 1)) {
        if (size < 0) {
            if (g->opset >= 13)
                return ox_sym_unsupported(g, "repeat_interleave along a dimension of unknown size (torch's Loop form)");
            return opset_unsupported_detailed(g, "repeat_interleave", 9, 13,
                                              "Unsupported along dimension with unknown input size");
        }
        reps = size;
        repeats = expand_dyn(g, repeats, const1(g, reps));
    } else if (rrank == 1) {
        if (g->opset >= 13 && (size < 0 || rsizes[0] < 0))
            return ox_sym_unsupported(g, "repeat_interleave with dynamic sizes or repeats (torch's Loop form)");
        if (size < 0)
            return opset_unsupported_detailed(g, "repeat_interleave", 9, 13,
                                              "Unsupported along dimension with unknown input size");
        if (rsizes[0] < 0)
            return opset_unsupported_detailed(g, "repeat_interleave", 9, 13, "Unsupported for cases with dynamic repeats");
        if (rsizes[0] != size) return ox_sym_error(g, 1, "repeats must have the same size as input along dim");
        reps = rsizes[0];
    } else {
        return ox_sym_error(g, 0, "repeats must be 0-dim or 1-dim tensor");
    }
    if (reps <= 0 || reps > 65536) return ox_sym_error(g, 1, "repeat_interleave: %lld pieces", (long long)reps);
    int64_t *ones = alloc_ints(g, (int)reps);
    ox_value **pieces = alloc_values(g, (int)reps);
    /* the result's sizes: unknown dims 0 (Reshape copies them), -1 along dim;
     * the expand shape around the repeat count: unknown dims -1, 1 at dim */
    int64_t *out_sizes = alloc_ints(g, irank), *around = alloc_ints(g, irank);
    if (!ones || !pieces || !out_sizes || !around) return g->ctx->status;
    for (int64_t i = 0; i < reps; i++) ones[i] = 1;
    for (int i = 0; i < irank; i++) {
        out_sizes[i] = isizes[i] < 0 ? 0 : isizes[i];
        around[i] = isizes[i] < 0 ? -1 : isizes[i];
    }
    out_sizes[d] = -1;
    around[d] = 1;
    ox_node *rsplit = ox_split(g, repeats, 0, ones, (int)reps);
    ox_node *isplit = ox_split(g, input, dim, ones, (int)reps);
    if (!rsplit || !isplit) return g->ctx->status;
    int64_t after = dim + 1;
    if (after < 0) after += irank + 1; /* opset 9's unsqueeze, with the piece's rank */
    /* around[:dim + 1] and around[dim + 1:], sliced as Python slices them */
    int64_t cut = dim + 1;
    if (cut < 0) cut += irank;
    if (cut < 0) cut = 0;
    if (cut > irank) cut = irank;
    for (int64_t i = 0; i < reps; i++) {
        ox_value *piece = ox_unsqueeze(g, isplit->outputs[i], &after, 1);
        ox_value *head = ox_const_i64s(g, around, (int)cut);
        ox_value *tail = ox_const_i64s(g, around + cut, irank - (int)cut);
        ox_value *shape = ox_with_i(ox_op_3(g, "Concat", head, rsplit->outputs[i], tail), "axis", 0);
        piece = expand_dyn(g, piece, shape);
        pieces[i] = ox_reshape(g, piece, ox_const_i64s(g, out_sizes, irank));
    }
    return ox_set_out(g, 0, ox_with_i(ox_opn(g, "Concat", (int)reps, pieces), "axis", dim));
}

/* ---- the table ----------------------------------------------------------- */

const ox_symbolic_entry ox_symbolics_indexing[] = {
    {"aten::index_select", 9, index_select},
    {"aten::gather", 8, blocked_8},
    {"aten::gather", 9, gather_9},
    {"aten::gather", 11, gather_11},
    {"aten::scatter", 8, blocked_8},
    {"aten::scatter", 9, scatter},
    {"aten::scatter", 11, scatter},
    {"aten::scatter_add", 8, blocked_8},
    {"aten::scatter_add", 9, scatter_add_9},
    {"aten::scatter_add", 16, scatter_add_16},
    {"aten::index_add", 9, index_add},
    {"aten::embedding", 9, embedding},
    {"aten::take", 9, take},
    {"aten::index", 9, index_9},
    {"aten::index", 11, index_11},
    {"aten::masked_select", 11, masked_select},
    {"aten::masked_scatter", 11, masked_scatter},
    {"aten::index_put", 9, index_put_9},
    {"aten::index_put", 11, index_put_11},
    {"aten::index_fill", 8, blocked_8},
    {"aten::index_fill", 9, index_fill},
    {"aten::index_fill", 11, index_fill},
    {"aten::index_copy", 8, blocked_8},
    {"aten::index_copy", 9, index_copy},
    {"aten::index_copy", 11, index_copy},
    {"aten::topk", 9, topk_9},
    {"aten::topk", 10, topk_10},
    {"aten::topk", 11, topk_10},
    {"aten::sort", 9, sort_9},
    {"aten::sort", 10, sort_10},
    {"aten::sort", 11, sort_10},
    {"aten::argsort", 11, argsort_11},
    {"aten::nonzero", 8, blocked_8},
    {"aten::nonzero", 9, nonzero},
    {"aten::cumsum", 9, cumsum_9},
    {"aten::cumsum", 11, cumsum_11},
    {"aten::flip", 10, flip_10},
    {"aten::roll", 9, roll},
    {"aten::repeat_interleave", 8, blocked_8},
    {"aten::repeat_interleave", 9, repeat_interleave},
    {"aten::repeat_interleave", 13, repeat_interleave},
    {"aten::tril", 14, tril_14},
    {"aten::triu", 14, triu_14},
    {0},
};
