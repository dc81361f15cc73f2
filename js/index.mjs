// onnxify's JS API: exportOnnx(graph, options) -> Promise<Uint8Array>.
//
// A thin wrapper over the C API of include/onnxify.h compiled to WebAssembly: it
// turns its arguments into bytes, copies them into wasm memory, calls
// onnxify_options_from_json + onnxify_export_chunks, gathers the ModelProto bytes and
// frees everything. All validation of option values is the C side's; here only
// what is needed to serialize. This file is the browser (and default) entry;
// Node's is index.node.mjs, which only changes how the .wasm is read.

import { loadModule, resetModule } from './loader.mjs';
import {
  OnnxExporterError, InvalidArgumentError, GraphDescriptionError, Status, errorFromStatus,
} from './errors.mjs';
import { packSafetensors } from './safetensors.mjs';

export {
  OnnxExporterError, InvalidArgumentError, GraphDescriptionError, UnsupportedOperatorError,
  SymbolicValueError, CheckerError, Status,
} from './errors.mjs';
export { packSafetensors } from './safetensors.mjs';

const LOG_LEVELS = ['debug', 'info', 'warning']; // onnxify_log_level 0, 1, 2

// Loads the WebAssembly module now (otherwise the first export does). Options:
// wasmBinary, wasmUrl, locateFile; they count only on the call that starts loading.
export async function init(options) {
  await loadModule(options);
}

// The C library's version (onnxify_version()).
export async function version() {
  const M = await loadModule();
  return M.UTF8ToString(M._onnxify_version() >>> 0);
}

// torch.onnx.utils.unconvertible_ops: the kinds of the graph's nodes that no
// symbolic converts at the opset ('aten::triu', ...), one per node, in graph order.
// Needs no weights.
export async function unconvertibleOps(graph, options = {}) {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidArgumentError('options: expected an object');
  }
  const { opsetVersion = 0, ...rest } = options;
  if (Object.keys(rest).length) {
    throw new InvalidArgumentError(`unconvertibleOps: unknown option '${Object.keys(rest)[0]}'`);
  }
  if (!Number.isInteger(opsetVersion)) throw new InvalidArgumentError('opsetVersion: expected an integer');
  const bytes = graphBytes(graph);
  const M = await loadModule();
  let ex = 0, ptr = 0, slots = 0;
  try {
    ex = M._onnxify_exporter_new() >>> 0;
    if (!ex) throw outOfMemory('an exporter');
    ptr = copyIn(M, bytes);
    slots = M._malloc(8) >>> 0;
    if (!slots) throw outOfMemory('8 bytes');
    check(M, ex, M._onnxify_unconvertible_ops(ex, ptr, bytes.length, opsetVersion, slots, slots + 4));
    const view = new DataView(M.HEAPU8.buffer);
    const list = view.getUint32(slots, true);
    const count = view.getUint32(slots + 4, true);
    const ops = [];
    for (let i = 0; i < count; i++) ops.push(M.UTF8ToString(view.getUint32(list + 4 * i, true)));
    return ops;
  } finally {
    if (ptr) M._free(ptr);
    if (slots) M._free(slots);
    if (ex) M._onnxify_exporter_free(ex);
  }
}

export async function exportOnnx(graph, options = {}) {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidArgumentError('options: expected an object');
  }
  const { weights, onLog, ...rest } = options;
  if (onLog != null && typeof onLog !== 'function') {
    throw new InvalidArgumentError('onLog: expected a function (level, message) => void');
  }
  const input = {
    graph: graphBytes(graph),
    weights: weightBytes(weights),
    options: optionsBytes(rest),
    onLog,
  };
  const M = await loadModule();
  return exportWith(M, input);
}

const encoder = new TextEncoder();

function asUint8(x) {
  if (x instanceof Uint8Array) return x;
  if (ArrayBuffer.isView(x)) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  return new Uint8Array(x);
}

function isArrayBuffer(x) {
  return x instanceof ArrayBuffer || Object.prototype.toString.call(x) === '[object ArrayBuffer]';
}

// graph: a JS object, JSON text, or a Uint8Array (or ArrayBuffer) of UTF-8 JSON text.
function graphBytes(graph) {
  if (typeof graph === 'string') return encoder.encode(graph);
  if (graph instanceof Uint8Array || isArrayBuffer(graph)) return asUint8(graph);
  if (graph !== null && typeof graph === 'object' && !ArrayBuffer.isView(graph)) {
    let text;
    try {
      text = JSON.stringify(graph);
    } catch (e) {
      throw new GraphDescriptionError(`graph: cannot be written as JSON: ${e.message}`);
    }
    return encoder.encode(text);
  }
  throw new InvalidArgumentError(
    'graph: expected a graph description object, JSON text, or a Uint8Array of JSON text');
}

