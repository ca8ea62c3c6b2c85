"""Known-wrong variants of the mlp-basics reference, and the expectations the checks share.

Each `*_variants` function returns {message: output} for one graded function, likeliest
mistake first; `expect_close(..., mistakes=...)` names the first variant the student's
output reproduces. Messages are shown to students, so they say what the code does and
what the contract wants, never an expected number. Loaded in the grader only.
"""
import io

import torch

from graders.checks import CheckFailure, expect_close, expect_tensor, fail, is_close

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
        ">= instead of >: a point exactly on the boundary (x·w + b = 0) must give 0.0, "
        "the perceptron fires only where x·w + b > 0": (z >= 0).double(),
        "the bias b is not added: the perceptron is (x @ w + b > 0)": (x.double() @ w.double() > 0).double(),
        "the bias is subtracted (x·w − b); the perceptron is (x @ w + b > 0)":
            (x.double() @ w.double() - float(b) > 0).double(),
        "the output is ±1 (a sign); it must be 1.0 where x·w + b > 0 and 0.0 elsewhere": 2 * step - 1,
        "the output is x·w + b itself; apply the step: (x @ w + b > 0) as float": z,
        "the output is sigmoid(x·w + b); the perceptron uses a hard step, (x @ w + b > 0) as float": torch.sigmoid(z),
    }


def expect_perceptron(out, expected, x, w, b, *, what):
    if isinstance(out, torch.Tensor) and not out.is_floating_point():
        fail(f"{what}: returned dtype {out.dtype}; the contract asks for a float tensor of 0.0 and 1.0 "
             "(e.g. (x @ w + b > 0).float())")
    if isinstance(out, torch.Tensor) and tuple(out.shape) == (x.shape[0], 1):
        fail(f"{what}: shape {_shape(out.shape)}; with w of shape (d,), x @ w + b has shape (B,), so must the output")
    expect_close(out, expected, what=what, mistakes=perceptron_variants(x, w, b))


# --------------------------------------------------------------------------- losses

LOG10 = "log10 is used; binary cross-entropy uses the natural log (torch.log)"
BCE_NAN = ("the loss is NaN or inf when a prediction is exactly 0 or 1: log(0) = -inf, and 0 · (-inf) = NaN; "
           "F.binary_cross_entropy clamps each log at -100 (torch.log(p).clamp(min=-100)) before "
           "multiplying by the target")
EPS_CLAMP = ("the predictions are clamped to [eps, 1 - eps] (or eps is added inside the log); "
             "F.binary_cross_entropy leaves p alone and clamps each log at -100 instead, so a prediction of "
             "exactly 0 for a target of 1 costs 100")


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
        ("the loss is summed; it is the mean over all elements", right.sum()),
        ("the sign is flipped: BCE = -mean(t log p + (1 - t) log(1 - p))", -right.mean()),
        ("pred and target are swapped: bce_loss(pred, target) takes the prediction first",
         _bce_terms(target, pred).mean()),
        ("the (1 - t) log(1 - p) term is missing", (-target * log_p).mean()),
    ]
    hard = ("the targets are treated as hard 0/1 labels (torch.where on the target, or indexing); a soft "
            "target t weighs both terms: -(t log p + (1 - t) log(1 - p))")
    for picks_p in (target > 0.5, target == 1, target != 0):
        variants.append((hard, torch.where(picks_p, -log_p, -log_q).mean()))
    if pred.dim() > 1:
        variants.append(("the sum is divided by the batch size only; the mean is over every element",
                         right.sum() / pred.shape[0]))
    for eps in (1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-12, 1e-15):
        variants.append((EPS_CLAMP, _bce_terms(pred.clamp(eps, 1 - eps), target, floor=None).mean()))
        inside = -(target * torch.log(pred + eps) + (1 - target) * torch.log(1 - pred + eps))
        variants.append((EPS_CLAMP, inside.mean()))
    return variants


def expect_scalar_tensor(value, *, what):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        fail(f"{what}: returned a Python {type(value).__name__}; return a 0-d tensor (keep it a torch.Tensor, "
             "no .item())")
    expect_tensor(value, what=what)
    if value.dim() != 0:
        fail(f"{what}: expected a 0-d tensor (a scalar loss), got shape {_shape(value.shape)}")


