// The JS API in a real browser: Debian's Chromium (/usr/bin/chromium) driven by
// playwright-core, loading js/index.mjs straight from the repository (no bundler) through
// tests/browser/server.mjs, on tests/browser/page.html. What runs in the page is
// compared byte for byte with what js/index.node.mjs gives in this process.
//
// Needs js/wasm/ (`make wasm`). Skipped only when /usr/bin/chromium is missing. Chromium
// only ever talks to the loopback server: no browser download, no other network (host
// names other than 127.0.0.1 do not resolve, background networking is off). Every wait is
// bounded; the browser and the server are closed in `after` whatever happened.

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
const PAGE = 'tests/browser/page.html';
const SCREENSHOT = 'build/browser/api.png';
const OPSETS = [9, 13, 17];

// Time limits (ms). A node:test timeout fails the test; the `after` hook then closes the
// browser, which also ends anything still waiting on it.
const LAUNCH_MS = 30_000;
const STEP_MS = 30_000;
const TEST_MS = 90_000;

let server = null;
let browser = null;
let context = null;
let page = null;
const offsite = [];       // requests the browser tried to send anywhere but the server
const pageErrors = [];    // uncaught exceptions and console errors, from every page
const expected = {};      // opset -> Buffer, exported by index.node.mjs
const wasmLoads = new WeakMap(); // page -> [{url, type}] of its .wasm responses

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

// page.evaluate has no timeout of its own.
function inPage(p, fn, arg, what) {
  return withTimeout(p.evaluate(fn, arg), STEP_MS, what);
}

function sameBytes(actualBase64, expectedBytes, what) {
  const actual = Buffer.from(actualBase64, 'base64');
  if (actual.equals(expectedBytes)) return;
  let at = 0;
  while (at < actual.length && at < expectedBytes.length && actual[at] === expectedBytes[at]) at++;
  assert.fail(`${what}: ${actual.length} bytes in the browser, ${expectedBytes.length} in Node; ` +
    `first difference at byte ${at}`);
}

async function openPage() {
  const p = await context.newPage();
  const loads = [];
  wasmLoads.set(p, loads);
  p.on('response', (r) => {
    if (new URL(r.url()).pathname.endsWith('.wasm')) loads.push({ url: r.url(), type: r.headers()['content-type'] });
  });
  p.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
  p.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(`console: ${m.text()} (${m.location().url || 'no location'})`);
  });
  await p.goto(new URL(PAGE, server.url).href, { waitUntil: 'load', timeout: STEP_MS });
  await p.waitForFunction(() => window.onnxifyReady === true, null, { timeout: STEP_MS });
  return p;
}

// Writes one row of the summary into the page, then passes the test's outcome on.
async function checked(check, detail, body) {
  let ok = false;
  let text = detail;
  try {
    const more = await body();
    ok = true;
    if (more) text = `${detail}; ${more}`;
  } catch (e) {
    text = `${detail}: ${e.message.split('\n')[0]}`;
    throw e;
  } finally {
    if (page) {
      await inPage(page, ([c, o, t]) => window.onnxifyTest.report(c, o, t), [check, ok, text], 'report')
        .catch(() => {});
    }
  }
}

before(async () => {
  server = await startServer(rootDir);
  if (NO_CHROMIUM) return;
  assert.ok(existsSync(file('js/wasm/onnxify.wasm')) && existsSync(file('js/wasm/onnxify.mjs')),
    'js/wasm/onnxify.{mjs,wasm} are missing: run `make wasm` first');

  const graph = JSON.parse(readFileSync(file('examples/mlp/graph.json'), 'utf8'));
  const weights = readFileSync(file('examples/mlp/weights.safetensors'));
  for (const opset of OPSETS) {
    expected[opset] = Buffer.from(await exportInNode(graph, { weights, opsetVersion: opset }));
  }

  const { chromium } = await import('playwright-core');
  // launch() gives the browser a fresh temporary user-data dir and removes it on close.
  browser = await chromium.launch({
    executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: LAUNCH_MS,
    // /usr/bin/chromium is Debian's wrapper script: it sources /etc/chromium.d, puts its
    // own flags before these and execs /usr/lib/chromium/chromium (so closing works).
  });
  context = await browser.newContext({ viewport: { width: 960, height: 540 }, serviceWorkers: 'block' });
  context.setDefaultTimeout(STEP_MS);
  context.setDefaultNavigationTimeout(STEP_MS);
  context.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(server.url) && !url.startsWith('blob:') && !url.startsWith('data:')) offsite.push(url);
  });
  page = await openPage();
}, { timeout: LAUNCH_MS + 2 * STEP_MS });

