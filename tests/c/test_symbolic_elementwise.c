/* Symbolics of src/symbolic/elementwise.c (arithmetic, division modes,
 * clamp, comparisons, logic, where/masked_fill) and src/symbolic/reduce.c
 * (sum/mean/prod, amax, max/min, argmax, var/std), at the opsets where
 * their ONNX form changes. The node sequences are those torch 1.13 emits. */
#include "graph_util.h"
#include "symbolic/symbolic.h"
#include "test.h"

#define V(name, type) "{\"name\":\"" name "\",\"type\":" type "}"
#define NODE(kind, ins, outs) "{\"kind\":\"" kind "\",\"inputs\":[" ins "],\"outputs\":[" outs "]}"
#define TG_I32(shape) "{\"kind\":\"tensor\",\"dtype\":\"int32\",\"shape\":[" shape "]}"
#define TG_U8(shape) "{\"kind\":\"tensor\",\"dtype\":\"uint8\",\"shape\":[" shape "]}"
#define TG_B(shape) "{\"kind\":\"tensor\",\"dtype\":\"bool\",\"shape\":[" shape "]}"
#define TG_ANY "{\"kind\":\"tensor\"}"
#define CONST_STR(name, v)                                                                                   \
    "{\"kind\":\"prim::Constant\",\"inputs\":[],\"outputs\":[{\"name\":\"" name "\",\"type\":{\"kind\":\"str\"}}]," \
    "\"attributes\":[{\"name\":\"value\",\"kind\":\"s\",\"value\":\"" v "\"}]}"

/* One op on inputs a (and b): "a" and "b" are graph inputs, `consts` are
 * prim::Constant nodes before the op. */
#define UNARY_G(atype, consts, kind, ins, ytype) \
    TG_JSON("[" V("a", atype) "]", "[" consts NODE(kind, ins, V("y", ytype)) "]", "[\"y\"]")
#define BINARY_G(atype, btype, consts, kind, ins, ytype) \
    TG_JSON("[" V("a", atype) "," V("b", btype) "]", "[" consts NODE(kind, ins, V("y", ytype)) "]", "[\"y\"]")

/* Converts `json` at `opset` and returns the node kinds ("ERROR" on failure). */
static const char *convert(tg *t, const char *json, int opset)
{
    tg_init(t);
    if (tg_convert(t, json, opset) != OX_OK || !t->onnx) return "ERROR";
    return tg_kinds(t->onnx);
}

/* The same after scalar_type_analysis. */
static const char *convert_sta(tg *t, const char *json, int opset)
{
    tg_init(t);
    if (tg_convert(t, json, opset) != OX_OK || !t->onnx) return "ERROR";
    if (ox_pass_scalar_type_analysis(t->onnx, opset, NULL) != OX_OK) return "ERROR";
    return tg_kinds(t->onnx);
}

/* The status of a conversion expected to fail; its message in *msg. */
static ox_status convert_error(tg *t, const char *json, int opset)
{
    tg_init(t);
    ox_graph_description d;
    ox_status st = ox_read_graph_description(&t->ctx, json, strlen(json), NULL, 0, &d);
    if (st != OX_OK) return OX_OK; /* a reader error is not what we test */
    t->torch = d.graph;
    ox_export_settings s = tg_settings(opset, false);
    t->ctx.opset = opset;
    if ((st = ox_pass_erase_number_types(t->torch, NULL)) != OX_OK) return st;
    return ox_pass_to_onnx(t->torch, &s, &t->onnx);
}

static ox_node *nth(ox_graph *g, const char *kind, int i) { return tg_find(g, kind, i); }

static const ox_tensor *const_of(ox_value *v)
{
    return ox_node_is(v->node, "onnx::Constant") ? ox_value_const_tensor(v) : NULL;
}

static double attr_f(ox_node *n, const char *name)
{
    ox_attr *a = n ? ox_node_attr(n, name) : NULL;
    return a && a->kind == OX_ATTR_F ? a->v.f : -12345.0;
}

static int64_t attr_i(ox_node *n, const char *name) { return n ? tg_attr_i(n, name, -12345) : -12345; }

/* ---- add, sub, mul ------------------------------------------------------ */

#define ADD_G(alpha) \
    BINARY_G(TG_F32("2,3"), TG_F32("2,3"), TG_CONST_INT("one", 1) "," TG_CONST_INT("alpha", alpha) ",", "aten::add", \
             "\"a\",\"one\",\"alpha\"", TG_F32("2,3"))

static void test_add_scalar_then_type_analysis(void)
{
    tg t;
    CHECK_STR(convert(&t, ADD_G(1), 13), "Constant,Add");
    ox_node *add = t.onnx ? nth(t.onnx, "onnx::Add", 0) : NULL;
    if (add) {
        const ox_tensor *c = const_of(add->inputs[1]);
        CHECK(c && c->dtype == OX_INT64 && c->rank == 0);
        CHECK(add->inputs[0] == ox_block_input(t.onnx->top, 0));
    }
    tg_free(&t);

    /* scalar_type_analysis gives the constant x's type */
    CHECK_STR(convert_sta(&t, ADD_G(1), 13), "Constant,Add");
    add = t.onnx ? nth(t.onnx, "onnx::Add", 0) : NULL;
    if (add) {
        const ox_tensor *c = const_of(add->inputs[1]);
        CHECK(c && c->dtype == OX_FLOAT && c->rank == 0 && ox_tensor_get_f(c, 0) == 1.0);
    }
    tg_free(&t);
}

static void test_add_alpha(void)
{
    tg t;
    CHECK_STR(convert(&t, ADD_G(2), 9), "Constant,Constant,Mul,Add");
    ox_node *mul = t.onnx ? nth(t.onnx, "onnx::Mul", 0) : NULL, *add = t.onnx ? nth(t.onnx, "onnx::Add", 0) : NULL;
    if (mul && add) {
        CHECK(add->inputs[1] == mul->outputs[0]);
        const ox_tensor *a = const_of(mul->inputs[1]);
        CHECK(a && ox_tensor_get_i(a, 0) == 2);
    }
    tg_free(&t);
}

