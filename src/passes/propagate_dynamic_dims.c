/* Dynamic dims flow through the TorchScript graph (onnxify's stand-in for the
 * symbolic shapes torch's ONNX shape inference keeps, seed step 21-22).
 *
 * The types of a traced graph are the trace's: all static. Once
 * set_dynamic_input_shape made some input dims unknown, every value whose
 * size depends on them must say so too, or symbolics read traced sizes
 * (ox_static_dim) and the static-shape folding turns Shape into constants:
 * a model that only works for the traced sizes. This pass walks the graph in
 * order and relaxes the output types op by op:
 *
 *   - a dim that flows unchanged keeps its dynamic_axes name (torch reuses
 *     the name downstream, so outputs show `batch` instead of a generated
 *     name);
 *   - a dim computed from dynamic dims becomes unknown, unnamed;
 *   - a dim that cannot depend on them keeps its traced size;
 *   - ops without a rule whose inputs are dynamic get all dims unknown
 *     (rank kept): conservative, never wrong.
 *
 * Sizes are values too: aten::size of a dynamic dim is "value-dynamic", and
 * so is what is computed from it (bsz * num_heads); a shape list built from
 * such values gives unknown dims (named when the element is exactly a named
 * dim). Sizes of static dims and constants are tracked as known integers,
 * through simple arithmetic, so view(x, [size(x, 0), size(x, 2) / 4, ...])
 * keeps what is static static.
 *
 * Dtypes are never touched. Types are copied before a change (they may be
 * shared), and a dim never carries a name unless it is unknown. */
#include <string.h>

#include "passes/passes.h"
#include "symbolic/symbolic.h"

#define MAX_DEPTH 32

typedef struct vinfo {
    bool valdyn;          /* the value (a size, a shape list) depends on dynamic dims */
    bool known;           /* an integer known at export time (constant, static size) */
    int64_t value;
    const char *dim;      /* the value is exactly the dynamic dim of that name */
} vinfo;

typedef struct prop {
    ox_graph *g;
    vinfo *info;          /* by value id */
    uint32_t ninfo;
    ox_type **traced;     /* the traced type of a relaxed value, by value id */
    vinfo scratch;        /* for values created after the pass started (none expected) */
    bool changed;
} prop;

static vinfo *vi(prop *p, const ox_value *v)
{
    if (v->id < p->ninfo) return &p->info[v->id];
    memset(&p->scratch, 0, sizeof(p->scratch));
    return &p->scratch;
}

/* ---- what is dynamic ---------------------------------------------------- */

static bool tensor_dyn(const ox_type *t)
{
    if (!ox_type_is_tensor(t)) return false;
    if (t->rank < 0) return true;
    for (int i = 0; i < t->rank; i++)
        if (t->dims[i] < 0) return true;
    return false;
}

static bool type_dyn(const ox_type *t, int depth)
{
    if (!t || depth > MAX_DEPTH) return false;
    if (t->kind == OX_TYPE_TENSOR) return tensor_dyn(t);
    if (t->kind == OX_TYPE_LIST || t->kind == OX_TYPE_TUPLE || t->kind == OX_TYPE_OPTIONAL)
        for (int i = 0; i < t->nelems; i++)
            if (type_dyn(t->elems[i], depth + 1)) return true;
    return false;
}

/* A value is dynamic when its type has unknown dims or its content depends
 * on dynamic sizes. A list built by prim::ListConstruct is what its elements
 * are (its Tensor[] type says nothing about their shapes). */
static bool dyn(prop *p, ox_value *v)
{
    if (ox_node_is(v->node, "prim::ListConstruct") || ox_node_is(v->node, "prim::TupleConstruct"))
        return vi(p, v)->valdyn;
    return type_dyn(v->type, 0) || vi(p, v)->valdyn;
}

static bool any_input_dyn(prop *p, ox_node *n)
{
    for (int i = 0; i < n->ninputs; i++)
        if (dyn(p, n->inputs[i])) return true;
    return false;
}

/* A value that is a size, a shape list or a scalar rather than data: the
 * only values whose content (not shape) is tracked. */
static bool small(const ox_type *t)
{
    if (!t) return false;
    if (t->kind == OX_TYPE_TENSOR) return t->rank <= 1;
    return t->kind != OX_TYPE_NONE && t->kind != OX_TYPE_STR && t->kind != OX_TYPE_DEVICE &&
           t->kind != OX_TYPE_LAYOUT && t->kind != OX_TYPE_DTYPE;
}

static int rank_of(const ox_value *v) { return ox_type_rank(v->type); }

static int64_t dim_of(const ox_value *v, int i) { return v->type->dims[i]; }

static const char *name_of(const ox_value *v, int i)
{
    return v->type->dim_names && v->type->dims[i] < 0 ? v->type->dim_names[i] : NULL;
}

/* An integer constant (int, or a one-element integral tensor). */
static bool const_int(ox_value *v, int64_t *out)
{
    if (!ox_node_is(v->node, "prim::Constant") && !ox_node_is(v->node, "onnx::Constant")) return false;
    ox_attr *a = ox_node_attr(v->node, "value");
    if (a && a->kind == OX_ATTR_I) {
        *out = a->v.i;
        return true;
    }
    if (a && a->kind == OX_ATTR_T && a->v.t->data && ox_tensor_numel(a->v.t) == 1 &&
        (ox_dtype_is_integral(a->v.t->dtype) || a->v.t->dtype == OX_BOOL)) {
        *out = ox_tensor_get_i(a->v.t, 0);
        return true;
    }
    return false;
}

/* An int[] argument rather than an int (split's sizes vs split_size). */
static bool is_int_list(const ox_value *v)
{
    return v->type && (v->type->kind == OX_TYPE_LIST || (ox_type_is_tensor(v->type) && v->type->rank == 1));
}

static bool known_int(prop *p, ox_value *v, int64_t *out)
{
    vinfo *f = vi(p, v);
    if (f->known) {
        *out = f->value;
        return true;
    }
    return const_int(v, out);
}

static bool arg_int(prop *p, ox_node *n, int i, int64_t *out)
{
    return i < n->ninputs && known_int(p, n->inputs[i], out);
}

static bool arg_none(ox_node *n, int i) { return i >= n->ninputs || ox_value_is_none(n->inputs[i]); }

/* dim normalised against rank r, or -1 when out of range */
static int norm_dim(int64_t d, int r)
{
    if (d < 0) d += r;
    return d >= 0 && d < r ? (int)d : -1;
}

/* ---- building relaxed types --------------------------------------------- */

/* A private copy of o's traced tensor type with a dim_names array, or NULL
 * in *t when o is no ranked tensor (nothing to relax). */
static ox_status begin(prop *p, ox_value *o, ox_type **t)
{
    *t = NULL;
    if (!ox_type_is_tensor(o->type) || o->type->rank < 0) return OX_OK;
    ox_type *c = ox_type_copy(p->g->arena, o->type);
    if (!c) return OX_NOMEM(p->g->ctx);
    if (c->rank > 0) {
        c->dim_names = ox_arena_alloc(p->g->arena, (size_t)c->rank * sizeof(char *));
        if (!c->dim_names) return OX_NOMEM(p->g->ctx);
        if (o->type->dim_names)
            for (int i = 0; i < c->rank; i++) c->dim_names[i] = o->type->dim_names[i];
    }
    *t = c;
    return OX_OK;
}

static void set_dyn(ox_type *t, int i, const char *name)
{
    t->dims[i] = OX_DIM_UNKNOWN;
    t->dim_names[i] = name;
}

/* Output dim i is input x's dim j: its name when dynamic, else the traced
 * size (a trace that disagrees with x is not trusted: unknown). */
static void follow(ox_type *t, int i, ox_value *x, int j)
{
    int64_t d = dim_of(x, j);
    if (d < 0) set_dyn(t, i, name_of(x, j));
    else if (t->dims[i] != d) set_dyn(t, i, NULL);
}

static bool same_names(const ox_type *a, const ox_type *b)
{
    for (int i = 0; i < a->rank; i++) {
        const char *x = a->dim_names ? a->dim_names[i] : NULL, *y = b->dim_names ? b->dim_names[i] : NULL;
        if ((x == NULL) != (y == NULL) || (x && strcmp(x, y) != 0)) return false;
    }
    return true;
}

static void commit(prop *p, ox_value *o, ox_type *t)
{
    if (!t) return;
    bool named = false;
    for (int i = 0; i < t->rank; i++) {
        if (t->dims[i] >= 0) t->dim_names[i] = NULL;
        named |= t->dim_names[i] != NULL;
    }
    if (!named) t->dim_names = NULL;
    const ox_type *old = o->type;
    bool same = old->rank == t->rank && same_names(old, t);
    for (int i = 0; same && i < t->rank; i++) same = old->dims[i] == t->dims[i];
    if (same) return;
    if (o->id < p->ninfo && !p->traced[o->id]) p->traced[o->id] = o->type;
    o->type = t;
    p->changed = true;
}

/* The type with every tensor dim unknown (rank kept), lists and tuples
 * element-wise; NULL on nomem. */
static ox_type *unknown_dims(prop *p, const ox_type *t, int depth)
{
    ox_type *c = ox_type_copy(p->g->arena, t);
    if (!c) return NULL;
    if (c->kind == OX_TYPE_TENSOR) {
        for (int i = 0; i < c->rank; i++) c->dims[i] = OX_DIM_UNKNOWN;
        c->dim_names = NULL;
    } else if (depth < MAX_DEPTH) {
        for (int i = 0; i < c->nelems; i++)
            if (c->elems[i] && !(c->elems[i] = unknown_dims(p, c->elems[i], depth + 1))) return NULL;
    }
    return c;
}

