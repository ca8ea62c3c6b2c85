"""Pictures from grading sit beside the check that made them, under that check's visibility;
SVG is only ever an <img> of a sandboxed response, never markup inlined into the page."""
import re
from dataclasses import replace
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from graders.contracts import Artifact as EngineArtifact
from graders.contracts import Job
from seqlab.courses.services import assignment_version_materialize
from seqlab.submissions.models import Submission
from seqlab.submissions.services import result_store, submission_create
from tests.web.fake_engine import PNG_1PX, FakeEngine

pytestmark = pytest.mark.django_db
SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20" onload="alert(1)">'
       b'<script>alert(2)</script><rect width="20" height="20" fill="teal"/></svg>')


@pytest.fixture
def pictured(student, offering, wrong_bytes):
    """A graded attempt with a heat map on the visible check and SVG diagrams on two withheld ones."""
    sub = submission_create(student=student, offering=offering, filename="adder.py", content=wrong_bytes)
    folder = assignment_version_materialize(version=sub.version, cache_dir=settings.SEQLAB_CACHE_DIR)
    result = FakeEngine().grade(Job(str(folder), sub.filename, wrong_bytes))
    names = {t.visibility: t.name for t in result.tests}
    result = replace(result, artifacts=(
        EngineArtifact("heat.png", "image/png", PNG_1PX, check=names["visible"], caption="attention weights"),
        EngineArtifact("due.svg", "image/svg+xml", SVG, check=names["after_due_date"], caption="due diagram"),
        EngineArtifact("secret.svg", "image/svg+xml", SVG, check=names["hidden"], caption="hidden diagram")))
    result_store(submission=sub, run=1, result=result)
    return Submission.objects.get(pk=sub.pk)


def _url(sub, name):
    return reverse("submissions:artifact", args=[sub.pk, sub.current_result.artifacts.get(name=name).pk])


def _check_item(html, check_name):
    """The <li> of one check on the feedback page."""
    start = html.index(f'<span class="name">{check_name}</span>')
    end = html.find('<li class="check', start)
    return html[start:end if end != -1 else len(html)]


def test_a_visible_checks_picture_is_shown_beside_that_check(client, student, pictured):
    client.force_login(student)
    html = client.get(reverse("submissions:detail", args=[pictured.pk])).content.decode()
    item = _check_item(html, "add: small integers")
    assert f'<img src="{_url(pictured, "heat.png")}?lang=en"' in item and "attention weights" in item
    assert client.get(_url(pictured, "heat.png"))["Content-Type"] == "image/png"


def test_a_withheld_checks_picture_is_neither_shown_nor_served_before_its_time(client, student, pictured, offering):
    client.force_login(student)
    html = client.get(reverse("submissions:detail", args=[pictured.pk])).content.decode()
    for name in ("due.svg", "secret.svg"):
        assert _url(pictured, name) not in html and client.get(_url(pictured, name)).status_code == 404
    assert "due diagram" not in html and "hidden diagram" not in html

    offering.due_at = timezone.now() - timedelta(minutes=1)        # the after_due_date check is now shown
    offering.save()
    html = client.get(reverse("submissions:detail", args=[pictured.pk])).content.decode()
    assert _url(pictured, "due.svg") in html and client.get(_url(pictured, "due.svg")).status_code == 200
    assert _url(pictured, "secret.svg") not in html and client.get(_url(pictured, "secret.svg")).status_code == 404
    api = client.get(reverse("api:submission", args=[pictured.pk])).json()
    assert {a["name"] for a in api["feedback"]["artifacts"]} == {"heat.png", "due.svg"}


def test_staff_see_every_picture(client, ta, pictured):
    client.force_login(ta)
    html = client.get(reverse("submissions:detail", args=[pictured.pk])).content.decode()
    assert all(_url(pictured, n) in html for n in ("heat.png", "due.svg", "secret.svg"))


def test_svg_is_an_img_of_a_sandboxed_response_never_inline_markup(client, ta, pictured):
    client.force_login(ta)
    html = client.get(reverse("submissions:detail", args=[pictured.pk])).content.decode()
    assert "<svg" not in html and "alert(" not in html
    assert re.search(rf'<img src="{re.escape(_url(pictured, "secret.svg"))}\?lang=en"', html)
    response = client.get(_url(pictured, "secret.svg"))
    csp = response["Content-Security-Policy"]
    assert response["Content-Type"] == "image/svg+xml" and response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in csp and "sandbox" in csp and "script-src" not in csp
    assert response["Content-Disposition"].startswith("inline;")
