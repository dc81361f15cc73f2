/* Tests of the whole pass pipeline (src/passes/pipeline.c ox_run_pipeline)
 * on examples/mlp (Linear -> ReLU -> Dropout -> Linear), and of the
 * serialized model through onnxify_export: initializers, graph inputs,
 * training mode. Runs from the repository root (ctest's working directory). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_util.h"
#include "onnx.pb-c.h"
#include "test.h"

/* ---- fixtures ------------------------------------------------------------- */

/* examples/mlp, with a check that it could be read. */
static bool mlp_load(tg_mlp *m)
{
    bool ok = tg_mlp_load(m);
    CHECK(ok);
    return ok;
}

/* The mlp captured in training mode: dropout's train flag (the bool
 * constant "35") set to true. */
static bool mlp_train_flag(tg_mlp *m)
{
    char *at = strstr(m->json, "\"name\": \"35\"");
    char *v = at ? strstr(at, "\"value\": 0}") : NULL;
    CHECK(v != NULL);
    if (!v) return false;
    v[strlen("\"value\": ")] = '1';
    return true;
}

static const char *const PARAMS[] = {"0.weight", "0.bias", "3.weight", "3.bias"};

/* Runs the pipeline on the mlp at `opset`; the caller frees t. */
static ox_status run(tg *t, const tg_mlp *m, int opset, bool training)
{
    tg_init(t);
    t->training = training;
    return tg_pipeline(t, m->json, m->w, m->w_len, opset);
}

static int node_count(ox_graph *g)
{
    int n = 0;
    for (ox_node *x = ox_block_first(g->top); x != g->top->ret; x = x->next) n++;
    return n;
}

/* ======================================================================== */
/* ox_run_pipeline                                                            */
/* ======================================================================== */

static void test_pipeline_mlp_eval(void)
{
    tg_mlp m;
    if (!mlp_load(&m)) return;
    static const int opsets[] = {9, 13, 17};
    for (int k = 0; k < 3; k++) {
        tg t;
        CHECK_EQ_INT(run(&t, &m, opsets[k], false), OX_OK);
        if (t.onnx) {
            ox_graph *g = t.onnx;
            /* Gemm, Relu, Gemm: the Dropout and its constants are gone in eval */
            CHECK_EQ_INT(node_count(g), 3);
            ox_node *g1 = ox_block_first(g->top), *r = g1->next, *g2 = r->next;
            CHECK(ox_node_is(g1, "onnx::Gemm"));
            CHECK(ox_node_is(r, "onnx::Relu"));
            CHECK(ox_node_is(g2, "onnx::Gemm"));
            CHECK_EQ_INT(tg_count(g, "onnx::Dropout"), 0);
            CHECK_EQ_INT(tg_count(g, "onnx::Constant"), 0);
            CHECK_EQ_INT(tg_attr_i(g1, "transB", -1), 1);
            CHECK_EQ_INT(tg_attr_i(g2, "transB", -1), 1);
            CHECK(r->inputs[0] == g1->outputs[0]);
            CHECK(g2->inputs[0] == r->outputs[0]);
            /* inputs: the user input, then the parameters named by state-dict key */
            CHECK_EQ_INT(ox_block_ninputs(g->top), 5);
            ox_value *x = ox_block_input(g->top, 0);
            CHECK_STR(x->name, "onnx::Gemm_0");
            CHECK(x->init == NULL);
            CHECK(g1->inputs[0] == x);
            for (int i = 0; i < 4 && ox_block_ninputs(g->top) == 5; i++) {
                ox_value *p = ox_block_input(g->top, i + 1);
                CHECK_STR(p->name, PARAMS[i]);
                CHECK(p->init != NULL);
            }
            CHECK_STR(g1->inputs[1]->name, "0.weight");
            CHECK_STR(g1->inputs[2]->name, "0.bias");
            CHECK_STR(g2->inputs[1]->name, "3.weight");
            CHECK_STR(g2->inputs[2]->name, "3.bias");
            /* the parameters' data is the weights file's */
            const ox_tensor *w0 = ox_block_input(g->top, 1)->init;
            CHECK(w0 && w0->dtype == OX_FLOAT && w0->rank == 2 && w0->dims[0] == 8 && w0->dims[1] == 4);
            CHECK(w0 && (const uint8_t *)w0->data >= m.w && (const uint8_t *)w0->data < m.w + m.w_len);
            /* node names from the scopes, output names from the node names */
            CHECK_STR(g1->name, "/0/Gemm");
            CHECK_STR(r->name, "/1/Relu");
            CHECK_STR(g2->name, "/3/Gemm");
            CHECK_STR(g1->outputs[0]->name, "/0/Gemm_output_0");
            CHECK_STR(r->outputs[0]->name, "/1/Relu_output_0");
            /* the graph output: only returned, it keeps its canonical number */
            CHECK_EQ_INT(ox_block_noutputs(g->top), 1);
            ox_value *y = ox_block_output(g->top, 0);
            CHECK(y == g2->outputs[0]);
            CHECK_STR(y->name, "7");
            CHECK(y->type->kind == OX_TYPE_TENSOR && y->type->dtype == OX_FLOAT && y->type->rank == 2 &&
                  y->type->dims[0] == 2 && y->type->dims[1] == 3);
        }
        tg_free(&t);
    }
    tg_mlp_free(&m);
}

