import torch

from graders.checks import check, expect_close
from graders.i18n import Mistake

UNCHANGED = Mistake("toy/returned-input", "you returned x unchanged", "x를 그대로 반환했습니다")


@check(points=2, visibility="visible", target="double",
       ko="double: 작은 입력")
def test_double_small(student, ref, rng):
    """double: small input"""
    x = torch.randn(3, 4, generator=rng)
    expect_close(student.call("double", x), ref.double(x), what="double(x)",
                 mistakes={UNCHANGED: x})
