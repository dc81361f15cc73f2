/* Shape-family symbolics (src/symbolic/shape.c) and the opset-aware helpers
 * (src/symbolic/helpers.c): the ONNX node kinds, attributes and inputs each
 * op lowers to, per opset, as torch's exporter emits them. */
#include <stdlib.h>

#include "graph_util.h"
#include "symbolic/helpers.h"
#include "test.h"

/* ---- JSON fragments ------------------------------------------------------ */

#define Q(s) "\"" s "\""
#define V(name, type) "{\"name\":\"" name "\",\"type\":" type "}"
#define N(kind, ins, outs) "{\"kind\":\"" kind "\",\"inputs\":[" ins "],\"outputs\":[" outs "]}"
#define NA(kind, ins, outs, attrs) \
    "{\"kind\":\"" kind "\",\"inputs\":[" ins "],\"outputs\":[" outs "],\"attributes\":[" attrs "]}"
#define ATTR_I(name, v) "{\"name\":\"" name "\",\"kind\":\"i\",\"value\":" #v "}"
#define TG_F32_ANY "{\"kind\":\"tensor\",\"dtype\":\"float32\"}"
#define TG_TENSORS "{\"kind\":\"list\",\"elem\":{\"kind\":\"tensor\"}}"
#define X(shape) "[" V("x", TG_F32(shape)) "]"
#define OUT_Y "[" Q("y") "]"

/* ---- inspection helpers -------------------------------------------------- */

static ox_node *out_node(tg *t, int i)
{
    return ox_block_output(t->onnx->top, i)->node;
}

static bool is_graph_input(tg *t, ox_value *v, int i)
{
    return v == ox_block_input(t->onnx->top, i);
}

/* Input `i` of `n` is an onnx::Constant holding exactly `vals` (int64, rank
 * `rank`: 0 for a scalar, 1 for a vector). */
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

static bool attr_ints(ox_node *n, const char *name, const int64_t *vals, int count)
{
    ox_attr *a = n ? ox_node_attr(n, name) : NULL;
    if (!a || a->kind != OX_ATTR_IS || a->n != count) return false;
    for (int k = 0; k < count; k++)
        if (a->v.is[k] != vals[k]) return false;
    return true;
}

#define ATTR_IS(n, name, ...) \
    attr_ints((n), (name), (const int64_t[]){__VA_ARGS__}, (int)(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t)))

static bool no_attr(ox_node *n, const char *name) { return n && !ox_node_attr(n, name); }

/* Converts `json` at `opset`; the caller frees t. */
static ox_status conv(tg *t, const char *json, int opset)
{
    tg_init(t);
    return tg_convert(t, json, opset);
}

/* Conversion that must fail with `code` and a message containing `needle`. */
static void expect_fail(const char *json, int opset, ox_status code, const char *needle)
{
    tg t;
    CHECK_EQ_INT(conv(&t, json, opset), code);
    CHECK_CONTAINS(t.ctx.message, needle);
    tg_free(&t);
}

/* ---- view / reshape ------------------------------------------------------ */

static const char *VIEW_CONST =
    TG_JSON(X("2,3,4"),
            "[" TG_CONST_INTS("shape", 6, -1) "," N("aten::view", Q("x") "," Q("shape"), V("y", TG_F32("6,4"))) "]",
            OUT_Y);

static void test_view_constant_shape(void)
{
    int opsets[] = {9, 13, 14, 17};
    for (int k = 0; k < 4; k++) {
        tg t;
        CHECK(conv(&t, VIEW_CONST, opsets[k]) == OX_OK);
        if (t.onnx) {
            ox_node *r = out_node(&t, 0);
            CHECK(ox_node_is(r, "onnx::Reshape"));
            CHECK(is_graph_input(&t, r->inputs[0], 0));
            CHECK(CONST_IN(r, 1, 1, 6, -1));
            if (opsets[k] >= 14) CHECK_EQ_INT(tg_attr_i(r, "allowzero", -1), 0);
            else CHECK(no_attr(r, "allowzero"));
            CHECK_EQ_INT(tg_count(t.onnx, "onnx::Reshape"), 1);
        }
        tg_free(&t);
    }
}

/* view(x, [x.size(0), -1]): Reshape takes the ListConstruct itself. */
static const char *VIEW_DYN = TG_JSON(
    "[" V("x", TG_F32("null,3,4")) "]",
    "[" TG_CONST_INT("zero", 0) "," N("aten::size", Q("x") "," Q("zero"), V("n", TG_INT)) "," TG_CONST_INT("m1", -1) "," N(
        "prim::ListConstruct", Q("n") "," Q("m1"), V("l", TG_INTS)) "," N("aten::reshape", Q("x") "," Q("l"),
                                                                            V("y", TG_F32("null,12"))) "]",
    OUT_Y);

static void test_view_dynamic_shape(void)
{
    tg t;
    CHECK(conv(&t, VIEW_DYN, 9) == OX_OK);
    if (t.onnx) {
        ox_node *r = out_node(&t, 0);
        CHECK(ox_node_is(r, "onnx::Reshape"));
        CHECK(ox_node_is(r->inputs[1]->node, "prim::ListConstruct"));
        ox_node *gather = r->inputs[1]->node->inputs[0]->node;
        CHECK(ox_node_is(gather, "onnx::Gather"));
        CHECK_EQ_INT(tg_attr_i(gather, "axis", -1), 0);
        CHECK(ox_node_is(gather->inputs[0]->node, "onnx::Shape"));
        CHECK(CONST_IN(gather, 1, 0, 0));
    }
    tg_free(&t);
}

static void test_reshape_as_view_as(void)
{
    const char *json = TG_JSON("[" V("x", TG_F32("2,6")) "," V("o", TG_F32("3,4")) "]",
                               "[" N("aten::view_as", Q("x") "," Q("o"), V("y", TG_F32("3,4"))) "," N(
                                   "aten::reshape_as", Q("x") "," Q("o"), V("z", TG_F32("3,4"))) "]",
                               "[" Q("y") "," Q("z") "]");
    tg t;
    CHECK(conv(&t, json, 14) == OX_OK);
    if (t.onnx) {
        for (int i = 0; i < 2; i++) {
            ox_node *r = out_node(&t, i);
            CHECK(ox_node_is(r, "onnx::Reshape"));
            CHECK(ox_node_is(r->inputs[1]->node, "onnx::Shape"));
            CHECK(is_graph_input(&t, r->inputs[1]->node->inputs[0], 1));
            CHECK_EQ_INT(tg_attr_i(r, "allowzero", -1), 0);
        }
    }
    tg_free(&t);
}

/* ---- flatten ------------------------------------------------------------- */

#define FLATTEN_JSON(xtype, s, e, ytype)                                                                        \
    TG_JSON("[" V("x", xtype) "]",                                                                              \
            "[" TG_CONST_INT("s", s) "," TG_CONST_INT("e", e) "," N("aten::flatten", Q("x") "," Q("s") "," Q("e"), \
                                                                   V("y", ytype)) "]",                          \
            OUT_Y)

static void test_flatten_to_2d(void)
{
    int opsets[] = {8, 9, 11, 13};
    for (int k = 0; k < 4; k++) {
        tg t;
        CHECK(conv(&t, FLATTEN_JSON(TG_F32("2,3,4,5"), 1, -1, TG_F32("2,60")), opsets[k]) == OX_OK);
        if (t.onnx) {
            ox_node *f = out_node(&t, 0);
            CHECK(ox_node_is(f, "onnx::Flatten"));
            CHECK_EQ_INT(tg_attr_i(f, "axis", -1), 1);
            CHECK_EQ_INT(tg_size(t.onnx), 3); /* two unused constants + Flatten */
        }
        tg_free(&t);
        CHECK(conv(&t, FLATTEN_JSON(TG_F32("2,3,4,5"), 0, 2, TG_F32("24,5")), opsets[k]) == OX_OK);
        if (t.onnx) {
            ox_node *f = out_node(&t, 0);
            CHECK(ox_node_is(f, "onnx::Flatten"));
            CHECK_EQ_INT(tg_attr_i(f, "axis", -1), 3);
        }
        tg_free(&t);
    }
}

/* Opset 8's Flatten is float-only: an int64 input goes through float. */
static void test_flatten_8_integer(void)
{
    tg t;
    CHECK(conv(&t, FLATTEN_JSON(TG_I64("2,3,4"), 1, -1, TG_I64("2,12")), 8) == OX_OK);
    if (t.onnx) {
        ox_node *back = out_node(&t, 0);
        CHECK(ox_node_is(back, "onnx::Cast"));
        CHECK_EQ_INT(tg_attr_i(back, "to", -1), OX_INT64);
        ox_node *f = back->inputs[0]->node;
        CHECK(ox_node_is(f, "onnx::Flatten"));
        ox_node *to_float = f->inputs[0]->node;
        CHECK(ox_node_is(to_float, "onnx::Cast"));
        CHECK_EQ_INT(tg_attr_i(to_float, "to", -1), OX_FLOAT);
    }
    tg_free(&t);
    CHECK(conv(&t, FLATTEN_JSON(TG_I64("2,3,4"), 1, -1, TG_I64("2,12")), 9) == OX_OK);
    if (t.onnx) CHECK_EQ_INT(tg_count(t.onnx, "onnx::Cast"), 0);
    tg_free(&t);
}

/* Middle dims: Shape, slices of it around a -1, Concat, Reshape. */
static void test_flatten_middle(void)
{
    tg t;
    CHECK(conv(&t, FLATTEN_JSON(TG_F32("2,3,4,5"), 1, 2, TG_F32("2,12,5")), 9) == OX_OK);
    if (t.onnx) {
        ox_node *r = out_node(&t, 0);
        CHECK(ox_node_is(r, "onnx::Reshape"));
        ox_node *cat = r->inputs[1]->node;
        CHECK(ox_node_is(cat, "onnx::Concat") && cat->ninputs == 3);
        CHECK_EQ_INT(tg_attr_i(cat, "axis", -1), 0);
        ox_node *head = cat->inputs[0]->node, *tail = cat->inputs[2]->node;
        CHECK(ox_node_is(head, "onnx::Slice") && head->ninputs == 1);
        CHECK(ATTR_IS(head, "axes", 0) && ATTR_IS(head, "starts", 0) && ATTR_IS(head, "ends", 1));
        CHECK(ATTR_IS(tail, "starts", 3) && ATTR_IS(tail, "ends", 4));
        CHECK(CONST_IN(cat, 1, 1, -1));
        CHECK(ox_node_is(head->inputs[0]->node, "onnx::Shape"));
    }
    tg_free(&t);
    /* opset 11: Slice-10 with (starts, ends, axes) inputs and no steps */
    CHECK(conv(&t, FLATTEN_JSON(TG_F32("2,3,4,5"), 2, -1, TG_F32("2,3,20")), 11) == OX_OK);
    if (t.onnx) {
        ox_node *cat = out_node(&t, 0)->inputs[1]->node;
        CHECK(ox_node_is(cat, "onnx::Concat") && cat->ninputs == 2);
        ox_node *head = cat->inputs[0]->node;
        CHECK(ox_node_is(head, "onnx::Slice") && head->ninputs == 4);
        CHECK(CONST_IN(head, 1, 1, 0) && CONST_IN(head, 2, 1, 2) && CONST_IN(head, 3, 1, 0));
        CHECK_EQ_INT(tg_count(t.onnx, "onnx::Slice"), 1);
    }
    tg_free(&t);
}

static void test_flatten_rank_cases(void)
{
    tg t;
    /* opset 11: rank 1 is a no-op */
    CHECK(conv(&t, FLATTEN_JSON(TG_F32("5"), 0, -1, TG_F32("5")), 11) == OX_OK);
    if (t.onnx) CHECK(is_graph_input(&t, ox_block_output(t.onnx->top, 0), 0));
    tg_free(&t);
    /* opset 11: unknown rank but a 2-D result still is Flatten */
    CHECK(conv(&t, FLATTEN_JSON(TG_F32_ANY, 1, -1, TG_F32_ANY), 11) == OX_OK);
    if (t.onnx) CHECK(ox_node_is(out_node(&t, 0), "onnx::Flatten"));
    tg_free(&t);
    /* unknown rank otherwise: opset 9 names the value, opset 11 does not */
    expect_fail(FLATTEN_JSON(TG_F32_ANY, 1, -1, TG_F32_ANY), 9, ONNXIFY_ERR_SYMBOLIC_VALUE,
                "Input rank must be known at export time");
    expect_fail(FLATTEN_JSON(TG_F32_ANY, 1, 2, TG_F32_ANY), 11, ONNXIFY_ERR_EXPORTER,
                "Unsupported: ONNX export of operator dim");
}

