"""Small visible checks: one per function, on fixed small shapes.

The hidden checks ask the same questions on other shapes and on the edge cases of the
statement (a point on the perceptron's boundary, predictions of exactly 0 and 1, square
layers where a transpose goes unnoticed by the shapes, other seeds for train_xor).
"""
import torch

from graders.checks import check, expect_close

HALF_SIGMOID = 0.5          # weights scaled so pre-activations stay O(1), away from saturation


def _randn(rng, *shape, scale=1.0):
    return torch.randn(*shape, generator=rng) * scale


def _mlp_args(rng, B, d, H, K):
    return (_randn(rng, B, d), _randn(rng, d, H, scale=d ** -0.5), _randn(rng, H, scale=HALF_SIGMOID),
            _randn(rng, H, K, scale=H ** -0.5), _randn(rng, K, scale=HALF_SIGMOID))


def _clear_of_boundary(rng, B, d):
    """x, w, b with every x @ w + b at least 0.01 away from 0 (so rounding cannot flip a step)."""
    while True:
        x, w, b = _randn(rng, B, d), _randn(rng, d), float(_randn(rng, 1))
        if (x.double() @ w.double() + b).abs().min() > 0.01:
            return x, w, b


@check(points=2, visibility="visible", target="perceptron",
       ko="perceptron: 작은 배치")
def test_perceptron_small(student, ref, rng, mistakes):
    """perceptron on a small batch"""
    x, w, b = _clear_of_boundary(rng, B=6, d=3)
    mistakes.expect_perceptron(student.call("perceptron", x, w, b), ref.perceptron(x, w, b), x, w, b,
                               what="perceptron(x, w, b)")


@check(points=2, visibility="visible", target="bce_loss",
       ko="bce_loss: 작은 배치")
def test_bce_small(student, ref, rng, mistakes):
    """bce_loss on a small batch"""
    pred = torch.sigmoid(_randn(rng, 8, scale=2.0))
    target = (torch.rand(8, generator=rng) < 0.5).float()
    mistakes.expect_bce(student.call("bce_loss", pred, target), pred, target, ref.bce_loss(pred, target),
                        what="bce_loss(pred, target)")


@check(points=1, visibility="visible", target="mse_loss",
       ko="mse_loss: 작은 배치")
def test_mse_small(student, ref, rng, mistakes):
    """mse_loss on a small batch"""
    pred, target = _randn(rng, 4, 3), _randn(rng, 4, 3)
    loss = student.call("mse_loss", pred, target)
    mistakes.expect_scalar_tensor(loss, what="mse_loss(pred, target)")
    expect_close(loss, ref.mse_loss(pred, target), what="mse_loss(pred, target)",
                          mistakes=mistakes.mse_variants(pred, target))


@check(points=2, visibility="visible", target="mlp_forward",
       ko="mlp_forward: 작은 배치")
def test_forward_small(student, ref, rng, mistakes):
    """mlp_forward on a small batch"""
    mistakes.expect_forward(student, ref, _mlp_args(rng, B=4, d=3, H=5, K=2))


@check(points=3, visibility="visible", target="mlp_backward",
       ko="mlp_backward: 작은 배치")
def test_backward_small(student, ref, rng, mistakes):
    """mlp_backward on a small batch"""
    args = _mlp_args(rng, B=4, d=3, H=5, K=2)
    mistakes.expect_backward(student, ref, args, _randn(rng, 4, 2))


@check(points=3, visibility="visible", target="train_xor", timeout=60,
       ko="train_xor(): XOR을 분류함")
def test_train_xor_default(student, mistakes, artifacts):
    """train_xor() classifies XOR"""
    mistakes.expect_xor(student, artifacts, what="train_xor()")
