/* Conv + BatchNormalization fusion (seed: _jit_pass_onnx_eval_peephole, run
 * by _model_to_graph when exporting in eval mode).
 *
 * An onnx::Conv whose output feeds exactly one node, an eval-mode (single
 * output) onnx::BatchNormalization, with constant floating weight (and bias)
 * and constant 1-D BN tensors of length W.shape[0] is replaced by a new Conv
 * with folded parameters:
 *
 *     s = scale / sqrt(var + eps)
 *     W'[i] = W[i] * s[i]
 *     b' = (b - mean) * s + beta        (beta - mean * s without a Conv bias)
 *
 * W' and b' become two new, unnamed graph inputs with initializers (named
 * onnx::Conv_<id> later by the friendly-names pass); the old parameters are
 * left for eliminate_unused_items. Every intermediate is rounded to its
 * tensor dtype the way torch's per-op tensor arithmetic rounds (float ops for
 * float tensors), so the fused values match torch bit for bit. */
#include <math.h>
#include <string.h>

#include "passes/passes.h"

#define MAX_INPUTS 5

/* ---- torch-like rounding ------------------------------------------------ */

/* torch's result dtype of a binary op between floating tensors. */
static ox_dtype promote(ox_dtype a, ox_dtype b)
{
    if (a == b) return a;
    if (a == OX_DOUBLE || b == OX_DOUBLE) return OX_DOUBLE;
    return OX_FLOAT; /* float with half/bfloat16, or half with bfloat16 */
}

/* v rounded to dtype (half types through float, as torch's CPU kernels
 * compute them in float and store the result). */
static double rnd(ox_dtype dt, double v)
{
    switch (dt) {
    case OX_DOUBLE: return v;
    case OX_FLOAT: return (double)(float)v;
    default: {
        unsigned char buf[8];
        ox_tensor t = {.dtype = dt, .rank = 0, .data = buf, .nbytes = sizeof buf};
        ox_tensor_set_f(&t, 0, v);
        return ox_tensor_get_f(&t, 0);
    }
    }
}

/* The type ops on dt compute in (a scalar operand is converted to it). */
static ox_dtype opmath(ox_dtype dt) { return dt == OX_DOUBLE ? OX_DOUBLE : OX_FLOAT; }

/* ---- matching ----------------------------------------------------------- */

/* torch's getValues: the constant tensors among n's inputs (parameters with
 * data and onnx::Constant values), in input order. */
static int const_inputs(const ox_node *n, const ox_tensor **out)
{
    int k = 0;
    for (int i = 0; i < n->ninputs && k < MAX_INPUTS; i++) {
        const ox_tensor *t = ox_value_const_tensor(n->inputs[i]);
        if (t) out[k++] = t;
    }
    return k;
}

static bool usable(const ox_tensor *t) { return ox_dtype_is_floating(t->dtype) && t->data; }

static bool is_1d_of(const ox_tensor *t, int64_t len)
{
    return usable(t) && t->rank == 1 && t->dims[0] == len;
}

/* ---- fusion ------------------------------------------------------------- */

typedef struct folded {
    ox_tensor *weight, *bias;
} folded;

/* Computes W' and b' (see the top comment). conv_bias may be NULL. */
static ox_status fold(ox_graph *g, const ox_tensor *w, const ox_tensor *conv_bias, const ox_tensor *const bn[4],
                      double eps, folded *out)
{
    const ox_tensor *scale = bn[0], *beta = bn[1], *mean = bn[2], *var = bn[3];
    int64_t c = w->dims[0];
    int64_t per_channel = ox_tensor_numel(w) / c;

    /* s = scale / sqrt(var + eps) */
    double *s = ox_arena_alloc(g->arena, (size_t)c * sizeof(double));
    if (!s) return OX_NOMEM(g->ctx);
    ox_dtype v_dt = var->dtype, s_dt = promote(scale->dtype, v_dt);
    double eps_v = rnd(opmath(v_dt), eps);
    for (int64_t i = 0; i < c; i++) {
        double d = rnd(v_dt, ox_tensor_get_f(var, i) + eps_v);
        d = rnd(v_dt, sqrt(d));
        s[i] = rnd(s_dt, ox_tensor_get_f(scale, i) / d);
    }

    /* W'[i] = W[i] * s[i] */
    out->weight = ox_tensor_alloc_uninit(g->arena, w->dtype, w->rank, w->dims);
    if (!out->weight) return OX_NOMEM(g->ctx);
    for (int64_t i = 0; i < c; i++) {
        double si = rnd(opmath(w->dtype), s[i]);
        if (w->dtype == OX_FLOAT) {
            /* The common case, without per-element dtype dispatch: the same
             * arithmetic as below (double product, rounded to float). The
             * source may be unaligned (borrowed weights): memcpy reads. */
            const unsigned char *src = (const unsigned char *)w->data + (size_t)(i * per_channel) * 4;
            float *dst = (float *)out->weight->data + i * per_channel;
            for (int64_t j = 0; j < per_channel; j++) {
                float x;
                memcpy(&x, src + (size_t)j * 4, 4);
                dst[j] = (float)((double)x * si);
            }
            continue;
        }
        for (int64_t j = 0; j < per_channel; j++) {
            int64_t k = i * per_channel + j;
            ox_tensor_set_f(out->weight, k, rnd(w->dtype, ox_tensor_get_f(w, k) * si));
        }
    }

    /* b' */
    ox_dtype b_dt;
    if (conv_bias) {
        ox_dtype d1 = promote(conv_bias->dtype, mean->dtype), d2 = promote(d1, s_dt);
        b_dt = promote(d2, beta->dtype);
        out->bias = ox_tensor_alloc(g->arena, b_dt, 1, &c);
        if (!out->bias) return OX_NOMEM(g->ctx);
        for (int64_t i = 0; i < c; i++) {
            double x = rnd(d1, ox_tensor_get_f(conv_bias, i) - ox_tensor_get_f(mean, i));
            x = rnd(d2, x * s[i]);
            ox_tensor_set_f(out->bias, i, rnd(b_dt, x + ox_tensor_get_f(beta, i)));
        }
    } else {
        ox_dtype d1 = promote(mean->dtype, s_dt);
        b_dt = promote(beta->dtype, d1);
        out->bias = ox_tensor_alloc(g->arena, b_dt, 1, &c);
        if (!out->bias) return OX_NOMEM(g->ctx);
        for (int64_t i = 0; i < c; i++) {
            double m = rnd(d1, ox_tensor_get_f(mean, i) * s[i]);
            ox_tensor_set_f(out->bias, i, rnd(b_dt, ox_tensor_get_f(beta, i) - m));
        }
    }
    return OX_OK;
}

