/* Symbolics of src/symbolic/norm.c: batch_norm (eval and training, opset 9
 * and 14 forms), layer_norm (opset 9 decomposition, opset 17 op),
 * native_layer_norm, group_norm and instance_norm, node for node as torch
 * 1.13 emits them. */
#include "graph_util.h"
#include "test.h"

#define V(name, type) "{\"name\":\"" name "\",\"type\":" type "}"
#define NODE(kind, ins, outs) "{\"kind\":\"" kind "\",\"inputs\":[" ins "],\"outputs\":[" outs "]}"
#define ANY "{\"kind\":\"tensor\",\"dtype\":\"float32\"}"

static double attr_f(ox_node *n, const char *name)
{
    ox_attr *a = n ? ox_node_attr(n, name) : NULL;
    return a && a->kind == OX_ATTR_F ? a->v.f : -12345.0;
}

static const int64_t *attr_is(ox_node *n, const char *name, int *count)
{
    ox_attr *a = n ? ox_node_attr(n, name) : NULL;
    *count = a && a->kind == OX_ATTR_IS ? a->n : -1;
    return a && a->kind == OX_ATTR_IS ? a->v.is : NULL;
}

/* ---- batch_norm --------------------------------------------------------- */

/* batch_norm(x, w, b, mean, var, training, momentum=0.2, eps=1e-5, cudnn) */
#define BN(xshape, w, b, mean, var, training)                                                            \
    TG_JSON("[" V("x", TG_F32(xshape)) "," V("w", TG_F32("3")) "," V("b", TG_F32("3")) "," V(             \
                "m", TG_F32("3")) "," V("v", TG_F32("3")) "]",                                              \
            "[" TG_CONST_NONE("none") "," TG_CONST_BOOL("tr", training) "," TG_CONST_FLOAT("mom", 0.2) ","  \
            TG_CONST_FLOAT("eps", 1e-05) "," TG_CONST_BOOL("cudnn", 1) ","                                  \
            NODE("aten::batch_norm",                                                                       \
                 "\"x\",\"" w "\",\"" b "\",\"" mean "\",\"" var "\",\"tr\",\"mom\",\"eps\",\"cudnn\"",    \
                 V("y", TG_F32(xshape))) "]",                                                              \
            "[\"y\"]")

static void test_batch_norm_eval(void)
{
    int opsets[] = {9, 13, 14, 17};
    for (int i = 0; i < 4; i++) {
        tg t;
        tg_init(&t);
        CHECK(tg_convert(&t, BN("2,3,4,4", "w", "b", "m", "v", 0), opsets[i]) == OX_OK);
        if (t.onnx) {
            CHECK_STR(tg_kinds(t.onnx), "BatchNormalization");
            ox_node *bn = tg_find(t.onnx, "onnx::BatchNormalization", 0);
            CHECK(bn && bn->noutputs == 1 && bn->ninputs == 5);
            CHECK(attr_f(bn, "epsilon") == 1e-05);
            CHECK(attr_f(bn, "momentum") == 1.0 - 0.2);
            /* opset 14 writes training_mode even in eval */
            CHECK_EQ_INT(tg_attr_i(bn, "training_mode", -1), opsets[i] >= 14 ? 0 : -1);
            for (int k = 0; bn && k < 5; k++) CHECK(bn->inputs[k] == ox_block_input(t.onnx->top, k));
        }
        tg_free(&t);
    }
}

