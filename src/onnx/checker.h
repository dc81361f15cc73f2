/* A light ONNX model checker (seed: _C._check_onnx_proto, i.e.
 * onnx.checker.check_model without the operator-schema part), run by the
 * exporter on its own model in ONNX mode, after serialization.
 *
 * It checks the structure the serializer is responsible for:
 *   - the bytes parse as a ModelProto (nesting bounded before unpacking);
 *   - ir_version is set; opset_import is present, has the default domain and
 *     no domain twice; every node's domain is imported;
 *   - per graph (sub-graphs see the names of their enclosing graphs):
 *     input and initializer names are unique; below IR 4 every initializer
 *     is also a graph input; each node has an op_type, a unique name when it
 *     has one, unique attribute names with a type, and only inputs that are
 *     "" (omitted), a graph input, an initializer or an output of an earlier
 *     node; every output name is assigned once (SSA); graph outputs are
 *     defined;
 *   - every tensor (initializers, tensor attributes) has a data type and a
 *     payload of exactly dims x dtype (raw_data or the typed field for its
 *     data type), unless its data is external.
 * Failures return ONNXIFY_ERR_CHECKER with a message naming the node. */
#ifndef OX_CHECKER_H
#define OX_CHECKER_H

#include <stddef.h>
#include <stdint.h>

#include "util/ctx.h"

/* Checks serialized bytes. Unpacking copies every tensor payload once more
 * (protobuf-c owns what it unpacks): peak memory is about twice the model. */
ox_status ox_check_model(const uint8_t *bytes, size_t len, ox_ctx *ctx);

/* The same checks on a model held as protobuf-c structs (an unpacked model,
 * or the one the serializer builds before packing: see
 * ox_serialize_options.check), without any copy of the tensor data. */
struct Onnx__ModelProto;
ox_status ox_check_model_proto(const struct Onnx__ModelProto *m, ox_ctx *ctx);

#endif
