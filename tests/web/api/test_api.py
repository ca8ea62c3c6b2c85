"""The JSON API with per-user tokens, and the command-line client that uses it."""
import base64

import pytest
from rest_framework.test import APIClient

from client.cli import main as client_main
from seqlab.accounts.services import token_rotate
from seqlab.submissions.models import Submission
from seqlab.submissions.services import submission_grade

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(student):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_rotate(user=student).key}")
    return client


def test_assignment_list_shows_open_offerings(api, offering):
    data = api.get("/api/assignments/").json()
    assert [(a["slug"], a["file"], a["max_score"]) for a in data["assignments"]] == [("adder", "adder.py", 6)]


def test_submit_by_json_and_read_filtered_feedback(api, offering, solution_bytes):
    response = api.post(f"/api/offerings/{offering.pk}/submissions/",
                        {"filename": "adder.py", "content_base64": base64.b64encode(solution_bytes).decode()},
                        format="json")
    assert response.status_code == 201 and response.json()["status"] == "queued"
    sub_id = response.json()["id"]
    submission_grade(submission_id=sub_id, run=1, worker="t")
    data = api.get(f"/api/submissions/{sub_id}/").json()
    assert data["status"] == "graded"
    assert [t["number"] for t in data["feedback"]["tests"]] == ["1.1"]
    assert data["feedback"]["score"] is None and data["feedback"]["shown_score"] == 2
    assert sum(g["checks"] for g in data["feedback"]["withheld"]) == 3


def test_refusal_is_a_409_with_a_code(api, offering):
    offering.max_submissions = 0
    offering.save()
    response = api.post(f"/api/offerings/{offering.pk}/submissions/", {"content": "x = 1"}, format="json")
    assert response.status_code == 409 and response.json()["error"] == "limit"


def test_rotated_token_stops_working(student, offering):
    old = token_rotate(user=student).key
    token_rotate(user=student)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {old}")
    assert client.get("/api/assignments/").status_code == 401


@pytest.mark.django_db(transaction=True)
def test_cli_submits_and_reads_status(live_server, student, offering, solution_bytes, tmp_path, capsys):
    token = token_rotate(user=student).key
    path = tmp_path / "adder.py"
    path.write_bytes(solution_bytes)
    base = ["--url", live_server.url, "--token", token]
    assert client_main(base + ["submit", "adder", str(path), "--no-wait"]) == 0
    sub = Submission.objects.get()
    submission_grade(submission_id=sub.id, run=1, worker="t")
    assert client_main(base + ["status", "adder"]) == 0
    out = capsys.readouterr().out
    assert "submitted #1" in out and "PASS   1.1" in out and "shown checks: 2/2" in out


def test_cli_without_token_says_how_to_get_one(capsys):
    assert client_main(["--token", "", "list"]) == 2
    assert "SEQLAB_TOKEN" in capsys.readouterr().err
