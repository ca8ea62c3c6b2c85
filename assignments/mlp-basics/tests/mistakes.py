"""Known-wrong variants of the mlp-basics reference, and the expectations the checks share.

Each `*_variants` function returns {message: output} for one graded function, likeliest
mistake first; `expect_close(..., mistakes=...)` names the first variant the student's
output reproduces. Messages are shown to students, so they say what the code does and
what the contract wants, never an expected number. Loaded in the grader only.
"""

import torch

from graders import pictures
from graders.checks import CheckFailure, expect_close, expect_tensor, fail, is_close
from graders.i18n import Mistake, T, message_of

F64 = torch.float64
XOR_X = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_T = torch.tensor([0.0, 1.0, 1.0, 0.0])
GRAD_KEYS = ("W2", "b2", "W1", "b1")       # backprop order: the first wrong key is the likeliest cause


def _shape(shape):
    dims = tuple(int(d) for d in shape)
    return "(" + ", ".join(map(str, dims)) + ("," if len(dims) == 1 else "") + ")"


# --------------------------------------------------------------------------- perceptron

def perceptron_variants(x, w, b):
    z = x.double() @ w.double() + float(b)
    step = (z > 0).double()
    return {
        Mistake("mlp-basics/perceptron-ge",
            ">= instead of >: a point exactly on the boundary (x·w + b = 0) must give 0.0, "
            "the perceptron fires only where x·w + b > 0",
            ">가 아니라 >=를 썼습니다: 경계 위의 점(x·w + b = 0)은 0.0이어야 합니다. 퍼셉트론은 x·w + b > 0일 때만 1입니다"): (z >= 0).double(),
        Mistake("mlp-basics/perceptron-no-bias",
            "the bias b is not added: the perceptron is (x @ w + b > 0)",
            "편향 b를 더하지 않았습니다: 퍼셉트론은 (x @ w + b > 0)입니다"): (x.double() @ w.double() > 0).double(),
        Mistake("mlp-basics/perceptron-bias-subtracted",
            "the bias is subtracted (x·w − b); the perceptron is (x @ w + b > 0)",
            "편향을 뺐습니다(x·w − b). 퍼셉트론은 (x @ w + b > 0)입니다"):
            (x.double() @ w.double() - float(b) > 0).double(),
        Mistake("mlp-basics/perceptron-sign",
            "the output is ±1 (a sign); it must be 1.0 where x·w + b > 0 and 0.0 elsewhere",
            "출력이 ±1(부호)입니다. x·w + b > 0이면 1.0, 아니면 0.0이어야 합니다"): 2 * step - 1,
        Mistake("mlp-basics/perceptron-no-step",
            "the output is x·w + b itself; apply the step: (x @ w + b > 0) as float",
            "출력이 x·w + b 그 자체입니다. 계단 함수를 적용하세요: (x @ w + b > 0)을 float로"): z,
        Mistake("mlp-basics/perceptron-sigmoid",
            "the output is sigmoid(x·w + b); the perceptron uses a hard step, (x @ w + b > 0) "
            "as float",
            "출력이 sigmoid(x·w + b)입니다. 퍼셉트론은 계단 함수 (x @ w + b > 0)을 float로 씁니다"): torch.sigmoid(z),
    }


PERCEPTRON_DTYPE = Mistake(
    "mlp-basics/perceptron-bool",
    "{what}: returned dtype {dtype}; the contract asks for a float tensor of 0.0 and 1.0 (e.g. (x @ w + b > 0).float())",
    "{what}: dtype {dtype}을(를) 반환했습니다. 명세는 0.0과 1.0으로 된 float 텐서를 요구합니다 "
    "(예: (x @ w + b > 0).float())")
PERCEPTRON_COLUMN = Mistake(
    "mlp-basics/perceptron-column",
    "{what}: shape {shape}; with w of shape (d,), x @ w + b has shape (B,), so must the output",
    "{what}: 형태가 {shape}입니다. w의 형태가 (d,)이면 x @ w + b의 형태는 (B,)이고, 출력도 그래야 합니다")


def expect_perceptron(out, expected, x, w, b, *, what):
    if isinstance(out, torch.Tensor) and not out.is_floating_point():
        fail(PERCEPTRON_DTYPE.format(what=what, dtype=out.dtype))
    if isinstance(out, torch.Tensor) and tuple(out.shape) == (x.shape[0], 1):
        fail(PERCEPTRON_COLUMN.format(what=what, shape=_shape(out.shape)))
    expect_close(out, expected, what=what, mistakes=perceptron_variants(x, w, b))


# --------------------------------------------------------------------------- losses

