"""Writes for insight: diagnoses and fingerprints from stored results, hints, pair decisions."""
from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from seqlab.gradebook.services import audit_record
from seqlab.insight import legacy_ids
from seqlab.insight.fingerprints import fingerprint_of
from seqlab.insight.mistakes import named_mistakes
from seqlab.insight.models import Decision, Diagnosis, Fingerprint, Hint, HintView, SimilarityPair

log = logging.getLogger(__name__)


def _legacy_source(version) -> str:
    return legacy_ids.mistakes_source(version)


def diagnoses_record(*, result) -> list[Diagnosis]:
    """Store the result's named mistakes and its fingerprint once (again: replaced, not doubled)."""
    submission = result.submission
    if not result.gradable or submission.offering.assignment.takes_answers:
        return []
    named = named_mistakes(tests=result.tests, slug=submission.offering.assignment.slug,
                           legacy_source=_legacy_source(result.version))
    # The rows always describe the submission's latest result: a regrade replaces them.
    Diagnosis.objects.filter(submission=submission).delete()
    rows = Diagnosis.objects.bulk_create(
        Diagnosis(result=result, submission=submission, offering_id=submission.offering_id,
                  version_id=result.version_id, student_id=submission.student_id, number=submission.number,
                  submitted_at=submission.submitted_at, mistake=n.mistake, check_key=n.check_key,
                  check_name=n.check_name, points_lost=n.points_lost, text_ko=n.ko, text_en=n.en)
        for n in {(n.mistake, n.check_key): n for n in named}.values())
    print_ = fingerprint_of(result.tests, [n.mistake for n in named])
    Fingerprint.objects.update_or_create(submission=submission, defaults={
        "result": result, "assignment_id": submission.offering.assignment_id, **print_})
    return rows


def result_stored(*, result) -> None:
    """Hook for submissions.services.result_store: record what the result shows.

    Diagnoses are derived data (the backfill command rebuilds them), so a fault here is logged
    and never fails the grading run that stored the result.
    """
    try:
        with transaction.atomic():
            diagnoses_record(result=result)
    except Exception:  # noqa: BLE001 - derived data must not cost a student their result
        log.exception("could not record diagnoses of result %s", result.pk)


def _hint_snapshot(hint: Hint) -> dict:
    return {"mistake": hint.mistake, "ko": hint.text_ko, "en": hint.text_en}


@transaction.atomic
def hint_release(*, actor, offering, mistake: str, text_ko: str, text_en: str) -> Hint:
    """Publish a hint on a mistake to every student whose result shows it; audited."""
    text_ko, text_en = text_ko.strip(), text_en.strip()
    if not mistake or not (text_ko and text_en):
        raise ValueError("a hint needs a mistake and a text in Korean and in English")
    hint = Hint.objects.create(offering=offering, mistake=mistake[:120], text_ko=text_ko[:4000],
                               text_en=text_en[:4000], author=actor, released_at=timezone.now())
    audit_record(course=offering.course, actor=actor, action="hint.release",
                 subject=f"{offering.assignment.slug} hint on {hint.mistake}", after=_hint_snapshot(hint))
    return hint


@transaction.atomic
def hint_withdraw(*, actor, hint: Hint) -> Hint:
    """Stop showing a hint (its views stay recorded); audited."""
    hint = Hint.objects.select_for_update().get(pk=hint.pk)
    if hint.withdrawn_at is None:
        hint.withdrawn_at, hint.withdrawn_by = timezone.now(), actor
        hint.save(update_fields=["withdrawn_at", "withdrawn_by"])
        audit_record(course=hint.offering.course, actor=actor, action="hint.withdraw",
                     subject=f"{hint.offering.assignment.slug} hint on {hint.mistake}", before=_hint_snapshot(hint))
    return hint


def hint_views_record(*, student, submission, hints) -> None:
    """Remember the first time the student saw each hint (later views change nothing)."""
    now = timezone.now()
    HintView.objects.bulk_create([HintView(hint=h, student=student, submission=submission, first_seen_at=now)
                                  for h in hints], ignore_conflicts=True)


@transaction.atomic
def pair_decide(*, actor, pair: SimilarityPair, decision: str, comment: str = "") -> SimilarityPair:
    """Dismiss or refer a pair of submissions; the decision and its reason are audited."""
    if decision not in (Decision.DISMISSED, Decision.REFERRED, Decision.OPEN):
        raise ValueError("decision must be dismissed, referred or open")
    pair = SimilarityPair.objects.select_for_update().select_related(
        "run__offering__course", "run__offering__assignment", "first__student", "second__student").get(pk=pair.pk)
    before = pair.decision
    pair.decision, pair.decided_by, pair.decided_at = decision, actor, timezone.now()
    pair.save(update_fields=["decision", "decided_by", "decided_at"])
    audit_record(course=pair.run.offering.course, actor=actor, action=f"similarity.{decision or 'reopen'}",
                 subject=(f"{pair.run.offering.assignment.slug} #{pair.first.number} by {pair.first.student.username}"
                          f" ~ #{pair.second.number} by {pair.second.student.username}"),
                 before={"decision": before}, after={"decision": decision, "score": round(pair.score, 4)},
                 comment=comment[:2000])
    return pair


def diagnoses_backfill(*, offering_id: int | None = None, current_only: bool = True, batch: int = 200) -> dict:
    """Record diagnoses for stored results (current ones by default), oldest first; idempotent."""
    from seqlab.submissions.models import Result
    results = Result.objects.filter(gradable=True).select_related(
        "submission__offering__assignment", "version").order_by("id")
    if offering_id is not None:
        results = results.filter(submission__offering_id=offering_id)
    if current_only:
        results = results.filter(submission__current_result=F("id"))
    counts = {"results": 0, "diagnoses": 0}
    for result in results.iterator(chunk_size=batch):
        with transaction.atomic():
            counts["diagnoses"] += len(diagnoses_record(result=result))
        counts["results"] += 1
    return counts
