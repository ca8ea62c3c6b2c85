"""Hostile toy.py: stay under the per-process memory limit in each of several processes.

RLIMIT_AS bounds each process; double forks 3 children that each fill 160 MiB (under the
256 MiB limit), so together they hold 480 MiB while the parent returns the right answer.
The sandbox's memory cgroup (limit for the whole tree) must stop this; rlimits alone cannot.
"""
import os
import time

import torch

HOLD_SECONDS = 0.1
DONE = []


def double(x):
    if DONE:
        return x * 2
    DONE.append(True)
    ready_r, ready_w = os.pipe()
    for _ in range(3):
        if os.fork() == 0:
            block = bytearray(160 << 20)
            for i in range(0, len(block), 4096):
                block[i] = 1                        # touch every page
            os.write(ready_w, b"+")
            time.sleep(HOLD_SECONDS)
            os._exit(0)
    got = b""
    while len(got) < 3:
        got += os.read(ready_r, 2)
    return x * 2                                    # right, while 320 MiB are held


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