LOG10 = Mistake("mlp-basics/bce-log10",
    "log10 is used; binary cross-entropy uses the natural log (torch.log)",
    "log10을 썼습니다. 이진 교차 엔트로피는 자연로그(torch.log)를 씁니다")
BCE_NAN = (Mistake("mlp-basics/bce-nan",
    "the loss is NaN or inf when a prediction is exactly 0 or 1: log(0) = -inf, and 0 · "
    "(-inf) = NaN; F.binary_cross_entropy clamps each log at -100 "
    "(torch.log(p).clamp(min=-100)) before multiplying by the target",
    "예측이 정확히 0이나 1이면 손실이 NaN이나 inf가 됩니다: log(0) = -inf이고 0 · (-inf) = NaN입니다. "
    "F.binary_cross_entropy는 타깃을 곱하기 전에 각 로그를 -100에서 자릅니다 (torch.log(p).clamp(min=-100))"))
EPS_CLAMP = (Mistake("mlp-basics/bce-eps-clamp",
    "the predictions are clamped to [eps, 1 - eps] (or eps is added inside the log); "
    "F.binary_cross_entropy leaves p alone and clamps each log at -100 instead, so a "
    "prediction of exactly 0 for a target of 1 costs 100",
    "예측을 [eps, 1 - eps]로 잘랐습니다(또는 로그 안에 eps를 더했습니다). F.binary_cross_entropy는 p를 그대로 두고 대신 각 "
    "로그를 -100에서 자르므로, 타깃 1에 대한 예측 0은 손실 100입니다"))


def _bce_terms(pred, target, *, log=torch.log, floor=-100.0):
    log_p, log_q = log(pred), log(1 - pred)
    if floor is not None:
        log_p, log_q = log_p.clamp(min=floor), log_q.clamp(min=floor)
    return -(target * log_p + (1 - target) * log_q)


def bce_variants(pred, target):
    """[(message, loss)], computed in the inputs' own dtype: eps tricks behave differently in
    float32 and float64. Several variants may share a message (one idea, several spellings)."""
    right = _bce_terms(pred, target)
    log_p, log_q = torch.log(pred).clamp(min=-100), torch.log(1 - pred).clamp(min=-100)
    variants = [
        (LOG10, _bce_terms(pred, target, log=torch.log10).mean()),
        (LOG10, _bce_terms(pred, target, log=torch.log10, floor=None).mean()),
        (Mistake("mlp-basics/bce-summed",
            "the loss is summed; it is the mean over all elements",
            "손실을 합했습니다. 손실은 모든 원소에 대한 평균입니다"), right.sum()),
        (Mistake("mlp-basics/bce-sign",
            "the sign is flipped: BCE = -mean(t log p + (1 - t) log(1 - p))",
            "부호가 뒤집혔습니다: BCE = -mean(t log p + (1 - t) log(1 - p))"), -right.mean()),
        (Mistake("mlp-basics/bce-swapped-args",
            "pred and target are swapped: bce_loss(pred, target) takes the prediction first",
            "pred와 target이 뒤바뀌었습니다: bce_loss(pred, target)은 예측을 먼저 받습니다"),
         _bce_terms(target, pred).mean()),
        (Mistake("mlp-basics/bce-missing-term",
            "the (1 - t) log(1 - p) term is missing",
            "(1 - t) log(1 - p) 항이 빠졌습니다"), (-target * log_p).mean()),
    ]
    hard = (Mistake("mlp-basics/bce-hard-labels",
        "the targets are treated as hard 0/1 labels (torch.where on the target, or indexing); "
        "a soft target t weighs both terms: -(t log p + (1 - t) log(1 - p))",
        "타깃을 0/1 하드 레이블로 다뤘습니다(타깃에 torch.where 또는 인덱싱). 소프트 타깃 t는 두 항 모두에 가중치를 줍니다: -(t log p "
        "+ (1 - t) log(1 - p))"))
    for picks_p in (target > 0.5, target == 1, target != 0):
        variants.append((hard, torch.where(picks_p, -log_p, -log_q).mean()))
    if pred.dim() > 1:
        variants.append((Mistake("mlp-basics/mean-over-batch-only",
            "the sum is divided by the batch size only; the mean is over every element",
            "합을 배치 크기로만 나눴습니다. 평균은 모든 원소에 대해 냅니다"),
                         right.sum() / pred.shape[0]))
    for eps in (1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-12, 1e-15):
        variants.append((EPS_CLAMP, _bce_terms(pred.clamp(eps, 1 - eps), target, floor=None).mean()))
        inside = -(target * torch.log(pred + eps) + (1 - target) * torch.log(1 - pred + eps))
        variants.append((EPS_CLAMP, inside.mean()))
    return variants


