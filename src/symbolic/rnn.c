/* Recurrent layers: lstm, gru, rnn_tanh, rnn_relu and lstm_cell (torch's
 * symbolic_opset9 forms; no later opset changes them).
 *
 * Each layer becomes one ONNX LSTM / GRU / RNN node:
 *
 *   X           the input, seq-major (batch_first inputs are transposed first)
 *   W, R, B     built from the layer's parameters: each torch weight is cut
 *               into its gate blocks and put back in ONNX's gate order
 *               (LSTM i,f,g,o -> i,o,f,c; GRU r,z,n -> z,r,n), the two
 *               biases are concatenated, and an Unsqueeze adds the
 *               direction axis; a bidirectional layer concatenates the
 *               forward and the reverse direction. With do_constant_folding
 *               all of this folds into new initializers.
 *   seq_lens    omitted (or the packed overload's batch_sizes)
 *   h0 (, c0)   the layer's slice of the initial states (all of them for
 *               one layer)
 *
 * Y (seq, dirs, batch, hidden) is brought back to torch's (seq, batch,
 * dirs * hidden) with Transpose + Reshape (bidirectional) or Squeeze, and is
 * the next layer's X; the layers' final states are concatenated.
 *
 * torch 1.13 has no symbolic for gru_cell / rnn_tanh_cell / rnn_relu_cell
 * (tracing decomposes nn.GRUCell / nn.RNNCell into linear + activations);
 * like torch, they stay unsupported here. */
#include <stdint.h>
#include <string.h>

#include "symbolic/families.h"
#include "symbolic/helpers.h"

typedef enum rnn_variant { RNN_TANH, RNN_RELU, RNN_GRU, RNN_LSTM } rnn_variant;

/* The variant names torch's messages use. */
static const char *const variant_name[] = {"RNN_TANH", "RNN_RELU", "GRU", "LSTM"};

/* The arguments of torch's _generic_rnn. */
typedef struct rnn_args {
    rnn_variant variant;
    ox_value *input;
    ox_value *h0, *c0;        /* c0: LSTM only */
    ox_value **weights;       /* w_ih, w_hh[, b_ih, b_hh] per layer and direction */
    int nweights;
    bool has_biases;
    int64_t num_layers;
    double dropout;
    bool train;
    bool bidirectional;
    bool batch_first;
    ox_value *batch_sizes;    /* packed overloads; NULL otherwise */
} rnn_args;

/* The results: output, h_n and (LSTM) c_n. */
typedef struct rnn_result {
    ox_value *y, *h, *c;
} rnn_result;

/* ---- small builders ----------------------------------------------------- */

static ox_value *transpose(ox_sym *g, ox_value *x, const int64_t *perm, int n)
{
    ox_value *y = x ? ox_op1(g, "Transpose", x, NULL) : NULL;
    if (!y || ox_node_set_is(y->node, "perm", perm, n) != OX_OK) return NULL;
    return y;
}

static ox_value *concat(ox_sym *g, ox_value *const *vals, int n)
{
    for (int i = 0; i < n; i++)
        if (!vals[i]) return NULL;
    ox_node *c = ox_op(g, "Concat", 1, n, vals);
    if (!c || ox_node_set_i(c, "axis", 0) != OX_OK) return NULL;
    return c->outputs[0];
}

static ox_value *concat2(ox_sym *g, ox_value *a, ox_value *b)
{
    ox_value *v[2] = {a, b};
    return concat(g, v, 2);
}

static ox_value *unsqueeze0(ox_sym *g, ox_value *x)
{
    static const int64_t axis0 = 0;
    return ox_unsqueeze(g, x, &axis0, 1);
}

/* Rows [start, end) of x (axis 0). */
static ox_value *rows(ox_sym *g, ox_value *x, int64_t start, int64_t end)
{
    static const int64_t axis0 = 0;
    return ox_slice(g, x, &axis0, &start, &end, NULL, 1);
}

/* The elements of a Tensor[] argument: a prim::ListConstruct, or a
 * prim::TupleConstruct (a tuple of states that no pass has lowered). */
static ox_status tensor_list(ox_sym *g, int i, ox_value ***out, int *n)
{
    if (i < g->nin && ox_node_is(g->in[i]->node, "prim::TupleConstruct")) {
        *out = g->in[i]->node->inputs;
        *n = g->in[i]->node->ninputs;
        return OX_OK;
    }
    return ox_arg_list(g, i, out, n);
}

/* torch's _is_tensor_list on the node's argument i: tells the packed
 * overloads (a Tensor[] in slot 3) from the full ones (a bool there). */
