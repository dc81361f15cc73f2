/* Symbolics of src/symbolic/linear.c: linear, addmm, mm, bmm, matmul,
 * baddbmm, einsum, at the opsets where their ONNX form changes (the forms
 * were checked against torch 1.13's exports). */
#include "graph_util.h"
#include "test.h"

#define V(name, type) "{\"name\":\"" name "\",\"type\":" type "}"
#define NODE(kind, ins, outs) "{\"kind\":\"" kind "\",\"inputs\":[" ins "],\"outputs\":[" outs "]}"
#define TG_I32(shape) "{\"kind\":\"tensor\",\"dtype\":\"int32\",\"shape\":[" shape "]}"
#define TG_B(shape) "{\"kind\":\"tensor\",\"dtype\":\"bool\",\"shape\":[" shape "]}"

static double attr_f(ox_node *n, const char *name)
{
    ox_attr *a = n ? ox_node_attr(n, name) : NULL;
    return a && a->kind == OX_ATTR_F ? a->v.f : -12345.0;
}

/* The tensor of the onnx::Constant producing v, or NULL. */
static const ox_tensor *const_of(ox_value *v) { return ox_value_const_tensor(v); }

/* linear(x, W, b) with x of the given shape. */
#define LINEAR(xshape, yshape, bias_input, extra_nodes)                                                     \
    TG_JSON("[" V("x", TG_F32(xshape)) "," V("w", TG_F32("3,4")) "," V("b", TG_F32("3")) "]",                 \
            "[" extra_nodes NODE("aten::linear", "\"x\",\"w\",\"" bias_input "\"", V("y", TG_F32(yshape))) "]", \
            "[\"y\"]")

static void test_linear_2d_is_gemm(void)
{
    int opsets[] = {8, 9, 13, 17};
    for (int i = 0; i < 4; i++) {
        tg t;
        tg_init(&t);
        CHECK(tg_convert(&t, LINEAR("2,4", "2,3", "b", ""), opsets[i]) == OX_OK);
        if (t.onnx) {
            CHECK_STR(tg_kinds(t.onnx), "Transpose,Gemm");
            ox_node *tr = tg_find(t.onnx, "onnx::Transpose", 0), *gm = tg_find(t.onnx, "onnx::Gemm", 0);
            CHECK(tr && gm);
            if (tr && gm) {
                ox_attr *perm = ox_node_attr(tr, "perm");
                CHECK(perm && perm->n == 2 && perm->v.is[0] == 1 && perm->v.is[1] == 0);
                CHECK(tr->inputs[0] == ox_block_input(t.onnx->top, 1));
                CHECK_EQ_INT(gm->ninputs, 3);
                CHECK(gm->inputs[0] == ox_block_input(t.onnx->top, 0));
                CHECK(gm->inputs[1] == tr->outputs[0]);
                CHECK(gm->inputs[2] == ox_block_input(t.onnx->top, 2));
                CHECK(attr_f(gm, "alpha") == 1.0 && attr_f(gm, "beta") == 1.0);
                /* torch's attribute order: sorted */
                CHECK(gm->attrs && !strcmp(gm->attrs->name, "alpha"));
                CHECK(ox_block_output(t.onnx->top, 0) == gm->outputs[0]);
                CHECK_STR(ox_block_output(t.onnx->top, 0)->name, "y");
            }
        }
        tg_free(&t);
    }
}

static void test_linear_3d_is_matmul_add(void)
{
    tg t;
    tg_init(&t);
    CHECK(tg_convert(&t, LINEAR("2,5,4", "2,5,3", "b", ""), 13) == OX_OK);
    if (t.onnx) {
        CHECK_STR(tg_kinds(t.onnx), "Transpose,MatMul,Add");
        ox_node *mm = tg_find(t.onnx, "onnx::MatMul", 0), *add = tg_find(t.onnx, "onnx::Add", 0);
        if (mm && add) {
            /* torch adds the bias first: Add(bias, x @ W^T) */
            CHECK(add->inputs[0] == ox_block_input(t.onnx->top, 2));
            CHECK(add->inputs[1] == mm->outputs[0]);
        }
    }
    tg_free(&t);
}

