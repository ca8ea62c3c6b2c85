"""A student takes the attention quiz and writes a practice answer in the browser; a real worker
grades both; a TA grades the written answer by its rubric; the student reads the grade.

Everything is real: the live server, PostgreSQL, Redis, a Celery worker process, the engine.
"""
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from seqlab.gradebook.models import AuditEntry
from seqlab.submissions.models import Submission

REPO = Path(__file__).resolve().parents[2]
WHY_ATTENTION = ("RNN 인코더-디코더는 원문 전체를 고정 길이 벡터 하나로 압축하므로 긴 문장에서 정보가 손실됩니다.\n"
                 "어텐션은 $\\mathrm{softmax}(QK^\\top/\\sqrt{d_k})V$ 로 쿼리마다 모든 키를 봅니다.")

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.slow,
              pytest.mark.django_db(transaction=True)]


@pytest.fixture
def answer_offerings(db, django_user_model):
    from seqlab.courses.services import assignment_sync, course_create, membership_set, offering_save
    course = course_create(slug="seq-models", title_ko="딥러닝: 시퀀스 모델", title_en="Deep learning: sequence models",
                           term="2025-2")
    people = {}
    for name, role in (("instructor", "instructor"), ("ta1", "ta"), ("student1", "student")):
        people[name] = django_user_model.objects.create_user(name, password=f"pw-{name}-1")
        membership_set(course=course, user=people[name], role=role)
    now = timezone.now()
    return {slug: offering_save(actor=people["instructor"], course=course,
                                assignment=assignment_sync(path=REPO / "assignments" / slug).assignment,
                                release_at=now - timedelta(days=1), due_at=now + timedelta(days=7),
                                cooldown_seconds=0)   # answers back to back
            for slug in ("quiz-attention", "written-practice")}


def _login(page, url, user):
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("사용자 이름").fill(user)
    page.get_by_label("비밀번호").fill(f"pw-{user}-1")
    page.get_by_role("button", name="로그인").click()
    page.wait_for_url(f"{url}/")


def _submit_and_wait(page, worker):
    page.get_by_role("button", name="답안 제출").click()
    page.wait_for_url(re.compile(r"/s/\d+/$"))
    try:
        page.locator("#live[data-status=graded]").wait_for(timeout=180_000)
    except Exception:
        raise AssertionError(f"not graded in time; worker log:\n{worker.log}")


def test_quiz_and_written_answers_are_graded_through_the_site(live_server, browser, page, shot, grading_worker,
                                                              answer_offerings):
    _login(page, live_server.url, "student1")
    page.goto(f"{live_server.url}/o/{answer_offerings['quiz-attention'].pk}/")
    page.locator("input[name=q-A-2-0]").fill("0.02715")                       # 2 points
    page.locator("label.choice", has_text="Messi").click()                    # 1 point
    page.locator("input[name=q-noam-1000]").fill("0.06084")                   # a wrong value: 0
    shot(page, "07-quiz-form")
    _submit_and_wait(page, grading_worker)
    shot(page, "08-quiz-graded")
    assert "마감 후 공개" in page.content()                                    # right/wrong waits for the deadline
    assert Submission.objects.get(offering=answer_offerings["quiz-attention"]).current_result.score == 3

    page.goto(f"{live_server.url}/o/{answer_offerings['written-practice'].pk}/")
    page.locator("textarea[name=q-why-attention]").fill(WHY_ATTENTION)
    _submit_and_wait(page, grading_worker)
    assert "조교 채점 대기" in page.content()
    written = Submission.objects.get(offering=answer_offerings["written-practice"])

    ta_page = browser.new_context(locale="ko-KR", viewport={"width": 1360, "height": 900}).new_page()
    _login(ta_page, live_server.url, "ta1")
    ta_page.goto(f"{live_server.url}/staff/s/{written.pk}/#answers")
    card = ta_page.locator("#q-2")
    card.locator("input[name=met][value='0']").check()
    card.locator("input[name=met][value='2']").check()
    card.locator("textarea[name=comment]").fill("병목과 수식이 정확합니다. 멀티헤드 어텐션을 보충하세요.")
    card.get_by_role("button", name="점수 저장").click()
    ta_page.get_by_text("저장했습니다").wait_for()
    shot(ta_page, "09-ta-rubric-graded")
    assert AuditEntry.objects.filter(action="rubric.grade", actor__username="ta1").count() == 1

    page.reload()
    page.get_by_text("조교 코멘트").wait_for()
    shot(page, "10-written-graded")
    assert page.get_by_test_id("score").inner_text().split() == ["합계", "4", "/", "50"]
