/* Text forms of the IR: one-line node descriptions for error messages and a
 * TorchScript-like dump of a whole graph for verbose logs and tests. */
#include <inttypes.h>

#include "ir/ir.h"
#include "util/strbuf.h"

static void type_text(ox_strbuf *sb, const ox_type *t)
{
    if (!t) {
        ox_sb_append(sb, "?");
        return;
    }
    switch (t->kind) {
    case OX_TYPE_TENSOR: {
        const char *dt = ox_dtype_name(t->dtype);
        ox_sb_append(sb, dt ? dt : "Tensor");
        if (t->rank >= 0) {
            ox_sb_append(sb, "(");
            for (int i = 0; i < t->rank; i++) {
                if (i) ox_sb_append(sb, ", ");
                if (t->dim_names && t->dim_names[i]) ox_sb_append(sb, t->dim_names[i]);
                else if (t->dims[i] < 0) ox_sb_append(sb, "*");
                else ox_sb_printf(sb, "%" PRId64, t->dims[i]);
            }
            ox_sb_append(sb, ")");
        }
        return;
    }
    case OX_TYPE_LIST:
    case OX_TYPE_OPTIONAL:
        ox_sb_append(sb, t->kind == OX_TYPE_LIST ? "List[" : "Optional[");
        type_text(sb, t->nelems ? t->elems[0] : NULL);
        ox_sb_append(sb, "]");
        return;
    case OX_TYPE_TUPLE:
        ox_sb_append(sb, "Tuple[");
        for (int i = 0; i < t->nelems; i++) {
            if (i) ox_sb_append(sb, ", ");
            type_text(sb, t->elems[i]);
        }
        ox_sb_append(sb, "]");
        return;
    default:
        ox_sb_append(sb, ox_type_kind_name(t->kind));
    }
}

static void attr_text(ox_strbuf *sb, const ox_attr *a)
{
    ox_sb_printf(sb, "%s=", a->name);
    switch (a->kind) {
    case OX_ATTR_F: ox_sb_printf(sb, "%g", a->v.f); break;
    case OX_ATTR_I: ox_sb_printf(sb, "%" PRId64, a->v.i); break;
    case OX_ATTR_S: ox_sb_printf(sb, "\"%s\"", a->v.s); break;
    case OX_ATTR_T: {
        const ox_tensor *t = a->v.t;
        ox_sb_printf(sb, "<%s tensor", ox_dtype_name(t->dtype) ? ox_dtype_name(t->dtype) : "?");
        for (int i = 0; i < t->rank; i++) ox_sb_printf(sb, "%s%" PRId64, i ? "x" : " ", t->dims[i]);
        if (t->rank == 0 && t->data) {
            if (ox_dtype_is_floating(t->dtype)) ox_sb_printf(sb, " %g", ox_tensor_get_f(t, 0));
            else ox_sb_printf(sb, " %" PRId64, ox_tensor_get_i(t, 0));
        }
        ox_sb_append(sb, ">");
        break;
    }
    case OX_ATTR_IS:
        ox_sb_append(sb, "[");
        for (int i = 0; i < a->n; i++) ox_sb_printf(sb, "%s%" PRId64, i ? ", " : "", a->v.is[i]);
        ox_sb_append(sb, "]");
        break;
    case OX_ATTR_FS:
        ox_sb_append(sb, "[");
        for (int i = 0; i < a->n; i++) ox_sb_printf(sb, "%s%g", i ? ", " : "", a->v.fs[i]);
        ox_sb_append(sb, "]");
        break;
    default: ox_sb_printf(sb, "<%s>", ox_attr_kind_name(a->kind));
    }
}

const char *ox_node_describe(ox_node *n)
{
    ox_strbuf sb;
    ox_sb_init(&sb, n->graph->arena);
    ox_sb_printf(&sb, "node '%s'", n->kind);
    if (n->noutputs) ox_sb_printf(&sb, " (output '%s')", ox_value_name(n->outputs[0]));
    if (n->scope && *n->scope) ox_sb_printf(&sb, ", scope '%s'", n->scope);
    if (n->source && *n->source) ox_sb_printf(&sb, ", defined at %s", n->source);
    const char *s = ox_sb_str(&sb);
    return s ? s : n->kind;
}

static void block_text(ox_strbuf *sb, ox_block *b, int indent)
{
    for (ox_node *n = ox_block_first(b); n != b->ret; n = n->next) {
        ox_sb_printf(sb, "%*s", indent, "");
        for (int i = 0; i < n->noutputs; i++) {
            ox_sb_printf(sb, "%s%%%s : ", i ? ", " : "", ox_value_name(n->outputs[i]));
            type_text(sb, n->outputs[i]->type);
        }
        ox_sb_printf(sb, "%s%s", n->noutputs ? " = " : "", n->kind);
        if (n->attrs) {
            ox_sb_append(sb, "[");
            for (ox_attr *a = n->attrs; a; a = a->next) {
                attr_text(sb, a);
                if (a->next) ox_sb_append(sb, ", ");
            }
            ox_sb_append(sb, "]");
        }
        ox_sb_append(sb, "(");
        for (int i = 0; i < n->ninputs; i++)
            ox_sb_printf(sb, "%s%%%s", i ? ", " : "", ox_value_name(n->inputs[i]));
        ox_sb_append(sb, ")");
        if (n->name) ox_sb_printf(sb, "  # %s", n->name);
        ox_sb_append(sb, "\n");
        for (int k = 0; k < n->nblocks; k++) {
            ox_block *sub = n->blocks[k];
            ox_sb_printf(sb, "%*sblock%d(", indent + 2, "", k);
            for (int i = 0; i < ox_block_ninputs(sub); i++)
                ox_sb_printf(sb, "%s%%%s", i ? ", " : "", ox_value_name(ox_block_input(sub, i)));
            ox_sb_append(sb, "):\n");
            block_text(sb, sub, indent + 4);
        }
    }
    ox_sb_printf(sb, "%*sreturn (", indent, "");
    for (int i = 0; i < ox_block_noutputs(b); i++)
        ox_sb_printf(sb, "%s%%%s", i ? ", " : "", ox_value_name(ox_block_output(b, i)));
    ox_sb_append(sb, ")\n");
}

const char *ox_graph_to_text(ox_graph *g)
{
    ox_strbuf sb;
    ox_sb_init(&sb, g->arena);
    ox_sb_append(&sb, "graph(");
    for (int i = 0; i < ox_block_ninputs(g->top); i++) {
        ox_value *v = ox_block_input(g->top, i);
        ox_sb_printf(&sb, "%s%%%s : ", i ? ",\n      " : "", ox_value_name(v));
        type_text(&sb, v->type);
    }
    ox_sb_append(&sb, "):\n");
    block_text(&sb, g->top, 2);
    return ox_sb_str(&sb);
}
