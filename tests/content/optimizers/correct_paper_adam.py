"""Correct, in the Adam paper's "more efficient" order (lr_t = lr sqrt(1 - b2^t) / (1 - b1^t)),
state kept in dicts keyed by position, updates through p.data, label smoothing through
F.nll_loss (allowed) plus the uniform part, and the Noam rate through min()."""
import math

import torch
import torch.nn.functional as F


class _Base:
    def __init__(self, params):
        self.params = list(params)
        self.state = {}

    def zero_grad(self):
        for p in self.params:
            p.grad = None


class SGDMomentum(_Base):
    def __init__(self, params, lr, momentum=0.9):
        super().__init__(params)
        self.lr, self.momentum = lr, momentum

    def step(self):
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            buf = self.state.get(i)
            buf = p.grad.detach().clone() if buf is None else self.momentum * buf + p.grad
            self.state[i] = buf
            p.data = p.data - self.lr * buf


class Adagrad(_Base):
    def __init__(self, params, lr=0.01, eps=1e-10):
        super().__init__(params)
        self.lr, self.eps = lr, eps

    def step(self):
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            self.state[i] = self.state.get(i, 0) + p.grad.detach() ** 2
            p.data.addcdiv_(p.grad, self.state[i].sqrt() + self.eps, value=-self.lr)


class Adam(_Base):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params)
        self.lr, self.betas, self.eps, self.weight_decay = lr, betas, eps, weight_decay

    def step(self):
        b1, b2 = self.betas
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            g = p.grad.detach() + self.weight_decay * p.data
            t, m, v = self.state.get(i, (0, 0.0, 0.0))
            t, m, v = t + 1, b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
            self.state[i] = (t, m, v)
            lr_t = self.lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
            p.data -= lr_t * m / (torch.sqrt(v) + self.eps)


def noam_lr(step, d_model, warmup_steps):
    if step < 1:
        raise ValueError(f"step must be at least 1, got {step}")
    return d_model ** -0.5 * min(step ** -0.5, step * warmup_steps ** -1.5)


def label_smoothing_cross_entropy(logits, target, smoothing=0.1, ignore_index=-100):
    log_p = F.log_softmax(logits, dim=-1)
    nll = F.nll_loss(log_p, target, ignore_index=ignore_index)
    keep = target != ignore_index
    uniform = -log_p[keep].mean(dim=-1).sum() / keep.sum()
    return (1 - smoothing) * nll + smoothing * uniform
