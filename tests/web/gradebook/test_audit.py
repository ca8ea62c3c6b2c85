"""The audit trail in words: who, when (in the site's time zone, named), what changed; one row per
regrade-all; filterable by student, assignment and staff member; paginated."""
import datetime as dt
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from seqlab.core.audit import audit_record
from seqlab.courses.services import extension_grant, offering_save
from seqlab.gradebook.auditlog import describe
from seqlab.gradebook.models import AuditEntry
from seqlab.gradebook.services import offering_regrade_all, override_set
from tests.web.gradebook.helpers import graded, page

pytestmark = pytest.mark.django_db


def _audit(client, user, course, lang="en", **params) -> str:
    return page(client, user, reverse("gradebook:audit", args=[course.slug]), lang=lang, **params)


def _check_number(sub) -> str:
    return sub.current_result.tests[0]["number"]


def test_an_override_reads_as_check_old_to_new_of_max(client, course, ta, student, offering, wrong_bytes):
    sub = graded(student, offering, wrong_bytes)
    number = _check_number(sub)
    most = sub.current_result.tests[0]["max_score"]
    override_set(actor=ta, submission=sub, check_number=number, score=0, comment="copied")
    html = _audit(client, ta, course)
    assert f"check {number}: {sub.current_result.tests[0]['score']:g} → 0 / {most:g}" in html
    assert "score overridden" in html and "{&#x27;" not in html and "{'" not in html


def test_late_policy_and_dates_read_in_words_in_the_sites_time_zone(client, settings, course, instructor, offering):
    due = (offering.release_at + timedelta(days=3)).astimezone(dt.timezone.utc).replace(hour=14, minute=0, second=0,
                                                                                          microsecond=0)
    seoul = timezone.localtime(due).strftime("%Y-%m-%d %H:%M")                  # 14:00 UTC is 23:00 in Seoul
    assert seoul.endswith("23:00")
    offering_save(actor=instructor, course=course, assignment=offering.assignment, offering=offering,
                  late_penalty_per_day=Decimal("0.05"), due_at=due)
    html = _audit(client, instructor, course)
    assert "late penalty per day: 10 % → 5 %" in html
    assert "due: " in html and f"{seoul} KST" in html
    assert f"When <span class=\"mono\">({settings.TIME_ZONE})</span>" in html


def test_an_extension_names_the_student_and_the_new_date(client, course, instructor, student, offering):
    due = timezone.make_aware(timezone.datetime(2026, 12, 24, 23, 59))
    extension_grant(actor=instructor, offering=offering, student=student, due_at=due, reason="병가")
    html = _audit(client, instructor, course)
    assert 'extension for student: due <span class="mono">2026-12-24 23:59 KST</span>' in html


def test_regrade_all_is_one_row_with_its_count_and_ids(client, course, instructor, student, offering,
                                                       solution_bytes, django_capture_on_commit_callbacks):
    subs = [graded(student, offering, solution_bytes) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=False):
        offering_regrade_all(actor=instructor, offering=offering)
    assert not AuditEntry.objects.filter(action="submission.regrade").exists()
    entry = AuditEntry.objects.get(action="offering.regrade_all")
    assert entry.after["count"] == 3 and entry.after["submission_ids"] == [s.pk for s in subs]
    assert entry.offering == offering
    html = _audit(client, instructor, course)
    assert "3 submissions re-queued" in html and "whole assignment regraded" in html


def test_a_single_regrade_is_still_audited_with_its_submission(instructor, student, offering, solution_bytes):
    from seqlab.submissions.services import submission_regrade
    sub = graded(student, offering, solution_bytes)
    submission_regrade(actor=instructor, submission=sub)
    entry = AuditEntry.objects.get(action="submission.regrade")
    assert (entry.submission, entry.student, entry.offering) == (sub, student, offering)


