"""Capture a PyTorch model as an onnxify graph description (docs/graph-description.md).

The model is traced the way torch.onnx.export (TorchScript exporter) traces an nn.Module
before any of its passes run (the seed's `_create_jit_graph`):

* `args` is normalized like `_decide_input_format`: a trailing dict holds keyword arguments;
  `forward` parameters after the positional ones are filled from it or from their defaults;
* the module -> scope-name map is installed as `_setup_trace_module_map` does, so every node
  carries `node.scopeName()` (`<module>.<class qualname>::<short attribute name>` atoms);
* `torch.jit._get_trace_graph(model, args, strict=False, _force_outplace=False,
  _return_inputs_states=True)` with the autocast weight cache disabled, model in eval mode
  (or train mode / as-is with `training="train"` / `"preserve"`);
* the trailing graph inputs are renamed to the keys of `torch.jit._unique_state_dict(model)`;
* as `_create_jit_graph` does, `torch._C._jit_pass_onnx_function_substitution` then inlines
  calls of scripted functions/methods (a no-op for purely traced graphs).

No torch.onnx function and no other JIT pass is called. Two files are written:

* `OUT_DIR/graph.json`: the graph description (every value with its full type, every node
  with kind, inputs, outputs, attributes in TorchScript order, scope, source text, blocks);
* `OUT_DIR/weights.safetensors`: parameters and buffers keyed by graph-input name (dtypes as
  in the model), plus tensor constants above 1 KiB as `__constants__/<value name>` (smaller
  ones are written inline in graph.json as base64).

Output is deterministic: the same model (and seed) gives the same bytes. The `source` text of a
node is `node.sourceRange()` (a Python stack) cut after the `torch.jit._get_trace_graph` frame,
so the frames of whoever called `capture` do not leak into the description
(`source="full"` keeps them, `source="none"` drops source text).

Python API:

    from torch_capture import capture
    info = capture(model, (x,), "out/dir")               # or capture(model, x, ..., kwargs={...})
    info["inputs"]   # flattened input tensors, in graph-input order
    info["outputs"]  # flattened trace outputs

Command line (run with the Debian Python that has torch: /usr/bin/python3):

    /usr/bin/python3 tools/torch_capture.py MODULE:FACTORY [--input-shape 1,3,224,224 ...]
        [--input-dtype float32 ...] [--seed 0] [--training eval|preserve|train]
        [--source trimmed|full|none] [--io] -o OUT_DIR

  MODULE:FACTORY  e.g. `torchvision.models:resnet18` or `my_models.py:build`; FACTORY is called
                  with no arguments and must return an nn.Module. `torch.nn:Linear(4,8)`-style
                  calls are accepted too (the text after the name is evaluated as arguments).
  --input-shape   one per model input (comma-separated dims); inputs are torch.randn (floats)
                  or torch.randint(0, 10) (integer dtypes) after seeding.
  --io            also write OUT_DIR/io.safetensors with the inputs (`input.0`, ...) and the
                  model's eval outputs under torch.no_grad() (`output.0`, ...).

Example:

    /usr/bin/python3 tools/torch_capture.py torchvision.models:resnet18 \\
        --input-shape 1,3,224,224 -o build/resnet18
"""

import argparse
import base64
import contextlib
import importlib
import importlib.util
import inspect
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

FORMAT = "onnxify-graph"
VERSION = 1
INLINE_LIMIT = 1024  # tensor constants with more bytes than this go to the weights file

# TorchScript scalar type name -> graph-description dtype name
SCALAR_TYPES = {
    "Float": "float32",
    "Double": "float64",
    "Half": "float16",
    "BFloat16": "bfloat16",
    "Long": "int64",
    "Int": "int32",
    "Short": "int16",
    "Char": "int8",
    "Byte": "uint8",
    "Bool": "bool",
    "ComplexFloat": "complex64",
    "ComplexDouble": "complex128",
}

# TorchScript type kind -> graph-description type kind (the ones without parameters)
SIMPLE_TYPES = {
    "IntType": "int",
    "FloatType": "float",
    "BoolType": "bool",
    "StringType": "str",
    "NoneType": "none",
    "DeviceObjType": "device",
    "NumberType": "number",
    "LayoutType": "layout",
    "ScalarTypeType": "dtype_value",
}


class CaptureError(Exception):
    """The traced graph holds something the graph description cannot express."""


# ---------------------------------------------------------------------------------------------
# Tracing (mirrors the seed's _setup_trace_module_map / _decide_input_format /
# _trace_and_get_graph_from_model / _create_jit_graph for an nn.Module)


