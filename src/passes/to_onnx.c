/* The conversion (seed: _jit_pass_onnx + _run_symbolic_function): builds a
 * new graph by visiting the TorchScript nodes in order and lowering each
 * through its symbolic function for the target opset. Values are mapped old
 * -> new through `env`; the TorchScript types and debug names of a node's
 * outputs carry over to the values its symbolic produced. */
#include <string.h>

#include "passes/passes.h"
#include "symbolic/symbolic.h"

/* How many arguments past its inputs a symbolic may read (as None). */
#define OX_SYMBOLIC_SPARE_INPUTS 16

typedef struct converter {
    ox_ctx *ctx;
    ox_value *spare_none;      /* the None stand-in for missing arguments */
    const ox_export_settings *s;
    ox_graph *out;
    ox_value **env;            /* indexed by old value id */
    uint32_t env_size;
} converter;

static ox_value *env_get(converter *c, ox_value *old)
{
    return old->id < c->env_size ? c->env[old->id] : NULL;
}

static void env_set(converter *c, ox_value *old, ox_value *new_value)
{
    if (old->id < c->env_size) c->env[old->id] = new_value;
}

static ox_status convert_block(converter *c, ox_block *old, ox_block *nb);

/* A None constant at the top of the graph (removed by DCE when unused). */
static ox_status make_spare_none(converter *c)
{
    ox_node *n = ox_node_new(c->out, "prim::Constant", 1);
    if (!n) return OX_NOMEM(c->ctx);
    n->outputs[0]->type = ox_type_new(c->ctx->arena, OX_TYPE_NONE);
    if (!n->outputs[0]->type) return OX_NOMEM(c->ctx);
    ox_block_prepend(c->out->top, n);
    c->spare_none = n->outputs[0];
    return OX_OK;
}

/* Copies `n` into block `nb` unchanged (inputs mapped), as torch's cloneNode. */
static ox_status clone_node(converter *c, ox_node *n, ox_block *nb)
{
    ox_node *m = ox_node_new(c->out, n->kind, n->noutputs);
    if (!m) return OX_NOMEM(c->ctx);
    ox_node_copy_metadata(m, n);
    for (int i = 0; i < n->ninputs; i++) OX_TRY(ox_node_add_input(m, env_get(c, n->inputs[i])));
    OX_TRY(ox_node_copy_attrs(m, n));
    ox_block_append(nb, m);
    for (int b = 0; b < n->nblocks; b++) {
        ox_block *sub = ox_node_add_block(m);
        if (!sub) return OX_NOMEM(c->ctx);
        OX_TRY(convert_block(c, n->blocks[b], sub));
    }
    for (int i = 0; i < n->noutputs; i++) {
        ox_value *o = m->outputs[i];
        o->type = n->outputs[i]->type;
        if (ox_value_has_name(n->outputs[i])) ox_value_set_name(o, n->outputs[i]->name);
        env_set(c, n->outputs[i], o);
    }
    return OX_OK;
}

/* torch's GraphContext.aten_op: an aten::ATen node carrying the op name
 * (no namespace, no in-place '_') and its schema overload, the original
 * inputs, and the node's attributes renamed "<name>_<kind>". `nout` outputs:
 * all of them in ONNX_ATEN, one in the fallback after a failed symbolic (as
 * torch, where a multi-output op then fails the output count check). */
static ox_status aten_node(converter *c, ox_node *n, ox_block *nb, const char *key, int nout)
{
    ox_node *m = ox_node_new(c->out, "aten::ATen", nout);
    if (!m) return OX_NOMEM(c->ctx);
    ox_node_copy_metadata(m, n);
    for (int i = 0; i < n->ninputs; i++) OX_TRY(ox_node_add_input(m, env_get(c, n->inputs[i])));
    OX_TRY(ox_node_set_s(m, "operator", ox_kind_name(key)));
    OX_TRY(ox_node_set_s(m, "overload_name", n->overload ? n->overload : ""));
    for (ox_attr *a = n->attrs; a; a = a->next) {
        const char *renamed = ox_arena_printf(c->ctx->arena, "%s_%c", a->name, ox_attr_kind_name(a->kind)[0]);
        if (!renamed) return OX_NOMEM(c->ctx);
        OX_TRY(ox_node_copy_attr(m, a, renamed));
    }
    ox_node_sort_attrs(m);
    ox_block_append(nb, m);
    if (n->noutputs != nout && nout == 1 && n->noutputs > 1)
        return ox_fail(c->ctx, ONNXIFY_ERR_EXPORTER,
                       "symbolic for %s produced an incorrect number of outputs (expected %d, but got 1) (%s)",
                       key, n->noutputs, ox_node_describe(n));
    for (int i = 0; i < nout && i < n->noutputs; i++) {
        m->outputs[i]->type = n->outputs[i]->type;
        if (ox_value_has_name(n->outputs[i])) ox_value_set_name(m->outputs[i], n->outputs[i]->name);
        env_set(c, n->outputs[i], m->outputs[i]);
    }
    return OX_OK;
}

