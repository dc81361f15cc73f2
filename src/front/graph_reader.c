/* Reads a graph description (docs/graph-description.md) and its safetensors
 * weights into the IR, validating everything: each problem is reported with
 * the node or value it concerns, and nothing half-built escapes. */
#include "front/graph_reader.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "front/json.h"
#include "front/safetensors.h"
#include "util/strmap.h"

typedef struct reader {
    ox_ctx *ctx;
    ox_graph *g;
    ox_safetensors weights;
    ox_strmap values;        /* name -> ox_value* (all blocks) */
    int node_index;          /* running index for messages */
    bool structure_only;     /* no weights: parameters get no data */
    ox_scope *open[64];      /* the module calls open at the current node */
    int depth;
} reader;

#define DESC_ERR ONNXIFY_ERR_GRAPH_DESCRIPTION

static ox_status fail_at(reader *r, const ox_json *j, const char *fmt, const char *what)
{
    if (j)
        return ox_fail(r->ctx, DESC_ERR, "graph description (line %d, column %d): %s%s", j->line,
                       j->column, what, fmt);
    return ox_fail(r->ctx, DESC_ERR, "graph description: %s%s", what, fmt);
}

/* "node #12 'aten::relu' (scope '...')" prefix for node errors. */
static const char *node_label(reader *r, const char *kind, const ox_json *jn)
{
    const ox_json *scope = ox_json_get(jn, "scope");
    if (scope && scope->kind == OX_JSON_STRING && scope->string_len)
        return ox_arena_printf(r->ctx->arena, "node #%d '%s' (scope '%s'): ", r->node_index,
                               kind ? kind : "?", scope->string);
    return ox_arena_printf(r->ctx->arena, "node #%d '%s': ", r->node_index, kind ? kind : "?");
}

static const ox_json *get_typed(const ox_json *obj, const char *key, ox_json_kind kind)
{
    const ox_json *v = ox_json_get(obj, key);
    return v && v->kind == kind ? v : NULL;
}

/* ---- types ---- */

static ox_status read_type(reader *r, const ox_json *j, const char *ctxmsg, ox_type **out);

static const struct {
    const char *name;
    ox_type_kind kind;
} type_kinds[] = {
    {"tensor", OX_TYPE_TENSOR}, {"int", OX_TYPE_INT},       {"float", OX_TYPE_FLOAT},
    {"bool", OX_TYPE_BOOL},     {"str", OX_TYPE_STR},       {"none", OX_TYPE_NONE},
    {"device", OX_TYPE_DEVICE}, {"number", OX_TYPE_NUMBER}, {"layout", OX_TYPE_LAYOUT},
    {"dtype_value", OX_TYPE_DTYPE}, {"list", OX_TYPE_LIST}, {"tuple", OX_TYPE_TUPLE},
    {"optional", OX_TYPE_OPTIONAL},
};

static ox_status read_tensor_type(reader *r, const ox_json *j, const char *ctxmsg, ox_type *t)
{
    const ox_json *dt = ox_json_get(j, "dtype");
    if (dt && dt->kind != OX_JSON_NULL) {
        if (dt->kind != OX_JSON_STRING || !ox_dtype_from_name(dt->string, &t->dtype))
            return fail_at(r, dt, "unknown dtype (expected float32, int64, ...)", ctxmsg);
    }
    const ox_json *shape = ox_json_get(j, "shape");
    if (shape && shape->kind != OX_JSON_NULL) {
        if (shape->kind != OX_JSON_ARRAY) return fail_at(r, shape, "'shape' must be an array", ctxmsg);
        t->rank = (int)shape->count;
        t->dims = ox_arena_alloc(r->ctx->arena, (shape->count + 1) * sizeof(int64_t));
        if (!t->dims) return OX_NOMEM(r->ctx);
        for (size_t i = 0; i < shape->count; i++) {
            const ox_json *d = shape->items[i];
            if (d->kind == OX_JSON_NULL) {
                t->dims[i] = OX_DIM_UNKNOWN;
            } else if (d->kind == OX_JSON_STRING) {
                t->dims[i] = OX_DIM_UNKNOWN;
                if (!t->dim_names) {
                    t->dim_names = ox_arena_alloc(r->ctx->arena, shape->count * sizeof(char *));
                    if (!t->dim_names) return OX_NOMEM(r->ctx);
                }
                t->dim_names[i] = d->string;
            } else if (d->kind == OX_JSON_NUMBER && d->is_int && d->integer >= 0) {
                t->dims[i] = d->integer;
            } else {
                return fail_at(r, d, "a shape entry must be an integer >= 0, null or a string", ctxmsg);
            }
        }
    }
    const ox_json *rg = ox_json_get(j, "requires_grad");
    if (rg && rg->kind == OX_JSON_BOOL) t->requires_grad = rg->boolean;
    return OX_OK;
}

