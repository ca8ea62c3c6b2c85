"""Known-wrong variants of the rnn reference, and the expectations the checks share.

Each `*_variants` function returns {message: output} for one graded function, likeliest
mistake first, computed in float64 on the check's own inputs; `expect_close(...,
mistakes=...)` names the first variant the student's output reproduces. Variants whose
code could not even run on the given shapes (a missing transpose of a non-square matrix)
are left out. Messages are shown to students, so they say what the code does and what the
contract wants, never an expected number. Loaded in the grader only.
"""
import torch

from graders import pictures
from graders.checks import expect_close, expect_scalar, expect_tensor, fail, is_close
from graders.i18n import Mistake, T

F64 = torch.float64
GRAD_KEYS = ("W_hy", "b_y", "W_xh", "W_hh", "b_h", "x", "h0")    # output layer first, then through time
CLIP_EPS = 1e-6


def _shape(shape):
    dims = tuple(int(d) for d in shape)
    return "(" + ", ".join(map(str, dims)) + ("," if len(dims) == 1 else "") + ")"


def _f64(*tensors):
    return tuple(t.double() for t in tensors)


def expect_pair(value, what, names):
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        got = type(value).__name__
        if isinstance(value, (tuple, list)):
            got = T(f"{got} of length {len(value)}", f"길이가 {len(value)}인 {got}")
        fail(T("{what} must return a pair {names}, got {got}", "{what}: {names} 쌍을 반환해야 하는데 반환값이 {got}입니다"
               ).format(what=what, names=names, got=got))
    return value


# --------------------------------------------------------------------------- rnn_cell

def _identity(a):
    return a


def rnn_cell(x_t, h_prev, W_xh, W_hh, b_h, *, act=torch.tanh, whh_T=False, wxh_T=False, bias=True, swap=False):
    x_t, h_prev, W_xh, W_hh, b_h = _f64(x_t, h_prev, W_xh, W_hh, b_h)
    if swap:
        W_xh, W_hh = W_hh, W_xh
    W_xh = W_xh.T if wxh_T else W_xh
    W_hh = W_hh.T if whh_T else W_hh
    return act(x_t @ W_xh + h_prev @ W_hh + (b_h if bias else 0))


def _cell_switches(d_in, d_h):
    yield Mistake("rnn/cell-no-tanh",
        "the tanh is missing: h_t = tanh(x_t @ W_xh + h_prev @ W_hh + b_h)",
        "tanh가 빠졌습니다: h_t = tanh(x_t @ W_xh + h_prev @ W_hh + b_h)"), dict(act=_identity)
    yield Mistake("rnn/cell-sigmoid",
        "sigmoid instead of tanh: the Elman RNN uses tanh",
        "tanh 대신 sigmoid를 썼습니다: 엘만(Elman) RNN은 tanh를 씁니다"), dict(act=torch.sigmoid)
    yield Mistake("rnn/cell-relu",
        "ReLU instead of tanh: the Elman RNN of this assignment uses tanh",
        "tanh 대신 ReLU를 썼습니다: 이 과제의 엘만 RNN은 tanh를 씁니다"), dict(act=torch.relu)
    yield Mistake("rnn/cell-no-bias",
        "the bias b_h is not added",
        "편향 b_h를 더하지 않았습니다"), dict(bias=False)
    yield (Mistake("rnn/cell-whh-transposed",
        "W_hh is transposed: the recurrent term is h_prev @ W_hh, with W_hh of shape (d_h, "
        "d_h) mapping the previous state (rows) to the new one (columns)",
        "W_hh를 전치했습니다: 순환 항은 h_prev @ W_hh이고, 형태 (d_h, d_h)인 W_hh는 이전 상태(행)를 새 상태(열)로 보냅니다"), dict(whh_T=True))
    if d_in == d_h:
        yield Mistake("rnn/cell-wxh-transposed",
            "W_xh is transposed: the input term is x_t @ W_xh, with W_xh of shape (d_in, d_h)",
            "W_xh를 전치했습니다: 입력 항은 x_t @ W_xh이고 W_xh의 형태는 (d_in, d_h)입니다"), dict(wxh_T=True)
        yield Mistake("rnn/cell-weights-swapped",
            "W_xh and W_hh are swapped: x_t multiplies W_xh and h_prev multiplies W_hh",
            "W_xh와 W_hh가 뒤바뀌었습니다: x_t에는 W_xh를, h_prev에는 W_hh를 곱합니다"), dict(swap=True)


