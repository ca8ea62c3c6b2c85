"""Written answers: submitted like any attempt, graded by a TA against each question's rubric
(an audited override of the question's check), counted by the gradebook."""
from datetime import timedelta

import pytest
from django.urls import reverse

from seqlab.gradebook.models import AuditEntry, Override
from seqlab.gradebook.selectors import offering_grades, review_queue
from seqlab.gradebook.services import GradeRefused, offering_publish, written_grade
from seqlab.submissions.models import Submission
from seqlab.submissions.selectors import feedback_for
from seqlab.submissions.services import submission_create_answers, submission_grade, submission_regrade

pytestmark = pytest.mark.django_db
WHY, BLEU = "1", "2"          # check numbers of the two questions (bleu shows after publication)
ANSWER = "RNN 인코더는 문장 전체를 고정 길이 벡터 하나에 담아야 해서 긴 문장에서 정보를 잃습니다."


@pytest.fixture
def answered(student, written_offering):
    """The student's written answers, graded by the engine: both wait for a TA."""
    sub = submission_create_answers(student=student, offering=written_offering,
                                    answers={"why-attention": ANSWER, "bleu": "동의어를 모릅니다."})
    submission_grade(submission_id=sub.id, run=sub.run, worker="t")
    sub.refresh_from_db()
    return sub


def _grade(client, sub, number, met, comment=""):
    return client.post(reverse("gradebook:written_grade", args=[sub.pk]),
                       {"check_number": number, "met": met, "comment": comment})


def test_students_see_each_questions_rubric_while_they_write(client, student, written_offering):
    client.force_login(student)
    html = client.get(reverse("courses:offering", args=[written_offering.pk]), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert 'textarea class="written" name="q-why-attention"' in html
    assert "채점 기준: 조교가 확인하는 내용 (4점)" in html and "고정 길이 벡터의 병목" in html and "<math" in html


def test_written_answers_wait_for_a_ta_and_say_so(client, student, answered):
    assert answered.current_result.score == 0
    client.force_login(student)
    html = client.get(reverse("submissions:detail", args=[answered.pk]), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "조교 채점 대기" in html and "서술형 답 1개가 조교 채점을 기다리고 있습니다" in html
    assert ANSWER in html and "✘" not in html                   # waiting is not failing


def test_ta_grades_by_rubric_with_an_audit_trail_and_the_student_sees_which_criteria_were_met(
        client, ta, student, answered, written_offering):
    client.force_login(ta)
    review = client.get(reverse("gradebook:review_detail", args=[answered.pk]), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert ANSWER in review and 'name="met" value="2"' in review and "채점할 답 2개" in review

    assert _grade(client, answered, WHY, [0, 2]).status_code == 302
    _grade(client, answered, WHY, [0, 1, 2], comment="경로 길이까지 잘 설명했습니다.")
    override = Override.objects.get(submission=answered, check_number=WHY)
    assert (override.score, override.rubric, override.author) == (4, [0, 1, 2], ta)
    first, second = AuditEntry.objects.filter(action="rubric.grade").order_by("id")
    assert first.before == {"score": 0.0} and first.after == {"score": 3.0, "rubric": [0, 2], "check": WHY, "max": 4.0}
    assert second.before == {"score": 3.0, "comment": "", "rubric": [0, 2]}
    assert second.after == {"score": 4.0, "rubric": [0, 1, 2], "check": WHY, "max": 4.0} and second.actor == ta
    assert second.comment == "경로 길이까지 잘 설명했습니다."

    client.force_login(student)
    html = client.get(reverse("submissions:detail", args=[answered.pk]), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "조교 코멘트: 경로 길이까지 잘 설명했습니다." in html and html.count('class="met"') == 3
    assert offering_grades(offering=written_offering)[student.id].auto == 4


def test_a_grade_of_a_question_shown_after_publication_stays_hidden_until_then(student, ta, instructor, answered,
                                                                                 written_offering):
    written_grade(actor=ta, submission=answered, check_number=BLEU, met=[0], comment="")
    before = {c.number: c for c in feedback_for(viewer=student, submission=answered).checks}
    assert not before[BLEU].shown and before[BLEU].rubric_met is None and before[BLEU].score is None
    offering_publish(actor=instructor, offering=written_offering)
    later = written_offering.cutoff_at + timedelta(days=1)
    answered = Submission.objects.get(pk=answered.pk)
    after = {c.number: c for c in feedback_for(viewer=student, submission=answered, now=later).checks}
    assert after[BLEU].shown and after[BLEU].rubric_met == (0,) and after[BLEU].score == 2


def test_the_gradebook_counts_written_grades_and_marks_what_is_left(client, instructor, ta, student, answered,
                                                                     written_offering, course):
    written_grade(actor=ta, submission=answered, check_number=WHY, met=[0, 1])
    cell = offering_grades(offering=written_offering)[student.id]
    assert (cell.auto, cell.pending) == (3, 1)
    client.force_login(instructor)
    html = client.get(reverse("gradebook:gradebook", args=[course.slug])).content.decode()
    assert "채점 대기 · 채점할 답 1개" in html and ">(3)</span>" in html      # pending; 3 is only "so far"
    rows = review_queue(course=course, pending_only=True)
    assert [(r.submission, r.pending, r.counts) for r in rows] == [(answered, 1, True)]


def test_grades_survive_a_regrade_of_the_attempt(ta, student, answered, written_offering):
    written_grade(actor=ta, submission=answered, check_number=WHY, met=[0])
    submission_regrade(actor=ta, submission=answered)
    submission_grade(submission_id=answered.id, run=2, worker="t")
    assert offering_grades(offering=written_offering)[student.id].auto == 2


def test_only_written_questions_take_rubric_grades(ta, student, answered, quiz_offering):
    with pytest.raises(GradeRefused):
        written_grade(actor=ta, submission=answered, check_number="3", met=[0])
    with pytest.raises(GradeRefused):
        written_grade(actor=ta, submission=answered, check_number=WHY, met=[5])
    quiz = submission_create_answers(student=student, offering=quiz_offering, answers={"weight": "1"})
    submission_grade(submission_id=quiz.id, run=1, worker="t")
    with pytest.raises(GradeRefused):
        written_grade(actor=ta, submission=Submission.objects.get(pk=quiz.pk), check_number="1", met=[])
    assert not Override.objects.exists()


@pytest.mark.parametrize("actor", ["student", "other_student", "outsider", "other_ta"])
def test_only_the_courses_staff_can_grade(client, request, actor, answered):
    client.force_login(request.getfixturevalue(actor))
    assert _grade(client, answered, WHY, [0, 1, 2]).status_code == 404
    assert not Override.objects.exists()


def test_a_blank_written_answer_needs_no_ta(ta, student, written_offering):
    sub = submission_create_answers(student=student, offering=written_offering, answers={"bleu": "토큰화에 의존합니다."})
    submission_grade(submission_id=sub.id, run=sub.run, worker="t")
    feedback = feedback_for(viewer=ta, submission=Submission.objects.get(pk=sub.pk))
    assert [c.number for c in feedback.checks if c.pending] == [BLEU]
    assert offering_grades(offering=written_offering)[student.id].pending == 1
