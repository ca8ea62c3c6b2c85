"""Hidden checks of AdditiveAttention.

The grader copies its own random weights into the student's module (load_state_dict,
strict), so every check depends only on the forward computation, never on initialisation.
"""
import math

import torch

from graders.checks import check, fail
from graders.i18n import T

CLASS = "AdditiveAttention"


def _randn(rng, *shape, scale=1.0):
    return torch.randn(*shape, generator=rng) * scale


def _mask(rng, *shape, p=0.7):
    return torch.rand(*shape, generator=rng) < p


def _shape(t):
    return "(" + ", ".join(map(str, t.shape)) + ")"


def _state(rng, d_q, d_k, d_hidden):
    shapes = {"W_q.weight": (d_hidden, d_q), "W_k.weight": (d_hidden, d_k), "w_v.weight": (1, d_hidden)}
    return {name: _randn(rng, *shape, scale=1 / math.sqrt(shape[-1])) for name, shape in shapes.items()}


def _expect_additive(student, ref, mistakes, rng, sizes, q, k, v, mask=None, **call):
    """Build both modules with the same random weights and compare one forward call."""
    state = _state(rng, *sizes)
    case = f"q {_shape(q)}, k {_shape(k)}, v {_shape(v)}" + ("" if mask is None else f", mask {_shape(mask)}")
    what = T("{name} with {case}", "{name} (입력 {case})").format(name=f"{CLASS}{sizes}", case=case)
    module = student.new(CLASS, *sizes)
    module.load_state_dict(state)
    args = (q, k, v) if mask is None else (q, k, v, mask)
    scores_shape = (q.shape[0], q.shape[1], k.shape[1])
    result = mistakes.call_with_mask_hint(lambda: module(*args, **call), mask, scores_shape)
    expected_module = ref.AdditiveAttention(*sizes)
    expected_module.load_state_dict(state)
    with torch.no_grad():
        expected = expected_module(*args)
    mistakes.expect_attention(
        result, expected, lambda: mistakes.additive_variants(state, q, k, v, mask), what=what,
        nan_variant=None if mask is None else lambda: mistakes.additive(state, q, k, v, mask, mode="nan"))


@check(points=1, visibility="after_due_date", target=CLASS,
       ko="가법 어텐션: 하위 모듈과 파라미터 형태")
def test_additive_structure(student, ref, rng, mistakes):
    """Additive attention: submodules and parameter shapes"""
    info = student.new(CLASS, 3, 5, 7).structure()
    if not info.get("is_module"):
        fail(mistakes.NOT_A_MODULE.format(cls=CLASS, got=info.get("type")))
    want = {"W_q.weight": [7, 3], "W_k.weight": [7, 5], "w_v.weight": [1, 7]}
    got = {name: list(shape) for name, shape in info["parameters"].items()}
    if got != want:
        fail(mistakes.parameter_problems(f"{CLASS}(d_q=3, d_k=5, d_hidden=7)", got, want)
             + T(". The contract: ", ". 명세: ")
             + "W_q = Linear(d_q, d_hidden, bias=False), W_k = Linear(d_k, d_hidden, bias=False), "
               "w_v = Linear(d_hidden, 1, bias=False)")


@check(points=2, visibility="after_due_date", target=CLASS,
       ko="가법 어텐션: d_q != d_k, n_q != n_k, 홀수 크기")
def test_additive_shapes(student, ref, rng, mistakes):
    """Additive attention: d_q != d_k, n_q != n_k, odd sizes"""
    for B, n_q, n_k, d_q, d_k, d_hidden, d_v in [(2, 3, 5, 4, 6, 7, 2), (1, 1, 1, 1, 1, 1, 1),
                                                 (3, 8, 4, 5, 5, 16, 9), (2, 13, 17, 11, 3, 5, 1)]:
        q, k, v = _randn(rng, B, n_q, d_q), _randn(rng, B, n_k, d_k), _randn(rng, B, n_k, d_v)
        _expect_additive(student, ref, mistakes, rng, (d_q, d_k, d_hidden), q, k, v)


@check(points=2, visibility="after_due_date", target=CLASS,
       ko="가법 어텐션: 마스크 (볼 수 있는 키가 없는 쿼리 포함)")
def test_additive_masks(student, ref, rng, mistakes):
    """Additive attention: masks, including queries with no allowed key"""
    B, n_q, n_k, sizes = 3, 6, 5, (4, 4, 8)
    q, k, v = _randn(rng, B, n_q, 4), _randn(rng, B, n_k, 4), _randn(rng, B, n_k, 3)
    mask = _mask(rng, B, n_q, n_k)
    mask[..., 2] = True
    mask[0, 3] = mask[2, 0] = False
    _expect_additive(student, ref, mistakes, rng, sizes, q, k, v, mask)
    padding = torch.tensor([[True] * 5, [True] * 3 + [False] * 2, [False] * 5])[:, None, :]
    _expect_additive(student, ref, mistakes, rng, sizes, q, k, v, padding)
    causal = torch.ones(n_q, n_k, dtype=torch.bool).tril()
    _expect_additive(student, ref, mistakes, rng, sizes, q, k, v, causal)


@check(points=1, visibility="after_due_date", target=CLASS,
       ko="가법 어텐션: 입력을 바꾸지 않음")
def test_additive_inputs_unchanged(student, ref, rng, mistakes):
    """Additive attention: inputs are not modified"""
    # Only mutation is graded here: values and shapes already cost points in the other checks.
    q, k, v = _randn(rng, 2, 4, 3), _randn(rng, 2, 6, 5), _randn(rng, 2, 6, 2)
    mask = _mask(rng, 2, 4, 6)
    mask[1, 2] = False
    module = student.new(CLASS, 3, 5, 6)
    module.load_state_dict(_state(rng, 3, 5, 6))
    result = module(q, k, v, mask, check_inputs=True)
    mistakes.expect_pair_of_tensors(result, what=f"{CLASS}.forward")
