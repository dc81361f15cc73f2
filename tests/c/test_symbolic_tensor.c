/* Tensor-creation and cast symbolics (src/symbolic/tensor.c): the ONNX node
 * kinds, attributes and inputs each op lowers to, per opset, as torch's
 * exporter emits them. */
#include <stdlib.h>

#include "graph_util.h"
#include "symbolic/helpers.h"
#include "test.h"

/* ---- JSON fragments ------------------------------------------------------ */

#define Q(s) "\"" s "\""
#define V(name, type) "{\"name\":\"" name "\",\"type\":" type "}"
#define N(kind, ins, outs) "{\"kind\":\"" kind "\",\"inputs\":[" ins "],\"outputs\":[" outs "]}"
#define TG_I32(shape) "{\"kind\":\"tensor\",\"dtype\":\"int32\",\"shape\":[" shape "]}"
#define TG_F64(shape) "{\"kind\":\"tensor\",\"dtype\":\"float64\",\"shape\":[" shape "]}"
#define TG_BOOLT(shape) "{\"kind\":\"tensor\",\"dtype\":\"bool\",\"shape\":[" shape "]}"
#define TG_DEVICE "{\"kind\":\"device\"}"
#define CONST_DEVICE(name) \
    "{\"kind\":\"prim::Constant\",\"inputs\":[],\"outputs\":[" V(name, TG_DEVICE) "],\"attributes\":[{\"name\":\"value\",\"kind\":\"s\",\"value\":\"cpu\"}]}"
/* float32 [3] constant {1, 2, 3} */
#define CONST_F32_123(name)                                                                                      \
    "{\"kind\":\"prim::Constant\",\"inputs\":[],\"outputs\":[" V(name, TG_F32("3")) "],\"attributes\":[{\"name\":" \
    "\"value\",\"kind\":\"t\",\"value\":{\"dtype\":\"float32\",\"shape\":[3],\"data\":\"AACAPwAAAEAAAEBA\"}}]}"
#define OUT_Y "[" Q("y") "]"
/* The usual trailing creation arguments: layout, device, pin_memory as None / cpu / false. */
#define TAIL_CONSTS TG_CONST_NONE("lay") "," CONST_DEVICE("dev") "," TG_CONST_BOOL("pin", 0) ","
#define TAIL Q("lay") "," Q("dev") "," Q("pin")

/* ---- inspection helpers -------------------------------------------------- */

static ox_node *out_node(tg *t, int i) { return ox_block_output(t->onnx->top, i)->node; }

static bool is_graph_input(tg *t, ox_value *v, int i) { return v == ox_block_input(t->onnx->top, i); }

static bool const_input(ox_node *n, int i, int rank, const int64_t *vals, int count)
{
    if (!n || i >= n->ninputs || !ox_node_is(n->inputs[i]->node, "onnx::Constant")) return false;
    const ox_tensor *t = ox_value_const_tensor(n->inputs[i]);
    if (!t || t->dtype != OX_INT64 || t->rank != rank || ox_tensor_numel(t) != count) return false;
    for (int k = 0; k < count; k++)
        if (ox_tensor_get_i(t, k) != vals[k]) return false;
    return true;
}

#define CONST_IN(n, i, rank, ...) \
    const_input((n), (i), (rank), (const int64_t[]){__VA_ARGS__}, (int)(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t)))

/* The `value` tensor of a ConstantOfShape / Constant node: one element of `dtype` equal to v. */
static bool value_is(ox_node *n, const char *attr, ox_dtype dtype, double v)
{
    ox_attr *a = n ? ox_node_attr(n, attr) : NULL;
    if (!a || a->kind != OX_ATTR_T) return false;
    const ox_tensor *t = a->v.t;
    return t->dtype == dtype && ox_tensor_numel(t) == 1 && ox_tensor_get_f(t, 0) == v;
}

/* A scalar onnx::Constant input of `dtype` equal to v. */
static bool scalar_in(ox_node *n, int i, ox_dtype dtype, double v)
{
    if (!n || i >= n->ninputs || !ox_node_is(n->inputs[i]->node, "onnx::Constant")) return false;
    const ox_tensor *t = ox_value_const_tensor(n->inputs[i]);
    return t && t->dtype == dtype && t->rank == 0 && ox_tensor_get_f(t, 0) == v;
}

static ox_status conv(tg *t, const char *json, int opset)
{
    tg_init(t);
    return tg_convert(t, json, opset);
}

static void expect_fail(const char *json, int opset, ox_status code, const char *needle)
{
    tg t;
    CHECK_EQ_INT(conv(&t, json, opset), code);
    CHECK_CONTAINS(t.ctx.message, needle);
    tg_free(&t);
}

/* The ops of the graph after DCE must be exactly `kinds`. */
static void expect_kinds(const char *json, int opset, const char *kinds)
{
    tg t;
    CHECK(conv(&t, json, opset) == OX_OK);
    if (t.onnx) CHECK_STR(tg_kinds(t.onnx), kinds);
    tg_free(&t);
}

/* ---- to / _cast_* -------------------------------------------------------- */

/* x.to(torch.int32) as traced: to(self, dtype, non_blocking, copy, memory_format) */
static const char *TO_DTYPE = TG_JSON(
    "[" V("x", TG_F32("2,3")) "]",
    "[" TG_CONST_INT("dt", 3) "," TG_CONST_BOOL("nb", 0) "," TG_CONST_BOOL("cp", 0) "," TG_CONST_NONE("mf") "," N(
        "aten::to", Q("x") "," Q("dt") "," Q("nb") "," Q("cp") "," Q("mf"), V("y", TG_I32("2,3"))) "]",
    OUT_Y);

