"""Hostile toy.py: print 300 MB to stdout and stderr to exhaust the grader's memory or disk.

Expected: the grader keeps only the first 64 KiB of output and counts the rest; double
(which returns its input unchanged) fails on its values, not on the output; softmax_rows
and Scale are correct and pass; double_sum is wrong.
"""
import os
import sys

import torch

LINE = ("SEQLAB_SPAM " * 87 + "\n")                 # ~1 KiB
BLOCK = LINE * 1024                                 # ~1 MiB


SPAMMED = []


def double(x):
    for i in range(0 if SPAMMED else 150):          # 2 x 150 MiB, once per sandbox
        sys.stdout.write(BLOCK)
        os.write(2, BLOCK.encode())
    sys.stdout.flush()
    SPAMMED.append(True)
    return x.clone()                                # wrong (unchanged)


def softmax_rows(x):                                # correct
    e = torch.exp(x - x.max(dim=-1, keepdim=True).values)
    return e / e.sum(dim=-1, keepdim=True)


def double_sum(x):
    return x * 0                                    # wrong


class Scale(torch.nn.Module):                        # correct
    def __init__(self, d):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * self.weight
