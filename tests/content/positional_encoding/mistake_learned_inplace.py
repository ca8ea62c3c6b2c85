"""Known mistake (learned_inplace): forward adds in place into x.

Otherwise the reference; the grader must catch and name this.
"""
import math

import torch
from torch import nn

__all__ = ["sinusoidal_encoding", "LearnedPositionalEmbedding", "apply_rope"]


def _is_int(value) -> bool:
    # bool is an int subclass, but True is not a length anyone means
    return isinstance(value, int) and not isinstance(value, bool)


def _angles(length: int, dim: int, base: float, device=None) -> torch.Tensor:
    """θ[p, i] = p / base^(2i/dim) for p < length and i < dim/2, in float64, shape (length, dim/2)."""
    # float64 because p·ω is rounded to float32's grid: near p = 2000 that alone costs about 1e-4
    positions = torch.arange(length, dtype=torch.float64, device=device)
    two_i = torch.arange(0, dim, 2, dtype=torch.float64, device=device)
    inv_freq = torch.exp(-math.log(base) * two_i / dim)
    return torch.outer(positions, inv_freq)


def _interleave(even: torch.Tensor, odd: torch.Tensor) -> torch.Tensor:
    """Put `even` in the columns 0, 2, 4, ... and `odd` in 1, 3, 5, ... of the last axis."""
    return torch.stack((even, odd), dim=-1).flatten(-2)


def sinusoidal_encoding(max_len: int, d_model: int) -> torch.Tensor:
    """The (max_len, d_model) table PE[p, 2i] = sin(p / 10000^(2i/d_model)), PE[p, 2i+1] = cos(...).

    Raises ValueError unless max_len is an integer >= 1 and d_model a positive even integer.
    """
    if not _is_int(max_len) or max_len < 1:
        raise ValueError(f"max_len must be an integer >= 1, got {max_len!r}")
    if not _is_int(d_model) or d_model < 1 or d_model % 2 != 0:
        raise ValueError(f"d_model must be a positive even integer, got {d_model!r}")
    angles = _angles(max_len, d_model, 10000.0)
    return _interleave(angles.sin(), angles.cos()).to(torch.float32)


class LearnedPositionalEmbedding(nn.Module):
    """A trainable (max_len, d_model) table; forward adds its first T rows to x (B, T, d_model)."""

    def __init__(self, max_len: int, d_model: int):
        super().__init__()
        if not _is_int(max_len) or max_len < 1:
            raise ValueError(f"max_len must be an integer >= 1, got {max_len!r}")
        if not _is_int(d_model) or d_model < 1:
            raise ValueError(f"d_model must be a positive integer, got {d_model!r}")
        self.max_len = max_len
        self.d_model = d_model
        # BERT and GPT-2 start their position tables at N(0, 0.02²); small, so x dominates early on
        self.weight = nn.Parameter(torch.randn(max_len, d_model) * 0.02)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        length = x.shape[-2]
        if length > self.max_len:
            raise ValueError(f"sequence length {length} exceeds max_len={self.max_len}")
        x += self.weight[:length]
        return x


def apply_rope(x: torch.Tensor, base: float = 10000.0) -> torch.Tensor:
    """Rotate each interleaved pair (x[2i], x[2i+1]) at position p by θ = p / base^(2i/d).

    x has shape (..., T, d); positions run 0..T-1 along dim -2. Raises ValueError for odd d.
    """
    if x.dim() < 2:
        raise ValueError(f"x must have shape (..., T, d), got {tuple(x.shape)}")
    length, dim = x.shape[-2], x.shape[-1]
    if dim % 2 != 0:
        raise ValueError(f"the last dimension must be even to form pairs, got d={dim}")
    angles = _angles(length, dim, base, device=x.device)
    cos, sin = angles.cos(), angles.sin()
    even, odd = x[..., 0::2].double(), x[..., 1::2].double()
    rotated = _interleave(even * cos - odd * sin, even * sin + odd * cos)
    return rotated.to(x.dtype)
