"""Hostile toy.py: answer with one large buffer referenced many times.

double writes onto the data channel (fd 3) a reply carrying a single 8 MiB buffer and a
list of 400 arrays that all name it: a decoder that copies per reference allocates 3.2 GB
in the grader (outside every sandbox limit); then it sleeps.
Expected: each buffer may be used once, so the reply is malformed: double's checks fail,
the sandbox is retired, the grader's memory stays flat; the other functions pass.
"""
import json
import os
import struct
import time

import torch

CHAN = 3
SIZE = 8 << 20


def double(x):
    ref = {"$array": 0, "dtype": "uint8", "shape": [SIZE], "kind": "tensor"}
    header = json.dumps({"ok": True, "value": [ref] * 400}).encode()
    os.write(CHAN, struct.pack("<I", len(header)) + header + struct.pack("<I", 1) + struct.pack("<Q", SIZE))
    os.write(CHAN, bytes(SIZE))
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
