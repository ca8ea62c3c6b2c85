"""Hostile values on the staff's insight pages: mistake ids drawn in pictures and written to CSV,
and pictures cached for one reader served to another."""
import csv
import io

import pytest
from django.urls import reverse

from seqlab.insight import charts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    from django.core.cache import cache
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("name", ["insight:heat_png", "insight:timeline_png"])
def test_a_mistake_id_with_dollar_signs_draws_as_text_not_a_500(client, ta, offering, student, attempt, name):
    attempt(student, {"1.1": ["$x^{$"]})
    client.force_login(ta)
    response = client.get(reverse(name, args=[offering.pk]))
    assert response.status_code == 200 and response.content[:4] == b"\x89PNG"


def test_each_language_gets_its_own_picture(client, ta, offering, student, attempt, monkeypatch):
    attempt(student, {"1.1": ["adder/sign"]})
    titles = []
    real = charts.heat_png

    def counting(themap, *, title):
        titles.append(title)
        return real(themap, title=title)

    monkeypatch.setattr(charts, "heat_png", counting)
    client.force_login(ta)
    for lang in ("ko", "en", "ko", "en"):
        assert client.get(reverse("insight:heat_png", args=[offering.pk]), HTTP_ACCEPT_LANGUAGE=lang).status_code == 200
    assert len(titles) == 2 and titles[0] != titles[1]
    assert titles[1] == "Students whose attempt shows each mistake, per check"


@pytest.mark.parametrize("mistake", [" =HYPERLINK(\"http://x\")", "＝1+1", "\n=1+1", "  @SUM(A1)"])
def test_no_mistake_cell_starts_a_formula_behind_spaces_or_full_width_signs(client, instructor, offering, student,
                                                                            attempt, mistake):
    attempt(student, {"1.1": [mistake]})
    client.force_login(instructor)
    rows = list(csv.reader(io.StringIO(client.get(reverse("insight:csv", args=[offering.pk])).content.decode())))
    assert ["'" + mistake] == [r[0] for r in rows[1:]]


@pytest.mark.parametrize("value", ["\x00", "a\x00b", "1e309", "NaN", "²", "9" * 400, "", "<script>"])
@pytest.mark.parametrize("basis", ["latest", "counted", "\x00", ""])
def test_any_mistake_or_basis_in_the_query_is_a_page_not_a_500(client, ta, offering, student, attempt, value, basis):
    attempt(student, {"1.1": ["adder/sign"]})
    client.force_login(ta)
    response = client.get(reverse("insight:mistake", args=[offering.pk]), {"m": value, "basis": basis})
    assert response.status_code == 200 and "<script>" not in response.content.decode()
