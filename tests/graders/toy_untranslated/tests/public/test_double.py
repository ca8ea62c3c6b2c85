import torch

from graders.checks import check, expect_close, fail


@check(points=2, visibility="visible", target="double")
def test_double_english_only(student, ref, rng):
    """double: a check without a Korean name"""
    x = torch.randn(3, generator=rng)
    expect_close(student.call("double", x), ref.double(x), what="double(x)",
                 mistakes={"you returned x unchanged": x})


@check(points=2, visibility="visible", target="double", ko="double: 한국어 이름은 있지만 메시지가 영어")
def test_double_message(student, ref, rng):
    """double: a check with an English-only message"""
    got = student.call("double", torch.ones(2))
    if not torch.equal(got, torch.full((2,), 2.0)):
        fail(f"double(ones) returned {got}")
