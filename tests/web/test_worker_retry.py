"""A grading delivery survives a database outage and a host fault without charging the student."""
import pytest
from celery.exceptions import Retry
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from seqlab.submissions.models import Result, Status, Submission
from seqlab.submissions.services import SubmissionRefused, submission_create
from seqlab.submissions.tasks import grade_submission
from tests.web import flaky_engine

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def retries(monkeypatch):
    """Record what the task asks Celery to retry with (the broker is the project's edge)."""
    asked = []

    def retry(*, args, kwargs, countdown, exc):
        asked.append({"args": args, "kwargs": kwargs, "countdown": countdown})
        return Retry("retry", exc)
    monkeypatch.setattr(grade_submission, "retry", retry)
    return asked


class DatabaseGoesDown:
    """An execute wrapper: the database answers until `after` is seen, then every query fails."""

    def __init__(self, after: str = ""):
        self.after, self.down, self.refused = after, not after, 0

    def __call__(self, execute, sql, params, many, context):
        if self.down:
            self.refused += 1
            raise OperationalError("server closed the connection unexpectedly")
        result = execute(sql, params, many, context)
        if self.after and self.after in sql:
            self.down = True
        return result


def test_a_delivery_whose_database_went_down_after_the_claim_retries_and_releases_on_return(
        retries, student, offering, solution_bytes):
    submission = submission_create(student=student, offering=offering, filename="adder.py", content=solution_bytes)
    outage = DatabaseGoesDown(after='UPDATE "submissions_submission"')      # the claim got through
    with connection.execute_wrapper(outage), pytest.raises(Retry):
        grade_submission(submission.pk, submission.run)
    assert outage.refused == 1                   # the retry was decided without the database
    (asked,) = retries
    assert asked["kwargs"]["release"].endswith(f"#{__import__('os').getpid()}") and asked["countdown"] <= 15
    assert Submission.objects.get(pk=submission.pk).status == Status.RUNNING
    assert grade_submission(*asked["args"], **asked["kwargs"]) == "graded"     # the database is back
    submission.refresh_from_db()
    assert submission.status == Status.GRADED and submission.tries == 2
    assert submission.current_result.score == 6 and Result.objects.filter(submission=submission).count() == 1


def test_a_delivery_that_finds_the_database_down_retries_without_a_claim(retries, student, offering, solution_bytes):
    submission = submission_create(student=student, offering=offering, filename="adder.py", content=solution_bytes)
    with connection.execute_wrapper(DatabaseGoesDown()), pytest.raises(Retry):
        grade_submission(submission.pk, submission.run)
    assert retries[0]["kwargs"]["release"] == "" and retries[0]["kwargs"]["outages"] == 1
    assert grade_submission(*retries[0]["args"], **retries[0]["kwargs"]) == "graded"


def test_a_result_the_host_spoiled_is_graded_again_and_never_stored(retries, settings, student, offering,
                                                                     solution_bytes):
    settings.SEQLAB_ENGINE = "tests.web.flaky_engine.FlakyEngine"
    flaky_engine.seen.clear()
    submission = submission_create(student=student, offering=offering, filename="adder.py", content=solution_bytes)
    with pytest.raises(Retry):
        grade_submission(submission.pk, submission.run)
    assert not Result.objects.filter(submission=submission).exists()
    (asked,) = retries
    assert asked["kwargs"]["faults"] == 1 and "SIGKILL" in asked["kwargs"]["error"]
    assert grade_submission(*asked["args"], **asked["kwargs"]) == "graded"
    submission.refresh_from_db()
    assert submission.status == Status.GRADED and submission.current_result.score == 6


def test_an_attempt_the_infrastructure_failed_does_not_use_up_the_students_attempts(student, offering,
                                                                                   solution_bytes):
    offering.max_submissions = 1
    offering.save()
    failed = submission_create(student=student, offering=offering, filename="adder.py", content=solution_bytes)
    Submission.objects.filter(pk=failed.pk).update(status=Status.ERROR, error="sandbox host unreachable")
    submission_create(student=student, offering=offering, filename="adder.py", content=solution_bytes)
    with pytest.raises(SubmissionRefused):
        submission_create(student=student, offering=offering, filename="adder.py", content=solution_bytes)


def test_a_submission_posted_while_the_database_is_down_gets_503_with_retry_after(student, offering,
                                                                                  solution_bytes):
    client = Client(raise_request_exception=False)
    client.force_login(student)
    url = reverse("api:offering_submissions", args=[offering.pk])
    with connection.execute_wrapper(DatabaseGoesDown()):
        response = client.post(url, {"filename": "adder.py", "content": solution_bytes.decode()},
                               content_type="application/json")
        page = client.get(reverse("courses:home"))
    assert response.status_code == 503 and int(response["Retry-After"]) > 0
    assert response.json()["error"] == "unavailable"
    assert page.status_code == 503 and "Retry-After" in page
    assert not Submission.objects.exists()
