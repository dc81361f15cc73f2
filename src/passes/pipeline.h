#ifndef OX_PIPELINE_H
#define OX_PIPELINE_H

#include "passes/passes.h"

/* Runs every pass from the TorchScript graph to the ONNX graph ready for
 * serialization, in the seed's order. */
ox_status ox_run_pipeline(ox_graph *torch_graph, const ox_export_settings *s, const onnxify_options *opt,
                          ox_graph **onnx_graph);

/* Names graph inputs/outputs from the user's lists (seed: _set_input_and_output_names). */
ox_status ox_set_input_and_output_names(ox_graph *g, const onnxify_options *opt);

#endif
