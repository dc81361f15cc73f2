/* The eval peephole (src/passes/eval_peephole.c): Conv + BatchNormalization
 * fusion. Numeric checks compare the folded parameters with a hand
 * computation (exact values, and float arithmetic as torch's tensor ops do
 * it); structural checks cover the new Conv, its new graph inputs and every
 * reason not to fuse. */
#include <math.h>
#include <stdlib.h>

#include "graph_util.h"
#include "test.h"

/* ---- building ONNX graphs directly -------------------------------------- */

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

static ox_tensor *tensor(fx *f, ox_dtype dt, int rank, const int64_t *dims, const double *vals)
{
    ox_tensor *t = ox_tensor_alloc(f->arena, dt, rank, dims);
    for (int64_t i = 0; t && i < ox_tensor_numel(t); i++) ox_tensor_set_f(t, i, vals[i]);
    return t;
}

/* A graph input; a parameter (initializer) when t is given. */
static ox_value *input(fx *f, const char *name, ox_dtype dt, int rank, const int64_t *dims, ox_tensor *t)
{
    ox_value *v = ox_block_add_input(f->g->top, name, ox_type_tensor(f->arena, dt, rank, dims));
    v->init = t;
    return v;
}

static ox_value *param1d(fx *f, const char *name, const double *vals, int64_t n)
{
    return input(f, name, OX_FLOAT, 1, &n, tensor(f, OX_FLOAT, 1, &n, vals));
}

static ox_node *node(fx *f, const char *kind, int nout, int nin, ox_value *const *ins)
{
    ox_node *n = ox_node_new(f->g, kind, nout);
    for (int i = 0; i < nin; i++) ox_node_add_input(n, ins[i]);
    ox_block_append(f->g->top, n);
    return n;
}

/* x[1,2,3,3] -> Conv(W[2,1,1,2], b?) -> BN(scale, beta, mean, var) -> output "y".
 * Channel 0: var 3, eps 1 -> s = 4 / 2 = 2; channel 1: var 0 -> s = 0.5 / 1. */
typedef struct conv_bn {
    ox_value *x, *w, *b, *scale, *beta, *mean, *var;
    ox_node *conv, *bn;
} conv_bn;

static void build_conv_bn(fx *f, conv_bn *m, bool with_bias, int bn_outputs)
{
    int64_t xd[4] = {1, 2, 3, 3}, wd[4] = {2, 1, 1, 2};
    static const double w[4] = {1, -2, 4, 6}, b[2] = {1, 2}, scale[2] = {4, 0.5}, beta[2] = {10, 20},
                        mean[2] = {3, -2}, var[2] = {3, 0};
    m->x = input(f, "x", OX_FLOAT, 4, xd, NULL);
    m->w = input(f, "conv.weight", OX_FLOAT, 4, wd, tensor(f, OX_FLOAT, 4, wd, w));
    m->b = with_bias ? param1d(f, "conv.bias", b, 2) : NULL;
    m->scale = param1d(f, "bn.weight", scale, 2);
    m->beta = param1d(f, "bn.bias", beta, 2);
    m->mean = param1d(f, "bn.running_mean", mean, 2);
    m->var = param1d(f, "bn.running_var", var, 2);
    ox_value *cin[3] = {m->x, m->w, m->b};
    m->conv = node(f, "onnx::Conv", 1, with_bias ? 3 : 2, cin);
    static const int64_t ks[2] = {1, 2}, pads[4] = {0, 0, 0, 0}, strides[2] = {1, 1};
    ox_node_set_is(m->conv, "kernel_shape", ks, 2);
    ox_node_set_i(m->conv, "group", 2);
    ox_node_set_is(m->conv, "pads", pads, 4);
    ox_node_set_is(m->conv, "strides", strides, 2);
    m->conv->scope = "M::/torch.nn.modules.conv.Conv2d::conv";
    m->conv->source = "m.py:3";
    ox_value *bin[5] = {m->conv->outputs[0], m->scale, m->beta, m->mean, m->var};
    m->bn = node(f, "onnx::BatchNormalization", bn_outputs, 5, bin);
    ox_node_set_f(m->bn, "epsilon", 1.0);
    ox_node_set_f(m->bn, "momentum", 0.9);
    int64_t yd[4] = {1, 2, 3, 2};
    m->bn->outputs[0]->type = ox_type_tensor(f->arena, OX_FLOAT, 4, yd);
    ox_value_set_name(m->bn->outputs[0], "y");
    ox_block_add_output(f->g->top, m->bn->outputs[0]);
}

