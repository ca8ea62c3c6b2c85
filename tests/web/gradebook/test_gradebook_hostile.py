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
