/* Indexing symbolics (src/symbolic/indexing.c): the ONNX node kinds,
 * attributes and inputs each op lowers to, per opset, as torch's exporter
 * emits them. */
#include <stdlib.h>

#include "graph_util.h"
#include "symbolic/helpers.h"
#include "test.h"

/* ---- JSON fragments ------------------------------------------------------ */

#define Q(s) "\"" s "\""
#define V(name, type) "{\"name\":\"" name "\",\"type\":" type "}"
#define N(kind, ins, outs) "{\"kind\":\"" kind "\",\"inputs\":[" ins "],\"outputs\":[" outs "]}"
#define TG_I32(shape) "{\"kind\":\"tensor\",\"dtype\":\"int32\",\"shape\":[" shape "]}"
#define TG_BOOLT(shape) "{\"kind\":\"tensor\",\"dtype\":\"bool\",\"shape\":[" shape "]}"
#define TG_ANY "{\"kind\":\"tensor\"}"
#define TG_TENSORS "{\"kind\":\"list\",\"elem\":{\"kind\":\"tensor\"}}"
#define OUT_Y "[" Q("y") "]"

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

static void expect_kinds(const char *json, int opset, const char *kinds)
{
    tg t;
    CHECK(conv(&t, json, opset) == OX_OK);
    if (t.onnx) CHECK_STR(tg_kinds(t.onnx), kinds);
    tg_free(&t);
}

/* ---- index_select / gather / take / embedding ---------------------------- */

#define INDEX_SELECT(index_type)                                                                               \
    TG_JSON("[" V("x", TG_F32("3,5")) "," V("i", index_type) "]",                                              \
            "[" TG_CONST_INT("d", 1) "," N("aten::index_select", Q("x") "," Q("d") "," Q("i"), V("y", TG_ANY)) "]", \
            OUT_Y)

static void test_index_select(void)
{
    tg t;
    CHECK(conv(&t, INDEX_SELECT(TG_I64("4")), 9) == OX_OK);
    if (t.onnx) {
        ox_node *gth = out_node(&t, 0);
        CHECK(ox_node_is(gth, "onnx::Gather") && tg_attr_i(gth, "axis", -1) == 1);
        CHECK(is_graph_input(&t, gth->inputs[0], 0) && is_graph_input(&t, gth->inputs[1], 1));
    }
    tg_free(&t);
    expect_kinds(INDEX_SELECT(TG_I32("4")), 13, "Gather");                /* int32 indices stay */
    expect_kinds(INDEX_SELECT(TG_F32("4")), 13, "Cast,Gather");           /* other types are cast */
    expect_kinds(INDEX_SELECT(TG_I64("")), 13, "Constant,Reshape,Gather"); /* a 0-d index becomes [1] */
    /* a constant 0-d index is a [1] constant */
    const char *cst = TG_JSON("[" V("x", TG_F32("3,5")) "]",
                              "[" TG_CONST_INT("d", 1) "," TG_CONST_INT("k", 2) "," N(
                                  "aten::index_select", Q("x") "," Q("d") "," Q("k"), V("y", TG_F32("3,1"))) "]",
                              OUT_Y);
    CHECK(conv(&t, cst, 11) == OX_OK);
    if (t.onnx) CHECK(CONST_IN(out_node(&t, 0), 1, 1, 2));
    tg_free(&t);
}

#define GATHER(dim, sparse)                                                                                        \
    TG_JSON("[" V("x", TG_F32("3,5")) "," V("i", TG_I64("3,2")) "]",                                               \
            "[" TG_CONST_INT("d", dim) "," TG_CONST_BOOL("sg", sparse) "," N(                                       \
                "aten::gather", Q("x") "," Q("d") "," Q("i") "," Q("sg"), V("y", TG_F32("3,2"))) "]",                 \
            OUT_Y)

static void test_gather(void)
{
    int opsets[] = {11, 13, 17};
    for (int k = 0; k < 3; k++) {
        tg t;
        CHECK(conv(&t, GATHER(1, 0), opsets[k]) == OX_OK);
        if (t.onnx) {
            ox_node *ge = out_node(&t, 0);
            CHECK(ox_node_is(ge, "onnx::GatherElements") && tg_attr_i(ge, "axis", -1) == 1);
        }
        tg_free(&t);
    }
    /* opsets 9 and 10: one-hot along dim, multiplied and summed */
    expect_kinds(GATHER(1, 0), 9, "Constant,Constant,Shape,Gather,OneHot,Cast,Unsqueeze,Mul,ReduceSum");
    tg t;
    CHECK(conv(&t, GATHER(1, 0), 10) == OX_OK);
    if (t.onnx) {
        ox_node *rs = out_node(&t, 0);
        CHECK(ox_node_is(rs, "onnx::ReduceSum") && ATTR_IS(rs, "axes", 1) && tg_attr_i(rs, "keepdims", -1) == 0);
        ox_node *mul = rs->inputs[0]->node;
        ox_node *unsq = mul->inputs[0]->node, *cast = mul->inputs[1]->node;
        CHECK(ox_node_is(unsq, "onnx::Unsqueeze") && ATTR_IS(unsq, "axes", 2));
        CHECK(ox_node_is(cast, "onnx::Cast") && tg_attr_i(cast, "to", -1) == OX_FLOAT);
        ox_node *oh = cast->inputs[0]->node;
        CHECK(ox_node_is(oh, "onnx::OneHot") && tg_attr_i(oh, "axis", -1) == 1 && CONST_IN(oh, 2, 1, 0, 1));
        CHECK(ox_node_is(oh->inputs[1]->node, "onnx::Gather") && CONST_IN(oh->inputs[1]->node, 1, 1, 1));
    }
    tg_free(&t);
    /* a negative dim of a known rank: the size is gathered with a 0-d index */
    CHECK(conv(&t, GATHER(-1, 0), 9) == OX_OK);
    if (t.onnx) {
        ox_node *oh = out_node(&t, 0)->inputs[0]->node->inputs[1]->node->inputs[0]->node;
        CHECK(ox_node_is(oh, "onnx::OneHot") && CONST_IN(oh->inputs[1]->node, 1, 0, 1));
    }
    tg_free(&t);
    expect_fail(GATHER(1, 1), 11, ONNXIFY_ERR_EXPORTER, "gather, sparse_grad == True");
    expect_fail(GATHER(1, 1), 9, ONNXIFY_ERR_SYMBOLIC_VALUE, "gather, sparse_grad == True");
    expect_fail(GATHER(1, 0), 8, ONNXIFY_ERR_EXPORTER, "ONNX export failed on gather, which is not implemented for opset 8");
}

