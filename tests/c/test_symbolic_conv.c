/* Symbolics of src/symbolic/conv.c and src/symbolic/pool.c: convolutions
 * and pooling, with the attributes torch 1.13 writes (values observed in its
 * exports) at the opsets where the forms change. */
#include "graph_util.h"
#include "test.h"

#define V(name, type) "{\"name\":\"" name "\",\"type\":" type "}"
#define NODE(kind, ins, outs) "{\"kind\":\"" kind "\",\"inputs\":[" ins "],\"outputs\":[" outs "]}"
#define ANY "{\"kind\":\"tensor\",\"dtype\":\"float32\"}"
#define COMMA ,

/* "name=v0 v1 ...;" for each int / int-list attribute in order. */
static const char *attrs(ox_node *n)
{
    static char buf[1024];
    size_t len = 0;
    buf[0] = 0;
    for (ox_attr *a = n ? n->attrs : NULL; a && len < sizeof buf; a = a->next) {
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s=", a->name);
        if (a->kind == OX_ATTR_I) len += (size_t)snprintf(buf + len, sizeof buf - len, "%lld", (long long)a->v.i);
        else if (a->kind == OX_ATTR_S) len += (size_t)snprintf(buf + len, sizeof buf - len, "%s", a->v.s);
        else if (a->kind == OX_ATTR_F) len += (size_t)snprintf(buf + len, sizeof buf - len, "%g", a->v.f);
        for (int i = 0; a->kind == OX_ATTR_IS && i < a->n && len < sizeof buf; i++)
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%lld", i ? " " : "", (long long)a->v.is[i]);
        if (len < sizeof buf) len += (size_t)snprintf(buf + len, sizeof buf - len, ";");
    }
    return buf;
}

/* ---- convolution -------------------------------------------------------- */

/* aten::_convolution(x, w, b, stride, padding, dilation, transposed,
 * output_padding, groups, benchmark, deterministic, cudnn, tf32) */
#define CONV(wshape, bias, transposed, output_padding, yshape)                                          \
    TG_JSON("[" V("x", TG_F32("1,3,8,8")) "," V("w", wshape) "," V("b", TG_F32("4")) "]",                \
            "[" TG_CONST_NONE("none") "," TG_CONST_INTS("stride", 2, 2) "," TG_CONST_INTS("pad", 1, 0) \
            "," TG_CONST_INTS("dil", 1, 1) "," TG_CONST_BOOL("tr", transposed) "," TG_CONST_INTS(       \
                "opad", output_padding) "," TG_CONST_INT("groups", 1) "," TG_CONST_BOOL("f", 0) ","    \
            NODE("aten::_convolution",                                                                 \
                 "\"x\",\"w\",\"" bias "\",\"stride\",\"pad\",\"dil\",\"tr\",\"opad\",\"groups\","    \
                 "\"f\",\"f\",\"f\",\"f\"",                                                            \
                 V("y", yshape)) "]",                                                                  \
            "[\"y\"]")

