/* The per-op evaluators of the ONNX constant folding (see fold_ops.h).
 *
 * Arithmetic follows ATen's CPU kernels: operands are converted to the
 * promoted dtype (ATen's result_type rules, zero-dim tensors ranking below
 * dimensioned ones), float32 / float16 / bfloat16 math is done in float and
 * rounded once to the result dtype, float64 in double, integers wrap.
 * Data-moving ops (Transpose, Slice, Gather, Concat) copy element bytes;
 * Reshape, Squeeze, Unsqueeze, an identity Transpose and a same-dtype Cast
 * share the input's data the way ATen returns a view (or self).
 *
 * The nodes torch folds are folded and those it leaves (its evaluator
 * declines, or ATen raises) are left. Where torch's evaluation of a node
 * departs from the node's ONNX meaning (Squeeze without axes, axes lists
 * handled one at a time, Slice's default axes, Shape's start/end, ReduceProd's
 * result dtype for small integers), the ONNX value is folded, so the graph
 * has torch's structure and computes what the unfolded node would. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "passes/fold_ops.h"

#define MAXR 32                                  /* higher ranks are not folded */
#define MAX_RESULT_BYTES ((uint64_t)1 << 31)     /* larger results are not folded */
#define MAX_LIST 256                             /* longest axes/starts/shape list read */

enum { SKIP = 0, DONE = 1, NOMEM = -1 };

typedef struct fctx {
    ox_graph *g;
    const ox_node *n;
    const ox_tensor *const *in;
    int nin;
    int opset;
} fctx;

/* ---- dtypes -------------------------------------------------------------- */

/* The element types ATen (1.13) computes with. */
static bool real_dtype(ox_dtype t)
{
    switch (t) {
    case OX_FLOAT: case OX_DOUBLE: case OX_FLOAT16: case OX_BFLOAT16:
    case OX_INT64: case OX_INT32: case OX_INT16: case OX_INT8: case OX_UINT8: case OX_BOOL:
        return true;
    default:
        return false;
    }
}

static bool is_floating(ox_dtype t) { return ox_dtype_is_floating(t); }

/* Computed in float, stored with one rounding. */
static bool float_class(ox_dtype t) { return t == OX_FLOAT || t == OX_FLOAT16 || t == OX_BFLOAT16; }

static int int_rank(ox_dtype t)
{
    switch (t) {
    case OX_INT8: return 1;
    case OX_INT16: return 2;
    case OX_INT32: return 3;
    case OX_INT64: return 4;
    default: return 0;
    }
}

/* ATen's promoteTypes over the real dtypes. */
static ox_dtype promote2(ox_dtype a, ox_dtype b)
{
    if (a == OX_UNDEFINED) return b;
    if (b == OX_UNDEFINED || a == b) return a;
    if (a == OX_BOOL) return b;
    if (b == OX_BOOL) return a;
    bool fa = is_floating(a), fb = is_floating(b);
    if (fa && !fb) return a;
    if (fb && !fa) return b;
    if (fa && fb) return (a == OX_DOUBLE || b == OX_DOUBLE) ? OX_DOUBLE : OX_FLOAT;
    if (a == OX_UINT8 || b == OX_UINT8) {
        ox_dtype o = a == OX_UINT8 ? b : a;
        return o == OX_INT8 ? OX_INT16 : o;
    }
    return int_rank(a) >= int_rank(b) ? a : b;
}

static int category(ox_dtype t) { return t == OX_BOOL ? 0 : is_floating(t) ? 2 : 1; }

/* ATen's result_type: dimensioned operands decide unless a zero-dim operand
 * is of a higher category (bool < integer < floating). */
static ox_dtype result_type(const ox_tensor *const *ts, int n)
{
    ox_dtype dim = OX_UNDEFINED, zero = OX_UNDEFINED;
    for (int i = 0; i < n; i++) {
        if (ts[i]->rank > 0) dim = promote2(dim, ts[i]->dtype);
        else zero = promote2(zero, ts[i]->dtype);
    }
    if (dim == OX_UNDEFINED) return zero;
    if (zero == OX_UNDEFINED || category(dim) >= category(zero)) return dim;
    return promote2(dim, zero);
}

/* ---- elements ------------------------------------------------------------ */

static float rd_float(const ox_tensor *t, int64_t i)
{
    if (is_floating(t->dtype)) return (float)ox_tensor_get_f(t, i);
    return (float)ox_tensor_get_i(t, i); /* one rounding from the integer */
}

static double rd_double(const ox_tensor *t, int64_t i)
{
    if (is_floating(t->dtype)) return ox_tensor_get_f(t, i);
    return (double)ox_tensor_get_i(t, i);
}

/* v rounded to float16/bfloat16 and back (v itself for float32). */
static float round_to(ox_dtype dt, float v)
{
    if (dt != OX_FLOAT16 && dt != OX_BFLOAT16) return v;
    uint16_t buf = 0;
    ox_tensor t;
    memset(&t, 0, sizeof t);
    t.dtype = dt;
    t.data = &buf;
    t.nbytes = sizeof buf;
    ox_tensor_set_f(&t, 0, v);
    return (float)ox_tensor_get_f(&t, 0);
}

/* Element i of t converted to the float-class compute dtype ct. */
static float opnd_f(const ox_tensor *t, int64_t i, ox_dtype ct)
{
    float v = rd_float(t, i);
    return t->dtype == ct ? v : round_to(ct, v);
}

/* Whether truncating d gives a value of the integer dtype t (float to
 * integer conversions outside that range are undefined in ATen). */
static bool int_range_ok(ox_dtype t, double d)
{
    if (d != d) return false;
    switch (t) {
    case OX_INT8: return d > -129.0 && d < 128.0;
    case OX_INT16: return d > -32769.0 && d < 32768.0;
    case OX_INT32: return d > -2147483649.0 && d < 2147483648.0;
    default: /* int64, and uint8 (converted through int64) */
        return d >= -9223372036854775808.0 && d < 9223372036854775808.0;
    }
}

/* Stores a float/double result into an integer or bool element like ATen's
 * .to(): false when the conversion is undefined. */
