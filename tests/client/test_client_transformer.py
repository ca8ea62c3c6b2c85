"""The transformer, which takes two files, submitted with the command-line client and graded in full."""
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from client.cli import main
from seqlab.accounts.services import token_rotate
from seqlab.submissions.models import Submission
from seqlab.submissions.services import submission_grade
from tests.client.conftest import course, instructor, student  # noqa: F401

REPO = Path(__file__).resolve().parents[2]
TRANSFORMER = REPO / "assignments" / "transformer"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_transformer_reference_earns_full_marks_through_the_cli(live_server, student, course, instructor,
                                                                 settings, tmp_path, monkeypatch, capsys):
    from seqlab.courses.services import assignment_sync, offering_save
    now = timezone.now()
    offering_save(actor=instructor, course=course, assignment=assignment_sync(path=TRANSFORMER).assignment,
                  release_at=now - timedelta(days=1), due_at=now + timedelta(days=7), cooldown_seconds=0)
    settings.SEQLAB_ENGINE = "graders.engine.Engine"
    code = tmp_path / "transformer.py"
    code.write_bytes((REPO / "reference" / "transformer.py").read_bytes())
    diagram = tmp_path / "diagram.dot"
    diagram.write_bytes((TRANSFORMER / "solution" / "diagram.dot").read_bytes())
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("SEQLAB_URL", live_server.url)
    monkeypatch.setenv("SEQLAB_TOKEN", token_rotate(user=student).key)
    assert main(["--lang", "en", "submit", "transformer", str(code), str(diagram), "--no-wait"]) == 0
    submission = Submission.objects.get()
    submission_grade(submission_id=submission.pk, run=submission.run, worker="test")
    capsys.readouterr()
    assert main(["--lang", "en", "status", "transformer"]) == 0
    shown = capsys.readouterr().out
    submission.refresh_from_db()
    assert submission.current_result.score == submission.current_result.max_score == 58
    # What the student may see now: every shown check passed (the total waits for the hidden ones).
    assert "graded" in shown and "FAIL" not in shown and "shown checks: 12/12" in shown
