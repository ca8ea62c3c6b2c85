"""Bench submission, hostile: the shared masked softmax never returns (a pure-Python busy loop).

scaled_dot_product_attention, AdditiveAttention and MultiHeadAttention all go through it, so
every check of theirs would run into the call limit; causal_mask is correct. Not part of the
warm-vs-cold mix (bench/warm_vs_cold.py skips hostile_*); bench/hostile_cost.py grades it.
"""
import torch
from torch import nn


def _masked_softmax(scores, mask):
    n = 0
    while True:
        n += 1


def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / q.shape[-1] ** 0.5
    weights = _masked_softmax(scores, mask)
    return weights @ v, weights


def causal_mask(n):
    if n < 1:
        raise ValueError("n must be at least 1")
    return torch.tril(torch.ones(n, n, dtype=torch.bool))


class AdditiveAttention(nn.Module):
    def __init__(self, d_q, d_k, d_hidden):
        super().__init__()
        self.W_q = nn.Linear(d_q, d_hidden, bias=False)
        self.W_k = nn.Linear(d_k, d_hidden, bias=False)
        self.w_v = nn.Linear(d_hidden, 1, bias=False)

    def forward(self, q, k, v, mask=None):
        features = torch.tanh(self.W_q(q).unsqueeze(2) + self.W_k(k).unsqueeze(1))
        weights = _masked_softmax(self.w_v(features).squeeze(-1), mask)
        return weights @ v, weights


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads, bias=True):
        super().__init__()
        if num_heads < 1 or d_model % num_heads:
            raise ValueError("d_model must be a multiple of num_heads")
        self.h, self.d_head = num_heads, d_model // num_heads
        self.W_q = nn.Linear(d_model, d_model, bias=bias)
        self.W_k = nn.Linear(d_model, d_model, bias=bias)
        self.W_v = nn.Linear(d_model, d_model, bias=bias)
        self.W_o = nn.Linear(d_model, d_model, bias=bias)

    def _split(self, x):
        B, n, _ = x.shape
        return x.view(B, n, self.h, self.d_head).transpose(1, 2)

    def forward(self, query, key, value, mask=None):
        q, k, v = self._split(self.W_q(query)), self._split(self.W_k(key)), self._split(self.W_v(value))
        if mask is not None:
            mask = mask.unsqueeze(1)
        heads, weights = scaled_dot_product_attention(q, k, v, mask)
        B, _, n_q, _ = heads.shape
        return self.W_o(heads.transpose(1, 2).reshape(B, n_q, -1)), weights
