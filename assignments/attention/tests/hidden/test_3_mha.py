"""Hidden checks of MultiHeadAttention.

The grader copies its own random weights into the student's module (load_state_dict,
strict), so every check depends only on the forward computation, never on initialisation.
A query with no allowed key has zero weights in every head, so its row of `out` is
W_o applied to zeros (W_o's bias); a row of zeros is accepted too, since the contract's
"all-zero output" can be read either way for the module's final output.
"""
import math

import torch
from torch import nn

from graders.checks import check, expect_close, expect_raises, fail
from graders.memo import pure
from graders.i18n import T

CLASS = "MultiHeadAttention"
PROJECTIONS = ("W_q", "W_k", "W_v", "W_o")


def _randn(rng, *shape, scale=1.0):
    return torch.randn(*shape, generator=rng) * scale


def _mask(rng, *shape, p=0.7):
    return torch.rand(*shape, generator=rng) < p


def _shape(t):
    return "(" + ", ".join(map(str, t.shape)) + ")"


def _param_shapes(d_model, bias):
    return {f"{n}.{p}": [d_model, d_model] if p == "weight" else [d_model]
            for n in PROJECTIONS for p in (("weight", "bias") if bias else ("weight",))}


def _state(rng, d_model, bias=True):
    return {name: _randn(rng, *shape, scale=1 / math.sqrt(d_model) if len(shape) == 2 else 0.5)
            for name, shape in _param_shapes(d_model, bias).items()}


@pure
def _reference(ref, state, num_heads, bias, *args):
    """The reference module's output with these weights: kept per assignment version (graders.memo)."""
    d_model = state["W_q.weight"].shape[0]
    with torch.random.fork_rng(devices=[]):        # its random init is overwritten by `state`
        module = ref.MultiHeadAttention(d_model, num_heads, bias=bias)
    module.load_state_dict(state)
    with torch.no_grad():
        return module(*args)


def _with(name, case):
    return T("{name} with {case}", "{name} (입력 {case})").format(name=name, case=case)


def _dead_rows_zeroed(out, mask, n_q, n_k):
    """`out` with the rows of queries that may attend nothing set to zero."""
    dead = ~mask.expand(out.shape[0], n_q, n_k).any(-1)
    return out.masked_fill(dead[..., None], 0.0)


def _expect_mha(student, ref, mistakes, rng, d_model, num_heads, query, key, value, mask=None, *,
                bias=True, state=None, **call):
    """Build both modules with the same weights and compare one forward call."""
    state = _state(rng, d_model, bias) if state is None else state
    case = f"query {_shape(query)}, key {_shape(key)}" + ("" if mask is None else f", mask {_shape(mask)}")
    what = _with(f"{CLASS}({d_model}, {num_heads}, bias={bias})", case)
    module = student.new(CLASS, d_model, num_heads, bias=bias)
    module.load_state_dict(state)
    args = (query, key, value) if mask is None else (query, key, value, mask)
    scores_shape = (query.shape[0], num_heads, query.shape[1], key.shape[1])
    result = mistakes.call_with_mask_hint(lambda: module(*args, **call), mask, scores_shape)
    expected = _reference(ref, state, num_heads, bias, *args)
    mistakes.expect_attention(
        result, expected, lambda: mistakes.mha_variants(state, num_heads, *args), what=what,
        nan_variant=None if mask is None else lambda: mistakes.mha(state, num_heads, *args, mode="nan"),
        out_alternative=None if mask is None else _dead_rows_zeroed(expected[0], mask, query.shape[1], key.shape[1]))


@check(points=1, visibility="after_due_date", target=CLASS,
       ko="멀티헤드 어텐션: 하위 모듈과 파라미터 형태 (bias 있음/없음)")
def test_mha_structure(student, ref, rng, mistakes):
    """Multi-head attention: submodules and parameter shapes, with and without bias"""
    for bias in (True, False):
        info = student.new(CLASS, 12, 3, bias=bias).structure()
        if not info.get("is_module"):
            fail(mistakes.NOT_A_MODULE.format(cls=CLASS, got=info.get("type")))
        want = _param_shapes(12, bias)
        got = {name: list(shape) for name, shape in info["parameters"].items()}
        if got == want:
            continue
        fail(mistakes.parameter_problems(f"{CLASS}(12, 3, bias={bias})", got, want)
             + T(". The contract: W_q, W_k, W_v, W_o, each Linear(d_model, d_model, bias=bias)",
                 ". 명세: W_q, W_k, W_v, W_o 각각 Linear(d_model, d_model, bias=bias)"))


