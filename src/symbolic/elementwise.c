/* Elementwise arithmetic, comparisons and logic: add, sub, mul, div and its
 * rounding modes, remainder, fmod, pow, the unary math ops, clamp, where, masked_fill,
 * the bool operators (& | ^ ~, bitwise_or, opset 18's bitwise_and) and `is (not) None`
 * (torch's symbolic_opset8/9/10/11/12/15 forms, latest torch's for bitwise_and/or).
 *
 * Mixed dtypes are mostly left to scalar_type_analysis, as in torch:
 * `aten::add(x, 1)` becomes `Add(x, <int64 constant 1>)` here and the pass
 * re-types the constant afterwards.
 *
 * This file also defines the few building blocks the activation and reduce
 * families share with it (declared in helpers.h): ox_ew_float_cast_op
 * (torch's _op_with_optional_float_cast), ox_ew_unimplemented
 * (_unimplemented) and ox_ew_onnx_dtype (a torch ScalarType number as an
 * ONNX dtype). */
#include <string.h>

#include "symbolic/families.h"
#include "symbolic/helpers.h"

/* ---- shared with the other families (declared in helpers.h) ------------- */

/* torch ScalarType numbering (c10/core/ScalarType.h order). */
bool ox_ew_onnx_dtype(int64_t st, ox_dtype *out)
{
    static const ox_dtype map[] = {
        OX_UINT8,  OX_INT8,   OX_INT16,      OX_INT32,       OX_INT64, OX_FLOAT16,
        OX_FLOAT,  OX_DOUBLE, OX_UNDEFINED /* ComplexHalf */, OX_COMPLEX64, OX_COMPLEX128,
        OX_BOOL,   OX_INT8 /* QInt8 */,      OX_UINT8 /* QUInt8 */, OX_INT32 /* QInt32 */, OX_BFLOAT16,
    };
    if (st < 0 || st >= (int64_t)(sizeof(map) / sizeof(map[0])) || map[st] == OX_UNDEFINED) return false;
    *out = map[st];
    return true;
}

/* torch's scalarType() names, as they appear in its messages. */
const char *ox_ew_torch_type_name(ox_dtype t)
{
    switch (t) {
    case OX_UINT8: return "Byte";
    case OX_INT8: return "Char";
    case OX_INT16: return "Short";
    case OX_INT32: return "Int";
    case OX_INT64: return "Long";
    case OX_FLOAT16: return "Half";
    case OX_FLOAT: return "Float";
    case OX_DOUBLE: return "Double";
    case OX_BOOL: return "Bool";
    case OX_BFLOAT16: return "BFloat16";
    case OX_COMPLEX64: return "ComplexFloat";
    case OX_COMPLEX128: return "ComplexDouble";
    default: return "Undefined";
    }
}

/* torch's _unimplemented: an error under operator_export_type ONNX
 * (SymbolicValueError when torch names a value, OnnxExporterError
 * otherwise); under the fallback export types the node stays as it is. */
ox_status ox_ew_unimplemented(ox_sym *g, const char *op, const char *msg, bool with_value)
{
    if (g->export_type != ONNXIFY_OPERATOR_EXPORT_ONNX) return ox_keep_node(g);
    if (with_value) return ox_sym_unsupported(g, "operator %s, %s", op, msg);
    return ox_fail(g->ctx, ONNXIFY_ERR_EXPORTER,
                   "Unsupported: ONNX export of operator %s, %s. Please feel free to request support or "
                   "submit a pull request on PyTorch GitHub: https://github.com/pytorch/pytorch/issues",
                   op, msg);
}

/* torch's isCompleteTensor(): dtype and every size known. A value created
 * by the running symbolic (node seq >= mark) is complete only when 0-d:
 * torch's per-node shape inference gives it a dtype and sizes but no
 * strides, and a 0-d tensor needs none. */
static bool is_complete(ox_value *v, uint32_t mark)
{
    const ox_type *t = v->type;
    if (!ox_type_is_tensor(t) || t->dtype == OX_UNDEFINED || t->rank < 0) return false;
    if (v->node && v->node->seq >= mark && !ox_value_is_graph_input(v) && t->rank != 0) return false;
    for (int i = 0; i < t->rank; i++)
        if (t->dims[i] < 0) return false;
    return true;
}

/* torch's _op_with_optional_float_cast: ONNX ops like Clip, Max, Min and
 * Relu take floats only before `opset_before` (0: always). A non-float
 * first operand then has its complete operands cast to float and the result
 * cast back. *node_out (optional) gets the op node, for its attributes. */
ox_value *ox_ew_float_cast_op(ox_sym *g, const char *op, ox_value *const *ins, int nin, int opset_before,
                              uint32_t mark, ox_node **node_out)
{
    ox_value *in[8];
    if (nin < 1 || nin > 8) {
        ox_fail(g->ctx, ONNXIFY_ERR_INTERNAL, "float-cast helper called with %d inputs", nin);
        return NULL;
    }
    for (int i = 0; i < nin; i++) {
        if (!ins[i]) return NULL;
        in[i] = ins[i];
    }
    ox_dtype dtype0 = ox_elem_type(in[0]);
    bool require_cast = !ox_dtype_is_floating(dtype0) && (opset_before <= 0 || g->opset < opset_before);
    if (require_cast) {
        for (int i = 0; i < nin; i++)
            if (is_complete(in[i], mark) && ox_elem_type(in[i]) != dtype0) {
                ox_sym_error(g, 0, "Inputs of %s must have same dtype. Got %s and %s", op,
                             ox_ew_torch_type_name(dtype0), ox_ew_torch_type_name(ox_elem_type(in[i])));
                return NULL;
            }
        for (int i = 0; i < nin; i++)
            if (is_complete(in[i], mark) && !ox_dtype_is_floating(ox_elem_type(in[i])))
                if (!(in[i] = ox_cast(g, in[i], OX_FLOAT))) return NULL;
    }
    ox_node *n = ox_op(g, op, 1, nin, in);
    if (!n) return NULL;
    if (node_out) *node_out = n;
    ox_value *y = n->outputs[0];
    /* These ops keep their first operand's type (and its shape when the
     * other operands are 0-d bounds). */
    bool same_shape = true;
    for (int i = 1; i < nin; i++) same_shape &= ox_value_is_none(in[i]) || ox_rank(in[i]) == 0;
    ox_type *t = same_shape && ox_type_is_tensor(in[0]->type)
                     ? ox_type_copy(g->graph->arena, in[0]->type)
                     : ox_type_tensor(g->graph->arena, ox_elem_type(in[0]), -1, NULL);
    if (t) y->type = t;
    if (require_cast && dtype0 != OX_UNDEFINED) y = ox_cast(g, y, dtype0);
    return y;
}

