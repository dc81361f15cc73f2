/* Tensor creation and casts: to / _cast_*, zeros / ones / full / empty and
 * their _like and new_ forms, scalar_tensor, tensor / as_tensor, arange,
 * _dim_arange, linspace, eye, fill, zero, and the ops ONNX has no use for
 * (detach, clone, alias, lift).
 *
 * Each symbolic emits what torch's function of the same name emits for the
 * target opset (torch 1.13 for opsets <= 17; aten::zero follows the later
 * torch that added it):
 *
 *   creation      ConstantOfShape(sizes)[value=[v] of dtype]; opset 8 uses
 *                 the experimental ConstantFill (+ Cast for non-float types)
 *   *_like        Shape(input) -> ConstantOfShape
 *   runtime fill  zeros + Add(fill value)
 *   arange        opset 9: NonZero over a ConstantOfShape of the length;
 *                 opset 11: Range; opset 8 (and 7) refuse it
 *
 * A `dtype` argument is a torch ScalarType number; None means float32 (the
 * default dtype) for every creation op, the *_like ones included, as torch's
 * symbolics do (traced graphs always carry the dtype). `sizes` is passed on
 * as it is: an int64 constant, or the prim::ListConstruct of runtime sizes
 * that the onnx peephole later turns into a Concat. Attributes are set in
 * name order: torch's g.op sorts them. */
#include <stdio.h>
#include <string.h>

#include "symbolic/families.h"
#include "symbolic/helpers.h"

/* ---- small builders ------------------------------------------------------ */

/* Gives an intermediate the type torch's per-node shape inference would
 * (later decisions of these symbolics read it). */
static ox_value *typed(ox_sym *g, ox_value *v, ox_dtype dtype, int rank)
{
    if (!v) return NULL;
    ox_type *t = ox_type_tensor(g->graph->arena, dtype, rank, NULL);
    if (t) v->type = t;
    return v;
}

/* ---- reading arguments --------------------------------------------------- */

/* A constant other than None: onnx::Constant, or a prim::Constant with a value. */
static bool is_const_value(ox_value *v)
{
    return ox_value_is_constant(v) && !ox_value_is_none(v);
}

/* The tensor of an onnx::Constant (torch's _maybe_get_const(v, "t")). */
static const ox_tensor *onnx_const_tensor(ox_value *v)
{
    if (!ox_node_is(v->node, "onnx::Constant")) return NULL;
    const ox_tensor *t = ox_value_const_tensor(v);
    return t && t->data && ox_dtype_is_real(t->dtype) ? t : NULL;
}

static bool is_floating(ox_dtype t)
{
    return t == OX_FLOAT || t == OX_DOUBLE || t == OX_FLOAT16 || t == OX_BFLOAT16;
}

/* A ScalarType number as an ONNX dtype, or an error naming the argument. */
static ox_status scalar_type(ox_sym *g, int argi, int64_t st, ox_dtype *out)
{
    if (ox_ew_onnx_dtype(st, out)) return OX_OK;
    return ox_sym_error(g, argi, "%s: ScalarType %lld has no ONNX type", g->op, (long long)st);
}

/* A `dtype` argument read the way torch's parse_args("i") reads it: None is
 * float32 (*given = false), a constant is a ScalarType, anything else fails.
 * `v` is the argument (it may come from another position than `argi` when a
 * new_* op shifts its arguments). */
static ox_status dtype_arg(ox_sym *g, ox_value *v, int argi, const char *arg_name, ox_dtype *out, bool *given)
{
    if (given) *given = false;
    *out = OX_FLOAT;
    if (!v || ox_value_is_none(v)) return OX_OK;
    int64_t st;
    if (!is_const_value(v) || !ox_value_const_int(v, &st))
        return ox_sym_error(g, argi, "Expected node type 'onnx::Constant' for argument '%s' of node '%s', got '%s'.",
                            arg_name, ox_kind_name(g->op), v->node->kind);
    if (given) *given = true;
    return scalar_type(g, argi, st, out);
}

/* torch's _get_const(v, "i", "dtype"): the same, with its own wording. */
static ox_status dtype_const(ox_sym *g, ox_value *v, int argi, ox_dtype *out, bool *given)
{
    if (given) *given = false;
    *out = OX_FLOAT;
    if (!v || ox_value_is_none(v)) return OX_OK;
    int64_t st;
    if (!ox_value_is_constant(v) || !ox_value_const_int(v, &st))
        return ox_sym_error(g, argi, "ONNX symbolic expected a constant value of the 'dtype' argument, got '%s'",
                            ox_value_name(v));
    if (given) *given = true;
    return scalar_type(g, argi, st, out);
}

