/* Matrix products: linear, addmm, mm, bmm, matmul, baddbmm, einsum (torch's
 * symbolic_opset8/9/11/12 forms; t and numpy_T live in shape.c).
 *
 * Opset 8 has integer-free MatMul/Gemm: when the first operand's dtype is
 * known and is not Half/Float/Double, every operand is cast to float and the
 * result back (torch's _try_cast_integer_to_float / _cast_to_type). */
#include "symbolic/helpers.h"

/* ---- small builders ----------------------------------------------------- */

static void set_type(ox_sym *g, ox_value *v, ox_dtype dtype, int rank, const int64_t *dims)
{
    ox_type *t = ox_type_tensor(g->graph->arena, dtype, rank, dims);
    if (t) v->type = t;
}

/* Transpose with `perm`; the result is typed when x's rank matches. */
static ox_value *transpose(ox_sym *g, ox_value *x, const int64_t *perm, int n)
{
    ox_value *y = ox_op1(g, "Transpose", x, NULL);
    if (!y || ox_node_set_is(y->node, "perm", perm, n) != OX_OK) return NULL;
    if (ox_rank(x) == n && n <= 16) {
        int64_t dims[16];
        for (int i = 0; i < n; i++) dims[i] = perm[i] >= 0 && perm[i] < n ? x->type->dims[perm[i]] : -1;
        set_type(g, y, ox_elem_type(x), n, dims);
    }
    return y;
}

/* torch's t(): Transpose(perm=[1, 0]), typed so that addmm sees a rank-2 W^T. */
static ox_value *t_of(ox_sym *g, ox_value *x)
{
    static const int64_t perm[2] = {1, 0};
    return transpose(g, x, perm, 2);
}

static bool is_float_opset8(ox_dtype t) { return t == OX_FLOAT16 || t == OX_FLOAT || t == OX_DOUBLE; }

/* Opset-8 integer workaround. Casts args[0..n) to float in place when args[0]
 * has a known non-floating dtype and returns that dtype (to cast the result
 * back); OX_UNDEFINED when nothing was cast. *fail is set on a builder error. */
static ox_dtype cast_ints_to_float(ox_sym *g, ox_value **args, int n, bool *fail)
{
    ox_dtype old = ox_elem_type(args[0]);
    *fail = false;
    if (old == OX_UNDEFINED || is_float_opset8(old)) return OX_UNDEFINED;
    for (int i = 0; i < n; i++) {
        args[i] = ox_cast(g, args[i], OX_FLOAT);
        if (!args[i]) {
            *fail = true;
            return OX_UNDEFINED;
        }
    }
    return old;
}

static ox_value *cast_back(ox_sym *g, ox_value *v, ox_dtype old)
{
    if (!v || old == OX_UNDEFINED) return v;
    return ox_cast(g, v, old);
}

static ox_value *gemm(ox_sym *g, ox_value *a, ox_value *b, ox_value *c, double alpha, double beta)
{
    ox_value *ins[3] = {a, b, c};
    ox_node *n = ox_op(g, "Gemm", 1, c ? 3 : 2, ins);
    if (!n || ox_node_set_f(n, "alpha", alpha) != OX_OK || ox_node_set_f(n, "beta", beta) != OX_OK)
        return NULL;
    return n->outputs[0];
}

/* torch's opset-9 addmm: Gemm(mat1, mat2, self, alpha, beta), or, when a
 * matrix operand is known not to be 2-D (and a dtype is known),
 * MatMul + Mul(alpha) + Mul(beta) + Add. Shared with linear. */
static ox_value *addmm_9(ox_sym *g, ox_value *self, ox_value *mat1, ox_value *mat2, double beta, double alpha)
{
    ox_dtype dtype = ox_elem_type(self);
    if (dtype == OX_UNDEFINED) dtype = ox_elem_type(mat1);
    if (dtype == OX_UNDEFINED) dtype = ox_elem_type(mat2);
    int r1 = ox_rank(mat1), r2 = ox_rank(mat2);
    if (dtype != OX_UNDEFINED && ((r1 >= 0 && r1 != 2) || (r2 >= 0 && r2 != 2))) {
        ox_value *res1 = ox_op1(g, "MatMul", mat1, mat2, NULL);
        ox_value *res2 = self;
        if (!res1) return NULL;
        if (alpha != 1) res1 = ox_op1(g, "Mul", res1, ox_const_scalar(g, dtype, alpha), NULL);
        if (!res1) return NULL;
        if (beta != 1) res2 = ox_op1(g, "Mul", res2, ox_const_scalar(g, dtype, beta), NULL);
        if (!res2) return NULL;
        return ox_op1(g, "Add", res1, res2, NULL);
    }
    return gemm(g, mat1, mat2, self, alpha, beta);
}