/* ---- local builders ----------------------------------------------------- */

static bool is_fp(ox_value *v) { return ox_dtype_is_floating(ox_elem_type(v)); }
static bool is_bool(ox_value *v) { return ox_elem_type(v) == OX_BOOL; }

static uint32_t mark_of(ox_sym *g) { return g->graph->next_node_seq; }

static ox_value *attr_i(ox_value *v, const char *name, int64_t i)
{
    if (!v || ox_node_set_i(v->node, name, i) != OX_OK) return NULL;
    return v;
}


/* torch's symbolic_helper._block_list_in_opset (symbolic_opset7/8 lists). */
static ox_status blocked(ox_sym *g)
{
    return ox_fail(g->ctx, ONNXIFY_ERR_EXPORTER,
                   "ONNX export failed on %s, which is not implemented for opset %d. Try exporting with "
                   "other opset versions.",
                   ox_kind_name(g->op), g->opset);
}

static bool is_tensor_list(ox_value *v)
{
    const ox_type *t = v->type;
    return t && t->kind == OX_TYPE_LIST && t->nelems > 0 && t->elems[0] && t->elems[0]->kind == OX_TYPE_TENSOR;
}

/* ---- unary ops ---------------------------------------------------------- */

static ox_status unary(ox_sym *g, const char *op)
{
    OX_TRY(ox_need_inputs(g, 1));
    return ox_set_out(g, 0, ox_op_1(g, op, g->in[0]));
}

#define UNARY(fn, OP) \
    static ox_status fn(ox_sym *g) { return unary(g, OP); }

UNARY(neg, "Neg")
UNARY(exp_, "Exp")
UNARY(log_, "Log")
UNARY(abs_, "Abs")
UNARY(sign, "Sign")
UNARY(floor_, "Floor")
UNARY(ceil_, "Ceil")
UNARY(erf_, "Erf")
UNARY(sin_, "Sin")
UNARY(cos_, "Cos")
UNARY(tan_, "Tan")

static bool is_small_or_long_int(ox_dtype t)
{
    return t == OX_UINT8 || t == OX_INT8 || t == OX_INT16 || t == OX_INT32 || t == OX_INT64;
}

/* sqrt: torch computes integer square roots in float (newer torch casts). */
static ox_value *sqrt_of(ox_sym *g, ox_value *x)
{
    if (is_small_or_long_int(ox_elem_type(x))) x = ox_cast(g, x, OX_FLOAT);
    return ox_op_1(g, "Sqrt", x);
}

static ox_status sqrt_(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    return ox_set_out(g, 0, sqrt_of(g, g->in[0]));
}

/* rsqrt: Div(1 in x's dtype, Sqrt(x)). */
static ox_status rsqrt(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    ox_value *x = g->in[0];
    ox_dtype dt = ox_elem_type(x);
    ox_value *s = sqrt_of(g, x);
    /* torch passes ones(1) to g.op, which stores tensor operands 0-d. */
    ox_value *c = s ? ox_const_scalar(g, dt == OX_UNDEFINED || ox_dtype_size(dt) == 0 ? OX_FLOAT : dt, 1.0) : NULL;
    return ox_set_out(g, 0, ox_op_2(g, "Div", c, s));
}

/* log2: Log(x) / ln(2) (a float32 scalar). */
static ox_status log2_(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    ox_value *l = ox_op_1(g, "Log", g->in[0]);
    ox_value *c = l ? ox_const_f32(g, 0.693147180559945309f) : NULL;
    return ox_set_out(g, 0, ox_op_2(g, "Div", l, c));
}

/* reciprocal: torch computes it in float. */
static ox_status reciprocal(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    ox_value *x = g->in[0];
    if (!is_fp(x)) x = ox_cast(g, x, OX_FLOAT);
    return ox_set_out(g, 0, ox_op_1(g, "Reciprocal", x));
}

/* round (opset 11), with the `decimals` overload of newer torch: non-float
 * input is returned unchanged; decimals d becomes Mul(10^d), Round, Mul(10^-d). */
static ox_status round_(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    ox_value *x = g->in[0];
    int64_t d = 0;
    if (g->nin > 1 && !ox_arg_is_none(g, 1)) OX_TRY(ox_arg_int(g, 1, &d));
    if (!is_fp(x)) return ox_set_out(g, 0, x);
    if (d == 0) return ox_set_out(g, 0, ox_op_1(g, "Round", x));
    if (d > 18 || d < -18) return ox_sym_error(g, 1, "round: decimals %lld out of range", (long long)d);
    double p = 1.0, q = 1.0;
    for (int64_t i = 0; i < (d < 0 ? -d : d); i++) p *= 10.0;
    q = 1.0 / p;
    /* Python's pow(10, d) is an int for d > 0 (an int64 constant) and a float otherwise. */
    ox_value *c1 = d > 0 ? ox_const_i64(g, (int64_t)p) : ox_const_f32(g, (float)q);
    ox_value *m = ox_op_2(g, "Mul", x, c1);
    ox_value *r = ox_op_1(g, "Round", m);
    ox_value *c2 = !r ? NULL : d > 0 ? ox_const_f32(g, (float)q) : ox_const_i64(g, (int64_t)p);
    return ox_set_out(g, 0, ox_op_2(g, "Mul", r, c2));
}

