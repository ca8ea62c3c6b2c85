"""Correct, another style: torch.nn.functional for the losses and layers, a list as the cache,
einsum in the backward pass, and train_xor with autograd and torch.optim (allowed there)."""
import torch
import torch.nn.functional as F


def perceptron(x, w, b):
    return torch.heaviside(x @ w + b, torch.zeros(()))


def bce_loss(pred, target):
    return F.binary_cross_entropy(pred, target)


def mse_loss(pred, target):
    return F.mse_loss(pred, target)


def mlp_forward(x, W1, b1, W2, b2):
    h = torch.sigmoid(F.linear(x, W1.T, b1))
    y = torch.sigmoid(F.linear(h, W2.T, b2))
    return y, [x, h, y, W2]


def mlp_backward(dy, cache):
    x, h, y, W2 = cache
    dz2 = dy * y * (1 - y)
    dz1 = torch.einsum("bk,hk->bh", dz2, W2) * h * (1 - h)
    return {"W1": torch.einsum("bd,bh->dh", x, dz1), "b1": dz1.sum(0),
            "W2": torch.einsum("bh,bk->hk", h, dz2), "b2": dz2.sum(0)}


def train_xor(steps=5000, lr=0.5, seed=0):
    torch.manual_seed(seed)
    params = [torch.randn(2, 4).requires_grad_(), torch.zeros(4, requires_grad=True),
              torch.randn(4, 1).requires_grad_(), torch.zeros(1, requires_grad=True)]
    opt = torch.optim.SGD(params, lr=lr)
    x = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    t = torch.tensor([[0.0], [1.0], [1.0], [0.0]])
    for _ in range(steps):
        opt.zero_grad()
        y, _ = mlp_forward(x, *params)
        bce_loss(y, t).backward()
        opt.step()
    return dict(zip(("W1", "b1", "W2", "b2"), (p.detach() for p in params)))
