"""Correct, another style: float64 inside (results stay float64), torch.where for the step,
the logs clamped with clamp_min, a plain object as the cache (it stays in the sandbox and
comes back as a handle), and a hand-written training loop with the BCE shortcut dz2 = y - t."""
import torch


class _Cache:
    def __init__(self, **tensors):
        self.__dict__.update(tensors)


def perceptron(x, w, b):
    z = x.double() @ w.double() + torch.as_tensor(b, dtype=torch.float64)
    return torch.where(z > 0, 1.0, 0.0).to(torch.float64)


def bce_loss(pred, target):
    p, t = pred.double(), target.double()
    return -(t * p.log().clamp_min(-100) + (1 - t) * (1 - p).log().clamp_min(-100)).mean()


def mse_loss(pred, target):
    return (pred.double() - target.double()).pow(2).mean()


def mlp_forward(x, W1, b1, W2, b2):
    x, W1, b1, W2, b2 = (t.double() for t in (x, W1, b1, W2, b2))
    h = torch.sigmoid(torch.addmm(b1, x, W1))
    y = torch.sigmoid(torch.addmm(b2, h, W2))
    return y, _Cache(x=x, h=h, y=y, W2=W2)


def mlp_backward(dy, cache):
    dz2 = dy.double() * cache.y * (1 - cache.y)
    dz1 = torch.mm(dz2, cache.W2.t()) * cache.h * (1 - cache.h)
    return {"W2": torch.mm(cache.h.t(), dz2), "b2": dz2.sum(dim=0),
            "W1": torch.mm(cache.x.t(), dz1), "b1": dz1.sum(dim=0)}


def train_xor(steps=5000, lr=0.5, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=torch.float64)
    t = torch.tensor([[0.0], [1.0], [1.0], [0.0]], dtype=torch.float64)
    W1 = torch.randn(2, 4, generator=g, dtype=torch.float64)
    W2 = torch.randn(4, 1, generator=g, dtype=torch.float64)
    b1, b2 = torch.zeros(4, dtype=torch.float64), torch.zeros(1, dtype=torch.float64)
    for _ in range(steps):
        h = torch.sigmoid(x @ W1 + b1)
        y = torch.sigmoid(h @ W2 + b2)
        dz2 = (y - t) / len(x)                  # BCE and sigmoid together: dL/da = y - t
        dz1 = dz2 @ W2.T * h * (1 - h)
        W2, b2 = W2 - lr * h.T @ dz2, b2 - lr * dz2.sum(0)
        W1, b1 = W1 - lr * x.T @ dz1, b1 - lr * dz1.sum(0)
    return {"W1": W1.float(), "b1": b1.float(), "W2": W2.float(), "b2": b2.float()}
