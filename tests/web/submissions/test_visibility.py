"""Gradescope's visibility semantics, as the student and staff see the feedback."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from seqlab.courses.services import extension_grant
from seqlab.gradebook.services import offering_publish, override_set
from seqlab.submissions.selectors import feedback_for

pytestmark = pytest.mark.django_db
VISIBLE, AFTER_DUE, HIDDEN, AFTER_PUBLISHED = "1.1", "2.1", "2.2", "2.3"


def _shown(viewer, submission, now=None):
    feedback = feedback_for(viewer=viewer, submission=submission, now=now)
    return {c.number for c in feedback.checks if c.shown}, feedback


def test_student_sees_only_visible_checks_before_the_due_date(student, graded):
    shown, feedback = _shown(student, graded)
    assert shown == {VISIBLE}
    assert feedback.score is None and feedback.shown_score == 2 and feedback.shown_max == 2
    assert {(g.visibility, g.count) for g in feedback.withheld_groups} == {
        ("after_due_date", 1), ("hidden", 1), ("after_published", 1)}


def test_after_the_cutoff_after_due_date_checks_show(student, graded, offering):
    later = offering.cutoff_at + timedelta(minutes=1)
    assert _shown(student, graded, now=later)[0] == {VISIBLE, AFTER_DUE}


def test_an_extension_does_not_reveal_early_for_others_and_delays_for_its_holder(student, other_student,
                                                                                  instructor, graded, offering):
    extension_grant(actor=instructor, offering=offering, student=student, due_at=offering.due_at + timedelta(days=3))
    just_after = offering.cutoff_at + timedelta(minutes=1)
    assert AFTER_DUE not in _shown(student, graded, now=just_after)[0]
    assert AFTER_DUE in _shown(student, graded, now=offering.due_at + timedelta(days=3, minutes=1))[0]


def test_published_grades_show_after_published_checks_but_never_hidden_ones(student, instructor, graded, offering):
    offering_publish(actor=instructor, offering=offering)
    shown, feedback = _shown(student, graded, now=offering.cutoff_at + timedelta(days=1))
    assert shown == {VISIBLE, AFTER_DUE, AFTER_PUBLISHED}
    assert HIDDEN not in shown and feedback.score is None


def test_staff_see_every_check_and_the_total(ta, graded):
    shown, feedback = _shown(ta, graded)
    assert shown == {VISIBLE, AFTER_DUE, HIDDEN, AFTER_PUBLISHED} and feedback.score == 6


def test_hidden_check_names_and_outputs_never_reach_the_students_page(client, student, offering, wrong_bytes):
    from seqlab.submissions.services import submission_create, submission_grade
    sub = submission_create(student=student, offering=offering, filename="adder.py", content=wrong_bytes)
    submission_grade(submission_id=sub.id, run=1, worker="t")
    client.force_login(student)
    html = client.get(reverse("submissions:detail", args=[sub.pk])).content.decode()
    assert "add: small integers" in html
    for secret in ("add: negative integers", "add: large integers", "add: floats", "hello from the student"):
        assert secret not in html


def test_override_of_a_hidden_check_stays_hidden_and_is_audited(student, ta, graded):
    override_set(actor=ta, submission=graded, check_number=HIDDEN, score=0.5, comment="partial")
    student_view = _shown(student, graded)[1]
    assert all(c.override_comment == "" for c in student_view.checks)
    staff_view = _shown(ta, graded)[1]
    assert staff_view.score == 5.5
    assert graded.offering.course.audit_entries.filter(action="override.set").get().before == {"score": 1.0}


def test_page_says_when_hidden_checks_will_show(client, student, graded):
    client.force_login(student)
    html = client.get(reverse("submissions:detail", args=[graded.pk]), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "마감 후 공개" in html and "비공개" in html and "성적 공개 후 공개" in html
    assert timezone.localtime(graded.offering.cutoff_at).strftime("%Y-%m-%d %H:%M") in html