static bool store_real(ox_tensor *o, int64_t i, double v)
{
    if (o->dtype == OX_BOOL) {
        ox_tensor_set_i(o, i, v != 0); /* NaN is true */
        return true;
    }
    if (is_floating(o->dtype)) {
        ox_tensor_set_f(o, i, v);
        return true;
    }
    if (!int_range_ok(o->dtype, v)) return false;
    ox_tensor_set_i(o, i, (int64_t)v);
    return true;
}

/* out[oi] = in[ii] converted like c10's casts; false when undefined. */
static bool cast_elem(ox_tensor *o, int64_t oi, const ox_tensor *in, int64_t ii)
{
    ox_dtype od = o->dtype, id = in->dtype;
    if (od == id) {
        size_t es = ox_dtype_size(od);
        memcpy((unsigned char *)o->data + (size_t)oi * es, (const unsigned char *)in->data + (size_t)ii * es, es);
        return true;
    }
    if (od == OX_BOOL) {
        bool b = is_floating(id) ? ox_tensor_get_f(in, ii) != 0 : ox_tensor_get_i(in, ii) != 0;
        ox_tensor_set_i(o, oi, b);
        return true;
    }
    if (od == OX_DOUBLE) {
        ox_tensor_set_f(o, oi, rd_double(in, ii));
        return true;
    }
    if (float_class(od)) {
        ox_tensor_set_f(o, oi, (double)rd_float(in, ii));
        return true;
    }
    if (is_floating(id)) return store_real(o, oi, ox_tensor_get_f(in, ii));
    ox_tensor_set_i(o, oi, ox_tensor_get_i(in, ii));
    return true;
}

/* ---- shapes, results, copies --------------------------------------------- */

static int64_t numel_of(int rank, const int64_t *dims)
{
    int64_t n = 1;
    for (int i = 0; i < rank; i++) n *= dims[i];
    return n;
}

static void strides_of(int rank, const int64_t *dims, int64_t *st)
{
    int64_t s = 1;
    for (int i = rank - 1; i >= 0; i--) {
        st[i] = s;
        s *= dims[i];
    }
}

static int alloc_out(fctx *c, ox_dtype dt, int rank, const int64_t *dims, ox_tensor **out)
{
    uint64_t bytes = ox_dtype_size(dt);
    if (!bytes || rank > MAXR) return SKIP;
    for (int i = 0; i < rank; i++) {
        if (dims[i] < 0) return SKIP;
        if (dims[i] && bytes > MAX_RESULT_BYTES / (uint64_t)dims[i]) return SKIP;
        bytes *= (uint64_t)dims[i];
    }
    if (bytes > MAX_RESULT_BYTES) return SKIP;
    *out = ox_tensor_alloc(c->g->arena, dt, rank, dims);
    return *out ? DONE : NOMEM;
}

/* A result with src's data and dtype and new dims (same element count). */
static int alias_out(fctx *c, const ox_tensor *src, int rank, const int64_t *dims, ox_tensor **out)
{
    ox_tensor *t = ox_tensor_new(c->g->arena, src->dtype, rank, dims);
    if (!t) return NOMEM;
    t->data = src->data;
    t->nbytes = src->nbytes;
    *out = t;
    return DONE;
}

/* memcpy of n dims (the source may be NULL when n is 0) */
static void copy_i64(int64_t *dst, const int64_t *src, int64_t n)
{
    if (n > 0) memcpy(dst, src, (size_t)n * sizeof(int64_t));
}

/* Copies the view of src with the given dims whose element (i0, ..., ik) is
 * at base + sum(i_d * st[d]) into dst, contiguously. */
static void copy_view(void *dst, const ox_tensor *src, int rank, const int64_t *dims, const int64_t *st,
                      int64_t base)
{
    size_t es = ox_dtype_size(src->dtype);
    int64_t total = numel_of(rank, dims);
    if (total <= 0) return;
    int r = rank;
    int64_t run = 1;
    if (r > 0 && st[r - 1] == 1) run = dims[--r];
    int64_t coord[MAXR] = {0}, off = base, count = total / run;
    unsigned char *d = dst;
    const unsigned char *s = src->data;
    for (int64_t i = 0; i < count; i++) {
        memcpy(d + (size_t)(i * run) * es, s + (size_t)off * es, (size_t)run * es);
        for (int k = r - 1; k >= 0; k--) {
            off += st[k];
            if (++coord[k] < dims[k]) break;
            off -= st[k] * dims[k];
            coord[k] = 0;
        }
    }
}

/* ---- attributes and list inputs ------------------------------------------ */

/* 1 = found, 0 = absent, -1 = present with another kind. */
static int attr_int(const ox_node *n, const char *name, int64_t *v)
{
    ox_attr *a = ox_node_attr(n, name);
    if (!a) return 0;
    if (a->kind != OX_ATTR_I) return -1;
    *v = a->v.i;
    return 1;
}

static int attr_ints(const ox_node *n, const char *name, const int64_t **v, int *count)
{
    ox_attr *a = ox_node_attr(n, name);
    if (!a) return 0;
    if (a->kind != OX_ATTR_IS || a->n < 0 || a->n > MAX_LIST) return -1;
    *v = a->v.is;
    *count = a->n;
    return 1;
}

/* A 1-D integer tensor's values. */
static bool tensor_ints(const ox_tensor *t, int64_t *buf, int *count)
{
    if (!t || t->rank != 1 || !ox_dtype_is_integral(t->dtype) || t->dims[0] > MAX_LIST) return false;
    *count = (int)t->dims[0];
    for (int i = 0; i < *count; i++) buf[i] = ox_tensor_get_i(t, i);
    return true;
}

/* ---- broadcasting -------------------------------------------------------- */

typedef struct bcast {
    int rank, n;
    int64_t dims[MAXR];
    int64_t st[3][MAXR];   /* element strides per operand, 0 along broadcast dims */
    int64_t numel;
} bcast;

