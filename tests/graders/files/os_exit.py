"""Hostile toy.py: end the sandbox from inside a call, hoping the grader reads "no failure".

double calls os._exit(0) (exit code 0, no reply), double_sum raises SystemExit(0), Scale's
forward dereferences a NULL pointer (a real SIGSEGV, which even PID 1 cannot ignore).
Expected: each of those checks fails with a message naming what happened; the sandbox is
restarted for the next check, so softmax_rows (correct) still passes.
"""
import ctypes
import os
import sys

import torch


def double(x):
    sys.stdout.flush()
    os._exit(0)


def softmax_rows(x):                                # correct
    e = torch.exp(x - x.max(dim=-1, keepdim=True).values)
    return e / e.sum(dim=-1, keepdim=True)


def double_sum(x):
    sys.exit(0)


class Scale(torch.nn.Module):
    def __init__(self, d):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))

    def forward(self, x):
        ctypes.string_at(0)                         # SIGSEGV
        return x * self.weight
