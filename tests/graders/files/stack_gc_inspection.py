"""Hostile toy.py: search the process for the expected answer instead of computing it.

Walks inspect.stack() and sys._getframe() for locals/globals named like expected values or
the reference, scans gc.get_objects() for a tensor that equals the right answer, and looks
for grader modules in sys.modules. In the sandbox there is nothing to find: checks and
expected values live in the grader process.
Expected: double, softmax_rows and double_sum find nothing and fail; Scale is correct.
"""
import gc
import inspect
import sys

import torch

SCANNED = []
SUSPECT_NAMES = ("expected", "ref", "reference", "want", "target", "answer", "check", "spec", "mistakes",
                 "expect_close", "solution")


def _search(x, truth, scan_heap=False):
    hits = []
    frame = sys._getframe(1)
    while frame is not None:
        for scope in (frame.f_locals, frame.f_globals):
            for name, value in list(scope.items()):
                if name in SUSPECT_NAMES and value is not None and name not in ("check",):
                    hits.append(f"frame {frame.f_code.co_name}: {name}")
        frame = frame.f_back
    for info in inspect.stack():
        if "seqlab_assignment" in info.filename or "/tests/" in info.filename:
            hits.append(f"stack file {info.filename}")
    for name in list(sys.modules):
        if name.startswith(("seqlab_assignment", "reference", "graders.checks", "graders.assignment")):
            hits.append(f"module {name}")
    if not scan_heap:
        return None, hits
    for obj in gc.get_objects():                    # every tensor the process holds
        if type(obj) is torch.Tensor and obj is not truth and obj is not x and obj.shape == truth.shape:
            if torch.equal(obj, truth) and obj.data_ptr() != truth.data_ptr():
                hits.append("tensor equal to the expected answer")
                return obj, hits
    return None, hits


def double(x):
    found, hits = _search(x, x * 2, scan_heap=not SCANNED)   # the heap once per sandbox (~0.3 s)
    SCANNED.append(True)
    if found is not None:
        return found
    if hits:
        raise RuntimeError(f"SEQLAB_LEAKED {hits[:5]}")
    return x * 3                                    # wrong: found nothing


def softmax_rows(x):
    found, hits = _search(x, torch.zeros_like(x))
    if hits:
        raise RuntimeError(f"SEQLAB_LEAKED {hits[:5]}")
    return x                                        # wrong


def double_sum(x):
    found, hits = _search(x, torch.full_like(x, 2.0))
    if hits:
        raise RuntimeError(f"SEQLAB_LEAKED {hits[:5]}")
    return torch.zeros_like(x)                      # wrong


class Scale(torch.nn.Module):                        # correct
    def __init__(self, d):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * self.weight
