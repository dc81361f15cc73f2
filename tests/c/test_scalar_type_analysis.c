/* scalar_type_analysis (src/passes/scalar_type_analysis.c): implicit type
 * promotion on ONNX graphs built directly with the IR API, following
 * torch's _jit_pass_onnx_scalar_type_analysis. */
#include "ir/ir.h"
#include "symbolic/symbolic.h"
#include "passes/passes.h"
#include "test.h"

typedef struct fx {
    ox_arena *arena;
    ox_ctx ctx;
    ox_graph *g;
} fx;

static void fx_init(fx *f)
{
    f->arena = ox_arena_new();
    ox_ctx_init(&f->ctx, f->arena);
    f->g = ox_graph_new(&f->ctx);
}

static void fx_free(fx *f)
{
    ox_ctx_release(&f->ctx);
    ox_arena_free(f->arena);
}

static ox_type *tensor_type(fx *f, ox_dtype dt, int rank)
{
    int64_t dims[4] = {2, 3, 4, 5};
    return ox_type_tensor(f->arena, dt, rank, dims);
}

static ox_value *input(fx *f, const char *name, ox_dtype dt, int rank)
{
    return ox_block_add_input(f->g->top, name, tensor_type(f, dt, rank));
}

static ox_value *constant(fx *f, ox_tensor *t)
{
    ox_node *n = ox_node_new(f->g, "onnx::Constant", 1);
    ox_node_set_t(n, "value", t);
    n->outputs[0]->type = ox_type_tensor(f->arena, t->dtype, t->rank, t->dims);
    ox_block_append(f->g->top, n);
    return n->outputs[0];
}

static ox_value *scalar_f64(fx *f, double v) { return constant(f, ox_tensor_scalar_f64(f->arena, v)); }
static ox_value *scalar_i64(fx *f, int64_t v) { return constant(f, ox_tensor_scalar_i64(f->arena, v)); }

/* A node appended to the top block; out_dt OX_UNDEFINED = unknown output type. */
static ox_node *node(fx *f, const char *kind, ox_value *a, ox_value *b, ox_dtype out_dt)
{
    ox_node *n = ox_node_new(f->g, kind, 1);
    ox_node_add_input(n, a);
    if (b) ox_node_add_input(n, b);
    if (out_dt != OX_UNDEFINED) n->outputs[0]->type = tensor_type(f, out_dt, 2);
    ox_block_append(f->g->top, n);
    return n;
}

static void output(fx *f, ox_node *n) { ox_block_add_output(f->g->top, n->outputs[0]); }

static const char *kinds(ox_graph *g)
{
    static char buf[512];
    size_t len = 0;
    buf[0] = 0;
    for (ox_node *n = ox_block_first(g->top); n != g->top->ret; n = n->next) {
        const char *k = strncmp(n->kind, "onnx::", 6) == 0 ? n->kind + 6 : n->kind;
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", len ? "," : "", k);
        if (len >= sizeof buf) break;
    }
    return buf;
}

static const ox_tensor *const_of(ox_value *v)
{
    return ox_node_is(v->node, "onnx::Constant") ? ox_value_const_tensor(v) : NULL;
}

static int64_t cast_to(ox_value *v)
{
    if (!ox_node_is(v->node, "onnx::Cast")) return -1;
    ox_attr *a = ox_node_attr(v->node, "to");
    return a ? a->v.i : -1;
}

static ox_status run(fx *f, int opset) { return ox_pass_scalar_type_analysis(f->g, opset, NULL); }

/* x + 2.0: the double scalar takes x's type, in a new constant right before
 * the Add (the old one is dead and goes). */
static void test_double_scalar_takes_tensor_type(void)
{
    fx f;
    fx_init(&f);
    ox_value *x = input(&f, "x", OX_FLOAT, 2);
    ox_value *c = scalar_f64(&f, 2.5);
    ox_node *other = node(&f, "onnx::Relu", x, NULL, OX_FLOAT);
    ox_node *add = node(&f, "onnx::Add", x, c, OX_FLOAT);
    output(&f, add);
    output(&f, other);
    bool changed = false;
    CHECK(ox_pass_scalar_type_analysis(f.g, 13, &changed) == OX_OK);
    CHECK(changed);
    CHECK_STR(kinds(f.g), "Relu,Constant,Add");
    const ox_tensor *t = const_of(add->inputs[1]);
    CHECK(t && t->dtype == OX_FLOAT && t->rank == 0 && ox_tensor_get_f(t, 0) == 2.5);
    CHECK(add->prev == add->inputs[1]->node);
    CHECK_EQ_INT(ox_elem_type(add->inputs[1]), OX_FLOAT);
    CHECK(add->inputs[0] == x);
    fx_free(&f);
}

