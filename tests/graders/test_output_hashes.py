"""Wrong outputs hashed to the tolerance (graders/outputs.py): equal for outputs that agree to the
check's tolerance, different beyond it, bounded, deterministic, and never shown to a student."""
import json
import subprocess
import sys
import time

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from graders import outputs
from graders.checks import CheckFailure, expect_close, expect_equal, expect_scalar, expect_tensor
from graders.cli import format_result
from graders.contracts import CheckResult
from graders.outputs import GRID, fingerprint, units
from tests.conftest import REPO, TOY

SOLUTION = (TOY / "solution" / "toy.py").read_text()
RIGHT_SOFTMAX = ("def softmax_rows(x):\n    e = torch.exp(x - x.max(dim=-1, keepdim=True).values)\n"
                 "    return e / e.sum(dim=-1, keepdim=True)")
# The classic mistake: normalising over the wrong axis, written three ways.
WRONG_AXIS = SOLUTION.replace(RIGHT_SOFTMAX, (
    "def softmax_rows(x):\n    e = torch.exp(x - x.max(dim=-2, keepdim=True).values)\n"
    "    return e / e.sum(dim=-2, keepdim=True)"))
WRONG_AXIS_RENAMED = SOLUTION.replace(RIGHT_SOFTMAX, (
    "def softmax_rows(scores):\n    top = scores.max(dim=-2, keepdim=True).values\n    w = torch.exp(scores - top)\n"
    "    total = w.sum(dim=-2, keepdim=True)\n    return w / total"))
WRONG_AXIS_BY_HAND = SOLUTION.replace(RIGHT_SOFTMAX, (   # other operations, other float rounding
    "def softmax_rows(x):\n    e = torch.exp(x - x.max())\n    return e / e.sum(dim=-2, keepdim=True)"))
NO_SHIFT_TIMES_TWO = SOLUTION.replace(RIGHT_SOFTMAX, (  # another mistake on the same check
    "def softmax_rows(x):\n    e = torch.exp(2 * x)\n    return e / e.sum(dim=-1, keepdim=True)"))
ATOL, RTOL = 1e-5, 1e-4


def hashes_of(result, number):
    test = next(t for t in result.tests if t.number == number)
    return test.to_json()["extra_data"].get("output_hashes", [])


def same(a, b):
    """Two hashed outputs are the same when either grid's hash matches."""
    return a["hash"] == b["hash"] or a["alt"] == b["alt"]


# --------------------------------------------------------------------------- through the engine

@pytest.fixture(scope="module")
def graded(engine):
    from graders.contracts import Job
    cache = {}

    def grade(source):
        if source not in cache:
            cache[source] = engine.grade(Job(assignment_dir=str(TOY), filename="toy.py", content=source.encode()))
        return cache[source]
    return grade


def test_a_copy_with_renamed_variables_has_the_same_wrong_output_hash(graded):
    first, copy = hashes_of(graded(WRONG_AXIS), "2.2"), hashes_of(graded(WRONG_AXIS_RENAMED), "2.2")
    assert len(first) == 1 and first[0]["what"] == "softmax"
    assert first == copy                          # the same operations: the very same hashes
    assert len(first[0]["hash"]) == 16 and int(first[0]["hash"], 16) >= 0


def test_the_same_function_computed_differently_keeps_the_hash_within_float_noise(graded):
    mine, theirs = graded(WRONG_AXIS), graded(WRONG_AXIS_BY_HAND)
    assert next(t for t in theirs.tests if t.number == "2.2").status == "failed"
    assert same(hashes_of(mine, "2.2")[0], hashes_of(theirs, "2.2")[0])


def test_two_different_mistakes_have_different_hashes(graded):
    a, b = hashes_of(graded(WRONG_AXIS), "2.2")[0], hashes_of(graded(NO_SHIFT_TIMES_TWO), "2.2")[0]
    assert not same(a, b)


def test_a_correct_submission_and_passed_checks_carry_no_hash(graded):
    right = graded(SOLUTION)
    assert all("output_hashes" not in t.to_json()["extra_data"] for t in right.tests)
    wrong = graded(WRONG_AXIS)
    assert [t.number for t in wrong.tests if t.output_hashes] == ["2.2"]
    assert all("output_hashes" not in t.to_json()["extra_data"] for t in wrong.tests if t.status == "passed")