/* ---- unflatten ----------------------------------------------------------- */

static const char *UNFLATTEN = TG_JSON(
    X("2,12"),
    "[" TG_CONST_INT("d", 1) "," TG_CONST_INTS("sz", 3, 4) "," N("aten::unflatten", Q("x") "," Q("d") "," Q("sz"),
                                                                   V("y", TG_F32("2,3,4"))) "]",
    OUT_Y);

static void test_unflatten(void)
{
    tg t;
    CHECK(conv(&t, UNFLATTEN, 14) == OX_OK);
    if (t.onnx) {
        ox_node *r = out_node(&t, 0);
        CHECK(ox_node_is(r, "onnx::Reshape"));
        CHECK_EQ_INT(tg_attr_i(r, "allowzero", -1), 0);
        ox_node *cat = r->inputs[1]->node;
        CHECK(ox_node_is(cat, "onnx::Concat") && cat->ninputs == 3);
        CHECK(CONST_IN(cat, 1, 1, 3, 4));
        CHECK(ox_node_is(cat->inputs[0]->node, "onnx::Slice") && cat->inputs[0]->node->ninputs == 3);
        ox_node *tail = cat->inputs[2]->node;
        CHECK(ox_node_is(tail, "onnx::Slice") && CONST_IN(tail, 2, 1, INT64_MAX));
        CHECK_EQ_INT(tg_count(t.onnx, "onnx::Mod"), 1);
        CHECK_EQ_INT(tg_count(t.onnx, "onnx::Reshape"), 3);
    }
    tg_free(&t);
    expect_fail(UNFLATTEN, 12, ONNXIFY_ERR_UNSUPPORTED_OPERATOR, "aten::unflatten");
}

/* ---- transpose / permute / t --------------------------------------------- */

#define TRANSPOSE_JSON(xtype, a, b)                                                                              \
    TG_JSON("[" V("x", xtype) "]",                                                                               \
            "[" TG_CONST_INT("a", a) "," TG_CONST_INT("b", b) "," N("aten::transpose", Q("x") "," Q("a") "," Q("b"), \
                                                                   V("y", TG_F32_ANY)) "]",                      \
            OUT_Y)

static void test_transpose(void)
{
    tg t;
    CHECK(conv(&t, TRANSPOSE_JSON(TG_F32("2,3,4,5"), 1, -1), 13) == OX_OK);
    if (t.onnx) CHECK(ATTR_IS(out_node(&t, 0), "perm", 0, 3, 2, 1));
    tg_free(&t);
    CHECK(conv(&t, TRANSPOSE_JSON(TG_F32("2,3"), 1, 1), 13) == OX_OK);
    if (t.onnx) {
        CHECK(is_graph_input(&t, ox_block_output(t.onnx->top, 0), 0));
        CHECK_EQ_INT(tg_count(t.onnx, "onnx::Transpose"), 0);
    }
    tg_free(&t);
    expect_fail(TRANSPOSE_JSON(TG_F32_ANY, 0, 1), 13, ONNXIFY_ERR_SYMBOLIC_VALUE,
                "Unsupported: ONNX export of transpose for tensor of unknown rank.");
}

static void test_permute_and_t(void)
{
    const char *json = TG_JSON(
        X("2,3,4"),
        "[" TG_CONST_INTS("p", 0, 2, 1) "," N("aten::permute", Q("x") "," Q("p"), V("y", TG_F32("2,4,3"))) "," TG_CONST_INTS(
            "q", 0, 1, 2) "," N("aten::permute", Q("x") "," Q("q"), V("z", TG_F32("2,3,4"))) "]",
        "[" Q("y") "," Q("z") "]");
    tg t;
    CHECK(conv(&t, json, 9) == OX_OK);
    if (t.onnx) {
        CHECK(ATTR_IS(out_node(&t, 0), "perm", 0, 2, 1));
        CHECK(is_graph_input(&t, ox_block_output(t.onnx->top, 1), 0));
        CHECK_EQ_INT(tg_count(t.onnx, "onnx::Transpose"), 1);
    }
    tg_free(&t);
    const char *tj = TG_JSON(X("2,3"), "[" N("aten::t", Q("x"), V("y", TG_F32("3,2"))) "]", OUT_Y);
    CHECK(conv(&t, tj, 9) == OX_OK);
    if (t.onnx) CHECK(ATTR_IS(out_node(&t, 0), "perm", 1, 0));
    tg_free(&t);
}

static void test_contiguous(void)
{
#define CONTIG(fmt) \
    TG_JSON(X("2,3"), "[" TG_CONST_INT("f", fmt) "," N("aten::contiguous", Q("x") "," Q("f"), V("y", TG_F32("2,3"))) "]", OUT_Y)
    tg t;
    CHECK(conv(&t, CONTIG(0), 13) == OX_OK);
    if (t.onnx) CHECK(is_graph_input(&t, ox_block_output(t.onnx->top, 0), 0));
    tg_free(&t);
    CHECK(conv(&t, CONTIG(2), 13) == OX_OK); /* channels_last passes, as in torch */
    tg_free(&t);
    expect_fail(CONTIG(3), 13, ONNXIFY_ERR_SYMBOLIC_VALUE, "onnx memory_format support is not implemented");
#undef CONTIG
}

/* ---- size / dim / numel -------------------------------------------------- */

#define SIZE_JSON(d) \
    TG_JSON(X("2,3,4"), "[" TG_CONST_INT("d", d) "," N("aten::size", Q("x") "," Q("d"), V("y", TG_INT)) "]", OUT_Y)

static void test_size(void)
{
    tg t;
    CHECK(conv(&t, SIZE_JSON(1), 9) == OX_OK);
    if (t.onnx) {
        ox_node *gth = out_node(&t, 0);
        CHECK(ox_node_is(gth, "onnx::Gather") && CONST_IN(gth, 1, 0, 1));
        CHECK(ox_node_is(gth->inputs[0]->node, "onnx::Shape"));
    }
    tg_free(&t);
    /* opset 9 resolves a negative dim with the known rank */
    CHECK(conv(&t, SIZE_JSON(-1), 9) == OX_OK);
    if (t.onnx) CHECK(CONST_IN(out_node(&t, 0), 1, 0, 2));
    tg_free(&t);
    /* opset 11+ keeps it negative: Slice + Squeeze on the shape */
    CHECK(conv(&t, SIZE_JSON(-2), 13) == OX_OK);
    if (t.onnx) {
        ox_node *sq = out_node(&t, 0);
        CHECK(ox_node_is(sq, "onnx::Squeeze") && CONST_IN(sq, 1, 1, 0));
        ox_node *sl = sq->inputs[0]->node;
        CHECK(ox_node_is(sl, "onnx::Slice") && sl->ninputs == 4);
        CHECK(CONST_IN(sl, 1, 1, -2) && CONST_IN(sl, 2, 1, -1) && CONST_IN(sl, 3, 1, 0));
    }
    tg_free(&t);
    CHECK(conv(&t, SIZE_JSON(-1), 11) == OX_OK);
    if (t.onnx) {
        ox_node *sq = out_node(&t, 0);
        CHECK(ox_node_is(sq, "onnx::Squeeze") && ATTR_IS(sq, "axes", 0));
        CHECK(CONST_IN(sq->inputs[0]->node, 2, 1, INT64_MAX));
    }
    tg_free(&t);
    const char *whole =
        TG_JSON(X("2,3,4"), "[" N("aten::size", Q("x"), V("y", TG_INTS)) "]", OUT_Y);
    CHECK(conv(&t, whole, 11) == OX_OK);
    if (t.onnx) CHECK(ox_node_is(out_node(&t, 0), "onnx::Shape") && tg_size(t.onnx) == 1);
    tg_free(&t);
}

static void test_dim_numel(void)
{
    const char *json = TG_JSON(X("2,3,4"),
                               "[" N("aten::dim", Q("x"), V("y", TG_INT)) "," N("aten::numel", Q("x"), V("z", TG_INT)) "]",
                               "[" Q("y") "," Q("z") "]");
    int opsets[] = {9, 18};
    for (int k = 0; k < 2; k++) {
        tg t;
        CHECK(conv(&t, json, opsets[k]) == OX_OK);
        if (t.onnx) {
            ox_node *size = out_node(&t, 0), *prod = out_node(&t, 1);
            CHECK(ox_node_is(size, "onnx::Size") && ox_node_is(size->inputs[0]->node, "onnx::Shape"));
            CHECK(ox_node_is(prod, "onnx::ReduceProd") && prod->ninputs == 1);
            CHECK_EQ_INT(tg_attr_i(prod, "keepdims", -1), 0);
        }
        tg_free(&t);
    }
}

/* ---- squeeze / unsqueeze ------------------------------------------------- */

#define SQUEEZE_JSON(xshape, d)                                                                                 \
    TG_JSON("[" V("x", TG_F32(xshape)) "]",                                                                     \
            "[" TG_CONST_INT("d", d) "," N("aten::squeeze", Q("x") "," Q("d"), V("y", TG_F32_ANY)) "]", OUT_Y)

static void test_squeeze_static(void)
{
    tg t;
    CHECK(conv(&t, SQUEEZE_JSON("2,1,4", 1), 9) == OX_OK);
    if (t.onnx) CHECK(ox_node_is(out_node(&t, 0), "onnx::Squeeze") && ATTR_IS(out_node(&t, 0), "axes", 1));
    tg_free(&t);
    CHECK(conv(&t, SQUEEZE_JSON("2,1,4", -2), 11) == OX_OK);
    if (t.onnx) CHECK(ATTR_IS(out_node(&t, 0), "axes", 1));
    tg_free(&t);
    CHECK(conv(&t, SQUEEZE_JSON("2,1,4", -2), 13) == OX_OK);
    if (t.onnx) {
        ox_node *sq = out_node(&t, 0);
        CHECK(ox_node_is(sq, "onnx::Squeeze") && CONST_IN(sq, 1, 1, 1) && no_attr(sq, "axes"));
    }
    tg_free(&t);
    /* a dim of size > 1 is not squeezed at all */
    int opsets[] = {9, 11, 13};
    for (int k = 0; k < 3; k++) {
        CHECK(conv(&t, SQUEEZE_JSON("2,1,4", 2), opsets[k]) == OX_OK);
        if (t.onnx) CHECK(is_graph_input(&t, ox_block_output(t.onnx->top, 0), 0));
        tg_free(&t);
    }
    const char *all = TG_JSON(X("2,1,4"), "[" N("aten::squeeze", Q("x"), V("y", TG_F32("2,4"))) "]", OUT_Y);
    CHECK(conv(&t, all, 13) == OX_OK);
    if (t.onnx) {
        ox_node *sq = out_node(&t, 0);
        CHECK(ox_node_is(sq, "onnx::Squeeze") && sq->ninputs == 1 && no_attr(sq, "axes"));
    }
    tg_free(&t);
}

/* Unknown size at opset 11+: If(shape[d] == 1, Squeeze, Identity). */
static void test_squeeze_dynamic(void)
{
    tg t;
    CHECK(conv(&t, SQUEEZE_JSON("2,null,4", 1), 9) == OX_OK); /* opset 9 squeezes anyway */
    if (t.onnx) CHECK(ATTR_IS(out_node(&t, 0), "axes", 1));
    tg_free(&t);
    int opsets[] = {11, 13};
    for (int k = 0; k < 2; k++) {
        CHECK(conv(&t, SQUEEZE_JSON("2,null,4", -2), opsets[k]) == OX_OK);
        if (t.onnx) {
            ox_node *ifn = out_node(&t, 0);
            CHECK(ox_node_is(ifn, "onnx::If") && ifn->nblocks == 2);
            ox_node *eq = ifn->inputs[0]->node;
            CHECK(ox_node_is(eq, "onnx::Equal") && CONST_IN(eq, 1, 1, 1));
            ox_node *gth = eq->inputs[0]->node;
            CHECK(ox_node_is(gth, "onnx::Gather") && CONST_IN(gth, 1, 1, -2));
            if (ifn->nblocks == 2) {
                ox_node *sq = ox_block_output(ifn->blocks[0], 0)->node;
                CHECK(ox_node_is(sq, "onnx::Squeeze"));
                CHECK(sq->owner == ifn->blocks[0]);
                if (opsets[k] >= 13) CHECK(CONST_IN(sq, 1, 1, -2));
                else CHECK(ATTR_IS(sq, "axes", -2));
                ox_node *id = ox_block_output(ifn->blocks[1], 0)->node;
                CHECK(ox_node_is(id, "onnx::Identity") && is_graph_input(&t, id->inputs[0], 0));
            }
        }
        tg_free(&t);
    }
}

