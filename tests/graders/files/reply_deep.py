"""Hostile toy.py: answer with values nested deeper than the decoder allows.

double writes onto the data channel (fd 3) a reply whose value is 400 tuples inside each
other (within the JSON parser's reach, beyond the reply's depth bound), then sleeps;
Scale's forward does the same with 300 nested dicts.
Expected: both replies are malformed ("nested deeper than"), charged to their checks, the
sandbox is retired each time; softmax_rows and double_sum (correct) pass.
"""
import os
import struct
import time

import torch

CHAN = 3


def _send(value: str) -> None:
    header = ('{"ok": true, "value": ' + value + "}").encode()
    os.write(CHAN, struct.pack("<I", len(header)) + header + struct.pack("<I", 0))
    while True:
        time.sleep(3600)


def double(x):
    _send('{"$tuple": [' * 400 + "1" + "]}" * 400)


def softmax_rows(x):                                # correct
    e = torch.exp(x - x.max(dim=-1, keepdim=True).values)
    return e / e.sum(dim=-1, keepdim=True)


def double_sum(x):                                  # correct
    return torch.full_like(x, 2.0)


class Scale(torch.nn.Module):
    def __init__(self, d):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))

    def forward(self, x):
        _send('{"$dict": [["k", ' * 300 + "1" + "]], \"kind\": \"dict\"}" * 300)
