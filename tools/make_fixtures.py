"""Generate the model fixtures the JS tests export and compare against PyTorch.

    /usr/bin/python3 tools/make_fixtures.py OUT_DIR [--only NAME,...] [--force] [--no-torch-onnx]
    /usr/bin/python3 tools/make_fixtures.py --example DIR      # the small bundled example

For each model (mlp, resnet18, mobilenet_v2, transformer_encoder_layer) OUT_DIR/<name>/ gets

    graph.json, weights.safetensors   tools/torch_capture.py's capture of the model
    io.safetensors                    inputs `input.0`, ... and torch's eval outputs under
                                      torch.no_grad() `output.0`, ...
    io_dynamic.safetensors            the same for inputs of another size (batch 3 instead of
                                      the traced batch; transformer_encoder_layer also a
                                      sequence length of 7 instead of 10): what a model exported
                                      with dynamic_axes must compute
    torch_opset{9,13,17}.onnx         torch.onnx.export's own result (default options,
                                      do_constant_folding=True), for debugging comparisons only
    torch_opset13_dynamic.onnx        (resnet18 only) torch.onnx.export at opset 13 with
                                      input_names=['x'], output_names=['out'] and
                                      dynamic_axes={'x': {0: 'batch'}, 'out': {0: 'batch'}}

Every model is built after `torch.manual_seed(0)` with random weights. Normalization layers and
zero-initialized biases are perturbed as well (BatchNorm running stats and affine parameters,
LayerNorm affine parameters, biases initialized to zero): with their default values a wrong
BatchNorm / LayerNorm lowering or a dropped bias would go unnoticed, and torchvision's
mobilenet_v2 would output values around 1e-9.

A model whose outputs are all newer than this script and the modules it imports is skipped
(`--force` redoes it). Large weights are only generated, never committed (build/ is ignored).
"""

import argparse
import os
import sys
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
# torch (slow to import) is imported only when a model has to be (re)made.

OPSETS = (9, 13, 17)
MODELS = ("mlp", "resnet18", "mobilenet_v2", "transformer_encoder_layer")
DEPENDENCIES = [os.path.join(HERE, f) for f in
                ("make_fixtures.py", "torch_capture.py", "safetensors_io.py")]


def perturb(model):
    """Give normalization layers and zero biases non-default random values (global RNG)."""
    import torch

    with torch.no_grad():
        for mod in model.modules():
            if isinstance(mod, torch.nn.modules.batchnorm._BatchNorm):
                n = mod.num_features
                if mod.affine:
                    mod.weight.copy_(torch.rand(n) * 0.5 + 0.75)
                    mod.bias.copy_(torch.randn(n) * 0.1)
                if mod.track_running_stats:
                    mod.running_mean.copy_(torch.randn(n) * 0.1)
                    mod.running_var.copy_(torch.rand(n) * 0.5 + 0.75)
            elif isinstance(mod, torch.nn.LayerNorm) and mod.elementwise_affine:
                mod.weight.copy_(torch.rand(mod.weight.shape) * 0.5 + 0.75)
                mod.bias.copy_(torch.randn(mod.bias.shape) * 0.1)
        for name, p in model.named_parameters():
            if name.endswith("bias") and p.numel() and not p.any():
                p.copy_(torch.randn(p.shape) * 0.1)
    return model


def build(name):
    """-> (model in eval mode, args tuple). Deterministic: seeds the global RNG itself."""
    import torch
    import torchvision

    torch.manual_seed(0)
    nn = torch.nn
    if name == "mlp":
        model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Dropout(0.1), nn.Linear(32, 8))
        shape = (4, 16)
    elif name == "resnet18":
        model = torchvision.models.resnet18()
        shape = (1, 3, 224, 224)
    elif name == "mobilenet_v2":
        model = torchvision.models.mobilenet_v2()
        shape = (1, 3, 224, 224)
    elif name == "transformer_encoder_layer":
        model = nn.TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=128,
                                           batch_first=True)
        shape = (2, 10, 64)
    elif name == "example_mlp":
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.1), nn.Linear(8, 3))
        shape = (2, 4)
    else:
        raise SystemExit("unknown model %r (known: %s)" % (name, ", ".join(MODELS)))
    perturb(model)
    model.eval()
    return model, (torch.randn(*shape),)


# The input shape of io_dynamic.safetensors per model (dims that differ from the trace's).
DYNAMIC_SHAPES = {
    "mlp": (3, 16),
    "resnet18": (3, 3, 224, 224),
    "mobilenet_v2": (3, 3, 224, 224),
    "transformer_encoder_layer": (3, 7, 64),
}
DYNAMIC_TORCH_ONNX = ("resnet18",)


