from datetime import timedelta

import pytest
from django.utils import timezone

from seqlab.courses.services import extension_grant
from seqlab.gradebook.models import AuditEntry
from seqlab.submissions.models import Result, Status, Submission
from seqlab.submissions.services import (SubmissionRefused, submission_create, submission_grade,
                                         submission_regrade, submission_requeue_stuck)

pytestmark = pytest.mark.django_db


def _submit(student, offering, content=b"print(1)\n", name="adder.py"):
    return submission_create(student=student, offering=offering, filename=name, content=content)


def test_submission_is_stored_content_addressed_and_numbered(student, offering, solution_bytes):
    first = _submit(student, offering, solution_bytes)
    second = _submit(student, offering, solution_bytes)
    assert (first.number, second.number) == (1, 2)
    assert first.blob_id == second.blob_id
    assert bytes(first.blob.data) == solution_bytes
    assert first.status == Status.QUEUED and first.version == offering.assignment.current_version


def test_grading_is_queued_only_after_commit(student, offering, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _submit(student, offering)
    # After the commit: the grading message, and the bump of the student's cached pages.
    grading = [c for c in callbacks if getattr(c, "func", c).__name__ == "grading_enqueue"]
    assert len(grading) == 1 and len(callbacks) == 2


def test_staff_and_outsiders_cannot_submit(ta, outsider, offering):
    for user in (ta, outsider):
        with pytest.raises(SubmissionRefused) as refused:
            _submit(user, offering)
        assert refused.value.code == "not_student"


def test_unreleased_and_closed_offerings_refuse(student, offering):
    offering.release_at = timezone.now() + timedelta(hours=1)
    offering.save()
    with pytest.raises(SubmissionRefused) as refused:
        _submit(student, offering)
    assert refused.value.code == "not_released"
    offering.release_at, offering.due_at = timezone.now() - timedelta(days=3), timezone.now() - timedelta(days=1)
    offering.save()
    with pytest.raises(SubmissionRefused) as refused:
        _submit(student, offering)
    assert refused.value.code == "closed"


def test_extension_reopens_and_sets_late_days(student, instructor, offering):
    now = timezone.now()
    offering.due_at, offering.hard_cutoff_at = now - timedelta(days=2), now - timedelta(days=1)
    offering.release_at = now - timedelta(days=5)
    offering.save()
    extension_grant(actor=instructor, offering=offering, student=student, due_at=now - timedelta(hours=30),
                    hard_cutoff_at=now + timedelta(days=1), reason="illness")
    submission = _submit(student, offering)
    assert submission.late_days == 2
    assert AuditEntry.objects.filter(action="extension.grant").count() == 1


def test_submission_limit_and_cooldown(student, offering):
    offering.max_submissions, offering.cooldown_seconds = 2, 0
    offering.save()
    _submit(student, offering), _submit(student, offering)
    with pytest.raises(SubmissionRefused) as refused:
        _submit(student, offering)
    assert refused.value.code == "limit"
    offering.max_submissions, offering.cooldown_seconds = None, 600
    offering.save()
    with pytest.raises(SubmissionRefused) as refused:
        _submit(student, offering)
    assert refused.value.code == "cooldown"


def test_ungradable_upload_is_refused_before_storing_and_costs_no_attempt(student, offering):
    offering.max_submissions = 1
    offering.save()
    with pytest.raises(SubmissionRefused) as refused:
        _submit(student, offering, b"   ")
    assert refused.value.code == "bad_upload" and "empty" in str(refused.value)
    assert not Submission.objects.exists()
    assert _submit(student, offering).number == 1


def test_grading_twice_stores_one_result(student, offering, solution_bytes):
    sub = _submit(student, offering, solution_bytes)
    assert submission_grade(submission_id=sub.id, run=1, worker="w") is not None
    assert submission_grade(submission_id=sub.id, run=1, worker="w") is None
    sub.refresh_from_db()
    assert sub.status == Status.GRADED and sub.current_result.score == 6
    assert Result.objects.filter(submission=sub).count() == 1
    assert sub.current_result.artifacts.get().is_image


def test_failed_regrade_keeps_the_earlier_score(student, instructor, offering, solution_bytes):
    from seqlab.submissions.services import submission_fail
    sub = _submit(student, offering, solution_bytes)
    submission_grade(submission_id=sub.id, run=1, worker="w")
    sub = submission_regrade(actor=instructor, submission=sub)
    submission_fail(submission_id=sub.id, run=sub.run, error="broker gone")
    sub.refresh_from_db()
    assert sub.status == Status.ERROR and sub.current_result.score == 6 and sub.current_result.run == 1


def test_sweeper_requeues_stuck_runs(student, offering):
    sub = _submit(student, offering)
    Submission.objects.filter(pk=sub.pk).update(status=Status.RUNNING, started_at=timezone.now() - timedelta(hours=2))
    assert submission_requeue_stuck() == [sub.pk]
    sub.refresh_from_db()
    assert sub.status == Status.QUEUED
    assert submission_requeue_stuck() == []
