"""Mistake: beta1 and beta2 swapped."""
import math

import torch


def _as_param_list(params):
    params = list(params)
    for p in params:
        if not isinstance(p, torch.Tensor):
            raise TypeError(f"params must be tensors, got {type(p).__name__}")
    return params


def _check_non_negative(**values):
    for name, value in values.items():
        if value < 0:
            raise ValueError(f"{name} must be >= 0, got {value}")


class _Optimizer:
    """What the three optimizers share: the parameter list and zero_grad."""

    def __init__(self, params):
        self.params = _as_param_list(params)

    def zero_grad(self):
        """Drop every gradient (grad = None), as torch.optim does by default."""
        for p in self.params:
            p.grad = None


class SGDMomentum(_Optimizer):
    """SGD with heavy-ball momentum: v <- m v + g, p <- p - lr v (torch's SGD, dampening 0)."""

    def __init__(self, params, lr, momentum=0.9):
        _check_non_negative(lr=lr, momentum=momentum)
        super().__init__(params)
        self.lr, self.momentum = lr, momentum
        self.velocity = [None] * len(self.params)

    @torch.no_grad()
    def step(self):
        for k, p in enumerate(self.params):
            if p.grad is None:
                continue
            v = self.velocity[k]
            # The first step takes v = g, not m * 0 + g computed in place on a fresh buffer;
            # both are the same number, this one is torch's.
            v = p.grad.clone() if v is None else v.mul_(self.momentum).add_(p.grad)
            self.velocity[k] = v
            p.add_(v, alpha=-self.lr)


class Adagrad(_Optimizer):
    """Adagrad: G <- G + g^2, p <- p - lr g / (sqrt(G) + eps)."""

    def __init__(self, params, lr=0.01, eps=1e-10):
        _check_non_negative(lr=lr, eps=eps)
        super().__init__(params)
        self.lr, self.eps = lr, eps
        self.sum_sq = [torch.zeros_like(p) for p in self.params]

    @torch.no_grad()
    def step(self):
        for p, G in zip(self.params, self.sum_sq):
            if p.grad is None:
                continue
            G.addcmul_(p.grad, p.grad)
            p.addcdiv_(p.grad, G.sqrt().add_(self.eps), value=-self.lr)


class Adam(_Optimizer):
    """Adam with bias correction; weight_decay is L2 (added to the gradient), not AdamW's."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        beta2, beta1 = betas
        _check_non_negative(lr=lr, eps=eps, weight_decay=weight_decay)
        if not (0.0 <= beta2 < 1.0 and 0.0 <= beta1 < 1.0):
            raise ValueError(f"betas must lie in [0, 1), got {betas}")
        super().__init__(params)
        self.lr, self.beta1, self.beta2, self.eps, self.weight_decay = lr, beta1, beta2, eps, weight_decay
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]
        # Per parameter, as in torch: a tensor whose grad is None does not advance its count.
        self.t = [0] * len(self.params)

    @torch.no_grad()
    def step(self):
        for k, p in enumerate(self.params):
            if p.grad is None:
                continue
            g = p.grad if self.weight_decay == 0 else p.grad.add(p, alpha=self.weight_decay)
            self.t[k] += 1
            m, v, t = self.m[k], self.v[k], self.t[k]
            m.lerp_(g, 1 - self.beta1)
            v.mul_(self.beta2).addcmul_(g, g, value=1 - self.beta2)
            step_size = self.lr / (1 - self.beta1 ** t)
            denom = (v.sqrt() / math.sqrt(1 - self.beta2 ** t)).add_(self.eps)
            p.addcdiv_(m, denom, value=-step_size)


def noam_lr(step, d_model, warmup_steps):
    """The Transformer's learning rate: linear warm-up, then decay as 1/sqrt(step)."""
    if step < 1:
        raise ValueError(f"step counts from 1, got {step}")
    if d_model <= 0 or warmup_steps <= 0:
        raise ValueError("d_model and warmup_steps must be positive")
    return d_model ** -0.5 * min(step ** -0.5, step * warmup_steps ** -1.5)


def label_smoothing_cross_entropy(logits, target, smoothing=0.1, ignore_index=-100):
    """Mean cross-entropy against (1 - smoothing) * one_hot + smoothing / C over kept rows.

    logits (N, C) float, target (N,) long. Rows whose target is ignore_index count
    neither in the sum nor in the mean; when every row is ignored the mean is 0/0 = NaN,
    as in F.cross_entropy.
    """
    if not 0.0 <= smoothing <= 1.0:
        raise ValueError(f"smoothing must lie in [0, 1], got {smoothing}")
    log_p = torch.log_softmax(logits, dim=-1)
    keep = target != ignore_index
    # An ignored row may hold any id (-100, or a class like a padding id); gather a valid one.
    safe = torch.where(keep, target, torch.zeros_like(target))
    nll = -log_p.gather(1, safe.unsqueeze(1)).squeeze(1)
    uniform = -log_p.mean(dim=-1)
    per_row = (1.0 - smoothing) * nll + smoothing * uniform
    kept = torch.where(keep, per_row, torch.zeros_like(per_row))
    return kept.sum() / keep.sum()