/* bitwise_not: Not, for bool tensors only. */
static ox_status bitwise_not(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    if (!is_bool(g->in[0]))
        return ox_sym_error(g, 0, "ONNX export does NOT support exporting bitwise Not for non-boolean input values");
    return ox_set_out(g, 0, ox_op_1(g, "Not", g->in[0]));
}

static ox_status logical_not(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    return ox_set_out(g, 0, ox_op_1(g, "Not", ox_cast(g, g->in[0], OX_BOOL)));
}

/* ---- add, sub, mul ------------------------------------------------------ */

/* other * alpha when alpha is given and is not the constant 1. */
static ox_value *scaled_by_alpha(ox_sym *g, ox_value *other, int alpha_index)
{
    if (alpha_index >= g->nin || ox_arg_is_none(g, alpha_index)) return other;
    ox_value *alpha = g->in[alpha_index];
    double a;
    if (ox_value_is_constant(alpha) && ox_value_const_float(alpha, &a) && a == 1.0) return other;
    return ox_op_2(g, "Mul", other, alpha);
}

static ox_status add_9(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    if (is_tensor_list(g->in[0]))
        return ox_sym_error(g, 0,
                            "Unsupported: ONNX export of Add in opset %d. Add between list of tensors not "
                            "supported. Please try opset version 11.",
                            g->opset);
    ox_value *other = scaled_by_alpha(g, g->in[1], 2);
    return ox_set_out(g, 0, ox_op_2(g, "Add", g->in[0], other));
}

/* Opset 11: a tensor list plus a ListConstruct of tensors is a chain of
 * SequenceInsert. */
static ox_status add_11(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    if (!is_tensor_list(g->in[0])) return add_9(g);
    if (!ox_node_is(g->in[1]->node, "prim::ListConstruct"))
        return ox_ew_unimplemented(g, "add", "does not support adding dynamic tensor list to another", false);
    ox_node *lc = g->in[1]->node;
    ox_value *l = g->in[0];
    for (int i = 0; i < lc->ninputs && l; i++) l = ox_op_2(g, "SequenceInsert", l, lc->inputs[i]);
    return ox_set_out(g, 0, l);
}

static ox_value *sub_of(ox_sym *g, ox_value *a, ox_value *b, int alpha_index)
{
    return ox_op_2(g, "Sub", a, scaled_by_alpha(g, b, alpha_index));
}

static ox_status sub(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    return ox_set_out(g, 0, sub_of(g, g->in[0], g->in[1], 2));
}

/* rsub(self, other, alpha) = other - self * alpha. */
static ox_status rsub(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    return ox_set_out(g, 0, sub_of(g, g->in[1], g->in[0], 2));
}

/* ONNX Mul has no bool: two bool operands multiply with And. */
static ox_status mul(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    ox_value *a = g->in[0], *b = g->in[1];
    return ox_set_out(g, 0, ox_op_2(g, is_bool(a) && is_bool(b) ? "And" : "Mul", a, b));
}

/* ---- division ----------------------------------------------------------- */

/* true_divide: Div, with both operands cast to the default float dtype when
 * neither is floating (the mixed case is left to scalar_type_analysis). */
static ox_value *true_divide_of(ox_sym *g, ox_value *a, ox_value *b)
{
    if (is_fp(a) || is_fp(b)) return ox_op_2(g, "Div", a, b);
    a = ox_cast(g, a, OX_FLOAT);
    b = ox_cast(g, b, OX_FLOAT);
    return ox_op_2(g, "Div", a, b);
}

/* rounding_mode="trunc": Div, Cast to int64 (truncates), Cast to the result
 * dtype (self's, float when only other is floating, float when unknown). */
static ox_value *trunc_divide_of(ox_sym *g, ox_value *a, ox_value *b)
{
    ox_value *out = ox_cast(g, ox_op_2(g, "Div", a, b), OX_INT64);
    ox_dtype st = ox_elem_type(a);
    if (st == OX_UNDEFINED) return ox_cast(g, out, OX_FLOAT);
    if (!is_fp(a) && ox_elem_type(b) != OX_UNDEFINED && is_fp(b)) return ox_cast(g, out, OX_FLOAT);
    return ox_cast(g, out, st);
}

/* opset 9's less-than (torch's _lt_impl): bool operands compare as int32. */
static ox_value *less_of(ox_sym *g, ox_value *a, ox_value *b)
{
    if (is_bool(a) && is_bool(b)) {
        a = ox_cast(g, a, OX_INT32);
        b = ox_cast(g, b, OX_INT32);
    }
    return ox_op_2(g, "Less", a, b);
}

static ox_value *greater_of(ox_sym *g, ox_value *a, ox_value *b)
{
    if (is_bool(a) && is_bool(b)) {
        a = ox_cast(g, a, OX_INT32);
        b = ox_cast(g, b, OX_INT32);
    }
    return ox_op_2(g, "Greater", a, b);
}

/* A comparison result: bool (its shape is the operands' broadcast). */
static ox_value *bool_typed(ox_sym *g, ox_value *v)
{
    if (v && ox_elem_type(v) == OX_UNDEFINED) {
        ox_type *t = ox_type_tensor(g->graph->arena, OX_BOOL, -1, NULL);
        if (t) v->type = t;
    }
    return v;
}