static bool run(fx *f)
{
    bool changed = false;
    CHECK(ox_pass_eval_peephole(f->g, 13, &changed) == OX_OK);
    return changed;
}

static void check_values(const ox_tensor *t, const double *expect, int n)
{
    CHECK(t != NULL);
    if (!t) return;
    CHECK_EQ_INT(ox_tensor_numel(t), n);
    for (int i = 0; i < n && i < ox_tensor_numel(t); i++) {
        if (ox_tensor_get_f(t, i) != expect[i]) {
            fprintf(stderr, "  value %d: %.9g, expected %.9g\n", i, ox_tensor_get_f(t, i), expect[i]);
            CHECK(ox_tensor_get_f(t, i) == expect[i]);
        }
    }
}

static void test_fuse_with_bias(void)
{
    fx f;
    fx_init(&f);
    conv_bn m;
    build_conv_bn(&f, &m, true, 1);
    int nin = ox_block_ninputs(f.g->top);
    CHECK(run(&f));
    CHECK_EQ_INT(tg_count(f.g, "onnx::BatchNormalization"), 0);
    CHECK_EQ_INT(tg_count(f.g, "onnx::Conv"), 1);
    ox_node *c = tg_find(f.g, "onnx::Conv", 0);
    CHECK(c && c != m.conv && c->ninputs == 3);
    if (c && c->ninputs == 3) {
        CHECK(c->inputs[0] == m.x);
        /* two new, unnamed parameters appended to the graph inputs */
        CHECK_EQ_INT(ox_block_ninputs(f.g->top), nin + 2);
        CHECK(c->inputs[1] == ox_block_input(f.g->top, nin) && c->inputs[2] == ox_block_input(f.g->top, nin + 1));
        CHECK(c->inputs[1]->name == NULL && c->inputs[2]->name == NULL);
        /* W'[i] = W[i] * s[i]: s = (2, 0.5) */
        static const double w[4] = {2, -4, 2, 3};
        check_values(c->inputs[1]->init, w, 4);
        CHECK(c->inputs[1]->init && c->inputs[1]->init->dtype == OX_FLOAT && c->inputs[1]->init->rank == 4 &&
              c->inputs[1]->init->dims[3] == 2);
        CHECK(c->inputs[1]->type->rank == 4 && c->inputs[1]->type->dims[0] == 2 &&
              c->inputs[1]->type->dtype == OX_FLOAT);
        /* b' = (b - mean) * s + beta = ((1-3)*2+10, (2+2)*0.5+20) */
        static const double b[2] = {6, 22};
        check_values(c->inputs[2]->init, b, 2);
        CHECK(c->inputs[2]->type->rank == 1 && c->inputs[2]->type->dims[0] == 2);
        /* the old Conv's attributes and metadata, the BN output's name, type and uses */
        CHECK_EQ_INT(tg_attr_i(c, "group", 0), 2);
        CHECK(c->attrs && !strcmp(c->attrs->name, "kernel_shape"));
        CHECK_STR(c->scope, "M::/torch.nn.modules.conv.Conv2d::conv");
        CHECK_STR(c->source, "m.py:3");
        CHECK_STR(c->outputs[0]->name, "y");
        CHECK(c->outputs[0]->type->rank == 4 && c->outputs[0]->type->dims[3] == 2);
        CHECK(ox_block_output(f.g->top, 0) == c->outputs[0]);
    }
    /* the old parameters stay (unused) for eliminate_unused_items */
    CHECK_EQ_INT(m.w->nuses, 0);
    CHECK_EQ_INT(m.var->nuses, 0);
    fx_free(&f);
}

static void test_fuse_without_bias(void)
{
    fx f;
    fx_init(&f);
    conv_bn m;
    build_conv_bn(&f, &m, false, 1);
    ox_value_set_name(m.bn->outputs[0], "17"); /* a numeric (unnamed) value */
    CHECK(run(&f));
    ox_node *c = tg_find(f.g, "onnx::Conv", 0);
    CHECK(c && c->ninputs == 3);
    if (c && c->ninputs == 3) {
        static const double w[4] = {2, -4, 2, 3};
        check_values(c->inputs[1]->init, w, 4);
        /* b' = beta - mean * s = (10 - 3*2, 20 + 2*0.5) */
        static const double b[2] = {4, 21};
        check_values(c->inputs[2]->init, b, 2);
        CHECK(!ox_value_has_name(c->outputs[0]));
    }
    fx_free(&f);
}

