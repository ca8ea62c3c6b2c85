"""Mistake: the tanh derivative is left out."""
import torch

CLIP_EPS = 1e-6          # torch.nn.utils.clip_grad_norm_ adds it to the norm before dividing


def rnn_cell(x_t, h_prev, W_xh, W_hh, b_h):
    """One Elman step: tanh(x_t W_xh + h_prev W_hh + b_h); x_t (B, d_in), h_prev (B, d_h)."""
    return torch.tanh(x_t @ W_xh + h_prev @ W_hh + b_h)


def rnn_forward(x, h0, W_xh, W_hh, b_h, W_hy, b_y):
    """Run rnn_cell over x (B, T, d_in) from h0 (B, d_h).

    Returns (y, hs): hs (B, T, d_h) holds h_1..h_T, y = hs W_hy + b_y is (B, T, d_out).
    """
    h = h0
    hs = []
    for t in range(x.shape[1]):
        h = rnn_cell(x[:, t], h, W_xh, W_hh, b_h)
        hs.append(h)
    hs = torch.stack(hs, dim=1)
    return hs @ W_hy + b_y, hs


def rnn_backward(dy, x, h0, W_xh, W_hh, b_h, W_hy, b_y):
    """Backpropagation through time for the loss sum(y * dy), dy (B, T, d_out).

    Returns the gradients w.r.t. every argument after dy, keyed by its name.
    """
    _, hs = rnn_forward(x, h0, W_xh, W_hh, b_h, W_hy, b_y)
    prev = torch.cat([h0.unsqueeze(1), hs[:, :-1]], dim=1)     # h_{t-1} for t = 1..T
    dW_xh, dW_hh, db_h = torch.zeros_like(W_xh), torch.zeros_like(W_hh), torch.zeros_like(b_h)
    dx = torch.zeros_like(x)
    dh_next = torch.zeros_like(h0)          # dL/dh_t arriving from step t + 1
    for t in reversed(range(x.shape[1])):
        dh = dy[:, t] @ W_hy.T + dh_next
        dz = dh
        dW_xh = dW_xh + x[:, t].T @ dz
        dW_hh = dW_hh + prev[:, t].T @ dz
        db_h = db_h + dz.sum(0)
        dx[:, t] = dz @ W_xh.T
        dh_next = dz @ W_hh.T
    return {
        "x": dx, "h0": dh_next, "W_xh": dW_xh, "W_hh": dW_hh, "b_h": db_h,
        "W_hy": hs.flatten(0, 1).T @ dy.flatten(0, 1), "b_y": dy.sum((0, 1)),
    }


def clip_grad_norm(grads, max_norm):
    """Scale all `grads` together so that their global L2 norm is at most `max_norm`.

    Returns (clipped copies, the norm before clipping as a float); max_norm <= 0 is a ValueError.
    """
    if not max_norm > 0:
        raise ValueError(f"max_norm must be positive, got {max_norm}")
    norm = torch.sqrt(sum((g.double() ** 2).sum() for g in grads)).item() if grads else 0.0
    coef = min(1.0, max_norm / (norm + CLIP_EPS))
    return [g * coef for g in grads], norm
