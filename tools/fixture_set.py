"""The command line shared by the small fixture sets (tools/make_rnn_fixtures.py,
tools/make_inplace_fixtures.py): for each model, capture it (tools/torch_capture.py), check the
trace against an eval run, write io.safetensors and torch.onnx.export's files at the set's
opsets, and skip models whose files are newer than the scripts they come from.

    run(description, out_help, models, opsets, build, dependencies, argv=None)

`build(name)` returns (model in eval mode, args tuple).
"""

import argparse
import os
import time


def _outputs(opsets, with_torch_onnx):
    files = ["graph.json", "weights.safetensors", "io.safetensors"]
    if with_torch_onnx:
        files += ["torch_opset%d.onnx" % o for o in opsets]
    return files


def _up_to_date(out_dir, files, dependencies):
    try:
        oldest = min(os.path.getmtime(os.path.join(out_dir, f)) for f in files)
    except OSError:
        return False
    return oldest > max(os.path.getmtime(d) for d in dependencies)


def _make(name, out_dir, build, opsets, with_torch_onnx, width):
    import torch_capture
    from make_fixtures import torch_export

    t0 = time.time()
    model, args = build(name)
    os.makedirs(out_dir, exist_ok=True)
    info = torch_capture.capture(model, args, out_dir)
    outs = torch_capture.eval_outputs(model, args)
    diff = max((float((a - b.detach()).abs().max()) for a, b in zip(outs, info["outputs"])), default=0.0)
    if len(outs) != len(info["outputs"]) or diff > 1e-5:
        raise SystemExit("%s: no_grad outputs differ from the trace outputs (max %g)" % (name, diff))
    torch_capture.write_io(os.path.join(out_dir, "io.safetensors"), info["inputs"], outs)
    if with_torch_onnx:
        for opset in opsets:
            torch_export(model, args, os.path.join(out_dir, "torch_opset%d.onnx" % opset), opset)
    print("%-*s %3d nodes  %d inputs  %d outputs  (%.1fs)" % (
        width, name, info["stats"]["nodes"], len(info["inputs"]), len(outs), time.time() - t0))


def run(description, out_help, models, opsets, build, dependencies, argv=None):
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("out_dir", help=out_help)
    ap.add_argument("--only", default="", help="comma-separated model names")
    ap.add_argument("--force", action="store_true", help="redo up-to-date models")
    ap.add_argument("--no-torch-onnx", action="store_true", help="skip torch.onnx.export's reference files")
    a = ap.parse_args(argv)
    names = [n for n in a.only.split(",") if n] or list(models)
    width = max(len(n) for n in models)
    deps = list(dependencies) + [os.path.abspath(__file__)]
    for name in names:
        if name not in models:
            ap.error("unknown model %r (known: %s)" % (name, ", ".join(models)))
        d = os.path.join(a.out_dir, name)
        if not a.force and _up_to_date(d, _outputs(opsets, not a.no_torch_onnx), deps):
            print("%-*s up to date" % (width, name))
            continue
        _make(name, d, build, opsets, not a.no_torch_onnx, width)