/* Realistic values: the folded parameters equal float arithmetic done op by
 * op, as torch's float tensors compute them (bit for bit). */
static void test_float_rounding(void)
{
    fx f;
    fx_init(&f);
    int64_t c3 = 3, wd[3] = {3, 2, 2};
    static const double w[12] = {0.1, -0.7, 1.3, 0.25, -2.5, 0.3, 0.9, 1.7, -0.11, 0.37, 2.9, -1.3};
    static const double b[3] = {0.05, -0.3, 1.1}, scale[3] = {0.9, 1.2, 0.33}, beta[3] = {0.1, -0.2, 0.7},
                        mean[3] = {0.31, -1.7, 0.02}, var[3] = {0.5, 2.75, 1e-3};
    const double eps = 1e-5;
    ox_value *x = input(&f, "x", OX_FLOAT, 3, (int64_t[]){1, 2, 5}, NULL);
    ox_value *wv = input(&f, "w", OX_FLOAT, 3, wd, tensor(&f, OX_FLOAT, 3, wd, w));
    ox_value *cin[3] = {x, wv, param1d(&f, "b", b, c3)};
    ox_node *conv = node(&f, "onnx::Conv", 1, 3, cin);
    ox_value *bin[5] = {conv->outputs[0], param1d(&f, "s", scale, c3), param1d(&f, "beta", beta, c3),
                        param1d(&f, "m", mean, c3), param1d(&f, "v", var, c3)};
    ox_node *bn = node(&f, "onnx::BatchNormalization", 1, 5, bin);
    ox_node_set_f(bn, "epsilon", eps);
    ox_block_add_output(f.g->top, bn->outputs[0]);
    CHECK(run(&f));

    double ew[12], eb[3];
    for (int i = 0; i < 3; i++) {
        volatile float d = (float)var[i] + (float)eps;
        d = sqrtf(d);
        volatile float s = (float)scale[i] / d;
        for (int j = 0; j < 4; j++) {
            volatile float p = (float)w[i * 4 + j] * s;
            ew[i * 4 + j] = p;
        }
        volatile float t = (float)b[i] - (float)mean[i];
        t = t * s;
        t = t + (float)beta[i];
        eb[i] = t;
    }
    ox_node *c = tg_find(f.g, "onnx::Conv", 0);
    CHECK(c && c->ninputs == 3);
    if (c && c->ninputs == 3) {
        check_values(c->inputs[1]->init, ew, 12);
        check_values(c->inputs[2]->init, eb, 3);
    }
    fx_free(&f);
}

/* BN parameters from onnx::Constant nodes count as constants too. */
static void test_constant_nodes(void)
{
    fx f;
    fx_init(&f);
    conv_bn m;
    build_conv_bn(&f, &m, false, 1);
    ox_node *k = ox_node_new(f.g, "onnx::Constant", 1);
    int64_t two = 2;
    static const double mean[2] = {0, 0};
    ox_node_set_t(k, "value", tensor(&f, OX_FLOAT, 1, &two, mean));
    ox_block_prepend(f.g->top, k);
    ox_node_set_input(m.bn, 3, k->outputs[0]);
    CHECK(run(&f));
    ox_node *c = tg_find(f.g, "onnx::Conv", 0);
    static const double b[2] = {10, 20};
    if (c && c->ninputs == 3) check_values(c->inputs[2]->init, b, 2);
    fx_free(&f);
}

static void expect_untouched(fx *f)
{
    int nin = ox_block_ninputs(f->g->top);
    CHECK(!run(f));
    CHECK_EQ_INT(tg_count(f->g, "onnx::BatchNormalization"), 1);
    CHECK_EQ_INT(ox_block_ninputs(f->g->top), nin);
}