def expect_scalar_tensor(value, *, what):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        fail(T("{what}: returned a Python {kind}; return a 0-d tensor (keep it a torch.Tensor, no .item())",
               "{what}: 파이썬 {kind}을(를) 반환했습니다. 0차원 텐서를 반환하세요 (torch.Tensor로 유지하고 .item()은 "
               "쓰지 마세요)").format(what=what, kind=type(value).__name__))
    expect_tensor(value, what=what)
    if value.dim() != 0:
        fail(T("{what}: expected a 0-d tensor (a scalar loss), got shape {shape}",
               "{what}: 0차원 텐서(스칼라 손실)여야 하는데 형태가 {shape}입니다").format(what=what, shape=_shape(value.shape)))


def expect_bce(loss, pred, target, expected, *, what):
    expect_scalar_tensor(loss, what=what)
    if not torch.isfinite(loss).all() and torch.isfinite(expected).all():
        fail(what + ": " + BCE_NAN)
    hint = None
    if not is_close(loss, expected):
        hint = next((message for message, value in bce_variants(pred, target) if is_close(loss, value)), None)
    # a mapping of the hint to the student's own value makes expect_close append it
    expect_close(loss, expected, what=what, mistakes={hint: loss} if hint else None)


def mse_variants(pred, target):
    diff = pred.double() - target.double()
    variants = {
        Mistake("mlp-basics/mse-summed",
            "the squared errors are summed; mse_loss is their mean over all elements",
            "제곱 오차를 합했습니다. mse_loss는 모든 원소에 대한 평균입니다"): (diff ** 2).sum(),
        Mistake("mlp-basics/mse-halved",
            "the loss is halved (0.5 · mean); mse_loss is the plain mean of (pred - target)^2",
            "손실을 반으로 나눴습니다(0.5 · mean). mse_loss는 (pred - target)^2의 평균 그대로입니다"): 0.5 * (diff ** 2).mean(),
        Mistake("mlp-basics/mse-root",
            "the square root is taken (that is the RMSE); mse_loss is the mean of (pred - "
            "target)^2",
            "제곱근을 취했습니다(그것은 RMSE입니다). mse_loss는 (pred - target)^2의 평균입니다"):
            (diff ** 2).mean().sqrt(),
        Mistake("mlp-basics/mse-absolute",
            "absolute errors are averaged (that is the MAE); square them",
            "절댓값 오차를 평균냈습니다(그것은 MAE입니다). 오차를 제곱하세요"): diff.abs().mean(),
        Mistake("mlp-basics/mse-not-squared",
            "the errors are not squared: mean(pred - target)",
            "오차를 제곱하지 않았습니다: mean(pred - target)"): diff.mean(),
    }
    if pred.dim() > 1:
        variants[Mistake("mlp-basics/mean-over-batch-only",
            "the sum is divided by the batch size only; the mean is over every element",
            "합을 배치 크기로만 나눴습니다. 평균은 모든 원소에 대해 냅니다")] = \
            (diff ** 2).sum() / pred.shape[0]
    return variants


# --------------------------------------------------------------------------- MLP forward

def mlp_forward(x, W1, b1, W2, b2, *, act1=torch.sigmoid, act2=torch.sigmoid, bias1=True, bias2=True):
    x, W1, b1, W2, b2 = (t.double() for t in (x, W1, b1, W2, b2))
    h = act1(x @ W1 + (b1 if bias1 else 0))
    return act2(h @ W2 + (b2 if bias2 else 0))


def _identity(t):
    return t


