/* Symbolics of src/symbolic/rnn.c: lstm, gru, rnn_tanh, rnn_relu (both
 * overloads) and lstm_cell, at opsets 9, 13 and 17 (Slice and Unsqueeze /
 * Squeeze take their operands as inputs from 10 / 13). The forms were checked
 * against torch 1.13's exports of the same layers without constant folding
 * (byte-identical models). Sizes: input 4, hidden 6, batch 3, sequence 5. */
#include <stdarg.h>

#include "graph_util.h"
#include "symbolic/symbolic.h"
#include "test.h"

#define HIDDEN 6
#define INPUT 4

/* ---- building the TorchScript graph ------------------------------------- */

typedef struct rnn_cfg {
    const char *op;        /* "aten::lstm", ... */
    int gates;             /* rows of w_ih per hidden unit: 4 LSTM, 3 GRU, 1 RNN */
    int layers;
    bool bidir, batch_first, biases;
    bool packed;           /* the (input, batch_sizes, hx, params, ...) overload */
    const char *hx_kind;   /* LSTM states: prim::ListConstruct (default) or prim::TupleConstruct */
    double dropout;
    int train;
    int nweights;          /* 0: as many as the layers need */
    bool hh_shapeless;     /* w_hh of unknown shape */
    bool num_layers_input; /* num_layers is a graph input, not a constant */
} rnn_cfg;

static char json_buf[32768];
static size_t json_len;

static void put(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (json_len < sizeof json_buf) json_len += (size_t)vsnprintf(json_buf + json_len, sizeof json_buf - json_len, fmt, ap);
    va_end(ap);
}

static void put_value(const char *name, const char *type) { put("{\"name\":\"%s\",\"type\":%s}", name, type); }

static void put_f32(const char *name, int d0, int d1, int d2)
{
    char type[128];
    if (d2 > 0) snprintf(type, sizeof type, TG_F32("%d,%d,%d"), d0, d1, d2);
    else if (d1 > 0) snprintf(type, sizeof type, TG_F32("%d,%d"), d0, d1);
    else snprintf(type, sizeof type, TG_F32("%d"), d0);
    put_value(name, type);
}

static void put_const(const char *name, const char *type, const char *kind, const char *value)
{
    put(",{\"kind\":\"prim::Constant\",\"inputs\":[],\"outputs\":[{\"name\":\"%s\",\"type\":%s}],"
        "\"attributes\":[{\"name\":\"value\",\"kind\":\"%s\",\"value\":%s}]}",
        name, type, kind, value);
}

static bool is_lstm(const rnn_cfg *c) { return !strcmp(c->op, "aten::lstm"); }
static int dirs(const rnn_cfg *c) { return c->bidir ? 2 : 1; }
static int per_layer(const rnn_cfg *c) { return c->biases ? 4 : 2; }
static int nweights(const rnn_cfg *c) { return c->nweights ? c->nweights : c->layers * dirs(c) * per_layer(c); }

/* The graph description of one call of c->op with its parameters as inputs. */
static const char *rnn_json(const rnn_cfg *c)
{
    int nl = c->layers * dirs(c);
    json_len = 0;
    put("{\"format\":\"onnxify-graph\",\"version\":1,\"graph\":{\"inputs\":[");
    if (c->batch_first) put_f32("x", 3, 5, INPUT);
    else put_f32("x", 5, 3, INPUT);
    if (c->packed) put("," "{\"name\":\"bs\",\"type\":" TG_I64("5") "}");
    put(",");
    put_f32("h0", nl, 3, HIDDEN);
    if (is_lstm(c)) {
        put(",");
        put_f32("c0", nl, 3, HIDDEN);
    }
    if (c->num_layers_input) put(",{\"name\":\"nl\",\"type\":" TG_INT "}");
    for (int i = 0; i < nweights(c); i++) {
        int k = i % per_layer(c), layer = i / per_layer(c) / dirs(c);
        int in = layer == 0 ? INPUT : HIDDEN * dirs(c);
        char name[16];
        snprintf(name, sizeof name, "w%d", i);
        put(",");
        if (k == 0) put_f32(name, c->gates * HIDDEN, in, 0);
        else if (k == 1 && c->hh_shapeless) put_value(name, "{\"kind\":\"tensor\",\"dtype\":\"float32\"}");
        else if (k == 1) put_f32(name, c->gates * HIDDEN, HIDDEN, 0);
        else put_f32(name, c->gates * HIDDEN, 0, 0);
    }
    put("],\"nodes\":[");
    /* the parameter list */
    put("{\"kind\":\"prim::ListConstruct\",\"inputs\":[");
    for (int i = 0; i < nweights(c); i++) put("%s\"w%d\"", i ? "," : "", i);
    put("],\"outputs\":[{\"name\":\"params\",\"type\":{\"kind\":\"list\",\"elem\":{\"kind\":\"tensor\"}}}]}");
    if (is_lstm(c)) {
        const char *k = c->hx_kind ? c->hx_kind : "prim::ListConstruct";
        const char *type = !strcmp(k, "prim::TupleConstruct")
                               ? "{\"kind\":\"tuple\",\"elems\":[{\"kind\":\"tensor\"},{\"kind\":\"tensor\"}]}"
                               : "{\"kind\":\"list\",\"elem\":{\"kind\":\"tensor\"}}";
        put(",{\"kind\":\"%s\",\"inputs\":[\"h0\",\"c0\"],\"outputs\":[{\"name\":\"hx\",\"type\":%s}]}", k, type);
    }
    char v[64];
    put_const("hb", TG_BOOL, "i", c->biases ? "1" : "0");
    if (!c->num_layers_input) {
        snprintf(v, sizeof v, "%d", c->layers);
        put_const("nl", TG_INT, "i", v);
    }
    snprintf(v, sizeof v, "%g", c->dropout);
    put_const("dp", TG_FLOAT, "f", v);
    put_const("tr", TG_BOOL, "i", c->train ? "1" : "0");
    put_const("bd", TG_BOOL, "i", c->bidir ? "1" : "0");
    put_const("bf", TG_BOOL, "i", c->batch_first ? "1" : "0");
    const char *hx = is_lstm(c) ? "hx" : "h0";
    put(",{\"kind\":\"%s\",\"inputs\":[\"x\",", c->op);
    if (c->packed) put("\"bs\",\"%s\",\"params\",\"hb\",\"nl\",\"dp\",\"tr\",\"bd\"]", hx);
    else put("\"%s\",\"params\",\"hb\",\"nl\",\"dp\",\"tr\",\"bd\",\"bf\"]", hx);
    put(",\"outputs\":[" "{\"name\":\"y\",\"type\":" "{\"kind\":\"tensor\"}" "},"
        "{\"name\":\"hn\",\"type\":" "{\"kind\":\"tensor\"}" "}");
    if (is_lstm(c)) put(",{\"name\":\"cn\",\"type\":" "{\"kind\":\"tensor\"}" "}");
    put("]}]");
    put(",\"outputs\":[\"y\",\"hn\"%s]}}", is_lstm(c) ? ",\"cn\"" : "");
    return json_buf;
}

