/* remove_inplace_ops: a write into a view that something reads afterwards
 * (the base, the view, another overlapping view) is rewritten into
 * aten::index_put on the base when the view is a chain of aten::slice /
 * aten::select (torch's _jit_pass_onnx_remove_inplace_ops_for_onnx), and
 * refused with a clear message otherwise; writes nobody can observe are
 * functional already. */
#include "graph_util.h"
#include "test.h"

#define T33 TG_F32("3,3")
#define NODE(kind, ins, out) "{\"kind\":\"" kind "\",\"inputs\":[" ins "],\"outputs\":[{\"name\":\"" out "\",\"type\":" T33 "}]}"

static ox_status check(const char *json)
{
    tg t;
    tg_init(&t);
    ox_status st = tg_read(&t, json, NULL, 0);
    if (st == OX_OK) st = ox_pass_remove_inplace_ops(t.torch, NULL);
    tg_free(&t);
    return st;
}

/* Runs the pass; on success *t keeps the graph (caller frees). */
static ox_status rewrite(tg *t, const char *json)
{
    tg_init(t);
    ox_status st = tg_read(t, json, NULL, 0);
    if (st == OX_OK) st = ox_pass_remove_inplace_ops(t->torch, NULL);
    return st;
}

#define SLICE(src, d, s, e, out) NODE("aten::slice", "\"" src "\",\"" d "\",\"" s "\",\"" e "\",\"one\"", out)
#define CONSTS TG_CONST_INT("zero", 0) "," TG_CONST_INT("one", 1) "," TG_CONST_INT("three", 3) "," \
    TG_CONST_INT("big", 9223372036854775807) "," TG_CONST_FLOAT("five", 5.0) ","

static void test_select_add_rewritten(void)
{
    /* y = x.clone(); y[0] += 1 (select + add_); return y */
    const char *json = TG_JSON("[{\"name\":\"x\",\"type\":" T33 "}]",
                               "[" CONSTS NODE("aten::clone", "\"x\"", "y") ","
                               NODE("aten::select", "\"y\",\"zero\",\"zero\"", "v") ","
                               NODE("aten::add_", "\"v\",\"one\",\"one\"", "w") "]",
                               "[\"y\"]");
    tg t;
    CHECK_EQ_INT(rewrite(&t, json), OX_OK);
    CHECK_EQ_INT(tg_count(t.torch, "aten::add_"), 0);
    CHECK_EQ_INT(tg_count(t.torch, "aten::add"), 1);
    CHECK_EQ_INT(tg_count(t.torch, "aten::expand_as"), 1);
    ox_node *ip = tg_find(t.torch, "aten::index_put", 0);
    CHECK(ip != NULL);
    if (ip) {
        CHECK(ox_block_output(t.torch->top, 0) == ip->outputs[0]);
        CHECK_STR(ip->inputs[0]->node->kind, "aten::clone");
        /* one index: the select's [0], a constant */
        CHECK_EQ_INT(ip->inputs[1]->node->ninputs, 1);
        const ox_tensor *k = ox_value_const_tensor(ip->inputs[1]->node->inputs[0]);
        CHECK(k && ox_tensor_numel(k) == 1 && ox_tensor_get_i(k, 0) == 0);
        CHECK_STR(ip->inputs[2]->node->kind, "aten::expand_as");
        CHECK_STR(ip->inputs[2]->node->inputs[0]->node->kind, "aten::add");
    }
    tg_free(&t);
}

