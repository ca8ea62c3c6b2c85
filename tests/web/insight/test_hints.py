"""Hints: an instructor writes one on a mistake; every student whose result shows it sees it."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from seqlab.gradebook.models import AuditEntry
from seqlab.insight.models import Hint, HintView
from seqlab.insight.selectors import mistake_url

pytestmark = pytest.mark.django_db
SIGN = "adder/sign"


def _release(client, instructor, offering, mistake=SIGN, ko="덧셈 부호를 확인하세요", en="Check the sign of the sum"):
    client.force_login(instructor)
    return client.post(reverse("insight:hint_release", args=[offering.pk]),
                       {"mistake": mistake, "text_ko": ko, "text_en": en})


def test_released_hint_is_audited_and_shown_to_students_showing_the_mistake(client, instructor, offering, student,
                                                                           other_student, attempt):
    mine = attempt(student, {"1.1": [SIGN]})
    theirs = attempt(other_student, {"1.2": ["adder/int"]})
    response = _release(client, instructor, offering)
    assert response.status_code == 302 and response.url == mistake_url(offering=offering, mistake=SIGN)
    entry = AuditEntry.objects.get(action="hint.release")
    assert entry.actor == instructor and entry.after == {"mistake": SIGN, "ko": "덧셈 부호를 확인하세요",
                                                         "en": "Check the sign of the sum"}
    client.force_login(student)
    client.post(reverse("set_language"), {"language": "en"})
    assert "Check the sign of the sum" in client.get(reverse("submissions:detail", args=[mine.pk])).content.decode()
    client.force_login(other_student)
    assert "Check the sign" not in client.get(reverse("submissions:detail", args=[theirs.pk])).content.decode()


def test_the_first_view_is_recorded_once(client, instructor, offering, student, attempt):
    sub = attempt(student, {"1.1": [SIGN]})
    _release(client, instructor, offering)
    client.force_login(student)
    client.get(reverse("submissions:detail", args=[sub.pk]))
    first = HintView.objects.get(student=student)
    client.get(reverse("submissions:detail", args=[sub.pk]))
    assert HintView.objects.get(student=student).first_seen_at == first.first_seen_at
    assert first.submission == sub


def test_staff_looking_at_a_result_is_not_recorded_as_a_view(client, instructor, ta, offering, student, attempt):
    sub = attempt(student, {"1.1": [SIGN]})
    _release(client, instructor, offering)
    client.force_login(ta)
    html = client.get(reverse("submissions:detail", args=[sub.pk])).content.decode()
    assert "덧셈 부호를 확인하세요" in html and not HintView.objects.exists()


def test_a_hint_reaches_later_results_that_show_the_mistake(client, instructor, offering, student, attempt):
    _release(client, instructor, offering)
    sub = attempt(student, {"2.1": [SIGN]})
    client.force_login(student)
    assert "덧셈 부호를 확인하세요" in client.get(reverse("submissions:detail", args=[sub.pk])).content.decode()


def test_a_withdrawn_hint_is_no_longer_shown_and_the_withdrawal_is_audited(client, instructor, offering, student,
                                                                          attempt):
    sub = attempt(student, {"1.1": [SIGN]})
    _release(client, instructor, offering)
    hint = Hint.objects.get()
    assert client.post(reverse("insight:hint_withdraw", args=[hint.pk])).status_code == 302
    assert AuditEntry.objects.filter(action="hint.withdraw", actor=instructor).count() == 1
    client.force_login(student)
    assert "덧셈 부호를" not in client.get(reverse("submissions:detail", args=[sub.pk])).content.decode()


def test_a_hint_on_a_check_the_student_cannot_see_yet_stays_hidden(client, instructor, offering, student, attempt):
    sub = attempt(student, {"1.1": [SIGN]})
    result = sub.current_result
    result.tests[0]["visibility"] = "after_due_date"
    result.save()
    _release(client, instructor, offering)
    client.force_login(student)
    assert "덧셈 부호를" not in client.get(reverse("submissions:detail", args=[sub.pk])).content.decode()
    offering.due_at = timezone.now() - timedelta(hours=1)
    offering.save()
    assert "덧셈 부호를" in client.get(reverse("submissions:detail", args=[sub.pk])).content.decode()


def test_only_the_courses_instructors_release_or_withdraw_hints(client, instructor, ta, student, outsider, offering):
    _release(client, instructor, offering)
    hint = Hint.objects.get()
    for user in (ta, student, outsider):
        client.force_login(user)
        assert client.post(reverse("insight:hint_release", args=[offering.pk]),
                           {"mistake": SIGN, "text_ko": "x", "text_en": "y"}).status_code == 404
        assert client.post(reverse("insight:hint_withdraw", args=[hint.pk])).status_code == 404
    assert Hint.objects.count() == 1 and Hint.objects.get().active


def test_a_hint_needs_both_languages(client, instructor, offering):
    response = _release(client, instructor, offering, en="")
    assert response.status_code == 302 and not Hint.objects.exists()


def test_mistake_page_lists_hints_with_how_many_students_saw_them(client, instructor, offering, student, attempt):
    sub = attempt(student, {"1.1": [SIGN]})
    _release(client, instructor, offering)
    client.force_login(student)
    client.get(reverse("submissions:detail", args=[sub.pk]))
    client.force_login(instructor)
    html = client.get(reverse("insight:mistake", args=[offering.pk]), {"m": SIGN}).content.decode()
    hint = Hint.objects.get()
    assert 'id="hint-%d"' % hint.pk in html and 'data-seen="1"' in html
    assert reverse("insight:hint_withdraw", args=[hint.pk]) in html
