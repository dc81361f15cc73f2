/* Tests of the ONNX constant folding (src/passes/constant_fold.c, fold_ops.c).
 * Graphs are built at the ONNX level with the IR API: parameters are graph
 * inputs with data, constants are onnx::Constant nodes. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "passes/passes.h"
#include "test.h"

/* ---- fixtures ------------------------------------------------------------ */

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

static ox_tensor *tens(fx *f, ox_dtype dt, int rank, const int64_t *dims, const void *data)
{
    ox_tensor *t = ox_tensor_alloc(f->arena, dt, rank, dims);
    if (t && data && t->nbytes) memcpy((void *)t->data, data, t->nbytes);
    return t;
}

static ox_tensor *f32(fx *f, int rank, const int64_t *dims, const float *v) { return tens(f, OX_FLOAT, rank, dims, v); }
static ox_tensor *i64(fx *f, int rank, const int64_t *dims, const int64_t *v) { return tens(f, OX_INT64, rank, dims, v); }
static ox_tensor *i64_1d(fx *f, int n, const int64_t *v)
{
    int64_t d = n;
    return i64(f, 1, &d, v);
}

/* A parameter whose data is borrowed from `data` (as the weights are). */
static ox_value *param(fx *f, const char *name, ox_dtype dt, int rank, const int64_t *dims, const void *data)
{
    ox_tensor *t = ox_tensor_new(f->arena, dt, rank, dims);
    t->data = data;
    t->nbytes = (size_t)ox_tensor_numel(t) * ox_dtype_size(dt);
    ox_value *v = ox_block_add_input(f->g->top, name, ox_type_tensor(f->arena, dt, rank, dims));
    v->init = t;
    return v;
}

/* A real (user) input. */
static ox_value *input(fx *f, const char *name, ox_dtype dt, int rank, const int64_t *dims)
{
    return ox_block_add_input(f->g->top, name, ox_type_tensor(f->arena, dt, rank, dims));
}

static ox_value *cst(fx *f, ox_tensor *t)
{
    ox_node *n = ox_node_new(f->g, "onnx::Constant", 1);
    ox_node_set_t(n, "value", t);
    ox_block_append(f->g->top, n);
    return n->outputs[0];
}

static ox_value *none(fx *f)
{
    ox_node *n = ox_node_new(f->g, "prim::Constant", 1);
    n->outputs[0]->type = ox_type_new(f->arena, OX_TYPE_NONE);
    ox_block_append(f->g->top, n);
    return n->outputs[0];
}

static ox_node *op(fx *f, const char *kind, ox_value *a, ox_value *b, ox_value *c)
{
    ox_node *n = ox_node_new(f->g, kind, 1);
    if (a) ox_node_add_input(n, a);
    if (b) ox_node_add_input(n, b);
    if (c) ox_node_add_input(n, c);
    ox_block_append(f->g->top, n);
    return n;
}

static ox_value *op1(fx *f, const char *kind, ox_value *a) { return op(f, kind, a, NULL, NULL)->outputs[0]; }
static ox_value *op2(fx *f, const char *kind, ox_value *a, ox_value *b) { return op(f, kind, a, b, NULL)->outputs[0]; }

static void out(fx *f, ox_value *v) { ox_block_add_output(f->g->top, v); }

static int count(fx *f, const char *kind)
{
    int n = 0;
    for (ox_node *x = ox_block_first(f->g->top); x != f->g->top->ret; x = x->next) n += ox_node_is(x, kind);
    return n;
}

static int nnodes(fx *f)
{
    int n = 0;
    for (ox_node *x = ox_block_first(f->g->top); x != f->g->top->ret; x = x->next) n++;
    return n;
}

static bool fold(fx *f, int opset)
{
    bool changed = false;
    CHECK_EQ_INT(ox_pass_constant_fold(f->g, opset, &changed), OX_OK);
    return changed;
}

/* The tensor behind graph output i (a constant or a parameter). */
static const ox_tensor *result(fx *f, int i) { return ox_value_const_tensor(ox_block_output(f->g->top, i)); }

static bool dims_are(const ox_tensor *t, int rank, const int64_t *dims)
{
    if (!t || t->rank != rank) return false;
    for (int i = 0; i < rank; i++)
        if (t->dims[i] != dims[i]) return false;
    return true;
}

static bool type_is(const ox_value *v, ox_dtype dt, int rank, const int64_t *dims)
{
    const ox_type *t = v->type;
    if (t->kind != OX_TYPE_TENSOR || t->dtype != dt || t->rank != rank) return false;
    for (int i = 0; i < rank; i++)
        if (t->dims[i] != dims[i]) return false;
    return true;
}

static bool data_is(const ox_tensor *t, ox_dtype dt, const void *want, size_t nbytes)
{
    return t && t->dtype == dt && t->nbytes == nbytes && memcmp(t->data, want, nbytes) == 0;
}

#define DIMS(...) ((const int64_t[]){__VA_ARGS__})
#define F32S(...) ((const float[]){__VA_ARGS__})
#define I64S(...) ((const int64_t[]){__VA_ARGS__})

/* ---- tests ---------------------------------------------------------------- */

static void test_transpose_param_becomes_initializer(void)
{
    fx f;
    fx_init(&f);
    static const float w[6] = {0, 1, 2, 3, 4, 5};
    ox_value *x = input(&f, "x", OX_FLOAT, 2, DIMS(4, 3));
    ox_value *W = param(&f, "fc.weight", OX_FLOAT, 2, DIMS(2, 3), w);
    ox_node *t = op(&f, "onnx::Transpose", W, NULL, NULL);
    ox_node_set_is(t, "perm", I64S(1, 0), 2);
    ox_node *mm = op(&f, "onnx::MatMul", x, t->outputs[0], NULL);
    out(&f, mm->outputs[0]);

    CHECK(fold(&f, 13));
    CHECK_EQ_INT(count(&f, "onnx::Transpose"), 0);
    CHECK_EQ_INT(count(&f, "onnx::Constant"), 0);
    CHECK_EQ_INT(ox_block_ninputs(f.g->top), 3);
    ox_value *nv = ox_block_input(f.g->top, 2);
    CHECK(mm->inputs[1] == nv);
    CHECK(nv->name == NULL);
    CHECK(nv->init != NULL);
    CHECK(type_is(nv, OX_FLOAT, 2, DIMS(3, 2)));
    CHECK(dims_are(nv->init, 2, DIMS(3, 2)));
    CHECK(data_is(nv->init, OX_FLOAT, F32S(0, 3, 1, 4, 2, 5), 24));
    CHECK(nv->init->data != (const void *)w);
    /* the parameter is left (unused) for eliminate_unused_items, its data intact */
    CHECK(ox_block_input(f.g->top, 1) == W);
    CHECK_EQ_INT(W->nuses, 0);
    CHECK(memcmp(w, F32S(0, 1, 2, 3, 4, 5), sizeof w) == 0);
    fx_free(&f);
}

static void test_transpose_default_perm_not_folded(void)
{
    /* torch only folds a Transpose with a perm attribute */
    fx f;
    fx_init(&f);
    out(&f, op1(&f, "onnx::Transpose", cst(&f, i64(&f, 2, DIMS(1, 2), I64S(1, 2)))));
    CHECK(!fold(&f, 13));
    CHECK_EQ_INT(count(&f, "onnx::Transpose"), 1);
    fx_free(&f);
}

