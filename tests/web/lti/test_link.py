"""Linking an LMS course to a course made in SeqLab, and LMS accounts to its imported students.

`course` ("seq") was made in SeqLab; its students came from a roster file with their e-mails.
Prof Kim is `instructor` (SeqLab password "instructor-pw", e-mail kim@example.test).
"""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from tests.web.lti.platform_double import INSTRUCTOR, LEARNER, TA
from tests.web.lti.test_lti import launch, offer

PROF = {"user_id": "prof-1", "roles": [INSTRUCTOR], "name": "Prof Kim", "email": "kim@example.test"}


@pytest.fixture
def imported(instructor, ta, student, other_student, outsider):
    """E-mails as the roster import stored them; the students have SeqLab passwords of their own."""
    for user, email in ((instructor, "kim@example.test"), (ta, "park@example.test"),
                        (student, "alice@example.test"), (other_student, "bob@example.test"),
                        (outsider, "carol@example.test")):
        user.email = email
        user.first_name = {"student": "Alice"}.get(user.username, user.username)
        user.save()
    return instructor


def _link(client, course, password="instructor-pw"):
    return client.post("/lti/link/", {"action": "link", "course": course.pk, "password": password})


@pytest.fixture
def linked(client, platform, registration, course, imported):
    """Prof Kim opened SeqLab from the LMS course and linked it to `course` with their password."""
    resp, _ = launch(client, platform, registration, **PROF)
    assert resp["Location"] == "/lti/link/"
    assert _link(client, course).status_code == 302
    client.logout()
    return course


def _lti_user(registration, sub):
    from lti_tool.models import LtiUser
    return LtiUser.objects.get(registration=registration, sub=sub)


# ----------------------------------------------------------------------------- course linking

def test_an_instructor_links_the_lms_course_to_their_course_with_their_password(client, platform, registration,
                                                                                course, imported):
    from seqlab.gradebook.models import AuditEntry
    from seqlab.lti.models import CourseLink
    resp, _ = launch(client, platform, registration, **PROF)
    assert resp["Location"] == "/lti/link/"
    assert "_auth_user_id" not in client.session and not CourseLink.objects.exists()
    page = client.get("/lti/link/")
    assert page.status_code == 200 and course.slug in page.content.decode()
    assert _link(client, course, password="guess").status_code == 400
    assert not CourseLink.objects.exists() and "_auth_user_id" not in client.session
    resp = _link(client, course)
    assert resp["Location"] == f"/lti/c/{course.slug}/"
    assert CourseLink.objects.get().course == course
    assert _lti_user(registration, "prof-1").auth_user == imported
    assert int(client.session["_auth_user_id"]) == imported.pk
    entry = AuditEntry.objects.get(action="lti.course_link")
    assert entry.course == course and entry.actor == imported and entry.after["context"] == platform.context_id
    assert client.get(resp["Location"]).status_code == 200


def test_linking_from_an_lms_item_also_links_the_item_to_its_assignment(client, platform, registration, course,
                                                                        imported):
    from seqlab.lti.models import OfferingLink
    from tests.web.conftest import ADDER
    offering = offer(course, ADDER, imported)
    launch(client, platform, registration, **PROF, resource_link="rl-adder",
           custom={"seqlab_assignment": offering.assignment.slug}, lineitem=f"{platform.base}/lineitems/7")
    assert _link(client, course).status_code == 302
    link = OfferingLink.objects.get()
    assert link.offering == offering and link.lineitem_url == f"{platform.base}/lineitems/7"
    assert course.memberships.get(user=imported).role == "instructor"


def test_the_next_launch_of_a_linked_instructor_opens_their_course_without_asking(client, platform, registration,
                                                                                  linked, imported):
    resp, _ = launch(client, platform, registration, **PROF)
    assert resp["Location"] == f"/c/{linked.slug}/"
    assert int(client.session["_auth_user_id"]) == imported.pk
    assert linked.memberships.get(user=imported).role == "instructor"
    assert linked.memberships.count() == 4          # nobody new: Prof Kim, the TA, two students


def test_an_instructor_may_still_make_a_new_course_from_the_link_page(client, platform, registration, course,
                                                                      imported):
    from seqlab.courses.models import Course
    launch(client, platform, registration, **PROF)
    resp = client.post("/lti/link/", {"action": "new"})
    made = Course.objects.get(lti_links__context__id_on_platform=platform.context_id)
    assert made != course and resp["Location"] == f"/lti/c/{made.slug}/"
    owner = made.memberships.get(role="instructor").user
    assert owner.username.startswith("lti-") and owner != imported