/* A new graph input (top block, after the existing ones) holding t. */
static ox_value *new_param(ox_graph *g, ox_tensor *t)
{
    ox_type *type = ox_type_tensor(g->arena, t->dtype, t->rank, t->dims);
    ox_value *v = type ? ox_block_add_input(g->top, NULL, type) : NULL;
    if (!v) {
        OX_NOMEM(g->ctx);
        return NULL;
    }
    v->init = t;
    return v;
}

/* Fuses conv with the BatchNormalization consuming it when the pattern
 * holds; *fused says whether it did. */
static ox_status try_fuse(ox_graph *g, ox_node *conv, bool *fused)
{
    *fused = false;
    if (conv->noutputs != 1 || conv->ninputs < 2) return OX_OK;
    ox_value *y = conv->outputs[0];
    if (y->nuses != 1) return OX_OK;
    ox_node *bn = y->uses[0].user;
    if (!ox_node_is(bn, "onnx::BatchNormalization") || bn->noutputs != conv->noutputs) return OX_OK;
    ox_attr *eps = ox_node_attr(bn, "epsilon");
    if (!eps || eps->kind != OX_ATTR_F) return OX_OK;

    const ox_tensor *cv[MAX_INPUTS], *bv[MAX_INPUTS];
    int ncv = const_inputs(conv, cv), nbv = const_inputs(bn, bv);
    if (ncv == 0 || (conv->ninputs == 3 && ncv != 2) || nbv != 4) return OX_OK;
    const ox_tensor *w = cv[0], *b = conv->ninputs == 3 ? cv[1] : NULL;
    if (!usable(w) || w->rank <= 2 || w->dims[0] <= 0 || (b && !is_1d_of(b, w->dims[0]))) return OX_OK;
    for (int i = 0; i < 4; i++)
        if (!is_1d_of(bv[i], w->dims[0])) return OX_OK;

    folded f = {0};
    OX_TRY(fold(g, w, b, bv, eps->v.f, &f));

    ox_node *nc = ox_node_new(g, "onnx::Conv", 1);
    if (!nc) return OX_NOMEM(g->ctx);
    ox_value *bn_out = bn->outputs[0], *out = nc->outputs[0];
    ox_type *t = ox_type_copy(g->arena, bn_out->type);
    if (t) out->type = t;
    /* A fresh value, as in torch (numbered later); only a graph output's
     * name (output_names) must survive. */
    if (ox_value_has_name(bn_out) && ox_value_is_graph_output(bn_out)) ox_value_set_name(out, bn_out->name);
    OX_TRY(ox_node_copy_attrs(nc, conv));
    ox_node_insert_before(nc, bn);
    OX_TRY(ox_node_add_input(nc, conv->inputs[0]));
    ox_node_copy_metadata(nc, conv);
    ox_value *nw = new_param(g, f.weight);
    if (!nw) return g->ctx->status;
    OX_TRY(ox_node_add_input(nc, nw));
    ox_value *nb = new_param(g, f.bias);
    if (!nb) return g->ctx->status;
    OX_TRY(ox_node_add_input(nc, nb));

    ox_value_replace_all_uses(bn_out, out);
    ox_node_destroy(bn);
    *fused = true;
    return OX_OK;
}

static ox_status fuse_block(ox_graph *g, ox_block *b, bool *changed)
{
    for (ox_node *n = ox_block_first(b); n != b->ret;) {
        for (int i = 0; i < n->nblocks; i++) OX_TRY(fuse_block(g, n->blocks[i], changed));
        if (!ox_node_is(n, "onnx::Conv")) {
            n = n->next;
            continue;
        }
        bool fused;
        OX_TRY(try_fuse(g, n, &fused));
        /* the new Conv sits where the BN was: when that was right after the
         * old Conv it is visited next, as in torch */
        ox_node *next = n->next;
        if (fused) {
            ox_node_destroy(n);
            *changed = true;
        }
        n = next;
    }
    return OX_OK;
}

ox_status ox_pass_eval_peephole(ox_graph *g, int opset, bool *changed)
{
    bool c = false;
    ox_status st = fuse_block(g, g->top, &c);
    if (changed) *changed = c;
    return st;
}
