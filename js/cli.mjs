#!/usr/bin/env node
// onnxify's command line (Node). The native CLI takes the same arguments and writes
// byte-identical output; the flag -> option table is in docs/js-api.md.
//
// Exit codes: 0 success; 1 the export failed (or a file could not be read/written,
// or a JSON value is malformed); 2 usage error (unknown flag, missing value, a value
// outside a flag's syntax).

import { readFile, writeFile, rename, unlink } from 'node:fs/promises';
import { exportOnnx, version } from './index.node.mjs';

const USAGE = `usage: onnxify export GRAPH [--weights W.safetensors] -o OUT.onnx [options]
       onnxify --help | --version

Exports a graph description (docs/graph-description.md) and its weights to ONNX.

options (named after torch.onnx.export's):
  --weights FILE                   safetensors file with the parameters
  -o, --output FILE                where to write the model (written only on success)
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
  --verbose                        verbose=True (keeps doc strings, logs the exported graph)
  -h, --help                       this text (first argument only)
  --version                        the library version (first argument only)
`;

class UsageError extends Error {}

// flag -> [option key, kind]. kinds: int, list (comma-separated), json, a list of
// choices, true, false. The choices are part of each flag's syntax (as in --help),
// so a value outside them is a usage error, as in the native CLI.
const FLAGS = {
  '--opset': ['opsetVersion', 'int'],
  '--input-names': ['inputNames', 'list'],
  '--output-names': ['outputNames', 'list'],
  '--dynamic-axes': ['dynamicAxes', 'json'],
  '--no-constant-folding': ['doConstantFolding', false],
  '--keep-initializers-as-inputs': ['keepInitializersAsInputs', true],
  '--training': ['training', ['eval', 'preserve', 'train']],
  '--operator-export-type': ['operatorExportType', ['onnx', 'onnx_aten', 'onnx_aten_fallback', 'onnx_fallthrough']],
  '--custom-opsets': ['customOpsets', 'json'],
  '--export-modules-as-functions': ['exportModulesAsFunctions', true],
  '--no-export-params': ['exportParams', false],
  '--verbose': ['verbose', true],
};

// Malformed JSON cannot be put into the options object; the native CLI hands the text
// to the C side, which refuses it as an InvalidArgumentError (exit 1): so do we.
class BadJsonError extends Error {
  constructor(message) {
    super(message);
    this.name = 'InvalidArgumentError';
  }
}

function parseValue(flag, kind, text) {
  if (Array.isArray(kind)) {
    if (kind.includes(text)) return text;
    if (flag === '--training') throw new UsageError(`--training must be eval, preserve or train, got '${text}'`);
    throw new UsageError(`unknown ${flag} '${text}'`);
  }
  switch (kind) {
    case 'int':
      if (!/^[+-]?\d+$/.test(text) || Number(text) < 0 || Number(text) > 1000) {
        throw new UsageError(`${flag} needs an integer, got '${text}'`);
      }
      return Number(text);
    case 'list':
      return text.split(',');
    default: // json
      try {
        return JSON.parse(text);
      } catch (e) {
        throw new BadJsonError(`${flag}: not valid JSON: ${e.message}`);
      }
  }
}

// argv (without node and the script) -> {command, graph, weights, output, options}.
// Same grammar as src/cli/main.c: --help/--version as the first argument; then
// `export`, flags with their value as the next argument (a repeated flag: the last
// one wins), one GRAPH.
function parseArgs(argv) {
  if (argv[0] === '-h' || argv[0] === '--help') return { command: 'help' };
  if (argv[0] === '--version') return { command: 'version' };
  if (argv[0] !== 'export') throw new UsageError('expected a command: export');
  const args = { command: 'export', graph: null, weights: null, output: null, options: {} };
  const valueOf = (flag, i) => {
    if (i >= argv.length) throw new UsageError(`option ${flag} needs a value`);
    return argv[i];
  };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--weights') {
      args.weights = valueOf(a, ++i);
    } else if (a === '-o' || a === '--output') {
      args.output = valueOf(a, ++i);
    } else if (Object.hasOwn(FLAGS, a)) {
      const [key, kind] = FLAGS[a];
      args.options[key] = typeof kind === 'boolean' ? kind : parseValue(a, kind, valueOf(a, ++i));
    } else if (a.startsWith('-')) {
      throw new UsageError(`unknown option '${a}'`);
    } else if (args.graph === null) {
      args.graph = a;
    } else {
      throw new UsageError(`unexpected argument '${a}'`);
    }
  }
  if (args.graph === null) throw new UsageError('missing GRAPH (the graph description JSON)');
  if (args.output === null) throw new UsageError('missing -o OUT.onnx');
  return args;
}

class FileError extends Error {}

// "ENOENT: no such file or directory, open 'x'" -> "No such file or directory" (strerror's wording)
function ioReason(e) {
  const m = /^[A-Z]+: ([^,]+)/.exec(e.message);
  const text = m ? m[1] : e.message;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

async function readInput(path) {
  try {
    return await readFile(path);
  } catch (e) {
    throw new FileError(`cannot read ${path}: ${ioReason(e)}`);
  }
}

// Writes next to the target, then renames: no partial or empty OUT on failure.
async function writeAtomically(path, bytes) {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw new FileError(`cannot write ${path}: ${ioReason(e)}`);
  }
}

async function run(argv) {
  let args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof BadJsonError) {
      process.stderr.write(`onnxify: ${e.name}: ${e.message}\n`);
      return 1;
    }
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`onnxify: ${e.message}\n(see onnxify --help)\n`);
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
    const graph = await readInput(args.graph);
    const weights = args.weights === null ? undefined : await readInput(args.weights);
    const onLog = (level, message) => {
      process.stderr.write(level === 'warning' ? `onnxify: warning: ${message}\n` : `${message}\n`);
    };
    const onnx = await exportOnnx(graph, { ...args.options, weights, onLog });
    await writeAtomically(args.output, onnx);
    return 0;
  } catch (e) {
    if (e instanceof FileError) process.stderr.write(`onnxify: ${e.message}\n`);
    else process.stderr.write(`onnxify: ${e.name || 'Error'}: ${e.message}\n`);
    return 1;
  }
}

process.exitCode = await run(process.argv.slice(2));