static ox_status relax_all(prop *p, ox_value *o)
{
    const ox_type *t = o->type;
    if (!t) return OX_OK;
    if (t->kind == OX_TYPE_TENSOR) {
        bool all = true;
        for (int i = 0; i < t->rank; i++) all &= t->dims[i] < 0 && !(t->dim_names && t->dim_names[i]);
        if (all) return OX_OK; /* unranked, 0-d, or nothing known already */
    } else if (t->kind != OX_TYPE_LIST && t->kind != OX_TYPE_TUPLE && t->kind != OX_TYPE_OPTIONAL) {
        return OX_OK;
    }
    ox_type *c = unknown_dims(p, o->type, 0);
    if (!c) return OX_NOMEM(p->g->ctx);
    if (o->id < p->ninfo && !p->traced[o->id]) p->traced[o->id] = o->type;
    o->type = c;
    p->changed = true;
    return OX_OK;
}

/* The conservative rule: every output dim unknown. */
static ox_status generic(prop *p, ox_node *n)
{
    for (int i = 0; i < n->noutputs; i++) {
        ox_value *o = n->outputs[i];
        OX_TRY(relax_all(p, o));
        if (small(o->type)) vi(p, o)->valdyn = true;
    }
    return OX_OK;
}

/* ---- sizes as values ------------------------------------------------------ */

static bool is_arith(const char *name)
{
    return !strcmp(name, "add") || !strcmp(name, "sub") || !strcmp(name, "mul") || !strcmp(name, "div") ||
           !strcmp(name, "floor_divide") || !strcmp(name, "floordiv") || !strcmp(name, "rsub");
}

static bool floor_div(int64_t a, int64_t b, int64_t *out)
{
    if (b == 0 || (a == INT64_MIN && b == -1)) return false;
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    *out = q;
    return true;
}

/* Known integer results of size arithmetic (add/sub/mul, integer division). */
static void arith_known(prop *p, ox_node *n, const char *name, vinfo *out)
{
    int64_t a, b, alpha = 1, r;
    if (!arg_int(p, n, 0, &a) || !arg_int(p, n, 1, &b)) return;
    const ox_type *ot = n->outputs[0]->type;
    if (!(ot->kind == OX_TYPE_INT || (ox_type_is_tensor(ot) && ox_dtype_is_integral(ot->dtype)))) return;
    if (!strcmp(name, "add") || !strcmp(name, "sub") || !strcmp(name, "rsub")) {
        /* add: a + alpha*b, sub: a - alpha*b, rsub: b - alpha*a */
        if (n->ninputs > 2 && !arg_int(p, n, 2, &alpha)) return;
        int64_t scaled;
        if (!strcmp(name, "rsub")) {
            if (__builtin_mul_overflow(a, alpha, &scaled) || __builtin_sub_overflow(b, scaled, &r)) return;
        } else {
            if (__builtin_mul_overflow(b, alpha, &scaled)) return;
            if (!strcmp(name, "add") ? __builtin_add_overflow(a, scaled, &r) : __builtin_sub_overflow(a, scaled, &r))
                return;
        }
    } else if (!strcmp(name, "mul")) {
        if (__builtin_mul_overflow(a, b, &r)) return;
    } else if (!strcmp(name, "div")) {
        /* int / int is true division (a float) unless a rounding mode says */
        const char *mode = NULL;
        ox_attr *at;
        if (n->ninputs > 2 && ox_node_is(n->inputs[2]->node, "prim::Constant") &&
            (at = ox_node_attr(n->inputs[2]->node, "value")) && at->kind == OX_ATTR_S)
            mode = at->v.s;
        if (!mode || b == 0 || (a == INT64_MIN && b == -1)) return;
        if (!strcmp(mode, "trunc")) r = a / b;
        else if (!strcmp(mode, "floor")) {
            if (!floor_div(a, b, &r)) return;
        } else return;
    } else {
        if (!floor_div(a, b, &r)) return;
    }
    out->known = true;
    out->value = r;
}

/* Ops that hand an integer on unchanged (conversions, copies). */
static bool is_identity(const char *name)
{
    static const char *const ids[] = {"to", "type_as", "contiguous", "clone", "detach", "alias", "lift_fresh",
                                      "long", "int", "_cast_Long", "_cast_Int", "floor", "ceil", "round", "trunc"};
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        if (!strcmp(name, ids[i])) return true;
    return false;
}

/* What a node's small outputs hold: known integers, value-dynamic sizes. */
static void value_info(prop *p, ox_node *n, const char *name, bool same_rule)
{
    bool anydyn = any_input_dyn(p, n);
    if (ox_node_is(n, "prim::Constant")) {
        for (int i = 0; i < n->noutputs; i++) {
            vinfo *f = vi(p, n->outputs[i]);
            f->known = const_int(n->outputs[i], &f->value);
        }
        return;
    }
    if (n->noutputs == 0) return;
    ox_value *o = n->outputs[0];
    vinfo *f = vi(p, o);
    if ((!strcmp(name, "size") || !strcmp(name, "sym_size")) && n->ninputs >= 1) {
        ox_value *x = n->inputs[0];
        int r = rank_of(x);
        int64_t d;
        if (n->ninputs == 1) {
            f->valdyn = tensor_dyn(x->type);
        } else if (r >= 0 && arg_int(p, n, 1, &d) && norm_dim(d, r) >= 0) {
            int k = norm_dim(d, r);
            if (dim_of(x, k) >= 0) {
                f->known = true;
                f->value = dim_of(x, k);
            } else {
                f->valdyn = true;
                f->dim = name_of(x, k);
            }
        } else {
            f->valdyn = tensor_dyn(x->type) || anydyn;
        }
        return;
    }
    if ((!strcmp(name, "numel") || !strcmp(name, "_shape_as_tensor")) && n->ninputs >= 1) {
        f->valdyn = anydyn;
        return;
    }
    if (ox_node_is(n, "prim::ListUnpack") || ox_node_is(n, "prim::TupleUnpack")) {
        ox_node *src = n->ninputs == 1 ? n->inputs[0]->node : NULL;
        bool direct = src && (ox_node_is(src, "prim::ListConstruct") || ox_node_is(src, "prim::TupleConstruct")) &&
                      src->ninputs == n->noutputs;
        for (int i = 0; i < n->noutputs; i++) {
            vinfo *g = vi(p, n->outputs[i]);
            if (direct) *g = *vi(p, src->inputs[i]);
            else if (small(n->outputs[i]->type)) g->valdyn = anydyn;
        }
        return;
    }
    if (ox_node_is(n, "aten::__getitem__") && n->ninputs == 2) {
        ox_node *src = n->inputs[0]->node;
        int64_t i;
        if (ox_node_is(src, "prim::ListConstruct") && arg_int(p, n, 1, &i)) {
            if (i < 0) i += src->ninputs;
            if (i >= 0 && i < src->ninputs) {
                *f = *vi(p, src->inputs[i]);
                return;
            }
        }
    }
    if (same_rule && n->ninputs >= 1 && n->noutputs == 1 && is_identity(name)) {
        *f = *vi(p, n->inputs[0]); /* the same number in another type */
        if (!small(o->type)) memset(f, 0, sizeof(*f));
        return;
    }
    if (is_arith(name) && n->noutputs == 1) arith_known(p, n, name, f);
    for (int i = 0; i < n->noutputs; i++)
        if (small(n->outputs[i]->type) && anydyn) vi(p, n->outputs[i])->valdyn = true;
}

/* ---- rules ---------------------------------------------------------------- */

typedef enum rule {
    R_NONE, R_SAME, R_BROADCAST, R_CONV, R_POOL, R_ADAPTIVE, R_LINEAR, R_MATMUL, R_ADDMM, R_FLATTEN,
    R_TRANSPOSE, R_T, R_PERMUTE, R_UNSQUEEZE, R_SQUEEZE, R_VIEW, R_AS, R_EXPAND, R_REPEAT, R_CAT, R_STACK,
    R_SIZE, R_SELECT, R_SLICE, R_NARROW, R_CHUNK, R_SPLIT, R_UNBIND, R_EMBEDDING, R_REDUCE, R_MINMAX,
    R_INDEX_SELECT, R_GATHER, R_TOPK, R_FACTORY, R_NEW_FACTORY, R_LIST, R_UNPACK, R_GETITEM, R_PAD,
    R_PIXEL_SHUFFLE, R_GLU
} rule;

typedef struct rule_entry {
    const char *name;     /* aten name without namespace and in-place '_' */
    rule r;
    int arg;              /* rule parameter: spatial dims, argument index */
} rule_entry;