def rnn_cell_variants(x_t, h_prev, W_xh, W_hh, b_h):
    d_in, d_h = W_xh.shape
    return {msg: rnn_cell(x_t, h_prev, W_xh, W_hh, b_h, **kw) for msg, kw in _cell_switches(d_in, d_h)}


def expect_cell(student, ref, args, *, what="h_t", **call_kw):
    h_t = student.call("rnn_cell", *args, **call_kw)
    expect_close(h_t, ref.rnn_cell(*args), what=what, mistakes=rnn_cell_variants(*args))


# --------------------------------------------------------------------------- rnn_forward

def rnn_forward(x, h0, W_xh, W_hh, b_h, W_hy, b_y, *, cell=None, carry=True, time_major=False,
                y_act=_identity, y_bias=True):
    x, h0, W_xh, W_hh, b_h, W_hy, b_y = _f64(x, h0, W_xh, W_hh, b_h, W_hy, b_y)
    cell = cell or rnn_cell
    seq = x.transpose(0, 1) if time_major else x
    h, hs = h0, []
    for t in range(seq.shape[1]):
        h = cell(seq[:, t], h if carry else h0, W_xh, W_hh, b_h)
        hs.append(h)
    hs = torch.stack(hs, dim=1)
    if time_major:
        hs = hs.transpose(0, 1)
    return y_act(hs @ W_hy + (b_y if y_bias else 0)), hs


SHIFTED = Mistake("rnn/forward-hs-shifted",
    "hs holds h_0..h_{T-1}; it must hold the states after each step, h_1..h_T (and y is "
    "computed from those)",
    "hs에 h_0..h_{T-1}이 들어 있습니다. 각 단계 다음의 상태 h_1..h_T가 들어 있어야 합니다 (y도 그 상태로 계산합니다)")


def rnn_forward_variants(x, h0, W_xh, W_hh, b_h, W_hy, b_y):
    """{message: (y, hs)} for each classic rnn_forward mistake, the cell's included."""
    args = (x, h0, W_xh, W_hh, b_h, W_hy, b_y)
    y, hs = rnn_forward(*args)
    shifted = torch.cat([h0.double().unsqueeze(1), hs[:, :-1]], dim=1)
    variants = {
        SHIFTED: (shifted @ W_hy.double() + b_y.double(), shifted),
        Mistake("rnn/forward-state-not-carried",
            "the state is not carried between steps: every step starts from h0",
            "상태가 단계 사이에 이어지지 않습니다: 모든 단계가 h0에서 시작합니다"): rnn_forward(*args, carry=False),
        Mistake("rnn/forward-output-tanh",
            "y passes through a tanh; the output layer is linear: y = hs @ W_hy + b_y",
            "y에 tanh를 적용했습니다. 출력층은 선형입니다: y = hs @ W_hy + b_y"):
            rnn_forward(*args, y_act=torch.tanh),
        Mistake("rnn/forward-no-output-bias",
            "the bias b_y is not added: y = hs @ W_hy + b_y",
            "편향 b_y를 더하지 않았습니다: y = hs @ W_hy + b_y"): rnn_forward(*args, y_bias=False),
        Mistake("rnn/forward-hs-reversed",
            "hs is in reverse time order; hs[:, t] must be the state after step t + 1",
            "hs의 시간 순서가 거꾸로입니다. hs[:, t]는 t + 1번째 단계 다음의 상태여야 합니다"): (y.flip(1), hs.flip(1)),
    }
    if x.shape[0] == x.shape[1]:
        # A time-major loop (x[t] over the first axis) only runs without error when B == T.
        time_major = Mistake("rnn/forward-time-major",
            "x is read as (T, B, d_in); it is batch-first, (B, T, d_in): step t is x[:, t], "
            "not x[t]",
            "x를 (T, B, d_in)으로 읽었습니다. x는 배치 우선 (B, T, d_in)입니다: t번째 단계는 x[t]가 아니라 x[:, t]입니다")
        y_tm, hs_tm = rnn_forward(*args, time_major=True)
        variants[time_major] = (y_tm, hs_tm)
        variants[Mistake(time_major.id, time_major.en + " (and the states are stacked along the wrong axis too)",
                         time_major.ko + " (상태도 잘못된 축으로 쌓았습니다)")] = \
            (y_tm.transpose(0, 1), hs_tm.transpose(0, 1))
    d_in, d_h = W_xh.shape
    for msg, kw in _cell_switches(d_in, d_h):
        variants[Mistake(msg.id, "in every step, " + msg.en, "매 단계에서: " + msg.ko)] = rnn_forward(*args, cell=lambda *a, kw=kw: rnn_cell(*a, **kw))
    return variants


