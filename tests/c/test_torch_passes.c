/* The torch-level passes of _optimize_graph (src/passes/constant_propagation.c,
 * cse.c, peephole.c, fuse_addmm.c) on small TorchScript graphs read from
 * graph descriptions, each pass called on its own; and the opset < 9
 * constant rewrite (cast_constants_to_float.c) on ONNX graphs. Each pass is
 * checked for what it must do and for what it must leave alone. */
#include <math.h>

#include "graph_util.h"
#include "test.h"

/* ---- JSON fragments ------------------------------------------------------ */

#define Q(s) "\"" s "\""
#define V(name, type) "{\"name\":\"" name "\",\"type\":" type "}"
#define N(kind, ins, outs) "{\"kind\":\"" kind "\",\"inputs\":[" ins "],\"outputs\":[" outs "]}"
#define NS(kind, ins, outs, scope) \
    "{\"kind\":\"" kind "\",\"inputs\":[" ins "],\"outputs\":[" outs "],\"scope\":\"" scope "\"}"
#define NA(kind, ins, outs, attrs) \
    "{\"kind\":\"" kind "\",\"inputs\":[" ins "],\"outputs\":[" outs "],\"attributes\":[" attrs "]}"
#define NB(kind, ins, outs, blocks) \
    "{\"kind\":\"" kind "\",\"inputs\":[" ins "],\"outputs\":[" outs "],\"blocks\":[" blocks "]}"
#define BLOCK(nodes, outs) "{\"inputs\":[],\"nodes\":[" nodes "],\"outputs\":[" outs "]}"
#define ATTR(name, kind, v) "{\"name\":\"" name "\",\"kind\":\"" kind "\",\"value\":" v "}"
#define CONST(name, type, kind, v) NA("prim::Constant", "", V(name, type), ATTR("value", kind, v))
#define CONST_S(name, type, kind, v, scope)                                                             \
    "{\"kind\":\"prim::Constant\",\"inputs\":[],\"outputs\":[" V(name, type) "],\"attributes\":[" ATTR( \
        "value", kind, v) "],\"scope\":\"" scope "\"}"
#define TENSOR(dtype, shape, b64) "{\"dtype\":\"" dtype "\",\"shape\":[" shape "],\"data\":\"" b64 "\"}"
#define TG_F32_ANY "{\"kind\":\"tensor\",\"dtype\":\"float32\"}"
#define TG_FLOATS "{\"kind\":\"list\",\"elem\":{\"kind\":\"float\"}}"
#define TG_TENSORS "{\"kind\":\"list\",\"elem\":{\"kind\":\"tensor\"}}"
#define TG_OPT_TENSOR "{\"kind\":\"optional\",\"elem\":{\"kind\":\"tensor\"}}"
#define X23 "[" V("x", TG_F32("2,3")) "]"

/* base64 of little-endian values */
#define B64_F32_2_7 "zcwsQA=="      /* 2.7f */
#define B64_I64_6 "BgAAAAAAAAA="    /* 6 */
#define B64_F32_1_2 "AACAPwAAAEA="  /* {1, 2} */
#define B64_F32_1_3 "AACAPwAAQEA="  /* {1, 3} */

/* ---- helpers ------------------------------------------------------------- */

static ox_graph *read_graph(tg *t, const char *json)
{
    tg_init(t);
    return tg_read(t, json, NULL, 0) == OX_OK ? t->torch : NULL;
}

static ox_node *producer(ox_graph *g, int output) { return ox_block_output(g->top, output)->node; }

static ox_attr *value_attr(ox_node *n) { return n ? ox_node_attr(n, "value") : NULL; }

static bool const_i(ox_node *n, ox_type_kind type, int64_t v)
{
    ox_attr *a = value_attr(n);
    return n && ox_node_is(n, "prim::Constant") && a && a->kind == OX_ATTR_I && a->v.i == v &&
           n->outputs[0]->type->kind == type;
}

static bool const_f(ox_node *n, double v)
{
    ox_attr *a = value_attr(n);
    return n && ox_node_is(n, "prim::Constant") && a && a->kind == OX_ATTR_F && a->v.f == v &&
           n->outputs[0]->type->kind == OX_TYPE_FLOAT;
}

static bool const_ints(ox_node *n, const int64_t *v, int count)
{
    ox_attr *a = value_attr(n);
    if (!n || !ox_node_is(n, "prim::Constant") || !a || a->kind != OX_ATTR_IS || a->n != count) return false;
    ox_type *t = n->outputs[0]->type;
    if (t->kind != OX_TYPE_LIST || t->nelems != 1 || t->elems[0]->kind != OX_TYPE_INT) return false;
    for (int i = 0; i < count; i++)
        if (a->v.is[i] != v[i]) return false;
    return true;
}
#define CONST_INTS(n, ...) \
    const_ints((n), (const int64_t[]){__VA_ARGS__}, (int)(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t)))

static int count_all(const ox_block *b, const char *kind)
{
    int c = 0;
    for (ox_node *n = ox_block_first(b); n != b->ret; n = n->next) {
        c += ox_node_is(n, kind);
        for (int i = 0; i < n->nblocks; i++) c += count_all(n->blocks[i], kind);
    }
    return c;
}

static ox_status run(ox_status (*pass)(ox_graph *, bool *), ox_graph *g, bool *changed)
{
    return g ? pass(g, changed) : ONNXIFY_ERR_INTERNAL;
}

/* ==== constant propagation ================================================ */

/* Int arithmetic feeding a ListConstruct: the list becomes one int[] constant
 * without a scope, and the dead inputs go. */
static void test_cp_int_list(void)
{
    tg t;
    ox_graph *g = read_graph(&t,
        TG_JSON(X23,
            "[" CONST("a", TG_INT, "i", "-7") "," CONST("b", TG_INT, "i", "2") "," CONST("c", TG_INT, "i", "3") ","
            N("aten::floordiv", Q("a") "," Q("b"), V("q", TG_INT)) ","
            N("aten::remainder", Q("a") "," Q("c"), V("r", TG_INT)) ","
            N("aten::add", Q("b") "," Q("c"), V("s", TG_INT)) ","
            N("aten::mul", Q("s") "," Q("a"), V("m", TG_INT)) ","
            NS("prim::ListConstruct", Q("q") "," Q("r") "," Q("m"), V("l", TG_INTS), "M::/L::lin") ","
            N("aten::view", Q("x") "," Q("l"), V("y", TG_F32("3,2"))) "]",
            "[" Q("y") "]"));
    bool changed = false;
    CHECK_EQ_INT(run(ox_pass_constant_propagation, g, &changed), OX_OK);
    CHECK(changed);
    CHECK_STR(tg_kinds(g), "prim::Constant,aten::view");
    ox_node *list = tg_find(g, "prim::Constant", 0);
    CHECK(CONST_INTS(list, -4, 2, -35));
    CHECK(list && list->scope == NULL);
    changed = true;
    CHECK_EQ_INT(run(ox_pass_constant_propagation, g, &changed), OX_OK);
    CHECK(!changed);
    tg_free(&t);
}

