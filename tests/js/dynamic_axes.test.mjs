// dynamic_axes end to end: real PyTorch models exported by onnxify with dynamic batch (and
// sequence) dims must declare them on the model's input and output and compute PyTorch's
// outputs for inputs of another size, not only the traced one.
//
// For every fixture (build/fixtures/<model>/, made by tools/make_fixtures.py) and opset 9, 13, 17:
//   1. exportOnnx(graph, {weights, opsetVersion, inputNames: ['x'], outputNames: ['out'],
//      dynamicAxes}) through the JS API (WASM), the input's batch dim (and the transformer's
//      sequence dim) and the output's the same;
//   2. onnxruntime's view of the model: input `x` and output `out` have those dims as named
//      symbols (dim_param) and every other dim as its traced size;
//   3. run it on io_dynamic.safetensors (batch 3; the transformer also sequence length 7) and on
//      io.safetensors (the traced sizes); every output must match PyTorch's:
//      |a - b| <= 1e-4 + 1e-3 * |b|.
// Also: the list form names the axes <name>_dynamic_axes_<j> and warns as torch does, the
// native CLI writes the WASM API's bytes, and (informational) the node count of resnet18 at
// opset 13 next to torch.onnx.export's own dynamic export (torch_opset13_dynamic.onnx).
//
// ONNXIFY_FIXTURES=DIR reads the fixtures from DIR instead of build/fixtures.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { exportOnnx } from '../../js/index.node.mjs';
import { readSafetensors, toOrt, compareOutputs } from './safetensors_read.mjs';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = process.env.ONNXIFY_FIXTURES || join(ROOT, 'build', 'fixtures');
const NATIVE_CLI = join(ROOT, 'build', 'onnxify');
const OPSETS = [9, 13, 17];
const TOL = { atol: 1e-4, rtol: 1e-3 };

// The dims made dynamic per model (input x and output out alike).
const MODELS = {
  mlp: { 0: 'batch' },
  resnet18: { 0: 'batch' },
  mobilenet_v2: { 0: 'batch' },
  transformer_encoder_layer: { 0: 'batch', 1: 'seq' },
};

let ortPromise = null;
function loadOrt() {
  ortPromise ??= import('onnxruntime-node').then((m) => m.default ?? m).catch((e) => {
    throw new Error(`onnxruntime-node is not installed (${e.message}): run \`make setup\``);
  });
  return ortPromise;
}

const fixtures = new Map();
function loadFixture(name) {
  if (!fixtures.has(name)) {
    fixtures.set(name, (async () => {
      const dir = join(FIXTURES, name);
      const files = ['graph.json', 'weights.safetensors', 'io.safetensors', 'io_dynamic.safetensors'];
      const missing = files.filter((f) => !existsSync(join(dir, f)));
      if (missing.length) {
        throw new Error(`fixture ${name} is missing ${missing.join(', ')} in ${dir}: ` +
          'run `make fixtures` (tools/make_fixtures.py build/fixtures) first');
      }
      const [graph, weights, io, ioDyn] = await Promise.all(files.map((f) => readFile(join(dir, f))));
      return {
        dir,
        graphPath: join(dir, 'graph.json'),
        weightsPath: join(dir, 'weights.safetensors'),
        graph: graph.toString('utf8'),
        weights: new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength),
        io: readSafetensors(io),
        ioDynamic: readSafetensors(ioDyn),
      };
    })());
  }
  return fixtures.get(name);
}

function dynamicAxesOf(name) {
  return { x: MODELS[name], out: MODELS[name] };
}

// The dims onnxruntime should report: the traced shape with the dynamic axes as names.
function expectedDims(shape, axes) {
  return shape.map((d, i) => axes[i] ?? d);
}

// Runs the model on io's input.0 and compares output.0.
async function runOn(session, ort, io) {
  const feeds = { [session.inputNames[0]]: toOrt(ort, io.tensors['input.0']) };
  const results = await session.run(feeds);
  const got = results[session.outputNames[0]];
  const want = io.tensors['output.0'];
  return { dims: Array.from(got.dims), shape: want.shape, ...compareOutputs(got.data, want.data, TOL) };
}

function checkRun(t, what, r) {
  t.diagnostic(`${what}: output [${r.dims}], max abs diff vs PyTorch ${r.maxAbs.toExponential(3)}`);
  assert.deepEqual(r.dims, r.shape, `${what}: output shape [${r.dims}], PyTorch [${r.shape}]`);
  assert.ok(r.ok, `${what}: ${r.reason} (max abs diff ${r.maxAbs}, atol ${TOL.atol}, rtol ${TOL.rtol})`);
}

// Number of NodeProtos in ModelProto.graph (field 7) -> GraphProto.node (field 1).
function countNodes(bytes) {
  const fields = (buf, want) => {
    const out = [];
    let p = 0;
    const varint = () => {
      let v = 0n;
      let shift = 0n;
      for (;;) {
        const b = buf[p++];
        if (b === undefined) throw new Error('truncated protobuf');
        v |= BigInt(b & 0x7f) << shift;
        if (!(b & 0x80)) return v;
        shift += 7n;
      }
    };
    while (p < buf.length) {
      const key = Number(varint());
      const field = key >>> 3;
      const wire = key & 7;
      if (wire === 0) varint();
      else if (wire === 1) p += 8;
      else if (wire === 5) p += 4;
      else if (wire === 2) {
        const len = Number(varint());
        if (field === want) out.push(buf.subarray(p, p + len));
        p += len;
      } else throw new Error(`unexpected wire type ${wire}`);
    }
    return out;
  };
  const graph = fields(bytes, 7)[0];
  return graph ? fields(graph, 1).length : 0;
}

