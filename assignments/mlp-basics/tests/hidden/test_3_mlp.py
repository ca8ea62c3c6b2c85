"""mlp_forward and mlp_backward on other shapes; square layers, where only the values can
show a missing transpose; a batch of one; untouched inputs.

Weights are scaled by 1/sqrt(fan-in) so that the sigmoids stay away from saturation,
where every classic mistake moves the gradients well beyond the tolerance.
"""
import torch

from graders.checks import check
from graders.i18n import T

HIDDEN = "after_due_date"


def _randn(rng, *shape, scale=1.0):
    return torch.randn(*shape, generator=rng) * scale


def _mlp_args(rng, B, d, H, K):
    return (_randn(rng, B, d), _randn(rng, d, H, scale=d ** -0.5), _randn(rng, H, scale=0.5),
            _randn(rng, H, K, scale=H ** -0.5), _randn(rng, K, scale=0.5))


@check(points=2, visibility=HIDDEN, target="mlp_forward",
       ko="mlp_forward: d, H, K가 모두 다름")
def test_forward_rectangular(student, ref, rng, mistakes):
    """mlp_forward with d, H and K all different"""
    mistakes.expect_forward(student, ref, _mlp_args(rng, B=7, d=5, H=6, K=3), what="y (d=5, H=6, K=3)")
    mistakes.expect_forward(student, ref, _mlp_args(rng, B=4, d=2, H=4, K=1), what="y (d=2, H=4, K=1)")


@check(points=1, visibility=HIDDEN, target="mlp_forward",
       ko="mlp_forward: 배치 1개와 정사각 층")
def test_forward_batch_of_one(student, ref, rng, mistakes):
    """mlp_forward with a batch of one and square layers"""
    mistakes.expect_forward(student, ref, _mlp_args(rng, B=1, d=4, H=4, K=4), what="y (B=1, d=H=K=4)")


@check(points=1, visibility=HIDDEN, target="mlp_forward",
       ko="mlp_forward: 입력을 바꾸지 않음")
def test_forward_inputs_unchanged(student, ref, rng, mistakes):
    """mlp_forward leaves its inputs unchanged"""
    mistakes.expect_forward(student, ref, _mlp_args(rng, B=3, d=2, H=5, K=2), check_inputs=True)


@check(points=3, visibility=HIDDEN, target="mlp_backward",
       ko="mlp_backward: d, H, K가 모두 다름")
def test_backward_rectangular(student, ref, rng, mistakes):
    """mlp_backward with d, H and K all different"""
    args = _mlp_args(rng, B=6, d=5, H=7, K=3)
    mistakes.expect_backward(student, ref, args, _randn(rng, 6, 3), where=" (d=5, H=7, K=3)")
    args = _mlp_args(rng, B=4, d=2, H=4, K=1)
    mistakes.expect_backward(student, ref, args, _randn(rng, 4, 1), where=T(" (the XOR shapes d=2, H=4, K=1)", " (XOR의 크기 d=2, H=4, K=1)"))


@check(points=2, visibility=HIDDEN, target="mlp_backward",
       ko="mlp_backward: 전치를 빠뜨려도 형태가 같은 정사각 층 (d = H = K)")
def test_backward_square(student, ref, rng, mistakes):
    """mlp_backward with square layers (d = H = K), where a missing transpose keeps the shapes"""
    args = _mlp_args(rng, B=5, d=4, H=4, K=4)
    mistakes.expect_backward(student, ref, args, _randn(rng, 5, 4), where=" (d=H=K=4)")


@check(points=2, visibility=HIDDEN, target="mlp_backward",
       ko="mlp_backward: 배치 1개, 일부 출력의 상위 그래디언트가 0")
def test_backward_batch_of_one(student, ref, rng, mistakes):
    """mlp_backward with a batch of one and with an upstream gradient that is zero for some outputs"""
    args = _mlp_args(rng, B=1, d=3, H=2, K=2)
    mistakes.expect_backward(student, ref, args, _randn(rng, 1, 2), where=" (B=1)")
    args = _mlp_args(rng, B=5, d=3, H=4, K=2)
    dy = _randn(rng, 5, 2)
    dy[:, 1] = 0.0
    mistakes.expect_backward(student, ref, args, dy, where=T(" (dy zero for the second output)", " (두 번째 출력의 dy가 0)"))


@check(points=1, visibility=HIDDEN, target="mlp_backward",
       ko="mlp_backward: dy를 바꾸지 않음")
def test_backward_inputs_unchanged(student, ref, rng, mistakes):
    """mlp_backward leaves dy unchanged"""
    args = _mlp_args(rng, B=3, d=2, H=3, K=2)
    mistakes.expect_backward(student, ref, args, _randn(rng, 3, 2), check_inputs=True)
