"""Fixtures shared by every test folder: one warm grading engine per test session."""
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TOY = REPO / "tests" / "graders" / "toy"


@pytest.fixture(scope="session")
def engine():
    from graders.engine import Engine
    with Engine() as eng:
        yield eng


@pytest.fixture
def grade_toy(engine):
    """Grade source text (or bytes) as the toy assignment's toy.py."""
    from graders.contracts import Job

    def grade(source, *, filename="toy.py", public_only=False):
        content = source.encode() if isinstance(source, str) else source
        return engine.grade(Job(assignment_dir=str(TOY), filename=filename, content=content,
                                public_only=public_only))
    return grade

# The toy assignment's check files are named test_*.py like nbgrader's; they are checks the
# engine loads, not pytest tests.
collect_ignore = ["graders/toy", "graders/toy_untranslated"]
