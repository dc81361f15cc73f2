// A small safetensors reader (and raw re-writer) for the tests, the demo and the bench.
// Independent of js/safetensors.mjs on purpose: the tests check the library with it.
//
//   readSafetensors(bytes) -> { tensors: {name: {dtype, shape, data}}, metadata, order }
//       dtype: safetensors code ('F32', 'I64', ...); data: a typed array (a copy, aligned)
//   toOrt(ort, t)          -> an ort.Tensor of the same type and shape
//   writeSafetensorsRaw(entries, metadata) -> Uint8Array
//       entries: [{name, dtype, shape, bytes: Uint8Array}] written in the given order, no
//       checks (so tests can build inconsistent blobs on purpose)
//   compareOutputs(actual, expected, {atol, rtol}) -> {ok, maxAbs, firstBad, reason}

const TYPES = {
  F64: [8, Float64Array, 'float64'],
  F32: [4, Float32Array, 'float32'],
  F16: [2, Uint16Array, 'float16'],
  BF16: [2, Uint16Array, null],
  I64: [8, BigInt64Array, 'int64'],
  I32: [4, Int32Array, 'int32'],
  I16: [2, Int16Array, 'int16'],
  I8: [1, Int8Array, 'int8'],
  U8: [1, Uint8Array, 'uint8'],
  BOOL: [1, Uint8Array, 'bool'],
};

export class SafetensorsError extends Error {
  constructor(message) {
    super(message);
    this.name = 'SafetensorsError';
  }
}

export function readSafetensors(input) {
  const bytes = ArrayBuffer.isView(input)
    ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength)
    : new Uint8Array(input);
  if (bytes.length < 8) throw new SafetensorsError('truncated: no header length');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  if (8 + n > bytes.length) {
    throw new SafetensorsError(`header length ${n} exceeds the blob (${bytes.length} bytes)`);
  }
  let header;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new SafetensorsError(`bad header JSON: ${e.message}`);
  }
  const data = bytes.subarray(8 + n);
  const metadata = header.__metadata__ ?? {};
  const tensors = {};
  const order = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const type = TYPES[info.dtype];
    if (!type) throw new SafetensorsError(`${name}: unknown dtype ${info.dtype}`);
    const [size, Arr] = type;
    const [b, e] = info.data_offsets;
    const numel = info.shape.reduce((a, d) => a * d, 1);
    if (!(b >= 0 && b <= e && e <= data.length)) {
      throw new SafetensorsError(`${name}: data_offsets [${b}, ${e}] outside ${data.length} data bytes`);
    }
    if (e - b !== numel * size) {
      throw new SafetensorsError(`${name}: ${e - b} bytes for ${info.dtype}[${info.shape}]`);
    }
    const copy = new Uint8Array(e - b); // own, aligned buffer (Buffer#slice would not copy)
    copy.set(data.subarray(b, e));
    tensors[name] = {
      dtype: info.dtype,
      shape: info.shape,
      data: new Arr(copy.buffer, 0, numel),
      bytes: copy,
    };
    order.push(name);
  }
  return { tensors, metadata, order };
}

export function toOrt(ort, t) {
  const type = TYPES[t.dtype];
  if (!type || !type[2]) throw new SafetensorsError(`no onnxruntime tensor type for ${t.dtype}`);
  const data = t.dtype === 'BOOL' ? Uint8Array.from(t.data) : t.data;
  return new ort.Tensor(type[2], data, t.shape);
}

export function writeSafetensorsRaw(entries, metadata) {
  const header = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + e.bytes.length] };
    offset += e.bytes.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let at = 8 + padded;
  for (const e of entries) {
    out.set(e.bytes, at);
    at += e.bytes.length;
  }
  return out;
}

// |a - b| <= atol + rtol * |b| elementwise (b = the expected, torch's value).
// -> {ok, maxAbs, firstBad: index of the first failing element or -1, reason}
export function compareOutputs(actual, expected, { atol = 1e-4, rtol = 1e-3 } = {}) {
  if (actual.length !== expected.length) {
    return { ok: false, maxAbs: Infinity, firstBad: -1,
      reason: `${actual.length} values, expected ${expected.length}` };
  }
  let maxAbs = 0;
  let firstBad = -1;
  for (let i = 0; i < expected.length; i++) {
    const a = Number(actual[i]);
    const b = Number(expected[i]);
    const d = Math.abs(a - b);
    if (!(d <= atol + rtol * Math.abs(b)) && firstBad < 0) firstBad = i;
    if (Number.isNaN(d)) maxAbs = Infinity;
    else if (d > maxAbs) maxAbs = d;
  }
  const reason = firstBad < 0 ? '' :
    `element ${firstBad}: got ${actual[firstBad]}, expected ${expected[firstBad]}`;
  return { ok: firstBad < 0, maxAbs, firstBad, reason };
}
