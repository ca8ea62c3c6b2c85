"""Running a course without Django admin: create it, import a roster, people, sections, the library."""
from __future__ import annotations

import shutil

import pytest

from seqlab.courses.models import Course, Membership
from seqlab.gradebook.models import AuditEntry
from seqlab.roster.models import Section, StudentSection
from tests.web.conftest import ADDER


def _csv(rows, header="학번,이름,이메일,분반", encoding="utf-8"):
    return ("\n".join([header, *rows]) + "\n").encode(encoding)


def _thirty():
    return [f"2026{i:04d},학생 {i},s{i}@uni.example,{'A' if i % 2 else 'B'}" for i in range(30)]


def _upload(client, course, data, name="roster.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile
    return client.post(f"/manage/c/{course.slug}/import/", {"file": SimpleUploadedFile(name, data, "text/csv")},
                       HTTP_ACCEPT_LANGUAGE="en")


def test_an_instructor_opens_a_new_course_and_becomes_its_instructor(client, instructor):
    client.force_login(instructor)
    resp = client.post("/manage/new/", {"slug": "nlp-2026", "title_ko": "자연어 처리", "title_en": "NLP",
                                        "term": "2026-1"})
    assert resp.status_code == 302
    course = Course.objects.get(slug="nlp-2026")
    assert Membership.objects.get(course=course, user=instructor).role == "instructor"
    assert AuditEntry.objects.filter(course=course, action="course.create").exists()


def test_a_student_cannot_open_courses(client, student):
    client.force_login(student)
    assert client.get("/manage/new/").status_code == 403
    assert client.post("/manage/new/", {"slug": "x", "title_ko": "x", "title_en": "x", "term": "x"}).status_code == 403
    assert not Course.objects.filter(slug="x").exists()


def test_a_roster_of_30_is_previewed_then_imported_into_two_sections(client, instructor, course):
    client.force_login(instructor)
    resp = _upload(client, course, _csv(_thirty(), encoding="cp949"))     # Korean Excel's encoding
    assert resp.status_code == 200
    page = resp.content.decode()
    assert "30" in page and "A, B" in page
    assert course.memberships.filter(role="student").count() == 0        # nothing before the confirmation
    resp = client.post(f"/manage/c/{course.slug}/import/apply/")
    assert resp.status_code == 200
    assert course.memberships.filter(role="student").count() == 30
    assert sorted(Section.objects.filter(course=course).values_list("name", flat=True)) == ["A", "B"]
    assert StudentSection.objects.filter(course=course, section__name="A").count() == 15
    student = Membership.objects.get(course=course, user__username="20260003").user
    assert student.first_name == "학생" and student.email == "s3@uni.example" and not student.has_usable_password()
    assert resp.content.decode().count("/manage/welcome/") == 30
    assert AuditEntry.objects.filter(course=course, action="roster.import").count() == 1


def test_a_file_with_problems_imports_nothing_and_names_each_line(client, instructor, course):
    client.force_login(instructor)
    rows = ["s1,One,one@uni.example,A", "s1,Again,again@uni.example,A", "bad id!,X,x@uni.example,A",
            "s3,Three,not-an-email,A"]
    resp = _upload(client, course, _csv(rows, header="id,name,email,section"))
    page = resp.content.decode()
    assert "line 3" in page and "line 4" in page and "line 5" in page
    client.post(f"/manage/c/{course.slug}/import/apply/")
    assert course.memberships.filter(role="student").count() == 0


@pytest.mark.parametrize("data, why", [
    (b"\x00\xff\xfe" * 1000, "neither UTF-8 nor CP949"),
    (b"id\n" + b"a" * (1 << 20), "larger than"),
    (b"id\n" + b"".join(b"s%d\n" % i for i in range(5002)), "more than 5000 rows"),
    (b"", "empty"),
])
def test_hostile_roster_files_get_a_clear_refusal(client, instructor, course, data, why):
    client.force_login(instructor)
    resp = _upload(client, course, data)
    assert resp.status_code == 400
    assert why in resp.content.decode()


def test_an_import_never_demotes_the_courses_staff(client, instructor, ta, course):
    client.force_login(instructor)
    _upload(client, course, _csv([f"{ta.username},TA,ta@uni.example,A", "s1,One,,A"], header="id,name,email,section"))
    client.post(f"/manage/c/{course.slug}/import/apply/")
    assert Membership.objects.get(course=course, user=ta).role == "ta"
    assert course.memberships.filter(role="student").count() == 1


def test_an_invited_ta_sets_a_password_once_with_the_welcome_link(client, instructor, course):
    from seqlab.roster.services import member_add
    user, link = member_add(actor=instructor, course=course, username="newta", role="ta", name="Han TA")
    assert link and Membership.objects.get(course=course, user=user).role == "ta"
    resp = client.get(link, follow=True)
    form_url = resp.redirect_chain[-1][0] if resp.redirect_chain else link
    resp = client.post(form_url, {"new_password1": "a-long-pass-phrase", "new_password2": "a-long-pass-phrase"})
    assert resp.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-long-pass-phrase")
    assert "already used" in client.get(link, follow=True, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_add_and_drop_one_student_through_the_page(client, instructor, course):
    client.force_login(instructor)
    client.post(f"/manage/c/{course.slug}/people/add/", {"username": "late1", "name": "Late Comer", "role": "student"})
    user = Membership.objects.get(course=course, user__username="late1").user
    client.post(f"/manage/c/{course.slug}/people/{user.pk}/drop/")
    assert not Membership.objects.filter(course=course, user=user).exists()
    assert list(AuditEntry.objects.filter(course=course, subject="late1").values_list("action", flat=True)) == [
        "member.drop", "member.role"]


def test_the_last_instructor_cannot_leave(instructor, course):
    from seqlab.roster.services import RosterRefused, member_drop
    with pytest.raises(RosterRefused):
        member_drop(actor=instructor, course=course, user=instructor)


def test_only_staff_of_the_course_lead_sections(instructor, ta, student, course):
    from seqlab.roster.services import RosterRefused, section_create, section_set_tas
    section = section_create(actor=instructor, course=course, name="A")
    section_set_tas(actor=instructor, section=section, tas=[ta])
    assert list(section.tas.all()) == [ta]
    with pytest.raises(RosterRefused):
        section_set_tas(actor=instructor, section=section, tas=[student])


@pytest.mark.parametrize("url", ["people/", "import/", "sections/"])
def test_only_the_courses_instructors_manage_it(client, ta, student, outsider, other_course, course, url,
                                                django_user_model):
    from seqlab.courses.services import membership_set
    other_instructor = django_user_model.objects.create_user("oi", password="x")
    membership_set(course=other_course, user=other_instructor, role="instructor")
    for user in (ta, student, outsider, other_instructor):
        client.force_login(user)
        assert client.get(f"/manage/c/{course.slug}/{url}").status_code == 403, user


def test_the_library_shows_what_a_sync_would_change_then_syncs(client, instructor, adder, settings, tmp_path):
    library = tmp_path / "library"
    shutil.copytree(ADDER, library / "adder")
    test_file = library / "adder" / "tests" / "public" / "test_add.py"
    test_file.write_text(test_file.read_text().replace("points=2", "points=3", 1))
    (library / "adder" / "notes.txt").write_text("new file")
    settings.SEQLAB_ASSIGNMENTS_DIR = library
    client.force_login(instructor)
    page = client.get("/manage/library/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "changed" in page and "notes.txt" in page and "2 pts" in page and "3 pts" in page
    old = adder.current_version_id
    assert client.post("/manage/library/sync/", {"folder": "adder"}).status_code == 302
    adder.refresh_from_db()
    assert adder.current_version_id != old
    assert "up to date" in client.get("/manage/library/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_library_syncs_only_folders_inside_it(client, instructor, settings, tmp_path):
    settings.SEQLAB_ASSIGNMENTS_DIR = tmp_path
    client.force_login(instructor)
    for folder in ("../..", "/etc", "adder/../../x", ""):
        assert client.post("/manage/library/sync/", {"folder": folder}).status_code == 404


def test_sections_filter_the_review_queue_and_the_gradebook(client, instructor, ta, student, other_student, course,
                                                            offering, solution_bytes):
    from seqlab.roster.services import section_create, section_set_tas, student_section_set
    from seqlab.submissions.services import submission_create, submission_grade
    for who in (student, other_student):
        sub = submission_create(student=who, offering=offering, filename="adder.py", content=solution_bytes)
        submission_grade(submission_id=sub.id, run=sub.run, worker="test")
    a, b = (section_create(actor=instructor, course=course, name=n) for n in ("A", "B"))
    student_section_set(actor=instructor, course=course, student=student, section=a)
    student_section_set(actor=instructor, course=course, student=other_student, section=b)
    section_set_tas(actor=instructor, section=a, tas=[ta])

    def names(html):
        return {n for n in (student.username, other_student.username) if f"<td>{n}</td>" in html}
    client.force_login(ta)                             # a TA who leads one section sees it first
    assert names(client.get(f"/staff/c/{course.slug}/review/").content.decode()) == {student.username}
    assert names(client.get(f"/staff/c/{course.slug}/review/?section=").content.decode()) == {
        student.username, other_student.username}
    client.force_login(instructor)
    book = client.get(f"/staff/c/{course.slug}/gradebook/?section={b.pk}").content.decode()
    assert other_student.username in book and f">{student.username}<" not in book
    assert client.get(f"/staff/c/{course.slug}/gradebook/?section=²").status_code == 200


def test_the_files_problems_are_said_in_the_readers_language():
    from django.utils import translation

    from seqlab.roster import csvroster
    data = "학번,이름,이메일\nkim,김,not-an-address\nkim,김,kim@x.kr\n".encode()
    with translation.override("ko"):
        problems = csvroster.parse_roster(data).problems
    assert problems and all("행" in p for p in problems) and not any("line" in p for p in problems), problems
