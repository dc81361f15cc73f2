/* Constant propagation on the TorchScript graph (seed: _optimize_graph step 5,
 * _jit_pass_constant_propagation). torch runs every deterministic,
 * side-effect-free node whose inputs are all prim::Constant through its
 * interpreter and puts a prim::Constant of the result in its place. We have
 * no interpreter, so this pass folds the node kinds that show up in traced
 * and simple scripted graphs and whose result is computed exactly here:
 *
 *   - numbers: aten::add/sub/mul (int, float), aten::div (true division,
 *     float result), aten::floordiv and aten::remainder (ints, Python
 *     semantics), aten::neg, and the comparisons aten::eq/ne/lt/gt/le/ge
 *     (ints, floats, bools; bool result). A zero divisor is left alone
 *     (torch raises at run time, so it does not fold either);
 *   - conversions: aten::Int/Float/Bool of a number or of a one-element
 *     tensor constant, aten::ScalarImplicit/IntImplicit/FloatImplicit of a
 *     0-d tensor constant, prim::NumToTensor of a number (a 0-d tensor);
 *   - lists: prim::ListConstruct of int constants becomes an int[] constant
 *     (attribute `is`: this is where torch's prim::Constant[value=[1, 1]]
 *     comes from), of float constants a float[] constant (`fs`);
 *     aten::len, aten::__getitem__ and aten::add (concatenation) of such
 *     constant lists. Lists that something may mutate are not folded.
 *
 * Everything else that produces or consumes a tensor is left alone (torch
 * would evaluate it; we keep it for the symbolics). Nested blocks are
 * visited; nodes with blocks (prim::If/Loop) are not folded. As in torch, a
 * new constant has no scope (it is created in the graph's root scope) and
 * the pass ends with dead-code elimination when it changed the graph. */
#include <math.h>
#include <string.h>

#include "passes/passes.h"

/* ---- reading constants --------------------------------------------------- */

typedef enum num_kind { NUM_INT, NUM_FLOAT, NUM_BOOL } num_kind;

typedef struct num {
    num_kind kind;
    int64_t i;   /* NUM_INT, NUM_BOOL (0/1) */
    double f;    /* NUM_FLOAT */
} num;

static ox_attr *const_value_attr(const ox_value *v)
{
    return ox_node_is(v->node, "prim::Constant") && v->node->noutputs == 1 ? ox_node_attr(v->node, "value") : NULL;
}

/* An int/float/bool (or Scalar) prim::Constant. */
static bool const_num(const ox_value *v, num *out)
{
    ox_attr *a = const_value_attr(v);
    if (!a || (a->kind != OX_ATTR_I && a->kind != OX_ATTR_F)) return false;
    switch (v->type->kind) {
    case OX_TYPE_INT:
        if (a->kind != OX_ATTR_I) return false;
        *out = (num){NUM_INT, a->v.i, 0};
        return true;
    case OX_TYPE_BOOL:
        if (a->kind != OX_ATTR_I) return false;
        *out = (num){NUM_BOOL, a->v.i != 0, 0};
        return true;
    case OX_TYPE_FLOAT:
        *out = (num){NUM_FLOAT, 0, a->kind == OX_ATTR_F ? a->v.f : (double)a->v.i};
        return true;
    case OX_TYPE_NUMBER:
        *out = a->kind == OX_ATTR_I ? (num){NUM_INT, a->v.i, 0} : (num){NUM_FLOAT, 0, a->v.f};
        return true;
    default:
        return false;
    }
}

/* A tensor prim::Constant with data. */
static const ox_tensor *const_tensor(const ox_value *v)
{
    ox_attr *a = const_value_attr(v);
    if (!a || a->kind != OX_ATTR_T || !a->v.t) return NULL;
    const ox_tensor *t = a->v.t;
    if (t->dtype == OX_STRING || ox_dtype_size(t->dtype) == 0) return NULL;
    if (!t->data || t->nbytes != (size_t)ox_tensor_numel(t) * ox_dtype_size(t->dtype)) return NULL;
    return t;
}

