"""Generate the model-zoo fixtures: real models exported the way a user would try them.

    /usr/bin/python3 tools/make_zoo.py OUT_DIR [--only NAME,...] [--force] [--no-torch-onnx]
    /usr/bin/python3 tools/make_zoo.py --list

For each model OUT_DIR/<name>/ gets (same layout as tools/make_fixtures.py's fixtures)

    graph.json, weights.safetensors   tools/torch_capture.py's capture of the model
    io.safetensors                    inputs `input.0`, ... and torch's eval outputs under
                                      torch.no_grad() `output.0`, ...
    torch_opset17.onnx                torch.onnx.export's own result (default options), for
                                      debugging comparisons only

Every model is built after `torch.manual_seed(0)` with random weights, in eval mode, and
perturbed like make_fixtures.py's models (BatchNorm statistics, LayerNorm affine, zero biases),
plus the zoo-specific constants that would otherwise hide bugs (ViT's zero class token and
zero-initialized head, ConvNeXt's 1e-6 layer scale). inception_v3's BatchNorm statistics are
calibrated on random batches instead (see _calibrate_batchnorm).

Input sizes (small where the model allows, to keep CI fast):

    alexnet, vgg11          1x3x224x224  (their AdaptiveAvgPool2d to 6x6 / 7x7 only exports
                                          when the feature map is a multiple of it: torch's
                                          symbolic needs a static, divisible input)
    vit_b_16                1x3x224x224  (torchvision checks the image size)
    inception_v3            1x3x96x96    (torchvision's minimum is 75x75)
    squeezenet1_0, densenet121, googlenet, shufflenet_v2_x0_5, mobilenet_v3_small,
    mnasnet0_5, efficientnet_b0, regnet_y_400mf, convnext_tiny, swin_t
                            1x3x64x64
    gpt2_block              input_ids 1x12 (int64), vocab 100, d_model 64, 4 heads, 2 layers
    bert_encoder            input_ids, attention_mask 2x12 (int64), vocab 100, hidden 64,
                            4 heads, 2 layers; outputs (sequence, pooled)
    multihead_attention     nn.MultiheadAttention(32, 4, batch_first=True) on 2x10x32 (self
                            attention, need_weights=False)
    upsample_decoder        Conv -> nn.Upsample(scale_factor=2, 'nearest') -> Conv ->
                            F.interpolate(size=(32, 32), 'bilinear') -> Conv ->
                            F.interpolate(scale_factor=2, 'bilinear', align_corners=True) on
                            1x3x12x12 (output 1x4x64x64)
    upsample_nearest        Conv -> nn.Upsample(scale_factor=2) -> Conv -> F.interpolate(size=(20, 28))
                            -> F.interpolate(scale_factor=1.5, recompute_scale_factor=True), all
                            'nearest', on 1x3x8x8 (the forms of opsets 9 and 10 too)
    bicubic_interpolate     Conv -> F.interpolate(size=(20, 28), 'bicubic') -> Conv ->
                            F.interpolate(scale_factor=2, 'bicubic', align_corners=True) on 1x3x10x14
    pixel_shuffle           Conv -> nn.PixelShuffle(2) -> Conv -> nn.PixelUnshuffle(2) -> Conv on
                            1x3x8x8
    lraspp_mobilenet_v3_large
                            torchvision's LRASPP segmentation model (weights=None,
                            weights_backbone=None) on 1x3x64x64; output `out` 1x21x64x64

A model whose outputs are all newer than this script and the modules it imports is skipped
(`--force` redoes it).
"""

import argparse
import math
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_fixtures  # noqa: E402  (perturb, torch_export; imports torch lazily)

OPSETS = (17,)
CNN_224 = ("alexnet", "vgg11", "vit_b_16")
CNNS = ("alexnet", "vgg11", "squeezenet1_0", "densenet121", "googlenet", "inception_v3",
        "shufflenet_v2_x0_5", "mobilenet_v3_small", "mnasnet0_5", "efficientnet_b0",
        "regnet_y_400mf", "convnext_tiny", "vit_b_16", "swin_t")