/* rounding_mode="floor", opset 9: Floor(true_divide) for floats; integers
 * truncate in Div and subtract 1 where the signs differ and there is a
 * remainder. */
static ox_value *floor_divide_9_of(ox_sym *g, ox_value *a, ox_value *b)
{
    if (is_fp(a) || is_fp(b)) return ox_op_1(g, "Floor", true_divide_of(g, a, b));
    ox_value *div = ox_op_2(g, "Div", a, b);
    ox_value *zero = div ? ox_const_i64(g, 0) : NULL;
    ox_value *la = zero ? bool_typed(g, less_of(g, a, zero)) : NULL;
    ox_value *lb = la ? bool_typed(g, less_of(g, b, zero)) : NULL;
    ox_value *negative = bool_typed(g, ox_op_2(g, "Xor", la, lb));
    ox_value *mod = ox_op_2(g, "Sub", a, ox_op_2(g, "Mul", div, b));
    ox_value *nonzero = bool_typed(g, ox_op_1(g, "Not", bool_typed(g, ox_op_2(g, "Equal", mod, zero))));
    ox_value *fixup_mask = bool_typed(g, ox_op_2(g, "And", negative, nonzero));
    ox_value *one = fixup_mask ? ox_const_i64(g, 1) : NULL;
    ox_value *fixup = ox_op_2(g, "Mul", fixup_mask, one);
    return ox_op_2(g, "Sub", div, fixup);
}

/* rounding_mode="floor", opset 10: the same with Mod and Where. */
static ox_value *floor_divide_10_of(ox_sym *g, ox_value *a, ox_value *b)
{
    if (is_fp(a) || is_fp(b)) return ox_op_1(g, "Floor", true_divide_of(g, a, b));
    ox_value *div = ox_op_2(g, "Div", a, b);
    ox_value *zero = div ? ox_const_i64(g, 0) : NULL;
    ox_value *la = bool_typed(g, ox_op_2(g, "Less", a, zero));
    ox_value *lb = bool_typed(g, ox_op_2(g, "Less", b, zero));
    ox_value *negative = bool_typed(g, ox_op_2(g, "Xor", la, lb));
    ox_value *mod = attr_i(ox_op_2(g, "Mod", a, b), "fmod", 0);
    ox_value *nonzero = bool_typed(g, ox_op_1(g, "Not", bool_typed(g, ox_op_2(g, "Equal", mod, zero))));
    ox_value *fixup_mask = bool_typed(g, ox_op_2(g, "And", negative, nonzero));
    ox_value *one = fixup_mask ? ox_const_i64(g, 1) : NULL;
    ox_value *fixup = ox_op_2(g, "Sub", div, one);
    ox_value *in[3] = {fixup_mask, fixup, div};
    return ox_opn(g, "Where", 3, in);
}

static ox_status div_rounding(ox_sym *g, bool opset10)
{
    ox_value *a = g->in[0], *b = g->in[1];
    if (ox_arg_is_none(g, 2)) return ox_set_out(g, 0, true_divide_of(g, a, b));
    const char *mode;
    OX_TRY(ox_arg_str(g, 2, &mode));
    if (!strcmp(mode, "floor"))
        return ox_set_out(g, 0, opset10 ? floor_divide_10_of(g, a, b) : floor_divide_9_of(g, a, b));
    if (!strcmp(mode, "trunc")) return ox_set_out(g, 0, trunc_divide_of(g, a, b));
    return ox_sym_error(g, 0, "Unsupported rounding mode: \"%s\". Expected None, \"floor\" or \"trunc\"", mode);
}

static ox_status div_9(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    if (g->nin == 2) return ox_set_out(g, 0, true_divide_of(g, g->in[0], g->in[1]));
    return div_rounding(g, false);
}

static ox_status div_10(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    if (g->nin == 2) return ox_set_out(g, 0, true_divide_of(g, g->in[0], g->in[1]));
    return div_rounding(g, true);
}

static ox_status true_divide(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    return ox_set_out(g, 0, true_divide_of(g, g->in[0], g->in[1]));
}

/* floor_divide keeps torch's deprecated truncating export. */
static ox_status floor_divide(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    return ox_set_out(g, 0, trunc_divide_of(g, g->in[0], g->in[1]));
}

static ox_status floor_divide_10(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    return ox_set_out(g, 0, floor_divide_10_of(g, g->in[0], g->in[1]));
}

/* remainder(self, other) = self - floor_divide(self, other) * other, with
 * opset 9's floor division whatever the target (torch calls it directly). */
static ox_status remainder_9(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    ox_value *a = g->in[0], *b = g->in[1];
    ox_value *div = floor_divide_9_of(g, a, b);
    return ox_set_out(g, 0, ox_op_2(g, "Sub", a, ox_op_2(g, "Mul", div, b)));
}

/* Opset 11: integer operands take Mod(fmod=0), which rounds like Python's %. */
static ox_status remainder_11(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    if (is_fp(g->in[0]) || is_fp(g->in[1])) return remainder_9(g);
    return ox_set_out(g, 0, attr_i(ox_op_2(g, "Mod", g->in[0], g->in[1]), "fmod", 0));
}

/* fmod keeps the dividend's sign: Mod(fmod=1). */
static ox_status fmod_10(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    return ox_set_out(g, 0, attr_i(ox_op_2(g, "Mod", g->in[0], g->in[1]), "fmod", 1));
}

/* ---- pow ---------------------------------------------------------------- */

/* Opset 9: Pow takes floats; a non-float base is cast to float and a
 * non-float exponent to the base's (float) dtype. */
