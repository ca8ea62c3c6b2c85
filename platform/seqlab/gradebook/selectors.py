"""Reads for grades: the score an attempt is worth, one cell per student per offering, the course
total (weighted by categories when the course has them), and the audit trail.

Written answers are checks of their submission, graded by a TA's override (see
gradebook.services.written_grade), so they count wherever overrides count.

The gradebook of a whole class is read in a fixed number of queries: attempts as plain values,
overrides in one query, check lists only for the few attempts that need them.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Count, Max, Sum

from seqlab.courses.models import Course, Offering
from seqlab.courses.selectors import course_students
from seqlab.gradebook.models import AuditEntry, GradeCategory, Override
from seqlab.roster.models import StudentSection
from seqlab.submissions.models import Result, Status, Submission
from seqlab.submissions.selectors import awaits_ta


def _raw(score: float, overrides: dict[str, float], tests) -> float:
    """The auto-grade with overrides applied: a total override wins, check overrides replace their checks."""
    if "" in overrides:
        return overrides[""]
    if not overrides:
        return score
    return sum(overrides.get(t.get("number", ""), t.get("score", 0.0)) for t in tests or ())


def raw_score(*, submission: Submission) -> float | None:
    """The auto-grade with TA overrides applied (a total override wins), before any late penalty."""
    result = submission.current_result
    if result is None:
        return None
    overrides = {o.check_number: o.score for o in submission.overrides.all()}
    return _raw(result.score, overrides, result.tests)


def penalty_factor(*, offering: Offering, late_days: int) -> float:
    return max(0.0, 1.0 - float(offering.late_penalty_per_day or Decimal(0)) * late_days)


def final_score(*, submission: Submission) -> float | None:
    raw = raw_score(submission=submission)
    return None if raw is None else round(raw * penalty_factor(offering=submission.offering,
                                                                late_days=submission.late_days), 4)


@dataclass(slots=True)
class GradeCell:
    submission: Submission | None  # the counted attempt as a row: offering_grades loads it, the gradebook does not
    auto: float | None            # after overrides (TA grades of written answers too) and late penalty
    overridden: bool
    late_days: int
    pending: int = 0              # written answers of the counted attempt still waiting for a TA
    submission_id: int | None = None
    number: int | None = None     # the counted attempt's number
    raw: float | None = None      # before the late penalty
    penalty_percent: float = 0.0  # share of the score the late days cost

    @property
    def total(self) -> float | None:
        return self.auto


class _Attempt:
    """One graded attempt as plain values (thousands of them make a gradebook: no model instances)."""

    __slots__ = ("id", "student_id", "number", "late_days", "result_id", "score", "overrides", "final")

    def __init__(self, id: int, student_id: int, number: int, late_days: int, result_id: int, score: float):
        self.id, self.student_id, self.number, self.late_days = id, student_id, number, late_days
        self.result_id, self.score, self.overrides, self.final = result_id, score, {}, 0.0


def _graded(offering: Offering):
    return (Submission.objects.filter(offering=offering, status=Status.GRADED, current_result__isnull=False)
            .select_related("current_result", "offering").prefetch_related("overrides"))


def _pick(submissions: list, policy: str, score=None):
    """The attempt that counts: the last one, or the best (ties go to the later attempt)."""
    if not submissions:
        return None
    if policy == "last":
        return max(submissions, key=lambda s: s.number)
    score = score or (lambda s: final_score(submission=s) or 0.0)
    return max(submissions, key=lambda s: (score(s), s.number))


def _attempts(offering_ids: list[int]) -> dict[int, dict[int, list[_Attempt]]]:
    """offering id -> student id -> graded attempts, overrides attached, in three queries at most."""
    rows = (Submission.objects.filter(offering_id__in=offering_ids, status=Status.GRADED,
                                      current_result__isnull=False)
            .values_list("id", "offering_id", "student_id", "number", "late_days", "current_result_id",
                         "current_result__score"))
    attempts = {sid: (oid, _Attempt(sid, student, n, late, rid, score))
                for sid, oid, student, n, late, rid, score in rows}
    overrides = Override.objects.filter(submission__offering_id__in=offering_ids, submission__status=Status.GRADED)
    for sid, check, score in overrides.values_list("submission_id", "check_number", "score"):
        if sid in attempts:
            attempts[sid][1].overrides[check] = score
    # Only a check-level override needs the check list (to add the other checks' scores).
    partial = [a.result_id for _, a in attempts.values() if a.overrides and "" not in a.overrides]
    tests = _tests(partial)
    by_offering: dict[int, dict[int, list[_Attempt]]] = defaultdict(lambda: defaultdict(list))
    for oid, attempt in attempts.values():
        attempt.score = _raw(attempt.score, attempt.overrides, tests.get(attempt.result_id))
        by_offering[oid][attempt.student_id].append(attempt)
    return by_offering


def _tests(result_ids: list[int]) -> dict[int, list]:
    if not result_ids:
        return {}
    return dict(Result.objects.filter(id__in=result_ids).values_list("id", "tests"))


def grades_by_offering(*, offerings: list[Offering]) -> dict[int, dict[int, GradeCell]]:
    """offering id -> student id -> the counted attempt's cell (best or last, by each offering's policy)."""
    attempts = _attempts([o.id for o in offerings])
    chosen: dict[int, dict[int, _Attempt]] = {}
    for offering in offerings:
        picked = chosen[offering.id] = {}
        factors: dict[int, float] = {}
        for student_id, subs in attempts.get(offering.id, {}).items():
            for a in subs:
                if a.late_days not in factors:
                    factors[a.late_days] = penalty_factor(offering=offering, late_days=a.late_days)
                a.final = round(a.score * factors[a.late_days], 4)
            picked[student_id] = _pick(subs, offering.score_policy, score=_final)
    pending = _pending([a for o in offerings if o.assignment.takes_answers for a in chosen[o.id].values()])
    return {o.id: {sid: _cell(o, a, pending.get(a.id, 0)) for sid, a in chosen[o.id].items()} for o in offerings}


def _final(attempt: _Attempt) -> float:
    return attempt.final


def _cell(offering: Offering, a: _Attempt, pending: int) -> GradeCell:
    factor = penalty_factor(offering=offering, late_days=a.late_days)
    return GradeCell(submission=None, auto=a.final, overridden=bool(a.overrides), late_days=a.late_days,
                     pending=pending, submission_id=a.id, number=a.number, raw=a.score,
                     penalty_percent=round((1 - factor) * 100, 2))


def _pending(chosen: list[_Attempt]) -> dict[int, int]:
    """attempt id -> written answers of it no TA has graded yet (only forms have written answers)."""
    tests = _tests([a.result_id for a in chosen])
    return {a.id: sum(1 for t in tests.get(a.result_id, ()) if awaits_ta(t) and t.get("number", "") not in a.overrides)
            for a in chosen}


def offering_grades(*, offering: Offering) -> dict[int, GradeCell]:
    """student id -> the attempt that counts (best or last, by the offering's policy), with its row loaded."""
    cells = grades_by_offering(offerings=[offering])[offering.id]
    rows = _graded(offering).in_bulk([c.submission_id for c in cells.values()])
    return {sid: replace(cell, submission=rows[cell.submission_id]) for sid, cell in cells.items()}


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


# ------------------------------------------------------------------ score bands (histograms)
@dataclass(frozen=True)
class Bands:
    students: int
    max: float
    median: float | None
    bands: list[tuple[float, float, int]]       # (from, to, students), ten bands from 0 to max


def score_bands(*, scores: list[float], top: float) -> Bands:
    """How many scores fall in each tenth of 0..top (the numbers behind a histogram)."""
    top = top or max(scores or [1.0]) or 1.0
    width = top / 10
    counts = [0] * 10
    for score in scores:
        counts[max(0, min(int(score / width), 9))] += 1
    median = sorted(scores)[len(scores) // 2] if scores else None
    return Bands(len(scores), top, median,
                 [(round(i * width, 2), round((i + 1) * width, 2), n) for i, n in enumerate(counts)])


def offering_bands(*, offering: Offering, cells: dict[int, GradeCell] | None = None) -> Bands:
    cells = cells if cells is not None else grades_by_offering(offerings=[offering])[offering.id]
    return score_bands(scores=[c.total for c in cells.values() if c.total is not None],
                       top=offering_max_points(offering=offering))


def grades_stamp(*, offering: Offering) -> str:
    """Changes whenever a counted grade of the offering may have: a result stored, an override written or
    removed, late days or the late policy changed (a key for cached pictures)."""
    graded = Submission.objects.filter(offering=offering, status=Status.GRADED)
    subs = graded.aggregate(n=Count("id"), results=Sum("current_result_id"), last=Max("finished_at"))
    # Which attempts are late, not only how many days in all: late days can move from one student to another.
    late = list(graded.filter(late_days__gt=0).order_by("id").values_list("id", "late_days"))
    overrides = Override.objects.filter(submission__offering=offering).aggregate(
        n=Count("id"), last=Max("updated_at"), points=Sum("score"))
    parts = (*subs.values(), late, *overrides.values(), offering.late_penalty_per_day, offering.score_policy)
    return "|".join(str(p) for p in parts)


# ------------------------------------------------------------------ the course gradebook
@dataclass(frozen=True)
class CategoryShare:
    category: GradeCategory
    earned: float
    possible: float

    @property
    def percent(self) -> float | None:
        return round(100 * self.earned / self.possible, 2) if self.possible else None


@dataclass(frozen=True)
class Row:
    student: object
    cells: list[GradeCell | None]
    points: float                 # earned over every offering
    possible: float
    percent: float | None         # weighted by categories, or of all points when the course has none
    shares: list[CategoryShare]
    provisional: bool             # some counted attempt still has written answers to grade


@dataclass(frozen=True)
class Weights:
    """How the course total is made, and what an instructor should fix in it."""

    categories: list[GradeCategory]
    total: Decimal                                  # the weights' sum (100 when all is well)
    uncategorised: list[Offering]                   # offerings that count nowhere
    empty: list[GradeCategory]                      # categories with no offering

    @property
    def weighted(self) -> bool:
        return bool(self.categories)

    @property
    def sums_to_100(self) -> bool:
        return self.total == 100


@dataclass(frozen=True)
class Gradebook:
    course: Course
    offerings: list[Offering]
    rows: list[Row]
    weights: Weights
    max_points: dict[int, float]
    bands: dict[int, Bands]


def course_weights(*, course: Course, offerings: list[Offering]) -> Weights:
    """The course's categories and where they fall short (weights off 100, offerings in none, empty ones)."""
    categories = list(GradeCategory.objects.filter(course=course))
    used = {_category_id(o) for o in offerings}
    return Weights(categories, sum((c.weight for c in categories), Decimal(0)),
                   [o for o in offerings if _category_id(o) is None] if categories else [],
                   [c for c in categories if c.id not in used])


def _category_id(offering: Offering) -> int | None:
    link = getattr(offering, "grade_category", None)        # reverse one-to-one: absent raises, getattr hides it
    return link.category_id if link else None


def course_offerings(*, course: Course) -> list[Offering]:
    return list(course.offerings.select_related("assignment__current_version", "grade_category"))


def gradebook_for_course(*, course: Course, section_id: int | None = None) -> Gradebook:
    """Every student's counted grade per offering and course total; with `section_id`, that section's students.

    The histograms' bands always cover the whole class.
    """
    offerings = course_offerings(course=course)
    grades = grades_by_offering(offerings=offerings)
    weights = course_weights(course=course, offerings=offerings)
    max_points = {o.id: offering_max_points(offering=o) for o in offerings}
    students = course_students(course=course)
    if section_id:
        students = students.filter(student_sections__section_id=section_id, student_sections__course=course)
    members, maxima = _members(offerings, weights, max_points), [max_points[o.id] for o in offerings]
    by_offering = [grades[o.id] for o in offerings]
    rows = [_row(student, [cells.get(student.id) for cells in by_offering], members, maxima, weights.weighted)
            for student in students]
    bands = {o.id: score_bands(scores=[c.total for c in grades[o.id].values() if c.total is not None],
                               top=max_points[o.id]) for o in offerings}
    return Gradebook(course, offerings, rows, weights, max_points, bands)


def _row(student, cells: list[GradeCell | None], members: list[tuple[GradeCategory, list[int], float]],
         max_points: list[float], weighted: bool) -> Row:
    earned = [(c.total or 0.0) if c else 0.0 for c in cells]
    points, possible = round(sum(earned), 4), sum(max_points)
    shares = [CategoryShare(category, round(sum(earned[i] for i in indexes), 4), most)
              for category, indexes, most in members]
    if weighted:
        percent = round(sum(float(s.category.weight) * s.earned / s.possible for s in shares if s.possible), 2)
    else:
        percent = round(100 * points / possible, 2) if possible else None
    return Row(student, cells, points, possible, percent, shares, any(c is not None and c.pending for c in cells))


def _members(offerings: list[Offering], weights: Weights, max_points: dict[int, float]):
    """(category, indexes of its offerings, its points possible) for each category of the course."""
    members = []
    for category in weights.categories:
        indexes = [i for i, o in enumerate(offerings) if _category_id(o) == category.id]
        members.append((category, indexes, sum(max_points[offerings[i].id] for i in indexes)))
    return members


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


def student_sections(*, course: Course) -> dict[int, str]:
    """student id -> the name of their section in the course."""
    return dict(StudentSection.objects.filter(course=course).values_list("student_id", "section__name"))
