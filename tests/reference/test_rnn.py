"""The rnn reference against PyTorch's built-ins.

nn.RNN / nn.RNNCell store weight_ih (d_h, d_in) and weight_hh (d_h, d_h) transposed and
carry two biases; ours are W_xh (d_in, d_h), W_hh (d_h, d_h) applied as `x @ W` with one
bias, so the tests copy W.T in and zero bias_hh. rnn_backward is checked against autograd
on rnn_forward, clip_grad_norm against torch.nn.utils.clip_grad_norm_ on parameters
whose .grad holds the same tensors.
"""
import ast
import inspect
import math
from pathlib import Path

import pytest
import torch

import reference.rnn as module
from graders.assignment import load_assignment
from graders.stages.banned import find_banned
from reference.rnn import clip_grad_norm, rnn_backward, rnn_cell, rnn_forward

ASSIGNMENT = Path(__file__).resolve().parents[2] / "assignments" / "rnn"
SIZES = [(1, 1, 1, 1), (2, 3, 4, 2), (3, 5, 4, 6), (4, 4, 4, 4), (1, 8, 3, 1)]     # (B, d_in, d_h, d_out)
TOL = dict(atol=1e-10, rtol=1e-10)
KEYS = ("x", "h0", "W_xh", "W_hh", "b_h", "W_hy", "b_y")


def _randn(gen, *shape, scale=1.0):
    return torch.randn(*shape, generator=gen, dtype=torch.float64) * scale


def _params(gen, d_in, d_h, d_out):
    return (_randn(gen, d_in, d_h, scale=d_in ** -0.5), _randn(gen, d_h, d_h, scale=d_h ** -0.5), _randn(gen, d_h),
            _randn(gen, d_h, d_out, scale=d_h ** -0.5), _randn(gen, d_out))


def _load(rnn, W_xh, W_hh, b_h, suffix=""):
    with torch.no_grad():
        getattr(rnn, "weight_ih" + suffix).copy_(W_xh.T)
        getattr(rnn, "weight_hh" + suffix).copy_(W_hh.T)
        getattr(rnn, "bias_ih" + suffix).copy_(b_h)
        getattr(rnn, "bias_hh" + suffix).zero_()


# --------------------------------------------------------------------------- forward

@pytest.mark.parametrize("B,d_in,d_h,d_out", SIZES)
def test_cell_matches_nn_rnncell(B, d_in, d_h, d_out):
    gen = torch.Generator().manual_seed(B * 1000 + d_in * 100 + d_h * 10 + d_out)
    W_xh, W_hh, b_h, _, _ = _params(gen, d_in, d_h, d_out)
    x, h = _randn(gen, B, d_in), _randn(gen, B, d_h)
    cell = torch.nn.RNNCell(d_in, d_h, nonlinearity="tanh").double()
    _load(cell, W_xh, W_hh, b_h)
    torch.testing.assert_close(rnn_cell(x, h, W_xh, W_hh, b_h), cell(x, h), **TOL)


@pytest.mark.parametrize("B,d_in,d_h,d_out", SIZES)
@pytest.mark.parametrize("T", [1, 2, 13, 50])
def test_forward_matches_nn_rnn_and_a_linear_layer(B, d_in, d_h, d_out, T):
    gen = torch.Generator().manual_seed(T * 10000 + B * 1000 + d_in * 100 + d_h * 10 + d_out)
    W_xh, W_hh, b_h, W_hy, b_y = _params(gen, d_in, d_h, d_out)
    x, h0 = _randn(gen, B, T, d_in), _randn(gen, B, d_h)
    rnn = torch.nn.RNN(d_in, d_h, batch_first=True).double()
    _load(rnn, W_xh, W_hh, b_h, suffix="_l0")
    head = torch.nn.Linear(d_h, d_out).double()
    with torch.no_grad():
        head.weight.copy_(W_hy.T)
        head.bias.copy_(b_y)

    y, hs = rnn_forward(x, h0, W_xh, W_hh, b_h, W_hy, b_y)
    exp_hs, exp_hT = rnn(x, h0[None])

    assert hs.shape == (B, T, d_h) and y.shape == (B, T, d_out)
    torch.testing.assert_close(hs, exp_hs, **TOL)
    torch.testing.assert_close(hs[:, -1], exp_hT[0], **TOL)
    torch.testing.assert_close(y, head(exp_hs), **TOL)


# --------------------------------------------------------------------------- backward

@pytest.mark.parametrize("B,d_in,d_h,d_out", SIZES)
@pytest.mark.parametrize("T", [1, 2, 9])
def test_backward_matches_autograd(B, d_in, d_h, d_out, T):
    gen = torch.Generator().manual_seed(7 + T * 10000 + B * 1000 + d_in * 100 + d_h * 10 + d_out)
    args = [_randn(gen, B, T, d_in), _randn(gen, B, d_h), *_params(gen, d_in, d_h, d_out)]
    dy = _randn(gen, B, T, d_out)
    leaves = [a.clone().requires_grad_(True) for a in args]
    y, _ = rnn_forward(*leaves)
    auto = torch.autograd.grad((y * dy).sum(), leaves)
    grads = rnn_backward(dy, *args)
    assert set(grads) == set(KEYS)
    for name, expected in zip(KEYS, auto):
        assert grads[name].shape == expected.shape, name
        torch.testing.assert_close(grads[name], expected, **TOL, msg=name)


