/* Graph description (JSON) + safetensors weights -> IR. */
#ifndef OX_GRAPH_READER_H
#define OX_GRAPH_READER_H

#include <stdint.h>

#include "ir/ir.h"

typedef struct ox_graph_description {
    ox_graph *graph;        /* parameters are top-level inputs with `init` set */
    bool model_training;    /* model.training at capture time */
} ox_graph_description;

/* Validates the whole description; on failure nothing is returned and the
 * error (ONNXIFY_ERR_GRAPH_DESCRIPTION) names the node or value. Weight bytes
 * are borrowed: `weights` must outlive the export. */
ox_status ox_read_graph_description(ox_ctx *ctx, const char *json, size_t len, const uint8_t *weights,
                                    size_t weights_len, ox_graph_description *out);

/* The same without weights, for questions about the graph alone
 * (unconvertible_ops): parameters and referenced constants carry no data. */
ox_status ox_read_graph_structure(ox_ctx *ctx, const char *json, size_t len, ox_graph_description *out);

#endif
