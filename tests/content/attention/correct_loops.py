"""Content test: a correct solution written with explicit Python loops and a hand-made softmax.

Must earn full marks: slow but right (within the time limits of the checks' sizes).
"""
import math

import torch
from torch import nn


def _softmax_allowed(scores, allowed):
    """Softmax of a 1-D score vector over the allowed entries; zeros if none is allowed."""
    if not bool(allowed.any()):
        return torch.zeros_like(scores)
    top = scores[allowed].max()
    e = torch.where(allowed, torch.exp(scores - top), torch.zeros_like(scores))
    return e / e.sum()


def _attend_2d(q, k, v, allowed):
    n_q, n_k = q.shape[0], k.shape[0]
    weights = torch.zeros(n_q, n_k)
    out = torch.zeros(n_q, v.shape[1])
    for i in range(n_q):
        scores = torch.stack([(q[i] * k[j]).sum() for j in range(n_k)]) / math.sqrt(q.shape[1])
        w = _softmax_allowed(scores, allowed[i])
        weights[i] = w
        out[i] = (w[:, None] * v).sum(0)
    return out, weights


def scaled_dot_product_attention(q, k, v, mask=None):
    batch = q.shape[:-2]
    n_q, n_k = q.shape[-2], k.shape[-2]
    allowed = torch.ones(n_q, n_k, dtype=torch.bool) if mask is None else mask
    allowed = allowed.expand(*batch, n_q, n_k).reshape(-1, n_q, n_k)
    qs, ks, vs = q.reshape(-1, n_q, q.shape[-1]), k.reshape(-1, n_k, k.shape[-1]), v.reshape(-1, n_k, v.shape[-1])
    outs, weights = [], []
    for b in range(qs.shape[0]):
        o, w = _attend_2d(qs[b], ks[b], vs[b], allowed[b])
        outs.append(o)
        weights.append(w)
    return (torch.stack(outs).reshape(*batch, n_q, v.shape[-1]),
            torch.stack(weights).reshape(*batch, n_q, n_k))


def causal_mask(n):
    if n < 1:
        raise ValueError("n must be at least 1")
    mask = torch.zeros(n, n, dtype=torch.bool)
    for i in range(n):
        for j in range(i + 1):
            mask[i, j] = True
    return mask


class AdditiveAttention(nn.Module):
    def __init__(self, d_q, d_k, d_hidden):
        super().__init__()
        self.W_q = nn.Linear(d_q, d_hidden, bias=False)
        self.W_k = nn.Linear(d_k, d_hidden, bias=False)
        self.w_v = nn.Linear(d_hidden, 1, bias=False)

    def forward(self, q, k, v, mask=None):
        B, n_q, n_k = q.shape[0], q.shape[1], k.shape[1]
        allowed = torch.ones(B, n_q, n_k, dtype=torch.bool) if mask is None else mask.expand(B, n_q, n_k)
        outs, weights = [], []
        for b in range(B):
            rows_w, rows_o = [], []
            for i in range(n_q):
                scores = torch.cat([self.w_v(torch.tanh(self.W_q(q[b, i]) + self.W_k(k[b, j])))
                                    for j in range(n_k)])
                w = _softmax_allowed(scores, allowed[b, i])
                rows_w.append(w)
                rows_o.append(w @ v[b])
            weights.append(torch.stack(rows_w))
            outs.append(torch.stack(rows_o))
        return torch.stack(outs), torch.stack(weights)


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads, bias=True):
        super().__init__()
        if d_model % num_heads != 0:
            raise ValueError("d_model % num_heads != 0")
        self.num_heads = num_heads
        self.d_head = d_model // num_heads
        self.W_q = nn.Linear(d_model, d_model, bias=bias)
        self.W_k = nn.Linear(d_model, d_model, bias=bias)
        self.W_v = nn.Linear(d_model, d_model, bias=bias)
        self.W_o = nn.Linear(d_model, d_model, bias=bias)

    def forward(self, query, key, value, mask=None):
        Q, K, V = self.W_q(query), self.W_k(key), self.W_v(value)
        heads, weights = [], []
        for h in range(self.num_heads):
            cols = slice(h * self.d_head, (h + 1) * self.d_head)
            o, w = scaled_dot_product_attention(Q[..., cols], K[..., cols], V[..., cols], mask)
            heads.append(o)
            weights.append(w)
        return self.W_o(torch.cat(heads, dim=-1)), torch.stack(weights, dim=1)
