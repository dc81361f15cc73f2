/* In-place ops (seed: _jit_pass_onnx_remove_inplace_ops_for_onnx).
 *
 * In a traced graph an in-place op on a whole tensor (x.relu_(), x.add_(y))
 * is already functional: the tracer routes every later use of x to the op's
 * output, and the symbolic of the op without its '_' computes that output.
 * What needs torch's full rewrite is a write *into a view* whose effect is
 * seen later through another alias (y[0] += 1 then y is used,
 * y.select(0, 0).copy_(z)): the mutation reaches the base tensor only through
 * aliasing, which ONNX does not have. torch turns those into index_put;
 * onnxify does not do that yet and says so, instead of exporting a model that
 * silently drops the assignment. A write nobody can observe — the base and its
 * other views are not used afterwards, as in LSTMCell's gates.chunk(4)
 * followed by ingate.sigmoid_() — is functional already and passes. */
#include <string.h>

#include "passes/passes.h"

static const char *const view_ops[] = {
    "aten::select",   "aten::slice",    "aten::narrow",   "aten::view",      "aten::view_as",
    "aten::reshape",  "aten::transpose", "aten::t",       "aten::permute",   "aten::unsqueeze",
    "aten::squeeze",  "aten::expand",   "aten::expand_as", "aten::as_strided", "aten::diagonal",
    "aten::unflatten", "aten::flatten", "aten::detach",   "aten::alias",     "aten::__getitem__",
    "aten::unbind",   "aten::split",    "aten::chunk",    "prim::ListUnpack", "prim::ConstantChunk",
};

static bool is_view_op(const ox_node *n)
{
    for (size_t i = 0; i < sizeof(view_ops) / sizeof(view_ops[0]); i++)
        if (ox_node_is(n, view_ops[i])) return true;
    return false;
}

/* aten::add_, aten::copy_, aten::index_put_ (one trailing '_'; not a dunder). */
static bool is_inplace(const ox_node *n)
{
    if (strncmp(n->kind, "aten::", 6) != 0) return false;
    size_t len = strlen(n->kind);
    return len > 7 && n->kind[len - 1] == '_' && n->kind[len - 2] != '_';
}

bool ox_writes_into_view(const ox_node *n)
{
    return is_inplace(n) && n->ninputs > 0 && is_view_op(n->inputs[0]->node);
}

/* The tensor a view reads (its data input; through a ListUnpack, the list's
 * producer's). NULL when `v` is not a view. */
static ox_value *view_source(ox_value *v)
{
    ox_node *p = v->node;
    if (!is_view_op(p) || p->ninputs == 0) return NULL;
    ox_value *src = p->inputs[0];
    if (ox_node_is(p, "prim::ListUnpack")) {
        ox_node *list = src->node;
        return is_view_op(list) && list->ninputs ? list->inputs[0] : NULL;
    }
    return src;
}

/* Outputs of ops that cut a tensor into pieces do not overlap each other. */
static bool splits_into_pieces(const ox_node *n)
{
    return n->noutputs > 1 || ox_node_is(n, "prim::ListUnpack");
}

/* Does `v` alias the memory the write into `target` changes? `v` is the
 * target, one of its bases, or a view reached from such a base through
 * anything but a disjoint sibling piece. */
static bool sees_write(ox_value *v, ox_value *target)
{
    for (int depth = 0; v && depth < 64; depth++) {
        for (ox_value *t = target; t; t = view_source(t))
            if (t == v) return true;
        ox_value *src = view_source(v);
        if (!src) return false;
        if (splits_into_pieces(v->node)) {
            /* a sibling piece: aliases the write only if the target came through the same piece */
            bool same_piece = false;
            for (ox_value *t = target; t; t = view_source(t))
                if (t == v) same_piece = true;
            if (!same_piece) return false;
        }
        v = src;
    }
    return false;
}

/* A write into a view is visible when, after it, a node reads a tensor that
 * shares the written memory (the base, the view itself, or another view). */
static bool write_is_visible(ox_node *n)
{
    ox_value *target = n->inputs[0];
    for (ox_node *m = n->next; m != n->owner->ret; m = m->next)
        for (int i = 0; i < m->ninputs; i++)
            if (sees_write(m->inputs[i], target)) return true;
    for (int i = 0; i < ox_block_noutputs(n->owner); i++)
        if (sees_write(ox_block_output(n->owner, i), target)) return true;
    return false;
}

static ox_status check_block(ox_graph *g, ox_block *b)
{
    for (ox_node *n = ox_block_first(b); n != b->ret; n = n->next) {
        for (int i = 0; i < n->nblocks; i++) OX_TRY(check_block(g, n->blocks[i]));
        if (ox_writes_into_view(n) && write_is_visible(n))
            return ox_fail(g->ctx, ONNXIFY_ERR_EXPORTER,
                           "in-place %s writes into a view (the output of %s) of another tensor: onnxify does not "
                           "yet rewrite such assignments into index_put as torch's "
                           "_jit_pass_onnx_remove_inplace_ops_for_onnx does. Write the assignment out of place "
                           "(e.g. torch.cat / torch.where) to export this model. (%s)",
                           n->kind, n->inputs[0]->node->kind, ox_node_describe(n));
    }
    return OX_OK;
}

ox_status ox_pass_remove_inplace_ops(ox_graph *g, bool *changed)
{
    if (changed) *changed = false;
    return check_block(g, g->top);
}
