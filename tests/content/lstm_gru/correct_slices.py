"""Correct, another style: W sliced into its h- and x-rows and per-gate columns, a
hand-written sigmoid, split GRU weights, and hs written into a preallocated tensor."""
import torch


def sigmoid(a):
    return 1.0 / (1.0 + torch.exp(-a))


def lstm_cell(x_t, h_prev, c_prev, W, b):
    d_h = h_prev.shape[1]
    W_h, W_x = W[:d_h], W[d_h:]

    def gate(k):
        cols = slice(k * d_h, (k + 1) * d_h)
        return h_prev @ W_h[:, cols] + x_t @ W_x[:, cols] + b[cols]

    f, i, g, o = sigmoid(gate(0)), sigmoid(gate(1)), torch.tanh(gate(2)), sigmoid(gate(3))
    c_t = f * c_prev + i * g
    return o * torch.tanh(c_t), c_t


def gru_cell(x_t, h_prev, W_z, b_z, W_r, b_r, W_h, U_h, b_h):
    d_h = h_prev.shape[1]
    z = sigmoid(h_prev @ W_z[:d_h] + x_t @ W_z[d_h:] + b_z)
    r = sigmoid(h_prev @ W_r[:d_h] + x_t @ W_r[d_h:] + b_r)
    candidate = torch.tanh(x_t @ W_h + (r * h_prev) @ U_h + b_h)
    return h_prev + z * (candidate - h_prev)


def run_lstm(x, h0, c0, W, b):
    B, T, _ = x.shape
    hs = x.new_zeros(B, T, h0.shape[1])
    h, c = h0, c0
    for t in range(T):
        h, c = lstm_cell(x[:, t, :], h, c, W, b)
        hs[:, t] = h
    return hs, (h, c)
