/* Interpolation symbolics (src/symbolic/resize.c): upsample_* and
 * aten::__interpolate at opsets 8 (Upsample, scales attribute), 9
 * (Upsample, scales input), 10 (Resize, scales) and 11/13 (Resize with
 * roi/scales/sizes and torch's attributes), as torch 1.13 emits them, and the
 * errors torch raises (align_corners=True before 11, dynamic sizes at 8). */
#include <math.h>

#include "graph_util.h"
#include "symbolic/symbolic.h"
#include "test.h"

#define Q(s) "\"" s "\""
#define V(name, type) "{\"name\":\"" name "\",\"type\":" type "}"
#define N(kind, ins, outs) "{\"kind\":\"" kind "\",\"inputs\":[" ins "],\"outputs\":[" outs "]}"
#define TG_FLOATS "{\"kind\":\"list\",\"elem\":{\"kind\":\"float\"}}"
#define CONST_FLOATS(name, ...)                                                                  \
    "{\"kind\":\"prim::Constant\",\"inputs\":[],\"outputs\":[{\"name\":\"" name "\",\"type\":" TG_FLOATS \
    "}],\"attributes\":[{\"name\":\"value\",\"kind\":\"fs\",\"value\":[" #__VA_ARGS__ "]}]}"
#define CONST_STR(name, v)                                                                                   \
    "{\"kind\":\"prim::Constant\",\"inputs\":[],\"outputs\":[{\"name\":\"" name "\",\"type\":{\"kind\":\"str\"}}]," \
    "\"attributes\":[{\"name\":\"value\",\"kind\":\"s\",\"value\":\"" v "\"}]}"
#define OUT_Y "[" Q("y") "]"

/* upsample_<kind>(x, None, scale_factors) (the nearest form: no align_corners). */
#define UP_NEAREST_SCALES(op, xshape, yshape, ...)                                                     \
    TG_JSON("[" V("x", TG_F32(xshape)) "]",                                                            \
            "[" TG_CONST_NONE("none") "," CONST_FLOATS("sf", __VA_ARGS__) "," N(                         \
                "aten::" op, Q("x") "," Q("none") "," Q("sf"), V("y", TG_F32(yshape))) "]",           \
            OUT_Y)
/* upsample_<kind>(x, output_size, None) */
#define UP_NEAREST_SIZE(op, xshape, yshape, ...)                                                       \
    TG_JSON("[" V("x", TG_F32(xshape)) "]",                                                            \
            "[" TG_CONST_NONE("none") "," TG_CONST_INTS("size", __VA_ARGS__) "," N(                     \
                "aten::" op, Q("x") "," Q("size") "," Q("none"), V("y", TG_F32(yshape))) "]",         \
            OUT_Y)
/* upsample_<linear kind>(x, output_size, align_corners, None) */
#define UP_LINEAR_SIZE(op, ac, xshape, yshape, ...)                                                    \
    TG_JSON("[" V("x", TG_F32(xshape)) "]",                                                            \
            "[" TG_CONST_NONE("none") "," TG_CONST_BOOL("ac", ac) "," TG_CONST_INTS("size", __VA_ARGS__) "," N( \
                "aten::" op, Q("x") "," Q("size") "," Q("ac") "," Q("none"), V("y", TG_F32(yshape))) "]", \
            OUT_Y)
/* upsample_<linear kind>(x, None, align_corners, scale_factors) */
#define UP_LINEAR_SCALES(op, ac, xshape, yshape, ...)                                                  \
    TG_JSON("[" V("x", TG_F32(xshape)) "]",                                                            \
            "[" TG_CONST_NONE("none") "," TG_CONST_BOOL("ac", ac) "," CONST_FLOATS("sf", __VA_ARGS__) "," N( \
                "aten::" op, Q("x") "," Q("none") "," Q("ac") "," Q("sf"), V("y", TG_F32(yshape))) "]", \
            OUT_Y)

/* ---- inspection helpers -------------------------------------------------- */

static ox_status conv(tg *t, const char *json, int opset)
{
    tg_init(t);
    return tg_convert(t, json, opset);
}

static ox_node *out_node(tg *t) { return ox_block_output(t->onnx->top, 0)->node; }

static const char *attr_s(ox_node *n, const char *name)
{
    ox_attr *a = n ? ox_node_attr(n, name) : NULL;
    return a && a->kind == OX_ATTR_S ? a->v.s : NULL;
}