HS_WITH_H0 = Mistake(
    "rnn/forward-hs-with-h0",
    "hs has shape (B, T + 1, d_h) = {shape}; it must hold h_1..h_T only, not h_0",
    "hs의 형태가 (B, T + 1, d_h) = {shape}입니다. h_0 없이 h_1..h_T만 들어 있어야 합니다")
Y_LAST_ONLY = Mistake(
    "rnn/forward-y-last-step-only",
    "y has shape (B, d_out) = {shape}: the output layer is applied at every step, y = hs @ W_hy + b_y of shape "
    "(B, T, d_out)",
    "y의 형태가 (B, d_out) = {shape}입니다: 출력층은 모든 단계에 적용합니다. y = hs @ W_hy + b_y이고 형태는 "
    "(B, T, d_out)입니다")
HS_LAST_ONLY = Mistake(
    "rnn/forward-hs-last-only",
    "hs has shape (B, d_h) = {shape}: it holds every state h_1..h_T, shape (B, T, d_h)",
    "hs의 형태가 (B, d_h) = {shape}입니다: hs에는 모든 상태 h_1..h_T가 들어가고 형태는 (B, T, d_h)입니다")


def _forward_shape_hint(y, hs, h0, T, d_out):
    (B, d_h), ys, hss = h0.shape, tuple(getattr(y, "shape", ())), tuple(getattr(hs, "shape", ()))
    if ys == (B, T, d_h) and hss == (B, T, d_out) and d_h != d_out:
        return Mistake("rnn/forward-swapped-pair",
            "the pair is returned as (hs, y); return (y, hs)",
            "(hs, y) 순서로 반환했습니다. (y, hs)를 반환하세요")
    if hss == (B, T + 1, d_h) and is_close(hs[:, 0], h0):
        return HS_WITH_H0.format(shape=_shape(hss))
    if ys == (B, d_out):
        return Y_LAST_ONLY.format(shape=_shape(ys))
    if hss == (B, d_h):
        return HS_LAST_ONLY.format(shape=_shape(hss))
    return None


def expect_forward(student, ref, args, *, where="", **call_kw):
    x, h0, W_xh, W_hh, b_h, W_hy, b_y = args
    y, hs = expect_pair(student.call("rnn_forward", *args, **call_kw), "rnn_forward", "(y, hs)")
    T, d_h, d_out = x.shape[1], W_hh.shape[0], W_hy.shape[1]
    hint = _forward_shape_hint(y, hs, h0, T, d_out)
    if hint:
        fail(hint + where)
    exp_y, exp_hs = ref.rnn_forward(*args)
    variants = rnn_forward_variants(*args)
    if d_h == d_out:
        variants[Mistake("rnn/forward-swapped-pair",
            "the pair is returned as (hs, y); return (y, hs)",
            "(hs, y) 순서로 반환했습니다. (y, hs)를 반환하세요")] = (exp_hs, exp_y)
    expect_close(hs, exp_hs, what="hs" + where, mistakes={m: v[1] for m, v in variants.items()})
    expect_close(y, exp_y, what="y" + where, mistakes={m: v[0] for m, v in variants.items()})


# --------------------------------------------------------------------------- rnn_backward

