/* Symbolic functions: how one TorchScript node (aten::/prim::) becomes ONNX
 * nodes for the target opset. Each op family lives in its own file and
 * exports a table of {name, opset, fn}; registry.c dispatches by name and
 * opset the way torch's registry does ("highest version <= target").
 *
 * A symbolic function reads its arguments from `g->in` (the already
 * converted inputs), builds ONNX nodes with ox_op()/ox_op1(), and stores its
 * results in `g->out`. It reads like the ONNX it emits:
 *
 *     static ox_status relu(ox_sym *g)
 *     {
 *         return ox_set_out(g, 0, ox_op1(g, "Relu", g->in[0], NULL));
 *     }
 */
#ifndef OX_SYMBOLIC_H
#define OX_SYMBOLIC_H

#include <stdarg.h>

#include "ir/ir.h"

typedef struct ox_sym {
    ox_ctx *ctx;
    ox_graph *graph;          /* the ONNX graph being built */
    ox_block *block;          /* where new nodes are appended */
    ox_node *insert_before;   /* if set, new nodes go before this node instead */
    int opset;
    bool training;            /* GLOBALS.export_training */
    onnxify_operator_export_type export_type;
    ox_node *node;            /* the TorchScript node being converted (old graph) */
    const char *op;           /* its registry key ("aten::relu" for aten::relu_) */
    ox_value **in;            /* converted inputs, node->ninputs of them */
    int nin;
    ox_value **out;           /* results, node->noutputs slots, NULL = not produced */
    int nout;
    bool clone;               /* set by ox_keep_node(): copy the node unchanged */
} ox_sym;

typedef ox_status (*ox_symbolic_fn)(ox_sym *g);

typedef struct ox_symbolic_entry {
    const char *name;         /* "aten::relu", "prim::Constant" */
    int opset;                /* registered at this opset */
    ox_symbolic_fn fn;
} ox_symbolic_entry;

/* ---- building nodes ---------------------------------------------------- */

/* Appends a node of kind `op` ("Relu" means "onnx::Relu"; "dom::Op" is kept)
 * with the given inputs and `nout` outputs, carrying the scope and source of
 * the node being converted. NULL on failure (the error is parked in g->ctx). */
ox_node *ox_op(ox_sym *g, const char *op, int nout, int nin, ox_value *const *inputs);
/* The same with NULL-terminated variadic inputs; returns output 0. */
ox_value *ox_op1(ox_sym *g, const char *op, ...);
ox_value *ox_op1v(ox_sym *g, const char *op, va_list ap);

/* Expression-style builders: any NULL input (a failure already parked in the
 * context) gives NULL, so calls nest and one check at the end suffices:
 *     ox_set_out(g, 0, ox_op_2(g, "Div", ox_op_2(g, "Sub", x, mean), std)); */
ox_value *ox_opn(ox_sym *g, const char *op, int n, ox_value *const *in);
static inline ox_value *ox_op_1(ox_sym *g, const char *op, ox_value *a) { return ox_opn(g, op, 1, &a); }
static inline ox_value *ox_op_2(ox_sym *g, const char *op, ox_value *a, ox_value *b)
{
    ox_value *in[2] = {a, b};
    return ox_opn(g, op, 2, in);
}
static inline ox_value *ox_op_3(ox_sym *g, const char *op, ox_value *a, ox_value *b, ox_value *c)
{
    ox_value *in[3] = {a, b, c};
    return ox_opn(g, op, 3, in);
}
static inline ox_value *ox_op_4(ox_sym *g, const char *op, ox_value *a, ox_value *b, ox_value *c, ox_value *d)
{
    ox_value *in[4] = {a, b, c, d};
    return ox_opn(g, op, 4, in);
}
/* Attribute setters on v's node that pass v through (NULL stays NULL). */
ox_value *ox_with_i(ox_value *v, const char *name, int64_t i);
ox_value *ox_with_is(ox_value *v, const char *name, const int64_t *is, int n);
ox_value *ox_with_f(ox_value *v, const char *name, double f);
ox_value *ox_with_s(ox_value *v, const char *name, const char *s);
ox_value *ox_with_t(ox_value *v, const char *name, ox_tensor *t);
/* Fails (SymbolicValueError) unless the node has at least n inputs. */
ox_status ox_need_inputs(ox_sym *g, int n);

