"""Correct: a numpy float32 table, a broadcast learned table, RoPE with explicit 2x2 rotation
matrices and einsum."""
import numpy as np
import torch
from torch import nn


def sinusoidal_encoding(max_len, d_model):
    if isinstance(d_model, bool) or not isinstance(d_model, int) or d_model < 1 or d_model % 2:
        raise ValueError("d_model must be a positive even integer")
    if isinstance(max_len, bool) or not isinstance(max_len, int) or max_len < 1:
        raise ValueError("max_len must be >= 1")
    pos = np.arange(max_len, dtype=np.float32)[:, None]
    i = np.arange(d_model // 2, dtype=np.float32)[None, :]
    angle = pos / np.power(np.float32(10000), 2 * i / np.float32(d_model))
    table = np.empty((max_len, d_model), dtype=np.float32)
    table[:, 0::2] = np.sin(angle)
    table[:, 1::2] = np.cos(angle)
    return torch.from_numpy(table)


class LearnedPositionalEmbedding(nn.Module):
    def __init__(self, max_len, d_model):
        super().__init__()
        self.max_len, self.d_model = max_len, d_model
        self.weight = nn.Parameter(torch.randn(max_len, d_model))

    def forward(self, x):
        B, T, D = x.shape
        if T > self.max_len:
            raise ValueError(f"T={T} exceeds max_len={self.max_len}")
        return x + self.weight[None, :T, :]


def apply_rope(x, base=10000.0):
    T, d = x.shape[-2], x.shape[-1]
    if d % 2 != 0:
        raise ValueError("d must be even")
    i = torch.arange(d // 2, dtype=torch.float64)
    theta = torch.arange(T, dtype=torch.float64)[:, None] * base ** (-2 * i / d)
    c, s = torch.cos(theta), torch.sin(theta)
    rot = torch.stack((torch.stack((c, -s), -1), torch.stack((s, c), -1)), -2)   # (T, d/2, 2, 2)
    pairs = x.double().reshape(*x.shape[:-1], d // 2, 2)
    out = torch.einsum("tpij,...tpj->...tpi", rot, pairs)
    return out.reshape(x.shape).to(x.dtype)