/* ---- looking at the result ---------------------------------------------- */

static ox_value *in_named(tg *t, const char *name)
{
    for (int i = 0; i < ox_block_ninputs(t->onnx->top); i++) {
        ox_value *v = ox_block_input(t->onnx->top, i);
        if (v->name && !strcmp(v->name, name)) return v;
    }
    return NULL;
}

static ox_node *out_node(tg *t, int i) { return ox_block_output(t->onnx->top, i)->node; }

static const ox_attr *attr(ox_node *n, const char *name, ox_attr_kind kind)
{
    ox_attr *a = n ? ox_node_attr(n, name) : NULL;
    return a && a->kind == kind ? a : NULL;
}

static bool ints_are(const int64_t *v, int n, const int64_t *want, int nwant)
{
    if (n != nwant) return false;
    for (int i = 0; i < n; i++)
        if (v[i] != want[i]) return false;
    return true;
}

/* The int list given to `node` as attribute `name` (opset < 10/13) or as the
 * constant input `input` (later opsets). */
static bool operand_is(ox_node *node, const char *name, int input, const int64_t *want, int n)
{
    if (!node) return false;
    const ox_attr *a = attr(node, name, OX_ATTR_IS);
    if (a) return ints_are(a->v.is, a->n, want, n);
    if (input >= node->ninputs) return false;
    const ox_tensor *t = ox_value_const_tensor(node->inputs[input]);
    if (!t || t->dtype != OX_INT64 || t->rank != 1 || t->dims[0] != n) return false;
    for (int i = 0; i < n; i++)
        if (ox_tensor_get_i(t, i) != want[i]) return false;
    return true;
}

/* Slice of rows [start, end) along axis 0. */
static bool slice_is(ox_node *s, int64_t start, int64_t end)
{
    int64_t axes = 0;
    return s && ox_node_is(s, "onnx::Slice") && operand_is(s, "starts", 1, &start, 1) &&
           operand_is(s, "ends", 2, &end, 1) && operand_is(s, "axes", 3, &axes, 1);
}

static bool is_none(ox_value *v) { return ox_value_is_none(v); }

static ox_status conv(tg *t, const rnn_cfg *c, int opset)
{
    tg_init(t);
    return tg_convert(t, rnn_json(c), opset);
}

static const int opsets[] = {9, 13, 17};
#define NOPSETS 3

/* ---- one layer, one direction ------------------------------------------- */