/* ---- constant fill values ------------------------------------------------ */

/* A [1] tensor of `dtype` holding v (converted as torch's .to() does:
 * truncation for integers, v != 0 for bool). */
static ox_tensor *fill_tensor(ox_sym *g, ox_dtype dtype, double v)
{
    if (dtype == OX_COMPLEX64 || dtype == OX_COMPLEX128 || ox_dtype_size(dtype) == 0) {
        ox_sym_error(g, -1, "%s: a %s fill value cannot be exported (ONNX ConstantOfShape)", g->op,
                     ox_ew_torch_type_name(dtype));
        return NULL;
    }
    int64_t one = 1;
    ox_tensor *t = ox_tensor_alloc(g->graph->arena, dtype, 1, &one);
    if (!t) {
        OX_NOMEM(g->ctx);
        return NULL;
    }
    ox_tensor_set_f(t, 0, v);
    return t;
}

/* The same from a constant tensor of one element, integers kept exact. */
static ox_tensor *fill_tensor_from(ox_sym *g, ox_dtype dtype, const ox_tensor *src)
{
    ox_tensor *t = fill_tensor(g, dtype, 0);
    if (!t) return NULL;
    if (ox_dtype_is_floating(src->dtype)) ox_tensor_set_f(t, 0, ox_tensor_get_f(src, 0));
    else ox_tensor_set_i(t, 0, ox_tensor_get_i(src, 0));
    return t;
}

/* The sizes input of ConstantOfShape: an empty constant list is an empty
 * int64 constant; anything else is used as it is. */
static ox_value *sizes_value(ox_sym *g, ox_value *sizes)
{
    int64_t *vals;
    int n;
    if (ox_node_is(sizes->node, "onnx::Constant") && ox_value_const_ints(g->graph, sizes, &vals, &n) && n == 0)
        return ox_const_i64s(g, NULL, 0);
    return sizes;
}

static ox_value *constant_of_shape(ox_sym *g, ox_value *shape, ox_tensor *value)
{
    if (!value) return NULL;
    return ox_with_t(ox_op_1(g, "ConstantOfShape", shape), "value", value);
}

/* ---- opset 9: zeros / ones / full / empty and the _like forms ------------ */

/* zeros/ones(sizes, dtype, ...) with `dtype_v` the dtype argument. */
static ox_value *filled(ox_sym *g, ox_value *sizes, ox_value *dtype_v, int dtype_i, double v)
{
    ox_dtype dt;
    if (dtype_arg(g, dtype_v, dtype_i, "dtype", &dt, NULL) != OX_OK) return NULL;
    return constant_of_shape(g, sizes_value(g, sizes), fill_tensor(g, dt, v));
}

static ox_value *filled_like(ox_sym *g, ox_value *input, ox_value *dtype_v, int dtype_i, double v)
{
    ox_dtype dt;
    if (dtype_arg(g, dtype_v, dtype_i, "dtype", &dt, NULL) != OX_OK) return NULL;
    ox_value *shape = ox_op_1(g, "Shape", input);
    return constant_of_shape(g, shape, fill_tensor(g, dt, v));
}

static ox_value *arg(ox_sym *g, int i) { return i < g->nin ? g->in[i] : NULL; }

static ox_status zeros_9(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    return ox_set_out(g, 0, filled(g, g->in[0], arg(g, 1), 1, 0));
}
static ox_status ones_9(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    return ox_set_out(g, 0, filled(g, g->in[0], arg(g, 1), 1, 1));
}
static ox_status zeros_like_9(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    return ox_set_out(g, 0, filled_like(g, g->in[0], arg(g, 1), 1, 0));
}
static ox_status ones_like_9(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    return ox_set_out(g, 0, filled_like(g, g->in[0], arg(g, 1), 1, 1));
}

/* new_zeros(self, sizes, dtype, ...): self's dtype is not consulted (the
 * dtype argument is never Python's None there); torch passes on to zeros. */
static ox_status new_zeros_9(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    return ox_set_out(g, 0, filled(g, g->in[1], arg(g, 2), 2, 0));
}
static ox_status new_ones_9(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    return ox_set_out(g, 0, filled(g, g->in[1], arg(g, 2), 2, 1));
}

