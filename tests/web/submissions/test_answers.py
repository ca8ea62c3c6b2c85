"""Quizzes on the site: the questions as a form, answers.json through the same submission path
as code (limits, history, grading on the worker, visibility), feedback per question."""
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from seqlab.submissions.models import Kind, Status, Submission
from seqlab.submissions.services import submission_grade

pytestmark = pytest.mark.django_db

RIGHT = {"q-weight": "0.02715", "q-scale": "sqrt", "q-sublayers": ["self"]}     # the last one half right: 0


def _post(client, offering, data, **headers):
    return client.post(reverse("submissions:answers", args=[offering.pk]), data, **headers)


def _graded(submission_id):
    sub = Submission.objects.get(pk=submission_id)
    submission_grade(submission_id=sub.id, run=sub.run, worker="t")
    sub.refresh_from_db()
    return sub


def test_quiz_page_shows_the_questions_as_a_form_in_the_readers_language(client, student, quiz_offering):
    client.force_login(student)
    url = reverse("courses:offering", args=[quiz_offering.pk])
    ko = client.get(url, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    en = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "가중치" in ko and "답안 제출" in ko and "해당하는 것을 모두 고르세요" in ko
    assert "What is the weight" in en and "Submit answers" in en
    assert '<math' in ko and 'inputmode="decimal" autocomplete="off" spellcheck="false" name="q-weight"' in ko
    assert 'type="radio" name="q-scale" value="sqrt"' in ko and 'type="checkbox" name="q-sublayers" value="ffn"' in ko
    assert 'name="mode"' not in ko and reverse("courses:starter", args=[quiz_offering.pk]) not in ko


def test_quiz_submission_is_graded_and_shown_per_question(client, student, quiz_offering):
    client.force_login(student)
    response = _post(client, quiz_offering, RIGHT)
    sub = Submission.objects.get()
    assert response.url == reverse("submissions:detail", args=[sub.pk])
    assert (sub.filename, sub.kind, sub.status) == ("answers.json", Kind.ANSWERS, Status.QUEUED)
    assert json.loads(bytes(sub.blob.data)) == {"weight": "0.02715", "scale": "sqrt", "sublayers": ["self"]}
    sub = _graded(sub.id)
    assert sub.current_result.score == 5 and sub.current_result.max_score == 6
    html = client.get(reverse("submissions:detail", args=[sub.pk]), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert html.count("✔") == 2 and "정답" in html and "0.02715" in html
    assert "공개된 문항 점수" in html and "<strong class=\"big\">5</strong>" in html     # the select-all one waits
    assert "마감 후 공개" in html and "아직 결과가 공개되지 않은 문항이 1개" in html
    assert "정답</span>: <strong>" not in html and "정답: <strong>" not in html       # no answer key before the cutoff


def test_answer_key_and_every_result_show_once_the_student_can_no_longer_submit(client, student, quiz_offering):
    client.force_login(student)
    _post(client, quiz_offering, RIGHT)
    sub = _graded(Submission.objects.get().id)
    quiz_offering.due_at = timezone.now() - timedelta(minutes=1)
    quiz_offering.save()
    html = client.get(reverse("submissions:detail", args=[sub.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Answer: <strong>self-attention, feed-forward</strong>" in html and "Incorrect" in html
    assert 'data-testid="score"' in html and "<strong class=\"big\">5</strong> <span class=\"muted\">/ 6" in html


def test_a_number_with_a_typo_is_not_submitted_and_nothing_typed_is_lost(client, student, quiz_offering):
    client.force_login(student)
    response = _post(client, quiz_offering, {"q-weight": "0.0271.5", "q-scale": "sqrt"}, HTTP_ACCEPT_LANGUAGE="ko")
    html = response.content.decode()
    assert response.status_code == 200 and not Submission.objects.exists()
    assert "숫자를 입력하세요" in html and 'value="0.0271.5"' in html and 'value="sqrt" checked' in html


def test_a_blank_form_is_not_submitted(client, student, quiz_offering):
    client.force_login(student)
    response = _post(client, quiz_offering, {"q-weight": "  "}, HTTP_ACCEPT_LANGUAGE="ko")
    assert "적어도 한 문항에 답하세요" in response.content.decode() and not Submission.objects.exists()


def test_the_form_is_prefilled_with_the_last_answers(client, student, quiz_offering):
    client.force_login(student)
    _post(client, quiz_offering, RIGHT)
    html = client.get(reverse("courses:offering", args=[quiz_offering.pk])).content.decode()
    assert 'name="q-weight"\n               value="0.02715"' in html
    assert 'value="sqrt" checked' in html and 'value="self" checked' in html and 'value="ffn" checked' not in html


def test_answers_obey_the_offerings_limits_like_code(client, student, quiz_offering):
    quiz_offering.max_submissions = 1
    quiz_offering.save()
    client.force_login(student)
    _post(client, quiz_offering, RIGHT)
    response = _post(client, quiz_offering, {**RIGHT, "q-weight": "0.5"}, HTTP_ACCEPT_LANGUAGE="ko")
    html = response.content.decode()
    assert Submission.objects.count() == 1 and "제출 기회 1번을 모두 사용했습니다" in html
    assert 'value="0.5"' in html                                                     # what was typed stays


def test_a_quiz_takes_answers_not_files(client, student, quiz_offering):
    client.force_login(student)
    response = client.post(reverse("submissions:submit", args=[quiz_offering.pk]),
                           {"mode": "paste", "code": "x = 1"}, follow=True, HTTP_ACCEPT_LANGUAGE="ko")
    assert "답안 양식으로 제출합니다" in response.content.decode() and not Submission.objects.exists()


def test_the_api_submits_answers_json_through_the_same_service(client, student, quiz_offering):
    client.force_login(student)
    response = client.post(reverse("api:offering_submissions", args=[quiz_offering.pk]),
                           {"filename": "answers.json", "content": json.dumps({"weight": 0.0271490, "scale": "dv"})},
                           content_type="application/json")
    assert response.status_code == 201
    sub = _graded(response.json()["id"])
    assert sub.current_result.score == 3 and sub.kind == Kind.API


def test_code_assignments_still_refuse_answers_json(client, student, offering):
    client.force_login(student)
    assert client.post(reverse("submissions:answers", args=[offering.pk]), RIGHT).status_code == 404


def test_the_api_lists_a_quizs_questions_without_their_answers(client, student, quiz_offering):
    client.force_login(student)
    (listed,) = client.get(reverse("api:assignments")).json()["assignments"]
    assert listed["kind"] == "quiz" and [q["id"] for q in listed["questions"]] == ["weight", "scale", "sublayers"]
    assert all("answer" not in q for q in listed["questions"]) and listed["questions"][2]["multiple"]