static ox_status pow_9(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    ox_value *x = g->in[0], *e = g->in[1];
    ox_dtype f = ox_elem_type(x);
    if (!is_fp(x)) {
        f = OX_FLOAT;
        x = ox_cast(g, x, OX_FLOAT);
    }
    if (!is_fp(e)) e = ox_cast(g, e, f);
    /* Pow's result is x's float type (torch's inferred type, not the int
     * the TorchScript graph says). */
    ox_value *y = ox_op_2(g, "Pow", x, e);
    if (y && ox_type_is_tensor(x->type)) {
        ox_type *t = ox_type_tensor(g->graph->arena, ox_elem_type(x), -1, NULL);
        if (t) y->type = t;
    }
    return ox_set_out(g, 0, y);
}

static ox_status pow_12(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    return ox_set_out(g, 0, ox_op_2(g, "Pow", g->in[0], g->in[1]));
}

/* ---- clamp -------------------------------------------------------------- */

/* A constant bound as a float (torch's _parse_arg(v, "f")). */
static ox_status bound_value(ox_sym *g, ox_value *v, double *out)
{
    if (ox_value_const_float(v, out)) return OX_OK;
    return ox_sym_error(g, 0, "clamp: a constant bound must hold exactly one number");
}

/* Opset 9: Clip with min/max attributes for constant bounds, Max/Min with
 * the bound cast to self's dtype otherwise. */
static ox_value *clamp_min_9(ox_sym *g, ox_value *self, ox_value *min, uint32_t mark)
{
    ox_node *n = NULL;
    if (ox_value_is_constant(min)) {
        double v;
        if (bound_value(g, min, &v) != OX_OK) return NULL;
        ox_value *y = ox_ew_float_cast_op(g, "Clip", &self, 1, 12, mark, &n);
        return y && ox_node_set_f(n, "min", v) == OX_OK ? y : NULL;
    }
    ox_dtype dt = ox_elem_type(self);
    if (dt != OX_UNDEFINED) min = ox_cast(g, min, dt);
    ox_value *ins[2] = {self, min};
    return ox_ew_float_cast_op(g, "Max", ins, 2, 12, mark, NULL);
}

static ox_value *clamp_max_9(ox_sym *g, ox_value *self, ox_value *max, uint32_t mark)
{
    ox_node *n = NULL;
    if (ox_value_is_constant(max)) {
        double v;
        if (bound_value(g, max, &v) != OX_OK) return NULL;
        ox_value *y = ox_ew_float_cast_op(g, "Clip", &self, 1, 12, mark, &n);
        return y && ox_node_set_f(n, "max", v) == OX_OK ? y : NULL;
    }
    ox_dtype dt = ox_elem_type(self);
    if (dt != OX_UNDEFINED) max = ox_cast(g, max, dt);
    ox_value *ins[2] = {self, max};
    return ox_ew_float_cast_op(g, "Min", ins, 2, 12, mark, NULL);
}

static ox_status clamp_9(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 3));
    uint32_t mark = mark_of(g);
    ox_value *self = g->in[0], *min = g->in[1], *max = g->in[2];
    if (ox_value_is_none(min)) return ox_set_out(g, 0, clamp_max_9(g, self, max, mark));
    if (ox_value_is_none(max)) return ox_set_out(g, 0, clamp_min_9(g, self, min, mark));
    if (ox_value_is_constant(min) && ox_value_is_constant(max)) {
        double lo, hi;
        OX_TRY(bound_value(g, min, &lo));
        OX_TRY(bound_value(g, max, &hi));
        ox_node *n = NULL;
        ox_value *y = ox_ew_float_cast_op(g, "Clip", &self, 1, 12, mark, &n);
        if (y && (ox_node_set_f(n, "max", hi) != OX_OK || ox_node_set_f(n, "min", lo) != OX_OK)) y = NULL;
        return ox_set_out(g, 0, y);
    }
    return ox_set_out(g, 0, clamp_max_9(g, clamp_min_9(g, self, min, mark), max, mark));
}

static ox_status clamp_min_9_sym(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    return ox_set_out(g, 0, clamp_min_9(g, g->in[0], g->in[1], mark_of(g)));
}

static ox_status clamp_max_9_sym(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    return ox_set_out(g, 0, clamp_max_9(g, g->in[0], g->in[1], mark_of(g)));
}

/* Opset 11: bounds are inputs, cast to self's dtype; a 0-d bound clips, a
 * tensor bound takes Max/Min. */
static ox_value *cast_to_self(ox_sym *g, ox_value *self, ox_value *v)
{
    ox_dtype dt = ox_elem_type(self);
    return dt == OX_UNDEFINED ? v : ox_cast(g, v, dt);
}

static ox_value *clamp_min_11(ox_sym *g, ox_value *self, ox_value *min, uint32_t mark)
{
    if (!self || !min) return NULL;
    min = cast_to_self(g, self, min);
    if (!min) return NULL;
    if (ox_rank(min) == 0) {
        ox_value *ins[3] = {self, min, ox_none(g)};
        return ox_ew_float_cast_op(g, "Clip", ins, 3, 12, mark, NULL);
    }
    ox_value *ins[2] = {self, min};
    return ox_ew_float_cast_op(g, "Max", ins, 2, 12, mark, NULL);
}

static ox_value *clamp_max_11(ox_sym *g, ox_value *self, ox_value *max, uint32_t mark)
{
    if (!self || !max) return NULL;
    max = cast_to_self(g, self, max);
    if (!max) return NULL;
    if (ox_rank(max) == 0) {
        ox_value *none = ox_none(g);
        ox_value *ins[3] = {self, none, max};
        return ox_ew_float_cast_op(g, "Clip", ins, 3, 12, mark, NULL);
    }
    ox_value *ins[2] = {self, max};
    return ox_ew_float_cast_op(g, "Min", ins, 2, 12, mark, NULL);
}

