/* ONNX-level peepholes after the conversion (seed: _jit_pass_onnx_peephole),
 * in torch's order where they apply to the graphs we produce:
 *   - fuse consecutive Transposes, drop identity Transposes;
 *   - fold a Transpose(perm=[1,0]) feeding Gemm's A or B into transA/transB;
 *   - erase prim::ListConstruct feeding ONNX ops: a Tensor[] becomes a
 *     SequenceConstruct (opset 11+), a constant int list an int64 Constant,
 *     any other list Concat(Unsqueeze(elem, 0)...);
 *   - erase prim::ListUnpack / TupleConstruct left unused;
 *   - drop MaxPool's second (indices) output when nothing uses it;
 *   - a block input returned as an output goes through an Identity. */
#include <string.h>

#include "passes/passes.h"
#include "symbolic/helpers.h"

static bool is_onnx(const ox_node *n) { return strncmp(n->kind, "onnx::", 6) == 0; }

static ox_attr *perm_of(ox_node *n)
{
    ox_attr *a = ox_node_attr(n, "perm");
    return a && a->kind == OX_ATTR_IS ? a : NULL;
}

static bool is_identity_perm(const ox_attr *p)
{
    for (int i = 0; i < p->n; i++)
        if (p->v.is[i] != i) return false;
    return true;
}

static ox_status fuse_transposes(ox_graph *g, ox_block *b, bool *changed)
{
    for (ox_node *n = ox_block_first(b); n != b->ret;) {
        ox_node *next = n->next;
        for (int i = 0; i < n->nblocks; i++) OX_TRY(fuse_transposes(g, n->blocks[i], changed));
        if (ox_node_is(n, "onnx::Transpose") && ox_node_is(n->inputs[0]->node, "onnx::Transpose") &&
            n->inputs[0]->node->owner == n->owner) {
            ox_node *first = n->inputs[0]->node;
            ox_attr *p1 = perm_of(first), *p2 = perm_of(n);
            if (p1 && p2 && p1->n == p2->n) {
                int64_t *perm = ox_arena_alloc(g->arena, (size_t)p2->n * sizeof(int64_t));
                if (!perm) return OX_NOMEM(g->ctx);
                for (int i = 0; i < p2->n; i++) {
                    if (p2->v.is[i] < 0 || p2->v.is[i] >= p1->n) return OX_OK;
                    perm[i] = p1->v.is[p2->v.is[i]];
                }
                OX_TRY(ox_node_set_is(n, "perm", perm, p2->n));
                ox_node_set_input(n, 0, first->inputs[0]);
                if (first->outputs[0]->nuses == 0) ox_node_destroy(first);
                *changed = true;
            }
        }
        /* as torch, also when it is a graph output: its input takes its place */
        if (ox_node_is(n, "onnx::Transpose") && perm_of(n) && is_identity_perm(perm_of(n))) {
            ox_value_replace_all_uses(n->outputs[0], n->inputs[0]);
            ox_node_destroy(n);
            *changed = true;
        }
        n = next;
    }
    return OX_OK;
}

static ox_status transpose_into_gemm(ox_graph *g, ox_block *b, bool *changed)
{
    for (ox_node *n = ox_block_first(b); n != b->ret; n = n->next) {
        for (int i = 0; i < n->nblocks; i++) OX_TRY(transpose_into_gemm(g, n->blocks[i], changed));
        if (!ox_node_is(n, "onnx::Gemm")) continue;
        for (int i = 0; i < 2 && i < n->ninputs; i++) {
            ox_node *t = n->inputs[i]->node;
            ox_attr *p = ox_node_is(t, "onnx::Transpose") && t->owner == n->owner ? perm_of(t) : NULL;
            if (!p || p->n != 2 || p->v.is[0] != 1 || p->v.is[1] != 0) continue;
            const char *flag = i == 0 ? "transA" : "transB";
            ox_attr *cur = ox_node_attr(n, flag);
            OX_TRY(ox_node_set_i(n, flag, cur && cur->kind == OX_ATTR_I ? !cur->v.i : 1));
            ox_node_set_input(n, i, t->inputs[0]);
            if (t->outputs[0]->nuses == 0) ox_node_destroy(t);
            *changed = true;
        }
    }
    return OX_OK;
}