/* Float division, comparisons, negation; the result types follow torch. */
static void test_cp_numbers(void)
{
    tg t;
    ox_graph *g = read_graph(&t,
        TG_JSON("[]",
            "[" CONST("a", TG_INT, "i", "7") "," CONST("b", TG_INT, "i", "2") "," CONST("f", TG_FLOAT, "f", "0.5") ","
            CONST("t", TG_BOOL, "i", "1") ","
            N("aten::div", Q("a") "," Q("b"), V("d", TG_FLOAT)) ","
            N("aten::lt", Q("d") "," Q("a"), V("lt", TG_BOOL)) ","
            N("aten::mul", Q("f") "," Q("a"), V("fm", TG_FLOAT)) ","
            N("aten::neg", Q("a"), V("n", TG_INT)) ","
            N("aten::eq", Q("t") "," Q("t"), V("e", TG_BOOL)) ","
            N("aten::ge", Q("b") "," Q("f"), V("ge", TG_BOOL)) "]",
            "[" Q("d") "," Q("lt") "," Q("fm") "," Q("n") "," Q("e") "," Q("ge") "]"));
    CHECK_EQ_INT(run(ox_pass_constant_propagation, g, NULL), OX_OK);
    CHECK(const_f(producer(g, 0), 3.5));
    CHECK(const_i(producer(g, 1), OX_TYPE_BOOL, 1));
    CHECK(const_f(producer(g, 2), 3.5));
    CHECK(const_i(producer(g, 3), OX_TYPE_INT, -7));
    CHECK(const_i(producer(g, 4), OX_TYPE_BOOL, 1));
    CHECK(const_i(producer(g, 5), OX_TYPE_BOOL, 1));
    CHECK_EQ_INT(tg_size(g), 6);
    tg_free(&t);
}

/* aten::Int/Float/Bool, the implicit conversions and NumToTensor. */
static void test_cp_conversions(void)
{
    tg t;
    ox_graph *g = read_graph(&t,
        TG_JSON("[]",
            "[" CONST("ft", TG_F32(""), "t", TENSOR("float32", "", B64_F32_2_7)) ","
            CONST("it", TG_I64(""), "t", TENSOR("int64", "", B64_I64_6)) ","
            CONST("three", TG_INT, "i", "3") "," CONST("zero", TG_INT, "i", "0") ","
            CONST("neg", TG_FLOAT, "f", "-2.5") ","
            N("aten::Int", Q("ft"), V("a", TG_INT)) ","
            N("aten::Float", Q("three"), V("b", TG_FLOAT)) ","
            N("aten::Bool", Q("zero"), V("c", TG_BOOL)) ","
            N("aten::ScalarImplicit", Q("it"), V("d", "{\"kind\":\"number\"}")) ","
            N("prim::NumToTensor", Q("three"), V("e", TG_I64(""))) ","
            N("aten::Int", Q("neg"), V("f", TG_INT)) ","
            N("aten::FloatImplicit", Q("ft"), V("g", TG_FLOAT)) "]",
            "[" Q("a") "," Q("b") "," Q("c") "," Q("d") "," Q("e") "," Q("f") "," Q("g") "]"));
    CHECK_EQ_INT(run(ox_pass_constant_propagation, g, NULL), OX_OK);
    CHECK(const_i(producer(g, 0), OX_TYPE_INT, 2));
    CHECK(const_f(producer(g, 1), 3.0));
    CHECK(const_i(producer(g, 2), OX_TYPE_BOOL, 0));
    CHECK(const_i(producer(g, 3), OX_TYPE_INT, 6));
    ox_node *e = producer(g, 4);
    ox_attr *ea = value_attr(e);
    CHECK(ea && ea->kind == OX_ATTR_T && ea->v.t->dtype == OX_INT64 && ea->v.t->rank == 0 &&
          ox_tensor_get_i(ea->v.t, 0) == 3);
    CHECK(ox_type_is_tensor(e->outputs[0]->type) && e->outputs[0]->type->dtype == OX_INT64);
    CHECK(const_i(producer(g, 5), OX_TYPE_INT, -2));
    ox_node *fi = producer(g, 6);
    CHECK(fi && ox_node_is(fi, "prim::Constant") && value_attr(fi)->kind == OX_ATTR_F &&
          fabs(value_attr(fi)->v.f - 2.7) < 1e-6);
    CHECK_EQ_INT(tg_count(g, "prim::Constant"), 7);
    tg_free(&t);
}

/* What must stay: division by zero, runtime values, tensor ops, a list that
 * is appended to, int() of NaN, a list of mixed int/float, bools in
 * arithmetic, nodes of other namespaces. */
static void test_cp_left_alone(void)
{
    tg t;
    ox_graph *g = read_graph(&t,
        TG_JSON(X23,
            "[" CONST("one", TG_INT, "i", "1") "," CONST("zero", TG_INT, "i", "0") ","
            CONST("nan", TG_FLOAT, "f", "\"nan\"") "," CONST("half", TG_FLOAT, "f", "0.5") ","
            CONST("t", TG_BOOL, "i", "1") ","
            N("aten::div", Q("one") "," Q("zero"), V("d", TG_FLOAT)) ","
            N("aten::floordiv", Q("one") "," Q("zero"), V("fd", TG_INT)) ","
            N("aten::remainder", Q("one") "," Q("zero"), V("rm", TG_INT)) ","
            N("aten::size", Q("x") "," Q("zero"), V("sz", TG_INT)) ","
            N("aten::add", Q("sz") "," Q("one"), V("s1", TG_INT)) ","
            N("aten::add", Q("x") "," Q("x") "," Q("one"), V("xx", TG_F32("2,3"))) ","
            N("prim::ListConstruct", Q("one") "," Q("one"), V("l", TG_INTS)) ","
            N("aten::append", Q("l") "," Q("one"), V("l2", TG_INTS)) ","
            N("aten::Int", Q("nan"), V("ni", TG_INT)) ","
            N("prim::ListConstruct", Q("one") "," Q("half"), V("mixed", TG_INTS)) ","
            N("aten::add", Q("t") "," Q("one"), V("bt", TG_INT)) ","
            N("custom::add", Q("one") "," Q("one"), V("cu", TG_INT)) "]",
            "[" Q("d") "," Q("fd") "," Q("rm") "," Q("s1") "," Q("xx") "," Q("l2") "," Q("ni") "," Q("mixed") ","
            Q("bt") "," Q("cu") "]"));
    bool changed = true;
    CHECK_EQ_INT(run(ox_pass_constant_propagation, g, &changed), OX_OK);
    CHECK(!changed);
    const char *kinds[] = {"aten::div", "aten::floordiv", "aten::remainder", "aten::add", "aten::add",
                           "aten::append", "aten::Int", "prim::ListConstruct", "aten::add", "custom::add"};
    for (int i = 0; i < 10; i++) CHECK_STR(producer(g, i)->kind, kinds[i]);
    CHECK(ox_node_is(producer(g, 5)->inputs[0]->node, "prim::ListConstruct"));
    tg_free(&t);
}

/* Constant lists: float lists, len, __getitem__, list + list. */
static void test_cp_lists(void)
{
    tg t;
    ox_graph *g = read_graph(&t,
        TG_JSON("[]",
            "[" CONST("a", TG_FLOAT, "f", "1.5") "," CONST("b", TG_FLOAT, "f", "2") ","
            CONST("i1", TG_INT, "i", "4") "," CONST("i2", TG_INT, "i", "5") "," CONST("m1", TG_INT, "i", "-1") ","
            N("prim::ListConstruct", Q("a") "," Q("b"), V("fl", TG_FLOATS)) ","
            N("prim::ListConstruct", Q("i1") "," Q("i2"), V("il", TG_INTS)) ","
            N("aten::len", Q("il"), V("n", TG_INT)) ","
            N("aten::__getitem__", Q("il") "," Q("m1"), V("last", TG_INT)) ","
            N("aten::add", Q("il") "," Q("il"), V("cat", TG_INTS)) ","
            N("prim::ListConstruct", "", V("empty", TG_INTS)) "]",
            "[" Q("fl") "," Q("n") "," Q("last") "," Q("cat") "," Q("empty") "]"));
    CHECK_EQ_INT(run(ox_pass_constant_propagation, g, NULL), OX_OK);
    ox_attr *fl = value_attr(producer(g, 0));
    CHECK(fl && fl->kind == OX_ATTR_FS && fl->n == 2 && fl->v.fs[0] == 1.5 && fl->v.fs[1] == 2.0);
    CHECK(producer(g, 0)->outputs[0]->type->elems[0]->kind == OX_TYPE_FLOAT);
    CHECK(const_i(producer(g, 1), OX_TYPE_INT, 2));
    CHECK(const_i(producer(g, 2), OX_TYPE_INT, 5));
    CHECK(CONST_INTS(producer(g, 3), 4, 5, 4, 5));
    CHECK(const_ints(producer(g, 4), NULL, 0));
    CHECK_STR(tg_kinds(g), "prim::Constant,prim::Constant,prim::Constant,prim::Constant,prim::Constant");
    tg_free(&t);
}

