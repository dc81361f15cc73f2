/* Symbolics of src/symbolic/activation.c (relu family, hardtanh, gelu,
 * silu/mish, hardswish/hardsigmoid, softplus, prelu, elu/celu, softmax and
 * log_softmax) and src/symbolic/dropout.c, at the opsets where their ONNX
 * form changes. The node sequences are those torch 1.13 emits. */
#include "graph_util.h"
#include "test.h"

#define V(name, type) "{\"name\":\"" name "\",\"type\":" type "}"
#define NODE(kind, ins, outs) "{\"kind\":\"" kind "\",\"inputs\":[" ins "],\"outputs\":[" outs "]}"
#define TG_F64(shape) "{\"kind\":\"tensor\",\"dtype\":\"float64\",\"shape\":[" shape "]}"
#define TG_ANY "{\"kind\":\"tensor\",\"dtype\":\"float32\"}"
#define CONST_STR(name, v)                                                                                   \
    "{\"kind\":\"prim::Constant\",\"inputs\":[],\"outputs\":[{\"name\":\"" name "\",\"type\":{\"kind\":\"str\"}}]," \
    "\"attributes\":[{\"name\":\"value\",\"kind\":\"s\",\"value\":\"" v "\"}]}"

/* One op on graph input "a" after the prim::Constant nodes `consts`. */
#define OP_G(atype, consts, kind, ins, ytype) \
    TG_JSON("[" V("a", atype) "]", "[" consts NODE(kind, ins, V("y", ytype)) "]", "[\"y\"]")
#define X TG_F32("2,3,4")

static const char *convert(tg *t, const char *json, int opset)
{
    tg_init(t);
    if (tg_convert(t, json, opset) != OX_OK || !t->onnx) return "ERROR";
    return tg_kinds(t->onnx);
}

static const char *convert_sta(tg *t, const char *json, int opset)
{
    tg_init(t);
    if (tg_convert(t, json, opset) != OX_OK || !t->onnx) return "ERROR";
    if (ox_pass_scalar_type_analysis(t->onnx, opset, NULL) != OX_OK) return "ERROR";
    return tg_kinds(t->onnx);
}

static ox_node *nth(ox_graph *g, const char *kind, int i) { return g ? tg_find(g, kind, i) : NULL; }

static double attr_f(ox_node *n, const char *name)
{
    ox_attr *a = n ? ox_node_attr(n, name) : NULL;
    return a && a->kind == OX_ATTR_F ? a->v.f : -12345.0;
}

static int64_t attr_i(ox_node *n, const char *name) { return n ? tg_attr_i(n, name, -12345) : -12345; }

static bool perm_is(ox_node *n, const int64_t *p, int len)
{
    ox_attr *a = n ? ox_node_attr(n, "perm") : NULL;
    if (!a || a->kind != OX_ATTR_IS || a->n != len) return false;
    for (int i = 0; i < len; i++)
        if (a->v.is[i] != p[i]) return false;
    return true;
}

static const ox_tensor *const_of(ox_value *v)
{
    return ox_node_is(v->node, "onnx::Constant") ? ox_value_const_tensor(v) : NULL;
}

/* ---- relu family -------------------------------------------------------- */

static void test_relu(void)
{
    tg t;
    CHECK_STR(convert(&t, OP_G(X, "", "aten::relu", "\"a\"", X), 9), "Relu");
    tg_free(&t);
    CHECK_STR(convert(&t, OP_G(X, "", "aten::relu_", "\"a\"", X), 9), "Relu");
    tg_free(&t);
    /* integer Relu goes through float before opset 14 */
    CHECK_STR(convert(&t, OP_G(TG_I64("2"), "", "aten::relu", "\"a\"", TG_I64("2")), 13), "Cast,Relu,Cast");
    if (t.onnx) CHECK_EQ_INT(attr_i(nth(t.onnx, "onnx::Cast", 1), "to"), OX_INT64);
    tg_free(&t);
    CHECK_STR(convert(&t, OP_G(TG_I64("2"), "", "aten::relu", "\"a\"", TG_I64("2")), 14), "Relu");
    tg_free(&t);
}

