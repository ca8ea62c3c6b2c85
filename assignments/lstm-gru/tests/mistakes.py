"""Known-wrong variants of the lstm-gru reference, evaluated on a check's own inputs.

Each `*_variants` function returns {message: output} for one graded function; a check
passes the outputs to `expect_close(..., mistakes=...)`, which names the first variant the
student's output reproduces. Messages are shown to students, so they say what the code
does and what the contract wants, never a number. Loaded in the grader only.
"""
import itertools

import torch

LSTM_ORDER = ("f", "i", "g", "o")
ACT = {"f": torch.sigmoid, "i": torch.sigmoid, "g": torch.tanh, "o": torch.sigmoid}
SWAPPED_ACT = {"f": torch.tanh, "i": torch.tanh, "g": torch.sigmoid, "o": torch.tanh}
GATE_NAME = {"f": "forget gate f", "i": "input gate i", "g": "candidate g", "o": "output gate o"}


# --------------------------------------------------------------------------- LSTM cell

def lstm_cell(x_t, h_prev, c_prev, W, b, *, order=LSTM_ORDER, state_first=True, swapped_act=(),
              bias=True, tanh_on_c=True, h_from_c_prev=False, use_i=True):
    """The reference cell with switches for the classic departures from it."""
    hx = torch.cat([h_prev, x_t] if state_first else [x_t, h_prev], dim=-1)
    z = hx @ W + b if bias else hx @ W
    blocks = dict(zip(order, z.chunk(4, dim=-1)))
    f, i, g, o = ((SWAPPED_ACT if k in swapped_act else ACT)[k](blocks[k]) for k in LSTM_ORDER)
    c_t = f * c_prev + (i * g if use_i else g)
    c_out = c_prev if h_from_c_prev else c_t
    h_t = o * (torch.tanh(c_out) if tanh_on_c else c_out)
    return h_t, c_t


def _order_message(order):
    if order == ("i", "f", "g", "o"):
        return ("gates read from W's column blocks in PyTorch's order (i, f, g, o); "
                "this assignment's order is f, i, g, o")
    return f"gates read from W's column blocks in the order ({', '.join(order)}); the contract's order is f, i, g, o"


def _lstm_cell_switches():
    """(message, keyword switches) for every single mistake, PyTorch's order first."""
    orders = sorted((p for p in itertools.permutations(LSTM_ORDER) if p != LSTM_ORDER),
                    key=lambda p: p != ("i", "f", "g", "o"))
    yield from ((_order_message(p), dict(order=p)) for p in orders)
    yield ("the input is concatenated as cat([x_t, h_prev]); the contract uses cat([h_prev, x_t]), "
           "so W's first d_h rows multiply h_prev", dict(state_first=False))
    yield ("PyTorch's conventions: gate order (i, f, g, o) and cat([x_t, h_prev]); the contract uses "
           "gate order f, i, g, o and cat([h_prev, x_t])", dict(order=("i", "f", "g", "o"), state_first=False))
    for k in ("f", "i", "o"):
        yield f"tanh instead of sigmoid on the {GATE_NAME[k]}; gates f, i, o use sigmoid", dict(swapped_act=(k,))
    yield "sigmoid instead of tanh on the candidate g", dict(swapped_act=("g",))
    yield "h_t = o * c_t: the tanh on the cell state is missing (h_t = o * tanh(c_t))", dict(tanh_on_c=False)
    yield "h_t is computed from c_prev; it must use the new cell state: h_t = o * tanh(c_t)", dict(h_from_c_prev=True)
    yield "c_t = f * c_prev + g: the input gate i does not scale the candidate", dict(use_i=False)
    yield "the bias b is not added to the gate pre-activations", dict(bias=False)


def lstm_cell_variants(x_t, h_prev, c_prev, W, b):
    """{message: (h_t, c_t)} for each classic lstm_cell mistake."""
    variants = {msg: lstm_cell(x_t, h_prev, c_prev, W, b, **kw) for msg, kw in _lstm_cell_switches()}
    h_t, c_t = lstm_cell(x_t, h_prev, c_prev, W, b)
    variants["the pair is returned as (c_t, h_t); return (h_t, c_t)"] = (c_t, h_t)
    return variants


# --------------------------------------------------------------------------- GRU cell

def gru_cell(x_t, h_prev, W_z, b_z, W_r, b_r, W_h, U_h, b_h, *, torch_update=False, reset_after=False,
             state_first=True, swap_zr=False, no_reset=False, act_z=torch.sigmoid, act_r=torch.sigmoid,
             act_h=torch.tanh, keep_prev=True, bias_z=True, bias_r=True, bias_h=True):
    """The lecture's GRU with switches for the classic departures from it."""
    if swap_zr:
        W_z, b_z, W_r, b_r = W_r, b_r, W_z, b_z
    hx = torch.cat([h_prev, x_t] if state_first else [x_t, h_prev], dim=-1)
    z = act_z(hx @ W_z + (b_z if bias_z else 0))
    r = act_r(hx @ W_r + (b_r if bias_r else 0))
    if no_reset:
        recurrent = h_prev @ U_h
    elif reset_after:
        recurrent = r * (h_prev @ U_h)
    else:
        recurrent = (r * h_prev) @ U_h
    h_tilde = act_h(x_t @ W_h + recurrent + (b_h if bias_h else 0))
    if torch_update:
        return z * h_prev + (1 - z) * h_tilde
    return ((1 - z) * h_prev if keep_prev else 0) + z * h_tilde


