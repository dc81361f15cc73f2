// The converter page (web/index.html): collects graph.json + weights.safetensors (drop,
// pickers or the bundled example), reads the options, hands the export to worker.mjs and
// shows the result: size, time, opset, log lines, and a Download link; or the error, by
// class name and message. Every view of the result area is built whole, then swapped in.

const $ = (id) => document.getElementById(id);

const OPSET_MIN = 7;
const OPSET_MAX = 23;
const OPSET_DEFAULT = 17;
const EXAMPLE = new URL('../examples/mlp/', import.meta.url);

const HINTS = {
  GraphDescriptionError: 'graph.json or weights.safetensors is malformed or they do not match: ' +
    'capture them again with tools/torch_capture.py.',
  UnsupportedOperatorError: 'onnxify has no conversion for this operator at this opset_version; ' +
    'a higher opset_version may have one.',
  InvalidArgumentError: 'One of the export options is not accepted: see the message.',
  WorkerError: 'The export worker could not run: the page needs module workers and ' +
    'the files of js/ and js/wasm/ (run `make wasm`).',
  OnnxExporterError: (message) => (/^cannot (load|instantiate|start)\b/.test(message)
    ? 'The WebAssembly module could not be loaded: build it with `make wasm` and serve the ' +
      'repository root (`make serve`).'
    : null),
};

function hintFor(name, message) {
  const hint = HINTS[name];
  return typeof hint === 'function' ? hint(message) : hint ?? null;
}

const state = {
  graph: null,     // {blob, name, size}
  weights: null,   // {blob, name, size}
  worker: null,
  nextId: 1,
  job: null,       // the export running: {id, opset, fileName, logs, inputs}
  finished: 0,     // exports ended (done, error or cancelled): #result[data-finished]
  downloadUrl: null,
};

// --- small helpers -----------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c != null) node.append(c);
  return node;
}

// A path as text with line-break opportunities after each '/'.
function breakable(path) {
  const parts = path.split('/');
  const nodes = [];
  parts.forEach((p, i) => {
    nodes.push(i < parts.length - 1 ? `${p}/` : p);
    if (i < parts.length - 1) nodes.push(document.createElement('wbr'));
  });
  return nodes;
}

const grouping = new Intl.NumberFormat('en-US');

