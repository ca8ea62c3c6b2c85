"""Hostile toy.py: answer with a dict whose keys all share one hash (hash flooding).

double writes, straight onto the sandbox's data channel (fd 3), a well-formed reply whose
value is a dict of 16 000 big integers k * (2**61 - 1): Python hashes every one of them to 0,
so building the dict compares each key with all the others (quadratic: minutes of the
grader's CPU, outside every sandbox limit), then sleeps.
Expected: the grader refuses the reply in linear time as malformed, charges it to double's
checks, retires the sandbox; the other functions (correct) pass.
"""
import json
import os
import struct
import time

import torch

CHAN = 3
MERSENNE = (1 << 61) - 1


def _frame(header: bytes, buffers=()) -> bytes:
    out = struct.pack("<I", len(header)) + header + struct.pack("<I", len(buffers))
    for b in buffers:
        out += struct.pack("<Q", len(b)) + b
    return out


PAIRS = [[{"$bigint": str(k * MERSENNE)}, 0] for k in range(16_000)]
FRAME = _frame(json.dumps({"ok": True, "value": {"$dict": PAIRS, "kind": "dict"}}).encode())


def double(x):
    os.write(CHAN, FRAME)
    while True:
        time.sleep(3600)


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