static void test_slice_fill_rewritten(void)
{
    /* m = zeros; m[1:3, 0:3] = 5 (slice, slice, fill_); return x + m */
    const char *json = TG_JSON("[{\"name\":\"x\",\"type\":" T33 "}]",
                               "[" CONSTS NODE("aten::clone", "\"x\"", "m") ","
                               SLICE("m", "zero", "one", "three", "s0") "," SLICE("s0", "one", "zero", "three", "s1") ","
                               NODE("aten::fill_", "\"s1\",\"five\"", "f") ","
                               NODE("aten::add", "\"x\",\"m\",\"one\"", "y") "]",
                               "[\"y\"]");
    tg t;
    CHECK_EQ_INT(rewrite(&t, json), OX_OK);
    CHECK_EQ_INT(tg_count(t.torch, "aten::fill_"), 0);
    CHECK_EQ_INT(tg_count(t.torch, "aten::fill"), 1);
    ox_node *ip = tg_find(t.torch, "aten::index_put", 0);
    ox_node *add = tg_find(t.torch, "aten::add", 0);
    CHECK(ip && add);
    if (ip && add) {
        CHECK(add->inputs[1] == ip->outputs[0]); /* the later read sees the write */
        ox_node *list = ip->inputs[1]->node;
        CHECK_EQ_INT(list->ninputs, 2);
        /* dim 0's index viewed as [-1, 1] to broadcast against dim 1's */
        CHECK_STR(list->inputs[0]->node->kind, "aten::view");
        CHECK_EQ_INT(ox_type_rank(list->inputs[0]->type), 2);
        CHECK_STR(list->inputs[1]->node->kind, "aten::slice");
        CHECK_STR(list->inputs[1]->node->inputs[0]->node->kind, "aten::arange");
        CHECK_EQ_INT(list->inputs[1]->type->dims[0], 3);
        CHECK_EQ_INT(list->inputs[0]->type->dims[0], 2);
    }
    tg_free(&t);
}

static void test_transposed_view_refused(void)
{
    /* y = x.clone(); y.t()[0] = 5: the chain goes through aten::t */
    const char *json = TG_JSON("[{\"name\":\"x\",\"type\":" T33 "}]",
                               "[" CONSTS NODE("aten::clone", "\"x\"", "y") "," NODE("aten::t", "\"y\"", "yt") ","
                               NODE("aten::select", "\"yt\",\"zero\",\"zero\"", "v") ","
                               NODE("aten::fill_", "\"v\",\"five\"", "w") "]",
                               "[\"y\"]");
    tg t;
    CHECK_EQ_INT(rewrite(&t, json), ONNXIFY_ERR_EXPORTER);
    CHECK_CONTAINS(t.ctx.message, "does not yet rewrite such assignments into index_put");
    CHECK_CONTAINS(t.ctx.message, "other than aten::slice / aten::select");
    tg_free(&t);
}

static void test_stale_view_refused(void)
{
    /* a = y[0]; b = y[1]; a.fill_(5); b.fill_(5); return y: b was taken before a's write */
    const char *json = TG_JSON("[{\"name\":\"x\",\"type\":" T33 "}]",
                               "[" CONSTS NODE("aten::clone", "\"x\"", "y") ","
                               NODE("aten::select", "\"y\",\"zero\",\"zero\"", "a") ","
                               NODE("aten::select", "\"y\",\"zero\",\"one\"", "b") ","
                               NODE("aten::fill_", "\"a\",\"five\"", "fa") ","
                               NODE("aten::fill_", "\"b\",\"five\"", "fb") "]",
                               "[\"y\"]");
    tg t;
    CHECK_EQ_INT(rewrite(&t, json), ONNXIFY_ERR_EXPORTER);
    CHECK_CONTAINS(t.ctx.message, "taken before the write");
    tg_free(&t);
}

static void test_two_writes_chained(void)
{
    /* y[0] = 5; y[1] = 5 (each view taken right before its write); return y */
    const char *json = TG_JSON("[{\"name\":\"x\",\"type\":" T33 "}]",
                               "[" CONSTS NODE("aten::clone", "\"x\"", "y") ","
                               NODE("aten::select", "\"y\",\"zero\",\"zero\"", "a") ","
                               NODE("aten::fill_", "\"a\",\"five\"", "fa") ","
                               NODE("aten::select", "\"y\",\"zero\",\"one\"", "b") ","
                               NODE("aten::fill_", "\"b\",\"five\"", "fb") "]",
                               "[\"y\"]");
    tg t;
    CHECK_EQ_INT(rewrite(&t, json), OX_OK);
    CHECK_EQ_INT(tg_count(t.torch, "aten::index_put"), 2);
    ox_node *first = tg_find(t.torch, "aten::index_put", 0), *second = tg_find(t.torch, "aten::index_put", 1);
    CHECK(first && second);
    if (first && second) {
        CHECK(second->inputs[0] == first->outputs[0]);
        CHECK(ox_block_output(t.torch->top, 0) == second->outputs[0]);
    }
    tg_free(&t);
}