static ox_status read_type(reader *r, const ox_json *j, const char *ctxmsg, ox_type **out)
{
    if (!j || j->kind != OX_JSON_OBJECT) return fail_at(r, j, "'type' must be an object", ctxmsg);
    const ox_json *k = get_typed(j, "kind", OX_JSON_STRING);
    if (!k) return fail_at(r, j, "a type needs a string 'kind'", ctxmsg);
    size_t i = 0;
    while (i < sizeof(type_kinds) / sizeof(type_kinds[0]) && strcmp(type_kinds[i].name, k->string)) i++;
    if (i == sizeof(type_kinds) / sizeof(type_kinds[0]))
        return fail_at(r, k, ox_arena_printf(r->ctx->arena, "unknown type kind '%s'", k->string), ctxmsg);
    ox_type *t = ox_type_new(r->ctx->arena, type_kinds[i].kind);
    if (!t) return OX_NOMEM(r->ctx);
    if (t->kind == OX_TYPE_TENSOR) OX_TRY(read_tensor_type(r, j, ctxmsg, t));
    if (t->kind == OX_TYPE_LIST || t->kind == OX_TYPE_OPTIONAL) {
        t->elems = ox_arena_alloc(r->ctx->arena, sizeof(ox_type *));
        if (!t->elems) return OX_NOMEM(r->ctx);
        t->nelems = 1;
        OX_TRY(read_type(r, ox_json_get(j, "elem"), ctxmsg, &t->elems[0]));
    }
    if (t->kind == OX_TYPE_TUPLE) {
        const ox_json *elems = get_typed(j, "elems", OX_JSON_ARRAY);
        if (!elems) return fail_at(r, j, "a tuple type needs an 'elems' array", ctxmsg);
        t->nelems = (int)elems->count;
        t->elems = ox_arena_alloc(r->ctx->arena, (elems->count + 1) * sizeof(ox_type *));
        if (!t->elems) return OX_NOMEM(r->ctx);
        for (size_t e = 0; e < elems->count; e++) OX_TRY(read_type(r, elems->items[e], ctxmsg, &t->elems[e]));
    }
    *out = t;
    return OX_OK;
}

/* ---- tensors ---- */

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
}

/* Decodes standard or URL-safe base64 (padding optional). */
static bool b64_decode(ox_arena *a, const char *s, size_t len, uint8_t **out, size_t *outlen)
{
    while (len && s[len - 1] == '=') len--;
    if (len % 4 == 1) return false;
    uint8_t *buf = ox_arena_alloc(a, len * 3 / 4 + 3);
    if (!buf) return false;
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        int v = b64_value((unsigned char)s[i]);
        if (v < 0) return false;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf[o++] = (uint8_t)(acc >> bits);
        }
    }
    *out = buf;
    *outlen = o;
    return true;
}

