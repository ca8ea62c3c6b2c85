"""A recurrent network by hand (assignment `rnn`). Submit this file as `rnn.py`.

Fill in the four functions. Use torch operations; vectors are rows, so a layer is
`x @ W + b` with W of shape (inputs, outputs), and sequences are batch-first (B, T, ...).
Tensors are float32. Do not change your inputs in place.
Not allowed: torch.autograd, .backward() and torch.func in rnn_backward (BPTT by hand);
torch.nn.utils.clip_grad_norm_ (and its relatives) in clip_grad_norm.
"""
import torch


def rnn_cell(x_t, h_prev, W_xh, W_hh, b_h):
    """One step of an Elman RNN.

    Args:
        x_t:    (B, d_in) input at step t.
        h_prev: (B, d_h) previous hidden state.
        W_xh:   (d_in, d_h) input-to-hidden weights.
        W_hh:   (d_h, d_h) hidden-to-hidden weights.
        b_h:    (d_h,) bias.

    Returns:
        h_t = tanh(x_t @ W_xh + h_prev @ W_hh + b_h), shape (B, d_h).
    """
    raise NotImplementedError


def rnn_forward(x, h0, W_xh, W_hh, b_h, W_hy, b_y):
    """Run rnn_cell over a sequence and apply the output layer at every step.

    Args:
        x:    (B, T, d_in) inputs, batch-first.
        h0:   (B, d_h) initial hidden state.
        W_xh, W_hh, b_h: as in rnn_cell.
        W_hy: (d_h, d_out) hidden-to-output weights.
        b_y:  (d_out,) output bias.

    Returns:
        (y, hs): hs is (B, T, d_h) and holds h_1..h_T, the state after each step (not h0);
        y = hs @ W_hy + b_y is (B, T, d_out).
    """
    raise NotImplementedError


def rnn_backward(dy, x, h0, W_xh, W_hh, b_h, W_hy, b_y):
    """Backpropagation through time, by hand (no autograd).

    Args:
        dy: (B, T, d_out) the gradient of the loss with respect to y.
        x, h0, W_xh, W_hh, b_h, W_hy, b_y: as in rnn_forward.

    Returns:
        dict with keys "x", "h0", "W_xh", "W_hh", "b_h", "W_hy", "b_y": the gradients of
        sum(y * dy) with respect to each argument, each of that argument's shape.
    """
    raise NotImplementedError


def clip_grad_norm(grads, max_norm):
    """Global L2-norm gradient clipping, as torch.nn.utils.clip_grad_norm_ does it.

    Args:
        grads:    list of tensors (any shapes).
        max_norm: positive float; max_norm <= 0 raises ValueError.

    Returns:
        (clipped, norm): clipped is a new list with every tensor multiplied by
        min(1, max_norm / (norm + 1e-6)); norm is the L2 norm of all entries of all grads
        together, before clipping, as a Python float. grads itself is left unchanged.
    """
    raise NotImplementedError
