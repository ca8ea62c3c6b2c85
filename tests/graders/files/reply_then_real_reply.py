"""Hostile toy.py: a broken reply, then a normal one, in the same check.

double_sum writes onto the data channel (fd 3) a complete reply whose value is out of range
(a big integer of 5000 digits, more than Python will parse), then returns normally, so the
sandbox's real reply follows it on the channel. Read naively, the forged frame makes the
check fail with an unexpected error and the real reply is taken as the answer to the NEXT
request (Scale's check), which then fails for nothing it did.
Expected: double_sum's check fails with "malformed data" and the sandbox is retired;
every other check, Scale's included, passes.
"""
import json
import os
import struct

import torch

CHAN = 3


def double(x):                                      # correct
    return x * 2


def softmax_rows(x):                                # correct
    e = torch.exp(x - x.max(dim=-1, keepdim=True).values)
    return e / e.sum(dim=-1, keepdim=True)


def double_sum(x):
    header = json.dumps({"ok": True, "value": {"$bigint": "9" * 5000}}).encode()
    os.write(CHAN, struct.pack("<I", len(header)) + header + struct.pack("<I", 0))
    return torch.full_like(x, 2.0)


class Scale(torch.nn.Module):                        # correct
    def __init__(self, d):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * self.weight
