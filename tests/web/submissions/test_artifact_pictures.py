"""Pictures are served in the reader's language: the Korean drawing to a Korean reader, the English
one to an English reader, and a browser's cache cannot show one language's picture in the other."""
import re
from dataclasses import replace

import pytest
from django.conf import settings
from django.urls import reverse

from graders.contracts import Artifact as EngineArtifact
from graders.i18n import T
from seqlab.blobs.services import blob_store
from seqlab.submissions.models import Artifact, Submission
from seqlab.submissions.services import result_store, submission_create
from tests.web.fake_engine import FakeEngine

pytestmark = pytest.mark.django_db
EN = b"\x89PNG\r\n\x1a\n" + b"english drawing"
KO = b"\x89PNG\r\n\x1a\n" + b"korean drawing"


@pytest.fixture
def drawn(student, offering, solution_bytes):
    """A graded attempt whose engine result carries a picture drawn in English and in Korean."""
    from graders.contracts import Job
    from seqlab.courses.services import assignment_version_materialize
    sub = submission_create(student=student, offering=offering, filename="adder.py", content=solution_bytes)
    folder = assignment_version_materialize(version=sub.version, cache_dir=settings.SEQLAB_CACHE_DIR)
    result = FakeEngine().grade(Job(str(folder), sub.filename, solution_bytes))
    result = replace(result, artifacts=(
        EngineArtifact("curve.png", "image/png", EN, caption=T("loss", "손실"), localized=(("ko", KO),)),
        EngineArtifact("same.png", "image/png", b"\x89PNG same in both", caption=T("table", "표"))))
    result_store(submission=sub, run=1, result=result)
    return Submission.objects.get(pk=sub.pk)


def _src(html, name):
    """The src of the <img> of the picture called `name` on a feedback page."""
    pk = Artifact.objects.get(name=name).pk
    found = re.findall(r'<img src="([^"]*/artifacts/%d/[^"]*)"' % pk, html)
    assert len(found) == 1, found
    return found[0]


def test_the_result_keeps_the_korean_drawing_beside_the_english_one(drawn):
    curve, same = (drawn.current_result.artifacts.get(name=n) for n in ("curve.png", "same.png"))
    assert bytes(curve.blob.data) == EN and bytes(curve.blob_ko.data) == KO
    assert same.blob_ko is None and bytes(same.blob_in("ko").data) == b"\x89PNG same in both"


def test_a_korean_reader_sees_the_korean_picture_and_an_english_reader_the_english_one(client, student, drawn):
    client.force_login(student)
    page = reverse("submissions:detail", args=[drawn.pk])
    ko_src = _src(client.get(page, HTTP_ACCEPT_LANGUAGE="ko").content.decode(), "curve.png")
    en_src = _src(client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode(), "curve.png")
    assert ko_src != en_src                      # a picture cached in one language is never shown in the other
    assert client.get(ko_src).content == KO
    assert client.get(en_src).content == EN
    # Switching the language on the site (the language cookie) switches the picture too.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get(_src(client.get(page).content.decode(), "curve.png")).content == EN
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    assert client.get(_src(client.get(page).content.decode(), "curve.png")).content == KO


def test_a_picture_that_reads_the_same_has_one_address(client, student, drawn):
    client.force_login(student)
    page = reverse("submissions:detail", args=[drawn.pk])
    ko_src = _src(client.get(page, HTTP_ACCEPT_LANGUAGE="ko").content.decode(), "same.png")
    assert ko_src == _src(client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode(), "same.png")
    assert client.get(ko_src).content == b"\x89PNG same in both"


def test_without_a_named_language_the_reader_s_language_decides_and_caches_are_told(client, student, drawn):
    client.force_login(student)
    url = reverse("submissions:artifact", args=[drawn.pk, Artifact.objects.get(name="curve.png").pk])
    ko = client.get(url, HTTP_ACCEPT_LANGUAGE="ko")
    en = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert (ko.content, en.content) == (KO, EN)
    for response in (ko, en):
        vary = {v.strip().lower() for v in response["Vary"].split(",")}
        assert {"accept-language", "cookie"} <= vary
    assert client.get(url + "?lang=xx", HTTP_ACCEPT_LANGUAGE="en").content == EN


def test_an_older_picture_without_a_korean_drawing_is_shown_in_english(client, student, graded):
    old = Artifact.objects.create(result=graded.current_result, name="old.png", media_type="image/png",
                                  caption="an old picture", blob=blob_store(data=EN))
    client.force_login(student)
    html = client.get(reverse("submissions:detail", args=[graded.pk]), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    src = _src(html, "old.png")
    assert src.endswith("?lang=en") and client.get(src).content == EN
    url = reverse("submissions:artifact", args=[graded.pk, old.pk])
    assert client.get(url + "?lang=ko").content == EN and client.get(url, HTTP_ACCEPT_LANGUAGE="ko").content == EN


def test_a_withheld_picture_stays_withheld_in_either_language(client, student, drawn):
    Artifact.objects.filter(name="curve.png").update(check_name="a check that does not exist")
    client.force_login(student)
    url = reverse("submissions:artifact", args=[drawn.pk, Artifact.objects.get(name="curve.png").pk])
    assert client.get(url + "?lang=ko").status_code == 404 and client.get(url + "?lang=en").status_code == 404