static void test_lstm_one_layer(void)
{
    static const char *const kinds[NOPSETS] = {
        /* torch's order: the None sequence_lens, then per weight the three gate
         * slices and their Concat, the biases' Concat, the Unsqueezes */
        "prim::Constant,Slice,Slice,Slice,Concat,Slice,Slice,Slice,Concat,Slice,Slice,Slice,Concat,"
        "Slice,Slice,Slice,Concat,Concat,Unsqueeze,Unsqueeze,Unsqueeze,LSTM,Squeeze",
        NULL, NULL,
    };
    rnn_cfg c = {.op = "aten::lstm", .gates = 4, .layers = 1, .biases = true};
    for (int k = 0; k < NOPSETS; k++) {
        tg t;
        CHECK(conv(&t, &c, opsets[k]) == OX_OK);
        if (!t.onnx) {
            tg_free(&t);
            continue;
        }
        const char *got = tg_kinds(t.onnx);
        if (kinds[k]) CHECK_STR(got, kinds[k]);
        CHECK_EQ_INT(tg_count(t.onnx, "onnx::LSTM"), 1);
        CHECK_EQ_INT(tg_count(t.onnx, "onnx::Slice"), 12);
        CHECK_EQ_INT(tg_count(t.onnx, "onnx::Unsqueeze"), 3);
        /* from opset 10 the Slice operands are constants, from 13 the Unsqueeze axes too */
        CHECK_EQ_INT(tg_count(t.onnx, "onnx::Constant"), opsets[k] >= 13 ? 12 * 3 + 3 + 1 : 0);
        ox_node *lstm = tg_find(t.onnx, "onnx::LSTM", 0);
        if (!lstm) {
            tg_free(&t);
            continue;
        }
        CHECK_EQ_INT(tg_attr_i(lstm, "hidden_size", -1), HIDDEN);
        CHECK(!ox_node_attr(lstm, "direction"));
        CHECK(lstm->attrs && !strcmp(lstm->attrs->name, "hidden_size"));
        CHECK_EQ_INT(lstm->noutputs, 3);
        CHECK_EQ_INT(lstm->ninputs, 7);
        CHECK(lstm->inputs[0] == in_named(&t, "x"));
        CHECK(is_none(lstm->inputs[4]));
        /* one layer: the states as they are */
        CHECK(lstm->inputs[5] == in_named(&t, "h0"));
        CHECK(lstm->inputs[6] == in_named(&t, "c0"));
        /* W, R, B get the direction axis */
        for (int i = 1; i <= 3; i++) {
            int64_t zero = 0;
            ox_node *u = lstm->inputs[i]->node;
            CHECK(ox_node_is(u, "onnx::Unsqueeze") && operand_is(u, "axes", 1, &zero, 1));
        }
        /* W: torch's i, f, g, o row blocks in ONNX's i, o, f, c order */
        ox_node *wcat = lstm->inputs[1]->node->inputs[0]->node;
        CHECK(ox_node_is(wcat, "onnx::Concat") && tg_attr_i(wcat, "axis", -1) == 0 && wcat->ninputs == 3);
        if (wcat->ninputs == 3) {
            CHECK(slice_is(wcat->inputs[0]->node, 0, HIDDEN));
            CHECK(slice_is(wcat->inputs[1]->node, 3 * HIDDEN, 4 * HIDDEN));
            CHECK(slice_is(wcat->inputs[2]->node, HIDDEN, 3 * HIDDEN));
            CHECK(wcat->inputs[0]->node->inputs[0] == in_named(&t, "w0"));
        }
        /* B = Concat(reordered b_ih, reordered b_hh) */
        ox_node *bcat = lstm->inputs[3]->node->inputs[0]->node;
        CHECK(ox_node_is(bcat, "onnx::Concat") && bcat->ninputs == 2);
        if (bcat->ninputs == 2) {
            ox_node *bih = bcat->inputs[0]->node;
            CHECK(ox_node_is(bih, "onnx::Concat") && bih->ninputs == 3 &&
                  bih->inputs[0]->node->inputs[0] == in_named(&t, "w2"));
        }
        /* Y (seq, 1, batch, hidden) loses the direction axis; h_n, c_n are LSTM's */
        int64_t one = 1;
        ox_node *sq = out_node(&t, 0);
        CHECK(ox_node_is(sq, "onnx::Squeeze") && sq->inputs[0] == lstm->outputs[0] &&
              operand_is(sq, "axes", 1, &one, 1));
        CHECK(ox_block_output(t.onnx->top, 1) == lstm->outputs[1]);
        CHECK(ox_block_output(t.onnx->top, 2) == lstm->outputs[2]);
        CHECK_STR(ox_block_output(t.onnx->top, 0)->name, "y");
        tg_free(&t);
    }
}

static void test_gru_gate_order(void)
{
    rnn_cfg c = {.op = "aten::gru", .gates = 3, .layers = 1, .biases = true};
    for (int k = 0; k < NOPSETS; k++) {
        tg t;
        CHECK(conv(&t, &c, opsets[k]) == OX_OK);
        ox_node *gru = t.onnx ? tg_find(t.onnx, "onnx::GRU", 0) : NULL;
        CHECK(gru != NULL);
        if (gru) {
            CHECK_EQ_INT(tg_attr_i(gru, "hidden_size", -1), HIDDEN);
            CHECK_EQ_INT(tg_attr_i(gru, "linear_before_reset", -1), 1);
            CHECK_EQ_INT(gru->noutputs, 2);
            CHECK_EQ_INT(gru->ninputs, 6);
            CHECK(gru->inputs[5] == in_named(&t, "h0"));
            /* torch's r, z, n row blocks in ONNX's z, r, h order */
            ox_node *rcat = gru->inputs[2]->node->inputs[0]->node;
            CHECK(ox_node_is(rcat, "onnx::Concat") && rcat->ninputs == 3);
            if (rcat->ninputs == 3) {
                CHECK(slice_is(rcat->inputs[0]->node, HIDDEN, 2 * HIDDEN));
                CHECK(slice_is(rcat->inputs[1]->node, 0, HIDDEN));
                CHECK(slice_is(rcat->inputs[2]->node, 2 * HIDDEN, 3 * HIDDEN));
                CHECK(rcat->inputs[0]->node->inputs[0] == in_named(&t, "w1"));
            }
            CHECK(ox_block_output(t.onnx->top, 1) == gru->outputs[1]);
        }
        tg_free(&t);
    }
}

