/* Interpolation: upsample_nearest{1,2,3}d, upsample_linear1d,
 * upsample_bilinear2d, upsample_trilinear3d, upsample_bicubic2d and
 * aten::__interpolate (the node function substitution leaves for a scripted
 * F.interpolate), in torch 1.13's per-opset forms:
 *
 *   opset 8   Upsample(x) with a `scales` attribute computed at export time
 *             (needs a constant output_size and static input sizes)
 *   opset 9   Upsample(x, scales)
 *   opset 10  Resize(x, scales)
 *   opset 11  Resize(x, roi, scales[, sizes]) with coordinate_transformation_mode
 *             (asymmetric for nearest, align_corners / half_pixel from
 *             align_corners), cubic_coeff_a -0.75, nearest_mode floor; the
 *             omitted roi/scales are empty float constants before opset 13
 *             and omitted inputs from 13.
 *
 * The upsample ops take (input, output_size, [align_corners,] scales...):
 * the traced `.vec` overloads carry either an output_size (F.interpolate with
 * `size`, or with `recompute_scale_factor=True`, whose sizes the tracer
 * computed) or a float list of scale factors (F.interpolate / nn.Upsample
 * with `scale_factor`). Before opset 11, align_corners=True is refused, as
 * in torch (ONNX had no matching coordinate transformation).
 *
 * Results are typed as ONNX shape inference types them for torch (the input's
 * dtype; floor(size * scale) or the given sizes), which matters where the
 * traced type says nothing (scripted F.interpolate). */
#include <math.h>
#include <string.h>

#include "symbolic/families.h"
#include "symbolic/helpers.h"

#define ISSUES_URL "https://github.com/pytorch/pytorch/issues"
#define MAX_DIMS 64

/* ---- small builders ------------------------------------------------------ */

/* Concat(axis=0) of n values. */
static ox_value *concat0(ox_sym *g, ox_value *const *in, int n) { return ox_with_i(ox_opn(g, "Concat", n, in), "axis", 0); }

/* A 1-D float32 constant (torch.tensor of Python floats). */
static ox_value *floats_const(ox_sym *g, const double *v, int n)
{
    int64_t len = n;
    ox_tensor *t = ox_tensor_alloc(g->graph->arena, OX_FLOAT, 1, &len);
    if (!t) {
        OX_NOMEM(g->ctx);
        return NULL;
    }
    for (int i = 0; i < n; i++) ox_tensor_set_f(t, i, v[i]);
    return ox_const_tensor(g, t);
}

/* torch.ones(2, dtype=float32): the scales of the batch and channel dims. */
static ox_value *ones2(ox_sym *g)
{
    const double one[2] = {1.0, 1.0};
    return floats_const(g, one, 2);
}

/* Cast whose result is typed (a later type-driven pass may look). */
static ox_value *cast_to(ox_sym *g, ox_value *x, ox_dtype to)
{
    ox_value *y = ox_cast(g, x, to);
    if (y && !ox_type_is_tensor(y->type)) {
        ox_type *t = ox_type_tensor(g->graph->arena, to, -1, NULL);
        if (t) y->type = t;
    }
    return y;
}

/* The omitted roi / scales inputs of Resize-11+: empty float32 constants
 * before opset 13, omitted inputs from 13. */
static ox_value *empty_input(ox_sym *g)
{
    if (g->opset >= 13) return ox_none(g);
    return floats_const(g, NULL, 0);
}

/* ---- result types ------------------------------------------------------------ */

static bool cast_to_int(ox_node *n)
{
    ox_attr *a = ox_node_attr(n, "to");
    return a && a->kind == OX_ATTR_I && ox_dtype_is_integral((ox_dtype)a->v.i);
}

#define KNOWN_DEPTH 16 /* how far known_values looks back (bounded against deep input graphs) */

static bool numeric(const ox_tensor *t)
{
    return t && t->data && (ox_dtype_is_floating(t->dtype) || ox_dtype_is_integral(t->dtype) || t->dtype == OX_BOOL);
}

/* The values of a small vector the code below built, when known now:
 * constants, Concat, Cast, Unsqueeze, Div, Shape of the input (its static
 * dims, NAN where unknown), Slice of a known vector, and a ListConstruct of
 * constants. The count, or -1. */