static void test_rsub(void)
{
    tg t;
    const char *json = BINARY_G(TG_F32("2"), TG_F32("2"), TG_CONST_INT("one", 1) ",", "aten::rsub",
                                "\"a\",\"b\",\"one\"", TG_F32("2"));
    CHECK_STR(convert(&t, json, 13), "Sub");
    ox_node *sub = t.onnx ? nth(t.onnx, "onnx::Sub", 0) : NULL;
    if (sub) {
        CHECK(sub->inputs[0] == ox_block_input(t.onnx->top, 1));
        CHECK(sub->inputs[1] == ox_block_input(t.onnx->top, 0));
    }
    tg_free(&t);
}

static void test_mul_bool_is_and(void)
{
    tg t;
    CHECK_STR(convert(&t, BINARY_G(TG_B("2"), TG_B("2"), "", "aten::mul", "\"a\",\"b\"", TG_B("2")), 13), "And");
    tg_free(&t);
    CHECK_STR(convert(&t, BINARY_G(TG_F32("2"), TG_F32("2"), "", "aten::mul", "\"a\",\"b\"", TG_F32("2")), 13), "Mul");
    tg_free(&t);
}

static void test_add_tensor_list_opset9(void)
{
    tg t;
    const char *json = TG_JSON("[" V("a", "{\"kind\":\"list\",\"elem\":{\"kind\":\"tensor\"}}") "," V("b", TG_F32("2")) "]",
                               "[" TG_CONST_INT("one", 1) "," NODE("prim::ListConstruct", "\"b\"",
                                   V("l", "{\"kind\":\"list\",\"elem\":{\"kind\":\"tensor\"}}")) ","
                               NODE("aten::add", "\"a\",\"l\"", V("y", "{\"kind\":\"list\",\"elem\":{\"kind\":\"tensor\"}}")) "]",
                               "[\"y\"]");
    CHECK_EQ_INT(convert_error(&t, json, 9), ONNXIFY_ERR_SYMBOLIC_VALUE);
    CHECK_CONTAINS(t.ctx.message, "Add between list of tensors not supported. Please try opset version 11.");
    tg_free(&t);
    CHECK_STR(convert(&t, json, 11), "SequenceInsert");
    tg_free(&t);
}

/* ---- division ----------------------------------------------------------- */

#define DIV_G(atype, btype, ytype, mode)                                                                  \
    BINARY_G(atype, btype, CONST_STR("mode", mode) ",", "aten::div", "\"a\",\"b\",\"mode\"", ytype)

static void test_div_true(void)
{
    tg t;
    CHECK_STR(convert(&t, BINARY_G(TG_F32("2"), TG_F32("2"), "", "aten::div", "\"a\",\"b\"", TG_F32("2")), 9), "Div");
    tg_free(&t);
    /* integer true division is computed in float */
    CHECK_STR(convert(&t, BINARY_G(TG_I64("2"), TG_I64("2"), "", "aten::div", "\"a\",\"b\"", TG_F32("2")), 9),
              "Cast,Cast,Div");
    if (t.onnx) CHECK_EQ_INT(attr_i(nth(t.onnx, "onnx::Cast", 1), "to"), OX_FLOAT);
    tg_free(&t);
}

static void test_div_floor(void)
{
    tg t;
    CHECK_STR(convert(&t, DIV_G(TG_I64("2"), TG_I64("2"), TG_I64("2"), "floor"), 9),
              "Div,Constant,Less,Less,Xor,Mul,Sub,Equal,Not,And,Constant,Mul,Sub");
    tg_free(&t);
    CHECK_STR(convert(&t, DIV_G(TG_I64("2"), TG_I64("2"), TG_I64("2"), "floor"), 10),
              "Div,Constant,Less,Less,Xor,Mod,Equal,Not,And,Constant,Sub,Where");
    if (t.onnx) CHECK_EQ_INT(attr_i(nth(t.onnx, "onnx::Mod", 0), "fmod"), 0);
    tg_free(&t);
    CHECK_STR(convert(&t, DIV_G(TG_F32("2"), TG_F32("2"), TG_F32("2"), "floor"), 13), "Div,Floor");
    tg_free(&t);
    /* after scalar_type_analysis (as torch's export): each comparison gets its
     * own zero and the bool mask is cast to int64 for the Mul */
    CHECK_STR(convert_sta(&t, DIV_G(TG_I64("2"), TG_I64("2"), TG_I64("2"), "floor"), 9),
              "Div,Constant,Less,Constant,Less,Xor,Mul,Sub,Constant,Equal,Not,And,Cast,Constant,Mul,Sub");
    tg_free(&t);
}

static void test_div_trunc(void)
{
    tg t;
    CHECK_STR(convert(&t, DIV_G(TG_F32("2"), TG_F32("2"), TG_F32("2"), "trunc"), 13), "Div,Cast,Cast");
    if (t.onnx) {
        CHECK_EQ_INT(attr_i(nth(t.onnx, "onnx::Cast", 0), "to"), OX_INT64);
        CHECK_EQ_INT(attr_i(nth(t.onnx, "onnx::Cast", 1), "to"), OX_FLOAT);
    }
    tg_free(&t);
    /* an integer self with a float other gives float */
    CHECK_STR(convert(&t, DIV_G(TG_I32("2"), TG_F32("2"), TG_F32("2"), "trunc"), 13), "Div,Cast,Cast");
    if (t.onnx) CHECK_EQ_INT(attr_i(nth(t.onnx, "onnx::Cast", 1), "to"), OX_FLOAT);
    tg_free(&t);
    CHECK_STR(convert(&t, DIV_G(TG_I32("2"), TG_I32("2"), TG_I32("2"), "trunc"), 13), "Div,Cast,Cast");
    if (t.onnx) CHECK_EQ_INT(attr_i(nth(t.onnx, "onnx::Cast", 1), "to"), OX_INT32);
    tg_free(&t);
}

static void test_div_bad_rounding_mode(void)
{
    tg t;
    CHECK_EQ_INT(convert_error(&t, DIV_G(TG_F32("2"), TG_F32("2"), TG_F32("2"), "round"), 13),
                 ONNXIFY_ERR_SYMBOLIC_VALUE);
    CHECK_CONTAINS(t.ctx.message, "Unsupported rounding mode: \"round\". Expected None, \"floor\" or \"trunc\"");
    tg_free(&t);
}

static void test_floor_divide_truncates(void)
{
    tg t;
    CHECK_STR(convert(&t, BINARY_G(TG_I64("2"), TG_I64("2"), "", "aten::floor_divide", "\"a\",\"b\"", TG_I64("2")), 13),
              "Div,Cast,Cast");
    tg_free(&t);
}

