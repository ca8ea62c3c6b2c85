"""Correct, another style: float64 internally, torch.split/einsum, F.sigmoid, a list
result, unbind over time and torch.cat of unsqueezed states."""
import torch
import torch.nn.functional as F


def lstm_cell(x_t, h_prev, c_prev, W, b):
    dtype = x_t.dtype
    hx = torch.cat((h_prev, x_t), 1).double()
    pre = torch.einsum("bk,kn->bn", hx, W.double()) + b.double()
    f, i, g, o = torch.split(pre, h_prev.shape[-1], dim=1)
    c_t = F.sigmoid(f) * c_prev.double() + F.sigmoid(i) * F.tanh(g)
    h_t = F.sigmoid(o) * F.tanh(c_t)
    return [h_t.to(dtype), c_t.to(dtype)]


def gru_cell(x_t, h_prev, W_z, b_z, W_r, b_r, W_h, U_h, b_h):
    hx = torch.hstack([h_prev, x_t])
    z = torch.addmm(b_z, hx, W_z).sigmoid()
    r = torch.addmm(b_r, hx, W_r).sigmoid()
    h_new = torch.tanh(torch.addmm(b_h, x_t, W_h) + torch.mm(r.mul(h_prev), U_h))
    return torch.lerp(h_prev, h_new, z)


def run_lstm(x, h0, c0, W, b):
    state = (h0, c0)
    outputs = []
    for x_t in torch.unbind(x, dim=1):
        state = tuple(lstm_cell(x_t, *state, W, b))
        outputs.append(state[0].unsqueeze(1))
    return torch.cat(outputs, dim=1), state
