"""Hostile toy.py: never return (a pure-Python busy loop that ignores KeyboardInterrupt).

Expected: softmax_rows's check fails with "timed out after 2 s in softmax_rows"; the sandbox
is killed and restarted for the next check, so the correct double, double_sum and Scale pass.
"""
import torch


def double(x):                                      # correct
    return x * 2


def softmax_rows(x):
    n = 0
    while True:
        try:
            n += 1
        except BaseException:
            pass


def double_sum(x):                                  # correct
    return torch.full_like(x, 2.0)


class Scale(torch.nn.Module):                        # correct
    def __init__(self, d):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * self.weight
