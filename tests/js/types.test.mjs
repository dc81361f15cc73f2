// Compile-only test of js/index.d.ts: a TypeScript file that uses the whole API
// (and misuses it where marked @ts-expect-error) must type-check against the
// package as a consumer sees it (`import ... from 'onnxify'`, resolved through
// package.json "exports" -> "types"). Needs tsc: $ONNXIFY_TSC, the repo's
// node_modules (npm `typescript`), or Debian's node-typescript; skipped otherwise.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsc = [process.env.ONNXIFY_TSC, join(root, 'node_modules/.bin/tsc'), '/usr/bin/tsc']
  .find((p) => p && existsSync(p));

const CHECK = `
import {
  exportOnnx, init, version, packSafetensors, Status,
  OnnxExporterError, InvalidArgumentError, GraphDescriptionError, UnsupportedOperatorError,
  SymbolicValueError, CheckerError,
} from 'onnxify';
import type { ExportOptions, InitOptions, TensorData, Weights, GraphDescription, LogLevel } from 'onnxify';

async function main(): Promise<void> {
  await init();
  await init({ wasmBinary: new Uint8Array(8) });
  await init({ wasmBinary: new ArrayBuffer(8) });
  await init({ wasmUrl: 'https://example.invalid/onnxify.wasm' });
  await init({ wasmUrl: new URL('file:///opt/onnxify.wasm') });
  await init({ locateFile: (path: string, prefix: string) => prefix + path });
  const v: string = await version();

  const w: TensorData = { dtype: 'float32', shape: [2, 3], data: new Float32Array(6) };
  const weights: Weights = { 'fc.weight': w, steps: { dtype: 'int64', shape: [], data: new BigInt64Array(1) } };
  const blob: Uint8Array = packSafetensors({ 'fc.weight': w });
  const graph: GraphDescription = { format: 'onnxify-graph', version: 1, graph: { inputs: [], nodes: [], outputs: [] } };

  const options: ExportOptions = {
    weights,
    opsetVersion: 17,
    inputNames: ['x'],
    outputNames: ['y'],
    exportParams: true,
    doConstantFolding: false,
    keepInitializersAsInputs: null,
    training: 'preserve',
    operatorExportType: 'onnx_aten_fallback',
    verbose: true,
    dynamicAxes: { x: { 0: 'batch' }, y: [0] },
    customOpsets: { mydomain: 1 },
    exportModulesAsFunctions: false,
    onLog: (level: LogLevel, message: string) => console.log(level, message),
  };
  const a: Uint8Array = await exportOnnx(graph, options);
  const b: Uint8Array = await exportOnnx('{}', { weights: blob });
  const c: Uint8Array = await exportOnnx(new Uint8Array(2), { weights: new ArrayBuffer(8) });
  const d: Uint8Array = await exportOnnx(new ArrayBuffer(2));

  try {
    await exportOnnx(graph);
  } catch (e) {
    if (e instanceof OnnxExporterError) {
      const status: number = e.status;
      const name: string = e.name;
      if (status === Status.CHECKER) console.log(name);
    }
    const classes = [InvalidArgumentError, GraphDescriptionError, UnsupportedOperatorError,
      SymbolicValueError, CheckerError];
    for (const C of classes) {
      const err: OnnxExporterError = new C('message');
      console.log(err.status, err.message);
    }
  }

  // @ts-expect-error training is one of eval/preserve/train
  await exportOnnx(graph, { training: 'sometimes' });
  // @ts-expect-error operatorExportType is one of the four torch names
  await exportOnnx(graph, { operatorExportType: 'ONNX' });
  // @ts-expect-error opsetVersion is a number
  await exportOnnx(graph, { opsetVersion: '17' });
  // @ts-expect-error dtype names are the graph description's
  packSafetensors({ w: { dtype: 'F32', shape: [1], data: new Float32Array(1) } });
  // @ts-expect-error the graph is not a number
  await exportOnnx(42);
  // @ts-expect-error wasmBinary is bytes
  await init({ wasmBinary: 'onnxify.wasm' });
  const i: InitOptions = {};
  console.log(v, a, b, c, d, i);
}
main();
`;

test('index.d.ts type-checks a consumer of the whole API', { skip: tsc ? false : 'tsc not found (npm typescript or Debian node-typescript)' }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'onnxify-types-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'onnxify'), 'dir');
  writeFileSync(join(dir, 'check.mts'), CHECK);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext',
      lib: ['es2022', 'dom'], types: [], skipLibCheck: false,
    },
    files: ['check.mts'],
  }));
  const r = spawnSync(tsc, ['-p', dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, `tsc failed:\n${r.stdout}${r.stderr}`);
});