static void test_linear_without_bias(void)
{
    tg t;
    tg_init(&t);
    CHECK(tg_convert(&t, LINEAR("2,4", "2,3", "none", TG_CONST_NONE("none") ","), 13) == OX_OK);
    if (t.onnx) CHECK_STR(tg_kinds(t.onnx), "Transpose,MatMul");
    tg_free(&t);
}

#define ADDMM(self_shape, m1_shape, beta, alpha)                                                             \
    TG_JSON("[" V("s", TG_F32(self_shape)) "," V("a", TG_F32(m1_shape)) "," V("b", TG_F32("4,3")) "]",       \
            "[" TG_CONST_INT("beta", beta) "," TG_CONST_INT("alpha", alpha) "," NODE(                       \
                "aten::addmm", "\"s\",\"a\",\"b\",\"beta\",\"alpha\"", V("y", TG_F32("2,3"))) "]",          \
            "[\"y\"]")

static void test_addmm(void)
{
    tg t;
    tg_init(&t);
    CHECK(tg_convert(&t, ADDMM("2,3", "2,4", 2, 3), 9) == OX_OK);
    if (t.onnx) {
        CHECK_STR(tg_kinds(t.onnx), "Gemm");
        ox_node *gm = tg_find(t.onnx, "onnx::Gemm", 0);
        if (gm) {
            CHECK(attr_f(gm, "alpha") == 3.0 && attr_f(gm, "beta") == 2.0);
            /* Gemm(mat1, mat2, self) */
            CHECK(gm->inputs[0] == ox_block_input(t.onnx->top, 1));
            CHECK(gm->inputs[2] == ox_block_input(t.onnx->top, 0));
        }
    }
    tg_free(&t);

    /* a matrix operand known not to be 2-D: MatMul, Mul by alpha and beta, Add */
    tg_init(&t);
    CHECK(tg_convert(&t, ADDMM("2,3", "5,2,4", 2, 3), 9) == OX_OK);
    if (t.onnx) {
        CHECK_STR(tg_kinds(t.onnx), "MatMul,Constant,Mul,Constant,Mul,Add");
        ox_node *mul = tg_find(t.onnx, "onnx::Mul", 0);
        const ox_tensor *alpha = mul ? const_of(mul->inputs[1]) : NULL;
        CHECK(alpha && alpha->dtype == OX_FLOAT && alpha->rank == 0 && ox_tensor_get_f(alpha, 0) == 3.0);
    }
    tg_free(&t);

    /* alpha = beta = 1: no Mul */
    tg_init(&t);
    CHECK(tg_convert(&t, ADDMM("2,3", "5,2,4", 1, 1), 9) == OX_OK);
    if (t.onnx) CHECK_STR(tg_kinds(t.onnx), "MatMul,Add");
    tg_free(&t);
}

static void test_addmm_opset8_integers(void)
{
    const char *json =
        TG_JSON("[" V("s", TG_I32("2,3")) "," V("a", TG_I32("2,4")) "," V("b", TG_I32("4,3")) "]",
                "[" TG_CONST_INT("beta", 1) "," TG_CONST_INT("alpha", 1) "," NODE(
                    "aten::addmm", "\"s\",\"a\",\"b\",\"beta\",\"alpha\"", V("y", TG_I32("2,3"))) "]",
                "[\"y\"]");
    tg t;
    tg_init(&t);
    CHECK(tg_convert(&t, json, 8) == OX_OK);
    if (t.onnx) {
        CHECK_STR(tg_kinds(t.onnx), "Cast,Cast,Cast,Gemm,Cast");
        ox_node *back = tg_find(t.onnx, "onnx::Cast", 3), *first = tg_find(t.onnx, "onnx::Cast", 0);
        CHECK(first && tg_attr_i(first, "to", -1) == OX_FLOAT);
        CHECK(back && tg_attr_i(back, "to", -1) == OX_INT32);
    }
    tg_free(&t);

    /* float inputs at opset 8: plain Gemm */
    tg_init(&t);
    CHECK(tg_convert(&t, ADDMM("2,3", "2,4", 1, 1), 8) == OX_OK);
    if (t.onnx) CHECK_STR(tg_kinds(t.onnx), "Gemm");
    tg_free(&t);
}

