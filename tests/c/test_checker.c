/* Tests of the light model checker (src/onnx/checker.c): a small valid model
 * built by hand with protobuf-c is accepted, and each broken variant of it is
 * rejected with ONNXIFY_ERR_CHECKER and a message naming the culprit. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "onnx.pb-c.h"
#include "onnx/checker.h"
#include "onnx/serialize.h"
#include "test.h"

/* x : float[2, 4], W : float[4, 3] (initializer)
 *   /MatMul  mm = MatMul(x, W)
 *   /Relu    y  = Relu(mm)          -> graph output y */
typedef struct model {
    Onnx__ModelProto model;
    Onnx__OperatorSetIdProto op0, op1;
    Onnx__OperatorSetIdProto *ops[2];
    Onnx__GraphProto graph;
    Onnx__ValueInfoProto x, w_in, y;
    Onnx__ValueInfoProto *inputs[2], *outputs[1];
    Onnx__TensorProto w;
    Onnx__TensorProto *inits[1];
    Onnx__NodeProto mm, relu, extra;
    Onnx__NodeProto *nodes[3];
    char *mm_in[3], *mm_out[1], *relu_in[1], *relu_out[1];
    Onnx__AttributeProto a0, a1;
    Onnx__AttributeProto *attrs[2];
    float wdata[12];
    int64_t wdims[2];
} model;

static void model_init(model *m)
{
    memset(m, 0, sizeof(*m));
    onnx__model_proto__init(&m->model);
    m->model.has_ir_version = 1;
    m->model.ir_version = 8;
    m->model.producer_name = "test";
    onnx__operator_set_id_proto__init(&m->op0);
    m->op0.domain = "";
    m->op0.has_version = 1;
    m->op0.version = 17;
    onnx__operator_set_id_proto__init(&m->op1);
    m->ops[0] = &m->op0;
    m->ops[1] = &m->op1;
    m->model.n_opset_import = 1;
    m->model.opset_import = m->ops;

    onnx__graph_proto__init(&m->graph);
    m->graph.name = "main_graph";
    m->model.graph = &m->graph;

    onnx__value_info_proto__init(&m->x);
    m->x.name = "x";
    onnx__value_info_proto__init(&m->w_in);
    m->w_in.name = "W";
    onnx__value_info_proto__init(&m->y);
    m->y.name = "y";
    m->inputs[0] = &m->x;
    m->inputs[1] = &m->w_in;
    m->outputs[0] = &m->y;
    m->graph.n_input = 1;
    m->graph.input = m->inputs;
    m->graph.n_output = 1;
    m->graph.output = m->outputs;

    for (int i = 0; i < 12; i++) m->wdata[i] = (float)i;
    m->wdims[0] = 4;
    m->wdims[1] = 3;
    onnx__tensor_proto__init(&m->w);
    m->w.name = "W";
    m->w.n_dims = 2;
    m->w.dims = m->wdims;
    m->w.has_data_type = 1;
    m->w.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
    m->w.has_raw_data = 1;
    m->w.raw_data.len = sizeof m->wdata;
    m->w.raw_data.data = (uint8_t *)m->wdata;
    m->inits[0] = &m->w;
    m->graph.n_initializer = 1;
    m->graph.initializer = m->inits;

    onnx__node_proto__init(&m->mm);
    m->mm_in[0] = "x";
    m->mm_in[1] = "W";
    m->mm_out[0] = "mm";
    m->mm.n_input = 2;
    m->mm.input = m->mm_in;
    m->mm.n_output = 1;
    m->mm.output = m->mm_out;
    m->mm.name = "/MatMul";
    m->mm.op_type = "MatMul";
    onnx__node_proto__init(&m->relu);
    m->relu_in[0] = "mm";
    m->relu_out[0] = "y";
    m->relu.n_input = 1;
    m->relu.input = m->relu_in;
    m->relu.n_output = 1;
    m->relu.output = m->relu_out;
    m->relu.name = "/Relu";
    m->relu.op_type = "Relu";
    onnx__node_proto__init(&m->extra);
    m->nodes[0] = &m->mm;
    m->nodes[1] = &m->relu;
    m->nodes[2] = &m->extra;
    m->graph.n_node = 2;
    m->graph.node = m->nodes;

    onnx__attribute_proto__init(&m->a0);
    onnx__attribute_proto__init(&m->a1);
    m->attrs[0] = &m->a0;
    m->attrs[1] = &m->a1;
}

