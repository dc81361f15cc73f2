/* IR: construction, use lists, list surgery, attributes, tensors, types. */
#include "ir/ir.h"
#include "test.h"

typedef struct fixture {
    ox_arena *arena;
    ox_ctx ctx;
    ox_graph *g;
} fixture;

static void setup(fixture *f)
{
    f->arena = ox_arena_new();
    ox_ctx_init(&f->ctx, f->arena);
    f->g = ox_graph_new(&f->ctx);
}

static void teardown(fixture *f)
{
    ox_ctx_release(&f->ctx);
    ox_arena_free(f->arena);
}

static void test_build_and_uses(void)
{
    fixture f;
    setup(&f);
    ox_value *x = ox_block_add_input(f.g->top, "x", NULL);
    ox_node *relu = ox_node_new(f.g, "onnx::Relu", 1);
    ox_node *add = ox_node_new(f.g, "onnx::Add", 1);
    CHECK(ox_node_add_input(relu, x) == OX_OK);
    ox_block_append(f.g->top, relu);
    CHECK(ox_node_add_input(add, relu->outputs[0]) == OX_OK);
    CHECK(ox_node_add_input(add, x) == OX_OK);
    ox_block_append(f.g->top, add);
    CHECK(ox_block_add_output(f.g->top, add->outputs[0]) == OX_OK);

    CHECK_EQ_INT(x->nuses, 2);
    CHECK(x->uses[0].user == relu && x->uses[0].index == 0);
    CHECK(x->uses[1].user == add && x->uses[1].index == 1);
    CHECK(ox_block_first(f.g->top) == relu && relu->next == add && add->next == f.g->top->ret);
    CHECK(ox_value_is_graph_input(x));
    CHECK(ox_value_is_graph_output(add->outputs[0]));
    CHECK(!ox_value_is_graph_output(relu->outputs[0]));

    /* replace-all-uses then destroy: x feeds add twice, relu disappears */
    ox_value_replace_all_uses(relu->outputs[0], x);
    CHECK_EQ_INT(relu->outputs[0]->nuses, 0);
    ox_node_destroy(relu);
    CHECK_EQ_INT(x->nuses, 2);
    CHECK(ox_block_first(f.g->top) == add);
    CHECK(add->inputs[0] == x && add->inputs[1] == x);

    /* removing an input reindexes the remaining uses */
    ox_node_remove_input(add, 0);
    CHECK_EQ_INT(add->ninputs, 1);
    CHECK_EQ_INT(x->nuses, 1);
    CHECK_EQ_INT(x->uses[0].index, 0);
    teardown(&f);
}

static void test_insert_positions(void)
{
    fixture f;
    setup(&f);
    ox_node *a = ox_node_new(f.g, "onnx::A", 1), *b = ox_node_new(f.g, "onnx::B", 1),
            *c = ox_node_new(f.g, "onnx::C", 1), *d = ox_node_new(f.g, "onnx::D", 1);
    ox_block_append(f.g->top, b);
    ox_node_insert_before(a, b);
    ox_node_insert_after(d, b);
    ox_node_insert_before(c, d);
    const char *want[] = {"onnx::A", "onnx::B", "onnx::C", "onnx::D"};
    int i = 0;
    for (ox_node *n = ox_block_first(f.g->top); n != f.g->top->ret; n = n->next) CHECK_STR(n->kind, want[i++]);
    CHECK_EQ_INT(i, 4);
    CHECK(a->kind == ox_intern(f.g, "onnx::A")); /* interned */
    teardown(&f);
}

static void test_names(void)
{
    fixture f;
    setup(&f);
    ox_value *x = ox_block_add_input(f.g->top, NULL, NULL);
    CHECK(!ox_value_has_name(x));
    CHECK_STR(ox_value_name(x), "0");
    ox_value_set_name(x, "12");
    CHECK(!ox_value_has_name(x)); /* digits only: an unnamed TorchScript value */
    ox_value_set_name(x, "input.1");
    CHECK(ox_value_has_name(x));
    CHECK_STR(ox_kind_name("aten::relu"), "relu");
    char ns[16];
    CHECK_STR(ox_kind_ns("aten::relu", ns, sizeof ns), "aten");
    teardown(&f);
}

