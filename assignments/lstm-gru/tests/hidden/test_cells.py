"""Hidden checks: other shapes, edge cases, untouched inputs and gradients.

Weights are scaled by 1/sqrt(fan-in) so that gates sit away from saturation, where every
classic mistake changes the output well beyond the tolerance and can be named.
"""
import functools
import math

import torch

from graders.checks import CheckFailure, check, expect_close, fail
from graders.i18n import T

LSTM_ARGS = ("x_t", "h_prev", "c_prev", "W", "b")       # names for gradient messages
GRU_ARGS = ("x_t", "h_prev", "W_z", "b_z", "W_r", "b_r", "W_h", "U_h", "b_h")
RUN_ARGS = ("x", "h0", "c0", "W", "b")


def _randn(rng, *shape, scale=1.0):
    return torch.randn(*shape, generator=rng) * scale


def _lstm_args(rng, B, d_in, d_h):
    return (_randn(rng, B, d_in), _randn(rng, B, d_h, scale=0.5), _randn(rng, B, d_h),
            _randn(rng, d_h + d_in, 4 * d_h, scale=1 / math.sqrt(d_h + d_in)), _randn(rng, 4 * d_h, scale=0.5))


def _run_args(rng, B, T, d_in, d_h):
    _, h0, c0, W, b = _lstm_args(rng, B, d_in, d_h)
    return _randn(rng, B, T, d_in), h0, c0, W, b


def _gru_args(rng, B, d_in, d_h):
    s = 1 / math.sqrt(d_h + d_in)
    return (_randn(rng, B, d_in), _randn(rng, B, d_h, scale=0.5),
            _randn(rng, d_h + d_in, d_h, scale=s), _randn(rng, d_h, scale=0.5),
            _randn(rng, d_h + d_in, d_h, scale=s), _randn(rng, d_h, scale=0.5),
            _randn(rng, d_in, d_h, scale=s), _randn(rng, d_h, d_h, scale=s), _randn(rng, d_h, scale=0.5))




def _expect(actual, expected, what, variants, part=None):
    """expect_close, but the known mistakes (dozens of reruns of the reference) are only
    evaluated once the output has missed. `variants()` maps a message to the variant's
    output, or to a tuple of outputs of which `part` is picked."""
    try:
        expect_close(actual, expected, what=what)
    except CheckFailure:
        named = {m: v if part is None else _item(v, part) for m, v in variants().items()}
        expect_close(actual, expected, what=what, mistakes=named)
        raise


def _item(value, path):
    for k in path:
        value = value[k]
    return value


def _expect_lstm_cell(student, ref, mistakes, args, *, where="", **call_kw):
    h_t, c_t = mistakes.expect_pair(student.call("lstm_cell", *args, **call_kw), "lstm_cell", "(h_t, c_t)")
    exp_h, exp_c = ref.lstm_cell(*args)
    variants = functools.cache(lambda: mistakes.lstm_cell_variants(*args))
    _expect(c_t, exp_c, "c_t" + where, variants, part=(1,))
    _expect(h_t, exp_h, "h_t" + where, variants, part=(0,))


def _expect_gru_cell(student, ref, mistakes, args, *, what="h_t", **call_kw):
    h_t = student.call("gru_cell", *args, **call_kw)
    _expect(h_t, ref.gru_cell(*args), what, lambda: mistakes.gru_cell_variants(*args))


def _run(student, mistakes, args, **call_kw):
    x, h0 = args[0], args[1]
    hs, state = mistakes.expect_pair(student.call("run_lstm", *args, **call_kw), "run_lstm", "(hs, (h_T, c_T))")
    h_T, c_T = mistakes.expect_pair(state, T("run_lstm's second element", "run_lstm의 두 번째 원소"), "(h_T, c_T)")
    batch, steps, _ = x.shape
    if tuple(getattr(hs, "shape", ())) == (batch, steps + 1, h0.shape[1]):
        fail(mistakes.HS_WITH_H0.format(shape=(batch, steps + 1, h0.shape[1])))
    return hs, h_T, c_T


def _expect_run_lstm(student, ref, mistakes, args, **call_kw):
    hs, h_T, c_T = _run(student, mistakes, args, **call_kw)
    exp_hs, (exp_h, exp_c) = ref.run_lstm(*args)
    variants = functools.cache(lambda: mistakes.run_lstm_variants(*args))
    _expect(hs, exp_hs, "hs", variants, part=(0,))
    _expect(h_T, exp_h, "h_T", variants, part=(1, 0))
    _expect(c_T, exp_c, "c_T", variants, part=(1, 1))
    return hs, h_T, c_T


def _reference_grads(fn, args, grad_outputs):
    """Input gradients of the reference for the same upstream gradients the sandbox uses."""
    leaves = [a.detach().clone().requires_grad_(True) for a in args]
    out = fn(*leaves)
    outs = [out] if isinstance(out, torch.Tensor) else [o for o in out if isinstance(o, torch.Tensor)]
    # A scalar surrogate gives the same gradients; backward() with grad_tensors would import
    # torch.fx's symbolic shapes on first use, seconds of grader time.
    sum((o * g).sum() for o, g in zip(outs, grad_outputs)).backward()
    return [leaf.grad for leaf in leaves]


