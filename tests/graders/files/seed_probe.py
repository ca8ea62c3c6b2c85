"""Hostile toy.py: find the grader's seed and regenerate the hidden inputs from the repository.

double prints the sandbox's torch.initial_seed() and whether its input equals what the
repository's own seed derivation (assignment seed 7, the check's name) would give
("SEQLAB_SEED initial=... predicted=..."). With the deployment's secret set, the checks'
seeds mix it in, and the sandbox's seed is an unrelated hash: neither tells anything.
double_sum is wrong, the rest correct.
Expected: a normal result; tests/graders/test_sandbox.py reads the line (with and without a
secret).
"""
import zlib

import torch


def double(x):
    rng = torch.Generator().manual_seed(zlib.crc32(b"7:public/test_double_small"))
    guess = torch.randn(3, 4, generator=rng)
    predicted = tuple(x.shape) == (3, 4) and bool(torch.equal(x, guess))
    print(f"SEQLAB_SEED initial={torch.initial_seed()} predicted={predicted}", flush=True)
    return x * 2


def softmax_rows(x):                                # correct
    e = torch.exp(x - x.max(dim=-1, keepdim=True).values)
    return e / e.sum(dim=-1, keepdim=True)


def double_sum(x):                                  # wrong
    return torch.zeros_like(x)


class Scale(torch.nn.Module):                        # correct
    def __init__(self, d):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * self.weight