static void test_batch_norm_training(void)
{
    tg t;
    tg_init(&t);
    CHECK(tg_convert(&t, BN("2,3,4,4", "w", "b", "m", "v", 1), 13) == OX_OK);
    if (t.onnx) {
        ox_node *bn = tg_find(t.onnx, "onnx::BatchNormalization", 0);
        CHECK(bn && bn->noutputs == 5);
        if (bn && bn->noutputs == 5) {
            CHECK(!strncmp(ox_value_name(bn->outputs[3]), "batch_norm_dead_output-", 23));
            CHECK(!strncmp(ox_value_name(bn->outputs[4]), "batch_norm_dead_output-", 23));
            CHECK(bn->outputs[1]->type->rank == 1 && bn->outputs[1]->type->dims[0] == 3);
            CHECK(!ox_node_has_attr(bn, "training_mode"));
        }
    }
    tg_free(&t);

    tg_init(&t);
    CHECK(tg_convert(&t, BN("2,3,4,4", "w", "b", "m", "v", 1), 14) == OX_OK);
    if (t.onnx) {
        ox_node *bn = tg_find(t.onnx, "onnx::BatchNormalization", 0);
        CHECK(bn && bn->noutputs == 3);
        CHECK_EQ_INT(tg_attr_i(bn, "training_mode", -1), 1);
        /* attribute order: epsilon, momentum, training_mode */
        CHECK(bn && bn->attrs && !strcmp(bn->attrs->name, "epsilon"));
    }
    tg_free(&t);
}

static void test_batch_norm_defaults(void)
{
    /* no affine parameters: ones and zeros of the channel count */
    tg t;
    tg_init(&t);
    CHECK(tg_convert(&t, BN("2,3", "none", "none", "m", "v", 0), 9) == OX_OK);
    if (t.onnx) {
        CHECK_STR(tg_kinds(t.onnx), "Constant,Constant,BatchNormalization");
        ox_node *bn = tg_find(t.onnx, "onnx::BatchNormalization", 0);
        const ox_tensor *w = bn ? ox_value_const_tensor(bn->inputs[1]) : NULL;
        const ox_tensor *b = bn ? ox_value_const_tensor(bn->inputs[2]) : NULL;
        CHECK(w && w->dtype == OX_FLOAT && w->rank == 1 && w->dims[0] == 3 && ox_tensor_get_f(w, 2) == 1.0);
        CHECK(b && b->dtype == OX_FLOAT && b->dims[0] == 3 && ox_tensor_get_f(b, 0) == 0.0);
    }
    tg_free(&t);

    tg_init(&t);
    CHECK_EQ_INT(tg_convert(&t, BN("2,null", "none", "b", "m", "v", 0), 9), ONNXIFY_ERR_SYMBOLIC_VALUE);
    CHECK_CONTAINS(t.ctx.message, "Unsupported: ONNX export of batch_norm for unknown channel size.");
    tg_free(&t);

    /* no running statistics (track_running_stats=False): the batch's own */
    tg_init(&t);
    CHECK(tg_convert(&t, BN("2,3,4,4", "w", "b", "none", "none", 1), 13) == OX_OK);
    if (t.onnx) {
        CHECK_STR(tg_kinds(t.onnx),
                  "Constant,Reshape,Transpose,ReduceMean,ReduceMean,Sub,Mul,ReduceMean,BatchNormalization");
        ox_node *r0 = tg_find(t.onnx, "onnx::ReduceMean", 0), *r1 = tg_find(t.onnx, "onnx::ReduceMean", 1);
        int n;
        const int64_t *axes = attr_is(r0, "axes", &n);
        CHECK(n == 2 && axes[0] == 0 && axes[1] == 1);
        CHECK_EQ_INT(tg_attr_i(r0, "keepdims", -1), 0);
        CHECK_EQ_INT(tg_attr_i(r1, "keepdims", -1), 1);
        ox_node *bn = tg_find(t.onnx, "onnx::BatchNormalization", 0);
        CHECK(bn && bn->noutputs == 5 && bn->inputs[3] == r0->outputs[0]);
        const ox_tensor *shape = ox_value_const_tensor(tg_find(t.onnx, "onnx::Reshape", 0)->inputs[1]);
        CHECK(shape && ox_tensor_numel(shape) == 3 && ox_tensor_get_i(shape, 0) == 2 &&
              ox_tensor_get_i(shape, 1) == 3 && ox_tensor_get_i(shape, 2) == -1);
    }
    tg_free(&t);
}

/* ---- layer_norm --------------------------------------------------------- */

#define LN(kind, w, b, extra_in, outs)                                                                          \
    TG_JSON("[" V("x", TG_F32("2,4,5")) "," V("w", TG_F32("4,5")) "," V("b", TG_F32("4,5")) "]",               \
            "[" TG_CONST_NONE("none") "," TG_CONST_INTS("shape", 4, 5) "," TG_CONST_FLOAT("eps", 1e-05) ","     \
            TG_CONST_BOOL("cudnn", 1) "," NODE(kind, "\"x\",\"shape\",\"" w "\",\"" b "\",\"eps\"" extra_in, \
                                                outs) "]",                                                   \
            "[\"y\"]")

