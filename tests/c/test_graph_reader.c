/* The graph-description reader: a valid description becomes the IR; every
 * kind of bad input gets a GraphDescriptionError naming what is wrong. */
#include <stdlib.h>

#include "graph_util.h"
#include "test.h"

/* A safetensors blob with one float32 tensor "w" of the given shape. */
static uint8_t *st_one(const char *name, const char *dims_json, int64_t numel, size_t *len)
{
    char header[256];
    int hl = snprintf(header, sizeof header, "{\"%s\":{\"dtype\":\"F32\",\"shape\":[%s],\"data_offsets\":[0,%lld]}}",
                      name, dims_json, (long long)(numel * 4));
    *len = 8 + (size_t)hl + (size_t)numel * 4;
    uint8_t *b = calloc(1, *len);
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)((uint64_t)hl >> (8 * i));
    memcpy(b + 8, header, (size_t)hl);
    float *data = (float *)(b + 8 + hl);
    for (int64_t i = 0; i < numel; i++) memcpy((uint8_t *)data + i * 4, &(float){(float)i}, 4);
    return b;
}

#define RELU_GRAPH(param_shape)                                                                          \
    TG_JSON("[{\"name\":\"x\",\"type\":" TG_F32("2,3") "},{\"name\":\"w\",\"param\":true,\"type\":" TG_F32( \
                param_shape) "}]",                                                                       \
            "[{\"kind\":\"aten::add\",\"inputs\":[\"x\",\"w\",\"one\"],\"outputs\":[{\"name\":\"4\","     \
            "\"type\":" TG_F32("2,3") "}],\"scope\":\"M::\",\"source\":\"m.py:2\"}]",                     \
            "[\"4\"]")

static const char *reader_error(const char *json, const uint8_t *w, size_t wlen, ox_status *st)
{
    static char msg[2048];
    tg t;
    tg_init(&t);
    ox_graph_description d;
    *st = ox_read_graph_description(&t.ctx, json, strlen(json), w, wlen, &d);
    snprintf(msg, sizeof msg, "%s", t.ctx.message ? t.ctx.message : "");
    tg_free(&t);
    return msg;
}

static void test_valid(void)
{
    size_t wlen;
    uint8_t *w = st_one("w", "2,3", 6, &wlen);
    const char *json = TG_JSON(
        "[{\"name\":\"x\",\"type\":" TG_F32("2,3") "},{\"name\":\"w\",\"param\":true,\"type\":" TG_F32("2,3") "}]",
        "[" TG_CONST_INT("one", 1) ",{\"kind\":\"aten::add\",\"inputs\":[\"x\",\"w\",\"one\"],\"outputs\":[{\"name\":\"4\","
        "\"type\":" TG_F32("2,3") "}],\"scope\":\"M::\",\"source\":\"m.py:2\"}]",
        "[\"4\"]");
    tg t;
    tg_init(&t);
    CHECK(tg_read(&t, json, w, wlen) == OX_OK);
    if (t.torch) {
        ox_block *b = t.torch->top;
        CHECK_EQ_INT(ox_block_ninputs(b), 2);
        ox_value *wv = ox_block_input(b, 1);
        CHECK(wv->init != NULL);
        CHECK(wv->init && wv->init->data == w + wlen - 24); /* borrowed, not copied */
        CHECK_EQ_INT(tg_size(t.torch), 2);
        ox_node *add = tg_find(t.torch, "aten::add", 0);
        CHECK(add && add->ninputs == 3 && add->inputs[1] == wv);
        CHECK_STR(add->scope, "M::");
        CHECK_STR(add->source, "m.py:2");
        CHECK(!ox_value_has_name(add->outputs[0]));
        CHECK_EQ_INT(add->outputs[0]->type->dims[1], 3);
        CHECK(ox_block_output(b, 0) == add->outputs[0]);
        ox_node *one = tg_find(t.torch, "prim::Constant", 0);
        CHECK(one && ox_node_attr(one, "value")->v.i == 1);
    }
    tg_free(&t);
    free(w);
}

static void expect_error(const char *json, const uint8_t *w, size_t wlen, const char *needle)
{
    ox_status st;
    const char *msg = reader_error(json, w, wlen, &st);
    CHECK_EQ_INT(st, ONNXIFY_ERR_GRAPH_DESCRIPTION);
    CHECK_CONTAINS(msg, needle);
}

