"""Content test: the reference with one mistake: scaled_dot_product_attention divides by d_k instead of sqrt(d_k)."""
import math

import torch
from torch import nn


def _masked_softmax(scores, mask):
    """Softmax over keys (the last axis) that ignores disallowed keys.

    Disallowed scores become -inf so that they get exactly zero weight whatever the other
    scores are (a finite fill such as -1e9 is only "small" relative to the real scores).
    A row whose keys are all disallowed comes out of softmax as NaN (0/0); filling the
    disallowed positions with 0 afterwards turns such a row into zeros and leaves every
    other row untouched, because its disallowed positions are already exactly 0.
    """
    if mask is None:
        return torch.softmax(scores, dim=-1)
    if mask.dtype != torch.bool:
        raise ValueError(f"mask must be a bool tensor (True = may attend), not {mask.dtype}")
    blocked = ~mask
    weights = torch.softmax(scores.masked_fill(blocked, float("-inf")), dim=-1)
    return weights.masked_fill(blocked, 0.0)


def scaled_dot_product_attention(q, k, v, mask=None):
    """softmax(q k^T / sqrt(d_k)) v over the last two axes; returns (out, weights).

    q (..., n_q, d_k), k (..., n_k, d_k), v (..., n_k, d_v); mask bool, broadcastable to
    (..., n_q, n_k). out (..., n_q, d_v), weights (..., n_q, n_k).
    """
    d_k = q.shape[-1]
    # Dividing by sqrt(d_k) keeps the scores' variance near 1 for unit-variance q, k,
    # so softmax does not saturate as d_k grows.
    scores = q @ k.transpose(-2, -1) / d_k  # <- the mistake
    weights = _masked_softmax(scores, mask)
    return weights @ v, weights


def causal_mask(n):
    """(n, n) bool mask, True on and below the diagonal: position i may see 0..i."""
    if n < 1:
        raise ValueError(f"causal_mask needs n >= 1, got {n}")
    return torch.ones(n, n, dtype=torch.bool).tril()


class AdditiveAttention(nn.Module):
    """Bahdanau attention: score(q_i, k_j) = w_v^T tanh(W_q q_i + W_k k_j)."""

    def __init__(self, d_q, d_k, d_hidden):
        super().__init__()
        self.W_q = nn.Linear(d_q, d_hidden, bias=False)
        self.W_k = nn.Linear(d_k, d_hidden, bias=False)
        self.w_v = nn.Linear(d_hidden, 1, bias=False)

    def forward(self, q, k, v, mask=None):
        """q (B, n_q, d_q), k (B, n_k, d_k), v (B, n_k, d_v) -> (out (B, n_q, d_v), weights (B, n_q, n_k))."""
        # Every (query, key) pair needs its own tanh, so the projections are broadcast
        # into a (B, n_q, n_k, d_hidden) grid rather than multiplied.
        features = torch.tanh(self.W_q(q).unsqueeze(-2) + self.W_k(k).unsqueeze(-3))
        scores = self.w_v(features).squeeze(-1)
        weights = _masked_softmax(scores, mask)
        return weights @ v, weights


class MultiHeadAttention(nn.Module):
    """Multi-head attention of "Attention Is All You Need", laid out like nn.MultiheadAttention.

    Head i uses columns i*d_head:(i+1)*d_head of each projection's output, which is what
    nn.MultiheadAttention does with the rows of its in_proj_weight.
    """

    def __init__(self, d_model, num_heads, bias=True):
        super().__init__()
        if num_heads < 1 or d_model % num_heads != 0:
            raise ValueError(f"d_model ({d_model}) must be a multiple of num_heads ({num_heads})")
        self.d_model = d_model
        self.num_heads = num_heads
        self.d_head = d_model // num_heads
        self.W_q = nn.Linear(d_model, d_model, bias=bias)
        self.W_k = nn.Linear(d_model, d_model, bias=bias)
        self.W_v = nn.Linear(d_model, d_model, bias=bias)
        self.W_o = nn.Linear(d_model, d_model, bias=bias)

    def _split_heads(self, x):
        # (B, n, d_model) -> (B, n, h, d_head) -> (B, h, n, d_head). Reshaping straight to
        # (B, h, n, d_head) would mix positions into heads instead of splitting features.
        return x.unflatten(-1, (self.num_heads, self.d_head)).transpose(-3, -2)

    def forward(self, query, key, value, mask=None):
        """query (B, n_q, d_model), key/value (B, n_k, d_model) -> (out (B, n_q, d_model), weights (B, h, n_q, n_k))."""
        q = self._split_heads(self.W_q(query))
        k = self._split_heads(self.W_k(key))
        v = self._split_heads(self.W_v(value))
        if mask is not None:
            mask = mask.unsqueeze(-3)   # one mask for every head: (B, n_q, n_k) -> (B, 1, n_q, n_k)
        heads, weights = scaled_dot_product_attention(q, k, v, mask)
        concat = heads.transpose(-3, -2).flatten(-2)   # (B, h, n_q, d_head) -> (B, n_q, d_model)
        return self.W_o(concat), weights