static void test_convolution(void)
{
    tg t;
    tg_init(&t);
    CHECK(tg_convert(&t, CONV(TG_F32("4,3,3,2"), "b", 0, 0 COMMA 0, TG_F32("1,4,4,4")), 13) == OX_OK);
    if (t.onnx) {
        CHECK_STR(tg_kinds(t.onnx), "Conv");
        ox_node *c = tg_find(t.onnx, "onnx::Conv", 0);
        CHECK(c && c->ninputs == 3);
        CHECK_STR(attrs(c), "dilations=1 1;group=1;kernel_shape=3 2;pads=1 0 1 0;strides=2 2;");
        CHECK(c && ox_block_output(t.onnx->top, 0) == c->outputs[0]);
    }
    tg_free(&t);

    /* no bias: two inputs */
    tg_init(&t);
    CHECK(tg_convert(&t, CONV(TG_F32("4,3,3,2"), "none", 0, 0 COMMA 0, TG_F32("1,4,4,4")), 9) == OX_OK);
    if (t.onnx) {
        ox_node *c = tg_find(t.onnx, "onnx::Conv", 0);
        CHECK(c && c->ninputs == 2);
    }
    tg_free(&t);

    /* transposed with output_padding */
    tg_init(&t);
    CHECK(tg_convert(&t, CONV(TG_F32("3,4,3,3"), "b", 1, 1 COMMA 1, TG_F32("1,4,16,16")), 13) == OX_OK);
    if (t.onnx) {
        CHECK_STR(tg_kinds(t.onnx), "ConvTranspose");
        ox_node *c = tg_find(t.onnx, "onnx::ConvTranspose", 0);
        CHECK_STR(attrs(c),
                  "dilations=1 1;group=1;kernel_shape=3 3;output_padding=1 1;pads=1 0 1 0;strides=2 2;");
    }
    tg_free(&t);

    /* output_padding without transposed: rejected */
    tg_init(&t);
    CHECK_EQ_INT(tg_convert(&t, CONV(TG_F32("4,3,3,2"), "b", 0, 1 COMMA 1, TG_F32("1,4,4,4")), 13),
                 ONNXIFY_ERR_SYMBOLIC_VALUE);
    tg_free(&t);
}

static void test_convolution_unknown_kernel(void)
{
    const char *shapes[] = {"null,3,null,3", ""};
    char wtype[128];
    for (int i = 0; i < 2; i++) {
        if (*shapes[i]) snprintf(wtype, sizeof wtype, TG_F32("%s"), shapes[i]);
        else snprintf(wtype, sizeof wtype, "%s", ANY);
        char full[4096];
        snprintf(full, sizeof full, CONV("%s", "b", 0, 0 COMMA 0, TG_F32("1,4,4,4")), wtype);
        tg t;
        tg_init(&t);
        CHECK_EQ_INT(tg_convert(&t, full, 13), ONNXIFY_ERR_SYMBOLIC_VALUE);
        CHECK_CONTAINS(t.ctx.message, "Unsupported: ONNX export of convolution for kernel of unknown shape.");
        CHECK_CONTAINS(t.ctx.message, "Caused by the value 'x'");
        tg_free(&t);
    }
}

static void test_conv_front_doors(void)
{
    /* conv2d(x, w, b, stride, padding, dilation, groups) */
    const char *conv2d = TG_JSON(
        "[" V("x", TG_F32("1,4,8,8")) "," V("w", TG_F32("4,2,3,3")) "," V("b", TG_F32("4")) "]",
        "[" TG_CONST_INTS("s", 1, 1) "," TG_CONST_INTS("p", 1, 1) "," TG_CONST_INTS("d", 2, 2) "," TG_CONST_INT(
            "g", 2) "," NODE("aten::conv2d", "\"x\",\"w\",\"b\",\"s\",\"p\",\"d\",\"g\"", V("y", TG_F32("1,4,6,6"))) "]",
        "[\"y\"]");
    tg t;
    tg_init(&t);
    CHECK(tg_convert(&t, conv2d, 9) == OX_OK);
    if (t.onnx)
        CHECK_STR(attrs(tg_find(t.onnx, "onnx::Conv", 0)),
                  "dilations=2 2;group=2;kernel_shape=3 3;pads=1 1 1 1;strides=1 1;");
    tg_free(&t);

    /* conv_transpose1d(x, w, b, stride, padding, output_padding, groups, dilation) */
    const char *convt = TG_JSON(
        "[" V("x", TG_F32("1,4,8")) "," V("w", TG_F32("4,2,3")) "]",
        "[" TG_CONST_NONE("b") "," TG_CONST_INTS("s", 2) "," TG_CONST_INTS("p", 1) "," TG_CONST_INTS("op", 1) ","
        TG_CONST_INT("g", 1) "," TG_CONST_INTS("d", 1) ","
        NODE("aten::conv_transpose1d", "\"x\",\"w\",\"b\",\"s\",\"p\",\"op\",\"g\",\"d\"", V("y", TG_F32("1,2,16"))) "]",
        "[\"y\"]");
    tg_init(&t);
    CHECK(tg_convert(&t, convt, 11) == OX_OK);
    if (t.onnx) {
        ox_node *c = tg_find(t.onnx, "onnx::ConvTranspose", 0);
        CHECK(c && c->ninputs == 2);
        CHECK_STR(attrs(c), "dilations=1;group=1;kernel_shape=3;output_padding=1;pads=1 1;strides=2;");
    }
    tg_free(&t);

    /* a bias that is not known to be 1-D is added after the convolution */
    const char *conv1d = TG_JSON(
        "[" V("x", TG_F32("1,4,8")) "," V("w", TG_F32("4,4,3")) "," V("b", ANY) "]",
        "[" TG_CONST_INTS("s", 1) "," TG_CONST_INTS("p", 0) "," TG_CONST_INTS("d", 1) "," TG_CONST_INT("g", 1) ","
        NODE("aten::conv1d", "\"x\",\"w\",\"b\",\"s\",\"p\",\"d\",\"g\"", V("y", TG_F32("1,4,6"))) "]",
        "[\"y\"]");
    tg_init(&t);
    CHECK(tg_convert(&t, conv1d, 13) == OX_OK);
    if (t.onnx) {
        CHECK_STR(tg_kinds(t.onnx), "Conv,Add");
        ox_node *c = tg_find(t.onnx, "onnx::Conv", 0);
        CHECK(c && c->ninputs == 2);
    }
    tg_free(&t);
}

