/* The graph-building context handed to symbolic functions (torch's
 * GraphContext): node creation, constants, argument parsing and errors. */
#include <stdio.h>
#include <string.h>

#include "symbolic/symbolic.h"
#include "util/strbuf.h"

ox_node *ox_op(ox_sym *g, const char *op, int nout, int nin, ox_value *const *inputs)
{
    const char *kind = op;
    if (!strstr(op, "::")) {
        kind = ox_arena_printf(g->graph->arena, "onnx::%s", op);
        if (!kind) {
            OX_NOMEM(g->ctx);
            return NULL;
        }
    }
    ox_node *n = ox_node_new(g->graph, kind, nout);
    if (!n) {
        OX_NOMEM(g->ctx);
        return NULL;
    }
    if (g->node) ox_node_copy_metadata(n, g->node);
    for (int i = 0; i < nin; i++) {
        if (!inputs[i]) {
            ox_fail(g->ctx, ONNXIFY_ERR_INTERNAL, "symbolic for %s passed a missing input %d to %s",
                    g->op ? g->op : "?", i, op);
            return NULL;
        }
        if (ox_node_add_input(n, inputs[i]) != OX_OK) return NULL;
    }
    if (g->insert_before) ox_node_insert_before(n, g->insert_before);
    else ox_block_append(g->block, n);
    return n;
}

ox_value *ox_op1v(ox_sym *g, const char *op, va_list ap)
{
    ox_value *ins[64];
    int nin = 0;
    for (ox_value *v; (v = va_arg(ap, ox_value *)) != NULL;) {
        if (nin == 64) {
            ox_fail(g->ctx, ONNXIFY_ERR_INTERNAL, "too many inputs for %s", op);
            return NULL;
        }
        ins[nin++] = v;
    }
    ox_node *n = ox_op(g, op, 1, nin, ins);
    return n ? n->outputs[0] : NULL;
}

ox_value *ox_op1(ox_sym *g, const char *op, ...)
{
    va_list ap;
    va_start(ap, op);
    ox_value *v = ox_op1v(g, op, ap);
    va_end(ap);
    return v;
}

ox_value *ox_opn(ox_sym *g, const char *op, int n, ox_value *const *in)
{
    for (int i = 0; i < n; i++)
        if (!in[i]) return NULL;
    ox_node *node = ox_op(g, op, 1, n, in);
    return node ? node->outputs[0] : NULL;
}

ox_value *ox_with_i(ox_value *v, const char *name, int64_t i)
{
    return v && ox_node_set_i(v->node, name, i) == OX_OK ? v : NULL;
}

ox_value *ox_with_is(ox_value *v, const char *name, const int64_t *is, int n)
{
    return v && ox_node_set_is(v->node, name, is, n) == OX_OK ? v : NULL;
}

ox_value *ox_with_f(ox_value *v, const char *name, double f)
{
    return v && ox_node_set_f(v->node, name, f) == OX_OK ? v : NULL;
}

ox_value *ox_with_s(ox_value *v, const char *name, const char *s)
{
    return v && ox_node_set_s(v->node, name, s) == OX_OK ? v : NULL;
}

ox_value *ox_with_t(ox_value *v, const char *name, ox_tensor *t)
{
    return v && t && ox_node_set_t(v->node, name, t) == OX_OK ? v : NULL;
}

ox_status ox_need_inputs(ox_sym *g, int n)
{
    if (g->nin >= n) return OX_OK;
    return ox_sym_error(g, -1, "%s expects at least %d inputs, got %d", g->node->kind, n, g->nin);
}

ox_status ox_set_out(ox_sym *g, int i, ox_value *v)
{
    if (!v) return g->ctx->status != OX_OK ? g->ctx->status : OX_NOMEM(g->ctx);
    if (i < 0 || i >= g->nout)
        return ox_fail(g->ctx, ONNXIFY_ERR_INTERNAL, "symbolic for %s set output %d of %d", g->op, i,
                       g->nout);
    g->out[i] = v;
    return OX_OK;
}

ox_status ox_keep_node(ox_sym *g)
{
    g->clone = true;
    return OX_OK;
}

