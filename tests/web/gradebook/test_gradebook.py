from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from seqlab.gradebook.exports import gradebook_csv
from seqlab.gradebook.selectors import gradebook_for_course, offering_grades, regrade_progress
from seqlab.gradebook.services import offering_regrade_all, override_set
from seqlab.submissions.models import Status, Submission
from seqlab.submissions.services import submission_create, submission_grade

pytestmark = pytest.mark.django_db


def _graded(student, offering, content, late_days=0):
    sub = submission_create(student=student, offering=offering, filename="adder.py", content=content)
    submission_grade(submission_id=sub.id, run=1, worker="t")
    Submission.objects.filter(pk=sub.pk).update(late_days=late_days)
    sub.refresh_from_db()
    return sub


def test_best_policy_picks_the_highest_score_after_late_penalty(student, offering, solution_bytes, wrong_bytes):
    offering.late_penalty_per_day = Decimal("0.5")
    offering.save()
    _graded(student, offering, wrong_bytes)                    # 2 points, on time
    _graded(student, offering, solution_bytes, late_days=1)    # 6 points, half lost: 3
    cell = offering_grades(offering=offering)[student.id]
    assert cell.auto == 3.0 and cell.late_days == 1


def test_last_policy_takes_the_latest_attempt(student, offering, solution_bytes, wrong_bytes):
    offering.score_policy = "last"
    offering.save()
    _graded(student, offering, solution_bytes)
    _graded(student, offering, wrong_bytes)
    assert offering_grades(offering=offering)[student.id].auto == 2.0


def test_total_override_wins_and_is_flagged(student, ta, offering, wrong_bytes):
    sub = _graded(student, offering, wrong_bytes)
    override_set(actor=ta, submission=sub, check_number="", score=5, comment="regrade request accepted")
    cell = offering_grades(offering=offering)[student.id]
    assert cell.auto == 5 and cell.overridden


def test_csv_has_one_row_per_student(student, other_student, offering, solution_bytes, course):
    _graded(student, offering, solution_bytes)
    rows = gradebook_csv(book=gradebook_for_course(course=course)).removeprefix("\ufeff").splitlines()
    assert rows[0].startswith("username,name,adder")
    assert rows[1].startswith("other_student") and rows[2].startswith("student,") and rows[2].endswith(",6")


def test_histogram_is_a_png(client, instructor, offering, student, solution_bytes):
    _graded(student, offering, solution_bytes)
    client.force_login(instructor)
    response = client.get(reverse("gradebook:histogram", args=[offering.pk]))
    assert response["Content-Type"] == "image/png" and response.content.startswith(b"\x89PNG")


def test_regrade_all_requeues_every_counted_attempt_and_reports_progress(
        student, instructor, offering, solution_bytes, django_capture_on_commit_callbacks):
    subs = [_graded(student, offering, solution_bytes) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        offering_regrade_all(actor=instructor, offering=offering)
    assert len([c for c in callbacks if getattr(c, "func", c).__name__ == "grading_enqueue"]) == 3
    assert regrade_progress(offering=offering).done == 0
    submission_grade(submission_id=subs[0].id, run=2, worker="t")
    progress = regrade_progress(offering=offering)
    assert (progress.done, progress.total, progress.percent) == (1, 3, 33)
    assert Submission.objects.filter(status=Status.QUEUED).count() == 2


def test_instructor_pages_render(client, instructor, course, offering, student, solution_bytes):
    _graded(student, offering, solution_bytes)
    client.force_login(instructor)
    for url in (reverse("gradebook:gradebook", args=[course.slug]), reverse("gradebook:offering_edit", args=[offering.pk]),
                reverse("gradebook:offerings", args=[course.slug]), reverse("gradebook:review", args=[course.slug])):
        assert client.get(url).status_code == 200, url


def test_instructor_changes_dates_through_the_page_and_it_is_audited(client, instructor, offering):
    client.force_login(instructor)
    due = (offering.due_at + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    data = {"release_at": offering.release_at.strftime("%Y-%m-%dT%H:%M"), "due_at": due,
            "late_penalty_per_day": "0.2", "cooldown_seconds": 60, "score_policy": "last"}
    response = client.post(reverse("gradebook:offering_edit", args=[offering.pk]), data)
    assert response.status_code == 302
    offering.refresh_from_db()
    assert offering.score_policy == "last" and offering.cooldown_seconds == 60
    assert offering.course.audit_entries.filter(action="offering.save").count() == 2
