"""Hostile toy.py: allocate beyond the limit, in Python, in torch, in numpy and on the scratch disk.

Expected: double, softmax_rows and double_sum fail with a message about memory (the limit is
256 MiB above the warm process); Scale's forward fills the private scratch and fails with an
OSError (file too large / no space), never touching the host's disk.
"""
import numpy as np
import torch


def double(x):
    return [0.0] * (1 << 34)                        # Python heap (128 GiB of pointers): MemoryError


def softmax_rows(x):
    hog = []
    while True:
        hog.append(torch.empty(1 << 24))            # 64 MiB each; torch: "can't allocate memory"


def double_sum(x):
    return np.ones((1 << 16, 1 << 16))              # numpy: MemoryError (32 GiB)


class Scale(torch.nn.Module):
    def __init__(self, d):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))

    def forward(self, x):
        chunk = b"\0" * (1 << 20)
        for i in range(1000):                       # 1 GB: the scratch holds 64 MiB, a file 16 MiB
            with open(f"/tmp/fill{i % 100}", "ab") as fh:
                for _ in range(32):
                    fh.write(chunk)
        return x * self.weight