def mlp_forward_variants(x, W1, b1, W2, b2):
    args = (x, W1, b1, W2, b2)
    variants = {
        Mistake("mlp-basics/forward-no-output-sigmoid",
            "the output sigmoid is missing: y = sigmoid(h @ W2 + b2)",
            "출력층 sigmoid가 빠졌습니다: y = sigmoid(h @ W2 + b2)"): mlp_forward(*args, act2=_identity),
        Mistake("mlp-basics/forward-no-hidden-sigmoid",
            "the hidden sigmoid is missing: h = sigmoid(x @ W1 + b1)",
            "은닉층 sigmoid가 빠졌습니다: h = sigmoid(x @ W1 + b1)"): mlp_forward(*args, act1=_identity),
        Mistake("mlp-basics/forward-no-sigmoid",
            "no sigmoid at all: both layers are followed by a sigmoid",
            "sigmoid가 하나도 없습니다: 두 층 모두 뒤에 sigmoid가 있어야 합니다"): mlp_forward(*args, act1=_identity, act2=_identity),
        Mistake("mlp-basics/forward-hidden-tanh",
            "tanh instead of sigmoid in the hidden layer",
            "은닉층에 sigmoid 대신 tanh를 썼습니다"): mlp_forward(*args, act1=torch.tanh),
        Mistake("mlp-basics/forward-hidden-relu",
            "ReLU instead of sigmoid in the hidden layer",
            "은닉층에 sigmoid 대신 ReLU를 썼습니다"): mlp_forward(*args, act1=torch.relu),
        Mistake("mlp-basics/forward-no-b1",
            "the bias b1 is not added",
            "편향 b1을 더하지 않았습니다"): mlp_forward(*args, bias1=False),
        Mistake("mlp-basics/forward-no-b2",
            "the bias b2 is not added",
            "편향 b2를 더하지 않았습니다"): mlp_forward(*args, bias2=False),
    }
    if W1.shape[0] == W1.shape[1]:
        variants[Mistake("mlp-basics/forward-w1-transposed",
            "W1 is transposed: a layer is x @ W1 with W1 of shape (d, H)",
            "W1을 전치했습니다: 층은 x @ W1이고 W1의 형태는 (d, H)입니다")] = mlp_forward(x, W1.T, b1, W2, b2)
    if W2.shape[0] == W2.shape[1]:
        variants[Mistake("mlp-basics/forward-w2-transposed",
            "W2 is transposed: the output layer is h @ W2 with W2 of shape (H, K)",
            "W2를 전치했습니다: 출력층은 h @ W2이고 W2의 형태는 (H, K)입니다")] = \
            mlp_forward(x, W1, b1, W2.T, b2)
    return variants


def expect_pair(value, what, names):
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        got = type(value).__name__
        if isinstance(value, (tuple, list)):
            got = T(f"{got} of length {len(value)}", f"길이가 {len(value)}인 {got}")
        fail(T("{what} must return a pair {names}, got {got}", "{what}: {names} 쌍을 반환해야 하는데 반환값이 {got}입니다"
               ).format(what=what, names=names, got=got))
    return value


def expect_forward(student, ref, args, *, what="y", **call_kw):
    """Call mlp_forward; check y; return the student's cache."""
    y, cache = expect_pair(student.call("mlp_forward", *args, **call_kw), "mlp_forward", "(y, cache)")
    expect_close(y, ref.mlp_forward(*args)[0], what=what, mistakes=mlp_forward_variants(*args))
    return cache


# --------------------------------------------------------------------------- MLP backward

def mlp_backward(dy, x, W1, b1, W2, b2, *, sign2=1.0, sign1=1.0, d2="y", d1="h", mean=False,
                 dh_transpose=True, dW1_transpose=False, dW2_transpose=False):
    """Gradients of sum(y * dy), with switches for the classic departures from the chain rule.

    d2 / d1 choose the local derivative of each sigmoid: "y" / "h" is right, "none" drops it,
    "double" applies the sigmoid again (sigma(y)(1 - sigma(y))), "y" at layer 1 uses the output's.
    """
    dy, x, W1, b1, W2, b2 = (t.double() for t in (dy, x, W1, b1, W2, b2))
    h = torch.sigmoid(x @ W1 + b1)
    y = torch.sigmoid(h @ W2 + b2)

    def local(kind, act):
        if kind == "none":
            return torch.ones_like(act)
        if kind == "double":
            return torch.sigmoid(act) * (1 - torch.sigmoid(act))
        return act * (1 - act)

    dz2 = sign2 * dy * local(d2, y)
    dh = dz2 @ (W2.T if dh_transpose else W2)
    dz1 = sign1 * dh * local(d1, {"h": h, "y": y, "none": h, "double": h}[d1])
    scale = 1.0 / x.shape[0] if mean else 1.0
    dW1 = x.T @ dz1
    dW2 = h.T @ dz2
    return {"W1": scale * (dW1.T if dW1_transpose else dW1), "b1": scale * dz1.sum(0),
            "W2": scale * (dW2.T if dW2_transpose else dW2), "b2": scale * dz2.sum(0)}


