"""Positional encoding assignment: fill in the three parts below and submit this file.

Only torch and math are needed. Keep the names and signatures exactly as they are: the grader
calls them by name. Do not change the inputs you are given (no in-place updates on them).
"""
import math

import torch
from torch import nn


def sinusoidal_encoding(max_len: int, d_model: int) -> torch.Tensor:
    """Return the sinusoidal position table of Vaswani et al. (2017), shape (max_len, d_model).

    PE[p, 2i]   = sin(p / 10000^(2i / d_model))
    PE[p, 2i+1] = cos(p / 10000^(2i / d_model))
    for positions p = 0 .. max_len-1 and pair indices i = 0 .. d_model/2 - 1 (sin and cos
    interleaved: even columns sin, odd columns cos).

    Raises ValueError unless max_len is an integer >= 1 and d_model is a positive even integer.
    Graded against a float64 table with atol=1e-4; returning float32 is fine.
    """
    raise NotImplementedError


class LearnedPositionalEmbedding(nn.Module):
    """A trainable position table: parameter `weight` of shape (max_len, d_model).

    forward(x) takes x of shape (B, T, d_model) and returns x + weight[:T] (rows 0..T-1),
    shape (B, T, d_model). T > max_len raises ValueError.
    """

    def __init__(self, max_len: int, d_model: int):
        super().__init__()
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError


def apply_rope(x: torch.Tensor, base: float = 10000.0) -> torch.Tensor:
    """Rotary position encoding of x with shape (..., T, d); returns a tensor of the same shape.

    Positions p = 0 .. T-1 run along dim -2. Each interleaved pair (x[..., 2i], x[..., 2i+1])
    (neighbouring columns, NOT the two halves) is rotated by θ = p / base^(2i / d):
        x'[2i]   = x[2i] cos θ - x[2i+1] sin θ
        x'[2i+1] = x[2i] sin θ + x[2i+1] cos θ

    Raises ValueError if d is odd.
    """
    raise NotImplementedError