static int known_values_at(ox_value *v, double *out, int cap, int depth)
{
    ox_node *n = v->node;
    if (depth > KNOWN_DEPTH) return -1;
    if (ox_node_is(n, "onnx::Constant") || ox_node_is(n, "prim::Constant")) {
        const ox_tensor *t = ox_value_const_tensor(v);
        if (!numeric(t) || ox_tensor_numel(t) > cap) return -1;
        int cnt = (int)ox_tensor_numel(t);
        for (int i = 0; i < cnt; i++) out[i] = ox_tensor_get_f(t, i);
        return cnt;
    }
    if (ox_node_is(n, "prim::ListConstruct")) {
        if (n->ninputs > cap) return -1;
        for (int i = 0; i < n->ninputs; i++)
            if (!ox_value_const_float(n->inputs[i], &out[i])) return -1;
        return n->ninputs;
    }
    if (ox_node_is(n, "onnx::Shape") && n->ninputs == 1) {
        int r = ox_rank(n->inputs[0]);
        if (r < 0 || r > cap) return -1;
        for (int i = 0; i < r; i++) {
            int64_t d = n->inputs[0]->type->dims[i];
            out[i] = d >= 0 ? (double)d : NAN;
        }
        return r;
    }
    if (ox_node_is(n, "onnx::Concat")) {
        int total = 0;
        for (int i = 0; i < n->ninputs; i++) {
            int c = known_values_at(n->inputs[i], out + total, cap - total, depth + 1);
            if (c < 0) return -1;
            total += c;
        }
        return total;
    }
    if ((ox_node_is(n, "onnx::Cast") || ox_node_is(n, "onnx::Unsqueeze")) && n->ninputs >= 1) {
        int c = known_values_at(n->inputs[0], out, cap, depth + 1);
        if (c > 0 && ox_node_is(n, "onnx::Cast") && cast_to_int(n))
            for (int i = 0; i < c; i++) out[i] = trunc(out[i]);
        return c;
    }
    if (ox_node_is(n, "onnx::Div") && n->ninputs == 2) {
        double b[MAX_DIMS];
        int ca = known_values_at(n->inputs[0], out, cap, depth + 1);
        int cb = known_values_at(n->inputs[1], b, MAX_DIMS, depth + 1);
        if (ca < 0 || ca != cb) return -1;
        for (int i = 0; i < ca; i++) out[i] = out[i] / b[i];
        return ca;
    }
    if (ox_node_is(n, "onnx::Slice") && n->ninputs >= 1) {
        double all[MAX_DIMS];
        int c = known_values_at(n->inputs[0], all, MAX_DIMS, depth + 1);
        if (c < 0) return -1;
        double st, en;
        if (n->ninputs >= 3) {
            double sv[1], ev[1];
            if (known_values_at(n->inputs[1], sv, 1, depth + 1) != 1 || known_values_at(n->inputs[2], ev, 1, depth + 1) != 1)
                return -1;
            st = sv[0];
            en = ev[0];
        } else {
            ox_attr *sa = ox_node_attr(n, "starts"), *ea = ox_node_attr(n, "ends");
            if (!sa || !ea || sa->kind != OX_ATTR_IS || ea->kind != OX_ATTR_IS || sa->n != 1 || ea->n != 1) return -1;
            st = (double)sa->v.is[0];
            en = (double)ea->v.is[0];
        }
        if (isnan(st) || isnan(en)) return -1;
        if (st < 0) st += c;
        if (en < 0) en += c;
        st = st < 0 ? 0 : st > c ? c : st;
        en = en < 0 ? 0 : en > c ? c : en;
        int cnt = 0;
        for (int i = (int)st; i < (int)en && cnt < cap; i++) out[cnt++] = all[i];
        return cnt;
    }
    return -1;
}

static int known_values(ox_value *v, double *out, int cap) { return known_values_at(v, out, cap, 0); }

/* The type torch's ONNX shape inference gives an Upsample/Resize result: the
 * input's dtype and rank; dims floor(d * scale) (in float, as ONNX) from
 * known scales, or the known sizes. Traced types still win in the converter. */
