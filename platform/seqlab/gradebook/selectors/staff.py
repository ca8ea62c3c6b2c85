"""Staff lists: the review queue, the audit trail and a regrade-all's progress."""
from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator

from seqlab.courses.models import Course, Offering
from seqlab.gradebook.models import AuditEntry
from seqlab.gradebook.selectors.grades import grades_by_offering, pending_manual
from seqlab.submissions.models import Status, Submission


# ------------------------------------------------------------------ review queue
@dataclass(frozen=True)
class ReviewRow:
    submission: Submission
    pending: int                  # written answers waiting for a TA
    counts: bool                  # the attempt the gradebook counts for its student


def review_queue(*, course: Course, offering_id: int | None = None, pending_only: bool = False,
                 section_id: int | None = None, limit: int = 200) -> list[ReviewRow]:
    """Graded attempts, newest first, for TAs to look over; `pending_only`: those with ungraded answers."""
    subs = (Submission.objects.filter(offering__course=course, status=Status.GRADED)
            .select_related("student", "offering__assignment", "offering", "current_result", "version")
            .prefetch_related("overrides").order_by("-submitted_at"))
    if offering_id:
        subs = subs.filter(offering_id=offering_id)
    if section_id:
        subs = subs.filter(student__student_sections__section_id=section_id,
                           student__student_sections__course=course)
    page = list(subs[:limit])
    offerings = list({s.offering_id: s.offering for s in page}.values())
    counted = {cell.submission_id for cells in grades_by_offering(offerings=offerings).values()
               for cell in cells.values()}
    rows = [ReviewRow(s, len(pending_manual(submission=s)), s.id in counted) for s in page]
    return [r for r in rows if r.pending] if pending_only else rows


# ------------------------------------------------------------------ audit trail
AUDIT_PAGE_SIZE = 50


def audit_trail(*, course: Course, offering_id: int | None = None, student_id: int | None = None,
                actor_id: int | None = None, page: str | int | None = 1, per_page: int = AUDIT_PAGE_SIZE):
    """One page of the course's audit trail, newest first, narrowed by offering, student or staff member.

    Entries written before they named their offering and student show only when those filters are off.
    """
    entries = AuditEntry.objects.filter(course=course).select_related("actor", "student", "offering__assignment")
    if offering_id:
        entries = entries.filter(offering_id=offering_id)
    if student_id:
        entries = entries.filter(student_id=student_id)
    if actor_id:
        entries = entries.filter(actor_id=actor_id)
    return Paginator(entries, per_page).get_page(page)


@dataclass(frozen=True)
class RegradeProgress:
    total: int
    done: int

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.done / self.total)

    @property
    def finished(self) -> bool:
        return self.done >= self.total


def regrade_progress(*, offering: Offering) -> RegradeProgress | None:
    batch = offering.regrades.first()
    if batch is None:
        return None
    pending = Submission.objects.filter(id__in=batch.submission_ids, status__in=[Status.QUEUED, Status.RUNNING]).count()
    return RegradeProgress(len(batch.submission_ids), len(batch.submission_ids) - pending)