static void test_not_fused(void)
{
    fx f;
    conv_bn m;

    /* the Conv output has another use */
    fx_init(&f);
    build_conv_bn(&f, &m, true, 1);
    ox_block_add_output(f.g->top, m.conv->outputs[0]);
    expect_untouched(&f);
    fx_free(&f);

    /* training-mode BN (several outputs) */
    fx_init(&f);
    build_conv_bn(&f, &m, true, 5);
    expect_untouched(&f);
    fx_free(&f);

    /* a BN input that is not constant (a user input) */
    fx_init(&f);
    build_conv_bn(&f, &m, true, 1);
    m.var->init = NULL;
    expect_untouched(&f);
    fx_free(&f);

    /* a Conv bias that is not constant */
    fx_init(&f);
    build_conv_bn(&f, &m, true, 1);
    m.b->init = NULL;
    expect_untouched(&f);
    fx_free(&f);

    /* BN tensors of the wrong length */
    fx_init(&f);
    build_conv_bn(&f, &m, true, 1);
    int64_t three = 3;
    static const double v3[3] = {1, 1, 1};
    m.mean->init = tensor(&f, OX_FLOAT, 1, &three, v3);
    expect_untouched(&f);
    fx_free(&f);

    /* integer weights */
    fx_init(&f);
    build_conv_bn(&f, &m, true, 1);
    int64_t wd[4] = {2, 1, 1, 2};
    static const double w[4] = {1, 2, 3, 4};
    m.w->init = tensor(&f, OX_INT64, 4, wd, w);
    expect_untouched(&f);
    fx_free(&f);

    /* a weight of rank 2 */
    fx_init(&f);
    build_conv_bn(&f, &m, true, 1);
    m.w->init = tensor(&f, OX_FLOAT, 2, wd, w);
    expect_untouched(&f);
    fx_free(&f);

    /* the Conv feeds something else */
    fx_init(&f);
    build_conv_bn(&f, &m, true, 1);
    ox_node *relu = node(&f, "onnx::Relu", 1, 1, &m.conv->outputs[0]);
    ox_node_set_input(m.bn, 0, relu->outputs[0]);
    expect_untouched(&f);
    fx_free(&f);
}

/* Conv -> BN -> BN: the new Conv is visited next and fuses again (as torch). */
static void test_chain(void)
{
    fx f;
    fx_init(&f);
    conv_bn m;
    build_conv_bn(&f, &m, true, 1);
    ox_value *bin[5] = {m.bn->outputs[0], m.scale, m.beta, m.mean, m.var};
    ox_node *bn2 = node(&f, "onnx::BatchNormalization", 1, 5, bin);
    ox_node_set_f(bn2, "epsilon", 1.0);
    ox_block_set_output(f.g->top, 0, bn2->outputs[0]);
    int nin = ox_block_ninputs(f.g->top);
    CHECK(run(&f));
    CHECK_EQ_INT(tg_count(f.g, "onnx::BatchNormalization"), 0);
    CHECK_EQ_INT(tg_count(f.g, "onnx::Conv"), 1);
    CHECK_EQ_INT(ox_block_ninputs(f.g->top), nin + 4);
    ox_node *c = tg_find(f.g, "onnx::Conv", 0);
    /* applied twice: W'' = W * s * s; b'' = (b' - mean) * s + beta */
    static const double w[4] = {4, -8, 1, 1.5}, b[2] = {(6 - 3) * 2 + 10, (22 + 2) * 0.5 + 20};
    if (c && c->ninputs == 3) {
        check_values(c->inputs[1]->init, w, 4);
        check_values(c->inputs[2]->init, b, 2);
        CHECK(ox_block_output(f.g->top, 0) == c->outputs[0]);
    }
    fx_free(&f);
}

/* ---- through the front-end and the conversion --------------------------- */

/* A safetensors blob of float32 tensors. */
typedef struct st_tensor {
    const char *name, *shape;
    int n;
    const float *data;
} st_tensor;

static uint8_t *safetensors(const st_tensor *ts, int count, size_t *len)
{
    char header[2048];
    size_t hl = 0, off = 0;
    hl += (size_t)snprintf(header + hl, sizeof header - hl, "{");
    for (int i = 0; i < count; i++) {
        hl += (size_t)snprintf(header + hl, sizeof header - hl,
                               "%s\"%s\":{\"dtype\":\"F32\",\"shape\":[%s],\"data_offsets\":[%zu,%zu]}", i ? "," : "",
                               ts[i].name, ts[i].shape, off, off + (size_t)ts[i].n * 4);
        off += (size_t)ts[i].n * 4;
    }
    hl += (size_t)snprintf(header + hl, sizeof header - hl, "}");
    *len = 8 + hl + off;
    uint8_t *b = calloc(1, *len);
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)((uint64_t)hl >> (8 * i));
    memcpy(b + 8, header, hl);
    uint8_t *p = b + 8 + hl;
    for (int i = 0; i < count; i++) {
        memcpy(p, ts[i].data, (size_t)ts[i].n * 4);
        p += ts[i].n * 4;
    }
    return b;
}

