"""Hostile toy.py: write forged or malformed frames straight onto the sandbox's data channel.

The channel is fd 3 of the sandbox; the student's code can write to it. double announces a
4 GiB header; double_sum announces a header and then dribbles one byte every 0.3 s (a slow
loris that must not hold the grader beyond the call's time limit); softmax_rows sends a
complete frame whose JSON is nested 100000 levels deep; Scale's forward sends a well-formed
frame carrying an array of a forbidden dtype. Each then sleeps.
Expected: the grader rejects each frame or times out, fails that check with a message,
restarts the sandbox, and stays alive; every check of the four functions fails.
"""
import json
import os
import struct
import time

import torch

CHAN = 3


def _frame(header: bytes, buffers=()) -> bytes:
    out = struct.pack("<I", len(header)) + header + struct.pack("<I", len(buffers))
    for b in buffers:
        out += struct.pack("<Q", len(b)) + b
    return out


def _sleep_forever():
    while True:
        time.sleep(3600)


def double(x):
    os.write(CHAN, struct.pack("<I", 0xFFFFFFFF))
    _sleep_forever()


def double_sum(x):
    os.write(CHAN, struct.pack("<I", 1000) + b'{"ok": true, ')
    while True:
        os.write(CHAN, b" ")
        time.sleep(0.3)


def softmax_rows(x):
    os.write(CHAN, _frame(b"[" * 100000 + b"]" * 100000))
    _sleep_forever()


class Scale(torch.nn.Module):
    def __init__(self, d):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))

    def forward(self, x):
        header = json.dumps({"ok": True, "value": {"$array": 0, "dtype": "object", "shape": [2, 3],
                                                    "kind": "tensor"}}).encode()
        os.write(CHAN, _frame(header, [b"\0" * 48]))
        _sleep_forever()