def expect_bce(loss, pred, target, expected, *, what):
    expect_scalar_tensor(loss, what=what)
    if not torch.isfinite(loss).all() and torch.isfinite(expected).all():
        fail(f"{what}: {BCE_NAN}")
    hint = None
    if not is_close(loss, expected):
        hint = next((message for message, value in bce_variants(pred, target) if is_close(loss, value)), None)
    # a mapping of the hint to the student's own value makes expect_close append it
    expect_close(loss, expected, what=what, mistakes={hint: loss} if hint else None)


def mse_variants(pred, target):
    diff = pred.double() - target.double()
    variants = {
        "the squared errors are summed; mse_loss is their mean over all elements": (diff ** 2).sum(),
        "the loss is halved (0.5 · mean); mse_loss is the plain mean of (pred - target)^2": 0.5 * (diff ** 2).mean(),
        "the square root is taken (that is the RMSE); mse_loss is the mean of (pred - target)^2":
            (diff ** 2).mean().sqrt(),
        "absolute errors are averaged (that is the MAE); square them": diff.abs().mean(),
        "the errors are not squared: mean(pred - target)": diff.mean(),
    }
    if pred.dim() > 1:
        variants["the sum is divided by the batch size only; the mean is over every element"] = \
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
        "the output sigmoid is missing: y = sigmoid(h @ W2 + b2)": mlp_forward(*args, act2=_identity),
        "the hidden sigmoid is missing: h = sigmoid(x @ W1 + b1)": mlp_forward(*args, act1=_identity),
        "no sigmoid at all: both layers are followed by a sigmoid": mlp_forward(*args, act1=_identity, act2=_identity),
        "tanh instead of sigmoid in the hidden layer": mlp_forward(*args, act1=torch.tanh),
        "ReLU instead of sigmoid in the hidden layer": mlp_forward(*args, act1=torch.relu),
        "the bias b1 is not added": mlp_forward(*args, bias1=False),
        "the bias b2 is not added": mlp_forward(*args, bias2=False),
    }
    if W1.shape[0] == W1.shape[1]:
        variants["W1 is transposed: a layer is x @ W1 with W1 of shape (d, H)"] = mlp_forward(x, W1.T, b1, W2, b2)
    if W2.shape[0] == W2.shape[1]:
        variants["W2 is transposed: the output layer is h @ W2 with W2 of shape (H, K)"] = \
            mlp_forward(x, W1, b1, W2.T, b2)
    return variants


def expect_pair(value, what, names):
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        fail(f"{what} must return a pair {names}, got {type(value).__name__}"
             + (f" of length {len(value)}" if isinstance(value, (tuple, list)) else ""))
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
    yield ("every gradient has the wrong sign: these are the gradients of sum(y * dy) itself "
           "(the minus sign belongs to the descent step w <- w - lr * grad, not to mlp_backward)",
           dict(sign2=-1.0))
    yield ("sign error in the hidden layer: sigmoid'(a) = h (1 - h), not h (h - 1), so the W1 and b1 "
           "gradients come out negated", dict(sign1=-1.0))
    yield ("the output sigmoid's derivative y (1 - y) is missing: dz2 = dy * y * (1 - y)", dict(d2="none"))
    yield ("the hidden sigmoid's derivative h (1 - h) is missing: dz1 = (dz2 @ W2.T) * h * (1 - h)", dict(d1="none"))
    if K in (1, H):
        # only then does (B, H) * y (1 - y) broadcast, so only then can the code run at all
        yield ("the hidden layer uses the output's derivative y (1 - y); it needs its own, h (1 - h)", dict(d1="y"))
    yield ("the sigmoid is applied twice in the derivative: with y = sigmoid(a) already, sigmoid'(a) is "
           "y (1 - y), not sigmoid(y) (1 - sigmoid(y))", dict(d2="double", d1="double"))
    yield ("the output layer's derivative applies the sigmoid twice: sigmoid'(a) is y (1 - y), "
           "not sigmoid(y) (1 - sigmoid(y))", dict(d2="double"))
    yield ("the hidden layer's derivative applies the sigmoid twice: sigmoid'(a) is h (1 - h), "
           "not sigmoid(h) (1 - sigmoid(h))", dict(d1="double"))
    yield ("the gradients are averaged over the batch; the loss is sum(y * dy), so they are summed "
           "(any 1/B belongs in dy)", dict(mean=True))
    if H == K:
        yield ("W2 is not transposed when the gradient goes back to h: dh = dz2 @ W2.T", dict(dh_transpose=False))
    if d == H:
        yield ("the W1 gradient is transposed: it is x.T @ dz1, of W1's shape (d, H)", dict(dW1_transpose=True))
    if H == K:
        yield ("the W2 gradient is transposed: it is h.T @ dz2, of W2's shape (H, K)", dict(dW2_transpose=True))


