// The converter page's module worker: runs exportOnnx off the page's thread, so the page
// stays responsive while the WebAssembly export (synchronous once loaded) runs.
//
// Messages (one export at a time; the page starts a new worker to cancel one):
//   page -> worker  {type: 'export', id, graph: ArrayBuffer, weights: ArrayBuffer | null, options}
//                   (both buffers transferred; options: exportOnnx's, without weights/onLog)
//   worker -> page  {type: 'log', id, level, message}                 for each onLog call
//                   {type: 'done', id, bytes: ArrayBuffer, exportMs, loadMs}   (bytes transferred;
//                   loadMs: time spent loading the module for this export, 0 once loaded)
//                   {type: 'error', id, name, status, message}       the export rejected

import { exportOnnx, init } from '../js/index.mjs';

let loaded = false;

function describe(e) {
  if (e && typeof e === 'object') {
    return {
      name: typeof e.name === 'string' && e.name ? e.name : 'Error',
      status: typeof e.status === 'number' ? e.status : null,
      message: typeof e.message === 'string' ? e.message : String(e),
    };
  }
  return { name: 'Error', status: null, message: String(e) };
}

async function run({ id, graph, weights, options }) {
  let loadMs = 0;
  if (!loaded) {
    const t0 = performance.now();
    await init();
    loadMs = performance.now() - t0;
    loaded = true;
  }
  const onLog = (level, message) => self.postMessage({ type: 'log', id, level, message });
  const t0 = performance.now();
  const out = await exportOnnx(new Uint8Array(graph), {
    ...options,
    weights: weights ? new Uint8Array(weights) : null,
    onLog,
  });
  const exportMs = performance.now() - t0;
  // A fresh Uint8Array per the API; copy only if it is a view of something larger.
  const bytes = out.byteOffset === 0 && out.byteLength === out.buffer.byteLength ? out.buffer : out.slice().buffer;
  self.postMessage({ type: 'done', id, bytes, exportMs, loadMs }, [bytes]);
}

self.addEventListener('message', (event) => {
  const msg = event.data;
  if (!msg || msg.type !== 'export') return;
  run(msg).catch((e) => self.postMessage({ type: 'error', id: msg.id, ...describe(e) }));
});
