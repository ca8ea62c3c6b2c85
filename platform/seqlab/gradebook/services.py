"""Writes for grades: the audit trail first (other services call it)."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from seqlab.gradebook.models import AuditEntry, Override, RegradeBatch, RubricItem, WrittenAnswer


def audit_record(*, course, actor, action: str, subject: str, before=None, after=None,
                 comment: str = "") -> AuditEntry:
    """Append one entry to the course's audit trail."""
    return AuditEntry.objects.create(course=course, actor=actor, action=action, subject=subject[:300],
                                     before=before, after=after, comment=comment)


def _subject(submission) -> str:
    return f"{submission.offering.assignment.slug} #{submission.number} by {submission.student.username}"


@transaction.atomic
def override_set(*, actor, submission, check_number: str, score: float, comment: str) -> Override:
    """Replace one check's score (or, with check_number '', the total), keeping the old one in the audit."""
    if not comment.strip():
        raise ValueError("an override needs a comment saying why")
    existing = Override.objects.filter(submission=submission, check_number=check_number).first()
    before = {"score": existing.score, "comment": existing.comment} if existing else {
        "score": _auto_score(submission, check_number)}
    override, _ = Override.objects.update_or_create(
        submission=submission, check_number=check_number,
        defaults={"score": score, "comment": comment, "author": actor})
    audit_record(course=submission.offering.course, actor=actor, action="override.set",
                 subject=f"{_subject(submission)} check {check_number or 'total'}", before=before,
                 after={"score": score}, comment=comment)
    return override


def _auto_score(submission, check_number: str) -> float | None:
    result = submission.current_result
    if result is None:
        return None
    if not check_number:
        return result.score
    return next((t.get("score") for t in result.tests if t.get("number") == check_number), None)


@transaction.atomic
def override_clear(*, actor, submission, check_number: str, comment: str) -> None:
    """Return a check (or the total) to its auto-graded score, audited."""
    existing = Override.objects.filter(submission=submission, check_number=check_number).first()
    if existing is None:
        return
    existing.delete()
    audit_record(course=submission.offering.course, actor=actor, action="override.clear",
                 subject=f"{_subject(submission)} check {check_number or 'total'}",
                 before={"score": existing.score, "comment": existing.comment},
                 after={"score": _auto_score(submission, check_number)}, comment=comment)


def rubric_item_create(*, actor, offering, prompt: str, points: float, guide: str = "") -> RubricItem:
    """Add a written question to an offering."""
    order = offering.rubric_items.count() + 1
    item = RubricItem.objects.create(offering=offering, order=order, prompt=prompt, guide=guide, points=points)
    audit_record(course=offering.course, actor=actor, action="rubric.create", subject=f"{offering} Q{order}",
                 after={"prompt": prompt[:200], "points": points})
    return item


def written_answer_save(*, student, item: RubricItem, text: str) -> WrittenAnswer:
    """Store a student's answer; changing it after grading clears the grade for a fresh look."""
    answer, _ = WrittenAnswer.objects.update_or_create(
        item=item, student=student,
        defaults={"text": text, "submitted_at": timezone.now(), "points": None, "graded_by": None, "graded_at": None})
    return answer


@transaction.atomic
def written_answer_grade(*, actor, answer: WrittenAnswer, points: float, comment: str) -> WrittenAnswer:
    """Grade a written answer against its rubric item, audited."""
    if not 0 <= points <= answer.item.points:
        raise ValueError(f"points must be between 0 and {answer.item.points:g}")
    before = {"points": answer.points, "comment": answer.comment} if answer.points is not None else None
    answer.points, answer.comment, answer.graded_by, answer.graded_at = points, comment, actor, timezone.now()
    answer.save()
    audit_record(course=answer.item.offering.course, actor=actor, action="rubric.grade",
                 subject=f"{answer.item.offering} Q{answer.item.order} by {answer.student.username}",
                 before=before, after={"points": points, "comment": comment})
    return answer


def offering_regrade_all(*, actor, offering) -> RegradeBatch:
    """Re-queue every counted attempt of the offering against the assignment's current version."""
    from seqlab.submissions.models import Status, Submission
    from seqlab.submissions.services import submission_regrade
    ids = list(Submission.objects.filter(offering=offering, status__in=[Status.GRADED, Status.ERROR])
               .values_list("id", flat=True))
    for submission in Submission.objects.filter(id__in=ids):
        submission_regrade(actor=actor, submission=submission)
    return RegradeBatch.objects.create(offering=offering, requested_by=actor, submission_ids=ids)


def offering_publish(*, actor, offering, published: bool = True):
    """Publish (or withdraw) the grades: after_published checks become visible to students."""
    before = offering.published_at.isoformat() if offering.published_at else None
    offering.published_at = timezone.now() if published else None
    offering.save(update_fields=["published_at"])
    audit_record(course=offering.course, actor=actor, action="offering.publish", subject=str(offering),
                 before={"published_at": before},
                 after={"published_at": offering.published_at.isoformat() if offering.published_at else None})
    return offering
