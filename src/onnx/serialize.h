/* The ONNX serializer: the IR graph of an export -> ModelProto bytes, the way
 * torch's C++ GraphEncoder (export.cpp) writes them (seed: _export ->
 * graph._export_onnx). The model is built as protobuf-c structs in the
 * export's arena, pointing at the IR's strings and at the weights where they
 * live, then packed once into an ox_buffer: the weight bytes are copied
 * exactly once, straight into the output. */
#ifndef OX_SERIALIZE_H
#define OX_SERIALIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ir/ir.h"
#include "passes/passes.h"

/* ---- the output buffer ---------------------------------------------------
 * Growable bytes on the C heap (malloc/realloc), not in the arena: the model
 * outlives the export context until the caller is done with it. A failed
 * allocation sets `failed` (sticky); later appends are dropped and the
 * writer checks the flag once at the end. */
typedef struct ox_segment {
    const uint8_t *ptr;      /* borrowed bytes (a tensor's data), or NULL: */
    size_t offset;           /* ... then the bytes are data[offset..offset+len) */
    size_t len;
} ox_segment;

typedef struct ox_buffer {
    uint8_t *data;
    size_t len, cap;
    bool failed;
    /* Chunked mode (`chunked` set before packing): pieces of at least
     * OX_BORROW_MIN bytes (tensor payloads) are not copied but recorded as
     * segments pointing at where they live; `data` holds everything else.
     * The model is the concatenation of the segments, in order. */
    bool chunked;
    ox_segment *segs;
    size_t nsegs, segs_cap;
    size_t total;            /* chunked: the model's size */
} ox_buffer;

#define OX_BORROW_MIN 4096

void ox_buffer_init(ox_buffer *b);
/* Makes room for `extra` more bytes; false (and `failed`) when out of memory. */
bool ox_buffer_reserve(ox_buffer *b, size_t extra);
void ox_buffer_append(ox_buffer *b, const void *data, size_t n);
/* Empties the buffer (keeps its memory) and clears `failed`. */
void ox_buffer_reset(ox_buffer *b);
/* Releases the memory; the buffer is empty and reusable afterwards. */
void ox_buffer_free(ox_buffer *b);
/* Hands the bytes to the caller (free() them); the buffer is left empty.
 * NULL when empty or failed. */
uint8_t *ox_buffer_take(ox_buffer *b, size_t *len);
/* Chunked mode: segment i (borrowed or inside `data`). */
const uint8_t *ox_buffer_segment(const ox_buffer *b, size_t i, size_t *len);

/* ---- options ------------------------------------------------------------ */

/* ox_custom_opset (one entry of torch's `custom_opsets`) is in passes.h. */

typedef struct ox_serialize_options {
    /* ModelProto.producer_name / producer_version. NULL means "onnxify" and
     * ONNXIFY_VERSION. torch writes "pytorch" and its own version; we write
     * ours on purpose: the bytes come from onnxify, and a consumer that works
     * around a producer's bugs (by producer name) must be able to tell the
     * two apart. Everything else in the header follows torch. */
    const char *producer_name;
    const char *producer_version;
    /* Versions for non-ONNX domains used by nodes; a used domain that is not
     * listed gets version 1, a listed domain no node uses is not written
     * (and a warning is logged), like torch. */
    const ox_custom_opset *custom_opsets;
    size_t n_custom_opsets;
    /* true: no NodeProto.doc_string. false: doc_string = the node's source
     * location (torch writes it only when verbose=True). */
    bool strip_doc;
    /* true: run the light checker (checker.h) on the model after it is built
     * and before it is packed; a failure is ONNXIFY_ERR_CHECKER and no bytes
     * are produced. Same checks as ox_check_model on the output, without its
     * second copy of the weights (what the exporter wants in ONNX mode). */
    bool check;
} ox_serialize_options;

/* Defaults: producer onnxify/ONNXIFY_VERSION, no custom opsets, strip_doc
 * true, check false. */
void ox_serialize_options_init(ox_serialize_options *o);

/* The ModelProto.ir_version torch writes for a default-domain opset (its
 * kOpsetVersionToIRVersion, extended past 20 with ONNX's own release table);
 * 0 when the opset is not supported. */
int64_t ox_ir_version_for_opset(int opset);

/* Serializes `g` (an ONNX-level graph) into `out`, replacing its contents.
 *   - s->opset picks ir_version and opset_import[0]; s->export_type decides
 *     whether aten::/prim:: nodes may remain (only outside ONNX mode);
 *     s->keep_initializers_as_inputs lists parameters among graph inputs;
 *     s->export_params false writes no initializers (parameters stay inputs).
 *   - o may be NULL: defaults, with strip_doc = !s->verbose.
 * Errors (parked in g->ctx): unsupported opset (INVALID_ARGUMENT), an
 * unconvertible node left in the graph, a model above the 2 GiB protobuf
 * limit, inconsistent tensor data (EXPORTER), a checker failure when
 * o->check (CHECKER), out of memory. On failure `out` is left empty: no
 * partial model is ever returned. */
ox_status ox_serialize_model(ox_graph *g, const ox_export_settings *s,
                             const ox_serialize_options *o, ox_buffer *out);

#endif