static double attr_f(ox_node *n, const char *name)
{
    ox_attr *a = n ? ox_node_attr(n, name) : NULL;
    return a && a->kind == OX_ATTR_F ? a->v.f : -12345.0;
}

/* Input i of n is an onnx::Constant of `dtype` holding `vals` (1-D). */
static bool const_in(ox_node *n, int i, ox_dtype dtype, const double *vals, int count)
{
    if (!n || i >= n->ninputs || !ox_node_is(n->inputs[i]->node, "onnx::Constant")) return false;
    const ox_tensor *t = ox_value_const_tensor(n->inputs[i]);
    if (!t || t->dtype != dtype || t->rank != 1 || ox_tensor_numel(t) != count) return false;
    for (int k = 0; k < count; k++)
        if (fabs(ox_tensor_get_f(t, k) - vals[k]) > 1e-6) return false;
    return true;
}

#define CONST_IN(n, i, dtype, ...) \
    const_in((n), (i), (dtype), (const double[]){__VA_ARGS__}, (int)(sizeof((double[]){__VA_ARGS__}) / sizeof(double)))

static bool empty_float_in(ox_node *n, int i)
{
    if (!n || i >= n->ninputs || !ox_node_is(n->inputs[i]->node, "onnx::Constant")) return false;
    const ox_tensor *t = ox_value_const_tensor(n->inputs[i]);
    return t && t->dtype == OX_FLOAT && t->rank == 1 && t->dims[0] == 0;
}

static bool none_in(ox_node *n, int i) { return n && i < n->ninputs && ox_value_is_none(n->inputs[i]); }

/* The Concat(ones(2), scales) torch builds for given scale factors. */
static bool scales_concat(ox_value *v, const double *scales, int n)
{
    ox_node *c = v->node;
    if (!ox_node_is(c, "onnx::Concat") || tg_attr_i(c, "axis", -1) != 0 || c->ninputs != 2) return false;
    return CONST_IN(c, 0, OX_FLOAT, 1.0, 1.0) && const_in(c, 1, OX_FLOAT, scales, n);
}

/* Resize-11+'s attributes, as torch sets them (name order). */
static void check_resize11(ox_node *r, const char *ctm, const char *mode)
{
    CHECK(ox_node_is(r, "onnx::Resize"));
    CHECK_STR(attr_s(r, "coordinate_transformation_mode"), ctm);
    CHECK(attr_f(r, "cubic_coeff_a") == -0.75);
    CHECK_STR(attr_s(r, "mode"), mode);
    CHECK_STR(attr_s(r, "nearest_mode"), "floor");
    ox_attr *a = r ? r->attrs : NULL;
    const char *order[] = {"coordinate_transformation_mode", "cubic_coeff_a", "mode", "nearest_mode"};
    for (int i = 0; i < 4; i++, a = a ? a->next : NULL) CHECK(a && strcmp(a->name, order[i]) == 0);
}

static void expect_fail(const char *json, int opset, ox_status code, const char *needle)
{
    tg t;
    CHECK_EQ_INT(conv(&t, json, opset), code);
    CHECK_CONTAINS(t.ctx.message, needle);
    tg_free(&t);
}

/* ---- upsample with scale factors ----------------------------------------- */

static const char *NEAREST_SF = UP_NEAREST_SCALES("upsample_nearest2d", "1,2,4,4", "1,2,8,12", 2.0, 3.0);

static void test_nearest_scales_9_10(void)
{
    const double sc[2] = {2.0, 3.0};
    for (int opset = 9; opset <= 10; opset++) {
        tg t;
        CHECK(conv(&t, NEAREST_SF, opset) == OX_OK);
        if (t.onnx) {
            CHECK_STR(tg_kinds(t.onnx), opset == 9 ? "Constant,Constant,Concat,Upsample" : "Constant,Constant,Concat,Resize");
            ox_node *u = out_node(&t);
            CHECK_EQ_INT(u->ninputs, 2);
            CHECK(scales_concat(u->inputs[1], sc, 2));
            CHECK_STR(attr_s(u, "mode"), "nearest");
            CHECK(u->attrs && !u->attrs->next); /* mode only */
        }
        tg_free(&t);
    }
}

