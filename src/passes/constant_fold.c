/* Constant folding on the ONNX graph (seed: _jit_pass_onnx_constant_fold).
 *
 * Walks the top block in order (so chains fold in one run). A node folds when
 * it has exactly one output, no sub-blocks, at least one input, and every
 * input is a parameter (a top-block input with data) or an onnx::Constant
 * holding a tensor; a None prim::Constant is accepted only where the op takes
 * an optional input (fold_ops.c). The evaluated result replaces the node's
 * output: as a new, unnamed top-block input carrying the data when any input
 * was a parameter (a later pass names it onnx::<Consumer>_<n>), else as a new
 * onnx::Constant placed where the node was. A graph output keeps its name;
 * other names go with the folded node as in torch, whose replacement value is
 * a fresh one. The folded node and the constant parents it leaves unused are
 * destroyed; parameters left unused are removed later (eliminate_unused_items). */
#include "passes/fold_ops.h"
#include "passes/passes.h"

#define STACK_INPUTS 16

typedef struct fold_mode {
    bool params;          /* parameters count as constants (do_constant_folding) */
    /* During the conversion (ox_fold_static_from): constants made before the
     * current symbolic may still be wanted by nodes not converted yet (the
     * conversion's value map holds them without a use), and the symbolic's
     * results are wanted by the next ones: neither is dropped when unused. */
    uint32_t keep_before;
    ox_value **track;
    int ntrack;
} fold_mode;

static bool is_param(const ox_value *v) { return v->init && ox_value_is_graph_input(v); }

static const ox_tensor *onnx_constant_tensor(const ox_value *v)
{
    if (!ox_node_is(v->node, "onnx::Constant")) return NULL;
    ox_attr *a = ox_node_attr(v->node, "value");
    return a && a->kind == OX_ATTR_T ? a->v.t : NULL;
}

static bool is_none_constant(const ox_value *v)
{
    return ox_node_is(v->node, "prim::Constant") && ox_value_is_none(v);
}

/* Destroys the producer of v when it is a constant nobody uses any more;
 * *next (the walk's next node) moves on if that is the node destroyed. */
static void drop_if_dead(ox_value *v, ox_node **next, const fold_mode *mode)
{
    ox_node *p = v->node;
    if (!p->prev || p->noutputs != 1 || p->outputs[0]->nuses) return; /* unlinked already, or used */
    if (p->seq < mode->keep_before) return;
    for (int i = 0; i < mode->ntrack; i++)
        if (mode->track[i] == v) return;
    if (!ox_node_is(p, "onnx::Constant") && !is_none_constant(v)) return;
    if (p == *next) *next = p->next;
    ox_node_destroy(p);
}

/* Shape of a value whose traced type is fully static (no dynamic axes): its
 * dims, as torch's shape inference knows them. NULL when not static. */
static ox_tensor *static_shape(ox_graph *g, ox_node *n, int opset)
{
    ox_type *t = n->inputs[0]->type;
    if (!ox_type_is_static(t) || t->dim_names) return NULL;
    int64_t start = 0, end = t->rank;
    ox_attr *a;
    if (opset >= 15 && (a = ox_node_attr(n, "start")) && a->kind == OX_ATTR_I) start = a->v.i;
    if (opset >= 15 && (a = ox_node_attr(n, "end")) && a->kind == OX_ATTR_I) end = a->v.i;
    if (start < 0) start += t->rank;
    if (end < 0) end += t->rank;
    if (start < 0) start = 0;
    if (end > t->rank) end = t->rank;
    if (end < start) end = start;
    return ox_tensor_i64s(g->arena, t->dims + start, (int)(end - start));
}

