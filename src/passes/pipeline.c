/* The pass pipeline, in the order of the seed's _optimize_graph,
 * _model_to_graph and _export. A failing pass is reported with its name and
 * the passes that ran before it. */
#include "passes/pipeline.h"

#include <string.h>

#include "util/strbuf.h"

typedef struct run {
    ox_ctx *ctx;
    ox_strbuf done;          /* names of the passes that ran */
} run;

static ox_status step(run *r, const char *name, ox_status st)
{
    if (st != OX_OK) {
        const char *before = ox_sb_str(&r->done);
        if (st != ONNXIFY_ERR_UNSUPPORTED_OPERATOR && st != ONNXIFY_ERR_SYMBOLIC_VALUE &&
            st != ONNXIFY_ERR_INVALID_ARGUMENT)
            ox_fail_prefix(r->ctx, "in pass '%s' (after %s): ", name, before && *before ? before : "none");
        return st;
    }
    ox_sb_printf(&r->done, "%s%s", r->done.len ? ", " : "", name);
    return OX_OK;
}

#define STEP(name, call) OX_TRY(step(&r, name, (call)))

ox_status ox_run_pipeline(ox_graph *tg, const ox_export_settings *s, const onnxify_options *opt, ox_graph **out)
{
    run r = {.ctx = tg->ctx};
    ox_sb_init(&r.done, tg->arena);

    /* _optimize_graph: torch-level passes */
    STEP("lower_all_tuples", ox_pass_lower_tuples(tg, NULL));
    STEP("constant_propagation", ox_pass_constant_propagation(tg, NULL));
    STEP("dce", ox_pass_dce(tg, NULL));
    STEP("cse", ox_pass_cse(tg, NULL));
    STEP("canonicalize_graph_fuser_ops", ox_pass_canonicalize_fuser_ops(tg, NULL));
    STEP("peephole", ox_pass_peephole(tg, NULL));
    STEP("fuse_addmm", ox_pass_fuse_addmm(tg, NULL));
    STEP("peephole", ox_pass_peephole(tg, NULL));
    STEP("lower_all_tuples", ox_pass_lower_tuples(tg, NULL));
    STEP("onnx_remove_inplace_ops_for_onnx", ox_pass_remove_inplace_ops(tg, NULL));
    STEP("onnx_preprocess", ox_pass_onnx_preprocess(tg, NULL));
    STEP("remove_print", ox_pass_remove_print(tg, NULL));
    STEP("erase_number_types", ox_pass_erase_number_types(tg, NULL));
    STEP("dce", ox_pass_dce(tg, NULL));
    if (s->n_dynamic_axes && s->onnx_shape_inference) {
        /* seed step 21, and what torch's shape inference then knows */
        STEP("onnx_set_dynamic_input_shape",
             ox_pass_set_dynamic_input_shape(tg, s->dynamic_axes, s->n_dynamic_axes, opt->input_names,
                                             opt->n_input_names, NULL));
        STEP("propagate_dynamic_dims", ox_pass_propagate_dynamic_dims(tg, NULL));
    }

    /* the conversion and the onnx-level cleanups */
    ox_graph *g;
    STEP("onnx", ox_pass_to_onnx(tg, s, &g));
    STEP("scalar_type_analysis", ox_pass_scalar_type_analysis(g, s->opset, NULL));
    STEP("onnx_peephole", ox_pass_onnx_peephole(g, s->opset, NULL));
    /* what torch's ONNX shape inference settles after the conversion */
    if (s->onnx_shape_inference)
        STEP("onnx_shape_inference_constants", ox_pass_fold_static_shapes(g, s->opset, NULL));
    STEP("dce_allow_deleting_nodes_with_side_effects", ox_pass_dce(g, NULL));
    STEP("canonicalize", ox_pass_canonicalize(g, NULL));

    /* _model_to_graph */
    STEP("set_input_and_output_names", ox_set_input_and_output_names(g, opt));
    if (s->training_mode == ONNXIFY_TRAINING_EVAL || !s->training)
        STEP("onnx_eval_peephole", ox_pass_eval_peephole(g, s->opset, NULL));
    if (s->do_constant_folding && s->opset >= 9) {
        STEP("onnx_constant_fold", ox_pass_constant_fold(g, s->opset, NULL));
        STEP("dce_allow_deleting_nodes_with_side_effects", ox_pass_dce(g, NULL));
    }
    STEP("onnx_eliminate_unused_items", ox_pass_eliminate_unused_items(g, NULL));
    if (s->opset < 9) STEP("onnx_cast_all_constant_to_floating", ox_pass_cast_all_constant_to_floating(g, NULL));
    STEP("apply_friendly_debug_names", ox_pass_friendly_names(g, NULL));

    /* _export */
    STEP("dce_allow_deleting_nodes_with_side_effects", ox_pass_dce(g, NULL));
    STEP("onnx_deduplicate_initializers", ox_pass_deduplicate_initializers(g, s->training, NULL));
    STEP("onnx_assign_scoped_names_for_node_and_value", ox_pass_scoped_names(g, NULL));
    /* the serializer's dynamic_axes lookup, by final input/output names */
    if (s->n_dynamic_axes)
        STEP("dynamic_axes_names", ox_pass_apply_dynamic_axes_names(g, s->dynamic_axes, s->n_dynamic_axes, NULL));
    if (s->verbose) ox_info(tg->ctx, "Exported graph: %s", ox_graph_to_text(g));
    *out = g;
    return OX_OK;
}

