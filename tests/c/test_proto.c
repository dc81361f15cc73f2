/* The generated protobuf-c code for proto/onnx.proto: a one-node model (Relu)
 * survives pack -> unpack, and the bytes start the way ONNX files do. */
#include <stdint.h>
#include <stdlib.h>

#include "onnx.pb-c.h"
#include "test.h"

/* A ValueInfoProto "name" of type float tensor [dim0, 4] (dim0 symbolic). */
typedef struct {
    Onnx__ValueInfoProto vi;
    Onnx__TypeProto type;
    Onnx__TypeProto__Tensor tensor;
    Onnx__TensorShapeProto shape;
    Onnx__TensorShapeProto__Dimension d0, d1;
    Onnx__TensorShapeProto__Dimension *dims[2];
} value_info;

static void value_info_init(value_info *v, const char *name)
{
    onnx__value_info_proto__init(&v->vi);
    onnx__type_proto__init(&v->type);
    onnx__type_proto__tensor__init(&v->tensor);
    onnx__tensor_shape_proto__init(&v->shape);
    onnx__tensor_shape_proto__dimension__init(&v->d0);
    onnx__tensor_shape_proto__dimension__init(&v->d1);

    v->d0.value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
    v->d0.dim_param = "batch";
    v->d1.value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
    v->d1.dim_value = 4;
    v->dims[0] = &v->d0;
    v->dims[1] = &v->d1;
    v->shape.n_dim = 2;
    v->shape.dim = v->dims;

    v->tensor.has_elem_type = 1;
    v->tensor.elem_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
    v->tensor.shape = &v->shape;

    v->type.value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    v->type.tensor_type = &v->tensor;

    v->vi.name = (char *)name;
    v->vi.type = &v->type;
}

/* Packs a Relu model into a malloc'ed buffer. */
static uint8_t *pack_relu_model(size_t *len)
{
    value_info x, y;
    value_info_init(&x, "x");
    value_info_init(&y, "y");

    char *in[] = {"x"}, *out[] = {"y"};
    Onnx__NodeProto node;
    onnx__node_proto__init(&node);
    node.n_input = 1;
    node.input = in;
    node.n_output = 1;
    node.output = out;
    node.name = "/relu/Relu";
    node.op_type = "Relu";

    Onnx__NodeProto *nodes[] = {&node};
    Onnx__ValueInfoProto *inputs[] = {&x.vi}, *outputs[] = {&y.vi};
    Onnx__GraphProto graph;
    onnx__graph_proto__init(&graph);
    graph.name = "main_graph";
    graph.n_node = 1;
    graph.node = nodes;
    graph.n_input = 1;
    graph.input = inputs;
    graph.n_output = 1;
    graph.output = outputs;

    Onnx__OperatorSetIdProto opset;
    onnx__operator_set_id_proto__init(&opset);
    opset.domain = "";
    opset.has_version = 1;
    opset.version = 17;
    Onnx__OperatorSetIdProto *opsets[] = {&opset};

    Onnx__ModelProto model;
    onnx__model_proto__init(&model);
    model.has_ir_version = 1;
    model.ir_version = 8;
    model.producer_name = "onnxify";
    model.producer_version = "test";
    model.n_opset_import = 1;
    model.opset_import = opsets;
    model.graph = &graph;

    *len = onnx__model_proto__get_packed_size(&model);
    uint8_t *buf = malloc(*len ? *len : 1);
    if (!buf) return NULL;
    size_t written = onnx__model_proto__pack(&model, buf);
    CHECK_EQ_INT(written, *len);
    return buf;
}