@check(points=2, visibility="after_due_date", target=CLASS,
       ko="멀티헤드 어텐션: 가중치를 복사한 셀프 어텐션")
def test_mha_self_attention(student, ref, rng, mistakes):
    """Multi-head attention: self-attention with copied weights"""
    for B, n, d_model, num_heads in [(2, 5, 8, 2), (3, 7, 12, 3), (1, 4, 16, 4)]:
        x = _randn(rng, B, n, d_model)
        _expect_mha(student, ref, mistakes, rng, d_model, num_heads, x, x, x)


@check(points=2, visibility="after_due_date", target=CLASS,
       ko="멀티헤드 어텐션: n_q != n_k, 홀수 크기, bias 없음, 헤드 1개, d_head = 1")
def test_mha_cross_attention(student, ref, rng, mistakes):
    """Multi-head attention: n_q != n_k, odd sizes, no bias, one head, d_head = 1"""
    for B, n_q, n_k, d_model, num_heads, bias in [(1, 3, 11, 15, 5, False), (2, 9, 4, 6, 6, True),
                                                  (3, 1, 1, 7, 1, True), (2, 6, 13, 10, 2, False)]:
        query, key, value = _randn(rng, B, n_q, d_model), _randn(rng, B, n_k, d_model), _randn(rng, B, n_k, d_model)
        _expect_mha(student, ref, mistakes, rng, d_model, num_heads, query, key, value, bias=bias)


@check(points=2, visibility="after_due_date", target=CLASS,
       ko="멀티헤드 어텐션: 마스크 (볼 수 있는 키가 없는 쿼리 포함)")
def test_mha_masks(student, ref, rng, mistakes):
    """Multi-head attention: masks, including queries with no allowed key"""
    B, n_q, n_k, d_model, num_heads = 3, 6, 5, 12, 4
    query, kv = _randn(rng, B, n_q, d_model), _randn(rng, B, n_k, d_model)
    full = _mask(rng, B, n_q, n_k)
    full[..., 0] = True
    full[1, 2] = full[2, 5] = False
    padding = torch.tensor([[True] * 5, [True] * 2 + [False] * 3, [False] * 5])[:, None, :]
    shared = _mask(rng, 1, n_q, n_k)
    shared[..., 3] = True
    for mask in (full, padding, shared):
        _expect_mha(student, ref, mistakes, rng, d_model, num_heads, query, kv, kv, mask)
    x = _randn(rng, 2, 7, d_model)
    causal = torch.ones(7, 7, dtype=torch.bool).tril()[None]
    _expect_mha(student, ref, mistakes, rng, d_model, num_heads, x, x, x, causal)


# Large in d_model, modest in length, so that a correct solution looping over heads and
# (query, key) pairs in Python still fits the (longer) call limit.
@check(points=1, visibility="after_due_date", target=CLASS, timeout=30,
       ko="멀티헤드 어텐션: 큰 크기")
def test_mha_large(student, ref, rng, mistakes):
    """Multi-head attention: large sizes"""
    B, n_q, n_k, d_model, num_heads = 2, 12, 40, 256, 8
    query, kv = _randn(rng, B, n_q, d_model), _randn(rng, B, n_k, d_model)
    lengths = torch.tensor([40, 27])
    padding = (torch.arange(n_k)[None, :] < lengths[:, None])[:, None, :]
    _expect_mha(student, ref, mistakes, rng, d_model, num_heads, query, kv, kv, padding)


@check(points=1, visibility="after_due_date", target=CLASS,
       ko="멀티헤드 어텐션: nn.MultiheadAttention과 일치")
