"""Weighted categories: the course total is Σ weight × earned/possible per category, shown with the
raw points; without categories an honest percent of all points, and the page says which."""
from decimal import Decimal

import pytest
from django.urls import reverse

from seqlab.gradebook.models import AuditEntry, GradeCategory, OfferingCategory
from seqlab.gradebook.selectors import gradebook_for_course
from seqlab.gradebook.services import GradeRefused, category_save, offering_category_set
from tests.web.conftest import MINI_QUIZ, _offer
from tests.web.gradebook.helpers import graded, page

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_offerings(course, instructor, offering):
    """The adder (code, 6 points) and a quiz, both in the course."""
    return offering, _offer(MINI_QUIZ, course, instructor)


def _categories(instructor, course, code_weight="60", quiz_weight="40"):
    code = category_save(actor=instructor, course=course, title_ko="코드", title_en="Code", weight=Decimal(code_weight))
    quiz = category_save(actor=instructor, course=course, title_ko="퀴즈", title_en="Quiz", weight=Decimal(quiz_weight))
    return code, quiz


def test_weighted_total_is_weight_times_share_of_points_per_category(
        course, instructor, student, two_offerings, solution_bytes, wrong_bytes):
    adder, quiz = two_offerings
    code, quiz_cat = _categories(instructor, course)
    offering_category_set(actor=instructor, offering=adder, category=code)
    offering_category_set(actor=instructor, offering=quiz, category=quiz_cat)
    graded(student, adder, wrong_bytes)                        # 2 of 6 points, no quiz attempt
    row = gradebook_for_course(course=course).rows[0]
    quiz_points = 6.0                                           # mini-quiz: 6 points
    assert row.percent == round(60 * 2 / 6, 2)                 # the quiz category adds 40 × 0
    assert (row.points, row.possible) == (2.0, 6 + quiz_points)
    assert [s.percent for s in row.shares] == [round(100 * 2 / 6, 2), 0.0]


def test_without_categories_the_total_is_the_percent_of_all_points_and_the_page_says_so(
        client, course, instructor, student, offering, solution_bytes):
    graded(student, offering, solution_bytes)
    row = gradebook_for_course(course=course).rows[0]
    assert (row.percent, row.points, row.possible) == (100.0, 6.0, 6.0)
    html = page(client, instructor, reverse("gradebook:gradebook", args=[course.slug]))
    assert "No weighted categories: the total is the percent of all points" in html
    assert "100 %" in html and "6 / 6" in html


def test_weights_that_do_not_sum_to_100_and_uncategorised_assignments_are_warned_about(
        client, course, instructor, student, two_offerings):
    adder, quiz = two_offerings
    code, _quiz = _categories(instructor, course, "50", "30")
    offering_category_set(actor=instructor, offering=adder, category=code)
    html = page(client, instructor, reverse("gradebook:gradebook", args=[course.slug]))
    assert "add up to 80 %, not 100 %" in html
    assert "In no category, so not in the total: Mini quiz" in html
    assert "Categories with no assignment" in html


def test_instructor_edits_categories_through_the_page_with_audit_entries(client, course, instructor, offering):
    client.force_login(instructor)
    url = reverse("gradebook:categories", args=[course.slug])
    response = client.post(url, {"action": "save", "prefix": "new", "new-title_ko": "코드", "new-title_en": "Code",
                                 "new-weight": "100"})
    assert response.status_code == 302
    category = GradeCategory.objects.get(course=course)
    response = client.post(url, {"action": "assign", f"offering-{offering.pk}": category.pk})
    assert response.status_code == 302 and OfferingCategory.objects.get(offering=offering).category == category
    prefix = f"c{category.pk}"
    client.post(url, {"action": "save", "prefix": prefix, f"{prefix}-category": category.pk,
                      f"{prefix}-title_ko": "코드", f"{prefix}-title_en": "Code", f"{prefix}-weight": "90"})
    category.refresh_from_db()
    assert category.weight == Decimal("90")
    actions = list(AuditEntry.objects.filter(course=course).values_list("action", flat=True))
    assert {"category.save", "offering.category"} <= set(actions) and actions.count("category.save") == 2
    audit = page(client, instructor, reverse("gradebook:audit", args=[course.slug]))
    assert "weight: 100 % → 90 %" in audit and "category: — → Code" in audit


@pytest.mark.parametrize("weight", ["-1", "100.5", "NaN", "1e400", "abc", ""])
def test_a_weight_outside_0_to_100_is_refused_with_a_message(client, course, instructor, weight):
    client.force_login(instructor)
    response = client.post(reverse("gradebook:categories", args=[course.slug]),
                           {"action": "save", "prefix": "new", "new-title_en": "Code", "new-weight": weight})
    assert response.status_code == 400 and not GradeCategory.objects.exists()


def test_another_courses_category_can_be_neither_edited_nor_assigned(
        client, course, other_course, instructor, offering):
    foreign = GradeCategory.objects.create(course=other_course, title_ko="남", title_en="Theirs", weight=50)
    client.force_login(instructor)
    url = reverse("gradebook:categories", args=[course.slug])
    edit = client.post(url, {"action": "save", "prefix": "new", "new-category": foreign.pk, "new-title_en": "Mine",
                             "new-weight": "10"})
    assign = client.post(url, {"action": "assign", f"offering-{offering.pk}": foreign.pk})
    delete = client.post(url, {"action": "delete", "category": foreign.pk})
    assert (edit.status_code, assign.status_code, delete.status_code) == (400, 400, 400)
    foreign.refresh_from_db()
    assert foreign.title_en == "Theirs" and not OfferingCategory.objects.exists()
    with pytest.raises(GradeRefused):
        offering_category_set(actor=instructor, offering=offering, category=foreign)


@pytest.mark.parametrize("actor", ["ta", "student", "outsider"])
def test_only_the_courses_instructors_reach_the_categories_page(client, request, course, actor):
    user = request.getfixturevalue(actor)
    client.force_login(user)
    url = reverse("gradebook:categories", args=[course.slug])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "save", "prefix": "new", "new-title_en": "X", "new-weight": "5"}).status_code == 404
    assert not GradeCategory.objects.exists()


def test_categories_page_in_english_shows_english_names(client, course, instructor, offering):
    category_save(actor=instructor, course=course, title_ko="코드", title_en="Code", weight=Decimal("100"))
    html = page(client, instructor, reverse("gradebook:categories", args=[course.slug]), lang="en")
    assert "Adding practice" in html and "Code (100 %)" in html


def test_one_name_is_enough(client, course, instructor):
    client.force_login(instructor)
    response = client.post(reverse("gradebook:categories", args=[course.slug]),
                           {"action": "save", "prefix": "new", "new-title_en": "Code", "new-weight": "60"})
    assert response.status_code == 302
    assert GradeCategory.objects.get(course=course).title(lang="ko") == "Code"


def test_names_and_titles_users_wrote_are_escaped_on_the_gradebook(client, course, instructor, student, offering,
                                                                   solution_bytes):
    hostile = '<script>alert(1)</script>'
    student.first_name = hostile
    student.save()
    category = category_save(actor=instructor, course=course, title_ko=hostile, title_en=hostile, weight=Decimal("50"))
    offering_category_set(actor=instructor, offering=offering, category=category)
    graded(student, offering, solution_bytes)
    for url in (reverse("gradebook:gradebook", args=[course.slug]), reverse("gradebook:categories", args=[course.slug])):
        html = page(client, instructor, url)
        assert hostile not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
