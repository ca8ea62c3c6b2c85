"""What a student stores costs the site a bounded amount: uploads the engine would refuse are
refused before storing, pages highlight a bounded part, downloads send safe headers."""

import pytest
from django.urls import reverse
from django.utils import timezone

from seqlab.blobs.services import blob_store
from seqlab.submissions.models import Submission
from seqlab.submissions.services import SubmissionRefused, submission_create
from seqlab.submissions.source import HIGHLIGHT_MAX_BYTES, HIGHLIGHT_MAX_LINES, source_files

pytestmark = pytest.mark.django_db
TWO_MB_SOURCE = b"x = 1  # padding\n" * (2 * 1024 * 1024 // 17)


def _stored(student, offering, *, filename: str, content: bytes) -> Submission:
    """A row as an older site stored it, without today's checks."""
    now = timezone.now()
    return Submission.objects.create(
        offering=offering, student=student, number=Submission.objects.count() + 1, blob=blob_store(data=content),
        filename=filename, version=offering.assignment.current_version, submitted_at=now, queued_at=now)


def test_source_larger_than_the_engine_takes_is_refused_with_the_engines_message(student, offering, settings):
    settings.SEQLAB_MAX_UPLOAD_BYTES = 4 * 1024 * 1024
    with pytest.raises(SubmissionRefused) as refused:
        submission_create(student=student, offering=offering, filename="adder.py", content=TWO_MB_SOURCE)
    assert "the limit is 1024 KiB" in str(refused.value)        # graders/stages/upload.py's words
    assert not Submission.objects.exists()


@pytest.mark.parametrize("content,words", [
    (b"x = 1\n\0\n", "NUL bytes"),
    ("x = '한국어'\n".encode("euc-kr"), "not UTF-8"),
    (b"\n\n", "empty"),
], ids=["nul", "not-utf8", "blank"])
def test_upload_the_engine_would_refuse_is_refused_before_storing(student, offering, content, words):
    with pytest.raises(SubmissionRefused) as refused:
        submission_create(student=student, offering=offering, filename="adder.py", content=content)
    assert words in str(refused.value) and not Submission.objects.exists()


def test_a_stored_two_megabyte_source_is_highlighted_only_up_to_the_bound(client, student, offering):
    sub = _stored(student, offering, filename="adder.py", content=TWO_MB_SOURCE)
    [view] = source_files(filename=sub.filename, data=TWO_MB_SOURCE)
    assert view.truncated and view.shown_bytes <= HIGHLIGHT_MAX_BYTES and view.total_bytes == len(TWO_MB_SOURCE)
    assert view.html.count('id="L-') <= HIGHLIGHT_MAX_LINES        # code lines shown (each has its anchor)
    client.force_login(student)
    response = client.get(reverse("submissions:detail", args=[sub.pk]))
    assert response.status_code == 200
    assert len(response.content) < 20 * HIGHLIGHT_MAX_BYTES         # not the 21.7 MB page
    assert reverse("submissions:source", args=[sub.pk]) in response.content.decode()


def test_highlighting_budget_is_shared_by_every_file_of_a_zip():
    import io
    import zipfile
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for i in range(10):
            archive.writestr(f"f{i}.py", b"y = 2\n" * 20_000)
    views = source_files(filename="t.zip", data=buffer.getvalue())
    assert len(views) == 10 and sum(v.shown_bytes for v in views) <= HIGHLIGHT_MAX_BYTES


@pytest.mark.parametrize("name", ['adder.py\r\nSet-Cookie: a=b', 'a"b.py', "ad\x00der.py", "한국어.py", "x\\..\\y.py"])
def test_download_of_any_stored_name_is_a_safe_attachment(client, student, ta, offering, name):
    from django.db import connection
    if "\x00" in name and connection.vendor == "postgresql":
        pytest.skip("PostgreSQL cannot store NUL in text at all (the API refuses such a name first)")
    sub = _stored(student, offering, filename=name, content=b"x = 1\n")
    for viewer in (student, ta):
        client.force_login(viewer)
        response = client.get(reverse("submissions:source", args=[sub.pk]))
        assert response.status_code == 200 and response.content == b"x = 1\n"
        header = response["Content-Disposition"]
        assert header.startswith("attachment; filename") and "\r" not in header and "\n" not in header
        assert "Set-Cookie" not in response.headers
        assert '"b.py' not in header or '\\"b.py' in header


def test_detail_page_of_a_stored_row_with_a_hostile_name_renders(client, student, offering):
    sub = _stored(student, offering, filename="adder.py\r\n<script>", content=b"x = 1\n")
    client.force_login(student)
    response = client.get(reverse("submissions:detail", args=[sub.pk]))
    assert response.status_code == 200 and b"<script>" not in response.content


def test_an_oversized_upload_is_not_kept_and_says_why(client, student, offering, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile
    settings.SEQLAB_MAX_UPLOAD_BYTES = 8 * 1024
    client.force_login(student)
    big = SimpleUploadedFile("adder.py", b"# pad\n" * 50_000)
    response = client.post(reverse("submissions:submit", args=[offering.pk]), {"mode": "upload", "file": big},
                           follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "larger than 8 KiB" in response.content.decode() and not Submission.objects.exists()


def test_an_oversized_api_upload_is_a_413(student, offering, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework.test import APIClient
    settings.SEQLAB_MAX_UPLOAD_BYTES = 8 * 1024
    api = APIClient()
    api.force_authenticate(student)
    response = api.post(f"/api/offerings/{offering.pk}/submissions/",
                        {"file": SimpleUploadedFile("adder.py", b"# pad\n" * 50_000)}, format="multipart",
                        HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413 and not Submission.objects.exists()
    assert response.json()["detail"].startswith("The upload is larger")      # stopped while arriving