def test_a_check_that_fails_on_shape_or_type_hashes_what_came_back(graded):
    transposed = graded(SOLUTION.replace("    return e / e.sum(dim=-1, keepdim=True)",
                                         "    return (e / e.sum(dim=-1, keepdim=True)).transpose(-1, -2)"))
    nothing = graded(SOLUTION.replace("    return e / e.sum(dim=-1, keepdim=True)", "    return None"))
    a, b = hashes_of(transposed, "2.2"), hashes_of(nothing, "2.2")
    assert len(a) == len(b) == 1 and not same(a[0], b[0])


def test_the_student_never_sees_the_hashes(graded, tmp_path):
    """Not in the terminal report, not in `graders grade --json`; the site shows checks field by field."""
    result = graded(WRONG_AXIS)
    digest = hashes_of(result, "2.2")[0]["hash"]
    assert digest not in format_result(result, "toy", "en") and digest not in format_result(result, "toy", "ko")
    assert "output_hashes" not in json.dumps(result.to_json(output_hashes=False))
    assert digest in json.dumps(result.to_json())       # what a worker stores: staff data
    student = tmp_path / "toy.py"
    student.write_text(WRONG_AXIS)
    proc = subprocess.run([sys.executable, "-m", "graders", "grade", str(TOY), str(student), "--json"],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["score"] < data["max_score"] and "output_hashes" not in proc.stdout


# --------------------------------------------------------------------------- the helpers

def collected(*calls):
    """Run each call inside one check's collection; return what it recorded."""
    with outputs.collecting() as found:
        for call in calls:
            try:
                call()
            except CheckFailure:
                pass
    return found


def test_every_comparison_helper_records_its_failure_in_order_and_only_failures():
    x = torch.arange(6.0).reshape(2, 3)
    found = collected(
        lambda: expect_close(x, x, what="passes"),
        lambda: expect_close(x + 1, x, what="close"),
        lambda: expect_close(x[0], x, what="shape"),
        lambda: expect_tensor([1, 2], what="tensor"),
        lambda: expect_equal(torch.tensor([1, 2]), torch.tensor([1, 3]), what="equal"),
        lambda: expect_equal({"a": [1, 2.5]}, {"a": [1, 2]}, what="plain"),
        lambda: expect_scalar(torch.tensor(0.5), 0.7, what="scalar"),
        lambda: expect_scalar(0.5, 0.5, what="scalar passes"))
    assert [f["what"] for f in found] == ["close", "shape", "tensor", "equal", "plain", "scalar"]
    # A one-element tensor and the number it holds are one answer to expect_scalar.
    assert collected(lambda: expect_scalar(0.5, 0.7, what="scalar"))[0]["hash"] == found[-1]["hash"]


def test_outside_a_check_nothing_is_recorded_and_a_check_keeps_at_most_eight():
    outputs.record(torch.ones(3), what="stray", atol=ATOL, rtol=RTOL)          # no check running: no-op
    found = collected(*[lambda i=i: expect_close(torch.full((3,), float(i)), torch.zeros(3) - 1, what=f"v{i}")
                        for i in range(20)])
    assert [f["what"] for f in found] == [f"v{i}" for i in range(8)]
    result = CheckResult("c", 0.0, 1.0, "failed", "x", "visible", output_hashes=tuple(found) * 3
                         + ({"what": "forged", "hash": "not hex", "alt": "0" * 16},))
    assert len(result.output_hashes) == 8
    bad = CheckResult("c", 0.0, 1.0, "failed", "x", "visible", output_hashes=({"what": "w" * 5000, "hash": "A" * 16,
                                                                                 "alt": "0" * 16}, 7))
    assert bad.output_hashes == ()


def test_the_what_of_a_bilingual_name_is_its_english_text():
    from graders.i18n import T
    found = collected(lambda: expect_close(torch.ones(2), torch.zeros(2), what=T("weights", "가중치")))
    assert found[0]["what"] == "weights" and type(found[0]["what"]) is str


# --------------------------------------------------------------------------- the fingerprint itself

def fp(value, atol=ATOL, rtol=RTOL):
    return fingerprint(value, atol=atol, rtol=rtol)


def test_special_values_dtype_and_shape():
    x = torch.tensor([0.0, 1.0, 2.0])
    assert fp(torch.tensor([-0.0, 1.0, 2.0])) == fp(x)
    assert fp(torch.tensor([float("nan"), 1.0, 2.0])) != fp(x)
    assert fp(torch.tensor([float("inf"), 1.0, 2.0])) != fp(torch.tensor([-float("inf"), 1.0, 2.0]))
    assert fp(torch.tensor([float("nan"), 1.0, 2.0])) == fp(torch.tensor([float("nan"), 1.0, 2.0]))
    assert fp(x.double()) != fp(x) and fp(x.reshape(3, 1)) != fp(x) and fp(x.long()) != fp(x)
    wide = torch.arange(12.0).reshape(3, 4)
    assert fp(wide.t()) == fp(wide.t().contiguous()) and fp(wide.t()) != fp(wide.reshape(4, 3))
    assert fp(torch.tensor([1 + 2j])) != fp(torch.tensor([1 + 3j]))
    assert fp(torch.tensor([True, False])) != fp(torch.tensor([True, True]))
    assert fp(float("inf")) != fp(float("-inf")) and fp(0.5) != fp(0.75) and fp(3) != fp(3.0)
    next_up = torch.nextafter(torch.tensor(2.0), torch.tensor(3.0)).item()
    assert fp(x, 0, 0) != fp(torch.tensor([0.0, 1.0, next_up]), 0, 0)     # exact comparisons: exact hashes
    assert fp(torch.tensor([1e38, -1e38, 3e-45])) == fp(torch.tensor([1e38, -1e38, 3e-45]))   # no overflow


def test_values_that_are_no_data_hash_by_kind_and_plain_data_exactly():
    from graders.sandbox.protocol import Foreign
    assert fp(None) != fp([None]) and fp("abc") != fp("abd") and fp((1, 2)) != fp([1, 2])
    assert fp({"a": 1, "b": [2.0, -0.0]}) == fp({"a": 1, "b": [2.0, 0.0]})
    assert fp(Foreign("Generator", "")) != fp(Foreign("Tensor", "meta"))
    huge = list(range(200_000))
    t0 = time.perf_counter()
    assert fp(huge) != fp([-1] + huge[1:])
    assert fp(huge) == fp(huge[:-1] + [0])             # bounded: items past the first 256 are not read
    assert time.perf_counter() - t0 < 0.5


def test_deterministic_across_processes():
    code = ("import torch; from graders.outputs import fingerprint; g = torch.Generator().manual_seed(3);"
            "print(*fingerprint(torch.randn(2, 2, 33, 300, generator=g), atol=1e-5, rtol=1e-4))")
    runs = {subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                           timeout=120, env={"PYTHONHASHSEED": str(seed), "PATH": "/usr/bin:/bin"}).stdout
            for seed in (1, 2)}
    here = " ".join(fp(torch.randn(2, 2, 33, 300, generator=torch.Generator().manual_seed(3)))) + "\n"
    assert runs == {here}


