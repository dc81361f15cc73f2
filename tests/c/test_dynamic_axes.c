/* dynamic_axes end to end in C: the validation of the option (warnings and
 * errors through onnxify_export, as torch's _validate_dynamic_axes), the
 * input pass (set_dynamic_input_shape.c), the propagation rules
 * (propagate_dynamic_dims.c) op by op, and the dims the serializer writes
 * for inputs and outputs. Runs from the repository root. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_util.h"
#include "onnx.pb-c.h"
#include "onnxify.h"
#include "test.h"

/* ---- JSON fragments ------------------------------------------------------ */

#define Q(s) "\"" s "\""
#define V(name, type) "{\"name\":\"" name "\",\"type\":" type "}"
#define N(kind, ins, outs) "{\"kind\":\"" kind "\",\"inputs\":[" ins "],\"outputs\":[" outs "]}"
#define NA(kind, ins, outs, attrs) \
    "{\"kind\":\"" kind "\",\"inputs\":[" ins "],\"outputs\":[" outs "],\"attributes\":[" attrs "]}"
#define ATTR(name, kind, v) "{\"name\":\"" name "\",\"kind\":\"" kind "\",\"value\":" v "}"
#define CI(name, v) TG_CONST_INT(name, v)
#define CIS(name, ...) TG_CONST_INTS(name, __VA_ARGS__)
#define CNONE(name) TG_CONST_NONE(name)
#define CBOOL(name, v) TG_CONST_BOOL(name, v)
#define CFLOAT(name, v) TG_CONST_FLOAT(name, v)
#define TG_LIST_T "{\"kind\":\"list\",\"elem\":{\"kind\":\"tensor\"}}"
#define IN_X(shape) "[" V("x", TG_F32(shape)) "]"
#define IN_X_W(shape, wshape) "[" V("x", TG_F32(shape)) "," V("w", TG_F32(wshape)) "]"

/* ---- helpers --------------------------------------------------------------- */

static ox_value *find_value(ox_graph *g, const char *name)
{
    ox_block *b = g->top;
    for (int i = 0; i < ox_block_ninputs(b); i++)
        if (!strcmp(ox_value_name(ox_block_input(b, i)), name)) return ox_block_input(b, i);
    for (ox_node *n = ox_block_first(b); n != b->ret; n = n->next)
        for (int i = 0; i < n->noutputs; i++)
            if (n->outputs[i]->name && !strcmp(n->outputs[i]->name, name)) return n->outputs[i];
    return NULL;
}

/* "batch,3,*": names, sizes, * for unnamed unknown dims; "?" unranked. */
static const char *dims_text(const ox_type *t)
{
    static char buf[512];
    size_t len = 0;
    buf[0] = 0;
    if (!t || t->kind != OX_TYPE_TENSOR) return "not a tensor";
    if (t->rank < 0) return "?";
    for (int i = 0; i < t->rank; i++) {
        const char *sep = i ? "," : "";
        if (t->dim_names && t->dim_names[i])
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", sep, t->dim_names[i]);
        else if (t->dims[i] < 0)
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s*", sep);
        else
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%lld", sep, (long long)t->dims[i]);
        if (len >= sizeof buf) break;
    }
    return buf;
}

static const char *dims_of(tg *t, const char *value)
{
    ox_value *v = t->torch ? find_value(t->torch, value) : NULL;
    return v ? dims_text(v->type) : "no such value";
}

/* Reads `json`, makes the axes of input "x" dynamic and propagates. */
static bool propagate(tg *t, const char *json, const ox_dynamic_axis *axes, int naxes)
{
    tg_init(t);
    if (tg_read(t, json, NULL, 0) != OX_OK) return false;
    ox_dynamic_axes_entry e = {"x", axes, naxes, false};
    bool changed = false;
    ox_status st = ox_pass_set_dynamic_input_shape(t->torch, &e, 1, NULL, 0, &changed);
    CHECK_EQ_INT(st, OX_OK);
    CHECK(changed == (naxes > 0));
    if (st == OX_OK) st = ox_pass_propagate_dynamic_dims(t->torch, NULL);
    CHECK_EQ_INT(st, OX_OK);
    if (st != OX_OK) fprintf(stderr, "propagate: %s\n", t->ctx.message ? t->ctx.message : "?");
    return st == OX_OK;
}

static const ox_dynamic_axis BATCH[] = {{0, "batch"}};
static const ox_dynamic_axis BATCH_SEQ[] = {{0, "batch"}, {1, "seq"}};
static const ox_dynamic_axis HW[] = {{2, "h"}, {3, "w"}};

/* ---- the public API: validation, warnings, serialized dims ---------------- */

typedef struct logs {
    char text[16][512];
    int n;
} logs;

static void log_fn(void *user, onnxify_log_level level, const char *message)
{
    logs *l = user;
    if (level != ONNXIFY_LOG_WARNING || l->n >= 16) return;
    snprintf(l->text[l->n++], sizeof l->text[0], "%s", message);
}

static int count_logs(const logs *l, const char *needle)
{
    int k = 0;
    for (int i = 0; i < l->n; i++) k += strstr(l->text[i], needle) != NULL;
    return k;
}

typedef struct run {
    onnxify_exporter *ex;
    logs logs;
    onnxify_status st;
    Onnx__ModelProto *model;
} run;

static tg_mlp mlp; /* read once, kept for the whole run */

/* Exports examples/mlp (input "0" -> onnx::Gemm_0, output "7"; x [2, 4] ->
 * [2, 3]) with the given dynamic_axes and names. */
