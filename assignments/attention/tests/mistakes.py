"""Known-wrong variants of the attention reference, evaluated on a check's own inputs.

Each `*_variants` function returns {message: output} for one graded function or class,
in the order a diagnosis should try them (the likeliest mistake first); `expect_attention`
(or a check itself, through `expect_close(..., mistakes=...)`) names the first variant the
student's output reproduces. Messages are shown to students, so they say what the code
does and what the contract wants, never a number. Loaded in the grader only.

Module variants take the state dict the check copied into the student's module, so they
need no module of their own.
"""
import math

import torch

from graders.checks import CheckFailure, diagnose, expect_close, expect_tensor, fail, is_close
from graders.sandbox.proxy import StudentError

BLOCKED = float("-inf")

# Messages shared by several graded functions.
NO_SCALE = "the scores are not divided by sqrt(d_k): use softmax(q k^T / sqrt(d_k))"
SCALE_D_V = "the scores are divided by sqrt(d_v); the scale uses the key/query size: sqrt(d_k)"
SCALE_D_K = "the scores are divided by d_k; the scale is sqrt(d_k)"
SOFTMAX_QUERIES = ("the softmax runs over the query axis (dim=-2); each query's weights must be a "
                   "distribution over the keys (dim=-1)")
MASK_INVERTED = "the mask is inverted: True means 'this key may be attended', False means blocked"
MASK_IGNORED = "the mask is not applied"
MASK_AFTER_SOFTMAX = ("the mask is applied after the softmax (weights * mask), so the allowed weights no "
                      "longer sum to 1; block the scores before the softmax")
MASK_ZERO_SCORES = ("blocked scores are set to 0 instead of -inf, so blocked keys still get weight; fill "
                    "them with -inf (or a very large negative number) before the softmax")
UNIFORM_DEAD_ROWS = ("a query row with no allowed key gets equal weights on every key (a large negative "
                     "fill alone does that); such a row must get all-zero weights and an all-zero output")
NO_BROADCAST = ("the mask {mask} is smaller than the scores {scores}; a mask only has to broadcast to "
                "them: masked_fill and torch.where broadcast, boolean indexing (scores[~mask] = ...) does not")
SWAPPED_PAIR = "the pair is returned as (weights, out); return (out, weights)"
NAN_DEAD_ROWS = ("a query row with no allowed key gives NaN (softmax of a row that is all -inf is 0/0); "
                 "such a row must get all-zero weights and an all-zero output")


# --------------------------------------------------------------------------- diagnosis

def call_with_mask_hint(call, mask, scores_shape):
    """Run `call()`; if the student's code raises on a mask smaller than the scores, say why."""
    try:
        return call()
    except StudentError as err:
        shape = tuple(mask.shape) if mask is not None else None
        about_shapes = any(word in err.exc_message.lower() for word in ("shape", "size", "dimension", "broadcast"))
        if err.kind != "exception" or not about_shapes or shape is None or shape == tuple(scores_shape):
            raise
        hint = NO_BROADCAST.format(mask=shape, scores=tuple(scores_shape))
        raise CheckFailure(f"{err}\nHint: {hint}") from None


def _as_pair(result, what):
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        fail(f"{what} must return a pair (out, weights), got {type(result).__name__}"
             + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else ""))
    return result


def expect_pair_of_tensors(result, *, what):
    """Fail unless `result` is a pair of tensors; for checks that grade something other than values."""
    out, weights = _as_pair(result, what)
    expect_tensor(out, what=f"{what}: out")
    expect_tensor(weights, what=f"{what}: weights")


def _name_shape_mistake(out, weights, expected, named, what):
    """expect_close stops at a wrong shape before trying variants; try the variants that have that shape."""
    def shape(t):
        return tuple(t.shape) if isinstance(t, torch.Tensor) else None
    exp_out, exp_weights = expected
    if shape(out) == shape(exp_out) and shape(weights) == shape(exp_weights):
        return
    if shape(out) == shape(exp_weights) and shape(weights) == shape(exp_out) and shape(out) != shape(exp_out):
        fail(f"{what}: {SWAPPED_PAIR}")
    for label, got, index in (("weights", weights, 1), ("out", out, 0)):
        if shape(got) is not None and shape(got) != shape(expected[index]):
            hint = diagnose(got, {m: o[index] for m, o in named.items()})
            if hint:
                fail(f"{what}: {label}: expected shape {shape(expected[index])}, got {shape(got)}; {hint}")


