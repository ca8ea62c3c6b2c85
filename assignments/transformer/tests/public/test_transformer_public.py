"""Small visible checks: one per class on fixed small sizes, and the diagram's format.

The grader copies its own random weights into your modules (the names are fixed by the
statement), so only the forward computation is graded, never the initialisation. The hidden
checks ask the same questions on other sizes, with masks, against PyTorch's own layers, and
test causality, the use of memory, dropout, gradients and the diagram's structure.
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
diagram = _helper("diagram")
randn = support.randn


@check(points=2, visibility="visible", target="LayerNorm",
       ko="LayerNorm: 작은 배치")
def test_layer_norm_small(student, ref, rng, mistakes):
    """LayerNorm on a small batch"""
    d = 8
    x = randn(rng, 2, 5, d, scale=2.0) + 0.5
    state = {"gamma": 1 + randn(rng, d, scale=0.3), "beta": randn(rng, d, scale=0.3)}
    module = support.copy_weights(student.new("LayerNorm", d), state, f"LayerNorm({d})")
    expected = support.run(support.reference(ref.LayerNorm(d), state), x)
    support.expect_output(module(x), expected, support.on_x(f"LayerNorm({d})", f"(2, 5, {d})"),
                          lambda: mistakes.layer_norm_variants(x, state["gamma"], state["beta"]))


@check(points=2, visibility="visible", target="PositionwiseFFN",
       ko="PositionwiseFFN: 작은 배치")
def test_ffn_small(student, ref, rng, mistakes):
    """PositionwiseFFN on a small batch"""
    d_model, d_ff = 8, 16
    expected_module = ref.PositionwiseFFN(d_model, d_ff)
    state = support.random_state(rng, expected_module)
    x = randn(rng, 2, 5, d_model)
    what = f"PositionwiseFFN({d_model}, {d_ff})"
    module = support.copy_weights(student.new("PositionwiseFFN", d_model, d_ff), state, what)
    expected = support.run(support.reference(expected_module, state), x)
    support.expect_output(module(x), expected, support.on_x(what, f"(2, 5, {d_model})"),
                          lambda: mistakes.ffn_variants(state, x))


@check(points=2, visibility="visible", target="EncoderLayer",
       ko="EncoderLayer: 채점기의 가중치, 마스크 없음")
def test_encoder_layer_small(student, ref, rng, mistakes):
    """EncoderLayer with the grader's weights, no mask"""
    B, T, d_model, num_heads, d_ff = 2, 5, 16, 4, 32
    expected_module = ref.EncoderLayer(d_model, num_heads, d_ff)
    state = support.random_state(rng, expected_module)
    x = randn(rng, B, T, d_model)
    what = f"EncoderLayer({d_model}, {num_heads}, {d_ff})"
    module = support.copy_weights(student.new("EncoderLayer", d_model, num_heads, d_ff), state, what)
    expected = support.run(support.reference(expected_module, state), x)
    out = support.single(module(x), f"{what}.forward")
    support.expect_output(out, expected, support.on_x(what, support.shape_text(x)),
                          lambda: mistakes.encoder_layer_variants(state, x, None, num_heads))


@check(points=2, visibility="visible", target="DecoderLayer",
       ko="DecoderLayer: 채점기의 가중치와 인과 tgt_mask")
def test_decoder_layer_small(student, ref, rng, mistakes):
    """DecoderLayer with the grader's weights and a causal tgt_mask"""
    B, n, S, d_model, num_heads, d_ff = 2, 5, 7, 16, 4, 32
    expected_module = ref.DecoderLayer(d_model, num_heads, d_ff)
    state = support.random_state(rng, expected_module)
    x, memory = randn(rng, B, n, d_model), randn(rng, B, S, d_model)
    causal = torch.ones(n, n, dtype=torch.bool).tril()
    what = f"DecoderLayer({d_model}, {num_heads}, {d_ff})"
    module = support.copy_weights(student.new("DecoderLayer", d_model, num_heads, d_ff), state, what)
    expected = support.run(support.reference(expected_module, state), x, memory, tgt_mask=causal)
    out = support.single(module(x, memory, tgt_mask=causal), f"{what}.forward")
    support.expect_output(out, expected, support.case(what, T("x (2, 5, 16), memory (2, 7, 16), causal tgt_mask (5, 5)",
                                                              "x (2, 5, 16), memory (2, 7, 16), 인과 tgt_mask (5, 5)")),
                          lambda: mistakes.decoder_layer_variants(state, x, memory, causal, None, num_heads))


@check(points=2, visibility="visible", target="Transformer",
       ko="Transformer: 채점기의 가중치로 계산한 로짓")
def test_transformer_small(student, ref, rng, mistakes):
    """Transformer logits with the grader's weights"""
    cfg = dict(d_model=16, num_heads=4, d_ff=32, num_layers=2, max_len=32, dropout=0.0)
    expected_module = ref.Transformer(11, 13, **cfg)
    state = support.random_state(rng, expected_module)
    src, tgt = support.tokens(rng, 11, 2, 7), support.tokens(rng, 13, 2, 5)
    what = "Transformer(11, 13, d_model=16, num_heads=4, d_ff=32, num_layers=2, max_len=32, dropout=0.0)"
    module = support.copy_weights(student.new("Transformer", 11, 13, **cfg), state, what)
    expected = support.run(support.reference(expected_module, state), src, tgt)
    support.expect_output(module(src, tgt), expected, T("{what}: logits for src (2, 7), tgt (2, 5)",
                                                        "{what}: src (2, 7), tgt (2, 5)의 로짓").format(what=what),
                          lambda: mistakes.transformer_variants(state, cfg, src, tgt))


@check(points=2, visibility="visible",
       ko="diagram.dot: 어휘로 레이블을 붙인 digraph")
def test_diagram_format(files):
    """diagram.dot is a digraph labelled with the vocabulary"""
    try:
        drawn = diagram.parse(files.get("diagram.dot"))
    except diagram.DiagramError as exc:
        fail(exc.args[0])
    problems = diagram.format_problems(drawn)
    if problems:
        fail("diagram.dot: " + T("; ", "; ").join(problems))
