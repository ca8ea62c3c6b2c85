import torch

from graders.checks import check, expect_close


@check(points=2, visibility="visible", target="double")
def test_double_small(student, ref, rng):
    """double: small input"""
    x = torch.randn(3, 4, generator=rng)
    expect_close(student.call("double", x), ref.double(x), what="double(x)",
                 mistakes={"you returned x unchanged": x})
