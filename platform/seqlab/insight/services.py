"""Writes for insight: diagnoses and fingerprints from stored results, hints, pair decisions."""
from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from seqlab.core.audit import audit_record
from seqlab.insight import legacy_ids, selectors
from seqlab.insight.fingerprints import fingerprint_of, output_features
from seqlab.insight.mistakes import named_mistakes
from seqlab.insight.models import (Decision, Diagnosis, Fingerprint, Hint, HintView, RunStatus, SimilarityPair,
                                   SimilarityRun)

log = logging.getLogger(__name__)
TOP_PAIRS = 200          # pairs kept per report: more than a TA reads


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
    audit_record(course=offering.course, actor=actor, action="hint.release", offering=offering,
                 subject=f"{offering.assignment.slug} hint on {hint.mistake}", after=_hint_snapshot(hint))
    return hint


@transaction.atomic
def hint_withdraw(*, actor, hint: Hint) -> Hint:
    """Stop showing a hint (its views stay recorded); audited."""
    hint = Hint.objects.select_for_update().get(pk=hint.pk)
    if hint.withdrawn_at is None:
        hint.withdrawn_at, hint.withdrawn_by = timezone.now(), actor
        hint.save(update_fields=["withdrawn_at", "withdrawn_by"])
        audit_record(course=hint.offering.course, actor=actor, action="hint.withdraw", offering=hint.offering,
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


# ------------------------------------------------------------------ similarity reports
def similarity_start(*, actor, offering, earlier_terms: bool = True) -> SimilarityRun:
    """Record a report request and queue its computation once the row is committed."""
    from seqlab.insight.tasks import similarity_task
    with transaction.atomic():
        run = SimilarityRun.objects.create(offering=offering, requested_by=actor, earlier_terms=earlier_terms)
        audit_record(course=offering.course, actor=actor, action="similarity.start",
                     subject=f"{offering.assignment.slug} similarity report {run.pk}",
                     after={"earlier_terms": earlier_terms})
        similarity_task.delay_on_commit(run.pk)
    return run


def _progress(run_id: int, done: int) -> None:
    SimilarityRun.objects.filter(pk=run_id).update(done=done)


def _entries(run: SimilarityRun) -> list:
    """One entry per student and offering (their latest graded attempt), fingerprints made if missing."""
    from seqlab.insight.similarity import Entry
    submissions = selectors.similarity_pool(offering=run.offering, earlier_terms=run.earlier_terms)
    missing = [s for s in submissions if not hasattr(s, "fingerprint")]
    for sub in missing:
        diagnoses_record(result=sub.current_result)
    prints = {f.submission_id: f for f in Fingerprint.objects.filter(submission__in=submissions)}
    found = [prints.get(sub.pk) for sub in submissions]
    # Wrong outputs that agree to the tolerance form one class over the whole pool: one feature each.
    outputs = output_features([(fp.outputs or []) if fp else [] for fp in found])
    entries = []
    for sub, fp, wrong_outputs in zip(submissions, found, outputs):
        features = set(wrong_outputs)
        if fp:
            features |= {f"m:{m}" for m in fp.mistakes} | {f"w:{h}" for h in fp.wrong} | {f"e:{h}" for h in fp.errors}
        entries.append(Entry(sub.pk, sub.student_id, sub.offering_id == run.offering_id,
                             selectors.source_text(sub), features, outputs=wrong_outputs))
    return entries


def similarity_compute(*, run_id: int) -> SimilarityRun | None:
    """Compute a report: fingerprint every submission, rank the pairs, store the top ones.

    Idempotent: a redelivered task recomputes the run from scratch. Returns None if the run
    is already finished.
    """
    from seqlab.insight import similarity
    claimed = SimilarityRun.objects.filter(pk=run_id, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).update(
        status=RunStatus.RUNNING, done=0)
    if not claimed:
        return None
    run = SimilarityRun.objects.select_related("offering__assignment__current_version", "offering__course").get(
        pk=run_id)
    entries = _entries(run)
    n = len(entries)
    candidates = min(max(4 * TOP_PAIRS, 4 * n), n * (n - 1) // 2)
    SimilarityRun.objects.filter(pk=run_id).update(total=n + candidates)
    boilerplate = similarity.boilerplate_of(selectors.starter_text(offering=run.offering))
    for i, entry in enumerate(entries, start=1):
        entry.code = similarity.code_fingerprint(entry.source, boilerplate)
        if i % 25 == 0:
            _progress(run_id, i)
    pairs = similarity.rank_pairs(entries, top=TOP_PAIRS, candidates=max(1, candidates),
                                  progress=lambda done: _progress(run_id, n + done))
    _store_pairs(run, pairs, {e.key: e for e in entries})
    SimilarityRun.objects.filter(pk=run_id).update(status=RunStatus.DONE, done=F("total"), finished_at=timezone.now())
    return SimilarityRun.objects.get(pk=run_id)


def _store_pairs(run: SimilarityRun, pairs: list, entries: dict) -> None:
    prints = {f.submission_id: f.evidence for f in Fingerprint.objects.filter(
        submission__in=[k for p in pairs for k in (p.first, p.second)])}
    with transaction.atomic():
        SimilarityPair.objects.filter(run=run).delete()
        SimilarityPair.objects.bulk_create(
            SimilarityPair(run=run, first_id=p.first, second_id=p.second, rank=rank, score=p.score,
                           source=p.source, behaviour=p.behaviour,
                           evidence=_evidence(p, prints.get(p.first, {}), entries[p.first], entries[p.second]))
            for rank, p in enumerate(pairs, start=1))


def _evidence(pair, evidence: dict, first, second) -> dict:
    """What the two share, in words: mistake ids, the wrong outputs (which check, which value, and
    each student's report as they saw it), the wrong reports and the exception texts."""
    shown = {"mistakes": [], "outputs": [], "wrong": [], "errors": []}
    for feature in pair.shared[:60]:
        kind, _, value = feature.partition(":")
        if kind == "o":
            mine, theirs = first.outputs.get(feature, {}), second.outputs.get(feature, {})
            shown["outputs"].append({"check": mine.get("check", ""), "what": mine.get("what", ""),
                                     "first": mine.get("report", ""), "second": theirs.get("report", "")})
            continue
        target = {"m": "mistakes", "w": "wrong", "e": "errors"}.get(kind)
        if target:
            shown[target].append(value if kind == "m" else evidence.get(value, value))
    return shown


def similarity_fail(*, run_id: int, error: str) -> None:
    SimilarityRun.objects.filter(pk=run_id).exclude(status=RunStatus.DONE).update(
        status=RunStatus.FAILED, error=error[:2000], finished_at=timezone.now())