/* training at opset 13: Dropout(data, ratio, training_mode) with 2 outputs */
static void test_pipeline_mlp_training(void)
{
    tg_mlp m;
    if (!mlp_load(&m)) return;
    if (!mlp_train_flag(&m)) {
        tg_mlp_free(&m);
        return;
    }
    tg t;
    CHECK_EQ_INT(run(&t, &m, 13, true), OX_OK);
    if (t.onnx) {
        ox_node *d = tg_find(t.onnx, "onnx::Dropout", 0);
        CHECK(d != NULL);
        if (d) {
            CHECK_EQ_INT(d->noutputs, 2);
            CHECK_EQ_INT(d->ninputs, 3);
            CHECK(ox_node_is(d->inputs[0]->node, "onnx::Relu"));
            CHECK_STR(d->name, "/2/Dropout");
            double ratio = 0;
            CHECK(d->ninputs == 3 && ox_value_const_tensor(d->inputs[1]) &&
                  (ratio = ox_tensor_get_f(ox_value_const_tensor(d->inputs[1]), 0)) > 0.0999 && ratio < 0.1001);
            const ox_tensor *tm = d->ninputs == 3 ? ox_value_const_tensor(d->inputs[2]) : NULL;
            CHECK(tm && tm->dtype == OX_BOOL && ox_tensor_get_i(tm, 0) == 1);
            ox_node *g2 = tg_find(t.onnx, "onnx::Gemm", 1);
            CHECK(g2 && g2->inputs[0] == d->outputs[0]);
        }
        CHECK_EQ_INT(tg_count(t.onnx, "onnx::Gemm"), 2);
    }
    tg_free(&t);
    tg_mlp_free(&m);
}

/* A failing pass is reported with its name; unsupported operators are not prefixed. */
static void test_pipeline_errors(void)
{
    tg t;
    tg_init(&t);
    const char *json = TG_JSON("[{\"name\":\"x\",\"type\":" TG_F32("2") "}]",
                               "[{\"kind\":\"aten::does_not_exist\",\"inputs\":[\"x\"],\"outputs\":[{\"name\":\"y\","
                               "\"type\":" TG_F32("2") "}]}]",
                               "[\"y\"]");
    CHECK_EQ_INT(tg_pipeline(&t, json, NULL, 0, 13), ONNXIFY_ERR_UNSUPPORTED_OPERATOR);
    CHECK(t.ctx.message && strncmp(t.ctx.message, "Exporting the operator 'aten::does_not_exist'", 45) == 0);
    CHECK(t.onnx == NULL);
    tg_free(&t);
}

/* ======================================================================== */
/* through onnxify_export                                                     */
/* ======================================================================== */

typedef struct model {
    onnxify_exporter *ex;
    Onnx__ModelProto *mp;
} model;

