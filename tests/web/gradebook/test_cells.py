"""Each gradebook cell says which attempt counts (linked for staff), what lateness cost, whether staff
overrode it, and marks written answers awaiting a TA as pending rather than as a score."""
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from seqlab.gradebook.selectors import gradebook_for_course
from seqlab.gradebook.services import override_set
from seqlab.submissions.services import submission_create_answers, submission_grade
from tests.web.gradebook.helpers import graded, page

pytestmark = pytest.mark.django_db
CSS = Path(__file__).resolve().parents[3] / "platform/seqlab/gradebook/static/gradebook/gradebook.css"


def _gradebook(client, instructor, course, lang="en"):
    return page(client, instructor, reverse("gradebook:gradebook", args=[course.slug]), lang=lang)


def test_cell_links_the_counted_attempt_and_says_the_late_penalty(
        client, course, instructor, student, offering, solution_bytes, wrong_bytes):
    offering.late_penalty_per_day = Decimal("0.1")
    offering.save()
    graded(student, offering, wrong_bytes)
    best = graded(student, offering, solution_bytes, late_days=2)     # 6 × 0.8 = 4.8 beats 2
    html = _gradebook(client, instructor, course)
    assert f'href="{reverse("gradebook:review_detail", args=[best.pk])}"' in html and ">#2</a>" in html
    assert "−20 %, 2 days late" in html and ">4.8<" in html
    ko = _gradebook(client, instructor, course, lang="ko")
    assert "−20 %, 2일 지각" in ko


def test_late_days_without_a_penalty_say_so(client, course, instructor, student, offering, solution_bytes):
    offering.late_penalty_per_day = Decimal("0")
    offering.save()
    graded(student, offering, solution_bytes, late_days=1)
    assert "1 day late, no penalty" in _gradebook(client, instructor, course)


def test_an_override_is_marked(client, course, instructor, ta, student, offering, wrong_bytes):
    sub = graded(student, offering, wrong_bytes)
    override_set(actor=ta, submission=sub, check_number="", score=5, comment="partial credit")
    html = _gradebook(client, instructor, course)
    assert "score overridden by staff" in html and ">5<" in html


def test_written_answers_awaiting_a_ta_show_as_pending_not_as_a_score(
        client, course, instructor, student, written_offering):
    sub = submission_create_answers(student=student, offering=written_offering,
                                    answers={"why-attention": "병목", "bleu": "동의어"})
    submission_grade(submission_id=sub.id, run=sub.run, worker="t")
    cell = gradebook_for_course(course=course).rows[0].cells[0]
    assert cell.pending == 2 and cell.number == 1
    html = _gradebook(client, instructor, course)
    assert "pending · 2 to grade" in html and "provisional" in html
    assert '<span class="pts">0</span>' not in html


def test_titles_follow_the_reader_and_english_pages_have_no_korean_titles(
        client, course, instructor, student, offering, solution_bytes):
    graded(student, offering, solution_bytes)
    assert "Adding practice" in _gradebook(client, instructor, course, "en")
    ko = _gradebook(client, instructor, course, "ko")
    assert "덧셈 연습" in ko and "Adding practice" not in ko


def test_header_and_names_stay_in_view_and_never_wrap_letter_by_letter(
        client, course, instructor, student, offering, solution_bytes):
    graded(student, offering, solution_bytes)
    html = _gradebook(client, instructor, course)
    assert 'class="table gradebook"' in html and 'gradebook/gradebook.css' in html
    assert '<th scope="row" class="name"' in html and '<th scope="col" class="num asg">' in html
    css = CSS.read_text()
    assert "thead th { position: sticky; top: 0;" in css and ".name { position: sticky; left: 0;" in css
    assert "white-space: nowrap" in css and "text-overflow: ellipsis" in css
    assert ".gradebook-wrap { max-height: 75vh; overflow: auto;" in css      # scrolls inside its box at 390 px


def test_a_course_with_no_students_renders_and_says_so(client, course, instructor, offering):
    assert "No students yet." in _gradebook(client, instructor, course)


def test_cached_cells_follow_every_grade_change(client, course, instructor, ta, student, offering,
                                                solution_bytes, wrong_bytes):
    from seqlab.courses.services import offering_save
    from seqlab.gradebook.services import override_clear
    from seqlab.submissions.models import Submission
    from seqlab.submissions.services import submission_regrade
    sub = graded(student, offering, wrong_bytes)

    def score() -> str:
        html = _gradebook(client, instructor, course)
        return html.split('<span class="pts">', 1)[1].split("<", 1)[0]

    assert score() == "2"
    override_set(actor=ta, submission=sub, check_number="", score=5, comment="partial credit")
    assert score() == "5"
    override_set(actor=ta, submission=sub, check_number="", score=4, comment="second thoughts")
    assert score() == "4"
    override_clear(actor=ta, submission=sub, check_number="", comment="back to the auto-grade")
    assert score() == "2"
    Submission.objects.filter(pk=sub.pk).update(late_days=1)
    assert score() == "1.8"
    offering_save(actor=instructor, course=course, assignment=offering.assignment, offering=offering,
                  late_penalty_per_day=Decimal("0.5"))
    assert score() == "1"
    offering_save(actor=instructor, course=course, assignment=offering.assignment, offering=offering,
                  late_penalty_per_day=Decimal("0"))
    graded(student, offering, solution_bytes)
    assert score() == "6"
    best = Submission.objects.get(offering=offering, number=2)
    submission_regrade(actor=instructor, submission=best)                # re-queued: no longer counted
    assert score() == "2"