static ox_status read_tensor(reader *r, const ox_json *j, const char *ctxmsg, ox_tensor **out)
{
    if (!j || j->kind != OX_JSON_OBJECT) return fail_at(r, j, "a tensor must be an object", ctxmsg);
    const ox_json *dt = get_typed(j, "dtype", OX_JSON_STRING);
    ox_dtype dtype;
    if (!dt || !ox_dtype_from_name(dt->string, &dtype))
        return fail_at(r, j, "a tensor needs a known 'dtype'", ctxmsg);
    const ox_json *shape = get_typed(j, "shape", OX_JSON_ARRAY);
    if (!shape) return fail_at(r, j, "a tensor needs a 'shape' array", ctxmsg);
    int64_t dims[64];
    if (shape->count > 64) return fail_at(r, shape, "tensor rank above 64", ctxmsg);
    uint64_t numel = 1;
    for (size_t i = 0; i < shape->count; i++) {
        const ox_json *d = shape->items[i];
        if (d->kind != OX_JSON_NUMBER || !d->is_int || d->integer < 0)
            return fail_at(r, d, "tensor dims must be integers >= 0", ctxmsg);
        dims[i] = d->integer;
        if (dims[i] && numel > (UINT64_MAX >> 8) / (uint64_t)dims[i])
            return fail_at(r, d, "tensor too large", ctxmsg);
        numel *= (uint64_t)dims[i];
    }
    ox_tensor *t = ox_tensor_new(r->ctx->arena, dtype, (int)shape->count, dims);
    if (!t) return OX_NOMEM(r->ctx);
    size_t expect = (size_t)(numel * ox_dtype_size(dtype));
    const ox_json *data = ox_json_get(j, "data");
    const ox_json *ref = ox_json_get(j, "ref");
    if (data && data->kind == OX_JSON_STRING) {
        uint8_t *bytes;
        size_t n;
        if (!b64_decode(r->ctx->arena, data->string, data->string_len, &bytes, &n))
            return fail_at(r, data, "tensor 'data' is not valid base64", ctxmsg);
        if (n != expect)
            return fail_at(r, data,
                           ox_arena_printf(r->ctx->arena, "tensor data has %zu bytes, its dtype and shape need %zu",
                                           n, expect),
                           ctxmsg);
        t->data = bytes;
        t->nbytes = n;
    } else if (ref && ref->kind == OX_JSON_STRING && r->structure_only) {
        t->nbytes = expect; /* no weights: the tensor's data stays unknown */
    } else if (ref && ref->kind == OX_JSON_STRING) {
        const ox_st_tensor *st = ox_safetensors_find(&r->weights, ref->string);
        if (!st)
            return fail_at(r, ref, ox_arena_printf(r->ctx->arena, "tensor ref '%s' is not in the weights", ref->string),
                           ctxmsg);
        if (st->nbytes != expect || st->dtype != dtype)
            return fail_at(r, ref,
                           ox_arena_printf(r->ctx->arena, "weights tensor '%s' does not match the declared dtype/shape",
                                           ref->string),
                           ctxmsg);
        t->data = st->data;
        t->nbytes = st->nbytes;
    } else {
        return fail_at(r, j, "a tensor needs 'data' (base64) or 'ref'", ctxmsg);
    }
    *out = t;
    return OX_OK;
}

/* ---- blocks and nodes ---- */

static ox_status read_block(reader *r, const ox_json *jb, ox_block *b, bool top);

static ox_status define_value(reader *r, ox_value *v, const ox_json *jname, const char *ctxmsg)
{
    const char *name = jname->string;
    if (jname->string_len == 0) return fail_at(r, jname, "value names must not be empty", ctxmsg);
    if (ox_strmap_get(&r->values, name))
        return fail_at(r, jname, ox_arena_printf(r->ctx->arena, "duplicate value name '%s'", name), ctxmsg);
    ox_value_set_name(v, name);
    if (!ox_strmap_put(&r->values, v->name, v)) return OX_NOMEM(r->ctx);
    return OX_OK;
}

