"""Known-wrong variants of the lstm-gru reference, evaluated on a check's own inputs.

Each `*_variants` function returns {message: output} for one graded function; a check
passes the outputs to `expect_close(..., mistakes=...)`, which names the first variant the
student's output reproduces. Messages are shown to students, so they say what the code
does and what the contract wants, never a number. Loaded in the grader only.
"""
import itertools

import torch

from graders.checks import CheckFailure
from graders.i18n import Mistake, T

LSTM_ORDER = ("f", "i", "g", "o")
ACT = {"f": torch.sigmoid, "i": torch.sigmoid, "g": torch.tanh, "o": torch.sigmoid}
SWAPPED_ACT = {"f": torch.tanh, "i": torch.tanh, "g": torch.sigmoid, "o": torch.tanh}
GATE_NAME = {"f": T("forget gate f", "망각 게이트 f"), "i": T("input gate i", "입력 게이트 i"),
             "g": T("candidate g", "후보 g"), "o": T("output gate o", "출력 게이트 o")}

# Named mistakes: a stable id and the text in both languages.
LSTM_TORCH_ORDER = Mistake(
    "lstm-gru/lstm-torch-gate-order",
    "gates read from W's column blocks in PyTorch's order (i, f, g, o); this assignment's order is f, i, g, o",
    "W의 열 블록을 PyTorch의 게이트 순서 (i, f, g, o)로 읽었습니다. 이 과제의 순서는 f, i, g, o입니다")
LSTM_OTHER_ORDER = Mistake(
    "lstm-gru/lstm-gate-order",
    "gates read from W's column blocks in the order ({order}); the contract's order is f, i, g, o",
    "W의 열 블록을 ({order}) 순서로 읽었습니다. 명세의 순서는 f, i, g, o입니다")
LSTM_X_FIRST = Mistake(
    "lstm-gru/lstm-concat-x-first",
    "the input is concatenated as cat([x_t, h_prev]); the contract uses cat([h_prev, x_t]), so W's first d_h rows "
    "multiply h_prev",
    "입력을 cat([x_t, h_prev])로 이어 붙였습니다. 명세는 cat([h_prev, x_t])이므로 W의 처음 d_h개 행이 h_prev에 "
    "곱해집니다")
LSTM_TORCH_CONVENTIONS = Mistake(
    "lstm-gru/lstm-torch-conventions",
    "PyTorch's conventions: gate order (i, f, g, o) and cat([x_t, h_prev]); the contract uses gate order f, i, g, o "
    "and cat([h_prev, x_t])",
    "PyTorch의 관례(게이트 순서 (i, f, g, o)와 cat([x_t, h_prev]))를 따랐습니다. 명세는 게이트 순서 f, i, g, o와 "
    "cat([h_prev, x_t])를 씁니다")
LSTM_TANH_ON_GATE = {k: Mistake(
    f"lstm-gru/lstm-tanh-on-{k}",
    f"tanh instead of sigmoid on the {GATE_NAME[k].en}; gates f, i, o use sigmoid",
    f"{GATE_NAME[k].ko}에 sigmoid 대신 tanh를 썼습니다. 게이트 f, i, o에는 sigmoid를 씁니다") for k in ("f", "i", "o")}
LSTM_SIGMOID_ON_G = Mistake(
    "lstm-gru/lstm-sigmoid-on-g",
    "sigmoid instead of tanh on the candidate g",
    "후보 g에 tanh 대신 sigmoid를 썼습니다")
LSTM_NO_TANH_ON_C = Mistake(
    "lstm-gru/lstm-no-tanh-on-c",
    "h_t = o * c_t: the tanh on the cell state is missing (h_t = o * tanh(c_t))",
    "h_t = o * c_t: 셀 상태에 대한 tanh가 빠졌습니다 (h_t = o * tanh(c_t))")
LSTM_H_FROM_C_PREV = Mistake(
    "lstm-gru/lstm-h-from-c-prev",
    "h_t is computed from c_prev; it must use the new cell state: h_t = o * tanh(c_t)",
    "h_t를 c_prev로 계산했습니다. 새 셀 상태를 써야 합니다: h_t = o * tanh(c_t)")
LSTM_NO_INPUT_GATE = Mistake(
    "lstm-gru/lstm-no-input-gate",
    "c_t = f * c_prev + g: the input gate i does not scale the candidate",
    "c_t = f * c_prev + g: 입력 게이트 i가 후보에 곱해지지 않았습니다")
LSTM_NO_BIAS = Mistake(
    "lstm-gru/lstm-no-bias",
    "the bias b is not added to the gate pre-activations",
    "게이트의 활성화 전 값에 편향 b를 더하지 않았습니다")
