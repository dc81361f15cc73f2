/* Robustness: whatever a graph description says, an export returns a status —
 * never a crash, an abort or a read out of bounds (this runs under ASan and
 * UBSan). Real graphs are read, then damaged at random in ways the reader
 * cannot rule out because they are well-formed JSON: a node loses or gains
 * inputs, an input is swapped for another value, a type changes rank or
 * dtype, a constant's value changes kind. Each damaged graph goes through the
 * whole pipeline and the serializer. Deterministic (fixed seeds). */
#include <stdio.h>
#include <stdlib.h>

#include "graph_util.h"
#include "onnx/serialize.h"
#include "test.h"

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t next(rng *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return r->s;
}

static int below(rng *r, int n) { return n > 0 ? (int)(next(r) % (uint64_t)n) : 0; }

/* The nodes of the top block, in order. */
static int collect_nodes(ox_graph *g, ox_node **out, int cap)
{
    int n = 0;
    for (ox_node *x = ox_block_first(g->top); x != g->top->ret && n < cap; x = x->next) out[n++] = x;
    return n;
}

/* A value defined before node `at` (a graph input or an earlier output). */
static ox_value *earlier_value(rng *r, ox_graph *g, ox_node **nodes, int at)
{
    int nin = ox_block_ninputs(g->top);
    int pick = below(r, nin + at);
    if (pick < nin) return ox_block_input(g->top, pick);
    ox_node *p = nodes[pick - nin];
    return p->noutputs ? p->outputs[below(r, p->noutputs)] : ox_block_input(g->top, 0);
}

static const ox_dtype dtypes[] = {OX_FLOAT, OX_INT64, OX_BOOL, OX_DOUBLE, OX_INT32, OX_UINT8, OX_FLOAT16};

static void damage(rng *r, tg *t)
{
    ox_graph *g = t->torch;
    ox_node *nodes[4096];
    int n = collect_nodes(g, nodes, 4096);
    if (n == 0 || ox_block_ninputs(g->top) == 0) return;
    int rounds = 1 + below(r, 3);
    for (int k = 0; k < rounds; k++) {
        int at = below(r, n);
        ox_node *x = nodes[at];
        switch (below(r, 6)) {
        case 0: /* drop an input */
            if (x->ninputs) ox_node_remove_input(x, below(r, x->ninputs));
            break;
        case 1: /* an extra input */
            ox_node_add_input(x, earlier_value(r, g, nodes, at));
            break;
        case 2: /* another value in an input slot */
            if (x->ninputs) ox_node_set_input(x, below(r, x->ninputs), earlier_value(r, g, nodes, at));
            break;
        case 3: { /* a type of another rank or dtype, or none at all */
            if (!x->noutputs) break;
            ox_value *v = x->outputs[below(r, x->noutputs)];
            int rank = below(r, 5) - 1;
            int64_t dims[4] = {1 + below(r, 4), below(r, 5), 1 + below(r, 3), 2};
            v->type = below(r, 5) == 0 ? ox_type_new(t->arena, OX_TYPE_INT)
                                       : ox_type_tensor(t->arena, dtypes[below(r, 7)], rank, dims);
            break;
        }
        case 4: { /* a constant of another kind */
            if (!ox_node_is(x, "prim::Constant")) break;
            switch (below(r, 4)) {
            case 0: ox_node_set_f(x, "value", 0.5); break;
            case 1: ox_node_set_s(x, "value", "nonsense"); break;
            case 2: ox_node_set_is(x, "value", (int64_t[]){-1, 0, 7}, 3); break;
            default: ox_node_remove_attr(x, "value"); break;
            }
            break;
        }
        default: { /* a graph input of another shape */
            ox_value *v = ox_block_input(g->top, below(r, ox_block_ninputs(g->top)));
            if (v->init) break; /* parameters keep their data's shape */
            int64_t dims[4] = {below(r, 3), 3, below(r, 9), below(r, 9)};
            v->type = ox_type_tensor(t->arena, OX_FLOAT, below(r, 5), dims);
            break;
        }
        }
    }
}

/* One damaged export: whatever happens, a status comes back; success means
 * serialized bytes. */
static void export_damaged(const char *json, const uint8_t *w, size_t wlen, uint64_t seed, int opset,
                           int *ok, int *failed)
{
    tg t;
    tg_init(&t);
    if (tg_read(&t, json, w, wlen) != OX_OK) {
        tg_free(&t);
        return;
    }
    rng r = {seed * 2654435761u + 1};
    damage(&r, &t);
    t.ctx.opset = opset;
    ox_export_settings s = tg_settings(opset, false);
    s.onnx_shape_inference = true;
    onnxify_options opt;
    onnxify_options_init(&opt);
    ox_graph *onnx = NULL;
    ox_status st = ox_run_pipeline(t.torch, &s, &opt, &onnx);
    if (st == OX_OK) {
        ox_buffer out;
        ox_buffer_init(&out);
        ox_serialize_options so;
        ox_serialize_options_init(&so);
        so.check = true;
        st = ox_serialize_model(onnx, &s, &so, &out);
        if (st == OX_OK) CHECK(out.len > 0);
        ox_buffer_free(&out);
    }
    if (st == OX_OK) (*ok)++;
    else {
        (*failed)++;
        CHECK(t.ctx.message && *t.ctx.message); /* every failure says why */
        CHECK(st != ONNXIFY_ERR_INTERNAL || (t.ctx.message && *t.ctx.message));
    }
    tg_free(&t);
}

static void run_on(const char *dir, int iterations)
{
    char path[512];
    size_t glen = 0, wlen = 0;
    snprintf(path, sizeof path, "%s/graph.json", dir);
    char *json = (char *)tg_read_file(path, &glen);
    snprintf(path, sizeof path, "%s/weights.safetensors", dir);
    uint8_t *w = tg_read_file(path, &wlen);
    if (!json || !w) {
        printf("skipped %s (not built: make fixtures)\n", dir);
        free(json);
        free(w);
        return;
    }
    int ok = 0, failed = 0;
    static const int opsets[] = {9, 11, 13, 17, 18};
    for (int i = 0; i < iterations; i++)
        export_damaged(json, w, wlen, (uint64_t)i, opsets[i % 5], &ok, &failed);
    printf("%s: %d damaged graphs, %d exported, %d refused with a message\n", dir, iterations, ok, failed);
    CHECK(ok + failed > 0);
    free(json);
    free(w);
}

static void test_example_mlp(void) { run_on("examples/mlp", 1500); }
static void test_transformer_fixture(void) { run_on("build/fixtures/transformer_encoder_layer", 400); }
static void test_mobilenet_fixture(void) { run_on("build/fixtures/mobilenet_v2", 40); }
static void test_resnet_fixture(void) { run_on("build/fixtures/resnet18", 40); }

static const ox_test_case tests[] = {
    {"example_mlp", test_example_mlp},
    {"transformer_fixture", test_transformer_fixture},
    {"mobilenet_fixture", test_mobilenet_fixture},
    {"resnet_fixture", test_resnet_fixture},
};
OX_TEST_MAIN(tests)