def expect_attention(result, expected, variants, *, what, nan_variant=None, out_alternative=None):
    """Fail unless `result` is a pair (out, weights) matching `expected`; name the mistake if known.

    `variants` and `nan_variant` are callables, evaluated only when the result misses, so a
    right answer costs one comparison. `out_alternative` is a second accepted `out`.
    """
    out, weights = _as_pair(result, what)
    out_ok = is_close(out, expected[0]) or (out_alternative is not None and is_close(out, out_alternative))
    if out_ok and is_close(weights, expected[1]):
        return
    if nan_variant is not None:
        nan_out, nan_weights = nan_variant()
        for label, got, variant in (("weights", weights, nan_weights), ("out", out, nan_out)):
            if same_nan_pattern(got, variant):
                fail(f"{what}: {label} contains NaN; {NAN_DEAD_ROWS}")
    named = variants()
    _name_shape_mistake(out, weights, expected, named, what)
    expect_close(weights, expected[1], what=f"{what}: weights", mistakes={m: o[1] for m, o in named.items()})
    if not out_ok:
        expect_close(out, expected[0], what=f"{what}: out", mistakes={m: o[0] for m, o in named.items()})


# --------------------------------------------------------------------------- shared core

def masked_softmax(scores, mask, *, dim=-1, mode="right"):
    """Softmax with the mask handled right (mode="right") or in one classic wrong way."""
    if mask is None or mode == "ignored":
        return torch.softmax(scores, dim=dim)
    if mode == "inverted":
        mask, mode = ~mask, "right"
    if mode == "after_softmax":
        return torch.softmax(scores, dim=dim) * mask
    if mode == "zero_scores":
        return torch.softmax(scores.masked_fill(~mask, 0.0), dim=dim)
    if mode == "large_negative":
        return torch.softmax(scores.masked_fill(~mask, -1e9), dim=dim)
    weights = torch.softmax(scores.masked_fill(~mask, BLOCKED), dim=dim)
    if mode == "nan":
        return weights
    return weights.masked_fill(~mask, 0.0)


def attend(q, k, v, mask=None, *, scale=None, dim=-1, mode="right"):
    """(out, weights) of dot-product attention with the given scale, softmax axis and mask handling."""
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    weights = masked_softmax(q @ k.transpose(-2, -1) * scale, mask, dim=dim, mode=mode)
    return weights @ v, weights


MASK_MISTAKES = ((MASK_INVERTED, "inverted"), (MASK_AFTER_SOFTMAX, "after_softmax"),
                 (MASK_ZERO_SCORES, "zero_scores"), (MASK_IGNORED, "ignored"),
                 (UNIFORM_DEAD_ROWS, "large_negative"))


def _mask_variants(run, mask):
    """{message: run(mode=...)} for the masking mistakes; none when there is no mask."""
    if mask is None:
        return {}
    return {message: run(mode=mode) for message, mode in MASK_MISTAKES}


# --------------------------------------------------------------------------- scaled dot-product

def sdpa_variants(q, k, v, mask=None):
    """{message: (out, weights)} for each classic scaled_dot_product_attention mistake."""
    d_k, d_v = q.shape[-1], v.shape[-1]
    variants = {
        NO_SCALE: attend(q, k, v, mask, scale=1.0),
        SOFTMAX_QUERIES: attend(q, k, v, mask, dim=-2),
        SCALE_D_K: attend(q, k, v, mask, scale=1 / d_k),
    }
    if d_v != d_k:
        variants[SCALE_D_V] = attend(q, k, v, mask, scale=1 / math.sqrt(d_v))
    variants |= _mask_variants(lambda mode: attend(q, k, v, mask, mode=mode), mask)
    return variants


def sdpa_nan_rows(q, k, v, mask):
    """The -inf fill with no fix-up: NaN in every query row with no allowed key."""
    return attend(q, k, v, mask, mode="nan")


def same_nan_pattern(actual, variant, *, atol=1e-5, rtol=1e-4):
    """True when `actual` has NaN exactly where `variant` does and matches it elsewhere."""
    if not isinstance(actual, torch.Tensor) or actual.shape != variant.shape:
        return False
    a, e = actual.detach().double(), variant.detach().double()
    nan = e.isnan()
    if not nan.any() or not torch.equal(a.isnan(), nan):
        return False
    return torch.allclose(a[~nan], e[~nan], atol=atol, rtol=rtol)


# --------------------------------------------------------------------------- causal mask

def causal_mask_variants(n):
    """{message: (n, n) bool mask} for each classic causal_mask mistake."""
    ones = torch.ones(n, n, dtype=torch.bool)
    return {
        "the diagonal is False: a position must also attend to itself (True on and below the diagonal)":
            ones.tril(-1),
        "True above the diagonal: that marks future positions; True must mean 'may attend' "
        "(on and below the diagonal)": ones.triu(),
        "True strictly above the diagonal: that is the blocked part (the mask of torch's "
        "nn.Transformer convention); here True must mean 'may attend'": ones.triu(1),
    }


# --------------------------------------------------------------------------- additive attention

def additive(state, q, k, v, mask=None, *, tanh=True, tanh_outside=False, scale=1.0, dim=-1, mode="right"):
    """Bahdanau attention from a state dict, with switches for the classic departures."""
    features = (q @ state["W_q.weight"].T).unsqueeze(-2) + (k @ state["W_k.weight"].T).unsqueeze(-3)
    if tanh and not tanh_outside:
        features = torch.tanh(features)
    scores = (features @ state["w_v.weight"].T).squeeze(-1)
    if tanh_outside:
        scores = torch.tanh(scores)
    weights = masked_softmax(scores * scale, mask, dim=dim, mode=mode)
    return weights @ v, weights