static ox_status clamp_11(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 3));
    uint32_t mark = mark_of(g);
    ox_value *self = g->in[0], *min = g->in[1], *max = g->in[2];
    if (ox_elem_type(self) != OX_UNDEFINED) {
        if (!ox_value_is_none(min) && !(min = cast_to_self(g, self, min))) return ox_set_out(g, 0, NULL);
        if (!ox_value_is_none(max) && !(max = cast_to_self(g, self, max))) return ox_set_out(g, 0, NULL);
    }
    if (ox_value_is_none(min)) return ox_set_out(g, 0, clamp_max_11(g, self, max, mark));
    if (ox_value_is_none(max)) return ox_set_out(g, 0, clamp_min_11(g, self, min, mark));
    if (ox_rank(min) == 0 && ox_rank(max) == 0) {
        ox_value *ins[3] = {self, min, max};
        return ox_set_out(g, 0, ox_ew_float_cast_op(g, "Clip", ins, 3, 12, mark, NULL));
    }
    return ox_set_out(g, 0, clamp_max_11(g, clamp_min_11(g, self, min, mark), max, mark));
}

static ox_status clamp_min_11_sym(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    return ox_set_out(g, 0, clamp_min_11(g, g->in[0], g->in[1], mark_of(g)));
}

static ox_status clamp_max_11_sym(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    return ox_set_out(g, 0, clamp_max_11(g, g->in[0], g->in[1], mark_of(g)));
}

/* ---- maximum / minimum -------------------------------------------------- */

static ox_status maximum(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    return ox_set_out(g, 0, ox_ew_float_cast_op(g, "Max", g->in, 2, 12, mark_of(g), NULL));
}

static ox_status minimum(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    return ox_set_out(g, 0, ox_ew_float_cast_op(g, "Min", g->in, 2, 12, mark_of(g), NULL));
}

/* ---- comparisons -------------------------------------------------------- */

static const char *const_string(ox_value *v)
{
    if (!ox_node_is(v->node, "onnx::Constant") && !ox_node_is(v->node, "prim::Constant")) return NULL;
    ox_attr *a = ox_node_attr(v->node, "value");
    return a && a->kind == OX_ATTR_S ? a->v.s : NULL;
}

static ox_value *const_bool(ox_sym *g, bool b)
{
    ox_tensor *t = ox_tensor_alloc(g->graph->arena, OX_BOOL, 0, NULL);
    if (!t) {
        OX_NOMEM(g->ctx);
        return NULL;
    }
    ox_tensor_set_i(t, 0, b);
    return ox_const_tensor(g, t);
}

/* eq: devices are all equal; two constant strings compare at export time. */
static ox_value *eq_of(ox_sym *g, ox_value *a, ox_value *b)
{
    if (a->type && b->type && a->type->kind == OX_TYPE_DEVICE && b->type->kind == OX_TYPE_DEVICE)
        return const_bool(g, true);
    const char *sa = const_string(a), *sb = const_string(b);
    if (sa && sb) return const_bool(g, strcmp(sa, sb) == 0);
    return ox_op_2(g, "Equal", a, b);
}

static ox_status eq(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    return ox_set_out(g, 0, eq_of(g, g->in[0], g->in[1]));
}

static ox_status ne(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    return ox_set_out(g, 0, ox_op_1(g, "Not", bool_typed(g, eq_of(g, g->in[0], g->in[1]))));
}

static ox_status gt_9(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    return ox_set_out(g, 0, greater_of(g, g->in[0], g->in[1]));
}

static ox_status lt_9(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    return ox_set_out(g, 0, less_of(g, g->in[0], g->in[1]));
}

/* ge/le before opset 12: Not(Less) / Not(Greater). */
static ox_status ge_9(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    return ox_set_out(g, 0, ox_op_1(g, "Not", bool_typed(g, less_of(g, g->in[0], g->in[1]))));
}

static ox_status le_9(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    return ox_set_out(g, 0, ox_op_1(g, "Not", bool_typed(g, greater_of(g, g->in[0], g->in[1]))));
}

static ox_status ge_12(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    return ox_set_out(g, 0, ox_op_2(g, "GreaterOrEqual", g->in[0], g->in[1]));
}

static ox_status le_12(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    return ox_set_out(g, 0, ox_op_2(g, "LessOrEqual", g->in[0], g->in[1]));
}

/* A 0-d onnx::Constant (torch's _maybe_get_scalar) converted to `dt`
 * (its own dtype when dt is unknown), or NULL. */
static ox_tensor *scalar_const_as(ox_sym *g, ox_value *v, ox_dtype dt)
{
    if (!ox_node_is(v->node, "onnx::Constant")) return NULL;
    const ox_tensor *t = ox_value_const_tensor(v);
    if (!t || t->rank != 0 || !t->data) return NULL;
    if (dt == OX_UNDEFINED || ox_dtype_size(dt) == 0) dt = t->dtype;
    ox_tensor *c = ox_tensor_alloc(g->graph->arena, dt, 0, NULL);
    if (!c) return NULL;
    if (ox_dtype_is_floating(t->dtype)) ox_tensor_set_f(c, 0, ox_tensor_get_f(t, 0));
    else ox_tensor_set_i(c, 0, ox_tensor_get_i(t, 0));
    return c;
}

/* Opset 8 (Greater/Less take floats only): a constant scalar operand takes
 * the input's dtype, and integer operands are compared as float. */