// weights: a safetensors blob (Uint8Array / ArrayBuffer), or {name: {dtype, shape, data}}.
function weightBytes(weights) {
  if (weights == null) return new Uint8Array(0);
  if (weights instanceof Uint8Array || isArrayBuffer(weights)) return asUint8(weights);
  if (typeof weights === 'object' && !ArrayBuffer.isView(weights)) return packSafetensors(weights);
  throw new InvalidArgumentError(
    'weights: expected a Uint8Array/ArrayBuffer of safetensors bytes or {name: {dtype, shape, data}}');
}

// Everything but weights/onLog goes to onnxify_options_from_json as JSON, which
// refuses unknown keys and bad values. Only refuse here what JSON cannot carry.
function optionsBytes(rest) {
  const text = JSON.stringify(rest, (key, value) => {
    const t = typeof value;
    if (t === 'function' || t === 'symbol' || t === 'bigint' ||
        (t === 'number' && !Number.isFinite(value))) {
      throw new InvalidArgumentError(`option ${key}: ${String(value)} cannot be passed as JSON`);
    }
    return value;
  });
  return encoder.encode(text);
}

// --- the wasm call ---------------------------------------------------------------

function copyIn(M, bytes) {
  if (bytes.length === 0) return 0;
  const ptr = M._malloc(bytes.length) >>> 0;
  if (!ptr) throw outOfMemory(`${bytes.length} bytes`);
  M.HEAPU8.set(bytes, ptr); // read HEAPU8 after malloc: memory may have grown
  return ptr;
}

function outOfMemory(what) {
  return new OnnxExporterError(`cannot allocate ${what} in WebAssembly memory`,
    Status.OUT_OF_MEMORY, 'OutOfMemoryError');
}

function check(M, ex, status) {
  if (status === Status.OK) return;
  const name = M.UTF8ToString(M._onnxify_status_name(status) >>> 0);
  const message = M.UTF8ToString(M._onnxify_last_error(ex) >>> 0);
  throw errorFromStatus(status, name, message);
}

// Concatenates the onnxify_chunk array ({const uint8_t *data; size_t size}
// pairs, 8 bytes each on wasm32) whose pointer and count sit in `slots`.
function gatherChunks(M, slots) {
  const heap = M.HEAPU8;
  const view = new DataView(heap.buffer);
  const chunks = view.getUint32(slots, true);
  const count = view.getUint32(slots + 4, true);
  let total = 0;
  for (let i = 0; i < count; i++) total += view.getUint32(chunks + 8 * i + 4, true);
  const out = new Uint8Array(total);
  for (let i = 0, at = 0; i < count; i++) {
    const ptr = view.getUint32(chunks + 8 * i, true);
    const size = view.getUint32(chunks + 8 * i + 4, true);
    out.set(heap.subarray(ptr, ptr + size), at);
    at += size;
  }
  return out;
}

function exportWith(M, input) {
  let ex = 0, graph = 0, weights = 0, json = 0, opt = 0, outSlots = 0;
  let trapped = false;
  let logError = null;
  try {
    ex = M._onnxify_exporter_new() >>> 0;
    if (!ex) throw outOfMemory('an exporter');
    graph = copyIn(M, input.graph);
    weights = copyIn(M, input.weights);
    json = copyIn(M, input.options);
    const optSize = M._onnxify_wasm_options_size() >>> 0;
    opt = M._malloc(optSize) >>> 0;
    outSlots = M._malloc(8) >>> 0; // const uint8_t *out; size_t out_len (wasm32)
    if (!opt || !outSlots) throw outOfMemory(`${optSize + 8} bytes`);

    M._onnxify_options_init(opt);
    check(M, ex, M._onnxify_options_from_json(ex, json, input.options.length, opt));
    if (input.onLog) {
      M._onnxify_wasm_route_log(opt);
      // An exception must not unwind through the C frames: keep the first, rethrow after.
      M.onnxifyLog = (level, messagePtr) => {
        if (logError) return;
        try {
          input.onLog(LOG_LEVELS[level] ?? 'info', M.UTF8ToString(messagePtr >>> 0));
        } catch (e) {
          logError = { e };
        }
      };
    }
    // The model comes back as chunks (tensor payloads point at the weights
    // where they already are in wasm memory): one copy, straight into the result.
    const status = M._onnxify_export_chunks(ex, graph, input.graph.length, weights, input.weights.length,
      opt, outSlots, outSlots + 4);
    M.onnxifyLog = undefined;
    check(M, ex, status);
    if (logError) throw logError.e;
    return gatherChunks(M, outSlots);
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) {
      trapped = true;
      resetModule(); // this instance's memory can no longer be trusted
      throw new OnnxExporterError(
        `internal error: the WebAssembly module trapped (${e.message}); it is reloaded on the next call`,
        Status.INTERNAL, 'InternalError');
    }
    throw e;
  } finally {
    M.onnxifyLog = undefined;
    if (!trapped) {
      for (const p of [graph, weights, json, opt, outSlots]) if (p) M._free(p);
      if (ex) M._onnxify_exporter_free(ex);
    }
  }
}
