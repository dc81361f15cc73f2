// The end-to-end suite shared by models.test.mjs, rnn.test.mjs and inplace.test.mjs: for each
// fixture (graph.json, weights.safetensors, io.safetensors made by a tools/make_*fixtures.py
// script) and each opset,
//   1. exportOnnx(graph, {weights, opsetVersion}) through the JS API (WASM);
//   2. run it in onnxruntime-node on io.safetensors' inputs and compare every output with
//      torch's: |a - b| <= atol + rtol * |b| (1e-4, 1e-3), max abs diff as a diagnostic;
//   3. the native CLI (build/onnxify export GRAPH --weights W -o OUT --opset N) writes the same
//      bytes.
// ONNXIFY_NATIVE_CLI=PATH runs that binary; ONNXIFY_TEST_TORCH_ONNX=1 runs step 2 on
// torch.onnx.export's own files (torch_opset<N>.onnx) instead: a check of the fixtures and of
// this harness, independent of onnxify.

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
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NATIVE_CLI = process.env.ONNXIFY_NATIVE_CLI || join(ROOT, 'build', 'onnxify');
const USE_TORCH_ONNX = process.env.ONNXIFY_TEST_TORCH_ONNX === '1';
const TOL = { atol: 1e-4, rtol: 1e-3 };

let ortPromise = null;
function loadOrt() {
  ortPromise ??= import('onnxruntime-node').catch((e) => {
    throw new Error(`onnxruntime-node is not installed (${e.message}): run \`make setup\``);
  });
  return ortPromise;
}

export async function loadApi() {
  return import('../../js/index.node.mjs');
}

// The fixture files of `name` under `dir`; `make` says how to produce them when missing.
export async function loadFixture(dir, name, make) {
  const at = join(dir, name);
  const files = ['graph.json', 'weights.safetensors', 'io.safetensors'];
  const missing = files.filter((f) => !existsSync(join(at, f)));
  if (missing.length) {
    throw new Error(`fixture ${name} is missing (${missing.map((f) => join(at, f)).join(', ')}): run \`${make}\` first`);
  }
  const [graph, weights, io] = await Promise.all(files.map((f) => readFile(join(at, f))));
  return {
    dir: at,
    graphPath: join(at, 'graph.json'),
    weightsPath: join(at, 'weights.safetensors'),
    graph: graph.toString('utf8'),
    weights: new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength),
    io: readSafetensors(io),
  };
}

const byIndex = (prefix) => (a, b) => Number(a.slice(prefix.length)) - Number(b.slice(prefix.length));

// Runs `model` (ONNX bytes) on the fixture's inputs; one comparison per output, labelled by
// `labels[i]` or the ONNX output name.
async function runAndCompare(model, io, labels) {
  const ort = await loadOrt();
  let session;
  try {
    session = await ort.InferenceSession.create(model);
  } catch (e) {
    throw new Error(`onnxruntime cannot load the model: ${e.message}`);
  }
  const inputs = io.order.filter((k) => k.startsWith('input.')).sort(byIndex('input.'));
  const outputs = io.order.filter((k) => k.startsWith('output.')).sort(byIndex('output.'));
  if (labels) assert.equal(outputs.length, labels.length, `the fixture has ${outputs.length} outputs`);
  assert.equal(session.inputNames.length, inputs.length,
    `the ONNX model has inputs [${session.inputNames}], torch had ${inputs.length}`);
  assert.equal(session.outputNames.length, outputs.length,
    `the ONNX model has outputs [${session.outputNames}], torch had ${outputs.length}`);
  const feeds = {};
  inputs.forEach((k, i) => { feeds[session.inputNames[i]] = toOrt(ort, io.tensors[k]); });
  const results = await session.run(feeds);
  const report = outputs.map((k, i) => {
    const got = results[session.outputNames[i]];
    const want = io.tensors[k];
    return { label: labels ? labels[i] : session.outputNames[i], dims: Array.from(got.dims), shape: want.shape,
      ...compareOutputs(got.data, want.data, TOL) };
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

// Registers steps 1-3 for every model x opset. models: {name: labels-or-null}.
export function defineSuite({ dir, make, models, opsets, tag }) {
  const exported = new Map(); // one WASM export per (model, opset), shared by two tests
  const exportFixture = (name, opset) => {
    const key = `${name}@${opset}`;
    if (!exported.has(key)) {
      exported.set(key, (async () => {
        const fx = await loadFixture(dir, name, make);
        const { exportOnnx } = await loadApi();
        const model = await exportOnnx(fx.graph, { weights: fx.weights, opsetVersion: opset });
        assert.ok(model instanceof Uint8Array && model.length > 0, 'exportOnnx returned no bytes');
        return { fx, model };
      })());
      exported.get(key).catch(() => {}); // a failed export is reported by the tests that await it
    }
    return exported.get(key);
  };

  for (const [name, labels] of Object.entries(models)) {
    for (const opset of opsets) {
      if (USE_TORCH_ONNX) {
        test(`${name} opset ${opset}: onnxruntime matches PyTorch (torch.onnx.export reference)`, async (t) => {
          const fx = await loadFixture(dir, name, make);
          const model = new Uint8Array(await readFile(join(fx.dir, `torch_opset${opset}.onnx`)));
          checkReport(t, await runAndCompare(model, fx.io, labels));
        });
        continue;
      }
      test(`${name} opset ${opset}: onnxruntime matches PyTorch`, async (t) => {
        const { fx, model } = await exportFixture(name, opset);
        t.diagnostic(`exported ${model.length} bytes`);
        checkReport(t, await runAndCompare(model, fx.io, labels));
      });
      test(`${name} opset ${opset}: the native CLI writes the WASM API's bytes`, async () => {
        assert.ok(existsSync(NATIVE_CLI), `${NATIVE_CLI} is missing: run \`make native\``);
        const { fx, model } = await exportFixture(name, opset);
        const tmp = await mkdtemp(join(tmpdir(), `onnxify-${tag}-`));
        try {
          const out = join(tmp, 'model.onnx');
          await run(NATIVE_CLI, ['export', fx.graphPath, '--weights', fx.weightsPath, '-o', out,
            '--opset', String(opset)], { maxBuffer: 16 << 20 });
          const native = await readFile(out);
          assert.equal(native.length, model.length, 'native CLI output size differs from the WASM API output');
          if (Buffer.compare(native, Buffer.from(model.buffer, model.byteOffset, model.byteLength)) !== 0) {
            const first = native.findIndex((b, i) => b !== model[i]);
            assert.fail(`native CLI output differs from the WASM API output at byte ${first}`);
          }
        } finally {
          await rm(tmp, { recursive: true, force: true });
        }
      });
    }
  }
}