static void test_nearest_scales_11_13(void)
{
    const double sc[2] = {2.0, 3.0};
    int opsets[] = {11, 12, 13, 17, 18};
    for (int k = 0; k < 5; k++) {
        tg t;
        CHECK(conv(&t, NEAREST_SF, opsets[k]) == OX_OK);
        if (t.onnx) {
            ox_node *r = out_node(&t);
            check_resize11(r, "asymmetric", "nearest");
            CHECK_EQ_INT(r->ninputs, 3);
            CHECK(ox_block_input(t.onnx->top, 0) == r->inputs[0]);
            if (opsets[k] >= 13) CHECK(none_in(r, 1));
            else CHECK(empty_float_in(r, 1));
            CHECK(scales_concat(r->inputs[2], sc, 2));
        }
        tg_free(&t);
    }
}

/* torch's opset-8 symbolic reads output_size, which is None here. */
static void test_nearest_scales_8_refused(void)
{
    expect_fail(NEAREST_SF, 8, ONNXIFY_ERR_EXPORTER,
                "Unsupported: ONNX export of operator upsample_nearest2d, torch._C.Value (output_size) indexing. "
                "Please feel free to request support");
    expect_fail(NEAREST_SF, 7, ONNXIFY_ERR_EXPORTER, "torch._C.Value (output_size) indexing");
}

/* ---- upsample with an output size ------------------------------------------- */

static const char *BILINEAR_SIZE = UP_LINEAR_SIZE("upsample_bilinear2d", 0, "1,2,4,5", "1,2,8,15", 8, 15);

static void test_size_8(void)
{
    tg t;
    CHECK(conv(&t, BILINEAR_SIZE, 8) == OX_OK);
    if (t.onnx) {
        ox_node *u = out_node(&t);
        CHECK(ox_node_is(u, "onnx::Upsample"));
        CHECK_EQ_INT(u->ninputs, 1);
        CHECK_STR(attr_s(u, "mode"), "linear");
        ox_attr *a = ox_node_attr(u, "scales");
        CHECK(a && a->kind == OX_ATTR_FS && a->n == 4);
        if (a && a->n == 4) {
            CHECK(a->v.fs[0] == 1.0 && a->v.fs[1] == 1.0 && a->v.fs[2] == 2.0 && a->v.fs[3] == 3.0);
        }
        CHECK(u->attrs && strcmp(u->attrs->name, "mode") == 0); /* mode, then scales */
    }
    tg_free(&t);
    /* 1-D and 3-D: scales for every dim, ones for batch and channels */
    CHECK(conv(&t, UP_LINEAR_SIZE("upsample_linear1d", 0, "1,2,4", "1,2,6", 6), 8) == OX_OK);
    if (t.onnx) {
        ox_attr *a = ox_node_attr(out_node(&t), "scales");
        CHECK(a && a->n == 3 && a->v.fs[2] == 1.5);
    }
    tg_free(&t);
    CHECK(conv(&t, UP_NEAREST_SIZE("upsample_nearest3d", "1,1,2,3,4", "1,1,4,3,2", 4, 3, 2), 8) == OX_OK);
    if (t.onnx) {
        ox_attr *a = ox_node_attr(out_node(&t), "scales");
        CHECK(a && a->n == 5 && a->v.fs[2] == 2.0 && a->v.fs[3] == 1.0 && a->v.fs[4] == 0.5);
        CHECK_STR(attr_s(out_node(&t), "mode"), "nearest");
    }
    tg_free(&t);
}

static void test_size_9_10(void)
{
    for (int opset = 9; opset <= 10; opset++) {
        tg t;
        CHECK(conv(&t, BILINEAR_SIZE, opset) == OX_OK);
        if (t.onnx) {
            CHECK_STR(tg_kinds(t.onnx), opset == 9 ? "Constant,Upsample" : "Constant,Resize");
            ox_node *u = out_node(&t);
            CHECK(CONST_IN(u, 1, OX_FLOAT, 1.0, 1.0, 2.0, 3.0));
            CHECK_STR(attr_s(u, "mode"), "linear");
        }
        tg_free(&t);
    }
}

