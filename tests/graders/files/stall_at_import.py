"""Hostile toy.py: while being imported, start a reply frame and never finish it (slow loris).

The module writes a frame header announcing 1000 bytes on the sandbox's channel (fd 3) and
then dribbles one byte every 0.3 s. A reader that waits per recv() would be held until the
submission's wall clock ran out; the grader bounds every reply by the request's deadline.
Expected: every check fails with "timed out after 2 s in importing toy.py", after ~2 s.
"""
import os
import struct
import time

import torch


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


os.write(3, struct.pack("<I", 1000) + b'{"ok": true, ')
while True:
    os.write(3, b" ")
    time.sleep(0.3)