/* ---- constants ---- */

ox_value *ox_const_tensor(ox_sym *g, ox_tensor *t)
{
    if (!t) {
        OX_NOMEM(g->ctx);
        return NULL;
    }
    ox_node *n = ox_op(g, "Constant", 1, 0, NULL);
    if (!n || ox_node_set_t(n, "value", t) != OX_OK) return NULL;
    ox_value *v = n->outputs[0];
    v->type = ox_type_tensor(g->graph->arena, t->dtype, t->rank, t->dims);
    return v->type ? v : NULL;
}

ox_value *ox_const_i64(ox_sym *g, int64_t v)
{
    return ox_const_tensor(g, ox_tensor_scalar_i64(g->graph->arena, v));
}

ox_value *ox_const_i64s(ox_sym *g, const int64_t *v, int n)
{
    return ox_const_tensor(g, ox_tensor_i64s(g->graph->arena, v, n));
}

ox_value *ox_const_f32(ox_sym *g, float v)
{
    return ox_const_tensor(g, ox_tensor_scalar_f32(g->graph->arena, v));
}

ox_value *ox_const_scalar(ox_sym *g, ox_dtype dtype, double v)
{
    ox_tensor *t = ox_tensor_alloc(g->graph->arena, dtype, 0, NULL);
    if (!t) {
        OX_NOMEM(g->ctx);
        return NULL;
    }
    ox_tensor_set_f(t, 0, v);
    return ox_const_tensor(g, t);
}

ox_value *ox_none(ox_sym *g)
{
    ox_node *n = ox_op(g, "prim::Constant", 1, 0, NULL);
    if (!n) return NULL;
    n->outputs[0]->type = ox_type_new(g->graph->arena, OX_TYPE_NONE);
    return n->outputs[0]->type ? n->outputs[0] : NULL;
}

/* ---- argument parsing ---- */

bool ox_arg_is_none(ox_sym *g, int i) { return i >= g->nin || ox_value_is_none(g->in[i]); }

bool ox_value_const_int(ox_value *v, int64_t *out)
{
    if (ox_node_is(v->node, "prim::Constant")) {
        ox_attr *a = ox_node_attr(v->node, "value");
        if (a && a->kind == OX_ATTR_I) {
            *out = a->v.i;
            return true;
        }
    }
    const ox_tensor *t = ox_value_const_tensor(v);
    if (t && ox_tensor_numel(t) == 1 && t->data && ox_dtype_is_real(t->dtype)) {
        *out = ox_tensor_get_i(t, 0);
        return true;
    }
    return false;
}

bool ox_value_const_float(ox_value *v, double *out)
{
    if (ox_node_is(v->node, "prim::Constant")) {
        ox_attr *a = ox_node_attr(v->node, "value");
        if (a && a->kind == OX_ATTR_F) {
            *out = a->v.f;
            return true;
        }
        if (a && a->kind == OX_ATTR_I) {
            *out = (double)a->v.i;
            return true;
        }
    }
    const ox_tensor *t = ox_value_const_tensor(v);
    if (t && ox_tensor_numel(t) == 1 && t->data && ox_dtype_is_real(t->dtype)) {
        *out = ox_tensor_get_f(t, 0);
        return true;
    }
    return false;
}

bool ox_value_const_ints(ox_graph *g, ox_value *v, int64_t **out, int *n)
{
    ox_node *p = v->node;
    if (ox_node_is(p, "prim::Constant")) {
        ox_attr *a = ox_node_attr(p, "value");
        if (a && a->kind == OX_ATTR_IS) {
            *out = a->v.is;
            *n = a->n;
            return true;
        }
    }
    if (ox_node_is(p, "prim::ListConstruct")) {
        int64_t *vals = ox_arena_alloc(g->arena, (size_t)(p->ninputs + 1) * sizeof(int64_t));
        if (!vals) return false;
        for (int i = 0; i < p->ninputs; i++)
            if (!ox_value_const_int(p->inputs[i], &vals[i])) return false;
        *out = vals;
        *n = p->ninputs;
        return true;
    }
    const ox_tensor *t = ox_value_const_tensor(v);
    if (t && t->rank <= 1 && t->data && (ox_dtype_is_integral(t->dtype) || t->dtype == OX_BOOL)) {
        int64_t cnt = ox_tensor_numel(t);
        int64_t *vals = ox_arena_alloc(g->arena, (size_t)(cnt + 1) * sizeof(int64_t));
        if (!vals) return false;
        for (int64_t i = 0; i < cnt; i++) vals[i] = ox_tensor_get_i(t, i);
        *out = vals;
        *n = (int)cnt;
        return true;
    }
    return false;
}