static bool bcast_init(bcast *b, const ox_tensor *const *ts, int n)
{
    memset(b, 0, sizeof *b);
    b->n = n;
    for (int k = 0; k < n; k++)
        if (ts[k]->rank > b->rank) b->rank = ts[k]->rank;
    if (b->rank > MAXR) return false;
    for (int d = 0; d < b->rank; d++) {
        int64_t size = 1;
        for (int k = 0; k < n; k++) {
            int td = d - (b->rank - ts[k]->rank);
            int64_t s = td >= 0 ? ts[k]->dims[td] : 1;
            if (s == 1) continue;
            if (size == 1) size = s;
            else if (size != s) return false;
        }
        b->dims[d] = size;
    }
    for (int k = 0; k < n; k++) {
        int64_t st[MAXR];
        strides_of(ts[k]->rank, ts[k]->dims, st);
        for (int d = 0; d < b->rank; d++) {
            int td = d - (b->rank - ts[k]->rank);
            b->st[k][d] = (td >= 0 && ts[k]->dims[td] != 1) ? st[td] : 0;
        }
    }
    b->numel = numel_of(b->rank, b->dims);
    return true;
}

typedef struct biter {
    int64_t coord[MAXR];
    int64_t off[3];
} biter;

static void bnext(const bcast *b, biter *it)
{
    for (int d = b->rank - 1; d >= 0; d--) {
        for (int k = 0; k < b->n; k++) it->off[k] += b->st[k][d];
        if (++it->coord[d] < b->dims[d]) return;
        for (int k = 0; k < b->n; k++) it->off[k] -= b->st[k][d] * b->dims[d];
        it->coord[d] = 0;
    }
}

/* ---- elementwise --------------------------------------------------------- */

enum { B_ADD, B_SUB, B_MUL, B_DIV, B_EQ, B_GT, B_LT };

static int eval_binary(fctx *c, int op, ox_tensor **out)
{
    if (c->nin != 2) return SKIP;
    const ox_tensor *a = c->in[0], *b = c->in[1];
    if (!real_dtype(a->dtype) || !real_dtype(b->dtype)) return SKIP;
    const ox_tensor *ts[2] = {a, b};
    ox_dtype ct = result_type(ts, 2);
    bcast bc;
    if (!bcast_init(&bc, ts, 2)) return SKIP;
    bool cmp = op >= B_EQ;
    if (ct == OX_BOOL && op == B_SUB) return SKIP; /* ATen rejects bool subtraction */
    /* The dtype the values are computed in; true division of integers is done
     * in float32 (the default dtype) and cast back when both inputs share it. */
    ox_dtype cc = ct, rt = cmp ? OX_BOOL : ct;
    if (op == B_DIV) {
        if (!is_floating(ct)) cc = rt = OX_FLOAT;
        if (a->dtype == b->dtype) rt = a->dtype;
    }
    int s = alloc_out(c, rt, bc.rank, bc.dims, out);
    if (s != DONE) return s;
    ox_tensor *o = *out;
    biter it;
    memset(&it, 0, sizeof it);
    for (int64_t i = 0; i < bc.numel; i++, bnext(&bc, &it)) {
        int64_t ia = it.off[0], ib = it.off[1];
        if (float_class(cc)) {
            float x = opnd_f(a, ia, cc), y = opnd_f(b, ib, cc), r = 0;
            switch (op) {
            case B_ADD: r = x + y; break;
            case B_SUB: r = x - y; break;
            case B_MUL: r = x * y; break;
            case B_DIV: r = x / y; break;
            case B_EQ: ox_tensor_set_i(o, i, x == y); continue;
            case B_GT: ox_tensor_set_i(o, i, x > y); continue;
            default: ox_tensor_set_i(o, i, x < y); continue;
            }
            if (!store_real(o, i, (double)r)) return SKIP;
        } else if (cc == OX_DOUBLE) {
            double x = rd_double(a, ia), y = rd_double(b, ib), r = 0;
            switch (op) {
            case B_ADD: r = x + y; break;
            case B_SUB: r = x - y; break;
            case B_MUL: r = x * y; break;
            case B_DIV: r = x / y; break;
            case B_EQ: ox_tensor_set_i(o, i, x == y); continue;
            case B_GT: ox_tensor_set_i(o, i, x > y); continue;
            default: ox_tensor_set_i(o, i, x < y); continue;
            }
            if (!store_real(o, i, r)) return SKIP;
        } else if (cc == OX_BOOL) {
            bool x = ox_tensor_get_i(a, ia) != 0, y = ox_tensor_get_i(b, ib) != 0, r;
            switch (op) {
            case B_ADD: r = x || y; break;
            case B_MUL: r = x && y; break;
            case B_EQ: r = x == y; break;
            case B_GT: r = x > y; break;
            default: r = x < y; break;
            }
            ox_tensor_set_i(o, i, r);
        } else {
            int64_t x = ox_tensor_get_i(a, ia), y = ox_tensor_get_i(b, ib), r;
            switch (op) {
            case B_ADD: r = (int64_t)((uint64_t)x + (uint64_t)y); break;
            case B_SUB: r = (int64_t)((uint64_t)x - (uint64_t)y); break;
            case B_MUL: r = (int64_t)((uint64_t)x * (uint64_t)y); break;
            case B_EQ: r = x == y; break;
            case B_GT: r = x > y; break;
            default: r = x < y; break;
            }
            ox_tensor_set_i(o, i, r); /* wraps to the dtype's width */
        }
    }
    return DONE;
}

static int ev_add(fctx *c, ox_tensor **o) { return eval_binary(c, B_ADD, o); }
static int ev_sub(fctx *c, ox_tensor **o) { return eval_binary(c, B_SUB, o); }
static int ev_mul(fctx *c, ox_tensor **o) { return eval_binary(c, B_MUL, o); }
static int ev_div(fctx *c, ox_tensor **o) { return eval_binary(c, B_DIV, o); }
static int ev_equal(fctx *c, ox_tensor **o) { return eval_binary(c, B_EQ, o); }
static int ev_greater(fctx *c, ox_tensor **o) { return eval_binary(c, B_GT, o); }
static int ev_less(fctx *c, ox_tensor **o) { return eval_binary(c, B_LT, o); }

