// onnxify vs torch.onnx.export on torchvision resnet50 (random weights, 1x3x224x224, opset 17).
//
//   node bench/run.mjs [--runs N] [--opset N]          (make bench)
//
// 1. /usr/bin/python3 bench/torch_export.py build/bench: captures resnet50 into
//    build/bench/resnet50/ (graph.json + weights.safetensors, if not up to date) and, in a
//    fresh Python process, times torch.onnx.export (median of N) and its peak RSS.
// 2. In a fresh Node process (this script with --child): reads the capture, loads the wasm,
//    records the peak RSS so far (baseline), times exportOnnx through the WASM API (median of
//    N), then records the peak RSS (process.resourceUsage().maxRSS, the same getrusage
//    high-water mark Python reports), the sampled process.memoryUsage().rss high water and the
//    wasm heap size (linear memory only grows, so its final size is its high water).
// 3. If build/onnxify exists, the native CLI's wall time (process start and file I/O included).
// Prints a table and the ratios torch/onnxify. Nothing is asserted about times.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BENCH_DIR = join(ROOT, 'build', 'bench');
const PYTHON = process.env.PYTHON || '/usr/bin/python3';
const MiB = 1024 * 1024;

function parseArgs(argv) {
  const a = { runs: 5, opset: 17, child: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') a.runs = Number(argv[++i]);
    else if (argv[i] === '--opset') a.opset = Number(argv[++i]);
    else if (argv[i] === '--child') a.child = true;
    else {
      console.error('usage: node bench/run.mjs [--runs N] [--opset N]');
      process.exit(2);
    }
  }
  return a;
}

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function exec(cmd, args, { capture = false } = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'] });
    let out = '';
    if (capture) p.stdout.on('data', (d) => { out += d; });
    p.on('error', reject);
    p.on('close', (code, signal) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')}: exit ${code ?? signal}`));
    });
  });
}

// ---- the measuring child -----------------------------------------------------------

