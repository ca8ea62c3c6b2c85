"""Grading a submission end to end on the toy assignment: every fault is a result."""
import json

import nbformat
import pytest

from tests.conftest import TOY

SOLUTION = (TOY / "solution" / "toy.py").read_text()


def by_name(result):
    return {t.name.split(":")[0] + ":" + t.name.split(":")[1] if ":" in t.name else t.name: t for t in result.tests}


def scores(result):
    return {t.number: t.score for t in result.tests}


def test_solution_earns_full_marks_and_starter_zero(grade_toy):
    full = grade_toy(SOLUTION)
    assert full.gradable and full.score == full.max_score == 10
    starter = grade_toy((TOY / "starter" / "toy.py").read_text())
    assert starter.score == 0 and all("NotImplementedError" in t.output for t in starter.tests)


def test_syntax_error_names_file_and_line_and_fails_every_check(grade_toy):
    result = grade_toy("import torch\n\ndef double(x)\n    return x * 2\n")
    assert result.score == 0 and len(result.tests) == 5
    assert all("toy.py, line 3" in t.output for t in result.tests)


def test_import_error_fails_every_check_with_its_message(grade_toy):
    result = grade_toy("import torch\nimport no_such_module_here\n" + SOLUTION)
    assert result.score == 0
    assert all("No module named 'no_such_module_here'" in t.output for t in result.tests)


def test_exception_traceback_shows_only_the_students_frames(grade_toy):
    source = SOLUTION.replace("    return x * 2", "    return helper(x)\n\ndef helper(x):\n    return x @ x.T @ 1")
    result = grade_toy(source)
    out = result.tests[0].output
    assert "double raised" in out and 'File "toy.py"' in out and "in helper" in out
    assert "graders" not in out and "site-packages" not in out


def test_one_hanging_function_costs_only_its_checks(grade_toy):
    source = SOLUTION.replace("def softmax_rows(x):\n", "def softmax_rows(x):\n    while True:\n        pass\n")
    result = grade_toy(source)
    timed_out = [t for t in result.tests if "timed out" in t.output]
    assert [t.number for t in timed_out] == ["2.2"]
    assert "timed out after 2 s in softmax_rows" in timed_out[0].output
    assert result.score == 8 and result.sandbox["restarts"] >= 1


def test_banned_api_costs_its_target_only(grade_toy):
    source = SOLUTION.replace(
        "def softmax_rows(x):\n    e = torch.exp(x - x.max(dim=-1, keepdim=True).values)\n    return e / e.sum(dim=-1, keepdim=True)",
        "def softmax_rows(x):\n    return F.softmax(x, dim=-1)").replace("import torch", "import torch\nfrom torch.nn import functional as F")
    result = grade_toy(source)
    check = next(t for t in result.tests if t.number == "2.2")
    assert check.score == 0 and "torch.nn.functional.softmax" in check.output and "line" in check.output
    assert result.score == 8


def test_mutating_an_input_is_caught(grade_toy):
    result = grade_toy(SOLUTION.replace("    return x * 2", "    return x.mul_(2)"))
    check = next(t for t in result.tests if t.number == "2.1")
    assert check.score == 0 and "changed its argument `x` in place" in check.output


def test_known_mistake_is_named(grade_toy):
    result = grade_toy(SOLUTION.replace("keepdim=True)\n\n\ndef double_sum", "keepdim=True)\n\n\ndef double_sum")
                       .replace("dim=-1, keepdim=True).values", "dim=-2, keepdim=True).values")
                       .replace("e / e.sum(dim=-1, keepdim=True)", "e / e.sum(dim=-2, keepdim=True)"))
    check = next(t for t in result.tests if t.number == "2.2")
    assert check.score == 0 and "wrong axis (dim=-2)" in check.output
    assert "largest error" in check.output


def test_wrong_return_type_and_shape_are_explained(grade_toy):
    result = grade_toy(SOLUTION.replace("    return x * 2", "    return (x * 2).tolist()"))
    assert "expected a torch.Tensor, got list" in result.tests[0].output
    result = grade_toy(SOLUTION.replace("    return x * 2", "    return (x * 2).T"))
    assert "expected shape (3, 4), got (4, 3)" in result.tests[0].output