def test_cost_on_the_attention_assignments_largest_tensors():
    """The largest values the attention checks compare: weights (2, 2, 33, 300) and MHA outputs;
    the figure is printed for the record (pytest -s)."""
    g = torch.Generator().manual_seed(0)
    weights, big = torch.randn(2, 2, 33, 300, generator=g), torch.randn(16 << 20, generator=g)
    timings = {}
    for name, value in (("weights (2, 2, 33, 300)", weights), ("16M floats (a full reply)", big)):
        fp(value)
        t0 = time.perf_counter()
        for _ in range(20):
            fp(value)
        timings[name] = (time.perf_counter() - t0) / 20 * 1000
    print({k: f"{v:.3f} ms" for k, v in timings.items()})
    assert timings["weights (2, 2, 33, 300)"] < 5 and timings["16M floats (a full reply)"] < 50


# --------------------------------------------------------------------------- tolerance properties

def cells(x, offset):
    t = units(np.asarray(x, dtype=np.float64), ATOL, RTOL)
    return np.floor(t / GRID + offset)


def straddles(x, y, offset):
    """Some element of x and y lie in different cells of one grid."""
    return bool((cells(x, offset) != cells(y, offset)).any())


values = st.lists(st.floats(-1e3, 1e3, allow_nan=False, allow_subnormal=False), min_size=1, max_size=200)