static ox_value *typed(ox_sym *g, ox_value *y, ox_value *input)
{
    if (!y) return NULL;
    ox_node *n = y->node;
    int r = ox_rank(input);
    ox_dtype dt = ox_elem_type(input);
    if (r < 0 || r > MAX_DIMS) {
        ox_type *t = ox_type_tensor(g->graph->arena, dt, -1, NULL);
        if (t) y->type = t;
        return y;
    }
    double v[MAX_DIMS];
    int c = -1;
    bool sizes = false;
    ox_attr *a = ox_node_attr(n, "scales");
    if (a && a->kind == OX_ATTR_FS && a->n <= MAX_DIMS) {
        for (int i = 0; i < a->n; i++) v[i] = a->v.fs[i];
        c = a->n;
    } else if (ox_node_is(n, "onnx::Resize") && n->ninputs == 4) {
        c = known_values(n->inputs[3], v, MAX_DIMS);
        sizes = true;
    } else if (n->ninputs >= 2) {
        c = known_values(n->inputs[n->ninputs == 2 ? 1 : 2], v, MAX_DIMS);
    }
    int64_t dims[MAX_DIMS];
    for (int i = 0; i < r; i++) {
        int64_t d = input->type->dims[i];
        double e = c != r ? NAN : sizes ? v[i] : d >= 0 ? (double)floorf((float)d * (float)v[i]) : NAN;
        dims[i] = e >= 0 && e < 9e15 ? (int64_t)e : OX_DIM_UNKNOWN; /* NAN fails both */
    }
    ox_type *t = ox_type_tensor(g->graph->arena, dt, r, dims);
    if (t) y->type = t;
    return y;
}

/* ---- errors, torch's wording ---------------------------------------------- */

/* torch's _unimplemented(op, msg[, value]): an error under the ONNX export
 * type (naming input `i`, or none when i < 0), otherwise the node is kept. */
static ox_status unimplemented(ox_sym *g, int i, const char *op, const char *msg)
{
    if (g->export_type != ONNXIFY_OPERATOR_EXPORT_ONNX) return ox_keep_node(g);
    if (i < 0)
        return ox_fail(g->ctx, ONNXIFY_ERR_EXPORTER,
                       "Unsupported: ONNX export of operator %s, %s. Please feel free to request support or "
                       "submit a pull request on PyTorch GitHub: " ISSUES_URL,
                       op, msg);
    return ox_sym_error(g, i,
                        "Unsupported: ONNX export of operator %s, %s. Please feel free to request support or "
                        "submit a pull request on PyTorch GitHub: " ISSUES_URL,
                        op, msg);
}

/* torch's _interpolate_warning (Python shows it once per export). */
static void interpolate_warning(ox_sym *g)
{
    ox_warn(g->ctx,
            "You are trying to export the model with %s for ONNX opset version %d. This operator might cause "
            "results to not match the expected results by PyTorch.\nONNX's Upsample/Resize operator did not "
            "match Pytorch's Interpolation until opset 11. Attributes to determine how to transform the input "
            "were added in onnx:Resize in opset 11 to support Pytorch's behavior (like "
            "coordinate_transformation_mode and nearest_mode).\nWe recommend using opset 11 and above for "
            "models using this operator.",
            g->opset >= 10 ? "onnx:Resize" : "onnx:Upsample", g->opset);
}

/* ---- reading arguments ------------------------------------------------------ */

typedef struct kind {
    const char *name; /* "upsample_bilinear2d" */
    const char *mode; /* ONNX mode: nearest, linear, cubic */
    int dim;          /* rank of the input the op is for */
} kind;

static ox_status kind_of(ox_sym *g, kind *k)
{
    static const kind kinds[] = {
        {"upsample_nearest1d", "nearest", 3}, {"upsample_nearest2d", "nearest", 4},
        {"upsample_nearest3d", "nearest", 5}, {"upsample_linear1d", "linear", 3},
        {"upsample_bilinear2d", "linear", 4}, {"upsample_trilinear3d", "linear", 5},
        {"upsample_bicubic2d", "cubic", 4},
    };
    const char *name = ox_kind_name(g->op);
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(kinds[i].name, name) == 0) {
            *k = kinds[i];
            return g->nin >= 2 ? OX_OK : ox_sym_error(g, -1, "%s expects at least 2 inputs, got %d", g->op, g->nin);
        }
    return ox_fail(g->ctx, ONNXIFY_ERR_INTERNAL, "resize: no interpolation kind for %s", g->op);
}