static ox_status check_param(reader *r, ox_value *v, const ox_json *jv)
{
    const char *name = v->name;
    const ox_st_tensor *st = ox_safetensors_find(&r->weights, name);
    const char *where = ox_arena_printf(r->ctx->arena, "parameter '%s': ", name);
    if (!st) return fail_at(r, jv, "its tensor is missing from the weights", where);
    ox_type *t = v->type;
    if (t->kind != OX_TYPE_TENSOR) return fail_at(r, jv, "a parameter must have a tensor type", where);
    if (t->dtype != OX_UNDEFINED && t->dtype != st->dtype)
        return fail_at(r, jv,
                       ox_arena_printf(r->ctx->arena, "the weights hold %s, the graph declares %s",
                                       ox_dtype_name(st->dtype), ox_dtype_name(t->dtype)),
                       where);
    bool shape_ok = t->rank < 0 || t->rank == st->rank;
    for (int i = 0; shape_ok && t->rank >= 0 && i < t->rank; i++)
        shape_ok = t->dims[i] < 0 || t->dims[i] == st->dims[i];
    if (!shape_ok) {
        char got[256] = "", want[256] = "";
        for (int i = 0; i < st->rank; i++)
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%" PRId64, i ? ", " : "", st->dims[i]);
        for (int i = 0; i < t->rank; i++)
            snprintf(want + strlen(want), sizeof want - strlen(want), "%s%" PRId64, i ? ", " : "", t->dims[i]);
        return fail_at(r, jv,
                       ox_arena_printf(r->ctx->arena, "the weights have shape [%s], the graph declares [%s]",
                                       got, want),
                       where);
    }
    ox_tensor *init = ox_tensor_new(r->ctx->arena, st->dtype, st->rank, st->dims);
    if (!init) return OX_NOMEM(r->ctx);
    init->data = st->data; /* borrowed until the serializer writes it */
    init->nbytes = st->nbytes;
    v->init = init;
    /* The weights are authoritative for dtype and shape. */
    v->type = ox_type_tensor(r->ctx->arena, st->dtype, st->rank, st->dims);
    if (!v->type) return OX_NOMEM(r->ctx);
    return OX_OK;
}

static ox_status read_inputs(reader *r, const ox_json *arr, ox_block *b, bool top)
{
    if (!arr || arr->kind != OX_JSON_ARRAY) return fail_at(r, arr, "a block needs an 'inputs' array", "");
    for (size_t i = 0; i < arr->count; i++) {
        const ox_json *jv = arr->items[i];
        const ox_json *jname = get_typed(jv, "name", OX_JSON_STRING);
        const char *where = ox_arena_printf(r->ctx->arena, "block input #%zu: ", i);
        if (!jname) return fail_at(r, jv, "needs a string 'name'", where);
        ox_type *t;
        OX_TRY(read_type(r, ox_json_get(jv, "type"), where, &t));
        ox_value *v = ox_block_add_input(b, NULL, t);
        if (!v) return OX_NOMEM(r->ctx);
        OX_TRY(define_value(r, v, jname, where));
        const ox_json *param = ox_json_get(jv, "param");
        if (param && param->kind == OX_JSON_BOOL && param->boolean) {
            if (!top) return fail_at(r, jv, "only top-level graph inputs can be parameters", where);
            if (!r->structure_only) OX_TRY(check_param(r, v, jv));
        }
    }
    return OX_OK;
}

static ox_value *lookup(reader *r, const ox_json *jname) { return ox_strmap_get(&r->values, jname->string); }

/* A float attribute entry: a JSON number or "inf", "-inf", "nan". */
static bool json_float(const ox_json *v, double *out)
{
    if (v->kind == OX_JSON_NUMBER) {
        *out = v->number;
        return true;
    }
    if (v->kind != OX_JSON_STRING) return false;
    if (!strcmp(v->string, "inf")) *out = INFINITY;
    else if (!strcmp(v->string, "-inf")) *out = -INFINITY;
    else if (!strcmp(v->string, "nan")) *out = NAN;
    else return false;
    return true;
}