#define MM(kind, a_type, b_type, y_type)                                                              \
    TG_JSON("[" V("a", a_type) "," V("b", b_type) "]", "[" NODE(kind, "\"a\",\"b\"", V("y", y_type)) "]", \
            "[\"y\"]")

static void test_mm(void)
{
    const char *json = MM("aten::mm", TG_F32("2,4"), TG_F32("4,3"), TG_F32("2,3"));
    tg t;
    tg_init(&t);
    CHECK(tg_convert(&t, json, 9) == OX_OK);
    if (t.onnx) {
        CHECK_STR(tg_kinds(t.onnx), "Constant,Gemm");
        ox_node *gm = tg_find(t.onnx, "onnx::Gemm", 0);
        const ox_tensor *c = gm && gm->ninputs == 3 ? const_of(gm->inputs[2]) : NULL;
        /* the dummy C of torch: int64 [1] (scalar_type_analysis re-types it) */
        CHECK(c && c->dtype == OX_INT64 && c->rank == 1 && ox_tensor_get_i(c, 0) == 1);
        CHECK(attr_f(gm, "alpha") == 1.0 && attr_f(gm, "beta") == 0.0);
    }
    tg_free(&t);

    tg_init(&t);
    CHECK(tg_convert(&t, json, 11) == OX_OK);
    if (t.onnx) {
        CHECK_STR(tg_kinds(t.onnx), "Gemm");
        ox_node *gm = tg_find(t.onnx, "onnx::Gemm", 0);
        CHECK(gm && gm->ninputs == 2);
    }
    tg_free(&t);

    /* opset 8: a zero C of the operands' dtype */
    tg_init(&t);
    CHECK(tg_convert(&t, json, 8) == OX_OK);
    if (t.onnx) {
        CHECK_STR(tg_kinds(t.onnx), "Constant,Gemm");
        ox_node *gm = tg_find(t.onnx, "onnx::Gemm", 0);
        const ox_tensor *c = gm && gm->ninputs == 3 ? const_of(gm->inputs[2]) : NULL;
        CHECK(c && c->dtype == OX_FLOAT && c->rank == 1 && ox_tensor_get_f(c, 0) == 0.0);
    }
    tg_free(&t);

    /* opset 8 needs the dtype */
    tg_init(&t);
    CHECK_EQ_INT(tg_convert(&t, MM("aten::mm", "{\"kind\":\"tensor\"}", "{\"kind\":\"tensor\"}", "{\"kind\":\"tensor\"}"), 8),
                 ONNXIFY_ERR_SYMBOLIC_VALUE);
    CHECK_CONTAINS(t.ctx.message, "mm can only operate on tensors with known types");
    tg_free(&t);
}

static void test_bmm_matmul(void)
{
    const char *ops[] = {"aten::bmm", "aten::matmul"};
    for (int i = 0; i < 2; i++) {
        char json[2048];
        snprintf(json, sizeof json,
                 TG_JSON("[" V("a", TG_F32("2,3,4")) "," V("b", TG_F32("2,4,5")) "]",
                         "[{\"kind\":\"%s\",\"inputs\":[\"a\",\"b\"],\"outputs\":[" V("y", TG_F32("2,3,5")) "]}]",
                         "[\"y\"]"),
                 ops[i]);
        tg t;
        tg_init(&t);
        CHECK(tg_convert(&t, json, 9) == OX_OK);
        if (t.onnx) CHECK_STR(tg_kinds(t.onnx), "MatMul");
        tg_free(&t);
    }
    /* opset 8 with integers: computed in float */
    tg t;
    tg_init(&t);
    CHECK(tg_convert(&t, MM("aten::matmul", TG_I32("3,4"), TG_I32("4,5"), TG_I32("3,5")), 8) == OX_OK);
    if (t.onnx) CHECK_STR(tg_kinds(t.onnx), "Cast,Cast,MatMul,Cast");
    tg_free(&t);
}