/* Stores result i. A NULL value means a failure upstream: returns its status. */
ox_status ox_set_out(ox_sym *g, int i, ox_value *v);
/* Ask the converter to copy the node unchanged (torch: symbolic returned None). */
ox_status ox_keep_node(ox_sym *g);

/* Constants (onnx::Constant with a `value` tensor). */
ox_value *ox_const_tensor(ox_sym *g, ox_tensor *t);
ox_value *ox_const_i64(ox_sym *g, int64_t v);                  /* 0-d int64 */
ox_value *ox_const_i64s(ox_sym *g, const int64_t *v, int n);   /* 1-D int64 */
ox_value *ox_const_f32(ox_sym *g, float v);                    /* 0-d float */
ox_value *ox_const_scalar(ox_sym *g, ox_dtype dtype, double v); /* 0-d of dtype */
/* A None value (prim::Constant without value): an omitted optional input. */
ox_value *ox_none(ox_sym *g);

/* ---- reading arguments (torch's parse_args) ---------------------------- */

bool ox_arg_is_none(ox_sym *g, int i);
/* The value is known at export time (constant, or a ListConstruct of constants). */
bool ox_arg_is_const(ox_sym *g, int i);
ox_status ox_arg_int(ox_sym *g, int i, int64_t *out);
ox_status ox_arg_float(ox_sym *g, int i, double *out);
ox_status ox_arg_bool(ox_sym *g, int i, bool *out);
ox_status ox_arg_str(ox_sym *g, int i, const char **out);
/* An int list (constant list, 1-D constant tensor, or ListConstruct of
 * constants). *out lives in the arena. */
ox_status ox_arg_ints(ox_sym *g, int i, int64_t **out, int *n);
ox_status ox_arg_floats(ox_sym *g, int i, double **out, int *n);
/* Elements of a prim::ListConstruct input (Tensor[] arguments like cat's). */
ox_status ox_arg_list(ox_sym *g, int i, ox_value ***out, int *n);

/* Same readers on any value (not only node inputs). */
bool ox_value_const_int(ox_value *v, int64_t *out);
bool ox_value_const_float(ox_value *v, double *out);
bool ox_value_const_ints(ox_graph *g, ox_value *v, int64_t **out, int *n);

/* ---- input types ------------------------------------------------------- */

int ox_rank(ox_value *v);              /* -1 when unknown */
ox_dtype ox_elem_type(ox_value *v);    /* OX_UNDEFINED when unknown */
/* Size of dim `d` (negative counts from the end) when statically known, else -1. */
int64_t ox_static_dim(ox_value *v, int d);

/* ---- errors ------------------------------------------------------------ */

/* SymbolicValueError about input `i` of the node (torch's message format). */
ox_status ox_sym_error(ox_sym *g, int i, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* "Unsupported: ONNX export of <what>" (SymbolicValueError with the node). */
ox_status ox_sym_unsupported(ox_sym *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "Unsupported: ONNX export of <op> in opset <v>. Please try opset version <w>." */
ox_status ox_sym_opset_unsupported(ox_sym *g, int supported_opset, const char *reason);

/* ---- registry ---------------------------------------------------------- */

/* The symbolic for `name` at `opset`, or NULL. */
ox_symbolic_fn ox_symbolic_lookup(const char *name, int opset);
/* Lowest opset at which `name` is registered, or 0. */
int ox_symbolic_first_opset(const char *name);
/* Registry key of a node kind: one trailing '_' stripped (aten::relu_ -> aten::relu). */
const char *ox_symbolic_key(ox_arena *a, const char *kind);

#endif
