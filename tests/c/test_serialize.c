/* Tests of the ONNX serializer (src/onnx/serialize.c): small ONNX-level graphs
 * built with the IR API are serialized, unpacked with protobuf-c and checked
 * field by field against what torch's GraphEncoder writes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ir/ir.h"
#include "onnx.pb-c.h"
#include "onnx/checker.h"
#include "onnx/serialize.h"
#include "test.h"

/* ---- fixture -------------------------------------------------------------- */

typedef struct fixture {
    ox_arena *arena;
    ox_ctx ctx;
    ox_graph *g;
    ox_export_settings s;
    ox_buffer out;
    char warnings[1024];
} fixture;

static void capture_log(void *user, onnxify_log_level level, const char *msg)
{
    fixture *f = user;
    if (level != ONNXIFY_LOG_WARNING) return;
    size_t used = strlen(f->warnings);
    snprintf(f->warnings + used, sizeof f->warnings - used, "%s\n", msg);
}

static void fx_init(fixture *f, int opset)
{
    memset(f, 0, sizeof(*f));
    f->arena = ox_arena_new();
    ox_ctx_init(&f->ctx, f->arena);
    f->ctx.log = capture_log;
    f->ctx.log_user = f;
    f->g = ox_graph_new(&f->ctx);
    f->s.opset = opset;
    f->s.export_type = ONNXIFY_OPERATOR_EXPORT_ONNX;
    f->s.do_constant_folding = true;
    f->s.export_params = true;
    ox_buffer_init(&f->out);
}

static void fx_done(fixture *f)
{
    ox_buffer_free(&f->out);
    ox_ctx_release(&f->ctx);
    ox_arena_free(f->arena);
}

/* Serializes; on failure prints the parked message. */
static ox_status fx_serialize(fixture *f, const ox_serialize_options *o)
{
    ox_status st = ox_serialize_model(f->g, &f->s, o, &f->out);
    if (st != OX_OK && f->ctx.message) fprintf(stderr, "(serialize: %s)\n", f->ctx.message);
    return st;
}

static Onnx__ModelProto *fx_unpack(fixture *f)
{
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, f->out.len, f->out.data);
    CHECK(m != NULL);
    return m;
}

/* ---- graph building -------------------------------------------------------- */

static ox_type *tensor_type(fixture *f, ox_dtype dt, int rank, const int64_t *dims,
                            const char *const *dim_names)
{
    ox_type *t = ox_type_tensor(f->arena, dt, rank, dims);
    if (dim_names) {
        t->dim_names = ox_arena_alloc(f->arena, (size_t)rank * sizeof(char *));
        for (int i = 0; i < rank; i++) t->dim_names[i] = dim_names[i];
    }
    return t;
}

/* A new node with one output named `out_name` (none when NULL), placed after
 * `after` when given, else appended to `b`. */
static ox_node *add_node_at(fixture *f, ox_block *b, ox_node *after, const char *kind,
                            ox_value *const *inputs, int ninputs, const char *out_name)
{
    ox_node *n = ox_node_new(f->g, kind, out_name ? 1 : 0);
    for (int i = 0; i < ninputs; i++) ox_node_add_input(n, inputs[i]);
    if (out_name) ox_value_set_name(n->outputs[0], out_name);
    if (after) ox_node_insert_after(n, after);
    else ox_block_append(b, n);
    return n;
}

static ox_node *add_node(fixture *f, ox_block *b, const char *kind, ox_value *const *inputs,
                         int ninputs, const char *out_name)
{
    return add_node_at(f, b, NULL, kind, inputs, ninputs, out_name);
}