/* Packs the model and checks it; the message stays in *msg (static copy). */
static ox_status check_packed(const Onnx__ModelProto *mp, char *msg, size_t msgsize)
{
    size_t len = onnx__model_proto__get_packed_size(mp);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf) return ONNXIFY_ERR_OUT_OF_MEMORY;
    onnx__model_proto__pack(mp, buf);
    ox_arena *a = ox_arena_new();
    ox_ctx ctx;
    ox_ctx_init(&ctx, a);
    ox_status st = ox_check_model(buf, len, &ctx);
    snprintf(msg, msgsize, "%s", ctx.message ? ctx.message : "");
    ox_ctx_release(&ctx);
    ox_arena_free(a);
    free(buf);
    return st;
}

static void expect_ok(model *m)
{
    char msg[1024];
    ox_status st = check_packed(&m->model, msg, sizeof msg);
    if (st != OX_OK) fprintf(stderr, "unexpected checker failure: %s\n", msg);
    CHECK_EQ_INT(st, OX_OK);
}

/* Expects a checker error whose message contains `a` and (when given) `b`. */
static void expect_error(model *m, const char *a, const char *b)
{
    char msg[1024];
    CHECK_EQ_INT(check_packed(&m->model, msg, sizeof msg), ONNXIFY_ERR_CHECKER);
    CHECK_CONTAINS(msg, a);
    if (b) CHECK_CONTAINS(msg, b);
}

static ox_status check_bytes(const uint8_t *bytes, size_t len, char *msg, size_t msgsize)
{
    ox_arena *a = ox_arena_new();
    ox_ctx ctx;
    ox_ctx_init(&ctx, a);
    ox_status st = ox_check_model(bytes, len, &ctx);
    snprintf(msg, msgsize, "%s", ctx.message ? ctx.message : "");
    ox_ctx_release(&ctx);
    ox_arena_free(a);
    return st;
}

/* ---- tests ------------------------------------------------------------------ */

static void test_accepts_valid_model(void)
{
    model m;
    model_init(&m);
    expect_ok(&m);
    /* the struct-level entry point, on the same model unpacked-free */
    CHECK_EQ_INT(ox_check_model_proto(&m.model, NULL), OX_OK);
    m.relu_in[0] = "nope";
    CHECK_EQ_INT(ox_check_model_proto(&m.model, NULL), ONNXIFY_ERR_CHECKER);
    CHECK_EQ_INT(ox_check_model_proto(NULL, NULL), ONNXIFY_ERR_CHECKER);
    model_init(&m);
    /* an omitted optional input, an omitted optional output */
    m.mm_in[2] = "";
    m.mm.n_input = 3;
    char *two_out[2] = {"mm", ""};
    m.mm.output = two_out;
    m.mm.n_output = 2;
    expect_ok(&m);
    /* keep_initializers_as_inputs: W also a graph input */
    model_init(&m);
    m.graph.n_input = 2;
    expect_ok(&m);
    /* "ai.onnx" names the default domain too */
    model_init(&m);
    m.op0.domain = "ai.onnx";
    expect_ok(&m);
    /* a graph output may be a graph input or an initializer */
    model_init(&m);
    m.y.name = "W";
    expect_ok(&m);
}

static void test_rejects_bad_bytes(void)
{
    char msg[1024];
    static const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff};
    CHECK_EQ_INT(check_bytes(garbage, sizeof garbage, msg, sizeof msg), ONNXIFY_ERR_CHECKER);
    CHECK_CONTAINS(msg, "not a valid ModelProto");
    /* a length prefix running past the end */
    static const uint8_t truncated[] = {0x3a, 0x10, 0x0a};
    CHECK_EQ_INT(check_bytes(truncated, sizeof truncated, msg, sizeof msg), ONNXIFY_ERR_CHECKER);
    CHECK_CONTAINS(msg, "not a valid ModelProto");
    /* nothing at all: parses as an empty ModelProto, which lacks everything */
    CHECK_EQ_INT(check_bytes(NULL, 0, msg, sizeof msg), ONNXIFY_ERR_CHECKER);
    CHECK_CONTAINS(msg, "ir_version");
    CHECK_EQ_INT(check_bytes(NULL, 5, msg, sizeof msg), ONNXIFY_ERR_CHECKER);
    /* no context: the status alone */
    CHECK_EQ_INT(ox_check_model(garbage, sizeof garbage, NULL), ONNXIFY_ERR_CHECKER);
}

