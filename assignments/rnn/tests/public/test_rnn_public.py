"""Small visible checks: one per function, on fixed small shapes.

The hidden checks ask the same questions on other shapes (d_in, d_h, d_out all different
or all equal, T = 1, B = T, long sequences), check that inputs stay unchanged, and probe
clip_grad_norm's edge cases (gradients below max_norm, tiny norms, max_norm <= 0).
"""
import torch

from graders.checks import check
from graders.i18n import T


def _randn(rng, *shape, scale=1.0):
    return torch.randn(*shape, generator=rng) * scale


def _rnn_args(rng, B, T, d_in, d_h, d_out):
    """x, h0 and weights scaled by 1/sqrt(fan-in): tanh stays away from saturation."""
    return (_randn(rng, B, T, d_in), _randn(rng, B, d_h, scale=0.5), _randn(rng, d_in, d_h, scale=d_in ** -0.5),
            _randn(rng, d_h, d_h, scale=0.9 * d_h ** -0.5), _randn(rng, d_h, scale=0.2),
            _randn(rng, d_h, d_out, scale=d_h ** -0.5), _randn(rng, d_out, scale=0.2))


@check(points=2, visibility="visible", target="rnn_cell",
       ko="rnn_cell: 작은 배치")
def test_cell_small(student, ref, rng, mistakes):
    """rnn_cell on a small batch"""
    x, h0, W_xh, W_hh, b_h, _, _ = _rnn_args(rng, B=2, T=1, d_in=3, d_h=4, d_out=1)
    mistakes.expect_cell(student, ref, (x[:, 0], h0, W_xh, W_hh, b_h))


@check(points=2, visibility="visible", target="rnn_forward",
       ko="rnn_forward: 짧은 시퀀스")
def test_forward_short(student, ref, rng, mistakes):
    """rnn_forward on a short sequence"""
    mistakes.expect_forward(student, ref, _rnn_args(rng, B=2, T=5, d_in=3, d_h=4, d_out=2))


@check(points=4, visibility="visible", target="rnn_backward",
       ko="rnn_backward: 마지막 단계의 그래디언트를 시간을 거슬러 전달")
def test_backward_through_time(student, ref, rng, mistakes, artifacts):
    """rnn_backward sends the gradient of the last step back through time"""
    B, steps, d_out = 2, 12, 2
    args = _rnn_args(rng, B=B, T=steps, d_in=3, d_h=5, d_out=d_out)
    dy = torch.zeros(B, steps, d_out)
    dy[:, -1] = _randn(rng, B, d_out)
    grads = student.call("rnn_backward", dy, *args)
    expected = ref.rnn_backward(dy, *args)
    dx = grads.get("x") if isinstance(grads, dict) else None
    if isinstance(dx, torch.Tensor) and tuple(dx.shape) == tuple(args[0].shape):
        artifacts.image("gradient-through-time.png", mistakes.gradient_flow_png(dx, expected["x"]),
                        caption=T("How much of the last step's gradient reaches each input x_t: it shrinks step by "
                                  "step (vanishing gradients). A step where your gradient is exactly 0 has no point "
                                  "on this log scale.",
                                  "마지막 단계의 그래디언트가 각 입력 x_t에 얼마나 도달하는지: 단계마다 줄어듭니다 "
                                  "(기울기 소실). 그래디언트가 정확히 0인 단계는 이 로그 눈금에 점이 없습니다."),
                        alt=mistakes.gradient_flow_alt(dx, expected["x"]))
    mistakes.expect_gradients(grads, expected, mistakes.rnn_backward_variants(dy, *args))


@check(points=2, visibility="visible", target="clip_grad_norm",
       ko="clip_grad_norm: 작은 그래디언트 리스트")
def test_clip_small(student, ref, rng, mistakes):
    """clip_grad_norm on a small list of gradients"""
    grads = [_randn(rng, 3, 4), _randn(rng, 5), _randn(rng, 2, 2, scale=0.1)]
    mistakes.expect_clip(student, ref, grads, 1.0, what="clip_grad_norm(grads, 1.0)")