/* A constant with another user stays; the node gets its own copy. */
static void test_shared_constant_is_copied(void)
{
    fx f;
    fx_init(&f);
    ox_value *x = input(&f, "x", OX_FLOAT, 2);
    ox_value *c = scalar_f64(&f, 3.0);
    ox_node *mul = node(&f, "onnx::Mul", x, c, OX_FLOAT);
    ox_node *id = node(&f, "onnx::Identity", c, NULL, OX_DOUBLE);
    output(&f, mul);
    output(&f, id);
    CHECK(run(&f, 13) == OX_OK);
    CHECK_STR(kinds(f.g), "Constant,Constant,Mul,Identity");
    CHECK(id->inputs[0] == c);
    CHECK(const_of(c)->dtype == OX_DOUBLE);
    CHECK(mul->inputs[1] != c && const_of(mul->inputs[1])->dtype == OX_FLOAT);
    fx_free(&f);
}

/* A known output type decides: int64 tensor operands of a float Add get a Cast. */
static void test_output_type_decides(void)
{
    fx f;
    fx_init(&f);
    ox_value *x = input(&f, "x", OX_INT64, 2);
    ox_value *y = input(&f, "y", OX_FLOAT, 2);
    ox_node *add = node(&f, "onnx::Add", x, y, OX_FLOAT);
    output(&f, add);
    CHECK(run(&f, 13) == OX_OK);
    CHECK_STR(kinds(f.g), "Cast,Add");
    CHECK_EQ_INT(cast_to(add->inputs[0]), OX_FLOAT);
    CHECK(add->inputs[0]->node->inputs[0] == x);
    CHECK_EQ_INT(ox_elem_type(add->inputs[0]), OX_FLOAT);
    CHECK_EQ_INT(ox_rank(add->inputs[0]), 2);
    CHECK(add->inputs[1] == y);
    fx_free(&f);
}

/* Unknown output: a float scalar beats an int tensor (higher category), and
 * the output gets the promoted type. */
static void test_scalar_category_wins(void)
{
    fx f;
    fx_init(&f);
    ox_value *x = input(&f, "x", OX_INT64, 2);
    ox_value *c = scalar_f64(&f, 0.5);
    ox_node *mul = node(&f, "onnx::Mul", x, c, OX_UNDEFINED);
    output(&f, mul);
    CHECK(run(&f, 13) == OX_OK);
    CHECK_STR(kinds(f.g), "Cast,Constant,Mul");
    CHECK_EQ_INT(cast_to(mul->inputs[0]), OX_FLOAT);
    CHECK_EQ_INT(const_of(mul->inputs[1])->dtype, OX_FLOAT);
    CHECK_EQ_INT(ox_elem_type(mul->outputs[0]), OX_FLOAT);
    fx_free(&f);
}

/* Unknown output: a half tensor beats an int scalar; int tensors promote. */
static void test_tensor_wins_and_int_promotion(void)
{
    fx f;
    fx_init(&f);
    ox_value *x = input(&f, "x", OX_FLOAT16, 2);
    ox_node *add = node(&f, "onnx::Add", x, scalar_i64(&f, 2), OX_UNDEFINED);
    ox_value *a = input(&f, "a", OX_INT32, 2);
    ox_value *b = input(&f, "b", OX_INT64, 2);
    ox_node *sub = node(&f, "onnx::Sub", a, b, OX_UNDEFINED);
    ox_value *u8 = input(&f, "u8", OX_UINT8, 2);
    ox_value *i8 = input(&f, "i8", OX_INT8, 2);
    ox_node *mul = node(&f, "onnx::Mul", u8, i8, OX_UNDEFINED);
    output(&f, add);
    output(&f, sub);
    output(&f, mul);
    CHECK(run(&f, 14) == OX_OK);
    const ox_tensor *t = const_of(add->inputs[1]);
    CHECK(t && t->dtype == OX_FLOAT16 && ox_tensor_get_f(t, 0) == 2.0);
    CHECK_EQ_INT(ox_elem_type(add->outputs[0]), OX_FLOAT16);
    CHECK_EQ_INT(cast_to(sub->inputs[0]), OX_INT64);
    CHECK(sub->inputs[1] == b);
    CHECK_EQ_INT(ox_elem_type(sub->outputs[0]), OX_INT64);
    /* uint8 with int8 promotes to int16 */
    CHECK_EQ_INT(cast_to(mul->inputs[0]), OX_INT16);
    CHECK_EQ_INT(cast_to(mul->inputs[1]), OX_INT16);
    fx_free(&f);
}

