"""Hidden checks of label_smoothing_cross_entropy against F.cross_entropy's definition.

The reference runs in float64 on the same float32 inputs. Ignored rows are placed at
random, and one check uses ignore_index=0, a padding id that is also a valid class: that is
where "ignore" and "smooth over all K classes" pull apart.
"""
import functools
import math

import torch

from graders.checks import CheckFailure, check, expect_close, fail

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
        fail(f"{what}: {mistakes.UNSTABLE}")
    variants = functools.cache(lambda: mistakes.label_smoothing_variants(logits, target, smoothing, ignore_index))
    try:
        expect_close(loss, expected, what=what)
    except CheckFailure:
        expect_close(loss, expected, what=what, mistakes=variants())
        raise
    return loss


@check(points=2, visibility=HIDDEN, target=NAME)
def test_sizes_and_smoothing(student, ref, rng, mistakes):
    """Label smoothing: several sizes and smoothing values"""
    for n, c, eps in ((16, 7, 0.2), (33, 1000, 0.1), (5, 2, 0.3), (1, 3, 0.05)):
        logits, target = _case(rng, n, c)
        _expect_loss(student, ref, mistakes, logits, target, eps, -100,
                     what=f"loss for N={n}, C={c}, smoothing={eps}")


@check(points=2, visibility=HIDDEN, target=NAME)
def test_default_ignore_index(student, ref, rng, mistakes):
    """Label smoothing: rows with target -100 are left out of the sum and the mean"""
    logits, target = _case(rng, 20, 6, ignored=7)
    _expect_loss(student, ref, mistakes, logits, target, 0.25, -100, what="loss with 7 of 20 targets = -100")


@check(points=2, visibility=HIDDEN, target=NAME)
def test_padding_id_zero(student, ref, rng, mistakes):
    """Label smoothing: ignore_index=0, a padding id that is also a class (positional arguments)"""
    logits, target = _case(rng, 24, 9, ignore_index=0, ignored=8)
    _expect_loss(student, ref, mistakes, logits, target, 0.2, 0, positional=True,
                 what="label_smoothing_cross_entropy(logits, target, 0.2, 0) with 8 padding rows")


@check(points=1, visibility=HIDDEN, target=NAME)
def test_every_target_ignored(student, mistakes, rng):
    """Label smoothing: every target ignored gives NaN, as in F.cross_entropy"""
    for ignore_index in (-100, 2):
        logits = torch.randn(5, 4, generator=rng)
        target = torch.full((5,), ignore_index)
        loss = student.call(NAME, logits, target, smoothing=0.1, ignore_index=ignore_index)
        if not isinstance(loss, torch.Tensor) or loss.numel() != 1:
            fail(f"with every target = {ignore_index}: expected a 0-d tensor, got "
                 f"{type(loss).__name__}{tuple(loss.shape) if isinstance(loss, torch.Tensor) else ''}")
        if not math.isnan(float(loss)):
            fail(f"with every target = {ignore_index}: " + mistakes.ALL_IGNORED.format(got=f"{float(loss):g}"))


@check(points=1, visibility=HIDDEN, target=NAME)
def test_no_and_full_smoothing(student, ref, rng, mistakes):
    """Label smoothing: smoothing=0 is the plain cross-entropy, smoothing=1 the uniform one"""
    for eps in (0.0, 1.0):
        logits, target = _case(rng, 10, 5, ignored=2)
        _expect_loss(student, ref, mistakes, logits, target, eps, -100, what=f"loss with smoothing={eps}")


@check(points=1, visibility=HIDDEN, target=NAME)
def test_large_logits(student, ref, rng, mistakes):
    """Label smoothing: large logits give a finite, exact loss"""
    logits, target = _case(rng, 12, 8, scale=300.0, ignored=3)
    _expect_loss(student, ref, mistakes, logits, target, 0.1, -100, what="loss for logits of size ~300")


@check(points=1, visibility=HIDDEN, target=NAME)
def test_gradient(student, ref, rng, mistakes):
    """Label smoothing: the gradient w.r.t. the logits matches F.cross_entropy's"""
    logits, target = _case(rng, 10, 6, ignored=3)
    _expect_loss(student, ref, mistakes, logits, target, 0.15, -100, what="loss")
    _, grads = student.call_grad(NAME, logits, target, grad_outputs=torch.tensor(1.0), smoothing=0.15)
    if not grads or grads[0] is None:
        fail("no gradient reached the logits: the loss must stay connected to the autograd graph "
             "(no .detach(), torch.no_grad(), .item() or NumPy round trips)")
    leaf = logits.double().requires_grad_(True)
    ref.label_smoothing_cross_entropy(leaf, target, 0.15).backward()
    expect_close(grads[0], leaf.grad, what="gradient w.r.t. logits")


@check(points=1, visibility=HIDDEN, target=NAME)
def test_inputs_unchanged(student, ref, rng, mistakes):
    """Label smoothing: logits and target are left unchanged"""
    logits, target = _case(rng, 8, 5, ignored=2)
    _expect_loss(student, ref, mistakes, logits, target, 0.1, -100, what="loss", check_inputs=True)
