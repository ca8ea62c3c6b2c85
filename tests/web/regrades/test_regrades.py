"""Regrade requests: a student asks about one visible check, the course's staff answer (and may
override through the audited service), the student reads the answer; nobody else gets in."""
from __future__ import annotations

import pytest
from django.db import IntegrityError

from seqlab.gradebook.models import AuditEntry, Override
from seqlab.regrades.models import RegradeRequest


def _shown_and_hidden(student, submission):
    from seqlab.submissions.selectors import feedback_for
    fb = feedback_for(viewer=student, submission=submission)
    shown = [c.number for c in fb.checks if c.shown]
    hidden = [c.number for c in fb.checks if not c.shown]
    return shown[0], hidden[0]


def _ask(client, user, submission, number, reason="The check used the wrong tolerance."):
    client.force_login(user)
    return client.post(f"/regrades/s/{submission.pk}/", {"check_number": number, "reason": reason})


def test_a_student_asks_a_ta_answers_with_a_new_score_and_the_student_reads_it(client, student, ta, graded):
    number, _ = _shown_and_hidden(student, graded)
    assert _ask(client, student, graded, number).status_code == 302
    req = RegradeRequest.objects.get()
    assert req.status == "open" and req.score_before is not None
    client.force_login(ta)
    queue = client.get(f"/regrades/c/{graded.offering.course.slug}/").content.decode()
    assert "wrong tolerance" in queue
    resp = client.post(f"/regrades/r/{req.pk}/", {"answer": "You are right: full marks.", "score": "1"})
    assert resp.status_code == 302
    req.refresh_from_db()
    assert req.status == "answered" and req.score_after == 1.0 and req.answered_by == ta
    assert Override.objects.get(submission=graded, check_number=number).score == 1.0
    assert list(AuditEntry.objects.filter(action__startswith="regrade.").values_list("action", flat=True)) == [
        "regrade.answer", "regrade.request"]
    client.force_login(student)
    page = client.get(f"/s/{graded.pk}/").content.decode()
    assert "You are right: full marks." in page


def test_one_open_request_per_check(client, student, graded):
    number, _ = _shown_and_hidden(student, graded)
    _ask(client, student, graded, number)
    _ask(client, student, graded, number, reason="again")
    assert RegradeRequest.objects.count() == 1


def test_the_database_refuses_a_second_open_request_on_a_check(student, graded):
    number, _ = _shown_and_hidden(student, graded)
    RegradeRequest.objects.create(submission=graded, check_number=number, student=student, reason="a")
    with pytest.raises(IntegrityError):
        RegradeRequest.objects.create(submission=graded, check_number=number, student=student, reason="b")


def test_a_check_the_student_cannot_see_cannot_be_asked_about(client, student, graded):
    _, hidden = _shown_and_hidden(student, graded)
    _ask(client, student, graded, hidden)
    _ask(client, student, graded, "99.99")
    assert not RegradeRequest.objects.exists()


def test_an_empty_or_overlong_reason_is_refused(client, student, graded):
    number, _ = _shown_and_hidden(student, graded)
    _ask(client, student, graded, number, reason="   ")
    _ask(client, student, graded, number, reason="x" * 2001)
    assert not RegradeRequest.objects.exists()


def test_another_student_cannot_ask_about_my_submission(client, student, other_student, outsider, graded):
    number, _ = _shown_and_hidden(student, graded)
    assert _ask(client, other_student, graded, number).status_code == 404
    assert _ask(client, outsider, graded, number).status_code == 404
    assert not RegradeRequest.objects.exists()


def test_staff_of_another_course_and_students_cannot_see_or_answer(client, student, other_ta, graded):
    number, _ = _shown_and_hidden(student, graded)
    _ask(client, student, graded, number)
    req = RegradeRequest.objects.get()
    slug = graded.offering.course.slug
    assert client.get(f"/regrades/c/{slug}/").status_code == 403          # the student
    assert client.post(f"/regrades/r/{req.pk}/", {"answer": "mine"}).status_code == 403
    client.force_login(other_ta)
    assert client.get(f"/regrades/c/{slug}/").status_code == 403
    assert client.post(f"/regrades/r/{req.pk}/", {"answer": "no", "score": "1"}).status_code == 403
    client.logout()
    assert client.get(f"/regrades/c/{slug}/").status_code == 302
    req.refresh_from_db()
    assert req.status == "open"


def test_a_score_outside_the_checks_bounds_is_refused_and_nothing_changes(client, student, ta, graded):
    number, _ = _shown_and_hidden(student, graded)
    _ask(client, student, graded, number)
    req = RegradeRequest.objects.get()
    client.force_login(ta)
    for bad in ("1000", "-1", "nan", "inf"):
        resp = client.post(f"/regrades/r/{req.pk}/", {"answer": "ok", "score": bad})
        assert resp.status_code == 400, bad
    req.refresh_from_db()
    assert req.status == "open" and not Override.objects.exists()


def test_a_student_withdraws_an_open_request(client, student, graded):
    number, _ = _shown_and_hidden(student, graded)
    _ask(client, student, graded, number)
    req = RegradeRequest.objects.get()
    client.post(f"/regrades/r/{req.pk}/withdraw/")
    req.refresh_from_db()
    assert req.status == "withdrawn"
    _ask(client, student, graded, number, reason="second thoughts")        # a new one may follow
    assert RegradeRequest.objects.filter(status="open").count() == 1


def test_the_instructor_sees_counts_per_assignment(client, student, instructor, ta, graded):
    from seqlab.regrades.selectors import request_counts
    from seqlab.regrades.services import regrade_request_answer
    number, _ = _shown_and_hidden(student, graded)
    _ask(client, student, graded, number)
    regrade_request_answer(actor=ta, request=RegradeRequest.objects.get(), answer="no change")
    (row,) = request_counts(course=graded.offering.course)
    assert (row.open, row.answered, row.changed) == (0, 1, 0)
    client.force_login(instructor)
    assert client.get(f"/regrades/c/{graded.offering.course.slug}/?status=answered").status_code == 200


def test_the_check_is_named_in_the_readers_language_and_the_override_keeps_the_tas_words(
        client, student, ta, graded):
    number, _ = _shown_and_hidden(student, graded)
    names = {"ko": "덧셈: 작은 정수", "en": "add: small integers (en)"}
    result = graded.current_result
    for test in result.tests:                      # as the engine stores a check named in both languages
        if test["number"] == number:
            test["name"] = names["en"]
            test.setdefault("extra_data", {})["i18n"] = {lang: {"name": names[lang], "output": ""} for lang in names}
    result.save()
    _ask(client, student, graded, number)
    req = RegradeRequest.objects.get()
    for lang in ("ko", "en"):
        client.force_login(ta)
        queue = client.get(f"/regrades/c/{graded.offering.course.slug}/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
        other = names["en" if lang == "ko" else "ko"]
        assert names[lang] in queue and other not in queue, lang
    client.post(f"/regrades/r/{req.pk}/", {"answer": "맞습니다.", "score": "1"})
    assert Override.objects.get(submission=graded, check_number=number).comment == "맞습니다."


def test_a_refusal_speaks_the_students_language(client, student, graded):
    number, _ = _shown_and_hidden(student, graded)
    _ask(client, student, graded, number)
    client.force_login(student)
    resp = client.post(f"/regrades/s/{graded.pk}/", {"check_number": number, "reason": "again"},
                       HTTP_ACCEPT_LANGUAGE="ko", follow=True)
    page = resp.content.decode()
    assert "이미 요청했습니다" in page and "You already asked" not in page
