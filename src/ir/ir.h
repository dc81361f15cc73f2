/* The graph IR, shaped like TorchScript's: a graph owns a top block; a block
 * is a list of nodes between a param node (whose outputs are the block inputs)
 * and a return node (whose inputs are the block outputs); nodes have kinds
 * ("aten::relu", "onnx::Conv", "prim::Constant"), input and output values,
 * attributes and sub-blocks; values know their producer and all their uses.
 * Everything lives in the export's arena. */
#ifndef OX_IR_H
#define OX_IR_H

#include <stdbool.h>
#include <stdint.h>

#include "ir/dtype.h"
#include "util/ctx.h"

typedef struct ox_graph ox_graph;
typedef struct ox_block ox_block;
typedef struct ox_node ox_node;
typedef struct ox_value ox_value;

/* ---- types ------------------------------------------------------------- */

typedef enum ox_type_kind {
    OX_TYPE_TENSOR,
    OX_TYPE_INT,
    OX_TYPE_FLOAT,
    OX_TYPE_BOOL,
    OX_TYPE_STR,
    OX_TYPE_NONE,
    OX_TYPE_DEVICE,
    OX_TYPE_NUMBER,     /* Scalar */
    OX_TYPE_LAYOUT,
    OX_TYPE_DTYPE,      /* ScalarType value */
    OX_TYPE_LIST,
    OX_TYPE_TUPLE,
    OX_TYPE_OPTIONAL
} ox_type_kind;

#define OX_DIM_UNKNOWN (-1)

typedef struct ox_type {
    ox_type_kind kind;
    /* tensor */
    ox_dtype dtype;             /* OX_UNDEFINED when unknown */
    int rank;                   /* -1 when unknown */
    int64_t *dims;              /* rank entries, OX_DIM_UNKNOWN for unknown sizes */
    const char **dim_names;     /* NULL, or rank entries (NULL = no name) */
    bool requires_grad;
    /* list / optional: elems[0]; tuple: all */
    struct ox_type **elems;
    int nelems;
} ox_type;

ox_type *ox_type_new(ox_arena *a, ox_type_kind kind);
/* A tensor type; dims may be NULL with rank >= 0 (all unknown), rank -1 = unranked. */
ox_type *ox_type_tensor(ox_arena *a, ox_dtype dtype, int rank, const int64_t *dims);
ox_type *ox_type_copy(ox_arena *a, const ox_type *t);
const char *ox_type_kind_name(ox_type_kind k);
bool ox_type_is_tensor(const ox_type *t);
/* The rank, or -1 when unknown / not a tensor. */
int ox_type_rank(const ox_type *t);
/* True when every dim is known (>= 0). */
bool ox_type_is_static(const ox_type *t);
int64_t ox_type_numel(const ox_type *t); /* -1 if not static */

/* ---- tensors (constant data) ------------------------------------------- */

typedef struct ox_tensor {
    ox_dtype dtype;
    int rank;
    int64_t *dims;
    const void *data;          /* borrowed (weights buffer) or arena-owned */
    size_t nbytes;
    const char *name;          /* optional (initializer / external-data name) */
} ox_tensor;

ox_tensor *ox_tensor_new(ox_arena *a, ox_dtype dtype, int rank, const int64_t *dims);
/* Allocates zeroed data of the right size in the arena. NULL on overflow/nomem. */
ox_tensor *ox_tensor_alloc(ox_arena *a, ox_dtype dtype, int rank, const int64_t *dims);
/* The same with uninitialised data, for callers that write every element. */
ox_tensor *ox_tensor_alloc_uninit(ox_arena *a, ox_dtype dtype, int rank, const int64_t *dims);
int64_t ox_tensor_numel(const ox_tensor *t);
ox_tensor *ox_tensor_scalar_i64(ox_arena *a, int64_t v);
ox_tensor *ox_tensor_scalar_f32(ox_arena *a, float v);
ox_tensor *ox_tensor_scalar_f64(ox_arena *a, double v);
ox_tensor *ox_tensor_i64s(ox_arena *a, const int64_t *v, int n); /* 1-D */
/* Element i as double / int64 (any numeric dtype, incl. half and bfloat16). */
double ox_tensor_get_f(const ox_tensor *t, int64_t i);
int64_t ox_tensor_get_i(const ox_tensor *t, int64_t i);
void ox_tensor_set_f(ox_tensor *t, int64_t i, double v);
void ox_tensor_set_i(ox_tensor *t, int64_t i, int64_t v);
bool ox_tensor_equal(const ox_tensor *a, const ox_tensor *b); /* dtype, dims, bytes */