def _backward_switches(d, H, K):
    yield (Mistake("mlp-basics/backward-sign",
        "every gradient has the wrong sign: these are the gradients of sum(y * dy) itself "
        "(the minus sign belongs to the descent step w <- w - lr * grad, not to mlp_backward)",
        "모든 그래디언트의 부호가 반대입니다: 구할 것은 sum(y * dy) 자체의 그래디언트입니다 (빼기 부호는 mlp_backward가 아니라 경사 하강 "
        "단계 w <- w - lr * grad에 속합니다)"),
           dict(sign2=-1.0))
    yield (Mistake("mlp-basics/backward-hidden-sign",
        "sign error in the hidden layer: sigmoid'(a) = h (1 - h), not h (h - 1), so the W1 "
        "and b1 gradients come out negated",
        "은닉층의 부호 오류: sigmoid'(a)는 h (h - 1)이 아니라 h (1 - h)이므로 W1과 b1의 그래디언트 부호가 뒤집혔습니다"), dict(sign1=-1.0))
    yield (Mistake("mlp-basics/backward-no-output-derivative",
        "the output sigmoid's derivative y (1 - y) is missing: dz2 = dy * y * (1 - y)",
        "출력층 sigmoid의 도함수 y (1 - y)가 빠졌습니다: dz2 = dy * y * (1 - y)"), dict(d2="none"))
    yield (Mistake("mlp-basics/backward-no-hidden-derivative",
        "the hidden sigmoid's derivative h (1 - h) is missing: dz1 = (dz2 @ W2.T) * h * (1 - "
        "h)",
        "은닉층 sigmoid의 도함수 h (1 - h)가 빠졌습니다: dz1 = (dz2 @ W2.T) * h * (1 - h)"), dict(d1="none"))
    if K in (1, H):
        # only then does (B, H) * y (1 - y) broadcast, so only then can the code run at all
        yield (Mistake("mlp-basics/backward-hidden-uses-y",
            "the hidden layer uses the output's derivative y (1 - y); it needs its own, h (1 "
            "- h)",
            "은닉층에 출력층의 도함수 y (1 - y)를 썼습니다. 은닉층은 자기 도함수 h (1 - h)를 씁니다"), dict(d1="y"))
    yield (Mistake("mlp-basics/backward-double-sigmoid",
        "the sigmoid is applied twice in the derivative: with y = sigmoid(a) already, "
        "sigmoid'(a) is y (1 - y), not sigmoid(y) (1 - sigmoid(y))",
        "도함수에서 sigmoid를 두 번 적용했습니다: 이미 y = sigmoid(a)이므로 sigmoid'(a)는 sigmoid(y) (1 - "
        "sigmoid(y))가 아니라 y (1 - y)입니다"), dict(d2="double", d1="double"))
    yield (Mistake("mlp-basics/backward-double-sigmoid-output",
        "the output layer's derivative applies the sigmoid twice: sigmoid'(a) is y (1 - y), "
        "not sigmoid(y) (1 - sigmoid(y))",
        "출력층의 도함수에서 sigmoid를 두 번 적용했습니다: sigmoid'(a)는 sigmoid(y) (1 - sigmoid(y))가 아니라 y (1 - "
        "y)입니다"), dict(d2="double"))
    yield (Mistake("mlp-basics/backward-double-sigmoid-hidden",
        "the hidden layer's derivative applies the sigmoid twice: sigmoid'(a) is h (1 - h), "
        "not sigmoid(h) (1 - sigmoid(h))",
        "은닉층의 도함수에서 sigmoid를 두 번 적용했습니다: sigmoid'(a)는 sigmoid(h) (1 - sigmoid(h))가 아니라 h (1 - "
        "h)입니다"), dict(d1="double"))
    yield (Mistake("mlp-basics/backward-averaged",
        "the gradients are averaged over the batch; the loss is sum(y * dy), so they are "
        "summed (any 1/B belongs in dy)",
        "그래디언트를 배치에 대해 평균냈습니다. 손실이 sum(y * dy)이므로 합해야 합니다 (1/B는 dy에 들어 있습니다)"), dict(mean=True))
    if H == K:
        yield (Mistake("mlp-basics/backward-w2-not-transposed",
            "W2 is not transposed when the gradient goes back to h: dh = dz2 @ W2.T",
            "그래디언트를 h로 보낼 때 W2를 전치하지 않았습니다: dh = dz2 @ W2.T"), dict(dh_transpose=False))
    if d == H:
        yield (Mistake("mlp-basics/backward-dw1-transposed",
            "the W1 gradient is transposed: it is x.T @ dz1, of W1's shape (d, H)",
            "W1의 그래디언트가 전치되었습니다: x.T @ dz1이고 W1과 같은 형태 (d, H)입니다"), dict(dW1_transpose=True))
    if H == K:
        yield (Mistake("mlp-basics/backward-dw2-transposed",
            "the W2 gradient is transposed: it is h.T @ dz2, of W2's shape (H, K)",
            "W2의 그래디언트가 전치되었습니다: h.T @ dz2이고 W2와 같은 형태 (H, K)입니다"), dict(dW2_transpose=True))


def mlp_backward_variants(dy, x, W1, b1, W2, b2):
    """{message: {key: gradient}} for each classic mlp_backward mistake."""
    d, H = W1.shape
    K = W2.shape[1]
    return {msg: mlp_backward(dy, x, W1, b1, W2, b2, **kw) for msg, kw in _backward_switches(d, H, K)}