static void test_convolution_mode(void)
{
    const char *json = TG_JSON(
        "[" V("x", TG_F32("1,4,8,8")) "," V("w", TG_F32("4,4,3,3")) "," V("b", TG_F32("4")) "]",
        "[" TG_CONST_INTS("s", 1, 1) ",{\"kind\":\"prim::Constant\",\"inputs\":[],\"outputs\":[" V(
            "p", "{\"kind\":\"str\"}") "],\"attributes\":[{\"name\":\"value\",\"kind\":\"s\",\"value\":\"same\"}]},"
        TG_CONST_INTS("d", 1, 1) "," TG_CONST_INT("g", 1) ","
        NODE("aten::_convolution_mode", "\"x\",\"w\",\"b\",\"s\",\"p\",\"d\",\"g\"", V("y", TG_F32("1,4,8,8"))) "]",
        "[\"y\"]");
    tg t;
    tg_init(&t);
    CHECK(tg_convert(&t, json, 13) == OX_OK);
    if (t.onnx)
        CHECK_STR(attrs(tg_find(t.onnx, "onnx::Conv", 0)),
                  "auto_pad=SAME_UPPER;dilations=1 1;group=1;kernel_shape=3 3;strides=1 1;");
    tg_free(&t);
}

static void test_conv_tbc(void)
{
    const char *json = TG_JSON(
        "[" V("x", TG_F32("7,2,3")) "," V("w", TG_F32("5,3,4")) "," V("b", TG_F32("4")) "]",
        "[" TG_CONST_INT("pad", 2) "," NODE("aten::conv_tbc", "\"x\",\"w\",\"b\",\"pad\"", V("y", TG_F32("7,2,4"))) "]",
        "[\"y\"]");
    tg t;
    tg_init(&t);
    CHECK(tg_convert(&t, json, 13) == OX_OK);
    if (t.onnx) {
        CHECK_STR(tg_kinds(t.onnx), "Transpose,Transpose,Conv,Transpose");
        CHECK_STR(attrs(tg_find(t.onnx, "onnx::Conv", 0)),
                  "dilations=1;group=1;kernel_shape=5;pads=2 2;strides=1;");
    }
    tg_free(&t);
}

/* ---- max pooling -------------------------------------------------------- */

/* max_pool2d(x 1x2x9x9, kernel 3, stride 2, padding 1, dilation, ceil_mode) */
#define MAXPOOL(kind, dil, ceil, outs, graph_outs)                                                                     \
    TG_JSON("[" V("x", TG_F32("1,2,9,9")) "]",                                                              \
            "[" TG_CONST_INTS("k", 3, 3) "," TG_CONST_INTS("s", 2, 2) "," TG_CONST_INTS("p", 1, 1) ","      \
            TG_CONST_INTS("d", dil) "," TG_CONST_BOOL("c", ceil) ","                                       \
            NODE(kind, "\"x\",\"k\",\"s\",\"p\",\"d\",\"c\"", outs) "]",                                   \
            graph_outs)