static void test_take_embedding(void)
{
    const char *take = TG_JSON("[" V("x", TG_F32("3,5")) "," V("i", TG_I64("2,2")) "]",
                               "[" N("aten::take", Q("x") "," Q("i"), V("y", TG_F32("2,2"))) "]", OUT_Y);
    expect_kinds(take, 14, "Constant,Reshape,Gather,Shape,Reshape");
    const char *emb = TG_JSON(
        "[" V("i", TG_I64("2,3")) "," V("w", TG_F32("10,4")) "]",
        "[" TG_CONST_INT("pad", 0) "," TG_CONST_BOOL("sc", 1) "," TG_CONST_BOOL("sp", 0) "," N(
            "aten::embedding", Q("w") "," Q("i") "," Q("pad") "," Q("sc") "," Q("sp"), V("y", TG_F32("2,3,4"))) "]",
        OUT_Y);
    tg t;
    CHECK(conv(&t, emb, 9) == OX_OK);
    if (t.onnx) {
        ox_node *gth = out_node(&t, 0);
        CHECK(ox_node_is(gth, "onnx::Gather") && !ox_node_attr(gth, "axis"));
        CHECK(is_graph_input(&t, gth->inputs[0], 1) && is_graph_input(&t, gth->inputs[1], 0));
    }
    tg_free(&t);
    /* scale_grad_by_freq is refused when exporting for training */
    tg_init(&t);
    t.training = true;
    CHECK_EQ_INT(tg_convert(&t, emb, 13), ONNXIFY_ERR_SYMBOLIC_VALUE);
    CHECK_CONTAINS(t.ctx.message, "embedding with scale_grad_by_freq=True for training mode");
    tg_free(&t);
}

/* ---- scatter / scatter_add ----------------------------------------------- */

#define SCATTER(op, src_node, src_name)                                                                         \
    TG_JSON("[" V("x", TG_F32("3,5")) "," V("i", TG_I64("3,2")) "," V("s", TG_F32("3,2")) "]",                 \
            "[" TG_CONST_INT("d", 1) "," src_node N(op, Q("x") "," Q("d") "," Q("i") "," Q(src_name),           \
                                                   V("y", TG_F32("3,5"))) "]",                                  \
            OUT_Y)

static void test_scatter(void)
{
    tg t;
    CHECK(conv(&t, SCATTER("aten::scatter", "", "s"), 9) == OX_OK);
    if (t.onnx) {
        ox_node *s = out_node(&t, 0);
        CHECK(ox_node_is(s, "onnx::Scatter") && tg_attr_i(s, "axis", -1) == 1);
        CHECK(is_graph_input(&t, s->inputs[2], 2));
    }
    tg_free(&t);
    CHECK(conv(&t, SCATTER("aten::scatter_", "", "s"), 11) == OX_OK);
    if (t.onnx) CHECK(ox_node_is(out_node(&t, 0), "onnx::ScatterElements"));
    tg_free(&t);
    /* a float scalar (a double constant) is cast to float, then expanded to the index's shape */
    CHECK(conv(&t, SCATTER("aten::scatter", TG_CONST_FLOAT("v", 2.0) ",", "v"), 13) == OX_OK);
    if (t.onnx) {
        ox_node *s = out_node(&t, 0);
        CHECK(ox_node_is(s, "onnx::ScatterElements"));
        ox_node *e = s->inputs[2]->node;
        CHECK(ox_node_is(e, "onnx::Expand") && ox_node_is(e->inputs[1]->node, "onnx::Shape"));
        CHECK(ox_node_is(e->inputs[0]->node, "onnx::Cast") && tg_attr_i(e->inputs[0]->node, "to", -1) == OX_FLOAT);
    }
    tg_free(&t);
    expect_kinds(SCATTER("aten::scatter", TG_CONST_FLOAT("v", 2.0) ",", "v"), 9, "Constant,Cast,Shape,Expand,Scatter");
    expect_fail(SCATTER("aten::scatter", "", "s"), 8, ONNXIFY_ERR_EXPORTER, "not implemented for opset 8");
}

static void test_scatter_add(void)
{
    /* static shape: scatter into a zeros constant, then Add */
    expect_kinds(SCATTER("aten::scatter_add", "", "s"), 9, "Constant,Scatter,Add");
    expect_kinds(SCATTER("aten::scatter_add", "", "s"), 15, "Constant,ScatterElements,Add");
    tg t;
    CHECK(conv(&t, SCATTER("aten::scatter_add", "", "s"), 11) == OX_OK);
    if (t.onnx) {
        ox_node *add = out_node(&t, 0);
        ox_node *se = add->inputs[1]->node;
        CHECK(ox_node_is(se, "onnx::ScatterElements"));
        const ox_tensor *z = ox_value_const_tensor(se->inputs[0]);
        CHECK(z && z->dtype == OX_FLOAT && z->rank == 2 && z->dims[0] == 3 && z->dims[1] == 5 && ox_tensor_get_f(z, 7) == 0);
    }
    tg_free(&t);
    /* dynamic shape: zeros from ConstantOfShape */
    const char *dyn = TG_JSON(
        "[" V("x", TG_F32("null,5")) "," V("i", TG_I64("3,2")) "," V("s", TG_F32("3,2")) "]",
        "[" TG_CONST_INT("d", 1) "," N("aten::scatter_add", Q("x") "," Q("d") "," Q("i") "," Q("s"), V("y", TG_F32("null,5"))) "]",
        OUT_Y);
    expect_kinds(dyn, 13, "Shape,ConstantOfShape,ScatterElements,Add");
    /* opset 16: ScatterElements with reduction=add */
    CHECK(conv(&t, SCATTER("aten::scatter_add", "", "s"), 16) == OX_OK);
    if (t.onnx) {
        ox_node *se = out_node(&t, 0);
        CHECK(ox_node_is(se, "onnx::ScatterElements") && tg_attr_i(se, "axis", -1) == 1);
        ox_attr *r = ox_node_attr(se, "reduction");
        CHECK(r && r->kind == OX_ATTR_S && !strcmp(r->v.s, "add"));
        CHECK(is_graph_input(&t, se->inputs[0], 0));
    }
    tg_free(&t);
    const char *mismatch = TG_JSON(
        "[" V("x", TG_F32("3,5")) "," V("i", TG_I64("3,2")) "," V("s", TG_F32("3,null")) "]",
        "[" TG_CONST_INT("d", 1) "," N("aten::scatter_add", Q("x") "," Q("d") "," Q("i") "," Q("s"), V("y", TG_F32("3,5"))) "]",
        OUT_Y);
    expect_fail(mismatch, 16, ONNXIFY_ERR_EXPORTER,
                "scatter_add, `index` ([3, 2]) should have the same dimensionality as `src` ([3, None])");
    const char *untyped = TG_JSON(
        "[" V("x", TG_ANY) "," V("i", TG_I64("3,2")) "," V("s", TG_F32("3,2")) "]",
        "[" TG_CONST_INT("d", 1) "," N("aten::scatter_add", Q("x") "," Q("d") "," Q("i") "," Q("s"), V("y", TG_ANY)) "]",
        OUT_Y);
    expect_fail(untyped, 9, ONNXIFY_ERR_SYMBOLIC_VALUE, "scatter_add, input dtype not accessible");
}

