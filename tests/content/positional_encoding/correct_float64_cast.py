"""Correct: a float64 table cast to float32, a learned table with a position-id buffer
(as Hugging Face models keep one), RoPE by the rotate-every-two trick in float32."""
import numbers

import torch
from torch import nn


def sinusoidal_encoding(max_len: int, d_model: int) -> torch.Tensor:
    if not isinstance(max_len, numbers.Integral) or max_len < 1:
        raise ValueError(f"bad max_len {max_len}")
    if not isinstance(d_model, numbers.Integral) or d_model < 2 or d_model % 2:
        raise ValueError(f"bad d_model {d_model}")
    pos = torch.arange(max_len, dtype=torch.float64).unsqueeze(1)
    div = torch.pow(10000.0, torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)
    pe = torch.zeros(max_len, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(pos / div)
    pe[:, 1::2] = torch.cos(pos / div)
    return pe.float()


class LearnedPositionalEmbedding(nn.Module):
    def __init__(self, max_len: int, d_model: int):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(max_len, d_model))
        nn.init.normal_(self.weight, std=0.02)
        self.register_buffer("position_ids", torch.arange(max_len))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        seq_len = x.shape[1]
        if seq_len > self.weight.shape[0]:
            raise ValueError(f"T={seq_len} > max_len={self.weight.shape[0]}")
        return x + self.weight[self.position_ids[:seq_len]]


def apply_rope(x: torch.Tensor, base: float = 10000.0) -> torch.Tensor:
    seq_len, dim = x.shape[-2:]
    if dim % 2 == 1:
        raise ValueError("odd feature dimension")
    inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2).float() / dim))
    freqs = torch.outer(torch.arange(seq_len).float(), inv_freq)
    cos = freqs.cos().repeat_interleave(2, dim=-1)
    sin = freqs.sin().repeat_interleave(2, dim=-1)
    rotated = torch.stack((-x[..., 1::2], x[..., 0::2]), dim=-1).flatten(-2)
    return x * cos + rotated * sin
