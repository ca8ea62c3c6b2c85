"""The status call students poll while grading runs costs one indexed query, then none until the
attempt changes (the page cache, seqlab/core/pagecache.py)."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from seqlab.accounts.services import token_rotate
from seqlab.submissions.services import submission_create

pytestmark = pytest.mark.django_db


def _client(user):
    client = APIClient()
    token = token_rotate(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {getattr(token, 'key', token)}")
    return client


@override_settings(SEQLAB_PAGE_CACHE_SECONDS=0)
def test_polling_a_queued_submission_costs_one_query_beyond_authentication(student, offering, solution_bytes):
    submission = submission_create(student=student, offering=offering, filename="adder.py", content=solution_bytes)
    client = _client(student)
    url = reverse("api:submission", args=[submission.pk])
    client.get(url)                      # a token's first use records when it was used (then once an hour)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(url).json()
    assert body["status"] == "queued" and body["feedback"] is None and body["id"] == submission.pk
    polled = [q["sql"] for q in queries.captured_queries if '"submissions_submission"' in q["sql"]]
    assert len(queries.captured_queries) <= 2 and len(polled) == 1      # the token (with its user), the row
    assert "blobs_blob" not in polled[0] and "JOIN" not in polled[0]     # not the source, no joins


def test_polls_come_from_the_cache_until_the_attempt_changes(student, offering, solution_bytes):
    from seqlab.submissions.services import submission_claim
    submission = submission_create(student=student, offering=offering, filename="adder.py", content=solution_bytes)
    client = _client(student)
    url = reverse("api:submission", args=[submission.pk])
    assert client.get(url).json()["status"] == "queued"
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
    assert again.json()["status"] == "queued" and again["Content-Type"] == "application/json"
    assert not [q for q in queries.captured_queries if '"submissions_submission"' in q["sql"]]
    assert submission_claim(submission_id=submission.pk, run=submission.run, worker="w1")
    assert client.get(url).json()["status"] == "running"


def test_the_quick_answer_has_the_same_shape_as_the_full_one(student, offering, solution_bytes, graded):
    client = _client(student)
    pending = submission_create(student=student, offering=offering, filename="adder.py", content=solution_bytes)
    quick = client.get(reverse("api:submission", args=[pending.pk])).json()
    full = client.get(reverse("api:submission", args=[graded.pk])).json()
    assert set(quick) == set(full) and full["feedback"] is not None


def test_another_students_pending_submission_stays_hidden(student, other_student, offering, solution_bytes):
    submission = submission_create(student=student, offering=offering, filename="adder.py", content=solution_bytes)
    assert _client(other_student).get(reverse("api:submission", args=[submission.pk])).status_code == 404