static void test_unsqueeze_attribute_form(void)
{
    fx f;
    fx_init(&f);
    ox_node *u = op(&f, "onnx::Unsqueeze", cst(&f, i64_1d(&f, 3, I64S(4, 5, 6))), NULL, NULL);
    ox_node_set_is(u, "axes", I64S(0), 1);
    out(&f, u->outputs[0]);
    CHECK(fold(&f, 11));
    CHECK_EQ_INT(nnodes(&f), 1);
    CHECK_EQ_INT(count(&f, "onnx::Constant"), 1);
    CHECK(dims_are(result(&f, 0), 2, DIMS(1, 3)));
    CHECK(data_is(result(&f, 0), OX_INT64, I64S(4, 5, 6), 24));
    CHECK(type_is(ox_block_output(f.g->top, 0), OX_INT64, 2, DIMS(1, 3)));
    fx_free(&f);
}

static void test_unsqueeze_input_form(void)
{
    fx f;
    fx_init(&f);
    ox_value *u = op2(&f, "onnx::Unsqueeze", cst(&f, i64_1d(&f, 3, I64S(4, 5, 6))), cst(&f, i64_1d(&f, 1, I64S(-1))));
    out(&f, u);
    CHECK(fold(&f, 13));
    CHECK_EQ_INT(nnodes(&f), 1); /* the data and axes constants are gone */
    CHECK(dims_are(result(&f, 0), 2, DIMS(3, 1)));
    CHECK(data_is(result(&f, 0), OX_INT64, I64S(4, 5, 6), 24));
    fx_free(&f);
}

static void test_unsqueeze_negative_axes(void)
{
    /* axes [0, -1] on rank 1: ONNX counts them in the output rank -> [1, 3, 1]
     * (torch's one-at-a-time insertion would give [1, 1, 3]) */
    fx f;
    fx_init(&f);
    out(&f, op2(&f, "onnx::Unsqueeze", cst(&f, i64_1d(&f, 3, I64S(4, 5, 6))), cst(&f, i64_1d(&f, 2, I64S(0, -1)))));
    CHECK(fold(&f, 13));
    CHECK(dims_are(result(&f, 0), 3, DIMS(1, 3, 1)));
    fx_free(&f);

    fx_init(&f);
    ox_node *u = op(&f, "onnx::Unsqueeze", cst(&f, i64_1d(&f, 3, I64S(4, 5, 6))), NULL, NULL);
    ox_node_set_is(u, "axes", I64S(-1, 0), 2);
    out(&f, u->outputs[0]);
    CHECK(fold(&f, 11));
    CHECK(dims_are(result(&f, 0), 3, DIMS(1, 3, 1)));
    fx_free(&f);

    /* repeated or out-of-range axes are not folded */
    fx_init(&f);
    out(&f, op2(&f, "onnx::Unsqueeze", cst(&f, i64_1d(&f, 3, I64S(4, 5, 6))), cst(&f, i64_1d(&f, 2, I64S(0, -3)))));
    out(&f, op2(&f, "onnx::Unsqueeze", cst(&f, i64_1d(&f, 3, I64S(4, 5, 6))), cst(&f, i64_1d(&f, 1, I64S(2)))));
    CHECK(!fold(&f, 13));
    CHECK_EQ_INT(count(&f, "onnx::Unsqueeze"), 2);
    fx_free(&f);
}

static void test_squeeze_forms(void)
{
    fx f;
    fx_init(&f);
    ox_node *s = op(&f, "onnx::Squeeze", cst(&f, i64(&f, 2, DIMS(1, 3), I64S(1, 2, 3))), NULL, NULL);
    ox_node_set_is(s, "axes", I64S(0), 1);
    out(&f, s->outputs[0]);
    CHECK(fold(&f, 11));
    CHECK(dims_are(result(&f, 0), 1, DIMS(3)));
    fx_free(&f);

    fx_init(&f);
    out(&f, op2(&f, "onnx::Squeeze", cst(&f, i64(&f, 2, DIMS(3, 1), I64S(1, 2, 3))), cst(&f, i64_1d(&f, 1, I64S(-1)))));
    CHECK(fold(&f, 13));
    CHECK(dims_are(result(&f, 0), 1, DIMS(3)));
    CHECK(data_is(result(&f, 0), OX_INT64, I64S(1, 2, 3), 24));
    fx_free(&f);

    /* no axes: every dim of size 1 goes (torch would return the input as is) */
    fx_init(&f);
    out(&f, op1(&f, "onnx::Squeeze", cst(&f, i64(&f, 3, DIMS(1, 3, 1), I64S(1, 2, 3)))));
    ox_node *s9 = op(&f, "onnx::Squeeze", cst(&f, i64(&f, 2, DIMS(1, 3), I64S(1, 2, 3))), NULL, NULL);
    out(&f, s9->outputs[0]);
    CHECK(fold(&f, 13));
    CHECK(dims_are(result(&f, 0), 1, DIMS(3)));
    CHECK(dims_are(result(&f, 1), 1, DIMS(3)));
    CHECK(data_is(result(&f, 0), OX_INT64, I64S(1, 2, 3), 24));
    fx_free(&f);

    /* several axes at once (torch's ascending one-at-a-time squeeze would keep one) */
    fx_init(&f);
    out(&f, op2(&f, "onnx::Squeeze", cst(&f, i64(&f, 3, DIMS(1, 1, 3), I64S(1, 2, 3))), cst(&f, i64_1d(&f, 2, I64S(0, 1)))));
    CHECK(fold(&f, 13));
    CHECK(dims_are(result(&f, 0), 1, DIMS(3)));
    fx_free(&f);

    /* a listed dim that is not 1 stays (torch's squeeze(dim) leaves it) */
    fx_init(&f);
    out(&f, op2(&f, "onnx::Squeeze", cst(&f, i64(&f, 2, DIMS(3, 1), I64S(1, 2, 3))), cst(&f, i64_1d(&f, 2, I64S(0, 1)))));
    CHECK(fold(&f, 13));
    CHECK(dims_are(result(&f, 0), 1, DIMS(3)));
    fx_free(&f);

    /* out of range */
    fx_init(&f);
    out(&f, op2(&f, "onnx::Squeeze", cst(&f, i64(&f, 2, DIMS(3, 1), I64S(1, 2, 3))), cst(&f, i64_1d(&f, 1, I64S(2)))));
    CHECK(!fold(&f, 13));
    fx_free(&f);
}

