"""Writes for regrade requests: a student asks about one check; staff answer, and may override."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from seqlab.courses.selectors import is_course_staff
from seqlab.core.audit import audit_record
from seqlab.gradebook.services import override_set
from seqlab.regrades.models import MAX_ANSWER, MAX_REASON, RegradeRequest, RequestStatus
from seqlab.submissions.selectors import feedback_for

MAX_OPEN_PER_OFFERING = 5          # a student's open requests on one assignment at once


class RegradeRefused(ValueError):
    """The request or answer cannot be taken; the message says why, in the request's language."""


def _subject(request: RegradeRequest) -> str:
    sub = request.submission
    return f"{sub.offering.assignment.slug} #{sub.number} by {sub.student.username} check {request.check_number}"


@transaction.atomic
def regrade_request_create(*, student, submission, check_number: str, reason: str) -> RegradeRequest:
    """Open a request on a check the student can see; one open request per check."""
    if submission.student_id != student.id:
        raise RegradeRefused(_("You can ask about your own submissions only."))
    reason = (reason or "").strip()
    if not reason:
        raise RegradeRefused(_("Say why the check misjudged your code."))
    if len(reason) > MAX_REASON:
        raise RegradeRefused(_("Keep the reason under %(n)d characters.") % {"n": MAX_REASON})
    feedback = feedback_for(viewer=student, submission=submission)
    check = feedback.by_number().get(str(check_number)) if feedback else None
    if check is None or not check.shown:
        raise RegradeRefused(_("There is no such check in the feedback you can see."))
    if check.awaiting:
        raise RegradeRefused(_("This answer is still waiting for a TA's grade."))
    open_requests = RegradeRequest.objects.select_for_update().filter(
        student=student, submission__offering=submission.offering, status=RequestStatus.OPEN)
    if any(r.submission_id == submission.id and r.check_number == check.number for r in open_requests):
        raise RegradeRefused(_("You already asked about this check; wait for the answer."))
    if len(open_requests) >= MAX_OPEN_PER_OFFERING:
        raise RegradeRefused(_("You have %(n)d open requests on this assignment; wait for their answers.")
                             % {"n": MAX_OPEN_PER_OFFERING})
    request = RegradeRequest.objects.create(submission=submission, check_number=check.number,
                                            check_name=check.name[:300], student=student, reason=reason,
                                            score_before=check.score)
    audit_record(course=submission.offering.course, actor=student, action="regrade.request",
                 subject=_subject(request), before={"score": check.score}, comment=reason[:500], submission=submission)
    return request


@transaction.atomic
def regrade_request_withdraw(*, student, request: RegradeRequest) -> RegradeRequest:
    request = RegradeRequest.objects.select_for_update().get(pk=request.pk)
    if request.student_id != student.id or request.status != RequestStatus.OPEN:
        raise RegradeRefused(_("Only your own open requests can be withdrawn."))
    request.status = RequestStatus.WITHDRAWN
    request.save(update_fields=["status"])
    audit_record(course=request.submission.offering.course, actor=student, action="regrade.withdraw",
                 subject=_subject(request), submission=request.submission)
    return request


def _check_max(request: RegradeRequest) -> float:
    result = request.submission.current_result
    test = next((t for t in (result.tests if result else []) if t.get("number") == request.check_number), None)
    if test is None:
        raise RegradeRefused(_("The check is no longer in this submission's result."))
    return float(test.get("max_score", 0.0))


@transaction.atomic
def regrade_request_answer(*, actor, request: RegradeRequest, answer: str, score: float | None = None
                           ) -> RegradeRequest:
    """Answer an open request; with `score`, override the check through the audited service."""
    request = RegradeRequest.objects.select_for_update().select_related("submission__offering__course").get(
        pk=request.pk)
    course = request.submission.offering.course
    if not is_course_staff(user=actor, course=course):
        raise RegradeRefused(_("Only the course's staff answer regrade requests."))
    if request.status != RequestStatus.OPEN:
        raise RegradeRefused(_("This request was already answered or withdrawn."))
    answer = (answer or "").strip()
    if not answer or len(answer) > MAX_ANSWER:
        raise RegradeRefused(_("Write an answer (at most %(n)d characters).") % {"n": MAX_ANSWER})
    if score is not None:
        top = _check_max(request)
        if not (0.0 <= score <= top):
            raise RegradeRefused(_("The score must lie between 0 and %(top)s.") % {"top": f"{top:g}"})
        override_set(actor=actor, submission=request.submission, check_number=request.check_number, score=score,
                     comment=answer[:2000])                  # the student reads it in the TA's words
    request.status, request.answer, request.answered_by = RequestStatus.ANSWERED, answer, actor
    request.answered_at = timezone.now()
    request.score_after = score if score is not None else request.score_before
    request.save()
    audit_record(course=course, actor=actor, action="regrade.answer", subject=_subject(request),
                 before={"score": request.score_before}, after={"score": request.score_after}, comment=answer[:500],
                 submission=request.submission)
    return request