SEGMENTATION = ("lraspp_mobilenet_v3_large",)
RESIZE = ("upsample_decoder", "upsample_nearest", "bicubic_interpolate", "pixel_shuffle")
MODELS = CNNS + ("gpt2_block", "bert_encoder", "multihead_attention") + RESIZE + SEGMENTATION


# ---------------------------------------------------------------------------------------------
# Hand-written transformer models (defined inside a function: torch is imported lazily)


def _transformers():
    import torch
    from torch import nn
    import torch.nn.functional as F

    class Conv1D(nn.Module):
        """GPT-2's linear layer: weight stored (in, out), applied with addmm."""

        def __init__(self, nf, nx):
            super().__init__()
            self.nf = nf
            self.weight = nn.Parameter(torch.randn(nx, nf) * 0.02)
            self.bias = nn.Parameter(torch.randn(nf) * 0.02)

        def forward(self, x):
            size_out = x.size()[:-1] + (self.nf,)
            x = torch.addmm(self.bias, x.view(-1, x.size(-1)), self.weight)
            return x.view(size_out)

    class GPT2Attention(nn.Module):
        def __init__(self, d, heads, n_ctx, use_where):
            super().__init__()
            self.d, self.heads, self.use_where = d, heads, use_where
            self.register_buffer("bias", torch.tril(torch.ones(n_ctx, n_ctx, dtype=torch.bool))
                                 .view(1, 1, n_ctx, n_ctx))
            self.c_attn = Conv1D(3 * d, d)
            self.c_proj = Conv1D(d, d)
            self.attn_dropout = nn.Dropout(0.1)
            self.resid_dropout = nn.Dropout(0.1)

        def split_heads(self, x):
            x = x.view(x.size()[:-1] + (self.heads, self.d // self.heads))
            return x.permute(0, 2, 1, 3)

        def forward(self, x):
            q, k, v = self.c_attn(x).split(self.d, dim=2)
            q, k, v = self.split_heads(q), self.split_heads(k), self.split_heads(v)
            w = torch.matmul(q, k.transpose(-1, -2))
            w = w / torch.full([], v.size(-1) ** 0.5, dtype=w.dtype)
            qlen, klen = q.size(-2), k.size(-2)
            causal = self.bias[:, :, klen - qlen:klen, :klen]
            if self.use_where:
                w = torch.where(causal, w, torch.full([], float("-inf"), dtype=w.dtype))
            else:
                w = w.masked_fill(~causal, float("-inf"))
            w = self.attn_dropout(F.softmax(w, dim=-1))
            a = torch.matmul(w, v).permute(0, 2, 1, 3).contiguous()
            a = a.view(a.size()[:-2] + (self.d,))
            return self.resid_dropout(self.c_proj(a))

    class GPT2MLP(nn.Module):
        def __init__(self, d, explicit_gelu):
            super().__init__()
            self.c_fc = Conv1D(4 * d, d)
            self.c_proj = Conv1D(d, 4 * d)
            self.explicit_gelu = explicit_gelu
            self.dropout = nn.Dropout(0.1)

        def forward(self, x):
            h = self.c_fc(x)
            if self.explicit_gelu:  # HF's NewGELUActivation
                h = 0.5 * h * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi)
                                                * (h + 0.044715 * torch.pow(h, 3.0))))
            else:
                h = F.gelu(h, approximate="tanh")
            return self.dropout(self.c_proj(h))

    class GPT2Block(nn.Module):
        def __init__(self, d, heads, n_ctx, layer):
            super().__init__()
            self.ln_1 = nn.LayerNorm(d, eps=1e-5)
            self.attn = GPT2Attention(d, heads, n_ctx, use_where=(layer == 0))
            self.ln_2 = nn.LayerNorm(d, eps=1e-5)
            self.mlp = GPT2MLP(d, explicit_gelu=(layer == 0))

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class GPT2(nn.Module):
        """Embeddings, 2 blocks (layer 0: torch.where mask, explicit tanh-GELU; layer 1:
        masked_fill mask, F.gelu(approximate='tanh')), final LayerNorm."""

        def __init__(self, vocab=100, d=64, heads=4, n_ctx=32, layers=2):
            super().__init__()
            self.wte = nn.Embedding(vocab, d)
            self.wpe = nn.Embedding(n_ctx, d)
            self.drop = nn.Dropout(0.1)
            self.h = nn.ModuleList(GPT2Block(d, heads, n_ctx, i) for i in range(layers))
            self.ln_f = nn.LayerNorm(d)

        def forward(self, input_ids):
            pos = torch.arange(0, input_ids.size(-1), dtype=torch.long).unsqueeze(0)
            x = self.drop(self.wte(input_ids) + self.wpe(pos))
            for block in self.h:
                x = block(x)
            return self.ln_f(x)

    class BertSelfAttention(nn.Module):
        def __init__(self, d, heads):
            super().__init__()
            self.heads, self.hd = heads, d // heads
            self.query, self.key, self.value = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)
            self.dropout = nn.Dropout(0.1)

        def transpose_for_scores(self, x):
            x = x.view(x.size()[:-1] + (self.heads, self.hd))
            return x.permute(0, 2, 1, 3)

        def forward(self, x, mask):
            q = self.transpose_for_scores(self.query(x))
            k = self.transpose_for_scores(self.key(x))
            v = self.transpose_for_scores(self.value(x))
            s = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.hd)
            p = self.dropout(F.softmax(s + mask, dim=-1))
            c = torch.matmul(p, v).permute(0, 2, 1, 3).contiguous()
            return c.view(c.size()[:-2] + (self.heads * self.hd,))

    class BertLayer(nn.Module):
        def __init__(self, d, heads, inner):
            super().__init__()
            self.attention = BertSelfAttention(d, heads)
            self.attn_out = nn.Linear(d, d)
            self.attn_norm = nn.LayerNorm(d, eps=1e-12)
            self.intermediate = nn.Linear(d, inner)
            self.output = nn.Linear(inner, d)
            self.out_norm = nn.LayerNorm(d, eps=1e-12)
            self.dropout = nn.Dropout(0.1)

        def forward(self, x, mask):
            a = self.attn_norm(self.dropout(self.attn_out(self.attention(x, mask))) + x)
            h = F.gelu(self.intermediate(a))  # erf GELU
            return self.out_norm(self.dropout(self.output(h)) + a)

    class Bert(nn.Module):
        """Embeddings (word + position ids from arange + token type), 2 layers, tanh pooler."""

        def __init__(self, vocab=100, d=64, heads=4, inner=128, max_pos=32, layers=2):
            super().__init__()
            self.word = nn.Embedding(vocab, d, padding_idx=0)
            self.position = nn.Embedding(max_pos, d)
            self.token_type = nn.Embedding(2, d)
            self.emb_norm = nn.LayerNorm(d, eps=1e-12)
            self.dropout = nn.Dropout(0.1)
            self.layers = nn.ModuleList(BertLayer(d, heads, inner) for _ in range(layers))
            self.pooler = nn.Linear(d, d)

        def forward(self, input_ids, attention_mask):
            seq = input_ids.size(1)
            pos = torch.arange(seq, dtype=torch.long).unsqueeze(0).expand_as(input_ids)
            tt = torch.zeros_like(input_ids)
            x = self.word(input_ids) + self.position(pos) + self.token_type(tt)
            x = self.dropout(self.emb_norm(x))
            ext = attention_mask[:, None, None, :].to(dtype=x.dtype)
            ext = (1.0 - ext) * torch.finfo(x.dtype).min
            for layer in self.layers:
                x = layer(x, ext)
            pooled = torch.tanh(self.pooler(x[:, 0]))
            return x, pooled

    class SelfMHA(nn.Module):
        def __init__(self, d=32, heads=4):
            super().__init__()
            self.mha = nn.MultiheadAttention(d, heads, batch_first=True)

        def forward(self, x):
            return self.mha(x, x, x, need_weights=False)[0]

    return GPT2, Bert, SelfMHA