static ox_status fold_node(ox_graph *g, ox_node *n, int opset, fold_mode mode, ox_node **next, ox_value **folded)
{
    *folded = NULL;
    if (n->noutputs != 1 || n->nblocks || n->ninputs == 0) return OX_OK;
    if (ox_node_is(n, "onnx::Shape") && n->ninputs == 1 && !is_param(n->inputs[0]) &&
        !onnx_constant_tensor(n->inputs[0])) {
        ox_tensor *dims = static_shape(g, n, opset);
        if (!dims) return g->ctx->status;
        ox_node *c = ox_node_new(g, "onnx::Constant", 1);
        if (!c || ox_node_set_t(c, "value", dims) != OX_OK) return OX_NOMEM(g->ctx);
        ox_node_copy_metadata(c, n);
        ox_node_insert_before(c, n);
        c->outputs[0]->type = ox_type_tensor(g->arena, OX_INT64, 1, (int64_t[]){dims->dims[0]});
        if (!c->outputs[0]->type) return OX_NOMEM(g->ctx);
        ox_value_replace_all_uses(n->outputs[0], c->outputs[0]);
        if (*next == n) *next = n->next;
        ox_node_destroy(n);
        *folded = c->outputs[0];
        return OX_OK;
    }
    int nin = n->ninputs;
    const ox_tensor *tbuf[STACK_INPUTS];
    ox_value *vbuf[STACK_INPUTS];
    const ox_tensor **in = tbuf;
    ox_value **vals = vbuf;
    if (nin > STACK_INPUTS) {
        in = ox_arena_alloc(g->arena, (size_t)nin * sizeof(*in));
        vals = ox_arena_alloc(g->arena, (size_t)nin * sizeof(*vals));
        if (!in || !vals) return OX_NOMEM(g->ctx);
    }
    bool has_param = false;
    for (int i = 0; i < nin; i++) {
        ox_value *v = n->inputs[i];
        const ox_tensor *t;
        vals[i] = v;
        if (is_param(v)) {
            if (!mode.params) return OX_OK;
            in[i] = v->init;
            has_param = true;
        } else if ((t = onnx_constant_tensor(v))) {
            in[i] = t;
        } else if (is_none_constant(v)) {
            in[i] = NULL;
        } else {
            return OX_OK;
        }
    }

    ox_tensor *res;
    OX_TRY(ox_fold_eval(g, n, in, opset, &res));
    if (!res) return OX_OK;

    ox_type *type = ox_type_tensor(g->arena, res->dtype, res->rank, res->dims);
    if (!type) return OX_NOMEM(g->ctx);
    ox_value *old = n->outputs[0], *nv;
    if (has_param) {
        nv = ox_block_add_input(g->top, NULL, type);
        if (!nv) return OX_NOMEM(g->ctx);
        nv->init = res;
    } else {
        ox_node *c = ox_node_new(g, "onnx::Constant", 1);
        if (!c) return OX_NOMEM(g->ctx);
        OX_TRY(ox_node_set_t(c, "value", res));
        ox_node_copy_metadata(c, n);
        ox_node_insert_before(c, n);
        nv = c->outputs[0];
        nv->type = type;
    }
    /* torch's new value is a fresh one; a graph output keeps its (output_names) name */
    if (ox_value_has_name(old) && ox_value_is_graph_output(old)) {
        ox_value_set_name(nv, old->name);
        if (!nv->name) return OX_NOMEM(g->ctx);
    }
    ox_status before = g->ctx->status;
    ox_value_replace_all_uses(old, nv);
    if (before == OX_OK && g->ctx->status != OX_OK) return g->ctx->status; /* out of memory */

    ox_node_destroy(n);
    for (int i = 0; i < nin; i++) drop_if_dead(vals[i], next, &mode);
    *folded = nv;
    return OX_OK;
}

static ox_status fold_graph(ox_graph *g, int opset, fold_mode mode, bool *changed)
{
    bool c = false;
    if (changed) *changed = false;
    ox_block *b = g->top;
    for (ox_node *n = ox_block_first(b); n != b->ret;) {
        ox_node *next = n->next;
        ox_value *folded;
        ox_status s = fold_node(g, n, opset, mode, &next, &folded);
        if (s != OX_OK) {
            if (changed) *changed = c;
            return s;
        }
        c |= folded != NULL;
        n = next;
    }
    if (changed) *changed = c;
    return OX_OK;
}

ox_status ox_pass_constant_fold(ox_graph *g, int opset, bool *changed)
{
    if (changed) *changed = false;
    if (opset < 9) return OX_OK; /* torch folds from opset 9 on */
    return fold_graph(g, opset, (fold_mode){.params = true}, changed);
}

/* What torch's ONNX shape inference settles during the conversion whatever
 * do_constant_folding says: with static input shapes (no dynamic axes),
 * Shape of a value is known, and so is every op computed from constants
 * only (Gather, Concat, Unsqueeze, arithmetic on sizes, ...). */
ox_status ox_pass_fold_static_shapes(ox_graph *g, int opset, bool *changed)
{
    return fold_graph(g, opset, (fold_mode){.params = false}, changed);
}

ox_status ox_fold_static_from(ox_graph *g, ox_node *first, int opset, ox_value **track, int ntrack)
{
    ox_block *b = first->owner;
    fold_mode mode = {.params = false, .keep_before = first->seq, .track = track, .ntrack = ntrack};
    for (ox_node *n = first; n != b->ret;) {
        ox_node *next = n->next;
        ox_value *old = n->noutputs == 1 ? n->outputs[0] : NULL, *folded;
        OX_TRY(fold_node(g, n, opset, mode, &next, &folded));
        if (folded)
            for (int i = 0; i < ntrack; i++)
                if (track[i] == old) track[i] = folded;
        n = next;
    }
    return OX_OK;
}