/* ---- index / masked_select / masked_scatter ------------------------------ */

#define INDEX_LIST(items, index_inputs, out_type)                                                           \
    TG_JSON("[" V("x", TG_F32("3,4,5")) "," V("i", TG_I64("2")) "," V("m", TG_BOOLT("3")) "]",               \
            "[" TG_CONST_NONE("none") "," N("prim::ListConstruct", items, V("l", "{\"kind\":\"list\",\"elem\":" \
                                                                             "{\"kind\":\"optional\",\"elem\":" \
                                                                             "{\"kind\":\"tensor\"}}}")) "," N( \
                "aten::index", Q("x") "," Q("l"), V("y", out_type)) "]",                                    \
            OUT_Y)

static void test_index_single(void)
{
    tg t;
    CHECK(conv(&t, INDEX_LIST(Q("i"), "", TG_F32("2,4,5")), 9) == OX_OK);
    if (t.onnx) {
        ox_node *gth = out_node(&t, 0);
        CHECK(ox_node_is(gth, "onnx::Gather") && tg_attr_i(gth, "axis", -1) == 0 && is_graph_input(&t, gth->inputs[1], 1));
    }
    tg_free(&t);
    /* x[:, i]: one advanced index is index_select along its dim */
    CHECK(conv(&t, INDEX_LIST(Q("none") "," Q("i"), "", TG_F32("3,2,5")), 13) == OX_OK);
    if (t.onnx) CHECK(tg_attr_i(out_node(&t, 0), "axis", -1) == 1);
    tg_free(&t);
    /* a mask: opset 9 gathers its nonzero positions, opset 11 uses GatherND */
    expect_kinds(INDEX_LIST(Q("m"), "", TG_F32("null,4,5")), 9, "NonZero,Transpose,Squeeze,Gather");
    expect_kinds(INDEX_LIST(Q("m"), "", TG_F32("null,4,5")), 11, "NonZero,Transpose,GatherND");
    CHECK(conv(&t, INDEX_LIST(Q("m"), "", TG_F32("null,4,5")), 9) == OX_OK);
    if (t.onnx) {
        ox_node *sq = out_node(&t, 0)->inputs[1]->node;
        CHECK(ox_node_is(sq, "onnx::Squeeze") && ATTR_IS(sq, "axes", 1));
        CHECK(ATTR_IS(sq->inputs[0]->node, "perm", 1, 0));
    }
    tg_free(&t);
    /* all ":" returns the input */
    CHECK(conv(&t, INDEX_LIST(Q("none") "," Q("none"), "", TG_F32("3,4,5")), 13) == OX_OK);
    if (t.onnx) CHECK(is_graph_input(&t, ox_block_output(t.onnx->top, 0), 0));
    tg_free(&t);
}

static void test_index_advanced(void)
{
    /* x[i, :, i]: not consecutive, the indexed axes go first */
    tg t;
    CHECK(conv(&t, INDEX_LIST(Q("i") "," Q("none") "," Q("i"), "", TG_F32("2,4")), 9) == OX_OK);
    if (t.onnx) {
        ox_node *r = out_node(&t, 0);
        CHECK(ox_node_is(r, "onnx::Reshape") && !ox_node_attr(r, "allowzero"));
        ox_node *shape = r->inputs[1]->node;
        CHECK(ox_node_is(shape, "onnx::Concat") && shape->ninputs == 2);
        ox_node *gth = r->inputs[0]->node;
        CHECK(ox_node_is(gth, "onnx::Gather") && tg_attr_i(gth, "axis", -1) == 0);
        ox_node *flat = gth->inputs[0]->node;
        CHECK(ox_node_is(flat, "onnx::Flatten") && tg_attr_i(flat, "axis", -1) == 2);
        ox_node *tr = flat->inputs[0]->node;
        CHECK(ox_node_is(tr, "onnx::Transpose") && ATTR_IS(tr, "perm", 0, 2, 1));
        ox_node *add = gth->inputs[1]->node;
        CHECK(ox_node_is(add, "onnx::Add") && is_graph_input(&t, add->inputs[0], 1));
        CHECK(ox_node_is(add->inputs[1]->node, "onnx::Mul"));
    }
    tg_free(&t);
    /* x[:, i, i]: consecutive, transposed back in place */
    CHECK(conv(&t, INDEX_LIST(Q("none") "," Q("i") "," Q("i"), "", TG_F32("3,2")), 14) == OX_OK);
    if (t.onnx) {
        ox_node *r = out_node(&t, 0);
        CHECK(ox_node_is(r, "onnx::Reshape") && tg_attr_i(r, "allowzero", -1) == 0);
        ox_node *tr = r->inputs[0]->node;
        CHECK(ox_node_is(tr, "onnx::Transpose") && ATTR_IS(tr, "perm", 1, 0));
        ox_node *folded = tr->inputs[0]->node;
        CHECK(ox_node_is(folded, "onnx::Reshape") && ox_node_is(folded->inputs[1]->node, "onnx::Concat"));
        CHECK(CONST_IN(folded->inputs[1]->node, 0, 1, -1));
        ox_node *perm = tg_find(t.onnx, "onnx::Transpose", 0);
        CHECK(ATTR_IS(perm, "perm", 1, 2, 0));
        CHECK_EQ_INT(tg_count(t.onnx, "onnx::Flatten"), 1);
    }
    tg_free(&t);
    /* unknown rank: refused */
    const char *unranked = TG_JSON(
        "[" V("x", TG_ANY) "," V("i", TG_I64("2")) "]",
        "[" N("prim::ListConstruct", Q("i") "," Q("i"), V("l", TG_TENSORS)) "," N("aten::index", Q("x") "," Q("l"), V("y", TG_ANY)) "]",
        OUT_Y);
    expect_fail(unranked, 11, ONNXIFY_ERR_SYMBOLIC_VALUE, "advanced indexing on tensor of unknown rank");
}

