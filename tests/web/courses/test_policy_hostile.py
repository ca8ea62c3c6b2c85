"""Hostile and careless values around the one policy function: dates at the end of the calendar,
form values of every odd shape, and timed starts racing each other."""
from datetime import datetime, timezone as dt_timezone

import pytest
from django.urls import reverse

from seqlab.courses.policy import last_cutoff, student_policy
from seqlab.courses.services import accommodation_set, offering_save

pytestmark = pytest.mark.django_db

END_OF_CALENDAR = datetime(9999, 12, 30, tzinfo=dt_timezone.utc)      # "no deadline", as a TA might type it


@pytest.fixture
def open_ended(offering, instructor):
    return offering_save(actor=instructor, course=offering.course, assignment=offering.assignment,
                         offering=offering, release_at=offering.release_at, due_at=END_OF_CALENDAR,
                         cooldown_seconds=0)


def test_extra_days_on_a_due_date_at_the_end_of_the_calendar_keep_the_pages_working(client, course, instructor,
                                                                                    student, open_ended):
    accommodation_set(actor=instructor, course=course, student=student, extra_days=30)
    policy = student_policy(offering=open_ended, student=student)
    assert policy.due_at >= END_OF_CALENDAR and policy.accepts()
    assert last_cutoff(offering=open_ended) >= END_OF_CALENDAR
    client.force_login(student)
    assert client.get(reverse("courses:offering", args=[open_ended.pk])).status_code == 200
    assert client.get(reverse("courses:course", args=[course.slug])).status_code == 200
    client.force_login(instructor)
    assert client.get(reverse("gradebook:publish", args=[open_ended.pk])).status_code == 200


def test_moving_the_due_date_recounts_late_days_like_an_extension_does(instructor, course, student, other_student,
                                                                       offering, solution_bytes):
    # Handed in two days after the due date; then the instructor moves the due date (for everyone) later.
    from datetime import timedelta

    from django.utils import timezone

    from seqlab.courses.services import extension_grant
    from seqlab.submissions.models import Submission
    from tests.web.gradebook.helpers import graded
    now = timezone.now()
    offering = offering_save(actor=instructor, course=course, assignment=offering.assignment, offering=offering,
                             release_at=now - timedelta(days=5), due_at=now - timedelta(days=2),
                             hard_cutoff_at=now + timedelta(days=5), cooldown_seconds=0)
    mine = graded(student, offering, solution_bytes)
    theirs = graded(other_student, offering, solution_bytes)
    Submission.objects.filter(pk__in=[mine.pk, theirs.pk]).update(late_days=2)
    extension_grant(actor=instructor, offering=offering, student=other_student, due_at=now - timedelta(days=1))
    accommodation_set(actor=instructor, course=course, student=student, extra_days=1)
    theirs_late = Submission.objects.get(pk=theirs.pk).late_days
    assert theirs_late == 2                 # a day and a few seconds after the extension's due date
    offering_save(actor=instructor, course=course, assignment=offering.assignment, offering=offering,
                  release_at=offering.release_at, due_at=now + timedelta(hours=1),
                  hard_cutoff_at=offering.hard_cutoff_at, cooldown_seconds=0)
    assert Submission.objects.get(pk=mine.pk).late_days == 0
    assert Submission.objects.get(pk=theirs.pk).late_days == theirs_late      # the extension's own date applies
    offering_save(actor=instructor, course=course, assignment=offering.assignment, offering=offering,
                  release_at=offering.release_at, due_at=now - timedelta(days=3),
                  hard_cutoff_at=offering.hard_cutoff_at, cooldown_seconds=0)
    assert Submission.objects.get(pk=mine.pk).late_days == 3           # its extra day: two days and a few seconds
    assert Submission.objects.get(pk=theirs.pk).late_days == theirs_late