static bool is_nearest(const kind *k) { return strcmp(k->mode, "nearest") == 0; }

static bool is_onnx_const(ox_value *v) { return ox_node_is(v->node, "onnx::Constant"); }

/* `if align_corners:` on torch's _maybe_get_scalar(align_corners): a
 * constant is its value; anything else (a Value object) is truthy. */
static bool align_corners_truthy(ox_sym *g, int i)
{
    if (i >= g->nin) return false;
    int64_t v;
    if (ox_value_is_constant(g->in[i]) && ox_value_const_int(g->in[i], &v)) return v != 0;
    return true;
}

/* torch's _maybe_get_const(v, "is") giving a list: an int list known now. */
static bool const_ints(ox_sym *g, ox_value *v, int64_t **out, int *n)
{
    if (!ox_value_is_constant(v) || ox_value_is_none(v)) return false;
    return ox_value_const_ints(g->graph, v, out, n);
}

/* torch's _get_interpolate_attributes / _interpolate_get_scales_if_available:
 * when the scales argument `i` is given, Concat(ones(2), scales) (float32),
 * else *out = NULL. */
static ox_status available_scales(ox_sym *g, const kind *k, int i, ox_value **out)
{
    *out = NULL;
    if (i >= g->nin || ox_arg_is_none(g, i)) return OX_OK;
    ox_value *s = g->in[i];
    const ox_tensor *t = is_onnx_const(s) ? ox_value_const_tensor(s) : NULL;
    if (!numeric(t) || t->rank != 1)
        return unimplemented(g, i, k->name, "scales that are not a constant list of floats");
    int n = (int)ox_tensor_numel(t);
    if (n > MAX_DIMS) return unimplemented(g, i, k->name, "more scales than dimensions");
    double v[MAX_DIMS];
    for (int j = 0; j < n; j++) v[j] = ox_tensor_get_f(t, j);
    ox_value *in[2];
    in[0] = ones2(g);
    in[1] = in[0] ? floats_const(g, v, n) : NULL;
    *out = concat0(g, in, 2);
    return *out ? OX_OK : ox_set_out(g, 0, NULL);
}

/* torch's _interpolate_size_to_scales: the scales that turn the input's
 * sizes into output_size. A constant output_size gives a constant (from the
 * static input sizes); a dynamic one Concat(ones(2), Cast(output_size) /
 * Cast(Shape(input)[2:])). */
static ox_status size_to_scales(ox_sym *g, const char *name, ox_value *input, ox_value *output_size, int dim,
                                ox_value **out)
{
    *out = NULL;
    if (ox_value_is_none(output_size))
        return unimplemented(g, -1, name, "neither output_size nor scales given");
    int64_t *sizes;
    int n;
    if (const_ints(g, output_size, &sizes, &n)) {
        if (dim < 2 || dim > MAX_DIMS) return unimplemented(g, 0, name, "input rank not supported");
        double scales[MAX_DIMS];
        for (int i = 0; i < dim; i++) {
            if (i < 2) {
                scales[i] = 1.0;
                continue;
            }
            int from_end = dim - i;
            int64_t in_size = ox_static_dim(input, -from_end);
            if (ox_rank(input) < from_end || in_size < 0)
                return unimplemented(g, 0, name, "input size not accessible");
            if (in_size == 0) return unimplemented(g, 0, name, "input of size 0");
            if (n < from_end) return unimplemented(g, 1, name, "output_size shorter than the spatial dimensions");
            scales[i] = (double)sizes[n - from_end] / (double)in_size;
        }
        *out = floats_const(g, scales, dim);
        return *out ? OX_OK : ox_set_out(g, 0, NULL);
    }
    ox_value *offsets = ones2(g);
    ox_value *dividend = offsets ? cast_to(g, output_size, OX_FLOAT) : NULL;
    const int64_t axes[1] = {0}, starts[1] = {2}, ends[1] = {INT64_MAX};
    ox_value *shape = dividend ? ox_op_1(g, "Shape", input) : NULL;
    ox_value *divisor = cast_to(g, ox_slice(g, shape, axes, starts, ends, NULL, 1), OX_FLOAT);
    ox_value *in[2] = {offsets, ox_op_2(g, "Div", dividend, divisor)};
    *out = concat0(g, in, 2);
    return *out ? OX_OK : ox_set_out(g, 0, NULL);
}

