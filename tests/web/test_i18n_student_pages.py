"""What students and TAs read, in Korean and in English: one load failure said once, pending TA
work shown as pending, an empty upload named as such, decimal commas, scores and the attempt that
counts, code with line numbers, honest times, and no Korean left in the English staff pages."""
import json
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override
from hypothesis import given
from hypothesis import strategies as st

from seqlab.courses.presentation import time_left
from seqlab.submissions.models import Submission
from seqlab.submissions.services import submission_create, submission_create_answers, submission_grade

pytestmark = pytest.mark.django_db
HANGUL = re.compile(r"[\uac00-\ud7a3]")
SYNTAX = "SyntaxError in adder.py, line 2: invalid syntax\n    return a +"


def _page(client, user, url, lang="ko") -> str:
    client.force_login(user)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def broken(student, offering):
    """An attempt whose file does not load: the engine fails every check with the same message."""
    sub = submission_create(student=student, offering=offering, filename="adder.py",
                            content=b"def add(a, b):\n    return a +\n")
    submission_grade(submission_id=sub.id, run=sub.run, worker="test")
    sub.refresh_from_db()
    result = sub.current_result
    # The engine's message in both languages, as the engine writes a load failure (extra_data.i18n).
    result.tests = [{**t, "status": "failed", "score": 0.0, "output": SYNTAX, "visibility": "visible",
                     "extra_data": {**t.get("extra_data", {}), "i18n": {
                         lang: {"name": t["name"], "output": SYNTAX} for lang in ("ko", "en")}}}
                    for t in result.tests]
    result.save()
    return sub


def test_load_failure_is_said_once_at_the_top_and_its_line_is_marked(client, student, broken):
    html = _page(client, student, reverse("submissions:detail", args=[broken.pk]))
    assert html.count("SyntaxError in adder.py") == 1
    assert "파일을 불러올 수 없어서" in html
    assert 'id="L-2"' in html and 'class="hll"' in html and "2번째 줄" in html


def test_ta_grades_beside_the_code_with_line_numbers(client, ta, broken):
    html = _page(client, ta, reverse("gradebook:review_detail", args=[broken.pk]), lang="en")
    assert 'class="code-view"' in html and 'href="#L-2"' in html and '<span class="nf">add</span>' in html
    assert "after_due_date" not in html.replace('data-visibility="after_due_date"', "")


def test_pending_written_answer_is_pending_not_graded(client, student, written_offering):
    sub = submission_create_answers(student=student, offering=written_offering,
                                    answers={"why-attention": "Because of the bottleneck."})
    submission_grade(submission_id=sub.id, run=sub.run, worker="test")
    html = _page(client, student, reverse("courses:offering", args=[written_offering.pk]), lang="en")
    history = html[html.index('class="history"'):]
    assert "Waiting for a TA" in history and ">Graded<" not in history
    course = _page(client, student, reverse("courses:course", args=[written_offering.course.slug]), lang="en")
    assert "Waiting for a TA" in course and "0 / 7" not in course
    result = _page(client, student, reverse("submissions:detail", args=[sub.pk]), lang="ko")
    head = result[result.index('class="live-head"'):result.index("</div>", result.index('data-testid="score"'))]
    assert "조교 채점 대기" in head and "채점 완료" not in head and "현재까지" in head