static bool is_complex(ox_dtype d) { return d == OX_COMPLEX64 || d == OX_COMPLEX128; }

/* ---- may a list be mutated? ---------------------------------------------- */

static const char *const list_mutators[] = {
    "aten::append", "aten::insert", "aten::extend", "aten::pop",     "aten::clear",
    "aten::remove", "aten::reverse", "aten::sort",  "aten::_set_item", "prim::SetAttr",
};

static bool is_inplace_kind(const char *kind)
{
    if (strncmp(kind, "aten::", 6) != 0) return false;
    size_t len = strlen(kind);
    return len > 7 && kind[len - 1] == '_' && kind[len - 2] != '_';
}

static bool is_known_namespace(const char *kind)
{
    return strncmp(kind, "aten::", 6) == 0 || strncmp(kind, "prim::", 6) == 0 || strncmp(kind, "onnx::", 6) == 0;
}

/* Conservative: a use that could write to the list, or that lets it escape
 * to where we do not follow it (control flow, containers, unknown ops). */
static bool use_may_mutate(const ox_node *user)
{
    if (user->owner && user == user->owner->ret) return user->owner->owning_node != NULL;
    if (user->nblocks || is_inplace_kind(user->kind) || !is_known_namespace(user->kind) ||
        ox_node_is(user, "prim::PythonOp") || ox_node_is(user, "prim::ListConstruct") ||
        ox_node_is(user, "prim::TupleConstruct") || ox_node_is(user, "prim::DictConstruct"))
        return true;
    for (size_t i = 0; i < sizeof(list_mutators) / sizeof(list_mutators[0]); i++)
        if (ox_node_is(user, list_mutators[i])) return true;
    return false;
}

static bool list_may_be_mutated(const ox_value *v)
{
    for (int i = 0; i < v->nuses; i++)
        if (use_may_mutate(v->uses[i].user)) return true;
    return false;
}

/* An int[] or float[] prim::Constant nobody mutates. */
static ox_attr *const_list(const ox_value *v)
{
    ox_attr *a = const_value_attr(v);
    if (!a || (a->kind != OX_ATTR_IS && a->kind != OX_ATTR_FS) || v->type->kind != OX_TYPE_LIST) return NULL;
    return list_may_be_mutated(v) ? NULL : a;
}

/* ---- making constants ---------------------------------------------------- */

typedef struct folder {
    ox_graph *g;
    bool changed;
} folder;

/* A prim::Constant before `n` that takes over the uses of n's only output. */
static ox_node *new_constant(folder *f, ox_node *n, ox_type *type)
{
    ox_node *c = ox_node_new(f->g, "prim::Constant", 1);
    if (!c || !type) {
        OX_NOMEM(f->g->ctx);
        return NULL;
    }
    c->outputs[0]->type = type;
    ox_node_insert_before(c, n);
    return c;
}

static void finish(folder *f, ox_node *n, ox_node *c)
{
    ox_value_replace_all_uses(n->outputs[0], c->outputs[0]);
    ox_node_destroy(n);
    f->changed = true;
}

static ox_status emit_num(folder *f, ox_node *n, num r)
{
    ox_type_kind k = r.kind == NUM_INT ? OX_TYPE_INT : r.kind == NUM_FLOAT ? OX_TYPE_FLOAT : OX_TYPE_BOOL;
    ox_node *c = new_constant(f, n, ox_type_new(f->g->arena, k));
    if (!c) return f->g->ctx->status;
    ox_status st = r.kind == NUM_FLOAT ? ox_node_set_f(c, "value", r.f) : ox_node_set_i(c, "value", r.i);
    if (st != OX_OK) return st;
    finish(f, n, c);
    return OX_OK;
}

/* The result kind must agree with the node's declared output type (a Scalar
 * output takes whatever the computation gives). */
