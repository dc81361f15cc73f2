// End-to-end for assignments into views (src/passes/remove_inplace_ops.c): traced models that
// write into slice / select chains of a tensor (fill_, copy_, in-place arithmetic), which onnxify
// rewrites into index_put like torch's _jit_pass_onnx_remove_inplace_ops_for_onnx. Each must
// export and compute PyTorch's values:
//
//   slice_fill      y = x.clone(); y[:, 1:3] = 0; return y * 2
//   select_add      y = x.clone(); y[0] += 1; return y
//   new_zeros_fill  m = x.new_zeros(4, 4); m[1:3, 0:2] = 5; return x + m   (swin_t's mask pattern)
//   select_copy     y = x.clone(); y[:, :, 2] = x[:, :, 0]; return y
//
// Fixtures (build/fixtures_inplace/<model>/: graph.json, weights.safetensors, io.safetensors,
// torch_opset{11,13,17}.onnx) come from `make fixtures-inplace` (tools/make_inplace_fixtures.py).
// For opsets 11, 13, 17:
//   1. exportOnnx(graph, {weights, opsetVersion}) through the JS API (WASM);
//   2. run it in onnxruntime-node on the fixture's inputs: |a - b| <= 1e-4 + 1e-3 * |b|;
//   3. build/onnxify export ... writes identical bytes.
// At opset 9 the export fails with torch's message (index_put needs opset 11).
//
// ONNXIFY_INPLACE_FIXTURES=DIR reads the fixtures from DIR; ONNXIFY_NATIVE_CLI=PATH runs that
// binary instead of build/onnxify; ONNXIFY_TEST_TORCH_ONNX=1 runs step 2 on torch's own files.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readSafetensors, toOrt, compareOutputs } from './safetensors_read.mjs';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = process.env.ONNXIFY_INPLACE_FIXTURES || join(ROOT, 'build', 'fixtures_inplace');
const NATIVE_CLI = process.env.ONNXIFY_NATIVE_CLI || join(ROOT, 'build', 'onnxify');
const MODELS = ['slice_fill', 'select_add', 'new_zeros_fill', 'select_copy'];
const OPSETS = [11, 13, 17];
const TOL = { atol: 1e-4, rtol: 1e-3 };
const USE_TORCH_ONNX = process.env.ONNXIFY_TEST_TORCH_ONNX === '1';

let ortPromise = null;
function loadOrt() {
  ortPromise ??= import('onnxruntime-node').catch((e) => {
    throw new Error(`onnxruntime-node is not installed (${e.message}): run \`make setup\``);
  });
  return ortPromise;
}

let apiPromise = null;
function loadApi() {
  apiPromise ??= import('../../js/index.node.mjs');
  return apiPromise;
}

async function loadFixture(name) {
  const dir = join(FIXTURES, name);
  const files = ['graph.json', 'weights.safetensors', 'io.safetensors'];
  const missing = files.filter((f) => !existsSync(join(dir, f)));
  if (missing.length) {
    throw new Error(`fixture ${name} is missing (${missing.map((f) => join(dir, f)).join(', ')}): ` +
      'run `make fixtures-inplace` (tools/make_inplace_fixtures.py build/fixtures_inplace) first');
  }
  const [graph, weights, io] = await Promise.all(files.map((f) => readFile(join(dir, f))));
  return {
    dir,
    graphPath: join(dir, 'graph.json'),
    weightsPath: join(dir, 'weights.safetensors'),
    graph: graph.toString('utf8'),
    weights: new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength),
    io: readSafetensors(io),
  };
}

const byIndex = (prefix) => (a, b) => Number(a.slice(prefix.length)) - Number(b.slice(prefix.length));

