"""rnn_cell on other shapes: d_in != d_h, d_in = d_h (where a transposed weight keeps the
shapes), a batch of one and sizes of one, untouched inputs."""
import torch

from graders.checks import check

HIDDEN = "after_due_date"


def _cell_args(rng, B, d_in, d_h):
    return (torch.randn(B, d_in, generator=rng), torch.randn(B, d_h, generator=rng) * 0.5,
            torch.randn(d_in, d_h, generator=rng) * d_in ** -0.5, torch.randn(d_h, d_h, generator=rng) * d_h ** -0.5,
            torch.randn(d_h, generator=rng) * 0.2)


@check(points=2, visibility=HIDDEN, target="rnn_cell",
       ko="rnn_cell: d_in과 d_h가 다름")
def test_cell_rectangular(student, ref, rng, mistakes):
    """rnn_cell with d_in != d_h"""
    mistakes.expect_cell(student, ref, _cell_args(rng, B=3, d_in=5, d_h=4), what="h_t (d_in=5, d_h=4)")
    mistakes.expect_cell(student, ref, _cell_args(rng, B=4, d_in=2, d_h=6), what="h_t (d_in=2, d_h=6)")


@check(points=1, visibility=HIDDEN, target="rnn_cell",
       ko="rnn_cell: 가중치를 전치해도 형태가 같은 d_in = d_h")
def test_cell_square(student, ref, rng, mistakes):
    """rnn_cell with d_in = d_h, where a transposed weight keeps the shapes"""
    mistakes.expect_cell(student, ref, _cell_args(rng, B=3, d_in=4, d_h=4), what="h_t (d_in=d_h=4)")


@check(points=1, visibility=HIDDEN, target="rnn_cell",
       ko="rnn_cell: 배치 1개와 크기 1, 입력을 바꾸지 않음")
def test_cell_batch_of_one(student, ref, rng, mistakes):
    """rnn_cell with a batch of one and sizes of one, inputs unchanged"""
    mistakes.expect_cell(student, ref, _cell_args(rng, B=1, d_in=1, d_h=3), what="h_t (B=1, d_in=1)",
                         check_inputs=True)
    mistakes.expect_cell(student, ref, _cell_args(rng, B=1, d_in=4, d_h=1), what="h_t (B=1, d_h=1)",
                         check_inputs=True)
