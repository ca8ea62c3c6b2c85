"""Mistake: returns the negated gradients (the descent step's minus sign moved into backward)."""
import torch

XOR_X = ((0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0))
XOR_Y = (0.0, 1.0, 1.0, 0.0)
LOG_FLOOR = -100.0       # F.binary_cross_entropy clamps each log at -100, so a saturated 0/1 stays finite


def perceptron(x, w, b):
    """Step-function perceptron: x (B, d), w (d,), b a scalar -> (B,) of 0.0 / 1.0."""
    return (x @ w + b > 0).to(x.dtype)


def bce_loss(pred, target):
    """Mean binary cross-entropy (natural log) of probabilities `pred` against `target` in [0, 1]."""
    log_p = torch.log(pred).clamp(min=LOG_FLOOR)
    log_not_p = torch.log(1 - pred).clamp(min=LOG_FLOOR)
    return -(target * log_p + (1 - target) * log_not_p).mean()


def mse_loss(pred, target):
    """Mean over every element of (pred - target)^2."""
    return ((pred - target) ** 2).mean()


def mlp_forward(x, W1, b1, W2, b2):
    """Two sigmoid layers: h = sigmoid(x W1 + b1), y = sigmoid(h W2 + b2).

    x (B, d), W1 (d, H), b1 (H,), W2 (H, K), b2 (K,). Returns (y, cache), y (B, K);
    the cache holds what mlp_backward needs.
    """
    h = torch.sigmoid(x @ W1 + b1)
    y = torch.sigmoid(h @ W2 + b2)
    return y, (x, h, y, W2)


def mlp_backward(dy, cache):
    """Gradients of sum(y * dy) w.r.t. W1, b1, W2, b2, by the chain rule (dy is dL/dy, (B, K))."""
    x, h, y, W2 = cache
    dz2 = dy * y * (y - 1)
    dh = dz2 @ W2.T
    dz1 = dh * h * (1 - h)
    return {"W1": x.T @ dz1, "b1": dz1.sum(0), "W2": h.T @ dz2, "b2": dz2.sum(0)}


def train_xor(steps=5000, lr=0.5, seed=0):
    """Train a 2-4-1 sigmoid MLP on XOR by full-batch gradient descent on the mean BCE.

    Returns dict(W1 (2, 4), b1 (4,), W2 (4, 1), b2 (1,)).
    """
    gen = torch.Generator().manual_seed(seed)
    x = torch.tensor(XOR_X)
    t = torch.tensor(XOR_Y).unsqueeze(1)
    # Random weights break the symmetry between hidden units; zero biases are fine.
    params = {"W1": torch.randn(2, 4, generator=gen), "b1": torch.zeros(4),
              "W2": torch.randn(4, 1, generator=gen), "b2": torch.zeros(1)}
    for _ in range(steps):
        y, cache = mlp_forward(x, params["W1"], params["b1"], params["W2"], params["b2"])
        # dBCE/dy; mlp_backward's y (1 - y) then cancels the denominator, leaving (y - t) / N
        dy = (y - t) / (y * (1 - y)).clamp(min=1e-12) / len(x)
        grads = mlp_backward(dy, cache)
        params = {k: p + lr * grads[k] for k, p in params.items()}
    return params