/* ---- two layers, both directions ---------------------------------------- */

static void test_lstm_two_layers_bidirectional(void)
{
    rnn_cfg c = {.op = "aten::lstm", .gates = 4, .layers = 2, .bidir = true, .biases = true};
    for (int k = 0; k < NOPSETS; k++) {
        tg t;
        CHECK(conv(&t, &c, opsets[k]) == OX_OK);
        if (!t.onnx) {
            tg_free(&t);
            continue;
        }
        CHECK_EQ_INT(tg_count(t.onnx, "onnx::LSTM"), 2);
        /* 2 layers x 2 directions x 4 weights x 3 gate slices + 4 state slices */
        CHECK_EQ_INT(tg_count(t.onnx, "onnx::Slice"), 2 * 2 * 4 * 3 + 4);
        CHECK_EQ_INT(tg_count(t.onnx, "onnx::Transpose"), 2);
        CHECK_EQ_INT(tg_count(t.onnx, "onnx::Reshape"), 2);
        CHECK_EQ_INT(tg_count(t.onnx, "onnx::Squeeze"), 0);
        ox_node *l0 = tg_find(t.onnx, "onnx::LSTM", 0), *l1 = tg_find(t.onnx, "onnx::LSTM", 1);
        if (!l0 || !l1) {
            tg_free(&t);
            continue;
        }
        for (int i = 0; i < 2; i++) {
            ox_node *l = i ? l1 : l0;
            const ox_attr *d = attr(l, "direction", OX_ATTR_S);
            CHECK(d && !strcmp(d->v.s, "bidirectional"));
            CHECK_EQ_INT(tg_attr_i(l, "hidden_size", -1), HIDDEN);
            /* the layer's states: rows [2i, 2i + 2) of h0 and c0 */
            CHECK(slice_is(l->inputs[5]->node, 2 * i, 2 * i + 2));
            CHECK(slice_is(l->inputs[6]->node, 2 * i, 2 * i + 2));
            CHECK(l->inputs[5]->node->inputs[0] == in_named(&t, "h0"));
            CHECK(l->inputs[6]->node->inputs[0] == in_named(&t, "c0"));
            /* W, R, B: Concat(forward, reverse), each Unsqueezed */
            for (int j = 1; j <= 3; j++) {
                ox_node *cat = l->inputs[j]->node;
                CHECK(ox_node_is(cat, "onnx::Concat") && cat->ninputs == 2 && tg_attr_i(cat, "axis", -1) == 0);
                if (cat->ninputs == 2)
                    CHECK(ox_node_is(cat->inputs[0]->node, "onnx::Unsqueeze") &&
                          ox_node_is(cat->inputs[1]->node, "onnx::Unsqueeze"));
            }
        }
        /* layer 1 reads layer 0's Y as (seq, batch, 2 * hidden) */
        ox_node *rs = l1->inputs[0]->node;
        CHECK(ox_node_is(rs, "onnx::Reshape"));
        if (ox_node_is(rs, "onnx::Reshape")) {
            static const int64_t merge[3] = {0, 0, -1}, perm[4] = {0, 2, 1, 3};
            ox_node *tr = rs->inputs[0]->node;
            CHECK(ox_node_is(tr, "onnx::Transpose") && tr->inputs[0] == l0->outputs[0]);
            const ox_attr *p = attr(tr, "perm", OX_ATTR_IS);
            CHECK(p && ints_are(p->v.is, p->n, perm, 4));
            CHECK(operand_is(rs, "shape", 1, merge, 3));
            CHECK(opsets[k] < 14 ? !ox_node_attr(rs, "allowzero") : tg_attr_i(rs, "allowzero", -1) == 0);
        }
        /* the reverse weights of layer 0 are w4..w7 */
        ox_node *wcat = l0->inputs[1]->node;
        if (wcat->ninputs == 2) {
            ox_node *rev = wcat->inputs[1]->node->inputs[0]->node; /* Unsqueeze <- Concat of gate slices */
            CHECK(ox_node_is(rev, "onnx::Concat") && rev->ninputs == 3 &&
                  rev->inputs[0]->node->inputs[0] == in_named(&t, "w4"));
        }
        /* h_n, c_n: the layers' states concatenated */
        ox_node *hn = out_node(&t, 1), *cn = out_node(&t, 2);
        CHECK(ox_node_is(hn, "onnx::Concat") && hn->ninputs == 2 && hn->inputs[0] == l0->outputs[1] &&
              hn->inputs[1] == l1->outputs[1]);
        CHECK(ox_node_is(cn, "onnx::Concat") && cn->ninputs == 2 && cn->inputs[0] == l0->outputs[2] &&
              cn->inputs[1] == l1->outputs[2]);
        CHECK(ox_node_is(out_node(&t, 0), "onnx::Reshape"));
        tg_free(&t);
    }
}

