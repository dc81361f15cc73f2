/* torch.onnx.utils.unconvertible_ops: which ops of a model no symbolic
 * converts at an opset. As the seed: the graph as traced, then only the
 * passes that make kinds final (inlining has nothing to do here, in-place
 * ops keep their kind, erase_number_types, DCE), no conversion; every node
 * kind outside onnx:: and prim:: without a registered symbolic is listed, in
 * graph order. */
#include <stdlib.h>
#include <string.h>

#include "exporter.h"
#include "front/graph_reader.h"
#include "passes/passes.h"
#include "symbolic/symbolic.h"


static ox_status discover(ox_ctx *ctx, const char *json, size_t len, int opset, char **storage, const char ***ops,
                          size_t *n)
{
    ox_graph_description d;
    OX_TRY(ox_read_graph_structure(ctx, json, len, &d));
    OX_TRY(ox_pass_erase_number_types(d.graph, NULL));
    OX_TRY(ox_pass_dce(d.graph, NULL));
    size_t count = 0, bytes = 0;
    ox_block *b = d.graph->top;
    for (ox_node *x = ox_block_first(b); x != b->ret; x = x->next) {
        if (!strncmp(x->kind, "onnx::", 6) || !strncmp(x->kind, "prim::", 6)) continue;
        const char *key = ox_symbolic_key(ctx->arena, x->kind);
        if (!key) return OX_NOMEM(ctx);
        if (ox_symbolic_lookup(key, opset)) continue;
        count++;
        bytes += strlen(x->kind) + 1;
    }
    /* One malloc'ed block for the pointers and the strings: it outlives the arena. */
    char *block = malloc(count * sizeof(char *) + bytes + 1);
    if (!block) return OX_NOMEM(ctx);
    const char **list = (const char **)block;
    char *text = block + count * sizeof(char *);
    size_t k = 0;
    for (ox_node *x = ox_block_first(b); x != b->ret; x = x->next) {
        if (!strncmp(x->kind, "onnx::", 6) || !strncmp(x->kind, "prim::", 6)) continue;
        if (ox_symbolic_lookup(ox_symbolic_key(ctx->arena, x->kind), opset)) continue;
        size_t l = strlen(x->kind) + 1;
        memcpy(text, x->kind, l);
        list[k++] = text;
        text += l;
    }
    *storage = block;
    *ops = list;
    *n = count;
    return OX_OK;
}

onnxify_status onnxify_unconvertible_ops(onnxify_exporter *ex, const char *graph_json, size_t graph_len,
                                         int opset_version, const char *const **ops, size_t *n_ops)
{
    if (!ex) return ONNXIFY_ERR_INVALID_ARGUMENT;
    if (ops) *ops = NULL;
    if (n_ops) *n_ops = 0;
    if (!ops || !n_ops || !graph_json)
        return ox_exporter_set_error(ex, ONNXIFY_ERR_INVALID_ARGUMENT, "graph_json, ops and n_ops are required");
    int opset = opset_version ? opset_version : ONNXIFY_DEFAULT_OPSET;
    if (opset < ONNXIFY_MIN_OPSET || opset > ONNXIFY_MAX_OPSET)
        return ox_exporter_set_error(ex, ONNXIFY_ERR_INVALID_ARGUMENT, "Unsupported ONNX opset version");
    ox_arena *arena = ox_arena_new();
    if (!arena) return ox_exporter_set_error(ex, ONNXIFY_ERR_OUT_OF_MEMORY, "out of memory");
    ox_ctx ctx;
    ox_ctx_init(&ctx, arena);
    ctx.opset = opset;
    char *storage = NULL;
    const char **list = NULL;
    size_t n = 0;
    ox_status st = discover(&ctx, graph_json, graph_len, opset, &storage, &list, &n);
    if (st == OX_OK) {
        ox_exporter_keep_list(ex, storage);
        ox_exporter_set_error(ex, OX_OK, NULL);
        *ops = list;
        *n_ops = n;
    } else {
        /* torch: OnnxExporterError, with onnxify's reason after it */
        char *msg = ox_arena_printf(arena,
                                    "Failed to discover unconvertible ops because of errors during the JIT graph "
                                    "generation process. %s",
                                    ctx.message ? ctx.message : "");
        ox_exporter_set_error(ex, st == ONNXIFY_ERR_OUT_OF_MEMORY ? st : ONNXIFY_ERR_EXPORTER,
                              msg ? msg : "Failed to discover unconvertible ops");
        st = st == ONNXIFY_ERR_OUT_OF_MEMORY ? st : ONNXIFY_ERR_EXPORTER;
    }
    ox_ctx_release(&ctx);
    ox_arena_free(arena);
    return st;
}