static void test_concat_of_constants(void)
{
    fx f;
    fx_init(&f);
    ox_value *x = input(&f, "x", OX_FLOAT, 1, DIMS(2));
    ox_value *a = cst(&f, i64_1d(&f, 2, I64S(1, 2)));
    ox_value *b = cst(&f, i64(&f, 2, DIMS(1, 3), I64S(3, 4, 5)));
    ox_value *b1 = op2(&f, "onnx::Reshape", b, cst(&f, i64_1d(&f, 1, I64S(-1))));
    ox_node *relu = op(&f, "onnx::Relu", x, NULL, NULL);
    ox_node *cat = op(&f, "onnx::Concat", a, b1, NULL);
    ox_node_set_i(cat, "axis", 0);
    cat->scope = "__main__.M::/torch.nn.modules.linear.Linear::fc";
    cat->source = "model.py:12";
    out(&f, cat->outputs[0]);
    out(&f, relu->outputs[0]);

    CHECK(fold(&f, 13));
    CHECK_EQ_INT(nnodes(&f), 2);
    ox_node *first = ox_block_first(f.g->top);
    CHECK(first == relu);
    ox_node *c = relu->next;
    CHECK(ox_node_is(c, "onnx::Constant"));
    CHECK_STR(c->scope, "__main__.M::/torch.nn.modules.linear.Linear::fc");
    CHECK_STR(c->source, "model.py:12");
    CHECK(ox_block_output(f.g->top, 0) == c->outputs[0]);
    CHECK(dims_are(result(&f, 0), 1, DIMS(5)));
    CHECK(data_is(result(&f, 0), OX_INT64, I64S(1, 2, 3, 4, 5), 40));
    CHECK_EQ_INT(ox_block_ninputs(f.g->top), 1); /* no parameter involved: no new input */
    fx_free(&f);
}

static void test_concat_axis1(void)
{
    fx f;
    fx_init(&f);
    ox_node *cat = op(&f, "onnx::Concat", cst(&f, f32(&f, 2, DIMS(2, 1), F32S(1, 2))),
                      cst(&f, f32(&f, 2, DIMS(2, 2), F32S(3, 4, 5, 6))), NULL);
    ox_node_set_i(cat, "axis", -1);
    out(&f, cat->outputs[0]);
    CHECK(fold(&f, 11));
    CHECK(dims_are(result(&f, 0), 2, DIMS(2, 3)));
    CHECK(data_is(result(&f, 0), OX_FLOAT, F32S(1, 3, 4, 2, 5, 6), 24));
    fx_free(&f);
}

static void test_binary_float_broadcast(void)
{
    fx f;
    fx_init(&f);
    const float av[6] = {0.1f, 0.2f, 0.3f, -1.5f, 1e30f, 3.0f};
    const float bv[3] = {0.7f, 1.0f / 3.0f, -2.25f};
    ox_value *a = cst(&f, f32(&f, 2, DIMS(2, 3), av));
    ox_value *b = cst(&f, f32(&f, 1, DIMS(3), bv));
    ox_value *s = cst(&f, f32(&f, 0, NULL, F32S(0.3f)));
    ox_value *col = cst(&f, f32(&f, 2, DIMS(2, 1), F32S(1.1f, -7.0f)));
    out(&f, op2(&f, "onnx::Add", a, b));
    out(&f, op2(&f, "onnx::Sub", a, s));
    out(&f, op2(&f, "onnx::Mul", col, b));
    out(&f, op2(&f, "onnx::Div", b, a));
    CHECK(fold(&f, 13));
    CHECK_EQ_INT(nnodes(&f), 4);
    CHECK_EQ_INT(count(&f, "onnx::Constant"), 4);
    float add[6], sub[6], mul[6], div[6];
    const float cv[2] = {1.1f, -7.0f};
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++) {
            volatile float x = av[i * 3 + j], y = bv[j], z = 0.3f, c = cv[i];
            add[i * 3 + j] = x + y;
            sub[i * 3 + j] = x - z;
            mul[i * 3 + j] = c * y;
            div[i * 3 + j] = y / x;
        }
    for (int k = 0; k < 4; k++) {
        CHECK(dims_are(result(&f, k), 2, DIMS(2, 3)));
        CHECK(type_is(ox_block_output(f.g->top, k), OX_FLOAT, 2, DIMS(2, 3)));
    }
    CHECK(data_is(result(&f, 0), OX_FLOAT, add, sizeof add));
    CHECK(data_is(result(&f, 1), OX_FLOAT, sub, sizeof sub));
    CHECK(data_is(result(&f, 2), OX_FLOAT, mul, sizeof mul));
    CHECK(data_is(result(&f, 3), OX_FLOAT, div, sizeof div));
    fx_free(&f);
}

static void test_binary_int64(void)
{
    fx f;
    fx_init(&f);
    ox_value *a = cst(&f, i64(&f, 2, DIMS(2, 2), I64S(1, 2, INT64_MAX, -5)));
    ox_value *b = cst(&f, i64_1d(&f, 2, I64S(10, 1)));
    ox_value *s = cst(&f, i64(&f, 0, NULL, I64S(3)));
    out(&f, op2(&f, "onnx::Add", a, b));
    out(&f, op2(&f, "onnx::Sub", s, a));
    out(&f, op2(&f, "onnx::Mul", a, b));
    CHECK(fold(&f, 13));
    CHECK(data_is(result(&f, 0), OX_INT64, I64S(11, 3, INT64_MAX + (uint64_t)10, -4), 32));
    CHECK(data_is(result(&f, 1), OX_INT64, I64S(2, 1, 3 - INT64_MAX, 8), 32));
    CHECK(data_is(result(&f, 2), OX_INT64, I64S(10, 2, (int64_t)((uint64_t)INT64_MAX * 10), -5), 32));
    CHECK(dims_are(result(&f, 1), 2, DIMS(2, 2)));
    fx_free(&f);
}

static void test_div_int_truncates(void)
{
    fx f;
    fx_init(&f);
    out(&f, op2(&f, "onnx::Div", cst(&f, i64_1d(&f, 5, I64S(7, -7, 9, -9, 6))),
                cst(&f, i64_1d(&f, 5, I64S(2, 2, -4, -4, 3)))));
    const int32_t a32[3] = {7, -7, 100}, b32[1] = {3};
    out(&f, op2(&f, "onnx::Div", cst(&f, tens(&f, OX_INT32, 1, DIMS(3), a32)),
                cst(&f, tens(&f, OX_INT32, 1, DIMS(1), b32))));
    CHECK(fold(&f, 13));
    CHECK(data_is(result(&f, 0), OX_INT64, I64S(3, -3, -2, 2, 2), 40));
    const int32_t want32[3] = {2, -2, 33};
    CHECK(data_is(result(&f, 1), OX_INT32, want32, sizeof want32));
    fx_free(&f);

    /* as in torch, integers are divided in float32 (ATen's true division) and
     * truncated back: 2^24 + 1 is not a float32 */
    fx_init(&f);
    out(&f, op2(&f, "onnx::Div", cst(&f, i64_1d(&f, 1, I64S(16777217))), cst(&f, i64_1d(&f, 1, I64S(1)))));
    CHECK(fold(&f, 13));
    CHECK(data_is(result(&f, 0), OX_INT64, I64S(16777216), 8));
    fx_free(&f);

    /* integer division by zero is not folded */
    fx_init(&f);
    out(&f, op2(&f, "onnx::Div", cst(&f, i64_1d(&f, 1, I64S(1))), cst(&f, i64_1d(&f, 1, I64S(0)))));
    CHECK(!fold(&f, 13));
    CHECK_EQ_INT(count(&f, "onnx::Div"), 1);
    fx_free(&f);
}

