"""A hostile submission costs seconds: timed-out targets fail at once, limits are per check and per target."""
import shutil
import time

import pytest

from graders.assignment import AssignmentError, load_assignment
from graders.contracts import Job
from tests.conftest import TOY

SOLUTION = (TOY / "solution" / "toy.py").read_text()
LOOP = SOLUTION.replace("def double(x):\n    return x * 2",
                        "def double(x):\n    while True:\n        pass")
SLOW = "import time\n" + SOLUTION.replace("def double(x):\n    return x * 2",
                                          "def double(x):\n    time.sleep({pause})\n    return x * 2")


def by_number(result):
    return {t.number: t for t in result.tests}


@pytest.fixture
def toy_copy(tmp_path):
    """The toy assignment in a folder of its own, to give it a limits.toml."""
    folder = tmp_path / "toy"
    shutil.copytree(TOY, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def _grade(engine, folder, source):
    return engine.grade(Job(assignment_dir=str(folder), filename="toy.py", content=source.encode()))


def test_a_timed_out_target_fails_its_later_checks_at_once_with_the_same_message(grade_toy):
    result = grade_toy(LOOP)
    checks = by_number(result)
    first, later = checks["1.1"], checks["2.1"]          # both grade `double`
    assert first.output == "timed out after 2 s in double"
    assert later.output == first.output and later.score == 0
    assert later.duration < 0.5                          # no new call, no new 2 s wait
    assert result.sandbox["timed_out"] == ["double"]
    assert result.score == 6                             # the other targets still ran and passed


def test_measured_call_limits_apply_to_their_check_only(engine, toy_copy):
    (toy_copy / "limits.toml").write_text('[calls]\n"public/test_double.py::test_double_small" = 0.5\n')
    result = _grade(engine, toy_copy, SLOW.format(pause=0.9))
    checks = by_number(result)
    assert checks["1.1"].output == "timed out after 0.5 s in double"
    # The timeout is recorded for the target, so double's other check fails the same way at once.
    assert checks["2.1"].output == checks["1.1"].output


def test_the_default_limit_still_applies_to_checks_limits_toml_does_not_name(engine, toy_copy):
    (toy_copy / "limits.toml").write_text('[calls]\n"hidden/test_more.py::test_softmax" = 0.3\n')
    result = _grade(engine, toy_copy, SLOW.format(pause=0.6))
    assert result.score == result.max_score == 10        # double's checks keep call_seconds = 2


def test_a_target_that_spends_its_budget_leaves_the_others_their_time(engine, toy_copy):
    (toy_copy / "limits.toml").write_text("[targets]\ndouble = 1.0\n")
    t0 = time.monotonic()
    result = _grade(engine, toy_copy, SLOW.format(pause=0.7))
    checks = by_number(result)
    assert checks["1.1"].status == "passed"              # 0.7 s of double's 1 s
    assert "`double` used up its time budget of 1 s" in checks["2.1"].output
    assert all(checks[n].status == "passed" for n in ("2.2", "2.3", "2.4"))
    assert time.monotonic() - t0 < 2 + 1.5               # never the 2 s call limit on top of the budget


def test_the_slowest_call_of_each_check_is_reported(grade_toy):
    result = grade_toy(SOLUTION)
    slowest = result.sandbox["slowest_call_s"]
    assert set(slowest) == {"public/test_double.py::test_double_small", "hidden/test_more.py::test_double_keeps_input",
                            "hidden/test_more.py::test_softmax", "hidden/test_more.py::test_double_sum",
                            "hidden/test_more.py::test_scale_module"}
    assert all(0 < s < 2 for s in slowest.values())


@pytest.mark.parametrize("text", ['[calls]\n"public/test_double.py::test_double_small" = 0\n',
                                  "[targets]\ndouble = 'fast'\n", "calls = 3\n", "[calls\n"])
def test_a_malformed_limits_toml_is_the_authors_error(toy_copy, text):
    (toy_copy / "limits.toml").write_text(text)
    with pytest.raises(AssignmentError, match="limits.toml"):
        load_assignment(toy_copy)


# ------------------------------------------------------------------ memory: like a timeout

HOARD = SOLUTION.replace("def double(x):\n    return x * 2",
                         "def double(x):\n    hoard = []\n    while True:\n"
                         "        hoard.append(bytearray(64 << 20))")


def test_a_target_that_ran_out_of_memory_fails_its_later_checks_at_once(grade_toy):
    result = grade_toy(HOARD)
    checks = by_number(result)
    first, later = checks["1.1"], checks["2.1"]          # both grade `double`
    assert "ran out of memory" in str(first.output)
    assert later.output == first.output and later.score == 0
    assert later.duration < 0.5                          # no second gigabyte
    assert result.sandbox["timed_out"] == ["double"]
    assert result.score == 6                             # the same score as the infinite loop's
