"""Content test: a correct solution in another style (einsum, -inf fill then nan_to_num).

Must earn full marks: the contract does not prescribe how the math is written.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def scaled_dot_product_attention(q, k, v, mask=None):
    scores = torch.einsum("...qd,...kd->...qk", q, k) / math.sqrt(k.size(-1))
    if mask is not None:
        scores = scores.masked_fill(mask == False, float("-inf"))  # noqa: E712
    weights = torch.nan_to_num(F.softmax(scores, dim=-1), nan=0.0)
    return torch.einsum("...qk,...kd->...qd", weights, v), weights


def causal_mask(n):
    if n < 1:
        raise ValueError("n must be positive")
    i = torch.arange(n)
    return i[:, None] >= i[None, :]


class AdditiveAttention(nn.Module):
    def __init__(self, d_q, d_k, d_hidden):
        super().__init__()
        self.W_q = nn.Linear(d_q, d_hidden, bias=False)
        self.W_k = nn.Linear(d_k, d_hidden, bias=False)
        self.w_v = nn.Linear(d_hidden, 1, bias=False)

    def forward(self, q, k, v, mask=None):
        hq, hk = self.W_q(q), self.W_k(k)
        scores = torch.einsum("bqkh,h->bqk", torch.tanh(hq[:, :, None, :] + hk[:, None, :, :]),
                              self.w_v.weight[0])
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        weights = torch.nan_to_num(torch.softmax(scores, -1))
        return torch.einsum("bqk,bkd->bqd", weights, v), weights


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads, bias=True):
        super().__init__()
        if d_model % num_heads:
            raise ValueError("d_model must be divisible by num_heads")
        self.h = num_heads
        self.W_q = nn.Linear(d_model, d_model, bias=bias)
        self.W_k = nn.Linear(d_model, d_model, bias=bias)
        self.W_v = nn.Linear(d_model, d_model, bias=bias)
        self.W_o = nn.Linear(d_model, d_model, bias=bias)

    def forward(self, query, key, value, mask=None):
        B, n_q, d = query.shape
        split = lambda x: x.view(B, x.size(1), self.h, d // self.h)   # (B, n, h, d_h)  # noqa: E731
        q, k, v = split(self.W_q(query)), split(self.W_k(key)), split(self.W_v(value))
        scores = torch.einsum("bqhd,bkhd->bhqk", q, k) / math.sqrt(d // self.h)
        if mask is not None:
            scores = scores.masked_fill(~mask[:, None], float("-inf"))
        weights = torch.nan_to_num(scores.softmax(dim=-1))
        heads = torch.einsum("bhqk,bkhd->bqhd", weights, v).reshape(B, n_q, d)
        return self.W_o(heads), weights