static bool fits_output(const ox_node *n, num_kind k)
{
    switch (n->outputs[0]->type->kind) {
    case OX_TYPE_INT: return k == NUM_INT;
    case OX_TYPE_FLOAT: return k == NUM_FLOAT;
    case OX_TYPE_BOOL: return k == NUM_BOOL;
    case OX_TYPE_NUMBER: return k != NUM_BOOL;
    default: return false;
    }
}

static ox_status emit_checked(folder *f, ox_node *n, num r)
{
    return fits_output(n, r.kind) ? emit_num(f, n, r) : OX_OK;
}

/* ---- numbers ------------------------------------------------------------- */

static double as_f(num a) { return a.kind == NUM_FLOAT ? a.f : (double)a.i; }

/* int64 arithmetic wraps (as torch's does in practice) without C overflow. */
static int64_t wrap_add(int64_t a, int64_t b) { return (int64_t)((uint64_t)a + (uint64_t)b); }
static int64_t wrap_sub(int64_t a, int64_t b) { return (int64_t)((uint64_t)a - (uint64_t)b); }
static int64_t wrap_mul(int64_t a, int64_t b) { return (int64_t)((uint64_t)a * (uint64_t)b); }

/* Python's a // b and a % b for ints (b != 0, not INT64_MIN // -1). */
static int64_t py_floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

static int64_t py_mod(int64_t a, int64_t b)
{
    if (b == -1) return 0;
    int64_t r = a % b;
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
}

#define EXACT_INT_LIMIT 9007199254740992.0 /* 2^53: ints up to here are exact doubles */

/* a <op> b for comparisons; false when it cannot be decided exactly. */
static bool compare(const char *op, num a, num b, bool *out)
{
    int c;
    if (a.kind != NUM_FLOAT && b.kind != NUM_FLOAT) {
        c = a.i < b.i ? -1 : a.i > b.i;
    } else {
        if ((a.kind != NUM_FLOAT && fabs((double)a.i) > EXACT_INT_LIMIT) ||
            (b.kind != NUM_FLOAT && fabs((double)b.i) > EXACT_INT_LIMIT))
            return false;
        double x = as_f(a), y = as_f(b);
        if (isnan(x) || isnan(y)) {
            *out = !strcmp(op, "ne");
            return true;
        }
        c = x < y ? -1 : x > y;
    }
    if (!strcmp(op, "eq")) *out = c == 0;
    else if (!strcmp(op, "ne")) *out = c != 0;
    else if (!strcmp(op, "lt")) *out = c < 0;
    else if (!strcmp(op, "gt")) *out = c > 0;
    else if (!strcmp(op, "le")) *out = c <= 0;
    else *out = c >= 0;
    return true;
}

static ox_status fold_binary(folder *f, ox_node *n, const char *op)
{
    num a, b;
    if (n->ninputs != 2 || !const_num(n->inputs[0], &a) || !const_num(n->inputs[1], &b)) return OX_OK;
    bool cmp = !strcmp(op, "eq") || !strcmp(op, "ne") || !strcmp(op, "lt") || !strcmp(op, "gt") ||
               !strcmp(op, "le") || !strcmp(op, "ge");
    if (cmp) {
        bool r;
        if (!compare(op, a, b, &r)) return OX_OK;
        return emit_checked(f, n, (num){NUM_BOOL, r, 0});
    }
    if (a.kind == NUM_BOOL || b.kind == NUM_BOOL) return OX_OK;
    bool ints = a.kind == NUM_INT && b.kind == NUM_INT;
    num r = {NUM_FLOAT, 0, 0};
    if (!strcmp(op, "div")) {
        if (as_f(b) == 0.0) return OX_OK;
        r.f = as_f(a) / as_f(b);
    } else if (!strcmp(op, "floordiv") || !strcmp(op, "remainder")) {
        if (!ints || b.i == 0 || (a.i == INT64_MIN && b.i == -1 && op[0] == 'f')) return OX_OK;
        r = (num){NUM_INT, op[0] == 'f' ? py_floordiv(a.i, b.i) : py_mod(a.i, b.i), 0};
    } else if (ints) {
        r.kind = NUM_INT;
        r.i = op[0] == 'a' ? wrap_add(a.i, b.i) : op[0] == 's' ? wrap_sub(a.i, b.i) : wrap_mul(a.i, b.i);
    } else {
        double x = as_f(a), y = as_f(b);
        r.f = op[0] == 'a' ? x + y : op[0] == 's' ? x - y : x * y;
    }
    return emit_checked(f, n, r);
}