LSTM_SWAPPED_PAIR = Mistake(
    "lstm-gru/lstm-swapped-pair",
    "the pair is returned as (c_t, h_t); return (h_t, c_t)",
    "(c_t, h_t) 순서로 반환했습니다. (h_t, c_t)를 반환하세요")

GRU_TORCH_UPDATE = Mistake(
    "lstm-gru/gru-torch-update",
    "PyTorch's update convention h_t = z * h_prev + (1 - z) * h~; the lecture's is h_t = (1 - z) * h_prev + z * h~",
    "PyTorch의 갱신 관례 h_t = z * h_prev + (1 - z) * h~를 썼습니다. 강의의 식은 h_t = (1 - z) * h_prev + z * h~입니다")
GRU_RESET_AFTER = Mistake(
    "lstm-gru/gru-reset-after",
    "the reset gate is applied after U_h, r * (h_prev @ U_h), as nn.GRUCell does; the lecture applies it before: "
    "(r * h_prev) @ U_h",
    "nn.GRUCell처럼 리셋 게이트를 U_h 다음에 r * (h_prev @ U_h)로 적용했습니다. 강의에서는 그 전에 적용합니다: "
    "(r * h_prev) @ U_h")
GRU_TORCH_CONVENTIONS = Mistake(
    "lstm-gru/gru-torch-conventions",
    "nn.GRUCell's conventions (h_t = z * h_prev + (1 - z) * h~ and r applied after U_h); the lecture uses "
    "h_t = (1 - z) * h_prev + z * h~ and (r * h_prev) @ U_h",
    "nn.GRUCell의 관례(h_t = z * h_prev + (1 - z) * h~, U_h 다음에 r 적용)를 따랐습니다. 강의는 "
    "h_t = (1 - z) * h_prev + z * h~와 (r * h_prev) @ U_h를 씁니다")
GRU_X_FIRST = Mistake(
    "lstm-gru/gru-concat-x-first",
    "the gates' input is concatenated as cat([x_t, h_prev]); the contract uses cat([h_prev, x_t])",
    "게이트 입력을 cat([x_t, h_prev])로 이어 붙였습니다. 명세는 cat([h_prev, x_t])를 씁니다")
GRU_SWAPPED_ZR = Mistake(
    "lstm-gru/gru-swapped-z-r",
    "the update and reset gates are swapped: z uses W_z, b_z and r uses W_r, b_r",
    "갱신 게이트와 리셋 게이트가 뒤바뀌었습니다: z는 W_z, b_z를, r은 W_r, b_r을 씁니다")
GRU_NO_RESET = Mistake(
    "lstm-gru/gru-no-reset",
    "the reset gate is not applied: h~ must use (r * h_prev) @ U_h",
    "리셋 게이트를 적용하지 않았습니다: h~에는 (r * h_prev) @ U_h를 써야 합니다")
GRU_TANH_ON_Z = Mistake(
    "lstm-gru/gru-tanh-on-z",
    "tanh instead of sigmoid on the update gate z",
    "갱신 게이트 z에 sigmoid 대신 tanh를 썼습니다")
GRU_TANH_ON_R = Mistake(
    "lstm-gru/gru-tanh-on-r",
    "tanh instead of sigmoid on the reset gate r",
    "리셋 게이트 r에 sigmoid 대신 tanh를 썼습니다")
GRU_SIGMOID_ON_H = Mistake(
    "lstm-gru/gru-sigmoid-on-candidate",
    "sigmoid instead of tanh on the candidate h~",
    "후보 h~에 tanh 대신 sigmoid를 썼습니다")
GRU_NO_KEEP = Mistake(
    "lstm-gru/gru-no-keep-term",
    "h_t = z * h~: the (1 - z) * h_prev term is missing",
    "h_t = z * h~: (1 - z) * h_prev 항이 빠졌습니다")
GRU_NO_BIAS = {name: Mistake(
    f"lstm-gru/gru-no-{name.replace('_', '-')}",
    f"the bias {name} is not added in the {where_en}",
    f"{where_ko}에 편향 {name}을(를) 더하지 않았습니다") for name, where_en, where_ko in (
        ("b_z", "update gate", "갱신 게이트"), ("b_r", "reset gate", "리셋 게이트"), ("b_h", "candidate h~", "후보 h~"))}

RUN_SHIFTED = Mistake(
    "lstm-gru/run-hs-shifted",
    "hs holds h_0..h_{T-1}; it must hold the states after each step, h_1..h_T",
    "hs에 h_0..h_{T-1}이 들어 있습니다. 각 단계 다음의 상태 h_1..h_T가 들어 있어야 합니다")
RUN_REVERSED = Mistake(
    "lstm-gru/run-hs-reversed",
    "hs is in reverse time order; hs[:, t] must be the state after step t + 1",
    "hs의 시간 순서가 거꾸로입니다. hs[:, t]는 t + 1번째 단계 다음의 상태여야 합니다")