/* ---- upsample_* ---------------------------------------------------------------- */

/* Opset 8: Upsample with a constant `scales` attribute. */
static ox_status upsample8(ox_sym *g)
{
    kind k;
    OX_TRY(kind_of(g, &k));
    bool nearest = is_nearest(&k);
    ox_value *scales;
    OX_TRY(available_scales(g, &k, nearest ? 2 : 3, &scales));
    if (g->clone) return OX_OK;
    interpolate_warning(g);
    if (!nearest && align_corners_truthy(g, 2)) return unimplemented(g, 0, k.name, "align_corners == True");
    int64_t *sizes;
    int n;
    if (!const_ints(g, g->in[1], &sizes, &n))
        return unimplemented(g, -1, k.name, "torch._C.Value (output_size) indexing");
    if (scales) return unimplemented(g, -1, k.name, "both output_size and scales given in opset 8");
    double f[MAX_DIMS];
    ox_value *input = g->in[0];
    for (int i = 0; i < k.dim; i++) {
        if (i < 2) {
            f[i] = 1.0;
            continue;
        }
        int from_end = k.dim - i;
        int64_t in_size = ox_static_dim(input, -from_end);
        if (ox_rank(input) < from_end || in_size < 0)
            return unimplemented(g, 0, k.name, "input size not accessible");
        if (in_size == 0) return unimplemented(g, 0, k.name, "input of size 0");
        if (n < from_end) return unimplemented(g, 1, k.name, "output_size shorter than the spatial dimensions");
        f[i] = (double)sizes[n - from_end] / (double)in_size;
    }
    ox_value *y = ox_with_s(ox_op_1(g, "Upsample", input), "mode", k.mode);
    if (y && ox_node_set_fs(y->node, "scales", f, k.dim) != OX_OK) y = NULL;
    return ox_set_out(g, 0, typed(g, y, input));
}

/* Opsets 9 and 10: `op`(input, scales) with the mode attribute. */
static ox_status upsample_9_10(ox_sym *g, const char *op)
{
    kind k;
    OX_TRY(kind_of(g, &k));
    bool nearest = is_nearest(&k);
    ox_value *scales;
    OX_TRY(available_scales(g, &k, nearest ? 2 : 3, &scales));
    if (g->clone) return OX_OK;
    interpolate_warning(g);
    if (!nearest && align_corners_truthy(g, 2)) return unimplemented(g, 0, k.name, "align_corners == True");
    if (!scales) {
        OX_TRY(size_to_scales(g, k.name, g->in[0], g->in[1], k.dim, &scales));
        if (g->clone) return OX_OK;
    }
    return ox_set_out(g, 0, typed(g, ox_with_s(ox_op_2(g, op, g->in[0], scales), "mode", k.mode), g->in[0]));
}

static ox_status upsample9(ox_sym *g) { return upsample_9_10(g, "Upsample"); }
static ox_status upsample10(ox_sym *g) { return upsample_9_10(g, "Resize"); }

/* Resize-11+ with torch's attributes (name order). */
static ox_value *resize11(ox_sym *g, ox_value *const *in, int nin, const char *ctm, const char *mode)
{
    ox_value *y = ox_with_s(ox_opn(g, "Resize", nin, in), "coordinate_transformation_mode", ctm);
    if (y && ox_node_set_f(y->node, "cubic_coeff_a", -0.75) != OX_OK) return NULL;
    return ox_with_s(ox_with_s(y, "mode", mode), "nearest_mode", "floor");
}

