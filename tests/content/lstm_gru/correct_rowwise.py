"""Correct, another style: one batch row at a time on 1-D vectors, W chunked by gate
before the product, and the sequence written as an explicit index loop."""
import torch


def _lstm_row(x, h, c, W, b):
    W_f, W_i, W_g, W_o = W.chunk(4, dim=1)
    b_f, b_i, b_g, b_o = b.chunk(4)
    hx = torch.cat([h, x])
    f = torch.sigmoid(hx @ W_f + b_f)
    i = torch.sigmoid(hx @ W_i + b_i)
    g = torch.tanh(hx @ W_g + b_g)
    o = torch.sigmoid(hx @ W_o + b_o)
    c_new = f * c + i * g
    return o * torch.tanh(c_new), c_new


def lstm_cell(x_t, h_prev, c_prev, W, b):
    rows = [_lstm_row(x_t[n], h_prev[n], c_prev[n], W, b) for n in range(x_t.shape[0])]
    return torch.stack([h for h, _ in rows]), torch.stack([c for _, c in rows])


def gru_cell(x_t, h_prev, W_z, b_z, W_r, b_r, W_h, U_h, b_h):
    out = []
    for x, h in zip(x_t, h_prev):
        hx = torch.cat([h, x])
        z = torch.sigmoid(hx @ W_z + b_z)
        r = torch.sigmoid(hx @ W_r + b_r)
        h_tilde = torch.tanh(x @ W_h + (r * h) @ U_h + b_h)
        out.append((1 - z) * h + z * h_tilde)
    return torch.stack(out)


def run_lstm(x, h0, c0, W, b):
    T = x.size(1)
    h, c = h0.clone(), c0.clone()
    hs = []
    t = 0
    while t < T:
        h, c = lstm_cell(x[:, t], h, c, W, b)
        hs.append(h)
        t += 1
    return torch.stack(hs, 1), (h, c)
