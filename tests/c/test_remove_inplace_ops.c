/* remove_inplace_ops: a write into a view is refused only when something
 * reads the written memory afterwards (the base, the view, another
 * overlapping view); writes nobody can observe are functional already. */
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

static void test_visible_write_refused(void)
{
    /* y = x.clone(); y[0] += 1 (select + add_); return y */
    const char *json = TG_JSON("[{\"name\":\"x\",\"type\":" T33 "}]",
                               "[" TG_CONST_INT("zero", 0) "," TG_CONST_INT("one", 1) "," NODE("aten::clone", "\"x\"", "y") ","
                               NODE("aten::select", "\"y\",\"zero\",\"zero\"", "v") ","
                               NODE("aten::add_", "\"v\",\"one\",\"one\"", "w") "]",
                               "[\"y\"]");
    CHECK_EQ_INT(check(json), ONNXIFY_ERR_EXPORTER);
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
    {"visible_write_refused", test_visible_write_refused},
    {"invisible_writes_pass", test_invisible_writes_pass},
    {"base_read_after_piece_write_refused", test_base_read_after_piece_write_refused},
    {"whole_tensor_inplace_is_fine", test_whole_tensor_inplace_is_fine},
};
OX_TEST_MAIN(tests)