static int ev_sqrt(fctx *c, ox_tensor **out)
{
    if (c->nin != 1) return SKIP;
    const ox_tensor *x = c->in[0];
    if (!real_dtype(x->dtype)) return SKIP;
    ox_dtype rt = is_floating(x->dtype) ? x->dtype : OX_FLOAT; /* integers promote to float32 */
    int s = alloc_out(c, rt, x->rank, x->dims, out);
    if (s != DONE) return s;
    int64_t n = ox_tensor_numel(x);
    for (int64_t i = 0; i < n; i++) {
        if (rt == OX_DOUBLE) ox_tensor_set_f(*out, i, sqrt(ox_tensor_get_f(x, i)));
        else ox_tensor_set_f(*out, i, (double)sqrtf(rd_float(x, i)));
    }
    return DONE;
}

static int ev_neg(fctx *c, ox_tensor **out)
{
    if (c->nin != 1) return SKIP;
    const ox_tensor *x = c->in[0];
    if (!real_dtype(x->dtype) || x->dtype == OX_BOOL) return SKIP; /* ATen rejects bool negation */
    int s = alloc_out(c, x->dtype, x->rank, x->dims, out);
    if (s != DONE) return s;
    int64_t n = ox_tensor_numel(x);
    if (is_floating(x->dtype)) {
        /* -x flips the sign bit (of NaNs too); the data is little-endian */
        size_t es = ox_dtype_size(x->dtype);
        unsigned char *d = (unsigned char *)(*out)->data;
        if (x->nbytes) memcpy(d, x->data, x->nbytes);
        for (int64_t i = 0; i < n; i++) d[(size_t)i * es + es - 1] ^= 0x80;
        return DONE;
    }
    for (int64_t i = 0; i < n; i++)
        ox_tensor_set_i(*out, i, (int64_t)(0 - (uint64_t)ox_tensor_get_i(x, i)));
    return DONE;
}

/* torch folds Not as x != 1 (a bool result). */
static int ev_not(fctx *c, ox_tensor **out)
{
    if (c->nin != 1) return SKIP;
    const ox_tensor *x = c->in[0];
    if (!real_dtype(x->dtype)) return SKIP;
    int s = alloc_out(c, OX_BOOL, x->rank, x->dims, out);
    if (s != DONE) return s;
    int64_t n = ox_tensor_numel(x);
    for (int64_t i = 0; i < n; i++)
        ox_tensor_set_i(*out, i, is_floating(x->dtype) ? ox_tensor_get_f(x, i) != 1.0 : ox_tensor_get_i(x, i) != 1);
    return DONE;
}

static int ev_where(fctx *c, ox_tensor **out)
{
    if (c->nin != 3) return SKIP;
    const ox_tensor *cond = c->in[0], *x = c->in[1], *y = c->in[2];
    if ((cond->dtype != OX_BOOL && cond->dtype != OX_UINT8) || !real_dtype(x->dtype) || !real_dtype(y->dtype))
        return SKIP;
    const ox_tensor *vals[2] = {x, y};
    ox_dtype rt = result_type(vals, 2);
    bcast bc;
    if (!bcast_init(&bc, c->in, 3)) return SKIP;
    int s = alloc_out(c, rt, bc.rank, bc.dims, out);
    if (s != DONE) return s;
    biter it;
    memset(&it, 0, sizeof it);
    for (int64_t i = 0; i < bc.numel; i++, bnext(&bc, &it)) {
        bool pick = ox_tensor_get_i(cond, it.off[0]) != 0;
        if (!cast_elem(*out, i, pick ? x : y, pick ? it.off[1] : it.off[2])) return SKIP;
    }
    return DONE;
}

/* Cast targets torch maps to an ATen dtype. */
static bool cast_target(int64_t to)
{
    switch (to) {
    case OX_FLOAT: case OX_UINT8: case OX_INT8: case OX_INT16: case OX_INT32: case OX_INT64:
    case OX_BOOL: case OX_FLOAT16: case OX_DOUBLE: case OX_BFLOAT16:
        return true;
    default:
        return false;
    }
}

static int ev_cast(fctx *c, ox_tensor **out)
{
    if (c->nin != 1) return SKIP;
    const ox_tensor *x = c->in[0];
    int64_t to;
    if (attr_int(c->n, "to", &to) != 1 || !cast_target(to) || !real_dtype(x->dtype)) return SKIP;
    if ((ox_dtype)to == x->dtype) return alias_out(c, x, x->rank, x->dims, out); /* .to() returns self */
    int s = alloc_out(c, (ox_dtype)to, x->rank, x->dims, out);
    if (s != DONE) return s;
    int64_t n = ox_tensor_numel(x);
    for (int64_t i = 0; i < n; i++)
        if (!cast_elem(*out, i, x, i)) return SKIP;
    return DONE;
}

/* ---- data movement ------------------------------------------------------- */

static int ev_transpose(fctx *c, ox_tensor **out)
{
    if (c->nin != 1) return SKIP;
    const ox_tensor *x = c->in[0];
    const int64_t *perm;
    int np;
    if (attr_ints(c->n, "perm", &perm, &np) != 1 || np != x->rank) return SKIP; /* torch needs perm */
    int r = x->rank;
    bool seen[MAXR] = {false}, identity = true;
    int64_t xst[MAXR], dims[MAXR], st[MAXR];
    strides_of(r, x->dims, xst);
    for (int i = 0; i < r; i++) {
        int64_t p = perm[i] < 0 ? perm[i] + r : perm[i];
        if (p < 0 || p >= r || seen[p]) return SKIP;
        seen[p] = true;
        dims[i] = x->dims[p];
        st[i] = xst[p];
        identity &= p == i;
    }
    if (identity) return alias_out(c, x, r, x->dims, out);
    int s = alloc_out(c, x->dtype, r, dims, out);
    if (s != DONE) return s;
    copy_view((void *)(*out)->data, x, r, dims, st, 0);
    return DONE;
}