static void test_batch_first(void)
{
    static const int64_t perm[3] = {1, 0, 2};
    rnn_cfg c = {.op = "aten::gru", .gates = 3, .layers = 2, .batch_first = true, .biases = true};
    for (int k = 0; k < NOPSETS; k++) {
        tg t;
        CHECK(conv(&t, &c, opsets[k]) == OX_OK);
        if (!t.onnx) {
            tg_free(&t);
            continue;
        }
        CHECK_EQ_INT(tg_count(t.onnx, "onnx::GRU"), 2);
        CHECK_EQ_INT(tg_count(t.onnx, "onnx::Transpose"), 2);
        /* (batch, seq, feat) -> (seq, batch, feat) first, and back at the end */
        ox_node *first = tg_find(t.onnx, "onnx::Transpose", 0), *gru = tg_find(t.onnx, "onnx::GRU", 0);
        CHECK(first && first->inputs[0] == in_named(&t, "x"));
        const ox_attr *p = attr(first, "perm", OX_ATTR_IS);
        CHECK(p && ints_are(p->v.is, p->n, perm, 3));
        CHECK(gru && first && gru->inputs[0] == first->outputs[0]);
        ox_node *last = out_node(&t, 0);
        p = attr(last, "perm", OX_ATTR_IS);
        CHECK(ox_node_is(last, "onnx::Transpose") && p && ints_are(p->v.is, p->n, perm, 3));
        CHECK(ox_node_is(last->inputs[0]->node, "onnx::Squeeze"));
        /* the states are not batch-first */
        ox_node *g1 = tg_find(t.onnx, "onnx::GRU", 1);
        CHECK(g1 && slice_is(g1->inputs[5]->node, 1, 2));
        CHECK(ox_node_is(out_node(&t, 1), "onnx::Concat"));
        tg_free(&t);
    }
}

/* ---- RNN variants, no biases, packed, tuples, cells ---------------------- */

static void test_rnn_activations(void)
{
    for (int relu = 0; relu < 2; relu++) {
        for (int bidir = 0; bidir < 2; bidir++) {
            rnn_cfg c = {.op = relu ? "aten::rnn_relu" : "aten::rnn_tanh", .gates = 1, .layers = 1, .bidir = bidir,
                         .biases = true};
            tg t;
            CHECK(conv(&t, &c, 13) == OX_OK);
            ox_node *rnn = t.onnx ? tg_find(t.onnx, "onnx::RNN", 0) : NULL;
            CHECK(rnn != NULL);
            if (rnn) {
                /* RNN weights have one gate: no Slice, only the biases' Concat */
                CHECK_EQ_INT(tg_count(t.onnx, "onnx::Slice"), 0);
                /* per direction the biases, then B, W and R across directions */
                CHECK_EQ_INT(tg_count(t.onnx, "onnx::Concat"), bidir ? 2 + 3 : 1);
                const ox_attr *a = attr(rnn, "activations", OX_ATTR_SS);
                CHECK(a && a->n == (bidir ? 2 : 1));
                for (int i = 0; a && i < a->n; i++) CHECK_STR(a->v.ss[i], relu ? "Relu" : "Tanh");
                CHECK_EQ_INT(tg_attr_i(rnn, "hidden_size", -1), HIDDEN);
                CHECK(!ox_node_attr(rnn, "linear_before_reset"));
                CHECK_EQ_INT(rnn->noutputs, 2);
                /* sorted attributes, as torch's g.op */
                CHECK(rnn->attrs && !strcmp(rnn->attrs->name, "activations"));
                if (!bidir) CHECK(rnn->inputs[1]->node->inputs[0] == in_named(&t, "w0"));
            }
            tg_free(&t);
        }
    }
}