def rnn_backward(dy, x, h0, W_xh, W_hh, b_h, W_hy, b_y, *, through_time=True, whh_T=True, wxh_T=True,
                 why_T=True, dW_hh_state="prev", h0_term=True, deriv="right", sign=1.0, accumulate=True,
                 last_dy_only=False, mean=False, h0_grad=True, dW_hh_T=False, dW_xh_T=False):
    """BPTT for sum(y * dy), with switches for the classic departures from it."""
    dy, x, h0, W_xh, W_hh, b_h, W_hy, b_y = _f64(dy, x, h0, W_xh, W_hh, b_h, W_hy, b_y)
    _, hs = rnn_forward(x, h0, W_xh, W_hh, b_h, W_hy, b_y)
    if last_dy_only:
        dy = torch.cat([torch.zeros_like(dy[:, :-1]), dy[:, -1:]], dim=1)
    dy = sign * dy
    T = x.shape[1]
    prev = torch.cat([h0.unsqueeze(1), hs[:, :-1]], dim=1)
    states = prev if dW_hh_state == "prev" else hs
    grads = {"W_xh": torch.zeros_like(W_xh), "W_hh": torch.zeros_like(W_hh), "b_h": torch.zeros_like(b_h)}
    dx = torch.zeros_like(x)
    dh_next = torch.zeros_like(h0)
    for t in reversed(range(T)):
        dh = dy[:, t] @ (W_hy.T if why_T else W_hy) + (dh_next if through_time else 0)
        local = {"right": 1 - hs[:, t] ** 2, "none": torch.ones_like(hs[:, t]),
                 "double": 1 - torch.tanh(hs[:, t]) ** 2, "linear": 1 - hs[:, t]}[deriv]
        dz = dh * local
        terms = {"W_xh": x[:, t].T @ dz, "W_hh": states[:, t].T @ dz if (h0_term or t > 0) else 0 * W_hh,
                 "b_h": dz.sum(0)}
        for k, v in terms.items():
            grads[k] = grads[k] + v if accumulate else v
        dx[:, t] = dz @ (W_xh.T if wxh_T else W_xh)
        dh_next = dz @ (W_hh.T if whh_T else W_hh)
    grads["x"] = dx
    grads["h0"] = dh_next if h0_grad else torch.zeros_like(h0)
    grads["W_hy"] = hs.flatten(0, 1).T @ dy.flatten(0, 1)
    grads["b_y"] = dy.sum((0, 1))
    if dW_hh_T:
        grads["W_hh"] = grads["W_hh"].T
    if dW_xh_T:
        grads["W_xh"] = grads["W_xh"].T
    if mean:
        grads = {k: v / x.shape[0] for k, v in grads.items()}
    return grads


TRUNCATED = (Mistake("rnn/backward-truncated",
    "BPTT drops the gradient that reaches h_t from step t + 1: dL/dh_t = dy_t @ W_hy.T + "
    "dz_{t+1} @ W_hh.T, and the second term is missing, so no gradient flows back through "
    "time",
    "BPTT에서 t + 1 단계에서 h_t로 오는 그래디언트가 빠졌습니다: dL/dh_t = dy_t @ W_hy.T + dz_{t+1} @ W_hh.T인데 두 "
    "번째 항이 없어서 그래디언트가 시간을 거슬러 흐르지 않습니다"))