/* remainder: opset 9's floor division whatever the target for floats and
 * before opset 11; Mod(fmod=0) for integers from 11. fmod: Mod(fmod=1) from 10. */
static void test_remainder(void)
{
    tg t;
    const char *ints = BINARY_G(TG_I64("2"), TG_I64("2"), "", "aten::remainder", "\"a\",\"b\"", TG_I64("2"));
    const char *floats = BINARY_G(TG_F32("2"), TG_F32("2"), "", "aten::remainder", "\"a\",\"b\"", TG_F32("2"));
    CHECK_STR(convert(&t, ints, 9), "Div,Constant,Less,Less,Xor,Mul,Sub,Equal,Not,And,Constant,Mul,Sub,Mul,Sub");
    tg_free(&t);
    CHECK_STR(convert(&t, ints, 10), "Div,Constant,Less,Less,Xor,Mul,Sub,Equal,Not,And,Constant,Mul,Sub,Mul,Sub");
    tg_free(&t);
    CHECK_STR(convert(&t, ints, 11), "Mod");
    if (t.onnx) CHECK_EQ_INT(attr_i(nth(t.onnx, "onnx::Mod", 0), "fmod"), 0);
    tg_free(&t);
    CHECK_STR(convert(&t, floats, 9), "Div,Floor,Mul,Sub");
    tg_free(&t);
    CHECK_STR(convert(&t, floats, 17), "Div,Floor,Mul,Sub");
    if (t.onnx) {
        /* self - floor(self / other) * other */
        ox_node *sub = nth(t.onnx, "onnx::Sub", 0), *mul = nth(t.onnx, "onnx::Mul", 0);
        CHECK(sub && mul && sub->inputs[0] == ox_block_input(t.onnx->top, 0) && sub->inputs[1] == mul->outputs[0]);
        CHECK(mul && mul->inputs[1] == ox_block_input(t.onnx->top, 1));
    }
    tg_free(&t);
    /* a Python float divisor is a double constant: the float form */
    CHECK_STR(convert(&t, UNARY_G(TG_I64("2"), TG_CONST_FLOAT("d", 1.5) ",", "aten::remainder", "\"a\",\"d\"",
                                  TG_F32("2")), 13),
              "Constant,Div,Floor,Mul,Sub");
    tg_free(&t);
}

static void test_fmod(void)
{
    tg t;
    const char *json = BINARY_G(TG_F32("2"), TG_F32("2"), "", "aten::fmod", "\"a\",\"b\"", TG_F32("2"));
    CHECK_STR(convert(&t, json, 10), "Mod");
    if (t.onnx) CHECK_EQ_INT(attr_i(nth(t.onnx, "onnx::Mod", 0), "fmod"), 1);
    tg_free(&t);
    CHECK_EQ_INT(convert_error(&t, json, 9), ONNXIFY_ERR_UNSUPPORTED_OPERATOR);
    CHECK_CONTAINS(t.ctx.message, "Exporting the operator 'aten::fmod' to ONNX opset version 9 is not supported");
    tg_free(&t);
}

/* ---- pow, unary math ---------------------------------------------------- */

static void test_pow(void)
{
    tg t;
    const char *json = UNARY_G(TG_I64("2"), TG_CONST_INT("two", 2) ",", "aten::pow", "\"a\",\"two\"", TG_I64("2"));
    CHECK_STR(convert(&t, json, 9), "Constant,Cast,Cast,Pow");
    if (t.onnx) {
        CHECK_EQ_INT(attr_i(nth(t.onnx, "onnx::Cast", 0), "to"), OX_FLOAT);
        CHECK_EQ_INT(attr_i(nth(t.onnx, "onnx::Cast", 1), "to"), OX_FLOAT);
    }
    tg_free(&t);
    CHECK_STR(convert(&t, json, 12), "Constant,Pow");
    tg_free(&t);
}

static void test_unary_ops(void)
{
    static const struct { const char *aten, *onnx; int opset; } ops[] = {
        {"aten::neg", "Neg", 9},   {"aten::exp", "Exp", 9},     {"aten::log", "Log", 9},
        {"aten::abs", "Abs", 9},   {"aten::sign", "Sign", 9},   {"aten::floor", "Floor", 9},
        {"aten::ceil", "Ceil", 9}, {"aten::erf", "Erf", 9},     {"aten::sin", "Sin", 9},
        {"aten::cos", "Cos", 9},   {"aten::tan", "Tan", 9},     {"aten::sqrt", "Sqrt", 9},
        {"aten::round", "Round", 11}, {"aten::reciprocal", "Reciprocal", 9}, {"aten::neg_", "Neg", 13},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        char json[1024];
        snprintf(json, sizeof json,
                 TG_JSON("[" V("a", TG_F32("2")) "]", "[{\"kind\":\"%s\",\"inputs\":[\"a\"],\"outputs\":[" V("y", TG_F32("2")) "]}]",
                         "[\"y\"]"),
                 ops[i].aten);
        tg t;
        CHECK_STR(convert(&t, json, ops[i].opset), ops[i].onnx);
        tg_free(&t);
    }
}

static void test_unary_int_casts(void)
{
    tg t;
    CHECK_STR(convert(&t, UNARY_G(TG_I64("2"), "", "aten::reciprocal", "\"a\"", TG_F32("2")), 9), "Cast,Reciprocal");
    tg_free(&t);
    CHECK_STR(convert(&t, UNARY_G(TG_I64("2"), "", "aten::sqrt", "\"a\"", TG_F32("2")), 9), "Cast,Sqrt");
    tg_free(&t);
    /* round of an integer tensor is the tensor */
    CHECK_STR(convert(&t, UNARY_G(TG_I64("2"), "", "aten::round", "\"a\"", TG_I64("2")), 11), "");
    tg_free(&t);
}