/* Nodes inside a prim::If block fold too; the If itself stays. */
static void test_cp_blocks(void)
{
    tg t;
    ox_graph *g = read_graph(&t,
        TG_JSON("[" V("c", TG_BOOL) "]",
            "[" CONST("one", TG_INT, "i", "1") ","
            NB("prim::If", Q("c"), V("r", TG_INT),
               BLOCK(N("aten::add", Q("one") "," Q("one"), V("two", TG_INT)), Q("two")) ","
               BLOCK(N("aten::sub", Q("one") "," Q("one"), V("z", TG_INT)), Q("z"))) "]",
            "[" Q("r") "]"));
    CHECK_EQ_INT(run(ox_pass_constant_propagation, g, NULL), OX_OK);
    ox_node *n = producer(g, 0);
    CHECK(ox_node_is(n, "prim::If"));
    CHECK(const_i(ox_block_output(n->blocks[0], 0)->node, OX_TYPE_INT, 2));
    CHECK(const_i(ox_block_output(n->blocks[1], 0)->node, OX_TYPE_INT, 0));
    CHECK_EQ_INT(count_all(g->top, "aten::add") + count_all(g->top, "aten::sub"), 0);
    tg_free(&t);
}

/* ==== CSE ================================================================= */

/* Equal nodes merge into the first; its scope stays; the second's users move. */
static void test_cse_first_wins(void)
{
    tg t;
    ox_graph *g = read_graph(&t,
        TG_JSON(X23,
            "[" CONST_S("one", TG_INT, "i", "1", "M::/A::a") "," CONST_S("one_b", TG_INT, "i", "1", "M::/B::b") ","
            NS("aten::relu", Q("x"), V("r1", TG_F32("2,3")), "M::/A::a") ","
            NS("aten::relu", Q("x"), V("r2", TG_F32("2,3")), "M::/B::b") ","
            NS("aten::add", Q("x") "," Q("r1") "," Q("one"), V("a1", TG_F32("2,3")), "M::/A::a") ","
            NS("aten::add", Q("x") "," Q("r2") "," Q("one_b"), V("a2", TG_F32("2,3")), "M::/B::b") ","
            N("aten::mul", Q("a1") "," Q("a2"), V("y", TG_F32("2,3"))) "]",
            "[" Q("y") "]"));
    bool changed = false;
    CHECK_EQ_INT(run(ox_pass_cse, g, &changed), OX_OK);
    CHECK(changed);
    CHECK_STR(tg_kinds(g), "prim::Constant,aten::relu,aten::add,aten::mul");
    ox_node *relu = tg_find(g, "aten::relu", 0), *add = tg_find(g, "aten::add", 0), *mul = tg_find(g, "aten::mul", 0);
    CHECK_STR(relu->scope, "M::/A::a");
    CHECK_STR(add->scope, "M::/A::a");
    CHECK_STR(tg_find(g, "prim::Constant", 0)->scope, "M::/A::a");
    CHECK(mul->inputs[0] == add->outputs[0] && mul->inputs[1] == add->outputs[0]);
    changed = true;
    CHECK_EQ_INT(run(ox_pass_cse, g, &changed), OX_OK);
    CHECK(!changed);
    tg_free(&t);
}

/* Constants merge on equal value and type only. */
static void test_cse_constants(void)
{
    tg t;
    ox_graph *g = read_graph(&t,
        TG_JSON("[]",
            "[" CONST("i1", TG_INT, "i", "1") "," CONST("i1b", TG_INT, "i", "1") "," CONST("b1", TG_BOOL, "i", "1") ","
            CONST("z", TG_FLOAT, "f", "0.0") "," CONST("nz", TG_FLOAT, "f", "-0.0") ","
            CONST("t12", TG_F32("2"), "t", TENSOR("float32", "2", B64_F32_1_2)) ","
            CONST("t12b", TG_F32("2"), "t", TENSOR("float32", "2", B64_F32_1_2)) ","
            CONST("t13", TG_F32("2"), "t", TENSOR("float32", "2", B64_F32_1_3)) ","
            CONST("l", TG_INTS, "is", "[1,2]") "," CONST("lb", TG_INTS, "is", "[1,2]") ","
            CONST("l3", TG_INTS, "is", "[1,2,3]") ","
            N("prim::Constant", "", V("none1", TG_NONE)) "," N("prim::Constant", "", V("none2", TG_NONE)) ","
            N("aten::stack", Q("t12") "," Q("t12b") "," Q("t13"), V("ts", TG_F32_ANY)) ","
            N("aten::view", Q("ts") "," Q("l"), V("vl", TG_F32_ANY)) ","
            N("aten::view", Q("ts") "," Q("lb"), V("vlb", TG_F32_ANY)) ","
            N("aten::view", Q("ts") "," Q("l3"), V("vl3", TG_F32_ANY)) "]",
            "[" Q("i1") "," Q("i1b") "," Q("b1") "," Q("z") "," Q("nz") "," Q("ts") "," Q("ts") "," Q("ts") ","
            Q("vl") "," Q("vlb") "," Q("vl3") "," Q("none1") "," Q("none2") "]"));
    CHECK_EQ_INT(run(ox_pass_cse, g, NULL), OX_OK);
    ox_block *top = g->top;
    CHECK(ox_block_output(top, 0) == ox_block_output(top, 1));   /* int 1 twice */
    CHECK(ox_block_output(top, 0) != ox_block_output(top, 2));   /* int 1 vs bool True */
    CHECK(ox_block_output(top, 3) != ox_block_output(top, 4));   /* 0.0 vs -0.0 */
    ox_node *stack = tg_find(g, "aten::stack", 0);
    CHECK(stack->inputs[0] == stack->inputs[1]);                 /* equal tensors */
    CHECK(stack->inputs[0] != stack->inputs[2]);                 /* different data */
    /* the lists merge, so do the views using them: but both are outputs */
    CHECK(ox_block_output(top, 8)->node->inputs[1] == ox_block_output(top, 9)->node->inputs[1]);
    CHECK(ox_block_output(top, 8) != ox_block_output(top, 9));
    CHECK(ox_block_output(top, 8)->node->inputs[1] != ox_block_output(top, 10)->node->inputs[1]);
    CHECK(ox_block_output(top, 11) == ox_block_output(top, 12)); /* None */
    CHECK_EQ_INT(tg_size(g), 13);
    tg_free(&t);
}

/* Different attributes, inputs or output types keep nodes apart. */
static void test_cse_differences(void)
{
    tg t;
    ox_graph *g = read_graph(&t,
        TG_JSON("[" V("x", TG_F32("2,3")) "," V("w", TG_F32("2,3")) "]",
            "[" NA("aten::elu", Q("x"), V("a", TG_F32("2,3")), ATTR("k", "i", "1")) ","
            NA("aten::elu", Q("x"), V("b", TG_F32("2,3")), ATTR("k", "i", "2")) ","
            NA("aten::elu", Q("x"), V("c", TG_F32("2,3")), ATTR("k", "f", "1.0")) ","
            NA("aten::elu", Q("x"), V("d", TG_F32("2,3")), ATTR("k", "i", "1") "," ATTR("j", "s", "\"s\"")) ","
            N("aten::relu", Q("x"), V("e", TG_F32("2,3"))) ","
            N("aten::relu", Q("w"), V("f", TG_F32("2,3"))) ","
            N("aten::relu", Q("x"), V("g", TG_F32_ANY)) ","
            NA("aten::elu", Q("x"), V("h", TG_F32("2,3")), ATTR("k", "i", "1")) ","
            N("aten::stack", Q("a") "," Q("b") "," Q("c") "," Q("d") "," Q("e") "," Q("f") "," Q("g") "," Q("h"),
              V("y", TG_F32_ANY)) "]",
            "[" Q("y") "]"));
    CHECK_EQ_INT(run(ox_pass_cse, g, NULL), OX_OK);
    CHECK_EQ_INT(tg_size(g), 8); /* only h merges (into a) */
    ox_node *stack = tg_find(g, "aten::stack", 0);
    CHECK(stack->inputs[7] == stack->inputs[0]);
    for (int i = 1; i < 7; i++) CHECK(stack->inputs[i] != stack->inputs[0]);
    tg_free(&t);
}

