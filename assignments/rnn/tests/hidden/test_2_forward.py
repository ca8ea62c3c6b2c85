"""rnn_forward on long and one-step sequences, B = T (batch or time?), square sizes,
and untouched inputs."""
import torch

from graders.checks import check

HIDDEN = "after_due_date"


def _randn(rng, *shape, scale=1.0):
    return torch.randn(*shape, generator=rng) * scale


def _rnn_args(rng, B, T, d_in, d_h, d_out):
    return (_randn(rng, B, T, d_in), _randn(rng, B, d_h, scale=0.5), _randn(rng, d_in, d_h, scale=d_in ** -0.5),
            _randn(rng, d_h, d_h, scale=0.9 * d_h ** -0.5), _randn(rng, d_h, scale=0.2),
            _randn(rng, d_h, d_out, scale=d_h ** -0.5), _randn(rng, d_out, scale=0.2))


@check(points=2, visibility=HIDDEN, target="rnn_forward",
       ko="rnn_forward: d_in, d_h, d_out이 모두 다른 40단계")
def test_forward_long(student, ref, rng, mistakes):
    """rnn_forward over 40 steps with d_in, d_h and d_out all different"""
    mistakes.expect_forward(student, ref, _rnn_args(rng, B=3, T=40, d_in=4, d_h=6, d_out=2), where=" (T=40)")


@check(points=1, visibility=HIDDEN, target="rnn_forward",
       ko="rnn_forward: 길이 T = 1인 시퀀스")
def test_forward_one_step(student, ref, rng, mistakes):
    """rnn_forward with T = 1"""
    mistakes.expect_forward(student, ref, _rnn_args(rng, B=2, T=1, d_in=3, d_h=4, d_out=3), where=" (T=1)")


@check(points=1, visibility=HIDDEN, target="rnn_forward",
       ko="rnn_forward: B = T일 때도 x를 (B, T, d_in)으로 읽음")
def test_forward_batch_first(student, ref, rng, mistakes):
    """rnn_forward reads x as (B, T, d_in) when B = T"""
    mistakes.expect_forward(student, ref, _rnn_args(rng, B=4, T=4, d_in=3, d_h=5, d_out=2), where=" (B=T=4)")


@check(points=1, visibility=HIDDEN, target="rnn_forward",
       ko="rnn_forward: 가중치나 출력이 뒤바뀌어도 형태가 같은 d_in = d_h = d_out")
def test_forward_square(student, ref, rng, mistakes):
    """rnn_forward with d_in = d_h = d_out, where swapped weights or outputs keep the shapes"""
    mistakes.expect_forward(student, ref, _rnn_args(rng, B=2, T=6, d_in=4, d_h=4, d_out=4), where=" (d_in=d_h=d_out=4)")


@check(points=1, visibility=HIDDEN, target="rnn_forward",
       ko="rnn_forward: 입력을 바꾸지 않음")
def test_forward_inputs_unchanged(student, ref, rng, mistakes):
    """rnn_forward leaves its inputs unchanged"""
    mistakes.expect_forward(student, ref, _rnn_args(rng, B=2, T=5, d_in=3, d_h=4, d_out=2), check_inputs=True)