/* ---- attributes -------------------------------------------------------- */

typedef enum ox_attr_kind {
    OX_ATTR_F, OX_ATTR_FS, OX_ATTR_I, OX_ATTR_IS, OX_ATTR_S, OX_ATTR_SS,
    OX_ATTR_T, OX_ATTR_TS, OX_ATTR_G, OX_ATTR_GS
} ox_attr_kind;

typedef struct ox_attr {
    const char *name;
    ox_attr_kind kind;
    int n;                     /* element count for the list kinds */
    union {
        double f;
        int64_t i;
        const char *s;
        ox_tensor *t;
        ox_block *g;
        double *fs;
        int64_t *is;
        const char **ss;
        ox_tensor **ts;
        ox_block **gs;
    } v;
    struct ox_attr *next;      /* attributes keep insertion order */
} ox_attr;

const char *ox_attr_kind_name(ox_attr_kind k); /* "f", "is", ... */

/* ---- values, nodes, blocks, graph -------------------------------------- */

/* One call of one module (torch's scope object): nested calls form a chain
 * to the root. Two calls of the same module are two instances with the same
 * atom ("torch.nn.modules.activation.ReLU::relu"). */
typedef struct ox_scope {
    struct ox_scope *parent;   /* NULL for the root module's call */
    const char *atom;          /* "<qualified class>::<attribute name>" */
    const char *path;          /* "/layer1/relu_1": assigned by the naming pass */
} ox_scope;

typedef struct ox_use {
    ox_node *user;
    int index;                 /* input slot of `user` */
} ox_use;

struct ox_value {
    ox_node *node;             /* producer (a param node for block inputs) */
    int offset;                /* output index in the producer */
    uint32_t id;               /* unique in the graph */
    const char *name;          /* debug name; NULL = unnamed (printed as its id) */
    ox_type *type;             /* never NULL (tensor of unknown dtype/rank by default) */
    ox_use *uses;
    int nuses, uses_cap;
    ox_tensor *init;           /* graph inputs only: the parameter's data (initializer) */
};

struct ox_node {
    ox_graph *graph;
    const char *kind;          /* interned "ns::name" */
    ox_value **inputs;
    int ninputs, inputs_cap;
    ox_value **outputs;
    int noutputs, outputs_cap;
    ox_attr *attrs;
    ox_block **blocks;
    int nblocks;
    ox_block *owner;
    ox_node *prev, *next;      /* in the owner's node list */
    const char *scope;         /* "Cls::name/Cls2::child" or NULL */
    ox_scope *scope_inst;      /* the module call this node belongs to, or NULL */
    const char *source;        /* source location text or NULL */
    const char *overload;      /* aten schema overload ("Tensor"; "" = default), NULL if unknown */
    const char *name;          /* ONNX node name, assigned by the naming pass */
    uint32_t seq;              /* creation order, for stable sorting */
};

struct ox_block {
    ox_graph *graph;
    ox_node *owning_node;      /* NULL for the top block */
    ox_node *param;            /* outputs = block inputs */
    ox_node *ret;              /* inputs = block outputs; also the list sentinel */
};

struct ox_graph {
    ox_ctx *ctx;
    ox_arena *arena;
    ox_block *top;
    uint32_t next_value_id;
    uint32_t next_node_seq;
    uint32_t next_number;      /* next canonical value number (see passes/canonicalize.c) */
    struct ox_intern *intern;  /* interned kinds and attribute names */
};

ox_graph *ox_graph_new(ox_ctx *ctx);
/* Interned copy of `s` (pointer-equal for equal strings). */
const char *ox_intern(ox_graph *g, const char *s);

ox_block *ox_block_new(ox_graph *g, ox_node *owning_node);
/* Node iteration: for (ox_node *n = ox_block_first(b); n != b->ret; n = n->next).
 * To delete while iterating, read n->next before ox_node_destroy(n). */
ox_node *ox_block_first(const ox_block *b);
ox_value *ox_block_add_input(ox_block *b, const char *name, ox_type *type);
void ox_block_insert_input(ox_block *b, int index, ox_value *v); /* v from ox_value_new-like path */
/* Removes block input i; it must have no uses. */
void ox_block_erase_input(ox_block *b, int index);
int ox_block_ninputs(const ox_block *b);
ox_value *ox_block_input(const ox_block *b, int i);
int ox_block_noutputs(const ox_block *b);
ox_value *ox_block_output(const ox_block *b, int i);
ox_status ox_block_add_output(ox_block *b, ox_value *v);
void ox_block_set_output(ox_block *b, int i, ox_value *v);

