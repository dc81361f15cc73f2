// The JS API over the WebAssembly build: loader, error mapping, weights packing,
// memory hygiene, concurrency. Needs js/wasm/ (`make wasm`); the tests that need a
// real export also need examples/mlp/{graph.json,weights.safetensors}.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';

import {
  exportOnnx, init, version, packSafetensors, Status,
  OnnxExporterError, InvalidArgumentError, GraphDescriptionError, UnsupportedOperatorError,
  SymbolicValueError, CheckerError,
} from 'onnxify';
import { loadModule } from '../../js/loader.mjs';
import { errorFromStatus } from '../../js/errors.mjs';

const root = new URL('../../', import.meta.url);
const wasmFile = new URL('js/wasm/onnxify.wasm', root);
const NO_WASM = existsSync(wasmFile) ? false : 'js/wasm/onnxify.wasm is missing: run `make wasm`';
const mlpGraph = new URL('examples/mlp/graph.json', root);
const mlpWeights = new URL('examples/mlp/weights.safetensors', root);
const NO_MLP_FILES = existsSync(mlpGraph) && existsSync(mlpWeights) ? false
  : 'examples/mlp/graph.json + weights.safetensors are missing';
const NO_MLP = NO_WASM || NO_MLP_FILES;

const MALFORMED = '{"format": "onnxify-graph", "version": 1, "graph": ';

// Another instance of the loader module (its own memoized promise), for loader tests.
let fresh = 0;
function freshLoader() {
  return import(new URL(`../../js/loader.mjs?fresh=${++fresh}`, import.meta.url));
}

// A small safetensors reader (test-only): blob -> {name: {dtype, shape, data: Uint8Array}} in
// data order, plus __metadata__.
const ST_DTYPES = { F64: 'float64', I64: 'int64', F32: 'float32', I32: 'int32', F16: 'float16',
  BF16: 'bfloat16', I16: 'int16', I8: 'int8', U8: 'uint8', BOOL: 'bool' };
function readSafetensors(blob) {
  const n = Number(new DataView(blob.buffer, blob.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(blob.subarray(8, 8 + n)));
  const { __metadata__: metadata, ...rest } = header;
  const data = blob.subarray(8 + n);
  const tensors = {};
  for (const [name, t] of Object.entries(rest)) {
    const [b, e] = t.data_offsets;
    tensors[name] = { dtype: ST_DTYPES[t.dtype], shape: t.shape, data: data.slice(b, e) };
  }
  return { tensors, metadata };
}

// --- loader ----------------------------------------------------------------------

test('loader: init() loads once and version() answers', { skip: NO_WASM }, async () => {
  await init();
  await init({ wasmUrl: 'ignored: options only count on the first call' });
  assert.match(await version(), /^\d+\.\d+\.\d+/);
});

test('loader: concurrent loads share one memoized promise', { skip: NO_WASM }, async () => {
  const L = await freshLoader();
  const a = L.loadModule();
  const b = L.loadModule({ wasmBinary: new Uint8Array(0) }); // ignored: already loading
  assert.equal(a, b);
  L.setWasmFetcher(() => readFileSync(wasmFile)); // before the fetch happens
  const M = await a;
  assert.equal(typeof M._onnxify_export, 'function');
  assert.equal(L.loadModule(), a);
});

test('loader: wasmBinary (Uint8Array and ArrayBuffer)', { skip: NO_WASM }, async () => {
  const bytes = readFileSync(wasmFile);
  for (const wasmBinary of [new Uint8Array(bytes), bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)]) {
    const L = await freshLoader();
    const M = await L.loadModule({ wasmBinary });
    assert.match(M.UTF8ToString(M._onnxify_version() >>> 0), /^\d+\.\d+\.\d+/);
  }
});

test('loader: wasmUrl and locateFile go through the fetcher', { skip: NO_WASM }, async () => {
  const seen = [];
  const fetcher = (url) => {
    seen.push(url.href);
    return readFileSync(url);
  };
  let L = await freshLoader();
  L.setWasmFetcher(fetcher);
  await L.loadModule({ wasmUrl: wasmFile.href });
  L = await freshLoader();
  L.setWasmFetcher(fetcher);
  await L.loadModule({ locateFile: (path, prefix) => prefix + path });
  assert.deepEqual(seen, [wasmFile.href, wasmFile.href]);
});