def additive_variants(state, q, k, v, mask=None):
    """{message: (out, weights)} for each classic AdditiveAttention mistake."""
    d_hidden = state["w_v.weight"].shape[-1]
    variants = {
        "tanh is missing: the score is w_v(tanh(W_q q_i + W_k k_j))": additive(state, q, k, v, mask, tanh=False),
        "tanh is applied after w_v; it belongs inside: w_v(tanh(W_q q_i + W_k k_j))":
            additive(state, q, k, v, mask, tanh_outside=True),
        SOFTMAX_QUERIES: additive(state, q, k, v, mask, dim=-2),
        "the scores are scaled by 1/sqrt(d_hidden); additive attention has no scale":
            additive(state, q, k, v, mask, scale=1 / math.sqrt(d_hidden)),
    }
    variants |= _mask_variants(lambda mode: additive(state, q, k, v, mask, mode=mode), mask)
    return variants


# --------------------------------------------------------------------------- multi-head attention

def _linear(x, state, name):
    bias = state.get(f"{name}.bias")
    y = x @ state[f"{name}.weight"].T
    return y if bias is None else y + bias


def _split(x, h, how):
    B, n, d = x.shape
    if how == "no_transpose":          # reshape(B, h, n, d_h): slices positions, not features
        return x.reshape(B, h, n, d // h)
    if how == "interleaved":           # head i takes features i, i+h, i+2h, ...
        return x.reshape(B, n, d // h, h).permute(0, 3, 1, 2)
    return x.reshape(B, n, h, d // h).transpose(1, 2)


def _merge(x, how):
    B, h, n, d_h = x.shape
    if how == "no_transpose":
        return x.reshape(B, n, h * d_h)
    if how == "interleaved":
        return x.permute(0, 2, 3, 1).reshape(B, n, h * d_h)
    return x.transpose(1, 2).reshape(B, n, h * d_h)


def mha(state, num_heads, query, key, value, mask=None, *, split="right", merge="right", scale=None,
        dim=-1, mode="right", key_proj="W_k", out_proj=True):
    """Multi-head attention from a state dict, with switches for the classic departures."""
    d_model = query.shape[-1]
    q = _split(_linear(query, state, "W_q"), num_heads, split)
    k = _split(_linear(key, state, key_proj), num_heads, split)
    v = _split(_linear(value, state, "W_v"), num_heads, split)
    if mask is not None:
        mask = mask.unsqueeze(-3)
    scale = 1 / math.sqrt(d_model // num_heads) if scale is None else scale
    heads, weights = attend(q, k, v, mask, scale=scale, dim=dim, mode=mode)
    concat = _merge(heads, merge)
    return (_linear(concat, state, "W_o") if out_proj else concat), weights


def mha_variants(state, num_heads, query, key, value, mask=None):
    """{message: (out, weights)} for each classic MultiHeadAttention mistake."""
    d_model = query.shape[-1]
    d_head = d_model // num_heads
    run = lambda **kw: mha(state, num_heads, query, key, value, mask, **kw)   # noqa: E731
    no_transpose = ("the heads are split with reshape(B, h, n, d_model/h) without a transpose, which "
                    "cuts the sequence into pieces instead of splitting each position's features; "
                    "reshape to (B, n, h, d_model/h), then transpose to (B, h, n, d_model/h)")
    variants = {
        # Wrong weights already name it, so however the heads are merged back does not matter.
        no_transpose: run(split="no_transpose", merge="no_transpose"),
        ("the heads are merged with reshape(B, n, d_model) straight from (B, h, n, d_model/h); transpose "
         "back to (B, n, h, d_model/h) before merging"): run(merge="no_transpose"),
        ("head i takes every h-th feature (features i, i+h, ...); head i must take the contiguous block "
         "of features i*d_model/h to (i+1)*d_model/h, as nn.MultiheadAttention does"):
            run(split="interleaved", merge="interleaved"),
        ("the scores are divided by sqrt(d_model); each head scales by the size of its own keys, "
         "sqrt(d_model / num_heads)"): run(scale=1 / math.sqrt(d_model)),
        "the scores are not divided by sqrt(d_model / num_heads)": run(scale=1.0),
        "the scores are divided by d_model / num_heads; the scale is sqrt(d_model / num_heads)":
            run(scale=1 / d_head),
        SOFTMAX_QUERIES: run(dim=-2),
        "the keys are projected with W_q; keys use W_k": run(key_proj="W_q"),
        "the output projection W_o is not applied to the concatenated heads": run(out_proj=False),
    }
    out, weights = run()
    variants[("the weights are averaged over the heads; return one weight matrix per head, "
              "shape (B, num_heads, n_q, n_k)")] = (out, weights.mean(1))
    variants |= _mask_variants(lambda mode: run(mode=mode), mask)
    return variants