def test_mha_matches_torch(student, ref, rng, mistakes):
    """Multi-head attention: agrees with nn.MultiheadAttention"""
    # sqrt(d_model) != d_head here, so the two classic scale mistakes give different numbers.
    d_model, num_heads, B, n = 24, 3, 2, 6
    theirs = nn.MultiheadAttention(d_model, num_heads, batch_first=True)
    with torch.no_grad():
        # Every parameter comes from `rng`: torch's own init draws on the global generator,
        # and it starts the biases at 0, which would hide a missing bias.
        theirs.in_proj_weight.copy_(_randn(rng, 3 * d_model, d_model, scale=1 / math.sqrt(d_model)))
        theirs.in_proj_bias.copy_(_randn(rng, 3 * d_model, scale=0.5))
        theirs.out_proj.weight.copy_(_randn(rng, d_model, d_model, scale=1 / math.sqrt(d_model)))
        theirs.out_proj.bias.copy_(_randn(rng, d_model, scale=0.5))
    w, b = theirs.in_proj_weight.detach(), theirs.in_proj_bias.detach()
    state = {}
    for i, name in enumerate(("W_q", "W_k", "W_v")):
        state[f"{name}.weight"] = w[i * d_model:(i + 1) * d_model].clone()
        state[f"{name}.bias"] = b[i * d_model:(i + 1) * d_model].clone()
    state["W_o.weight"] = theirs.out_proj.weight.detach().clone()
    state["W_o.bias"] = theirs.out_proj.bias.detach().clone()
    x = _randn(rng, B, n, d_model)
    causal = torch.ones(n, n, dtype=torch.bool).tril()
    module = student.new(CLASS, d_model, num_heads)
    module.load_state_dict(state)
    result = module(x, x, x, causal[None])
    with torch.no_grad():
        expected = theirs(x, x, x, attn_mask=~causal, average_attn_weights=False)
    mistakes.expect_attention(
        result, expected, lambda: mistakes.mha_variants(state, num_heads, x, x, x, causal[None]),
        what=T("{name} with weights copied from nn.MultiheadAttention, causal mask",
               "{name} (nn.MultiheadAttention에서 복사한 가중치, 인과 마스크)").format(name=f"{CLASS}({d_model}, {num_heads})"))


@check(points=1, visibility="after_due_date", target=CLASS,
       ko="멀티헤드 어텐션: 입력과 모든 사영까지 그래디언트 전달")
def test_mha_gradients(student, ref, rng, mistakes):
    """Multi-head attention: gradients reach the inputs and every projection"""
    d_model, num_heads = 12, 3
    state = _state(rng, d_model)
    query, key, value = _randn(rng, 2, 4, d_model), _randn(rng, 2, 5, d_model), _randn(rng, 2, 5, d_model)
    grad_out = _randn(rng, 2, 4, d_model)
    module = student.new(CLASS, d_model, num_heads)
    module.load_state_dict(state)
    result, input_grads, param_grads = module.call_grad(query, key, value, grad_outputs=[grad_out, None])

    expected_module = ref.MultiHeadAttention(d_model, num_heads)
    expected_module.load_state_dict(state)
    leaves = [t.clone().requires_grad_() for t in (query, key, value)]
    expected = expected_module(*leaves)
    expected[0].backward(grad_out)
    # A wrong forward pass explains wrong gradients; name the forward mistake first.
    mistakes.expect_attention(
        result, tuple(t.detach() for t in expected),
        lambda: mistakes.mha_variants(state, num_heads, query, key, value),
        what=_with(f"{CLASS}({d_model}, {num_heads})", f"query {_shape(query)}, key {_shape(key)}"))
    for name, leaf, grad in zip(("query", "key", "value"), leaves, input_grads):
        if grad is None:
            fail(mistakes.MHA_DETACHED.format(name=f"`{name}`"))
        expect_close(grad, leaf.grad, what=T("gradient of `{name}`", "`{name}`의 그래디언트").format(name=name))
    for name, param in expected_module.named_parameters():
        grad = param_grads.get(name)
        if grad is None:
            fail(mistakes.MHA_DETACHED.format(name=name))
        expect_close(grad, param.grad, what=T("gradient of {name}", "{name}의 그래디언트").format(name=name))


@check(points=1, visibility="after_due_date", target=CLASS,
       ko="멀티헤드 어텐션: 입력을 바꾸지 않음")
def test_mha_inputs_unchanged(student, ref, rng, mistakes):
    """Multi-head attention: inputs are not modified"""
    # Only mutation is graded here: values and shapes already cost points in the other checks.
    query, key, value = _randn(rng, 2, 3, 8), _randn(rng, 2, 4, 8), _randn(rng, 2, 4, 8)
    mask = _mask(rng, 2, 3, 4)
    mask[0, 1] = False
    module = student.new(CLASS, 8, 2)
    module.load_state_dict(_state(rng, 8))
    result = module(query, key, value, mask, check_inputs=True)
    mistakes.expect_pair_of_tensors(result, what=f"{CLASS}.forward")


@check(points=1, visibility="after_due_date", target=CLASS,
       ko="멀티헤드 어텐션: d_model이 num_heads로 나누어떨어지지 않으면 ValueError")
def test_mha_invalid_heads(student, ref, rng, mistakes):
    """Multi-head attention: d_model not divisible by num_heads raises ValueError"""
    for d_model, num_heads in [(10, 3), (7, 2), (6, 4)]:
        expect_raises("ValueError", student.new, CLASS, d_model, num_heads,
                      what=f"{CLASS}({d_model}, {num_heads})")