static void test_without_biases(void)
{
    rnn_cfg c = {.op = "aten::lstm", .gates = 4, .layers = 2, .bidir = true};
    tg t;
    CHECK(conv(&t, &c, 17) == OX_OK);
    if (t.onnx) {
        for (int i = 0; i < 2; i++) {
            ox_node *l = tg_find(t.onnx, "onnx::LSTM", i);
            CHECK(l && is_none(l->inputs[3]) && is_none(l->inputs[4]));
        }
        /* 2 layers x 2 directions x 2 weights x 3 gates, and the states */
        CHECK_EQ_INT(tg_count(t.onnx, "onnx::Slice"), 24 + 4);
        /* the second layer's W reads w6 (reverse w_ih of layer 0 is w2) */
        ox_node *l1 = tg_find(t.onnx, "onnx::LSTM", 1);
        if (l1 && l1->inputs[1]->node->ninputs == 2) {
            ox_node *fwd = l1->inputs[1]->node->inputs[0]->node->inputs[0]->node;
            CHECK(fwd->ninputs == 3 && fwd->inputs[0]->node->inputs[0] == in_named(&t, "w4"));
        }
    }
    tg_free(&t);
    rnn_cfg r = {.op = "aten::rnn_tanh", .gates = 1, .layers = 1};
    CHECK(conv(&t, &r, 9) == OX_OK);
    if (t.onnx) {
        CHECK_STR(tg_kinds(t.onnx), "prim::Constant,Unsqueeze,Unsqueeze,prim::Constant,RNN,Squeeze");
        ox_node *rnn = tg_find(t.onnx, "onnx::RNN", 0);
        CHECK(rnn && rnn->inputs[1]->node->inputs[0] == in_named(&t, "w0") &&
              rnn->inputs[2]->node->inputs[0] == in_named(&t, "w1") && is_none(rnn->inputs[3]));
    }
    tg_free(&t);
}

static void test_packed_overload(void)
{
    rnn_cfg lstm = {.op = "aten::lstm", .gates = 4, .layers = 1, .biases = true, .packed = true};
    rnn_cfg gru = {.op = "aten::gru", .gates = 3, .layers = 2, .biases = true, .packed = true};
    for (int k = 0; k < NOPSETS; k++) {
        tg t;
        CHECK(conv(&t, &lstm, opsets[k]) == OX_OK);
        ox_node *l = t.onnx ? tg_find(t.onnx, "onnx::LSTM", 0) : NULL;
        /* batch_sizes is the sequence_lens input */
        CHECK(l && l->inputs[0] == in_named(&t, "x") && l->inputs[4] == in_named(&t, "bs") &&
              l->inputs[5] == in_named(&t, "h0"));
        tg_free(&t);
        CHECK(conv(&t, &gru, opsets[k]) == OX_OK);
        if (t.onnx) {
            CHECK_EQ_INT(tg_count(t.onnx, "onnx::GRU"), 2);
            CHECK_EQ_INT(tg_count(t.onnx, "onnx::Transpose"), 0);
            ox_node *g1 = tg_find(t.onnx, "onnx::GRU", 1);
            CHECK(g1 && g1->inputs[4] == in_named(&t, "bs"));
        }
        tg_free(&t);
    }
}

static void test_states_as_tuple(void)
{
    rnn_cfg c = {.op = "aten::lstm", .gates = 4, .layers = 1, .biases = true, .hx_kind = "prim::TupleConstruct"};
    tg t;
    CHECK(conv(&t, &c, 13) == OX_OK);
    ox_node *l = t.onnx ? tg_find(t.onnx, "onnx::LSTM", 0) : NULL;
    CHECK(l && l->inputs[5] == in_named(&t, "h0") && l->inputs[6] == in_named(&t, "c0"));
    tg_free(&t);
}

#define CELL(bias_nodes, b_ih, b_hh)                                                                              \
    TG_JSON("[{\"name\":\"x\",\"type\":" TG_F32("3,4") "},{\"name\":\"h\",\"type\":" TG_F32("3,6") "},"           \
            "{\"name\":\"c\",\"type\":" TG_F32("3,6") "},{\"name\":\"wi\",\"type\":" TG_F32("24,4") "},"          \
            "{\"name\":\"wh\",\"type\":" TG_F32("24,6") "},{\"name\":\"bi\",\"type\":" TG_F32("24") "},"          \
            "{\"name\":\"bh\",\"type\":" TG_F32("24") "}]",                                                      \
            "[" bias_nodes "{\"kind\":\"prim::ListConstruct\",\"inputs\":[\"h\",\"c\"],\"outputs\":[{\"name\":"  \
            "\"hx\",\"type\":{\"kind\":\"list\",\"elem\":{\"kind\":\"tensor\"}}}]},"                               \
            "{\"kind\":\"aten::lstm_cell\",\"inputs\":[\"x\",\"hx\",\"wi\",\"wh\",\"" b_ih "\",\"" b_hh "\"],"    \
            "\"outputs\":[{\"name\":\"hy\",\"type\":" TG_F32("3,6") "},{\"name\":\"cy\",\"type\":" TG_F32("3,6") \
            "}]}]",                                                                                               \
            "[\"hy\",\"cy\"]")