bool ox_arg_is_const(ox_sym *g, int i)
{
    if (i >= g->nin) return false;
    ox_value *v = g->in[i];
    int64_t *l;
    int n;
    return ox_value_is_constant(v) || ox_value_const_ints(g->graph, v, &l, &n);
}

ox_status ox_arg_int(ox_sym *g, int i, int64_t *out)
{
    if (i < g->nin && ox_value_const_int(g->in[i], out)) return OX_OK;
    return ox_sym_error(g, i, "Failed to export a node '%s' because argument %d is not a constant int",
                        g->node->kind, i);
}

ox_status ox_arg_float(ox_sym *g, int i, double *out)
{
    if (i < g->nin && ox_value_const_float(g->in[i], out)) return OX_OK;
    return ox_sym_error(g, i, "Failed to export a node '%s' because argument %d is not a constant float",
                        g->node->kind, i);
}

ox_status ox_arg_bool(ox_sym *g, int i, bool *out)
{
    int64_t v;
    if (i < g->nin && ox_value_const_int(g->in[i], &v)) {
        *out = v != 0;
        return OX_OK;
    }
    return ox_sym_error(g, i, "Failed to export a node '%s' because argument %d is not a constant bool",
                        g->node->kind, i);
}

ox_status ox_arg_str(ox_sym *g, int i, const char **out)
{
    if (i < g->nin && ox_node_is(g->in[i]->node, "prim::Constant")) {
        ox_attr *a = ox_node_attr(g->in[i]->node, "value");
        if (a && a->kind == OX_ATTR_S) {
            *out = a->v.s;
            return OX_OK;
        }
    }
    return ox_sym_error(g, i, "Failed to export a node '%s' because argument %d is not a constant string",
                        g->node->kind, i);
}

ox_status ox_arg_ints(ox_sym *g, int i, int64_t **out, int *n)
{
    if (i < g->nin && ox_value_const_ints(g->graph, g->in[i], out, n)) return OX_OK;
    return ox_sym_error(g, i, "Failed to export a node '%s' because argument %d is not a constant int list",
                        g->node->kind, i);
}

ox_status ox_arg_floats(ox_sym *g, int i, double **out, int *n)
{
    if (i < g->nin) {
        ox_value *v = g->in[i];
        ox_attr *a = ox_node_is(v->node, "prim::Constant") ? ox_node_attr(v->node, "value") : NULL;
        if (a && a->kind == OX_ATTR_FS) {
            *out = a->v.fs;
            *n = a->n;
            return OX_OK;
        }
        ox_node *p = v->node;
        if (ox_node_is(p, "prim::ListConstruct")) {
            double *vals = ox_arena_alloc(g->graph->arena, (size_t)(p->ninputs + 1) * sizeof(double));
            if (!vals) return OX_NOMEM(g->ctx);
            bool ok = true;
            for (int k = 0; k < p->ninputs && ok; k++) ok = ox_value_const_float(p->inputs[k], &vals[k]);
            if (ok) {
                *out = vals;
                *n = p->ninputs;
                return OX_OK;
            }
        }
        const ox_tensor *t = ox_value_const_tensor(v);
        if (t && t->rank <= 1 && t->data) {
            int64_t cnt = ox_tensor_numel(t);
            double *vals = ox_arena_alloc(g->graph->arena, (size_t)(cnt + 1) * sizeof(double));
            if (!vals) return OX_NOMEM(g->ctx);
            for (int64_t k = 0; k < cnt; k++) vals[k] = ox_tensor_get_f(t, k);
            *out = vals;
            *n = (int)cnt;
            return OX_OK;
        }
    }
    return ox_sym_error(g, i, "Failed to export a node '%s' because argument %d is not a constant float list",
                        g->node->kind, i);
}

