"""The mlp-basics reference against PyTorch's built-ins.

bce_loss and mse_loss against F.binary_cross_entropy and F.mse_loss (saturated predictions
included: torch clamps each log at -100); mlp_forward against nn.Sequential with copied
weights (nn.Linear stores W transposed); mlp_backward against autograd on mlp_forward;
train_xor by what the checks ask of it.
"""
import ast
import inspect
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

import reference.mlp_basics as module
from graders.assignment import load_assignment
from graders.stages.banned import find_banned
from reference.mlp_basics import bce_loss, mlp_backward, mlp_forward, mse_loss, perceptron, train_xor

ASSIGNMENT = Path(__file__).resolve().parents[2] / "assignments" / "mlp-basics"
SHAPES = [(1, 1, 1, 1), (4, 2, 4, 1), (5, 3, 7, 2), (6, 4, 4, 4), (3, 8, 2, 5)]   # (B, d, H, K)
TOL = dict(atol=1e-10, rtol=1e-10)


def _randn(gen, *shape, dtype=torch.float64):
    return torch.randn(*shape, generator=gen, dtype=dtype)


def _mlp(gen, B, d, H, K, dtype=torch.float64):
    return (_randn(gen, B, d, dtype=dtype), _randn(gen, d, H, dtype=dtype), _randn(gen, H, dtype=dtype),
            _randn(gen, H, K, dtype=dtype), _randn(gen, K, dtype=dtype))


# --------------------------------------------------------------------------- perceptron

def test_perceptron_is_a_strict_step():
    x = torch.tensor([[1.0, 1.0], [2.0, 0.0], [0.0, 0.0], [-1.0, 3.0]])
    w = torch.tensor([1.0, -1.0])
    torch.testing.assert_close(perceptron(x, w, 0.0), torch.tensor([0.0, 1.0, 0.0, 0.0]))
    torch.testing.assert_close(perceptron(x, w, torch.tensor(4.0)), torch.tensor([1.0, 1.0, 1.0, 0.0]))


@pytest.mark.parametrize("B,d", [(1, 1), (7, 3), (64, 10)])
def test_perceptron_matches_heaviside(B, d):
    gen = torch.Generator().manual_seed(B * 10 + d)
    x, w, b = torch.randn(B, d, generator=gen), torch.randn(d, generator=gen), 0.3
    out = perceptron(x, w, b)
    assert out.dtype == torch.float32 and out.shape == (B,)
    torch.testing.assert_close(out, torch.heaviside(x @ w + b, torch.tensor(0.0)))


# --------------------------------------------------------------------------- losses

@pytest.mark.parametrize("shape", [(1,), (8,), (6, 3), (2, 5, 4)])
@pytest.mark.parametrize("soft", [False, True])
def test_bce_matches_torch(shape, soft):
    gen = torch.Generator().manual_seed(len(shape) * 10 + soft)
    pred = torch.sigmoid(torch.randn(*shape, generator=gen) * 3)
    target = torch.rand(*shape, generator=gen) if soft else (torch.rand(*shape, generator=gen) < 0.5).float()
    loss = bce_loss(pred, target)
    assert loss.shape == ()
    torch.testing.assert_close(loss, F.binary_cross_entropy(pred, target), atol=1e-6, rtol=1e-6)


def test_bce_matches_torch_on_predictions_of_exactly_0_and_1():
    pred = torch.tensor([0.0, 1.0, 0.0, 1.0, 0.3, 1e-7, 1 - 1e-7])
    target = torch.tensor([0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0])
    loss = bce_loss(pred, target)
    expected = F.binary_cross_entropy(pred, target)
    assert torch.isfinite(expected) and expected > 200 / len(pred)    # two wrong saturated terms cost 100 each
    torch.testing.assert_close(loss, expected, atol=1e-5, rtol=1e-6)
    perfect = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    torch.testing.assert_close(bce_loss(perfect, perfect), F.binary_cross_entropy(perfect, perfect))


@pytest.mark.parametrize("shape", [(1,), (4, 3), (3, 5, 2)])
def test_mse_matches_torch(shape):
    gen = torch.Generator().manual_seed(sum(shape))
    pred, target = torch.randn(*shape, generator=gen), torch.randn(*shape, generator=gen)
    torch.testing.assert_close(mse_loss(pred, target), F.mse_loss(pred, target))


