"""A quiz's answer key shows to students only when no student can still submit it, or once the
instructor has published the grades (an explicit release)."""
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from seqlab.courses.services import extension_grant
from seqlab.gradebook.services import offering_publish
from seqlab.submissions.models import Submission
from seqlab.submissions.selectors import answer_key_visible
from seqlab.submissions.services import submission_create_answers, submission_grade

pytestmark = pytest.mark.django_db
KEY = "Answer: <strong>self-attention, feed-forward</strong>"


@pytest.fixture
def past_due(student, quiz_offering):
    sub = submission_create_answers(student=student, offering=quiz_offering, answers={"weight": "0.02715"})
    submission_grade(submission_id=sub.id, run=1, worker="t")
    quiz_offering.due_at = timezone.now() - timedelta(minutes=1)
    quiz_offering.save()
    return Submission.objects.get(pk=sub.pk)


def _page(client, user, sub) -> str:
    client.force_login(user)
    return client.get(reverse("submissions:detail", args=[sub.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_key_is_withheld_while_a_classmate_with_an_extension_can_still_submit(
        client, student, other_student, instructor, quiz_offering, past_due):
    extension_grant(actor=instructor, offering=quiz_offering, student=other_student,
                    due_at=timezone.now() + timedelta(days=2))
    assert not answer_key_visible(viewer=student, submission=past_due)
    assert KEY not in _page(client, student, past_due)


def test_key_shows_once_every_extension_has_passed(client, student, other_student, instructor, quiz_offering, past_due):
    extension_grant(actor=instructor, offering=quiz_offering, student=other_student,
                    due_at=timezone.now() - timedelta(seconds=30))
    assert KEY in _page(client, student, past_due)


def test_key_shows_when_the_instructor_releases_it_by_publishing(
        client, student, other_student, instructor, quiz_offering, past_due):
    extension_grant(actor=instructor, offering=quiz_offering, student=other_student,
                    due_at=timezone.now() + timedelta(days=2))
    offering_publish(actor=instructor, offering=quiz_offering)
    assert KEY in _page(client, student, past_due)


def test_staff_always_see_the_key(client, ta, past_due, quiz_offering):
    quiz_offering.due_at = timezone.now() + timedelta(days=1)
    quiz_offering.save()
    assert answer_key_visible(viewer=ta, submission=past_due)


def test_a_student_with_an_extension_does_not_see_the_key_of_their_own_open_quiz(
        client, student, instructor, quiz_offering, past_due):
    extension_grant(actor=instructor, offering=quiz_offering, student=student,
                    due_at=timezone.now() + timedelta(days=2))
    assert KEY not in _page(client, student, past_due)
    assert json.loads(bytes(past_due.blob.data)) == {"weight": "0.02715"}