def _resize_models():
    """Small models around interpolation and sub-pixel layers (upsample_*, pixel_shuffle)."""
    import torch.nn.functional as F
    from torch import nn

    class UpsamplingDecoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
            self.up = nn.Upsample(scale_factor=2, mode="nearest")
            self.conv2 = nn.Conv2d(8, 8, 3, padding=1)
            self.conv3 = nn.Conv2d(8, 4, 3, padding=1)

        def forward(self, x):
            x = self.up(F.relu(self.conv1(x)))
            x = F.relu(self.conv2(x))
            x = F.interpolate(x, size=(32, 32), mode="bilinear", align_corners=False)
            x = self.conv3(x)
            return F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True)

    class NearestUpsampler(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 4, 3, padding=1)
            self.up = nn.Upsample(scale_factor=2, mode="nearest")
            self.conv2 = nn.Conv2d(4, 4, 3, padding=1)

        def forward(self, x):
            x = self.conv2(self.up(self.conv1(x)))
            x = F.interpolate(x, size=(20, 28), mode="nearest")
            return F.interpolate(x, scale_factor=1.5, mode="nearest", recompute_scale_factor=True)

    class BicubicResize(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 4, 3, padding=1)
            self.conv2 = nn.Conv2d(4, 4, 3, padding=1)

        def forward(self, x):
            x = F.interpolate(self.conv1(x), size=(20, 28), mode="bicubic", align_corners=False)
            return F.interpolate(self.conv2(x), scale_factor=2, mode="bicubic", align_corners=True)

    class SubPixel(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 16, 3, padding=1)
            self.shuffle = nn.PixelShuffle(2)
            self.conv2 = nn.Conv2d(4, 8, 3, padding=1)
            self.unshuffle = nn.PixelUnshuffle(2)
            self.conv3 = nn.Conv2d(32, 4, 1)

        def forward(self, x):
            x = self.shuffle(F.relu(self.conv1(x)))
            return self.conv3(self.unshuffle(F.relu(self.conv2(x))))

    return {"upsample_decoder": (UpsamplingDecoder, (1, 3, 12, 12)),
            "upsample_nearest": (NearestUpsampler, (1, 3, 8, 8)),
            "bicubic_interpolate": (BicubicResize, (1, 3, 10, 14)),
            "pixel_shuffle": (SubPixel, (1, 3, 8, 8))}


