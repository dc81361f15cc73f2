// operator_export_type: ONNX_ATEN_FALLBACK exports ops without a symbolic as ATen nodes
// (domain org.pytorch.aten). ATen nodes do not run in onnxruntime, so the check is parity with
// torch.onnx.export's own file (tests/fixtures/aten_fallback/, see its README); the other modes
// are checked for what they must contain.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { exportOnnx, UnsupportedOperatorError } from '../../js/index.node.mjs';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIR = join(ROOT, 'tests', 'fixtures', 'aten_fallback');

async function load() {
  const [graph, weights] = await Promise.all(['graph.json', 'weights.safetensors'].map((f) => readFile(join(DIR, f))));
  return { graph, weights };
}

test('ONNX_ATEN_FALLBACK at opset 13: the same ModelProto as torch.onnx.export', async () => {
  const { graph, weights } = await load();
  const bytes = await exportOnnx(graph, { weights, opsetVersion: 13, operatorExportType: 'onnx_aten_fallback' });
  const tmp = await mkdtemp(join(tmpdir(), 'onnxify-aten-'));
  try {
    await writeFile(join(tmp, 'ours.onnx'), bytes);
    const r = await run('/usr/bin/python3', [join(ROOT, 'tools', 'compare_with_torch.py'), join(tmp, 'ours.onnx'),
      join(DIR, 'torch_onnx_aten_fallback_opset13.onnx')]).catch((e) => e);
    assert.equal(r.code ?? 0, 0, `differs from torch:\n${r.stdout}${r.stderr ?? ''}`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

test('the modes differ as in torch: ONNX refuses, ATEN wraps every aten op, FALLTHROUGH keeps them', async () => {
  const { graph, weights } = await load();
  await assert.rejects(exportOnnx(graph, { weights, opsetVersion: 13 }), UnsupportedOperatorError);
  const text = (b) => Buffer.from(b).toString('latin1');
  const aten = text(await exportOnnx(graph, { weights, opsetVersion: 13, operatorExportType: 'onnx_aten' }));
  for (const op of ['special_erfcx', 'triu', 'mul', 'add']) assert.ok(aten.includes(op), `ATen node for ${op}`);
  assert.ok(aten.includes('org.pytorch.aten'));
  const through = text(await exportOnnx(graph, { weights, opsetVersion: 13, operatorExportType: 'onnx_fallthrough' }));
  assert.ok(through.includes('special_erfcx') && through.includes('triu'), 'kept as aten nodes');
  assert.ok(!through.includes('ATen'), 'no ATen wrapper');
  // at opset 14 triu has a symbolic: the fallback wraps only erfcx
  const fb14 = text(await exportOnnx(graph, { weights, opsetVersion: 14, operatorExportType: 'onnx_aten_fallback' }));
  assert.ok(fb14.includes('Trilu') && fb14.includes('special_erfcx'));
});