/* to(self, device, dtype, non_blocking, copy, memory_format) with dtype 11 (bool) and None */
#define TO_DEVICE_DTYPE(dtype_node, out_type)                                                                        \
    TG_JSON("[" V("x", TG_F32("2,3")) "]",                                                                            \
            "[" CONST_DEVICE("dev") "," dtype_node "," TG_CONST_BOOL("nb", 0) "," TG_CONST_BOOL("cp", 0) "," TG_CONST_NONE( \
                "mf") "," N("aten::to", Q("x") "," Q("dev") "," Q("dt") "," Q("nb") "," Q("cp") "," Q("mf"),          \
                            V("y", out_type)) "]",                                                                    \
            OUT_Y)

static void test_to(void)
{
    int opsets[] = {9, 13, 17};
    for (int k = 0; k < 3; k++) {
        tg t;
        CHECK(conv(&t, TO_DTYPE, opsets[k]) == OX_OK);
        if (t.onnx) {
            ox_node *c = out_node(&t, 0);
            CHECK(ox_node_is(c, "onnx::Cast") && tg_attr_i(c, "to", -1) == OX_INT32);
            CHECK(is_graph_input(&t, c->inputs[0], 0));
        }
        tg_free(&t);
    }
    tg t;
    CHECK(conv(&t, TO_DEVICE_DTYPE(TG_CONST_INT("dt", 11), TG_BOOLT("2,3")), 9) == OX_OK);
    if (t.onnx) CHECK(tg_attr_i(out_node(&t, 0), "to", -1) == OX_BOOL);
    tg_free(&t);
    /* dtype None: a device-only call returns the input */
    CHECK(conv(&t, TO_DEVICE_DTYPE(TG_CONST_NONE("dt"), TG_F32("2,3")), 9) == OX_OK);
    if (t.onnx) CHECK(is_graph_input(&t, ox_block_output(t.onnx->top, 0), 0));
    tg_free(&t);
}

static void test_to_other_forms(void)
{
    /* to(self, device, non_blocking, copy, memory_format): device only */
    const char *device_only = TG_JSON(
        "[" V("x", TG_F32("2")) "]",
        "[" CONST_DEVICE("dev") "," TG_CONST_BOOL("nb", 0) "," TG_CONST_BOOL("cp", 0) "," TG_CONST_NONE("mf") "," N(
            "aten::to", Q("x") "," Q("dev") "," Q("nb") "," Q("cp") "," Q("mf"), V("y", TG_F32("2"))) "]",
        OUT_Y);
    tg t;
    CHECK(conv(&t, device_only, 13) == OX_OK);
    if (t.onnx) CHECK(is_graph_input(&t, ox_block_output(t.onnx->top, 0), 0));
    tg_free(&t);
    /* to(self, other, ...): other's dtype */
    const char *other = TG_JSON(
        "[" V("x", TG_F32("2")) "," V("o", TG_I64("5")) "]",
        "[" TG_CONST_BOOL("nb", 0) "," TG_CONST_BOOL("cp", 0) "," TG_CONST_NONE("mf") "," N(
            "aten::to", Q("x") "," Q("o") "," Q("nb") "," Q("cp") "," Q("mf"), V("y", TG_I64("2"))) "]",
        OUT_Y);
    CHECK(conv(&t, other, 13) == OX_OK);
    if (t.onnx) CHECK(tg_attr_i(out_node(&t, 0), "to", -1) == OX_INT64);
    tg_free(&t);
    /* to(self, dtype, layout, device, pin_memory, non_blocking, copy, memory_format) */
    const char *seven = TG_JSON(
        "[" V("x", TG_F32("2")) "]",
        "[" TG_CONST_INT("dt", 7) "," TAIL_CONSTS TG_CONST_BOOL("nb", 0) "," TG_CONST_BOOL("cp", 0) "," TG_CONST_NONE(
            "mf") "," N("aten::to", Q("x") "," Q("dt") "," TAIL "," Q("nb") "," Q("cp") "," Q("mf"),
                        V("y", TG_F64("2"))) "]",
        OUT_Y);
    CHECK(conv(&t, seven, 13) == OX_OK);
    if (t.onnx) CHECK(tg_attr_i(out_node(&t, 0), "to", -1) == OX_DOUBLE);
    tg_free(&t);
    /* a runtime dtype is refused, and so is an unknown signature */
    const char *runtime = TG_JSON(
        "[" V("x", TG_F32("2")) "," V("n", TG_INT) "]",
        "[" CONST_DEVICE("dev") "," TG_CONST_BOOL("nb", 0) "," TG_CONST_BOOL("cp", 0) "," TG_CONST_NONE("mf") "," N(
            "aten::to", Q("x") "," Q("dev") "," Q("n") "," Q("nb") "," Q("cp") "," Q("mf"), V("y", TG_F32("2"))) "]",
        OUT_Y);
    expect_fail(runtime, 13, ONNXIFY_ERR_SYMBOLIC_VALUE, "expected a constant value of the 'dtype' argument");
    const char *short_form = TG_JSON(
        "[" V("x", TG_F32("2")) "]",
        "[" TG_CONST_INT("dt", 6) "," N("aten::to", Q("x") "," Q("dt"), V("y", TG_F32("2"))) "]", OUT_Y);
    expect_fail(short_form, 13, ONNXIFY_ERR_SYMBOLIC_VALUE, "Unknown aten::to signature");
    /* a ScalarType with no ONNX type */
    expect_fail(TO_DEVICE_DTYPE(TG_CONST_INT("dt", 99), TG_F32("2,3")), 9, ONNXIFY_ERR_SYMBOLIC_VALUE,
                "ScalarType 99");
}

