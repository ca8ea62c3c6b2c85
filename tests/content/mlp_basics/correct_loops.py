"""Correct, another style: explicit loops over the batch, a hand-written sigmoid, a dict cache,
and train_xor on the mean squared error with uniform initial weights."""
import math

import torch


def perceptron(x, w, b):
    out = torch.zeros(x.shape[0])
    for n in range(x.shape[0]):
        s = float(b)
        for j in range(x.shape[1]):
            s += float(x[n, j]) * float(w[j])
        out[n] = 1.0 if s > 0 else 0.0
    return out


def bce_loss(pred, target):
    total = torch.zeros(())
    floor = torch.tensor(-100.0)
    for p, t in zip(pred.flatten(), target.flatten()):
        total = total - (t * torch.maximum(torch.log(p), floor) + (1 - t) * torch.maximum(torch.log(1 - p), floor))
    return total / pred.numel()


def mse_loss(pred, target):
    diff = (pred - target).flatten()
    return torch.dot(diff, diff) / diff.numel()


def _sigmoid(a):
    return 1 / (1 + torch.exp(-a))


def mlp_forward(x, W1, b1, W2, b2):
    h = _sigmoid(x @ W1 + b1)
    y = _sigmoid(h @ W2 + b2)
    return y, {"x": x, "h": h, "y": y, "W2": W2}


def mlp_backward(dy, cache):
    x, h, y, W2 = cache["x"], cache["h"], cache["y"], cache["W2"]
    grads = {"W1": torch.zeros(x.shape[1], h.shape[1]), "b1": torch.zeros(h.shape[1]),
             "W2": torch.zeros(h.shape[1], y.shape[1]), "b2": torch.zeros(y.shape[1])}
    for n in range(x.shape[0]):
        dz2 = dy[n] * y[n] * (1 - y[n])
        dz1 = (W2 @ dz2) * h[n] * (1 - h[n])
        grads["W2"] += torch.outer(h[n], dz2)
        grads["b2"] += dz2
        grads["W1"] += torch.outer(x[n], dz1)
        grads["b1"] += dz1
    return grads


def train_xor(steps=5000, lr=0.5, seed=0):
    g = torch.Generator().manual_seed(seed)
    bound = 1 / math.sqrt(2)
    W1 = (torch.rand(2, 4, generator=g) * 2 - 1) * 2 * bound
    b1 = torch.zeros(4)
    W2 = (torch.rand(4, 1, generator=g) * 2 - 1) * 2
    b2 = torch.zeros(1)
    x = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    t = torch.tensor([[0.0], [1.0], [1.0], [0.0]])
    for _ in range(steps):
        y, cache = mlp_forward(x, W1, b1, W2, b2)
        grads = mlp_backward(2 * (y - t) / len(x), cache)      # d/dy of the mean squared error
        W1, b1 = W1 - lr * grads["W1"], b1 - lr * grads["b1"]
        W2, b2 = W2 - lr * grads["W2"], b2 - lr * grads["b2"]
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
