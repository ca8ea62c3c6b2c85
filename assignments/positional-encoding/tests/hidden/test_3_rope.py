"""apply_rope: leading batch dimensions, 2-D input, a non-default base, d=2, odd d, no mutation.

Sequences stay at T <= 20: a float32 angle p * w carries about p * 1e-7 of rounding, and the
default tolerance (atol=1e-5, rtol=1e-4) must hold for every correct float32 implementation.
"""
import torch

from graders.checks import check, expect_close, expect_raises
from graders.i18n import T

HIDDEN = "after_due_date"


def expect_rope(student, ref, mistakes, x, *args, **kwargs):
    base = kwargs.get("base", args[0] if args else 10000.0)
    shown = T(", ", ", ").join([T("x of shape {s}", "형태가 {s}인 x").format(s=tuple(x.shape))]
                               + [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()])
    expect_close(student.call("apply_rope", x, *args, **kwargs), ref.apply_rope(x.double(), base=base),
                 what="apply_rope(" + shown + ")", mistakes=mistakes.rope(x, base))


@check(points=2, visibility=HIDDEN, target="apply_rope",
       ko="RoPE: (B, H, T, d) 입력과 5차원 입력")
def test_leading_dims(student, ref, rng, mistakes):
    """RoPE on (B, H, T, d) and 5-D inputs"""
    for shape in ((2, 3, 11, 16), (2, 1, 2, 7, 8)):
        expect_rope(student, ref, mistakes, torch.randn(*shape, generator=rng))


@check(points=1, visibility=HIDDEN, target="apply_rope",
       ko="RoPE: d=128인 2차원 (T, d) 입력")
def test_two_dims_wide(student, ref, rng, mistakes):
    """RoPE on a 2-D (T, d) input with d=128"""
    expect_rope(student, ref, mistakes, torch.randn(20, 128, generator=rng))


@check(points=1, visibility=HIDDEN, target="apply_rope",
       ko="RoPE: d=2인 입력")
def test_single_pair(student, ref, rng, mistakes):
    """RoPE with d=2"""
    expect_rope(student, ref, mistakes, torch.randn(3, 17, 2, generator=rng))


@check(points=2, visibility=HIDDEN, target="apply_rope",
       ko="RoPE: 기본값이 아닌 base (키워드 인자와 위치 인자)")
def test_custom_base(student, ref, rng, mistakes):
    """RoPE with a non-default base, by keyword and by position"""
    expect_rope(student, ref, mistakes, torch.randn(2, 9, 16, generator=rng), base=500000.0)
    expect_rope(student, ref, mistakes, torch.randn(3, 6, 8, generator=rng), 500.0)


@check(points=1, visibility=HIDDEN, target="apply_rope",
       ko="RoPE: 마지막 차원이 홀수면 ValueError")
def test_odd_dim(student, rng):
    """RoPE raises ValueError for an odd last dimension"""
    for shape in ((4, 7), (2, 3, 1)):
        expect_raises("ValueError", student.call, "apply_rope", torch.randn(*shape, generator=rng),
                      what=T("apply_rope(x of shape {s})", "apply_rope(형태가 {s}인 x)").format(s=shape))


@check(points=1, visibility=HIDDEN, target="apply_rope",
       ko="RoPE: x를 제자리(in place)에서 바꾸지 않음")
def test_input_untouched(student, rng):
    """RoPE does not modify x in place"""
    student.call("apply_rope", torch.randn(2, 4, 8, generator=rng), check_inputs=True)