static void test_masked(void)
{
    const char *json = TG_JSON(
        "[" V("x", TG_F32("3,4")) "," V("m", TG_BOOLT("4")) "," V("s", TG_F32("12")) "]",
        "[" N("aten::masked_select", Q("x") "," Q("m"), V("a", TG_F32("null"))) "," N(
            "aten::masked_scatter", Q("x") "," Q("m") "," Q("s"), V("b", TG_F32("3,4"))) "]",
        "[" Q("a") "," Q("b") "]");
    tg t;
    CHECK(conv(&t, json, 11) == OX_OK);
    if (t.onnx) {
        ox_node *g = out_node(&t, 0);
        CHECK(ox_node_is(g, "onnx::GatherND") && is_graph_input(&t, g->inputs[0], 0));
        ox_node *tr = g->inputs[1]->node;
        CHECK(ox_node_is(tr, "onnx::Transpose") && ox_node_is(tr->inputs[0]->node, "onnx::NonZero"));
        ox_node *e = tr->inputs[0]->node->inputs[0]->node;
        CHECK(ox_node_is(e, "onnx::Expand") && is_graph_input(&t, e->inputs[0], 1));
        ox_node *sc = out_node(&t, 1);
        CHECK(ox_node_is(sc, "onnx::ScatterND"));
        ox_node *sl = sc->inputs[2]->node;
        CHECK(ox_node_is(sl, "onnx::Slice") && sl->ninputs == 4 && CONST_IN(sl, 1, 1, 0) && CONST_IN(sl, 3, 1, 0));
        CHECK(ox_node_is(sl->inputs[0]->node, "onnx::Reshape") && ox_node_is(sl->inputs[2]->node, "onnx::Unsqueeze"));
    }
    tg_free(&t);
    CHECK(ox_symbolic_lookup("aten::masked_select", 10) == NULL);
    CHECK_EQ_INT(ox_symbolic_first_opset("aten::masked_select"), 11);
}

/* ---- index_put ----------------------------------------------------------- */

#define INDEX_PUT(items, acc, values_type)                                                                        \
    TG_JSON("[" V("x", TG_F32("4,3")) "," V("i", TG_I64("2")) "," V("v", values_type) "," V("m", TG_BOOLT("4,3")) "]", \
            "[" N("prim::ListConstruct", items, V("l", TG_TENSORS)) "," TG_CONST_BOOL("acc", acc) "," N(            \
                "aten::index_put", Q("x") "," Q("l") "," Q("v") "," Q("acc"), V("y", TG_F32("4,3"))) "]",          \
            OUT_Y)

static void test_index_put(void)
{
    expect_fail(INDEX_PUT(Q("i"), 0, TG_F32("2,3")), 9, ONNXIFY_ERR_SYMBOLIC_VALUE,
                "Unsupported: ONNX export of index_put in opset 9. Please try opset version 11.");
    expect_fail(INDEX_PUT(Q("i"), 0, TG_F32("2,3")), 10, ONNXIFY_ERR_SYMBOLIC_VALUE, "index_put in opset 9");
    expect_kinds(INDEX_PUT(Q("i"), 0, TG_F32("2,3")), 11,
                 "Shape,Unsqueeze,Shape,Constant,Constant,Constant,Slice,Concat,Reshape,ScatterND");
    tg t;
    CHECK(conv(&t, INDEX_PUT(Q("i"), 0, TG_F32("2,3")), 13) == OX_OK);
    if (t.onnx) {
        ox_node *sc = out_node(&t, 0);
        CHECK(ox_node_is(sc, "onnx::ScatterND") && is_graph_input(&t, sc->inputs[0], 0));
        ox_node *u = sc->inputs[1]->node;
        CHECK(ox_node_is(u, "onnx::Unsqueeze") && CONST_IN(u, 1, 1, -1));
        ox_node *sl = tg_find(t.onnx, "onnx::Slice", 0);
        CHECK(sl && CONST_IN(sl, 1, 1, 1) && CONST_IN(sl, 3, 1, 0));
    }
    tg_free(&t);
    /* accumulate: scattered into zeros and added */
    CHECK(conv(&t, INDEX_PUT(Q("i"), 1, TG_F32("2,3")), 11) == OX_OK);
    if (t.onnx) {
        ox_node *add = out_node(&t, 0);
        CHECK(ox_node_is(add, "onnx::Add") && is_graph_input(&t, add->inputs[0], 0));
        ox_node *sc = add->inputs[1]->node;
        CHECK(ox_node_is(sc, "onnx::ScatterND") && ox_node_is(sc->inputs[0]->node, "onnx::ConstantOfShape"));
    }
    tg_free(&t);
    /* two index tensors: broadcast, stacked on a last axis */
    CHECK(conv(&t, INDEX_PUT(Q("i") "," Q("i"), 0, TG_F32("")), 11) == OX_OK);
    if (t.onnx) {
        ox_node *sc = out_node(&t, 0);
        ox_node *cat = sc->inputs[1]->node;
        CHECK(ox_node_is(cat, "onnx::Concat") && cat->ninputs == 2 && tg_attr_i(cat, "axis", 0) == -1);
        ox_node *r = sc->inputs[2]->node;
        CHECK(ox_node_is(r, "onnx::Reshape") && ox_node_is(r->inputs[0]->node, "onnx::Expand"));
    }
    tg_free(&t);
    /* a bool mask with a 0-d value is masked_fill */
    CHECK(conv(&t, INDEX_PUT(Q("m"), 0, TG_F32("")), 11) == OX_OK);
    if (t.onnx) {
        ox_node *w = out_node(&t, 0);
        CHECK(ox_node_is(w, "onnx::Where") && ox_node_is(w->inputs[0]->node, "onnx::Cast"));
        CHECK(is_graph_input(&t, w->inputs[1], 2) && is_graph_input(&t, w->inputs[2], 0));
    }
    tg_free(&t);
    /* ... and masked_scatter with more values */
    CHECK(conv(&t, INDEX_PUT(Q("m"), 0, TG_F32("12")), 11) == OX_OK);
    if (t.onnx) CHECK(ox_node_is(out_node(&t, 0), "onnx::ScatterND"));
    tg_free(&t);
}

/* ---- index_fill / index_copy --------------------------------------------- */

static const char *INDEX_FILL = TG_JSON(
    "[" V("x", TG_F32("3,5")) "," V("i", TG_I64("2")) "," V("s", TG_F32("3,2")) "]",
    "[" TG_CONST_INT("d", 1) "," TG_CONST_FLOAT("v", -1) "," N("aten::index_fill", Q("x") "," Q("d") "," Q("i") "," Q("v"),
                                                             V("a", TG_F32("3,5"))) "," N(
        "aten::index_copy", Q("x") "," Q("d") "," Q("i") "," Q("s"), V("b", TG_F32("3,5"))) "]",
    "[" Q("a") "," Q("b") "]");