static void test_lstm_cell(void)
{
    for (int k = 0; k < NOPSETS; k++) {
        tg t;
        tg_init(&t);
        CHECK(tg_convert(&t, CELL("", "bi", "bh"), opsets[k]) == OX_OK);
        if (!t.onnx) {
            tg_free(&t);
            continue;
        }
        if (opsets[k] == 9)
            CHECK_STR(tg_kinds(t.onnx),
                      "Unsqueeze,Unsqueeze,Unsqueeze,prim::Constant,Slice,Slice,Slice,Concat,Slice,Slice,Slice,Concat,"
                      "Slice,Slice,Slice,Concat,Slice,Slice,Slice,Concat,Concat,Unsqueeze,Unsqueeze,Unsqueeze,LSTM,"
                      "Squeeze,Squeeze");
        ox_node *l = tg_find(t.onnx, "onnx::LSTM", 0);
        CHECK(l != NULL);
        if (l) {
            int64_t zero = 0;
            /* input and states get a (sequence / direction) axis of 1 */
            CHECK(ox_node_is(l->inputs[0]->node, "onnx::Unsqueeze") && l->inputs[0]->node->inputs[0] == in_named(&t, "x"));
            CHECK(ox_node_is(l->inputs[5]->node, "onnx::Unsqueeze") && l->inputs[5]->node->inputs[0] == in_named(&t, "h"));
            CHECK(ox_node_is(l->inputs[6]->node, "onnx::Unsqueeze") && l->inputs[6]->node->inputs[0] == in_named(&t, "c"));
            ox_node *hy = out_node(&t, 0), *cy = out_node(&t, 1);
            CHECK(ox_node_is(hy, "onnx::Squeeze") && hy->inputs[0] == l->outputs[1] && operand_is(hy, "axes", 1, &zero, 1));
            CHECK(ox_node_is(cy, "onnx::Squeeze") && cy->inputs[0] == l->outputs[2] && operand_is(cy, "axes", 1, &zero, 1));
            CHECK(is_none(l->inputs[4]) && !is_none(l->inputs[3]));
        }
        tg_free(&t);
    }
    /* without biases: B is omitted */
    tg t;
    tg_init(&t);
    CHECK(tg_convert(&t, CELL(TG_CONST_NONE("none") ",", "none", "none"), 13) == OX_OK);
    ox_node *l = t.onnx ? tg_find(t.onnx, "onnx::LSTM", 0) : NULL;
    CHECK(l && is_none(l->inputs[3]));
    tg_free(&t);
    /* one bias only: a clear error */
    tg_init(&t);
    CHECK_EQ_INT(tg_convert(&t, CELL(TG_CONST_NONE("none") ",", "bi", "none"), 13), ONNXIFY_ERR_SYMBOLIC_VALUE);
    CHECK_CONTAINS(t.ctx.message, "b_ih is given but b_hh is None");
    tg_free(&t);
}

/* ---- what is refused ---------------------------------------------------- */

static void expect_error(const rnn_cfg *c, int status, const char *needle)
{
    tg t;
    tg_init(&t);
    CHECK_EQ_INT(tg_convert(&t, rnn_json(c), 13), status);
    CHECK_CONTAINS(t.ctx.message, needle);
    tg_free(&t);
}