/* Comparisons promote over all operands and keep their bool output. */
static void test_comparison(void)
{
    fx f;
    fx_init(&f);
    ox_value *x = input(&f, "x", OX_INT64, 2);
    ox_node *lt = node(&f, "onnx::Less", x, scalar_f64(&f, 1.5), OX_BOOL);
    ox_value *y = input(&f, "y", OX_FLOAT, 2);
    ox_node *eq = node(&f, "onnx::Equal", y, scalar_i64(&f, 1), OX_UNDEFINED);
    output(&f, lt);
    output(&f, eq);
    CHECK(run(&f, 13) == OX_OK);
    CHECK_EQ_INT(cast_to(lt->inputs[0]), OX_FLOAT);
    CHECK_EQ_INT(const_of(lt->inputs[1])->dtype, OX_FLOAT);
    CHECK_EQ_INT(ox_elem_type(lt->outputs[0]), OX_BOOL);
    CHECK(eq->inputs[0] == y);
    CHECK_EQ_INT(const_of(eq->inputs[1])->dtype, OX_FLOAT);
    CHECK_EQ_INT(ox_elem_type(eq->outputs[0]), OX_UNDEFINED); /* a comparison's output is not touched */
    fx_free(&f);
}

/* Gather(Shape(x)) is a Python int (x.size(0)) for the promotion. */
static void test_size_is_a_scalar(void)
{
    fx f;
    fx_init(&f);
    ox_value *x = input(&f, "x", OX_FLOAT, 2);
    ox_node *shape = node(&f, "onnx::Shape", x, NULL, OX_UNDEFINED);
    shape->outputs[0]->type = ox_type_tensor(f.arena, OX_INT64, 1, NULL);
    ox_node *gather = node(&f, "onnx::Gather", shape->outputs[0], scalar_i64(&f, 0), OX_UNDEFINED);
    gather->outputs[0]->type = ox_type_tensor(f.arena, OX_INT64, 0, NULL);
    ox_value *h = input(&f, "h", OX_FLOAT16, 2);
    ox_node *add = node(&f, "onnx::Add", h, gather->outputs[0], OX_UNDEFINED);
    output(&f, add);
    CHECK(run(&f, 13) == OX_OK);
    /* half tensor vs int scalar: the tensor's type */
    CHECK_EQ_INT(ox_elem_type(add->outputs[0]), OX_FLOAT16);
    CHECK_EQ_INT(cast_to(add->inputs[1]), OX_FLOAT16);
    fx_free(&f);
}

/* Operands of unknown type are left alone. */
static void test_unknown_operand_untouched(void)
{
    fx f;
    fx_init(&f);
    ox_value *u = ox_block_add_input(f.g->top, "u", ox_type_tensor(f.arena, OX_UNDEFINED, -1, NULL));
    ox_node *div = node(&f, "onnx::Div", u, scalar_f64(&f, 2.0), OX_UNDEFINED);
    ox_node *sub = node(&f, "onnx::Sub", u, u, OX_UNDEFINED);
    output(&f, div);
    output(&f, sub);
    CHECK(run(&f, 13) == OX_OK);
    CHECK(div->inputs[0] == u);
    CHECK_EQ_INT(const_of(div->inputs[1])->dtype, OX_FLOAT); /* the scalar alone decides */
    CHECK_EQ_INT(ox_elem_type(div->outputs[0]), OX_FLOAT);
    CHECK(sub->inputs[0] == u && sub->inputs[1] == u);
    CHECK_EQ_INT(ox_elem_type(sub->outputs[0]), OX_UNDEFINED);
    fx_free(&f);
}