#define UNSQUEEZE_JSON(d) \
    TG_JSON(X("2,3"), "[" TG_CONST_INT("d", d) "," N("aten::unsqueeze", Q("x") "," Q("d"), V("y", TG_F32("2,3,1"))) "]", OUT_Y)

static void test_unsqueeze(void)
{
    tg t;
    CHECK(conv(&t, UNSQUEEZE_JSON(-1), 9) == OX_OK); /* 9: made non-negative with the rank */
    if (t.onnx) CHECK(ATTR_IS(out_node(&t, 0), "axes", 2));
    tg_free(&t);
    CHECK(conv(&t, UNSQUEEZE_JSON(-1), 11) == OX_OK);
    if (t.onnx) CHECK(ATTR_IS(out_node(&t, 0), "axes", -1));
    tg_free(&t);
    CHECK(conv(&t, UNSQUEEZE_JSON(1), 13) == OX_OK);
    if (t.onnx) {
        ox_node *u = out_node(&t, 0);
        CHECK(ox_node_is(u, "onnx::Unsqueeze") && CONST_IN(u, 1, 1, 1) && no_attr(u, "axes"));
    }
    tg_free(&t);
}

/* ---- cat / stack --------------------------------------------------------- */

static const char *CAT_STACK = TG_JSON(
    "[" V("a", TG_F32("2,3")) "," V("b", TG_F32("2,3")) "]",
    "[" N("prim::ListConstruct", Q("a") "," Q("b"), V("l", TG_TENSORS)) "," TG_CONST_INT("d", 1) "," TG_CONST_INT(
        "e", -1) "," N("aten::cat", Q("l") "," Q("d"), V("y", TG_F32("2,6"))) "," N("aten::stack", Q("l") "," Q("e"),
                                                                                   V("z", TG_F32("2,3,2"))) "]",
    "[" Q("y") "," Q("z") "]");

static void test_cat_stack(void)
{
    int opsets[] = {9, 11, 13};
    for (int k = 0; k < 3; k++) {
        tg t;
        CHECK(conv(&t, CAT_STACK, opsets[k]) == OX_OK);
        if (t.onnx) {
            ox_node *cat = out_node(&t, 0);
            CHECK(ox_node_is(cat, "onnx::Concat") && cat->ninputs == 2);
            CHECK_EQ_INT(tg_attr_i(cat, "axis", 0), 1);
            CHECK(is_graph_input(&t, cat->inputs[0], 0) && is_graph_input(&t, cat->inputs[1], 1));
            ox_node *st = out_node(&t, 1);
            CHECK(ox_node_is(st, "onnx::Concat") && st->ninputs == 2);
            CHECK_EQ_INT(tg_attr_i(st, "axis", 0), -1);
            ox_node *u = st->inputs[1]->node;
            CHECK(ox_node_is(u, "onnx::Unsqueeze"));
            if (opsets[k] >= 13) CHECK(CONST_IN(u, 1, 1, -1));
            else CHECK(ATTR_IS(u, "axes", -1));
        }
        tg_free(&t);
    }
}

/* A Tensor[] graph input is a sequence: ConcatFromSequence from opset 11. */
static void test_cat_sequence(void)
{
    const char *json = TG_JSON(
        "[" V("l", TG_TENSORS) "]",
        "[" TG_CONST_INT("d", 0) "," N("aten::cat", Q("l") "," Q("d"), V("y", TG_F32_ANY)) "," N(
            "aten::stack", Q("l") "," Q("d"), V("z", TG_F32_ANY)) "]",
        "[" Q("y") "," Q("z") "]");
    tg t;
    CHECK(conv(&t, json, 11) == OX_OK);
    if (t.onnx) {
        ox_node *c = out_node(&t, 0), *s = out_node(&t, 1);
        CHECK(ox_node_is(c, "onnx::ConcatFromSequence") && no_attr(c, "new_axis"));
        CHECK(ox_node_is(s, "onnx::ConcatFromSequence") && tg_attr_i(s, "new_axis", 0) == 1);
    }
    tg_free(&t);
    expect_fail(json, 9, ONNXIFY_ERR_SYMBOLIC_VALUE, "ListConstruct");
}

/* ---- expand / expand_as / repeat ----------------------------------------- */

static const char *EXPAND_CONST = TG_JSON(
    X("2,1,4"),
    "[" TG_CONST_INTS("s", -1, 3, -1) "," TG_CONST_BOOL("imp", 0) "," N("aten::expand", Q("x") "," Q("s") "," Q("imp"),
                                                                      V("y", TG_F32("2,3,4"))) "]",
    OUT_Y);

static void test_expand_constant(void)
{
    int opsets[] = {9, 13, 17};
    for (int k = 0; k < 3; k++) {
        tg t;
        CHECK(conv(&t, EXPAND_CONST, opsets[k]) == OX_OK);
        if (t.onnx) {
            ox_node *e = out_node(&t, 0);
            CHECK(ox_node_is(e, "onnx::Expand") && is_graph_input(&t, e->inputs[0], 0));
            ox_node *w = e->inputs[1]->node;
            CHECK(ox_node_is(w, "onnx::Where"));
            ox_node *eq = w->inputs[0]->node, *ones = w->inputs[1]->node;
            CHECK(ox_node_is(eq, "onnx::Equal") && CONST_IN(eq, 0, 1, -1, 3, -1));
            CHECK(w->inputs[2] == eq->inputs[0]);
            CHECK(ox_node_is(ones, "onnx::ConstantOfShape"));
            ox_attr *val = ox_node_attr(ones, "value");
            CHECK(val && val->kind == OX_ATTR_T && val->v.t->dtype == OX_INT64 && val->v.t->rank == 1 &&
                  ox_tensor_get_i(val->v.t, 0) == 1);
            CHECK(ox_node_is(ones->inputs[0]->node, "onnx::Shape"));
            ox_node *mul = eq->inputs[1]->node;
            CHECK(ox_node_is(mul, "onnx::Mul") && mul->inputs[0]->node == ones && CONST_IN(mul, 1, 0, -1));
        }
        tg_free(&t);
    }
}

static void test_expand_dynamic(void)
{
    const char *json = TG_JSON(
        "[" V("x", TG_F32("null,1")) "]",
        "[" TG_CONST_INT("zero", 0) "," N("aten::size", Q("x") "," Q("zero"), V("n", TG_INT)) "," TG_CONST_INT(
            "three", 3) "," N("prim::ListConstruct", Q("n") "," Q("three"), V("l", TG_INTS)) "," TG_CONST_BOOL("imp", 0) "," N(
            "aten::expand", Q("x") "," Q("l") "," Q("imp"), V("y", TG_F32("null,3"))) "]",
        OUT_Y);
    int opsets[] = {9, 14};
    for (int k = 0; k < 2; k++) {
        tg t;
        CHECK(conv(&t, json, opsets[k]) == OX_OK);
        if (t.onnx) {
            ox_node *w = out_node(&t, 0)->inputs[1]->node;
            ox_node *r = w->inputs[2]->node;
            CHECK(ox_node_is(r, "onnx::Reshape") && CONST_IN(r, 1, 1, -1));
            if (opsets[k] >= 14) CHECK_EQ_INT(tg_attr_i(r, "allowzero", -1), 0);
            ox_node *cat = r->inputs[0]->node;
            CHECK(ox_node_is(cat, "onnx::Concat") && cat->ninputs == 2);
            CHECK(ox_node_is(cat->inputs[0]->node, "onnx::Unsqueeze"));
            CHECK_EQ_INT(tg_count(t.onnx, "onnx::Constant"), opsets[k] >= 13 ? 8 : 6);
        }
        tg_free(&t);
    }
    expect_fail(EXPAND_CONST, 7, ONNXIFY_ERR_EXPORTER, "ONNX export failed on expand, which is not implemented for opset 7");
    tg t;
    CHECK(conv(&t, EXPAND_CONST, 8) == OX_OK); /* opset 8 takes opset 9's form, as torch does */
    tg_free(&t);
}

/* expand_as of a constant that is the same along every dim becomes a scalar. */
static void test_expand_as(void)
{
    /* int64 [[5],[5]]: base64 of two little-endian int64 5s */
    const char *json = TG_JSON(
        "[" V("o", TG_F32("2,3")) "]",
        "[{\"kind\":\"prim::Constant\",\"inputs\":[],\"outputs\":[" V("c", TG_I64("2,1")) "],\"attributes\":[{\"name\":"
        "\"value\",\"kind\":\"t\",\"value\":{\"dtype\":\"int64\",\"shape\":[2,1],\"data\":\"BQAAAAAAAAAFAAAAAAAAAA==\"}}]},"
        "{\"kind\":\"aten::expand_as\",\"inputs\":[\"c\",\"o\"],\"outputs\":[" V("y", TG_I64("2,3")) "]}]",
        OUT_Y);
    tg t;
    CHECK(conv(&t, json, 13) == OX_OK);
    if (t.onnx) {
        ox_node *e = out_node(&t, 0);
        CHECK(ox_node_is(e, "onnx::Expand"));
        CHECK(CONST_IN(e, 0, 0, 5));
        CHECK(ox_node_is(e->inputs[1]->node, "onnx::Shape") && is_graph_input(&t, e->inputs[1]->node->inputs[0], 0));
    }
    tg_free(&t);
    const char *plain = TG_JSON("[" V("x", TG_F32("3")) "," V("o", TG_F32("2,3")) "]",
                                "[" N("aten::expand_as", Q("x") "," Q("o"), V("y", TG_F32("2,3"))) "]", OUT_Y);
    CHECK(conv(&t, plain, 9) == OX_OK);
    if (t.onnx) CHECK(is_graph_input(&t, out_node(&t, 0)->inputs[0], 0));
    tg_free(&t);
}

static const char *REPEAT = TG_JSON(
    X("2,3"), "[" TG_CONST_INTS("r", 2, 1, 3) "," N("aten::repeat", Q("x") "," Q("r"), V("y", TG_F32("2,2,9"))) "]", OUT_Y);

static void test_repeat(void)
{
    tg t;
    CHECK(conv(&t, REPEAT, 9) == OX_OK);
    if (t.onnx) {
        ox_node *tile = out_node(&t, 0);
        CHECK(ox_node_is(tile, "onnx::Tile") && CONST_IN(tile, 1, 1, 2, 1, 3));
        ox_node *ex = tile->inputs[0]->node;
        CHECK(ox_node_is(ex, "onnx::Expand") && is_graph_input(&t, ex->inputs[0], 0));
        ox_node *ones = ex->inputs[1]->node;
        CHECK(ox_node_is(ones, "onnx::ConstantOfShape"));
        CHECK(ox_node_is(ones->inputs[0]->node, "onnx::Shape") && ones->inputs[0]->node->inputs[0] == tile->inputs[1]);
    }
    tg_free(&t);
    /* opset 8: Tile only, the static input reshaped to the repeats' rank */
    CHECK(conv(&t, REPEAT, 8) == OX_OK);
    if (t.onnx) {
        ox_node *tile = out_node(&t, 0);
        CHECK(ox_node_is(tile, "onnx::Tile") && CONST_IN(tile, 1, 1, 2, 1, 3));
        ox_node *r = tile->inputs[0]->node;
        CHECK(ox_node_is(r, "onnx::Reshape") && CONST_IN(r, 1, 1, 1, 2, 3));
        CHECK_EQ_INT(tg_count(t.onnx, "onnx::Expand"), 0);
        CHECK_EQ_INT(tg_count(t.onnx, "onnx::Constant"), 2);
    }
    tg_free(&t);
}

