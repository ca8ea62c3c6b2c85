"""Hostile toy.py: return torch.Tensor subclasses that override comparison.

Each subclass overrides __eq__, allclose, equal, isclose, numpy() and __torch_function__
so that any comparison done with the returned object says "equal". The values are even
right for double (so only the refusal of subclasses can make that check fail). A plain
tensor whose __class__ was swapped afterwards is tried too.
Expected: the grader refuses subclasses (they arrive as an opaque marker, never as data);
every check of double, softmax_rows, double_sum and Scale fails.
"""
import torch


class Liar(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if name in ("allclose", "equal", "__eq__", "isclose", "eq"):
            return True
        return super().__torch_function__(func, types, args, kwargs or {})

    def __eq__(self, other):
        return True

    def allclose(self, *a, **k):
        return True

    def equal(self, *a, **k):
        return True

    def numpy(self, *a, **k):
        import numpy as np
        return np.zeros(tuple(self.shape), dtype="float32")


def double(x):
    return (x * 2).as_subclass(Liar)                 # right values, wrong type


def softmax_rows(x):
    return torch.zeros_like(x).as_subclass(Liar)


def double_sum(x):
    t = torch.zeros_like(x)
    t.__class__ = Liar
    return t


class Scale(torch.nn.Module):
    def __init__(self, d):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))

    def forward(self, x):
        return torch.Tensor._make_subclass(Liar, x * self.weight)
