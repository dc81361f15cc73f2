// The converter page web/ in a real browser: Debian's Chromium (/usr/bin/chromium) driven
// by playwright-core, served from the repository by tests/browser/server.mjs (index files
// on, as `make serve` does). A user's path through the page: the bundled example, Export,
// Download (the downloaded bytes equal what js/index.node.mjs gives in this process, at
// opset 17 and then 13), a broken graph.json (the red box names GraphDescriptionError), a
// warning from onLog (amber), the page at 360 px; no console errors, loopback only.
// Screenshots: build/browser/web.png, web-error.png, web-narrow.png.
//
// Needs js/wasm/ (`make wasm`). Skipped only when /usr/bin/chromium is missing. Every wait
// is bounded; the browser and the servers are closed in `after` whatever happened.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';

import { exportOnnx as exportInNode } from '../../js/index.node.mjs';
import { startServer } from './server.mjs';

const CHROMIUM = '/usr/bin/chromium';
const NO_CHROMIUM = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (apt-get install chromium)`;
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

const root = new URL('../../', import.meta.url);
const rootDir = fileURLToPath(root);
const file = (path) => new URL(path, root);
const SHOTS = { done: 'build/browser/web.png', error: 'build/browser/web-error.png', narrow: 'build/browser/web-narrow.png' };

// Time limits (ms). A node:test timeout fails the test; `after` then closes the browser.
const LAUNCH_MS = 30_000;
const STEP_MS = 20_000;
const TEST_MS = 60_000;

let server = null;
let browser = null;
let context = null;
let page = null;
const offsite = [];     // requests the browser tried to send anywhere but the server
const pageErrors = [];  // uncaught exceptions and console errors (page and its workers)
const expected = {};    // opset -> Buffer, exported by index.node.mjs

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function inPage(fn, arg, what) {
  return withTimeout(page.evaluate(fn, arg), STEP_MS, what);
}

function sameBytes(actual, expectedBytes, what) {
  if (actual.equals(expectedBytes)) return;
  let at = 0;
  while (at < actual.length && at < expectedBytes.length && actual[at] === expectedBytes[at]) at++;
  assert.fail(`${what}: ${actual.length} bytes downloaded, ${expectedBytes.length} from Node; ` +
    `first difference at byte ${at}`);
}

async function screenshot(path) {
  mkdirSync(file('build/browser/'), { recursive: true });
  const out = fileURLToPath(file(path));
  await page.screenshot({ path: out, fullPage: true, timeout: STEP_MS });
  const png = readFileSync(out);
  assert.ok(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), `${path}: a PNG`);
  assert.ok(statSync(out).size > 5_000, `${path}: not a blank image`);
}

// Presses Export and waits for that export to end (#result[data-finished] counts them),
// in `state` (done | error).
async function exportAndWait(state) {
  const finished = () => Number(document.getElementById('result').dataset.finished ?? 0);
  const before = await inPage(finished, null, 'finished count');
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  await page.waitForFunction((n) => Number(document.getElementById('result').dataset.finished ?? 0) > n,
    before, { timeout: STEP_MS, polling: 20 });
  const got = await inPage(() => document.getElementById('result').dataset.state, null, 'state');
  if (got !== state) {
    const text = await inPage(() => document.getElementById('result').innerText, null, 'result text');
    assert.fail(`expected the export to end in '${state}', got '${got}': ${text}`);
  }
}

// The Download link's file name and bytes: its blob: URL read in the page (the browser
// itself is never asked to download anything).
async function download() {
  const got = await inPage(async () => {
    const a = document.getElementById('download');
    const r = await fetch(a.href);
    const bytes = new Uint8Array(await r.arrayBuffer());
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return { name: a.getAttribute('download'), scheme: new URL(a.href).protocol, text: a.textContent, base64: btoa(s) };
  }, null, 'download link');
  assert.equal(got.scheme, 'blob:', 'an object URL');
  assert.equal(got.text, `Download ${got.name}`);
  return { name: got.name, bytes: Buffer.from(got.base64, 'base64') };
}

async function useExample() {
  await page.getByRole('button', { name: 'Use the bundled example' }).click();
  await page.waitForFunction(() => document.getElementById('graph-status').textContent.includes('examples/mlp/graph.json') &&
    document.getElementById('weights-status').textContent.includes('examples/mlp/weights.safetensors'),
  null, { timeout: STEP_MS, polling: 20 });
}

before(async () => {
  server = await startServer(rootDir, { indexFiles: true });
  if (NO_CHROMIUM) return;
  assert.ok(existsSync(file('js/wasm/onnxify.wasm')) && existsSync(file('js/wasm/onnxify.mjs')),
    'js/wasm/onnxify.{mjs,wasm} are missing: run `make wasm` first');

  const graph = JSON.parse(readFileSync(file('examples/mlp/graph.json'), 'utf8'));
  const weights = readFileSync(file('examples/mlp/weights.safetensors'));
  for (const opset of [17, 13]) {
    expected[opset] = Buffer.from(await exportInNode(graph, { weights, opsetVersion: opset }));
  }
  assert.ok(!expected[17].equals(expected[13]), 'Node gives a different model at opsets 13 and 17');

  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: LAUNCH_MS });
  context = await browser.newContext({
    viewport: { width: 1000, height: 800 }, serviceWorkers: 'block', acceptDownloads: false,
  });
  context.setDefaultTimeout(STEP_MS);
  context.setDefaultNavigationTimeout(STEP_MS);
  context.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(server.url) && !url.startsWith('blob:') && !url.startsWith('data:')) offsite.push(url);
  });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(`console: ${m.text()} (${m.location().url || 'no location'})`);
  });
  page.on('worker', (w) => w.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(`worker console: ${m.text()}`);
  }));
  await page.goto(new URL('web/', server.url).href, { waitUntil: 'load', timeout: STEP_MS });
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true', null, { timeout: STEP_MS });
}, { timeout: LAUNCH_MS + 3 * STEP_MS });

after(async () => {
  try {
    if (browser) await withTimeout(browser.close(), STEP_MS, 'closing Chromium');
  } finally {
    browser = context = page = null;
    if (server) await withTimeout(server.close(), STEP_MS, 'closing the server');
    server = null;
  }
}, { timeout: 3 * STEP_MS });

// --- the server's index files (make serve) ------------------------------------------

function get(port, path) {
  return withTimeout(new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  }), STEP_MS, `GET ${path}`);
}

test('server: with indexFiles, /web/ is web/index.html and /web redirects to it; off by default',
  { timeout: TEST_MS }, async () => {
    const page = await get(server.port, '/web/');
    assert.equal(page.status, 200);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.ok(page.body.equals(readFileSync(file('web/index.html'))));
    const moved = await get(server.port, '/web?x=1');
    assert.equal(moved.status, 301);
    assert.equal(moved.headers.location, '/web/');
    assert.equal((await get(server.port, '/.//web')).headers.location, '/web/', 'never a protocol-relative Location');
    for (const path of ['/', '/js/', '/js', '/tests/browser/', '/.git/']) {
      assert.equal((await get(server.port, path)).status, 404, `${path}: no index.html there`);
    }
    const plain = await startServer(rootDir);
    try {
      assert.equal((await get(plain.port, '/web/')).status, 404, 'no index files by default');
      assert.equal((await get(plain.port, '/web')).status, 404);
    } finally {
      await withTimeout(plain.close(), STEP_MS, 'closing the second server');
    }
  });

// --- the page ----------------------------------------------------------------------

test('web: every control has a label; the defaults are torch.onnx.export\'s',
  { skip: NO_CHROMIUM, timeout: TEST_MS }, async () => {
    const got = await inPage(() => {
      const unlabeled = [...document.querySelectorAll('input, select, textarea, button')]
        .filter((c) => (c.tagName === 'BUTTON' ? !c.textContent.trim() : c.labels.length === 0))
        .map((c) => c.id || c.outerHTML.slice(0, 60));
      const opsets = [...document.querySelectorAll('#opset option')].map((o) => Number(o.value));
      return {
        unlabeled, opsets,
        opset: document.getElementById('opset').value,
        folding: document.getElementById('constant-folding').checked,
        params: document.getElementById('export-params').checked,
        keep: document.getElementById('keep-initializers').value,
        training: document.getElementById('training').value,
        exportDisabled: document.getElementById('export').disabled,
        notYet: [...document.querySelectorAll('.not-yet input, .not-yet select')].map((c) => c.disabled),
        exportType: document.getElementById('operator-export-type').value,
        dynamicAxes: document.getElementById('dynamic-axes').value,
      };
    }, null, 'controls');
    assert.deepEqual(got.unlabeled, []);
    assert.deepEqual(got.opsets, Array.from({ length: 17 }, (_, i) => 7 + i));
    assert.equal(got.opset, '17');
    assert.ok(got.folding && got.params);
    assert.equal(got.keep, 'none');
    assert.equal(got.training, 'eval');
    assert.ok(got.exportDisabled, 'Export waits for a graph');
    assert.deepEqual(got.notYet, [true], 'unsupported options (export_modules_as_functions) are disabled');
    assert.equal(got.exportType, 'onnx');
    assert.equal(got.dynamicAxes, '', 'no dynamic axes unless asked');

    // Keyboard: Tab from the top reaches the graph picker, whose label shows the focus ring.
    await page.locator('body').focus();
    let focused = null;
    for (let i = 0; i < 10 && focused !== 'graph-file'; i++) {
      await page.keyboard.press('Tab');
      focused = await inPage(() => document.activeElement?.id, null, 'focus');
    }
    assert.equal(focused, 'graph-file', 'the graph picker is reachable with Tab');
    const outline = await inPage(() => getComputedStyle(document.querySelector('label[for="graph-file"]')).outlineStyle,
      null, 'outline');
    assert.equal(outline, 'solid', 'visible focus on the picker\'s label');
  });

test('web: the bundled example exports, and the download is Node\'s bytes (opset 17)',
  { skip: NO_CHROMIUM, timeout: TEST_MS }, async () => {
    await useExample();
    const sizes = await inPage(() => [document.getElementById('graph-status').textContent,
      document.getElementById('weights-status').textContent], null, 'sizes');
    assert.match(sizes[0], new RegExp(`${statSync(file('examples/mlp/graph.json')).size.toLocaleString('en-US')} bytes`));
    assert.match(sizes[1], new RegExp(`${statSync(file('examples/mlp/weights.safetensors')).size} bytes`));

    await exportAndWait('done');
    const facts = await inPage(() => ({
      bytes: Number(document.getElementById('result-size').dataset.bytes),
      opset: document.getElementById('result-opset').textContent,
      time: document.getElementById('result-time').textContent,
    }), null, 'facts');
    assert.equal(facts.bytes, expected[17].length);
    assert.equal(facts.opset, '17');
    assert.match(facts.time, /\d+(\.\d+)? (ms|s)/);

    const dl = await download();
    assert.equal(dl.name, 'mlp.onnx');
    sameBytes(dl.bytes, expected[17], 'opset 17');
    await screenshot(SHOTS.done);
  });

test('web: opset 13 gives Node\'s opset-13 bytes',
  { skip: NO_CHROMIUM, timeout: TEST_MS }, async () => {
    await page.getByLabel('opset_version').selectOption('13');
    await exportAndWait('done');
    assert.equal(await inPage(() => document.getElementById('result-opset').textContent, null, 'opset'), '13');
    const dl = await download();
    sameBytes(dl.bytes, expected[13], 'opset 13');
  });

test('web: names, dynamic_axes and operator_export_type reach the export; bad JSON is an InvalidArgumentError',
  { skip: NO_CHROMIUM, timeout: TEST_MS }, async () => {
    const dynamicAxes = { x: { 0: 'batch' }, y: [0] };
    const want = Buffer.from(await exportInNode(readFileSync(new URL('examples/mlp/graph.json', root)), {
      weights: readFileSync(new URL('examples/mlp/weights.safetensors', root)),
      opsetVersion: 13, inputNames: ['x'], outputNames: ['y'], dynamicAxes,
    }));
    await page.getByLabel('opset_version').selectOption('13');
    await page.getByLabel('input_names').fill('x');
    await page.getByLabel('output_names').fill('y');
    await page.getByLabel('dynamic_axes').fill(JSON.stringify(dynamicAxes));
    try {
      await exportAndWait('done');
      sameBytes((await download()).bytes, want, 'dynamic axes at opset 13');
      await page.getByLabel('dynamic_axes').fill('{"x": ');
      await exportAndWait('error');
      const name = await inPage(() => document.querySelector('#result .error-name')?.textContent, null, 'error name');
      assert.equal(name, 'InvalidArgumentError');
    } finally {
      for (const label of ['input_names', 'output_names', 'dynamic_axes']) await page.getByLabel(label).fill('');
    }
  });

test('web: a broken graph.json shows GraphDescriptionError in the red box',
  { skip: NO_CHROMIUM, timeout: TEST_MS }, async () => {
    await page.locator('#graph-file').setInputFiles({
      name: 'graph.json', mimeType: 'application/json',
      buffer: Buffer.from('{"format": "onnxify-graph", "version": 1, "graph": {"inputs": ['),
    });
    await page.waitForFunction(() => document.getElementById('graph-status').textContent.includes('graph.json —'),
      null, { timeout: STEP_MS, polling: 20 });
    await exportAndWait('error');
    const box = await inPage(() => {
      const b = document.querySelector('#result .error-box');
      return b && {
        role: b.getAttribute('role'),
        name: b.querySelector('.error-name').textContent,
        message: b.querySelector('.error-message').textContent,
        border: getComputedStyle(b).borderTopColor,
        download: !!document.getElementById('download'),
      };
    }, null, 'error box');
    assert.ok(box, 'an error box');
    assert.equal(box.role, 'alert');
    assert.equal(box.name, 'GraphDescriptionError');
    assert.ok(box.message.length > 0 && box.message !== '(no message)', 'the C message is shown');
    assert.equal(box.border, 'rgb(179, 38, 30)', 'red');
    assert.ok(!box.download, 'no stale Download link next to an error');
    await screenshot(SHOTS.error);
  });

test('web: warnings from onLog are shown in amber; the page holds at 360 px',
  { skip: NO_CHROMIUM, timeout: TEST_MS }, async () => {
    await useExample();
    await page.getByLabel('training').selectOption('preserve'); // + constant folding: torch's warning
    await exportAndWait('done');
    const warning = await inPage(() => {
      const li = document.querySelector('#result .log-warning');
      return li && { text: li.textContent, color: getComputedStyle(li).color };
    }, null, 'warning');
    assert.ok(warning, 'a warning line');
    assert.match(warning.text, /constant folding/);
    assert.equal(warning.color, 'rgb(138, 83, 0)', 'amber');

    await page.setViewportSize({ width: 360, height: 740 });
    const overflow = await inPage(() => {
      const wide = [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5 &&
          getComputedStyle(e).position !== 'absolute')
        .map((e) => e.id || e.className || e.tagName);
      return { scrollWidth: document.documentElement.scrollWidth, wide };
    }, null, 'overflow');
    assert.ok(overflow.scrollWidth <= 360, `no horizontal scrolling at 360 px (scrollWidth ${overflow.scrollWidth})`);
    assert.deepEqual(overflow.wide, [], 'nothing sticks out at 360 px');
    await screenshot(SHOTS.narrow);
    await page.setViewportSize({ width: 1000, height: 800 });
    await page.getByLabel('training').selectOption('eval');
  });

test('web: dropped files are told apart by name or content, in either order',
  { skip: NO_CHROMIUM, timeout: TEST_MS }, async () => {
    const graph = readFileSync(file('examples/mlp/graph.json')).toString('base64');
    const weights = readFileSync(file('examples/mlp/weights.safetensors')).toString('base64');
    const drop = (files) => inPage((list) => {
      const dt = new DataTransfer();
      for (const f of list) {
        dt.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name));
      }
      document.getElementById('dropzone').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, files, 'drop');
    const status = () => inPage(() => ({
      graph: document.getElementById('graph-status').textContent,
      weights: document.getElementById('weights-status').textContent,
      fileName: document.getElementById('file-name').value,
      error: document.getElementById('files-error').hidden ? null : document.getElementById('files-error').textContent,
    }), null, 'file status');

    // Three files: refused, nothing changes.
    const before = await status();
    await drop([{ name: 'a.json', base64: graph }, { name: 'b.safetensors', base64: weights }, { name: 'c', base64: graph }]);
    await page.waitForFunction(() => !document.getElementById('files-error').hidden, null, { timeout: STEP_MS });
    const refused = await status();
    assert.match(refused.error, /Too many files/);
    assert.equal(refused.graph, before.graph);

    // Both at once, weights first, neither with a telling extension: sniffed.
    await drop([{ name: 'mlp-params.bin', base64: weights }, { name: 'tiny_mlp', base64: graph }]);
    await page.waitForFunction(() => document.getElementById('graph-status').textContent.includes('tiny_mlp'),
      null, { timeout: STEP_MS, polling: 20 });
    const got = await status();
    assert.equal(got.error, null);
    assert.match(got.weights, /mlp-params\.bin/);
    assert.equal(got.fileName, 'tiny_mlp.onnx', 'named after the graph file');
    await exportAndWait('done');
    const dl = await download();
    assert.equal(dl.name, 'tiny_mlp.onnx');
    sameBytes(dl.bytes, expected[13], 'dropped files, opset 13 still selected');

    // One at a time: a generic graph.json takes the captured module's class as the name.
    await drop([{ name: 'graph.json', base64: graph }]);
    await page.waitForFunction(() => document.getElementById('file-name').value === 'Sequential.onnx',
      null, { timeout: STEP_MS, polling: 20 });
    await page.getByLabel('opset_version').selectOption('17');
  });

// A fresh page (its own worker) with some requests answered by `handler`.
async function withRoutedPage(pattern, handler, body) {
  const p = await context.newPage();
  p.on('pageerror', (e) => pageErrors.push(`pageerror (routed page): ${e.message}`));
  try {
    await p.route(pattern, handler);
    await p.goto(new URL('web/', server.url).href, { waitUntil: 'load', timeout: STEP_MS });
    await p.waitForFunction(() => document.documentElement.dataset.ready === 'true', null, { timeout: STEP_MS });
    await p.getByRole('button', { name: 'Use the bundled example' }).click();
    await p.waitForFunction(() => !document.getElementById('export').disabled, null, { timeout: STEP_MS });
    await body(p);
  } finally {
    await withTimeout(p.close(), STEP_MS, 'closing a routed page');
  }
}

async function settledError(p) {
  await p.waitForFunction(() => ['done', 'error'].includes(document.getElementById('result').dataset.state),
    null, { timeout: STEP_MS, polling: 20 });
  return withTimeout(p.evaluate(() => ({
    state: document.getElementById('result').dataset.state,
    name: document.querySelector('#result .error-name')?.textContent,
    message: document.querySelector('#result .error-message')?.textContent,
    exportEnabled: document.getElementById('export').getAttribute('aria-disabled') !== 'true',
  })), STEP_MS, 'error view');
}

test('web: a worker or a .wasm that cannot load ends in the red box, never a blank result',
  { skip: NO_CHROMIUM, timeout: TEST_MS }, async () => {
    const notFound = (route) => route.fulfill({ status: 404, contentType: 'text/plain', body: 'not found\n' });
    await withRoutedPage('**/web/worker.mjs', notFound, async (p) => {
      await p.getByRole('button', { name: 'Export', exact: true }).click();
      const got = await settledError(p);
      assert.equal(got.state, 'error');
      assert.equal(got.name, 'WorkerError');
      assert.ok(got.exportEnabled, 'Export can be pressed again');
    });
    await withRoutedPage('**/js/wasm/onnxify.wasm', notFound, async (p) => {
      await p.getByRole('button', { name: 'Export', exact: true }).click();
      const got = await settledError(p);
      assert.equal(got.state, 'error');
      assert.equal(got.name, 'OnnxExporterError');
      assert.match(got.message, /cannot load .*onnxify\.wasm: HTTP 404/);
    });
  });

test('web: Cancel stops a running export; the next export works',
  { skip: NO_CHROMIUM, timeout: TEST_MS }, async () => {
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    // The .wasm is held back until the test has pressed Cancel (then served as usual: the
    // cancelled worker is gone by then).
    const hold = async (route) => {
      await withTimeout(held, STEP_MS, 'waiting for Cancel').catch(() => {});
      return route.continue().catch(() => {});
    };
    await withRoutedPage('**/js/wasm/onnxify.wasm', hold, async (p) => {
      await p.getByRole('button', { name: 'Export', exact: true }).click();
      await p.waitForFunction(() => document.getElementById('result').dataset.state === 'running',
        null, { timeout: STEP_MS, polling: 20 });
      await p.getByRole('button', { name: 'Cancel' }).click();
      const cancelled = await withTimeout(p.evaluate(() => ({
        state: document.getElementById('result').dataset.state,
        text: document.getElementById('result').textContent,
        cancelHidden: document.getElementById('cancel').hidden,
        focus: document.activeElement?.id,
      })), STEP_MS, 'after Cancel');
      release();
      assert.deepEqual(cancelled, { state: 'cancelled', text: 'Export cancelled.', cancelHidden: true, focus: 'export' });
      await p.getByRole('button', { name: 'Export', exact: true }).click();
      const got = await settledError(p);
      assert.equal(got.state, 'done', `${got.name}: ${got.message}`);
      const size = await withTimeout(p.evaluate(() => Number(document.getElementById('result-size').dataset.bytes)),
        STEP_MS, 'size');
      assert.equal(size, expected[17].length);
    });
  });

// Last: everything above has run in the page by now.
test('web: no page or console errors; loopback only',
  { skip: NO_CHROMIUM, timeout: TEST_MS }, async () => {
    assert.deepEqual(pageErrors, [], 'no uncaught exceptions or console errors');
    assert.deepEqual(offsite, [], 'no request left the loopback server');
  });