static bool export_model(model *md, const tg_mlp *m, const onnxify_options *o)
{
    md->ex = onnxify_exporter_new();
    md->mp = NULL;
    const uint8_t *out;
    size_t len;
    onnxify_status st = onnxify_export(md->ex, m->json, m->json_len, m->w, m->w_len, o, &out, &len);
    if (st != ONNXIFY_OK) fprintf(stderr, "export: %s\n", onnxify_last_error(md->ex));
    CHECK_EQ_INT(st, ONNXIFY_OK);
    if (st == ONNXIFY_OK) md->mp = onnx__model_proto__unpack(NULL, len, out);
    CHECK(md->mp && md->mp->graph);
    return md->mp && md->mp->graph;
}

static void model_free(model *md)
{
    if (md->mp) onnx__model_proto__free_unpacked(md->mp, NULL);
    onnxify_exporter_free(md->ex);
}

static void check_inputs(const Onnx__GraphProto *gp, bool with_params)
{
    CHECK_EQ_INT(gp->n_input, with_params ? 5 : 1);
    if (gp->n_input >= 1) CHECK_STR(gp->input[0]->name, "onnx::Gemm_0");
    if (with_params && gp->n_input == 5)
        for (int i = 0; i < 4; i++) CHECK_STR(gp->input[i + 1]->name, PARAMS[i]);
}