def _short_name(qualified):
    """Suffix of a dotted module path starting at its last non-numeric atom."""
    atoms = qualified.split(".")
    for i in range(len(atoms) - 1, -1, -1):
        if not atoms[i].isnumeric():
            return ".".join(atoms[i:])
    return qualified


def _class_name(cls):
    mod = getattr(cls, "__module__", None)
    prefix = "" if mod in (None, "builtins", "__builtin__") else mod + "."
    return prefix + getattr(cls, "__qualname__", cls.__name__)


def scope_map(model):
    """module -> "<qualified class>::<short name>" (root's short name is empty)."""
    return {m: "%s::%s" % (_class_name(type(m)), _short_name(n))
            for n, m in model.named_modules()}


def decide_input_format(model, args):
    """A trailing dict in args holds keyword arguments; fill forward's remaining parameters
    from it or from their defaults (same rules as the seed's _decide_input_format)."""
    try:
        sig = inspect.signature(getattr(model, "forward", model))
    except (TypeError, ValueError):
        return args
    keys = list(sig.parameters.keys())
    if keys and keys[0] == "self":
        keys = keys[1:]
    if isinstance(args, list):
        arg_list = list(args)
    elif isinstance(args, tuple):
        arg_list = list(args)
    else:
        arg_list = [args]
    if not arg_list:
        return args
    kw = {}
    if isinstance(arg_list[-1], dict):
        kw = arg_list[-1]
        arg_list = arg_list[:-1]
    for name in keys[len(arg_list):]:
        if name in kw:
            arg_list.append(kw[name])
        else:
            p = sig.parameters[name]
            if p.default is not p.empty:
                arg_list.append(p.default)
    return arg_list if isinstance(args, list) else tuple(arg_list)


@contextlib.contextmanager
def _model_mode(model, training):
    """eval (default) / train / preserve, restored afterwards."""
    old = model.training
    if training == "eval":
        model.train(False)
    elif training == "train":
        model.train(True)
    elif training != "preserve":
        raise ValueError("training must be eval, preserve or train, not %r" % (training,))
    try:
        yield
    finally:
        model.train(old)


def trace(model, args, kwargs=None, training="eval"):
    """Trace `model` -> (graph, flattened input tensors, trace outputs, state dict, training flag).

    The graph's trailing inputs are renamed to the state-dict keys."""
    if not isinstance(model, torch.nn.Module) or isinstance(model, torch.jit.ScriptModule):
        raise TypeError("capture expects a (non-scripted) torch.nn.Module")
    if kwargs:
        if isinstance(args, torch.Tensor):
            args = (args,)
        args = tuple(args) + (dict(kwargs),)
    args = decide_input_format(model, args)
    if isinstance(args, (torch.Tensor, int, float, bool)):
        args = (args,)

    with _model_mode(model, training):
        trained = bool(model.training)
        keys_before = list(torch.jit._unique_state_dict(model).keys())
        old_map = torch.jit._trace._trace_module_map
        old_cache = torch.is_autocast_cache_enabled()
        torch.jit._trace._trace_module_map = scope_map(model)
        torch.set_autocast_cache_enabled(False)
        try:
            graph, outputs, _states = torch.jit._get_trace_graph(
                model, args, strict=False, _force_outplace=False, _return_inputs_states=True)
        finally:
            torch.set_autocast_cache_enabled(old_cache)
            torch.jit._trace._trace_module_map = old_map
        state = torch.jit._unique_state_dict(model)
        if list(state.keys()) != keys_before:
            raise RuntimeError("state_dict changed after running the tracer; "
                               "something weird is happening in your model!")

    inputs = list(graph.inputs())
    n_user = len(inputs) - len(state)
    names = list(state.keys())
    for i, v in enumerate(inputs[n_user:]):
        v.setDebugName(names[i])
    # The seed's _create_jit_graph ends with this pass: it inlines calls of scripted functions
    # and methods (prim::CallFunction / prim::CallMethod, whose callee is a FunctionType value
    # the description cannot carry), giving the inlined nodes the caller's scope. Graphs without
    # such calls are left untouched.
    torch._C._jit_pass_onnx_function_substitution(graph)
    flat_in = list(torch.jit._flatten(args)[0]) if args else []
    if len(flat_in) != n_user:
        raise CaptureError("traced graph has %d user inputs but args flatten to %d tensors"
                           % (n_user, len(flat_in)))
    return graph, flat_in, outputs, state, trained


# ---------------------------------------------------------------------------------------------
# Serialization