static void test_size_11_13(void)
{
    int opsets[] = {11, 13};
    for (int k = 0; k < 2; k++) {
        tg t;
        CHECK(conv(&t, BILINEAR_SIZE, opsets[k]) == OX_OK);
        if (t.onnx) {
            ox_node *r = out_node(&t);
            check_resize11(r, "half_pixel", "linear");
            CHECK_EQ_INT(r->ninputs, 4);
            if (opsets[k] >= 13) CHECK(none_in(r, 1) && none_in(r, 2));
            else CHECK(empty_float_in(r, 1) && empty_float_in(r, 2) && r->inputs[1] != r->inputs[2]);
            /* sizes = Concat(Shape(x)[0:2], Cast(output_size, int64)) */
            ox_node *cat = r->inputs[3]->node;
            CHECK(ox_node_is(cat, "onnx::Concat") && tg_attr_i(cat, "axis", -1) == 0);
            ox_node *slice = cat->inputs[0]->node, *cast = cat->inputs[1]->node;
            CHECK(ox_node_is(slice, "onnx::Slice") && slice->ninputs == 4);
            CHECK(ox_node_is(slice->inputs[0]->node, "onnx::Shape"));
            CHECK(ox_node_is(cast, "onnx::Cast") && tg_attr_i(cast, "to", -1) == OX_INT64);
            CHECK(ox_node_is(cast->inputs[0]->node, "onnx::Constant"));
            CHECK_STR(tg_kinds(t.onnx), opsets[k] >= 13 ? "Constant,Shape,Constant,Constant,Constant,Slice,Cast,Concat,"
                                                          "prim::Constant,prim::Constant,Resize"
                                                        : "Constant,Shape,Constant,Constant,Constant,Slice,Cast,Concat,"
                                                          "Constant,Constant,Resize");
        }
        tg_free(&t);
    }
}

/* A size computed in the model (recompute_scale_factor=True traces one):
 * scales Cast(size) / Cast(Shape(x)[2:]) before 11, a Cast to int64 from 11. */
static const char *DYN_SIZE = TG_JSON(
    "[" V("x", TG_F32("1,2,4,4")) "," V("n", TG_INT) "]",
    "[" TG_CONST_NONE("none") "," N("prim::ListConstruct", Q("n") "," Q("n"), V("l", TG_INTS)) "," N(
        "aten::upsample_nearest2d", Q("x") "," Q("l") "," Q("none"), V("y", TG_F32("1,2,6,6"))) "]",
    OUT_Y);

static void test_dynamic_size(void)
{
    tg t;
    CHECK(conv(&t, DYN_SIZE, 9) == OX_OK);
    if (t.onnx) {
        ox_node *u = out_node(&t);
        CHECK(ox_node_is(u, "onnx::Upsample"));
        ox_node *cat = u->inputs[1]->node;
        CHECK(ox_node_is(cat, "onnx::Concat") && CONST_IN(cat, 0, OX_FLOAT, 1.0, 1.0));
        ox_node *div = cat->inputs[1]->node;
        CHECK(ox_node_is(div, "onnx::Div"));
        ox_node *dividend = div->inputs[0]->node, *divisor = div->inputs[1]->node;
        CHECK(ox_node_is(dividend, "onnx::Cast") && tg_attr_i(dividend, "to", -1) == OX_FLOAT);
        CHECK(ox_node_is(dividend->inputs[0]->node, "prim::ListConstruct"));
        CHECK(ox_node_is(divisor, "onnx::Cast") && tg_attr_i(divisor, "to", -1) == OX_FLOAT);
        ox_node *slice = divisor->inputs[0]->node;
        CHECK(ox_node_is(slice, "onnx::Slice") && slice->ninputs == 1); /* attribute form at 9 */
        ox_attr *st = ox_node_attr(slice, "starts"), *en = ox_node_attr(slice, "ends");
        CHECK(st && st->n == 1 && st->v.is[0] == 2);
        CHECK(en && en->n == 1 && en->v.is[0] == INT64_MAX);
    }
    tg_free(&t);
    CHECK(conv(&t, DYN_SIZE, 11) == OX_OK);
    if (t.onnx) {
        ox_node *r = out_node(&t);
        check_resize11(r, "asymmetric", "nearest");
        ox_node *cast = r->inputs[3]->node->inputs[1]->node;
        CHECK(ox_node_is(cast, "onnx::Cast") && tg_attr_i(cast, "to", -1) == OX_INT64);
        CHECK(ox_node_is(cast->inputs[0]->node, "prim::ListConstruct"));
    }
    tg_free(&t);
    expect_fail(DYN_SIZE, 8, ONNXIFY_ERR_EXPORTER, "torch._C.Value (output_size) indexing");
}

/* ---- align_corners, modes ----------------------------------------------------- */