static void test_gather_negative_index(void)
{
    fx f;
    fx_init(&f);
    ox_value *data = cst(&f, i64(&f, 2, DIMS(3, 2), I64S(10, 11, 20, 21, 30, 31)));
    ox_node *g0 = op(&f, "onnx::Gather", data, cst(&f, i64(&f, 0, NULL, I64S(-1))), NULL);
    ox_node *g1 = op(&f, "onnx::Gather", data, cst(&f, i64_1d(&f, 3, I64S(-1, 0, 1))), NULL);
    ox_node_set_i(g1, "axis", 1);
    out(&f, g0->outputs[0]);
    out(&f, g1->outputs[0]);
    CHECK(fold(&f, 13));
    CHECK(dims_are(result(&f, 0), 1, DIMS(2)));
    CHECK(data_is(result(&f, 0), OX_INT64, I64S(30, 31), 16));
    CHECK(dims_are(result(&f, 1), 2, DIMS(3, 3)));
    CHECK(data_is(result(&f, 1), OX_INT64, I64S(11, 10, 11, 21, 20, 21, 31, 30, 31), 72));
    CHECK_EQ_INT(nnodes(&f), 2); /* the shared data constant went with the second fold */
    fx_free(&f);

    /* out of range */
    fx_init(&f);
    out(&f, op2(&f, "onnx::Gather", cst(&f, i64_1d(&f, 2, I64S(1, 2))), cst(&f, i64(&f, 0, NULL, I64S(-3)))));
    CHECK(!fold(&f, 13));
    fx_free(&f);
}

