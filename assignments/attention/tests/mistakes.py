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
from graders.i18n import Mistake, T, message_of
from graders.sandbox.proxy import StudentError

BLOCKED = float("-inf")

# Named mistakes: a stable id (results and the misconception map count them by it) and the
# text in both languages.
NO_SCALE = Mistake(
    "attention/no-scale",
    "the scores are not divided by sqrt(d_k): use softmax(q k^T / sqrt(d_k))",
    "점수를 sqrt(d_k)로 나누지 않았습니다: softmax(q k^T / sqrt(d_k))를 쓰세요")
SCALE_D_V = Mistake(
    "attention/scale-by-sqrt-d-v",
    "the scores are divided by sqrt(d_v); the scale uses the key/query size: sqrt(d_k)",
    "점수를 sqrt(d_v)로 나눴습니다. 스케일은 키/쿼리의 크기인 sqrt(d_k)를 씁니다")
SCALE_D_K = Mistake(
    "attention/scale-by-d-k",
    "the scores are divided by d_k; the scale is sqrt(d_k)",
    "점수를 d_k로 나눴습니다. 스케일은 sqrt(d_k)입니다")
SOFTMAX_QUERIES = Mistake(
    "attention/softmax-over-queries",
    "the softmax runs over the query axis (dim=-2); each query's weights must be a distribution over the "
    "keys (dim=-1)",
    "softmax를 쿼리 축(dim=-2)에 대해 계산했습니다. 각 쿼리의 가중치는 키 축(dim=-1)에 대한 확률분포여야 합니다")
MASK_INVERTED = Mistake(
    "attention/mask-inverted",
    "the mask is inverted: True means 'this key may be attended', False means blocked",
    "마스크를 반대로 적용했습니다: True는 '이 키를 볼 수 있음', False는 가려짐을 뜻합니다")
MASK_IGNORED = Mistake(
    "attention/mask-ignored",
    "the mask is not applied",
    "마스크를 적용하지 않았습니다")
MASK_AFTER_SOFTMAX = Mistake(
    "attention/mask-after-softmax",
    "the mask is applied after the softmax (weights * mask), so the allowed weights no longer sum to 1; block "
    "the scores before the softmax",
    "마스크를 softmax 다음에 적용해서(weights * mask) 허용된 가중치의 합이 더 이상 1이 아닙니다. "
    "softmax 전에 점수를 가리세요")
MASK_ZERO_SCORES = Mistake(
    "attention/mask-zero-scores",
    "blocked scores are set to 0 instead of -inf, so blocked keys still get weight; fill them with -inf (or a "
    "very large negative number) before the softmax",
    "가려진 점수를 -inf가 아니라 0으로 채워서 가려진 키도 가중치를 받습니다. softmax 전에 -inf(또는 아주 큰 "
    "음수)로 채우세요")
UNIFORM_DEAD_ROWS = Mistake(
    "attention/uniform-dead-rows",
    "a query row with no allowed key gets equal weights on every key (a large negative fill alone does that); "
    "such a row must get all-zero weights and an all-zero output",
    "볼 수 있는 키가 하나도 없는 쿼리 행이 모든 키에 같은 가중치를 받습니다(큰 음수로만 채우면 그렇게 됩니다). "
    "그런 행은 가중치와 출력이 모두 0이어야 합니다")
NO_BROADCAST = Mistake(
    "attention/mask-no-broadcast",
    "the mask {mask} is smaller than the scores {scores}; a mask only has to broadcast to them: masked_fill and "
    "torch.where broadcast, boolean indexing (scores[~mask] = ...) does not",
    "마스크 {mask}가 점수 {scores}보다 작습니다. 마스크는 점수에 브로드캐스트만 되면 됩니다: masked_fill과 "
    "torch.where는 브로드캐스트하지만, 불리언 인덱싱(scores[~mask] = ...)은 하지 않습니다")