static bool is_tensor_list(ox_sym *g, int i)
{
    if (i >= g->nin) return false;
    const ox_type *t = i < g->node->ninputs ? g->node->inputs[i]->type : NULL;
    if (t && t->kind == OX_TYPE_LIST)
        return t->nelems < 1 || !t->elems[0] || t->elems[0]->kind == OX_TYPE_TENSOR;
    return ox_node_is(g->in[i]->node, "prim::ListConstruct");
}

/* ---- weights ------------------------------------------------------------ */

/* Gate blocks [from, to) of a torch weight, in ONNX order (torch's
 * reform_permutation). */
typedef struct gate_block {
    int from, to;
} gate_block;

static const gate_block lstm_gates[3] = {{0, 1}, {3, 4}, {1, 3}}; /* i f g o -> i o f g */
static const gate_block gru_gates[3] = {{1, 2}, {0, 1}, {2, 3}};  /* r z n -> z r n */

/* torch's reform_weights: Concat of the gate blocks' row slices. RNN
 * weights have a single gate and stay as they are. */
static ox_value *reform(ox_sym *g, rnn_variant v, ox_value *w, int64_t hidden)
{
    if (v != RNN_LSTM && v != RNN_GRU) return w;
    const gate_block *blocks = v == RNN_LSTM ? lstm_gates : gru_gates;
    ox_value *slices[3];
    for (int k = 0; k < 3; k++) slices[k] = rows(g, w, blocks[k].from * hidden, blocks[k].to * hidden);
    return concat(g, slices, 3);
}

/* torch's transform_weights / transform_weights_no_bias for the weights of
 * one layer and direction (`idx`): W, R and (with biases) B, each with the
 * direction axis in front. */
static ox_status layer_weights(ox_sym *g, const rnn_args *a, int idx, int64_t hidden, ox_value **w, ox_value **r,
                               ox_value **b)
{
    int per = a->has_biases ? 4 : 2;
    ox_value **lw = a->weights + (size_t)idx * per;
    ox_value *ih = reform(g, a->variant, lw[0], hidden);
    ox_value *hh = reform(g, a->variant, lw[1], hidden);
    *b = NULL;
    if (a->has_biases) {
        ox_value *bih = reform(g, a->variant, lw[2], hidden);
        ox_value *bhh = reform(g, a->variant, lw[3], hidden);
        ox_value *bias = concat2(g, bih, bhh);
        *w = unsqueeze0(g, ih);
        *r = unsqueeze0(g, hh);
        *b = unsqueeze0(g, bias);
        if (!*b) return ox_set_out(g, 0, NULL);
    } else {
        *w = unsqueeze0(g, ih);
        *r = unsqueeze0(g, hh);
    }
    return *w && *r ? OX_OK : ox_set_out(g, 0, NULL);
}

/* ---- torch's _generic_rnn ----------------------------------------------- */

static ox_status check_args(ox_sym *g, const rnn_args *a, int64_t *hidden)
{
    int per = a->has_biases ? 4 : 2;
    int dirs = a->bidirectional ? 2 : 1;
    if (a->num_layers < 1)
        return ox_sym_error(g, -1, "%s: num_layers must be at least 1, got %lld", g->node->kind,
                            (long long)a->num_layers);
    if (a->num_layers > a->nweights || (int64_t)a->nweights != a->num_layers * per * dirs) {
        if (a->variant == RNN_LSTM)
            return ox_ew_unimplemented(g, "LSTM", "LSTMs with projections", true);
        return ox_sym_error(g, -1, "%s: expected %lld layers x %d directions x %d parameters, got %d",
                            g->node->kind, (long long)a->num_layers, dirs, per, a->nweights);
    }
    if (a->dropout != 0.0 && a->train)
        return ox_ew_unimplemented(g, "RNN/GRU/LSTM", "dropout in training mode", true);
    *hidden = ox_static_dim(a->weights[1], 1);
    if (*hidden < 0) return ox_ew_unimplemented(g, "RNN/GRU/LSTM", "unknown hidden size", true);
    if (*hidden > INT64_MAX / 4)
        return ox_sym_error(g, -1, "%s: hidden size %lld is too large", g->node->kind, (long long)*hidden);
    return OX_OK;
}