static void test_errors(void)
{
    size_t wlen;
    uint8_t *w = st_one("w", "2,3", 6, &wlen);
    expect_error("{\"format\":", w, wlen, "invalid JSON");
    expect_error("[]", w, wlen, "top level must be an object");
    expect_error("{\"format\":\"other\",\"version\":1}", w, wlen, "'format'");
    expect_error("{\"format\":\"onnxify-graph\",\"version\":2,\"graph\":{}}", w, wlen, "version");
    /* unknown dtype */
    expect_error(TG_JSON("[{\"name\":\"x\",\"type\":{\"kind\":\"tensor\",\"dtype\":\"float7\"}}]", "[]", "[\"x\"]"), w,
                 wlen, "unknown dtype");
    /* dangling input, named with the node */
    expect_error(TG_JSON("[{\"name\":\"x\",\"type\":" TG_F32("2") "}]",
                         "[{\"kind\":\"aten::relu\",\"inputs\":[\"nope\"],\"outputs\":[{\"name\":\"y\",\"type\":"
                         "{\"kind\":\"tensor\"}}],\"scope\":\"M::/R::act\"}]",
                         "[\"y\"]"),
                 w, wlen, "node #1 'aten::relu' (scope 'M::/R::act'): input 'nope' is not defined");
    /* duplicate names */
    expect_error(TG_JSON("[{\"name\":\"x\",\"type\":" TG_F32("2") "}]",
                         "[{\"kind\":\"aten::relu\",\"inputs\":[\"x\"],\"outputs\":[{\"name\":\"x\",\"type\":"
                         "{\"kind\":\"tensor\"}}]}]",
                         "[\"x\"]"),
                 w, wlen, "duplicate value name 'x'");
    /* dangling output */
    expect_error(TG_JSON("[{\"name\":\"x\",\"type\":" TG_F32("2") "}]", "[]", "[\"y\"]"), w, wlen,
                 "output 'y' is not defined");
    /* bad kind */
    expect_error(TG_JSON("[]", "[{\"kind\":\"relu\",\"inputs\":[],\"outputs\":[]}]", "[]"), w, wlen,
                 "namespace::name");
    /* missing weight, mis-shaped weight */
    const char *g = TG_JSON("[{\"name\":\"q\",\"param\":true,\"type\":" TG_F32("2,3") "}]", "[]", "[\"q\"]");
    expect_error(g, w, wlen, "parameter 'q': its tensor is missing from the weights");
    expect_error(TG_JSON("[{\"name\":\"w\",\"param\":true,\"type\":" TG_F32("3,2") "}]", "[]", "[\"w\"]"), w, wlen,
                 "the weights have shape [2, 3], the graph declares [3, 2]");
    /* truncated safetensors */
    ox_status st;
    reader_error(TG_JSON("[]", "[]", "[]"), w, wlen - 5, &st);
    CHECK_EQ_INT(st, ONNXIFY_ERR_GRAPH_DESCRIPTION);
    /* a tensor attribute whose data does not fit its shape */
    expect_error(TG_JSON("[]",
                         "[{\"kind\":\"prim::Constant\",\"inputs\":[],\"outputs\":[{\"name\":\"c\",\"type\":"
                         "{\"kind\":\"tensor\"}}],\"attributes\":[{\"name\":\"value\",\"kind\":\"t\",\"value\":"
                         "{\"dtype\":\"float32\",\"shape\":[2],\"data\":\"AAAAAA==\"}}]}]",
                         "[\"c\"]"),
                 w, wlen, "tensor data has 4 bytes, its dtype and shape need 8");
    free(w);
}

static void test_blocks_and_attributes(void)
{
    const char *json = TG_JSON(
        "[{\"name\":\"c\",\"type\":" TG_BOOL "},{\"name\":\"x\",\"type\":" TG_F32("2") "}]",
        "[{\"kind\":\"prim::If\",\"inputs\":[\"c\"],\"outputs\":[{\"name\":\"y\",\"type\":" TG_F32("2") "}],"
        "\"blocks\":[{\"inputs\":[],\"nodes\":[],\"outputs\":[\"x\"]},"
        "{\"inputs\":[],\"nodes\":[{\"kind\":\"aten::neg\",\"inputs\":[\"x\"],\"outputs\":[{\"name\":\"z\",\"type\":"
        TG_F32("2") "}]}],\"outputs\":[\"z\"]}],"
        "\"attributes\":[{\"name\":\"fs\",\"kind\":\"fs\",\"value\":[1.5,2]},{\"name\":\"ss\",\"kind\":\"ss\","
        "\"value\":[\"a\",\"b\"]},{\"name\":\"t\",\"kind\":\"t\",\"value\":{\"dtype\":\"int64\",\"shape\":[1],"
        "\"data\":\"BwAAAAAAAAA=\"}}]}]",
        "[\"y\"]");
    tg t;
    tg_init(&t);
    CHECK(tg_read(&t, json, NULL, 0) == OX_OK);
    if (t.torch) {
        ox_node *n = tg_find(t.torch, "prim::If", 0);
        CHECK(n && n->nblocks == 2);
        if (n && n->nblocks == 2) {
            CHECK(ox_block_output(n->blocks[0], 0) == ox_block_input(t.torch->top, 1));
            CHECK_STR(ox_block_first(n->blocks[1])->kind, "aten::neg");
        }
        CHECK(n && ox_node_attr(n, "fs")->v.fs[0] == 1.5);
        CHECK_STR(n ? ox_node_attr(n, "ss")->v.ss[1] : NULL, "b");
        CHECK(n && ox_tensor_get_i(ox_node_attr(n, "t")->v.t, 0) == 7);
    }
    tg_free(&t);
}

static const ox_test_case tests[] = {
    {"valid", test_valid},
    {"errors", test_errors},
    {"blocks_and_attributes", test_blocks_and_attributes},
};
OX_TEST_MAIN(tests)
