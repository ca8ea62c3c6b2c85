"""Correct, with torch's foreach-free in-place ops and lerp, a loss computed with logsumexp by
hand, and noam_lr using torch for the arithmetic but returning a Python float."""
import torch


class SGDMomentum:
    def __init__(self, params, lr, momentum=0.9):
        self.params, self.lr, self.momentum = list(params), lr, momentum
        self.buffers = {}

    @torch.no_grad()
    def step(self):
        for p in self.params:
            if p.grad is None:
                continue
            if id(p) not in self.buffers:
                self.buffers[id(p)] = torch.clone(p.grad)
            else:
                self.buffers[id(p)].mul_(self.momentum).add_(p.grad)
            p.sub_(self.lr * self.buffers[id(p)])

    def zero_grad(self):
        for p in self.params:
            p.grad = None


class Adagrad:
    def __init__(self, params, lr=0.01, eps=1e-10):
        self.params, self.lr, self.eps = list(params), lr, eps
        self.sums = [torch.zeros_like(p) for p in self.params]

    @torch.no_grad()
    def step(self):
        for p, s in zip(self.params, self.sums):
            if p.grad is not None:
                s.addcmul_(p.grad, p.grad)
                p.sub_(self.lr * p.grad / s.sqrt().add(self.eps))

    def zero_grad(self):
        for p in self.params:
            p.grad = None


class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        self.params, self.lr, self.betas, self.eps, self.wd = list(params), lr, betas, eps, weight_decay
        self.state = [dict(step=0, m=torch.zeros_like(p), v=torch.zeros_like(p)) for p in self.params]

    @torch.no_grad()
    def step(self):
        beta1, beta2 = self.betas
        for p, st in zip(self.params, self.state):
            if p.grad is None:
                continue
            grad = p.grad.add(p, alpha=self.wd) if self.wd else p.grad
            st["step"] += 1
            st["m"].lerp_(grad, 1 - beta1)
            st["v"].mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            bc1, bc2 = 1 - beta1 ** st["step"], 1 - beta2 ** st["step"]
            p.addcdiv_(st["m"] / bc1, (st["v"] / bc2).sqrt().add_(self.eps), value=-self.lr)

    def zero_grad(self):
        for p in self.params:
            p.grad = None


def noam_lr(step, d_model, warmup_steps):
    if not step >= 1:
        raise ValueError("noam_lr: steps count from 1")
    s = torch.tensor(float(step), dtype=torch.float64)
    rate = torch.minimum(s.rsqrt(), s * warmup_steps ** -1.5) / d_model ** 0.5
    return rate.item()


def label_smoothing_cross_entropy(logits, target, smoothing=0.1, ignore_index=-100):
    keep = target != ignore_index
    x, t = logits[keep], target[keep]
    lse = torch.logsumexp(x, dim=-1)
    nll = lse - x.gather(-1, t[:, None]).squeeze(-1)
    uniform = lse - x.mean(dim=-1)
    return ((1 - smoothing) * nll + smoothing * uniform).mean()
