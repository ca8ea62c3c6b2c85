"""The misconception map: who shows which mistake now, who fixed it, what it costs, and when."""
import csv
import io

import pytest
from django.urls import reverse

from seqlab.insight.selectors import misconception_map

pytestmark = pytest.mark.django_db
SIGN, INT = "adder/sign", "adder/int"


@pytest.fixture
def klass(students, attempt, offering):
    """a fixes `sign` after 1 attempt, b after 2; c and d still show `int`; e made `sign` after a clean try."""
    offering.score_policy = "best"
    offering.save()
    a, b, c, d, e = students(5)
    attempt(a, {"1.1": [SIGN], "2.1": [SIGN]}, days_before=3)
    attempt(a, {}, days_before=1.2)
    attempt(b, {"1.1": [SIGN]}, days_before=2.5)
    attempt(b, {"1.1": [SIGN]}, days_before=2.2)
    attempt(b, {}, days_before=0.5)
    attempt(c, {"1.2": [INT]}, days_before=1.5)
    attempt(d, {"1.1": [SIGN], "1.2": [INT]}, days_before=1.1)
    attempt(e, {}, days_before=1.4)
    attempt(e, {"1.1": [SIGN]}, days_before=1.3)
    return a, b, c, d, e


def test_map_counts_latest_attempts_fixes_and_attempts_to_fix(klass, offering):
    themap = misconception_map(offering=offering)
    assert themap.students == 5
    rows = {r.mistake: r for r in themap.rows}
    sign, integer = rows[SIGN], rows[INT]
    assert (sign.students, sign.ever, sign.fixed, sign.attempts_to_fix) == (2, 4, 2, 1.5)
    assert sign.share == pytest.approx(0.4)
    assert (integer.students, integer.ever, integer.fixed, integer.attempts_to_fix) == (2, 2, 0, None)
    assert [(c.key, c.students, c.points_lost) for c in sign.checks] == [("1.1", 2, 2.0)]
    assert sign.text_ko == "부호가 반대입니다" and sign.points_lost == 2.0


def test_counted_basis_follows_the_gradebooks_best_attempt(klass, offering):
    rows = {r.mistake: r for r in misconception_map(offering=offering, basis="counted").rows}
    assert rows[SIGN].students == 1                 # e's counted attempt is the clean first one
    assert rows[INT].students == 2


def test_heat_map_and_timeline_numbers(klass, offering):
    themap = misconception_map(offering=offering)
    assert themap.heat == {(SIGN, "1.1"): 2, (INT, "1.2"): 2}
    assert [key for key, _ in themap.checks] == ["1.1", "1.2", "2.1"]
    assert themap.days == [3, 2, 1, 0]
    assert themap.timeline_row(SIGN) == [1, 1, 2, 0]        # a on day 3, b on day 2, d and e on day 1
    assert themap.timeline_row(INT) == [0, 0, 2, 0]
    assert themap.day_totals == [1, 1, 4, 1]


def test_the_cached_map_changes_as_soon_as_an_attempt_is_graded(klass, offering, attempt):
    first = misconception_map(offering=offering)
    attempt(klass[2], {}, days_before=0.2)                  # c fixes int
    second = misconception_map(offering=offering)
    assert first.version != second.version
    assert {r.mistake: r.fixed for r in second.rows}[INT] == 1


def test_map_page_shows_rows_pictures_and_the_numbers_as_tables(klass, client, ta, offering):
    client.force_login(ta)
    page = client.get(reverse("insight:map", args=[offering.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert SIGN in html and 'id="heat"' in html and 'id="timeline"' in html and "40%" in html
    for name in ("insight:heat_png", "insight:timeline_png"):
        png = client.get(reverse(name, args=[offering.pk]))
        assert png.status_code == 200 and png["Content-Type"] == "image/png" and png.content[:4] == b"\x89PNG"


def test_csv_export_has_one_row_per_mistake_and_no_formulas(klass, client, instructor, offering, students, attempt):
    (f,) = students(1, prefix="f")
    attempt(f, {"2.1": ["=HYPERLINK(\"x\")"]})
    client.force_login(instructor)
    response = client.get(reverse("insight:csv", args=[offering.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["mistake", "students", "share", "students_ever"] and rows[0][-3:] == ["1.1", "1.2", "2.1"]
    by_id = {r[0]: r for r in rows[1:]}
    assert by_id[SIGN][1:6] == ["2", "0.3333", "4", "2", "1.50"]
    assert "'=HYPERLINK(\"x\")" in by_id


def test_drill_down_lists_the_attempts_showing_the_mistake(klass, client, ta, offering):
    a, b, c, d, e = klass
    client.force_login(ta)
    page = client.get(reverse("insight:mistake", args=[offering.pk]), {"m": SIGN})
    html = page.content.decode()
    assert page.status_code == 200
    assert d.username in html and e.username in html and a.username not in html and b.username not in html
    assert reverse("gradebook:review_detail", args=[d.submissions.get().pk]) in html


@pytest.mark.parametrize("name", ["insight:map", "insight:heat_png", "insight:timeline_png", "insight:csv",
                                  "insight:mistake", "insight:similarity"])
def test_students_outsiders_and_other_courses_staff_never_see_insight(name, client, offering, student, outsider,
                                                                      other_ta, ta, instructor):
    url = reverse(name, args=[offering.pk])
    for user in (student, outsider, other_ta):
        client.force_login(user)
        assert client.get(url).status_code == 404, user
    for user in (ta, instructor):
        client.force_login(user)
        assert client.get(url).status_code == 200, user
    client.logout()
    assert client.get(url).status_code == 302


def test_course_index_links_every_offering_for_staff_only(client, offering, student, ta):
    url = reverse("insight:index", args=[offering.course.slug])
    client.force_login(student)
    assert client.get(url).status_code == 404
    client.force_login(ta)
    assert reverse("insight:map", args=[offering.pk]) in client.get(url).content.decode()


def test_a_hostile_mistake_id_is_escaped_in_every_table(client, ta, offering, student, attempt):
    attempt(student, {"1.1": ["<img src=x onerror=alert(1)>"]})
    client.force_login(ta)
    html = client.get(reverse("insight:map", args=[offering.pk])).content.decode()
    assert "<img src=x" not in html and html.count("&lt;img src=x onerror=alert(1)&gt;") >= 3