def _expect_grads(student, mistakes, ref_fn, name, args, arg_names, grad_outputs, variants=None):
    """Compare every input's gradient with the reference's; `variants` maps a mistake to a
    function whose gradients it would produce."""
    _, grads = student.call_grad(name, *args, grad_outputs=grad_outputs)
    wrong = functools.cache(lambda: {msg: _reference_grads(fn, args, grad_outputs)
                                     for msg, fn in (variants or {}).items()})
    for k, (arg, got, expected) in enumerate(zip(arg_names, grads, _reference_grads(ref_fn, args, grad_outputs))):
        if got is None:
            fail(mistakes.NO_GRADIENT.format(arg=arg))
        _expect(got, expected, T("gradient w.r.t. {arg}", "{arg}에 대한 그래디언트").format(arg=arg), wrong, part=(k,))


# --------------------------------------------------------------------------- lstm_cell

@check(points=4, visibility="after_due_date", target="lstm_cell",
       ko="LSTM 셀: d_in과 d_h가 다름")
def test_lstm_cell_rectangular(student, ref, rng, mistakes):
    """LSTM cell with d_in != d_h"""
    _expect_lstm_cell(student, ref, mistakes, _lstm_args(rng, B=3, d_in=5, d_h=7))


@check(points=2, visibility="after_due_date", target="lstm_cell",
       ko="LSTM 셀: 배치 1개와 크기 1")
def test_lstm_cell_batch_of_one(student, ref, rng, mistakes):
    """LSTM cell with a batch of one and sizes of one"""
    _expect_lstm_cell(student, ref, mistakes, _lstm_args(rng, B=1, d_in=1, d_h=3), where=" (d_in = 1)")
    _expect_lstm_cell(student, ref, mistakes, _lstm_args(rng, B=1, d_in=6, d_h=1), where=" (d_h = 1)")


@check(points=1, visibility="after_due_date", target="lstm_cell",
       ko="LSTM 셀: 입력을 바꾸지 않음")
def test_lstm_cell_inputs_unchanged(student, ref, rng, mistakes):
    """LSTM cell leaves its inputs unchanged"""
    _expect_lstm_cell(student, ref, mistakes, _lstm_args(rng, B=2, d_in=3, d_h=5), check_inputs=True)


# --------------------------------------------------------------------------- gru_cell

@check(points=4, visibility="after_due_date", target="gru_cell",
       ko="GRU 셀: d_in과 d_h가 다름")
def test_gru_cell_rectangular(student, ref, rng, mistakes):
    """GRU cell with d_in != d_h"""
    _expect_gru_cell(student, ref, mistakes, _gru_args(rng, B=3, d_in=6, d_h=5))


@check(points=2, visibility="after_due_date", target="gru_cell",
       ko="GRU 셀: 배치 1개와 크기 1")
def test_gru_cell_batch_of_one(student, ref, rng, mistakes):
    """GRU cell with a batch of one and sizes of one"""
    _expect_gru_cell(student, ref, mistakes, _gru_args(rng, B=1, d_in=1, d_h=3), what="h_t (d_in = 1)")
    _expect_gru_cell(student, ref, mistakes, _gru_args(rng, B=1, d_in=4, d_h=1), what="h_t (d_h = 1)")


@check(points=2, visibility="after_due_date", target="gru_cell",
       ko="GRU 셀: z = 0이면 h_prev를 유지하고 z = 1이면 후보를 취함")
def test_gru_cell_update_gate_extremes(student, ref, rng, mistakes):
    """GRU cell keeps h_prev when z = 0 and takes the candidate when z = 1"""
    x, h, W_z, b_z, W_r, b_r, W_h, U_h, b_h = _gru_args(rng, B=2, d_in=3, d_h=4)
    W_z = torch.zeros_like(W_z)
    for sign, label in ((-1, T("z = 0, h_t must equal h_prev", "z = 0이면 h_t는 h_prev와 같아야 함")),
                        (1, T("z = 1, h_t must equal h~", "z = 1이면 h_t는 h~와 같아야 함"))):
        b_z = torch.full_like(b_z, 30.0 * sign)       # sigmoid(+-30) is 1 and 1e-13 in float32
        _expect_gru_cell(student, ref, mistakes, (x, h, W_z, b_z, W_r, b_r, W_h, U_h, b_h),
                         what=T("h_t with {label}", "h_t ({label})").format(label=label))


@check(points=1, visibility="after_due_date", target="gru_cell",
       ko="GRU 셀: 입력을 바꾸지 않음")
def test_gru_cell_inputs_unchanged(student, ref, rng, mistakes):
    """GRU cell leaves its inputs unchanged"""
    _expect_gru_cell(student, ref, mistakes, _gru_args(rng, B=2, d_in=3, d_h=5), check_inputs=True)


