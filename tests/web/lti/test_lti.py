"""LTI 1.3 against a real platform implementation (lti1p3platform) served beside the tests:
registration, launch, deep linking, grade passback, roster sync, and the refusals."""
from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.web.lti.platform_double import INSTRUCTOR, LEARNER, TA, Platform, preflight_from

LAUNCH_URL = "http://testserver/lti/launch/"


def launch(client, platform, registration, *, user_id, roles, **kw):
    """The browser's part: the tool's OIDC login, the platform's answer, the form post to the tool."""
    params = {"iss": platform.issuer, "login_hint": user_id, "target_link_uri": LAUNCH_URL,
              "lti_message_hint": "hint", "client_id": platform.client_id,
              "lti_deployment_id": platform.deployment_id}
    resp = client.get(f"/lti/login/{registration.uuid}/", params)
    if resp.status_code == 200 and "lti1p3_new_window" in resp.content.decode():
        # The page checks in JavaScript that cookies work, then reloads itself with this flag.
        resp = client.get(f"/lti/login/{registration.uuid}/", params | {"lti1p3_new_window": "1"})
    assert resp.status_code == 302, resp.content[:300]
    auth_url = resp["Location"]
    data = platform.launch(preflight_from(auth_url), user_id=user_id, roles=roles, launch_url=LAUNCH_URL, **kw)
    form = {"id_token": data["id_token"], "state": data["state"]}
    return client.post("/lti/launch/", form), form


def offer(course, slug_folder, instructor, **dates):
    from seqlab.courses.services import assignment_sync, offering_save
    now = timezone.now()
    assignment = assignment_sync(path=slug_folder).assignment
    return offering_save(actor=instructor, course=course, assignment=assignment,
                         **({"release_at": now - timedelta(days=1), "due_at": now + timedelta(days=7)} | dates))


@pytest.fixture
def lms_course(client, platform, registration):
    """An instructor opened SeqLab from the LMS once: the course exists, linked, and offers adder."""
    from seqlab.courses.models import Course
    from tests.web.conftest import ADDER
    resp, _ = launch(client, platform, registration, user_id="prof-1", roles=[INSTRUCTOR], name="Prof Kim",
                     email="kim@example.test")
    assert resp.status_code == 302, resp.content[:500]
    course = Course.objects.get(lti_links__context__id_on_platform=platform.context_id)
    instructor = course.memberships.get(role="instructor").user
    client.logout()
    return course, offer(course, ADDER, instructor)


def test_an_instructors_first_launch_creates_the_linked_course(client, platform, registration):
    from seqlab.courses.models import Course
    resp, _ = launch(client, platform, registration, user_id="prof-1", roles=[INSTRUCTOR], name="Prof Kim")
    course = Course.objects.get(lti_links__context__id_on_platform=platform.context_id)
    assert resp["Location"] == f"/c/{course.slug}/"
    member = course.memberships.get()
    assert member.role == "instructor" and member.user.first_name == "Prof Kim"
    assert not member.user.has_usable_password()
    assert client.get(resp["Location"]).status_code == 200


def test_a_student_cannot_open_a_course_no_instructor_has_set_up(client, platform, registration):
    resp, _ = launch(client, platform, registration, user_id="stu-1", roles=[LEARNER])
    assert resp.status_code == 403
    assert "준비되지 않았습니다" in resp.content.decode()        # "not set up yet", in the site's Korean
    assert "_auth_user_id" not in client.session


def test_a_student_launch_logs_in_and_opens_the_assignment(client, platform, registration, lms_course):
    course, offering = lms_course
    resp, _ = launch(client, platform, registration, user_id="stu-1", roles=[LEARNER], name="Lee",
                     resource_link="rl-adder", custom={"seqlab_assignment": offering.assignment.slug},
                     lineitem=f"{platform.base}/lineitems/7")
    assert resp["Location"] == f"/o/{offering.pk}/"
    assert course.memberships.get(user__first_name="Lee").role == "student"
    assert client.get(resp["Location"]).status_code == 200