/* full(sizes, value, dtype, ...): a constant fill value becomes the
 * ConstantOfShape value; a runtime one is added to zeros. */
static ox_value *full_value(ox_sym *g, ox_value *sizes, ox_value *value, ox_value *dtype_v, int dtype_i)
{
    const ox_tensor *c = onnx_const_tensor(value);
    if (!c) {
        ox_value *zeros = filled(g, sizes, dtype_v, dtype_i, 0);
        return ox_op_2(g, "Add", zeros, value);
    }
    ox_dtype dt;
    if (dtype_const(g, dtype_v, dtype_i, &dt, NULL) != OX_OK) return NULL;
    if (ox_tensor_numel(c) != 1) {
        ox_sym_error(g, dtype_i - 1, "%s: the fill value must have one element", g->op);
        return NULL;
    }
    return constant_of_shape(g, sizes_value(g, sizes), fill_tensor_from(g, dt, c));
}

static ox_status full_9(ox_sym *g)
{
    if (g->nin < 3) return ox_sym_error(g, 0, "aten::full expects (sizes, value, dtype, ...)");
    return ox_set_out(g, 0, full_value(g, g->in[0], g->in[1], g->in[2], 2));
}

static ox_status new_full_9(ox_sym *g)
{
    if (g->nin < 4) return ox_sym_error(g, 0, "aten::new_full expects (self, size, value, dtype, ...)");
    return ox_set_out(g, 0, full_value(g, g->in[1], g->in[2], g->in[3], 3));
}

/* full_like(input, fill_value, dtype, ...) with the dtype already read. */
static ox_value *full_like_value(ox_sym *g, ox_value *input, ox_value *fill, ox_dtype dt)
{
    const ox_tensor *c = onnx_const_tensor(fill);
    if (!c) {
        ox_value *zeros = constant_of_shape(g, ox_op_1(g, "Shape", input), fill_tensor(g, dt, 0));
        return ox_op_2(g, "Add", zeros, ox_cast(g, fill, dt));
    }
    if (ox_tensor_numel(c) != 1) {
        ox_sym_error(g, 1, "%s: the fill value must have one element", g->op);
        return NULL;
    }
    /* torch reads the constant as a Python float first */
    double v = ox_tensor_get_f(c, 0);
    ox_value *shape = ox_op_1(g, "Shape", input);
    return constant_of_shape(g, shape, fill_tensor(g, dt, v));
}

static ox_status full_like_9(ox_sym *g)
{
    if (g->nin < 2) return ox_sym_error(g, 0, "aten::full_like expects (input, fill_value, ...)");
    ox_dtype dt;
    OX_TRY(dtype_const(g, arg(g, 2), 2, &dt, NULL));
    return ox_set_out(g, 0, full_like_value(g, g->in[0], g->in[1], dt));
}

/* aten::fill(self, value): full_like with self's dtype (float when unknown). */
static ox_status fill_9(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    ox_dtype dt = ox_elem_type(g->in[0]);
    if (dt == OX_UNDEFINED) dt = OX_FLOAT;
    return ox_set_out(g, 0, full_like_value(g, g->in[0], g->in[1], dt));
}

/* aten::zero(self) (zero_): zeros of self's shape and dtype. */
static ox_status zero_9(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    ox_dtype dt = ox_elem_type(g->in[0]);
    if (dt == OX_UNDEFINED) dt = OX_FLOAT;
    ox_value *shape = ox_op_1(g, "Shape", g->in[0]);
    return ox_set_out(g, 0, constant_of_shape(g, shape, fill_tensor(g, dt, 0)));
}

/* ---- opset 8: ConstantFill ----------------------------------------------- */

/* ConstantFill(sizes)[dtype, input_as_shape=1, value]; integer and bool
 * types are filled as float and cast. */
static ox_value *constant_fill(ox_sym *g, ox_value *sizes, ox_dtype dt, double v)
{
    bool fp = is_floating(dt);
    ox_value *y = ox_op_1(g, "ConstantFill", sizes);
    y = ox_with_i(y, "dtype", fp ? (int64_t)dt : (int64_t)OX_FLOAT);
    y = ox_with_i(y, "input_as_shape", 1);
    y = ox_with_f(y, "value", v);
    return fp ? y : ox_cast(g, y, dt);
}

