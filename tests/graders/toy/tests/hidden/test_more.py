import torch

from graders.checks import check, expect_close, expect_equal


@check(points=2, visibility="after_due_date", target="double")
def test_double_keeps_input(student, ref, rng):
    """double: does not change its input"""
    x = torch.randn(5, generator=rng)
    student.call("double", x, check_inputs=True)


@check(points=2, visibility="after_due_date", target="softmax_rows")
def test_softmax(student, ref, rng):
    """softmax_rows: matches the reference"""
    x = torch.randn(2, 3, 7, generator=rng) * 5
    expect_close(student.call("softmax_rows", x), ref.softmax_rows(x), what="softmax",
                 mistakes={"you normalised over the wrong axis (dim=-2)": torch.softmax(x, dim=-2)})


@check(points=2, visibility="hidden", target="double_sum")
def test_double_sum(student, ref, rng):
    """double_sum: gradient by hand"""
    x = torch.randn(4, generator=rng)
    expect_close(student.call("double_sum", x), ref.double_sum(x), what="gradient")


@check(points=2, visibility="after_published", target="Scale")
def test_scale_module(student, ref, rng):
    """Scale: weights load and forward scales"""
    m = student.new("Scale", 3)
    w = torch.tensor([1.0, -2.0, 0.5])
    m.load_state_dict({"weight": w})
    x = torch.randn(2, 3, generator=rng)
    expect_close(m(x), x * w, what="Scale(x)")
    expect_equal(m.structure()["parameters"], {"weight": [3]}, what="parameters")
