"""What a grade is worth: an attempt's score with overrides and late penalty, the attempt that counts
for each student of an offering, the numbers behind a histogram, and the cache of each offering's
cells under a stamp of its grades.

Written answers are checks of their submission, graded by a TA's override (see
gradebook.services.written_grade), so they count wherever overrides count.

A whole class is read in a fixed number of queries: attempts as plain values, overrides in one
query, check lists only for the few attempts that need them.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, F, Max, Sum

from seqlab.courses.models import Offering
from seqlab.gradebook.models import Override
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

    __slots__ = ("id", "offering_id", "student_id", "number", "late_days", "result_id", "score", "overrides", "final")

    def __init__(self, row: tuple):
        self.id, self.offering_id, self.student_id, self.number, self.late_days, self.result_id, self.score = row
        self.overrides: dict[str, float] | None = None
        self.final = 0.0


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
    attempts = {row[0]: _Attempt(row) for row in rows}
    overrides = Override.objects.filter(submission__offering_id__in=offering_ids, submission__status=Status.GRADED)
    for sid, check, score in overrides.values_list("submission_id", "check_number", "score"):
        attempt = attempts.get(sid)
        if attempt is not None:
            attempt.overrides = attempt.overrides or {}
            attempt.overrides[check] = score
    # Only a check-level override needs the check list (to add the other checks' scores).
    tests = _tests([a.result_id for a in attempts.values() if a.overrides and "" not in a.overrides])
    by_offering: dict[int, dict[int, list[_Attempt]]] = defaultdict(lambda: defaultdict(list))
    for attempt in attempts.values():
        if attempt.overrides:
            attempt.score = _raw(attempt.score, attempt.overrides, tests.get(attempt.result_id))
        by_offering[attempt.offering_id][attempt.student_id].append(attempt)
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
    return {a.id: sum(1 for t in tests.get(a.result_id, ()) if awaits_ta(t) and t.get("number", "") not in
                      (a.overrides or ())) for a in chosen}


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
    cells = cells if cells is not None else cached_grades(offerings=[offering])[offering.id]
    return score_bands(scores=[c.total for c in cells.values() if c.total is not None],
                       top=offering_max_points(offering=offering))


def grades_stamps(*, offerings: list[Offering]) -> dict[int, str]:
    """offering id -> a text that changes whenever a counted grade of the offering may have: a result
    stored or replaced, an attempt graded or re-queued, an override written or removed, late days or
    the late policy changed. Two queries for any number of offerings."""
    ids = [o.id for o in offerings]
    subs = {row.pop("offering_id"): row for row in Submission.objects.filter(
        offering_id__in=ids, status=Status.GRADED, current_result__isnull=False).values("offering_id").annotate(
        n=Count("id"), results=Sum("current_result_id"), late=Sum("late_days"), most_late=Max("late_days"),
        # Which attempts are late, not only how many days in all: late days can move from one
        # student to another (an extension for one, a moved due date for another) with the same sum.
        late_where=Sum(F("id") * F("late_days")), late_where2=Sum(F("id") * F("id") * F("late_days")),
        points=Sum("current_result__score"), made=Max("current_result__created_at")).order_by()}
    overrides = {row.pop("submission__offering_id"): row for row in Override.objects.filter(
        submission__offering_id__in=ids, submission__status=Status.GRADED).values("submission__offering_id").annotate(
        n=Count("id"), last=Max("updated_at"), points=Sum("score"), subs=Sum("submission_id")).order_by()}
    return {o.id: "|".join(str(part) for part in (
        o.id, *sorted(subs.get(o.id, {}).items()), *sorted(overrides.get(o.id, {}).items()),
        o.late_penalty_per_day, o.score_policy)) for o in offerings}


def grades_stamp(*, offering: Offering) -> str:
    return grades_stamps(offerings=[offering])[offering.id]


GRADES_CACHE_SECONDS = 24 * 3600       # the key changes with every grade change; this only bounds old ones


def cached_grades(*, offerings: list[Offering]) -> dict[int, dict[int, GradeCell]]:
    """grades_by_offering, each offering's cells kept in the cache under its grades' stamp: a page view
    after a change recomputes only the offerings whose grades changed."""
    stamps = grades_stamps(offerings=offerings)
    keys = {o.id: "gradebook:cells:" + hashlib.sha256(stamps[o.id].encode()).hexdigest()[:40] for o in offerings}
    found = cache.get_many(list(keys.values()))
    missing = [o for o in offerings if keys[o.id] not in found]
    fresh = grades_by_offering(offerings=missing) if missing else {}
    if fresh:
        cache.set_many({keys[oid]: cells for oid, cells in fresh.items()}, GRADES_CACHE_SECONDS)
    return {o.id: found[keys[o.id]] if keys[o.id] in found else fresh[o.id] for o in offerings}
