/* aten::mm + aten::add -> aten::addmm (seed: _optimize_graph step 11,
 * _jit_pass_fuse_addmm), so that the conversion emits one Gemm instead of
 * MatMul + Add. As in torch, for every aten::add(self, other, alpha) of two
 * tensors whose alpha is a constant equal to 1, looking at self first and
 * then at other:
 *   - the operand produced by aten::mm(mat1, mat2) is the product, the other
 *     one is the added matrix, whose rank must be known;
 *   - the dtype of mat1 (else of mat2) must be known;
 *   - when the added matrix is 0-d and its dtype is not known to be that
 *     dtype, it goes through aten::type_as(added, mat) first;
 *   - aten::addmm(added, mat1, mat2, 1, 1) takes the add's place: its output
 *     takes the add's type and (real) name and all its uses.
 * The add is removed, and so is the mm when nothing else uses it (torch
 * leaves both to the dead-code elimination of the next peephole pass); an mm
 * with other uses stays for them. Like torch's pass, the new nodes get no
 * scope (torch creates them in the graph's root scope). */
#include "passes/passes.h"

static bool const_is_one(const ox_value *v)
{
    if (!ox_node_is(v->node, "prim::Constant")) return false;
    ox_attr *a = ox_node_attr(v->node, "value");
    if (!a) return false;
    if (a->kind == OX_ATTR_I) return v->type->kind != OX_TYPE_BOOL && a->v.i == 1;
    if (a->kind == OX_ATTR_F) return a->v.f == 1.0;
    if (a->kind == OX_ATTR_T && a->v.t && a->v.t->data && ox_tensor_numel(a->v.t) == 1)
        return ox_tensor_get_f(a->v.t, 0) == 1.0;
    return false;
}

static bool is_tensor(const ox_value *v) { return v->type->kind == OX_TYPE_TENSOR; }

static ox_node *new_node(ox_graph *g, const char *kind, ox_node *before)
{
    ox_node *n = ox_node_new(g, kind, 1);
    if (n) ox_node_insert_before(n, before);
    return n;
}

/* Fuses `add` with the mm producing its input `side`; *done when it did. */
static ox_status fuse_side(ox_graph *g, ox_node *add, int side, bool *done)
{
    ox_node *mm = add->inputs[side]->node;
    ox_value *added = add->inputs[1 - side];
    int added_rank = ox_type_rank(added->type);
    if (added_rank < 0 || !ox_node_is(mm, "aten::mm") || mm->ninputs != 2 || mm->noutputs != 1) return OX_OK;
    ox_value *mat1 = mm->inputs[0], *mat2 = mm->inputs[1];
    ox_value *type_as = is_tensor(mat1) && mat1->type->dtype != OX_UNDEFINED ? mat1 : mat2;
    if (!is_tensor(type_as) || type_as->type->dtype == OX_UNDEFINED) return OX_OK;
    ox_dtype mat_dtype = type_as->type->dtype;

    if (added_rank == 0 && added->type->dtype != mat_dtype) {
        ox_node *cast = new_node(g, "aten::type_as", add);
        if (!cast) return OX_NOMEM(g->ctx);
        OX_TRY(ox_node_add_input(cast, added));
        OX_TRY(ox_node_add_input(cast, type_as));
        ox_type *t = ox_type_copy(g->arena, added->type);
        if (!t) return OX_NOMEM(g->ctx);
        t->dtype = mat_dtype;
        cast->outputs[0]->type = t;
        added = cast->outputs[0];
    }

    ox_node *one = new_node(g, "prim::Constant", add);
    ox_node *addmm = one ? new_node(g, "aten::addmm", add) : NULL;
    ox_type *int_type = ox_type_new(g->arena, OX_TYPE_INT);
    if (!addmm || !int_type) return OX_NOMEM(g->ctx);
    one->outputs[0]->type = int_type;
    OX_TRY(ox_node_set_i(one, "value", 1));
    OX_TRY(ox_node_add_input(addmm, added));
    OX_TRY(ox_node_add_input(addmm, mat1));
    OX_TRY(ox_node_add_input(addmm, mat2));
    OX_TRY(ox_node_add_input(addmm, one->outputs[0]));
    OX_TRY(ox_node_add_input(addmm, one->outputs[0]));

    ox_value *out = add->outputs[0], *fused = addmm->outputs[0];
    fused->type = out->type;
    if (ox_value_has_name(out)) ox_value_set_name(fused, out->name);
    ox_value_replace_all_uses(out, fused);
    ox_node_destroy(add);
    if (mm->outputs[0]->nuses == 0) ox_node_destroy(mm);
    *done = true;
    return OX_OK;
}

static ox_status fuse_block(ox_graph *g, ox_block *b, bool *changed)
{
    for (ox_node *n = ox_block_first(b); n != b->ret;) {
        ox_node *next = n->next;
        for (int i = 0; i < n->nblocks; i++) OX_TRY(fuse_block(g, n->blocks[i], changed));
        if (ox_node_is(n, "aten::add") && n->ninputs == 3 && n->noutputs == 1 && is_tensor(n->inputs[0]) &&
            is_tensor(n->inputs[1]) && const_is_one(n->inputs[2])) {
            bool done = false;
            for (int side = 0; side < 2 && !done; side++) OX_TRY(fuse_side(g, n, side, &done));
            if (done) *changed = true;
        }
        n = next;
    }
    return OX_OK;
}

ox_status ox_pass_fuse_addmm(ox_graph *g, bool *changed)
{
    bool c = false;
    OX_TRY(fuse_block(g, g->top, &c));
    if (changed) *changed = c;
    return OX_OK;
}
