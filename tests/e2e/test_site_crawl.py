"""Every page as each role (student, TA, instructor) in Korean and English: zero serious or
critical axe-core violations, no word of the other language outside code and course content,
no sideways scrolling at 390 px, and screenshots at 390 and 1280 px in tests/e2e/screenshots/."""
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.site_crawl import crawl, foreign_words, horizontal_overflow, page_text, serious_violations
from tests.web.conftest import (ADDER, MINI_QUIZ, MINI_WRITTEN, _fake_engine, course, instructor,  # noqa: F401
                                other_course, student, ta)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
PHONE, LAPTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}


@pytest.fixture
def semester(course, instructor, ta, student):
    """A course mid-semester: code, quiz and written work graded, pending, overridden, extended."""
    from seqlab.courses.services import assignment_sync, extension_grant, offering_save
    from seqlab.gradebook.services import override_set
    from seqlab.submissions.services import submission_create, submission_create_answers, submission_grade
    now = timezone.now()
    offerings = {folder.name: offering_save(actor=instructor, course=course, assignment=assignment_sync(path=folder).assignment,
                                            release_at=now - timedelta(days=2), due_at=now + timedelta(days=9, hours=5),
                                            cooldown_seconds=0)
                 for folder in (ADDER, MINI_QUIZ, MINI_WRITTEN)}

    def graded(sub):
        submission_grade(submission_id=sub.id, run=sub.run, worker="test")
        return sub
    code = offerings["adder"]
    graded(submission_create(student=student, offering=code, filename="adder.py",
                             content=b"def add(a, b):\n    return a - b\n"))
    right = graded(submission_create(student=student, offering=code, filename="adder.py",
                                     content=(ADDER / "solution" / "adder.py").read_bytes()))
    override_set(actor=ta, submission=right, check_number="1.1", score=2, comment="좋아요")
    graded(submission_create_answers(student=student, offering=offerings["mini-quiz"], answers={"weight": "0.0271"}))
    graded(submission_create_answers(student=student, offering=offerings["mini-written"],
                                     answers={"why-attention": "병목 때문입니다."}))
    extension_grant(actor=instructor, offering=code, student=student, due_at=now + timedelta(days=12), reason="병가")
    return offerings


def _context(browser, live_server, user, lang: str, viewport: dict):
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="ko-KR" if lang == "ko" else "en-US", viewport=viewport)
    host = live_server.url.split("//")[1].split(":")[0]
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": client.cookies["sessionid"].value,
                          "domain": host, "path": "/"},
                         {"name": django_settings.LANGUAGE_COOKIE_NAME, "value": lang, "domain": host, "path": "/"}])
    return context


def _user_content(users, offerings) -> set[str]:
    """Names, files, and titles an instructor wrote in one language only (shown as written)."""
    names = {u.username for u in users} | {u.get_short_name() for u in users if u.get_short_name()}
    things = {o.assignment for o in offerings.values()} | {o.course for o in offerings.values()}
    one_language = {t.title_ko or t.title_en for t in things if not (t.title_ko and t.title_en)}
    return names | one_language | {"adder.py", "answers.json", "2025-2"} | {o.assignment.slug for o in offerings.values()}


@pytest.mark.parametrize("role", ["student", "ta", "instructor"])
def test_every_page_is_accessible_and_in_one_language(browser, live_server, semester, role, request):
    from axe_playwright_python.sync_playwright import Axe
    user = request.getfixturevalue(role)
    content = _user_content([request.getfixturevalue(r) for r in ("student", "ta", "instructor")], semester)
    axe, problems = Axe(), []
    for lang in ("ko", "en"):
        context = _context(browser, live_server, user, lang, PHONE if lang == "ko" else LAPTOP)
        page = context.new_page()

        def visit(path, lang=lang, page=page):
            problems.extend(f"{lang} {path}: {v}" for v in serious_violations(axe, page))
            words = foreign_words(page_text(page), lang, content)
            if words:
                problems.append(f"{lang} {path}: other language: {sorted(set(words))[:12]}")
            overflow = horizontal_overflow(page)
            if lang == "ko" and overflow > 0:
                problems.append(f"{lang} {path}: scrolls {overflow}px sideways at 390 px")
        pages = crawl(page, live_server.url, visit)
        assert len(pages) >= (6 if role == "student" else 12), pages
        context.close()
    assert not problems, "\n".join(problems)


def test_screenshots_at_phone_and_laptop_width(browser, live_server, semester, student, instructor):
    SCREENSHOTS.mkdir(exist_ok=True)
    code = semester["adder"]
    latest = code.submissions.order_by("-number").first()
    shots = [(student, "student-course", f"/c/{code.course.slug}/"), (student, "student-offering", f"/o/{code.pk}/"),
             (student, "student-result", f"/s/{latest.pk}/"), (student, "student-quiz", f"/o/{semester['mini-quiz'].pk}/"),
             (instructor, "staff-gradebook", f"/staff/c/{code.course.slug}/gradebook/"),
             (instructor, "staff-review", f"/staff/s/{latest.pk}/"),
             (instructor, "staff-people", f"/manage/c/{code.course.slug}/people/"),
             (instructor, "staff-regrades", f"/regrades/c/{code.course.slug}/"),
             (instructor, "staff-lms", f"/lti/c/{code.course.slug}/"),
             (instructor, "staff-library", "/manage/library/")]
    for width, viewport in (("390", PHONE), ("1280", LAPTOP)):
        for user, name, path in shots:
            context = _context(browser, live_server, user, "ko", viewport)
            page = context.new_page()
            response = page.goto(live_server.url + path)
            if response.ok:
                page.screenshot(path=str(SCREENSHOTS / f"{width}-{name}.png"), full_page=True)
            context.close()
            assert response.ok, path


def test_keyboard_reaches_the_content_through_the_skip_link(browser, live_server, semester, student):
    context = _context(browser, live_server, student, "en", LAPTOP)
    page = context.new_page()
    page.goto(live_server.url + f"/o/{semester['adder'].pk}/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#content"
    context.close()
