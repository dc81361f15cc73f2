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

import os
import sys

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


def main(argv=None):
    from fixture_set import run

    run("generate onnxify's recurrent-layer test fixtures", "e.g. build/fixtures_rnn", MODELS, OPSETS, build, DEPENDENCIES, argv)


if __name__ == "__main__":
    main()