static ox_value *fill_8(ox_sym *g, ox_value *sizes, ox_value *dtype_v, int dtype_i, double v)
{
    ox_dtype dt;
    if (dtype_arg(g, dtype_v, dtype_i, "dtype", &dt, NULL) != OX_OK) return NULL;
    return constant_fill(g, sizes, dt, v);
}

static ox_value *fill_like_8(ox_sym *g, ox_value *input, ox_value *dtype_v, int dtype_i, double v)
{
    ox_dtype dt;
    if (dtype_arg(g, dtype_v, dtype_i, "dtype", &dt, NULL) != OX_OK) return NULL;
    return constant_fill(g, ox_op_1(g, "Shape", input), dt, v);
}

static ox_status zeros_8(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    return ox_set_out(g, 0, fill_8(g, g->in[0], arg(g, 1), 1, 0));
}
static ox_status ones_8(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    return ox_set_out(g, 0, fill_8(g, g->in[0], arg(g, 1), 1, 1));
}
static ox_status zeros_like_8(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    return ox_set_out(g, 0, fill_like_8(g, g->in[0], arg(g, 1), 1, 0));
}
static ox_status ones_like_8(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    return ox_set_out(g, 0, fill_like_8(g, g->in[0], arg(g, 1), 1, 1));
}

static ox_status full_8(ox_sym *g)
{
    if (g->nin < 3) return ox_sym_error(g, 0, "aten::full expects (sizes, value, dtype, ...)");
    const ox_tensor *c = onnx_const_tensor(g->in[1]);
    if (!c) return ox_set_out(g, 0, ox_op_2(g, "Add", fill_8(g, g->in[0], g->in[2], 2, 0), g->in[1]));
    ox_dtype dt;
    OX_TRY(dtype_const(g, g->in[2], 2, &dt, NULL));
    if (ox_tensor_numel(c) != 1) return ox_sym_error(g, 1, "aten::full: the fill value must have one element");
    return ox_set_out(g, 0, constant_fill(g, g->in[0], dt, ox_tensor_get_f(c, 0)));
}

static ox_status full_like_8(ox_sym *g)
{
    if (g->nin < 2) return ox_sym_error(g, 0, "aten::full_like expects (input, fill_value, ...)");
    double v;
    if (!is_const_value(g->in[1]) || !ox_value_const_float(g->in[1], &v))
        return ox_sym_error(g, 1,
                            "Expected node type 'onnx::Constant' for argument 'fill_value' of node 'full_like', "
                            "got '%s'.",
                            g->in[1]->node->kind);
    return ox_set_out(g, 0, fill_like_8(g, g->in[0], arg(g, 2), 2, v));
}

/* ---- casts --------------------------------------------------------------- */

static bool is_device(ox_value *v)
{
    if (ox_node_is(v->node, "prim::device")) return true;
    const ox_type *t = v->type;
    if (!t) return false;
    if (t->kind == OX_TYPE_DEVICE) return true;
    return t->kind == OX_TYPE_LIST && t->nelems > 0 && t->elems[0] && t->elems[0]->kind == OX_TYPE_INT;
}

static ox_value *cast_scalar_type(ox_sym *g, ox_value *x, int argi, int64_t st)
{
    ox_dtype dt;
    if (scalar_type(g, argi, st, &dt) != OX_OK) return NULL;
    return ox_cast(g, x, dt);
}

/* aten::to has five overloads, told apart by their argument count:
 *   (self, dtype|device|other, non_blocking, copy, memory_format)
 *   (self, device, dtype, non_blocking, copy, memory_format)
 *   (self, dtype, layout, device, pin_memory, non_blocking, copy[, copy], memory_format)
 * A device-only call (or a None dtype) returns self: ONNX has no devices. */
static ox_status to(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    ox_value *self = g->in[0];
    int nargs = g->nin - 1;
    int dtype_i;
    if (nargs == 4) {
        ox_value *a = g->in[1];
        if (is_device(a)) return ox_set_out(g, 0, self);
        const ox_tensor *t = onnx_const_tensor(a);
        if (t && t->rank == 0) return ox_set_out(g, 0, cast_scalar_type(g, self, 1, ox_tensor_get_i(t, 0)));
        /* to(other): other's dtype */
        ox_dtype dt = ox_elem_type(a);
        if (dt == OX_UNDEFINED)
            return ox_sym_error(g, 1, "aten::to: the dtype of the tensor argument is unknown");
        return ox_set_out(g, 0, ox_cast(g, self, dt));
    }
    if (nargs == 5) dtype_i = 2;
    else if (nargs == 6 || nargs == 7) dtype_i = 1;
    else return ox_sym_unsupported(g, "operator Unknown aten::to signature");
    ox_value *dv = g->in[dtype_i];
    if (ox_value_is_none(dv)) return ox_set_out(g, 0, self);
    int64_t st;
    if (!ox_value_is_constant(dv) || !ox_value_const_int(dv, &st))
        return ox_sym_error(g, dtype_i, "ONNX symbolic expected a constant value of the 'dtype' argument, got '%s'",
                            ox_value_name(dv));
    return ox_set_out(g, 0, cast_scalar_type(g, self, dtype_i, st));
}

