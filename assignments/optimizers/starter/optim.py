"""Optimizers, a learning-rate schedule and label smoothing (assignment `optimizers`).
Submit this file as `optim.py`.

Write the update rules with tensor operations. torch.optim is not allowed inside the three
optimizer classes (not even as a base class), and F.cross_entropy / nn.CrossEntropyLoss are
not allowed in label_smoothing_cross_entropy. Do not change the functions' inputs in place.
"""
import math

import torch


class SGDMomentum:
    """Stochastic gradient descent with (heavy-ball) momentum, as torch.optim.SGD(momentum=m).

    For each parameter p with gradient g = p.grad:
        v <- m * v + g        (v starts at zero, so the first step has v = g)
        p <- p - lr * v

    Args:
        params:   an iterable of tensors (leaf tensors with requires_grad=True, like a
                  model's parameters). Keep references to them: step() updates these very
                  tensors in place.
        lr:       the learning rate.
        momentum: the momentum coefficient m.
    """

    def __init__(self, params, lr, momentum=0.9):
        raise NotImplementedError

    def step(self):
        """Update every parameter whose .grad is not None; skip the others."""
        raise NotImplementedError

    def zero_grad(self):
        """Set every parameter's .grad to None (as torch.optim does)."""
        raise NotImplementedError


class Adagrad:
    """Adagrad, as torch.optim.Adagrad(lr, eps).

    For each parameter p with gradient g = p.grad:
        G <- G + g * g        (G starts at zero)
        p <- p - lr * g / (sqrt(G) + eps)
    """

    def __init__(self, params, lr=0.01, eps=1e-10):
        raise NotImplementedError

    def step(self):
        """Update every parameter whose .grad is not None; skip the others."""
        raise NotImplementedError

    def zero_grad(self):
        """Set every parameter's .grad to None (as torch.optim does)."""
        raise NotImplementedError


class Adam:
    """Adam with bias correction, as torch.optim.Adam (weight_decay is L2, not AdamW's).

    For each parameter p with gradient g = p.grad, at its t-th update (t = 1, 2, ...):
        g     <- g + weight_decay * p
        m     <- beta1 * m + (1 - beta1) * g
        v     <- beta2 * v + (1 - beta2) * g * g
        m_hat =  m / (1 - beta1 ** t)
        v_hat =  v / (1 - beta2 ** t)
        p     <- p - lr * m_hat / (sqrt(v_hat) + eps)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        raise NotImplementedError

    def step(self):
        """Update every parameter whose .grad is not None; skip the others."""
        raise NotImplementedError

    def zero_grad(self):
        """Set every parameter's .grad to None (as torch.optim does)."""
        raise NotImplementedError


def noam_lr(step, d_model, warmup_steps):
    """The Transformer's learning rate ("Attention Is All You Need", section 5.3).

    lr = d_model ** -0.5 * min(step ** -0.5, step * warmup_steps ** -1.5)

    Args:
        step:         the training step, counted from 1.
        d_model:      the model width.
        warmup_steps: the number of warm-up steps.

    Returns:
        the learning rate, a Python float.

    Raises:
        ValueError: if step < 1.
    """
    raise NotImplementedError


def label_smoothing_cross_entropy(logits, target, smoothing=0.1, ignore_index=-100):
    """Cross-entropy against label-smoothed targets, as
    F.cross_entropy(logits, target, label_smoothing=smoothing, ignore_index=ignore_index).

    Each row's target distribution is (1 - smoothing) * one_hot(target) + smoothing / C.

    Args:
        logits:       (N, C) float tensor of unnormalised scores.
        target:       (N,) long tensor of class ids in [0, C), or ignore_index.
        smoothing:    the smoothing amount, in [0, 1].
        ignore_index: rows whose target equals it do not count.

    Returns:
        a 0-d tensor: the mean loss over the rows that are not ignored (NaN if all are).
    """
    raise NotImplementedError
