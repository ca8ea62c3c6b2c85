"""EncoderLayer: names, post-norm values on other sizes, masks, and nn.TransformerEncoderLayer.

The grader's weights are copied into both layers; PyTorch's layer with batch_first=True,
norm_first=False, activation="relu" and dropout=0 computes the same post-norm layer, its
in_proj_weight rows 0:d, d:2d, 2d:3d being W_q, W_k, W_v and its masks meaning True = blocked.
"""
import hashlib
import importlib.util
import sys
from pathlib import Path

import torch

from graders.checks import check, fail
from graders.i18n import T


def _helper(name):
    """tests/<name>.py, loaded once per version of its text (tests/ is not a package)."""
    path = Path(__file__).resolve().parents[1] / f"{name}.py"
    key = f"seqlab_transformer_{name}_{hashlib.sha256(path.read_bytes()).hexdigest()[:12]}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, path)
        sys.modules[key] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[key])
    return sys.modules[key]


support = _helper("support")
randn = support.randn
HIDDEN = "after_due_date"

CLASS = "EncoderLayer"


def _expect_encoder(student, ref, rng, mistakes, B, T, d_model, num_heads, d_ff, mask=None, **call):
    expected_module = ref.EncoderLayer(d_model, num_heads, d_ff)
    state = support.random_state(rng, expected_module)
    x = randn(rng, B, T, d_model)
    what = f"{CLASS}({d_model}, {num_heads}, {d_ff})"
    module = support.copy_weights(student.new(CLASS, d_model, num_heads, d_ff), state, what)
    args = (x,) if mask is None else (x, mask)
    expected = support.run(support.reference(expected_module, state), *args)
    out = support.single(module(*args, **call), f"{what}.forward")
    where = support.on_x(what, support.shape_text(x) + ("" if mask is None else f", mask {support.shape_text(mask)}"))
    support.expect_output(out, expected, where, lambda: mistakes.encoder_layer_variants(state, x, mask, num_heads))


@check(points=1, visibility=HIDDEN, target=CLASS,
       ko="EncoderLayer: 하위 모듈과 파라미터의 이름과 형태")
def test_encoder_parameters(student, ref):
    """EncoderLayer: submodule and parameter names and shapes"""
    expected = support.expected_parameters(ref.EncoderLayer(16, 4, 24))
    problems = support.parameter_problems(student.new(CLASS, 16, 4, 24).structure(), expected, f"{CLASS}(16, 4, 24)")
    if problems:
        fail(support.parameters_message(f"{CLASS}(16, 4, 24)", problems, T(
            "self_attn (W_q, W_k, W_v, W_o, with biases), ffn (linear1, linear2), norm1 and norm2 (gamma, beta)",
            "self_attn (W_q, W_k, W_v, W_o, 편향 포함), ffn (linear1, linear2), norm1과 norm2 (gamma, beta)")))


@check(points=3, visibility=HIDDEN, target=CLASS,
       ko="EncoderLayer: 여러 크기에서 사후 정규화(post-norm) 하위 층")
def test_encoder_values(student, ref, rng, mistakes):
    """EncoderLayer: post-norm sub-layers on several sizes"""
    for B, T, d_model, num_heads, d_ff in ((3, 7, 24, 3, 40), (1, 1, 32, 8, 64), (2, 9, 16, 2, 16), (4, 3, 20, 5, 12)):
        _expect_encoder(student, ref, rng, mistakes, B, T, d_model, num_heads, d_ff, check_inputs=B == 3)


@check(points=2, visibility=HIDDEN, target=CLASS,
       ko="EncoderLayer: 패딩 마스크 (B, 1, T)와 전체 마스크 (B, T, T)")
def test_encoder_masks(student, ref, rng, mistakes):
    """EncoderLayer: a padding mask (B, 1, T) and a full mask (B, T, T)"""
    B, T = 3, 6
    lengths = torch.tensor([6, 4, 1])
    padding = (torch.arange(T)[None, :] < lengths[:, None])[:, None, :]
    _expect_encoder(student, ref, rng, mistakes, B, T, 16, 4, 32, padding, check_inputs=True)
    full = torch.rand(B, T, T, generator=rng) < 0.5
    full[..., 2] = True
    _expect_encoder(student, ref, rng, mistakes, B, T, 16, 2, 24, full)


@check(points=1, visibility=HIDDEN, target=CLASS,
       ko="EncoderLayer: nn.TransformerEncoderLayer(post-norm, ReLU)와 일치")
def test_encoder_matches_torch(student, rng, mistakes):
    """EncoderLayer: agrees with nn.TransformerEncoderLayer (post-norm, ReLU)"""
    d_model, num_heads, d_ff, B, n = 16, 4, 32, 2, 6
    theirs = torch.nn.TransformerEncoderLayer(d_model, num_heads, d_ff, dropout=0.0, activation="relu",
                                              batch_first=True, norm_first=False)
    state = support.from_torch_layer(rng, theirs, d_model, decoder=False)
    module = support.copy_weights(student.new(CLASS, d_model, num_heads, d_ff), state, f"{CLASS}(16, 4, 32)")
    x = randn(rng, B, n, d_model)
    mask = torch.rand(n, n, generator=rng) < 0.6
    mask.fill_diagonal_(True)
    expected = support.run(theirs, x, src_mask=~mask)
    out = support.single(module(x, mask), f"{CLASS}.forward")
    support.expect_output(out, expected, T("{c} with nn.TransformerEncoderLayer's weights, mask (6, 6)",
                                           "{c} (nn.TransformerEncoderLayer의 가중치, mask (6, 6))").format(
                              c=f"{CLASS}(16, 4, 32)"),
                          lambda: mistakes.encoder_layer_variants(state, x, mask, num_heads))
