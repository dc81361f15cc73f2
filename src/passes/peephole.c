/* Generic TorchScript peepholes (seed: _optimize_graph steps 10 and 12,
 * _jit_pass_peephole(graph, disable_shape_peepholes=True)). With shape
 * peepholes disabled, torch's pass does only rewrites that need no tensor
 * type information; this file does exactly these:
 *
 *   1. an output of NoneType (of a node other than prim::Constant) is
 *      replaced by a None constant;
 *   2. aten::_grad_sum_to_size(x, None) -> x, and
 *      _grad_sum_to_size(_grad_sum_to_size(x, a), b: int[]) reads x directly;
 *   3. aten::t(aten::t(x)) -> x;
 *   4. aten::Int / Float / IntImplicit / FloatImplicit / ScalarImplicit of
 *      prim::NumToTensor(n) -> n (the tracer's size() pattern), when n has
 *      the number type the conversion gives (torch does not check; we do not
 *      turn a float into an "int");
 *   5. a bool output of prim::If that is the constant True in the then-block
 *      and False in the else-block -> the condition;
 *   6. aten::__is__ / __isnot__ comparing None with None, or None with a
 *      value whose type cannot be None -> a bool constant;
 *   7. prim::unchecked_unwrap_optional / aten::_unwrap_optional of a value
 *      that cannot be None -> the value;
 *   8. prim::unchecked_cast whose input type (shapes ignored) is already a
 *      subtype of the output type -> the input;
 *   9. aten::cat of a list holding an aten::cat along the same (constant)
 *      dim whose result is used only there -> one cat of the joined list;
 *  10. list idioms on prim::ListConstruct lists nothing mutates:
 *      aten::len -> a constant, aten::__getitem__ with a constant index ->
 *      the element, prim::ListUnpack of a list of the same length -> the
 *      elements, aten::add of two such lists -> one ListConstruct, aten::slice
 *      with constant (or None) bounds -> a ListConstruct of the slice.
 *
 * Not done, as in torch with shape peepholes off: expand to the same size,
 * type_as of the same type, size()/dim()/dtype/device of typed tensors, and
 * the alias-sensitive x+0 / x*1 rewrites (their `other` must be a Python
 * number, which traced graphs never have: the tracer records a tensor).
 * Rewrites redirect uses (and, for the list idioms and None checks, add a
 * constant or a ListConstruct before the node); new nodes have no scope
 * (torch creates them in the graph's root scope). The pass ends with
 * dead-code elimination, as torch's does. */
#include <string.h>

#include "passes/passes.h"

typedef struct peep {
    ox_graph *g;
    bool changed;
} peep;

static void redirect(peep *p, ox_value *from, ox_value *to)
{
    if (from == to || from->nuses == 0) return;
    ox_value_replace_all_uses(from, to);
    p->changed = true;
}

/* A prim::Constant inserted before `pos`: None when is_none, else a bool. */
static ox_value *insert_constant(peep *p, ox_node *pos, bool is_none, bool value)
{
    ox_node *c = ox_node_new(p->g, "prim::Constant", 1);
    ox_type *t = ox_type_new(p->g->arena, is_none ? OX_TYPE_NONE : OX_TYPE_BOOL);
    if (!c || !t || (!is_none && ox_node_set_i(c, "value", value) != OX_OK)) {
        OX_NOMEM(p->g->ctx);
        return NULL;
    }
    c->outputs[0]->type = t;
    ox_node_insert_before(c, pos);
    return c->outputs[0];
}

/* ---- None-ness ----------------------------------------------------------- */

static bool must_be_none(const ox_value *v)
{
    return v->type->kind == OX_TYPE_NONE || (ox_node_is(v->node, "prim::Constant") && !v->node->attrs);
}

static bool must_not_be_none(const ox_value *v)
{
    return v->type->kind != OX_TYPE_NONE && v->type->kind != OX_TYPE_OPTIONAL && !must_be_none(v);
}