static const float k_w[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

/* The model most tests use:
 *   x : float[batch, 4]            W : float[4, 3] (initializer)
 *   /MatMul      mm  = MatMul(x, W)
 *   /Constant    c   = Constant[value=1.5]()
 *   /Add         a   = Add(mm, c)
 *   (None)       nn  = prim::Constant()         -- skipped, uses become ""
 *   /Constant_1  mx  = Constant[value=6.0]()
 *   /Clip        y   = Clip(a, nn, mx)          -- graph output
 *   /MyOp        t   = custom_domain::MyOp[alpha=0.5](y)
 *   /Identity    z   = Identity(t)              -- graph output
 */
typedef struct mlp {
    ox_value *x, *W, *mm, *y, *t, *z;
    ox_node *matmul, *add, *clip, *myop;
} mlp;

static mlp build_mlp(fixture *f)
{
    mlp m;
    ox_block *top = f->g->top;
    static const int64_t xdims[2] = {-1, 4}, wdims[2] = {4, 3}, ydims[2] = {-1, 3};
    static const char *const xnames[2] = {"batch", NULL};
    m.x = ox_block_add_input(top, "x", tensor_type(f, OX_FLOAT, 2, xdims, xnames));
    m.W = ox_block_add_input(top, "W", tensor_type(f, OX_FLOAT, 2, wdims, NULL));
    ox_tensor *w = ox_tensor_new(f->arena, OX_FLOAT, 2, wdims);
    w->data = k_w; /* borrowed, as the weights are */
    w->nbytes = sizeof k_w;
    m.W->init = w;

    ox_value *in2[2] = {m.x, m.W};
    m.matmul = add_node(f, top, "onnx::MatMul", in2, 2, "mm");
    m.matmul->name = "/MatMul";
    m.mm = m.matmul->outputs[0];
    m.mm->type = tensor_type(f, OX_FLOAT, 2, ydims, NULL);

    ox_node *c = add_node(f, top, "onnx::Constant", NULL, 0, "c");
    c->name = "/Constant";
    ox_node_set_t(c, "value", ox_tensor_scalar_f32(f->arena, 1.5f));

    ox_value *in_add[2] = {m.mm, c->outputs[0]};
    m.add = add_node(f, top, "onnx::Add", in_add, 2, "a");
    m.add->name = "/Add";

    ox_node *none = add_node(f, top, "prim::Constant", NULL, 0, "nn");
    ox_node *mx = add_node(f, top, "onnx::Constant", NULL, 0, "mx");
    mx->name = "/Constant_1";
    ox_node_set_t(mx, "value", ox_tensor_scalar_f32(f->arena, 6.0f));

    ox_value *in_clip[3] = {m.add->outputs[0], none->outputs[0], mx->outputs[0]};
    m.clip = add_node(f, top, "onnx::Clip", in_clip, 3, "y");
    m.clip->name = "/Clip";
    m.clip->source = "model.py:12";
    m.y = m.clip->outputs[0];
    m.y->type = tensor_type(f, OX_FLOAT, 2, ydims, NULL);

    m.myop = add_node(f, top, "custom_domain::MyOp", &m.y, 1, "t");
    m.myop->name = "/MyOp";
    ox_node_set_f(m.myop, "alpha", 0.5);
    m.t = m.myop->outputs[0];
    m.t->type = tensor_type(f, OX_FLOAT, 2, ydims, NULL);

    ox_node *id = add_node(f, top, "onnx::Identity", &m.t, 1, "z");
    id->name = "/Identity";
    m.z = id->outputs[0];
    m.z->type = tensor_type(f, OX_FLOAT, 2, ydims, NULL);

    ox_block_add_output(top, m.y);
    ox_block_add_output(top, m.z);
    return m;
}

static const Onnx__NodeProto *find_node(const Onnx__GraphProto *g, const char *name)
{
    for (size_t i = 0; i < g->n_node; i++)
        if (g->node[i]->name && strcmp(g->node[i]->name, name) == 0) return g->node[i];
    return NULL;
}

static const Onnx__AttributeProto *find_attr(const Onnx__NodeProto *n, const char *name)
{
    for (size_t i = 0; n && i < n->n_attribute; i++)
        if (strcmp(n->attribute[i]->name, name) == 0) return n->attribute[i];
    return NULL;
}

static void check_dim_param(const Onnx__TensorShapeProto *s, size_t i, const char *want)
{
    CHECK(s && i < s->n_dim);
    if (!s || i >= s->n_dim) return;
    CHECK_EQ_INT(s->dim[i]->value_case, ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM);
    if (s->dim[i]->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM)
        CHECK_STR(s->dim[i]->dim_param, want);
}

static void check_dim_value(const Onnx__TensorShapeProto *s, size_t i, int64_t want)
{
    CHECK(s && i < s->n_dim);
    if (!s || i >= s->n_dim) return;
    CHECK_EQ_INT(s->dim[i]->value_case, ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE);
    CHECK_EQ_INT(s->dim[i]->dim_value, want);
}

/* ---- tests ------------------------------------------------------------------ */

static void test_ir_version_table(void)
{
    static const int expect[][2] = {
        {1, 3},  {2, 0},  {4, 0},  {5, 3},  {7, 3},   {8, 3},   {9, 4},   {10, 5}, {11, 6},
        {12, 7}, {13, 7}, {14, 7}, {15, 8}, {16, 8},  {17, 8},  {18, 8},  {19, 9}, {20, 9},
        {21, 10}, {22, 10}, {23, 11}, {24, 0}, {0, 0}, {-1, 0}, {1000, 0},
    };
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++)
        CHECK_EQ_INT(ox_ir_version_for_opset(expect[i][0]), expect[i][1]);
}

static void test_header_per_opset(void)
{
    static const int cases[][2] = {{9, 4}, {13, 7}, {17, 8}, {23, 11}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fixture f;
        fx_init(&f, cases[i][0]);
        build_mlp(&f);
        CHECK_EQ_INT(fx_serialize(&f, NULL), OX_OK);
        Onnx__ModelProto *m = fx_unpack(&f);
        if (m) {
            CHECK(m->has_ir_version);
            CHECK_EQ_INT(m->ir_version, cases[i][1]);
            CHECK_STR(m->producer_name, "onnxify");
            CHECK_STR(m->producer_version, ONNXIFY_VERSION);
            CHECK(m->domain == NULL);
            CHECK(!m->has_model_version);
            CHECK(m->doc_string == NULL);
            CHECK_EQ_INT(m->n_metadata_props, 0);
            CHECK_EQ_INT(m->n_functions, 0);
            CHECK_EQ_INT(m->n_opset_import, 2);
            if (m->n_opset_import == 2) {
                CHECK(m->opset_import[0]->domain == NULL); /* unset, as torch writes it */
                CHECK(m->opset_import[0]->has_version);
                CHECK_EQ_INT(m->opset_import[0]->version, cases[i][0]);
                CHECK_STR(m->opset_import[1]->domain, "custom_domain");
                CHECK_EQ_INT(m->opset_import[1]->version, 1); /* no custom opsets given */
            }
            CHECK(m->graph && strcmp(m->graph->name, "main_graph") == 0);
            onnx__model_proto__free_unpacked(m, NULL);
        }
        CHECK_EQ_INT(ox_check_model(f.out.data, f.out.len, &f.ctx), OX_OK);
        fx_done(&f);
    }
}