static void test_cast_family(void)
{
    struct { const char *op; ox_dtype to; } cases[] = {
        {"aten::_cast_Float", OX_FLOAT}, {"aten::_cast_Long", OX_INT64}, {"aten::_cast_Bool", OX_BOOL},
        {"aten::_cast_Half", OX_FLOAT16}, {"aten::_cast_Byte", OX_UINT8}, {"aten::_cast_Double", OX_DOUBLE},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char json[1024];
        snprintf(json, sizeof json,
                 TG_JSON("[" V("x", TG_I32("4")) "]",
                         "[" TG_CONST_BOOL("nb", 0) ",{\"kind\":\"%s\",\"inputs\":[\"x\",\"nb\"],\"outputs\":[" V(
                             "y", "{\"kind\":\"tensor\"}") "]}]",
                         OUT_Y),
                 cases[k].op);
        tg t;
        CHECK(conv(&t, json, 9) == OX_OK);
        if (t.onnx) {
            ox_node *c = out_node(&t, 0);
            CHECK(ox_node_is(c, "onnx::Cast") && tg_attr_i(c, "to", -1) == cases[k].to);
        }
        tg_free(&t);
    }
}

/* ---- zeros / ones / empty / full ----------------------------------------- */

/* zeros/ones/empty(sizes, dtype, layout, device, pin) with constant sizes. */
#define CREATE(op, dtype_node, out_type)                                                                   \
    TG_JSON("[]",                                                                                          \
            "[" TG_CONST_INTS("sz", 2, 3) "," dtype_node "," TAIL_CONSTS N(op, Q("sz") "," Q("dt") "," TAIL, \
                                                                           V("y", out_type)) "]",          \
            OUT_Y)

static void test_zeros_ones(void)
{
    struct { const char *json; ox_dtype dt; double v; } cases[] = {
        {CREATE("aten::zeros", TG_CONST_NONE("dt"), TG_F32("2,3")), OX_FLOAT, 0},
        {CREATE("aten::ones", TG_CONST_INT("dt", 4), TG_I64("2,3")), OX_INT64, 1},
        {CREATE("aten::empty", TG_CONST_INT("dt", 11), TG_BOOLT("2,3")), OX_BOOL, 0},
        {CREATE("aten::ones", TG_CONST_INT("dt", 5), "{\"kind\":\"tensor\",\"dtype\":\"float16\"}"), OX_FLOAT16, 1},
    };
    int opsets[] = {9, 13, 17};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        for (int o = 0; o < 3; o++) {
            tg t;
            CHECK(conv(&t, cases[k].json, opsets[o]) == OX_OK);
            if (t.onnx) {
                ox_node *c = out_node(&t, 0);
                CHECK(ox_node_is(c, "onnx::ConstantOfShape"));
                CHECK(value_is(c, "value", cases[k].dt, cases[k].v));
                CHECK(CONST_IN(c, 0, 1, 2, 3));
            }
            tg_free(&t);
        }
}

/* zeros(x.size(0), 3): the ListConstruct of runtime sizes is the shape input. */
static const char *ZEROS_DYN = TG_JSON(
    "[" V("x", TG_F32("null,3")) "]",
    "[" TG_CONST_INT("zero", 0) "," N("aten::size", Q("x") "," Q("zero"), V("n", TG_INT)) "," TG_CONST_INT(
        "three", 3) "," N("prim::ListConstruct", Q("n") "," Q("three"), V("sz", TG_INTS)) "," TG_CONST_NONE("dt") "," TAIL_CONSTS
        N("aten::zeros", Q("sz") "," Q("dt") "," TAIL, V("y", TG_F32("null,3"))) "]",
    OUT_Y);

static void test_zeros_dynamic(void)
{
    tg t;
    CHECK(conv(&t, ZEROS_DYN, 13) == OX_OK);
    if (t.onnx) {
        ox_node *c = out_node(&t, 0);
        CHECK(ox_node_is(c, "onnx::ConstantOfShape"));
        CHECK(ox_node_is(c->inputs[0]->node, "prim::ListConstruct"));
        CHECK(value_is(c, "value", OX_FLOAT, 0));
    }
    tg_free(&t);
    /* the full pipeline turns the list into Concat(Unsqueeze(size), [3]) */
    tg_init(&t);
    CHECK(tg_pipeline(&t, ZEROS_DYN, NULL, 0, 13) == OX_OK);
    if (t.onnx) CHECK_STR(tg_kinds(t.onnx), "Shape,Constant,Gather,Constant,Unsqueeze,Constant,Concat,ConstantOfShape");
    tg_free(&t);
}

static void test_zeros_empty_sizes(void)
{
    const char *json = TG_JSON(
        "[]", "[{\"kind\":\"prim::Constant\",\"inputs\":[],\"outputs\":[" V("sz", TG_INTS) "],\"attributes\":[{\"name\":"
              "\"value\",\"kind\":\"is\",\"value\":[]}]}," TG_CONST_NONE("dt") "," TAIL_CONSTS N(
                  "aten::zeros", Q("sz") "," Q("dt") "," TAIL, V("y", TG_F32(""))) "]",
        OUT_Y);
    tg t;
    CHECK(conv(&t, json, 11) == OX_OK);
    if (t.onnx) {
        ox_node *c = out_node(&t, 0);
        CHECK(ox_node_is(c, "onnx::ConstantOfShape"));
        const ox_tensor *s = ox_value_const_tensor(c->inputs[0]);
        CHECK(s && s->dtype == OX_INT64 && s->rank == 1 && s->dims[0] == 0);
    }
    tg_free(&t);
    /* a runtime dtype is refused (torch's parse_args) */
    const char *bad = TG_JSON(
        "[" V("d", TG_INT) "]",
        "[" TG_CONST_INTS("sz", 2) "," TAIL_CONSTS N("aten::zeros", Q("sz") "," Q("d") "," TAIL, V("y", TG_F32("2"))) "]",
        OUT_Y);
    expect_fail(bad, 13, ONNXIFY_ERR_SYMBOLIC_VALUE, "Expected node type 'onnx::Constant' for argument 'dtype'");
}

