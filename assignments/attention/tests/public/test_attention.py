"""Small visible checks: one per function or class, on fixed small shapes.

The hidden checks ask the same questions on other shapes (several batch dimensions,
d_k != d_v, n_q != n_k, odd and large sizes), with masks that broadcast and query rows
that may attend to nothing, and also check that inputs stay unchanged, that invalid
arguments raise ValueError and that gradients reach every projection.
"""
import math

import torch

from graders import pictures
from graders.checks import check, expect_equal, expect_tensor, fail
from graders.i18n import T
from graders.sandbox.proxy import StudentError

# The lecture's worked example "Messi smiled brightly" (the matrices of the quiz-attention statement).
EXAMPLE_TOKENS = ["Messi", "smiled", "brightly"]
EXAMPLE_Q = torch.tensor([[2.0, 1, 2, 1], [3, 1, 1, 0], [0, 3, 0, 1]])
EXAMPLE_K = torch.tensor([[2.0, 0, 1, 0], [0, 2, 0, 1], [1, 0, 0, 2]])
EXAMPLE_V = torch.tensor([[1.0, 0, 2, 3], [0, 4, 1, 0], [2, 1, 0, 5]])


def _randn(rng, *shape, scale=1.0):
    return torch.randn(*shape, generator=rng) * scale


def _linear_state(rng, shapes):
    """Random weights for a module's parameters, scaled so that activations stay near unit size."""
    return {name: _randn(rng, *shape, scale=1 / math.sqrt(shape[-1]) if name.endswith("weight") else 0.5)
            for name, shape in shapes.items()}


def _attach_worked_example(student, ref, artifacts):
    """Picture: the student's weights on the worked example beside the reference's (scored elsewhere)."""
    try:
        result = student.call("scaled_dot_product_attention", EXAMPLE_Q, EXAMPLE_K, EXAMPLE_V)
        weights = result[1] if isinstance(result, tuple) and len(result) == 2 else None
    except StudentError:
        weights = None
    if not isinstance(weights, torch.Tensor) or tuple(weights.shape) != (3, 3):
        return
    expected = ref.scaled_dot_product_attention(EXAMPLE_Q, EXAMPLE_K, EXAMPLE_V)[1]
    panels = [(T("yours", "제출"), weights), (T("reference", "정답"), expected)]
    png = pictures.heatmaps(panels, title=T("Messi smiled brightly: softmax(QK^T / sqrt(d_k))",
                                            "Messi smiled brightly의 softmax(QK^T / sqrt(d_k))"),
                            row_labels=EXAMPLE_TOKENS, col_labels=EXAMPLE_TOKENS, vmax=1.0)
    alt = T("Two heat maps of attention weights on \"Messi smiled brightly\" (rows are queries, columns keys). ",
            "\"Messi smiled brightly\"의 어텐션 가중치 히트맵 두 개(행은 쿼리, 열은 키). ")
    artifacts.image("worked-example-weights.png", png,
                    caption=T("Attention weights on the worked example: rows are queries, columns keys",
                              "예제 문장의 어텐션 가중치: 행은 쿼리, 열은 키"),
                    alt=alt + pictures.describe_matrices([(T("yours", "제출"), weights), (T("reference", "정답"), expected)],
                                                         row_labels=EXAMPLE_TOKENS, col_labels=EXAMPLE_TOKENS))


@check(points=2, visibility="visible", target="scaled_dot_product_attention",
       ko="스케일드 닷-프로덕트: 마스크 없는 작은 배치")
def test_sdpa_small(student, ref, rng, mistakes, artifacts):
    """Scaled dot-product: small batch without a mask"""
    _attach_worked_example(student, ref, artifacts)
    q, k, v = _randn(rng, 2, 3, 4), _randn(rng, 2, 5, 4), _randn(rng, 2, 5, 6)
    result = student.call("scaled_dot_product_attention", q, k, v)
    mistakes.expect_attention(result, ref.scaled_dot_product_attention(q, k, v),
                              lambda: mistakes.sdpa_variants(q, k, v), what="scaled_dot_product_attention")


@check(points=2, visibility="visible", target="scaled_dot_product_attention",
       ko="스케일드 닷-프로덕트: 인과 마스크가 있는 작은 배치")
def test_sdpa_causal(student, ref, rng, mistakes):
    """Scaled dot-product: small batch with a causal mask"""
    q, k, v = _randn(rng, 2, 4, 8), _randn(rng, 2, 4, 8), _randn(rng, 2, 4, 3)
    mask = torch.ones(4, 4, dtype=torch.bool).tril()
    result = mistakes.call_with_mask_hint(
        lambda: student.call("scaled_dot_product_attention", q, k, v, mask=mask), mask, (2, 4, 4))
    mistakes.expect_attention(result, ref.scaled_dot_product_attention(q, k, v, mask),
                              lambda: mistakes.sdpa_variants(q, k, v, mask), what="scaled_dot_product_attention")


@check(points=1, visibility="visible", target="causal_mask",
       ko="인과 마스크: 크기 4")
def test_causal_mask_4(student, ref, rng, mistakes):
    """Causal mask: size 4"""
    mask = student.call("causal_mask", 4)
    expect_tensor(mask, what="causal_mask(4)", shape=(4, 4), dtype=torch.bool)
    for message, variant in mistakes.causal_mask_variants(4).items():
        if torch.equal(mask, variant):
            fail("causal_mask(4): " + message)
    expect_equal(mask, ref.causal_mask(4), what="causal_mask(4)")


@check(points=2, visibility="visible", target="AdditiveAttention",
       ko="가법 어텐션: 작은 배치")
def test_additive_small(student, ref, rng, mistakes):
    """Additive attention: small batch"""
    d_q, d_k, d_hidden = 3, 4, 5
    state = _linear_state(rng, {"W_q.weight": (d_hidden, d_q), "W_k.weight": (d_hidden, d_k),
                                "w_v.weight": (1, d_hidden)})
    q, k, v = _randn(rng, 2, 3, d_q), _randn(rng, 2, 4, d_k), _randn(rng, 2, 4, 2)
    module = student.new("AdditiveAttention", d_q, d_k, d_hidden)
    module.load_state_dict(state)
    expected_module = ref.AdditiveAttention(d_q, d_k, d_hidden)
    expected_module.load_state_dict(state)
    with torch.no_grad():
        expected = expected_module(q, k, v)
    mistakes.expect_attention(module(q, k, v), expected, lambda: mistakes.additive_variants(state, q, k, v),
                              what="AdditiveAttention")


@check(points=2, visibility="visible", target="MultiHeadAttention",
       ko="멀티헤드 어텐션: 작은 셀프 어텐션")
def test_mha_small(student, ref, rng, mistakes):
    """Multi-head attention: small self-attention"""
    d_model, num_heads = 8, 2
    state = _linear_state(rng, {f"{n}.{p}": (d_model, d_model) if p == "weight" else (d_model,)
                                for n in ("W_q", "W_k", "W_v", "W_o") for p in ("weight", "bias")})
    x = _randn(rng, 2, 5, d_model)
    module = student.new("MultiHeadAttention", d_model, num_heads)
    module.load_state_dict(state)
    expected_module = ref.MultiHeadAttention(d_model, num_heads)
    expected_module.load_state_dict(state)
    with torch.no_grad():
        expected = expected_module(x, x, x)
    mistakes.expect_attention(module(x, x, x), expected, lambda: mistakes.mha_variants(state, num_heads, x, x, x),
                              what="MultiHeadAttention")