after(async () => {
  try {
    if (browser) await withTimeout(browser.close(), STEP_MS, 'closing Chromium');
  } finally {
    browser = context = page = null;
    if (server) await withTimeout(server.close(), STEP_MS, 'closing the server');
    server = null;
  }
}, { timeout: 3 * STEP_MS });

// --- the server ------------------------------------------------------------------

// A raw request (fetch would normalize the path before sending it).
function get(path, method = 'GET') {
  return withTimeout(new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'],
        body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  }), STEP_MS, `${method} ${path}`);
}

test('server: content types, confinement to the root, no listings', { timeout: TEST_MS }, async () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const types = {
    '/js/wasm/onnxify.wasm': 'application/wasm',
    '/js/index.mjs': 'text/javascript; charset=utf-8',
    '/tests/browser/page.html': 'text/html; charset=utf-8',
    '/examples/mlp/graph.json': 'application/json; charset=utf-8',
    '/examples/mlp/weights.safetensors': 'application/octet-stream',
  };
  for (const [path, type] of Object.entries(types)) {
    const r = await get(path);
    assert.equal(r.status, 200, path);
    assert.equal(r.type, type, path);
    assert.ok(r.body.equals(readFileSync(file(path.slice(1)))), `${path}: the file's bytes`);
  }
  assert.equal((await get('/js/index.mjs?v=1#x')).status, 200, 'the query is ignored');
  const head = await get('/js/index.mjs', 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);

  for (const path of ['/..%2f..%2f..%2fetc%2fpasswd', '/js/..%2f..%2f..%2fetc/passwd', '/%2e%2e%2f%2e%2e%2fetc']) {
    assert.equal((await get(path)).status, 403, path);
  }
  for (const path of ['/', '/js', '/js/', '/tests/browser/', '/no/such/file', '/.git/HEAD', '/js/.hidden']) {
    const r = await get(path);
    assert.equal(r.status, 404, path);
    assert.doesNotMatch(r.body.toString(), /index\.mjs|loader\.mjs/, `${path}: no listing`);
  }
  for (const path of ['/%E0%A4%A', '/js%00/index.mjs', '/js%5c..%5cpackage.json']) {
    assert.equal((await get(path)).status, 400, path);
  }
  assert.equal((await get('/js/index.mjs', 'POST')).status, 405);
});

// --- the page --------------------------------------------------------------------

test('browser: exportOnnx at opsets 9, 13, 17 gives the bytes Node gives',
  { skip: NO_CHROMIUM, timeout: TEST_MS }, async () => {
    await checked('exportOnnx (default wasm loading)', `MLP at opsets ${OPSETS.join(', ')}`, async () => {
      assert.equal(new Set(OPSETS.map((o) => expected[o].toString('base64'))).size, OPSETS.length,
        'Node gives a different model for each opset');
      const got = await inPage(page, (opsets) => window.onnxifyTest.exportMlp(opsets), OPSETS, 'exportMlp');
      assert.match(got.version, /^\d+\.\d+\.\d+/);
      for (const opset of OPSETS) sameBytes(got.out[opset], expected[opset], `opset ${opset}`);
      assert.deepEqual(wasmLoads.get(page),
        [{ url: new URL('js/wasm/onnxify.wasm', server.url).href, type: 'application/wasm' }],
        'one fetch of the default js/wasm/onnxify.wasm, served as application/wasm');
      return `byte-identical to Node (${OPSETS.map((o) => expected[o].length).join('/')} bytes), ` +
        `onnxify ${got.version}`;
    });
  });

test('browser: a malformed graph rejects with GraphDescriptionError',
  { skip: NO_CHROMIUM, timeout: TEST_MS }, async () => {
    await checked('malformed graph', 'truncated JSON', async () => {
      const got = await inPage(page, () => window.onnxifyTest.malformed(), null, 'malformed');
      assert.ok(got.rejected, 'the export rejected');
      assert.equal(got.name, 'GraphDescriptionError');
      assert.equal(got.status, 2);
      assert.ok(got.isGraphDescriptionError && got.isOnnxExporterError && got.isError,
        'instanceof GraphDescriptionError, OnnxExporterError and Error');
      assert.ok(got.message.length > 0, 'the C message is carried');
      return `${got.name}: ${got.message}`;
    });
  });