RUN_NO_CARRY = Mistake(
    "lstm-gru/run-state-not-carried",
    "the state is not carried between steps: every step starts from (h0, c0)",
    "상태가 단계 사이에 이어지지 않습니다: 모든 단계가 (h0, c0)에서 시작합니다")
RUN_NO_CARRY_H = Mistake(
    "lstm-gru/run-h-not-carried",
    "the hidden state is not carried between steps: every step starts from h0",
    "은닉 상태가 단계 사이에 이어지지 않습니다: 모든 단계가 h0에서 시작합니다")
RUN_NO_CARRY_C = Mistake(
    "lstm-gru/run-c-not-carried",
    "the cell state is not carried between steps: every step starts from c0",
    "셀 상태가 단계 사이에 이어지지 않습니다: 모든 단계가 c0에서 시작합니다")
RUN_FINAL_IS_INITIAL = Mistake(
    "lstm-gru/run-final-is-initial",
    "the final state is (h0, c0); return the state after the last step, (h_T, c_T)",
    "마지막 상태가 (h0, c0)입니다. 마지막 단계 다음의 상태 (h_T, c_T)를 반환하세요")
RUN_FINAL_SWAPPED = Mistake(
    "lstm-gru/run-final-swapped",
    "the final state is returned as (c_T, h_T); return (h_T, c_T)",
    "마지막 상태를 (c_T, h_T) 순서로 반환했습니다. (h_T, c_T)를 반환하세요")
RUN_TIME_MAJOR = Mistake(
    "lstm-gru/run-time-major",
    "the loop runs over x's first axis (x[t]), but x is batch-first (B, T, d_in): step t is x[:, t]",
    "반복문이 x의 첫 번째 축(x[t])을 돌지만 x는 배치 우선 (B, T, d_in)입니다: t번째 단계는 x[:, t]입니다")
RUN_TIME_MAJOR_STACKED = Mistake(
    "lstm-gru/run-time-major",
    "the loop runs over x's first axis (x[t]), but x is batch-first (B, T, d_in): step t is x[:, t] (hs stacked "
    "on dim 1)",
    "반복문이 x의 첫 번째 축(x[t])을 돌지만 x는 배치 우선 (B, T, d_in)입니다: t번째 단계는 x[:, t]입니다 "
    "(hs를 dim 1로 쌓음)")
RUN_CELL_SWAPPED = Mistake(
    "lstm-gru/lstm-swapped-pair",
    "in every step, the cell's pair comes back as (c_t, h_t); lstm_cell must return (h_t, c_t)",
    "매 단계에서 셀이 (c_t, h_t) 순서로 돌려줍니다. lstm_cell은 (h_t, c_t)를 반환해야 합니다")
TRUNCATED_BPTT = Mistake(
    "lstm-gru/run-truncated-bptt",
    "gradients stop at every step: the state is detached between steps (.detach() or .data on h or c), so "
    "backpropagation through time is cut off",
    "그래디언트가 매 단계에서 끊깁니다: 단계 사이에서 상태를 떼어 내서(h나 c에 .detach() 또는 .data) 시간에 "
    "따른 역전파(BPTT)가 잘립니다")


def in_every_step(mistake):
    """A cell mistake seen through run_lstm: the same id, said of every step."""
    return Mistake(mistake.id, "in every step, " + mistake.en, "매 단계에서: " + mistake.ko)


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
        return LSTM_TORCH_ORDER
    return LSTM_OTHER_ORDER.format(order=", ".join(order))


def _lstm_cell_switches():
    """(message, keyword switches) for every single mistake, PyTorch's order first."""
    orders = sorted((p for p in itertools.permutations(LSTM_ORDER) if p != LSTM_ORDER),
                    key=lambda p: p != ("i", "f", "g", "o"))
    yield from ((_order_message(p), dict(order=p)) for p in orders)
    yield LSTM_X_FIRST, dict(state_first=False)
    yield LSTM_TORCH_CONVENTIONS, dict(order=("i", "f", "g", "o"), state_first=False)
    for k in ("f", "i", "o"):
        yield LSTM_TANH_ON_GATE[k], dict(swapped_act=(k,))
    yield LSTM_SIGMOID_ON_G, dict(swapped_act=("g",))
    yield LSTM_NO_TANH_ON_C, dict(tanh_on_c=False)
    yield LSTM_H_FROM_C_PREV, dict(h_from_c_prev=True)
    yield LSTM_NO_INPUT_GATE, dict(use_i=False)
    yield LSTM_NO_BIAS, dict(bias=False)


