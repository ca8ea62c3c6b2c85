"""Reads for regrade requests: a student's own, a course's queue, counts per assignment."""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from seqlab.regrades.models import RegradeRequest, RequestStatus


def requests_for_submission(*, submission) -> QuerySet[RegradeRequest]:
    return RegradeRequest.objects.filter(submission=submission).select_related("answered_by", "submission__current_result")


def _in_section(qs: QuerySet, course, section_id: int | None) -> QuerySet:
    if not section_id:
        return qs
    return qs.filter(student__student_sections__section_id=section_id, student__student_sections__course=course)


def requests_for_course(*, course, status: str | None = RequestStatus.OPEN, offering_id: int | None = None,
                        section_id: int | None = None) -> QuerySet[RegradeRequest]:
    """The course's requests; with `section_id`, only those of that section's students."""
    qs = (RegradeRequest.objects.filter(submission__offering__course=course)
          .select_related("submission__offering__assignment", "submission__current_result", "student",
                          "answered_by"))
    if status:
        qs = qs.filter(status=status)
    if offering_id:
        qs = qs.filter(submission__offering_id=offering_id)
    qs = _in_section(qs, course, section_id)
    return qs.order_by("created_at") if status == RequestStatus.OPEN else qs


@dataclass(frozen=True)
class RequestCounts:
    offering_id: int
    slug: str
    open: int
    answered: int
    changed: int


def request_counts(*, course, section_id: int | None = None) -> list[RequestCounts]:
    """Per assignment: open requests, answered ones, and answers that changed the score."""
    rows = (_in_section(RegradeRequest.objects.filter(submission__offering__course=course), course, section_id)
            .values("submission__offering_id", "submission__offering__assignment__slug")
            .annotate(open=Count("id", filter=Q(status=RequestStatus.OPEN)),
                      answered=Count("id", filter=Q(status=RequestStatus.ANSWERED)),
                      changed=Count("id", filter=Q(status=RequestStatus.ANSWERED) & ~Q(score_after=None)
                                    & ~Q(score_after=F("score_before"))))
            .order_by("submission__offering__assignment__slug"))
    return [RequestCounts(r["submission__offering_id"], r["submission__offering__assignment__slug"], r["open"],
                          r["answered"], r["changed"]) for r in rows]