static void test_index_fill_copy(void)
{
    tg t;
    CHECK(conv(&t, INDEX_FILL, 9) == OX_OK);
    if (t.onnx) {
        ox_node *f = out_node(&t, 0), *c = out_node(&t, 1);
        CHECK(ox_node_is(f, "onnx::Scatter") && tg_attr_i(f, "axis", -1) == 1);
        CHECK(ox_node_is(c, "onnx::Scatter") && is_graph_input(&t, c->inputs[2], 2));
        /* the fill value: a float constant expanded to the index's shape */
        ox_node *e = f->inputs[2]->node;
        CHECK(ox_node_is(e, "onnx::Expand"));
        const ox_tensor *v = ox_value_const_tensor(e->inputs[0]);
        CHECK(v && v->dtype == OX_FLOAT && ox_tensor_get_f(v, 0) == -1);
        /* the index: unsqueezed on every other axis, expanded */
        ox_node *ei = f->inputs[1]->node;
        CHECK(ox_node_is(ei, "onnx::Expand") && ox_node_is(ei->inputs[0]->node, "onnx::Unsqueeze"));
        CHECK(ATTR_IS(ei->inputs[0]->node, "axes", 0));
        ox_node *where = ei->inputs[1]->node;
        CHECK(ox_node_is(where, "onnx::Where"));
        ox_node *shape = where->inputs[2]->node;
        CHECK(ox_node_is(shape, "onnx::Scatter") && tg_attr_i(shape, "axis", -1) == 0);
    }
    tg_free(&t);
    CHECK(conv(&t, INDEX_FILL, 11) == OX_OK);
    if (t.onnx) {
        CHECK(ox_node_is(out_node(&t, 0), "onnx::ScatterElements"));
        CHECK_EQ_INT(tg_count(t.onnx, "onnx::Scatter"), 0);
    }
    tg_free(&t);
    expect_fail(INDEX_FILL, 8, ONNXIFY_ERR_EXPORTER, "index_fill, which is not implemented for opset 8");
}

/* ---- topk / sort / argsort ----------------------------------------------- */

static const char *TOPK = TG_JSON(
    "[" V("x", TG_F32("3,4")) "]",
    "[" TG_CONST_INT("k", 2) "," TG_CONST_INT("d", 1) "," TG_CONST_BOOL("lg", 1) "," TG_CONST_BOOL("so", 1) "," N(
        "aten::topk", Q("x") "," Q("k") "," Q("d") "," Q("lg") "," Q("so"),
        V("v", TG_F32("3,2")) "," V("i", TG_I64("3,2"))) "]",
    "[" Q("v") "," Q("i") "]");

static const char *TOPK_ASC = TG_JSON(
    "[" V("x", TG_F32("3,4")) "]",
    "[" TG_CONST_INT("k", 2) "," TG_CONST_INT("d", 1) "," TG_CONST_BOOL("lg", 0) "," TG_CONST_BOOL("so", 1) "," N(
        "aten::topk", Q("x") "," Q("k") "," Q("d") "," Q("lg") "," Q("so"),
        V("v", TG_F32("3,2")) "," V("i", TG_I64("3,2"))) "]",
    "[" Q("v") "," Q("i") "]");

static void test_topk(void)
{
    tg t;
    CHECK(conv(&t, TOPK, 9) == OX_OK);
    if (t.onnx) {
        ox_node *k = out_node(&t, 0);
        CHECK(ox_node_is(k, "onnx::TopK") && k->ninputs == 1 && out_node(&t, 1) == k);
        CHECK(tg_attr_i(k, "k", -1) == 2 && tg_attr_i(k, "axis", -1) == 1 && !ox_node_attr(k, "largest"));
        CHECK(ox_block_output(t.onnx->top, 1) == k->outputs[1]);
    }
    tg_free(&t);
    CHECK(conv(&t, TOPK, 10) == OX_OK);
    if (t.onnx) {
        ox_node *k = out_node(&t, 0);
        CHECK(ox_node_is(k, "onnx::TopK") && k->ninputs == 2 && !ox_node_attr(k, "k") && !ox_node_attr(k, "largest"));
        ox_node *r = k->inputs[1]->node;
        CHECK(ox_node_is(r, "onnx::Reshape") && CONST_IN(r, 1, 1, 1));
    }
    tg_free(&t);
    CHECK(conv(&t, TOPK_ASC, 11) == OX_OK);
    if (t.onnx) {
        ox_node *k = out_node(&t, 0);
        CHECK(tg_attr_i(k, "largest", -1) == 0 && tg_attr_i(k, "sorted", -1) == 1 && tg_attr_i(k, "axis", -1) == 1);
    }
    tg_free(&t);
    expect_fail(TOPK_ASC, 9, ONNXIFY_ERR_SYMBOLIC_VALUE, "operator TopK, Ascending TopK is not supported");
    expect_fail(TOPK_ASC, 10, ONNXIFY_ERR_EXPORTER, "operator TopK, Ascending is not supported");
}

#define SORT(op, x_type, desc, outs)                                                                        \
    TG_JSON("[" V("x", x_type) "]",                                                                         \
            "[" TG_CONST_INT("d", -1) "," TG_CONST_BOOL("de", desc) "," N(op, Q("x") "," Q("d") "," Q("de"), outs) "]", \
            "[" Q("v") "]")

#define SORT_OUTS V("v", TG_F32("3,4")) "," V("i", TG_I64("3,4"))