static void test_align_corners(void)
{
    const char *ac = UP_LINEAR_SCALES("upsample_bilinear2d", 1, "1,2,4,4", "1,2,8,8", 2.0, 2.0);
    for (int opset = 8; opset <= 10; opset++)
        expect_fail(ac, opset, ONNXIFY_ERR_SYMBOLIC_VALUE,
                    "Unsupported: ONNX export of operator upsample_bilinear2d, align_corners == True");
    int opsets[] = {11, 13};
    for (int k = 0; k < 2; k++) {
        tg t;
        CHECK(conv(&t, ac, opsets[k]) == OX_OK);
        if (t.onnx) check_resize11(out_node(&t), "align_corners", "linear");
        tg_free(&t);
    }
    /* align_corners=False: half_pixel (torch never picks pytorch_half_pixel) */
    tg t;
    CHECK(conv(&t, UP_LINEAR_SCALES("upsample_trilinear3d", 0, "1,2,2,2,2", "1,2,4,4,4", 2.0, 2.0, 2.0), 11) == OX_OK);
    if (t.onnx) {
        check_resize11(out_node(&t), "half_pixel", "linear");
        const double sc[3] = {2.0, 2.0, 2.0};
        CHECK(scales_concat(out_node(&t)->inputs[2], sc, 3));
    }
    tg_free(&t);
}

static void test_bicubic(void)
{
    const char *bc = UP_LINEAR_SIZE("upsample_bicubic2d", 0, "1,2,4,4", "1,2,8,8", 8, 8);
    int opsets[] = {11, 13, 17};
    for (int k = 0; k < 3; k++) {
        tg t;
        CHECK(conv(&t, bc, opsets[k]) == OX_OK);
        if (t.onnx) check_resize11(out_node(&t), "half_pixel", "cubic");
        tg_free(&t);
    }
    tg t;
    CHECK(conv(&t, UP_LINEAR_SCALES("upsample_bicubic2d", 1, "1,2,4,4", "1,2,8,8", 2.0, 2.0), 11) == OX_OK);
    if (t.onnx) check_resize11(out_node(&t), "align_corners", "cubic");
    tg_free(&t);
    for (int opset = 8; opset <= 10; opset++)
        expect_fail(bc, opset, ONNXIFY_ERR_UNSUPPORTED_OPERATOR, "Support for this operator was added in version 11");
}

/* ---- aten::__interpolate -------------------------------------------------------- */

#define INTERP_Y(xshape, size_node, scale_node, mode, ac_node, ytype)                                        \
    TG_JSON("[" V("x", TG_F32(xshape)) "]",                                                                   \
            "[" size_node "," scale_node "," CONST_STR("mode", mode) "," ac_node "," TG_CONST_NONE("rsf") "," \
            TG_CONST_BOOL("aa", 0) "," N("aten::__interpolate",                                               \
                                         Q("x") "," Q("size") "," Q("sf") "," Q("mode") "," Q("ac") "," Q("rsf") "," Q("aa"), \
                                         V("y", ytype)) "]",                                                   \
            OUT_Y)
#define INTERP(xshape, size_node, scale_node, mode, ac_node, yshape) \
    INTERP_Y(xshape, size_node, scale_node, mode, ac_node, TG_F32(yshape))

static void test_interpolate_scale(void)
{
    /* a scalar scale factor, repeated for each spatial dim */
    const char *json = INTERP("1,2,4,4", TG_CONST_NONE("size"), TG_CONST_FLOAT("sf", 2.0), "bilinear",
                              TG_CONST_BOOL("ac", 0), "1,2,8,8");
    tg t;
    CHECK(conv(&t, json, 9) == OX_OK);
    if (t.onnx) {
        CHECK_STR(tg_kinds(t.onnx), "Constant,Constant,Unsqueeze,Cast,Concat,Upsample");
        ox_node *u = out_node(&t);
        CHECK_STR(attr_s(u, "mode"), "linear");
        ox_node *cat = u->inputs[1]->node;
        CHECK(cat->ninputs == 3 && cat->inputs[1] == cat->inputs[2]);
        CHECK(tg_attr_i(cat->inputs[1]->node, "to", -1) == OX_FLOAT);
    }
    tg_free(&t);
    CHECK(conv(&t, json, 10) == OX_OK);
    if (t.onnx) CHECK(ox_node_is(out_node(&t), "onnx::Resize") && out_node(&t)->ninputs == 2);
    tg_free(&t);
    CHECK(conv(&t, json, 13) == OX_OK);
    if (t.onnx) {
        ox_node *r = out_node(&t);
        check_resize11(r, "half_pixel", "linear");
        CHECK(r->ninputs == 3 && none_in(r, 1) && ox_node_is(r->inputs[2]->node, "onnx::Concat"));
    }
    tg_free(&t);
    /* a list of scale factors is concatenated as it is */
    json = INTERP("1,2,4,4", TG_CONST_NONE("size"), CONST_FLOATS("sf", 2.0, 3.0), "nearest", TG_CONST_NONE("ac"),
                  "1,2,8,12");
    CHECK(conv(&t, json, 11) == OX_OK);
    if (t.onnx) {
        const double sc[2] = {2.0, 3.0};
        check_resize11(out_node(&t), "asymmetric", "nearest");
        CHECK(scales_concat(out_node(&t)->inputs[2], sc, 2));
        CHECK(empty_float_in(out_node(&t), 1));
    }
    tg_free(&t);
    expect_fail(json, 8, ONNXIFY_ERR_EXPORTER, "interpolate, dynamic scales in opset 8");
}