static void test_relu6(void)
{
    tg t;
    CHECK_STR(convert(&t, OP_G(X, "", "aten::relu6", "\"a\"", X), 9), "Relu,Clip");
    if (t.onnx) {
        ox_node *clip = nth(t.onnx, "onnx::Clip", 0);
        CHECK(attr_f(clip, "max") == 6.0 && !ox_node_has_attr(clip, "min"));
    }
    tg_free(&t);
    CHECK_STR(convert(&t, OP_G(X, "", "aten::relu6", "\"a\"", X), 11), "Relu,Constant,Constant,Cast,Cast,Clip");
    ox_node *clip = nth(t.onnx, "onnx::Clip", 0);
    if (clip) {
        CHECK_EQ_INT(clip->ninputs, 3);
        CHECK(clip->inputs[0] == nth(t.onnx, "onnx::Relu", 0)->outputs[0]);
        const ox_tensor *hi = const_of(nth(t.onnx, "onnx::Cast", 1)->inputs[0]);
        CHECK(hi && hi->dtype == OX_FLOAT && ox_tensor_get_f(hi, 0) == 6.0);
    }
    tg_free(&t);
}

#define HARDTANH_G \
    OP_G(X, TG_CONST_FLOAT("lo", -2.0) "," TG_CONST_FLOAT("hi", 3.0) ",", "aten::hardtanh", "\"a\",\"lo\",\"hi\"", X)

static void test_hardtanh(void)
{
    tg t;
    CHECK_STR(convert(&t, HARDTANH_G, 9), "Clip");
    ox_node *clip = nth(t.onnx, "onnx::Clip", 0);
    CHECK(attr_f(clip, "min") == -2.0 && attr_f(clip, "max") == 3.0);
    tg_free(&t);
    CHECK_STR(convert(&t, HARDTANH_G, 11), "Constant,Constant,Clip");
    clip = nth(t.onnx, "onnx::Clip", 0);
    if (clip && clip->ninputs == 3) {
        const ox_tensor *lo = const_of(clip->inputs[1]), *hi = const_of(clip->inputs[2]);
        CHECK(lo && lo->dtype == OX_FLOAT && lo->rank == 0 && ox_tensor_get_f(lo, 0) == -2.0);
        CHECK(hi && ox_tensor_get_f(hi, 0) == 3.0);
    }
    tg_free(&t);
}

static void test_simple_activations(void)
{
    static const struct { const char *aten, *onnx; int opset; } ops[] = {
        {"aten::sigmoid", "Sigmoid", 9},      {"aten::tanh", "Tanh", 9},
        {"aten::selu", "Selu", 9},            {"aten::hardsigmoid", "HardSigmoid", 9},
        {"aten::silu", "Sigmoid,Mul", 9},     {"aten::mish", "Softplus,Tanh,Mul", 9},
        {"aten::hardswish", "HardSigmoid,Mul", 13}, {"aten::hardswish", "HardSwish", 14},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        char json[1024];
        snprintf(json, sizeof json,
                 TG_JSON("[" V("a", X) "]", "[{\"kind\":\"%s\",\"inputs\":[\"a\"],\"outputs\":[" V("y", X) "]}]", "[\"y\"]"),
                 ops[i].aten);
        tg t;
        CHECK_STR(convert(&t, json, ops[i].opset), ops[i].onnx);
        ox_node *hs = nth(t.onnx, "onnx::HardSigmoid", 0);
        if (hs) CHECK(attr_f(hs, "alpha") > 0.16666 && attr_f(hs, "alpha") < 0.16667);
        tg_free(&t);
    }
}