# --------------------------------------------------------------------------- run_lstm

@check(points=4, visibility="after_due_date", target="run_lstm",
       ko="run_lstm: 긴 시퀀스")
def test_run_lstm_long_sequence(student, ref, rng, mistakes):
    """run_lstm over a long sequence"""
    _expect_run_lstm(student, ref, mistakes, _run_args(rng, B=3, T=60, d_in=5, d_h=4))


@check(points=2, visibility="after_due_date", target="run_lstm",
       ko="run_lstm: 길이 T = 1인 시퀀스")
def test_run_lstm_one_step(student, ref, rng, mistakes):
    """run_lstm with T = 1"""
    _expect_run_lstm(student, ref, mistakes, _run_args(rng, B=2, T=1, d_in=3, d_h=5))


@check(points=2, visibility="after_due_date", target="run_lstm",
       ko="run_lstm: 배치 1개, d_in != d_h")
def test_run_lstm_batch_of_one(student, ref, rng, mistakes):
    """run_lstm with a batch of one and d_in != d_h"""
    _expect_run_lstm(student, ref, mistakes, _run_args(rng, B=1, T=9, d_in=7, d_h=2))


@check(points=2, visibility="after_due_date", target="run_lstm",
       ko="run_lstm: 마지막 h_T는 hs[:, -1]과 같고 c_T는 마지막 셀 상태")
def test_run_lstm_final_state(student, ref, rng, mistakes):
    """run_lstm's final h_T equals hs[:, -1] and c_T is the last cell state"""
    args = _run_args(rng, B=2, T=6, d_in=4, d_h=3)
    hs, h_T, c_T = _run(student, mistakes, args)
    exp_hs, (_, exp_c) = ref.run_lstm(*args)
    variants = functools.cache(lambda: mistakes.run_lstm_variants(*args))
    _expect(hs, exp_hs, "hs", variants, part=(0,))
    _expect(h_T, hs[:, -1], T("h_T compared with your hs[:, -1]", "h_T를 제출한 hs[:, -1]과 비교"), variants,
            part=(1, 0))
    _expect(c_T, exp_c, "c_T", variants, part=(1, 1))


@check(points=1, visibility="after_due_date", target="run_lstm",
       ko="run_lstm: B = T일 때도 x를 (B, T, d_in)으로 읽음")
def test_run_lstm_batch_first(student, ref, rng, mistakes):
    """run_lstm reads x as (B, T, d_in) when B = T"""
    _expect_run_lstm(student, ref, mistakes, _run_args(rng, B=4, T=4, d_in=3, d_h=5))


@check(points=1, visibility="after_due_date", target="run_lstm",
       ko="run_lstm: 입력을 바꾸지 않음")
def test_run_lstm_inputs_unchanged(student, ref, rng, mistakes):
    """run_lstm leaves its inputs unchanged"""
    _expect_run_lstm(student, ref, mistakes, _run_args(rng, B=2, T=5, d_in=3, d_h=4), check_inputs=True)


# --------------------------------------------------------------------------- gradients

@check(points=2, visibility="after_due_date", target="lstm_cell",
       ko="LSTM 셀: 모든 입력에 그래디언트 전달")
def test_lstm_cell_gradients(student, ref, rng, mistakes):
    """LSTM cell passes gradients to every input"""
    args = _lstm_args(rng, B=2, d_in=3, d_h=4)
    _expect_lstm_cell(student, ref, mistakes, args)
    _expect_grads(student, mistakes, ref.lstm_cell, "lstm_cell", args, LSTM_ARGS,
                  (_randn(rng, 2, 4), _randn(rng, 2, 4)))


@check(points=2, visibility="after_due_date", target="gru_cell",
       ko="GRU 셀: 모든 입력에 그래디언트 전달")
def test_gru_cell_gradients(student, ref, rng, mistakes):
    """GRU cell passes gradients to every input"""
    args = _gru_args(rng, B=2, d_in=3, d_h=4)
    _expect_gru_cell(student, ref, mistakes, args)
    _expect_grads(student, mistakes, ref.gru_cell, "gru_cell", args, GRU_ARGS, (_randn(rng, 2, 4),))


@check(points=2, visibility="after_due_date", target="run_lstm",
       ko="run_lstm: 시간을 거슬러 그래디언트 전달(BPTT)")
def test_run_lstm_gradients(student, ref, rng, mistakes):
    """run_lstm passes gradients back through time"""
    args = _run_args(rng, B=2, T=8, d_in=3, d_h=4)
    _expect_run_lstm(student, ref, mistakes, args)
    # Only hs gets an upstream gradient; it still reaches h0 and c0 through all eight steps.
    _expect_grads(student, mistakes, ref.run_lstm, "run_lstm", args, RUN_ARGS, (_randn(rng, 2, 8, 4),),
                  variants={mistakes.TRUNCATED_BPTT: mistakes.run_lstm_truncated})