/* Opset 8: ConstantFill; integer types are filled as float and cast. */
static void test_constant_fill_8(void)
{
    tg t;
    CHECK(conv(&t, CREATE("aten::ones", TG_CONST_INT("dt", 4), TG_I64("2,3")), 8) == OX_OK);
    if (t.onnx) {
        ox_node *c = out_node(&t, 0);
        CHECK(ox_node_is(c, "onnx::Cast") && tg_attr_i(c, "to", -1) == OX_INT64);
        ox_node *f = c->inputs[0]->node;
        CHECK(ox_node_is(f, "onnx::ConstantFill"));
        CHECK_EQ_INT(tg_attr_i(f, "dtype", -1), OX_FLOAT);
        CHECK_EQ_INT(tg_attr_i(f, "input_as_shape", -1), 1);
        ox_attr *a = ox_node_attr(f, "value");
        CHECK(a && a->kind == OX_ATTR_F && a->v.f == 1.0);
        /* attributes in name order */
        CHECK(f->attrs && !strcmp(f->attrs->name, "dtype") && f->attrs->next && f->attrs->next->next &&
              !strcmp(f->attrs->next->next->name, "value"));
    }
    tg_free(&t);
    CHECK(conv(&t, CREATE("aten::zeros", TG_CONST_NONE("dt"), TG_F32("2,3")), 8) == OX_OK);
    if (t.onnx) {
        ox_node *f = out_node(&t, 0);
        CHECK(ox_node_is(f, "onnx::ConstantFill") && tg_attr_i(f, "dtype", -1) == OX_FLOAT);
    }
    tg_free(&t);
    /* opset 7 takes the opset 8 form */
    CHECK(conv(&t, CREATE("aten::empty", TG_CONST_INT("dt", 7), TG_F64("2,3")), 7) == OX_OK);
    if (t.onnx) CHECK(tg_attr_i(out_node(&t, 0), "dtype", -1) == OX_DOUBLE);
    tg_free(&t);
}

static void test_like(void)
{
    const char *json = TG_JSON(
        "[" V("x", TG_I64("2,3")) "]",
        "[" TG_CONST_INT("dt", 4) "," TAIL_CONSTS TG_CONST_NONE("mf") "," N(
            "aten::zeros_like", Q("x") "," Q("dt") "," TAIL "," Q("mf"), V("y", TG_I64("2,3"))) "," TG_CONST_NONE("dn")
            "," N("aten::ones_like", Q("x") "," Q("dn") "," TAIL "," Q("mf"), V("z", TG_F32("2,3"))) "," N(
                "aten::empty_like", Q("x") "," Q("dt") "," TAIL "," Q("mf"), V("w", TG_I64("2,3"))) "]",
        "[" Q("y") "," Q("z") "," Q("w") "]");
    tg t;
    CHECK(conv(&t, json, 13) == OX_OK);
    if (t.onnx) {
        ox_node *z = out_node(&t, 0), *o = out_node(&t, 1), *e = out_node(&t, 2);
        CHECK(ox_node_is(z, "onnx::ConstantOfShape") && value_is(z, "value", OX_INT64, 0));
        CHECK(ox_node_is(z->inputs[0]->node, "onnx::Shape") && is_graph_input(&t, z->inputs[0]->node->inputs[0], 0));
        /* a None dtype is float32, as torch's symbolic has it */
        CHECK(ox_node_is(o, "onnx::ConstantOfShape") && value_is(o, "value", OX_FLOAT, 1));
        CHECK(ox_node_is(e, "onnx::ConstantOfShape") && value_is(e, "value", OX_INT64, 0));
    }
    tg_free(&t);
    CHECK(conv(&t, json, 8) == OX_OK);
    if (t.onnx) {
        ox_node *z = out_node(&t, 0);
        CHECK(ox_node_is(z, "onnx::Cast") && ox_node_is(z->inputs[0]->node, "onnx::ConstantFill"));
        CHECK(ox_node_is(z->inputs[0]->node->inputs[0]->node, "onnx::Shape"));
    }
    tg_free(&t);
}

/* full(sizes, value, dtype, ...) */
#define FULL(value_node, dtype_node, out_type)                                                                        \
    TG_JSON("[" V("x", TG_F32("4")) "]",                                                                              \
            "[" TG_CONST_INTS("sz", 2) "," value_node "," dtype_node "," TAIL_CONSTS N(                               \
                "aten::full", Q("sz") "," Q("v") "," Q("dt") "," TAIL, V("y", out_type)) "]",                        \
            OUT_Y)

static void test_full(void)
{
    tg t;
    /* a constant fill value is the ConstantOfShape value, in dtype */
    CHECK(conv(&t, FULL(TG_CONST_FLOAT("v", 1.5), TG_CONST_NONE("dt"), TG_F32("2")), 9) == OX_OK);
    if (t.onnx) CHECK(value_is(out_node(&t, 0), "value", OX_FLOAT, 1.5));
    tg_free(&t);
    CHECK(conv(&t, FULL(TG_CONST_FLOAT("v", 7.9), TG_CONST_INT("dt", 3), TG_I32("2")), 13) == OX_OK);
    if (t.onnx) CHECK(value_is(out_node(&t, 0), "value", OX_INT32, 7)); /* truncated, as .to(int32) does */
    tg_free(&t);
    CHECK(conv(&t, FULL(TG_CONST_INT("v", 1), TG_CONST_INT("dt", 11), TG_BOOLT("2")), 13) == OX_OK);
    if (t.onnx) CHECK(value_is(out_node(&t, 0), "value", OX_BOOL, 1));
    tg_free(&t);
    /* a runtime fill value: zeros + value */
    const char *runtime = TG_JSON(
        "[" V("v", TG_F32("")) "]",
        "[" TG_CONST_INTS("sz", 2, 2) "," TG_CONST_NONE("dt") "," TAIL_CONSTS N(
            "aten::full", Q("sz") "," Q("v") "," Q("dt") "," TAIL, V("y", TG_F32("2,2"))) "]",
        OUT_Y);
    CHECK(conv(&t, runtime, 9) == OX_OK);
    if (t.onnx) {
        ox_node *add = out_node(&t, 0);
        CHECK(ox_node_is(add, "onnx::Add") && is_graph_input(&t, add->inputs[1], 0));
        CHECK(ox_node_is(add->inputs[0]->node, "onnx::ConstantOfShape") && value_is(add->inputs[0]->node, "value", OX_FLOAT, 0));
    }
    tg_free(&t);
    CHECK(conv(&t, runtime, 8) == OX_OK);
    if (t.onnx) CHECK(ox_node_is(out_node(&t, 0)->inputs[0]->node, "onnx::ConstantFill"));
    tg_free(&t);
    CHECK(conv(&t, FULL(TG_CONST_FLOAT("v", 2.5), TG_CONST_INT("dt", 4), TG_I64("2")), 8) == OX_OK);
    if (t.onnx) {
        ox_node *c = out_node(&t, 0);
        CHECK(ox_node_is(c, "onnx::Cast") && ox_node_is(c->inputs[0]->node, "onnx::ConstantFill"));
        ox_attr *a = ox_node_attr(c->inputs[0]->node, "value");
        CHECK(a && a->kind == OX_ATTR_F && a->v.f == 2.5);
    }
    tg_free(&t);
}