# ---------------------------------------------------------------------------------------------


def _perturb_zoo(model):
    """Constants make_fixtures.perturb leaves alone but that would hide wrong lowerings."""
    import torch

    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("layer_scale"):  # ConvNeXt: 1e-6
                p.copy_(torch.rand(p.shape) * 0.5 + 0.25)
            elif p.numel() and not p.any():  # ViT class token and head weight
                p.copy_(torch.randn(p.shape) * 0.02)
    return model


def _calibrate_batchnorm(model, shape):
    """Set BatchNorm running statistics from a few random batches (train-mode forward,
    cumulative averages), as training would: torchvision's inception_v3 init (truncated normal,
    std 0.1, for every conv) with unperturbed or random running statistics grows the logits to
    ~6e9, where float32 rounding alone (torch vs onnxruntime) exceeds any useful tolerance."""
    import torch

    bns = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None
    model.train()
    with torch.no_grad():
        for _ in range(2):
            model(torch.randn(*shape))
    model.eval()
    return model


def build(name):
    """-> (model in eval mode, args tuple). Deterministic: seeds the global RNG itself."""
    import torch
    import torchvision.models as tvm

    torch.manual_seed(0)
    if name in CNNS:
        kwargs = {}
        if name in ("googlenet", "inception_v3"):
            kwargs = dict(aux_logits=False, init_weights=True)
        model = getattr(tvm, name)(**kwargs)
        side = 224 if name in CNN_224 else 96 if name == "inception_v3" else 64
        make_fixtures.perturb(model)
        _perturb_zoo(model)
        if name == "inception_v3":
            _calibrate_batchnorm(model, (4, 3, side, side))
        model.eval()
        return model, (torch.randn(1, 3, side, side),)
    if name in SEGMENTATION:
        from torchvision.models import segmentation
        model = getattr(segmentation, name)(weights=None, weights_backbone=None)
        make_fixtures.perturb(model)
        model.eval()
        return model, (torch.randn(1, 3, 64, 64),)
    if name in RESIZE:
        cls, shape = _resize_models()[name]
        model = cls()
        make_fixtures.perturb(model)
        model.eval()
        return model, (torch.randn(*shape),)
    GPT2, Bert, SelfMHA = _transformers()
    if name == "gpt2_block":
        model = GPT2()
        make_fixtures.perturb(model)
        model.eval()
        return model, (torch.randint(0, 100, (1, 12)),)
    if name == "bert_encoder":
        model = Bert()
        make_fixtures.perturb(model)
        model.eval()
        ids = torch.randint(1, 100, (2, 12))
        mask = torch.ones(2, 12, dtype=torch.long)
        mask[1, 8:] = 0
        ids[1, 8:] = 0
        return model, (ids, mask)
    if name == "multihead_attention":
        model = SelfMHA()
        make_fixtures.perturb(model)
        model.eval()
        return model, (torch.randn(2, 10, 32),)
    raise SystemExit("unknown model %r (known: %s)" % (name, ", ".join(MODELS)))


