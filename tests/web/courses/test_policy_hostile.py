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