static void test_errors(void)
{
    /* dropout between layers in training, as torch */
    rnn_cfg c = {.op = "aten::lstm", .gates = 4, .layers = 2, .biases = true, .dropout = 0.5, .train = 1};
    expect_error(&c, ONNXIFY_ERR_SYMBOLIC_VALUE,
                 "Unsupported: ONNX export of operator RNN/GRU/LSTM, dropout in training mode");
    /* in eval (train=False) dropout is ignored */
    c.train = 0;
    tg t;
    CHECK(conv(&t, &c, 13) == OX_OK);
    tg_free(&t);
    /* and training without dropout is fine */
    c.train = 1;
    c.dropout = 0;
    CHECK(conv(&t, &c, 13) == OX_OK);
    tg_free(&t);

    /* an LSTM whose parameter count does not fit has projections (w_hr) */
    rnn_cfg p = {.op = "aten::lstm", .gates = 4, .layers = 1, .biases = true, .nweights = 5};
    expect_error(&p, ONNXIFY_ERR_SYMBOLIC_VALUE, "Unsupported: ONNX export of operator LSTM, LSTMs with projections");
    rnn_cfg gw = {.op = "aten::gru", .gates = 3, .layers = 2, .biases = true, .nweights = 6};
    expect_error(&gw, ONNXIFY_ERR_SYMBOLIC_VALUE, "aten::gru: expected 2 layers x 1 directions x 4 parameters, got 6");
    rnn_cfg hs = {.op = "aten::rnn_tanh", .gates = 1, .layers = 1, .biases = true, .hh_shapeless = true};
    expect_error(&hs, ONNXIFY_ERR_SYMBOLIC_VALUE, "Unsupported: ONNX export of operator RNN/GRU/LSTM, unknown hidden size");
    rnn_cfg nl = {.op = "aten::gru", .gates = 3, .layers = 0, .biases = true, .nweights = 4};
    expect_error(&nl, ONNXIFY_ERR_SYMBOLIC_VALUE, "num_layers must be at least 1, got 0");
    rnn_cfg huge = {.op = "aten::rnn_relu", .gates = 1, .layers = 2147483647, .biases = true, .nweights = 4};
    expect_error(&huge, ONNXIFY_ERR_SYMBOLIC_VALUE, "expected 2147483647 layers x 1 directions x 4 parameters, got 4");
    rnn_cfg dyn = {.op = "aten::gru", .gates = 3, .layers = 1, .biases = true, .num_layers_input = true};
    expect_error(&dyn, ONNXIFY_ERR_SYMBOLIC_VALUE, "is not a constant int");

    /* states that are not [h0, c0]; a parameter list that is not a list */
    const char *three = TG_JSON(
        "[{\"name\":\"x\",\"type\":" TG_F32("5,3,4") "},{\"name\":\"h\",\"type\":" TG_F32("1,3,6") "}]",
        "[{\"kind\":\"prim::ListConstruct\",\"inputs\":[\"h\",\"h\",\"h\"],\"outputs\":[{\"name\":\"hx\",\"type\":"
        "{\"kind\":\"list\",\"elem\":{\"kind\":\"tensor\"}}}]},"
        "{\"kind\":\"prim::ListConstruct\",\"inputs\":[\"h\"],\"outputs\":[{\"name\":\"ps\",\"type\":"
        "{\"kind\":\"list\",\"elem\":{\"kind\":\"tensor\"}}}]}," TG_CONST_BOOL("t", 1) "," TG_CONST_INT("one", 1) ","
        TG_CONST_FLOAT("z", 0.0) ",{\"kind\":\"aten::lstm\",\"inputs\":[\"x\",\"hx\",\"ps\",\"t\",\"one\",\"z\","
        "\"t\",\"t\",\"t\"],\"outputs\":[{\"name\":\"y\",\"type\":{\"kind\":\"tensor\"}},{\"name\":\"hn\","
        "\"type\":{\"kind\":\"tensor\"}},{\"name\":\"cn\",\"type\":{\"kind\":\"tensor\"}}]}]",
        "[\"y\",\"hn\",\"cn\"]");
    tg_init(&t);
    CHECK_EQ_INT(tg_convert(&t, three, 13), ONNXIFY_ERR_SYMBOLIC_VALUE);
    CHECK_CONTAINS(t.ctx.message, "aten::lstm expects the initial states [h0, c0], got 3 tensors");
    tg_free(&t);
    const char *not_list = TG_JSON(
        "[{\"name\":\"x\",\"type\":" TG_F32("5,3,4") "},{\"name\":\"h\",\"type\":" TG_F32("1,3,6") "}]",
        "[" TG_CONST_BOOL("t", 1) "," TG_CONST_BOOL("f", 0) "," TG_CONST_INT("one", 1) "," TG_CONST_FLOAT("z", 0.0)
        ",{\"kind\":\"aten::gru\",\"inputs\":[\"x\",\"h\",\"h\",\"t\",\"one\",\"z\",\"f\",\"f\",\"f\"],"
        "\"outputs\":[{\"name\":\"y\",\"type\":{\"kind\":\"tensor\"}},{\"name\":\"hn\",\"type\":{\"kind\":\"tensor\"}}]}]",
        "[\"y\",\"hn\"]");
    tg_init(&t);
    CHECK_EQ_INT(tg_convert(&t, not_list, 13), ONNXIFY_ERR_SYMBOLIC_VALUE);
    CHECK_CONTAINS(t.ctx.message, "list that is not built by prim::ListConstruct");
    tg_free(&t);
    /* too few arguments read as None: an error, never a crash */
    const char *short_args = TG_JSON(
        "[{\"name\":\"x\",\"type\":" TG_F32("5,3,4") "},{\"name\":\"h\",\"type\":" TG_F32("1,3,6") "}]",
        "[{\"kind\":\"aten::rnn_relu\",\"inputs\":[\"x\",\"h\"],\"outputs\":[{\"name\":\"y\",\"type\":"
        "{\"kind\":\"tensor\"}},{\"name\":\"hn\",\"type\":{\"kind\":\"tensor\"}}]}]",
        "[\"y\",\"hn\"]");
    tg_init(&t);
    CHECK_EQ_INT(tg_convert(&t, short_args, 13), ONNXIFY_ERR_SYMBOLIC_VALUE);
    tg_free(&t);
}

/* gru_cell / rnn_tanh_cell / rnn_relu_cell have no symbolic in torch 1.13 */
static void test_other_cells_unsupported(void)
{
    static const char *const cells[] = {"aten::gru_cell", "aten::rnn_tanh_cell", "aten::rnn_relu_cell"};
    for (int i = 0; i < 3; i++) CHECK(ox_symbolic_lookup(cells[i], 17) == NULL);
    CHECK(ox_symbolic_lookup("aten::lstm_cell", 9) != NULL);
    CHECK_EQ_INT(ox_symbolic_first_opset("aten::lstm"), 9);
    /* in-place spellings reach the same symbolic */
    CHECK(ox_symbolic_lookup("aten::rnn_relu", 13) != NULL);
}

static const ox_test_case tests[] = {
    {"lstm_one_layer", test_lstm_one_layer},
    {"gru_gate_order", test_gru_gate_order},
    {"lstm_two_layers_bidirectional", test_lstm_two_layers_bidirectional},
    {"batch_first", test_batch_first},
    {"rnn_activations", test_rnn_activations},
    {"without_biases", test_without_biases},
    {"packed_overload", test_packed_overload},
    {"states_as_tuple", test_states_as_tuple},
    {"lstm_cell", test_lstm_cell},
    {"errors", test_errors},
    {"other_cells_unsupported", test_other_cells_unsupported},
};

OX_TEST_MAIN(tests)