ox_status ox_arg_list(ox_sym *g, int i, ox_value ***out, int *n)
{
    if (i < g->nin && ox_node_is(g->in[i]->node, "prim::ListConstruct")) {
        *out = g->in[i]->node->inputs;
        *n = g->in[i]->node->ninputs;
        return OX_OK;
    }
    return ox_sym_error(g, i, "Unsupported: ONNX export of a list that is not built by prim::ListConstruct");
}

/* ---- types ---- */

int ox_rank(ox_value *v) { return ox_type_rank(v->type); }

ox_dtype ox_elem_type(ox_value *v) { return ox_type_is_tensor(v->type) ? v->type->dtype : OX_UNDEFINED; }

int64_t ox_static_dim(ox_value *v, int d)
{
    int r = ox_rank(v);
    if (r < 0) return -1;
    if (d < 0) d += r;
    if (d < 0 || d >= r) return -1;
    return v->type->dims[d];
}

/* ---- errors ---- */

static void type_name(ox_strbuf *sb, const ox_type *t)
{
    if (!t) {
        ox_sb_append(sb, "?");
        return;
    }
    if (t->kind == OX_TYPE_TENSOR) ox_sb_append(sb, "Tensor");
    else ox_sb_append(sb, ox_type_kind_name(t->kind));
}

static void value_list(ox_strbuf *sb, const char *title, ox_value **vals, int n)
{
    ox_sb_printf(sb, "\n    %s:", title);
    if (n == 0) ox_sb_append(sb, "\n        Empty");
    for (int i = 0; i < n; i++) {
        ox_sb_printf(sb, "\n        #%d: %s  (type '", i, ox_value_name(vals[i]));
        type_name(sb, vals[i]->type);
        ox_sb_append(sb, "')");
    }
}

static ox_status value_error(ox_sym *g, ox_value *v, const char *msg)
{
    ox_strbuf sb;
    ox_sb_init(&sb, g->graph->arena);
    ox_sb_append(&sb, msg);
    if (v) {
        ox_sb_printf(&sb, "  [Caused by the value '%s' (type '", ox_value_name(v));
        type_name(&sb, v->type);
        ox_sb_printf(&sb, "') in the TorchScript graph. The containing node has kind '%s'.] ",
                     g->node->kind);
    }
    if (g->node->source) ox_sb_printf(&sb, "\n    (node defined in %s)", g->node->source);
    value_list(&sb, "Inputs", g->node->inputs, g->node->ninputs);
    value_list(&sb, "Outputs", g->node->outputs, g->node->noutputs);
    const char *s = ox_sb_str(&sb);
    return ox_fail(g->ctx, ONNXIFY_ERR_SYMBOLIC_VALUE, "%s", s ? s : msg);
}

ox_status ox_sym_error(ox_sym *g, int i, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ox_value *v = i >= 0 && i < g->node->ninputs ? g->node->inputs[i] : NULL;
    return value_error(g, v, msg);
}

ox_status ox_sym_unsupported(ox_sym *g, const char *fmt, ...)
{
    char what[400], msg[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(msg, sizeof msg,
             "Unsupported: ONNX export of %s. Please feel free to request support or submit a pull "
             "request on PyTorch GitHub: https://github.com/pytorch/pytorch/issues",
             what);
    return value_error(g, g->node->noutputs ? g->node->outputs[0] : NULL, msg);
}

ox_status ox_sym_opset_unsupported(ox_sym *g, int supported_opset, const char *reason)
{
    char msg[512];
    snprintf(msg, sizeof msg, "Unsupported: ONNX export of %s in opset %d%s%s. Please try opset version %d.",
             ox_kind_name(g->op), g->opset, reason ? ". " : "", reason ? reason : "", supported_opset);
    return value_error(g, g->node->noutputs ? g->node->outputs[0] : NULL, msg);
}