@settings(max_examples=300, deadline=None)
@given(values, st.integers(0, 2 ** 32 - 1), st.floats(1e-9, 1e-6))
def test_noise_below_the_tolerance_changes_a_hash_only_across_a_boundary_of_its_grid(xs, seed, scale):
    x = torch.tensor(xs, dtype=torch.float64)
    noise = torch.randn(x.shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    y = x + noise * scale * (1 + x.abs())             # well below atol + rtol * |x|
    (h, alt), (h2, alt2) = fp(x), fp(y)
    assert (h == h2) == (not straddles(x, y, 0.0))
    assert (alt == alt2) == (not straddles(x, y, 0.5))


@settings(max_examples=300, deadline=None)
@given(values, st.data())
def test_a_change_beyond_a_cell_changes_both_hashes(xs, data):
    x = np.array(xs, dtype=np.float64)
    i = data.draw(st.integers(0, len(xs) - 1))
    step = data.draw(st.floats(1.05, 100)) * GRID * (ATOL + RTOL * (abs(x[i]) + 200))
    y = x.copy()
    y[i] += step * data.draw(st.sampled_from([-1, 1]))
    assume(abs(units(y[i:i + 1], ATOL, RTOL)[0] - units(x[i:i + 1], ATOL, RTOL)[0]) > GRID)
    a, b = fp(torch.tensor(x)), fp(torch.tensor(y))
    assert a[0] != b[0] and a[1] != b[1]


def test_float_noise_of_real_recomputations_rarely_loses_both_grids():
    """The rate at which two float32 computations of one function (different operation orders)
    match on neither grid, over 400 attention-sized cases: measured, and kept under 1%."""
    g = torch.Generator().manual_seed(1)
    misses = either = 0
    for _ in range(400):
        s = torch.randn(2, 2, 9, 13, generator=g) * 3
        a = torch.softmax(s, dim=-2)                                      # the wrong axis, by library
        e = torch.exp(s.double() - s.double().amax(dim=(-1, -2), keepdim=True))
        b = (e / e.sum(dim=-2, keepdim=True)).float()                     # the same, by hand, via float64
        (h, alt), (h2, alt2) = fp(a), fp(b)
        misses += h != h2 and alt != alt2
        either += (h != h2) + (alt != alt2)
    print(f"both grids missed in {misses}/400 cases; one grid in {either}/800")
    assert misses <= 4


@pytest.mark.slow
def test_attention_a_disguised_copy_returns_the_same_wrong_tensors_and_other_mistakes_do_not(engine):
    """On the attention assignment's hidden checks: a copy with renamed locals, reordered functions
    and another layout has the original's hashes; two different scaling mistakes share none."""
    from graders.contracts import Job
    from tests.web.insight.synthetic import disguise
    corpus = REPO / "tests" / "content" / "attention"

    def hashed(source):
        result = engine.grade(Job(assignment_dir=str(REPO / "assignments" / "attention"), filename="attention.py",
                                  content=source.encode()))
        return {(t.number, h["what"]): h for t in result.tests for h in t.output_hashes}
    original = hashed((corpus / "no_scale.py").read_text())
    assert len(original) >= 5
    assert hashed(disguise((corpus / "no_scale.py").read_text(), seed=3)) == original
    other = hashed((corpus / "scale_by_d_v.py").read_text())
    both = original.keys() & other.keys()            # the same values compared, on the same inputs
    assert both and not any(same(original[k], other[k]) for k in both)


def test_values_the_sandbox_could_not_send_are_named_in_code_not_english():
    from graders.checks import _foreign_name
    assert _foreign_name("int", "an integer of 70 bits") == "int (bit_length=70)"
    assert _foreign_name("mod.MyTensor", "tensor subclass") == "class mod.MyTensor(torch.Tensor)"
    assert _foreign_name("too deeply nested", "") == "[[[[…]]]]"
    assert _foreign_name("socket.socket", "") == "socket.socket"