static void test_leaky_relu_elu_celu(void)
{
    tg t;
    CHECK_STR(convert(&t, OP_G(X, TG_CONST_FLOAT("s", 0.2) "," TG_CONST_BOOL("ip", 0) ",", "aten::leaky_relu",
                               "\"a\",\"s\",\"ip\"", X), 9),
              "LeakyRelu");
    CHECK(attr_f(nth(t.onnx, "onnx::LeakyRelu", 0), "alpha") == 0.2);
    tg_free(&t);
    const char *elu = OP_G(X, TG_CONST_FLOAT("al", 1.5) "," TG_CONST_INT("sc", 1) "," TG_CONST_INT("is", 1) ",",
                           "aten::elu", "\"a\",\"al\",\"sc\",\"is\"", X);
    CHECK_STR(convert(&t, elu, 9), "Elu");
    CHECK(attr_f(nth(t.onnx, "onnx::Elu", 0), "alpha") == 1.5);
    tg_free(&t);
    const char *elu_scaled = OP_G(X, TG_CONST_FLOAT("al", 1.5) "," TG_CONST_INT("sc", 2) "," TG_CONST_INT("is", 1) ",",
                                  "aten::elu", "\"a\",\"al\",\"sc\",\"is\"", X);
    CHECK_STR(convert(&t, elu_scaled, 9), "ERROR");
    CHECK_EQ_INT(t.ctx.status, ONNXIFY_ERR_SYMBOLIC_VALUE);
    CHECK_CONTAINS(t.ctx.message, "Unsupported: ONNX export of operator scale, does not support scale in Elu");
    tg_free(&t);
    const char *celu = OP_G(TG_F64("2"), TG_CONST_FLOAT("al", 2.0) ",", "aten::celu", "\"a\",\"al\"", TG_F64("2"));
    CHECK_STR(convert(&t, celu, 12), "Cast,Celu,Cast");
    tg_free(&t);
    CHECK_STR(convert(&t, celu, 11), "ERROR");
    CHECK_EQ_INT(t.ctx.status, ONNXIFY_ERR_UNSUPPORTED_OPERATOR);
    tg_free(&t);
}

static void test_prelu(void)
{
    tg t;
    const char *json = TG_JSON("[" V("a", TG_F32("2,3,4,5")) "," V("w", TG_F32("3")) "]",
                               "[" NODE("aten::prelu", "\"a\",\"w\"", V("y", TG_F32("2,3,4,5"))) "]", "[\"y\"]");
    CHECK_STR(convert(&t, json, 9), "Unsqueeze,PRelu");
    ox_node *u = nth(t.onnx, "onnx::Unsqueeze", 0);
    if (u) {
        ox_attr *axes = ox_node_attr(u, "axes");
        CHECK(axes && axes->n == 2 && axes->v.is[0] == 1 && axes->v.is[1] == 2);
    }
    tg_free(&t);
    CHECK_STR(convert(&t, json, 13), "Constant,Unsqueeze,PRelu");
    tg_free(&t);
}

static void test_softplus(void)
{
    tg t;
    CHECK_STR(convert(&t, OP_G(X, TG_CONST_INT("b", 1) "," TG_CONST_INT("th", 20) ",", "aten::softplus",
                               "\"a\",\"b\",\"th\"", X), 9),
              "Softplus");
    tg_free(&t);
    CHECK_STR(convert(&t, OP_G(X, TG_CONST_INT("b", 2) "," TG_CONST_INT("th", 20) ",", "aten::softplus",
                               "\"a\",\"b\",\"th\"", X), 9),
              "Constant,Mul,Softplus,Div");
    tg_free(&t);
}

/* ---- gelu --------------------------------------------------------------- */

#define GELU_G(mode) OP_G(X, CONST_STR("m", mode) ",", "aten::gelu", "\"a\",\"m\"", X)