/* Resize to Concat(Shape(input)[0:2], Cast(size, int64)). */
static ox_value *resize_to_size(ox_sym *g, ox_value *input, ox_value *size, const char *ctm, const char *mode)
{
    const int64_t axes[1] = {0}, starts[1] = {0}, ends[1] = {2};
    ox_value *beg = ox_slice(g, ox_op_1(g, "Shape", input), axes, starts, ends, NULL, 1);
    ox_value *in[2] = {beg, beg ? cast_to(g, size, OX_INT64) : NULL};
    ox_value *sizes = concat0(g, in, 2);
    ox_value *roi = sizes ? empty_input(g) : NULL;
    ox_value *empty_scales = roi ? empty_input(g) : NULL;
    ox_value *rin[4] = {input, roi, empty_scales, sizes};
    return resize11(g, rin, 4, ctm, mode);
}

/* Opset 11+: torch's _interpolate_helper. */
static ox_status upsample11(ox_sym *g)
{
    kind k;
    OX_TRY(kind_of(g, &k));
    bool nearest = is_nearest(&k);
    ox_value *scales;
    OX_TRY(available_scales(g, &k, nearest ? 2 : 3, &scales));
    if (g->clone) return OX_OK;
    const char *ctm = nearest ? "asymmetric" : align_corners_truthy(g, 2) ? "align_corners" : "half_pixel";
    ox_value *input = g->in[0];
    if (!scales) {
        if (ox_value_is_none(g->in[1]))
            return unimplemented(g, -1, k.name, "neither output_size nor scales given");
        return ox_set_out(g, 0, typed(g, resize_to_size(g, input, g->in[1], ctm, k.mode), input));
    }
    ox_value *in[3] = {input, empty_input(g), scales};
    return ox_set_out(g, 0, typed(g, resize11(g, in, 3, ctm, k.mode), input));
}

/* ---- aten::__interpolate(input, size, scale_factor, mode, align_corners,
 *      recompute_scale_factor[, antialias]) ------------------------------------------ */

#define I_INPUT 0
#define I_SIZE 1
#define I_SCALE 2
#define I_MODE 3
#define I_ALIGN 4

/* The ONNX mode of torch's mode string ("bilinear" -> "linear", "bicubic" ->
 * "cubic"; others as they are). */
static ox_status interpolate_mode(ox_sym *g, const char **mode)
{
    if (g->nin <= I_ALIGN) return ox_sym_error(g, -1, "%s expects at least 5 inputs, got %d", g->op, g->nin);
    ox_value *v = g->in[I_MODE];
    ox_attr *a = ox_node_is(v->node, "prim::Constant") || is_onnx_const(v) ? ox_node_attr(v->node, "value") : NULL;
    if (!a || a->kind != OX_ATTR_S) return unimplemented(g, I_MODE, "interpolate", "non-constant mode");
    const char *m = a->v.s;
    *mode = strstr(m, "linear") ? "linear" : strstr(m, "cubic") ? "cubic" : m;
    return OX_OK;
}

/* align_corners as torch's _maybe_get_const(align_corners, "b"): true only
 * for a constant true. */
static bool align_corners_const_true(ox_sym *g)
{
    int64_t v;
    ox_value *a = g->in[I_ALIGN];
    return ox_value_is_constant(a) && !ox_value_is_none(a) && ox_value_const_int(a, &v) && v != 0;
}

/* torch's _interpolate_get_scales: Concat(ones(2), scale_factor) for a list,
 * Concat(ones(2), s, s, ...) for a scalar (one per spatial dim). */
static ox_value *scales_of_factor(ox_sym *g, ox_value *factor, int dim)
{
    ox_value *offsets = ones2(g);
    if (!offsets) return NULL;
    bool list = (factor->type && factor->type->kind == OX_TYPE_LIST) || ox_rank(factor) > 0;
    if (list) {
        ox_value *in[2] = {offsets, factor};
        return concat0(g, in, 2);
    }
    const int64_t zero[1] = {0};
    ox_value *s = cast_to(g, ox_unsqueeze(g, factor, zero, 1), OX_FLOAT);
    ox_value *in[MAX_DIMS + 1];
    in[0] = offsets;
    for (int i = 0; i < dim - 2; i++) in[1 + i] = s;
    return concat0(g, in, dim - 1);
}

