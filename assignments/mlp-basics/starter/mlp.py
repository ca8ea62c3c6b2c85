"""Perceptron, losses and a two-layer MLP by hand (assignment `mlp-basics`). Submit as `mlp.py`.

Fill in the six functions. Use torch operations; vectors are rows, so a layer is
`x @ W + b` with W of shape (inputs, outputs). Tensors are float32. Do not change your
inputs in place. mlp_backward must apply the chain rule by hand: torch.autograd,
.backward() and torch.func are not allowed there (elsewhere they are).
"""
import torch


def perceptron(x, w, b):
    """Step-function perceptron.

    Args:
        x: (B, d) inputs.
        w: (d,) weights.
        b: the bias, a Python float or a 0-d tensor.

    Returns:
        (B,) float tensor: 1.0 where x @ w + b > 0 (strictly), 0.0 elsewhere.
    """
    raise NotImplementedError


def bce_loss(pred, target):
    """Mean binary cross-entropy with the natural log, as F.binary_cross_entropy computes it.

    Args:
        pred:   probabilities in [0, 1], any shape.
        target: targets in [0, 1] (hard 0/1 or soft), the same shape.

    Returns:
        0-d tensor: mean over all elements of -(t log p + (1 - t) log(1 - p)), where each log
        is clamped at -100 so that a prediction of exactly 0 or 1 stays finite.
    """
    raise NotImplementedError


def mse_loss(pred, target):
    """Mean squared error.

    Args:
        pred, target: tensors of one shape.

    Returns:
        0-d tensor: the mean over all elements of (pred - target)^2.
    """
    raise NotImplementedError


def mlp_forward(x, W1, b1, W2, b2):
    """Forward pass of a two-layer sigmoid MLP.

    Args:
        x:  (B, d) inputs.
        W1: (d, H), b1: (H,) hidden layer.
        W2: (H, K), b2: (K,) output layer.

    Returns:
        (y, cache): y = sigmoid(h @ W2 + b2) of shape (B, K) with h = sigmoid(x @ W1 + b1);
        cache is anything mlp_backward needs (a tuple or dict of tensors, for example).
    """
    raise NotImplementedError


def mlp_backward(dy, cache):
    """Backward pass of mlp_forward, by hand (no autograd).

    Args:
        dy:    (B, K) the gradient of the loss with respect to y.
        cache: what your mlp_forward returned next to y.

    Returns:
        dict with keys "W1", "b1", "W2", "b2": the gradients of sum(y * dy) with respect to
        each parameter, each of that parameter's shape.
    """
    raise NotImplementedError


def train_xor(steps=5000, lr=0.5, seed=0):
    """Train a 2-4-1 sigmoid MLP (mlp_forward's network) on XOR by gradient descent.

    Inputs (0, 0), (0, 1), (1, 0), (1, 1) with targets 0, 1, 1, 0; the class of a point is
    y > 0.5. Draw the initial weights from torch.Generator().manual_seed(seed), then take
    `steps` full-batch gradient steps of size `lr`.

    Returns:
        dict with keys "W1" (2, 4), "b1" (4,), "W2" (4, 1), "b2" (1,): weights with which
        mlp_forward classifies all four points correctly.
    """
    raise NotImplementedError
