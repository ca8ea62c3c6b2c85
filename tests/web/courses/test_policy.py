"""The one rule for a student's dates, attempts and timed window (courses/policy.py), and every
place that applies it: submission checks, late days, result visibility, the answer key, the API."""
from datetime import timedelta

import pytest
from django.utils import timezone

from seqlab.courses.models import Accommodation
from seqlab.courses.policy import last_cutoff, student_policy
from seqlab.courses.services import accommodation_set, extension_grant
from seqlab.submissions.selectors import feedback_for
from seqlab.submissions.services import submission_create, submission_grade
from seqlab.submissions.uploads import SubmissionRefused

pytestmark = pytest.mark.django_db
AFTER_DUE = "2.1"


def _accommodate(instructor, course, student, days=0, percent=0, attempts=0):
    return accommodation_set(actor=instructor, course=course, student=student, extra_days=days,
                             extra_time_percent=percent, extra_attempts=attempts, note="")


def _submit(student, offering, content=b"def add(a, b):\n    return a + b\n"):
    return submission_create(student=student, offering=offering, filename="adder.py", content=content)


def _move_dates(offering, *, due_in: timedelta, cutoff_in: timedelta | None = None):
    now = timezone.now()
    offering.release_at = now - timedelta(days=10)
    offering.due_at = now + due_in
    offering.hard_cutoff_at = now + cutoff_in if cutoff_in is not None else None
    offering.save()


def test_without_accommodation_or_extension_the_offering_dates_apply(student, offering):
    policy = student_policy(offering=offering, student=student)
    assert (policy.due_at, policy.cutoff_at, policy.attempts_allowed) == (offering.due_at, offering.cutoff_at, None)
    assert not policy.extended and policy.extra_days == 0 and not policy.timed


def test_accommodation_moves_due_date_and_cutoff_and_adds_attempts(instructor, course, student, offering):
    offering.hard_cutoff_at = offering.due_at + timedelta(days=2)
    offering.max_submissions = 3
    offering.save()
    _accommodate(instructor, course, student, days=3, attempts=2)
    policy = student_policy(offering=offering, student=student)
    assert policy.due_at == offering.due_at + timedelta(days=3)
    assert policy.cutoff_at == offering.hard_cutoff_at + timedelta(days=3)
    assert policy.attempts_allowed == 5 and policy.extra_days == 3


def test_no_limit_stays_no_limit_with_extra_attempts(instructor, course, student, offering):
    _accommodate(instructor, course, student, attempts=4)
    assert student_policy(offering=offering, student=student).attempts_allowed is None


def test_an_offering_extension_wins_over_the_accommodation_days_but_attempts_still_add(
        instructor, course, student, offering):
    offering.max_submissions = 1
    offering.save()
    _accommodate(instructor, course, student, days=10, attempts=1)
    extension_grant(actor=instructor, offering=offering, student=student, due_at=offering.due_at + timedelta(days=1))
    policy = student_policy(offering=offering, student=student)
    assert policy.due_at == offering.due_at + timedelta(days=1) and policy.cutoff_at == policy.due_at
    assert policy.extended and policy.extra_days == 0 and policy.attempts_allowed == 2


def test_the_accommodation_is_per_course_and_per_student(instructor, course, student, other_student, offering,
                                                         outsider, other_course):
    _accommodate(instructor, course, student, days=2)
    assert student_policy(offering=offering, student=other_student).due_at == offering.due_at
    assert not Accommodation.objects.filter(course=other_course).exists()


def test_submission_after_the_class_cutoff_is_accepted_within_the_accommodated_cutoff(
        instructor, course, student, other_student, offering):
    _move_dates(offering, due_in=timedelta(days=-1))
    with pytest.raises(SubmissionRefused) as refused:
        _submit(other_student, offering)
    assert refused.value.code == "closed"
    _accommodate(instructor, course, student, days=3)
    sub = _submit(student, offering)
    assert sub.late_days == 0           # the due date that applies is two days away


def test_late_days_count_from_the_accommodated_due_date(instructor, course, student, offering):
    _move_dates(offering, due_in=timedelta(days=-3, hours=-1), cutoff_in=timedelta(days=5))
    _accommodate(instructor, course, student, days=1)
    assert _submit(student, offering).late_days == 3       # 2 days and 1 hour past the moved due date


def test_an_accommodation_granted_afterwards_recounts_late_days_and_removing_it_restores_them(
        instructor, course, student, offering):
    _move_dates(offering, due_in=timedelta(days=-2, hours=-1), cutoff_in=timedelta(days=5))
    sub = _submit(student, offering)
    assert sub.late_days == 3
    _accommodate(instructor, course, student, days=7)
    sub.refresh_from_db()
    assert sub.late_days == 0
    from seqlab.courses.services import accommodation_remove
    accommodation_remove(actor=instructor, course=course, student=student)
    sub.refresh_from_db()
    assert sub.late_days == 3