/* A detached node with `noutputs` outputs of unknown tensor type. Insert it
 * with ox_node_insert_before/after or ox_block_append. NULL on nomem. */
ox_node *ox_node_new(ox_graph *g, const char *kind, int noutputs);
void ox_node_insert_before(ox_node *n, ox_node *pos);
void ox_node_insert_after(ox_node *n, ox_node *pos);
void ox_block_append(ox_block *b, ox_node *n);    /* before the return node */
void ox_block_prepend(ox_block *b, ox_node *n);   /* first node */
/* Unlinks from the list, drops its input uses. Its outputs must be unused. */
void ox_node_destroy(ox_node *n);
bool ox_node_is(const ox_node *n, const char *kind); /* strcmp on the kind */
/* "aten" of "aten::relu" (into buf) and "relu" (pointer into kind). */
const char *ox_kind_ns(const char *kind, char *buf, size_t bufsize);
const char *ox_kind_name(const char *kind);

ox_status ox_node_add_input(ox_node *n, ox_value *v);
void ox_node_set_input(ox_node *n, int i, ox_value *v);
void ox_node_remove_input(ox_node *n, int i);
void ox_node_remove_all_inputs(ox_node *n);
ox_value *ox_node_add_output(ox_node *n);
void ox_node_erase_output(ox_node *n, int i);     /* it must be unused */
ox_value *ox_node_output(const ox_node *n);       /* the single output (asserted by caller) */
ox_block *ox_node_add_block(ox_node *n);
/* Copies scope and source location from `from`. */
void ox_node_copy_metadata(ox_node *n, const ox_node *from);

/* Values */
const char *ox_value_name(ox_value *v);            /* name, or the id as text (not stored) */
bool ox_value_has_name(const ox_value *v);         /* a real (non-numeric) debug name */
void ox_value_set_name(ox_value *v, const char *name);
void ox_value_replace_all_uses(ox_value *v, ox_value *with);
/* Replace uses only in nodes that come after `after` in its block (and nested). */
bool ox_value_is_graph_input(const ox_value *v);   /* input of the top block */
bool ox_value_is_graph_output(const ox_value *v);

/* Attributes (set replaces an existing one of the same name, keeping its place). */
ox_attr *ox_node_attr(const ox_node *n, const char *name);
bool ox_node_has_attr(const ox_node *n, const char *name);
ox_status ox_node_set_f(ox_node *n, const char *name, double v);
ox_status ox_node_set_i(ox_node *n, const char *name, int64_t v);
ox_status ox_node_set_s(ox_node *n, const char *name, const char *v);
ox_status ox_node_set_t(ox_node *n, const char *name, ox_tensor *t);
ox_status ox_node_set_fs(ox_node *n, const char *name, const double *v, int count);
ox_status ox_node_set_is(ox_node *n, const char *name, const int64_t *v, int count);
ox_status ox_node_set_ss(ox_node *n, const char *name, const char *const *v, int count);
ox_status ox_node_set_ts(ox_node *n, const char *name, ox_tensor *const *v, int count);
ox_status ox_node_set_g(ox_node *n, const char *name, ox_block *b);
ox_status ox_node_set_gs(ox_node *n, const char *name, ox_block *const *v, int count);
void ox_node_remove_attr(ox_node *n, const char *name);
/* Orders the attributes by name (torch's g.op writes them sorted). */
void ox_node_sort_attrs(ox_node *n);
/* Copies attribute `a` (of any node) onto `n` under `name`. */
ox_status ox_node_copy_attr(ox_node *n, const ox_attr *a, const char *name);
/* Copies all attributes of `from` (deep enough: arrays are copied, tensors shared). */
ox_status ox_node_copy_attrs(ox_node *n, const ox_node *from);

/* Constant helpers used everywhere: a value produced by prim::Constant or onnx::Constant. */
bool ox_value_is_constant(const ox_value *v);
bool ox_value_is_none(const ox_value *v);          /* prim::Constant without value / NoneType */
/* The tensor of an onnx::Constant/prim::Constant[value=t], or a parameter's data; else NULL. */
const ox_tensor *ox_value_const_tensor(const ox_value *v);

/* Debug/error text of a node: "aten::relu (scope /layer1/relu, source file.py:12)". */
const char *ox_node_describe(ox_node *n);
/* TorchScript-like text of a block/graph into the arena (for verbose logging and tests). */
const char *ox_graph_to_text(ox_graph *g);

#endif
