"""What publishing an offering's grades changes for students, shown before the instructor confirms.

Publishing reveals the `after_published` checks (and, for quizzes, the answer key) to every
student; it does not reveal `after_due_date` checks before each student's deadline, nor
`hidden` ones ever. The preview renders one student's result page as it will look.
"""
from __future__ import annotations

from copy import copy
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from seqlab.courses.models import Offering
from seqlab.courses.policy import last_cutoff
from seqlab.courses.presentation import engine_text
from seqlab.courses.selectors import course_students
from seqlab.gradebook.selectors import offering_grades
from seqlab.submissions.models import Status, Submission
from seqlab.submissions.selectors import Feedback, feedback_for


@dataclass(frozen=True)
class CheckLine:
    number: str
    name: str
    points: float


@dataclass(frozen=True)
class PublishPreview:
    offering: Offering
    revealed: list[CheckLine]          # after_published checks: shown to students once published
    after_deadline: list[CheckLine]    # after_due_date checks: publishing does not show them early
    deadline_passed: bool              # every student's cutoff has passed (extensions, accommodations)
    students: list
    student: object | None
    submission: Submission | None
    feedback: Feedback | None          # the chosen student's result page once published
    as_of: datetime


def _lines(offering: Offering, visibility: str) -> list[CheckLine]:
    version = offering.assignment.current_version
    return [CheckLine(c["number"], engine_text(c, "name"), c["points"])
            for c in (version.checks if version else []) if c.get("visibility") == visibility]


def _shown_submission(offering: Offering, student) -> Submission | None:
    """The attempt the gradebook counts for the student, else their latest graded one."""
    cell = offering_grades(offering=offering).get(student.id)
    if cell and cell.submission:
        return cell.submission
    return (Submission.objects.filter(offering=offering, student=student, status=Status.GRADED,
                                      current_result__isnull=False).order_by("-number").first())


def as_published(submission: Submission, when: datetime) -> Submission:
    """The attempt as it reads once its offering is published at `when` (an unsaved copy)."""
    offering = copy(submission.offering)
    offering.published_at = when
    twin = copy(submission)
    twin.offering = offering
    return twin


def _chosen(students: list, student_id: int | None, offering: Offering):
    by_id = {s.id: s for s in students}
    if student_id in by_id:
        return by_id[student_id]
    graded = set(Submission.objects.filter(offering=offering, status=Status.GRADED).values_list("student_id", flat=True))
    return next((s for s in students if s.id in graded), students[0] if students else None)


def publish_preview(*, offering: Offering, student_id: int | None = None, now: datetime | None = None
                    ) -> PublishPreview:
    """The checks publishing reveals, and one student's result page as it will look (student_id or the first)."""
    now = now or timezone.now()
    students = list(course_students(course=offering.course))
    student = _chosen(students, student_id, offering)
    submission = _shown_submission(offering, student) if student else None
    feedback = None
    if submission is not None:
        twin = as_published(submission, offering.published_at or now)
        feedback = feedback_for(viewer=student, submission=twin, now=now)
        submission = twin
    return PublishPreview(offering=offering, revealed=_lines(offering, "after_published"),
                          after_deadline=_lines(offering, "after_due_date"),
                          deadline_passed=now > last_cutoff(offering=offering), students=students, student=student,
                          submission=submission, feedback=feedback, as_of=now)