def test_a_teaching_assistant_is_a_ta_even_when_the_lms_also_says_instructor(client, platform, registration,
                                                                           lms_course):
    course, _ = lms_course
    launch(client, platform, registration, user_id="ta-1", roles=[TA, INSTRUCTOR], name="Park")
    assert course.memberships.get(user__first_name="Park").role == "ta"


def test_deep_linking_returns_signed_items_with_grade_columns(client, platform, registration, lms_course):
    from lti_tool.models import Key
    course, offering = lms_course
    resp, _ = launch(client, platform, registration, user_id="prof-1", roles=[INSTRUCTOR], resource_link=None,
                     deep_link_return=f"{platform.base}/deep-link-return")
    assert resp.status_code == 200 and offering.assignment.title_ko in resp.content.decode()
    resp = client.post("/lti/deep-link/", {"offering": [offering.pk]})
    assert resp.status_code == 200
    jwt = re.search(r'name="JWT" value="([^"]+)"', resp.content.decode()).group(1)
    items = platform.accept_deep_link(jwt, Key.objects.as_jwks())
    assert len(items) == 1
    item = items[0]
    assert item["custom"] == {"seqlab_assignment": offering.assignment.slug}
    assert item["lineItem"]["scoreMaximum"] == offering.assignment.current_version.max_score


def test_a_student_cannot_deep_link(client, platform, registration, lms_course):
    resp, _ = launch(client, platform, registration, user_id="stu-1", roles=[LEARNER], resource_link=None,
                     deep_link_return=f"{platform.base}/deep-link-return")
    assert resp.status_code == 403


def _student_submits(client, platform, registration, offering, sub_id="stu-1"):
    from seqlab.submissions.services import submission_create, submission_grade
    from tests.web.conftest import ADDER
    launch(client, platform, registration, user_id=sub_id, roles=[LEARNER], resource_link="rl-adder",
           custom={"seqlab_assignment": offering.assignment.slug}, lineitem=f"{platform.base}/lineitems/7")
    student = offering.course.memberships.get(role="student").user
    sub = submission_create(student=student, offering=offering, filename="adder.py",
                            content=(ADDER / "solution" / "adder.py").read_bytes())
    submission_grade(submission_id=sub.id, run=sub.run, worker="test")
    return student


def test_a_grade_goes_back_once_the_student_can_see_it_and_only_once(client, platform, registration, lms_course):
    from seqlab.gradebook.services import offering_publish
    from seqlab.lti.passback import passback_offering
    from seqlab.lti.tasks import passback_sweep
    course, offering = lms_course
    _student_submits(client, platform, registration, offering)
    assert passback_offering(offering=offering) == {"nothing to send": 1}     # after-the-deadline checks wait
    assert platform.scores == []
    offering.due_at = timezone.now() - timedelta(minutes=1)
    offering.save()
    instructor = course.memberships.get(role="instructor").user
    offering_publish(actor=instructor, offering=offering)
    assert passback_sweep() == {"sent": 1}               # the periodic task sends it
    (score,) = platform.scores
    assert score["lineitem"] == "7" and score["userId"] == "stu-1"
    assert score["scoreGiven"] == score["scoreMaximum"] == offering.assignment.current_version.max_score
    assert score["gradingProgress"] == "FullyGraded" and score["activityProgress"] == "Completed"
    assert passback_offering(offering=offering) == {"unchanged": 1}
    assert len(platform.scores) == 1


def test_an_unreachable_lms_is_recorded_and_retried_not_raised(client, platform, registration, lms_course):
    from seqlab.gradebook.services import offering_publish
    from seqlab.lti.models import Passback
    from seqlab.lti.passback import passback_offering
    course, offering = lms_course
    _student_submits(client, platform, registration, offering)
    offering.due_at = timezone.now() - timedelta(minutes=1)
    offering.save()
    offering_publish(actor=course.memberships.get(role="instructor").user, offering=offering)
    platform.stop()
    assert passback_offering(offering=offering) == {"failed": 1}
    record = Passback.objects.get()
    assert record.status == "failed" and "Connection" in record.error
    platform.start()
    registration.token_url = f"{platform.base}/token"
    registration.save()
    link = record.link
    link.lineitem_url = f"{platform.base}/lineitems/7"
    link.save()
    assert passback_offering(offering=offering) == {"sent": 1}
    instructor = course.memberships.get(role="instructor").user
    client.force_login(instructor)
    page = client.get(f"/lti/c/{course.slug}/").content.decode()
    assert "stu-1" not in page and offering.assignment.slug in page


