"""Hostile toy.py: ignore or block every catchable signal, then loop forever in native code.

SIGTERM/SIGINT/SIGHUP/SIGQUIT/SIGUSR1/2/SIGALRM/SIGXCPU are ignored or blocked, and
double_sum sleeps in C (time.sleep) inside a loop that swallows every exception. Only
SIGKILL of the sandbox's PID 1 ends it.
Expected: double_sum fails with "timed out after 2 s in double_sum"; the correct double,
softmax_rows and Scale pass.
"""
import signal
import time

import torch

CATCHABLE = [signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2,
             signal.SIGALRM, signal.SIGXCPU, signal.SIGPIPE, signal.SIGTSTP]
for _sig in CATCHABLE:
    signal.signal(_sig, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_BLOCK, CATCHABLE)


def double(x):                                      # correct
    return x * 2


def softmax_rows(x):                                # correct
    e = torch.exp(x - x.max(dim=-1, keepdim=True).values)
    return e / e.sum(dim=-1, keepdim=True)


def double_sum(x):
    while True:
        try:
            time.sleep(3600)
        except BaseException:
            pass


class Scale(torch.nn.Module):                        # correct
    def __init__(self, d):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * self.weight