test('loader: a fetch Response is instantiated (streaming when application/wasm)', { skip: NO_WASM }, async () => {
  for (const type of ['application/wasm', 'application/octet-stream']) {
    const L = await freshLoader();
    L.setWasmFetcher(() => new Response(readFileSync(wasmFile), { headers: { 'content-type': type } }));
    const M = await L.loadModule();
    assert.equal(typeof M._malloc, 'function');
  }
});

test('loader: a failed load rejects with OnnxExporterError and can be retried', { skip: NO_WASM }, async () => {
  const L = await freshLoader();
  // The browser entry's default fetcher refuses file: URLs with a pointer to the Node entry.
  await assert.rejects(L.loadModule(), (e) => e instanceof OnnxExporterError && /Node/.test(e.message));
  L.setWasmFetcher(() => new Response('missing', { status: 404, statusText: 'Not Found' }));
  await assert.rejects(L.loadModule(), (e) => e instanceof OnnxExporterError && /404/.test(e.message));
  await assert.rejects(L.loadModule({ wasmBinary: new Uint8Array([0, 1, 2, 3]) }), OnnxExporterError);
  await assert.rejects(L.loadModule({ wasmBinary: 'not bytes' }), InvalidArgumentError);
  const M = await L.loadModule({ wasmBinary: readFileSync(wasmFile) });
  assert.equal(typeof M._onnxify_export, 'function');
});

// --- errors ----------------------------------------------------------------------

test('errors: every C status name maps to a named error', () => {
  const classes = {
    InvalidArgumentError, GraphDescriptionError, UnsupportedOperatorError, SymbolicValueError, CheckerError,
  };
  const names = ['InvalidArgumentError', 'GraphDescriptionError', 'UnsupportedOperatorError',
    'SymbolicValueError', 'CheckerError', 'OnnxExporterError', 'OutOfMemoryError', 'CancelledError',
    'InternalError'];
  names.forEach((name, i) => {
    const e = errorFromStatus(i + 1, name, `message ${i + 1}`);
    assert.ok(e instanceof OnnxExporterError && e instanceof Error);
    assert.equal(e.name, name);
    assert.equal(e.status, i + 1);
    assert.equal(e.message, `message ${i + 1}`);
    if (classes[name]) assert.ok(e instanceof classes[name]);
  });
  assert.equal(Status.INTERNAL, 9);
});

test('errors: the C status names are the ones errors.mjs maps', { skip: NO_WASM }, async () => {
  const M = await loadModule();
  const names = [];
  for (let s = 1; s <= 9; s++) names.push(M.UTF8ToString(M._onnxify_status_name(s) >>> 0));
  assert.deepEqual(names, ['InvalidArgumentError', 'GraphDescriptionError', 'UnsupportedOperatorError',
    'SymbolicValueError', 'CheckerError', 'OnnxExporterError', 'OutOfMemoryError', 'CancelledError',
    'InternalError']);
});

test('errors: malformed JSON graph -> GraphDescriptionError', { skip: NO_WASM }, async () => {
  for (const graph of [MALFORMED, new TextEncoder().encode(MALFORMED), 'not json at all']) {
    await assert.rejects(exportOnnx(graph), (e) => {
      assert.ok(e instanceof GraphDescriptionError, `${e.name}: ${e.message}`);
      assert.equal(e.name, 'GraphDescriptionError');
      assert.equal(e.status, Status.GRAPH_DESCRIPTION);
      assert.ok(e.message.length > 0, 'the C message is carried');
      return true;
    });
  }
});