static void test_baddbmm(void)
{
    const char *json =
        TG_JSON("[" V("s", TG_F32("2,3,5")) "," V("a", TG_F32("2,3,4")) "," V("b", TG_F32("2,4,5")) "]",
                "[" TG_CONST_FLOAT("beta", 0.5) "," TG_CONST_FLOAT("alpha", 2.0) "," NODE(
                    "aten::baddbmm", "\"s\",\"a\",\"b\",\"beta\",\"alpha\"", V("y", TG_F32("2,3,5"))) "]",
                "[\"y\"]");
    tg t;
    tg_init(&t);
    CHECK(tg_convert(&t, json, 9) == OX_OK);
    if (t.onnx) {
        CHECK_STR(tg_kinds(t.onnx), "Constant,Constant,MatMul,Cast,Mul,Cast,Mul,Add");
        ox_node *cast = tg_find(t.onnx, "onnx::Cast", 0);
        CHECK(cast && tg_attr_i(cast, "to", -1) == OX_FLOAT);
    }
    tg_free(&t);
}

static void test_einsum(void)
{
#define EINSUM(type)                                                                              \
    TG_JSON("[" V("a", type) "," V("b", type) "]",                                                  \
            "[{\"kind\":\"prim::Constant\",\"inputs\":[],\"outputs\":[" V("eq", "{\"kind\":\"str\"}") \
            "],\"attributes\":[{\"name\":\"value\",\"kind\":\"s\",\"value\":\"ij,jk->ik\"}]},"       \
            NODE("prim::ListConstruct", "\"a\",\"b\"",                                              \
                 V("l", "{\"kind\":\"list\",\"elem\":{\"kind\":\"tensor\"}}")) ","                  \
            TG_CONST_NONE("path") "," NODE("aten::einsum", "\"eq\",\"l\",\"path\"", V("y", type)) "]",       \
            "[\"y\"]")
    tg t;
    tg_init(&t);
    CHECK(tg_convert(&t, EINSUM(TG_F32("3,3")), 12) == OX_OK);
    if (t.onnx) {
        ox_node *e = tg_find(t.onnx, "onnx::Einsum", 0);
        CHECK(e && e->ninputs == 2);
        ox_attr *eq = e ? ox_node_attr(e, "equation") : NULL;
        CHECK(eq && eq->kind == OX_ATTR_S && !strcmp(eq->v.s, "ij,jk->ik"));
    }
    tg_free(&t);

    /* bool: computed in int64 */
    tg_init(&t);
    CHECK(tg_convert(&t, EINSUM(TG_B("3,3")), 12) == OX_OK);
    if (t.onnx) {
        CHECK_EQ_INT(tg_count(t.onnx, "onnx::Cast"), 3);
        ox_node *back = tg_find(t.onnx, "onnx::Cast", 2);
        CHECK(back && tg_attr_i(back, "to", -1) == OX_BOOL);
    }
    tg_free(&t);

    /* registered at opset 12 */
    tg_init(&t);
    CHECK_EQ_INT(tg_convert(&t, EINSUM(TG_F32("3,3")), 11), ONNXIFY_ERR_UNSUPPORTED_OPERATOR);
    CHECK_CONTAINS(t.ctx.message, "version 12");
    tg_free(&t);
}

static const ox_test_case tests[] = {
    {"linear_2d_is_gemm", test_linear_2d_is_gemm},
    {"linear_3d_is_matmul_add", test_linear_3d_is_matmul_add},
    {"linear_without_bias", test_linear_without_bias},
    {"addmm", test_addmm},
    {"addmm_opset8_integers", test_addmm_opset8_integers},
    {"mm", test_mm},
    {"bmm_matmul", test_bmm_matmul},
    {"baddbmm", test_baddbmm},
    {"einsum", test_einsum},
};
OX_TEST_MAIN(tests)