static int ev_reshape(fctx *c, ox_tensor **out)
{
    if (c->nin != 2) return SKIP;
    const ox_tensor *x = c->in[0];
    int64_t shape[MAX_LIST], dims[MAXR];
    int n;
    if (!tensor_ints(c->in[1], shape, &n) || n > MAXR) return SKIP;
    int64_t allowzero = 0;
    if (attr_int(c->n, "allowzero", &allowzero) < 0) return SKIP;
    int infer = -1;
    int64_t known = 1, total = ox_tensor_numel(x);
    for (int i = 0; i < n; i++) {
        int64_t v = shape[i];
        if (v == 0 && !allowzero) {
            if (i >= x->rank) return SKIP;
            v = x->dims[i];
        }
        if (v == -1) {
            if (infer >= 0) return SKIP;
            infer = i;
            dims[i] = 1;
            continue;
        }
        if (v < 0) return SKIP;
        if (v && known > INT64_MAX / v) return SKIP;
        known *= v;
        dims[i] = v;
    }
    if (infer >= 0) {
        if (known == 0 || total % known) return SKIP;
        dims[infer] = total / known;
    } else if (known != total) {
        return SKIP;
    }
    return alias_out(c, x, n, dims, out);
}

/* Squeeze. torch squeezes the sorted axes one at a time and, without axes,
 * returns the input unchanged; the ONNX meaning is folded instead: the listed
 * axes (or every dim of size 1) go. A listed dim that is not 1 stays, as in
 * torch (ONNX calls that an error). */
static int ev_squeeze(fctx *c, ox_tensor **out)
{
    const ox_tensor *x = c->in[0];
    int r = x->rank, na = 0;
    int64_t axes[MAX_LIST];
    bool have = false;
    if (c->opset >= 13) {
        if (c->nin < 1 || c->nin > 2) return SKIP;
        if (c->nin == 2 && c->in[1]) {
            if (!tensor_ints(c->in[1], axes, &na)) return SKIP;
            have = true;
        }
    } else {
        const int64_t *a;
        if (c->nin != 1) return SKIP;
        int k = attr_ints(c->n, "axes", &a, &na);
        if (k < 0) return SKIP;
        if (k == 1) {
            copy_i64(axes, a, na);
            have = true;
        }
    }
    bool drop[MAXR] = {false};
    if (have) {
        for (int i = 0; i < na; i++) {
            int64_t a = axes[i] < 0 ? axes[i] + r : axes[i];
            if (a < 0 || a >= r) return SKIP;
            drop[a] = x->dims[a] == 1;
        }
    } else {
        for (int d = 0; d < r; d++) drop[d] = x->dims[d] == 1;
    }
    int64_t dims[MAXR];
    int k = 0;
    for (int d = 0; d < r; d++)
        if (!drop[d]) dims[k++] = x->dims[d];
    return alias_out(c, x, k, dims, out);
}

/* Unsqueeze: ONNX's meaning (axes counted in the output rank); torch's
 * one-at-a-time insertion of the sorted axes differs for some lists of
 * negative axes, its folded value is not reproduced there. */
static int ev_unsqueeze(fctx *c, ox_tensor **out)
{
    const ox_tensor *x = c->in[0];
    int r = x->rank, na = 0;
    int64_t axes[MAX_LIST];
    if (c->opset >= 13) {
        if (c->nin != 2 || !tensor_ints(c->in[1], axes, &na)) return SKIP;
    } else {
        const int64_t *a;
        if (c->nin != 1 || attr_ints(c->n, "axes", &a, &na) != 1) return SKIP;
        copy_i64(axes, a, na);
    }
    int outr = r + na;
    if (outr > MAXR) return SKIP;
    bool ins[MAXR] = {false};
    int64_t dims[MAXR];
    for (int i = 0; i < na; i++) {
        int64_t a = axes[i] < 0 ? axes[i] + outr : axes[i];
        if (a < 0 || a >= outr || ins[a]) return SKIP;
        ins[a] = true;
    }
    for (int d = 0, k = 0; d < outr; d++) dims[d] = ins[d] ? 1 : x->dims[k++];
    return alias_out(c, x, outr, dims, out);
}

/* Slice with steps 1, each (start, end, axis) applied in turn like torch's
 * narrow. torch does not fold an empty-or-reversed range (end < start) and
 * fails on a start still below 0 after adding the dim; neither is folded. */
static int ev_slice(fctx *c, ox_tensor **out)
{
    const ox_tensor *x = c->in[0];
    int r = x->rank, n = 0;
    int64_t starts[MAX_LIST], ends[MAX_LIST], axes[MAX_LIST];
    if (c->opset < 10) {
        const int64_t *s, *e, *a;
        int ns, ne, na;
        if (c->nin != 1 || attr_ints(c->n, "starts", &s, &ns) != 1 || attr_ints(c->n, "ends", &e, &ne) != 1 ||
            ns != ne)
            return SKIP;
        n = ns;
        copy_i64(starts, s, n);
        copy_i64(ends, e, n);
        int k = attr_ints(c->n, "axes", &a, &na);
        if (k < 0 || (k == 1 && na != n)) return SKIP;
        for (int i = 0; i < n; i++) axes[i] = k == 1 ? a[i] : i;
    } else {
        int ne, na, nst;
        int64_t steps[MAX_LIST];
        if (c->nin < 3 || c->nin > 5 || !c->in[1] || !c->in[2]) return SKIP;
        if (!tensor_ints(c->in[1], starts, &n) || !tensor_ints(c->in[2], ends, &ne) || ne != n) return SKIP;
        if (c->nin > 3 && c->in[3]) {
            if (!tensor_ints(c->in[3], axes, &na) || na != n) return SKIP;
        } else {
            for (int i = 0; i < n; i++) axes[i] = i; /* (torch would narrow axis 0 each time) */
        }
        if (c->nin > 4 && c->in[4]) {
            if (!tensor_ints(c->in[4], steps, &nst) || nst != n) return SKIP;
            for (int i = 0; i < n; i++)
                if (steps[i] != 1) return SKIP;
        }
    }
    int64_t off[MAXR] = {0}, size[MAXR], st[MAXR];
    copy_i64(size, x->dims, r);
    for (int i = 0; i < n; i++) {
        int64_t axis = axes[i] < 0 ? axes[i] + r : axes[i];
        if (axis < 0 || axis >= r) return SKIP;
        int64_t dim = size[axis], s = starts[i], e = ends[i];
        if (s < 0) s += dim;
        if (e < 0) e += dim;
        if (e > dim) e = dim;
        if (s < 0 || e < s) return SKIP;
        off[axis] += s;
        size[axis] = e - s;
    }
    strides_of(r, x->dims, st);
    int64_t base = 0;
    for (int d = 0; d < r; d++) base += off[d] * st[d];
    int s = alloc_out(c, x->dtype, r, size, out);
    if (s != DONE) return s;
    copy_view((void *)(*out)->data, x, r, size, st, base);
    return DONE;
}