static ox_status read_attribute(reader *r, ox_node *n, const ox_json *ja, const char *where)
{
    const ox_json *jname = get_typed(ja, "name", OX_JSON_STRING);
    const ox_json *jkind = get_typed(ja, "kind", OX_JSON_STRING);
    const ox_json *jv = ox_json_get(ja, "value");
    if (!jname || !jkind || !jv) return fail_at(r, ja, "an attribute needs 'name', 'kind' and 'value'", where);
    const char *name = jname->string, *kind = jkind->string;
    ox_arena *a = r->ctx->arena;
    if (ox_node_has_attr(n, name))
        return fail_at(r, ja, ox_arena_printf(a, "duplicate attribute '%s'", name), where);
    if (!strcmp(kind, "i")) {
        if (jv->kind == OX_JSON_BOOL) return ox_node_set_i(n, name, jv->boolean);
        if (jv->kind != OX_JSON_NUMBER || !jv->is_int) return fail_at(r, jv, "attribute of kind 'i' needs an integer", where);
        return ox_node_set_i(n, name, jv->integer);
    }
    if (!strcmp(kind, "f")) {
        double f;
        if (!json_float(jv, &f)) return fail_at(r, jv, "attribute of kind 'f' needs a number", where);
        return ox_node_set_f(n, name, f);
    }
    if (!strcmp(kind, "s")) {
        if (jv->kind != OX_JSON_STRING) return fail_at(r, jv, "attribute of kind 's' needs a string", where);
        return ox_node_set_s(n, name, jv->string);
    }
    if (!strcmp(kind, "t")) {
        ox_tensor *t;
        OX_TRY(read_tensor(r, jv, where, &t));
        return ox_node_set_t(n, name, t);
    }
    if (!strcmp(kind, "g")) {
        ox_block *b = ox_block_new(r->g, n);
        if (!b) return OX_NOMEM(r->ctx);
        OX_TRY(read_block(r, jv, b, false));
        return ox_node_set_g(n, name, b);
    }
    bool list = !strcmp(kind, "is") || !strcmp(kind, "fs") || !strcmp(kind, "ss") || !strcmp(kind, "ts") ||
                !strcmp(kind, "gs");
    if (!list) return fail_at(r, jkind, ox_arena_printf(a, "unknown attribute kind '%s'", kind), where);
    if (jv->kind != OX_JSON_ARRAY) return fail_at(r, jv, "a list attribute needs an array", where);
    size_t cnt = jv->count;
    if (!strcmp(kind, "is")) {
        int64_t *v = ox_arena_alloc(a, (cnt + 1) * sizeof(int64_t));
        if (!v) return OX_NOMEM(r->ctx);
        for (size_t i = 0; i < cnt; i++) {
            const ox_json *e = jv->items[i];
            if (e->kind == OX_JSON_BOOL) v[i] = e->boolean;
            else if (e->kind == OX_JSON_NUMBER && e->is_int) v[i] = e->integer;
            else return fail_at(r, e, "attribute of kind 'is' needs integers", where);
        }
        return ox_node_set_is(n, name, v, (int)cnt);
    }
    if (!strcmp(kind, "fs")) {
        double *v = ox_arena_alloc(a, (cnt + 1) * sizeof(double));
        if (!v) return OX_NOMEM(r->ctx);
        for (size_t i = 0; i < cnt; i++) {
            if (!json_float(jv->items[i], &v[i]))
                return fail_at(r, jv->items[i], "attribute of kind 'fs' needs numbers", where);
        }
        return ox_node_set_fs(n, name, v, (int)cnt);
    }
    if (!strcmp(kind, "ss")) {
        const char **v = ox_arena_alloc(a, (cnt + 1) * sizeof(char *));
        if (!v) return OX_NOMEM(r->ctx);
        for (size_t i = 0; i < cnt; i++) {
            if (jv->items[i]->kind != OX_JSON_STRING) return fail_at(r, jv->items[i], "attribute of kind 'ss' needs strings", where);
            v[i] = jv->items[i]->string;
        }
        return ox_node_set_ss(n, name, v, (int)cnt);
    }
    if (!strcmp(kind, "ts")) {
        ox_tensor **v = ox_arena_alloc(a, (cnt + 1) * sizeof(ox_tensor *));
        if (!v) return OX_NOMEM(r->ctx);
        for (size_t i = 0; i < cnt; i++) OX_TRY(read_tensor(r, jv->items[i], where, &v[i]));
        return ox_node_set_ts(n, name, v, (int)cnt);
    }
    ox_block **v = ox_arena_alloc(a, (cnt + 1) * sizeof(ox_block *));
    if (!v) return OX_NOMEM(r->ctx);
    for (size_t i = 0; i < cnt; i++) {
        v[i] = ox_block_new(r->g, n);
        if (!v[i]) return OX_NOMEM(r->ctx);
        OX_TRY(read_block(r, jv->items[i], v[i], false));
    }
    return ox_node_set_gs(n, name, v, (int)cnt);
}

/* The module-call instance of a node with scope text `scope`. Traced nodes
 * come in call order, so a call stays open while the nodes stay inside its
 * scope; the same scope text after leaving it is a new call of that module. */