def _gru_cell_switches():
    yield ("PyTorch's update convention h_t = z * h_prev + (1 - z) * h~; the lecture's is "
           "h_t = (1 - z) * h_prev + z * h~", dict(torch_update=True))
    yield ("the reset gate is applied after U_h, r * (h_prev @ U_h), as nn.GRUCell does; the lecture "
           "applies it before: (r * h_prev) @ U_h", dict(reset_after=True))
    yield ("nn.GRUCell's conventions (h_t = z * h_prev + (1 - z) * h~ and r applied after U_h); the lecture "
           "uses h_t = (1 - z) * h_prev + z * h~ and (r * h_prev) @ U_h", dict(torch_update=True, reset_after=True))
    yield ("the gates' input is concatenated as cat([x_t, h_prev]); the contract uses cat([h_prev, x_t])",
           dict(state_first=False))
    yield ("the update and reset gates are swapped: z uses W_z, b_z and r uses W_r, b_r", dict(swap_zr=True))
    yield "the reset gate is not applied: h~ must use (r * h_prev) @ U_h", dict(no_reset=True)
    yield "tanh instead of sigmoid on the update gate z", dict(act_z=torch.tanh)
    yield "tanh instead of sigmoid on the reset gate r", dict(act_r=torch.tanh)
    yield "sigmoid instead of tanh on the candidate h~", dict(act_h=torch.sigmoid)
    yield "h_t = z * h~: the (1 - z) * h_prev term is missing", dict(keep_prev=False)
    yield "the bias b_z is not added in the update gate", dict(bias_z=False)
    yield "the bias b_r is not added in the reset gate", dict(bias_r=False)
    yield "the bias b_h is not added in the candidate h~", dict(bias_h=False)


def gru_cell_variants(x_t, h_prev, W_z, b_z, W_r, b_r, W_h, U_h, b_h):
    """{message: h_t} for each classic gru_cell mistake."""
    args = (x_t, h_prev, W_z, b_z, W_r, b_r, W_h, U_h, b_h)
    return {msg: gru_cell(*args, **kw) for msg, kw in _gru_cell_switches()}


# --------------------------------------------------------------------------- run_lstm

def run_lstm(x, h0, c0, W, b, *, cell=lstm_cell, carry_h=True, carry_c=True, detach=False):
    h, c = h0, c0
    hs = []
    for t in range(x.shape[1]):
        if detach:
            h, c = h.detach(), c.detach()
        h, c = cell(x[:, t], h if carry_h else h0, c if carry_c else c0, W, b)
        hs.append(h)
    return torch.stack(hs, dim=1), (h, c)


def run_lstm_truncated(x, h0, c0, W, b):
    """Right values, but the state is detached between steps: gradients stop after one step."""
    return run_lstm(x, h0, c0, W, b, detach=True)


TRUNCATED_BPTT = ("gradients stop at every step: the state is detached between steps (.detach() or "
                  ".data on h or c), so backpropagation through time is cut off")


def run_lstm_variants(x, h0, c0, W, b):
    """{message: (hs, (h_T, c_T))} for each classic run_lstm mistake, the cell's included.

    Comparing a variant's hs (or final state) with the student's is up to the check; a
    variant whose shapes cannot match is simply never named.
    """
    hs, (h_T, c_T) = run_lstm(x, h0, c0, W, b)
    variants = {
        "hs holds h_0..h_{T-1}; it must hold the states after each step, h_1..h_T":
            (torch.cat([h0[:, None], hs[:, :-1]], dim=1), (h_T, c_T)),
        "hs is in reverse time order; hs[:, t] must be the state after step t + 1":
            (hs.flip(1), (h_T, c_T)),
        "the state is not carried between steps: every step starts from (h0, c0)":
            run_lstm(x, h0, c0, W, b, carry_h=False, carry_c=False),
        "the hidden state is not carried between steps: every step starts from h0":
            run_lstm(x, h0, c0, W, b, carry_h=False),
        "the cell state is not carried between steps: every step starts from c0":
            run_lstm(x, h0, c0, W, b, carry_c=False),
        "the final state is (h0, c0); return the state after the last step, (h_T, c_T)":
            (hs, (h0, c0)),
        "the final state is returned as (c_T, h_T); return (h_T, c_T)":
            (hs, (c_T, h_T)),
    }
    if x.shape[0] == x.shape[1]:
        # A time-major loop (x[t] over the first axis) only runs without error when B == T.
        hs_tm, state_tm = run_lstm(x.transpose(0, 1), h0, c0, W, b)
        batch_time = "the loop runs over x's first axis (x[t]), but x is batch-first (B, T, d_in): step t is x[:, t]"
        variants[batch_time] = (hs_tm.transpose(0, 1), state_tm)               # states stacked on dim 0
        variants[batch_time + " (hs stacked on dim 1)"] = (hs_tm, state_tm)
    variants["in every step, the cell's pair comes back as (c_t, h_t); lstm_cell must return (h_t, c_t)"] = run_lstm(
        x, h0, c0, W, b, cell=lambda *a: lstm_cell(*a)[::-1])
    for msg, kw in _lstm_cell_switches():
        variants[f"in every step, {msg}"] = run_lstm(x, h0, c0, W, b, cell=lambda *a, kw=kw: lstm_cell(*a, **kw))
    return variants
