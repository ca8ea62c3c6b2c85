"""bce_loss and mse_loss: saturated predictions, soft targets, other shapes, untouched inputs."""
import torch

from graders.checks import check, expect_close
from graders.i18n import T

HIDDEN = "after_due_date"


def _expect_bce(student, ref, mistakes, pred, target, what, **call_kw):
    loss = student.call("bce_loss", pred, target, **call_kw)
    mistakes.expect_bce(loss, pred, target, ref.bce_loss(pred, target), what=what)


def _expect_mse(student, ref, mistakes, pred, target, what, **call_kw):
    loss = student.call("mse_loss", pred, target, **call_kw)
    mistakes.expect_scalar_tensor(loss, what=what)
    expect_close(loss, ref.mse_loss(pred, target), what=what, mistakes=mistakes.mse_variants(pred, target))


@check(points=2, visibility=HIDDEN, target="bce_loss",
       ko="bce_loss: 예측이 정확히 0과 1일 때 F.binary_cross_entropy와 일치")
def test_bce_saturated(student, ref, rng, mistakes):
    """bce_loss with predictions of exactly 0 and 1 matches F.binary_cross_entropy"""
    # right and wrong saturated predictions among ordinary ones: only a clamped log gives finite,
    # torch-equal values (a wrong 0 or 1 costs exactly 100 per element)
    pred = torch.tensor([0.0, 1.0, 0.0, 1.0, 0.3, 0.8, 0.05, 0.6])
    target = torch.tensor([0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0])
    _expect_bce(student, ref, mistakes, pred, target,
                T("bce_loss with predictions of exactly 0 and 1", "예측이 정확히 0과 1인 bce_loss"))
    pred, target = torch.tensor([[1.0, 0.0], [0.0, 1.0]]), torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    _expect_bce(student, ref, mistakes, pred, target,
                T("bce_loss with every prediction exactly right (0 or 1)", "모든 예측이 정확히 맞는(0 또는 1) bce_loss"))


@check(points=2, visibility=HIDDEN, target="bce_loss",
       ko="bce_loss: (B, K) 배치의 소프트 타깃")
def test_bce_soft_targets(student, ref, rng, mistakes):
    """bce_loss with soft targets on a (B, K) batch"""
    pred = torch.sigmoid(torch.randn(6, 3, generator=rng) * 2)
    target = torch.rand(6, 3, generator=rng)
    _expect_bce(student, ref, mistakes, pred, target,
                T("bce_loss on (6, 3) tensors with targets in [0, 1]", "타깃이 [0, 1] 범위인 (6, 3) 텐서의 bce_loss"))
    pred, target = torch.tensor([1e-6, 1 - 1e-6, 0.5]), torch.tensor([0.25, 0.75, 0.5])
    _expect_bce(student, ref, mistakes, pred, target,
                T("bce_loss with predictions near 0 and 1", "예측이 0과 1에 가까운 bce_loss"))


@check(points=1, visibility=HIDDEN, target="bce_loss",
       ko="bce_loss: 입력을 바꾸지 않음")
def test_bce_inputs_unchanged(student, ref, rng, mistakes):
    """bce_loss leaves its inputs unchanged"""
    pred = torch.cat([torch.sigmoid(torch.randn(5, generator=rng)), torch.tensor([0.0, 1.0])])
    target = torch.tensor([1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0])
    _expect_bce(student, ref, mistakes, pred, target, "bce_loss", check_inputs=True)


@check(points=2, visibility=HIDDEN, target="mse_loss",
       ko="mse_loss: (B, T, K) 텐서와 원소 하나, 입력을 바꾸지 않음")
def test_mse_shapes(student, ref, rng, mistakes):
    """mse_loss on (B, T, K) tensors and on a single element, inputs unchanged"""
    pred, target = torch.randn(3, 5, 2, generator=rng), torch.randn(3, 5, 2, generator=rng)
    _expect_mse(student, ref, mistakes, pred, target, T("mse_loss on (3, 5, 2) tensors", "(3, 5, 2) 텐서의 mse_loss"),
                check_inputs=True)
    pred, target = torch.randn(7, generator=rng), torch.randn(7, generator=rng)
    _expect_mse(student, ref, mistakes, pred, target, T("mse_loss on (7,) tensors", "(7,) 텐서의 mse_loss"))
    _expect_mse(student, ref, mistakes, torch.tensor([2.5]), torch.tensor([-0.5]),
                T("mse_loss on one element", "원소 하나의 mse_loss"))
