"""The regrade queue by section, as the review queue: a TA who leads one section sees it first,
every section on request; each row names the student's section."""
import pytest

from seqlab.regrades.models import RegradeRequest
from seqlab.roster.services import section_create, section_set_tas, student_section_set
from seqlab.submissions.services import submission_create, submission_grade

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_sections(course, instructor, ta, student, other_student, offering, solution_bytes):
    """Section A (led by `ta`) holds `student`, section B holds `other_student`; each asked once."""
    a = section_create(actor=instructor, course=course, name="A-mon")
    b = section_create(actor=instructor, course=course, name="B-tue")
    section_set_tas(actor=instructor, section=a, tas=[ta])
    student_section_set(actor=instructor, course=course, student=student, section=a)
    student_section_set(actor=instructor, course=course, student=other_student, section=b)
    for who, reason in ((student, "reason-of-section-a"), (other_student, "reason-of-section-b")):
        sub = submission_create(student=who, offering=offering, filename="adder.py", content=solution_bytes)
        submission_grade(submission_id=sub.id, run=sub.run, worker="t")
        RegradeRequest.objects.create(submission=sub, check_number="1.1", check_name="add: small integers",
                                      student=who, reason=reason)
    return a, b


def _queue(client, user, course, **params) -> str:
    client.force_login(user)
    response = client.get(f"/regrades/c/{course.slug}/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_ta_leading_one_section_sees_it_by_default(client, ta, course, two_sections):
    html = _queue(client, ta, course)
    assert "reason-of-section-a" in html and "reason-of-section-b" not in html
    assert f'value="{two_sections[0].pk}" selected' in html


def test_a_ta_sees_every_section_on_request(client, ta, course, two_sections):
    html = _queue(client, ta, course, section="")
    assert "reason-of-section-a" in html and "reason-of-section-b" in html


def test_a_ta_may_choose_another_section(client, ta, course, two_sections):
    html = _queue(client, ta, course, section=two_sections[1].pk)
    assert "reason-of-section-b" in html and "reason-of-section-a" not in html


def test_the_list_names_each_students_section(client, instructor, course, two_sections):
    html = _queue(client, instructor, course)          # leads no section: everything
    assert '<td class="section">A-mon</td>' in html and '<td class="section">B-tue</td>' in html


@pytest.mark.parametrize("value", ["x", "-1", "²", "99999999999999999999999", "0"])
def test_any_section_value_shows_every_section_and_is_not_a_500(client, ta, course, two_sections, value):
    html = _queue(client, ta, course, section=value)
    assert "reason-of-section-a" in html and "reason-of-section-b" in html


def test_a_section_of_another_course_filters_nothing(client, ta, course, other_course, instructor, two_sections):
    foreign = section_create(actor=instructor, course=other_course, name="Z")
    html = _queue(client, ta, course, section=foreign.pk)
    assert "reason-of-section-a" in html and "reason-of-section-b" in html


def test_the_counts_follow_the_section(client, ta, course, two_sections):
    assert "<td>1</td>" in _queue(client, ta, course) and "<td>2</td>" not in _queue(client, ta, course)
    assert "<td>2</td>" in _queue(client, ta, course, section="")