def test_empty_upload_says_the_file_is_empty(client, student, offering):
    client.force_login(student)
    response = client.post(reverse("submissions:submit", args=[offering.pk]),
                           {"mode": "upload", "file": SimpleUploadedFile("adder.py", b"")},
                           follow=True, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert "The uploaded file “adder.py” is empty." in html and "Choose a file first" not in html
    assert not Submission.objects.exists()


def test_decimal_comma_is_read_as_a_decimal_point(client, student, quiz_offering):
    client.force_login(student)
    client.post(reverse("submissions:answers", args=[quiz_offering.pk]), {"q-weight": "0,02715"})
    answers = json.loads(bytes(Submission.objects.get().blob.data))
    assert answers["weight"] == "0.02715"


def test_ambiguous_comma_is_refused_and_nothing_is_submitted(client, student, quiz_offering):
    client.force_login(student)
    response = client.post(reverse("submissions:answers", args=[quiz_offering.pk]), {"q-weight": "1,234"},
                           HTTP_ACCEPT_LANGUAGE="ko")
    assert "소수인가요" in response.content.decode() and not Submission.objects.exists()


def test_my_submissions_show_scores_and_the_attempt_that_counts(client, student, quiz_offering):
    for answer in ("0.5", "0.0271490261"):
        sub = submission_create_answers(student=student, offering=quiz_offering, answers={"weight": answer})
        submission_grade(submission_id=sub.id, run=sub.run, worker="test")
    quiz_offering.due_at = timezone.now() - timedelta(minutes=1)      # every result is shown now
    quiz_offering.save()
    html = _page(client, student, reverse("courses:offering", args=[quiz_offering.pk]), lang="en")
    history = html[html.index('class="history"'):]
    assert re.search(r'<li class="counts"><a [^>]*>#2</a>', history) and "3 / 6" in history and "0 / 6" in history
    course = _page(client, student, reverse("courses:course", args=[quiz_offering.course.slug]), lang="en")
    assert "3</strong> / 6" in course and "#2, your best submission" in course


def test_counted_attempt_stays_unnamed_while_hidden_checks_decide_it(client, student, offering, solution_bytes):
    for content in (b"def add(a, b):\n    return 0\n", solution_bytes):
        sub = submission_create(student=student, offering=offering, filename="adder.py", content=content)
        submission_grade(submission_id=sub.id, run=sub.run, worker="test")
    html = _page(client, student, reverse("courses:offering", args=[offering.pk]), lang="en")
    assert 'class="counts"' not in html and "shown when every result is shown" in html
    assert html.count("shown checks 2 / 2") == 2                               # the visible part, per attempt
    course = _page(client, student, reverse("courses:course", args=[offering.course.slug]), lang="ko")
    assert "공개 항목 2 / 2" in course


@pytest.mark.parametrize("delta, en, ko", [
    (timedelta(days=13, hours=23), "13 days", "13일"), (timedelta(days=7), "7 days", "7일"),
    (timedelta(days=14, hours=5), "2 weeks", "2주"), (timedelta(days=1, hours=5, minutes=59), "1 day, 5 hours", "1일"),
    (timedelta(minutes=59, seconds=59), "59 minutes", "59분"), (timedelta(seconds=5), "1 minute", "1분")])
def test_time_left_never_rounds_up(delta, en, ko):
    with override("en"):
        assert time_left(delta) == en
    with override("ko"):
        assert time_left(delta).startswith(ko)


STAFF_PAGES = [("gradebook:gradebook", "slug"), ("gradebook:offerings", "slug"), ("gradebook:review", "slug"),
               ("gradebook:audit", "slug"), ("gradebook:offering_edit", "offering"), ("courses:course", "slug")]


@pytest.mark.parametrize("name, arg", STAFF_PAGES)
def test_english_staff_pages_have_no_korean(client, instructor, offering, graded, name, arg):
    url = reverse(name, args=[offering.course.slug if arg == "slug" else offering.pk])
    html = _page(client, instructor, url, lang="en")
    text = re.sub(r'<button[^>]*lang="ko"[^>]*>.*?</button>', "", html)      # the language switch itself
    assert HANGUL.findall(text) == []
    assert ">best<" not in text and ">visible<" not in text


def test_staff_see_labels_not_raw_values(client, instructor, offering, graded):
    html = _page(client, instructor, reverse("gradebook:review_detail", args=[graded.pk]), lang="en")
    assert ">after the deadline<" in html and ">after_due_date<" not in html and ">visible<" not in html
    edit = _page(client, instructor, reverse("gradebook:offering_edit", args=[offering.pk]), lang="ko")
    assert "가장 높은 점수의 제출" in edit and ">best<" not in edit
    audit = _page(client, instructor, reverse("gradebook:audit", args=[offering.course.slug]), lang="en")
    assert "offering.save" not in audit and "assignment settings saved" in audit


def test_histogram_has_a_text_alternative_with_its_numbers(client, instructor, offering, graded):
    html = _page(client, instructor, reverse("gradebook:gradebook", args=[offering.course.slug]), lang="en")
    assert re.search(r'alt="Score histogram of [^"]+: 1 students, median \d', html)
    assert "<table class=\"table compact\">" in html


def test_engine_texts_follow_the_reader_with_the_old_single_text_as_fallback(client, student, graded):
    result = graded.current_result
    first = {**result.tests[0], "output": "the sum is off", "status": "failed", "extra_data": {"i18n": {
        "ko": {"name": "덧셈: 작은 정수", "output": "합이 틀렸습니다"},
        "en": {"name": "add: small integers", "output": "the sum is off"}}}}
    result.tests = [first, *result.tests[1:]]
    result.output = "note"
    result.extra = {**result.extra, "i18n": {"ko": {"output": "참고 사항"}, "en": {"output": "a note"}}}
    result.save()
    url = reverse("submissions:detail", args=[graded.pk])
    ko, en = _page(client, student, url, "ko"), _page(client, student, url, "en")
    assert "덧셈: 작은 정수" in ko and "합이 틀렸습니다" in ko and "참고 사항" in ko and "the sum is off" not in ko
    assert "add: small integers" in en and "the sum is off" in en and "a note" in en and "합이" not in en
    api = client.get(f"/api/submissions/{graded.pk}/", HTTP_ACCEPT_LANGUAGE="ko").json()
    assert api["feedback"]["tests"][0]["name"] == "덧셈: 작은 정수"


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_number_with_a_dot_is_kept_as_typed(x):
    from seqlab.submissions.forms import parse_number
    assert parse_number(repr(x)) == repr(x)


@given(st.text(max_size=60))
def test_any_typed_answer_is_a_number_or_a_clear_refusal(text):
    from django.core.exceptions import ValidationError

    from seqlab.submissions.forms import parse_number
    try:
        parsed = parse_number(text)
    except ValidationError as refusal:
        assert refusal.messages and refusal.messages[0]
    else:
        assert parsed == "" or float(parsed) == float(parsed)
