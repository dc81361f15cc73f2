/* Node attributes: an ordered list; setting a name again replaces in place. */
#include <string.h>

#include "ir/ir.h"

const char *ox_attr_kind_name(ox_attr_kind k)
{
    static const char *names[] = {"f", "fs", "i", "is", "s", "ss", "t", "ts", "g", "gs"};
    return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

ox_attr *ox_node_attr(const ox_node *n, const char *name)
{
    for (ox_attr *a = n->attrs; a; a = a->next)
        if (strcmp(a->name, name) == 0) return a;
    return NULL;
}

bool ox_node_has_attr(const ox_node *n, const char *name) { return ox_node_attr(n, name) != NULL; }

static ox_graph *graph_of(ox_node *n) { return n->graph; }

/* Finds or appends the attribute `name`; resets its payload. */
static ox_attr *slot(ox_node *n, ox_arena *a, ox_graph *g, const char *name, ox_attr_kind kind)
{
    ox_attr *at = ox_node_attr(n, name);
    if (!at) {
        at = ox_arena_alloc(a, sizeof(*at));
        if (!at) return NULL;
        at->name = g ? ox_intern(g, name) : ox_arena_strdup(a, name);
        if (!at->name) return NULL;
        ox_attr **tail = &n->attrs;
        while (*tail) tail = &(*tail)->next;
        *tail = at;
    }
    at->kind = kind;
    at->n = 0;
    memset(&at->v, 0, sizeof(at->v));
    return at;
}

static ox_arena *arena_of(ox_node *n, ox_graph **g)
{
    *g = graph_of(n);
    return *g ? (*g)->arena : NULL;
}

#define SETTER_PROLOGUE(kind)                                  \
    ox_graph *g;                                               \
    ox_arena *a = arena_of(n, &g);                             \
    if (!a) return ONNXIFY_ERR_INTERNAL;                       \
    ox_attr *at = slot(n, a, g, name, kind);                   \
    if (!at) return OX_NOMEM(g->ctx)

ox_status ox_node_set_f(ox_node *n, const char *name, double v)
{
    SETTER_PROLOGUE(OX_ATTR_F);
    at->v.f = v;
    return OX_OK;
}

ox_status ox_node_set_i(ox_node *n, const char *name, int64_t v)
{
    SETTER_PROLOGUE(OX_ATTR_I);
    at->v.i = v;
    return OX_OK;
}

ox_status ox_node_set_s(ox_node *n, const char *name, const char *v)
{
    SETTER_PROLOGUE(OX_ATTR_S);
    at->v.s = ox_arena_strdup(a, v);
    return at->v.s ? OX_OK : OX_NOMEM(g->ctx);
}

ox_status ox_node_set_t(ox_node *n, const char *name, ox_tensor *t)
{
    SETTER_PROLOGUE(OX_ATTR_T);
    at->v.t = t;
    return OX_OK;
}

ox_status ox_node_set_g(ox_node *n, const char *name, ox_block *b)
{
    SETTER_PROLOGUE(OX_ATTR_G);
    at->v.g = b;
    return OX_OK;
}

#define LIST_SETTER(fn, KIND, field, T)                                         \
    ox_status fn(ox_node *n, const char *name, T const *v, int count)           \
    {                                                                           \
        SETTER_PROLOGUE(KIND);                                                  \
        at->n = count;                                                          \
        at->v.field = ox_arena_alloc(a, (size_t)(count ? count : 1) * sizeof(T)); \
        if (!at->v.field) return OX_NOMEM(g->ctx);                              \
        if (count) memcpy((void *)at->v.field, v, (size_t)count * sizeof(T));    \
        return OX_OK;                                                           \
    }

LIST_SETTER(ox_node_set_fs, OX_ATTR_FS, fs, double)
LIST_SETTER(ox_node_set_is, OX_ATTR_IS, is, int64_t)
LIST_SETTER(ox_node_set_ss, OX_ATTR_SS, ss, const char *)
LIST_SETTER(ox_node_set_ts, OX_ATTR_TS, ts, ox_tensor *)
LIST_SETTER(ox_node_set_gs, OX_ATTR_GS, gs, ox_block *)

void ox_node_remove_attr(ox_node *n, const char *name)
{
    for (ox_attr **p = &n->attrs; *p; p = &(*p)->next)
        if (strcmp((*p)->name, name) == 0) {
            *p = (*p)->next;
            return;
        }
}

void ox_node_sort_attrs(ox_node *n)
{
    /* insertion sort on the list: attribute lists are short */
    ox_attr *sorted = NULL;
    for (ox_attr *a = n->attrs, *next; a; a = next) {
        next = a->next;
        ox_attr **p = &sorted;
        while (*p && strcmp((*p)->name, a->name) <= 0) p = &(*p)->next;
        a->next = *p;
        *p = a;
    }
    n->attrs = sorted;
}

ox_status ox_node_copy_attr(ox_node *n, const ox_attr *s, const char *name)
{
    switch (s->kind) {
    case OX_ATTR_F: return ox_node_set_f(n, name, s->v.f);
    case OX_ATTR_I: return ox_node_set_i(n, name, s->v.i);
    case OX_ATTR_S: return ox_node_set_s(n, name, s->v.s);
    case OX_ATTR_T: return ox_node_set_t(n, name, s->v.t);
    case OX_ATTR_G: return ox_node_set_g(n, name, s->v.g);
    case OX_ATTR_FS: return ox_node_set_fs(n, name, s->v.fs, s->n);
    case OX_ATTR_IS: return ox_node_set_is(n, name, s->v.is, s->n);
    case OX_ATTR_SS: return ox_node_set_ss(n, name, s->v.ss, s->n);
    case OX_ATTR_TS: return ox_node_set_ts(n, name, s->v.ts, s->n);
    case OX_ATTR_GS: return ox_node_set_gs(n, name, s->v.gs, s->n);
    }
    return OX_OK;
}

ox_status ox_node_copy_attrs(ox_node *n, const ox_node *from)
{
    for (const ox_attr *s = from->attrs; s; s = s->next) OX_TRY(ox_node_copy_attr(n, s, s->name));
    return OX_OK;
}