def outputs_of(with_torch_onnx=True):
    files = ["graph.json", "weights.safetensors", "io.safetensors"]
    if with_torch_onnx:
        files += ["torch_opset%d.onnx" % o for o in OPSETS]
    return files


def up_to_date(out_dir, files):
    """make_fixtures.py's rule (outputs newer than the scripts), this script included."""
    if not make_fixtures.up_to_date(out_dir, files):
        return False
    oldest = min(os.path.getmtime(os.path.join(out_dir, f)) for f in files)
    return oldest > os.path.getmtime(os.path.join(HERE, "make_zoo.py"))


def make(name, out_dir, with_torch_onnx=True):
    import torch_capture

    t0 = time.time()
    model, args = build(name)
    os.makedirs(out_dir, exist_ok=True)
    info = torch_capture.capture(model, args, out_dir)
    outs = torch_capture.eval_outputs(model, args)
    # The tracer ran with grad enabled; no_grad may take other kernels (the fused attention
    # fast path of nn.MultiheadAttention). Both must agree closely.
    diff = 0.0
    for a, b in zip(outs, info["outputs"]):
        b = b.detach()
        d = float((a - b).abs().max()) if a.numel() else 0.0
        diff = max(diff, d / (1.0 + float(b.abs().max())) if b.numel() else 0.0)
    if len(outs) != len(info["outputs"]) or diff > 1e-5:
        raise SystemExit("%s: no_grad outputs differ from the trace outputs (max rel %g)"
                         % (name, diff))
    torch_capture.write_io(os.path.join(out_dir, "io.safetensors"), info["inputs"], outs)
    if with_torch_onnx:
        for opset in OPSETS:
            make_fixtures.torch_export(model, args,
                                       os.path.join(out_dir, "torch_opset%d.onnx" % opset), opset)
    sizes = {f: os.path.getsize(os.path.join(out_dir, f)) for f in outputs_of(with_torch_onnx)}
    print("%-20s %5d nodes  graph.json %8d B  weights %10d B  io %7d B  (%.1fs)"
          % (name, info["stats"]["nodes"], sizes["graph.json"], sizes["weights.safetensors"],
             sizes["io.safetensors"], time.time() - t0), flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description="generate onnxify model-zoo fixtures")
    ap.add_argument("out_dir", nargs="?", help="e.g. build/zoo")
    ap.add_argument("--only", default="", help="comma-separated model names")
    ap.add_argument("--force", action="store_true", help="redo up-to-date models")
    ap.add_argument("--no-torch-onnx", action="store_true",
                    help="skip torch.onnx.export's reference files")
    ap.add_argument("--list", action="store_true", help="print the model names and exit")
    a = ap.parse_args(argv)
    if a.list:
        print("\n".join(MODELS))
        return
    if not a.out_dir:
        ap.error("OUT_DIR is required")
    names = [n for n in a.only.split(",") if n] or list(MODELS)
    for name in names:
        if name not in MODELS:
            ap.error("unknown model %r (known: %s)" % (name, ", ".join(MODELS)))
    t0 = time.time()
    for name in names:
        d = os.path.join(a.out_dir, name)
        if not a.force and up_to_date(d, outputs_of(not a.no_torch_onnx)):
            print("%-20s up to date" % name)
            continue
        make(name, d, with_torch_onnx=not a.no_torch_onnx)
    print("zoo: %d models in %.1fs" % (len(names), time.time() - t0))


if __name__ == "__main__":
    main()