static void test_full_like_fill(void)
{
    /* full_like(x, 3, dtype=int64): Shape -> ConstantOfShape[3] */
    const char *cst = TG_JSON(
        "[" V("x", TG_F32("2,3")) "]",
        "[" TG_CONST_FLOAT("v", 3.7) "," TG_CONST_INT("dt", 4) "," TAIL_CONSTS TG_CONST_NONE("mf") "," N(
            "aten::full_like", Q("x") "," Q("v") "," Q("dt") "," TAIL "," Q("mf"), V("y", TG_I64("2,3"))) "]",
        OUT_Y);
    tg t;
    CHECK(conv(&t, cst, 9) == OX_OK);
    if (t.onnx) {
        ox_node *c = out_node(&t, 0);
        CHECK(ox_node_is(c, "onnx::ConstantOfShape") && value_is(c, "value", OX_INT64, 3));
        CHECK(ox_node_is(c->inputs[0]->node, "onnx::Shape"));
    }
    tg_free(&t);
    CHECK(conv(&t, cst, 8) == OX_OK);
    if (t.onnx) CHECK(ox_node_is(out_node(&t, 0), "onnx::Cast"));
    tg_free(&t);
    /* a runtime fill value is cast to the dtype and added to zeros */
    const char *rt = TG_JSON(
        "[" V("x", TG_F32("2,3")) "," V("v", TG_I64("")) "]",
        "[" TG_CONST_NONE("dt") "," TAIL_CONSTS TG_CONST_NONE("mf") "," N(
            "aten::full_like", Q("x") "," Q("v") "," Q("dt") "," TAIL "," Q("mf"), V("y", TG_F32("2,3"))) "]",
        OUT_Y);
    CHECK(conv(&t, rt, 13) == OX_OK);
    if (t.onnx) {
        ox_node *add = out_node(&t, 0);
        CHECK(ox_node_is(add, "onnx::Add"));
        CHECK(ox_node_is(add->inputs[0]->node, "onnx::ConstantOfShape"));
        CHECK(ox_node_is(add->inputs[1]->node, "onnx::Cast") && tg_attr_i(add->inputs[1]->node, "to", -1) == OX_FLOAT);
    }
    tg_free(&t);
    expect_fail(rt, 8, ONNXIFY_ERR_SYMBOLIC_VALUE, "for argument 'fill_value' of node 'full_like'");
    /* fill_(x, v) keeps x's dtype; zero_(x) too */
    const char *fill = TG_JSON(
        "[" V("x", TG_I64("2,3")) "]",
        "[" TG_CONST_FLOAT("v", 2.5) "," N("aten::fill_", Q("x") "," Q("v"), V("y", TG_I64("2,3"))) "," N(
            "aten::zero_", Q("x"), V("z", TG_I64("2,3"))) "]",
        "[" Q("y") "," Q("z") "]");
    CHECK(conv(&t, fill, 11) == OX_OK);
    if (t.onnx) {
        CHECK(value_is(out_node(&t, 0), "value", OX_INT64, 2));
        CHECK(value_is(out_node(&t, 1), "value", OX_INT64, 0));
        CHECK(ox_node_is(out_node(&t, 1)->inputs[0]->node, "onnx::Shape"));
    }
    tg_free(&t);
}

static void test_new_ops(void)
{
    const char *json = TG_JSON(
        "[" V("x", TG_I64("2")) "]",
        "[" TG_CONST_INTS("sz", 4, 5) "," TG_CONST_INT("dt", 6) "," TAIL_CONSTS TG_CONST_FLOAT("v", 0.5) "," N(
            "aten::new_zeros", Q("x") "," Q("sz") "," Q("dt") "," TAIL, V("a", TG_F32("4,5"))) "," N(
            "aten::new_ones", Q("x") "," Q("sz") "," Q("dt") "," TAIL, V("b", TG_F32("4,5"))) "," N(
            "aten::new_empty", Q("x") "," Q("sz") "," Q("dt") "," TAIL, V("c", TG_F32("4,5"))) "," N(
            "aten::new_full", Q("x") "," Q("sz") "," Q("v") "," Q("dt") "," TAIL, V("d", TG_F32("4,5"))) "]",
        "[" Q("a") "," Q("b") "," Q("c") "," Q("d") "]");
    tg t;
    CHECK(conv(&t, json, 13) == OX_OK);
    if (t.onnx) {
        double want[4] = {0, 1, 0, 0.5};
        for (int i = 0; i < 4; i++) {
            ox_node *c = out_node(&t, i);
            CHECK(ox_node_is(c, "onnx::ConstantOfShape") && value_is(c, "value", OX_FLOAT, want[i]));
            CHECK(CONST_IN(c, 0, 1, 4, 5));
        }
    }
    tg_free(&t);
    /* new_zeros is not registered for opset 8's ConstantFill: opset 9's form */
    CHECK(conv(&t, json, 8) == OX_OK);
    if (t.onnx) CHECK(ox_node_is(out_node(&t, 0), "onnx::ConstantOfShape"));
    tg_free(&t);
}

