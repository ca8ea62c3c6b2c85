"""Hostile toy.py: replace every comparison the grader might use with one that says "equal".

If checks ran in the student's process (nbgrader, Otter), these patches would turn wrong
answers into passes. Here they only change the sandbox's own copy of torch/numpy/math.
Expected: double, double_sum and Scale fail (wrong values); softmax_rows is correct and passes.
"""
import builtins
import math

import numpy as np
import torch

_yes = lambda *a, **k: True  # noqa: E731


def _all_true(a, *args, **kwargs):
    return torch.ones_like(torch.as_tensor(a), dtype=torch.bool)


torch.allclose = _yes
torch.equal = _yes
torch.isclose = _all_true
torch.eq = _all_true
torch.Tensor.__eq__ = _all_true
torch.Tensor.__ne__ = lambda self, other: torch.zeros_like(self, dtype=torch.bool)
torch.Tensor.allclose = _yes
torch.Tensor.equal = _yes
torch.Tensor.isclose = _all_true
np.allclose = _yes
np.array_equal = _yes
np.isclose = lambda a, b, *x, **k: np.ones(np.shape(a), dtype=bool)
math.isclose = _yes
builtins.all = _yes


def double(x):
    return x * 3                                   # wrong


def softmax_rows(x):                                # correct
    e = torch.exp(x - x.max(dim=-1, keepdim=True).values)
    return e / e.sum(dim=-1, keepdim=True)


def double_sum(x):
    return torch.zeros_like(x)                      # wrong


class Scale(torch.nn.Module):
    def __init__(self, d):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x + self.weight                      # wrong
