/* onnxify_unconvertible_ops (torch.onnx.utils.unconvertible_ops). */
#include <stdlib.h>

#include "graph_util.h"
#include "test.h"

static const char *const GRAPH = TG_JSON(
    "[{\"name\":\"x\",\"type\":" TG_F32("3,3") "},{\"name\":\"w\",\"param\":true,\"type\":" TG_F32("3,3") "}]",
    "[" TG_CONST_INT("zero", 0) ","
    "{\"kind\":\"aten::triu\",\"inputs\":[\"x\",\"zero\"],\"outputs\":[{\"name\":\"t\",\"type\":" TG_F32("3,3") "}]},"
    "{\"kind\":\"aten::einsum_like\",\"inputs\":[\"t\"],\"outputs\":[{\"name\":\"u\",\"type\":" TG_F32("3,3") "}]},"
    "{\"kind\":\"aten::relu_\",\"inputs\":[\"u\"],\"outputs\":[{\"name\":\"r\",\"type\":" TG_F32("3,3") "}]},"
    "{\"kind\":\"aten::triu\",\"inputs\":[\"r\",\"zero\"],\"outputs\":[{\"name\":\"y\",\"type\":" TG_F32("3,3") "}]},"
    "{\"kind\":\"aten::mul\",\"inputs\":[\"y\",\"w\"],\"outputs\":[{\"name\":\"z\",\"type\":" TG_F32("3,3") "}]}]",
    "[\"z\"]");

static void test_lists_per_node_in_order(void)
{
    onnxify_exporter *ex = onnxify_exporter_new();
    const char *const *ops;
    size_t n;
    /* no weights needed, although w is a parameter */
    CHECK_EQ_INT(onnxify_unconvertible_ops(ex, GRAPH, strlen(GRAPH), 13, &ops, &n), ONNXIFY_OK);
    CHECK_EQ_INT(n, 3);
    if (n == 3) {
        CHECK_STR(ops[0], "aten::triu");
        CHECK_STR(ops[1], "aten::einsum_like");
        CHECK_STR(ops[2], "aten::triu");
    }
    CHECK_EQ_INT(onnxify_unconvertible_ops(ex, GRAPH, strlen(GRAPH), 14, &ops, &n), ONNXIFY_OK);
    CHECK_EQ_INT(n, 1);
    if (n == 1) CHECK_STR(ops[0], "aten::einsum_like");
    onnxify_exporter_free(ex);
}

static void test_errors(void)
{
    onnxify_exporter *ex = onnxify_exporter_new();
    const char *const *ops = (const char *const *)1;
    size_t n = 7;
    CHECK_EQ_INT(onnxify_unconvertible_ops(ex, "[]", 2, 13, &ops, &n), ONNXIFY_ERR_EXPORTER);
    CHECK(ops == NULL && n == 0);
    CHECK_CONTAINS(onnxify_last_error(ex), "Failed to discover unconvertible ops");
    CHECK_EQ_INT(onnxify_unconvertible_ops(ex, GRAPH, strlen(GRAPH), 99, &ops, &n), ONNXIFY_ERR_INVALID_ARGUMENT);
    CHECK_EQ_INT(onnxify_unconvertible_ops(ex, NULL, 0, 13, &ops, &n), ONNXIFY_ERR_INVALID_ARGUMENT);
    CHECK_EQ_INT(onnxify_unconvertible_ops(NULL, GRAPH, strlen(GRAPH), 13, &ops, &n), ONNXIFY_ERR_INVALID_ARGUMENT);
    onnxify_exporter_free(ex);
}

static const ox_test_case tests[] = {
    {"lists_per_node_in_order", test_lists_per_node_in_order},
    {"errors", test_errors},
};
OX_TEST_MAIN(tests)