/* Side effects, random ops and dropout in training never merge; dropout
 * with a constant train=False does. */
static void test_cse_side_effects_and_random(void)
{
    tg t;
    ox_graph *g = read_graph(&t,
        TG_JSON(X23,
            "[" CONST("p", TG_FLOAT, "f", "0.5") "," CONST("tr", TG_BOOL, "i", "1") "," CONST("ev", TG_BOOL, "i", "0") ","
            N("prim::Print", Q("x"), "") "," N("prim::Print", Q("x"), "") ","
            N("aten::rand_like", Q("x"), V("r1", TG_F32("2,3"))) ","
            N("aten::rand_like", Q("x"), V("r2", TG_F32("2,3"))) ","
            N("aten::dropout", Q("x") "," Q("p") "," Q("tr"), V("d1", TG_F32("2,3"))) ","
            N("aten::dropout", Q("x") "," Q("p") "," Q("tr"), V("d2", TG_F32("2,3"))) ","
            N("aten::feature_dropout", Q("x") "," Q("p") "," Q("tr"), V("f1", TG_F32("2,3"))) ","
            N("aten::feature_dropout", Q("x") "," Q("p") "," Q("tr"), V("f2", TG_F32("2,3"))) ","
            N("aten::dropout", Q("x") "," Q("p") "," Q("ev"), V("e1", TG_F32("2,3"))) ","
            N("aten::dropout", Q("x") "," Q("p") "," Q("ev"), V("e2", TG_F32("2,3"))) ","
            N("aten::bernoulli", Q("x"), V("b1", TG_F32("2,3"))) ","
            N("aten::bernoulli", Q("x"), V("b2", TG_F32("2,3"))) ","
            N("aten::stack", Q("r1") "," Q("r2") "," Q("d1") "," Q("d2") "," Q("f1") "," Q("f2") "," Q("e1") ","
              Q("e2") "," Q("b1") "," Q("b2"), V("y", TG_F32_ANY)) "]",
            "[" Q("y") "]"));
    CHECK_EQ_INT(run(ox_pass_cse, g, NULL), OX_OK);
    CHECK_EQ_INT(tg_count(g, "prim::Print"), 2);
    CHECK_EQ_INT(tg_count(g, "aten::rand_like"), 2);
    CHECK_EQ_INT(tg_count(g, "aten::feature_dropout"), 2);
    CHECK_EQ_INT(tg_count(g, "aten::bernoulli"), 2);
    CHECK_EQ_INT(tg_count(g, "aten::dropout"), 3); /* two in training, one in eval */
    ox_node *stack = tg_find(g, "aten::stack", 0);
    CHECK(stack->inputs[6] == stack->inputs[7]);
    CHECK(stack->inputs[2] != stack->inputs[3]);
    tg_free(&t);
}

/* An in-place op writes x: relu(x) before and after it are different values. */
static void test_cse_mutation(void)
{
    tg t;
    ox_graph *g = read_graph(&t,
        TG_JSON(X23,
            "[" CONST("one", TG_INT, "i", "1") ","
            N("aten::relu", Q("x"), V("r1", TG_F32("2,3"))) ","
            N("aten::add_", Q("x") "," Q("one") "," Q("one"), V("x2", TG_F32("2,3"))) ","
            N("aten::relu", Q("x"), V("r2", TG_F32("2,3"))) ","
            N("aten::add", Q("r1") "," Q("r2") "," Q("one"), V("y", TG_F32("2,3"))) "]",
            "[" Q("y") "]"));
    CHECK_EQ_INT(run(ox_pass_cse, g, NULL), OX_OK);
    CHECK_EQ_INT(tg_count(g, "aten::relu"), 2);
    tg_free(&t);
}

/* A list that is appended to is not the same as an equal list built later. */
static void test_cse_mutated_list(void)
{
    tg t;
    ox_graph *g = read_graph(&t,
        TG_JSON(X23,
            "[" CONST("one", TG_INT, "i", "1") "," CONST("six", TG_INT, "i", "6") ","
            N("prim::ListConstruct", Q("six"), V("l1", TG_INTS)) ","
            N("aten::append", Q("l1") "," Q("one"), V("l1b", TG_INTS)) ","
            N("prim::ListConstruct", Q("six"), V("l2", TG_INTS)) ","
            N("prim::ListConstruct", Q("one"), V("k1", TG_INTS)) ","
            N("prim::ListConstruct", Q("one"), V("k2", TG_INTS)) ","
            N("aten::view", Q("x") "," Q("l1"), V("a", TG_F32_ANY)) ","
            N("aten::view", Q("x") "," Q("l2"), V("b", TG_F32_ANY)) ","
            N("aten::view", Q("x") "," Q("k1"), V("c", TG_F32_ANY)) ","
            N("aten::view", Q("x") "," Q("k2"), V("d", TG_F32_ANY)) ","
            N("aten::stack", Q("a") "," Q("b") "," Q("c") "," Q("d"), V("y", TG_F32_ANY)) "]",
            "[" Q("y") "," Q("l1b") "]"));
    CHECK_EQ_INT(run(ox_pass_cse, g, NULL), OX_OK);
    CHECK_EQ_INT(tg_count(g, "prim::ListConstruct"), 3); /* k2 merges into k1 */
    CHECK_EQ_INT(tg_count(g, "aten::view"), 3);
    tg_free(&t);
}

/* Writing through a view writes its base: sigmoid(x) twice does not merge;
 * an unrelated input's nodes still do. */
static void test_cse_mutation_through_view(void)
{
    tg t;
    ox_graph *g = read_graph(&t,
        TG_JSON("[" V("x", TG_F32("2,3")) "," V("w", TG_F32("6")) "]",
            "[" CONST("one", TG_INT, "i", "1") "," CONST("shape", TG_INTS, "is", "[6]") ","
            N("aten::sigmoid", Q("x"), V("s1", TG_F32("2,3"))) ","
            N("aten::view", Q("x") "," Q("shape"), V("v", TG_F32("6"))) ","
            N("aten::mul_", Q("v") "," Q("one"), V("v2", TG_F32("6"))) ","
            N("aten::sigmoid", Q("x"), V("s2", TG_F32("2,3"))) ","
            N("aten::neg", Q("w"), V("n1", TG_F32("6"))) ","
            N("aten::neg", Q("w"), V("n2", TG_F32("6"))) ","
            N("aten::add", Q("s1") "," Q("s2") "," Q("one"), V("y", TG_F32("2,3"))) ","
            N("aten::add", Q("n1") "," Q("n2") "," Q("one"), V("z", TG_F32("6"))) "]",
            "[" Q("y") "," Q("z") "]"));
    CHECK_EQ_INT(run(ox_pass_cse, g, NULL), OX_OK);
    CHECK_EQ_INT(tg_count(g, "aten::sigmoid"), 2);
    CHECK_EQ_INT(tg_count(g, "aten::neg"), 1); /* nothing writes w */
    tg_free(&t);
}

