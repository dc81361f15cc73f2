/* Every pass: (graph, ctx) -> status, reporting through *changed whether it
 * modified the graph (changed may be NULL). pipeline.c holds the order. */
#ifndef OX_PASSES_H
#define OX_PASSES_H

#include "ir/ir.h"

typedef ox_status (*ox_pass_fn)(ox_graph *g, bool *changed);

/* The export settings the passes read (from onnxify_options, decided by export.c). */
typedef struct ox_custom_opset {
    const char *domain;
    int64_t version;
} ox_custom_opset;

/* dynamic_axes, validated by export.c: one entry per key, in the given
 * order; list forms already carry their generated names. */
typedef struct ox_dynamic_axis {
    int64_t axis;
    const char *name;
} ox_dynamic_axis;

typedef struct ox_dynamic_axes_entry {
    const char *key;
    const ox_dynamic_axis *axes;
    int naxes;
    /* The key names no input and no given output name: whether it is a valid
     * name is known only once the exported outputs have their final names. */
    bool check_name_late;
} ox_dynamic_axes_entry;

typedef struct ox_export_settings {
    int opset;
    bool training;                   /* export_training (TRAINING, or PRESERVE of a training model) */
    onnxify_training_mode training_mode;
    onnxify_operator_export_type export_type;
    bool do_constant_folding;
    bool keep_initializers_as_inputs;
    bool export_params;
    bool verbose;
    /* torch's private onnx_shape_inference (default on): static sizes settle
     * into constants during the conversion. Symbolic unit tests turn it off
     * to see what a symbolic emits. */
    bool onnx_shape_inference;
    const ox_custom_opset *custom_opsets; /* custom_opsets: {domain: version} */
    size_t n_custom_opsets;
    const ox_dynamic_axes_entry *dynamic_axes; /* dynamic_axes; NULL when none */
    size_t n_dynamic_axes;
} ox_export_settings;

/* ---- torch-level (seed: _optimize_graph, before the conversion) ---- */
ox_status ox_pass_lower_tuples(ox_graph *g, bool *changed);
ox_status ox_pass_constant_propagation(ox_graph *g, bool *changed);
ox_status ox_pass_dce(ox_graph *g, bool *changed);
ox_status ox_pass_cse(ox_graph *g, bool *changed);
ox_status ox_pass_canonicalize_fuser_ops(ox_graph *g, bool *changed); /* chunk+ListUnpack -> ConstantChunk */
ox_status ox_pass_peephole(ox_graph *g, bool *changed);       /* _jit_pass_peephole(graph, True) */
ox_status ox_pass_fuse_addmm(ox_graph *g, bool *changed);
ox_status ox_pass_onnx_preprocess(ox_graph *g, bool *changed);   /* split/unbind+ListUnpack fusion */
ox_status ox_pass_remove_print(ox_graph *g, bool *changed);
ox_status ox_pass_erase_number_types(ox_graph *g, bool *changed);
ox_status ox_pass_remove_inplace_ops(ox_graph *g, bool *changed);
/* An in-place aten op writing into a view of another tensor (a side effect
 * DCE must keep; remove_inplace_ops refuses it). */
bool ox_writes_into_view(const ox_node *n);

/* dynamic_axes (set_dynamic_input_shape.c, propagate_dynamic_dims.c).
 * Whether `key` names top-block input i of the TorchScript graph:
 * input_names[i] when given, else its debug name, or for an unnamed input
 * the name the exported model gives it (its number "3", or "onnx::Conv_3"). */
bool ox_dynamic_axes_key_is_input(ox_graph *g, int i, const char *key, const char *const *input_names,
                                  size_t n_input_names);
/* seed: _jit_pass_onnx_set_dynamic_input_shape: the named dims of graph
 * inputs become unknown and carry their dynamic_axes names. */
ox_status ox_pass_set_dynamic_input_shape(ox_graph *g, const ox_dynamic_axes_entry *axes, size_t n,
                                          const char *const *input_names, size_t n_input_names, bool *changed);
/* The traced sizes of values that depend on dynamic input dims become
 * unknown (onnxify's stand-in for the symbolic shapes of torch's ONNX shape
 * inference), dynamic_axes names flowing along where a dim flows unchanged. */
ox_status ox_pass_propagate_dynamic_dims(ox_graph *g, bool *changed);
/* On the exported graph (final names): inputs and outputs named in
 * dynamic_axes get the dim names (seed: the serializer's dynamic_axes
 * lookup); keys matching no input/output name are reported (warning). */
ox_status ox_pass_apply_dynamic_axes_names(ox_graph *g, const ox_dynamic_axes_entry *axes, size_t n, bool *changed);

/* ---- the conversion (seed: _jit_pass_onnx) ---- */
/* Builds the ONNX graph from the TorchScript graph `in`. */
ox_status ox_pass_to_onnx(ox_graph *in, const ox_export_settings *s, ox_graph **out);

/* ---- onnx-level (after the conversion) ---- */
ox_status ox_pass_scalar_type_analysis(ox_graph *g, int opset, bool *changed);
ox_status ox_pass_onnx_peephole(ox_graph *g, int opset, bool *changed);
ox_status ox_pass_eval_peephole(ox_graph *g, int opset, bool *changed); /* Conv+BatchNorm fusion */
ox_status ox_pass_constant_fold(ox_graph *g, int opset, bool *changed);
ox_status ox_pass_fold_static_shapes(ox_graph *g, int opset, bool *changed); /* Shape of static types, constant-only ops */
/* The same for the nodes from `first` to the end of its block (the nodes one
 * symbolic just built); values in `track` that fold are replaced in place. */
ox_status ox_fold_static_from(ox_graph *g, ox_node *first, int opset, ox_value **track, int ntrack);
ox_status ox_pass_deduplicate_initializers(ox_graph *g, bool training, bool *changed);
ox_status ox_pass_eliminate_unused_items(ox_graph *g, bool *changed);
ox_status ox_pass_cast_all_constant_to_floating(ox_graph *g, bool *changed); /* opset < 9 */
ox_status ox_pass_canonicalize(ox_graph *g, bool *changed);
ox_status ox_pass_friendly_names(ox_graph *g, bool *changed);
ox_status ox_pass_scoped_names(ox_graph *g, bool *changed);

#endif