def _code(client, course):
    import re
    assert client.post(f"/lti/c/{course.slug}/link-code/").status_code == 302
    page = client.get(f"/lti/c/{course.slug}/").content.decode()
    return re.search(r"seqlab_link_code=([A-Z0-9-]{14})", page).group(1)


def test_an_instructor_links_with_a_one_time_code_from_the_courses_lms_page(client, platform, registration, course,
                                                                           imported):
    from seqlab.gradebook.models import AuditEntry
    from seqlab.lti.models import CourseLink
    client.force_login(imported)
    code = _code(client, course)
    client.logout()
    unknown = PROF | {"email": "kim.private@elsewhere.test", "custom": {"seqlab_link_code": code.lower()}}
    resp, _ = launch(client, platform, registration, **unknown)
    assert resp["Location"] == f"/c/{course.slug}/"
    assert CourseLink.objects.get().course == course
    assert _lti_user(registration, "prof-1").auth_user == imported
    assert int(client.session["_auth_user_id"]) == imported.pk
    assert AuditEntry.objects.filter(action="lti.course_link", course=course).count() == 1


def test_a_link_code_works_once(client, platform, registration, course, other_course, imported):
    from seqlab.courses.models import Membership
    from seqlab.lti.models import CourseLink
    Membership.objects.create(course=other_course, user=imported, role="instructor")
    client.force_login(imported)
    code = _code(client, course)
    client.logout()
    with_code = PROF | {"email": "", "custom": {"seqlab_link_code": code}}
    launch(client, platform, registration, **with_code)
    client.logout()
    platform.context_id = "course-202"
    resp, _ = launch(client, platform, registration, **(with_code | {"user_id": "prof-2"}))
    assert resp.status_code == 400
    assert list(CourseLink.objects.values_list("course", flat=True)) == [course.pk]


def test_a_made_up_link_code_is_refused(client, platform, registration, course, imported):
    from seqlab.lti.models import CourseLink
    resp, _ = launch(client, platform, registration, **(PROF | {"custom": {"seqlab_link_code": "AAAA-BBBB-CCCC"}}))
    assert resp.status_code == 400 and not CourseLink.objects.exists()


def test_only_the_courses_instructor_makes_link_codes(client, course, other_course, imported, ta, outsider,
                                                    django_user_model):
    from seqlab.courses.models import Membership
    other = django_user_model.objects.create_user("other-prof", password="x")
    Membership.objects.create(course=other_course, user=other, role="instructor")
    for who in (ta, outsider, other):
        client.force_login(who)
        assert client.post(f"/lti/c/{course.slug}/link-code/").status_code == 403
    client.logout()
    assert client.post(f"/lti/c/{course.slug}/link-code/").status_code == 302     # to the login page


def test_an_lms_learner_with_a_link_code_links_nothing(client, platform, registration, course, imported):
    from seqlab.lti.models import CourseLink
    client.force_login(imported)
    code = _code(client, course)
    client.logout()
    resp, _ = launch(client, platform, registration, user_id="stu-1", roles=[LEARNER],
                     custom={"seqlab_link_code": code})
    assert resp.status_code == 403 and not CourseLink.objects.exists()


def test_an_lms_instructor_nobody_knows_gets_a_new_course_as_before(client, platform, registration, course, imported):
    from seqlab.courses.models import Course
    resp, _ = launch(client, platform, registration, **(PROF | {"email": "someone@else.test"}))
    made = Course.objects.get(lti_links__context__id_on_platform=platform.context_id)
    assert made != course and resp["Location"] == f"/c/{made.slug}/"


def test_a_ta_of_another_course_cannot_link_it(client, platform, registration, course, other_course, imported, ta):
    """A TA's e-mail never offers a course to link: they instruct none; the launch makes a new course as before."""
    from seqlab.lti.models import CourseLink
    resp, _ = launch(client, platform, registration, **(PROF | {"user_id": "ta-lms", "email": ta.email}))
    assert resp["Location"] != "/lti/link/"
    assert CourseLink.objects.get().course not in (course, other_course)
    assert int(client.session["_auth_user_id"]) != ta.pk


