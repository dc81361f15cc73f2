/* Test helpers: build a TorchScript graph from a graph-description JSON
 * string, run the torch-level passes and the conversion (or the whole
 * pipeline), and look at the result. Header-only; include once per test. */
#ifndef OX_TEST_GRAPH_UTIL_H
#define OX_TEST_GRAPH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "front/graph_reader.h"
#include "passes/passes.h"
#include "passes/pipeline.h"

typedef struct tg {
    ox_arena *arena;
    ox_ctx ctx;
    ox_graph *torch;   /* the graph as read */
    ox_graph *onnx;    /* after the conversion (tg_convert) or the pipeline (tg_pipeline) */
    bool training;
} tg;

/* A description with the given inputs/nodes/outputs JSON fragments:
 *   TG_JSON("[{\"name\":\"x\",\"type\":{...}}]", "[...nodes...]", "[\"y\"]") */
#define TG_JSON(inputs, nodes, outputs)                                                      \
    "{\"format\":\"onnxify-graph\",\"version\":1,\"graph\":{\"inputs\":" inputs ",\"nodes\":" \
    nodes ",\"outputs\":" outputs "}}"
/* Common type fragments. */
#define TG_F32(shape) "{\"kind\":\"tensor\",\"dtype\":\"float32\",\"shape\":[" shape "]}"
#define TG_I64(shape) "{\"kind\":\"tensor\",\"dtype\":\"int64\",\"shape\":[" shape "]}"
#define TG_INT "{\"kind\":\"int\"}"
#define TG_FLOAT "{\"kind\":\"float\"}"
#define TG_BOOL "{\"kind\":\"bool\"}"
#define TG_NONE "{\"kind\":\"none\"}"
#define TG_INTS "{\"kind\":\"list\",\"elem\":{\"kind\":\"int\"}}"
/* A prim::Constant node producing `name`. */
#define TG_CONST_INT(name, v) \
    "{\"kind\":\"prim::Constant\",\"inputs\":[],\"outputs\":[{\"name\":\"" name "\",\"type\":" TG_INT "}],\"attributes\":[{\"name\":\"value\",\"kind\":\"i\",\"value\":" #v "}]}"
#define TG_CONST_FLOAT(name, v) \
    "{\"kind\":\"prim::Constant\",\"inputs\":[],\"outputs\":[{\"name\":\"" name "\",\"type\":" TG_FLOAT "}],\"attributes\":[{\"name\":\"value\",\"kind\":\"f\",\"value\":" #v "}]}"
#define TG_CONST_BOOL(name, v) \
    "{\"kind\":\"prim::Constant\",\"inputs\":[],\"outputs\":[{\"name\":\"" name "\",\"type\":" TG_BOOL "}],\"attributes\":[{\"name\":\"value\",\"kind\":\"i\",\"value\":" #v "}]}"
#define TG_CONST_NONE(name) \
    "{\"kind\":\"prim::Constant\",\"inputs\":[],\"outputs\":[{\"name\":\"" name "\",\"type\":" TG_NONE "}]}"
#define TG_CONST_INTS(name, ...) \
    "{\"kind\":\"prim::Constant\",\"inputs\":[],\"outputs\":[{\"name\":\"" name "\",\"type\":" TG_INTS "}],\"attributes\":[{\"name\":\"value\",\"kind\":\"is\",\"value\":[" #__VA_ARGS__ "]}]}"

static inline void tg_init(tg *t)
{
    memset(t, 0, sizeof(*t));
    t->arena = ox_arena_new();
    ox_ctx_init(&t->ctx, t->arena);
}

static inline void tg_free(tg *t)
{
    ox_ctx_release(&t->ctx);
    ox_arena_free(t->arena);
}

static inline ox_status tg_read(tg *t, const char *json, const uint8_t *weights, size_t wlen)
{
    ox_graph_description d;
    ox_status st = ox_read_graph_description(&t->ctx, json, strlen(json), weights, wlen, &d);
    if (st == OX_OK) t->torch = d.graph;
    else fprintf(stderr, "tg_read: %s\n", t->ctx.message ? t->ctx.message : "?");
    return st;
}

static inline ox_export_settings tg_settings(int opset, bool training)
{
    ox_export_settings s;
    memset(&s, 0, sizeof(s));
    s.opset = opset;
    s.training = training;
    s.training_mode = training ? ONNXIFY_TRAINING_TRAIN : ONNXIFY_TRAINING_EVAL;
    s.export_type = ONNXIFY_OPERATOR_EXPORT_ONNX;
    s.do_constant_folding = true;
    s.export_params = true;
    s.onnx_shape_inference = false; /* see what symbolics emit; tg_pipeline turns it on */
    return s;
}