static ox_scope *scope_instance(reader *r, const char *scope)
{
    int level = 0;
    for (const char *p = scope; *p && level < 64; level++) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        ox_scope *open = level < r->depth ? r->open[level] : NULL;
        if (!open || strlen(open->atom) != len || memcmp(open->atom, p, len) != 0) {
            ox_scope *sc = ox_arena_alloc(r->ctx->arena, sizeof(*sc));
            if (!sc || !(sc->atom = ox_arena_strndup(r->ctx->arena, p, len))) return NULL;
            sc->parent = level ? r->open[level - 1] : NULL;
            r->open[level] = sc;
            r->depth = level + 1;
        }
        if (!end) break;
        p = end + 1;
    }
    r->depth = level + 1 < r->depth ? level + 1 : r->depth;
    return r->open[level < 64 ? level : 63];
}

static bool valid_kind(const char *k)
{
    const char *sep = strstr(k, "::");
    if (!sep || sep == k || !sep[2]) return false;
    for (const char *p = k; *p; p++) {
        if (p == sep || p == sep + 1) continue;
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '.' || c == '-'))
            return false;
    }
    return true;
}

static ox_status read_node(reader *r, const ox_json *jn, ox_block *b)
{
    r->node_index++;
    if (jn->kind != OX_JSON_OBJECT) return fail_at(r, jn, "a node must be an object", "");
    const ox_json *jkind = get_typed(jn, "kind", OX_JSON_STRING);
    const char *where = node_label(r, jkind ? jkind->string : NULL, jn);
    if (!where) return OX_NOMEM(r->ctx);
    if (!jkind || !valid_kind(jkind->string))
        return fail_at(r, jn, "'kind' must be a string 'namespace::name'", where);
    const ox_json *jin = get_typed(jn, "inputs", OX_JSON_ARRAY);
    const ox_json *jout = get_typed(jn, "outputs", OX_JSON_ARRAY);
    if (!jin || !jout) return fail_at(r, jn, "a node needs 'inputs' and 'outputs' arrays", where);

    ox_node *n = ox_node_new(r->g, jkind->string, 0);
    if (!n) return OX_NOMEM(r->ctx);
    for (size_t i = 0; i < jin->count; i++) {
        const ox_json *jname = jin->items[i];
        if (jname->kind != OX_JSON_STRING) return fail_at(r, jname, "node inputs are value names", where);
        ox_value *v = lookup(r, jname);
        if (!v)
            return fail_at(r, jname,
                           ox_arena_printf(r->ctx->arena, "input '%s' is not defined before this node (dangling value)",
                                           jname->string),
                           where);
        OX_TRY(ox_node_add_input(n, v));
    }
    const ox_json *scope = get_typed(jn, "scope", OX_JSON_STRING);
    const ox_json *source = get_typed(jn, "source", OX_JSON_STRING);
    const ox_json *overload = ox_json_get(jn, "overload");
    if (overload) {
        if (overload->kind != OX_JSON_STRING) return fail_at(r, overload, "'overload' must be a string", where);
        n->overload = overload->string;
    }
    if (scope && scope->string_len) {
        n->scope = scope->string;
        if (!(n->scope_inst = scope_instance(r, scope->string))) return OX_NOMEM(r->ctx);
    }
    if (source && source->string_len) n->source = source->string;
    ox_block_append(b, n);

    const ox_json *jattrs = ox_json_get(jn, "attributes");
    if (jattrs) {
        if (jattrs->kind != OX_JSON_ARRAY) return fail_at(r, jattrs, "'attributes' must be an array", where);
        for (size_t i = 0; i < jattrs->count; i++) OX_TRY(read_attribute(r, n, jattrs->items[i], where));
    }
    const ox_json *jblocks = ox_json_get(jn, "blocks");
    if (jblocks) {
        if (jblocks->kind != OX_JSON_ARRAY) return fail_at(r, jblocks, "'blocks' must be an array", where);
        for (size_t i = 0; i < jblocks->count; i++) {
            ox_block *sub = ox_node_add_block(n);
            if (!sub) return OX_NOMEM(r->ctx);
            OX_TRY(read_block(r, jblocks->items[i], sub, false));
        }
    }
    /* Outputs are defined after the sub-blocks, which cannot see them. */
    for (size_t i = 0; i < jout->count; i++) {
        const ox_json *jv = jout->items[i];
        const ox_json *jname = get_typed(jv, "name", OX_JSON_STRING);
        if (!jname) return fail_at(r, jv, "a node output needs a string 'name'", where);
        ox_value *v = ox_node_add_output(n);
        if (!v) return OX_NOMEM(r->ctx);
        OX_TRY(read_type(r, ox_json_get(jv, "type"), where, &v->type));
        OX_TRY(define_value(r, v, jname, where));
    }
    return OX_OK;
}

