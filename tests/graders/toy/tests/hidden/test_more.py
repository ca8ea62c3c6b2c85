import torch

from graders.checks import check, expect_close, expect_equal
from graders.i18n import Mistake

WRONG_AXIS = Mistake("toy/softmax-wrong-axis", "you normalised over the wrong axis (dim=-2)",
                     "잘못된 축(dim=-2)에 대해 정규화했습니다")


@check(points=2, visibility="after_due_date", target="double",
       ko="double: 입력을 바꾸지 않음")
def test_double_keeps_input(student, ref, rng):
    """double: does not change its input"""
    x = torch.randn(5, generator=rng)
    student.call("double", x, check_inputs=True)


@check(points=2, visibility="after_due_date", target="softmax_rows",
       ko="softmax_rows: 정답과 일치")
def test_softmax(student, ref, rng):
    """softmax_rows: matches the reference"""
    x = torch.randn(2, 3, 7, generator=rng) * 5
    expect_close(student.call("softmax_rows", x), ref.softmax_rows(x), what="softmax",
                 mistakes={WRONG_AXIS: torch.softmax(x, dim=-2)})


@check(points=2, visibility="hidden", target="double_sum",
       ko="double_sum: 직접 계산한 그래디언트")
def test_double_sum(student, ref, rng):
    """double_sum: gradient by hand"""
    x = torch.randn(4, generator=rng)
    expect_close(student.call("double_sum", x), ref.double_sum(x), what="gradient")


@check(points=2, visibility="after_published", target="Scale",
       ko="Scale: 가중치를 불러오고 forward가 곱함")
def test_scale_module(student, ref, rng):
    """Scale: weights load and forward scales"""
    m = student.new("Scale", 3)
    w = torch.tensor([1.0, -2.0, 0.5])
    m.load_state_dict({"weight": w})
    x = torch.randn(2, 3, generator=rng)
    expect_close(m(x), x * w, what="Scale(x)")
    expect_equal(m.structure()["parameters"], {"weight": [3]}, what="parameters")