def mlp_backward_variants(dy, x, W1, b1, W2, b2):
    """{message: {key: gradient}} for each classic mlp_backward mistake."""
    d, H = W1.shape
    K = W2.shape[1]
    return {msg: mlp_backward(dy, x, W1, b1, W2, b2, **kw) for msg, kw in _backward_switches(d, H, K)}


def _shape_hint(key, got, expected, B):
    """Name a gradient of the wrong shape when its shape says why."""
    g, e = tuple(got.shape), tuple(expected.shape)
    if len(e) == 2 and g == e[::-1]:
        layer = "x.T @ dz1" if key == "W1" else "h.T @ dz2"
        return (f"the gradient w.r.t. {key} has shape {_shape(g)}, the shape of {key}.T: "
                f"it is {layer}, of {key}'s own shape {_shape(e)}")
    if len(e) == 1 and g in ((B,) + e, (1,) + e):
        return (f"the gradient w.r.t. {key} has shape {_shape(g)}: sum it over the batch axis (dim 0) "
                f"to get {key}'s shape {_shape(e)}")
    return None


def expect_gradients(grads, expected, variants, *, B, where=""):
    if not isinstance(grads, dict):
        fail(f"mlp_backward must return a dict with keys W1, b1, W2, b2; got {type(grads).__name__}")
    missing = [k for k in GRAD_KEYS[::-1] if k not in grads]
    if missing:
        keys = sorted(map(str, grads))
        with_d = any(str(k).startswith("d") for k in keys)
        hint = " (the keys are the parameters' names, without a 'd')" if with_d else ""
        fail(f"mlp_backward's dict lacks {', '.join(missing)}; it has {keys}{hint}")
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
        expect_close(got, expected[key], what=f"gradient w.r.t. {key}{where}", mistakes=named)


FORWARD_FIRST = ("mlp_backward is graded on the cache your mlp_forward returns, and your mlp_forward's y "
                 "is wrong, so the gradients cannot be checked; fix mlp_forward first")


def expect_backward(student, ref, args, dy, *, where="", **call_kw):
    """Run the student's forward for its cache, then backward; compare every gradient."""
    try:
        cache = expect_forward(student, ref, args, what="mlp_forward's y")
    except CheckFailure as exc:
        if getattr(exc, "kind", "") in ("timeout", "crashed", "memory"):
            raise
        raise CheckFailure(f"{FORWARD_FIRST}.\n{exc}") from None
    grads = student.call("mlp_backward", dy, cache, **call_kw)
    _, ref_cache = ref.mlp_forward(*args)
    expected = ref.mlp_backward(dy, ref_cache)
    expect_gradients(grads, expected, mlp_backward_variants(dy, *args), B=dy.shape[0], where=where)


# --------------------------------------------------------------------------- train_xor

SHAPES = {"W1": ((2, 4),), "b1": ((4,),), "W2": ((4, 1), (4,)), "b2": ((1,), ())}


def xor_weights(params, *, what):
    """Validate train_xor's dict; return the weights as float64 in the contract's shapes."""
    if not isinstance(params, dict):
        fail(f"{what} must return a dict with keys W1, b1, W2, b2; got {type(params).__name__}")
    missing = [k for k in ("W1", "b1", "W2", "b2") if k not in params]
    if missing:
        fail(f"{what}'s dict lacks {', '.join(missing)}; it has {sorted(map(str, params))}")
    out = {}
    for key, shapes in SHAPES.items():
        value = params[key]
        expect_tensor(value, what=f"{what}['{key}']")
        if not value.is_floating_point():
            fail(f"{what}['{key}'] has dtype {value.dtype}; weights are float tensors")
        if tuple(value.shape) not in shapes:
            hint = " (transposed: W1 has shape (d_in, H) = (2, 4) because a layer is x @ W1)" \
                if key == "W1" and tuple(value.shape) == (4, 2) else ""
            fail(f"{what}['{key}'] has shape {_shape(value.shape)}; a 2-4-1 net has {key} of shape "
                 f"{_shape(shapes[0])}{hint}")
        if not torch.isfinite(value).all():
            fail(f"{what}['{key}'] contains NaN or inf: training diverged")
        out[key] = value.double().reshape(shapes[0])
    return out