GRAD_TRANSPOSED_SHAPE = Mistake(
    "mlp-basics/backward-gradient-transposed",
    "the gradient w.r.t. {key} has shape {got}, the shape of {key}.T: it is {layer}, of {key}'s own shape {want}",
    "{key}에 대한 그래디언트의 형태가 {key}.T의 형태인 {got}입니다: 그래디언트는 {layer}이고, {key}와 같은 형태 "
    "{want}입니다")
GRAD_NOT_SUMMED = Mistake(
    "mlp-basics/backward-bias-not-summed",
    "the gradient w.r.t. {key} has shape {got}: sum it over the batch axis (dim 0) to get {key}'s shape {want}",
    "{key}에 대한 그래디언트의 형태가 {got}입니다: 배치 축(dim 0)에 대해 합해서 {key}의 형태 {want}로 만드세요")


def _shape_hint(key, got, expected, B):
    """Name a gradient of the wrong shape when its shape says why."""
    g, e = tuple(got.shape), tuple(expected.shape)
    if len(e) == 2 and g == e[::-1]:
        layer = "x.T @ dz1" if key == "W1" else "h.T @ dz2"
        return GRAD_TRANSPOSED_SHAPE.format(key=key, got=_shape(g), layer=layer, want=_shape(e))
    if len(e) == 1 and g in ((B,) + e, (1,) + e):
        return GRAD_NOT_SUMMED.format(key=key, got=_shape(g), want=_shape(e))
    return None


def expect_gradients(grads, expected, variants, *, B, where=""):
    if not isinstance(grads, dict):
        fail(NOT_A_DICT.format(what="mlp_backward", got=type(grads).__name__))
    missing = [k for k in GRAD_KEYS[::-1] if k not in grads]
    if missing:
        keys = sorted(map(str, grads))
        with_d = any(str(k).startswith("d") for k in keys)
        hint = T(" (the keys are the parameters' names, without a 'd')", " (키는 'd'를 붙이지 않은 파라미터 이름입니다)") \
            if with_d else ""
        fail(DICT_LACKS.format(what="mlp_backward", missing=", ".join(missing), keys=keys) + hint)
    # A variant that reproduces every gradient names the cause better than a per-key match:
    # a sign error in the hidden layer and a global one both negate W1's gradient.
    whole = next((m for m, v in variants.items() if all(is_close(grads[k], v[k]) for k in GRAD_KEYS)), None)
    for key in GRAD_KEYS:
        got = grads[key]
        if isinstance(got, torch.Tensor) and tuple(got.shape) != tuple(expected[key].shape):
            hint = _shape_hint(key, got, expected[key], B)
            if hint:
                fail(hint + where)
        named = {whole: got} if whole else {m: v[key] for m, v in variants.items()}
        expect_close(got, expected[key], what=T("gradient w.r.t. {key}", "{key}에 대한 그래디언트").format(key=key) + where,
                     mistakes=named)


FORWARD_FIRST = (Mistake("mlp-basics/backward-forward-first",
    "mlp_backward is graded on the cache your mlp_forward returns, and your mlp_forward's y "
    "is wrong, so the gradients cannot be checked; fix mlp_forward first",
    "mlp_backward는 제출한 mlp_forward가 반환한 cache로 채점하는데, mlp_forward의 y가 틀려서 그래디언트를 확인할 수 없습니다. "
    "mlp_forward부터 고치세요"))


def expect_backward(student, ref, args, dy, *, where="", **call_kw):
    """Run the student's forward for its cache, then backward; compare every gradient."""
    try:
        cache = expect_forward(student, ref, args, what=T("mlp_forward's y", "mlp_forward의 y"))
    except CheckFailure as exc:
        if getattr(exc, "kind", "") in ("timeout", "crashed", "memory"):
            raise
        raise CheckFailure(FORWARD_FIRST + ".\n" + message_of(exc)) from None
    grads = student.call("mlp_backward", dy, cache, **call_kw)
    _, ref_cache = ref.mlp_forward(*args)
    expected = ref.mlp_backward(dy, ref_cache)
    expect_gradients(grads, expected, mlp_backward_variants(dy, *args), B=dy.shape[0], where=where)


# --------------------------------------------------------------------------- train_xor

SHAPES = {"W1": ((2, 4),), "b1": ((4,),), "W2": ((4, 1), (4,)), "b2": ((1,), ())}