def type_json(t):
    kind = t.kind()
    if kind == "TensorType":
        out = {"kind": "tensor"}
        st = t.scalarType()
        if st is not None:
            if st not in SCALAR_TYPES:
                raise CaptureError("unsupported tensor scalar type %s" % st)
            out["dtype"] = SCALAR_TYPES[st]
        sizes = t.varyingSizes()
        if sizes is not None:
            out["shape"] = [None if d is None else int(d) for d in sizes]
        rg = t.requires_grad()
        if rg is not None:
            out["requires_grad"] = bool(rg)
        return out
    if kind in SIMPLE_TYPES:
        return {"kind": SIMPLE_TYPES[kind]}
    if kind == "ListType":
        return {"kind": "list", "elem": type_json(t.getElementType())}
    if kind == "OptionalType":
        return {"kind": "optional", "elem": type_json(t.getElementType())}
    if kind == "TupleType":
        return {"kind": "tuple", "elems": [type_json(e) for e in t.elements()]}
    raise CaptureError("value type %s (%s) has no graph-description form" % (t, kind))


def _value_name(v):
    return v.debugName()


def _overload_name(node):
    """The overload of an aten node's schema ("Tensor" for aten::mul.Tensor,
    "" for the default one); None for nodes without a schema."""
    if not node.kind().startswith("aten::"):
        return None
    try:
        schema = node.schema()
    except RuntimeError:
        return None
    if not schema or schema == "(no schema)":
        return None
    name = schema.split("(", 1)[0]
    return name.split(".", 1)[1] if "." in name else ""