static void test_relu_model_roundtrip(void)
{
    size_t len = 0;
    uint8_t *buf = pack_relu_model(&len);
    CHECK(buf != NULL);
    if (!buf) return;
    CHECK(len > 40);
    /* field 1 (ir_version), varint wire type -> tag byte 0x08, value 8 */
    CHECK_EQ_INT(buf[0], 0x08);
    CHECK_EQ_INT(buf[1], 8);

    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, buf);
    CHECK(m != NULL);
    if (!m) { free(buf); return; }

    CHECK(m->has_ir_version);
    CHECK_EQ_INT(m->ir_version, 8);
    CHECK_STR(m->producer_name, "onnxify");
    CHECK_EQ_INT(m->n_opset_import, 1);
    if (m->n_opset_import == 1) {
        CHECK_STR(m->opset_import[0]->domain, "");
        CHECK(m->opset_import[0]->has_version);
        CHECK_EQ_INT(m->opset_import[0]->version, 17);
    }

    Onnx__GraphProto *g = m->graph;
    CHECK(g != NULL);
    if (g) {
        CHECK_STR(g->name, "main_graph");
        CHECK_EQ_INT(g->n_node, 1);
        if (g->n_node == 1) {
            Onnx__NodeProto *n = g->node[0];
            CHECK_STR(n->op_type, "Relu");
            CHECK_STR(n->name, "/relu/Relu");
            CHECK_EQ_INT(n->n_input, 1);
            CHECK_EQ_INT(n->n_output, 1);
            if (n->n_input == 1) CHECK_STR(n->input[0], "x");
            if (n->n_output == 1) CHECK_STR(n->output[0], "y");
            CHECK_EQ_INT(n->n_attribute, 0);
        }
        CHECK_EQ_INT(g->n_input, 1);
        CHECK_EQ_INT(g->n_output, 1);
        if (g->n_input == 1 && g->n_output == 1) {
            CHECK_STR(g->input[0]->name, "x");
            CHECK_STR(g->output[0]->name, "y");
            Onnx__TypeProto *t = g->input[0]->type;
            CHECK(t != NULL);
            if (t) {
                CHECK_EQ_INT(t->value_case, ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE);
                CHECK_EQ_INT(t->tensor_type->elem_type, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
                Onnx__TensorShapeProto *s = t->tensor_type->shape;
                CHECK(s != NULL);
                if (s && s->n_dim == 2) {
                    CHECK_EQ_INT(s->dim[0]->value_case,
                                 ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM);
                    CHECK_STR(s->dim[0]->dim_param, "batch");
                    CHECK_EQ_INT(s->dim[1]->value_case,
                                 ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE);
                    CHECK_EQ_INT(s->dim[1]->dim_value, 4);
                } else {
                    CHECK(0 && "shape with two dims expected");
                }
            }
        }
    }

    /* Packing the unpacked message gives the same bytes (determinism). */
    size_t len2 = onnx__model_proto__get_packed_size(m);
    CHECK_EQ_INT(len2, len);
    uint8_t *buf2 = malloc(len2 ? len2 : 1);
    CHECK(buf2 != NULL);
    if (buf2) {
        onnx__model_proto__pack(m, buf2);
        CHECK(memcmp(buf, buf2, len) == 0);
        free(buf2);
    }

    onnx__model_proto__free_unpacked(m, NULL);
    free(buf);
}

/* A weight the way the serializer writes it: dims + data_type + raw_data,
 * plus the packed typed fields and newer schema parts. */
