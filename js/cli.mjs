#!/usr/bin/env node
// onnxify's command line (Node). The native CLI takes the same arguments and writes
// byte-identical output; the flag -> option table is in docs/js-api.md.
//
// Exit codes: 0 success; 1 the export failed (or a file could not be read/written);
// 2 usage error (unknown flag, missing or malformed value).

import { readFile, writeFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { exportOnnx, version } from './index.node.mjs';

const USAGE = `usage: onnxify export GRAPH [--weights W.safetensors] -o OUT.onnx [options]
       onnxify --help | --version

Exports a graph description (docs/graph-description.md) and its weights to ONNX.

options (named after torch.onnx.export's):
  --weights FILE                   safetensors file with the parameters
  -o FILE                          where to write the model (written only on success)
  --opset N                        opset_version
  --input-names a,b                input_names
  --output-names y                 output_names
  --dynamic-axes JSON              dynamic_axes, e.g. '{"x": {"0": "batch"}}'
  --no-constant-folding            do_constant_folding=False
  --keep-initializers-as-inputs    keep_initializers_as_inputs=True
  --training eval|preserve|train   training
  --operator-export-type onnx|onnx_aten|onnx_aten_fallback|onnx_fallthrough
  --custom-opsets JSON             custom_opsets, e.g. '{"mydomain": 1}'
  --export-modules-as-functions    export_modules_as_functions=True
  --no-export-params               export_params=False
  --verbose                        verbose=True (also prints info messages)
  -h, --help                       this text
  --version                        the library version
`;

class UsageError extends Error {}

// flag -> [option key, kind]. kinds: int, list (comma-separated), json, string, true, false
const FLAGS = {
  '--opset': ['opsetVersion', 'int'],
  '--input-names': ['inputNames', 'list'],
  '--output-names': ['outputNames', 'list'],
  '--dynamic-axes': ['dynamicAxes', 'json'],
  '--no-constant-folding': ['doConstantFolding', 'false'],
  '--keep-initializers-as-inputs': ['keepInitializersAsInputs', 'true'],
  '--training': ['training', 'string'],
  '--operator-export-type': ['operatorExportType', 'string'],
  '--custom-opsets': ['customOpsets', 'json'],
  '--export-modules-as-functions': ['exportModulesAsFunctions', 'true'],
  '--no-export-params': ['exportParams', 'false'],
  '--verbose': ['verbose', 'true'],
};

function parseValue(flag, kind, text) {
  switch (kind) {
    case 'int':
      if (!/^[+-]?\d+$/.test(text)) throw new UsageError(`${flag}: expected an integer, got '${text}'`);
      return Number(text);
    case 'list':
      return text === '' ? [] : text.split(',');
    case 'json':
      try {
        return JSON.parse(text);
      } catch (e) {
        throw new UsageError(`${flag}: not valid JSON: ${e.message}`);
      }
    default:
      return text;
  }
}

// argv (without node and the script) -> {command, graph, weights, output, options}
function parseArgs(argv) {
  const args = { command: null, graph: null, weights: null, output: null, options: {} };
  const seen = new Set();
  const once = (flag) => {
    if (seen.has(flag)) throw new UsageError(`${flag} given twice`);
    seen.add(flag);
  };
  const valueOf = (flag, i) => {
    if (i >= argv.length) throw new UsageError(`${flag} needs a value`);
    return argv[i];
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') return { command: 'help' };
    if (a === '--version') return { command: 'version' };
    if (a === '--weights') {
      once(a);
      args.weights = valueOf(a, ++i);
    } else if (a === '-o') {
      once(a);
      args.output = valueOf(a, ++i);
    } else if (Object.hasOwn(FLAGS, a)) {
      once(a);
      const [key, kind] = FLAGS[a];
      if (kind === 'true' || kind === 'false') args.options[key] = kind === 'true';
      else args.options[key] = parseValue(a, kind, valueOf(a, ++i));
    } else if (a.startsWith('-') && a !== '-') {
      throw new UsageError(`unknown flag '${a}'`);
    } else if (args.command === null) {
      if (a !== 'export') throw new UsageError(`unknown command '${a}' (the command is 'export')`);
      args.command = a;
    } else if (args.graph === null) {
      args.graph = a;
    } else {
      throw new UsageError(`unexpected argument '${a}'`);
    }
  }
  if (args.command === null) throw new UsageError('missing command (onnxify export GRAPH ...)');
  if (args.graph === null) throw new UsageError('missing GRAPH (the graph description JSON file)');
  if (args.output === null) throw new UsageError('missing -o OUT.onnx');
  return args;
}

class FileError extends Error {
  constructor(message) {
    super(message);
    this.name = 'IOError';
  }
}

function ioReason(e) {
  // "ENOENT: no such file or directory, open 'x'" -> "no such file or directory"
  const m = /^[A-Z]+: ([^,]+)/.exec(e.message);
  return m ? m[1] : e.message;
}

async function readInput(path, what) {
  try {
    return await readFile(path);
  } catch (e) {
    throw new FileError(`cannot read ${what} '${path}': ${ioReason(e)}`);
  }
}

// Writes next to the target, then renames: no partial or empty OUT on failure.
async function writeAtomically(path, bytes) {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw new FileError(`cannot write '${path}': ${ioReason(e)}`);
  }
}

async function run(argv) {
  let args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`onnxify: UsageError: ${e.message}\nTry 'onnxify --help'.\n`);
    return 2;
  }
  if (args.command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  try {
    if (args.command === 'version') {
      process.stdout.write(`onnxify ${await version()}\n`);
      return 0;
    }
    const graph = await readInput(args.graph, 'graph');
    const weights = args.weights === null ? undefined : await readInput(args.weights, 'weights');
    const verbose = args.options.verbose === true;
    const onLog = (level, message) => {
      if (level === 'warning' || verbose) process.stderr.write(`onnxify: ${level}: ${message}\n`);
    };
    const onnx = await exportOnnx(graph, { ...args.options, weights, onLog });
    await writeAtomically(args.output, onnx);
    return 0;
  } catch (e) {
    process.stderr.write(`onnxify: ${e.name || 'Error'}: ${e.message}\n`);
    return 1;
  }
}

process.exitCode = await run(process.argv.slice(2));