static bool const_bool(const ox_value *v, bool *out)
{
    if (!ox_node_is(v->node, "prim::Constant") || v->type->kind != OX_TYPE_BOOL) return false;
    ox_attr *a = ox_node_attr(v->node, "value");
    if (!a || a->kind != OX_ATTR_I) return false;
    *out = a->v.i != 0;
    return true;
}

static bool const_int(const ox_value *v, int64_t *out)
{
    if (!ox_node_is(v->node, "prim::Constant") || v->type->kind != OX_TYPE_INT) return false;
    ox_attr *a = ox_node_attr(v->node, "value");
    if (!a || a->kind != OX_ATTR_I) return false;
    *out = a->v.i;
    return true;
}

/* Equal types once tensor shapes and dtypes are ignored (torch's unshapedType). */
static bool same_unshaped(const ox_type *a, const ox_type *b)
{
    if (!a || !b || a->kind != b->kind || a->nelems != b->nelems) return false;
    for (int i = 0; i < a->nelems; i++)
        if (!same_unshaped(a->elems[i], b->elems[i])) return false;
    return true;
}

/* Is `a` (shapes ignored) a subtype of `b`? Only the certain cases. */
static bool subtype(const ox_type *a, const ox_type *b)
{
    if (!a || !b) return false;
    if (b->kind == OX_TYPE_OPTIONAL) {
        if (a->kind == OX_TYPE_NONE) return true;
        if (a->kind == OX_TYPE_OPTIONAL) return same_unshaped(a, b);
        return b->nelems == 1 && subtype(a, b->elems[0]);
    }
    if (b->kind == OX_TYPE_NUMBER) return a->kind == OX_TYPE_INT || a->kind == OX_TYPE_FLOAT || a->kind == OX_TYPE_NUMBER;
    if (a->kind != b->kind) return false;
    if (a->kind == OX_TYPE_TUPLE) {
        if (a->nelems != b->nelems) return false;
        for (int i = 0; i < a->nelems; i++)
            if (!subtype(a->elems[i], b->elems[i])) return false;
        return true;
    }
    return same_unshaped(a, b); /* lists are invariant; any tensor is a Tensor */
}

/* ---- lists --------------------------------------------------------------- */

static const char *const list_mutators[] = {
    "aten::append", "aten::insert", "aten::extend", "aten::pop",      "aten::clear",
    "aten::remove", "aten::reverse", "aten::sort",  "aten::_set_item", "prim::SetAttr",
};

static bool use_may_mutate(const ox_node *user)
{
    if (user->owner && user == user->owner->ret) return user->owner->owning_node != NULL;
    const char *k = user->kind;
    size_t len = strlen(k);
    bool known = !strncmp(k, "aten::", 6) || !strncmp(k, "prim::", 6) || !strncmp(k, "onnx::", 6);
    bool inplace = !strncmp(k, "aten::", 6) && len > 7 && k[len - 1] == '_' && k[len - 2] != '_';
    if (!known || inplace || user->nblocks || ox_node_is(user, "prim::PythonOp") ||
        ox_node_is(user, "prim::ListConstruct") || ox_node_is(user, "prim::TupleConstruct") ||
        ox_node_is(user, "prim::DictConstruct"))
        return true;
    for (size_t i = 0; i < sizeof(list_mutators) / sizeof(list_mutators[0]); i++)
        if (ox_node_is(user, list_mutators[i])) return true;
    return false;
}

/* The prim::ListConstruct producing `v`, when nothing may mutate the list. */
static ox_node *plain_list(const ox_value *v)
{
    if (!ox_node_is(v->node, "prim::ListConstruct") || v->type->kind != OX_TYPE_LIST) return NULL;
    for (int i = 0; i < v->nuses; i++)
        if (use_may_mutate(v->uses[i].user)) return NULL;
    return v->node;
}

/* A new prim::ListConstruct before `pos` with the given elements, typed as `like`. */
static ox_status new_list(peep *p, ox_node *pos, ox_value *like, ox_value *const *elems, int count)
{
    ox_node *l = ox_node_new(p->g, "prim::ListConstruct", 1);
    if (!l) return OX_NOMEM(p->g->ctx);
    for (int i = 0; i < count; i++) OX_TRY(ox_node_add_input(l, elems[i]));
    l->outputs[0]->type = like->type;
    ox_node_insert_before(l, pos);
    redirect(p, like, l->outputs[0]);
    return OX_OK;
}

