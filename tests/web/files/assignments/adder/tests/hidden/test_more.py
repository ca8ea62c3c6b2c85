from graders.checks import check, expect_equal


@check(points=2, visibility="after_due_date", target="add")
def test_negative_numbers(student, ref):
    """add: negative integers"""
    expect_equal(student.call("add", -5, 3), ref.add(-5, 3), what="add(-5, 3)")


@check(points=1, visibility="hidden", target="add")
def test_large_numbers(student, ref):
    """add: large integers"""
    expect_equal(student.call("add", 10**12, 1), ref.add(10**12, 1), what="add(10**12, 1)")


@check(points=1, visibility="after_published", target="add")
def test_floats(student, ref):
    """add: floats"""
    expect_equal(student.call("add", 0.5, 0.25), ref.add(0.5, 0.25), what="add(0.5, 0.25)")