static void export_mlp(run *r, const char *axes, const char *in_name, const char *out_name)
{
    memset(r, 0, sizeof(*r));
    bool loaded = mlp.json || tg_mlp_load(&mlp);
    CHECK(loaded);
    r->st = ONNXIFY_ERR_INTERNAL;
    if (!loaded) return;
    r->ex = onnxify_exporter_new();
    onnxify_options o;
    onnxify_options_init(&o);
    const char *in_names[] = {in_name}, *out_names[] = {out_name};
    if (in_name) {
        o.input_names = in_names;
        o.n_input_names = 1;
    }
    if (out_name) {
        o.output_names = out_names;
        o.n_output_names = 1;
    }
    o.dynamic_axes_json = axes;
    o.log = log_fn;
    o.log_user = &r->logs;
    const uint8_t *out = NULL;
    size_t len = 0;
    r->st = onnxify_export(r->ex, mlp.json, mlp.json_len, mlp.w, mlp.w_len, &o, &out, &len);
    if (r->st == ONNXIFY_OK) {
        r->model = onnx__model_proto__unpack(NULL, len, out);
        CHECK(r->model != NULL);
    }
}

static void run_free(run *r)
{
    if (r->model) onnx__model_proto__free_unpacked(r->model, NULL);
    onnxify_exporter_free(r->ex);
}

/* "batch,4" of a ValueInfoProto: dim_param, dim_value, or "" for neither. */
static const char *vi_dims(const Onnx__ValueInfoProto *vi)
{
    static char buf[256];
    size_t len = 0;
    buf[0] = 0;
    if (!vi || !vi->type || !vi->type->tensor_type || !vi->type->tensor_type->shape) return "no shape";
    const Onnx__TensorShapeProto *s = vi->type->tensor_type->shape;
    for (size_t i = 0; i < s->n_dim; i++) {
        const Onnx__TensorShapeProto__Dimension *d = s->dim[i];
        const char *sep = i ? "," : "";
        if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM)
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", sep, d->dim_param);
        else if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE)
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%lld", sep, (long long)d->dim_value);
        else
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s", sep);
        if (len >= sizeof buf) break;
    }
    return buf;
}

static const char *in_dims(run *r) { return r->model ? vi_dims(r->model->graph->input[0]) : "no model"; }
static const char *out_dims(run *r) { return r->model ? vi_dims(r->model->graph->output[0]) : "no model"; }

static void test_dict_form_with_names(void)
{
    run r;
    export_mlp(&r, "{\"x\":{\"0\":\"batch\"},\"y\":{\"0\":\"batch\"}}", "x", "y");
    CHECK_EQ_INT(r.st, ONNXIFY_OK);
    CHECK_EQ_INT(r.logs.n, 0);
    CHECK_STR(in_dims(&r), "batch,4");
    CHECK_STR(out_dims(&r), "batch,3");
    run_free(&r);
    /* the output's name flows from the input without an output entry */
    export_mlp(&r, "{\"x\":{\"0\":\"n\"}}", "x", "y");
    CHECK_EQ_INT(r.st, ONNXIFY_OK);
    CHECK_STR(in_dims(&r), "n,4");
    CHECK_STR(out_dims(&r), "n,3");
    run_free(&r);
    /* an output entry names the output's dim its own way (torch writes the key's name) */
    export_mlp(&r, "{\"x\":{\"0\":\"n\"},\"y\":{\"0\":\"m\"}}", "x", "y");
    CHECK_STR(in_dims(&r), "n,4");
    CHECK_STR(out_dims(&r), "m,3");
    run_free(&r);
    /* only the output: the input stays static */
    export_mlp(&r, "{\"y\":{\"0\":\"b\", \"1\":\"c\"}}", "x", "y");
    CHECK_EQ_INT(r.st, ONNXIFY_OK);
    CHECK_STR(in_dims(&r), "2,4");
    CHECK_STR(out_dims(&r), "b,c");
    run_free(&r);
}

static void test_list_form(void)
{
    run r;
    export_mlp(&r, "{\"x\":[0]}", "x", NULL);
    CHECK_EQ_INT(r.st, ONNXIFY_OK);
    CHECK_EQ_INT(count_logs(&r.logs, "No names were found for specified dynamic axes of provided input."
                                     "Automatically generated names will be applied to each dynamic axes "
                                     "of input x"),
                 1);
    CHECK_STR(in_dims(&r), "x_dynamic_axes_1,4");
    CHECK_STR(out_dims(&r), "x_dynamic_axes_1,3");
    run_free(&r);
    /* j is the 1-based position in the list, not the axis; duplicates are skipped */
    export_mlp(&r, "{\"x\":[1,0,1]}", "x", NULL);
    CHECK_EQ_INT(r.st, ONNXIFY_OK);
    CHECK_EQ_INT(count_logs(&r.logs, "Duplicate dynamic axis index 1 was provided for input x."), 1);
    CHECK_STR(in_dims(&r), "x_dynamic_axes_2,x_dynamic_axes_1");
    CHECK_STR(out_dims(&r), "x_dynamic_axes_2,3");
    run_free(&r);
    /* mixed forms */
    export_mlp(&r, "{\"x\":{\"0\":\"batch\"},\"y\":[0]}", "x", "y");
    CHECK_EQ_INT(r.st, ONNXIFY_OK);
    CHECK_EQ_INT(count_logs(&r.logs, "of input y"), 1);
    CHECK_STR(in_dims(&r), "batch,4");
    CHECK_STR(out_dims(&r), "y_dynamic_axes_1,3");
    run_free(&r);
}