static bool is_standard_namespace(const char *ns)
{
    return !strcmp(ns, "aten") || !strcmp(ns, "prim") || !strcmp(ns, "quantized") || !*ns;
}

static ox_status unsupported(converter *c, ox_node *n, const char *key)
{
    char ns[64];
    ox_kind_ns(key, ns, sizeof ns);
    int first = ox_symbolic_first_opset(key);
    const char *where = ox_node_describe(n);
    if (first > c->s->opset)
        return ox_fail(c->ctx, ONNXIFY_ERR_UNSUPPORTED_OPERATOR,
                       "Exporting the operator '%s' to ONNX opset version %d is not supported. Support for "
                       "this operator was added in version %d, try exporting with this version. (%s)",
                       key, c->s->opset, first, where);
    if (is_standard_namespace(ns))
        return ox_fail(c->ctx, ONNXIFY_ERR_UNSUPPORTED_OPERATOR,
                       "Exporting the operator '%s' to ONNX opset version %d is not supported. Please feel "
                       "free to request support or submit a pull request on PyTorch GitHub: "
                       "https://github.com/pytorch/pytorch/issues (%s)",
                       key, c->s->opset, where);
    return ox_fail(c->ctx, ONNXIFY_ERR_UNSUPPORTED_OPERATOR,
                   "ONNX export failed on an operator with unrecognized namespace '%s'. If you are trying "
                   "to export a custom operator, make sure you registered it with the right domain and "
                   "version. (%s)",
                   key, where);
}

/* True when the type says nothing (a fresh value from ox_node_new). */
static bool type_unknown(const ox_type *t)
{
    return !t || (t->kind == OX_TYPE_TENSOR && t->dtype == OX_UNDEFINED && t->rank < 0);
}

static ox_status take_results(converter *c, ox_node *n, ox_sym *g, uint32_t first_seq)
{
    for (int i = 0; i < n->noutputs; i++) {
        ox_value *old = n->outputs[i], *v = g->out[i];
        if (!v) {
            if (old->nuses)
                return ox_fail(c->ctx, ONNXIFY_ERR_EXPORTER,
                               "symbolic for %s returned None for the output %d (indicating conversion for "
                               "that particular output is not supported), but the network uses this output "
                               "later (%s)",
                               g->op, i, ox_node_describe(n));
            continue;
        }
        /* Only values this symbolic created take the old type and name. */
        if (v->node->seq >= first_seq && !ox_value_is_graph_input(v)) {
            if (type_unknown(v->type)) {
                v->type = old->type;
            } else if (old->type && old->type->kind == OX_TYPE_TENSOR && v->type->kind == OX_TYPE_TENSOR &&
                       old->type->rank >= 0) {
                /* The traced shape, but a dtype the symbolic chose stays (an
                 * integer pow computed in float is float). */
                ox_dtype chosen = v->type->dtype;
                v->type = chosen == OX_UNDEFINED ? old->type : ox_type_copy(c->ctx->arena, old->type);
                if (!v->type) return OX_NOMEM(c->ctx);
                if (chosen != OX_UNDEFINED) v->type->dtype = chosen;
            }
            if (ox_value_has_name(old) && !ox_value_has_name(v)) ox_value_set_name(v, old->name);
        }
        env_set(c, old, v);
    }
    return OX_OK;
}

