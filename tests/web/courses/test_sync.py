import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from graders.assignment import load_assignment
from seqlab.courses.models import Assignment, AssignmentVersion
from seqlab.courses.selectors import questions_of
from seqlab.courses.services import assignment_sync, assignment_version_materialize
from tests.web.conftest import ADDER, MINI_QUIZ, MINI_WRITTEN

pytestmark = pytest.mark.django_db


def test_sync_is_idempotent_per_content_hash():
    first = assignment_sync(path=ADDER)
    again = assignment_sync(path=ADDER)
    assert first.created and not again.created
    assert again.version == first.version
    assert AssignmentVersion.objects.count() == 1


def test_sync_stores_checks_and_files_in_the_database():
    version = assignment_sync(path=ADDER).version
    assert [c["number"] for c in version.checks] == ["1.1", "2.1", "2.2", "2.3"]
    assert version.max_score == 6
    paths = set(version.files.values_list("path", flat=True))
    assert {"assignment.toml", "README.ko.md", "starter/adder.py", "tests/hidden/test_more.py"} <= paths


def test_changed_check_makes_a_new_version_and_says_so(tmp_path):
    folder = shutil.copytree(ADDER, tmp_path / "adder")
    assignment_sync(path=folder)
    hidden = folder / "tests" / "hidden" / "test_more.py"
    hidden.write_text(hidden.read_text().replace("points=1, visibility=\"hidden\"", "points=1, visibility=\"visible\""))
    outcome = assignment_sync(path=folder)
    assert outcome.created and outcome.checks_changed
    assert Assignment.objects.get().current_version == outcome.version
    assert AssignmentVersion.objects.count() == 2


def test_materialised_version_rebuilds_the_folder_without_the_source(tmp_path):
    folder = shutil.copytree(ADDER, tmp_path / "src")
    version = assignment_sync(path=folder).version
    shutil.rmtree(folder)
    built = assignment_version_materialize(version=version, cache_dir=tmp_path / "cache")
    assert (built / "tests" / "hidden" / "test_more.py").read_bytes() == (ADDER / "tests/hidden/test_more.py").read_bytes()
    assert assignment_version_materialize(version=version, cache_dir=tmp_path / "cache") == built


def test_sync_command_prints_one_line_per_assignment(capsys):
    call_command("sync_assignments", str(ADDER.parent))
    call_command("sync_assignments", str(ADDER.parent))
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in out] == ["adder", "mini-quiz", "mini-written"] * 2
    assert all("new version" in line for line in out[:3]) and all("unchanged" in line for line in out[3:])


@pytest.mark.parametrize("folder, kind, numbers, max_score", [
    (MINI_QUIZ, "quiz", ["1", "2", "3"], 6), (MINI_WRITTEN, "written", ["1", "2"], 7)])
def test_quiz_and_written_parts_sync_with_their_questions(folder, kind, numbers, max_score):
    outcome = assignment_sync(path=folder)
    version = outcome.version
    assert outcome.assignment.kind == kind and outcome.assignment.file == "answers.json"
    assert [c["number"] for c in version.checks] == numbers and version.max_score == max_score
    assert {"assignment.toml", "README.ko.md", "README.en.md"} <= set(version.files.values_list("path", flat=True))
    assert [q.id for q in questions_of(version=version)] == [q.id for q in load_assignment(folder).questions]


def test_the_course_quiz_and_written_practice_sync_from_the_bundled_folder():
    root = Path(__file__).resolve().parents[3] / "assignments"
    quiz = assignment_sync(path=root / "quiz-attention")
    written = assignment_sync(path=root / "written-practice")
    assert (quiz.assignment.kind, quiz.version.max_score, len(quiz.version.checks)) == ("quiz", 30, 21)
    assert (written.assignment.kind, written.version.max_score) == ("written", 50)
    assert {c["visibility"] for c in quiz.version.checks} == {"after_due_date"}
