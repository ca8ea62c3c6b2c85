"""Every staff and student page renders for every state and kind of a submission."""
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from seqlab.blobs.services import blob_store
from seqlab.submissions.models import Result, Submission

pytestmark = pytest.mark.django_db
STATES = ("queued", "running", "graded", "rejected", "error", "graded-no-result", "rejected-no-result")
KINDS = ("code", "quiz", "written")
HOSTILE_ANSWERS = ('{"weight": ' + "[" * 50_000 + "]" * 50_000 + "}").encode()

STUDENT_PAGES = ("submissions:detail", "submissions:live", "submissions:source")
STAFF_PAGES = ("gradebook:review_detail",)


@pytest.fixture
def offerings(offering, quiz_offering, written_offering):
    return {"code": offering, "quiz": quiz_offering, "written": written_offering}


def _content(kind: str, hostile: bool) -> tuple[str, bytes]:
    if kind == "code":
        return "adder.py", b"def add(a, b):\n    return a + b\n"
    if hostile:
        return "answers.json", HOSTILE_ANSWERS
    return "answers.json", json.dumps({"weight": "0.02715", "scale": "sqrt", "explain": "because"}).encode()


def _submission(student, offering, kind: str, state: str, hostile: bool = False) -> Submission:
    now = timezone.now()
    filename, content = _content(kind, hostile)
    status = state.split("-")[0]
    sub = Submission.objects.create(
        offering=offering, student=student, number=Submission.objects.filter(student=student).count() + 1,
        blob=blob_store(data=content), filename=filename, kind="answers" if kind != "code" else "upload",
        version=offering.assignment.current_version, submitted_at=now, queued_at=now, status=status,
        started_at=now if status != "queued" else None)
    if status in ("graded", "rejected") and not state.endswith("no-result"):
        result = Result.objects.create(
            submission=sub, run=1, version=sub.version, score=0, max_score=6, gradable=status == "graded",
            tests=[] if status == "rejected" else [{"number": "1", "name": "q", "score": 0, "max_score": 3,
                                                    "status": "failed", "output": "x", "visibility": "visible"}],
            format_errors=["broken"] if status == "rejected" else [])
        sub.current_result = result
        sub.save()
    return sub


def _pages(client, user, names, sub, offering):
    client.force_login(user)
    for name in names:
        url = reverse(name, args=[sub.pk])
        assert client.get(url).status_code == 200, url
    for url in (reverse("courses:offering", args=[offering.pk]), reverse("courses:course", args=[offering.course.slug])):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("state", STATES)
def test_every_page_renders_for_every_state_and_kind(client, student, ta, instructor, offerings, kind, state):
    offering = offerings[kind]
    sub = _submission(student, offering, kind, state)
    _pages(client, student, STUDENT_PAGES, sub, offering)
    for staff in (ta, instructor):
        _pages(client, staff, STUDENT_PAGES + STAFF_PAGES, sub, offering)
    client.force_login(instructor)
    course = offering.course.slug
    for url in (reverse("gradebook:review", args=[course]), reverse("gradebook:gradebook", args=[course]),
                reverse("gradebook:gradebook_csv", args=[course]), reverse("gradebook:written", args=[offering.pk]),
                reverse("gradebook:offering_edit", args=[offering.pk]), reverse("gradebook:histogram", args=[offering.pk])):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("kind", ("quiz", "written"))
@pytest.mark.parametrize("state", ("queued", "graded", "error"))
def test_pages_render_for_an_answers_document_stored_before_it_was_checked(client, student, ta, offerings, kind, state):
    offering = offerings[kind]
    sub = _submission(student, offering, kind, state, hostile=True)
    _pages(client, student, STUDENT_PAGES, sub, offering)
    _pages(client, ta, STUDENT_PAGES + STAFF_PAGES, sub, offering)


@pytest.mark.parametrize("value", ["²", "-1", "1e3", "x", "99999999999999999999999", "", "١"])
def test_review_filter_with_any_offering_value_is_not_a_500(client, ta, course, graded, value):
    client.force_login(ta)
    response = client.get(reverse("gradebook:review", args=[course.slug]), {"offering": value})
    assert response.status_code in (200, 400, 404)