/* Python's slice bounds for a list of length len (step != 0). */
static int64_t slice_count(int64_t len, bool has_start, int64_t start, bool has_end, int64_t end, int64_t step,
                           int64_t *first)
{
    if (!has_start) start = step < 0 ? len - 1 : 0;
    else if (start < 0) start = start + len < 0 ? (step < 0 ? -1 : 0) : start + len;
    else if (start >= len) start = step < 0 ? len - 1 : len;
    if (!has_end) end = step < 0 ? -1 : len;
    else if (end < 0) end = end + len < 0 ? (step < 0 ? -1 : 0) : end + len;
    else if (end >= len) end = step < 0 ? len - 1 : len;
    *first = start;
    if (step < 0) return end < start ? (start - end - 1) / (-step) + 1 : 0;
    return start < end ? (end - start - 1) / step + 1 : 0;
}

/* aten::slice(list, start, end, step): bounds are constant ints or None. */
static ox_status list_slice(peep *p, ox_node *n, ox_node *list)
{
    if (n->ninputs != 4) return OX_OK;
    int64_t v[3] = {0, 0, 1};
    bool given[3];
    for (int i = 0; i < 3; i++) {
        ox_value *in = n->inputs[i + 1];
        given[i] = !must_be_none(in);
        if (given[i] && !const_int(in, &v[i])) return OX_OK;
    }
    if (v[2] == 0 || v[2] == INT64_MIN) return OX_OK; /* a run-time error */
    int64_t first, count = slice_count(list->ninputs, given[0], v[0], given[1], v[1], v[2], &first);
    ox_value **elems = ox_arena_alloc(p->g->arena, (size_t)(count + 1) * sizeof(ox_value *));
    if (!elems) return OX_NOMEM(p->g->ctx);
    for (int64_t j = 0; j < count; j++) elems[j] = list->inputs[first + j * v[2]];
    return new_list(p, n, n->outputs[0], elems, (int)count);
}

static ox_status list_idioms(peep *p, ox_node *n)
{
    if (n->ninputs == 0) return OX_OK;
    ox_node *list = plain_list(n->inputs[0]);
    if (!list) return OX_OK;
    if (ox_node_is(n, "aten::len") && n->noutputs == 1) {
        ox_value *c = NULL;
        ox_node *k = ox_node_new(p->g, "prim::Constant", 1);
        ox_type *t = ox_type_new(p->g->arena, OX_TYPE_INT);
        if (!k || !t || ox_node_set_i(k, "value", list->ninputs) != OX_OK) return OX_NOMEM(p->g->ctx);
        k->outputs[0]->type = t;
        ox_node_insert_before(k, n);
        c = k->outputs[0];
        redirect(p, n->outputs[0], c);
    } else if (ox_node_is(n, "aten::__getitem__") && n->ninputs == 2 && n->noutputs == 1) {
        int64_t i;
        if (!const_int(n->inputs[1], &i)) return OX_OK;
        if (i < 0) i += list->ninputs;
        if (i >= 0 && i < list->ninputs) redirect(p, n->outputs[0], list->inputs[i]);
    } else if (ox_node_is(n, "prim::ListUnpack") && n->noutputs == list->ninputs) {
        for (int i = 0; i < n->noutputs; i++) redirect(p, n->outputs[i], list->inputs[i]);
    } else if (ox_node_is(n, "aten::add") && n->ninputs == 2 && n->noutputs == 1) {
        ox_node *other = plain_list(n->inputs[1]);
        if (!other || n->outputs[0]->nuses == 0) return OX_OK;
        int count = list->ninputs + other->ninputs;
        ox_value **elems = ox_arena_alloc(p->g->arena, (size_t)(count + 1) * sizeof(ox_value *));
        if (!elems) return OX_NOMEM(p->g->ctx);
        for (int i = 0; i < list->ninputs; i++) elems[i] = list->inputs[i];
        for (int i = 0; i < other->ninputs; i++) elems[list->ninputs + i] = other->inputs[i];
        return new_list(p, n, n->outputs[0], elems, count);
    } else if (ox_node_is(n, "aten::slice") && n->noutputs == 1 && n->outputs[0]->nuses > 0) {
        return list_slice(p, n, list);
    }
    return OX_OK;
}