static ox_status read_block(reader *r, const ox_json *jb, ox_block *b, bool top)
{
    if (!jb || jb->kind != OX_JSON_OBJECT) return fail_at(r, jb, "a block must be an object", "");
    OX_TRY(read_inputs(r, ox_json_get(jb, "inputs"), b, top));
    const ox_json *nodes = get_typed(jb, "nodes", OX_JSON_ARRAY);
    if (!nodes) return fail_at(r, jb, "a block needs a 'nodes' array", "");
    for (size_t i = 0; i < nodes->count; i++) OX_TRY(read_node(r, nodes->items[i], b));
    const ox_json *outs = get_typed(jb, "outputs", OX_JSON_ARRAY);
    if (!outs) return fail_at(r, jb, "a block needs an 'outputs' array", "");
    for (size_t i = 0; i < outs->count; i++) {
        const ox_json *jname = outs->items[i];
        if (jname->kind != OX_JSON_STRING) return fail_at(r, jname, "block outputs are value names", "");
        ox_value *v = lookup(r, jname);
        if (!v)
            return fail_at(r, jname,
                           ox_arena_printf(r->ctx->arena, "output '%s' is not defined (dangling value)", jname->string),
                           "");
        OX_TRY(ox_block_add_output(b, v));
    }
    return OX_OK;
}

static ox_status read_description(ox_ctx *ctx, const char *json, size_t len, const uint8_t *weights,
                                  size_t weights_len, bool structure_only, ox_graph_description *out)
{
    memset(out, 0, sizeof(*out));
    reader r = {.ctx = ctx, .structure_only = structure_only};
    ox_strmap_init(&r.values, ctx->arena);
    if (!json || len == 0) return ox_fail(ctx, DESC_ERR, "graph description: empty input");
    ox_json *root;
    OX_TRY(ox_json_parse(ctx, json, len, &root));
    if (root->kind != OX_JSON_OBJECT) return fail_at(&r, root, "the top level must be an object", "");
    const ox_json *format = get_typed(root, "format", OX_JSON_STRING);
    const ox_json *version = get_typed(root, "version", OX_JSON_NUMBER);
    if (!format || strcmp(format->string, "onnxify-graph") != 0)
        return fail_at(&r, root, "'format' must be \"onnxify-graph\"", "");
    if (!version || !version->is_int || version->integer != 1)
        return fail_at(&r, version ? version : root, "unsupported 'version' (this reader knows version 1)", "");
    OX_TRY(ox_safetensors_parse(ctx, weights, weights_len, &r.weights));

    r.g = ox_graph_new(ctx);
    if (!r.g) return OX_NOMEM(ctx);
    const ox_json *graph = get_typed(root, "graph", OX_JSON_OBJECT);
    if (!graph) return fail_at(&r, root, "missing 'graph' object", "");
    OX_TRY(read_block(&r, graph, r.g->top, true));

    const ox_json *model = get_typed(root, "model", OX_JSON_OBJECT);
    const ox_json *training = model ? get_typed(model, "training", OX_JSON_BOOL) : NULL;
    out->graph = r.g;
    out->model_training = training && training->boolean;
    return OX_OK;
}

ox_status ox_read_graph_description(ox_ctx *ctx, const char *json, size_t len, const uint8_t *weights,
                                    size_t weights_len, ox_graph_description *out)
{
    return read_description(ctx, json, len, weights, weights_len, false, out);
}

ox_status ox_read_graph_structure(ox_ctx *ctx, const char *json, size_t len, ox_graph_description *out)
{
    return read_description(ctx, json, len, NULL, 0, true, out);
}