static void test_max_pool(void)
{
    const char *json = MAXPOOL("aten::max_pool2d", 1 COMMA 1, 1, V("y", TG_F32("1,2,5,5")), "[\"y\"]");
    tg t;
    tg_init(&t);
    CHECK(tg_convert(&t, json, 9) == OX_OK);
    /* opset 9: ceil_mode as extra end padding (torch: pads=[1, 1, 2, 2]) */
    if (t.onnx) CHECK_STR(attrs(tg_find(t.onnx, "onnx::MaxPool", 0)), "kernel_shape=3 3;pads=1 1 2 2;strides=2 2;");
    tg_free(&t);

    tg_init(&t);
    CHECK(tg_convert(&t, json, 10) == OX_OK);
    if (t.onnx)
        CHECK_STR(attrs(tg_find(t.onnx, "onnx::MaxPool", 0)),
                  "ceil_mode=1;kernel_shape=3 3;pads=1 1 1 1;strides=2 2;");
    tg_free(&t);

    /* dilation: opset 9 cannot, opset 10 writes dilations */
    const char *dil = MAXPOOL("aten::max_pool2d", 2 COMMA 2, 0, V("y", TG_F32("1,2,3,3")), "[\"y\"]");
    tg_init(&t);
    CHECK_EQ_INT(tg_convert(&t, dil, 9), ONNXIFY_ERR_SYMBOLIC_VALUE);
    CHECK_CONTAINS(t.ctx.message, "Unsupported: ONNX export of operator max_pool2d, dilation.");
    tg_free(&t);
    tg_init(&t);
    CHECK(tg_convert(&t, dil, 17) == OX_OK);
    if (t.onnx)
        CHECK_STR(attrs(tg_find(t.onnx, "onnx::MaxPool", 0)),
                  "ceil_mode=0;dilations=2 2;kernel_shape=3 3;pads=1 1 1 1;strides=2 2;");
    tg_free(&t);

    /* ceil_mode at opset 9 needs static sizes */
    const char *dyn = TG_JSON(
        "[" V("x", TG_F32("1,2,null,9")) "]",
        "[" TG_CONST_INTS("k", 3, 3) "," TG_CONST_INTS("s", 2, 2) "," TG_CONST_INTS("p", 1, 1) ","
        TG_CONST_INTS("d", 1, 1) "," TG_CONST_BOOL("c", 1) ","
        NODE("aten::max_pool2d", "\"x\",\"k\",\"s\",\"p\",\"d\",\"c\"", V("y", ANY)) "]",
        "[\"y\"]");
    tg_init(&t);
    CHECK_EQ_INT(tg_convert(&t, dyn, 9), ONNXIFY_ERR_SYMBOLIC_VALUE);
    CHECK_CONTAINS(t.ctx.message, "get_pool_ceil_padding, input size not accessible");
    tg_free(&t);
}

static void test_max_pool_with_indices(void)
{
    /* both outputs are graph outputs */
    const char *full = MAXPOOL("aten::max_pool2d_with_indices", 1 COMMA 1, 0,
                               V("y", TG_F32("1,2,5,5")) "," V("i", TG_I64("1,2,5,5")), "[\"y\",\"i\"]");
    tg t;
    tg_init(&t);
    CHECK(tg_convert(&t, full, 9) == OX_OK);
    if (t.onnx) {
        CHECK_STR(tg_kinds(t.onnx), "MaxPool,MaxPool,Slice,Sub");
        ox_node *ref = tg_find(t.onnx, "onnx::MaxPool", 1), *sl = tg_find(t.onnx, "onnx::Slice", 0);
        CHECK_STR(attrs(ref), "kernel_shape=1 1;strides=1 1;");
        CHECK_STR(attrs(sl), "axes=2 3;ends=1 1;starts=0 0;"); /* torch: sorted */
        ox_node *mp = tg_find(t.onnx, "onnx::MaxPool", 0);
        CHECK(mp && mp->noutputs == 2);
    }
    tg_free(&t);

    tg_init(&t);
    CHECK(tg_convert(&t, full, 11) == OX_OK);
    if (t.onnx) CHECK_STR(tg_kinds(t.onnx), "MaxPool,MaxPool,Constant,Constant,Constant,Slice,Sub");
    tg_free(&t);

    /* blocked at opset 7 (as torch) */
    tg_init(&t);
    CHECK_EQ_INT(tg_convert(&t, full, 7), ONNXIFY_ERR_EXPORTER);
    CHECK_CONTAINS(t.ctx.message, "ONNX export failed on max_pool2d_with_indices, which is not implemented for "
                                  "opset 7");
    tg_free(&t);
}