static void test_interpolate_size(void)
{
    const char *json = INTERP("1,2,4,4", TG_CONST_INTS("size", 8, 6), TG_CONST_NONE("sf"), "bicubic",
                              TG_CONST_BOOL("ac", 1), "1,2,8,6");
    tg t;
    CHECK(conv(&t, json, 11) == OX_OK);
    if (t.onnx) {
        ox_node *r = out_node(&t);
        check_resize11(r, "align_corners", "cubic");
        CHECK(r->ninputs == 4 && empty_float_in(r, 1) && empty_float_in(r, 2));
        CHECK(ox_node_is(r->inputs[3]->node, "onnx::Concat"));
    }
    tg_free(&t);
    /* before 11: align_corners refused, without naming a value */
    expect_fail(json, 9, ONNXIFY_ERR_EXPORTER, "Unsupported: ONNX export of operator interpolate, align_corners == True");
    expect_fail(json, 8, ONNXIFY_ERR_EXPORTER, "align_corners == True");
    json = INTERP("1,2,4,4", TG_CONST_INTS("size", 8, 6), TG_CONST_NONE("sf"), "nearest", TG_CONST_NONE("ac"),
                  "1,2,8,6");
    CHECK(conv(&t, json, 9) == OX_OK);
    if (t.onnx) {
        CHECK(CONST_IN(out_node(&t), 1, OX_FLOAT, 1.0, 1.0, 2.0, 1.5));
        CHECK_STR(attr_s(out_node(&t), "mode"), "nearest");
    }
    tg_free(&t);
    expect_fail(json, 8, ONNXIFY_ERR_EXPORTER, "interpolate, dynamic size in opset 8");
    /* a scalar size is repeated for each spatial dim */
    json = INTERP("1,2,4,4", TG_CONST_INT("size", 8), TG_CONST_NONE("sf"), "nearest", TG_CONST_NONE("ac"), "1,2,8,8");
    CHECK(conv(&t, json, 13) == OX_OK);
    if (t.onnx) {
        ox_node *cast = out_node(&t)->inputs[3]->node->inputs[1]->node;
        CHECK(ox_node_is(cast, "onnx::Cast"));
        ox_node *cat = cast->inputs[0]->node;
        CHECK(ox_node_is(cat, "onnx::Concat") && cat->ninputs == 2 && cat->inputs[0] == cat->inputs[1]);
        CHECK(ox_node_is(cat->inputs[0]->node, "onnx::Unsqueeze"));
    }
    tg_free(&t);
    CHECK(conv(&t, json, 9) == OX_OK);
    if (t.onnx) CHECK_STR(tg_kinds(t.onnx), "Constant,Unsqueeze,Concat,Constant,Cast,Shape,Slice,Cast,Div,Concat,Upsample");
    tg_free(&t);
    /* neither */
    json = INTERP("1,2,4,4", TG_CONST_NONE("size"), TG_CONST_NONE("sf"), "nearest", TG_CONST_NONE("ac"), "1,2,4,4");
    int opsets[] = {8, 9, 10, 11, 13};
    for (int k = 0; k < 5; k++)
        expect_fail(json, opsets[k], ONNXIFY_ERR_EXPORTER, "Both size and scales are None in __interpolate");
}

/* Results whose traced type says nothing (a scripted F.interpolate) get what
 * ONNX shape inference gives torch: floor(d * scale), or the sizes. */