static void test_gelu(void)
{
    tg t;
    CHECK_STR(convert_sta(&t, GELU_G("none"), 13), "Constant,Div,Erf,Constant,Add,Mul,Constant,Mul");
    if (t.onnx) {
        /* the double scalars became float32 */
        for (int i = 0; i < 3; i++) {
            const ox_tensor *c = ox_value_const_tensor(nth(t.onnx, "onnx::Constant", i)->outputs[0]);
            CHECK(c && c->dtype == OX_FLOAT && c->rank == 0);
        }
        const ox_tensor *c0 = ox_value_const_tensor(nth(t.onnx, "onnx::Constant", 0)->outputs[0]);
        CHECK(c0 && ox_tensor_get_f(c0, 0) > 1.41421 && ox_tensor_get_f(c0, 0) < 1.41422);
        ox_node *last = nth(t.onnx, "onnx::Mul", 1);
        CHECK(last && ox_block_output(t.onnx->top, 0) == last->outputs[0]);
    }
    tg_free(&t);
    CHECK_STR(convert_sta(&t, GELU_G("tanh"), 13),
              "Mul,Mul,Constant,Mul,Add,Constant,Mul,Tanh,Constant,Add,Mul,Constant,Mul");
    if (t.onnx) {
        const ox_tensor *kappa = ox_value_const_tensor(nth(t.onnx, "onnx::Constant", 0)->outputs[0]);
        CHECK(kappa && kappa->dtype == OX_FLOAT && ox_tensor_get_f(kappa, 0) > 0.0447 && ox_tensor_get_f(kappa, 0) < 0.0448);
    }
    tg_free(&t);
    CHECK_STR(convert(&t, GELU_G("tanh"), 20), "Gelu");
    ox_node *ge = nth(t.onnx, "onnx::Gelu", 0);
    ox_attr *a = ge ? ox_node_attr(ge, "approximate") : NULL;
    CHECK(a && a->kind == OX_ATTR_S && !strcmp(a->v.s, "tanh"));
    tg_free(&t);
}

/* ---- softmax ------------------------------------------------------------ */

#define SOFTMAX_G(kind, atype, dim, dtype_node) \
    OP_G(atype, TG_CONST_INT("d", dim) "," dtype_node ",", kind, "\"a\",\"d\",\"dt\"", atype)

static void test_softmax(void)
{
    tg t;
    static const int64_t perm[3] = {0, 2, 1};
    CHECK_STR(convert(&t, SOFTMAX_G("aten::softmax", X, 1, TG_CONST_NONE("dt")), 9), "Transpose,Softmax,Transpose");
    if (t.onnx) {
        CHECK(perm_is(nth(t.onnx, "onnx::Transpose", 0), perm, 3));
        CHECK(perm_is(nth(t.onnx, "onnx::Transpose", 1), perm, 3));
        CHECK_EQ_INT(attr_i(nth(t.onnx, "onnx::Softmax", 0), "axis"), 2);
    }
    tg_free(&t);
    CHECK_STR(convert(&t, SOFTMAX_G("aten::softmax", X, -1, TG_CONST_NONE("dt")), 11), "Softmax");
    CHECK_EQ_INT(attr_i(nth(t.onnx, "onnx::Softmax", 0), "axis"), 2);
    tg_free(&t);
    CHECK_STR(convert(&t, SOFTMAX_G("aten::softmax", X, 1, TG_CONST_NONE("dt")), 13), "Softmax");
    CHECK_EQ_INT(attr_i(nth(t.onnx, "onnx::Softmax", 0), "axis"), 1);
    tg_free(&t);
    /* dtype=torch.float64 (7): the result is cast */
    CHECK_STR(convert(&t, SOFTMAX_G("aten::softmax", X, -1, TG_CONST_INT("dt", 7)), 13), "Softmax,Cast");
    CHECK_EQ_INT(attr_i(nth(t.onnx, "onnx::Cast", 0), "to"), OX_DOUBLE);
    tg_free(&t);
    CHECK_STR(convert(&t, SOFTMAX_G("aten::softmax", X, 0, TG_CONST_INT("dt", 7)), 9), "Transpose,Softmax,Cast,Transpose");
    tg_free(&t);
    /* rank unknown before opset 13: computed from Exp and ReduceSum */
    CHECK_STR(convert(&t, SOFTMAX_G("aten::softmax", TG_ANY, 1, TG_CONST_NONE("dt")), 9),
              "ReduceMax,Sub,Exp,ReduceSum,Div");
    if (t.onnx) CHECK_EQ_INT(attr_i(nth(t.onnx, "onnx::ReduceMax", 0), "keepdims"), 1);
    tg_free(&t);
}

