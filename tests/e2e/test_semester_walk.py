"""A whole semester in the browser, from an empty site to a grade in the LMS.

An instructor with no admin access (neither staff nor superuser; they instruct last term's
course, which is what lets them open a new one) creates the course, imports 30 students from
an LMS export, makes two sections with a TA, syncs and offers the attention assignment. A
student sets a password from their welcome link and submits a solution with the classic
missing 1/sqrt(d_k); the real worker grades it. The student asks for a regrade of a failed
check, their section's TA answers with an override, the instructor closes the assignment and
publishes the grades, and the grade goes to an LTI 1.3 platform (lti1p3platform over HTTP).

The ORM only makes the instructor's account and checks outcomes; everything else is clicks.
Pages are found by URL, ids and form field names, so the walk does not depend on the wording
of the (Korean) interface. Screenshots: tests/e2e/screenshots/walk-*.png, 1280 and 390 px.
"""
from __future__ import annotations

import html
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests.e2e.site_crawl import horizontal_overflow, serious_violations
from tests.web.lti.platform_double import INSTRUCTOR, LEARNER, Platform
from tests.web.services import require_postgres_and_redis

REPO = Path(__file__).resolve().parents[2]
ROSTER = Path(__file__).parent / "files" / "roster-30.csv"     # 학번,이름,이메일,분반 as a Korean LMS exports it
WRONG = REPO / "bench" / "submissions" / "wrong_no_scale.py"   # the scores are not divided by sqrt(d_k)
LAPTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
SLUG = "seq-2026-1"
STUDENT, TA_NAME = "202600001", "ta-park"
PASSWORDS = {STUDENT: "walk-Student-pw-41", TA_NAME: "walk-TA-pw-73", "prof": "walk-Prof-pw-19"}

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.slow,
              pytest.mark.django_db(transaction=True)]


class Lms(Platform):
    """The LTI platform with its OIDC authorisation endpoint: the browser is redirected there by the
    tool's login page and gets back an auto-posting form with the signed launch, as from an LMS."""

    launches: dict[str, dict] = {}          # login_hint -> who launches what

    def app(self, environ, start_response):
        if environ["PATH_INFO"] != "/auth":
            return super().app(environ, start_response)
        from urllib.parse import parse_qs
        preflight = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        who = self.launches[preflight["login_hint"]]
        data = self.launch(preflight, user_id=preflight["login_hint"], launch_url=preflight["redirect_uri"], **who)
        fields = "".join(f'<input type="hidden" name="{k}" value="{html.escape(data[k])}">'
                         for k in ("id_token", "state"))
        body = (f'<!doctype html><html lang="en"><title>LMS</title><body><form method="post" '
                f'action="{html.escape(preflight["redirect_uri"])}">{fields}</form>'
                "<script>document.forms[0].submit()</script></body></html>")
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [body.encode()]


class Walk:
    """The browser side: pages per person, screenshots, and axe on every page passed through."""

    def __init__(self, browser, base, shot):
        from axe_playwright_python.sync_playwright import Axe
        self.browser, self.base, self.shot, self.axe = browser, base, shot, Axe()
        self.problems: list[str] = []

    def person(self, viewport=LAPTOP):
        return self.browser.new_context(locale="ko-KR", viewport=viewport).new_page()

    def check(self, page, name: str, *, phone: bool = False):
        """Axe, then a screenshot at 1280 px (and 390 px when asked, with no sideways scrolling)."""
        self.problems.extend(f"{name}: {v}" for v in serious_violations(self.axe, page))
        page.set_viewport_size(LAPTOP)
        self.shot(page, f"{name}-1280")
        if phone:
            page.set_viewport_size(PHONE)
            self.shot(page, f"{name}-390")
            overflow = horizontal_overflow(page)
            if overflow > 1:
                self.problems.append(f"{name}: scrolls {overflow} px sideways at 390 px")
            page.set_viewport_size(LAPTOP)

    def login(self, page, username: str):
        page.goto(f"{self.base}/accounts/login/")
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(PASSWORDS[username])
        page.locator("form:has(input[name=password]) [type=submit]").click()
        page.wait_for_load_state()
        assert "/accounts/login/" not in page.url, f"{username} could not log in"

    def set_password(self, page, link: str, username: str):
        """A welcome link: set a password (Django's set-password form), then log in with it."""
        page.goto(link)
        page.locator("input[name=new_password1]").fill(PASSWORDS[username])
        page.locator("input[name=new_password2]").fill(PASSWORDS[username])
        page.locator("form:has(input[name=new_password1]) [type=submit]").click()
        page.wait_for_url(re.compile(r"/accounts/login/"))
        self.login(page, username)

    def post_form(self, page, form_selector: str):
        with page.expect_navigation():
            page.locator(f"{form_selector} [type=submit], {form_selector} button:not([type])").first.click()


