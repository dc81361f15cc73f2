// Types of onnxify's JS API (js/index.mjs, js/index.node.mjs). See docs/js-api.md.

/** A graph description (docs/graph-description.md), as an object, JSON text, or UTF-8 bytes of it. */
export type GraphInput = GraphDescription | string | Uint8Array | ArrayBuffer;

/** The top level of a graph description; the C side validates the whole of it. */
export interface GraphDescription {
  format: 'onnxify-graph';
  version: 1;
  graph: unknown;
  producer?: unknown;
  model?: { class?: string; training?: boolean; [key: string]: unknown };
  [key: string]: unknown;
}

/** Element types, named as in the graph description. */
export type DType =
  | 'float32' | 'float64' | 'float16' | 'bfloat16'
  | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

/**
 * One tensor for `options.weights`. `data` is the typed array of the dtype
 * (Float32Array for float32, Float64Array, BigInt64Array for int64, Int32Array,
 * Int16Array, Int8Array, Uint8Array for uint8 and bool, Uint16Array bit patterns for
 * float16/bfloat16) or a Uint8Array of the raw little-endian bytes.
 */
export interface TensorData {
  dtype: DType;
  shape: number[];
  data: ArrayBufferView;
}

/** Weights: a safetensors blob, or named tensors that are packed into one. */
export type Weights = Uint8Array | ArrayBuffer | Record<string, TensorData>;

export type LogLevel = 'debug' | 'info' | 'warning';

/** Axis index (as a number or a string of digits) -> symbolic name, or a list of axes. */
export type DynamicAxes = Record<string, Record<string | number, string> | number[]>;

/** Options: the camelCase forms of torch.onnx.export's, validated by the C side. */
export interface ExportOptions {
  /** Parameters and large constants; tensor names are the graph's parameter input names. */
  weights?: Weights | null;
  /** Default 17; 7..23. */
  opsetVersion?: number;
  inputNames?: string[];
  outputNames?: string[];
  /** Default true. */
  exportParams?: boolean;
  /** Default true. */
  doConstantFolding?: boolean;
  /** Default null ("None" in torch). */
  keepInitializersAsInputs?: boolean | null;
  /** Default 'eval'. */
  training?: 'eval' | 'preserve' | 'train';
  /** Default 'onnx'. */
  operatorExportType?: 'onnx' | 'onnx_aten' | 'onnx_aten_fallback' | 'onnx_fallthrough';
  /** Keep source locations as doc strings. Default false. */
  verbose?: boolean;
  dynamicAxes?: DynamicAxes;
  /** Domain -> opset version. */
  customOpsets?: Record<string, number>;
  exportModulesAsFunctions?: boolean;
  /** Called synchronously, during the export, for each message of the exporter. */
  onLog?: ((level: LogLevel, message: string) => void) | null;
}

export interface InitOptions {
  /** The bytes of onnxify.wasm, when the caller already has them. */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** Where to fetch onnxify.wasm from (a file: URL or path is read with fs under Node). */
  wasmUrl?: string | URL;
  /** Emscripten-style: `locateFile('onnxify.wasm', dirOfTheGlue)` -> URL of the file. */
  locateFile?: (path: string, prefix: string) => string | URL;
}

/** Exports a graph description to ONNX; resolves to the ModelProto bytes. */
export function exportOnnx(graph: GraphInput, options?: ExportOptions): Promise<Uint8Array>;

/**
 * torch.onnx.utils.unconvertible_ops: the kinds of the graph's nodes that no symbolic
 * converts at `opsetVersion` (default 17), one entry per node in graph order. No weights needed.
 */
export function unconvertibleOps(graph: GraphInput, options?: { opsetVersion?: number }): Promise<string[]>;

/** Loads the WebAssembly module now (else the first export does). Options count only on the first call. */
export function init(options?: InitOptions): Promise<void>;

/** The C library's version, e.g. "0.1.0". */
export function version(): Promise<string>;

/** Packs named typed arrays into a safetensors blob (what `options.weights` objects become). */
export function packSafetensors(tensors: Record<string, TensorData>): Uint8Array;

/** The C status names (onnxify_status_name) that errors carry as `.name`. */
export type StatusName =
  | 'InvalidArgumentError' | 'GraphDescriptionError' | 'UnsupportedOperatorError'
  | 'SymbolicValueError' | 'CheckerError' | 'OnnxExporterError'
  | 'OutOfMemoryError' | 'CancelledError' | 'InternalError';

/** Base of every error exportOnnx throws (torch.onnx.errors.OnnxExporterError). */
export class OnnxExporterError extends Error {
  constructor(message: string, status?: number, name?: StatusName | string);
  /** The C status number (include/onnxify.h). */
  status: number;
  name: StatusName | string;
}
/** A bad option or argument (status 1). */
export class InvalidArgumentError extends OnnxExporterError {
  constructor(message: string, status?: number);
}
/** A malformed or inconsistent graph description or weights (status 2). */
export class GraphDescriptionError extends OnnxExporterError {
  constructor(message: string, status?: number);
}
/** An operator with no symbolic for the target opset (status 3). */
export class UnsupportedOperatorError extends OnnxExporterError {
  constructor(message: string, status?: number);
}
/** An error about a value during symbolic lowering (status 4). */
export class SymbolicValueError extends OnnxExporterError {
  constructor(message: string, status?: number);
}
/** The exported model failed the ONNX checker (status 5). */
export class CheckerError extends OnnxExporterError {
  constructor(message: string, status?: number);
}

/** onnxify_status numbers. */
export const Status: Readonly<{
  OK: 0;
  INVALID_ARGUMENT: 1;
  GRAPH_DESCRIPTION: 2;
  UNSUPPORTED_OPERATOR: 3;
  SYMBOLIC_VALUE: 4;
  CHECKER: 5;
  EXPORTER: 6;
  OUT_OF_MEMORY: 7;
  CANCELLED: 8;
  INTERNAL: 9;
}>;
