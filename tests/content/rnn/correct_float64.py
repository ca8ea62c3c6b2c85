"""Correct, another style: float64 inside (results stay float64), the state as a Python list,
BPTT that replays the forward steps itself, and the norm of all entries concatenated."""
import torch


def rnn_cell(x_t, h_prev, W_xh, W_hh, b_h):
    return torch.tanh(x_t.double() @ W_xh.double() + h_prev.double() @ W_hh.double() + b_h.double())


def rnn_forward(x, h0, W_xh, W_hh, b_h, W_hy, b_y):
    h, hs = h0.double(), []
    for t in range(x.size(1)):
        h = rnn_cell(x[:, t], h, W_xh, W_hh, b_h)
        hs.append(h)
    hs = torch.stack(hs, dim=1)
    return hs @ W_hy.double() + b_y.double(), hs


def rnn_backward(dy, x, h0, W_xh, W_hh, b_h, W_hy, b_y):
    dy, x, h0, W_xh, W_hh, b_h, W_hy, b_y = (t.double() for t in (dy, x, h0, W_xh, W_hh, b_h, W_hy, b_y))
    states = [h0]
    for t in range(x.size(1)):
        states.append(rnn_cell(x[:, t], states[-1], W_xh, W_hh, b_h))
    out = {k: 0 for k in ("W_xh", "W_hh", "b_h", "W_hy", "b_y")}
    dx = []
    dh = torch.zeros_like(h0)
    for t in reversed(range(x.size(1))):
        h_t, h_prev = states[t + 1], states[t]
        out["W_hy"] = out["W_hy"] + h_t.T @ dy[:, t]
        out["b_y"] = out["b_y"] + dy[:, t].sum(0)
        dz = (dh + dy[:, t] @ W_hy.T) * (1 - h_t * h_t)
        out["W_xh"] = out["W_xh"] + x[:, t].T @ dz
        out["W_hh"] = out["W_hh"] + h_prev.T @ dz
        out["b_h"] = out["b_h"] + dz.sum(0)
        dx.append(dz @ W_xh.T)
        dh = dz @ W_hh.T
    return {**out, "x": torch.stack(dx[::-1], dim=1), "h0": dh}


def clip_grad_norm(grads, max_norm):
    if max_norm <= 0:
        raise ValueError(f"max_norm={max_norm} must be positive")
    norm = float(torch.cat([g.double().reshape(-1) for g in grads]).norm())
    coef = max_norm / (norm + 1e-6)
    if coef >= 1:
        return [g.clone() for g in grads], norm
    return [g.double() * coef for g in grads], norm
