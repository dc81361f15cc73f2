// A minimal static file server for the browser tests: GET/HEAD of regular files under
// one root directory, on 127.0.0.1 and a free port the system picks.
//
//   const server = await startServer(rootDir);   // server.url: 'http://127.0.0.1:PORT/'
//   ...
//   await server.close();                        // also drops open keep-alive connections
//
// Confined to the root: a request whose decoded path (or whose real path, after
// symbolic links) leaves the root is refused with 403; paths with a segment that starts
// with '.' (.git, .env, ...) are 404. No directory listings, and by default no index
// files: a directory is 404. With `{indexFiles: true}` a directory that holds an
// index.html serves it (`/web/`), and the same path without its final slash is
// redirected (301) to the one with it, so the page's relative URLs resolve. Content types are set from the extension (application/wasm for
// .wasm, so browsers compile it while it downloads; text/javascript for .mjs, which
// module scripts and module workers require) and sent with `nosniff` and `no-store`.
//
// `{port}` picks the port (default 0: any free one).
//
// Run alone to look at the pages by hand (index files on, repository root by default):
//   node tests/browser/server.mjs [ROOT] [--port N]        (`make serve` uses this)

import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.onnx': 'application/octet-stream',
  '.safetensors': 'application/octet-stream',
};
const DEFAULT_TYPE = 'application/octet-stream';

function inside(root, path) {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

function refuse(res, status, text) {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

// The file a request names, {redirect} to the slash form of a directory with an index
// file, or {status, text} saying why there is none.
async function locate(root, rawUrl, indexFiles) {
  let pathname, rawPath;
  try {
    // Only the path counts; the query (`?via=init`) and fragment are ignored.
    rawPath = new URL(rawUrl, 'http://127.0.0.1/').pathname;
    pathname = decodeURIComponent(rawPath);
  } catch {
    return { status: 400, text: 'bad request path\n' };
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return { status: 400, text: 'bad request path\n' };
  const file = resolve(root, '.' + pathname);
  if (!inside(root, file)) return { status: 403, text: 'outside the served directory\n' };
  const segments = file.slice(root.length).split(sep).filter(Boolean);
  if (segments.some((s) => s.startsWith('.'))) return { status: 404, text: 'not found\n' };
  let real, info;
  try {
    real = await realpath(file);
    info = await stat(real);
  } catch {
    return { status: 404, text: 'not found\n' };
  }
  if (!inside(root, real)) return { status: 403, text: 'outside the served directory\n' };
  if (info.isDirectory() && indexFiles) {
    let index, indexInfo;
    try {
      index = await realpath(join(real, 'index.html'));
      indexInfo = await stat(index);
    } catch {
      return { status: 404, text: 'not found\n' };
    }
    if (!inside(root, index)) return { status: 403, text: 'outside the served directory\n' };
    if (!indexInfo.isFile()) return { status: 404, text: 'not found\n' };
    // One leading slash only: '//host/' would be a protocol-relative redirect.
    if (!rawPath.endsWith('/')) return { redirect: '/' + rawPath.replace(/^\/+/, '') + '/' };
    return { file: index, size: indexInfo.size };
  }
  if (!info.isFile()) return { status: 404, text: 'not found\n' }; // no directory listings
  return { file: real, size: info.size };
}

export async function startServer(rootDir, { log, port: wantedPort = 0, indexFiles = false } = {}) {
  const root = await realpath(resolve(rootDir));
  const server = createServer(async (req, res) => {
    const done = (status) => log?.({ method: req.method, url: req.url, status });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      refuse(res, 405, 'method not allowed\n');
      return done(405);
    }
    const found = await locate(root, req.url, indexFiles);
    if (found.redirect) {
      res.writeHead(301, { Location: found.redirect, 'Content-Length': 0, 'Cache-Control': 'no-store' });
      res.end();
      return done(301);
    }
    if (!found.file) {
      refuse(res, found.status, found.text);
      return done(found.status);
    }
    res.writeHead(200, {
      'Content-Type': MIME_TYPES[extname(found.file).toLowerCase()] ?? DEFAULT_TYPE,
      'Content-Length': found.size,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    });
    done(200);
    if (req.method === 'HEAD') return res.end();
    const stream = createReadStream(found.file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(wantedPort, '127.0.0.1', () => {
      server.off('error', fail);
      ok();
    });
  });
  const { port } = server.address();
  return {
    root,
    port,
    url: `http://127.0.0.1:${port}/`,
    close() {
      return new Promise((ok) => {
        server.close(() => ok());
        server.closeAllConnections(); // keep-alive sockets would hold close() open
      });
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const usage = 'usage: node tests/browser/server.mjs [ROOT] [--port N]';
  const args = process.argv.slice(2);
  let root = fileURLToPath(new URL('../../', import.meta.url));
  let port = 0;
  let rootGiven = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--port' || a.startsWith('--port=')) {
      const text = a === '--port' ? args[++i] : a.slice('--port='.length);
      if (!/^\d{1,5}$/.test(text ?? '') || Number(text) > 65535) {
        console.error(`server.mjs: --port needs a number 0..65535 (0: any free port)\n${usage}`);
        process.exit(2);
      }
      port = Number(text);
    } else if (a.startsWith('-') || rootGiven) {
      console.error(`server.mjs: unexpected argument '${a}'\n${usage}`);
      process.exit(2);
    } else {
      root = a;
      rootGiven = true;
    }
  }
  let server;
  try {
    server = await startServer(root, { port, indexFiles: true, log: (r) => console.log(r.status, r.method, r.url) });
  } catch (e) {
    console.error(`server.mjs: cannot serve on 127.0.0.1:${port}: ${e.code === 'EADDRINUSE' ? 'the port is in use' : e.message}`);
    process.exit(1);
  }
  console.log(`serving ${server.root} at ${server.url} (Ctrl-C stops)`);
  console.log(`  converter page: ${server.url}web/`);
  console.log(`  API test page:  ${server.url}tests/browser/page.html`);
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close().then(() => process.exit(0)));
}