#define TG_ANY_T "{\"kind\":\"tensor\"}"
static bool has_dims(ox_value *v, ox_dtype dt, const int64_t *dims, int r)
{
    ox_type *t = v->type;
    if (!t || t->kind != OX_TYPE_TENSOR || t->dtype != dt || t->rank != r) return false;
    for (int i = 0; i < r; i++)
        if (t->dims[i] != dims[i]) return false;
    return true;
}

static void test_result_types(void)
{
    const int64_t scaled[4] = {1, 2, 7, 11}, sized[4] = {1, 2, 5, 9};
    const char *sf = INTERP_Y("1,2,5,7", TG_CONST_NONE("size"), CONST_FLOATS("sf", 1.5, 1.6), "nearest",
                              TG_CONST_NONE("ac"), TG_ANY_T);
    const char *sz = INTERP_Y("1,2,5,7", TG_CONST_INTS("size", 5, 9), TG_CONST_NONE("sf"), "bilinear",
                              TG_CONST_BOOL("ac", 0), TG_ANY_T);
    int opsets[] = {9, 10, 11, 13};
    for (int k = 0; k < 4; k++) {
        tg t;
        CHECK(conv(&t, sf, opsets[k]) == OX_OK);
        if (t.onnx) CHECK(has_dims(ox_block_output(t.onnx->top, 0), OX_FLOAT, scaled, 4));
        tg_free(&t);
        CHECK(conv(&t, sz, opsets[k]) == OX_OK);
        if (t.onnx) CHECK(has_dims(ox_block_output(t.onnx->top, 0), OX_FLOAT, sized, 4));
        tg_free(&t);
    }
}

/* ---- bad input never aborts ------------------------------------------------------- */

