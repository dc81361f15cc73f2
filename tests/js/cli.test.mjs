// js/cli.mjs: usage errors (exit 2), export failures (exit 1, no output file left),
// and, with the bundled example, a successful export equal to exportOnnx's bytes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { exportOnnx } from 'onnxify';

const root = new URL('../../', import.meta.url);
const cli = fileURLToPath(new URL('js/cli.mjs', root));
const NO_WASM = existsSync(new URL('js/wasm/onnxify.wasm', root)) ? false
  : 'js/wasm/onnxify.wasm is missing: run `make wasm`';
const mlpGraph = fileURLToPath(new URL('examples/mlp/graph.json', root));
const mlpWeights = fileURLToPath(new URL('examples/mlp/weights.safetensors', root));
const NO_MLP = NO_WASM || (existsSync(mlpGraph) && existsSync(mlpWeights) ? false
  : 'examples/mlp/graph.json + weights.safetensors are missing');

function onnxify(...args) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function workdir(t) {
  const dir = mkdtempSync(join(tmpdir(), 'onnxify-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('--help prints the usage with every contract flag and exits 0', () => {
  const r = onnxify('--help');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^usage: onnxify export GRAPH/);
  for (const flag of ['--weights', '-o', '--opset', '--input-names', '--output-names', '--dynamic-axes',
    '--no-constant-folding', '--keep-initializers-as-inputs', '--training', '--operator-export-type',
    '--custom-opsets', '--export-modules-as-functions', '--no-export-params', '--verbose', '--version']) {
    assert.ok(r.stdout.includes(flag), flag);
  }
  assert.equal(onnxify('export', 'g.json', '-h').code, 0);
});

test('--version prints the library version', { skip: NO_WASM }, () => {
  const r = onnxify('--version');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^onnxify \d+\.\d+\.\d+\n$/);
});

test('usage errors exit 2 with a message and write nothing', (t) => {
  const dir = workdir(t);
  const out = join(dir, 'out.onnx');
  const graph = join(dir, 'g.json');
  writeFileSync(graph, '{}');
  const cases = [
    [[], /missing command/],
    [['convert', graph, '-o', out], /unknown command 'convert'/],
    [['export', '-o', out], /missing GRAPH/],
    [['export', graph], /missing -o/],
    [['export', graph, '-o', out, '--frobnicate'], /unknown flag '--frobnicate'/],
    [['export', graph, '-o', out, '--opset=17'], /unknown flag '--opset=17'/],
    [['export', graph, '-o', out, '--opset'], /--opset needs a value/],
    [['export', graph, '-o', out, '--opset', 'seventeen'], /--opset: expected an integer/],
    [['export', graph, '-o', out, '--opset', '17', '--opset', '18'], /--opset given twice/],
    [['export', graph, '-o', out, '--dynamic-axes', '{x:'], /--dynamic-axes: not valid JSON/],
    [['export', graph, '-o', out, '--custom-opsets', '{'], /--custom-opsets: not valid JSON/],
    [['export', graph, 'extra', '-o', out], /unexpected argument 'extra'/],
  ];
  for (const [args, message] of cases) {
    const r = onnxify(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^onnxify: UsageError: /);
    assert.match(r.stderr, message);
  }
  assert.deepEqual(readdirSync(dir), ['g.json']);
});

test('a failed export exits 1, names the error and leaves no output file', { skip: NO_WASM }, (t) => {
  const dir = workdir(t);
  const out = join(dir, 'out.onnx');
  const graph = join(dir, 'bad.json');
  writeFileSync(graph, '{"format": "onnxify-graph", "version": 1, "graph": ');

  let r = onnxify('export', graph, '-o', out);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^onnxify: GraphDescriptionError: ./m);

  r = onnxify('export', graph, '-o', out, '--opset', '99');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^onnxify: InvalidArgumentError: ./m);

  r = onnxify('export', join(dir, 'missing.json'), '-o', out);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^onnxify: IOError: cannot read graph .*missing\.json/m);

  r = onnxify('export', graph, '--weights', join(dir, 'missing.safetensors'), '-o', out);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^onnxify: IOError: cannot read weights/m);

  assert.deepEqual(readdirSync(dir), ['bad.json'], 'no output and no temp file');

  // An existing output file is left as it was.
  writeFileSync(out, 'previous');
  assert.equal(onnxify('export', graph, '-o', out).code, 1);
  assert.equal(readFileSync(out, 'utf8'), 'previous');
});

test('every contract flag is parsed and handed to the C side', { skip: NO_MLP }, (t) => {
  const dir = workdir(t);
  const out = join(dir, 'out.onnx');
  // Values the C side refuses prove the flag reached it with its option name.
  const cases = [
    [['--training', 'sometimes'], /training/],
    [['--operator-export-type', 'onnx_sometimes'], /operator/i],
    [['--opset', '6'], /opset/i],
  ];
  for (const [flags, message] of cases) {
    const r = onnxify('export', mlpGraph, '--weights', mlpWeights, '-o', out, ...flags);
    assert.equal(r.code, 1, `${flags.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^onnxify: InvalidArgumentError: /m);
    assert.match(r.stderr, message);
  }
  assert.deepEqual(readdirSync(dir), []);
});

test('a successful export writes what exportOnnx returns', { skip: NO_MLP }, async (t) => {
  const dir = workdir(t);
  const out = join(dir, 'mlp.onnx');
  const r = onnxify('export', mlpGraph, '--weights', mlpWeights, '-o', out, '--opset', '17');
  assert.equal(r.code, 0, r.stderr);
  const want = await exportOnnx(readFileSync(mlpGraph), { weights: readFileSync(mlpWeights), opsetVersion: 17 });
  assert.deepEqual(new Uint8Array(readFileSync(out)), want);
  assert.deepEqual(readdirSync(dir), ['mlp.onnx'], 'no temp file left');

  const r2 = onnxify('export', mlpGraph, '--weights', mlpWeights, '-o', out, '--no-constant-folding',
    '--no-export-params', '--keep-initializers-as-inputs', '--training', 'eval');
  const want2 = await exportOnnx(readFileSync(mlpGraph), {
    weights: readFileSync(mlpWeights), doConstantFolding: false, exportParams: false,
    keepInitializersAsInputs: true, training: 'eval',
  }).catch((e) => e);
  if (want2 instanceof Error) {
    assert.equal(r2.code, 1);
    assert.ok(r2.stderr.includes(`onnxify: ${want2.name}: ${want2.message}`), r2.stderr);
  } else {
    assert.equal(r2.code, 0, r2.stderr);
    assert.deepEqual(new Uint8Array(readFileSync(out)), want2);
  }
});
