// The Node entry of the package ("exports" condition `node`): the same API as
// index.mjs, with the default .wasm (js/wasm/onnxify.wasm) and any file: URL given
// as init({wasmUrl}) read with fs instead of fetch(), which cannot read files.

import { readFile } from 'node:fs/promises';
import { setWasmFetcher } from './loader.mjs';

setWasmFetcher((url) => (url.protocol === 'file:' ? readFile(url) : fetch(url)));

export * from './index.mjs';
