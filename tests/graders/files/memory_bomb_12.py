"""Hostile toy.py: twelve processes, each under the per-process memory limit, together far over it.

double forks 12 children; each volunteers to be the kernel's first choice when memory runs
out (oom_score_adj 1000, where /proc lets it), fills 40 MiB (RLIMIT_AS allows each 256 MiB), reports on a pipe and
holds it for half a second: 480 MiB together against the 256 MiB the sandbox may use. double
returns the right answer only if all twelve held their memory at once (the attack worked),
prints "SEQLAB_MEMBOMB held=N killed=K" and raises MemoryError otherwise.
Expected: the sandbox's memory cgroup kills some of them: the first check fails for memory
(256 MiB for the whole sandbox; under load the kill may come as a timeout that says so), and
double's other check fails at once with the same message (a target that ran out of memory is
not called again); everything else passes; the grader is unharmed.
"""
import os
import signal
import time

import torch

def _hog(ready_w):
    try:
        try:
            with open("/proc/self/oom_score_adj", "w") as fh:
                fh.write("1000")
        except OSError:
            pass
        block = bytearray(40 << 20)
        for i in range(0, len(block), 4096):
            block[i] = 1                            # touch every page
        os.write(ready_w, b"+")
        time.sleep(0.5)
    finally:
        os._exit(0)


def double(x):
    if x.dim() != 2:                                # only the first check's input: (3, 4)
        return x * 2
    ready_r, ready_w = os.pipe()
    kids = []
    for _ in range(12):
        pid = os.fork()
        if pid == 0:
            _hog(ready_w)
        kids.append(pid)
    os.close(ready_w)
    killed = 0
    for pid in kids:
        _, status = os.waitpid(pid, 0)
        killed += os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    held = len(os.read(ready_r, 64))
    print(f"SEQLAB_MEMBOMB held={held} killed={killed}", flush=True)
    if killed:
        raise MemoryError(f"{killed} of 12 processes were killed")
    return x * 2


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