def test_gradient_of_the_last_step_vanishes_backwards_through_time():
    """The public check's picture shows this; with a contracting W_hh it must decay."""
    gen = torch.Generator().manual_seed(11)
    B, T, d_in, d_h, d_out = 2, 20, 3, 5, 2
    W_xh, W_hh, b_h, W_hy, b_y = _params(gen, d_in, d_h, d_out)
    W_hh = W_hh * 0.5 / torch.linalg.matrix_norm(W_hh, ord=2)
    dy = torch.zeros(B, T, d_out, dtype=torch.float64)
    dy[:, -1] = 1.0
    dx = rnn_backward(dy, _randn(gen, B, T, d_in), _randn(gen, B, d_h), W_xh, W_hh, b_h, W_hy, b_y)["x"]
    norms = dx.norm(dim=(0, 2))
    assert (norms[1:] >= norms[:-1]).all() and norms[0] < 1e-5 * norms[-1]


def test_float32_in_float32_out_and_inputs_untouched():
    gen = torch.Generator().manual_seed(3)
    args = [_randn(gen, 2, 4, 3).float(), _randn(gen, 2, 5).float(), *(p.float() for p in _params(gen, 3, 5, 2))]
    dy = _randn(gen, 2, 4, 2).float()
    before = [a.clone() for a in args + [dy]]
    y, hs = rnn_forward(*args)
    grads = rnn_backward(dy, *args)
    assert y.dtype == hs.dtype == torch.float32 and all(g.dtype == torch.float32 for g in grads.values())
    assert all(torch.equal(a, b) for a, b in zip(args + [dy], before))


# --------------------------------------------------------------------------- clipping

def _torch_clip(grads, max_norm):
    params = [torch.zeros_like(g, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = g.clone()
    norm = torch.nn.utils.clip_grad_norm_(params, max_norm)
    return [p.grad for p in params], float(norm)


CLIP_CASES = [
    ([(3, 4), (5,), (2, 2)], 1.0, 1.0),          # clipped
    ([(3, 4), (5,), (2, 2)], 100.0, 1.0),        # below max_norm: unchanged
    ([(4, 4), (6,)], 1e-4, 5e-5),                # tiny: the 1e-6 matters
    ([(3,)], 1e-6, 2e-7),                        # below max_norm, yet torch scales by max/(norm + 1e-6) < 1
    ([(7, 2)], 2, 2.0),                          # one tensor, int max_norm
]


@pytest.mark.parametrize("shapes,max_norm,scale", CLIP_CASES)
def test_clip_matches_torch_clip_grad_norm_(shapes, max_norm, scale):
    gen = torch.Generator().manual_seed(len(shapes) * 100 + int(max_norm * 10))
    grads = [torch.randn(*s, generator=gen) * scale for s in shapes]
    before = [g.clone() for g in grads]
    clipped, norm = clip_grad_norm(grads, max_norm)
    exp_clipped, exp_norm = _torch_clip(grads, max_norm)
    assert isinstance(norm, float)
    assert math.isclose(norm, exp_norm, rel_tol=1e-6)
    for got, expected in zip(clipped, exp_clipped):
        assert got.dtype == expected.dtype and got.shape == expected.shape
        torch.testing.assert_close(got, expected, atol=0, rtol=1e-6)
    assert all(torch.equal(g, b) for g, b in zip(grads, before))


def test_clip_needs_the_eps_to_match_torch_on_tiny_norms():
    """Guards the hidden check: without the 1e-6 the coefficient is off by far more than rtol."""
    gen = torch.Generator().manual_seed(5)
    grads = [torch.randn(4, 4, generator=gen) * 5e-5, torch.randn(6, generator=gen) * 5e-5]
    exp_clipped, norm = _torch_clip(grads, 1e-4)
    without_eps = [g * min(1.0, 1e-4 / norm) for g in grads]
    assert not torch.allclose(without_eps[0], exp_clipped[0], atol=0, rtol=1e-4)


@pytest.mark.parametrize("max_norm", [0, 0.0, -1.0, float("nan")])
def test_clip_rejects_a_non_positive_max_norm(max_norm):
    with pytest.raises(ValueError):
        clip_grad_norm([torch.ones(2)], max_norm)


# --------------------------------------------------------------------------- as a submission

def test_reference_imports_only_torch():
    tree = ast.parse(inspect.getsource(module))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
                for alias in node.names}
    assert imported == {"torch"}


def test_reference_uses_no_banned_api():
    """The engine grades the reference as a submission, banned-API check included."""
    banned = load_assignment(ASSIGNMENT).banned
    assert set(banned) == {"rnn_backward", "clip_grad_norm"}
    assert find_banned(inspect.getsource(module), banned, set(banned)) == {}
