"""A student logs in, submits a correct and a wrong attention.py, and watches both get graded.

Everything is real: the live server, PostgreSQL, Redis, a Celery worker process and the
grading engine with its sandbox.
"""
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from seqlab.submissions.models import Submission

REPO = Path(__file__).resolve().parents[2]
ATTENTION = REPO / "assignments" / "attention"
CORRECT = (REPO / "reference" / "attention.py").read_text()
# The classic slip the statement warns about: no 1/sqrt(d_k) scaling.
WRONG = CORRECT.replace("q @ k.transpose(-2, -1) / math.sqrt(d_k)", "q @ k.transpose(-2, -1)")
assert WRONG != CORRECT, "reference/attention.py changed: update how the wrong submission is made"

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.slow,
              pytest.mark.django_db(transaction=True)]


@pytest.fixture
def attention_offering(db, django_user_model):
    from seqlab.courses.services import assignment_sync, course_create, membership_set, offering_save
    course = course_create(slug="seq-models", title_ko="딥러닝: 시퀀스 모델", title_en="Deep learning: sequence models",
                           term="2025-2")
    instructor = django_user_model.objects.create_user("instructor", password="pw-instructor-1")
    student = django_user_model.objects.create_user("student1", password="pw-student-1", first_name="학생1")
    membership_set(course=course, user=instructor, role="instructor")
    membership_set(course=course, user=student, role="student")
    now = timezone.now()
    return offering_save(actor=instructor, course=course, assignment=assignment_sync(path=ATTENTION).assignment,
                         release_at=now - timedelta(days=1), due_at=now + timedelta(days=7),
                         cooldown_seconds=0)   # submits back to back; the site's default cools down


def _submit_paste(page, code: str):
    page.get_by_label("코드 붙여넣기").check()
    page.locator("textarea[name=code]").fill(code)
    page.get_by_role("button", name="채점 제출").click()
    page.wait_for_url(re.compile(r"/s/\d+/$"))


def _wait_graded(page, worker) -> str:
    try:
        page.locator("#live[data-status=graded]").wait_for(timeout=180_000)
    except Exception:
        raise AssertionError(f"not graded in time; worker log:\n{worker.log}")
    return page.get_by_test_id("score").inner_text()


def test_student_submits_correct_and_wrong_attention(live_server, page, shot, grading_worker, attention_offering):
    page.goto(f"{live_server.url}/accounts/login/")
    shot(page, "01-login")
    page.get_by_label("사용자 이름").fill("student1")
    page.get_by_label("비밀번호").fill("pw-student-1")
    page.get_by_role("button", name="로그인").click()
    page.get_by_role("link", name=re.compile("시퀀스 모델")).click()
    shot(page, "02-course")
    page.get_by_role("link", name=re.compile("어텐션")).click()
    page.locator("article.statement").wait_for()
    shot(page, "03-assignment")

    _submit_paste(page, CORRECT)
    page.locator("#live .badge").first.wait_for()
    shot(page, "04-queued")
    correct_score = _wait_graded(page, grading_worker)
    shot(page, "05-correct-graded")

    page.goto(f"{live_server.url}/o/{attention_offering.pk}/")
    page.locator("input[type=file]").set_input_files(files=[{
        "name": "attention.py", "mimeType": "text/x-python", "buffer": WRONG.encode()}])
    page.get_by_role("button", name="채점 제출").click()
    page.wait_for_url(re.compile(r"/s/\d+/$"))
    wrong_score = _wait_graded(page, grading_worker)
    shot(page, "06-wrong-graded")

    shown = [float(x) for x in re.findall(r"[\d.]+", correct_score)[:2]]
    wrong = [float(x) for x in re.findall(r"[\d.]+", wrong_score)[:2]]
    assert shown[0] == shown[1] > 0, correct_score           # every shown check passed
    assert wrong[0] < wrong[1], wrong_score
    assert "숨겨진" in page.content() or "공개" in page.content()   # withheld checks are named
    full = sorted(Submission.objects.values_list("current_result__score", flat=True))
    assert full[0] < full[1] == attention_offering.assignment.current_version.max_score
