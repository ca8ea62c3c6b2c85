"""Reads for the misconception map: who shows which mistake, who fixed it, what it costs.

Everything is computed from two narrow queries (graded attempts, diagnoses) in one pass, and
cached per data version: the version changes whenever an attempt is graded or a result's
diagnoses are recorded, so a cached map is never stale.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.core.cache import cache
from django.db.models import Count, Max

from seqlab.courses.models import Offering
from seqlab.insight.models import Diagnosis, Hint
from seqlab.submissions.models import Status, Submission

BASES = ("latest", "counted")
CACHE_SECONDS = 3600


@dataclass
class CheckCost:
    key: str
    name: str
    students: int
    points_lost: float          # mean over the students whose attempt shows the mistake in this check


@dataclass
class MistakeRow:
    mistake: str
    text_ko: str
    text_en: str
    students: int               # the basis attempt shows it
    share: float
    ever: int                   # some attempt showed it
    fixed: int                  # showed it, and the basis attempt no longer does
    attempts_to_fix: float | None
    points_lost: float          # mean points the basis attempts lose in checks naming it
    checks: list[CheckCost] = field(default_factory=list)
    hints: int = 0              # active hints on it
    heat: list[int] = field(default_factory=list)        # students per check, in the map's check order
    timeline: list[int] = field(default_factory=list)    # students per day, in the map's day order

    def text(self, lang: str) -> str:
        return self.text_ko if lang == "ko" and self.text_ko else self.text_en


@dataclass
class MisconceptionMap:
    offering_id: int
    basis: str
    version: str
    students: int                               # students with a graded attempt
    rows: list[MistakeRow]
    checks: list[tuple[str, str]]               # (key, name), in check order
    heat: dict[tuple[str, str], int]            # (mistake, check key) -> students
    days: list[int]                             # days before the due date, earliest first
    timeline: dict[str, dict[int, int]]         # mistake -> day -> students whose attempt that day shows it
    attempts_per_day: dict[int, int]

    def heat_row(self, mistake: str) -> list[int]:
        return [self.heat.get((mistake, key), 0) for key, _ in self.checks]

    def timeline_row(self, mistake: str) -> list[int]:
        return [self.timeline.get(mistake, {}).get(d, 0) for d in self.days]

    @property
    def day_totals(self) -> list[int]:
        return [self.attempts_per_day.get(d, 0) for d in self.days]


def _check_order(key: str):
    return tuple(int(p) if p.isdigit() else math.inf for p in key.split(".")), key


def map_version(*, offering: Offering) -> str:
    """Changes whenever an attempt is graded or diagnoses are recorded for the offering."""
    subs = Submission.objects.filter(offering=offering).aggregate(n=Count("id"), last=Max("finished_at"))
    diag = Diagnosis.objects.filter(offering=offering).aggregate(n=Count("id"), last=Max("id"))
    hints = Hint.objects.filter(offering=offering).aggregate(n=Count("id"), last=Max("withdrawn_at"))
    stamp = lambda v: v.timestamp() if isinstance(v, datetime) else v  # noqa: E731
    return "-".join(str(stamp(v)) for v in (subs["n"], subs["last"], diag["n"], diag["last"], hints["n"],
                                            hints["last"], offering.due_at, offering.score_policy))


def _basis_attempts(offering: Offering, basis: str, attempts: dict[int, list[int]]) -> dict[int, int]:
    """student id -> the attempt number the map counts."""
    if basis == "counted":
        from seqlab.gradebook.selectors import offering_grades
        return {sid: cell.submission.number for sid, cell in offering_grades(offering=offering).items()}
    return {sid: numbers[-1] for sid, numbers in attempts.items()}


def _graded_attempts(offering: Offering) -> dict[int, list[int]]:
    attempts: dict[int, list[int]] = defaultdict(list)
    for sid, number in (Submission.objects.filter(offering=offering, status=Status.GRADED)
                        .order_by("student_id", "number").values_list("student_id", "number")):
        attempts[sid].append(number)
    return attempts


def _texts(offering: Offering) -> dict[str, tuple[str, str]]:
    last = Diagnosis.objects.filter(offering=offering).values("mistake").annotate(last=Max("id"))
    rows = Diagnosis.objects.filter(id__in=[r["last"] for r in last]).values_list("mistake", "text_ko", "text_en")
    return {m: (ko, en) for m, ko, en in rows}


def _fix_attempts(shown: list[int], numbers: list[int], basis_number: int) -> int | None:
    """Attempts from the first showing the mistake to the first one free of it (None if never fixed)."""
    if basis_number in shown:
        return None
    first = shown[0]
    later_free = [n for n in numbers if n > first and n not in shown]
    return (numbers.index(later_free[0]) - numbers.index(first)) if later_free else None


def _day(due: datetime, at: datetime) -> int:
    return math.floor((due - at).total_seconds() / 86400)


def _compute(offering: Offering, basis: str, version: str) -> MisconceptionMap:
    attempts = _graded_attempts(offering)
    counted = _basis_attempts(offering, basis, attempts)
    shown: dict[str, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    costs: dict[tuple[str, str], list[float]] = defaultdict(list)
    names: dict[str, str] = {}
    timeline: dict[str, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    for sid, number, mistake, key, name, lost, at in Diagnosis.objects.filter(offering=offering).values_list(
            "student_id", "number", "mistake", "check_key", "check_name", "points_lost", "submitted_at"):
        shown[mistake][sid].add(number)
        names.setdefault(key, name)
        timeline[mistake][_day(offering.due_at, at)].add(sid)
        if counted.get(sid) == number:
            costs[(mistake, key)].append(lost)
    per_day: dict[int, set[int]] = defaultdict(set)
    for sid, at in Submission.objects.filter(offering=offering, status=Status.GRADED).values_list(
            "student_id", "submitted_at"):
        per_day[_day(offering.due_at, at)].add(sid)
    return _assemble(offering, basis, version, attempts, counted, shown, costs, names, timeline, per_day)


def _row(mistake, by_student, attempts, counted, costs, names, texts, hints, total) -> MistakeRow:
    now = [sid for sid, numbers in by_student.items() if counted.get(sid) in numbers]
    fixes = [f for sid, numbers in by_student.items() if sid in counted
             for f in [_fix_attempts(sorted(numbers), attempts.get(sid, []), counted[sid])] if f is not None]
    checks = [CheckCost(key, names.get(key, ""), len(lost), sum(lost) / len(lost))
              for (m, key), lost in costs.items() if m == mistake]
    checks.sort(key=lambda c: _check_order(c.key))
    lost_total = sum(c.points_lost * c.students for c in checks)
    ko, en = texts.get(mistake, ("", mistake))
    return MistakeRow(mistake, ko, en, len(now), len(now) / total if total else 0.0, len(by_student), len(fixes),
                      sum(fixes) / len(fixes) if fixes else None, lost_total / len(now) if now else 0.0,
                      checks, hints.get(mistake, 0))


def _assemble(offering, basis, version, attempts, counted, shown, costs, names, timeline, per_day):
    texts = _texts(offering)
    hints = dict(Hint.objects.filter(offering=offering, withdrawn_at__isnull=True).values("mistake")
                 .annotate(n=Count("id")).values_list("mistake", "n"))
    total = len(counted)
    rows = [_row(m, by_student, attempts, counted, costs, names, texts, hints, total)
            for m, by_student in shown.items()]
    rows.sort(key=lambda r: (-r.students, -r.ever, r.mistake))
    checks = sorted(names.items(), key=lambda kv: _check_order(kv[0]))
    heat = {(m, key): len(lost) for (m, key), lost in costs.items()}
    days = sorted(set(per_day) | {d for by_day in timeline.values() for d in by_day}, reverse=True)
    themap = MisconceptionMap(
        offering.id, basis, version, total, rows, checks, heat, days,
        {m: {d: len(s) for d, s in by_day.items()} for m, by_day in timeline.items()},
        {d: len(s) for d, s in per_day.items()})
    for row in rows:
        row.heat, row.timeline = themap.heat_row(row.mistake), themap.timeline_row(row.mistake)
    return themap


def misconception_map(*, offering: Offering, basis: str = "latest") -> MisconceptionMap:
    """The offering's mistakes over its students' latest (or counted) attempts; cached per data version."""
    basis = basis if basis in BASES else "latest"
    version = map_version(offering=offering)
    key = f"insight:map:{offering.id}:{basis}:{version}"
    found = cache.get(key)
    if found is None:
        found = _compute(offering, basis, version)
        cache.set(key, found, CACHE_SECONDS)
    return found


def mistake_submissions(*, offering: Offering, mistake: str, basis: str = "latest") -> list[dict]:
    """The basis attempts showing the mistake: student, attempt, checks named, points lost."""
    counted = _basis_attempts(offering, basis if basis in BASES else "latest", _graded_attempts(offering))
    rows: dict[int, dict] = {}
    for d in (Diagnosis.objects.filter(offering=offering, mistake=mistake)
              .select_related("student", "submission").order_by("student__username", "check_key")):
        if counted.get(d.student_id) != d.number:
            continue
        row = rows.setdefault(d.submission_id, {"submission": d.submission, "student": d.student,
                                                "checks": [], "points_lost": 0.0})
        row["checks"].append(d.check_name or d.check_key)
        row["points_lost"] += d.points_lost
    return list(rows.values())


# ------------------------------------------------------------------ similarity
MAX_SOURCE_BYTES = 512 * 1024


def _latest_graded(offerings) -> list[Submission]:
    latest: dict[tuple[int, int], Submission] = {}
    for sub in (Submission.objects.filter(offering__in=offerings, status=Status.GRADED, current_result__isnull=False)
                .select_related("blob", "current_result__version", "fingerprint", "offering__assignment")
                .order_by("offering_id", "student_id", "-number")):
        latest.setdefault((sub.offering_id, sub.student_id), sub)
    return list(latest.values())


def similarity_pool(*, offering: Offering, earlier_terms: bool = True) -> list[Submission]:
    """Each student's latest graded attempt here and, optionally, in earlier terms' offerings."""
    offerings = [offering.pk]
    if earlier_terms:
        offerings += list(Offering.objects.filter(assignment=offering.assignment, course__term__lt=offering.course.term)
                          .values_list("pk", flat=True))
    return _latest_graded(offerings)


def source_text(submission: Submission) -> str:
    """The submitted code as text (a notebook's code cells), bounded."""
    data = bytes(submission.blob.data)[:MAX_SOURCE_BYTES]
    if submission.filename.endswith(".ipynb"):
        import json
        try:
            cells = json.loads(data.decode("utf-8", "replace")).get("cells", [])
            return "\n\n".join("".join(c.get("source", "")) if isinstance(c.get("source"), list) else
                               str(c.get("source", "")) for c in cells if c.get("cell_type") == "code")
        except (ValueError, AttributeError):
            return ""
    return data.decode("utf-8", "replace")


def starter_text(*, offering: Offering) -> str:
    """The assignment's starter code (removed from the source comparison as boilerplate)."""
    version = offering.assignment.current_version
    if version is None:
        return ""
    row = version.files.filter(path=f"starter/{offering.assignment.file}").select_related("blob").first()
    return bytes(row.blob.data).decode("utf-8", "replace") if row else ""


# ------------------------------------------------------------------ hints
def mistake_url(*, offering: Offering, mistake: str) -> str:
    from urllib.parse import urlencode

    from django.urls import reverse
    return reverse("insight:mistake", args=[offering.pk]) + "?" + urlencode({"m": mistake})


def hints_on(*, offering: Offering, mistake: str):
    return (Hint.objects.filter(offering=offering, mistake=mistake).select_related("author", "withdrawn_by")
            .annotate(seen=Count("views")))


def hints_for_result(*, submission: Submission, shown_checks: set[str] | None = None) -> list[Hint]:
    """Active hints on the mistakes the submission's current result shows (in checks the viewer can see, by name)."""
    diagnoses = Diagnosis.objects.filter(submission=submission, result_id=submission.current_result_id)
    if shown_checks is not None:
        diagnoses = diagnoses.filter(check_name__in=shown_checks)
    mistakes = set(diagnoses.values_list("mistake", flat=True))
    if not mistakes:
        return []
    return list(Hint.objects.filter(offering_id=submission.offering_id, mistake__in=mistakes,
                                    withdrawn_at__isnull=True).order_by("released_at"))