def test_an_lms_teaching_assistant_cannot_link_even_as_a_seqlab_instructor(client, platform, registration, course,
                                                                          imported):
    from seqlab.lti.models import CourseLink
    resp, _ = launch(client, platform, registration, **(PROF | {"roles": [TA, INSTRUCTOR]}))
    assert resp.status_code == 403 and not CourseLink.objects.exists()


def test_an_instructor_cannot_link_a_course_they_do_not_instruct(client, platform, registration, course, other_course,
                                                                django_user_model, imported):
    from seqlab.courses.models import Membership
    from seqlab.lti.models import CourseLink
    other = django_user_model.objects.create_user("other-prof", password="other-pw", email="lee@example.test")
    Membership.objects.create(course=other_course, user=other, role="instructor")
    Membership.objects.create(course=course, user=other, role="ta")
    launch(client, platform, registration, **(PROF | {"user_id": "prof-2", "email": "LEE@example.test"}))
    assert _link(client, course, password="other-pw").status_code == 400      # not among their choices
    assert not CourseLink.objects.exists()
    assert _link(client, other_course, password="other-pw").status_code == 302
    assert CourseLink.objects.get().course == other_course


def test_two_lms_courses_cannot_link_the_same_course(client, platform, registration, linked, imported):
    from seqlab.lti.models import CourseLink
    from seqlab.lti.services import LaunchRefused, course_link
    platform.context_id = "course-202"
    resp, _ = launch(client, platform, registration, **PROF)
    assert resp["Location"] == "/lti/link/"          # Prof Kim is known; but their only course is taken
    assert _link(client, linked).status_code == 400
    assert CourseLink.objects.count() == 1
    from lti_tool.models import LtiContext
    second = SimpleNamespace(roles_claim=[INSTRUCTOR], user=_lti_user(registration, "prof-1"),
                             context=LtiContext.objects.get(id_on_platform="course-202"))
    with pytest.raises(LaunchRefused):          # the service refuses it too, whatever a form lets through
        course_link(lti_launch=second, account=imported, course=linked)


def test_a_replayed_instructor_launch_is_refused(client, platform, registration, course, imported):
    resp, form = launch(client, platform, registration, **PROF)
    assert resp["Location"] == "/lti/link/"
    client.cookies.clear()
    assert client.post("/lti/launch/", form).status_code == 400
    assert client.get("/lti/link/").status_code == 400


def test_wrong_passwords_are_bounded(client, platform, registration, course, imported):
    from seqlab.lti.models import CourseLink
    launch(client, platform, registration, **PROF)
    for _ in range(5):
        assert _link(client, course, password="guess").status_code == 400
    assert _link(client, course).status_code == 400          # even the right one, for a while
    assert not CourseLink.objects.exists()


def test_the_link_page_without_a_launch_is_a_clear_refusal(client, instructor):
    client.force_login(instructor)
    assert client.get("/lti/link/").status_code == 400
    assert client.post("/lti/link/", {"action": "new"}).status_code == 400


# ----------------------------------------------------------------------------- account linking

def test_an_imported_student_is_matched_by_email_and_keeps_their_name(client, platform, registration, linked,
                                                                      student):
    from seqlab.gradebook.models import AuditEntry
    resp, _ = launch(client, platform, registration, user_id="stu-1", roles=[LEARNER], email="ALICE@example.test")
    assert resp["Location"] == f"/c/{linked.slug}/"
    assert int(client.session["_auth_user_id"]) == student.pk
    assert _lti_user(registration, "stu-1").auth_user == student
    student.refresh_from_db()
    assert student.first_name == "Alice" and student.has_usable_password()     # the launch sent no name
    assert linked.memberships.get(user=student).role == "student" and linked.memberships.count() == 4
    assert AuditEntry.objects.filter(action="lti.account_match", student=student).exists()


@pytest.mark.parametrize("email", ["kim@example.test", "park@example.test"])
def test_a_staff_email_never_opens_a_staff_account(client, platform, registration, linked, imported, ta, email):
    launch(client, platform, registration, user_id="evil", roles=[LEARNER], email=email)
    me = int(client.session["_auth_user_id"])
    assert me not in (imported.pk, ta.pk)
    assert linked.memberships.get(user_id=me).role == "student"
    assert linked.memberships.get(user=ta).role == "ta"


