"""Graded attempts for the gradebook tests, made through the same services a worker uses."""
from __future__ import annotations

from seqlab.submissions.models import Submission
from seqlab.submissions.services import submission_create, submission_grade


def graded(student, offering, content: bytes, late_days: int = 0) -> Submission:
    sub = submission_create(student=student, offering=offering, filename="adder.py", content=content)
    submission_grade(submission_id=sub.id, run=sub.run, worker="t")
    Submission.objects.filter(pk=sub.pk).update(late_days=late_days)
    sub.refresh_from_db()
    return sub


def page(client, user, url: str, lang: str = "en", **params) -> str:
    client.force_login(user)
    response = client.get(url, params, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()