static void test_attributes(void)
{
    fixture f;
    setup(&f);
    ox_node *n = ox_node_new(f.g, "onnx::Conv", 1);
    int64_t pads[] = {1, 1, 1, 1};
    CHECK(ox_node_set_is(n, "pads", pads, 4) == OX_OK);
    CHECK(ox_node_set_i(n, "group", 2) == OX_OK);
    CHECK(ox_node_set_f(n, "alpha", 0.5) == OX_OK);
    CHECK(ox_node_set_i(n, "group", 3) == OX_OK); /* replaced in place */
    ox_attr *a = n->attrs;
    CHECK_STR(a->name, "pads");
    CHECK_STR(a->next->name, "group");
    CHECK_EQ_INT(a->next->v.i, 3);
    CHECK_STR(a->next->next->name, "alpha");
    CHECK(a->next->next->next == NULL);
    pads[0] = 7; /* the node keeps its own copy */
    CHECK_EQ_INT(ox_node_attr(n, "pads")->v.is[0], 1);
    ox_node_remove_attr(n, "group");
    CHECK(!ox_node_has_attr(n, "group"));

    ox_node *m = ox_node_new(f.g, "onnx::Conv", 1);
    CHECK(ox_node_copy_attrs(m, n) == OX_OK);
    CHECK_EQ_INT(ox_node_attr(m, "pads")->n, 4);
    teardown(&f);
}

static void test_tensors(void)
{
    fixture f;
    setup(&f);
    int64_t dims[] = {2, 3};
    ox_tensor *t = ox_tensor_alloc(f.arena, OX_FLOAT16, 2, dims);
    CHECK_EQ_INT(t->nbytes, 12);
    ox_tensor_set_f(t, 0, 1.5);
    ox_tensor_set_f(t, 1, -2.25);
    ox_tensor_set_f(t, 2, 65504.0);
    CHECK(ox_tensor_get_f(t, 0) == 1.5);
    CHECK(ox_tensor_get_f(t, 1) == -2.25);
    CHECK(ox_tensor_get_f(t, 2) == 65504.0);
    ox_tensor *b = ox_tensor_alloc(f.arena, OX_BFLOAT16, 1, dims);
    ox_tensor_set_f(b, 0, 3.0);
    CHECK(ox_tensor_get_f(b, 0) == 3.0);
    ox_tensor *i = ox_tensor_i64s(f.arena, (int64_t[]){5, -1}, 2);
    CHECK_EQ_INT(ox_tensor_get_i(i, 1), -1);
    CHECK(ox_tensor_get_f(i, 0) == 5.0);
    ox_tensor *j = ox_tensor_i64s(f.arena, (int64_t[]){5, -1}, 2);
    CHECK(ox_tensor_equal(i, j));
    ox_tensor_set_i(j, 0, 6);
    CHECK(!ox_tensor_equal(i, j));
    /* overflowing shapes are refused, not wrapped */
    int64_t huge[] = {INT64_MAX / 2, 4};
    CHECK(ox_tensor_alloc(f.arena, OX_FLOAT, 2, huge) == NULL);
    teardown(&f);
}

static void test_types_and_text(void)
{
    fixture f;
    setup(&f);
    int64_t dims[] = {1, OX_DIM_UNKNOWN, 4};
    ox_type *t = ox_type_tensor(f.arena, OX_FLOAT, 3, dims);
    CHECK_EQ_INT(ox_type_rank(t), 3);
    CHECK(!ox_type_is_static(t));
    ox_type *c = ox_type_copy(f.arena, t);
    c->dims[1] = 2;
    CHECK(ox_type_is_static(c) && !ox_type_is_static(t));
    CHECK_EQ_INT(ox_type_numel(c), 8);

    ox_value *x = ox_block_add_input(f.g->top, "x", t);
    ox_node *n = ox_node_new(f.g, "aten::relu", 1);
    ox_node_add_input(n, x);
    n->scope = "M::/torch.nn.modules.activation.ReLU::act";
    n->source = "model.py:3";
    ox_block_append(f.g->top, n);
    ox_block_add_output(f.g->top, n->outputs[0]);
    CHECK_CONTAINS(ox_node_describe(n), "aten::relu");
    CHECK_CONTAINS(ox_node_describe(n), "model.py:3");
    const char *text = ox_graph_to_text(f.g);
    CHECK_CONTAINS(text, "%x : float32(1, *, 4)");
    CHECK_CONTAINS(text, "= aten::relu(%x)");
    teardown(&f);
}

static void count_log(void *user, onnxify_log_level level, const char *msg)
{
    (void)msg;
    if (level == ONNXIFY_LOG_WARNING) (*(int *)user)++;
}

/* A warning shows once per export, as Python's warnings do. */
static void test_warnings_once(void)
{
    fixture f;
    setup(&f);
    int n = 0;
    f.ctx.log = count_log;
    f.ctx.log_user = &n;
    for (int i = 0; i < 3; i++) ox_warn(&f.ctx, "dropout is set to %s", "train=True");
    ox_warn(&f.ctx, "another warning");
    CHECK_EQ_INT(n, 2);
    teardown(&f);
}

static const ox_test_case tests[] = {
    {"warnings_once", test_warnings_once},
    {"build_and_uses", test_build_and_uses}, {"insert_positions", test_insert_positions},
    {"names", test_names},                   {"attributes", test_attributes},
    {"tensors", test_tensors},               {"types_and_text", test_types_and_text},
};
OX_TEST_MAIN(tests)
