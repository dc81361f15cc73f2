/* In-place ops (seed: _jit_pass_onnx_remove_inplace_ops_for_onnx).
 *
 * In a traced graph an in-place op on a whole tensor (x.relu_(), x.add_(y))
 * is already functional: the tracer routes every later use of x to the op's
 * output, and the symbolic of the op without its '_' computes that output.
 * What needs torch's full rewrite is a write *into a view* (y[0] += 1,
 * y.select(0, 0).copy_(z)): the mutation reaches the base tensor only
 * through aliasing, which ONNX does not have. torch turns those into
 * index_put; onnxify does not do that yet and says so, instead of exporting
 * a model that silently drops the assignment. */
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

static ox_status check_block(ox_graph *g, ox_block *b)
{
    for (ox_node *n = ox_block_first(b); n != b->ret; n = n->next) {
        for (int i = 0; i < n->nblocks; i++) OX_TRY(check_block(g, n->blocks[i]));
        if (ox_writes_into_view(n))
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