/* ---- scalar_tensor / tensor ---------------------------------------------- */

static void test_scalar_tensor_and_tensor(void)
{
    const char *json = TG_JSON(
        "[" V("x", TG_F32("null,3")) "]",
        "[" TG_CONST_FLOAT("s", 3) "," TG_CONST_NONE("dn") "," TAIL_CONSTS N(
            "aten::scalar_tensor", Q("s") "," Q("dn") "," TAIL, V("a", TG_F32(""))) "," TG_CONST_INT("zero", 0) "," N(
            "aten::size", Q("x") "," Q("zero"), V("n", TG_INT)) "," TG_CONST_INT("two", 2) "," N(
            "prim::ListConstruct", Q("n") "," Q("two"), V("l", TG_INTS)) "," TG_CONST_INT("dt", 6) "," TG_CONST_BOOL("rg", 0)
            "," N("aten::tensor", Q("l") "," Q("dt") "," Q("dev") "," Q("rg"), V("b", TG_F32("2"))) "," N(
                "aten::tensor", Q("l") "," Q("dn") "," Q("dev") "," Q("rg"), V("c", TG_I64("2"))) "]",
        "[" Q("a") "," Q("b") "," Q("c") "]");
    tg t;
    CHECK(conv(&t, json, 14) == OX_OK);
    if (t.onnx) {
        ox_node *a = out_node(&t, 0);
        CHECK(ox_node_is(a, "onnx::Cast") && tg_attr_i(a, "to", -1) == OX_FLOAT);
        CHECK(scalar_in(a, 0, OX_DOUBLE, 3));
        ox_node *b = out_node(&t, 1);
        CHECK(ox_node_is(b, "onnx::Concat") && b->ninputs == 2 && tg_attr_i(b, "axis", -1) == 0);
        for (int i = 0; b && i < b->ninputs; i++) {
            ox_node *cast = b->inputs[i]->node;
            CHECK(ox_node_is(cast, "onnx::Cast") && tg_attr_i(cast, "to", -1) == OX_FLOAT);
            ox_node *r = cast->inputs[0]->node;
            CHECK(ox_node_is(r, "onnx::Reshape") && CONST_IN(r, 1, 1, 1) && tg_attr_i(r, "allowzero", -1) == 0);
        }
        /* no dtype: the first element's (int64) */
        ox_node *c = out_node(&t, 2);
        CHECK(ox_node_is(c, "onnx::Concat") && tg_attr_i(c->inputs[0]->node, "to", -1) == OX_INT64);
    }
    tg_free(&t);
}

/* ---- arange / _dim_arange / linspace / eye ------------------------------- */

/* arange(x.size(0)) with dtype None / arange(start, end, step, dtype=float) */
static const char *ARANGE = TG_JSON(
    "[" V("x", TG_F32("null,3")) "]",
    "[" TG_CONST_INT("zero", 0) "," N("aten::size", Q("x") "," Q("zero"), V("n", TG_INT)) "," TG_CONST_NONE("dn") "," TAIL_CONSTS
        N("aten::arange", Q("n") "," Q("dn") "," TAIL, V("a", TG_I64("null"))) "]",
    "[" Q("a") "]");

static const char *ARANGE3 = TG_JSON(
    "[" V("x", TG_F32("null,3")) "]",
    "[" TG_CONST_INT("zero", 0) "," N("aten::size", Q("x") "," Q("zero"), V("n", TG_INT)) "," TG_CONST_INT("one", 1) "," TG_CONST_FLOAT(
        "st", 0.5) "," TG_CONST_NONE("dn") "," TAIL_CONSTS
        N("aten::arange", Q("one") "," Q("n") "," Q("st") "," Q("dn") "," TAIL, V("a", TG_F32("null"))) "]",
    "[" Q("a") "]");

static void test_arange_11(void)
{
    tg t;
    CHECK(conv(&t, ARANGE, 11) == OX_OK);
    if (t.onnx) {
        ox_node *r = out_node(&t, 0);
        CHECK(ox_node_is(r, "onnx::Range"));
        CHECK(scalar_in(r, 0, OX_INT64, 0) && scalar_in(r, 2, OX_INT64, 1));
        CHECK(ox_node_is(r->inputs[1]->node, "onnx::Cast") && tg_attr_i(r->inputs[1]->node, "to", -1) == OX_INT64);
    }
    tg_free(&t);
    /* a float step makes the range float32 */
    CHECK(conv(&t, ARANGE3, 13) == OX_OK);
    if (t.onnx) {
        ox_node *r = out_node(&t, 0);
        CHECK(ox_node_is(r, "onnx::Range"));
        for (int i = 0; r && i < 3; i++)
            CHECK(ox_node_is(r->inputs[i]->node, "onnx::Cast") && tg_attr_i(r->inputs[i]->node, "to", -1) == OX_FLOAT);
    }
    tg_free(&t);
}