def xor_outputs(weights, x=XOR_X):
    h = torch.sigmoid(x.double() @ weights["W1"] + weights["b1"])
    return torch.sigmoid(h @ weights["W2"] + weights["b2"]).squeeze(-1)


def xor_diagnosis(weights, y, initial=None):
    """Why a returned net misses XOR, when the weights show it."""
    W1, b1 = weights["W1"], weights["b1"]
    if torch.allclose(W1, W1[:, :1].expand_as(W1)) and torch.allclose(b1, b1[:1].expand_as(b1)):
        return ("all four hidden units have identical weights: a constant (e.g. zero) initialisation never breaks "
                "the symmetry between them, so the net behaves like one hidden unit, which cannot solve XOR; "
                "initialise W1 and W2 randomly from a generator seeded with `seed`")
    if initial is not None and all(torch.allclose(weights[k], initial[k]) for k in weights):
        return ("the returned weights equal those of train_xor(steps=0): training never changed them "
                "(is the update assigned back, w = w - lr * grad?)")
    t = XOR_T.double()
    bce = -(t * y.clamp_min(1e-12).log() + (1 - t) * (1 - y).clamp_min(1e-12).log()).mean()
    if bce > 0.6931472 + 1e-3:
        return ("the net fits XOR worse than a constant 0.5 would: the update probably climbs the loss "
                "(gradient descent is w <- w - lr * grad)")
    if (y - 0.5).abs().max() < 0.05:
        return "the net outputs about 0.5 everywhere: it has not learned yet (check the gradient, lr and steps)"
    return None


def xor_report(y):
    rows = []
    for (a, b), t, p in zip(XOR_X.tolist(), XOR_T.tolist(), y.tolist()):
        rows.append(f"({a:g}, {b:g}) -> y = {p:.3f} (class {int(p > 0.5)}, XOR = {int(t)})")
    return "; ".join(rows)


def decision_boundary_png(weights, *, title):
    """The student's net over the plane, its y = 0.5 line, and the four XOR points."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    lin = torch.linspace(-0.5, 1.5, 81, dtype=F64)
    gx, gy = torch.meshgrid(lin, lin, indexing="xy")
    z = xor_outputs(weights, torch.stack([gx.flatten(), gy.flatten()], dim=1)).reshape(gx.shape).numpy()
    # ASCII labels: DejaVu Sans has the minus sign of the negative ticks, NanumGothic does not
    with plt.rc_context({"font.family": ["DejaVu Sans"], "axes.unicode_minus": False}):
        return _boundary_figure(plt, gx, gy, z, title)


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
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def expect_xor(student, artifacts, *, what, picture_always=True, **kwargs):
    """Run train_xor(**kwargs) in the sandbox; evaluate the returned net here, with a picture
    of its decision boundary (always, or only when it misses)."""
    weights = xor_weights(student.call("train_xor", **kwargs), what=what)
    y = xor_outputs(weights)
    correct = (y > 0.5).double() == XOR_T.double()
    if picture_always or not correct.all():
        artifacts.image(f"xor-boundary-seed-{kwargs.get('seed', 0)}.png",
                        decision_boundary_png(weights, title=f"{what}\ny over the plane, y = 0.5 in black"),
                        caption=f"The net returned by {what}; o: XOR = 1, x: XOR = 0.")
    if bool(correct.all()):
        return
    try:
        initial = xor_weights(student.call("train_xor", **{**kwargs, "steps": 0}), what=what)
    except CheckFailure:
        initial = None
    hint = xor_diagnosis(weights, y, initial)
    fail(f"{what} classifies {int(correct.sum())} of 4 XOR points correctly ({xor_report(y)})"
         + (f"; {hint}" if hint else ""))
