"""Histograms: drawn only when there are graded submissions, with their numbers as text, and drawn
once per assignment version and state of the grades (Django's cache)."""
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from seqlab.courses.services import offering_save
from seqlab.gradebook import charts
from seqlab.gradebook.services import override_clear, override_set
from tests.web.gradebook.helpers import graded, page

pytestmark = pytest.mark.django_db


@pytest.fixture
def draws(monkeypatch):
    """Counts the histograms actually drawn (matplotlib), the cached ones excluded."""
    calls = []
    real = charts.histogram_png

    def counting(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(charts, "histogram_png", counting)
    return calls


def _png(client, instructor, offering):
    client.force_login(instructor)
    response = client.get(reverse("gradebook:histogram", args=[offering.pk]))
    assert response.status_code == 200 and response.content.startswith(b"\x89PNG")
    return response.content


def test_no_graded_submission_means_text_not_an_empty_picture(client, course, instructor, offering):
    html = page(client, instructor, reverse("gradebook:gradebook", args=[course.slug]))
    assert "no graded submissions yet" in html
    assert reverse("gradebook:histogram", args=[offering.pk]) not in html


def test_a_chart_comes_with_its_counts_per_band(client, course, instructor, student, other_student, offering,
                                                 solution_bytes, wrong_bytes):
    graded(student, offering, solution_bytes)
    graded(other_student, offering, wrong_bytes)
    html = page(client, instructor, reverse("gradebook:gradebook", args=[course.slug]))
    assert reverse("gradebook:histogram", args=[offering.pk]) in html
    assert re.search(r'alt="Score histogram of Adding practice: 2 students, median 6 of 6 points', html)
    bands = re.findall(r"<tr><td>([\d.]+)–([\d.]+)</td><td class=\"num\">(\d+)</td></tr>", html)
    assert len(bands) == 10 and sum(int(n) for _, _, n in bands) == 2
    assert ("1.8", "2.4", "1") in bands and ("5.4", "6", "1") in bands


def test_the_picture_is_drawn_once_until_a_grade_changes(client, instructor, ta, student, offering,
                                                          solution_bytes, wrong_bytes, draws):
    sub = graded(student, offering, wrong_bytes)
    first = _png(client, instructor, offering)
    assert _png(client, instructor, offering) == first and len(draws) == 1
    override_set(actor=ta, submission=sub, check_number="", score=6, comment="regrade accepted")
    _png(client, instructor, offering)
    assert len(draws) == 2 and draws[-1]["scores"] == [6.0]
    override_clear(actor=ta, submission=sub, check_number="", comment="withdrawn")
    assert _png(client, instructor, offering) == first and len(draws) == 2      # the grades are as at first
    graded(student, offering, solution_bytes)                          # a new result stored
    _png(client, instructor, offering)
    assert len(draws) == 3 and draws[-1]["scores"] == [6.0]


def test_editing_the_late_policy_redraws_the_picture(client, course, instructor, student, offering,
                                                     solution_bytes, draws):
    graded(student, offering, solution_bytes, late_days=1)
    _png(client, instructor, offering)
    offering_save(actor=instructor, course=course, assignment=offering.assignment, offering=offering,
                  late_penalty_per_day=Decimal("0.5"))
    _png(client, instructor, offering)
    assert len(draws) == 2 and draws[-1]["scores"] == [3.0]


def test_each_language_gets_its_own_picture(client, instructor, student, offering, solution_bytes, draws):
    graded(student, offering, solution_bytes)
    client.force_login(instructor)
    for lang in ("en", "ko", "en"):
        client.get(reverse("gradebook:histogram", args=[offering.pk]), HTTP_ACCEPT_LANGUAGE=lang)
    assert [d["title"] for d in draws] == ["Adding practice", "덧셈 연습"]