/* Builds the int64 1-D tensor an int list stands for, before `user`. */
static ox_status list_to_tensor(ox_graph *g, int opset, ox_node *list, ox_node *user, ox_value **out)
{
    ox_sym s = {.ctx = g->ctx, .graph = g, .block = user->owner, .insert_before = user, .opset = opset,
                .node = list, .op = list->kind};
    int64_t *vals;
    int n;
    const ox_type *lt = list->outputs[0]->type;
    bool tensor_list = lt && lt->kind == OX_TYPE_LIST && lt->nelems && ox_type_is_tensor(lt->elems[0]);
    if (tensor_list && opset >= 11) {
        /* a Tensor[] is an ONNX sequence */
        ox_node *seq = ox_op(&s, "SequenceConstruct", 1, list->ninputs, list->inputs);
        if (!seq) return g->ctx->status;
        *out = seq->outputs[0];
        return OX_OK;
    }
    if (ox_value_const_ints(g, list->outputs[0], &vals, &n)) {
        *out = ox_const_i64s(&s, vals, n);
        return *out ? OX_OK : g->ctx->status;
    }
    ox_value **parts = ox_arena_alloc(g->arena, (size_t)(list->ninputs + 1) * sizeof(ox_value *));
    if (!parts) return OX_NOMEM(g->ctx);
    static const int64_t zero = 0;
    for (int i = 0; i < list->ninputs; i++) {
        ox_value *e = list->inputs[i];
        int64_t c;
        if (ox_value_const_int(e, &c) && ox_rank(e) <= 0)
            parts[i] = ox_const_i64s(&s, &c, 1);
        else if (ox_rank(e) == 1)
            parts[i] = e;
        else
            parts[i] = ox_unsqueeze(&s, e, &zero, 1);
        if (!parts[i]) return g->ctx->status ? g->ctx->status : OX_NOMEM(g->ctx);
    }
    ox_node *cat = ox_op(&s, "Concat", 1, list->ninputs, parts);
    if (!cat) return g->ctx->status;
    OX_TRY(ox_node_set_i(cat, "axis", 0));
    cat->outputs[0]->type = ox_type_tensor(g->arena, OX_INT64, 1, NULL);
    *out = cat->outputs[0];
    return OX_OK;
}

static ox_status erase_list_construct(ox_graph *g, int opset, ox_block *b, bool *changed)
{
    for (ox_node *n = ox_block_first(b); n != b->ret; n = n->next) {
        for (int i = 0; i < n->nblocks; i++) OX_TRY(erase_list_construct(g, opset, n->blocks[i], changed));
        if (!is_onnx(n)) continue;
        for (int i = 0; i < n->ninputs; i++) {
            ox_node *list = n->inputs[i]->node;
            if (!ox_node_is(list, "prim::ListConstruct")) continue;
            ox_value *t;
            OX_TRY(list_to_tensor(g, opset, list, n, &t));
            ox_node_set_input(n, i, t);
            *changed = true;
        }
    }
    return OX_OK;
}

static void drop_unused_maxpool_indices(ox_block *b, bool *changed)
{
    for (ox_node *n = ox_block_first(b); n != b->ret; n = n->next) {
        for (int i = 0; i < n->nblocks; i++) drop_unused_maxpool_indices(n->blocks[i], changed);
        if (ox_node_is(n, "onnx::MaxPool") && n->noutputs == 2 && n->outputs[1]->nuses == 0) {
            ox_node_erase_output(n, 1);
            *changed = true;
        }
    }
}

/* A block input returned as that block's output (in any block, torch's
 * insertIdentityForInputUsedAsOutput) goes through an Identity. */
static ox_status identity_for_passthrough_outputs(ox_graph *g, ox_block *b, bool *changed)
{
    for (ox_node *n = ox_block_first(b); n != b->ret; n = n->next)
        for (int i = 0; i < n->nblocks; i++) OX_TRY(identity_for_passthrough_outputs(g, n->blocks[i], changed));
    for (int i = 0; i < ox_block_noutputs(b); i++) {
        ox_value *v = ox_block_output(b, i);
        if (v->node != v->node->owner->param) continue;
        ox_node *id = ox_node_new(g, "onnx::Identity", 1);
        if (!id) return OX_NOMEM(g->ctx);
        OX_TRY(ox_node_add_input(id, v));
        id->outputs[0]->type = v->type;
        ox_block_append(b, id);
        ox_block_set_output(b, i, id->outputs[0]);
        *changed = true;
    }
    return OX_OK;
}

ox_status ox_pass_onnx_peephole(ox_graph *g, int opset, bool *changed)
{
    bool c = false;
    OX_TRY(fuse_transposes(g, g->top, &c));
    OX_TRY(transpose_into_gemm(g, g->top, &c));
    OX_TRY(erase_list_construct(g, opset, g->top, &c));
    OX_TRY(ox_pass_dce(g, NULL));
    drop_unused_maxpool_indices(g->top, &c);
    OX_TRY(identity_for_passthrough_outputs(g, g->top, &c));
    if (changed) *changed = c;
    return OX_OK;
}