static const rule_entry rules[] = {
    /* same shape as input 0 */
    {"abs", R_SAME, 0}, {"neg", R_SAME, 0}, {"exp", R_SAME, 0}, {"expm1", R_SAME, 0}, {"log", R_SAME, 0},
    {"log2", R_SAME, 0}, {"log10", R_SAME, 0}, {"log1p", R_SAME, 0}, {"sqrt", R_SAME, 0}, {"rsqrt", R_SAME, 0},
    {"sin", R_SAME, 0}, {"cos", R_SAME, 0}, {"tan", R_SAME, 0}, {"asin", R_SAME, 0}, {"acos", R_SAME, 0},
    {"atan", R_SAME, 0}, {"sinh", R_SAME, 0}, {"cosh", R_SAME, 0}, {"tanh", R_SAME, 0}, {"asinh", R_SAME, 0},
    {"acosh", R_SAME, 0}, {"atanh", R_SAME, 0}, {"sigmoid", R_SAME, 0}, {"relu", R_SAME, 0},
    {"relu6", R_SAME, 0}, {"gelu", R_SAME, 0}, {"silu", R_SAME, 0}, {"mish", R_SAME, 0}, {"elu", R_SAME, 0},
    {"selu", R_SAME, 0}, {"celu", R_SAME, 0}, {"leaky_relu", R_SAME, 0}, {"hardtanh", R_SAME, 0},
    {"hardswish", R_SAME, 0}, {"hardsigmoid", R_SAME, 0}, {"hardshrink", R_SAME, 0},
    {"softshrink", R_SAME, 0}, {"tanhshrink", R_SAME, 0}, {"softplus", R_SAME, 0}, {"softsign", R_SAME, 0},
    {"threshold", R_SAME, 0}, {"prelu", R_SAME, 0}, {"rrelu", R_SAME, 0}, {"log_sigmoid", R_SAME, 0},
    {"logit", R_SAME, 0}, {"erf", R_SAME, 0}, {"erfc", R_SAME, 0}, {"erfinv", R_SAME, 0},
    {"reciprocal", R_SAME, 0}, {"sign", R_SAME, 0}, {"sgn", R_SAME, 0}, {"floor", R_SAME, 0},
    {"ceil", R_SAME, 0}, {"round", R_SAME, 0}, {"trunc", R_SAME, 0}, {"frac", R_SAME, 0},
    {"logical_not", R_SAME, 0}, {"bitwise_not", R_SAME, 0}, {"isnan", R_SAME, 0}, {"isinf", R_SAME, 0},
    {"isfinite", R_SAME, 0}, {"nan_to_num", R_SAME, 0}, {"square", R_SAME, 0}, {"clamp_min", R_SAME, 0},
    {"clamp_max", R_SAME, 0}, {"dropout", R_SAME, 0}, {"feature_dropout", R_SAME, 0},
    {"alpha_dropout", R_SAME, 0}, {"feature_alpha_dropout", R_SAME, 0}, {"native_dropout", R_SAME, 0},
    {"batch_norm", R_SAME, 0}, {"instance_norm", R_SAME, 0}, {"layer_norm", R_SAME, 0},
    {"group_norm", R_SAME, 0}, {"local_response_norm", R_SAME, 0}, {"renorm", R_SAME, 0},
    {"softmax", R_SAME, 0}, {"log_softmax", R_SAME, 0}, {"_softmax", R_SAME, 0}, {"_log_softmax", R_SAME, 0},
    {"contiguous", R_SAME, 0}, {"clone", R_SAME, 0}, {"detach", R_SAME, 0}, {"alias", R_SAME, 0},
    {"lift_fresh", R_SAME, 0}, {"to", R_SAME, 0}, {"type_as", R_SAME, 0}, {"float", R_SAME, 0},
    {"double", R_SAME, 0}, {"half", R_SAME, 0}, {"int", R_SAME, 0}, {"long", R_SAME, 0}, {"bool", R_SAME, 0},
    {"short", R_SAME, 0}, {"char", R_SAME, 0}, {"byte", R_SAME, 0}, {"_cast_Float", R_SAME, 0},
    {"_cast_Long", R_SAME, 0}, {"_cast_Int", R_SAME, 0}, {"_cast_Double", R_SAME, 0},
    {"_cast_Bool", R_SAME, 0}, {"_cast_Half", R_SAME, 0}, {"_cast_Byte", R_SAME, 0},
    {"cumsum", R_SAME, 0}, {"cumprod", R_SAME, 0}, {"flip", R_SAME, 0}, {"roll", R_SAME, 0},
    {"tril", R_SAME, 0}, {"triu", R_SAME, 0}, {"masked_fill", R_SAME, 0}, {"index_put", R_SAME, 0},
    {"index_fill", R_SAME, 0}, {"index_copy", R_SAME, 0}, {"index_add", R_SAME, 0}, {"scatter", R_SAME, 0},
    {"scatter_add", R_SAME, 0}, {"scatter_reduce", R_SAME, 0}, {"masked_scatter", R_SAME, 0},
    {"fill", R_SAME, 0}, {"zero", R_SAME, 0}, {"copy", R_SAME, 0}, {"zeros_like", R_SAME, 0},
    {"ones_like", R_SAME, 0}, {"full_like", R_SAME, 0}, {"empty_like", R_SAME, 0}, {"rand_like", R_SAME, 0},
    {"randn_like", R_SAME, 0}, {"randint_like", R_SAME, 0}, {"bernoulli", R_SAME, 0}, {"sort", R_SAME, 0},
    {"argsort", R_SAME, 0}, {"channel_shuffle", R_SAME, 0}, {"uniform", R_SAME, 0}, {"normal", R_SAME, 0},
    /* broadcasting */
    {"add", R_BROADCAST, 0}, {"sub", R_BROADCAST, 0}, {"rsub", R_BROADCAST, 0}, {"mul", R_BROADCAST, 0},
    {"div", R_BROADCAST, 0}, {"true_divide", R_BROADCAST, 0}, {"floor_divide", R_BROADCAST, 0},
    {"remainder", R_BROADCAST, 0}, {"fmod", R_BROADCAST, 0}, {"pow", R_BROADCAST, 0},
    {"atan2", R_BROADCAST, 0}, {"where", R_BROADCAST, 3}, {"eq", R_BROADCAST, 0}, {"ne", R_BROADCAST, 0},
    {"lt", R_BROADCAST, 0}, {"le", R_BROADCAST, 0}, {"gt", R_BROADCAST, 0}, {"ge", R_BROADCAST, 0},
    {"greater", R_BROADCAST, 0}, {"less", R_BROADCAST, 0}, {"greater_equal", R_BROADCAST, 0},
    {"less_equal", R_BROADCAST, 0}, {"not_equal", R_BROADCAST, 0}, {"multiply", R_BROADCAST, 0},
    {"divide", R_BROADCAST, 0}, {"subtract", R_BROADCAST, 0}, {"logical_and", R_BROADCAST, 0},
    {"logical_or", R_BROADCAST, 0}, {"logical_xor", R_BROADCAST, 0}, {"bitwise_and", R_BROADCAST, 0},
    {"bitwise_or", R_BROADCAST, 0}, {"bitwise_xor", R_BROADCAST, 0}, {"__and__", R_BROADCAST, 0},
    {"__or__", R_BROADCAST, 0}, {"__xor__", R_BROADCAST, 0}, {"__lshift__", R_BROADCAST, 0},
    {"__rshift__", R_BROADCAST, 0}, {"maximum", R_BROADCAST, 0}, {"minimum", R_BROADCAST, 0},
    {"fmax", R_BROADCAST, 0}, {"fmin", R_BROADCAST, 0}, {"addcmul", R_BROADCAST, 0},
    {"addcdiv", R_BROADCAST, 0}, {"lerp", R_BROADCAST, 0}, {"hypot", R_BROADCAST, 0},
    {"copysign", R_BROADCAST, 0}, {"xlogy", R_BROADCAST, 0}, {"clamp", R_BROADCAST, 0},
    {"clip", R_BROADCAST, 0}, {"floordiv", R_BROADCAST, 0},
    /* convolution and pooling */
    {"_convolution", R_CONV, 0}, {"_convolution_mode", R_CONV, 0}, {"convolution", R_CONV, 0},
    {"conv1d", R_CONV, 0}, {"conv2d", R_CONV, 0}, {"conv3d", R_CONV, 0}, {"conv_transpose1d", R_CONV, 0},
    {"conv_transpose2d", R_CONV, 0}, {"conv_transpose3d", R_CONV, 0},
    {"max_pool1d", R_POOL, 1}, {"max_pool2d", R_POOL, 2}, {"max_pool3d", R_POOL, 3},
    {"max_pool1d_with_indices", R_POOL, 1}, {"max_pool2d_with_indices", R_POOL, 2},
    {"max_pool3d_with_indices", R_POOL, 3}, {"avg_pool1d", R_POOL, 1}, {"avg_pool2d", R_POOL, 2},
    {"avg_pool3d", R_POOL, 3},
    {"adaptive_avg_pool1d", R_ADAPTIVE, 1}, {"adaptive_avg_pool2d", R_ADAPTIVE, 2},
    {"adaptive_avg_pool3d", R_ADAPTIVE, 3}, {"adaptive_max_pool1d", R_ADAPTIVE, 1},
    {"adaptive_max_pool2d", R_ADAPTIVE, 2}, {"adaptive_max_pool3d", R_ADAPTIVE, 3},
    {"upsample_nearest1d", R_ADAPTIVE, 1}, {"upsample_nearest2d", R_ADAPTIVE, 2},
    {"upsample_nearest3d", R_ADAPTIVE, 3}, {"upsample_linear1d", R_ADAPTIVE, 1},
    {"upsample_bilinear2d", R_ADAPTIVE, 2}, {"upsample_bicubic2d", R_ADAPTIVE, 2},
    {"upsample_trilinear3d", R_ADAPTIVE, 3},
    /* linear algebra */
    {"linear", R_LINEAR, 0}, {"matmul", R_MATMUL, 0}, {"mm", R_MATMUL, 0}, {"bmm", R_MATMUL, 0},
    {"addmm", R_ADDMM, 0}, {"baddbmm", R_ADDMM, 0},
    /* shape ops */
    {"flatten", R_FLATTEN, 0}, {"transpose", R_TRANSPOSE, 0}, {"swapaxes", R_TRANSPOSE, 0},
    {"swapdims", R_TRANSPOSE, 0}, {"t", R_T, 0}, {"numpy_T", R_T, 0}, {"permute", R_PERMUTE, 0},
    {"unsqueeze", R_UNSQUEEZE, 0}, {"squeeze", R_SQUEEZE, 0}, {"view", R_VIEW, 1}, {"reshape", R_VIEW, 1},
    {"_reshape_alias", R_VIEW, 1}, {"_unsafe_view", R_VIEW, 1}, {"view_as", R_AS, 0},
    {"reshape_as", R_AS, 0}, {"expand_as", R_AS, 0}, {"expand", R_EXPAND, 0}, {"broadcast_to", R_EXPAND, 0},
    {"repeat", R_REPEAT, 0}, {"cat", R_CAT, 0}, {"concat", R_CAT, 0}, {"concatenate", R_CAT, 0},
    {"stack", R_STACK, 0}, {"size", R_SIZE, 0}, {"sym_size", R_SIZE, 0}, {"numel", R_SIZE, 0},
    {"dim", R_SIZE, 0}, {"_shape_as_tensor", R_SIZE, 0},
    {"select", R_SELECT, 0}, {"slice", R_SLICE, 0}, {"narrow", R_NARROW, 0}, {"chunk", R_CHUNK, 2},
    {"unsafe_chunk", R_CHUNK, 2}, {"split", R_SPLIT, 0}, {"unsafe_split", R_SPLIT, 0},
    {"split_with_sizes", R_SPLIT, 0}, {"unsafe_split_with_sizes", R_SPLIT, 0}, {"unbind", R_UNBIND, 0},
    {"embedding", R_EMBEDDING, 0}, {"pad", R_PAD, 0}, {"constant_pad_nd", R_PAD, 0},
    {"reflection_pad1d", R_PAD, 0}, {"reflection_pad2d", R_PAD, 0}, {"reflection_pad3d", R_PAD, 0},
    {"replication_pad1d", R_PAD, 0}, {"replication_pad2d", R_PAD, 0}, {"replication_pad3d", R_PAD, 0},
    {"pixel_shuffle", R_PIXEL_SHUFFLE, 0}, {"pixel_unshuffle", R_PIXEL_SHUFFLE, 0}, {"glu", R_GLU, 0},
    /* reductions */
    {"mean", R_REDUCE, 1}, {"sum", R_REDUCE, 1}, {"nansum", R_REDUCE, 1}, {"amax", R_REDUCE, 1},
    {"amin", R_REDUCE, 1}, {"logsumexp", R_REDUCE, 1}, {"prod", R_REDUCE, 1}, {"argmax", R_REDUCE, 1},
    {"argmin", R_REDUCE, 1}, {"all", R_REDUCE, 1}, {"any", R_REDUCE, 1}, {"std", R_REDUCE, 1},
    {"var", R_REDUCE, 1}, {"norm", R_REDUCE, 2}, {"linalg_vector_norm", R_REDUCE, 2},
    {"linalg_norm", R_REDUCE, 2}, {"frobenius_norm", R_REDUCE, 1}, {"max", R_MINMAX, 0}, {"min", R_MINMAX, 0},
    {"index_select", R_INDEX_SELECT, 0}, {"gather", R_GATHER, 0}, {"topk", R_TOPK, 0},
    /* factories */
    {"zeros", R_FACTORY, 0}, {"ones", R_FACTORY, 0}, {"empty", R_FACTORY, 0}, {"full", R_FACTORY, 0},
    {"rand", R_FACTORY, 0}, {"randn", R_FACTORY, 0}, {"new_zeros", R_NEW_FACTORY, 1},
    {"new_ones", R_NEW_FACTORY, 1}, {"new_empty", R_NEW_FACTORY, 1}, {"new_full", R_NEW_FACTORY, 1},
};

