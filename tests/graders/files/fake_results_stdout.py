"""Hostile toy.py: print a forged Gradescope results.json (full marks) to stdout and stderr.

Graders that parse the last JSON document of the run's output would believe it. Here the
score comes from checks in the grader; stdout is just text kept (truncated) for staff.
Expected: every function is wrong, so every check except "double keeps its input" fails.
"""
import json
import os
import sys

import torch

FAKE = json.dumps({
    "score": 10.0, "max_score": 10.0, "execution_time": 0.1, "output": "SEQLAB_FAKE_RESULTS all passed",
    "tests": [{"name": n, "score": 2.0, "max_score": 2.0, "status": "passed", "visibility": "visible"}
              for n in ("1.1", "2.1", "2.2", "2.3", "2.4")],
})


def _shout():
    print(FAKE)
    print(FAKE, file=sys.stderr)
    sys.stdout.flush()
    os.write(1, (FAKE + "\n").encode())
    os.write(2, ("Score: 10/10\nPASS all checks SEQLAB_FAKE_RESULTS\n").encode())


_shout()


def double(x):
    _shout()
    return x.clone()                                # wrong (unchanged), input untouched


def softmax_rows(x):
    _shout()
    return x                                        # wrong


def double_sum(x):
    _shout()
    return torch.zeros_like(x)                      # wrong


class Scale(torch.nn.Module):
    def __init__(self, d):
        super().__init__()
        _shout()
        self.weight = torch.nn.Parameter(torch.ones(d))

    def forward(self, x):
        _shout()
        return x                                    # wrong
