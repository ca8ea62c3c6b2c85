"""Reads for submissions: who may see which attempt, and what of its feedback they may see.

Visibility follows Gradescope: `visible` always; `after_due_date` once the late due date (the
student's cutoff, extensions and accommodations included: courses/policy.py) has passed;
`after_published` once the offering's grades are published; `hidden` never, for students. While any check is withheld the total
is withheld too, and the page says which checks are withheld and until when.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from graders.quiz import parse_answers
from seqlab.core.jsonbounds import loads_bounded
from seqlab.courses.models import Offering
from seqlab.courses.presentation import engine_text
from seqlab.courses.policy import last_cutoff, results_cutoff, student_policy
from seqlab.courses.selectors import is_course_staff
from seqlab.submissions.models import Artifact, Submission

# How the engine reports a written answer it leaves for a TA (graders/quiz.py grade_question).
AWAITING_TA = "awaiting a TA"
ANSWERS_MAX_DEPTH = 4          # as submissions.answers checks on submission


def submission_list_for_student(*, offering: Offering, student) -> QuerySet[Submission]:
    return (Submission.objects.filter(offering=offering, student=student)
            .select_related("current_result").order_by("-number"))


def submission_get_for_user(*, user, submission_id: int) -> Submission:
    """The attempt if it is the user's own or the user is staff of its course; else DoesNotExist."""
    submission = Submission.objects.select_related(
        "offering__course", "offering__assignment", "student", "current_result", "version", "blob",
    ).get(pk=submission_id)
    if submission.student_id == user.id or is_course_staff(user=user, course=submission.offering.course):
        return submission
    raise Submission.DoesNotExist


def answers_of(*, submission: Submission) -> dict[str, Any]:
    """The answers a quiz or written submission holds ({} if its answers.json is unreadable).

    Rows stored before answers were checked on submission may hold anything (a document nested
    100 000 deep, megabytes): a page must still render, so read them within the same bounds.
    """
    try:
        data = loads_bounded(bytes(submission.blob.data), max_bytes=settings.SEQLAB_MAX_ANSWERS_BYTES,
                             max_depth=ANSWERS_MAX_DEPTH, what="answers.json")
        return {str(k): v for k, v in parse_answers(json.dumps(data).encode()).items()}
    except ValueError:
        return {}


def last_answers(*, offering: Offering, student) -> dict[str, Any]:
    """The student's latest answers to this offering's questions, to pre-fill the form."""
    latest = (Submission.objects.filter(offering=offering, student=student, filename="answers.json")
              .select_related("blob").order_by("-number").first())
    return answers_of(submission=latest) if latest else {}


def answer_key_visible(*, viewer, submission: Submission, now: datetime | None = None) -> bool:
    """A quiz's correct answers: staff always; a student once no student at all can still submit
    (every extension past), or once the instructor has published the grades (an explicit release)."""
    if viewer != submission.student:
        return is_course_staff(user=viewer, course=submission.offering.course)
    now = now or timezone.now()
    published = submission.offering.published_at
    return bool(published and now >= published) or now > last_cutoff(offering=submission.offering)


def queue_position(*, submission: Submission) -> int:
    """How many queued runs on the same queue were queued before this one."""
    return Submission.objects.filter(status="queued", queued_at__lt=submission.queued_at,
                                     offering__assignment__queue=submission.offering.assignment.queue).count()


@dataclass(frozen=True)
class CheckView:
    number: str
    name: str
    score: float | None           # None while withheld
    max_score: float
    passed: bool | None
    output: str
    visibility: str
    shown: bool
    reveal_at: datetime | None     # when a withheld check will show; None = never or on publication
    override_comment: str = ""
    manual: bool = False           # a written question: a TA grades it against the rubric
    awaiting: bool = False         # ... and it holds an answer for the TA to grade
    overridden: bool = False       # staff set this check's score (shown checks only)
    rubric_met: tuple[int, ...] | None = None   # criteria a TA found met (written answers)
    label: str = ""                # the name in the reader's language (`name` stays the engine's key)

    @property
    def pending(self) -> bool:
        """A written answer still waiting for a TA."""
        return self.awaiting and self.shown and not self.overridden

    @property
    def partial(self) -> bool:
        """Shown with some but not all of its points (a written answer meeting part of its rubric)."""
        return self.shown and not self.pending and self.score is not None and 0 < self.score < self.max_score


@dataclass(frozen=True)
class WithheldGroup:
    """Checks withheld for the same reason until the same moment, told as one line."""

    visibility: str
    reveal_at: datetime | None
    count: int
    points: float


