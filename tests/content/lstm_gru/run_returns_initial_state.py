"""Mistake: returns (h0, c0) as the final state."""
import torch


def lstm_cell(x_t, h_prev, c_prev, W, b):
    """One LSTM step.

    x_t (B, d_in), h_prev and c_prev (B, d_h), W (d_h + d_in, 4 d_h), b (4 d_h,).
    Returns (h_t, c_t), each (B, d_h).
    """
    z = torch.cat([h_prev, x_t], dim=-1) @ W + b
    f, i, g, o = z.chunk(4, dim=-1)
    c_t = torch.sigmoid(f) * c_prev + torch.sigmoid(i) * torch.tanh(g)
    h_t = torch.sigmoid(o) * torch.tanh(c_t)
    return h_t, c_t


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
    return torch.stack(hs, dim=1), (h0, c0)