def xor_weights(params, *, what):
    """Validate train_xor's dict; return the weights as float64 in the contract's shapes."""
    if not isinstance(params, dict):
        fail(NOT_A_DICT.format(what=what, got=type(params).__name__))
    missing = [k for k in ("W1", "b1", "W2", "b2") if k not in params]
    if missing:
        fail(DICT_LACKS.format(what=what, missing=", ".join(missing), keys=sorted(map(str, params))))
    out = {}
    for key, shapes in SHAPES.items():
        value = params[key]
        expect_tensor(value, what=f"{what}['{key}']")
        if not value.is_floating_point():
            fail(T("{what}['{key}'] has dtype {dtype}; weights are float tensors",
                   "{what}['{key}']의 dtype이 {dtype}입니다. 가중치는 float 텐서입니다").format(
                what=what, key=key, dtype=value.dtype))
        if tuple(value.shape) not in shapes:
            hint = T(" (transposed: W1 has shape (d_in, H) = (2, 4) because a layer is x @ W1)",
                     " (전치됨: 층이 x @ W1이므로 W1의 형태는 (d_in, H) = (2, 4)입니다)") \
                if key == "W1" and tuple(value.shape) == (4, 2) else ""
            fail(T("{what}['{key}'] has shape {got}; a 2-4-1 net has {key} of shape {want}",
                   "{what}['{key}']의 형태가 {got}입니다. 2-4-1 망에서 {key}의 형태는 {want}입니다").format(
                what=what, key=key, got=_shape(value.shape), want=_shape(shapes[0])) + hint)
        if not torch.isfinite(value).all():
            fail(XOR_DIVERGED.format(what=what, key=key))
        out[key] = value.double().reshape(shapes[0])
    return out


XOR_DIVERGED = Mistake(
    "mlp-basics/xor-diverged",
    "{what}['{key}'] contains NaN or inf: training diverged",
    "{what}['{key}']에 NaN이나 inf가 있습니다: 학습이 발산했습니다")
XOR_NOT_REPRODUCIBLE = Mistake(
    "mlp-basics/xor-not-reproducible",
    "two calls of train_xor(steps=50, lr=0.5, seed=7) return different weights: draw the initial weights from "
    "torch.Generator().manual_seed(seed) (or call torch.manual_seed(seed) first)",
    "train_xor(steps=50, lr=0.5, seed=7)를 두 번 호출했더니 가중치가 다릅니다: 초기 가중치를 "
    "torch.Generator().manual_seed(seed)에서 뽑으세요 (또는 먼저 torch.manual_seed(seed)를 호출하세요)")
XOR_SEED_IGNORED = Mistake(
    "mlp-basics/xor-seed-ignored",
    "train_xor(seed=7) and train_xor(seed=8) return the same weights: the seed is ignored; draw the initial "
    "weights from a generator seeded with `seed`",
    "train_xor(seed=7)과 train_xor(seed=8)이 같은 가중치를 반환합니다: seed를 무시했습니다. `seed`로 시드를 준 "
    "생성기에서 초기 가중치를 뽑으세요")
NOT_A_DICT = T("{what} must return a dict with keys W1, b1, W2, b2; got {got}",
               "{what}은(는) 키가 W1, b1, W2, b2인 dict를 반환해야 하는데 {got}을(를) 반환했습니다")
DICT_LACKS = T("{what}'s dict lacks {missing}; it has {keys}", "{what}의 dict에 {missing}이(가) 없습니다. 있는 키: {keys}")


def xor_outputs(weights, x=XOR_X):
    h = torch.sigmoid(x.double() @ weights["W1"] + weights["b1"])
    return torch.sigmoid(h @ weights["W2"] + weights["b2"]).squeeze(-1)


def xor_diagnosis(weights, y, initial=None):
    """Why a returned net misses XOR, when the weights show it."""
    W1, b1 = weights["W1"], weights["b1"]
    if torch.allclose(W1, W1[:, :1].expand_as(W1)) and torch.allclose(b1, b1[:1].expand_as(b1)):
        return (Mistake("mlp-basics/xor-symmetric-init",
            "all four hidden units have identical weights: a constant (e.g. zero) "
            "initialisation never breaks the symmetry between them, so the net behaves like "
            "one hidden unit, which cannot solve XOR; initialise W1 and W2 randomly from a "
            "generator seeded with `seed`",
            "은닉 유닛 네 개의 가중치가 모두 같습니다: 상수(예: 0) 초기화는 유닛 사이의 대칭을 깨지 못해 망이 은닉 유닛 하나처럼 동작하고, "
            "그것으로는 XOR을 풀 수 없습니다. `seed`로 시드를 준 생성기로 W1과 W2를 무작위로 초기화하세요"))
    if initial is not None and all(torch.allclose(weights[k], initial[k]) for k in weights):
        return (Mistake("mlp-basics/xor-no-update",
            "the returned weights equal those of train_xor(steps=0): training never changed "
            "them (is the update assigned back, w = w - lr * grad?)",
            "반환한 가중치가 train_xor(steps=0)의 가중치와 같습니다: 학습이 가중치를 전혀 바꾸지 않았습니다 (갱신 결과를 w = w - lr "
            "* grad로 다시 대입했나요?)"))
    t = XOR_T.double()
    bce = -(t * y.clamp_min(1e-12).log() + (1 - t) * (1 - y).clamp_min(1e-12).log()).mean()
    if bce > 0.6931472 + 1e-3:
        return (Mistake("mlp-basics/xor-ascent",
            "the net fits XOR worse than a constant 0.5 would: the update probably climbs the "
            "loss (gradient descent is w <- w - lr * grad)",
            "망이 상수 0.5보다도 XOR을 못 맞춥니다: 갱신이 손실을 오히려 키우는 것 같습니다 (경사 하강은 w <- w - lr * grad)"))
    if (y - 0.5).abs().max() < 0.05:
        return Mistake("mlp-basics/xor-not-learned",
            "the net outputs about 0.5 everywhere: it has not learned yet (check the "
            "gradient, lr and steps)",
            "망이 어디서나 0.5 정도를 출력합니다: 아직 학습되지 않았습니다 (그래디언트, lr, steps를 확인하세요)")
    return None