SWAPPED_PAIR = Mistake(
    "attention/swapped-pair",
    "the pair is returned as (weights, out); return (out, weights)",
    "(weights, out) 순서로 반환했습니다. (out, weights)를 반환하세요")
NAN_DEAD_ROWS = Mistake(
    "attention/nan-dead-rows",
    "a query row with no allowed key gives NaN (softmax of a row that is all -inf is 0/0); such a row must get "
    "all-zero weights and an all-zero output",
    "볼 수 있는 키가 없는 쿼리 행에서 NaN이 나옵니다(모두 -inf인 행의 softmax는 0/0입니다). 그런 행은 가중치와 "
    "출력이 모두 0이어야 합니다")
NOT_A_PAIR = Mistake(
    "attention/not-a-pair",
    "{what} must return a pair (out, weights), got {got}",
    "{what}: (out, weights) 쌍을 반환해야 하는데 반환값이 {got}입니다")

CAUSAL_NO_DIAGONAL = Mistake(
    "attention/causal-no-diagonal",
    "the diagonal is False: a position must also attend to itself (True on and below the diagonal)",
    "대각선이 False입니다: 각 위치는 자기 자신도 볼 수 있어야 합니다(대각선과 그 아래가 True)")
CAUSAL_UPPER = Mistake(
    "attention/causal-upper",
    "True above the diagonal: that marks future positions; True must mean 'may attend' (on and below the "
    "diagonal)",
    "대각선 위쪽이 True입니다: 그것은 미래 위치입니다. True는 '볼 수 있음'을 뜻해야 합니다(대각선과 그 아래)")
CAUSAL_STRICT_UPPER = Mistake(
    "attention/causal-blocked-part",
    "True strictly above the diagonal: that is the blocked part (the mask of torch's nn.Transformer "
    "convention); here True must mean 'may attend'",
    "대각선보다 위쪽만 True입니다: 그것은 가려야 할 부분입니다(torch nn.Transformer 방식의 마스크). "
    "여기서는 True가 '볼 수 있음'을 뜻해야 합니다")

ADD_NO_TANH = Mistake(
    "attention/additive-no-tanh",
    "tanh is missing: the score is w_v(tanh(W_q q_i + W_k k_j))",
    "tanh가 빠졌습니다: 점수는 w_v(tanh(W_q q_i + W_k k_j))입니다")
ADD_TANH_OUTSIDE = Mistake(
    "attention/additive-tanh-outside",
    "tanh is applied after w_v; it belongs inside: w_v(tanh(W_q q_i + W_k k_j))",
    "tanh를 w_v 다음에 적용했습니다. tanh는 안쪽에 들어가야 합니다: w_v(tanh(W_q q_i + W_k k_j))")
ADD_SCALED = Mistake(
    "attention/additive-scaled",
    "the scores are scaled by 1/sqrt(d_hidden); additive attention has no scale",
    "점수에 1/sqrt(d_hidden)을 곱했습니다. 가법(additive) 어텐션에는 스케일이 없습니다")

MHA_SPLIT_NO_TRANSPOSE = Mistake(
    "attention/mha-split-no-transpose",
    "the heads are split with reshape(B, h, n, d_model/h) without a transpose, which cuts the sequence into "
    "pieces instead of splitting each position's features; reshape to (B, n, h, d_model/h), then transpose to "
    "(B, h, n, d_model/h)",
    "헤드를 transpose 없이 reshape(B, h, n, d_model/h)로 나눴습니다. 그러면 각 위치의 특성이 아니라 시퀀스가 "
    "조각납니다. (B, n, h, d_model/h)로 reshape한 다음 (B, h, n, d_model/h)로 transpose하세요")
MHA_MERGE_NO_TRANSPOSE = Mistake(
    "attention/mha-merge-no-transpose",
    "the heads are merged with reshape(B, n, d_model) straight from (B, h, n, d_model/h); transpose back to "
    "(B, n, h, d_model/h) before merging",
    "(B, h, n, d_model/h)에서 바로 reshape(B, n, d_model)로 헤드를 합쳤습니다. 합치기 전에 "
    "(B, n, h, d_model/h)로 다시 transpose하세요")
