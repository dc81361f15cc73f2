// Packs named typed arrays into one safetensors blob, the weights format the C core reads:
//   8-byte little-endian u64 N | N bytes of JSON header | tensor data
// header: {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...}
// with offsets relative to the start of the data. The layout is the one of
// tools/safetensors_io.py, so both write the same bytes for the same tensors:
//   - tensors by decreasing element size, otherwise in the object's key order, so
//     every tensor starts at a multiple of its element size;
//   - "__metadata__" (if given) first, then the tensors in data order, compact JSON
//     with non-ASCII characters escaped; padded with spaces to a multiple of 8 bytes.

import { InvalidArgumentError } from './errors.mjs';

// Graph-description dtype names (docs/graph-description.md) -> safetensors dtype, element size.
const DTYPES = {
  float64: ['F64', 8],
  int64: ['I64', 8],
  float32: ['F32', 4],
  int32: ['I32', 4],
  float16: ['F16', 2],
  bfloat16: ['BF16', 2],
  int16: ['I16', 2],
  int8: ['I8', 1],
  uint8: ['U8', 1],
  bool: ['BOOL', 1],
};

// The typed array accepted for each dtype, besides a Uint8Array of raw little-endian bytes.
const ARRAY_TYPE = {
  float64: 'Float64Array',
  int64: 'BigInt64Array',
  float32: 'Float32Array',
  int32: 'Int32Array',
  float16: 'Uint16Array', // bit patterns (or a Float16Array where the platform has one)
  bfloat16: 'Uint16Array',
  int16: 'Int16Array',
  int8: 'Int8Array',
  uint8: 'Uint8Array',
  bool: 'Uint8Array',
};

function typedArrayName(x) {
  return Object.prototype.toString.call(x).slice(8, -1);
}

function checkTensor(name, t) {
  const where = `weights['${name}']`;
  if (t === null || typeof t !== 'object' || ArrayBuffer.isView(t)) {
    throw new InvalidArgumentError(`${where}: expected {dtype, shape, data}`);
  }
  const dt = DTYPES[t.dtype];
  if (!dt) {
    throw new InvalidArgumentError(
      `${where}.dtype: '${t.dtype}' is not one of ${Object.keys(DTYPES).join(', ')}`);
  }
  if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new InvalidArgumentError(`${where}.shape: expected an array of integers >= 0`);
  }
  const kind = typedArrayName(t.data);
  const ok = ArrayBuffer.isView(t.data) &&
    (kind === 'Uint8Array' || kind === ARRAY_TYPE[t.dtype] ||
      (kind === 'Float16Array' && t.dtype === 'float16'));
  if (!ok) {
    throw new InvalidArgumentError(
      `${where}.data: expected a ${ARRAY_TYPE[t.dtype]} (or a Uint8Array of raw bytes) for ` +
        `dtype ${t.dtype}, got ${ArrayBuffer.isView(t.data) ? kind : typeof t.data}`);
  }
  const want = t.shape.reduce((a, d) => a * d, 1) * dt[1];
  if (t.data.byteLength !== want) {
    throw new InvalidArgumentError(
      `${where}.data: ${t.data.byteLength} bytes, but dtype ${t.dtype} and shape ` +
        `[${t.shape.join(', ')}] need ${want}`);
  }
  return dt;
}

// JSON.stringify, with every non-ASCII UTF-16 unit written as \uXXXX (as Python's
// json.dumps(ensure_ascii=True) does).
function asciiJson(value) {
  return JSON.stringify(value).replace(/[\u0080-\uffff]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

// tensors: {name: {dtype: 'float32', shape: [2, 3], data: Float32Array}} -> Uint8Array
// metadata: optional {key: string}, written as "__metadata__".
export function packSafetensors(tensors, metadata) {
  if (tensors === null || typeof tensors !== 'object' || Array.isArray(tensors)) {
    throw new InvalidArgumentError('weights: expected an object {name: {dtype, shape, data}}');
  }
  const entries = Object.keys(tensors).map((name) => {
    if (name === '' || name === '__metadata__') {
      throw new InvalidArgumentError(`weights: '${name}' is not a valid tensor name`);
    }
    const t = tensors[name];
    const [stDtype, size] = checkTensor(name, t);
    return { name, stDtype, size, shape: t.shape, data: t.data };
  });
  entries.sort((a, b) => b.size - a.size); // stable: key order within a size

  const header = {};
  if (metadata != null) {
    if (typeof metadata !== 'object' || Array.isArray(metadata)) {
      throw new InvalidArgumentError('safetensors metadata: expected an object {key: string}');
    }
  }
  if (metadata != null && Object.keys(metadata).length > 0) {
    header.__metadata__ = Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, String(v)]));
  }
  let offset = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.stDtype, shape: e.shape, data_offsets: [offset, offset + e.data.byteLength] };
    offset += e.data.byteLength;
  }
  const json = new TextEncoder().encode(asciiJson(header));
  const padded = Math.ceil(json.length / 8) * 8;

  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let at = 8 + padded;
  for (const e of entries) {
    out.set(new Uint8Array(e.data.buffer, e.data.byteOffset, e.data.byteLength), at);
    at += e.data.byteLength;
  }
  return out;
}
