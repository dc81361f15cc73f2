/* Shared machinery for the passes that rewrite matching nodes. */
#ifndef OX_REWRITE_H
#define OX_REWRITE_H

#include "ir/ir.h"

typedef bool (*ox_node_pred)(const ox_node *n);
typedef ox_status (*ox_node_rewrite)(ox_graph *g, ox_node *n, bool *changed);

/* Calls `fn` on every node of `b` (and of nested blocks) that `pred` accepts.
 * Matches are collected before any rewrite runs, so a rewrite may remove
 * nodes further down the list. */
ox_status ox_rewrite_matching(ox_graph *g, ox_block *b, ox_node_pred pred, ox_node_rewrite fn, bool *changed);

/* When `n`'s single Tensor[] output goes only into a prim::ListUnpack,
 * replaces both by one node of `kind` with `n`'s inputs and attributes and
 * one output per element (names and types of the unpacked values). The new
 * node is returned in *fused (NULL when the pattern does not hold). */
ox_status ox_fuse_list_unpack(ox_graph *g, ox_node *n, const char *kind, int ninputs, ox_node **fused);

#endif
