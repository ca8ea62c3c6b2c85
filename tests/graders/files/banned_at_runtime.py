"""Hostile toy.py: call the banned softmax through lookups no static scan resolves.

The toy bans torch.nn.functional.softmax for every target, and torch.autograd and `.backward`
for double_sum. Each function reaches a banned callable by a name built at run time:
double through `vars(module)[...]` of a module found by a computed name, softmax_rows
through `torch.ops.aten` with a computed op name (and catches the error, pretending all went
well), double_sum through `Tensor.__dict__` for `backward`, and Scale's forward through
`getattr` on torch._C._nn-style aliases. The source never spells a banned name.
Expected: every one trips at run time: its check fails with "Banned API ... called at runtime
(line N)" naming the student's line; the checks of double's input (2.1) too.
"""
import importlib

import torch

_PARTS = ("soft", "max")


def _name():
    return "".join(_PARTS)


def double(x):
    functional = importlib.import_module("torch.nn." + "functional")
    vars(functional)[_name()](x, dim=-1)
    return x * 2


def softmax_rows(x):
    try:
        return getattr(torch.ops.aten, "_" + _name()).default(x, -1, False)
    except BaseException:
        e = torch.exp(x - x.max(dim=-1, keepdim=True).values)
        return e / e.sum(dim=-1, keepdim=True)


def double_sum(x):
    x = x.clone().requires_grad_(True)
    (x * 2).sum().__class__.__dict__["back" + "ward"]((x * 2).sum())
    return x.grad


class Scale(torch.nn.Module):
    def __init__(self, d):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))

    def forward(self, x):
        getattr(torch, _name())(x, -1)
        return x * self.weight
