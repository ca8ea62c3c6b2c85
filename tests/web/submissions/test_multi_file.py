"""Assignments that take several files (the transformer: transformer.py and diagram.dot)."""
import base64
import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from seqlab.accounts.services import token_rotate
from seqlab.blobs.models import Blob
from seqlab.submissions.models import Status, Submission
from seqlab.submissions.services import SubmissionRefused, submission_create_files, submission_grade
from seqlab.submissions.uploads import UploadFile

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[3]
TRANSFORMER = REPO / "assignments" / "transformer"
REFERENCE = (REPO / "reference" / "transformer.py").read_bytes()
DIAGRAM = (TRANSFORMER / "solution" / "diagram.dot").read_bytes()
HOSTILE = Path(__file__).resolve().parents[1] / "files" / "hostile"


@pytest.fixture
def transformer(course, instructor):
    from seqlab.courses.services import assignment_sync, offering_save
    now = timezone.now()
    return offering_save(actor=instructor, course=course, assignment=assignment_sync(path=TRANSFORMER).assignment,
                         release_at=now - timedelta(days=1), due_at=now + timedelta(days=7), cooldown_seconds=0)


@pytest.fixture
def real_engine(settings):
    settings.SEQLAB_ENGINE = "graders.engine.Engine"


def _graded(submission_id: int) -> Submission:
    submission_grade(submission_id=submission_id, run=1, worker="test")
    return Submission.objects.select_related("current_result").get(pk=submission_id)


@pytest.mark.slow
def test_transformer_reference_earns_full_marks_through_the_submit_form(client, student, transformer, real_engine):
    client.force_login(student)
    response = client.post(reverse("submissions:submit", args=[transformer.pk]), {
        "mode": "upload", "file": [SimpleUploadedFile("transformer.py", REFERENCE),
                                   SimpleUploadedFile("diagram.dot", DIAGRAM)]})
    submission = Submission.objects.get()
    assert response.url == reverse("submissions:detail", args=[submission.pk])
    graded = _graded(submission.pk)
    assert graded.status == Status.GRADED
    assert graded.current_result.score == graded.current_result.max_score == 58


@pytest.mark.slow
def test_transformer_reference_earns_full_marks_through_the_api(student, transformer, real_engine):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_rotate(user=student).key}")
    body = {"files": [{"filename": "transformer.py", "content_base64": base64.b64encode(REFERENCE).decode()},
                      {"filename": "diagram.dot", "content_base64": base64.b64encode(DIAGRAM).decode()}]}
    response = api.post(f"/api/offerings/{transformer.pk}/submissions/", body, format="json")
    assert response.status_code == 201, response.json()
    graded = _graded(response.json()["id"])
    assert graded.current_result.score == graded.current_result.max_score == 58


def test_several_files_are_stored_as_one_zip_the_engine_unpacks(student, transformer):
    sub = submission_create_files(student=student, offering=transformer, files=[
        UploadFile("diagram.dot", DIAGRAM), UploadFile("transformer.py", REFERENCE)])
    archive = zipfile.ZipFile(io.BytesIO(bytes(sub.blob.data)))
    assert sub.filename == "transformer.zip"
    assert [i.filename for i in archive.infolist()] == ["transformer.py", "diagram.dot"]
    assert archive.read("diagram.dot") == DIAGRAM


def test_api_takes_several_multipart_file_parts(student, transformer):
    api = APIClient()
    api.force_authenticate(student)
    response = api.post(f"/api/offerings/{transformer.pk}/submissions/", {
        "file": [SimpleUploadedFile("transformer.py", REFERENCE), SimpleUploadedFile("diagram.dot", DIAGRAM)]},
        format="multipart")
    assert response.status_code == 201, response.json()
    assert response.json()["filename"] == "transformer.zip"


def test_a_zip_holding_both_files_is_accepted_from_the_form(client, student, transformer):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("work/transformer.py", REFERENCE)
        archive.writestr("work/diagram.dot", DIAGRAM)
    client.force_login(student)
    client.post(reverse("submissions:submit", args=[transformer.pk]),
                {"mode": "upload", "file": SimpleUploadedFile("mine.zip", buffer.getvalue())})
    assert Submission.objects.get().filename == "mine.zip"


@pytest.mark.parametrize("files,code", [
    ([("transformer.py", REFERENCE), ("notes.txt", b"hi")], "file_type"),
    ([("transformer.py", REFERENCE), ("other.py", REFERENCE)], "file_type"),
    ([("transformer.py", REFERENCE), ("transformer.py", REFERENCE)], "bad_filename"),
    ([("diagram.dot", DIAGRAM)], "bad_upload"),
    ([("../transformer.py", REFERENCE), ("diagram.dot", DIAGRAM)], "bad_filename"),
], ids=["unknown-name", "two-code-files", "same-name-twice", "no-code-file", "path-in-name"])
def test_files_are_checked_against_the_assignments_names(student, transformer, files, code):
    blobs = Blob.objects.count()
    with pytest.raises(SubmissionRefused) as refused:
        submission_create_files(student=student, offering=transformer, files=[UploadFile(*f) for f in files])
    assert refused.value.code == code and str(refused.value)
    assert not Submission.objects.exists() and Blob.objects.count() == blobs


@pytest.mark.parametrize("hostile", sorted(p.name for p in HOSTILE.glob("zip-*.zip")))
def test_hostile_zips_are_refused_with_a_message_and_nothing_stored(student, transformer, hostile):
    blobs = Blob.objects.count()
    with pytest.raises(SubmissionRefused) as refused:
        submission_create_files(student=student, offering=transformer,
                                files=[UploadFile(hostile, (HOSTILE / hostile).read_bytes())])
    assert refused.value.code == "bad_upload" and "zip" in str(refused.value)
    assert not Submission.objects.exists() and Blob.objects.count() == blobs


def test_detail_page_shows_each_file_of_a_zip(client, student, transformer):
    sub = submission_create_files(student=student, offering=transformer, files=[
        UploadFile("transformer.py", REFERENCE), UploadFile("diagram.dot", DIAGRAM)])
    client.force_login(student)
    html = client.get(reverse("submissions:detail", args=[sub.pk])).content.decode()
    assert "diagram.dot" in html and "digraph" in html and "EncoderLayer" in html


def test_submit_form_asks_for_every_file_the_assignment_names(client, student, transformer):
    client.force_login(student)
    html = client.get(reverse("courses:offering", args=[transformer.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="file" multiple accept=".py,.ipynb,.zip,.dot"' in html
    assert "transformer.py, diagram.dot" in html


def test_the_api_lists_the_extra_files_an_assignment_takes(student, transformer):
    api = APIClient()
    api.force_authenticate(student)
    [listed] = api.get("/api/assignments/").json()["assignments"]
    assert (listed["file"], listed["extra_files"]) == ("transformer.py", ["diagram.dot"])
