"""sinusoidal_encoding: tables of varied sizes against float64, and the ValueErrors of the contract."""
from graders.checks import check, expect_close, expect_raises

TABLE_ATOL = 1e-4      # the contract's tolerance against a float64 table
HIDDEN = "after_due_date"


def expect_table(student, ref, mistakes, max_len, d_model, *, by_keyword=False):
    if by_keyword:
        table = student.call("sinusoidal_encoding", max_len=max_len, d_model=d_model)
        what = f"sinusoidal_encoding(max_len={max_len}, d_model={d_model})"
    else:
        table = student.call("sinusoidal_encoding", max_len, d_model)
        what = f"sinusoidal_encoding({max_len}, {d_model})"
    # the reference is the float64 table rounded once to float32, 3e-8 from float64 at most
    expect_close(table, ref.sinusoidal_encoding(max_len, d_model).double(), what=what,
                 atol=TABLE_ATOL, mistakes=mistakes.sinusoidal(max_len, d_model))


@check(points=1, visibility=HIDDEN, target="sinusoidal_encoding",
       ko="사인파 인코딩: d_model=2인 표")
def test_single_pair(student, ref, mistakes):
    """Sinusoidal table with d_model=2"""
    expect_table(student, ref, mistakes, 33, 2)


@check(points=1, visibility=HIDDEN, target="sinusoidal_encoding",
       ko="사인파 인코딩: max_len=1인 표")
def test_single_position(student, ref, mistakes):
    """Sinusoidal table with max_len=1"""
    expect_table(student, ref, mistakes, 1, 6)


@check(points=1, visibility=HIDDEN, target="sinusoidal_encoding",
       ko="사인파 인코딩: 홀수 max_len, 키워드 인자")
def test_odd_length_by_keyword(student, ref, mistakes):
    """Sinusoidal table with an odd max_len, arguments by keyword"""
    expect_table(student, ref, mistakes, 37, 10, by_keyword=True)


@check(points=2, visibility=HIDDEN, target="sinusoidal_encoding",
       ko="사인파 인코딩: 위치 2048개의 표")
def test_long_table(student, ref, mistakes):
    """Sinusoidal table for 2048 positions"""
    # d_model stays small here: the float32 angle p * w drifts by ~1e-4 near p = 2000 when the
    # frequencies are near 1 for many columns, and the contract promises that float32 tables pass
    expect_table(student, ref, mistakes, 2048, 16)


@check(points=2, visibility=HIDDEN, target="sinusoidal_encoding",
       ko="사인파 인코딩: d_model=512인 표")
def test_wide_table(student, ref, mistakes):
    """Sinusoidal table with d_model=512"""
    expect_table(student, ref, mistakes, 257, 512)


@check(points=1, visibility=HIDDEN, target="sinusoidal_encoding",
       ko="사인파 인코딩: d_model=1과 d_model=63은 거부")
def test_odd_d_model(student):
    """Sinusoidal encoding rejects d_model=1 and d_model=63"""
    for d_model in (1, 63):
        expect_raises("ValueError", student.call, "sinusoidal_encoding", 5, d_model,
                      what=f"sinusoidal_encoding(5, {d_model})")


@check(points=1, visibility=HIDDEN, target="sinusoidal_encoding",
       ko="사인파 인코딩: d_model=0과 음수 d_model은 거부")
def test_non_positive_d_model(student):
    """Sinusoidal encoding rejects d_model=0 and a negative d_model"""
    for d_model in (0, -4):
        expect_raises("ValueError", student.call, "sinusoidal_encoding", 5, d_model,
                      what=f"sinusoidal_encoding(5, {d_model})")


@check(points=1, visibility=HIDDEN, target="sinusoidal_encoding",
       ko="사인파 인코딩: 정수가 아닌 d_model은 거부")
def test_non_integer_d_model(student):
    """Sinusoidal encoding rejects a non-integer d_model"""
    expect_raises("ValueError", student.call, "sinusoidal_encoding", 5, 8.5,
                  what="sinusoidal_encoding(5, 8.5)")


@check(points=1, visibility=HIDDEN, target="sinusoidal_encoding",
       ko="사인파 인코딩: max_len=0과 음수 max_len은 거부")
def test_bad_max_len(student):
    """Sinusoidal encoding rejects max_len=0 and a negative max_len"""
    for max_len in (0, -3):
        expect_raises("ValueError", student.call, "sinusoidal_encoding", max_len, 8,
                      what=f"sinusoidal_encoding({max_len}, 8)")