static ox_status fold_neg(folder *f, ox_node *n)
{
    num a;
    if (n->ninputs != 1 || !const_num(n->inputs[0], &a) || a.kind == NUM_BOOL) return OX_OK;
    if (a.kind == NUM_INT) a.i = wrap_sub(0, a.i);
    else a.f = -a.f;
    return emit_checked(f, n, a);
}

/* ---- conversions --------------------------------------------------------- */

/* int(x) of a float: truncation, only where it is defined. */
static bool trunc_to_int(double x, int64_t *out)
{
    if (!isfinite(x) || x >= 9223372036854775808.0 || x < -9223372036854775808.0) return false;
    *out = (int64_t)x;
    return true;
}

/* The single element of a constant tensor as a number of its own category. */
static bool tensor_item(const ox_tensor *t, num *out)
{
    if (ox_tensor_numel(t) != 1 || is_complex(t->dtype)) return false;
    if (t->dtype == OX_BOOL) *out = (num){NUM_BOOL, ox_tensor_get_i(t, 0) != 0, 0};
    else if (ox_dtype_is_floating(t->dtype)) *out = (num){NUM_FLOAT, 0, ox_tensor_get_f(t, 0)};
    else if (ox_dtype_is_integral(t->dtype)) *out = (num){NUM_INT, ox_tensor_get_i(t, 0), 0};
    else return false;
    return true;
}

/* aten::Int / aten::Float / aten::Bool of a number or a one-element tensor. */
static ox_status fold_cast(folder *f, ox_node *n, num_kind to)
{
    if (n->ninputs != 1) return OX_OK;
    num a;
    const ox_tensor *t = const_tensor(n->inputs[0]);
    if (t ? !tensor_item(t, &a) : !const_num(n->inputs[0], &a)) return OX_OK;
    num r = {to, 0, 0};
    if (to == NUM_INT) {
        if (a.kind != NUM_FLOAT) r.i = a.i;
        else if (!trunc_to_int(a.f, &r.i)) return OX_OK;
    } else if (to == NUM_FLOAT) {
        r.f = as_f(a);
    } else {
        r.i = a.kind == NUM_FLOAT ? a.f != 0.0 : a.i != 0;
    }
    return emit_checked(f, n, r);
}

/* aten::ScalarImplicit / IntImplicit / FloatImplicit: a 0-d tensor. */
static ox_status fold_implicit(folder *f, ox_node *n, const char *which)
{
    const ox_tensor *t = n->ninputs == 1 ? const_tensor(n->inputs[0]) : NULL;
    num a;
    if (!t || t->rank != 0 || !tensor_item(t, &a) || a.kind == NUM_BOOL) return OX_OK;
    if ((which[0] == 'I' && a.kind != NUM_INT) || (which[0] == 'F' && a.kind != NUM_FLOAT)) return OX_OK;
    if (which[0] == 'S') {
        /* a Scalar: the constant takes the number's own type, as in torch */
        ox_type_kind k = n->outputs[0]->type->kind;
        if (k != OX_TYPE_NUMBER && k != (a.kind == NUM_INT ? OX_TYPE_INT : OX_TYPE_FLOAT)) return OX_OK;
        return emit_num(f, n, a);
    }
    return emit_checked(f, n, a);
}

