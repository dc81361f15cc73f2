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

import os
import sys

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


def main(argv=None):
    from fixture_set import run

    run("generate onnxify's in-place assignment fixtures", "e.g. build/fixtures_inplace", MODELS, OPSETS, build, DEPENDENCIES, argv)


if __name__ == "__main__":
    main()