def _backward_switches(d_in, d_h, d_out):
    yield TRUNCATED, dict(through_time=False)
    yield (Mistake("rnn/backward-sign",
        "every gradient has the wrong sign: these are the gradients of sum(y * dy) itself "
        "(the minus sign belongs to the descent step)",
        "모든 그래디언트의 부호가 반대입니다: 구할 것은 sum(y * dy) 자체의 그래디언트입니다 (빼기 부호는 경사 하강 단계에 속합니다)"), dict(sign=-1.0))
    yield (Mistake("rnn/backward-dwhh-current-state",
        "dW_hh pairs dz_t with h_t; it must be the state that entered step t, h_{t-1} (so h0 "
        "at the first step)",
        "dW_hh에서 dz_t를 h_t와 곱했습니다. t 단계에 들어간 상태 h_{t-1}과 곱해야 합니다 (첫 단계에서는 h0)"), dict(dW_hh_state="current"))
    yield Mistake("rnn/backward-dwhh-no-h0",
        "dW_hh misses the first step's term h0.T @ dz_1: h0 is the state that enters step 1",
        "dW_hh에 첫 단계의 항 h0.T @ dz_1이 빠졌습니다: h0은 1단계에 들어가는 상태입니다"), dict(h0_term=False)
    yield Mistake("rnn/backward-no-tanh-derivative",
        "the tanh derivative is missing: dz_t = dh_t * (1 - h_t^2)",
        "tanh의 도함수가 빠졌습니다: dz_t = dh_t * (1 - h_t^2)"), dict(deriv="none")
    yield (Mistake("rnn/backward-double-tanh",
        "the tanh is applied again in its derivative: with h_t = tanh(a_t), tanh'(a_t) = 1 - "
        "h_t^2, not 1 - tanh(h_t)^2",
        "도함수에서 tanh를 한 번 더 적용했습니다: h_t = tanh(a_t)이므로 tanh'(a_t)는 1 - tanh(h_t)^2가 아니라 1 - "
        "h_t^2입니다"), dict(deriv="double"))
    yield Mistake("rnn/backward-tanh-derivative-linear",
        "the tanh derivative is written 1 - h_t; it is 1 - h_t^2",
        "tanh의 도함수를 1 - h_t로 썼습니다. 1 - h_t^2입니다"), dict(deriv="linear")
    yield (Mistake("rnn/backward-not-accumulated",
        "the weight gradients keep only one step's term: accumulate (+=) the terms of all T "
        "steps",
        "가중치 그래디언트에 한 단계의 항만 남았습니다: T개 단계의 항을 모두 누적(+=)하세요"),
           dict(accumulate=False))
    yield Mistake("rnn/backward-last-dy-only",
        "only dy at the last step is used; y at every step contributes to sum(y * dy)",
        "마지막 단계의 dy만 썼습니다. 모든 단계의 y가 sum(y * dy)에 기여합니다"), dict(last_dy_only=True)
    yield (Mistake("rnn/backward-averaged",
        "the gradients are averaged over the batch; the loss is sum(y * dy), so they are "
        "summed",
        "그래디언트를 배치에 대해 평균냈습니다. 손실이 sum(y * dy)이므로 합해야 합니다"),
           dict(mean=True))
    yield Mistake("rnn/backward-no-h0-gradient",
        "the gradient w.r.t. h0 is zero: it is what flows out of step 1, dz_1 @ W_hh.T",
        "h0에 대한 그래디언트가 0입니다: 1단계에서 흘러나오는 dz_1 @ W_hh.T입니다"), dict(h0_grad=False)
    yield (Mistake("rnn/backward-whh-not-transposed",
        "W_hh is not transposed when the gradient goes back a step: dL/dh_{t-1} gets dz_t @ "
        "W_hh.T",
        "그래디언트를 한 단계 뒤로 보낼 때 W_hh를 전치하지 않았습니다: dL/dh_{t-1}에는 dz_t @ W_hh.T가 더해집니다"),
           dict(whh_T=False))
    yield Mistake("rnn/backward-dwhh-transposed",
        "the W_hh gradient is transposed: sum over t of h_{t-1}.T @ dz_t, of W_hh's shape",
        "W_hh의 그래디언트가 전치되었습니다: t에 대한 h_{t-1}.T @ dz_t의 합이고, W_hh와 같은 형태입니다"), dict(dW_hh_T=True)
    if d_in == d_h:
        yield Mistake("rnn/backward-wxh-not-transposed",
            "W_xh is not transposed in the gradient w.r.t. x: dx_t = dz_t @ W_xh.T",
            "x에 대한 그래디언트에서 W_xh를 전치하지 않았습니다: dx_t = dz_t @ W_xh.T"), dict(wxh_T=False)
        yield Mistake("rnn/backward-dwxh-transposed",
            "the W_xh gradient is transposed: sum over t of x_t.T @ dz_t, of W_xh's shape",
            "W_xh의 그래디언트가 전치되었습니다: t에 대한 x_t.T @ dz_t의 합이고, W_xh와 같은 형태입니다"), dict(dW_xh_T=True)
    if d_out == d_h:
        yield Mistake("rnn/backward-why-not-transposed",
            "W_hy is not transposed when dy goes back to h_t: dy_t @ W_hy.T",
            "dy를 h_t로 보낼 때 W_hy를 전치하지 않았습니다: dy_t @ W_hy.T"), dict(why_T=False)


def rnn_backward_variants(dy, x, h0, W_xh, W_hh, b_h, W_hy, b_y):
    """{message: {key: gradient}} for each classic rnn_backward mistake."""
    d_in, d_h = W_xh.shape
    args = (dy, x, h0, W_xh, W_hh, b_h, W_hy, b_y)
    return {msg: rnn_backward(*args, **kw) for msg, kw in _backward_switches(d_in, d_h, W_hy.shape[1])}


GRAD_TRANSPOSED = Mistake(
    "rnn/backward-gradient-transposed",
    "the gradient w.r.t. {key} has shape {got}, the shape of {key}.T; it must have {key}'s shape {want}",
    "{key}에 대한 그래디언트의 형태가 {key}.T의 형태인 {got}입니다. {key}와 같은 형태 {want}여야 합니다")