static void test_log_softmax(void)
{
    tg t;
    CHECK_STR(convert(&t, SOFTMAX_G("aten::log_softmax", X, 0, TG_CONST_NONE("dt")), 12), "Transpose,LogSoftmax,Transpose");
    tg_free(&t);
    CHECK_STR(convert(&t, SOFTMAX_G("aten::log_softmax", X, 0, TG_CONST_NONE("dt")), 13), "LogSoftmax");
    tg_free(&t);
    CHECK_STR(convert(&t, SOFTMAX_G("aten::log_softmax", TG_ANY, 1, TG_CONST_NONE("dt")), 9), "ERROR");
    CHECK_EQ_INT(t.ctx.status, ONNXIFY_ERR_EXPORTER);
    CHECK_CONTAINS(t.ctx.message, "Input rank must be known at export time.");
    tg_free(&t);
    /* _log_softmax keeps opset 9's form */
    CHECK_STR(convert(&t, OP_G(X, TG_CONST_INT("d", 1) "," TG_CONST_BOOL("h", 0) ",", "aten::_log_softmax",
                               "\"a\",\"d\",\"h\"", X), 13),
              "Transpose,LogSoftmax,Transpose");
    tg_free(&t);
}

/* ---- dropout (dropout.c) ------------------------------------------------ */

#define DROPOUT_G(kind, train) \
    OP_G(X, TG_CONST_FLOAT("p", 0.5) "," TG_CONST_BOOL("tr", train) ",", kind, "\"a\",\"p\",\"tr\"", X)

static void test_dropout(void)
{
    tg t;
    const char *kinds_of[] = {"aten::dropout", "aten::dropout_", "aten::feature_dropout", "aten::alpha_dropout",
                              "aten::feature_alpha_dropout_"};
    for (int i = 0; i < 5; i++) {
        char json[1024];
        snprintf(json, sizeof json, "%s", DROPOUT_G("KIND", 0));
        char buf[1200];
        const char *at = strstr(json, "KIND");
        snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - json), json, kinds_of[i], at + 4);
        CHECK_STR(convert(&t, buf, 13), ""); /* eval: the identity */
        if (t.onnx) CHECK(ox_block_output(t.onnx->top, 0) == ox_block_input(t.onnx->top, 0));
        tg_free(&t);
    }
    CHECK_STR(convert(&t, DROPOUT_G("aten::dropout", 1), 11), "Dropout");
    ox_node *d = nth(t.onnx, "onnx::Dropout", 0);
    if (d) {
        CHECK(attr_f(d, "ratio") == 0.5);
        CHECK_EQ_INT(d->noutputs, 2);
        CHECK_EQ_INT(d->ninputs, 1);
    }
    tg_free(&t);
    CHECK_STR(convert(&t, DROPOUT_G("aten::dropout", 1), 12), "Constant,Constant,Dropout");
    d = nth(t.onnx, "onnx::Dropout", 0);
    if (d && d->ninputs == 3) {
        const ox_tensor *r = const_of(d->inputs[1]), *m = const_of(d->inputs[2]);
        CHECK(r && r->dtype == OX_FLOAT && r->rank == 0 && ox_tensor_get_f(r, 0) == 0.5);
        CHECK(m && m->dtype == OX_BOOL && ox_tensor_get_i(m, 0) == 1);
        CHECK_EQ_INT(d->noutputs, 2);
        CHECK(ox_block_output(t.onnx->top, 0) == d->outputs[0]);
    }
    tg_free(&t);
    CHECK_STR(convert(&t, DROPOUT_G("aten::feature_dropout", 1), 12), "ERROR");
    CHECK_EQ_INT(t.ctx.status, ONNXIFY_ERR_SYMBOLIC_VALUE);
    CHECK_CONTAINS(t.ctx.message, "Unsupported: ONNX export of operator aten::feature_dropout, training mode");
    tg_free(&t);
}

static const ox_test_case tests[] = {
    {"relu", test_relu},
    {"relu6", test_relu6},
    {"hardtanh", test_hardtanh},
    {"simple_activations", test_simple_activations},
    {"leaky_relu_elu_celu", test_leaky_relu_elu_celu},
    {"prelu", test_prelu},
    {"softplus", test_softplus},
    {"gelu", test_gelu},
    {"softmax", test_softmax},
    {"log_softmax", test_log_softmax},
    {"dropout", test_dropout},
};

OX_TEST_MAIN(tests)