static void test_producer_override_and_custom_opsets(void)
{
    fixture f;
    fx_init(&f, 13);
    mlp g = build_mlp(&f);
    /* a second custom domain and an aten node (allowed outside ONNX mode) */
    ox_node *b = add_node_at(&f, f.g->top, g.matmul, "another::Op", &g.x, 1, "b");
    add_node_at(&f, f.g->top, b, "aten::erf", &g.x, 1, "e");
    f.s.export_type = ONNXIFY_OPERATOR_EXPORT_ONNX_ATEN_FALLBACK;

    ox_custom_opset custom[] = {{"custom_domain", 2}, {"unused_dom", 3}};
    ox_serialize_options o;
    ox_serialize_options_init(&o);
    o.producer_name = "pytorch";
    o.producer_version = "2.5.0";
    o.custom_opsets = custom;
    o.n_custom_opsets = 2;
    CHECK_EQ_INT(fx_serialize(&f, &o), OX_OK);
    Onnx__ModelProto *m = fx_unpack(&f);
    if (m) {
        CHECK_STR(m->producer_name, "pytorch");
        CHECK_STR(m->producer_version, "2.5.0");
        /* ("", 13) first, then the used domains sorted; unused_dom not written */
        CHECK_EQ_INT(m->n_opset_import, 4);
        if (m->n_opset_import == 4) {
            CHECK(m->opset_import[0]->domain == NULL); /* unset, as torch writes it */
            CHECK_EQ_INT(m->opset_import[0]->version, 13);
            CHECK_STR(m->opset_import[1]->domain, "another");
            CHECK_EQ_INT(m->opset_import[1]->version, 1);
            CHECK_STR(m->opset_import[2]->domain, "custom_domain");
            CHECK_EQ_INT(m->opset_import[2]->version, 2);
            CHECK_STR(m->opset_import[3]->domain, "org.pytorch.aten");
            CHECK_EQ_INT(m->opset_import[3]->version, 1);
        }
        const Onnx__GraphProto *gp = m->graph;
        const Onnx__NodeProto *erf = NULL;
        for (size_t i = 0; i < gp->n_node; i++)
            if (strcmp(gp->node[i]->op_type, "erf") == 0) erf = gp->node[i];
        CHECK(erf != NULL);
        if (erf) CHECK_STR(erf->domain, "org.pytorch.aten");
        onnx__model_proto__free_unpacked(m, NULL);
    }
    CHECK_CONTAINS(f.warnings, "Custom opset domain: 'unused_dom' provided is not used");
    CHECK(strstr(f.warnings, "custom_domain") == NULL);
    CHECK_EQ_INT(ox_check_model(f.out.data, f.out.len, &f.ctx), OX_OK);
    fx_done(&f);
}

