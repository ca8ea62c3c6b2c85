"""Known-wrong variants of the rnn reference, and the expectations the checks share.

Each `*_variants` function returns {message: output} for one graded function, likeliest
mistake first, computed in float64 on the check's own inputs; `expect_close(...,
mistakes=...)` names the first variant the student's output reproduces. Variants whose
code could not even run on the given shapes (a missing transpose of a non-square matrix)
are left out. Messages are shown to students, so they say what the code does and what the
contract wants, never an expected number. Loaded in the grader only.
"""
import torch

from graders.checks import expect_close, expect_scalar, expect_tensor, fail, is_close

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
        fail(f"{what} must return a pair {names}, got {type(value).__name__}"
             + (f" of length {len(value)}" if isinstance(value, (tuple, list)) else ""))
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
    yield "the tanh is missing: h_t = tanh(x_t @ W_xh + h_prev @ W_hh + b_h)", dict(act=_identity)
    yield "sigmoid instead of tanh: the Elman RNN uses tanh", dict(act=torch.sigmoid)
    yield "ReLU instead of tanh: the Elman RNN of this assignment uses tanh", dict(act=torch.relu)
    yield "the bias b_h is not added", dict(bias=False)
    yield ("W_hh is transposed: the recurrent term is h_prev @ W_hh, with W_hh of shape (d_h, d_h) mapping "
           "the previous state (rows) to the new one (columns)", dict(whh_T=True))
    if d_in == d_h:
        yield "W_xh is transposed: the input term is x_t @ W_xh, with W_xh of shape (d_in, d_h)", dict(wxh_T=True)
        yield "W_xh and W_hh are swapped: x_t multiplies W_xh and h_prev multiplies W_hh", dict(swap=True)


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


SHIFTED = "hs holds h_0..h_{T-1}; it must hold the states after each step, h_1..h_T (and y is computed from those)"


def rnn_forward_variants(x, h0, W_xh, W_hh, b_h, W_hy, b_y):
    """{message: (y, hs)} for each classic rnn_forward mistake, the cell's included."""
    args = (x, h0, W_xh, W_hh, b_h, W_hy, b_y)
    y, hs = rnn_forward(*args)
    shifted = torch.cat([h0.double().unsqueeze(1), hs[:, :-1]], dim=1)
    variants = {
        SHIFTED: (shifted @ W_hy.double() + b_y.double(), shifted),
        "the state is not carried between steps: every step starts from h0": rnn_forward(*args, carry=False),
        "y passes through a tanh; the output layer is linear: y = hs @ W_hy + b_y":
            rnn_forward(*args, y_act=torch.tanh),
        "the bias b_y is not added: y = hs @ W_hy + b_y": rnn_forward(*args, y_bias=False),
        "hs is in reverse time order; hs[:, t] must be the state after step t + 1": (y.flip(1), hs.flip(1)),
    }
    if x.shape[0] == x.shape[1]:
        # A time-major loop (x[t] over the first axis) only runs without error when B == T.
        time_major = "x is read as (T, B, d_in); it is batch-first, (B, T, d_in): step t is x[:, t], not x[t]"
        y_tm, hs_tm = rnn_forward(*args, time_major=True)
        variants[time_major] = (y_tm, hs_tm)
        variants[time_major + " (and the states are stacked along the wrong axis too)"] = \
            (y_tm.transpose(0, 1), hs_tm.transpose(0, 1))
    d_in, d_h = W_xh.shape
    for msg, kw in _cell_switches(d_in, d_h):
        variants[f"in every step, {msg}"] = rnn_forward(*args, cell=lambda *a, kw=kw: rnn_cell(*a, **kw))
    return variants


def _forward_shape_hint(y, hs, h0, T, d_out):
    (B, d_h), ys, hss = h0.shape, tuple(getattr(y, "shape", ())), tuple(getattr(hs, "shape", ()))
    if ys == (B, T, d_h) and hss == (B, T, d_out) and d_h != d_out:
        return "the pair is returned as (hs, y); return (y, hs)"
    if hss == (B, T + 1, d_h) and is_close(hs[:, 0], h0):
        return f"hs has shape (B, T + 1, d_h) = {_shape(hss)}; it must hold h_1..h_T only, not h_0"
    if ys == (B, d_out):
        return (f"y has shape (B, d_out) = {_shape(ys)}: the output layer is applied at every step, "
                f"y = hs @ W_hy + b_y of shape (B, T, d_out)")
    if hss == (B, d_h):
        return f"hs has shape (B, d_h) = {_shape(hss)}: it holds every state h_1..h_T, shape (B, T, d_h)"
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
        variants["the pair is returned as (hs, y); return (y, hs)"] = (exp_hs, exp_y)
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


TRUNCATED = ("BPTT drops the gradient that reaches h_t from step t + 1: dL/dh_t = dy_t @ W_hy.T + dz_{t+1} @ W_hh.T, "
             "and the second term is missing, so no gradient flows back through time")