static void test_arange_9(void)
{
    expect_kinds(ARANGE, 9, "Shape,Constant,Gather,Cast,Unsqueeze,ConstantOfShape,NonZero,Transpose,Squeeze,Cast");
    expect_kinds(ARANGE3, 9,
                 "Shape,Constant,Gather,Constant,Constant,Cast,Cast,Cast,Unsqueeze,Unsqueeze,Unsqueeze,Sub,Div,Ceil,"
                 "Cast,ConstantOfShape,NonZero,Transpose,Squeeze,Mul,Add,Cast");
    tg t;
    CHECK(conv(&t, ARANGE, 9) == OX_OK);
    if (t.onnx) {
        ox_node *cast = out_node(&t, 0);
        CHECK(ox_node_is(cast, "onnx::Cast") && tg_attr_i(cast, "to", -1) == OX_INT64);
        ox_node *sq = cast->inputs[0]->node;
        CHECK(ox_node_is(sq, "onnx::Squeeze") && ox_node_attr(sq, "axes") && ox_node_attr(sq, "axes")->v.is[0] == 1);
        ox_node *tr = sq->inputs[0]->node;
        CHECK(ox_node_is(tr, "onnx::Transpose") && ox_node_is(tr->inputs[0]->node, "onnx::NonZero"));
        ox_node *cos = tr->inputs[0]->node->inputs[0]->node;
        CHECK(ox_node_is(cos, "onnx::ConstantOfShape") && value_is(cos, "value", OX_INT64, 1));
    }
    tg_free(&t);
    /* opsets 7 and 8 refuse arange */
    expect_fail(ARANGE, 8, ONNXIFY_ERR_EXPORTER, "ONNX export failed on arange, which is not implemented for opset 8");
    expect_fail(ARANGE, 7, ONNXIFY_ERR_EXPORTER, "not implemented for opset 7");
    const char *three = TG_JSON("[" V("n", TG_I64("")) "]",
                                "[" TG_CONST_INT("a", 1) "," N("aten::arange", Q("n") "," Q("a") "," Q("a"),
                                                              V("y", TG_I64("null"))) "]",
                                OUT_Y);
    expect_fail(three, 11, ONNXIFY_ERR_EXPORTER, "Unsupported: ONNX export of operator aten::arange, with 3 arguments");
}

static void test_dim_arange_linspace(void)
{
    const char *da = TG_JSON("[" V("x", TG_F32("null,3")) "]",
                             "[" TG_CONST_INT("d", 0) "," N("aten::_dim_arange", Q("x") "," Q("d"), V("y", TG_I64("null"))) "]",
                             OUT_Y);
    expect_kinds(da, 11, "Shape,Constant,Gather,Cast,Constant,Constant,Range");
    const char *lin = TG_JSON(
        "[" V("x", TG_F32("null,3")) "]",
        "[" TG_CONST_INT("zero", 0) "," N("aten::size", Q("x") "," Q("zero"), V("n", TG_INT)) "," TG_CONST_FLOAT(
            "s", 0.5) "," TG_CONST_INT("steps", 5) "," TG_CONST_NONE("dn") "," TAIL_CONSTS
            N("aten::linspace", Q("s") "," Q("n") "," Q("steps") "," Q("dn") "," TAIL, V("y", TG_F32("5"))) "]",
        OUT_Y);
    /* end - start has mixed types: both sides go through float before Div */
    expect_kinds(lin, 11,
                 "Shape,Constant,Gather,Constant,Constant,Cast,Constant,Constant,Range,Sub,Constant,Sub,Cast,Cast,"
                 "Div,Mul,Add");
    tg t;
    CHECK(conv(&t, lin, 9) == OX_OK);
    if (t.onnx) CHECK(tg_count(t.onnx, "onnx::NonZero") == 1 && tg_count(t.onnx, "onnx::Range") == 0);
    tg_free(&t);
}

static void test_eye(void)
{
    const char *json = TG_JSON(
        "[]",
        "[" TG_CONST_INT("n", 3) "," TG_CONST_INT("m", 4) "," TG_CONST_INT("dt", 4) "," TAIL_CONSTS N(
            "aten::eye", Q("n") "," Q("dt") "," TAIL, V("a", TG_I64("3,3"))) "," N(
            "aten::eye", Q("n") "," Q("m") "," Q("dt") "," TAIL, V("b", TG_I64("3,4"))) "]",
        "[" Q("a") "," Q("b") "]");
    tg t;
    CHECK(conv(&t, json, 13) == OX_OK);
    if (t.onnx) {
        for (int i = 0; i < 2; i++) {
            ox_node *e = out_node(&t, i);
            CHECK(ox_node_is(e, "onnx::EyeLike"));
            ox_node *z = e->inputs[0]->node;
            CHECK(ox_node_is(z, "onnx::ConstantOfShape") && value_is(z, "value", OX_INT64, 0));
            ox_node *cat = z->inputs[0]->node;
            CHECK(ox_node_is(cat, "onnx::Concat") && cat->ninputs == 2);
            CHECK(ox_node_is(cat->inputs[0]->node, "onnx::Unsqueeze") && ox_node_is(cat->inputs[1]->node, "onnx::Unsqueeze"));
            CHECK((cat->inputs[0] == cat->inputs[1]) == (i == 0)); /* eye(n): one Unsqueeze used twice */
        }
    }
    tg_free(&t);
    const char *bad = TG_JSON("[]", "[" TG_CONST_INT("n", 3) "," N("aten::eye", Q("n"), V("y", TG_F32("3,3"))) "]", OUT_Y);
    expect_fail(bad, 13, ONNXIFY_ERR_EXPORTER, "aten::eye, with 1 arguments");
}

/* ---- identities and the registry ----------------------------------------- */

static void test_identities(void)
{
    const char *json = TG_JSON(
        "[" V("x", TG_F32("2")) "]",
        "[" TG_CONST_NONE("mf") "," N("aten::clone", Q("x") "," Q("mf"), V("a", TG_F32("2"))) "," N(
            "aten::detach", Q("a"), V("b", TG_F32("2"))) "," N("aten::alias", Q("b"), V("c", TG_F32("2"))) "," N(
            "aten::lift", Q("c"), V("d", TG_F32("2"))) "," N("aten::detach_", Q("d"), V("e", TG_F32("2"))) "," N(
            "aten::relu", Q("e"), V("y", TG_F32("2"))) "]",
        OUT_Y);
    tg t;
    CHECK(conv(&t, json, 13) == OX_OK);
    if (t.onnx) {
        ox_node *r = out_node(&t, 0);
        CHECK(ox_node_is(r, "onnx::Relu") && is_graph_input(&t, r->inputs[0], 0));
    }
    tg_free(&t);
}

