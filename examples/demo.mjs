// onnxify demo: export the bundled example (examples/mlp, a small PyTorch MLP captured by
// tools/torch_capture.py) to ONNX with the WebAssembly build, run the result in
// onnxruntime-node, and compare with PyTorch's own outputs (examples/mlp/io.safetensors).
//
//   node examples/demo.mjs [--opset N]        (or: make demo)
//
// Writes build/demo/mlp.onnx. Exits 1 if an output differs from PyTorch's by more than
// atol 1e-4 + rtol 1e-3 * |torch value|.

import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { exportOnnx } from '../js/index.node.mjs'; // index.mjs's API, reading the .wasm with fs
import { readSafetensors, toOrt, compareOutputs } from '../tests/js/safetensors_read.mjs';

const root = new URL('../', import.meta.url);
const example = new URL('examples/mlp/', root);
const outDir = new URL('build/demo/', root);

function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--opset' && i + 1 < argv.length) opts.opsetVersion = Number(argv[++i]);
    else {
      console.error('usage: node examples/demo.mjs [--opset N]');
      process.exit(2);
    }
  }
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  let ort;
  try {
    ort = await import('onnxruntime-node');
  } catch (e) {
    console.error(`onnxruntime-node is not installed (${e.message}); run \`make setup\``);
    process.exit(1);
  }

  const graph = await readFile(new URL('graph.json', example), 'utf8');
  const weights = new Uint8Array(await readFile(new URL('weights.safetensors', example)));
  const io = readSafetensors(await readFile(new URL('io.safetensors', example)));
  const inputs = Object.keys(io.tensors).filter((k) => k.startsWith('input.')).sort();
  const outputs = Object.keys(io.tensors).filter((k) => k.startsWith('output.')).sort();
  const inputNames = inputs.map((_, i) => `x${i}`);
  const outputNames = outputs.map((_, i) => `y${i}`);

  const t0 = performance.now();
  const model = await exportOnnx(graph, { weights, ...opts, inputNames, outputNames });
  const ms = performance.now() - t0;
  await mkdir(outDir, { recursive: true });
  const outFile = new URL('mlp.onnx', outDir);
  await writeFile(outFile, model);
  console.log(`exported examples/mlp -> ${fileURLToPath(outFile)} ` +
    `(${model.length} bytes, opset ${opts.opsetVersion ?? 'default'}, ${ms.toFixed(1)} ms)`);

  let session;
  try {
    session = await ort.InferenceSession.create(model);
  } catch (e) {
    throw new Error(`onnxruntime cannot load the exported model: ${e.message}`);
  }
  const feeds = {};
  inputs.forEach((k, i) => { feeds[inputNames[i]] = toOrt(ort, io.tensors[k]); });
  const results = await session.run(feeds);

  let ok = true;
  let worst = 0;
  outputs.forEach((k, i) => {
    const got = results[outputNames[i]];
    const want = io.tensors[k];
    if (!got) {
      console.error(`output ${outputNames[i]} missing from the ONNX model's outputs`);
      ok = false;
      return;
    }
    const sameShape = JSON.stringify(Array.from(got.dims)) === JSON.stringify(want.shape);
    const c = compareOutputs(got.data, want.data);
    worst = Math.max(worst, c.maxAbs);
    console.log(`${outputNames[i]} [${got.dims}]: max abs diff vs PyTorch ${c.maxAbs.toExponential(2)}` +
      (sameShape ? '' : ` (shape differs: PyTorch has [${want.shape}])`) + (c.ok ? '' : ` (${c.reason})`));
    ok &&= c.ok && sameShape;
  });
  if (!ok) {
    console.error(`outputs DIFFER from PyTorch (max abs diff ${worst.toExponential(2)})`);
    process.exit(1);
  }
  console.log(`outputs match PyTorch (max abs diff ${worst.toExponential(2)})`);
}

main().catch((e) => {
  console.error(`${e.name ?? 'Error'}: ${e.message}`);
  process.exit(1);
});
