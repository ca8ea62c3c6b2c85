"""clip_grad_norm: global clipping across tensors, gradients below the limit, torch's 1e-6,
the returned norm's type, invalid max_norm, and the caller's gradients left alone."""
import torch

from graders.checks import check, expect_raises, fail
from graders.i18n import T

HIDDEN = "after_due_date"
CLIP = "clip_grad_norm"


def _grads(rng, *shapes, scale=1.0):
    return [torch.randn(*shape, generator=rng) * scale for shape in shapes]


@check(points=2, visibility=HIDDEN, target=CLIP,
       ko="clip_grad_norm: 전역 노름에서 구한 계수 하나로 모든 텐서를 스케일")
def test_clip_global(student, ref, rng, mistakes):
    """clip_grad_norm scales every tensor by one coefficient from the global norm"""
    # norms of very different sizes: clipping each tensor by its own norm gives other numbers
    grads = [g * s for g, s in zip(_grads(rng, (4, 3), (7,), (2, 3, 2), (1,)), (3.0, 0.2, 1.0, 5.0))]
    for max_norm in (1.0, 2.5):
        mistakes.expect_clip(student, ref, grads, max_norm, what=f"{CLIP}(grads, {max_norm!r})")


@check(points=1, visibility=HIDDEN, target=CLIP,
       ko="clip_grad_norm: 노름이 max_norm보다 작은 그래디언트는 그대로 둠")
def test_clip_below_max_norm(student, ref, rng, mistakes):
    """clip_grad_norm leaves gradients whose norm is below max_norm unchanged"""
    grads = _grads(rng, (3, 3), (5,), scale=0.1)
    mistakes.expect_clip(student, ref, grads, 10.0, what=T("{f}(grads, 10.0) with a total norm below 10",
                                                                 "{f}(grads, 10.0), 전체 노름이 10보다 작음").format(f=CLIP))


@check(points=1, visibility=HIDDEN, target=CLIP,
       ko="clip_grad_norm: torch처럼 total_norm + 1e-6으로 나눔 (아주 작은 노름)")
def test_clip_eps(student, ref, rng, mistakes):
    """clip_grad_norm divides by total_norm + 1e-6, as torch does (tiny norms)"""
    # Where the norm is ~2e-4 the 1e-6 shifts the coefficient by ~0.5%; the values are ~1e-5,
    # below the usual atol, so they are compared relative to their size only.
    grads = _grads(rng, (4, 4), (6,), scale=5e-5)
    mistakes.expect_clip(student, ref, grads, 1e-4, what=T("{f}(grads, 1e-4) with a total norm of about 2e-4",
                                                                 "{f}(grads, 1e-4), 전체 노름이 약 2e-4").format(f=CLIP),
                         atol=0.0, rtol=1e-4)
    grads = _grads(rng, (3,), scale=2e-7)
    mistakes.expect_clip(student, ref, grads, 1e-6, what=T("{f}(grads, 1e-6) with a total norm below 1e-6",
                                                                 "{f}(grads, 1e-6), 전체 노름이 1e-6보다 작음").format(f=CLIP),
                         atol=0.0, rtol=1e-4)


@check(points=1, visibility=HIDDEN, target=CLIP,
       ko="clip_grad_norm: 클리핑 전 노름을 파이썬 float로 반환")
def test_clip_norm_is_float(student, ref, rng, mistakes):
    """clip_grad_norm returns the norm before clipping as a Python float"""
    grads = _grads(rng, (2, 5), (3,))
    norm = mistakes.expect_clip(student, ref, grads, 0.5, what=f"{CLIP}(grads, 0.5)")
    if not isinstance(norm, float):
        fail(mistakes.NORM_NOT_FLOAT.format(f=CLIP, kind=type(norm).__name__))


@check(points=1, visibility=HIDDEN, target=CLIP,
       ko="clip_grad_norm: max_norm <= 0이면 ValueError")
def test_clip_rejects_bad_max_norm(student, rng):
    """clip_grad_norm raises ValueError for max_norm <= 0"""
    grads = _grads(rng, (2, 2))
    for max_norm in (0.0, -1.0):
        expect_raises("ValueError", student.call, CLIP, grads, max_norm, what=f"{CLIP}(grads, {max_norm!r})")


@check(points=1, visibility=HIDDEN, target=CLIP,
       ko="clip_grad_norm: 텐서 하나와 정수 max_norm")
def test_clip_single_tensor(student, ref, rng, mistakes):
    """clip_grad_norm with a single tensor and an int max_norm"""
    mistakes.expect_clip(student, ref, _grads(rng, (3, 4), scale=2.0), 2, what=f"{CLIP}([g], 2)")


@check(points=1, visibility=HIDDEN, target=CLIP,
       ko="clip_grad_norm: 잘린 복사본을 반환하고 호출한 쪽의 그래디언트는 그대로 둠")
def test_clip_returns_copies(student, ref, rng, mistakes):
    """clip_grad_norm returns clipped copies and leaves the caller's gradients unchanged"""
    grads = _grads(rng, (3, 2), (4,), scale=2.0)
    # The gradients live in the sandbox, so their values can be read back after the call.
    handles = [student.tensor(g) for g in grads]
    mistakes.expect_clip(student, ref, grads, 1.0, what=f"{CLIP}(grads, 1.0)", sent=handles)
    after = [h.value() for h in handles]
    for i, (before, now) in enumerate(zip(grads, after)):
        if not torch.equal(before, now):
            fail(T("{f} changed grads[{i}] in place: ", "{f}이(가) grads[{i}]를 제자리(in place)에서 바꿨습니다: ").format(
                f=CLIP, i=i) + mistakes.mutation_hint(grads, after, 1.0))
