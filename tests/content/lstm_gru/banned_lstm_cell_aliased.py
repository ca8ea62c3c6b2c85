"""Mistake: calls torch.lstm_cell through an alias (banned) with remapped weights."""
import torch

step = torch.lstm_cell


def lstm_cell(x_t, h_prev, c_prev, W, b):
    """One LSTM step.

    x_t (B, d_in), h_prev and c_prev (B, d_h), W (d_h + d_in, 4 d_h), b (4 d_h,).
    Returns (h_t, c_t), each (B, d_h).
    """
    d_h = h_prev.shape[-1]
    f, i, g, o = W.split(d_h, dim=1)
    W_torch = torch.cat([i, f, g, o], dim=1).T
    bf, bi, bg, bo = b.split(d_h)
    b_torch = torch.cat([bi, bf, bg, bo])
    return step(x_t, (h_prev, c_prev), W_torch[:, d_h:], W_torch[:, :d_h], b_torch, torch.zeros_like(b_torch))


def gru_cell(x_t, h_prev, W_z, b_z, W_r, b_r, W_h, U_h, b_h):
    """One GRU step in the lecture's form.

    x_t (B, d_in), h_prev (B, d_h); W_z and W_r (d_h + d_in, d_h), W_h (d_in, d_h),
    U_h (d_h, d_h), biases (d_h,). Returns h_t (B, d_h).
    """
    hx = torch.cat([h_prev, x_t], dim=-1)
    z = torch.sigmoid(hx @ W_z + b_z)
    r = torch.sigmoid(hx @ W_r + b_r)
    h_tilde = torch.tanh(x_t @ W_h + (r * h_prev) @ U_h + b_h)
    return (1 - z) * h_prev + z * h_tilde


def run_lstm(x, h0, c0, W, b):
    """Run lstm_cell over x (B, T, d_in) from (h0, c0).

    Returns (hs, (h_T, c_T)); hs (B, T, d_h) holds h_1..h_T, so hs[:, -1] is h_T.
    """
    h, c = h0, c0
    hs = []
    for t in range(x.shape[1]):
        h, c = lstm_cell(x[:, t], h, c, W, b)
        hs.append(h)
    return torch.stack(hs, dim=1), (h, c)