/* torch's _is_packed_list: a prim::ListConstruct. */
static bool is_packed_list(ox_value *v) { return ox_node_is(v->node, "prim::ListConstruct"); }

/* A size that is one number (0-d): a constant's tensor, else the value's type. */
static bool is_scalar_size(ox_value *v)
{
    if (ox_value_is_constant(v)) {
        const ox_tensor *t = ox_value_const_tensor(v);
        return t && t->rank == 0;
    }
    return ox_rank(v) == 0;
}

/* A scalar size is repeated for every spatial dim: Concat(Unsqueeze(size), ...). */
static ox_value *repeat_size(ox_sym *g, ox_value *size, int n)
{
    const int64_t zero[1] = {0};
    ox_value *s = ox_unsqueeze(g, size, zero, 1);
    ox_value *in[MAX_DIMS];
    for (int i = 0; i < n; i++) in[i] = s;
    return concat0(g, in, n);
}

/* Opsets 9 and 10: torch's _interpolate_get_scales_and_mode, then `op`. */
static ox_status interpolate_9_10(ox_sym *g, const char *op)
{
    const char *mode;
    OX_TRY(interpolate_mode(g, &mode));
    interpolate_warning(g);
    if (align_corners_const_true(g)) return unimplemented(g, -1, "interpolate", "align_corners == True");
    ox_value *input = g->in[I_INPUT];
    int dim = ox_rank(input);
    if (dim <= 0) return unimplemented(g, -1, "interpolate", "missing input shape");
    if (dim < 2 || dim > MAX_DIMS) return unimplemented(g, -1, "interpolate", "input rank not supported");
    ox_value *scales;
    if (!ox_arg_is_none(g, I_SCALE)) {
        scales = scales_of_factor(g, g->in[I_SCALE], dim);
    } else if (!ox_arg_is_none(g, I_SIZE)) {
        ox_value *size = g->in[I_SIZE];
        if (!is_packed_list(size) && is_scalar_size(size)) {
            if (dim < 3) return unimplemented(g, -1, "interpolate", "input rank not supported");
            size = repeat_size(g, size, dim - 2);
        }
        if (!size) return ox_set_out(g, 0, NULL);
        OX_TRY(size_to_scales(g, "interpolate", input, size, dim, &scales));
        if (g->clone) return OX_OK;
    } else {
        return unimplemented(g, -1, "interpolate", "Both size and scales are None in __interpolate");
    }
    return ox_set_out(g, 0, typed(g, ox_with_s(ox_op_2(g, op, input, scales), "mode", mode), input));
}

static ox_status interpolate9(ox_sym *g) { return interpolate_9_10(g, "Upsample"); }
static ox_status interpolate10(ox_sym *g) { return interpolate_9_10(g, "Resize"); }

/* Opset 8: sizes and scales are always graph values there, which the
 * attribute form cannot take: torch refuses every case. */
static ox_status interpolate8(ox_sym *g)
{
    const char *mode;
    OX_TRY(interpolate_mode(g, &mode));
    if (align_corners_const_true(g)) return unimplemented(g, -1, "interpolate", "align_corners == True");
    if (!ox_arg_is_none(g, I_SCALE)) return unimplemented(g, -1, "interpolate", "dynamic scales in opset 8");
    if (!ox_arg_is_none(g, I_SIZE)) return unimplemented(g, -1, "interpolate", "dynamic size in opset 8");
    interpolate_warning(g);
    if (ox_rank(g->in[I_INPUT]) <= 0) return unimplemented(g, -1, "interpolate", "missing input shape");
    return unimplemented(g, -1, "interpolate", "Both size and scales are None in __interpolate");
}