static void test_slice_attribute_form(void)
{
    fx f;
    fx_init(&f);
    static const float d[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    ox_value *x = cst(&f, f32(&f, 2, DIMS(4, 3), d));
    ox_node *s0 = op(&f, "onnx::Slice", x, NULL, NULL);
    ox_node_set_is(s0, "starts", I64S(1), 1);
    ox_node_set_is(s0, "ends", I64S(INT64_MAX), 1);
    ox_node_set_is(s0, "axes", I64S(0), 1);
    ox_node *s1 = op(&f, "onnx::Slice", x, NULL, NULL);
    ox_node_set_is(s1, "starts", I64S(-2, 1), 2);
    ox_node_set_is(s1, "ends", I64S(-1, 3), 2);
    ox_node_set_is(s1, "axes", I64S(1, 0), 2);
    out(&f, s0->outputs[0]);
    out(&f, s1->outputs[0]);
    CHECK(fold(&f, 9));
    CHECK(dims_are(result(&f, 0), 2, DIMS(3, 3)));
    CHECK(data_is(result(&f, 0), OX_FLOAT, d + 3, 36));
    CHECK(dims_are(result(&f, 1), 2, DIMS(2, 1)));
    CHECK(data_is(result(&f, 1), OX_FLOAT, F32S(4, 7), 8));
    fx_free(&f);
}

static void test_slice_input_form(void)
{
    fx f;
    fx_init(&f);
    static const float d[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    ox_value *w = param(&f, "w", OX_FLOAT, 2, DIMS(4, 3), d);
    ox_node *s = op(&f, "onnx::Slice", w, cst(&f, i64_1d(&f, 2, I64S(1, 0))), cst(&f, i64_1d(&f, 2, I64S(3, 2))));
    ox_node_add_input(s, cst(&f, i64_1d(&f, 2, I64S(0, 1))));
    ox_node_add_input(s, cst(&f, i64_1d(&f, 2, I64S(1, 1))));
    out(&f, s->outputs[0]);
    CHECK(fold(&f, 11));
    ox_value *o = ox_block_output(f.g->top, 0);
    CHECK(ox_value_is_graph_input(o) && o->init);
    CHECK(dims_are(o->init, 2, DIMS(2, 2)));
    CHECK(data_is(o->init, OX_FLOAT, F32S(3, 4, 6, 7), 16));
    CHECK_EQ_INT(nnodes(&f), 0);
    fx_free(&f);

    /* steps other than 1 are not folded */
    fx_init(&f);
    ox_node *t = op(&f, "onnx::Slice", cst(&f, i64_1d(&f, 4, I64S(1, 2, 3, 4))), cst(&f, i64_1d(&f, 1, I64S(0))),
                    cst(&f, i64_1d(&f, 1, I64S(4))));
    ox_node_add_input(t, cst(&f, i64_1d(&f, 1, I64S(0))));
    ox_node_add_input(t, cst(&f, i64_1d(&f, 1, I64S(2))));
    out(&f, t->outputs[0]);
    CHECK(!fold(&f, 13));
    CHECK_EQ_INT(count(&f, "onnx::Slice"), 1);
    fx_free(&f);

    /* omitted (None) axes with one entry: axis 0 */
    fx_init(&f);
    ox_node *u = op(&f, "onnx::Slice", cst(&f, i64_1d(&f, 4, I64S(1, 2, 3, 4))), cst(&f, i64_1d(&f, 1, I64S(-3))),
                    cst(&f, i64_1d(&f, 1, I64S(-1))));
    ox_node_add_input(u, none(&f));
    out(&f, u->outputs[0]);
    CHECK(fold(&f, 13));
    CHECK(data_is(result(&f, 0), OX_INT64, I64S(2, 3), 16));
    CHECK_EQ_INT(nnodes(&f), 1); /* the None constant went too */
    fx_free(&f);

    /* a start past the end: torch does not fold */
    fx_init(&f);
    out(&f, op(&f, "onnx::Slice", cst(&f, i64_1d(&f, 2, I64S(1, 2))), cst(&f, i64_1d(&f, 1, I64S(5))),
               cst(&f, i64_1d(&f, 1, I64S(9))))->outputs[0]);
    CHECK(!fold(&f, 13));
    fx_free(&f);
}

static void test_reshape_zero_and_minus_one(void)
{
    fx f;
    fx_init(&f);
    static float d[24];
    for (int i = 0; i < 24; i++) d[i] = (float)i * 0.5f;
    ox_value *w = param(&f, "w", OX_FLOAT, 3, DIMS(2, 3, 4), d);
    out(&f, op2(&f, "onnx::Reshape", w, cst(&f, i64_1d(&f, 2, I64S(0, -1)))));
    CHECK(fold(&f, 13));
    ox_value *o = ox_block_output(f.g->top, 0);
    CHECK(o->init && ox_value_is_graph_input(o));
    CHECK(dims_are(o->init, 2, DIMS(2, 12)));
    CHECK(type_is(o, OX_FLOAT, 2, DIMS(2, 12)));
    CHECK(data_is(o->init, OX_FLOAT, d, sizeof d));
    CHECK(w->init->rank == 3 && w->init->dims[2] == 4); /* the parameter is untouched */
    fx_free(&f);

    fx_init(&f);
    ox_value *c = cst(&f, i64(&f, 3, DIMS(2, 3, 4), NULL));
    out(&f, op2(&f, "onnx::Reshape", c, cst(&f, i64_1d(&f, 3, I64S(-1, 0, 2)))));
    out(&f, op2(&f, "onnx::Reshape", c, cst(&f, i64_1d(&f, 2, I64S(-1, -1)))));
    out(&f, op2(&f, "onnx::Reshape", c, cst(&f, i64_1d(&f, 2, I64S(5, -1)))));
    CHECK(fold(&f, 13));
    CHECK(dims_are(result(&f, 0), 3, DIMS(4, 3, 2)));
    CHECK_EQ_INT(count(&f, "onnx::Reshape"), 2);
    fx_free(&f);
}

static void test_cast_float_to_int64(void)
{
    fx f;
    fx_init(&f);
    ox_node *c = op(&f, "onnx::Cast", cst(&f, f32(&f, 1, DIMS(5), F32S(1.7f, -1.7f, 2.5f, -0.5f, 1e10f))), NULL, NULL);
    ox_node_set_i(c, "to", OX_INT64);
    ox_node *b = op(&f, "onnx::Cast", cst(&f, i64_1d(&f, 3, I64S(0, 2, -1))), NULL, NULL);
    ox_node_set_i(b, "to", OX_BOOL);
    ox_node *h = op(&f, "onnx::Cast", cst(&f, i64_1d(&f, 2, I64S(16777217, 3))), NULL, NULL);
    ox_node_set_i(h, "to", OX_FLOAT);
    out(&f, c->outputs[0]);
    out(&f, b->outputs[0]);
    out(&f, h->outputs[0]);
    CHECK(fold(&f, 13));
    CHECK(data_is(result(&f, 0), OX_INT64, I64S(1, -1, 2, 0, 10000000000), 40));
    CHECK(type_is(ox_block_output(f.g->top, 0), OX_INT64, 1, DIMS(5)));
    const uint8_t want_b[3] = {0, 1, 1};
    CHECK(data_is(result(&f, 1), OX_BOOL, want_b, 3));
    CHECK(data_is(result(&f, 2), OX_FLOAT, F32S(16777216.0f, 3.0f), 8));
    fx_free(&f);

    /* NaN has no integer value */
    fx_init(&f);
    ox_node *n = op(&f, "onnx::Cast", cst(&f, f32(&f, 1, DIMS(1), F32S(NAN))), NULL, NULL);
    ox_node_set_i(n, "to", OX_INT32);
    out(&f, n->outputs[0]);
    CHECK(!fold(&f, 13));
    fx_free(&f);
}

static void test_shape_of_constant_and_chain(void)
{
    fx f;
    fx_init(&f);
    ox_value *c = cst(&f, f32(&f, 3, DIMS(2, 3, 4), NULL));
    ox_value *shape = op1(&f, "onnx::Shape", c);
    out(&f, shape);
    ox_value *g = op2(&f, "onnx::Gather", shape, cst(&f, i64(&f, 0, NULL, I64S(1))));
    ox_value *u = op2(&f, "onnx::Unsqueeze", g, cst(&f, i64_1d(&f, 1, I64S(0))));
    ox_node *cat = op(&f, "onnx::Concat", cst(&f, i64_1d(&f, 1, I64S(-1))), u, NULL);
    ox_node_set_i(cat, "axis", 0);
    out(&f, cat->outputs[0]);
    out(&f, op1(&f, "onnx::Size", c));
    CHECK(fold(&f, 13));
    CHECK(data_is(result(&f, 0), OX_INT64, I64S(2, 3, 4), 24));
    CHECK(dims_are(result(&f, 0), 1, DIMS(3)));
    CHECK(data_is(result(&f, 1), OX_INT64, I64S(-1, 3), 16));
    CHECK(dims_are(result(&f, 2), 0, NULL));
    CHECK(data_is(result(&f, 2), OX_INT64, I64S(24), 8));
    CHECK_EQ_INT(nnodes(&f), 3);
    CHECK_EQ_INT(count(&f, "onnx::Constant"), 3);
    fx_free(&f);
}

static void test_param_chain_one_run(void)
{
    fx f;
    fx_init(&f);
    static const float w[6] = {1, 2, 3, 4, 5, 6};
    ox_value *x = input(&f, "x", OX_FLOAT, 3, DIMS(1, 3, 2));
    ox_value *W = param(&f, "w", OX_FLOAT, 2, DIMS(2, 3), w);
    ox_node *t = op(&f, "onnx::Transpose", W, NULL, NULL);
    ox_node_set_is(t, "perm", I64S(1, 0), 2);
    ox_value *u = op2(&f, "onnx::Unsqueeze", t->outputs[0], cst(&f, i64_1d(&f, 1, I64S(0))));
    ox_value *m = op2(&f, "onnx::Mul", u, cst(&f, f32(&f, 0, NULL, F32S(2.0f))));
    ox_node *add = op(&f, "onnx::Add", x, m, NULL);
    out(&f, add->outputs[0]);
    bool changed = false;
    CHECK_EQ_INT(ox_pass_constant_fold(f.g, 13, &changed), OX_OK);
    CHECK(changed);
    CHECK_EQ_INT(nnodes(&f), 1);
    CHECK(ox_block_first(f.g->top) == add);
    ox_value *in1 = add->inputs[1];
    CHECK(ox_value_is_graph_input(in1) && in1->init && in1->name == NULL);
    CHECK(dims_are(in1->init, 3, DIMS(1, 3, 2)));
    CHECK(data_is(in1->init, OX_FLOAT, F32S(2, 8, 4, 10, 6, 12), 24));
    /* x, w, then one new input per fold (the intermediate ones unused) */
    CHECK_EQ_INT(ox_block_ninputs(f.g->top), 5);
    CHECK(ox_block_input(f.g->top, 4) == in1);
    CHECK_EQ_INT(ox_block_input(f.g->top, 2)->nuses, 0);
    CHECK_EQ_INT(ox_block_input(f.g->top, 3)->nuses, 0);
    /* a second run finds nothing */
    CHECK(!fold(&f, 13));
    fx_free(&f);
}

static void test_not_foldable_untouched(void)
{
    fx f;
    fx_init(&f);
    ox_value *x = input(&f, "x", OX_FLOAT, 1, DIMS(3));
    ox_value *c = cst(&f, f32(&f, 1, DIMS(3), F32S(1, 2, 3)));
    ox_node *add = op(&f, "onnx::Add", x, c, NULL);
    ox_node *relu = op(&f, "onnx::Relu", c, NULL, NULL); /* not a foldable kind */
    ox_node *two = ox_node_new(f.g, "onnx::Split", 2);  /* two outputs */
    ox_node_add_input(two, c);
    ox_block_append(f.g->top, two);
    out(&f, add->outputs[0]);
    out(&f, relu->outputs[0]);
    out(&f, two->outputs[0]);
    out(&f, two->outputs[1]);
    CHECK(!fold(&f, 13));
    CHECK_EQ_INT(nnodes(&f), 4);
    CHECK(add->inputs[0] == x && add->inputs[1] == c);
    CHECK_EQ_INT(ox_block_ninputs(f.g->top), 1);
    fx_free(&f);

    /* nothing happens before opset 9 */
    fx_init(&f);
    out(&f, op2(&f, "onnx::Add", cst(&f, i64_1d(&f, 1, I64S(1))), cst(&f, i64_1d(&f, 1, I64S(2)))));
    CHECK(!fold(&f, 8));
    CHECK_EQ_INT(count(&f, "onnx::Add"), 1);
    fx_free(&f);
}

static void test_output_name_kept(void)
{
    fx f;
    fx_init(&f);
    ox_value *a = op2(&f, "onnx::Add", cst(&f, i64_1d(&f, 1, I64S(1))), cst(&f, i64_1d(&f, 1, I64S(2))));
    ox_value_set_name(a, "out");
    out(&f, a);
    ox_value *b = op2(&f, "onnx::Add", cst(&f, i64_1d(&f, 1, I64S(1))), cst(&f, i64_1d(&f, 1, I64S(2))));
    ox_value_set_name(b, "17"); /* a numeric name is no real name */
    out(&f, b);
    /* an intermediate value's name goes with the folded node */
    static const float w[2] = {1, 2};
    ox_value *x = input(&f, "x", OX_FLOAT, 1, DIMS(2));
    ox_value *n = op2(&f, "onnx::Mul", param(&f, "w", OX_FLOAT, 1, DIMS(2), w), cst(&f, f32(&f, 0, NULL, F32S(2))));
    ox_value_set_name(n, "input.3");
    out(&f, op2(&f, "onnx::Add", x, n));
    CHECK(fold(&f, 13));
    CHECK_STR(ox_block_output(f.g->top, 0)->name, "out");
    CHECK(!ox_value_has_name(ox_block_output(f.g->top, 1)));
    ox_value *folded = ox_block_input(f.g->top, 2);
    CHECK(folded->init && folded->name == NULL);
    fx_free(&f);
}

static void test_bit_exact_float_ops(void)
{
    fx f;
    fx_init(&f);
    enum { N = 64 };
    float a[N], b[N];
    uint32_t seed = 12345;
    for (int i = 0; i < N; i++) {
        uint32_t bits;
        seed = seed * 1103515245u + 12345u;
        bits = (seed & 0x807fffffu) | ((100u + (seed >> 24) % 55u) << 23);
        memcpy(&a[i], &bits, 4);
        seed = seed * 1103515245u + 12345u;
        bits = (seed & 0x807fffffu) | ((100u + (seed >> 24) % 55u) << 23);
        memcpy(&b[i], &bits, 4);
    }
    ox_value *va = cst(&f, f32(&f, 1, DIMS(N), a)), *vb = cst(&f, f32(&f, 1, DIMS(N), b));
    const char *kinds[4] = {"onnx::Add", "onnx::Sub", "onnx::Mul", "onnx::Div"};
    for (int k = 0; k < 4; k++) out(&f, op2(&f, kinds[k], va, vb));
    ox_value *abs = cst(&f, f32(&f, 1, DIMS(N), a));
    for (int i = 0; i < N; i++) ((float *)ox_value_const_tensor(abs)->data)[i] = fabsf(a[i]);
    out(&f, op1(&f, "onnx::Sqrt", abs));
    out(&f, op1(&f, "onnx::Neg", va));
    CHECK(fold(&f, 13));
    float want[6][N];
    for (int i = 0; i < N; i++) {
        volatile float x = a[i], y = b[i];
        want[0][i] = x + y;
        want[1][i] = x - y;
        want[2][i] = x * y;
        want[3][i] = x / y;
        want[4][i] = sqrtf(fabsf(x));
        want[5][i] = -x;
    }
    for (int k = 0; k < 6; k++) CHECK(data_is(result(&f, k), OX_FLOAT, want[k], sizeof want[k]));
    fx_free(&f);

    /* float16: computed in float, rounded once (ties to even) */
    fx_init(&f);
    const uint16_t ha[2] = {0x3C00, 0x3C00}, hb[2] = {0x1000, 0x1200}; /* 1 + 2^-11, 1 + 3*2^-12 */
    out(&f, op2(&f, "onnx::Add", cst(&f, tens(&f, OX_FLOAT16, 1, DIMS(2), ha)), cst(&f, tens(&f, OX_FLOAT16, 1, DIMS(2), hb))));
    CHECK(fold(&f, 13));
    const uint16_t hw[2] = {0x3C00, 0x3C01};
    CHECK(data_is(result(&f, 0), OX_FLOAT16, hw, 4));
    fx_free(&f);
}

static void test_compare_where_and_unary(void)
{
    fx f;
    fx_init(&f);
    ox_value *a = cst(&f, i64_1d(&f, 4, I64S(1, 5, 3, 0)));
    ox_value *b = cst(&f, i64(&f, 0, NULL, I64S(3)));
    ox_value *eq = op2(&f, "onnx::Equal", a, b);
    ox_value *gt = op2(&f, "onnx::Greater", a, b);
    ox_value *lt = op2(&f, "onnx::Less", a, b);
    out(&f, eq);
    out(&f, gt);
    out(&f, lt);
    out(&f, op(&f, "onnx::Where", gt, a, cst(&f, i64_1d(&f, 1, I64S(-9))))->outputs[0]);
    out(&f, op1(&f, "onnx::Not", lt));
    out(&f, op1(&f, "onnx::Neg", a));
    CHECK(fold(&f, 13));
    const uint8_t e[4] = {0, 0, 1, 0}, g[4] = {0, 1, 0, 0}, l[4] = {1, 0, 0, 1}, nl[4] = {0, 1, 1, 0};
    CHECK(data_is(result(&f, 0), OX_BOOL, e, 4));
    CHECK(data_is(result(&f, 1), OX_BOOL, g, 4));
    CHECK(data_is(result(&f, 2), OX_BOOL, l, 4));
    CHECK(data_is(result(&f, 3), OX_INT64, I64S(-9, 5, -9, -9), 32));
    CHECK(data_is(result(&f, 4), OX_BOOL, nl, 4));
    CHECK(data_is(result(&f, 5), OX_INT64, I64S(-1, -5, -3, 0), 32));
    CHECK_EQ_INT(nnodes(&f), 6);
    fx_free(&f);
}

static void test_type_promotion(void)
{
    fx f;
    fx_init(&f);
    /* int64 tensor * 0-d float: float wins over int (zero-dim of a higher category) */
    out(&f, op2(&f, "onnx::Mul", cst(&f, i64_1d(&f, 2, I64S(3, 4))), cst(&f, f32(&f, 0, NULL, F32S(0.5f)))));
    /* float tensor + 0-d double: the dimensioned float decides */
    const double dv = 0.1;
    out(&f, op2(&f, "onnx::Add", cst(&f, f32(&f, 1, DIMS(1), F32S(1.0f))), cst(&f, tens(&f, OX_DOUBLE, 0, NULL, &dv))));
    CHECK(fold(&f, 13));
    CHECK(data_is(result(&f, 0), OX_FLOAT, F32S(1.5f, 2.0f), 8));
    volatile float one = 1.0f, tenth = (float)0.1;
    CHECK(data_is(result(&f, 1), OX_FLOAT, F32S(one + tenth), 4));
    fx_free(&f);
}

static void test_range_reduce_softmax(void)
{
    fx f;
    fx_init(&f);
    out(&f, op(&f, "onnx::Range", cst(&f, i64(&f, 0, NULL, I64S(2))), cst(&f, i64(&f, 0, NULL, I64S(11))),
               cst(&f, i64(&f, 0, NULL, I64S(3))))->outputs[0]);
    out(&f, op(&f, "onnx::Range", cst(&f, f32(&f, 0, NULL, F32S(1.0f))), cst(&f, f32(&f, 0, NULL, F32S(0.0f))),
               cst(&f, f32(&f, 0, NULL, F32S(-0.25f))))->outputs[0]);
    ox_value *m = cst(&f, f32(&f, 2, DIMS(2, 3), F32S(1, 2, 3, 4, 5, 6)));
    ox_node *p = op(&f, "onnx::ReduceProd", m, NULL, NULL);
    ox_node_set_is(p, "axes", I64S(1), 1);
    ox_node_set_i(p, "keepdims", 0);
    ox_node *l2 = op(&f, "onnx::ReduceL2", cst(&f, f32(&f, 2, DIMS(2, 2), F32S(3, 4, 6, 8))), NULL, NULL);
    ox_node_set_is(l2, "axes", I64S(-1), 1);
    ox_node_set_i(l2, "keepdims", 1);
    ox_node *l1 = op(&f, "onnx::ReduceL1", cst(&f, f32(&f, 2, DIMS(2, 2), F32S(-3, 4, 6, -8))), NULL, NULL);
    ox_node_set_is(l1, "axes", I64S(0), 1);
    ox_node_set_i(l1, "keepdims", 0);
    ox_node *sm = op(&f, "onnx::Softmax", cst(&f, f32(&f, 2, DIMS(1, 2), F32S(0, 0))), NULL, NULL);
    ox_node *pall = op(&f, "onnx::ReduceProd", cst(&f, i64(&f, 2, DIMS(2, 2), I64S(2, 3, 4, 5))), NULL, NULL);
    out(&f, p->outputs[0]);
    out(&f, l2->outputs[0]);
    out(&f, l1->outputs[0]);
    out(&f, sm->outputs[0]);
    out(&f, pall->outputs[0]);
    CHECK(fold(&f, 13));
    CHECK(data_is(result(&f, 0), OX_INT64, I64S(2, 5, 8), 24));
    CHECK(data_is(result(&f, 1), OX_FLOAT, F32S(1.0f, 0.75f, 0.5f, 0.25f), 16));
    CHECK(dims_are(result(&f, 2), 1, DIMS(2)));
    CHECK(data_is(result(&f, 2), OX_FLOAT, F32S(6, 120), 8));
    CHECK(dims_are(result(&f, 3), 2, DIMS(2, 1)));
    CHECK(data_is(result(&f, 3), OX_FLOAT, F32S(5, 10), 8));
    CHECK(data_is(result(&f, 4), OX_FLOAT, F32S(9, 12), 8));
    CHECK(data_is(result(&f, 5), OX_FLOAT, F32S(0.5f, 0.5f), 8));
    CHECK(dims_are(result(&f, 6), 2, DIMS(1, 1))); /* keepdims defaults to 1 */
    CHECK(data_is(result(&f, 6), OX_INT64, I64S(120), 8));
    fx_free(&f);

    /* ReduceProd with an empty axes list reduces everything */
    fx_init(&f);
    ox_node *pe = op(&f, "onnx::ReduceProd", cst(&f, i64(&f, 2, DIMS(2, 2), I64S(2, 3, 4, 5))), NULL, NULL);
    ox_node_set_is(pe, "axes", NULL, 0);
    ox_node_set_i(pe, "keepdims", 0);
    out(&f, pe->outputs[0]);
    CHECK(fold(&f, 13));
    CHECK(dims_are(result(&f, 0), 0, NULL));
    CHECK(data_is(result(&f, 0), OX_INT64, I64S(120), 8));
    fx_free(&f);

    /* ReduceL2 without keepdims: torch needs both attributes */
    fx_init(&f);
    ox_node *r = op(&f, "onnx::ReduceL2", cst(&f, f32(&f, 1, DIMS(2), F32S(3, 4))), NULL, NULL);
    ox_node_set_is(r, "axes", I64S(0), 1);
    out(&f, r->outputs[0]);
    CHECK(!fold(&f, 13));
    fx_free(&f);
}

static void test_mixed_param_and_constant(void)
{
    fx f;
    fx_init(&f);
    static const float w[3] = {1, 2, 3};
    ox_value *x = input(&f, "x", OX_FLOAT, 1, DIMS(3));
    ox_value *W = param(&f, "w", OX_FLOAT, 1, DIMS(3), w);
    ox_value *c = cst(&f, f32(&f, 0, NULL, F32S(10)));
    ox_value *m = op2(&f, "onnx::Mul", W, c);
    ox_value *n2 = op2(&f, "onnx::Add", c, c); /* uses c twice: c stays until this folds */
    out(&f, op2(&f, "onnx::Add", x, m));
    out(&f, op2(&f, "onnx::Sub", x, n2));
    CHECK(fold(&f, 13));
    CHECK_EQ_INT(count(&f, "onnx::Mul"), 0);
    CHECK_EQ_INT(count(&f, "onnx::Constant"), 1); /* c gone, the Add(c, c) result is a constant */
    ox_value *mi = ox_block_input(f.g->top, 2);
    CHECK(mi->init && data_is(mi->init, OX_FLOAT, F32S(10, 20, 30), 12));
    ox_node *k = ox_block_first(f.g->top);
    CHECK(ox_node_is(k, "onnx::Constant"));
    CHECK(data_is(ox_value_const_tensor(k->outputs[0]), OX_FLOAT, F32S(20), 4));
    fx_free(&f);
}

static void test_bad_inputs_not_folded(void)
{
    fx f;
    fx_init(&f);
    ox_value *c = cst(&f, i64(&f, 2, DIMS(2, 2), I64S(1, 2, 3, 4)));
    ox_node *t = op(&f, "onnx::Transpose", c, NULL, NULL);
    ox_node_set_is(t, "perm", I64S(0, 0), 2);
    ox_node *t2 = op(&f, "onnx::Transpose", c, NULL, NULL);
    ox_node_set_is(t2, "perm", I64S(0, 1, 2), 3);
    ox_node *cat = op(&f, "onnx::Concat", c, cst(&f, i64_1d(&f, 2, I64S(1, 2))), NULL);
    ox_node_set_i(cat, "axis", 0);
    ox_node *cat2 = op(&f, "onnx::Concat", c, c, NULL);
    ox_node_set_i(cat2, "axis", 2);
    ox_node *cast = op(&f, "onnx::Cast", c, NULL, NULL);
    ox_node_set_i(cast, "to", 8); /* string */
    ox_node *un = op(&f, "onnx::Unsqueeze", c, NULL, NULL);
    ox_node_set_s(un, "axes", "0");                       /* wrong attribute kind */
    /* a constant whose byte count disagrees with its shape */
    ox_tensor *bad = i64_1d(&f, 2, I64S(1, 2));
    bad->nbytes = 8;
    ox_value *neg = op1(&f, "onnx::Neg", cst(&f, bad));
    ox_value *rs = op2(&f, "onnx::Reshape", c, cst(&f, f32(&f, 1, DIMS(1), F32S(4))));
    ox_value *rg = op(&f, "onnx::Range", cst(&f, i64(&f, 0, NULL, I64S(0))), cst(&f, i64(&f, 0, NULL, I64S(5))),
                      cst(&f, i64(&f, 0, NULL, I64S(0))))->outputs[0];
    ox_value *rg2 = op(&f, "onnx::Range", cst(&f, i64(&f, 0, NULL, I64S(0))), cst(&f, i64(&f, 0, NULL, I64S(INT64_MIN))),
                       cst(&f, i64(&f, 0, NULL, I64S(-1))))->outputs[0];
    ox_value *sub = op2(&f, "onnx::Sub", cst(&f, tens(&f, OX_BOOL, 1, DIMS(1), "\1")), cst(&f, tens(&f, OX_BOOL, 1, DIMS(1), "\1")));
    ox_value *unk = op2(&f, "onnx::Add", c, none(&f));
    ox_value *str = op1(&f, "onnx::Shape", cst(&f, tens(&f, OX_STRING, 1, DIMS(1), NULL)));
    ox_value *outs[] = {t->outputs[0], t2->outputs[0], cat->outputs[0], cat2->outputs[0], cast->outputs[0],
                        un->outputs[0], neg, rs, rg, rg2, sub, unk, str};
    int n = (int)(sizeof outs / sizeof outs[0]);
    for (int i = 0; i < n; i++) out(&f, outs[i]);
    int before = nnodes(&f);
    CHECK(!fold(&f, 13));
    CHECK_EQ_INT(nnodes(&f), before);
    CHECK_EQ_INT(f.ctx.status, OX_OK);
    fx_free(&f);
}

static void test_softmax_old_opset(void)
{
    fx f;
    fx_init(&f);
    /* rank 3, no axis, opset 11: normalized over dims 1..2 together */
    out(&f, op1(&f, "onnx::Softmax", cst(&f, f32(&f, 3, DIMS(2, 2, 2), F32S(0, 0, 0, 0, 1, 1, 1, 1)))));
    CHECK(fold(&f, 11));
    CHECK(data_is(result(&f, 0), OX_FLOAT, F32S(0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f), 32));
    fx_free(&f);

    /* opset 13: along the last axis */
    fx_init(&f);
    out(&f, op1(&f, "onnx::Softmax", cst(&f, f32(&f, 3, DIMS(1, 2, 2), F32S(0, 0, 0, 0)))));
    CHECK(fold(&f, 13));
    CHECK(data_is(result(&f, 0), OX_FLOAT, F32S(0.5f, 0.5f, 0.5f, 0.5f), 16));
    fx_free(&f);
}

static void test_shape_start_end_and_slice_default_axes(void)
{
    fx f;
    fx_init(&f);
    ox_value *c = cst(&f, f32(&f, 4, DIMS(2, 3, 4, 5), NULL));
    ox_node *sh = op(&f, "onnx::Shape", c, NULL, NULL);
    ox_node_set_i(sh, "start", 1);
    ox_node_set_i(sh, "end", -1);
    out(&f, sh->outputs[0]);
    ox_node *sh2 = op(&f, "onnx::Shape", c, NULL, NULL);
    ox_node_set_i(sh2, "start", -10);
    out(&f, sh2->outputs[0]);
    /* Slice without axes: entry i applies to axis i */
    static const float d[6] = {0, 1, 2, 3, 4, 5};
    out(&f, op(&f, "onnx::Slice", cst(&f, f32(&f, 2, DIMS(2, 3), d)), cst(&f, i64_1d(&f, 2, I64S(1, 1))),
               cst(&f, i64_1d(&f, 2, I64S(2, 3))))->outputs[0]);
    CHECK(fold(&f, 15));
    CHECK(data_is(result(&f, 0), OX_INT64, I64S(3, 4), 16));
    CHECK(data_is(result(&f, 1), OX_INT64, I64S(2, 3, 4, 5), 32));
    CHECK(dims_are(result(&f, 2), 2, DIMS(1, 2)));
    CHECK(data_is(result(&f, 2), OX_FLOAT, F32S(4, 5), 8));
    fx_free(&f);
}

/* ConstantOfShape of a constant shape becomes a Constant filled with the
 * `value` attribute (float 0 without one); a dynamic shape stays. */
static void test_constant_of_shape(void)
{
    fx f;
    fx_init(&f);
    ox_node *filled = op(&f, "onnx::ConstantOfShape", cst(&f, i64_1d(&f, 2, I64S(2, 3))), NULL, NULL);
    ox_node_set_t(filled, "value", i64(&f, 1, DIMS(1), I64S(7)));
    out(&f, filled->outputs[0]);
    ox_value *zeros = op1(&f, "onnx::ConstantOfShape", cst(&f, i64_1d(&f, 1, I64S(4))));
    out(&f, zeros);
    ox_value *x = input(&f, "x", OX_FLOAT, 2, DIMS(OX_DIM_UNKNOWN, 2)); /* a dynamic size */
    out(&f, op1(&f, "onnx::ConstantOfShape", op1(&f, "onnx::Shape", x)));
    CHECK(fold(&f, 13));
    CHECK(data_is(result(&f, 0), OX_INT64, I64S(7, 7, 7, 7, 7, 7), 48));
    CHECK(dims_are(result(&f, 0), 2, DIMS(2, 3)));
    CHECK(data_is(result(&f, 1), OX_FLOAT, F32S(0, 0, 0, 0), 16));
    CHECK_EQ_INT(count(&f, "onnx::ConstantOfShape"), 1); /* the shape of a dynamic input is not known */
    fx_free(&f);
}

static const ox_test_case tests[] = {
    {"constant_of_shape", test_constant_of_shape},
    {"transpose_param_becomes_initializer", test_transpose_param_becomes_initializer},
    {"transpose_default_perm_not_folded", test_transpose_default_perm_not_folded},
    {"unsqueeze_attribute_form", test_unsqueeze_attribute_form},
    {"unsqueeze_input_form", test_unsqueeze_input_form},
    {"unsqueeze_negative_axes", test_unsqueeze_negative_axes},
    {"squeeze_forms", test_squeeze_forms},
    {"concat_of_constants", test_concat_of_constants},
    {"concat_axis1", test_concat_axis1},
    {"binary_float_broadcast", test_binary_float_broadcast},
    {"binary_int64", test_binary_int64},
    {"div_int_truncates", test_div_int_truncates},
    {"gather_negative_index", test_gather_negative_index},
    {"slice_attribute_form", test_slice_attribute_form},
    {"slice_input_form", test_slice_input_form},
    {"reshape_zero_and_minus_one", test_reshape_zero_and_minus_one},
    {"cast_float_to_int64", test_cast_float_to_int64},
    {"shape_of_constant_and_chain", test_shape_of_constant_and_chain},
    {"param_chain_one_run", test_param_chain_one_run},
    {"not_foldable_untouched", test_not_foldable_untouched},
    {"output_name_kept", test_output_name_kept},
    {"bit_exact_float_ops", test_bit_exact_float_ops},
    {"compare_where_and_unary", test_compare_where_and_unary},
    {"type_promotion", test_type_promotion},
    {"range_reduce_softmax", test_range_reduce_softmax},
    {"mixed_param_and_constant", test_mixed_param_and_constant},
    {"bad_inputs_not_folded", test_bad_inputs_not_folded},
    {"softmax_old_opset", test_softmax_old_opset},
    {"shape_start_end_and_slice_default_axes", test_shape_start_end_and_slice_default_axes},
};

OX_TEST_MAIN(tests)