def _local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def instructor(db, django_user_model):
    """Last term's instructor: instructing a course is what lets a non-staff account open a new one."""
    from seqlab.courses.models import Course, Membership, Role
    prof = django_user_model.objects.create_user("prof", password=PASSWORDS["prof"], first_name="김교수",
                                                 email="prof@univ.example.ac.kr")
    last_term = Course.objects.create(slug="seq-2025-2", title_ko="시퀀스 모델 (지난 학기)",
                                      title_en="Sequence models (last term)", term="2025-2")
    Membership.objects.create(course=last_term, user=prof, role=Role.INSTRUCTOR)
    assert not (prof.is_staff or prof.is_superuser)
    return prof


@pytest.fixture
def lms():
    platform = Lms().start()
    platform.launches = {}
    yield platform
    platform.stop()


def test_a_semester_from_an_empty_site_to_a_grade_in_the_lms(settings, live_server, browser, shot, grading_worker,
                                                            instructor, lms):
    from seqlab.courses.models import Course, Membership, Offering
    from seqlab.gradebook.models import Override
    from seqlab.regrades.models import RegradeRequest
    from seqlab.roster.models import StudentSection
    from seqlab.submissions.models import Submission
    require_postgres_and_redis(settings)
    walk = Walk(browser, live_server.url, shot)
    prof = walk.person()
    walk.login(prof, "prof")

    # 1. The course, from the "new course" button on the home page.
    prof.locator("a[href='/manage/new/']").click()
    prof.locator("input[name=slug]").fill(SLUG)
    prof.locator("input[name=title_ko]").fill("딥러닝: 시퀀스 모델")
    prof.locator("input[name=title_en]").fill("Deep learning: sequence models")
    prof.locator("input[name=term]").fill("2026-1")
    walk.check(prof, "walk-01-course-new")
    walk.post_form(prof, "form:has(input[name=slug])")
    assert prof.url == f"{live_server.url}/c/{SLUG}/", prof.url
    course = Course.objects.get(slug=SLUG)
    assert Membership.objects.get(course=course, user=instructor).role == "instructor"
    walk.check(prof, "walk-01-course", phone=True)

    # 2. The roster: upload, preview (nothing changes yet), import; each new student gets a one-time link.
    prof.goto(f"{live_server.url}/manage/c/{SLUG}/import/")
    prof.locator("input[type=file][name=file]").set_input_files(str(ROSTER))
    walk.post_form(prof, "form:has(input[name=file])")
    assert prof.locator("tbody tr").count() == 30
    assert not course.memberships.filter(role="student").exists()
    walk.check(prof, "walk-02-roster-preview")
    walk.post_form(prof, f"form[action='/manage/c/{SLUG}/import/apply/']")
    assert course.memberships.filter(role="student").count() == 30
    rows = dict(zip(prof.locator("tbody tr td:first-child").all_inner_texts(),
                    prof.locator("tbody tr td.mono").all_inner_texts()))
    assert len(rows) == 30 and all("/manage/welcome/" in link for link in rows.values())
    student_link = rows[STUDENT].strip()
    walk.check(prof, "walk-02-roster-imported")

    # 3. A TA (a new account, with its own link), two sections, students split between them.
    prof.goto(f"{live_server.url}/manage/c/{SLUG}/people/")
    prof.locator("input[name=username]").fill(TA_NAME)
    prof.locator("input[name=name]").fill("박조교")
    prof.locator("select[name=role]").select_option("ta")
    walk.post_form(prof, f"form[action='/manage/c/{SLUG}/people/add/']")
    ta_link = re.search(r"https?://\S+/manage/welcome/\S+/", prof.locator("ul.messages").inner_text()).group(0)
    assert Membership.objects.get(course=course, user__username=TA_NAME).role == "ta"
    prof.goto(f"{live_server.url}/manage/c/{SLUG}/sections/")
    for name in ("1분반", "2분반"):
        prof.locator("input[name=name]").fill(name)
        walk.post_form(prof, "form:has(input[name=name])")
    first, second = course.sections.order_by("name")
    walk.check(prof, "walk-03-sections")
    prof.goto(f"{live_server.url}/manage/c/{SLUG}/people/")
    students = course.memberships.filter(role="student").select_related("user").order_by("user__username")
    for k, m in enumerate(students):
        with prof.expect_navigation():      # the select submits its form on change
            prof.locator(f"#sec-{m.user_id}").select_option(str((first if k < 15 else second).pk))
    split = [StudentSection.objects.filter(section=s).count() for s in (first, second)]
    assert split == [15, 15], split
    assert StudentSection.objects.get(student__username=STUDENT).section == first
    walk.check(prof, "walk-03-people", phone=True)
    prof.goto(f"{live_server.url}/manage/c/{SLUG}/sections/")
    ta_user = Membership.objects.get(course=course, user__username=TA_NAME).user
    form = f"form[action='/manage/c/{SLUG}/sections/{first.pk}/tas/']"
    prof.locator(f"{form} input[name=ta][value='{ta_user.pk}']").check()
    walk.post_form(prof, form)
    assert list(first.tas.all()) == [ta_user] and not second.tas.exists()
    walk.check(prof, "walk-03-section-ta")

    # 4. The library: sync the attention folder, then offer it (open now, due in a week, no cool-down).
    prof.goto(f"{live_server.url}/manage/library/")
    walk.check(prof, "walk-04-library")
    walk.post_form(prof, "form:has(input[name=folder][value=attention])")
    assert prof.locator("form:has(input[name=folder][value=attention])").count() == 0    # up to date now
    prof.goto(f"{live_server.url}/staff/c/{SLUG}/offerings/")
    now = timezone.now()
    prof.locator("select[name=assignment]").select_option(label="attention")
    prof.locator("input[name=release_at]").fill(_local(now - timedelta(days=1)))
    prof.locator("input[name=due_at]").fill(_local(now + timedelta(days=7)))
    prof.locator("input[name=cooldown_seconds]").fill("0")
    walk.check(prof, "walk-04-offer")
    walk.post_form(prof, "form:has(select[name=assignment])")
    offering = Offering.objects.get(course=course, assignment__slug="attention")
    assert prof.url == f"{live_server.url}/staff/o/{offering.pk}/"
    walk.check(prof, "walk-04-offering", phone=True)

    # 5. The student sets a password from the welcome link and submits the unscaled attention.
    student = walk.person(PHONE)
    walk.set_password(student, student_link, STUDENT)
    student.goto(f"{live_server.url}/c/{SLUG}/")
    student.locator(f"a[href='/o/{offering.pk}/']").first.click()
    walk.check(student, "walk-05-assignment", phone=True)
    student.locator("input[type=file][name=file]").set_input_files(str(WRONG))
    student.locator(f"form[action='/o/{offering.pk}/submit/'] [type=submit]").click()
    student.wait_for_url(re.compile(r"/s/\d+/$"))
    try:
        student.locator("#live[data-status=graded]").wait_for(timeout=180_000)
    except Exception:
        raise AssertionError(f"not graded in time; worker log:\n{grading_worker.log}") from None
    sub = Submission.objects.select_related("current_result").get(offering=offering, student__username=STUDENT)
    assert 0 < sub.current_result.score < sub.current_result.max_score
    walk.check(student, "walk-05-graded", phone=True)
    # The live update swaps the result in place; the regrade form comes with the page, so it needs a reload.
    student.reload()

    # 6. A regrade request on a failed check; the section's TA answers it with full points for that check.
    failed = student.locator("li.check.fail .num").first.inner_text().strip()
    student.locator("#rg-check").select_option(failed)
    student.locator("#rg-reason").fill("제 코드는 명세대로 동작한다고 생각합니다. 다시 봐 주세요.")
    walk.post_form(student, "form.regrade-form")
    req = RegradeRequest.objects.get(submission=sub)
    assert req.check_number == failed and req.status == "open"
    walk.check(student, "walk-06-regrade-asked", phone=True)
    check_max = next(t["max_score"] for t in sub.current_result.tests if t.get("number") == failed)

    ta = walk.person()
    walk.set_password(ta, ta_link, TA_NAME)
    ta.goto(f"{live_server.url}/regrades/c/{SLUG}/")
    walk.check(ta, "walk-06-queue")
    ta.locator(f"a[href='/regrades/r/{req.pk}/']").click()
    ta.locator("textarea[name=answer]").fill("스케일이 빠졌지만 이번 검사는 부분 점수를 인정합니다.")
    ta.locator("input[name=score]").fill(f"{check_max:g}")
    walk.check(ta, "walk-06-answer")
    walk.post_form(ta, "form:has(textarea[name=answer])")
    req.refresh_from_db()
    assert req.status == "answered" and req.answered_by == ta_user and req.score_after == check_max
    assert Override.objects.filter(submission=sub, check_number=failed, score=check_max).exists()
    student.reload()
    assert "스케일이 빠졌지만" in student.locator("section.regrades").inner_text()
    walk.check(student, "walk-06-answered", phone=True)

    # 7. The assignment closes (due a minute ago: after-the-deadline checks show), and the grades are published.
    prof.goto(f"{live_server.url}/staff/o/{offering.pk}/")
    dates = "form:has(select[name=assignment])"          # the offering's own form, not the extension form
    prof.locator(f"{dates} input[name=due_at]").fill(_local(timezone.now() - timedelta(minutes=1)))
    walk.post_form(prof, dates)
    offering.refresh_from_db()
    assert offering.due_at < timezone.now()
    _publish(walk, prof, offering)
    offering.refresh_from_db()
    assert offering.published_at is not None
    prof.goto(f"{live_server.url}/staff/o/{offering.pk}/")
    assert timezone.localtime(offering.published_at).strftime("%Y-%m-%d %H:%M") in prof.locator("main").inner_text()
    walk.check(prof, "walk-07-published", phone=True)
    from seqlab.gradebook.selectors import offering_grades, penalty_factor
    total = offering_grades(offering=offering)[sub.student_id].total
    # Moving the due date recounts late days: the attempt is late if the new date (a whole minute
    # in the form) fell before it was handed in. The override counts, then the late penalty.
    sub.refresh_from_db()
    factor = penalty_factor(offering=offering, late_days=sub.late_days)
    assert total == pytest.approx((sub.current_result.score - req.score_before + check_max) * factor)
    student.goto(f"{live_server.url}/s/{sub.pk}/")
    shown = [float(x) for x in re.findall(r"[\d.]+", student.get_by_test_id("score").inner_text())]
    raw = sub.current_result.score - req.score_before + check_max
    assert shown[:2] == [pytest.approx(raw), sub.current_result.max_score], shown   # every check shown, the total too
    if sub.late_days:                                     # and what the gradebook counts, after the penalty
        assert shown[2] == pytest.approx(total), shown
    walk.check(student, "walk-07-student-final", phone=True)

    assert not walk.problems, "\n".join(walk.problems)

    # 8. The LMS: registered on the server (lti_register), then the instructor opens SeqLab from the LMS.
    _lms_step(walk, live_server, lms, course, offering, sub, prof)
    assert not walk.problems, "\n".join(walk.problems)