BY_NOT_SUMMED = Mistake(
    "rnn/backward-by-not-summed",
    "the gradient w.r.t. b_y has shape {got}: sum dy over the batch and time axes, to shape {want}",
    "b_y에 대한 그래디언트의 형태가 {got}입니다: dy를 배치 축과 시간 축에 대해 합해서 형태 {want}로 만드세요")
BH_NOT_SUMMED = Mistake(
    "rnn/backward-bh-not-summed",
    "the gradient w.r.t. b_h has shape {got}: sum dz over the batch (and over time), to shape {want}",
    "b_h에 대한 그래디언트의 형태가 {got}입니다: dz를 배치에 대해 (그리고 시간에 대해) 합해서 형태 {want}로 "
    "만드세요")


def _grad_shape_hint(key, got, expected):
    g, e = tuple(got.shape), tuple(expected.shape)
    if len(e) == 2 and g == e[::-1] and key.startswith("W"):
        return GRAD_TRANSPOSED.format(key=key, got=_shape(g), want=_shape(e))
    if key == "b_y" and len(g) > 1 and g[-1:] == e:
        return BY_NOT_SUMMED.format(got=_shape(g), want=_shape(e))
    if key == "b_h" and len(g) > 1 and g[-1:] == e:
        return BH_NOT_SUMMED.format(got=_shape(g), want=_shape(e))
    return None


def expect_gradients(grads, expected, variants, *, where=""):
    if not isinstance(grads, dict):
        fail(T("rnn_backward must return a dict with keys {keys}; got {got}",
               "rnn_backward는 키가 {keys}인 dict를 반환해야 하는데 {got}을(를) 반환했습니다").format(
            keys=", ".join(GRAD_KEYS), got=type(grads).__name__))
    missing = [k for k in GRAD_KEYS if k not in grads]
    if missing:
        keys = sorted(map(str, grads))
        with_d = any(str(k).startswith("d") for k in keys)
        hint = T(" (the keys are the arguments' names, without a 'd')", " (키는 'd'를 붙이지 않은 인자 이름입니다)") \
            if with_d else ""
        fail(T("rnn_backward's dict lacks {missing}; it has {keys}", "rnn_backward의 dict에 {missing}이(가) 없습니다. "
               "있는 키: {keys}").format(missing=", ".join(missing), keys=keys) + hint)
    # A variant that reproduces every gradient names the cause better than a per-key match.
    whole = next((m for m, v in variants.items() if all(is_close(grads[k], v[k]) for k in GRAD_KEYS)), None)
    for key in GRAD_KEYS:
        got = grads[key]
        if isinstance(got, torch.Tensor) and tuple(got.shape) != tuple(expected[key].shape):
            hint = _grad_shape_hint(key, got, expected[key])
            if hint:
                fail(hint + where)
        named = {whole: got} if whole else {m: v[key] for m, v in variants.items()}
        expect_close(got, expected[key], what=T("gradient w.r.t. {key}", "{key}에 대한 그래디언트").format(key=key) + where,
                     mistakes=named)


def expect_backward(student, ref, dy, args, *, where="", **call_kw):
    grads = student.call("rnn_backward", dy, *args, **call_kw)
    expect_gradients(grads, ref.rnn_backward(dy, *args), rnn_backward_variants(dy, *args), where=where)
    return grads


# --------------------------------------------------------------------------- clip_grad_norm

def _norms(grads):
    return [float(g.double().norm()) for g in grads]


def _clipped(grads, coef):
    return [g.double() * c for g, c in zip(grads, coef)]