/* ---- linear ------------------------------------------------------------- */

/* aten::linear(input, weight, bias?): a rank-2 input with a bias goes through
 * addmm (Gemm; the onnx peephole later folds the Transpose into transB),
 * anything else is MatMul(input, W^T) then Add(bias, .). */
static ox_status linear(ox_sym *g)
{
    ox_value *x = g->in[0];
    bool has_bias = !ox_arg_is_none(g, 2);
    ox_value *wt = t_of(g, g->in[1]);
    if (!wt) return ox_set_out(g, 0, NULL);
    if (ox_rank(x) == 2 && has_bias) return ox_set_out(g, 0, addmm_9(g, g->in[2], x, wt, 1.0, 1.0));
    ox_value *y = ox_op1(g, "MatMul", x, wt, NULL);
    if (y && has_bias) y = ox_op1(g, "Add", g->in[2], y, NULL);
    return ox_set_out(g, 0, y);
}

/* ---- addmm(self, mat1, mat2, beta, alpha) -------------------------------- */

static ox_status addmm_args(ox_sym *g, double *beta, double *alpha)
{
    *beta = *alpha = 1.0;
    if (g->nin > 3) OX_TRY(ox_arg_float(g, 3, beta));
    if (g->nin > 4) OX_TRY(ox_arg_float(g, 4, alpha));
    return OX_OK;
}

static ox_status addmm9(ox_sym *g)
{
    double beta, alpha;
    OX_TRY(addmm_args(g, &beta, &alpha));
    return ox_set_out(g, 0, addmm_9(g, g->in[0], g->in[1], g->in[2], beta, alpha));
}

static ox_status addmm8(ox_sym *g)
{
    double beta, alpha;
    OX_TRY(addmm_args(g, &beta, &alpha));
    ox_value *args[3] = {g->in[0], g->in[1], g->in[2]};
    bool fail;
    ox_dtype old = cast_ints_to_float(g, args, 3, &fail);
    if (fail) return ox_set_out(g, 0, NULL);
    return ox_set_out(g, 0, cast_back(g, gemm(g, args[1], args[2], args[0], alpha, beta), old));
}

/* ---- mm ----------------------------------------------------------------- */

/* Opset 8: Gemm with a zero C of the operands' dtype (beta = 0). */
static ox_status mm8(ox_sym *g)
{
    ox_dtype dt = ox_elem_type(g->in[0]);
    if (dt == OX_UNDEFINED) dt = ox_elem_type(g->in[1]);
    if (dt == OX_UNDEFINED) return ox_sym_error(g, 0, "mm can only operate on tensors with known types");
    int64_t one = 1;
    ox_tensor *zt = ox_tensor_alloc(g->graph->arena, dt, 1, &one);
    ox_value *args[3] = {g->in[0], g->in[1], ox_const_tensor(g, zt)};
    if (!args[2]) return ox_set_out(g, 0, NULL);
    bool fail;
    ox_dtype old = cast_ints_to_float(g, args, 3, &fail);
    if (fail) return ox_set_out(g, 0, NULL);
    return ox_set_out(g, 0, cast_back(g, gemm(g, args[0], args[1], args[2], 1.0, 0.0), old));
}

/* Opset 9: a dummy int64 [1] C (beta = 0 makes its value irrelevant). */
static ox_status mm9(ox_sym *g)
{
    int64_t one = 1;
    ox_value *c = ox_const_i64s(g, &one, 1);
    if (!c) return ox_set_out(g, 0, NULL);
    return ox_set_out(g, 0, gemm(g, g->in[0], g->in[1], c, 1.0, 0.0));
}

/* Opset 11: C is optional. */
static ox_status mm11(ox_sym *g) { return ox_set_out(g, 0, gemm(g, g->in[0], g->in[1], NULL, 1.0, 0.0)); }