/* ---- split / chunk / unbind ---------------------------------------------- */

#define SPLIT3(kind, sizes_node, xshape, with_attr)                                                          \
    TG_JSON("[" V("x", TG_F32(xshape)) "]",                                                                  \
            "[" sizes_node "," TG_CONST_INT("d", 0) ",{\"kind\":\"" kind "\",\"inputs\":[\"x\",\"s\",\"d\"],"     \
            "\"outputs\":[" V("a", TG_F32_ANY) "," V("b", TG_F32_ANY) "," V("c", TG_F32_ANY) "]" with_attr "}]", \
            "[" Q("a") "," Q("b") "," Q("c") "]")
#define OUTPUTS3 ",\"attributes\":[" ATTR_I("_outputs", 3) "]"

static void test_split_static(void)
{
    const char *by_size = SPLIT3("aten::split", TG_CONST_INT("s", 3), "7,4", OUTPUTS3);
    int opsets[] = {9, 11, 12};
    for (int k = 0; k < 3; k++) {
        tg t;
        CHECK(conv(&t, by_size, opsets[k]) == OX_OK);
        if (t.onnx) {
            ox_node *sp = out_node(&t, 0);
            CHECK(ox_node_is(sp, "onnx::Split") && sp->noutputs == 3 && sp->ninputs == 1);
            CHECK(ATTR_IS(sp, "split", 3, 3, 1));
            CHECK_EQ_INT(tg_attr_i(sp, "axis", -1), 0);
            CHECK(out_node(&t, 2) == sp && ox_block_output(t.onnx->top, 2) == sp->outputs[2]);
        }
        tg_free(&t);
    }
    int opsets13[] = {13, 17, 18};
    for (int k = 0; k < 3; k++) {
        tg t;
        CHECK(conv(&t, by_size, opsets13[k]) == OX_OK);
        if (t.onnx) {
            ox_node *sp = out_node(&t, 0);
            CHECK(ox_node_is(sp, "onnx::Split") && sp->ninputs == 2 && CONST_IN(sp, 1, 1, 3, 3, 1));
            CHECK(no_attr(sp, "split") && no_attr(sp, "num_outputs"));
        }
        tg_free(&t);
    }
    /* unknown size along dim: split_size * outputs */
    tg t;
    CHECK(conv(&t, SPLIT3("aten::split", TG_CONST_INT("s", 2), "null,4", OUTPUTS3), 9) == OX_OK);
    if (t.onnx) CHECK(ATTR_IS(out_node(&t, 0), "split", 2, 2, 2));
    tg_free(&t);
    /* a list of sizes; the pieces' count also comes from the outputs */
    const char *sizes = SPLIT3("aten::split_with_sizes", TG_CONST_INTS("s", 2, 4, 1), "7,4", "");
    CHECK(conv(&t, sizes, 9) == OX_OK);
    if (t.onnx) CHECK(ATTR_IS(out_node(&t, 0), "split", 2, 4, 1));
    tg_free(&t);
    CHECK(conv(&t, sizes, 13) == OX_OK);
    if (t.onnx) CHECK(CONST_IN(out_node(&t, 0), 1, 1, 2, 4, 1));
    tg_free(&t);
}

static void test_split_dynamic(void)
{
    /* one list result: only a sequence can hold it */
    const char *seq = TG_JSON(
        X("7,4"),
        "[" TG_CONST_INT("s", 3) "," TG_CONST_INT("d", 1) "," N("aten::split", Q("x") "," Q("s") "," Q("d"), V("l", TG_TENSORS)) "]",
        "[" Q("l") "]");
    expect_fail(seq, 9, ONNXIFY_ERR_SYMBOLIC_VALUE,
                "Unsupported: ONNX export of split in opset 9. Dynamic number of outputs not supported. Please try "
                "opset version 11.");
    tg t;
    CHECK(conv(&t, seq, 11) == OX_OK);
    if (t.onnx) {
        ox_node *s = out_node(&t, 0);
        CHECK(ox_node_is(s, "onnx::SplitToSequence") && CONST_IN(s, 1, 0, 3));
        CHECK_EQ_INT(tg_attr_i(s, "axis", -1), 1);
    }
    tg_free(&t);
    /* runtime sizes, as many as outputs: one Slice per piece */
    const char *slices = TG_JSON(
        "[" V("x", TG_F32("null,4")) "]",
        "[" TG_CONST_INT("zero", 0) "," N("aten::size", Q("x") "," Q("zero"), V("n", TG_INT)) "," TG_CONST_INT(
            "one", 1) "," N("prim::ListConstruct", Q("one") "," Q("n"), V("s", TG_INTS)) "," NA(
            "aten::split_with_sizes", Q("x") "," Q("s") "," Q("zero"), V("a", TG_F32_ANY) "," V("b", TG_F32_ANY),
            ATTR_I("_outputs", 2)) "]",
        "[" Q("a") "," Q("b") "]");
    CHECK(conv(&t, slices, 13) == OX_OK);
    if (t.onnx) {
        ox_node *s0 = out_node(&t, 0), *s1 = out_node(&t, 1);
        CHECK(ox_node_is(s0, "onnx::Slice") && s0->ninputs == 4 && ox_node_is(s1, "onnx::Slice"));
        CHECK(CONST_IN(s0, 1, 1, 0) && CONST_IN(s0, 3, 1, 0));
        ox_node *end0 = s0->inputs[2]->node;
        CHECK(ox_node_is(end0, "onnx::Add") && s1->inputs[1] == s0->inputs[2]);
        CHECK(ox_node_is(end0->inputs[1]->node, "onnx::Unsqueeze"));
        CHECK_EQ_INT(tg_count(t.onnx, "onnx::SplitToSequence"), 0);
    }
    tg_free(&t);
    expect_fail(slices, 9, ONNXIFY_ERR_SYMBOLIC_VALUE, "not a constant int list");
}

static void test_unsafe_chunk(void)
{
    const char *json = SPLIT3("aten::unsafe_chunk", TG_CONST_INT("s", 3), "8,4", OUTPUTS3);
    tg t;
    CHECK(conv(&t, json, 9) == OX_OK);
    if (t.onnx) CHECK(ATTR_IS(out_node(&t, 0), "split", 3, 3, 2));
    tg_free(&t);
    CHECK(conv(&t, json, 13) == OX_OK);
    if (t.onnx) CHECK(CONST_IN(out_node(&t, 0), 1, 1, 3, 3, 2));
    tg_free(&t);
}

#define CONSTANT_CHUNK(xshape)                                                                      \
    TG_JSON("[" V("x", TG_F32(xshape)) "]",                                                         \
            "[" NA("prim::ConstantChunk", Q("x"), V("a", TG_F32_ANY) "," V("b", TG_F32_ANY) "," V("c", TG_F32_ANY), \
                   ATTR_I("chunks", 3) "," ATTR_I("dim", -1)) "]",                                   \
            "[" Q("a") "," Q("b") "," Q("c") "]")

static void test_constant_chunk(void)
{
    tg t;
    CHECK(conv(&t, CONSTANT_CHUNK("2,7"), 9) == OX_OK);
    if (t.onnx) {
        ox_node *sp = out_node(&t, 0);
        CHECK(ox_node_is(sp, "onnx::Split") && ATTR_IS(sp, "split", 3, 3, 1));
        CHECK_EQ_INT(tg_attr_i(sp, "axis", 0), -1);
    }
    tg_free(&t);
    expect_fail(CONSTANT_CHUNK("2,null"), 9, ONNXIFY_ERR_SYMBOLIC_VALUE,
                "Unsupported: ONNX export of operator prim::ConstantChunk, unknown dimension size");
    /* opset 11: runtime chunk length, one Slice per chunk */
    int opsets[] = {11, 13};
    for (int k = 0; k < 2; k++) {
        CHECK(conv(&t, CONSTANT_CHUNK("2,null"), opsets[k]) == OX_OK);
        if (t.onnx) {
            CHECK_EQ_INT(tg_count(t.onnx, "onnx::Slice"), 3);
            CHECK_EQ_INT(tg_count(t.onnx, "onnx::Mul"), 3);
            ox_node *s2 = out_node(&t, 2);
            CHECK(ox_node_is(s2, "onnx::Slice") && s2->ninputs == 4 && CONST_IN(s2, 3, 1, -1));
            ox_node *end = s2->inputs[2]->node;
            CHECK(ox_node_is(end, "onnx::Mul") && CONST_IN(end, 1, 1, 3));
            ox_node *div = end->inputs[0]->node;
            CHECK(ox_node_is(div, "onnx::Div") && CONST_IN(div, 1, 1, 3));
            ox_node *add = div->inputs[0]->node;
            CHECK(ox_node_is(add, "onnx::Add") && CONST_IN(add, 1, 1, 2));
            CHECK(CONST_IN(out_node(&t, 0), 1, 1, 0));
        }
        tg_free(&t);
    }
}

/* aten::chunk left as a list (no unpack): sizes computed, SplitToSequence. */
static void test_chunk_sequence(void)
{
    const char *json = TG_JSON(
        X("7,4"),
        "[" TG_CONST_INT("n", 3) "," TG_CONST_INT("d", 0) "," N("aten::chunk", Q("x") "," Q("n") "," Q("d"), V("l", TG_TENSORS)) "]",
        "[" Q("l") "]");
    tg t;
    CHECK(conv(&t, json, 11) == OX_OK);
    if (t.onnx) {
        ox_node *s = out_node(&t, 0);
        CHECK(ox_node_is(s, "onnx::SplitToSequence") && tg_attr_i(s, "axis", -1) == 0);
        ox_node *cat = s->inputs[1]->node;
        CHECK(ox_node_is(cat, "onnx::Concat") && cat->ninputs == 2);
        CHECK(ox_node_is(cat->inputs[0]->node, "onnx::Expand") && ox_node_is(cat->inputs[1]->node, "onnx::Sub"));
    }
    tg_free(&t);
    expect_fail(json, 10, ONNXIFY_ERR_UNSUPPORTED_OPERATOR, "aten::chunk");
}

#define UNBIND(with_attr)                                                                                     \
    TG_JSON(X("2,3"),                                                                                         \
            "[" TG_CONST_INT("d", 1) ",{\"kind\":\"aten::unbind\",\"inputs\":[\"x\",\"d\"],\"outputs\":[" V(      \
                "a", TG_F32("2")) "," V("b", TG_F32("2")) "," V("c", TG_F32("2")) "]" with_attr "}]",            \
            "[" Q("a") "," Q("b") "," Q("c") "]")

static void test_unbind(void)
{
    tg t;
    CHECK(conv(&t, UNBIND(""), 9) == OX_OK);
    if (t.onnx) {
        ox_node *sq = out_node(&t, 1);
        CHECK(ox_node_is(sq, "onnx::Squeeze") && ATTR_IS(sq, "axes", 1));
        ox_node *sp = sq->inputs[0]->node;
        CHECK(ox_node_is(sp, "onnx::Split") && ATTR_IS(sp, "split", 1, 1, 1) && sq->inputs[0] == sp->outputs[1]);
    }
    tg_free(&t);
    CHECK(conv(&t, UNBIND(OUTPUTS3), 13) == OX_OK);
    if (t.onnx) {
        ox_node *sq = out_node(&t, 2);
        CHECK(ox_node_is(sq, "onnx::Squeeze") && CONST_IN(sq, 1, 1, 1));
        ox_node *sp = sq->inputs[0]->node;
        CHECK(ox_node_is(sp, "onnx::Split") && CONST_IN(sp, 1, 1, 1, 1, 1));
        CHECK_EQ_INT(tg_count(t.onnx, "onnx::Squeeze"), 3);
    }
    tg_free(&t);
    const char *seq = TG_JSON(
        X("2,3"), "[" TG_CONST_INT("d", 1) "," N("aten::unbind", Q("x") "," Q("d"), V("l", TG_TENSORS)) "]", "[" Q("l") "]");
    int opsets[] = {11, 13};
    for (int k = 0; k < 2; k++) {
        CHECK(conv(&t, seq, opsets[k]) == OX_OK);
        if (t.onnx) {
            ox_node *s = out_node(&t, 0);
            CHECK(ox_node_is(s, "onnx::SplitToSequence") && CONST_IN(s, 1, 0, 1));
            CHECK_EQ_INT(tg_attr_i(s, "keepdims", -1), 0);
        }
        tg_free(&t);
    }
    expect_fail(seq, 9, ONNXIFY_ERR_SYMBOLIC_VALUE, "ONNX export of unbind in opset 9");
}