def clip_variants(grads, max_norm):
    """{message: (clipped, norm)} for each classic clip_grad_norm mistake."""
    norms = _norms(grads)
    total = sum(n * n for n in norms) ** 0.5
    coef = min(1.0, max_norm / (total + CLIP_EPS))
    same = [coef] * len(grads)
    variants = {
        Mistake("rnn/clip-per-tensor",
            "each tensor is clipped by its own norm; clipping is global: one coefficient "
            "min(1, max_norm / (total_norm + 1e-6)) from the L2 norm of all gradients "
            "together scales every tensor",
            "텐서마다 자기 노름으로 잘랐습니다. 클리핑은 전역입니다: 모든 그래디언트를 합친 L2 노름에서 구한 계수 min(1, max_norm / "
            "(total_norm + 1e-6)) 하나로 모든 텐서를 스케일합니다"):
            (_clipped(grads, [min(1.0, max_norm / (n + CLIP_EPS)) for n in norms]), total),
        Mistake("rnn/clip-no-eps",
            "the coefficient lacks torch's 1e-6: it is min(1, max_norm / (total_norm + 1e-6))",
            "계수에 torch의 1e-6이 빠졌습니다: min(1, max_norm / (total_norm + 1e-6))입니다"):
            (_clipped(grads, [min(1.0, max_norm / total)] * len(grads)), total),
        Mistake("rnn/clip-not-capped",
            "the coefficient is not capped at 1: gradients whose norm is already below "
            "max_norm must stay as they are",
            "계수를 1로 제한하지 않았습니다: 노름이 이미 max_norm보다 작은 그래디언트는 그대로 두어야 합니다"):
            (_clipped(grads, [max_norm / (total + CLIP_EPS)] * len(grads)), total),
        Mistake("rnn/clip-sum-of-norms",
            "the total norm is the sum of the tensors' norms; it is the L2 norm of all "
            "entries together, sqrt(sum of squared norms)",
            "전체 노름을 텐서 노름들의 합으로 구했습니다. 전체 노름은 모든 원소를 합친 L2 노름, sqrt(노름 제곱의 합)입니다"):
            (_clipped(grads, [min(1.0, max_norm / (sum(norms) + CLIP_EPS))] * len(grads)), sum(norms)),
        Mistake("rnn/clip-no-sqrt",
            "the total norm is not square-rooted: it is sqrt(sum of squares)",
            "전체 노름에 제곱근을 씌우지 않았습니다: sqrt(제곱의 합)입니다"):
            (_clipped(grads, [min(1.0, max_norm / (total ** 2 + CLIP_EPS))] * len(grads)), total ** 2),
        Mistake("rnn/clip-unscaled",
            "the gradients come back unscaled although their total norm exceeds max_norm",
            "전체 노름이 max_norm을 넘는데도 그래디언트가 스케일되지 않고 그대로 돌아왔습니다"):
            ([g.double() for g in grads], total),
    }
    after = sum((n * coef) ** 2 for n in norms) ** 0.5
    norm_variants = {
        Mistake("rnn/clip-norm-after",
            "the returned norm is measured after clipping; return the total norm before "
            "clipping",
            "반환한 노름을 클리핑 다음에 쟀습니다. 클리핑 전의 전체 노름을 반환하세요"): after,
        Mistake("rnn/clip-norm-sum-of-norms",
            "the returned norm is the sum of the tensors' norms; it is the L2 norm of all "
            "entries together",
            "반환한 노름이 텐서 노름들의 합입니다. 모든 원소를 합친 L2 노름이어야 합니다"): sum(norms),
        Mistake("rnn/clip-norm-squared",
            "the returned norm is squared: it is sqrt(sum of squares)",
            "반환한 노름이 제곱된 값입니다: sqrt(제곱의 합)이어야 합니다"): total ** 2,
        Mistake("rnn/clip-norm-is-max",
            "the returned norm is max_norm; return the total norm of the gradients before "
            "clipping",
            "반환한 노름이 max_norm입니다. 클리핑 전 그래디언트의 전체 노름을 반환하세요"): float(max_norm),
    }
    return variants, norm_variants, _clipped(grads, same)


NORM_NOT_FLOAT = Mistake(
    "rnn/clip-norm-not-float",
    "{f} returned the norm as {kind}; the contract asks for a Python float (float(norm) or norm.item())",
    "{f}이(가) 노름을 {kind}(으)로 반환했습니다. 명세는 파이썬 float를 요구합니다 (float(norm) 또는 norm.item())")