def lstm_cell_variants(x_t, h_prev, c_prev, W, b):
    """{message: (h_t, c_t)} for each classic lstm_cell mistake."""
    variants = {msg: lstm_cell(x_t, h_prev, c_prev, W, b, **kw) for msg, kw in _lstm_cell_switches()}
    h_t, c_t = lstm_cell(x_t, h_prev, c_prev, W, b)
    variants[LSTM_SWAPPED_PAIR] = (c_t, h_t)
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
    yield GRU_TORCH_UPDATE, dict(torch_update=True)
    yield GRU_RESET_AFTER, dict(reset_after=True)
    yield GRU_TORCH_CONVENTIONS, dict(torch_update=True, reset_after=True)
    yield GRU_X_FIRST, dict(state_first=False)
    yield GRU_SWAPPED_ZR, dict(swap_zr=True)
    yield GRU_NO_RESET, dict(no_reset=True)
    yield GRU_TANH_ON_Z, dict(act_z=torch.tanh)
    yield GRU_TANH_ON_R, dict(act_r=torch.tanh)
    yield GRU_SIGMOID_ON_H, dict(act_h=torch.sigmoid)
    yield GRU_NO_KEEP, dict(keep_prev=False)
    yield GRU_NO_BIAS["b_z"], dict(bias_z=False)
    yield GRU_NO_BIAS["b_r"], dict(bias_r=False)
    yield GRU_NO_BIAS["b_h"], dict(bias_h=False)


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


def run_lstm_variants(x, h0, c0, W, b):
    """{message: (hs, (h_T, c_T))} for each classic run_lstm mistake, the cell's included.

    Comparing a variant's hs (or final state) with the student's is up to the check; a
    variant whose shapes cannot match is simply never named.
    """
    hs, (h_T, c_T) = run_lstm(x, h0, c0, W, b)
    variants = {
        RUN_SHIFTED: (torch.cat([h0[:, None], hs[:, :-1]], dim=1), (h_T, c_T)),
        RUN_REVERSED: (hs.flip(1), (h_T, c_T)),
        RUN_NO_CARRY: run_lstm(x, h0, c0, W, b, carry_h=False, carry_c=False),
        RUN_NO_CARRY_H: run_lstm(x, h0, c0, W, b, carry_h=False),
        RUN_NO_CARRY_C: run_lstm(x, h0, c0, W, b, carry_c=False),
        RUN_FINAL_IS_INITIAL: (hs, (h0, c0)),
        RUN_FINAL_SWAPPED: (hs, (c_T, h_T)),
    }
    if x.shape[0] == x.shape[1]:
        # A time-major loop (x[t] over the first axis) only runs without error when B == T.
        hs_tm, state_tm = run_lstm(x.transpose(0, 1), h0, c0, W, b)
        variants[RUN_TIME_MAJOR] = (hs_tm.transpose(0, 1), state_tm)               # states stacked on dim 0
        variants[RUN_TIME_MAJOR_STACKED] = (hs_tm, state_tm)
    variants[RUN_CELL_SWAPPED] = run_lstm(x, h0, c0, W, b, cell=lambda *a: lstm_cell(*a)[::-1])
    for msg, kw in _lstm_cell_switches():
        variants[in_every_step(msg)] = run_lstm(x, h0, c0, W, b, cell=lambda *a, kw=kw: lstm_cell(*a, **kw))
    return variants


# --------------------------------------------------------------------------- shapes and graphs

NOT_A_PAIR = Mistake(
    "lstm-gru/not-a-pair",
    "{what} must return a pair {names}, got {got}",
    "{what}: {names} 쌍을 반환해야 하는데 반환값이 {got}입니다")
HS_WITH_H0 = Mistake(
    "lstm-gru/run-hs-with-h0",
    "hs: shape (B, T + 1, d_h) = {shape}; it must hold h_1..h_T only, not h_0",
    "hs: 형태가 (B, T + 1, d_h) = {shape}입니다. h_0 없이 h_1..h_T만 들어 있어야 합니다")
NO_GRADIENT = Mistake(
    "lstm-gru/detached-gradient",
    "no gradient reached {arg}: the output must stay connected to the autograd graph (no .detach(), "
    "torch.no_grad(), .item() or NumPy round trips)",
    "{arg}까지 그래디언트가 전달되지 않았습니다: 출력이 autograd 그래프에 연결되어 있어야 합니다 "
    "(.detach(), torch.no_grad(), .item(), NumPy 변환 금지)")


def expect_pair(value, what, names):
    """`value` if it is a pair, else a failure naming what was returned."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        got = type(value).__name__
        if isinstance(value, (tuple, list)):
            got = T(f"{got} of length {len(value)}", f"길이가 {len(value)}인 {got}")
        raise CheckFailure(NOT_A_PAIR.format(what=what, names=names, got=got))
    return value
