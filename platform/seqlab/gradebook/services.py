"""Writes for grades: overrides and rubric grades within their bounds, publication, regrade-all, and the
course's weighted categories."""
from __future__ import annotations

import math
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from seqlab.core.audit import audit_folded, audit_record
from seqlab.courses.selectors import question_for_check
from seqlab.gradebook.models import GradeCategory, OfferingCategory, Override, RegradeBatch
from seqlab.submissions.models import Status, Submission
from seqlab.submissions.services import submission_regrade


def _subject(submission) -> str:
    return f"{submission.offering.assignment.slug} #{submission.number} by {submission.student.username}"


class GradeRefused(ValueError):
    """A grade that does not fit: an unknown check, a score out of bounds, bad rubric criteria."""


def check_max_points(*, submission, check_number: str) -> float | None:
    """The most a check (or, with '', the whole attempt) is worth; None for a check that does not exist."""
    version = submission.version
    if not check_number:
        return float(version.max_score)
    for check in version.checks or ():
        if check.get("number") == check_number:
            return float(check.get("points", 0.0))
    result = submission.current_result
    for test in (result.tests if result else ()):
        if test.get("number") == check_number:
            return float(test.get("max_score", 0.0))
    return None


def _refuse_out_of_bounds(*, submission, check_number: str, score: float, bonus: bool) -> None:
    most = check_max_points(submission=submission, check_number=check_number)
    if most is None:
        raise GradeRefused(_("There is no check %(n)s in this submission.") % {"n": check_number[:20]})
    if bonus and check_number:
        raise GradeRefused(_("Bonus points go on the total, not on one check."))
    if bonus:
        most = most * (1 + settings.SEQLAB_MAX_BONUS_FRACTION)
    if not (math.isfinite(score) and 0 <= score <= most):
        raise GradeRefused(_("A score here lies between 0 and %(most)g.") % {"most": most})


@transaction.atomic
def override_set(*, actor, submission, check_number: str, score: float, comment: str,
                 rubric: list[int] | None = None, bonus: bool = False) -> Override:
    """Replace one check's score (or, with check_number '', the total), keeping the old one in the audit.

    The score lies within [0, the check's points] (the assignment's, for the total); more than the
    total only with `bonus`, up to SEQLAB_MAX_BONUS_FRACTION, recorded as a bonus in the audit.
    A comment says why; a rubric grade (`rubric`: the criteria met) may go without one.
    """
    if not comment.strip() and rubric is None:
        raise GradeRefused(_("An override needs a comment saying why."))
    _refuse_out_of_bounds(submission=submission, check_number=check_number, score=score, bonus=bonus)
    existing = Override.objects.filter(submission=submission, check_number=check_number).first()
    before = _override_snapshot(existing) if existing else {"score": _auto_score(submission, check_number)}
    override, _created = Override.objects.update_or_create(
        submission=submission, check_number=check_number,
        defaults={"score": score, "comment": comment, "author": actor, "rubric": rubric})
    action = "rubric.grade" if rubric is not None else ("override.bonus" if bonus else "override.set")
    after = {**_override_snapshot(override, with_comment=False), "check": check_number,
             "max": check_max_points(submission=submission, check_number=check_number)}
    audit_record(course=submission.offering.course, actor=actor, action=action, submission=submission,
                 subject=f"{_subject(submission)} check {check_number or 'total'}", before=before,
                 after=after, comment=comment)
    return override


def _override_snapshot(override: Override, *, with_comment: bool = True) -> dict:
    data = {"score": override.score}
    if with_comment:
        data["comment"] = override.comment
    if override.rubric is not None:
        data["rubric"] = list(override.rubric)
    return data


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
    audit_record(course=submission.offering.course, actor=actor, action="override.clear", submission=submission,
                 subject=f"{_subject(submission)} check {check_number or 'total'}",
                 before=_override_snapshot(existing),
                 after={"score": _auto_score(submission, check_number), "check": check_number}, comment=comment)


@transaction.atomic
def written_grade(*, actor, submission, check_number: str, met: list[int], comment: str = "") -> Override:
    """Grade a written answer by the rubric criteria it meets: the score is their points, audited.

    It is the check's override (so the gradebook, the student's page and the audit trail treat it
    like any other TA judgement); `rubric` keeps which criteria were met.
    """
    question = question_for_check(version=submission.version, number=check_number)
    if question is None or question.type != "text":
        raise GradeRefused(_("check %(n)s is not a written question of this submission") % {"n": check_number})
    met = sorted(set(met))
    if any(not 0 <= i < len(question.rubric) for i in met):
        raise GradeRefused(_("question %(q)s has criteria 0..%(last)d, not %(met)s")
                           % {"q": question.id, "last": len(question.rubric) - 1, "met": met})
    score = round(sum(float(question.rubric[i]["points"]) for i in met), 6)
    return override_set(actor=actor, submission=submission, check_number=check_number, score=score,
                        comment=comment, rubric=met)