/* ---- the other rewrites -------------------------------------------------- */

static bool number_fits(const ox_node *conv, const ox_value *num)
{
    ox_type_kind k = num->type->kind;
    if (ox_node_is(conv, "aten::Int") || ox_node_is(conv, "aten::IntImplicit")) return k == OX_TYPE_INT;
    if (ox_node_is(conv, "aten::Float") || ox_node_is(conv, "aten::FloatImplicit")) return k == OX_TYPE_FLOAT;
    return k == OX_TYPE_INT || k == OX_TYPE_FLOAT || k == OX_TYPE_NUMBER; /* ScalarImplicit */
}

static ox_status if_short_circuit(peep *p, ox_node *n)
{
    if (n->nblocks != 2 || n->ninputs < 1) return OX_OK;
    ox_block *then_b = n->blocks[0], *else_b = n->blocks[1];
    for (int i = 0; i < n->noutputs; i++) {
        if (n->outputs[i]->type->kind != OX_TYPE_BOOL || i >= ox_block_noutputs(then_b) ||
            i >= ox_block_noutputs(else_b))
            continue;
        bool t, f;
        if (const_bool(ox_block_output(then_b, i), &t) && t && const_bool(ox_block_output(else_b, i), &f) && !f)
            redirect(p, n->outputs[i], n->inputs[0]);
    }
    return OX_OK;
}

/* cat([a, cat([b, c], d), e], d) -> cat([a, b, c, e], d) */
static ox_status merge_cats(peep *p, ox_node *n)
{
    int64_t dim, inner_dim;
    ox_node *list = n->ninputs == 2 ? plain_list(n->inputs[0]) : NULL;
    if (!list || !const_int(n->inputs[1], &dim)) return OX_OK;
    int count = 0;
    bool merge = false;
    for (int i = 0; i < list->ninputs; i++) {
        ox_node *inner = list->inputs[i]->node;
        ox_node *inner_list = ox_node_is(inner, "aten::cat") && inner->ninputs == 2 ? plain_list(inner->inputs[0]) : NULL;
        if (inner_list && list->inputs[i]->nuses == 1 && const_int(inner->inputs[1], &inner_dim) && inner_dim == dim) {
            count += inner_list->ninputs;
            merge = true;
        } else {
            count++;
        }
    }
    if (!merge) return OX_OK;
    ox_value **elems = ox_arena_alloc(p->g->arena, (size_t)count * sizeof(ox_value *));
    if (!elems) return OX_NOMEM(p->g->ctx);
    int k = 0;
    for (int i = 0; i < list->ninputs; i++) {
        ox_node *inner = list->inputs[i]->node;
        ox_node *inner_list = ox_node_is(inner, "aten::cat") && inner->ninputs == 2 ? plain_list(inner->inputs[0]) : NULL;
        if (inner_list && list->inputs[i]->nuses == 1 && const_int(inner->inputs[1], &inner_dim) && inner_dim == dim)
            for (int j = 0; j < inner_list->ninputs; j++) elems[k++] = inner_list->inputs[j];
        else
            elems[k++] = list->inputs[i];
    }
    return new_list(p, n, n->inputs[0], elems, count);
}