/* The rule of a node kind; *inplace tells "aten::add_". */
static const rule_entry *find_rule(ox_node *n, char *base, size_t cap, bool *inplace)
{
    static const rule_entry list = {"", R_LIST, 0}, unpack = {"", R_UNPACK, 0}, chunk = {"", R_CHUNK, -1},
                            getitem = {"", R_GETITEM, 0};
    *inplace = false;
    base[0] = 0;
    if (ox_node_is(n, "prim::ListConstruct") || ox_node_is(n, "prim::TupleConstruct")) return &list;
    if (ox_node_is(n, "prim::ListUnpack") || ox_node_is(n, "prim::TupleUnpack")) return &unpack;
    if (ox_node_is(n, "prim::ConstantChunk")) return &chunk;
    if (ox_node_is(n, "aten::__getitem__")) return &getitem;
    if (strncmp(n->kind, "aten::", 6) != 0) return NULL;
    const char *name = n->kind + 6;
    size_t len = strlen(name);
    if (len >= cap) return NULL;
    memcpy(base, name, len + 1);
    if (len > 1 && base[len - 1] == '_' && base[len - 2] != '_') {
        base[len - 1] = 0;
        *inplace = true;
    }
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
        if (!strcmp(rules[i].name, base)) return &rules[i];
    return NULL;
}

/* Output o has x's shape (names included). */
static ox_status same_as(prop *p, ox_value *o, ox_value *x)
{
    int r = rank_of(x);
    ox_type *t;
    OX_TRY(begin(p, o, &t));
    if (!t) return OX_OK;
    if (r < 0 || t->rank != r) return relax_all(p, o);
    for (int i = 0; i < r; i++) follow(t, i, x, i);
    commit(p, o, t);
    return OX_OK;
}

static ox_status rule_same(prop *p, ox_node *n)
{
    if (n->ninputs < 1) return generic(p, n);
    for (int i = 0; i < n->noutputs; i++) {
        ox_value *o = n->outputs[i];
        if (ox_type_is_tensor(o->type) && o->type->rank >= 0 && o->type->rank == rank_of(n->inputs[0]))
            OX_TRY(same_as(p, o, n->inputs[0]));
        else OX_TRY(relax_all(p, o));
    }
    return OX_OK;
}

/* Numpy broadcasting of the tensor inputs (0-d ones add nothing): a dim is
 * dynamic when any input's aligned dim is. */
static ox_status broadcast_into(prop *p, ox_type *t, ox_value *const *xs, int nx, bool *ok)
{
    (void)p;
    *ok = true;
    for (int k = 0; k < nx; k++) {
        int xr = rank_of(xs[k]);
        if (!ox_type_is_tensor(xs[k]->type)) continue;
        if (xr < 0 || xr > t->rank) {
            *ok = false;
            return OX_OK;
        }
    }
    for (int i = 0; i < t->rank; i++) {
        int from_right = t->rank - i;
        bool d = false;
        const char *name = NULL;
        for (int k = 0; k < nx; k++) {
            if (!ox_type_is_tensor(xs[k]->type)) continue;
            int xr = rank_of(xs[k]);
            if (xr < from_right) continue;
            int j = xr - from_right;
            if (dim_of(xs[k], j) < 0) {
                d = true;
                if (!name) name = name_of(xs[k], j);
            }
        }
        if (d) set_dyn(t, i, name);
    }
    return OX_OK;
}

static ox_status rule_broadcast(prop *p, ox_node *n, int ntensors)
{
    int nx = ntensors && ntensors < n->ninputs ? ntensors : n->ninputs;
    if (ntensors && n->ninputs != ntensors) return generic(p, n); /* where(cond) */
    for (int i = 0; i < n->noutputs; i++) {
        ox_type *t;
        OX_TRY(begin(p, n->outputs[i], &t));
        if (!t) {
            OX_TRY(relax_all(p, n->outputs[i]));
            continue;
        }
        bool ok;
        OX_TRY(broadcast_into(p, t, n->inputs, nx, &ok));
        if (!ok) OX_TRY(relax_all(p, n->outputs[i]));
        else commit(p, n->outputs[i], t);
    }
    return OX_OK;
}

/* Leading dims from x, then `nsp` spatial dims: dynamic (unnamed) when x's
 * are, else traced. conv: the dim before the spatial ones is the channel
 * count, from the trace. `fixed`: the spatial sizes are given (adaptive
 * pooling with a constant output size). */
static ox_status spatial(prop *p, ox_value *o, ox_value *x, int nsp, bool conv, bool fixed, bool arg_dyn)
{
    int r = rank_of(x);
    ox_type *t;
    OX_TRY(begin(p, o, &t));
    if (!t) return OX_OK;
    if (r < 0 || t->rank != r || nsp < 1 || nsp > r - (conv ? 1 : 0)) return relax_all(p, o);
    int lead = r - nsp;
    for (int i = 0; i < r; i++) {
        if (i < lead) {
            if (conv && i == lead - 1) continue; /* channels: the weight's */
            follow(t, i, x, i);
        } else if (!fixed && (dim_of(x, i) < 0 || arg_dyn)) {
            set_dyn(t, i, NULL);
        }
    }
    commit(p, o, t);
    return OX_OK;
}