#define V(name, type) "{\"name\":\"" name "\",\"type\":" type "}"
#define P(name, type) "{\"name\":\"" name "\",\"param\":true,\"type\":" type "}"
#define NODE(kind, ins, outs) "{\"kind\":\"" kind "\",\"inputs\":[" ins "],\"outputs\":[" outs "]}"

static void test_from_aten(void)
{
    static const float w[8] = {1, -2, 4, 6, 0.5f, 0.25f, -1, 3}, b[2] = {1, 2}, s[2] = {4, 0.5f},
                       beta[2] = {10, 20}, mean[2] = {3, -2}, var[2] = {3, 0};
    st_tensor ts[] = {{"conv.weight", "2,1,2,2", 8, w}, {"conv.bias", "2", 2, b},       {"bn.weight", "2", 2, s},
                      {"bn.bias", "2", 2, beta},        {"bn.running_mean", "2", 2, mean}, {"bn.running_var", "2", 2, var}};
    size_t wlen;
    uint8_t *weights = safetensors(ts, 6, &wlen);
    const char *json = TG_JSON(
        "[" V("input.1", TG_F32("1,2,4,4")) "," P("conv.weight", TG_F32("2,1,2,2")) "," P("conv.bias", TG_F32("2"))
        "," P("bn.weight", TG_F32("2")) "," P("bn.bias", TG_F32("2")) "," P("bn.running_mean", TG_F32("2")) ","
        P("bn.running_var", TG_F32("2")) "]",
        "[" TG_CONST_INTS("s", 1, 1) "," TG_CONST_INTS("p", 0, 0) "," TG_CONST_INTS("d", 1, 1) ","
        TG_CONST_BOOL("f", 0) "," TG_CONST_INTS("op", 0, 0) "," TG_CONST_INT("g", 2) ","
        TG_CONST_FLOAT("mom", 0.1) "," TG_CONST_FLOAT("eps", 1.0) ","
        NODE("aten::_convolution", "\"input.1\",\"conv.weight\",\"conv.bias\",\"s\",\"p\",\"d\",\"f\",\"op\",\"g\","
             "\"f\",\"f\",\"f\",\"f\"", V("c", TG_F32("1,2,3,3"))) ","
        NODE("aten::batch_norm", "\"c\",\"bn.weight\",\"bn.bias\",\"bn.running_mean\",\"bn.running_var\",\"f\","
             "\"mom\",\"eps\",\"f\"", V("y", TG_F32("1,2,3,3"))) "]",
        "[\"y\"]");
    tg t;
    tg_init(&t);
    ox_export_settings s13 = tg_settings(13, false);
    CHECK(tg_read(&t, json, weights, wlen) == OX_OK);
    if (t.torch) {
        CHECK(ox_pass_erase_number_types(t.torch, NULL) == OX_OK);
        CHECK(ox_pass_to_onnx(t.torch, &s13, &t.onnx) == OX_OK);
    }
    if (t.onnx) {
        ox_pass_dce(t.onnx, NULL);
        CHECK_EQ_INT(tg_count(t.onnx, "onnx::BatchNormalization"), 1);
        bool changed = false;
        CHECK(ox_pass_eval_peephole(t.onnx, 13, &changed) == OX_OK);
        CHECK(changed);
        CHECK_EQ_INT(tg_size(t.onnx), 1);
        ox_node *c = tg_find(t.onnx, "onnx::Conv", 0);
        CHECK(c && c->ninputs == 3 && ox_block_ninputs(t.onnx->top) == 9);
        if (c && c->ninputs == 3) {
            static const double ew[8] = {2, -4, 8, 12, 0.25, 0.125, -0.5, 1.5}, eb[2] = {6, 22};
            check_values(c->inputs[1]->init, ew, 8);
            check_values(c->inputs[2]->init, eb, 2);
            CHECK_EQ_INT(tg_attr_i(c, "group", 0), 2);
            CHECK(ox_block_output(t.onnx->top, 0) == c->outputs[0]);
            CHECK_STR(c->outputs[0]->name, "y");
        }
    }
    tg_free(&t);
    free(weights);
}

static const ox_test_case tests[] = {
    {"fuse_with_bias", test_fuse_with_bias},
    {"fuse_without_bias", test_fuse_without_bias},
    {"float_rounding", test_float_rounding},
    {"constant_nodes", test_constant_nodes},
    {"not_fused", test_not_fused},
    {"chain", test_chain},
    {"from_aten", test_from_aten},
};
OX_TEST_MAIN(tests)
