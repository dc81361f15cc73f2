/* Implicit type promotion for ONNX ops that need equal operand types (seed:
 * _jit_pass_onnx_scalar_type_analysis(graph, lowprecision_cast=True, opset),
 * step 23 of _optimize_graph).
 *
 * Symbolics emit e.g. Add(x, <int64 constant 1>) and leave the operand types
 * to this pass, which mimics PyTorch's promotion rules:
 *
 *  - "standard" ops Add Sub Mul Div Gemm Pow Mod: inputs and output share
 *    one type: the output's when known, else the promotion of the inputs;
 *  - comparisons Greater Less Equal GreaterOrEqual LessOrEqual: inputs share
 *    the promotion of all of them; the output stays bool;
 *  - a 0-d constant counts as a Python scalar (a 0-d double as the default
 *    dtype float32, a 0-d int64/bool as itself), as does Gather(Shape(x)),
 *    and a tensor operand wins over scalars unless the scalar's category
 *    (bool < integer < floating) is higher;
 *  - every constant operand is replaced by a constant of the promoted type
 *    created right before the node; other operands of a different known
 *    type get a Cast there; operands of unknown type are left alone.
 *
 * Then, before opset 14, standard ops other than Gemm on uint8/int8/int16
 * are computed in int64 and the result is cast back. Dead nodes (replaced
 * constants) are removed after each phase, as torch's pass does. */
#include "passes/passes.h"

/* torch's getTypeCategory. */
static int category(ox_dtype t)
{
    if (t == OX_BOOL) return 1;
    if (ox_dtype_is_integral(t)) return 2;
    if (ox_dtype_is_floating(t)) return 3;
    return 0;
}

static bool is_complex(ox_dtype t) { return t == OX_COMPLEX64 || t == OX_COMPLEX128; }

static bool is_unsigned(ox_dtype t) { return t == OX_UINT8 || t == OX_UINT16 || t == OX_UINT32 || t == OX_UINT64; }

static ox_dtype signed_of_size(size_t bytes)
{
    switch (bytes) {
    case 1: return OX_INT8;
    case 2: return OX_INT16;
    case 4: return OX_INT32;
    default: return OX_INT64;
    }
}

/* PyTorch's promoteTypes for two dtypes. */
static ox_dtype promote(ox_dtype a, ox_dtype b)
{
    if (a == b) return a;
    if (a == OX_UNDEFINED) return b;
    if (b == OX_UNDEFINED) return a;
    if (a == OX_BOOL) return b;
    if (b == OX_BOOL) return a;
    if (is_complex(a) || is_complex(b)) {
        if (a == OX_COMPLEX128 || b == OX_COMPLEX128) return OX_COMPLEX128;
        ox_dtype other = is_complex(a) ? b : a;
        return other == OX_DOUBLE ? OX_COMPLEX128 : OX_COMPLEX64;
    }
    bool fa = ox_dtype_is_floating(a), fb = ox_dtype_is_floating(b);
    if (fa && fb) {
        if (a == OX_DOUBLE || b == OX_DOUBLE) return OX_DOUBLE;
        return OX_FLOAT; /* float with half/bfloat16, or half with bfloat16 */
    }
    if (fa) return a;
    if (fb) return b;
    /* two different integer types */
    size_t sa = ox_dtype_size(a), sb = ox_dtype_size(b);
    if (is_unsigned(a) == is_unsigned(b)) return sa >= sb ? a : b;
    ox_dtype s = is_unsigned(a) ? b : a, u = is_unsigned(a) ? a : b;
    size_t ss = ox_dtype_size(s), su = ox_dtype_size(u);
    if (ss > su) return s;
    return signed_of_size(su * 2);
}

/* The element types ScalarTypeToONNXType knows (others: warn, no change). */
static bool onnx_castable(ox_dtype t)
{
    switch (t) {
    case OX_FLOAT: case OX_UINT8: case OX_INT8: case OX_INT16: case OX_INT32:
    case OX_INT64: case OX_BOOL: case OX_FLOAT16: case OX_DOUBLE:
        return true;
    default:
        return false;
    }
}

static bool is_standard(const ox_node *n)
{
    static const char *const ops[] = {"onnx::Add", "onnx::Sub", "onnx::Mul", "onnx::Div",
                                      "onnx::Gemm", "onnx::Pow", "onnx::Mod"};
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        if (ox_node_is(n, ops[i])) return true;
    return false;
}

static bool is_comparison(const ox_node *n)
{
    static const char *const ops[] = {"onnx::Greater", "onnx::Less", "onnx::Equal", "onnx::GreaterOrEqual",
                                      "onnx::LessOrEqual"};
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        if (ox_node_is(n, ops[i])) return true;
    return false;
}