static void test_validation_errors(void)
{
    static const struct {
        const char *axes, *needle;
    } bad[] = {
        {"{\"x\":[0.5]}", "The type of axis index is expected to be an integer"},
        {"{\"x\":[\"0\"]}", "The type of axis index is expected to be an integer"},
        {"{\"x\":[0, true]}", "The type of axis index is expected to be an integer"},
        {"{\"x\":{\"a\":\"batch\"}}", "The type of axis index is expected to be an integer"},
        {"{\"x\":{\"1.0\":\"batch\"}}", "The type of axis index is expected to be an integer"},
        {"{\"x\":{\"0\":7}}", "the name of axis 0 must be a string"},
        {"{\"x\":3}", "must be an object {axis: name} or a list of axes"},
        {"{\"x\":{\"2\":\"d\"}}", "axis 2 of input 'x' is out of range: the input has rank 2"},
        {"{\"x\":{\"-1\":\"d\"}}", "axis -1 of input 'x' is out of range"},
        {"{\"x\":[5]}", "axis 5 of input 'x' is out of range"},
        {"[1]", "dynamic_axes must be a JSON object"},
        {"{\"x\":", "dynamic_axes"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        run r;
        export_mlp(&r, bad[i].axes, "x", "y");
        CHECK_EQ_INT(r.st, ONNXIFY_ERR_INVALID_ARGUMENT);
        CHECK_CONTAINS(onnxify_last_error(r.ex), bad[i].needle);
        run_free(&r);
    }
}

static void test_key_names(void)
{
    run r;
    /* not an input/output name: warned once, still processed (here: nothing to name) */
    export_mlp(&r, "{\"nope\":{\"0\":\"b\"},\"x\":{\"0\":\"b\"}}", "x", "y");
    CHECK_EQ_INT(r.st, ONNXIFY_OK);
    CHECK_EQ_INT(count_logs(&r.logs, "Provided key nope for dynamic axes is not a valid input/output name"), 1);
    CHECK_EQ_INT(r.logs.n, 1);
    run_free(&r);
    /* with input_names, the graph's own input name is no valid key any more (torch) */
    export_mlp(&r, "{\"0\":{\"0\":\"b\"}}", "x", "y");
    CHECK_EQ_INT(count_logs(&r.logs, "Provided key 0 for dynamic axes"), 1);
    run_free(&r);
    /* without names: the names of the exported model (input onnx::Gemm_0, output 7) */
    export_mlp(&r, "{\"onnx::Gemm_0\":{\"0\":\"batch\"},\"7\":{\"0\":\"batch\"}}", NULL, NULL);
    CHECK_EQ_INT(r.st, ONNXIFY_OK);
    CHECK_EQ_INT(r.logs.n, 0);
    CHECK_STR(r.model->graph->input[0]->name, "onnx::Gemm_0");
    CHECK_STR(in_dims(&r), "batch,4");
    CHECK_STR(out_dims(&r), "batch,3");
    run_free(&r);
    /* the input by its number; an unknown key is reported once the output names are final */
    export_mlp(&r, "{\"0\":{\"0\":\"n\"},\"zzz\":[0]}", NULL, NULL);
    CHECK_EQ_INT(r.st, ONNXIFY_OK);
    CHECK_EQ_INT(count_logs(&r.logs, "Provided key zzz for dynamic axes is not a valid input/output name"), 1);
    CHECK_EQ_INT(count_logs(&r.logs, "Provided key 0 "), 0);
    CHECK_STR(in_dims(&r), "n,4");
    CHECK_STR(out_dims(&r), "n,3");
    run_free(&r);
    /* an output axis past its rank: ignored as in torch, with a warning */
    export_mlp(&r, "{\"y\":{\"0\":\"b\",\"2\":\"c\"}}", "x", "y");
    CHECK_EQ_INT(r.st, ONNXIFY_OK);
    CHECK_EQ_INT(count_logs(&r.logs, "axis 2 of output 'y' is out of range for its rank 2"), 1);
    CHECK_STR(out_dims(&r), "b,3");
    run_free(&r);
}

static void test_empty_means_none(void)
{
    run a, b;
    export_mlp(&a, NULL, "x", "y");
    export_mlp(&b, "{}", "x", "y");
    CHECK_EQ_INT(a.st, ONNXIFY_OK);
    CHECK_EQ_INT(b.st, ONNXIFY_OK);
    if (a.model && b.model)
        CHECK_EQ_INT(onnx__model_proto__get_packed_size(a.model), onnx__model_proto__get_packed_size(b.model));
    CHECK_STR(in_dims(&b), "2,4");
    CHECK_STR(out_dims(&b), "2,3");
    CHECK_EQ_INT(b.logs.n, 0);
    run_free(&a);
    run_free(&b);
}

/* ---- set_dynamic_input_shape ------------------------------------------------ */

static void test_key_is_input(void)
{
    tg t;
    tg_init(&t);
    const char *json = TG_JSON("[" V("0", TG_F32("2,3")) "," V("input.1", TG_F32("2,3")) "]",
                               "[" N("aten::add", Q("0") "," Q("input.1"), V("y", TG_F32("2,3"))) "]", "[\"y\"]");
    CHECK_EQ_INT(tg_read(&t, json, NULL, 0), OX_OK);
    ox_graph *g = t.torch;
    if (!g) return;
    CHECK(ox_dynamic_axes_key_is_input(g, 0, "0", NULL, 0));
    CHECK(ox_dynamic_axes_key_is_input(g, 0, "onnx::Add_0", NULL, 0));
    CHECK(ox_dynamic_axes_key_is_input(g, 0, "custom::Op_0", NULL, 0));
    CHECK(!ox_dynamic_axes_key_is_input(g, 0, "onnx::Add_10", NULL, 0));
    CHECK(!ox_dynamic_axes_key_is_input(g, 0, "Add_0", NULL, 0));
    CHECK(!ox_dynamic_axes_key_is_input(g, 0, "::_0", NULL, 0));
    CHECK(ox_dynamic_axes_key_is_input(g, 1, "input.1", NULL, 0));
    CHECK(!ox_dynamic_axes_key_is_input(g, 1, "1", NULL, 0)); /* named: only its name */
    const char *names[] = {"a"};
    CHECK(ox_dynamic_axes_key_is_input(g, 0, "a", names, 1));
    CHECK(!ox_dynamic_axes_key_is_input(g, 0, "0", names, 1));
    CHECK(ox_dynamic_axes_key_is_input(g, 1, "input.1", names, 1));
    CHECK(!ox_dynamic_axes_key_is_input(g, 2, "x", names, 1));
    CHECK(!ox_dynamic_axes_key_is_input(g, -1, "x", names, 1));
    tg_free(&t);
}

static void test_set_dynamic_input_shape(void)
{
    tg t;
    tg_init(&t);
    const char *json = TG_JSON("[" V("a", TG_F32("2,3,4")) "," V("b", TG_F32("2,3,4")) "]",
                               "[" N("aten::add", Q("a") "," Q("b"), V("y", TG_F32("2,3,4"))) "]", "[\"y\"]");
    CHECK_EQ_INT(tg_read(&t, json, NULL, 0), OX_OK);
    ox_graph *g = t.torch;
    if (!g) return;
    ox_value *a = ox_block_input(g->top, 0), *b = ox_block_input(g->top, 1);
    b->type = a->type; /* shared: a's change must not reach b */
    static const ox_dynamic_axis ax[] = {{0, "batch"}, {2, "w"}};
    ox_dynamic_axes_entry e[] = {{"x", ax, 2, false}, {"other", ax, 1, false}};
    const char *names[] = {"x"};
    bool changed = false;
    CHECK_EQ_INT(ox_pass_set_dynamic_input_shape(g, e, 2, names, 1, &changed), OX_OK);
    CHECK(changed);
    CHECK_STR(dims_text(a->type), "batch,3,w");
    CHECK(a->type->dims[0] == OX_DIM_UNKNOWN && a->type->dims[2] == OX_DIM_UNKNOWN);
    CHECK_STR(dims_text(b->type), "2,3,4");
    CHECK(a->type != b->type);
    /* out of range: a clear error naming input, axis and rank */
    static const ox_dynamic_axis far[] = {{3, "d"}};
    ox_dynamic_axes_entry e2 = {"x", far, 1, false};
    CHECK_EQ_INT(ox_pass_set_dynamic_input_shape(g, &e2, 1, names, 1, NULL), ONNXIFY_ERR_INVALID_ARGUMENT);
    CHECK_CONTAINS(t.ctx.message, "axis 3 of input 'x' is out of range: the input has rank 3");
    tg_free(&t);
    /* parameters and non-tensors are left alone; an unranked input is refused */
    tg_init(&t);
    json = TG_JSON("[" V("n", TG_INT) "," V("u", "{\"kind\":\"tensor\",\"dtype\":\"float32\"}") "]", "[]",
                   "[\"u\"]");
    CHECK_EQ_INT(tg_read(&t, json, NULL, 0), OX_OK);
    if (!t.torch) return;
    ox_dynamic_axes_entry en = {"n", BATCH, 1, false}, eu = {"u", BATCH, 1, false};
    CHECK_EQ_INT(ox_pass_set_dynamic_input_shape(t.torch, &en, 1, NULL, 0, &changed), OX_OK);
    CHECK(!changed);
    CHECK_EQ_INT(ox_pass_set_dynamic_input_shape(t.torch, &eu, 1, NULL, 0, NULL), ONNXIFY_ERR_INVALID_ARGUMENT);
    CHECK_CONTAINS(t.ctx.message, "Input tensor shape should have value");
    tg_free(&t);
}

/* ---- propagation rules -------------------------------------------------------- */

static void test_prop_same_shape(void)
{
    tg t;
    const char *json = TG_JSON(IN_X("2,3,4"),
                               "[" N("aten::relu", Q("x"), V("a", TG_F32("2,3,4"))) ","
                               CFLOAT("p", 0.5) "," CBOOL("tr", 0) ","
                               N("aten::dropout", Q("a") "," Q("p") "," Q("tr"), V("b", TG_F32("2,3,4"))) ","
                               CI("d", -1) "," CNONE("none") ","
                               N("aten::softmax", Q("b") "," Q("d") "," Q("none"), V("c", TG_F32("2,3,4"))) ","
                               N("aten::sigmoid_", Q("c"), V("e", TG_F32("2,3,4"))) ","
                               N("aten::unknown_same", Q("e"), V("f", TG_F32("2,3,4"))) "]",
                               "[\"f\"]");
    if (!propagate(&t, json, BATCH_SEQ, 2)) return;
    CHECK_STR(dims_of(&t, "x"), "batch,seq,4");
    CHECK_STR(dims_of(&t, "a"), "batch,seq,4");
    CHECK_STR(dims_of(&t, "b"), "batch,seq,4");
    CHECK_STR(dims_of(&t, "c"), "batch,seq,4");
    CHECK_STR(dims_of(&t, "e"), "batch,seq,4");
    /* no rule: every dim unknown, the rank kept */
    CHECK_STR(dims_of(&t, "f"), "*,*,*");
    tg_free(&t);
}

static void test_prop_broadcast(void)
{
    tg t;
    const char *json = TG_JSON("[" V("x", TG_F32("2,3")) "," V("w", TG_F32("3")) "," V("z", TG_F32("4,1,1")) "]",
                               "[" CI("one", 1) ","
                               N("aten::add", Q("x") "," Q("w") "," Q("one"), V("a", TG_F32("2,3"))) ","
                               N("aten::mul", Q("w") "," Q("x"), V("b", TG_F32("2,3"))) ","
                               N("aten::add_", Q("w") "," Q("w") "," Q("one"), V("c", TG_F32("3"))) ","
                               N("aten::where", Q("a") "," Q("w") "," Q("b"), V("d", TG_F32("2,3"))) ","
                               N("aten::sub", Q("z") "," Q("x"), V("e", TG_F32("4,2,3"))) "]",
                               "[\"e\"]");
    if (!propagate(&t, json, BATCH, 1)) return;
    CHECK_STR(dims_of(&t, "a"), "batch,3");
    CHECK_STR(dims_of(&t, "b"), "batch,3");
    CHECK_STR(dims_of(&t, "c"), "3"); /* static inputs: untouched */
    CHECK_STR(dims_of(&t, "d"), "batch,3");
    CHECK_STR(dims_of(&t, "e"), "4,batch,3");
    tg_free(&t);
    /* in-place ops keep self's shape */
    json = TG_JSON(IN_X_W("2,3", "1,3"),
                   "[" CI("one", 1) "," N("aten::add_", Q("x") "," Q("w") "," Q("one"), V("a", TG_F32("2,3"))) "]",
                   "[\"a\"]");
    if (!propagate(&t, json, BATCH, 1)) return;
    CHECK_STR(dims_of(&t, "a"), "batch,3");
    tg_free(&t);
}

static void test_prop_conv_pool(void)
{
    tg t;
    const char *json = TG_JSON(
        IN_X_W("1,3,32,32", "8,3,3,3"),
        "[" CNONE("nb") "," CIS("s", 2, 2) "," CIS("p", 1, 1) "," CIS("dl", 1, 1) "," CBOOL("f", 0) ","
        CIS("op", 0, 0) "," CI("g", 1) ","
        N("aten::_convolution", Q("x") "," Q("w") "," Q("nb") "," Q("s") "," Q("p") "," Q("dl") "," Q("f") ","
          Q("op") "," Q("g") "," Q("f") "," Q("f") "," Q("f") "," Q("f"),
          V("c", TG_F32("1,8,16,16"))) ","
        CIS("k", 3, 3) ","
        N("aten::max_pool2d", Q("c") "," Q("k") "," Q("s") "," Q("p") "," Q("dl") "," Q("f"),
          V("m", TG_F32("1,8,8,8"))) ","
        CIS("o", 1, 1) ","
        N("aten::adaptive_avg_pool2d", Q("m") "," Q("o"), V("a", TG_F32("1,8,1,1"))) ","
        CI("one", 1) "," CI("neg", -1) ","
        N("aten::flatten", Q("a") "," Q("one") "," Q("neg"), V("fl", TG_F32("1,8"))) "]",
        "[\"fl\"]");
    if (!propagate(&t, json, BATCH, 1)) return;
    CHECK_STR(dims_of(&t, "c"), "batch,8,16,16");
    CHECK_STR(dims_of(&t, "m"), "batch,8,8,8");
    CHECK_STR(dims_of(&t, "a"), "batch,8,1,1");
    CHECK_STR(dims_of(&t, "fl"), "batch,8");
    tg_free(&t);
    /* dynamic spatial dims: unknown (unnamed) after conv/pool, fixed by adaptive pooling */
    if (!propagate(&t, json, HW, 2)) return;
    CHECK_STR(dims_of(&t, "c"), "1,8,*,*");
    CHECK_STR(dims_of(&t, "m"), "1,8,*,*");
    CHECK_STR(dims_of(&t, "a"), "1,8,1,1");
    CHECK_STR(dims_of(&t, "fl"), "1,8");
    tg_free(&t);
}

static void test_prop_linear_matmul(void)
{
    tg t;
    const char *json = TG_JSON(
        "[" V("x", TG_F32("2,5,4")) "," V("w", TG_F32("6,4")) "," V("b", TG_F32("6")) "," V("m", TG_F32("4,7")) ","
        V("m2", TG_F32("6,4")) "]",
        "[" N("aten::linear", Q("x") "," Q("w") "," Q("b"), V("l", TG_F32("2,5,6"))) ","
        N("aten::matmul", Q("x") "," Q("m"), V("mm", TG_F32("2,5,7"))) ","
        CI("one", 1) "," CI("two", 2) ","
        N("aten::transpose", Q("x") "," Q("one") "," Q("two"), V("xt", TG_F32("2,4,5"))) ","
        N("aten::bmm", Q("x") "," Q("xt"), V("bm", TG_F32("2,5,5"))) ","
        CI("zero", 0) ","
        N("aten::select", Q("x") "," Q("zero") "," Q("zero"), V("x0", TG_F32("5,4"))) ","
        N("aten::addmm", Q("b") "," Q("x0") "," Q("m2") "," Q("one") "," Q("one"), V("am", TG_F32("5,4"))) ","
        N("aten::matmul", Q("m2") "," Q("xt"), V("bc", TG_F32("2,6,5"))) "]",
        "[\"bc\"]");
    if (!propagate(&t, json, BATCH_SEQ, 2)) return;
    CHECK_STR(dims_of(&t, "l"), "batch,seq,6");
    CHECK_STR(dims_of(&t, "mm"), "batch,seq,7");
    CHECK_STR(dims_of(&t, "xt"), "batch,4,seq");
    CHECK_STR(dims_of(&t, "bm"), "batch,seq,seq");
    CHECK_STR(dims_of(&t, "x0"), "seq,4");
    /* addmm: rows from the first matrix, columns from the second */
    CHECK_STR(dims_of(&t, "am"), "seq,4");
    /* batch dims broadcast from the second operand */
    CHECK_STR(dims_of(&t, "bc"), "batch,6,seq");
    tg_free(&t);
}

static void test_prop_shape_ops(void)
{
    tg t;
    const char *json = TG_JSON(
        IN_X("2,3,4"),
        "[" CIS("perm", 2, 0, 1) "," N("aten::permute", Q("x") "," Q("perm"), V("p", TG_F32("4,2,3"))) ","
        CI("zero", 0) "," CI("one", 1) "," CI("neg", -1) ","
        N("aten::unsqueeze", Q("x") "," Q("one"), V("u", TG_F32("2,1,3,4"))) ","
        N("aten::squeeze", Q("u") "," Q("one"), V("s", TG_F32("2,3,4"))) ","
        N("aten::squeeze", Q("u"), V("s2", TG_F32("2,3,4"))) ","
        N("aten::flatten", Q("x") "," Q("zero") "," Q("one"), V("f01", TG_F32("6,4"))) ","
        N("aten::flatten", Q("x") "," Q("one") "," Q("neg"), V("f1", TG_F32("2,12"))) ","
        N("aten::t", Q("f1"), V("tt", TG_F32("12,2"))) "]",
        "[\"f1\"]");
    if (!propagate(&t, json, BATCH, 1)) return;
    CHECK_STR(dims_of(&t, "p"), "4,batch,3");
    CHECK_STR(dims_of(&t, "u"), "batch,1,3,4");
    CHECK_STR(dims_of(&t, "s"), "batch,3,4");
    CHECK_STR(dims_of(&t, "s2"), "batch,3,4");
    CHECK_STR(dims_of(&t, "f01"), "*,4");
    CHECK_STR(dims_of(&t, "f1"), "batch,12");
    CHECK_STR(dims_of(&t, "tt"), "12,batch");
    tg_free(&t);
}

static void test_prop_view(void)
{
    tg t;
    const char *json = TG_JSON(
        IN_X("2,3,4"),
        "[" CIS("c1", -1, 12) "," N("aten::view", Q("x") "," Q("c1"), V("v1", TG_F32("2,12"))) ","
        CIS("c2", 6, 4) "," N("aten::reshape", Q("x") "," Q("c2"), V("v2", TG_F32("6,4"))) ","
        CI("zero", 0) "," CI("two", 2) "," CI("four", 4) "," CI("neg", -1) ","
        N("aten::size", Q("x") "," Q("zero"), V("n", TG_INT)) ","
        N("aten::size", Q("x") "," Q("two"), V("k", TG_INT)) ","
        N("aten::mul", Q("n") "," Q("four"), V("n4", TG_INT)) ","
        "{\"kind\":\"prim::Constant\",\"inputs\":[],\"outputs\":[" V("mode", "{\"kind\":\"str\"}") "],"
        "\"attributes\":[" ATTR("value", "s", "\"trunc\"") "]},"
        "{\"kind\":\"aten::div\",\"inputs\":[\"k\",\"two\",\"mode\"],\"outputs\":[" V("k2", TG_INT) "]},"
        N("prim::ListConstruct", Q("n") "," Q("neg"), V("l1", TG_INTS)) ","
        N("aten::view", Q("x") "," Q("l1"), V("v3", TG_F32("2,12"))) ","
        N("prim::ListConstruct", Q("n4") "," Q("k2") "," Q("neg"), V("l2", TG_INTS)) ","
        N("aten::view", Q("x") "," Q("l2"), V("v4", TG_F32("8,2,3"))) ","
        N("aten::expand", Q("x") "," Q("l1") "," Q("zero"), V("ex", TG_F32("2,3,4"))) ","
        CIS("rep", 1, 2, 1) "," N("aten::repeat", Q("x") "," Q("rep"), V("rp", TG_F32("2,6,4"))) ","
        CIS("rep2", 2, 1, 1) "," N("aten::repeat", Q("x") "," Q("rep2"), V("rp2", TG_F32("4,3,4"))) ","
        N("aten::view_as", Q("v2") "," Q("x"), V("va", TG_F32("2,3,4"))) "]",
        "[\"va\"]");
    if (!propagate(&t, json, BATCH, 1)) return;
    /* -1 with a dynamic input: unknown; a constant entry stays */
    CHECK_STR(dims_of(&t, "v1"), "*,12");
    CHECK_STR(dims_of(&t, "v2"), "6,4"); /* constants say so (the trace baked them in) */
    /* [x.size(0), -1]: the named dim, and -1 = 3 * 4 static */
    CHECK_STR(dims_of(&t, "v3"), "batch,12");
    /* size arithmetic: batch * 4 is unknown, 4 / 2 is known */
    CHECK_STR(dims_of(&t, "v4"), "*,2,*");
    /* expand(x, [n, -1]) of a 3-d x: not the expand rule's shape -> unknown */
    CHECK_STR(dims_of(&t, "ex"), "*,*,*");
    CHECK_STR(dims_of(&t, "rp"), "batch,6,4");
    CHECK_STR(dims_of(&t, "rp2"), "*,3,4");
    CHECK_STR(dims_of(&t, "va"), "batch,3,4");
    tg_free(&t);
}

static void test_prop_cat_slice_split(void)
{
    tg t;
    const char *json = TG_JSON(
        IN_X_W("2,3", "2,3"),
        "[" N("prim::ListConstruct", Q("x") "," Q("w"), V("l", TG_LIST_T)) ","
        CI("zero", 0) "," CI("one", 1) "," CI("two", 2) "," CI("big", 9223372036854775807) ","
        N("aten::cat", Q("l") "," Q("zero"), V("c0", TG_F32("4,3"))) ","
        N("aten::cat", Q("l") "," Q("one"), V("c1", TG_F32("2,6"))) ","
        N("aten::stack", Q("l") "," Q("one"), V("st", TG_F32("2,2,3"))) ","
        N("aten::slice", Q("x") "," Q("zero") "," Q("zero") "," Q("big") "," Q("one"), V("sl", TG_F32("2,3"))) ","
        N("aten::slice", Q("x") "," Q("zero") "," Q("zero") "," Q("one") "," Q("one"), V("sl1", TG_F32("1,3"))) ","
        N("aten::slice", Q("x") "," Q("one") "," Q("zero") "," Q("two") "," Q("one"), V("sl2", TG_F32("2,2"))) ","
        N("aten::narrow", Q("x") "," Q("zero") "," Q("zero") "," Q("one"), V("nw", TG_F32("1,3"))) ","
        NA("prim::ConstantChunk", Q("x"), V("ch0", TG_F32("1,3")) "," V("ch1", TG_F32("1,3")),
           ATTR("chunks", "i", "2") "," ATTR("dim", "i", "0")) ","
        NA("prim::ConstantChunk", Q("x"), V("cj0", TG_F32("2,2")) "," V("cj1", TG_F32("2,1")),
           ATTR("chunks", "i", "2") "," ATTR("dim", "i", "1")) ","
        CIS("sz", 1, 2) ","
        NA("aten::split_with_sizes", Q("x") "," Q("sz") "," Q("one"), V("sp0", TG_F32("2,1")) "," V("sp1", TG_F32("2,2")),
           ATTR("_outputs", "i", "2")) ","
        N("aten::unbind", Q("x") "," Q("one"), V("ub", TG_LIST_T)) ","
        N("prim::ListUnpack", Q("ub"), V("u0", TG_F32("2")) "," V("u1", TG_F32("2")) "," V("u2", TG_F32("2"))) "]",
        "[\"c0\"]");
    if (!propagate(&t, json, BATCH, 1)) return;
    CHECK_STR(dims_of(&t, "c0"), "*,3"); /* batch + 2 */
    CHECK_STR(dims_of(&t, "c1"), "batch,6");
    CHECK_STR(dims_of(&t, "st"), "batch,2,3");
    CHECK_STR(dims_of(&t, "sl"), "batch,3"); /* the whole dim */
    CHECK_STR(dims_of(&t, "sl1"), "*,3");
    CHECK_STR(dims_of(&t, "sl2"), "batch,2");
    CHECK_STR(dims_of(&t, "nw"), "1,3");
    CHECK_STR(dims_of(&t, "ch0"), "*,3");
    CHECK_STR(dims_of(&t, "cj1"), "batch,1");
    CHECK_STR(dims_of(&t, "sp0"), "batch,1");
    CHECK_STR(dims_of(&t, "sp1"), "batch,2");
    CHECK_STR(dims_of(&t, "u2"), "batch");
    tg_free(&t);
}

static void test_prop_embedding_reduce_misc(void)
{
    tg t;
    const char *json = TG_JSON(
        "[" V("x", TG_I64("2,5")) "," V("w", TG_F32("10,8")) "]",
        "[" CI("neg", -1) "," CBOOL("f", 0) "," CBOOL("tr", 1) "," CNONE("none") ","
        N("aten::embedding", Q("w") "," Q("x") "," Q("neg") "," Q("f") "," Q("f"), V("e", TG_F32("2,5,8"))) ","
        CIS("d1", 1) ","
        N("aten::mean", Q("e") "," Q("d1") "," Q("f") "," Q("none"), V("m", TG_F32("2,8"))) ","
        N("aten::sum", Q("e") "," Q("d1") "," Q("tr") "," Q("none"), V("sk", TG_F32("2,1,8"))) ","
        N("aten::sum", Q("e") "," Q("none"), V("all", TG_F32(""))) ","
        CI("one", 1) ","
        N("aten::max", Q("e") "," Q("one") "," Q("f"), V("mx", TG_F32("2,8")) "," V("ix", TG_I64("2,8"))) ","
        N("aten::size", Q("e") "," Q("one"), V("n", TG_INT)) ","
        N("aten::topk", Q("e") "," Q("n") "," Q("one") "," Q("tr") "," Q("tr"),
          V("tk", TG_F32("2,5,8")) "," V("ti", TG_I64("2,5,8"))) ","
        N("aten::index_select", Q("w") "," Q("one") "," Q("x"), V("bad", TG_F32("10,10"))) "]",
        "[\"m\"]");
    if (!propagate(&t, json, BATCH_SEQ, 2)) return;
    CHECK_STR(dims_of(&t, "e"), "batch,seq,8");
    CHECK_STR(dims_of(&t, "m"), "batch,8");
    CHECK_STR(dims_of(&t, "sk"), "batch,1,8");
    CHECK_STR(dims_of(&t, "all"), "");
    CHECK_STR(dims_of(&t, "mx"), "batch,8");
    CHECK_STR(dims_of(&t, "ix"), "batch,8");
    CHECK_STR(dims_of(&t, "tk"), "batch,seq,8"); /* k = the whole seq dim */
    CHECK_STR(dims_of(&t, "ti"), "batch,seq,8");
    CHECK_STR(dims_of(&t, "bad"), "*,*");        /* a 2-d index: no rule */
    tg_free(&t);
}

static void test_prop_pad_shuffle_glu(void)
{
    tg t;
    const char *json = TG_JSON(
        IN_X("1,8,4,6"),
        "[" CIS("p1", 1, 1) "," CIS("p0", 0, 0, 2, 2) "," CI("two", 2) "," CI("neg", -1) ","
        N("aten::constant_pad_nd", Q("x") "," Q("p1") "," Q("two"), V("a", TG_F32("1,8,4,8"))) ","
        N("aten::reflection_pad2d", Q("x") "," Q("p0"), V("b", TG_F32("1,8,8,6"))) ","
        N("aten::pixel_shuffle", Q("x") "," Q("two"), V("c", TG_F32("1,2,8,12"))) ","
        N("aten::glu", Q("x") "," Q("neg"), V("d", TG_F32("1,8,4,3"))) "]",
        "[\"a\"]");
    static const ox_dynamic_axis axes[] = {{0, "batch"}, {3, "w"}};
    if (!propagate(&t, json, axes, 2)) return;
    CHECK_STR(dims_of(&t, "a"), "batch,8,4,*");
    CHECK_STR(dims_of(&t, "b"), "batch,8,8,w"); /* the last dim is not padded */
    CHECK_STR(dims_of(&t, "c"), "batch,2,8,*");
    CHECK_STR(dims_of(&t, "d"), "batch,8,4,*");
    tg_free(&t);
}

static void test_prop_nothing_dynamic(void)
{
    /* no dynamic input dim: the pass leaves every type as traced */
    tg t;
    const char *json = TG_JSON(IN_X("2,3"), "[" N("aten::whatever", Q("x"), V("y", TG_F32("2,3"))) "]", "[\"y\"]");
    if (!propagate(&t, json, NULL, 0)) return;
    CHECK_STR(dims_of(&t, "y"), "2,3");
    tg_free(&t);
    /* only a static dim is read: its size stays a number */
    json = TG_JSON(IN_X("2,3"),
                   "[" CI("one", 1) "," N("aten::size", Q("x") "," Q("one"), V("n", TG_INT)) ","
                   N("prim::ListConstruct", Q("n"), V("l", TG_INTS)) ","
                   N("aten::zeros", Q("l"), V("z", TG_F32("3"))) ","
                   CI("zero", 0) "," N("aten::size", Q("x") "," Q("zero"), V("b", TG_INT)) ","
                   N("prim::ListConstruct", Q("b") "," Q("n"), V("l2", TG_INTS)) ","
                   N("aten::ones", Q("l2"), V("o", TG_F32("2,3"))) "]",
                   "[\"z\"]");
    if (!propagate(&t, json, BATCH, 1)) return;
    CHECK_STR(dims_of(&t, "z"), "3");
    CHECK_STR(dims_of(&t, "o"), "batch,3");
    tg_free(&t);
}

/* A sub-block sees dynamic values: its outputs and the node's are unknown. */
static void test_prop_blocks(void)
{
    tg t;
    const char *json = TG_JSON(
        "[" V("x", TG_F32("2,3")) "," V("c", TG_BOOL) "]",
        "[{\"kind\":\"prim::If\",\"inputs\":[\"c\"],\"outputs\":[" V("y", TG_F32("2,3")) "],\"blocks\":["
        "{\"inputs\":[],\"nodes\":[" N("aten::relu", Q("x"), V("r", TG_F32("2,3"))) "],\"outputs\":[\"r\"]},"
        "{\"inputs\":[],\"nodes\":[],\"outputs\":[\"x\"]}]}]",
        "[\"y\"]");
    if (!propagate(&t, json, BATCH, 1)) return;
    CHECK_STR(dims_of(&t, "y"), "*,*");
    ox_node *iff = tg_find(t.torch, "prim::If", 0);
    CHECK(iff != NULL);
    if (iff) CHECK_STR(dims_text(ox_block_first(iff->blocks[0])->outputs[0]->type), "batch,3");
    tg_free(&t);
}

/* Bad shapes in the description never crash the pass. */
static void test_prop_robust(void)
{
    tg t;
    const char *json = TG_JSON(
        IN_X("2,3"),
        "[" CI("k", 99) "," N("aten::transpose", Q("x") "," Q("k") "," Q("k"), V("a", TG_F32("3,2"))) ","
        N("aten::flatten", Q("x") "," Q("k") "," Q("k"), V("b", TG_F32("6"))) ","
        N("aten::view", Q("x"), V("c", TG_F32("6"))) ","
        N("aten::linear", Q("x"), V("d", TG_F32("2,3"))) ","
        N("aten::cat", Q("x"), V("e", TG_F32("2,3"))) ","
        N("aten::_convolution", Q("x") "," Q("x"), V("f", TG_F32("2,3"))) ","
        N("prim::ListUnpack", Q("x"), V("g", TG_F32("3"))) ","
        N("aten::select", Q("x"), V("h", TG_F32("3"))) ","
        N("aten::max_pool2d", Q("x"), V("i", TG_F32("2,3"))) ","
        N("aten::relu", Q("x"), V("j", TG_F32("2,3,4,5"))) ","
        N("aten::add", Q("x") "," Q("x"), V("m", TG_F32("3"))) "]",
        "[\"a\"]");
    if (!propagate(&t, json, BATCH, 1)) return;
    CHECK_STR(dims_of(&t, "a"), "*,*");
    CHECK_STR(dims_of(&t, "b"), "*");
    CHECK_STR(dims_of(&t, "c"), "*");
    CHECK_STR(dims_of(&t, "j"), "*,*,*,*");
    CHECK_STR(dims_of(&t, "m"), "*");
    tg_free(&t);
}

/* True when every input of every node is a block input or the output of a
 * node still in the graph (not one destroyed while still wanted). */
static bool all_inputs_linked(ox_block *b)
{
    for (ox_node *n = ox_block_first(b); n != b->ret; n = n->next)
        for (int i = 0; i < n->ninputs; i++) {
            ox_node *p = n->inputs[i]->node;
            if (p != p->owner->param && !p->prev) return false;
        }
    return true;
}

/* Regression: with a dynamic size, the slice's start (the constant 0) is
 * folded into a new constant during the conversion; the constant 0 itself
 * is still wanted by a later node (eq) and must not be dropped as unused
 * (it used to be: a dangling input, rejected by the checker). */
static void test_fold_keeps_shared_constants(void)
{
    tg t;
    const char *json = TG_JSON(
        "[" V("x", TG_F32("2,6")) "," V("p", TG_F32("8,6")) "]",
        "[" CI("zero", 0) "," CI("one", 1) ","
        N("aten::size", Q("x") "," Q("zero"), V("n", TG_INT)) ","
        N("aten::slice", Q("p") "," Q("zero") "," Q("zero") "," Q("n") "," Q("one"), V("s", TG_F32("2,6"))) ","
        N("aten::add", Q("s") "," Q("x") "," Q("one"), V("y", TG_F32("2,6"))) ","
        N("aten::eq", Q("y") "," Q("zero"), V("z", "{\"kind\":\"tensor\",\"dtype\":\"bool\",\"shape\":[2,6]}")) "]",
        "[\"z\"]");
    tg_init(&t);
    if (tg_read(&t, json, NULL, 0) != OX_OK) return;
    CHECK_EQ_INT(ox_pass_erase_number_types(t.torch, NULL), OX_OK);
    ox_dynamic_axes_entry e = {"x", BATCH, 1, false};
    CHECK_EQ_INT(ox_pass_set_dynamic_input_shape(t.torch, &e, 1, NULL, 0, NULL), OX_OK);
    CHECK_EQ_INT(ox_pass_propagate_dynamic_dims(t.torch, NULL), OX_OK);
    CHECK_STR(dims_of(&t, "s"), "*,6");
    ox_export_settings s = tg_settings(17, false);
    s.onnx_shape_inference = true;
    t.ctx.opset = 17;
    CHECK_EQ_INT(ox_pass_to_onnx(t.torch, &s, &t.onnx), OX_OK);
    if (t.onnx) CHECK(all_inputs_linked(t.onnx->top));
    tg_free(&t);
}

static const ox_test_case tests[] = {
    {"dict_form_with_names", test_dict_form_with_names},
    {"list_form", test_list_form},
    {"validation_errors", test_validation_errors},
    {"key_names", test_key_names},
    {"empty_means_none", test_empty_means_none},
    {"key_is_input", test_key_is_input},
    {"set_dynamic_input_shape", test_set_dynamic_input_shape},
    {"prop_same_shape", test_prop_same_shape},
    {"prop_broadcast", test_prop_broadcast},
    {"prop_conv_pool", test_prop_conv_pool},
    {"prop_linear_matmul", test_prop_linear_matmul},
    {"prop_shape_ops", test_prop_shape_ops},
    {"prop_view", test_prop_view},
    {"prop_cat_slice_split", test_prop_cat_slice_split},
    {"prop_embedding_reduce_misc", test_prop_embedding_reduce_misc},
    {"prop_pad_shuffle_glu", test_prop_pad_shuffle_glu},
    {"prop_nothing_dynamic", test_prop_nothing_dynamic},
    {"prop_blocks", test_prop_blocks},
    {"prop_robust", test_prop_robust},
    {"fold_keeps_shared_constants", test_fold_keeps_shared_constants},
};

OX_TEST_MAIN(tests)