// Options are checked in two places on the C side: their JSON shape in
// onnxify_options_from_json (before anything else), their values against the graph
// (opset range, not-yet-supported options) once the graph has been read.
function assertInvalidArgument(options) {
  return (e) => {
    assert.ok(e instanceof InvalidArgumentError, `${JSON.stringify(options)}: ${e.name}: ${e.message}`);
    assert.equal(e.name, 'InvalidArgumentError');
    assert.equal(e.status, Status.INVALID_ARGUMENT);
    assert.ok(e.message.length > 0, 'the C message is carried');
    return true;
  };
}

test('errors: malformed options -> InvalidArgumentError with the C message', { skip: NO_WASM }, async () => {
  for (const options of [{ noSuchOption: true }, { training: 'sometimes' }, { opsetVersion: 'seventeen' },
    { inputNames: 'x' }, { operatorExportType: 'ONNX' }, { doConstantFolding: 1 }]) {
    await assert.rejects(exportOnnx(MALFORMED, options), assertInvalidArgument(options));
  }
});

test('errors: option values the model cannot take -> InvalidArgumentError', { skip: NO_MLP }, async () => {
  const graph = readFileSync(mlpGraph);
  const weights = readFileSync(mlpWeights);
  for (const options of [{ opsetVersion: 99 }, { opsetVersion: 6 }]) {
    await assert.rejects(exportOnnx(graph, { weights, ...options }), assertInvalidArgument(options));
  }
});

test('customOpsets: versions for custom domains; an unused domain warns like torch; bad versions refused', { skip: NO_MLP }, async () => {
  const graph = readFileSync(mlpGraph);
  const weights = readFileSync(mlpWeights);
  const logs = [];
  const plain = await exportOnnx(graph, { weights });
  const withUnused = await exportOnnx(graph, {
    weights, customOpsets: { 'com.microsoft': 1 }, onLog: (level, message) => logs.push([level, message]),
  });
  assert.deepEqual(withUnused, plain, 'an unused domain is not written to opset_import');
  assert.ok(logs.some(([level, m]) => level === 'warning' && /Custom opset domain: 'com.microsoft' provided is not used/.test(m)),
    JSON.stringify(logs));
  for (const customOpsets of [{ 'com.microsoft': 'one' }, { 'com.microsoft': 0 }, { '': 2 }]) {
    await assert.rejects(exportOnnx(graph, { weights, customOpsets }), InvalidArgumentError);
  }
});

test('errors: arguments JS cannot serialize -> InvalidArgumentError', async () => {
  await assert.rejects(exportOnnx(42), InvalidArgumentError);
  await assert.rejects(exportOnnx(null), InvalidArgumentError);
  await assert.rejects(exportOnnx('{}', null), InvalidArgumentError);
  await assert.rejects(exportOnnx('{}', { weights: 'weights.safetensors' }), InvalidArgumentError);
  await assert.rejects(exportOnnx('{}', { weights: new Float32Array(4) }), InvalidArgumentError);
  await assert.rejects(exportOnnx('{}', { onLog: 'console' }), InvalidArgumentError);
  await assert.rejects(exportOnnx('{}', { opsetVersion: 10n }), InvalidArgumentError);
  await assert.rejects(exportOnnx('{}', { opsetVersion: NaN }), InvalidArgumentError);
  const cyclic = { format: 'onnxify-graph' };
  cyclic.self = cyclic;
  await assert.rejects(exportOnnx(cyclic), GraphDescriptionError);
});

// --- weights ---------------------------------------------------------------------

test('safetensors: typed arrays pack to the expected bytes', () => {
  const blob = packSafetensors({
    b: { dtype: 'float32', shape: [2], data: new Float32Array([1, 2]) },
    flag: { dtype: 'bool', shape: [], data: new Uint8Array([1]) },
    n: { dtype: 'int64', shape: [1], data: new BigInt64Array([-3n]) },
  });
  const header = '{"n":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},' +
    '"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},' +
    '"flag":{"dtype":"BOOL","shape":[],"data_offsets":[16,17]}}';
  const padded = header + ' '.repeat((8 - (header.length % 8)) % 8);
  const want = new Uint8Array(8 + padded.length + 17);
  const dv = new DataView(want.buffer);
  dv.setBigUint64(0, BigInt(padded.length), true);
  want.set(new TextEncoder().encode(padded), 8);
  const data = 8 + padded.length;
  dv.setBigInt64(data, -3n, true);
  dv.setFloat32(data + 8, 1, true);
  dv.setFloat32(data + 12, 2, true);
  want[data + 16] = 1;
  assert.deepEqual(blob, want);
});