const exported = new Map();
function exportDynamic(name, opset) {
  const key = `${name}@${opset}`;
  if (!exported.has(key)) {
    exported.set(key, (async () => {
      const fx = await loadFixture(name);
      const model = await exportOnnx(fx.graph, {
        weights: fx.weights,
        opsetVersion: opset,
        inputNames: ['x'],
        outputNames: ['out'],
        dynamicAxes: dynamicAxesOf(name),
      });
      assert.ok(model instanceof Uint8Array && model.length > 0, 'exportOnnx returned no bytes');
      return { fx, model };
    })());
  }
  return exported.get(key);
}

for (const name of Object.keys(MODELS)) {
  for (const opset of OPSETS) {
    const dims = Object.values(MODELS[name]).join(', ');
    test(`${name} opset ${opset}: dynamic ${dims}: declared, and onnxruntime matches PyTorch at both sizes`,
      async (t) => {
        const { fx, model } = await exportDynamic(name, opset);
        const ort = await loadOrt();
        const session = await ort.InferenceSession.create(model);
        try {
          assert.deepEqual(session.inputNames, ['x']);
          assert.deepEqual(session.outputNames, ['out']);
          const axes = MODELS[name];
          assert.deepEqual(session.inputMetadata[0].shape,
            expectedDims(fx.io.tensors['input.0'].shape, axes), 'input x dims');
          assert.deepEqual(session.outputMetadata[0].shape,
            expectedDims(fx.io.tensors['output.0'].shape, axes), 'output out dims');
          checkRun(t, 'io_dynamic', await runOn(session, ort, fx.ioDynamic));
          checkRun(t, 'io', await runOn(session, ort, fx.io));
        } finally {
          if (typeof session.release === 'function') await session.release();
        }
      });
  }
}

test('transformer_encoder_layer opset 17: the native CLI writes the WASM API\'s bytes', async () => {
  assert.ok(existsSync(NATIVE_CLI), `${NATIVE_CLI} is missing: run \`make native\``);
  const { fx, model } = await exportDynamic('transformer_encoder_layer', 17);
  const dir = await mkdtemp(join(tmpdir(), 'onnxify-dynamic-'));
  try {
    const out = join(dir, 'model.onnx');
    await run(NATIVE_CLI, ['export', fx.graphPath, '--weights', fx.weightsPath, '-o', out, '--opset', '17',
      '--input-names', 'x', '--output-names', 'out',
      '--dynamic-axes', JSON.stringify(dynamicAxesOf('transformer_encoder_layer'))], { maxBuffer: 16 << 20 });
    const native = await readFile(out);
    assert.equal(Buffer.compare(native, Buffer.from(model.buffer, model.byteOffset, model.byteLength)), 0,
      'native CLI output differs from the WASM API output');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('mlp: the list form names axes <name>_dynamic_axes_<j>, warns, and the name flows to the output',
  async (t) => {
    const fx = await loadFixture('mlp');
    const logs = [];
    const model = await exportOnnx(fx.graph, {
      weights: fx.weights,
      inputNames: ['x'],
      dynamicAxes: { x: [0, 0] },
      onLog: (level, message) => logs.push([level, message]),
    });
    const warnings = logs.filter(([level]) => level === 'warning').map(([, m]) => m);
    assert.ok(warnings.some((m) => m.includes('No names were found for specified dynamic axes of provided input.') &&
      m.endsWith('dynamic axes of input x')), `warnings: ${JSON.stringify(warnings)}`);
    assert.ok(warnings.includes('Duplicate dynamic axis index 0 was provided for input x.'));
    const ort = await loadOrt();
    const session = await ort.InferenceSession.create(model);
    assert.deepEqual(session.inputMetadata[0].shape, ['x_dynamic_axes_1', 16]);
    assert.deepEqual(session.outputMetadata[0].shape, ['x_dynamic_axes_1', 8]);
    checkRun(t, 'io_dynamic', await runOn(session, ort, fx.ioDynamic));
  });

test('mlp: bad dynamic axes are refused with InvalidArgumentError', async () => {
  const fx = await loadFixture('mlp');
  const { InvalidArgumentError } = await import('../../js/index.node.mjs');
  await assert.rejects(exportOnnx(fx.graph, { weights: fx.weights, inputNames: ['x'], dynamicAxes: { x: ['a'] } }),
    (e) => e instanceof InvalidArgumentError && /axis index is expected to be an integer/.test(e.message));
  await assert.rejects(exportOnnx(fx.graph, { weights: fx.weights, inputNames: ['x'], dynamicAxes: { x: { 2: 'd' } } }),
    (e) => e instanceof InvalidArgumentError && /axis 2 of input 'x' is out of range/.test(e.message));
});

test('resnet18 opset 13: node count next to torch.onnx.export with the same dynamic_axes (informational)',
  async (t) => {
    const path = join(FIXTURES, 'resnet18', 'torch_opset13_dynamic.onnx');
    if (!existsSync(path)) {
      t.skip('torch_opset13_dynamic.onnx is missing (make_fixtures.py without --no-torch-onnx writes it)');
      return;
    }
    const { model } = await exportDynamic('resnet18', 13);
    const torchNodes = countNodes(new Uint8Array(await readFile(path)));
    const ours = countNodes(model);
    t.diagnostic(`onnxify ${ours} nodes, torch.onnx.export ${torchNodes} nodes`);
    assert.ok(ours > 0 && torchNodes > 0);
  });