static ox_status rule_conv(prop *p, ox_node *n)
{
    if (n->ninputs < 2 || n->noutputs != 1) return generic(p, n);
    int wr = rank_of(n->inputs[1]);
    if (wr < 3 || dyn(p, n->inputs[1])) return generic(p, n);
    return spatial(p, n->outputs[0], n->inputs[0], wr - 2, true, false, false);
}

static ox_status rule_pool(prop *p, ox_node *n, int nsp, bool adaptive)
{
    if (n->ninputs < 1) return generic(p, n);
    bool fixed = false, arg_dyn = false;
    for (int i = 1; i < n->ninputs; i++) arg_dyn |= dyn(p, n->inputs[i]);
    if (adaptive) {
        /* a constant output size (adaptive pooling, upsample to a size);
         * else scales: the spatial sizes follow the input's */
        int64_t *sizes;
        int cnt;
        if (n->ninputs < 2) return generic(p, n);
        fixed = !vi(p, n->inputs[1])->valdyn && is_int_list(n->inputs[1]) &&
                ox_value_const_ints(p->g, n->inputs[1], &sizes, &cnt) && cnt == nsp;
    }
    for (int i = 0; i < n->noutputs; i++) OX_TRY(spatial(p, n->outputs[i], n->inputs[0], nsp, false, fixed, arg_dyn));
    return OX_OK;
}

/* matmul's shape: [broadcast batch..., a[-2], b[-1]] and the 1-D cases. */
static bool matmul_dims(ox_type *t, ox_value *a, ox_value *b)
{
    int ra = rank_of(a), rb = rank_of(b), r = t->rank;
    if (ra < 1 || rb < 1) return false;
    if (ra == 1 && rb == 1) return r == 0;
    if (rb == 1) {
        if (r != ra - 1) return false;
        for (int i = 0; i < r; i++) follow(t, i, a, i);
        return true;
    }
    if (ra == 1) {
        if (r != rb - 1) return false;
        for (int i = 0; i < rb - 2; i++) follow(t, i, b, i);
        follow(t, r - 1, b, rb - 1);
        return true;
    }
    if (r != (ra > rb ? ra : rb)) return false;
    for (int i = 0; i < r - 2; i++) {
        int ia = i - (r - ra), ib = i - (r - rb);
        bool d = false;
        const char *name = NULL;
        if (ia >= 0 && dim_of(a, ia) < 0) {
            d = true;
            name = name_of(a, ia);
        }
        if (ib >= 0 && dim_of(b, ib) < 0) {
            d = true;
            if (!name) name = name_of(b, ib);
        }
        if (d) set_dyn(t, i, name);
    }
    follow(t, r - 2, a, ra - 2);
    follow(t, r - 1, b, rb - 1);
    return true;
}

static ox_status rule_matmul(prop *p, ox_node *n, bool add)
{
    int ia = add ? 1 : 0;
    if (n->ninputs < ia + 2 || n->noutputs != 1) return generic(p, n);
    ox_type *t;
    OX_TRY(begin(p, n->outputs[0], &t));
    if (!t) return OX_OK;
    if (!matmul_dims(t, n->inputs[ia], n->inputs[ia + 1])) return relax_all(p, n->outputs[0]);
    if (add) {
        bool ok;
        OX_TRY(broadcast_into(p, t, n->inputs, 1, &ok));
        if (!ok) return relax_all(p, n->outputs[0]);
    }
    commit(p, n->outputs[0], t);
    return OX_OK;
}

static ox_status rule_linear(prop *p, ox_node *n)
{
    if (n->ninputs < 2 || n->noutputs != 1) return generic(p, n);
    ox_value *x = n->inputs[0], *w = n->inputs[1];
    int r = rank_of(x), wr = rank_of(w);
    ox_type *t;
    OX_TRY(begin(p, n->outputs[0], &t));
    if (!t) return OX_OK;
    if (r < 1 || (wr != 1 && wr != 2) || t->rank != r - (wr == 1)) return relax_all(p, n->outputs[0]);
    for (int i = 0; i < r - 1; i++) follow(t, i, x, i);
    if (wr == 2) follow(t, r - 1, w, 0);
    if (n->ninputs > 2 && ox_type_is_tensor(n->inputs[2]->type)) {
        bool ok;
        OX_TRY(broadcast_into(p, t, n->inputs + 2, 1, &ok));
        if (!ok) return relax_all(p, n->outputs[0]);
    }
    commit(p, n->outputs[0], t);
    return OX_OK;
}

static ox_status rule_flatten(prop *p, ox_node *n)
{
    ox_value *x = n->inputs[0];
    int64_t s = 0, e = -1;
    int r = rank_of(x);
    if (r < 0 || n->noutputs != 1 || (n->ninputs > 1 && !arg_int(p, n, 1, &s)) ||
        (n->ninputs > 2 && !arg_int(p, n, 2, &e)))
        return generic(p, n);
    ox_type *t;
    OX_TRY(begin(p, n->outputs[0], &t));
    if (!t) return OX_OK;
    if (r == 0) return OX_OK; /* [1] */
    int si = norm_dim(s, r), ei = norm_dim(e, r);
    if (si < 0 || ei < 0 || si > ei || t->rank != r - (ei - si)) return relax_all(p, n->outputs[0]);
    for (int i = 0; i < si; i++) follow(t, i, x, i);
    if (si == ei) {
        follow(t, si, x, si);
    } else {
        int ndyn = 0, which = -1;
        bool ones = true;
        for (int j = si; j <= ei; j++) {
            if (dim_of(x, j) < 0) ndyn++, which = j;
            else if (dim_of(x, j) != 1) ones = false;
        }
        if (ndyn == 1 && ones) set_dyn(t, si, name_of(x, which));
        else if (ndyn) set_dyn(t, si, NULL);
    }
    for (int i = si + 1; i < t->rank; i++) follow(t, i, x, i + (ei - si));
    commit(p, n->outputs[0], t);
    return OX_OK;
}

/* Output dim i is x's dim perm[i]. */
static ox_status permuted(prop *p, ox_node *n, const int *perm, int r)
{
    ox_type *t;
    OX_TRY(begin(p, n->outputs[0], &t));
    if (!t) return OX_OK;
    if (t->rank != r) return relax_all(p, n->outputs[0]);
    for (int i = 0; i < r; i++) follow(t, i, n->inputs[0], perm[i]);
    commit(p, n->outputs[0], t);
    return OX_OK;
}

static int *identity_perm(prop *p, int r)
{
    int *perm = ox_arena_alloc(p->g->arena, (size_t)(r + 1) * sizeof(int));
    if (perm)
        for (int i = 0; i < r; i++) perm[i] = i;
    return perm;
}

static ox_status rule_transpose(prop *p, ox_node *n, rule kind)
{
    int r = rank_of(n->inputs[0]);
    if (r < 0 || n->noutputs != 1) return generic(p, n);
    int *perm = identity_perm(p, r);
    if (!perm) return OX_NOMEM(p->g->ctx);
    if (kind == R_T) {
        for (int i = 0; i < r; i++) perm[i] = r - 1 - i;
    } else if (kind == R_TRANSPOSE) {
        int64_t a, b;
        if (!arg_int(p, n, 1, &a) || !arg_int(p, n, 2, &b) || norm_dim(a, r) < 0 || norm_dim(b, r) < 0)
            return generic(p, n);
        perm[norm_dim(a, r)] = norm_dim(b, r);
        perm[norm_dim(b, r)] = norm_dim(a, r);
    } else {
        int64_t *dims;
        int cnt;
        if (n->ninputs < 2 || !ox_value_const_ints(p->g, n->inputs[1], &dims, &cnt) || cnt != r) return generic(p, n);
        for (int i = 0; i < r; i++) {
            if (norm_dim(dims[i], r) < 0) return generic(p, n);
            perm[i] = norm_dim(dims[i], r);
        }
    }
    return permuted(p, n, perm, r);
}

static ox_status rule_unsqueeze(prop *p, ox_node *n)
{
    ox_value *x = n->inputs[0];
    int r = rank_of(x);
    int64_t d;
    if (r < 0 || n->noutputs != 1 || !arg_int(p, n, 1, &d) || norm_dim(d, r + 1) < 0) return generic(p, n);
    int k = norm_dim(d, r + 1);
    ox_type *t;
    OX_TRY(begin(p, n->outputs[0], &t));
    if (!t) return OX_OK;
    if (t->rank != r + 1) return relax_all(p, n->outputs[0]);
    for (int i = 0; i < r + 1; i++)
        if (i != k) follow(t, i, x, i < k ? i : i - 1);
    commit(p, n->outputs[0], t);
    return OX_OK;
}

/* The traced type of v (before this pass relaxed it). */
static const ox_type *traced(prop *p, ox_value *v)
{
    return v->id < p->ninfo && p->traced[v->id] ? p->traced[v->id] : v->type;
}