def expect_clip(student, ref, grads, max_norm, *, what, atol=1e-5, rtol=1e-4, sent=None):
    """Call clip_grad_norm; compare the clipped list and the norm; return the raw norm.

    `sent` replaces `grads` in the call (e.g. handles to the same tensors kept in the sandbox).
    """
    result = student.call("clip_grad_norm", grads if sent is None else sent, max_norm)
    clipped, norm = expect_pair(result, what, "(clipped, norm)")
    if not isinstance(clipped, (list, tuple)) or len(clipped) != len(grads):
        got = type(clipped).__name__
        if isinstance(clipped, (list, tuple)):
            got = T(f"{got} of length {len(clipped)}", f"길이가 {len(clipped)}인 {got}")
        fail(T("{what}: the first element must be a list of {n} clipped tensors, one per gradient; got {got}",
               "{what}: 첫 번째 원소는 그래디언트마다 하나씩, 잘린 텐서 {n}개의 리스트여야 하는데 {got}입니다").format(
            what=what, n=len(grads), got=got))
    exp_clipped, exp_norm = ref.clip_grad_norm(grads, max_norm)
    variants, norm_variants, _ = clip_variants(grads, max_norm)
    whole = next((m for m, (v, _) in variants.items()
                  if all(is_close(c, e, atol=atol, rtol=rtol) for c, e in zip(clipped, v))), None)
    for i, (got, expected) in enumerate(zip(clipped, exp_clipped)):
        expect_tensor(got, what=what + f": clipped[{i}]", shape=tuple(expected.shape))
        named = {whole: got} if whole else {m: v[i] for m, (v, _) in variants.items()}
        expect_close(got, expected, what=what + f": clipped[{i}]", atol=atol, rtol=rtol, mistakes=named)
    expect_scalar(norm, exp_norm, what=what + T(": the returned norm", ": 반환한 노름"), atol=atol, rtol=rtol,
                  mistakes=norm_variants)
    return norm


def mutation_hint(before, after, max_norm):
    """Name an in-place clip when the caller's tensors now hold the clipped values."""
    _, _, clipped = clip_variants(before, max_norm)
    if all(is_close(a, c) for a, c in zip(after, clipped)):
        return (Mistake("rnn/clip-in-place",
            "the caller's gradients were clipped in place (g.mul_(...), g *= ...); "
            "clip_grad_norm returns clipped copies and leaves its input alone, unlike torch's "
            "clip_grad_norm_",
            "호출한 쪽의 그래디언트를 제자리(in place)에서 잘랐습니다 (g.mul_(...), g *= ...). torch의 "
            "clip_grad_norm_과 달리 clip_grad_norm은 잘린 복사본을 반환하고 입력은 그대로 둡니다"))
    return Mistake("rnn/clip-mutates-input",
        "the caller's gradients were changed in place; clip_grad_norm must return copies and "
        "leave its input alone",
        "호출한 쪽의 그래디언트가 제자리에서 바뀌었습니다. clip_grad_norm은 복사본을 반환하고 입력은 그대로 두어야 합니다")



# --------------------------------------------------------------------------- pictures

def gradient_flow_alt(student_dx, reference_dx):
    """The text alternative of the gradient-flow picture: both curves' norms per time step."""
    def norms(dx):
        return ", ".join(f"{float(dx[:, t].double().norm()):.3g}" for t in range(dx.shape[1]))
    return T("Log-scale plot of ||dL/dx_t|| against the time step t. Reference: {ref}. Your rnn_backward: {yours}.",
             "시간 단계 t에 따른 ||dL/dx_t||의 로그 눈금 그래프. 정답: {ref}. 제출한 rnn_backward: {yours}.").format(
        ref=norms(reference_dx), yours=norms(student_dx))


def gradient_flow_png(student_dx, reference_dx):
    """||dL/dx_t|| against t for a loss at the last step only: the student's BPTT beside the reference's,
    drawn in each language (a graders.pictures.Picture)."""
    steps = list(range(1, student_dx.shape[1] + 1))

    def norms(dx):
        # a zero has no place on a log scale: leave a gap there rather than a fake value
        return [n if n > 0 else float("nan") for n in (float(dx[:, t].double().norm()) for t in range(dx.shape[1]))]
    yours, reference = norms(student_dx), norms(reference_dx)

    def draw(tr):
        plt = pictures.pyplot()
        fig, ax = plt.subplots(figsize=(6, 3.6))
        ax.plot(steps, reference, "--", color="tab:orange", linewidth=2, label=tr(T("reference", "정답")))
        ax.plot(steps, yours, "o", color="tab:blue", markersize=5,
                label=tr(T("your rnn_backward", "제출한 rnn_backward")))
        ax.set_yscale("log")
        ax.set_xlabel(tr(T("time step t", "시간 단계 t")))
        ax.set_ylabel("||dL/dx_t||")
        ax.set_title(tr(T("gradient of the last step's output, sent back through time",
                          "마지막 단계 출력의 그래디언트를 시간을 거슬러 전달")), fontsize=11)
        ax.grid(alpha=0.3)
        ax.legend()
        return pictures.png(fig, dpi=100)
    return pictures.drawn(draw)