static void test_tensor_and_newer_fields(void)
{
    float w[3] = {1.0f, -2.5f, 3.25f};
    int64_t dims[1] = {3};
    int64_t i64[2] = {-1, 1LL << 40};

    Onnx__TensorProto t;
    onnx__tensor_proto__init(&t);
    t.name = "weight";
    t.n_dims = 1;
    t.dims = dims;
    t.has_data_type = 1;
    t.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
    t.has_raw_data = 1;
    t.raw_data.len = sizeof w;
    t.raw_data.data = (uint8_t *)w;
    t.n_int64_data = 2;
    t.int64_data = i64;

    Onnx__StringStringEntryProto meta;
    onnx__string_string_entry_proto__init(&meta);
    meta.key = "k";
    meta.value = "v";
    Onnx__StringStringEntryProto *metas[] = {&meta};
    t.n_metadata_props = 1;
    t.metadata_props = metas;

    size_t len = onnx__tensor_proto__get_packed_size(&t);
    uint8_t *buf = malloc(len);
    CHECK(buf != NULL);
    if (!buf) return;
    onnx__tensor_proto__pack(&t, buf);

    Onnx__TensorProto *u = onnx__tensor_proto__unpack(NULL, len, buf);
    CHECK(u != NULL);
    if (u) {
        CHECK_STR(u->name, "weight");
        CHECK_EQ_INT(u->n_dims, 1);
        CHECK_EQ_INT(u->dims[0], 3);
        CHECK_EQ_INT(u->data_type, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
        CHECK(u->has_raw_data);
        CHECK_EQ_INT(u->raw_data.len, sizeof w);
        CHECK(memcmp(u->raw_data.data, w, sizeof w) == 0);
        CHECK_EQ_INT(u->n_int64_data, 2);
        if (u->n_int64_data == 2) CHECK_EQ_INT(u->int64_data[1], 1LL << 40);
        CHECK_EQ_INT(u->n_metadata_props, 1);
        CHECK(!u->has_data_location);
        onnx__tensor_proto__free_unpacked(u, NULL);
    }
    free(buf);

    /* Enum values that later code relies on (spot checks of the schema). */
    CHECK_EQ_INT(ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16, 16);
    CHECK_EQ_INT(ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT8E5M2FNUZ, 20);
    CHECK_EQ_INT(ONNX__TENSOR_PROTO__DATA_TYPE__INT4, 22);
    CHECK_EQ_INT(ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT4E2M1, 23);
    CHECK_EQ_INT(ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TYPE_PROTOS, 14);
    CHECK_EQ_INT(ONNX__VERSION__IR_VERSION_2024_3_25, 10);
    CHECK_EQ_INT(ONNX__VERSION__IR_VERSION_2025_05_12, 11);
}

/* An attribute (INTS) and a model-local function with an overload. */
static void test_attribute_and_function(void)
{
    int64_t perm[3] = {0, 2, 1};
    Onnx__AttributeProto a;
    onnx__attribute_proto__init(&a);
    a.name = "perm";
    a.has_type = 1;
    a.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
    a.n_ints = 3;
    a.ints = perm;
    Onnx__AttributeProto *attrs[] = {&a};

    Onnx__NodeProto n;
    onnx__node_proto__init(&n);
    n.op_type = "Transpose";
    n.n_attribute = 1;
    n.attribute = attrs;
    n.overload = "v2";
    Onnx__NodeProto *nodes[] = {&n};

    Onnx__FunctionProto f;
    onnx__function_proto__init(&f);
    f.name = "Block";
    f.domain = "pkg.onnxify";
    f.overload = "v2";
    f.n_node = 1;
    f.node = nodes;

    size_t len = onnx__function_proto__get_packed_size(&f);
    uint8_t *buf = malloc(len);
    CHECK(buf != NULL);
    if (!buf) return;
    onnx__function_proto__pack(&f, buf);
    Onnx__FunctionProto *u = onnx__function_proto__unpack(NULL, len, buf);
    CHECK(u != NULL);
    if (u) {
        CHECK_STR(u->name, "Block");
        CHECK_STR(u->overload, "v2");
        CHECK_EQ_INT(u->n_node, 1);
        if (u->n_node == 1) {
            CHECK_STR(u->node[0]->overload, "v2");
            CHECK_EQ_INT(u->node[0]->n_attribute, 1);
            if (u->node[0]->n_attribute == 1) {
                Onnx__AttributeProto *ua = u->node[0]->attribute[0];
                CHECK_EQ_INT(ua->type, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
                CHECK_EQ_INT(ua->n_ints, 3);
                if (ua->n_ints == 3) CHECK_EQ_INT(ua->ints[1], 2);
            }
        }
        onnx__function_proto__free_unpacked(u, NULL);
    }
    free(buf);
}

/* Garbage is rejected, not crashed on. */
static void test_unpack_garbage(void)
{
    const uint8_t junk[] = {0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01};
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, sizeof junk, junk);
    CHECK(m == NULL);
    if (m) onnx__model_proto__free_unpacked(m, NULL);
}

static const ox_test_case tests[] = {
    {"relu_model_roundtrip", test_relu_model_roundtrip},
    {"tensor_and_newer_fields", test_tensor_and_newer_fields},
    {"attribute_and_function", test_attribute_and_function},
    {"unpack_garbage", test_unpack_garbage},
};

OX_TEST_MAIN(tests)