export function formatSize(n) {
  const exact = `${grouping.format(n)} byte${n === 1 ? '' : 's'}`;
  if (n < 1024) return exact;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]} (${exact})`;
}

export function formatMs(ms) {
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

// "a, b ,c" -> ['a', 'b', 'c']; empty text -> undefined (the graph's own names).
export function nameList(text) {
  const t = text.trim();
  return t ? t.split(',').map((s) => s.trim()) : undefined;
}

// A safe download name ending in .onnx.
export function onnxFileName(text) {
  let name = text.trim().replace(/[\u0000-\u001f\u007f/\\:*?"<>|]+/g, '_').replace(/^\.+/, '');
  if (!name) name = 'model.onnx';
  if (!/\.onnx$/i.test(name)) name += '.onnx';
  return name;
}

// --- files -----------------------------------------------------------------------

// 'graph' | 'weights' | null, from the name, else from the first bytes.
async function classify(file) {
  const lower = file.name.toLowerCase();
  if (lower.endsWith('.json')) return 'graph';
  if (lower.endsWith('.safetensors')) return 'weights';
  const head = new Uint8Array(await file.slice(0, 16).arrayBuffer());
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0; // UTF-8 BOM
  while (i < head.length && ' \t\r\n'.includes(String.fromCharCode(head[i]))) i++;
  if (head[i] === 0x7b /* { */) return 'graph';
  if (head.length >= 9 && head[8] === 0x7b) {
    const n = new DataView(head.buffer).getBigUint64(0, true);
    if (n >= 2n && n + 8n <= BigInt(file.size)) return 'weights';
  }
  return null;
}

// The model's name for the download: the graph file's own name unless it is the
// generic "graph.json", then the captured module's class (read from the first bytes).
async function modelName(file) {
  const stem = file.name.replace(/\.json$/i, '');
  if (stem && stem.toLowerCase() !== 'graph') return stem;
  try {
    const head = await file.slice(0, 65536).text();
    const m = /"model"\s*:\s*\{[^{}]*?"class"\s*:\s*"([^"\\]+)"/.exec(head);
    if (m) return m[1].split('.').pop();
  } catch { /* the name is only a default */ }
  return 'model';
}

function showFileStatus(kind) {
  const slot = state[kind];
  const out = $(`${kind}-status`);
  const label = kind === 'graph' ? 'graph.json' : 'weights.safetensors';
  out.replaceChildren(
    el('span', { class: 'slot', text: `${label}:` }), ' ',
    slot
      ? el('span', { class: 'chosen' }, el('span', { class: 'file-name' }, ...breakable(slot.name)),
        el('span', { class: 'file-size', text: ` — ${formatSize(slot.size)}` }))
      : el('span', { class: 'empty', text: kind === 'weights' ? 'not chosen (only models without parameters need none)' : 'not chosen' }),
  );
  out.classList.toggle('has-file', !!slot);
}

function setFile(kind, blob, name, model) {
  state[kind] = { blob, name, size: blob.size };
  showFileStatus(kind);
  if (kind === 'graph') $('file-name').value = onnxFileName(model ?? 'model');
  updateExportButton();
}

function showFilesError(name, message) {
  const box = $('files-error');
  if (!name) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  box.replaceChildren(el('p', { class: 'error-name', text: name }), el('p', { class: 'error-message', text: message }));
  box.hidden = false;
}

// Files from a drop or a picker: one or two, either kind, in any order.
function takeFiles(files, forcedKind = null) {
  return placeFiles(files, forcedKind)
    .catch((e) => showFilesError(e?.name || 'Error', `cannot read the file: ${e?.message ?? e}`));
}

async function placeFiles(files, forcedKind) {
  showFilesError(null);
  const list = [...files];
  if (list.length === 0) return;
  if (list.length > 2) {
    showFilesError('Too many files', `Got ${list.length} files: drop graph.json and weights.safetensors (two at most).`);
    return;
  }
  const kinds = [];
  for (const f of list) {
    const kind = forcedKind ?? await classify(f);
    if (!kind) {
      showFilesError('Unrecognized file',
        `${f.name} is neither a graph description (.json) nor a safetensors file (.safetensors).`);
      return;
    }
    kinds.push(kind);
  }
  if (list.length === 2 && kinds[0] === kinds[1]) {
    showFilesError('Two files of the same kind',
      `${list[0].name} and ${list[1].name} are both ${kinds[0] === 'graph' ? 'graph descriptions' : 'weights files'}: ` +
      'drop one graph.json and one weights.safetensors.');
    return;
  }
  for (let i = 0; i < list.length; i++) {
    const f = list[i];
    setFile(kinds[i], f, f.name, kinds[i] === 'graph' ? await modelName(f) : undefined);
  }
}

async function useExample() {
  const button = $('example');
  if (button.getAttribute('aria-busy') === 'true') return;
  showFilesError(null);
  button.setAttribute('aria-busy', 'true');
  const label = button.textContent;
  button.textContent = 'Loading the example…';
  try {
    const get = async (name) => {
      const url = new URL(name, EXAMPLE);
      let r;
      try {
        r = await fetch(url, { cache: 'no-store' });
      } catch (e) {
        throw new Error(`${url.pathname}: ${e.message}`);
      }
      if (!r.ok) throw new Error(`${url.pathname}: HTTP ${r.status} ${r.statusText}`.trim());
      return r.blob();
    };
    const [graph, weights] = await Promise.all([get('graph.json'), get('weights.safetensors')]);
    setFile('graph', graph, 'examples/mlp/graph.json', 'mlp');
    setFile('weights', weights, 'examples/mlp/weights.safetensors');
    $('graph-file').value = '';
    $('weights-file').value = '';
  } catch (e) {
    showFilesError('Could not load the bundled example', e.message);
  } finally {
    button.textContent = label;
    button.removeAttribute('aria-busy');
  }
}

// --- options -----------------------------------------------------------------------

function readOptions() {
  const keep = $('keep-initializers').value;
  const options = {
    opsetVersion: Number($('opset').value),
    doConstantFolding: $('constant-folding').checked,
    exportParams: $('export-params').checked,
    keepInitializersAsInputs: keep === 'none' ? null : keep === 'true',
    training: $('training').value,
    verbose: $('verbose').checked,
  };
  const inputNames = nameList($('input-names').value);
  const outputNames = nameList($('output-names').value);
  if (inputNames) options.inputNames = inputNames;
  if (outputNames) options.outputNames = outputNames;
  const dynamicAxes = jsonOption('dynamic_axes', $('dynamic-axes').value);
  const customOpsets = jsonOption('custom_opsets', $('custom-opsets').value);
  if (dynamicAxes) options.dynamicAxes = dynamicAxes;
  if (customOpsets) options.customOpsets = customOpsets;
  if ($('operator-export-type').value !== 'onnx') options.operatorExportType = $('operator-export-type').value;
  return options;
}

// A JSON-object option typed into a field; empty means "not given".
function jsonOption(name, text) {
  if (!text.trim()) return null;
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw Object.assign(new Error(`${name}: not valid JSON (${e.message})`), { name: 'InvalidArgumentError' });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw Object.assign(new Error(`${name}: expected a JSON object`), { name: 'InvalidArgumentError' });
  }
  return value;
}

function updateExportButton() {
  const button = $('export');
  button.disabled = !state.graph;
  $('export-hint').textContent = state.graph
    ? (state.weights ? '' : 'No weights chosen: fine only for a model without parameters.')
    : 'Choose a graph.json first.';
}

// --- the result area ---------------------------------------------------------------

function setResult(kind, ...children) {
  const area = $('result');
  if (state.downloadUrl && kind !== 'done') {
    URL.revokeObjectURL(state.downloadUrl);
    state.downloadUrl = null;
  }
  area.dataset.state = kind;
  area.replaceChildren(...children.filter((c) => c != null));
}

function logList(logs) {
  if (!logs.length) return null;
  const warnings = logs.filter((l) => l.level === 'warning').length;
  const title = `Log: ${logs.length} message${logs.length === 1 ? '' : 's'}` +
    (warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : '');
  return el('div', { class: 'log' },
    el('h3', { text: title }),
    el('ol', { class: 'log-lines' }, ...logs.map((l) =>
      el('li', { class: `log-${l.level}` }, el('span', { class: 'level', text: l.level }), ' ', l.message))));
}

function showRunning(job) {
  setResult('running',
    el('p', { class: 'running', role: 'status' }, el('span', { class: 'spinner', 'aria-hidden': 'true' }),
      `Exporting at opset ${job.opset}…`));
}

function showDone(job, msg) {
  const bytes = new Uint8Array(msg.bytes);
  const blob = new Blob([bytes], { type: 'application/octet-stream' });
  const oldUrl = state.downloadUrl;
  const url = URL.createObjectURL(blob);
  const time = formatMs(msg.exportMs) +
    (msg.loadMs > 0 ? ` (plus ${formatMs(msg.loadMs)} loading the WebAssembly module, first export only)` : '');
  const facts = el('dl', { class: 'facts' },
    el('dt', { text: 'File' }), el('dd', { text: job.fileName }),
    el('dt', { text: 'Size' }), el('dd', { id: 'result-size', 'data-bytes': bytes.length, text: formatSize(bytes.length) }),
    el('dt', { text: 'Time' }), el('dd', { id: 'result-time', text: time }),
    el('dt', { text: 'opset_version' }), el('dd', { id: 'result-opset', text: String(job.opset) }),
    el('dt', { text: 'From' }), el('dd', {}, ...job.inputs.flatMap((name, i) => [i ? ' + ' : null, ...breakable(name)])));
  const link = el('a', { id: 'download', class: 'button primary', href: url, download: job.fileName },
    `Download ${job.fileName}`);
  setResult('done',
    el('div', { class: 'success-box' },
      el('p', { class: 'result-title' }, el('span', { class: 'ok-mark', 'aria-hidden': 'true', text: '✓ ' }),
        'Exported'), facts, link),
    logList(job.logs));
  state.downloadUrl = url;
  if (oldUrl) URL.revokeObjectURL(oldUrl);
}

function showError(job, name, message) {
  const box = el('div', { class: 'error-box', role: 'alert' },
    el('p', { class: 'error-name', text: name }),
    el('p', { class: 'error-message', text: message || '(no message)' }),
    hintFor(name, message) ? el('p', { class: 'error-hint', text: hintFor(name, message) }) : null);
  setResult('error', box, logList(job?.logs ?? []));
}

// --- the worker --------------------------------------------------------------------

function getWorker() {
  if (state.worker) return state.worker;
  const worker = new Worker(new URL('./worker.mjs', import.meta.url), { type: 'module', name: 'onnxify-export' });
  worker.addEventListener('message', (event) => onWorkerMessage(event.data));
  worker.addEventListener('error', (event) => {
    event.preventDefault();
    dropWorker();
    finish((job) => showError(job, 'WorkerError', event.message || 'the export worker failed to load or crashed'));
  });
  worker.addEventListener('messageerror', () => {
    dropWorker();
    finish((job) => showError(job, 'WorkerError', 'a message from the export worker could not be read'));
  });
  state.worker = worker;
  return worker;
}

function dropWorker() {
  state.worker?.terminate();
  state.worker = null;
}

function setBusy(busy) {
  const exportButton = $('export');
  exportButton.setAttribute('aria-disabled', busy ? 'true' : 'false');
  exportButton.textContent = busy ? 'Exporting…' : 'Export';
  $('result').setAttribute('aria-busy', busy ? 'true' : 'false');
  const cancel = $('cancel');
  if (!busy && document.activeElement === cancel) exportButton.focus();
  cancel.hidden = !busy;
}

// Ends the running job with one final view.
function finish(render) {
  const job = state.job;
  if (!job) return;
  state.job = null;
  render(job);
  $('result').dataset.finished = String(++state.finished);
  setBusy(false);
}

function onWorkerMessage(msg) {
  const job = state.job;
  if (!msg || !job || msg.id !== job.id) return; // a cancelled job's late messages
  if (msg.type === 'log') {
    job.logs.push({ level: String(msg.level), message: String(msg.message) });
  } else if (msg.type === 'done') {
    finish((j) => showDone(j, msg));
  } else if (msg.type === 'error') {
    finish((j) => showError(j, msg.name, msg.message));
  }
}

async function startExport() {
  if (state.job || !state.graph) return;
  showFilesError(null);
  let options;
  try {
    options = readOptions();
  } catch (e) {
    // an option the page cannot even hand over (bad JSON): ends like a refused export
    state.job = { id: state.nextId++, logs: [] };
    finish((j) => showError(j, e.name, e.message));
    return;
  }
  const fileName = onnxFileName($('file-name').value);
  $('file-name').value = fileName;
  const job = {
    id: state.nextId++,
    opset: options.opsetVersion,
    fileName,
    logs: [],
    inputs: state.weights ? [state.graph.name, state.weights.name] : [state.graph.name],
  };
  state.job = job;
  setBusy(true);
  showRunning(job);
  try {
    const [graph, weights] = await Promise.all([
      state.graph.blob.arrayBuffer(),
      state.weights ? state.weights.blob.arrayBuffer() : null,
    ]);
    if (state.job !== job) return; // cancelled while reading
    if (typeof Worker === 'undefined') throw Object.assign(new Error('this browser has no Web Workers'), { name: 'WorkerError' });
    const transfer = weights ? [graph, weights] : [graph];
    getWorker().postMessage({ type: 'export', id: job.id, graph, weights, options }, transfer);
  } catch (e) {
    if (state.job !== job) return;
    dropWorker();
    finish((j) => showError(j, e?.name === 'NotReadableError' ? 'NotReadableError' : (e?.name || 'Error'),
      e?.name === 'NotReadableError' ? `a chosen file could not be read again (moved or changed?): ${e.message}` : String(e?.message ?? e)));
  }
}

function cancelExport() {
  if (!state.job) return;
  dropWorker(); // the next export starts a fresh worker
  finish(() => setResult('cancelled', el('p', { class: 'note', role: 'status', text: 'Export cancelled.' })));
}

// --- wiring ------------------------------------------------------------------------

function setUp() {
  const opset = $('opset');
  for (let v = OPSET_MIN; v <= OPSET_MAX; v++) {
    opset.append(el('option', { value: v, selected: v === OPSET_DEFAULT, text: v === OPSET_DEFAULT ? `${v} (default)` : String(v) }));
  }
  opset.value = String(OPSET_DEFAULT);

  $('graph-file').addEventListener('change', (e) => takeFiles(e.target.files, 'graph'));
  $('weights-file').addEventListener('change', (e) => takeFiles(e.target.files, 'weights'));
  $('example').addEventListener('click', useExample);
  $('options').addEventListener('submit', (e) => {
    e.preventDefault();
    startExport();
  });
  $('cancel').addEventListener('click', cancelExport);

  // Drops anywhere on the page count; the drop zone lights up while files are dragged.
  const zone = $('dropzone');
  let depth = 0;
  const hasFiles = (e) => [...(e.dataTransfer?.types ?? [])].includes('Files');
  window.addEventListener('dragenter', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth++;
    zone.classList.add('dragging');
  });
  window.addEventListener('dragleave', (e) => {
    if (!hasFiles(e)) return;
    depth = Math.max(0, depth - 1);
    if (depth === 0) zone.classList.remove('dragging');
  });
  window.addEventListener('dragover', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  });
  window.addEventListener('drop', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth = 0;
    zone.classList.remove('dragging');
    takeFiles(e.dataTransfer.files);
  });

  showFileStatus('graph');
  showFileStatus('weights');
  updateExportButton();
  document.documentElement.dataset.ready = 'true';
}

setUp();
