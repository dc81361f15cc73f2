// unconvertibleOps: torch.onnx.utils.unconvertible_ops. The graph is what tracing
// `torch.special.erfcx(x) + torch.triu(x).relu_() * 2` records; torch 1.13 answers
// ['aten::special_erfcx', 'aten::triu'] at opset 13 and ['aten::special_erfcx'] at 14
// (triu's symbolic starts at 14; relu_ dispatches to relu).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unconvertibleOps, OnnxExporterError, InvalidArgumentError } from '../../js/index.node.mjs';

const F = (shape) => ({ kind: 'tensor', dtype: 'float32', shape });
const node = (kind, inputs, output, type = F([3, 3])) => ({ kind, inputs, outputs: [{ name: output, type }] });
const constant = (name, kind, value, type) => ({
  kind: 'prim::Constant', inputs: [], outputs: [{ name, type }], attributes: [{ name: 'value', kind, value }],
});

const graph = {
  format: 'onnxify-graph',
  version: 1,
  graph: {
    inputs: [{ name: 'x', type: F([3, 3]) }],
    nodes: [
      node('aten::special_erfcx', ['x'], 'e'),
      constant('zero', 'i', 0, { kind: 'int' }),
      node('aten::triu', ['x', 'zero'], 't'),
      node('aten::relu_', ['t'], 'r'),
      constant('two', 'i', 2, { kind: 'int' }),
      node('aten::mul', ['r', 'two'], 'm'),
      constant('one', 'i', 1, { kind: 'int' }),
      node('aten::add', ['e', 'm', 'one'], 'y'),
    ],
    outputs: ['y'],
  },
};

test('unconvertibleOps lists the kinds without a symbolic at the opset, as torch', async () => {
  assert.deepEqual(await unconvertibleOps(graph, { opsetVersion: 13 }), ['aten::special_erfcx', 'aten::triu']);
  assert.deepEqual(await unconvertibleOps(graph, { opsetVersion: 14 }), ['aten::special_erfcx']);
  assert.deepEqual(await unconvertibleOps(JSON.stringify(graph)), ['aten::special_erfcx']); // default opset 17
});

test('unconvertibleOps: an unreadable graph is an OnnxExporterError; bad options are refused', async () => {
  await assert.rejects(unconvertibleOps('{"format": "onnxify-graph"'), (e) => {
    assert.ok(e instanceof OnnxExporterError);
    assert.match(e.message, /^Failed to discover unconvertible ops because of errors during the JIT graph generation process/);
    return true;
  });
  await assert.rejects(unconvertibleOps(graph, { opsetVersion: 99 }), InvalidArgumentError);
  await assert.rejects(unconvertibleOps(graph, { weights: new Uint8Array(0) }), InvalidArgumentError);
});
