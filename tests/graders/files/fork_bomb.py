"""Hostile toy.py: multiply processes and threads, and leave them running.

double starts threads until the kernel refuses (RLIMIT_NPROC); double_sum starts a shell
loop (marked SEQLAB_HOSTILE_FORK in its command line) and then forks without end, every
child forking again, the parent never returning.
Expected: double fails (cannot start a thread), double_sum fails with a timeout; softmax_rows
and Scale are correct and pass; afterwards no process of the sandbox is left anywhere.
"""
import os
import subprocess
import threading
import time

import torch


def double(x):
    stop = threading.Event()
    threads = []
    while True:
        t = threading.Thread(target=stop.wait, daemon=True)
        t.start()                                   # RuntimeError: can't start new thread
        threads.append(t)


def softmax_rows(x):                                # correct
    e = torch.exp(x - x.max(dim=-1, keepdim=True).values)
    return e / e.sum(dim=-1, keepdim=True)


def double_sum(x):
    subprocess.Popen(["/bin/sh", "-c", "while :; do sleep 1; done # SEQLAB_HOSTILE_FORK"])
    while True:
        try:
            os.fork()
        except OSError:
            time.sleep(0.01)


class Scale(torch.nn.Module):                        # correct
    def __init__(self, d):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * self.weight