static void test_sort(void)
{
    tg t;
    /* opset 9: k is the static size; torch does not look at descending */
    CHECK(conv(&t, SORT("aten::sort", TG_F32("3,4"), 0, SORT_OUTS), 9) == OX_OK);
    if (t.onnx) {
        ox_node *k = out_node(&t, 0);
        CHECK(ox_node_is(k, "onnx::TopK") && tg_attr_i(k, "k", -1) == 4 && tg_attr_i(k, "axis", -1) == -1);
    }
    tg_free(&t);
    expect_fail(SORT("aten::sort", TG_F32("3,null"), 1, SORT_OUTS), 9, ONNXIFY_ERR_SYMBOLIC_VALUE,
                "Sort, input size not accessible");
    expect_kinds(SORT("aten::sort", TG_F32("3,null"), 1, SORT_OUTS), 10, "Shape,Constant,Gather,TopK");
    expect_fail(SORT("aten::sort", TG_F32("3,4"), 0, SORT_OUTS), 10, ONNXIFY_ERR_EXPORTER, "Sort, Ascending is not supported");
    CHECK(conv(&t, SORT("aten::sort", TG_F32("3,4"), 0, SORT_OUTS), 11) == OX_OK);
    if (t.onnx) {
        ox_node *k = out_node(&t, 0);
        CHECK(ox_node_is(k, "onnx::TopK") && tg_attr_i(k, "largest", -1) == 0 && !ox_node_attr(k, "sorted"));
        ox_node *gth = k->inputs[1]->node;
        CHECK(ox_node_is(gth, "onnx::Gather") && CONST_IN(gth, 1, 1, -1) && !ox_node_attr(gth, "axis"));
    }
    tg_free(&t);
    /* argsort: the indices of the sort, opset 11 on */
    CHECK(conv(&t, SORT("aten::argsort", TG_F32("3,4"), 1, V("v", TG_I64("3,4"))), 11) == OX_OK);
    if (t.onnx) {
        ox_value *v = ox_block_output(t.onnx->top, 0);
        CHECK(ox_node_is(v->node, "onnx::TopK") && v == v->node->outputs[1] && tg_attr_i(v->node, "largest", -1) == 1);
    }
    tg_free(&t);
    expect_fail(SORT("aten::argsort", TG_F32("3,4"), 1, V("v", TG_I64("3,4"))), 10, ONNXIFY_ERR_UNSUPPORTED_OPERATOR,
                "Support for this operator was added in version 11");
}

/* ---- nonzero / cumsum / flip / roll / tril / triu ------------------------ */

static void test_nonzero_cumsum(void)
{
    const char *nz = TG_JSON("[" V("x", TG_F32("3,4")) "]", "[" N("aten::nonzero", Q("x"), V("y", TG_I64("null,2"))) "]",
                             OUT_Y);
    tg t;
    CHECK(conv(&t, nz, 9) == OX_OK);
    if (t.onnx) {
        ox_node *tr = out_node(&t, 0);
        CHECK(ox_node_is(tr, "onnx::Transpose") && ATTR_IS(tr, "perm", 1, 0) && ox_node_is(tr->inputs[0]->node, "onnx::NonZero"));
    }
    tg_free(&t);
    expect_fail(nz, 8, ONNXIFY_ERR_EXPORTER, "nonzero, which is not implemented for opset 8");

    const char *cs = TG_JSON(
        "[" V("x", TG_I32("3,4")) "]",
        "[" TG_CONST_INT("d", 1) "," TG_CONST_NONE("dn") "," TG_CONST_INT("dt", 4) "," N(
            "aten::cumsum", Q("x") "," Q("d") "," Q("dn"), V("a", TG_I32("3,4"))) "," N(
            "aten::cumsum", Q("x") "," Q("d") "," Q("dt"), V("b", TG_I64("3,4"))) "]",
        "[" Q("a") "," Q("b") "]");
    CHECK(conv(&t, cs, 11) == OX_OK);
    if (t.onnx) {
        ox_node *a = out_node(&t, 0), *b = out_node(&t, 1);
        CHECK(ox_node_is(a, "onnx::CumSum") && is_graph_input(&t, a->inputs[0], 0));
        const ox_tensor *ax = ox_value_const_tensor(a->inputs[1]);
        CHECK(ax && ax->dtype == OX_INT32 && ax->rank == 0 && ox_tensor_get_i(ax, 0) == 1);
        CHECK(ox_node_is(b, "onnx::CumSum") && ox_node_is(b->inputs[0]->node, "onnx::Cast"));
        CHECK_EQ_INT(tg_attr_i(b->inputs[0]->node, "to", -1), OX_INT64);
    }
    tg_free(&t);
    expect_fail(cs, 9, ONNXIFY_ERR_SYMBOLIC_VALUE, "Unsupported: ONNX export of cumsum in opset 9. Please try opset version 11.");
    expect_fail(cs, 10, ONNXIFY_ERR_SYMBOLIC_VALUE, "cumsum in opset 9");
}

static void test_flip_roll(void)
{
    const char *flip = TG_JSON("[" V("x", TG_F32("3,4,5")) "]",
                               "[" TG_CONST_INTS("d", 0, 2) "," N("aten::flip", Q("x") "," Q("d"), V("y", TG_F32("3,4,5"))) "]",
                               OUT_Y);
    tg t;
    CHECK(conv(&t, flip, 10) == OX_OK);
    if (t.onnx) {
        ox_node *s = out_node(&t, 0);
        CHECK(ox_node_is(s, "onnx::Slice") && s->ninputs == 5);
        CHECK(CONST_IN(s, 1, 1, -1, -1) && CONST_IN(s, 2, 1, -INT64_MAX, -INT64_MAX) && CONST_IN(s, 3, 1, 0, 2) &&
              CONST_IN(s, 4, 1, -1, -1));
    }
    tg_free(&t);
    CHECK(ox_symbolic_lookup("aten::flip", 9) == NULL);

    const char *roll = TG_JSON(
        "[" V("x", TG_F32("3,4")) "]",
        "[" TG_CONST_INTS("s", 1) "," TG_CONST_INTS("d", 1) "," N("aten::roll", Q("x") "," Q("s") "," Q("d"), V("y", TG_F32("3,4"))) "]",
        OUT_Y);
    CHECK(conv(&t, roll, 9) == OX_OK);
    if (t.onnx) {
        ox_node *c = out_node(&t, 0);
        CHECK(ox_node_is(c, "onnx::Concat") && tg_attr_i(c, "axis", -1) == 1);
        ox_node *tail = c->inputs[0]->node, *head = c->inputs[1]->node;
        CHECK(ox_node_is(tail, "onnx::Slice") && ATTR_IS(tail, "starts", -1) && ATTR_IS(tail, "ends", INT64_MAX) &&
              ATTR_IS(tail, "axes", 1));
        CHECK(ox_node_is(head, "onnx::Slice") && ATTR_IS(head, "starts", 0) && ATTR_IS(head, "ends", -1));
    }
    tg_free(&t);
    CHECK(conv(&t, roll, 13) == OX_OK);
    if (t.onnx) {
        ox_node *tail = out_node(&t, 0)->inputs[0]->node;
        CHECK(ox_node_is(tail, "onnx::Slice") && tail->ninputs == 4 && CONST_IN(tail, 1, 1, -1) && CONST_IN(tail, 3, 1, 1));
    }
    tg_free(&t);
    /* a zero shift: the first slice is the whole input */
    const char *roll0 = TG_JSON(
        "[" V("x", TG_F32("3,4")) "]",
        "[" TG_CONST_INTS("s", 0, 2) "," TG_CONST_INTS("d", 1, 0) "," N("aten::roll", Q("x") "," Q("s") "," Q("d"), V("y", TG_F32("3,4"))) "]",
        OUT_Y);
    expect_kinds(roll0, 11, "Constant,Constant,Constant,Slice,Concat,Constant,Constant,Constant,Slice,Constant,Constant,Constant,Slice,Concat");
    const char *bad = TG_JSON(
        "[" V("x", TG_F32("3,4")) "]",
        "[" TG_CONST_INTS("s", 1, 2) "," TG_CONST_INTS("d", 1) "," N("aten::roll", Q("x") "," Q("s") "," Q("d"), V("y", TG_F32("3,4"))) "]",
        OUT_Y);
    expect_fail(bad, 11, ONNXIFY_ERR_SYMBOLIC_VALUE, "roll: 2 shifts for 1 dims");
}

