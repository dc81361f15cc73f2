/* The op-family tables the registry dispatches over. Each file in
 * src/symbolic/ named after a family defines one, terminated by {0}. */
#ifndef OX_FAMILIES_H
#define OX_FAMILIES_H

#include "symbolic/symbolic.h"

extern const ox_symbolic_entry ox_symbolics_prim[];        /* prim.c: Constant, ListConstruct, ... */
extern const ox_symbolic_entry ox_symbolics_elementwise[]; /* elementwise.c: add, mul, div, ... */
extern const ox_symbolic_entry ox_symbolics_activation[];  /* activation.c: relu, hardtanh, softmax, ... */
extern const ox_symbolic_entry ox_symbolics_linear[];      /* linear.c: linear, addmm, matmul, bmm, ... */
extern const ox_symbolic_entry ox_symbolics_conv[];        /* conv.c: _convolution, conv2d, ... */
extern const ox_symbolic_entry ox_symbolics_pool[];        /* pool.c: max_pool2d, adaptive_avg_pool2d, ... */
extern const ox_symbolic_entry ox_symbolics_norm[];        /* norm.c: batch_norm, layer_norm, ... */
extern const ox_symbolic_entry ox_symbolics_shape[];       /* shape.c: view, reshape, flatten, transpose, ... */
extern const ox_symbolic_entry ox_symbolics_dropout[];     /* dropout.c: dropout, feature_dropout, ... */
extern const ox_symbolic_entry ox_symbolics_reduce[];      /* reduce.c: mean, sum, ... */
extern const ox_symbolic_entry ox_symbolics_tensor[];      /* tensor.c: to, zeros, full, arange, ... */
extern const ox_symbolic_entry ox_symbolics_indexing[];    /* indexing.c: gather, scatter, index, topk, ... */
extern const ox_symbolic_entry ox_symbolics_rnn[];         /* rnn.c: lstm, gru, rnn_tanh, rnn_relu, lstm_cell */
extern const ox_symbolic_entry ox_symbolics_resize[];      /* resize.c: upsample_*, __interpolate */

#endif