static int ev_concat(fctx *c, ox_tensor **out)
{
    int64_t axis;
    if (c->nin < 1 || attr_int(c->n, "axis", &axis) != 1) return SKIP;
    const ox_tensor *ref = NULL;
    for (int i = 0; i < c->nin; i++) {
        const ox_tensor *t = c->in[i];
        if (t->dtype != c->in[0]->dtype || t->rank == 0) return SKIP;
        bool legacy_empty = t->rank == 1 && t->dims[0] == 0; /* skipped by ATen's cat */
        if (!legacy_empty && !ref) ref = t;
    }
    if (!ref) return alloc_out(c, c->in[0]->dtype, 1, c->in[0]->dims, out);
    int r = ref->rank;
    if (axis < 0) axis += r;
    if (axis < 0 || axis >= r) return SKIP;
    int64_t dims[MAXR];
    copy_i64(dims, ref->dims, r);
    dims[axis] = 0;
    for (int i = 0; i < c->nin; i++) {
        const ox_tensor *t = c->in[i];
        if (t->rank == 1 && t->dims[0] == 0) continue;
        if (t->rank != r) return SKIP;
        for (int d = 0; d < r; d++)
            if (d != axis && t->dims[d] != ref->dims[d]) return SKIP;
        if (t->dims[axis] > INT64_MAX - dims[axis]) return SKIP;
        dims[axis] += t->dims[axis];
    }
    int s = alloc_out(c, ref->dtype, r, dims, out);
    if (s != DONE) return s;
    size_t es = ox_dtype_size(ref->dtype);
    int64_t outer = numel_of((int)axis, dims), inner = numel_of(r - (int)axis - 1, dims + axis + 1);
    unsigned char *d = (unsigned char *)(*out)->data;
    for (int64_t o = 0; o < outer; o++)
        for (int i = 0; i < c->nin; i++) {
            const ox_tensor *t = c->in[i];
            if (t->rank == 1 && t->dims[0] == 0) continue;
            size_t chunk = (size_t)(t->dims[axis] * inner) * es;
            if (!chunk) continue;
            memcpy(d, (const unsigned char *)t->data + (size_t)o * chunk, chunk);
            d += chunk;
        }
    return DONE;
}

static int ev_gather(fctx *c, ox_tensor **out)
{
    if (c->nin != 2) return SKIP;
    const ox_tensor *x = c->in[0], *idx = c->in[1];
    int64_t axis = 0;
    if (attr_int(c->n, "axis", &axis) < 0) return SKIP;
    int r = x->rank;
    if (r == 0 || idx->rank > 1 || (idx->dtype != OX_INT64 && idx->dtype != OX_INT32)) return SKIP;
    if (axis < 0) axis += r;
    if (axis < 0 || axis >= r) return SKIP;
    int64_t k = ox_tensor_numel(idx), dim = x->dims[axis];
    int64_t dims[MAXR];
    int orank = 0;
    for (int d = 0; d < r; d++) {
        if (d != axis) dims[orank++] = x->dims[d];
        else if (idx->rank == 1) dims[orank++] = k;
    }
    for (int64_t j = 0; j < k; j++) {
        int64_t v = ox_tensor_get_i(idx, j);
        if (v < 0) v += dim;
        if (v < 0 || v >= dim) return SKIP;
    }
    int s = alloc_out(c, x->dtype, orank, dims, out);
    if (s != DONE) return s;
    size_t es = ox_dtype_size(x->dtype);
    int64_t outer = numel_of((int)axis, x->dims), inner = numel_of(r - (int)axis - 1, x->dims + axis + 1);
    size_t slab = (size_t)inner * es;
    unsigned char *d = (unsigned char *)(*out)->data;
    const unsigned char *src = x->data;
    if (!slab) return DONE;
    for (int64_t o = 0; o < outer; o++)
        for (int64_t j = 0; j < k; j++) {
            int64_t v = ox_tensor_get_i(idx, j);
            if (v < 0) v += dim;
            memcpy(d, src + (size_t)(o * dim + v) * slab, slab);
            d += slab;
        }
    return DONE;
}

/* Shape; torch ignores start/end (opset 15), the ONNX slice of the shape is folded. */
static int ev_shape(fctx *c, ox_tensor **out)
{
    if (c->nin != 1) return SKIP;
    const ox_tensor *x = c->in[0];
    int64_t r = x->rank, start = 0, end = r;
    if (attr_int(c->n, "start", &start) < 0 || attr_int(c->n, "end", &end) < 0) return SKIP;
    if (start < 0) start += r;
    if (end < 0) end += r;
    start = start < 0 ? 0 : start > r ? r : start;
    end = end < 0 ? 0 : end > r ? r : end;
    int64_t n = end > start ? end - start : 0;
    int s = alloc_out(c, OX_INT64, 1, &n, out);
    if (s != DONE) return s;
    for (int64_t i = 0; i < n; i++) ox_tensor_set_i(*out, i, x->dims[start + i]);
    return DONE;
}

/* ConstantOfShape of a known shape: what torch's shape inference settles
 * (zeros_like, full, new_zeros on static sizes become Constants). */
static int ev_constant_of_shape(fctx *c, ox_tensor **out)
{
    if (c->nin != 1) return SKIP;
    const ox_tensor *shape = c->in[0];
    if (shape->dtype != OX_INT64 || shape->rank != 1 || shape->dims[0] > MAXR) return SKIP;
    int64_t dims[MAXR];
    int r = (int)shape->dims[0];
    for (int i = 0; i < r; i++)
        if ((dims[i] = ox_tensor_get_i(shape, i)) < 0) return SKIP;
    const ox_attr *a = ox_node_attr(c->n, "value");
    const ox_tensor *v = a && a->kind == OX_ATTR_T ? a->v.t : NULL;
    if (v && (!ox_fold_tensor_ok(v) || ox_tensor_numel(v) != 1)) return SKIP;
    ox_dtype dt = v ? v->dtype : OX_FLOAT; /* ONNX's default: float 0 */
    int s = alloc_out(c, dt, r, dims, out);
    if (s != DONE) return s;
    size_t es = ox_dtype_size(dt);
    unsigned char *d = (unsigned char *)(*out)->data;
    int64_t n = ox_tensor_numel(*out);
    for (int64_t i = 0; i < n; i++) {
        if (v) memcpy(d + (size_t)i * es, v->data, es);
        else memset(d + (size_t)i * es, 0, es);
    }
    return DONE;
}