static ox_status compare_8(ox_sym *g, const char *op)
{
    OX_TRY(ox_need_inputs(g, 2));
    ox_value *a = g->in[0], *b = g->in[1];
    ox_dtype dt = ox_elem_type(a);
    ox_tensor *bt = scalar_const_as(g, b, dt);
    if (dt == OX_UNDEFINED) {
        ox_warn(g->ctx, "Only floating datatype is supported for these operators: {Greater, Less, MatMul, PRelu, "
                        "Gemm, Flatten}. This might cause the onnx model to be incorrect, if inputs have integer "
                        "datatypes.");
    } else if (dt != OX_FLOAT16 && dt != OX_FLOAT && dt != OX_DOUBLE) {
        a = ox_cast(g, a, OX_FLOAT);
        if (bt) b = a ? ox_const_tensor(g, bt) : NULL;
        bt = NULL;
        b = ox_cast(g, b, OX_FLOAT);
    }
    if (bt) b = ox_const_tensor(g, bt);
    return ox_set_out(g, 0, ox_op_2(g, op, a, b));
}

static ox_status gt_8(ox_sym *g) { return compare_8(g, "Greater"); }
static ox_status lt_8(ox_sym *g) { return compare_8(g, "Less"); }

/* ---- logic -------------------------------------------------------------- */

static ox_status logical(ox_sym *g, const char *op)
{
    OX_TRY(ox_need_inputs(g, 2));
    ox_value *a = ox_cast(g, g->in[0], OX_BOOL);
    ox_value *b = a ? ox_cast(g, g->in[1], OX_BOOL) : NULL;
    return ox_set_out(g, 0, ox_op_2(g, op, a, b));
}

static ox_status logical_and(ox_sym *g) { return logical(g, "And"); }
static ox_status logical_or(ox_sym *g) { return logical(g, "Or"); }
static ox_status logical_xor(ox_sym *g) { return logical(g, "Xor"); }

/* aten::__and__ / __or__ / __xor__ (a & b, a | b, a ^ b) and latest torch's
 * bitwise_or: And / Or / Xor on bool tensors only. `what` names the op in
 * torch's message, which latest torch's bitwise_or ends with "self: " or
 * "other: ". */
static ox_status bool_binary(ox_sym *g, const char *op, const char *what, bool bitwise_or_wording)
{
    OX_TRY(ox_need_inputs(g, 2));
    for (int i = 0; i < 2; i++)
        if (!is_bool(g->in[i]))
            return ox_sym_error(g, i, "ONNX export does NOT support exporting bitwise %s for non-boolean input values%s",
                                what, !bitwise_or_wording ? "" : i == 0 ? ". self: " : ". other: ");
    return ox_set_out(g, 0, ox_op_2(g, op, g->in[0], g->in[1]));
}

static ox_status dunder_and(ox_sym *g) { return bool_binary(g, "And", "AND", false); }
static ox_status dunder_or(ox_sym *g) { return bool_binary(g, "Or", "OR", false); }
static ox_status dunder_xor(ox_sym *g) { return bool_binary(g, "Xor", "XOR", false); }
static ox_status bitwise_or(ox_sym *g) { return bool_binary(g, "Or", "OR", true); }

/* torch.promote_types over bool and the integer types (the operands of the
 * bitwise ops); OX_UNDEFINED for anything else. */
static ox_dtype promote_int(ox_dtype a, ox_dtype b)
{
    static const ox_dtype order[] = {OX_BOOL, OX_UINT8, OX_INT8, OX_INT16, OX_INT32, OX_INT64};
    int ia = -1, ib = -1;
    for (int i = 0; i < 6; i++) {
        if (order[i] == a) ia = i;
        if (order[i] == b) ib = i;
    }
    if (ia < 0 || ib < 0) return OX_UNDEFINED;
    if ((a == OX_UINT8 && b == OX_INT8) || (a == OX_INT8 && b == OX_UINT8)) return OX_INT16;
    return order[ia > ib ? ia : ib];
}

/* Opset 18 (latest torch): __and__ / bitwise_and promote their operands
 * (tensors of rank > 0 decide, or both when neither is), cast what differs,
 * and take And for bool, BitwiseAnd otherwise. */
static ox_status bitwise_and_18(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    ox_value *args[2] = {g->in[0], g->in[1]};
    bool decides[2] = {ox_rank(args[0]) > 0, ox_rank(args[1]) > 0};
    if (!decides[0] && !decides[1]) decides[0] = decides[1] = true;
    ox_dtype t = OX_UNDEFINED;
    for (int i = 0; i < 2; i++) {
        if (!decides[i]) continue;
        ox_dtype d = ox_elem_type(args[i]);
        if (d == OX_UNDEFINED)
            return ox_sym_error(g, i, "Unsupported: ONNX export of bitwise AND with an input of unknown dtype");
        t = t == OX_UNDEFINED ? d : promote_int(t, d);
        if (t == OX_UNDEFINED)
            return ox_sym_error(g, i, "Unsupported: ONNX export of bitwise AND of %s values",
                                ox_ew_torch_type_name(d));
    }
    for (int i = 0; i < 2; i++)
        if (ox_elem_type(args[i]) != t) args[i] = ox_cast(g, args[i], t);
    return ox_set_out(g, 0, ox_op_2(g, t == OX_BOOL ? "And" : "BitwiseAnd", args[0], args[1]));
}

/* aten::__not__ (~a on bool tensors): as bitwise_not. */
static ox_status dunder_not(ox_sym *g) { return bitwise_not(g); }

/* aten::__is__ / __isnot__ (x is None): decided at export time against None,
 * eq otherwise. From opset 15 an Optional input asks OptionalHasElement. */
static ox_value *const_bool_1d(ox_sym *g, bool b)
{
    int64_t one = 1;
    ox_tensor *t = ox_tensor_alloc(g->graph->arena, OX_BOOL, 1, &one);
    if (!t) {
        OX_NOMEM(g->ctx);
        return NULL;
    }
    ox_tensor_set_i(t, 0, b);
    return ox_const_tensor(g, t);
}