/* ---- average pooling ---------------------------------------------------- */

/* avg_pool2d(x 1x2x9x9, kernel 3, stride 2, padding 1, ceil_mode, count_include_pad, None) */
#define AVGPOOL(ceil, include)                                                                         \
    TG_JSON("[" V("x", TG_F32("1,2,9,9")) "]",                                                          \
            "[" TG_CONST_INTS("k", 3, 3) "," TG_CONST_INTS("s", 2, 2) "," TG_CONST_INTS("p", 1, 1) ","  \
            TG_CONST_BOOL("c", ceil) "," TG_CONST_BOOL("i", include) "," TG_CONST_NONE("d") ","        \
            NODE("aten::avg_pool2d", "\"x\",\"k\",\"s\",\"p\",\"c\",\"i\",\"d\"", V("y", TG_F32("1,2,5,5"))) "]", \
            "[\"y\"]")

static void test_avg_pool(void)
{
    tg t;
    tg_init(&t);
    CHECK(tg_convert(&t, AVGPOOL(1, 1), 9) == OX_OK);
    if (t.onnx) {
        /* torch: Pad(pads=[0,0,1,1,0,0,1,1]) then AveragePool(pads=[0,0,1,1]) */
        CHECK_STR(tg_kinds(t.onnx), "Pad,AveragePool");
        CHECK_STR(attrs(tg_find(t.onnx, "onnx::Pad", 0)), "mode=constant;pads=0 0 1 1 0 0 1 1;value=0;");
        CHECK_STR(attrs(tg_find(t.onnx, "onnx::AveragePool", 0)), "kernel_shape=3 3;pads=0 0 1 1;strides=2 2;");
    }
    tg_free(&t);

    tg_init(&t);
    CHECK(tg_convert(&t, AVGPOOL(1, 1), 10) == OX_OK);
    if (t.onnx) {
        CHECK_STR(tg_kinds(t.onnx), "Pad,AveragePool");
        CHECK_STR(attrs(tg_find(t.onnx, "onnx::AveragePool", 0)),
                  "ceil_mode=1;kernel_shape=3 3;pads=0 0 0 0;strides=2 2;");
    }
    tg_free(&t);

    /* opset 11: the pads are an input */
    tg_init(&t);
    CHECK(tg_convert(&t, AVGPOOL(1, 1), 11) == OX_OK);
    if (t.onnx) {
        CHECK_STR(tg_kinds(t.onnx), "Constant,Pad,AveragePool");
        ox_node *pad = tg_find(t.onnx, "onnx::Pad", 0);
        CHECK_STR(attrs(pad), "mode=constant;");
        const ox_tensor *pads = pad && pad->ninputs == 2 ? ox_value_const_tensor(pad->inputs[1]) : NULL;
        CHECK(pads && pads->dtype == OX_INT64 && ox_tensor_numel(pads) == 8 && ox_tensor_get_i(pads, 2) == 1 &&
              ox_tensor_get_i(pads, 0) == 0);
    }
    tg_free(&t);

    /* count_include_pad=False: the pads stay on the pool */
    tg_init(&t);
    CHECK(tg_convert(&t, AVGPOOL(0, 0), 9) == OX_OK);
    if (t.onnx) {
        CHECK_STR(tg_kinds(t.onnx), "AveragePool");
        CHECK_STR(attrs(tg_find(t.onnx, "onnx::AveragePool", 0)), "kernel_shape=3 3;pads=1 1 1 1;strides=2 2;");
    }
    tg_free(&t);
}