static ox_status generic_rnn(ox_sym *g, const rnn_args *a, rnn_result *res)
{
    static const int64_t seq_major[3] = {1, 0, 2};
    int64_t hidden = -1;
    memset(res, 0, sizeof(*res));
    ox_status st = check_args(g, a, &hidden);
    if (st != OX_OK || g->clone) return st;

    ox_warn(g->ctx,
            "Exporting a model to ONNX with a batch_size other than 1, with a variable length with %s can cause "
            "an error when running the ONNX model with a different batch size. Make sure to save the model "
            "with a batch size of 1, or define the initial states (h0/c0) as inputs of the model. ",
            variant_name[a->variant]);

    bool lstm = a->variant == RNN_LSTM;
    ox_value *prev = a->input;
    if (a->batch_first) prev = transpose(g, prev, seq_major, 3);
    ox_value *seq_lens = a->batch_sizes ? a->batch_sizes : ox_none(g);
    ox_value **h_outs = ox_arena_alloc(g->graph->arena, (size_t)a->num_layers * 2 * sizeof(ox_value *));
    if (!h_outs) return OX_NOMEM(g->ctx);
    ox_value **c_outs = h_outs + a->num_layers;
    if (!prev || !seq_lens) return ox_set_out(g, 0, NULL);

    for (int64_t i = 0; i < a->num_layers; i++) {
        ox_value *w, *r, *b;
        int64_t s0, s1;
        if (!a->bidirectional) {
            OX_TRY(layer_weights(g, a, (int)i, hidden, &w, &r, &b));
            s0 = i;
            s1 = i + 1;
        } else {
            ox_value *wf, *rf, *bf, *wb, *rb, *bb;
            OX_TRY(layer_weights(g, a, (int)(2 * i), hidden, &wf, &rf, &bf));
            OX_TRY(layer_weights(g, a, (int)(2 * i + 1), hidden, &wb, &rb, &bb));
            b = a->has_biases ? concat2(g, bf, bb) : NULL;
            w = concat2(g, wf, wb);
            r = concat2(g, rf, rb);
            s0 = 2 * i;
            s1 = 2 * i + 2;
        }
        if (!b) b = a->has_biases ? NULL : ox_none(g);
        if (!w || !r || !b) return ox_set_out(g, 0, NULL);

        ox_value *ins[7] = {prev, w, r, b, seq_lens};
        int nin = 5;
        ins[nin++] = a->num_layers == 1 ? a->h0 : rows(g, a->h0, s0, s1);
        if (lstm) ins[nin++] = a->num_layers == 1 ? a->c0 : rows(g, a->c0, s0, s1);
        for (int k = 0; k < nin; k++)
            if (!ins[k]) return ox_set_out(g, 0, NULL);

        static const char *const op[] = {"RNN", "RNN", "GRU", "LSTM"};
        ox_node *n = ox_op(g, op[a->variant], lstm ? 3 : 2, nin, ins);
        if (!n) return ox_set_out(g, 0, NULL);
        OX_TRY(ox_node_set_i(n, "hidden_size", hidden));
        if (a->variant == RNN_TANH || a->variant == RNN_RELU) {
            const char *act = a->variant == RNN_TANH ? "Tanh" : "Relu";
            const char *acts[2] = {act, act};
            OX_TRY(ox_node_set_ss(n, "activations", acts, a->bidirectional ? 2 : 1));
        } else if (a->variant == RNN_GRU) {
            OX_TRY(ox_node_set_i(n, "linear_before_reset", 1));
        }
        if (a->bidirectional) OX_TRY(ox_node_set_s(n, "direction", "bidirectional"));

        if (a->bidirectional) {
            /* (seq, 2, batch, hidden) -> (seq, batch, 2, hidden) -> (seq, batch, 2 * hidden) */
            static const int64_t dirs_last[4] = {0, 2, 1, 3};
            static const int64_t merge[3] = {0, 0, -1};
            prev = transpose(g, n->outputs[0], dirs_last, 4);
            prev = prev ? ox_reshape(g, prev, ox_const_i64s(g, merge, 3)) : NULL;
        } else {
            static const int64_t axis1 = 1;
            prev = ox_squeeze(g, n->outputs[0], &axis1, 1);
        }
        if (!prev) return ox_set_out(g, 0, NULL);
        h_outs[i] = n->outputs[1];
        if (lstm) c_outs[i] = n->outputs[2];
    }
    if (a->batch_first) prev = transpose(g, prev, seq_major, 3);
    res->y = prev;
    res->h = a->num_layers == 1 ? h_outs[0] : concat(g, h_outs, (int)a->num_layers);
    if (lstm) res->c = a->num_layers == 1 ? c_outs[0] : concat(g, c_outs, (int)a->num_layers);
    if (!res->y || !res->h || (lstm && !res->c)) return ox_set_out(g, 0, NULL);
    return OX_OK;
}

static ox_status set_results(ox_sym *g, const rnn_result *r, bool lstm)
{
    OX_TRY(ox_set_out(g, 0, r->y));
    if (g->nout > 1) OX_TRY(ox_set_out(g, 1, r->h));
    if (lstm && g->nout > 2) OX_TRY(ox_set_out(g, 2, r->c));
    return OX_OK;
}

/* The scalar arguments from slot `first` on: has_biases, num_layers,
 * dropout, train, bidirectional[, batch_first]. */
