"""Hidden checks of scaled_dot_product_attention and causal_mask.

Each check runs several cases and names the failing one by its input shapes (never by
an expected value). Masks are random with a fixed seed; rows with no allowed key are
put in on purpose where a check is about them.
"""
import torch

from graders.checks import check, expect_raises, expect_tensor, fail
from graders.i18n import Mistake, T

SDPA = "scaled_dot_product_attention"


def _randn(rng, *shape, scale=1.0):
    return torch.randn(*shape, generator=rng) * scale


def _mask(rng, *shape, p=0.7):
    return torch.rand(*shape, generator=rng) < p


def _shape(t):
    return "(" + ", ".join(map(str, t.shape)) + ("," if t.dim() == 1 else "") + ")"


def _case(q, k, v, mask=None):
    text = f"q {_shape(q)}, k {_shape(k)}, v {_shape(v)}"
    return text if mask is None else f"{text}, mask {_shape(mask)}"


def _with(name, case):
    return T("{name} with {case}", "{name} (입력 {case})").format(name=name, case=case)


OVERFLOW = Mistake(
    "attention/softmax-overflow",
    "exp() overflowed: with scores this large, exp(score) is inf in float32; subtract each row's maximum "
    "before exp (torch.softmax does this for you)",
    "exp()가 오버플로했습니다: 점수가 이만큼 크면 float32에서 exp(score)가 inf가 됩니다. exp 전에 각 행의 "
    "최댓값을 빼세요 (torch.softmax는 이것을 대신 해 줍니다)")
NAN_OR_INF = T("{what}: {label} contains NaN or inf; {hint}", "{what}: {label}에 NaN 또는 inf가 있습니다; {hint}")
WRONG_ENTRIES = T("{what}: {wrong} of {total} entries are wrong", "{what}: 원소 {total}개 중 {wrong}개가 틀렸습니다")


def _expect_sdpa(student, ref, mistakes, q, k, v, mask=None, *, large_scores=False, **call):
    """Call the student's function on one case and compare both results, naming known mistakes."""
    what = _with(SDPA, _case(q, k, v, mask))
    args = (q, k, v) if mask is None else (q, k, v, mask)
    scores_shape = torch.broadcast_shapes(q.shape[:-2], k.shape[:-2]) + (q.shape[-2], k.shape[-2])
    result = mistakes.call_with_mask_hint(lambda: student.call(SDPA, *args, **call), mask, scores_shape)
    if large_scores and isinstance(result, (tuple, list)):
        for label, got in zip(("out", "weights"), result):
            if isinstance(got, torch.Tensor) and got.is_floating_point() and not torch.isfinite(got).all():
                fail(NAN_OR_INF.format(what=what, label=label, hint=OVERFLOW))
    mistakes.expect_attention(
        result, ref.scaled_dot_product_attention(q, k, v, mask), lambda: mistakes.sdpa_variants(q, k, v, mask),
        what=what, nan_variant=None if mask is None else lambda: mistakes.sdpa_nan_rows(q, k, v, mask))


# --------------------------------------------------------------------------- scaled dot-product

@check(points=3, visibility="after_due_date", target=SDPA,
       ko="스케일드 닷-프로덕트: 배치 차원, d_k != d_v, n_q != n_k")
def test_sdpa_shapes(student, ref, rng, mistakes):
    """Scaled dot-product: batch dimensions, d_k != d_v, n_q != n_k"""
    for batch, n_q, n_k, d_k, d_v in [((), 4, 6, 8, 3), ((3,), 5, 7, 16, 5), ((2, 3), 1, 9, 5, 2),
                                      ((2, 1, 3), 7, 1, 3, 11), ((2, 2, 2, 2), 3, 3, 6, 6),
                                      ((), 1, 1, 1, 1)]:
        q, k, v = _randn(rng, *batch, n_q, d_k), _randn(rng, *batch, n_k, d_k), _randn(rng, *batch, n_k, d_v)
        _expect_sdpa(student, ref, mistakes, q, k, v)


@check(points=3, visibility="after_due_date", target=SDPA,
       ko="스케일드 닷-프로덕트: 점수에 브로드캐스트되는 마스크")
def test_sdpa_mask_broadcast(student, ref, rng, mistakes):
    """Scaled dot-product: masks that broadcast against the scores"""
    q, k, v = _randn(rng, 2, 3, 5, 8), _randn(rng, 2, 3, 7, 8), _randn(rng, 2, 3, 7, 4)
    for mask_shape in [(2, 3, 5, 7), (5, 7), (7,), (1, 7), (2, 1, 1, 7), (3, 5, 7), (2, 1, 5, 7)]:
        mask = _mask(rng, *mask_shape)
        mask[..., 0] = True   # every query keeps a key: this check is about broadcasting
        _expect_sdpa(student, ref, mistakes, q, k, v, mask)
    causal = torch.ones(6, 6, dtype=torch.bool).tril()
    q, k, v = _randn(rng, 4, 6, 5), _randn(rng, 4, 6, 5), _randn(rng, 4, 6, 9)
    _expect_sdpa(student, ref, mistakes, q, k, v, causal)