/* Two equal nodes whose outputs both are (or are views of) graph outputs
 * stay apart; others merge. */
static void test_cse_graph_outputs(void)
{
    tg t;
    ox_graph *g = read_graph(&t,
        TG_JSON(X23,
            "[" N("aten::sigmoid", Q("x"), V("a", TG_F32("2,3"))) "," N("aten::sigmoid", Q("x"), V("b", TG_F32("2,3"))) ","
            N("aten::relu", Q("x"), V("r1", TG_F32("2,3"))) "," N("aten::relu", Q("x"), V("r2", TG_F32("2,3"))) ","
            N("aten::t", Q("r1"), V("t1", TG_F32("3,2"))) "," N("aten::t", Q("r2"), V("t2", TG_F32("3,2"))) ","
            N("aten::exp", Q("x"), V("e1", TG_F32("2,3"))) "," N("aten::exp", Q("x"), V("e2", TG_F32("2,3"))) ","
            N("aten::mul", Q("e1") "," Q("e2"), V("m", TG_F32("2,3"))) "]",
            "[" Q("a") "," Q("b") "," Q("t1") "," Q("t2") "," Q("m") "]"));
    CHECK_EQ_INT(run(ox_pass_cse, g, NULL), OX_OK);
    CHECK_EQ_INT(tg_count(g, "aten::sigmoid"), 2);
    CHECK_EQ_INT(tg_count(g, "aten::relu"), 2);
    CHECK_EQ_INT(tg_count(g, "aten::t"), 2);
    CHECK_EQ_INT(tg_count(g, "aten::exp"), 1);
    tg_free(&t);
}

/* Sub-blocks reuse dominating nodes of enclosing blocks, never each other's
 * or ones that come after. */
static void test_cse_blocks(void)
{
    tg t;
    ox_graph *g = read_graph(&t,
        TG_JSON("[" V("x", TG_F32("2,3")) "," V("c", TG_BOOL) "]",
            "[" N("aten::relu", Q("x"), V("r", TG_F32("2,3"))) ","
            NB("prim::If", Q("c"), V("o", TG_F32("2,3")),
               BLOCK(N("aten::relu", Q("x"), V("r_then", TG_F32("2,3"))) ","
                     N("aten::exp", Q("x"), V("e_then", TG_F32("2,3"))) ","
                     N("aten::mul", Q("r_then") "," Q("e_then"), V("m_then", TG_F32("2,3"))),
                     Q("m_then")) ","
               BLOCK(N("aten::exp", Q("x"), V("e_else", TG_F32("2,3"))), Q("e_else"))) ","
            N("aten::exp", Q("x"), V("e_after", TG_F32("2,3"))) ","
            N("aten::relu", Q("x"), V("r_after", TG_F32("2,3"))) ","
            N("aten::stack", Q("o") "," Q("e_after") "," Q("r_after") "," Q("r"), V("y", TG_F32_ANY)) "]",
            "[" Q("y") "]"));
    CHECK_EQ_INT(run(ox_pass_cse, g, NULL), OX_OK);
    ox_node *iff = tg_find(g, "prim::If", 0);
    CHECK_EQ_INT(count_all(iff->blocks[0], "aten::relu"), 0);    /* uses the outer relu */
    CHECK_EQ_INT(count_all(iff->blocks[0], "aten::exp"), 1);
    CHECK_EQ_INT(count_all(iff->blocks[1], "aten::exp"), 1);     /* not the then-block's */
    CHECK_EQ_INT(tg_count(g, "aten::exp"), 1);                   /* after the If: its own */
    CHECK_EQ_INT(tg_count(g, "aten::relu"), 1);
    ox_node *stack = tg_find(g, "aten::stack", 0);
    CHECK(stack->inputs[2] == stack->inputs[3]);
    tg_free(&t);
}

/* Merges cascade: equal constants first, then the nodes using them. */
static void test_cse_cascade(void)
{
    tg t;
    ox_graph *g = read_graph(&t,
        TG_JSON(X23,
            "[" CONST("d1", TG_INT, "i", "0") "," N("aten::size", Q("x") "," Q("d1"), V("s1", TG_INT)) ","
            N("prim::NumToTensor", Q("s1"), V("n1", TG_I64(""))) ","
            CONST("d2", TG_INT, "i", "0") "," N("aten::size", Q("x") "," Q("d2"), V("s2", TG_INT)) ","
            N("prim::NumToTensor", Q("s2"), V("n2", TG_I64(""))) ","
            N("aten::mul", Q("n1") "," Q("n2"), V("y", TG_I64(""))) "]",
            "[" Q("y") "]"));
    CHECK_EQ_INT(run(ox_pass_cse, g, NULL), OX_OK);
    CHECK_STR(tg_kinds(g), "prim::Constant,aten::size,prim::NumToTensor,aten::mul");
    tg_free(&t);
}

/* ==== peephole ============================================================ */

static void test_peephole_double_transpose(void)
{
    tg t;
    ox_graph *g = read_graph(&t,
        TG_JSON(X23,
            "[" N("aten::t", Q("x"), V("a", TG_F32("3,2"))) "," N("aten::t", Q("a"), V("b", TG_F32("2,3"))) ","
            N("aten::t", Q("x"), V("c", TG_F32("3,2"))) ","
            N("aten::relu", Q("b"), V("y", TG_F32("2,3"))) "]",
            "[" Q("y") "," Q("c") "]"));
    bool changed = false;
    CHECK_EQ_INT(run(ox_pass_peephole, g, &changed), OX_OK);
    CHECK(changed);
    CHECK_STR(tg_kinds(g), "aten::t,aten::relu");
    CHECK(producer(g, 0)->inputs[0] == ox_block_input(g->top, 0));
    tg_free(&t);
}

/* cat([x, cat([x, x], 1)], 1) -> cat([x, x, x], 1); another dim is not merged. */
static void test_peephole_nested_cat(void)
{
    tg t;
    ox_graph *g = read_graph(&t,
        TG_JSON(X23,
            "[" TG_CONST_INT("one", 1) "," TG_CONST_INT("zero", 0) ","
            N("prim::ListConstruct", Q("x") "," Q("x"), V("l1", "{\"kind\":\"list\",\"elem\":{\"kind\":\"tensor\"}}")) ","
            N("aten::cat", Q("l1") "," Q("one"), V("c1", TG_F32("2,6"))) ","
            N("prim::ListConstruct", Q("x") "," Q("c1"), V("l2", "{\"kind\":\"list\",\"elem\":{\"kind\":\"tensor\"}}")) ","
            N("aten::cat", Q("l2") "," Q("one"), V("c2", TG_F32("2,9"))) ","
            N("prim::ListConstruct", Q("c2") "," Q("c2"), V("l3", "{\"kind\":\"list\",\"elem\":{\"kind\":\"tensor\"}}")) ","
            N("aten::cat", Q("l3") "," Q("zero"), V("y", TG_F32("4,9"))) "]",
            "[" Q("y") "]"));
    bool changed = false;
    CHECK_EQ_INT(run(ox_pass_peephole, g, &changed), OX_OK);
    CHECK(changed);
    CHECK_STR(tg_kinds(g), "prim::Constant,prim::Constant,prim::ListConstruct,aten::cat,prim::ListConstruct,aten::cat");
    ox_node *inner = tg_find(g, "aten::cat", 0);
    CHECK(inner && inner->inputs[0]->node->ninputs == 3); /* x, x, x */
    tg_free(&t);
}