static void test_layer_norm_9(void)
{
    tg t;
    tg_init(&t);
    CHECK(tg_convert(&t, LN("aten::layer_norm", "w", "b", ",\"cudnn\"", V("y", TG_F32("2,4,5"))), 13) == OX_OK);
    if (t.onnx) {
        CHECK_STR(tg_kinds(t.onnx), "Constant,Constant,ReduceMean,Sub,Pow,ReduceMean,Add,Sqrt,Div,Mul,Add");
        ox_node *rm = tg_find(t.onnx, "onnx::ReduceMean", 0);
        int n;
        const int64_t *axes = attr_is(rm, "axes", &n);
        CHECK(n == 2 && axes[0] == -2 && axes[1] == -1);
        CHECK(!ox_node_has_attr(rm, "keepdims"));
        /* torch's wrapped numbers: 0-d double constants 2.0 and eps */
        ox_node *pw = tg_find(t.onnx, "onnx::Pow", 0), *add = tg_find(t.onnx, "onnx::Add", 0);
        const ox_tensor *two = pw ? ox_value_const_tensor(pw->inputs[1]) : NULL;
        const ox_tensor *eps = add ? ox_value_const_tensor(add->inputs[1]) : NULL;
        CHECK(two && two->dtype == OX_DOUBLE && two->rank == 0 && ox_tensor_get_f(two, 0) == 2.0);
        CHECK(eps && eps->dtype == OX_DOUBLE && ox_tensor_get_f(eps, 0) == 1e-05);
        /* the Pow base is typed float (for scalar_type_analysis) */
        CHECK(pw && pw->inputs[0]->type->dtype == OX_FLOAT);
        ox_node *sub = tg_find(t.onnx, "onnx::Sub", 0), *div = tg_find(t.onnx, "onnx::Div", 0);
        CHECK(sub && div && div->inputs[0] == sub->outputs[0]);
        ox_node *mul = tg_find(t.onnx, "onnx::Mul", 0);
        CHECK(mul && mul->inputs[1] == ox_block_input(t.onnx->top, 1));
    }
    tg_free(&t);

    /* no affine parameters: no Mul / Add at the end */
    tg_init(&t);
    CHECK(tg_convert(&t, LN("aten::layer_norm", "none", "none", ",\"cudnn\"", V("y", TG_F32("2,4,5"))), 9) ==
          OX_OK);
    if (t.onnx) CHECK_STR(tg_kinds(t.onnx), "Constant,Constant,ReduceMean,Sub,Pow,ReduceMean,Add,Sqrt,Div");
    tg_free(&t);
}

static void test_layer_norm_17(void)
{
    tg t;
    tg_init(&t);
    CHECK(tg_convert(&t, LN("aten::layer_norm", "w", "b", ",\"cudnn\"", V("y", TG_F32("2,4,5"))), 17) == OX_OK);
    if (t.onnx) {
        CHECK_STR(tg_kinds(t.onnx), "LayerNormalization");
        ox_node *ln = tg_find(t.onnx, "onnx::LayerNormalization", 0);
        CHECK_EQ_INT(tg_attr_i(ln, "axis", 0), -2);
        CHECK(attr_f(ln, "epsilon") == 1e-05);
        CHECK(ln && ln->ninputs == 3 && ln->inputs[2] == ox_block_input(t.onnx->top, 2));
    }
    tg_free(&t);
}

