/* Per-op evaluators of the ONNX constant folding (seed: the op table of
 * _jit_pass_onnx_constant_fold). Each computes the folded node's output from
 * its constant inputs the way torch's ATen call would, in the tensors' own
 * dtypes. A node torch would not fold (unsupported op or attribute form, a
 * case ATen rejects) is not folded; where torch's folded value departs from
 * the node's ONNX meaning, the ONNX value is produced (see fold_ops.c). */
#ifndef OX_FOLD_OPS_H
#define OX_FOLD_OPS_H

#include "ir/ir.h"

/* Evaluates `n` on `in` (n->ninputs entries; NULL for a None input). On OX_OK,
 * *out is the result (allocated in g's arena; it may share the data of an
 * input when torch's result is a view of it), or NULL when the node is not
 * folded. Only running out of memory is an error. Input tensors are never
 * modified. */
ox_status ox_fold_eval(ox_graph *g, const ox_node *n, const ox_tensor *const *in, int opset,
                       ox_tensor **out);

/* True when `t` is well formed: known element size, dims >= 0 and nbytes equal
 * to numel * element size (checked before folding, so evaluators may index freely). */
bool ox_fold_tensor_ok(const ox_tensor *t);

#endif