def _publish(walk, page, offering):
    """Publish from the offering's page: a button that posts at once, or a link to a preview whose
    confirmation form (a box to tick, then submit) publishes; either way the grades end up published."""
    url = f"/staff/o/{offering.pk}/publish/"
    with page.expect_navigation():
        if page.locator(f"a[href='{url}']").count():
            page.locator(f"a[href='{url}']").first.click()
        else:
            page.locator(f"form[action='{url}'] button[name=publish][value='1']").click()
    offering.refresh_from_db()
    if offering.published_at is None:
        confirm = "main form[method=post]:has(input[name=publish][value='1'])"
        assert page.locator(confirm).count() == 1, f"neither published nor a confirmation form at {page.url}"
        walk.check(page, "walk-07-publish-confirm")
        for box in page.locator(f"{confirm} input[type=checkbox]").all():
            box.check()
        walk.post_form(page, confirm)


def _launch(page, base: str, lms: Lms, registration, login_hint: str, lands: str = r"/(c|o)/"):
    """An LMS launch in the browser: the tool's OIDC login, the platform's auth page, the auto-posted id_token."""
    from urllib.parse import urlencode
    params = {"iss": lms.issuer, "login_hint": login_hint, "target_link_uri": f"{base}/lti/launch/",
              "lti_message_hint": "walk", "client_id": lms.client_id, "lti_deployment_id": lms.deployment_id}
    page.goto(f"{base}/lti/login/{registration.uuid}/?{urlencode(params)}")
    page.wait_for_url(re.compile(re.escape(base) + lands), timeout=30_000)


