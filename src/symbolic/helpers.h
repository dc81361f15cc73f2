/* Opset-aware building blocks shared by the symbolic families (torch's
 * symbolic_helper): each emits the right form for g->opset (attribute vs
 * input operands, removed attributes, ...). All return NULL on failure with
 * the error parked in g->ctx. */
#ifndef OX_SYMBOLIC_HELPERS_H
#define OX_SYMBOLIC_HELPERS_H

#include "symbolic/symbolic.h"

/* Unsqueeze/Squeeze: `axes` attribute before opset 13, an input from 13. n == 0
 * for squeeze means "all size-1 dims". */
ox_value *ox_unsqueeze(ox_sym *g, ox_value *x, const int64_t *axes, int n);
ox_value *ox_squeeze(ox_sym *g, ox_value *x, const int64_t *axes, int n);
/* Reduce*: `axes` attribute, an input from opset 13 for ReduceSum and from 18
 * for the others. n == 0: reduce over all axes. */
ox_value *ox_reduce(ox_sym *g, const char *op, ox_value *x, const int64_t *axes, int n, bool keepdims);
/* Slice: attributes before opset 10, inputs from 10. steps may be NULL. */
ox_value *ox_slice(ox_sym *g, ox_value *x, const int64_t *axes, const int64_t *starts,
                   const int64_t *ends, const int64_t *steps, int n);
/* Split into n pieces of the given sizes along axis (`split` attribute before
 * 13, input from 13). Returns the node (outputs = pieces). */
ox_node *ox_split(ox_sym *g, ox_value *x, int64_t axis, const int64_t *sizes, int n);
ox_value *ox_cast(ox_sym *g, ox_value *x, ox_dtype to);
ox_value *ox_reshape(ox_sym *g, ox_value *x, ox_value *shape);
/* 0-d int64 size of dim `dim` of x: Shape -> Gather (or a constant when static
 * and `allow_static`). */
ox_value *ox_size_of(ox_sym *g, ox_value *x, int64_t dim);
/* Normalises a possibly negative dim against rank r; -1 when out of range. */
int64_t ox_norm_dim(int64_t dim, int r);

/* ---- defined in elementwise.c, shared with activation/reduce/dropout ---- */

/* torch's _op_with_optional_float_cast: for opsets below `opset_before`,
 * integer inputs are cast to float around `op` and the result cast back.
 * `mark` is the node sequence number at which the symbolic started. */
ox_value *ox_ew_float_cast_op(ox_sym *g, const char *op, ox_value *const *ins, int nin, int opset_before,
                              uint32_t mark, ox_node **node_out);
/* torch's _unimplemented: raises only in ONNX export mode. */
ox_status ox_ew_unimplemented(ox_sym *g, const char *op, const char *msg, bool with_value);
/* A torch ScalarType number (the `dtype` arguments) as an ONNX dtype. */
bool ox_ew_onnx_dtype(int64_t scalar_type, ox_dtype *out);
const char *ox_ew_torch_type_name(ox_dtype t);

#endif