static void test_log2_rsqrt(void)
{
    tg t;
    CHECK_STR(convert(&t, UNARY_G(TG_F32("2"), "", "aten::log2", "\"a\"", TG_F32("2")), 9), "Log,Constant,Div");
    ox_node *div = t.onnx ? nth(t.onnx, "onnx::Div", 0) : NULL;
    if (div) {
        const ox_tensor *c = const_of(div->inputs[1]);
        CHECK(c && c->dtype == OX_FLOAT && c->rank == 0 && ox_tensor_get_f(c, 0) > 0.6931 && ox_tensor_get_f(c, 0) < 0.6932);
    }
    tg_free(&t);
    CHECK_STR(convert(&t, UNARY_G(TG_F32("2"), "", "aten::rsqrt", "\"a\"", TG_F32("2")), 9), "Sqrt,Constant,Div");
    div = t.onnx ? nth(t.onnx, "onnx::Div", 0) : NULL;
    if (div) {
        const ox_tensor *c = const_of(div->inputs[0]);
        CHECK(c && c->dtype == OX_FLOAT && c->rank == 0 && ox_tensor_get_f(c, 0) == 1.0); /* 0-d, as torch stores it */
    }
    tg_free(&t);
}

static void test_round_decimals(void)
{
    tg t;
    CHECK_STR(convert(&t, UNARY_G(TG_F32("2"), TG_CONST_INT("d", 2) ",", "aten::round", "\"a\",\"d\"", TG_F32("2")), 11),
              "Constant,Mul,Round,Constant,Mul");
    ox_node *m0 = t.onnx ? nth(t.onnx, "onnx::Mul", 0) : NULL;
    if (m0) {
        const ox_tensor *c = const_of(m0->inputs[1]);
        CHECK(c && c->dtype == OX_INT64 && ox_tensor_get_i(c, 0) == 100);
    }
    tg_free(&t);
}

static void test_blocked_at_opset8(void)
{
    const char *ops[] = {"aten::sign", "aten::erf"};
    for (int i = 0; i < 2; i++) {
        char json[1024];
        snprintf(json, sizeof json,
                 TG_JSON("[" V("a", TG_F32("2")) "]", "[{\"kind\":\"%s\",\"inputs\":[\"a\"],\"outputs\":[" V("y", TG_F32("2")) "]}]",
                         "[\"y\"]"),
                 ops[i]);
        tg t;
        CHECK_EQ_INT(convert_error(&t, json, 8), ONNXIFY_ERR_EXPORTER);
        CHECK_CONTAINS(t.ctx.message, "which is not implemented for opset 8. Try exporting with other opset versions.");
        tg_free(&t);
    }
}

static void test_round_needs_opset11(void)
{
    tg t;
    CHECK_EQ_INT(convert_error(&t, UNARY_G(TG_F32("2"), "", "aten::round", "\"a\"", TG_F32("2")), 10),
                 ONNXIFY_ERR_UNSUPPORTED_OPERATOR);
    CHECK_CONTAINS(t.ctx.message, "Support for this operator was added in version 11");
    tg_free(&t);
}

/* ---- clamp ------------------------------------------------------------- */

#define CLAMP_G(atype, lo, hi)                                                                              \
    UNARY_G(atype, TG_CONST_INT("lo", lo) "," TG_CONST_FLOAT("hi", hi) ",", "aten::clamp", "\"a\",\"lo\",\"hi\"", \
            atype)

static void test_clamp(void)
{
    tg t;
    CHECK_STR(convert(&t, CLAMP_G(TG_F32("2"), -1, 2.5), 9), "Clip");
    ox_node *clip = t.onnx ? nth(t.onnx, "onnx::Clip", 0) : NULL;
    if (clip) {
        CHECK(attr_f(clip, "min") == -1.0 && attr_f(clip, "max") == 2.5);
        CHECK(clip->attrs && !strcmp(clip->attrs->name, "max")); /* sorted, as torch */
        CHECK_EQ_INT(clip->ninputs, 1);
    }
    tg_free(&t);
    CHECK_STR(convert(&t, CLAMP_G(TG_F32("2"), -1, 2.5), 11), "Constant,Constant,Cast,Cast,Clip");
    clip = t.onnx ? nth(t.onnx, "onnx::Clip", 0) : NULL;
    if (clip) {
        CHECK_EQ_INT(clip->ninputs, 3);
        CHECK(clip->inputs[1] == nth(t.onnx, "onnx::Cast", 0)->outputs[0]);
        CHECK(clip->inputs[2] == nth(t.onnx, "onnx::Cast", 1)->outputs[0]);
    }
    tg_free(&t);
    /* integers: Clip takes floats before opset 12 */
    CHECK_STR(convert(&t, CLAMP_G(TG_I64("2"), -1, 2.5), 9), "Cast,Clip,Cast");
    if (t.onnx) {
        CHECK_EQ_INT(attr_i(nth(t.onnx, "onnx::Cast", 0), "to"), OX_FLOAT);
        CHECK_EQ_INT(attr_i(nth(t.onnx, "onnx::Cast", 1), "to"), OX_INT64);
    }
    tg_free(&t);
    CHECK_STR(convert(&t, CLAMP_G(TG_I64("2"), -1, 2.5), 12), "Constant,Constant,Cast,Cast,Clip");
    tg_free(&t);
    /* opset 11: the 0-d bounds count as complete tensors and go through float too */
    CHECK_STR(convert(&t, CLAMP_G(TG_I64("2"), -1, 2.5), 11), "Constant,Constant,Cast,Cast,Cast,Cast,Cast,Clip,Cast");
    tg_free(&t);
    /* tensor bounds: Max then Min, each bound cast to self's dtype */
    const char *tb = TG_JSON("[" V("a", TG_F32("2")) "," V("lo", TG_F32("2")) "," V("hi", TG_F32("2")) "]",
                             "[" NODE("aten::clamp", "\"a\",\"lo\",\"hi\"", V("y", TG_F32("2"))) "]", "[\"y\"]");
    CHECK_STR(convert(&t, tb, 9), "Cast,Max,Cast,Min");
    tg_free(&t);
    CHECK_STR(convert(&t, tb, 11), "Cast,Cast,Cast,Max,Cast,Min");
    tg_free(&t);
}