def instructor_lti(registration, sub: str):
    """The SeqLab account an LMS user's `sub` now opens."""
    from lti_tool.models import LtiUser
    return LtiUser.objects.get(registration=registration, sub=sub).auth_user


def _lms_step(walk, live_server, lms, course, offering, sub, prof):
    from django.core.management import call_command
    from lti_tool.models import Key, LtiRegistration
    from seqlab.courses.models import Membership
    from seqlab.lti.models import CourseLink, Passback
    from seqlab.gradebook.selectors import offering_grades
    from seqlab.lti.tasks import passback_sweep
    # No page lets an instructor register an LMS: the server's operator runs lti_register (docs/lti.md).
    call_command("lti_register", name="Test LMS", issuer=lms.issuer, client_id=lms.client_id,
                 auth_url=f"{lms.base}/auth", token_url=f"{lms.base}/token", keyset_url=f"{lms.base}/jwks",
                 deployment=[lms.deployment_id], site=live_server.url, stdout=open("/dev/null", "w"))
    lms.tool_jwks = Key.objects.as_jwks()
    registration = LtiRegistration.objects.get(issuer=lms.issuer)
    prof.goto(f"{live_server.url}/lti/c/{course.slug}/")
    walk.check(prof, "walk-08-lms-unlinked")
    lineitem = f"{lms.base}/lineitems/attention"
    item = {"resource_link": "rl-attention", "custom": {"seqlab_assignment": "attention"}, "lineitem": lineitem}
    lms.launches["lms-prof"] = {"roles": [INSTRUCTOR], "name": "김교수", "email": "prof@univ.example.ac.kr", **item}
    lms.launches[f"lms-{STUDENT}"] = {"roles": [LEARNER], "email": f"s{STUDENT}@univ.example.ac.kr", **item}
    # The instructor opens the LMS item; the LMS sends the e-mail of their SeqLab account, so SeqLab asks
    # which of their courses (last term's or this one) the LMS course is, and their SeqLab password, once.
    from_lms = walk.person()
    _launch(from_lms, live_server.url, lms, registration, "lms-prof", lands=r"/lti/link/")
    walk.check(from_lms, "walk-08-lms-link", phone=True)
    from_lms.locator("#link-form select[name=course]").select_option(str(course.pk))
    from_lms.locator("#link-form input[name=password]").fill(PASSWORDS["prof"])
    walk.post_form(from_lms, "#link-form")
    assert from_lms.url == f"{live_server.url}/lti/c/{course.slug}/", from_lms.url
    linked = CourseLink.objects.select_related("course").get(context__id_on_platform=lms.context_id).course
    assert linked == course
    assert instructor_lti(registration, "lms-prof") == Membership.objects.get(course=course, role="instructor").user
    student_lms = walk.person(PHONE)
    _launch(student_lms, live_server.url, lms, registration, f"lms-{STUDENT}")
    assert sub.student.lti_users.filter(registration=registration).exists(), \
        "the student's LMS launch did not reach their imported account"
    passback_sweep()                      # what Celery beat runs every SEQLAB_LTI_PASSBACK_EVERY seconds
    total = offering_grades(offering=offering)[sub.student_id].total
    (score,) = [s for s in lms.scores if s["userId"] == f"lms-{STUDENT}"]
    assert score["lineitem"] == "attention" and score["scoreGiven"] == pytest.approx(total)
    assert Passback.objects.get(student=sub.student).status == "sent"
    prof.goto(f"{live_server.url}/lti/c/{course.slug}/")
    walk.check(prof, "walk-08-lms-grades-sent", phone=True)
