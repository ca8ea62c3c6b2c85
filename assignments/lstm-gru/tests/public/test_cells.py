"""Small visible checks: one per function, on fixed small shapes.

The hidden checks ask the same questions on other shapes (a batch of one, d_in != d_h,
long and one-step sequences) and also check that inputs stay unchanged and gradients flow.
"""
import math

import torch

from graders.checks import check, expect_close, fail
from graders.i18n import T


def _randn(rng, *shape, scale=1.0):
    return torch.randn(*shape, generator=rng) * scale


def _lstm_args(rng, B, d_in, d_h):
    return (_randn(rng, B, d_in), _randn(rng, B, d_h, scale=0.5), _randn(rng, B, d_h),
            _randn(rng, d_h + d_in, 4 * d_h, scale=1 / math.sqrt(d_h + d_in)), _randn(rng, 4 * d_h, scale=0.5))


def _gru_args(rng, B, d_in, d_h):
    s = 1 / math.sqrt(d_h + d_in)
    return (_randn(rng, B, d_in), _randn(rng, B, d_h, scale=0.5),
            _randn(rng, d_h + d_in, d_h, scale=s), _randn(rng, d_h, scale=0.5),
            _randn(rng, d_h + d_in, d_h, scale=s), _randn(rng, d_h, scale=0.5),
            _randn(rng, d_in, d_h, scale=s), _randn(rng, d_h, d_h, scale=s), _randn(rng, d_h, scale=0.5))




@check(points=2, visibility="visible", target="lstm_cell",
       ko="LSTM 셀: 작은 배치")
def test_lstm_cell_small(student, ref, rng, mistakes):
    """LSTM cell on a small batch"""
    args = _lstm_args(rng, B=2, d_in=3, d_h=4)
    h_t, c_t = mistakes.expect_pair(student.call("lstm_cell", *args), "lstm_cell", "(h_t, c_t)")
    exp_h, exp_c = ref.lstm_cell(*args)
    variants = mistakes.lstm_cell_variants(*args)
    expect_close(c_t, exp_c, what="c_t", mistakes={m: v[1] for m, v in variants.items()})
    expect_close(h_t, exp_h, what="h_t", mistakes={m: v[0] for m, v in variants.items()})


@check(points=2, visibility="visible", target="gru_cell",
       ko="GRU 셀: 작은 배치")
def test_gru_cell_small(student, ref, rng, mistakes):
    """GRU cell on a small batch"""
    args = _gru_args(rng, B=2, d_in=3, d_h=4)
    h_t = student.call("gru_cell", *args)
    expect_close(h_t, ref.gru_cell(*args), what="h_t", mistakes=mistakes.gru_cell_variants(*args))


@check(points=2, visibility="visible", target="run_lstm",
       ko="run_lstm: 짧은 시퀀스")
def test_run_lstm_short(student, ref, rng, mistakes):
    """run_lstm on a short sequence"""
    _, h0, c0, W, b = _lstm_args(rng, B=2, d_in=3, d_h=4)
    x = _randn(rng, 2, 5, 3)
    hs, state = mistakes.expect_pair(student.call("run_lstm", x, h0, c0, W, b), "run_lstm", "(hs, (h_T, c_T))")
    h_T, c_T = mistakes.expect_pair(state, T("run_lstm's second element", "run_lstm의 두 번째 원소"), "(h_T, c_T)")
    if tuple(getattr(hs, "shape", ())) == (2, 6, 4):
        fail(mistakes.HS_WITH_H0.format(shape=(2, 6, 4)))
    exp_hs, (exp_h, exp_c) = ref.run_lstm(x, h0, c0, W, b)
    variants = mistakes.run_lstm_variants(x, h0, c0, W, b)
    expect_close(hs, exp_hs, what="hs", mistakes={m: v[0] for m, v in variants.items()})
    expect_close(h_T, exp_h, what="h_T", mistakes={m: v[1][0] for m, v in variants.items()})
    expect_close(c_T, exp_c, what="c_T", mistakes={m: v[1][1] for m, v in variants.items()})