test('browser: typed-array weights give the same bytes as the safetensors blob',
  { skip: NO_CHROMIUM, timeout: TEST_MS }, async () => {
    await checked('typed-array weights', '{name: {dtype, shape, data}}', async () => {
      const got = await inPage(page, (opsets) => window.onnxifyTest.typedWeights(opsets), OPSETS, 'typedWeights');
      assert.deepEqual(got.arrays, {
        '0.weight': 'Float32Array', '0.bias': 'Float32Array', '3.weight': 'Float32Array', '3.bias': 'Float32Array',
      });
      for (const opset of OPSETS) {
        sameBytes(got.out[opset].typed, expected[opset], `opset ${opset}, typed arrays`);
        sameBytes(got.out[opset].blob, expected[opset], `opset ${opset}, blob`);
      }
      return `${Object.keys(got.arrays).length} Float32Array tensors, same bytes as the blob and Node`;
    });
  });

test('browser: init({wasmUrl}) loads the module from that URL',
  { skip: NO_CHROMIUM, timeout: TEST_MS }, async () => {
    await checked('init({wasmUrl})', 'a fresh page', async () => {
      const wasmUrl = '/js/wasm/onnxify.wasm?via=init';
      const fresh = await openPage(); // its own module map: nothing loaded yet
      const wasmResponses = wasmLoads.get(fresh);
      try {
        const got = await inPage(fresh, ([url, opsets]) => window.onnxifyTest.initWithUrl(url, opsets),
          [wasmUrl, OPSETS], 'initWithUrl');
        for (const opset of OPSETS) sameBytes(got.out[opset], expected[opset], `opset ${opset}`);
      } finally {
        await withTimeout(fresh.close(), STEP_MS, 'closing the second page');
      }
      assert.deepEqual(wasmResponses, [{ url: new URL(wasmUrl, server.url).href, type: 'application/wasm' }],
        'exactly one .wasm fetch, from the given URL, served as application/wasm');
      return `fetched ${wasmUrl} (application/wasm) only; same bytes`;
    });
  });

test('browser: a module worker exports the same bytes',
  { skip: NO_CHROMIUM, timeout: TEST_MS }, async () => {
    await checked('module worker', "new Worker(url, {type: 'module'})", async () => {
      const before = wasmLoads.get(page).length;
      const got = await inPage(page, ([opsets, ms]) => window.onnxifyTest.inWorker(opsets, ms),
        [OPSETS, STEP_MS - 5_000], 'inWorker');
      assert.ok(got.ok, `the worker failed: ${got.name}: ${got.message}`);
      assert.equal(got.scope, 'worker');
      for (const opset of OPSETS) sameBytes(got.out[opset], expected[opset], `opset ${opset}`);
      assert.deepEqual(wasmLoads.get(page).slice(before),
        [{ url: new URL('js/wasm/onnxify.wasm', server.url).href, type: 'application/wasm' }],
        'the worker loaded its own module from the default URL');
      return 'ran in a WorkerGlobalScope, loaded its own module; same bytes';
    });
  });

// Last: the summary above is complete by now.
test('browser: no page errors, loopback only; screenshot of the summary',
  { skip: NO_CHROMIUM, timeout: TEST_MS }, async () => {
    await checked('page health', 'no errors, no off-site requests', async () => {
      assert.deepEqual(pageErrors, [], 'no uncaught exceptions or console errors in the pages');
      assert.deepEqual(offsite, [], 'no request left the loopback server');
    });
    await inPage(page, () => {
      const rows = document.querySelectorAll('#summary tr').length;
      const failed = document.querySelectorAll('#summary td.fail').length;
      window.onnxifyTest.state(failed ? `${failed} of ${rows} checks FAILED` : `all ${rows} checks passed`);
    }, null, 'state');
    mkdirSync(file('build/browser/'), { recursive: true });
    const path = fileURLToPath(file(SCREENSHOT));
    await page.screenshot({ path, fullPage: true, timeout: STEP_MS });
    const png = readFileSync(path);
    assert.ok(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), 'a PNG');
    assert.ok(statSync(path).size > 5_000, 'not a blank image');
  });