static void test_inputs_outputs_initializers(void)
{
    for (int keep = 0; keep <= 1; keep++) {
        fixture f;
        fx_init(&f, 17);
        build_mlp(&f);
        f.s.keep_initializers_as_inputs = keep;
        CHECK_EQ_INT(fx_serialize(&f, NULL), OX_OK);
        Onnx__ModelProto *m = fx_unpack(&f);
        if (!m) { fx_done(&f); continue; }
        const Onnx__GraphProto *g = m->graph;
        CHECK_EQ_INT(g->n_input, keep ? 2 : 1);
        if (g->n_input >= 1) CHECK_STR(g->input[0]->name, "x");
        if (keep && g->n_input == 2) {
            CHECK_STR(g->input[1]->name, "W");
            const Onnx__TypeProto__Tensor *tt = g->input[1]->type->tensor_type;
            CHECK_EQ_INT(tt->elem_type, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
            check_dim_value(tt->shape, 0, 4);
            check_dim_value(tt->shape, 1, 3);
        }
        CHECK_EQ_INT(g->n_output, 2);
        if (g->n_output == 2) {
            CHECK_STR(g->output[0]->name, "y");
            CHECK_STR(g->output[1]->name, "z");
        }
        /* the initializer: name, dims, data_type, raw little-endian bytes */
        CHECK_EQ_INT(g->n_initializer, 1);
        if (g->n_initializer == 1) {
            const Onnx__TensorProto *t = g->initializer[0];
            CHECK_STR(t->name, "W");
            CHECK_EQ_INT(t->n_dims, 2);
            if (t->n_dims == 2) {
                CHECK_EQ_INT(t->dims[0], 4);
                CHECK_EQ_INT(t->dims[1], 3);
            }
            CHECK(t->has_data_type);
            CHECK_EQ_INT(t->data_type, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
            CHECK(t->has_raw_data);
            CHECK_EQ_INT(t->raw_data.len, sizeof k_w);
            if (t->raw_data.len == sizeof k_w) {
                /* byte 4 of the payload is 2.0f's first byte: little-endian 00 00 00 40 */
                CHECK_EQ_INT(t->raw_data.data[7], 0x40);
                CHECK(memcmp(t->raw_data.data, k_w, sizeof k_w) == 0);
            }
            CHECK_EQ_INT(t->n_float_data, 0);
            CHECK(!t->has_data_location);
        }
        onnx__model_proto__free_unpacked(m, NULL);
        CHECK_EQ_INT(ox_check_model(f.out.data, f.out.len, &f.ctx), OX_OK);
        fx_done(&f);
    }
}

/* export_params=False: no initializers, parameters stay plain graph inputs. */
static void test_no_export_params(void)
{
    fixture f;
    fx_init(&f, 17);
    build_mlp(&f);
    f.s.export_params = false;
    CHECK_EQ_INT(fx_serialize(&f, NULL), OX_OK);
    Onnx__ModelProto *m = fx_unpack(&f);
    if (m) {
        CHECK_EQ_INT(m->graph->n_initializer, 0);
        CHECK_EQ_INT(m->graph->n_input, 2);
        if (m->graph->n_input == 2) CHECK_STR(m->graph->input[1]->name, "W");
        onnx__model_proto__free_unpacked(m, NULL);
    }
    CHECK_EQ_INT(ox_check_model(f.out.data, f.out.len, &f.ctx), OX_OK);
    fx_done(&f);
}

static void test_value_types(void)
{
    fixture f;
    fx_init(&f, 17);
    ox_block *top = f.g->top;
    static const int64_t dims[3] = {-1, 5, -1};
    static const char *const names[3] = {"batch", NULL, NULL};
    ox_value *x = ox_block_add_input(top, "x", tensor_type(&f, OX_FLOAT16, 3, dims, names));
    ox_value *i = ox_block_add_input(top, "i", ox_type_new(f.arena, OX_TYPE_INT));
    ox_value *fl = ox_block_add_input(top, "f", ox_type_new(f.arena, OX_TYPE_FLOAT));
    ox_value *bo = ox_block_add_input(top, "b", ox_type_new(f.arena, OX_TYPE_BOOL));
    ox_type *list = ox_type_new(f.arena, OX_TYPE_LIST);
    list->elems = ox_arena_alloc(f.arena, sizeof(ox_type *));
    list->elems[0] = tensor_type(&f, OX_INT64, 1, (const int64_t[]){-1}, NULL);
    list->nelems = 1;
    ox_value *l = ox_block_add_input(top, "l", list);
    ox_type *opt = ox_type_new(f.arena, OX_TYPE_OPTIONAL);
    opt->elems = ox_arena_alloc(f.arena, sizeof(ox_type *));
    opt->elems[0] = tensor_type(&f, OX_DOUBLE, 0, NULL, NULL);
    opt->nelems = 1;
    ox_value *o = ox_block_add_input(top, "o", opt);
    ox_value *u = ox_block_add_input(top, "u", ox_type_tensor(f.arena, OX_UNDEFINED, -1, NULL));

    /* a producer-side generated name: output "6" of an Add */
    ox_value *ins[2] = {x, x};
    ox_node *add = add_node(&f, top, "onnx::Add", ins, 2, "6");
    add->outputs[0]->type = tensor_type(&f, OX_FLOAT16, 3, dims, NULL);
    ox_block_add_output(top, add->outputs[0]);
    ox_value *pass[] = {i, fl, bo, l, o, u};
    for (int k = 0; k < 6; k++) {
        ox_node *idn = add_node(&f, top, "onnx::Identity", &pass[k], 1, NULL);
        ox_value *out = ox_node_add_output(idn);
        char nm[16];
        snprintf(nm, sizeof nm, "out%d", k);
        ox_value_set_name(out, nm);
        ox_block_add_output(top, out);
    }

    CHECK_EQ_INT(fx_serialize(&f, NULL), OX_OK);
    Onnx__ModelProto *m = fx_unpack(&f);
    if (!m) { fx_done(&f); return; }
    const Onnx__GraphProto *g = m->graph;
    CHECK_EQ_INT(g->n_input, 7);
    if (g->n_input == 7) {
        /* x: dim_param from dynamic axes, dim_value, generated (prefix empty for inputs) */
        const Onnx__TypeProto *t = g->input[0]->type;
        CHECK_EQ_INT(t->value_case, ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE);
        CHECK_EQ_INT(t->tensor_type->elem_type, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16);
        CHECK_EQ_INT(t->tensor_type->shape->n_dim, 3);
        check_dim_param(t->tensor_type->shape, 0, "batch");
        check_dim_value(t->tensor_type->shape, 1, 5);
        check_dim_param(t->tensor_type->shape, 2, "x_dim_2");
        /* scalars: tensor_type without shape */
        static const int scalar_types[3] = {ONNX__TENSOR_PROTO__DATA_TYPE__INT64,
                                            ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT,
                                            ONNX__TENSOR_PROTO__DATA_TYPE__BOOL};
        for (int k = 0; k < 3; k++) {
            t = g->input[1 + k]->type;
            CHECK_EQ_INT(t->value_case, ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE);
            CHECK(t->tensor_type->has_elem_type);
            CHECK_EQ_INT(t->tensor_type->elem_type, scalar_types[k]);
            CHECK(t->tensor_type->shape == NULL);
        }
        /* list -> sequence; element dims unknown stay empty (no generated name) */
        t = g->input[4]->type;
        CHECK_EQ_INT(t->value_case, ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE);
        const Onnx__TypeProto *e = t->sequence_type->elem_type;
        CHECK_EQ_INT(e->value_case, ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE);
        CHECK_EQ_INT(e->tensor_type->elem_type, ONNX__TENSOR_PROTO__DATA_TYPE__INT64);
        CHECK_EQ_INT(e->tensor_type->shape->n_dim, 1);
        CHECK_EQ_INT(e->tensor_type->shape->dim[0]->value_case,
                     ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE__NOT_SET);
        /* optional -> optional_type of a rank-0 tensor (shape with no dims) */
        t = g->input[5]->type;
        CHECK_EQ_INT(t->value_case, ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE);
        e = t->optional_type->elem_type;
        CHECK_EQ_INT(e->tensor_type->elem_type, ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE);
        CHECK(e->tensor_type->shape != NULL);
        if (e->tensor_type->shape) CHECK_EQ_INT(e->tensor_type->shape->n_dim, 0);
        /* unknown tensor: tensor_type with neither elem_type nor shape */
        t = g->input[6]->type;
        CHECK_EQ_INT(t->value_case, ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE);
        CHECK(!t->tensor_type->has_elem_type);
        CHECK(t->tensor_type->shape == NULL);
    }
    /* output "6" of an Add: generated names Add6_dim_<axis> */
    CHECK(g->n_output >= 1);
    if (g->n_output >= 1) {
        const Onnx__TensorShapeProto *s = g->output[0]->type->tensor_type->shape;
        CHECK_STR(g->output[0]->name, "6");
        check_dim_param(s, 0, "Add6_dim_0");
        check_dim_value(s, 1, 5);
        check_dim_param(s, 2, "Add6_dim_2");
    }
    onnx__model_proto__free_unpacked(m, NULL);
    fx_done(&f);
}

static void test_nodes(void)
{
    for (int verbose = 0; verbose <= 1; verbose++) {
        fixture f;
        fx_init(&f, 17);
        build_mlp(&f);
        f.s.verbose = verbose;
        CHECK_EQ_INT(fx_serialize(&f, NULL), OX_OK);
        Onnx__ModelProto *m = fx_unpack(&f);
        if (!m) { fx_done(&f); continue; }
        const Onnx__GraphProto *g = m->graph;
        /* the None constant is not written */
        static const char *const order[] = {"MatMul", "Constant", "Add", "Constant",
                                            "Clip",   "MyOp",     "Identity"};
        CHECK_EQ_INT(g->n_node, 7);
        for (size_t i = 0; i < g->n_node && i < 7; i++) CHECK_STR(g->node[i]->op_type, order[i]);

        const Onnx__NodeProto *mm = find_node(g, "/MatMul");
        CHECK(mm != NULL);
        if (mm) {
            CHECK(mm->domain == NULL);
            CHECK_EQ_INT(mm->n_input, 2);
            CHECK_STR(mm->input[0], "x");
            CHECK_STR(mm->input[1], "W");
            CHECK_EQ_INT(mm->n_output, 1);
            CHECK_STR(mm->output[0], "mm");
            CHECK_EQ_INT(mm->n_attribute, 0);
            CHECK(mm->doc_string == NULL);
        }
        const Onnx__NodeProto *clip = find_node(g, "/Clip");
        CHECK(clip != NULL);
        if (clip) {
            CHECK_EQ_INT(clip->n_input, 3);
            if (clip->n_input == 3) {
                CHECK_STR(clip->input[0], "a");
                CHECK_STR(clip->input[1], ""); /* the omitted optional input */
                CHECK_STR(clip->input[2], "mx");
            }
            if (verbose) CHECK_STR(clip->doc_string, "model.py:12");
            else CHECK(clip->doc_string == NULL);
        }
        const Onnx__NodeProto *c = find_node(g, "/Constant");
        const Onnx__AttributeProto *v = find_attr(c, "value");
        CHECK(v != NULL);
        if (v) {
            CHECK_EQ_INT(v->type, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR);
            CHECK(v->t != NULL);
            if (v->t) {
                CHECK_EQ_INT(v->t->n_dims, 0);
                CHECK_EQ_INT(v->t->data_type, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
                CHECK(v->t->name == NULL);
                float val = 0;
                CHECK_EQ_INT(v->t->raw_data.len, 4);
                if (v->t->raw_data.len == 4) memcpy(&val, v->t->raw_data.data, 4);
                CHECK(val == 1.5f);
            }
        }
        const Onnx__NodeProto *my = find_node(g, "/MyOp");
        CHECK(my != NULL);
        if (my) {
            CHECK_STR(my->domain, "custom_domain");
            CHECK_STR(my->op_type, "MyOp");
        }
        onnx__model_proto__free_unpacked(m, NULL);
        CHECK_EQ_INT(ox_check_model(f.out.data, f.out.len, &f.ctx), OX_OK);
        fx_done(&f);
    }
}

/* The strip_doc option decides over `verbose` when given. */
static void test_strip_doc_option(void)
{
    fixture f;
    fx_init(&f, 17);
    build_mlp(&f);
    ox_serialize_options o;
    ox_serialize_options_init(&o);
    CHECK(o.strip_doc);
    o.strip_doc = false;
    CHECK_EQ_INT(fx_serialize(&f, &o), OX_OK);
    Onnx__ModelProto *m = fx_unpack(&f);
    if (m) {
        const Onnx__NodeProto *clip = find_node(m->graph, "/Clip");
        CHECK(clip && clip->doc_string && strcmp(clip->doc_string, "model.py:12") == 0);
        onnx__model_proto__free_unpacked(m, NULL);
    }
    fx_done(&f);
}

static ox_block *identity_block(fixture *f, ox_node *owner, const char *in, const char *out)
{
    ox_block *b = ox_block_new(f->g, owner);
    ox_value *v = ox_block_add_input(b, in, tensor_type(f, OX_FLOAT, 1, (const int64_t[]){2}, NULL));
    ox_node *n = add_node(f, b, "onnx::Identity", &v, 1, out);
    ox_block_add_output(b, n->outputs[0]);
    return b;
}

static void test_attributes(void)
{
    fixture f;
    fx_init(&f, 17);
    mlp g = build_mlp(&f);
    ox_node *n = g.myop;
    static const double fs[2] = {0.25, -1.0};
    static const int64_t is[3] = {1, -2, 1LL << 40};
    static const char *const ss[2] = {"a", "bc"};
    ox_node_set_fs(n, "fs", fs, 2);
    ox_node_set_i(n, "i", -7);
    ox_node_set_is(n, "is", is, 3);
    ox_node_set_s(n, "s", "hello");
    ox_node_set_ss(n, "ss", ss, 2);
    ox_node_set_s(n, "onnx_name", "ignored");
    ox_tensor *ts[2] = {ox_tensor_scalar_i64(f.arena, 42), ox_tensor_i64s(f.arena, is, 3)};
    ox_node_set_t(n, "t", ts[0]);
    ox_node_set_ts(n, "ts", ts, 2);
    ox_node_set_g(n, "g", identity_block(&f, n, "g_in", "g_out"));
    ox_block *gs[2] = {identity_block(&f, n, "h_in", "h_out"), identity_block(&f, n, "k_in", "k_out")};
    ox_node_set_gs(n, "gs", gs, 2);

    CHECK_EQ_INT(fx_serialize(&f, NULL), OX_OK);
    Onnx__ModelProto *m = fx_unpack(&f);
    if (!m) { fx_done(&f); return; }
    const Onnx__NodeProto *p = find_node(m->graph, "/MyOp");
    CHECK(p != NULL);
    if (!p) { onnx__model_proto__free_unpacked(m, NULL); fx_done(&f); return; }
    static const char *const order[] = {"alpha", "fs", "i", "is", "s", "ss", "t", "ts", "g", "gs"};
    CHECK_EQ_INT(p->n_attribute, 10); /* onnx_name is not written */
    for (size_t k = 0; k < p->n_attribute && k < 10; k++) {
        CHECK_STR(p->attribute[k]->name, order[k]);
        CHECK(p->attribute[k]->has_type);
    }
    const Onnx__AttributeProto *a;
    a = find_attr(p, "alpha");
    CHECK(a && a->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT && a->has_f && a->f == 0.5f);
    a = find_attr(p, "fs");
    CHECK(a && a->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS && a->n_floats == 2);
    if (a && a->n_floats == 2) CHECK(a->floats[0] == 0.25f && a->floats[1] == -1.0f);
    a = find_attr(p, "i");
    CHECK(a && a->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT && a->has_i && a->i == -7);
    a = find_attr(p, "is");
    CHECK(a && a->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS && a->n_ints == 3);
    if (a && a->n_ints == 3) CHECK(a->ints[0] == 1 && a->ints[1] == -2 && a->ints[2] == (1LL << 40));
    a = find_attr(p, "s");
    CHECK(a && a->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING && a->has_s);
    if (a) CHECK(a->s.len == 5 && memcmp(a->s.data, "hello", 5) == 0);
    a = find_attr(p, "ss");
    CHECK(a && a->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS && a->n_strings == 2);
    if (a && a->n_strings == 2)
        CHECK(a->strings[1].len == 2 && memcmp(a->strings[1].data, "bc", 2) == 0);
    a = find_attr(p, "t");
    CHECK(a && a->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR && a->t);
    if (a && a->t) {
        CHECK_EQ_INT(a->t->data_type, ONNX__TENSOR_PROTO__DATA_TYPE__INT64);
        int64_t v = 0;
        if (a->t->raw_data.len == 8) memcpy(&v, a->t->raw_data.data, 8);
        CHECK_EQ_INT(v, 42);
    }
    a = find_attr(p, "ts");
    CHECK(a && a->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSORS && a->n_tensors == 2);
    if (a && a->n_tensors == 2) {
        CHECK_EQ_INT(a->tensors[1]->n_dims, 1);
        CHECK_EQ_INT(a->tensors[1]->raw_data.len, 24);
    }
    /* sub-graphs named in encoding order */
    a = find_attr(p, "g");
    CHECK(a && a->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH && a->g);
    if (a && a->g) {
        CHECK_STR(a->g->name, "sub_graph");
        CHECK_EQ_INT(a->g->n_input, 1);
        CHECK_EQ_INT(a->g->n_output, 1);
        CHECK_EQ_INT(a->g->n_node, 1);
        if (a->g->n_input == 1) CHECK_STR(a->g->input[0]->name, "g_in");
        if (a->g->n_output == 1) CHECK_STR(a->g->output[0]->name, "g_out");
        CHECK_EQ_INT(a->g->n_initializer, 0);
        CHECK_EQ_INT(a->g->n_value_info, 0);
    }
    a = find_attr(p, "gs");
    CHECK(a && a->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPHS && a->n_graphs == 2);
    if (a && a->n_graphs == 2) {
        CHECK_STR(a->graphs[0]->name, "sub_graph1");
        CHECK_STR(a->graphs[1]->name, "sub_graph2");
    }
    onnx__model_proto__free_unpacked(m, NULL);
    CHECK_EQ_INT(ox_check_model(f.out.data, f.out.len, &f.ctx), OX_OK);
    fx_done(&f);
}

/* onnx::If / onnx::Loop blocks become then_branch/else_branch/body GRAPHs,
 * after the node's own attributes; sub-graphs may use outer values. */
static void test_control_flow_blocks(void)
{
    fixture f;
    fx_init(&f, 13);
    ox_block *top = f.g->top;
    ox_value *cond = ox_block_add_input(top, "cond", tensor_type(&f, OX_BOOL, 0, NULL, NULL));
    ox_value *x = ox_block_add_input(top, "x", tensor_type(&f, OX_FLOAT, 1, (const int64_t[]){2}, NULL));
    ox_node *n = add_node(&f, top, "onnx::If", &cond, 1, "r");
    n->name = "/If";
    ox_block *then_b = ox_node_add_block(n);
    ox_node *t1 = add_node(&f, then_b, "onnx::Neg", &x, 1, "neg");
    ox_block_add_output(then_b, t1->outputs[0]);
    ox_block *else_b = ox_node_add_block(n);
    ox_node *e1 = add_node(&f, else_b, "onnx::Abs", &x, 1, "abs");
    ox_block_add_output(else_b, e1->outputs[0]);
    ox_block_add_output(top, n->outputs[0]);

    CHECK_EQ_INT(fx_serialize(&f, NULL), OX_OK);
    Onnx__ModelProto *m = fx_unpack(&f);
    if (m) {
        const Onnx__NodeProto *p = find_node(m->graph, "/If");
        CHECK(p && p->n_attribute == 2);
        if (p && p->n_attribute == 2) {
            CHECK_STR(p->attribute[0]->name, "then_branch");
            CHECK_STR(p->attribute[0]->g->name, "sub_graph");
            CHECK_STR(p->attribute[0]->g->node[0]->op_type, "Neg");
            CHECK_STR(p->attribute[1]->name, "else_branch");
            CHECK_STR(p->attribute[1]->g->name, "sub_graph1");
            CHECK_EQ_INT(p->attribute[1]->g->n_input, 0);
        }
        onnx__model_proto__free_unpacked(m, NULL);
    }
    CHECK_EQ_INT(ox_check_model(f.out.data, f.out.len, &f.ctx), OX_OK);
    fx_done(&f);
}

/* value_info: outputs of custom-domain nodes that are not graph outputs. */
static void test_value_info(void)
{
    fixture f;
    fx_init(&f, 17);
    build_mlp(&f);
    CHECK_EQ_INT(fx_serialize(&f, NULL), OX_OK);
    Onnx__ModelProto *m = fx_unpack(&f);
    if (m) {
        CHECK_EQ_INT(m->graph->n_value_info, 1);
        if (m->graph->n_value_info == 1) {
            const Onnx__ValueInfoProto *vi = m->graph->value_info[0];
            CHECK_STR(vi->name, "t");
            const Onnx__TensorShapeProto *s = vi->type->tensor_type->shape;
            check_dim_param(s, 0, "MyOpt_dim_0");
            check_dim_value(s, 1, 3);
        }
        onnx__model_proto__free_unpacked(m, NULL);
    }
    fx_done(&f);
}

static void test_unconvertible_node(void)
{
    static const char *const kinds[] = {"aten::relu", "prim::ListConstruct"};
    for (int k = 0; k < 2; k++) {
        fixture f;
        fx_init(&f, 17);
        mlp g = build_mlp(&f);
        ox_node *bad = add_node_at(&f, f.g->top, g.matmul, kinds[k], &g.x, 1, "bad");
        bad->source = "model.py:7";
        ox_buffer_append(&f.out, "stale", 5); /* must not survive a failure */
        CHECK_EQ_INT(ox_serialize_model(f.g, &f.s, NULL, &f.out), ONNXIFY_ERR_EXPORTER);
        char want[64];
        snprintf(want, sizeof want, "Couldn't export operator %s", kinds[k]);
        CHECK_CONTAINS(f.ctx.message, want);
        CHECK_CONTAINS(f.ctx.message, "model.py:7");
        CHECK_EQ_INT(f.out.len, 0);
        fx_done(&f);
    }
    /* the same aten node inside a sub-block is found too */
    fixture f;
    fx_init(&f, 17);
    mlp g = build_mlp(&f);
    ox_block *b = identity_block(&f, g.myop, "s_in", "s_out");
    ox_value *s_in = ox_block_input(b, 0);
    add_node(&f, b, "aten::sin", &s_in, 1, "sin");
    ox_node_set_g(g.myop, "body", b);
    CHECK_EQ_INT(ox_serialize_model(f.g, &f.s, NULL, &f.out), ONNXIFY_ERR_EXPORTER);
    CHECK_CONTAINS(f.ctx.message, "Couldn't export operator aten::sin");
    fx_done(&f);
    /* ONNX_ATEN mode writes it with the aten domain */
    fx_init(&f, 17);
    g = build_mlp(&f);
    add_node_at(&f, f.g->top, g.matmul, "aten::relu", &g.x, 1, "r");
    f.s.export_type = ONNXIFY_OPERATOR_EXPORT_ONNX_ATEN;
    CHECK_EQ_INT(fx_serialize(&f, NULL), OX_OK);
    CHECK_EQ_INT(ox_check_model(f.out.data, f.out.len, &f.ctx), OX_OK);
    fx_done(&f);
}

static void test_unsupported_opset(void)
{
    static const int bad[] = {4, 24, 0};
    for (int k = 0; k < 3; k++) {
        fixture f;
        fx_init(&f, bad[k]);
        build_mlp(&f);
        CHECK_EQ_INT(ox_serialize_model(f.g, &f.s, NULL, &f.out), ONNXIFY_ERR_INVALID_ARGUMENT);
        CHECK_CONTAINS(f.ctx.message, "Unsupported onnx_opset_version: ");
        CHECK_EQ_INT(f.out.len, 0);
        fx_done(&f);
    }
}

static void test_deterministic(void)
{
    fixture a, b;
    fx_init(&a, 17);
    fx_init(&b, 17);
    build_mlp(&a);
    build_mlp(&b);
    CHECK_EQ_INT(fx_serialize(&a, NULL), OX_OK);
    ox_buffer first = a.out;
    ox_buffer_init(&a.out);
    CHECK_EQ_INT(fx_serialize(&a, NULL), OX_OK); /* the same graph again */
    CHECK_EQ_INT(fx_serialize(&b, NULL), OX_OK); /* an identical graph, built anew */
    CHECK_EQ_INT(first.len, a.out.len);
    CHECK_EQ_INT(first.len, b.out.len);
    CHECK(first.len == a.out.len && memcmp(first.data, a.out.data, first.len) == 0);
    CHECK(first.len == b.out.len && memcmp(first.data, b.out.data, first.len) == 0);
    ox_buffer_free(&first);
    fx_done(&a);
    fx_done(&b);
}

/* The output is reserved at its exact size before packing: no reallocation
 * (and so no second copy of the weights) happens while writing. */
static void test_exact_reservation(void)
{
    fixture f;
    fx_init(&f, 17);
    build_mlp(&f);
    CHECK_EQ_INT(fx_serialize(&f, NULL), OX_OK);
    CHECK(f.out.len > 0);
    CHECK_EQ_INT(f.out.cap, f.out.len);
    CHECK(!f.out.failed);
    size_t len = 0;
    uint8_t *bytes = ox_buffer_take(&f.out, &len);
    CHECK(bytes != NULL && len > 0);
    CHECK(f.out.data == NULL && f.out.len == 0);
    free(bytes);
    fx_done(&f);
}

/* Above 2 GiB of tensor data the serializer refuses before touching the
 * bytes (the fake tensor's data pointer is never read). */
static void test_2gib_guard(void)
{
    fixture f;
    fx_init(&f, 17);
    mlp g = build_mlp(&f);
    static const int64_t big[1] = {(int64_t)1 << 29}; /* 2^29 floats = 2 GiB */
    ox_value *p = ox_block_add_input(f.g->top, "huge", tensor_type(&f, OX_FLOAT, 1, big, NULL));
    ox_tensor *t = ox_tensor_new(f.arena, OX_FLOAT, 1, big);
    t->data = k_w;
    t->nbytes = (size_t)1 << 31;
    p->init = t;
    (void)g;
    CHECK_EQ_INT(ox_serialize_model(f.g, &f.s, NULL, &f.out), ONNXIFY_ERR_EXPORTER);
    CHECK_CONTAINS(f.ctx.message, "larger than the 2GiB limit imposed by the protobuf library");
    CHECK_EQ_INT(f.out.len, 0);
    CHECK(f.out.cap < 4096);
    fx_done(&f);
}

static void test_inconsistent_tensor(void)
{
    fixture f;
    fx_init(&f, 17);
    mlp g = build_mlp(&f);
    ((ox_tensor *)g.W->init)->nbytes = 40; /* 4x3 floats need 48 */
    CHECK_EQ_INT(ox_serialize_model(f.g, &f.s, NULL, &f.out), ONNXIFY_ERR_EXPORTER);
    CHECK_CONTAINS(f.ctx.message, "initializer 'W'");
    CHECK_CONTAINS(f.ctx.message, "48");
    fx_done(&f);

    fx_init(&f, 17);
    g = build_mlp(&f);
    ox_tensor *s = ox_tensor_new(f.arena, OX_STRING, 0, NULL);
    ox_node_set_t(g.myop, "bad", s);
    CHECK_EQ_INT(ox_serialize_model(f.g, &f.s, NULL, &f.out), ONNXIFY_ERR_EXPORTER);
    CHECK_CONTAINS(f.ctx.message, "attribute 'bad'");
    CHECK_CONTAINS(f.ctx.message, "custom_domain::MyOp");
    fx_done(&f);
}

/* The check option runs the light checker on the structs before packing; a
 * model it rejects yields no bytes. The same model serialized without the
 * option is rejected by ox_check_model on its bytes, with the same message. */
static void test_check_option(void)
{
    ox_serialize_options o;
    ox_serialize_options_init(&o);
    CHECK(!o.check);
    o.check = true;
    fixture f;
    fx_init(&f, 17);
    build_mlp(&f);
    CHECK_EQ_INT(fx_serialize(&f, &o), OX_OK);
    CHECK(f.out.len > 0);
    fx_done(&f);

    fx_init(&f, 17);
    mlp g = build_mlp(&f);
    g.add->name = "/MatMul"; /* two nodes named alike */
    CHECK_EQ_INT(ox_serialize_model(f.g, &f.s, &o, &f.out), ONNXIFY_ERR_CHECKER);
    CHECK_CONTAINS(f.ctx.message, "node name '/MatMul' is used by more than one node");
    CHECK_EQ_INT(f.out.len, 0);
    fx_done(&f);

    fx_init(&f, 17);
    g = build_mlp(&f);
    g.add->name = "/MatMul";
    CHECK_EQ_INT(fx_serialize(&f, NULL), OX_OK);
    CHECK_EQ_INT(ox_check_model(f.out.data, f.out.len, &f.ctx), ONNXIFY_ERR_CHECKER);
    CHECK_CONTAINS(f.ctx.message, "node name '/MatMul' is used by more than one node");
    fx_done(&f);

    /* a value used before the node that makes it (IR out of order) */
    fx_init(&f, 17);
    g = build_mlp(&f);
    ox_node *early = ox_node_new(f.g, "onnx::Neg", 1);
    ox_node_add_input(early, g.y);
    ox_value_set_name(early->outputs[0], "early");
    early->name = "/Neg";
    ox_block_prepend(f.g->top, early);
    CHECK_EQ_INT(ox_serialize_model(f.g, &f.s, &o, &f.out), ONNXIFY_ERR_CHECKER);
    CHECK_CONTAINS(f.ctx.message, "node '/Neg'");
    CHECK_CONTAINS(f.ctx.message, "input 'y'");
    fx_done(&f);
}

static void test_bad_arguments(void)
{
    ox_buffer out;
    ox_buffer_init(&out);
    ox_export_settings s = {.opset = 17};
    CHECK_EQ_INT(ox_serialize_model(NULL, &s, NULL, &out), ONNXIFY_ERR_INVALID_ARGUMENT);
    fixture f;
    fx_init(&f, 17);
    CHECK_EQ_INT(ox_serialize_model(f.g, NULL, NULL, &f.out), ONNXIFY_ERR_INVALID_ARGUMENT);
    fx_done(&f);
    /* an empty graph is a valid (if useless) model */
    fx_init(&f, 17);
    CHECK_EQ_INT(fx_serialize(&f, NULL), OX_OK);
    CHECK_EQ_INT(ox_check_model(f.out.data, f.out.len, &f.ctx), OX_OK);
    fx_done(&f);
    ox_buffer_free(&out);
}

static void test_buffer(void)
{
    ox_buffer b;
    ox_buffer_init(&b);
    for (int i = 0; i < 1000; i++) ox_buffer_append(&b, "abc", 3);
    CHECK_EQ_INT(b.len, 3000);
    CHECK(!b.failed);
    CHECK(memcmp(b.data + 2997, "abc", 3) == 0);
    CHECK(!ox_buffer_reserve(&b, SIZE_MAX)); /* overflow: fails, sticky */
    CHECK(b.failed);
    ox_buffer_append(&b, "x", 1);
    CHECK_EQ_INT(b.len, 3000);
    size_t len = 1;
    CHECK(ox_buffer_take(&b, &len) == NULL); /* failed buffers hand out nothing */
    CHECK_EQ_INT(len, 0);
    CHECK(b.data == NULL && !b.failed);
    ox_buffer_free(&b);
}

static const ox_test_case tests[] = {
    {"ir_version_table", test_ir_version_table},
    {"header_per_opset", test_header_per_opset},
    {"producer_override_and_custom_opsets", test_producer_override_and_custom_opsets},
    {"inputs_outputs_initializers", test_inputs_outputs_initializers},
    {"no_export_params", test_no_export_params},
    {"value_types", test_value_types},
    {"nodes", test_nodes},
    {"strip_doc_option", test_strip_doc_option},
    {"attributes", test_attributes},
    {"control_flow_blocks", test_control_flow_blocks},
    {"value_info", test_value_info},
    {"unconvertible_node", test_unconvertible_node},
    {"unsupported_opset", test_unsupported_opset},
    {"deterministic", test_deterministic},
    {"exact_reservation", test_exact_reservation},
    {"2gib_guard", test_2gib_guard},
    {"inconsistent_tensor", test_inconsistent_tensor},
    {"check_option", test_check_option},
    {"bad_arguments", test_bad_arguments},
    {"buffer", test_buffer},
};

OX_TEST_MAIN(tests)