def xor_report(y):
    rows = []
    for (a, b), t, p in zip(XOR_X.tolist(), XOR_T.tolist(), y.tolist()):
        rows.append(f"({a:g}, {b:g}) -> y = {p:.3f} (class {int(p > 0.5)}, XOR = {int(t)})")
    return "; ".join(rows)


def decision_boundary_png(weights, *, title):
    """The student's net over the plane, its y = 0.5 line, and the four XOR points, drawn in each
    language (a graders.pictures.Picture; `title` is a T)."""
    lin = torch.linspace(-0.5, 1.5, 81, dtype=F64)
    gx, gy = torch.meshgrid(lin, lin, indexing="xy")
    z = xor_outputs(weights, torch.stack([gx.flatten(), gy.flatten()], dim=1)).reshape(gx.shape).numpy()
    return pictures.drawn(lambda tr: _boundary_figure(pictures.pyplot(), gx, gy, z, tr(title)))


def _boundary_figure(plt, gx, gy, z, title):
    fig, ax = plt.subplots(figsize=(4.2, 3.6))
    image = ax.imshow(z, extent=(-0.5, 1.5, -0.5, 1.5), origin="lower", cmap="RdBu_r", vmin=0, vmax=1)
    if z.min() < 0.5 < z.max():
        ax.contour(gx.numpy(), gy.numpy(), z, levels=[0.5], colors="k", linewidths=1.5)
    for (a, b), t in zip(XOR_X.tolist(), XOR_T.tolist()):
        ax.scatter([a], [b], s=90, marker="o" if t else "X", c="white" if t else "black", edgecolors="k", zorder=3)
    fig.colorbar(image, ax=ax, label="y")
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_title(title, fontsize=9)
    return pictures.png(fig, dpi=90)


def expect_xor(student, artifacts, *, what, picture_always=True, **kwargs):
    """Run train_xor(**kwargs) in the sandbox; evaluate the returned net here, with a picture
    of its decision boundary (always, or only when it misses)."""
    weights = xor_weights(student.call("train_xor", **kwargs), what=what)
    y = xor_outputs(weights)
    correct = (y > 0.5).double() == XOR_T.double()
    if picture_always or not correct.all():
        artifacts.image(f"xor-boundary-seed-{kwargs.get('seed', 0)}.png",
                        decision_boundary_png(weights, title=T("{what}\ny over the plane, y = 0.5 in black",
                                                               "{what}\n평면 위의 y, 검은 선이 y = 0.5").format(what=what)),
                        caption=T("The net returned by {what}; o: XOR = 1, x: XOR = 0.",
                                  "{what}이(가) 반환한 망. o: XOR = 1, x: XOR = 0.").format(what=what),
                        alt=xor_alt(y))
    if bool(correct.all()):
        return
    try:
        initial = xor_weights(student.call("train_xor", **{**kwargs, "steps": 0}), what=what)
    except CheckFailure:
        initial = None
    hint = xor_diagnosis(weights, y, initial)
    fail(T("{what} classifies {n} of 4 XOR points correctly ({report})",
           "{what}이(가) XOR 점 4개 중 {n}개를 맞게 분류합니다 ({report})").format(
        what=what, n=int(correct.sum()), report=xor_report(y)) + ("; " + hint if hint else ""))


def xor_alt(y):
    """The picture's text alternative: the net's output at the four XOR points."""
    return T("Heat map of the net's output y over the plane x1, x2 from -0.5 to 1.5, with the y = 0.5 line. "
             "At the XOR points: {report}.",
             "x1, x2 평면(-0.5부터 1.5까지)에서 망의 출력 y를 나타낸 히트맵과 y = 0.5 경계선. XOR 점에서: {report}.").format(
        report=xor_report(y))
