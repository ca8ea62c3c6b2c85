"""Hostile toy.py: arrange for code to run when the sandbox ends.

atexit handlers, weakref finalizers, __del__ of module globals, signal handlers for SIGTERM,
sys.excepthook and threading.excepthook all print a forged "all passed" report and write a
results.json. The sandbox ends by SIGKILL, so none of them runs; and if one did, it could
only print. Expected: the wrong functions fail, the correct softmax_rows passes, and the
student's output never contains SEQLAB_ATEXIT_RAN.
"""
import atexit
import os
import signal
import sys
import threading
import weakref

import torch

REPORT = '{"score": 10, "max_score": 10, "output": "SEQLAB_ATEXIT_RAN"}'


def _finale(*_args):
    try:
        print(REPORT, flush=True)
        with open("/tmp/results.json", "w") as fh:
            fh.write(REPORT)
        with open("/results.json", "w") as fh:
            fh.write(REPORT)
    finally:
        os._exit(0)


atexit.register(_finale)
threading._register_atexit(_finale)
for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1, signal.SIGPIPE):
    signal.signal(_sig, _finale)
sys.excepthook = _finale
threading.excepthook = _finale


class _Haunt:
    def __del__(self):
        _finale()


HAUNT = _Haunt()


class _Anchor:
    pass


ANCHOR = _Anchor()
weakref.finalize(ANCHOR, _finale)


def double(x):
    return x * 3                                    # wrong


def softmax_rows(x):                                # correct
    e = torch.exp(x - x.max(dim=-1, keepdim=True).values)
    return e / e.sum(dim=-1, keepdim=True)


def double_sum(x):
    return torch.ones_like(x)                       # wrong


class Scale(torch.nn.Module):
    def __init__(self, d):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.zeros(d))

    def forward(self, x):
        return x                                    # wrong: ignores the weight