def _group_withheld(checks: list[CheckView]) -> list[WithheldGroup]:
    groups: dict[tuple, list[CheckView]] = {}
    for c in checks:
        groups.setdefault((c.visibility, c.reveal_at), []).append(c)
    return [WithheldGroup(vis, at, len(cs), sum(c.max_score for c in cs)) for (vis, at), cs in groups.items()]


@dataclass
class Feedback:
    checks: list[CheckView]
    score: float | None                 # None while any check is withheld
    max_score: float
    shown_score: float
    shown_max: float
    withheld: list[CheckView] = field(default_factory=list)
    artifacts: list[Artifact] = field(default_factory=list)
    stdout: str = ""
    total_override_comment: str = ""

    @property
    def shown_checks(self) -> list[CheckView]:
        return [c for c in self.checks if c.shown]

    @property
    def withheld_groups(self) -> list[WithheldGroup]:
        return _group_withheld(self.withheld)

    @property
    def passed_count(self) -> int:
        return sum(1 for c in self.checks if c.shown and c.passed)

    @property
    def pending_count(self) -> int:
        return sum(1 for c in self.checks if c.pending)

    def by_number(self) -> dict[str, CheckView]:
        return {c.number: c for c in self.checks}


def _reveal(visibility: str, *, offering: Offering, student, now: datetime, cutoff) -> tuple[bool, datetime | None]:
    """Whether a check shows now, and when it will; `cutoff()` gives the student's (courses/policy.py)."""
    if visibility == "visible":
        return True, None
    if visibility == "after_due_date":
        cutoff = cutoff()
        return now >= cutoff, cutoff
    if visibility == "after_published":
        published = offering.published_at
        return bool(published and now >= published), published
    return False, None


def _once(compute):
    """`compute`, called at most once (the student's dates cost queries; most results never need them)."""
    memo = []

    def value():
        if not memo:
            memo.append(compute())
        return memo[0]
    return value


def awaits_ta(test: dict) -> bool:
    """A written answer the engine left for a TA (a blank or oversized one already scored 0)."""
    return "manual" in test.get("tags", ()) and test.get("output", "").startswith(AWAITING_TA)


def _check_view(test: dict, override, shown: bool, reveal_at) -> CheckView:
    score = override.score if override else test.get("score", 0.0)
    max_score = test.get("max_score", 0.0)
    passed = score >= max_score if override else test.get("status") == "passed"
    overridden = bool(override) and shown
    return CheckView(
        number=test.get("number", ""), name=test.get("name", ""), score=score if shown else None,
        max_score=max_score, passed=passed if shown else None,
        output=engine_text(test, "output") if shown else "", visibility=test.get("visibility", "visible"),
        shown=shown, reveal_at=reveal_at, override_comment=override.comment if overridden else "",
        manual="manual" in test.get("tags", ()), awaiting=awaits_ta(test), overridden=overridden,
        label=engine_text(test, "name"),
        rubric_met=tuple(override.rubric) if (overridden and override.rubric is not None) else None)


def feedback_for(*, viewer, submission: Submission, now: datetime | None = None) -> Feedback | None:
    """The current result as `viewer` may see it; None before any result exists."""
    result = submission.current_result
    if result is None:
        return None
    now = now or timezone.now()
    staff = is_course_staff(user=viewer, course=submission.offering.course)
    overrides = {o.check_number: o for o in submission.overrides.all()}
    checks = []
    offering = submission.offering
    cutoff = _once(lambda: results_cutoff(
        policy=student_policy(offering=offering, student=submission.student, now=now), offering=offering))
    for test in result.tests:
        shown, reveal_at = (True, None) if staff else _reveal(
            test.get("visibility", "visible"), offering=submission.offering, student=submission.student, now=now,
            cutoff=cutoff)
        checks.append(_check_view(test, overrides.get(test.get("number", "")), shown, reveal_at))
    return _assemble(result, checks, overrides.get(""), staff)


def _assemble(result, checks: list[CheckView], total_override, staff: bool) -> Feedback:
    withheld = [c for c in checks if not c.shown]
    visible_names = {c.name for c in checks if c.shown}
    total = None
    if not withheld:
        total = total_override.score if total_override else (
            sum(c.score for c in checks) if any(c.overridden for c in checks) else result.score)
    return Feedback(
        checks=checks, score=total, max_score=result.max_score,
        shown_score=sum(c.score for c in checks if c.shown), shown_max=sum(c.max_score for c in checks if c.shown),
        withheld=withheld, stdout=result.stdout if staff else "",
        artifacts=[a for a in result.artifacts.all() if staff or not a.check_name or a.check_name in visible_names],
        total_override_comment=total_override.comment if (total_override and not withheld) else "")
