"""Hostile toy.py: while being imported, send a reply frame whose JSON is nested 100000 deep.

Python's JSON parser raises RecursionError on it. On a call, the grader's host side turns
that into a protocol error and restarts the sandbox; on the import reply (read by
graders/sandbox/proxy.py directly with protocol.recv_frame) the RecursionError escapes
as "could not evaluate your result" and the channel is left out of step.
Expected once protocol.recv_frame maps RecursionError to ProtocolError: every check fails
with "the sandbox sent malformed data". Marked xfail in test_hostile.py until then.
"""
import os
import struct

import torch

HEADER = b"[" * 100000 + b"]" * 100000
os.write(3, struct.pack("<I", len(HEADER)) + HEADER + struct.pack("<I", 0))


def double(x):
    return x * 2


def softmax_rows(x):
    e = torch.exp(x - x.max(dim=-1, keepdim=True).values)
    return e / e.sum(dim=-1, keepdim=True)


def double_sum(x):
    return torch.full_like(x, 2.0)


class Scale(torch.nn.Module):
    def __init__(self, d):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * self.weight