static void test_clamp_one_sided(void)
{
    tg t;
    const char *json = UNARY_G(TG_F32("2"), TG_CONST_INT("lo", -1) "," TG_CONST_NONE("hi") ",", "aten::clamp",
                               "\"a\",\"lo\",\"hi\"", TG_F32("2"));
    CHECK_STR(convert(&t, json, 9), "Clip");
    if (t.onnx) {
        ox_node *clip = nth(t.onnx, "onnx::Clip", 0);
        CHECK(attr_f(clip, "min") == -1.0 && !ox_node_has_attr(clip, "max"));
    }
    tg_free(&t);
    /* opset 11: the bound is cast twice (clamp, then clamp_min), max omitted */
    CHECK_STR(convert(&t, json, 11), "Constant,Cast,Cast,prim::Constant,Clip");
    if (t.onnx) {
        ox_node *clip = nth(t.onnx, "onnx::Clip", 0);
        CHECK(clip && clip->ninputs == 3 && ox_value_is_none(clip->inputs[2]));
    }
    tg_free(&t);
    /* a tensor bound: Max */
    CHECK_STR(convert(&t, BINARY_G(TG_F32("2"), TG_F32("2"), "", "aten::clamp_min", "\"a\",\"b\"", TG_F32("2")), 9),
              "Cast,Max");
    tg_free(&t);
    CHECK_STR(convert(&t, BINARY_G(TG_F32("2"), TG_F32("2"), "", "aten::clamp_max", "\"a\",\"b\"", TG_F32("2")), 11),
              "Cast,Min");
    tg_free(&t);
}

static void test_maximum(void)
{
    tg t;
    const char *json = BINARY_G(TG_I64("2"), TG_I64("2"), "", "aten::maximum", "\"a\",\"b\"", TG_I64("2"));
    CHECK_STR(convert(&t, json, 9), "Cast,Cast,Max,Cast");
    tg_free(&t);
    CHECK_STR(convert(&t, json, 12), "Max");
    tg_free(&t);
    CHECK_STR(convert(&t, BINARY_G(TG_I64("2"), TG_I32("2"), "", "aten::minimum", "\"a\",\"b\"", TG_I64("2")), 9),
              "ERROR");
    CHECK_CONTAINS(t.ctx.message, "Inputs of Min must have same dtype. Got Long and Int");
    tg_free(&t);
}

/* ---- comparisons and logic ---------------------------------------------- */

#define CMP_G(kind, atype) BINARY_G(atype, atype, "", kind, "\"a\",\"b\"", TG_B("2"))

static void test_comparisons(void)
{
    tg t;
    CHECK_STR(convert(&t, CMP_G("aten::eq", TG_F32("2")), 9), "Equal");
    tg_free(&t);
    CHECK_STR(convert(&t, CMP_G("aten::ne", TG_F32("2")), 9), "Equal,Not");
    tg_free(&t);
    CHECK_STR(convert(&t, CMP_G("aten::gt", TG_F32("2")), 9), "Greater");
    tg_free(&t);
    CHECK_STR(convert(&t, CMP_G("aten::lt", TG_B("2")), 9), "Cast,Cast,Less");
    if (t.onnx) CHECK_EQ_INT(attr_i(nth(t.onnx, "onnx::Cast", 0), "to"), OX_INT32);
    tg_free(&t);
    CHECK_STR(convert(&t, CMP_G("aten::ge", TG_F32("2")), 9), "Less,Not");
    tg_free(&t);
    CHECK_STR(convert(&t, CMP_G("aten::le", TG_F32("2")), 11), "Greater,Not");
    tg_free(&t);
    CHECK_STR(convert(&t, CMP_G("aten::ge", TG_F32("2")), 12), "GreaterOrEqual");
    tg_free(&t);
    CHECK_STR(convert(&t, CMP_G("aten::le", TG_F32("2")), 17), "LessOrEqual");
    tg_free(&t);
    /* opset 8: integer comparisons in float */
    CHECK_STR(convert(&t, CMP_G("aten::gt", TG_I64("2")), 8), "Cast,Cast,Greater");
    tg_free(&t);
}

static void test_compare_with_scalar_after_type_analysis(void)
{
    tg t;
    const char *json = UNARY_G(TG_I64("2"), TG_CONST_FLOAT("h", 0.5) ",", "aten::gt", "\"a\",\"h\"", TG_B("2"));
    CHECK_STR(convert_sta(&t, json, 13), "Cast,Constant,Greater");
    ox_node *gt = t.onnx ? nth(t.onnx, "onnx::Greater", 0) : NULL;
    if (gt) {
        CHECK(gt->inputs[0]->node == nth(t.onnx, "onnx::Cast", 0));
        CHECK_EQ_INT(attr_i(nth(t.onnx, "onnx::Cast", 0), "to"), OX_FLOAT);
        const ox_tensor *c = const_of(gt->inputs[1]);
        CHECK(c && c->dtype == OX_FLOAT && ox_tensor_get_f(c, 0) == 0.5);
        CHECK_EQ_INT(ox_elem_type(gt->outputs[0]), OX_BOOL);
    }
    tg_free(&t);
}

static void test_logic(void)
{
    tg t;
    CHECK_STR(convert(&t, CMP_G("aten::logical_and", TG_F32("2")), 9), "Cast,Cast,And");
    tg_free(&t);
    CHECK_STR(convert(&t, CMP_G("aten::logical_or", TG_B("2")), 9), "Cast,Cast,Or");
    tg_free(&t);
    CHECK_STR(convert(&t, UNARY_G(TG_I64("2"), "", "aten::logical_not", "\"a\"", TG_B("2")), 9), "Cast,Not");
    tg_free(&t);
    CHECK_STR(convert(&t, UNARY_G(TG_B("2"), "", "aten::bitwise_not", "\"a\"", TG_B("2")), 9), "Not");
    tg_free(&t);
    CHECK_EQ_INT(convert_error(&t, UNARY_G(TG_I64("2"), "", "aten::bitwise_not", "\"a\"", TG_I64("2")), 9),
                 ONNXIFY_ERR_SYMBOLIC_VALUE);
    CHECK_CONTAINS(t.ctx.message, "bitwise Not for non-boolean input values");
    tg_free(&t);
}

/* a & b, a | b, a ^ b, ~a on bool tensors (aten::__and__ ...), latest torch's
 * bitwise_or, and opset 18's __and__ / bitwise_and (And, or BitwiseAnd after
 * promotion). */
