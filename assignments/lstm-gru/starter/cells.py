"""LSTM and GRU cells (assignment `lstm-gru`). Submit this file as `cells.py`.

Fill in the three functions. Use torch operations only; torch.nn.LSTM, LSTMCell, GRU,
GRUCell and their functional forms are not allowed. Tensors are float32 and batch-first.
Do not change your inputs in place.
"""
import torch


def lstm_cell(x_t, h_prev, c_prev, W, b):
    """One LSTM step.

    Args:
        x_t:    (B, d_in) input at step t.
        h_prev: (B, d_h) previous hidden state.
        c_prev: (B, d_h) previous cell state.
        W:      (d_h + d_in, 4 * d_h) weights applied to cat([h_prev, x_t], -1); its column
                blocks of width d_h are, in order, the forget gate f, the input gate i,
                the candidate g and the output gate o.
        b:      (4 * d_h,) bias, blocks in the same order.

    Returns:
        (h_t, c_t), each (B, d_h):
        z = cat([h_prev, x_t], -1) @ W + b, split into f, i, g, o;
        c_t = sigmoid(f) * c_prev + sigmoid(i) * tanh(g);
        h_t = sigmoid(o) * tanh(c_t).
    """
    raise NotImplementedError


def gru_cell(x_t, h_prev, W_z, b_z, W_r, b_r, W_h, U_h, b_h):
    """One GRU step, in the lecture's form (not nn.GRUCell's).

    Args:
        x_t:    (B, d_in) input at step t.
        h_prev: (B, d_h) previous hidden state.
        W_z, W_r: (d_h + d_in, d_h) update and reset gate weights, applied to cat([h_prev, x_t], -1).
        b_z, b_r: (d_h,) their biases.
        W_h:    (d_in, d_h) input weights of the candidate.
        U_h:    (d_h, d_h) recurrent weights of the candidate.
        b_h:    (d_h,) bias of the candidate.

    Returns:
        h_t, (B, d_h):
        z = sigmoid(cat([h_prev, x_t]) @ W_z + b_z);
        r = sigmoid(cat([h_prev, x_t]) @ W_r + b_r);
        h~ = tanh(x_t @ W_h + (r * h_prev) @ U_h + b_h);
        h_t = (1 - z) * h_prev + z * h~.
    """
    raise NotImplementedError


def run_lstm(x, h0, c0, W, b):
    """Run lstm_cell over a whole sequence.

    Args:
        x:      (B, T, d_in) inputs, batch-first.
        h0, c0: (B, d_h) initial hidden and cell states.
        W, b:   as in lstm_cell.

    Returns:
        (hs, (h_T, c_T)): hs is (B, T, d_h) and holds h_1..h_T, the hidden state after
        each step (so hs[:, -1] is h_T); h_T and c_T, each (B, d_h), are the final states.
    """
    raise NotImplementedError