static ox_status rule_squeeze(prop *p, ox_node *n)
{
    ox_value *x = n->inputs[0];
    int r = rank_of(x);
    if (r < 0 || n->noutputs != 1) return generic(p, n);
    ox_type *t;
    OX_TRY(begin(p, n->outputs[0], &t));
    if (!t) return OX_OK;
    bool *drop = ox_arena_alloc(p->g->arena, (size_t)r + 1);
    if (!drop) return OX_NOMEM(p->g->ctx);
    const ox_type *tx = traced(p, x);
    if (t->rank != r) {
        int64_t d, *ds;
        int cnt;
        if (arg_none(n, 1)) {
            for (int i = 0; i < r; i++) drop[i] = tx->rank == r && tx->dims[i] == 1;
        } else if (arg_int(p, n, 1, &d)) {
            if (norm_dim(d, r) < 0) return relax_all(p, n->outputs[0]);
            drop[norm_dim(d, r)] = true;
        } else if (ox_value_const_ints(p->g, n->inputs[1], &ds, &cnt)) {
            for (int i = 0; i < cnt; i++)
                if (norm_dim(ds[i], r) >= 0 && tx->rank == r && tx->dims[norm_dim(ds[i], r)] == 1)
                    drop[norm_dim(ds[i], r)] = true;
        } else {
            return relax_all(p, n->outputs[0]);
        }
    }
    int kept = 0;
    for (int i = 0; i < r; i++) kept += !drop[i];
    if (kept != t->rank) return relax_all(p, n->outputs[0]);
    for (int i = 0, k = 0; i < r; i++)
        if (!drop[i]) follow(t, k++, x, i);
    commit(p, n->outputs[0], t);
    return OX_OK;
}

/* Output dim i from a size value: known -> the traced size (checked),
 * exactly a named dim -> that name, else unknown. */
static void from_size(prop *p, ox_type *t, int i, ox_value *s)
{
    int64_t k;
    if (known_int(p, s, &k)) {
        if (k >= 0 && t->dims[i] != k) set_dyn(t, i, NULL);
        else if (k < 0) set_dyn(t, i, NULL); /* -1 and friends: resolved by the caller */
        return;
    }
    set_dyn(t, i, vi(p, s)->dim);
}

/* The elements of a size list: a constant list, or a prim::ListConstruct. */
typedef struct sizes {
    int n;
    int64_t *consts;      /* when constant */
    ox_value **elems;     /* when a ListConstruct */
} sizes;

static bool size_list(prop *p, ox_value *v, sizes *s)
{
    memset(s, 0, sizeof(*s));
    if (!vi(p, v)->valdyn && ox_value_const_ints(p->g, v, &s->consts, &s->n)) return true;
    if (ox_node_is(v->node, "prim::ListConstruct")) {
        s->elems = v->node->inputs;
        s->n = v->node->ninputs;
        return true;
    }
    return false;
}

static bool elem_known(prop *p, const sizes *s, int i, int64_t *k)
{
    if (s->consts) {
        *k = s->consts[i];
        return true;
    }
    return known_int(p, s->elems[i], k);
}

/* Output dims from a size list (view, factories); `x` (may be NULL) is the
 * tensor reshaped, for a -1 entry. */
static ox_status shape_from_list(prop *p, ox_value *o, const sizes *s, ox_value *x)
{
    ox_type *t;
    OX_TRY(begin(p, o, &t));
    if (!t) return OX_OK;
    if (t->rank != s->n) return relax_all(p, o);
    int infer = -1;
    for (int i = 0; i < s->n; i++) {
        int64_t k;
        if (elem_known(p, s, i, &k) && k == -1 && x) {
            infer = i;
            continue;
        }
        if (s->consts) {
            if (k < 0 || t->dims[i] != k) set_dyn(t, i, NULL);
        } else {
            from_size(p, t, i, s->elems[i]);
        }
    }
    if (infer >= 0) {
        /* -1: static when x's dynamic dims are exactly the named dynamic dims
         * of the other entries (view(x, [batch, -1]) of x [batch, 3, 4]) */
        int xr = rank_of(x);
        bool ok = xr >= 0;
        const char **xn = ox_arena_alloc(p->g->arena, (size_t)(xr > 0 ? xr : 1) * sizeof(char *));
        if (!xn) return OX_NOMEM(p->g->ctx);
        int nx = 0;
        for (int j = 0; ok && j < xr; j++)
            if (dim_of(x, j) < 0) {
                if (!name_of(x, j)) ok = false;
                else xn[nx++] = name_of(x, j);
            }
        for (int i = 0; ok && i < t->rank; i++) {
            if (i == infer || t->dims[i] >= 0) continue;
            const char *nm = t->dim_names[i];
            int hit = -1;
            for (int j = 0; nm && j < nx; j++)
                if (xn[j] && !strcmp(xn[j], nm)) hit = j;
            if (hit < 0) ok = false;
            else xn[hit] = NULL;
        }
        for (int j = 0; ok && j < nx; j++)
            if (xn[j]) ok = false;
        if (!ok) set_dyn(t, infer, NULL);
    }
    commit(p, o, t);
    return OX_OK;
}

static ox_status rule_view(prop *p, ox_node *n, int arg, bool with_x)
{
    sizes s;
    if (n->ninputs <= arg || n->noutputs != 1 || !size_list(p, n->inputs[arg], &s)) return generic(p, n);
    return shape_from_list(p, n->outputs[0], &s, with_x ? n->inputs[0] : NULL);
}

static ox_status rule_expand(prop *p, ox_node *n)
{
    ox_value *x = n->inputs[0];
    int xr = rank_of(x);
    sizes s;
    if (xr < 0 || n->ninputs < 2 || n->noutputs != 1 || !size_list(p, n->inputs[1], &s)) return generic(p, n);
    ox_type *t;
    OX_TRY(begin(p, n->outputs[0], &t));
    if (!t) return OX_OK;
    if (t->rank != s.n || s.n < xr) return relax_all(p, n->outputs[0]);
    int off = s.n - xr;
    for (int i = 0; i < s.n; i++) {
        int64_t k;
        bool kn = elem_known(p, &s, i, &k);
        if (kn && k == -1) {
            if (i < off) return relax_all(p, n->outputs[0]);
            follow(t, i, x, i - off);
        } else if (s.consts) {
            if (k < 0 || t->dims[i] != k) set_dyn(t, i, NULL);
        } else {
            from_size(p, t, i, s.elems[i]);
        }
    }
    commit(p, n->outputs[0], t);
    return OX_OK;
}

static ox_status rule_repeat(prop *p, ox_node *n)
{
    ox_value *x = n->inputs[0];
    int xr = rank_of(x);
    int64_t *rep;
    int cnt;
    if (xr < 0 || n->ninputs < 2 || n->noutputs != 1 || vi(p, n->inputs[1])->valdyn ||
        !ox_value_const_ints(p->g, n->inputs[1], &rep, &cnt) || cnt < xr)
        return generic(p, n);
    ox_type *t;
    OX_TRY(begin(p, n->outputs[0], &t));
    if (!t) return OX_OK;
    if (t->rank != cnt) return relax_all(p, n->outputs[0]);
    int off = cnt - xr;
    for (int i = off; i < cnt; i++) {
        if (rep[i] == 1) follow(t, i, x, i - off);
        else if (dim_of(x, i - off) < 0) set_dyn(t, i, NULL);
    }
    commit(p, n->outputs[0], t);
    return OX_OK;
}

static ox_status rule_cat(prop *p, ox_node *n, bool stack)
{
    int64_t d = 0;
    if (n->ninputs < 1 || n->noutputs != 1 || !ox_node_is(n->inputs[0]->node, "prim::ListConstruct") ||
        (n->ninputs > 1 && !arg_int(p, n, 1, &d)))
        return generic(p, n);
    ox_node *l = n->inputs[0]->node;
    ox_type *t;
    OX_TRY(begin(p, n->outputs[0], &t));
    if (!t) return OX_OK;
    int r = t->rank, er = stack ? r - 1 : r;
    int k = norm_dim(d, r);
    if (k < 0 || l->ninputs < 1) return relax_all(p, n->outputs[0]);
    for (int j = 0; j < l->ninputs; j++)
        if (rank_of(l->inputs[j]) != er) return relax_all(p, n->outputs[0]);
    for (int i = 0; i < r; i++) {
        if (stack && i == k) continue; /* the number of tensors */
        int src = stack && i > k ? i - 1 : i;
        bool dy = false;
        const char *name = NULL;
        for (int j = 0; j < l->ninputs; j++)
            if (dim_of(l->inputs[j], src) < 0) {
                dy = true;
                if (!name) name = name_of(l->inputs[j], src);
            }
        if (!stack && i == k && l->ninputs > 1) name = NULL; /* a sum of sizes */
        if (dy) set_dyn(t, i, name);
    }
    commit(p, n->outputs[0], t);
    return OX_OK;
}

/* Output o is x with dim k removed (select, unbind). */
static ox_status drop_dim(prop *p, ox_value *o, ox_value *x, int k)
{
    int r = rank_of(x);
    ox_type *t;
    OX_TRY(begin(p, o, &t));
    if (!t) return OX_OK;
    if (t->rank != r - 1) return relax_all(p, o);
    for (int i = 0; i < t->rank; i++) follow(t, i, x, i < k ? i : i + 1);
    commit(p, o, t);
    return OX_OK;
}

/* Output o is x with dim k resized: named/`keep` when it is the whole dim,
 * `dynamic` unknown, else the traced size. */
static ox_status resized(prop *p, ox_value *o, ox_value *x, int k, bool dynamic, const char *name)
{
    int r = rank_of(x);
    ox_type *t;
    OX_TRY(begin(p, o, &t));
    if (!t) return OX_OK;
    if (t->rank != r) return relax_all(p, o);
    for (int i = 0; i < r; i++)
        if (i != k) follow(t, i, x, i);
    if (dynamic) set_dyn(t, k, name);
    commit(p, o, t);
    return OX_OK;
}