MHA_INTERLEAVED = Mistake(
    "attention/mha-interleaved-heads",
    "head i takes every h-th feature (features i, i+h, ...); head i must take the contiguous block of features "
    "i*d_model/h to (i+1)*d_model/h, as nn.MultiheadAttention does",
    "헤드 i가 h번째마다 특성을 가져갑니다(특성 i, i+h, ...). nn.MultiheadAttention처럼 헤드 i는 특성 "
    "i*d_model/h부터 (i+1)*d_model/h까지의 연속된 블록을 가져가야 합니다")
MHA_SCALE_D_MODEL = Mistake(
    "attention/mha-scale-d-model",
    "the scores are divided by sqrt(d_model); each head scales by the size of its own keys, "
    "sqrt(d_model / num_heads)",
    "점수를 sqrt(d_model)로 나눴습니다. 각 헤드는 자기 키의 크기인 sqrt(d_model / num_heads)로 나눕니다")
MHA_NO_SCALE = Mistake(
    "attention/mha-no-scale",
    "the scores are not divided by sqrt(d_model / num_heads)",
    "점수를 sqrt(d_model / num_heads)로 나누지 않았습니다")
MHA_SCALE_D_HEAD = Mistake(
    "attention/mha-scale-by-d-head",
    "the scores are divided by d_model / num_heads; the scale is sqrt(d_model / num_heads)",
    "점수를 d_model / num_heads로 나눴습니다. 스케일은 sqrt(d_model / num_heads)입니다")
MHA_KEY_USES_W_Q = Mistake(
    "attention/mha-key-uses-w-q",
    "the keys are projected with W_q; keys use W_k",
    "키를 W_q로 사영했습니다. 키에는 W_k를 씁니다")
MHA_NO_OUT_PROJ = Mistake(
    "attention/mha-no-out-proj",
    "the output projection W_o is not applied to the concatenated heads",
    "이어 붙인 헤드에 출력 사영 W_o를 적용하지 않았습니다")
MHA_AVERAGED_WEIGHTS = Mistake(
    "attention/mha-averaged-weights",
    "the weights are averaged over the heads; return one weight matrix per head, shape (B, num_heads, n_q, n_k)",
    "가중치를 헤드에 대해 평균냈습니다. 헤드마다 가중치 행렬을 하나씩, 형태 (B, num_heads, n_q, n_k)로 "
    "반환하세요")
MHA_DETACHED = Mistake(
    "attention/mha-detached",
    "no gradient reaches {name}: is the output detached from it (no_grad, .detach(), .data)?",
    "{name}까지 그래디언트가 전달되지 않습니다: 출력이 계산 그래프에서 떨어져 있지 않은지(no_grad, .detach(), "
    ".data) 확인하세요")

HINT = T("\nHint: ", "\n힌트: ")


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
        raise CheckFailure(message_of(err) + HINT + hint) from None


def _as_pair(result, what):
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        got = type(result).__name__
        got = T(f"{got} of length {len(result)}", f"길이가 {len(result)}인 {got}") \
            if isinstance(result, (tuple, list)) else got
        fail(NOT_A_PAIR.format(what=what, got=got))
    return result


def expect_pair_of_tensors(result, *, what):
    """Fail unless `result` is a pair of tensors; for checks that grade something other than values."""
    out, weights = _as_pair(result, what)
    expect_tensor(out, what=what + ": out")
    expect_tensor(weights, what=what + ": weights")


