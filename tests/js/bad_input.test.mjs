// Bad input gets a named error that says what is wrong, never a crash and never a file.
//
// Every case is derived from the bundled example (examples/mlp) by editing its graph JSON
// or its safetensors weights here, and goes through
//   - the JS API: exportOnnx rejects with the named error class (GraphDescriptionError,
//     UnsupportedOperatorError from js/index.mjs) and a message naming the problem;
//   - the JS CLI: `node js/cli.mjs export GRAPH --weights W -o OUT` exits 1, names the
//     problem on stderr, and OUT does not exist afterwards.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { readSafetensors, writeSafetensorsRaw } from './safetensors_read.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE = join(ROOT, 'examples', 'mlp');
const CLI = join(ROOT, 'js', 'cli.mjs');

const GRAPH_TEXT = readFileSync(join(EXAMPLE, 'graph.json'), 'utf8');
const WEIGHTS = new Uint8Array(readFileSync(join(EXAMPLE, 'weights.safetensors')));

const api = () => import('../../js/index.node.mjs');

function graph() {
  return JSON.parse(GRAPH_TEXT);
}

// The first node of `kind` in the top-level graph.
function nodeOf(g, kind) {
  const n = g.graph.nodes.find((x) => x.kind === kind);
  assert.ok(n, `examples/mlp has no ${kind} node (regenerated differently?)`);
  return n;
}

function firstParam(g) {
  const p = g.graph.inputs.find((v) => v.param);
  assert.ok(p, 'examples/mlp has no parameter input');
  return p;
}

// The example's weights re-written with `edit(entries)` applied (raw bytes, no checks).
function editWeights(edit) {
  const st = readSafetensors(WEIGHTS);
  const entries = st.order.map((name) => ({
    name, dtype: st.tensors[name].dtype, shape: [...st.tensors[name].shape], bytes: st.tensors[name].bytes,
  }));
  return writeSafetensorsRaw(edit(entries), st.metadata);
}

// Each case: graph (JSON text), weights (bytes), error class name, what the message must say.
const CASES = [
  {
    name: 'malformed JSON',
    make: () => ({ graph: GRAPH_TEXT.slice(0, Math.floor(GRAPH_TEXT.length / 2)) }),
    error: 'GraphDescriptionError',
    message: /JSON|parse|unexpected|unterminated/i,
  },
  {
    name: 'unknown op kind',
    make: () => {
      const g = graph();
      nodeOf(g, 'aten::relu').kind = 'aten::does_not_exist';
      return { graph: JSON.stringify(g) };
    },
    error: 'UnsupportedOperatorError',
    message: /aten::does_not_exist/,
  },
  {
    name: 'missing weight',
    make: () => {
      const p = firstParam(graph()).name;
      return { weights: editWeights((es) => es.filter((e) => e.name !== p)), needle: p };
    },
    error: 'GraphDescriptionError',
    message: (c) => new RegExp(escape(c.needle)),
  },
  {
    name: 'mis-shaped weight',
    make: () => {
      const p = firstParam(graph()).name;
      // same bytes, transposed shape: only the declared-vs-actual shape check can see it
      return {
        weights: editWeights((es) => es.map((e) => (e.name === p ? { ...e, shape: [...e.shape].reverse() } : e))),
        needle: p,
      };
    },
    error: 'GraphDescriptionError',
    message: (c) => new RegExp(`${escape(c.needle)}[^]*shape|shape[^]*${escape(c.needle)}`, 'i'),
  },
  {
    name: 'dangling value name',
    make: () => {
      const g = graph();
      nodeOf(g, 'aten::relu').inputs[0] = 'no_such_value';
      return { graph: JSON.stringify(g) };
    },
    error: 'GraphDescriptionError',
    message: /no_such_value/,
  },
  {
    name: 'duplicate value names',
    make: () => {
      const g = graph();
      // the relu's output takes the name of the first linear's output; uses follow it, so the
      // duplicate definition is the only problem
      const first = nodeOf(g, 'aten::linear').outputs[0].name;
      const relu = nodeOf(g, 'aten::relu');
      const old = relu.outputs[0].name;
      relu.outputs[0].name = first;
      for (const n of g.graph.nodes) n.inputs = n.inputs.map((x) => (x === old ? first : x));
      g.graph.outputs = g.graph.outputs.map((x) => (x === old ? first : x));
      return { graph: JSON.stringify(g), needle: first };
    },
    error: 'GraphDescriptionError',
    message: (c) => new RegExp(`${escape(c.needle)}[^]*dup|dup[^]*${escape(c.needle)}`, 'i'),
  },
  {
    name: 'truncated safetensors',
    make: () => ({ weights: WEIGHTS.slice(0, WEIGHTS.length - 7) }),
    error: 'GraphDescriptionError',
    message: /safetensors|truncat|weights/i,
  },
  {
    name: 'truncated safetensors header',
    make: () => ({ weights: WEIGHTS.slice(0, 20) }),
    error: 'GraphDescriptionError',
    message: /safetensors|truncat|weights|header/i,
  },
];

function escape(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function materialize(c) {
  const made = c.make();
  const input = { graph: made.graph ?? GRAPH_TEXT, weights: made.weights ?? WEIGHTS, needle: made.needle };
  input.re = typeof c.message === 'function' ? c.message(input) : c.message;
  return input;
}

function runCli(args) {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 60000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr, signal: err?.signal });
    });
  });
}

for (const c of CASES) {
  test(`${c.name}: exportOnnx rejects with ${c.error}`, async () => {
    const input = materialize(c);
    const mod = await api();
    const Class = mod[c.error];
    assert.equal(typeof Class, 'function', `js/index.mjs does not export ${c.error}`);
    await assert.rejects(
      mod.exportOnnx(input.graph, { weights: input.weights, opsetVersion: 17 }),
      (e) => {
        assert.ok(e instanceof Class, `expected a ${c.error}, got ${e?.name}: ${e?.message}`);
        assert.ok(e instanceof mod.OnnxExporterError, `${e.name} is not an OnnxExporterError`);
        assert.equal(e.name, c.error);
        assert.match(e.message, input.re, `the message does not name the problem: ${e.message}`);
        return true;
      });
  });

  test(`${c.name}: the CLI exits 1, says why, writes nothing`, async () => {
    const input = materialize(c);
    const dir = await mkdtemp(join(tmpdir(), 'onnxify-bad-'));
    try {
      const g = join(dir, 'graph.json');
      const w = join(dir, 'weights.safetensors');
      const out = join(dir, 'out.onnx');
      await writeFile(g, input.graph);
      await writeFile(w, input.weights);
      const r = await runCli(['export', g, '--weights', w, '-o', out, '--opset', '17']);
      assert.equal(r.signal ?? null, null, `the CLI was killed by ${r.signal}`);
      assert.equal(r.code, 1, `exit code ${r.code} (stderr: ${r.stderr.trim()})`);
      assert.match(r.stderr, input.re, `stderr does not name the problem: ${r.stderr.trim()}`);
      assert.ok(!existsSync(out), `${out} exists after a failed export`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

test('the unedited example exports (the cases above fail for their own reason)', async () => {
  const mod = await api();
  const bytes = await mod.exportOnnx(GRAPH_TEXT, { weights: WEIGHTS, opsetVersion: 17 });
  assert.ok(bytes instanceof Uint8Array && bytes.length > 0);
});
