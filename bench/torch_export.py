"""The PyTorch side of the benchmark (bench/run.mjs runs it; `make bench` runs that).

    /usr/bin/python3 bench/torch_export.py [OUT_DIR] [--runs 5] [--opset 17]

The model: torchvision resnet50, random weights after torch.manual_seed(0), eval mode, input
1x3x224x224.

1. In a fresh subprocess: imports torch, builds the model and its input, records the peak RSS
   so far (the baseline), then runs torch.onnx.export(model, x, BytesIO, opset_version=17) with
   default options --runs times, timing each; records the peak RSS again.
2. Captures the model into OUT_DIR/resnet50/ (graph.json, weights.safetensors) with
   tools/torch_capture.py, unless that capture is newer than the tools and this script.
3. Prints a summary and writes OUT_DIR/torch_result.json:
   {"model", "opset", "runs_s": [...], "median_s", "maxrss_baseline_kib", "maxrss_peak_kib",
    "onnx_bytes", "torch_version"}

Peak RSS is getrusage(RUSAGE_SELF).ru_maxrss (KiB on Linux), a high-water mark: the export's
own cost is roughly peak - baseline. Times are wall-clock (time.perf_counter); nothing is
asserted about them.
"""

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TOOLS = os.path.join(ROOT, "tools")
MODEL = "resnet50"
SHAPE = (1, 3, 224, 224)


def build():
    import torch
    import torchvision

    torch.manual_seed(0)
    model = torchvision.models.resnet50().eval()
    return model, (torch.randn(*SHAPE),)


def capture(out_dir):
    d = os.path.join(out_dir, MODEL)
    files = [os.path.join(d, f) for f in ("graph.json", "weights.safetensors")]
    deps = [os.path.abspath(__file__)] + [os.path.join(TOOLS, f) for f in
                                          ("torch_capture.py", "safetensors_io.py")]
    try:
        if min(map(os.path.getmtime, files)) > max(map(os.path.getmtime, deps)):
            return d, False
    except OSError:
        pass
    sys.path.insert(0, TOOLS)
    import torch_capture

    model, args = build()
    torch_capture.capture(model, args, d)
    return d, True


def measure(runs, opset):
    """Runs in the subprocess: baseline, then `runs` timed exports. Prints one JSON line."""
    import resource
    import warnings

    import torch

    model, args = build()
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    times = []
    size = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(runs):
            f = io.BytesIO()
            t0 = time.perf_counter()
            torch.onnx.export(model, args, f, opset_version=opset)
            times.append(time.perf_counter() - t0)
            size = len(f.getvalue())
            del f
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({
        "model": MODEL, "opset": opset, "runs_s": times, "median_s": statistics.median(times),
        "maxrss_baseline_kib": baseline, "maxrss_peak_kib": peak, "onnx_bytes": size,
        "torch_version": torch.__version__,
    }))


def main(argv=None):
    ap = argparse.ArgumentParser(description="torch.onnx.export side of the onnxify benchmark")
    ap.add_argument("out_dir", nargs="?", default=os.path.join(ROOT, "build", "bench"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--opset", type=int, default=17)
    ap.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.measure:
        measure(a.runs, a.opset)
        return

    # Measure first: on Linux a child's ru_maxrss starts from its parent's RSS at fork time,
    # so the child must be started while this process is still small (before the capture).
    proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--measure",
                           "--runs", str(a.runs), "--opset", str(a.opset)],
                          stdout=subprocess.PIPE, check=True)
    result = json.loads(proc.stdout.decode().strip().splitlines()[-1])
    d, made = capture(a.out_dir)
    print("capture: %s %s" % (d, "written" if made else "up to date"), file=sys.stderr)
    result["graph"] = os.path.join(d, "graph.json")
    result["weights"] = os.path.join(d, "weights.safetensors")
    with open(os.path.join(a.out_dir, "torch_result.json"), "w") as f:
        json.dump(result, f, indent=1)
    print("torch.onnx.export %s opset %d: median %.3f s over %d runs; peak RSS %.0f MiB "
          "(baseline %.0f MiB, export +%.0f MiB); %d bytes"
          % (MODEL, a.opset, result["median_s"], a.runs, result["maxrss_peak_kib"] / 1024,
             result["maxrss_baseline_kib"] / 1024,
             (result["maxrss_peak_kib"] - result["maxrss_baseline_kib"]) / 1024,
             result["onnx_bytes"]), file=sys.stderr)


if __name__ == "__main__":
    main()
