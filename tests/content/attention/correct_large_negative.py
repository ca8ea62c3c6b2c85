"""Content test: a correct solution that fills blocked scores with -1e9 and zeroes dead rows.

Must earn full marks: a large finite negative fill is exact in float32 once the row max is
subtracted, as long as rows with no allowed key are set to zero explicitly.
"""
import math

import torch
from torch import nn


def scaled_dot_product_attention(q, k, v, mask=None):
    scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(q.size(-1))
    if mask is None:
        weights = torch.softmax(scores, dim=-1)
    else:
        scores = scores.masked_fill(~mask, -1e9)
        weights = torch.softmax(scores, dim=-1) * mask.any(dim=-1, keepdim=True)
    return torch.matmul(weights, v), weights


def causal_mask(n):
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    return torch.tril(torch.ones(n, n)).bool()


class AdditiveAttention(nn.Module):
    def __init__(self, d_q, d_k, d_hidden):
        super().__init__()
        self.W_q = nn.Linear(d_q, d_hidden, bias=False)
        self.W_k = nn.Linear(d_k, d_hidden, bias=False)
        self.w_v = nn.Linear(d_hidden, 1, bias=False)

    def forward(self, q, k, v, mask=None):
        n_q, n_k = q.size(1), k.size(1)
        hq = self.W_q(q).unsqueeze(2).expand(-1, -1, n_k, -1)
        hk = self.W_k(k).unsqueeze(1).expand(-1, n_q, -1, -1)
        scores = self.w_v(torch.tanh(hq + hk)).squeeze(-1)
        if mask is None:
            weights = torch.softmax(scores, dim=-1)
        else:
            weights = torch.softmax(scores.masked_fill(~mask, -1e9), dim=-1) * mask.any(-1, keepdim=True)
        return torch.bmm(weights, v), weights


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads, bias=True):
        super().__init__()
        if d_model % num_heads != 0:
            raise ValueError("num_heads must divide d_model")
        self.d_model, self.num_heads = d_model, num_heads
        self.W_q = nn.Linear(d_model, d_model, bias=bias)
        self.W_k = nn.Linear(d_model, d_model, bias=bias)
        self.W_v = nn.Linear(d_model, d_model, bias=bias)
        self.W_o = nn.Linear(d_model, d_model, bias=bias)

    def forward(self, query, key, value, mask=None):
        B = query.size(0)
        d_head = self.d_model // self.num_heads

        def split(x):
            return x.view(B, -1, self.num_heads, d_head).permute(0, 2, 1, 3)

        q, k, v = split(self.W_q(query)), split(self.W_k(key)), split(self.W_v(value))
        out, weights = scaled_dot_product_attention(q, k, v, None if mask is None else mask.unsqueeze(1))
        out = out.permute(0, 2, 1, 3).contiguous().view(B, -1, self.d_model)
        return self.W_o(out), weights
