"""The student's pages: statement by language, submit by upload, paste or notebook, live status."""
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from seqlab.submissions.models import Kind, Submission
from seqlab.submissions.services import submission_grade

pytestmark = pytest.mark.django_db


def test_statement_follows_the_browser_language_with_math_and_highlighting(client, student, offering):
    client.force_login(student)
    url = reverse("courses:offering", args=[offering.pk])
    ko = client.get(url, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    en = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "덧셈 연습" in ko and "채점 제출" in ko and "<math" in ko and 'class="highlight"' in ko
    assert "Adding practice" in en and "Submit for grading" in en


def test_language_switch_overrides_the_browser(client, student, offering):
    client.force_login(student)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("courses:offering", args=[offering.pk]), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "Submit for grading" in html


def test_starter_download_is_the_stored_starter(client, student, offering):
    client.force_login(student)
    response = client.get(reverse("courses:starter", args=[offering.pk]))
    assert b"def add(a, b)" in response.content and 'filename="adder.py"' in response["Content-Disposition"]


NOTEBOOK = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
            "cells": [{"cell_type": "code", "id": "c1", "metadata": {}, "outputs": [], "execution_count": None,
                       "source": "def add(a, b):\n    return a + b\n"}]}


@pytest.mark.parametrize("mode,payload,kind,name", [
    ("upload", {"file": SimpleUploadedFile("adder.py", b"def add(a, b):\n    return a + b\n")}, Kind.UPLOAD, "adder.py"),
    ("paste", {"code": "def add(a, b):\r\n    return a + b\r\n"}, Kind.PASTE, "adder.py"),
    ("notebook", {"file": SimpleUploadedFile("work.ipynb", json.dumps(NOTEBOOK).encode())}, Kind.NOTEBOOK, "work.ipynb"),
])
def test_three_ways_to_submit(client, student, offering, mode, payload, kind, name):
    client.force_login(student)
    response = client.post(reverse("submissions:submit", args=[offering.pk]), {"mode": mode, **payload})
    submission = Submission.objects.get()
    assert response.url == reverse("submissions:detail", args=[submission.pk])
    assert (submission.kind, submission.filename) == (kind, name)
    assert b"\r" not in bytes(submission.blob.data)


def test_refused_submission_explains_why(client, student, offering):
    offering.max_submissions = 0
    offering.save()
    client.force_login(student)
    response = client.post(reverse("submissions:submit", args=[offering.pk]), {"mode": "paste", "code": "x = 1"},
                           follow=True, HTTP_ACCEPT_LANGUAGE="ko")
    assert "제출 기회 0번을 모두 사용했습니다" in response.content.decode()


def test_live_fragment_polls_until_graded_then_stops(client, student, offering, solution_bytes):
    client.force_login(student)
    client.post(reverse("submissions:submit", args=[offering.pk]), {"mode": "paste", "code": solution_bytes.decode()})
    submission = Submission.objects.get()
    live = reverse("submissions:live", args=[submission.pk])
    assert 'hx-trigger="every 1s"' in client.get(live).content.decode()
    submission_grade(submission_id=submission.id, run=1, worker="t")
    html = client.get(live).content.decode()
    assert "hx-trigger" not in html and 'data-status="graded"' in html


def test_artifact_images_of_shown_checks_are_served(client, student, graded):
    client.force_login(student)
    artifact = graded.current_result.artifacts.get()
    response = client.get(reverse("submissions:artifact", args=[graded.pk, artifact.pk]))
    assert response["Content-Type"] == "image/png" and response.content.startswith(b"\x89PNG")
    html = client.get(reverse("submissions:detail", args=[graded.pk])).content.decode()
    assert reverse("submissions:artifact", args=[graded.pk, artifact.pk]) in html
