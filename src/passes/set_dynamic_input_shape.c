/* dynamic_axes on graph inputs and outputs.
 *
 * Before the conversion (seed: _jit_pass_onnx_set_dynamic_input_shape, step
 * 21): the dims of graph inputs named in dynamic_axes become unknown and
 * carry their names (the symbolic dims of torch's shape inference), so no
 * symbolic and no shape folding bakes the traced size in. torch finds the
 * inputs through input_names only; onnxify also accepts an input's own name
 * (the one the exported model will carry), so naming it that way never
 * gives a model that claims a dynamic dim while computing with the traced
 * size.
 *
 * After the pipeline (seed: the serializer's dynamic_axes lookup, 2.4 item
 * 11): inputs and outputs whose final name is a key get dim_param names on
 * those dims; torch ignores output axes past the rank (onnxify warns). */
#include <stdio.h>
#include <string.h>

#include "passes/passes.h"

bool ox_dynamic_axes_key_is_input(ox_graph *g, int i, const char *key, const char *const *input_names,
                                  size_t n_input_names)
{
    if (!key || i < 0 || i >= ox_block_ninputs(g->top)) return false;
    if ((size_t)i < n_input_names) return input_names && input_names[i] && !strcmp(key, input_names[i]);
    ox_value *v = ox_block_input(g->top, i);
    if (ox_value_has_name(v)) return !strcmp(v->name, key);
    /* unnamed: canonical numbering gives block inputs the first numbers, and
     * the friendly names pass calls a consumed one "<consumer kind>_<number>" */
    char num[24];
    snprintf(num, sizeof num, "%d", i);
    if (!strcmp(key, num)) return true;
    size_t kl = strlen(key), nl = strlen(num);
    if (kl < nl + 5 || key[kl - nl - 1] != '_' || strcmp(key + kl - nl, num) != 0) return false;
    const char *sep = strstr(key, "::");
    return sep && sep > key && sep + 2 < key + kl - nl - 1;
}

/* A private copy of v's tensor type with a dim_names array. */
static ox_type *own_type(ox_graph *g, ox_value *v, ox_type **t)
{
    if (*t) return *t;
    ox_type *c = ox_type_copy(g->arena, v->type);
    if (!c) return NULL;
    if (!c->dim_names && c->rank > 0) {
        c->dim_names = ox_arena_alloc(g->arena, (size_t)c->rank * sizeof(char *));
        if (!c->dim_names) return NULL;
    }
    *t = c;
    return c;
}

ox_status ox_pass_set_dynamic_input_shape(ox_graph *g, const ox_dynamic_axes_entry *axes, size_t n,
                                          const char *const *input_names, size_t n_input_names, bool *changed)
{
    if (changed) *changed = false;
    for (int i = 0; i < ox_block_ninputs(g->top); i++) {
        ox_value *v = ox_block_input(g->top, i);
        if (v->init) continue; /* a parameter: its size is its data's */
        ox_type *t = NULL;
        for (size_t k = 0; k < n; k++) {
            const ox_dynamic_axes_entry *e = &axes[k];
            if (!ox_dynamic_axes_key_is_input(g, i, e->key, input_names, n_input_names)) continue;
            if (!ox_type_is_tensor(v->type)) break; /* torch skips inputs that are not tensors */
            if (v->type->rank < 0)
                return ox_fail(g->ctx, ONNXIFY_ERR_INVALID_ARGUMENT,
                               "dynamic_axes: input '%s' has no known rank (Input tensor shape should have value.)",
                               e->key);
            for (int a = 0; a < e->naxes; a++) {
                int64_t axis = e->axes[a].axis;
                if (axis < 0 || axis >= v->type->rank)
                    return ox_fail(g->ctx, ONNXIFY_ERR_INVALID_ARGUMENT,
                                   "dynamic_axes: axis %lld of input '%s' is out of range: the input has rank %d "
                                   "(axes count from 0)",
                                   (long long)axis, e->key, v->type->rank);
                if (!own_type(g, v, &t)) return OX_NOMEM(g->ctx);
                t->dims[axis] = OX_DIM_UNKNOWN;
                t->dim_names[axis] = e->axes[a].name;
            }
        }
        if (t) {
            v->type = t;
            if (changed) *changed = true;
        }
    }
    return OX_OK;
}

static ox_status name_dims(ox_graph *g, ox_value *v, const ox_dynamic_axes_entry *e, const char *what, bool *changed)
{
    if (!ox_type_is_tensor(v->type) || v->type->rank < 0) return OX_OK; /* torch writes no shape */
    ox_type *t = NULL;
    for (int a = 0; a < e->naxes; a++) {
        int64_t axis = e->axes[a].axis;
        if (axis < 0 || axis >= v->type->rank) {
            ox_warn(g->ctx, "dynamic_axes: axis %lld of %s '%s' is out of range for its rank %d and is ignored",
                    (long long)axis, what, e->key, v->type->rank);
            continue;
        }
        const char *cur = v->type->dim_names ? v->type->dim_names[axis] : NULL;
        if (v->type->dims[axis] == OX_DIM_UNKNOWN && cur && !strcmp(cur, e->axes[a].name)) continue;
        if (!own_type(g, v, &t)) return OX_NOMEM(g->ctx);
        t->dims[axis] = OX_DIM_UNKNOWN;
        t->dim_names[axis] = e->axes[a].name;
    }
    if (t) {
        v->type = t;
        *changed = true;
    }
    return OX_OK;
}

ox_status ox_pass_apply_dynamic_axes_names(ox_graph *g, const ox_dynamic_axes_entry *axes, size_t n, bool *changed)
{
    bool c = false;
    ox_block *b = g->top;
    for (size_t k = 0; k < n; k++) {
        const ox_dynamic_axes_entry *e = &axes[k];
        bool found = false;
        for (int i = 0; i < ox_block_ninputs(b); i++) {
            ox_value *v = ox_block_input(b, i);
            if (!v->name || strcmp(v->name, e->key) != 0) continue;
            found = true;
            if (!v->init) OX_TRY(name_dims(g, v, e, "input", &c));
        }
        for (int i = 0; i < ox_block_noutputs(b); i++) {
            ox_value *v = ox_block_output(b, i);
            if (!v->name || strcmp(v->name, e->key) != 0) continue;
            found = true;
            OX_TRY(name_dims(g, v, e, "output", &c));
        }
        if (!found && e->check_name_late)
            ox_warn(g->ctx, "Provided key %s for dynamic axes is not a valid input/output name", e->key);
    }
    if (changed) *changed = c;
    return OX_OK;
}