/* The tensor of an onnx::Constant with data, or NULL. */
static const ox_tensor *constant_tensor(const ox_value *v)
{
    if (!ox_node_is(v->node, "onnx::Constant")) return NULL;
    ox_attr *a = ox_node_attr(v->node, "value");
    if (!a || a->kind != OX_ATTR_T || !a->v.t || !a->v.t->data) return NULL;
    return a->v.t;
}

static ox_dtype value_dtype(const ox_value *v)
{
    return ox_type_is_tensor(v->type) ? v->type->dtype : OX_UNDEFINED;
}

/* torch's InferExpectedScalarType; OX_UNDEFINED when nothing is known. */
static ox_dtype expected_type(const ox_node *n)
{
    ox_dtype from_tensors = OX_UNDEFINED, from_scalars = OX_UNDEFINED;
    for (int i = 0; i < n->ninputs; i++) {
        const ox_value *in = n->inputs[i];
        const ox_node *p = in->node;
        const ox_tensor *t;
        if (ox_node_is(p, "onnx::Gather") && p->ninputs > 0 && ox_node_is(p->inputs[0]->node, "onnx::Shape")) {
            /* x.size(i): a Python int in PyTorch. */
            from_scalars = promote(from_scalars, OX_INT64);
        } else if ((t = constant_tensor(in)) != NULL) {
            if (t->rank == 0 && t->dtype == OX_DOUBLE) from_scalars = promote(from_scalars, OX_FLOAT);
            else if (t->rank == 0 && (t->dtype == OX_INT64 || t->dtype == OX_BOOL))
                from_scalars = promote(from_scalars, t->dtype);
            else from_tensors = promote(from_tensors, t->dtype);
        } else if (value_dtype(in) != OX_UNDEFINED) {
            from_tensors = promote(from_tensors, value_dtype(in));
        }
    }
    if (is_comparison(n)) return promote(from_scalars, from_tensors);
    ox_dtype out = n->noutputs > 0 ? value_dtype(n->outputs[0]) : OX_UNDEFINED;
    if (out != OX_UNDEFINED) return out;
    if (from_scalars == OX_UNDEFINED) return from_tensors;
    if (from_tensors == OX_UNDEFINED) return from_scalars;
    return category(from_scalars) > category(from_tensors) ? from_scalars : from_tensors;
}

/* A copy of `t` converted to `to` (shared when the dtype already matches). */
static ox_tensor *convert_tensor(ox_arena *a, const ox_tensor *t, ox_dtype to)
{
    if (t->dtype == to) return (ox_tensor *)t;
    ox_tensor *c = ox_tensor_alloc(a, to, t->rank, t->dims);
    if (!c) return NULL;
    int64_t n = ox_tensor_numel(t);
    bool from_float = ox_dtype_is_floating(t->dtype);
    for (int64_t i = 0; i < n; i++) {
        if (from_float) ox_tensor_set_f(c, i, ox_tensor_get_f(t, i));
        else ox_tensor_set_i(c, i, ox_tensor_get_i(t, i));
    }
    return c;
}

static void replace_input(ox_node *n, ox_value *old, ox_value *with)
{
    for (int i = 0; i < n->ninputs; i++)
        if (n->inputs[i] == old) ox_node_set_input(n, i, with);
}

/* A node inserted before `n` for it: same scope and source. */
static ox_node *new_node_before(ox_graph *g, ox_node *n, const char *kind)
{
    ox_node *m = ox_node_new(g, kind, 1);
    if (!m) return NULL;
    ox_node_copy_metadata(m, n);
    ox_node_insert_before(m, n);
    return m;
}

/* torch's UpdateScalarTypeForInputs. */
static ox_status update_inputs(ox_graph *g, ox_node *n, ox_dtype st, bool *changed)
{
    if (!onnx_castable(st)) {
        ox_warn(g->ctx,
                "Warning: ONNX Scalar Type Analysis - Scalar type: %s of input tensor in operator: %s not "
                "supported in ONNX. ",
                ox_dtype_name(st) ? ox_dtype_name(st) : "?", n->kind);
        return OX_OK;
    }
    uint32_t first_new = g->next_node_seq;
    for (int i = 0; i < n->ninputs; i++) {
        ox_value *in = n->inputs[i];
        if (in->node->seq >= first_new) continue; /* a constant or Cast made just now */
        const ox_tensor *t = constant_tensor(in);
        if (t) {
            ox_tensor *c = convert_tensor(g->arena, t, st);
            if (!c) return OX_NOMEM(g->ctx);
            ox_node *k = new_node_before(g, n, "onnx::Constant");
            if (!k || ox_node_set_t(k, "value", c) != OX_OK) return OX_NOMEM(g->ctx);
            k->outputs[0]->type = ox_type_tensor(g->arena, st, c->rank, c->dims);
            if (!k->outputs[0]->type) return OX_NOMEM(g->ctx);
            replace_input(n, in, k->outputs[0]);
            *changed = true;
        } else if (value_dtype(in) != OX_UNDEFINED && value_dtype(in) != st) {
            ox_node *k = new_node_before(g, n, "onnx::Cast");
            if (!k || ox_node_add_input(k, in) != OX_OK || ox_node_set_i(k, "to", (int64_t)st) != OX_OK)
                return OX_NOMEM(g->ctx);
            ox_type *ty = ox_type_copy(g->arena, in->type);
            if (!ty) return OX_NOMEM(g->ctx);
            ty->dtype = st;
            k->outputs[0]->type = ty;
            replace_input(n, in, k->outputs[0]);
            *changed = true;
        }
    }
    return OX_OK;
}

