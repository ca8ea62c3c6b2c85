"""Accommodations through the pages: instructors set them within bounds (audited), TAs read them,
students see their own with the dates that now apply, staff lists mark who has one."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from seqlab.courses.models import Accommodation
from seqlab.courses.services import AccommodationRefused, accommodation_set
from seqlab.gradebook.models import AuditEntry

pytestmark = pytest.mark.django_db


def _url(course):
    return reverse("courses:accommodations", args=[course.slug])


def _post(client, user, course, **fields):
    client.force_login(user)
    data = {"extra_days": "0", "extra_time_percent": "0", "extra_attempts": "0", "note": ""}
    data.update({k: str(v) for k, v in fields.items()})
    return client.post(_url(course), data)


def test_instructor_adds_changes_and_removes_an_accommodation_each_audited(client, instructor, course, student):
    assert _post(client, instructor, course, student=student.pk, extra_days=3, extra_time_percent=50,
                 extra_attempts=2, note="letter from the disability office").status_code == 302
    acc = Accommodation.objects.get()
    assert (acc.extra_days, acc.extra_time_percent, acc.extra_attempts, acc.updated_by) == (3, 50, 2, instructor)
    _post(client, instructor, course, student=student.pk, extra_days=5)
    acc.refresh_from_db()
    assert acc.extra_days == 5 and acc.extra_time_percent == 0
    client.post(reverse("courses:accommodation_remove", args=[course.slug, student.pk]))
    assert not Accommodation.objects.exists()
    entries = list(AuditEntry.objects.filter(action__startswith="accommodation.").order_by("id"))
    assert [e.action for e in entries] == ["accommodation.set", "accommodation.set", "accommodation.remove"]
    assert entries[0].before is None and entries[0].after["extra_days"] == 3
    assert entries[1].before["extra_days"] == 3 and entries[1].after["extra_days"] == 5
    assert entries[2].before["extra_days"] == 5 and entries[2].after is None


@pytest.mark.parametrize("field,value", [
    ("extra_days", 366), ("extra_days", -1), ("extra_time_percent", 401), ("extra_attempts", 101),
    ("extra_days", "1e3"), ("extra_attempts", "²"), ("extra_time_percent", "99999999999999999999999")])
def test_out_of_bounds_values_are_refused_and_nothing_is_saved(client, instructor, course, student, field, value):
    response = _post(client, instructor, course, student=student.pk, **{field: value})
    assert response.status_code == 400
    assert not Accommodation.objects.exists() and not AuditEntry.objects.filter(action="accommodation.set").exists()


def test_the_service_refuses_out_of_bounds_values_too(instructor, course, student):
    with pytest.raises(AccommodationRefused):
        accommodation_set(actor=instructor, course=course, student=student, extra_days=366)
    assert not Accommodation.objects.exists()


def test_only_students_of_the_course_get_one(client, instructor, course, ta, outsider):
    for who in (ta, outsider):
        assert _post(client, instructor, course, student=who.pk, extra_days=1).status_code == 400
        with pytest.raises(AccommodationRefused):
            accommodation_set(actor=instructor, course=course, student=who, extra_days=1)
    assert not Accommodation.objects.exists()


def test_a_ta_reads_the_list_but_cannot_change_it(client, instructor, ta, course, student):
    accommodation_set(actor=instructor, course=course, student=student, extra_days=2, note="medical")
    client.force_login(ta)
    html = client.get(_url(course), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "student" in html and "+2 days" in html and "medical" in html and 'name="extra_days"' not in html
    assert _post(client, ta, course, student=student.pk, extra_days=9).status_code == 404
    client.force_login(ta)
    assert client.post(reverse("courses:accommodation_remove", args=[course.slug, student.pk])).status_code == 404
    assert Accommodation.objects.get().extra_days == 2


def test_an_instructor_of_another_course_cannot_reach_it(client, django_user_model, course, other_course, student):
    from seqlab.courses.services import membership_set
    other = django_user_model.objects.create_user(username="other_instructor")
    membership_set(course=other_course, user=other, role="instructor")
    assert _post(client, other, course, student=student.pk, extra_days=9).status_code == 404
    assert client.get(_url(course)).status_code == 404
    assert not Accommodation.objects.exists()


def test_the_student_sees_their_accommodations_and_the_dates_that_apply(client, instructor, course, student,
                                                                        other_student, offering):
    offering.max_submissions = 3
    offering.save()
    accommodation_set(actor=instructor, course=course, student=student, extra_days=3, extra_time_percent=50,
                      extra_attempts=2, note="private reason")
    client.force_login(student)
    moved = timezone.localtime(offering.due_at + timedelta(days=3)).strftime("%Y-%m-%d")
    for url in (reverse("courses:course", args=[course.slug]), reverse("courses:offering", args=[offering.pk])):
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Your accommodations: +3 days, +50 % time, +2 attempts" in html, url
        assert moved in html and "private reason" not in html
    html = client.get(reverse("courses:offering", args=[offering.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "at most 5" in html
    client.force_login(other_student)
    html = client.get(reverse("courses:course", args=[course.slug]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Your accommodations" not in html and "/ 3" in html


def test_the_korean_page_says_it_in_korean(client, instructor, course, student):
    accommodation_set(actor=instructor, course=course, student=student, extra_days=1)
    client.force_login(student)
    html = client.get(reverse("courses:course", args=[course.slug]), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "Your accommodations" not in html and "+1일" in html


def test_staff_lists_mark_accommodated_students(client, instructor, ta, course, student, other_student, graded):
    accommodation_set(actor=instructor, course=course, student=student, extra_attempts=1)
    client.force_login(instructor)
    people = client.get(reverse("roster:people", args=[course.slug]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "+1 attempt" in people
    client.force_login(ta)
    review = client.get(reverse("gradebook:review", args=[course.slug])).content.decode()
    assert review.count('class="badge info accommodated"') == 1
    client.force_login(instructor)
    book = client.get(reverse("gradebook:gradebook", args=[course.slug])).content.decode()
    assert book.count('class="badge info accommodated"') == 1
