"""rnn_backward (BPTT by hand) on rectangular and square sizes, T = 1, untouched inputs.

The upstream gradient dy is nonzero at every step here, so each y_t contributes; the
public check sends a gradient from the last step only.
"""
import torch

from graders.checks import check

HIDDEN = "after_due_date"


def _randn(rng, *shape, scale=1.0):
    return torch.randn(*shape, generator=rng) * scale


def _rnn_args(rng, B, T, d_in, d_h, d_out):
    return (_randn(rng, B, T, d_in), _randn(rng, B, d_h, scale=0.5), _randn(rng, d_in, d_h, scale=d_in ** -0.5),
            _randn(rng, d_h, d_h, scale=0.9 * d_h ** -0.5), _randn(rng, d_h, scale=0.2),
            _randn(rng, d_h, d_out, scale=d_h ** -0.5), _randn(rng, d_out, scale=0.2))


def _case(rng, B, T, d_in, d_h, d_out):
    return _randn(rng, B, T, d_out), _rnn_args(rng, B, T, d_in, d_h, d_out)


@check(points=4, visibility=HIDDEN, target="rnn_backward",
       ko="rnn_backward: d_in, d_h, d_out이 모두 다름")
def test_backward_rectangular(student, ref, rng, mistakes):
    """rnn_backward with d_in, d_h and d_out all different"""
    dy, args = _case(rng, B=3, T=9, d_in=4, d_h=5, d_out=2)
    mistakes.expect_backward(student, ref, dy, args, where=" (d_in=4, d_h=5, d_out=2)")


@check(points=3, visibility=HIDDEN, target="rnn_backward",
       ko="rnn_backward: 전치를 빠뜨려도 형태가 같은 d_in = d_h = d_out")
def test_backward_square(student, ref, rng, mistakes):
    """rnn_backward with d_in = d_h = d_out, where a missing transpose keeps the shapes"""
    dy, args = _case(rng, B=2, T=7, d_in=4, d_h=4, d_out=4)
    mistakes.expect_backward(student, ref, dy, args, where=" (d_in=d_h=d_out=4)")


@check(points=1, visibility=HIDDEN, target="rnn_backward",
       ko="rnn_backward: T = 1과 배치 1개")
def test_backward_one_step(student, ref, rng, mistakes):
    """rnn_backward with T = 1 and with a batch of one"""
    dy, args = _case(rng, B=2, T=1, d_in=3, d_h=4, d_out=2)
    mistakes.expect_backward(student, ref, dy, args, where=" (T=1)")
    dy, args = _case(rng, B=1, T=5, d_in=2, d_h=3, d_out=1)
    mistakes.expect_backward(student, ref, dy, args, where=" (B=1)")


@check(points=1, visibility=HIDDEN, target="rnn_backward",
       ko="rnn_backward: 입력을 바꾸지 않음")
def test_backward_inputs_unchanged(student, ref, rng, mistakes):
    """rnn_backward leaves its inputs unchanged"""
    dy, args = _case(rng, B=2, T=4, d_in=3, d_h=4, d_out=2)
    mistakes.expect_backward(student, ref, dy, args, check_inputs=True)