static void test_bool_dunder_ops(void)
{
    tg t;
    CHECK_STR(convert(&t, CMP_G("aten::__and__", TG_B("2")), 9), "And");
    tg_free(&t);
    CHECK_STR(convert(&t, CMP_G("aten::__or__", TG_B("2")), 9), "Or");
    tg_free(&t);
    CHECK_STR(convert(&t, CMP_G("aten::__xor__", TG_B("2")), 13), "Xor");
    tg_free(&t);
    CHECK_STR(convert(&t, CMP_G("aten::__ior__", TG_B("2")), 13), "ERROR"); /* no such op */
    tg_free(&t);
    CHECK_STR(convert(&t, UNARY_G(TG_B("2"), "", "aten::__not__", "\"a\"", TG_B("2")), 9), "Not");
    tg_free(&t);
    CHECK_STR(convert(&t, CMP_G("aten::bitwise_or", TG_B("2")), 9), "Or");
    tg_free(&t);
    CHECK_EQ_INT(convert_error(&t, CMP_G("aten::__and__", TG_I64("2")), 9), ONNXIFY_ERR_SYMBOLIC_VALUE);
    CHECK_CONTAINS(t.ctx.message, "ONNX export does NOT support exporting bitwise AND for non-boolean input values");
    tg_free(&t);
    CHECK_EQ_INT(convert_error(&t, BINARY_G(TG_B("2"), TG_I64("2"), "", "aten::__xor__", "\"a\",\"b\"", TG_B("2")), 9),
                 ONNXIFY_ERR_SYMBOLIC_VALUE);
    CHECK_CONTAINS(t.ctx.message, "bitwise XOR for non-boolean input values  [Caused by the value 'b'");
    tg_free(&t);
    CHECK_EQ_INT(convert_error(&t, CMP_G("aten::bitwise_or", TG_I64("2")), 9), ONNXIFY_ERR_SYMBOLIC_VALUE);
    CHECK_CONTAINS(t.ctx.message, "bitwise OR for non-boolean input values. self: ");
    tg_free(&t);
    CHECK_EQ_INT(convert_error(&t, UNARY_G(TG_F32("2"), "", "aten::__not__", "\"a\"", TG_F32("2")), 9),
                 ONNXIFY_ERR_SYMBOLIC_VALUE);
    tg_free(&t);
    /* bitwise_and: opset 18 only (latest torch); __and__ changes form there */
    CHECK_EQ_INT(convert_error(&t, CMP_G("aten::bitwise_and", TG_B("2")), 17), ONNXIFY_ERR_UNSUPPORTED_OPERATOR);
    CHECK_CONTAINS(t.ctx.message, "Support for this operator was added in version 18");
    tg_free(&t);
    CHECK_STR(convert(&t, CMP_G("aten::bitwise_and", TG_B("2")), 18), "And");
    tg_free(&t);
    CHECK_STR(convert(&t, CMP_G("aten::__and__", TG_I64("2")), 18), "BitwiseAnd");
    tg_free(&t);
    CHECK_STR(convert(&t, BINARY_G(TG_I32("2"), TG_I64("2"), "", "aten::bitwise_and", "\"a\",\"b\"", TG_I64("2")), 18),
              "Cast,BitwiseAnd");
    if (t.onnx) CHECK_EQ_INT(attr_i(nth(t.onnx, "onnx::Cast", 0), "to"), OX_INT64);
    tg_free(&t);
    /* a 0-d operand does not decide the type: cast to the tensor's */
    CHECK_STR(convert(&t, BINARY_G(TG_U8("2"), TG_I64(""), "", "aten::bitwise_and", "\"a\",\"b\"", TG_U8("2")), 18),
              "Cast,BitwiseAnd");
    if (t.onnx) CHECK_EQ_INT(attr_i(nth(t.onnx, "onnx::Cast", 0), "to"), OX_UINT8);
    tg_free(&t);
    CHECK_EQ_INT(convert_error(&t, CMP_G("aten::bitwise_and", TG_F32("2")), 18), ONNXIFY_ERR_SYMBOLIC_VALUE);
    tg_free(&t);
}

/* The node kinds of the conversion alone (no torch-level pass: the
 * peephole would settle `x is None` itself when x cannot be None). */
static const char *convert_raw(tg *t, const char *json, int opset)
{
    if (convert_error(t, json, opset) != OX_OK || !t->onnx) return "ERROR";
    return tg_kinds(t->onnx);
}

/* x is None / x is not None: decided at export time; opset 15 asks an
 * Optional input OptionalHasElement. */
static void test_is_isnot(void)
{
    tg t;
#define convert convert_raw
    const char *is_none = UNARY_G(TG_F32("2"), TG_CONST_NONE("n") ",", "aten::__is__", "\"a\",\"n\"", TG_BOOL);
    CHECK_STR(convert(&t, is_none, 9), "Constant");
    if (t.onnx) {
        const ox_tensor *c = const_of(ox_block_output(t.onnx->top, 0));
        CHECK(c && c->dtype == OX_BOOL && c->rank == 1 && c->dims[0] == 1 && ox_tensor_get_i(c, 0) == 0);
    }
    tg_free(&t);
    CHECK_STR(convert(&t, UNARY_G(TG_F32("2"), TG_CONST_NONE("n") ",", "aten::__isnot__", "\"a\",\"n\"", TG_BOOL), 9),
              "Constant,Not");
    tg_free(&t);
    CHECK_STR(convert(&t, is_none, 15), "Constant");
    tg_free(&t);
    /* None is None: true at 9; torch 15+ answers false for a None that is not an Optional */
    const char *none_none = TG_JSON("[]", "[" TG_CONST_NONE("n") "," NODE("aten::__is__", "\"n\",\"n\"", V("y", TG_BOOL)) "]", "[\"y\"]");
    CHECK_STR(convert(&t, none_none, 9), "Constant");
    if (t.onnx) CHECK(ox_tensor_get_i(const_of(ox_block_output(t.onnx->top, 0)), 0) == 1);
    tg_free(&t);
    /* an Optional input */
    const char *opt = TG_JSON("[" V("a", "{\"kind\":\"optional\",\"elem\":" TG_F32("2") "}") "]",
                              "[" TG_CONST_NONE("n") "," NODE("aten::__isnot__", "\"a\",\"n\"", V("y", TG_BOOL)) "]",
                              "[\"y\"]");
    CHECK_STR(convert(&t, opt, 15), "OptionalHasElement,Not,Not");
    tg_free(&t);
    CHECK_STR(convert(&t, opt, 14), "Constant,Not");
    tg_free(&t);
    /* two tensors: eq */
    CHECK_STR(convert(&t, CMP_G("aten::__is__", TG_F32("2")), 9), "Equal");
    tg_free(&t);
    CHECK_STR(convert(&t, CMP_G("aten::__isnot__", TG_F32("2")), 15), "Equal,Not");
    tg_free(&t);
#undef convert
}