/* aten::_cast_<Type>(self, non_blocking) */
#define CAST_SYMBOLIC(name, dt) \
    static ox_status cast_##name(ox_sym *g) { return ox_set_out(g, 0, ox_cast(g, g->in[0], dt)); }
CAST_SYMBOLIC(Byte, OX_UINT8)
CAST_SYMBOLIC(Char, OX_INT8)
CAST_SYMBOLIC(Short, OX_INT16)
CAST_SYMBOLIC(Int, OX_INT32)
CAST_SYMBOLIC(Long, OX_INT64)
CAST_SYMBOLIC(Half, OX_FLOAT16)
CAST_SYMBOLIC(Float, OX_FLOAT)
CAST_SYMBOLIC(Double, OX_DOUBLE)
CAST_SYMBOLIC(ComplexFloat, OX_COMPLEX64)
CAST_SYMBOLIC(ComplexDouble, OX_COMPLEX128)
CAST_SYMBOLIC(Bool, OX_BOOL)
CAST_SYMBOLIC(BFloat16, OX_BFLOAT16)

/* aten::scalar_tensor(scalar, dtype, ...) */
static ox_status scalar_tensor(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    ox_dtype dt;
    OX_TRY(dtype_const(g, arg(g, 1), 1, &dt, NULL));
    return ox_set_out(g, 0, ox_cast(g, g->in[0], dt));
}

static bool is_scalar_or_tensor_list(const ox_type *t)
{
    if (!t || t->kind != OX_TYPE_LIST || t->nelems < 1 || !t->elems[0]) return false;
    ox_type_kind k = t->elems[0]->kind;
    return k == OX_TYPE_TENSOR || k == OX_TYPE_INT || k == OX_TYPE_FLOAT || k == OX_TYPE_BOOL;
}

/* aten::tensor(data, dtype, device, requires_grad) / aten::as_tensor(data,
 * dtype, device): a list built here is concatenated element by element
 * (each reshaped to [1] and cast); a runtime list goes through
 * ConcatFromSequence; the result is cast to dtype (the data's own by default). */
static ox_status tensor(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    ox_value *data = g->in[0];
    ox_dtype dt;
    bool given;
    OX_TRY(dtype_const(g, arg(g, 1), 1, &dt, &given));
    if (ox_node_is(data->node, "prim::ListConstruct")) {
        ox_node *list = data->node;
        if (list->ninputs == 0) return ox_sym_error(g, 0, "%s of an empty list cannot be exported", g->op);
        if (!given) {
            dt = ox_elem_type(list->inputs[0]);
            if (dt == OX_UNDEFINED) return ox_sym_error(g, 0, "%s: the element type of the list is unknown", g->op);
        }
        ox_value **items = ox_arena_alloc(g->graph->arena, (size_t)list->ninputs * sizeof(ox_value *));
        if (!items) return OX_NOMEM(g->ctx);
        int64_t one = 1;
        for (int i = 0; i < list->ninputs; i++) {
            ox_value *shape = ox_const_i64s(g, &one, 1);
            items[i] = ox_cast(g, ox_reshape(g, list->inputs[i], shape), dt);
        }
        return ox_set_out(g, 0, ox_with_i(ox_opn(g, "Concat", list->ninputs, items), "axis", 0));
    }
    if (!given) {
        dt = ox_elem_type(data);
        if (dt == OX_UNDEFINED) return ox_sym_error(g, 0, "%s: the dtype of the data is unknown", g->op);
    }
    if (is_scalar_or_tensor_list(data->type))
        data = ox_with_i(ox_with_i(ox_op_1(g, "ConcatFromSequence", data), "axis", 0), "new_axis", 1);
    return ox_set_out(g, 0, ox_cast(g, data, dt));
}

