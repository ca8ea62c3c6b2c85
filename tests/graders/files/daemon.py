"""Hostile toy.py: leave something running after the sandbox is done with.

double double-forks a setsid() daemon (a shell loop marked SEQLAB_HOSTILE_DAEMON in its
command line, printing and writing files every 50 ms), forks a Python daemon renamed
"seqlab_hostile" that keeps rewriting results files, and starts a background thread in the
sandbox's PID 1 that keeps printing after the reply; then it returns a wrong value.
Expected: double's checks fail on their values; the correct softmax_rows, double_sum and
Scale pass; once the result is out no process of the sandbox exists anywhere, and no
result file appears on the host.
"""
import ctypes
import os
import sys
import threading
import time

import torch

STARTED = []


def _python_daemon():
    if os.fork():
        return
    os.setsid()
    if os.fork():
        os._exit(0)
    ctypes.CDLL(None).prctl(15, b"seqlab_hostile", 0, 0, 0)       # PR_SET_NAME
    while True:
        for path in ("/tmp/results.json", "/results.json", "/work/main/results.json"):
            try:
                with open(path, "w") as fh:
                    fh.write('{"score": 10, "output": "SEQLAB_DAEMON"}')
            except OSError:
                pass
        time.sleep(0.05)


def _shell_daemon():
    if os.fork():
        return
    os.setsid()
    if os.fork():
        os._exit(0)
    os.execv("/bin/sh", ["/bin/sh", "-c",
                         "while :; do echo SEQLAB_HOSTILE_DAEMON; echo x > /tmp/daemon_was_here; sleep 0.05; done"])


def _chatter():
    while True:
        print("SEQLAB_THREAD still here", flush=True)
        time.sleep(0.05)


def double(x):
    if not STARTED:
        STARTED.append(True)
        sys.stdout.flush()
        _shell_daemon()
        _python_daemon()
        threading.Thread(target=_chatter, daemon=True).start()
        # Wait (within the call's time limit) until the shell daemon has really run, so the
        # test's "none survived" proves something even on a busy machine.
        for _ in range(150):
            if os.path.exists("/tmp/daemon_was_here"):
                break
            time.sleep(0.01)
    return x * 3                                    # wrong


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