static ox_status scalar_args(ox_sym *g, int first, bool with_batch_first, rnn_args *a)
{
    OX_TRY(ox_arg_bool(g, first, &a->has_biases));
    OX_TRY(ox_arg_int(g, first + 1, &a->num_layers));
    OX_TRY(ox_arg_float(g, first + 2, &a->dropout));
    OX_TRY(ox_arg_bool(g, first + 3, &a->train));
    OX_TRY(ox_arg_bool(g, first + 4, &a->bidirectional));
    if (with_batch_first) OX_TRY(ox_arg_bool(g, first + 5, &a->batch_first));
    return OX_OK;
}

/* The initial states: a Tensor for RNN/GRU, [h0, c0] for LSTM. */
static ox_status initial_states(ox_sym *g, int i, rnn_args *a)
{
    if (a->variant != RNN_LSTM) {
        a->h0 = g->in[i];
        return OX_OK;
    }
    ox_value **hx;
    int n;
    OX_TRY(tensor_list(g, i, &hx, &n));
    if (n != 2) return ox_sym_error(g, i, "%s expects the initial states [h0, c0], got %d tensors", g->node->kind, n);
    a->h0 = hx[0];
    a->c0 = hx[1];
    return OX_OK;
}

/* lstm / gru / rnn_tanh / rnn_relu, both overloads:
 *   (input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first)
 *   (input, batch_sizes, hx, params, has_biases, num_layers, dropout, train, bidirectional) */
static ox_status rnn_op(ox_sym *g, rnn_variant v)
{
    rnn_args a = {.variant = v, .input = g->in[0]};
    bool packed = is_tensor_list(g, 3);
    int first = packed ? 2 : 1;
    if (packed) a.batch_sizes = g->in[1];
    OX_TRY(initial_states(g, first, &a));
    OX_TRY(tensor_list(g, first + 1, &a.weights, &a.nweights));
    OX_TRY(scalar_args(g, first + 2, !packed, &a));
    rnn_result r;
    OX_TRY(generic_rnn(g, &a, &r));
    if (g->clone) return OX_OK;
    return set_results(g, &r, v == RNN_LSTM);
}

static ox_status lstm(ox_sym *g) { return rnn_op(g, RNN_LSTM); }
static ox_status gru(ox_sym *g) { return rnn_op(g, RNN_GRU); }
static ox_status rnn_tanh(ox_sym *g) { return rnn_op(g, RNN_TANH); }
static ox_status rnn_relu(ox_sym *g) { return rnn_op(g, RNN_RELU); }

/* lstm_cell(input, [hx, cx], w_ih, w_hh, b_ih?, b_hh?) -> (hy, cy): one
 * LSTM step over a one-long sequence, states given a direction axis and
 * taken off again. */
static ox_status lstm_cell(ox_sym *g)
{
    static const int64_t axis0 = 0;
    ox_value **hx;
    int n;
    OX_TRY(tensor_list(g, 1, &hx, &n));
    if (n != 2) return ox_sym_error(g, 1, "aten::lstm_cell expects the states [hx, cx], got %d tensors", n);
    bool has_biases = !ox_arg_is_none(g, 4);
    if (has_biases && ox_arg_is_none(g, 5))
        return ox_sym_error(g, 5, "aten::lstm_cell: b_ih is given but b_hh is None");
    ox_value *weights[4] = {g->in[2], g->in[3], g->in[4], g->in[5]};
    rnn_args a = {
        .variant = RNN_LSTM, .weights = weights, .nweights = has_biases ? 4 : 2, .has_biases = has_biases,
        .num_layers = 1,
    };
    a.input = ox_unsqueeze(g, g->in[0], &axis0, 1);
    a.h0 = ox_unsqueeze(g, hx[0], &axis0, 1);
    a.c0 = ox_unsqueeze(g, hx[1], &axis0, 1);
    if (!a.input || !a.h0 || !a.c0) return ox_set_out(g, 0, NULL);
    rnn_result r;
    OX_TRY(generic_rnn(g, &a, &r));
    if (g->clone) return OX_OK;
    OX_TRY(ox_set_out(g, 0, ox_squeeze(g, r.h, &axis0, 1)));
    return g->nout > 1 ? ox_set_out(g, 1, ox_squeeze(g, r.c, &axis0, 1)) : OX_OK;
}

const ox_symbolic_entry ox_symbolics_rnn[] = {
    {"aten::lstm", 9, lstm},
    {"aten::gru", 9, gru},
    {"aten::rnn_tanh", 9, rnn_tanh},
    {"aten::rnn_relu", 9, rnn_relu},
    {"aten::lstm_cell", 9, lstm_cell},
    {0},
};