# --------------------------------------------------------------------------- MLP

@pytest.mark.parametrize("B,d,H,K", SHAPES)
def test_forward_matches_nn_sequential(B, d, H, K):
    gen = torch.Generator().manual_seed(B * 1000 + d * 100 + H * 10 + K)
    x, W1, b1, W2, b2 = _mlp(gen, B, d, H, K)
    net = torch.nn.Sequential(torch.nn.Linear(d, H), torch.nn.Sigmoid(), torch.nn.Linear(H, K), torch.nn.Sigmoid())
    net = net.double()
    with torch.no_grad():
        net[0].weight.copy_(W1.T)
        net[0].bias.copy_(b1)
        net[2].weight.copy_(W2.T)
        net[2].bias.copy_(b2)
    y, _ = mlp_forward(x, W1, b1, W2, b2)
    torch.testing.assert_close(y, net(x), **TOL)


@pytest.mark.parametrize("B,d,H,K", SHAPES)
def test_backward_matches_autograd(B, d, H, K):
    gen = torch.Generator().manual_seed(7 + B * 1000 + d * 100 + H * 10 + K)
    params = [t.requires_grad_(True) for t in _mlp(gen, B, d, H, K)]
    dy = _randn(gen, B, K)
    y, _ = mlp_forward(*params)
    auto = torch.autograd.grad((y * dy).sum(), params[1:])
    with torch.no_grad():
        _, cache = mlp_forward(*params)
        grads = mlp_backward(dy, cache)
    for name, expected in zip(("W1", "b1", "W2", "b2"), auto):
        assert grads[name].shape == expected.shape
        torch.testing.assert_close(grads[name], expected, **TOL)


def test_float32_in_float32_out():
    gen = torch.Generator().manual_seed(3)
    args = _mlp(gen, 4, 3, 5, 2, dtype=torch.float32)
    y, cache = mlp_forward(*args)
    grads = mlp_backward(torch.ones(4, 2), cache)
    assert y.dtype == torch.float32 and all(g.dtype == torch.float32 for g in grads.values())


def test_functions_leave_their_inputs_alone():
    gen = torch.Generator().manual_seed(4)
    args = _mlp(gen, 4, 3, 5, 2)
    dy = _randn(gen, 4, 2)
    before = [a.clone() for a in args + (dy,)]
    _, cache = mlp_forward(*args)
    mlp_backward(dy, cache)
    pred, target = torch.tensor([0.0, 1.0, 0.5]), torch.tensor([1.0, 1.0, 0.0])
    bce_loss(pred, target)
    assert torch.equal(pred, torch.tensor([0.0, 1.0, 0.5]))
    assert all(torch.equal(a, b) for a, b in zip(args + (dy,), before))


# --------------------------------------------------------------------------- train_xor

@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_train_xor_classifies_xor(seed):
    params = train_xor(seed=seed)
    assert {k: tuple(v.shape) for k, v in params.items()} == {"W1": (2, 4), "b1": (4,), "W2": (4, 1), "b2": (1,)}
    x = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y, _ = mlp_forward(x, params["W1"], params["b1"], params["W2"], params["b2"])
    assert torch.equal((y.squeeze(1) > 0.5).float(), torch.tensor([0.0, 1.0, 1.0, 0.0]))
    assert (y.squeeze(1) - torch.tensor([0.0, 1.0, 1.0, 0.0])).abs().max() < 0.1   # a real margin, not luck


def test_train_xor_is_seeded():
    a, b, c = train_xor(steps=10, seed=5), train_xor(steps=10, seed=5), train_xor(steps=10, seed=6)
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not torch.equal(a["W1"], c["W1"])


# --------------------------------------------------------------------------- as a submission

def test_reference_imports_only_torch():
    tree = ast.parse(inspect.getsource(module))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
                for alias in node.names}
    assert imported == {"torch"}


def test_reference_uses_no_banned_api():
    """The engine grades the reference as a submission, banned-API check included."""
    banned = load_assignment(ASSIGNMENT).banned
    assert banned["mlp_backward"]
    assert find_banned(inspect.getsource(module), banned, set(banned)) == {}