/* prim::NumToTensor of a number: a 0-d int64 / float64 / bool tensor. */
static ox_status fold_num_to_tensor(folder *f, ox_node *n)
{
    num a;
    if (n->ninputs != 1 || !const_num(n->inputs[0], &a)) return OX_OK;
    ox_dtype dt = a.kind == NUM_INT ? OX_INT64 : a.kind == NUM_FLOAT ? OX_DOUBLE : OX_BOOL;
    ox_type *out = n->outputs[0]->type;
    if (out->kind != OX_TYPE_TENSOR || (out->dtype != OX_UNDEFINED && out->dtype != dt) || out->rank > 0) return OX_OK;
    ox_tensor *t = ox_tensor_alloc(f->g->arena, dt, 0, NULL);
    if (!t) return OX_NOMEM(f->g->ctx);
    if (a.kind == NUM_FLOAT) ox_tensor_set_f(t, 0, a.f);
    else ox_tensor_set_i(t, 0, a.i);
    ox_node *c = new_constant(f, n, ox_type_tensor(f->g->arena, dt, 0, NULL));
    if (!c) return f->g->ctx->status;
    OX_TRY(ox_node_set_t(c, "value", t));
    finish(f, n, c);
    return OX_OK;
}

/* ---- lists --------------------------------------------------------------- */

static ox_type *list_type(ox_arena *a, ox_type_kind elem)
{
    ox_type *t = ox_type_new(a, OX_TYPE_LIST);
    ox_type **elems = ox_arena_alloc(a, sizeof(ox_type *));
    if (!t || !elems || !(elems[0] = ox_type_new(a, elem))) return NULL;
    t->elems = elems;
    t->nelems = 1;
    return t;
}

/* The declared element kind of a list type, or -1 when not given. */
static int declared_elem(const ox_type *t)
{
    return t->kind == OX_TYPE_LIST && t->nelems == 1 && t->elems[0] ? (int)t->elems[0]->kind : -1;
}

static ox_status emit_list(folder *f, ox_node *n, bool floats, const int64_t *is, const double *fs, int count)
{
    ox_node *c = new_constant(f, n, list_type(f->g->arena, floats ? OX_TYPE_FLOAT : OX_TYPE_INT));
    if (!c) return f->g->ctx->status;
    OX_TRY(floats ? ox_node_set_fs(c, "value", fs, count) : ox_node_set_is(c, "value", is, count));
    finish(f, n, c);
    return OX_OK;
}

/* prim::ListConstruct of int (or float) constants. */
static ox_status fold_list_construct(folder *f, ox_node *n)
{
    ox_value *out = n->outputs[0];
    if (out->type->kind != OX_TYPE_LIST || list_may_be_mutated(out)) return OX_OK;
    int elem = declared_elem(out->type);
    if (elem == -1 && n->ninputs > 0) elem = (int)n->inputs[0]->type->kind;
    if (elem != OX_TYPE_INT && elem != OX_TYPE_FLOAT) return OX_OK;
    bool floats = elem == OX_TYPE_FLOAT;
    int count = n->ninputs;
    int64_t *is = ox_arena_alloc(f->g->arena, (size_t)(count + 1) * sizeof(int64_t));
    double *fs = ox_arena_alloc(f->g->arena, (size_t)(count + 1) * sizeof(double));
    if (!is || !fs) return OX_NOMEM(f->g->ctx);
    for (int i = 0; i < count; i++) {
        num a;
        ox_value *v = n->inputs[i];
        if (!const_num(v, &a) || (int)v->type->kind != elem) return OX_OK;
        if (floats) fs[i] = a.f;
        else is[i] = a.i;
    }
    return emit_list(f, n, floats, is, fs, count);
}

static ox_status fold_len(folder *f, ox_node *n)
{
    ox_attr *l = n->ninputs == 1 ? const_list(n->inputs[0]) : NULL;
    if (!l) return OX_OK;
    return emit_checked(f, n, (num){NUM_INT, l->n, 0});
}

static ox_status fold_getitem(folder *f, ox_node *n)
{
    ox_attr *l = n->ninputs == 2 ? const_list(n->inputs[0]) : NULL;
    num idx;
    if (!l || !const_num(n->inputs[1], &idx) || idx.kind != NUM_INT) return OX_OK;
    int64_t i = idx.i < 0 ? idx.i + l->n : idx.i;
    if (i < 0 || i >= l->n) return OX_OK; /* an IndexError at run time */
    num r = l->kind == OX_ATTR_IS ? (num){NUM_INT, l->v.is[i], 0} : (num){NUM_FLOAT, 0, l->v.fs[i]};
    return emit_checked(f, n, r);
}

