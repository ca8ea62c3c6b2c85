"""Transformer: names, logits on other sizes, causality, the source, positions, dropout, gradients.

Causality and the use of the source are behaviours of the student's model alone: the
logits at positions <= k must not move when target tokens after k change, and every
position's logits must move when the source changes.
"""
import hashlib
import importlib.util
import sys
from pathlib import Path

import torch

from graders.checks import check, expect_close, fail, is_close
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

CLASS = "Transformer"
LOGITS = T("{what}: logits", "{what}: 로짓")
SMALL = dict(d_model=16, num_heads=4, d_ff=32, num_layers=2, max_len=32, dropout=0.0)


def _signature(src_vocab, tgt_vocab, cfg):
    return f"{CLASS}({src_vocab}, {tgt_vocab}, " + ", ".join(f"{k}={v}" for k, v in cfg.items()) + ")"


def _model(student, ref, rng, src_vocab, tgt_vocab, cfg):
    expected_module = ref.Transformer(src_vocab, tgt_vocab, **cfg)
    state = support.random_state(rng, expected_module)
    what = _signature(src_vocab, tgt_vocab, cfg)
    module = support.copy_weights(student.new(CLASS, src_vocab, tgt_vocab, **cfg), state, what)
    return module, support.reference(expected_module, state), state, what


def _expect_logits(student, ref, rng, mistakes, src_vocab, tgt_vocab, cfg, B, T_src, T_tgt, **call):
    module, expected_module, state, what = _model(student, ref, rng, src_vocab, tgt_vocab, cfg)
    src, tgt = support.tokens(rng, src_vocab, B, T_src), support.tokens(rng, tgt_vocab, B, T_tgt)
    expected = support.run(expected_module, src, tgt)
    where = T("{what}: logits for src ({B}, {S}), tgt ({B}, {N})", "{what}: src ({B}, {S}), tgt ({B}, {N})의 로짓").format(
        what=what, B=B, S=T_src, N=T_tgt)
    support.expect_output(module(src, tgt, **call), expected, where,
                          lambda: mistakes.transformer_variants(state, cfg, src, tgt))
    return module


@check(points=1, visibility=HIDDEN, target=CLASS,
       ko="Transformer: 하위 모듈과 파라미터의 이름과 형태")
def test_transformer_parameters(student, ref, mistakes):
    """Transformer: submodule and parameter names and shapes"""
    cfg = dict(d_model=8, num_heads=2, d_ff=12, num_layers=2, max_len=10)
    what = _signature(11, 13, cfg)
    problems = support.parameter_problems(student.new(CLASS, 11, 13, **cfg).structure(),
                                          support.expected_parameters(ref.Transformer(11, 13, **cfg)), what)
    if problems:
        fail(support.parameters_message(what, problems, T(
            "src_embed, tgt_embed (nn.Embedding), encoder_layers, decoder_layers (nn.ModuleList), out_proj "
            "(nn.Linear); the positional table is not a parameter",
            "src_embed, tgt_embed (nn.Embedding), encoder_layers, decoder_layers (nn.ModuleList), out_proj "
            "(nn.Linear). 위치 인코딩 표는 파라미터가 아닙니다")))


@check(points=3, visibility=HIDDEN, target=CLASS,
       ko="Transformer: 여러 크기, 길이가 다른 소스와 타깃에서의 로짓")
def test_transformer_logits(student, ref, rng, mistakes):
    """Transformer: logits on several sizes, source and target of different lengths"""
    _expect_logits(student, ref, rng, mistakes, 11, 13, SMALL, 3, 9, 4, check_inputs=True)
    _expect_logits(student, ref, rng, mistakes, 7, 5, dict(SMALL, d_model=24, num_heads=3, d_ff=20), 2, 3, 8)
    _expect_logits(student, ref, rng, mistakes, 13, 11, dict(SMALL, num_layers=3, num_heads=2), 2, 6, 6)


@check(points=2, visibility=HIDDEN, target=CLASS,
       ko="Transformer: 뒤쪽 타깃 토큰이 앞쪽 로짓을 바꾸지 않음")
def test_transformer_causal(student, ref, rng, mistakes):
    """Transformer: later target tokens do not change earlier logits"""
    module, _, _, what = _model(student, ref, rng, 11, 13, SMALL)
    src, tgt = support.tokens(rng, 11, 2, 6), support.tokens(rng, 13, 2, 8)
    for k in (0, 3, 6):
        changed = tgt.clone()
        changed[:, k + 1:] = (changed[:, k + 1:] + 1 + torch.arange(7 - k)) % 13
        before, after = (support.tensor_of_shape(module(src, t), LOGITS.format(what=what), (2, 8, 13))
                         for t in (tgt, changed))
        if not is_close(after[:, :k + 1], before[:, :k + 1]):
            where = T("position 0", "위치 0") if k == 0 else T(f"positions 0..{k}", f"위치 0..{k}")
            fail(mistakes.FUTURE_CHANGES.format(what=what, k=k, where=where, why=mistakes.SEES_FUTURE))
    if torch.allclose(before[:, k + 1:], after[:, k + 1:], atol=1e-6, rtol=0):
        fail(mistakes.TARGET_UNUSED.format(what=what))