/* ---- bmm / matmul ------------------------------------------------------- */

static ox_status matmul9(ox_sym *g) { return ox_set_out(g, 0, ox_op1(g, "MatMul", g->in[0], g->in[1], NULL)); }

static ox_status matmul8(ox_sym *g)
{
    ox_value *args[2] = {g->in[0], g->in[1]};
    bool fail;
    ox_dtype old = cast_ints_to_float(g, args, 2, &fail);
    if (fail) return ox_set_out(g, 0, NULL);
    return ox_set_out(g, 0, cast_back(g, ox_op1(g, "MatMul", args[0], args[1], NULL), old));
}

/* ---- baddbmm(self, batch1, batch2, beta, alpha) --------------------------- */

/* alpha * (batch1 @ batch2) + beta * self, with alpha and beta cast to
 * self's dtype (And instead of Mul for bool, as torch's mul). */
static ox_status baddbmm(ox_sym *g)
{
    ox_dtype dt = ox_elem_type(g->in[0]);
    if (dt == OX_UNDEFINED)
        return ox_sym_error(g, 0, "Unsupported: ONNX export of baddbmm for an input of unknown dtype.");
    if (g->nin < 5) return ox_sym_error(g, -1, "aten::baddbmm expects 5 inputs, got %d", g->nin);
    const char *mul = dt == OX_BOOL ? "And" : "Mul";
    ox_value *batch_mul = ox_op1(g, "MatMul", g->in[1], g->in[2], NULL);
    if (!batch_mul) return ox_set_out(g, 0, NULL);
    ox_value *alpha = ox_cast(g, g->in[4], dt);
    ox_value *mul_a = alpha ? ox_op1(g, mul, batch_mul, alpha, NULL) : NULL;
    if (!mul_a) return ox_set_out(g, 0, NULL);
    ox_value *beta = ox_cast(g, g->in[3], dt);
    ox_value *mul_b = beta ? ox_op1(g, mul, g->in[0], beta, NULL) : NULL;
    if (!mul_b) return ox_set_out(g, 0, NULL);
    return ox_set_out(g, 0, ox_op1(g, "Add", mul_a, mul_b, NULL));
}

/* ---- einsum(equation, tensors, path?) ------------------------------------ */

static ox_status einsum(ox_sym *g)
{
    const char *eq;
    ox_value **list;
    int n;
    OX_TRY(ox_arg_str(g, 0, &eq));
    OX_TRY(ox_arg_list(g, 1, &list, &n));
    if (n == 0) return ox_fail(g->ctx, ONNXIFY_ERR_EXPORTER, "Einsum inputs are empty.");
    ox_value **ins = ox_arena_alloc(g->graph->arena, (size_t)n * sizeof(ox_value *));
    if (!ins) return OX_NOMEM(g->ctx);
    /* ONNX's Einsum has no bool: compute in int64 and cast back. */
    bool is_bool = ox_elem_type(list[0]) == OX_BOOL;
    for (int i = 0; i < n; i++) {
        ins[i] = is_bool ? ox_cast(g, list[i], OX_INT64) : list[i];
        if (!ins[i]) return ox_set_out(g, 0, NULL);
    }
    ox_node *e = ox_op(g, "Einsum", 1, n, ins);
    if (!e || ox_node_set_s(e, "equation", eq) != OX_OK) return ox_set_out(g, 0, NULL);
    ox_value *y = e->outputs[0];
    return ox_set_out(g, 0, is_bool ? ox_cast(g, y, OX_BOOL) : y);
}

const ox_symbolic_entry ox_symbolics_linear[] = {
    {"aten::linear", 9, linear},
    {"aten::addmm", 8, addmm8},   {"aten::addmm", 9, addmm9},
    {"aten::mm", 8, mm8},         {"aten::mm", 9, mm9},         {"aten::mm", 11, mm11},
    {"aten::bmm", 8, matmul8},    {"aten::bmm", 9, matmul9},
    {"aten::matmul", 8, matmul8}, {"aten::matmul", 9, matmul9},
    {"aten::baddbmm", 9, baddbmm},
    {"aten::einsum", 12, einsum},
    {0},
};
