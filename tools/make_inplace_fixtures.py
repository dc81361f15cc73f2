"""Generate the fixtures of tests/js/inplace.test.mjs: traced models that assign into views of a
tensor (slice / select chains ending in fill_, copy_ or an in-place arithmetic op), which
torch's _jit_pass_onnx_remove_inplace_ops_for_onnx (and onnxify's remove_inplace_ops pass)
rewrite into index_put.

    /usr/bin/python3 tools/make_inplace_fixtures.py OUT_DIR [--only NAME,...] [--force] [--no-torch-onnx]

Models (built right after `torch.manual_seed(0)`):

    slice_fill      y = x.clone(); y[:, 1:3] = 0; return y * 2                  x (3, 4)
    select_add      y = x.clone(); y[0] += 1; return y                          x (3, 4)
    new_zeros_fill  m = x.new_zeros(4, 4); m[1:3, 0:2] = 5; return x + m        x (4, 4)
                    (swin_t's attention-mask pattern: new_zeros, slice, slice, fill_)
    select_copy     y = x.clone(); y[:, :, 2] = x[:, :, 0]; return y            x (2, 3, 4)

and OUT_DIR/<name>/ gets graph.json and weights.safetensors (tools/torch_capture.py's capture),
io.safetensors (inputs `input.0`, ..., torch's eval outputs `output.0`, ...) and
torch_opset{11,13,17}.onnx (torch.onnx.export's own result, for tools/compare_with_torch.py).
A model whose files are all newer than this script and the modules it imports is skipped
(`--force` redoes it).
"""

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

OPSETS = (11, 13, 17)
MODELS = ("slice_fill", "select_add", "new_zeros_fill", "select_copy")
DEPENDENCIES = [os.path.join(HERE, f) for f in
                ("make_inplace_fixtures.py", "make_fixtures.py", "torch_capture.py",
                 "safetensors_io.py")]


def build(name):
    """-> (model in eval mode, args tuple)."""
    import torch

    class SliceFill(torch.nn.Module):
        def forward(self, x):
            y = x.clone()
            y[:, 1:3] = 0
            return y * 2

    class SelectAdd(torch.nn.Module):
        def forward(self, x):
            y = x.clone()
            y[0] += 1
            return y

    class NewZerosFill(torch.nn.Module):
        def forward(self, x):
            m = x.new_zeros(4, 4)
            m[1:3, 0:2] = 5
            return x + m

    class SelectCopy(torch.nn.Module):
        def forward(self, x):
            y = x.clone()
            y[:, :, 2] = x[:, :, 0]
            return y

    torch.manual_seed(0)
    table = {
        "slice_fill": (SliceFill, (3, 4)),
        "select_add": (SelectAdd, (3, 4)),
        "new_zeros_fill": (NewZerosFill, (4, 4)),
        "select_copy": (SelectCopy, (2, 3, 4)),
    }
    if name not in table:
        raise SystemExit("unknown model %r (known: %s)" % (name, ", ".join(MODELS)))
    cls, shape = table[name]
    return cls().eval(), (torch.randn(*shape),)


def outputs_of(with_torch_onnx=True):
    files = ["graph.json", "weights.safetensors", "io.safetensors"]
    if with_torch_onnx:
        files += ["torch_opset%d.onnx" % o for o in OPSETS]
    return files


def up_to_date(out_dir, files):
    try:
        oldest = min(os.path.getmtime(os.path.join(out_dir, f)) for f in files)
    except OSError:
        return False
    return oldest > max(os.path.getmtime(d) for d in DEPENDENCIES)


def make(name, out_dir, with_torch_onnx=True):
    import torch_capture
    from make_fixtures import torch_export

    t0 = time.time()
    model, args = build(name)
    os.makedirs(out_dir, exist_ok=True)
    info = torch_capture.capture(model, args, out_dir)
    outs = torch_capture.eval_outputs(model, args)
    diff = max((float((a - b.detach()).abs().max()) for a, b in zip(outs, info["outputs"])),
               default=0.0)
    if len(outs) != len(info["outputs"]) or diff > 1e-5:
        raise SystemExit("%s: no_grad outputs differ from the trace outputs (max %g)" % (name, diff))
    torch_capture.write_io(os.path.join(out_dir, "io.safetensors"), info["inputs"], outs)
    if with_torch_onnx:
        for opset in OPSETS:
            torch_export(model, args, os.path.join(out_dir, "torch_opset%d.onnx" % opset), opset)
    print("%-15s %3d nodes  %d inputs  %d outputs  (%.1fs)" % (
        name, info["stats"]["nodes"], len(info["inputs"]), len(outs), time.time() - t0))


def main(argv=None):
    ap = argparse.ArgumentParser(description="generate onnxify's in-place assignment fixtures")
    ap.add_argument("out_dir", help="e.g. build/fixtures_inplace")
    ap.add_argument("--only", default="", help="comma-separated model names")
    ap.add_argument("--force", action="store_true", help="redo up-to-date models")
    ap.add_argument("--no-torch-onnx", action="store_true",
                    help="skip torch.onnx.export's reference files")
    a = ap.parse_args(argv)
    names = [n for n in a.only.split(",") if n] or list(MODELS)
    for name in names:
        if name not in MODELS:
            ap.error("unknown model %r (known: %s)" % (name, ", ".join(MODELS)))
        d = os.path.join(a.out_dir, name)
        if not a.force and up_to_date(d, outputs_of(not a.no_torch_onnx)):
            print("%-15s up to date" % name)
            continue
        make(name, d, with_torch_onnx=not a.no_torch_onnx)


if __name__ == "__main__":
    main()