static void test_rejects_bad_header(void)
{
    model m;
    model_init(&m);
    m.model.has_ir_version = 0;
    expect_error(&m, "ir_version", NULL);

    model_init(&m);
    m.model.n_opset_import = 0;
    expect_error(&m, "no opset_import", NULL);

    model_init(&m);
    m.op0.domain = "custom";
    expect_error(&m, "default ONNX domain", NULL);

    model_init(&m);
    m.op1 = m.op0;
    m.model.n_opset_import = 2;
    expect_error(&m, "more than once", NULL);

    model_init(&m);
    m.op0.has_version = 0;
    expect_error(&m, "no version", NULL);

    model_init(&m);
    m.model.graph = NULL;
    expect_error(&m, "no graph", NULL);
}

static void test_rejects_undefined_inputs(void)
{
    model m;
    model_init(&m);
    m.relu_in[0] = "nope";
    expect_error(&m, "node '/Relu'", "input 'nope'");

    /* nodes out of topological order: Relu before MatMul */
    model_init(&m);
    m.nodes[0] = &m.relu;
    m.nodes[1] = &m.mm;
    expect_error(&m, "node '/Relu'", "input 'mm'");

    /* an unnamed node is named by its position and op_type */
    model_init(&m);
    m.relu.name = NULL;
    m.relu_in[0] = "nope";
    expect_error(&m, "node #1 (Relu)", "nope");
}

static void test_rejects_ssa_violations(void)
{
    model m;
    model_init(&m);
    m.relu_out[0] = "mm";
    m.y.name = "mm";
    expect_error(&m, "node '/Relu'", "output 'mm' is already defined");

    model_init(&m);
    m.mm_out[0] = "x";
    m.relu_in[0] = "x";
    expect_error(&m, "node '/MatMul'", "output 'x'");

    model_init(&m);
    m.mm_out[0] = "W";
    m.relu_in[0] = "W";
    expect_error(&m, "node '/MatMul'", "output 'W'");

    model_init(&m);
    m.inputs[1] = &m.x;
    m.graph.n_input = 2;
    expect_error(&m, "input name 'x' is used more than once", NULL);

    model_init(&m);
    m.inits[0] = &m.w;
    Onnx__TensorProto *two[2] = {&m.w, &m.w};
    m.graph.initializer = two;
    m.graph.n_initializer = 2;
    expect_error(&m, "initializer name 'W' is used more than once", NULL);
}

static void test_rejects_undefined_graph_output(void)
{
    model m;
    model_init(&m);
    m.y.name = "q";
    expect_error(&m, "output 'q'", "not produced");
    model_init(&m);
    m.y.name = "";
    expect_error(&m, "output #0 has no name", NULL);
}

static void test_initializer_data(void)
{
    model m;
    model_init(&m);
    m.w.raw_data.len = 40;
    expect_error(&m, "initializer 'W'", "raw_data has 40 bytes, dims x data type need 48");

    /* typed field instead of raw_data */
    model_init(&m);
    m.w.has_raw_data = 0;
    m.w.n_float_data = 12;
    m.w.float_data = m.wdata;
    expect_ok(&m);
    m.w.n_float_data = 11;
    expect_error(&m, "initializer 'W'", "11 data entries");

    /* the wrong typed field for FLOAT */
    model_init(&m);
    int64_t i64[12] = {0};
    m.w.has_raw_data = 0;
    m.w.n_int64_data = 12;
    m.w.int64_data = i64;
    expect_error(&m, "initializer 'W'", "wrong field");

    /* data in two fields */
    model_init(&m);
    m.w.n_float_data = 12;
    m.w.float_data = m.wdata;
    expect_error(&m, "initializer 'W'", "more than one field");

    /* no data type / no data / negative dims */
    model_init(&m);
    m.w.has_data_type = 0;
    expect_error(&m, "initializer 'W'", "no data type");
    model_init(&m);
    m.w.has_raw_data = 0;
    expect_error(&m, "initializer 'W'", "no data");
    model_init(&m);
    m.wdims[0] = -4;
    expect_error(&m, "initializer 'W'", "negative dimension");

    /* an empty tensor needs no data; a float16 one is 2 bytes per element */
    model_init(&m);
    m.wdims[0] = 0;
    m.w.has_raw_data = 0;
    expect_ok(&m);
    model_init(&m);
    m.w.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16;
    m.w.raw_data.len = 24;
    expect_ok(&m);
    /* 4-bit types pack two per byte: 12 int4 -> 6 bytes */
    m.w.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__INT4;
    m.w.raw_data.len = 6;
    expect_ok(&m);
    /* STRING cannot live in raw_data */
    model_init(&m);
    m.w.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__STRING;
    expect_error(&m, "initializer 'W'", "STRING");
    /* external data is not checked for size */
    model_init(&m);
    Onnx__StringStringEntryProto loc;
    onnx__string_string_entry_proto__init(&loc);
    loc.key = "location";
    loc.value = "W.bin";
    Onnx__StringStringEntryProto *ext[1] = {&loc};
    m.w.has_raw_data = 0;
    m.w.has_data_location = 1;
    m.w.data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
    m.w.n_external_data = 1;
    m.w.external_data = ext;
    expect_ok(&m);

    /* IR < 4: initializers must also be graph inputs */
    model_init(&m);
    m.model.ir_version = 3;
    expect_error(&m, "initializer 'W' is not a graph input", NULL);
    m.graph.n_input = 2;
    expect_ok(&m);
}

