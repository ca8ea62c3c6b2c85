"""CSV exports: SeqLab's own, Canvas's gradebook import and Moodle's grade import, each read back the
way the LMS reads it (UTF-8 with a byte-order mark, RFC 4180 quoting, Korean names), and no cell a
user wrote can start a spreadsheet formula."""
import csv
import io

import pytest
from django.urls import reverse

from seqlab.courses.models import Assignment
from seqlab.gradebook.exports import inert
from tests.web.gradebook.helpers import graded

pytestmark = pytest.mark.django_db
HOSTILE = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", " =1", "＝1+1"]


def _csv(client, instructor, course, kind=None, lang="en") -> tuple[bytes, list[list[str]]]:
    client.force_login(instructor)
    params = {"format": kind} if kind else {}
    response = client.get(reverse("gradebook:gradebook_csv", args=[course.slug]), params, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    body = response.content
    assert body.startswith("\ufeff".encode())                         # Excel needs it to read Korean
    return body, list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


@pytest.fixture
def korean_student(student):
    student.first_name, student.last_name, student.email = "민지", "김", "minji@example.ac.kr"
    student.save()
    return student


def test_seqlab_csv_keeps_its_columns_and_adds_the_course_percent(client, course, instructor, korean_student,
                                                                   other_student, offering, solution_bytes):
    graded(korean_student, offering, solution_bytes, late_days=1)
    _, rows = _csv(client, instructor, course)
    assert rows[0] == ["username", "name", "adder", "adder_late_days", "percent", "total"]
    assert rows[1] == ["other_student", "", "", "", "0", "0"]
    assert rows[2] == ["student", "민지 김", "5.4", "1", "90", "5.4"]


def test_canvas_import_layout(client, course, instructor, korean_student, other_student, offering, solution_bytes):
    graded(korean_student, offering, solution_bytes)
    body, rows = _csv(client, instructor, course, "canvas")
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Adding practice"]
    assert rows[1] == ["    Points Possible", "", "", "", "", "6"]
    assert rows[3] == ["김, 민지", "", "student", "student", "", "6"]
    assert b'"\xea\xb9\x80, \xeb\xaf\xbc\xec\xa7\x80"' in body              # the comma inside is quoted
    assert body.count(b"\r\n") == len(rows)                             # RFC 4180 line ends


def test_canvas_titles_follow_the_language_and_sections_are_named(client, course, instructor, student, offering,
                                                                   solution_bytes):
    from seqlab.roster.models import Section, StudentSection
    section = Section.objects.create(course=course, name="분반 A")
    StudentSection.objects.create(course=course, student=student, section=section)
    graded(student, offering, solution_bytes)
    _, rows = _csv(client, instructor, course, "canvas", lang="ko")
    assert rows[0][5] == "덧셈 연습" and rows[2][4] == "분반 A"


def test_moodle_import_layout(client, course, instructor, korean_student, offering, solution_bytes):
    graded(korean_student, offering, solution_bytes)
    _, rows = _csv(client, instructor, course, "moodle")
    assert rows == [["Username", "Email address", "First name", "Last name", "Adding practice"],
                    ["student", "minji@example.ac.kr", "민지", "김", "6"]]


@pytest.mark.parametrize("kind", [None, "canvas", "moodle"])
@pytest.mark.parametrize("hostile", HOSTILE)
def test_no_user_written_cell_starts_a_formula(client, course, instructor, student, offering, solution_bytes,
                                               kind, hostile):
    student.first_name = student.last_name = hostile
    student.save()
    Assignment.objects.filter(pk=offering.assignment_id).update(title_en=hostile)
    graded(student, offering, solution_bytes)
    _, rows = _csv(client, instructor, course, kind)
    for row in rows:
        for cell in row:
            assert not cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "＝")), (kind, row)
    assert any(cell.startswith("'") and hostile in cell for row in rows for cell in row)


def test_scores_are_numbers_not_neutralised(client, course, instructor, student, offering, solution_bytes):
    graded(student, offering, solution_bytes)
    _, rows = _csv(client, instructor, course, "canvas")
    assert rows[2][5] == "6"


def test_inert_leaves_ordinary_text_alone():
    assert inert("김민지") == "김민지" and inert("O'Brien, Pat") == "O'Brien, Pat" and inert("a=b") == "a=b"
    assert inert("=1") == "'=1" and inert("-x") == "'-x"


@pytest.mark.parametrize("kind", ["excel", "", "../etc", "CANVAS", "x" * 5000])
def test_an_unknown_format_is_a_400_with_a_message(client, course, instructor, kind):
    client.force_login(instructor)
    response = client.get(reverse("gradebook:gradebook_csv", args=[course.slug]), {"format": kind},
                          HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and b"Unknown export format" in response.content


def test_a_title_canvas_would_read_as_one_of_its_ids_gets_the_slug(client, course, instructor, student, offering):
    """Canvas takes a trailing "(123)" for the id of an assignment of its own."""
    Assignment.objects.filter(pk=offering.assignment_id).update(title_en="Attention (2)")
    _, rows = _csv(client, instructor, course, "canvas")
    assert rows[0][5] == "Attention (2) [adder]"