/* aten::Int(prim::NumToTensor(n)) -> n, for a matching number type only. */
static void test_peephole_num_to_tensor(void)
{
    tg t;
    ox_graph *g = read_graph(&t,
        TG_JSON(X23,
            "[" CONST("d", TG_INT, "i", "0") "," N("aten::size", Q("x") "," Q("d"), V("s", TG_INT)) ","
            N("prim::NumToTensor", Q("s"), V("n", TG_I64(""))) ","
            N("aten::Int", Q("n"), V("i", TG_INT)) ","
            N("aten::Float", Q("n"), V("f", TG_FLOAT)) ","
            N("aten::ScalarImplicit", Q("n"), V("sc", "{\"kind\":\"number\"}")) "]",
            "[" Q("i") "," Q("f") "," Q("sc") "]"));
    CHECK_EQ_INT(run(ox_pass_peephole, g, NULL), OX_OK);
    CHECK(ox_node_is(producer(g, 0), "aten::size"));
    CHECK(ox_node_is(producer(g, 1), "aten::Float")); /* an int is not a float */
    CHECK(ox_node_is(producer(g, 2), "aten::size"));
    tg_free(&t);
}

/* None checks, unwrap_optional, _grad_sum_to_size(x, None), the If idiom. */
static void test_peephole_none_and_if(void)
{
    tg t;
    ox_graph *g = read_graph(&t,
        TG_JSON("[" V("x", TG_F32("2,3")) "," V("o", TG_OPT_TENSOR) "," V("c", TG_BOOL) "]",
            "[" N("prim::Constant", "", V("none", TG_NONE)) ","
            N("aten::__is__", Q("x") "," Q("none"), V("is", TG_BOOL)) ","
            N("aten::__isnot__", Q("none") "," Q("x"), V("isnot", TG_BOOL)) ","
            N("aten::__is__", Q("none") "," Q("none"), V("both", TG_BOOL)) ","
            N("aten::__is__", Q("o") "," Q("none"), V("maybe", TG_BOOL)) ","
            N("aten::_unwrap_optional", Q("x"), V("u", TG_F32("2,3"))) ","
            N("aten::_unwrap_optional", Q("o"), V("uo", TG_F32_ANY)) ","
            N("aten::_grad_sum_to_size", Q("x") "," Q("none"), V("g", TG_F32("2,3"))) ","
            NB("prim::If", Q("c"), V("r", TG_BOOL),
               BLOCK(CONST("tt", TG_BOOL, "i", "1"), Q("tt")) "," BLOCK(CONST("ff", TG_BOOL, "i", "0"), Q("ff"))) "]",
            "[" Q("is") "," Q("isnot") "," Q("both") "," Q("maybe") "," Q("u") "," Q("uo") "," Q("g") "," Q("r") "]"));
    CHECK_EQ_INT(run(ox_pass_peephole, g, NULL), OX_OK);
    CHECK(const_i(producer(g, 0), OX_TYPE_BOOL, 0));
    CHECK(const_i(producer(g, 1), OX_TYPE_BOOL, 1));
    CHECK(const_i(producer(g, 2), OX_TYPE_BOOL, 1));
    CHECK(ox_node_is(producer(g, 3), "aten::__is__"));
    CHECK(ox_block_output(g->top, 4) == ox_block_input(g->top, 0));
    CHECK(ox_node_is(producer(g, 5), "aten::_unwrap_optional"));
    CHECK(ox_block_output(g->top, 6) == ox_block_input(g->top, 0));
    CHECK(ox_block_output(g->top, 7) == ox_block_input(g->top, 2));
    CHECK_EQ_INT(tg_count(g, "prim::If"), 0); /* dead after the rewrite */
    tg_free(&t);
}

/* List idioms on ListConstruct; a list that is appended to is left alone. */
static void test_peephole_lists(void)
{
    tg t;
    ox_graph *g = read_graph(&t,
        TG_JSON(X23,
            "[" CONST("zero", TG_INT, "i", "0") "," CONST("one", TG_INT, "i", "1") "," CONST("m1", TG_INT, "i", "-1") ","
            N("prim::Constant", "", V("none", TG_NONE)) ","
            N("aten::size", Q("x") "," Q("zero"), V("s0", TG_INT)) ","
            N("aten::size", Q("x") "," Q("one"), V("s1", TG_INT)) ","
            N("prim::ListConstruct", Q("s0") "," Q("s1") "," Q("one"), V("l", TG_INTS)) ","
            N("aten::len", Q("l"), V("n", TG_INT)) ","
            N("aten::__getitem__", Q("l") "," Q("m1"), V("last", TG_INT)) ","
            N("prim::ListUnpack", Q("l"), V("a", TG_INT) "," V("b", TG_INT) "," V("c", TG_INT)) ","
            N("prim::ListConstruct", Q("s1"), V("l2", TG_INTS)) ","
            N("aten::add", Q("l") "," Q("l2"), V("cat", TG_INTS)) ","
            N("aten::slice", Q("l") "," Q("one") "," Q("none") "," Q("one"), V("tail", TG_INTS)) ","
            N("aten::view", Q("x") "," Q("cat"), V("y", TG_F32_ANY)) ","
            N("aten::view", Q("x") "," Q("tail"), V("z", TG_F32_ANY)) ","
            N("prim::ListConstruct", Q("s0"), V("m", TG_INTS)) ","
            N("aten::append", Q("m") "," Q("s1"), V("m2", TG_INTS)) ","
            N("aten::len", Q("m"), V("mn", TG_INT)) "]",
            "[" Q("n") "," Q("last") "," Q("b") "," Q("y") "," Q("z") "," Q("mn") "," Q("m2") "]"));
    CHECK_EQ_INT(run(ox_pass_peephole, g, NULL), OX_OK);
    CHECK(const_i(producer(g, 0), OX_TYPE_INT, 3));
    CHECK(producer(g, 1) == tg_find(g, "prim::Constant", 1)); /* the constant 1 */
    CHECK(ox_block_output(g->top, 2) == tg_find(g, "aten::size", 1)->outputs[0]);
    ox_node *cat = producer(g, 3)->inputs[1]->node, *tail = producer(g, 4)->inputs[1]->node;
    CHECK(ox_node_is(cat, "prim::ListConstruct") && cat->ninputs == 4);
    CHECK(ox_node_is(tail, "prim::ListConstruct") && tail->ninputs == 2 &&
          tail->inputs[0] == tg_find(g, "aten::size", 1)->outputs[0]);
    CHECK(ox_node_is(producer(g, 5), "aten::len"));
    CHECK_EQ_INT(tg_count(g, "aten::add") + tg_count(g, "aten::slice") + tg_count(g, "prim::ListUnpack"), 0);
    tg_free(&t);
}

/* ==== fuse_addmm ========================================================== */

#define MM_INPUTS "[" V("a", TG_F32("2,4")) "," V("b", TG_F32("4,3")) "," V("c", TG_F32("2,3")) "]"

static void test_addmm_fuses(void)
{
    tg t;
    ox_graph *g = read_graph(&t,
        TG_JSON(MM_INPUTS,
            "[" CONST("one", TG_INT, "i", "1") "," N("aten::mm", Q("a") "," Q("b"), V("p", TG_F32("2,3"))) ","
            N("aten::add", Q("p") "," Q("c") "," Q("one"), V("out.1", TG_F32("2,3"))) ","
            N("aten::relu", Q("out.1"), V("y", TG_F32("2,3"))) "]",
            "[" Q("y") "]"));
    bool changed = false;
    CHECK_EQ_INT(run(ox_pass_fuse_addmm, g, &changed), OX_OK);
    CHECK(changed);
    CHECK_STR(tg_kinds(g), "prim::Constant,aten::addmm,aten::relu");
    ox_node *f = tg_find(g, "aten::addmm", 0);
    CHECK_EQ_INT(f->ninputs, 5);
    CHECK(f->inputs[0] == ox_block_input(g->top, 2) && f->inputs[1] == ox_block_input(g->top, 0) &&
          f->inputs[2] == ox_block_input(g->top, 1));
    CHECK(const_i(f->inputs[3]->node, OX_TYPE_INT, 1) && f->inputs[4] == f->inputs[3]);
    CHECK_STR(f->outputs[0]->name, "out.1");
    CHECK(f->outputs[0]->type->rank == 2 && f->outputs[0]->type->dims[1] == 3);
    tg_free(&t);
}