def test_only_the_courses_instructors_see_its_lms_page(client, platform, registration, lms_course):
    course, _ = lms_course
    launch(client, platform, registration, user_id="stu-1", roles=[LEARNER])
    assert client.get(f"/lti/c/{course.slug}/").status_code == 403
    client.logout()
    assert client.get(f"/lti/c/{course.slug}/").status_code == 302      # to the login page


def test_roster_sync_brings_members_and_roles_and_drops_inactive_ones(client, platform, registration, lms_course):
    course, _ = lms_course
    platform.members = [
        {"user_id": "prof-1", "roles": [INSTRUCTOR], "name": "Prof Kim", "status": "Active"},
        *({"user_id": f"s{i}", "roles": [LEARNER], "given_name": f"Student{i}", "status": "Active"} for i in range(5)),
        {"user_id": "ta-9", "roles": [TA], "name": "Choi"},
        {"user_id": "gone", "roles": [LEARNER], "name": "Gone", "status": "Inactive"},
    ]
    launch(client, platform, registration, user_id="prof-1", roles=[INSTRUCTOR])
    resp = client.post(f"/lti/c/{course.slug}/roster/")
    assert resp.status_code == 302
    roles = sorted(course.memberships.values_list("role", flat=True))
    assert roles == ["instructor", "student", "student", "student", "student", "student", "ta"]
    platform.members = platform.members[1:3]        # four students left the LMS course
    platform.members[0]["status"] = "Inactive"
    client.post(f"/lti/c/{course.slug}/roster/")
    assert course.memberships.filter(role="student").count() == 4


def test_a_student_cannot_sync_the_roster(client, platform, registration, lms_course):
    course, _ = lms_course
    launch(client, platform, registration, user_id="stu-1", roles=[LEARNER])
    assert client.post(f"/lti/c/{course.slug}/roster/").status_code == 403


# ----------------------------------------------------------------------------- refusals

def test_a_token_signed_with_another_key_is_refused(client, platform, registration, lms_course):
    impostor = Platform(client_id=platform.client_id, deployment_id=platform.deployment_id)
    impostor.server = platform.server            # same issuer and endpoints, a key the tool never saw
    resp, _ = launch(client, impostor, registration, user_id="stu-1", roles=[LEARNER])
    assert resp.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_replayed_launch_is_refused(client, platform, registration, lms_course):
    resp, form = launch(client, platform, registration, user_id="stu-1", roles=[LEARNER])
    assert resp.status_code == 302
    client.logout()
    assert client.post("/lti/launch/", form).status_code == 400


def test_an_expired_token_is_refused(client, platform, registration, lms_course):
    resp, _ = launch(client, platform, registration, user_id="stu-1", roles=[LEARNER], expiration=-120)
    assert resp.status_code == 400


def test_an_unknown_deployment_is_refused(client, platform, registration, lms_course):
    platform.deployment_id = "dep-nobody-activated"
    resp, _ = launch(client, platform, registration, user_id="stu-1", roles=[LEARNER])
    assert resp.status_code == 403
    assert "_auth_user_id" not in client.session


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres") is False,
                    reason="SQLite stores an overlong name; PostgreSQL refuses it, and that refusal is what is tested")
def test_an_overlong_claim_is_a_clear_refusal_not_a_server_error(client, platform, registration, lms_course):
    """A signed launch with a 5 000-character name and 20 000 roles: refused with a message, nobody logged in."""
    resp, _ = launch(client, platform, registration, user_id="u" * 250, roles=["Learner"] * 20000 + [LEARNER],
                     name="N" * 5000, custom={"seqlab_assignment": "../" * 1000})
    assert resp.status_code == 400
    assert "_auth_user_id" not in client.session