/* ---- adaptive pooling --------------------------------------------------- */

#define ADAPTIVE(kind, xshape, out, outs)                                                      \
    TG_JSON("[" V("x", TG_F32(xshape)) "]",                                                     \
            "[" TG_CONST_INTS("o", out) "," NODE(kind, "\"x\",\"o\"", outs) "]", "[\"y\"]")

static void test_adaptive_pool(void)
{
    tg t;
    tg_init(&t);
    CHECK(tg_convert(&t, ADAPTIVE("aten::adaptive_avg_pool2d", "1,2,null,null", 1 COMMA 1, V("y", ANY)), 9) ==
          OX_OK);
    if (t.onnx) CHECK_STR(tg_kinds(t.onnx), "GlobalAveragePool");
    tg_free(&t);

    tg_init(&t);
    CHECK(tg_convert(&t, ADAPTIVE("aten::adaptive_avg_pool2d", "1,2,9,6", 3 COMMA 2, V("y", ANY)), 13) == OX_OK);
    if (t.onnx) CHECK_STR(attrs(tg_find(t.onnx, "onnx::AveragePool", 0)), "kernel_shape=3 3;strides=3 3;");
    tg_free(&t);

    tg_init(&t);
    CHECK_EQ_INT(tg_convert(&t, ADAPTIVE("aten::adaptive_avg_pool2d", "1,2,9,9", 4 COMMA 4, V("y", ANY)), 13),
                 ONNXIFY_ERR_SYMBOLIC_VALUE);
    CHECK_CONTAINS(t.ctx.message, "adaptive_avg_pool2d, output size that are not factor of input size");
    tg_free(&t);

    tg_init(&t);
    CHECK_EQ_INT(tg_convert(&t, ADAPTIVE("aten::adaptive_avg_pool1d", "1,2,null", 3, V("y", ANY)), 13),
                 ONNXIFY_ERR_SYMBOLIC_VALUE);
    CHECK_CONTAINS(t.ctx.message, "adaptive_avg_pool1d, input size not accessible");
    tg_free(&t);

    /* max: static sizes -> opset 9's max_pool_with_indices (kernel = stride = 3) */
    tg_init(&t);
    CHECK(tg_convert(&t, ADAPTIVE("aten::adaptive_max_pool2d", "1,2,9,9", 3 COMMA 3,
                                  V("y", ANY) "," V("i", TG_I64("1,2,3,3"))),
                     11) == OX_OK);
    if (t.onnx) {
        ox_node *mp = tg_find(t.onnx, "onnx::MaxPool", 0);
        CHECK(mp && mp->noutputs == 2);
        CHECK_STR(attrs(mp), "kernel_shape=3 3;pads=0 0 0 0;strides=3 3;");
    }
    tg_free(&t);

    /* max with output 1 and unknown sizes: GlobalMaxPool, no indices */
    tg_init(&t);
    CHECK(tg_convert(&t, ADAPTIVE("aten::adaptive_max_pool2d", "1,2,null,null", 1 COMMA 1,
                                  V("y", ANY) "," V("i", TG_I64(""))),
                     11) == OX_OK);
    if (t.onnx) CHECK_STR(tg_kinds(t.onnx), "GlobalMaxPool");
    tg_free(&t);
}

static const ox_test_case tests[] = {
    {"convolution", test_convolution},
    {"convolution_unknown_kernel", test_convolution_unknown_kernel},
    {"conv_front_doors", test_conv_front_doors},
    {"convolution_mode", test_convolution_mode},
    {"conv_tbc", test_conv_tbc},
    {"max_pool", test_max_pool},
    {"max_pool_with_indices", test_max_pool_with_indices},
    {"avg_pool", test_avg_pool},
    {"adaptive_pool", test_adaptive_pool},
};
OX_TEST_MAIN(tests)