def _backward_switches(d_in, d_h, d_out):
    yield TRUNCATED, dict(through_time=False)
    yield ("every gradient has the wrong sign: these are the gradients of sum(y * dy) itself (the minus sign "
           "belongs to the descent step)", dict(sign=-1.0))
    yield ("dW_hh pairs dz_t with h_t; it must be the state that entered step t, h_{t-1} "
           "(so h0 at the first step)", dict(dW_hh_state="current"))
    yield "dW_hh misses the first step's term h0.T @ dz_1: h0 is the state that enters step 1", dict(h0_term=False)
    yield "the tanh derivative is missing: dz_t = dh_t * (1 - h_t^2)", dict(deriv="none")
    yield ("the tanh is applied again in its derivative: with h_t = tanh(a_t), tanh'(a_t) = 1 - h_t^2, "
           "not 1 - tanh(h_t)^2", dict(deriv="double"))
    yield "the tanh derivative is written 1 - h_t; it is 1 - h_t^2", dict(deriv="linear")
    yield ("the weight gradients keep only one step's term: accumulate (+=) the terms of all T steps",
           dict(accumulate=False))
    yield "only dy at the last step is used; y at every step contributes to sum(y * dy)", dict(last_dy_only=True)
    yield ("the gradients are averaged over the batch; the loss is sum(y * dy), so they are summed",
           dict(mean=True))
    yield "the gradient w.r.t. h0 is zero: it is what flows out of step 1, dz_1 @ W_hh.T", dict(h0_grad=False)
    yield ("W_hh is not transposed when the gradient goes back a step: dL/dh_{t-1} gets dz_t @ W_hh.T",
           dict(whh_T=False))
    yield "the W_hh gradient is transposed: sum over t of h_{t-1}.T @ dz_t, of W_hh's shape", dict(dW_hh_T=True)
    if d_in == d_h:
        yield "W_xh is not transposed in the gradient w.r.t. x: dx_t = dz_t @ W_xh.T", dict(wxh_T=False)
        yield "the W_xh gradient is transposed: sum over t of x_t.T @ dz_t, of W_xh's shape", dict(dW_xh_T=True)
    if d_out == d_h:
        yield "W_hy is not transposed when dy goes back to h_t: dy_t @ W_hy.T", dict(why_T=False)


def rnn_backward_variants(dy, x, h0, W_xh, W_hh, b_h, W_hy, b_y):
    """{message: {key: gradient}} for each classic rnn_backward mistake."""
    d_in, d_h = W_xh.shape
    args = (dy, x, h0, W_xh, W_hh, b_h, W_hy, b_y)
    return {msg: rnn_backward(*args, **kw) for msg, kw in _backward_switches(d_in, d_h, W_hy.shape[1])}


def _grad_shape_hint(key, got, expected):
    g, e = tuple(got.shape), tuple(expected.shape)
    if len(e) == 2 and g == e[::-1] and key.startswith("W"):
        return (f"the gradient w.r.t. {key} has shape {_shape(g)}, the shape of {key}.T; "
                f"it must have {key}'s shape {_shape(e)}")
    if key == "b_y" and len(g) > 1 and g[-1:] == e:
        return (f"the gradient w.r.t. b_y has shape {_shape(g)}: sum dy over the batch and time axes, "
                f"to shape {_shape(e)}")
    if key == "b_h" and len(g) > 1 and g[-1:] == e:
        return (f"the gradient w.r.t. b_h has shape {_shape(g)}: sum dz over the batch (and over time), "
                f"to shape {_shape(e)}")
    return None


def expect_gradients(grads, expected, variants, *, where=""):
    if not isinstance(grads, dict):
        fail(f"rnn_backward must return a dict with keys {', '.join(GRAD_KEYS)}; got {type(grads).__name__}")
    missing = [k for k in GRAD_KEYS if k not in grads]
    if missing:
        keys = sorted(map(str, grads))
        with_d = any(str(k).startswith("d") for k in keys)
        hint = " (the keys are the arguments' names, without a 'd')" if with_d else ""
        fail(f"rnn_backward's dict lacks {', '.join(missing)}; it has {keys}{hint}")
    # A variant that reproduces every gradient names the cause better than a per-key match.
    whole = next((m for m, v in variants.items() if all(is_close(grads[k], v[k]) for k in GRAD_KEYS)), None)
    for key in GRAD_KEYS:
        got = grads[key]
        if isinstance(got, torch.Tensor) and tuple(got.shape) != tuple(expected[key].shape):
            hint = _grad_shape_hint(key, got, expected[key])
            if hint:
                fail(hint + where)
        named = {whole: got} if whole else {m: v[key] for m, v in variants.items()}
        expect_close(got, expected[key], what=f"gradient w.r.t. {key}{where}", mistakes=named)


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
        "each tensor is clipped by its own norm; clipping is global: one coefficient "
        "min(1, max_norm / (total_norm + 1e-6)) from the L2 norm of all gradients together scales every tensor":
            (_clipped(grads, [min(1.0, max_norm / (n + CLIP_EPS)) for n in norms]), total),
        "the coefficient lacks torch's 1e-6: it is min(1, max_norm / (total_norm + 1e-6))":
            (_clipped(grads, [min(1.0, max_norm / total)] * len(grads)), total),
        "the coefficient is not capped at 1: gradients whose norm is already below max_norm must stay as they are":
            (_clipped(grads, [max_norm / (total + CLIP_EPS)] * len(grads)), total),
        "the total norm is the sum of the tensors' norms; it is the L2 norm of all entries together, "
        "sqrt(sum of squared norms)":
            (_clipped(grads, [min(1.0, max_norm / (sum(norms) + CLIP_EPS))] * len(grads)), sum(norms)),
        "the total norm is not square-rooted: it is sqrt(sum of squares)":
            (_clipped(grads, [min(1.0, max_norm / (total ** 2 + CLIP_EPS))] * len(grads)), total ** 2),
        "the gradients come back unscaled although their total norm exceeds max_norm":
            ([g.double() for g in grads], total),
    }
    after = sum((n * coef) ** 2 for n in norms) ** 0.5
    norm_variants = {
        "the returned norm is measured after clipping; return the total norm before clipping": after,
        "the returned norm is the sum of the tensors' norms; it is the L2 norm of all entries together": sum(norms),
        "the returned norm is squared: it is sqrt(sum of squares)": total ** 2,
        "the returned norm is max_norm; return the total norm of the gradients before clipping": float(max_norm),
    }
    return variants, norm_variants, _clipped(grads, same)


