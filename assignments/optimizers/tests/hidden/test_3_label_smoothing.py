"""Hidden checks of label_smoothing_cross_entropy against F.cross_entropy's definition.

The reference runs in float64 on the same float32 inputs. Ignored rows are placed at
random, and one check uses ignore_index=0, a padding id that is also a valid class: that is
where "ignore" and "smooth over all K classes" pull apart.
"""
import functools
import math

import torch

from graders.checks import CheckFailure, check, expect_close, fail
from graders.i18n import T

HIDDEN = "after_due_date"
NAME = "label_smoothing_cross_entropy"


def _case(rng, n, c, *, scale=2.0, ignore_index=-100, ignored=0):
    logits = torch.randn(n, c, generator=rng) * scale
    target = torch.randint(0, c, (n,), generator=rng)
    if ignored:
        target[torch.randperm(n, generator=rng)[:ignored]] = ignore_index
    if ignore_index >= 0:
        # Keep at least one row whose target is a real class other than the padding id.
        target[0] = (ignore_index + 1) % c
    return logits, target


def _expect_loss(student, ref, mistakes, logits, target, smoothing, ignore_index, *, what, positional=False,
                 **call_kw):
    if positional:
        loss = student.call(NAME, logits, target, smoothing, ignore_index, **call_kw)
    else:
        loss = student.call(NAME, logits, target, smoothing=smoothing, ignore_index=ignore_index, **call_kw)
    expected = ref.label_smoothing_cross_entropy(logits.double(), target, smoothing, ignore_index)
    if isinstance(loss, torch.Tensor) and loss.numel() == 1 and not torch.isfinite(loss).all() \
            and torch.isfinite(expected):
        fail(what + ": " + mistakes.UNSTABLE)
    variants = functools.cache(lambda: mistakes.label_smoothing_variants(logits, target, smoothing, ignore_index))
    try:
        expect_close(loss, expected, what=what)
    except CheckFailure:
        expect_close(loss, expected, what=what, mistakes=variants())
        raise
    return loss


@check(points=2, visibility=HIDDEN, target=NAME,
       ko="레이블 스무딩: 여러 크기와 smoothing 값")
def test_sizes_and_smoothing(student, ref, rng, mistakes):
    """Label smoothing: several sizes and smoothing values"""
    for n, c, eps in ((16, 7, 0.2), (33, 1000, 0.1), (5, 2, 0.3), (1, 3, 0.05)):
        logits, target = _case(rng, n, c)
        _expect_loss(student, ref, mistakes, logits, target, eps, -100,
                     what=T("loss for N={n}, C={c}, smoothing={eps}", "N={n}, C={c}, smoothing={eps}일 때의 손실").format(
                         n=n, c=c, eps=eps))


@check(points=2, visibility=HIDDEN, target=NAME,
       ko="레이블 스무딩: 타깃이 -100인 행은 합과 평균에서 제외")
def test_default_ignore_index(student, ref, rng, mistakes):
    """Label smoothing: rows with target -100 are left out of the sum and the mean"""
    logits, target = _case(rng, 20, 6, ignored=7)
    _expect_loss(student, ref, mistakes, logits, target, 0.25, -100, what=T("loss with 7 of 20 targets = -100",
                                                                                 "타깃 20개 중 7개가 -100일 때의 손실"))


@check(points=2, visibility=HIDDEN, target=NAME,
       ko="레이블 스무딩: 클래스이기도 한 패딩 id ignore_index=0 (위치 인자)")
def test_padding_id_zero(student, ref, rng, mistakes):
    """Label smoothing: ignore_index=0, a padding id that is also a class (positional arguments)"""
    logits, target = _case(rng, 24, 9, ignore_index=0, ignored=8)
    _expect_loss(student, ref, mistakes, logits, target, 0.2, 0, positional=True,
                 what=T("label_smoothing_cross_entropy(logits, target, 0.2, 0) with 8 padding rows",
                        "label_smoothing_cross_entropy(logits, target, 0.2, 0), 패딩 행 8개"))