/* ---- arange / linspace / eye --------------------------------------------- */

static ox_status blocked_8(ox_sym *g)
{
    return ox_fail(g->ctx, ONNXIFY_ERR_EXPORTER,
                   "ONNX export failed on %s, which is not implemented for opset %d. Try exporting with other "
                   "opset versions. (%s)",
                   ox_kind_name(g->op), g->opset, ox_node_describe(g->node));
}

/* torch's _unimplemented without a value: an OnnxExporterError. */
static ox_status unimplemented(ox_sym *g, const char *op, const char *msg)
{
    return ox_ew_unimplemented(g, op, msg, false);
}

/* The arguments of one arange call. */
typedef struct arange_call {
    ox_value *start, *end, *step; /* NULL when the overload has none */
    ox_dtype dtype;               /* resolved (torch's _arange_cast_helper) */
} arange_call;

/* A value of a tensor type other than int64 makes arange floating; a value
 * that is not a tensor at all does not count (torch's check raises there
 * and skips it). */
static bool integral_arg(ox_value *v)
{
    if (!v || !ox_type_is_tensor(v->type)) return true;
    return v->type->dtype == OX_INT64;
}

/* Reads the overload by argument count; false (with the error set) when
 * torch would refuse it. */
static ox_status arange_args(ox_sym *g, arange_call *a)
{
    memset(a, 0, sizeof *a);
    ox_value *dtv = NULL;
    int dtype_i = -1;
    switch (g->nin) {
    case 2: a->end = g->in[0]; break;                                   /* (end, out) */
    case 5: a->end = g->in[0]; dtv = g->in[1]; dtype_i = 1; break;     /* (end, dtype, layout, device, pin) */
    case 4: a->start = g->in[0]; a->end = g->in[1]; a->step = g->in[2]; break; /* (start, end, step, out) */
    case 7:                                                             /* (start, end, step, dtype, ...) */
        a->start = g->in[0]; a->end = g->in[1]; a->step = g->in[2]; dtv = g->in[3]; dtype_i = 3;
        break;
    case 6: a->start = g->in[0]; a->end = g->in[1]; dtv = g->in[2]; dtype_i = 2; break; /* (start, end, dtype, ...) */
    default: {
        char msg[64];
        snprintf(msg, sizeof msg, "with %d arguments", g->nin);
        return unimplemented(g, "aten::arange", msg);
    }
    }
    if (dtv && !ox_value_is_none(dtv)) {
        int64_t st;
        if (!ox_node_is(dtv->node, "onnx::Constant") || !ox_value_const_int(dtv, &st))
            return ox_sym_error(g, dtype_i, "aten::arange: the dtype must be a constant");
        return scalar_type(g, dtype_i, st, &a->dtype);
    }
    bool integral = integral_arg(a->start) && integral_arg(a->end) && integral_arg(a->step);
    a->dtype = integral ? OX_INT64 : OX_FLOAT;
    return OX_OK;
}

/* Casts start, end and step (in that order) to the arange dtype. */
static void arange_cast(ox_sym *g, arange_call *a)
{
    if (a->start) a->start = ox_cast(g, a->start, a->dtype);
    a->end = ox_cast(g, a->end, a->dtype);
    if (a->step) a->step = ox_cast(g, a->step, a->dtype);
}

static ox_value *unsqueeze0(ox_sym *g, ox_value *x)
{
    int64_t zero = 0;
    return ox_unsqueeze(g, x, &zero, 1);
}

/* opset 9's nonzero: NonZero, then Transpose to [count, rank]. */
static ox_value *nonzero_t(ox_sym *g, ox_value *x)
{
    static const int64_t perm[2] = {1, 0};
    ox_value *nz = typed(g, ox_op_1(g, "NonZero", x), OX_INT64, 2);
    return typed(g, ox_with_is(ox_op_1(g, "Transpose", nz), "perm", perm, 2), OX_INT64, 2);
}

/* opset 9: [0, 1, ..., n-1] as the indices of a ConstantOfShape([n]) of ones. */
static ox_value *iota_9(ox_sym *g, ox_value *length, ox_dtype ones_dtype)
{
    if (length && is_floating(ox_elem_type(length)))
        length = ox_cast(g, ox_op_1(g, "Ceil", length), OX_INT64);
    ox_value *ones = constant_of_shape(g, length, fill_tensor(g, ones_dtype, 1));
    int64_t one = 1;
    return typed(g, ox_squeeze(g, nonzero_t(g, ones), &one, 1), OX_INT64, 1);
}