@check(points=2, visibility="after_due_date", target=SDPA,
       ko="스케일드 닷-프로덕트: 볼 수 있는 키가 없는 쿼리 행은 NaN이 아닌 0")
def test_sdpa_fully_masked_rows(student, ref, rng, mistakes):
    """Scaled dot-product: query rows with no allowed key are zero, not NaN"""
    q, k, v = _randn(rng, 3, 6, 8), _randn(rng, 3, 5, 8), _randn(rng, 3, 5, 4)
    mask = _mask(rng, 3, 6, 5)
    mask[..., 1] = True
    mask[0, 1] = mask[1, 4] = mask[2, 0] = mask[2, 5] = False
    _expect_sdpa(student, ref, mistakes, q, k, v, mask)
    # Key padding that hides a whole sequence: every query of batch 1 sees nothing.
    padding = torch.tensor([[True] * 5, [False] * 5, [True] * 2 + [False] * 3])[:, None, :]
    _expect_sdpa(student, ref, mistakes, q, k, v, padding)
    # A single query that may attend nothing at all.
    _expect_sdpa(student, ref, mistakes, q[0, :1], k[0], v[0], torch.zeros(1, 5, dtype=torch.bool))


# Sizes stay small enough for a correct solution that loops over (query, key) pairs in
# Python; the longer limit absorbs a busy grading host, not an inefficient algorithm.
@check(points=2, visibility="after_due_date", target=SDPA, timeout=30,
       ko="스케일드 닷-프로덕트: 큰 크기와 큰 점수")
def test_sdpa_large(student, ref, rng, mistakes):
    """Scaled dot-product: large sizes and large scores"""
    q, k, v = _randn(rng, 2, 2, 33, 64), _randn(rng, 2, 2, 300, 64), _randn(rng, 2, 2, 300, 48)
    _expect_sdpa(student, ref, mistakes, q, k, v, _mask(rng, 2, 1, 33, 300, p=0.9))
    # Scores in the hundreds: exp() overflows in float32 unless the softmax subtracts the row max.
    # Integer q, k and d_k = 4 make every score exact in any precision, so a student who
    # computes in float64 is not pushed towards the tolerance by rounding in the scores.
    q = torch.randint(-20, 21, (3, 17, 4), generator=rng).float()
    k = torch.randint(-20, 21, (3, 19, 4), generator=rng).float()
    v = _randn(rng, 3, 19, 5)
    _expect_sdpa(student, ref, mistakes, q, k, v, large_scores=True)


@check(points=1, visibility="after_due_date", target=SDPA,
       ko="스케일드 닷-프로덕트: 입력을 바꾸지 않음")
def test_sdpa_inputs_unchanged(student, ref, rng, mistakes):
    """Scaled dot-product: inputs are not modified"""
    # Only mutation is graded here: values and shapes already cost points in the other checks.
    q, k, v = _randn(rng, 2, 3, 5, 8), _randn(rng, 2, 3, 6, 8), _randn(rng, 2, 3, 6, 4)
    mask = _mask(rng, 2, 3, 5, 6)
    mask[0, 0, 0] = False
    result = student.call(SDPA, q, k, v, mask, check_inputs=True)
    mistakes.expect_pair_of_tensors(result, what=_with(SDPA, _case(q, k, v, mask)))


# --------------------------------------------------------------------------- causal mask

@check(points=1, visibility="after_due_date", target="causal_mask",
       ko="인과 마스크: 크기 1, 2, 7, 100")
def test_causal_mask_sizes(student, ref, rng, mistakes):
    """Causal mask: sizes 1, 2, 7 and 100"""
    for n in (1, 2, 7, 100):
        what = f"causal_mask({n})"
        mask = student.call("causal_mask", n)
        expect_tensor(mask, what=what, shape=(n, n), dtype=torch.bool)
        if torch.equal(mask, ref.causal_mask(n)):
            continue
        hint = next((m for m, variant in mistakes.causal_mask_variants(n).items() if torch.equal(mask, variant)),
                    None)
        wrong = int((mask != ref.causal_mask(n)).sum())
        fail(WRONG_ENTRIES.format(what=what, wrong=wrong, total=n * n) + ("; " + hint if hint else ""))


@check(points=1, visibility="after_due_date", target="causal_mask",
       ko="인과 마스크: n < 1이면 ValueError")
def test_causal_mask_invalid(student, ref, rng, mistakes):
    """Causal mask: n < 1 raises ValueError"""
    for n in (0, -3):
        expect_raises("ValueError", student.call, "causal_mask", n, what=f"causal_mask({n})")
