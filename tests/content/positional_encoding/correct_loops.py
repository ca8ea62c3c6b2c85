"""Correct, written with plain Python loops: a nested-loop table, a loop over RoPE pairs."""
import math

import torch
from torch import nn


def sinusoidal_encoding(max_len, d_model):
    if not isinstance(d_model, int) or d_model <= 0 or d_model % 2 == 1:
        raise ValueError("d_model must be a positive even integer")
    if not isinstance(max_len, int) or max_len < 1:
        raise ValueError("max_len must be at least 1")
    rows = []
    for pos in range(max_len):
        row = []
        for i in range(d_model // 2):
            angle = pos / 10000 ** (2 * i / d_model)
            row += [math.sin(angle), math.cos(angle)]
        rows.append(row)
    return torch.tensor(rows)


class LearnedPositionalEmbedding(nn.Module):
    def __init__(self, max_len, d_model):
        super().__init__()
        self.max_len = max_len
        self.weight = nn.Parameter(torch.zeros(max_len, d_model))

    def forward(self, x):
        T = x.size(1)
        if T > self.max_len:
            raise ValueError("sequence longer than max_len")
        return x + self.weight[:T]


def apply_rope(x, base=10000.0):
    T, d = x.shape[-2], x.shape[-1]
    if d % 2 != 0:
        raise ValueError("d must be even")
    out = torch.empty_like(x)
    positions = torch.arange(T, dtype=x.dtype)
    for i in range(d // 2):
        theta = positions / base ** (2 * i / d)
        c, s = torch.cos(theta), torch.sin(theta)
        a, b = x[..., 2 * i], x[..., 2 * i + 1]
        out[..., 2 * i] = a * c - b * s
        out[..., 2 * i + 1] = a * s + b * c
    return out
