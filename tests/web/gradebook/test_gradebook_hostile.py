"""Hostile values in what the gradebook draws and exports: titles a course author typed carelessly,
names a student chose."""
import pytest
from django.urls import reverse

from tests.web.gradebook.helpers import graded

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("title", ["$x^{$", r"Cost $\frac{1}$"])
def test_a_title_with_dollar_signs_draws_as_plain_text_not_a_500(client, instructor, student, offering,
                                                               solution_bytes, title):
    # matplotlib reads text between two $ as TeX: an unbalanced formula raised, a balanced one was mangled.
    offering.assignment.title_ko = offering.assignment.title_en = title
    offering.assignment.save()
    graded(student, offering, solution_bytes)
    client.force_login(instructor)
    response = client.get(reverse("gradebook:histogram", args=[offering.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and response.content.startswith(b"\x89PNG")


@pytest.mark.parametrize("penalty", ["-0.5", "-0.001", "1.5"])
def test_a_late_penalty_outside_0_to_1_is_refused_and_changes_nothing(client, instructor, offering, penalty):
    # A negative one paid late work more than on-time work, beyond the assignment's maximum.
    client.force_login(instructor)
    url = reverse("gradebook:offering_edit", args=[offering.pk])
    data = {"release_at": offering.release_at.strftime("%Y-%m-%dT%H:%M"),
            "due_at": offering.due_at.strftime("%Y-%m-%dT%H:%M"), "late_penalty_per_day": penalty,
            "cooldown_seconds": "0", "score_policy": "best"}
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and "between 0 and 1" in response.content.decode()
    offering.refresh_from_db()
    assert str(offering.late_penalty_per_day) == "0.100"
    data["late_penalty_per_day"] = "0.25"
    assert client.post(url, data).status_code == 302
    offering.refresh_from_db()
    assert str(offering.late_penalty_per_day) == "0.250"


def test_late_days_moving_from_one_student_to_another_redraw_the_histogram(client, instructor, student, other_student,
                                                                          offering, solution_bytes, wrong_bytes,
                                                                          monkeypatch):
    # An extension for one student and an earlier due date for the class can leave the sum of late days as it
    # was; the picture must still follow whose score lost what.
    from seqlab.gradebook import charts
    from seqlab.submissions.models import Submission
    drawn = []
    real = charts.histogram_png
    monkeypatch.setattr(charts, "histogram_png", lambda **kw: drawn.append(kw["scores"]) or real(**kw))
    full = graded(student, offering, solution_bytes, late_days=1)
    partial = graded(other_student, offering, wrong_bytes, late_days=0)
    client.force_login(instructor)
    url = reverse("gradebook:histogram", args=[offering.pk])
    assert client.get(url).status_code == 200
    Submission.objects.filter(pk=full.pk).update(late_days=0)
    Submission.objects.filter(pk=partial.pk).update(late_days=1)
    assert client.get(url).status_code == 200
    assert len(drawn) == 2 and sorted(drawn[0]) != sorted(drawn[1])


HOSTILE = ["\x00", "1e309", "NaN", "-1", "²", "１", "9" * 40, "", "<b>"]
PAGES = {"gradebook:gradebook": ("section",), "gradebook:review": ("offering", "section", "pending"),
         "gradebook:audit": ("offering", "student", "actor", "page"), "gradebook:gradebook_csv": ("format",),
         "gradebook:categories": (), "gradebook:offerings": ()}


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_query_values_on_staff_pages_are_answered_never_a_500(client, course, instructor, student, offering,
                                                                     solution_bytes, value):
    graded(student, offering, solution_bytes)
    client.force_login(instructor)
    for name, params in PAGES.items():
        for param in params:
            response = client.get(reverse(name, args=[course.slug]), {param: value})
            assert response.status_code in (200, 400), (name, param, response.status_code)
    for name in ("gradebook:publish", "gradebook:offering_edit", "gradebook:written"):
        response = client.get(reverse(name, args=[offering.pk]), {"student": value})
        assert response.status_code == 200, (name, response.status_code)


@pytest.mark.parametrize("field,value", [("release_at", "0001-01-01T00:00"), ("due_at", "9999-12-31T23:59"),
                                         ("hard_cutoff_at", "9999-12-31T23:59")])
def test_dates_at_the_ends_of_the_calendar_are_answered_never_a_500(client, instructor, student, offering, field,
                                                                   value):
    client.force_login(instructor)
    url = reverse("gradebook:offering_edit", args=[offering.pk])
    data = {"release_at": offering.release_at.strftime("%Y-%m-%dT%H:%M"),
            "due_at": offering.due_at.strftime("%Y-%m-%dT%H:%M"), "late_penalty_per_day": "0.1",
            "cooldown_seconds": "0", "score_policy": "best", field: value}
    assert client.post(url, data).status_code in (200, 302)
    for page in (reverse("gradebook:offering_edit", args=[offering.pk]), reverse("gradebook:audit", args=[offering.course.slug])):
        assert client.get(page).status_code == 200
    client.force_login(student)
    assert client.get(reverse("courses:offering", args=[offering.pk])).status_code in (200, 404)


def test_an_extension_in_year_1_is_refused_and_the_pages_still_read(client, instructor, student, offering):
    client.force_login(instructor)
    response = client.post(reverse("gradebook:extension_add", args=[offering.pk]),
                           {"student": student.pk, "due_at": "0001-01-01T00:00"})
    assert response.status_code == 302 and not offering.extensions.exists()
    assert client.get(reverse("gradebook:offering_edit", args=[offering.pk])).status_code == 200