static void test_node_rules(void)
{
    model m;
    model_init(&m);
    m.relu.name = "/MatMul";
    expect_error(&m, "node name '/MatMul' is used by more than one node", NULL);

    model_init(&m);
    m.relu.op_type = "";
    expect_error(&m, "node '/Relu'", "empty op_type");

    model_init(&m);
    m.relu.domain = "custom";
    expect_error(&m, "node '/Relu'", "no opset import for domain 'custom'");
    m.op1.domain = "custom";
    m.op1.has_version = 1;
    m.op1.version = 2;
    m.model.n_opset_import = 2;
    expect_ok(&m);

    /* attributes: unique names with a type, tensor attributes checked too */
    model_init(&m);
    m.a0.name = "alpha";
    m.a0.has_type = 1;
    m.a0.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
    m.a0.has_f = 1;
    m.a1 = m.a0;
    m.relu.n_attribute = 2;
    m.relu.attribute = m.attrs;
    expect_error(&m, "node '/Relu'", "attribute 'alpha' more than once");
    m.a1.name = "beta";
    expect_ok(&m);
    m.a1.has_type = 0;
    expect_error(&m, "node '/Relu'", "attribute 'beta' has no type");
    Onnx__TensorProto t;
    onnx__tensor_proto__init(&t);
    t.has_data_type = 1;
    t.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__INT64;
    t.has_raw_data = 1;
    t.raw_data.len = 4; /* a scalar int64 needs 8 */
    t.raw_data.data = (uint8_t *)m.wdata;
    m.a1.has_type = 1;
    m.a1.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR;
    m.a1.t = &t;
    expect_error(&m, "attribute 'beta' of node '/Relu'", "need 8");
    t.raw_data.len = 8;
    expect_ok(&m);
}

/* A node with a GRAPH attribute: sub-graphs see the names defined before the
 * node in the enclosing graphs, and assign no name already visible. */
static void test_subgraphs(void)
{
    model m;
    model_init(&m);
    Onnx__GraphProto sub;
    onnx__graph_proto__init(&sub);
    sub.name = "sub_graph";
    Onnx__NodeProto inner;
    onnx__node_proto__init(&inner);
    char *inner_in[1] = {"mm"}, *inner_out[1] = {"neg"};
    inner.op_type = "Neg";
    inner.n_input = 1;
    inner.input = inner_in;
    inner.n_output = 1;
    inner.output = inner_out;
    Onnx__NodeProto *inner_nodes[1] = {&inner};
    sub.n_node = 1;
    sub.node = inner_nodes;
    Onnx__ValueInfoProto sub_out;
    onnx__value_info_proto__init(&sub_out);
    sub_out.name = "neg";
    Onnx__ValueInfoProto *sub_outs[1] = {&sub_out};
    sub.n_output = 1;
    sub.output = sub_outs;

    /* /If(cond = x) with then_branch = sub, placed after MatMul */
    char *if_in[1] = {"x"}, *if_out[1] = {"r"};
    m.extra.name = "/If";
    m.extra.op_type = "If";
    m.extra.n_input = 1;
    m.extra.input = if_in;
    m.extra.n_output = 1;
    m.extra.output = if_out;
    m.a0.name = "then_branch";
    m.a0.has_type = 1;
    m.a0.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH;
    m.a0.g = &sub;
    m.extra.n_attribute = 1;
    m.extra.attribute = m.attrs;
    m.nodes[1] = &m.extra;
    m.nodes[2] = &m.relu;
    m.graph.n_node = 3;
    expect_ok(&m);

    /* a value of the outer graph defined only after the node */
    inner_in[0] = "y";
    expect_error(&m, "node #0 (Neg) of graph 'sub_graph'", "input 'y'");
    inner_in[0] = "mm";
    /* a sub-graph may not reassign an outer name */
    inner_out[0] = "x";
    sub_out.name = "x";
    expect_error(&m, "graph 'sub_graph'", "output 'x' is already defined");
    inner_out[0] = "neg";
    sub_out.name = "neg";
    /* an undefined sub-graph output */
    sub_out.name = "nothing";
    expect_error(&m, "graph 'sub_graph'", "output 'nothing'");
    sub_out.name = "neg";
    /* names of a sub-graph are not visible after it */
    m.relu_in[0] = "neg";
    expect_error(&m, "node '/Relu'", "input 'neg'");
}