async function runAndCompare(model, io) {
  const ort = await loadOrt();
  const session = await ort.InferenceSession.create(model);
  const inputs = io.order.filter((k) => k.startsWith('input.')).sort(byIndex('input.'));
  const outputs = io.order.filter((k) => k.startsWith('output.')).sort(byIndex('output.'));
  assert.equal(session.inputNames.length, inputs.length, `the ONNX model has inputs [${session.inputNames}]`);
  assert.equal(session.outputNames.length, outputs.length, `the ONNX model has outputs [${session.outputNames}]`);
  const feeds = {};
  inputs.forEach((k, i) => { feeds[session.inputNames[i]] = toOrt(ort, io.tensors[k]); });
  const results = await session.run(feeds);
  const report = outputs.map((k, i) => {
    const got = results[session.outputNames[i]];
    const want = io.tensors[k];
    return { label: k, dims: Array.from(got.dims), shape: want.shape, ...compareOutputs(got.data, want.data, TOL) };
  });
  if (typeof session.release === 'function') await session.release();
  return report;
}

function checkReport(t, report) {
  t.diagnostic('max abs diff vs PyTorch: ' + report.map((r) => `${r.label} ${r.maxAbs.toExponential(3)}`).join(', '));
  for (const r of report) {
    assert.deepEqual(r.dims, r.shape, `${r.label}: shape [${r.dims}], PyTorch [${r.shape}]`);
    assert.ok(r.ok, `${r.label}: ${r.reason} (max abs diff ${r.maxAbs}, atol ${TOL.atol}, rtol ${TOL.rtol})`);
  }
}

const exported = new Map();
function exportFixture(name, opset) {
  const key = `${name}@${opset}`;
  if (!exported.has(key)) {
    exported.set(key, (async () => {
      const fx = await loadFixture(name);
      const { exportOnnx } = await loadApi();
      const model = await exportOnnx(fx.graph, { weights: fx.weights, opsetVersion: opset });
      assert.ok(model instanceof Uint8Array && model.length > 0, 'exportOnnx returned no bytes');
      return { fx, model };
    })());
    exported.get(key).catch(() => {});
  }
  return exported.get(key);
}

for (const name of MODELS) {
  for (const opset of OPSETS) {
    if (USE_TORCH_ONNX) {
      test(`${name} opset ${opset}: onnxruntime matches PyTorch (torch.onnx.export reference)`, async (t) => {
        const fx = await loadFixture(name);
        const model = new Uint8Array(await readFile(join(fx.dir, `torch_opset${opset}.onnx`)));
        checkReport(t, await runAndCompare(model, fx.io));
      });
      continue;
    }

    test(`${name} opset ${opset}: onnxruntime matches PyTorch`, async (t) => {
      const { fx, model } = await exportFixture(name, opset);
      t.diagnostic(`exported ${model.length} bytes`);
      checkReport(t, await runAndCompare(model, fx.io));
    });

    test(`${name} opset ${opset}: the native CLI writes the WASM API's bytes`, async () => {
      assert.ok(existsSync(NATIVE_CLI), `${NATIVE_CLI} is missing: run \`make native\``);
      const { fx, model } = await exportFixture(name, opset);
      const dir = await mkdtemp(join(tmpdir(), 'onnxify-inplace-'));
      try {
        const out = join(dir, 'model.onnx');
        await run(NATIVE_CLI, ['export', fx.graphPath, '--weights', fx.weightsPath, '-o', out,
          '--opset', String(opset)], { maxBuffer: 16 << 20 });
        const native = await readFile(out);
        assert.equal(native.length, model.length, 'native CLI output size differs from the WASM API output');
        assert.ok(Buffer.compare(native, Buffer.from(model.buffer, model.byteOffset, model.byteLength)) === 0,
          'native CLI output differs from the WASM API output');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }

  if (!USE_TORCH_ONNX) {
    test(`${name} opset 9: refused with torch's message (index_put needs opset 11)`, async () => {
      const fx = await loadFixture(name);
      const { exportOnnx } = await loadApi();
      await assert.rejects(exportOnnx(fx.graph, { weights: fx.weights, opsetVersion: 9 }),
        /Unsupported: ONNX export of index_put in opset 9\. Please try opset version 11/);
    });
  }
}