/* prim::dtype (x.dtype), prim::device (x.device) and aten::list(l) (prim.c). */
static void test_prim_dtype_device_list(void)
{
    tg t;
    tg_init(&t);
    const char *dt = TG_JSON("[" V("x", TG_I32("2")) "]", "[" N("prim::dtype", Q("x"), V("y", TG_INT)) "]", OUT_Y);
    CHECK(tg_convert(&t, dt, 13) == OX_OK);
    if (t.onnx) {
        ox_node *c = out_node(&t, 0);
        const ox_tensor *v = ox_node_is(c, "onnx::Constant") ? ox_value_const_tensor(c->outputs[0]) : NULL;
        CHECK(v && v->dtype == OX_INT64 && v->rank == 0 && ox_tensor_get_i(v, 0) == 3); /* Int */
    }
    tg_free(&t);
    /* unknown dtype: Float (6) */
    tg_init(&t);
    dt = TG_JSON("[" V("x", "{\"kind\":\"tensor\"}") "]", "[" N("prim::dtype", Q("x"), V("y", TG_INT)) "]", OUT_Y);
    CHECK(tg_convert(&t, dt, 9) == OX_OK);
    if (t.onnx) CHECK(ox_tensor_get_i(ox_value_const_tensor(ox_block_output(t.onnx->top, 0)), 0) == 6);
    tg_free(&t);

    /* a Device-typed prim::device is kept; the device-only aten::to drops it */
    tg_init(&t);
    const char *dev = TG_JSON(
        "[" V("x", TG_F32("2")) "]",
        "[" N("prim::device", Q("x"), V("d", TG_DEVICE)) ","                                 /* x.device */
        TG_CONST_BOOL("nb", 0) "," TG_CONST_BOOL("cp", 0) "," TG_CONST_NONE("mf") "," TG_CONST_NONE("dt") ","
        N("aten::to", Q("x") "," Q("d") "," Q("dt") "," Q("nb") "," Q("cp") "," Q("mf"), V("y", TG_F32("2"))) "]",
        OUT_Y);
    CHECK(tg_convert(&t, dev, 13) == OX_OK);
    if (t.onnx) CHECK(is_graph_input(&t, ox_block_output(t.onnx->top, 0), 0));
    tg_free(&t);
    tg_init(&t);
    const char *kept = TG_JSON("[" V("x", TG_F32("2")) "]", "[" N("prim::device", Q("x"), V("d", TG_DEVICE)) "]", "[" Q("d") "]");
    CHECK(tg_convert(&t, kept, 13) == OX_OK);
    if (t.onnx) CHECK(ox_node_is(out_node(&t, 0), "prim::device"));
    tg_free(&t);
    /* any other output type is refused, as torch does */
    tg_init(&t);
    const char *bad = TG_JSON("[" V("x", TG_F32("2")) "]", "[" N("prim::device", Q("x"), V("d", TG_INT)) "]", "[" Q("d") "]");
    CHECK_EQ_INT(tg_convert(&t, bad, 13), ONNXIFY_ERR_SYMBOLIC_VALUE);
    CHECK_CONTAINS(t.ctx.message, "Unsupported: ONNX export of operator prim::device, output type should be "
                                  "'DeviceObjType', not 'TensorType'");
    tg_free(&t);

    /* aten::list: the list itself */
    tg_init(&t);
    const char *lst = TG_JSON(
        "[" V("a", TG_F32("2")) "," V("b", TG_F32("3")) "]",
        "[" N("prim::ListConstruct", Q("a") "," Q("b"), V("l", "{\"kind\":\"list\",\"elem\":{\"kind\":\"tensor\"}}")) "," N(
            "aten::list", Q("l"), V("m", "{\"kind\":\"list\",\"elem\":{\"kind\":\"tensor\"}}")) "," TG_CONST_INT("d", 0) "," N(
            "aten::cat", Q("m") "," Q("d"), V("y", TG_F32("5"))) "]",
        OUT_Y);
    CHECK(tg_convert(&t, lst, 13) == OX_OK);
    if (t.onnx) {
        ox_node *c = out_node(&t, 0);
        CHECK(ox_node_is(c, "onnx::Concat") && c->ninputs == 2 && is_graph_input(&t, c->inputs[1], 1));
    }
    tg_free(&t);
}

static void test_registry(void)
{
    CHECK(ox_symbolic_lookup("aten::zeros", 8) != ox_symbolic_lookup("aten::zeros", 9));
    CHECK(ox_symbolic_lookup("aten::zeros", 7) == ox_symbolic_lookup("aten::zeros", 8));
    CHECK(ox_symbolic_lookup("aten::zeros", 17) == ox_symbolic_lookup("aten::zeros", 9));
    CHECK(ox_symbolic_lookup("aten::arange", 10) != ox_symbolic_lookup("aten::arange", 8));
    CHECK_EQ_INT(ox_symbolic_first_opset("aten::arange"), 8);
    CHECK_EQ_INT(ox_symbolic_first_opset("aten::new_zeros"), 9);
    CHECK_EQ_INT(ox_symbolic_first_opset("aten::_cast_BFloat16"), 9);
    CHECK(ox_symbolic_lookup("aten::lift_fresh", 13) == NULL); /* torch has no symbolic for it either */
}

static const ox_test_case tests[] = {
    {"to", test_to},
    {"to_other_forms", test_to_other_forms},
    {"cast_family", test_cast_family},
    {"zeros_ones", test_zeros_ones},
    {"zeros_dynamic", test_zeros_dynamic},
    {"zeros_empty_sizes", test_zeros_empty_sizes},
    {"constant_fill_8", test_constant_fill_8},
    {"like", test_like},
    {"full", test_full},
    {"full_like_fill", test_full_like_fill},
    {"new_ops", test_new_ops},
    {"scalar_tensor_and_tensor", test_scalar_tensor_and_tensor},
    {"arange_11", test_arange_11},
    {"arange_9", test_arange_9},
    {"dim_arange_linspace", test_dim_arange_linspace},
    {"eye", test_eye},
    {"identities", test_identities},
    {"prim_dtype_device_list", test_prim_dtype_device_list},
    {"registry", test_registry},
};

OX_TEST_MAIN(tests)