/* The mm on the right; an mm with other uses stays for them; a 0-d added
 * value of another dtype goes through type_as. */
static void test_addmm_other_side(void)
{
    tg t;
    ox_graph *g = read_graph(&t,
        TG_JSON("[" V("a", TG_F32("2,4")) "," V("b", TG_F32("4,3")) "," V("s", TG_I64("")) "]",
            "[" CONST("one", TG_INT, "i", "1") "," N("aten::mm", Q("a") "," Q("b"), V("p", TG_F32("2,3"))) ","
            N("aten::add", Q("s") "," Q("p") "," Q("one"), V("q", TG_F32("2,3"))) ","
            N("aten::mul", Q("p") "," Q("q"), V("y", TG_F32("2,3"))) "]",
            "[" Q("y") "]"));
    CHECK_EQ_INT(run(ox_pass_fuse_addmm, g, NULL), OX_OK);
    CHECK_STR(tg_kinds(g), "aten::mm,aten::type_as,prim::Constant,aten::addmm,aten::mul");
    ox_node *ta = tg_find(g, "aten::type_as", 0), *f = tg_find(g, "aten::addmm", 0);
    CHECK(ta->inputs[0] == ox_block_input(g->top, 2) && ta->inputs[1] == ox_block_input(g->top, 0));
    CHECK(ta->outputs[0]->type->dtype == OX_FLOAT && f->inputs[0] == ta->outputs[0]);
    tg_free(&t);
}

/* No fusion: alpha != 1, an added value of unknown rank, unknown mm dtypes,
 * a scalar (number) operand. */
static void test_addmm_not_fused(void)
{
    tg t;
    ox_graph *g = read_graph(&t,
        TG_JSON("[" V("a", TG_F32("2,4")) "," V("b", TG_F32("4,3")) "," V("c", TG_F32("2,3")) ","
                V("u", TG_F32_ANY) "," V("ua", "{\"kind\":\"tensor\"}") "," V("ub", "{\"kind\":\"tensor\"}") "]",
            "[" CONST("one", TG_INT, "i", "1") "," CONST("two", TG_INT, "i", "2") ","
            N("aten::mm", Q("a") "," Q("b"), V("p", TG_F32("2,3"))) ","
            N("aten::add", Q("p") "," Q("c") "," Q("two"), V("y1", TG_F32("2,3"))) ","
            N("aten::add", Q("p") "," Q("u") "," Q("one"), V("y2", TG_F32("2,3"))) ","
            N("aten::mm", Q("ua") "," Q("ub"), V("pu", "{\"kind\":\"tensor\"}")) ","
            N("aten::add", Q("pu") "," Q("c") "," Q("one"), V("y3", TG_F32("2,3"))) "]",
            "[" Q("y1") "," Q("y2") "," Q("y3") "]"));
    bool changed = true;
    CHECK_EQ_INT(run(ox_pass_fuse_addmm, g, &changed), OX_OK);
    CHECK(!changed);
    CHECK_EQ_INT(tg_count(g, "aten::addmm"), 0);
    tg_free(&t);
}

/* Through the conversion the fused node is one Gemm. */
static void test_addmm_to_gemm(void)
{
    tg t;
    tg_init(&t);
    CHECK_EQ_INT(tg_convert(&t,
        TG_JSON(MM_INPUTS,
            "[" CONST("one", TG_INT, "i", "1") "," N("aten::mm", Q("a") "," Q("b"), V("p", TG_F32("2,3"))) ","
            N("aten::add", Q("p") "," Q("c") "," Q("one"), V("y", TG_F32("2,3"))) "]",
            "[" Q("y") "]"), 13), OX_OK);
    if (t.onnx) CHECK_STR(tg_kinds(t.onnx), "Gemm");
    tg_free(&t);
}

/* ==== cast_all_constant_to_floating ======================================= */

static ox_node *onnx_const(ox_graph *g, ox_tensor *t)
{
    ox_node *c = ox_node_new(g, "onnx::Constant", 1);
    if (!c) return NULL;
    ox_node_set_t(c, "value", t);
    c->outputs[0]->type = ox_type_tensor(g->arena, t->dtype, t->rank, t->dims);
    ox_block_append(g->top, c);
    return c;
}

static ox_node *onnx_op(ox_graph *g, const char *kind, ox_value *a, ox_value *b)
{
    ox_node *n = ox_node_new(g, kind, 1);
    if (!n) return NULL;
    ox_node_add_input(n, a);
    if (b) ox_node_add_input(n, b);
    ox_block_append(g->top, n);
    return n;
}

static void test_cast_constants(void)
{
    tg t;
    ox_graph *g = tg_empty_graph(&t);
    ox_value *x = ox_block_add_input(g->top, "x", ox_type_tensor(g->arena, OX_FLOAT, 2, (int64_t[]){2, 3}));
    ox_node *shape = onnx_const(g, ox_tensor_i64s(g->arena, (int64_t[]){3, 2}, 2));
    shape->scope = "M::/R::r";
    ox_node *reshape = onnx_op(g, "onnx::Reshape", x, shape->outputs[0]);
    ox_tensor *bt = ox_tensor_alloc(g->arena, OX_BOOL, 1, (int64_t[]){2});
    ox_tensor_set_i(bt, 1, 1);
    ox_node *mask = onnx_const(g, bt);
    ox_node *f32 = onnx_const(g, ox_tensor_scalar_f32(g->arena, 2.0f));
    ox_node *mul = onnx_op(g, "onnx::Mul", reshape->outputs[0], f32->outputs[0]);
    ox_node *i32c = onnx_const(g, ox_tensor_alloc(g->arena, OX_INT32, 0, NULL));
    ox_tensor_set_i((ox_tensor *)ox_value_const_tensor(i32c->outputs[0]), 0, 7);
    ox_value_set_name(i32c->outputs[0], "seven");
    ox_block_add_output(g->top, mul->outputs[0]);
    ox_block_add_output(g->top, mask->outputs[0]);
    ox_block_add_output(g->top, i32c->outputs[0]);

    bool changed = false;
    CHECK_EQ_INT(ox_pass_cast_all_constant_to_floating(g, &changed), OX_OK);
    CHECK(changed);
    CHECK_STR(tg_kinds(g), "Constant,Cast,Reshape,Constant,Cast,Constant,Mul,Constant,Cast");
    const ox_tensor *st = ox_value_const_tensor(shape->outputs[0]);
    CHECK(st->dtype == OX_DOUBLE && st->rank == 1 && ox_tensor_get_f(st, 0) == 3.0 && ox_tensor_get_f(st, 1) == 2.0);
    ox_node *cast = reshape->inputs[1]->node;
    CHECK(ox_node_is(cast, "onnx::Cast") && tg_attr_i(cast, "to", 0) == OX_INT64 && cast->inputs[0] == shape->outputs[0]);
    CHECK_STR(cast->scope, "M::/R::r");
    CHECK(cast->outputs[0]->type->dtype == OX_INT64);
    const ox_tensor *mt = ox_value_const_tensor(mask->outputs[0]);
    CHECK(mt->dtype == OX_FLOAT && ox_tensor_get_f(mt, 0) == 0.0 && ox_tensor_get_f(mt, 1) == 1.0);
    ox_node *mcast = ox_block_output(g->top, 1)->node;
    CHECK(ox_node_is(mcast, "onnx::Cast") && tg_attr_i(mcast, "to", 0) == OX_BOOL);
    CHECK(ox_value_const_tensor(f32->outputs[0])->dtype == OX_FLOAT && mul->inputs[1] == f32->outputs[0]);
    ox_value *seven = ox_block_output(g->top, 2);
    CHECK(ox_node_is(seven->node, "onnx::Cast") && tg_attr_i(seven->node, "to", 0) == OX_INT32);
    CHECK_STR(seven->name, "seven");
    CHECK(ox_value_const_tensor(i32c->outputs[0])->dtype == OX_FLOAT &&
          ox_tensor_get_f(ox_value_const_tensor(i32c->outputs[0]), 0) == 7.0);
    changed = true;
    CHECK_EQ_INT(ox_pass_cast_all_constant_to_floating(g, &changed), OX_OK);
    CHECK(!changed);
    tg_free(&t);
}

