// End-to-end: real PyTorch models — an MLP, torchvision resnet18 and mobilenet_v2, and
// nn.TransformerEncoderLayer (batch_first, eval), with random weights — exported by onnxify at
// opsets 9, 13 and 17 must run in onnxruntime-node and give PyTorch's outputs, and the native
// CLI must write the same bytes as the WASM API (the suite: e2e_suite.mjs).
//
// Fixtures: build/fixtures/<model>/ from `make fixtures` (tools/make_fixtures.py);
// ONNXIFY_FIXTURES=DIR reads them from DIR.

import { join } from 'node:path';
import { defineSuite, ROOT } from './e2e_suite.mjs';

defineSuite({
  dir: process.env.ONNXIFY_FIXTURES || join(ROOT, 'build', 'fixtures'),
  make: 'make fixtures',
  models: { mlp: null, resnet18: null, mobilenet_v2: null, transformer_encoder_layer: null },
  opsets: [9, 13, 17],
  tag: 'models',
});