static void test_bad_input(void)
{
    /* scales that are not constant */
    const char *dyn_scales = TG_JSON(
        "[" V("x", TG_F32("1,2,4,4")) "," V("s", TG_FLOAT) "]",
        "[" TG_CONST_NONE("none") "," N("prim::ListConstruct", Q("s") "," Q("s"), V("l", TG_FLOATS)) "," N(
            "aten::upsample_nearest2d", Q("x") "," Q("none") "," Q("l"), V("y", TG_F32("1,2,8,8"))) "]",
        OUT_Y);
    for (int opset = 8; opset <= 13; opset++)
        expect_fail(dyn_scales, opset, ONNXIFY_ERR_SYMBOLIC_VALUE, "scales that are not a constant list of floats");
    /* a constant output size needs the input's static sizes before opset 11 */
    const char *dyn_input = UP_NEAREST_SIZE("upsample_nearest2d", "1,2,null,null", "1,2,8,8", 8, 8);
    for (int opset = 8; opset <= 10; opset++)
        expect_fail(dyn_input, opset, ONNXIFY_ERR_SYMBOLIC_VALUE, "input size not accessible");
    tg t;
    CHECK(conv(&t, dyn_input, 11) == OX_OK);
    tg_free(&t);
    /* zero-sized input, short output size */
    expect_fail(UP_NEAREST_SIZE("upsample_nearest2d", "1,2,0,4", "1,2,0,8", 8, 8), 9, ONNXIFY_ERR_SYMBOLIC_VALUE,
                "input of size 0");
    expect_fail(UP_NEAREST_SIZE("upsample_nearest2d", "1,2,4,4", "1,2,8,8", 8), 9, ONNXIFY_ERR_SYMBOLIC_VALUE,
                "output_size shorter");
    /* neither size nor scales */
    const char *neither = TG_JSON("[" V("x", TG_F32("1,2,4,4")) "]",
                                  "[" TG_CONST_NONE("none") "," N("aten::upsample_nearest2d", Q("x") "," Q("none") "," Q("none"),
                                                                  V("y", TG_F32("1,2,4,4"))) "]",
                                  OUT_Y);
    for (int opset = 9; opset <= 13; opset++)
        expect_fail(neither, opset, ONNXIFY_ERR_EXPORTER, "neither output_size nor scales given");
    /* too few inputs */
    const char *short_node = TG_JSON("[" V("x", TG_F32("1,2,4,4")) "]",
                                     "[" N("aten::upsample_bilinear2d", Q("x"), V("y", TG_F32("1,2,4,4"))) "]", OUT_Y);
    for (int opset = 8; opset <= 13; opset++) {
        CHECK(conv(&t, short_node, opset) != OX_OK);
        CHECK(t.ctx.message != NULL);
        tg_free(&t);
    }
    const char *short_interp = TG_JSON("[" V("x", TG_F32("1,2,4,4")) "]",
                                       "[" N("aten::__interpolate", Q("x"), V("y", TG_F32("1,2,4,4"))) "]", OUT_Y);
    for (int opset = 8; opset <= 13; opset++) {
        CHECK(conv(&t, short_interp, opset) != OX_OK);
        CHECK(t.ctx.message != NULL);
        tg_free(&t);
    }
    /* a mode that is not a constant string */
    const char *dyn_mode = TG_JSON(
        "[" V("x", TG_F32("1,2,4,4")) "," V("m", "{\"kind\":\"str\"}") "]",
        "[" TG_CONST_NONE("n") "," TG_CONST_FLOAT("sf", 2.0) "," N("aten::__interpolate",
                                                                  Q("x") "," Q("n") "," Q("sf") "," Q("m") "," Q("n") "," Q("n"),
                                                                  V("y", TG_F32("1,2,8,8"))) "]",
        OUT_Y);
    expect_fail(dyn_mode, 11, ONNXIFY_ERR_SYMBOLIC_VALUE, "non-constant mode");
    /* unknown rank */
#define TG_F32_UNRANKED "{\"kind\":\"tensor\",\"dtype\":\"float32\"}"
    const char *unranked = TG_JSON(
        "[" V("x", TG_F32_UNRANKED) "]",
        "[" TG_CONST_NONE("size") "," TG_CONST_FLOAT("sf", 2.0) "," CONST_STR("mode", "nearest") "," TG_CONST_NONE("ac") "," N(
            "aten::__interpolate", Q("x") "," Q("size") "," Q("sf") "," Q("mode") "," Q("ac") "," Q("ac"),
            V("y", TG_F32_UNRANKED)) "]",
        OUT_Y);
    expect_fail(unranked, 9, ONNXIFY_ERR_EXPORTER, "interpolate, missing input shape");
    expect_fail(unranked, 11, ONNXIFY_ERR_EXPORTER, "interpolate (with scales), missing input shape");
    const char *unranked_up = TG_JSON(
        "[" V("x", TG_F32_UNRANKED) "]",
        "[" TG_CONST_NONE("none") "," TG_CONST_INTS("size", 8, 8) "," N("aten::upsample_nearest2d", Q("x") "," Q("size") "," Q("none"),
                                                                        V("y", TG_F32_UNRANKED)) "]",
        OUT_Y);
    expect_fail(unranked_up, 9, ONNXIFY_ERR_SYMBOLIC_VALUE, "input size not accessible");
    CHECK(conv(&t, unranked_up, 11) == OX_OK);
    tg_free(&t);
}

/* Warnings: torch warns that Upsample/Resize before opset 11 may not match. */
static int warnings_seen;
static void count_warning(void *user, onnxify_log_level level, const char *msg)
{
    (void)user;
    if (level == ONNXIFY_LOG_WARNING && strstr(msg, "We recommend using opset 11 and above")) warnings_seen++;
}

static void test_warning_before_11(void)
{
    int opsets[] = {9, 10, 11};
    for (int k = 0; k < 3; k++) {
        tg t;
        tg_init(&t);
        t.ctx.log = count_warning;
        warnings_seen = 0;
        CHECK(tg_convert(&t, NEAREST_SF, opsets[k]) == OX_OK);
        CHECK_EQ_INT(warnings_seen, opsets[k] < 11 ? 1 : 0);
        tg_free(&t);
    }
}

static const ox_test_case tests[] = {
    {"nearest_scales_9_10", test_nearest_scales_9_10},
    {"nearest_scales_11_13", test_nearest_scales_11_13},
    {"nearest_scales_8_refused", test_nearest_scales_8_refused},
    {"size_8", test_size_8},
    {"size_9_10", test_size_9_10},
    {"size_11_13", test_size_11_13},
    {"dynamic_size", test_dynamic_size},
    {"align_corners", test_align_corners},
    {"bicubic", test_bicubic},
    {"interpolate_scale", test_interpolate_scale},
    {"interpolate_size", test_interpolate_size},
    {"result_types", test_result_types},
    {"bad_input", test_bad_input},
    {"warning_before_11", test_warning_before_11},
};

OX_TEST_MAIN(tests)
