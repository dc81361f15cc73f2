/*
 * onnxify — torch.onnx.export (TorchScript exporter) re-implemented in C.
 *
 * One public header. A worked example:
 *
 *     onnxify_options opt;
 *     onnxify_options_init(&opt);
 *     opt.opset_version = 17;
 *
 *     onnxify_exporter *ex = onnxify_exporter_new();
 *     const uint8_t *onnx; size_t onnx_len;
 *     if (onnxify_export(ex, graph_json, graph_len, safetensors, st_len, &opt,
 *                        &onnx, &onnx_len) != ONNXIFY_OK) {
 *         fprintf(stderr, "%s\n", onnxify_last_error(ex));
 *     } else {
 *         fwrite(onnx, 1, onnx_len, out);       // bytes belong to `ex`
 *     }
 *     onnxify_exporter_free(ex);
 *
 * The graph description (JSON) is documented in docs/graph-description.md;
 * the weights are a safetensors blob whose tensor names are the parameter
 * input names. The library never prints: logs go to opt.log.
 */
#ifndef ONNXIFY_H
#define ONNXIFY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ONNXIFY_VERSION "0.1.0"

/* Error classes follow torch.onnx.errors. */
typedef enum onnxify_status {
    ONNXIFY_OK = 0,
    ONNXIFY_ERR_INVALID_ARGUMENT = 1,   /* bad option value (ValueError in torch) */
    ONNXIFY_ERR_GRAPH_DESCRIPTION = 2,  /* malformed/inconsistent graph description or weights */
    ONNXIFY_ERR_UNSUPPORTED_OPERATOR = 3, /* UnsupportedOperatorError */
    ONNXIFY_ERR_SYMBOLIC_VALUE = 4,     /* SymbolicValueError */
    ONNXIFY_ERR_CHECKER = 5,            /* CheckerError */
    ONNXIFY_ERR_EXPORTER = 6,           /* OnnxExporterError (other export failures) */
    ONNXIFY_ERR_OUT_OF_MEMORY = 7,
    ONNXIFY_ERR_CANCELLED = 8,
    ONNXIFY_ERR_INTERNAL = 9
} onnxify_status;

typedef enum onnxify_training_mode {
    ONNXIFY_TRAINING_EVAL = 0,
    ONNXIFY_TRAINING_PRESERVE = 1,
    ONNXIFY_TRAINING_TRAIN = 2
} onnxify_training_mode;

typedef enum onnxify_operator_export_type {
    ONNXIFY_OPERATOR_EXPORT_ONNX = 0,
    ONNXIFY_OPERATOR_EXPORT_ONNX_ATEN = 1,
    ONNXIFY_OPERATOR_EXPORT_ONNX_ATEN_FALLBACK = 2,
    ONNXIFY_OPERATOR_EXPORT_ONNX_FALLTHROUGH = 3
} onnxify_operator_export_type;

typedef enum onnxify_log_level {
    ONNXIFY_LOG_DEBUG = 0,
    ONNXIFY_LOG_INFO = 1,
    ONNXIFY_LOG_WARNING = 2
} onnxify_log_level;

typedef void (*onnxify_log_fn)(void *user, onnxify_log_level level, const char *message);

#define ONNXIFY_MIN_OPSET 7
#define ONNXIFY_MAX_OPSET 23
#define ONNXIFY_DEFAULT_OPSET 17

/* Options, named after torch.onnx.export's. Initialise with onnxify_options_init. */
typedef struct onnxify_options {
    int opset_version;                  /* 0 = ONNXIFY_DEFAULT_OPSET */
    const char *const *input_names;     /* may be NULL */
    size_t n_input_names;
    const char *const *output_names;    /* may be NULL */
    size_t n_output_names;
    int export_params;                  /* 1 (default): parameters become initializers */
    int do_constant_folding;            /* 1 (default) */
    int keep_initializers_as_inputs;    /* -1 (default, "None"), 0 or 1 */
    onnxify_training_mode training;     /* EVAL (default) */
    onnxify_operator_export_type operator_export_type; /* ONNX (default) */
    int verbose;                        /* 1: keep doc strings (source locations) */
    const char *dynamic_axes_json;      /* {"name": {"0": "batch"}} or {"name": [0]}; NULL */
    const char *custom_opsets_json;     /* {"domain": version}; NULL */
    int export_modules_as_functions;    /* 0 (default) */
    onnxify_log_fn log;                 /* NULL: logs are dropped */
    void *log_user;
} onnxify_options;

void onnxify_options_init(onnxify_options *opt);

/* Fills `opt` from a JSON object using the camelCase names of the JS API
 * (opsetVersion, inputNames, ...). Strings are borrowed from an internal copy
 * owned by `ex` and stay valid until the next call on `ex`. */
typedef struct onnxify_exporter onnxify_exporter;

onnxify_status onnxify_options_from_json(onnxify_exporter *ex, const char *json, size_t len,
                                         onnxify_options *opt);

onnxify_exporter *onnxify_exporter_new(void);
void onnxify_exporter_free(onnxify_exporter *ex);

/* Exports one model. On success *out and *out_len hold the ModelProto bytes,
 * owned by `ex` until its next export or free. On failure nothing is
 * returned and onnxify_last_error() says why. */
onnxify_status onnxify_export(onnxify_exporter *ex,
                              const char *graph_json, size_t graph_len,
                              const uint8_t *weights, size_t weights_len,
                              const onnxify_options *opt,
                              const uint8_t **out, size_t *out_len);

/* The same export, delivered as consecutive chunks whose concatenation is
 * the ModelProto: tensor payloads are not copied into one buffer but point
 * at where they live (inside `weights`, or memory owned by `ex`). Chunks stay
 * valid until the next export on `ex` or its free, and only while `weights`
 * is alive. Use it to write a large model without a second copy in memory. */
typedef struct onnxify_chunk {
    const uint8_t *data;
    size_t size;
} onnxify_chunk;

onnxify_status onnxify_export_chunks(onnxify_exporter *ex,
                                     const char *graph_json, size_t graph_len,
                                     const uint8_t *weights, size_t weights_len,
                                     const onnxify_options *opt,
                                     const onnxify_chunk **chunks, size_t *n_chunks);

/* torch.onnx.utils.unconvertible_ops: the kinds of the graph's nodes that no
 * symbolic converts at `opset_version` (0 = the default), one entry per
 * node in graph order ("aten::triu"). Needs no weights. The list belongs to
 * `ex` until its next such call or its free. A graph that cannot be read is
 * an OnnxExporterError ("Failed to discover unconvertible ops ..."). */
onnxify_status onnxify_unconvertible_ops(onnxify_exporter *ex, const char *graph_json, size_t graph_len,
                                         int opset_version, const char *const **ops, size_t *n_ops);

/* The message of the last failure on `ex` ("" when none). */
const char *onnxify_last_error(const onnxify_exporter *ex);
/* Stable name of a status: "UnsupportedOperatorError", ... */
const char *onnxify_status_name(onnxify_status status);
const char *onnxify_version(void);

#ifdef __cplusplus
}
#endif
#endif
