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
  assert.equal(onnxify('-h').code, 0);
});

test('--version prints the library version', { skip: NO_WASM }, () => {
  const r = onnxify('--version');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^onnxify \d+\.\d+\.\d+\n$/);
});

// The messages are the native CLI's (src/cli/main.c), word for word.
test('usage errors exit 2 with a message and write nothing', (t) => {
  const dir = workdir(t);
  const out = join(dir, 'out.onnx');
  const graph = join(dir, 'g.json');
  writeFileSync(graph, '{}');
  const cases = [
    [[], 'expected a command: export'],
    [['convert', graph, '-o', out], 'expected a command: export'],
    [['export', '-o', out], 'missing GRAPH (the graph description JSON)'],
    [['export', graph], 'missing -o OUT.onnx'],
    [['export', graph, '-o', out, '--frobnicate'], "unknown option '--frobnicate'"],
    [['export', graph, '-o', out, '--opset=17'], "unknown option '--opset=17'"],
    [['export', graph, '-o', out, '-h'], "unknown option '-h'"],
    [['export', graph, '-o', out, '--opset'], 'option --opset needs a value'],
    [['export', graph, '-o', out, '--opset', 'seventeen'], "--opset needs an integer, got 'seventeen'"],
    [['export', graph, '-o', out, '--opset', '-1'], "--opset needs an integer, got '-1'"],
    [['export', graph, '-o', out, '--training', 'sometimes'],
      "--training must be eval, preserve or train, got 'sometimes'"],
    [['export', graph, '-o', out, '--operator-export-type', 'ONNX'], "unknown --operator-export-type 'ONNX'"],
    [['export', graph, 'extra', '-o', out], "unexpected argument 'extra'"],
  ];
  for (const [args, message] of cases) {
    const r = onnxify(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr, `onnxify: ${message}\n(see onnxify --help)\n`);
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

  r = onnxify('export', graph, '-o', out, '--dynamic-axes', '{x:');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^onnxify: InvalidArgumentError: --dynamic-axes: not valid JSON/m);

  r = onnxify('export', join(dir, 'missing.json'), '-o', out);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `onnxify: cannot read ${join(dir, 'missing.json')}: No such file or directory\n`);

  r = onnxify('export', graph, '--weights', join(dir, 'missing.safetensors'), '-o', out);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^onnxify: cannot read .*missing\.safetensors/m);

  assert.deepEqual(readdirSync(dir), ['bad.json'], 'no output and no temp file');

  // An existing output file is left as it was.
  writeFileSync(out, 'previous');
  assert.equal(onnxify('export', graph, '-o', out).code, 1);
  assert.equal(readFileSync(out, 'utf8'), 'previous');

  // Writing into a missing directory fails cleanly too.
  r = onnxify('export', mlpGraph, '--weights', mlpWeights, '-o', join(dir, 'no', 'such', 'dir.onnx'));
  if (!NO_MLP) {
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^onnxify: cannot write .*dir\.onnx: No such file or directory/m);
  }
});

test('option values the C side refuses exit 1 with its message', { skip: NO_MLP }, (t) => {
  const dir = workdir(t);
  const out = join(dir, 'out.onnx');
  for (const flags of [['--opset', '6'], ['--opset', '99']]) {
    const r = onnxify('export', mlpGraph, '--weights', mlpWeights, '-o', out, ...flags);
    assert.equal(r.code, 1, `${flags.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^onnxify: InvalidArgumentError: .*opset/im);
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

  const r2 = onnxify('export', mlpGraph, '--weights', mlpWeights, '--output', out, '--no-constant-folding',
    '--no-export-params', '--keep-initializers-as-inputs', '--training', 'preserve', '--opset', '12',
    '--opset', '13', '--input-names', 'x', '--output-names', 'y', '--verbose');
  const want2 = await exportOnnx(readFileSync(mlpGraph), {
    weights: readFileSync(mlpWeights), doConstantFolding: false, exportParams: false,
    keepInitializersAsInputs: true, training: 'preserve', opsetVersion: 13, inputNames: ['x'],
    outputNames: ['y'], verbose: true,
  }).catch((e) => e);
  if (want2 instanceof Error) {
    assert.equal(r2.code, 1);
    assert.ok(r2.stderr.includes(`onnxify: ${want2.name}: ${want2.message}`), r2.stderr);
  } else {
    assert.equal(r2.code, 0, r2.stderr);
    assert.deepEqual(new Uint8Array(readFileSync(out)), want2);
  }
});