def test_a_student_who_is_staff_elsewhere_is_not_matched(client, platform, registration, linked, student,
                                                         other_course):
    from seqlab.courses.models import Membership
    Membership.objects.create(course=other_course, user=student, role="ta")
    launch(client, platform, registration, user_id="stu-1", roles=[LEARNER], email=student.email)
    assert int(client.session["_auth_user_id"]) != student.pk


def test_an_lms_ta_launch_is_not_matched_to_a_student(client, platform, registration, linked, student):
    launch(client, platform, registration, user_id="stu-1", roles=[TA], email=student.email)
    assert int(client.session["_auth_user_id"]) != student.pk
    assert linked.memberships.get(user=student).role == "student"


def test_a_member_of_another_course_is_not_matched(client, platform, registration, linked, outsider):
    launch(client, platform, registration, user_id="stu-9", roles=[LEARNER], email=outsider.email)
    assert int(client.session["_auth_user_id"]) != outsider.pk
    assert not linked.memberships.filter(user=outsider).exists()


def test_a_changed_sub_with_the_same_email_gets_its_own_account(client, platform, registration, linked, student):
    launch(client, platform, registration, user_id="stu-1", roles=[LEARNER], email=student.email)
    client.logout()
    launch(client, platform, registration, user_id="stu-1-new", roles=[LEARNER], email=student.email)
    assert int(client.session["_auth_user_id"]) != student.pk
    assert _lti_user(registration, "stu-1").auth_user == student


def test_two_members_with_one_email_are_not_matched(client, platform, registration, linked, student, other_student):
    other_student.email = student.email.upper()
    other_student.save()
    launch(client, platform, registration, user_id="stu-1", roles=[LEARNER], email=student.email)
    assert int(client.session["_auth_user_id"]) not in (student.pk, other_student.pk)


def test_a_launch_into_an_unlinked_course_matches_nobody(client, platform, registration, course, imported, student):
    """Before the link a learner is refused (not set up), and no imported student is touched."""
    resp, _ = launch(client, platform, registration, user_id="stu-1", roles=[LEARNER], email=student.email)
    assert resp.status_code == 403
    assert _lti_user(registration, "stu-1").auth_user is None


def test_roster_sync_matches_imported_students_and_keeps_their_names(client, platform, registration, linked,
                                                                     imported, student, other_student):
    platform.members = [
        {"user_id": "prof-1", "roles": [INSTRUCTOR], "name": "Prof Kim", "status": "Active"},
        {"user_id": "stu-1", "roles": [LEARNER], "email": "Alice@Example.test", "status": "Active"},
        {"user_id": "stu-2", "roles": [LEARNER], "email": other_student.email, "status": "Inactive"},
    ]
    client.force_login(imported)
    assert client.post(f"/lti/c/{linked.slug}/roster/").status_code == 302
    assert _lti_user(registration, "stu-1").auth_user == student
    assert _lti_user(registration, "stu-2").auth_user != other_student     # inactive: claims nobody
    student.refresh_from_db()
    assert student.first_name == "Alice"
    assert linked.memberships.get(user=other_student).role == "student"
    assert linked.memberships.filter(role="student").count() == 2


# ----------------------------------------------------------------------------- grades

def test_a_matched_students_grade_goes_back_to_the_lms(client, platform, registration, linked, imported, student):
    from seqlab.gradebook.services import offering_publish
    from seqlab.lti.passback import passback_offering
    from seqlab.submissions.services import submission_create, submission_grade
    from tests.web.conftest import ADDER
    offering = offer(linked, ADDER, imported)
    launch(client, platform, registration, user_id="stu-1", roles=[LEARNER], email=student.email,
           resource_link="rl-adder", custom={"seqlab_assignment": offering.assignment.slug},
           lineitem=f"{platform.base}/lineitems/7")
    sub = submission_create(student=student, offering=offering, filename="adder.py",
                            content=(ADDER / "solution" / "adder.py").read_bytes())
    submission_grade(submission_id=sub.id, run=sub.run, worker="test")
    offering.due_at = timezone.now() - timedelta(minutes=1)
    offering.save()
    offering_publish(actor=imported, offering=offering)
    assert passback_offering(offering=offering) == {"sent": 1}
    (score,) = platform.scores
    assert score["userId"] == "stu-1" and score["lineitem"] == "7"
    assert score["scoreGiven"] == offering.assignment.current_version.max_score