def outputs_of(name, with_torch_onnx=True):
    files = ["graph.json", "weights.safetensors", "io.safetensors"]
    if name in DYNAMIC_SHAPES:
        files.append("io_dynamic.safetensors")
    if with_torch_onnx:
        files += ["torch_opset%d.onnx" % o for o in OPSETS]
        if name in DYNAMIC_TORCH_ONNX:
            files.append("torch_opset13_dynamic.onnx")
    return files


def dynamic_args(name):
    """Inputs of another size for io_dynamic.safetensors (own generator: the traced inputs
    and weights stay as they are)."""
    import torch

    gen = torch.Generator().manual_seed(1)
    return (torch.randn(*DYNAMIC_SHAPES[name], generator=gen),)


def up_to_date(out_dir, files):
    try:
        oldest = min(os.path.getmtime(os.path.join(out_dir, f)) for f in files)
    except OSError:
        return False
    return oldest > max(os.path.getmtime(d) for d in DEPENDENCIES)


def torch_export(model, args, path, opset, **options):
    """torch.onnx.export with default options (constant folding on) plus `options`, written
    atomically."""
    import torch

    tmp = path + ".tmp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, args, tmp, opset_version=opset, do_constant_folding=True,
                          **options)
    os.replace(tmp, path)


def make(name, out_dir, with_torch_onnx=True, source="trimmed"):
    import torch_capture

    t0 = time.time()
    model, args = build(name)
    os.makedirs(out_dir, exist_ok=True)
    info = torch_capture.capture(model, args, out_dir, source=source)
    outs = torch_capture.eval_outputs(model, args)
    # The tracer ran with grad enabled; no_grad may take other kernels (e.g. the fused
    # TransformerEncoderLayer fast path). Both must agree closely.
    diff = max((float((a - b.detach()).abs().max()) for a, b in zip(outs, info["outputs"])),
               default=0.0)
    if len(outs) != len(info["outputs"]) or diff > 1e-4:
        raise SystemExit("%s: no_grad outputs differ from the trace outputs (max %g)"
                         % (name, diff))
    torch_capture.write_io(os.path.join(out_dir, "io.safetensors"), info["inputs"], outs)
    if name in DYNAMIC_SHAPES:
        dyn = dynamic_args(name)
        torch_capture.write_io(os.path.join(out_dir, "io_dynamic.safetensors"), list(dyn),
                               torch_capture.eval_outputs(model, dyn))
    if with_torch_onnx:
        for opset in OPSETS:
            torch_export(model, args, os.path.join(out_dir, "torch_opset%d.onnx" % opset), opset)
        if name in DYNAMIC_TORCH_ONNX:
            torch_export(model, args, os.path.join(out_dir, "torch_opset13_dynamic.onnx"), 13,
                         input_names=["x"], output_names=["out"],
                         dynamic_axes={"x": {0: "batch"}, "out": {0: "batch"}})
    sizes = {f: os.path.getsize(os.path.join(out_dir, f))
             for f in outputs_of(name, with_torch_onnx)}
    print("%-26s %5d nodes  graph.json %8d B  weights %9d B  io %7d B  (%.1fs; trace vs "
          "no_grad max diff %.2g)" % (name, info["stats"]["nodes"], sizes["graph.json"],
                                      sizes["weights.safetensors"], sizes["io.safetensors"],
                                      time.time() - t0, diff))
    return info


def main(argv=None):
    ap = argparse.ArgumentParser(description="generate onnxify test fixtures")
    ap.add_argument("out_dir", nargs="?", help="e.g. build/fixtures")
    ap.add_argument("--only", default="", help="comma-separated model names")
    ap.add_argument("--force", action="store_true", help="redo up-to-date models")
    ap.add_argument("--no-torch-onnx", action="store_true",
                    help="skip torch.onnx.export's reference files")
    ap.add_argument("--example", metavar="DIR",
                    help="write the small bundled example (graph, weights, io) to DIR")
    a = ap.parse_args(argv)
    if a.example:
        make("example_mlp", a.example, with_torch_onnx=False)
        return
    if not a.out_dir:
        ap.error("OUT_DIR is required (or --example DIR)")
    names = [n for n in a.only.split(",") if n] or list(MODELS)
    for name in names:
        if name not in MODELS:
            ap.error("unknown model %r (known: %s)" % (name, ", ".join(MODELS)))
        d = os.path.join(a.out_dir, name)
        files = outputs_of(name, not a.no_torch_onnx)
        if not a.force and up_to_date(d, files):
            print("%-26s up to date" % name)
            continue
        make(name, d, with_torch_onnx=not a.no_torch_onnx)


if __name__ == "__main__":
    main()