def test_nan_output_is_reported_as_nan(grade_toy):
    result = grade_toy(SOLUTION.replace("    return x * 2", "    return x * float('nan')"))
    assert "contains 12 NaN of 12 values" in result.tests[0].output


@pytest.mark.parametrize("content, filename, message", [
    (b"", "toy.py", "empty"),
    (b"\xff\xfe\x00x = 1", "toy.py", "NUL"),
    (b"x = '\xe9'\n", "toy.py", "not UTF-8"),
    (b"x = 1\n", "toy.txt", "Expected toy.py"),
    (b"{not json", "toy.ipynb", "notebook could not be read"),
])
def test_unusable_uploads_are_ungradable_not_zero(grade_toy, content, filename, message):
    result = grade_toy(content, filename=filename)
    assert not result.gradable and result.tests == () and message in result.format_errors[0]
    assert result.max_score == 10


def test_notebook_code_cells_are_graded_without_test_cells_or_magics(grade_toy):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Toy"), nbformat.v4.new_code_cell("%matplotlib inline\n!pip list"),
                nbformat.v4.new_code_cell(SOLUTION),
                nbformat.v4.new_code_cell("assert False, 'an nbgrader test cell must not run'")]
    nb.cells[3].metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": "t1", "points": 1}
    result = grade_toy(nbformat.writes(nb).encode(), filename="homework.ipynb")
    assert result.score == 10 and "notebook" in result.output


def test_other_py_name_is_graded_as_the_contract_file(grade_toy):
    result = grade_toy(SOLUTION, filename="my_toy.py")
    assert result.score == 10 and "graded as toy.py" in result.output


def test_public_only_runs_public_checks(grade_toy):
    result = grade_toy(SOLUTION, public_only=True)
    assert [t.visibility for t in result.tests] == ["visible"]


def test_results_are_reproducible_and_record_versions(grade_toy):
    a, b = grade_toy(SOLUTION.replace("x * 2", "x * 2.0000001 + torch.randn_like(x) * 1e-3")), \
        grade_toy(SOLUTION.replace("x * 2", "x * 2.0000001 + torch.randn_like(x) * 1e-3"))
    assert [t.output for t in a.tests] == [t.output for t in b.tests]
    assert a.submission_sha256 == b.submission_sha256 and len(a.assignment_hash) == 64
    assert a.engine_version


def test_result_json_has_gradescope_shape(grade_toy):
    data = json.loads(json.dumps(grade_toy(SOLUTION).to_json()))
    assert {"score", "max_score", "execution_time", "output", "tests"} <= set(data)
    for t in data["tests"]:
        assert {"name", "score", "max_score", "status", "output", "visibility", "tags"} <= set(t)
        assert t["visibility"] in ("hidden", "after_due_date", "after_published", "visible")
    assert {t["visibility"] for t in data["tests"]} == {"visible", "after_due_date", "hidden", "after_published"}


def test_student_prints_are_kept_for_staff(grade_toy):
    result = grade_toy("print('hello from the module')\n" + SOLUTION)
    assert "hello from the module" in result.stdout


def test_diagnoses_match_nan_patterns_and_wrong_shapes():
    import torch

    from graders.checks import CheckFailure, expect_close
    expected = torch.tensor([[0.5, 0.5], [0.0, 0.0]])
    nan_variant = torch.tensor([[0.5, 0.5], [float("nan"), float("nan")]])
    with pytest.raises(CheckFailure, match="NaN on masked rows"):
        expect_close(nan_variant.clone(), expected, what="w", mistakes={"NaN on masked rows": nan_variant})
    averaged = torch.tensor([0.5, 0.5])
    with pytest.raises(CheckFailure, match=r"expected shape \(2, 2\), got \(2,\); averaged over heads"):
        expect_close(averaged, expected, what="w", mistakes={"averaged over heads": averaged})


def test_errors_only_code_generation_finds_still_fail_every_check(grade_toy):
    # The static stage only parses (code generation is not linear in the source); the sandbox's
    # own compile reports these, with the same file, line and text.
    result = grade_toy("import torch\nreturn 1\n" + SOLUTION)
    assert result.score == 0 and all("toy.py, line 2: 'return' outside function" in t.output for t in result.tests)
