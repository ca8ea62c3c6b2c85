"""Bench submission: correct (hand-written stable softmax, einsum, loops over nothing)."""
import math

import torch
from torch import nn


def _softmax(scores, mask):
    if mask is not None:
        scores = torch.where(mask, scores, torch.full_like(scores, float("-inf")))
    top = scores.amax(dim=-1, keepdim=True).clamp_min(torch.finfo(scores.dtype).min)
    e = torch.exp(scores - top)
    return e / e.sum(dim=-1, keepdim=True).clamp_min(1e-30)


def scaled_dot_product_attention(q, k, v, mask=None):
    scores = torch.einsum("...qd,...kd->...qk", q, k) / math.sqrt(q.shape[-1])
    weights = _softmax(scores, mask)
    return torch.einsum("...qk,...kd->...qd", weights, v), weights


def causal_mask(n):
    if n < 1:
        raise ValueError(f"causal_mask: n must be >= 1, got {n}")
    i = torch.arange(n)
    return i[:, None] >= i[None, :]


class AdditiveAttention(nn.Module):
    def __init__(self, d_q, d_k, d_hidden):
        super().__init__()
        self.W_q = nn.Linear(d_q, d_hidden, bias=False)
        self.W_k = nn.Linear(d_k, d_hidden, bias=False)
        self.w_v = nn.Linear(d_hidden, 1, bias=False)

    def forward(self, q, k, v, mask=None):
        scores = self.w_v(torch.tanh(self.W_q(q)[:, :, None, :] + self.W_k(k)[:, None, :, :]))[..., 0]
        weights = _softmax(scores, mask)
        return weights @ v, weights


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads, bias=True):
        super().__init__()
        if num_heads < 1 or d_model % num_heads != 0:
            raise ValueError("num_heads must divide d_model")
        self.num_heads = num_heads
        for name in ("W_q", "W_k", "W_v", "W_o"):
            setattr(self, name, nn.Linear(d_model, d_model, bias=bias))

    def forward(self, query, key, value, mask=None):
        h = self.num_heads
        split = lambda x: x.unflatten(-1, (h, -1)).transpose(-3, -2)  # noqa: E731
        q, k, v = split(self.W_q(query)), split(self.W_k(key)), split(self.W_v(value))
        out, weights = scaled_dot_product_attention(q, k, v, None if mask is None else mask.unsqueeze(-3))
        return self.W_o(out.transpose(-3, -2).flatten(-2)), weights