static void check_initializers(const Onnx__GraphProto *gp, bool present)
{
    CHECK_EQ_INT(gp->n_initializer, present ? 4 : 0);
    if (present && gp->n_initializer == 4) {
        for (int i = 0; i < 4; i++) CHECK_STR(gp->initializer[i]->name, PARAMS[i]);
        const Onnx__TensorProto *w = gp->initializer[0];
        CHECK_EQ_INT(w->n_dims, 2);
        if (w->n_dims == 2) CHECK(w->dims[0] == 8 && w->dims[1] == 4);
        CHECK_EQ_INT(w->data_type, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
        CHECK(w->has_raw_data ? w->raw_data.len == 32 * 4 : w->n_float_data == 32);
    }
}

static void test_export_default_initializers(void)
{
    tg_mlp m;
    if (!mlp_load(&m)) return;
    model md;
    onnxify_options o;
    onnxify_options_init(&o);
    if (export_model(&md, &m, &o)) {
        const Onnx__GraphProto *gp = md.mp->graph;
        check_inputs(gp, false);
        check_initializers(gp, true);
        CHECK_EQ_INT(gp->n_node, 3);
        if (gp->n_node == 3) {
            CHECK_STR(gp->node[0]->op_type, "Gemm");
            CHECK_STR(gp->node[1]->op_type, "Relu");
            CHECK_STR(gp->node[2]->op_type, "Gemm");
            CHECK_STR(gp->node[0]->name, "/0/Gemm");
            CHECK_STR(gp->node[0]->input[1], "0.weight");
            CHECK_STR(gp->node[2]->output[0], "7");
            /* doc strings stripped without verbose */
            CHECK(!gp->node[0]->doc_string || !*gp->node[0]->doc_string);
        }
        CHECK(gp->n_output == 1 && !strcmp(gp->output[0]->name, "7"));
    }
    model_free(&md);
    tg_mlp_free(&m);
}

static void test_export_keep_initializers_as_inputs(void)
{
    tg_mlp m;
    if (!mlp_load(&m)) return;
    model md;
    onnxify_options o;
    onnxify_options_init(&o);
    o.keep_initializers_as_inputs = 1;
    if (export_model(&md, &m, &o)) {
        check_inputs(md.mp->graph, true);
        check_initializers(md.mp->graph, true);
    }
    model_free(&md);
    /* explicitly False */
    o.keep_initializers_as_inputs = 0;
    if (export_model(&md, &m, &o)) {
        check_inputs(md.mp->graph, false);
        check_initializers(md.mp->graph, true);
    }
    model_free(&md);
    /* opset < 9 forces them in (IR 3), even when False is asked for */
    o.opset_version = 8;
    if (export_model(&md, &m, &o)) {
        check_inputs(md.mp->graph, true);
        check_initializers(md.mp->graph, true);
    }
    model_free(&md);
    tg_mlp_free(&m);
}

static void test_export_params_false(void)
{
    tg_mlp m;
    if (!mlp_load(&m)) return;
    model md;
    onnxify_options o;
    onnxify_options_init(&o);
    o.export_params = 0;
    if (export_model(&md, &m, &o)) {
        /* no initializers: the parameters stay graph inputs, named by key */
        check_inputs(md.mp->graph, true);
        check_initializers(md.mp->graph, false);
        CHECK_EQ_INT(md.mp->graph->n_node, 3);
    }
    model_free(&md);
    o.keep_initializers_as_inputs = 1;
    if (export_model(&md, &m, &o)) {
        check_inputs(md.mp->graph, true);
        check_initializers(md.mp->graph, false);
    }
    model_free(&md);
    tg_mlp_free(&m);
}

typedef struct logs {
    int warnings, infos;
    bool saw_folding_warning, saw_train_mismatch_warning;
} logs;

static void log_fn(void *user, onnxify_log_level level, const char *msg)
{
    logs *l = user;
    if (level == ONNXIFY_LOG_WARNING) l->warnings++;
    if (level == ONNXIFY_LOG_INFO) l->infos++;
    if (msg && strstr(msg, "do_constant_folding=False")) l->saw_folding_warning = true;
    if (msg && strstr(msg, "ONNX export mode is set to TrainingMode.TRAINING, but operator 'dropout' is set to "
                           "train=False. Exporting with train=False."))
        l->saw_train_mismatch_warning = true;
}

static void test_export_training(void)
{
    tg_mlp m;
    if (!mlp_load(&m)) return;
    model md;
    onnxify_options o;
    onnxify_options_init(&o);
    o.opset_version = 13;
    o.training = ONNXIFY_TRAINING_TRAIN;
    logs l = {0};
    o.log = log_fn;
    o.log_user = &l;
    /* captured in eval mode (dropout's train flag false): the op's flag wins,
     * with torch's check_training_mode warning */
    if (export_model(&md, &m, &o)) CHECK_EQ_INT(md.mp->graph->n_node, 3);
    CHECK(l.saw_train_mismatch_warning);
    CHECK(l.saw_folding_warning); /* training with constant folding on */
    model_free(&md);
    /* captured in training mode */
    if (!mlp_train_flag(&m)) {
        tg_mlp_free(&m);
        return;
    }
    if (export_model(&md, &m, &o)) {
        const Onnx__GraphProto *gp = md.mp->graph;
        const Onnx__NodeProto *d = NULL;
        int constants = 0;
        for (size_t i = 0; i < gp->n_node; i++) {
            if (!strcmp(gp->node[i]->op_type, "Dropout")) d = gp->node[i];
            constants += !strcmp(gp->node[i]->op_type, "Constant");
        }
        CHECK(d != NULL);
        if (d) {
            CHECK_EQ_INT(d->n_output, 2);
            CHECK_EQ_INT(d->n_input, 3);
        }
        CHECK_EQ_INT(gp->n_node, 4 + constants);
        check_initializers(gp, true);
    }
    model_free(&md);
    /* opset 11: ratio attribute, one input, two outputs */
    o.opset_version = 11;
    if (export_model(&md, &m, &o)) {
        const Onnx__GraphProto *gp = md.mp->graph;
        const Onnx__NodeProto *d = NULL;
        for (size_t i = 0; i < gp->n_node; i++)
            if (!strcmp(gp->node[i]->op_type, "Dropout")) d = gp->node[i];
        CHECK(d && d->n_input == 1 && d->n_output == 2 && d->n_attribute == 1 && !strcmp(d->attribute[0]->name, "ratio"));
    }
    model_free(&md);
    /* eval with a training-mode capture: the op flag wins again */
    o.opset_version = 13;
    o.training = ONNXIFY_TRAINING_EVAL;
    if (export_model(&md, &m, &o)) {
        bool has_dropout = false;
        for (size_t i = 0; i < md.mp->graph->n_node; i++)
            has_dropout |= !strcmp(md.mp->graph->node[i]->op_type, "Dropout");
        CHECK(has_dropout);
    }
    model_free(&md);
    tg_mlp_free(&m);
}

/* training=preserve follows the capture's model.training (false for the mlp) */
static void test_export_preserve(void)
{
    tg_mlp m;
    if (!mlp_load(&m)) return;
    model md;
    onnxify_options o;
    onnxify_options_init(&o);
    o.opset_version = 13;
    o.training = ONNXIFY_TRAINING_PRESERVE;
    logs l = {0};
    o.log = log_fn;
    o.log_user = &l;
    if (export_model(&md, &m, &o)) CHECK_EQ_INT(md.mp->graph->n_node, 3);
    CHECK(!l.saw_train_mismatch_warning); /* PRESERVE never warns */
    model_free(&md);
    tg_mlp_free(&m);
}

static void test_export_verbose_doc_strings(void)
{
    tg_mlp m;
    if (!mlp_load(&m)) return;
    model md;
    onnxify_options o;
    onnxify_options_init(&o);
    o.verbose = 1;
    logs l = {0};
    o.log = log_fn;
    o.log_user = &l;
    if (export_model(&md, &m, &o) && md.mp->graph->n_node == 3) {
        const char *doc = md.mp->graph->node[0]->doc_string;
        CHECK(doc && strstr(doc, "linear.py(114): forward"));
    }
    CHECK(l.infos > 0); /* the exported graph is logged */
    model_free(&md);
    tg_mlp_free(&m);
}

/* Static sizes settle into constants during the conversion (torch's per-node
 * shape inference), so a later symbolic that needs a constant gets one:
 * topk(x, x.size(1) - 1) exports at opset 9, where TopK takes k as an
 * attribute. Without shape inference the same graph is refused. */
static void test_sizes_settle_during_conversion(void)
{
    const char *json = TG_JSON(
        "[{\"name\":\"x\",\"type\":" TG_F32("2,5") "}]",
        "[" TG_CONST_INT("one", 1) "," TG_CONST_INT("dim", -1) "," TG_CONST_BOOL("t", 1) ","
        "{\"kind\":\"aten::size\",\"inputs\":[\"x\",\"one\"],\"outputs\":[{\"name\":\"s\",\"type\":" TG_INT "}]},"
        "{\"kind\":\"prim::NumToTensor\",\"inputs\":[\"s\"],\"outputs\":[{\"name\":\"n\",\"type\":" TG_I64("") "}]},"
        "{\"kind\":\"aten::sub\",\"inputs\":[\"n\",\"one\",\"one\"],\"outputs\":[{\"name\":\"k\",\"type\":" TG_I64("") "}]},"
        "{\"kind\":\"aten::Int\",\"inputs\":[\"k\"],\"outputs\":[{\"name\":\"ki\",\"type\":" TG_INT "}]},"
        "{\"kind\":\"aten::topk\",\"inputs\":[\"x\",\"ki\",\"dim\",\"t\",\"t\"],\"outputs\":["
        "{\"name\":\"v\",\"type\":" TG_F32("2,4") "},{\"name\":\"i\",\"type\":" TG_I64("2,4") "}]}]",
        "[\"v\",\"i\"]");
    tg t;
    tg_init(&t);
    CHECK_EQ_INT(tg_pipeline(&t, json, NULL, 0, 9), OX_OK);
    ox_node *topk = t.onnx ? tg_find(t.onnx, "onnx::TopK", 0) : NULL;
    CHECK(topk != NULL);
    CHECK_EQ_INT(topk ? tg_attr_i(topk, "k", -1) : -1, 4);
    CHECK_EQ_INT(t.onnx ? tg_count(t.onnx, "onnx::Shape") : -1, 0);
    tg_free(&t);

    tg_init(&t);
    CHECK(tg_convert(&t, json, 9) == ONNXIFY_ERR_SYMBOLIC_VALUE);
    tg_free(&t);
}

static const ox_test_case tests[] = {
    {"sizes_settle_during_conversion", test_sizes_settle_during_conversion},
    {"pipeline_mlp_eval", test_pipeline_mlp_eval},
    {"pipeline_mlp_training", test_pipeline_mlp_training},
    {"pipeline_errors", test_pipeline_errors},
    {"export_default_initializers", test_export_default_initializers},
    {"export_keep_initializers_as_inputs", test_export_keep_initializers_as_inputs},
    {"export_params_false", test_export_params_false},
    {"export_training", test_export_training},
    {"export_preserve", test_export_preserve},
    {"export_verbose_doc_strings", test_export_verbose_doc_strings},
};
OX_TEST_MAIN(tests)
