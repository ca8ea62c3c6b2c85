"""Hostile toy.py: take the banned softmax back from its tripwire before anything is checked.

At import, the module finds the tripwire that stands in for torch.nn.functional.softmax (by a
name built at run time), digs the original callable out of it and puts the original back, so
later calls would not trip. The functions themselves are correct and never call softmax.
Expected: the sandbox reports in every reply that its tripwires were disturbed, and the grader
treats that as a violation: every check fails ("record of banned API calls is missing or was
tampered with"); nothing is credited.
"""
import torch
import torch.nn.functional as functional

_NAME = "".join(("soft", "max"))
_wire = vars(functional)[_NAME]
vars(functional)[_NAME] = object.__getattribute__(_wire, "_original")


def double(x):
    return x * 2


def softmax_rows(x):
    e = torch.exp(x - x.max(dim=-1, keepdim=True).values)
    return e / e.sum(dim=-1, keepdim=True)


def double_sum(x):
    return torch.full_like(x, 2.0)


class Scale(torch.nn.Module):
    def __init__(self, d):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * self.weight