def _finite(x, where):
    """A float for JSON: non-finite values are spelled "inf", "-inf", "nan"."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def _source_text(node, mode):
    if mode == "none":
        return ""
    try:
        text = node.sourceRange()
    except RuntimeError:
        return ""
    if not text:
        return ""
    if mode == "trimmed":
        lines = text.splitlines(keepends=True)
        for i, line in enumerate(lines):
            if "_get_trace_graph" in line and "_trace.py" in line:
                text = "".join(lines[:i + 1])
                break
    return text


class _Writer:
    def __init__(self, source_mode, inline_limit):
        self.source_mode = source_mode
        self.inline_limit = inline_limit
        self.constants = {}  # weights-file key -> tensor
        self.attr_kinds = {}  # histogram of attribute kinds written
        self.node_count = 0

    # -- tensors --------------------------------------------------------------------------
    def tensor(self, t, key):
        t = t.detach().cpu().contiguous()
        code, shape, data = safetensors_io.tensor_to_raw(t)
        out = {"dtype": safetensors_io.DTYPES[code][2], "shape": shape}
        if len(data) > self.inline_limit:
            if key in self.constants:
                raise CaptureError("duplicate constant key %s" % key)
            self.constants[key] = t
            out["ref"] = key
        else:
            out["data"] = base64.b64encode(data).decode("ascii")
        return out

    # -- attributes -----------------------------------------------------------------------
    def attribute(self, node, name, where):
        kind = node.kindOf(name)
        outs = list(node.outputs())
        key = "__constants__/" + (_value_name(outs[0]) if outs else "node%d" % self.node_count)
        if name != "value" or len(outs) != 1:
            key += "." + name
        if kind == "i":
            k, v = "i", int(node.i(name))
        elif kind == "f":
            k, v = "f", _finite(node.f(name), where)
        elif kind == "s":
            k, v = "s", node.s(name)
        elif kind == "is":
            k, v = "is", [int(x) for x in getattr(node, "is")(name)]
        elif kind == "fs":
            k, v = "fs", [_finite(x, where) for x in node.fs(name)]
        elif kind == "ss":
            k, v = "ss", list(node.ss(name))
        elif kind == "t":
            k, v = "t", self.tensor(node.t(name), key)
        elif kind == "ts":
            k, v = "ts", [self.tensor(x, "%s.%d" % (key, i)) for i, x in enumerate(node.ts(name))]
        elif kind == "g":
            k, v = "g", self.graph_block(node.g(name))
        elif kind == "gs":
            k, v = "gs", [self.graph_block(x) for x in node.gs(name)]
        elif kind == "ival":
            k, v = self.ival(node, name, key, where)
        else:
            raise CaptureError("%s: attribute %s of kind %s has no graph-description form"
                               % (where, name, kind))
        label = kind if kind == k else "%s->%s" % (kind, k)
        self.attr_kinds[label] = self.attr_kinds.get(label, 0) + 1
        return {"name": name, "kind": k, "value": v}

    def ival(self, node, name, key, where):
        """An IValue attribute, mapped onto the documented kinds by the output type."""
        v = node.ival(name)
        outs = list(node.outputs())
        ty = outs[0].type() if len(outs) == 1 else None
        tk = ty.kind() if ty is not None else None
        if tk == "ListType":
            ek = ty.getElementType().kind()
            if ek in ("IntType", "BoolType"):
                return "is", [int(x) for x in v]
            if ek == "FloatType":
                return "fs", [_finite(x, where) for x in v]
            if ek == "StringType":
                return "ss", [str(x) for x in v]
            if ek == "TensorType":
                return "ts", [self.tensor(x, "%s.%d" % (key, i)) for i, x in enumerate(v)]
        elif tk in ("IntType", "BoolType"):
            return "i", int(v)
        elif tk == "FloatType":
            return "f", _finite(v, where)
        elif tk in ("StringType", "DeviceObjType"):
            return "s", str(v)
        elif tk == "TensorType" and isinstance(v, torch.Tensor):
            return "t", self.tensor(v, key)
        raise CaptureError("%s: attribute %s (IValue %r, output type %s) has no "
                           "graph-description form" % (where, name, v, ty))

    # -- values, nodes, blocks ------------------------------------------------------------
    def value(self, v, param=None):
        out = {"name": _value_name(v), "type": type_json(v.type())}
        if param is not None:
            out["param"] = param
        return out

    def node(self, n):
        idx = self.node_count
        self.node_count += 1
        where = "node %d (%s, scope %r)" % (idx, n.kind(), n.scopeName())
        out = {
            "kind": n.kind(),
            "inputs": [_value_name(v) for v in n.inputs()],
            "outputs": [self.value(v) for v in n.outputs()],
        }
        overload = _overload_name(n)
        if overload is not None:
            out["overload"] = overload
        names = list(n.attributeNames())
        if names:
            out["attributes"] = [self.attribute(n, a, where) for a in names]
        scope = n.scopeName()
        if scope:
            out["scope"] = scope
        src = _source_text(n, self.source_mode)
        if src:
            out["source"] = src
        blocks = list(n.blocks())
        if blocks:
            out["blocks"] = [self.block(b) for b in blocks]
        return out

    def block(self, b):
        return {
            "inputs": [self.value(v) for v in b.inputs()],
            "nodes": [self.node(n) for n in b.nodes()],
            "outputs": [_value_name(v) for v in b.outputs()],
        }

    def graph_block(self, g):
        return {
            "inputs": [self.value(v) for v in g.inputs()],
            "nodes": [self.node(n) for n in g.nodes()],
            "outputs": [_value_name(v) for v in g.outputs()],
        }


def _dump(obj):
    return json.dumps(obj, separators=(", ", ": "), ensure_ascii=False, allow_nan=False)


def format_description(desc):
    """graph.json text: one input / node / output per line, deterministic."""
    g = desc["graph"]
    head = {k: v for k, v in desc.items() if k != "graph"}
    lines = ["{"]
    for k, v in head.items():
        lines.append(" %s: %s," % (_dump(k), _dump(v)))
    lines.append(' "graph": {')
    for key, last in (("inputs", False), ("nodes", False), ("outputs", True)):
        items = g[key]
        lines.append('  "%s": [' % key)
        for i, item in enumerate(items):
            lines.append("   " + _dump(item) + ("," if i + 1 < len(items) else ""))
        lines.append("  ]" + ("" if last else ","))
    lines.append(" }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def describe(graph, model_class, training, source="trimmed", inline_limit=INLINE_LIMIT,
             n_params=0):
    """Graph -> (description dict, constants dict, writer stats)."""
    w = _Writer(source, inline_limit)
    inputs = list(graph.inputs())
    n_user = len(inputs) - n_params
    desc = {
        "format": FORMAT,
        "version": VERSION,
        "producer": {"name": "torch_capture", "torch_version": torch.__version__},
        "model": {"class": model_class, "training": bool(training)},
        "graph": {
            "inputs": [w.value(v, param=(i >= n_user)) for i, v in enumerate(inputs)],
            "nodes": [w.node(n) for n in graph.nodes()],
            "outputs": [_value_name(v) for v in graph.outputs()],
        },
    }
    return desc, w.constants, {"nodes": w.node_count, "attribute_kinds": w.attr_kinds}


def capture(model, args, out_dir, kwargs=None, training="eval", source="trimmed",
            inline_limit=INLINE_LIMIT):
    """Trace `model` on `args` (and `kwargs`) and write out_dir/graph.json and
    out_dir/weights.safetensors. Returns a dict with the flattened input tensors ("inputs"),
    the flattened trace outputs ("outputs"), the description ("description") and stats."""
    graph, flat_in, outputs, state, trained = trace(model, args, kwargs, training)
    desc, constants, stats = describe(graph, _class_name(type(model)), trained, source,
                                      inline_limit, n_params=len(state))
    weights = {}
    for v in list(graph.inputs())[len(flat_in):]:
        weights[v.debugName()] = state[v.debugName()]
    for k, t in constants.items():
        if k in weights:
            raise CaptureError("constant key %s collides with a parameter name" % k)
        weights[k] = t
    os.makedirs(out_dir, exist_ok=True)
    text = format_description(desc)
    with open(os.path.join(out_dir, "graph.json"), "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    safetensors_io.write(os.path.join(out_dir, "weights.safetensors"), weights,
                         metadata={"format": "onnxify-weights"})
    flat_out = list(torch.jit._flatten(outputs)[0]) if outputs is not None else []
    return {"inputs": flat_in, "outputs": flat_out, "description": desc, "stats": stats,
            "graph": graph}


def write_io(path, inputs, outputs):
    """io.safetensors: input.0.. and output.0.. (tensors, detached, contiguous)."""
    tensors = {}
    for i, t in enumerate(inputs):
        tensors["input.%d" % i] = t.detach()
    for i, t in enumerate(outputs):
        tensors["output.%d" % i] = t.detach()
    safetensors_io.write(path, tensors, metadata={"format": "onnxify-io"})


def eval_outputs(model, inputs_args, kwargs=None):
    """The model's outputs in eval mode under no_grad, flattened."""
    args = inputs_args
    if kwargs:
        args = (tuple(args) if not isinstance(args, torch.Tensor) else (args,)) + (dict(kwargs),)
    args = decide_input_format(model, args)
    if isinstance(args, (torch.Tensor, int, float, bool)):
        args = (args,)
    old = model.training
    model.eval()
    try:
        with torch.no_grad():
            out = model(*args)
    finally:
        model.train(old)
    return [t for t in torch.jit._flatten(out)[0]]


