"""Attention mechanisms: scaled dot-product, causal mask, additive and multi-head attention.

과제 설명은 README.ko.md, the statement is README.en.md. Submit this file as `attention.py`.

Conventions used by every function here:
- tensors are float32 and batch-first;
- a bool mask has True where a query MAY attend to a key (as in
  torch.nn.functional.scaled_dot_product_attention) and broadcasts against the scores
  (..., n_q, n_k);
- a query row with no allowed key gets all-zero weights and an all-zero output, never NaN;
- inputs are never modified in place.

Banned here (using one costs the points of the function that uses it):
torch.nn.functional.scaled_dot_product_attention, torch.nn.MultiheadAttention,
torch.nn.functional.multi_head_attention_forward.
"""
import math

import torch
from torch import nn


def scaled_dot_product_attention(q, k, v, mask=None):
    """Scaled dot-product attention over the last two axes.

    Args:
        q: (..., n_q, d_k) queries.
        k: (..., n_k, d_k) keys.
        v: (..., n_k, d_v) values.
        mask: optional bool tensor broadcastable to (..., n_q, n_k); True = may attend.

    Returns:
        (out, weights): out (..., n_q, d_v) and weights (..., n_q, n_k), where
        weights = softmax(q k^T / sqrt(d_k)) over the keys and out = weights v.
    """
    raise NotImplementedError


def causal_mask(n):
    """(n, n) bool mask, True on and below the diagonal (query i may see keys 0..i).

    Raises:
        ValueError: if n < 1.
    """
    raise NotImplementedError


class AdditiveAttention(nn.Module):
    """Additive (Bahdanau) attention: score(q_i, k_j) = w_v(tanh(W_q q_i + W_k k_j)).

    Submodules (names and shapes are graded):
        W_q = nn.Linear(d_q, d_hidden, bias=False)
        W_k = nn.Linear(d_k, d_hidden, bias=False)
        w_v = nn.Linear(d_hidden, 1, bias=False)
    """

    def __init__(self, d_q, d_k, d_hidden):
        super().__init__()
        raise NotImplementedError

    def forward(self, q, k, v, mask=None):
        """q (B, n_q, d_q), k (B, n_k, d_k), v (B, n_k, d_v), mask as in scaled_dot_product_attention.

        Returns:
            (out, weights): out (B, n_q, d_v), weights (B, n_q, n_k).
        """
        raise NotImplementedError


class MultiHeadAttention(nn.Module):
    """Multi-head attention with num_heads heads of size d_model // num_heads.

    Submodules (names and shapes are graded): W_q, W_k, W_v, W_o, each
    nn.Linear(d_model, d_model, bias=bias). Head i uses features
    i*d_head:(i+1)*d_head of each projection, as torch.nn.MultiheadAttention does.

    Raises:
        ValueError: if d_model is not a multiple of num_heads.
    """

    def __init__(self, d_model, num_heads, bias=True):
        super().__init__()
        raise NotImplementedError

    def forward(self, query, key, value, mask=None):
        """query (B, n_q, d_model), key and value (B, n_k, d_model).

        mask: optional bool tensor broadcastable to (B, n_q, n_k), e.g. (B, n_q, n_k),
        (B, 1, n_k) or (1, n_q, n_k); the same mask applies to every head.

        Returns:
            (out, weights): out (B, n_q, d_model), weights (B, num_heads, n_q, n_k).
        """
        raise NotImplementedError