static void test_native_layer_norm(void)
{
    tg t;
    tg_init(&t);
    const char *json = TG_JSON(
        "[" V("x", TG_F32("2,4,5")) "," V("w", TG_F32("5")) "," V("b", TG_F32("5")) "]",
        "[" TG_CONST_INTS("shape", 5) "," TG_CONST_FLOAT("eps", 1e-05) ","
        NODE("aten::native_layer_norm", "\"x\",\"shape\",\"w\",\"b\",\"eps\"",
             V("y", TG_F32("2,4,5")) "," V("mean", TG_F32("2,4,1")) "," V("rstd", TG_F32("2,4,1"))) "]",
        "[\"y\",\"mean\",\"rstd\"]");
    CHECK(tg_convert(&t, json, 13) == OX_OK);
    if (t.onnx) {
        CHECK_STR(tg_kinds(t.onnx), "Constant,Constant,ReduceMean,Sub,Pow,ReduceMean,Add,Sqrt,Div,Mul,Add,Reciprocal");
        CHECK(ox_block_output(t.onnx->top, 1) == tg_find(t.onnx, "onnx::ReduceMean", 0)->outputs[0]);
        CHECK(ox_block_output(t.onnx->top, 2) == tg_find(t.onnx, "onnx::Reciprocal", 0)->outputs[0]);
    }
    tg_free(&t);
}

/* ---- group_norm / instance_norm ----------------------------------------- */

static void test_group_norm(void)
{
#define GN(w, b)                                                                                           \
    TG_JSON("[" V("x", TG_F32("2,4,3")) "," V("w", TG_F32("4")) "," V("b", TG_F32("4")) "]",                 \
            "[" TG_CONST_NONE("none") "," TG_CONST_INT("g", 2) "," TG_CONST_FLOAT("eps", 1e-05) ","          \
            TG_CONST_BOOL("cudnn", 1) "," NODE("aten::group_norm",                                          \
                                              "\"x\",\"g\",\"" w "\",\"" b "\",\"eps\",\"cudnn\"",       \
                                              V("y", TG_F32("2,4,3"))) "]",                              \
            "[\"y\"]")
    tg t;
    tg_init(&t);
    CHECK(tg_convert(&t, GN("none", "none"), 14) == OX_OK);
    if (t.onnx) {
        /* as torch 1.13 at opset 14 */
        CHECK_STR(tg_kinds(t.onnx), "Constant,Reshape,Constant,Constant,InstanceNormalization,Shape,Reshape,"
                                 "Constant,Constant,Constant,Unsqueeze,Mul,Constant,Unsqueeze,Add");
        ox_node *r = tg_find(t.onnx, "onnx::Reshape", 0);
        CHECK_EQ_INT(tg_attr_i(r, "allowzero", -1), 0);
        const ox_tensor *shape = r ? ox_value_const_tensor(r->inputs[1]) : NULL;
        CHECK(shape && ox_tensor_numel(shape) == 3 && ox_tensor_get_i(shape, 0) == 0 &&
              ox_tensor_get_i(shape, 1) == 2 && ox_tensor_get_i(shape, 2) == -1);
        ox_node *in = tg_find(t.onnx, "onnx::InstanceNormalization", 0);
        const ox_tensor *scale = in ? ox_value_const_tensor(in->inputs[1]) : NULL;
        CHECK(scale && scale->dims[0] == 2 && ox_tensor_get_f(scale, 1) == 1.0);
        CHECK(attr_f(in, "epsilon") == 1e-05);
    }
    tg_free(&t);

    tg_init(&t);
    CHECK(tg_convert(&t, GN("w", "b"), 9) == OX_OK);
    if (t.onnx)
        CHECK_STR(tg_kinds(t.onnx), "Constant,Reshape,Constant,Constant,InstanceNormalization,Shape,Reshape,"
                                 "Unsqueeze,Mul,Unsqueeze,Add");
    tg_free(&t);
}

