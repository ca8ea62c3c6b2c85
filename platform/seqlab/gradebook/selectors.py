"""Reads for grades: the score an attempt is worth, and one row per student per offering.

Written answers are checks of their submission, graded by a TA's override (see
gradebook.services.written_grade), so they count wherever overrides count.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from seqlab.courses.models import Course, Offering
from seqlab.courses.selectors import course_students
from seqlab.gradebook.models import AuditEntry
from seqlab.submissions.models import Status, Submission
from seqlab.submissions.selectors import awaits_ta


def raw_score(*, submission: Submission) -> float | None:
    """The auto-grade with TA overrides applied (a total override wins), before any late penalty."""
    result = submission.current_result
    if result is None:
        return None
    overrides = {o.check_number: o.score for o in submission.overrides.all()}
    if "" in overrides:
        return overrides[""]
    if not overrides:
        return result.score
    return sum(overrides.get(t.get("number", ""), t.get("score", 0.0)) for t in result.tests)


def penalty_factor(*, offering: Offering, late_days: int) -> float:
    return max(0.0, 1.0 - float(offering.late_penalty_per_day or Decimal(0)) * late_days)


def final_score(*, submission: Submission) -> float | None:
    raw = raw_score(submission=submission)
    return None if raw is None else round(raw * penalty_factor(offering=submission.offering,
                                                                late_days=submission.late_days), 4)


@dataclass(frozen=True)
class GradeCell:
    submission: Submission | None
    auto: float | None            # after overrides (TA grades of written answers too) and late penalty
    overridden: bool
    late_days: int
    pending: int = 0              # written answers of the counted attempt still waiting for a TA

    @property
    def total(self) -> float | None:
        return self.auto


def _graded(offering: Offering):
    return (Submission.objects.filter(offering=offering, status=Status.GRADED, current_result__isnull=False)
            .select_related("current_result", "offering").prefetch_related("overrides"))


def _pick(submissions: list[Submission], policy: str) -> Submission | None:
    if not submissions:
        return None
    if policy == "last":
        return max(submissions, key=lambda s: s.number)
    return max(submissions, key=lambda s: (final_score(submission=s) or 0.0, s.number))


def offering_grades(*, offering: Offering) -> dict[int, GradeCell]:
    """student id -> the attempt that counts (best or last, by the offering's policy)."""
    by_student: dict[int, list[Submission]] = {}
    for sub in _graded(offering):
        by_student.setdefault(sub.student_id, []).append(sub)
    cells = {}
    for student_id, subs in by_student.items():
        chosen = _pick(subs, offering.score_policy)
        cells[student_id] = GradeCell(
            submission=chosen, auto=final_score(submission=chosen), late_days=chosen.late_days,
            overridden=bool(chosen.overrides.all()), pending=len(pending_manual(submission=chosen)))
    return cells


def pending_manual(*, submission: Submission) -> list[str]:
    """Numbers of the submission's written answers no TA has graded yet."""
    result = submission.current_result
    if result is None:
        return []
    graded = {o.check_number for o in submission.overrides.all()}
    return [t.get("number", "") for t in result.tests if awaits_ta(t) and t.get("number", "") not in graded]


def offering_max_points(*, offering: Offering) -> float:
    version = offering.assignment.current_version
    return version.max_score if version else 0.0


@dataclass(frozen=True)
class Gradebook:
    course: Course
    offerings: list[Offering]
    rows: list[tuple]             # (student, [GradeCell | None per offering], total)


def gradebook_for_course(*, course: Course, section_id: int | None = None) -> Gradebook:
    """Every student's counted grade per offering; with `section_id`, that section's students only."""
    offerings = list(course.offerings.select_related("assignment__current_version"))
    grades = {o.id: offering_grades(offering=o) for o in offerings}
    rows = []
    students = course_students(course=course)
    if section_id:
        students = students.filter(student_sections__section_id=section_id, student_sections__course=course)
    for student in students:
        cells = [grades[o.id].get(student.id) for o in offerings]
        rows.append((student, cells, round(sum((c.total or 0.0) for c in cells if c), 4)))
    return Gradebook(course, offerings, rows)


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
    counted = {cell.submission.id for o in {s.offering for s in page}
               for cell in offering_grades(offering=o).values() if cell.submission}
    rows = [ReviewRow(s, len(pending_manual(submission=s)), s.id in counted) for s in page]
    return [r for r in rows if r.pending] if pending_only else rows


def audit_trail(*, course: Course, limit: int = 200):
    return AuditEntry.objects.filter(course=course).select_related("actor")[:limit]


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
