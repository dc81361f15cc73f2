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
import { join } from 'node:path';
import { defineSuite, loadApi, loadFixture, ROOT } from './e2e_suite.mjs';

const DIR = process.env.ONNXIFY_INPLACE_FIXTURES || join(ROOT, 'build', 'fixtures_inplace');
const MODELS = ['slice_fill', 'select_add', 'new_zeros_fill', 'select_copy'];

defineSuite({
  dir: DIR,
  make: 'make fixtures-inplace',
  models: Object.fromEntries(MODELS.map((m) => [m, null])),
  opsets: [11, 13, 17],
  tag: 'inplace',
});

if (process.env.ONNXIFY_TEST_TORCH_ONNX !== '1') {
  for (const name of MODELS) {
    test(`${name} opset 9: refused with torch's message (index_put needs opset 11)`, async () => {
      const fx = await loadFixture(DIR, name, 'make fixtures-inplace');
      const { exportOnnx } = await loadApi();
      await assert.rejects(exportOnnx(fx.graph, { weights: fx.weights, opsetVersion: 9 }),
        /Unsupported: ONNX export of index_put in opset 9\. Please try opset version 11/);
    });
  }
}