static void test_instance_norm(void)
{
#define IN(w, b, mean, var, stats)                                                                          \
    TG_JSON("[" V("x", TG_F32("2,3,4,4")) "," V("w", TG_F32("3")) "," V("b", TG_F32("3")) "," V(             \
                "m", TG_F32("3")) "," V("v", TG_F32("3")) "]",                                                \
            "[" TG_CONST_NONE("none") "," TG_CONST_BOOL("u", stats) "," TG_CONST_FLOAT("mom", 0.1) ","        \
            TG_CONST_FLOAT("eps", 1e-05) "," TG_CONST_BOOL("cudnn", 1) ","                                    \
            NODE("aten::instance_norm",                                                                      \
                 "\"x\",\"" w "\",\"" b "\",\"" mean "\",\"" var "\",\"u\",\"mom\",\"eps\",\"cudnn\"",       \
                 V("y", TG_F32("2,3,4,4"))) "]",                                                             \
            "[\"y\"]")
    tg t;
    tg_init(&t);
    CHECK(tg_convert(&t, IN("w", "b", "none", "none", 1), 13) == OX_OK);
    if (t.onnx) {
        CHECK_STR(tg_kinds(t.onnx), "InstanceNormalization");
        CHECK(attr_f(tg_find(t.onnx, "onnx::InstanceNormalization", 0), "epsilon") == 1e-05);
    }
    tg_free(&t);

    /* running statistics in eval: a batch_norm over [1, N*C, H, W] */
    tg_init(&t);
    CHECK(tg_convert(&t, IN("none", "none", "m", "v", 0), 13) == OX_OK);
    if (t.onnx) {
        CHECK_STR(tg_kinds(t.onnx),
                  "Constant,Constant,"
                  "Constant,Shape,ConstantOfShape,Expand,Tile,Constant,Shape,ConstantOfShape,Expand,Tile,"
                  "Constant,Shape,ConstantOfShape,Expand,Tile,Constant,Shape,ConstantOfShape,Expand,Tile,"
                  "Constant,Reshape,BatchNormalization,Constant,Reshape");
        ox_node *bn = tg_find(t.onnx, "onnx::BatchNormalization", 0);
        CHECK(bn && bn->noutputs == 1 && !ox_node_has_attr(bn, "training_mode"));
        const ox_tensor *to = ox_value_const_tensor(tg_find(t.onnx, "onnx::Reshape", 0)->inputs[1]);
        CHECK(to && ox_tensor_numel(to) == 4 && ox_tensor_get_i(to, 0) == 1 && ox_tensor_get_i(to, 1) == 6);
        ox_node *cos = tg_find(t.onnx, "onnx::ConstantOfShape", 0);
        ox_attr *v = cos ? ox_node_attr(cos, "value") : NULL;
        CHECK(v && v->kind == OX_ATTR_T && v->v.t->dtype == OX_INT64 && ox_tensor_get_i(v->v.t, 0) == 1);
    }
    tg_free(&t);

    /* opset 14: still the opset-9 batch_norm (5 outputs in training) */
    tg_init(&t);
    CHECK(tg_convert(&t, IN("w", "b", "m", "v", 1), 14) == OX_OK);
    if (t.onnx) {
        ox_node *bn = tg_find(t.onnx, "onnx::BatchNormalization", 0);
        CHECK(bn && bn->noutputs == 5 && !ox_node_has_attr(bn, "training_mode"));
    }
    tg_free(&t);

    tg_init(&t);
    const char *unknown = TG_JSON(
        "[" V("x", TG_F32("2,null,4")) "]",
        "[" TG_CONST_NONE("none") "," TG_CONST_BOOL("u", 1) "," TG_CONST_FLOAT("mom", 0.1) ","
        TG_CONST_FLOAT("eps", 1e-05) "," TG_CONST_BOOL("cudnn", 1) ","
        NODE("aten::instance_norm", "\"x\",\"none\",\"none\",\"none\",\"none\",\"u\",\"mom\",\"eps\",\"cudnn\"",
             V("y", ANY)) "]",
        "[\"y\"]");
    CHECK_EQ_INT(tg_convert(&t, unknown, 13), ONNXIFY_ERR_SYMBOLIC_VALUE);
    CHECK_CONTAINS(t.ctx.message, "instance_norm for unknown channel size");
    tg_free(&t);
}

static const ox_test_case tests[] = {
    {"batch_norm_eval", test_batch_norm_eval},
    {"batch_norm_training", test_batch_norm_training},
    {"batch_norm_defaults", test_batch_norm_defaults},
    {"layer_norm_9", test_layer_norm_9},
    {"layer_norm_17", test_layer_norm_17},
    {"native_layer_norm", test_native_layer_norm},
    {"group_norm", test_group_norm},
    {"instance_norm", test_instance_norm},
};
OX_TEST_MAIN(tests)