static int ev_size(fctx *c, ox_tensor **out)
{
    if (c->nin != 1) return SKIP;
    int s = alloc_out(c, OX_INT64, 0, NULL, out);
    if (s == DONE) ox_tensor_set_i(*out, 0, ox_tensor_numel(c->in[0]));
    return s;
}

/* ---- Range ---------------------------------------------------------------- */

#define MAX_RANGE ((int64_t)1 << 28)

static int ev_range(fctx *c, ox_tensor **out)
{
    if (c->nin != 3) return SKIP;
    ox_dtype dt = c->in[0]->dtype;
    for (int i = 0; i < 3; i++)
        if (c->in[i]->dtype != dt || ox_tensor_numel(c->in[i]) != 1) return SKIP;
    int64_t n;
    if (dt == OX_FLOAT || dt == OX_DOUBLE) {
        double s = ox_tensor_get_f(c->in[0], 0), e = ox_tensor_get_f(c->in[1], 0), st = ox_tensor_get_f(c->in[2], 0);
        if (!isfinite(s) || !isfinite(e) || !isfinite(st) || st == 0) return SKIP;
        if (!((st > 0 && e >= s) || (st < 0 && e <= s))) return SKIP; /* ATen rejects these */
        double size = ceil((e - s) / st);
        if (!(size >= 0 && size <= (double)MAX_RANGE)) return SKIP;
        n = (int64_t)size;
        int r = alloc_out(c, dt, 1, &n, out);
        if (r != DONE) return r;
        for (int64_t i = 0; i < n; i++) ox_tensor_set_f(*out, i, s + st * (double)i);
        return DONE;
    }
    if (dt != OX_INT16 && dt != OX_INT32 && dt != OX_INT64) return SKIP;
    int64_t s = ox_tensor_get_i(c->in[0], 0), e = ox_tensor_get_i(c->in[1], 0), st = ox_tensor_get_i(c->in[2], 0);
    if (st == 0 || !((st > 0 && e >= s) || (st < 0 && e <= s))) return SKIP;
    int64_t diff;
    if (__builtin_sub_overflow(e, s, &diff) || diff == INT64_MIN) return SKIP;
    /* diff and st have the same sign (or diff is 0): ceil(diff / st) */
    n = diff / st + (diff % st != 0);
    if (n > MAX_RANGE) return SKIP;
    int r = alloc_out(c, dt, 1, &n, out);
    if (r != DONE) return r;
    for (int64_t i = 0; i < n; i++) ox_tensor_set_i(*out, i, s + st * i);
    return DONE;
}

/* ---- reductions ----------------------------------------------------------- */

enum { R_L1, R_L2, R_PROD };

static int eval_reduce(fctx *c, int kind, ox_tensor **out)
{
    if (c->nin != 1) return SKIP;
    const ox_tensor *x = c->in[0];
    int r = x->rank, na = 0;
    const int64_t *axes = NULL;
    int64_t keepdims = 1;
    int ka = attr_ints(c->n, "axes", &axes, &na), kk = attr_int(c->n, "keepdims", &keepdims);
    if (ka < 0 || kk < 0) return SKIP;
    if (kind == R_PROD) {
        if (!real_dtype(x->dtype) || x->dtype == OX_BOOL) return SKIP;
    } else {
        if (ka != 1 || kk != 1 || !is_floating(x->dtype)) return SKIP; /* torch needs both attributes */
    }
    /* an empty axes list reduces everything (ONNX; torch's ReduceProd would reduce nothing) */
    bool red[MAXR] = {false};
    if (ka == 1 && na > 0) {
        for (int i = 0; i < na; i++) {
            int64_t a = axes[i] < 0 ? axes[i] + r : axes[i];
            if (a < 0 || a >= r || red[a]) return SKIP;
            red[a] = true;
        }
    } else {
        for (int d = 0; d < r; d++) red[d] = true;
    }
    int64_t odims[MAXR], ost[MAXR], kept[MAXR];
    int orank = 0, nk = 0;
    for (int d = 0; d < r; d++) {
        if (!red[d]) kept[nk++] = x->dims[d];
        if (!red[d] || keepdims) odims[orank++] = red[d] ? 1 : x->dims[d];
    }
    /* strides of the output over the input's coordinates (0 along reduced dims) */
    int64_t kst[MAXR];
    strides_of(nk, kept, kst);
    for (int d = 0, k = 0; d < r; d++) ost[d] = red[d] ? 0 : kst[k++];
    int s = alloc_out(c, x->dtype, orank, odims, out);
    if (s != DONE) return s;
    int64_t on = numel_of(orank, odims), n = ox_tensor_numel(x);
    bool ints = !is_floating(x->dtype);
    double *acc = malloc((size_t)(on ? on : 1) * sizeof(double));
    int64_t *iacc = ints ? malloc((size_t)(on ? on : 1) * sizeof(int64_t)) : NULL;
    if (!acc || (ints && !iacc)) {
        free(acc);
        free(iacc);
        return NOMEM;
    }
    for (int64_t i = 0; i < on; i++) {
        acc[i] = kind == R_PROD ? 1.0 : 0.0;
        if (iacc) iacc[i] = 1;
    }
    int64_t coord[MAXR] = {0}, o = 0;
    for (int64_t i = 0; i < n; i++) {
        if (ints) {
            iacc[o] = (int64_t)((uint64_t)iacc[o] * (uint64_t)ox_tensor_get_i(x, i));
        } else {
            double v = ox_tensor_get_f(x, i);
            if (kind == R_L1) acc[o] += fabs(v);
            else if (kind == R_L2) acc[o] += v * v;
            else acc[o] *= v;
        }
        for (int d = r - 1; d >= 0; d--) {
            o += ost[d];
            if (++coord[d] < x->dims[d]) break;
            o -= ost[d] * x->dims[d];
            coord[d] = 0;
        }
    }
    for (int64_t i = 0; i < on; i++) {
        if (ints) ox_tensor_set_i(*out, i, iacc[i]);
        else ox_tensor_set_f(*out, i, kind == R_L2 ? sqrt(acc[i]) : acc[i]);
    }
    free(acc);
    free(iacc);
    return DONE;
}

