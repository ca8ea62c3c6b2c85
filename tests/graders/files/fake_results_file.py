"""Hostile toy.py: write a forged results.json wherever a grader might look for one.

The current directory and /tmp are the sandbox's private scratch (allowed, and thrown away);
every other location must refuse. If any write outside the scratch succeeds, double returns
the right answer (so the test sees the escape as a passing check).
Expected: all writes outside scratch fail; double, softmax_rows and double_sum fail; Scale passes.
"""
import json
import os

import torch

FAKE = json.dumps({"score": 10.0, "max_score": 10.0, "tests": [], "output": "SEQLAB_FAKE_RESULTS"})
INSIDE = ["results.json", "/tmp/results.json", "/tmp/seqlab_pwned_results.json"]
OUTSIDE = ["/results.json", "/autograder/results/results.json", "/work/main/results.json",
           "/work/main/seqlab_pwned_results.json", "/work/results.json", "/root/results.json",
           "/usr/results.json", "/etc/results.json", "/dev/shm/results.json", "/var/tmp/results.json",
           "/proc/self/cwd/../results.json", "/tmp/../results.json", "../results.json", "../../results.json",
           os.path.expanduser("~/../results.json")]


def _attempt(path):
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    except OSError:
        pass
    try:
        with open(path, "w") as fh:
            fh.write(FAKE)
        return True
    except OSError:
        return False


def _escaped():
    for path in INSIDE:
        assert _attempt(path), f"scratch write to {path} should work"
    real_scratch = os.path.realpath("/tmp")
    leaks = [p for p in OUTSIDE if _attempt(p) and not os.path.realpath(p).startswith(real_scratch)]
    return leaks


def double(x):
    leaks = _escaped()
    if leaks:
        return x * 2                                # the escape "passes" the check
    raise RuntimeError("no write outside the scratch worked")


def softmax_rows(x):
    _escaped()
    return torch.zeros_like(x)                      # wrong


def double_sum(x):
    return x                                        # wrong


class Scale(torch.nn.Module):                        # correct
    def __init__(self, d):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * self.weight