static ox_status rule_select(prop *p, ox_node *n)
{
    int r = rank_of(n->inputs[0]);
    int64_t d;
    if (r < 1 || n->noutputs != 1 || !arg_int(p, n, 1, &d) || norm_dim(d, r) < 0) return generic(p, n);
    return drop_dim(p, n->outputs[0], n->inputs[0], norm_dim(d, r));
}

static ox_status rule_slice(prop *p, ox_node *n)
{
    ox_value *x = n->inputs[0];
    int r = rank_of(x);
    int64_t d = 0, start = 0, end = INT64_MAX, step = 1;
    if (r < 1 || n->noutputs != 1 || (n->ninputs > 1 && !arg_int(p, n, 1, &d)) || norm_dim(d, r) < 0)
        return generic(p, n);
    int k = norm_dim(d, r);
    bool ks = arg_none(n, 2) || arg_int(p, n, 2, &start), ke = arg_none(n, 3) || arg_int(p, n, 3, &end),
         kst = arg_none(n, 4) || arg_int(p, n, 4, &step);
    bool whole = ks && ke && kst && start == 0 && end >= INT64_MAX / 2 && step == 1;
    if (dim_of(x, k) < 0) {
        if (whole) return resized(p, n->outputs[0], x, k, true, name_of(x, k));
        return resized(p, n->outputs[0], x, k, true, NULL);
    }
    return resized(p, n->outputs[0], x, k, !(ks && ke && kst), NULL);
}

static ox_status rule_narrow(prop *p, ox_node *n)
{
    ox_value *x = n->inputs[0];
    int r = rank_of(x);
    int64_t d, len;
    if (r < 1 || n->ninputs < 4 || n->noutputs != 1 || !arg_int(p, n, 1, &d) || norm_dim(d, r) < 0)
        return generic(p, n);
    bool kl = arg_int(p, n, 3, &len);
    return resized(p, n->outputs[0], x, norm_dim(d, r), !kl, kl ? NULL : vi(p, n->inputs[3])->dim);
}

/* chunk / split / unbind: `args` gives the arguments (the node itself, or
 * the list producer for a prim::ListUnpack), `outs` the tensors; the dim
 * argument is at `dim_arg` (-1: prim::ConstantChunk's attribute). */
static ox_status split_like(prop *p, ox_node *args, rule kind, int dim_arg, ox_value **outs, int nouts)
{
    ox_value *x = args->inputs[0];
    int r = rank_of(x);
    int64_t d = 0;
    bool ok = r >= 0;
    if (dim_arg < 0) {
        ox_attr *a = ox_node_attr(args, "dim");
        if (a && a->kind == OX_ATTR_I) d = a->v.i;
        else ok = false;
    } else if (args->ninputs > dim_arg && !arg_int(p, args, dim_arg, &d)) {
        ok = false;
    }
    ok = ok && norm_dim(d, r) >= 0;
    /* split_with_sizes(x, [2, 3]): the pieces have the given sizes */
    int64_t *szs;
    int cnt;
    bool fixed = kind == R_SPLIT && args->ninputs > 1 && is_int_list(args->inputs[1]) &&
                 !vi(p, args->inputs[1])->valdyn && ox_value_const_ints(p->g, args->inputs[1], &szs, &cnt) &&
                 cnt == nouts;
    for (int i = 0; i < nouts; i++) {
        if (!ok) {
            OX_TRY(relax_all(p, outs[i]));
            if (small(outs[i]->type)) vi(p, outs[i])->valdyn = true;
            continue;
        }
        int k = norm_dim(d, r);
        if (kind == R_UNBIND) OX_TRY(drop_dim(p, outs[i], x, k));
        else OX_TRY(resized(p, outs[i], x, k, !fixed && dim_of(x, k) < 0, NULL));
    }
    return OX_OK;
}

static ox_status rule_embedding(prop *p, ox_node *n)
{
    if (n->ninputs < 2 || n->noutputs != 1) return generic(p, n);
    ox_value *w = n->inputs[0], *idx = n->inputs[1];
    int r = rank_of(idx);
    ox_type *t;
    OX_TRY(begin(p, n->outputs[0], &t));
    if (!t) return OX_OK;
    if (r < 0 || t->rank != r + 1 || rank_of(w) != 2) return relax_all(p, n->outputs[0]);
    for (int i = 0; i < r; i++) follow(t, i, idx, i);
    follow(t, r, w, 1);
    commit(p, n->outputs[0], t);
    return OX_OK;
}

/* Reductions over constant dims: kept dims follow x, reduced ones are 1
 * (keepdim) or gone; a full reduction leaves a 0-d or all-ones result. */
static ox_status rule_reduce(prop *p, ox_node *n, int dims_arg)
{
    ox_value *x = n->inputs[0];
    int r = rank_of(x);
    if (r < 0) return generic(p, n);
    bool *red = ox_arena_alloc(p->g->arena, (size_t)r + 1);
    if (!red) return OX_NOMEM(p->g->ctx);
    int64_t d, *ds;
    int cnt;
    /* traced graphs spell every argument: sum(x, dtype), std(x, unbiased)
     * and norm(x, p) are the full reductions, the dims come before keepdim */
    if (n->ninputs <= dims_arg + 1 || arg_none(n, dims_arg)) {
        for (int i = 0; i < r; i++) red[i] = true;
    } else if (vi(p, n->inputs[dims_arg])->valdyn) {
        return generic(p, n);
    } else if (is_int_list(n->inputs[dims_arg]) && ox_value_const_ints(p->g, n->inputs[dims_arg], &ds, &cnt)) {
        if (cnt == 0)
            for (int i = 0; i < r; i++) red[i] = true;
        for (int i = 0; i < cnt; i++) {
            if (norm_dim(ds[i], r) < 0) return generic(p, n);
            red[norm_dim(ds[i], r)] = true;
        }
    } else if (arg_int(p, n, dims_arg, &d)) {
        if (norm_dim(d, r) < 0) return generic(p, n);
        red[norm_dim(d, r)] = true;
    } else {
        return generic(p, n);
    }
    int nred = 0;
    for (int i = 0; i < r; i++) nred += red[i];
    for (int o = 0; o < n->noutputs; o++) {
        ox_type *t;
        OX_TRY(begin(p, n->outputs[o], &t));
        if (!t) continue;
        if (t->rank == r) {
            for (int i = 0; i < r; i++)
                if (!red[i]) follow(t, i, x, i);
        } else if (t->rank == r - nred) {
            for (int i = 0, k = 0; i < r; i++)
                if (!red[i]) follow(t, k++, x, i);
        } else {
            OX_TRY(relax_all(p, n->outputs[o]));
            continue;
        }
        commit(p, n->outputs[o], t);
    }
    return OX_OK;
}

static ox_status rule_minmax(prop *p, ox_node *n)
{
    if (n->ninputs == 1) return rule_reduce(p, n, 1);
    if (n->ninputs >= 3) return rule_reduce(p, n, 1); /* max(x, dim, keepdim) */
    return rule_broadcast(p, n, 0);                  /* max(x, other) */
}

static ox_status rule_index_select(prop *p, ox_node *n)
{
    ox_value *x = n->inputs[0];
    int r = rank_of(x);
    int64_t d;
    if (r < 1 || n->ninputs < 3 || n->noutputs != 1 || !arg_int(p, n, 1, &d) || norm_dim(d, r) < 0 ||
        rank_of(n->inputs[2]) > 1)
        return generic(p, n);
    int k = norm_dim(d, r);
    ox_type *t;
    OX_TRY(begin(p, n->outputs[0], &t));
    if (!t) return OX_OK;
    if (t->rank != r) return relax_all(p, n->outputs[0]);
    for (int i = 0; i < r; i++) {
        if (i != k) follow(t, i, x, i);
        else if (rank_of(n->inputs[2]) == 1) follow(t, i, n->inputs[2], 0);
        else if (rank_of(n->inputs[2]) < 0) set_dyn(t, i, NULL);
    }
    commit(p, n->outputs[0], t);
    return OX_OK;
}

static ox_status rule_topk(prop *p, ox_node *n)
{
    ox_value *x = n->inputs[0];
    int r = rank_of(x);
    int64_t d = -1, k;
    if (r < 1 || n->ninputs < 2 || (n->ninputs > 2 && !arg_none(n, 2) && !arg_int(p, n, 2, &d)) ||
        norm_dim(d, r) < 0)
        return generic(p, n);
    bool kk = arg_int(p, n, 1, &k);
    for (int i = 0; i < n->noutputs; i++)
        OX_TRY(resized(p, n->outputs[i], x, norm_dim(d, r), !kk, kk ? NULL : vi(p, n->inputs[1])->dim));
    return OX_OK;
}

/* pad(x, [left, right, top, bottom, ...]): pairs from the last dim on; a
 * padded dynamic dim is unknown, an unpadded one flows. */
static ox_status rule_pad(prop *p, ox_node *n)
{
    ox_value *x = n->inputs[0];
    int r = rank_of(x);
    int64_t *pads;
    int cnt;
    if (r < 0 || n->ninputs < 2 || n->noutputs != 1 || vi(p, n->inputs[1])->valdyn || !is_int_list(n->inputs[1]) ||
        !ox_value_const_ints(p->g, n->inputs[1], &pads, &cnt) || cnt % 2 || cnt / 2 > r)
        return generic(p, n);
    ox_type *t;
    OX_TRY(begin(p, n->outputs[0], &t));
    if (!t) return OX_OK;
    if (t->rank != r) return relax_all(p, n->outputs[0]);
    for (int i = 0; i < r; i++) {
        int k = r - 1 - i;
        if (k >= cnt / 2 || (pads[2 * k] == 0 && pads[2 * k + 1] == 0)) follow(t, i, x, i);
        else if (dim_of(x, i) < 0) set_dyn(t, i, NULL);
    }
    commit(p, n->outputs[0], t);
    return OX_OK;
}