/* The arange result for an already-read call. */
static ox_value *arange_value(ox_sym *g, arange_call *a)
{
    ox_dtype dt = a->dtype;
    if (g->opset >= 11) {
        arange_cast(g, a);
        if (!a->start) {
            ox_value *start = ox_const_scalar(g, dt, 0);
            ox_value *delta = ox_const_scalar(g, dt, 1);
            return ox_op_3(g, "Range", start, a->end, delta);
        }
        if (!a->step) return ox_op_3(g, "Range", a->start, a->end, ox_const_scalar(g, dt, 1));
        return ox_op_3(g, "Range", a->start, a->end, a->step);
    }
    arange_cast(g, a);
    if (!a->start) {
        ox_value *end = typed(g, unsqueeze0(g, a->end), dt, 1);
        return ox_cast(g, iota_9(g, end, dt), dt);
    }
    if (a->step) {
        ox_value *step = typed(g, unsqueeze0(g, a->step), dt, 1);
        ox_value *end = typed(g, unsqueeze0(g, a->end), dt, 1);
        ox_value *start = typed(g, unsqueeze0(g, a->start), dt, 1);
        ox_value *length = typed(g, ox_op_2(g, "Div", ox_op_2(g, "Sub", end, start), step), dt, 1);
        ox_value *iota = iota_9(g, length, OX_FLOAT);
        return ox_cast(g, ox_op_2(g, "Add", ox_op_2(g, "Mul", iota, step), start), dt);
    }
    ox_value *end = typed(g, unsqueeze0(g, a->end), dt, 1);
    ox_value *start = typed(g, unsqueeze0(g, a->start), dt, 1);
    ox_value *length = typed(g, ox_op_2(g, "Sub", end, start), dt, 1);
    return ox_cast(g, ox_op_2(g, "Add", iota_9(g, length, dt), start), dt);
}

static ox_status arange(ox_sym *g)
{
    arange_call a;
    OX_TRY(arange_args(g, &a));
    return ox_set_out(g, 0, arange_value(g, &a));
}

/* aten::_dim_arange(like, dim): arange(like.size(dim)) as int64. */
static ox_status dim_arange(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    int64_t d;
    OX_TRY(ox_arg_int(g, 1, &d));
    ox_value *shape = ox_op_1(g, "Shape", g->in[0]);
    ox_value *stop = ox_with_i(ox_op_2(g, "Gather", shape, ox_const_i64(g, d)), "axis", 0);
    arange_call a = {.end = typed(g, stop, OX_INT64, 0), .dtype = OX_INT64};
    return ox_set_out(g, 0, arange_value(g, &a));
}

/* The dtype ONNX shape inference gives Sub/Div of a and b: theirs when they
 * agree, unknown otherwise. */
static ox_dtype common_dtype(ox_value *a, ox_value *b)
{
    ox_dtype x = ox_elem_type(a), y = ox_elem_type(b);
    return x == y ? x : OX_UNDEFINED;
}

/* aten::linspace(start, end, steps, dtype, layout, device, pin_memory):
 * arange(steps) * ((end - start) / (steps - 1)) + start, as torch's sub,
 * div (true division) and mul/add build it; the dtype argument is not used. */
static ox_status linspace(ox_sym *g)
{
    if (g->nin < 3) return ox_sym_error(g, 0, "aten::linspace expects (start, end, steps, ...)");
    ox_value *start = g->in[0], *end = g->in[1], *steps = g->in[2];
    arange_call a = {.end = steps, .dtype = integral_arg(steps) ? OX_INT64 : OX_FLOAT};
    ox_value *range = arange_value(g, &a);
    ox_value *span = typed(g, ox_op_2(g, "Sub", end, start), common_dtype(end, start), -1);
    ox_value *one = ox_const_i64(g, 1);
    ox_value *intervals = typed(g, ox_op_2(g, "Sub", steps, one), common_dtype(steps, one), -1);
    ox_value *step;
    if (is_floating(ox_elem_type(span)) || is_floating(ox_elem_type(intervals))) {
        step = ox_op_2(g, "Div", span, intervals);
    } else {
        ox_value *s = ox_cast(g, span, OX_FLOAT);
        ox_value *i = ox_cast(g, intervals, OX_FLOAT);
        step = ox_op_2(g, "Div", s, i);
    }
    return ox_set_out(g, 0, ox_op_2(g, "Add", ox_op_2(g, "Mul", range, step), start));
}