test('safetensors: typed arrays and raw bytes give the same blob; bad tensors are refused', () => {
  const f = new Float32Array([0.5, -1, 3, 4, 5, 6]);
  const a = packSafetensors({ w: { dtype: 'float32', shape: [2, 3], data: f } });
  const b = packSafetensors({ w: { dtype: 'float32', shape: [2, 3], data: new Uint8Array(f.buffer) } });
  assert.deepEqual(a, b);
  // A view into a larger buffer packs only its own bytes.
  const big = new Float32Array(10);
  big.set(f, 2);
  assert.deepEqual(packSafetensors({ w: { dtype: 'float32', shape: [2, 3], data: big.subarray(2, 8) } }), a);

  const bad = [
    { w: { dtype: 'float32', shape: [2, 3], data: new Float64Array(6) } }, // wrong array type
    { w: { dtype: 'float32', shape: [2, 2], data: f } }, // wrong size
    { w: { dtype: 'float8', shape: [6], data: f } }, // unknown dtype
    { w: { dtype: 'float32', shape: [-6], data: f } }, // bad shape
    { w: { dtype: 'float32', shape: [6], data: [1, 2, 3, 4, 5, 6] } }, // not a typed array
    { w: f }, // not {dtype, shape, data}
    { __metadata__: { dtype: 'float32', shape: [6], data: f } },
  ];
  for (const tensors of bad) assert.throws(() => packSafetensors(tensors), InvalidArgumentError);
});

test('safetensors: the example weights rebuilt from typed arrays pack to the same bytes', { skip: NO_MLP_FILES }, () => {
  const blob = new Uint8Array(readFileSync(mlpWeights));
  const { tensors, metadata } = readSafetensors(blob);
  assert.deepEqual(packSafetensors(tensors, metadata), blob);
});

// --- exports ---------------------------------------------------------------------

test('export: the example exports; blob, typed arrays and graph forms give the same bytes', { skip: NO_MLP }, async () => {
  const graphBytes = new Uint8Array(readFileSync(mlpGraph));
  const graphText = new TextDecoder().decode(graphBytes);
  const blob = new Uint8Array(readFileSync(mlpWeights));
  const onnx = await exportOnnx(graphBytes, { weights: blob });
  assert.ok(onnx instanceof Uint8Array && onnx.length > 0);
  assert.equal(onnx.byteOffset, 0);
  assert.equal(onnx.buffer.byteLength, onnx.length, 'a copy, not a view of wasm memory');

  const { tensors } = readSafetensors(blob);
  assert.deepEqual(await exportOnnx(graphText, { weights: tensors }), onnx);
  assert.deepEqual(await exportOnnx(JSON.parse(graphText), { weights: blob.buffer.slice(0) }), onnx);
  assert.deepEqual(await exportOnnx(graphBytes, { weights: blob, opsetVersion: 17 }), onnx,
    'opset 17 is the default');
});

test('export: onLog gets (level, message) strings and must be a function', { skip: NO_MLP }, async () => {
  const logs = [];
  await exportOnnx(readFileSync(mlpGraph), {
    weights: readFileSync(mlpWeights),
    verbose: true,
    onLog: (level, message) => logs.push([level, message]),
  });
  for (const [level, message] of logs) {
    assert.ok(['debug', 'info', 'warning'].includes(level));
    assert.equal(typeof message, 'string');
  }
});

