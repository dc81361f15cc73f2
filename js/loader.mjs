// Loads the WebAssembly module once: one memoized promise, created on first use
// (no top-level await). The wasm bytes come from, in this order:
//   init({wasmBinary})          bytes the caller already has
//   init({wasmUrl})             a URL (string or URL) to fetch
//   init({locateFile})          Emscripten-style: locateFile('onnxify.wasm', dirOfGlue)
//   the default                 ./wasm/onnxify.wasm next to this file, read by the
//                               environment's fetcher: fetch() here, fs in the Node
//                               entry (index.node.mjs installs it).
// Whatever the source, this file instantiates the module itself through the glue's
// `instantiateWasm` hook (streaming when the server says application/wasm), so the
// glue never fetches anything, which is what makes it work under Node 20 too.

import { OnnxExporterError, InvalidArgumentError } from './errors.mjs';

const WASM_FILE = 'onnxify.wasm';
const GLUE_DIR = new URL('./wasm/', import.meta.url);

let fetchWasm = fetchWasmDefault;
let pending = null;

// The default fetcher: fetch(). Returns a Response (or bytes).
function fetchWasmDefault(url) {
  if (url.protocol === 'file:') {
    throw new OnnxExporterError(
      `cannot read ${url.href} with fetch(): under Node import the package entry ` +
        `('onnxify', i.e. js/index.node.mjs), or pass init({wasmBinary})`);
  }
  return fetch(url, { credentials: 'same-origin' });
}

// Called by index.node.mjs: Node reads file: URLs with fs.
export function setWasmFetcher(fn) {
  fetchWasm = fn;
}

// The memoized module promise. The options only count on the call that starts
// loading; later calls get the same promise.
export function loadModule(options) {
  if (!pending) {
    const p = instantiate(options || {});
    pending = p;
    p.catch(() => {
      if (pending === p) pending = null; // a failed load may be retried
    });
  }
  return pending;
}

// Drops the loaded instance (after a trap, its memory can no longer be trusted);
// the next loadModule() starts afresh.
export function resetModule() {
  pending = null;
}

function isBytes(x) {
  return x instanceof ArrayBuffer || ArrayBuffer.isView(x) ||
    Object.prototype.toString.call(x) === '[object ArrayBuffer]';
}

function toUint8(x) {
  return ArrayBuffer.isView(x) ? new Uint8Array(x.buffer, x.byteOffset, x.byteLength) : new Uint8Array(x);
}

function resolveSource(options) {
  if (options.wasmBinary != null) {
    if (!isBytes(options.wasmBinary)) {
      throw new InvalidArgumentError('init: wasmBinary must be an ArrayBuffer or a Uint8Array');
    }
    return { bytes: toUint8(options.wasmBinary) };
  }
  let url;
  if (options.wasmUrl != null) {
    url = new URL(String(options.wasmUrl), globalThis.location?.href ?? GLUE_DIR);
  } else if (options.locateFile != null) {
    if (typeof options.locateFile !== 'function') {
      throw new InvalidArgumentError('init: locateFile must be a function (path, prefix) => url');
    }
    url = new URL(String(options.locateFile(WASM_FILE, GLUE_DIR.href)), GLUE_DIR);
  } else {
    url = new URL(WASM_FILE, GLUE_DIR);
  }
  return { url };
}

async function compile(source, imports) {
  if (source.bytes) return WebAssembly.instantiate(source.bytes, imports);
  const got = await fetchWasm(source.url);
  if (isBytes(got)) return WebAssembly.instantiate(toUint8(got), imports);
  // A fetch Response.
  if (!got.ok) {
    throw new OnnxExporterError(`cannot load ${source.url.href}: HTTP ${got.status} ${got.statusText}`);
  }
  const type = got.headers.get('content-type') || '';
  if (typeof WebAssembly.instantiateStreaming === 'function' && type.startsWith('application/wasm')) {
    return WebAssembly.instantiateStreaming(got, imports);
  }
  return WebAssembly.instantiate(await got.arrayBuffer(), imports);
}

async function importGlue() {
  try {
    return (await import('./wasm/onnxify.mjs')).default;
  } catch (e) {
    throw new OnnxExporterError(
      `cannot load the WebAssembly glue js/wasm/onnxify.mjs (build it with \`make wasm\`): ${e.message}`);
  }
}

async function instantiate(options) {
  if (typeof options !== 'object') throw new InvalidArgumentError('init: options must be an object');
  const source = resolveSource(options);
  const createOnnxifyModule = await importGlue();
  return new Promise((resolve, reject) => {
    const moduleArg = {
      // The library never prints: the glue's only output would be an abort
      // message, and that one also rejects this promise.
      print() {},
      printErr() {},
      instantiateWasm(imports, receiveInstance) {
        compile(source, imports).then(
          (result) => receiveInstance(result.instance, result.module),
          (e) => reject(e instanceof OnnxExporterError ? e
            : new OnnxExporterError(`cannot instantiate onnxify.wasm: ${e && e.message || e}`)));
        return {}; // exports arrive asynchronously through receiveInstance
      },
    };
    createOnnxifyModule(moduleArg).then(resolve, (e) =>
      reject(new OnnxExporterError(`cannot start onnxify.wasm: ${e && e.message || e}`)));
  });
}