static ox_status set_output_dtype(ox_graph *g, ox_value *out, ox_dtype st)
{
    if (value_dtype(out) == st) return OX_OK;
    ox_type *t = ox_type_is_tensor(out->type) ? ox_type_copy(g->arena, out->type)
                                              : ox_type_tensor(g->arena, st, -1, NULL);
    if (!t) return OX_NOMEM(g->ctx);
    t->dtype = st;
    out->type = t;
    return OX_OK;
}

static ox_status implicit_cast_block(ox_graph *g, ox_block *b, bool *changed)
{
    for (ox_node *n = ox_block_first(b); n != b->ret; n = n->next) {
        for (int i = 0; i < n->nblocks; i++) OX_TRY(implicit_cast_block(g, n->blocks[i], changed));
        if (!is_standard(n) && !is_comparison(n)) continue;
        ox_dtype st = expected_type(n);
        if (st == OX_UNDEFINED) continue;
        OX_TRY(update_inputs(g, n, st, changed));
        if (!is_comparison(n) && n->noutputs > 0) OX_TRY(set_output_dtype(g, n->outputs[0], st));
    }
    return OX_OK;
}

/* Uses of `v` by nodes other than `except` now read `with`. */
static ox_status replace_uses_except(ox_value *v, ox_value *with, ox_node *except)
{
    for (int i = v->nuses - 1; i >= 0; i--) {
        ox_use u = v->uses[i];
        if (u.user == except) continue;
        ox_node_set_input(u.user, u.index, with);
    }
    return OX_OK;
}

/* torch's LowPrecisionCastNodeForStandardOps. */
static ox_status low_precision_node(ox_graph *g, ox_node *n, int opset, bool *changed)
{
    if (n->noutputs != 1) return OX_OK;
    ox_value *out = n->outputs[0];
    ox_dtype st = value_dtype(out);
    if (st == OX_UNDEFINED) return OX_OK;
    for (int i = 0; i < n->ninputs; i++) {
        ox_dtype it = value_dtype(n->inputs[i]);
        if (it == OX_UNDEFINED || it != st) return OX_OK; /* torch asserts equality here */
    }
    if (opset >= 14) return OX_OK;
    bool low = !ox_node_is(n, "onnx::Gemm") && (st == OX_UINT8 || st == OX_INT8 || st == OX_INT16);
    ox_dtype compute = low ? OX_INT64 : st;
    OX_TRY(update_inputs(g, n, compute, changed));
    if (!low) return OX_OK;
    /* Cast the int64 result back to the original type for every user. */
    ox_node *k = ox_node_new(g, "onnx::Cast", 1);
    if (!k) return OX_NOMEM(g->ctx);
    ox_node_copy_metadata(k, n);
    ox_node_insert_after(k, n);
    if (ox_node_set_i(k, "to", (int64_t)st) != OX_OK) return OX_NOMEM(g->ctx);
    ox_value *back = k->outputs[0];
    back->type = out->type;
    OX_TRY(replace_uses_except(out, back, k)); /* block outputs included */
    OX_TRY(ox_node_add_input(k, out));
    OX_TRY(set_output_dtype(g, out, compute));
    *changed = true;
    return OX_OK;
}

static ox_status low_precision_block(ox_graph *g, ox_block *b, int opset, bool *changed)
{
    for (ox_node *n = ox_block_first(b); n != b->ret; n = n->next) {
        for (int i = 0; i < n->nblocks; i++) OX_TRY(low_precision_block(g, n->blocks[i], opset, changed));
        if (is_standard(n)) OX_TRY(low_precision_node(g, n, opset, changed));
    }
    return OX_OK;
}

ox_status ox_pass_scalar_type_analysis(ox_graph *g, int opset, bool *changed)
{
    bool c = false;
    OX_TRY(implicit_cast_block(g, g->top, &c));
    OX_TRY(ox_pass_dce(g, NULL));
    OX_TRY(low_precision_block(g, g->top, opset, &c));
    OX_TRY(ox_pass_dce(g, NULL));
    if (changed) *changed = c;
    return OX_OK;
}