/* ---- select / slice / narrow --------------------------------------------- */

#define SELECT(i) \
    TG_JSON(X("6,4,5"), "[" TG_CONST_INT("d", 1) "," TG_CONST_INT("i", i) "," N("aten::select", Q("x") "," Q("d") "," Q("i"), V("y", TG_F32("6,5"))) "]", OUT_Y)

static void test_select(void)
{
    tg t;
    CHECK(conv(&t, SELECT(2), 9) == OX_OK);
    if (t.onnx) {
        ox_node *gth = out_node(&t, 0);
        CHECK(ox_node_is(gth, "onnx::Gather") && CONST_IN(gth, 1, 0, 2));
        CHECK_EQ_INT(tg_attr_i(gth, "axis", -1), 1);
    }
    tg_free(&t);
    CHECK(conv(&t, SELECT(-1), 9) == OX_OK);
    if (t.onnx) {
        ox_node *sq = out_node(&t, 0);
        CHECK(ox_node_is(sq, "onnx::Squeeze") && ATTR_IS(sq, "axes", 1));
        ox_node *sl = sq->inputs[0]->node;
        CHECK(ATTR_IS(sl, "axes", 1) && ATTR_IS(sl, "starts", -1) && ATTR_IS(sl, "ends", INT64_MAX));
    }
    tg_free(&t);
    CHECK(conv(&t, SELECT(-2), 10) == OX_OK);
    if (t.onnx) {
        ox_node *sl = out_node(&t, 0)->inputs[0]->node;
        CHECK(ox_node_is(sl, "onnx::Slice") && sl->ninputs == 4);
        CHECK(CONST_IN(sl, 1, 1, -2) && CONST_IN(sl, 2, 1, -1) && CONST_IN(sl, 3, 1, 1));
    }
    tg_free(&t);
    CHECK(conv(&t, SELECT(-2), 11) == OX_OK); /* Gather-11 takes negative indices */
    if (t.onnx) {
        ox_node *gth = out_node(&t, 0);
        CHECK(ox_node_is(gth, "onnx::Gather") && CONST_IN(gth, 1, 0, -2) && tg_size(t.onnx) == 3);
    }
    tg_free(&t);
}

#define SLICE(xshape, d, start, end, step)                                                                        \
    TG_JSON("[" V("x", TG_F32(xshape)) "]",                                                                       \
            "[" TG_CONST_INT("d", d) "," start "," end "," TG_CONST_INT("st", step) "," N(                           \
                "aten::slice", Q("x") "," Q("d") "," Q("s") "," Q("e") "," Q("st"), V("y", TG_F32_ANY)) "]",           \
            OUT_Y)

static void test_slice_static(void)
{
    const char *json = SLICE("6,4", 1, TG_CONST_INT("s", 1), TG_CONST_INT("e", 9223372036854775807), 1);
    tg t;
    CHECK(conv(&t, json, 9) == OX_OK);
    if (t.onnx) {
        ox_node *sl = out_node(&t, 0);
        CHECK(ox_node_is(sl, "onnx::Slice") && sl->ninputs == 1);
        CHECK(ATTR_IS(sl, "axes", 1) && ATTR_IS(sl, "starts", 1) && ATTR_IS(sl, "ends", INT64_MAX));
    }
    tg_free(&t);
    int opsets[] = {10, 13};
    for (int k = 0; k < 2; k++) {
        CHECK(conv(&t, json, opsets[k]) == OX_OK);
        if (t.onnx) {
            ox_node *sl = out_node(&t, 0);
            CHECK(ox_node_is(sl, "onnx::Slice") && sl->ninputs == 5);
            CHECK(CONST_IN(sl, 1, 1, 1) && CONST_IN(sl, 2, 1, INT64_MAX) && CONST_IN(sl, 3, 1, 1) &&
                  CONST_IN(sl, 4, 1, 1));
        }
        tg_free(&t);
    }
    /* [:, :] is no slice; None start/end mean 0 and INT64_MAX */
    const char *full = SLICE("6,4", 1, TG_CONST_NONE("s"), TG_CONST_NONE("e"), 1);
    int all[] = {9, 10, 13};
    for (int k = 0; k < 3; k++) {
        CHECK(conv(&t, full, all[k]) == OX_OK);
        if (t.onnx) CHECK(is_graph_input(&t, ox_block_output(t.onnx->top, 0), 0));
        tg_free(&t);
    }
    const char *stepped = SLICE("6,4", 0, TG_CONST_NONE("s"), TG_CONST_INT("e", -1), 2);
    expect_fail(stepped, 9, ONNXIFY_ERR_SYMBOLIC_VALUE, "step!=1 is currently not supported");
    CHECK(conv(&t, stepped, 11) == OX_OK);
    if (t.onnx) {
        ox_node *sl = out_node(&t, 0);
        CHECK(CONST_IN(sl, 1, 1, 0) && CONST_IN(sl, 2, 1, -1) && CONST_IN(sl, 3, 1, 0) && CONST_IN(sl, 4, 1, 2));
    }
    tg_free(&t);
}

/* x[:x.size(0)]: runtime end */
static void test_slice_dynamic(void)
{
    const char *json = TG_JSON(
        "[" V("x", TG_F32("null,4")) "]",
        "[" TG_CONST_INT("d", 0) "," N("aten::size", Q("x") "," Q("d"), V("e", TG_INT)) "," TG_CONST_NONE("s") "," TG_CONST_INT(
            "st", 1) "," N("aten::slice", Q("x") "," Q("d") "," Q("s") "," Q("e") "," Q("st"), V("y", TG_F32_ANY)) "]",
        OUT_Y);
    expect_fail(json, 9, ONNXIFY_ERR_SYMBOLIC_VALUE, "Unsupported: ONNX export of Slice with dynamic inputs");
    int opsets[] = {10, 13};
    for (int k = 0; k < 2; k++) {
        tg t;
        CHECK(conv(&t, json, opsets[k]) == OX_OK);
        if (t.onnx) {
            ox_node *sl = out_node(&t, 0);
            CHECK(ox_node_is(sl, "onnx::Slice") && sl->ninputs == 5 && CONST_IN(sl, 4, 1, 1));
            for (int i = 1; i <= 3; i++) CHECK(ox_node_is(sl->inputs[i]->node, "onnx::Unsqueeze"));
            ox_node *us = sl->inputs[1]->node;
            ox_value *start = us->inputs[0];
            CHECK(ox_node_is(start->node, "onnx::Constant") && ox_value_const_tensor(start)->rank == 0);
            CHECK(ox_node_is(sl->inputs[2]->node->inputs[0]->node, "onnx::Gather"));
        }
        tg_free(&t);
    }
}

static const char *NARROW = TG_JSON(
    X("6,4"),
    "[" TG_CONST_INT("d", 1) "," TG_CONST_INT("s", 1) "," TG_CONST_INT("n", 2) "," N(
        "aten::narrow", Q("x") "," Q("d") "," Q("s") "," Q("n"), V("y", TG_F32("6,2"))) "]",
    OUT_Y);

static void test_narrow(void)
{
    tg t;
    CHECK(conv(&t, NARROW, 9) == OX_OK);
    if (t.onnx) CHECK(ATTR_IS(out_node(&t, 0), "starts", 1) && ATTR_IS(out_node(&t, 0), "ends", 3));
    tg_free(&t);
    CHECK(conv(&t, NARROW, 10) == OX_OK);
    if (t.onnx) {
        ox_node *sl = out_node(&t, 0);
        CHECK(sl->ninputs == 4 && CONST_IN(sl, 1, 1, 1) && CONST_IN(sl, 2, 1, 3) && CONST_IN(sl, 3, 1, 1));
    }
    tg_free(&t);
    CHECK(conv(&t, NARROW, 13) == OX_OK);
    if (t.onnx) {
        ox_node *sl = out_node(&t, 0);
        CHECK(ox_node_is(sl, "onnx::Slice") && sl->ninputs == 4);
        ox_node *end = sl->inputs[2]->node->inputs[0]->node;
        CHECK(ox_node_is(end, "onnx::Add"));
        CHECK(ox_node_is(sl->inputs[1]->node, "onnx::Unsqueeze") && CONST_IN(sl->inputs[1]->node, 1, 1, 0));
    }
    tg_free(&t);
}

/* ---- type_as ------------------------------------------------------------- */

static void test_type_as(void)
{
    const char *json = TG_JSON("[" V("x", TG_F32("2")) "," V("i", TG_I64("2")) "," V("f", TG_F32("3")) "]",
                               "[" N("aten::type_as", Q("x") "," Q("i"), V("y", TG_I64("2"))) "," N(
                                   "aten::type_as", Q("x") "," Q("f"), V("z", TG_F32("2"))) "]",
                               "[" Q("y") "," Q("z") "]");
    tg t;
    CHECK(conv(&t, json, 13) == OX_OK);
    if (t.onnx) {
        ox_node *c = out_node(&t, 0);
        CHECK(ox_node_is(c, "onnx::Cast") && tg_attr_i(c, "to", -1) == OX_INT64);
        CHECK(is_graph_input(&t, ox_block_output(t.onnx->top, 1), 0));
    }
    tg_free(&t);
    const char *unknown = TG_JSON("[" V("x", TG_F32("2")) "," V("o", "{\"kind\":\"tensor\"}") "]",
                                  "[" N("aten::type_as", Q("x") "," Q("o"), V("y", TG_F32_ANY)) "]", OUT_Y);
    expect_fail(unknown, 13, ONNXIFY_ERR_SYMBOLIC_VALUE, "type_as for tensor of unknown dtype");
}

/* ---- bad input: a status, never a crash ---------------------------------- */

static void test_runtime_axes(void)
{
    /* dim computed at run time (a 0-d int64 tensor input) */
    const char *unsq = TG_JSON("[" V("x", TG_F32("2,3")) "," V("d", TG_I64("")) "]",
                               "[" N("aten::unsqueeze", Q("x") "," Q("d"), V("y", TG_F32_ANY)) "]", OUT_Y);
    expect_fail(unsq, 11, ONNXIFY_ERR_SYMBOLIC_VALUE, "Opset version must be >= 13 for Unsqueeze with dynamic axes.");
    expect_fail(unsq, 9, ONNXIFY_ERR_SYMBOLIC_VALUE, "not a constant int");
    tg t;
    CHECK(conv(&t, unsq, 13) == OX_OK);
    if (t.onnx) {
        ox_node *u = out_node(&t, 0);
        CHECK(ox_node_is(u, "onnx::Unsqueeze") && is_graph_input(&t, u->inputs[1], 1));
    }
    tg_free(&t);
    const char *sq = TG_JSON("[" V("x", TG_F32("2,1")) "," V("d", TG_I64("")) "]",
                             "[" N("aten::squeeze", Q("x") "," Q("d"), V("y", TG_F32_ANY)) "]", OUT_Y);
    expect_fail(sq, 12, ONNXIFY_ERR_SYMBOLIC_VALUE, "Opset version must be >= 13 for Squeeze with dynamic axes.");
    CHECK(conv(&t, sq, 13) == OX_OK);
    if (t.onnx) {
        ox_node *s = out_node(&t, 0);
        CHECK(ox_node_is(s, "onnx::Squeeze") && ox_node_is(s->inputs[1]->node, "onnx::Unsqueeze"));
    }
    tg_free(&t);
}

/* ---- meshgrid, pixel_shuffle, pixel_unshuffle --------------------------------- */

#define TG_STR_CONST(name, v) \
    "{\"kind\":\"prim::Constant\",\"inputs\":[],\"outputs\":[{\"name\":\"" name "\",\"type\":{\"kind\":\"str\"}}],\"attributes\":[{\"name\":\"value\",\"kind\":\"s\",\"value\":\"" v "\"}]}"