/* aten::add of two constant lists of the same kind: their concatenation. */
static ox_status fold_list_add(folder *f, ox_node *n)
{
    ox_attr *a = const_list(n->inputs[0]), *b = const_list(n->inputs[1]);
    if (!a || !b || a->kind != b->kind || n->outputs[0]->type->kind != OX_TYPE_LIST ||
        list_may_be_mutated(n->outputs[0]))
        return OX_OK;
    int count = a->n + b->n;
    bool floats = a->kind == OX_ATTR_FS;
    size_t es = floats ? sizeof(double) : sizeof(int64_t);
    char *buf = ox_arena_alloc(f->g->arena, (size_t)(count + 1) * es);
    if (!buf) return OX_NOMEM(f->g->ctx);
    memcpy(buf, floats ? (void *)a->v.fs : (void *)a->v.is, (size_t)a->n * es);
    memcpy(buf + (size_t)a->n * es, floats ? (void *)b->v.fs : (void *)b->v.is, (size_t)b->n * es);
    return emit_list(f, n, floats, (const int64_t *)buf, (const double *)buf, count);
}

/* ---- the walk ------------------------------------------------------------ */

static const char *const binary_ops[] = {"add", "sub", "mul", "div", "floordiv", "remainder",
                                         "eq",  "ne",  "lt",  "gt",  "le",       "ge"};

static ox_status fold_node(folder *f, ox_node *n)
{
    if (n->noutputs != 1 || n->nblocks) return OX_OK;
    if (ox_node_is(n, "prim::ListConstruct")) return fold_list_construct(f, n);
    if (ox_node_is(n, "prim::NumToTensor")) return fold_num_to_tensor(f, n);
    if (strncmp(n->kind, "aten::", 6) != 0) return OX_OK;
    const char *op = n->kind + 6;
    if (!strcmp(op, "add") && n->ninputs == 2 && n->inputs[0]->type->kind == OX_TYPE_LIST) return fold_list_add(f, n);
    for (size_t i = 0; i < sizeof(binary_ops) / sizeof(binary_ops[0]); i++)
        if (!strcmp(op, binary_ops[i])) return fold_binary(f, n, op);
    if (!strcmp(op, "neg")) return fold_neg(f, n);
    if (!strcmp(op, "Int")) return fold_cast(f, n, NUM_INT);
    if (!strcmp(op, "Float")) return fold_cast(f, n, NUM_FLOAT);
    if (!strcmp(op, "Bool")) return fold_cast(f, n, NUM_BOOL);
    if (!strcmp(op, "ScalarImplicit")) return fold_implicit(f, n, "Scalar");
    if (!strcmp(op, "IntImplicit")) return fold_implicit(f, n, "Int");
    if (!strcmp(op, "FloatImplicit")) return fold_implicit(f, n, "Float");
    if (!strcmp(op, "len")) return fold_len(f, n);
    if (!strcmp(op, "__getitem__")) return fold_getitem(f, n);
    return OX_OK;
}

static ox_status fold_block(folder *f, ox_block *b)
{
    for (ox_node *n = ox_block_first(b); n != b->ret;) {
        ox_node *next = n->next; /* a folded node is destroyed; its constant goes before it */
        for (int i = 0; i < n->nblocks; i++) OX_TRY(fold_block(f, n->blocks[i]));
        OX_TRY(fold_node(f, n));
        n = next;
    }
    return OX_OK;
}

ox_status ox_pass_constant_propagation(ox_graph *g, bool *changed)
{
    folder f = {g, false};
    OX_TRY(fold_block(&f, g->top));
    if (f.changed) OX_TRY(ox_pass_dce(g, NULL));
    if (changed) *changed = f.changed;
    return OX_OK;
}