static void test_where_masked_fill(void)
{
    tg t;
    const char *w = TG_JSON("[" V("c", TG_U8("2")) "," V("a", TG_F32("2")) "," V("b", TG_F32("2")) "]",
                            "[" NODE("aten::where", "\"c\",\"a\",\"b\"", V("y", TG_F32("2"))) "]", "[\"y\"]");
    CHECK_STR(convert(&t, w, 9), "Cast,Where");
    tg_free(&t);
    CHECK_EQ_INT(convert_error(&t, w, 8), ONNXIFY_ERR_EXPORTER);
    tg_free(&t);

    const char *mf = TG_JSON("[" V("a", TG_F32("2")) "," V("m", TG_B("2")) "]",
                             "[" TG_CONST_FLOAT("v", 0.25) "," NODE("aten::masked_fill", "\"a\",\"m\",\"v\"", V("y", TG_F32("2"))) "]",
                             "[\"y\"]");
    CHECK_STR(convert(&t, mf, 9), "Cast,Constant,Where");
    ox_node *wh = t.onnx ? nth(t.onnx, "onnx::Where", 0) : NULL;
    if (wh) {
        const ox_tensor *c = const_of(wh->inputs[1]);
        CHECK(c && c->dtype == OX_FLOAT && ox_tensor_get_f(c, 0) == 0.25); /* in self's dtype */
        CHECK(wh->inputs[2] == ox_block_input(t.onnx->top, 0));
    }
    tg_free(&t);
}

/* ---- reductions (reduce.c) ---------------------------------------------- */

#define SUM_G(kind, atype, ytype, dims_node, keep)                                                         \
    UNARY_G(atype, dims_node "," TG_CONST_BOOL("k", keep) "," TG_CONST_NONE("dt") ",", kind,                \
            "\"a\",\"dims\",\"k\",\"dt\"", ytype)

static void test_sum_mean(void)
{
    tg t;
    const char *json = SUM_G("aten::sum", TG_F32("2,3"), TG_F32("2"), TG_CONST_INTS("dims", 1), 0);
    CHECK_STR(convert(&t, json, 9), "ReduceSum");
    ox_node *r = t.onnx ? nth(t.onnx, "onnx::ReduceSum", 0) : NULL;
    if (r) {
        ox_attr *axes = ox_node_attr(r, "axes");
        CHECK(axes && axes->n == 1 && axes->v.is[0] == 1);
        CHECK_EQ_INT(attr_i(r, "keepdims"), 0);
    }
    tg_free(&t);
    /* opset 13: the dims become the axes input */
    CHECK_STR(convert(&t, json, 13), "Constant,ReduceSum");
    r = t.onnx ? nth(t.onnx, "onnx::ReduceSum", 0) : NULL;
    if (r) {
        CHECK_EQ_INT(r->ninputs, 2);
        const ox_tensor *c = const_of(r->inputs[1]);
        CHECK(c && c->rank == 1 && ox_tensor_get_i(c, 0) == 1);
    }
    tg_free(&t);
    json = SUM_G("aten::mean", TG_F32("2,3"), TG_F32("2,1"), TG_CONST_INTS("dims", -1), 1);
    CHECK_STR(convert(&t, json, 17), "ReduceMean");
    tg_free(&t);
    CHECK_STR(convert(&t, json, 18), "Constant,ReduceMean");
    tg_free(&t);
    /* (self, dtype): everything */
    CHECK_STR(convert(&t, UNARY_G(TG_F32("2,3"), TG_CONST_NONE("dt") ",", "aten::mean", "\"a\",\"dt\"", TG_F32("")), 13),
              "ReduceMean");
    if (t.onnx) CHECK_EQ_INT(attr_i(nth(t.onnx, "onnx::ReduceMean", 0), "keepdims"), 0);
    tg_free(&t);
}

static void test_sum_int_and_dtype(void)
{
    tg t;
    /* int32 is summed in int64 */
    CHECK_STR(convert(&t, UNARY_G(TG_I32("2,3"), TG_CONST_NONE("dt") ",", "aten::sum", "\"a\",\"dt\"", TG_I64("")), 9),
              "Cast,ReduceSum");
    if (t.onnx) CHECK_EQ_INT(attr_i(nth(t.onnx, "onnx::Cast", 0), "to"), OX_INT64);
    tg_free(&t);
    /* dtype=torch.float (6) */
    CHECK_STR(convert(&t, UNARY_G(TG_I64("2,3"), TG_CONST_INT("dt", 6) ",", "aten::sum", "\"a\",\"dt\"", TG_F32("")), 9),
              "Cast,ReduceSum");
    if (t.onnx) CHECK_EQ_INT(attr_i(nth(t.onnx, "onnx::Cast", 0), "to"), OX_FLOAT);
    tg_free(&t);
    CHECK_EQ_INT(convert_error(&t, UNARY_G(TG_F32("2"), "", "aten::sum", "\"a\",\"a\",\"a\"", TG_F32("")), 9),
                 ONNXIFY_ERR_EXPORTER);
    CHECK_CONTAINS(t.ctx.message, "Unsupported: ONNX export of operator aten::reduce, with 3 arguments");
    tg_free(&t);
}

static void test_amax_prod(void)
{
    tg t;
    const char *json = UNARY_G(TG_F32("2,3"), TG_CONST_INTS("dims", 0, 1) "," TG_CONST_BOOL("k", 1) ",", "aten::amax",
                               "\"a\",\"dims\",\"k\"", TG_F32("1,1"));
    CHECK_STR(convert(&t, json, 13), "ReduceMax");
    tg_free(&t);
    CHECK_STR(convert(&t, json, 18), "Constant,ReduceMax");
    tg_free(&t);
    json = UNARY_G(TG_F32("2,3"), TG_CONST_INT("d", 1) "," TG_CONST_BOOL("k", 0) "," TG_CONST_NONE("dt") ",",
                   "aten::prod", "\"a\",\"d\",\"k\",\"dt\"", TG_F32("2"));
    CHECK_STR(convert(&t, json, 13), "ReduceProd");
    if (t.onnx) {
        ox_attr *axes = ox_node_attr(nth(t.onnx, "onnx::ReduceProd", 0), "axes");
        CHECK(axes && axes->n == 1 && axes->v.is[0] == 1);
    }
    tg_free(&t);
}