/* Opset 11+: torch's __interpolate_helper. */
static ox_status interpolate11(ox_sym *g)
{
    const char *mode;
    OX_TRY(interpolate_mode(g, &mode));
    bool nearest = strcmp(mode, "nearest") == 0;
    const char *ctm = nearest ? "asymmetric" : align_corners_const_true(g) ? "align_corners" : "half_pixel";
    ox_value *input = g->in[I_INPUT];
    int rank = ox_rank(input);
    if (!ox_arg_is_none(g, I_SIZE)) {
        ox_value *size = g->in[I_SIZE];
        /* torch reads the dim of a constant; other values count as scalars
         * unless they are packed lists */
        bool scalar = !is_packed_list(size) && (!ox_value_is_constant(size) || is_scalar_size(size));
        if (scalar) {
            if (rank < 0)
                return unimplemented(g, -1, "interpolate (with a scalar output_size)",
                                     "missing input shape (try giving an array of output_size values)");
            if (rank < 3 || rank > MAX_DIMS + 2)
                return unimplemented(g, -1, "interpolate", "input rank not supported");
        }
        /* torch builds Shape/Slice first, then the repeated size */
        const int64_t axes[1] = {0}, starts[1] = {0}, ends[1] = {2};
        ox_value *beg = ox_slice(g, ox_op_1(g, "Shape", input), axes, starts, ends, NULL, 1);
        if (beg && scalar) size = repeat_size(g, size, rank - 2);
        ox_value *in[2] = {beg, beg && size ? cast_to(g, size, OX_INT64) : NULL};
        ox_value *sizes = concat0(g, in, 2);
        ox_value *roi = sizes ? empty_input(g) : NULL;
        ox_value *empty_scales = roi ? empty_input(g) : NULL;
        ox_value *rin[4] = {input, roi, empty_scales, sizes};
        return ox_set_out(g, 0, typed(g, resize11(g, rin, 4, ctm, mode), input));
    }
    if (rank < 0) return unimplemented(g, -1, "interpolate (with scales)", "missing input shape");
    if (ox_arg_is_none(g, I_SCALE))
        return unimplemented(g, -1, "interpolate", "Both size and scales are None in __interpolate");
    if (rank < 2 || rank > MAX_DIMS) return unimplemented(g, -1, "interpolate", "input rank not supported");
    ox_value *roi = empty_input(g);
    ox_value *scales = roi ? scales_of_factor(g, g->in[I_SCALE], rank) : NULL;
    ox_value *in[3] = {input, roi, scales};
    return ox_set_out(g, 0, typed(g, resize11(g, in, 3, ctm, mode), input));
}

const ox_symbolic_entry ox_symbolics_resize[] = {
    {"aten::upsample_nearest1d", 8, upsample8},    {"aten::upsample_nearest1d", 9, upsample9},
    {"aten::upsample_nearest1d", 10, upsample10},  {"aten::upsample_nearest1d", 11, upsample11},
    {"aten::upsample_nearest2d", 8, upsample8},    {"aten::upsample_nearest2d", 9, upsample9},
    {"aten::upsample_nearest2d", 10, upsample10},  {"aten::upsample_nearest2d", 11, upsample11},
    {"aten::upsample_nearest3d", 8, upsample8},    {"aten::upsample_nearest3d", 9, upsample9},
    {"aten::upsample_nearest3d", 10, upsample10},  {"aten::upsample_nearest3d", 11, upsample11},
    {"aten::upsample_linear1d", 8, upsample8},     {"aten::upsample_linear1d", 9, upsample9},
    {"aten::upsample_linear1d", 10, upsample10},   {"aten::upsample_linear1d", 11, upsample11},
    {"aten::upsample_bilinear2d", 8, upsample8},   {"aten::upsample_bilinear2d", 9, upsample9},
    {"aten::upsample_bilinear2d", 10, upsample10}, {"aten::upsample_bilinear2d", 11, upsample11},
    {"aten::upsample_trilinear3d", 8, upsample8},  {"aten::upsample_trilinear3d", 9, upsample9},
    {"aten::upsample_trilinear3d", 10, upsample10}, {"aten::upsample_trilinear3d", 11, upsample11},
    {"aten::upsample_bicubic2d", 11, upsample11},
    {"aten::__interpolate", 8, interpolate8},      {"aten::__interpolate", 9, interpolate9},
    {"aten::__interpolate", 10, interpolate10},    {"aten::__interpolate", 11, interpolate11},
    {0},
};
