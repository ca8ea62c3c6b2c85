from graders.checks import check, expect_equal


@check(points=2, visibility="visible", target="add")
def test_small_numbers(student, ref):
    """add: small integers"""
    expect_equal(student.call("add", 1, 2), ref.add(1, 2), what="add(1, 2)")
