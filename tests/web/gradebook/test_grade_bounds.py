"""Grades stay within their bounds, whether set from the page, a service, the admin or SQL."""
import math

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from seqlab.gradebook.models import AuditEntry, Override
from seqlab.gradebook.services import GradeRefused, override_set

pytestmark = pytest.mark.django_db
PUBLIC_CHECK = "1.1"          # the adder's public check: 2 points; the assignment: 6


@pytest.mark.parametrize("check,score", [
    ("", 400), (PUBLIC_CHECK, 1_000_000), ("", 1e308), ("", math.inf), ("", math.nan), (PUBLIC_CHECK, -1),
    (PUBLIC_CHECK, 2.5), ("9.9", 1), ("bogus", 0),
], ids=["400-on-a-6-point-total", "million-on-a-2-point-check", "1e308-on-the-total", "infinity", "nan",
        "negative", "just-over-the-check", "a-check-that-does-not-exist", "not-a-check-number"])
def test_override_outside_its_checks_bounds_is_refused_and_not_audited(ta, graded, check, score):
    audits = AuditEntry.objects.count()
    with pytest.raises(GradeRefused):
        override_set(actor=ta, submission=graded, check_number=check, score=score, comment="why")
    assert not Override.objects.exists() and AuditEntry.objects.count() == audits


@pytest.mark.parametrize("check,score", [("", 0), ("", 6), (PUBLIC_CHECK, 2), (PUBLIC_CHECK, 0.5)])
def test_override_within_bounds_is_stored_and_audited(ta, graded, check, score):
    override_set(actor=ta, submission=graded, check_number=check, score=score, comment="why")
    assert Override.objects.get().score == score
    assert AuditEntry.objects.filter(action="override.set").exists()


def test_bonus_points_go_only_on_the_total_through_the_explicit_setting(ta, graded, settings):
    settings.SEQLAB_MAX_BONUS_FRACTION = 0.5
    with pytest.raises(GradeRefused):
        override_set(actor=ta, submission=graded, check_number="", score=7, comment="extra")
    with pytest.raises(GradeRefused):
        override_set(actor=ta, submission=graded, check_number=PUBLIC_CHECK, score=3, comment="extra", bonus=True)
    with pytest.raises(GradeRefused):
        override_set(actor=ta, submission=graded, check_number="", score=9.5, comment="extra", bonus=True)
    override_set(actor=ta, submission=graded, check_number="", score=9, comment="best in class", bonus=True)
    entry = AuditEntry.objects.get(action="override.bonus")
    assert entry.after == {"score": 9, "check": "", "max": 6.0} and entry.comment == "best in class"


@pytest.mark.parametrize("score", [-0.5, 1e308, math.inf, math.nan])
def test_database_refuses_an_override_no_check_could_be_worth(ta, graded, score):
    with pytest.raises(IntegrityError), transaction.atomic():
        Override.objects.create(submission=graded, check_number="", score=score, comment="raw", author=ta)


def test_override_form_out_of_bounds_says_why_and_stores_nothing(client, ta, graded):
    client.force_login(ta)
    response = client.post(reverse("gradebook:override", args=[graded.pk]),
                           {"check_number": "", "score": "400", "comment": "regrade"}, follow=True,
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and "between 0 and 6" in response.content.decode()
    assert not Override.objects.exists()


@pytest.fixture
def admin_client_(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin)
    return client


@pytest.mark.parametrize("model", ["override", "auditentry"])
def test_admin_offers_no_add_for_overrides_and_audit_entries(admin_client_, model):
    assert admin_client_.get(f"/admin/gradebook/{model}/add/").status_code == 403
    listing = admin_client_.get(f"/admin/gradebook/{model}/").content.decode()
    assert f"/admin/gradebook/{model}/add/" not in listing


def test_admin_cannot_change_an_override_without_the_audited_service(admin_client_, ta, graded):
    override = override_set(actor=ta, submission=graded, check_number="", score=5, comment="why")
    url = f"/admin/gradebook/override/{override.pk}/change/"
    response = admin_client_.post(url, {"score": "400", "comment": "sneaky", "check_number": "",
                                         "submission": graded.pk, "author": ta.pk})
    assert response.status_code == 403
    override.refresh_from_db()
    assert override.score == 5
    assert admin_client_.post(f"/admin/gradebook/override/{override.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Override.objects.filter(pk=override.pk).exists()


@pytest.mark.parametrize("path", ["submissions/result", "submissions/submission"])
def test_admin_cannot_edit_results_or_attempts(admin_client_, graded, path):
    pk = graded.current_result_id if path.endswith("result") else graded.pk
    assert admin_client_.post(f"/admin/{path}/{pk}/change/", {"score": "999"}).status_code == 403


@pytest.mark.parametrize("number", ["²", "١", "0", "-1", "99999999999999999999"])
def test_written_grade_for_a_check_number_that_is_no_question_is_refused_not_a_500(client, ta, student, written_offering, number):
    from seqlab.submissions.services import submission_create_answers, submission_grade
    sub = submission_create_answers(student=student, offering=written_offering, answers={"why-attention": "because"})
    submission_grade(submission_id=sub.id, run=1, worker="t")
    client.force_login(ta)
    response = client.post(reverse("gradebook:written_grade", args=[sub.pk]), {"check_number": number, "met": []})
    assert response.status_code == 302 and not Override.objects.exists()