static void test_max_with_dim(void)
{
    tg t;
    const char *json = TG_JSON("[" V("a", TG_F32("2,3")) "]",
                               "[" TG_CONST_INT("d", 1) "," TG_CONST_BOOL("k", 0) ","
                               NODE("aten::max", "\"a\",\"d\",\"k\"", V("v", TG_F32("2")) "," V("i", TG_I64("2"))) "]",
                               "[\"v\",\"i\"]");
    CHECK_STR(convert(&t, json, 13), "ReduceMax,ArgMax");
    if (t.onnx) {
        CHECK(ox_block_output(t.onnx->top, 0) == nth(t.onnx, "onnx::ReduceMax", 0)->outputs[0]);
        CHECK(ox_block_output(t.onnx->top, 1) == nth(t.onnx, "onnx::ArgMax", 0)->outputs[0]);
        CHECK_EQ_INT(attr_i(nth(t.onnx, "onnx::ArgMax", 0), "axis"), 1);
    }
    tg_free(&t);
    CHECK_STR(convert(&t, json, 18), "Constant,ReduceMax,ArgMax");
    tg_free(&t);
    CHECK_STR(convert(&t, UNARY_G(TG_F32("2,3"), "", "aten::min", "\"a\"", TG_F32("")), 13), "ReduceMin");
    tg_free(&t);
    CHECK_STR(convert(&t, BINARY_G(TG_F32("2"), TG_F32("2"), "", "aten::max", "\"a\",\"b\"", TG_F32("2")), 13), "Max");
    tg_free(&t);
}

static void test_argmax(void)
{
    tg t;
    const char *json = UNARY_G(TG_F32("2,3"), TG_CONST_INT("d", -1) "," TG_CONST_BOOL("k", 1) ",", "aten::argmax",
                               "\"a\",\"d\",\"k\"", TG_I64("2,1"));
    CHECK_STR(convert(&t, json, 11), "ArgMax");
    if (t.onnx) {
        ox_node *a = nth(t.onnx, "onnx::ArgMax", 0);
        CHECK_EQ_INT(attr_i(a, "axis"), -1);
        CHECK_EQ_INT(attr_i(a, "keepdims"), 1);
        CHECK(!ox_node_has_attr(a, "select_last_index"));
    }
    tg_free(&t);
    CHECK_STR(convert(&t, json, 12), "ArgMax");
    if (t.onnx) CHECK_EQ_INT(attr_i(nth(t.onnx, "onnx::ArgMax", 0), "select_last_index"), 0);
    tg_free(&t);
    /* dim=None, keepdim: flatten, then reshape to all-ones dims */
    json = UNARY_G(TG_F32("2,3"), TG_CONST_NONE("d") "," TG_CONST_BOOL("k", 1) ",", "aten::argmin",
                   "\"a\",\"d\",\"k\"", TG_I64("1,1"));
    CHECK_STR(convert(&t, json, 14), "Constant,Reshape,ArgMin,Shape,Shape,ConstantOfShape,Reshape");
    if (t.onnx) {
        CHECK_EQ_INT(attr_i(nth(t.onnx, "onnx::Reshape", 0), "allowzero"), 0);
        CHECK(!ox_node_has_attr(nth(t.onnx, "onnx::Reshape", 1), "allowzero"));
        CHECK_EQ_INT(attr_i(nth(t.onnx, "onnx::ArgMin", 0), "keepdims"), 0);
    }
    tg_free(&t);
}

static void test_var_std(void)
{
    tg t;
    const char *json = UNARY_G(TG_F32("2,3"), TG_CONST_INTS("dims", 1) "," TG_CONST_BOOL("u", 1) "," TG_CONST_BOOL("k", 0) ",",
                               "aten::var", "\"a\",\"dims\",\"u\",\"k\"", TG_F32("2"));
    CHECK_STR(convert(&t, json, 13),
              "ReduceMean,Shape,Constant,Gather,ReduceProd,Sub,Mul,ReduceMean,Cast,Constant,Mul,Sub,Div");
    tg_free(&t);
    CHECK_STR(convert(&t, json, 18),
              "Constant,ReduceMean,Shape,Constant,Gather,ReduceProd,Sub,Mul,ReduceMean,Cast,Constant,Mul,Sub,Div");
    tg_free(&t);
    /* std(self, unbiased=False): everything, no correction */
    json = UNARY_G(TG_F32("2,3"), TG_CONST_BOOL("u", 0) ",", "aten::std", "\"a\",\"u\"", TG_F32(""));
    CHECK_STR(convert(&t, json, 13), "ReduceMean,Sub,Mul,ReduceMean,Sqrt"); /* N unused without correction */
    tg_free(&t);
}

static const ox_test_case tests[] = {
    {"add_scalar_then_type_analysis", test_add_scalar_then_type_analysis},
    {"add_alpha", test_add_alpha},
    {"rsub", test_rsub},
    {"mul_bool_is_and", test_mul_bool_is_and},
    {"add_tensor_list_opset9", test_add_tensor_list_opset9},
    {"div_true", test_div_true},
    {"div_floor", test_div_floor},
    {"div_trunc", test_div_trunc},
    {"div_bad_rounding_mode", test_div_bad_rounding_mode},
    {"floor_divide_truncates", test_floor_divide_truncates},
    {"remainder", test_remainder},
    {"fmod", test_fmod},
    {"pow", test_pow},
    {"unary_ops", test_unary_ops},
    {"unary_int_casts", test_unary_int_casts},
    {"log2_rsqrt", test_log2_rsqrt},
    {"round_decimals", test_round_decimals},
    {"blocked_at_opset8", test_blocked_at_opset8},
    {"round_needs_opset11", test_round_needs_opset11},
    {"clamp", test_clamp},
    {"clamp_one_sided", test_clamp_one_sided},
    {"maximum", test_maximum},
    {"comparisons", test_comparisons},
    {"compare_with_scalar_after_type_analysis", test_compare_with_scalar_after_type_analysis},
    {"logic", test_logic},
    {"bool_dunder_ops", test_bool_dunder_ops},
    {"is_isnot", test_is_isnot},
    {"where_masked_fill", test_where_masked_fill},
    {"sum_mean", test_sum_mean},
    {"sum_int_and_dtype", test_sum_int_and_dtype},
    {"amax_prod", test_amax_prod},
    {"max_with_dim", test_max_with_dim},
    {"argmax", test_argmax},
    {"var_std", test_var_std},
};

OX_TEST_MAIN(tests)
