"""Correct, another style: einsum in the cell, a preallocated hs, BPTT one batch row at a
time with outer products, and the clipping norm accumulated with math.sqrt over floats."""
import math

import torch


def rnn_cell(x_t, h_prev, W_xh, W_hh, b_h):
    return torch.tanh(torch.einsum("bi,ih->bh", x_t, W_xh) + torch.einsum("bj,jh->bh", h_prev, W_hh) + b_h)


def rnn_forward(x, h0, W_xh, W_hh, b_h, W_hy, b_y):
    B, T, _ = x.shape
    hs = torch.empty(B, T, W_hh.shape[0], dtype=x.dtype)
    h = h0
    for t in range(T):
        h = rnn_cell(x[:, t, :], h, W_xh, W_hh, b_h)
        hs[:, t, :] = h
    y = torch.empty(B, T, W_hy.shape[1], dtype=x.dtype)
    for t in range(T):
        y[:, t, :] = hs[:, t, :] @ W_hy + b_y
    return y, hs


def rnn_backward(dy, x, h0, W_xh, W_hh, b_h, W_hy, b_y):
    _, hs = rnn_forward(x, h0, W_xh, W_hh, b_h, W_hy, b_y)
    B, T, _ = x.shape
    g = {"x": torch.zeros_like(x), "h0": torch.zeros_like(h0), "W_xh": torch.zeros_like(W_xh),
         "W_hh": torch.zeros_like(W_hh), "b_h": torch.zeros_like(b_h), "W_hy": torch.zeros_like(W_hy),
         "b_y": torch.zeros_like(b_y)}
    for n in range(B):
        carry = torch.zeros(W_hh.shape[0], dtype=x.dtype)
        for t in range(T - 1, -1, -1):
            h_t = hs[n, t]
            h_before = hs[n, t - 1] if t > 0 else h0[n]
            g["W_hy"] += torch.outer(h_t, dy[n, t])
            g["b_y"] += dy[n, t]
            da = (W_hy @ dy[n, t] + carry) * (1 - h_t * h_t)
            g["W_xh"] += torch.outer(x[n, t], da)
            g["W_hh"] += torch.outer(h_before, da)
            g["b_h"] += da
            g["x"][n, t] = W_xh @ da
            carry = W_hh @ da
        g["h0"][n] = carry
    return g


def clip_grad_norm(grads, max_norm):
    if max_norm <= 0:
        raise ValueError("max_norm must be > 0")
    total = math.sqrt(sum(float((g.double() * g.double()).sum()) for g in grads))
    scale = min(1.0, max_norm / (total + 1e-6))
    return tuple(g * scale for g in grads), total
