"""Hostile toy.py: silence every assertion helper a test could call.

torch.testing, numpy.testing and unittest assertions become no-ops, AssertionError is
replaced, and fake `graders.checks` / `pytest` modules are planted in sys.modules. None of
it reaches the grader, whose checks never run here.
Expected: double, softmax_rows and double_sum fail (wrong values); Scale is correct and passes.
"""
import builtins
import sys
import types
import unittest

import numpy as np
import numpy.testing
import torch
import torch.testing

_nothing = lambda *a, **k: None  # noqa: E731

torch.testing.assert_close = _nothing
torch.testing.assert_allclose = _nothing
numpy.testing.assert_allclose = _nothing
numpy.testing.assert_array_equal = _nothing
numpy.testing.assert_array_almost_equal = _nothing
numpy.testing.assert_equal = _nothing
np.testing = numpy.testing
for _name in dir(unittest.TestCase):
    if _name.startswith("assert") or _name == "fail":
        setattr(unittest.TestCase, _name, _nothing)


class _NeverRaised(Exception):
    pass


builtins.AssertionError = _NeverRaised

_fake_checks = types.ModuleType("graders.checks")
for _name in ("expect_close", "expect_equal", "expect_tensor", "expect_scalar", "expect_true", "fail",
              "expect_raises"):
    setattr(_fake_checks, _name, _nothing)
_fake_checks.CheckFailure = _NeverRaised
_fake_checks.check = lambda **kw: (lambda f: f)
sys.modules["graders.checks"] = _fake_checks
sys.modules["pytest"] = types.SimpleNamespace(approx=lambda v, **k: types.SimpleNamespace(__eq__=_nothing),
                                              fail=_nothing, skip=_nothing)


def double(x):
    return x + 1                                    # wrong


def softmax_rows(x):
    return torch.ones_like(x) / x.shape[-1]          # wrong


def double_sum(x):
    return 2 * x                                    # wrong


class Scale(torch.nn.Module):                        # correct
    def __init__(self, d):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * self.weight