/* When a value is already an earlier output, later positions get their own
 * value through an Identity right after the value's producer (torch's
 * order: Gemm, Identity, Identity, Gemm, Identity for o1,o1,o2,o1,o2), so
 * each output can carry its own name. */
static ox_status separate_duplicate_output(ox_graph *g, int i)
{
    ox_block *b = g->top;
    ox_value *v = ox_block_output(b, i);
    for (int j = 0; j < i; j++)
        if (ox_block_output(b, j) == v) {
            ox_node *id = ox_node_new(g, "onnx::Identity", 1);
            if (!id) return OX_NOMEM(g->ctx);
            OX_TRY(ox_node_add_input(id, v));
            id->outputs[0]->type = v->type;
            if (v->node == v->node->owner->param) ox_block_prepend(v->node->owner, id);
            else ox_node_insert_after(id, v->node);
            ox_block_set_output(b, i, id->outputs[0]);
            return OX_OK;
        }
    return OX_OK;
}

ox_status ox_set_input_and_output_names(ox_graph *g, const onnxify_options *opt)
{
    ox_block *b = g->top;
    size_t nin = (size_t)ox_block_ninputs(b), nout = (size_t)ox_block_noutputs(b);
    if (opt->n_input_names > nin)
        return ox_fail(g->ctx, ONNXIFY_ERR_INVALID_ARGUMENT,
                       "number of input names provided (%zu) exceeded number of inputs (%zu)", opt->n_input_names, nin);
    if (opt->n_output_names > nout)
        return ox_fail(g->ctx, ONNXIFY_ERR_INVALID_ARGUMENT,
                       "number of output names provided (%zu) exceeded number of outputs (%zu)", opt->n_output_names,
                       nout);
    for (size_t i = 0; i < opt->n_input_names; i++) {
        if (!opt->input_names[i] || !*opt->input_names[i])
            return ox_fail(g->ctx, ONNXIFY_ERR_INVALID_ARGUMENT, "input name %zu is empty", i);
        ox_value_set_name(ox_block_input(b, (int)i), opt->input_names[i]);
    }
    for (size_t i = 0; i < opt->n_output_names; i++) {
        if (!opt->output_names[i] || !*opt->output_names[i])
            return ox_fail(g->ctx, ONNXIFY_ERR_INVALID_ARGUMENT, "output name %zu is empty", i);
        OX_TRY(separate_duplicate_output(g, (int)i));
        ox_value *v = ox_block_output(b, (int)i);
        if (ox_value_is_graph_input(v) && i < opt->n_input_names) continue; /* keep the input's name */
        ox_value_set_name(v, opt->output_names[i]);
    }
    return OX_OK;
}