def test_filters_by_student_assignment_and_staff_member(client, course, instructor, ta, student, other_student,
                                                        offering, quiz_offering, wrong_bytes):
    mine, theirs = graded(student, offering, wrong_bytes), graded(other_student, offering, wrong_bytes)
    override_set(actor=ta, submission=mine, check_number="", score=1, comment="mine by ta")
    override_set(actor=instructor, submission=theirs, check_number="", score=2, comment="theirs by instructor")
    offering_save(actor=instructor, course=course, assignment=quiz_offering.assignment, offering=quiz_offering,
                  cooldown_seconds=30)
    by_student = _audit(client, instructor, course, student=student.pk)
    assert "mine by ta" in by_student and "theirs by instructor" not in by_student
    by_actor = _audit(client, instructor, course, actor=ta.pk)
    assert "mine by ta" in by_actor and "theirs by instructor" not in by_actor and "cool-down" not in by_actor
    by_offering = _audit(client, instructor, course, offering=quiz_offering.pk)
    assert "cool-down: 0 s → 30 s" in by_offering and "mine by ta" not in by_offering


def test_old_rows_without_structured_fields_still_show(client, course, instructor):
    audit_record(course=course, actor=instructor, action="override.set", subject="adder #1 by kim check total",
                 before={"score": 2.0, "comment": ""}, after={"score": 4.0})
    html = _audit(client, instructor, course)
    assert "score: 2 → 4" in html and "adder #1 by kim check total" in html


@pytest.mark.parametrize("params", [{"student": "999999"}, {"offering": "x"}, {"actor": "-1"},
                                    {"student": "1" * 400}])
def test_a_filter_value_from_elsewhere_is_a_400_not_a_500(client, course, instructor, params):
    client.force_login(instructor)
    response = client.get(reverse("gradebook:audit", args=[course.slug]), params)
    assert response.status_code == 400


def test_another_courses_student_cannot_be_used_as_a_filter(client, course, instructor, outsider):
    client.force_login(instructor)
    assert client.get(reverse("gradebook:audit", args=[course.slug]), {"student": outsider.pk}).status_code == 400


def test_the_trail_is_paginated(client, course, instructor):
    for i in range(60):
        audit_record(course=course, actor=instructor, action="section.create", subject=f"section {i:02d}")
    first = _audit(client, instructor, course)
    assert "section 59" in first and "section 09" not in first and "Page 1 of 2" in first
    second = _audit(client, instructor, course, page="2")
    assert "section 09" in second and "section 59" not in second
    assert "section 00" in _audit(client, instructor, course, page="9" * 50)       # past the end: the last page


@pytest.mark.parametrize("before, after", [
    (None, None), ([1, 2], "x"), ({"a": {"b": [1] * 100}}, {"a": None}), ("=1", 3), ({"score": "NaN"}, {"score": []}),
    ({"score": 10 ** 400, "due_at": "2026-13-45"}, {"weight": 10 ** 400}),
    ({"check": 5, "score": {"x": 1}}, {"check": None, "max": "x", "rubric": ["a", 2]}),
])
@pytest.mark.parametrize("action", ["override.set", "extension.grant", "offering.publish", "submission.regrade",
                                    "offering.regrade_all", "offering.save", "unknown.kind"])
def test_any_stored_shape_becomes_bounded_words_never_an_error(course, instructor, action, before, after):
    entry = AuditEntry(course=course, actor=instructor, action=action, subject="s", before=before, after=after)
    lines = describe(entry)
    assert all(isinstance(line, str) and len(strip_tags(line)) <= 600 for line in lines) and len(lines) <= 12


def test_students_never_reach_the_trail(client, course, student, outsider):
    for user in (student, outsider):
        client.force_login(user)
        assert client.get(reverse("gradebook:audit", args=[course.slug])).status_code == 404


def test_what_users_typed_is_escaped_everywhere_in_the_trail(client, course, instructor, student, offering):
    from seqlab.gradebook.services import category_save
    hostile = '<img src=x onerror="alert(1)">'
    category_save(actor=instructor, course=course, title_ko=hostile, title_en=hostile, weight=Decimal("10"))
    extension_grant(actor=instructor, offering=offering, student=student, due_at=timezone.now(), reason=hostile)
    audit_record(course=course, actor=instructor, action="unknown.kind", subject=hostile,
                 before={hostile: hostile}, after={"due_at": hostile, "x": [hostile]})
    html = _audit(client, instructor, course)
    assert hostile not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
