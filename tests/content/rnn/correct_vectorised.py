"""Correct, another style: the weight gradients summed over all steps at once with einsum
after the backward loop, and clipping with torch.linalg.vector_norm and a tensor coefficient
clamped at 1, as torch computes it."""
import torch


def rnn_cell(x_t, h_prev, W_xh, W_hh, b_h):
    return (torch.addmm(b_h, x_t, W_xh) + h_prev @ W_hh).tanh()


def rnn_forward(x, h0, W_xh, W_hh, b_h, W_hy, b_y):
    states = [h0]
    for x_t in x.unbind(1):
        states.append(rnn_cell(x_t, states[-1], W_xh, W_hh, b_h))
    hs = torch.stack(states[1:], 1)
    return torch.einsum("btd,do->bto", hs, W_hy) + b_y, hs


def rnn_backward(dy, x, h0, W_xh, W_hh, b_h, W_hy, b_y):
    _, hs = rnn_forward(x, h0, W_xh, W_hh, b_h, W_hy, b_y)
    dh_from_y = dy @ W_hy.T                            # (B, T, d_h): every step's share of dy at once
    dzs = []
    carry = torch.zeros_like(h0)
    for t in range(x.shape[1] - 1, -1, -1):
        dz = (dh_from_y[:, t] + carry) * (1 - hs[:, t].pow(2))
        dzs.append(dz)
        carry = dz @ W_hh.T
    dz = torch.stack(dzs[::-1], 1)                     # (B, T, d_h)
    before = torch.cat([h0[:, None], hs[:, :-1]], 1)
    return {
        "x": dz @ W_xh.T, "h0": carry,
        "W_xh": torch.einsum("bti,bth->ih", x, dz), "W_hh": torch.einsum("btj,bth->jh", before, dz),
        "b_h": dz.sum((0, 1)),
        "W_hy": torch.einsum("bth,bto->ho", hs, dy), "b_y": dy.sum((0, 1)),
    }


def clip_grad_norm(grads, max_norm):
    if not max_norm > 0:
        raise ValueError("max_norm must be positive")
    total = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads]))
    coef = torch.clamp(max_norm / (total + 1e-6), max=1.0)
    return [g * coef for g in grads], total.item()
