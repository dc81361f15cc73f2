/* Node names from module scopes and output names from node names (seed:
 * _jit_pass_onnx_assign_scoped_names_for_node_and_value). A node in scope
 * "M::/torch.nn.modules.conv.Conv2d::conv1" is named "/conv1/Conv"; repeats
 * get "_1", "_2"; nodes without a scope are "<op_type>_<k>" with k the count
 * of nodes named before. Outputs of scoped nodes that are not graph outputs
 * become "<node name>_output_<i>". */
#include <string.h>

#include "passes/passes.h"
#include "util/strbuf.h"
#include "util/strmap.h"

typedef struct namer {
    ox_graph *g;
    ox_strmap used;          /* node name -> next suffix */
    ox_strmap paths;         /* module-call path -> next suffix */
    unsigned named;          /* nodes named so far */
} namer;

/* "A::/B::layer1/C::conv" -> "/layer1/conv" ("" for the root alone). */
static const char *scope_path(ox_arena *a, const char *scope)
{
    ox_strbuf sb;
    ox_sb_init(&sb, a);
    const char *p = scope;
    bool first = true;
    while (p && *p) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *sep = NULL;
        for (const char *q = p; q + 1 < p + len; q++)
            if (q[0] == ':' && q[1] == ':') sep = q;
        const char *name = sep ? sep + 2 : p + len;
        size_t nlen = (size_t)(p + len - name);
        if (!first) ox_sb_append(&sb, "/");
        ox_sb_appendn(&sb, name, nlen);
        first = false;
        p = end ? end + 1 : NULL;
    }
    const char *s = ox_sb_str(&sb);
    return s && *s ? ox_arena_printf(a, "/%s", *s == '/' ? s + 1 : s) : "";
}

/* `base`, or `base_1`, `base_2`, ... when taken. The map holds, per base,
 * the next suffix to try. */
static const char *unique_in(namer *nm, ox_strmap *used, const char *base)
{
    if (!base) return NULL;
    uintptr_t next = (uintptr_t)ox_strmap_get(used, base);
    const char *name = base;
    if (next)
        do name = ox_arena_printf(nm->g->arena, "%s_%lu", base, (unsigned long)next++);
        while (name && ox_strmap_get(used, name));
    else
        next = 1;
    if (!name || !ox_strmap_put(used, base, (void *)next)) return NULL;
    if (name != base && !ox_strmap_put(used, name, (void *)1)) return NULL;
    return name;
}

static const char *unique(namer *nm, const char *base) { return unique_in(nm, &nm->used, base); }

/* The raw path of a module call from the root: "/layer1/relu". */
static const char *raw_path(namer *nm, ox_scope *sc)
{
    if (!sc->parent) return "";
    const char *parent = raw_path(nm, sc->parent);
    const char *sep = strstr(sc->atom, "::");
    return parent ? ox_arena_printf(nm->g->arena, "%s/%s", parent, sep ? sep + 2 : sc->atom) : NULL;
}

/* The path of a module call: its raw path made unique per call, as torch
 * names scopes ("/layer1/relu" then "/layer1/relu_1" for a second call; the
 * child of a container called twice is "/enc/relu_1", not "/enc_1/relu"). */
static const char *call_path(namer *nm, ox_scope *sc)
{
    if (sc->path) return sc->path;
    if (!sc->parent) return sc->path = "";
    return sc->path = unique_in(nm, &nm->paths, raw_path(nm, sc));
}

static ox_status name_block(namer *nm, ox_block *b)
{
    ox_arena *a = nm->g->arena;
    for (ox_node *n = ox_block_first(b); n != b->ret; n = n->next) {
        /* sub-blocks first, as torch's PopulateNodeNames */
        for (int i = 0; i < n->nblocks; i++) OX_TRY(name_block(nm, n->blocks[i]));
        if (ox_node_is(n, "prim::Constant") && n->noutputs == 1 && ox_value_is_none(n->outputs[0])) continue;
        const char *op = ox_kind_name(n->kind);
        const char *name;
        bool scoped = n->scope && *n->scope;
        if (scoped) {
            const char *path = n->scope_inst ? call_path(nm, n->scope_inst) : scope_path(a, n->scope);
            name = path ? unique(nm, ox_arena_printf(a, "%s/%s", path, op)) : NULL;
        } else {
            name = unique(nm, ox_arena_printf(a, "%s_%u", op, nm->named));
        }
        if (!name) return OX_NOMEM(nm->g->ctx);
        n->name = name;
        nm->named++;
        if (scoped)
            for (int i = 0; i < n->noutputs; i++)
                if (!ox_value_is_graph_output(n->outputs[i]))
                    n->outputs[i]->name = ox_arena_printf(a, "%s_output_%d", name, i);
    }
    return OX_OK;
}

ox_status ox_pass_scoped_names(ox_graph *g, bool *changed)
{
    namer nm = {.g = g};
    ox_strmap_init(&nm.used, g->arena);
    ox_strmap_init(&nm.paths, g->arena);
    OX_TRY(name_block(&nm, g->top));
    if (changed) *changed = true;
    return OX_OK;
}