test('export: C warnings reach onLog; an exception in onLog is rethrown after a clean export', { skip: NO_MLP }, async () => {
  const graph = readFileSync(mlpGraph);
  const weights = readFileSync(mlpWeights);
  const logs = [];
  // torch warns about constant folding in training mode; so does onnxify.
  await exportOnnx(graph, { weights, training: 'train', onLog: (level, message) => logs.push([level, message]) });
  assert.ok(logs.some(([level]) => level === 'warning'), JSON.stringify(logs));

  const boom = new Error('boom');
  let calls = 0;
  await assert.rejects(exportOnnx(graph, {
    weights, training: 'train', onLog: () => { calls++; throw boom; },
  }), (e) => e === boom);
  assert.equal(calls, 1, 'after a throw, the remaining messages are dropped');
  assert.ok((await exportOnnx(graph, { weights })).length > 0, 'the module still works');
});

// Heap use after `rounds` exports: the wasm memory size, and where a 1 MiB block lands
// (dlmalloc puts it at the top of the heap, so anything left allocated pushes it up).
async function heapAfter(rounds, run) {
  const M = await loadModule();
  for (let i = 0; i < rounds; i++) await run();
  const probe = M._malloc(1 << 20) >>> 0;
  M._free(probe);
  return { memory: M.HEAPU8.length, probe };
}

test('memory: 50 failing exports leave the heap as it was', { skip: NO_WASM }, async () => {
  const fail = () => exportOnnx(MALFORMED, { opsetVersion: 17, inputNames: ['x'] }).catch((e) => {
    assert.ok(e instanceof GraphDescriptionError);
  });
  const badOption = () => exportOnnx('{}', { noSuchOption: 99 }).catch((e) => {
    assert.ok(e instanceof InvalidArgumentError);
  });
  const run = async () => {
    await fail();
    await badOption();
  };
  const before = await heapAfter(5, run);
  const after = await heapAfter(50, run);
  assert.deepEqual(after, before);
});

test('memory: 50 successful exports leave the heap as it was', { skip: NO_MLP }, async () => {
  const graph = readFileSync(mlpGraph);
  const weights = readFileSync(mlpWeights);
  const run = () => exportOnnx(graph, { weights });
  const before = await heapAfter(5, run);
  const after = await heapAfter(50, run);
  assert.deepEqual(after, before);
});

test('concurrency: simultaneous exports each get their own result', { skip: NO_WASM }, async () => {
  const jobs = [];
  for (let i = 0; i < 8; i++) {
    jobs.push(exportOnnx(MALFORMED).then(() => 'resolved', (e) => e.name));
    jobs.push(exportOnnx('{}', { noSuchOption: 99 }).then(() => 'resolved', (e) => e.name));
  }
  const names = await Promise.all(jobs);
  for (let i = 0; i < names.length; i += 2) {
    assert.equal(names[i], 'GraphDescriptionError');
    assert.equal(names[i + 1], 'InvalidArgumentError');
  }
});

test('concurrency: simultaneous successful exports give identical bytes', { skip: NO_MLP }, async () => {
  const graph = readFileSync(mlpGraph);
  const weights = readFileSync(mlpWeights);
  const results = await Promise.all([
    ...Array.from({ length: 6 }, () => exportOnnx(graph, { weights })),
    exportOnnx(MALFORMED).catch((e) => e),
  ]);
  const failed = results.pop();
  assert.ok(failed instanceof GraphDescriptionError);
  for (const r of results) assert.deepEqual(r, results[0]);
});

// Last in this file: it breaks the shared instance on purpose.
test('trap: a WebAssembly trap becomes an InternalError and the next call gets a fresh module', { skip: NO_WASM }, async () => {
  const M = await loadModule();
  M._onnxify_export_chunks = () => {
    throw new WebAssembly.RuntimeError('unreachable');
  };
  await assert.rejects(exportOnnx(MALFORMED), (e) => {
    assert.ok(e instanceof OnnxExporterError);
    assert.equal(e.name, 'InternalError');
    assert.equal(e.status, Status.INTERNAL);
    assert.match(e.message, /trapped \(unreachable\)/);
    return true;
  });
  const M2 = await loadModule();
  assert.notEqual(M2, M);
  await assert.rejects(exportOnnx(MALFORMED), GraphDescriptionError);
  await assert.rejects(exportOnnx('{}', { onLog: 'console' }), InvalidArgumentError);
  await assert.rejects(exportOnnx(MALFORMED, { onLog: null }), GraphDescriptionError);
});