static void test_trilu(void)
{
    const char *json = TG_JSON(
        "[" V("x", TG_F32("4,4")) "]",
        "[" TG_CONST_INT("k", -1) "," N("aten::tril", Q("x") "," Q("k"), V("a", TG_F32("4,4"))) "," N(
            "aten::triu_", Q("x") "," Q("k"), V("b", TG_F32("4,4"))) "]",
        "[" Q("a") "," Q("b") "]");
    tg t;
    CHECK(conv(&t, json, 14) == OX_OK);
    if (t.onnx) {
        ox_node *a = out_node(&t, 0), *b = out_node(&t, 1);
        CHECK(ox_node_is(a, "onnx::Trilu") && tg_attr_i(a, "upper", -1) == 0);
        CHECK(ox_node_is(b, "onnx::Trilu") && tg_attr_i(b, "upper", -1) == 1);
        const ox_tensor *k = ox_value_const_tensor(a->inputs[1]);
        CHECK(k && k->dtype == OX_INT64 && k->rank == 0 && ox_tensor_get_i(k, 0) == -1);
    }
    tg_free(&t);
    expect_fail(json, 13, ONNXIFY_ERR_UNSUPPORTED_OPERATOR, "Support for this operator was added in version 14");
}

/* repeat_interleave with static sizes: split into slices, each expanded by
 * its count, concatenated along dim. */
#define REPEAT_INTERLEAVE(x_type, reps_node, dim_node)                                                          \
    TG_JSON("[" V("x", x_type) "]",                                                                              \
            "[" reps_node "," dim_node "," TG_CONST_NONE("os") "," N("aten::repeat_interleave",                  \
                                                                      Q("x") "," Q("r") "," Q("d") "," Q("os"), \
                                                                      V("y", TG_ANY)) "]",                       \
            OUT_Y)

static void test_repeat_interleave(void)
{
    const char *json = REPEAT_INTERLEAVE(TG_F32("3,2"), TG_CONST_INT("r", 2), TG_CONST_INT("d", 1));
    tg t;
    CHECK(conv(&t, json, 11) == OX_OK);
    if (t.onnx) {
        ox_node *cat = out_node(&t, 0);
        CHECK(ox_node_is(cat, "onnx::Concat") && cat->ninputs == 2 && tg_attr_i(cat, "axis", -1) == 1);
        ox_node *r = cat->inputs[0]->node;
        CHECK(ox_node_is(r, "onnx::Reshape") && CONST_IN(r, 1, 1, 3, -1));
        ox_node *e = r->inputs[0]->node;
        CHECK(ox_node_is(e, "onnx::Expand"));
        ox_node *u = e->inputs[0]->node;
        CHECK(ox_node_is(u, "onnx::Unsqueeze") && ATTR_IS(u, "axes", 2));
        ox_node *sp = u->inputs[0]->node;
        CHECK(ox_node_is(sp, "onnx::Split") && sp->noutputs == 2 && ATTR_IS(sp, "split", 1, 1) && tg_attr_i(sp, "axis", -1) == 1);
        /* the expand shape: [3, 1, count] */
        ox_node *shape = e->inputs[1]->node->inputs[2]->node;
        CHECK(ox_node_is(shape, "onnx::Concat") && CONST_IN(shape, 0, 1, 3, 1) && ox_node_is(shape->inputs[1]->node, "onnx::Split"));
        CHECK_EQ_INT(tg_count(t.onnx, "onnx::Split"), 2);
    }
    tg_free(&t);
    /* opset 13: Split takes the sizes as an input */
    CHECK(conv(&t, json, 13) == OX_OK);
    if (t.onnx) {
        ox_node *sp = tg_find(t.onnx, "onnx::Split", 0);
        CHECK(sp && sp->ninputs == 2 && CONST_IN(sp, 1, 1, 1, 1) && !ox_node_attr(sp, "split"));
    }
    tg_free(&t);
    /* no dim: the input is flattened first */
    CHECK(conv(&t, REPEAT_INTERLEAVE(TG_F32("3,2"), TG_CONST_INT("r", 2), TG_CONST_NONE("d")), 9) == OX_OK);
    if (t.onnx) {
        CHECK_EQ_INT(tg_attr_i(out_node(&t, 0), "axis", -1), 0);
        CHECK_EQ_INT(out_node(&t, 0)->ninputs, 6);
    }
    tg_free(&t);
    /* a dynamic size along dim */
    const char *dyn = REPEAT_INTERLEAVE(TG_F32("3,null"), TG_CONST_INT("r", 2), TG_CONST_INT("d", 1));
    expect_fail(dyn, 9, ONNXIFY_ERR_SYMBOLIC_VALUE,
                "repeat_interleave in opset 9. Unsupported along dimension with unknown input size. Please try opset version 13.");
    expect_fail(dyn, 13, ONNXIFY_ERR_SYMBOLIC_VALUE, "Loop form");
    expect_fail(json, 8, ONNXIFY_ERR_EXPORTER, "repeat_interleave, which is not implemented for opset 8");
}