@check(points=1, visibility=HIDDEN, target=NAME,
       ko="레이블 스무딩: 모든 타깃을 무시하면 F.cross_entropy처럼 NaN")
def test_every_target_ignored(student, mistakes, rng):
    """Label smoothing: every target ignored gives NaN, as in F.cross_entropy"""
    for ignore_index in (-100, 2):
        logits = torch.randn(5, 4, generator=rng)
        target = torch.full((5,), ignore_index)
        loss = student.call(NAME, logits, target, smoothing=0.1, ignore_index=ignore_index)
        if not isinstance(loss, torch.Tensor) or loss.numel() != 1:
            got = f"{type(loss).__name__}{tuple(loss.shape) if isinstance(loss, torch.Tensor) else ''}"
            fail(T("with every target = {i}: expected a 0-d tensor, got {got}",
                   "모든 타깃이 {i}일 때: 0차원 텐서여야 하는데 {got}입니다").format(i=ignore_index, got=got))
        if not math.isnan(float(loss)):
            fail(T("with every target = {i}: ", "모든 타깃이 {i}일 때: ").format(i=ignore_index)
                 + mistakes.ALL_IGNORED.format(got=f"{float(loss):g}"))


@check(points=1, visibility=HIDDEN, target=NAME,
       ko="레이블 스무딩: smoothing=0은 일반 교차 엔트로피, smoothing=1은 균등 분포")
def test_no_and_full_smoothing(student, ref, rng, mistakes):
    """Label smoothing: smoothing=0 is the plain cross-entropy, smoothing=1 the uniform one"""
    for eps in (0.0, 1.0):
        logits, target = _case(rng, 10, 5, ignored=2)
        _expect_loss(student, ref, mistakes, logits, target, eps, -100, what=T("loss with smoothing={eps}",
                                                                                   "smoothing={eps}일 때의 손실").format(eps=eps))


@check(points=1, visibility=HIDDEN, target=NAME,
       ko="레이블 스무딩: 큰 로짓에서도 유한하고 정확한 손실")
def test_large_logits(student, ref, rng, mistakes):
    """Label smoothing: large logits give a finite, exact loss"""
    logits, target = _case(rng, 12, 8, scale=300.0, ignored=3)
    _expect_loss(student, ref, mistakes, logits, target, 0.1, -100, what=T("loss for logits of size ~300",
                                                                                 "크기가 약 300인 로짓의 손실"))


@check(points=1, visibility=HIDDEN, target=NAME,
       ko="레이블 스무딩: logits에 대한 그래디언트가 F.cross_entropy와 일치")
def test_gradient(student, ref, rng, mistakes):
    """Label smoothing: the gradient w.r.t. the logits matches F.cross_entropy's"""
    logits, target = _case(rng, 10, 6, ignored=3)
    _expect_loss(student, ref, mistakes, logits, target, 0.15, -100, what=T("loss", "손실"))
    _, grads = student.call_grad(NAME, logits, target, grad_outputs=torch.tensor(1.0), smoothing=0.15)
    if not grads or grads[0] is None:
        fail(mistakes.NO_GRADIENT)
    leaf = logits.double().requires_grad_(True)
    ref.label_smoothing_cross_entropy(leaf, target, 0.15).backward()
    expect_close(grads[0], leaf.grad, what=T("gradient w.r.t. logits", "logits에 대한 그래디언트"))


@check(points=1, visibility=HIDDEN, target=NAME,
       ko="레이블 스무딩: logits와 target을 바꾸지 않음")
def test_inputs_unchanged(student, ref, rng, mistakes):
    """Label smoothing: logits and target are left unchanged"""
    logits, target = _case(rng, 8, 5, ignored=2)
    _expect_loss(student, ref, mistakes, logits, target, 0.1, -100, what=T("loss", "손실"), check_inputs=True)