/* Sub-blocks too; complex constants are an error (a status, no abort). */
static void test_cast_blocks_and_errors(void)
{
    tg t;
    ox_graph *g = tg_empty_graph(&t);
    ox_value *c = ox_block_add_input(g->top, "c", ox_type_tensor(g->arena, OX_BOOL, 0, NULL));
    ox_node *iff = ox_node_new(g, "onnx::If", 1);
    ox_node_add_input(iff, c);
    ox_block_append(g->top, iff);
    for (int i = 0; i < 2; i++) {
        ox_block *b = ox_node_add_block(iff);
        ox_node *k = ox_node_new(g, "onnx::Constant", 1);
        ox_node_set_t(k, "value", ox_tensor_scalar_i64(g->arena, i));
        ox_block_append(b, k);
        ox_block_add_output(b, k->outputs[0]);
    }
    ox_block_add_output(g->top, iff->outputs[0]);
    CHECK_EQ_INT(ox_pass_cast_all_constant_to_floating(g, NULL), OX_OK);
    for (int i = 0; i < 2; i++) {
        ox_value *o = ox_block_output(iff->blocks[i], 0);
        CHECK(ox_node_is(o->node, "onnx::Cast") &&
              ox_value_const_tensor(o->node->inputs[0])->dtype == OX_DOUBLE);
    }
    ox_node *bad = onnx_const(g, ox_tensor_alloc(g->arena, OX_COMPLEX64, 0, NULL));
    CHECK(bad != NULL);
    CHECK_EQ_INT(ox_pass_cast_all_constant_to_floating(g, NULL), ONNXIFY_ERR_EXPORTER);
    CHECK_CONTAINS(t.ctx.message, "Unsupported types");
    tg_free(&t);
}

/* In the pipeline: only below opset 9. */
static void test_cast_in_pipeline(void)
{
    const char *json = TG_JSON("[" V("x", TG_F32("2,3")) "]",
        "[" CONST("shape", TG_INTS, "is", "[3,2]") "," N("aten::view", Q("x") "," Q("shape"), V("y", TG_F32("3,2"))) "]",
        "[" Q("y") "]");
    for (int opset = 8; opset <= 9; opset++) {
        tg t;
        tg_init(&t);
        CHECK_EQ_INT(tg_pipeline(&t, json, NULL, 0, opset), OX_OK);
        if (t.onnx) CHECK_STR(tg_kinds(t.onnx), opset == 8 ? "Constant,Cast,Reshape" : "Constant,Reshape");
        tg_free(&t);
    }
}

/* ==== the torch-level passes together ===================================== */

/* A traced-style conv: kernel/stride lists become constants, equal ones and
 * equal ints merge, and the conversion still reads them. */
static void test_torch_passes_conv(void)
{
    tg t;
    tg_init(&t);
    const char *json = TG_JSON(
        "[" V("x", TG_F32("1,1,4,4")) "," V("w", TG_F32("1,1,1,1")) "]",
        "[" N("prim::Constant", "", V("nb", TG_NONE)) ","
        CONST("s1", TG_INT, "i", "1") "," CONST("s2", TG_INT, "i", "1") ","
        N("prim::ListConstruct", Q("s1") "," Q("s2"), V("stride", TG_INTS)) ","
        CONST("p1", TG_INT, "i", "0") "," CONST("p2", TG_INT, "i", "0") ","
        N("prim::ListConstruct", Q("p1") "," Q("p2"), V("pad", TG_INTS)) ","
        CONST("d1", TG_INT, "i", "1") "," CONST("d2", TG_INT, "i", "1") ","
        N("prim::ListConstruct", Q("d1") "," Q("d2"), V("dil", TG_INTS)) ","
        CONST("tr", TG_BOOL, "i", "0") ","
        CONST("o1", TG_INT, "i", "0") "," CONST("o2", TG_INT, "i", "0") ","
        N("prim::ListConstruct", Q("o1") "," Q("o2"), V("opad", TG_INTS)) ","
        CONST("gr", TG_INT, "i", "1") "," CONST("f1", TG_BOOL, "i", "0") "," CONST("f2", TG_BOOL, "i", "0") ","
        CONST("f3", TG_BOOL, "i", "1") "," CONST("f4", TG_BOOL, "i", "1") ","
        N("aten::_convolution", Q("x") "," Q("w") "," Q("nb") "," Q("stride") "," Q("pad") "," Q("dil") "," Q("tr") ","
          Q("opad") "," Q("gr") "," Q("f1") "," Q("f2") "," Q("f3") "," Q("f4"), V("y", TG_F32("1,1,4,4"))) "]",
        "[" Q("y") "]");
    CHECK_EQ_INT(tg_read(&t, json, NULL, 0), OX_OK);
    if (t.torch) {
        CHECK_EQ_INT(ox_pass_constant_propagation(t.torch, NULL), OX_OK);
        CHECK_EQ_INT(ox_pass_cse(t.torch, NULL), OX_OK);
        CHECK_EQ_INT(tg_count(t.torch, "prim::ListConstruct"), 0);
        /* None, [1,1], [0,0], False, 1, True */
        CHECK_EQ_INT(tg_count(t.torch, "prim::Constant"), 6);
        ox_node *conv = tg_find(t.torch, "aten::_convolution", 0);
        CHECK(conv->inputs[3] == conv->inputs[5] && conv->inputs[4] == conv->inputs[7]);
    }
    tg_free(&t);
    tg_init(&t);
    CHECK_EQ_INT(tg_convert(&t, json, 13), OX_OK);
    if (t.onnx) CHECK_STR(tg_kinds(t.onnx), "Conv");
    tg_free(&t);
}

static const ox_test_case tests[] = {
    {"peephole_nested_cat", test_peephole_nested_cat},
    {"cp_int_list", test_cp_int_list},
    {"cp_numbers", test_cp_numbers},
    {"cp_conversions", test_cp_conversions},
    {"cp_left_alone", test_cp_left_alone},
    {"cp_lists", test_cp_lists},
    {"cp_blocks", test_cp_blocks},
    {"cse_first_wins", test_cse_first_wins},
    {"cse_constants", test_cse_constants},
    {"cse_differences", test_cse_differences},
    {"cse_side_effects_and_random", test_cse_side_effects_and_random},
    {"cse_mutation", test_cse_mutation},
    {"cse_mutated_list", test_cse_mutated_list},
    {"cse_mutation_through_view", test_cse_mutation_through_view},
    {"cse_graph_outputs", test_cse_graph_outputs},
    {"cse_blocks", test_cse_blocks},
    {"cse_cascade", test_cse_cascade},
    {"peephole_double_transpose", test_peephole_double_transpose},
    {"peephole_num_to_tensor", test_peephole_num_to_tensor},
    {"peephole_none_and_if", test_peephole_none_and_if},
    {"peephole_lists", test_peephole_lists},
    {"addmm_fuses", test_addmm_fuses},
    {"addmm_other_side", test_addmm_other_side},
    {"addmm_not_fused", test_addmm_not_fused},
    {"addmm_to_gemm", test_addmm_to_gemm},
    {"cast_constants", test_cast_constants},
    {"cast_blocks_and_errors", test_cast_blocks_and_errors},
    {"cast_in_pipeline", test_cast_in_pipeline},
    {"torch_passes_conv", test_torch_passes_conv},
};

OX_TEST_MAIN(tests)