/* Reads `json`, runs the torch-level passes and the conversion only. */
static inline ox_status tg_convert(tg *t, const char *json, int opset)
{
    ox_status st = tg_read(t, json, NULL, 0);
    if (st != OX_OK) return st;
    t->ctx.opset = opset;
    ox_export_settings s = tg_settings(opset, t->training);
    if ((st = ox_pass_lower_tuples(t->torch, NULL)) == OX_OK &&
        (st = ox_pass_constant_propagation(t->torch, NULL)) == OX_OK && (st = ox_pass_dce(t->torch, NULL)) == OX_OK &&
        (st = ox_pass_cse(t->torch, NULL)) == OX_OK && (st = ox_pass_canonicalize_fuser_ops(t->torch, NULL)) == OX_OK &&
        (st = ox_pass_peephole(t->torch, NULL)) == OX_OK && (st = ox_pass_fuse_addmm(t->torch, NULL)) == OX_OK &&
        (st = ox_pass_peephole(t->torch, NULL)) == OX_OK &&
        (st = ox_pass_onnx_preprocess(t->torch, NULL)) == OX_OK &&
        (st = ox_pass_erase_number_types(t->torch, NULL)) == OX_OK && (st = ox_pass_dce(t->torch, NULL)) == OX_OK)
        st = ox_pass_to_onnx(t->torch, &s, &t->onnx);
    if (st != OX_OK) fprintf(stderr, "tg_convert: %s\n", t->ctx.message ? t->ctx.message : "?");
    return st;
}

/* Reads `json` (+ safetensors weights) and runs the whole pass pipeline. */
static inline ox_status tg_pipeline(tg *t, const char *json, const uint8_t *w, size_t wlen, int opset)
{
    ox_status st = tg_read(t, json, w, wlen);
    if (st != OX_OK) return st;
    t->ctx.opset = opset;
    ox_export_settings s = tg_settings(opset, t->training);
    s.onnx_shape_inference = true;
    onnxify_options opt;
    onnxify_options_init(&opt);
    st = ox_run_pipeline(t->torch, &s, &opt, &t->onnx);
    if (st != OX_OK) fprintf(stderr, "tg_pipeline: %s\n", t->ctx.message ? t->ctx.message : "?");
    return st;
}

/* Number of nodes of `kind` in the top block. */
static inline int tg_count(ox_graph *g, const char *kind)
{
    int n = 0;
    for (ox_node *x = ox_block_first(g->top); x != g->top->ret; x = x->next) n += ox_node_is(x, kind);
    return n;
}

/* The nth (0-based) node of `kind` in the top block, or NULL. */
static inline ox_node *tg_find(ox_graph *g, const char *kind, int nth)
{
    for (ox_node *x = ox_block_first(g->top); x != g->top->ret; x = x->next)
        if (ox_node_is(x, kind) && nth-- == 0) return x;
    return NULL;
}

/* Number of nodes in the top block. */
static inline int tg_size(ox_graph *g)
{
    int n = 0;
    for (ox_node *x = ox_block_first(g->top); x != g->top->ret; x = x->next) n++;
    return n;
}

/* "Transpose,Gemm": the node kinds of the top block after DCE, "onnx::"
 * dropped (a static buffer: one result at a time). */
static inline const char *tg_kinds(ox_graph *g)
{
    static char buf[2048];
    size_t len = 0;
    buf[0] = 0;
    ox_pass_dce(g, NULL);
    for (ox_node *n = ox_block_first(g->top); n != g->top->ret; n = n->next) {
        const char *k = strncmp(n->kind, "onnx::", 6) == 0 ? n->kind + 6 : n->kind;
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", len ? "," : "", k);
        if (len >= sizeof buf) break;
    }
    return buf;
}

/* An empty graph for tests that build with the IR API directly. */
static inline ox_graph *tg_empty_graph(tg *t)
{
    tg_init(t);
    return ox_graph_new(&t->ctx);
}

/* Integer attribute or `dflt`. */
static inline int64_t tg_attr_i(ox_node *n, const char *name, int64_t dflt)
{
    ox_attr *a = ox_node_attr(n, name);
    return a && a->kind == OX_ATTR_I ? a->v.i : dflt;
}

/* A whole file, NUL-terminated (paths are relative to the repository root,
 * where ctest runs); NULL when it cannot be read. free() it. */
static inline uint8_t *tg_read_file(const char *path, size_t *len)
{
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s (run from the repository root)\n", path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = 0;
        *len = (size_t)n;
    }
    return buf;
}

/* The bundled example (examples/mlp): its graph description and weights. */
typedef struct tg_mlp {
    char *json;
    size_t json_len;
    uint8_t *w;
    size_t w_len;
} tg_mlp;

static inline bool tg_mlp_load(tg_mlp *m)
{
    m->json = (char *)tg_read_file("examples/mlp/graph.json", &m->json_len);
    m->w = tg_read_file("examples/mlp/weights.safetensors", &m->w_len);
    return m->json && m->w;
}

static inline void tg_mlp_free(tg_mlp *m)
{
    free(m->json);
    free(m->w);
}

#endif