#define MESH_JSON(index_nodes, index_in, o1, o2)                                                                    \
    TG_JSON("[" V("a", TG_F32("3")) "," V("b", "{\"kind\":\"tensor\",\"dtype\":\"int64\",\"shape\":[4]}") "]",     \
            "[" N("prim::ListConstruct", Q("a") "," Q("b"), V("l", TG_TENSORS)) "," index_nodes N(                   \
                "aten::meshgrid", Q("l") index_in, V("g", TG_TENSORS)) "," N("prim::ListUnpack", Q("g"),              \
                                                                            V("y", o1) "," V("z", o2)) "]",         \
            "[" Q("y") "," Q("z") "]")

static void test_meshgrid(void)
{
    const char *ij = MESH_JSON("", "", TG_F32("3,4"), TG_I64("3,4"));
    int opsets[] = {9, 13, 14};
    for (int k = 0; k < 3; k++) {
        tg t;
        CHECK(conv(&t, ij, opsets[k]) == OX_OK);
        if (t.onnx) {
            CHECK_STR(tg_kinds(t.onnx), "Constant,Reshape,Constant,Reshape,Shape,Shape,Concat,Constant,Concat,Reshape,"
                                        "Expand,Constant,Concat,Reshape,Expand");
            for (int i = 0; i < 2; i++) {
                ox_node *e = out_node(&t, i);
                CHECK(ox_node_is(e, "onnx::Expand"));
                ox_node *r = e->inputs[0]->node, *joint = e->inputs[1]->node;
                CHECK(ox_node_is(r, "onnx::Reshape") && ox_node_is(joint, "onnx::Concat"));
                if (opsets[k] >= 14) CHECK_EQ_INT(tg_attr_i(r, "allowzero", -1), 0);
                ox_node *shape_i = r->inputs[1]->node; /* [n, 1] / [1, m] */
                CHECK(ox_node_is(shape_i, "onnx::Concat"));
                CHECK(ox_node_is(shape_i->inputs[i]->node, "onnx::Shape"));
                CHECK(CONST_IN(shape_i, 1 - i, 1, 1));
                /* each result carries its input's dtype and the joint shape */
                ox_type *ty = ox_block_output(t.onnx->top, i)->type;
                CHECK(ty && ty->dtype == (i ? OX_INT64 : OX_FLOAT) && ty->rank == 2 && ty->dims[0] == 3 && ty->dims[1] == 4);
            }
            CHECK(is_graph_input(&t, out_node(&t, 0)->inputs[0]->node->inputs[0]->node->inputs[0], 0));
        }
        tg_free(&t);
    }
    tg t;
    /* indexing='ij' written out, and 'xy': the first two swapped, results swapped back */
    CHECK(conv(&t, MESH_JSON(TG_STR_CONST("ix", "ij") ",", "," Q("ix"), TG_F32("3,4"), TG_I64("3,4")), 9) == OX_OK);
    tg_free(&t);
    CHECK(conv(&t, MESH_JSON(TG_STR_CONST("ix", "xy") ",", "," Q("ix"), TG_F32("4,3"), TG_I64("4,3")), 9) == OX_OK);
    if (t.onnx) {
        for (int i = 0; i < 2; i++) {
            ox_node *r = out_node(&t, i)->inputs[0]->node;
            /* y (from a) is expanded along dim 1, z (from b) along dim 0 */
            CHECK(ox_node_is(r->inputs[1]->node->inputs[1 - i]->node, "onnx::Shape"));
            ox_value *src = r->inputs[0]->node->inputs[0];
            CHECK(is_graph_input(&t, src, i));
            ox_type *ty = ox_block_output(t.onnx->top, i)->type;
            CHECK(ty && ty->rank == 2 && ty->dims[0] == 4 && ty->dims[1] == 3);
        }
    }
    tg_free(&t);
    expect_fail(MESH_JSON(TG_STR_CONST("ix", "yx") ",", "," Q("ix"), TG_F32("3,4"), TG_I64("3,4")), 9,
                ONNXIFY_ERR_SYMBOLIC_VALUE, "Unsupported indexing: yx");
    expect_fail(ij, 7, ONNXIFY_ERR_EXPORTER, "ONNX export failed on meshgrid, which is not implemented for opset 7");
    CHECK(conv(&t, ij, 8) == OX_OK); /* opset 8 takes the opset-9 symbolic */
    tg_free(&t);
    /* a list not built by ListConstruct */
    const char *listin = TG_JSON("[" V("l", TG_TENSORS) "]",
                                 "[" N("aten::meshgrid", Q("l"), V("g", TG_TENSORS)) "]", "[" Q("g") "]");
    expect_fail(listin, 9, ONNXIFY_ERR_SYMBOLIC_VALUE, "expected node type prim::ListConstruct");
}

#define SHUFFLE_JSON(op, xtype, f, ytype) \
    TG_JSON("[" V("x", xtype) "]", "[" TG_CONST_INT("f", f) "," N(op, Q("x") "," Q("f"), V("y", ytype)) "]", OUT_Y)

static void test_pixel_shuffle(void)
{
    const char *ps = SHUFFLE_JSON("aten::pixel_shuffle", TG_F32("1,8,3,5"), 2, TG_F32("1,2,6,10"));
    tg t;
    CHECK(conv(&t, ps, 9) == OX_OK);
    if (t.onnx) {
        CHECK_STR(tg_kinds(t.onnx), "Constant,Reshape,Transpose,Constant,Reshape");
        ox_node *r2 = out_node(&t, 0), *tr = r2->inputs[0]->node, *r1 = tr->inputs[0]->node;
        CHECK(CONST_IN(r2, 1, 1, -1, 2, 6, 10));
        CHECK(ATTR_IS(tr, "perm", 0, 1, 4, 2, 5, 3));
        CHECK(CONST_IN(r1, 1, 1, -1, 2, 2, 2, 3, 5));
    }
    tg_free(&t);
    int opsets[] = {11, 13, 17};
    for (int k = 0; k < 3; k++) {
        CHECK(conv(&t, ps, opsets[k]) == OX_OK);
        if (t.onnx) {
            ox_node *d = out_node(&t, 0);
            CHECK_STR(tg_kinds(t.onnx), "DepthToSpace");
            CHECK_EQ_INT(tg_attr_i(d, "blocksize", -1), 2);
            ox_attr *m = ox_node_attr(d, "mode");
            CHECK(m && m->kind == OX_ATTR_S && strcmp(m->v.s, "CRD") == 0);
        }
        tg_free(&t);
    }
    /* unknown sizes at opset 9: 0/-1 reshapes around an Unsqueeze and a Squeeze */
    const char *dyn = SHUFFLE_JSON("aten::pixel_shuffle", TG_F32("null,8,null,null"), 2, TG_F32("null,2,null,null"));
    CHECK(conv(&t, dyn, 9) == OX_OK);
    if (t.onnx) {
        CHECK_STR(tg_kinds(t.onnx), "Unsqueeze,Constant,Reshape,Transpose,Constant,Reshape,Constant,Reshape,Squeeze");
        CHECK(ATTR_IS(out_node(&t, 0), "axes", 3, 5));
        CHECK(ATTR_IS(tg_find(t.onnx, "onnx::Unsqueeze", 0), "axes", 2, 3));
        CHECK(CONST_IN(tg_find(t.onnx, "onnx::Reshape", 0), 1, 1, 0, -1, 2, 2, 0, 0));
    }
    tg_free(&t);
    expect_fail(SHUFFLE_JSON("aten::pixel_shuffle", TG_F32("8,3,5"), 2, TG_F32("2,6,10")), 9, ONNXIFY_ERR_SYMBOLIC_VALUE,
                "operator pixel_shuffle, only support 4d input");
    expect_fail(SHUFFLE_JSON("aten::pixel_shuffle", TG_F32("8,3,5"), 2, TG_F32("2,6,10")), 11, ONNXIFY_ERR_EXPORTER,
                "operator pixel_shuffle, only support 4d input");
    expect_fail(SHUFFLE_JSON("aten::pixel_shuffle", TG_F32("1,8,3,5"), 0, TG_F32("1,8,3,5")), 9,
                ONNXIFY_ERR_SYMBOLIC_VALUE, "pixel_shuffle with factor 0");
}

static void test_pixel_unshuffle(void)
{
    const char *pu = SHUFFLE_JSON("aten::pixel_unshuffle", TG_F32("1,2,4,6"), 2, TG_F32("1,8,2,3"));
    int opsets[] = {9, 11, 14};
    for (int k = 0; k < 3; k++) {
        tg t;
        CHECK(conv(&t, pu, opsets[k]) == OX_OK);
        if (t.onnx) {
            CHECK_STR(tg_kinds(t.onnx), "Constant,Reshape,Transpose,Constant,Reshape");
            ox_node *r2 = out_node(&t, 0), *tr = r2->inputs[0]->node, *r1 = tr->inputs[0]->node;
            CHECK(CONST_IN(r2, 1, 1, -1, 8, 2, 3));
            CHECK(ATTR_IS(tr, "perm", 0, 1, 3, 5, 2, 4));
            CHECK(CONST_IN(r1, 1, 1, -1, 2, 2, 2, 3, 2));
            if (opsets[k] >= 14) CHECK_EQ_INT(tg_attr_i(r2, "allowzero", -1), 0);
        }
        tg_free(&t);
    }
    tg t;
    CHECK(conv(&t, SHUFFLE_JSON("aten::pixel_unshuffle", TG_F32("1,2,null,6"), 2, TG_F32("1,8,null,3")), 13) == OX_OK);
    if (t.onnx) {
        CHECK_STR(tg_kinds(t.onnx), "Constant,Unsqueeze,Constant,Reshape,Constant,Reshape,Transpose,Constant,Reshape,"
                                    "Constant,Squeeze");
        CHECK(CONST_IN(out_node(&t, 0), 1, 1, 2, 3));
    }
    tg_free(&t);
    expect_fail(SHUFFLE_JSON("aten::pixel_unshuffle", TG_F32("2,4,6"), 2, TG_F32("8,2,3")), 9, ONNXIFY_ERR_SYMBOLIC_VALUE,
                "operator pixel_shuffle, only support 4d input");
}

static void test_bad_input(void)
{
    /* a dim that is not a constant */
    const char *tr = TG_JSON("[" V("x", TG_F32("2,3")) "," V("d", TG_I64("")) "]",
                             "[" TG_CONST_INT("e", 0) "," N("aten::transpose", Q("x") "," Q("d") "," Q("e"), V("y", TG_F32_ANY)) "]",
                             OUT_Y);
    expect_fail(tr, 13, ONNXIFY_ERR_SYMBOLIC_VALUE, "is not a constant int");
    /* out-of-range dims */
    expect_fail(TRANSPOSE_JSON(TG_F32("2,3"), 0, 5), 13, ONNXIFY_ERR_SYMBOLIC_VALUE, "out of range");
    /* ConstantChunk without its attributes */
    const char *cc = TG_JSON(X("4"), "[" N("prim::ConstantChunk", Q("x"), V("a", TG_F32_ANY) "," V("b", TG_F32_ANY)) "]",
                             "[" Q("a") "," Q("b") "]");
    expect_fail(cc, 9, ONNXIFY_ERR_SYMBOLIC_VALUE, "needs int attributes chunks and dim");
    expect_fail(cc, 11, ONNXIFY_ERR_SYMBOLIC_VALUE, "needs int attributes chunks and dim");
    /* _outputs that disagrees with the node's outputs */
    const char *mismatch = SPLIT3("aten::split", TG_CONST_INT("s", 3), "7,4", ",\"attributes\":[" ATTR_I("_outputs", 2) "]");
    expect_fail(mismatch, 9, ONNXIFY_ERR_SYMBOLIC_VALUE, "produced 2 outputs but the node has 3");
    expect_fail(mismatch, 13, ONNXIFY_ERR_SYMBOLIC_VALUE, "produced 2 outputs but the node has 3");
    /* absurd split sizes */
    expect_fail(SPLIT3("aten::split", TG_CONST_INT("s", 0), "7,4", OUTPUTS3), 9, ONNXIFY_ERR_SYMBOLIC_VALUE, "cannot split");
    expect_fail(SPLIT3("aten::split", TG_CONST_INT("s", 9223372036854775807), "null,4", OUTPUTS3), 13,
                ONNXIFY_ERR_SYMBOLIC_VALUE, "bad split size");
    expect_fail(SPLIT3("aten::split", TG_CONST_INT("s", 1), "100000,4", OUTPUTS3), 13, ONNXIFY_ERR_SYMBOLIC_VALUE,
                "too many pieces");
    /* expand_as is blocked in opset 7 as well */
    const char *ea = TG_JSON("[" V("x", TG_F32("3")) "," V("o", TG_F32("2,3")) "]",
                             "[" N("aten::expand_as", Q("x") "," Q("o"), V("y", TG_F32("2,3"))) "]", OUT_Y);
    expect_fail(ea, 7, ONNXIFY_ERR_EXPORTER, "ONNX export failed on expand_as, which is not implemented for opset 7");
}

