"""An instructor reads the misconception map, writes a hint, runs a similarity report and refers
a pair; a student then sees the hint on their result. Screenshots at 1280 and 390 px wide.

Real: the live server, PostgreSQL, Redis and a Celery worker process computing the report.
The class's results come from the real engine grading files of tests/content/attention/.
"""
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from graders.contracts import Job
from tests.web.insight.synthetic import disguise

REPO = Path(__file__).resolve().parents[2]
ATTENTION = REPO / "assignments" / "attention"
CORPUS = REPO / "tests" / "content" / "attention"
HISTORIES = {   # student -> files submitted, oldest first
    "minji": ["no_scale"], "jisoo": ["no_scale", "correct_einsum"], "hyun": ["softmax_over_queries"],
    "seo": ["inverted_mask", "inverted_mask", "correct_loops"], "yuna": ["mha_key_uses_W_q"],
    "doha": ["nan_rows", "correct_manual_softmax"], "taeo": ["no_scale", "mask_after_softmax"],
    "ara": ["correct_large_negative"], "copycat": ["mha_key_uses_W_q*"],
}

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.slow,
              pytest.mark.django_db(transaction=True)]


@pytest.fixture
def insight_class(db, django_user_model, engine):
    from seqlab.courses.services import assignment_sync, course_create, membership_set, offering_save
    from seqlab.submissions.models import Submission
    from seqlab.submissions.services import result_store, submission_create
    course = course_create(slug="seq-models", title_ko="딥러닝: 시퀀스 모델", title_en="Deep learning: sequence models",
                           term="2025-2")
    instructor = django_user_model.objects.create_user("instructor", password="pw-instructor-1")
    membership_set(course=course, user=instructor, role="instructor")
    now = timezone.now()
    offering = offering_save(actor=instructor, course=course, assignment=assignment_sync(path=ATTENTION).assignment,
                             release_at=now - timedelta(days=10), due_at=now + timedelta(days=2), cooldown_seconds=0)
    for name, files in HISTORIES.items():
        student = django_user_model.objects.create_user(name, password=f"pw-{name}-1")
        membership_set(course=course, user=student, role="student")
        for k, file in enumerate(files):
            source = (CORPUS / f"{file.rstrip('*')}.py").read_text()
            source = disguise(source, seed=k) if file.endswith("*") else source
            sub = submission_create(student=student, offering=offering, filename="attention.py",
                                    content=source.encode())
            Submission.objects.filter(pk=sub.pk).update(submitted_at=now - timedelta(days=6 - 2 * k, hours=len(name)))
            sub.refresh_from_db()
            result_store(submission=sub, run=sub.run, result=engine.grade(Job(
                assignment_dir=str(ATTENTION), filename="attention.py", content=source.encode())))
    return offering


def _login(page, url, username, password):
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("사용자 이름").fill(username)
    page.get_by_label("비밀번호").fill(password)
    page.get_by_role("button", name="로그인").click()


def _both(page, shot, name):
    page.set_viewport_size({"width": 1280, "height": 900})
    shot(page, f"{name}-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, f"{name}-390")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_instructor_uses_the_map_a_hint_and_the_similarity_report(insight_class, live_server, browser, page, shot,
                                                                  grading_worker):
    # insight_class first: the worker starts by purging the queue of the gradings those attempts queued
    from seqlab.insight.models import HintView, SimilarityPair
    offering = insight_class
    _login(page, live_server.url, "instructor", "pw-instructor-1")
    page.goto(f"{live_server.url}/c/seq-models/")
    page.get_by_role("link", name="오개념과 유사도").click()
    page.get_by_role("link", name="오개념 지도").click()
    page.locator("#mistakes").wait_for()
    page.locator("figure img").first.evaluate("img => img.decode()")
    page.locator("figure img").nth(1).evaluate("img => img.decode()")
    assert page.locator("#mistakes tbody tr").count() >= 5
    assert "attention/no-scale" in page.content()
    _both(page, shot, "insight-01-map")

    page.get_by_role("link", name="attention/no-scale").click()
    assert page.locator("#drill tbody tr").count() == 1          # minji; jisoo and taeo fixed it
    page.locator("textarea[name=text_ko]").fill("점수를 sqrt(d_k)로 나누었는지 확인해 보세요. 강의 노트 3장을 참고하세요.")
    page.locator("textarea[name=text_en]").fill("Check that the scores are divided by sqrt(d_k); see lecture notes 3.")
    page.get_by_role("button", name="힌트 공개").click()
    page.locator(".hints, [id^=hint-]").first.wait_for()
    _both(page, shot, "insight-02-hint")

    page.goto(f"{live_server.url}/staff/o/{offering.pk}/similarity/")
    page.get_by_role("button", name="새 보고서 생성").click()
    shot(page, "insight-03-similarity-running")
    try:
        page.locator("#pairs").wait_for(timeout=180_000)
    except Exception:
        raise AssertionError(f"report not finished; worker log:\n{grading_worker.log}")
    top = SimilarityPair.objects.select_related("first__student", "second__student").first()
    assert {top.first.student.username, top.second.student.username} == {"yuna", "copycat"}
    _both(page, shot, "insight-04-similarity")

    page.locator("#pairs a").first.click()
    page.locator("#diff").wait_for()
    page.locator("input[name=comment]").fill("same wrong numbers on every multi-head check")
    page.get_by_role("button", name="회부").click()
    page.locator(".badge.bad").first.wait_for()
    _both(page, shot, "insight-05-pair")

    context = browser.new_context(locale="ko-KR", viewport={"width": 390, "height": 844})
    student_page = context.new_page()
    _login(student_page, live_server.url, "minji", "pw-minji-1")
    sub = offering.submissions.get(student__username="minji")
    student_page.goto(f"{live_server.url}/s/{sub.pk}/")
    student_page.get_by_text("강의 노트 3장").wait_for()
    _both(student_page, shot, "insight-06-student-hint")
    context.close()
    assert HintView.objects.filter(student__username="minji").count() == 1