/* Wire-format builder for the nesting test. */
static void put_varint(ox_buffer *b, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;
    do {
        tmp[n] = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v) tmp[n] |= 0x80;
        n++;
    } while (v);
    ox_buffer_append(b, tmp, n);
}

static void put_field(ox_buffer *b, unsigned id, const ox_buffer *body)
{
    put_varint(b, (uint64_t)id << 3 | 2);
    put_varint(b, body->len);
    ox_buffer_append(b, body->data, body->len);
}

/* A model whose graph nests `levels` If-like nodes, each with a GRAPH
 * attribute holding the next graph. */
static void nested_model(int levels, ox_buffer *out)
{
    ox_buffer graph, tmp;
    ox_buffer_init(&graph);
    ox_buffer_init(&tmp);
    for (int i = 0; i < levels; i++) {
        ox_buffer attr, node;
        ox_buffer_init(&attr);
        ox_buffer_init(&node);
        ox_buffer_append(&attr, "\x0a\x01g", 3);          /* name = "g" */
        put_field(&attr, 6, &graph);                        /* g = graph */
        ox_buffer_append(&attr, "\xa0\x01\x05", 3);       /* type = GRAPH */
        ox_buffer_append(&node, "\x22\x02If", 4);         /* op_type = "If" */
        put_field(&node, 5, &attr);                         /* attribute */
        ox_buffer_reset(&tmp);
        put_field(&tmp, 1, &node);                          /* GraphProto.node */
        ox_buffer_reset(&graph);
        ox_buffer_append(&graph, tmp.data, tmp.len);
        ox_buffer_free(&attr);
        ox_buffer_free(&node);
    }
    ox_buffer_append(out, "\x08\x08", 2);                 /* ir_version = 8 */
    put_field(out, 7, &graph);                              /* graph */
    ox_buffer_append(out, "\x42\x02\x10\x11", 4);         /* opset_import {version 17} */
    ox_buffer_free(&graph);
    ox_buffer_free(&tmp);
}

static void test_nesting_limits(void)
{
    char msg[1024];
    ox_buffer b;
    ox_buffer_init(&b);
    nested_model(10, &b);
    CHECK(!b.failed);
    CHECK_EQ_INT(check_bytes(b.data, b.len, msg, sizeof msg), OX_OK);
    ox_buffer_reset(&b);
    nested_model(40, &b); /* 1 + 3 x 40 message levels */
    CHECK_EQ_INT(check_bytes(b.data, b.len, msg, sizeof msg), ONNXIFY_ERR_CHECKER);
    CHECK_CONTAINS(msg, "deeper than");
    ox_buffer_reset(&b);
    nested_model(1000, &b); /* would blow protobuf-c's recursion without the pre-scan */
    CHECK_EQ_INT(check_bytes(b.data, b.len, msg, sizeof msg), ONNXIFY_ERR_CHECKER);
    CHECK_CONTAINS(msg, "deeper than");
    ox_buffer_free(&b);
}

static const ox_test_case tests[] = {
    {"accepts_valid_model", test_accepts_valid_model},
    {"rejects_bad_bytes", test_rejects_bad_bytes},
    {"rejects_bad_header", test_rejects_bad_header},
    {"rejects_undefined_inputs", test_rejects_undefined_inputs},
    {"rejects_ssa_violations", test_rejects_ssa_violations},
    {"rejects_undefined_graph_output", test_rejects_undefined_graph_output},
    {"initializer_data", test_initializer_data},
    {"node_rules", test_node_rules},
    {"subgraphs", test_subgraphs},
    {"nesting_limits", test_nesting_limits},
};

OX_TEST_MAIN(tests)