static ox_value *is_of(ox_sym *g, bool opset15)
{
    ox_value *self = g->in[0], *other = g->in[1];
    if (!ox_value_is_none(other)) return eq_of(g, self, other);
    if (!opset15) return const_bool_1d(g, ox_value_is_none(self));
    if (self->type && self->type->kind == OX_TYPE_OPTIONAL)
        return ox_op_1(g, "Not", bool_typed(g, ox_op_1(g, "OptionalHasElement", self)));
    return const_bool_1d(g, false);
}

static ox_status is_9(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    return ox_set_out(g, 0, is_of(g, false));
}

static ox_status is_15(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    return ox_set_out(g, 0, is_of(g, true));
}

static ox_status isnot_9(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    return ox_set_out(g, 0, ox_op_1(g, "Not", bool_typed(g, is_of(g, false))));
}

static ox_status isnot_15(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 2));
    return ox_set_out(g, 0, ox_op_1(g, "Not", bool_typed(g, is_of(g, true))));
}

/* ---- where, masked_fill ------------------------------------------------- */

static ox_status where_(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 1));
    if (g->nin < 3 || ox_arg_is_none(g, 1))
        return ox_sym_unsupported(g, "where with a single argument (use torch.nonzero(..., as_tuple=True))");
    ox_value *cond = g->in[0];
    if (!is_bool(cond)) cond = ox_cast(g, cond, OX_BOOL);
    ox_value *in[3] = {cond, g->in[1], g->in[2]};
    return ox_set_out(g, 0, ox_opn(g, "Where", 3, in));
}

/* masked_fill(self, mask, value): Where(Cast(mask, bool), value, self); a
 * constant scalar value becomes a constant of self's dtype. */
static ox_status masked_fill(ox_sym *g)
{
    OX_TRY(ox_need_inputs(g, 3));
    ox_value *self = g->in[0], *value = g->in[2];
    ox_value *mask = ox_cast(g, g->in[1], OX_BOOL);
    if (!mask) return ox_set_out(g, 0, NULL);
    ox_tensor *vt = scalar_const_as(g, value, ox_elem_type(self));
    if (vt) value = ox_const_tensor(g, vt);
    ox_value *in[3] = {mask, value, self};
    return ox_set_out(g, 0, ox_opn(g, "Where", 3, in));
}

const ox_symbolic_entry ox_symbolics_elementwise[] = {
    {"aten::add", 9, add_9},
    {"aten::add", 11, add_11},
    {"aten::sub", 9, sub},
    {"aten::rsub", 9, rsub},
    {"aten::mul", 9, mul},
    {"aten::div", 9, div_9},
    {"aten::div", 10, div_10},
    {"aten::true_divide", 9, true_divide},
    {"aten::floor_divide", 9, floor_divide},
    {"aten::floordiv", 9, floor_divide},
    {"aten::_floor_divide", 10, floor_divide_10},
    {"aten::remainder", 9, remainder_9},
    {"aten::remainder", 11, remainder_11},
    {"aten::fmod", 10, fmod_10},
    {"aten::pow", 9, pow_9},
    {"aten::pow", 12, pow_12},
    {"aten::sqrt", 9, sqrt_},
    {"aten::rsqrt", 9, rsqrt},
    {"aten::exp", 9, exp_},
    {"aten::log", 9, log_},
    {"aten::log2", 9, log2_},
    {"aten::neg", 9, neg},
    {"aten::abs", 9, abs_},
    {"aten::reciprocal", 9, reciprocal},
    {"aten::sign", 8, blocked},
    {"aten::sign", 9, sign},
    {"aten::floor", 9, floor_},
    {"aten::ceil", 9, ceil_},
    {"aten::round", 11, round_},
    {"aten::erf", 8, blocked},
    {"aten::erf", 9, erf_},
    {"aten::sin", 9, sin_},
    {"aten::cos", 9, cos_},
    {"aten::tan", 9, tan_},
    {"aten::clamp", 9, clamp_9},
    {"aten::clamp", 11, clamp_11},
    {"aten::clamp_min", 9, clamp_min_9_sym},
    {"aten::clamp_min", 11, clamp_min_11_sym},
    {"aten::clamp_max", 9, clamp_max_9_sym},
    {"aten::clamp_max", 11, clamp_max_11_sym},
    {"aten::maximum", 9, maximum},
    {"aten::minimum", 9, minimum},
    {"aten::eq", 9, eq},
    {"aten::ne", 9, ne},
    {"aten::gt", 8, gt_8},
    {"aten::gt", 9, gt_9},
    {"aten::lt", 8, lt_8},
    {"aten::lt", 9, lt_9},
    {"aten::ge", 9, ge_9},
    {"aten::ge", 12, ge_12},
    {"aten::le", 9, le_9},
    {"aten::le", 12, le_12},
    {"aten::logical_not", 9, logical_not},
    {"aten::logical_and", 9, logical_and},
    {"aten::logical_or", 9, logical_or},
    {"aten::logical_xor", 9, logical_xor},
    {"aten::bitwise_not", 9, bitwise_not},
    {"aten::__not_", 9, dunder_not},
    {"aten::__and_", 9, dunder_and},
    {"aten::__and_", 18, bitwise_and_18},
    {"aten::bitwise_and", 18, bitwise_and_18},
    {"aten::__or_", 9, dunder_or},
    {"aten::bitwise_or", 9, bitwise_or},
    {"aten::__xor_", 9, dunder_xor},
    {"aten::__is_", 9, is_9},
    {"aten::__is_", 15, is_15},
    {"aten::__isnot_", 9, isnot_9},
    {"aten::__isnot_", 15, isnot_15},
    {"aten::where", 8, blocked},
    {"aten::where", 9, where_},
    {"aten::masked_fill", 8, blocked},
    {"aten::masked_fill", 9, masked_fill},
    {0},
};