def expect_clip(student, ref, grads, max_norm, *, what, atol=1e-5, rtol=1e-4, sent=None):
    """Call clip_grad_norm; compare the clipped list and the norm; return the raw norm.

    `sent` replaces `grads` in the call (e.g. handles to the same tensors kept in the sandbox).
    """
    result = student.call("clip_grad_norm", grads if sent is None else sent, max_norm)
    clipped, norm = expect_pair(result, what, "(clipped, norm)")
    if not isinstance(clipped, (list, tuple)) or len(clipped) != len(grads):
        got = f"{type(clipped).__name__}" + (f" of length {len(clipped)}" if isinstance(clipped, (list, tuple)) else "")
        fail(f"{what}: the first element must be a list of {len(grads)} clipped tensors, one per gradient; got {got}")
    exp_clipped, exp_norm = ref.clip_grad_norm(grads, max_norm)
    variants, norm_variants, _ = clip_variants(grads, max_norm)
    whole = next((m for m, (v, _) in variants.items()
                  if all(is_close(c, e, atol=atol, rtol=rtol) for c, e in zip(clipped, v))), None)
    for i, (got, expected) in enumerate(zip(clipped, exp_clipped)):
        expect_tensor(got, what=f"{what}: clipped[{i}]", shape=tuple(expected.shape))
        named = {whole: got} if whole else {m: v[i] for m, (v, _) in variants.items()}
        expect_close(got, expected, what=f"{what}: clipped[{i}]", atol=atol, rtol=rtol, mistakes=named)
    expect_scalar(norm, exp_norm, what=f"{what}: the returned norm", atol=atol, rtol=rtol, mistakes=norm_variants)
    return norm


def mutation_hint(before, after, max_norm):
    """Name an in-place clip when the caller's tensors now hold the clipped values."""
    _, _, clipped = clip_variants(before, max_norm)
    if all(is_close(a, c) for a, c in zip(after, clipped)):
        return ("the caller's gradients were clipped in place (g.mul_(...), g *= ...); clip_grad_norm returns "
                "clipped copies and leaves its input alone, unlike torch's clip_grad_norm_")
    return "the caller's gradients were changed in place; clip_grad_norm must return copies and leave its input alone"



# --------------------------------------------------------------------------- pictures

def gradient_flow_png(student_dx, reference_dx):
    """||dL/dx_t|| against t for a loss at the last step only: the student's BPTT beside the reference's."""
    import io

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    steps = list(range(1, student_dx.shape[1] + 1))

    def norms(dx):
        # a zero has no place on a log scale: leave a gap there rather than a fake value
        return [n if n > 0 else float("nan") for n in (float(dx[:, t].double().norm()) for t in range(dx.shape[1]))]
    # NanumGothic has no U+2212, which the log axis's 10^-k labels need; the labels here are ASCII
    with plt.rc_context({"font.family": ["DejaVu Sans"], "axes.unicode_minus": False}):
        fig, ax = plt.subplots(figsize=(6, 3.6))
        ax.plot(steps, norms(reference_dx), "--", color="tab:orange", linewidth=2, label="reference")
        ax.plot(steps, norms(student_dx), "o", color="tab:blue", markersize=5, label="your rnn_backward")
        ax.set_yscale("log")
        ax.set_xlabel("time step t")
        ax.set_ylabel("||dL/dx_t||")
        ax.set_title("gradient of the last step's output, sent back through time", fontsize=11)
        ax.grid(alpha=0.3)
        ax.legend()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
        plt.close(fig)
    return buf.getvalue()