def test_extra_attempts_let_the_student_submit_more(instructor, course, student, other_student, offering):
    offering.max_submissions = 1
    offering.save()
    _accommodate(instructor, course, student, attempts=1)
    _submit(student, offering)
    _submit(student, offering)
    with pytest.raises(SubmissionRefused) as refused:
        _submit(student, offering)
    assert refused.value.code == "limit" and "2" in str(refused.value)
    _submit(other_student, offering)
    with pytest.raises(SubmissionRefused):
        _submit(other_student, offering)


def test_after_due_date_checks_wait_for_the_accommodated_cutoff(instructor, course, student, offering, graded):
    _accommodate(instructor, course, student, days=2)
    just_after_class = offering.cutoff_at + timedelta(minutes=1)
    shown = {c.number for c in feedback_for(viewer=student, submission=graded, now=just_after_class).checks if c.shown}
    assert AFTER_DUE not in shown
    later = offering.cutoff_at + timedelta(days=2, minutes=1)
    shown = {c.number for c in feedback_for(viewer=student, submission=graded, now=later).checks if c.shown}
    assert AFTER_DUE in shown


def test_last_cutoff_counts_accommodations_and_extensions(instructor, course, student, other_student, offering):
    assert last_cutoff(offering=offering) == offering.cutoff_at
    _accommodate(instructor, course, student, days=4)
    assert last_cutoff(offering=offering) == offering.cutoff_at + timedelta(days=4)
    extension_grant(actor=instructor, offering=offering, student=other_student,
                    due_at=offering.due_at + timedelta(days=9))
    assert last_cutoff(offering=offering) == offering.due_at + timedelta(days=9)
    extension_grant(actor=instructor, offering=offering, student=student, due_at=offering.due_at)
    # the student's own extension replaces their extra days for this offering
    assert last_cutoff(offering=offering) == offering.due_at + timedelta(days=9)


def test_the_api_gives_the_students_dates_and_attempts(client, instructor, course, student, offering):
    offering.max_submissions = 2
    offering.save()
    _accommodate(instructor, course, student, days=3, percent=50, attempts=2)
    client.force_login(student)
    entry = next(a for a in client.get("/api/assignments/").json()["assignments"] if a["id"] == offering.pk)
    assert entry["due_at"] == (offering.due_at + timedelta(days=3)).isoformat()
    assert entry["max_submissions"] == 4
    assert entry["accommodation"] == {"extra_days": 3, "extra_time_percent": 50, "extra_attempts": 2}


def test_graded_submission_keeps_its_late_days_in_the_gradebook(instructor, course, student, offering,
                                                                solution_bytes):
    from seqlab.gradebook.selectors import offering_grades
    _move_dates(offering, due_in=timedelta(days=-1, hours=-1), cutoff_in=timedelta(days=5))
    _accommodate(instructor, course, student, days=1)
    sub = _submit(student, offering, solution_bytes)
    submission_grade(submission_id=sub.id, run=sub.run, worker="t")
    cell = offering_grades(offering=offering)[student.id]
    assert cell.late_days == 1 and cell.total == pytest.approx(6 * 0.9)


def test_the_lms_passback_waits_for_the_accommodated_cutoff(instructor, course, student, other_student, offering,
                                                            solution_bytes):
    from seqlab.gradebook.services import offering_publish
    from seqlab.lti.passback import grade_to_send
    _accommodate(instructor, course, student, days=2)
    for who in (student, other_student):
        sub = _submit(who, offering, solution_bytes)
        submission_grade(submission_id=sub.id, run=sub.run, worker="t")
    offering_publish(actor=instructor, offering=offering)
    just_after_class = offering.cutoff_at + timedelta(minutes=1)
    assert grade_to_send(offering=offering, student=other_student, now=just_after_class) is not None
    assert grade_to_send(offering=offering, student=student, now=just_after_class) is None
    later = offering.cutoff_at + timedelta(days=2, minutes=1)
    assert grade_to_send(offering=offering, student=student, now=later).score == 6


def test_a_quiz_key_waits_until_no_accommodated_student_can_still_submit(instructor, course, student,
                                                                         other_student, quiz_offering):
    from seqlab.submissions.selectors import answer_key_visible
    _accommodate(instructor, course, other_student, days=2)
    sub = submission_create(student=student, offering=quiz_offering, filename="answers.json",
                            content=b'{"weight": "0.02715", "scale": "sqrt"}')
    just_after_class = quiz_offering.cutoff_at + timedelta(minutes=1)
    assert not answer_key_visible(viewer=student, submission=sub, now=just_after_class)
    assert answer_key_visible(viewer=student, submission=sub, now=quiz_offering.cutoff_at + timedelta(days=2, minutes=1))
