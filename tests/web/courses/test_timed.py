"""Timed work: an explicit start stored once, the work shown only after it, submissions accepted
until min(cutoff, start + limit × (1 + extra %)), on the pages and through the API."""
from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from seqlab.courses.models import TimedStart
from seqlab.courses.policy import student_policy
from seqlab.courses.services import TimedStartRefused, accommodation_set, timed_start
from seqlab.gradebook.models import AuditEntry
from seqlab.submissions.models import Submission

pytestmark = pytest.mark.django_db
QUIZ_PROMPT = "What is the weight"


@pytest.fixture
def timed_quiz(quiz_offering):
    quiz_offering.time_limit_minutes = 30
    quiz_offering.save()
    return quiz_offering


@pytest.fixture
def timed_code(offering):
    offering.time_limit_minutes = 60
    offering.save()
    return offering


def _page(client, user, offering) -> str:
    client.force_login(user)
    response = client.get(reverse("courses:offering", args=[offering.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def _start(client, user, offering, confirm=True):
    client.force_login(user)
    return client.post(reverse("courses:timed_start", args=[offering.pk]), {"confirm": "on"} if confirm else {})


def _answer(client, user, offering):
    client.force_login(user)
    return client.post(reverse("submissions:answers", args=[offering.pk]), {"q-weight": "0.02715", "q-scale": "sqrt"},
                       HTTP_ACCEPT_LANGUAGE="en")


def test_before_the_start_the_page_offers_the_start_and_hides_the_questions(client, student, timed_quiz):
    html = _page(client, student, timed_quiz)
    assert "Start — you will have 30 minutes" in html
    assert QUIZ_PROMPT not in html and 'name="q-weight"' not in html
    assert 'name="confirm"' in html


def test_staff_see_the_questions_of_a_timed_quiz_without_starting(client, ta, timed_quiz):
    assert QUIZ_PROMPT in _page(client, ta, timed_quiz)


def test_a_start_without_the_confirmation_starts_nothing(client, student, timed_quiz):
    assert _start(client, student, timed_quiz, confirm=False).status_code == 302
    assert not TimedStart.objects.exists()
    assert QUIZ_PROMPT not in _page(client, student, timed_quiz)


def test_after_the_start_the_questions_show_with_the_end_time_and_time_left(client, student, timed_quiz):
    _start(client, student, timed_quiz)
    start = TimedStart.objects.get(offering=timed_quiz, student=student)
    html = _page(client, student, timed_quiz)
    assert QUIZ_PROMPT in html and 'name="q-weight"' in html
    ends = timezone.localtime(start.started_at + timedelta(minutes=30)).strftime("%Y-%m-%d")
    assert "Your time ends" in html and ends in html and " left)" in html
    assert AuditEntry.objects.filter(action="timed.start").count() == 1


def test_a_second_start_changes_nothing(student, timed_quiz):
    first = timed_start(student=student, offering=timed_quiz)
    again = timed_start(student=student, offering=timed_quiz, now=timezone.now() + timedelta(minutes=10))
    assert again.started_at == first.started_at and TimedStart.objects.count() == 1


def test_the_database_keeps_one_start_per_student(student, timed_quiz):
    TimedStart.objects.create(offering=timed_quiz, student=student, started_at=timezone.now())
    with pytest.raises(IntegrityError):
        TimedStart.objects.create(offering=timed_quiz, student=student, started_at=timezone.now())


def test_answers_before_the_start_are_refused(client, student, timed_quiz):
    _answer(client, student, timed_quiz)
    assert not Submission.objects.exists()


def test_answers_inside_the_window_are_taken_and_after_it_refused(client, student, timed_quiz):
    _start(client, student, timed_quiz)
    assert _answer(client, student, timed_quiz).status_code == 302
    assert Submission.objects.count() == 1
    TimedStart.objects.filter(student=student).update(started_at=timezone.now() - timedelta(minutes=31))
    response = _answer(client, student, timed_quiz)
    assert Submission.objects.count() == 1
    assert "Your time for this assignment ended" in response.content.decode()
    html = _page(client, student, timed_quiz)
    assert "Your time is up" in html and "Submit answers" not in html


def test_extra_time_lengthens_the_window(instructor, course, student, other_student, timed_quiz):
    accommodation_set(actor=instructor, course=course, student=student, extra_time_percent=50)
    started = timezone.now() - timedelta(minutes=40)
    for who in (student, other_student):
        TimedStart.objects.create(offering=timed_quiz, student=who, started_at=started)
    assert student_policy(offering=timed_quiz, student=student).window_ends_at == started + timedelta(minutes=45)
    assert student_policy(offering=timed_quiz, student=student).accepts()
    assert not student_policy(offering=timed_quiz, student=other_student).accepts()


def test_a_window_started_near_the_cutoff_ends_at_the_cutoff_and_the_page_says_so(client, student, timed_quiz):
    timed_quiz.due_at = timezone.now() + timedelta(minutes=10)
    timed_quiz.save()
    html = _page(client, student, timed_quiz)
    assert "The deadline comes first" in html
    _start(client, student, timed_quiz)
    policy = student_policy(offering=timed_quiz, student=student)
    assert policy.window_ends_at == timed_quiz.cutoff_at
    assert "at the deadline" in _page(client, student, timed_quiz)


def test_no_start_after_the_cutoff(student, timed_quiz):
    timed_quiz.due_at = timezone.now() - timedelta(minutes=1)
    timed_quiz.save()
    with pytest.raises(TimedStartRefused):
        timed_start(student=student, offering=timed_quiz)
    assert not TimedStart.objects.exists()


def test_only_students_start(ta, timed_quiz):
    with pytest.raises(TimedStartRefused):
        timed_start(student=ta, offering=timed_quiz)


def test_an_untimed_offering_cannot_be_started(student, quiz_offering):
    with pytest.raises(TimedStartRefused):
        timed_start(student=student, offering=quiz_offering)


def test_the_api_refuses_outside_the_window_with_a_clear_409(client, student, timed_code):
    client.force_login(student)
    url = reverse("api:offering_submissions", args=[timed_code.pk])
    body = {"content": "def add(a, b):\n    return a + b\n"}
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 409 and response.json()["error"] == "not_started"
    timed_start(student=student, offering=timed_code, now=timezone.now() - timedelta(minutes=61))
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 409 and response.json()["error"] == "time_up"
    assert not Submission.objects.exists()


def test_the_api_hides_a_timed_quizs_questions_until_the_start(client, student, timed_quiz):
    client.force_login(student)

    def entry():
        return next(a for a in client.get("/api/assignments/").json()["assignments"] if a["id"] == timed_quiz.pk)
    assert entry()["questions"] == [] and entry()["time_limit_minutes"] == 30 and entry()["started_at"] is None
    timed_start(student=student, offering=timed_quiz)
    assert len(entry()["questions"]) == 3 and entry()["window_ends_at"]


def test_the_starter_of_timed_code_waits_for_the_start(client, student, timed_code):
    client.force_login(student)
    assert client.get(reverse("courses:starter", args=[timed_code.pk])).status_code == 403
    timed_start(student=student, offering=timed_code)
    assert client.get(reverse("courses:starter", args=[timed_code.pk])).status_code == 200


def test_the_time_limit_is_set_in_the_offering_form_and_audited(client, instructor, offering):
    client.force_login(instructor)
    data = {"release_at": "2026-01-01T00:00", "due_at": "2030-01-01T00:00", "late_penalty_per_day": "0.1",
            "cooldown_seconds": "0", "score_policy": "best", "time_limit_minutes": "45"}
    assert client.post(reverse("gradebook:offering_edit", args=[offering.pk]), data).status_code == 302
    offering.refresh_from_db()
    assert offering.time_limit_minutes == 45
    entry = AuditEntry.objects.filter(action="offering.save").latest("id")
    assert entry.after["time_limit_minutes"] == 45
    data["time_limit_minutes"] = "0"
    assert client.post(reverse("gradebook:offering_edit", args=[offering.pk]), data).status_code == 200
    offering.refresh_from_db()
    assert offering.time_limit_minutes == 45
