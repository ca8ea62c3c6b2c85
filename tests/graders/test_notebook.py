"""nbgrader authoring: a source notebook becomes a sound assignment whose tests run in the grader."""
import nbformat
import pytest

from graders.cli import main, soundness_problems
from graders.contracts import Job
from tests.graders.notebooks.make_source import source_notebook


@pytest.fixture
def imported(tmp_path):
    src = tmp_path / "softmax-source.ipynb"
    nbformat.write(source_notebook(), str(src))
    dest = tmp_path / "softmax"
    assert main(["import-notebook", str(src), str(dest), "--file", "softmax.py",
                 "--title-en", "Softmax", "--title-ko", "소프트맥스"]) == 0
    return dest


def released_with_answers(dest, softmax_body, apply_body="return x * self.k"):
    nb = nbformat.read(str(dest / "starter" / "softmax.ipynb"), as_version=4)
    for cell in nb.cells:
        if "def softmax" in cell.source:
            cell.source = f"def softmax(x):\n    {softmax_body}"
        elif "class Scaler" in cell.source:
            cell.source = (f"class Scaler:\n    def __init__(self, k):\n        self.k = k\n\n"
                           f"    def apply(self, x):\n        {apply_body}")
    return nbformat.writes(nb).encode()


def test_import_writes_a_sound_assignment(engine, imported):
    assert (imported / "starter" / "softmax.ipynb").is_file()
    released = (imported / "starter" / "softmax.ipynb").read_text()
    assert "BEGIN SOLUTION" not in released and "HIDDEN TESTS" not in released
    assert "torch.randn(4, 7) * 100" not in released          # hidden test inputs never ship
    assert soundness_problems(engine, str(imported)) == []


def test_a_correct_released_notebook_gets_full_marks(engine, imported):
    body = "e = torch.exp(x - x.max(-1, keepdim=True).values)\n    return e / e.sum(-1, keepdim=True)"
    result = engine.grade(Job(str(imported), "softmax.ipynb", released_with_answers(imported, body)))
    assert result.score == result.max_score == 5, [t.output for t in result.tests]
    assert {t.visibility for t in result.tests} == {"visible", "after_due_date"}


def test_an_unstable_softmax_fails_only_the_hidden_test(engine, imported):
    body = "return torch.exp(x) / torch.exp(x).sum(-1, keepdim=True)"
    result = engine.grade(Job(str(imported), "softmax.ipynb", released_with_answers(imported, body)))
    assert result.score == 2


def test_monkeypatching_the_harness_in_the_notebook_does_not_help(engine, imported):
    body = ("import torch as _t\n    _t.allclose = lambda *a, **k: True\n"
            "    return x")
    nb = released_with_answers(imported, body, apply_body="return x")
    result = engine.grade(Job(str(imported), "softmax.ipynb", nb))
    assert result.score == 0
