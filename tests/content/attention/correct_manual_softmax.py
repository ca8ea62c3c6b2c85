"""Content test: a correct solution with a hand-written masked softmax and torch.where.

Must earn full marks: the row max is taken over allowed keys only and clamped, so a row with
no allowed key yields 0 / 0-guarded = 0 without ever producing NaN.
"""
import math

import torch
from torch import nn


def _softmax(scores, mask):
    if mask is not None:
        scores = torch.where(mask, scores, torch.tensor(float("-inf")))
    top = scores.amax(dim=-1, keepdim=True).clamp_min(torch.finfo(scores.dtype).min)
    e = torch.exp(scores - top)
    return e / e.sum(dim=-1, keepdim=True).clamp_min(1e-30)


def scaled_dot_product_attention(q, k, v, mask=None):
    d_k = q.shape[-1]
    weights = _softmax(q @ k.mT * (1.0 / math.sqrt(d_k)), mask)
    return weights @ v, weights


def causal_mask(n):
    if not n >= 1:
        raise ValueError("causal_mask: n must be >= 1")
    return ~torch.ones(n, n, dtype=torch.bool).triu(diagonal=1)


class AdditiveAttention(nn.Module):
    def __init__(self, d_q, d_k, d_hidden):
        super().__init__()
        self.W_q = nn.Linear(d_q, d_hidden, bias=False)
        self.W_k = nn.Linear(d_k, d_hidden, bias=False)
        self.w_v = nn.Linear(d_hidden, 1, bias=False)

    def forward(self, q, k, v, mask=None):
        e = self.w_v(torch.tanh(self.W_q(q)[:, :, None] + self.W_k(k)[:, None])).squeeze(3)
        weights = _softmax(e, mask)
        return weights @ v, weights


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads, bias=True):
        super().__init__()
        if d_model % num_heads != 0:
            raise ValueError("d_model must be divisible by num_heads")
        self.h, self.d_k = num_heads, d_model // num_heads
        for name in ("W_q", "W_k", "W_v", "W_o"):
            setattr(self, name, nn.Linear(d_model, d_model, bias=bias))

    def forward(self, query, key, value, mask=None):
        B, n_q, d_model = query.shape
        q = self.W_q(query).reshape(B, n_q, self.h, self.d_k).transpose(1, 2)
        k = self.W_k(key).reshape(B, -1, self.h, self.d_k).transpose(1, 2)
        v = self.W_v(value).reshape(B, -1, self.h, self.d_k).transpose(1, 2)
        out, weights = scaled_dot_product_attention(q, k, v, None if mask is None else mask[:, None])
        return self.W_o(out.transpose(1, 2).reshape(B, n_q, d_model)), weights