/* index_add: opset 9's scatter_add of the expanded source at every opset. */
static void test_index_add(void)
{
    const char *json = TG_JSON(
        "[" V("x", TG_F32("3,5")) "," V("i", TG_I64("3")) "," V("s", TG_F32("3,3")) "]",
        "[" TG_CONST_INT("d", 1) "," TG_CONST_INT("al", 1) "," N("aten::index_add", Q("x") "," Q("d") "," Q("i") "," Q("s") "," Q("al"),
                                                                V("y", TG_F32("3,5"))) "]",
        OUT_Y);
    expect_kinds(json, 9, "Slice,Shape,Expand,Unsqueeze,Shape,Expand,Constant,Scatter,Add");
    tg t;
    CHECK(conv(&t, json, 16) == OX_OK);
    if (t.onnx) {
        ox_node *add = out_node(&t, 0);
        CHECK(ox_node_is(add, "onnx::Add") && is_graph_input(&t, add->inputs[0], 0));
        ox_node *se = add->inputs[1]->node;
        CHECK(ox_node_is(se, "onnx::ScatterElements") && !ox_node_attr(se, "reduction") && tg_attr_i(se, "axis", -1) == 1);
        ox_node *ei = se->inputs[1]->node;
        CHECK(ox_node_is(ei, "onnx::Expand") && ox_node_is(ei->inputs[0]->node, "onnx::Unsqueeze"));
        CHECK(CONST_IN(ei->inputs[0]->node, 1, 1, 0));
        ox_node *sl = tg_find(t.onnx, "onnx::Slice", 0);
        CHECK(sl && CONST_IN(sl, 2, 1, INT64_MAX, 1) && CONST_IN(sl, 3, 1, 0, 1));
    }
    tg_free(&t);
    const char *alpha = TG_JSON(
        "[" V("x", TG_F32("3,5")) "," V("i", TG_I64("3")) "," V("s", TG_F32("3,3")) "]",
        "[" TG_CONST_INT("d", 1) "," TG_CONST_INT("al", 2) "," N("aten::index_add", Q("x") "," Q("d") "," Q("i") "," Q("s") "," Q("al"),
                                                                V("y", TG_F32("3,5"))) "]",
        OUT_Y);
    expect_fail(alpha, 13, ONNXIFY_ERR_SYMBOLIC_VALUE, "index_add, alpha != 1");
    const char *dup = TG_JSON(
        "[" V("x", TG_F32("3,2")) "," V("i", TG_I64("3")) "," V("s", TG_F32("3,3")) "]",
        "[" TG_CONST_INT("d", 1) "," N("aten::index_add", Q("x") "," Q("d") "," Q("i") "," Q("s"), V("y", TG_F32("3,2"))) "]",
        OUT_Y);
    expect_fail(dup, 13, ONNXIFY_ERR_SYMBOLIC_VALUE, "duplicated values in 'index' parameter");
}

/* Bad input returns a status, never crashes. */
static void test_bad_input(void)
{
    const char *noint = TG_JSON(
        "[" V("x", TG_F32("3,5")) "," V("d", TG_INT) "," V("i", TG_I64("2")) "]",
        "[" N("aten::index_select", Q("x") "," Q("d") "," Q("i"), V("y", TG_ANY)) "]", OUT_Y);
    expect_fail(noint, 13, ONNXIFY_ERR_SYMBOLIC_VALUE, "not a constant int");
    const char *topk1 = TG_JSON("[" V("x", TG_F32("3,4")) "]",
                                "[" TG_CONST_INT("k", 2) "," TG_CONST_INT("d", 1) "," TG_CONST_BOOL("lg", 1) "," TG_CONST_BOOL(
                                    "so", 1) "," N("aten::topk", Q("x") "," Q("k") "," Q("d") "," Q("lg") "," Q("so"),
                                                   V("v", TG_F32("3,2"))) "]",
                                "[" Q("v") "]");
    expect_fail(topk1, 11, ONNXIFY_ERR_SYMBOLIC_VALUE, "gives 2 outputs");
    const char *fill_unranked = TG_JSON(
        "[" V("x", TG_ANY) "," V("i", TG_I64("2")) "]",
        "[" TG_CONST_INT("d", 1) "," TG_CONST_FLOAT("v", 1) "," N("aten::index_fill", Q("x") "," Q("d") "," Q("i") "," Q("v"), V("y", TG_ANY)) "]",
        OUT_Y);
    expect_fail(fill_unranked, 11, ONNXIFY_ERR_EXPORTER, "index_fill, input rank not accesible");
    const char *many = TG_JSON(
        "[" V("x", TG_F32("2,2")) "," V("i", TG_I64("1")) "]",
        "[" N("prim::ListConstruct", Q("i") "," Q("i") "," Q("i"), V("l", TG_TENSORS)) "," N(
            "aten::index", Q("x") "," Q("l"), V("y", TG_ANY)) "]",
        OUT_Y);
    expect_fail(many, 11, ONNXIFY_ERR_SYMBOLIC_VALUE, "too many indices");
    /* too few inputs for the op */
    const char *arity = TG_JSON("[" V("x", TG_F32("3,5")) "]",
                                "[" TG_CONST_INT("d", 1) "," N("aten::scatter", Q("x") "," Q("d"), V("y", TG_ANY)) "]", OUT_Y);
    expect_fail(arity, 11, ONNXIFY_ERR_SYMBOLIC_VALUE, "expects at least 4 inputs");
    const char *arity0 = TG_JSON("[]", "[" N("aten::nonzero", "", V("y", TG_ANY)) "]", OUT_Y);
    expect_fail(arity0, 11, ONNXIFY_ERR_SYMBOLIC_VALUE, "expects at least 1 inputs");
    /* a complex constant where an int is expected */
    const char *cplx = TG_JSON(
        "[" V("x", TG_F32("3,5")) "," V("i", TG_I64("2")) "]",
        "[{\"kind\":\"prim::Constant\",\"inputs\":[],\"outputs\":[" V("d", "{\"kind\":\"tensor\",\"dtype\":\"complex64\",\"shape\":[]}")
        "],\"attributes\":[{\"name\":\"value\",\"kind\":\"t\",\"value\":{\"dtype\":\"complex64\",\"shape\":[],"
        "\"data\":\"AACAPwAAAAA=\"}}]}," N("aten::index_select", Q("x") "," Q("d") "," Q("i"), V("y", TG_ANY)) "," N(
            "aten::gather", Q("x") "," Q("d") "," Q("i") "," Q("d"), V("z", TG_ANY)) "]",
        OUT_Y);
    tg t;
    CHECK(conv(&t, cplx, 13) != OX_OK); /* a status, whatever the reader makes of it */
    tg_free(&t);
}

static const ox_test_case tests[] = {
    {"index_select", test_index_select},
    {"gather", test_gather},
    {"take_embedding", test_take_embedding},
    {"scatter", test_scatter},
    {"scatter_add", test_scatter_add},
    {"index_single", test_index_single},
    {"index_advanced", test_index_advanced},
    {"masked", test_masked},
    {"index_put", test_index_put},
    {"index_fill_copy", test_index_fill_copy},
    {"topk", test_topk},
    {"sort", test_sort},
    {"nonzero_cumsum", test_nonzero_cumsum},
    {"flip_roll", test_flip_roll},
    {"trilu", test_trilu},
    {"repeat_interleave", test_repeat_interleave},
    {"index_add", test_index_add},
    {"bad_input", test_bad_input},
};

OX_TEST_MAIN(tests)
