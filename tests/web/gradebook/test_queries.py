"""The gradebook page reads a class in a fixed number of queries: none per student, none per cell."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from seqlab.courses.services import membership_set
from seqlab.gradebook.services import override_set
from tests.web.conftest import MINI_WRITTEN, _offer
from tests.web.gradebook.helpers import graded

pytestmark = pytest.mark.django_db


def _class(django_user_model, course, offering, written, ta, start: int, n: int, solution: bytes, wrong: bytes):
    from seqlab.submissions.services import submission_create_answers, submission_grade
    for i in range(start, start + n):
        user = django_user_model.objects.create_user(username=f"s{i:03d}", password="pw", first_name="학생")
        membership_set(course=course, user=user, role="student")
        first = graded(user, offering, wrong, late_days=i % 3)
        graded(user, offering, solution)
        if i % 2:
            override_set(actor=ta, submission=first, check_number="", score=5, comment="partial credit")
        answers = submission_create_answers(student=user, offering=written, answers={"why-attention": "x", "bleu": "y"})
        submission_grade(submission_id=answers.id, run=answers.run, worker="t")


def _queries(client, instructor, course) -> int:
    client.force_login(instructor)
    url = reverse("gradebook:gradebook", args=[course.slug])
    client.get(url)                                         # warm: sessions, content types, translations
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_query_count_does_not_grow_with_the_class(client, django_user_model, course, instructor, ta, offering,
                                                  solution_bytes, wrong_bytes):
    written = _offer(MINI_WRITTEN, course, instructor)
    _class(django_user_model, course, offering, written, ta, 0, 2, solution_bytes, wrong_bytes)
    small = _queries(client, instructor, course)
    _class(django_user_model, course, offering, written, ta, 2, 8, solution_bytes, wrong_bytes)
    assert _queries(client, instructor, course) == small
    assert small <= 20


def test_csv_query_count_does_not_grow_with_the_class(client, django_user_model, course, instructor, ta, offering,
                                                      solution_bytes, wrong_bytes):
    written = _offer(MINI_WRITTEN, course, instructor)
    url = reverse("gradebook:gradebook_csv", args=[course.slug])
    client.force_login(instructor)
    counts = []
    for start, n in ((0, 2), (2, 6)):
        _class(django_user_model, course, offering, written, ta, start, n, solution_bytes, wrong_bytes)
        for kind in ("seqlab", "canvas", "moodle"):
            client.get(url, {"format": kind})
            with CaptureQueriesContext(connection) as captured:
                client.get(url, {"format": kind})
            counts.append(len(captured))
    assert counts[:3] == counts[3:]