/* ---- pad ----------------------------------------------------------------- */

#define CONST_STR(name, v)                                                                                   \
    "{\"kind\":\"prim::Constant\",\"inputs\":[],\"outputs\":[{\"name\":\"" name "\",\"type\":{\"kind\":\"str\"}}]," \
    "\"attributes\":[{\"name\":\"value\",\"kind\":\"s\",\"value\":\"" v "\"}]}"
/* aten::pad(x, pad, mode, value) on x: [1, 2, 4, 5] (or `xtype`), the pad list and value as given. */
#define PAD_G(xtype, pad_const, mode, value_const, ytype)                                                  \
    TG_JSON("[" V("x", xtype) "]",                                                                         \
            "[" pad_const "," CONST_STR("mode", mode) "," value_const "," N("aten::pad", Q("x") "," Q("pad") "," \
            Q("mode") "," Q("v"), V("y", ytype)) "]", OUT_Y)

static bool attr_str(ox_node *n, const char *name, const char *want)
{
    ox_attr *a = n ? ox_node_attr(n, name) : NULL;
    return a && a->kind == OX_ATTR_S && !strcmp(a->v.s, want);
}

static double attr_f(ox_node *n, const char *name)
{
    ox_attr *a = n ? ox_node_attr(n, name) : NULL;
    return a && a->kind == OX_ATTR_F ? a->v.f : -12345.0;
}

/* Before opset 11: one Pad, attributes mode, pads (ONNX order), value. */
static void test_pad_attribute_form(void)
{
    for (int opset = 9; opset <= 10; opset++) {
        tg t;
        /* F.pad(x, (1, 2)): the last dim gets 1 before, 2 after; value None = no attribute */
        CHECK(conv(&t, PAD_G(TG_F32("1,2,4,5"), TG_CONST_INTS("pad", 1, 2), "constant", TG_CONST_NONE("v"),
                             TG_F32("1,2,4,8")), opset) == OX_OK);
        if (t.onnx) {
            ox_node *p = out_node(&t, 0);
            CHECK(ox_node_is(p, "onnx::Pad") && p->ninputs == 1 && is_graph_input(&t, p->inputs[0], 0));
            CHECK(attr_str(p, "mode", "constant"));
            CHECK(ATTR_IS(p, "pads", 0, 0, 0, 1, 0, 0, 0, 2));
            CHECK(no_attr(p, "value"));
            /* torch's g.op sorts the attributes */
            CHECK(p->attrs && !strcmp(p->attrs->name, "mode") && p->attrs->next && !strcmp(p->attrs->next->name, "pads"));
        }
        tg_free(&t);
        CHECK(conv(&t, PAD_G(TG_F32("1,2,4,5"), TG_CONST_INTS("pad", 1, 2, 0, 3), "constant",
                             TG_CONST_FLOAT("v", 0.5), TG_F32("1,2,7,8")), opset) == OX_OK);
        if (t.onnx) {
            ox_node *p = out_node(&t, 0);
            CHECK(ATTR_IS(p, "pads", 0, 0, 0, 1, 0, 0, 3, 2));
            CHECK(attr_f(p, "value") == 0.5);
        }
        tg_free(&t);
        CHECK(conv(&t, PAD_G(TG_F32("1,2,4,5"), TG_CONST_INTS("pad", 1, 2, 2, 1), "reflect", TG_CONST_NONE("v"),
                             TG_F32("1,2,7,8")), opset) == OX_OK);
        if (t.onnx) {
            CHECK(attr_str(out_node(&t, 0), "mode", "reflect"));
            CHECK(ATTR_IS(out_node(&t, 0), "pads", 0, 0, 2, 1, 0, 0, 1, 2));
        }
        tg_free(&t);
        CHECK(conv(&t, PAD_G(TG_F32("1,2,5"), TG_CONST_INTS("pad", 2, 1), "replicate", TG_CONST_NONE("v"),
                             TG_F32("1,2,8")), opset) == OX_OK);
        if (t.onnx) {
            CHECK(attr_str(out_node(&t, 0), "mode", "edge"));
            CHECK(ATTR_IS(out_node(&t, 0), "pads", 0, 0, 2, 0, 0, 1));
        }
        tg_free(&t);
    }
    /* an integer input goes through float (Pad-2 takes floats only) */
    tg t;
    CHECK(conv(&t, PAD_G(TG_I64("2,5"), TG_CONST_INTS("pad", 1, 1), "constant", TG_CONST_INT("v", 3),
                         TG_I64("2,7")), 9) == OX_OK);
    if (t.onnx) {
        CHECK_STR(tg_kinds(t.onnx), "Cast,Pad,Cast");
        CHECK(attr_f(tg_find(t.onnx, "onnx::Pad", 0), "value") == 3.0);
        CHECK_EQ_INT(tg_attr_i(tg_find(t.onnx, "onnx::Cast", 1), "to", -1), OX_INT64);
    }
    tg_free(&t);
}

/* The per-mode ops take the same forms. */
static void test_pad_mode_ops(void)
{
    tg t;
    CHECK(conv(&t, TG_JSON(X("1,2,4,5"), "[" TG_CONST_INTS("pad", 1, 1, 1, 1) "," N("aten::reflection_pad2d",
                           Q("x") "," Q("pad"), V("y", TG_F32("1,2,6,7"))) "]", OUT_Y), 9) == OX_OK);
    if (t.onnx) CHECK(attr_str(out_node(&t, 0), "mode", "reflect") && ATTR_IS(out_node(&t, 0), "pads", 0, 0, 1, 1, 0, 0, 1, 1));
    tg_free(&t);
    CHECK(conv(&t, TG_JSON(X("1,2,5"), "[" TG_CONST_INTS("pad", 1, 0) "," N("aten::replication_pad1d",
                           Q("x") "," Q("pad"), V("y", TG_F32("1,2,6"))) "]", OUT_Y), 13) == OX_OK);
    if (t.onnx) {
        ox_node *p = out_node(&t, 0);
        CHECK(ox_node_is(p, "onnx::Pad") && p->ninputs == 2 && attr_str(p, "mode", "edge"));
    }
    tg_free(&t);
    CHECK(conv(&t, TG_JSON(X("1,2,5"), "[" TG_CONST_INTS("pad", 1, 0) "," TG_CONST_FLOAT("v", 1.5) "," N(
                           "aten::constant_pad_nd", Q("x") "," Q("pad") "," Q("v"), V("y", TG_F32("1,2,6"))) "]",
                           OUT_Y), 10) == OX_OK);
    if (t.onnx) CHECK(attr_str(out_node(&t, 0), "mode", "constant") && attr_f(out_node(&t, 0), "value") == 1.5);
    tg_free(&t);
}

/* From opset 11 the pads are computed in the graph (opset 11's
 * _prepare_onnx_paddings), in torch's node order. */
static void test_pad_input_form(void)
{
    const char *seq = "Constant,prim::Constant,Constant,Shape,Gather,Constant,Constant,Mul,Sub,Cast,ConstantOfShape,"
                      "Concat,Constant,Reshape,Constant,Constant,Constant,Constant,Slice,Transpose,Constant,Reshape,"
                      "Cast,Pad";
    int opsets[] = {11, 13, 17};
    for (int k = 0; k < 3; k++) {
        tg t;
        CHECK(conv(&t, PAD_G(TG_F32("1,2,4,5"), TG_CONST_INTS("pad", 1, 2), "constant", TG_CONST_NONE("v"),
                             TG_F32("1,2,4,8")), opsets[k]) == OX_OK);
        if (t.onnx) {
            ox_node *p = out_node(&t, 0);
            CHECK(ox_node_is(p, "onnx::Pad") && attr_str(p, "mode", "constant") && p->ninputs == 3);
            CHECK(p->ninputs == 3 && ox_value_is_none(p->inputs[2])); /* value None: omitted */
            CHECK(no_attr(p, "pads"));
            ox_node *gather = tg_find(t.onnx, "onnx::Gather", 0);
            CHECK(gather && CONST_IN(gather, 1, 1, 0) && ox_node_is(gather->inputs[0]->node, "onnx::Shape"));
            ox_node *mul = tg_find(t.onnx, "onnx::Mul", 0);
            CHECK(CONST_IN(mul, 0, 0, 4) && CONST_IN(mul, 1, 0, 2)); /* rank * 2 */
            ox_node *cos = tg_find(t.onnx, "onnx::ConstantOfShape", 0);
            ox_attr *a = cos ? ox_node_attr(cos, "value") : NULL;
            CHECK(a && a->kind == OX_ATTR_T && a->v.t->dtype == OX_INT64 && ox_tensor_get_i(a->v.t, 0) == 0);
            CHECK(CONST_IN(tg_find(t.onnx, "onnx::Reshape", 0), 1, 1, -1, 2));
            ox_node *flip = tg_find(t.onnx, "onnx::Slice", 0);
            CHECK(flip && flip->ninputs == 5 && CONST_IN(flip, 1, 1, -1) && CONST_IN(flip, 2, 1, -INT64_MAX) &&
                  CONST_IN(flip, 3, 1, 0) && CONST_IN(flip, 4, 1, -1));
            CHECK(ATTR_IS(tg_find(t.onnx, "onnx::Transpose", 0), "perm", 1, 0));
            CHECK(CONST_IN(tg_find(t.onnx, "onnx::Reshape", 1), 1, 1, -1));
            CHECK_EQ_INT(tg_attr_i(tg_find(t.onnx, "onnx::Cast", 1), "to", -1), OX_INT64);
            if (opsets[k] >= 14) CHECK_EQ_INT(tg_attr_i(tg_find(t.onnx, "onnx::Reshape", 0), "allowzero", -1), 0);
            CHECK_STR(tg_kinds(t.onnx), seq);
        }
        tg_free(&t);
    }
    /* a constant value becomes a constant of the input's dtype */
    tg t;
    CHECK(conv(&t, PAD_G(TG_F32("1,2,4,5"), TG_CONST_INTS("pad", 1, 2), "constant", TG_CONST_FLOAT("v", 0.5),
                         TG_F32("1,2,4,8")), 13) == OX_OK);
    if (t.onnx) {
        ox_node *p = out_node(&t, 0);
        const ox_tensor *v = p && p->ninputs == 3 ? ox_value_const_tensor(p->inputs[2]) : NULL;
        CHECK(v && v->dtype == OX_FLOAT && v->rank == 0 && ox_tensor_get_f(v, 0) == 0.5);
    }
    tg_free(&t);
    /* reflect / replicate: two inputs */
    CHECK(conv(&t, PAD_G(TG_F32("1,2,4,5"), TG_CONST_INTS("pad", 1, 1), "reflect", TG_CONST_NONE("v"),
                         TG_F32("1,2,4,7")), 11) == OX_OK);
    if (t.onnx) CHECK(out_node(&t, 0)->ninputs == 2 && attr_str(out_node(&t, 0), "mode", "reflect"));
    tg_free(&t);
}

/* Pad sizes computed at run time (swin_t's pad to window multiples). */
static const char *PAD_DYN = TG_JSON(
    "[" V("x", TG_F32("1,2,4,5")) "]",
    "[" TG_CONST_INT("three", 3) "," N("aten::size", Q("x") "," Q("three"), V("n", TG_INT)) "," TG_CONST_INT("zero", 0)
    "," N("prim::ListConstruct", Q("zero") "," Q("n"), V("pad", TG_INTS)) "," CONST_STR("mode", "constant") ","
    TG_CONST_NONE("v") "," N("aten::pad", Q("x") "," Q("pad") "," Q("mode") "," Q("v"), V("y", TG_F32("1,2,4,10"))) "]",
    OUT_Y);