static void test_invisible_writes_pass(void)
{
    /* pieces = x.chunk(2); a = pieces[0].sigmoid_(); b = pieces[1].tanh_(); return a * b
     * (x itself is not read again: nothing observes the writes) */
    const char *json = TG_JSON(
        "[{\"name\":\"x\",\"type\":" T33 "}]",
        "[" TG_CONST_INT("two", 2) "," TG_CONST_INT("dim", 0) ","
        "{\"kind\":\"aten::chunk\",\"inputs\":[\"x\",\"two\",\"dim\"],\"outputs\":[{\"name\":\"l\",\"type\":{\"kind\":\"list\",\"elem\":{\"kind\":\"tensor\"}}}]},"
        "{\"kind\":\"prim::ListUnpack\",\"inputs\":[\"l\"],\"outputs\":[{\"name\":\"p\",\"type\":" T33 "},{\"name\":\"q\",\"type\":" T33 "}]},"
        NODE("aten::sigmoid_", "\"p\"", "a") "," NODE("aten::tanh_", "\"q\"", "b") "," NODE("aten::mul", "\"a\",\"b\"", "y") "]",
        "[\"y\"]");
    CHECK_EQ_INT(check(json), OX_OK);
}

static void test_base_read_after_piece_write_refused(void)
{
    /* as above, but x is returned too: it sees the writes */
    const char *json = TG_JSON(
        "[{\"name\":\"x\",\"type\":" T33 "}]",
        "[" TG_CONST_INT("two", 2) "," TG_CONST_INT("dim", 0) ","
        "{\"kind\":\"aten::chunk\",\"inputs\":[\"x\",\"two\",\"dim\"],\"outputs\":[{\"name\":\"l\",\"type\":{\"kind\":\"list\",\"elem\":{\"kind\":\"tensor\"}}}]},"
        "{\"kind\":\"prim::ListUnpack\",\"inputs\":[\"l\"],\"outputs\":[{\"name\":\"p\",\"type\":" T33 "},{\"name\":\"q\",\"type\":" T33 "}]},"
        NODE("aten::sigmoid_", "\"p\"", "a") "," NODE("aten::mul", "\"a\",\"q\"", "y") "]",
        "[\"y\",\"x\"]");
    CHECK_EQ_INT(check(json), ONNXIFY_ERR_EXPORTER);
}

static void test_whole_tensor_inplace_is_fine(void)
{
    /* x.relu_() on a graph value is not a write into a view */
    const char *json = TG_JSON("[{\"name\":\"x\",\"type\":" T33 "}]", "[" NODE("aten::relu_", "\"x\"", "y") "]", "[\"y\"]");
    CHECK_EQ_INT(check(json), OX_OK);
}

static const ox_test_case tests[] = {
    {"select_add_rewritten", test_select_add_rewritten},
    {"slice_fill_rewritten", test_slice_fill_rewritten},
    {"transposed_view_refused", test_transposed_view_refused},
    {"stale_view_refused", test_stale_view_refused},
    {"two_writes_chained", test_two_writes_chained},
    {"invisible_writes_pass", test_invisible_writes_pass},
    {"base_read_after_piece_write_refused", test_base_read_after_piece_write_refused},
    {"whole_tensor_inplace_is_fine", test_whole_tensor_inplace_is_fine},
};
OX_TEST_MAIN(tests)
