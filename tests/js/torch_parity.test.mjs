// Parity with torch.onnx.export itself: for models whose whole pipeline onnxify
// reproduces, the exported ModelProto must equal torch's (torch_opset<N>.onnx, written by
// `make fixtures`) in every field but the producer and the graph name — same nodes, node
// names, attribute order, value names, initializers (fused Conv+BatchNorm weights bit for
// bit), inputs and outputs. The comparison is tools/compare_with_torch.py (onnx, Python).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = process.env.ONNXIFY_FIXTURES || join(ROOT, 'build', 'fixtures');
const PYTHON = '/usr/bin/python3';
const MODELS = ['mlp', 'resnet18', 'mobilenet_v2'];
const OPSETS = [9, 13, 17];

const { exportOnnx } = await import('../../js/index.node.mjs');

for (const model of MODELS) {
  for (const opset of OPSETS) {
    test(`${model} opset ${opset}: the same ModelProto as torch.onnx.export`, async () => {
      const dir = join(FIXTURES, model);
      const reference = join(dir, `torch_opset${opset}.onnx`);
      assert.ok(existsSync(reference), `${reference} is missing: run \`make fixtures\``);
      const [graph, weights] = await Promise.all(
        ['graph.json', 'weights.safetensors'].map((f) => readFile(join(dir, f))));
      const bytes = await exportOnnx(graph, { weights, opsetVersion: opset });
      const tmp = await mkdtemp(join(tmpdir(), 'onnxify-parity-'));
      try {
        const ours = join(tmp, 'ours.onnx');
        await writeFile(ours, bytes);
        const r = await run(PYTHON, [join(ROOT, 'tools', 'compare_with_torch.py'), ours, reference],
          { maxBuffer: 1 << 24 }).catch((e) => e);
        assert.equal(r.code ?? 0, 0, `differs from torch:\n${r.stdout}${r.stderr ?? ''}`);
        assert.match(r.stdout, /^identical/);
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    });
  }
}