/* Before opset 14, uint8/int8/int16 arithmetic runs in int64 and is cast back. */
static void test_low_precision(void)
{
    int opsets[] = {13, 14};
    for (int i = 0; i < 2; i++) {
        fx f;
        fx_init(&f);
        ox_value *a = input(&f, "a", OX_UINT8, 2);
        ox_node *add = node(&f, "onnx::Add", a, a, OX_UINT8);
        ox_node *mul = node(&f, "onnx::Mul", add->outputs[0], scalar_i64(&f, 3), OX_UINT8);
        output(&f, mul);
        CHECK(run(&f, opsets[i]) == OX_OK);
        if (opsets[i] == 13) {
            CHECK_STR(kinds(f.g), "Cast,Add,Cast,Cast,Constant,Mul,Cast");
            CHECK_EQ_INT(cast_to(add->inputs[0]), OX_INT64);
            CHECK(add->inputs[0] == add->inputs[1]); /* one Cast for both operands */
            CHECK_EQ_INT(ox_elem_type(add->outputs[0]), OX_INT64);
            ox_value *out = ox_block_output(f.g->top, 0);
            CHECK_EQ_INT(cast_to(out), OX_UINT8);
            CHECK(out->node->inputs[0] == mul->outputs[0]);
            CHECK_EQ_INT(const_of(mul->inputs[1])->dtype, OX_INT64);
            CHECK_EQ_INT(ox_elem_type(out), OX_UINT8);
        } else {
            CHECK_STR(kinds(f.g), "Add,Constant,Mul");
            CHECK_EQ_INT(const_of(mul->inputs[1])->dtype, OX_UINT8);
            CHECK(ox_block_output(f.g->top, 0) == mul->outputs[0]);
        }
        fx_free(&f);
    }
}

/* Gemm is exempt from the int64 detour. */
static void test_gemm_not_low_precision(void)
{
    fx f;
    fx_init(&f);
    ox_value *a = input(&f, "a", OX_INT8, 2);
    ox_node *gemm = node(&f, "onnx::Gemm", a, a, OX_INT8);
    output(&f, gemm);
    CHECK(run(&f, 11) == OX_OK);
    CHECK_STR(kinds(f.g), "Gemm");
    fx_free(&f);
}

/* Nodes inside sub-blocks are handled too. */
static void test_sub_block(void)
{
    fx f;
    fx_init(&f);
    ox_value *x = input(&f, "x", OX_FLOAT, 2);
    ox_value *cond = input(&f, "c", OX_BOOL, 0);
    ox_node *ifn = ox_node_new(f.g, "onnx::If", 1);
    ox_node_add_input(ifn, cond);
    ox_block_append(f.g->top, ifn);
    ox_block *then_b = ox_node_add_block(ifn), *else_b = ox_node_add_block(ifn);
    ox_node *c = ox_node_new(f.g, "onnx::Constant", 1);
    ox_node_set_t(c, "value", ox_tensor_scalar_f64(f.arena, 1.0));
    c->outputs[0]->type = ox_type_tensor(f.arena, OX_DOUBLE, 0, NULL);
    ox_block_append(then_b, c);
    ox_node *add = ox_node_new(f.g, "onnx::Add", 1);
    ox_node_add_input(add, x);
    ox_node_add_input(add, c->outputs[0]);
    ox_block_append(then_b, add);
    ox_block_add_output(then_b, add->outputs[0]);
    ox_block_add_output(else_b, x);
    ox_block_add_output(f.g->top, ifn->outputs[0]);
    CHECK(run(&f, 13) == OX_OK);
    const ox_tensor *t = const_of(add->inputs[1]);
    CHECK(t && t->dtype == OX_FLOAT);
    CHECK(add->inputs[1]->node->owner == then_b);
    CHECK(ox_block_first(then_b) == add->inputs[1]->node && add->inputs[1]->node->next == add);
    fx_free(&f);
}

/* A promoted type ONNX's table lacks (bfloat16) is reported and not applied. */
static void test_unsupported_type_warns(void)
{
    fx f;
    fx_init(&f);
    ox_value *x = input(&f, "x", OX_BFLOAT16, 2);
    ox_value *c = scalar_f64(&f, 2.0);
    ox_node *add = node(&f, "onnx::Add", x, c, OX_BFLOAT16);
    output(&f, add);
    CHECK(run(&f, 13) == OX_OK);
    CHECK(add->inputs[1] == c);
    CHECK_EQ_INT(const_of(c)->dtype, OX_DOUBLE);
    fx_free(&f);
}

static const ox_test_case tests[] = {
    {"double_scalar_takes_tensor_type", test_double_scalar_takes_tensor_type},
    {"shared_constant_is_copied", test_shared_constant_is_copied},
    {"output_type_decides", test_output_type_decides},
    {"scalar_category_wins", test_scalar_category_wins},
    {"tensor_wins_and_int_promotion", test_tensor_wins_and_int_promotion},
    {"comparison", test_comparison},
    {"size_is_a_scalar", test_size_is_a_scalar},
    {"unknown_operand_untouched", test_unknown_operand_untouched},
    {"low_precision", test_low_precision},
    {"gemm_not_low_precision", test_gemm_not_low_precision},
    {"sub_block", test_sub_block},
    {"unsupported_type_warns", test_unsupported_type_warns},
};

OX_TEST_MAIN(tests)