/* aten::eye(n, dtype, layout, device, pin_memory) and eye(n, m, ...):
 * EyeLike of zeros [n, m]. */
static ox_status eye(ox_sym *g)
{
    ox_value *n, *m, *dtv;
    int dtype_i;
    if (g->nin == 5) {
        n = m = g->in[0];
        dtv = g->in[1];
        dtype_i = 1;
    } else if (g->nin == 6) {
        n = g->in[0];
        m = g->in[1];
        dtv = g->in[2];
        dtype_i = 2;
    } else {
        char msg[64];
        snprintf(msg, sizeof msg, "with %d arguments", g->nin);
        return unimplemented(g, "aten::eye", msg);
    }
    ox_value *shape;
    if (g->nin == 5) {
        ox_value *d = unsqueeze0(g, n);
        shape = ox_with_i(ox_op_2(g, "Concat", d, d), "axis", 0);
    } else {
        ox_value *dn = unsqueeze0(g, n);
        ox_value *dm = unsqueeze0(g, m);
        shape = ox_with_i(ox_op_2(g, "Concat", dn, dm), "axis", 0);
    }
    ox_value *zeros = filled(g, shape, dtv, dtype_i, 0);
    return ox_set_out(g, 0, ox_op_1(g, "EyeLike", zeros));
}

/* ---- ops ONNX has no use for --------------------------------------------- */

/* detach, clone (memory_format ignored), alias, lift: the input itself. */
static ox_status identity(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    return ox_set_out(g, 0, g->in[0]);
}

/* ---- the table ----------------------------------------------------------- */

const ox_symbolic_entry ox_symbolics_tensor[] = {
    {"aten::to", 9, to},
    {"aten::_cast_Byte", 9, cast_Byte},
    {"aten::_cast_Char", 9, cast_Char},
    {"aten::_cast_Short", 9, cast_Short},
    {"aten::_cast_Int", 9, cast_Int},
    {"aten::_cast_Long", 9, cast_Long},
    {"aten::_cast_Half", 9, cast_Half},
    {"aten::_cast_Float", 9, cast_Float},
    {"aten::_cast_Double", 9, cast_Double},
    {"aten::_cast_ComplexFloat", 9, cast_ComplexFloat},
    {"aten::_cast_ComplexDouble", 9, cast_ComplexDouble},
    {"aten::_cast_Bool", 9, cast_Bool},
    {"aten::_cast_BFloat16", 9, cast_BFloat16},
    {"aten::zeros", 8, zeros_8},
    {"aten::zeros", 9, zeros_9},
    {"aten::ones", 8, ones_8},
    {"aten::ones", 9, ones_9},
    {"aten::empty", 8, zeros_8},
    {"aten::empty", 9, zeros_9},
    {"aten::full", 8, full_8},
    {"aten::full", 9, full_9},
    {"aten::zeros_like", 8, zeros_like_8},
    {"aten::zeros_like", 9, zeros_like_9},
    {"aten::ones_like", 8, ones_like_8},
    {"aten::ones_like", 9, ones_like_9},
    {"aten::empty_like", 8, zeros_like_8},
    {"aten::empty_like", 9, zeros_like_9},
    {"aten::full_like", 8, full_like_8},
    {"aten::full_like", 9, full_like_9},
    {"aten::new_zeros", 9, new_zeros_9},
    {"aten::new_ones", 9, new_ones_9},
    {"aten::new_empty", 9, new_zeros_9},
    {"aten::new_full", 9, new_full_9},
    {"aten::fill", 9, fill_9},
    {"aten::zero", 9, zero_9},
    {"aten::scalar_tensor", 9, scalar_tensor},
    {"aten::tensor", 9, tensor},
    {"aten::as_tensor", 9, tensor},
    {"aten::arange", 8, blocked_8},
    {"aten::arange", 9, arange},
    {"aten::arange", 11, arange},
    {"aten::_dim_arange", 9, dim_arange},
    {"aten::_dim_arange", 11, dim_arange},
    {"aten::linspace", 9, linspace},
    {"aten::eye", 9, eye},
    {"aten::detach", 9, identity},
    {"aten::clone", 9, identity},
    {"aten::alias", 9, identity},
    {"aten::lift", 9, identity},
    {0},
};