static int ev_reduce_l1(fctx *c, ox_tensor **o) { return eval_reduce(c, R_L1, o); }
static int ev_reduce_l2(fctx *c, ox_tensor **o) { return eval_reduce(c, R_L2, o); }
static int ev_reduce_prod(fctx *c, ox_tensor **o) { return eval_reduce(c, R_PROD, o); }

/* ---- Softmax -------------------------------------------------------------- */

/* Softmax: from opset 13 along `axis` (default -1); before, ONNX normalizes
 * over all dims from `axis` (default 1) on, which is what is folded (torch
 * folds along the one axis, which agrees for the axes its symbolics emit). */
static int ev_softmax(fctx *c, ox_tensor **out)
{
    if (c->nin != 1) return SKIP;
    const ox_tensor *x = c->in[0];
    int r = x->rank;
    if (!is_floating(x->dtype) || r == 0) return SKIP;
    int64_t axis = c->opset >= 13 ? -1 : 1;
    if (attr_int(c->n, "axis", &axis) < 0) return SKIP;
    if (axis < 0) axis += r;
    if (axis < 0 || axis >= r) return SKIP;
    int64_t outer = numel_of((int)axis, x->dims), len, inner;
    if (c->opset >= 13) {
        len = x->dims[axis];
        inner = numel_of(r - (int)axis - 1, x->dims + axis + 1);
    } else {
        len = numel_of(r - (int)axis, x->dims + axis);
        inner = 1;
    }
    int s = alloc_out(c, x->dtype, r, x->dims, out);
    if (s != DONE) return s;
    for (int64_t o = 0; o < outer; o++)
        for (int64_t in = 0; in < inner; in++) {
            int64_t base = o * len * inner + in;
            double mx = -INFINITY, sum = 0;
            for (int64_t j = 0; j < len; j++) {
                double v = ox_tensor_get_f(x, base + j * inner);
                if (v > mx || v != v) mx = v;
            }
            for (int64_t j = 0; j < len; j++) sum += exp(ox_tensor_get_f(x, base + j * inner) - mx);
            for (int64_t j = 0; j < len; j++)
                ox_tensor_set_f(*out, base + j * inner, exp(ox_tensor_get_f(x, base + j * inner) - mx) / sum);
        }
    return DONE;
}

/* ---- dispatch ------------------------------------------------------------- */

typedef int (*eval_fn)(fctx *c, ox_tensor **out);

static const struct {
    const char *name;
    eval_fn fn;
} evaluators[] = {
    {"Slice", ev_slice},          {"Concat", ev_concat},
    {"Sqrt", ev_sqrt},            {"Div", ev_div},
    {"Mul", ev_mul},              {"Sub", ev_sub},
    {"Add", ev_add},              {"Unsqueeze", ev_unsqueeze},
    {"Squeeze", ev_squeeze},      {"Transpose", ev_transpose},
    {"Cast", ev_cast},            {"Reshape", ev_reshape},
    {"Shape", ev_shape},          {"ReduceL1", ev_reduce_l1},
    {"ReduceL2", ev_reduce_l2},   {"ReduceProd", ev_reduce_prod},
    {"Gather", ev_gather},        {"Range", ev_range},
    {"Where", ev_where},          {"Equal", ev_equal},
    {"Greater", ev_greater},      {"Less", ev_less},
    {"Neg", ev_neg},              {"Not", ev_not},
    {"Size", ev_size},            {"Softmax", ev_softmax},
    {"ConstantOfShape", ev_constant_of_shape},
};

/* Optional inputs that may be None: Slice's axes and steps (opset >= 10),
 * Squeeze's axes (opset >= 13). */
static bool none_allowed(const char *op, int i, int opset)
{
    if (!strcmp(op, "Slice")) return opset >= 10 && i >= 3;
    if (!strcmp(op, "Squeeze")) return opset >= 13 && i == 1;
    return false;
}

bool ox_fold_tensor_ok(const ox_tensor *t)
{
    size_t es = ox_dtype_size(t->dtype);
    if (!es || t->rank < 0 || t->rank > MAXR || (t->rank > 0 && !t->dims)) return false;
    uint64_t n = 1;
    for (int i = 0; i < t->rank; i++) {
        if (t->dims[i] < 0) return false;
        if (t->dims[i] && n > UINT64_MAX / (uint64_t)t->dims[i]) return false;
        n *= (uint64_t)t->dims[i];
    }
    if (n > SIZE_MAX / es || n * es != t->nbytes) return false;
    return n == 0 || t->data != NULL;
}

ox_status ox_fold_eval(ox_graph *g, const ox_node *n, const ox_tensor *const *in, int opset, ox_tensor **out)
{
    *out = NULL;
    if (strncmp(n->kind, "onnx::", 6) != 0 || n->ninputs < 1) return OX_OK;
    const char *op = n->kind + 6;
    eval_fn fn = NULL;
    for (size_t i = 0; i < sizeof evaluators / sizeof evaluators[0]; i++)
        if (!strcmp(evaluators[i].name, op)) {
            fn = evaluators[i].fn;
            break;
        }
    if (!fn) return OX_OK;
    /* data inputs must be present; a None optional input counts as omitted */
    int nin = n->ninputs;
    for (int i = 0; i < nin; i++) {
        if (!in[i] && !none_allowed(op, i, opset)) return OX_OK;
        if (in[i] && !ox_fold_tensor_ok(in[i])) return OX_OK;
    }
    fctx c = {g, n, in, nin, opset};
    int r = fn(&c, out);
    if (r == NOMEM) {
        *out = NULL;
        return OX_NOMEM(g->ctx);
    }
    if (r != DONE) *out = NULL;
    return OX_OK;
}