/* glu(x, dim): that dim halved. */
static ox_status rule_glu(prop *p, ox_node *n)
{
    ox_value *x = n->inputs[0];
    int r = rank_of(x);
    int64_t d = -1;
    if (r < 1 || n->noutputs != 1 || (n->ninputs > 1 && !arg_int(p, n, 1, &d)) || norm_dim(d, r) < 0)
        return generic(p, n);
    int k = norm_dim(d, r);
    return resized(p, n->outputs[0], x, k, dim_of(x, k) < 0, NULL);
}

static ox_status rule_list(prop *p, ox_node *n)
{
    /* a list of dynamic tensors: its element type says unknown dims */
    bool tdyn = false;
    for (int i = 0; i < n->ninputs; i++) tdyn |= type_dyn(n->inputs[i]->type, 0);
    for (int i = 0; i < n->noutputs; i++) {
        if (tdyn) OX_TRY(relax_all(p, n->outputs[i]));
        vi(p, n->outputs[i])->valdyn = true;
    }
    return OX_OK;
}

static ox_status rule_unpack(prop *p, ox_node *n)
{
    ox_node *src = n->ninputs == 1 ? n->inputs[0]->node : NULL;
    if (src && (ox_node_is(src, "prim::ListConstruct") || ox_node_is(src, "prim::TupleConstruct")) &&
        src->ninputs == n->noutputs) {
        for (int i = 0; i < n->noutputs; i++) {
            ox_value *o = n->outputs[i], *e = src->inputs[i];
            if (ox_type_is_tensor(o->type) && o->type->rank >= 0) OX_TRY(same_as(p, o, e));
            else if (type_dyn(e->type, 0)) OX_TRY(relax_all(p, o));
        }
        return OX_OK;
    }
    if (src && n->noutputs > 0) {
        char base[64];
        bool inplace;
        const rule_entry *e = find_rule(src, base, sizeof base, &inplace);
        if (e && (e->r == R_CHUNK || e->r == R_SPLIT || e->r == R_UNBIND) && src->ninputs >= 1)
            return split_like(p, src, e->r, e->r == R_CHUNK ? e->arg : e->r == R_SPLIT ? 2 : 1, n->outputs,
                              n->noutputs);
    }
    return generic(p, n);
}

static ox_status rule_getitem(prop *p, ox_node *n)
{
    int64_t i;
    ox_node *src = n->ninputs == 2 ? n->inputs[0]->node : NULL;
    if (n->noutputs == 1 && src && ox_node_is(src, "prim::ListConstruct") && arg_int(p, n, 1, &i)) {
        if (i < 0) i += src->ninputs;
        if (i >= 0 && i < src->ninputs) {
            ox_value *o = n->outputs[0], *e = src->inputs[i];
            if (ox_type_is_tensor(o->type) && o->type->rank >= 0) return same_as(p, o, e);
            if (type_dyn(e->type, 0)) return relax_all(p, o);
            return OX_OK;
        }
    }
    return generic(p, n);
}

static ox_status walk_block(prop *p, ox_block *b, int depth);

/* If / Loop and anything with sub-blocks: the sub-blocks' values are
 * walked with everything they carry in unknown, the outputs relaxed. */
static ox_status with_blocks(prop *p, ox_node *n, int depth)
{
    if (depth > MAX_DEPTH) return ox_fail(p->g->ctx, ONNXIFY_ERR_GRAPH_DESCRIPTION, "blocks nested too deeply");
    for (int b = 0; b < n->nblocks; b++) {
        ox_block *blk = n->blocks[b];
        for (int i = 0; i < ox_block_ninputs(blk); i++) {
            ox_value *v = ox_block_input(blk, i);
            OX_TRY(relax_all(p, v));
            if (small(v->type)) vi(p, v)->valdyn = true;
        }
        OX_TRY(walk_block(p, blk, depth + 1));
    }
    return generic(p, n);
}

static ox_status visit(prop *p, ox_node *n, int depth)
{
    if (n->nblocks) return with_blocks(p, n, depth);
    char base[64];
    bool inplace = false;
    const rule_entry *e = find_rule(n, base, sizeof base, &inplace);
    rule r = e ? e->r : R_NONE;
    if (inplace && r == R_BROADCAST) r = R_SAME; /* x.add_(y) keeps x's shape */
    value_info(p, n, base, r == R_SAME);
    if (ox_node_is(n, "prim::Constant") || !any_input_dyn(p, n)) return OX_OK;
    if (r != R_LIST && r != R_UNPACK && r != R_GETITEM && r != R_NONE && n->ninputs < 1) return generic(p, n);
    switch (r) {
    case R_SAME: return rule_same(p, n);
    case R_BROADCAST: return rule_broadcast(p, n, e->arg);
    case R_CONV: return rule_conv(p, n);
    case R_POOL: return rule_pool(p, n, e->arg, false);
    case R_ADAPTIVE: return rule_pool(p, n, e->arg, true);
    case R_LINEAR: return rule_linear(p, n);
    case R_MATMUL: return rule_matmul(p, n, false);
    case R_ADDMM: return rule_matmul(p, n, true);
    case R_FLATTEN: return rule_flatten(p, n);
    case R_TRANSPOSE:
    case R_T:
    case R_PERMUTE: return rule_transpose(p, n, r);
    case R_UNSQUEEZE: return rule_unsqueeze(p, n);
    case R_SQUEEZE: return rule_squeeze(p, n);
    case R_VIEW: return rule_view(p, n, e->arg, true);
    case R_AS:
        if (n->ninputs < 2 || n->noutputs != 1) return generic(p, n);
        if (rank_of(n->outputs[0]) != rank_of(n->inputs[1])) return generic(p, n);
        return same_as(p, n->outputs[0], n->inputs[1]);
    case R_EXPAND: return rule_expand(p, n);
    case R_REPEAT: return rule_repeat(p, n);
    case R_CAT: return rule_cat(p, n, false);
    case R_STACK: return rule_cat(p, n, true);
    case R_SIZE: return OX_OK; /* numbers: value_info said what they hold */
    case R_SELECT: return rule_select(p, n);
    case R_SLICE: return rule_slice(p, n);
    case R_NARROW: return rule_narrow(p, n);
    case R_CHUNK:
    case R_SPLIT:
    case R_UNBIND: {
        bool listy = n->noutputs == 1 && !ox_type_is_tensor(n->outputs[0]->type);
        if (listy) return generic(p, n); /* the Tensor[]: its prim::ListUnpack decides */
        int dim_arg = r == R_CHUNK ? e->arg : r == R_SPLIT ? 2 : 1;
        return split_like(p, n, r, dim_arg, n->outputs, n->noutputs);
    }
    case R_EMBEDDING: return rule_embedding(p, n);
    case R_REDUCE: return rule_reduce(p, n, e->arg);
    case R_MINMAX: return rule_minmax(p, n);
    case R_INDEX_SELECT: return rule_index_select(p, n);
    case R_GATHER:
        if (n->ninputs < 3 || n->noutputs != 1 || rank_of(n->outputs[0]) != rank_of(n->inputs[2])) return generic(p, n);
        return same_as(p, n->outputs[0], n->inputs[2]);
    case R_TOPK: return rule_topk(p, n);
    case R_FACTORY: return rule_view(p, n, 0, false);
    case R_NEW_FACTORY: return rule_view(p, n, e->arg, false);
    case R_LIST: return rule_list(p, n);
    case R_UNPACK: return rule_unpack(p, n);
    case R_GETITEM: return rule_getitem(p, n);
    case R_PAD: return rule_pad(p, n);
    case R_PIXEL_SHUFFLE: /* [N, C*r*r, H, W] <-> [N, C, H*r, W*r]: channels traced */
        if (n->noutputs != 1) return generic(p, n);
        return spatial(p, n->outputs[0], n->inputs[0], 2, true, false, false);
    case R_GLU: return rule_glu(p, n);
    case R_NONE: break;
    }
    return generic(p, n);
}

static ox_status walk_block(prop *p, ox_block *b, int depth)
{
    for (ox_node *n = ox_block_first(b); n != b->ret; n = n->next) OX_TRY(visit(p, n, depth));
    return OX_OK;
}

ox_status ox_pass_propagate_dynamic_dims(ox_graph *g, bool *changed)
{
    if (changed) *changed = false;
    bool any = false;
    for (int i = 0; i < ox_block_ninputs(g->top); i++) {
        ox_value *v = ox_block_input(g->top, i);
        if (!v->init && type_dyn(v->type, 0)) any = true;
    }
    if (!any) return OX_OK;
    prop p = {.g = g, .ninfo = g->next_value_id};
    p.info = ox_arena_alloc(g->arena, ((size_t)p.ninfo + 1) * sizeof(vinfo));
    p.traced = ox_arena_alloc(g->arena, ((size_t)p.ninfo + 1) * sizeof(ox_type *));
    if (!p.info || !p.traced) return OX_NOMEM(g->ctx);
    OX_TRY(walk_block(&p, g->top, 0));
    if (changed) *changed = p.changed;
    return OX_OK;
}
