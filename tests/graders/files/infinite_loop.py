"""Hostile toy.py: never return (a pure-Python busy loop that ignores KeyboardInterrupt).

Expected: both checks of double fail with "timed out after 2 s in double"; the sandbox is
killed and restarted for the next check, so the correct softmax_rows, double_sum and Scale pass.
"""
import torch


def double(x):
    n = 0
    while True:
        try:
            n += 1
        except BaseException:
            pass


def softmax_rows(x):                                # correct
    e = torch.exp(x - x.max(dim=-1, keepdim=True).values)
    return e / e.sum(dim=-1, keepdim=True)


def double_sum(x):                                  # correct
    return torch.full_like(x, 2.0)


class Scale(torch.nn.Module):                        # correct
    def __init__(self, d):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * self.weight