static void test_pad_dynamic(void)
{
    expect_fail(PAD_DYN, 9, ONNXIFY_ERR_SYMBOLIC_VALUE,
                "Unsupported: ONNX export of Pad in opset 9. The sizes of the padding must be constant. Please try "
                "opset version 11.");
    tg t;
    CHECK(conv(&t, PAD_DYN, 11) == OX_OK);
    if (t.onnx) {
        /* the list itself goes into Shape and Cast (the ONNX peephole turns it into a Concat later) */
        ox_node *shape = tg_find(t.onnx, "onnx::Shape", 1);
        CHECK(shape && ox_node_is(shape->inputs[0]->node, "prim::ListConstruct"));
        ox_node *cast = tg_find(t.onnx, "onnx::Cast", 0);
        CHECK(cast && ox_node_is(cast->inputs[0]->node, "prim::ListConstruct"));
    }
    tg_free(&t);
}

/* circular: slices of the input concatenated around it, as torch 1.13 takes them. */
static void test_pad_circular(void)
{
    const char *json = PAD_G(TG_F32("1,2,5"), TG_CONST_INTS("pad", 1, 2), "circular", TG_CONST_NONE("v"),
                             TG_F32("1,2,8"));
    tg t;
    CHECK(conv(&t, json, 9) == OX_OK);
    if (t.onnx) {
        CHECK_STR(tg_kinds(t.onnx), "Slice,Slice,Concat");
        ox_node *left = tg_find(t.onnx, "onnx::Slice", 0), *right = tg_find(t.onnx, "onnx::Slice", 1);
        CHECK(ATTR_IS(left, "axes", 2) && ATTR_IS(left, "starts", -3) && ATTR_IS(left, "ends", -1));
        CHECK(ATTR_IS(right, "axes", 2) && ATTR_IS(right, "starts", 0) && ATTR_IS(right, "ends", 1));
        ox_node *cat = out_node(&t, 0);
        CHECK(cat && cat->ninputs == 3 && is_graph_input(&t, cat->inputs[1], 0) && tg_attr_i(cat, "axis", -1) == 2);
    }
    tg_free(&t);
    CHECK(conv(&t, json, 13) == OX_OK);
    if (t.onnx) CHECK_STR(tg_kinds(t.onnx), "Constant,Constant,Constant,Slice,Constant,Constant,Constant,Slice,Concat");
    tg_free(&t);
    expect_fail(PAD_G(TG_F32("1,2,5"), TG_CONST_INTS("pad", 1, 2), "wrap", TG_CONST_NONE("v"), TG_F32("1,2,8")), 13,
                ONNXIFY_ERR_SYMBOLIC_VALUE, "Unrecognized padding mode wrap");
}

/* ---- helpers, called directly -------------------------------------------- */

typedef struct hx {
    ox_arena *arena;
    ox_ctx ctx;
    ox_graph *g;
    ox_sym s;
    ox_value *x;
} hx;

static void hx_init(hx *h, int opset)
{
    memset(h, 0, sizeof(*h));
    h->arena = ox_arena_new();
    ox_ctx_init(&h->ctx, h->arena);
    h->g = ox_graph_new(&h->ctx);
    int64_t dims[3] = {2, 3, 4};
    h->x = ox_block_add_input(h->g->top, "x", ox_type_tensor(h->arena, OX_FLOAT, 3, dims));
    h->s.ctx = &h->ctx;
    h->s.graph = h->g;
    h->s.block = h->g->top;
    h->s.opset = opset;
    h->s.op = "test";
}

static void hx_free(hx *h)
{
    ox_ctx_release(&h->ctx);
    ox_arena_free(h->arena);
}

static void test_helper_reduce(void)
{
    int64_t axes[2] = {1, 2};
    struct { int opset; const char *op; bool input; bool noop; } cases[] = {
        {12, "ReduceSum", false, false}, {13, "ReduceSum", true, true},   {17, "ReduceMean", false, false},
        {18, "ReduceMean", true, false}, {18, "ReduceSum", true, true},   {13, "ReduceMax", false, false},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        hx h;
        hx_init(&h, cases[k].opset);
        ox_value *y = ox_reduce(&h.s, cases[k].op, h.x, axes, 2, false);
        CHECK(y != NULL);
        if (y) {
            ox_node *n = y->node;
            CHECK_EQ_INT(tg_attr_i(n, "keepdims", -1), 0);
            if (cases[k].input) {
                CHECK(n->ninputs == 2 && CONST_IN(n, 1, 1, 1, 2) && no_attr(n, "axes"));
            } else {
                CHECK(n->ninputs == 1 && ATTR_IS(n, "axes", 1, 2));
            }
            if (cases[k].noop) CHECK_EQ_INT(tg_attr_i(n, "noop_with_empty_axes", -1), 0);
            else CHECK(no_attr(n, "noop_with_empty_axes"));
        }
        /* all axes: no axes at all */
        ox_value *all = ox_reduce(&h.s, cases[k].op, h.x, NULL, 0, true);
        CHECK(all && all->node->ninputs == 1 && no_attr(all->node, "axes"));
        if (all) CHECK_EQ_INT(tg_attr_i(all->node, "keepdims", -1), 1);
        hx_free(&h);
    }
}

static void test_helper_split_cast_size(void)
{
    int64_t sizes[2] = {1, 2};
    int opsets[] = {11, 13, 18};
    for (int k = 0; k < 3; k++) {
        hx h;
        hx_init(&h, opsets[k]);
        ox_node *sp = ox_split(&h.s, h.x, 1, sizes, 2);
        CHECK(sp && sp->noutputs == 2 && tg_attr_i(sp, "axis", -1) == 1);
        if (sp && opsets[k] >= 13) CHECK(sp->ninputs == 2 && CONST_IN(sp, 1, 1, 1, 2) && no_attr(sp, "num_outputs"));
        else if (sp) CHECK(sp->ninputs == 1 && ATTR_IS(sp, "split", 1, 2));

        ox_value *c = ox_cast(&h.s, h.x, OX_INT64);
        CHECK(c && tg_attr_i(c->node, "to", -1) == OX_INT64 && ox_elem_type(c) == OX_INT64 && ox_rank(c) == 3);

        ox_value *sz = ox_size_of(&h.s, h.x, 2);
        CHECK(sz && ox_node_is(sz->node, "onnx::Gather") && CONST_IN(sz->node, 1, 0, 2));
        CHECK(sz && ox_node_is(sz->node->inputs[0]->node, "onnx::Shape") && ox_rank(sz) == 0);
        ox_value *last = ox_size_of(&h.s, h.x, -1);
        CHECK(last && ox_node_is(last->node, "onnx::Squeeze"));

        int64_t ax = 0;
        ox_value *u = ox_unsqueeze(&h.s, h.x, &ax, 1);
        CHECK(u && (opsets[k] >= 13 ? CONST_IN(u->node, 1, 1, 0) : ATTR_IS(u->node, "axes", 0)));
        /* a NULL operand is a failure passed on, never a crash */
        CHECK(ox_unsqueeze(&h.s, NULL, &ax, 1) == NULL);
        CHECK(ox_reshape(&h.s, h.x, NULL) == NULL);
        CHECK(ox_split(&h.s, NULL, 0, sizes, 2) == NULL);
        hx_free(&h);
    }
    CHECK_EQ_INT(ox_norm_dim(-1, 3), 2);
    CHECK_EQ_INT(ox_norm_dim(3, 3), -1);
    CHECK_EQ_INT(ox_norm_dim(-4, 3), -1);
    CHECK_EQ_INT(ox_norm_dim(0, -1), -1);
}

static void test_helper_slice(void)
{
    int64_t axes[1] = {0}, starts[1] = {0}, ends[1] = {INT64_MAX}, steps[1] = {1}, two[1] = {2};
    hx h;
    hx_init(&h, 9);
    CHECK(ox_slice(&h.s, h.x, axes, starts, ends, two, 1) == h.x); /* Slice-1 ignores steps */
    hx_free(&h);
    hx_init(&h, 10);
    CHECK(ox_slice(&h.s, h.x, axes, starts, ends, steps, 1) == h.x);
    ox_value *y = ox_slice(&h.s, h.x, axes, starts, ends, two, 1);
    CHECK(y && y != h.x && y->node->ninputs == 5 && CONST_IN(y->node, 4, 1, 2));
    hx_free(&h);
}

/* ox_reshape (torch's _reshape_helper): a constant shape gets a constant of
 * its own, even when the shape is the node's argument that was converted just
 * before (it keeps the argument's metadata, not the node's scope); a
 * ListConstruct is passed as it is even when its elements are constants. */
static void test_helper_reshape_shape_forms(void)
{
    hx h;
    hx_init(&h, 13);
    int64_t dims[2] = {6, -1};
    ox_value *arg = ox_const_i64s(&h.s, dims, 2); /* last node, unused: looks fresh */
    h.s.in = &arg;
    h.s.nin = 1;
    ox_value *y = ox_reshape(&h.s, h.x, arg);
    CHECK(y && y->node->inputs[1] != arg && CONST_IN(y->node, 1, 1, 6, -1));
    /* a constant the caller has just built serves as it is */
    ox_value *mine = ox_const_i64s(&h.s, dims, 2);
    ox_value *y2 = ox_reshape(&h.s, h.x, mine);
    CHECK(y2 && y2->node->inputs[1] == mine);
    ox_value *elems[2] = {ox_const_i64(&h.s, 6), ox_const_i64(&h.s, -1)};
    ox_node *list = ox_op(&h.s, "prim::ListConstruct", 1, 2, elems);
    ox_value *y3 = list ? ox_reshape(&h.s, h.x, list->outputs[0]) : NULL;
    CHECK(y3 && y3->node->inputs[1] == list->outputs[0]);
    hx_free(&h);
}

static const ox_test_case tests[] = {
    {"view_constant_shape", test_view_constant_shape},
    {"view_dynamic_shape", test_view_dynamic_shape},
    {"reshape_as_view_as", test_reshape_as_view_as},
    {"flatten_to_2d", test_flatten_to_2d},
    {"flatten_8_integer", test_flatten_8_integer},
    {"flatten_middle", test_flatten_middle},
    {"flatten_rank_cases", test_flatten_rank_cases},
    {"unflatten", test_unflatten},
    {"transpose", test_transpose},
    {"permute_and_t", test_permute_and_t},
    {"contiguous", test_contiguous},
    {"size", test_size},
    {"dim_numel", test_dim_numel},
    {"squeeze_static", test_squeeze_static},
    {"squeeze_dynamic", test_squeeze_dynamic},
    {"unsqueeze", test_unsqueeze},
    {"cat_stack", test_cat_stack},
    {"cat_sequence", test_cat_sequence},
    {"expand_constant", test_expand_constant},
    {"expand_dynamic", test_expand_dynamic},
    {"expand_as", test_expand_as},
    {"repeat", test_repeat},
    {"split_static", test_split_static},
    {"split_dynamic", test_split_dynamic},
    {"unsafe_chunk", test_unsafe_chunk},
    {"constant_chunk", test_constant_chunk},
    {"chunk_sequence", test_chunk_sequence},
    {"unbind", test_unbind},
    {"select", test_select},
    {"slice_static", test_slice_static},
    {"slice_dynamic", test_slice_dynamic},
    {"narrow", test_narrow},
    {"type_as", test_type_as},
    {"pad_attribute_form", test_pad_attribute_form},
    {"pad_mode_ops", test_pad_mode_ops},
    {"pad_input_form", test_pad_input_form},
    {"pad_dynamic", test_pad_dynamic},
    {"pad_circular", test_pad_circular},
    {"runtime_axes", test_runtime_axes},
    {"meshgrid", test_meshgrid},
    {"pixel_shuffle", test_pixel_shuffle},
    {"pixel_unshuffle", test_pixel_unshuffle},
    {"bad_input", test_bad_input},
    {"helper_reduce", test_helper_reduce},
    {"helper_split_cast_size", test_helper_split_cast_size},
    {"helper_slice", test_helper_slice},
    {"helper_reshape_shape_forms", test_helper_reshape_shape_forms},
};

OX_TEST_MAIN(tests)
