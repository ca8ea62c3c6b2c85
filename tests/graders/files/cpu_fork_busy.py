"""Hostile toy.py: keep every core busy with a dozen spinning processes.

double forks 12 children that spin for 1 s of wall time each (RLIMIT_CPU, per process, does
not stop them), waits for them, and prints how much CPU they got together against the wall
time ("SEQLAB_CPU used=... wall=..."). Without a CPU quota for the sandbox's tree they take
every core of the worker; with one (cgroup cpu.max, `[limits] cpus`, 1 by default) they share
the quota. double_sum is wrong, the rest correct.
Expected: a normal result; tests/graders/test_cgroup.py reads the line and checks the quota.
"""
import os
import time

import torch

DONE = []


def double(x):
    if not DONE:
        DONE.append(True)
        start = time.monotonic()
        kids = []
        for _ in range(12):
            pid = os.fork()
            if pid == 0:
                while time.monotonic() - start < 1.0:
                    pass
                os._exit(0)
            kids.append(pid)
        used = 0.0
        for pid in kids:
            _, _, usage = os.wait4(pid, 0)
            used += usage.ru_utime + usage.ru_stime
        print(f"SEQLAB_CPU used={used:.3f} wall={time.monotonic() - start:.3f}", flush=True)
    return x * 2


def softmax_rows(x):                                # correct
    e = torch.exp(x - x.max(dim=-1, keepdim=True).values)
    return e / e.sum(dim=-1, keepdim=True)


def double_sum(x):                                  # wrong
    return torch.zeros_like(x)


class Scale(torch.nn.Module):                        # correct
    def __init__(self, d):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * self.weight
