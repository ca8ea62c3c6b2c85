"""Reads for grades: the score an attempt is worth, and one row per student per offering."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch

from seqlab.courses.models import Course, Offering
from seqlab.courses.selectors import course_students
from seqlab.gradebook.models import AuditEntry, RubricItem, WrittenAnswer
from seqlab.submissions.models import Status, Submission


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
    auto: float | None            # after overrides and late penalty
    written: float                # rubric points earned
    overridden: bool
    late_days: int

    @property
    def total(self) -> float | None:
        if self.auto is None and not self.written:
            return None
        return round((self.auto or 0.0) + self.written, 4)


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
    written = _written_points(offering)
    cells = {}
    for student_id in set(by_student) | set(written):
        chosen = _pick(by_student.get(student_id, []), offering.score_policy)
        cells[student_id] = GradeCell(
            submission=chosen, auto=final_score(submission=chosen) if chosen else None,
            written=written.get(student_id, 0.0), late_days=chosen.late_days if chosen else 0,
            overridden=bool(chosen and chosen.overrides.all()))
    return cells


def _written_points(offering: Offering) -> dict[int, float]:
    points: dict[int, float] = {}
    for answer in WrittenAnswer.objects.filter(item__offering=offering, points__isnull=False):
        points[answer.student_id] = points.get(answer.student_id, 0.0) + answer.points
    return points


def offering_max_points(*, offering: Offering) -> float:
    version = offering.assignment.current_version
    rubric = sum(RubricItem.objects.filter(offering=offering).values_list("points", flat=True))
    return (version.max_score if version else 0.0) + rubric


@dataclass(frozen=True)
class Gradebook:
    course: Course
    offerings: list[Offering]
    rows: list[tuple]             # (student, [GradeCell | None per offering], total)


def gradebook_for_course(*, course: Course) -> Gradebook:
    offerings = list(course.offerings.select_related("assignment__current_version"))
    grades = {o.id: offering_grades(offering=o) for o in offerings}
    rows = []
    for student in course_students(course=course):
        cells = [grades[o.id].get(student.id) for o in offerings]
        rows.append((student, cells, round(sum((c.total or 0.0) for c in cells if c), 4)))
    return Gradebook(course, offerings, rows)


def review_queue(*, course: Course, offering_id: int | None = None):
    """Graded attempts that count, newest first, for TAs to look over."""
    subs = (Submission.objects.filter(offering__course=course, status=Status.GRADED)
            .select_related("student", "offering__assignment", "current_result")
            .prefetch_related("overrides").order_by("-submitted_at"))
    return subs.filter(offering_id=offering_id) if offering_id else subs


def audit_trail(*, course: Course, limit: int = 200):
    return AuditEntry.objects.filter(course=course).select_related("actor")[:limit]


def rubric_answers(*, offering: Offering):
    return (WrittenAnswer.objects.filter(item__offering=offering)
            .select_related("item", "student", "graded_by").order_by("item__order", "student__username"))


def rubric_items_with_answer(*, offering: Offering, student):
    answers = WrittenAnswer.objects.filter(student=student)
    return offering.rubric_items.prefetch_related(Prefetch("answers", queryset=answers, to_attr="mine"))


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