MAX_IDS_IN_AUDIT = 5000           # the count is always exact; the id list stops here


@transaction.atomic
def offering_regrade_all(*, actor, offering) -> RegradeBatch:
    """Re-queue every counted attempt of the offering against the assignment's current version.

    The audit trail gets one entry for the whole batch (its count and the submissions' ids), not one
    per submission.
    """
    ids = list(Submission.objects.filter(offering=offering, status__in=[Status.GRADED, Status.ERROR])
               .order_by("id").values_list("id", flat=True))
    with audit_folded("submission.regrade"):
        for submission in Submission.objects.filter(id__in=ids):
            submission_regrade(actor=actor, submission=submission)
    version = offering.assignment.current_version
    audit_record(course=offering.course, actor=actor, action="offering.regrade_all", subject=str(offering),
                 offering=offering, after={"count": len(ids), "submission_ids": ids[:MAX_IDS_IN_AUDIT],
                                           "version": version.content_hash if version else None})
    return RegradeBatch.objects.create(offering=offering, requested_by=actor, submission_ids=ids)


@transaction.atomic
def offering_publish(*, actor, offering, published: bool = True):
    """Publish (or withdraw) the grades: after_published checks become visible to students.

    Publishing what is already published (or withdrawing what is not) changes nothing and is not
    audited, so a second click keeps the first publication date."""
    offering.published_at = type(offering).objects.select_for_update().values_list(
        "published_at", flat=True).get(pk=offering.pk)
    if bool(offering.published_at) == published:
        return offering
    before = offering.published_at.isoformat() if offering.published_at else None
    offering.published_at = timezone.now() if published else None
    offering.save(update_fields=["published_at"])
    audit_record(course=offering.course, actor=actor, action="offering.publish", subject=str(offering),
                 before={"published_at": before},
                 after={"published_at": offering.published_at.isoformat() if offering.published_at else None})
    return offering


# ------------------------------------------------------------------ weighted categories
MAX_CATEGORIES = 20


def _category_snapshot(category: GradeCategory) -> dict:
    return {"title_ko": category.title_ko, "title_en": category.title_en, "weight": float(category.weight)}


@transaction.atomic
def category_save(*, actor, course, title_ko: str, title_en: str, weight: Decimal,
                  category: GradeCategory | None = None) -> GradeCategory:
    """Create or change one of the course's grade categories, audited."""
    title_ko, title_en = title_ko.strip()[:100], title_en.strip()[:100]
    if not (title_ko or title_en):
        raise GradeRefused(_("A category needs a name."))
    if not (weight.is_finite() and 0 <= weight <= 100):
        raise GradeRefused(_("A weight is a percent between 0 and 100."))
    if category is not None and category.course_id != course.id:
        raise GradeRefused(_("That category belongs to another course."))
    if category is None and GradeCategory.objects.filter(course=course).count() >= MAX_CATEGORIES:
        raise GradeRefused(_("A course has at most %(n)d categories.") % {"n": MAX_CATEGORIES})
    before = _category_snapshot(category) if category else None
    category = category or GradeCategory(course=course, position=GradeCategory.objects.filter(course=course).count())
    category.title_ko, category.title_en, category.weight = title_ko, title_en, weight
    category.full_clean()
    category.save()
    audit_record(course=course, actor=actor, action="category.save", subject=category.title_en or category.title_ko,
                 before=before, after=_category_snapshot(category))
    return category


@transaction.atomic
def category_delete(*, actor, category: GradeCategory) -> None:
    """Remove a category; its offerings then count in none (the page says so), audited."""
    titles = sorted(link.offering.assignment.slug for link in
                    category.offering_links.select_related("offering__assignment"))
    audit_record(course=category.course, actor=actor, action="category.delete",
                 subject=category.title_en or category.title_ko,
                 before={**_category_snapshot(category), "assignments": titles})
    category.delete()


@transaction.atomic
def offering_category_set(*, actor, offering, category: GradeCategory | None) -> bool:
    """Put an offering in one category of its course (or in none); True when that changed anything."""
    if category is not None and category.course_id != offering.course_id:
        raise GradeRefused(_("That category belongs to another course."))
    link = OfferingCategory.objects.select_related("category").filter(offering=offering).first()
    before = link.category if link else None
    if (before.id if before else None) == (category.id if category else None):
        return False
    if category is None:
        link.delete()
    else:
        OfferingCategory.objects.update_or_create(offering=offering, defaults={"category": category})
    audit_record(course=offering.course, actor=actor, action="offering.category", subject=str(offering),
                 offering=offering, before={"category": _category_name(before)},
                 after={"category": _category_name(category)})
    return True


def _category_name(category: GradeCategory | None) -> dict | None:
    return {"ko": category.title_ko, "en": category.title_en} if category else None


@transaction.atomic
def offering_categories_set(*, actor, choices) -> int:
    """Put each offering in its chosen category (all or none of them); returns how many changed."""
    return sum(offering_category_set(actor=actor, offering=o, category=c) for o, c in choices)