async function child({ runs, opset }) {
  const graphPath = join(BENCH_DIR, 'resnet50', 'graph.json');
  const weightsPath = join(BENCH_DIR, 'resnet50', 'weights.safetensors');
  const graph = await readFile(graphPath, 'utf8');
  const weights = new Uint8Array(await readFile(weightsPath));
  const api = await import('../js/index.node.mjs');
  const loader = await import('../js/loader.mjs');

  let t0 = performance.now();
  await api.init();
  const initMs = performance.now() - t0;
  const M = await loader.loadModule();
  const heap = () => (M.HEAPU8 ? M.HEAPU8.byteLength : M.wasmMemory?.buffer.byteLength ?? NaN);
  const heapBefore = heap();
  const baseline = process.resourceUsage().maxRSS; // KiB
  let rssHigh = process.memoryUsage().rss;

  const times = [];
  let size = 0;
  let error = null;
  for (let i = 0; i < runs; i++) {
    t0 = performance.now();
    try {
      const bytes = await api.exportOnnx(graph, { weights, opsetVersion: opset });
      size = bytes.length;
    } catch (e) {
      error = `${e.name}: ${e.message}`;
      break;
    }
    times.push(performance.now() - t0);
    rssHigh = Math.max(rssHigh, process.memoryUsage().rss);
  }
  const result = {
    init_ms: initMs,
    runs_ms: times,
    median_ms: times.length ? median(times) : NaN,
    maxrss_baseline_kib: baseline,
    maxrss_peak_kib: process.resourceUsage().maxRSS,
    rss_high_water_bytes: rssHigh,
    wasm_heap_before_bytes: heapBefore,
    wasm_heap_bytes: heap(),
    input_bytes: graph.length + weights.length,
    onnx_bytes: size,
    error,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

// ---- the native CLI (optional) -------------------------------------------------------

async function nativeTimes({ runs, opset }, torch) {
  const cli = join(ROOT, 'build', 'onnxify');
  if (!existsSync(cli)) return null;
  const dir = await mkdtemp(join(tmpdir(), 'onnxify-bench-'));
  const times = [];
  try {
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await exec(cli, ['export', torch.graph, '--weights', torch.weights, '-o', join(dir, 'm.onnx'),
        '--opset', String(opset)]);
      times.push(performance.now() - t0);
    }
  } catch (e) {
    return { error: e.message };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { median_ms: median(times), runs_ms: times };
}

// ---- the table -------------------------------------------------------------------------

const fmtS = (ms) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(3)} s` : 'n/a');
const fmtMiB = (kib) => (Number.isFinite(kib) ? `${(kib / 1024).toFixed(0)} MiB` : 'n/a');
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);

async function main() {
  const a = parseArgs(process.argv.slice(2));
  if (a.child) return child(a);

  await exec(PYTHON, [join(ROOT, 'bench', 'torch_export.py'), BENCH_DIR, '--runs', String(a.runs),
    '--opset', String(a.opset)]);
  const torch = JSON.parse(await readFile(join(BENCH_DIR, 'torch_result.json'), 'utf8'));

  const out = await exec(process.execPath, [fileURLToPath(import.meta.url), '--child',
    '--runs', String(a.runs), '--opset', String(a.opset)], { capture: true });
  const ox = JSON.parse(out.trim().split('\n').pop());
  const native = ox.error ? null : await nativeTimes(a, torch);

  const torchMs = torch.median_s * 1000;
  const tDelta = torch.maxrss_peak_kib - torch.maxrss_baseline_kib;
  const oDelta = ox.maxrss_peak_kib - ox.maxrss_baseline_kib;
  const rows = [
    ['', 'median time', 'peak RSS', 'baseline', 'peak-baseline', 'output'],
    [`torch.onnx.export (torch ${torch.torch_version})`, fmtS(torchMs), fmtMiB(torch.maxrss_peak_kib),
      fmtMiB(torch.maxrss_baseline_kib), fmtMiB(tDelta), `${torch.onnx_bytes} B`],
    ['onnxify exportOnnx (WASM, Node)', fmtS(ox.median_ms), fmtMiB(ox.maxrss_peak_kib),
      fmtMiB(ox.maxrss_baseline_kib), fmtMiB(oDelta), ox.error ? 'failed' : `${ox.onnx_bytes} B`],
  ];
  if (native) {
    rows.push(['onnxify native CLI (wall, incl. I/O)', native.error ? 'failed' : fmtS(native.median_ms),
      '', '', '', '']);
  }
  console.log(`\nresnet50 (torchvision, random weights), 1x3x224x224, opset ${a.opset}, ` +
    `median of ${a.runs} runs\n`);
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => String(r[j]).length)) + 2);
  for (const r of rows) console.log(r.map((c, j) => (j === 0 ? pad(c, widths[j]) : lpad(c, widths[j]))).join(''));
  console.log('');
  console.log(`onnxify wasm: module init ${fmtS(ox.init_ms)}; wasm heap ${(ox.wasm_heap_bytes / MiB).toFixed(0)} MiB ` +
    `(${(ox.wasm_heap_before_bytes / MiB).toFixed(0)} MiB before the first export); ` +
    `process.memoryUsage().rss high water ${(ox.rss_high_water_bytes / MiB).toFixed(0)} MiB; ` +
    `input (graph.json + weights) ${(ox.input_bytes / MiB).toFixed(0)} MiB`);
  console.log(`torch runs: ${torch.runs_s.map((s) => s.toFixed(3)).join(', ')} s; ` +
    `onnxify runs: ${ox.runs_ms.map((ms) => (ms / 1000).toFixed(3)).join(', ')} s`);
  if (native?.error) console.log(`native CLI: ${native.error}`);
  if (ox.error) {
    console.log(`\nonnxify export failed: ${ox.error}`);
    process.exitCode = 1;
    return;
  }
  console.log(`\nratio torch/onnxify: time ${(torchMs / ox.median_ms).toFixed(2)}x, ` +
    `peak RSS ${(torch.maxrss_peak_kib / ox.maxrss_peak_kib).toFixed(2)}x, ` +
    `peak-baseline ${(tDelta / Math.max(1, oDelta)).toFixed(2)}x` +
    (native && !native.error ? `; torch/native CLI time ${(torchMs / native.median_ms).toFixed(2)}x` : ''));
}

main().catch((e) => {
  console.error(`bench: ${e.message}`);
  process.exit(1);
});