# ---------------------------------------------------------------------------------------------
# Command line


def _load_factory(spec):
    if ":" not in spec:
        raise SystemExit("model spec must be MODULE:FACTORY, got %r" % spec)
    mod_name, factory = spec.rsplit(":", 1)
    if mod_name.endswith(".py") or os.path.sep in mod_name:
        path = os.path.abspath(mod_name)
        s = importlib.util.spec_from_file_location(os.path.splitext(os.path.basename(path))[0],
                                                   path)
        mod = importlib.util.module_from_spec(s)
        sys.modules[s.name] = mod
        s.loader.exec_module(mod)
    else:
        mod = importlib.import_module(mod_name)
    call_args = None
    if "(" in factory and factory.endswith(")"):
        factory, call_args = factory.split("(", 1)
        call_args = "(" + call_args
    obj = mod
    for atom in factory.split("."):
        obj = getattr(obj, atom)
    if call_args is not None:
        return eval("lambda f: f" + call_args, {"torch": torch})(obj)  # noqa: S307
    return obj()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model", help="MODULE:FACTORY (e.g. torchvision.models:resnet18)")
    ap.add_argument("--input-shape", action="append", default=[],
                    help="comma-separated dims of one input; repeat per input")
    ap.add_argument("--input-dtype", action="append", default=[],
                    help="dtype of the matching input (default float32)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--training", choices=["eval", "preserve", "train"], default="eval")
    ap.add_argument("--source", choices=["trimmed", "full", "none"], default="trimmed")
    ap.add_argument("--io", action="store_true", help="also write io.safetensors")
    ap.add_argument("-o", "--out", required=True, help="output directory")
    a = ap.parse_args(argv)

    torch.manual_seed(a.seed)
    model = _load_factory(a.model)
    if not isinstance(model, torch.nn.Module):
        raise SystemExit("%s did not return an nn.Module" % a.model)
    inputs = []
    for i, shp in enumerate(a.input_shape):
        dims = [int(d) for d in shp.split(",") if d.strip()]
        dt = getattr(torch, a.input_dtype[i]) if i < len(a.input_dtype) else torch.float32
        if dt.is_floating_point:
            inputs.append(torch.randn(*dims, dtype=dt))
        elif dt == torch.bool:
            inputs.append(torch.randint(0, 2, dims).bool())
        else:
            inputs.append(torch.randint(0, 10, dims, dtype=dt))
    info = capture(model, tuple(inputs), a.out, training=a.training, source=a.source)
    if a.io:
        write_io(os.path.join(a.out, "io.safetensors"), info["inputs"],
                 eval_outputs(model, tuple(inputs)))
    print("%s: %d nodes, %d graph inputs -> %s" % (
        a.model, info["stats"]["nodes"], len(info["description"]["graph"]["inputs"]), a.out))


if __name__ == "__main__":
    main()
