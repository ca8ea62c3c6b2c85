"""Correct, in the lecture's notation: v = m v - lr g and p += v (the same as torch's with a
constant lr), explicit m_hat and v_hat with one step counter for the whole optimizer, the
smoothed target distribution written out, and noam_lr's two branches as an if."""
import math

import torch
import torch.nn.functional as F


class SGDMomentum:
    def __init__(self, params, lr, momentum=0.9):
        self.params = list(params)
        self.lr = lr
        self.momentum = momentum
        self.v = [torch.zeros_like(p) for p in self.params]

    def step(self):
        with torch.no_grad():
            for p, v in zip(self.params, self.v):
                if p.grad is None:
                    continue
                v.mul_(self.momentum).sub_(self.lr * p.grad)
                p += v

    def zero_grad(self):
        for p in self.params:
            p.grad = None


class Adagrad:
    def __init__(self, params, lr=0.01, eps=1e-10):
        self.params = list(params)
        self.lr, self.eps = lr, eps
        self.G = [torch.zeros_like(p) for p in self.params]

    def step(self):
        with torch.no_grad():
            for p, G in zip(self.params, self.G):
                if p.grad is not None:
                    G += p.grad ** 2
                    p -= self.lr * p.grad / (torch.sqrt(G) + self.eps)

    def zero_grad(self):
        for p in self.params:
            p.grad = None


class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        self.params = list(params)
        self.lr, self.eps, self.wd = lr, eps, weight_decay
        self.b1, self.b2 = betas
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]
        self.t = 0

    def step(self):
        self.t += 1
        with torch.no_grad():
            for i, p in enumerate(self.params):
                if p.grad is None:
                    continue
                g = p.grad + self.wd * p
                self.m[i] = self.b1 * self.m[i] + (1 - self.b1) * g
                self.v[i] = self.b2 * self.v[i] + (1 - self.b2) * g * g
                m_hat = self.m[i] / (1 - self.b1 ** self.t)
                v_hat = self.v[i] / (1 - self.b2 ** self.t)
                p -= self.lr * m_hat / (v_hat.sqrt() + self.eps)

    def zero_grad(self):
        for p in self.params:
            p.grad = None


def noam_lr(step, d_model, warmup_steps):
    if step < 1:
        raise ValueError("step must be >= 1")
    if step <= warmup_steps:
        return step / (math.sqrt(d_model) * warmup_steps ** 1.5)
    return 1 / math.sqrt(d_model * step)


def label_smoothing_cross_entropy(logits, target, smoothing=0.1, ignore_index=-100):
    N, C = logits.shape
    mask = target != ignore_index
    t = target.clone()
    t[~mask] = 0
    q = torch.full((N, C), smoothing / C, dtype=logits.dtype)
    q[torch.arange(N), t] += 1 - smoothing
    per_row = -(q * F.log_softmax(logits, dim=1)).sum(dim=1)
    return per_row[mask].sum() / mask.sum()