@check(points=1, visibility=HIDDEN, target=CLASS,
       ko="Transformer: 소스가 모든 타깃 위치의 로짓을 바꿈")
def test_transformer_reads_source(student, ref, rng, mistakes):
    """Transformer: the source changes the logits at every target position"""
    module, _, _, what = _model(student, ref, rng, 11, 13, SMALL)
    src, tgt = support.tokens(rng, 11, 2, 6), support.tokens(rng, 13, 2, 5)
    first, second = (support.tensor_of_shape(module(s, tgt), LOGITS.format(what=what), (2, 5, 13))
                     for s in (src, (src + 1 + torch.arange(6)) % 11))
    unchanged = (first - second).abs().amax(-1) <= 1e-6
    if unchanged.any():
        positions = sorted({int(t) for t in unchanged.nonzero()[:, 1]})
        fail(mistakes.SOURCE_UNUSED.format(what=what, positions=positions))


@check(points=2, visibility=HIDDEN, target=CLASS,
       ko="Transformer: 임베딩 곱하기 sqrt(d_model) 더하기 사인파 위치 인코딩, max_len까지")
def test_transformer_embeddings(student, ref, rng, mistakes):
    """Transformer: embeddings times sqrt(d_model) plus sinusoidal positions, up to max_len"""
    cfg = dict(d_model=32, num_heads=4, d_ff=32, num_layers=1, max_len=24, dropout=0.0)
    _expect_logits(student, ref, rng, mistakes, 11, 13, cfg, 2, 24, 24)
    _expect_logits(student, ref, rng, mistakes, 11, 13, dict(cfg, d_model=16, max_len=20), 2, 17, 20)


@check(points=1, visibility=HIDDEN, target=CLASS,
       ko="Transformer: 배치 1개, 소스 토큰과 타깃 토큰 각 1개, 층 1개")
def test_transformer_smallest(student, ref, rng, mistakes):
    """Transformer: a batch of one, one source and one target token, one layer"""
    _expect_logits(student, ref, rng, mistakes, 11, 13, dict(SMALL, num_layers=1), 1, 1, 1)


@check(points=1, visibility=HIDDEN, target=CLASS,
       ko="Transformer: dropout이 학습 모드에서 작동하고 eval() 다음에는 꺼짐")
def test_transformer_dropout(student, ref, rng, mistakes):
    """Transformer: dropout acts in training mode and is off after eval()"""
    cfg = dict(SMALL, dropout=0.5)
    module, expected_module, _, what = _model(student, ref, rng, 11, 13, cfg)
    src, tgt = support.tokens(rng, 11, 2, 6), support.tokens(rng, 13, 2, 5)
    module.call("train")
    first, second = (support.tensor_of_shape(module(src, tgt), LOGITS.format(what=what), (2, 5, 13))
                     for _ in range(2))
    if torch.allclose(first, second, atol=1e-6, rtol=0):
        fail(mistakes.DROPOUT_UNUSED.format(what=what))
    module.call("eval")
    expected = support.run(expected_module, src, tgt)
    # Other mistakes are named by the logits checks; this one is about dropout alone.
    support.expect_output(module(src, tgt), expected, T("{what} after .eval(): logits (dropout must be off)",
                                                        "{what}, .eval() 다음의 로짓 (dropout이 꺼져 있어야 함)").format(
                              what=what))


@check(points=1, visibility=HIDDEN, target=CLASS,
       ko="Transformer: 모든 파라미터까지 그래디언트 전달")
def test_transformer_gradients(student, ref, rng, mistakes):
    """Transformer: gradients reach every parameter"""
    module, expected_module, _, what = _model(student, ref, rng, 11, 13, SMALL)
    src, tgt = support.tokens(rng, 11, 2, 5), support.tokens(rng, 13, 2, 4)
    grad_out = randn(rng, 2, 4, 13)
    logits, _, grads = module.call_grad(src, tgt, grad_outputs=grad_out)
    with support.one_thread():
        expected = expected_module(src, tgt)
        (expected * grad_out).sum().backward()
    support.expect_output(logits, expected.detach(), LOGITS.format(what=what))
    for name, param in expected_module.named_parameters():
        if grads.get(name) is None:
            fail(what + ": " + mistakes.NO_GRADIENT.format(name=name))
        expect_close(grads[name], param.grad, what=T("{what}: gradient of {name}", "{what}: {name}의 그래디언트").format(
            what=what, name=name))
