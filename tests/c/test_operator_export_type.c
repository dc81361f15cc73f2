/* operator_export_type (torch's _should_aten_fallback / FALLTHROUGH rules):
 * ONNX_ATEN turns every aten op into an aten::ATen node, ONNX_ATEN_FALLBACK
 * only those without a symbolic at the opset (or whose symbolic fails), and
 * ONNX_FALLTHROUGH keeps such nodes as they are. */
#include "graph_util.h"
#include "test.h"

/* triu (registered from opset 14) and mul, as traced: mul has the "Tensor"
 * overload, triu the default one. */
static const char *const GRAPH = TG_JSON(
    "[{\"name\":\"x\",\"type\":" TG_F32("3,3") "}]",
    "[" TG_CONST_INT("zero", 0) "," TG_CONST_INT("two", 2) ","
    "{\"kind\":\"aten::triu\",\"inputs\":[\"x\",\"zero\"],\"outputs\":[{\"name\":\"t\",\"type\":" TG_F32("3,3") "}],"
    "\"overload\":\"\",\"scope\":\"M::\"},"
    "{\"kind\":\"aten::mul\",\"inputs\":[\"t\",\"two\"],\"outputs\":[{\"name\":\"y\",\"type\":" TG_F32("3,3") "}],"
    "\"overload\":\"Tensor\",\"scope\":\"M::\"}]",
    "[\"y\"]");

static ox_status run(tg *t, onnxify_operator_export_type et, int opset)
{
    tg_init(t);
    ox_status st = tg_read(t, GRAPH, NULL, 0);
    if (st != OX_OK) return st;
    ox_export_settings s = tg_settings(opset, false);
    s.export_type = et;
    s.onnx_shape_inference = true;
    onnxify_options opt;
    onnxify_options_init(&opt);
    return ox_run_pipeline(t->torch, &s, &opt, &t->onnx);
}

static const char *str_attr(ox_node *n, const char *name)
{
    ox_attr *a = n ? ox_node_attr(n, name) : NULL;
    return a && a->kind == OX_ATTR_S ? a->v.s : NULL;
}

static void test_aten_fallback(void)
{
    tg t;
    CHECK_EQ_INT(run(&t, ONNXIFY_OPERATOR_EXPORT_ONNX_ATEN_FALLBACK, 13), OX_OK);
    if (t.onnx) {
        ox_node *aten = tg_find(t.onnx, "aten::ATen", 0);
        CHECK_STR(str_attr(aten, "operator"), "triu");
        CHECK_STR(str_attr(aten, "overload_name"), "");
        CHECK(aten && aten->ninputs == 2);
        CHECK_EQ_INT(tg_count(t.onnx, "onnx::Mul"), 1); /* mul has a symbolic */
        CHECK_EQ_INT(tg_count(t.onnx, "aten::ATen"), 1);
    }
    tg_free(&t);
    /* at opset 14 triu has a symbolic: no ATen node at all */
    CHECK_EQ_INT(run(&t, ONNXIFY_OPERATOR_EXPORT_ONNX_ATEN_FALLBACK, 14), OX_OK);
    if (t.onnx) {
        CHECK_EQ_INT(tg_count(t.onnx, "aten::ATen"), 0);
        CHECK_EQ_INT(tg_count(t.onnx, "onnx::Trilu"), 1);
    }
    tg_free(&t);
}

static void test_aten_everything(void)
{
    tg t;
    CHECK_EQ_INT(run(&t, ONNXIFY_OPERATOR_EXPORT_ONNX_ATEN, 14), OX_OK);
    if (t.onnx) {
        CHECK_EQ_INT(tg_count(t.onnx, "aten::ATen"), 2);
        ox_node *mul = tg_find(t.onnx, "aten::ATen", 1);
        CHECK_STR(str_attr(mul, "operator"), "mul");
        CHECK_STR(str_attr(mul, "overload_name"), "Tensor");
        CHECK_STR(mul ? mul->attrs->name : NULL, "operator"); /* sorted, as torch's g.op */
    }
    tg_free(&t);
}

static void test_fallthrough_and_onnx(void)
{
    tg t;
    CHECK_EQ_INT(run(&t, ONNXIFY_OPERATOR_EXPORT_ONNX_FALLTHROUGH, 13), OX_OK);
    if (t.onnx) {
        CHECK_EQ_INT(tg_count(t.onnx, "aten::triu"), 1); /* kept as it is */
        CHECK_EQ_INT(tg_count(t.onnx, "onnx::Mul"), 1);
    }
    tg_free(&t);
    CHECK_EQ_INT(run(&t, ONNXIFY_OPERATOR_EXPORT_ONNX, 13), ONNXIFY_ERR_UNSUPPORTED_OPERATOR);
    CHECK_CONTAINS(t.ctx.message, "Support for this operator was added in version 14");
    tg_free(&t);
}

static const ox_test_case tests[] = {
    {"aten_fallback", test_aten_fallback},
    {"aten_everything", test_aten_everything},
    {"fallthrough_and_onnx", test_fallthrough_and_onnx},
};
OX_TEST_MAIN(tests)