def _name_shape_mistake(out, weights, expected, named, what):
    """expect_close stops at a wrong shape before trying variants; try the variants that have that shape."""
    def shape(t):
        return tuple(t.shape) if isinstance(t, torch.Tensor) else None
    exp_out, exp_weights = expected
    if shape(out) == shape(exp_out) and shape(weights) == shape(exp_weights):
        return
    if shape(out) == shape(exp_weights) and shape(weights) == shape(exp_out) and shape(out) != shape(exp_out):
        fail(what + ": " + SWAPPED_PAIR)
    for label, got, index in (("weights", weights, 1), ("out", out, 0)):
        if shape(got) is not None and shape(got) != shape(expected[index]):
            hint = diagnose(got, {m: o[index] for m, o in named.items()})
            if hint:
                fail(T("{what}: {label}: expected shape {want}, got {got}; {hint}",
                       "{what}: {label}: 형태(shape)가 {want}이어야 하는데 {got}입니다; {hint}").format(
                    what=what, label=label, want=shape(expected[index]), got=shape(got), hint=hint))


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
                fail(T("{what}: {label} contains NaN; {hint}", "{what}: {label}에 NaN이 있습니다; {hint}").format(
                    what=what, label=label, hint=NAN_DEAD_ROWS))
    named = variants()
    _name_shape_mistake(out, weights, expected, named, what)
    expect_close(weights, expected[1], what=what + ": weights", mistakes={m: o[1] for m, o in named.items()})
    if not out_ok:
        expect_close(out, expected[0], what=what + ": out", mistakes={m: o[0] for m, o in named.items()})


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
    return {CAUSAL_NO_DIAGONAL: ones.tril(-1), CAUSAL_UPPER: ones.triu(), CAUSAL_STRICT_UPPER: ones.triu(1)}


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
        ADD_NO_TANH: additive(state, q, k, v, mask, tanh=False),
        ADD_TANH_OUTSIDE: additive(state, q, k, v, mask, tanh_outside=True),
        SOFTMAX_QUERIES: additive(state, q, k, v, mask, dim=-2),
        ADD_SCALED: additive(state, q, k, v, mask, scale=1 / math.sqrt(d_hidden)),
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
    variants = {
        # Wrong weights already name it, so however the heads are merged back does not matter.
        MHA_SPLIT_NO_TRANSPOSE: run(split="no_transpose", merge="no_transpose"),
        MHA_MERGE_NO_TRANSPOSE: run(merge="no_transpose"),
        MHA_INTERLEAVED: run(split="interleaved", merge="interleaved"),
        MHA_SCALE_D_MODEL: run(scale=1 / math.sqrt(d_model)),
        MHA_NO_SCALE: run(scale=1.0),
        MHA_SCALE_D_HEAD: run(scale=1 / d_head),
        SOFTMAX_QUERIES: run(dim=-2),
        MHA_KEY_USES_W_Q: run(key_proj="W_q"),
        MHA_NO_OUT_PROJ: run(out_proj=False),
    }
    out, weights = run()
    variants[MHA_AVERAGED_WEIGHTS] = (out, weights.mean(1))
    variants |= _mask_variants(lambda mode: run(mode=mode), mask)
    return variants


# --------------------------------------------------------------------------- module structure

NOT_A_MODULE = T("{cls} must be a subclass of torch.nn.Module, got {got}",
                 "{cls}은(는) torch.nn.Module의 하위 클래스여야 하는데 {got}입니다")


def parameter_problems(module, got, want):
    """What differs between the student's parameters {name: shape} and the contract's."""
    missing, extra = sorted(set(want) - set(got)), sorted(set(got) - set(want))
    wrong = sorted(n for n in set(want) & set(got) if got[n] != want[n])
    parts = ([T("missing {names}", "빠진 파라미터 {names}").format(names=", ".join(missing))] if missing else []) + \
            ([T("unexpected {names}", "명세에 없는 파라미터 {names}").format(names=", ".join(extra))] if extra else []) + \
            [T("{n} has shape {got}, expected {want}", "{n}의 형태가 {want}이어야 하는데 {got}입니다").format(
                n=n, got=tuple(got[n]), want=tuple(want[n])) for n in wrong]
    return T("{module} parameters: ", "{module}의 파라미터: ").format(module=module) + T("; ", "; ").join(parts)
