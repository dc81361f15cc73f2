"""Generate the recurrent-layer fixtures that tests/js/rnn.test.mjs exports and compares.

    /usr/bin/python3 tools/make_rnn_fixtures.py OUT_DIR [--only NAME,...] [--force] [--no-torch-onnx]

Each model is built right after `torch.manual_seed(0)` (random weights, then random inputs):

    lstm        nn.LSTM(8, 16, num_layers=2, bidirectional=True, batch_first=True), input (3, 5, 8);
                outputs output, h_n, c_n (h0/c0 default to zeros inside the model)
    gru         nn.GRU(8, 16), input (5, 3, 8) and an explicit h0 (1, 3, 16)
    rnn         nn.RNN(8, 16, num_layers=2, nonlinearity='tanh'), input (5, 3, 8)
    lstm_cell   nn.LSTMCell(8, 16), input (3, 8) and (h, c), each (3, 16)

and OUT_DIR/<name>/ gets

    graph.json, weights.safetensors   tools/torch_capture.py's capture of the model
    io.safetensors                    inputs `input.0`, ... and torch's eval outputs under
                                      torch.no_grad() `output.0`, ... (torch_capture.write_io)
    torch_opset{9,13,17}.onnx         torch.onnx.export's own result (default options,
                                      do_constant_folding=True), to compare structures with
                                      tools/compare_with_torch.py

A model whose files are all newer than this script and the modules it imports is skipped
(`--force` redoes it). The files are only generated, never committed (build/ is ignored).
"""

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
# torch (slow to import) is imported only when a model has to be (re)made.

OPSETS = (9, 13, 17)
MODELS = ("lstm", "gru", "rnn", "lstm_cell")
DEPENDENCIES = [os.path.join(HERE, f) for f in
                ("make_rnn_fixtures.py", "make_fixtures.py", "torch_capture.py", "safetensors_io.py")]


def build(name):
    """-> (model in eval mode, args tuple). Seeds the global RNG itself."""
    import torch

    torch.manual_seed(0)
    nn = torch.nn
    if name == "lstm":
        model = nn.LSTM(8, 16, num_layers=2, bidirectional=True, batch_first=True)
        args = (torch.randn(3, 5, 8),)
    elif name == "gru":
        model = nn.GRU(8, 16, batch_first=False)
        args = (torch.randn(5, 3, 8), torch.randn(1, 3, 16))
    elif name == "rnn":
        model = nn.RNN(8, 16, num_layers=2, nonlinearity="tanh")
        args = (torch.randn(5, 3, 8),)
    elif name == "lstm_cell":
        model = nn.LSTMCell(8, 16)
        args = (torch.randn(3, 8), (torch.randn(3, 16), torch.randn(3, 16)))
    else:
        raise SystemExit("unknown model %r (known: %s)" % (name, ", ".join(MODELS)))
    model.eval()
    return model, args


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
    print("%-10s %3d nodes  %d inputs  %d outputs  (%.1fs)" % (
        name, info["stats"]["nodes"], len(info["inputs"]), len(outs), time.time() - t0))


def main(argv=None):
    ap = argparse.ArgumentParser(description="generate onnxify's recurrent-layer test fixtures")
    ap.add_argument("out_dir", help="e.g. build/fixtures_rnn")
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
            print("%-10s up to date" % name)
            continue
        make(name, d, with_torch_onnx=not a.no_torch_onnx)


if __name__ == "__main__":
    main()