static ox_status convert_node(converter *c, ox_node *n, ox_block *nb)
{
    const char *key = ox_symbolic_key(c->ctx->arena, n->kind);
    if (!key) return OX_NOMEM(c->ctx);
    char ns[64];
    ox_kind_ns(key, ns, sizeof ns);
    onnxify_operator_export_type et = c->s->export_type;

    for (int i = 0; i < n->ninputs; i++)
        if (!env_get(c, n->inputs[i]))
            return ox_fail(c->ctx, ONNXIFY_ERR_EXPORTER, "input %d of %s has no converted value", i,
                           ox_node_describe(n));

    ox_symbolic_fn fn = ox_symbolic_lookup(key, c->s->opset);
    bool is_aten = !strcmp(ns, "aten");
    /* torch's _should_aten_fallback */
    if (is_aten && (et == ONNXIFY_OPERATOR_EXPORT_ONNX_ATEN || (et == ONNXIFY_OPERATOR_EXPORT_ONNX_ATEN_FALLBACK && !fn)))
        return aten_node(c, n, nb, key, n->noutputs);
    if (!fn) {
        if (!strcmp(ns, "onnx")) return clone_node(c, n, nb); /* already ONNX: re-created as is */
        if (et == ONNXIFY_OPERATOR_EXPORT_ONNX_FALLTHROUGH) return clone_node(c, n, nb);
        return unsupported(c, n, key);
    }

    /* Past the node's own inputs, a symbolic reading more arguments than the
     * node has (a malformed description) sees None, never stray memory. */
    ox_value **ins = ox_arena_alloc(c->ctx->arena, (size_t)(n->ninputs + OX_SYMBOLIC_SPARE_INPUTS) * sizeof(ox_value *));
    ox_value **outs = ox_arena_alloc(c->ctx->arena, (size_t)(n->noutputs + 1) * sizeof(ox_value *));
    if (!ins || !outs) return OX_NOMEM(c->ctx);
    for (int i = 0; i < n->ninputs; i++) ins[i] = env_get(c, n->inputs[i]);
    for (int i = n->ninputs; i < n->ninputs + OX_SYMBOLIC_SPARE_INPUTS; i++) {
        if (!c->spare_none) OX_TRY(make_spare_none(c));
        ins[i] = c->spare_none;
    }
    ox_sym g = {
        .ctx = c->ctx, .graph = c->out, .block = nb, .opset = c->s->opset, .training = c->s->training,
        .export_type = et, .node = n, .op = key, .in = ins, .nin = n->ninputs, .out = outs,
        .nout = n->noutputs,
    };
    uint32_t first_seq = c->out->next_node_seq;
    ox_status st = fn(&g);
    if (st != OX_OK) {
        /* A symbolic that fails (torch: raises a RuntimeError) falls through
         * or back to ATen in those modes; the nodes it built are dropped. */
        bool through = et == ONNXIFY_OPERATOR_EXPORT_ONNX_FALLTHROUGH;
        bool back = et == ONNXIFY_OPERATOR_EXPORT_ONNX_ATEN_FALLBACK && is_aten;
        if ((through || back) && st != ONNXIFY_ERR_OUT_OF_MEMORY && st != ONNXIFY_ERR_INTERNAL) {
            ox_info(c->ctx, "%s %s: %s", through ? "keeping unconverted" : "exporting as ATen", n->kind,
                    c->ctx->message ? c->ctx->message : "");
            ox_clear_error(c->ctx);
            while (nb->ret->prev != nb->ret && nb->ret->prev->seq >= first_seq) {
                ox_node_destroy(nb->ret->prev);
            }
            return through ? clone_node(c, n, nb) : aten_node(c, n, nb, key, 1);
        }
        return st;
    }
    /* A failure parked by a builder call whose result the symbolic did not check. */
    if (c->ctx->status != OX_OK) return c->ctx->status;
    if (g.clone) return clone_node(c, n, nb);
    /* Nodes a symbolic built carry their attributes sorted by name, as torch's g.op. */
    ox_node *first = NULL;
    for (ox_node *m = nb->ret->prev; m != nb->ret && m->seq >= first_seq; m = m->prev) {
        ox_node_sort_attrs(m);
        first = m;
    }
    /* torch's per-node shape inference settles static sizes as it goes, so
     * the next symbolics see constants (topk's k from x.size(1) - 1, ...). */
    if (first && c->s->onnx_shape_inference) OX_TRY(ox_fold_static_from(c->out, first, c->s->opset, g.out, g.nout));
    return take_results(c, n, &g, first_seq);
}

static ox_status convert_block(converter *c, ox_block *old, ox_block *nb)
{
    for (int i = 0; i < ox_block_ninputs(old); i++) {
        ox_value *o = ox_block_input(old, i);
        ox_value *v = ox_block_add_input(nb, ox_value_has_name(o) ? o->name : NULL, o->type);
        if (!v) return OX_NOMEM(c->ctx);
        v->init = o->init;
        env_set(c, o, v);
    }
    for (ox_node *n = ox_block_first(old); n != old->ret; n = n->next) OX_TRY(convert_node(c, n, nb));
    for (int i = 0; i < ox_block_noutputs(old); i++) {
        ox_value *v = env_get(c, ox_block_output(old, i));
        if (!v) return ox_fail(c->ctx, ONNXIFY_ERR_EXPORTER, "block output %d has no converted value", i);
        OX_TRY(ox_block_add_output(nb, v));
    }
    return OX_OK;
}

ox_status ox_pass_to_onnx(ox_graph *in, const ox_export_settings *s, ox_graph **out)
{
    converter c = {.ctx = in->ctx, .s = s};
    c.out = ox_graph_new(in->ctx);
    c.env_size = in->next_value_id;
    c.env = ox_arena_alloc(in->ctx->arena, ((size_t)c.env_size + 1) * sizeof(ox_value *));
    if (!c.out || !c.env) return OX_NOMEM(in->ctx);
    OX_TRY(convert_block(&c, in->top, c.out->top));
    if (c.spare_none && c.spare_none->nuses == 0) ox_node_destroy(c.spare_none->node);
    *out = c.out;
    return OX_OK;
}