static ox_status rewrite(peep *p, ox_node *n)
{
    if (!ox_node_is(n, "prim::Constant"))
        for (int i = 0; i < n->noutputs; i++)
            if (n->outputs[i]->type->kind == OX_TYPE_NONE && n->outputs[i]->nuses > 0) {
                ox_value *none = insert_constant(p, n, true, false);
                if (!none) return p->g->ctx->status;
                redirect(p, n->outputs[i], none);
            }
    if (n->noutputs == 1 && n->ninputs >= 1 && ox_node_is(n, "aten::_grad_sum_to_size")) {
        if (n->ninputs == 2 && must_be_none(n->inputs[1])) {
            redirect(p, n->outputs[0], n->inputs[0]);
        } else {
            ox_value *out = n->outputs[0];
            for (int i = out->nuses - 1; i >= 0; i--) {
                ox_use u = out->uses[i];
                if (u.index == 0 && ox_node_is(u.user, "aten::_grad_sum_to_size") && u.user->ninputs == 2 &&
                    u.user->inputs[1]->type->kind == OX_TYPE_LIST) {
                    ox_node_set_input(u.user, 0, n->inputs[0]);
                    p->changed = true;
                }
            }
        }
    } else if (ox_node_is(n, "aten::t") && n->ninputs == 1 && n->noutputs == 1) {
        ox_node *inner = n->inputs[0]->node;
        if (ox_node_is(inner, "aten::t") && inner->ninputs == 1) redirect(p, n->outputs[0], inner->inputs[0]);
    } else if ((ox_node_is(n, "aten::Int") || ox_node_is(n, "aten::Float") || ox_node_is(n, "aten::IntImplicit") ||
                ox_node_is(n, "aten::FloatImplicit") || ox_node_is(n, "aten::ScalarImplicit")) &&
               n->ninputs == 1 && n->noutputs == 1) {
        ox_node *src = n->inputs[0]->node;
        if (ox_node_is(src, "prim::NumToTensor") && src->ninputs == 1 && number_fits(n, src->inputs[0]))
            redirect(p, n->outputs[0], src->inputs[0]);
    } else if (ox_node_is(n, "prim::If")) {
        OX_TRY(if_short_circuit(p, n));
    } else if ((ox_node_is(n, "aten::__is__") || ox_node_is(n, "aten::__isnot__")) && n->ninputs == 2 &&
               n->noutputs == 1 && n->outputs[0]->nuses > 0) {
        bool is_not = ox_node_is(n, "aten::__isnot__");
        ox_value *a = n->inputs[0], *b = n->inputs[1];
        int verdict = -1; /* -1 unknown, 0 the operands differ in None-ness, 1 both None */
        if (must_be_none(a) && must_be_none(b)) verdict = 1;
        else if ((must_be_none(a) && must_not_be_none(b)) || (must_be_none(b) && must_not_be_none(a))) verdict = 0;
        if (verdict >= 0) {
            ox_value *c = insert_constant(p, n, false, verdict == 1 ? !is_not : is_not);
            if (!c) return p->g->ctx->status;
            redirect(p, n->outputs[0], c);
        }
    } else if ((ox_node_is(n, "prim::unchecked_unwrap_optional") || ox_node_is(n, "aten::_unwrap_optional")) &&
               n->ninputs == 1 && n->noutputs == 1) {
        if (must_not_be_none(n->inputs[0])) redirect(p, n->outputs[0], n->inputs[0]);
    } else if (ox_node_is(n, "prim::unchecked_cast") && n->ninputs == 1 && n->noutputs == 1) {
        if (subtype(n->inputs[0]->type, n->outputs[0]->type)) redirect(p, n->outputs[0], n->inputs[0]);
    } else if (ox_node_is(n, "aten::cat")) {
        OX_TRY(merge_cats(p, n));
    } else {
        OX_TRY(list_idioms(p, n));
    }
    return OX_OK;
}

static ox_status peephole_block(peep *p, ox_block *b)
{
    for (ox_node *n = ox_block_first(b); n != b->ret; n = n->next) {
        for (int i = 0; i < n->nblocks; i++) OX_TRY(peephole_block(p, n->blocks[i]));
        OX_TRY(rewrite(p, n));
    }
    return OX_OK;
}

ox_status ox_pass_peephole(ox_graph *g, bool *changed)
{
    peep p = {g, false};
    OX_TRY(peephole_block(&p, g->top));
    bool removed = false;
    OX_TRY(ox_pass_dce(g, &removed));
    if (changed) *changed = p.changed || removed;
    return OX_OK;
}
